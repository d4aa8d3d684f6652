"""Parsed config files remembered by their bytes, so reading an unchanged file again costs a fraction of parsing it.

Parsing YAML is most of what `validate` and `plan` spend on a large file (PyYAML's C loader alone takes longer
than fetching and parsing the whole live schema). A parse is stored under the sha256 of the file's bytes together
with everything else the parse depends on (`parser_identity`: the source of the parser and of this module, PyYAML
and libyaml, the interpreter and its integer-size limit): any change to any of them is a different key, never a
stale answer. Positions are stored without the file name, so a renamed or copied file still hits.

What is stored is limited: only clean parses (no diagnostic, plain data marshal can hold) of files of at least
`MIN_CACHED_BYTES`, and never a file that holds something that looks like a key (a `literal` key source, or a
token shaped like a provider key), so the cache folder never becomes a second copy of a secret.

The cache is an optimisation, never a source of errors or waits: an entry that is not a regular file of ours,
unreadable, damaged or foreign is a miss; a cache folder that is writable by other users is not used; a folder that
cannot be found or written is skipped. The folder keeps at most `MAX_ENTRIES` entries, the least recently used
dropped first. `WEAVECTL_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import re
import stat
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path as FilePath

import yaml

from weavectl.adapters.cachedir import cache_root
from weavectl.adapters.files import read_regular_file
from weavectl.core.config import yamldoc
from weavectl.core.config.diagnostics import Diagnostics, Position
from weavectl.core.config.yamldoc import Document, parse_yaml
from weavectl.core.redact import looks_like_secret

# Below this size a parse takes a few milliseconds: not worth a file in the cache folder.
MIN_CACHED_BYTES = 64 * 1024
MAX_ENTRIES = 256
# An entry is a few times the size of its file; anything far larger is not one of ours.
MAX_ENTRY_BYTES = 256 * 1024 * 1024
# Part of every key; change it when the stored layout changes (this module's source is in the key too).
_FORMAT = "weavectl-parse-2"
_OFF_VALUES = ("1", "true", "yes", "on")
# Runs of characters a key is made of, long enough to be one (redact.looks_like_secret decides).
_TOKEN = re.compile(rb"[A-Za-z0-9_\-+/=.:]{8,}")


@functools.cache
def parser_identity() -> str:
    """What a parse depends on besides the bytes: the parser's and this module's source, PyYAML and the libyaml it
    was built with, the interpreter (exact version, marshal format) and the longest integer text it converts."""
    sources = [FilePath(module.__file__ or "").read_bytes() for module in (yamldoc, sys.modules[__name__])]
    native = getattr(yaml, "_yaml", None) if getattr(yaml, "__with_libyaml__", False) else None
    libyaml = str(native.get_version_string()) if native is not None else "none"
    parts = (_FORMAT, *(hashlib.sha256(s).hexdigest() for s in sources), yaml.__version__, libyaml,
             getattr(yamldoc._BASE_LOADER, "__name__", ""), sys.version, sys.implementation.cache_tag,
             str(marshal.version), str(sys.get_int_max_str_digits()))
    return "\n".join(parts)


def holds_a_key(raw: bytes) -> bool:
    """Whether the file holds something that must not be copied: a `literal` key source, or a token that looks
    like a provider or Weaviate key (the file's own problem, which validation reports; the cache keeps out)."""
    if b"literal" in raw:
        return True
    return any(looks_like_secret(token.decode("ascii")) for token in set(_TOKEN.findall(raw)))


class ParseCache:
    """A folder of parses keyed by content; `parse` is `yamldoc.parse_yaml` with the folder in front."""

    def __init__(self, folder: FilePath | None) -> None:
        self.folder = folder  # None: off
        self.hits = 0
        self.misses = 0

    @classmethod
    def for_environ(cls, environ: Mapping[str, str]) -> ParseCache:
        if environ.get("WEAVECTL_NO_CACHE", "").strip().lower() in _OFF_VALUES:
            return cls(None)
        try:
            return cls(cache_root(environ) / "parsed")
        except (RuntimeError, KeyError, OSError):  # no home folder to be found: no cache
            return cls(None)

    def parse(self, raw: bytes, file: str, diags: Diagnostics) -> Document | None:
        if self.folder is None or len(raw) < MIN_CACHED_BYTES:
            return parse_yaml(raw, file, diags)
        try:
            key = hashlib.sha256(parser_identity().encode() + b"\0" + raw).hexdigest()
        except OSError:  # the parser's source cannot be read (a zipped install): no identity, no cache
            return parse_yaml(raw, file, diags)
        entry = self.folder / f"{key[:40]}.bin"
        found = self._read(entry, key, file) if self._trusted_folder() else None
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        before = len(diags.items)
        doc = parse_yaml(raw, file, diags)
        if doc is not None and len(diags.items) == before and not doc.invalid and not holds_a_key(raw):
            self._write(entry, key, doc)
        return doc

    def _trusted_folder(self) -> bool:
        """Ours alone: owned by this user and writable by no one else, so nobody else can plant a parse."""
        assert self.folder is not None
        try:
            info = os.stat(self.folder)
        except OSError:
            return False
        owner = os.geteuid() if hasattr(os, "geteuid") else info.st_uid
        return stat.S_ISDIR(info.st_mode) and info.st_uid == owner and not info.st_mode & 0o022

    def _read(self, entry: FilePath, key: str, file: str) -> Document | None:
        try:
            blob = read_regular_file(entry, MAX_ENTRY_BYTES, follow_links=False)
            stored = marshal.loads(blob)
            # A foreign or damaged entry is a miss: the key it was written under, and its data's digest, must match.
            if not (isinstance(stored, tuple) and len(stored) == 3 and stored[0] == key
                    and isinstance(stored[1], bytes) and isinstance(stored[2], bytes)
                    and hashlib.sha256(stored[2]).digest() == stored[1]):
                return None
            data, compact, templated = marshal.loads(stored[2])
            if not (isinstance(data, dict) and isinstance(compact, dict) and isinstance(templated, bool)):
                return None
            positions = {path: Position(file, line, column) for path, (line, column) in compact.items()}
        except Exception:  # not a regular file (read_regular_file refuses a link, a FIFO planted there, an entry
            # larger than any of ours), or whatever a damaged entry makes marshal or the rebuild raise (MemoryError)
            return None
        with contextlib.suppress(OSError):
            os.utime(entry)  # used now: the last to be dropped
        return Document(data, file, positions, set(), templated=templated)

    def _write(self, entry: FilePath, key: str, doc: Document) -> None:
        compact = {path: (pos.line, pos.column) for path, pos in doc.positions.items()}
        try:
            body = marshal.dumps((doc.data, compact, doc.templated))
        except ValueError:  # a value marshal cannot hold (a timestamp): parse this file every time
            return
        blob = marshal.dumps((key, hashlib.sha256(body).digest(), body))
        assert self.folder is not None
        temp: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self._trusted_folder():
                return
            # Atomic: a concurrent run sees no entry or a whole one.
            with tempfile.NamedTemporaryFile("wb", dir=self.folder, suffix=".tmp", delete=False) as out:
                temp = out.name
                out.write(blob)
            os.replace(temp, entry)
            temp = None
            self._trim()
        except OSError:  # a read-only or full cache folder: the parse was still right
            pass
        finally:
            if temp is not None:
                _remove(FilePath(temp))

    def _trim(self) -> None:
        assert self.folder is not None
        entries = [p for p in self.folder.iterdir() if p.suffix in (".bin", ".tmp")]
        if len(entries) <= MAX_ENTRIES:
            return
        for old in sorted(entries, key=_mtime)[: len(entries) - MAX_ENTRIES]:
            _remove(old)


def _mtime(path: FilePath) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _remove(path: FilePath) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
