"""weavectl's own records in the cluster, in one collection (`WeavectlState`): apply locks, which collections a
configuration owns, migration checkpoints. Never a secret.

One object per record, id = uuid5(WEAVECTL_STATE_NAMESPACE, "{kind}/{key}"), properties kind, key, data (a
JSON document) and updated_at. The collection is created on the first write.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from weavectl.adapters.weaviate import WeaviateClient, WeaviateRestError
from weavectl.core.ownership import STATE_COLLECTION

WEAVECTL_STATE_NAMESPACE = uuid.UUID("8f4b3c2e-6a1d-5e7f-9b0c-2d4e6f8a1b3c")
PAGE = 100

STATE_CLASS: dict[str, Any] = {
    "class": STATE_COLLECTION,
    "description": "weavectl's records (apply lock, ownership, migration checkpoints); never a secret",
    "vectorizer": "none",
    "vectorIndexType": "flat",  # 1.32/1.35 need the index type sent; nothing here is ever searched by vector
    "properties": [
        {"name": "kind", "dataType": ["text"], "tokenization": "field"},
        {"name": "key", "dataType": ["text"], "tokenization": "field"},
        {"name": "data", "dataType": ["text"], "indexSearchable": False, "indexFilterable": False},
        {"name": "updated_at", "dataType": ["date"]},
    ],
}


def object_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(WEAVECTL_STATE_NAMESPACE, f"{kind}/{key}"))


class StateStore:
    def __init__(self, client: WeaviateClient) -> None:
        self.client = client
        self._ensured = False

    def _ensure(self) -> None:
        if self._ensured:
            return
        try:
            self.client.request("POST", "/v1/schema", json=STATE_CLASS, retry=False)
        except WeaviateRestError as exc:
            if exc.status != 422 or "already exists" not in exc.body:
                raise
        self._ensured = True

    def _body(self, kind: str, key: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"class": STATE_COLLECTION, "id": object_id(kind, key), "properties": {
            "kind": kind, "key": key, "data": json.dumps(data, sort_keys=True),
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds")}}

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        resp = self.client.request("GET", f"/v1/objects/{STATE_COLLECTION}/{object_id(kind, key)}", ok=(200, 404))
        if resp.status_code == 404:
            return None
        found: dict[str, Any] = json.loads(resp.json()["properties"]["data"])
        return found

    def create(self, kind: str, key: str, data: dict[str, Any]) -> bool:
        self._ensure()
        resp = self.client.request("POST", "/v1/objects", json=self._body(kind, key, data), retry=False,
                                   ok=(200, 422))
        return resp.status_code == 200

    def put(self, kind: str, key: str, data: dict[str, Any]) -> None:
        if not self.create(kind, key, data):
            self.client.request("PUT", f"/v1/objects/{STATE_COLLECTION}/{object_id(kind, key)}",
                                json=self._body(kind, key, data))

    def delete(self, kind: str, key: str) -> None:
        self.client.request("DELETE", f"/v1/objects/{STATE_COLLECTION}/{object_id(kind, key)}", ok=(204, 404))

    def list(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any]]] = []
        after = ""
        while True:  # bounded: each page moves `after` forward, and a short page ends it
            path = f"/v1/objects?class={STATE_COLLECTION}&limit={PAGE}" + (f"&after={after}" if after else "")
            resp = self.client.request("GET", path, ok=(200, 404, 422))
            objects = resp.json().get("objects") or [] if resp.status_code == 200 else []
            for obj in objects:
                props = obj.get("properties") or {}
                if props.get("kind") == kind:
                    out.append((str(props.get("key")), json.loads(props.get("data") or "{}")))
            if len(objects) < PAGE:
                return sorted(out)
            after = str(objects[-1]["id"])
