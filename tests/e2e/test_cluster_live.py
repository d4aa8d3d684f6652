"""weavectl on a real 3-node Weaviate cluster (loopback): replication, sharding, a node down, a leader killed
mid-apply, no quorum, and replication-factor changes through replica scaling.

One cluster for the whole file (session fixture `weaviate_cluster`); a test that stops or kills a node brings it
back before it ends, so the order of the tests does not matter.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.support.providers import LocalProviders
from tests.support.recording import RecordingTransport
from weavectl.adapters.weaviate import LEADER_READ_TIMEOUT_S
from weavectl.cli import run_cli
from weavectl.core.weaviate.version import parse_version
from weavectl.devserver.cluster import WeaviateCluster

pytestmark = pytest.mark.server

TEXTS = ["red apples grow in orchards", "tomato soup with basil", "a lazy brown fox sleeps", "trains run on rails",
         "the sea is deep and blue", "bread rises in the oven"]
EVERY_NODE_HOLDS_ALL = {f"node{i}": len(TEXTS) for i in (1, 2, 3)}  # object counts, as each node answers them


def cli(capsys: pytest.CaptureFixture[str], *argv: str, transport: httpx.BaseTransport | None = None
        ) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run_cli(list(argv), obj={"transport": transport} if transport else None)
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path: Path, collections: list[dict[str, Any]], name: str = "weavectl.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"version": 1, "collections": collections}, sort_keys=False))
    return path


def collection(name: str, factor: int, ollama: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "properties": [{"name": "text", "data_type": "text"}],
        "vectors": {"main": {"vectorizer": "text2vec-ollama", "api_endpoint": ollama, "model": "nomic-embed-text",
                             "vectorize_collection_name": False, "index": {"type": "hnsw"}}},
        "replication": {"factor": factor},
        "sharding": {"desired_count": 3},
        **extra,
    }


def scales(cluster: WeaviateCluster) -> bool:
    """Replica scaling (/v1/replication/scale) exists from 1.35."""
    return parse_version(cluster.version) >= (1, 35, 0)


def sharding_state(cluster: WeaviateCluster, name: str) -> dict[str, list[str]]:
    """Shard -> replica nodes, from the server's sharding state (RAFT; needs replica movement on)."""
    resp = httpx.get(f"{cluster.url}/v1/replication/sharding-state", params={"collection": name}, timeout=30)
    assert resp.status_code == 200, resp.text
    return {s["shard"]: sorted(s["replicas"]) for s in resp.json()["shardingState"]["shards"]}


def live_class(cluster: WeaviateCluster, name: str) -> dict[str, Any] | None:
    resp = httpx.get(f"{cluster.url}/v1/schema/{name}", timeout=30)
    return resp.json() if resp.status_code == 200 else None


def live_factor(cluster: WeaviateCluster, name: str) -> int:
    live = live_class(cluster, name)
    assert live is not None, f"{name} is not on the cluster"
    return int(live["replicationConfig"]["factor"])


