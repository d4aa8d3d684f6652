"""End to end through a real weaviate-server: each vectorizer module embeds via our local provider.

A collection points its module at the local provider; objects are imported and searched with near-text and
hybrid queries; the provider must have seen the right model and key header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import PROVIDER_KEYS, WEAVIATE_ADMIN_KEY
from tests.support.providers import LocalProviders
from tests.support.samples import DOCS as SAMPLE_DOCS
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server

DOCS = SAMPLE_DOCS


@dataclass(frozen=True)
class Case:
    module: str
    provider: str
    settings: dict[str, Any]
    key_header: str | None  # the header the client sends to Weaviate
    model: str | None
    auth_server: bool = False


def _cases(urls: dict[str, str]) -> list[Case]:
    return [
        Case("text2vec-nvidia", "nvidia", {"baseURL": urls["nvidia"], "model": "nvidia/nv-embedqa-e5-v5"},
             "X-Nvidia-Api-Key", "nvidia/nv-embedqa-e5-v5"),
        Case("text2vec-openai", "openai",
             {"baseURL": urls["openai"], "model": "text-embedding-3-small", "dimensions": 64},
             "X-Openai-Api-Key", "text-embedding-3-small"),
        Case("text2vec-weaviate", "weaviate",
             {"baseURL": urls["weaviate"], "model": "Snowflake/snowflake-arctic-embed-l-v2.0"},
             None, "Snowflake/snowflake-arctic-embed-l-v2.0", auth_server=True),
        Case("text2vec-cohere", "cohere", {"baseURL": urls["cohere"], "model": "embed-english-v3.0"},
             "X-Cohere-Api-Key", "embed-english-v3.0"),
        Case("text2vec-ollama", "ollama", {"apiEndpoint": urls["ollama"], "model": "nomic-embed-text"},
             None, "nomic-embed-text"),
        Case("text2vec-transformers", "transformers", {}, None, None),
        # The other local-inference modules reach their local services through the node's INFERENCE_ENV variables.
        Case("text2vec-model2vec", "model2vec", {}, None, None),
        Case("text2vec-gpt4all", "gpt4all", {}, None, None),
        Case("multi2vec-clip", "clip", {"textFields": ["text"]}, None, None),
        Case("multi2vec-bind", "bind", {"textFields": ["text"]}, None, None),
    ]


CASE_IDS = ["nvidia", "openai", "weaviate", "cohere", "ollama", "transformers", "model2vec", "gpt4all", "clip",
            "bind"]


@pytest.mark.parametrize("index", range(len(CASE_IDS)), ids=CASE_IDS)
def test_module_embeds_and_searches(
    index: int,
    request: pytest.FixtureRequest,
    providers: LocalProviders,
    collection_name: str,
) -> None:
    case = _cases(providers.urls())[index]
    server: WeaviateServer = request.getfixturevalue("weaviate_auth" if case.auth_server else "weaviate")
    headers = dict(server.headers())
    if case.key_header:
        headers[case.key_header] = PROVIDER_KEYS[case.provider]
    if case.module == "text2vec-weaviate":
        headers["X-Weaviate-Cluster-Url"] = server.url
    provider = providers[case.provider]
    provider.clear()

    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        created = client.post("/v1/schema", json={
            "class": collection_name,
            "properties": [{"name": "text", "dataType": ["text"]}],
            "vectorConfig": {"main": {
                "vectorizer": {case.module: {**case.settings, **(
                    {"vectorizeClassName": False} if case.module.startswith("text2vec") else {})}},
                "vectorIndexType": "hnsw",
            }},
        })
        assert created.status_code == 200, created.text

        batch = client.post("/v1/batch/objects", json={
            "objects": [{"class": collection_name, "properties": {"text": d}} for d in DOCS],
        })
        assert batch.status_code == 200, batch.text
        errors = [o["result"].get("errors") for o in batch.json() if o.get("result", {}).get("errors")]
        assert not errors, errors

        near = _graphql(client, collection_name, 'nearText: {concepts: ["lazy brown fox"]}', "distance")
        assert near[0]["text"] == DOCS[0]
        assert near[0]["_additional"]["distance"] < near[1]["_additional"]["distance"]

        hybrid = _graphql(client, collection_name, 'hybrid: {query: "tomato soup", alpha: 0.5}', "score")
        assert hybrid[0]["text"] == DOCS[1]

    seen = [r for r in provider.requests if r.status == 200]
    assert seen, f"{case.provider} received no successful request"
    embedded = {t for r in seen for t in r.texts}
    assert set(DOCS) <= embedded and "lazy brown fox" in embedded
    if case.model:
        assert {r.model for r in seen} == {case.model}
    if case.provider in PROVIDER_KEYS:
        expected = f"Bearer {PROVIDER_KEYS[case.provider]}"
        assert all(r.headers.get("Authorization") == expected for r in seen)
    if case.module == "text2vec-weaviate":
        assert all(r.headers.get("X-Weaviate-Cluster-Url") == server.url for r in seen)
        assert PROVIDER_KEYS["weaviate"] == WEAVIATE_ADMIN_KEY


def test_reranker_transformers_reranks_through_its_local_service(
    weaviate: WeaviateServer, providers: LocalProviders, collection_name: str
) -> None:
    """reranker-transformers sends the query and each result's property to its service and orders by score."""
    provider = providers["reranker-transformers"]
    provider.clear()
    with httpx.Client(base_url=weaviate.url, timeout=60) as client:
        created = client.post("/v1/schema", json={
            "class": collection_name, "properties": [{"name": "text", "dataType": ["text"]}],
            "vectorConfig": {"main": {"vectorizer": {"text2vec-transformers": {"vectorizeClassName": False}},
                                      "vectorIndexType": "hnsw"}},
            "moduleConfig": {"reranker-transformers": {}},
        })
        assert created.status_code == 200, created.text
        batch = client.post("/v1/batch/objects", json={
            "objects": [{"class": collection_name, "properties": {"text": d}} for d in DOCS],
        })
        assert batch.status_code == 200 and not any(o["result"].get("errors") for o in batch.json()), batch.text
        query = (f'{{ Get {{ {collection_name}(bm25: {{query: "soup fox"}}, limit: 3) {{ text _additional '
                 f'{{ rerank(property: "text", query: "tomato soup basil") {{ score }} }} }} }} }}')
        resp = client.post("/v1/graphql", json={"query": query})
        assert resp.status_code == 200 and not resp.json().get("errors"), resp.text
        results = resp.json()["data"]["Get"][collection_name]
    assert [r["text"] for r in results][:1] == [DOCS[1]], results
    scores = [r["_additional"]["rerank"][0]["score"] for r in results]
    assert scores == sorted(scores, reverse=True), scores
    seen = [r for r in provider.requests if r.status == 200]
    assert seen and seen[0].texts[0] == "tomato soup basil" and set(seen[0].texts[1:]) <= set(DOCS), seen


