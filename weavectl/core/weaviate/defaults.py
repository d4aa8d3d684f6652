"""What each supported Weaviate version writes for a setting the file leaves out: the one home of defaults.

Pure data and small functions over Weaviate's REST shape. The planner fills these under the declared body
(`with_defaults`), so an undeclared setting means "this server version's default" and is compared like any
other; export leaves out values equal to them. Each fact cites the server source it was read from (paths in
weaviate/weaviate at the tag of that version) and is checked against real servers of every supported version
(tests/e2e/test_truth_live.py).

Defaults that depend on the server's *configuration*, not its version, are handled one by one (see
SERVER_CONFIGURED) and listed in the README with what plan does about each.
"""

from __future__ import annotations

import functools
from typing import Any

from weavectl.core.plaindata import plain_copy, plain_copy_map
from weavectl.core.weaviate import catalog
from weavectl.core.weaviate.usage import property_setting_modules, rest_vectorizers
from weavectl.core.weaviate.version import Version, at_least

# -- inverted index (usecases/config/config_handler.go DefaultBM25b/k1, DefaultCleanupIntervalSeconds;
#    usecases/schema/class.go setInvertedConfigDefaults: preset "en") -------------------------------------------------
BM25_DEFAULTS: dict[str, float] = {"b": 0.75, "k1": 1.2}


def inverted_defaults(version: Version) -> dict[str, Any]:
    return {
        "bm25": dict(BM25_DEFAULTS), "cleanupIntervalSeconds": 60,
        "stopwords": {"preset": "en", "additions": [], "removals": []},
        # omitempty booleans, false unless set (entities/models/inverted_index_config.go)
        "indexTimestamps": False, "indexNullState": False, "indexPropertyLength": False,
    }


# -- replication (usecases/schema/class.go setNewClassDefaults) ------------------------------------------------------
def deletion_strategy_default(version: Version) -> str:
    # v1.32.5 / v1.35.2 class.go: NoAutomatedResolution (1.27.5-1.35); HEAD (1.36+): TimeBasedResolution.
    return "TimeBasedResolution" if at_least(version, "1.36.0") else "NoAutomatedResolution"


# usecases/schema/class.go setClassDefaults: factor 1 unless REPLICATION_MINIMUM_FACTOR raises it (a server setting).
DEFAULT_REPLICATION_FACTOR = 1


def replication_defaults(version: Version) -> dict[str, Any]:
    out: dict[str, Any] = {"factor": DEFAULT_REPLICATION_FACTOR, "deletionStrategy": deletion_strategy_default(version)}
    if not at_least(version, "1.38.0"):
        out["asyncEnabled"] = False  # a stored bool up to 1.37 (entities/models/replication_config.go)
    return out


# replicationConfig.asyncConfig (1.36+; v1.39.3 entities/models/replication_async_config.go): twelve optional
# integers, each omitted when unset. The server fills none of them in (a nil field falls back to the node's
# global async-replication setting, entities/replication/async_config_validation.go), a PUT without the block
# clears it (UpdateClassInternal stores the body as sent), and GET leaves it out when unset. So an undeclared
# asyncConfig means "absent" and is compared as such; 1.32.5 and 1.35.2 drop the block silently (seen live).
ASYNC_CONFIG_SINCE = "1.36.0"
# entities/replication/async_config_validation.go fieldChecks: the server's bounds for each key (None = open).
ASYNC_CONFIG_BOUNDS: dict[str, tuple[int | None, int | None]] = {
    "hashtreeHeight": (0, 20), "frequency": (0, None), "frequencyWhilePropagating": (0, None),
    "loggingFrequency": (1, None), "diffBatchSize": (1, 10000), "diffPerNodeTimeout": (1, None),
    "prePropagationTimeout": (1, None), "propagationTimeout": (1, None), "propagationLimit": (1, 100000),
    "propagationConcurrency": (1, 20), "propagationBatchSize": (1, 1000), "propagationDelay": (0, None),
}


# -- multi-tenancy, sharding (usecases/schema/class.go setNewClassDefaults; usecases/sharding/config/config.go) ------
MULTI_TENANCY_DEFAULTS: dict[str, bool] = {"enabled": False, "autoTenantCreation": False,
                                            "autoTenantActivation": False}
