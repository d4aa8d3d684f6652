"""Our HTTP handling: retries with back-off on transient failures, clear errors, never an empty-cluster guess.

These exercise weavectl's own code with a mock transport; what Weaviate itself answers is tested live.
"""

from __future__ import annotations

import httpx
import pytest

from weavectl.adapters.weaviate import WeaviateClient, WeaviateRestError
from weavectl.core.redact import REDACTOR


def client(handler: httpx.MockTransport) -> WeaviateClient:
    return WeaviateClient("http://weaviate.test", transport=handler, backoff=0.0, retries=3)


def test_transient_failures_are_retried_then_succeed() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] < 3:
            return httpx.Response(503, json={"error": [{"message": "busy"}]})
        return httpx.Response(200, json={"version": "1.39.3", "modules": {}})

    assert client(httpx.MockTransport(handler)).get_json("/v1/meta")["version"] == "1.39.3"
    assert calls["n"] == 3


def test_a_failed_schema_read_is_an_error_not_an_empty_cluster() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/meta":
            return httpx.Response(200, json={"version": "1.39.3", "modules": {}})
        return httpx.Response(500, json={"error": [{"message": "raft not ready"}]})

    with pytest.raises(WeaviateRestError, match="HTTP 500: raft not ready"):
        client(httpx.MockTransport(handler)).read_state()


def test_connection_errors_are_retried_and_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(WeaviateRestError, match="failed after 4 attempt"):
        client(httpx.MockTransport(handler)).get_json("/v1/meta")


def test_writes_are_not_retried() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(503, json={"error": [{"message": "busy"}]})

    with pytest.raises(WeaviateRestError):
        client(httpx.MockTransport(handler)).create_class({"class": "A"})
    assert calls["n"] == 1


def test_401_names_the_fix_and_the_key_never_appears() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"code": 401, "message": f"bad key {request.headers['Authorization']}"})

    weaviate = WeaviateClient("http://weaviate.test", api_key="wv-secret-key-999",
                              transport=httpx.MockTransport(handler), retries=0)
    with pytest.raises(WeaviateRestError) as info:
        weaviate.get_json("/v1/meta")
    assert "auth" in info.value.message and "wv-secret-key-999" not in info.value.message
    assert "wv-secret-key-999" not in REDACTOR.scrub(info.value.body)


def test_an_html_answer_is_summarised() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="<html><body>nope</body></html>", headers={"content-type": "text/html"})

    with pytest.raises(WeaviateRestError, match="is this the Weaviate REST URL"):
        client(httpx.MockTransport(handler)).get_json("/v1/meta")


META = {"version": "1.39.3", "modules": {}}


def test_the_aliases_are_read_beside_the_schema_after_meta_alone() -> None:
    """One round trip less to a remote cluster: the schema read is answered only once the aliases read has
    arrived, which a one-after-the-other read would never do."""
    import threading

    aliases_sent = threading.Event()
    order: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        order.append(request.url.path)
        if request.url.path == "/v1/meta":
            return httpx.Response(200, json=META)
        if request.url.path == "/v1/aliases":
            aliases_sent.set()
            return httpx.Response(200, json={"aliases": [{"alias": "News", "class": "Article"}]})
        if not aliases_sent.wait(5):
            return httpx.Response(400, json={"error": [{"message": "the aliases were not read meanwhile"}]})
        return httpx.Response(200, json={"classes": [{"class": "Article", "properties": []}]})

    state = client(httpx.MockTransport(handler)).read_state()
    assert order[0] == "/v1/meta" and sorted(order[1:]) == ["/v1/aliases", "/v1/schema"]
    assert state.aliases == [{"alias": "News", "class": "Article"}] and state.requests == 3


