"""Weaviate over REST (httpx). Reads live metadata in a constant number of requests; writes schema changes.

Transient failures (connection errors, timeouts, 5xx, 429) are retried with back-off, then reported; a failed
read is never mistaken for an empty cluster.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from weavectl.adapters.collector import collector_paused
from weavectl.core.config.config import check_url
from weavectl.core.redact import REDACTOR
from weavectl.errors import ServerError, UsageError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A healthy cluster answers the leader-consistent schema read in well under a second, even with 1,000 collections.
LEADER_READ_TIMEOUT_S = 10.0
DEFAULT_TIMEOUT_S = 30.0
TIMEOUT_ENV = "WEAVECTL_TIMEOUT"
# How long a wait stays silent before a terminal shows that weavectl is still waiting.
PROGRESS_AFTER_S = 3.0


def timeout_setting(option: float | None, environ: Mapping[str, str]) -> float:
    """--timeout, else WEAVECTL_TIMEOUT, else the default; a bad value is a usage error."""
    if option is not None:
        value, where = option, "--timeout"
    elif environ.get(TIMEOUT_ENV, "").strip():
        where = TIMEOUT_ENV
        try:
            value = float(environ[TIMEOUT_ENV])
        except ValueError:
            raise UsageError(f"{TIMEOUT_ENV} must be a number of seconds, not {environ[TIMEOUT_ENV]!r}") from None
    else:
        return DEFAULT_TIMEOUT_S
    if not 0 < value <= 24 * 3600 or value != value:
        raise UsageError(f"{where} must be a number of seconds above 0 (at most a day), not {value}")
    return float(value)


@dataclass
class Deadline:
    """A limit on a whole phase of requests (plan's reads, a cluster check): every request inside it is cut
    to the time left, retries stop when it passes, and the error lists what was tried."""

    seconds: float
    what: str
    started: float = field(default_factory=time.monotonic)
    tried: list[str] = field(default_factory=list)

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def elapsed(self) -> float:
        return time.monotonic() - self.started


@dataclass
class LiveState:
    """Everything plan needs from the server, fetched up front: diffing does no I/O."""

    url: str
    version: str
    modules: dict[str, Any]
    classes: list[dict[str, Any]]
    aliases: list[dict[str, str]]
    requests: int = 0
    hostname: str = ""  # /v1/meta `hostname`: part of a saved plan's cluster identity
    node_names: list[str] | None = None  # /v1/nodes, when asked for (a shown plan's identity); [] if refused


class WeaviateRestError(ServerError):
    def __init__(self, message: str, *, status: int | None = None, body: str = "",
                 hint_text: str | None = None, timed_out: bool = False) -> None:
        super().__init__(message, hint=hint_text)
        self.status = status
        self.body = body
        self.timed_out = timed_out


@dataclass
class WeaviateClient:
    url: str
    api_key: str | None = None
    timeout: float = DEFAULT_TIMEOUT_S
    retries: int = 4
    backoff: float = 0.5
    extra_headers: dict[str, str] = field(default_factory=dict)
    transport: httpx.BaseTransport | None = None
    request_count: int = 0
    # Called once per request that is still waiting after PROGRESS_AFTER_S (commands pass one on a terminal).
    progress: Callable[[str], None] | None = None
    progress_after: float = PROGRESS_AFTER_S
    _client: httpx.Client | None = None
    _deadline: Deadline | None = None
    # Reads may overlap (plan reads the aliases beside the schema): the count is kept under this lock.
    _count_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        problem = check_url(self.url)
        if problem is not None:
            raise UsageError(f"invalid Weaviate URL: {problem}")
        if self.api_key is not None:
            REDACTOR.register(self.api_key)
            if self.api_key != self.api_key.strip() or any(ord(c) < 32 for c in self.api_key):
                raise UsageError("the Weaviate API key holds whitespace or control characters")

    def _http(self) -> httpx.Client:
        if self._client is None:
            headers = {"Accept": "application/json", **self.extra_headers}
            if self.api_key:
                headers["Authorization"] = f"Bearer {self.api_key}"
            # Plain HTTP never uses TLS (redirects are not followed): skip loading the CA bundle (~20 ms).
            verify = not self.url.lower().startswith("http://")
            self._client = httpx.Client(base_url=self.url.rstrip("/"), headers=headers, timeout=self.timeout,
                                        transport=self.transport, verify=verify)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @contextlib.contextmanager
    def within(self, seconds: float, what: str) -> Iterator[Deadline]:
        """Every request in the block shares one deadline (nested blocks keep the earlier one)."""
        outer = self._deadline
        deadline = Deadline(seconds, what)
        if outer is None or deadline.remaining() < outer.remaining():
            self._deadline = deadline
        try:
            yield self._deadline or deadline
        finally:
            self._deadline = outer

    def _give_up(self, method: str, path: str, last: str, attempts: int, out_of_time: bool) -> WeaviateRestError:
        deadline = self._deadline
        if deadline is not None and out_of_time:
            tried = "; ".join(_counted(deadline.tried)[-6:]) or f"{method} {path}"
            return WeaviateRestError(REDACTOR.scrub(
                f"Weaviate at {self.url} gave no usable answer to {deadline.what} within {deadline.seconds:g}s "
                f"(--timeout / {TIMEOUT_ENV}). Tried: {tried}"))
        return WeaviateRestError(
            REDACTOR.scrub(f"{method} {self.url}{path} failed after {attempts} attempt(s): {last}"))

    def request(self, method: str, path: str, *, json: Any = None, retry: bool = True,
                ok: tuple[int, ...] = (200,), timeout: float | None = None) -> httpx.Response:
        """One request; reads (and idempotent writes) are retried on transient failures, within the deadline.
        A request that gets no answer within its timeout is not retried: a hung server would only multiply
        the wait."""
        attempts = self.retries + 1 if retry else 1
        last: str = ""
        if method != "GET" and path.startswith(("/v1/schema", "/v1/aliases")):
            # Test hook: widen the window between weavectl's read and its write (races, interrupts).
            delay = os.environ.get("WEAVECTL_TEST_WRITE_DELAY", "")
            if delay.replace(".", "", 1).isdigit():
                time.sleep(float(delay))
        deadline = self._deadline
        made = 0
        out_of_time = False
        for attempt in range(attempts):
            if attempt:
                pause = self.backoff * 2 ** (attempt - 1)
                if deadline is not None and deadline.remaining() <= pause:
                    out_of_time = True
                    break
                time.sleep(pause)
            if _abandoned():
                raise WeaviateRestError(f"{method} {path}: abandoned (the reads it was part of had failed)")
            own = self.timeout if timeout is None else min(self.timeout, timeout)  # `timeout`: this request's limit
            limit = own if deadline is None else min(own, deadline.remaining())
            if limit <= 0:
                out_of_time = True
                break
            made += 1
            with self._count_lock:
                self.request_count += 1
            started = time.monotonic()
            try:
                resp = self._send(method, path, json, limit)
            except httpx.TimeoutException:
                last = f"no answer within {limit:.1f}s"
                _note(deadline, f"{method} {path}: {last}")
                if deadline is not None and deadline.remaining() <= 0.05:
                    out_of_time = True
                    break
                raise WeaviateRestError(REDACTOR.scrub(
                    f"{method} {self.url}{path}: no answer within {limit:g}s (--timeout / {TIMEOUT_ENV}); the "
                    "server may be hung, overloaded or waiting for a cluster quorum"), timed_out=True) from None
            except httpx.TransportError as exc:
                last = f"cannot connect ({type(exc).__name__}: {exc})"
                _note(deadline, f"{method} {path}: {last}")
                continue
            took = time.monotonic() - started
            _note(deadline, f"{method} {path}: HTTP {resp.status_code} in {took:.1f}s")
            if resp.status_code in ok:
                return resp
            if resp.status_code in RETRY_STATUSES and attempt + 1 < attempts:
                last = f"HTTP {resp.status_code}: {server_message(resp)}"
                continue
            raise self._error(method, path, resp)
        raise self._give_up(method, path, last, made, out_of_time)

    def _send(self, method: str, path: str, body: Any, limit: float) -> httpx.Response:
        timer = None
        # A read in the background stays silent: the caller's own read beside it reports the wait.
        if self.progress is not None and limit > self.progress_after and not _in_background():
            report = self.progress
            timer = threading.Timer(self.progress_after, lambda: report(
                f"still waiting for Weaviate: {method} {path} (gives up after {limit:.0f}s)"))
            timer.daemon = True
            timer.start()
        try:
            return self._http().request(method, path, json=body, timeout=limit)
        finally:
            if timer is not None:
                timer.cancel()

    def _error(self, method: str, path: str, resp: httpx.Response) -> WeaviateRestError:
        detail = server_message(resp)
        status = resp.status_code
        if status == 401:
            lowered = detail.lower()
            if self.api_key and "no authentication scheme is configured" in lowered:
                hint = ("the server has no authentication configured, yet an API key was sent: remove the "
                        "environment's `auth` key source (or unset WEAVIATE_API_KEY)")
            elif self.api_key:
                hint = ("the server refused the API key: check the environment's `auth` key source or "
                        "WEAVIATE_API_KEY")
            else:
                hint = "the server wants an API key: set the environment's `auth` key source or WEAVIATE_API_KEY"
            message = f"{method} {path}: 401 unauthorized: {detail}. {hint}"
        elif status == 403:
            message = f"{method} {path}: 403 forbidden: the API key may not do this: {detail}"
        else:
            message = f"{method} {path}: HTTP {status}: {detail}"
        return WeaviateRestError(REDACTOR.scrub(message), status=status, body=REDACTOR.scrub(resp.text[:2000]))

    def get_json(self, path: str, *, timeout: float | None = None) -> Any:
        return _json_of(self.request("GET", path, timeout=timeout), "GET", path)

    # -- reads -----------------------------------------------------------------------------------------
    def read_state(self, deadline: float | None = None, *, node_names: bool = False) -> LiveState:
        """The three reads plan needs, together within `deadline` seconds (default: the request timeout);
        `node_names`: the cluster's node names too (a shown plan's digest covers them), read beside the schema."""
        before = self.request_count
        with self.within(self.timeout if deadline is None else deadline, "plan's reads") as limit:
            # Meta first and alone: it says whether the URL is a Weaviate server and the key is accepted, so a
            # wrong URL or key fails as one request. The aliases are then read beside the schema, one round trip
            # less to a remote cluster.
            meta = self.get_json("/v1/meta")
            version, modules = parse_meta(meta)
            aliases_read = _Background(self._aliases)
            nodes_read = _Background(self.node_names) if node_names else None
            try:
                try:
                    # The leader-consistent read (the default `consistency: true`): without a RAFT quorum the
                    # server holds it until its own long timeout, so it gets a short limit and a diagnosis instead.
                    with collector_paused():  # a large schema is hundreds of thousands of objects, none cyclic
                        schema = self.get_json("/v1/schema", timeout=LEADER_READ_TIMEOUT_S)
                except WeaviateRestError as exc:
                    # 1.32.5 answers a lost quorum at once, but as 403 "... leader not found" (seen on a live
                    # cluster).
                    if exc.timed_out or exc.status in (500, 503) or "leader not found" in exc.body:
                        from weavectl.adapters.cluster import explain_schema_failure

                        raise explain_schema_failure(self, exc) from None
                    raise
                classes = parse_schema(schema, keyed=self.api_key is not None)
                # Each background request is cut to the deadline like every other, so it ends by then (a
                # second's grace for an answer in flight).
                aliases = aliases_read.result(limit, "GET /v1/aliases")
                names = nodes_read.result(limit, "GET /v1/nodes", otherwise=[]) if nodes_read else None
            except BaseException:
                # Failed: the reads beside it send nothing more (no retry, no progress line), whatever the caller
                # does with the client next.
                aliases_read.abandon()
                if nodes_read is not None:
                    nodes_read.abandon()
                raise
        # The server's order is not stable (a map in Go): sorted here, every output that lists them is too.
        classes.sort(key=lambda c: (str(c["class"]).lower(), str(c["class"])))
        aliases.sort(key=lambda a: (a["alias"].lower(), a["alias"]))
        return LiveState(url=self.url, version=version, modules=dict(sorted(modules.items())), classes=classes,
                         aliases=aliases, requests=self.request_count - before,
                         hostname=str(meta.get("hostname", "")), node_names=names)

    def node_names(self) -> list[str]:
        """The names /v1/nodes lists, sorted; [] when the key may not read them (the identity then leans on the
        URL and hostname)."""
        try:
            return sorted(str(n.get("name")) for n in (self.get_json("/v1/nodes") or {}).get("nodes") or [])
        except WeaviateRestError:
            return []

    def _aliases(self) -> list[dict[str, str]]:
        try:
            return parse_aliases(self.get_json("/v1/aliases"))
        except WeaviateRestError as exc:
            if exc.status in (404, 405):  # servers before aliases existed (1.32)
                return []
            raise

    def get_class(self, name: str) -> dict[str, Any] | None:
        resp = self.request("GET", f"/v1/schema/{name}", ok=(200, 404))
        if resp.status_code == 404:
            return None
        data = _json_of(resp, "GET", f"/v1/schema/{name}")
        if not isinstance(data, dict) or not isinstance(data.get("class"), str):
            raise WeaviateRestError(f"GET /v1/schema/{name}: the answer is not a collection definition")
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


_RAISE: Any = object()  # _Background.result's default: raise when the read has not ended
# Set in a background read's thread: the event that tells it its caller has given up.
_BACKGROUND = threading.local()


def _in_background() -> bool:
    return getattr(_BACKGROUND, "abandoned", None) is not None


def _abandoned() -> bool:
    event: threading.Event | None = getattr(_BACKGROUND, "abandoned", None)
    return event is not None and event.is_set()


def _note(deadline: Deadline | None, line: str) -> None:
    """A line for the "Tried:" list of the deadline the request runs under (not whichever is current by then)."""
    if deadline is not None:
        deadline.tried.append(REDACTOR.scrub(line))


class _Background:
    """One read in a daemon thread, its answer (or error) taken later. A caller that fails first abandons it:
    it sends no further attempt and shows no progress, ends with its request, and never holds up the process's
    exit."""

    def __init__(self, read: Callable[[], Any]) -> None:
        self._answer: Any = None
        self._error: BaseException | None = None
        self._abandoned = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(read,), daemon=True, name="weavectl-read")
        self._thread.start()

    def _run(self, read: Callable[[], Any]) -> None:
        _BACKGROUND.abandoned = self._abandoned
        try:
            self._answer = read()
        except BaseException as exc:  # handed to the caller, who raises it as its own
            self._error = exc

    def abandon(self) -> None:
        self._abandoned.set()

    def result(self, deadline: Deadline, what: str, *, otherwise: Any = _RAISE) -> Any:
        """The answer, once the read ends: within the deadline's time left (and a second's grace). A read still
        running then raises (or gives `otherwise`, for a read the caller can do without)."""
        self._thread.join(max(deadline.remaining(), 0.0) + 1.0)
        if self._thread.is_alive():
            self.abandon()
            if otherwise is not _RAISE:
                return otherwise
            raise WeaviateRestError(f"{what}: no answer within the {deadline.seconds:g}s of {deadline.what} "
                                    f"(--timeout / {TIMEOUT_ENV})", timed_out=True)
        if self._error is not None:
            raise self._error
        return self._answer


def _counted(lines: list[str]) -> list[str]:
    """Consecutive repeats folded: "GET /v1/meta: cannot connect (...) (3 times)"."""
    out: list[tuple[str, int]] = []
    for line in lines:
        if out and out[-1][0] == line:
            out[-1] = (line, out[-1][1] + 1)
        else:
            out.append((line, 1))
    return [line if n == 1 else f"{line} ({n} times)" for line, n in out]


def _json_of(resp: httpx.Response, method: str, path: str) -> Any:
    try:
        return resp.json()
    except ValueError:
        raise WeaviateRestError(f"{method} {path}: the server answered with something that is not JSON "
                                f"({server_message(resp)})") from None


# -- what the answers must look like (pure; fuzzed in tests/unit/test_fuzz.py) ---------------------------------
def parse_meta(body: Any) -> tuple[str, dict[str, Any]]:
    """(version, modules) of GET /v1/meta (adapters/handlers/rest/handlers_misc.go)."""
    if not isinstance(body, dict) or not isinstance(body.get("version"), str) or not body["version"].strip():
        raise WeaviateRestError("GET /v1/meta: the answer has no version: is this URL a Weaviate server?")
    modules = body.get("modules")
    if modules is not None and not isinstance(modules, dict):
        raise WeaviateRestError("GET /v1/meta: `modules` is not a mapping: is this URL a Weaviate server?")
    return str(body["version"]), dict(modules or {})


def parse_schema(body: Any, *, keyed: bool = False) -> list[dict[str, Any]]:
    """The classes of GET /v1/schema. Weaviate always writes the `classes` key (entities/models/schema.go has
    no omitempty) and answers `[]` for an empty cluster (seen on 1.32.5, 1.35.2 and 1.39.3); `null` comes only
    from its authorization filter refusing the caller every collection (usecases/auth/authorization/filter/
    filter.go). So `{}` is not Weaviate's answer and `null` is not an empty cluster: both are errors, never
    "nothing exists"."""
    if not isinstance(body, dict) or "classes" not in body:
        raise WeaviateRestError("GET /v1/schema: the answer has no `classes` list, so it is not Weaviate's "
                                "(a proxy or another service at this URL?); refusing to treat it as an empty "
                                "cluster")
    classes = body["classes"]
    if classes is None:
        who = "the API key" if keyed else "anonymous access"
        raise WeaviateRestError(f"GET /v1/schema: the server listed `classes: null`, which Weaviate answers when "
                                f"{who} may not read the schema; refusing to treat it as an empty cluster",
                                hint_text="check the key's permissions (read collections)")
    if not isinstance(classes, list):
        raise WeaviateRestError("GET /v1/schema: `classes` is not a list; refusing to plan")
    for i, item in enumerate(classes):
        if not isinstance(item, dict) or not isinstance(item.get("class"), str) or not item["class"]:
            raise WeaviateRestError(f"GET /v1/schema: entry {i} of `classes` is not a collection definition")
        if not isinstance(item.get("properties") or [], list):
            raise WeaviateRestError(f"GET /v1/schema: collection {item['class']!r} has a `properties` value "
                                    "that is not a list")
    return list(classes)


def parse_aliases(body: Any) -> list[dict[str, str]]:
    """The aliases of GET /v1/aliases (1.32+): `{"aliases": [{"alias", "class"}]}`."""
    if not isinstance(body, dict) or not isinstance(body.get("aliases", []), list | None):
        raise WeaviateRestError("GET /v1/aliases: the answer has no `aliases` list")
    out = []
    for item in body.get("aliases") or []:
        if not isinstance(item, dict) or not isinstance(item.get("alias"), str) or not isinstance(
                item.get("class"), str):
            raise WeaviateRestError("GET /v1/aliases: an entry is not {alias, class}")
        out.append({"alias": item["alias"], "class": item["class"]})
    return out


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
