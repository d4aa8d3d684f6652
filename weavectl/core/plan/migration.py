"""The pure part of a migration: which replace becomes a migrate, to which generation, which vectors are copied
and which re-embedded, who references the collection, and what re-embedding costs. No I/O.

core.plan.decide decides migrate (an immutable field changes and the collection declares `on_replace: migrate`);
`fill_migration` then fills in what the migrate does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from weavectl.core.plaindata import plain_copy_map
from weavectl.core.plan.generations import generation_number, migrates, next_generation
from weavectl.core.plan.model import Action, Change, FieldKind
from weavectl.core.weaviate.defaults import vectorize_class_name_default
from weavectl.core.weaviate.rest import collection_name

LEGACY_VECTOR = "(unnamed)"  # the legacy single vector of a collection without named vectors


def vectors_to_reembed(desired: Mapping[str, Any], live: Mapping[str, Any], change: Change) -> tuple[
        list[str], list[str]]:
    """(vectors copied as they are, vectors the new generation embeds again).

    A bring-your-own vector (`none`) is always copied; a module vector is copied unless its vectorizer settings
    changed (a changed index alone does not change the vector) or it is new.
    """
    copied: list[str] = []
    embedded: list[str] = []
    changed = [f.parts for f in change.fields]
    live_vectors = live.get("vectorConfig") or {}
    for name, vector in (desired.get("vectorConfig") or {}).items():
        module = next(iter(vector.get("vectorizer") or {"none": {}}))
        if module == "none":
            copied.append(name)
        elif name not in live_vectors or any(p[:3] == ("vectorConfig", name, "vectorizer") for p in changed):
            embedded.append(name)
        else:
            copied.append(name)
    legacy = desired.get("vectorizer")
    if legacy is not None or (not desired.get("vectorConfig") and live.get("vectorizer")):
        module = str(legacy or live.get("vectorizer"))
        if module != "none" and any(p == ("vectorizer",) or p[:2] == ("moduleConfig", module) for p in changed):
            embedded.append(LEGACY_VECTOR)
        else:
            copied.append(LEGACY_VECTOR)
    return copied, embedded


def referenced_by(current: str, base: str, live_classes: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Properties of other collections that reference the migrated one: they keep pointing at the old name."""
    out: list[dict[str, str]] = []
    names = {current.lower(), base.lower()}
    for cls in live_classes:
        cname = str(cls.get("class", ""))
        if generation_number(base, cname) is not None:
            continue
        for prop in cls.get("properties") or []:
            targets = [t for t in prop.get("dataType") or [] if str(t).lower() in names]
            if targets:
                out.append({"collection": cname, "property": str(prop.get("name")), "points_at": targets[0]})
    return out


def new_generation_body(desired: Mapping[str, Any], base: str, target: str) -> dict[str, Any]:
    """The file's REST body under the new generation's name; references to the collection itself follow it."""
    body = plain_copy_map(dict(desired))
    body["class"] = target
    for prop in body.get("properties") or []:
        types = prop.get("dataType") or []
        prop["dataType"] = [target if str(t).lower() == base.lower() else t for t in types]
    return body


def to_migrate(change: Change, coll: Mapping[str, Any], live: Mapping[str, Any] | None,
               live_classes: Sequence[Mapping[str, Any]], resume: str | None = None) -> None:
    """Turn the replace of an `on_replace: migrate` collection into a migrate (in place), for a change decided
    without its collection; the planner decides migrate itself (core.plan.decide)."""
    if change.action is not Action.REPLACE or not migrates(coll) or live is None or change.desired is None:
        return
    change.action = Action.MIGRATE
    fill_migration(change, coll, live, live_classes, resume)