# desiredCount is the node count at creation (server-configured, see SERVER_CONFIGURED): not a fixed default.
SHARDING_DEFAULTS: dict[str, Any] = {"virtualPerPhysical": 128, "key": "_id", "strategy": "hash",
                                     "function": "murmur3"}

# -- vector indexes --------------------------------------------------------------------------------------------------
# entities/vectorindex/hnsw/config.go (Default* constants), pq_config.go, bq_config.go, sq_config.go, rq_config.go,
# multivector_config.go.
_HNSW: dict[str, Any] = {
    "skip": False, "cleanupIntervalSeconds": 300, "maxConnections": 32, "efConstruction": 128, "ef": -1,
    "dynamicEfMin": 100, "dynamicEfMax": 500, "dynamicEfFactor": 8, "vectorCacheMaxObjects": 1000000000000,
    "flatSearchCutoff": 40000, "distance": "cosine",
}
HNSW_QUANTIZER_DEFAULTS: dict[str, dict[str, Any]] = {
    "pq": {"bitCompression": False, "segments": 0, "centroids": 256, "trainingLimit": 100000,
           "encoder": {"type": "kmeans", "distribution": "log-normal"}},
    "bq": {},
    "sq": {"trainingLimit": 100000, "rescoreLimit": 20},
    "rq": {"bits": 8, "rescoreLimit": 20},  # rescoreLimit 512 when bits=1 (rq_config.go DefaultBRQRescoreLimit)
}
# entities/vectorindex/flat/config.go: DefaultCompressionRescore -1, DefaultVectorCache false, DefaultRQBits 8.
FLAT_QUANTIZER_DEFAULTS: dict[str, dict[str, Any]] = {
    "pq": {"rescoreLimit": -1, "cache": False}, "bq": {"rescoreLimit": -1, "cache": False},
    "sq": {"rescoreLimit": -1, "cache": False}, "rq": {"rescoreLimit": -1, "cache": False, "bits": 8},
}
# entities/vectorindex/hnsw/multivector_config.go (the same at v1.32.5, v1.35.2, v1.39.3; GET shows them all).
MULTIVECTOR_DEFAULTS: dict[str, Any] = {"enabled": False, "aggregation": "maxSim",
                                        "muvera": {"enabled": False, "ksim": 4, "dprojections": 16,
                                                   "repetitions": 10}}
QUANTIZERS = ("pq", "bq", "sq", "rq")
DYNAMIC_THRESHOLD = 10000  # entities/vectorindex/dynamic/config.go DefaultThreshold


def filter_strategy_default(version: Version) -> str:
    # hnsw/config.go DefaultFilterStrategy: FilterStrategySweeping at v1.32.5, FilterStrategyAcorn from 1.34
    # (v1.35.2, HEAD). The server env HNSW_DEFAULT_FILTER_STRATEGY overrides it (SERVER_CONFIGURED).
    return "acorn" if at_least(version, "1.34.0") else "sweeping"


def rq_defaults(bits: Any, live: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"bits": 8, "rescoreLimit": 512 if bits == 1 else 20}
    # v1.39.3 entities/vectorindex/hnsw/rq_config.go DefaultRQCentering false, DefaultRQTrainingLimit 10000: keys
    # of the 1.39 line that v1.39.0 and earlier tags do not have. Compared where the server writes them (a
    # server without the key has no such setting), so the patch release that added them needs no guess.
    for key, value in (("centering", False), ("trainingLimit", 10000)):
        if isinstance(live, dict) and key in live:
            out[key] = value
    return out


# -- hfresh (1.35+). Creating one needs EXPERIMENTAL_HFRESH_ENABLED=true on 1.35 (v1.35.2
#    usecases/config/environment.go); from 1.36 it is always on (v1.39.3 environment.go HFreshEnabled = true).
# v1.35.2 entities/vectorindex/hfresh/config.go SetDefaults (no quantizer yet).
_HFRESH_135: dict[str, Any] = {"distance": "cosine", "maxPostingSize": 50, "minPostingSize": 10, "replicas": 4,
                               "rngFactor": 10, "searchProbe": 64}
