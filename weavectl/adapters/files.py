"""Reading config files, folders and other inputs from disk; parsing itself is pure (`core.yamldoc`).

Every file weavectl reads goes through `read_regular_file`: regular files only (a FIFO, a device such as
/dev/zero or a terminal would block or never end), opened without blocking, and read with a size cap counted
on the bytes actually read, because stat() says 0 bytes for /proc files and devices.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from weavectl.adapters.collector import collector_paused
from weavectl.core.config.diagnostics import Diagnostics, Position
from weavectl.core.config.yamldoc import Document, parse_yaml

if TYPE_CHECKING:  # the cache reads its entries with read_regular_file
    from weavectl.adapters.parsecache import ParseCache

DEFAULT_CONFIG = "weavectl.yaml"
MAX_CONFIG_BYTES = 32 * 1024 * 1024
_CHUNK = 1024 * 1024

_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class InputFileError(Exception):
    """A file that cannot be used as input; `reason` is fit to show (it names no file content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_regular_file(path: Path, limit: int, *, follow_links: bool = True) -> bytes:
    """The file's bytes, at most `limit` of them; raises InputFileError with a reason otherwise.
    `follow_links=False`: a symbolic link at `path` is refused too (the parse cache's entries)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputFileError("does not exist") from None
    except IsADirectoryError:
        raise InputFileError("is a directory") from None
    except OSError as exc:
        raise InputFileError(f"cannot be opened: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode  # of what was opened, so a swap after a check cannot slip through
        if stat.S_ISDIR(mode):
            raise InputFileError("is a directory")
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise InputFileError(f"is {kind}, not a regular file")
        chunks: list[bytes] = []
        total = 0
        while True:
            try:
                chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            except BlockingIOError:  # /proc/kmsg and friends: a "file" that waits for data
                raise InputFileError("would block waiting for data; it is not an ordinary file") from None
            except OSError as exc:
                if exc.errno == errno.EISDIR:
                    raise InputFileError("is a directory") from None
                raise InputFileError(f"cannot be read: {exc.strerror}") from None
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise InputFileError(f"is larger than {_size(limit)}; refusing to read more")
    finally:
        os.close(fd)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB" if n >= 1024 else f"{n} bytes"


def decode_utf8(raw: bytes) -> tuple[str | None, str]:
    """(text, "") or (None, a message naming where the first non-UTF-8 byte is)."""
    try:
        return raw.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at line {line}, column {column})"


def config_paths(inputs: tuple[str, ...] | list[str]) -> list[Path]:
    """`-f` values: files, or folders whose *.yaml / *.yml files are read in name order."""
    if not inputs:
        return [Path(DEFAULT_CONFIG)]
    paths: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            paths.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            paths.append(path)
    return paths


def load_documents(inputs: tuple[str, ...] | list[str], diags: Diagnostics,
                   cache: ParseCache | None = None) -> list[Document]:
    """Each file parsed (through `cache` when given: an unchanged large file is not parsed again)."""
    docs: list[Document] = []
    paths = config_paths(inputs)
    if not paths:
        diags.error(f"no *.yaml files in {', '.join(inputs)}")
    for path in paths:
        name = str(path)
        try:
            raw = read_regular_file(path, MAX_CONFIG_BYTES)
        except InputFileError as exc:
            if exc.reason == "does not exist":
                hint = "create weavectl.yaml here, or pass -f FILE" if name == DEFAULT_CONFIG else None
                diags.error(f"config file not found: {name}", hint=hint)
            else:
                diags.error(f"{name} {exc.reason}", position=Position(name, 1, 1))
            continue
        with collector_paused():
            doc = cache.parse(raw, name, diags) if cache is not None else parse_yaml(raw, name, diags)
        if doc is not None:
            docs.append(doc)
    return docs
