"""Each supported server version, started by the devserver, is the version asked for and offers the modules
the config language can name (API-based ones are opt-in before 1.33)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from weavectl.cli import run_cli
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server


def test_each_version_runs_with_the_api_modules_on(weaviate_versioned: WeaviateServer) -> None:
    meta = httpx.get(f"{weaviate_versioned.url}/v1/meta", timeout=10).json()
    modules = set(meta.get("modules") or {})
    assert {"text2vec-openai", "generative-openai", "reranker-cohere", "text2vec-transformers"} <= modules


# -- validate is never looser than the server: what it calls an error, each version refuses or mis-stores -----

def _post(server: WeaviateServer, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{server.url}/v1/schema", json=body, timeout=30)


def _named(name: str, vectorizer: dict[str, Any], index: dict[str, Any] | None = None) -> dict[str, Any]:
    vector: dict[str, Any] = {"vectorizer": vectorizer, "vectorIndexType": "hnsw"}
    if index is not None:
        vector["vectorIndexConfig"] = index
    return {"class": name, "properties": [{"name": "title", "dataType": ["text"]}],
            "vectorConfig": {"v": vector}}


@pytest.mark.parametrize("settings,refusal", [
    ({"model": "text-embedding-3-small", "dimensions": 256}, "wrong dimensions setting"),
    ({"model": "text-embedding-ada-002"}, "wrong OpenAI model name"),
], ids=["3-small-256", "ada-002"])
def test_openai_refusals_validate_reports_are_refused_by_every_version(
        weaviate_versioned: WeaviateServer, collection_name: str, settings: dict[str, Any], refusal: str) -> None:
    resp = _post(weaviate_versioned, _named(collection_name, {"text2vec-openai": settings}))
    assert resp.status_code == 422 and refusal in resp.text, resp.text


def test_an_index_integer_past_float64_precision_is_stored_as_another_number(
        weaviate_versioned: WeaviateServer, collection_name: str) -> None:
    ef = 2**53 + 1
    resp = _post(weaviate_versioned, _named(collection_name, {"none": {}}, {"ef": ef}))
    assert resp.status_code == 200, resp.text
    stored = httpx.get(f"{weaviate_versioned.url}/v1/schema/{collection_name}", timeout=30).json()
    assert stored["vectorConfig"]["v"]["vectorIndexConfig"]["ef"] != ef


def test_a_source_property_not_declared_yet_is_accepted(weaviate_versioned: WeaviateServer,
                                                        collection_name: str) -> None:
    """validate only warns about it: the server creates such a collection (auto-schema adds the property)."""
    body = _named(collection_name, {"text2vec-openai": {"properties": ["summary"], "baseURL": "http://127.0.0.1:9"}})
    assert _post(weaviate_versioned, body).status_code == 200


def test_nvidia_truncate_given_as_a_boolean_is_accepted(weaviate_versioned: WeaviateServer,
                                                        collection_name: str) -> None:
    """validate only warns about it (the Python client writes it so)."""
    body = _named(collection_name, {"text2vec-nvidia": {"truncate": True}})
    assert _post(weaviate_versioned, body).status_code == 200


def test_plan_on_a_server_without_the_api_modules_names_the_missing_module(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before 1.33 API-based modules are opt-in: plan stops and says which module to enable."""
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"version": 1, "collections": [{
        "name": "Doc", "properties": [{"name": "title", "data_type": "text"}],
        "vectors": {"main": {"vectorizer": "text2vec-openai", "base_url": "http://127.0.0.1:9"}},
        "generative": {"module": "generative-openai"}}]}))
    with WeaviateServer(version="1.32.5", env={"ENABLE_API_BASED_MODULES": "false"}) as server:
        code = run_cli(["plan", "-f", str(cfg), "--url", server.url])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert code == 1, text
    assert "module text2vec-openai is not enabled on the server" in text
    assert "module generative-openai is not enabled on the server" in text
