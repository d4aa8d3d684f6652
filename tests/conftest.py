"""Session fixtures: the local model providers and real weaviate-server nodes (anonymous and API-key mode)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.support.providers import INFERENCE_ENV, LocalProviders
from weavectl.core.weaviate.version import TESTED_VERSIONS, parse_version, unsupported_reason
from weavectl.devserver import WeaviateServer
from weavectl.devserver.binary import resolve_version
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

# The server versions the version-matrix tests run on (`weaviate_versioned`); CI builds each one.
TEST_VERSIONS = tuple(
    resolve_version(v) for v in os.environ.get("WEAVECTL_TEST_VERSIONS", ",".join(TESTED_VERSIONS)).split(",")
    if v.strip()
)


@pytest.fixture(scope="session")
def providers() -> Iterator[LocalProviders]:
    local = LocalProviders(PROVIDER_KEYS).start()
    yield local
    local.stop()


def _start(providers: LocalProviders, api_keys: tuple[str, ...] = (), version: str | None = None) -> WeaviateServer:
    server = WeaviateServer(
        version=version,
        api_keys=api_keys,
        modules=(*DEFAULT_MODULES, *INFERENCE_ENV),
        # Each local-inference module (text2vec-transformers, -model2vec, -gpt4all, multi2vec-clip, -bind,
        # reranker-transformers; present on every tested version) needs its inference service at start-up: our
        # local ones. 1.35 creates an hfresh index only with EXPERIMENTAL_HFRESH_ENABLED (later versions ignore
        # it, hfresh is always on).
        env={**providers.inference_env(), "EXPERIMENTAL_HFRESH_ENABLED": "true"},
    ).start()
    _started.append(server)
    return server


@pytest.fixture(scope="session")
def _anonymous_by_version() -> Iterator[dict[str, WeaviateServer]]:
    """One anonymous node per server version, started on first use and shared by `weaviate` and
    `weaviate_versioned`; all stopped at the end of the session."""
    pool: dict[str, WeaviateServer] = {}
    yield pool
    for server in pool.values():
        server.stop()


def _anonymous(pool: dict[str, WeaviateServer], providers: LocalProviders, version: str | None) -> WeaviateServer:
    key = resolve_version(version) if version or not os.environ.get("WEAVIATE_BIN") else "$WEAVIATE_BIN"
    if key not in pool:
        pool[key] = _start(providers, version=version)
    return pool[key]


@pytest.fixture(scope="session")
def weaviate(providers: LocalProviders, _anonymous_by_version: dict[str, WeaviateServer]) -> WeaviateServer:
    """A real node with anonymous access ($WEAVIATE_BIN, else the default version)."""
    return _anonymous(_anonymous_by_version, providers, None)


@pytest.fixture(scope="session", params=TEST_VERSIONS, ids=lambda v: str(v))
def weaviate_versioned(request: pytest.FixtureRequest, providers: LocalProviders,
                       _anonymous_by_version: dict[str, WeaviateServer]) -> WeaviateServer:
    """A real anonymous node of each version in $WEAVECTL_TEST_VERSIONS (default 1.32.5,1.35.2,1.39.3).

    A test using it runs once per version; each version's node starts the first time a test needs it and is
    shared (the default version's node is the `weaviate` one). `skip_unless(server, feature)` skips a test the
    version cannot do, with the reason from weavectl.core.weaviate.version.
    """
    server = _anonymous(_anonymous_by_version, providers, str(request.param))
    if parse_version(server.version) != parse_version(str(request.param)):
        pytest.fail(f"asked for weaviate-server {request.param}, got {server.version}")
    return server


def skip_unless(server: WeaviateServer, feature: str) -> None:
    """Skip the calling test when `server`'s version cannot do `feature` (a key of core.version.MIN_VERSION)."""
    reason = unsupported_reason(parse_version(server.version), feature)
    if reason is not None:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def weaviate_async(providers: LocalProviders) -> Iterator[WeaviateServer]:
    """A real node with ASYNC_INDEXING=true, which the dynamic vector index needs (started only if used).

    Anonymous access stays on; the admin key is accepted too, for Weaviate Embeddings (it forwards the caller's
    key to the provider), and text2vec-transformers points at the local provider.
    """
    server = WeaviateServer(
        modules=(*DEFAULT_MODULES, "text2vec-transformers"),
        env={"ASYNC_INDEXING": "true", "TRANSFORMERS_INFERENCE_API": providers["transformers"].url,
             "AUTHENTICATION_APIKEY_ENABLED": "true", "AUTHENTICATION_APIKEY_ALLOWED_KEYS": WEAVIATE_ADMIN_KEY,
             "AUTHENTICATION_APIKEY_USERS": "user0"},
    ).start()
    _started.append(server)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _async_by_version() -> Iterator[dict[str, WeaviateServer]]:
    pool: dict[str, WeaviateServer] = {}
    yield pool
    for server in pool.values():
        server.stop()


@pytest.fixture(scope="session", params=TEST_VERSIONS, ids=lambda v: str(v))
def weaviate_async_versioned(request: pytest.FixtureRequest, providers: LocalProviders,
                             _async_by_version: dict[str, WeaviateServer]) -> WeaviateServer:
    """A real anonymous node of each tested version with ASYNC_INDEXING=true (the dynamic index needs it), started
    on first use and shared; only the tests about the dynamic index use it."""
    version = str(request.param)
    if version not in _async_by_version:
        server = WeaviateServer(version=version, modules=(*DEFAULT_MODULES, "text2vec-transformers"),
                                env={"ASYNC_INDEXING": "true",
                                     "TRANSFORMERS_INFERENCE_API": providers["transformers"].url}).start()
        _started.append(server)
        _async_by_version[version] = server
    return _async_by_version[version]


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


def delete_everywhere(name: str) -> None:
    """Delete a collection (or alias) of this name on every server the session started."""
    for server in _started:
        if server.proc is not None:
            httpx.delete(f"{server.url}/v1/aliases/{name}", headers=server.headers(), timeout=30)
            httpx.delete(f"{server.url}/v1/schema/{name}", headers=server.headers(), timeout=30)


@pytest.fixture
def collection_name(request: pytest.FixtureRequest) -> Iterator[str]:
    """A unique collection name; whatever a test creates under it is deleted afterwards on every server."""
    name = f"T{uuid.uuid4().hex[:10]}"
    yield name
    delete_everywhere(name)


# Fixtures that start a real weaviate-server (or a cluster of them).
SERVER_FIXTURES = frozenset({"_anonymous_by_version", "_async_by_version", "weaviate", "weaviate_versioned",
                             "weaviate_async", "weaviate_async_versioned", "weaviate_auth", "weaviate_cluster"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses a server fixture is a `server` test whether or not its file says so: `-m "not server"`
    must start no server and need no Go."""
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.server)


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
