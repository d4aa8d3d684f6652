"""Weaviate version numbers, and the first version that can do each operation weavectl plans."""

from __future__ import annotations

import re

Version = tuple[int, int, int]


def parse_version(text: str) -> Version:
    """'1.39.3', 'v1.40.0-dev' -> (1, 39, 3); anything unparsable counts as very new."""
    match = re.match(r"v?(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    if not match:
        return (99, 0, 0)
    return (int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


def at_least(version: Version, minimum: str) -> bool:
    return version >= parse_version(minimum)


# Operations gated by server version (facts, section 9).
MIN_VERSION = {
    "update_generative_reranker": "1.28.0",
    "update_property_description": "1.30.0",
    "add_named_vector": "1.31.0",
    "drop_property_index": "1.36.0",
    "aliases": "1.32.0",
    "object_ttl": "1.35.0",
}

# Vectorizers whose settings a PUT may change (Weaviate's settings-migration path), from these versions on.
MIGRATABLE_VECTORIZERS = frozenset({"text2vec-openai", "text2vec-cohere", "text2vec-voyageai", "text2vec-jinaai",
                                    "text2vec-huggingface", "text2vec-weaviate"})


def vectorizer_settings_mutable(version: Version) -> bool:
    major, minor, patch = version
    if (major, minor) >= (1, 36):
        return True
    return (major, minor, patch) >= {33: (1, 33, 12), 34: (1, 34, 8), 35: (1, 35, 3)}.get(minor, (99, 0, 0))
