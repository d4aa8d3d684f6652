"""Paths in the config's own vocabulary (`vectors.main.index.ef`, `inverted_index.bm25`), for `ignore_changes`.

Pure. `config_path` turns a differ path (Weaviate's REST shape) into the config path a user writes;
`check_ignore_changes` validates the paths a file lists against the config's JSON Schema, with "did you mean".
"""

from __future__ import annotations

import re
from typing import Any

from weavectl.core import catalog
from weavectl.core.diagnostics import Diagnostics
from weavectl.core.suggest import did_you_mean
from weavectl.core.yamldoc import Document

_SECTIONS = {"invertedIndexConfig": "inverted_index", "replicationConfig": "replication",
             "shardingConfig": "sharding", "multiTenancyConfig": "multi_tenancy", "objectTtlConfig": "object_ttl"}
_PROPERTY_KEYS = {"dataType": "data_type", "nestedProperties": "nested_properties"}
_PROPERTY_MODULE_KEYS = {"skip": "skip_vectorization", "vectorizePropertyName": "vectorize_property_name"}


def snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def _module_key(module: str, key: str) -> str:
    if key == "vectorizeClassName":
        return "vectorize_collection_name"
    if key == "properties":
        return "source_properties"
    spec = catalog.lookup(module)
    by_rest = {p.rest_key: p.name for p in spec.params} if spec else {}
    return by_rest.get(key, f"module_config.{key}")


def _index(parts: list[str]) -> str:
    out: list[str] = []
    for i, part in enumerate(parts):
        if part in ("pq", "bq", "sq", "rq"):
            rest = [snake(p) for p in parts[i + 1:] if p != "enabled"]
            return ".".join([*out, "quantizer", *rest])
        out.append(part if part in ("hnsw", "flat") else snake(part))
    return ".".join(out)


def _vector(parts: list[str]) -> str:
    if not parts:
        return ""
    head, *rest = parts
    if head == "vectorizer":
        return "vectorizer" if len(rest) < 2 else _module_key(rest[0], rest[1])
    if head == "vectorIndexType":
        return "index.type"
    if head == "vectorIndexConfig":
        return ".".join(["index", _index(rest)]) if rest else "index"
    return snake(head)


def _join(*parts: str) -> str:
    return ".".join(p for p in parts if p)


def config_path(rest_path: str, live: dict[str, Any] | None = None) -> str:
    """'vectorConfig.main.vectorIndexConfig.ef' -> 'vectors.main.index.ef' (best effort for raw keys)."""
    parts = rest_path.split(".")
    head = parts[0]
    legacy = str((live or {}).get("vectorizer") or "")
    if head in _SECTIONS:
        return _join(_SECTIONS[head], *(snake(p) for p in parts[1:]))
    if head == "properties" and len(parts) > 1:
        rest = parts[2:]
        if rest[:1] == ["moduleConfig"] and len(rest) >= 3:
            return _join("properties", parts[1], _PROPERTY_MODULE_KEYS.get(rest[2], f"module_config.{rest[1]}"))
        return _join("properties", parts[1], *(_PROPERTY_KEYS.get(p, snake(p)) for p in rest))
    if head == "vectorConfig" and len(parts) > 1:
        return _join("vectors", parts[1], _vector(parts[2:]))
    if head in ("vectorizer", "vectorIndexType", "vectorIndexConfig"):
        return _join("vector", _vector(parts))
    if head == "moduleConfig" and len(parts) > 1:
        module = parts[1]
        if catalog.same_module(module, legacy) and legacy:
            return _join("vector", _module_key(module, parts[2]) if len(parts) > 2 else "")
        kind = catalog.kind_of(module)
        if kind in ("generative", "reranker"):
            key = parts[2] if len(parts) > 2 else ""
            spec = catalog.lookup(module)
            by_rest = {p.rest_key: p.name for p in spec.params} if spec else {}
            return _join(str(kind), by_rest.get(key, f"module_config.{key}") if key else "")
        return _join("module_config", *parts[1:])
    return ".".join(snake(p) for p in parts)


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
