"""What weavectl remembers, kept in the cluster it describes: one weavectl-owned collection, `WeavectlState`.

Kinds: `lock` (the apply lock), `owner` (what a configuration owns), `migration` (a migration's checkpoints).
One object per (kind, key), id = uuid5(namespace, "kind/key"), so writes are idempotent upserts. Never a secret.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from weavectl.adapters.weaviate import WeaviateClient, WeaviateRestError
from weavectl.core.generations import STATE_COLLECTION

WEAVECTL_STATE_NAMESPACE = uuid.UUID("6f1b6c2e-3c39-4c55-9d0e-2f4f3e8a5b17")

STATE_CLASS: dict[str, Any] = {
    "class": STATE_COLLECTION,
    "description": "weavectl's own state (apply lock, ownership, migration checkpoints); managed by weavectl",
    "vectorizer": "none",
    "properties": [
        {"name": "kind", "dataType": ["text"], "tokenization": "field"},
        {"name": "key", "dataType": ["text"], "tokenization": "field"},
        {"name": "data", "dataType": ["text"], "indexFilterable": False, "indexSearchable": False},
        {"name": "updated_at", "dataType": ["date"]},
    ],
}


def state_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(WEAVECTL_STATE_NAMESPACE, f"{kind}/{key}"))


class StateStore:
    def __init__(self, client: WeaviateClient) -> None:
        self.client = client
        self._ready = False

    def _ensure(self) -> None:
        if self._ready:
            return
        if self.client.get_class(STATE_COLLECTION) is None:
            try:
                self.client.create_class(STATE_CLASS)
            except WeaviateRestError as exc:  # created meanwhile by another run
                if exc.status != 422 or self.client.get_class(STATE_COLLECTION) is None:
                    raise
        self._ready = True

    def _body(self, kind: str, key: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"class": STATE_COLLECTION, "id": state_id(kind, key), "properties": {
            "kind": kind, "key": key, "data": json.dumps(data, sort_keys=True),
            "updated_at": datetime.now(UTC).isoformat().replace("+00:00", "Z")}}

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        if self.client.get_class(STATE_COLLECTION) is None:
            return None
        resp = self.client.request("GET", f"/v1/objects/{STATE_COLLECTION}/{state_id(kind, key)}", ok=(200, 404))
        if resp.status_code == 404:
            return None
        data: dict[str, Any] = json.loads(resp.json()["properties"]["data"])
        return data

    def put(self, kind: str, key: str, data: dict[str, Any]) -> None:
        self._ensure()
        # A batch write by id replaces the object or creates it (PUT /v1/objects answers 404 when it is absent):
        # an idempotent upsert (usecases/objects/batch_add.go).
        answer = self.client.request("POST", "/v1/batch/objects", json={"objects": [self._body(kind, key, data)]})
        for item in answer.json() or []:
            errors = ((item.get("result") or {}).get("errors") or {}).get("error") or []
            if errors:
                raise WeaviateRestError(f"saving weavectl state {kind}/{key}: {errors[0].get('message')}")

    def create(self, kind: str, key: str, data: dict[str, Any]) -> bool:
        """Create if absent; False if it exists (POST with an id that exists is refused with 422)."""
        self._ensure()
        resp = self.client.request("POST", "/v1/objects", json=self._body(kind, key, data), retry=False,
                                   ok=(200, 422))
        return resp.status_code == 200

    def delete(self, kind: str, key: str) -> None:
        if self.client.get_class(STATE_COLLECTION) is None:
            return
        self.client.request("DELETE", f"/v1/objects/{STATE_COLLECTION}/{state_id(kind, key)}", ok=(204, 404))

    def list(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        if self.client.get_class(STATE_COLLECTION) is None:
            return []
        out: list[tuple[str, dict[str, Any]]] = []
        after = ""
        while True:
            page = self.client.get_json(f"/v1/objects?class={STATE_COLLECTION}&limit=100"
                                        + (f"&after={after}" if after else ""))
            objects = page.get("objects") or []
            for obj in objects:
                props = obj.get("properties") or {}
                if props.get("kind") == kind:
                    out.append((str(props.get("key")), json.loads(str(props.get("data") or "{}"))))
            if len(objects) < 100:
                return sorted(out)
            after = str(objects[-1]["id"])
