"""Session fixtures: the local model providers and real weaviate-server nodes (anonymous and API-key mode)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.support.providers import LocalProviders
from weavectl.devserver import WeaviateServer
from weavectl.devserver.cluster import WeaviateCluster
from weavectl.devserver.process import DEFAULT_MODULES

# Test-only keys, made up here; nothing real. The local providers accept exactly these.
PROVIDER_KEYS = {
    "openai": "sk-test-openai-0000",
    "nvidia": "nvapi-test-0000",
    "cohere": "cohere-test-0000",
    "weaviate": "wv-admin-key-0000",  # Weaviate Embeddings forwards the Weaviate API key itself
}
WEAVIATE_ADMIN_KEY = PROVIDER_KEYS["weaviate"]

_started: list[WeaviateServer] = []


@pytest.fixture(scope="session")
def providers() -> Iterator[LocalProviders]:
    local = LocalProviders(PROVIDER_KEYS).start()
    yield local
    local.stop()


def _start(providers: LocalProviders, api_keys: tuple[str, ...] = ()) -> WeaviateServer:
    server = WeaviateServer(
        api_keys=api_keys,
        modules=(*DEFAULT_MODULES, "text2vec-transformers"),
        # The transformers module needs its inference container at start-up: our local one.
        env={"TRANSFORMERS_INFERENCE_API": providers["transformers"].url},
    ).start()
    _started.append(server)
    return server


@pytest.fixture(scope="session")
def weaviate(providers: LocalProviders) -> Iterator[WeaviateServer]:
    """A real node with anonymous access."""
    server = _start(providers)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def weaviate_async(providers: LocalProviders) -> Iterator[WeaviateServer]:
    """A real node with ASYNC_INDEXING=true, which the dynamic vector index needs (started only if used)."""
    server = WeaviateServer(env={"ASYNC_INDEXING": "true"}).start()
    _started.append(server)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def weaviate_auth(providers: LocalProviders) -> Iterator[WeaviateServer]:
    """A real node in API-key mode (Weaviate Embeddings forwards the caller's key, so it needs this)."""
    server = _start(providers, api_keys=(WEAVIATE_ADMIN_KEY,))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def weaviate_cluster() -> Iterator[WeaviateCluster]:
    """Three real nodes on loopback with replica movement on, started once (only if a test asks) and shared.

    Tests that stop or kill a node (`stop_node`, `kill_node`) bring it back with `restart_node` before they end.
    """
    cluster = WeaviateCluster(3, replica_movement=True).start()
    _clusters.append(cluster)
    yield cluster
    cluster.stop()


_clusters: list[WeaviateCluster] = []


@pytest.fixture
def collection_name(request: pytest.FixtureRequest) -> Iterator[str]:
    """A unique collection name; whatever a test creates under it is deleted afterwards on every server."""
    name = f"T{uuid.uuid4().hex[:10]}"
    yield name
    for server in _started:
        if server.proc is not None:
            httpx.delete(f"{server.url}/v1/schema/{name}", headers=server.headers(), timeout=30)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for cluster in _clusters:
        terminalreporter.write_line(
            f"real weaviate-server {cluster.version} cluster of {cluster.size} served these tests at "
            f"{', '.join(cluster.urls)}"
        )
    for server in _started:
        mode = "api-key" if server.api_keys else "anonymous"
        terminalreporter.write_line(
            f"real weaviate-server {server.version} ({mode}) served these tests at {server.url}"
        )
