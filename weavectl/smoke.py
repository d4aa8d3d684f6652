"""The smoke stage: embed sample objects and run near-text and hybrid queries to prove module, model and key.

Runs on a temporary copy of each collection (or a temporary tenant of a multi-tenant one) so live data is never
touched, and removes it afterwards, on failure and on Ctrl-C too. Import and queries go through the official
weaviate-client (v4), imported here only: it costs about a second at start-up.
"""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlparse

from weavectl.adapters import secrets
from weavectl.adapters.weaviate import WeaviateClient, WeaviateRestError
from weavectl.core.plan.generations import current_generation, migrates
from weavectl.core.redact import REDACTOR
from weavectl.core.smoke_checks import (
    Check,
    Pending,
    Result,
    SmokeReport,
    check_expectations,
    default_grpc_address,
    describe_pending,
    indexing_pending,
    object_id,
    parse_objects,
    properties_of,
)
from weavectl.core.weaviate import catalog
from weavectl.core.weaviate.embed_text import name_as_words, text_vectors, with_module_defaults
from weavectl.core.weaviate.rest import collection_name, to_rest
from weavectl.core.weaviate.usage import used_modules
from weavectl.errors import ConfigError, ServerError, UsageError, WeavectlError
from weavectl.run import Loaded

KEY_REJECTED_MARKERS = ("401", "403", "unauthorized", "api key", "api_key", "invalid api token", "authentication")
UNREACHABLE_MARKERS = ("connection refused", "no such host", "dial tcp", "connect: ", "timeout", "eof")
# Said by the gRPC transport itself, never by a module's provider call.
GRPC_MARKERS = ("failed to connect to all addresses", "statuscode.unavailable", "dns resolution failed")
VECTORIZER_KINDS = ("text2vec", "multi2vec", "text2multivec", "multi2multivec")
# The copy carries the real collection's name in this property (see faithful_copy).
CLASS_NAME_PROPERTY = "_"


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """CI runners stop jobs with SIGTERM: treat it like Ctrl-C so cleanup still runs."""
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class GrpcTarget:
    host: str
    port: int
    secure: bool
    how: str  # where the address came from, for messages

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


GRPC_HOW_TO = ("set it with --grpc-address HOST:PORT, `grpc_address` in the environment of the file, or "
               "WEAVIATE_GRPC_ADDRESS")


def grpc_target(loaded: Loaded, rest_url: str, grpc: str | None, environ: Mapping[str, str]) -> GrpcTarget:
    parsed = urlparse(rest_url)
    secure = parsed.scheme == "https"
    for how, address in (("--grpc-address", grpc), ("the environment's grpc_address",
                                                     loaded.environment().get("grpc_address")),
                         ("WEAVIATE_GRPC_ADDRESS", environ.get("WEAVIATE_GRPC_ADDRESS"))):
        if address:
            given_host, _, given_port = str(address).rpartition(":")
            if not given_port.isdigit():
                raise UsageError(f"{how}: {address!r} is not HOST:PORT")
            return GrpcTarget(given_host or "127.0.0.1", int(given_port), secure, how)
    host, port, why = default_grpc_address(parsed.hostname or "127.0.0.1", secure)
    return GrpcTarget(host, port, secure, f"the default derived from {rest_url}: {why}")


def probe_grpc(target: GrpcTarget, timeout_s: float = 3.0) -> None:
    """Fail fast, and blame Weaviate's connection, when nothing answers on the gRPC address."""
    try:
        with socket.create_connection((target.host, target.port), timeout=timeout_s):
            return
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
    raise ServerError(f"Weaviate's gRPC API is not reachable at {target.address} ({reason}); the address is "
                      f"{target.how}", hint=GRPC_HOW_TO + " (smoke imports and queries go through gRPC)")


def _headers(coll: dict[str, Any], loaded: Loaded, keys: dict[str, str], rest_url: str) -> dict[str, str]:
    return provider_headers(coll, keys, rest_url)


def provider_headers(coll: dict[str, Any], keys: dict[str, str], rest_url: str) -> dict[str, str]:
    """The provider key headers the collection's modules need (imports, queries, migrations)."""
    headers: dict[str, str] = {}
    for module in used_modules(coll):
        spec = catalog.lookup(module)
        for cred in spec.all_credentials if spec else ():
            if cred == "weaviate":  # Weaviate Embeddings: the connection's own key, plus the cluster URL
                headers["X-Weaviate-Cluster-Url"] = rest_url
                continue
            if cred in keys and cred in catalog.CREDENTIALS:
                headers[catalog.CREDENTIALS[cred].header] = keys[cred]
    return headers


