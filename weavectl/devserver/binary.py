"""Find or build the weaviate-server binary, cached outside the repository and keyed by version."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from weavectl.adapters.cachedir import cache_root
from weavectl.errors import DevServerError

# v1.39.3 is the newest release whose whole module graph the Go proxy serves here: v1.39.4+ need a
# github.com/weaviate/sroar version the proxy refuses (seen on `go install`: 403 Forbidden from the proxy).
WEAVIATE_VERSION = "v1.39.3"
WEAVIATE_PACKAGE = "github.com/weaviate/weaviate/cmd/weaviate-server"
VERSION_ENV = "WEAVECTL_SERVER_VERSION"
_TAG = re.compile(r"v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)")


def resolve_version(version: str | None = None) -> str:
    """The release tag to run: `version`, else $WEAVECTL_SERVER_VERSION, else WEAVIATE_VERSION ('1.35.2' ->
    'v1.35.2')."""
    text = (version or os.environ.get(VERSION_ENV) or WEAVIATE_VERSION).strip()
    match = _TAG.fullmatch(text)
    if match is None:
        raise DevServerError(f"{text!r} is not a Weaviate release version",
                             hint="give one such as 1.35.2 or v1.39.3")
    return f"v{match.group(1)}"


def cached_binary_path(version: str | None = None) -> Path:
    return cache_root() / f"weaviate-{resolve_version(version)}" / "weaviate-server"


def ensure_binary(version: str | None = None, *, log: bool = True) -> Path:
    """The weaviate-server to run.

    An explicit `version` is always that version's cached build (built now, once, under a file lock, when
    missing). Without one, `$WEAVIATE_BIN` when set, else the build of $WEAVECTL_SERVER_VERSION or
    WEAVIATE_VERSION.
    """
    explicit = os.environ.get("WEAVIATE_BIN") if version is None else None
    version = resolve_version(version)
    if explicit:
        path = Path(explicit)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise DevServerError(f"WEAVIATE_BIN={explicit} is not an executable file")
        return path
    target = cached_binary_path(version)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Two test sessions on one machine must not build twice or see a half-written binary.
    with open(target.parent / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file():
            return target
        _build(version, target, log=log)
    return target


def _build(version: str, target: Path, *, log: bool) -> None:
    go = shutil.which("go")
    if go is None:
        raise DevServerError(
            "the Go toolchain is not on PATH, so weaviate-server cannot be built",
            hint="install Go >= 1.26, or set WEAVIATE_BIN to an existing weaviate-server binary",
        )
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as gobin:
        cmd = [go, "install", f"{WEAVIATE_PACKAGE}@{version}"]
        env = {**os.environ, "GOBIN": gobin, "CGO_ENABLED": "0", "GOFLAGS": "-buildvcs=false"}
        if log:
            print(f"weavectl: building weaviate-server {version} (several minutes, once): {' '.join(cmd)}",
                  file=sys.stderr, flush=True)
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        built = Path(gobin) / "weaviate-server"
        if proc.returncode != 0 or not built.is_file():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-20:])
            raise DevServerError(f"`{' '.join(cmd)}` failed (exit {proc.returncode}):\n{tail}")
        os.replace(built, target)  # atomic: readers see no binary or a whole one
    if log:
        print(f"weavectl: cached weaviate-server at {target}", file=sys.stderr, flush=True)
