"""The CLI's one error boundary: named exit codes, no tracebacks, secrets scrubbed."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from weavectl import __version__
from weavectl.cli import cli, run_cli
from weavectl.core.redact import REDACTOR
from weavectl.errors import ConfigError, ExitCode


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"weavectl {__version__}"


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--help"]) == 0
    out = capsys.readouterr().out
    assert "validate" in out and "schema" in out


@pytest.mark.parametrize("argv", [["no-such-command"], ["validate", "--no-such-flag"], ["validate", "--format", "x"]])
def test_usage_errors_exit_64(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = run_cli(argv)
    assert code == ExitCode.USAGE and code == 64
    assert "Traceback" not in capsys.readouterr().err


@pytest.fixture
def command() -> object:
    """Registers a throwaway command whose behaviour each test sets, and removes it afterwards."""
    behaviour: dict[str, BaseException] = {}

    @click.command(name="_boom")
    def boom() -> None:
        raise behaviour["exc"]

    cli.add_command(boom)
    yield behaviour
    cli.commands.pop("_boom", None)


def test_expected_error_exit_1_without_traceback(command: dict[str, BaseException],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    command["exc"] = ConfigError("bad thing at x.yaml:1:1", hint="fix it")
    assert run_cli(["_boom"]) == 1
    err = capsys.readouterr().err
    assert "Error: bad thing at x.yaml:1:1" in err and "Hint: fix it" in err and "Traceback" not in err


def test_unexpected_error_is_reported_as_a_bug(command: dict[str, BaseException],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    command["exc"] = RuntimeError("kaput")
    assert run_cli(["_boom"]) == 1
    err = capsys.readouterr().err
    assert "This is a bug" in err and "--debug" in err and "Traceback" not in err


def test_interrupt_exits_130(command: dict[str, BaseException], capsys: pytest.CaptureFixture[str]) -> None:
    command["exc"] = KeyboardInterrupt()
    code = run_cli(["_boom"])
    assert code == ExitCode.INTERRUPTED and code == 130


def test_secrets_are_scrubbed_from_errors(command: dict[str, BaseException],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    REDACTOR.register("sk-live-very-secret-123")
    command["exc"] = ConfigError("provider said: key sk-live-very-secret-123 is invalid")
    assert run_cli(["_boom"]) == 1
    err = capsys.readouterr().err
    assert "sk-live-very-secret-123" not in err and "***" in err


def test_console_script_runs_in_a_fresh_process() -> None:
    proc = subprocess.run([sys.executable, "-m", "weavectl", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and __version__ in proc.stdout
    missing = subprocess.run([sys.executable, "-m", "weavectl", "validate", "-f", "/nonexistent.yaml"],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "config file not found" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_validate_does_not_import_weaviate_client(tmp_path: object) -> None:
    code = ("import sys; from weavectl.cli import run_cli; run_cli(['validate', '-f', 'examples']); "
            "print('weaviate' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "False"


def test_heavy_imports_wait_for_the_commands_that_need_them() -> None:
    # Start-up is paid on every run: `--version` loads no command, a valid file's `validate` and loading `plan`
    # (which writes plan files and never reads one) do not load jsonschema, whose full listing only an invalid
    # file needs. Each is a fresh process, so nothing imported by another test hides a regression.
    probes = {
        "--version": ("import sys\ntry:\n    run_cli(['--version'])\nexcept SystemExit:\n    pass\n",
                      ("weavectl.commands.plan_cmd", "httpx", "jsonschema", "yaml")),
        "validate": ("assert run_cli(['validate', '-f', 'examples/openai.yaml']) == 0\n",
                     ("jsonschema", "httpx", "weaviate")),
        "plan": ("import weavectl.commands.plan_cmd, weavectl.usecases.plan\n", ("jsonschema", "weaviate")),
    }
    for name, (body, absent) in probes.items():
        code = f"import sys\nfrom weavectl.cli import run_cli\n{body}print([m for m in {absent!r} if m in sys.modules])"
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert proc.stdout.strip().splitlines()[-1] == "[]", (name, proc.stdout[-500:], proc.stderr[-500:])


def test_the_entry_point_keeps_httpx_from_loading_its_own_command_line() -> None:
    # httpx imports its CLI (rich, pygments) whenever those are installed, and weavectl installs rich. The entry
    # point's setting must leave httpx working, and keep those out; a fresh process, as a user's run is.
    code = ("import sys\nfrom weavectl.cli import skip_httpx_cli\nskip_httpx_cli()\n"
            "import weavectl.adapters.weaviate, httpx\n"
            "assert httpx.Client and httpx.HTTPTransport\n"
            "print(sorted(m for m in ('httpx._main', 'rich', 'pygments') if sys.modules.get(m) is not None))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-800:]
    assert proc.stdout.strip() == "[]", proc.stdout
    # And `weavectl` itself goes through it: a plan against a closed port fails cleanly, without httpx's CLI.
    code = ("import sys, weavectl.cli as cli\nsys.argv = ['weavectl', '--timeout', '1', 'plan', "
            "'-f', 'examples/openai.yaml', '--url', 'http://127.0.0.1:9']\n"
            "try:\n    cli.main()\nexcept SystemExit as exit:\n    print('EXIT', exit.code)\n"
            "print('LOADED', sorted(m for m in ('httpx', 'rich') if sys.modules.get(m) is not None))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == "LOADED ['httpx']", (proc.stdout[-500:], proc.stderr[-500:])
    assert lines[-2] not in ("EXIT 0", "EXIT 64") and "no usable answer" in proc.stderr, proc.stderr[-500:]
