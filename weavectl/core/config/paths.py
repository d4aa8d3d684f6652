"""Plan paths and values in the config's vocabulary: REST path <-> config path, REST value -> config value;
and the `ignore_changes` paths a file names, checked against the config's JSON Schema.

Pure. The differ works in Weaviate's REST shape (`invertedIndexConfig.bm25.b`,
`vectorConfig.main.vectorizer.text2vec-openai.model`); people read the file's words (`inverted_index.bm25.b`,
`vectors.main.model`). The vocabulary is the one `core.rest.to_rest` writes with (its SECTIONS, PROPERTY_KEYS,
PROPERTY_MODULE_FLAGS, VECTOR_KEYS tables and `camel`) and the module catalogue's parameter names, read here in
reverse, so the two directions cannot drift.
"""

from __future__ import annotations

import re
from typing import Any

from weavectl.core.config.diagnostics import Diagnostics
from weavectl.core.config.suggest import did_you_mean
from weavectl.core.config.yamldoc import Document
from weavectl.core.weaviate import catalog
from weavectl.core.weaviate.rest import (
    PROPERTY_KEYS,
    PROPERTY_MODULE_FLAGS,
    QUANTIZER_TYPES,
    SECTIONS,
    SNAKE_EXCEPTIONS,
    VECTOR_KEYS,
    camel,
)

_SECTION_BY_REST = {rest: key for key, rest in SECTIONS}
RestPath = tuple[str, ...]  # a REST path, one part per key: ("vectorConfig", "main", "vectorizer")


def _parts(path: RestPath | str) -> list[str]:
    """A REST path's parts; a dotted one (a message's head, a test's literal) is split here, once."""
    return path.split(".") if isinstance(path, str) else list(path)
_SECTION_BY_CONFIG = dict(SECTIONS)
_PROPERTY_BY_REST = {camel(k): k for k in PROPERTY_KEYS}
_PROPERTY_FLAG_BY_REST = {rest: key for key, rest in PROPERTY_MODULE_FLAGS}
_PROPERTY_FLAG_BY_CONFIG = dict(PROPERTY_MODULE_FLAGS)
_VECTOR_KEY_BY_REST = {rest: key for key, rest in VECTOR_KEYS}
_VECTOR_KEY_BY_CONFIG = dict(VECTOR_KEYS)
_VECTOR_MODULE_KINDS = ("text2vec", "multi2vec", "text2multivec", "multi2multivec")


def snake(key: str) -> str:
    """camelCase -> snake_case, the inverse of `rest.camel` on the keys weavectl writes."""
    if key in SNAKE_EXCEPTIONS:
        return SNAKE_EXCEPTIONS[key]
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def _join(*parts: str) -> str:
    return ".".join(p for p in parts if p)


def _param_key(module: str, key: str, *, to_rest: bool) -> str | None:
    """One module setting's key in the other vocabulary (config name <-> REST key): a vector key or one of the
    module's catalogue parameters; None when neither has it."""
    vector_keys = _VECTOR_KEY_BY_CONFIG if to_rest else _VECTOR_KEY_BY_REST
    if key in vector_keys:
        return vector_keys[key]
    spec = catalog.lookup(module)
    for param in spec.params if spec else ():
        source, target = (param.name, param.rest_key) if to_rest else (param.rest_key, param.name)
        if source == key:
            return target
    return None


def _param_name(module: str, rest_key: str) -> str:
    """The config key of one module setting: a catalogue parameter, a vector key, or module_config.<key>."""
    name = _param_key(module, rest_key, to_rest=False)
    return f"module_config.{rest_key}" if name is None else name


def _param_rest_key(module: str, name: str) -> str | None:
    return _param_key(module, name, to_rest=True)


