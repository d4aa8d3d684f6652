"""`weavectl explain` prints exactly the text the real server sends to each module (local providers' logs)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import PROVIDER_KEYS, WEAVIATE_ADMIN_KEY
from tests.e2e.test_smoke_live import MODULES, module_vector
from tests.support.providers import LocalProviders
from weavectl.cli import run_cli
from weavectl.core.weaviate.version import parse_version
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server

# Every combination of skip_vectorization x vectorize_property_name over the properties, and of
# vectorize_collection_name over the two vectors (both use the same module, so they share property settings).
PROPERTIES = [
    {"name": "plainText", "data_type": "text", "skip_vectorization": False, "vectorize_property_name": False},
    {"name": "namedText", "data_type": "text", "skip_vectorization": False, "vectorize_property_name": True},
    {"name": "skippedText", "data_type": "text", "skip_vectorization": True, "vectorize_property_name": False},
    {"name": "skippedNamed", "data_type": "text", "skip_vectorization": True, "vectorize_property_name": True},
    {"name": "tags", "data_type": "text[]", "vectorize_property_name": True},
    {"name": "count", "data_type": "int"},
]
OBJECTS = [
    {"plainText": "Red apples GROW in orchards", "namedText": "Bananas are Yellow", "skippedText": "never sent",
     "skippedNamed": "never sent either", "tags": ["Fruit", "autumn"], "count": 3},
    {"namedText": "only this one", "count": 1},
    {"skippedText": "nothing to embed here", "count": 7},  # nothing left: the server falls back to the name
]


def _config(name: str, module: str, providers: LocalProviders) -> dict[str, Any]:
    urls = providers.urls()
    settings = {**module_vector(module, urls), "index": {"type": "hnsw"}}  # 1.32/1.35 need the index type
    provider = module.split("-", 1)[1]
    doc: dict[str, Any] = {"version": 1, "collections": [{
        "name": name,
        "properties": PROPERTIES,
        "vectors": {"withName": {"vectorizer": module, "vectorize_collection_name": True, **settings},
                    "withoutName": {"vectorizer": module, "vectorize_collection_name": False, **settings}},
    }]}
    if provider in ("openai", "nvidia", "cohere"):
        doc["api_keys"] = {provider: {"env": f"T_{provider.upper()}_KEY"}}
    return doc


def _import_headers(module: str, server: WeaviateServer) -> dict[str, str]:
    headers = dict(server.headers())
    provider = module.split("-", 1)[1]
    if provider in ("openai", "nvidia", "cohere"):
        headers[f"X-{provider.capitalize()}-Api-Key"] = PROVIDER_KEYS[provider]
    if provider == "weaviate":
        headers["X-Weaviate-Cluster-Url"] = server.url
    return headers


@pytest.mark.parametrize("module", MODULES)
def test_explain_prints_what_the_provider_received(
        module: str, providers: LocalProviders, request: pytest.FixtureRequest, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    auth = module == "text2vec-weaviate"
    server: WeaviateServer = request.getfixturevalue("weaviate_auth" if auth else "weaviate")
    if auth:
        monkeypatch.setenv("WEAVIATE_API_KEY", WEAVIATE_ADMIN_KEY)
    for provider_name in ("openai", "nvidia", "cohere"):
        monkeypatch.setenv(f"T_{provider_name.upper()}_KEY", PROVIDER_KEYS[provider_name])
    name = f"ExplainDocs{uuid.uuid4().hex[:6]}"
    cfg = tmp_path / "explain.yaml"
    cfg.write_text(yaml.safe_dump(_config(name, module, providers)))
    objects = tmp_path / "objects.jsonl"
    objects.write_text("".join(json.dumps(o) + "\n" for o in OBJECTS))
    provider = providers[module.split("-", 1)[1]]
    try:
        assert run_cli(["apply", "-f", str(cfg), "--url", server.url, "--auto-approve"]) == 0
        capsys.readouterr()
        provider.clear()
        resp = httpx.post(f"{server.url}/v1/batch/objects", headers=_import_headers(module, server), timeout=60,
                          json={"objects": [{"class": name, "properties": o} for o in OBJECTS]})
        assert resp.status_code == 200, resp.text
        assert all(not (r.get("result") or {}).get("errors") for r in resp.json()), resp.text
        received = sorted(t for r in provider.requests if r.status == 200 for t in r.texts)

        # From the file (offline), and from the live collection's stored definition: both must match.
        for extra in (["--server-version", server.version], ["--live", "--url", server.url]):
            code = run_cli(["explain", name, "-f", str(cfg), "--jsonl", str(objects), "--format", "json", *extra])
            out = capsys.readouterr().out
            assert code == 0, out
            printed = json.loads(out)
            texts = sorted(v["text"] for o in printed["objects"] for v in o["vectors"] if v["text"] is not None)
            assert texts == received, (extra, texts, received)
        # the collection-name prefix, the property names and the class-name fallback are part of what was checked
        assert printed["objects"][0]["vectors"][0]["text"].startswith("Explain Docs")
        if parse_version(server.version) >= (1, 33, 0):
            assert any(t.startswith("named Text ") for t in texts)
        else:  # 1.32 looks the setting up under the split name ("named Text"): only one-word names get it
            assert not any("named Text" in t for t in texts) and any("tags fruit" in t for t in texts)
    finally:
        httpx.delete(f"{server.url}/v1/schema/{name}", headers=server.headers())


def test_explain_a_live_object_by_id(weaviate: WeaviateServer, providers: LocalProviders, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    name = f"ExplainLive{uuid.uuid4().hex[:6]}"
    cfg = tmp_path / "explain.yaml"
    cfg.write_text(yaml.safe_dump(_config(name, "text2vec-ollama", providers)))
    oid = str(uuid.uuid4())
    try:
        assert run_cli(["apply", "-f", str(cfg), "--url", weaviate.url, "--auto-approve"]) == 0
        provider = providers["ollama"]
        provider.clear()
        resp = httpx.post(f"{weaviate.url}/v1/objects", json={"class": name, "id": oid, "properties": OBJECTS[0]})
        assert resp.status_code == 200, resp.text
        received = sorted(t for r in provider.requests if r.status == 200 for t in r.texts)
        capsys.readouterr()
        assert run_cli(["explain", name, "--url", weaviate.url, "--object-id", oid, "--format", "json"]) == 0
        printed = json.loads(capsys.readouterr().out)
        assert sorted(v["text"] for v in printed["objects"][0]["vectors"]) == received
        assert run_cli(["explain", name, "--url", weaviate.url, "--object-id", str(uuid.uuid4())]) == 1
        assert "has no object with id" in capsys.readouterr().err
    finally:
        httpx.delete(f"{weaviate.url}/v1/schema/{name}")


def test_explain_source_properties_with_non_text_types(
        weaviate: WeaviateServer, providers: LocalProviders, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """From 1.33 a source-properties list pulls numbers, booleans, dates and objects into the text (Go formats)."""
    name = f"ExplainTypes{uuid.uuid4().hex[:6]}"
    urls = providers.urls()
    props = [{"name": "title", "data_type": "text"}, {"name": "count", "data_type": "int"},
             {"name": "price", "data_type": "number"}, {"name": "inStock", "data_type": "boolean",
                                                        "vectorize_property_name": True},
             {"name": "released", "data_type": "date"}, {"name": "sizes", "data_type": "number[]"},
             {"name": "note", "data_type": "text"},
             {"name": "meta", "data_type": "object", "nested_properties": [
                 {"name": "maker", "data_type": "text"}, {"name": "weight", "data_type": "number"}]}]
    sources = ["title", "count", "price", "inStock", "released", "sizes", "meta"]
    doc = {"version": 1, "collections": [{"name": name, "properties": props, "vectors": {"main": {
        "vectorizer": "text2vec-ollama", "source_properties": sources, "index": {"type": "hnsw"},
        **module_vector("text2vec-ollama", urls)}}}]}
    objects = [
        {"title": "Big <Box> & co", "count": 1234567, "price": 0.00001, "inStock": True,
         "released": "2024-03-05T10:20:30.123+01:00", "sizes": [1.5, 2, 1e21], "note": "not a source",
         "meta": {"weight": 2.5, "maker": "ACME"}},
        {"note": "only a property outside the list"},
    ]
    cfg = tmp_path / "explain.yaml"
    cfg.write_text(yaml.safe_dump(doc))
    jsonl = tmp_path / "objects.jsonl"
    jsonl.write_text("".join(json.dumps(o) + "\n" for o in objects))
    provider = providers["ollama"]
    try:
        assert run_cli(["apply", "-f", str(cfg), "--url", weaviate.url, "--auto-approve"]) == 0
        provider.clear()
        resp = httpx.post(f"{weaviate.url}/v1/batch/objects", timeout=60,
                          json={"objects": [{"class": name, "properties": o} for o in objects]})
        assert resp.status_code == 200 and not any((r.get("result") or {}).get("errors") for r in resp.json())
        received = sorted(t for r in provider.requests if r.status == 200 for t in r.texts)
        capsys.readouterr()
        assert run_cli(["explain", name, "-f", str(cfg), "--jsonl", str(jsonl), "--format", "json",
                        "--server-version", weaviate.version]) == 0
        printed = json.loads(capsys.readouterr().out)
        texts = [v["text"] for o in printed["objects"] for v in o["vectors"]]
        assert sorted(t for t in texts if t is not None) == received, (texts, received)
        if parse_version(weaviate.version) >= (1, 33, 0):
            assert texts[1] is None  # nothing from the list: the server makes no vector (no class-name fallback)
            assert "1.234567e+06" in texts[0] and '{"maker":"ACME","weight":2.5}' in texts[0]
        else:  # 1.32: text only, and the collection name when nothing was collected
            assert texts[1] == "Explain Types " + name.removeprefix("ExplainTypes") or texts[1].startswith("Explain")
    finally:
        httpx.delete(f"{weaviate.url}/v1/schema/{name}")
