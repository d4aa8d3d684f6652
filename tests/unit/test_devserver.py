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


def test_versions_are_release_tags_and_default_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from weavectl.devserver.binary import resolve_version

    monkeypatch.delenv("WEAVECTL_SERVER_VERSION", raising=False)
    assert resolve_version() == WEAVIATE_VERSION
    assert resolve_version("1.35.2") == "v1.35.2" and resolve_version("v1.32.5") == "v1.32.5"
    monkeypatch.setenv("WEAVECTL_SERVER_VERSION", "1.32.5")
    assert resolve_version() == "v1.32.5"
    assert cached_binary_path().parent.name == "weaviate-v1.32.5"
    with pytest.raises(DevServerError, match="not a Weaviate release version"):
        resolve_version("latest")


def test_an_explicit_version_wins_over_weaviate_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "weaviate-server"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("WEAVIATE_BIN", str(fake))
    monkeypatch.setenv("WEAVECTL_CACHE_DIR", str(tmp_path / "cache"))
    cached = cached_binary_path("1.35.2")
    cached.parent.mkdir(parents=True)
    cached.write_text("#!/bin/sh\n")
    assert ensure_binary("1.35.2") == cached
    assert ensure_binary() == fake


def test_servers_before_1_33_get_the_api_based_modules() -> None:
    from weavectl.devserver.process import _version_env

    assert _version_env("v1.32.5") == {"ENABLE_API_BASED_MODULES": "true"}
    assert _version_env(None) == {"ENABLE_API_BASED_MODULES": "true"}  # $WEAVIATE_BIN: version unknown
    assert _version_env("v1.35.2") == {} and _version_env("v1.39.3") == {}


def test_the_ports_a_node_is_given_are_distinct_and_leave_out_the_taken_ones() -> None:
    """A port closed and asked for again can come back the same; a node given one port twice does not start."""
    from weavectl.devserver.process import free_ports

    for _ in range(50):
        first = free_ports(1)[0]
        ports = free_ports(5, taken={first})
        assert len(set(ports)) == 5 and first not in ports
