"""Builds the config's JSON Schema (draft 2020-12) from the module catalogue.

The committed copy in `schemas/weavectl.schema.json` is what editors and `validate` use at run time; a test
checks it equals `build_schema()`, and `python -m weavectl.core.config.schema > schemas/weavectl.schema.json`
regenerates it. Module-specific parameter checks (which parameter belongs to which module) happen in
`semantic.py`, where a "did you mean" can be given; the schema lists the union so editors complete them all.
"""

from __future__ import annotations

import json
import re
from typing import Any

from weavectl.core.weaviate import catalog, defaults

SCHEMA_ID = "https://weavectl.dev/schemas/weavectl.schema.json"

PRIMITIVE_TYPES = (
    "text", "text[]", "int", "int[]", "number", "number[]", "boolean", "boolean[]", "date", "date[]",
    "uuid", "uuid[]", "geoCoordinates", "phoneNumber", "blob", "object", "object[]",
)
DEPRECATED_TYPES = ("string", "string[]")  # the server migrates them to text / text[]
TOKENIZATIONS = ("word", "lowercase", "whitespace", "field", "trigram", "gse", "kagome_kr", "kagome_ja", "gse_ch")
DISTANCES = ("cosine", "dot", "l2-squared", "manhattan", "hamming")
INDEX_TYPES = ("hnsw", "flat", "dynamic", "hfresh")
QUANTIZERS = ("pq", "bq", "sq", "rq")
DELETION_STRATEGIES = ("NoAutomatedResolution", "DeleteOnConflict", "TimeBasedResolution")
COLLECTION_NAME = r"^[A-Za-z][_0-9A-Za-z]{0,254}$"
PROPERTY_NAME = r"^[_A-Za-z][_0-9A-Za-z]{0,230}$"
VECTOR_NAME = r"^[_A-Za-z][_0-9A-Za-z]{0,229}$"
KEY_SOURCE_KINDS = ("env", "file", "command", "literal")

_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "string_list": {"type": "array", "items": {"type": "string"}},
    "number_list": {"type": "array", "items": {"type": "number"}},
    "object": {"type": "object"},
}


def _obj(properties: dict[str, Any], *, required: tuple[str, ...] = (), description: str = "",
         additional: bool | dict[str, Any] = False) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": additional}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def _bool(description: str) -> dict[str, Any]:
    return {"type": "boolean", "description": description}


def _int(description: str, minimum: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "integer", "description": description}
    if minimum is not None:
        out["minimum"] = minimum
    return out


def _params_union(kinds: tuple[str, ...]) -> dict[str, Any]:
    """Every parameter name any module of these kinds takes, typed as the union of its types."""
    types: dict[str, list[dict[str, Any]]] = {}
    docs: dict[str, str] = {}
    for spec in catalog.MODULES.values():
        if spec.kind not in kinds:
            continue
        for param in spec.params:
            json_type: dict[str, Any] = _JSON_TYPES[param.type]
            if json_type not in types.setdefault(param.name, []):
                types[param.name].append(json_type)
            docs.setdefault(param.name, param.description)
    out: dict[str, Any] = {}
    for name in sorted(types):
        options = types[name]
        out[name] = dict(options[0]) if len(options) == 1 else {"anyOf": options}
        if docs[name]:
            out[name]["description"] = docs[name]
    return out