def fill_migration(change: Change, coll: Mapping[str, Any], live: Mapping[str, Any],
                   live_classes: Sequence[Mapping[str, Any]], resume: str | None = None) -> None:
    """A migrate's new generation, its body, the vectors copied and re-embedded, who references it (in place)."""
    if change.desired is None:
        return
    base = collection_name(str(coll["name"]))
    names = [str(c.get("class", "")) for c in live_classes]
    target = next_generation(base, names, resume)
    copied, embedded = vectors_to_reembed(change.desired, live, change)
    aliases = [collection_name(str(a)) for a in coll.get("aliases") or []]
    change.fields = [f for f in change.fields if f.kind is not FieldKind.ALIAS]  # the swap points them
    change.desired = new_generation_body(change.desired, base, target)
    refs = referenced_by(change.collection, base, live_classes)
    change.migration = {"collection": base, "from": change.collection, "to": target, "aliases": aliases,
                        "copy_vectors": copied, "reembed_vectors": embedded, "referenced_by": refs}
    if resume == target:
        change.migration["resume"] = True
    for name in embedded:
        vector = (change.desired.get("vectorConfig") or {}).get(name) or {}
        pair: tuple[str, dict[str, Any]] = next(iter((vector.get("vectorizer") or {}).items()), ("", {}))
        module, settings = pair
        if (settings or {}).get("vectorizeClassName", vectorize_class_name_default(module)):
            change.warnings.append(
                f"vector {name} is embedded again with the collection name in its text (vectorize_collection_name "
                f"is on or left to the module's default), and the new generation is called {target}: set "
                "vectorize_collection_name: false to embed the same text whatever the generation")
    for ref in refs:
        change.warnings.append(
            f"{ref['collection']}.{ref['property']} references {ref['points_at']}: its references keep pointing at "
            f"the old generation {change.collection} (references name the physical collection, not the alias). "
            f"After the migration, re-import {ref['collection']}'s references to {target}, or keep "
            f"{change.collection} until you have (it is kept until `weavectl prune-generations`)")


def stale_vectors(change: Change) -> list[str]:
    """Vectors an in-place update re-configures (a model change): stored objects keep vectors of the old model."""
    out: list[str] = []
    for f in change.fields:
        parts = f.parts
        if f.kind is FieldKind.UPDATE and parts[0] == "vectorConfig" and len(parts) > 2 and \
                parts[2] == "vectorizer" and parts[1] not in out:
            out.append(parts[1])
    return out


# -- cost ------------------------------------------------------------------------------------------------
def estimate(*, objects: int, sample_lengths: list[int], unit: str, price: Mapping[str, Any] | None,
             rate_limit: Mapping[str, Any] | None, batch_size: int = 100) -> dict[str, Any]:
    """Tokens, price and duration for embedding `objects` objects, from the lengths of a sample of their texts.

    `unit` is "tokens" (counted with the model's tokenizer) or "characters" (then tokens ~ characters / 4, the
    rule of thumb providers give for English). Everything is an estimate and is labelled so.
    """
    mean = (sum(sample_lengths) / len(sample_lengths)) if sample_lengths else 0.0
    per_object = mean if unit == "tokens" else mean / 4
    tokens = math.ceil(per_object * objects)
    out: dict[str, Any] = {"objects_to_embed": objects, "sampled_objects": len(sample_lengths),
                           "estimated_tokens": tokens,
                           "token_basis": "tokenizer" if unit == "tokens" else "characters / 4"}
    if price is not None:
        usd = tokens / 1_000_000 * float(price["usd_per_million_tokens"])
        out["estimated_price_usd"] = round(usd, 6)
        out["price_source"] = {"url": price.get("source"), "checked": price.get("checked")}
    else:
        out["estimated_price_usd"] = None
    if rate_limit:
        minutes = []
        if rate_limit.get("tokens_per_minute"):
            minutes.append(tokens / float(rate_limit["tokens_per_minute"]))
        if rate_limit.get("requests_per_minute"):
            minutes.append(math.ceil(objects / batch_size) / float(rate_limit["requests_per_minute"]))
        if minutes:
            out["estimated_seconds"] = round(max(minutes) * 60, 1)
            out["duration_basis"] = f"declared rate_limit, {batch_size} objects per request"
    return out