# v1.36.0 .. v1.39.3 entities/vectorindex/hfresh/config.go SetDefaults: posting size in KB, RQ always on with one
# bit (DefaultHFreshRescoreLimit 350); the v1.39.3 RQ block adds centering and trainingLimit (left at 0 by hfresh).
_HFRESH_136: dict[str, Any] = {"distance": "cosine", "maxPostingSizeKB": 48, "replicas": 4,
                               "rq": {"enabled": True, "bits": 1, "rescoreLimit": 350}}
# DefaultSearchProbe went from 64 to 256 in v1.36.20, v1.37.10, v1.38.2 and 1.39 (tags of each line).
_HFRESH_PROBE_256 = {(1, 36): (1, 36, 20), (1, 37): (1, 37, 10), (1, 38): (1, 38, 2)}
# What a PUT may change (adapters/repos/db/vector/hfresh/config.go ValidateUserConfigUpdate): all but distance
# on 1.35; all but distance and replicas from 1.36; rq keeps one bit and cannot be turned off (entities/
# vectorindex/hfresh/config.go parseAndValidateRQ), only its rescoreLimit changes. Each seen live on 1.35.2, 1.39.3.
HFRESH_IMMUTABLE_135 = frozenset({"distance"})
HFRESH_IMMUTABLE = frozenset({"distance", "replicas"})


def hfresh_defaults(version: Version, live: dict[str, Any] | None = None) -> dict[str, Any]:
    if not at_least(version, "1.36.0"):
        return dict(_HFRESH_135)
    out = plain_copy_map(_HFRESH_136)
    first_256 = _HFRESH_PROBE_256.get((version[0], version[1]), (1, 39, 0))
    out["searchProbe"] = 256 if version >= first_256 else 64
    live_rq = (live or {}).get("rq")
    for key, value in (("centering", False), ("trainingLimit", 0)):
        if isinstance(live_rq, dict) and key in live_rq:
            out["rq"][key] = value
    return out


def hfresh_immutable(version: Version) -> frozenset[str]:
    return HFRESH_IMMUTABLE if at_least(version, "1.36.0") else HFRESH_IMMUTABLE_135


def index_defaults(itype: str, version: Version, live: dict[str, Any] | None = None) -> dict[str, Any]:
    """Comparable settings of an index of this type, quantizers off; {} for a type weavectl has no table for."""
    if itype == "hnsw":
        return {**dict(_HNSW), "filterStrategy": filter_strategy_default(version),
                "multivector": dict(MULTIVECTOR_DEFAULTS)}
    if itype == "flat":
        return {"distance": "cosine", "vectorCacheMaxObjects": 1000000000000}
    if itype == "dynamic":
        return {"distance": "cosine", "threshold": DYNAMIC_THRESHOLD,
                "hnsw": index_defaults("hnsw", version), "flat": index_defaults("flat", version)}
    if itype == "hfresh":
        return hfresh_defaults(version, live)
    return {}


def quantizer_defaults(itype: str, name: str, declared: dict[str, Any],
                       live: dict[str, Any] | None = None) -> dict[str, Any]:
    if itype == "flat":
        return dict(FLAT_QUANTIZER_DEFAULTS.get(name, {}))
    if name == "rq":
        return rq_defaults(declared.get("bits", 8), live)
    return plain_copy_map(HNSW_QUANTIZER_DEFAULTS.get(name, {}))