def test_wrong_key_is_rejected_by_the_provider(
    weaviate: WeaviateServer, providers: LocalProviders, collection_name: str
) -> None:
    """The local provider answers a wrong key as OpenAI does, and Weaviate reports it per object."""
    provider = providers["openai"]
    provider.clear()
    with httpx.Client(base_url=weaviate.url, headers={"X-Openai-Api-Key": "sk-wrong"}, timeout=60) as client:
        created = client.post("/v1/schema", json={
            "class": collection_name,
            "properties": [{"name": "text", "dataType": ["text"]}],
            "vectorConfig": {"main": {"vectorizer": {"text2vec-openai": {"baseURL": provider.url}},
                                      "vectorIndexType": "hnsw"}},
        })
        assert created.status_code == 200, created.text
        batch = client.post("/v1/batch/objects", json={
            "objects": [{"class": collection_name, "properties": {"text": "hello"}}],
        })
        assert batch.status_code == 200
        message = batch.json()[0]["result"]["errors"]["error"][0]["message"]
        assert "Incorrect API key" in message
        assert "sk-wrong" not in message
    assert provider.requests[-1].status == 401


def _graphql(client: httpx.Client, cls: str, clause: str, metric: str) -> list[dict[str, Any]]:
    query = f"{{ Get {{ {cls}({clause}, limit: 3) {{ text _additional {{ id {metric} }} }} }} }}"
    resp = client.post("/v1/graphql", json={"query": query})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert not body.get("errors"), body["errors"]
    results: list[dict[str, Any]] = body["data"]["Get"][cls]
    assert results
    return results