def explain_failure(message: str, coll: dict[str, Any], loaded: Loaded, grpc: GrpcTarget | None = None) -> str:
    """Name the culprit: Weaviate's own connection, or the module with the provider's answer and the key source."""
    lowered = message.lower()
    if grpc is not None and any(marker in lowered for marker in GRPC_MARKERS):
        return REDACTOR.scrub(f"Weaviate's gRPC API at {grpc.address} failed ({grpc.how}): {message}; {GRPC_HOW_TO}")
    sources = loaded.data.get("api_keys") or {}
    modules = [m for m in used_modules(coll) if m.split("-", 1)[0] in VECTORIZER_KINDS]
    creds = [c for m in used_modules(coll) for c in catalog.credentials_of(m)]
    parts = []
    for cred in creds:
        where = secrets.describe(sources[cred]) if cred in sources else "no key source in the file"
        parts.append(f"{cred} key ({where})")
    module = ", ".join(modules) or "the module"
    if any(marker in lowered for marker in KEY_REJECTED_MARKERS):
        named = ", ".join(parts) or "the provider key"
        return REDACTOR.scrub(f"{module}: the provider rejected the {named}: {message}")
    keys = f" (key: {', '.join(parts)})" if parts else ""
    if any(marker in lowered for marker in UNREACHABLE_MARKERS):
        return REDACTOR.scrub(f"{module}: the model provider could not be reached{keys}: {message}")
    return REDACTOR.scrub(f"{module}: the provider answered{keys}: {message}")


def load_objects(smoke: dict[str, Any], coll: dict[str, Any], base_dir: Path) -> list[dict[str, Any]]:
    if "objects_file" not in smoke:
        return [dict(o) for o in smoke.get("objects") or [] if isinstance(o, dict)]
    path = base_dir / str(smoke["objects_file"])
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"smoke objects_file {path}: {exc.strerror}") from None
    types = {str(p["name"]): str(p.get("data_type", "")) for p in coll.get("properties") or []}
    try:
        return parse_objects(text, str(path), types)
    except ValueError as exc:
        raise ConfigError(f"smoke objects_file: {exc}") from None


def _client_modules() -> Any:
    import weaviate  # lazily: only this stage needs the official client

    return weaviate


@dataclass
class Options:
    in_place: bool = False
    query_only: bool = False
    index_timeout_s: float = 120.0
    progress: Callable[[str], None] | None = None
    clock: Callable[[], float] = time.monotonic  # latencies and the indexing wait (the Environment's clock)


def run_smoke(loaded: Loaded, client: WeaviateClient, keys: dict[str, str], *, in_place: bool,
              grpc: str | None, environ: Mapping[str, str], targets: tuple[str, ...] = (),
              query_only: bool = False, index_timeout_s: float = 120.0,
              progress: Callable[[str], None] | None = None,
              physical: Mapping[str, str] | None = None, clock: Callable[[], float] = time.monotonic) -> SmokeReport:
    """`physical`: file name (lower case) -> the live collection to use instead of the one the aliases point at
    (a migration checks its new generation before the swap)."""
    # Third-party warnings (authlib's httpx deprecation, ...) are kept for --debug, never printed.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = _run(loaded, client, keys, grpc=grpc, environ=environ, targets=targets,
                      options=Options(in_place, query_only, index_timeout_s, progress, clock),
                      physical=physical or {})
    report.warnings = [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught]
    return report


def live_names(client: WeaviateClient, collections: list[dict[str, Any]], given: Mapping[str, str]
               ) -> dict[str, str]:
    """The live collection each file collection means: an `on_replace: migrate` one is the generation its
    aliases point at (core/plan/generations.py); the others are their own name."""
    out = {collection_name(str(c["name"])).lower(): collection_name(str(c["name"])) for c in collections}
    out.update({k.lower(): v for k, v in given.items()})
    if any(migrates(c) and collection_name(str(c["name"])).lower() not in given for c in collections):
        state = client.read_state()
        names = [str(c.get("class", "")) for c in state.classes]
        for coll in collections:
            key = collection_name(str(coll["name"])).lower()
            if migrates(coll) and key not in given:
                out[key] = current_generation(coll, names, state.aliases)
    return out