def test_a_refused_meta_read_sends_nothing_else() -> None:
    """A wrong key or URL fails on meta, as one request: the schema and aliases are not asked for with it."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(401, json={"error": [{"message": "unauthorized"}]})

    with pytest.raises(WeaviateRestError, match="401 unauthorized"):
        client(httpx.MockTransport(handler)).read_state()
    assert seen == ["/v1/meta"]


def test_a_failed_aliases_read_is_an_error_and_a_missing_endpoint_is_none() -> None:
    def handler_for(status: int) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/v1/meta":
                return httpx.Response(200, json=META)
            if request.url.path == "/v1/aliases":
                return httpx.Response(status, json={"error": [{"message": "forbidden alias read"}]})
            return httpx.Response(200, json={"classes": []})
        return httpx.MockTransport(handler)

    with pytest.raises(WeaviateRestError, match="403 forbidden"):
        client(handler_for(403)).read_state()
    assert client(handler_for(404)).read_state().aliases == []  # servers before aliases (1.32)


def test_a_hung_aliases_read_ends_with_the_reads_deadline() -> None:
    import time

    release = __import__("threading").Event()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/meta":
            return httpx.Response(200, json=META)
        if request.url.path == "/v1/aliases":
            release.wait(30)  # a mock transport ignores timeouts: a hung server, as far as the wait can tell
        return httpx.Response(200, json={"classes": [], "aliases": []})

    started = time.monotonic()
    try:
        with pytest.raises(WeaviateRestError, match="GET /v1/aliases: no answer within"):
            client(httpx.MockTransport(handler)).read_state(deadline=1.0)
        assert time.monotonic() - started < 5
    finally:
        release.set()


def test_the_node_names_are_read_beside_the_schema_when_asked_for() -> None:
    """A shown plan's digest covers the node names: read with the schema, not one round trip after it; a key
    that may not list the nodes leaves them empty (the identity then leans on the URL and hostname)."""
    import threading

    nodes_sent = threading.Event()

    def transport(nodes_status: int) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            if request.url.path == "/v1/meta":
                return httpx.Response(200, json=META)
            if request.url.path == "/v1/nodes":
                nodes_sent.set()
                return httpx.Response(nodes_status, json={"nodes": [{"name": "node2"}, {"name": "node1"}]}
                                      if nodes_status == 200 else {"error": [{"message": "forbidden"}]})
            if request.url.path == "/v1/aliases":
                return httpx.Response(200, json={"aliases": []})
            if not nodes_sent.wait(5):
                return httpx.Response(400, json={"error": [{"message": "the nodes were not read meanwhile"}]})
            return httpx.Response(200, json={"classes": []})
        return httpx.MockTransport(handler)

    assert client(transport(200)).read_state(node_names=True).node_names == ["node1", "node2"]
    assert client(transport(403)).read_state(node_names=True).node_names == []
    assert client(transport(200)).read_state().node_names is None


def test_a_failed_schema_read_leaves_the_reads_beside_it_with_nothing_more_to_send() -> None:
    """The command fails and closes its client: the aliases read in flight beside it must not retry (or reopen
    the client) afterwards."""
    import threading
    import time

    attempts = {"aliases": 0}
    schema_failed = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/meta":
            return httpx.Response(200, json=META)
        if request.url.path == "/v1/aliases":
            attempts["aliases"] += 1
            schema_failed.wait(5)
            time.sleep(0.2)
            return httpx.Response(503, json={"error": [{"message": "busy"}]})  # retried, unless abandoned
        schema_failed.set()
        return httpx.Response(400, json={"error": [{"message": "bad request"}]})

    reader = client(httpx.MockTransport(handler))
    with pytest.raises(WeaviateRestError, match="HTTP 400"):
        reader.read_state()
    reader.close()
    time.sleep(1.0)  # the aliases answer arrives, and with it the moment a retry would be sent
    assert attempts["aliases"] == 1 and reader._client is None


def test_node_names_that_do_not_come_in_time_are_left_out_not_a_failure() -> None:
    """The node names only sharpen a shown plan's identity: a read of them that does not end with the reads'
    deadline leaves them empty, as a refused one does."""
    import threading

    release = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/meta":
            return httpx.Response(200, json=META)
        if request.url.path == "/v1/nodes":
            release.wait(30)
        return httpx.Response(200, json={"classes": [], "aliases": [], "nodes": []})

    try:
        assert client(httpx.MockTransport(handler)).read_state(deadline=1.0, node_names=True).node_names == []
    finally:
        release.set()
