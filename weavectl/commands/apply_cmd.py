"""`weavectl apply`: converge the live cluster to the file (or to a saved plan), safely."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from weavectl.adapters import planfile as planfiles
from weavectl.adapters.environment import Environment, current_environment
from weavectl.adapters.lock import ApplyLock
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.commands.plan_cmd import config_options
from weavectl.core.plan.model import Action, Plan, decisions
from weavectl.core.plan.planner import fingerprint
from weavectl.core.plan.steps import Step, compile_steps, policy
from weavectl.core.redact import REDACTOR
from weavectl.errors import ExitCode, UsageError, WeavectlError
from weavectl.execute import changed_paths, deferred_signals, execute
from weavectl.render.human import render_text
from weavectl.render.jsonplan import plan_json
from weavectl.run import (
    Loaded,
    Planned,
    connect,
    load_config,
    make_plan,
    record_ownership,
)


class StalePlan(WeavectlError):
    pass


def _from_plan_file(saved: dict[str, Any], url: str | None, env: Environment) -> tuple[Loaded, WeaviateClient]:
    """The config the plan names is read again (key sources come from it, never from the plan file)."""
    config = saved["config"]
    missing = [f for f in config["files"] if not Path(f).exists()]
    if missing or not config["files"]:
        raise UsageError("the plan file's config is not readable here (" + ", ".join(missing or ["no files"])
                         + "): apply PLANFILE re-reads it to resolve key sources; run it where the config is")
    loaded = load_config(tuple(config["files"]), config["environment"], env.environ)
    client = connect(loaded, url or saved["cluster"]["url"], env)
    return loaded, client


def _check_stale(saved: dict[str, Any], planned: Planned) -> None:
    reasons: list[str] = []
    old_live = saved["live"]
    for name, saved_fp in saved["plan"]["fingerprints"].items():
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
    if not reasons and decisions(new_changes) != decisions(saved["plan"]["changes"]):
        reasons.append("the live cluster no longer yields the same plan")
    if reasons:
        raise StalePlan("stale plan: run plan again.\n  " + "\n  ".join(reasons),
                        hint="nothing was written")


def _confirm(auto_approve: bool, env: Environment) -> None:
    if auto_approve:
        return
    if not env.interactive:
        raise UsageError("apply needs confirmation, but there is no terminal to ask on: pass --auto-approve "
                         "(in CI, apply a reviewed plan file)")
    answer = click.prompt("Apply these changes? Only 'yes' is accepted", default="", show_default=False)
    if answer.strip() != "yes":
        raise WeavectlError("apply cancelled: nothing was written")


@click.command()
@click.argument("planfile", required=False)
@config_options
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--allow-destroy", is_flag=True, help="Permit replace and delete (data loss). `protect` still wins.")
@click.option("--prune", is_flag=True, help="Delete live collections the file does not mention.")
@click.option("--target", "targets", multiple=True, help="Only apply to this collection (repeatable).")
@click.option("--replace", "replace", multiple=True, metavar="COLLECTION",
              help="Replace this collection (delete + create; needs --allow-destroy) (repeatable).")
@click.option("--smoke", "run_smoke", is_flag=True, help="Run the smoke stage right after applying.")
@click.option("--grpc-address", help="gRPC host:port for --smoke.")
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
              help="Wait this long for another apply's lock on the cluster before refusing.")
@click.option("--expect-digest", metavar="SHA256",
              help="With PLANFILE: refuse unless the plan file's digest is this (the one the reviewer saw).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False),
              help="Write the JSON report of the migrations run to this file.")
def apply(planfile: str | None, files: tuple[str, ...], env_name: str | None, url: str | None, auto_approve: bool,
          allow_destroy: bool, prune: bool, targets: tuple[str, ...], replace: tuple[str, ...], run_smoke: bool,
          grpc_address: str | None, lock_timeout: float, expect_digest: str | None, report_path: str | None) -> int:
    """Apply the file (or a saved plan) to the live cluster, then check a fresh plan is empty."""
    env = current_environment()
    if expect_digest and not planfile:
        raise UsageError("--expect-digest goes with a plan file: weavectl apply PLANFILE --expect-digest D")
    if planfile:
        if files or env_name:
            raise UsageError("give either a plan file or -f/--env, not both")
        saved = _saved_plan(planfile, expect_digest, env)
        options = saved["options"]
        targets, prune = tuple(options["targets"]), bool(options["prune"])
        replace = tuple(options["replace"])
        loaded, client = _from_plan_file(saved, url, env)
    else:
        saved = None
        loaded = load_config(files, env_name, env.environ)
        client = connect(loaded, url, env)
    lock = ApplyLock(client, command=" ".join(["weavectl", *sys.argv[1:]])[:300])
    try:
        if saved is not None:
            planfiles.check_cluster(saved, planfiles.cluster_identity(client))
        planned = make_plan(loaded, client, targets=targets, prune=prune, env=env, replace=replace)
        if saved is not None:
            _check_stale(saved, planned)
        plan = planned.plan
        env.echo(render_text(plan, colour=env.colour))
        _refuse(plan, allow_destroy)
        if not plan.has_changes:
            record_ownership(loaded, client, plan)  # adopts collections that already match the file
            return _smoke_after(loaded, client, env, run_smoke, grpc_address, targets)
        if saved is None:
            _confirm(auto_approve, env)
        with deferred_signals() as signals:
            lock.acquire(timeout=lock_timeout)
            lock.start_heartbeat()
            if lock.took_over:
                env.echo(f"Note: took over a stale apply lock (expired, or its process is gone): {lock.took_over}",
                         err=True)
            # Under the lock: the cluster must still be the one planned (another apply may have just finished).
            again = make_plan(loaded, client, targets=targets, prune=prune, env=env, replace=replace)
            if decisions(plan_json(again.plan)["changes"]) != decisions(plan_json(plan)["changes"]):
                raise StalePlan("the cluster changed between the plan and taking the apply lock (changed by "
                                "another writer during apply); nothing was written. Run apply again.")
            _interrupted_before_writing(signals.received)
            steps = compile_steps(plan, set(planned.live_classes))
            migrations: list[dict[str, Any]] = []
            report = execute(steps, client, allow_destroy=allow_destroy, progress=lambda m: env.echo(m, err=True),
                             signals=signals, migrate=lambda step: migrations.append(_migrate(step, planned)),
                             clock=env.clock)
        _report_migrations(migrations, report_path, env)
        if report.interrupted is not None:
            env.echo(report.render(), err=True)
            return int(signals.exit_code)
        if not report.ok:
            env.echo(report.render(), err=True)
            return ExitCode.ERROR
        for note in report.notes:
            env.echo(f"Note: {note}", err=True)
        counts = plan.counts()
        env.echo(f"Apply complete: {counts['create']} created, {counts['update']} updated, {counts['replace']} "
                 f"replaced, {counts['delete']} deleted ({len(report.done)} step(s)).")
        _verify(make_plan(loaded, client, targets=targets, prune=prune, env=env, verify_targets=False).plan, env)
        record_ownership(loaded, client, plan)
        return _smoke_after(loaded, client, env, run_smoke, grpc_address, targets)
    finally:
        try:
            lock.release()
        except WeavectlError as exc:
            env.echo(f"Warning: could not release the apply lock ({exc.message}); it expires by itself, or "
                     "clear it with `weavectl unlock`", err=True)
        finally:
            client.close()


def _refuse(plan: Plan, allow_destroy: bool) -> None:
    """Stop before any write: a plan with errors, or changes the policy forbids (a plan without changes passes)."""
    if plan.all_errors():
        raise WeavectlError("the plan has errors (above); nothing was written")
    blocked = policy(plan, allow_destroy=allow_destroy)
    if blocked.reasons:
        raise WeavectlError("refusing to apply; nothing was written:\n  "
                            + "\n  ".join(f"{r} [{r.code}]" for r in blocked.reasons))


def _saved_plan(planfile: str, expect_digest: str | None, env: Environment) -> dict[str, Any]:
    saved = planfiles.load(planfile)
    if expect_digest and expect_digest.strip() not in (saved["digest"], saved["digest"].split(":", 1)[1]):
        raise planfiles.PlanFileRefused(f"{planfile} has digest {saved['digest']}, not the expected "
                                       f"{expect_digest}; nothing was written")
    env.echo(f"Plan file digest: {saved['digest']}")
    return saved


def _report_migrations(migrations: list[dict[str, Any]], report_path: str | None, env: Environment) -> None:
    if migrations:
        text = json.dumps({"migrations": migrations}, indent=2)
        env.echo(f"Migration report:\n{text}", err=True)
        if report_path:
            Path(report_path).write_text(text + "\n")


def _verify(after: Plan, env: Environment) -> None:
    """The fresh plan after apply must be empty."""
    if any(c.action is not Action.NOOP for c in after.changes):
        env.echo(REDACTOR.scrub(render_text(after, colour=env.colour)), err=True)
        raise WeavectlError("apply finished, but a fresh plan still shows the changes above: the collection "
                            "was changed by another writer during apply, or the server stored something "
                            "other than what it accepted; run plan again")
    env.echo("Verified: a fresh plan shows no changes.")


def _interrupted_before_writing(signum: int | None) -> None:
    if signum is not None:
        raise KeyboardInterrupt


def _migrate(step: Step, planned: Planned) -> dict[str, Any]:
    from weavectl.migrate import run_migration
    from weavectl.smoke import provider_headers

    base = str((step.migration or {}).get("collection", step.collection))
    coll = next((c for c in planned.loaded.data.get("collections") or []
                 if isinstance(c, dict) and str(c.get("name", "")).lower() == base.lower()), {})
    headers = provider_headers(coll, planned.keys, planned.client.url)
    return run_migration(step, planned.client, headers)


def _smoke_after(loaded: Loaded, client: WeaviateClient, env: Environment, wanted: bool, grpc: str | None,
                 targets: tuple[str, ...]) -> int:
    if not wanted:
        return ExitCode.OK
    from weavectl.commands.smoke_cmd import run_and_print

    return run_and_print(loaded, client, env, in_place=False, grpc=grpc, fmt="table", targets=targets)