def _run(loaded: Loaded, client: WeaviateClient, keys: dict[str, str], *, grpc: str | None,
         environ: Mapping[str, str], targets: tuple[str, ...], options: Options,
         physical: Mapping[str, str]) -> SmokeReport:
    weaviate = _client_modules()
    from weaviate.classes.init import AdditionalConfig, Auth, Timeout

    mode = "query-only" if options.query_only else "in-place" if options.in_place else "temporary"
    report = SmokeReport(mode=mode)
    collections = [c for c in loaded.data.get("collections") or [] if isinstance(c, dict) and c.get("smoke")
                   and c.get("state") != "absent"
                   and (not targets or str(c["name"]).lower() in {t.lower() for t in targets})]
    if not collections:
        raise WeavectlError("no collection in the file has smoke data (objects and queries)")
    meta = client.get_json("/v1/meta")
    enabled = meta.get("modules") or {}
    version = str(meta.get("version") or "")
    parsed = urlparse(client.url)
    target = grpc_target(loaded, client.url, grpc, environ)
    probe_grpc(target)
    live = live_names(client, collections, physical)
    for coll in collections:
        name = live[collection_name(str(coll["name"])).lower()]
        missing = [m for m in used_modules(coll) if not any(catalog.same_module(m, e) for e in enabled)]
        if missing:
            report.checks.append(Check(name, "modules enabled", False,
                                       f"not enabled on the server: {', '.join(missing)} (add to ENABLE_MODULES)"))
            continue
        weaviate_client = weaviate.connect_to_custom(
            http_host=parsed.hostname or "127.0.0.1", http_port=parsed.port or (443 if parsed.scheme == "https"
                                                                                   else 80),
            http_secure=parsed.scheme == "https", grpc_host=target.host, grpc_port=target.port,
            grpc_secure=target.secure, headers=_headers(coll, loaded, keys, client.url),
            auth_credentials=Auth.api_key(client.api_key) if client.api_key else None, skip_init_checks=True,
            additional_config=AdditionalConfig(timeout=Timeout(init=10, query=90, insert=180)))
        run = _CollectionRun(coll, name, loaded, client, weaviate_client, report, options, target, version)
        try:
            with _sigterm_as_interrupt():
                run.go()
        finally:
            weaviate_client.close()
    return report


