"""The parse cache answers exactly what parsing answers, or parses: a changed byte, a changed parser, a damaged or
foreign entry, a parse with diagnostics and a value marshal cannot hold are never served from it."""

from __future__ import annotations

import hashlib
import marshal
import os
import shutil
import struct
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from weavectl.adapters import parsecache
from weavectl.adapters.environment import Environment
from weavectl.adapters.files import load_documents
from weavectl.adapters.parsecache import MIN_CACHED_BYTES, ParseCache
from weavectl.cli import run_cli
from weavectl.core.config import yamldoc
from weavectl.core.config.diagnostics import Diagnostics
from weavectl.core.config.yamldoc import Document, parse_yaml


def big_config(collections: int = 80, description: str = "a collection") -> str:
    cols = [{"name": f"Coll{i:03d}", "description": f"{description} {i}",
             "properties": [{"name": f"p{j}", "data_type": ["text", "int"][j % 2], "description": f"field {j}"}
                            for j in range(12)],
             "vectors": {"main": {"vectorizer": "text2vec-openai", "model": "text-embedding-3-small",
                                  "source_properties": ["p0"]}}}
            for i in range(collections)]
    text = yaml.safe_dump({"version": 1, "collections": cols}, sort_keys=False)
    assert len(text.encode()) >= MIN_CACHED_BYTES
    return text


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.bin")) if folder.is_dir() else []


def same_document(a: Document | None, b: Document | None) -> None:
    assert a is not None and b is not None
    assert (a.data, a.file, a.positions, a.invalid, a.templated) == (b.data, b.file, b.positions, b.invalid,
                                                                    b.templated)


def test_an_unchanged_file_is_served_from_the_cache_as_parsing_would_give_it(tmp_path: Path) -> None:
    text = big_config()
    cache = ParseCache(tmp_path / "parsed")
    first = cache.parse(text.encode(), "a.yaml", Diagnostics())
    again = cache.parse(text.encode(), "a.yaml", Diagnostics())
    assert (cache.misses, cache.hits) == (1, 1)
    assert len(entries(tmp_path / "parsed")) == 1
    same_document(again, parse_yaml(text.encode(), "a.yaml", Diagnostics()))
    same_document(first, again)
    # The same bytes under another name: a hit, with positions in the file it was read from.
    moved = cache.parse(text.encode(), "elsewhere/b.yaml", Diagnostics())
    assert cache.hits == 2
    same_document(moved, parse_yaml(text.encode(), "elsewhere/b.yaml", Diagnostics()))


def test_one_changed_byte_is_a_new_parse(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path)
    cache.parse(big_config().encode(), "a.yaml", Diagnostics())
    changed = big_config(description="b collection").encode()
    doc = cache.parse(changed, "a.yaml", Diagnostics())
    assert (cache.misses, cache.hits) == (2, 0)
    same_document(doc, parse_yaml(changed, "a.yaml", Diagnostics()))


def test_a_changed_parser_does_not_reuse_earlier_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = big_config().encode()
    ParseCache(tmp_path).parse(raw, "a.yaml", Diagnostics())
    monkeypatch.setattr(parsecache, "parser_identity", lambda: "another parser")
    cache = ParseCache(tmp_path)
    cache.parse(raw, "a.yaml", Diagnostics())
    assert (cache.misses, cache.hits) == (1, 0)
    assert len(entries(tmp_path)) == 2


@pytest.mark.parametrize("damage", [b"", b"garbage\x00\xff", b"\xe9" * 10])
def test_a_damaged_entry_is_a_miss_and_is_rewritten(tmp_path: Path, damage: bytes) -> None:
    raw = big_config().encode()
    ParseCache(tmp_path).parse(raw, "a.yaml", Diagnostics())
    (entry,) = entries(tmp_path)
    entry.write_bytes(damage)
    cache = ParseCache(tmp_path)
    same_document(cache.parse(raw, "a.yaml", Diagnostics()), parse_yaml(raw, "a.yaml", Diagnostics()))
    assert (cache.misses, cache.hits) == (1, 0)
    assert entry.read_bytes() != damage


