"""Which live collections a configuration owns, so `--prune` deletes only those. Pure.

apply records, in the cluster (`WeavectlState`, kind `owner`, key = the collection's lower-cased name), the
owner of every collection it converged: the file's `owner:` (default "default"). prune then deletes a live
collection the file does not mention only when its record names this owner; the others are left alone, each
with the reason.
"""

from __future__ import annotations

from typing import Any

from weavectl.core.plan.model import Action, Plan

STATE_COLLECTION = "WeavectlState"
OWNER_KIND = "owner"
DEFAULT_OWNER = "default"


def owner_of(data: dict[str, Any]) -> str:
    return str(data.get("owner") or DEFAULT_OWNER)


def restrict_prune(plan: Plan, owner: str, records: dict[str, dict[str, Any]],
                   declared_absent: set[str]) -> None:
    """Drop prune deletes of collections this owner is not known to own; say why each is left alone.

    `records`: lower-cased collection name -> its owner record. `declared_absent`: collections the file marks
    `state: absent` (an explicit delete, not a prune)."""
    kept = []
    for change in plan.changes:
        name = change.collection.lower()
        if change.action is not Action.DELETE or name in declared_absent:
            kept.append(change)
            continue
        record = records.get(name)
        if record is not None and owner_of(record) == owner:
            kept.append(change)
            continue
        reason = (f"owned by '{owner_of(record)}'" if record is not None else
                  "no ownership record: weavectl did not create or adopt it for this configuration")
        plan.left_alone.append(f"{change.collection} ({reason})")
        plan.fingerprints.pop(change.collection, None)
    plan.changes = kept


def hide_state_collection(plan: Plan) -> None:
    plan.unmanaged = [n for n in plan.unmanaged if n != STATE_COLLECTION]
    plan.changes = [c for c in plan.changes if c.collection != STATE_COLLECTION]
    plan.fingerprints.pop(STATE_COLLECTION, None)
