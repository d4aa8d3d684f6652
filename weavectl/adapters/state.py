"""weavectl's own records in the cluster, in one collection (`WeavectlState`): the apply lock, which collections a
configuration owns, migration checkpoints. Never a secret.

One object per record: id = uuid5(WEAVECTL_STATE_NAMESPACE, "{kind}/{key}"), properties `kind` and `key` (text,
field tokenization), `data` (a JSON document) and `updated_at` (date). The collection is created on first write.

`create` is create-if-absent. Weaviate's POST /v1/objects refuses an id that exists (usecases/objects/add.go,
checkIDOrAssignNew), but that check and the write are two separate steps on the server, so two creates racing
through the same instant can both be answered 200; the later write wins. `create` therefore writes a nonce with
the record, waits a moment for any racing write to land, and reads the record back: only the writer whose nonce
is stored has created it. The loser sees the winner's record and gets False.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from weavectl.adapters.weaviate import WeaviateClient, WeaviateRestError
from weavectl.core.plan.ownership import STATE_COLLECTION

__all__ = ["KINDS", "STATE_COLLECTION", "WEAVECTL_STATE_NAMESPACE", "StateStore", "object_id"]

WEAVECTL_STATE_NAMESPACE = uuid.UUID("8f4b3c2e-6a1d-5e7f-9b0c-2d4e6f8a1b3c")
KINDS = ("lock", "owner", "migration")
NONCE = "_weavectl_nonce"
PAGE = 100

STATE_CLASS: dict[str, Any] = {
    "class": STATE_COLLECTION,
    "description": "weavectl's records (apply lock, ownership, migration checkpoints); never a secret",
    "vectorizer": "none",
    "vectorIndexType": "flat",  # 1.32/1.35 want the index type sent; nothing here is searched by vector
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
    """Records in `WeavectlState` through weavectl's REST adapter."""

    def __init__(self, client: WeaviateClient, *, settle: float = 0.3) -> None:
        self.client = client
        self.settle = settle  # how long `create` waits for a racing write before reading back
        self._ensured = False

    # -- collection --------------------------------------------------------------------------------
    def _ensure(self) -> None:
        if self._ensured:
            return
        if self.client.get_class(STATE_COLLECTION) is None:
            body = {**STATE_CLASS, "replicationConfig": {"factor": self._replication_factor()}}
            try:
                self.client.request("POST", "/v1/schema", json=body, retry=False)
            except WeaviateRestError as exc:  # another weavectl created it first
                if exc.status != 422 or "exist" not in (exc.body + exc.message).lower():
                    raise
        self._ensured = True

    def _replication_factor(self) -> int:
        """One replica per node up to three: the lock and the records must stay writable (quorum of replicas)
        while one node of a cluster is down. Weaviate writes at QUORUM by default (usecases/replica)."""
        from weavectl.adapters.cluster import read_nodes

        try:
            nodes = len(read_nodes(self.client))
        except WeaviateRestError:
            nodes = 1
        return max(1, min(3, nodes))

    def _path(self, kind: str, key: str) -> str:
        return f"/v1/objects/{STATE_COLLECTION}/{object_id(kind, key)}"

    @staticmethod
    def _body(kind: str, key: str, data: dict[str, Any]) -> dict[str, Any]:
        return {"class": STATE_COLLECTION, "id": object_id(kind, key), "properties": {
            "kind": kind, "key": key, "data": json.dumps(data, sort_keys=True, default=str),
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds")}}

    def _read(self, kind: str, key: str) -> dict[str, Any] | None:
        resp = self.client.request("GET", self._path(kind, key), ok=(200, 404))
        if resp.status_code == 404:
            return None
        try:
            found = json.loads(resp.json()["properties"]["data"])
        except (ValueError, KeyError, TypeError):
            return {}
        return found if isinstance(found, dict) else {}

    # -- contract ----------------------------------------------------------------------------------
    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        if self.client.get_class(STATE_COLLECTION) is None and not self._ensured:
            return None
        found = self._read(kind, key)
        if found is not None:
            found.pop(NONCE, None)
        return found

    def put(self, kind: str, key: str, data: dict[str, Any]) -> int | None:
        """Upsert, through the batch endpoint: it overwrites by id on every supported version, while `PUT
        /v1/objects/{c}/{id}` of a missing id answers 404 on 1.39 and 500 "no object with id" on 1.32.

        Returns the record's `lastUpdateTimeUnix` as the server answered it: the server's clock in milliseconds
        when it took the write (usecases/objects/batch_add.go sets it on arrival), None if the answer lacks it."""
        self._ensure()
        resp = self.client.request("POST", "/v1/batch/objects", json={"objects": [self._body(kind, key, data)]})
        try:
            results = resp.json()
        except ValueError:
            results = None
        errors = [err.get("message", "") for item in (results if isinstance(results, list) else [])
                  for err in (((item.get("result") or {}).get("errors") or {}).get("error") or [])]
        if not isinstance(results, list) or errors:
            raise WeaviateRestError(f"writing weavectl's record {kind}/{key} to {STATE_COLLECTION} failed: "
                                    f"{'; '.join(errors) or resp.text[:300]}")
        stamp = results[0].get("lastUpdateTimeUnix") if results and isinstance(results[0], dict) else None
        return stamp if isinstance(stamp, int) and not isinstance(stamp, bool) else None

    def create(self, kind: str, key: str, data: dict[str, Any]) -> bool:
        """Create-if-absent: True only for the one writer whose record is stored; False if it existed."""
        self._ensure()
        nonce = uuid.uuid4().hex
        resp = self.client.request("POST", "/v1/objects", json=self._body(kind, key, {**data, NONCE: nonce}),
                                   retry=False, ok=(200, 422))
        if resp.status_code == 422:
            if "already exists" in resp.text:
                return False
            raise WeaviateRestError(f"POST /v1/objects ({STATE_COLLECTION} {kind}/{key}): {resp.text[:300]}",
                                    status=422, body=resp.text[:2000])
        time.sleep(self.settle)
        stored = self._read(kind, key)
        return stored is not None and stored.get(NONCE) == nonce

    def delete(self, kind: str, key: str) -> None:
        if self.client.get_class(STATE_COLLECTION) is None and not self._ensured:
            return
        self.client.request("DELETE", self._path(kind, key), ok=(200, 204, 404))

    def list(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        """Every record of `kind`, as (key, data), sorted by key."""
        if self.client.get_class(STATE_COLLECTION) is None:
            return []
        out: list[tuple[str, dict[str, Any]]] = []
        after = ""
        while True:
            query = f"/v1/objects?class={STATE_COLLECTION}&limit={PAGE}" + (f"&after={after}" if after else "")
            objects = list(self.client.get_json(query).get("objects") or [])
            for obj in objects:
                props = obj.get("properties") or {}
                if props.get("kind") != kind:
                    continue
                try:
                    data = json.loads(props.get("data") or "{}")
                except ValueError:
                    data = {}
                if isinstance(data, dict):
                    data.pop(NONCE, None)
                out.append((str(props.get("key", "")), data if isinstance(data, dict) else {}))
            if len(objects) < PAGE:
                break
            after = str(objects[-1]["id"])
        return sorted(out, key=lambda kv: kv[0])
