"""Cluster-level Weaviate knowledge over REST: members and RAFT leader, shard replicas, replica scaling.

Server facts used here (weaviate v1.39.3 source):
- `GET /v1/nodes` lists every member gossip knows with a status HEALTHY / UNHEALTHY / UNAVAILABLE / TIMEOUT and
  answers without a RAFT quorum; `?output=verbose` adds each node's shards (`class`, `name`)
  (`adapters/handlers/rest/handlers_nodes.go`, `openapi-specs/schema.json` NodeStatus).
- `GET /v1/cluster/statistics` gives each answering node's RAFT state and `leaderId` (empty while there is no
  leader) (`handlers_nodes.go` getNodesStatistics).
- `GET /v1/replication/scale?collection=C&replicationFactor=N` computes (writes nothing) a plan
  `{planId, collection, shardScaleActions: {shard: {addNodes: {node: sourceNode}, removeNodes: [node]}}}`;
  `POST` of that plan starts one COPY operation per added replica and answers `{operationIds, planId, collection}`;
  removals happen at once. It refuses while other operations of the collection are running. Both answer 501 when
  replica movement is off (`REPLICA_MOVEMENT_ENABLED`); the endpoint exists from 1.35
  (`adapters/handlers/rest/replication/handlers_replicate.go`, `handlers_setup.go`,
  `cluster/raft_replication_apply_endpoints.go`, `cluster/replication/manager.go` QueryReplicationScalePlan).
- `GET /v1/replication/replicate/{id}` answers an operation with `status.state` REGISTERED, HYDRATING, FINALIZING,
  INTEGRATING, DEHYDRATING, READY or CANCELLED, and `status.errors` (`openapi-specs/schema.json`
  ReplicationReplicateDetailsReplicaStatus; `cluster/replication/shard_replication_op_state.go`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from weavectl.adapters.weaviate import WeaviateClient, WeaviateRestError
from weavectl.core.weaviate.cluster import NOT_LISTED, ClusterFacts, NodeState, ScaleProbe
from weavectl.errors import ServerError

DIAGNOSIS_TIMEOUT_S = 3.0
OPERATION_DONE = "READY"
OPERATION_FAILED = "CANCELLED"
SCALE_WAIT_LIMIT_S = 600.0


class NoQuorum(ServerError):
    """The cluster has no RAFT leader (or not enough members): no schema read or write can succeed."""


def read_nodes(client: WeaviateClient, *, verbose: bool = False, timeout: float = DIAGNOSIS_TIMEOUT_S
               ) -> list[dict[str, Any]]:
    path = "/v1/nodes?output=verbose" if verbose else "/v1/nodes"
    data = client.get_json(path, timeout=timeout)
    return [n for n in (data.get("nodes") or []) if isinstance(n, dict)] if isinstance(data, dict) else []


def read_raft(client: WeaviateClient, *, timeout: float = DIAGNOSIS_TIMEOUT_S) -> tuple[str | None, list[str]]:
    """(RAFT leader or None, every RAFT member's name): a node stopped cleanly leaves gossip, so /v1/nodes stops
    listing it, but it stays in the RAFT configuration and still counts towards the quorum."""
    try:
        data = client.get_json("/v1/cluster/statistics", timeout=timeout)
    except WeaviateRestError:
        return None, []
    leader: str | None = None
    members: list[str] = []
    for entry in (data.get("statistics") or []) if isinstance(data, dict) else []:
        if not isinstance(entry, dict):
            continue
        leader = leader or (str(entry["leaderId"]) if entry.get("leaderId") else None)
        for member in (entry.get("raft") or {}).get("latestConfiguration") or []:
            if isinstance(member, dict) and member.get("id") and str(member["id"]) not in members:
                members.append(str(member["id"]))
    return leader, members


def _members(nodes: list[dict[str, Any]], raft_members: list[str]) -> list[dict[str, Any]]:
    listed = {str(n.get("name")) for n in nodes}
    return nodes + [{"name": m, "status": NOT_LISTED} for m in raft_members if m not in listed]


def read_facts(client: WeaviateClient, *, with_shards: bool) -> ClusterFacts:
    """Members, leader, and (when asked) every shard's replica nodes as the answering nodes report them."""
    try:
        nodes = read_nodes(client, verbose=with_shards, timeout=client.timeout)
    except WeaviateRestError as exc:
        if exc.status is None:
            raise
        # An API key without cluster/nodes read permission (RBAC): plan goes on without the member list.
        nodes, with_shards = [], False
    replicas: dict[str, dict[str, list[str]]] = {}
    if with_shards:
        for node in nodes:
            for shard in node.get("shards") or []:
                by_shard = replicas.setdefault(str(shard.get("class", "")).lower(), {})
                by_shard.setdefault(str(shard.get("name")), []).append(str(node.get("name")))
    leader, raft_members = read_raft(client)
    return ClusterFacts(
        read_from=client.url,
        leader=leader,
        nodes=[NodeState(str(n.get("name")), str(n.get("status", ""))) for n in _members(nodes, raft_members)],
        shard_replicas=replicas if with_shards else None,
    )


def explain_schema_failure(client: WeaviateClient, exc: WeaviateRestError) -> ServerError:
    """Why the leader-consistent schema read failed, naming the members that answer and those that do not."""
    try:
        nodes = read_nodes(client)
    except WeaviateRestError:
        return exc
    leader, raft_members = read_raft(client)
    nodes = _members(nodes, raft_members)
    # A member that answered the status call reports its version; one that did not has only name and status.
    answering = [n for n in nodes if n.get("status") == "HEALTHY" or n.get("version")]
    names = [f"{n.get('name')} ({n.get('status') or 'unknown'})" for n in answering]
    others = [f"{n.get('name')} ({n.get('status') or 'unknown'})" for n in nodes if n not in answering]
    quorum = len(nodes) // 2 + 1
    what = "timed out" if exc.timed_out else f"failed ({exc.message})"
    listing = (f"nodes answering: {', '.join(names) or 'none'}; not answering: {', '.join(others) or 'none'}"
               f" (/v1/nodes at {client.url})")
    if leader is None or len(answering) < quorum:
        return NoQuorum(
            f"the cluster has no quorum: the leader-consistent schema read at {client.url} {what}; "
            f"{len(answering)} of {len(nodes)} node(s) answering, {quorum} needed, RAFT leader: "
            f"{leader or 'none'}. {listing}. Nothing was written.",
            hint="bring the missing nodes back (or restore quorum), then run the command again",
        )
    return ServerError(f"{exc.message}; {listing}; RAFT leader: {leader}")


# -- replica scaling (1.35+) ----------------------------------------------------------------------------------
def probe_scale(client: WeaviateClient, collection: str, factor: int) -> ScaleProbe:
    """Ask the server for its scale plan (a read): whether it can, and which replicas it would add or remove."""
    try:
        plan = client.get_json(f"/v1/replication/scale?collection={collection}&replicationFactor={factor}")
    except WeaviateRestError as exc:
        if exc.status == 501:
            return ScaleProbe(collection, factor, ok=False, reason="replica movement is disabled on the server "
                              "(start every node with REPLICA_MOVEMENT_ENABLED=true)")
        if exc.status in (404, 405):
            return ScaleProbe(collection, factor, ok=False, reason="the server has no /v1/replication/scale "
                              "(replica scaling needs Weaviate >= 1.35)")
        return ScaleProbe(collection, factor, ok=False, reason=f"the server cannot scale it: {exc.message}")
    actions = plan.get("shardScaleActions") or {} if isinstance(plan, dict) else {}
    adds = {str(s): sorted(a.get("addNodes") or {}) for s, a in actions.items() if a.get("addNodes")}
    removes = {str(s): sorted(a.get("removeNodes") or []) for s, a in actions.items() if a.get("removeNodes")}
    return ScaleProbe(collection, factor, ok=True, adds=adds, removes=removes)


@dataclass
class ScaleResult:
    operations: list[str] = field(default_factory=list)
    seconds: float = 0.0


def scale_replicas(client: WeaviateClient, collection: str, factor: int, *, progress: Callable[[str], None],
                   limit: float = SCALE_WAIT_LIMIT_S, poll: float = 1.0) -> ScaleResult:
    """Fetch a fresh scale plan, apply it, and wait for every copy operation to be READY (or fail, or time out)."""
    started = time.monotonic()
    plan = client.get_json(f"/v1/replication/scale?collection={collection}&replicationFactor={factor}")
    if not (plan.get("shardScaleActions") if isinstance(plan, dict) else None):
        return ScaleResult()
    answer = client.request("POST", "/v1/replication/scale", json=plan, retry=False).json()
    ids = [str(i) for i in answer.get("operationIds") or []]
    pending = set(ids)
    states: dict[str, str] = {}
    last = ""
    while pending:
        for op_id in sorted(pending):
            op = client.get_json(f"/v1/replication/replicate/{op_id}")
            status = op.get("status") or {}
            states[op_id] = str(status.get("state", ""))
            if states[op_id] == OPERATION_DONE:
                pending.discard(op_id)
            elif states[op_id] == OPERATION_FAILED:
                errors = "; ".join(str(e.get("message", e)) for e in status.get("errors") or [] if e)
                raise ServerError(f"copying shard {op.get('shard')} of {collection} from {op.get('sourceNode')} to "
                                  f"{op.get('targetNode')} was cancelled by the server"
                                  + (f": {errors}" if errors else ""))
        waiting = Counter(states[i] for i in pending)
        line = (f"    replicas of {collection}: {len(ids) - len(pending)}/{len(ids)} copies ready"
                + (f" ({', '.join(f'{n} {s}' for s, n in sorted(waiting.items()))})" if waiting else ""))
        if line != last:  # one line per change of state, not per poll
            progress(line)
            last = line
        if pending and time.monotonic() - started > limit:
            raise ServerError(f"replica copies for {collection} did not finish within {limit:.0f}s ({line.strip()}); "
                              "they continue on the server: run apply again later")
        if pending:
            time.sleep(poll)
    return ScaleResult(ids, time.monotonic() - started)
