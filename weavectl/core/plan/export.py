"""Live REST classes -> a minimal config document (the reverse of `rest.to_rest`). Pure.

Minimal: values equal to what the server writes by default are left out, so the file shows what the user
chose. Defaults are those this server version writes (core.defaults, read from
usecases/schema/class.go setClassDefaults and each module's config.go); a value
the table does not know is kept, and module keys weavectl has no name for pass through `module_config`, so
nothing is lost and the file plans to no changes against the cluster it came from.
"""

from __future__ import annotations

import re
from typing import Any

from weavectl.core.plaindata import plain_copy
from weavectl.core.plan.generations import generation_groups
from weavectl.core.plan.ownership import STATE_COLLECTION
from weavectl.core.weaviate import catalog, defaults
from weavectl.core.weaviate.rest import SNAKE_EXCEPTIONS
from weavectl.core.weaviate.usage import rest_vectorizers, used_modules
from weavectl.core.weaviate.version import Version

# The defaults live in one place (core/weaviate/defaults.py); these names stay for existing callers.
MODULE_DEFAULTS = defaults.MODULE_DEFAULTS
SKIP_BY_DEFAULT = defaults.SKIP_BY_DEFAULT
HNSW_DEFAULTS: dict[str, Any] = {**defaults.index_defaults("hnsw", (1, 39, 3)),
                                 "skipDefaultQuantization": False, "trackDefaultQuantization": False}
HNSW_DEFAULTS.pop("multivector")
FLAT_DEFAULTS: dict[str, Any] = {**defaults.index_defaults("flat", (1, 39, 3)),
                                 "skipDefaultQuantization": False, "trackDefaultQuantization": False}
# rq centering and trainingLimit arrived in 1.39 (v1.39.3 entities/vectorindex/hnsw/rq_config.go
# DefaultRQCentering false, DefaultRQTrainingLimit 10000); older servers never write them, so leaving them out at
# these values is right on every version. (They belong in core/weaviate/defaults.py's table.)
QUANTIZER_DEFAULTS = {**defaults.HNSW_QUANTIZER_DEFAULTS,
                      "rq": {**defaults.HNSW_QUANTIZER_DEFAULTS["rq"], "centering": False, "trainingLimit": 10000}}
FLAT_QUANTIZER_DEFAULTS: dict[str, Any] = {"rescoreLimit": -1, "cache": False, "bits": 8}


def snake(key: str) -> str:
    if key in SNAKE_EXCEPTIONS:
        return SNAKE_EXCEPTIONS[key]
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def _vectorizer(module: str, settings: dict[str, Any], version: Version = (1, 39, 3)) -> dict[str, Any]:
    out: dict[str, Any] = {"vectorizer": module}
    spec = catalog.lookup(module)
    by_rest = {p.rest_key: p.name for p in spec.params} if spec else {}
    written = defaults.module_defaults(spec.name if spec else module, version)
    raw: dict[str, Any] = {}
    for key, value in settings.items():
        if key in written and written[key] == value:
            continue
        if key == "properties":
            out["source_properties"] = list(value)
        elif key == "vectorizeClassName":
            out["vectorize_collection_name"] = value
        elif key in by_rest:
            out[by_rest[key]] = plain_copy(value)
        elif key == "baseUrl" and "baseURL" in settings:
            continue  # cohere/nvidia store their default under baseUrl next to the user's baseURL
        else:
            raw[key] = plain_copy(value)
    if raw:
        out["module_config"] = raw
    return out


def _index(itype: str, config: dict[str, Any], version: Version = (1, 39, 3)) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if itype != "hnsw":
        out["type"] = itype
    if itype == "dynamic":
        return {**out, **_dynamic(config, version)}
    if itype == "hfresh":
        return {**out, **_hfresh(config, version)}
    base = {**(HNSW_DEFAULTS if itype == "hnsw" else FLAT_DEFAULTS)}
    if itype == "hnsw":
        base["filterStrategy"] = defaults.filter_strategy_default(version)
    for key, value in config.items():
        if key in ("pq", "bq", "sq", "rq"):
            if isinstance(value, dict) and value.get("enabled"):
                out["quantizer"] = _quantizer(key, value, itype)
        elif key == "multivector":
            if isinstance(value, dict) and value.get("enabled"):
                out["multivector"] = {snake(k): v for k, v in value.items()}
        elif key in ("skipDefaultQuantization", "trackDefaultQuantization"):
            continue  # server-managed
        elif key not in base or base[key] != value:
            out[snake(key)] = plain_copy(value)
    return out


