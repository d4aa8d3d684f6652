"""Thin click wiring. Commands parse flags, call a use case (`weavectl.usecases`; explain, unlock, rollback and
prune-generations their engine) with the `Environment` built here, render the result, and let errors reach
`main`'s boundary."""

from __future__ import annotations

import importlib
import io
import sys
import traceback
from collections.abc import Sequence
from typing import TextIO

import click

from weavectl import __version__
from weavectl.adapters.collector import tune_garbage_collector
from weavectl.core.redact import REDACTOR
from weavectl.errors import ExitCode, WeavectlError


class LazyGroup(click.Group):
    """A root group whose commands are imported on first use (see `weavectl.commands.COMMANDS`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from weavectl.commands import COMMANDS

        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from weavectl.commands import COMMANDS

        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        module_name, attribute = COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="weavectl", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True, max=86400), default=None, metavar="SECONDS",
              help="Longest wait for Weaviate: each request, and plan's reads together (default 30; "
                   "env WEAVECTL_TIMEOUT).")
@click.pass_context
def cli(ctx: click.Context, debug: bool, timeout: float | None) -> None:
    """Describe Weaviate collections, vectorizers and key sources in YAML, and converge clusters to it."""
    # Built once here and read by every command (`adapters.environment.current_environment`). Tests pass their own
    # `environment`, or collaborators (an HTTP transport) the process environment picks up.
    import dataclasses

    from weavectl.adapters.environment import Environment

    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if timeout is not None:
        ctx.obj["timeout"] = timeout
    given = ctx.obj.get("environment")
    if isinstance(given, Environment):
        ctx.obj["environment"] = given if timeout is None else dataclasses.replace(given, timeout=timeout)
    else:
        ctx.obj["environment"] = Environment.from_process(ctx.obj)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: the one error boundary that maps every outcome to a named exit code."""
    tune_garbage_collector()
    skip_httpx_cli()
    sys.exit(run_cli(argv))


def skip_httpx_cli() -> None:
    """Keep httpx from importing its own command line. httpx/__init__.py imports `httpx._main` (click, rich,
    pygments) whenever those are installed, and rich is (the migration progress bar): half of httpx's import
    time, which every command that talks to a server pays. A None entry in sys.modules makes that import fail,
    and httpx falls back to the stub it uses when its CLI extras are missing; weavectl never runs httpx's CLI."""
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


class _ScrubbingStream(io.TextIOBase):
    """stdout/stderr as the commands see them: every write passes the redactor first, so no output path
    (a renderer, a warning, a third-party message) can show a registered secret or its encodings."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(REDACTOR.scrub(text))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()

    def isatty(self) -> bool:
        return self._inner.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self._inner, "encoding", "utf-8") or "utf-8")

    def fileno(self) -> int:
        return self._inner.fileno()


def run_cli(argv: Sequence[str] | None = None, *, obj: dict[str, object] | None = None) -> int:
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _ScrubbingStream(out), _ScrubbingStream(err)
    try:
        return _run(argv, obj)
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            sys.stdout, sys.stderr = out, err


def _run(argv: Sequence[str] | None, obj: dict[str, object] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        result = cli.main(args=args, prog_name="weavectl", standalone_mode=False, obj=dict(obj or {}))
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return ExitCode.USAGE
    except click.UsageError as exc:
        exc.show()
        return ExitCode.USAGE
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return ExitCode.INTERRUPTED
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return ExitCode.INTERRUPTED
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return ExitCode.ERROR
    except WeavectlError as exc:
        click.echo(f"Error: {REDACTOR.scrub(exc.message)}", err=True)
        if exc.hint:
            click.echo(f"Hint: {REDACTOR.scrub(exc.hint)}", err=True)
        return int(exc.exit_code)
    except BrokenPipeError:
        return ExitCode.ERROR
    except OSError as exc:  # the environment refused (a full disk, a missing folder for --out): not a bug
        where = f": {exc.filename}" if exc.filename else ""
        click.echo(f"Error: {REDACTOR.scrub(exc.strerror or str(exc))}{REDACTOR.scrub(str(where))}", err=True)
        if debug:
            click.echo(REDACTOR.scrub(traceback.format_exc()), err=True)
        return ExitCode.ERROR
    except Exception as exc:  # the boundary: anything unexpected is a bug, reported without a traceback
        if debug:  # the traceback, scrubbed: exception texts may quote a header that holds a key
            click.echo(REDACTOR.scrub(traceback.format_exc()), err=True)
            return ExitCode.ERROR
        name = type(exc).__name__
        click.echo(f"Error: unexpected {name}: {REDACTOR.scrub(str(exc))}", err=True)
        click.echo("This is a bug in weavectl. Run again with --debug for the traceback.", err=True)
        return ExitCode.ERROR
    return int(result) if isinstance(result, int) else ExitCode.OK
