"""Diff one collection (the declared REST body plus this server version's defaults) against its live definition.

Pure. Every setting the config language expresses is compared, declared or not: `defaults.with_defaults`
fills what the file leaves out with the server's own default, so defaults never show as changes while any
other value does. Each difference is classified by what the connected server can do with it (server:
usecases/schema/parser.go ParseClassUpdate; each rule confirmed by GET, edit, PUT on the live server).
Live properties, named vectors and class modules the file lacks are drift Weaviate cannot undo in
place: reported with the fix, never a replace unless the collection is named with --replace.
"""

from __future__ import annotations

import math
from typing import Any

from weavectl.core.config.paths import RestPath, config_path, ignored_by
from weavectl.core.plan.decide import decide
from weavectl.core.plan.model import Change, Differences, ErrorCode, FieldChange, FieldKind, PlanError, dotted
from weavectl.core.weaviate import catalog, defaults
from weavectl.core.weaviate.version import (
    MIGRATABLE_VECTORIZERS,
    MIN_VERSION,
    Version,
    at_least,
    vectorizer_settings_mutable,
)

U, IMM = FieldKind.UPDATE, FieldKind.IMMUTABLE

# Vector index fields a PUT may change; anything else declared and different forces a replace.
HNSW_MUTABLE = frozenset({"ef", "dynamicEfMin", "dynamicEfMax", "dynamicEfFactor", "flatSearchCutoff",
                          "vectorCacheMaxObjects", "filterStrategy", "skip"})
FLAT_MUTABLE = frozenset({"vectorCacheMaxObjects"})
QUANTIZERS = ("pq", "bq", "sq", "rq")
PROPERTY_INDEXES = frozenset({"indexFilterable", "indexSearchable", "indexRangeFilters"})
INVERTED_IMMUTABLE = frozenset({"indexTimestamps", "indexNullState", "indexPropertyLength"})
# Weaviate's built-in stopword presets (adapters/repos/db/inverted/stopwords/presets.go).
STOPWORD_PRESETS: dict[str, frozenset[str]] = {
    "en": frozenset({
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no",
        "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
        "to", "was", "will", "with",
    }),
    "none": frozenset(),
}
UNORDERED_LISTS = frozenset({"properties", "additions", "removals", "asciiFoldIgnore", "textFields", "imageFields"})