def _module_name(kinds: tuple[str, ...], extra: tuple[str, ...] = ()) -> dict[str, Any]:
    known = sorted(
        {n for n, s in catalog.MODULES.items() if s.kind in kinds}
        | {a for s in catalog.MODULES.values() if s.kind in kinds for a in s.aliases}
        | set(extra)
    )
    # The enum drives editor completion; any other name is checked (with "did you mean") by semantic.py,
    # so a module Weaviate adds later stays usable through `module_config`.
    return {"anyOf": [{"enum": known}, {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)+$"}]}


def key_source() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Where a secret comes from. Exactly one of env, file, command, literal.",
        "properties": {
            "env": {"type": "string", "minLength": 1, "description": "name of an environment variable"},
            "file": {"type": "string", "minLength": 1, "description": "path of a file holding the key"},
            "command": {
                "anyOf": [{"type": "string", "minLength": 1},
                          {"type": "array", "items": {"type": "string"}, "minItems": 1}],
                "description": "a command whose standard output is the key (secret managers)",
            },
            "literal": {"type": "string", "description": "the key itself, in the file: discouraged, warned"},
        },
        "additionalProperties": False,
        "minProperties": 1,
        "maxProperties": 1,
    }


def _quantizer() -> dict[str, Any]:
    return _obj({
        "type": {"enum": list(QUANTIZERS)},
        "segments": _int("pq: number of segments (0 = derived from dimensions)", 0),
        "centroids": _int("pq: centroids per segment", 1),
        "training_limit": _int("pq/sq/rq: objects used to train", 1),
        "bit_compression": _bool("pq: legacy bit compression"),
        "encoder": _obj({"type": {"enum": ["kmeans", "tile"]},
                         "distribution": {"enum": ["log-normal", "normal"]}}),
        # v1.39.3 entities/vectorindex/hnsw/rq_config.go: 8, 4 or 1 (1.35: 8 or 1; 1.32: 8; semantic.py warns).
        "bits": {"enum": [1, 4, 8], "description": "rq: bits per dimension (4 needs 1.39+, 1 needs 1.35+)"},
        "centering": _bool("rq (1.39+): centered 4-bit quantization; needs bits: 4"),
        "rescore_limit": _int("sq/rq/flat: candidates rescored with full vectors"),
        "cache": _bool("flat: keep compressed vectors in memory"),
    }, required=("type",), description="vector compression")


def _vector_index(nested: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {
        "distance": {"enum": list(DISTANCES)},
        "ef": _int("hnsw: query-time list size (-1 = dynamic)"),
        # The server refuses values outside these (v1.39.3 entities/vectorindex/hnsw/config.go validate; the
        # same bounds in 1.32.5 and 1.35.2).
        "ef_construction": _int("hnsw: build-time list size (immutable)", 4),
        "max_connections": {**_int("hnsw: graph degree (immutable)", 4), "maximum": 2047},
        "dynamic_ef_min": _int("hnsw"),
        "dynamic_ef_max": _int("hnsw"),
        "dynamic_ef_factor": _int("hnsw"),
        "vector_cache_max_objects": _int("vectors kept in memory", 0),
        "flat_search_cutoff": _int("hnsw: below this many matches a filtered search is brute force", 0),
        "cleanup_interval_seconds": _int("hnsw: tombstone cleanup interval (immutable)", 0),
        "filter_strategy": {"enum": ["sweeping", "acorn"]},
        "skip": _bool("hnsw: do not index (no vector search)"),
        "skip_default_quantization": _bool("opt out of the server's DEFAULT_QUANTIZATION"),
        "quantizer": _quantizer(),
        "multivector": _obj({
            "enabled": _bool("multi-vector (late interaction) embeddings"),
            "aggregation": {"enum": ["maxSim"]},
            "muvera": _obj({"enabled": {"type": "boolean"}, "ksim": {"type": "integer", "maximum": 10},
                            "dprojections": {"type": "integer"}, "repetitions": {"type": "integer"}}),
        }),
        "threshold": _int("dynamic: object count at which flat switches to hnsw", 0),
        # hfresh (1.35+; v1.39.3 entities/vectorindex/hfresh/config.go validate: posting size 8..1024 KB,
        # replicas at most 10; v1.35.2 takes max/min_posting_size and rng_factor instead of the KB size).
        "max_posting_size_kb": {**_int("hfresh (1.36+): posting size budget in KB", 8), "maximum": 1024},
        "replicas": {**_int("hfresh: copies of each vector across postings (immutable from 1.36)", 0),
                     "maximum": 10},
        "search_probe": _int("hfresh: postings searched per query", 0),
        "max_posting_size": _int("hfresh on 1.35: vectors per posting (0 = computed)", 0),
        "min_posting_size": _int("hfresh on 1.35: vectors per posting before a merge", 0),
        "rng_factor": _int("hfresh on 1.35", 0),
        "extra": {"type": "object", "description": "raw vectorIndexConfig keys, merged as given"},
    }
    if not nested:
        props["type"] = {"enum": list(INDEX_TYPES), "description": "index type (immutable); default hnsw"}
        props["hnsw"] = {"$ref": "#/$defs/nested_index"}
        props["flat"] = {"$ref": "#/$defs/nested_index"}
    return _obj(props, description="vector index settings, in the Python client's snake_case")


def _vector() -> dict[str, Any]:
    props: dict[str, Any] = {
        "vectorizer": {
            **_module_name(("text2vec", "multi2vec", "text2multivec", "multi2multivec"), extra=("none",)),
            "description": "embedding module, or `none` to bring your own vectors",
        },
        "source_properties": {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
                              "description": "properties whose text is embedded (default: all text)"},
        "vectorize_collection_name": _bool("prefix the collection name to the embedded text"),
        "module_config": {"type": "object",
                          "description": "raw module settings (REST keys), for modules weavectl does not know"},
        "index": {"$ref": "#/$defs/vector_index"},
        "rate_limit": _obj({"requests_per_minute": _int("the provider's request limit for your key", 1),
                            "tokens_per_minute": _int("the provider's token limit for your key", 1)},
                           description="your provider limits, for the duration in cost estimates (not sent)"),
    }
    for name, schema in _params_union(("text2vec", "multi2vec", "text2multivec", "multi2multivec")).items():
        props.setdefault(name, schema)
    return _obj(props, required=("vectorizer",))


def _module_ref(kind: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        "module": {**_module_name((kind,)), "description": f"the {kind} module"},
        "module_config": {"type": "object", "description": "raw module settings (REST keys)"},
    }
    for name, schema in _params_union((kind,)).items():
        props.setdefault(name, schema)
    return _obj(props, required=("module",))


def _per_module_bool(description: str) -> dict[str, Any]:
    return {
        "anyOf": [{"type": "boolean"},
                  {"type": "object", "additionalProperties": {"type": "boolean"}, "minProperties": 1}],
        "description": description + " (true/false for every vectorizer module, or a map module -> bool)",
    }


def _property(nested: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {
        "name": {"type": "string", "pattern": PROPERTY_NAME},
        "data_type": {"anyOf": [{"enum": list(PRIMITIVE_TYPES)}, {"enum": list(DEPRECATED_TYPES)}]},
        "description": {"type": "string"},
        "tokenization": {"enum": list(TOKENIZATIONS)},
        "index_filterable": _bool("inverted index for filters"),
        "index_searchable": _bool("inverted index for BM25/hybrid (text only)"),
        "index_range_filters": _bool("range index (int, number, date)"),
        "nested_properties": {"type": "array", "items": {"$ref": "#/$defs/nested_property"}},
        "text_analyzer": _obj({"ascii_fold": {"type": "boolean"},
                               "ascii_fold_ignore": {"type": "array", "items": {"type": "string"}},
                               "stopword_preset": {"type": "string"}}),
    }
    if not nested:
        props.update({
            "target_collection": {
                "anyOf": [{"type": "string", "pattern": COLLECTION_NAME},
                          {"type": "array", "items": {"type": "string", "pattern": COLLECTION_NAME},
                           "minItems": 1}],
                "description": "makes this a cross-reference to that collection (or collections)",
            },
            "skip_vectorization": _per_module_bool("leave this property out of the embedded text"),
            "vectorize_property_name": _per_module_bool("prefix the property name to its value when embedding"),
            "module_config": {"type": "object", "description": "raw per-property moduleConfig (REST keys)"},
        })
    return _obj(props, required=("name",))


def _smoke() -> dict[str, Any]:
    expectation = _obj({
        "top": {"type": "array", "minItems": 1, "items": {"type": "object", "minProperties": 1},
                "description": "expected results in rank order: each {id: ...} or {property: value, ...}"},
        "any_order": _bool("the top results may come in any order"),
        "min_score": {"type": "number"},
        "max_distance": {"type": "number"},
    })
    query = _obj({
        "near_text": {"type": "string", "minLength": 1},
        "hybrid": {"type": "string", "minLength": 1},
        "alpha": {"type": "number", "minimum": 0, "maximum": 1},
        "target_vector": {"type": "string"},
        "limit": _int("results to fetch", 1),
        "expect": expectation,
    })
    return _obj({
        "objects": {"type": "array", "items": {"type": "object"}},
        "objects_file": {"type": "string", "description": "JSONL or CSV file, relative to the config file"},
        "queries": {"type": "array", "items": query},
    }, description="sample data and queries for `weavectl smoke`")


def _async_config() -> dict[str, Any]:
    """replication.async_config (1.36+): the server's bounds for each key (core.weaviate.defaults)."""
    props: dict[str, Any] = {}
    for rest_key, (low, high) in defaults.ASYNC_CONFIG_BOUNDS.items():
        entry = _int("milliseconds" if "requency" in rest_key or "Delay" in rest_key else
                     "seconds" if "imeout" in rest_key else "", low)
        if high is not None:
            entry["maximum"] = high
        props[re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), rest_key)] = entry
    return _obj(props, description="per-collection async replication settings (1.36+); unset keys follow the "
                                   "server's ASYNC_REPLICATION_* settings")


def _collection() -> dict[str, Any]:
    return _obj({
        "name": {"type": "string", "pattern": COLLECTION_NAME},
        "description": {"type": "string"},
        "state": {"enum": ["present", "absent"], "description": "absent: delete it (needs --allow-destroy)"},
        "protect": _bool("never replace or delete this collection, even with --allow-destroy"),
        "on_replace": {"enum": ["replace", "migrate"],
                       "description": "migrate: a change that forces a replace copies the data into a new "
                                      "generation and swaps the alias instead (needs an alias)"},
        "properties": {"type": "array", "items": {"$ref": "#/$defs/property"}},
        "vectors": {"type": "object", "propertyNames": {"pattern": VECTOR_NAME},
                    "additionalProperties": {"$ref": "#/$defs/vector"},
                    "description": "named vectors"},
        "vector": {"$ref": "#/$defs/vector", "description": "the legacy single (unnamed) vector"},
        "inverted_index": _obj({
            "bm25": _obj({"b": {"type": "number", "minimum": 0, "maximum": 1},
                          "k1": {"type": "number", "minimum": 0}}),
            "stopwords": _obj({"preset": {"type": "string"},
                               "additions": {"type": "array", "items": {"type": "string"}},
                               "removals": {"type": "array", "items": {"type": "string"}}}),
            "index_timestamps": _bool("index creation/update times (immutable)"),
            "index_null_state": _bool("index null values (immutable)"),
            "index_property_length": _bool("index property lengths (immutable)"),
            "cleanup_interval_seconds": _int("", 0),
        }),
        "replication": _obj({
            "factor": _int("copies of each shard", 1),
            "async_enabled": _bool("asynchronous replication (output-only on 1.38+)"),
            "deletion_strategy": {"enum": list(DELETION_STRATEGIES)},
            "async_config": _async_config(),
        }),
        "sharding": _obj({
            "virtual_per_physical": _int("", 1),
            "desired_count": _int("shards (immutable)", 1),
            "key": {"const": "_id"},
            "strategy": {"const": "hash"},
            "function": {"const": "murmur3"},
        }),
        "multi_tenancy": _obj({
            "enabled": _bool("one shard per tenant (immutable)"),
            "auto_tenant_creation": {"type": "boolean"},
            "auto_tenant_activation": {"type": "boolean"},
        }),
        "object_ttl": _obj({
            "enabled": {"type": "boolean"},
            "default_ttl": _int("seconds", 0),
            "delete_on": {"type": "string"},
            "filter_expired_objects": {"type": "boolean"},
        }),
        "generative": {"$ref": "#/$defs/generative"},
        "reranker": {"$ref": "#/$defs/reranker"},
        "aliases": {"type": "array", "items": {"type": "string", "pattern": COLLECTION_NAME}, "uniqueItems": True},
        "module_config": {"type": "object", "description": "raw class-level moduleConfig (REST keys)"},
        "ignore_changes": {
            "type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True,
            "description": "settings left to operations, as paths in this file's vocabulary "
                           "(`vectors.main.index.ef`, `inverted_index.bm25`, `replication.factor`): differences "
                           "there are listed as ignored, never applied",
        },
        "smoke": _smoke(),
    }, required=("name",))


def _environment() -> dict[str, Any]:
    return _obj({
        "url": {"type": "string", "description": "Weaviate REST URL; ${VAR} allowed"},
        "grpc_address": {"type": "string"},
        "auth": {"$ref": "#/$defs/key_source", "description": "source of the Weaviate API key"},
        "api_keys": {"type": "object", "additionalProperties": {"$ref": "#/$defs/key_source"}},
        "collections": {
            "type": "object", "propertyNames": {"pattern": COLLECTION_NAME},
            "additionalProperties": {"type": "object"},
            "description": "per-collection overrides, deep-merged (properties merged by name)",
        },
    })


def build_schema() -> dict[str, Any]:
    root = _obj({
        "version": {"const": 1, "description": "config format version"},
        "default_environment": {"type": "string"},
        "api_keys": {
            "type": "object", "additionalProperties": {"$ref": "#/$defs/key_source"},
            "description": "provider credential -> where its key comes from (never the key itself)",
        },
        "environments": {"type": "object", "additionalProperties": {"$ref": "#/$defs/environment"}},
        "collections": {"type": "array", "items": {"$ref": "#/$defs/collection"}},
        "owner": {
            "type": "string", "minLength": 1,
            "description": "who this configuration is (e.g. a team or repository): apply records it as the owner "
                           "of the collections it converges, and --prune deletes only collections with this "
                           "owner (default: \"default\")",
        },
        "external": {
            "type": "array", "items": {"type": "string", "minLength": 1},
            "description": "collections this file references but does not own (declared elsewhere): "
                           "cross-references to them validate; plan never lists, prunes or changes them",
        },
    }, required=("version",))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "weavectl configuration",
        **root,
        "$defs": {
            "key_source": key_source(),
            "environment": _environment(),
            "collection": _collection(),
            "property": _property(),
            "nested_property": _property(nested=True),
            "vector": _vector(),
            "vector_index": _vector_index(),
            "nested_index": _vector_index(nested=True),
            "generative": _module_ref("generative"),
            "reranker": _module_ref("reranker"),
        },
    }


def render_schema() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=False) + "\n"


if __name__ == "__main__":
    print(render_schema(), end="")
