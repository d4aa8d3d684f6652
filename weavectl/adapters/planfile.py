"""The saved plan (`plan --out`, `apply PLANFILE`): a data file, never code.

It holds what was planned, the live definitions it was planned from, the cluster it was planned against and the
config it came from (paths and environment): no key source, no command, no secret. `apply PLANFILE` re-reads
the config it names to resolve key sources, validates every field against schemas/planfile.schema.json, and
checks the file's sha256 digest (of its canonical content), so a hand edit is refused and a reviewer can match
`--expect-digest` to what they approved.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from weavectl.adapters.files import InputFileError, read_regular_file
from weavectl.adapters.schemas import load_schema
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.core.redact import REDACTOR
from weavectl.errors import ConfigError, UsageError, WeavectlError

PLAN_FILE_KIND = "weavectl-plan"
PLAN_FILE_FORMAT = 2
PLAN_FILE_SCHEMA = "planfile.schema.json"
_UNHASHED = ("digest", "created_at")


class PlanFileRefused(WeavectlError):
    pass


# Live definitions of 1,000 collections take about 4 MB; far above that, it is not a plan file.
MAX_PLAN_FILE_BYTES = 256 * 1024 * 1024


def cluster_identity(client: WeaviateClient, *, hostname: str | None = None, nodes: list[str] | None = None
                     ) -> dict[str, Any]:
    """URL, the server's advertised hostname (/v1/meta) and its node names (/v1/nodes); each read only when the
    caller does not already have it. An empty node list means "not read": the check then leans on the rest."""
    if hostname is None:
        hostname = str((client.get_json("/v1/meta") or {}).get("hostname", ""))
    if nodes is None:
        nodes = client.node_names()
    return {"url": client.url.rstrip("/"), "hostname": hostname, "nodes": sorted(nodes)}


def digest_of(payload: dict[str, Any]) -> str:
    body = {k: v for k, v in payload.items() if k not in _UNHASHED}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def build(plan_json: dict[str, Any], live: dict[str, Any], files: tuple[str, ...], environment: str | None,
          cluster: dict[str, Any], *, targets: tuple[str, ...] = (), prune: bool = False,
          replace: tuple[str, ...] = ()) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "kind": PLAN_FILE_KIND,
        "format_version": PLAN_FILE_FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {"files": [str(Path(f).resolve()) for f in files], "environment": environment},
        "options": {"targets": list(targets), "prune": prune, "replace": list(replace)},
        "cluster": cluster,
        "live": live,  # so a stale plan can say what changed since
        "plan": plan_json,
    }
    # Round-trip through JSON so the digest is of exactly what is written (and read back).
    payload = json.loads(REDACTOR.scrub(json.dumps(payload, default=str)))
    payload["digest"] = digest_of(payload)
    return payload


def write(path: str, payload: dict[str, Any]) -> None:
    Path(path).write_text(json.dumps(payload, indent=2) + "\n")


def load(path: str) -> dict[str, Any]:
    """Read and validate a plan file; every problem is a clear error, nothing in it is executed."""
    try:
        raw = read_regular_file(Path(path), MAX_PLAN_FILE_BYTES)
    except InputFileError as exc:
        if str(exc) == "does not exist":
            raise UsageError(f"plan file not found: {path}") from None
        raise ConfigError(f"plan file {path} {exc}") from None
    try:
        saved = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not a weavectl plan file: not UTF-8 text (byte {exc.start})") from None
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"{path} is not a weavectl plan file: {str(exc)[:200]}") from None
    if not isinstance(saved, dict) or saved.get("kind") != PLAN_FILE_KIND:
        raise ConfigError(f"{path} is not a weavectl plan file (made by `weavectl plan --out`)")
    if saved.get("format_version") != PLAN_FILE_FORMAT:
        raise ConfigError(f"{path}: plan file format {saved.get('format_version')!r} is not the one this weavectl "
                          f"reads ({PLAN_FILE_FORMAT}): make the plan again with this version")
    import jsonschema  # here, not at the top: `plan` writes plan files and never needs it (~80 ms to import)

    validator = jsonschema.Draft202012Validator(load_schema(PLAN_FILE_SCHEMA))
    problems = sorted(validator.iter_errors(saved), key=lambda e: list(e.absolute_path))
    if problems:
        listing = "\n".join(f"  {'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message[:200]}"
                            for e in problems[:10])
        raise ConfigError(f"{path} is not a valid weavectl plan file:\n{listing}")
    if digest_of(saved) != saved["digest"]:
        raise PlanFileRefused(f"{path} was changed after it was made (its content does not match its digest "
                              f"{saved['digest']}); refusing it", hint="make the plan again with `weavectl plan --out`")
    return saved


def check_cluster(saved: dict[str, Any], here: dict[str, Any]) -> None:
    there = saved["cluster"]
    reasons = []
    if there["url"].rstrip("/") != here["url"]:
        reasons.append(f"URL {there['url']} (this is {here['url']})")
    if there["hostname"] != here["hostname"]:
        reasons.append(f"hostname {there['hostname']!r} (this is {here['hostname']!r})")
    if there["nodes"] and here["nodes"] and there["nodes"] != here["nodes"]:
        reasons.append(f"nodes {', '.join(there['nodes'])} (this has {', '.join(here['nodes'])})")
    if reasons:
        raise PlanFileRefused("the plan was made against another cluster: " + "; ".join(reasons)
                              + "; nothing was written", hint="make the plan against this cluster")
