"""A migrate step as apply runs it: the collection's provider keys for re-embedding, and its declared smoke
queries run on the new generation before the aliases swap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from weavectl.adapters.environment import Environment
from weavectl.core.plan.steps import Step
from weavectl.core.redact import REDACTOR
from weavectl.run import Planned


def run_migration_step(step: Step, planned: Planned, grpc: str | None, env: Environment) -> dict[str, Any]:
    """Run it (progress on the environment's stderr); -> its report."""
    from weavectl.migrate import Options, run_migration
    from weavectl.smoke import provider_headers

    base = str((step.migration or {}).get("collection", step.collection))
    coll = next((c for c in planned.loaded.data.get("collections") or []
                 if isinstance(c, dict) and str(c.get("name", "")).lower() == base.lower()), {})
    headers = provider_headers(coll, planned.keys, planned.client.url)
    return run_migration(step, planned.client, headers, Options(out=env.stderr, clock=env.clock),
                         smoke=_migration_smoke(planned, coll, grpc, env))


def _migration_smoke(planned: Planned, coll: dict[str, Any], grpc: str | None, env: Environment
                     ) -> Callable[[str], dict[str, Any] | None] | None:
    """The collection's declared smoke queries, for the migration to run on its new generation before the swap:
    the queries against the copied data, as `smoke --query-only` runs them (nothing is written); a multi-tenant
    collection is searched per tenant, so there the samples go into a temporary tenant of the new generation."""
    smoke = coll.get("smoke") if isinstance(coll.get("smoke"), dict) else None
    if not smoke or not smoke.get("queries"):
        return None
    multi_tenant = bool((coll.get("multi_tenancy") or {}).get("enabled"))
    name = str(coll["name"])

    def run(target: str) -> dict[str, Any] | None:
        from weavectl.smoke import run_smoke

        if multi_tenant and not (smoke.get("objects") or smoke.get("objects_file")):
            return {"ok": True, "skipped": "multi-tenant, and no sample objects to put in a temporary tenant"}
        report = run_smoke(planned.loaded, planned.client, planned.keys, in_place=False, grpc=grpc,
                           environ=env.environ, targets=(name,), query_only=not multi_tenant,
                           progress=lambda line: env.echo(REDACTOR.scrub(line), err=True),
                           physical={name.lower(): target}, clock=env.clock)
        checks = [{k: v for k, v in c.to_json().items() if k != "results"} for c in report.checks]
        return {"ok": report.ok, "mode": report.mode, "checks": checks,
                "failed": [REDACTOR.scrub(f"{c.name}: {c.detail}") for c in report.checks if not c.ok]}

    return run
