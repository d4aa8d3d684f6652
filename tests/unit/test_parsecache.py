"""The parse cache answers exactly what parsing answers, or parses: a changed byte, a changed parser, a damaged or
foreign entry, a parse with diagnostics and a value marshal cannot hold are never served from it."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
import yaml

from weavectl.adapters import parsecache
from weavectl.adapters.environment import Environment
from weavectl.adapters.files import load_documents
from weavectl.adapters.parsecache import MIN_CACHED_BYTES, ParseCache
from weavectl.cli import run_cli
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


def test_the_folder_keeps_the_newest_entries_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsecache, "MAX_ENTRIES", 3)
    cache = ParseCache(tmp_path)
    for i in range(5):
        cache.parse(big_config(description=f"round {i}").encode(), "a.yaml", Diagnostics())
        for n, entry in enumerate(entries(tmp_path)):  # distinct ages, oldest first by round
            os.utime(entry, (entry.stat().st_atime, entry.stat().st_mtime - 100 + n))
    assert len(entries(tmp_path)) == 3
    newest = ParseCache(tmp_path)
    newest.parse(big_config(description="round 4").encode(), "a.yaml", Diagnostics())
    assert newest.hits == 1


def test_validate_and_load_documents_read_through_the_cache(tmp_path: Path) -> None:
    config = tmp_path / "weavectl.yaml"
    config.write_text(big_config())
    environ = {"WEAVECTL_CACHE_DIR": str(tmp_path / "cache"), "OPENAI_APIKEY": "x"}
    outputs = []
    for _ in range(2):
        out, err = io.StringIO(), io.StringIO()
        code = run_cli(["validate", "-f", str(config)],
                       obj={"environment": Environment(environ=environ, stdout=out, stderr=err)})
        outputs.append((code, out.getvalue(), err.getvalue()))
    assert outputs[0] == outputs[1] and outputs[0][0] == 0
    assert len(entries(tmp_path / "cache" / "parsed")) == 1
    cache = ParseCache.for_environ(environ)
    (doc,) = load_documents((str(config),), Diagnostics(), cache)
    assert cache.hits == 1
    same_document(doc, parse_yaml(config.read_bytes(), str(config), Diagnostics()))
