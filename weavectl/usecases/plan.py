"""Plan: what apply would do against the live cluster, with the saved-plan payload and its digest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from weavectl.adapters import planfile
from weavectl.adapters.environment import Environment
from weavectl.core.plan.model import Plan
from weavectl.core.weaviate.cluster import NOT_LISTED
from weavectl.render.jsonplan import plan_json
from weavectl.run import Planned, connect, load_config, make_plan


@dataclass(frozen=True, kw_only=True)  # by name: neighbouring flags cannot swap
class PlanRequest:
    files: tuple[str, ...] = ()
    env_name: str | None = None
    url: str | None = None
    targets: tuple[str, ...] = ()
    prune: bool = False
    replace: tuple[str, ...] = ()
    # The digest is shown or saved (text, markdown, --out): the node names it covers are read, so a shown plan
    # and its saved file have one digest; a JSON plan shows none and skips the read (its three reads).
    digest_shown: bool = True


@dataclass(frozen=True)
class PlanResult:
    plan: Plan
    payload: dict[str, Any] | None  # the saved-plan content (adapters/planfile.py), for --out; None: not shown

    @property
    def digest(self) -> str:
        if self.payload is None:
            raise ValueError("this plan was made with digest_shown=False: it has no digest")
        return str(self.payload["digest"])


def plan(request: PlanRequest, env: Environment) -> PlanResult:
    loaded = load_config(request.files, request.env_name, env.environ)
    client = connect(loaded, request.url, env)
    try:
        planned = make_plan(loaded, client, targets=request.targets, prune=request.prune, env=env,
                            replace=request.replace, read_node_names=request.digest_shown)
        # A JSON plan without --out shows no digest: the payload (live definitions, canonical JSON, sha256) is
        # not built at all.
        payload = plan_payload(planned, request.files, targets=request.targets, prune=request.prune,
                               replace=request.replace) if request.digest_shown else None
    finally:
        client.close()
    return PlanResult(planned.plan, payload)


def plan_payload(planned: Planned, files: tuple[str, ...], *, targets: tuple[str, ...] = (), prune: bool = False,
                 replace: tuple[str, ...] = ()) -> dict[str, Any]:
    """The saved-plan content (adapters/planfile.py); its digest is what the views print. The node names of the
    cluster identity come from the plan's member read when it made one, else from its live reads when it read
    them there, else they are read now (the digest covers them, so a shown plan and its saved file agree)."""
    live = {name: planned.live_classes.get(name) for name in planned.plan.fingerprints}
    cluster = planned.plan.cluster or {}
    listed = [n for n, status in (cluster.get("nodes") or {}).items() if status != NOT_LISTED]  # as /v1/nodes
    identity = planfile.cluster_identity(planned.client, hostname=planned.hostname,
                                         nodes=listed if cluster.get("members_read") else planned.node_names)
    return planfile.build(plan_json(planned.plan), live, files, planned.loaded.env_name, identity, targets=targets,
                          prune=prune, replace=replace)
