"""Local model providers: HTTP servers that speak each provider's embedding API, for the real Weaviate to call.

Providers cannot be reached from these machines, so tests point a module's base URL (or inference URL) at one
of these. Each one:
- answers on the path and with the body shape the Weaviate module uses for that provider;
- returns deterministic bag-of-words embeddings, so texts that share words are close and searches mean
  something;
- checks the API-key header that provider expects and, when it is missing or wrong, answers as that provider
  does (status and error body);
- records every request (model, key header, texts) for tests to assert on.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_DIMENSIONS = 32
_WORD = re.compile(r"[a-z0-9]+")


def embed(text: str, dimensions: int = DEFAULT_DIMENSIONS) -> list[float]:
    """Hash each lower-cased word into a signed bucket; L2-normalise. Shared words => small cosine distance."""
    vector = [0.0] * dimensions
    for word in _WORD.findall(text.lower()):
        digest = hashlib.sha256(word.encode()).digest()
        bucket = int.from_bytes(digest[:4], "big") % dimensions
        vector[bucket] += 1.0 if digest[4] % 2 == 0 else -1.0
    norm = math.sqrt(sum(v * v for v in vector))
    if norm == 0.0:  # no words at all: a fixed unit vector rather than a zero vector (cosine of zero is undefined)
        vector[0], norm = 1.0, 1.0
    return [v / norm for v in vector]


@dataclass
class Recorded:
    provider: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    model: str | None
    texts: list[str]
    status: int


@dataclass
class Provider:
    """One provider's local endpoint. `api_key=None` means the provider needs no key (ollama, transformers)."""

    name: str
    api_key: str | None
    requests: list[Recorded] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None
    fail_with: int | None = None  # force an error status (unreachable/erroring provider tests)
    delay_s: float = 0.0  # answer slowly (interrupt tests)
    echo_key: bool = False  # refuse every key and quote it back encoded, as some providers do (secret tests)

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def clear(self) -> None:
        self.requests.clear()
        self.fail_with = None
        self.delay_s = 0.0
        self.echo_key = False


