"""`weavectl plan` against a real weaviate-server: fidelity of the diff.

1. Collections created the way users create them today (the official Python client v4, or a raw REST body),
   described by an equivalent weavectl file, plan to no changes.
2. Each mutable field, changed in the file, plans an in-place update at the expected path.
3. Each immutable field, changed in the file, plans a replace, naming the field.
4. Preflight: modules the server lacks stop plan; key sources that do not resolve are reported, not fatal; key
   values never show.
5. Collections outside the file are listed as unmanaged, deleted only with --prune or `state: absent`.
6. --out writes a plan file without any secret value.

Where plan is wrong today the test states what it should do and is marked xfail(strict) with "BUG: ...".
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import WEAVIATE_ADMIN_KEY, skip_unless
from tests.support.client_types import base_url
from tests.support.plan_helpers import (
    HERMETIC_ENV,
    PlanResult,
    Server,
    create_alias,
    create_rest,
    delete_alias,
    delete_class,
    get_class,
    meta_modules,
    python_client,
    rest,
    run_plan,
    write_config,
)
from weavectl.cli import run_cli
from weavectl.core.weaviate.rest import to_rest
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server

# Modules are pointed at addresses nothing listens on: creating a collection calls no provider.
FAKE_URL = "http://127.0.0.1:9"
FAKE_URL_2 = "http://127.0.0.1:10"


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller's own Weaviate URL/keys must not change what plan connects to or resolves."""
    for name in HERMETIC_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def extra_names(weaviate: WeaviateServer) -> Iterator[Callable[[str], str]]:
    """More unique collection (or alias) names for one test; all deleted afterwards."""
    made: list[str] = []

    def make(prefix: str = "X") -> str:
        made.append(f"{prefix}{uuid.uuid4().hex[:10]}")
        return made[-1]

    yield make
    for name in made:
        delete_alias(weaviate, name)
        delete_class(weaviate, name)


@dataclass
class Ctx:
    """What a shape may need besides its collection name."""

    extra: Callable[[str], str]
    notes: dict[str, str] = field(default_factory=dict)  # names the create step chose, for the config step


def plan_one(server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str], coll: dict[str, Any],
             name: str, *extra: str, api_keys: dict[str, Any] | None = None, fmt: str = "json") -> PlanResult:
    cfg = write_config(tmp_path, [coll], api_keys=api_keys)
    return run_plan(server, cfg, capsys, [name], *extra, fmt=fmt)


def assert_no_changes(result: PlanResult, name: str) -> None:
    assert result.code == 0 and result.change(name) is None and not result.data["errors"], result.evidence()
    assert any(n.lower() == name.lower() for n in result.data["unchanged"]), result.evidence()


# =============================================================================================================
# 1. Created the way users do today, described by an equivalent file: no changes
# =============================================================================================================

@dataclass(frozen=True)
class Shape:
    id: str
    create: Callable[[Server, str, Ctx], None]
    config: Callable[[str, Ctx], dict[str, Any] | list[dict[str, Any]]]  # a list: the target first
    auth: bool = False  # needs the API-key server (Weaviate Embeddings)
    bug: str | None = None  # a known bug: the case runs as a strict xfail
    regression: str | None = None  # a bug this case found and now guards against


def _text_props() -> list[Any]:
    from weaviate.classes.config import DataType, Property

    return [Property(name="title", data_type=DataType.TEXT), Property(name="body", data_type=DataType.TEXT)]


TEXT_PROPS_YAML: list[dict[str, Any]] = [{"name": "title", "data_type": "text"}, {"name": "body", "data_type": "text"}]
TEXT_PROPS_REST: list[dict[str, Any]] = [{"name": "title", "dataType": ["text"]},
                                         {"name": "body", "dataType": ["text"]}]


def _client_vector(vector: Any, properties: list[Any] | None = None,
                   **kwargs: Any) -> Callable[[Server, str, Ctx], None]:
    """Create with the Python client: one collection, these properties, this vector config."""

    def create(server: Server, name: str, ctx: Ctx) -> None:
        with python_client(server) as client:
            client.collections.create(name, properties=_text_props() if properties is None else properties,
                                      vector_config=vector() if callable(vector) else vector, **kwargs)

    return create


def _rest_vector(vectorizer: str, settings: dict[str, Any], index: dict[str, Any] | None = None,
                 index_type: str = "hnsw") -> Callable[[Server, str, Ctx], None]:
    def create(server: Server, name: str, ctx: Ctx) -> None:
        entry: dict[str, Any] = {"vectorizer": {vectorizer: settings}, "vectorIndexType": index_type}
        if index:
            entry["vectorIndexConfig"] = index
        create_rest(server, {"class": name, "properties": TEXT_PROPS_REST, "vectorConfig": {"main": entry}})

    return create


def _named(vector: dict[str, Any], props: list[dict[str, Any]] | None = None,
           **top: Any) -> Callable[[str, Ctx], dict[str, Any]]:
    def config(name: str, ctx: Ctx) -> dict[str, Any]:
        return {"name": name, "properties": copy.deepcopy(TEXT_PROPS_YAML if props is None else props),
                "vectors": {"main": copy.deepcopy(vector)}, **copy.deepcopy(top)}

    return config


# -- vectorizer modules ---------------------------------------------------------------------------------------

def _openai_client() -> Any:
    from weaviate.classes.config import Configure

    return Configure.Vectors.text2vec_openai(name="main", model="text-embedding-3-large", dimensions=1024,
                                             source_properties=["title", "body"], vectorize_collection_name=False)


def _cohere_client() -> Any:
    from weaviate.classes.config import Configure

    return Configure.Vectors.text2vec_cohere(name="main", model="embed-multilingual-v3.0", truncate="END")


def _weaviate_client() -> Any:
    from weaviate.classes.config import Configure

    return Configure.Vectors.text2vec_weaviate(name="main", model="Snowflake/snowflake-arctic-embed-m-v1.5",
                                               base_url=FAKE_URL, source_properties=["title"])


def _transformers_client() -> Any:
    from weaviate.classes.config import Configure

    return Configure.Vectors.text2vec_transformers(name="main", pooling_strategy="cls",
                                                   vectorize_collection_name=False)


def _voyage_client() -> Any:
    from weaviate.classes.config import Configure

    return Configure.Vectors.text2vec_voyageai(name="main", model="voyage-3-lite", base_url=FAKE_URL, truncate=True)


def _mistral_client() -> Any:
    from weaviate.classes.config import Configure

    return Configure.Vectors.text2vec_mistral(name="main", model="mistral-embed")


def _two_vectors_client() -> Any:
    from weaviate.classes.config import Configure, VectorDistances

    return [
        Configure.Vectors.text2vec_openai(name="content", model="text-embedding-3-small",
                                          source_properties=["title", "body"]),
        Configure.Vectors.text2vec_ollama(name="headline", api_endpoint=FAKE_URL, model="nomic-embed-text",
                                          source_properties=["title"],
                                          vector_index_config=Configure.VectorIndex.flat(
                                              distance_metric=VectorDistances.DOT)),
    ]


def _two_vectors_yaml(name: str, ctx: Ctx) -> dict[str, Any]:
    return {"name": name, "properties": copy.deepcopy(TEXT_PROPS_YAML), "vectors": {
        "content": {"vectorizer": "text2vec-openai", "model": "text-embedding-3-small",
                    "source_properties": ["title", "body"]},
        # The client writes vectorizeClassName true where the server's own default for ollama is false.
        "headline": {"vectorizer": "text2vec-ollama", "api_endpoint": FAKE_URL, "model": "nomic-embed-text",
                     "source_properties": ["title"], "index": {"type": "flat", "distance": "dot"},
                     "vectorize_collection_name": True},
    }}


def _legacy_rest(server: Server, name: str, ctx: Ctx) -> None:
    create_rest(server, {
        "class": name, "description": "Jeopardy questions", "properties": TEXT_PROPS_REST,
        "vectorizer": "text2vec-cohere",
        "moduleConfig": {"text2vec-cohere": {"baseURL": FAKE_URL, "model": "embed-english-v3.0",
                                             "vectorizeClassName": False}},
        "vectorIndexType": "hnsw",
        "vectorIndexConfig": {"distance": "dot", "ef": 64, "efConstruction": 256},
    })


def _legacy_yaml(name: str, ctx: Ctx) -> dict[str, Any]:
    return {"name": name, "description": "Jeopardy questions", "properties": copy.deepcopy(TEXT_PROPS_YAML),
            "vector": {"vectorizer": "text2vec-cohere", "base_url": FAKE_URL, "model": "embed-english-v3.0",
                       "vectorize_collection_name": False,
                       "index": {"type": "hnsw", "distance": "dot", "ef": 64, "ef_construction": 256}}}


def _legacy_client_bq(server: Server, name: str, ctx: Ctx) -> None:
    from weaviate.classes.config import Configure

    with python_client(server) as client:
        client.collections.create(
            name, properties=_text_props(),
            vectorizer_config=Configure.Vectorizer.text2vec_ollama(api_endpoint=FAKE_URL, model="all-minilm"),
            vector_index_config=Configure.VectorIndex.hnsw(quantizer=Configure.VectorIndex.Quantizer.bq()),
        )


def _legacy_client_bq_yaml(name: str, ctx: Ctx) -> dict[str, Any]:
    # The client's legacy form writes vectorizePropertyName and vectorizeClassName true (server defaults: false).
    return {"name": name, "properties": [{**p, "vectorize_property_name": True} for p in TEXT_PROPS_YAML],
            "vector": {"vectorizer": "text2vec-ollama", "api_endpoint": FAKE_URL, "model": "all-minilm",
                       "vectorize_collection_name": True, "index": {"quantizer": {"type": "bq"}}}}


