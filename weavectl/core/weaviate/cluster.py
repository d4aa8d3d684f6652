"""What plan knows about the cluster, and the replication-factor rules built on it. Pure.

Replication-factor facts (weaviate source): since 1.35 a PUT that raises `replicationConfig.factor` is refused
unless every shard already has that many replicas (`usecases/schema/class.go` UpdateClass, `cluster/schema/
manager.go`), so raising is: copy replicas with /v1/replication/scale, wait for the copies, then PUT. A PUT that
lowers it is accepted and leaves the extra replicas in place; the scale endpoint removes them. Before 1.35 there is
no scale endpoint and a factor change by PUT goes through the old scaler, which refuses to scale in
(`usecases/scaler/scaler.go` in v1.32.5: "scaling in not supported yet").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from weavectl.core.weaviate.defaults import DEFAULT_REPLICATION_FACTOR
from weavectl.core.weaviate.version import Version, at_least

SCALE_MIN_VERSION = "1.35.0"
FACTOR_PATH = "replicationConfig.factor"


# A RAFT member that /v1/nodes does not list (a node stopped cleanly leaves gossip but stays in RAFT).
NOT_LISTED = "NOT LISTED"


@dataclass(frozen=True)
class NodeState:
    name: str
    status: str  # HEALTHY, UNHEALTHY, UNAVAILABLE, TIMEOUT


@dataclass
class ClusterFacts:
    read_from: str  # the URL whose leader-consistent read plan used
    leader: str | None
    nodes: list[NodeState]
    shard_replicas: dict[str, dict[str, list[str]]] | None = None  # lower-case class -> shard -> nodes
    members_read: bool = True  # False: no collection declares replication, so plan spared the two member reads

    @property
    def healthy(self) -> list[str]:
        return [n.name for n in self.nodes if n.status == "HEALTHY"]

    def to_json(self) -> dict[str, Any]:
        return {"read": "leader-consistent", "read_from": self.read_from, "leader": self.leader,
                "nodes": {n.name: n.status for n in self.nodes}, "members_read": self.members_read}


@dataclass
class ScaleProbe:
    """The server's own answer to "scale collection to factor" (GET /v1/replication/scale: a read)."""

    collection: str
    factor: int
    ok: bool
    reason: str = ""
    adds: dict[str, list[str]] = field(default_factory=dict)  # shard -> nodes that would get a replica
    removes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def moves_replicas(self) -> bool:
        return bool(self.adds or self.removes)


def declared_factor(coll: dict[str, Any]) -> int | None:
    value = (coll.get("replication") or {}).get("factor")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def live_factor(live: dict[str, Any]) -> int:
    value = (live.get("replicationConfig") or {}).get("factor")
    return value if isinstance(value, int) and value > 0 else 1


def factor_changes(collections: list[dict[str, Any]], live_classes: list[dict[str, Any]]
                   ) -> list[tuple[str, int, int]]:
    """(live class name, live factor, desired factor) for every declared, existing collection whose factor differs
    from the declared one, or from the server's default when the file leaves it out: the ones plan asks the server
    about before classifying."""
    live_by_name = {str(c.get("class", "")).lower(): c for c in live_classes}
    out = []
    for coll in collections:
        if coll.get("state") == "absent":
            continue
        live = live_by_name.get(str(coll.get("name", "")).lower())
        wanted = declared_factor(coll)
        wanted = DEFAULT_REPLICATION_FACTOR if wanted is None else wanted
        if live is not None and wanted != live_factor(live):
            out.append((str(live["class"]), live_factor(live), wanted))
    return out


def factor_problems(name: str, before: int, after: int, version: Version, probe: ScaleProbe | None
                    ) -> tuple[bool, list[str], list[str]]:
    """-> (needs a scale step, errors, warnings) for a factor change from `before` to `after`."""
    shown = ".".join(map(str, version))
    if not at_least(version, SCALE_MIN_VERSION):
        what = "raising" if after > before else "lowering"
        return False, [f"{what} the replication factor of an existing collection needs Weaviate >= 1.35 "
                       f"(replica scaling); this server is {shown}"], []
    if probe is None:
        return False, ["the replication factor cannot be changed: the server's scale plan was not read"], []
    if after > before:
        if not probe.ok:
            return False, [f"raising the replication factor {before} -> {after}: {probe.reason}; nothing can be "
                           "written for it"], []
        return probe.moves_replicas, [], []
    if not probe.ok:
        return False, [], [f"lowering the replication factor leaves the extra replicas on their nodes "
                           f"({probe.reason})"]
    return probe.moves_replicas, [], []


def short_shards(facts: ClusterFacts | None, name: str, factor: int) -> list[str]:
    """Shards of `name` with fewer replicas on the answering nodes than `factor`, described."""
    if facts is None or facts.shard_replicas is None:
        return []
    shards = facts.shard_replicas.get(name.lower()) or {}
    return [f"{shard} has {len(nodes)} of {factor} replica(s) ({', '.join(sorted(nodes))})"
            for shard, nodes in sorted(shards.items()) if len(nodes) < factor]
