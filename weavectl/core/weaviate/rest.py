"""Config collection -> Weaviate REST class body, one-to-one, holding only what the file declares.

Undeclared fields stay absent, so the differ compares only what the user wrote and the server fills the rest.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from weavectl.core.weaviate import catalog
from weavectl.core.weaviate.usage import config_vectorizers, property_setting_modules

# Weaviate's own normalisation of names (entities/schema/schema.go UppercaseClassName, LowercaseFirstLetter):
# only the first letter changes.


BM25_DEFAULTS = {"b": 0.75, "k1": 1.2}

# The config <-> REST vocabulary, read by to_rest here and by core.paths (plan paths) in reverse.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("inverted_index", "invertedIndexConfig"), ("replication", "replicationConfig"),
    ("sharding", "shardingConfig"), ("multi_tenancy", "multiTenancyConfig"), ("object_ttl", "objectTtlConfig"),
)
PROPERTY_KEYS: tuple[str, ...] = ("description", "tokenization", "index_filterable", "index_searchable",
                                  "index_range_filters")
# Per-property vectorizer settings: config key -> key inside the property's moduleConfig.<module>.
PROPERTY_MODULE_FLAGS: tuple[tuple[str, str], ...] = (("skip_vectorization", "skip"),
                                                      ("vectorize_property_name", "vectorizePropertyName"))
# Vector entry keys that are not module parameters: config key -> key in the vectorizer's settings.
VECTOR_KEYS: tuple[tuple[str, str], ...] = (("vectorize_collection_name", "vectorizeClassName"),
                                            ("source_properties", "properties"))
QUANTIZER_TYPES: tuple[str, ...] = ("pq", "bq", "sq", "rq")


def collection_name(name: str) -> str:
    return name[:1].upper() + name[1:]


def property_name(name: str) -> str:
    return name[:1].lower() + name[1:]


# Config keys whose REST spelling is not their plain camelCase (the Python client's names for them).
CAMEL_EXCEPTIONS: dict[str, str] = {"max_posting_size_kb": "maxPostingSizeKB"}  # hfresh, 1.36+
SNAKE_EXCEPTIONS: dict[str, str] = {rest: key for key, rest in CAMEL_EXCEPTIONS.items()}


@functools.lru_cache(maxsize=1024)  # a file spells the same few hundred keys thousands of times
def camel(key: str) -> str:
    if key in CAMEL_EXCEPTIONS:
        return CAMEL_EXCEPTIONS[key]
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {camel(k): camel_keys(v) for k, v in value.items()}
    return copy.deepcopy(value)


def vectorizer_settings(vector: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(module REST name, its settings with REST keys) for a vector entry of the config."""
    module = str(vector["vectorizer"])
    if module == "none":
        return "none", {}
    # The server stores a legacy alias (text2vec-palm) as written, so it is sent as written too.
    settings = _catalog_settings(module, vector)
    for key, rest_key in VECTOR_KEYS:
        if key in vector:  # source properties are stored as sent, so sent as written
            value = vector[key]
            settings[rest_key] = list(value) if isinstance(value, list) else value
    settings.update(copy.deepcopy(vector.get("module_config") or {}))
    return module, settings


