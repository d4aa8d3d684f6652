"""Diff, read-only: what applying side A's definitions to side B would change. A side is an environment of the
file (its live cluster) or `file`: file against a cluster is a plan; two clusters compare their exports."""

from __future__ import annotations

from dataclasses import dataclass

from weavectl.adapters.environment import Environment
from weavectl.core.plan.compare import Difference, compare, mark_expected
from weavectl.core.plan.export import export_document
from weavectl.core.plan.model import Plan
from weavectl.core.weaviate.version import parse_version
from weavectl.errors import UsageError
from weavectl.run import check_server_version, client_for, connect, load_config, make_plan


@dataclass(frozen=True, kw_only=True)  # by name: neighbouring flags cannot swap
class DiffRequest:
    side_a: str  # --from: an environment of the file, or `file`
    side_b: str  # --to
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileDiff:
    """The file (with `env_name`'s overrides) against `env_name`'s cluster: the plan of applying it there."""

    plan: Plan
    env_name: str
    file_first: bool  # --from file (else --to file)

    @property
    def drifted(self) -> bool:
        return self.plan.has_drift


@dataclass(frozen=True)
class ClusterDiff:
    """Two environments' clusters: A's value -> B's value per difference, marked where the file predicts it."""

    sides: dict[str, dict[str, str]]  # "a", "b": name, url, version
    differences: list[Difference]

    @property
    def drifted(self) -> bool:
        return any(not d.expected for d in self.differences)


DiffResult = FileDiff | ClusterDiff


def diff(request: DiffRequest, env: Environment) -> DiffResult:
    side_a, side_b = request.side_a, request.side_b
    if side_a == side_b:
        raise UsageError("--from and --to name the same side")
    if "file" in (side_a, side_b):
        env_name = side_b if side_a == "file" else side_a
        loaded = load_config(request.files, env_name, env.environ)
        client = connect(loaded, None, env)
        try:
            plan = make_plan(loaded, client, env=env).plan
        finally:
            client.close()
        return FileDiff(plan, env_name, file_first=side_a == "file")
    client_a, loaded_a = client_for(request.files, side_a, None, env)
    client_b, loaded_b = client_for(request.files, side_b, None, env)
    try:
        live_a, live_b = client_a.read_state(), client_b.read_state()
    finally:
        client_a.close()
        client_b.close()
    for live in (live_a, live_b):
        warning = check_server_version(live.version, live.url)
        if warning:
            env.warn(warning)
    found = compare(export_document(live_a.classes, live_a.aliases, parse_version(live_a.version))["collections"],
                    export_document(live_b.classes, live_b.aliases, parse_version(live_b.version))["collections"])
    if request.files:
        found = mark_expected(found, loaded_a.data.get("collections") or [], loaded_b.data.get("collections") or [])
    sides = {"a": {"name": side_a, "url": live_a.url, "version": live_a.version},
             "b": {"name": side_b, "url": live_b.url, "version": live_b.version}}
    return ClusterDiff(sides, found)