def _byo_legacy(server: Server, name: str, ctx: Ctx) -> None:
    create_rest(server, {"class": name, "properties": TEXT_PROPS_REST, "vectorizer": "none",
                         "vectorIndexConfig": {"distance": "l2-squared"}})


# -- vector indexes and quantizers ------------------------------------------------------------------------------

def _self_provided(index: Callable[[], Any]) -> Callable[[Server, str, Ctx], None]:
    def vector() -> Any:
        from weaviate.classes.config import Configure

        return Configure.Vectors.self_provided(name="main", vector_index_config=index())

    return _client_vector(vector)


def _hnsw_dot() -> Any:
    from weaviate.classes.config import Configure, VectorDistances

    return Configure.VectorIndex.hnsw(distance_metric=VectorDistances.DOT)


def _flat() -> Any:
    from weaviate.classes.config import Configure, VectorDistances

    return Configure.VectorIndex.flat(distance_metric=VectorDistances.L2_SQUARED, vector_cache_max_objects=100_000)


def _hnsw_pq() -> Any:
    from weaviate.classes.config import Configure, PQEncoderDistribution, PQEncoderType

    return Configure.VectorIndex.hnsw(quantizer=Configure.VectorIndex.Quantizer.pq(
        segments=16, centroids=128, training_limit=50_000, encoder_type=PQEncoderType.KMEANS,
        encoder_distribution=PQEncoderDistribution.NORMAL))


def _hnsw_sq() -> Any:
    from weaviate.classes.config import Configure

    return Configure.VectorIndex.hnsw(quantizer=Configure.VectorIndex.Quantizer.sq(training_limit=50_000,
                                                                                   rescore_limit=40))


def _hnsw_rq1() -> Any:
    from weaviate.classes.config import Configure

    return Configure.VectorIndex.hnsw(quantizer=Configure.VectorIndex.Quantizer.rq(bits=1))


def _flat_bq() -> Any:
    from weaviate.classes.config import Configure

    return Configure.VectorIndex.flat(quantizer=Configure.VectorIndex.Quantizer.bq(cache=True, rescore_limit=200))


HNSW_TUNED_REST = {"distance": "l2-squared", "ef": 200, "efConstruction": 256, "maxConnections": 48,
                   "dynamicEfMin": 50, "dynamicEfMax": 400, "dynamicEfFactor": 4, "flatSearchCutoff": 20_000,
                   "vectorCacheMaxObjects": 500_000, "filterStrategy": "sweeping", "cleanupIntervalSeconds": 600}
HNSW_TUNED_YAML = {"type": "hnsw", "distance": "l2-squared", "ef": 200, "ef_construction": 256, "max_connections": 48,
                   "dynamic_ef_min": 50, "dynamic_ef_max": 400, "dynamic_ef_factor": 4, "flat_search_cutoff": 20_000,
                   "vector_cache_max_objects": 500_000, "filter_strategy": "sweeping", "cleanup_interval_seconds": 600}


# -- collection-level features ------------------------------------------------------------------------------------

def _multi_tenancy(server: Server, name: str, ctx: Ctx) -> None:
    from weaviate.classes.config import Configure

    with python_client(server) as client:
        client.collections.create(name, properties=_text_props(),
                                  vector_config=Configure.Vectors.self_provided(),
                                  multi_tenancy_config=Configure.multi_tenancy(
                                      enabled=True, auto_tenant_creation=True, auto_tenant_activation=True))


def _multi_tenancy_yaml(name: str, ctx: Ctx) -> dict[str, Any]:
    return {"name": name, "properties": copy.deepcopy(TEXT_PROPS_YAML),
            "vectors": {"default": {"vectorizer": "none"}},
            "multi_tenancy": {"enabled": True, "auto_tenant_creation": True, "auto_tenant_activation": True}}


def _references(server: Server, name: str, ctx: Ctx) -> None:
    from weaviate.classes.config import Configure, ReferenceProperty

    author = ctx.notes["author"] = ctx.extra("Author")
    with python_client(server) as client:
        client.collections.create(author, properties=_text_props())
        client.collections.create(name, properties=_text_props(), vector_config=Configure.Vectors.self_provided(),
                                  references=[ReferenceProperty(name="writtenBy", target_collection=author),
                                              ReferenceProperty(name="related", target_collection=name)])


def _references_yaml(name: str, ctx: Ctx) -> list[dict[str, Any]]:
    # The file must declare every reference target (semantic validation); --target plans only the first.
    return [{"name": name, "properties": [*copy.deepcopy(TEXT_PROPS_YAML),
                                          {"name": "writtenBy", "target_collection": ctx.notes["author"]},
                                          {"name": "related", "target_collection": name}],
             "vectors": {"default": {"vectorizer": "none"}}},
            {"name": ctx.notes["author"], "properties": copy.deepcopy(TEXT_PROPS_YAML)}]


def _multi_target_ref(server: Server, name: str, ctx: Ctx) -> None:
    a, b = ctx.notes["a"], ctx.notes["b"] = ctx.extra("Person"), ctx.extra("Org")
    create_rest(server, {"class": a})
    create_rest(server, {"class": b})
    create_rest(server, {"class": name, "properties": [{"name": "owner", "dataType": [a, b]}]})


def _multi_target_ref_yaml(name: str, ctx: Ctx) -> list[dict[str, Any]]:
    return [{"name": name, "properties": [{"name": "owner", "target_collection": [ctx.notes["a"], ctx.notes["b"]]}]},
            {"name": ctx.notes["a"]}, {"name": ctx.notes["b"]}]


NESTED_REST: list[dict[str, Any]] = [
    {"name": "source", "dataType": ["object"], "nestedProperties": [
        {"name": "publisher", "dataType": ["text"]},
        {"name": "url", "dataType": ["text"], "tokenization": "field"},
        {"name": "year", "dataType": ["int"]},
        {"name": "geo", "dataType": ["object"], "nestedProperties": [
            {"name": "country", "dataType": ["text"], "indexSearchable": False}]},
    ]},
    {"name": "authors", "dataType": ["object[]"], "nestedProperties": [
        {"name": "name", "dataType": ["text"]}, {"name": "orcid", "dataType": ["text"], "tokenization": "field"}]},
]
NESTED_YAML: list[dict[str, Any]] = [
    {"name": "source", "data_type": "object", "nested_properties": [
        {"name": "publisher", "data_type": "text"},
        {"name": "url", "data_type": "text", "tokenization": "field"},
        {"name": "year", "data_type": "int"},
        {"name": "geo", "data_type": "object", "nested_properties": [
            {"name": "country", "data_type": "text", "index_searchable": False}]},
    ]},
    {"name": "authors", "data_type": "object[]", "nested_properties": [
        {"name": "name", "data_type": "text"}, {"name": "orcid", "data_type": "text", "tokenization": "field"}]},
]


def _nested_objects(server: Server, name: str, ctx: Ctx) -> None:
    create_rest(server, {"class": name, "properties": NESTED_REST})


def _generative(server: Server, name: str, ctx: Ctx) -> None:
    from weaviate.classes.config import Configure

    with python_client(server) as client:
        client.collections.create(name, properties=_text_props(),
                                  vector_config=Configure.Vectors.text2vec_transformers(),
                                  # No float settings: on a collection with named vectors 1.39.3 rejects every value
                                  # of temperature, top_p, frequency/presence_penalty ("Wrong temperature
                                  # configuration, values are between 0.0 and 1.0"); a legacy collection takes them.
                                  generative_config=Configure.Generative.openai(model="gpt-4o-mini", max_tokens=500,
                                                                                reasoning_effort="low"))


def _generative_yaml(name: str, ctx: Ctx) -> dict[str, Any]:
    return {"name": name, "properties": copy.deepcopy(TEXT_PROPS_YAML),
            "vectors": {"default": {"vectorizer": "text2vec-transformers"}},
            "generative": {"module": "generative-openai", "model": "gpt-4o-mini", "max_tokens": 500,
                           "reasoning_effort": "low"}}


def _reranker(server: Server, name: str, ctx: Ctx) -> None:
    from weaviate.classes.config import Configure

    with python_client(server) as client:
        client.collections.create(name, properties=_text_props(),
                                  vector_config=Configure.Vectors.self_provided(),
                                  reranker_config=Configure.Reranker.cohere(model="rerank-english-v3.0"),
                                  generative_config=Configure.Generative.ollama(api_endpoint=FAKE_URL,
                                                                                model="llama3.2"))


def _reranker_yaml(name: str, ctx: Ctx) -> dict[str, Any]:
    return {"name": name, "properties": copy.deepcopy(TEXT_PROPS_YAML),
            "vectors": {"default": {"vectorizer": "none"}},
            "reranker": {"module": "reranker-cohere", "model": "rerank-english-v3.0"},
            "generative": {"module": "generative-ollama", "api_endpoint": FAKE_URL, "model": "llama3.2"}}