def vector_index_config(index: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in index.items():
        if key in ("type", "extra"):
            continue
        if key == "quantizer":
            q = dict(value)
            qtype = q.pop("type")
            out[qtype] = {"enabled": True, **camel_keys(q)}
        elif key in ("hnsw", "flat"):
            out[key] = vector_index_config(value)
        else:
            out[camel(key)] = camel_keys(value)
    out.update(copy.deepcopy(index.get("extra") or {}))
    return out


def module_ref(ref: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name = str(ref["module"])
    settings = _catalog_settings(name, ref)
    settings.update(copy.deepcopy(ref.get("module_config") or {}))
    return name, settings


def _catalog_settings(module: str, holder: dict[str, Any]) -> dict[str, Any]:
    """The module's snake_case parameters found in `holder`, under their REST keys."""
    spec = catalog.lookup(module)
    by_name = {p.name: p.rest_key for p in spec.params} if spec else {}
    return {by_name[key]: copy.deepcopy(value) for key, value in holder.items() if key in by_name}


_PROPERTY_REST_KEYS: tuple[tuple[str, str], ...] = tuple((key, camel(key)) for key in PROPERTY_KEYS)


def _property(prop: dict[str, Any], modules: list[str], nested: bool = False) -> dict[str, Any]:
    # The server lower-cases the first letter of top-level property names only; nested names stay as given.
    out: dict[str, Any] = {"name": str(prop["name"]) if nested else property_name(str(prop["name"]))}
    if "target_collection" in prop:
        targets = prop["target_collection"]
        out["dataType"] = [collection_name(t) for t in ([targets] if isinstance(targets, str) else targets)]
    elif "data_type" in prop:
        out["dataType"] = [prop["data_type"]]
    for key, rest_key in _PROPERTY_REST_KEYS:
        if key in prop:
            out[rest_key] = prop[key]
    if "text_analyzer" in prop:
        out["textAnalyzer"] = camel_keys(prop["text_analyzer"])
    if "nested_properties" in prop:
        out["nestedProperties"] = [_property(p, [], nested=True) for p in prop["nested_properties"]]
    module_config: dict[str, dict[str, Any]] = {}
    for key, rest_key in PROPERTY_MODULE_FLAGS:
        value = prop.get(key)
        if isinstance(value, bool):
            for module in modules:
                module_config.setdefault(module, {})[rest_key] = value
        elif isinstance(value, dict):
            for module, flag in value.items():
                module_config.setdefault(_spelling(module, modules), {})[rest_key] = flag
    for module, settings in (prop.get("module_config") or {}).items():
        module_config.setdefault(module, {}).update(copy.deepcopy(settings))
    if module_config:
        out["moduleConfig"] = module_config
    return out


def _spelling(module: str, modules: list[str]) -> str:
    """The spelling the collection's vectors use for this module (an alias and its canonical name match)."""
    return next((used for used in modules if catalog.same_module(used, module)), module)


# The index type a named vector gets when the file names none. 1.39 fills it in itself, but 1.32.5 and 1.35.2
# refuse a named vector without one (422 `unrecognized or unsupported vectorIndexType ""`: v1.35.2
# usecases/schema/class.go validateVectorIndexType; seen on 1.32.5 and 1.35.2), so it is always sent.
DEFAULT_INDEX_TYPE = "hnsw"


def _index_fields(vector: dict[str, Any], *, named: bool) -> dict[str, Any]:
    """vectorIndexType and vectorIndexConfig (same keys, legacy or named); the config only when declared, the
    type always for a named vector."""
    index = vector.get("index") or {}
    out: dict[str, Any] = {}
    if "type" in index:
        out["vectorIndexType"] = index["type"]
    elif named:
        out["vectorIndexType"] = DEFAULT_INDEX_TYPE
    config = vector_index_config(index)
    if config:
        out["vectorIndexConfig"] = config
    return out


def to_rest(coll: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"class": collection_name(str(coll["name"]))}
    if "description" in coll:
        body["description"] = coll["description"]
    modules = property_setting_modules(config_vectorizers(coll))
    if "properties" in coll:
        body["properties"] = [_property(p, modules) for p in coll["properties"]]
    module_config: dict[str, Any] = {}
    legacy = coll.get("vector")
    if legacy is not None:
        module, settings = vectorizer_settings(legacy)
        body["vectorizer"] = module
        if module != "none" and settings:
            module_config[module] = settings
        body.update(_index_fields(legacy, named=False))
    if coll.get("vectors"):
        body["vectorConfig"] = {}
        for vname, vector in coll["vectors"].items():
            module, settings = vectorizer_settings(vector)
            body["vectorConfig"][vname] = {"vectorizer": {module: settings}, **_index_fields(vector, named=True)}
    for kind in ("generative", "reranker"):
        if coll.get(kind):
            name, settings = module_ref(coll[kind])
            module_config[name] = settings
    for name, settings in (coll.get("module_config") or {}).items():
        module_config.setdefault(name, {}).update(copy.deepcopy(settings))
    if module_config:
        body["moduleConfig"] = module_config
    for key, rest_key in SECTIONS:
        if key in coll:
            body[rest_key] = camel_keys(coll[key])
    bm25 = (body.get("invertedIndexConfig") or {}).get("bm25")
    if isinstance(bm25, dict) and bm25:
        # The server stores a missing b or k1 as 0, not as its default: always send both.
        bm25.setdefault("b", BM25_DEFAULTS["b"])
        bm25.setdefault("k1", BM25_DEFAULTS["k1"])
    return body
