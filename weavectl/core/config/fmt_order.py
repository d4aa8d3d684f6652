"""The canonical key order `weavectl fmt` writes, derived from the config's JSON Schema (core.schema) so a new
setting needs no second list. Pure.

Within a mapping: the keys a reader looks for first (name, vectorizer, model, module, type...), then the rest
in schema order, then the escape hatches (module_config, extra) last. Keys the schema does not know keep their
place after the known ones.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from weavectl.core.config.schema import build_schema

ROOT_ORDER = ("version", "default_environment", "api_keys", "environments", "external", "collections")
FIRST = ("name", "vectorizer", "module", "type", "model", "dimensions", "url", "env", "file", "command")
LAST = ("module_config", "extra", "smoke")


@cache
def _schema_keys() -> dict[str, tuple[str, ...]]:
    schema = build_schema()
    out: dict[str, tuple[str, ...]] = {"root": ROOT_ORDER}
    for name, definition in schema["$defs"].items():
        out[name] = tuple(definition.get("properties") or {})
    return out


def order_for(kind: str) -> tuple[str, ...]:
    known = _schema_keys().get(kind, ())
    if kind == "root":
        return known
    head = [k for k in FIRST if k in known]
    tail = [k for k in LAST if k in known]
    return (*head, *[k for k in known if k not in head and k not in tail], *tail)


def sort_keys(keys: list[str], kind: str) -> list[str]:
    order = {k: i for i, k in enumerate(order_for(kind))}
    known = sorted((k for k in keys if k in order), key=order.__getitem__)
    return known + [k for k in keys if k not in order]


def child_kind(kind: str, key: Any) -> str | None:
    """The schema definition a mapping's value follows (None: keep its keys as written)."""
    table: dict[tuple[str, str], str] = {
        ("root", "api_keys"): "key_sources", ("root", "environments"): "environments",
        ("root", "collections"): "collection", ("collection", "properties"): "property",
        ("property", "nested_properties"): "nested_property", ("nested_property", "nested_properties"):
        "nested_property", ("collection", "vectors"): "vectors", ("collection", "vector"): "vector",
        ("vector", "index"): "vector_index", ("vector_index", "hnsw"): "nested_index",
        ("vector_index", "flat"): "nested_index", ("collection", "generative"): "generative",
        ("collection", "reranker"): "reranker", ("environment", "auth"): "key_source",
        ("environment", "api_keys"): "key_sources",
    }
    if kind == "key_sources":
        return "key_source"
    if kind == "environments":
        return "environment"
    if kind == "vectors":
        return "vector"
    return table.get((kind, str(key)))
