"""The smoke stage: embed sample objects and run near-text and hybrid queries to prove module, model and key.

Runs on a temporary copy of each collection (or a temporary tenant of a multi-tenant one) so live data is never
touched, and removes it afterwards, on failure and on Ctrl-C too. Import and queries go through the official
weaviate-client (v4), imported here only: it costs about a second at start-up.
"""

from __future__ import annotations

import contextlib
import signal
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlparse

from weavectl.adapters import secrets
from weavectl.adapters.weaviate import WeaviateClient, WeaviateRestError
from weavectl.core import catalog
from weavectl.core.planner import used_modules
from weavectl.core.redact import REDACTOR
from weavectl.core.rest import collection_name, to_rest
from weavectl.core.smoke_checks import Check, Result, check_expectations, object_id, parse_objects, properties_of
from weavectl.errors import ConfigError, WeavectlError
from weavectl.run import Loaded

KEY_REJECTED_MARKERS = ("401", "403", "unauthorized", "api key", "api_key", "invalid api token", "authentication")
UNREACHABLE_MARKERS = ("connection refused", "no such host", "dial tcp", "connect: ", "timeout", "eof")


@dataclass
class SmokeReport:
    checks: list[Check] = field(default_factory=list)
    mode: str = "temporary"

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        failed = [c for c in self.checks if not c.ok]
        return {"ok": self.ok, "mode": self.mode, "checks": [c.to_json() for c in self.checks],
                "failed": len(failed), "total": len(self.checks)}


def render_table(report: SmokeReport) -> str:
    rows = [("collection", "check", "result", "latency", "detail")]
    for c in report.checks:
        latency = f"{c.latency_ms:.0f} ms" if c.latency_ms is not None else ""
        rows.append((c.collection, c.name, "ok" if c.ok else "FAIL", latency, c.detail))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(r[i].ljust(widths[i]) for i in range(4)) + ("  " + r[4] if r[4] else "") for r in rows]
    failed = sum(not c.ok for c in report.checks)
    lines.append(f"Smoke: {len(report.checks) - failed} of {len(report.checks)} checks passed"
                 + (f", {failed} failed." if failed else "."))
    return REDACTOR.scrub("\n".join(lines))


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


def _grpc_target(loaded: Loaded, rest_url: str, grpc: str | None, environ: Mapping[str, str]) -> tuple[str, int]:
    address = grpc or loaded.environment().get("grpc_address") or environ.get("WEAVIATE_GRPC_ADDRESS")
    if address:
        host, _, port = str(address).rpartition(":")
        return host or "127.0.0.1", int(port)
    return urlparse(rest_url).hostname or "127.0.0.1", 50051


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


def _explain_import_error(message: str, coll: dict[str, Any], loaded: Loaded) -> str:
    lowered = message.lower()
    sources = loaded.data.get("api_keys") or {}
    creds = [c for m in used_modules(coll) for c in catalog.credentials_of(m)]
    if any(marker in lowered for marker in KEY_REJECTED_MARKERS):
        parts = []
        for cred in creds:
            where = secrets.describe(sources[cred]) if cred in sources else "no key source in the file"
            parts.append(f"{cred} key ({where})")
        named = ", ".join(parts) or "the provider key"
        return REDACTOR.scrub(f"the provider rejected the {named}: {message}")
    if any(marker in lowered for marker in UNREACHABLE_MARKERS):
        return REDACTOR.scrub(f"the model provider could not be reached: {message}")
    return REDACTOR.scrub(message)


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


def run_smoke(loaded: Loaded, client: WeaviateClient, keys: dict[str, str], *, in_place: bool,
              grpc: str | None, environ: Mapping[str, str], targets: tuple[str, ...] = ()) -> SmokeReport:
    import weaviate  # lazily: only this stage needs the official client
    from weaviate.classes.init import AdditionalConfig, Auth, Timeout

    report = SmokeReport(mode="in-place" if in_place else "temporary")
    collections = [c for c in loaded.data.get("collections") or [] if isinstance(c, dict) and c.get("smoke")
                   and c.get("state") != "absent"
                   and (not targets or str(c["name"]).lower() in {t.lower() for t in targets})]
    if not collections:
        raise WeavectlError("no collection in the file has smoke data (objects and queries)")
    meta = client.get_json("/v1/meta")
    enabled = meta.get("modules") or {}
    parsed = urlparse(client.url)
    grpc_host, grpc_port = _grpc_target(loaded, client.url, grpc, environ)
    for coll in collections:
        name = collection_name(str(coll["name"]))
        missing = [m for m in used_modules(coll) if not any(catalog.same_module(m, e) for e in enabled)]
        if missing:
            report.checks.append(Check(name, "modules enabled", False,
                                       f"not enabled on the server: {', '.join(missing)} (add to ENABLE_MODULES)"))
            continue
        weaviate_client = weaviate.connect_to_custom(
            http_host=parsed.hostname or "127.0.0.1", http_port=parsed.port or (443 if parsed.scheme == "https"
                                                                                   else 80),
            http_secure=parsed.scheme == "https", grpc_host=grpc_host, grpc_port=grpc_port,
            grpc_secure=parsed.scheme == "https", headers=_headers(coll, loaded, keys, client.url),
            auth_credentials=Auth.api_key(client.api_key) if client.api_key else None, skip_init_checks=True,
            additional_config=AdditionalConfig(timeout=Timeout(init=10, query=90, insert=180)))
        try:
            with _sigterm_as_interrupt():
                _smoke_collection(coll, name, loaded, client, weaviate_client, report, in_place=in_place)
        finally:
            weaviate_client.close()
    return report


