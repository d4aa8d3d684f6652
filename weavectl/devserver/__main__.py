"""`python -m weavectl.devserver`: build, run, or wrap a command around a local real Weaviate."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import click

from weavectl.devserver.binary import VERSION_ENV, WEAVIATE_VERSION, ensure_binary
from weavectl.devserver.process import DEFAULT_MODULES, WeaviateServer
from weavectl.errors import ExitCode, WeavectlError

_MODULES_HELP = "Comma-separated extra modules to enable (API-based ones are on by default)."
_VERSION_HELP = (f"Weaviate release to run, e.g. 1.35.2 (default: $WEAVIATE_BIN, else ${VERSION_ENV}, else "
                 f"{WEAVIATE_VERSION}).")


def _server(api_key: str | None, modules: str, version: str | None) -> WeaviateServer:
    extra = tuple(m for m in modules.split(",") if m)
    return WeaviateServer(api_keys=(api_key,) if api_key else (), modules=DEFAULT_MODULES + extra,
                          version=version)


@click.group()
def main() -> None:
    """A real single-node weaviate-server on 127.0.0.1, for tests and local runs."""


@main.command()
@click.option("--version", "versions", multiple=True,
              help=f"Weaviate release to build, e.g. 1.32.5 (repeatable; default ${VERSION_ENV}, else "
                   f"{WEAVIATE_VERSION}).")
def build(versions: tuple[str, ...]) -> None:
    """Build (once per version) and print the path of each cached weaviate-server binary."""
    for version in versions or (None,):
        click.echo(ensure_binary(version))


@main.command()
@click.option("--api-key", help="Run in API-key mode with this admin key (default: anonymous access).")
@click.option("--modules", default="", help=_MODULES_HELP)
@click.option("--version", default=None, help=_VERSION_HELP)
def run(api_key: str | None, modules: str, version: str | None) -> None:
    """Start a node and keep it running until Ctrl-C."""
    with _server(api_key, modules, version) as server:
        click.echo(f"weaviate-server {server.version} ready at {server.url} (gRPC {server.grpc_address})")
        try:
            while server.proc is not None and server.proc.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            click.echo("stopping")


@main.command(name="exec", context_settings={"ignore_unknown_options": True})
@click.option("--api-key", help="Run in API-key mode with this admin key (exported as WEAVIATE_API_KEY).")
@click.option("--modules", default="", help=_MODULES_HELP)
@click.option("--version", default=None, help=_VERSION_HELP)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def exec_(api_key: str | None, modules: str, version: str | None, command: tuple[str, ...]) -> None:
    """Start a node, run COMMAND with WEAVIATE_URL pointing at it, stop the node, exit with COMMAND's code."""
    with _server(api_key, modules, version) as server:
        click.echo(f"weaviate-server {server.version} ready at {server.url}", err=True)
        env = {**os.environ, "WEAVIATE_URL": server.url, "WEAVIATE_GRPC_ADDRESS": server.grpc_address}
        if api_key:
            env["WEAVIATE_API_KEY"] = api_key
        code = subprocess.call(list(command), env=env)
    sys.exit(code)


if __name__ == "__main__":
    try:
        main(standalone_mode=False)
    except WeavectlError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.USAGE)
    except click.exceptions.Abort:
        sys.exit(ExitCode.INTERRUPTED)
