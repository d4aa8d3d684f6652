"""A saved plan (`plan --out`) as apply reads it: the digest the reviewer saw, the config it names, and the check
that the live cluster still yields it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weavectl.adapters import planfile
from weavectl.adapters.environment import Environment
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.core.plan.model import decisions
from weavectl.core.plan.planner import fingerprint
from weavectl.errors import UsageError, WeavectlError
from weavectl.execute import changed_paths
from weavectl.render.jsonplan import plan_json
from weavectl.run import Loaded, Planned, connect, load_config


class StalePlan(WeavectlError):
    pass


@dataclass(frozen=True)
class SavedPlan:
    path: str
    data: dict[str, Any]  # validated (adapters/planfile.py)

    @property
    def digest(self) -> str:
        return str(self.data["digest"])

    @property
    def options(self) -> tuple[tuple[str, ...], bool, tuple[str, ...]]:
        """The plan's targets, prune and replace: apply uses these, never its own flags."""
        options = self.data["options"]
        return tuple(options["targets"]), bool(options["prune"]), tuple(options["replace"])


def read_plan_file(path: str, expect_digest: str | None = None) -> SavedPlan:
    """Load and validate a plan file; with `expect_digest`, refuse any other plan (the one the reviewer saw)."""
    saved = planfile.load(path)
    if expect_digest and expect_digest.strip() not in (saved["digest"], saved["digest"].split(":", 1)[1]):
        raise planfile.PlanFileRefused(f"{path} has digest {saved['digest']}, not the expected "
                                       f"{expect_digest}; nothing was written")
    return SavedPlan(path, saved)


def connect_for(saved: SavedPlan, url: str | None, env: Environment) -> tuple[Loaded, WeaviateClient]:
    """The config the plan names is read again (key sources come from it, never from the plan file)."""
    config = saved.data["config"]
    missing = [f for f in config["files"] if not Path(f).exists()]
    if missing or not config["files"]:
        raise UsageError("the plan file's config is not readable here (" + ", ".join(missing or ["no files"])
                         + "): apply PLANFILE re-reads it to resolve key sources; run it where the config is")
    loaded = load_config(tuple(config["files"]), config["environment"], env.environ)
    client = connect(loaded, url or saved.data["cluster"]["url"], env)
    return loaded, client


def check_stale(saved: SavedPlan, planned: Planned) -> None:
    """Refuse a plan whose collections changed since it was made, or that the cluster no longer yields."""
    reasons: list[str] = []
    old_live = saved.data["live"]
    for name, saved_fp in saved.data["plan"]["fingerprints"].items():
        current = planned.live_classes.get(name)
        if fingerprint(current) == saved_fp:
            continue
        if saved_fp == "absent":
            reasons.append(f"{name} was created by someone else after the plan was made")
        elif current is None:
            reasons.append(f"{name} was deleted after the plan was made")
        else:
            what = ", ".join(changed_paths(old_live.get(name) or {}, current))
            reasons.append(f"{name} changed after the plan was made: {what}")
    new_changes = plan_json(planned.plan)["changes"]
    if not reasons and decisions(new_changes) != decisions(saved.data["plan"]["changes"]):
        reasons.append("the live cluster no longer yields the same plan")
    if reasons:
        raise StalePlan("stale plan: run plan again.\n  " + "\n  ".join(reasons),
                        hint="nothing was written")
