"""Thin click wiring. Commands parse flags, call `weavectl.run`, and let errors reach `main`'s boundary."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click

from weavectl import __version__
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
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Describe Weaviate collections, vectorizers and key sources in YAML, and converge clusters to it."""
    # Tests inject collaborators (an HTTP transport) through obj; commands read them from the context.
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: the one error boundary that maps every outcome to a named exit code."""
    sys.exit(run_cli(argv))


def run_cli(argv: Sequence[str] | None = None, *, obj: dict[str, object] | None = None) -> int:
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
    except Exception as exc:  # the boundary: anything unexpected is a bug, reported without a traceback
        if debug:
            raise
        name = type(exc).__name__
        click.echo(f"Error: unexpected {name}: {REDACTOR.scrub(str(exc))}", err=True)
        click.echo("This is a bug in weavectl. Run again with --debug for the traceback.", err=True)
        return ExitCode.ERROR
    return int(result) if isinstance(result, int) else ExitCode.OK
