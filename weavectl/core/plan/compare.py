"""Symmetric comparison of two clusters (or two environments of a file), in the config's own vocabulary. Pure.

Both sides are first exported (`core.export`: each server version's defaults left out, server-owned fields
dropped), so a collection left at its defaults on a 1.35 node and on a 1.39 node compares equal although the
two servers store different default values. The comparison is a leaf-by-leaf walk of the two documents: A
against B lists exactly the differences of B against A, with the sides swapped. Differences that the file's
per-environment overrides predict are marked expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from weavectl.core.config.paths import ignored_by
from weavectl.core.plan.diff import same
from weavectl.core.plan.planner import is_internal
from weavectl.core.weaviate.defaults import BM25_DEFAULTS
from weavectl.core.weaviate.rest import collection_name

ABSENT = "(absent)"  # not set on that side: the server's default, or no such collection / property


@dataclass(frozen=True)
class Difference:
    collection: str
    path: str  # config vocabulary, "" for the whole collection
    a: Any
    b: Any
    expected: bool = False  # predicted by the file's per-environment overrides

    def to_json(self) -> dict[str, Any]:
        return {"collection": self.collection, "path": self.path, "a": self.a, "b": self.b,
                "expected": self.expected}


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        if not value and path:
            out[path] = {}
        for key, child in value.items():
            _flatten(child, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) and "name" in v for v in value):
        for item in value:  # properties and nested properties: by name, order aside
            rest = {k: v for k, v in item.items() if k != "name"}
            key = f"{path}.{item['name']}"
            out[key] = "(property)"
            _flatten(rest, key, out)
    else:
        out[path] = value


def flatten_collection(coll: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    bm25 = (coll.get("inverted_index") or {}).get("bm25")
    if isinstance(bm25, dict):  # export writes both values (a create needs both); compare what is not default
        coll = {**coll, "inverted_index": {**coll["inverted_index"], "bm25": {
            k: v for k, v in bm25.items() if not same(v, BM25_DEFAULTS.get(k))}}}
    _flatten({k: v for k, v in coll.items() if k not in ("name", "smoke", "protect", "state", "ignore_changes")},
             "", out)
    return out


def _by_name(collections: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {collection_name(str(c.get("name", ""))).lower(): c for c in collections
            if isinstance(c, dict) and not is_internal(str(c.get("name", "")))}


def compare(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[Difference]:
    """Differences between two lists of config collections (exported or resolved), sorted, symmetric."""
    side_a, side_b = _by_name(a), _by_name(b)
    found: list[Difference] = []
    for key in sorted(set(side_a) | set(side_b)):
        ca, cb = side_a.get(key), side_b.get(key)
        name = str((ca or cb or {}).get("name"))
        if ca is None or cb is None:
            found.append(Difference(name, "", "(collection)" if ca else ABSENT, "(collection)" if cb else ABSENT))
            continue
        fa, fb = flatten_collection(ca), flatten_collection(cb)
        # A property present on one side only is reported once, not each of its settings.
        solo = {p for p in set(fa) ^ set(fb) if fa.get(p, fb.get(p)) == "(property)"}
        for path in sorted(set(fa) | set(fb)):
            if any(path.startswith(p + ".") for p in solo):
                continue
            va, vb = fa.get(path, ABSENT), fb.get(path, ABSENT)
            key = path.rsplit(".", 1)[-1]
            if va != ABSENT and vb != ABSENT and same(va, vb, key) and same(vb, va, key):
                continue
            found.append(Difference(name, path, va, vb))
    return found


def mark_expected(found: list[Difference], file_a: list[dict[str, Any]],
                  file_b: list[dict[str, Any]]) -> list[Difference]:
    """Differences at paths where the file itself declares different values for the two environments."""
    predicted: dict[str, list[str]] = {}
    for d in compare(file_a, file_b):
        predicted.setdefault(d.collection.lower(), []).append(d.path)
    return [Difference(d.collection, d.path, d.a, d.b, expected=bool(
        d.path and ignored_by(d.path, predicted.get(d.collection.lower(), [])))) for d in found]