def _property_flags(server: Server, name: str, ctx: Ctx) -> None:
    from weaviate.classes.config import Configure, DataType, Property, Tokenization

    with python_client(server) as client:
        client.collections.create(name, properties=[
            Property(name="title", data_type=DataType.TEXT, description="headline",
                     tokenization=Tokenization.LOWERCASE, vectorize_property_name=True),
            Property(name="sku", data_type=DataType.TEXT, tokenization=Tokenization.FIELD, index_searchable=False,
                     skip_vectorization=True),
            Property(name="notes", data_type=DataType.TEXT, tokenization=Tokenization.TRIGRAM,
                     index_filterable=False),
            Property(name="tags", data_type=DataType.TEXT_ARRAY, tokenization=Tokenization.WHITESPACE),
            Property(name="price", data_type=DataType.NUMBER, index_range_filters=True),
            Property(name="stock", data_type=DataType.INT, index_filterable=False, index_range_filters=True),
            Property(name="active", data_type=DataType.BOOL),
            Property(name="released", data_type=DataType.DATE, index_range_filters=True),
            Property(name="ref", data_type=DataType.UUID),
            Property(name="where", data_type=DataType.GEO_COORDINATES),
            Property(name="phone", data_type=DataType.PHONE_NUMBER),
            Property(name="image", data_type=DataType.BLOB),
        ],
            # The legacy form: with `vector_config` (named vectors) the client v4.23 sends skip_vectorization and
            # vectorize_property_name as unknown keys the server ignores, so they would never take effect.
            vectorizer_config=Configure.Vectorizer.text2vec_openai())


def _property_flags_yaml(name: str, ctx: Ctx) -> dict[str, Any]:
    coll: dict[str, Any] = {"name": name, "properties": [
        {"name": "title", "data_type": "text", "description": "headline", "tokenization": "lowercase",
         "vectorize_property_name": True},
        {"name": "sku", "data_type": "text", "tokenization": "field", "index_searchable": False,
         "skip_vectorization": True},
        {"name": "notes", "data_type": "text", "tokenization": "trigram", "index_filterable": False},
        {"name": "tags", "data_type": "text[]", "tokenization": "whitespace"},
        {"name": "price", "data_type": "number", "index_range_filters": True},
        {"name": "stock", "data_type": "int", "index_filterable": False, "index_range_filters": True},
        {"name": "active", "data_type": "boolean"},
        {"name": "released", "data_type": "date", "index_range_filters": True},
        {"name": "ref", "data_type": "uuid"},
        {"name": "where", "data_type": "geoCoordinates"},
        {"name": "phone", "data_type": "phoneNumber"},
        {"name": "image", "data_type": "blob"},
    ], "vector": {"vectorizer": "text2vec-openai"}}
    # The client's legacy form writes vectorizePropertyName true for every property (the server default: false).
    for prop in coll["properties"]:
        prop["vectorize_property_name"] = True
    return coll


def _per_module_skip(server: Server, name: str, ctx: Ctx) -> None:
    create_rest(server, {"class": name, "properties": [
        {"name": "title", "dataType": ["text"], "moduleConfig": {"text2vec-openai": {"vectorizePropertyName": True}}},
        {"name": "body", "dataType": ["text"], "moduleConfig": {"text2vec-cohere": {"skip": True}}},
    ], "vectorConfig": {
        "openai": {"vectorizer": {"text2vec-openai": {}}, "vectorIndexType": "hnsw"},
        "cohere": {"vectorizer": {"text2vec-cohere": {"baseURL": FAKE_URL}}, "vectorIndexType": "hnsw"},
    }})


def _per_module_skip_yaml(name: str, ctx: Ctx) -> dict[str, Any]:
    return {"name": name, "properties": [
        {"name": "title", "data_type": "text", "vectorize_property_name": {"text2vec-openai": True}},
        {"name": "body", "data_type": "text", "skip_vectorization": {"text2vec-cohere": True}},
    ], "vectors": {"openai": {"vectorizer": "text2vec-openai"},
                   "cohere": {"vectorizer": "text2vec-cohere", "base_url": FAKE_URL}}}


def _inverted(server: Server, name: str, ctx: Ctx) -> None:
    from weaviate.classes.config import Configure, StopwordsPreset

    with python_client(server) as client:
        client.collections.create(name, properties=_text_props(), vector_config=Configure.Vectors.self_provided(),
                                  inverted_index_config=Configure.inverted_index(
                                      bm25_b=0.6, bm25_k1=1.4, cleanup_interval_seconds=120,
                                      stopwords_preset=StopwordsPreset.NONE, stopwords_additions=["acme", "inc"],
                                      stopwords_removals=["a"], index_timestamps=True, index_null_state=True,
                                      index_property_length=True))


def _inverted_yaml(name: str, ctx: Ctx) -> dict[str, Any]:
    return {"name": name, "properties": copy.deepcopy(TEXT_PROPS_YAML), "vectors": {"default": {"vectorizer": "none"}},
            "inverted_index": {"bm25": {"b": 0.6, "k1": 1.4}, "cleanup_interval_seconds": 120,
                               "stopwords": {"preset": "none", "additions": ["inc", "acme"], "removals": ["a"]},
                               "index_timestamps": True, "index_null_state": True, "index_property_length": True}}


def _replication(server: Server, name: str, ctx: Ctx) -> None:
    from weaviate.classes.config import Configure, ReplicationDeletionStrategy

    with python_client(server) as client:
        client.collections.create(name, properties=_text_props(), vector_config=Configure.Vectors.self_provided(),
                                  replication_config=Configure.replication(
                                      factor=1, deletion_strategy=ReplicationDeletionStrategy.DELETE_ON_CONFLICT))


def _replication_yaml(name: str, ctx: Ctx) -> dict[str, Any]:
    return {"name": name, "properties": copy.deepcopy(TEXT_PROPS_YAML), "vectors": {"default": {"vectorizer": "none"}},
            "replication": {"factor": 1, "deletion_strategy": "DeleteOnConflict"}}


def _sharding(server: Server, name: str, ctx: Ctx) -> None:
    create_rest(server, {"class": name, "properties": TEXT_PROPS_REST,
                         "shardingConfig": {"desiredCount": 1, "virtualPerPhysical": 64}})


def _aliases(server: Server, name: str, ctx: Ctx) -> None:
    create_rest(server, {"class": name, "properties": TEXT_PROPS_REST})
    for key in ("a1", "a2"):
        ctx.notes[key] = ctx.extra("Alias")
        create_alias(server, ctx.notes[key], name)


def _aliases_yaml(name: str, ctx: Ctx) -> dict[str, Any]:
    return {"name": name, "properties": copy.deepcopy(TEXT_PROPS_YAML), "aliases": [ctx.notes["a2"], ctx.notes["a1"]]}


def _string_type(server: Server, name: str, ctx: Ctx) -> None:
    create_rest(server, {"class": name, "properties": [{"name": "code", "dataType": ["string"],
                                                        "tokenization": "word"},
                                                       {"name": "codes", "dataType": ["string[]"]}]})


def _text_analyzer(server: Server, name: str, ctx: Ctx) -> None:
    from weaviate.classes.config import Configure, DataType, Property

    with python_client(server) as client:
        client.collections.create(name, properties=[
            Property(name="title", data_type=DataType.TEXT,
                     text_analyzer=Configure.text_analyzer(ascii_fold=True, ascii_fold_ignore=["é", "ñ"]))],
            vector_config=Configure.Vectors.self_provided())


def _recased(server: Server, name: str, ctx: Ctx) -> None:
    """A REST body spelled the way a user typed it; the server re-cases the first letters (facts 4.6)."""
    create_rest(server, {"class": name[0].lower() + name[1:], "properties": [
        {"name": "Title", "dataType": ["text"]}, {"name": "PageCount", "dataType": ["int"]}]})


# -- perpetual-diff candidates (seen as bugs) ----------------------------------------------------------------------

def _nested_capitals(server: Server, name: str, ctx: Ctx) -> None:
    create_rest(server, {"class": name, "properties": [{"name": "source", "dataType": ["object"], "nestedProperties": [
        {"name": "Publisher", "dataType": ["text"]}, {"name": "URL", "dataType": ["text"]}]}]})


def _source_capitals(server: Server, name: str, ctx: Ctx) -> None:
    from weaviate.classes.config import Configure, DataType, Property

    with python_client(server) as client:
        client.collections.create(name, properties=[Property(name="Title", data_type=DataType.TEXT),
                                                    Property(name="Body", data_type=DataType.TEXT)],
                                  vector_config=Configure.Vectors.text2vec_openai(
                                      name="main", source_properties=["Title"]))


def _client_base_url(module: str) -> Callable[[Server, str, Ctx], None]:
    def vector() -> Any:
        from weaviate.classes.config import Configure

        if module == "openai":
            return Configure.Vectors.text2vec_openai(name="main", base_url=base_url(FAKE_URL))
        return Configure.Vectors.text2vec_mistral(name="main", base_url=base_url(FAKE_URL))

    return _client_vector(vector)


def _preset_stopword(server: Server, name: str, ctx: Ctx) -> None:
    from weaviate.classes.config import Configure, StopwordsPreset

    with python_client(server) as client:
        client.collections.create(name, properties=_text_props(), vector_config=Configure.Vectors.self_provided(),
                                  inverted_index_config=Configure.inverted_index(
                                      stopwords_preset=StopwordsPreset.EN, stopwords_additions=["the", "acme"]))


def _palm_named(server: Server, name: str, ctx: Ctx) -> None:
    create_rest(server, {"class": name, "properties": TEXT_PROPS_REST,
                         "vectorConfig": {"main": {"vectorizer": {"text2vec-palm": {"projectId": "p1"}},
                                                   "vectorIndexType": "hnsw"}},
                         "moduleConfig": {"generative-palm": {"projectId": "p1"}}})


