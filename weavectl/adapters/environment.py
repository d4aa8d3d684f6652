"""What a use case may read of the process it runs in: variables, streams, terminals, the HTTP transport, the
clock. The CLI builds one per invocation; tests pass their own instead of patching `os.environ` or `sys`."""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class Environment:
    environ: Mapping[str, str] = field(default_factory=dict)
    stdout: TextIO = field(default_factory=io.StringIO)
    stderr: TextIO = field(default_factory=io.StringIO)
    transport: httpx.BaseTransport | None = None  # recording or failure injection in tests; None: the network
    interactive: bool = False  # stdin is a terminal: apply, unlock and rollback may ask for confirmation
    colour: bool = False  # stdout is a terminal: the text plan is coloured
    progress: bool = False  # show request retries and waits on stderr (a terminal, or asked for)
    timeout: float | None = None  # the global --timeout; else WEAVECTL_TIMEOUT, else the default
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def from_process(cls, options: Mapping[str, Any] | None = None) -> Environment:
        """This process's: os.environ, sys.stdout/stderr as they are now (the CLI's scrubbing streams), their
        terminals; `options` are the CLI's context values (`timeout`, and `transport`/`progress` from tests)."""
        opts = options or {}
        transport = opts.get("transport")
        timeout = opts.get("timeout")
        return cls(environ=os.environ, stdout=sys.stdout, stderr=sys.stderr,
                   transport=transport if transport is not None and hasattr(transport, "handle_request") else None,
                   interactive=_isatty(sys.stdin), colour=_isatty(sys.stdout),
                   progress=_isatty(sys.stderr) or bool(opts.get("progress")),
                   timeout=float(timeout) if isinstance(timeout, int | float) else None)

    @property
    def wait_limit(self) -> float:
        """The longest wait for one request or key command: --timeout, else WEAVECTL_TIMEOUT, else 30 s."""
        from weavectl.adapters.weaviate import timeout_setting  # httpx: only commands that connect load it

        return timeout_setting(self.timeout, self.environ)

    def echo(self, message: str = "", *, err: bool = False, nl: bool = True) -> None:
        import click

        click.echo(message, file=self.stderr if err else self.stdout, nl=nl)

    def warn(self, message: str) -> None:
        """A warning for the person at the terminal, on this environment's stderr (the CLI's stream guard
        scrubs secrets from it)."""
        self.echo(f"Warning: {message}", err=True)


def current_environment() -> Environment:
    """The environment the CLI built for this invocation (or a test passed in), else this process's."""
    import click

    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    options = obj if isinstance(obj, dict) else {}
    env = options.get("environment")
    return env if isinstance(env, Environment) else Environment.from_process(options)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # replaced by a test's capture, or closed
        return False