def test_an_entry_written_for_other_bytes_is_never_served(tmp_path: Path) -> None:
    """An entry copied over another key's name (or a collision of the name's prefix) holds the key it was
    written under, which must match."""
    one, other = big_config().encode(), big_config(description="other").encode()
    ParseCache(tmp_path).parse(one, "a.yaml", Diagnostics())
    (entry_one,) = entries(tmp_path)
    ParseCache(tmp_path).parse(other, "a.yaml", Diagnostics())
    (entry_other,) = [e for e in entries(tmp_path) if e != entry_one]
    shutil.copy(entry_other, entry_one)
    cache = ParseCache(tmp_path)
    same_document(cache.parse(one, "a.yaml", Diagnostics()), parse_yaml(one, "a.yaml", Diagnostics()))
    assert cache.hits == 0


def test_a_parse_with_diagnostics_is_not_stored_and_reports_them_every_time(tmp_path: Path) -> None:
    raw = (big_config() + "version: 1\n").encode()  # a duplicate top-level key
    cache = ParseCache(tmp_path)
    for _ in range(2):
        diags = Diagnostics()
        cache.parse(raw, "a.yaml", diags)
        assert [d.message for d in diags.errors] == ["duplicate key 'version' (first defined at line 1)"]
    assert entries(tmp_path) == []


def test_a_value_marshal_cannot_hold_is_parsed_every_time(tmp_path: Path) -> None:
    raw = (big_config() + "created: 2026-12-07 10:00:00\n").encode()  # a YAML timestamp
    cache = ParseCache(tmp_path)
    doc = cache.parse(raw, "a.yaml", Diagnostics())
    same_document(doc, parse_yaml(raw, "a.yaml", Diagnostics()))
    assert entries(tmp_path) == []


def test_small_files_and_a_cache_turned_off_write_nothing(tmp_path: Path) -> None:
    ParseCache(tmp_path / "small").parse(b"version: 1\ncollections: []\n", "a.yaml", Diagnostics())
    assert not (tmp_path / "small").exists()
    off = ParseCache.for_environ({"WEAVECTL_NO_CACHE": "1", "WEAVECTL_CACHE_DIR": str(tmp_path / "off")})
    off.parse(big_config().encode(), "a.yaml", Diagnostics())
    assert off.folder is None and not (tmp_path / "off").exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_cache_folder_still_parses(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        raw = big_config().encode()
        same_document(ParseCache(folder).parse(raw, "a.yaml", Diagnostics()), parse_yaml(raw, "a.yaml", Diagnostics()))
    finally:
        folder.chmod(0o700)


def test_a_cache_folder_that_is_a_file_still_parses(tmp_path: Path) -> None:
    blocker = tmp_path / "parsed"
    blocker.write_text("not a folder")
    raw = big_config().encode()
    same_document(ParseCache(blocker).parse(raw, "a.yaml", Diagnostics()), parse_yaml(raw, "a.yaml", Diagnostics()))


def test_the_folder_keeps_the_most_recently_used_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsecache, "MAX_ENTRIES", 3)
    rounds = [big_config(description=f"round {i}").encode() for i in range(5)]
    cache = ParseCache(tmp_path)

    def last_used(raw: bytes, when: float) -> None:  # distinct times, whatever the clock's resolution
        entry = entry_path(tmp_path, raw)
        os.utime(entry, (when, when))

    for i, raw in enumerate(rounds):
        cache.parse(raw, "a.yaml", Diagnostics())
        last_used(raw, 1000 + i)
        if i == 2:
            cache.parse(rounds[0], "a.yaml", Diagnostics())  # round 0 read again: a hit, now used most recently
            assert cache.hits == 1
            assert entry_path(tmp_path, rounds[0]).stat().st_mtime > 2000  # the hit marked it used now
    assert sorted(entries(tmp_path)) == sorted(entry_path(tmp_path, r) for r in (rounds[0], rounds[3], rounds[4]))
    kept = ParseCache(tmp_path)
    for raw in (rounds[0], rounds[3], rounds[4]):
        kept.parse(raw, "a.yaml", Diagnostics())
    assert kept.hits == 3


