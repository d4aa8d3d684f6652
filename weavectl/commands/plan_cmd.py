"""`weavectl plan`: what apply would do, exactly, against the live cluster."""

from __future__ import annotations

import click

from weavectl.adapters import planfile
from weavectl.adapters.environment import current_environment
from weavectl.errors import ExitCode
from weavectl.render.human import render_text
from weavectl.render.jsonplan import render_json
from weavectl.render.markdown import render_markdown
from weavectl.usecases import plan as plan_usecase


def config_options(func: click.decorators.FC) -> click.decorators.FC:
    for option in reversed([
        click.option("-f", "--file", "files", multiple=True, help="Config file or folder (repeatable)."),
        click.option("--env", "env_name", help="Environment of the file to use (default: default_environment)."),
        click.option("--url", help="Weaviate URL; overrides the environment's url and WEAVIATE_URL."),
    ]):
        func = option(func)
    return func


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
    request = plan_usecase.PlanRequest(files=files, env_name=env_name, url=url, targets=targets, prune=prune,
                                       replace=replace, digest_shown=bool(out) or fmt != "json")
    result = plan_usecase.plan(request, env)
    the_plan = result.plan
    digest = result.digest if result.payload is not None else ""  # a JSON plan without --out has none
    if fmt == "json":
        env.echo(render_json(the_plan))
    elif fmt == "markdown":
        env.echo(render_markdown(the_plan))
        env.echo(f"\nPlan digest: `{digest}`")
    else:
        env.echo(render_text(the_plan, colour=env.colour))
        env.echo(f"Plan digest: {digest}")
    if the_plan.all_errors():
        return ExitCode.ERROR
    if out and result.payload is not None:  # --out always shows a digest, so the payload is there
        planfile.write(out, result.payload)
        env.echo(f"Saved the plan to {out} (digest {digest}); apply it with: weavectl apply {out} "
                 f"--expect-digest {digest}", err=True)
    if detailed_exitcode and the_plan.has_drift:  # changes to apply, or live-only drift: a drift check
        return ExitCode.CHANGES_PRESENT
    return ExitCode.OK
