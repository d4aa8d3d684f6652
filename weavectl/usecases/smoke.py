"""Smoke: embed the file's sample objects and run its queries against the live cluster (`weavectl/smoke.py`)."""

from __future__ import annotations

from dataclasses import dataclass

from weavectl.adapters.environment import Environment
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.core.redact import REDACTOR
from weavectl.core.smoke_checks import SmokeReport
from weavectl.errors import ExitCode, KeySourceError, UsageError
from weavectl.run import Loaded, connect, load_config, resolve_keys
from weavectl.smoke import run_smoke


@dataclass(frozen=True, kw_only=True)  # by name: neighbouring flags cannot swap
class SmokeRequest:
    files: tuple[str, ...] = ()
    env_name: str | None = None
    url: str | None = None
    grpc_address: str | None = None
    in_place: bool = False
    query_only: bool = False
    index_timeout: float = 120.0
    targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class SmokeResult:
    report: SmokeReport

    @property
    def exit_code(self) -> int:
        return ExitCode.OK if self.report.ok else ExitCode.ERROR


def smoke(request: SmokeRequest, env: Environment) -> SmokeResult:
    loaded = load_config(request.files, request.env_name, env.environ)
    client = connect(loaded, request.url, env)
    try:
        return smoke_on(loaded, client, request, env)
    finally:
        client.close()


def smoke_on(loaded: Loaded, client: WeaviateClient, request: SmokeRequest, env: Environment) -> SmokeResult:
    """Smoke with a config already loaded and a client already connected (`apply --smoke`); `request`'s
    files, environment and URL are not read again."""
    if request.in_place and request.query_only:
        raise UsageError("--in-place and --query-only exclude each other (query-only writes nothing)")
    keys, key_errors = resolve_keys(loaded, env)
    if key_errors:
        raise KeySourceError("smoke needs the provider keys, and these key sources did not resolve:\n  "
                             + "\n  ".join(key_errors))
    report = run_smoke(loaded, client, keys, in_place=request.in_place, grpc=request.grpc_address,
                       environ=env.environ, targets=request.targets, query_only=request.query_only,
                       index_timeout_s=request.index_timeout,
                       progress=lambda line: env.echo(REDACTOR.scrub(line), err=True), clock=env.clock)
    return SmokeResult(report)
