"""`weavectl plan`: what apply would do, exactly, against the live cluster."""

from __future__ import annotations

from typing import Any

import click

from weavectl.adapters import planfile
from weavectl.adapters.environment import current_environment
from weavectl.core.weaviate.cluster import NOT_LISTED
from weavectl.errors import ExitCode
from weavectl.render.human import render_text
from weavectl.render.jsonplan import plan_json, render_json
from weavectl.render.markdown import render_markdown
from weavectl.run import Planned, connect, load_config, make_plan


def config_options(func: click.decorators.FC) -> click.decorators.FC:
    for option in reversed([
        click.option("-f", "--file", "files", multiple=True, help="Config file or folder (repeatable)."),
        click.option("--env", "env_name", help="Environment of the file to use (default: default_environment)."),
        click.option("--url", help="Weaviate URL; overrides the environment's url and WEAVIATE_URL."),
    ]):
        func = option(func)
    return func


def plan_payload(planned: Planned, files: tuple[str, ...], *, targets: tuple[str, ...] = (), prune: bool = False,
                 replace: tuple[str, ...] = (), saving: bool = False) -> dict[str, Any]:
    """The saved-plan content (adapters/planfile.py); its digest is what the views print. The node names of the
    cluster identity come from the plan's member read when it made one, else are read only when `saving` (a
    digest is shown or written), so a JSON plan makes its three reads."""
    live = {name: planned.live_classes.get(name) for name in planned.plan.fingerprints}
    cluster = planned.plan.cluster or {}
    listed = [n for n, status in (cluster.get("nodes") or {}).items() if status != NOT_LISTED]  # as /v1/nodes
    nodes = listed if cluster.get("members_read") else None if saving else []
    identity = planfile.cluster_identity(planned.client, hostname=planned.hostname, nodes=nodes)
    return planfile.build(plan_json(planned.plan), live, files, planned.loaded.env_name, identity, targets=targets,
                          prune=prune, replace=replace)


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
    env = current_environment()
    loaded = load_config(files, env_name, env.environ)
    client = connect(loaded, url, env)
    try:
        planned = make_plan(loaded, client, targets=targets, prune=prune, env=env, replace=replace)
        # The digest (shown by text and markdown, written by --out) covers the node names: read them then,
        # so a shown plan and its saved file have one digest; a JSON plan shows none and skips the read.
        payload = plan_payload(planned, files, targets=targets, prune=prune, replace=replace,
                               saving=bool(out) or fmt != "json")
    finally:
        client.close()
    the_plan = planned.plan
    if fmt == "json":
        env.echo(render_json(the_plan))
    elif fmt == "markdown":
        env.echo(render_markdown(the_plan))
        env.echo(f"\nPlan digest: `{payload['digest']}`")
    else:
        env.echo(render_text(the_plan, colour=env.colour))
        env.echo(f"Plan digest: {payload['digest']}")
    if the_plan.all_errors():
        return ExitCode.ERROR
    if out:
        planfile.write(out, payload)
        env.echo(f"Saved the plan to {out} (digest {payload['digest']}); apply it with: weavectl apply {out} "
                 f"--expect-digest {payload['digest']}", err=True)
    if detailed_exitcode and the_plan.has_drift:  # changes to apply, or live-only drift: a drift check
        return ExitCode.CHANGES_PRESENT
    return ExitCode.OK
