"""A fault-injecting HTTP proxy in front of a real weaviate-server.

Requests pass through to the real server unless a fault is set for their path: then the proxy answers with a
given status and body (what a misconfigured proxy, another service or a broken server might say), stalls, closes
the connection, or answers slowly. Everything not faulted is the real server's answer.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

import httpx

from tests.support.localhttp import LocalHTTPServer, QuietHandler


@dataclass
class Fault:
    status: int = 200
    body: str | bytes = ""
    content_type: str = "application/json"
    stall_s: float = 0.0  # wait this long before answering (longer than the client's timeout: a hung server)
    close: bool = False  # drop the connection without answering
    times: int | None = None  # apply this many times, then pass through (None: always)
    delay_s: float = 0.0  # wait this long, then pass the request through to the real server (a slow answer)


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.faults: dict[str, Fault] = {}
        self.seen: list[str] = []
        self._server: LocalHTTPServer | None = None
        self._http = httpx.Client(timeout=60)  # kept-alive connections to the server (thread-safe)

    @property
    def url(self) -> str:
        assert self._server is not None
        return self._server.url

    def start(self) -> FaultProxy:
        proxy = self

        class Handler(QuietHandler):
            def _handle(self) -> None:
                proxy._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self._server = LocalHTTPServer(Handler)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._http.close()

    def clear(self) -> None:
        self.faults.clear()
        self.seen.clear()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        self.seen.append(f"{handler.command} {path}")
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        fault = self.faults.get(path)
        if fault is not None and (left := fault.times) is not None:
            if left <= 0:
                fault = None
            else:
                fault.times = left - 1
        if fault is not None and fault.delay_s:
            time.sleep(fault.delay_s)
            fault = None
        if fault is None:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host", "content-length")}
            try:
                resp = self._http.request(handler.command, self.upstream + handler.path, headers=headers,
                                          content=body)
            except httpx.TransportError:  # a kept-alive connection the server had closed: once more, afresh
                resp = httpx.request(handler.command, self.upstream + handler.path, headers=headers,
                                     content=body, timeout=60)
            self._answer(handler, resp.status_code, resp.content, resp.headers.get("content-type", ""))
            return
        if fault.stall_s:
            time.sleep(fault.stall_s)
        if fault.close:
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        payload = fault.body.encode() if isinstance(fault.body, str) else fault.body
        self._answer(handler, fault.status, payload, fault.content_type)

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, payload: bytes, content_type: str) -> None:
        try:
            handler.send_response(status)
            if content_type:
                handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up first (timeout tests)
            pass
