"""Parsed config files remembered by their bytes, so reading an unchanged file again costs a fraction of parsing it.

Parsing YAML is most of what `validate` and `plan` spend on a large file (PyYAML's C loader alone takes longer
than fetching and parsing the whole live schema). A parse is stored under the sha256 of the file's bytes together
with everything else the parse depends on (`parser_identity`: the source of the parser and of this module, PyYAML
and libyaml, the interpreter and its integer-size limit): any change to any of them is a different key, never a
stale answer. Positions are stored without the file name, so a renamed or copied file still hits.

What is stored is limited: only clean parses (no diagnostic, plain data marshal can hold) of files of at least
`MIN_CACHED_BYTES`, and never a file that holds something that looks like a key (a `literal` key source, or a
token shaped like a provider key), so the cache folder never becomes a second copy of a secret.

Beside the parses it keeps the checks' verdict (`checked/`): a file that passed the schema and semantic checks
without a single diagnostic is marked under its parse key and `checks_identity()` (every module of weavectl.core,
the shipped schema, the compiled check's generator), so the same bytes checked by the same code are not checked
again. `checked_documents` is the one way commands run the checks with it.

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
import sys
from collections.abc import Mapping
from pathlib import Path as FilePath

import yaml

from weavectl.adapters.cachedir import cache_root, private_folder, write_atomically
from weavectl.adapters.collector import collector_paused
from weavectl.adapters.files import read_regular_file
from weavectl.adapters.schemas import CONFIG_SCHEMA, GENERATED_VARIANT, config_validator, schema_path
from weavectl.core.config import yamldoc
from weavectl.core.config.diagnostics import Diagnostics, Position
from weavectl.core.config.validate import Validated, validate_documents
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


@functools.cache
def checks_identity() -> str:
    """What the checks of a parsed file depend on besides its data: the parse's own identity, every module of
    `weavectl.core` (the schema, the semantic checks and the Weaviate knowledge they read), the shipped JSON
    Schema, and the compiled schema check's generator. Any change to any of them is a new verdict key."""
    from weavectl import core

    digest = hashlib.sha256(parser_identity().encode())
    package = FilePath(core.__file__ or "").parent
    sources = sorted(package.rglob("*.py"))
    if not sources:  # an install without sources: nothing to key the checks by, so no verdict
        raise OSError(f"no sources under {package}")
    for source in sources:
        digest.update(f"\0{source.relative_to(package).as_posix()}\0".encode() + source.read_bytes())
    digest.update(b"\0" + schema_path(CONFIG_SCHEMA).read_bytes())
    # A kept verdict is the compiled check's (checked_documents keeps none that jsonschema decided): without the
    # compiled check (ImportError), no verdict is kept.
    import fastjsonschema

    digest.update(f"\0fastjsonschema {fastjsonschema.VERSION} {GENERATED_VARIANT}".encode())
    return digest.hexdigest()


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
        # Each file whose parse is kept (read from the folder, or written to it), by name: its parse key.
        self._keys: dict[str, str] = {}

    @classmethod
    def for_environ(cls, environ: Mapping[str, str]) -> ParseCache:
        if environ.get("WEAVECTL_NO_CACHE", "").strip().lower() in _OFF_VALUES:
            return cls(None)
        try:
            return cls(cache_root(environ) / "parsed")
        except (RuntimeError, KeyError, OSError):  # no home folder to be found: no cache
            return cls(None)

    def parse(self, raw: bytes, file: str, diags: Diagnostics) -> Document | None:
        self._keys.pop(file, None)  # set again below only for these bytes, when their parse is kept
        if self.folder is None or len(raw) < MIN_CACHED_BYTES:
            return parse_yaml(raw, file, diags)
        try:
            key = hashlib.sha256(parser_identity().encode() + b"\0" + raw).hexdigest()
        except OSError:  # the parser's source cannot be read (a zipped install): no identity, no cache
            return parse_yaml(raw, file, diags)
        entry = self.folder / f"{key[:40]}.bin"
        found = self._read(entry, key, file) if private_folder(self.folder) else None
        if found is not None:
            self.hits += 1
            self._keys[file] = key
            return found
        self.misses += 1
        before = len(diags.items)
        doc = parse_yaml(raw, file, diags)
        if doc is not None and len(diags.items) == before and not doc.invalid and not holds_a_key(raw):
            self._write(entry, key, doc)
            self._keys[file] = key
        return doc

    # -- the checks' verdict ---------------------------------------------------------------------------
    # A file whose checks (schema and semantic) found nothing at all is marked, under its parse key and
    # `checks_identity`: the same bytes checked by the same code find nothing again, so the checks of an unchanged
    # file are skipped, as a linter's cache skips an unchanged file. Only a clean verdict is kept (every warning is
    # found on every run), and only for a file whose parse is kept (one that holds nothing shaped like a key).
    def checked(self, file: str) -> bool:
        """Whether `file`, as parsed last, passed the checks before without a single diagnostic."""
        marker = self._verdict(file)
        if marker is None or not private_folder(marker[0].parent):
            return False
        try:
            if read_regular_file(marker[0], 256, follow_links=False) != marker[1].encode():
                return False
        except Exception:  # no marker, a damaged one, or not a regular file: check the file
            return False
        with contextlib.suppress(OSError):
            os.utime(marker[0])  # used now: the last to be dropped
        return True

    def mark_checked(self, file: str) -> None:
        """Remember that `file`, as parsed last, passed the checks without a diagnostic."""
        marker = self._verdict(file)
        if marker is None:
            return
        path, verdict = marker
        _store(path, verdict.encode())  # when it cannot be stored, the file is checked every time

    def _verdict(self, file: str) -> tuple[FilePath, str] | None:
        key = self._keys.get(file)
        if self.folder is None or key is None:
            return None
        try:
            verdict = hashlib.sha256(f"{checks_identity()}\0{key}".encode()).hexdigest()
        except (OSError, ImportError):  # a source cannot be read (a zipped install), or no compiled check
            return None
        return self.folder.with_name("checked") / verdict[:40], verdict

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
        _store(entry, marshal.dumps((key, hashlib.sha256(body).digest(), body)))


def _store(path: FilePath, blob: bytes) -> None:
    """`blob` as `path`, in a private folder of this user's (made so when missing), keeping the folder trimmed; a
    folder others can write, or one that cannot be written (read-only, full), stores nothing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if private_folder(path.parent):
            write_atomically(path, blob)
            _trim(path.parent)
    except OSError:
        pass


def _trim(folder: FilePath) -> None:
    """At most MAX_ENTRIES files (and leftover temporaries) in `folder`: the least recently used go first."""
    entries = list(folder.iterdir())
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


def checked_documents(docs: list[Document], cache: ParseCache, diags: Diagnostics, *, env_name: str | None,
                      environ: Mapping[str, str], missing_var_is_error: bool = False) -> Validated | None:
    """The files' checks, skipped for one unchanged file that passed them before without a diagnostic (the
    cache's verdict); a run that finds nothing at all records that verdict."""
    if not docs:
        return None
    one = docs[0].file if len(docs) == 1 else None
    known_clean = one is not None and not diags.items and cache.checked(one)
    validator = config_validator()
    with collector_paused():
        result = validate_documents(docs, validator, env_name=env_name, environ=environ, diags=diags,
                                    missing_var_is_error=missing_var_is_error, checked=known_clean)
    # Only the compiled check's "valid" is kept (its generator is in the key; jsonschema's version is not).
    if one is not None and not known_clean and not diags.items and not validator.fell_back:
        cache.mark_checked(one)
    return result