def _dynamic(config: dict[str, Any], version: Version) -> dict[str, Any]:
    """A dynamic index: its own distance and threshold, then its hnsw and flat parts, each without defaults."""
    out: dict[str, Any] = {}
    if config.get("distance", "cosine") != "cosine":
        out["distance"] = config["distance"]
    if config.get("threshold", 10000) != 10000:
        out["threshold"] = config["threshold"]
    for part in ("hnsw", "flat"):
        nested = _index(part, config.get(part) or {}, version)
        nested.pop("type", None)
        if nested:
            out[part] = nested
    return out


def _quantizer(name: str, settings: dict[str, Any], itype: str) -> dict[str, Any]:
    """An enabled quantizer of an hnsw or flat index, without the settings at their defaults."""
    qdefaults = QUANTIZER_DEFAULTS[name] if itype == "hnsw" else FLAT_QUANTIZER_DEFAULTS
    quantizer: dict[str, Any] = {"type": name}
    for qkey, qvalue in settings.items():
        if qkey != "enabled" and qdefaults.get(qkey, object()) != qvalue:
            quantizer[snake(qkey)] = {snake(k): v for k, v in qvalue.items()} if isinstance(qvalue, dict) else qvalue
    return quantizer


def _hfresh(config: dict[str, Any], version: Version) -> dict[str, Any]:
    """An hfresh index's settings other than this version's defaults; its rq (always on) only when it differs."""
    base = defaults.hfresh_defaults(version, config)
    out: dict[str, Any] = {}
    for key, value in config.items():
        if key == "rq" and isinstance(value, dict):
            changed = {snake(k): v for k, v in value.items() if k != "enabled" and base["rq"].get(k, object()) != v}
            if changed:
                out["quantizer"] = {"type": "rq", **changed}
        elif base.get(key, object()) != value:
            out[snake(key)] = plain_copy(value)
    return out


def _property(prop: dict[str, Any], modules: list[str], nested: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"name": prop["name"]}
    dtypes = list(prop.get("dataType") or [])
    is_ref = bool(dtypes) and all(t[:1].isupper() for t in dtypes) and not nested
    if is_ref:
        out["target_collection"] = dtypes[0] if len(dtypes) == 1 else dtypes
    else:
        out["data_type"] = dtypes[0] if dtypes else "text"
    dtype = out.get("data_type", "")
    if prop.get("description"):
        out["description"] = prop["description"]
    if dtype in ("text", "text[]") and prop.get("tokenization", "word") != "word":
        out["tokenization"] = prop["tokenization"]
    default_searchable = dtype in ("text", "text[]")
    default_filterable = dtype != "blob"
    if prop.get("indexFilterable", default_filterable) != default_filterable:
        out["index_filterable"] = prop["indexFilterable"]
    if prop.get("indexSearchable", default_searchable) != default_searchable:
        out["index_searchable"] = prop["indexSearchable"]
    if prop.get("indexRangeFilters"):
        out["index_range_filters"] = True
    if prop.get("textAnalyzer"):
        out["text_analyzer"] = {snake(k): v for k, v in prop["textAnalyzer"].items()}
    if prop.get("nestedProperties"):
        out["nested_properties"] = [_property(p, [], nested=True) for p in prop["nestedProperties"]]
    if not nested:
        out.update(_property_vectorization(prop, modules))
    return out


def _property_vectorization(prop: dict[str, Any], modules: list[str]) -> dict[str, Any]:
    """skip_vectorization and vectorize_property_name: one value when every vector module agrees, else per module."""
    out: dict[str, Any] = {}
    skip, vpn = {}, {}
    for module, settings in (prop.get("moduleConfig") or {}).items():
        if not isinstance(settings, dict):
            continue
        if settings.get("skip", module in SKIP_BY_DEFAULT) != (module in SKIP_BY_DEFAULT):
            skip[module] = settings["skip"]
        if settings.get("vectorizePropertyName", False):
            vpn[module] = True
    for key, found in (("skip_vectorization", skip), ("vectorize_property_name", vpn)):
        if found:
            values = set(found.values())
            out[key] = values.pop() if set(found) == set(modules) and len(values) == 1 else found
    return out


