"""`weavectl export` (adopt an existing cluster) and `weavectl diff` (compare clusters, or the file and one)."""

from __future__ import annotations

from pathlib import Path

import click

from weavectl.adapters.environment import current_environment
from weavectl.commands.plan_cmd import config_options
from weavectl.core.redact import REDACTOR
from weavectl.errors import ExitCode
from weavectl.render.differences import render_differences
from weavectl.render.human import render_text
from weavectl.render.jsonplan import render_json
from weavectl.render.markdown import render_markdown
from weavectl.render.values import Wording
from weavectl.usecases import diff as diff_usecase
from weavectl.usecases import export as export_usecase


@click.command(name="export")
@config_options
@click.option("-o", "--output", help="Write to this file instead of standard output.")
@click.option("--collection", "only", multiple=True, help="Only this collection (repeatable).")
def export(files: tuple[str, ...], env_name: str | None, url: str | None, output: str | None,
           only: tuple[str, ...]) -> None:
    """Write a config file describing the live cluster (minimal: server defaults left out)."""
    env = current_environment()
    request = export_usecase.ExportRequest(files=files, env_name=env_name, url=url, only=only)
    result = export_usecase.export(request, env)
    if output:
        Path(output).write_text(REDACTOR.scrub(result.text))
        env.echo(f"Wrote {result.count} collection(s) to {output}", err=True)
    else:
        env.echo(result.text, nl=False)


@click.command(name="diff")
@click.option("-f", "--file", "files", multiple=True, help="Config file or folder (repeatable).")
@click.option("--from", "side_a", required=True, help="Whose definitions: an environment of the file, or `file`.")
@click.option("--to", "side_b", required=True, help="Compared with: an environment of the file, or `file`.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 0 with no differences (or only those the file's overrides predict), 2 otherwise.")
def diff(files: tuple[str, ...], side_a: str, side_b: str, fmt: str, detailed_exitcode: bool) -> int:
    """Compare, read-only: what applying A's definitions (--from) to B (--to) would change.

    A and B are environments of the file (their live clusters) or `file`. Nothing is written; differences the
    file's per-environment overrides explain are marked as intended.
    """
    env = current_environment()
    result = diff_usecase.diff(diff_usecase.DiffRequest(side_a=side_a, side_b=side_b, files=files), env)
    if isinstance(result, diff_usecase.FileDiff):
        name, plan = result.env_name, result.plan
        lead = (f"Applying the file's definitions (with {name}'s overrides) to {name}'s cluster would:"
                if result.file_first else
                f"{name}'s cluster differs from the file (with {name}'s overrides); applying the file "
                f"to {name} would:")
        wording = Wording(lead=lead, read_only=True, title=f"weavectl diff {side_a} -> {side_b}")
        env.echo(render_json(plan) if fmt == "json" else render_markdown(plan, wording=wording)
                 if fmt == "markdown" else render_text(plan, colour=env.colour, wording=wording))
    else:
        env.echo(render_differences(result.sides, result.differences, fmt))
    return ExitCode.CHANGES_PRESENT if detailed_exitcode and result.drifted else ExitCode.OK
