"""`weavectl plan`: what apply would do, exactly, against the live cluster."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from weavectl.core.redact import REDACTOR
from weavectl.errors import ExitCode
from weavectl.render.human import render_text
from weavectl.render.jsonplan import plan_json, render_json
from weavectl.render.markdown import render_markdown
from weavectl.run import Planned, connect, injected_transport, load_config, make_plan

PLAN_FILE_KIND = "weavectl-plan"


def config_options(func: click.decorators.FC) -> click.decorators.FC:
    for option in reversed([
        click.option("-f", "--file", "files", multiple=True, help="Config file or folder (repeatable)."),
        click.option("--env", "env_name", help="Environment of the file to use (default: default_environment)."),
        click.option("--url", help="Weaviate URL; overrides the environment's url and WEAVIATE_URL."),
    ]):
        func = option(func)
    return func


def write_plan_file(path: str, planned: Planned, files: tuple[str, ...], *, targets: tuple[str, ...] = (),
                    prune: bool = False, replace: tuple[str, ...] = ()) -> None:
    data = plan_json(planned.plan)
    desired = {c.collection: c.desired for c in planned.plan.changes if c.desired is not None}
    auth = planned.loaded.environment().get("auth")
    payload = {
        "kind": PLAN_FILE_KIND,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {"files": list(files), "environment": planned.loaded.env_name},
        "options": {"targets": list(targets), "prune": prune, "replace": list(replace)},
        "connection": {"url": planned.client.url,
                       "auth": auth if isinstance(auth, dict) and "literal" not in auth else None},
        # The live definitions the plan was made from, so a stale plan can say what changed since.
        "live": {name: planned.live_classes.get(name) for name in planned.plan.fingerprints},
        "plan": data,
        "desired": desired,
        # The resolved collections of the config, so apply can rebuild full update bodies (no secrets in them).
        "collections": planned.loaded.data.get("collections") or [],
        # Where keys come from, never the keys: literal sources are values, so they stay out.
        "api_keys": {name: source for name, source in (planned.loaded.data.get("api_keys") or {}).items()
                     if "literal" not in source},
    }
    Path(path).write_text(REDACTOR.scrub(json.dumps(payload, indent=2, default=str)) + "\n")


@click.command()
@config_options
@click.option("--out", "out", help="Save the plan (with live fingerprints) for `weavectl apply PLANFILE`.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 0 when the cluster matches the file, 2 on any difference (changes or drift), 1 on error.")
@click.option("--target", "targets", multiple=True, help="Only plan this collection (repeatable).")
@click.option("--prune", is_flag=True, help="Plan to delete live collections the file does not mention.")
@click.option("--replace", "replace", multiple=True, metavar="COLLECTION",
              help="Plan this collection as a replacement (delete + create: its data is lost), e.g. to drop live "
                   "properties the file does not declare (repeatable).")
@click.option("--strict", is_flag=True, hidden=True,
              help="No effect: plan compares every setting, declared or not (kept so old scripts still run).")
def plan(files: tuple[str, ...], env_name: str | None, url: str | None, out: str | None, fmt: str,
         detailed_exitcode: bool, targets: tuple[str, ...], prune: bool, replace: tuple[str, ...],
         strict: bool) -> int:
    """Show what apply would change on the live cluster."""
    environ = os.environ
    loaded = load_config(files, env_name, environ)
    client = connect(loaded, url, environ, injected_transport())
    try:
        planned = make_plan(loaded, client, targets=targets, prune=prune, environ=environ, replace=replace)
    finally:
        client.close()
    the_plan = planned.plan
    if fmt == "json":
        click.echo(render_json(the_plan))
    elif fmt == "markdown":
        click.echo(render_markdown(the_plan))
    else:
        click.echo(render_text(the_plan, colour=sys.stdout.isatty()))
    if the_plan.errors or any(c.errors for c in the_plan.changes):
        return ExitCode.ERROR
    if out:
        write_plan_file(out, planned, files, targets=targets, prune=prune, replace=replace)
        click.echo(f"Saved the plan to {out}; apply it with: weavectl apply {out}", err=True)
    if detailed_exitcode and the_plan.has_drift:  # changes to apply, or live-only drift: a drift check
        return ExitCode.CHANGES_PRESENT
    return ExitCode.OK