def insert(cluster: WeaviateCluster, name: str, texts: list[str]) -> None:
    objects = [{"class": name, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{t}")), "properties": {"text": t}}
               for t in texts]
    resp = httpx.post(f"{cluster.url}/v1/batch/objects", json={"objects": objects},
                      params={"consistency_level": "ALL"}, timeout=60)
    assert resp.status_code == 200, resp.text
    assert not [r for r in resp.json() if (r.get("result") or {}).get("errors")], resp.text


def apply_with_texts(capsys: pytest.CaptureFixture[str], cluster: WeaviateCluster, tmp_path: Path,
                     coll: dict[str, Any]) -> None:
    """Apply `coll` to the cluster, then write TEXTS into it on every replica."""
    cfg = write(tmp_path, [coll])
    assert cli(capsys, "apply", "-f", str(cfg), "--url", cluster.url, "--auto-approve")[0] == 0
    insert(cluster, coll["name"], TEXTS)


def counts(cluster: WeaviateCluster, name: str) -> dict[str, int]:
    """The object count of `name` as each running node answers it (Aggregate through that node's URL).

    (`/v1/nodes?output=verbose` shard `objectCount` stays 0 until a memtable is flushed, so it cannot be used.)
    """
    out = {}
    for node in cluster.nodes:
        if node.running:
            resp = httpx.post(f"{node.url}/v1/graphql", json={"query": f"{{Aggregate{{{name}{{meta{{count}}}}}}}}"},
                              timeout=30)
            data = resp.json()
            assert not data.get("errors"), data
            out[node.name] = int(data["data"]["Aggregate"][name][0]["meta"]["count"])
    return out


def wait_counts(cluster: WeaviateCluster, name: str, expected: int, timeout: float = 60) -> dict[str, int]:
    """Until every running node answers `expected` (replica copies settle asynchronously)."""
    deadline = time.monotonic() + timeout
    seen = counts(cluster, name)
    while time.monotonic() < deadline and set(seen.values()) != {expected}:
        time.sleep(1)
        seen = counts(cluster, name)
    return seen


def plan_empty_everywhere(capsys: pytest.CaptureFixture[str], cluster: WeaviateCluster, cfg: Path) -> None:
    for node in cluster.nodes:
        if node.running:
            code, out, err = cli(capsys, "plan", "-f", str(cfg), "--url", node.url, "--detailed-exitcode")
            assert code == 0, f"plan through {node.name}: exit {code}\n{out}\n{err}"
            assert "No changes" in out
            assert "schema read leader-consistent via " + node.url in out


@pytest.fixture
def cluster(weaviate_cluster: WeaviateCluster) -> Iterator[WeaviateCluster]:
    """The shared cluster; whatever a test stopped is restarted, whatever it created is deleted."""
    before = {c["class"] for c in httpx.get(f"{weaviate_cluster.url}/v1/schema", timeout=30).json()["classes"]}
    yield weaviate_cluster
    for node in weaviate_cluster.nodes:
        if not node.running:
            weaviate_cluster.restart_node(node.name)
    for cls in httpx.get(f"{weaviate_cluster.url}/v1/schema", timeout=60).json()["classes"]:
        if cls["class"] not in before:
            httpx.delete(f"{weaviate_cluster.url}/v1/schema/{cls['class']}", timeout=60)


@pytest.fixture
def name() -> str:
    return f"C{uuid.uuid4().hex[:8]}"


def test_apply_factor_3_sharded_then_plan_and_smoke_through_every_node(
        cluster: WeaviateCluster, providers: LocalProviders, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        name: str) -> None:
    smoke = {"objects": [{"text": t} for t in TEXTS[:3]],
             "queries": [{"hybrid": "tomato soup", "alpha": 0.5, "expect": {"top": [{"text": TEXTS[1]}]}}]}
    cfg = write(tmp_path, [collection(name, 3, providers["ollama"].url, smoke=smoke)])
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", cluster.nodes[1].url, "--auto-approve")
    assert code == 0, out + err
    assert "Verified: a fresh plan shows no changes." in out
    shards = sharding_state(cluster, name)
    assert len(shards) == 3 and all(nodes == ["node1", "node2", "node3"] for nodes in shards.values()), shards
    plan_empty_everywhere(capsys, cluster, cfg)
    for node in cluster.nodes:
        code, out, err = cli(capsys, "smoke", "-f", str(cfg), "--url", node.url, "--grpc-address", node.grpc_address)
        assert code == 0, f"smoke through {node.name}:\n{out}\n{err}"


def test_raising_the_factor_copies_replicas_then_sets_it(
        cluster: WeaviateCluster, providers: LocalProviders, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        name: str) -> None:
    apply_with_texts(capsys, cluster, tmp_path, collection(name, 1, providers["ollama"].url))
    assert all(len(nodes) == 1 for nodes in sharding_state(cluster, name).values())
    assert counts(cluster, name) == EVERY_NODE_HOLDS_ALL

    cfg = write(tmp_path, [collection(name, 3, providers["ollama"].url)])
    code, out, err = cli(capsys, "plan", "-f", str(cfg), "--url", cluster.url, "--format", "json")
    if not scales(cluster):
        assert code == 1 and "needs Weaviate >= 1.35" in out, out + err
        assert cli(capsys, "apply", "-f", str(cfg), "--url", cluster.url, "--auto-approve")[0] == 1
        assert live_factor(cluster, name) == 1
        return
    assert code == 0, out + err
    assert '"kind": "replicas"' in out and "/v1/replication/scale" in out
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", cluster.url, "--auto-approve")
    assert code == 0, out + err
    assert "copies ready" in err and "Verified: a fresh plan shows no changes." in out
    assert live_factor(cluster, name) == 3
    shards = sharding_state(cluster, name)
    assert all(nodes == ["node1", "node2", "node3"] for nodes in shards.values()), shards
    assert wait_counts(cluster, name, len(TEXTS)) == EVERY_NODE_HOLDS_ALL
    plan_empty_everywhere(capsys, cluster, cfg)


def test_lowering_the_factor_needs_allow_destroy(
        cluster: WeaviateCluster, providers: LocalProviders, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        name: str) -> None:
    apply_with_texts(capsys, cluster, tmp_path, collection(name, 3, providers["ollama"].url))
    before = live_class(cluster, name)

    cfg = write(tmp_path, [collection(name, 2, providers["ollama"].url)])
    transport = RecordingTransport()
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", cluster.url, "--auto-approve",
                         transport=transport)
    assert code == 1
    assert transport.writes_sent() == []
    assert live_class(cluster, name) == before
    if not scales(cluster):
        assert "lowering the replication factor of an existing collection needs Weaviate >= 1.35" in out, out
        return
    assert "lowering the replication factor 3 -> 2" in err and "--allow-destroy" in err, err
    assert all(len(nodes) == 3 for nodes in sharding_state(cluster, name).values())

    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", cluster.url, "--auto-approve", "--allow-destroy")
    assert code == 0, out + err
    assert live_factor(cluster, name) == 2
    assert all(len(nodes) == 2 for nodes in sharding_state(cluster, name).values()), sharding_state(cluster, name)
    plan_empty_everywhere(capsys, cluster, cfg)


