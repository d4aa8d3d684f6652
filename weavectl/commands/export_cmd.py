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
from weavectl.core.model import Action, Plan
from weavectl.core.ownership import hide_state_collection
from weavectl.core.planner import PlanInput, build_plan
from weavectl.core.version import parse_version
from weavectl.core.yamldoc import Document
from weavectl.errors import ExitCode, UsageError
from weavectl.render.human import render_text
from weavectl.render.jsonplan import render_json
from weavectl.render.markdown import render_markdown
from weavectl.render.values import Wording
from weavectl.run import Loaded, connect, injected_transport, load_config, make_plan

HEADER = ("# Exported by weavectl from {url} (Weaviate {version}).\n"
          "# For editor completion add: # yaml-language-server: $schema=<`weavectl schema --path`>\n")
KEYS_NOTE = ("# Key sources (placeholders): each says where weavectl reads a provider key, never the key itself.\n"
             "# As exported, each reads the environment variable shown: set it (export OPENAI_APIKEY=...)\n"
             "# where smoke runs, or point it elsewhere: {{ file: ~/.secrets/openai }} or\n"
             "# {{ command: \"vault kv get -field=key ...\" }}. plan and apply do not need provider keys;\n"
             "# smoke and embedding imports/queries do.\n")


def _client_for(files: tuple[str, ...], env_name: str | None, url: str | None) -> tuple[WeaviateClient, Loaded]:
    if env_name is not None:
        loaded = load_config(files, env_name, os.environ)
    else:
        loaded = Loaded(Document({"version": 1, "collections": []}, "<none>"), None, Path("."), [])
    return connect(loaded, url, os.environ, injected_transport()), loaded


def _dump(doc: dict[str, Any], url: str, version: str) -> str:
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
    if "\napi_keys:" in text:
        text = text.replace("\napi_keys:", "\n" + KEYS_NOTE.format() + "api_keys:", 1)
    return HEADER.format(url=url, version=version) + text


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
    doc = export_document(live.classes, live.aliases, parse_version(live.version), list(only) or None)
    missing = {n.lower() for n in only} - {str(c["name"]).lower() for c in doc["collections"]}
    if missing:
        raise UsageError(f"no such collection on the server: {', '.join(sorted(missing))}")
    text = _dump(doc, live.url, live.version)
    if output:
        Path(output).write_text(text)
        click.echo(f"Wrote {len(doc['collections'])} collection(s) to {output}", err=True)
    else:
        click.echo(text, nl=False)


def override_paths(environment: dict[str, Any]) -> dict[str, list[str]]:
    """collection (lower-case) -> config paths of the leaves an environment overrides."""
    out: dict[str, list[str]] = {}

    def walk(value: Any, path: str, into: list[str]) -> None:
        if isinstance(value, dict) and value:
            for key, child in value.items():
                walk(child, f"{path}.{key}" if path else str(key), into)
        else:
            into.append(path)

    for name, settings in (environment.get("collections") or {}).items():
        walk(settings, "", out.setdefault(str(name).lower(), []))
    return out


def _intended(plan: Plan, overrides: dict[str, list[str]]) -> dict[tuple[str, str], str]:
    """(collection, config path) -> the override that explains the difference."""
    from weavectl.render.jsonplan import plan_json

    notes: dict[tuple[str, str], str] = {}
    for change in plan_json(plan)["changes"]:
        for f in change["fields"]:
            for entry in overrides.get(change["collection"].lower(), []):
                leaf = entry.split(" ", 1)[0]
                if f["path"] == leaf or f["path"].startswith(leaf + ".") or leaf.startswith(f["path"] + "."):
                    notes[(change["collection"], f["path"])] = f"intended: {entry}"
    return notes


@click.command(name="diff")
@click.option("-f", "--file", "files", multiple=True, help="Config file or folder (repeatable).")
@click.option("--from", "side_a", required=True, help="Whose definitions: an environment of the file, or `file`.")
@click.option("--to", "side_b", required=True, help="Compared with: an environment of the file, or `file`.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 with no differences, 2 with differences.")
def diff(files: tuple[str, ...], side_a: str, side_b: str, fmt: str, detailed_exitcode: bool) -> int:
    """Compare two sides, read-only: what applying A's definitions (--from) to B (--to) would change.

    A side is an environment of the file (its live cluster) or `file` (the file's definitions). Nothing is
    written; per-environment overrides the file declares are marked as intended differences.
    """
    if side_a == side_b:
        raise UsageError("--from and --to name the same side")
    overrides: dict[str, list[str]] = {}
    if "file" in (side_a, side_b):
        env_name = side_b if side_a == "file" else side_a
        loaded = load_config(files, env_name, os.environ)
        client = connect(loaded, None, os.environ, injected_transport())
        try:
            plan = make_plan(loaded, client, environ=os.environ).plan
        finally:
            client.close()
        lead = (f"Applying the file's definitions (with {env_name}'s overrides) to {env_name}'s cluster would:"
                if side_a == "file" else
                f"{env_name}'s cluster differs from the file (with {env_name}'s overrides); applying the file "
                f"to {env_name} would:")
    else:
        client_a, loaded_a = _client_for(files, side_a, None)
        client_b, loaded_b = _client_for(files, side_b, None)
        try:
            live_a, live_b = client_a.read_state(), client_b.read_state()
        finally:
            client_a.close()
            client_b.close()
        # The --from side's definitions, planned against the --to side's cluster: "promote A to B".
        desired = export_document(live_a.classes, live_a.aliases, parse_version(live_a.version))
        plan = build_plan(PlanInput(
            collections=desired["collections"], live_classes=live_b.classes, live_aliases=live_b.aliases,
            live_modules=live_b.modules, server_url=f"{live_a.url} -> {live_b.url}", server_version=live_b.version,
            prune=True, environment=f"{side_a} -> {side_b}",
        ))
        hide_state_collection(plan)  # weavectl's own records differ per cluster by design
        lead = f"Applying {side_a}'s definitions to {side_b} would:"
        for side, loaded_side in ((side_a, loaded_a), (side_b, loaded_b)):
            for coll, paths in override_paths(loaded_side.environment()).items():
                overrides.setdefault(coll, []).extend(f"{p} (environments.{side} override)" for p in paths)
    wording = Wording(lead=lead, read_only=True, title=f"weavectl diff {side_a} -> {side_b}",
                      unmanaged="Only on the target (left alone)", intended=_intended(plan, overrides))
    click.echo(render_json(plan) if fmt == "json" else render_markdown(plan, wording=wording)
               if fmt == "markdown" else render_text(plan, colour=sys.stdout.isatty(), wording=wording))
    if detailed_exitcode and any(c.action is not Action.NOOP for c in plan.changes):
        return ExitCode.CHANGES_PRESENT
    return ExitCode.OK
