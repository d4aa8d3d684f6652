"""Pure parts of the smoke stage: sample data parsing, deterministic ids, and expectation matching."""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

# A fixed namespace: the same sample object gets the same id on every run, so expectations can name ids.
SMOKE_NAMESPACE = uuid.UUID("5b0e3f7a-8c1d-4e2f-9a6b-7c8d9e0f1a2b")


@dataclass
class Result:
    """One search hit, reduced to what expectations look at."""

    id: str
    properties: dict[str, Any]
    score: float | None = None
    distance: float | None = None


@dataclass
class Check:
    collection: str
    name: str
    ok: bool
    detail: str = ""
    latency_ms: float | None = None
    results: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"collection": self.collection, "check": self.name, "ok": self.ok}
        if self.detail:
            out["detail"] = self.detail
        if self.latency_ms is not None:
            out["latency_ms"] = round(self.latency_ms, 1)
        if self.results:
            out["results"] = self.results
        return out


def object_id(obj: dict[str, Any]) -> str:
    explicit = obj.get("id") or obj.get("_id")
    if explicit:
        return str(uuid.UUID(str(explicit)))
    return str(uuid.uuid5(SMOKE_NAMESPACE, json.dumps(obj, sort_keys=True, default=str)))


def properties_of(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("id", "_id")}


def _coerce(value: str, data_type: str | None) -> Any:
    if data_type in ("int",):
        return int(value)
    if data_type in ("number",):
        return float(value)
    if data_type in ("boolean",):
        return value.strip().lower() in ("1", "true", "yes", "on")
    if data_type and data_type.endswith("[]"):
        return [_coerce(v, data_type[:-2]) for v in value.split("|") if v != ""]
    return value


def parse_objects(text: str, filename: str, data_types: dict[str, str]) -> list[dict[str, Any]]:
    """JSONL (one object per line) or CSV (a header row; values converted to the properties' types)."""
    if filename.lower().endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(text)))
        out = []
        for line, row in enumerate(rows, start=2):
            try:
                out.append({k: _coerce(v, data_types.get(k)) for k, v in row.items() if k is not None and v != ""})
            except ValueError as exc:
                raise ValueError(f"{filename}:{line}: {exc}") from None
        return out
    objects = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{filename}:{line}:{exc.colno}: not JSON: {exc.msg}") from None
        if not isinstance(value, dict):
            raise ValueError(f"{filename}:{line}: expected a JSON object per line")
        objects.append(value)
    return objects


def _matches(expected: dict[str, Any], hit: Result) -> bool:
    for key, value in expected.items():
        if key in ("id", "_id"):
            if str(uuid.UUID(str(value))) != hit.id:
                return False
        elif hit.properties.get(key) != value:
            return False
    return True


def check_expectations(expect: dict[str, Any], hits: list[Result]) -> tuple[bool, str]:
    top = expect.get("top") or []
    problems: list[str] = []
    if expect.get("any_order"):
        window = hits[: len(top)]
        for item in top:
            if not any(_matches(item, h) for h in window):
                problems.append(f"expected {_show(item)} in the top {len(top)}")
    else:
        for rank, item in enumerate(top):
            if rank >= len(hits):
                problems.append(f"expected {_show(item)} at #{rank + 1}, got no result")
            elif not _matches(item, hits[rank]):
                problems.append(f"expected {_show(item)} at #{rank + 1}, got {_show_hit(hits[rank], item)}")
    if "min_score" in expect:
        score = hits[0].score if hits else None
        if score is None or score < float(expect["min_score"]):
            problems.append(f"top score {score} is below min_score {expect['min_score']}")
    if "max_distance" in expect:
        distance = hits[0].distance if hits else None
        if distance is None or distance > float(expect["max_distance"]):
            problems.append(f"top distance {distance} is above max_distance {expect['max_distance']}")
    if not hits and not problems:
        problems.append("the query returned no results")
    return (not problems, "; ".join(problems))


def _show(item: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in item.items())


def _show_hit(hit: Result, like: dict[str, Any]) -> str:
    keys = [k for k in like if k not in ("id", "_id")]
    shown = {k: hit.properties.get(k) for k in keys} if keys else {"id": hit.id}
    return _show(shown)


# ---- gRPC address (the official Python client's conventions, weaviate/connect/helpers.py) ----

GRPC_DEFAULT_PORT = 50051


def default_grpc_address(host: str, secure: bool) -> tuple[str, int, str]:
    """(host, port, why) Weaviate's clients use when only the REST URL is known."""
    if host.endswith(".weaviate.network"):
        ident, domain = host.split(".", 1)
        return f"{ident}.grpc.{domain}", 443, "Weaviate Cloud: the cluster's grpc host on port 443"
    if host.endswith(".weaviate.cloud"):
        return f"grpc-{host}", 443, "Weaviate Cloud: grpc-<cluster host> on port 443"
    return host, GRPC_DEFAULT_PORT, f"the URL's host on port {GRPC_DEFAULT_PORT}" + (" (TLS)" if secure else "")


# ---- waiting for asynchronous indexing (/v1/nodes?output=verbose) ----

@dataclass
class Pending:
    node: str
    shard: str
    queue: int
    status: str


def indexing_pending(nodes_answer: Any, class_name: str, tenant: str | None = None) -> tuple[list[Pending], int]:
    """Shards of `class_name` (one tenant's, if given) that still index, and how many shards were seen.

    Fields per shard: `vectorQueueLength` (the sum over the shard's vector queues) and `vectorIndexingStatus`
    (READY, INDEXING, READONLY): adapters/repos/db/nodes.go, entities/models/node_shard_status.go (1.32-1.39).
    """
    pending: list[Pending] = []
    seen = 0
    for node in (nodes_answer or {}).get("nodes") or []:
        for shard in node.get("shards") or []:
            if str(shard.get("class", "")).lower() != class_name.lower():
                continue
            if tenant is not None and shard.get("name") != tenant:
                continue
            seen += 1
            queue = int(shard.get("vectorQueueLength") or 0)
            status = str(shard.get("vectorIndexingStatus") or "")
            if queue > 0 or status not in ("READY", ""):
                pending.append(Pending(str(node.get("name", "?")), str(shard.get("name", "?")), queue, status))
    return pending, seen


def describe_pending(pending: list[Pending]) -> str:
    return "; ".join(f"node {p.node} shard {p.shard}: {p.queue} vector(s) queued, status {p.status or '?'}"
                     for p in pending)


@dataclass
class SmokeReport:
    checks: list[Check] = field(default_factory=list)
    mode: str = "temporary"
    warnings: list[str] = field(default_factory=list)  # third-party warnings, shown with --debug only

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        failed = [c for c in self.checks if not c.ok]
        return {"ok": self.ok, "mode": self.mode, "checks": [c.to_json() for c in self.checks],
                "failed": len(failed), "total": len(self.checks)}
