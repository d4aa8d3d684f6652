"""`python -m weavectl.devserver`: build, run, or wrap a command around a local real Weaviate."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

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
Server = WeaviateServer | WeaviateCluster


def _server(api_key: str | None, modules: str, version: str | None, nodes: int = 1,
            replica_movement: bool = False) -> Server:
    extra = tuple(m for m in modules.split(",") if m)
    if nodes > 1:
        return WeaviateCluster(nodes, api_keys=(api_key,) if api_key else (), modules=DEFAULT_MODULES + extra,
                               version=version, replica_movement=replica_movement)
    return WeaviateServer(api_keys=(api_key,) if api_key else (), modules=DEFAULT_MODULES + extra,
                          version=version)


def _running(server: Server) -> bool:
    if isinstance(server, WeaviateCluster):
        return all(node.running for node in server.nodes)
    return server.proc is not None and server.proc.poll() is None


def _log_tail(server: Server) -> str:
    if isinstance(server, WeaviateCluster):
        return "\n".join(f"--- {n.name}\n{n.log_tail(10)}" for n in server.nodes if not n.running)
    return server.log_tail()


def _ready(server: Server) -> str:
    if isinstance(server, WeaviateCluster):
        members = ", ".join(f"{n.name} {n.url} (gRPC {n.grpc_address})" for n in server.nodes)
        return f"weaviate-server {server.version} cluster of {server.size} ready: {members}"
    return f"weaviate-server {server.version} ready at {server.url} (gRPC {server.grpc_address})"


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(Exception):
    """A stop signal arrived: leave the `with` block so the node and its data directory are cleaned up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP stop the node cleanly. SIGINT is handled even when the shell started us with it
    ignored (`devserver run &` in a script), so Ctrl-C on the script still stops the node. A second signal
    while stopping is ignored, so the cleanup always finishes."""

    def handler(signum: int, frame: FrameType | None) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        raise Stopped(signum)

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _exports(server: Server, api_key: str | None) -> dict[str, str]:
    out = {"WEAVIATE_URL": server.url, "WEAVIATE_GRPC_ADDRESS": server.grpc_address}
    if isinstance(server, WeaviateCluster):
        out["WEAVIATE_URLS"] = ",".join(server.urls)
    if api_key:
        out["WEAVIATE_API_KEY"] = api_key
    return out


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
@click.option("--env-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the variables to export to this file (`set -a; . FILE`); removed on stop.")
@click.option("--version", default=None, help=_VERSION_HELP)
@click.option("--nodes", type=click.IntRange(1, 9), default=1, show_default=True, help=_NODES_HELP)
@click.option("--replica-movement", is_flag=True, help=_MOVEMENT_HELP)
def run(api_key: str | None, modules: str, env_file: Path | None, version: str | None, nodes: int,
        replica_movement: bool) -> None:
    """Start a node and keep it running until Ctrl-C, SIGTERM or SIGHUP (also when run in the background)."""
    code = 0
    with stop_on_signals():
        try:
            with _server(api_key, modules, version, nodes, replica_movement) as server:
                exports = _exports(server, api_key)
                click.echo(f"{_ready(server)}. To use it from another shell:")
                for name, value in exports.items():
                    click.echo(f"  export {name}={value}" if name != "WEAVIATE_API_KEY"
                               else f"  export {name}=<the --api-key you gave>")
                if env_file is not None:
                    env_file.write_text("".join(f"{k}={v}\n" for k, v in exports.items()))
                    click.echo(f"  (or: set -a; . {env_file}; set +a)")
                sys.stdout.flush()
                try:
                    while _running(server):
                        time.sleep(0.5)
                    code = 1
                    click.echo(f"weaviate-server exited on its own:\n{_log_tail(server)}", err=True)
                finally:
                    if env_file is not None:
                        env_file.unlink(missing_ok=True)
        except (Stopped, KeyboardInterrupt) as exc:
            name = exc.args[0] if isinstance(exc, Stopped) else "SIGINT"
            click.echo(f"{name}: stopped the node and removed its data directory", err=True)
            code = 128 + (exc.signum if isinstance(exc, Stopped) else signal.SIGINT)
    sys.exit(code)


@main.command(name="exec", context_settings={"ignore_unknown_options": True})
@click.option("--api-key", help="Run in API-key mode with this admin key (exported as WEAVIATE_API_KEY).")
@click.option("--modules", default="", help=_MODULES_HELP)
@click.option("--version", default=None, help=_VERSION_HELP)
@click.option("--nodes", type=click.IntRange(1, 9), default=1, show_default=True, help=_NODES_HELP)
@click.option("--replica-movement", is_flag=True, help=_MOVEMENT_HELP)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def exec_(api_key: str | None, modules: str, version: str | None, nodes: int, replica_movement: bool,
          command: tuple[str, ...]) -> None:
    """Start a node, run COMMAND with WEAVIATE_URL pointing at it, stop the node, exit with COMMAND's code."""
    code = 0
    with stop_on_signals():
        try:
            with _server(api_key, modules, version, nodes, replica_movement) as server:
                click.echo(_ready(server), err=True)
                child = subprocess.Popen(list(command), env={**os.environ, **_exports(server, api_key)})
                try:
                    code = child.wait()
                finally:
                    if child.poll() is None:  # stopped by a signal: stop the command too, within a limit
                        child.terminate()
                        try:
                            child.wait(timeout=10)
                        except subprocess.TimeoutExpired:
                            child.kill()
        except Stopped as exc:
            click.echo(f"{exc.args[0]}: stopped the command and the node", err=True)
            code = 128 + exc.signum
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