# -- modules ---------------------------------------------------------------------------------------------------------
# Class-level settings each vectorizer writes at create (ClassConfigDefaults in modules/<m>/config.go, values from
# modules/<m>/ent/class_settings.go); the same on 1.32.5, 1.35.2 and 1.39.3 unless a version function says
# otherwise. Generative and reranker modules write none (modules/generative-*/config.go).
MODULE_DEFAULTS: dict[str, dict[str, Any]] = {
    "text2vec-openai": {"vectorizeClassName": True, "baseURL": "https://api.openai.com",
                        "model": "text-embedding-3-small"},
    "text2vec-nvidia": {"vectorizeClassName": False, "model": "nvidia/nv-embed-v1", "truncate": "NONE",
                        "baseUrl": "https://integrate.api.nvidia.com"},
    "text2vec-weaviate": {"model": "Snowflake/snowflake-arctic-embed-l-v2.0", "baseURL": "",
                          "vectorizeClassName": True},
    "text2vec-cohere": {"vectorizeClassName": True, "model": "embed-multilingual-v3.0", "truncate": "END",
                        "baseUrl": "https://api.cohere.ai"},
    "text2vec-aws": {"vectorizeClassName": False, "service": "bedrock"},
    "text2vec-google": {"vectorizeClassName": False},
    "text2vec-huggingface": {"vectorizeClassName": True, "model": "sentence-transformers/msmarco-bert-base-dot-v5",
                             "waitForModel": False, "useGPU": False, "useCache": True},
    "text2vec-jinaai": {"vectorizeClassName": False, "model": "jina-embeddings-v4", "baseURL": "https://api.jina.ai"},
    "text2vec-mistral": {"vectorizeClassName": True, "baseURL": "https://api.mistral.ai/v1/embeddings",
                         "model": "mistral-embed"},
    "text2vec-voyageai": {"vectorizeClassName": True, "baseURL": "https://api.voyageai.com/v1", "model": "voyage-3",
                          "truncate": True},
    "text2vec-databricks": {"vectorizeClassName": True},
    "text2vec-octoai": {"vectorizeClassName": True, "model": "thenlper/gte-large"},
    "text2vec-ollama": {"vectorizeClassName": False},
    "text2vec-transformers": {"vectorizeClassName": True, "poolingStrategy": "masked_mean"},
    # Read at v1.32.5, v1.35.2 and v1.39.3 (the Go module sources of each release), each confirmed by GET after a
    # create with no settings on each version that offers the module (modules/<m>/config.go, <m>/ent or
    # vectorizer/class_settings.go):
    "text2vec-gpt4all": {},  # ClassConfigDefaults returns an empty map
    "text2vec-model2vec": {"vectorizeClassName": False},  # vectorizer/class_settings.go DefaultVectorizeClassName
    "text2vec-contextionary": {"vectorizeClassName": True},  # modulecomponents/settings DefaultVectorizeClassName
    "text2vec-morph": {"vectorizeClassName": False, "baseURL": "https://api.morphllm.com",  # 1.33+
                       "model": "morph-embedding-v3"},
    "text2vec-digitalocean": {"vectorizeClassName": True, "baseURL": "https://inference.do-ai.run"},  # 1.38+
    "text2multivec-jinaai": {"vectorizeClassName": True, "baseURL": "https://api.jina.ai", "model": "jina-colbert-v2",
                             "dimensions": 128},
    # multi2vec modules (modules/<m>/config.go ClassConfigDefaults, values in modules/<m>/ent; the same at
    # v1.32.5, v1.35.2 and HEAD for jinaai and voyageai). These write nothing:
    "multi2vec-clip": {}, "multi2vec-bind": {}, "multi2vec-cohere": {}, "multi2vec-google": {},
    "multi2vec-palm": {}, "multi2vec-nvidia": {}, "multi2vec-aws": {},
    "multi2vec-jinaai": {"baseURL": "https://api.jina.ai", "model": "jina-clip-v2", "vectorizeClassName": False},
    "multi2vec-voyageai": {"baseURL": "https://api.voyageai.com/v1", "model": "voyage-multimodal-3",
                           "truncate": True, "vectorizeClassName": False},
    # Newer modules, read at HEAD (1.39).
    "multi2vec-twelvelabs": {"baseURL": "https://api.twelvelabs.io/v1.3", "model": "marengo3.0",
                             "vectorizeClassName": False},
    "multi2multivec-jinaai": {"baseURL": "https://api.jina.ai", "model": "jina-embeddings-v4",
                              "vectorizeClassName": False},
    "multi2multivec-weaviate": {"baseURL": "", "model": "ModernVBERT/colmodernvbert", "vectorizeClassName": False},
}
# Versions whose defaults differ from the table above: (module, first version *without* the override) -> values.
_MODULE_DEFAULTS_BEFORE: dict[tuple[str, str], dict[str, Any]] = {
    # modules/text2vec-weaviate/ent/class_settings.go: DefaultBaseURL https://api.embedding.weaviate.io and
    # DefaultTruncate "right" up to 1.34 (v1.32.5, v1.34.0); DefaultBaseURL "" and no truncate from v1.35.0.
    ("text2vec-weaviate", "1.35.0"): {"baseURL": "https://api.embedding.weaviate.io", "truncate": "right"},
}
# text2vec-mistral writes skip: true into every property (1.31+, modules/text2vec-mistral/config.go
# PropertyConfigDefaults); every other text module skip: false, vectorizePropertyName: false.
SKIP_BY_DEFAULT = frozenset({"text2vec-mistral"})


