"""`weavectl export` (adopt an existing cluster) and `weavectl diff` (compare clusters, or the file and one)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import yaml

from weavectl.adapters.environment import Environment, current_environment
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.commands.plan_cmd import config_options
from weavectl.core.config.yamldoc import Document
from weavectl.core.plan.compare import Difference, compare, mark_expected
from weavectl.core.plan.export import export_document
from weavectl.core.redact import REDACTOR
from weavectl.core.weaviate.version import parse_version
from weavectl.errors import ExitCode, UsageError
from weavectl.render.human import render_text
from weavectl.render.jsonplan import render_json
from weavectl.render.markdown import render_markdown
from weavectl.render.values import Wording
from weavectl.run import Loaded, check_server_version, connect, load_config, make_plan, warn

HEADER = ("# Exported by weavectl from {url} (Weaviate {version}).\n"
          "# For editor completion add: # yaml-language-server: $schema=<`weavectl schema --path`>\n")
KEYS_NOTE = ("# Key sources (placeholders): each says where weavectl reads a provider key, never the key itself.\n"
             "# As exported, each reads the environment variable shown: set it (export OPENAI_APIKEY=...)\n"
             "# where smoke runs, or point it elsewhere: {{ file: ~/.secrets/openai }} or\n"
             "# {{ command: \"vault kv get -field=key ...\" }}. plan and apply do not need provider keys;\n"
             "# smoke and embedding imports/queries do.\n")


def _client_for(files: tuple[str, ...], env_name: str | None, url: str | None,
                env: Environment) -> tuple[WeaviateClient, Loaded]:
    if env_name is not None:
        loaded = load_config(files, env_name, env.environ)
    else:
        loaded = Loaded(Document({"version": 1, "collections": []}, "<none>"), None, Path("."), [])
    return connect(loaded, url, env), loaded


def _dump(doc: dict[str, Any], url: str, version: str) -> str:
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
    if "\napi_keys:" in text:
        text = text.replace("\napi_keys:", "\n" + KEYS_NOTE.format() + "api_keys:", 1)
    return HEADER.format(url=url, version=version) + text


def _warn(message: str | None) -> None:
    if message:
        warn(message)


@click.command(name="export")
@config_options
@click.option("-o", "--output", help="Write to this file instead of standard output.")
@click.option("--collection", "only", multiple=True, help="Only this collection (repeatable).")
def export(files: tuple[str, ...], env_name: str | None, url: str | None, output: str | None,
           only: tuple[str, ...]) -> None:
    """Write a config file describing the live cluster (minimal: server defaults left out)."""
    env = current_environment()
    if env_name is None and url is None and not env.environ.get("WEAVIATE_URL"):
        raise UsageError("export needs a cluster: --url URL, --env NAME (with -f), or WEAVIATE_URL")
    client, _ = _client_for(files, env_name, url, env)
    try:
        live = client.read_state()
    finally:
        client.close()
    _warn(check_server_version(live.version, live.url))
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
        env.echo(f"Wrote {len(doc['collections'])} collection(s) to {output}", err=True)
    else:
        env.echo(text, nl=False)


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
    if side_a == side_b:
        raise UsageError("--from and --to name the same side")
    if "file" in (side_a, side_b):
        env_name = side_b if side_a == "file" else side_a
        loaded = load_config(files, env_name, env.environ)
        client = connect(loaded, None, env)
        try:
            plan = make_plan(loaded, client, env=env).plan
        finally:
            client.close()
        lead = (f"Applying the file's definitions (with {env_name}'s overrides) to {env_name}'s cluster would:"
                if side_a == "file" else
                f"{env_name}'s cluster differs from the file (with {env_name}'s overrides); applying the file "
                f"to {env_name} would:")
        wording = Wording(lead=lead, read_only=True, title=f"weavectl diff {side_a} -> {side_b}")
        env.echo(render_json(plan) if fmt == "json" else render_markdown(plan, wording=wording)
                 if fmt == "markdown" else render_text(plan, colour=env.colour, wording=wording))
        return ExitCode.CHANGES_PRESENT if detailed_exitcode and plan.has_drift else ExitCode.OK
    client_a, loaded_a = _client_for(files, side_a, None, env)
    client_b, loaded_b = _client_for(files, side_b, None, env)
    try:
        live_a, live_b = client_a.read_state(), client_b.read_state()
    finally:
        client_a.close()
        client_b.close()
    for live in (live_a, live_b):
        _warn(check_server_version(live.version, live.url))
    found = compare(export_document(live_a.classes, live_a.aliases, parse_version(live_a.version))["collections"],
                    export_document(live_b.classes, live_b.aliases, parse_version(live_b.version))["collections"])
    if files:
        found = mark_expected(found, loaded_a.data.get("collections") or [], loaded_b.data.get("collections") or [])
    sides = {"a": {"name": side_a, "url": live_a.url, "version": live_a.version},
             "b": {"name": side_b, "url": live_b.url, "version": live_b.version}}
    env.echo(render_differences(sides, found, fmt))
    if detailed_exitcode and any(not d.expected for d in found):
        return ExitCode.CHANGES_PRESENT
    return ExitCode.OK


def render_differences(sides: dict[str, dict[str, str]], found: list[Difference], fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"from": sides["a"], "to": sides["b"], "differences": [d.to_json() for d in found],
                           "summary": {"differences": len(found),
                                       "expected": sum(d.expected for d in found)}}, indent=2, default=str)
    a, b = sides["a"], sides["b"]
    lines = [f"{a['name']} ({a['url']}, Weaviate {a['version']}) -> {b['name']} ({b['url']}, Weaviate "
             f"{b['version']})", "",
             f"Read-only. Applying {a['name']}'s definitions to {b['name']} would change (each line: "
             f"{a['name']}'s value -> {b['name']}'s value now):", ""]
    current = None
    for d in found:
        if d.collection != current:
            current = d.collection
            lines.append(f"  {d.collection}")
        what = d.path or "collection"
        note = "   # intended: the file's per-environment overrides differ here" if d.expected else ""
        lines.append(f"    {'=' if d.expected else '~'} {what}: {_short(d.a)} -> {_short(d.b)}{note}")
    expected = sum(d.expected for d in found)
    lines += ["", f"{len(found)} difference(s), {expected} intended by per-environment overrides. Nothing was "
              "changed." if found else "No differences."]
    text = "\n".join(lines)
    return f"```diff\n{text}\n```" if fmt == "markdown" else text


def _short(value: Any) -> str:
    text = value if isinstance(value, str) and value.startswith("(") else json.dumps(value, default=str)
    return text if len(text) <= 100 else text[:97] + "..."
