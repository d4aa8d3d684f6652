"""Adoption and promotion against real servers: export, round trip, diff between clusters, env overrides."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.support.client_types import base_url
from tests.support.providers import LocalProviders
from weavectl.cli import run_cli
from weavectl.devserver import WeaviateServer
from weavectl.devserver.process import DEFAULT_MODULES

pytestmark = pytest.mark.server

KEY_ENVS = {"OPENAI_APIKEY": "sk-x", "NVIDIA_APIKEY": "nv-x", "COHERE_APIKEY": "co-x"}


def client_for(server: WeaviateServer) -> Any:
    import weaviate

    port = int(server.url.rsplit(":", 1)[1])
    return weaviate.connect_to_custom(http_host="127.0.0.1", http_port=port, http_secure=False,
                                      grpc_host="127.0.0.1", grpc_port=server.grpc_port, grpc_secure=False,
                                      skip_init_checks=True)


def create_with_client(server: WeaviateServer, name: str, module: str, urls: dict[str, str]) -> None:
    from weaviate.classes.config import Configure, DataType, Property, Tokenization

    vectors = {
        "text2vec-openai": lambda: Configure.Vectors.text2vec_openai(name="main", base_url=base_url(urls["openai"]),
                                                                    model="text-embedding-3-large",
                                                                    source_properties=["title"]),
        "text2vec-nvidia": lambda: Configure.Vectors.text2vec_nvidia(name="main", base_url=urls["nvidia"],
                                                                    model="nvidia/nv-embedqa-e5-v5"),
        "text2vec-cohere": lambda: Configure.Vectors.text2vec_cohere(name="main", base_url=base_url(urls["cohere"]),
                                                                    model="embed-english-v3.0"),
        "text2vec-weaviate": lambda: Configure.Vectors.text2vec_weaviate(name="main", base_url=urls["weaviate"]),
        "text2vec-ollama": lambda: Configure.Vectors.text2vec_ollama(name="main", api_endpoint=urls["ollama"],
                                                                    model="nomic-embed-text"),
        "text2vec-transformers": lambda: Configure.Vectors.text2vec_transformers(name="main"),
    }[module]()
    client = client_for(server)
    try:
        client.collections.create(
            name, description="exported",
            properties=[Property(name="title", data_type=DataType.TEXT),
                        Property(name="code", data_type=DataType.TEXT, tokenization=Tokenization.FIELD,
                                 skip_vectorization=True),
                        Property(name="year", data_type=DataType.INT, index_range_filters=True)],
            vector_config=[vectors],
            generative_config=Configure.Generative.openai(model="gpt-4o"),
            inverted_index_config=Configure.inverted_index(bm25_b=0.6, bm25_k1=1.2),
        )
    finally:
        client.close()


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run_cli(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err



@pytest.mark.parametrize("module", ["text2vec-openai", "text2vec-nvidia", "text2vec-cohere", "text2vec-weaviate",
                                    "text2vec-ollama", "text2vec-transformers"])
def test_export_validates_plans_clean_and_recreates_identically(
        module: str, weaviate_versioned: WeaviateServer, providers: LocalProviders, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    weaviate = weaviate_versioned
    for key, value in KEY_ENVS.items():
        monkeypatch.setenv(key, value)
    name = f"E{uuid.uuid4().hex[:8]}"
    create_with_client(weaviate, name, module, providers.urls())
    try:
        before = httpx.get(f"{weaviate.url}/v1/schema/{name}").json()
        out_file = tmp_path / "exported.yaml"
        code, out, err = cli(capsys, "export", "--url", weaviate.url, "--collection", name, "-o", str(out_file))
        assert code == 0, err
        exported = yaml.safe_load(out_file.read_text())
        assert "sk-x" not in out_file.read_text()
        assert cli(capsys, "validate", "-f", str(out_file))[0] == 0
        code, out, err = cli(capsys, "plan", "-f", str(out_file), "--url", weaviate.url, "--detailed-exitcode")
        assert code == 0, out + err
        httpx.delete(f"{weaviate.url}/v1/schema/{name}").raise_for_status()
        code, out, err = cli(capsys, "apply", "-f", str(out_file), "--url", weaviate.url, "--auto-approve")
        assert code == 0, out + err
        after = httpx.get(f"{weaviate.url}/v1/schema/{name}").json()
        from deepdiff import DeepDiff

        assert after == before, (DeepDiff(before, after, ignore_order=True).pretty(), yaml.safe_dump(exported))
    finally:
        httpx.delete(f"{weaviate.url}/v1/schema/{name}")


@pytest.fixture
def second_server(providers: LocalProviders) -> Iterator[WeaviateServer]:
    server = WeaviateServer(modules=(*DEFAULT_MODULES, "text2vec-transformers"),
                            env={"TRANSFORMERS_INFERENCE_API": providers["transformers"].url}).start()
    yield server
    server.stop()


def test_diff_between_two_live_clusters_shows_exactly_the_known_differences(
        weaviate: WeaviateServer, second_server: WeaviateServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tag = uuid.uuid4().hex[:6]
    same, changed, only_dev, only_prod = (f"Same{tag}", f"Changed{tag}", f"Dev{tag}", f"Prod{tag}")
    base = {"properties": [{"name": "title", "dataType": ["text"]}],
            "vectorConfig": {"v": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}}}
    dev, prod = weaviate.url, second_server.url
    classes: list[tuple[str, str, dict[str, Any]]] = [
        (dev, same, {}), (prod, same, {}), (dev, only_dev, {}), (prod, only_prod, {}),
        (dev, changed, {"description": "dev"}),
        (prod, changed, {"description": "prod", "invertedIndexConfig": {"bm25": {"b": 0.5, "k1": 1.2}}})]
    for url, cls, extra in classes:
        httpx.post(f"{url}/v1/schema", json={"class": cls, **base, **extra}).raise_for_status()
    cfg = tmp_path / "envs.yaml"
    cfg.write_text(yaml.safe_dump({"version": 1, "environments": {"dev": {"url": dev}, "prod": {"url": prod}},
                                   "collections": []}))
    try:
        code, out, err = cli(capsys, "diff", "-f", str(cfg), "--from", "dev", "--to", "prod", "--format", "json",
                             "--detailed-exitcode")
        assert code == 2, out + err
        import json

        found = [d for d in json.loads(out)["differences"] if tag in d["collection"]]
        ours = {(d["collection"], d["path"]): (d["a"], d["b"]) for d in found}
        assert ours == {(only_dev, ""): ("(collection)", "(absent)"), (only_prod, ""): ("(absent)", "(collection)"),
                        (changed, "description"): ("dev", "prod"),
                        (changed, "inverted_index.bm25.b"): ("(absent)", 0.5)}, found
    finally:
        for url in (dev, prod):
            for cls in (same, changed, only_dev, only_prod):
                httpx.delete(f"{url}/v1/schema/{cls}")


def test_environment_overrides_yield_each_environments_values(
        weaviate: WeaviateServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = f"Env{uuid.uuid4().hex[:6]}"
    doc = {"version": 1, "environments": {
        "dev": {"url": weaviate.url, "collections": {name: {"description": "dev copy",
                                                            "vectors": {"v": {"base_url": "http://dev.local"}}}}},
        "prod": {"url": weaviate.url, "collections": {name: {"description": "prod copy",
                                                             "replication": {"deletion_strategy":
                                                                             "DeleteOnConflict"}}}},
    }, "collections": [{"name": name, "properties": [{"name": "t", "data_type": "text"}],
                        "vectors": {"v": {"vectorizer": "text2vec-openai", "base_url": "http://base.local"}}}]}
    cfg = tmp_path / "weavectl.yaml"
    cfg.write_text(yaml.safe_dump(doc))
    import json

    code, out, _ = cli(capsys, "plan", "-f", str(cfg), "--env", "dev", "--format", "json", "--target", name)
    dev_plan = json.loads(out)["changes"][0]["desired"]
    code, out, _ = cli(capsys, "plan", "-f", str(cfg), "--env", "prod", "--format", "json", "--target", name)
    prod_plan = json.loads(out)["changes"][0]["desired"]
    assert dev_plan["description"] == "dev copy"
    assert dev_plan["vectorConfig"]["v"]["vectorizer"]["text2vec-openai"]["baseURL"] == "http://dev.local"
    assert prod_plan["description"] == "prod copy"
    assert prod_plan["vectorConfig"]["v"]["vectorizer"]["text2vec-openai"]["baseURL"] == "http://base.local"
    assert prod_plan["replicationConfig"] == {"deletionStrategy": "DeleteOnConflict"}


def test_export_of_one_collection_names_what_it_references_as_external(
        weaviate: WeaviateServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tag = uuid.uuid4().hex[:6]
    product, review = f"Product{tag}", f"Review{tag}"
    none = {"vectorConfig": {"v": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}}}
    httpx.post(f"{weaviate.url}/v1/schema", json={"class": product, "properties": [
        {"name": "name", "dataType": ["text"]}], **none}).raise_for_status()
    httpx.post(f"{weaviate.url}/v1/schema", json={"class": review, "properties": [
        {"name": "text", "dataType": ["text"]}, {"name": "about", "dataType": [product]}], **none}).raise_for_status()
    out_file = tmp_path / "review.yaml"
    try:
        code, _, err = cli(capsys, "export", "--url", weaviate.url, "--collection", review, "-o", str(out_file))
        assert code == 0, err
        assert yaml.safe_load(out_file.read_text())["external"] == [product]
        code, out, err = cli(capsys, "validate", "-f", str(out_file))
        assert code == 0, out + err
        code, out, err = cli(capsys, "plan", "-f", str(out_file), "--url", weaviate.url, "--format", "json",
                             "--detailed-exitcode", "--prune", "--target", review, "--target", product)
        assert code == 0, out + err  # nothing to change, and the external collection is not pruned
        import json

        data = json.loads(out)
        assert data["external"] == [product] and product not in data["unmanaged"] and data["changes"] == []
    finally:
        for cls in (review, product):
            httpx.delete(f"{weaviate.url}/v1/schema/{cls}")