def module_defaults(module: str, version: Version) -> dict[str, Any]:
    out = dict(MODULE_DEFAULTS.get(module, {}))
    for (name, until), values in _MODULE_DEFAULTS_BEFORE.items():
        if name == module and not at_least(version, until):
            out.update(values)
    return out


def vectorize_class_name_default(module: str) -> bool:
    """Whether `module` prepends the collection name when the class leaves `vectorizeClassName` out: what its
    config.go ClassConfigDefaults writes, else the shared read-time default, true
    (usecases/modulecomponents/settings/base_class_settings.go). Legacy spellings (text2vec-palm) resolve."""
    spec = catalog.lookup(module)
    name = spec.name if spec is not None else module
    return bool(MODULE_DEFAULTS.get(name, {}).get("vectorizeClassName", True))


def property_module_defaults(module: str) -> dict[str, bool]:
    return {"skip": module in SKIP_BY_DEFAULT, "vectorizePropertyName": False}


# -- properties (usecases/schema/class.go setPropertyDefaultTokenization, setPropertyDefaultIndexing,
#    setNestedPropertyDefaultIndexing) -------------------------------------------------------------------------------
TEXT_TYPES = frozenset({"text", "text[]", "string", "string[]"})


def property_defaults(data_type: list[str], *, nested: bool) -> dict[str, Any]:
    """Index flags and tokenization the server writes for a property of this type (DEFAULT_TOKENIZATION aside)."""
    first = data_type[0] if data_type else ""
    text = first in TEXT_TYPES
    out: dict[str, Any] = {"description": "", "indexFilterable": not (nested and first == "blob"),
                           "indexSearchable": text, "indexRangeFilters": False}
    if text and first not in ("string", "string[]"):  # the server rewrites tokenization of string types
        out["tokenization"] = "word"
    return out


# -- what plan never compares, and why -------------------------------------------------------------------------------
SERVER_OWNED: dict[str, str] = {
    "shardingConfig.actualCount": "server-owned: the shards that exist",
    "shardingConfig.actualVirtualCount": "server-owned: derived from the shard count",
    "shardingConfig.desiredVirtualCount": "derived: desiredCount x virtualPerPhysical",
    "invertedIndexConfig.usingBlockMaxWAND": "server-managed: set to the server default on create and on every "
                                             "PUT (usecases/schema/class.go setInvertedConfigDefaults)",
    "replicationConfig.asyncEnabled": "output-only since 1.38, derived from factor > 1 "
                                      "(adapters/handlers/rest/restcompat)",
    "vectorIndexConfig.trackDefaultQuantization": "the server's mark that DEFAULT_QUANTIZATION chose the quantizer",
    "properties.bucketGeneration": "internal (1.38+): set by a runtime re-index",
    "properties.searchableBlockmax": "internal (1.39+): cleared on create, managed by the server",
    "multiTenancyConfig / shardingConfig of a multi-tenant collection": "all zeros: one shard per tenant",
}

# Defaults that come from the server's configuration (environment), not its version: what plan does with each.
SERVER_CONFIGURED: dict[str, str] = {
    "shardingConfig.desiredCount": "left to the server unless declared: it is the node count at creation (or "
                                   "DEFAULT_SHARDING_COUNT) and immutable, so a cluster that grew would show a "
                                   "replace for every collection",
    "DEFAULT_QUANTIZATION": "an undeclared quantizer is left to the server when the live index carries "
                            "trackDefaultQuantization: true (the server added it); otherwise 'no quantizer' is "
                            "compared",
    "replicationConfig.factor": "compared with 1 when undeclared; on a cluster with REPLICATION_MINIMUM_FACTOR, "
                                "declare the factor (per environment)",
    "DEFAULT_VECTORIZER_MODULE": "a collection that declares neither `vector` nor `vectors` leaves the legacy "
                                 "vectorizer (and its module settings) to the server; its index is compared",
    "DEFAULT_VECTOR_INDEX / DEFAULT_VECTOR_DISTANCE_METRIC": "compared with hnsw / cosine when undeclared; on a "
                                                             "server that changes them, declare the index",
    "HNSW_DEFAULT_FILTER_STRATEGY": "compared with the version's default when undeclared; declare "
                                    "filter_strategy on a server that changes it",
    "DEFAULT_TOKENIZATION": "compared with word when undeclared; declare tokenization on a server that "
                            "changes it",
    "ASYNC_REPLICATION_*": "the node's async-replication settings, which a collection's asyncConfig keys "
                           "override; plan compares the collection's block (undeclared = absent), never the node's",
    "EXPERIMENTAL_HFRESH_ENABLED": "1.35 creates an hfresh index only with it (1.36+ always); invisible to a "
                                   "client, so validate warns",
}