def test_a_parse_that_depends_on_the_interpreter_setting_is_not_reused_without_it(tmp_path: Path) -> None:
    """Integer text longer than the interpreter's limit (sys.set_int_max_str_digits) is an error: a parse made
    under another limit must not be served."""
    raw = (big_config() + "big: " + "1" * 5000 + "\n").encode()
    previous = sys.get_int_max_str_digits()
    parsecache.parser_identity.cache_clear()
    try:
        sys.set_int_max_str_digits(0)  # no limit: the value is a number, and the parse is clean
        lenient = Diagnostics()
        ParseCache(tmp_path).parse(raw, "a.yaml", lenient)
        assert lenient.items == [] and len(entries(tmp_path)) == 1
    finally:
        sys.set_int_max_str_digits(previous)
        parsecache.parser_identity.cache_clear()
    strict = Diagnostics()
    doc = ParseCache(tmp_path).parse(raw, "a.yaml", strict)
    assert doc is not None and doc.data["big"] is None
    assert [d.message.split(" '")[0] for d in strict.errors] == ["invalid value"]


def test_the_parser_source_is_part_of_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = big_config().encode()
    ParseCache(tmp_path).parse(raw, "a.yaml", Diagnostics())
    changed = tmp_path / "yamldoc.py"
    changed.write_bytes(Path(yamldoc.__file__).read_bytes() + b"\n# changed\n")
    monkeypatch.setattr(yamldoc, "__file__", str(changed))
    parsecache.parser_identity.cache_clear()
    try:
        cache = ParseCache(tmp_path)
        cache.parse(raw, "a.yaml", Diagnostics())
        assert (cache.misses, cache.hits) == (1, 0)
    finally:
        parsecache.parser_identity.cache_clear()


@pytest.mark.parametrize("secret", [
    "auth: {literal: not-a-real-key-just-a-test}",
    "token: sk-proj-0000000000000000000000",
    "token: Xq7mP2vR9tL4wK8sN3bY6cF1",
])
def test_a_file_holding_a_key_is_never_copied_into_the_cache(tmp_path: Path, secret: str) -> None:
    raw = (big_config() + secret + "\n").encode()
    ParseCache(tmp_path).parse(raw, "a.yaml", Diagnostics())
    assert entries(tmp_path) == []
    assert not any(secret.split(": ")[-1].strip("}").encode() in p.read_bytes() for p in tmp_path.rglob("*")
                   if p.is_file())


def test_no_home_folder_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert ParseCache.for_environ({}).folder is None
    config = tmp_path / "weavectl.yaml"
    config.write_text(big_config())
    code = run_cli(["validate", "-f", str(config)], obj={"environment": Environment(environ={})})
    out = capsys.readouterr().out
    assert code == 0 and "Valid: 1 file(s)" in out


def entry_path(folder: Path, raw: bytes) -> Path:
    """Where `raw`'s parse is stored."""
    key = hashlib.sha256(parsecache.parser_identity().encode() + b"\0" + raw).hexdigest()
    return folder / f"{key[:40]}.bin"


def planted(folder: Path, raw: bytes, blob: bytes) -> Path:
    """An entry at the name `raw`'s parse would be stored under."""
    folder.mkdir(mode=0o700, exist_ok=True)
    entry = entry_path(folder, raw)
    entry.write_bytes(blob)
    return entry


