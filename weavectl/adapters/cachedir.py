"""weavectl's cache folder, the one home of its location: the compiled schema check, parsed config files and the
devserver's builds all live under it."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path


def cache_root(environ: Mapping[str, str] | None = None) -> Path:
    """`$WEAVECTL_CACHE_DIR`, else `$XDG_CACHE_HOME/weavectl`, else `~/.cache/weavectl` (`environ`: the
    variables to read, this process's when None)."""
    env = os.environ if environ is None else environ
    override = env.get("WEAVECTL_CACHE_DIR")
    if override:
        return Path(override)
    return Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "weavectl"


def private_folder(folder: Path) -> bool:
    """Whether `folder` is a folder of this user's that no one else can write in: only then is anything read from
    it trusted (a parse, a check's verdict, compiled code), so another user cannot plant one."""
    try:
        info = os.stat(folder)
    except OSError:
        return False
    owner = os.geteuid() if hasattr(os, "geteuid") else info.st_uid
    return stat.S_ISDIR(info.st_mode) and info.st_uid == owner and not info.st_mode & 0o022
