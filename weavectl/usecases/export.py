"""Export: read a live cluster and describe it as a config file (minimal: server defaults left out)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from weavectl.adapters.environment import Environment
from weavectl.core.plan.export import export_document
from weavectl.core.weaviate.version import parse_version
from weavectl.errors import UsageError
from weavectl.render.exported import render_export
from weavectl.run import check_server_version, client_for


@dataclass(frozen=True, kw_only=True)  # by name: neighbouring flags cannot swap
class ExportRequest:
    files: tuple[str, ...] = ()
    env_name: str | None = None
    url: str | None = None
    only: tuple[str, ...] = ()  # these collections (any case), else all


@dataclass(frozen=True)
class ExportResult:
    document: dict[str, Any]
    text: str  # the file: YAML under its header (the CLI's streams scrub what they print; --output scrubs too)
    url: str
    version: str
    warnings: tuple[str, ...] = ()  # already shown on the environment's stderr, as they arose

    @property
    def count(self) -> int:
        return len(self.document["collections"])


def export(request: ExportRequest, env: Environment) -> ExportResult:
    if request.env_name is None and request.url is None and not env.environ.get("WEAVIATE_URL"):
        raise UsageError("export needs a cluster: --url URL, --env NAME (with -f), or WEAVIATE_URL")
    client, _ = client_for(request.files, request.env_name, request.url, env)
    try:
        live = client.read_state()
    finally:
        client.close()
    warnings: list[str] = []

    def warn(message: str | None) -> None:
        if message:
            warnings.append(message)
            env.warn(message)

    warn(check_server_version(live.version, live.url))
    if not live.classes:
        warn("the server listed no collections" + (
            ": if it has some, this API key may lack permission to read them (Weaviate leaves out of /v1/schema "
            "what a key may not read)" if client.api_key else "; the export is empty"))
    doc = export_document(live.classes, live.aliases, parse_version(live.version), list(request.only) or None)
    missing = {n.lower() for n in request.only} - {str(c["name"]).lower() for c in doc["collections"]}
    if missing:
        raise UsageError(f"no such collection on the server: {', '.join(sorted(missing))}")
    return ExportResult(doc, render_export(doc, live.url, live.version), live.url, live.version, tuple(warnings))