class _Handler(BaseHTTPRequestHandler):
    provider: Provider  # set on the per-provider subclass

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read `requests` instead
        pass

    def _send(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        # Local-inference modules (transformers) probe these at start-up and for /v1/meta.
        if self.path in ("/.well-known/ready", "/.well-known/live"):
            self._send(200, {})
        elif self.path == "/meta":
            self._send(200, {"model": {"name": f"weavectl-local-{self.provider.name}", "dims": DEFAULT_DIMENSIONS}})
        else:
            self._send(404, {"error": f"no route GET {self.path}"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            self._send(400, {"error": "invalid JSON"})
            return
        spec = _SPECS[self.provider.name]
        if self.provider.delay_s:
            time.sleep(self.provider.delay_s)
        texts, model, dims = spec.parse(body)
        model = model or self.headers.get("X-Weaviate-Embedding-Model")
        status = 200
        if self.path.rstrip("/") != spec.path:
            status, payload = 404, {"error": f"no route POST {self.path}"}
        elif self.provider.echo_key:
            sent = self.headers.get(spec.key_header, "").removeprefix("Bearer ").encode()
            quoted = (f"base64 {base64.b64encode(sent).decode()}, url-safe "
                      f"{base64.urlsafe_b64encode(sent).decode().rstrip('=')}, escaped {urllib.parse.quote(sent)}")
            status, payload = 401, spec.error(401, f"key not accepted ({quoted})")
        elif self.provider.fail_with is not None:
            status, payload = self.provider.fail_with, spec.error(self.provider.fail_with, "provider failure")
        elif self.provider.api_key is not None and not self._key_ok(spec):
            status, payload = 401, spec.error(401, "")
        else:
            payload = spec.respond([embed(t, dims or DEFAULT_DIMENSIONS) for t in texts], model)
        self.provider.requests.append(Recorded(
            provider=self.provider.name, path=self.path, headers=dict(self.headers.items()), body=body,
            model=model, texts=texts, status=status,
        ))
        self._send(status, payload)

    def _key_ok(self, spec: _Spec) -> bool:
        expected = self.provider.api_key
        sent = self.headers.get(spec.key_header, "")
        return sent == f"Bearer {expected}" if spec.bearer else sent == expected


@dataclass(frozen=True)
class _Spec:
    path: str
    key_header: str
    bearer: bool

    def parse(self, body: dict[str, Any]) -> tuple[list[str], str | None, int | None]:
        raise NotImplementedError

    def respond(self, vectors: list[list[float]], model: str | None) -> Any:
        raise NotImplementedError

    def error(self, status: int, detail: str) -> Any:
        raise NotImplementedError


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value or []]


class _OpenAI(_Spec):
    def parse(self, body: dict[str, Any]) -> tuple[list[str], str | None, int | None]:
        return _as_list(body.get("input")), body.get("model"), body.get("dimensions")

    def respond(self, vectors: list[list[float]], model: str | None) -> Any:
        data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
        return {"object": "list", "data": data, "model": model,
                "usage": {"prompt_tokens": len(vectors), "total_tokens": len(vectors)}}

    def error(self, status: int, detail: str) -> Any:
        if status == 401:
            return {"error": {"message": f"Incorrect API key provided. {detail}".strip(),
                              "type": "invalid_request_error",
                              "param": None, "code": "invalid_api_key"}}
        return {"error": {"message": detail, "type": "server_error", "param": None, "code": None}}


class _Nvidia(_OpenAI):
    def error(self, status: int, detail: str) -> Any:
        if status == 401:
            return {"status": 401, "title": "Unauthorized", "detail": "Authentication failed"}
        return {"status": status, "title": "Error", "detail": detail}


class _Cohere(_Spec):
    def parse(self, body: dict[str, Any]) -> tuple[list[str], str | None, int | None]:
        return _as_list(body.get("texts")), body.get("model"), body.get("output_dimension")

    def respond(self, vectors: list[list[float]], model: str | None) -> Any:
        return {"id": "local", "embeddings": {"float": vectors}, "response_type": "embeddings_by_type",
                "meta": {"billed_units": {"input_tokens": len(vectors)}}}

    def error(self, status: int, detail: str) -> Any:
        return {"id": "local", "message": "invalid api token" if status == 401 else detail}


class _WeaviateEmbeddings(_Spec):
    def parse(self, body: dict[str, Any]) -> tuple[list[str], str | None, int | None]:
        # 1.32 sends `texts` and the model in the X-Weaviate-Embedding-Model header; later versions `input`, `model`.
        texts = body["texts"] if "texts" in body else body.get("input")
        return _as_list(texts), body.get("model"), body.get("dimensions")

    def respond(self, vectors: list[list[float]], model: str | None) -> Any:
        return {"embeddings": vectors, "metadata": {"model": model, "num_embeddings_inferred": len(vectors)}}

    def error(self, status: int, detail: str) -> Any:
        return {"detail": "Unauthorized" if status == 401 else detail}


class _Ollama(_Spec):
    def parse(self, body: dict[str, Any]) -> tuple[list[str], str | None, int | None]:
        return _as_list(body.get("input")), body.get("model"), None

    def respond(self, vectors: list[list[float]], model: str | None) -> Any:
        return {"model": model, "embeddings": vectors}

    def error(self, status: int, detail: str) -> Any:
        return {"error": detail}


class _Transformers(_Spec):
    def parse(self, body: dict[str, Any]) -> tuple[list[str], str | None, int | None]:
        config = body.get("config") or {}
        return _as_list(body.get("text")), None, config.get("dimensions")

    def respond(self, vectors: list[list[float]], model: str | None) -> Any:
        return {"text": "", "vector": vectors[0] if vectors else [], "dims": len(vectors[0]) if vectors else 0}

    def error(self, status: int, detail: str) -> Any:
        return {"error": detail}


_SPECS: dict[str, _Spec] = {
    "openai": _OpenAI("/v1/embeddings", "Authorization", bearer=True),
    "nvidia": _Nvidia("/v1/embeddings", "Authorization", bearer=True),
    "cohere": _Cohere("/v2/embed", "Authorization", bearer=True),
    # Weaviate Embeddings forwards the caller's own Weaviate key, as sent (with its "Bearer " prefix).
    "weaviate": _WeaviateEmbeddings("/v1/embeddings/embed", "Authorization", bearer=True),
    "ollama": _Ollama("/api/embed", "", bearer=False),
    "transformers": _Transformers("/vectors", "", bearer=False),
}
KEYLESS = frozenset({"ollama", "transformers"})


class LocalProviders:
    """All local providers, each on its own port on 127.0.0.1."""

    def __init__(self, keys: dict[str, str]) -> None:
        self.providers = {
            name: Provider(name, None if name in KEYLESS else keys[name]) for name in _SPECS
        }

    def start(self) -> LocalProviders:
        for provider in self.providers.values():
            handler = type(f"{provider.name}Handler", (_Handler,), {"provider": provider})
            provider.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            provider.server.daemon_threads = True
            provider.thread = threading.Thread(target=provider.server.serve_forever, daemon=True)
            provider.thread.start()
        return self

    def stop(self) -> None:
        for provider in self.providers.values():
            if provider.server is not None:
                provider.server.shutdown()
                provider.server.server_close()

    def __getitem__(self, name: str) -> Provider:
        return self.providers[name]

    def clear(self) -> None:
        for provider in self.providers.values():
            provider.clear()