class _CollectionRun:
    def __init__(self, coll: dict[str, Any], name: str, loaded: Loaded, rest: WeaviateClient, wv: Any,
                 report: SmokeReport, options: Options, grpc: GrpcTarget, version: str) -> None:
        self.coll, self.name, self.loaded, self.rest, self.wv = coll, name, loaded, rest, wv
        self.report, self.options, self.grpc, self.version = report, options, grpc, version
        self.clock = options.clock
        self.extra: dict[str, Any] = {}  # properties added to every sample object (the faithful class name)

    def check(self, label: str, ok: bool, detail: str = "", latency_ms: float | None = None,
              results: list[dict[str, Any]] | None = None) -> None:
        self.report.checks.append(Check(self.name, label, ok, detail, latency_ms, results or []))

    def failure(self, message: str) -> str:
        return explain_failure(message, self.coll, self.loaded, self.grpc)

    def go(self) -> None:
        if self.options.query_only:
            self._query_only()
            return
        objects = load_objects(self.coll["smoke"], self.coll, self.loaded.base_dir)
        multi_tenant = bool((self.coll.get("multi_tenancy") or {}).get("enabled"))
        if self.options.in_place:
            self._in_place(objects)
            return
        suffix = uuid.uuid4().hex[:10]
        target = self.name if multi_tenant else f"{self.name}_smoke_{suffix}"
        tenant = f"smoke-{suffix}" if multi_tenant else None
        created = False
        try:
            if not multi_tenant:
                body, self.extra, note = faithful_copy(to_rest(self.coll), target, self.version)
                if note:
                    self.check("copy embeds the real collection name", False, note)
                created = True  # armed before sending: an interrupt mid-request may still leave it created
                self.rest.create_class(body)
            handle = self.wv.collections.get(target)
            if tenant is not None:
                from weaviate.classes.tenants import Tenant

                created = True
                handle.tenants.create([Tenant(name=tenant)])
                handle = handle.with_tenant(tenant)
            if self._import(objects, handle) and self._wait_indexed(target, tenant):
                self._check_vectors(objects, handle)
                self._queries(handle)
        except WeaviateRestError as exc:
            self.check("create temporary collection", False, exc.message)
        finally:
            if created:
                _cleanup(self.rest, self.wv, target, tenant)

    # -- modes -----------------------------------------------------------------------------------------
    def _query_only(self) -> None:
        """Declared queries on the real collection: no create, no import, no delete."""
        if self.rest.get_class(self.name) is None:
            self.check("collection exists", False, f"{self.name} does not exist on the server")
            return
        if (self.coll.get("multi_tenancy") or {}).get("enabled"):
            self.check("query-only", False, "a multi-tenant collection is searched per tenant: query-only cannot "
                                            "pick one; run smoke without --query-only (it uses a temporary tenant)")
            return
        self._queries(self.wv.collections.get(self.name))

    def _in_place(self, objects: list[dict[str, Any]]) -> None:
        """Samples go into the real collection under ids nobody else holds, and are removed afterwards."""
        handle = self.wv.collections.get(self.name)
        ids: list[str] = []
        for obj in objects:
            explicit = obj.get("id") or obj.get("_id")
            ids.append(object_id(obj) if explicit else str(uuid.uuid4()))  # random: cannot collide
        taken = [i for i in ids if self._exists(i)]
        if taken:
            self.check(f"import {len(objects)} objects", False,
                       f"refused: sample id(s) {', '.join(taken)} already exist in {self.name}; smoke --in-place "
                       "never writes over objects it did not create (remove the `id` from the samples, or use "
                       "ids that are not taken)")
            return
        created: list[str] = []
        interrupted = False
        try:
            if self._insert_each(objects, ids, handle, created) and self._wait_indexed(self.name, None):
                self._check_vectors(objects, handle, ids)
                self._queries(handle)
        except KeyboardInterrupt:
            interrupted = True
            raise
        finally:
            _remove_samples(self.rest, self.name, created, recheck_last=interrupted,
                            clock=self.clock)

    def _exists(self, oid: str) -> bool:
        resp = self.rest.request("HEAD", f"/v1/objects/{self.name}/{oid}", ok=(204, 404))
        return resp.status_code == 204

    def _insert_each(self, objects: list[dict[str, Any]], ids: list[str], handle: Any, created: list[str]) -> bool:
        # One REST create per object (POST /v1/objects refuses an id that exists: create-if-absent, atomic),
        # where a batch would overwrite.
        start = self.clock()
        label = f"import {len(objects)} objects"
        for obj, oid in zip(objects, ids, strict=True):
            created.append(oid)  # armed before sending, as for the temporary collection
            try:
                handle.data.insert(properties=properties_of(obj), uuid=oid)
            except Exception as exc:
                text = str(exc)
                if "already exists" in text.lower():
                    created.remove(oid)
                    detail = f"refused: sample id {oid} already exists in {self.name} (created meanwhile)"
                else:
                    detail = f"failed: {self.failure(text)}"
                self.check(label, False, detail, (self.clock() - start) * 1000)
                return False
        self.check(label, True, "", (self.clock() - start) * 1000)
        return True

    # -- stages ----------------------------------------------------------------------------------------
    def _import(self, objects: list[dict[str, Any]], handle: Any) -> bool:
        from weaviate.classes.data import DataObject

        start = self.clock()
        label = f"import {len(objects)} objects"
        try:
            result = handle.data.insert_many([DataObject(properties={**properties_of(o), **self.extra},
                                                         uuid=object_id(o)) for o in objects])
        except Exception as exc:  # the client raises when every object failed (a bad key, an unreachable provider)
            self.check(label, False, f"all failed: {self.failure(str(exc))}", (self.clock() - start) * 1000)
            return False
        latency = (self.clock() - start) * 1000
        errors = getattr(result, "errors", {}) or {}
        if errors:
            first = next(iter(errors.values()))
            message = getattr(first, "message", str(first))
            self.check(label, False, f"{len(errors)} failed: {self.failure(message)}", latency)
            return False
        self.check(label, True, "", latency)
        return True

    def _wait_indexed(self, target: str, tenant: str | None) -> bool:
        """With asynchronous indexing, vectors sit in a queue after import and near-text finds nothing until it
        drains: wait on every node and shard, with a limit."""
        start = self.clock()
        deadline = start + self.options.index_timeout_s
        next_note = start + 3.0
        quiet = 0
        pending: list[Pending] = []
        while True:
            answer = self.rest.get_json(f"/v1/nodes/{target}?output=verbose")
            pending, seen = indexing_pending(answer, target, tenant)
            quiet = quiet + 1 if seen and not pending else 0
            if quiet >= 2:  # twice in a row: a batch being moved from the queue into the index is not missed
                waited = self.clock() - start
                if waited >= 1.0:
                    self.check("indexing finished", True, f"after {waited:.1f} s", waited * 1000)
                return True
            now = self.clock()
            if now >= deadline:
                detail = (describe_pending(pending) if pending
                          else "the queues looked empty once, and the limit came before a second look confirmed it"
                          if seen else "no shard of the collection was listed")
                self.check("indexing finished", False,
                           f"not indexed after {self.options.index_timeout_s:g} s (--index-timeout): {detail}; "
                           "queries were not run, they would find nothing", (now - start) * 1000)
                return False
            if self.options.progress is not None and now >= next_note and pending:
                self.options.progress(f"{self.name}: waiting for indexing ({describe_pending(pending)})")
                next_note = now + 5.0
            time.sleep(0.1 if quiet else 0.25)

    def _queries(self, handle: Any) -> None:
        from weaviate.classes.query import MetadataQuery

        for query in self.coll["smoke"].get("queries") or []:
            kind = "near_text" if "near_text" in query else "hybrid"
            text = str(query[kind])
            target_vector = query.get("target_vector")
            limit = int(query.get("limit") or max(3, len((query.get("expect") or {}).get("top") or [])))
            label = f'{kind} "{text}"' + (f" alpha={query['alpha']}" if "alpha" in query else "") + (
                f" ({target_vector})" if target_vector else "")
            start = self.clock()
            try:
                if kind == "near_text":
                    response = handle.query.near_text(query=text, limit=limit, target_vector=target_vector,
                                                      return_metadata=MetadataQuery(distance=True))
                else:
                    response = handle.query.hybrid(query=text, alpha=float(query.get("alpha", 0.75)), limit=limit,
                                                   target_vector=target_vector,
                                                   return_metadata=MetadataQuery(score=True))
            except Exception as exc:  # any client or server failure is this check's failure
                self.check(label, False, self.failure(str(exc)), (self.clock() - start) * 1000)
                continue
            latency = (self.clock() - start) * 1000
            hits = [Result(str(o.uuid), {k: v for k, v in dict(o.properties).items() if k not in self.extra},
                           o.metadata.score, o.metadata.distance) for o in response.objects]
            ok, detail = check_expectations(query.get("expect") or {}, hits)
            shown = [{"id": h.id, "score": h.score, "distance": h.distance} for h in hits]
            self.check(label, ok, detail, latency, shown)

    def _check_vectors(self, objects: list[dict[str, Any]], handle: Any, ids: list[str] | None = None) -> None:
        vectors: dict[str, dict[str, Any]] = dict(self.coll.get("vectors") or {})
        if self.coll.get("vector"):
            vectors["default"] = self.coll["vector"]
        wanted = ids or [object_id(o) for o in objects]
        by_id: dict[str, Any] = {}
        for oid in wanted:
            found = handle.query.fetch_object_by_id(oid, include_vector=True)
            by_id[oid] = (found.vector or {}) if found is not None else {}
        for vname, vector in vectors.items():
            if vector.get("vectorizer") == "none":
                continue
            dims = {len(by_id[oid].get(vname) or []) for oid in wanted}
            expected = vector.get("dimensions")
            missing = sum(1 for oid in wanted if not by_id[oid].get(vname))
            if missing:
                self.check(f"vectors {vname}", False, f"{missing} object(s) got no vector")
            elif len(dims) != 1 or (expected is not None and dims != {int(expected)}):
                self.check(f"vectors {vname}", False, f"dimensions {sorted(dims)}, expected {expected or 'one size'}")
            else:
                self.check(f"vectors {vname} ({dims.pop()} dims)", True)