def _index_tail(parts: list[str]) -> str:
    if not parts:
        return ""
    head, rest = parts[0], parts[1:]
    if head in QUANTIZER_TYPES:
        if not rest or rest == ["enabled"]:
            return "quantizer"
        return _join("quantizer", *map(snake, rest))
    if head in ("hnsw", "flat"):
        return _join(head, _index_tail(rest))
    return _join(*map(snake, parts))


def _vector_tail(parts: list[str]) -> str:
    if not parts:
        return ""
    head, rest = parts[0], parts[1:]
    if head == "vectorizer":
        if not rest:
            return "vectorizer"  # the module name itself
        if len(rest) == 1:
            return ""  # all of the module's settings: the vector entry
        return _join(_param_name(rest[0], rest[1]), *rest[2:])
    if head == "vectorIndexType":
        return "index.type"
    if head == "vectorIndexConfig":
        return _join("index", _index_tail(rest))
    return _join(*map(snake, parts))


def _property_tail(parts: list[str], value: Any = None) -> str:
    if not parts:
        return ""
    head, rest = parts[0], parts[1:]
    if head == "dataType":
        return "target_collection" if _is_reference(value) else "data_type"
    if head in _PROPERTY_BY_REST:
        return _PROPERTY_BY_REST[head]
    if head == "moduleConfig" and len(rest) >= 2 and rest[1] in _PROPERTY_FLAG_BY_REST:
        return _PROPERTY_FLAG_BY_REST[rest[1]]  # written once for all the collection's modules
    if head == "moduleConfig":
        return _join("module_config", *rest)
    if head == "nestedProperties":
        return _join("nested_properties", *rest)
    return _join(*map(snake, parts))


def _is_reference(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(t, str) and t[:1].isupper() for t in value)


def config_path(rest_path: RestPath | str, live: dict[str, Any] | None = None, *, value: Any = None) -> str:
    """`vectorConfig.main.vectorizer.text2vec-openai.model` -> `vectors.main.model`, and so on for every path
    the differ writes (also the paths `ignore_changes` names). `value` (a before or after) tells a reference's
    dataType from a plain one; `live` is accepted for callers that have the class at hand (unused: a module's
    kind, from the catalogue, says where its class-level settings belong)."""
    parts = _parts(rest_path)
    head, rest = parts[0], parts[1:]
    if head == "properties" and rest:
        return _join("properties", rest[0], _property_tail(rest[1:], value))
    if head == "vectorConfig" and rest:
        return _join("vectors", rest[0], _vector_tail(rest[1:]))
    if head in ("vectorizer", "vectorIndexType", "vectorIndexConfig"):
        return _join("vector", _vector_tail(parts))
    if head == "moduleConfig" and rest:
        module, tail = rest[0], rest[1:]
        kind = catalog.kind_of(module)
        if kind in ("generative", "reranker"):
            return _join(str(kind), *[_param_name(module, tail[0]), *tail[1:]] if tail else [])
        if kind in _VECTOR_MODULE_KINDS:  # class-level settings of a vectorizer belong to the legacy vector
            return _join("vector", *[_param_name(module, tail[0]), *tail[1:]] if tail else [])
        return _join("module_config", *rest)
    if head in _SECTION_BY_REST:
        return _join(_SECTION_BY_REST[head], *map(snake, rest))
    return ".".join(snake(p) for p in parts)


