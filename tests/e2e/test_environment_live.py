"""Commands read the process only through the Environment the CLI builds: a test passes its own variables,
streams, terminal flags and clock, and nothing of the real process leaks in (no monkeypatching)."""

from __future__ import annotations

import io
import itertools
import json
import os
from pathlib import Path

import pytest

from tests.support.plan_helpers import write_config
from weavectl.adapters.environment import Environment
from weavectl.cli import run_cli
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server

KEY_VAR = "WEAVECTL_ENVIRONMENT_TEST_KEY"


def _env(weaviate: WeaviateServer, **kwargs: object) -> Environment:
    ticks = itertools.count(start=100.0, step=1.5)
    return Environment(environ={"WEAVIATE_URL": weaviate.url, KEY_VAR: "sk-environment-test-0123456789"},
                       stdout=io.StringIO(), stderr=io.StringIO(), clock=lambda: next(ticks),
                       **kwargs)  # type: ignore[arg-type]


def test_plan_and_apply_read_only_the_environment_they_are_given(weaviate: WeaviateServer, tmp_path: Path,
                                                                 collection_name: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert KEY_VAR not in os.environ
    cfg = write_config(tmp_path, [{"name": collection_name, "properties": [{"name": "t", "data_type": "text"}],
                                   "vectors": {"main": {"vectorizer": "text2vec-openai",
                                                        "base_url": "http://127.0.0.1:9", "index": {"type": "hnsw"}}}}],
                       api_keys={"openai": {"env": KEY_VAR}})
    env = _env(weaviate)
    # The URL and the key source come from the given variables, the output goes to the given stream.
    assert run_cli(["plan", "-f", str(cfg), "--format", "json"], obj={"environment": env}) == 0
    data = json.loads(env.stdout.getvalue())  # type: ignore[attr-defined]
    assert data["server"]["url"] == weaviate.url
    assert [(c["collection"], c["action"]) for c in data["changes"]] == [(collection_name, "create")]
    assert [(s["name"], s["resolved"]) for s in data["key_sources"]] == [("openai", True)]
    assert "sk-environment-test" not in env.stdout.getvalue()  # type: ignore[attr-defined]

    # No terminal in this environment: apply without --auto-approve refuses to ask.
    env = _env(weaviate, interactive=False)
    capsys.readouterr()
    assert run_cli(["apply", "-f", str(cfg)], obj={"environment": env}) == 64
    assert "there is no terminal to ask on" in capsys.readouterr().err  # the error boundary's own stream

    # Apply's progress is timed by the given clock.
    env = _env(weaviate)
    assert run_cli(["apply", "-f", str(cfg), "--auto-approve"], obj={"environment": env}) == 0
    assert "Verified: a fresh plan shows no changes." in env.stdout.getvalue()  # type: ignore[attr-defined]
    assert f"create collection {collection_name}: done in 1.5s" in env.stderr.getvalue()  # type: ignore[attr-defined]