def _palm_legacy(server: Server, name: str, ctx: Ctx) -> None:
    create_rest(server, {"class": name, "properties": TEXT_PROPS_REST, "vectorizer": "text2vec-palm",
                         "moduleConfig": {"text2vec-palm": {"projectId": "p1"}}})


def _multivector(server: Server, name: str, ctx: Ctx) -> None:
    from weaviate.classes.config import Configure

    with python_client(server) as client:
        client.collections.create(name, properties=_text_props(),
                                  vector_config=Configure.MultiVectors.self_provided(name="colbert"))


def _plain(props: list[dict[str, Any]], **top: Any) -> Callable[[str, Ctx], dict[str, Any]]:
    def config(name: str, ctx: Ctx) -> dict[str, Any]:
        return {"name": name, "properties": copy.deepcopy(props), **copy.deepcopy(top)}

    return config


SHAPES: list[Shape] = [
    # vectorizer modules, one each
    Shape("text2vec-openai", _client_vector(_openai_client),
          _named({"vectorizer": "text2vec-openai", "model": "text-embedding-3-large", "dimensions": 1024,
                  "source_properties": ["title", "body"], "vectorize_collection_name": False})),
    Shape("text2vec-nvidia", _rest_vector("text2vec-nvidia", {"baseURL": FAKE_URL, "model": "nvidia/nv-embedqa-e5-v5",
                                                              "truncate": "END"}),
          _named({"vectorizer": "text2vec-nvidia", "base_url": FAKE_URL, "model": "nvidia/nv-embedqa-e5-v5",
                  "truncate": "END"})),
    Shape("text2vec-cohere", _client_vector(_cohere_client),
          _named({"vectorizer": "text2vec-cohere", "model": "embed-multilingual-v3.0", "truncate": "END"})),
    Shape("text2vec-weaviate", _client_vector(_weaviate_client),
          _named({"vectorizer": "text2vec-weaviate", "model": "Snowflake/snowflake-arctic-embed-m-v1.5",
                  "base_url": FAKE_URL, "source_properties": ["title"]}), auth=True),
    Shape("text2vec-ollama", _rest_vector("text2vec-ollama", {"apiEndpoint": FAKE_URL, "model": "nomic-embed-text",
                                                              "vectorizeClassName": False}),
          _named({"vectorizer": "text2vec-ollama", "api_endpoint": FAKE_URL, "model": "nomic-embed-text",
                  "vectorize_collection_name": False})),
    Shape("text2vec-transformers", _client_vector(_transformers_client),
          _named({"vectorizer": "text2vec-transformers", "pooling_strategy": "cls",
                  "vectorize_collection_name": False})),
    Shape("text2vec-voyageai", _client_vector(_voyage_client),
          _named({"vectorizer": "text2vec-voyageai", "model": "voyage-3-lite", "base_url": FAKE_URL,
                  "truncate": True})),
    Shape("text2vec-jinaai", _rest_vector("text2vec-jinaai", {"model": "jina-embeddings-v3", "baseURL": FAKE_URL,
                                                              "dimensions": 256}),
          _named({"vectorizer": "text2vec-jinaai", "model": "jina-embeddings-v3", "base_url": FAKE_URL,
                  "dimensions": 256})),
    Shape("text2vec-mistral", _client_vector(_mistral_client),
          _named({"vectorizer": "text2vec-mistral", "model": "mistral-embed"})),
    Shape("text2vec-huggingface", _rest_vector("text2vec-huggingface", {
        "model": "sentence-transformers/all-MiniLM-L6-v2", "options": {"waitForModel": True, "useGPU": False}}),
          _named({"vectorizer": "text2vec-huggingface", "model": "sentence-transformers/all-MiniLM-L6-v2",
                  "options": {"waitForModel": True, "useGPU": False}})),
    # vector forms
    Shape("named-vectors-two-modules", _client_vector(_two_vectors_client), _two_vectors_yaml),
    Shape("legacy-vectorizer-rest", _legacy_rest, _legacy_yaml),
    Shape("legacy-vectorizer-client-bq", _legacy_client_bq, _legacy_client_bq_yaml),
    Shape("bring-your-own-named", _self_provided(_hnsw_dot),
          _named({"vectorizer": "none", "index": {"type": "hnsw", "distance": "dot"}})),
    Shape("bring-your-own-legacy", _byo_legacy,
          _plain(TEXT_PROPS_YAML, vector={"vectorizer": "none", "index": {"distance": "l2-squared"}})),
    # index types and quantizers
    Shape("hnsw-tuned", _rest_vector("none", {}, HNSW_TUNED_REST), _named({"vectorizer": "none",
                                                                            "index": HNSW_TUNED_YAML})),
    Shape("flat", _self_provided(_flat),
          _named({"vectorizer": "none", "index": {"type": "flat", "distance": "l2-squared",
                                                  "vector_cache_max_objects": 100_000}})),
    Shape("hnsw-pq", _self_provided(_hnsw_pq),
          _named({"vectorizer": "none", "index": {"type": "hnsw", "quantizer": {
              "type": "pq", "segments": 16, "centroids": 128, "training_limit": 50_000,
              "encoder": {"type": "kmeans", "distribution": "normal"}}}})),
    Shape("hnsw-bq", _rest_vector("none", {}, {"bq": {"enabled": True}}),
          _named({"vectorizer": "none", "index": {"quantizer": {"type": "bq"}}})),
    Shape("hnsw-sq", _self_provided(_hnsw_sq),
          _named({"vectorizer": "none", "index": {"quantizer": {"type": "sq", "training_limit": 50_000,
                                                                "rescore_limit": 40}}})),
    Shape("hnsw-rq-8", _rest_vector("none", {}, {"rq": {"enabled": True, "bits": 8, "rescoreLimit": 100}}),
          _named({"vectorizer": "none", "index": {"quantizer": {"type": "rq", "bits": 8, "rescore_limit": 100}}})),
    Shape("hnsw-rq-1", _self_provided(_hnsw_rq1),
          _named({"vectorizer": "none", "index": {"type": "hnsw", "quantizer": {"type": "rq", "bits": 1}}})),
    Shape("flat-bq", _self_provided(_flat_bq),
          _named({"vectorizer": "none", "index": {"type": "flat", "quantizer": {"type": "bq", "cache": True,
                                                                                "rescore_limit": 200}}})),
    # collection features
    Shape("multi-tenancy-auto-create", _multi_tenancy, _multi_tenancy_yaml),
    Shape("cross-references", _references, _references_yaml),
    Shape("cross-reference-multi-target", _multi_target_ref, _multi_target_ref_yaml),
    Shape("nested-objects", _nested_objects, _plain(NESTED_YAML)),
    Shape("generative", _generative, _generative_yaml),
    Shape("reranker", _reranker, _reranker_yaml),
    Shape("property-flags-and-types", _property_flags, _property_flags_yaml),
    Shape("per-module-property-settings-named-vectors", _per_module_skip, _per_module_skip_yaml),
    Shape("inverted-index", _inverted, _inverted_yaml),
    Shape("replication", _replication, _replication_yaml),
    Shape("sharding", _sharding, _plain(TEXT_PROPS_YAML, sharding={"desired_count": 1, "virtual_per_physical": 64})),
    Shape("aliases", _aliases, _aliases_yaml),
    Shape("deprecated-string-type", _string_type,
          _plain([{"name": "code", "data_type": "string", "tokenization": "word"},
                  {"name": "codes", "data_type": "string[]"}])),
    Shape("text-analyzer", _text_analyzer,
          _plain([{"name": "title", "data_type": "text",
                   "text_analyzer": {"ascii_fold": True, "ascii_fold_ignore": ["ñ", "é"]}}],
                 vectors={"default": {"vectorizer": "none"}})),
    Shape("multivector-bring-your-own", _multivector,
          _plain(TEXT_PROPS_YAML, vectors={"colbert": {"vectorizer": "none",
                                                       "index": {"multivector": {"enabled": True}}}})),
    Shape("names-recased-by-the-server", _recased,
          lambda n, c: {"name": n[0].lower() + n[1:], "properties": [{"name": "Title", "data_type": "text"},
                                                                     {"name": "PageCount", "data_type": "int"}]}),
    # the same collections, spelled the way users spell them, where plan shows a change that is not there
    Shape("nested-property-names-with-capitals", _nested_capitals,
          _plain([{"name": "source", "data_type": "object", "nested_properties": [
              {"name": "Publisher", "data_type": "text"}, {"name": "URL", "data_type": "text"}]}]),
          regression="rest._property re-cases nested property names (property_name()), but the server keeps nested "
              "names as given (facts 4.6): perpetual immutable nestedProperties diff -> replace"),
    Shape("source-properties-with-capitals", _source_capitals,
          _plain([{"name": "Title", "data_type": "text"}, {"name": "Body", "data_type": "text"}],
                 vectors={"main": {"vectorizer": "text2vec-openai", "source_properties": ["Title"]}}),
          regression="rest.vectorizer_settings lower-cases source_properties, but the server stores the list as sent "
              "(['Title']): perpetual update of vectorizer.properties"),
    Shape("openai-base-url-via-client", _client_base_url("openai"),
          _named({"vectorizer": "text2vec-openai", "base_url": FAKE_URL}),
          regression="the Python client stores base_url with a trailing slash (pydantic AnyHttpUrl); plan compares "
                     "URLs "
              "as strings: perpetual update of baseURL"),
    Shape("mistral-base-url-via-client", _client_base_url("mistral"),
          _named({"vectorizer": "text2vec-mistral", "base_url": FAKE_URL}),
          regression="the Python client stores base_url with a trailing slash; for text2vec-mistral plan then forces a "
              "REPLACE (drops all data) for an identical URL"),
    Shape("stopword-addition-already-in-preset", _preset_stopword,
          _plain(TEXT_PROPS_YAML, vectors={"default": {"vectorizer": "none"}},
                 inverted_index={"stopwords": {"preset": "en", "additions": ["the", "acme"]}}),
          regression="the server drops stopword additions already in the preset (facts trap 13: 'the' is in 'en'); "
                     "plan "
              "compares the list as written: perpetual update of invertedIndexConfig.stopwords.additions"),
    Shape("nvidia-default-base-url-written-out", _rest_vector("text2vec-nvidia", {}),
          _named({"vectorizer": "text2vec-nvidia", "base_url": "https://integrate.api.nvidia.com"}),
          regression="text2vec-nvidia stores its default URL under `baseUrl` (facts trap 4); a file that writes the "
                     "default "
              "base_url out is compared with the absent `baseURL` key: perpetual REPLACE (nvidia is not migratable)"),
    Shape("legacy-module-names-palm-named-vector", _palm_named,
          _named({"vectorizer": "text2vec-palm", "project_id": "p1"},
                 generative={"module": "generative-palm", "project_id": "p1"}),
          regression="the server stores module alias names as sent (text2vec-palm, generative-palm); plan maps them to "
              "text2vec-google/generative-google and forces a REPLACE (vectorizer module 'changed'), whatever the "
              "file says"),
    Shape("legacy-module-names-palm-legacy-vector", _palm_legacy,
          _plain(TEXT_PROPS_YAML, vector={"vectorizer": "text2vec-google", "project_id": "p1"}),
          regression="a legacy collection created with vectorizer text2vec-palm plans a REPLACE (vectorizer "
                     "'text2vec-palm' "
              "-> 'text2vec-google') for a file naming either text2vec-palm or text2vec-google"),
]


