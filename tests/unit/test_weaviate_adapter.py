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