def rest_path(path: str, desired: dict[str, Any]) -> str:
    """The inverse of `config_path`: needs the collection's REST body (`rest.to_rest`) to know which module a
    vector's or a generative block's settings belong to."""
    parts = path.split(".")
    head, rest = parts[0], parts[1:]
    if head == "properties" and rest:
        props = desired.get("properties") or []
        prop: dict[str, Any] = next((p for p in props if str(p.get("name")).lower() == rest[0].lower()), {})
        return _join("properties", rest[0], _rest_property_tail(rest[1:], prop))
    if head == "vectors" and rest:
        vector = (desired.get("vectorConfig") or {}).get(rest[0]) or {}
        module = next(iter(vector.get("vectorizer") or {}), "none")
        return _join("vectorConfig", rest[0], _rest_vector_tail(rest[1:], str(module), vector))
    if head == "vector":
        module = str(desired.get("vectorizer") or "none")
        if rest and rest[0] not in ("vectorizer", "index"):
            key = _param_rest_key(module, rest[0]) or rest[0]
            return _join("moduleConfig", module, key, *rest[1:])
        return _rest_vector_tail(rest, module, desired, legacy=True)
    if head in ("generative", "reranker"):
        module = next((m for m in desired.get("moduleConfig") or {} if catalog.kind_of(m) == head), head)
        if not rest:
            return f"moduleConfig.{module}"
        return _join("moduleConfig", module, _rest_module_key(module, rest))
    if head == "module_config":
        return _join("moduleConfig", *rest)
    if head in _SECTION_BY_CONFIG:
        return _join(_SECTION_BY_CONFIG[head], *map(camel, rest))
    return path


def _rest_module_key(module: str, parts: list[str]) -> str:
    if parts[0] == "module_config":
        return _join(*parts[1:])
    return _join(_param_rest_key(module, parts[0]) or parts[0], *parts[1:])


def _rest_vector_tail(parts: list[str], module: str, vector: dict[str, Any], legacy: bool = False) -> str:
    if not parts:
        return ""
    head, rest = parts[0], parts[1:]
    if head == "vectorizer":
        return "vectorizer"
    if head == "index":
        if rest == ["type"]:
            return "vectorIndexType"
        return _join("vectorIndexConfig", _rest_index_tail(rest, vector.get("vectorIndexConfig") or {}))
    if legacy:
        return _join("moduleConfig", module, _rest_module_key(module, parts))
    return _join("vectorizer", module, _rest_module_key(module, parts))


def _rest_index_tail(parts: list[str], config: dict[str, Any]) -> str:
    if not parts:
        return ""
    head, rest = parts[0], parts[1:]
    if head == "quantizer":
        qtype = next((q for q in QUANTIZER_TYPES if q in config), "quantizer")
        return qtype if not rest else _join(qtype, *map(camel, rest))
    if head in ("hnsw", "flat"):
        return _join(head, _rest_index_tail(rest, config.get(head) or {}))
    return _join(*map(camel, parts))


def _property_flag_module(prop: dict[str, Any], flag: str) -> str:
    return next((m for m, v in (prop.get("moduleConfig") or {}).items() if isinstance(v, dict) and flag in v), "")


def _rest_property_tail(parts: list[str], desired: dict[str, Any]) -> str:
    if not parts:
        return ""
    head, rest = parts[0], parts[1:]
    if head in ("data_type", "target_collection"):
        return "dataType"
    if head in _PROPERTY_FLAG_BY_CONFIG:
        module = rest[0] if rest else _property_flag_module(desired, _PROPERTY_FLAG_BY_CONFIG[head])
        return _join("moduleConfig", module, _PROPERTY_FLAG_BY_CONFIG[head])
    if head == "module_config":
        return _join("moduleConfig", *rest)
    if head == "nested_properties":
        return _join("nestedProperties", *rest)
    return _join(*[camel(p) for p in parts])


# -- values -----------------------------------------------------------------------------------------------

