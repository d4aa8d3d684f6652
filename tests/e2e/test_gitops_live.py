"""The GitOps example runs as written: its workflow's own `run:` scripts (validate, markdown plan and saved
artifact, apply of the reviewed plan with smoke, the push-without-PR / stale-plan recovery step) and the
README's promotion commands, executed with bash against two real servers standing in for staging and prod.

What the test changes in a copy of the example, and why: the nvidia vector's base_url points at the local
provider (the real one cannot be reached); prod's replication factor is 1 (the stand-in is a single node);
staging has no API key (its stand-in is the anonymous node)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import PROVIDER_KEYS, WEAVIATE_ADMIN_KEY
from tests.support.providers import LocalProviders
from weavectl.devserver import WeaviateServer

REPO = Path(__file__).resolve().parents[2]
GITOPS = REPO / "examples" / "gitops"


def _steps() -> dict[str, dict[str, Any]]:
    workflow = yaml.safe_load((GITOPS / ".github" / "workflows" / "weavectl.yml").read_text())
    return {step["name"]: step for job in workflow["jobs"].values() for step in job["steps"] if "name" in step}


def _find(steps: dict[str, dict[str, Any]], prefix: str) -> str:
    (name,) = [n for n in steps if n.startswith(prefix)]
    return str(steps[name]["run"])


@pytest.fixture
def repo(tmp_path: Path, providers: LocalProviders) -> Path:
    work = tmp_path / "repo"
    shutil.copytree(GITOPS / "weaviate", work / "weaviate")
    cfg = work / "weaviate" / "collections.yaml"
    text = cfg.read_text()
    text = text.replace("model: nvidia/nv-embedqa-e5-v5",
                        f"model: nvidia/nv-embedqa-e5-v5\n        base_url: {providers['nvidia'].url}")
    text = text.replace("replication: { factor: 3 }", "replication: { factor: 1 }")
    text = text.replace("    auth: { env: WEAVIATE_STAGING_KEY }\n", "")
    cfg.write_text(text)
    shim = tmp_path / "bin" / "weavectl"
    shim.parent.mkdir()
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m weavectl \"$@\"\n")
    shim.chmod(0o755)
    return work


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = script.replace("${{ github.event_name }}", "push")
    assert "${{" not in script, script
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_gitops_workflow_steps_run_end_to_end(repo: Path, weaviate: WeaviateServer, weaviate_auth: WeaviateServer,
                                              tmp_path: Path) -> None:
    steps = _steps()
    out_file, summary = tmp_path / "github_output", tmp_path / "summary.md"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("WEAVIATE_", "NVIDIA_"))}
    env = {**base, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "PYTHONPATH": str(REPO),
           "WEAVECTL_ENV": "prod", "WEAVIATE_PROD_URL": weaviate_auth.url,
           "WEAVIATE_STAGING_URL": weaviate.url, "WEAVIATE_PROD_KEY": WEAVIATE_ADMIN_KEY,
           "GITHUB_OUTPUT": str(out_file), "GITHUB_STEP_SUMMARY": str(summary)}
    keys = {"NVIDIA_APIKEY": PROVIDER_KEYS["nvidia"]}
    for server in (weaviate, weaviate_auth):
        httpx.delete(f"{server.url}/v1/schema/Document", headers=server.headers())
    try:
        # Pull request: validate offline, plan without provider keys, keep the markdown and the plan file.
        assert _bash(_find(steps, "Validate"), repo, env).returncode == 0
        plan = _bash(_find(steps, "Plan against"), repo, env)
        assert plan.returncode == 0, plan.stdout + plan.stderr
        assert "changes=true" in out_file.read_text()
        markdown = (repo / "plan.md").read_text()
        assert markdown.startswith("### weavectl plan: 1 to create"), markdown
        assert "vector content: module text2vec-nvidia, model nvidia/nv-embedqa-e5-v5" in markdown
        assert "nvidia: environment variable NVIDIA_APIKEY is not set" in markdown  # and who will need it
        assert (repo / "plan.json").exists()
        # Merge: apply the reviewed plan with the keys, smoke included.
        env_apply = {**env, **keys, "WEAVIATE_GRPC_ADDRESS": weaviate_auth.grpc_address}
        applied = _bash(_find(steps, "Apply the reviewed plan"), repo, env_apply)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "Apply complete: 1 created, 0 updated, 0 replaced, 0 deleted" in applied.stdout
        assert "Verified: a fresh plan shows no changes." in applied.stdout
        # Two merges in a row: the second reviewed plan is stale once the first is applied.
        cfg = repo / "weaviate" / "collections.yaml"
        cfg.write_text(cfg.read_text().replace("Knowledge-base articles", "Knowledge-base articles (v2)"))
        assert _bash(_find(steps, "Plan against"), repo, env).returncode == 0
        httpx.put(f"{weaviate_auth.url}/v1/schema/Document", headers=weaviate_auth.headers(),
                  json={**httpx.get(f"{weaviate_auth.url}/v1/schema/Document", headers=weaviate_auth.headers())
                        .json(), "description": "changed by the first merge"}).raise_for_status()
        stale = _bash(_find(steps, "Apply the reviewed plan"), repo, env_apply)
        assert stale.returncode == 1 and "stale plan" in stale.stderr, stale.stdout + stale.stderr
        # Recovery (and the push-without-PR path): plan main now, show it in the summary, apply it.
        recovered = _bash(_find(steps, "Plan main and apply it"), repo, env_apply)
        assert recovered.returncode == 0, recovered.stdout + recovered.stderr
        assert "Knowledge-base articles (v2)" in summary.read_text()
        # Promotion (README): the same file to staging, then the direction-explicit diff of the two clusters.
        readme = (GITOPS / "README.md").read_text()
        staging = next(line for line in re.findall(r"^weavectl plan .*--env staging.*$", readme, flags=re.M))
        promoted = _bash(staging, repo, {**env, **keys, "WEAVIATE_GRPC_ADDRESS": weaviate.grpc_address})
        assert promoted.returncode == 0, promoted.stdout + promoted.stderr
        diff = _bash("weavectl diff -f weaviate/ --from staging --to prod --detailed-exitcode", repo, env)
        assert diff.returncode == 0, diff.stdout + diff.stderr
        assert "Read-only. Applying staging's definitions to prod would change" in diff.stdout
    finally:
        for server in (weaviate, weaviate_auth):
            httpx.delete(f"{server.url}/v1/schema/Document", headers=server.headers())
