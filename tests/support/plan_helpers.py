"""Helpers for the live `weavectl plan` tests: write a config, run plan in-process, read the JSON plan.

Every assertion helper puts the plan's own field changes and the live definition into its failure message, so a
failing (or xfailed) case shows exactly what plan produced and what the server holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

import httpx
import jsonschema
import pytest
import yaml

from weavectl.adapters.schemas import load_schema
from weavectl.cli import run_cli


class Server(Protocol):
    """What the tests need of a running node (weavectl.devserver.WeaviateServer)."""

    @property
    def url(self) -> str: ...

    grpc_port: int

    def headers(self) -> dict[str, str]: ...


# Environment variables that would change what plan connects to or which keys it finds.
HERMETIC_ENV = ("WEAVIATE_URL", "WEAVIATE_API_KEY", "OPENAI_APIKEY", "COHERE_APIKEY", "NVIDIA_APIKEY",
                "VOYAGEAI_APIKEY", "JINAAI_APIKEY", "MISTRAL_APIKEY", "HUGGINGFACE_APIKEY")


def write_config(directory: Path, collections: list[dict[str, Any]], *, api_keys: dict[str, Any] | None = None,
                 filename: str = "weavectl.yaml") -> Path:
    """A weavectl config file holding these collections (and key sources, when given)."""
    doc: dict[str, Any] = {"version": 1}
    if api_keys:
        doc["api_keys"] = api_keys
    doc["collections"] = collections
    path = directory / filename
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return path


@dataclass
class PlanResult:
    code: int
    out: str
    err: str
    live: dict[str, Any] | None = None  # the live definition of the target, for failure messages

    @property
    def data(self) -> dict[str, Any]:
        try:
            parsed: dict[str, Any] = json.loads(self.out)
        except ValueError as exc:
            raise AssertionError(f"plan did not print JSON (exit {self.code}):\n{self.out}\n{self.err}") from exc
        return parsed

    def change(self, collection: str) -> dict[str, Any] | None:
        for change in self.data.get("changes", []):
            if str(change["collection"]).lower() == collection.lower():
                return dict(change)
        return None

    def fields(self, collection: str) -> list[dict[str, Any]]:
        change = self.change(collection)
        return list(change["fields"]) if change else []

    def field(self, collection: str, path: str) -> dict[str, Any]:
        for item in self.fields(collection):
            if path in (item["rest_path"], item["path"]):  # REST path, or the config's own
                return dict(item)
        raise AssertionError(f"no field change at {path!r}\n{self.evidence()}")

    def evidence(self) -> str:
        """Exit code, the plan's changes and errors, and the live definition: what a bug report needs."""
        lines = [f"exit code {self.code}"]
        try:
            data = self.data
        except AssertionError:
            lines += ["stdout:", self.out, "stderr:", self.err]
        else:
            for change in data.get("changes", []):
                lines.append(f"{change['collection']}: {change['action']}")
                for item in change.get("fields", []):
                    lines.append(f"  {item['kind']:<12} {item['rest_path']}: {_short(item.get('before'))} -> "
                                 f"{_short(item.get('after'))}" + (f"  ({item['reason']})" if item.get("reason")
                                                                   else ""))
                lines += [f"  warning: {w}" for w in change.get("warnings", [])]
            lines += [f"error: {e}" for e in data.get("errors", [])]
            if self.err.strip():
                lines.append(f"stderr: {self.err.strip()}")
        if self.live is not None:
            lines.append("live GET /v1/schema/{class}: " + json.dumps(self.live, sort_keys=True))
        return "\n".join(lines)


def _short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[:limit] + "..."


def run_plan(server: Server, cfg: Path, capsys: pytest.CaptureFixture[str], targets: Sequence[str] = (),
             *extra: str, fmt: str = "json") -> PlanResult:
    """`weavectl plan -f cfg --url ... --format fmt --detailed-exitcode [--target t ...] extra...`, in-process."""
    argv = ["plan", "-f", str(cfg), "--url", server.url, "--format", fmt, "--detailed-exitcode"]
    for target in targets:
        argv += ["--target", target]
    argv += list(extra)
    capsys.readouterr()  # drop whatever earlier steps printed
    code = run_cli(argv)
    captured = capsys.readouterr()
    if fmt == "json" and captured.out.strip().startswith("{"):
        # Every JSON plan the live suite sees must honour the published contract.
        jsonschema.validate(json.loads(captured.out), load_schema("plan.schema.json"))
    live = get_class(server, targets[0]) if len(targets) == 1 else None
    return PlanResult(code=code, out=captured.out, err=captured.err, live=live)


# -- the server, as users reach it ------------------------------------------------------------------------

def rest(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers=server.headers(), timeout=60)


def create_rest(server: Server, body: dict[str, Any]) -> dict[str, Any]:
    with rest(server) as client:
        resp = client.post("/v1/schema", json=body)
    assert resp.status_code == 200, f"POST /v1/schema: {resp.status_code} {resp.text}"
    created: dict[str, Any] = resp.json()
    return created


def get_class(server: Server, name: str) -> dict[str, Any] | None:
    with rest(server) as client:
        resp = client.get(f"/v1/schema/{name}")
    if resp.status_code != 200:
        return None
    found: dict[str, Any] = resp.json()
    return found


def delete_class(server: Server, name: str) -> None:
    with rest(server) as client:
        client.delete(f"/v1/schema/{name}")


def create_alias(server: Server, alias: str, target: str) -> None:
    with rest(server) as client:
        resp = client.post("/v1/aliases", json={"alias": alias, "class": target})
    assert resp.status_code == 200, f"POST /v1/aliases: {resp.status_code} {resp.text}"


def delete_alias(server: Server, alias: str) -> None:
    with rest(server) as client:
        client.delete(f"/v1/aliases/{alias}")


def meta_modules(server: Server) -> set[str]:
    with rest(server) as client:
        resp = client.get("/v1/meta")
    resp.raise_for_status()
    return set((resp.json().get("modules") or {}).keys())


@contextmanager
def python_client(server: Server) -> Iterator[Any]:
    """The official Python client (v4), connected the way its docs show for a custom deployment."""
    import weaviate
    from weaviate.classes.init import Auth

    port = urlparse(server.url).port
    assert port is not None
    auth = None
    bearer = server.headers().get("Authorization", "")
    if bearer.startswith("Bearer "):
        auth = Auth.api_key(bearer.removeprefix("Bearer "))
    client = weaviate.connect_to_custom(
        http_host="127.0.0.1", http_port=port, http_secure=False,
        grpc_host="127.0.0.1", grpc_port=server.grpc_port, grpc_secure=False,
        auth_credentials=auth, skip_init_checks=True,
    )
    try:
        yield client
    finally:
        client.close()