def _cleanup(rest: WeaviateClient, wv: Any, target: str, tenant: str | None) -> None:
    # Runs on failure and on KeyboardInterrupt alike; a second Ctrl-C here must not leave the copy behind.
    for _ in range(3):
        try:
            if tenant is not None:
                wv.collections.get(target).tenants.remove([tenant])
            else:
                rest.delete_class(target)
            return
        except KeyboardInterrupt:
            continue
        except Exception:  # best effort; reported below if every attempt fails
            time.sleep(0.5)
    raise WeavectlError(f"could not remove the temporary {'tenant ' + tenant if tenant else 'collection'} "
                        f"{target}; delete it by hand")


def _remove_samples(rest: WeaviateClient, name: str, ids: list[str], *, recheck_last: bool,
                    clock: Callable[[], float] = time.monotonic) -> None:
    """Delete the sample objects smoke created in the real collection (404: it never landed), Ctrl-C or not.

    After an interrupt, the insert that was in flight may still land after its delete: look again for a while.
    """
    left = list(ids)
    for _ in range(3):
        for oid in list(left):
            try:
                rest.request("DELETE", f"/v1/objects/{name}/{oid}", ok=(204, 404))
                left.remove(oid)
            except KeyboardInterrupt:
                continue
            except Exception:  # retried, then reported
                time.sleep(0.3)
        if not left:
            break
    if left:
        raise WeavectlError(f"could not remove smoke's sample objects from {name}: ids {', '.join(left)}; "
                            "delete them by hand")
    if not (recheck_last and ids):
        return
    deadline = clock() + 5.0
    while clock() < deadline:
        try:
            if rest.request("HEAD", f"/v1/objects/{name}/{ids[-1]}", ok=(204, 404)).status_code == 204:
                rest.request("DELETE", f"/v1/objects/{name}/{ids[-1]}", ok=(204, 404))
                return
        except KeyboardInterrupt:
            continue
        except Exception:  # the object was deleted above; this look is only for a late landing
            return
        time.sleep(0.5)