def config_value(rest: RestPath | str, value: Any) -> Any:
    """A REST value at `rest` (a before or an after) written as the file writes it."""
    if value is None:
        return None
    parts = _parts(rest)
    if parts[0] == "properties" and len(parts) == 2 and isinstance(value, dict):
        return property_value(value)
    if parts[0] == "properties" and parts[-1] == "dataType" and isinstance(value, list):
        return value[0] if len(value) == 1 else list(value)
    if parts[0] == "properties" and parts[-1] == "nestedProperties" and isinstance(value, list):
        return [property_value(p, nested=True) for p in value if isinstance(p, dict)]
    if parts[0] == "vectorConfig" and len(parts) == 2 and isinstance(value, dict):
        return vector_value(value)
    if parts[-1] == "vectorIndexConfig" and isinstance(value, dict):
        return index_value(value)
    if "vectorIndexConfig" in parts and parts[-1] in QUANTIZER_TYPES and isinstance(value, dict):
        return index_value({parts[-1]: {"enabled": True, **value}}).get("quantizer") if value.get(
            "enabled", True) else {"type": parts[-1], "enabled": False}
    if parts[0] == "moduleConfig" and len(parts) == 2 and isinstance(value, dict):
        module = parts[1]
        if all(isinstance(v, dict) for v in value.values()) and all(catalog.lookup(m) for m in value):
            # "replaces generative-x": before holds {module: settings}
            return [module_value(m, s) for m, s in value.items()]
        return module_value(module, value)
    if isinstance(value, dict) and parts[0] in _SECTION_BY_REST:
        return _snake_keys(value)
    return value


def _snake_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {snake(str(k)): _snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake_keys(v) for v in value]
    return value


def module_value(module: str, settings: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"module": module}
    raw: dict[str, Any] = {}
    for key, setting in settings.items():
        name = _param_name(module, key)
        if name.startswith("module_config."):
            raw[key] = setting
        else:
            out[name] = setting
    if raw:
        out["module_config"] = raw
    return out


def property_value(prop: dict[str, Any], nested: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"name": prop.get("name")}
    dtype = prop.get("dataType")
    if isinstance(dtype, list) and _is_reference(dtype) and not nested:
        out["target_collection"] = dtype[0] if len(dtype) == 1 else list(dtype)
    elif isinstance(dtype, list):
        out["data_type"] = dtype[0] if len(dtype) == 1 else list(dtype)
    for key, setting in prop.items():
        if key in ("name", "dataType"):
            continue
        if key in _PROPERTY_BY_REST:
            out[_PROPERTY_BY_REST[key]] = setting
        elif key == "nestedProperties" and isinstance(setting, list):
            out["nested_properties"] = [property_value(p, nested=True) for p in setting if isinstance(p, dict)]
        elif key == "moduleConfig" and isinstance(setting, dict):
            for module, flags in setting.items():
                for flag, flag_value in (flags or {}).items():
                    name = _PROPERTY_FLAG_BY_REST.get(flag)
                    if name is not None:
                        out.setdefault(name, {})[module] = flag_value
                    else:
                        out.setdefault("module_config", {}).setdefault(module, {})[flag] = flag_value
        else:
            out[snake(key)] = _snake_keys(setting)
    return out


