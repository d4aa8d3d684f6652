"""Weaviate version numbers: the range weavectl supports, and the first version that can do each operation."""

from __future__ import annotations

import functools
import re

Version = tuple[int, int, int]

_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")


@functools.lru_cache(maxsize=256)  # at_least parses the same few minimums for every collection of a plan
def parse_version(text: str) -> Version:
    """'1.39.3', 'v1.40.0-dev' -> (1, 39, 3); anything unparsable counts as very new."""
    match = _VERSION.match(text or "")
    if not match:
        return (99, 0, 0)
    return (int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


def at_least(version: Version, minimum: str) -> bool:
    return version >= parse_version(minimum)


def format_version(version: Version) -> str:
    return ".".join(str(part) for part in version)


# The Weaviate releases weavectl supports: from 1.32.5 (the oldest release tested; 1.32 brought RQ and aliases,
# which export writes and plan reads) up to, not including, 1.40.0. CI runs the real-server suites on each
# release in TESTED_VERSIONS. Older servers are refused (plan, apply and export would be wrong on them:
# see MIN_VERSION below); newer ones get a warning, since their schema may hold settings
# weavectl does not know yet.
MIN_SUPPORTED = (1, 32, 5)
BEYOND_SUPPORTED = (1, 40, 0)
TESTED_VERSIONS = ("1.32.5", "1.35.2", "1.39.3")
SUPPORTED_RANGE = f"{format_version(MIN_SUPPORTED)} to 1.39.x"


def support_problem(reported: str) -> tuple[str, str] | None:
    """None when the server's reported version (/v1/meta `version`) is supported; else ("error" | "warning",
    message)."""
    if not re.match(r"v?\d+\.\d+", reported or ""):
        return ("warning", f"the server reported no Weaviate version ({reported!r} in /v1/meta); weavectl "
                           f"supports {SUPPORTED_RANGE} and plans as for the newest of those")
    version = parse_version(reported)
    shown = format_version(version)
    if version < MIN_SUPPORTED:
        return ("error", f"Weaviate {shown} is older than weavectl supports ({SUPPORTED_RANGE}); "
                         f"upgrade the server to {format_version(MIN_SUPPORTED)} or later")
    if version >= BEYOND_SUPPORTED:
        return ("warning", f"Weaviate {shown} is newer than weavectl is tested with ({SUPPORTED_RANGE}); "
                           "settings it added may be missing from plans and exports")
    return None


# Operations gated by server version (each found by reading the server source at release tags).
# Labels say what each is, for messages.
FEATURE_LABELS = {
    "update_generative_reranker": "changing the generative or reranker module in place",
    "update_property_description": "changing a property description in place",
    "add_named_vector": "adding a named vector to an existing collection",
    "drop_property_index": "dropping a property index",
    "aliases": "aliases",
    "object_ttl": "object TTL (objectTtlConfig)",
    "async_config": "per-collection async replication settings (replication.async_config)",
    "text_analyzer": "a property's text_analyzer",
    "flat_rq": "rq on a flat index",
}
MIN_VERSION = {
    "update_generative_reranker": "1.28.0",
    "update_property_description": "1.30.0",
    "add_named_vector": "1.31.0",
    "drop_property_index": "1.36.0",
    "aliases": "1.32.0",
    "object_ttl": "1.35.0",
    # v1.39.3 entities/models/replication_config.go asyncConfig; 1.35.2 drops the block on create (seen live).
    "async_config": "1.36.0",
    # entities/models/property.go textAnalyzer (1.37+); older servers drop it on create.
    "text_analyzer": "1.37.0",
    # entities/vectorindex/flat/config.go has rq from v1.34.0 (none at v1.32.5, v1.33.0): 1.32.5 drops it (seen).
    "flat_rq": "1.34.0",
}



def unsupported_reason(version: Version, feature: str) -> str | None:
    """Why `version` cannot do `feature` (a key of MIN_VERSION, or "update_vectorizer_settings"), or None when
    it can."""
    if feature == "update_vectorizer_settings":
        if vectorizer_settings_mutable(version):
            return None
        return ("changing vectorizer settings in place needs Weaviate 1.33.12, 1.34.8, 1.35.3 or later; this "
                f"server is {format_version(version)}")
    minimum = MIN_VERSION[feature]
    if at_least(version, minimum):
        return None
    return f"{FEATURE_LABELS[feature]} needs Weaviate >= {minimum}; this server is {format_version(version)}"


# Vectorizers whose settings a PUT may change (Weaviate's settings-migration path), from these versions on.
MIGRATABLE_VECTORIZERS = frozenset({"text2vec-openai", "text2vec-cohere", "text2vec-voyageai", "text2vec-jinaai",
                                    "text2vec-huggingface", "text2vec-weaviate"})


def vectorizer_settings_mutable(version: Version) -> bool:
    major, minor, patch = version
    if (major, minor) >= (1, 36):
        return True
    return (major, minor, patch) >= {33: (1, 33, 12), 34: (1, 34, 8), 35: (1, 35, 3)}.get(minor, (99, 0, 0))
