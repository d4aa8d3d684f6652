"""Object counts of live collections (GraphQL Aggregate meta count), for the collections a plan would destroy.

Only asked for collections being replaced or deleted, so a plan of many collections stays cheap.
"""

from __future__ import annotations

import json
from typing import Any

from weavectl.adapters.weaviate import WeaviateClient, WeaviateRestError


def _aggregate(client: WeaviateClient, name: str, tenant: str | None) -> int | None:
    args = f"(tenant: {json.dumps(tenant)})" if tenant else ""
    query = f"{{ Aggregate {{ {name}{args} {{ meta {{ count }} }} }} }}"
    resp = client.request("POST", "/v1/graphql", json={"query": query})
    body: dict[str, Any] = resp.json() or {}
    if body.get("errors"):
        return None  # e.g. an inactive (cold) tenant cannot be counted
    rows = ((body.get("data") or {}).get("Aggregate") or {}).get(name) or []
    count = ((rows[0] if rows else {}).get("meta") or {}).get("count")
    return int(count) if isinstance(count, int | float) else None


def count_objects(client: WeaviateClient, live: dict[str, Any]) -> tuple[int | None, dict[str, int]]:
    """(total, per tenant). Total is None when some part could not be counted."""
    name = str(live.get("class"))
    if not (live.get("multiTenancyConfig") or {}).get("enabled"):
        return _aggregate(client, name, None), {}
    try:
        tenants = client.get_json(f"/v1/schema/{name}/tenants") or []
    except WeaviateRestError:
        return None, {}
    per: dict[str, int] = {}
    total: int | None = 0
    for tenant in tenants:
        tname = str(tenant.get("name"))
        count = _aggregate(client, name, tname)
        if count is None:
            total = None
        else:
            per[tname] = count
            total = None if total is None else total + count
    return total, per
