"""Key sources: where each secret comes from (env var, file, command output, or a marked literal).

Resolved values are registered with the redactor at once, so no later output can show them. Errors name the
source (variable, path, command), never a value.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from weavectl.core.redact import REDACTOR
from weavectl.errors import KeySourceError

COMMAND_TIMEOUT_S = 30


def describe(source: Mapping[str, Any]) -> str:
    if "env" in source:
        return f"environment variable {source['env']}"
    if "file" in source:
        return f"file {source['file']}"
    if "command" in source:
        cmd = source["command"]
        return f"command `{cmd if isinstance(cmd, str) else shlex.join(cmd)}`"
    return "literal value in the config file"


def resolve(source: Mapping[str, Any], *, environ: Mapping[str, str] | None = None,
            base_dir: Path | None = None) -> str:
    environ = os.environ if environ is None else environ
    if "env" in source:
        value = environ.get(str(source["env"]))
        if not value:
            raise KeySourceError(f"{describe(source)} is not set" if value is None else f"{describe(source)} is empty")
    elif "file" in source:
        path = Path(os.path.expanduser(str(source["file"])))
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        try:
            value = path.read_text().strip()
        except OSError as exc:
            raise KeySourceError(f"{describe(source)} cannot be read: {exc.strerror}") from None
        if not value:
            raise KeySourceError(f"{describe(source)} is empty")
    elif "command" in source:
        cmd = source["command"]
        argv = shlex.split(cmd) if isinstance(cmd, str) else [str(c) for c in cmd]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, check=False)
        except FileNotFoundError:
            raise KeySourceError(f"{describe(source)}: program not found") from None
        except subprocess.TimeoutExpired:
            raise KeySourceError(f"{describe(source)} did not finish within {COMMAND_TIMEOUT_S}s") from None
        value = proc.stdout.strip()
        REDACTOR.register(value)  # before any message that could quote its output
        if proc.returncode != 0:
            raise KeySourceError(f"{describe(source)} failed with exit code {proc.returncode}")
        if not value:
            raise KeySourceError(f"{describe(source)} printed nothing")
    elif "literal" in source:
        value = str(source["literal"])
    else:
        raise KeySourceError("a key source needs one of env, file, command or literal")
    REDACTOR.register(value)
    return value


def resolve_all(sources: Mapping[str, Mapping[str, Any]], names: list[str], *,
                environ: Mapping[str, str] | None = None, base_dir: Path | None = None
                ) -> tuple[dict[str, str], list[str]]:
    """Resolve the named credentials; returns (values, errors). Every failure is collected, none raised."""
    values: dict[str, str] = {}
    errors: list[str] = []
    for name in names:
        source = sources.get(name)
        if source is None:
            continue
        try:
            values[name] = resolve(source, environ=environ, base_dir=base_dir)
        except KeySourceError as exc:
            errors.append(f"api key '{name}': {exc.message}")
    return values, errors
