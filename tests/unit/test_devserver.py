"""The dev-server harness: binary resolution and its errors (the real start is exercised by every e2e test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from weavectl.devserver.binary import WEAVIATE_VERSION, cached_binary_path, ensure_binary
from weavectl.errors import DevServerError


def test_weaviate_bin_overrides_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "weaviate-server"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("WEAVIATE_BIN", str(fake))
    assert ensure_binary() == fake


def test_a_weaviate_bin_that_is_not_executable_is_a_clear_error(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEAVIATE_BIN", str(tmp_path / "missing"))
    with pytest.raises(DevServerError, match="not an executable file"):
        ensure_binary()


def test_the_cache_is_outside_the_repository_and_keyed_by_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEAVIATE_BIN", raising=False)
    path = cached_binary_path()
    assert WEAVIATE_VERSION in str(path)
    assert not str(path).startswith(str(Path(__file__).resolve().parents[2]))


def test_a_cached_build_is_reused_without_building(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEAVIATE_BIN", raising=False)
    monkeypatch.setenv("WEAVECTL_CACHE_DIR", str(tmp_path))
    cached = cached_binary_path()
    cached.parent.mkdir(parents=True)
    cached.write_text("#!/bin/sh\n")
    monkeypatch.setattr("weavectl.devserver.binary._build", lambda *a, **k: pytest.fail("rebuilt"))
    assert ensure_binary() == cached
