"""`weavectl smoke`: prove the chain module -> model -> key works, with sample data and searches."""

from __future__ import annotations

import json

import click

from weavectl.adapters.environment import Environment, current_environment
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.commands.plan_cmd import config_options
from weavectl.core.redact import REDACTOR
from weavectl.errors import ExitCode, KeySourceError, UsageError
from weavectl.run import Loaded, connect, load_config, resolve_keys


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


def run_and_print(loaded: Loaded, client: WeaviateClient, env: Environment, *, in_place: bool, grpc: str | None,
                  fmt: str, targets: tuple[str, ...] = (), query_only: bool = False,
                  index_timeout: float = 120.0) -> int:
    from weavectl.smoke import render_table, run_smoke

    if in_place and query_only:
        raise UsageError("--in-place and --query-only exclude each other (query-only writes nothing)")

    keys, key_errors = resolve_keys(loaded, env)
    if key_errors:
        raise KeySourceError("smoke needs the provider keys, and these key sources did not resolve:\n  "
                             + "\n  ".join(key_errors))
    report = run_smoke(loaded, client, keys, in_place=in_place, grpc=grpc, environ=env.environ, targets=targets,
                       query_only=query_only, index_timeout_s=index_timeout,
                       progress=lambda line: env.echo(REDACTOR.scrub(line), err=True))
    if _debug():
        for line in report.warnings:
            env.echo(f"debug: {REDACTOR.scrub(line)}", err=True)
    if fmt == "json":
        env.echo(REDACTOR.scrub(json.dumps(report.to_json(), indent=2, default=str)))
    else:
        env.echo(render_table(report))
    return ExitCode.OK if report.ok else ExitCode.ERROR


@click.command()
@config_options
@smoke_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--target", "targets", multiple=True, help="Only this collection (repeatable).")
def smoke(files: tuple[str, ...], env_name: str | None, url: str | None, grpc_address: str | None, in_place: bool,
          query_only: bool, index_timeout: float, fmt: str, targets: tuple[str, ...]) -> int:
    """Embed the file's sample objects and run its queries against the live cluster."""
    env = current_environment()
    loaded = load_config(files, env_name, env.environ)
    client = connect(loaded, url, env)
    try:
        return run_and_print(loaded, client, env, in_place=in_place, grpc=grpc_address, fmt=fmt, targets=targets,
                             query_only=query_only, index_timeout=index_timeout)
    finally:
        client.close()