def _shape_params() -> list[Any]:
    params = []
    for shape in SHAPES:
        marks = [pytest.mark.xfail(reason=f"BUG: {shape.bug}", strict=True)] if shape.bug else []
        params.append(pytest.param(shape, id=shape.id, marks=marks))
    return params


@pytest.mark.parametrize("shape", _shape_params())
def test_existing_collection_described_by_an_equivalent_file_plans_no_changes(
    shape: Shape, request: pytest.FixtureRequest, collection_name: str, extra_names: Callable[[str], str],
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    server: WeaviateServer = request.getfixturevalue("weaviate_auth" if shape.auth else "weaviate")
    if shape.auth:  # collection_name deletes what it names on every server, this one too
        monkeypatch.setenv("WEAVIATE_API_KEY", WEAVIATE_ADMIN_KEY)
    ctx = Ctx(extra=extra_names)
    shape.create(server, collection_name, ctx)
    described = shape.config(collection_name, ctx)
    cfg = write_config(tmp_path, described if isinstance(described, list) else [described])
    assert_no_changes(run_plan(server, cfg, capsys, [collection_name]), collection_name)


def test_dynamic_index_plans_no_changes(
    weaviate_async: WeaviateServer, collection_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    weaviate = weaviate_async  # the dynamic index needs ASYNC_INDEXING=true
    body = {"class": collection_name, "properties": TEXT_PROPS_REST, "vectorConfig": {"main": {
        "vectorizer": {"none": {}}, "vectorIndexType": "dynamic",
        "vectorIndexConfig": {"distance": "dot", "threshold": 5000, "hnsw": {"ef": 64}, "flat": {}}}}}
    with rest(weaviate) as client:
        resp = client.post("/v1/schema", json=body)
    if resp.status_code == 422 and "async indexing" in resp.text:
        pytest.skip("the dynamic index needs ASYNC_INDEXING=true, which the fixture server does not set (the server "
                    f"answered: {resp.json()['error'][0]['message']})")
    assert resp.status_code == 200, resp.text
    coll = {"name": collection_name, "properties": copy.deepcopy(TEXT_PROPS_YAML), "vectors": {"main": {
        "vectorizer": "none", "index": {"type": "dynamic", "distance": "dot", "threshold": 5000, "hnsw": {"ef": 64}}}}}
    assert_no_changes(plan_one(weaviate, tmp_path, capsys, coll, collection_name), collection_name)


# =============================================================================================================
# 2 and 3. A collection created from a file; one field changed in the file
# =============================================================================================================

def base_collection(name: str) -> dict[str, Any]:
    """A collection with something of everything that plan may change in place or must replace."""
    return {
        "name": name,
        "description": "Published articles",
        "properties": [
            {"name": "title", "data_type": "text", "description": "headline", "tokenization": "word",
             "index_filterable": True},
            {"name": "body", "data_type": "text", "skip_vectorization": False},
            {"name": "tag", "data_type": "text", "index_filterable": False},
            {"name": "count", "data_type": "int", "index_range_filters": True},
        ],
        "vectors": {
            "main": {"vectorizer": "text2vec-openai", "model": "text-embedding-3-small", "base_url": FAKE_URL,
                     "source_properties": ["title", "body"],
                     "index": {"type": "hnsw", "distance": "cosine", "ef": -1, "ef_construction": 128,
                               "max_connections": 32, "flat_search_cutoff": 40_000,
                               "vector_cache_max_objects": 1_000_000}},
            "aux": {"vectorizer": "text2vec-nvidia", "model": "nvidia/nv-embedqa-e5-v5", "base_url": FAKE_URL,
                    "source_properties": ["title"],
                    "index": {"type": "flat", "distance": "cosine", "vector_cache_max_objects": 100_000}},
        },
        "inverted_index": {"bm25": {"b": 0.75, "k1": 1.2}, "stopwords": {"preset": "en"}, "index_timestamps": False},
        "replication": {"factor": 1, "deletion_strategy": "NoAutomatedResolution"},
        "sharding": {"desired_count": 1},
        "generative": {"module": "generative-openai", "model": "gpt-4o-mini"},
    }


def rq_collection(name: str) -> dict[str, Any]:
    coll = base_collection(name)
    coll["vectors"]["main"]["index"]["quantizer"] = {"type": "rq", "bits": 8, "rescore_limit": 20}
    return coll


def skipped_property_collection(name: str) -> dict[str, Any]:
    coll = base_collection(name)
    coll["properties"].append({"name": "internal", "data_type": "text", "skip_vectorization": True})
    return coll


def legacy_collection(name: str) -> dict[str, Any]:
    return {"name": name, "properties": copy.deepcopy(TEXT_PROPS_YAML),
            "vector": {"vectorizer": "text2vec-openai", "base_url": FAKE_URL,
                       "index": {"distance": "cosine", "ef": 100}}}


def mt_collection(name: str) -> dict[str, Any]:
    return {"name": name, "properties": [{"name": "text", "data_type": "text"}],
            "vectors": {"default": {"vectorizer": "none"}},
            "multi_tenancy": {"enabled": True, "auto_tenant_creation": False, "auto_tenant_activation": False}}


def _set(*path: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(coll: dict[str, Any]) -> None:
        node: Any = coll
        for key in path[:-1]:
            node = next(p for p in node if p["name"] == key) if isinstance(node, list) else node[key]
        node[path[-1]] = value

    return edit


def _delete(*path: str) -> Callable[[dict[str, Any]], None]:
    def edit(coll: dict[str, Any]) -> None:
        node: Any = coll
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return edit


def _drop_property(name: str) -> Callable[[dict[str, Any]], None]:
    def edit(coll: dict[str, Any]) -> None:
        coll["properties"] = [p for p in coll["properties"] if p["name"] != name]

    return edit


def _add_property(coll: dict[str, Any]) -> None:
    coll["properties"].append({"name": "summary", "data_type": "text", "skip_vectorization": True})


def _add_vector(coll: dict[str, Any]) -> None:
    coll["vectors"]["extra"] = {"vectorizer": "text2vec-ollama", "api_endpoint": FAKE_URL, "model": "all-minilm",
                                "source_properties": ["body"]}


def _to_flat(coll: dict[str, Any]) -> None:
    coll["vectors"]["main"]["index"] = {"type": "flat", "distance": "cosine"}


def _swap_vectorizer(coll: dict[str, Any]) -> None:
    coll["vectors"]["main"] = {"vectorizer": "text2vec-cohere", "base_url": FAKE_URL,
                               "source_properties": ["title", "body"]}


def _add_alias(coll: dict[str, Any]) -> None:
    coll["aliases"] = [f"{coll['name']}Alias"]


def _legacy_to_named_default(coll: dict[str, Any]) -> None:
    legacy = coll.pop("vector")
    coll["vectors"] = {"default": legacy}


def _enable_mt(coll: dict[str, Any]) -> None:
    del coll["sharding"]  # sharding cannot be given together with multi-tenancy
    coll["multi_tenancy"] = {"enabled": True}


@dataclass(frozen=True)
class Edit:
    id: str
    edit: Callable[[dict[str, Any]], None]
    path: str  # the field change plan must report
    kind: str  # its kind
    base: Callable[[str], dict[str, Any]] = base_collection
    bug: str | None = None  # a known bug: the case runs as a strict xfail
    regression: str | None = None  # a bug this case found and now guards against
    also: tuple[str, ...] = ()  # path prefixes of further (non-immutable) fields plan may report with it
    feature: str | None = None  # a version-gated operation (weavectl.core.weaviate.version) the expected plan needs


MUTABLE: list[Edit] = [
    Edit("description", _set("description", value="Articles, as published"), "description", "update"),
    Edit("property-description", _set("properties", "title", "description", value="the headline"),
         "properties.title.description", "update"),
    Edit("hnsw-ef", _set("vectors", "main", "index", "ef", value=256),
         "vectorConfig.main.vectorIndexConfig.ef", "update"),
    Edit("hnsw-flat-search-cutoff", _set("vectors", "main", "index", "flat_search_cutoff", value=10_000),
         "vectorConfig.main.vectorIndexConfig.flatSearchCutoff", "update"),
    Edit("hnsw-vector-cache-max-objects", _set("vectors", "main", "index", "vector_cache_max_objects", value=50_000),
         "vectorConfig.main.vectorIndexConfig.vectorCacheMaxObjects", "update"),
    Edit("flat-vector-cache-max-objects", _set("vectors", "aux", "index", "vector_cache_max_objects", value=5_000),
         "vectorConfig.aux.vectorIndexConfig.vectorCacheMaxObjects", "update"),
    Edit("bm25-b", _set("inverted_index", "bm25", "b", value=0.5), "invertedIndexConfig.bm25.b", "update"),
    Edit("stopwords-preset", _set("inverted_index", "stopwords", "preset", value="none"),
         "invertedIndexConfig.stopwords.preset", "update"),
    Edit("generative-model", _set("generative", "model", value="gpt-4o"),
         "moduleConfig.generative-openai.model", "update"),
    Edit("generative-module-swap", _set("generative", value={"module": "generative-cohere", "model": "command-r"}),
         "moduleConfig.generative-cohere", "update"),
    Edit("add-reranker", _set("reranker", value={"module": "reranker-cohere", "model": "rerank-english-v3.0"}),
         "moduleConfig.reranker-cohere", "update"),
    Edit("add-property", _add_property, "properties.summary", "add_property"),
    Edit("add-named-vector", _add_vector, "vectorConfig.extra", "add_vector"),
    Edit("multi-tenancy-auto-tenant-creation", _set("multi_tenancy", "auto_tenant_creation", value=True),
         "multiTenancyConfig.autoTenantCreation", "update", base=mt_collection),
    Edit("replication-deletion-strategy", _set("replication", "deletion_strategy", value="TimeBasedResolution"),
         "replicationConfig.deletionStrategy", "update"),
    Edit("drop-filterable-index", _set("properties", "title", "index_filterable", value=False),
         "properties.title.indexFilterable", "drop_index", feature="drop_property_index"),
    Edit("openai-model", _set("vectors", "main", "model", value="text-embedding-3-large"),
         "vectorConfig.main.vectorizer.text2vec-openai.model", "update", feature="update_vectorizer_settings"),
    Edit("drop-searchable-index", _set("properties", "title", "index_searchable", value=False),
         "properties.title.indexSearchable", "drop_index", feature="drop_property_index"),
    Edit("drop-range-index", _set("properties", "count", "index_range_filters", value=False),
         "properties.count.indexRangeFilters", "drop_index", feature="drop_property_index"),
    Edit("enable-rq-on-hnsw", _set("vectors", "main", "index", "quantizer", value={"type": "rq"}),
         "vectorConfig.main.vectorIndexConfig.rq", "update"),
    Edit("rq-rescore-limit", _set("vectors", "main", "index", "quantizer", "rescore_limit", value=64),
         "vectorConfig.main.vectorIndexConfig.rq.rescoreLimit", "update", base=rq_collection),
    Edit("openai-base-url", _set("vectors", "main", "base_url", value=FAKE_URL_2),
         "vectorConfig.main.vectorizer.text2vec-openai.baseURL", "update", feature="update_vectorizer_settings"),
    Edit("legacy-vector-ef", _set("vector", "index", "ef", value=300), "vectorIndexConfig.ef", "update",
         base=legacy_collection),
    Edit("add-alias", _add_alias, "aliases.{name}Alias", "alias"),
    Edit("add-named-vector-new-module-with-a-skipped-property", _add_vector, "vectorConfig.extra", "add_vector",
         base=skipped_property_collection, also=("properties.internal.moduleConfig.text2vec-ollama",),
         regression="`skip_vectorization: true` (bool form) expands to every text module, so the new vector's module "
             "(text2vec-ollama) shows as an immutable property change -> REPLACE. The server takes property settings "
             "for a module added in the same PUT (verified: PUT with the new vector and "
             "properties[internal].moduleConfig.text2vec-ollama.skip=true -> 200, stored skip: true)"),
]

IMMUTABLE: list[Edit] = [
    # The whole vector entry is rewritten, so its other settings (back to their defaults) show with it.
    Edit("vectorizer-module-swap", _swap_vectorizer, "vectorConfig.main.vectorizer", "immutable",
         also=("vectorConfig.main",)),
    Edit("nvidia-model", _set("vectors", "aux", "model", value="nvidia/nv-embed-v1"),
         "vectorConfig.aux.vectorizer.text2vec-nvidia.model", "immutable"),
    Edit("index-type-hnsw-to-flat", _to_flat, "vectorConfig.main.vectorIndexType", "immutable",
         also=("vectorConfig.main",)),
    Edit("distance", _set("vectors", "main", "index", "distance", value="dot"),
         "vectorConfig.main.vectorIndexConfig.distance", "immutable"),
    Edit("ef-construction", _set("vectors", "main", "index", "ef_construction", value=256),
         "vectorConfig.main.vectorIndexConfig.efConstruction", "immutable"),
    Edit("max-connections", _set("vectors", "main", "index", "max_connections", value=64),
         "vectorConfig.main.vectorIndexConfig.maxConnections", "immutable"),
    Edit("tokenization", _set("properties", "title", "tokenization", value="field"),
         "properties.title.tokenization", "immutable"),
    Edit("data-type", _set("properties", "count", "data_type", value="number"), "properties.count.dataType",
         "immutable"),
    Edit("index-filterable-false-to-true", _set("properties", "tag", "index_filterable", value=True),
         "properties.tag.indexFilterable", "immutable"),
    Edit("multi-tenancy-enabled", _enable_mt, "multiTenancyConfig.enabled", "immutable"),
    Edit("index-timestamps", _set("inverted_index", "index_timestamps", value=True),
         "invertedIndexConfig.indexTimestamps", "immutable"),
    Edit("sharding-desired-count", _set("sharding", "desired_count", value=2), "shardingConfig.desiredCount",
         "immutable"),
    Edit("skip-vectorization", _set("properties", "tag", "skip_vectorization", value=True),
         "properties.tag.moduleConfig.text2vec-openai.skip", "immutable"),
    Edit("enable-bq-on-flat", _set("vectors", "aux", "index", "quantizer", value={"type": "bq"}),
         "vectorConfig.aux.vectorIndexConfig.bq", "immutable"),
    Edit("rq-bits", _set("vectors", "main", "index", "quantizer", "bits", value=1),
         "vectorConfig.main.vectorIndexConfig.rq.bits", "immutable", base=rq_collection),
    Edit("quantizer-swap-rq-to-pq", _set("vectors", "main", "index", "quantizer", value={"type": "pq"}),
         "vectorConfig.main.vectorIndexConfig.pq", "immutable", base=rq_collection,
         also=("vectorConfig.main.vectorIndexConfig.rq",)),
    Edit("hnsw-cleanup-interval", _set("vectors", "main", "index", "cleanup_interval_seconds", value=100),
         "vectorConfig.main.vectorIndexConfig.cleanupIntervalSeconds", "immutable"),
    Edit("legacy-vector-distance", _set("vector", "index", "distance", value="dot"), "vectorIndexConfig.distance",
         "immutable", base=legacy_collection),
    Edit("legacy-vectorizer-swap", _set("vector", "vectorizer", value="text2vec-cohere"), "vectorizer", "immutable",
         base=legacy_collection),
    Edit("legacy-vector-to-named-default", _legacy_to_named_default, "vectorConfig.default", "immutable",
         base=legacy_collection, also=("vectorizer", "vectorIndex", "moduleConfig"),
         regression="a legacy collection whose file switches `vector:` to `vectors: {default: ...}` plans an in-place "
             "add_vector UPDATE, which 1.39.3 rejects (PUT 422 'vector named default cannot be created when "
             "collection level vector index is configured'); the legacy vector cannot become a named one in place"),
]


def _create_from_file(server: Server, coll: dict[str, Any]) -> None:
    """Create the collection exactly as the file maps to REST (what `apply` sends for a new collection)."""
    create_rest(server, to_rest(coll))


def _edit_params(edits: list[Edit]) -> list[Any]:
    return [pytest.param(e, id=e.id, marks=[pytest.mark.xfail(reason=f"BUG: {e.bug}", strict=True)] if e.bug else [])
            for e in edits]


@pytest.mark.parametrize("base", [base_collection, mt_collection], ids=["base", "multi-tenant"])
def test_collection_created_from_a_file_plans_no_changes(
    base: Callable[[str], dict[str, Any]], weaviate_versioned: WeaviateServer, collection_name: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    weaviate = weaviate_versioned
    coll = base(collection_name)
    _create_from_file(weaviate, coll)
    assert_no_changes(plan_one(weaviate, tmp_path, capsys, coll, collection_name), collection_name)


def _plan_edit(edit: Edit, server: Server, name: str, tmp_path: Path,
               capsys: pytest.CaptureFixture[str]) -> PlanResult:
    coll = edit.base(name)
    _create_from_file(server, coll)
    before = get_class(server, name)
    changed = copy.deepcopy(coll)
    edit.edit(changed)
    result = plan_one(server, tmp_path, capsys, changed, name)
    assert result.live == before, "plan changed the live collection"  # plan is read-only
    return result


def _planned_change(edit: Edit, server: WeaviateServer, name: str, tmp_path: Path,
                    capsys: pytest.CaptureFixture[str], action: str) -> tuple[PlanResult, dict[str, Any]]:
    """Plan `edit` (skipped where the server's version lacks its feature): the plan, and its change, which must
    be `action`."""
    if edit.feature is not None:
        skip_unless(server, edit.feature)
    result = _plan_edit(edit, server, name, tmp_path, capsys)
    change = result.change(name)
    assert result.code == 2 and change is not None and change["action"] == action, result.evidence()
    return result, change


@pytest.mark.parametrize("edit", _edit_params(MUTABLE))
def test_mutable_field_change_plans_an_update(
    edit: Edit, weaviate_versioned: WeaviateServer, collection_name: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    result, change = _planned_change(edit, weaviate_versioned, collection_name, tmp_path, capsys, "update")
    path = edit.path.format(name=collection_name)
    assert not result.data["errors"], result.evidence()
    others = [f for f in change["fields"] if f["rest_path"] != path]
    assert all(f["rest_path"].startswith(edit.also) and f["kind"] != "immutable" for f in others) if edit.also \
        else not others, result.evidence()
    assert result.field(collection_name, path)["kind"] == edit.kind, result.evidence()
    assert change["destroys_data"] is False
    if edit.id == "openai-model":
        # 1.39 migrates openai settings in place; objects already stored keep their old vectors.
        assert any("changed in place" in w for w in change.get("warnings", [])), result.evidence()


@pytest.mark.parametrize("edit", _edit_params(IMMUTABLE))
def test_immutable_field_change_plans_a_replace(
    edit: Edit, weaviate_versioned: WeaviateServer, collection_name: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    result, change = _planned_change(edit, weaviate_versioned, collection_name, tmp_path, capsys, "replace")
    assert result.field(collection_name, edit.path)["kind"] == "immutable", result.evidence()
    forced = {f["rest_path"] for f in change["fields"] if f["path"] in change["forced_by"]}
    assert edit.path in forced, result.evidence()
    assert change["destroys_data"] is True and change.get("desired"), result.evidence()
    # Nothing unrelated may show up: every reported field sits under the edited one (skip is set per module).
    prefix = edit.path.rsplit(".", 2)[0] if edit.id == "skip-vectorization" else edit.path
    assert all(f["rest_path"].startswith((prefix, *edit.also)) for f in change["fields"]), result.evidence()


# Live things the file lacks: drift Weaviate cannot undo in place, reported with the fix, never a replace.
REMOVED: list[Edit] = [
    Edit("property-removed", _drop_property("count"), "properties.count", "undeclared"),
    Edit("named-vector-removed", _delete("vectors", "aux"), "vectorConfig.aux", "undeclared"),
]


@pytest.mark.parametrize("edit", _edit_params(REMOVED))
def test_removed_from_the_file_is_drift_never_a_replace(
    edit: Edit, weaviate: WeaviateServer, collection_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    result = _plan_edit(edit, weaviate, collection_name, tmp_path, capsys)
    assert result.code == 2 and result.change(collection_name) is None, result.evidence()
    drift = [d for d in result.data["drift"] if d["collection"] == collection_name]
    assert [d["rest_path"] for d in drift] == [edit.path] and drift[0]["kind"] == "undeclared", result.data
    assert "export" in drift[0]["reason"]


# =============================================================================================================
# 4. Preflight: modules and key sources
# =============================================================================================================

# The shared node runs every local-inference module but text2vec-contextionary (tests/conftest.py); the async
# node runs only text2vec-transformers of them, so it lacks reranker-transformers (every API reranker is on).
@pytest.mark.parametrize("module,where,fixture", [("text2vec-contextionary", "vectors", "weaviate"),
                                                  ("reranker-transformers", "reranker", "weaviate_async")])
def test_module_not_enabled_on_the_server_is_an_error(
    module: str, where: str, fixture: str, request: pytest.FixtureRequest, collection_name: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    weaviate: WeaviateServer = request.getfixturevalue(fixture)
    assert module not in meta_modules(weaviate), f"{module} is enabled on the fixture server: pick another"
    coll: dict[str, Any] = {"name": collection_name, "properties": [{"name": "text", "data_type": "text"}]}
    if where == "vectors":
        coll["vectors"] = {"default": {"vectorizer": module}}
    else:
        coll["vectors"] = {"default": {"vectorizer": "none"}}
        coll["reranker"] = {"module": module}
    result = plan_one(weaviate, tmp_path, capsys, coll, collection_name)
    assert result.code == 1, result.evidence()
    errors = result.data["errors"]
    assert any(module in e and "not enabled" in e for e in errors), result.evidence()


OPENAI_SECRET = "sk-live-weavectl-test-7f3a9c1e5b"  # made up; long enough to be registered with the redactor
COHERE_SECRET = "co-live-weavectl-test-2d8e4b6a0f"


def _two_provider_collection(name: str) -> dict[str, Any]:
    return {"name": name, "properties": [{"name": "text", "data_type": "text"}], "vectors": {
        "a": {"vectorizer": "text2vec-openai", "base_url": FAKE_URL},
        "b": {"vectorizer": "text2vec-cohere", "base_url": FAKE_URL_2},
    }}


def test_unset_key_variable_is_reported_not_fatal_and_names_the_variable(
    weaviate: WeaviateServer, collection_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pull-request plan runs without production keys: it exits 0 or 2 and says which keys will be needed."""
    monkeypatch.delenv("WEAVECTL_TEST_OPENAI_KEY", raising=False)
    monkeypatch.setenv("WEAVECTL_TEST_COHERE_KEY", COHERE_SECRET)
    keys = {"openai": {"env": "WEAVECTL_TEST_OPENAI_KEY"}, "cohere": {"env": "WEAVECTL_TEST_COHERE_KEY"}}
    for fmt in ("json", "text", "markdown"):
        result = plan_one(weaviate, tmp_path, capsys, _two_provider_collection(collection_name), collection_name,
                          api_keys=keys, fmt=fmt)
        assert result.code == 2, result.evidence()
        assert COHERE_SECRET not in result.out + result.err
        if fmt == "json":
            assert result.data["errors"] == [], result.evidence()
            by_name = {k["name"]: k for k in result.data["key_sources"]}
            assert by_name["openai"]["resolved"] is False
            assert by_name["openai"]["problem"] == "environment variable WEAVECTL_TEST_OPENAI_KEY is not set"
            assert by_name["openai"]["collections"] == [collection_name]
            assert by_name["cohere"]["resolved"] is True
        else:
            assert ("openai: environment variable WEAVECTL_TEST_OPENAI_KEY is not set. Plan and apply do not need "
                    "it; smoke, apply --smoke, and imports and queries that embed will") in result.out, result.out
    existing = _two_provider_collection(collection_name)
    for vector in existing["vectors"].values():
        vector["index"] = {"type": "hnsw"}  # 1.32/1.35 need the index type sent
    _create_from_file(weaviate, existing)
    result = plan_one(weaviate, tmp_path, capsys, existing, collection_name, api_keys=keys)
    assert result.code == 0, result.evidence()  # no changes, no keys: still a clean plan


@pytest.mark.parametrize("source", ["env", "command"])
@pytest.mark.parametrize("fmt", ["json", "text", "markdown"])
def test_resolved_key_value_never_appears_in_plan_output(
    source: str, fmt: str, weaviate: WeaviateServer, collection_name: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEAVECTL_TEST_OPENAI_KEY", OPENAI_SECRET)
    monkeypatch.setenv("WEAVECTL_TEST_COHERE_KEY", COHERE_SECRET)
    keys: dict[str, Any] = {"openai": {"env": "WEAVECTL_TEST_OPENAI_KEY"}}
    keys["cohere"] = ({"env": "WEAVECTL_TEST_COHERE_KEY"} if source == "env"
                      else {"command": ["printf", "%s", COHERE_SECRET]})
    coll = _two_provider_collection(collection_name)
    _create_from_file(weaviate, coll)
    coll["description"] = "changed, so the plan has something to show"
    result = plan_one(weaviate, tmp_path, capsys, coll, collection_name, api_keys=keys, fmt=fmt)
    assert result.code == 2, result.evidence()
    for secret in (OPENAI_SECRET, COHERE_SECRET):
        assert secret not in result.out and secret not in result.err


# =============================================================================================================
# 5. Collections outside the file; deletes
# =============================================================================================================

def test_collection_not_in_the_file_is_unmanaged_and_deleted_only_with_prune(
    weaviate: WeaviateServer, collection_name: str, extra_names: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = extra_names("Unmanaged")
    managed = {"name": collection_name, "properties": copy.deepcopy(TEXT_PROPS_YAML)}
    _create_from_file(weaviate, managed)
    create_rest(weaviate, {"class": other, "properties": TEXT_PROPS_REST})
    cfg = write_config(tmp_path, [managed])

    result = run_plan(weaviate, cfg, capsys, [collection_name, other])
    assert result.code == 0, result.evidence()
    assert other in result.data["unmanaged"], result.evidence()
    assert result.data["changes"] == [], result.evidence()

    # Made by hand, so no configuration owns it: prune leaves it alone and says so.
    pruned = run_plan(weaviate, cfg, capsys, [collection_name, other], "--prune")
    assert pruned.code == 0 and pruned.data["changes"] == [], pruned.evidence()
    assert pruned.data["left_alone"] == [f"{other} (no ownership record: weavectl did not create or adopt it "
                                         "for this configuration)"], pruned.evidence()

    # Owned by another configuration: still left alone.
    theirs = write_config(tmp_path, [managed, {"name": other, "properties": copy.deepcopy(TEXT_PROPS_YAML)}],
                          filename="theirs.yaml")
    theirs.write_text("owner: team-b\n" + theirs.read_text())
    assert run_cli(["apply", "-f", str(theirs), "--url", weaviate.url, "--auto-approve", "--target", other]) == 0
    pruned = run_plan(weaviate, cfg, capsys, [collection_name, other], "--prune")
    assert pruned.data["changes"] == [] and pruned.data["left_alone"] == [f"{other} (owned by 'team-b')"], \
        pruned.evidence()

    # Applied (adopted) by this configuration, then dropped from its file: prune deletes it.
    ours = write_config(tmp_path, [managed, {"name": other, "properties": copy.deepcopy(TEXT_PROPS_YAML)}],
                        filename="ours.yaml")
    assert run_cli(["apply", "-f", str(ours), "--url", weaviate.url, "--auto-approve", "--target", other]) == 0
    pruned = run_plan(weaviate, cfg, capsys, [collection_name, other], "--prune")
    assert pruned.code == 2, pruned.evidence()
    assert [(c["collection"], c["action"]) for c in pruned.data["changes"]] == [(other, "delete")], pruned.evidence()
    assert other not in pruned.data["unmanaged"] and pruned.data["left_alone"] == []
    assert pruned.change(other)["destroys_data"] is True  # type: ignore[index]


def test_state_absent_plans_a_delete(
    weaviate: WeaviateServer, collection_name: str, extra_names: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    create_rest(weaviate, {"class": collection_name, "properties": TEXT_PROPS_REST})
    gone = extra_names("Gone")  # never created: absent and absent is no change
    cfg = write_config(tmp_path, [{"name": collection_name, "state": "absent"}, {"name": gone, "state": "absent"}])
    result = run_plan(weaviate, cfg, capsys, [collection_name, gone])
    assert result.code == 2, result.evidence()
    assert [(c["collection"], c["action"]) for c in result.data["changes"]] == [(collection_name, "delete")], \
        result.evidence()


def test_missing_collection_plans_a_create(
    weaviate: WeaviateServer, collection_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    coll = base_collection(collection_name)
    result = plan_one(weaviate, tmp_path, capsys, coll, collection_name)
    change = result.change(collection_name)
    assert result.code == 2 and change is not None and change["action"] == "create", result.evidence()
    assert change["desired"] == to_rest(coll)


def test_create_over_a_name_taken_by_an_alias_is_an_error(
    weaviate: WeaviateServer, collection_name: str, extra_names: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    taken = extra_names("Alias")
    create_rest(weaviate, {"class": collection_name})
    create_alias(weaviate, taken, collection_name)
    cfg = write_config(tmp_path, [{"name": taken, "properties": copy.deepcopy(TEXT_PROPS_YAML)}])
    result = run_plan(weaviate, cfg, capsys, [taken])
    # The server answers POST /v1/schema for that name with 422 "alias name ... already exists".
    assert result.code == 1 and any(taken in e for e in result.data["errors"]), result.evidence()


def test_alias_over_a_name_taken_by_a_collection_is_an_error(
    weaviate: WeaviateServer, collection_name: str, extra_names: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = extra_names("Other")
    create_rest(weaviate, {"class": collection_name})
    create_rest(weaviate, {"class": other})
    cfg = write_config(tmp_path, [{"name": collection_name, "aliases": [other]}])  # `other` is live, unmanaged
    result = run_plan(weaviate, cfg, capsys, [collection_name])
    # The server answers POST /v1/aliases for that name with 500 "create alias: class ... already exists".
    assert result.code == 1 and any(other in e for e in result.data["errors"]), result.evidence()


@pytest.mark.parametrize("fmt", ["json", "text", "markdown"])
def test_every_action_renders_in_every_format(
    fmt: str, weaviate: WeaviateServer, collection_name: str, extra_names: Callable[[str], str], tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    same, updated, replaced, deleted, created = (collection_name, extra_names("Upd"), extra_names("Rep"),
                                                 extra_names("Del"), extra_names("New"))
    colls = {n: base_collection(n) for n in (same, updated, replaced, created)}
    for n in (same, updated, replaced):
        _create_from_file(weaviate, colls[n])
    create_rest(weaviate, {"class": deleted})
    colls[updated]["description"] = "new description"
    colls[replaced]["vectors"]["main"]["index"]["distance"] = "dot"
    cfg = write_config(tmp_path, [*colls.values(), {"name": deleted, "state": "absent"}])
    result = run_plan(weaviate, cfg, capsys, [same, updated, replaced, deleted, created], fmt=fmt)
    assert result.code == 2, result.evidence()
    assert "unexpected" not in result.err and "bug in weavectl" not in result.err, result.err
    if fmt == "json":
        assert result.data["summary"] == {"create": 1, "update": 1, "replace": 1, "delete": 1}, result.evidence()
        assert result.data["unchanged"] == [same], result.evidence()
        # apply refuses a saved plan whose collections changed since: the fingerprint is of the live definition.
        for name in (same, updated, replaced, deleted):
            canonical = json.dumps(get_class(weaviate, name), sort_keys=True, separators=(",", ":"))
            assert result.data["fingerprints"][name] == "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
        assert result.data["fingerprints"].get(created, "absent") == "absent"
    else:
        for name in (updated, replaced, deleted, created):
            assert name in result.out, result.out


def test_environment_auth_key_source_reaches_an_api_key_server_without_showing_the_key(
    weaviate_auth: WeaviateServer, collection_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    coll = {"name": collection_name, "properties": copy.deepcopy(TEXT_PROPS_YAML)}
    _create_from_file(weaviate_auth, coll)
    cfg = tmp_path / "weavectl.yaml"
    cfg.write_text(json.dumps({"version": 1, "default_environment": "ci",
                               "environments": {"ci": {"auth": {"env": "WEAVECTL_TEST_WEAVIATE_KEY"}}},
                               "collections": [coll]}))
    monkeypatch.delenv("WEAVECTL_TEST_WEAVIATE_KEY", raising=False)
    missing = run_plan(weaviate_auth, cfg, capsys, [collection_name])
    assert missing.code == 1 and "WEAVECTL_TEST_WEAVIATE_KEY" in missing.err, missing.evidence()

    monkeypatch.setenv("WEAVECTL_TEST_WEAVIATE_KEY", WEAVIATE_ADMIN_KEY)
    for fmt in ("json", "text"):
        result = run_plan(weaviate_auth, cfg, capsys, [collection_name], fmt=fmt)
        assert result.code == 0, result.evidence()
        assert WEAVIATE_ADMIN_KEY not in result.out + result.err


# =============================================================================================================
# 6. --out
# =============================================================================================================

@pytest.mark.parametrize("source", ["env", "literal"])
def test_plan_file_holds_no_secret(
    source: str, weaviate: WeaviateServer, collection_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEAVECTL_TEST_OPENAI_KEY", OPENAI_SECRET)
    monkeypatch.setenv("WEAVECTL_TEST_COHERE_KEY", COHERE_SECRET)
    keys: dict[str, Any] = {"openai": {"env": "WEAVECTL_TEST_OPENAI_KEY"},
                            "cohere": {"env": "WEAVECTL_TEST_COHERE_KEY"} if source == "env"
                            else {"literal": COHERE_SECRET}}
    coll = _two_provider_collection(collection_name)
    _create_from_file(weaviate, coll)
    coll["vectors"]["b"]["index"] = {"distance": "dot"}  # a replace: the plan file then carries `desired`
    cfg = write_config(tmp_path, [coll], api_keys=keys)
    out = tmp_path / "plan.json"
    result = run_plan(weaviate, cfg, capsys, [collection_name], "--out", str(out))
    assert result.code == 2, result.evidence()
    assert out.exists(), result.evidence()
    text = out.read_text()
    saved = json.loads(text)
    assert saved["kind"] == "weavectl-plan"
    assert saved["plan"]["changes"][0]["action"] == "replace"
    assert saved["plan"]["changes"][0]["desired"]["class"] == collection_name
    for secret in (OPENAI_SECRET, COHERE_SECRET):
        assert secret not in text
        assert secret not in result.out + result.err
    # Key sources stay in the config: the plan file names them for the reviewer (which variable, who needs it)
    # but holds nothing apply could resolve or run.
    assert "api_keys" not in saved
    for source_entry in saved["plan"].get("key_sources") or []:
        assert not {"env", "file", "command", "literal"} & set(source_entry), source_entry


def test_plan_file_is_not_written_when_plan_fails(
    weaviate: WeaviateServer, collection_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A module the server lacks fails the plan (an unresolved key source no longer does).
    cfg = write_config(tmp_path, [{"name": collection_name,
                                   "vectors": {"a": {"vectorizer": "text2vec-contextionary"}}}])
    out = tmp_path / "plan.json"
    result = run_plan(weaviate, cfg, capsys, [collection_name], "--out", str(out))
    assert result.code == 1, result.evidence()
    assert not out.exists()
