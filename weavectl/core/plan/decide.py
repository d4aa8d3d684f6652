"""The one place a change's action is decided. Pure.

The differ, the replication check and the aliases only gather fields (`Differences`); the action follows from
all of them together: create when nothing is live, replace when any field is immutable (migrate instead when the
collection declares `on_replace: migrate`), update when anything differs, no-op otherwise. Deletes are decided
where a collection is declared absent or pruned (core.plan.planner), from no fields at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from weavectl.core.plan.migration import fill_migration
from weavectl.core.plan.model import Action, Change, Differences, FieldChange, FieldKind


@dataclass(frozen=True)
class Migrating:
    """An `on_replace: migrate` collection that is live: a replace of it is a migrate to a new generation."""

    coll: Mapping[str, Any]  # the config collection
    live: Mapping[str, Any]  # its current generation's live definition
    live_classes: Sequence[Mapping[str, Any]]
    resume: str | None = None  # the target of an unfinished migration


def decide_action(fields: Sequence[FieldChange], *, exists: bool = True, migrate: bool = False) -> Action:
    if not exists:
        return Action.CREATE
    if any(f.kind is FieldKind.IMMUTABLE for f in fields):
        return Action.MIGRATE if migrate else Action.REPLACE
    return Action.UPDATE if fields else Action.NOOP


def decide(found: Differences, desired: dict[str, Any], *, protect: bool = False,
           migrating: Migrating | None = None) -> Change:
    """`desired`: the declared REST body (kept on the change for a create, replace or migrate)."""
    action = decide_action(found.fields, exists=found.exists, migrate=migrating is not None)
    change = Change(collection=found.collection, action=action, fields=found.fields, warnings=found.warnings,
                    errors=found.errors, desired=desired if action in (Action.CREATE, Action.REPLACE, Action.MIGRATE)
                    else None, protect=protect, drift=found.drift, ignored=found.ignored)
    if action is Action.MIGRATE and migrating is not None:
        fill_migration(change, migrating.coll, migrating.live, migrating.live_classes, migrating.resume)
    return change