def test_a_node_stopped_plan_apply_smoke_then_it_rejoins(
        cluster: WeaviateCluster, providers: LocalProviders, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        name: str) -> None:
    smoke = {"objects": [{"text": t} for t in TEXTS[:3]],
             "queries": [{"hybrid": "red apples", "alpha": 0.5, "expect": {"top": [{"text": TEXTS[0]}]}}]}
    base = collection(name, 3, providers["ollama"].url, smoke=smoke)
    apply_with_texts(capsys, cluster, tmp_path, base)
    cluster.stop_node("node3")
    cluster.wait_healthy(2)

    changed = {**base, "description": "with a node down",
               "properties": [*base["properties"], {"name": "extra", "data_type": "int"}]}
    cfg = write(tmp_path, [changed])
    code, out, err = cli(capsys, "plan", "-f", str(cfg), "--url", cluster.url, "--detailed-exitcode")
    assert code == 2, out + err
    assert "not healthy: node3 NOT LISTED" in out
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", cluster.url, "--auto-approve")
    assert code == 0, out + err
    code, out, err = cli(capsys, "smoke", "-f", str(cfg), "--url", cluster.url, "--grpc-address",
                         cluster.grpc_address)
    assert code == 0, out + err

    cluster.restart_node("node3")
    plan_empty_everywhere(capsys, cluster, cfg)
    assert wait_counts(cluster, name, len(TEXTS)) == EVERY_NODE_HOLDS_ALL


def test_leader_killed_mid_apply_then_rerun_converges(
        cluster: WeaviateCluster, providers: LocalProviders, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        name: str) -> None:
    data = collection(name, 3, providers["ollama"].url)
    apply_with_texts(capsys, cluster, tmp_path, data)
    assert wait_counts(cluster, name, len(TEXTS)) == EVERY_NODE_HOLDS_ALL

    leader = cluster.leader()
    assert leader is not None
    survivor = next(n for n in cluster.nodes if n.name != leader)
    others = [collection(f"{name}N{i}", 3, providers["ollama"].url) for i in range(4)]
    cfg = write(tmp_path, [{**data, "description": "after the leader died"}, *others])

    def kill_leader(writes: int) -> None:
        if writes == 2:
            cluster.kill_node(leader)

    transport = RecordingTransport(after_write=kill_leader)
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", survivor.url, "--auto-approve",
                         transport=transport)
    assert not cluster.node(leader).running
    # Whether the steps after the kill succeed depends on how fast a new leader is elected: either way, a rerun
    # converges.
    cluster.wait_healthy(2)
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", survivor.url, "--auto-approve")
    assert code == 0, out + err
    cluster.restart_node(leader)
    plan_empty_everywhere(capsys, cluster, cfg)
    assert wait_counts(cluster, name, len(TEXTS)) == EVERY_NODE_HOLDS_ALL


def test_no_quorum_plan_and_apply_fail_fast_naming_the_nodes(
        cluster: WeaviateCluster, providers: LocalProviders, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        name: str) -> None:
    cfg = write(tmp_path, [collection(name, 1, providers["ollama"].url)])
    cluster.kill_node("node2")
    cluster.kill_node("node3")
    # The survivor notices its peers are gone within seconds (fast failure detection) and loses its leader.
    deadline = time.monotonic() + 30
    while cluster.leader() is not None and time.monotonic() < deadline:
        time.sleep(0.5)
    for command in ("plan", "apply"):
        started = time.monotonic()
        code, out, err = cli(capsys, command, "-f", str(cfg), "--url", cluster.url, "--auto-approve"
                             if command == "apply" else "--detailed-exitcode")
        took = time.monotonic() - started
        assert code == 1, out + err
        assert took < LEADER_READ_TIMEOUT_S + 8, f"{command} took {took:.1f}s"
        assert "no quorum" in err and "Nothing was written" in err, err
        assert "nodes answering: " in err and "node2" in err and "node3" in err, err
        assert "Traceback" not in err
    cluster.restart_node("node2")
    cluster.restart_node("node3")
    assert live_class(cluster, name) is None
