"""No secret reaches any output: canary keys planted in every key-source kind (env, file, command, literal) and
in the Weaviate API key, with and without trailing newlines, through every command, with and without --debug.

Scanned for each canary and each of its encodings (base64 standard and URL-safe at any alignment, padded or not,
URL-encoding, JSON and repr escaping): stdout, stderr, the saved plan file, the export, and the real server's
log. The model provider here refuses every key and quotes it back base64- and URL-encoded, as some providers do,
so smoke's error path carries the key too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.providers import LocalProviders
from weavectl.core.redact import encodings
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server


def _canary(kind: str) -> str:
    # Mixed case and digits, like a generated key; unique per run, so a hit can only come from this test.
    return f"cnry{kind}-{uuid.uuid4().hex[:12]}Q{uuid.uuid4().hex[:8].upper()}z"


@dataclass(frozen=True)
class Round:
    name: str
    newline: str  # appended to every key value
    openai: str  # env
    cohere: str  # file
    nvidia: str  # command output
    jinaai: str  # literal
    weaviate: str  # the Weaviate API key, from env (the environment's `auth`)

    @property
    def all(self) -> dict[str, str]:
        return {"openai": self.openai, "cohere": self.cohere, "nvidia": self.nvidia, "jinaai": self.jinaai,
                "weaviate": self.weaviate}


ROUNDS = [Round(name, newline, _canary("Oa"), _canary("Co"), _canary("Nv"), _canary("Ji"), _canary("Wv"))
          for name, newline in (("plain", ""), ("newline", "\n"))]


@pytest.fixture(scope="module")
def echoing_providers() -> Iterator[LocalProviders]:
    local = LocalProviders({n: "never-accepted-0000" for n in ("openai", "nvidia", "cohere", "weaviate")}).start()
    local["openai"].echo_key = True
    yield local
    local.stop()


@pytest.fixture(scope="module")
def canary_server() -> Iterator[WeaviateServer]:
    """A node whose API keys are the canaries themselves, so the Weaviate key is a real, accepted key."""
    server = WeaviateServer(api_keys=tuple(r.weaviate for r in ROUNDS)).start()
    yield server
    server.stop()


def _config(server: WeaviateServer, providers: LocalProviders, rnd: Round) -> str:
    return f"""version: 1
default_environment: dev
api_keys:
  openai: {{ env: CANARY_OPENAI }}
  cohere: {{ file: cohere.key }}
  nvidia: {{ command: [cat, nvidia.out] }}
  jinaai: {{ literal: {rnd.jinaai + rnd.newline!r} }}
environments:
  dev: {{ url: "{server.url}", grpc_address: "{server.grpc_address}", auth: {{ env: CANARY_WEAVIATE }} }}
collections:
  - name: Canary{rnd.name.title()}
    properties: [{{ name: title, data_type: text }}]
    vectors:
      main: {{ vectorizer: text2vec-openai, model: text-embedding-3-small, base_url: "{providers['openai'].url}" }}
    generative: {{ module: generative-cohere }}
    reranker: {{ module: reranker-nvidia }}
    smoke:
      objects: [{{ title: red apples }}, {{ title: green pears }}]
      queries: [{{ near_text: apples }}]
  - name: CanaryJina{rnd.name.title()}
    properties: [{{ name: body, data_type: text }}]
    vectors:
      main: {{ vectorizer: text2vec-jinaai }}
"""


def _commands(debug: bool) -> list[list[str]]:
    pre = ["--debug"] if debug else []
    return [
        [*pre, "validate", "-f", "c.yaml"],
        [*pre, "plan", "-f", "c.yaml"],
        [*pre, "plan", "-f", "c.yaml", "--format", "json"],
        [*pre, "plan", "-f", "c.yaml", "--format", "markdown"],
        [*pre, "plan", "-f", "c.yaml", "--out", "plan.json"],
        [*pre, "apply", "plan.json"],
        [*pre, "apply", "-f", "c.yaml", "--auto-approve"],
        [*pre, "smoke", "-f", "c.yaml"],
        [*pre, "export", "-f", "c.yaml", "--env", "dev", "-o", "export.yaml"],
        [*pre, "diff", "-f", "c.yaml", "--from", "file", "--to", "dev"],
        [*pre, "plan", "-f", "c.yaml", "--url", f"http://user:{ROUNDS[0].weaviate}@127.0.0.1:1"],
    ]


def _leaks(text: str, secrets: dict[str, str]) -> list[str]:
    return [f"{name} as {form!r}" for name, secret in secrets.items() for form in encodings(secret) if form in text]


@pytest.mark.parametrize("rnd", ROUNDS, ids=[r.name for r in ROUNDS])
def test_no_canary_reaches_any_output(rnd: Round, canary_server: WeaviateServer,
                                      echoing_providers: LocalProviders, tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(_config(canary_server, echoing_providers, rnd))
    (tmp_path / "cohere.key").write_text(rnd.cohere + rnd.newline)
    (tmp_path / "nvidia.out").write_text(rnd.nvidia + rnd.newline)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEAVIATE_", "WEAVECTL_"))}
    env |= {"CANARY_OPENAI": rnd.openai + rnd.newline, "CANARY_WEAVIATE": rnd.weaviate + rnd.newline,
            "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    codes: dict[str, int] = {}
    outputs: dict[str, str] = {}
    leaks: list[str] = []
    for debug in (False, True):
        for argv in _commands(debug):
            proc = subprocess.run([sys.executable, "-m", "weavectl", *argv], cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=180, check=False)
            label = " ".join(argv)
            codes[label] = proc.returncode
            output = proc.stdout + proc.stderr
            outputs[label] = output
            assert "Traceback" not in output or debug, f"{label}:\n{output}"
            leaks += [f"{label}: {leak}" for leak in _leaks(output, rnd.all)]
            for artifact in ("plan.json", "export.yaml"):
                if (tmp_path / artifact).exists():
                    leaks += [f"{label}: {artifact}: {leak}"
                              for leak in _leaks((tmp_path / artifact).read_text(), rnd.all)]
    assert canary_server.log_path is not None
    server_log = canary_server.log_path.read_text(errors="replace")
    leaks += [f"server log: {leak}" for leak in _leaks(server_log, rnd.all)]
    assert not leaks, "secrets leaked:\n" + "\n".join(leaks)
    # The commands really ran against the server (a leak test of commands that failed early proves little).
    name = f"Canary{rnd.name.title()}"
    live = httpx.get(f"{canary_server.url}/v1/schema/{name}",
                     headers={"Authorization": f"Bearer {rnd.weaviate}"}, timeout=30)
    assert live.status_code == 200, codes
    assert codes["validate -f c.yaml"] == 0 and codes["plan -f c.yaml --out plan.json"] == 0, codes
    assert codes["apply plan.json"] == 0 and codes["smoke -f c.yaml"] == 1, codes  # the provider refuses keys
    assert codes["export -f c.yaml --env dev -o export.yaml"] == 0, codes
    assert (tmp_path / "export.yaml").read_text().count(name) >= 1
    # The provider did receive the key and quote it back encoded; what smoke printed of that is masked.
    assert any(r.headers.get("Authorization") == f"Bearer {rnd.openai}" for r in echoing_providers["openai"].requests)
    assert "key not accepted (base64 ***" in outputs["smoke -f c.yaml"], outputs["smoke -f c.yaml"]
    assert "user name or password" in outputs[f"plan -f c.yaml --url http://user:{ROUNDS[0].weaviate}@127.0.0.1:1"]
    if rnd.newline:
        assert "was stripped from the key" in outputs["plan -f c.yaml"], outputs["plan -f c.yaml"]