def faithful_copy(body: dict[str, Any], copy_name: str, version: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(copy's class body, property to add to each sample, note when the copy cannot be faithful).

    Modules prepend the camelCase-split class name when vectorizeClassName is on (object_texts.go); under the
    copy's name that would embed different text. So the copy turns it off and carries the real name's words in a
    property named `_`, which sorts before every other property name (the server walks property names in byte
    order and lower-cases their first letter), is embedded by exactly the vectors that prepended the name, without
    its name, and is not searchable by BM25.
    """
    real = str(body["class"])
    stored = with_module_defaults(body)
    out = json.loads(json.dumps(body))
    out["class"] = copy_name
    # References point at other collections; sample objects do not set them, so leave them out.
    out["properties"] = [p for p in out.get("properties") or []
                         if not any(str(t)[:1].isupper() for t in p.get("dataType") or [])]
    vectors = text_vectors(stored)
    prefixed = {v for v, (_, settings) in vectors.items() if settings.get("vectorizeClassName") is not False}
    if not prefixed:
        return out, {}, ""
    if any(p.get("name") == CLASS_NAME_PROPERTY for p in out["properties"]):
        return out, {}, (f"{real} has a property named {CLASS_NAME_PROPERTY!r}: the copy embeds its own name "
                         f"{copy_name} instead of {real}")
    by_module: dict[str, set[bool]] = {}
    for vname, (module, settings) in vectors.items():
        if not settings.get("properties"):
            by_module.setdefault(module, set()).add(vname in prefixed)
    mixed = sorted(m for m, flags in by_module.items() if len(flags) > 1)
    if mixed:
        return out, {}, (f"vectors of {', '.join(mixed)} differ in vectorize_collection_name: the copy embeds its "
                         f"own name {copy_name} instead of {real}")
    module_config: dict[str, Any] = {}
    for vname, (module, settings) in vectors.items():
        on = vname in prefixed
        new_settings = {**settings, "vectorizeClassName": False}
        if settings.get("properties") and on:
            new_settings["properties"] = [*settings["properties"], CLASS_NAME_PROPERTY]
        if vname == "default" and out.get("vectorizer") == module:
            out.setdefault("moduleConfig", {})[module] = {**(out.get("moduleConfig") or {}).get(module, {}),
                                                         **new_settings}
        else:
            out["vectorConfig"][vname]["vectorizer"][module] = new_settings
        module_config[module] = {"skip": not on, "vectorizePropertyName": False}
    out["properties"].append({"name": CLASS_NAME_PROPERTY, "dataType": ["text"], "indexSearchable": False,
                              "indexFilterable": False, "moduleConfig": module_config,
                              "description": f"weavectl smoke: the words of {real}, as the module would prepend"})
    return out, {CLASS_NAME_PROPERTY: name_as_words(real)}, ""
