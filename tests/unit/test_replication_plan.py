"""Replication factor changes, pure: how plan classifies them per server version and scale answer, the step order
apply runs, and the policy that makes lowering the factor need --allow-destroy. The live behaviour these encode is
checked on a real 3-node cluster in tests/e2e/test_cluster_live.py."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from weavectl.core.plan.export import export_collection
from weavectl.core.plan.model import FieldKind
from weavectl.core.plan.planner import PlanInput, build_plan
from weavectl.core.plan.steps import StepKind, compile_steps, policy
from weavectl.core.weaviate.cluster import ClusterFacts, NodeState, ScaleProbe
from weavectl.devserver.cluster import _ephemeral_range, allocate_ports

RECORDED = Path(__file__).parent.parent / "cases" / "live" / "defaults-1.39.3.json"


def live(factor: int) -> dict[str, Any]:
    """A collection as a real 1.39.3 server returns it, named R, with this replication factor."""
    cls: dict[str, Any] = copy.deepcopy(json.loads(RECORDED.read_text())["classes"]["Plain"])
    cls["class"] = "R"
    cls["replicationConfig"]["factor"] = factor
    return cls


def declared(factor: int) -> dict[str, Any]:
    """The file's description of that collection (as export writes it), declaring `factor`."""
    coll = export_collection(live(1), [], (1, 39, 3))
    coll["replication"] = {**(coll.get("replication") or {}), "factor": factor}
    return coll


def plan_for(before: int, after: int, version: str = "1.39.3", probe: ScaleProbe | None = None,
             facts: ClusterFacts | None = None) -> Any:
    probes = {"r": probe} if probe is not None else {}
    return build_plan(PlanInput(collections=[declared(after)], live_classes=[live(before)], live_aliases=[],
                                live_modules={}, server_url="http://n1", server_version=version,
                                cluster=facts, scale_probes=probes))


ADD = ScaleProbe("R", 3, ok=True, adds={"s1": ["node2", "node3"], "s2": ["node1", "node3"]})


def test_raising_the_factor_scales_replicas_first_then_puts_the_factor() -> None:
    plan = plan_for(1, 3, probe=ADD)
    change = plan.changes[0]
    assert not change.errors
    (field,) = change.fields
    assert field.kind is FieldKind.REPLICAS and (field.before, field.after) == (1, 3)
    steps = compile_steps(plan, {"R"})
    assert [s.kind for s in steps] == [StepKind.SCALE_REPLICAS, StepKind.UPDATE]
    assert steps[0].factor == 3 and steps[1].body == {"replicationConfig": {"factor": 3}}
    assert not policy(plan, allow_destroy=False).reasons


def test_a_raise_the_shards_already_hold_is_a_plain_put() -> None:
    plan = plan_for(1, 3, probe=ScaleProbe("R", 3, ok=True))
    assert plan.changes[0].fields[0].kind is FieldKind.UPDATE
    assert [s.kind for s in compile_steps(plan, {"R"})] == [StepKind.UPDATE]


@pytest.mark.parametrize(("probe", "version", "expected"), [
    (ScaleProbe("R", 3, ok=False, reason="replica movement is disabled on the server"), "1.39.3",
     "replica movement is disabled"),
    (ScaleProbe("R", 3, ok=False, reason="the server cannot scale it: not enough nodes"), "1.35.2",
     "not enough nodes"),
    (None, "1.32.5", "needs Weaviate >= 1.35"),
])
def test_where_the_server_cannot_raise_it_plan_says_so(probe: ScaleProbe | None, version: str,
                                                       expected: str) -> None:
    plan = plan_for(1, 3, version=version, probe=probe)
    assert any(expected in e for e in map(str, plan.changes[0].errors)), plan.changes[0].errors


def test_lowering_the_factor_is_destructive_and_removes_replicas_after_the_put() -> None:
    probe = ScaleProbe("R", 2, ok=True, removes={"s1": ["node3"]})
    plan = plan_for(3, 2, probe=probe)
    (error,) = policy(plan, allow_destroy=False).reasons
    reason = str(error)
    assert error.code == "lowers-durability" and error.path == "replication.factor"
    assert "lowering the replication factor 3 -> 2" in reason and "--allow-destroy" in reason
    assert not policy(plan, allow_destroy=True).reasons
    steps = compile_steps(plan, {"R"})
    assert [s.kind for s in steps] == [StepKind.UPDATE, StepKind.SCALE_REPLICAS]
    assert all(s.destructive for s in steps)


def test_lowering_without_replica_movement_warns_that_replicas_stay() -> None:
    plan = plan_for(3, 2, probe=ScaleProbe("R", 2, ok=False, reason="replica movement is disabled"))
    change = plan.changes[0]
    assert not change.errors and any("extra replicas" in w for w in change.warnings)
    assert [s.kind for s in compile_steps(plan, {"R"})] == [StepKind.UPDATE]
    assert policy(plan, allow_destroy=False).reasons


def test_shards_short_of_the_factor_are_reported() -> None:
    facts = ClusterFacts("http://n1", "node1", [NodeState("node1", "HEALTHY"), NodeState("node2", "HEALTHY")],
                         shard_replicas={"r": {"s1": ["node1", "node2", "node3"], "s2": ["node1"]}})
    plan = build_plan(PlanInput(collections=[declared(3)], live_classes=[live(3)], live_aliases=[],
                                live_modules={}, server_url="http://n1", server_version="1.39.3", cluster=facts))
    assert not plan.has_changes
    assert [w for w in plan.warnings if "s2 has 1 of 3" in w], plan.warnings
    assert not [w for w in plan.warnings if "s1 " in w]
    assert plan.to_json()["cluster"]["leader"] == "node1"


def test_cluster_ports_come_in_pairs_outside_the_ephemeral_range() -> None:
    low, high = _ephemeral_range()
    ports = allocate_ports(3)
    every = [p for n in ports for p in (n.http, n.grpc, n.gossip, n.gossip + 1, n.raft, n.raft + 1)]
    assert len(set(every)) == len(every)
    assert not [p for p in every if low <= p <= high]