def same(desired: Any, live: Any, key: str = "") -> bool:
    """Equality after the server's harmless rewrites: float32 rounding, null vs empty, unordered name lists."""
    if desired == live:  # equal values are the same under every rule below; most of a plan's comparisons
        return True
    if desired is None or live is None:
        return _empty(desired) and _empty(live)
    if isinstance(desired, bool) or isinstance(live, bool):
        return desired is live or desired == live
    if isinstance(desired, int | float) and isinstance(live, int | float):
        return math.isclose(float(desired), float(live), rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(desired, str) and isinstance(live, str) and desired.startswith(("http://", "https://")):
        return desired.rstrip("/") == live.rstrip("/")  # the Python client adds a trailing slash
    if isinstance(desired, list) and isinstance(live, list):
        if key in UNORDERED_LISTS:
            return sorted(map(str, desired)) == sorted(map(str, live))
        return len(desired) == len(live) and all(same(d, v) for d, v in zip(desired, live, strict=True))
    if isinstance(desired, dict) and isinstance(live, dict):
        return all(same(v, live.get(k), k) for k, v in desired.items())
    return bool(desired == live)


def _empty(value: Any) -> bool:
    return value is None or value is False or value == [] or value == {} or value == ""


class _Differ:
    def __init__(self, desired: dict[str, Any], live: dict[str, Any], version: Version) -> None:
        self.d = desired
        self.live = live
        self.version = version
        self.fields: list[FieldChange] = []
        self.drift: list[FieldChange] = []
        self.warnings: list[str] = []
        self.errors: list[PlanError] = []

    def add(self, path: RestPath, before: Any, after: Any, kind: FieldKind, reason: str = "") -> None:
        self.fields.append(FieldChange(path, before, after, kind, reason))

    def needs(self, operation: str, what: str) -> bool:
        minimum = MIN_VERSION[operation]
        if at_least(self.version, minimum):
            return True
        self.errors.append(PlanError(ErrorCode.NEEDS_VERSION, f"{what} needs Weaviate >= {minimum}; the server is "
                                     f"{'.'.join(map(str, self.version))}"))
        return False

    def compare_leaves(self, desired: Any, live: Any, path: RestPath, kind_of: Any) -> None:
        """Recurse through declared mappings; `kind_of(leaf_key, path)` -> (kind, reason) for a difference."""
        if isinstance(desired, dict):
            live_map = live if isinstance(live, dict) else {}
            for key, value in desired.items():
                child = (*path, key)
                if isinstance(value, dict) and key not in ("encoder",):
                    self.compare_leaves(value, live_map.get(key), child, kind_of)
                elif not same(value, live_map.get(key), key):
                    kind, reason = kind_of(key, child)
                    self.add(child, live_map.get(key), value, kind, reason)
        elif not same(desired, live):
            kind, reason = kind_of(path[-1], path)
            self.add(path, live, desired, kind, reason)

    # -- sections ----------------------------------------------------------------------------------
    def run(self) -> None:
        d, live = self.d, self.live
        if "description" in d and not same(d["description"], live.get("description")):
            self.add(("description",), live.get("description"), d["description"], U)
        self.properties(d.get("properties") or [], live.get("properties") or [])
        self.vectors(d.get("vectorConfig") or {}, live.get("vectorConfig") or {})
        self.legacy_vector()
        self.modules()
        self.inverted()
        self.replication()
        self.compare_leaves(d.get("shardingConfig") or {}, live.get("shardingConfig") or {}, ("shardingConfig",),
                            lambda k, p: (IMM, "sharding is fixed when the collection is created"))
        self.compare_leaves(d.get("multiTenancyConfig") or {}, live.get("multiTenancyConfig") or {},
                            ("multiTenancyConfig",), self._mt_kind)
        if "objectTtlConfig" in d:
            before = len(self.fields)
            self.compare_leaves(d["objectTtlConfig"], live.get("objectTtlConfig") or {}, ("objectTtlConfig",),
                                lambda k, p: (U, ""))
            if len(self.fields) > before:
                self.needs("object_ttl", "changing object TTL")

    def inverted(self) -> None:
        desired = dict(self.d.get("invertedIndexConfig") or {})
        live = self.live.get("invertedIndexConfig") or {}
        stopwords = desired.get("stopwords")
        if isinstance(stopwords, dict) and isinstance(stopwords.get("additions"), list):
            preset = stopwords.get("preset") or (live.get("stopwords") or {}).get("preset") or "en"
            # The server silently drops additions that its preset already holds.
            kept = [w for w in stopwords["additions"] if w not in STOPWORD_PRESETS.get(preset, frozenset())]
            desired["stopwords"] = {**stopwords, "additions": kept}
        self.compare_leaves(desired, live, ("invertedIndexConfig",), self._inverted_kind)

    @staticmethod
    def _inverted_kind(key: str, path: RestPath) -> tuple[FieldKind, str]:
        if key in INVERTED_IMMUTABLE:
            return IMM, f"{key} is fixed when the collection is created"
        return U, ""

    @staticmethod
    def _mt_kind(key: str, path: RestPath) -> tuple[FieldKind, str]:
        if key == "enabled":
            return IMM, "multi-tenancy cannot be switched on or off for an existing collection"
        return U, ""

    def properties(self, desired: list[dict[str, Any]], live: list[dict[str, Any]]) -> None:
        live_by_name = {str(p.get("name", "")).lower(): p for p in live}
        declared = set()
        for prop in desired:
            name = str(prop["name"])
            declared.add(name.lower())
            current = live_by_name.get(name.lower())
            if current is None:
                self.add(("properties", name), None, prop, FieldKind.ADD_PROPERTY)
                continue
            self.property(prop, current, ("properties", name))
        for lname, prop in live_by_name.items():
            if lname not in declared:
                self.drift.append(FieldChange(
                    ("properties", str(prop.get("name"))), _brief_property(prop), None, FieldKind.UNDECLARED,
                    "live property not in the file (auto-schema adds one on insert; Weaviate cannot delete it): "
                    "declare it in the file, or adopt it with `weavectl export`"))

    def property(self, desired: dict[str, Any], live: dict[str, Any], path: RestPath) -> None:
        if "textAnalyzer" not in desired and live.get("textAnalyzer"):
            desired = {**desired, "textAnalyzer": {}}  # undeclared means none: a live one is a difference
        elif ("nestedProperties" not in desired and desired.items() <= live.items()
              and _DEPRECATED_TYPES.isdisjoint(desired.get("dataType") or ())):
            return  # every setting as it is live, and no type the server rewrites: the loop finds nothing
        current_of = live.get
        for key, value in desired.items():
            if key == "name" or (value == current_of(key) and key not in _TYPE_KEYS):
                continue  # an equal setting is the same under every rule below (types aside: "string" migrates)
            if key == "tokenization" and desired.get("dataType") in (["string"], ["string[]"]):
                continue  # the server rewrites tokenization of deprecated string types
            self.property_setting(key, value, live.get(key), path)

    def property_setting(self, key: str, value: Any, current: Any, path: RestPath) -> None:
        if key == "textAnalyzer":
            if not _analyzer_same(value, current):
                # entities/models/text_analyzer_config.go: immutable once the property exists.
                self.add((*path, "textAnalyzer"), current or None, value or None, IMM,
                         "a property's text analyzer cannot change")
                if value:
                    self.needs("text_analyzer", "a property's text_analyzer")
        elif key == "dataType":
            if [_migrated_type(t) for t in value] != list(current or []):
                self.add((*path, "dataType"), current, value, IMM, "a property's data type cannot change")
        elif key == "description":
            if not same(value, current):
                self.add((*path, "description"), current, value, U)
                self.needs("update_property_description", "changing a property description")
        elif key in PROPERTY_INDEXES:
            if not same(value, current):
                self.property_index(key, value, current, path)
        elif key == "nestedProperties":
            if not _nested_same(value, current or []):
                self.add((*path, "nestedProperties"), current, value, IMM, "nested properties cannot change")
        elif key == "moduleConfig":
            self.property_modules(value, current or {}, path)
        elif not same(value, current, key):
            self.add((*path, key), current, value, IMM, f"a property's {key} cannot change")

    def property_index(self, key: str, value: Any, current: Any, path: RestPath) -> None:
        """A changed indexFilterable/indexSearchable/indexRangeFilters: only dropping one is possible in place."""
        if value is False and current is True and at_least(self.version, MIN_VERSION["drop_property_index"]):
            self.add((*path, key), current, value, FieldKind.DROP_INDEX,
                     "drops the index for good: turning it back on needs a replace of the collection")
        elif value is False and current is True:
            self.add((*path, key), current, value, IMM, "this server cannot drop a property index "
                     f"(needs Weaviate >= {MIN_VERSION['drop_property_index']})")
        else:
            self.add((*path, key), current, value, IMM,
                     "an index cannot be added to an existing property (runtime re-index is off by default)")

    def property_modules(self, desired: dict[str, Any], live_modules: dict[str, Any], path: RestPath) -> None:
        for module, settings in desired.items():
            live_key = _live_key(module, live_modules)
            mpath = (*path, "moduleConfig", live_key or module)
            if live_key is None:
                # A module no live vector uses yet: its property settings travel with the new vector
                # (the server writes its defaults then itself).
                spec = catalog.lookup(module)
                base = defaults.property_module_defaults(spec.name if spec else module)
                self.compare_leaves({k: v for k, v in settings.items() if base.get(k) != v}, {}, mpath,
                                    lambda k, p: (U, ""))
            else:
                self.compare_leaves(settings, live_modules[live_key], mpath,
                                    lambda k, p: (IMM, "a property's vectorization settings cannot change"))

    def vectors(self, desired: dict[str, Any], live: dict[str, Any]) -> None:
        legacy_index = "vectorIndexType" in self.live or "vectorIndexConfig" in self.live
        for name, vector in desired.items():
            current = live.get(name)
            if current is None:
                if name == "default" and legacy_index:
                    self.add(("vectorConfig", name), None, vector, IMM, "a collection with a legacy vector cannot "
                             "get a named vector called 'default' (Weaviate rejects it)")
                    continue
                self.add(("vectorConfig", name), None, vector, FieldKind.ADD_VECTOR)
                self.needs("add_named_vector", "adding a named vector")
                continue
            self.vector(vector, current, ("vectorConfig", name))
        for name in live:
            if name not in desired:
                self.drift.append(FieldChange(
                    ("vectorConfig", name), {"vectorizer": next(iter(live[name].get("vectorizer") or {}), None)},
                    None, FieldKind.UNDECLARED, "live named vector not in the file (Weaviate cannot remove one): "
                    "declare it in the file, or adopt it with `weavectl export`"))

    def vector(self, desired: dict[str, Any], live: dict[str, Any], path: RestPath) -> None:
        (module, settings), = desired["vectorizer"].items()
        live_vec = live.get("vectorizer") or {}
        live_module = next(iter(live_vec), None)
        if not catalog.same_module(module, live_module):
            self.add((*path, "vectorizer"), live_module, module, IMM, "the vectorizer module cannot change")
        else:
            self.vectorizer_settings(module, settings, live_vec.get(str(live_module)) or {},
                                     (*path, "vectorizer", str(live_module)))
        itype = desired.get("vectorIndexType")
        live_type = live.get("vectorIndexType", "hnsw")
        if itype is not None and itype != live_type:
            self.add((*path, "vectorIndexType"), live_type, itype, IMM, "the vector index type cannot change")
        self.index_config(desired.get("vectorIndexConfig") or {}, live.get("vectorIndexConfig") or {},
                          itype or live_type, (*path, "vectorIndexConfig"))

    def vectorizer_settings(self, module: str, desired: dict[str, Any], live: dict[str, Any],
                            path: RestPath) -> None:
        spec = catalog.lookup(module)
        mutable = (spec.name if spec else module) in MIGRATABLE_VECTORIZERS and vectorizer_settings_mutable(
            self.version)
        if "baseURL" in desired and "baseURL" not in live and "baseUrl" in live:
            # cohere and nvidia store their default base URL under baseUrl (but read baseURL)
            live = {**live, "baseURL": live["baseUrl"]}
        before = len(self.fields)
        self.compare_leaves(desired, live, path, lambda k, p: (
            (U, "") if mutable else (IMM, f"{module} settings cannot change on an existing vector")))
        # Live-only keys at an empty value (`isAzure: false`, which the Python client writes) read as unset.
        extra = {k: v for k, v in live.items() if k not in desired and not _empty(v)
                 and not (k == "baseURL" and "baseUrl" in desired)}
        canonical = spec.name if spec else module
        if canonical in defaults.MODULE_DEFAULTS:
            for key, value in extra.items():
                # Weaviate refuses a vectorizer update that drops a stored key (usecases/modules/modules.go
                # MigrateVectorizerSettings): a setting set by hand cannot be taken back in place.
                self.add((*path, key), value, None, IMM, "a vectorizer setting cannot be removed in place")
        elif extra:
            self.warnings.append(f"{dotted(path)}: weavectl has no defaults table for {module}; live settings "
                                 f"{', '.join(sorted(extra))} are not compared")
        if mutable and len(self.fields) > before:
            self.warnings.append(f"{dotted(path)}: changed in place; objects already stored keep the vectors made with "
                                 "the old settings until they are re-imported")

    def index_config(self, desired: dict[str, Any], live: dict[str, Any], itype: str, path: RestPath) -> None:
        for key, value in desired.items():
            current = live.get(key)
            child = (*path, key)
            if itype == "dynamic" and key in ("hnsw", "flat") and isinstance(value, dict):
                self.index_config(value, current or {}, key, child)
            elif key in QUANTIZERS and isinstance(value, dict):
                self.quantizer(key, value, current or {}, live, itype, child)
            elif key == "multivector" and isinstance(value, dict):
                # A PUT of muvera/aggregation is stored, but the running index keeps encoding with the old ones
                # (v1.39.3 adapters/repos/db/vector/hnsw/config_update.go UpdateUserConfig applies ef and the
                # like only), so a restart would mix two encodings: a replace.
                self.compare_leaves(value, current or {}, child, lambda k, p: (
                    IMM, "the multi-vector encoding is fixed when the index is built"))
            elif isinstance(value, dict):
                self.compare_leaves(value, current or {}, child, lambda k, p: (IMM, f"{dotted(p)} cannot change"))
            elif not same(value, current, key):
                mutable = (key not in defaults.hfresh_immutable(self.version) if itype == "hfresh" else
                           key in (HNSW_MUTABLE if itype == "hnsw" else FLAT_MUTABLE if itype == "flat"
                                   else {"threshold"}))
                self.add(child, current, value, U if mutable else IMM,
                         "" if mutable else f"{key} of a {itype} index is fixed when it is created")

    def quantizer(self, name: str, desired: dict[str, Any], live: dict[str, Any], whole: dict[str, Any],
                  itype: str, path: RestPath) -> None:
        was_on = bool(live.get("enabled"))
        wants_on = bool(desired.get("enabled", was_on))
        flat_rq = itype == "flat" and name == "rq" and wants_on and not was_on
        if flat_rq and not self.needs("flat_rq", "rq on a flat index"):
            return
        if was_on == wants_on:
            # Parameters of an enabled quantizer are fixed (rq bits, pq segments...), rescore limits aside.
            self.compare_leaves(desired, live, path, lambda k, p: (
                (U, "") if k in ("rescoreLimit", "cache", "trainingLimit")
                else (IMM, f"{name} settings are fixed once it is on")))
            return
        other_on = [q for q in QUANTIZERS if q != name and (whole.get(q) or {}).get("enabled")]
        if wants_on and itype == "hnsw" and not other_on:
            self.add(path, live or None, desired, U, "")  # hnsw can start compressing in place
        else:
            reason = ("compression cannot be turned off" if was_on else
                      f"a {itype} index cannot enable {name} after creation" if itype != "hnsw" else
                      f"another quantizer ({', '.join(other_on)}) is already on")
            self.add(path, live or None, desired, IMM, reason)

    def legacy_vector(self) -> None:
        d, live = self.d, self.live
        if "vectorizer" in d:
            current = live.get("vectorizer")
            if not catalog.same_module(d["vectorizer"], current):
                self.add(("vectorizer",), current, d["vectorizer"], IMM, "the vectorizer cannot change")
            elif d["vectorizer"] != "none":
                module = d["vectorizer"]
                live_modules = live.get("moduleConfig") or {}
                key = _live_key(module, live_modules) or module
                self.vectorizer_settings(module, (d.get("moduleConfig") or {}).get(module) or {},
                                         live_modules.get(key) or {}, ("moduleConfig", key))
        if "vectorIndexType" in d and d["vectorIndexType"] != live.get("vectorIndexType"):
            self.add(("vectorIndexType",), live.get("vectorIndexType"), d["vectorIndexType"], IMM,
                     "the vector index type cannot change")
        if "vectorIndexConfig" in d:
            self.index_config(d["vectorIndexConfig"], live.get("vectorIndexConfig") or {},
                              d.get("vectorIndexType") or live.get("vectorIndexType") or "hnsw",
                              ("vectorIndexConfig",))

    def modules(self) -> None:
        """Generative and reranker modules (class moduleConfig): replaceable in place since 1.28."""
        live_modules = self.live.get("moduleConfig") or {}
        legacy = self.d.get("vectorizer")
        for module, settings in (self.d.get("moduleConfig") or {}).items():
            if module == legacy:
                continue  # compared as the legacy vectorizer's settings
            spec = catalog.lookup(module)
            kind = spec.kind if spec else None
            live_key = _live_key(module, live_modules)
            path = ("moduleConfig", live_key or module)
            if kind in ("generative", "reranker"):
                current = live_modules.get(live_key) if live_key else None
                if current is None:
                    replaced = [m for m in live_modules
                                if catalog.kind_of(m) == kind and not catalog.same_module(m, module)]
                    self.add(path, {m: live_modules[m] for m in replaced} or None, settings, U,
                             f"sets the {kind} module" + (f", replacing {', '.join(replaced)}" if replaced else ""))
                    self.needs("update_generative_reranker", f"changing the {kind} module")
                else:
                    before = len(self.fields)
                    self.compare_leaves(settings, current, path, lambda k, p: (U, ""))
                    for key in current:
                        if key not in settings:  # set by hand: the PUT of the module's settings drops it
                            self.add((*path, key), current[key], None, U, "not in the file")
                    if len(self.fields) > before:
                        self.needs("update_generative_reranker", f"changing {module} settings")
            else:
                self.compare_leaves(settings, live_modules.get(module) or {}, path,
                                    lambda k, p: (IMM, "module settings of this kind cannot change"))
        declared_modules = list(self.d.get("moduleConfig") or {})
        for module in live_modules:
            live_kind = catalog.kind_of(module)
            # A module of a kind the file declares is being replaced in place (handled above).
            if live_kind in ("generative", "reranker") and not any(
                    catalog.kind_of(m) == live_kind for m in declared_modules):
                self.drift.append(FieldChange(
                    ("moduleConfig", module), live_modules[module], None, FieldKind.UNDECLARED,
                    f"live {live_kind} module not in the file (Weaviate cannot remove one in place): declare it "
                    "in the file, or adopt it with `weavectl export`"))

    def replication(self) -> None:
        desired = self.d.get("replicationConfig") or {}
        live = self.live.get("replicationConfig") or {}
        self.async_config(desired.get("asyncConfig"), live.get("asyncConfig"))
        for key, value in desired.items():
            if key == "asyncConfig":
                continue
            current = live.get(key)
            if key == "factor" and current is None:
                current = 1  # the server's minimum factor when a class has no replicationConfig
            if same(value, current, key):
                continue
            path = ("replicationConfig", key)
            if key == "factor":  # how it converges (scale step, version limits) is core.cluster's decision
                self.add(path, current, value, U)
            elif key == "asyncEnabled" and at_least(self.version, "1.38.0"):
                self.warnings.append(f"{dotted(path)}: output-only since 1.38 (derived from factor > 1); not applied")
            else:
                self.add(path, current, value, U)

    def async_config(self, desired: Any, live: Any) -> None:
        """replicationConfig.asyncConfig: undeclared means absent (the server fills no default in, and a PUT
        without it clears it: core.weaviate.defaults ASYNC_CONFIG_SINCE), so every key is compared both ways."""
        wanted = {k: v for k, v in (desired or {}).items() if v is not None}
        current = {k: v for k, v in (live or {}).items() if v is not None} if isinstance(live, dict) else {}
        if wanted and not at_least(self.version, defaults.ASYNC_CONFIG_SINCE):
            self.needs("async_config", "replication.async_config")
            return
        path = ("replicationConfig", "asyncConfig")
        if not wanted and current:  # set out of band: the update takes the whole block away
            self.add(path, current, None, U, "not in the file")
            return
        for key in sorted(set(wanted) | set(current)):
            if not same(wanted.get(key), current.get(key), key):
                self.add((*path, key), current.get(key), wanted.get(key), U,
                         "" if key in wanted else "not in the file")


# Property keys whose equal values may still differ: a declared "string" type is stored as "text".
_TYPE_KEYS = frozenset({"dataType", "nestedProperties"})


def _live_key(module: str, live: dict[str, Any]) -> str | None:
    return next((k for k in live if catalog.same_module(k, module)), None)


_MIGRATED_TYPES = {"string": "text", "string[]": "text[]"}
_DEPRECATED_TYPES = frozenset(_MIGRATED_TYPES)


def _migrated_type(t: str) -> str:
    return _MIGRATED_TYPES.get(t, t)


def _nested_same(desired: list[dict[str, Any]], live: list[dict[str, Any]]) -> bool:
    live_by_name = {str(p.get("name")): p for p in live}
    if {str(p.get("name")) for p in desired} != set(live_by_name):
        return False
    for prop in desired:
        current = live_by_name[str(prop["name"])]
        if not _analyzer_same(prop.get("textAnalyzer"), current.get("textAnalyzer")):
            return False
        for key, value in prop.items():
            if key == "textAnalyzer":
                continue
            if key == "nestedProperties":
                if not _nested_same(value, current.get(key) or []):
                    return False
            elif key == "dataType":
                if [_migrated_type(t) for t in value] != current.get(key):
                    return False
            elif not same(value, current.get(key), key):
                return False
    return True


def _analyzer_same(desired: Any, live: Any) -> bool:
    """Text analyzers compared whole: an unset key, false and [] are the same (the server omits them, and treats
    an empty analyzer as none: usecases/schema/class.go validatePropertyProcessing)."""
    def norm(value: Any) -> dict[str, Any]:
        return {k: sorted(v) if isinstance(v, list) else v for k, v in (value or {}).items() if not _empty(v)}
    return norm(desired) == norm(live)


def _brief_property(prop: dict[str, Any]) -> dict[str, Any]:
    return {"name": prop.get("name"), "dataType": prop.get("dataType")}


def compare_collection(desired: dict[str, Any], live: dict[str, Any], version: Version, *,
                       ignore: list[str] | tuple[str, ...] = (), replace: bool = False) -> Differences:
    """The differences of one live collection, no action decided yet. `desired`: the declared REST body
    (to_rest); the server's defaults are filled in here. `ignore`: the collection's ignore_changes (config
    paths); `replace`: the user named this collection with --replace."""
    differ = _Differ(defaults.with_defaults(desired, live, version), live, version)
    differ.run()
    differ.warnings.extend(defaults.unknown_fields(live))
    fields: list[FieldChange] = []
    ignored: list[FieldChange] = []
    for f in differ.fields:
        (ignored if ignored_by(config_path(f.parts, live), ignore) else fields).append(f)
    drift = [f for f in differ.drift if not ignored_by(config_path(f.parts, live), ignore)]
    ignored.extend(f for f in differ.drift if f not in drift)
    if replace:
        fields.append(FieldChange(("collection",), None, None, IMM, "replacement requested with --replace"))
        fields.extend(FieldChange(f.parts, f.before, f.after, IMM, f.reason) for f in drift)
        drift = []
    return Differences(collection=str(live.get("class")), fields=fields, warnings=differ.warnings,
                       errors=differ.errors, drift=drift, ignored=ignored)


def diff_collection(desired: dict[str, Any], live: dict[str, Any], version: Version, *,
                    ignore: list[str] | tuple[str, ...] = (), replace: bool = False) -> Change:
    """One live collection's change on its own (no aliases, replication scaling or migration: the planner's)."""
    return decide(compare_collection(desired, live, version, ignore=ignore, replace=replace), desired)
