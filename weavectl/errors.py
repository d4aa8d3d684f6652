"""One error base for every expected failure, each carrying the exit code the CLI returns.

The CLI has a single boundary (`weavectl.cli.main`) that turns these into a message and an exit code;
anything else reaching it is a bug and is reported as such.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Terraform-compatible codes, so CI scripts can branch on them."""

    OK = 0
    ERROR = 1
    CHANGES_PRESENT = 2  # only with `plan --detailed-exitcode`
    USAGE = 64  # EX_USAGE from sysexits.h; click's own default of 2 would collide with CHANGES_PRESENT
    INTERRUPTED = 130


class WeavectlError(Exception):
    """An expected failure: the message is shown to the user as is, without a traceback."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(WeavectlError):
    exit_code = ExitCode.USAGE


class ConfigError(WeavectlError):
    """The config file cannot be read or is invalid."""


class ServerError(WeavectlError):
    """Weaviate answered with an error, or could not be reached."""


class KeySourceError(WeavectlError):
    """An API-key source did not resolve. Messages name the source, never a value."""


class DevServerError(WeavectlError):
    """The local weaviate-server could not be built or started."""
