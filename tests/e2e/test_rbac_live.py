"""A key that may not read every collection: /v1/schema silently omits the rest, so plan must not take a
hidden collection for a missing one (verified on 1.39.3: GET of a hidden or a missing collection is 403)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from weavectl.cli import run_cli
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server

ROOT_KEY, READER_KEY = "root-key-rbac-000", "reader-key-rbac-111"


@pytest.fixture(scope="module")
def rbac_server() -> Iterator[WeaviateServer]:
    server = WeaviateServer(api_keys=(ROOT_KEY, READER_KEY), env={
        "AUTHORIZATION_RBAC_ENABLED": "true", "AUTHORIZATION_RBAC_ROOT_USERS": "user0",
        "AUTHORIZATION_ADMINLIST_ENABLED": "false"}).start()
    root = {"Authorization": f"Bearer {ROOT_KEY}"}
    try:
        for name in ("Visible", "Hidden"):
            httpx.post(f"{server.url}/v1/schema", headers=root, json={"class": name}).raise_for_status()
        httpx.post(f"{server.url}/v1/authz/roles", headers=root, json={"name": "readVisible", "permissions": [
            {"action": "read_collections", "collections": {"collection": "Visible"}}]}).raise_for_status()
        httpx.post(f"{server.url}/v1/authz/users/user1/assign", headers=root,
                   json={"roles": ["readVisible"], "userType": "db"}).raise_for_status()
        yield server
    finally:
        server.stop()


def plan(server: WeaviateServer, key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    monkeypatch.setenv("WEAVIATE_API_KEY", key)
    cfg = tmp_path / "weavectl.yaml"
    cfg.write_text(yaml.safe_dump({"version": 1, "collections": [{"name": n} for n in ("Visible", "Hidden", "New")]}))
    code = run_cli(["plan", "-f", str(cfg), "--url", server.url, "--format", "json"])
    out = capsys.readouterr()
    return code, json.loads(out.out), out.out + out.err


def test_a_collection_the_key_cannot_see_is_not_planned_as_a_create(
        rbac_server: WeaviateServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    code, data, text = plan(rbac_server, READER_KEY, tmp_path, monkeypatch, capsys)
    assert code == 1
    errors = data["errors"]
    assert isinstance(errors, list)
    assert any(e.startswith("Hidden: the API key may not read this collection") for e in errors)
    assert any(e.startswith("New: the API key may not read this collection") for e in errors)
    assert READER_KEY not in text


def test_the_root_key_sees_everything_and_plans_only_the_real_create(
        rbac_server: WeaviateServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    code, data, text = plan(rbac_server, ROOT_KEY, tmp_path, monkeypatch, capsys)
    assert code == 0, text
    assert [(c["collection"], c["action"]) for c in data["changes"]] == [("New", "create")]
    assert sorted(data["unchanged"]) == ["Hidden", "Visible"]
    assert ROOT_KEY not in text
