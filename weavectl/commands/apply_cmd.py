"""`weavectl apply`: converge the live cluster to the file (or to a saved plan), safely."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from weavectl.adapters.environment import Environment, current_environment
from weavectl.commands.plan_cmd import config_options
from weavectl.core.plan.model import Plan
from weavectl.core.redact import REDACTOR
from weavectl.errors import UsageError, WeavectlError
from weavectl.render.human import render_text
from weavectl.usecases import apply as apply_usecase
from weavectl.usecases.saved_plan import read_plan_file


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
    saved = None
    if planfile:
        if files or env_name:
            raise UsageError("give either a plan file or -f/--env, not both")
        saved = read_plan_file(planfile, expect_digest)
        env.echo(f"Plan file digest: {saved.digest}")
    request = apply_usecase.ApplyRequest(
        files=files, env_name=env_name, url=url, saved=saved, auto_approve=auto_approve, allow_destroy=allow_destroy,
        prune=prune, targets=targets, replace=replace, grpc_address=grpc_address, lock_timeout=lock_timeout,
        command=" ".join(["weavectl", *sys.argv[1:]]))
    with apply_usecase.prepare(request, env) as prepared:
        env.echo(render_text(prepared.plan, colour=env.colour))
        result = prepared.converge(confirm=_ask, on_executed=functools.partial(_show_execution, prepared.plan,
                                                                               report_path, env))
        _show_verification(result, env)
        if not (run_smoke and result.verified):
            return result.exit_code
        from weavectl.commands.smoke_cmd import show
        from weavectl.usecases.smoke import SmokeRequest, smoke_on

        smoked = smoke_on(prepared.loaded, prepared.client,
                          SmokeRequest(grpc_address=grpc_address, targets=prepared.targets), env)
        return show(smoked, "table", env)


def _ask(plan: Plan) -> bool:
    answer = click.prompt("Apply these changes? Only 'yes' is accepted", default="", show_default=False)
    return bool(answer.strip() == "yes")


def _show_execution(plan: Plan, report_path: str | None, env: Environment,
                    done: apply_usecase.Execution) -> None:
    """The migrations' report (also to --report), then the steps' failure report or the summary line."""
    if done.migrations:
        text = json.dumps({"migrations": done.migrations}, indent=2)
        env.echo(f"Migration report:\n{text}", err=True)
        if report_path:
            Path(report_path).write_text(text + "\n")
    report = done.report
    if not report.ok:
        env.echo(report.render(), err=True)
        return
    for note in report.notes:
        env.echo(f"Note: {note}", err=True)
    counts = plan.counts()
    env.echo(f"Apply complete: {counts['create']} created, {counts['update']} updated, {counts['replace']} "
             f"replaced, {counts['delete']} deleted ({len(report.done)} step(s)).")


def _show_verification(result: apply_usecase.ApplyResult, env: Environment) -> None:
    """After writing, the fresh plan must be empty; with nothing to write there is nothing to say."""
    if result.outcome is apply_usecase.Outcome.UNVERIFIED and result.fresh is not None:
        env.echo(REDACTOR.scrub(render_text(result.fresh, colour=env.colour)), err=True)
        raise WeavectlError(apply_usecase.NOT_VERIFIED)
    if result.outcome is apply_usecase.Outcome.APPLIED:
        env.echo("Verified: a fresh plan shows no changes.")
