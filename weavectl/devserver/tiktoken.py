"""Offline BPE files for text2vec-openai.

The server counts tokens with tiktoken-go, which downloads its BPE files on first use; offline the encoder is
nil and every batch import fails. tiktoken-go looks in $TIKTOKEN_CACHE_DIR first, under sha1(url) in hex, so
we fill that folder from the Go module that ships the same files (fetched through the Go module proxy).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from weavectl.adapters.cachedir import cache_root
from weavectl.errors import DevServerError

LOADER_MODULE = "github.com/pkoukk/tiktoken-go-loader@v0.0.2"
_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
ENCODINGS = ("cl100k_base", "o200k_base", "p50k_base", "r50k_base")


def ensure_tiktoken_cache() -> Path:
    target = cache_root() / "tiktoken"
    wanted = {hashlib.sha1(_URL.format(name).encode()).hexdigest(): name for name in ENCODINGS}
    if all((target / key).is_file() for key in wanted):
        return target
    target.mkdir(parents=True, exist_ok=True)
    go = shutil.which("go")
    if go is None:
        raise DevServerError("the Go toolchain is needed once to fetch the tiktoken files for text2vec-openai")
    proc = subprocess.run([go, "mod", "download", "-json", LOADER_MODULE],
                          capture_output=True, text=True, check=False, cwd=cache_root())
    if proc.returncode != 0:
        raise DevServerError(f"`go mod download -json {LOADER_MODULE}` failed: {proc.stdout or proc.stderr}")
    assets = Path(json.loads(proc.stdout)["Dir"]) / "assets"
    for key, name in wanted.items():
        tmp = target / f".{key}.tmp"
        shutil.copyfile(assets / f"{name}.tiktoken", tmp)
        tmp.replace(target / key)
    return target
