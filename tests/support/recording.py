"""An httpx transport for tests: records every request weavectl sends to the real server, and can make the
k-th write fail (connection refused, or a 500) to simulate a server that vanishes or errors mid-apply."""

from __future__ import annotations

from collections.abc import Callable

import httpx


class RecordingTransport(httpx.BaseTransport):
    def __init__(self, *, fail_on_write: int | None = None, failure: str = "connect",
                 after_write: Callable[[int], None] | None = None) -> None:
        # Plain HTTP needs no CA bundle (loading one takes tens of ms), as in weavectl's own client.
        self._plain = httpx.HTTPTransport(verify=False)
        self._tls: httpx.HTTPTransport | None = None
        self.requests: list[tuple[str, str]] = []
        self.writes = 0
        self.fail_on_write = fail_on_write
        self.failure = failure
        self.after_write = after_write

    @staticmethod
    def is_schema_write(request: httpx.Request) -> bool:
        """Writes to collections and aliases; weavectl's own state (the apply lock) and GraphQL reads aside."""
        path = request.url.path
        if request.method == "GET" or path.startswith(("/v1/objects", "/v1/batch", "/v1/graphql")):
            return False
        return "WeavectlState" not in path and b'"WeavectlState"' not in request.content

    def _forward(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "https":
            self._tls = self._tls or httpx.HTTPTransport()
            return self._tls.handle_request(request)
        return self._plain.handle_request(request)

    def close(self) -> None:
        self._plain.close()
        if self._tls is not None:
            self._tls.close()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if not self.is_schema_write(request):
            if request.method == "GET":
                self.requests.append((request.method, request.url.path))
            return self._forward(request)
        self.requests.append((request.method, request.url.path))
        if request.method != "GET":
            self.writes += 1
            if self.writes == self.fail_on_write:
                if self.failure == "connect":
                    raise httpx.ConnectError("injected failure: the server is unreachable", request=request)
                return httpx.Response(500, json={"error": [{"message": "injected server failure"}]}, request=request)
        response = self._forward(request)
        if request.method != "GET" and self.after_write is not None:
            response.read()
            self.after_write(self.writes)
        return response

    def writes_sent(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] != "GET"]
