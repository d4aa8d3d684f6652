"""Generations of an `on_replace: migrate` collection. Pure.

The file names the collection as written (`Article`); the physical collections are its generations: `Article`
(the first), then `Article_v2`, `Article_v3`, ... Applications reach it through its aliases, and the generation
the aliases point at is the one the file's `Article` means. Numbers only grow, so a rolled-back generation is
never reused by the next migration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from weavectl.core.plan.ownership import STATE_COLLECTION
from weavectl.core.weaviate.rest import collection_name

__all__ = ["STATE_COLLECTION"]

_SUFFIX = re.compile(r"^(?P<base>.+)_v(?P<n>[0-9]+)$", re.IGNORECASE)


def generation_name(base: str, number: int) -> str:
    return base if number == 1 else f"{base}_v{number}"


def generation_number(base: str, name: str) -> int | None:
    """1 for the base name itself, N for `<base>_vN`, None for anything else (case-insensitive)."""
    if name.lower() == base.lower():
        return 1
    match = _SUFFIX.match(name)
    if match and match["base"].lower() == base.lower() and int(match["n"]) >= 2:
        return int(match["n"])
    return None


def generations(base: str, live_names: Iterable[str]) -> list[str]:
    """The live generations of `base`, oldest first."""
    found = [(n, name) for name in live_names if (n := generation_number(base, name)) is not None]
    return [name for _, name in sorted(found)]


def migrates(coll: Mapping[str, Any]) -> bool:
    return coll.get("on_replace") == "migrate"


def alias_targets(live_aliases: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    return {str(a.get("alias", "")).lower(): str(a.get("class", "")) for a in live_aliases}


def current_generation(coll: Mapping[str, Any], live_names: Iterable[str],
                       live_aliases: Iterable[Mapping[str, Any]]) -> str:
    """The live collection the file's name means: the generation its first alias points at; else the name."""
    base = collection_name(str(coll["name"]))
    if not migrates(coll):
        return base
    names = list(live_names)
    by_lower = {n.lower(): n for n in names}
    targets = alias_targets(live_aliases)
    for alias in coll.get("aliases") or []:
        target = targets.get(collection_name(str(alias)).lower())
        if target and generation_number(base, target) is not None and target.lower() in by_lower:
            return by_lower[target.lower()]
    gens = generations(base, names)
    return base if base.lower() in by_lower or not gens else gens[-1]


def next_generation(base: str, live_names: Iterable[str], resume: str | None = None) -> str:
    """The name of the next generation; `resume`: the target of an unfinished migration, reused as is."""
    if resume and generation_number(base, resume) is not None:
        return resume
    numbers = [n for name in live_names if (n := generation_number(base, name)) is not None]
    return generation_name(base, max(numbers, default=0) + 1)


def kept_generations(collections: Iterable[Mapping[str, Any]], live_names: Iterable[str],
                     live_aliases: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """For each migrating collection of the file: the current generation and the older/newer ones kept."""
    names = list(live_names)
    aliases = list(live_aliases)
    out: dict[str, dict[str, Any]] = {}
    for coll in collections:
        if not migrates(coll) or coll.get("state") == "absent":
            continue
        base = collection_name(str(coll["name"]))
        gens = generations(base, names)
        if not gens:
            continue
        current = current_generation(coll, names, aliases)
        out[base] = {"current": current, "kept": [g for g in gens if g != current]}
    return out


def generation_groups(classes: Iterable[str], live_aliases: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """For export, which sees no file: base name -> its generations, for bases with a `_vN` generation that an
    alias points at (or that an alias points back at after a rollback)."""
    names = list(classes)
    targets = {t.lower() for t in alias_targets(live_aliases).values()}
    groups: dict[str, list[str]] = {}
    for name in names:
        match = _SUFFIX.match(name)
        if not match or int(match["n"]) < 2:
            continue
        base = next((n for n in names if n.lower() == match["base"].lower()), match["base"])
        gens = generations(base, names)
        if any(g.lower() in targets for g in gens):
            groups[base] = gens
    return groups
