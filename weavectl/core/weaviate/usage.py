"""Which modules a collection uses: read from the file's shape (`vectors`, `vector`, `generative`, `reranker`)
or from the server's (`vectorConfig`, legacy `vectorizer`). Every reader that needs a collection's module names
asks here (code that works per vector walks the vectors itself); what a module *is* (kind, credentials,
per-property settings) stays in `catalog`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from weavectl.core.weaviate import catalog


def _unique(names: Iterable[str]) -> list[str]:
    found: list[str] = []
    for name in names:
        if name not in found:
            found.append(name)
    return found


def config_vectorizers(coll: dict[str, Any]) -> list[str]:
    """The vectorizer of each vector the file declares (named vectors first, then the legacy `vector`), as
    written, `none` included."""
    vectors = list((coll.get("vectors") or {}).values())
    if coll.get("vector"):
        vectors.append(coll["vector"])
    return [str(v.get("vectorizer")) for v in vectors if isinstance(v, dict)]


def used_modules(coll: dict[str, Any]) -> list[str]:
    """Every module the file's collection uses (vectorizers, generative, reranker), by catalogue name, once."""
    names = [*config_vectorizers(coll),
             *(str(coll[k]["module"]) for k in ("generative", "reranker") if coll.get(k))]
    return _unique(spec.name if (spec := catalog.lookup(n)) else n for n in names if n != "none")


def rest_vectorizers(cls: dict[str, Any]) -> list[str]:
    """The vectorizer module of each vector a REST class body has, one entry per vector (a module two vectors use
    is listed twice): named vectors first, then the legacy one; `none` left out."""
    names = [module for vector in (cls.get("vectorConfig") or {}).values() for module in vector.get("vectorizer") or {}]
    if cls.get("vectorizer"):
        names.append(str(cls["vectorizer"]))
    return [n for n in names if n != "none"]


def property_setting_modules(names: Iterable[str]) -> list[str]:
    """Of these module names, the ones with per-property settings (skip, vectorizePropertyName), as written, once."""
    return _unique(n for n in names if (spec := catalog.lookup(n)) is not None and spec.has_property_settings)
