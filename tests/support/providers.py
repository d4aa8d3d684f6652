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
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from tests.support.localhttp import LocalHTTPServer, QuietHandler

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
    """One provider's local endpoint. `api_key=None` means the provider needs no key (ollama, local inference)."""

    name: str
    api_key: str | None
    requests: list[Recorded] = field(default_factory=list)
    server: LocalHTTPServer | None = None
    fail_with: int | None = None  # force an error status (unreachable/erroring provider tests)
    delay_s: float = 0.0  # answer slowly (interrupt tests)
    echo_key: bool = False  # refuse every key and quote it back encoded, as some providers do (secret tests)

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def clear(self) -> None:
        self.requests.clear()
        self.fail_with = None
        self.delay_s = 0.0
        self.echo_key = False


class _Handler(QuietHandler):
    provider: Provider  # set on the per-provider subclass

    def _send(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        # Local-inference modules (transformers, model2vec, gpt4all, clip, bind, reranker-transformers) probe the
        # readiness path at start-up and read /meta for /v1/meta (modules/<module>/clients/startup.go, meta.go).
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
            payload = spec.answer(body, texts, dims or DEFAULT_DIMENSIONS, model)
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

    def answer(self, body: dict[str, Any], texts: list[str], dims: int, model: str | None) -> Any:
        """The success payload: by default one embedding per parsed text, in the provider's shape."""
        return self.respond([embed(t, dims) for t in texts], model)

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


class _Gpt4All(_Spec):
    # modules/text2vec-gpt4all/clients/gpt4all.go: POST /vectorize {"text"} -> {"text", "vector", "dim", "error"}
    def parse(self, body: dict[str, Any]) -> tuple[list[str], str | None, int | None]:
        return _as_list(body.get("text")), None, None

    def respond(self, vectors: list[list[float]], model: str | None) -> Any:
        return {"text": "", "vector": vectors[0] if vectors else [], "dim": len(vectors[0]) if vectors else 0}

    def error(self, status: int, detail: str) -> Any:
        return {"error": detail}


# The multi-modal inference containers take one list per modality and answer one vector list per modality:
# modules/multi2vec-clip/clients/vectorizer.go (texts, images) and modules/multi2vec-bind/clients/vectorizer.go
# (texts, images, audio, video, imu, thermal, depth). Non-text inputs are base64 strings, embedded as given.
_CLIP_MODALITIES = {"texts": "textVectors", "images": "imageVectors"}
_BIND_MODALITIES = {**_CLIP_MODALITIES, "audio": "audioVectors", "video": "videoVectors", "imu": "imuVectors",
                    "thermal": "thermalVectors", "depth": "depthVectors"}


@dataclass(frozen=True)
class _MultiModal(_Spec):
    modalities: dict[str, str] = field(default_factory=dict)  # request list -> response list

    def parse(self, body: dict[str, Any]) -> tuple[list[str], str | None, int | None]:
        return [t for key in self.modalities for t in _as_list(body.get(key))], None, None

    def answer(self, body: dict[str, Any], texts: list[str], dims: int, model: str | None) -> Any:
        return {out: [embed(t, dims) for t in _as_list(body.get(key))] for key, out in self.modalities.items()}

    def error(self, status: int, detail: str) -> Any:
        return {"error": detail}


class _Reranker(_Spec):
    # modules/reranker-transformers/clients/ranker.go: POST /rerank {"query", "documents"} ->
    # {"query", "scores": [{"document", "score"}]}; the score here is the cosine of the two embeddings.
    def parse(self, body: dict[str, Any]) -> tuple[list[str], str | None, int | None]:
        return [str(body.get("query") or ""), *_as_list(body.get("documents"))], None, None

    def answer(self, body: dict[str, Any], texts: list[str], dims: int, model: str | None) -> Any:
        query = embed(texts[0], dims)
        scores = [{"document": doc, "score": sum(a * b for a, b in zip(query, embed(doc, dims), strict=True))}
                  for doc in texts[1:]]
        return {"query": texts[0], "scores": scores}

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
    # text2vec-model2vec uses the transformers client (modules/text2vec-model2vec/clients/model2vec.go).
    "model2vec": _Transformers("/vectors", "", bearer=False),
    "gpt4all": _Gpt4All("/vectorize", "", bearer=False),
    "clip": _MultiModal("/vectorize", "", bearer=False, modalities=_CLIP_MODALITIES),
    "bind": _MultiModal("/vectorize", "", bearer=False, modalities=_BIND_MODALITIES),
    "reranker-transformers": _Reranker("/rerank", "", bearer=False),
}
# The local-inference services take no key.
KEYLESS = frozenset({"ollama", "transformers", "model2vec", "gpt4all", "clip", "bind", "reranker-transformers"})
# Each local-inference module's server-wide variable naming its service (modules/<module>/module.go).
INFERENCE_ENV = {
    "text2vec-transformers": ("TRANSFORMERS_INFERENCE_API", "transformers"),
    "text2vec-model2vec": ("MODEL2VEC_INFERENCE_API", "model2vec"),
    "text2vec-gpt4all": ("GPT4ALL_INFERENCE_API", "gpt4all"),
    "multi2vec-clip": ("CLIP_INFERENCE_API", "clip"),
    "multi2vec-bind": ("BIND_INFERENCE_API", "bind"),
    "reranker-transformers": ("RERANKER_INFERENCE_API", "reranker-transformers"),
}


class LocalProviders:
    """All local providers, each on its own port on 127.0.0.1."""

    def __init__(self, keys: dict[str, str]) -> None:
        self.providers = {
            name: Provider(name, None if name in KEYLESS else keys[name]) for name in _SPECS
        }

    def start(self) -> LocalProviders:
        for provider in self.providers.values():
            provider.server = LocalHTTPServer(type(f"{provider.name}Handler", (_Handler,), {"provider": provider}))
        return self

    def stop(self) -> None:
        for provider in self.providers.values():
            if provider.server is not None:
                provider.server.stop()

    def urls(self) -> dict[str, str]:
        """Each provider's URL, by provider name."""
        return {name: provider.url for name, provider in self.providers.items()}

    def inference_env(self) -> dict[str, str]:
        """The server variables pointing every local-inference module at its local service."""
        return {var: self.providers[name].url for var, name in INFERENCE_ENV.values()}

    def __getitem__(self, name: str) -> Provider:
        return self.providers[name]

    def clear(self) -> None:
        for provider in self.providers.values():
            provider.clear()
