"""`weavectl export` (adopt an existing cluster) and `weavectl diff` (compare clusters, or the file and one)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
import yaml

from weavectl.adapters.weaviate import WeaviateClient
from weavectl.commands.plan_cmd import config_options
from weavectl.core.export import export_document
from weavectl.core.model import Action
from weavectl.core.planner import PlanInput, build_plan
from weavectl.core.redact import REDACTOR
from weavectl.core.version import parse_version
from weavectl.core.yamldoc import Document
from weavectl.errors import ExitCode, UsageError
from weavectl.render.human import render_markdown, render_text
from weavectl.render.jsonplan import render_json
from weavectl.run import Loaded, connect, injected_transport, load_config, make_plan, warn

HEADER = ("# Exported by weavectl from {url} (Weaviate {version}). Key sources are placeholders: point them at\n"
          "# your secrets. For editor completion add: # yaml-language-server: $schema=<`weavectl schema --path`>\n")


def _client_for(files: tuple[str, ...], env_name: str | None, url: str | None) -> tuple[WeaviateClient, Loaded]:
    if env_name is not None:
        loaded = load_config(files, env_name, os.environ)
    else:
        loaded = Loaded(Document({"version": 1, "collections": []}, "<none>"), None, Path("."), [])
    return connect(loaded, url, os.environ, injected_transport()), loaded


def _dump(doc: dict[str, Any], url: str, version: str) -> str:
    return HEADER.format(url=url, version=version) + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True,
                                                                    width=120)


@click.command(name="export")
@config_options
@click.option("-o", "--output", help="Write to this file instead of standard output.")
@click.option("--collection", "only", multiple=True, help="Only this collection (repeatable).")
def export(files: tuple[str, ...], env_name: str | None, url: str | None, output: str | None,
           only: tuple[str, ...]) -> None:
    """Write a config file describing the live cluster (minimal: server defaults left out)."""
    if env_name is None and url is None and not os.environ.get("WEAVIATE_URL"):
        raise UsageError("export needs a cluster: --url URL, --env NAME (with -f), or WEAVIATE_URL")
    client, _ = _client_for(files, env_name, url)
    try:
        live = client.read_state()
    finally:
        client.close()
    if not live.classes:
        warn("the server listed no collections" + (
            ": if it has some, this API key may lack permission to read them (Weaviate leaves out of /v1/schema "
            "what a key may not read)" if client.api_key else "; the export is empty"))
    doc = export_document(live.classes, live.aliases, parse_version(live.version), list(only) or None)
    missing = {n.lower() for n in only} - {str(c["name"]).lower() for c in doc["collections"]}
    if missing:
        raise UsageError(f"no such collection on the server: {', '.join(sorted(missing))}")
    text = _dump(doc, live.url, live.version)
    if output:
        Path(output).write_text(REDACTOR.scrub(text))
        click.echo(f"Wrote {len(doc['collections'])} collection(s) to {output}", err=True)
    else:
        click.echo(text, nl=False)


@click.command(name="diff")
@click.option("-f", "--file", "files", multiple=True, help="Config file or folder (repeatable).")
@click.option("--from", "side_a", required=True, help="An environment of the file, or `file`.")
@click.option("--to", "side_b", required=True, help="An environment of the file, or `file`.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 with no differences, 2 with differences.")
def diff(files: tuple[str, ...], side_a: str, side_b: str, fmt: str, detailed_exitcode: bool) -> int:
    """Compare two live clusters (dev against prod), or the file against one: what changes from A to B."""
    if side_a == side_b:
        raise UsageError("--from and --to name the same side")
    if "file" in (side_a, side_b):
        env_name = side_b if side_a == "file" else side_a
        loaded = load_config(files, env_name, os.environ)
        client = connect(loaded, None, os.environ, injected_transport())
        try:
            plan = make_plan(loaded, client, environ=os.environ).plan
        finally:
            client.close()
        plan.warnings.insert(0, f"comparing the file ({env_name} overrides) with environment {env_name}'s cluster")
    else:
        client_a, _ = _client_for(files, side_a, None)
        client_b, _ = _client_for(files, side_b, None)
        try:
            live_a, live_b = client_a.read_state(), client_b.read_state()
        finally:
            client_a.close()
            client_b.close()
        desired = export_document(live_b.classes, live_b.aliases, parse_version(live_b.version))
        plan = build_plan(PlanInput(
            collections=desired["collections"], live_classes=live_a.classes, live_aliases=live_a.aliases,
            live_modules=live_a.modules, server_url=f"{live_a.url} -> {live_b.url}", server_version=live_a.version,
            prune=True, environment=f"{side_a} -> {side_b}",
        ))
    click.echo(render_json(plan) if fmt == "json" else render_markdown(plan) if fmt == "markdown"
               else render_text(plan, colour=sys.stdout.isatty()))
    if detailed_exitcode and any(c.action is not Action.NOOP for c in plan.changes):
        return ExitCode.CHANGES_PRESENT
    return ExitCode.OK
