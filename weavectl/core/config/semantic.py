"""Checks beyond the JSON Schema: names, references, module parameters, key sources, smoke data.

Runs on a document that already passed the schema, so shapes and types can be trusted here.
"""

from __future__ import annotations

import re
from typing import Any

from weavectl.core.config.diagnostics import Diagnostics, Path
from weavectl.core.config.suggest import did_you_mean
from weavectl.core.config.yamldoc import Document
from weavectl.core.redact import looks_like_secret
from weavectl.core.weaviate import catalog
from weavectl.core.weaviate.usage import property_setting_modules

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

TEXT_TYPES = frozenset({"text", "text[]", "string", "string[]"})
RANGE_TYPES = frozenset({"int", "number", "date"})
OBJECT_TYPES = frozenset({"object", "object[]"})
RESERVED_PROPERTY_NAMES = frozenset({"_additional", "_id", "id"})
MULTIMODAL_FIELD_PARAMS = ("text_fields", "image_fields", "audio_fields", "video_fields", "depth_fields",
                           "thermal_fields", "imu_fields")
VECTOR_COMMON_KEYS = frozenset({"vectorizer", "source_properties", "vectorize_collection_name", "module_config",
                                "index"})
MODULE_REF_COMMON_KEYS = frozenset({"module", "module_config"})
VECTORIZER_KINDS = frozenset({"text2vec", "multi2vec", "text2multivec", "multi2multivec"})
# text2vec-openai against OpenAI's own endpoint (v1.39.3 modules/text2vec-openai/ent/class_settings.go).
OPENAI_DEFAULT_MODEL = "text-embedding-3-small"
OPENAI_V3_DIMENSIONS = {"text-embedding-3-small": (512, 1536), "text-embedding-3-large": (256, 1024, 3072)}
OPENAI_MODELS = ("ada", "babbage", "curie", "davinci", *OPENAI_V3_DIMENSIONS)

# Numbers the server would store as something else. Vector index and module settings arrive as untyped JSON
# and are read through a 64-bit float (v1.39.3 entities/vectorindex/common/config.go OptionalIntFromMap,
# usecases/modulecomponents/settings/class_settings_property_helper.go), so integers are exact only within
# +-2^53 and wrap past 2^63 (ef 1e29 is stored as -9223372036854775808). Typed fields are int64 (refused
# beyond that) and BM25 b/k1 are float32 (entities/models/b_m25_config.go). JSON has no NaN or infinity.
FLOAT64_EXACT = 2**53
INT64 = (-(2**63), 2**63 - 1)
FLOAT32_MAX = 3.4028234663852886e38
# Collection keys whose settings reach the server as untyped JSON (vectorIndexConfig, moduleConfig, shardingConfig).
UNTYPED_SECTIONS = frozenset({"vectors", "vector", "generative", "reranker", "module_config", "sharding"})


