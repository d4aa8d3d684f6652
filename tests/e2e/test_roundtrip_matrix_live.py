"""Export round trip on every supported server version: what the server accepts, weavectl adopts faithfully.

For each case a collection is created with the official Python client (v4, `client.collections.create`), then:
`weavectl export` writes a file that `validate` accepts with no errors, `plan` against the same server shows no
changes, and after the collection is deleted `apply` of that file recreates a definition GET-identical to the
original (server-owned fields aside).

Cases: every vectorizer, generative and reranker module of the catalogue that the test server runs (API
modules create without reaching their provider; local-inference ones need their inference service at start-up,
which the local providers serve (tests/support/providers.py) for all but text2vec-contextionary, and ollama
takes its endpoint per collection), once with the
module's defaults and once with its main settings; then every index type and quantizer, multi-tenancy,
references, nested objects, replication, sharding and inverted-index settings. One collection per case, one
shared server per version (`weaviate_versioned`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.support.client_types import base_url
from tests.support.plan_helpers import HERMETIC_ENV, python_client
from weavectl.cli import run_cli
from weavectl.core.weaviate import catalog
from weavectl.core.weaviate.version import parse_version
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server

FAKE = "http://127.0.0.1:9"  # module base URLs: nothing listens, creating a collection calls no provider
# A made-up value for every variable an exported file names as a key source (export writes env placeholders).
KEYS = {cred.server_env or f"{name.upper()}_APIKEY": f"rt-key-{name}" for name, cred in catalog.CREDENTIALS.items()}
# Present in the catalogue, but the test servers cannot create a collection with them, and why.
NOT_RUNNABLE = {
    # Its service speaks gRPC (CONTEXTIONARY_URL; modules/text2vec-contextionary/client/contextionary.go): the
    # module checks the service's version at start-up and, on every collection create, asks it whether each word
    # of the class and property names is in its vocabulary (vectorizer/schema_config.go). A local HTTP provider
    # cannot stand in for it.
    "text2vec-contextionary": "needs its contextionary gRPC service (CONTEXTIONARY_URL)",
}


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Any], dict[str, Any]]  # Configure -> keyword arguments of collections.create
    module: str | None = None  # a catalogue module the case needs on the server
    min_version: str | None = None  # a feature the case needs (not a module)


def _props(Property: Any, DataType: Any) -> list[Any]:
    return [Property(name="title", data_type=DataType.TEXT), Property(name="body", data_type=DataType.TEXT),
            Property(name="img", data_type=DataType.BLOB)]


# -- modules ----------------------------------------------------------------------------------------------
# Each vectorizer: (defaults, main settings) as a function of the client's Configure.

def _vectorizers(C: Any) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    from weaviate.classes.config import Multi2VecField as Field

    V, MV = C.Vectors, C.MultiVectors
    mm = {"image_fields": ["img"], "text_fields": ["title"]}
    return {
        "text2vec-openai": (lambda: V.text2vec_openai(name="v"),
                            lambda: V.text2vec_openai(name="v", model="text-embedding-3-large", dimensions=1024,
                                                      base_url=FAKE, source_properties=["title"],
                                                      vectorize_collection_name=False)),
        "text2vec-cohere": (lambda: V.text2vec_cohere(name="v"),
                            lambda: V.text2vec_cohere(name="v", model="embed-english-v3.0", base_url=FAKE,
                                                      truncate="START", vectorize_collection_name=False)),
        "text2vec-nvidia": (lambda: V.text2vec_nvidia(name="v"),
                            lambda: V.text2vec_nvidia(name="v", model="nvidia/nv-embedqa-e5-v5", base_url=FAKE,
                                                      truncate=True)),
        "text2vec-weaviate": (lambda: V.text2vec_weaviate(name="v"),
                              lambda: V.text2vec_weaviate(name="v", model="Snowflake/snowflake-arctic-embed-m-v1.5",
                                                          base_url=FAKE, dimensions=256)),
        "text2vec-aws": (lambda: V.text2vec_aws(name="v", region="us-east-1", model="amazon.titan-embed-text-v1"),
                         lambda: V.text2vec_aws(name="v", region="eu-west-1", model="amazon.titan-embed-text-v2:0",
                                                service="bedrock")),
        "text2vec-google": (lambda: V.text2vec_google(name="v", project_id="proj"),
                            lambda: V.text2vec_google(name="v", project_id="proj", model="text-embedding-005",
                                                      location="europe-west1", title_property="title")),
        "text2vec-huggingface": (lambda: V.text2vec_huggingface(name="v"),
                                 lambda: V.text2vec_huggingface(name="v", model="BAAI/bge-small-en-v1.5",
                                                                wait_for_model=True, use_cache=False)),
        "text2vec-jinaai": (lambda: V.text2vec_jinaai(name="v"),
                            lambda: V.text2vec_jinaai(name="v", model="jina-embeddings-v3", base_url=FAKE)),
        "text2vec-mistral": (lambda: V.text2vec_mistral(name="v"),
                             lambda: V.text2vec_mistral(name="v", model="mistral-embed", base_url=FAKE)),
        "text2vec-voyageai": (lambda: V.text2vec_voyageai(name="v"),
                              lambda: V.text2vec_voyageai(name="v", model="voyage-3-lite", base_url=FAKE,
                                                          truncate=False)),
        "text2vec-databricks": (lambda: V.text2vec_databricks(name="v", endpoint=FAKE),
                                lambda: V.text2vec_databricks(name="v", endpoint=FAKE, instruction="Represent it")),
        "text2vec-morph": (lambda: V.text2vec_morph(name="v"),
                           lambda: V.text2vec_morph(name="v", model="morph-embedding-v2", base_url=FAKE)),
        "text2vec-digitalocean": (lambda: V.text2vec_digitalocean(name="v", model="gte-large-en-v1.5"),
                                  lambda: V.text2vec_digitalocean(name="v", model="gte-large-en-v1.5",
                                                                  base_url=FAKE)),
        "text2vec-ollama": (lambda: V.text2vec_ollama(name="v"),
                            lambda: V.text2vec_ollama(name="v", api_endpoint=FAKE, model="nomic-embed-text")),
        "text2vec-transformers": (lambda: V.text2vec_transformers(name="v"),
                                  lambda: V.text2vec_transformers(name="v", pooling_strategy="cls",
                                                                  vectorize_collection_name=False)),
        # The local-inference modules reach our local services (tests/support/providers.py, INFERENCE_ENV).
        "text2vec-model2vec": (lambda: V.text2vec_model2vec(name="v"),
                               lambda: V.text2vec_model2vec(name="v", inference_url=FAKE, source_properties=["title"],
                                                            vectorize_collection_name=False)),
        "text2vec-gpt4all": (lambda: V.text2vec_gpt4all(name="v"),
                             lambda: V.text2vec_gpt4all(name="v", source_properties=["body"],
                                                        vectorize_collection_name=False)),
        "multi2vec-clip": (lambda: V.multi2vec_clip(name="v", **mm),
                           lambda: V.multi2vec_clip(name="v", inference_url=FAKE,
                                                    image_fields=[Field(name="img", weight=0.7)],
                                                    text_fields=[Field(name="title", weight=0.3)])),
        "multi2vec-bind": (lambda: V.multi2vec_bind(name="v", **mm),
                           lambda: V.multi2vec_bind(name="v", image_fields=[Field(name="img", weight=0.5)],
                                                    text_fields=[Field(name="title", weight=0.25),
                                                                 Field(name="body", weight=0.25)],
                                                    audio_fields=["img"])),
        "text2multivec-jinaai": (lambda: MV.text2vec_jinaai(name="v"),
                                 lambda: MV.text2vec_jinaai(name="v", model="jina-colbert-v2", dimensions=128)),
        "multi2vec-cohere": (lambda: V.multi2vec_cohere(name="v", **mm),
                             lambda: V.multi2vec_cohere(name="v", model="embed-multilingual-v3.0", base_url=FAKE,
                                                        **mm)),
        "multi2vec-google": (lambda: V.multi2vec_google(name="v", project_id="proj", location="us-central1", **mm),
                             lambda: V.multi2vec_google(name="v", project_id="proj", location="us-central1",
                                                        dimensions=512, **mm)),
        "multi2vec-jinaai": (lambda: V.multi2vec_jinaai(name="v", **mm),
                             lambda: V.multi2vec_jinaai(name="v", model="jina-clip-v2", base_url=FAKE, **mm)),
        "multi2vec-nvidia": (lambda: V.multi2vec_nvidia(name="v", **mm),
                             lambda: V.multi2vec_nvidia(name="v", model="nvidia/nvclip", base_url=FAKE, **mm)),
        "multi2vec-voyageai": (lambda: V.multi2vec_voyageai(name="v", **mm),
                               lambda: V.multi2vec_voyageai(name="v", model="voyage-multimodal-3", base_url=FAKE,
                                                            **mm)),
        "multi2vec-aws": (lambda: V.multi2vec_aws(name="v", region="us-east-1", **mm),
                          lambda: V.multi2vec_aws(name="v", region="eu-west-1", dimensions=256, **mm)),
        "multi2vec-twelvelabs": (lambda: V.multi2vec_twelvelabs(name="v", **mm),
                                 lambda: V.multi2vec_twelvelabs(name="v", base_url=FAKE, **mm)),
        # multi2multivec-jinaai takes text fields or image fields, not both
        "multi2multivec-jinaai": (lambda: MV.multi2vec_jinaai(name="v", image_fields=["img"]),
                                  lambda: MV.multi2vec_jinaai(name="v", base_url=FAKE, text_fields=["title"])),
        "multi2multivec-weaviate": (lambda: MV.multi2vec_weaviate(name="v", image_field="img"),
                                    lambda: MV.multi2vec_weaviate(name="v", image_field="img", base_url=FAKE)),
    }


def _generatives(C: Any) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    G = C.Generative
    return {
        "generative-openai": (lambda: G.openai(), lambda: G.openai(model="gpt-4o", max_tokens=500, base_url=FAKE)),
        "generative-cohere": (lambda: G.cohere(), lambda: G.cohere(model="command-r-plus", k=5, base_url=FAKE)),
        "generative-anthropic": (lambda: G.anthropic(), lambda: G.anthropic(model="claude-3-5-sonnet-latest",
                                                                           max_tokens=512, base_url=FAKE)),
        "generative-anyscale": (lambda: G.anyscale(), lambda: G.anyscale(model="meta-llama/Llama-2-70b-chat-hf")),
        "generative-aws": (lambda: G.aws(region="us-east-1", service="bedrock", model="amazon.titan-text-lite-v1"),
                           lambda: G.aws(region="eu-west-1", service="bedrock", model="cohere.command-r-v1:0")),
        "generative-databricks": (lambda: G.databricks(endpoint=FAKE), lambda: G.databricks(endpoint=FAKE,
                                                                                            max_tokens=100)),
        "generative-friendliai": (lambda: G.friendliai(), lambda: G.friendliai(model="meta-llama-3.1-70b-instruct",
                                                                              max_tokens=100)),
        "generative-google": (lambda: G.google(project_id="proj"),
                              lambda: G.google(project_id="proj", model_id="gemini-1.5-pro", max_output_tokens=100)),
        "generative-mistral": (lambda: G.mistral(), lambda: G.mistral(model="mistral-large-latest", max_tokens=100)),
        "generative-nvidia": (lambda: G.nvidia(), lambda: G.nvidia(model="meta/llama-3.3-70b-instruct",
                                                                   base_url=FAKE, max_tokens=100)),
        "generative-ollama": (lambda: G.ollama(), lambda: G.ollama(api_endpoint=FAKE, model="llama3.2")),
        "generative-xai": (lambda: G.xai(), lambda: G.xai(model="grok-2-latest", max_tokens=100)),
        "generative-contextualai": (lambda: G.contextualai(), lambda: G.contextualai(model="v2",
                                                                                    max_new_tokens=100)),
        "generative-deepseek": (lambda: G.deepseek(), lambda: G.deepseek(model="deepseek-chat", max_tokens=100)),
        "generative-digitalocean": (lambda: G.digitalocean(), lambda: G.digitalocean(model="llama3-8b-instruct")),
        "generative-meta": (lambda: G.meta(), lambda: G.meta(model="Llama-4-Maverick-17B-128E-Instruct-FP8")),
    }


def _rerankers(C: Any) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    R = C.Reranker
    return {
        "reranker-cohere": (lambda: R.cohere(), lambda: R.cohere(model="rerank-v3.5", base_url=FAKE)),
        "reranker-voyageai": (lambda: R.voyageai(), lambda: R.voyageai(model="rerank-2")),
        "reranker-jinaai": (lambda: R.jinaai(), lambda: R.jinaai(model="jina-reranker-v2-base-multilingual")),
        "reranker-nvidia": (lambda: R.nvidia(), lambda: R.nvidia(model="nvidia/rerank-qa-mistral-4b",
                                                                 base_url=FAKE)),
        "reranker-transformers": (lambda: R.transformers(), lambda: R.transformers()),  # no class settings
        "reranker-contextualai": (lambda: R.contextualai(), lambda: R.contextualai(model="ctxl-rerank-v2-instruct",
                                                                                  top_n=5)),
    }


def _module_cases() -> list[Case]:
    from weaviate.classes.config import Configure, DataType, Property

    cases: list[Case] = []
    for kind, table in (("vectorizer", _vectorizers(Configure)), ("generative", _generatives(Configure)),
                        ("reranker", _rerankers(Configure))):
        for module, variants in table.items():
            for label, factory in zip(("defaults", "settings"), variants, strict=True):
                def build(C: Any, kind: str = kind, factory: Callable[[], Any] = factory) -> dict[str, Any]:
                    props = _props(Property, DataType)
                    if kind == "vectorizer":
                        return {"properties": props, "vector_config": [factory()]}
                    return {"properties": props, "vector_config": [Configure.Vectors.self_provided(name="v")],
                            f"{kind}_config": factory()}

                cases.append(Case(f"{module}-{label}", build, module=module))
    return cases


def _catalogue_coverage() -> list[str]:
    """Catalogue modules with no case here (and not listed as not runnable)."""
    from weaviate.classes.config import Configure

    covered = {*_vectorizers(Configure), *_generatives(Configure), *_rerankers(Configure), *NOT_RUNNABLE}
    return sorted(name for name, spec in catalog.MODULES.items() if name not in covered and not spec.deprecated)


# -- structure --------------------------------------------------------------------------------------------

def _structure_cases() -> list[Case]:
    from weaviate.classes.config import (
        Configure,
        DataType,
        Property,
        ReferenceProperty,
        StopwordsPreset,
        Tokenization,
        VectorDistances,
    )
    from weaviate.classes.config import ReplicationDeletionStrategy as Deletion

    V, VI, Q = Configure.Vectors, Configure.VectorIndex, Configure.VectorIndex.Quantizer
    base = [Property(name="title", data_type=DataType.TEXT)]

    def vec(index: Any) -> Callable[[Any], dict[str, Any]]:
        return lambda C: {"properties": base, "vector_config": [V.self_provided(name="v", vector_index_config=index)]}

    hnsw_all = VI.hnsw(distance_metric=VectorDistances.DOT, ef=64, ef_construction=256, max_connections=48,
                       dynamic_ef_min=50, dynamic_ef_max=300, dynamic_ef_factor=4, flat_search_cutoff=20000,
                       vector_cache_max_objects=500000, cleanup_interval_seconds=120)
    cases = [
        Case("hnsw-defaults", vec(VI.hnsw())),
        Case("hnsw-settings", vec(hnsw_all)),
        Case("hnsw-pq", vec(VI.hnsw(quantizer=Q.pq(segments=8, centroids=128, training_limit=50000)))),
        Case("hnsw-pq-defaults", vec(VI.hnsw(quantizer=Q.pq()))),
        Case("hnsw-bq", vec(VI.hnsw(quantizer=Q.bq()))),
        Case("hnsw-sq", vec(VI.hnsw(quantizer=Q.sq(training_limit=20000, rescore_limit=10)))),
        Case("hnsw-rq", vec(VI.hnsw(quantizer=Q.rq()))),
        Case("hnsw-rq-settings", vec(VI.hnsw(quantizer=Q.rq(bits=8, rescore_limit=50)))),
        Case("hnsw-rq1", vec(VI.hnsw(quantizer=Q.rq(bits=1))), min_version="1.35.0"),
        Case("flat-defaults", vec(VI.flat())),
        Case("flat-settings", vec(VI.flat(distance_metric=VectorDistances.L2_SQUARED,
                                          vector_cache_max_objects=1000))),
        Case("flat-bq", vec(VI.flat(quantizer=Q.bq(rescore_limit=100, cache=True)))),
        Case("flat-rq", vec(VI.flat(quantizer=Q.rq(rescore_limit=100))), min_version="1.35.0"),
        Case("multivector", lambda C: {"properties": base, "vector_config": [
            Configure.MultiVectors.self_provided(name="v")]}),
        Case("multivector-muvera", lambda C: {"properties": base, "vector_config": [
            Configure.MultiVectors.self_provided(name="v", vector_index_config=VI.hnsw(
                multi_vector=VI.MultiVector.multi_vector(encoding=VI.MultiVector.Encoding.muvera(
                    ksim=3, dprojections=8, repetitions=5))))]}),
        Case("hnsw-rq4-centering", vec(VI.hnsw(quantizer=Q.rq(bits=4, centering=True, training_limit=5000))),
             min_version="1.39.0"),
        # hfresh: 1.35 needs EXPERIMENTAL_HFRESH_ENABLED (the session servers set it); its settings from 1.36.
        Case("hfresh-defaults", vec(VI.hfresh()), min_version="1.35.0"),
        Case("hfresh-settings", vec(VI.hfresh(distance_metric=VectorDistances.L2_SQUARED, max_posting_size_kb=64,
                                              replicas=2, search_probe=128, quantizer=Q.rq(rescore_limit=100))),
             min_version="1.36.0"),
        Case("replication-async-config", lambda C: {
            "properties": base, "vector_config": [V.self_provided(name="v")],
            "replication_config": Configure.replication(async_config=Configure.Replication.async_config(
                hashtree_height=12, frequency=5000, propagation_limit=1000))}, min_version="1.36.0"),
        Case("text-analyzer", lambda C: {"properties": [
            Property(name="title", data_type=DataType.TEXT, text_analyzer=Configure.text_analyzer(
                ascii_fold=True, ascii_fold_ignore=["é"])),
            Property(name="body", data_type=DataType.TEXT, text_analyzer=Configure.text_analyzer(
                stopword_preset=StopwordsPreset.NONE)),
            Property(name="meta", data_type=DataType.OBJECT, nested_properties=[
                Property(name="label", data_type=DataType.TEXT,
                         text_analyzer=Configure.text_analyzer(ascii_fold=True))])],
            "vector_config": [V.self_provided(name="v")]}, min_version="1.37.0"),
        Case("legacy-vector", lambda C: {"properties": base, "vectorizer_config": Configure.Vectorizer.none(),
                                         "vector_index_config": VI.hnsw(ef=99)}),
        Case("multi-tenancy", lambda C: {"properties": base, "vector_config": [V.self_provided(name="v")],
                                         "multi_tenancy_config": Configure.multi_tenancy(
                                             enabled=True, auto_tenant_creation=True, auto_tenant_activation=True)}),
        Case("multi-tenancy-defaults", lambda C: {"properties": base, "vector_config": [V.self_provided(name="v")],
                                                  "multi_tenancy_config": Configure.multi_tenancy(enabled=True)}),
        Case("references", lambda C: {
            "properties": base, "vector_config": [V.self_provided(name="v")],
            "references": [ReferenceProperty(name="self_ref", target_collection=C.self_name)]}),
        Case("nested-objects", lambda C: {"properties": [
            Property(name="meta", data_type=DataType.OBJECT, nested_properties=[
                Property(name="author", data_type=DataType.TEXT, tokenization=Tokenization.FIELD),
                Property(name="pages", data_type=DataType.INT),
                Property(name="inner", data_type=DataType.OBJECT, nested_properties=[
                    Property(name="deep", data_type=DataType.BOOL)])]),
            Property(name="tags", data_type=DataType.OBJECT_ARRAY, nested_properties=[
                Property(name="label", data_type=DataType.TEXT)])],
            "vector_config": [V.self_provided(name="v")]}),
        Case("property-settings", lambda C: {"properties": [
            Property(name="title", data_type=DataType.TEXT, tokenization=Tokenization.FIELD,
                     index_filterable=False, description="the title"),
            Property(name="code", data_type=DataType.TEXT, tokenization=Tokenization.TRIGRAM,
                     index_searchable=False, skip_vectorization=True),
            Property(name="year", data_type=DataType.INT, index_range_filters=True),
            Property(name="score", data_type=DataType.NUMBER_ARRAY),
            Property(name="when", data_type=DataType.DATE, index_filterable=False),
            Property(name="names", data_type=DataType.TEXT_ARRAY, vectorize_property_name=True),
            Property(name="where", data_type=DataType.GEO_COORDINATES),
            Property(name="phone", data_type=DataType.PHONE_NUMBER),
            Property(name="id_", data_type=DataType.UUID)],
            "vector_config": [V.text2vec_openai(name="v", base_url=base_url(FAKE))]}),
        Case("replication", lambda C: {"properties": base, "vector_config": [V.self_provided(name="v")],
                                       "replication_config": Configure.replication(
                                           factor=1, deletion_strategy=Deletion.DELETE_ON_CONFLICT)}),
        Case("replication-no-resolution", lambda C: {
            "properties": base, "vector_config": [V.self_provided(name="v")],
            "replication_config": Configure.replication(deletion_strategy=Deletion.NO_AUTOMATED_RESOLUTION)}),
        Case("sharding", lambda C: {"properties": base, "vector_config": [V.self_provided(name="v")],
                                    "sharding_config": Configure.sharding(virtual_per_physical=64,
                                                                          desired_count=1)}),
        Case("inverted-index", lambda C: {"properties": base, "vector_config": [V.self_provided(name="v")],
                                          "inverted_index_config": Configure.inverted_index(
                                              bm25_b=0.3, bm25_k1=1.5, cleanup_interval_seconds=30,
                                              index_timestamps=True, index_null_state=True,
                                              index_property_length=True,
                                              stopwords_preset=StopwordsPreset.NONE,
                                              stopwords_additions=["foo"], stopwords_removals=["a"])}),
        Case("inverted-index-cleanup-only", lambda C: {
            "properties": base, "vector_config": [V.self_provided(name="v")],
            "inverted_index_config": Configure.inverted_index(cleanup_interval_seconds=90)}),
        Case("description-and-two-vectors", lambda C: {
            "description": "two vectors", "properties": [*base, Property(name="body", data_type=DataType.TEXT)],
            "vector_config": [V.text2vec_openai(name="a", source_properties=["title"], base_url=base_url(FAKE)),
                              V.text2vec_cohere(name="b", source_properties=["body"], base_url=base_url(FAKE),
                                                vector_index_config=VI.flat())]}),
    ]
    return cases


CASES = _module_cases() + _structure_cases()


# -- the round trip ---------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in HERMETIC_ENV:
        monkeypatch.delenv(name, raising=False)
    for key, value in KEYS.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def name(weaviate_versioned: WeaviateServer) -> Iterator[str]:
    made = f"Rt{uuid.uuid4().hex[:10]}"
    yield made
    httpx.delete(f"{weaviate_versioned.url}/v1/schema/{made}", timeout=30)


class _Ctx:
    def __init__(self, self_name: str) -> None:
        self.self_name = self_name


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = run_cli(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


# Fields the server owns: counts it computes, not settings a file can express.
SERVER_OWNED_SHARDING = ("actualCount", "actualVirtualCount")


def _comparable(cls: dict[str, Any]) -> dict[str, Any]:
    out = dict(cls)
    sharding = dict(out.get("shardingConfig") or {})
    for key in SERVER_OWNED_SHARDING:
        sharding.pop(key, None)
    if sharding:
        out["shardingConfig"] = sharding
    return out


def test_every_catalogue_module_has_a_round_trip_case() -> None:
    assert _catalogue_coverage() == []


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_export_round_trip(case: Case, weaviate_versioned: WeaviateServer, name: str, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    server = weaviate_versioned
    version = parse_version(server.version)
    if case.module is not None:
        if case.module in NOT_RUNNABLE:
            pytest.skip(f"{case.module} {NOT_RUNNABLE[case.module]}")
        offered = set(httpx.get(f"{server.url}/v1/meta", timeout=10).json().get("modules") or {})
        spec = catalog.lookup(case.module)
        if case.module not in offered:
            since = f" (in Weaviate since {spec.min_version})" if spec and spec.min_version else ""
            pytest.skip(f"Weaviate {server.version} does not offer {case.module}{since}")
    if case.min_version is not None and version < parse_version(case.min_version):
        pytest.skip(f"{case.id} needs Weaviate >= {case.min_version}; this server is {server.version}")
    _round_trip(server, name, case.build(_Ctx(name)), tmp_path, capsys)


def _dynamic_cases() -> list[tuple[str, Callable[[], Any]]]:
    def build(settings: bool) -> Any:
        from weaviate.classes.config import Configure, VectorDistances

        VI = Configure.VectorIndex
        if not settings:
            return VI.dynamic()
        return VI.dynamic(distance_metric=VectorDistances.DOT, threshold=5000,
                          hnsw=VI.hnsw(ef=80, max_connections=24, quantizer=VI.Quantizer.pq(segments=4)),
                          flat=VI.flat(vector_cache_max_objects=100000, quantizer=VI.Quantizer.bq()))
    return [("dynamic-defaults", lambda: build(False)), ("dynamic-settings", lambda: build(True))]


@pytest.mark.parametrize("case", _dynamic_cases(), ids=[c[0] for c in _dynamic_cases()])
def test_dynamic_index_round_trip(case: tuple[str, Callable[[], Any]], weaviate_async_versioned: WeaviateServer,
                                  tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The dynamic index exists only on a server with async indexing: its own node per version."""
    from weaviate.classes.config import Configure, DataType, Property

    server, made = weaviate_async_versioned, f"Rd{uuid.uuid4().hex[:10]}"
    kwargs = {"properties": [Property(name="title", data_type=DataType.TEXT)],
              "vector_config": [Configure.Vectors.self_provided(name="v", vector_index_config=case[1]())]}
    try:
        _round_trip(server, made, kwargs, tmp_path, capsys)
    finally:
        httpx.delete(f"{server.url}/v1/schema/{made}", timeout=30)


