"""`weavectl smoke`: prove the chain module -> model -> key works, with sample data and searches."""

from __future__ import annotations

import json

import click

from weavectl.adapters.environment import Environment, current_environment
from weavectl.commands.plan_cmd import config_options
from weavectl.core.redact import REDACTOR
from weavectl.render.smoke import render_table
from weavectl.usecases import smoke as smoke_usecase


def smoke_options(func: click.decorators.FC) -> click.decorators.FC:
    for option in reversed([
        click.option("--grpc-address", help="host:port of Weaviate's gRPC API (default: the environment's "
                                            "grpc_address, WEAVIATE_GRPC_ADDRESS, or the URL's host:50051)."),
        click.option("--in-place", is_flag=True, help="Import the samples into the real collections (under ids "
                                                       "nobody holds; removed afterwards) instead of copies."),
        click.option("--query-only", is_flag=True, help="Only run the declared queries against the real "
                                                         "collections: nothing is written."),
        click.option("--index-timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True,
                     help="Seconds to wait for asynchronous indexing after the import."),
    ]):
        func = option(func)
    return func


def _debug() -> bool:
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return bool(obj.get("debug")) if isinstance(obj, dict) else False


def show(result: smoke_usecase.SmokeResult, fmt: str, env: Environment) -> int:
    """Render a smoke result (the table, or JSON) and return its exit code; third-party warnings with --debug."""
    report = result.report
    if _debug():
        for line in report.warnings:
            env.echo(f"debug: {REDACTOR.scrub(line)}", err=True)
    if fmt == "json":
        env.echo(REDACTOR.scrub(json.dumps(report.to_json(), indent=2, default=str)))
    else:
        env.echo(render_table(report))
    return result.exit_code


@click.command()
@config_options
@smoke_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--target", "targets", multiple=True, help="Only this collection (repeatable).")
def smoke(files: tuple[str, ...], env_name: str | None, url: str | None, grpc_address: str | None, in_place: bool,
          query_only: bool, index_timeout: float, fmt: str, targets: tuple[str, ...]) -> int:
    """Embed the file's sample objects and run its queries against the live cluster."""
    env = current_environment()
    request = smoke_usecase.SmokeRequest(files=files, env_name=env_name, url=url, grpc_address=grpc_address,
                                         in_place=in_place, query_only=query_only, index_timeout=index_timeout,
                                         targets=targets)
    return show(smoke_usecase.smoke(request, env), fmt, env)