def entry_blob(raw: bytes, data: Any, compact: Any, templated: Any = False) -> bytes:
    key = hashlib.sha256(parsecache.parser_identity().encode() + b"\0" + raw).hexdigest()
    body = marshal.dumps((data, compact, templated))
    return marshal.dumps((key, hashlib.sha256(body).digest(), body))


@pytest.mark.parametrize("shape", ["positions-not-pairs", "data-not-a-mapping", "huge-length", "digest-wrong"])
def test_an_entry_of_the_right_key_and_a_wrong_shape_is_a_miss(tmp_path: Path, shape: str) -> None:
    raw = big_config().encode()
    blob = {
        "positions-not-pairs": entry_blob(raw, {"version": 1}, {("x",): 5}),
        "data-not-a-mapping": entry_blob(raw, ["version"], {}),
        "huge-length": b"[" + struct.pack("<i", 2**31 - 1),  # marshal would try to allocate a huge list
        "digest-wrong": entry_blob(raw, {"version": 1}, {})[:-3] + b"abc",
    }[shape]
    planted(tmp_path, raw, blob)
    cache = ParseCache(tmp_path)
    same_document(cache.parse(raw, "a.yaml", Diagnostics()), parse_yaml(raw, "a.yaml", Diagnostics()))
    assert cache.hits == 0


@pytest.mark.parametrize("kind", ["fifo", "link-to-device", "link-to-entry"])
def test_an_entry_that_is_not_a_regular_file_is_a_miss_without_waiting(tmp_path: Path, kind: str) -> None:
    raw = big_config().encode()
    entry = planted(tmp_path, raw, b"")
    entry.unlink()
    if kind == "fifo":
        os.mkfifo(entry)
    elif kind == "link-to-device":
        entry.symlink_to("/dev/zero")
    else:
        real = tmp_path / "elsewhere.bin"
        real.write_bytes(entry_blob(raw, {"version": 1, "collections": []}, {}))
        entry.symlink_to(real)
    cache = ParseCache(tmp_path)
    started = time.monotonic()
    same_document(cache.parse(raw, "a.yaml", Diagnostics()), parse_yaml(raw, "a.yaml", Diagnostics()))
    assert cache.hits == 0 and time.monotonic() - started < 10


def test_a_folder_others_can_write_is_not_used(tmp_path: Path) -> None:
    """Another user could plant a parse there (of the right key: the key is not a secret)."""
    raw = big_config().encode()
    folder = tmp_path / "shared"
    planted(folder, raw, entry_blob(raw, {"version": 1, "collections": [{"name": "Planted"}]}, {}))
    folder.chmod(0o777)
    cache = ParseCache(folder)
    doc = cache.parse(raw, "a.yaml", Diagnostics())
    same_document(doc, parse_yaml(raw, "a.yaml", Diagnostics()))
    assert cache.hits == 0
    folder.chmod(0o700)  # ours again: the planted parse is what the key names, so it is served (same user)
    assert ParseCache(folder).parse(raw, "a.yaml", Diagnostics()) is not None


def test_validate_and_load_documents_read_through_the_cache(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "weavectl.yaml"
    config.write_text(big_config())
    environ = {"WEAVECTL_CACHE_DIR": str(tmp_path / "cache"), "OPENAI_APIKEY": "x"}
    outputs = []
    for _ in range(2):
        code = run_cli(["validate", "-f", str(config)], obj={"environment": Environment(environ=environ)})
        captured = capsys.readouterr()
        outputs.append((code, captured.out, captured.err))
    assert outputs[0] == outputs[1] and outputs[0][0] == 0 and "Valid: 1 file(s), 0 warning(s)." in outputs[0][1]
    assert len(entries(tmp_path / "cache" / "parsed")) == 1
    cache = ParseCache.for_environ(environ)
    (doc,) = load_documents((str(config),), Diagnostics(), cache)
    assert cache.hits == 1
    same_document(doc, parse_yaml(config.read_bytes(), str(config), Diagnostics()))