def _smoke_collection(coll: dict[str, Any], name: str, loaded: Loaded, rest: WeaviateClient, wv: Any,
                      report: SmokeReport, *, in_place: bool) -> None:
    smoke = coll["smoke"]
    objects = load_objects(smoke, coll, loaded.base_dir)
    multi_tenant = bool((coll.get("multi_tenancy") or {}).get("enabled"))
    suffix = uuid.uuid4().hex[:10]
    target = name if in_place or multi_tenant else f"{name}_smoke_{suffix}"
    tenant = f"smoke-{suffix}" if multi_tenant and not in_place else None
    created = False
    try:
        if not in_place and not multi_tenant:
            body = to_rest(coll)
            body["class"] = target
            # References point at other collections; sample objects do not set them, so leave them out.
            body["properties"] = [p for p in body.get("properties") or []
                                  if not any(str(t)[:1].isupper() for t in p.get("dataType") or [])]
            created = True  # armed before sending: an interrupt mid-request may still leave it created
            rest.create_class(body)
        handle = wv.collections.get(target)
        if tenant is not None:
            from weaviate.classes.tenants import Tenant

            created = True
            handle.tenants.create([Tenant(name=tenant)])
            handle = handle.with_tenant(tenant)
        _import_and_query(coll, name, objects, loaded, handle, report)
    except WeaviateRestError as exc:
        report.checks.append(Check(name, "create temporary collection", False, exc.message))
    finally:
        if created:
            _cleanup(rest, wv, target, tenant)


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


def _import_and_query(coll: dict[str, Any], name: str, objects: list[dict[str, Any]], loaded: Loaded, handle: Any,
                      report: SmokeReport) -> None:
    from weaviate.classes.data import DataObject
    from weaviate.classes.query import MetadataQuery

    start = time.monotonic()
    label = f"import {len(objects)} objects"
    try:
        result = handle.data.insert_many([DataObject(properties=properties_of(o), uuid=object_id(o))
                                          for o in objects])
    except Exception as exc:  # the client raises when every object failed (a bad key, an unreachable provider)
        report.checks.append(Check(name, label, False, f"all failed: {_explain_import_error(str(exc), coll, loaded)}",
                                   (time.monotonic() - start) * 1000))
        return
    latency = (time.monotonic() - start) * 1000
    errors = getattr(result, "errors", {}) or {}
    if errors:
        first = next(iter(errors.values()))
        message = getattr(first, "message", str(first))
        report.checks.append(Check(name, label, False,
                                   f"{len(errors)} failed: {_explain_import_error(message, coll, loaded)}", latency))
        return
    report.checks.append(Check(name, label, True, "", latency))
    _check_vectors(coll, name, objects, handle, report)
    for query in coll["smoke"].get("queries") or []:
        kind = "near_text" if "near_text" in query else "hybrid"
        text = str(query[kind])
        target_vector = query.get("target_vector")
        limit = int(query.get("limit") or max(3, len((query.get("expect") or {}).get("top") or [])))
        label = f'{kind} "{text}"' + (f" alpha={query['alpha']}" if "alpha" in query else "") + (
            f" ({target_vector})" if target_vector else "")
        start = time.monotonic()
        try:
            if kind == "near_text":
                response = handle.query.near_text(query=text, limit=limit, target_vector=target_vector,
                                                  return_metadata=MetadataQuery(distance=True))
            else:
                response = handle.query.hybrid(query=text, alpha=float(query.get("alpha", 0.75)), limit=limit,
                                               target_vector=target_vector, return_metadata=MetadataQuery(score=True))
        except Exception as exc:  # any client or server failure is this check's failure
            report.checks.append(Check(name, label, False, _explain_import_error(str(exc), coll, loaded),
                                       (time.monotonic() - start) * 1000))
            continue
        latency = (time.monotonic() - start) * 1000
        hits = [Result(str(o.uuid), dict(o.properties), o.metadata.score, o.metadata.distance)
                for o in response.objects]
        ok, detail = check_expectations(query.get("expect") or {}, hits)
        shown = [{"id": h.id, "score": h.score, "distance": h.distance} for h in hits]
        report.checks.append(Check(name, label, ok, detail, latency, shown))


def _check_vectors(coll: dict[str, Any], name: str, objects: list[dict[str, Any]], handle: Any,
                   report: SmokeReport) -> None:
    vectors: dict[str, dict[str, Any]] = dict(coll.get("vectors") or {})
    if coll.get("vector"):
        vectors["default"] = coll["vector"]
    fetched = handle.query.fetch_objects(limit=max(len(objects), 1), include_vector=True).objects
    by_id = {str(o.uuid): o.vector or {} for o in fetched}
    for vname, vector in vectors.items():
        if vector.get("vectorizer") == "none":
            continue
        dims = {len(by_id.get(object_id(o), {}).get(vname) or []) for o in objects}
        expected = vector.get("dimensions")
        missing = sum(1 for o in objects if not by_id.get(object_id(o), {}).get(vname))
        if missing:
            report.checks.append(Check(name, f"vectors {vname}", False, f"{missing} object(s) got no vector"))
        elif len(dims) != 1 or (expected is not None and dims != {int(expected)}):
            report.checks.append(Check(name, f"vectors {vname}", False,
                                       f"dimensions {sorted(dims)}, expected {expected or 'one size'}"))
        else:
            report.checks.append(Check(name, f"vectors {vname} ({dims.pop()} dims)", True))
