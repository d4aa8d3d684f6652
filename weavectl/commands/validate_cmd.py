"""`weavectl validate` and `weavectl schema`: offline, fast, never imports weaviate-client."""

from __future__ import annotations

import json

import click

from weavectl.adapters.environment import current_environment
from weavectl.adapters.files import load_documents
from weavectl.adapters.parsecache import ParseCache, checked_documents
from weavectl.adapters.schemas import CONFIG_SCHEMA, load_schema, schema_path
from weavectl.core.config.diagnostics import Diagnostics
from weavectl.errors import ExitCode

CONFIG_OPTION_HELP = "Config file or folder (repeatable; default weavectl.yaml)."


@click.command()
@click.option("-f", "--file", "files", multiple=True, help=CONFIG_OPTION_HELP)
@click.option("--env", "env_name", help="Check the file as this environment sees it (default: all).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def validate(files: tuple[str, ...], env_name: str | None, strict: bool, fmt: str) -> int:
    """Check config files offline and report every problem at once."""
    diags = Diagnostics()
    environ = current_environment().environ
    cache = ParseCache.for_environ(environ)
    docs = load_documents(files, diags, cache)
    checked_documents(docs, cache, diags, env_name=env_name, environ=environ)
    errors, warnings = len(diags.errors), len(diags.warnings)
    failed = errors > 0 or (strict and warnings > 0)
    if fmt == "json":
        click.echo(json.dumps({"valid": not failed, "errors": errors, "warnings": warnings,
                               "diagnostics": [d.to_json() for d in diags.sorted()]}, indent=2))
    else:
        for diag in diags.sorted():
            click.echo(diag.render(), err=True)
        if failed:
            why = f"{errors} error(s), {warnings} warning(s)" + (" (--strict)" if strict and not errors else "")
            click.echo(f"Invalid: {why}.", err=True)
        else:
            click.echo(f"Valid: {len(docs)} file(s), {warnings} warning(s).")
    return ExitCode.ERROR if failed else ExitCode.OK


@click.command()
@click.option("--path", "show_path", is_flag=True, help="Print where the schema file is instead of its text.")
def schema(show_path: bool) -> None:
    """Print the config's JSON Schema (draft 2020-12), for editors and other tools."""
    if show_path:
        click.echo(schema_path(CONFIG_SCHEMA))
    else:
        click.echo(json.dumps(load_schema(), indent=2))
