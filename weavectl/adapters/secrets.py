"""Key sources: where each secret comes from (env var, file, command output, or a marked literal).

Resolved values are normalised (surrounding whitespace stripped, with a warning) and registered with the
redactor at once, so no later output can show them. Errors name the source (variable, path, the program of a
command with its arguments hidden), never a value; a value that looks like a key written where a variable
name or path belongs is not shown either.
"""

from __future__ import annotations

import os
import re
import selectors
import shlex
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from weavectl.adapters.files import InputFileError, decode_utf8, read_regular_file
from weavectl.core.redact import REDACTOR, looks_like_secret, mask_command
from weavectl.errors import KeySourceError

COMMAND_TIMEOUT_S = 30.0
MAX_KEY_FILE_BYTES = 64 * 1024
MAX_COMMAND_OUTPUT = 1024 * 1024
_STDERR_SHOWN = 800
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Warn = Callable[[str], None]


def _argv(cmd: Any) -> list[str]:
    if isinstance(cmd, list):
        return [str(c) for c in cmd]
    try:
        return shlex.split(str(cmd))
    except ValueError as exc:  # unbalanced quotes
        raise KeySourceError(f"the command cannot be split into arguments ({exc})") from None


def describe(source: Mapping[str, Any]) -> str:
    """The source in words, fit for any message: never a value, never a command's arguments."""
    if "env" in source:
        name = source["env"]
        if isinstance(name, str) and _ENV_NAME.match(name):
            return f"environment variable {name}"
        return "the `env` key source"
    if "file" in source:
        path = source["file"]
        return "the `file` key source" if looks_like_secret(path) else f"file {path}"
    if "command" in source:
        try:
            return f"command `{mask_command(_argv(source['command']))}`"
        except KeySourceError:
            return "the `command` key source"
    return "literal value in the config file"


def normalise(value: str, what: str, warn: Warn | None, *, trailing_newline_ok: bool = False) -> str:
    """The key without surrounding whitespace. A key that still holds a line break or control character is
    refused (it cannot be sent in an HTTP header); stripping anything else is reported through `warn`."""
    REDACTOR.register(value)
    stripped = value.strip()
    REDACTOR.register(stripped)
    if any(ord(c) < 32 or ord(c) == 127 for c in stripped):
        raise KeySourceError(f"{what} holds a line break or control character inside the key; a key is one line")
    conventional = trailing_newline_ok and value[:-1] == stripped and value.endswith("\n")
    if stripped != value and not conventional and warn is not None:
        warn(f"{what}: surrounding whitespace (such as a trailing newline) was stripped from the key")
    return stripped


def resolve(source: Mapping[str, Any], *, environ: Mapping[str, str] | None = None,
            base_dir: Path | None = None, warn: Warn | None = None, timeout: float = COMMAND_TIMEOUT_S) -> str:
    environ = os.environ if environ is None else environ
    what = describe(source)
    newline_ok = False
    if "env" in source:
        name = source["env"]
        if not isinstance(name, str) or not _ENV_NAME.match(name):
            if looks_like_secret(name):
                REDACTOR.register(str(name))
                raise KeySourceError("the `env` value looks like a key itself, not a variable name: put the key "
                                     "in an environment variable and name the variable here")
            raise KeySourceError("the `env` value is not an environment variable name (letters, digits, _)")
        value = environ.get(name)
        if value is None:
            raise KeySourceError(f"{what} is not set")
    elif "file" in source:
        value = _read_file(source["file"], what, base_dir)
        newline_ok = True
    elif "command" in source:
        value = _run_command(source["command"], what, timeout)
        newline_ok = True
    elif "literal" in source:
        value = str(source["literal"])
    else:
        raise KeySourceError("a key source needs one of env, file, command or literal")
    value = normalise(value, what, warn, trailing_newline_ok=newline_ok)
    if not value:
        raise KeySourceError(f"{what} is empty" if "command" not in source else f"{what} printed nothing")
    return value


def _read_file(raw_path: Any, what: str, base_dir: Path | None) -> str:
    path = Path(os.path.expanduser(str(raw_path)))
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    try:
        data = read_regular_file(path, MAX_KEY_FILE_BYTES)
    except InputFileError as exc:
        if exc.reason == "does not exist" and looks_like_secret(raw_path):
            REDACTOR.register(str(raw_path))
            raise KeySourceError("the `file` value is not an existing file and looks like a key itself: put the "
                                 "key in a file and name the file here") from None
        raise KeySourceError(f"{what} {exc.reason}") from None
    text, problem = decode_utf8(data)
    if text is None:
        REDACTOR.register(data.decode("utf-8", errors="replace").strip())
        raise KeySourceError(f"{what} {problem}")
    return text


