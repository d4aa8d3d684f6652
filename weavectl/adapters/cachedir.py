"""weavectl's cache folder, the one home of its location: the compiled schema check, parsed config files and the
devserver's builds all live under it."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
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
    return _ours(info) and not info.st_mode & 0o022


def claim_private_folder(folder: Path) -> bool:
    """Make `folder` a private folder of this user's: created without access for others, or, when it is ours but
    others could write in it (made under a umask of 002 by an earlier weavectl), tightened and emptied, since what
    it holds may not be ours. False when it belongs to another user, or cannot be made private."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if private_folder(folder):
            return True
        if not _ours(os.stat(folder)):
            return False
        os.chmod(folder, 0o700)
        for entry in folder.iterdir():
            if entry.is_file() or entry.is_symlink():
                entry.unlink()
        return private_folder(folder)
    except OSError:
        return False


def _ours(info: os.stat_result) -> bool:
    """A folder owned by this process's user."""
    owner = os.geteuid() if hasattr(os, "geteuid") else info.st_uid
    return stat.S_ISDIR(info.st_mode) and info.st_uid == owner


def write_atomically(path: Path, blob: bytes) -> None:
    """`blob` as the file `path`: a concurrent run sees no file or a whole one, and no temporary is left behind."""
    temp: str | None = None
    try:
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, suffix=".tmp", delete=False) as out:
            temp = out.name
            out.write(blob)
        os.replace(temp, path)
        temp = None
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
