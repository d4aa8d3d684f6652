"""Weaviate over REST (httpx). Reads live metadata in a constant number of requests; writes schema changes.

Transient failures (connection errors, timeouts, 5xx, 429) are retried with back-off, then reported; a failed
read is never mistaken for an empty cluster.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from weavectl.core.redact import REDACTOR
from weavectl.errors import ServerError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A healthy cluster answers the leader-consistent schema read in well under a second, even with 1,000 collections.
LEADER_READ_TIMEOUT_S = 10.0


@dataclass
class LiveState:
    """Everything plan needs from the server, fetched up front: diffing does no I/O."""

    url: str
    version: str
    modules: dict[str, Any]
    classes: list[dict[str, Any]]
    aliases: list[dict[str, str]]
    requests: int = 0


class WeaviateRestError(ServerError):
    def __init__(self, message: str, *, status: int | None = None, body: str = "", timed_out: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        self.timed_out = timed_out


@dataclass
class WeaviateClient:
    url: str
    api_key: str | None = None
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 0.5
    extra_headers: dict[str, str] = field(default_factory=dict)
    transport: httpx.BaseTransport | None = None
    request_count: int = 0
    _client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            headers = {"Accept": "application/json", **self.extra_headers}
            if self.api_key:
                REDACTOR.register(self.api_key)
                headers["Authorization"] = f"Bearer {self.api_key}"
            self._client = httpx.Client(base_url=self.url.rstrip("/"), headers=headers, timeout=self.timeout,
                                        transport=self.transport)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def request(self, method: str, path: str, *, json: Any = None, retry: bool = True,
                ok: tuple[int, ...] = (200,), timeout: float | None = None,
                retry_timeouts: bool = True) -> httpx.Response:
        """One request; reads (and idempotent writes) are retried on transient failures.

        timeout: this request's limit (default: the client's); retry_timeouts=False gives up at the first timeout.
        """
        attempts = self.retries + 1 if retry else 1
        limit = self.timeout if timeout is None else timeout
        last: str = ""
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            self.request_count += 1
            try:
                resp = self._http().request(method, path, json=json,
                                            timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout)
            except httpx.TimeoutException:
                last = f"timed out after {limit:.0f}s"
                if not retry_timeouts:
                    raise WeaviateRestError(REDACTOR.scrub(f"{method} {self.url}{path}: {last}"),
                                            timed_out=True) from None
                continue
            except httpx.TransportError as exc:
                last = f"cannot connect ({type(exc).__name__}: {exc})"
                continue
            if resp.status_code in ok:
                return resp
            if resp.status_code in RETRY_STATUSES and attempt + 1 < attempts:
                last = f"HTTP {resp.status_code}"
                continue
            raise self._error(method, path, resp)
        raise WeaviateRestError(
            REDACTOR.scrub(f"{method} {self.url}{path} failed after {attempts} attempt(s): {last}"),
        )

    def _error(self, method: str, path: str, resp: httpx.Response) -> WeaviateRestError:
        detail = server_message(resp)
        status = resp.status_code
        if status == 401:
            hint = "the server wants an API key: set the environment's `auth` key source or WEAVIATE_API_KEY"
            message = f"{method} {path}: 401 unauthorized: {detail}. {hint}"
        elif status == 403:
            message = f"{method} {path}: 403 forbidden: the API key may not do this: {detail}"
        else:
            message = f"{method} {path}: HTTP {status}: {detail}"
        return WeaviateRestError(REDACTOR.scrub(message), status=status, body=REDACTOR.scrub(resp.text[:2000]))

    def get_json(self, path: str, **options: Any) -> Any:
        resp = self.request("GET", path, **options)
        try:
            return resp.json()
        except ValueError as exc:
            raise WeaviateRestError(f"GET {path}: the server answered with something that is not JSON") from exc

    # -- reads -----------------------------------------------------------------------------------------
    def read_state(self) -> LiveState:
        before = self.request_count
        meta = self.get_json("/v1/meta")
        try:
            # The leader-consistent read (the default `consistency: true`): without a RAFT quorum the server holds
            # it until its own long timeout, so it gets a short limit and a diagnosis instead of retries.
            schema = self.get_json("/v1/schema", timeout=min(self.timeout, LEADER_READ_TIMEOUT_S),
                                   retry_timeouts=False)
        except WeaviateRestError as exc:
            # 1.32.5 answers a lost quorum at once, but as 403 "... leader not found" (seen on a live cluster).
            if exc.timed_out or exc.status in (500, 503) or "leader not found" in exc.body:
                from weavectl.adapters.cluster import explain_schema_failure

                raise explain_schema_failure(self, exc) from None
            raise
        if not isinstance(schema, dict) or not isinstance(schema.get("classes", []), list | None):
            raise WeaviateRestError("GET /v1/schema: unexpected answer (no `classes` list); refusing to plan")
        aliases: list[dict[str, str]] = []
        try:
            aliases = list(self.get_json("/v1/aliases").get("aliases") or [])
        except WeaviateRestError as exc:
            if exc.status not in (404, 405):  # servers before aliases existed (1.32)
                raise
        return LiveState(
            url=self.url,
            version=str(meta.get("version", "")),
            modules=dict(meta.get("modules") or {}),
            classes=list(schema.get("classes") or []),
            aliases=aliases,
            requests=self.request_count - before,
        )

    def get_class(self, name: str) -> dict[str, Any] | None:
        resp = self.request("GET", f"/v1/schema/{name}", ok=(200, 404))
        if resp.status_code == 404:
            return None
        data: dict[str, Any] = resp.json()
        return data

    # -- writes (not retried unless idempotent) ---------------------------------------------------------
    def create_class(self, body: dict[str, Any]) -> None:
        self.request("POST", "/v1/schema", json=body, retry=False)

    def update_class(self, name: str, body: dict[str, Any]) -> None:
        self.request("PUT", f"/v1/schema/{name}", json=body, retry=False)

    def add_property(self, name: str, prop: dict[str, Any]) -> None:
        self.request("POST", f"/v1/schema/{name}/properties", json=prop, retry=False)

    def drop_property_index(self, name: str, prop: str, index: str) -> None:
        self.request("DELETE", f"/v1/schema/{name}/properties/{prop}/index/{index}", retry=False)

    def delete_class(self, name: str) -> None:
        self.request("DELETE", f"/v1/schema/{name}", retry=False)

    def create_alias(self, alias: str, target: str) -> None:
        self.request("POST", "/v1/aliases", json={"alias": alias, "class": target}, retry=False)

    def update_alias(self, alias: str, target: str) -> None:
        self.request("PUT", f"/v1/aliases/{alias}", json={"class": target}, retry=False)

    def delete_alias(self, alias: str) -> None:
        self.request("DELETE", f"/v1/aliases/{alias}", retry=False, ok=(200, 204))


def server_message(resp: httpx.Response) -> str:
    """The human part of Weaviate's several error shapes (facts 1.3)."""
    try:
        body = resp.json()
    except ValueError:
        if "html" in resp.headers.get("content-type", "") or resp.text.lstrip().startswith("<"):
            return "the answer is an HTML page, not Weaviate's JSON: is this the Weaviate REST URL?"
        text = " ".join(resp.text.split())
        return (text[:300] + "...") if len(text) > 300 else text or "(empty body)"
    if isinstance(body, dict):
        errors = body.get("error")
        if isinstance(errors, list) and errors:
            return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
        if isinstance(body.get("message"), str):
            return str(body["message"])
    return str(body)[:500]
