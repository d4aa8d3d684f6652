"""Cost before you pay: for every change that embeds again (migrate; in-place model changes that leave the stored
vectors stale), the objects to embed, tokens estimated from a sample of the real objects and the exact text the
module embeds (core.embed_text), a price from the dated table (weavectl/data/prices.json) and a duration from
the vector's declared `rate_limit`. A few reads per such collection, and only for those.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from weavectl.adapters import tokens
from weavectl.adapters.weaviate import WeaviateClient, WeaviateRestError
from weavectl.core.plan.migration import LEGACY_VECTOR, estimate, stale_vectors
from weavectl.core.plan.model import COST_WARNING_PREFIX, Action, Plan
from weavectl.core.weaviate.embed_text import vector_text, with_module_defaults
from weavectl.migrate import ACTIVE, count, tenants

SAMPLE = 50


@cache
def price_table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("weavectl").joinpath("data/prices.json").read_text())
    return data


def _price(module: str, model: str | None) -> dict[str, Any] | None:
    table = price_table()
    by_model = (table["prices"].get(module) or {})
    entry = by_model.get(str(model)) or by_model.get("*")
    if entry is None:
        return None
    return {**entry, "checked": table["checked"]}


def _sample(client: WeaviateClient, cls: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    name = str(cls["class"])
    tenant_q, total = "", 0
    if (cls.get("multiTenancyConfig") or {}).get("enabled"):
        # Sorted: the server lists tenants in no fixed order, and the sample must not change between two plans.
        active = sorted(n for n, s in tenants(client, name).items() if s in ACTIVE)
        total = sum(count(client, name, t) for t in active)
        tenant_q = f"&tenant={active[0]}" if active else ""
        if not active:
            return 0, []
    else:
        total = count(client, name, "")
    objects = client.get_json(f"/v1/objects?class={name}&limit={SAMPLE}{tenant_q}").get("objects") or []
    return total, [o.get("properties") or {} for o in objects]


def _rate_limit(collections: list[dict[str, Any]], base: str, vector: str) -> dict[str, Any] | None:
    for coll in collections:
        if str(coll.get("name", "")).lower() == base.lower():
            vec = (coll.get("vectors") or {}).get(vector) or (coll.get("vector") if vector == LEGACY_VECTOR else None)
            limit = (vec or {}).get("rate_limit")
            return limit if isinstance(limit, dict) else None
    return None


def add_costs(plan: Plan, client: WeaviateClient, collections: list[dict[str, Any]], version: str) -> None:
    table = price_table()
    for change in plan.changes:
        if change.action is Action.MIGRATE and change.migration is not None:
            vectors, target, base = (list(change.migration["reembed_vectors"]), change.desired or {},
                                     str(change.migration["collection"]))
        elif change.action is Action.UPDATE and stale_vectors(change):
            vectors, target, base = stale_vectors(change), {}, change.collection
        else:
            continue
        if not vectors:
            continue
        try:
            live = client.get_class(change.collection) or {}
            total, sample = _sample(client, live)
        except WeaviateRestError as exc:
            change.warnings.append(f"{COST_WARNING_PREFIX} reading a sample failed ({exc.message})")
            continue
        stored = with_module_defaults(target or live)
        if not target:  # in place: the declared settings overlaid on the live ones, for the text
            stored = with_module_defaults(live)
        per_vector: dict[str, Any] = {}
        for vector in vectors:
            name = "default" if vector == LEGACY_VECTOR else vector
            try:
                texts = [vector_text(stored, name, obj, version) for obj in sample]
            except KeyError:
                continue
            module = texts[0].module if texts else ""
            model = texts[0].model if texts else None
            lengths, unit = [], "characters"
            for t in texts:
                if t.text is not None:
                    n, unit = tokens.count(module, model, t.text)
                    lengths.append(n)
            est = estimate(objects=total, sample_lengths=lengths, unit=unit, price=_price(module, model),
                           rate_limit=_rate_limit(collections, base, vector))
            est.update({"module": module, "model": model,
                        "example_text": next((t.text for t in texts if t.text is not None), None)})
            per_vector[vector] = est
        cost = {"label": f"estimate, prices checked {table['checked']}", "vectors": per_vector}
        if change.action is Action.MIGRATE and change.migration is not None:
            change.migration["cost"] = cost
        else:
            change.cost = cost
            change.warnings.append("the stored objects keep vectors of the old model; re-import them (cost above), "
                                   "or declare on_replace: migrate")