class _Checker:
    def __init__(self, doc: Document, diags: Diagnostics) -> None:
        self.doc = doc
        self.diags = diags
        self.used_credentials: set[str] = set()

    def error(self, message: str, path: Path, hint: str | None = None) -> None:
        self.diags.error(message, path, self.doc.position(path), hint)

    def warning(self, message: str, path: Path, hint: str | None = None) -> None:
        self.diags.warning(message, path, self.doc.position(path), hint)

    def run(self) -> None:
        data = self.doc.data
        collections = [c for c in data.get("collections") or [] if isinstance(c, dict)]
        names = [str(c.get("name", "")) for c in collections]
        # Collections declared elsewhere (another file or repository): references to them are fine.
        external = [str(n) for n in data.get("external") or [] if isinstance(n, str)]
        all_names = [*names, *external]
        # The names a cross-reference may target, folded once for the whole file (not once per reference).
        known = {n.lower() for n in all_names}
        seen: dict[str, int] = {}
        for i, coll in enumerate(collections):
            name = names[i]
            path: Path = ("collections", i)
            # Weaviate compares collection names case-insensitively and upper-cases the first letter.
            if name.lower() in seen:
                self.error(f"duplicate collection '{name}' (Weaviate compares names case-insensitively; "
                           f"first declared as collections[{seen[name.lower()]}])", (*path, "name"))
            seen.setdefault(name.lower(), i)
            if name and name[0].islower():
                self.warning(f"Weaviate stores collection '{name}' as '{name[0].upper()}{name[1:]}'",
                             (*path, "name"), hint=f"write it as '{name[0].upper()}{name[1:]}'")
            self.collection(coll, path, all_names, known)
        alias_owner: dict[str, str] = {}
        for j, coll in enumerate(collections):
            if coll.get("on_replace") == "migrate" and not coll.get("aliases"):
                self.error("on_replace: migrate needs at least one alias: applications reach the collection "
                           "through it while weavectl swaps it to each new generation",
                           ("collections", j, "on_replace"), hint="add `aliases: [<name>]` to this collection")
            for k, alias in enumerate(coll.get("aliases") or []):
                key = str(alias).lower()
                if key in seen:
                    self.error(f"alias '{alias}' clashes with a collection name", ("collections", j, "aliases", k))
                elif key in alias_owner:
                    self.error(f"alias '{alias}' is already given to collection '{alias_owner[key]}'; an alias "
                               "points at one collection", ("collections", j, "aliases", k))
                alias_owner.setdefault(key, str(coll.get("name")))
        self.key_sources(data)
        default_env = data.get("default_environment")
        if default_env is not None and default_env not in (data.get("environments") or {}):
            self.error(f"default_environment '{default_env}' is not declared", ("default_environment",),
                       did_you_mean(str(default_env), data.get("environments") or {}))

    # -- collections ---------------------------------------------------------------------------------
    def collection(self, coll: dict[str, Any], path: Path, all_names: list[str], known: set[str]) -> None:
        props = [p for p in coll.get("properties") or [] if isinstance(p, dict)]
        types = self.properties(props, path, all_names, known)
        vectors = self.vectors(coll, path, types, props)
        vectorizer_modules = {spec.name for vector in vectors.values()
                              if (spec := catalog.lookup(str(vector.get("vectorizer")))) is not None}
        for i, prop in enumerate(props):
            self.property_vectorization(prop, (*path, "properties", i), vectorizer_modules, vectors)
        for kind in ("generative", "reranker"):
            if isinstance(coll.get(kind), dict):
                self.module_ref(coll[kind], (*path, kind), kind)
        self.collection_settings(coll, path)
        if isinstance(coll.get("smoke"), dict):
            self.smoke(coll["smoke"], (*path, "smoke"), types, vectors)
        for key, value in coll.items():
            if key != "smoke":
                self.numbers(value, (*path, key), untyped=key in UNTYPED_SECTIONS)

    def properties(self, props: list[dict[str, Any]], path: Path, all_names: list[str],
                   known: set[str]) -> dict[str, str]:
        """Each property checked; -> its type by name."""
        types: dict[str, str] = {}
        seen: dict[str, int] = {}
        for i, prop in enumerate(props):
            ppath = (*path, "properties", i)
            pname = str(prop.get("name", ""))
            if pname in RESERVED_PROPERTY_NAMES:
                self.error(f"'{pname}' is a reserved property name in Weaviate", (*ppath, "name"))
            if pname.lower() in seen:
                self.error(f"duplicate property '{pname}' (names are compared case-insensitively)",
                           (*ppath, "name"))
            seen.setdefault(pname.lower(), i)
            types[pname] = self.property(prop, ppath, all_names, known)
        return types

    def vectors(self, coll: dict[str, Any], path: Path, types: dict[str, str],
                props: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The legacy vector and each named vector checked; -> them by name."""
        vectors: dict[str, dict[str, Any]] = {}
        if isinstance(coll.get("vector"), dict):
            vectors["(legacy vector)"] = coll["vector"]
            self.vector(coll["vector"], (*path, "vector"), types, props)
        for vname, vector in (coll.get("vectors") or {}).items():
            if isinstance(vector, dict):
                vectors[vname] = vector
                self.vector(vector, (*path, "vectors", vname), types, props)
        if coll.get("vector") is not None and coll.get("vectors"):
            self.warning("both a legacy `vector` and named `vectors`: Weaviate refuses to create such a "
                         "collection; it only arises when named vectors are added to an existing legacy one",
                         (*path, "vector"))
        return vectors

    def collection_settings(self, coll: dict[str, Any], path: Path) -> None:
        mt = coll.get("multi_tenancy") or {}
        if mt.get("enabled") and coll.get("sharding"):
            self.error("sharding cannot be set on a multi-tenant collection (each tenant is its own shard)",
                       (*path, "sharding"))
        for flag in ("auto_tenant_creation", "auto_tenant_activation"):
            if mt.get(flag) and not mt.get("enabled"):
                self.error(f"{flag} needs multi_tenancy.enabled: true", (*path, "multi_tenancy", flag))
        if coll.get("state") == "absent" and coll.get("protect"):
            self.error("a collection cannot be both `protect: true` and `state: absent`", (*path, "state"))

    def numbers(self, value: Any, path: Path, *, untyped: bool) -> None:
        """Every number the server would store differently from the file: an error with the allowed range."""
        if isinstance(value, dict):
            for key, item in value.items():
                if item.__class__ is not str:  # most values are text, which holds no number
                    self.numbers(item, (*path, key), untyped=untyped or key == "module_config")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.numbers(item, (*path, i), untyped=untyped)
        elif isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            self.error(f"{value} is not a number Weaviate can store (JSON has no NaN or infinity)", path)
        elif isinstance(value, int) and not isinstance(value, bool):
            low, high = (-FLOAT64_EXACT, FLOAT64_EXACT) if untyped else INT64
            if not low <= value <= high:
                why = ("the server reads this setting through a 64-bit float, so it would store another number"
                       if untyped else "the server holds it as a 64-bit integer and refuses it")
                self.error(f"{value} is out of range: {why}; allowed {low} to {high}", path)
        elif isinstance(value, float) and path[-2:-1] == ("bm25",) and abs(value) > FLOAT32_MAX:
            self.error(f"{value} is out of range: Weaviate holds BM25 settings as 32-bit floats; allowed up to "
                       f"{FLOAT32_MAX:g}", path)

    def property(self, prop: dict[str, Any], path: Path, all_names: list[str], known: set[str]) -> str:
        dtype = prop.get("data_type")
        target = prop.get("target_collection")
        if dtype is None and target is None:
            self.error(f"property '{prop.get('name')}' needs a data_type (or target_collection for a "
                       "cross-reference)", path)
            return ""
        if dtype is not None and target is not None:
            self.error("a property has either data_type or target_collection, not both",
                       (*path, "target_collection"))
        if target is not None:
            targets = [target] if isinstance(target, str) else list(target)
            for t in targets:
                if str(t).lower() not in known:
                    self.error(f"cross-reference to collection '{t}', which is not declared in the file",
                               (*path, "target_collection"), did_you_mean(str(t), all_names)
                               or "declare it, or list it under `external:` if another file or repository owns it")
            for key in ("tokenization", "index_searchable", "index_range_filters", "nested_properties"):
                if key in prop:
                    self.error(f"'{key}' does not apply to a cross-reference", (*path, key))
            return "reference"
        dtype = str(dtype)
        self.typed_fields(prop, path, dtype)
        if dtype in ("string", "string[]"):
            self.warning(f"data type '{dtype}' is deprecated; Weaviate stores it as "
                         f"'{dtype.replace('string', 'text')}' with tokenization 'whitespace'",
                         (*path, "data_type"), hint=f"write data_type: {dtype.replace('string', 'text')}")
        return dtype

    def typed_fields(self, prop: dict[str, Any], path: Path, dtype: str) -> None:
        if "tokenization" in prop and dtype not in TEXT_TYPES:
            self.error(f"tokenization applies to text properties only, this one is {dtype}",
                       (*path, "tokenization"))
        if prop.get("index_searchable") and dtype not in TEXT_TYPES:
            self.error(f"index_searchable applies to text properties only, this one is {dtype}",
                       (*path, "index_searchable"))
        if prop.get("index_range_filters") and dtype not in RANGE_TYPES:
            self.error(f"index_range_filters applies to int, number and date only, this one is {dtype}",
                       (*path, "index_range_filters"))
        nested = prop.get("nested_properties")
        if dtype in OBJECT_TYPES and not nested:
            self.error(f"an {dtype} property needs nested_properties", path)
        if nested and dtype not in OBJECT_TYPES:
            self.error(f"nested_properties apply to object and object[] only, this one is {dtype}",
                       (*path, "nested_properties"))
        seen: set[str] = set()
        for i, child in enumerate(nested or []):
            if not isinstance(child, dict):
                continue
            cpath = (*path, "nested_properties", i)
            cname = str(child.get("name", "")).lower()
            if cname in seen:
                self.error(f"duplicate nested property '{child.get('name')}'", (*cpath, "name"))
            seen.add(cname)
            if child.get("data_type") is None:
                self.error(f"nested property '{child.get('name')}' needs a data_type", cpath)
            else:
                self.typed_fields(child, cpath, str(child["data_type"]))

    def vector(self, vector: dict[str, Any], path: Path, types: dict[str, str],
               props: list[dict[str, Any]]) -> None:
        if "vectorizer" not in vector:
            return
        module = str(vector.get("vectorizer"))
        extra = [k for k in vector if k not in VECTOR_COMMON_KEYS]
        if module == "none":
            for key in extra + [k for k in ("source_properties", "vectorize_collection_name") if k in vector]:
                self.error(f"'{key}' has no effect with vectorizer: none (bring your own vectors)", (*path, key))
        else:
            spec = self.module(module, (*path, "vectorizer"), VECTORIZER_KINDS, vector)
            if spec is not None:
                self.params(spec, vector, path, extra)
        self.source_properties(vector, path, types)
        index = vector.get("index") or {}
        if index.get("type") == "dynamic":
            # Refused at create otherwise (v1.39.3 usecases/schema/class.go validateVectorIndexType); whether the
            # server has it on is not visible to a client (/v1/meta does not say), so only a warning here.
            self.warning("a dynamic index needs ASYNC_INDEXING=true on the server, which refuses to create it "
                         "otherwise; weavectl cannot see that setting, so check the server's environment",
                         (*path, "index", "type"))
        if index.get("type") == "hfresh":
            self.hfresh(index, (*path, "index"))
        self.quantizers(index, (*path, "index"))
        if module in ("text2vec-openai", "text2vec-azure-openai"):
            self.openai_dimensions(vector, path)
        self.flat_index(index, path)
        if module != "none":
            self.multimodal_fields(vector, path, types)

    def source_properties(self, vector: dict[str, Any], path: Path, types: dict[str, str]) -> None:
        for i, source in enumerate(vector.get("source_properties") or []):
            spath = (*path, "source_properties", i)
            if source not in types:
                # The server accepts it: auto-schema adds the property on the first insert that sets it.
                self.warning(f"source property '{source}' is not declared in this collection: Weaviate accepts "
                             "that and creates it (as text) on the first insert that sets it, but until then "
                             "the vector embeds nothing from it", spath,
                             did_you_mean(str(source), list(types)) or f"declare '{source}' under properties")
            elif types[source] == "reference" or types[source].startswith("blob"):
                self.error(f"source property '{source}' is a {types[source]}, which is never embedded", spath)
            elif types[source] not in TEXT_TYPES:
                self.warning(f"source property '{source}' is {types[source]}, not text: Weaviate 1.33+ embeds "
                             "it as text, older servers ignore it", spath)

    def flat_index(self, index: dict[str, Any], path: Path) -> None:
        flat_parts: list[tuple[dict[str, Any], Path]] = []
        if index.get("type") == "flat":
            flat_parts.append((index, (*path, "index")))
        if isinstance(index.get("flat"), dict):
            flat_parts.append((index["flat"], (*path, "index", "flat")))
        for part, ipath in flat_parts:
            if (part.get("quantizer") or {}).get("type") == "pq":
                self.error("the flat index does not support pq; use bq, sq or rq", (*ipath, "quantizer", "type"))

    def hfresh(self, index: dict[str, Any], path: Path) -> None:
        """v1.39.3 entities/vectorindex/hfresh/config.go: RQ with one bit only (1.36+ refuses anything else, v1.35.2
        drops it), cosine or l2-squared (1.36+ refuses others, v1.35.2 does not check); 1.35 needs
        EXPERIMENTAL_HFRESH_ENABLED=true (v1.35.2 usecases/config/environment.go)."""
        quantizer = index.get("quantizer")
        if isinstance(quantizer, dict) and (quantizer.get("type") != "rq" or quantizer.get("bits", 1) != 1):
            self.error("an hfresh index compresses with rq at 1 bit only (it is always on); the server refuses "
                       "other quantizers", (*path, "quantizer"))
        if index.get("distance", "cosine") not in ("cosine", "l2-squared"):
            self.warning("an hfresh index takes distance cosine or l2-squared only from Weaviate 1.36 (1.35 "
                         "accepts others)", (*path, "distance"))
        self.warning("an hfresh index needs Weaviate 1.35 or later, and EXPERIMENTAL_HFRESH_ENABLED=true on 1.35",
                     (*path, "type"))

    def quantizers(self, index: dict[str, Any], path: Path) -> None:
        parts = [(index, path)] + [(index[k], (*path, k)) for k in ("hnsw", "flat") if isinstance(index.get(k), dict)]
        for part, ipath in parts:
            quantizer = part.get("quantizer")
            if not isinstance(quantizer, dict) or quantizer.get("type") != "rq":
                continue
            qpath = (*ipath, "quantizer")
            # v1.39.3 entities/vectorindex/hnsw/rq_config.go ValidateRQConfig; 1.35.2: bits 8 or 1; 1.32.5: 8.
            bits = quantizer.get("bits", 8)
            if quantizer.get("centering") and bits != 4:
                self.error(f"rq centering needs bits: 4 (found bits: {bits}); the server refuses it otherwise",
                           (*qpath, "centering"))
            if quantizer.get("centering") and quantizer.get("training_limit", 1) <= 0:
                self.error("rq centering needs a positive training_limit", (*qpath, "training_limit"))
            if bits == 4 or "centering" in quantizer or "training_limit" in quantizer:
                self.warning("rq bits: 4, centering and training_limit need Weaviate 1.39 or later (older servers "
                             "refuse bits: 4 and drop the other two)", qpath)
            elif bits == 1:
                self.warning("rq bits: 1 needs Weaviate 1.35 or later (1.32 refuses it)", (*qpath, "bits"))

    def openai_dimensions(self, vector: dict[str, Any], path: Path) -> None:
        """The model/dimensions pairs OpenAI's own endpoint takes; the server refuses others at create
        (v1.39.3 modules/text2vec-openai/ent/class_settings.go Validate). Not checked for other endpoints."""
        base_url = str(vector.get("base_url", "https://api.openai.com"))
        azure = bool(vector.get("is_azure")) or bool(vector.get("resource_name") and vector.get("deployment_id"))
        if ("api.openai.com" not in base_url and not azure) or "model_version" in vector:
            return
        model = str(vector.get("model", OPENAI_DEFAULT_MODEL))
        if not azure and model not in OPENAI_MODELS:
            self.error(f"text2vec-openai model '{model}' is refused by the server for OpenAI's endpoint",
                       (*path, "model"), did_you_mean(model, OPENAI_MODELS)
                       or f"one of {', '.join(OPENAI_MODELS)} (or set base_url for another provider)")
            return
        dims = vector.get("dimensions")
        if dims is None:
            return
        allowed = OPENAI_V3_DIMENSIONS.get(model)
        if allowed is None:
            self.error(f"dimensions applies only to {', '.join(OPENAI_V3_DIMENSIONS)}; the server refuses it "
                       f"with model '{model}'", (*path, "dimensions"))
        elif dims not in allowed:
            self.error(f"{model} takes dimensions {' or '.join(map(str, allowed))}, found {dims}; the server "
                       "refuses other values", (*path, "dimensions"))

    def multimodal_fields(self, vector: dict[str, Any], path: Path, types: dict[str, str]) -> None:
        for key in MULTIMODAL_FIELD_PARAMS:
            for i, field in enumerate(vector.get(key) or []):
                if field not in types:
                    self.error(f"{key} names '{field}', which is not a property of this collection",
                               (*path, key, i), did_you_mean(str(field), list(types)))
        weights = vector.get("weights")
        if isinstance(weights, dict):
            for wkey, values in weights.items():
                snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in str(wkey))
                fields = vector.get(snake) or []
                if isinstance(values, list) and fields and len(values) != len(fields):
                    self.error(f"weights.{wkey} has {len(values)} weight(s) for {len(fields)} {snake}",
                               (*path, "weights", wkey))

    def module(self, name: str, path: Path, kinds: frozenset[str], holder: dict[str, Any]
               ) -> catalog.ModuleSpec | None:
        spec = catalog.lookup(name)
        if spec is None:
            known = [n for n, s in catalog.MODULES.items() if s.kind in kinds]
            hint = did_you_mean(name, known)
            if "module_config" in holder and hint is None:
                self.warning(f"module '{name}' is not known to weavectl; its module_config is passed through "
                             "as given", path)
            else:
                self.error(f"unknown module '{name}'", path,
                           hint or "for a module weavectl does not know yet, give its settings in module_config")
            return None
        if spec.kind not in kinds:
            self.error(f"'{name}' is a {spec.kind} module, not a {'/'.join(sorted(kinds))} module", path)
            return None
        if spec.deprecated:
            self.warning(f"module '{name}' is deprecated: {spec.deprecated}", path)
        for credential in spec.all_credentials:
            self.used_credentials.add(credential)
        return spec

    def params(self, spec: catalog.ModuleSpec, holder: dict[str, Any], path: Path, given: list[str]) -> None:
        allowed = {p.name: p for p in spec.params}
        for key in given:
            if key not in allowed:
                self.error(f"'{key}' is not a setting of {spec.name}", (*path, key),
                           did_you_mean(key, allowed) or f"its settings: {', '.join(sorted(allowed)) or 'none'}")
                continue
            param = allowed[key]
            if param.enum is not None and param.type == "string" and not isinstance(holder[key], str):
                # The modules read such a setting as a string and fall back to their default for any other
                # value, storing it as sent (v1.39.3 usecases/modulecomponents/settings/
                # class_settings_property_helper.go GetPropertyAsString): accepted, but it does nothing.
                self.warning(f"{spec.name} {key} is {holder[key]!r}, not one of {', '.join(param.enum)}: the "
                             "server stores it as given but uses its default instead", (*path, key))
            elif param.enum is not None and holder[key] not in param.enum:
                self.error(f"{spec.name} {key} must be one of {', '.join(param.enum)}, found {holder[key]!r}",
                           (*path, key), did_you_mean(str(holder[key]), param.enum))
        for key in spec.required:
            if key not in holder and key not in (holder.get("module_config") or {}):
                self.error(f"{spec.name} needs '{key}'", path)

    def module_ref(self, ref: dict[str, Any], path: Path, kind: str) -> None:
        if "module" not in ref:
            return
        spec = self.module(str(ref.get("module")), (*path, "module"), frozenset({kind}), ref)
        if spec is not None:
            self.params(spec, ref, path, [k for k in ref if k not in MODULE_REF_COMMON_KEYS])

    def property_vectorization(self, prop: dict[str, Any], path: Path, modules: set[str],
                               vectors: dict[str, dict[str, Any]]) -> None:
        for key in ("skip_vectorization", "vectorize_property_name"):
            value = prop.get(key)
            if isinstance(value, dict):
                for module in value:
                    spec = catalog.lookup(module)
                    if spec is None or spec.name not in modules:
                        self.error(f"{key} names module '{module}', which no vector of this collection uses",
                                   (*path, key, module), did_you_mean(module, sorted(modules)))
                    elif not spec.has_property_settings:
                        self.error(f"{module} has no per-property settings: choose its inputs with "
                                   "text_fields / image_fields instead", (*path, key, module))
            elif value is not None and modules and not property_setting_modules(sorted(modules)):
                self.warning(f"{key} has no effect: no vector of this collection uses a text2vec module "
                             "(multimodal modules take text_fields / image_fields)", (*path, key))
        skip = prop.get("skip_vectorization")
        if not skip:
            return
        for vname, vector in vectors.items():
            spec = catalog.lookup(str(vector.get("vectorizer")))
            skipped = skip is True or (isinstance(skip, dict) and spec is not None and skip.get(spec.name))
            if skipped and prop.get("name") in (vector.get("source_properties") or []):
                self.error(f"property '{prop.get('name')}' is skipped in vectorization, but vector '{vname}' "
                           "names it as a source property", (*path, "skip_vectorization"))

    def smoke(self, smoke: dict[str, Any], path: Path, types: dict[str, str],
              vectors: dict[str, dict[str, Any]]) -> None:
        if "objects" in smoke and "objects_file" in smoke:
            self.error("give smoke objects inline or in objects_file, not both", (*path, "objects_file"))
        for i, obj in enumerate(smoke.get("objects") or []):
            if not isinstance(obj, dict):
                continue
            for key in obj:
                if key not in types and key not in ("id", "_id"):
                    self.error(f"smoke object sets '{key}', which is not a property of this collection",
                               (*path, "objects", i, key), did_you_mean(str(key), list(types)))
        named = [n for n in vectors if n != "(legacy vector)"]
        for i, query in enumerate(smoke.get("queries") or []):
            if isinstance(query, dict):
                self.smoke_query(query, (*path, "queries", i), types, vectors, named)

    def smoke_query(self, query: dict[str, Any], qpath: Path, types: dict[str, str],
                    vectors: dict[str, dict[str, Any]], named: list[str]) -> None:
        kinds = [k for k in ("near_text", "hybrid") if k in query]
        if len(kinds) != 1:
            self.error("a smoke query has exactly one of near_text or hybrid", qpath)
        if "alpha" in query and "hybrid" not in query:
            self.error("alpha applies to hybrid queries only", (*qpath, "alpha"))
        target = query.get("target_vector")
        if target is not None and target not in named:
            self.error(f"target_vector '{target}' is not a named vector of this collection",
                       (*qpath, "target_vector"), did_you_mean(str(target), named))
        if target is None and len(named) > 1:
            self.error("this collection has several named vectors: the query needs a target_vector", qpath)
        aimed = vectors.get(str(target)) if target is not None else (
            next(iter(vectors.values())) if len(vectors) == 1 else None)
        if kinds and isinstance(aimed, dict) and aimed.get("vectorizer") == "none":
            self.error(f"a {kinds[0]} query needs a vectorizer to embed its text, but the vector it searches "
                       "has vectorizer: none", (*qpath, kinds[0]))
        raw_expect = query.get("expect")
        expect: dict[str, Any] = raw_expect if isinstance(raw_expect, dict) else {}
        for j, item in enumerate(expect.get("top") or []):
            for key in item if isinstance(item, dict) else []:
                if key not in types and key not in ("id", "_id"):
                    self.error(f"expect.top names '{key}', which is not a property of this collection",
                               (*qpath, "expect", "top", j, key), did_you_mean(str(key), list(types)))

    # -- key sources -----------------------------------------------------------------------------------
    def key_sources(self, data: dict[str, Any]) -> None:
        sections: list[tuple[Path, dict[str, Any]]] = [(("api_keys",), data.get("api_keys") or {})]
        for ename, env in (data.get("environments") or {}).items():
            if isinstance(env, dict):
                sections.append((("environments", ename, "api_keys"), env.get("api_keys") or {}))
                if isinstance(env.get("auth"), dict):
                    self.key_source_values(env["auth"], ("environments", ename, "auth"))
                if isinstance(env.get("auth"), dict) and "literal" in env["auth"]:
                    self.warning("a literal Weaviate API key is written in the file; prefer env, file or "
                                 "command", ("environments", ename, "auth", "literal"))
        for base, keys in sections:
            for name, source in keys.items():
                kpath = (*base, name)
                if looks_like_secret(name):
                    self.error("this api_keys entry is named with what looks like a key itself: name the "
                               "provider (openai, cohere, ...) and give a key source (env, file, command)", kpath)
                    continue
                if isinstance(source, dict):
                    self.key_source_values(source, kpath)
                if name not in catalog.CREDENTIALS:
                    self.error(f"unknown provider credential '{name}'", kpath,
                               did_you_mean(name, catalog.CREDENTIALS)
                               or f"known: {', '.join(sorted(catalog.CREDENTIALS))}")
                    continue
                if isinstance(source, dict) and "literal" in source:
                    self.warning(f"the {name} key is written literally in the file; prefer env, file or command",
                                 (*kpath, "literal"))
                if name not in self.used_credentials:
                    self.warning(f"a key source is declared for '{name}', but no module in the file uses it",
                                 kpath)

    def key_source_values(self, source: dict[str, Any], kpath: Path) -> None:
        """A key written where the name of its variable or file belongs: reported by where, never by value."""
        env, file = source.get("env"), source.get("file")
        if isinstance(env, str) and "${" not in env and not _ENV_NAME.match(env):
            self.error("`env` must name an environment variable (letters, digits and _)"
                       + (", and this looks like a key itself: put the key in a variable and name the variable "
                          "here" if looks_like_secret(env) else ""), (*kpath, "env"))
        if isinstance(file, str) and looks_like_secret(file):
            self.error("`file` looks like a key itself, not a path: put the key in a file and name the file "
                       "here", (*kpath, "file"))


def check(doc: Document, diags: Diagnostics) -> None:
    _Checker(doc, diags).run()