def _round_trip(server: WeaviateServer, name: str, kwargs: dict[str, Any], tmp_path: Path,
                capsys: pytest.CaptureFixture[str]) -> None:
    """Create with the official client; export validates and plans to no changes; delete + apply is GET-identical."""
    with python_client(server) as client:
        client.collections.create(name, **kwargs)
    url = server.url
    before = httpx.get(f"{url}/v1/schema/{name}", timeout=30).json()

    out_file = tmp_path / "exported.yaml"
    code, text = _cli(capsys, "export", "--url", url, "--collection", name, "-o", str(out_file))
    assert code == 0, text
    exported = out_file.read_text()
    evidence = f"exported file:\n{exported}\nlive: {before}"
    for secret in KEYS.values():
        assert secret not in exported
    code, text = _cli(capsys, "validate", "-f", str(out_file))
    assert code == 0, f"validate failed:\n{text}\n{evidence}"
    code, text = _cli(capsys, "plan", "-f", str(out_file), "--url", url, "--detailed-exitcode")
    assert code == 0, f"plan of the export is not empty:\n{text}\n{evidence}"

    httpx.delete(f"{url}/v1/schema/{name}", timeout=30).raise_for_status()
    code, text = _cli(capsys, "apply", "-f", str(out_file), "--url", url, "--auto-approve")
    assert code == 0, f"apply failed:\n{text}\n{evidence}"
    after = httpx.get(f"{url}/v1/schema/{name}", timeout=30).json()
    if _comparable(after) != _comparable(before):
        from deepdiff import DeepDiff

        diff = DeepDiff(_comparable(before), _comparable(after), ignore_order=True).pretty()
        pytest.fail(f"recreated definition differs from the original:\n{diff}\n{evidence}")
    assert yaml.safe_load(exported)["collections"][0]["name"] == name