# -- the fill ------------------------------------------------------------------------------------------------------
def _under(defaults: dict[str, Any], declared: dict[str, Any] | None) -> dict[str, Any]:
    """Declared values over defaults, recursively for nested mappings."""
    out = plain_copy_map(defaults)
    for key, value in (declared or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _under(out[key], value)
        else:
            out[key] = plain_copy(value)
    return out


def _index_config(itype: str, declared: dict[str, Any], live: dict[str, Any], version: Version) -> dict[str, Any]:
    if itype == "dynamic":
        out = _under({"distance": "cosine", "threshold": DYNAMIC_THRESHOLD}, {
            k: v for k, v in declared.items() if k not in ("hnsw", "flat")})
        for part in ("hnsw", "flat"):
            out[part] = _index_config(part, declared.get(part) or {}, live.get(part) or {}, version)
        return out
    out = _under(index_defaults(itype, version, live), declared)
    if itype not in ("hnsw", "flat"):
        return out
    if itype == "hnsw" and not (declared.get("multivector") or {}).get("enabled"):
        out["multivector"] = {"enabled": False}  # off: its parameters mean nothing, and the plan stays short
    chosen = [q for q in QUANTIZERS if isinstance(declared.get(q), dict) and declared[q].get("enabled")]
    if not chosen and live.get("trackDefaultQuantization"):
        return out  # DEFAULT_QUANTIZATION picked the live quantizer: left to the server
    for q in QUANTIZERS:
        if q in chosen:
            out[q] = _under(quantizer_defaults(itype, q, declared[q], live.get(q)), declared[q])
        else:
            out[q] = {"enabled": False}
    return out


def with_defaults(desired: dict[str, Any], live: dict[str, Any], version: Version) -> dict[str, Any]:
    """The declared REST body with every undeclared setting the config language expresses set to the default
    this server version writes, so the differ compares everything. `live` is read only for the server-configured
    cases (multi-tenancy zeros, DEFAULT_QUANTIZATION marks, the legacy vector of an unvectorized class)."""
    d = _writable(desired)
    d.setdefault("description", "")
    inverted = inverted_defaults(version)
    ttl = (d.get("objectTtlConfig") or {}).get("deleteOn")
    if ttl in ("_creationTimeUnix", "_lastUpdateTimeUnix"):
        inverted["indexTimestamps"] = True  # adapters/repos/db/ttl/config.go turns it on at create
    d["invertedIndexConfig"] = _under(inverted, d.get("invertedIndexConfig"))
    d["replicationConfig"] = _under(replication_defaults(version), d.get("replicationConfig"))
    d["multiTenancyConfig"] = _under(MULTI_TENANCY_DEFAULTS, d.get("multiTenancyConfig"))
    live_mt = bool((live.get("multiTenancyConfig") or {}).get("enabled"))
    if not d["multiTenancyConfig"].get("enabled") and not live_mt:
        d["shardingConfig"] = _under(SHARDING_DEFAULTS, d.get("shardingConfig"))
    if at_least(version, "1.35.0") and "objectTtlConfig" not in d:
        d["objectTtlConfig"] = {"enabled": False}  # adapters/repos/db/ttl/config.go: nil means off
    modules = property_setting_modules(rest_vectorizers(d))
    for prop in d.get("properties") or []:
        _fill_property(prop, modules, nested=False)
    live_vectors = live.get("vectorConfig") or {}
    for name, vector in (d.get("vectorConfig") or {}).items():
        _fill_vector(vector, live_vectors.get(name) or {}, version)
    legacy_declared = "vectorizer" in d
    if legacy_declared or ("vectorConfig" not in d and "vectorIndexType" in live):
        itype = d.setdefault("vectorIndexType", "hnsw")
        d["vectorIndexConfig"] = _index_config(itype, d.get("vectorIndexConfig") or {},
                                               live.get("vectorIndexConfig") or {}, version)
    if legacy_declared and d["vectorizer"] != "none":
        module_config = d.setdefault("moduleConfig", {})
        module_config[d["vectorizer"]] = _under(_module_defaults_for(d["vectorizer"], version),
                                                module_config.get(d["vectorizer"]))
    return d


def _writable(desired: dict[str, Any]) -> dict[str, Any]:
    """A copy of `desired` in which the fill below may write: the mappings and lists it sets keys in or appends
    to are copied (top level, each property and its moduleConfig, nested properties, each named vector, the
    class moduleConfig); every other value is only read or replaced whole, so it is shared, never copied."""
    d = dict(desired)
    if isinstance(d.get("properties"), list):
        d["properties"] = [_writable_property(p) for p in d["properties"]]
    if isinstance(d.get("vectorConfig"), dict):
        d["vectorConfig"] = {name: dict(vector) for name, vector in d["vectorConfig"].items()}
    if isinstance(d.get("moduleConfig"), dict):
        d["moduleConfig"] = dict(d["moduleConfig"])
    return d


def _writable_property(prop: dict[str, Any]) -> dict[str, Any]:
    out = dict(prop)
    if isinstance(out.get("moduleConfig"), dict):
        out["moduleConfig"] = dict(out["moduleConfig"])
    if isinstance(out.get("nestedProperties"), list):
        out["nestedProperties"] = [_writable_property(child) for child in out["nestedProperties"]]
    return out


def _module_defaults_for(module: str, version: Version) -> dict[str, Any]:
    spec = catalog.lookup(module)
    return module_defaults(spec.name if spec else module, version)


def _fill_property(prop: dict[str, Any], modules: list[str], *, nested: bool) -> None:
    data_type = prop.get("dataType")
    types = tuple(data_type) if data_type else ()
    filled = _property_defaults_of(types, nested) if types else _NO_TYPE_DEFAULTS
    for key, value in filled.items():
        prop.setdefault(key, value)  # scalars only: the shared table is never changed through a property
    if types and _is_reference(types):  # a reference has no tokenization
        prop.pop("tokenization", None)
    for child in prop.get("nestedProperties") or []:
        _fill_property(child, [], nested=True)
    if not nested and modules:
        config = prop.setdefault("moduleConfig", {})
        for module in modules:
            key = next((k for k in config if catalog.same_module(k, module)), module) if config else module
            declared = config.get(key)
            base = _property_module_defaults_of(module)
            config[key] = _under(base, declared) if declared else dict(base)


_NO_TYPE_DEFAULTS: dict[str, Any] = {"description": ""}


@functools.lru_cache(maxsize=256)
def _property_defaults_of(data_type: tuple[str, ...], nested: bool) -> dict[str, Any]:
    """property_defaults, once per type: a file repeats a handful of types thousands of times."""
    return property_defaults(list(data_type), nested=nested)


@functools.lru_cache(maxsize=256)
def _is_reference(data_type: tuple[str, ...]) -> bool:
    return any(t[:1].isupper() for t in data_type)  # a collection's name: a cross-reference


@functools.lru_cache(maxsize=256)
def _property_module_defaults_of(module: str) -> dict[str, bool]:
    spec = catalog.lookup(module)
    return property_module_defaults(spec.name if spec else module)


def _fill_vector(vector: dict[str, Any], live: dict[str, Any], version: Version) -> None:
    (module, settings), = vector["vectorizer"].items()
    if module != "none":
        vector["vectorizer"] = {module: _under(_module_defaults_for(module, version), settings)}
    itype = vector.setdefault("vectorIndexType", "hnsw")
    vector["vectorIndexConfig"] = _index_config(itype, vector.get("vectorIndexConfig") or {},
                                                (live.get("vectorIndexConfig") or {}), version)


# -- fields weavectl knows ------------------------------------------------------------------------------------------
# Every live field is either compared (filled above), server-owned (SERVER_OWNED) or named here; anything else is
# a field of a newer server and is named in a warning, never silently ignored.
KNOWN_FIELDS: dict[str, frozenset[str]] = {
    "class": frozenset({"class", "description", "properties", "vectorizer", "moduleConfig", "vectorIndexType",
                        "vectorIndexConfig", "vectorConfig", "invertedIndexConfig", "replicationConfig",
                        "shardingConfig", "multiTenancyConfig", "objectTtlConfig"}),
    "invertedIndexConfig": frozenset({"bm25", "cleanupIntervalSeconds", "stopwords", "indexTimestamps",
                                      "indexNullState", "indexPropertyLength", "usingBlockMaxWAND",
                                      "tokenizerUserDict", "stopwordPresets"}),
    "replicationConfig": frozenset({"factor", "asyncEnabled", "deletionStrategy", "asyncConfig"}),
    "multiTenancyConfig": frozenset(MULTI_TENANCY_DEFAULTS),
    "shardingConfig": frozenset({"virtualPerPhysical", "desiredCount", "actualCount", "desiredVirtualCount",
                                 "actualVirtualCount", "key", "strategy", "function"}),
    "property": frozenset({"name", "dataType", "description", "tokenization", "indexFilterable", "indexSearchable",
                           "indexRangeFilters", "indexInverted", "moduleConfig", "nestedProperties", "textAnalyzer",
                           "bucketGeneration", "searchableBlockmax", "disableDuplicatedReferences"}),
    "hnsw": frozenset({*_HNSW, "filterStrategy", "multivector", *QUANTIZERS, "skipDefaultQuantization",
                       "trackDefaultQuantization"}),
    "flat": frozenset({"distance", "vectorCacheMaxObjects", *QUANTIZERS, "skipDefaultQuantization",
                       "trackDefaultQuantization"}),
    "dynamic": frozenset({"distance", "threshold", "hnsw", "flat"}),
    "hfresh": frozenset({*_HFRESH_135, *_HFRESH_136, "searchProbe"}),
    "vector": frozenset({"vectorizer", "vectorIndexType", "vectorIndexConfig"}),
}
# Known to weavectl but not expressible in the config language: named in a warning when set.
NOT_EXPRESSIBLE = ("invertedIndexConfig.tokenizerUserDict", "invertedIndexConfig.stopwordPresets")


def unknown_fields(live: dict[str, Any]) -> list[str]:
    """Warnings naming live fields weavectl does not know (a newer server), or cannot express."""
    found: list[str] = []

    def check(section: str, value: Any, path: str) -> None:
        if isinstance(value, dict) and not value.keys() <= KNOWN_FIELDS[section]:  # most are known: no walk
            found.extend(f"{path}.{k}" if path else k for k in value if k not in KNOWN_FIELDS[section])

    check("class", live, "")
    for section in ("invertedIndexConfig", "replicationConfig", "multiTenancyConfig", "shardingConfig"):
        check(section, live.get(section), section)
    for prop in live.get("properties") or []:
        check("property", prop, f"properties.{prop.get('name')}")
    indexes = [("vectorIndexConfig", live.get("vectorIndexType"), live.get("vectorIndexConfig"))]
    for name, vector in (live.get("vectorConfig") or {}).items():
        check("vector", vector, f"vectorConfig.{name}")
        indexes.append((f"vectorConfig.{name}.vectorIndexConfig", vector.get("vectorIndexType"),
                        vector.get("vectorIndexConfig")))
    for path, itype, config in indexes:
        if itype in ("hnsw", "flat", "dynamic", "hfresh"):
            check(str(itype), config, path)
        elif itype is not None:
            found.append(f"{path} (index type {itype})")
        if itype == "dynamic" and isinstance(config, dict):
            check("hnsw", config.get("hnsw"), f"{path}.hnsw")
            check("flat", config.get("flat"), f"{path}.flat")
    out = [f"live field {p} is not known to weavectl (a newer Weaviate?): not compared" for p in found]
    for path in NOT_EXPRESSIBLE:
        section, key = path.split(".")
        if (live.get(section) or {}).get(key):
            out.append(f"live setting {path} cannot be expressed in the config: not compared")
    return out