def _run_command(cmd: Any, what: str, timeout: float) -> str:
    argv = _argv(cmd)
    if not argv:
        raise KeySourceError("the command is empty")
    for arg in argv[1:]:  # `-token=...`: whatever the command echoes of its arguments is masked too
        for part in (arg, *arg.split("=", 1)[1:]):
            if _maybe_secret_argument(part):
                REDACTOR.register(part)
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
    except FileNotFoundError:
        raise KeySourceError(f"{what}: program not found") from None
    except OSError as exc:
        raise KeySourceError(f"{what} cannot be started: {exc.strerror}") from None
    out, err, timed_out = _collect(proc, timeout)
    stdout = out.decode("utf-8", errors="replace")
    REDACTOR.register(stdout)  # before any message that could quote its output
    if timed_out:
        raise KeySourceError(f"{what} did not finish within {timeout:g}s (stopped; --timeout / WEAVECTL_TIMEOUT)")
    if proc.returncode != 0:
        shown = _stderr_excerpt(err)
        raise KeySourceError(f"{what} failed with exit code {proc.returncode}"
                             + (f"; its error output:\n    {shown}" if shown else " (no error output)"))
    text, problem = decode_utf8(out)
    if text is None:
        raise KeySourceError(f"{what}: its output {problem.removeprefix('is ')}")
    return text


def _collect(proc: subprocess.Popen[bytes], timeout: float) -> tuple[bytes, bytes, bool]:
    """Read stdout and stderr until the command itself exits (a child it left behind may hold the pipes open
    for ever), or until the time limit, when its process group is stopped."""
    assert proc.stdout is not None and proc.stderr is not None
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    buffers = {out_fd: bytearray(), err_fd: bytearray()}
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        for stream in (proc.stdout, proc.stderr):
            os.set_blocking(stream.fileno(), False)
            sel.register(stream.fileno(), selectors.EVENT_READ)
        try:
            while True:
                exited = proc.poll() is not None
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if not exited:
                        _stop(proc)
                        return bytes(buffers[out_fd]), bytes(buffers[err_fd]), True
                    break
                events = sel.select(timeout=0 if exited else min(remaining, 0.05)) if sel.get_map() else []
                for key, _ in events:
                    try:
                        chunk = os.read(int(key.fd), 65536)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        sel.unregister(key.fd)
                        continue
                    buf = buffers[int(key.fd)]
                    if len(buf) < MAX_COMMAND_OUTPUT:
                        buf.extend(chunk[: MAX_COMMAND_OUTPUT - len(buf)])
                if exited and not events:
                    break
                if not sel.get_map() and not exited:
                    try:
                        proc.wait(timeout=max(remaining, 0.01))
                    except subprocess.TimeoutExpired:
                        continue
        finally:
            proc.stdout.close()
            proc.stderr.close()
    return bytes(buffers[out_fd]), bytes(buffers[err_fd]), False


def _maybe_secret_argument(part: str) -> bool:
    """Arguments are masked generously: a token-like word with digits in it may be a credential."""
    return looks_like_secret(part) or (len(part) >= 10 and not any(c.isspace() for c in part) and "/" not in part
                                       and any(c.isdigit() for c in part) and any(c.isalpha() for c in part))


def _stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: this reaches only what the command started
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def _stderr_excerpt(err: bytes) -> str:
    text = REDACTOR.scrub(err.decode("utf-8", errors="replace")).strip()
    if len(text) > _STDERR_SHOWN:
        text = "..." + text[-_STDERR_SHOWN:]
    return "\n    ".join(line.rstrip() for line in text.splitlines() if line.strip())


def resolve_all(sources: Mapping[str, Mapping[str, Any]], names: list[str], *,
                environ: Mapping[str, str] | None = None, base_dir: Path | None = None,
                warn: Warn | None = None, timeout: float = COMMAND_TIMEOUT_S) -> tuple[dict[str, str], list[str]]:
    """Resolve the named credentials; returns (values, errors). Every failure is collected, none raised."""
    values: dict[str, str] = {}
    errors: list[str] = []
    for name in sorted(names):
        source = sources.get(name)
        if source is None:
            continue
        named: Warn | None = None
        if warn is not None:
            def named(message: str, name: str = name, report: Warn = warn) -> None:
                report(f"api key '{name}': {message}")
        try:
            values[name] = resolve(source, environ=environ, base_dir=base_dir, warn=named, timeout=timeout)
        except KeySourceError as exc:
            errors.append(f"api key '{name}': {exc.message}")
    return values, errors