def _defaults_free(section: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in section.items():
        if key in defaults:
            default = defaults[key]
            if isinstance(value, dict) and isinstance(default, dict):
                nested = _defaults_free(value, default)
                if nested:
                    out[snake(key)] = nested
                continue
            if default == value:
                continue
        if value is None or value == []:
            continue
        out[snake(key)] = plain_copy(value)
    return out


def export_collection(live: dict[str, Any], aliases: list[str], version: Version) -> dict[str, Any]:
    out: dict[str, Any] = {"name": str(live["class"])}
    if live.get("description"):
        out["description"] = live["description"]
    vector_modules = rest_vectorizers(live)
    props = [_property(p, vector_modules) for p in live.get("properties") or []]
    if props:
        out["properties"] = props
    module_config = dict(live.get("moduleConfig") or {})
    out.update(_vectors(live, module_config, version))  # takes the legacy vectorizer's settings out
    out.update(_class_modules(module_config))
    inverted = _inverted(live.get("invertedIndexConfig") or {})
    if inverted:
        out["inverted_index"] = inverted
    replication = _replication(live.get("replicationConfig") or {}, version)
    if replication:
        out["replication"] = replication
    out.update(_tenancy_or_sharding(live))
    ttl = live.get("objectTtlConfig") or {}
    if ttl.get("enabled"):
        out["object_ttl"] = {snake(k): v for k, v in ttl.items() if v not in (None, "")}
    if aliases:
        out["aliases"] = sorted(aliases)
    return out


def _vectors(live: dict[str, Any], module_config: dict[str, Any], version: Version) -> dict[str, Any]:
    """`vector` (the legacy one) and `vectors` (named); pops the legacy vectorizer's entry from `module_config`."""
    out: dict[str, Any] = {}
    vectors = live.get("vectorConfig") or {}
    legacy = live.get("vectorizer")
    if legacy is not None and (legacy != "none" or not vectors):
        entry: dict[str, Any] = (_vectorizer(legacy, module_config.pop(legacy, {}) or {}, version) if legacy != "none"
                                 else {"vectorizer": "none"})
        index = _index(live.get("vectorIndexType") or "hnsw", live.get("vectorIndexConfig") or {}, version)
        if index:
            entry["index"] = index
        out["vector"] = entry
    if vectors:
        out["vectors"] = {}
        for name, vector in vectors.items():
            (module, settings), = (vector.get("vectorizer") or {"none": {}}).items()
            entry = _vectorizer(module, settings or {}, version) if module != "none" else {"vectorizer": "none"}
            index = _index(vector.get("vectorIndexType") or "hnsw", vector.get("vectorIndexConfig") or {}, version)
            if index:
                entry["index"] = index
            out["vectors"][name] = entry
    return out


def _class_modules(module_config: dict[str, Any]) -> dict[str, Any]:
    """Class-level modules: `generative` and `reranker` by their parameter names, any other kind as module_config."""
    out: dict[str, Any] = {}
    raw_modules: dict[str, Any] = {}
    for module, settings in module_config.items():
        spec = catalog.lookup(module)
        if spec is not None and spec.kind in ("generative", "reranker"):
            ref: dict[str, Any] = {"module": module}
            by_rest = {p.rest_key: p.name for p in spec.params}
            raw: dict[str, Any] = {}
            for key, value in (settings or {}).items():
                if key in by_rest:
                    ref[by_rest[key]] = value
                else:
                    raw[key] = value
            if raw:
                ref["module_config"] = raw
            out[spec.kind] = ref
        else:
            raw_modules[module] = settings
    if raw_modules:
        out["module_config"] = raw_modules
    return out


def _inverted(live: dict[str, Any]) -> dict[str, Any]:
    inverted = _defaults_free(live, {
        "bm25": {"b": 0.75, "k1": 1.2}, "cleanupIntervalSeconds": 60,
        "stopwords": {"preset": "en", "additions": None, "removals": None}, "usingBlockMaxWAND": True,
        "indexTimestamps": False, "indexNullState": False, "indexPropertyLength": False,
    })
    bm25 = live.get("bm25")
    if "bm25" in inverted and isinstance(bm25, dict):
        inverted["bm25"] = dict(bm25)  # both values: the server stores a missing one as 0
    inverted.pop("using_block_max_w_a_n_d", None)
    inverted.pop("using_block_max_wand", None)
    return inverted


def _replication(live: dict[str, Any], version: Version) -> dict[str, Any]:
    strategy = defaults.deletion_strategy_default(version)
    replication = _defaults_free(live, {"factor": 1, "deletionStrategy": strategy, "asyncEnabled": False})
    replication.pop("async_enabled", None)  # derived from the factor (output-only since 1.38)
    if isinstance(replication.get("async_config"), dict):
        replication["async_config"] = {snake(k): v for k, v in replication["async_config"].items() if v is not None}
        if not replication["async_config"]:
            del replication["async_config"]
    return replication


def _tenancy_or_sharding(live: dict[str, Any]) -> dict[str, Any]:
    """`multi_tenancy` when it is on; otherwise `sharding`, when it is not the default."""
    mt = live.get("multiTenancyConfig") or {}
    if mt.get("enabled"):
        return {"multi_tenancy": {snake(k): v for k, v in mt.items() if v}}
    sharding = live.get("shardingConfig") or {}
    chosen = {k: sharding[k] for k in ("desiredCount", "virtualPerPhysical") if k in sharding}
    chosen = {snake(k): v for k, v in chosen.items() if v != {"desiredCount": 1, "virtualPerPhysical": 128}[k]}
    return {"sharding": chosen} if chosen else {}


def export_document(classes: list[dict[str, Any]], aliases: list[dict[str, str]], version: Version,
                    only: list[str] | None = None) -> dict[str, Any]:
    wanted = {n.lower() for n in only or []}
    by_class: dict[str, list[str]] = {}
    for alias in aliases:
        by_class.setdefault(str(alias.get("class")), []).append(str(alias.get("alias")))
    # Generations (Article, Article_v2, ...): the one an alias points at is exported as `Article`, with
    # on_replace: migrate; the others are kept generations, not collections of the file.
    groups = generation_groups([str(c.get("class")) for c in classes], aliases)
    current = {next(g for g in reversed(gens) if g in by_class): base for base, gens in groups.items()
               if any(g in by_class for g in gens)}
    skipped = {g for gens in groups.values() for g in gens} - set(current)
    collections = []
    for c in sorted(classes, key=lambda c: str(c.get("class"))):
        cname = str(c.get("class"))
        if cname in skipped or cname == STATE_COLLECTION:
            continue
        base = current.get(cname, cname)
        if wanted and cname.lower() not in wanted and base.lower() not in wanted:
            continue
        entry = export_collection(c, by_class.get(cname, []), version)
        if base != cname:
            entry["name"] = base
            for prop in entry.get("properties") or []:
                if prop.get("target_collection") == cname:
                    prop["target_collection"] = base
        if cname in current:
            entry = {"name": base, "on_replace": "migrate", **{k: v for k, v in entry.items() if k != "name"}}
        collections.append(entry)
    api_keys: dict[str, Any] = {}
    for coll in collections:
        for module in used_modules(coll):
            spec = catalog.lookup(module)
            for cred in spec.credentials if spec else ():
                if cred in catalog.CREDENTIALS and cred != "weaviate":
                    env = catalog.CREDENTIALS[cred].server_env or f"{cred.upper()}_APIKEY"
                    api_keys.setdefault(cred, {"env": env})
    doc: dict[str, Any] = {"version": 1}
    if api_keys:
        doc["api_keys"] = dict(sorted(api_keys.items()))
    # Referenced but not exported (--collection): owned elsewhere, so the file still validates on its own.
    exported = {str(c["name"]).lower() for c in collections}
    external = sorted({str(t) for c in collections for p in c.get("properties") or []
                       for t in ([p["target_collection"]] if isinstance(p.get("target_collection"), str)
                                 else p.get("target_collection") or []) if str(t).lower() not in exported})
    if external:
        doc["external"] = external
    doc["collections"] = collections
    return doc
