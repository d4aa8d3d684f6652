"""`python -m weavectl.devserver`: build, run, or wrap a command around a local real Weaviate."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import click

from weavectl.devserver.binary import VERSION_ENV, WEAVIATE_VERSION, ensure_binary
from weavectl.devserver.cluster import WeaviateCluster
from weavectl.devserver.process import DEFAULT_MODULES, WeaviateServer
from weavectl.errors import ExitCode, WeavectlError

_MODULES_HELP = "Comma-separated extra modules to enable (API-based ones are on by default)."
_VERSION_HELP = (f"Weaviate release to run, e.g. 1.35.2 (default: $WEAVIATE_BIN, else ${VERSION_ENV}, else "
                 f"{WEAVIATE_VERSION}).")
_NODES_HELP = "Start a cluster of this many nodes on loopback (each with its own ports and data directory)."
_MOVEMENT_HELP = "With --nodes: REPLICA_MOVEMENT_ENABLED=true, for replica scaling (1.35+)."


def _server(api_key: str | None, modules: str, version: str | None, nodes: int = 1,
            replica_movement: bool = False) -> WeaviateServer | WeaviateCluster:
    extra = tuple(m for m in modules.split(",") if m)
    keys = (api_key,) if api_key else ()
    if nodes > 1:
        return WeaviateCluster(nodes, api_keys=keys, modules=DEFAULT_MODULES + extra, version=version,
                               replica_movement=replica_movement)
    return WeaviateServer(api_keys=keys, modules=DEFAULT_MODULES + extra, version=version)


def _running(server: WeaviateServer | WeaviateCluster) -> bool:
    if isinstance(server, WeaviateCluster):
        return all(node.running for node in server.nodes)
    return server.proc is not None and server.proc.poll() is None


def _describe(server: WeaviateServer | WeaviateCluster) -> str:
    if isinstance(server, WeaviateCluster):
        members = ", ".join(f"{n.name} {n.url} (gRPC {n.grpc_address})" for n in server.nodes)
        return f"weaviate-server {server.version} cluster of {server.size} ready: {members}"
    return f"weaviate-server {server.version} ready at {server.url} (gRPC {server.grpc_address})"


@click.group()
def main() -> None:
    """A real weaviate-server (one node, or a cluster with --nodes) on 127.0.0.1, for tests and local runs."""


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
@click.option("--nodes", type=click.IntRange(1, 9), default=1, show_default=True, help=_NODES_HELP)
@click.option("--replica-movement", is_flag=True, help=_MOVEMENT_HELP)
def run(api_key: str | None, modules: str, version: str | None, nodes: int, replica_movement: bool) -> None:
    """Start a node (or a cluster) and keep it running until Ctrl-C."""
    with _server(api_key, modules, version, nodes, replica_movement) as server:
        click.echo(_describe(server))
        try:
            while _running(server):
                time.sleep(0.5)
        except KeyboardInterrupt:
            click.echo("stopping")


@main.command(name="exec", context_settings={"ignore_unknown_options": True})
@click.option("--api-key", help="Run in API-key mode with this admin key (exported as WEAVIATE_API_KEY).")
@click.option("--modules", default="", help=_MODULES_HELP)
@click.option("--version", default=None, help=_VERSION_HELP)
@click.option("--nodes", type=click.IntRange(1, 9), default=1, show_default=True, help=_NODES_HELP)
@click.option("--replica-movement", is_flag=True, help=_MOVEMENT_HELP)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def exec_(api_key: str | None, modules: str, version: str | None, nodes: int, replica_movement: bool,
          command: tuple[str, ...]) -> None:
    """Start a node (or a cluster), run COMMAND with WEAVIATE_URL pointing at it (node 1; WEAVIATE_URLS lists
    every node), stop it, exit with COMMAND's code."""
    with _server(api_key, modules, version, nodes, replica_movement) as server:
        click.echo(_describe(server), err=True)
        env = {**os.environ, "WEAVIATE_URL": server.url, "WEAVIATE_GRPC_ADDRESS": server.grpc_address}
        if isinstance(server, WeaviateCluster):
            env["WEAVIATE_URLS"] = ",".join(server.urls)
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