def index_value(config: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, setting in config.items():
        if key in QUANTIZER_TYPES and isinstance(setting, dict):
            if setting.get("enabled"):
                out["quantizer"] = {"type": key, **{snake(k): _snake_keys(v) for k, v in setting.items()
                                                    if k != "enabled"}}
        elif key in ("hnsw", "flat") and isinstance(setting, dict):
            out[key] = index_value(setting)
        else:
            out[snake(key)] = _snake_keys(setting)
    return out


def vector_value(vector: dict[str, Any], legacy_settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """A REST vector (a vectorConfig entry) as a config vector entry."""
    vectorizer = vector.get("vectorizer")
    out: dict[str, Any] = {}
    if isinstance(vectorizer, dict) and vectorizer:
        (module, settings), = list(vectorizer.items())[:1]
    else:
        module, settings = str(vectorizer or "none"), legacy_settings or {}
    out["vectorizer"] = module
    for key, setting in (settings or {}).items():
        name = _param_name(str(module), key)
        if name.startswith("module_config."):
            out.setdefault("module_config", {})[key] = setting
        else:
            out[name] = setting
    index: dict[str, Any] = {}
    if "vectorIndexType" in vector:
        index["type"] = vector["vectorIndexType"]
    index.update(index_value(vector.get("vectorIndexConfig") or {}))
    if index:
        out["index"] = index
    return out


def collection_value(body: dict[str, Any]) -> dict[str, Any]:
    """A REST class body (create / replace) in the config's vocabulary, every declared value included."""
    out: dict[str, Any] = {"name": body.get("class")}
    if "description" in body:
        out["description"] = body["description"]
    if "properties" in body:
        out["properties"] = [property_value(p) for p in body["properties"]]
    modules = dict(body.get("moduleConfig") or {})
    if "vectorizer" in body:
        legacy = str(body["vectorizer"])
        out["vector"] = vector_value(body, modules.pop(legacy, {}) or {})
    if "vectorConfig" in body:
        out["vectors"] = {name: vector_value(v) for name, v in body["vectorConfig"].items()}
    raw: dict[str, Any] = {}
    for module, settings in modules.items():
        kind = catalog.kind_of(module)
        if kind in ("generative", "reranker"):
            out[str(kind)] = module_value(module, settings or {})
        else:
            raw[module] = settings
    if raw:
        out["module_config"] = raw
    for key, rest_key in SECTIONS:
        if rest_key in body:
            out[key] = _snake_keys(body[rest_key])
    return out


def config_text(text: str) -> str:
    """A message that starts with a REST path (`vectorConfig.v.vectorizer.text2vec-openai: ...`), reworded to
    start with the config path instead."""
    head, sep, tail = text.partition(": ")
    if sep and " " not in head and "." in head:
        return f"{config_path(head)}: {tail}"
    return text


def ignored_by(path: str, ignore: list[str] | tuple[str, ...]) -> bool:
    """A path is ignored when an ignore entry names it or one of its parents."""
    return any(path == entry or path.startswith(entry + ".") for entry in ignore)


# -- validation -------------------------------------------------------------------------------------------------------
_NOT_SETTINGS = frozenset({"name", "state", "protect", "smoke", "ignore_changes"})


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = root["$defs"][str(node["$ref"]).rsplit("/", 1)[-1]]
    return node


def path_problem(path: str, root: dict[str, Any]) -> tuple[str, str | None] | None:
    """(message, hint) when `path` names no setting of a collection; None when it does."""
    node = _resolve(root["$defs"]["collection"], root)
    parts = path.split(".")
    i = 0
    while i < len(parts):
        part = parts[i]
        node = _resolve(node, root)
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            items = _resolve(node["items"], root)
            if "name" in (items.get("properties") or {}):  # properties / nested properties: by name
                node = items
                i += 1
                continue
            return (f"'{'.'.join(parts[:i])}' is a list: nothing below it can be named", None)
        props = node.get("properties")
        if not isinstance(props, dict) or not props:
            extra = node.get("additionalProperties")
            if isinstance(extra, dict):  # named vectors: any name
                node = extra
                i += 1
                continue
            if node.get("type") == "object" or "anyOf" in node:
                return None  # raw module_config / extra: any key
            return (f"'{'.'.join(parts[:i])}' is a single value: nothing below it can be named", None)
        choices = [k for k in props if not (i == 0 and k in _NOT_SETTINGS)]
        if part not in choices:
            return (f"'{part}' is not a setting at '{'.'.join(parts[:i]) or 'the collection'}'",
                    did_you_mean(part, choices))
        node = props[part]
        i += 1
    return None


def check_ignore_changes(doc: Document, diags: Diagnostics, root: dict[str, Any]) -> None:
    collections = doc.data.get("collections") if isinstance(doc.data, dict) else None
    for j, coll in enumerate(collections if isinstance(collections, list) else []):
        if not isinstance(coll, dict) or not isinstance(coll.get("ignore_changes"), list):
            continue
        for k, entry in enumerate(coll["ignore_changes"]):
            if not isinstance(entry, str):
                continue
            problem = path_problem(entry, root)
            if problem is not None:
                where = ("collections", j, "ignore_changes", k)
                diags.error(f"ignore_changes: {problem[0]}", where, doc.position(where), problem[1])
