"""Parsed config files remembered by their bytes, so reading an unchanged file again costs a fraction of parsing it.

Parsing YAML is most of what `validate` and `plan` spend on a large file (PyYAML's C loader alone takes longer
than fetching and parsing the whole live schema). A file's parse depends on nothing but its bytes and the parser,
so a parse is stored under the sha256 of the bytes together with the parser's identity (the source of
`core/config/yamldoc.py`, PyYAML's version and loader, the interpreter's marshal format): any change to any of them
is a different key, never a stale answer. Only clean parses are stored (no diagnostic, plain data marshal can
hold); positions are stored without the file name, so a renamed or copied file still hits.

The cache is an optimisation and never a source of errors: an unreadable, corrupt or foreign entry is a miss, and
a cache folder that cannot be written is skipped. Small files are not stored (parsing them costs less than a
look-up is worth), and the folder keeps at most `MAX_ENTRIES` entries, the least recently written dropped first.
`WEAVECTL_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path as FilePath

import yaml

from weavectl.adapters.cachedir import cache_root
from weavectl.core.config import yamldoc
from weavectl.core.config.diagnostics import Diagnostics, Position
from weavectl.core.config.yamldoc import Document, parse_yaml

# Below this size a parse takes a few milliseconds: not worth a file in the cache folder.
MIN_CACHED_BYTES = 64 * 1024
MAX_ENTRIES = 256
# Part of every key; change it when the stored layout changes.
_FORMAT = "weavectl-parse-1"


@functools.cache
def parser_identity() -> str:
    """What a parse depends on besides the bytes: the parser's own source, PyYAML, the marshal format."""
    source = FilePath(yamldoc.__file__).read_bytes()
    loader = getattr(yamldoc._BASE_LOADER, "__name__", "")
    parts = (_FORMAT, hashlib.sha256(source).hexdigest(), yaml.__version__, loader, sys.implementation.cache_tag,
             str(marshal.version))
    return "\n".join(parts)


class ParseCache:
    """A folder of parses keyed by content; `parse` is `yamldoc.parse_yaml` with the folder in front."""

    def __init__(self, folder: FilePath | None) -> None:
        self.folder = folder  # None: off
        self.hits = 0
        self.misses = 0

    @classmethod
    def for_environ(cls, environ: Mapping[str, str]) -> ParseCache:
        if environ.get("WEAVECTL_NO_CACHE", "").strip().lower() in ("1", "true", "yes"):
            return cls(None)
        return cls(cache_root(environ) / "parsed")

    def parse(self, raw: bytes, file: str, diags: Diagnostics) -> Document | None:
        if self.folder is None or len(raw) < MIN_CACHED_BYTES:
            return parse_yaml(raw, file, diags)
        try:
            key = hashlib.sha256(parser_identity().encode() + b"\0" + raw).hexdigest()
        except OSError:  # the parser's source cannot be read (a zipped install): no identity, no cache
            return parse_yaml(raw, file, diags)
        entry = self.folder / f"{key[:40]}.bin"
        found = self._read(entry, key, file)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        before = len(diags.items)
        doc = parse_yaml(raw, file, diags)
        if doc is not None and len(diags.items) == before and not doc.invalid:
            self._write(entry, key, doc)
        return doc

    def _read(self, entry: FilePath, key: str, file: str) -> Document | None:
        try:
            stored = marshal.loads(entry.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return None
        # A foreign or damaged entry is a miss: the key it was written under must be inside it.
        if not (isinstance(stored, tuple) and len(stored) == 4 and stored[0] == key
                and isinstance(stored[2], dict) and isinstance(stored[3], bool)):
            return None
        _, data, compact, templated = stored
        positions = {path: Position(file, line, column) for path, (line, column) in compact.items()}
        return Document(data, file, positions, set(), templated=templated)

    def _write(self, entry: FilePath, key: str, doc: Document) -> None:
        compact = {path: (pos.line, pos.column) for path, pos in doc.positions.items()}
        try:
            blob = marshal.dumps((key, doc.data, compact, doc.templated))
        except ValueError:  # a value marshal cannot hold (a timestamp): parse this file every time
            return
        assert self.folder is not None
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Atomic: a concurrent run sees no entry or a whole one.
            with tempfile.NamedTemporaryFile("wb", dir=self.folder, suffix=".tmp", delete=False) as out:
                out.write(blob)
            os.replace(out.name, entry)
            self._trim()
        except OSError:  # a read-only or full cache folder: the parse was still right
            return

    def _trim(self) -> None:
        assert self.folder is not None
        entries = [p for p in self.folder.iterdir() if p.suffix in (".bin", ".tmp")]
        if len(entries) <= MAX_ENTRIES:
            return
        by_age = sorted(entries, key=_mtime)
        for old in by_age[: len(entries) - MAX_ENTRIES]:
            with contextlib.suppress(OSError):
                old.unlink()


def _mtime(path: FilePath) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
