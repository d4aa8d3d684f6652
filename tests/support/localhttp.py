"""The HTTP server under the tests' own endpoints (the local model providers, the fault proxy): on a free port of
127.0.0.1, each request on a daemon thread, so a test never waits on it and a stuck client cannot hold it up."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing: tests read what the endpoint recorded instead."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LocalHTTPServer:
    """Serving from construction until `stop()`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
