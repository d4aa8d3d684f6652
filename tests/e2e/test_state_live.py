"""The in-cluster state collection against a real server: upsert, atomic create-if-absent, list, delete."""

from __future__ import annotations

import threading
import uuid

import httpx
import pytest

from weavectl.adapters.state import STATE_COLLECTION, StateStore, object_id
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server


def _store(server: WeaviateServer) -> StateStore:
    return StateStore(WeaviateClient(server.url, api_key=server.api_keys[0] if server.api_keys else None))


def test_state_store_round_trip(weaviate: WeaviateServer) -> None:
    store = _store(weaviate)
    key = f"k{uuid.uuid4().hex[:8]}"
    assert store.get("owner", key) is None
    store.put("owner", key, {"config": "a.yaml"})
    assert store.get("owner", key) == {"config": "a.yaml"}
    store.put("owner", key, {"config": "b.yaml"})
    assert store.get("owner", key) == {"config": "b.yaml"}
    assert (key, {"config": "b.yaml"}) in store.list("owner")
    assert all(k != key for k, _ in store.list("lock"))
    assert store.create("owner", key, {"config": "c.yaml"}) is False  # exists: untouched
    assert store.get("owner", key) == {"config": "b.yaml"}
    # the stored object follows the contract: id from kind/key, properties kind/key/data/updated_at
    obj = httpx.get(f"{weaviate.url}/v1/objects/{STATE_COLLECTION}/{object_id('owner', key)}").json()
    assert obj["properties"]["kind"] == "owner" and obj["properties"]["key"] == key
    assert "updated_at" in obj["properties"]
    store.delete("owner", key)
    assert store.get("owner", key) is None
    store.delete("owner", key)  # deleting what is gone is fine


def test_create_if_absent_has_one_winner(weaviate: WeaviateServer) -> None:
    key = f"race{uuid.uuid4().hex[:8]}"
    _store(weaviate).put("lock", "warmup", {})  # the collection exists before the race
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def contend(n: int) -> None:
        store = _store(weaviate)
        barrier.wait()
        results.append(store.create("lock", key, {"holder": n}))

    threads = [threading.Thread(target=contend, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1, results
    winner = _store(weaviate).get("lock", key)
    assert winner is not None and isinstance(winner["holder"], int)
    _store(weaviate).delete("lock", key)
    _store(weaviate).delete("lock", "warmup")
