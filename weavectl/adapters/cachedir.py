"""weavectl's cache folder, the one home of its location: the compiled schema check, parsed config files and the
devserver's builds all live under it."""

from __future__ import annotations

import os
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
