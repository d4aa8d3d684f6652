"""Every wait has a limit, and the same cluster and file give the same bytes: on a real weaviate-server."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from weavectl.cli import run_cli
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server

PLAIN = "version: 1\ncollections:\n  - name: Article\n    properties: [{ name: title, data_type: text }]\n"


@pytest.fixture
def stopped(weaviate: WeaviateServer) -> Iterator[WeaviateServer]:
    """The shared node, frozen with SIGSTOP (it accepts connections, answers nothing) and always resumed."""
    assert weaviate.proc is not None
    os.kill(weaviate.proc.pid, signal.SIGSTOP)
    try:
        yield weaviate
    finally:
        os.kill(weaviate.proc.pid, signal.SIGCONT)


def test_plan_against_a_hung_server_returns_within_the_timeout_and_says_what_it_tried(
        stopped: WeaviateServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(PLAIN)
    started = time.monotonic()
    # `progress` stands in for a terminal on stderr: after a few silent seconds the wait is shown.
    code = run_cli(["--timeout", "5", "plan", "-f", str(config), "--url", stopped.url], obj={"progress": True})
    took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 1
    assert took < 5 + 3, f"took {took:.1f}s"
    assert f"Weaviate at {stopped.url} gave no usable answer to plan's reads within 5s" in err
    assert "Tried: GET /v1/meta: no answer within 5.0s" in err
    assert "still waiting for Weaviate: GET /v1/meta (gives up after 5s)" in err


def test_the_timeout_comes_from_the_environment_too(stopped: WeaviateServer, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("WEAVECTL_TIMEOUT", "2")
    started = time.monotonic()
    code = run_cli(["export", "--url", stopped.url])
    assert code == 1 and time.monotonic() - started < 2 + 3
    assert "within 2s (--timeout / WEAVECTL_TIMEOUT)" in capsys.readouterr().err


def test_same_cluster_and_file_give_byte_identical_plans(weaviate: WeaviateServer, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    tag = uuid.uuid4().hex[:6]
    names = [f"Zq{tag}", f"Aq{tag}", f"Mq{tag}"]  # created out of order
    for name in names:
        httpx.post(f"{weaviate.url}/v1/schema", json={"class": name, "vectorizer": "none"},
                   timeout=30).raise_for_status()
    try:
        config = tmp_path / "c.yaml"
        config.write_text(PLAIN)
        outputs = []
        for fmt in ("json", "json", "text", "text", "markdown", "markdown"):
            assert run_cli(["plan", "-f", str(config), "--url", weaviate.url, "--format", fmt]) == 0
            outputs.append(capsys.readouterr().out)
        assert outputs[0] == outputs[1] and outputs[2] == outputs[3] and outputs[4] == outputs[5]
        unmanaged_line = next(line for line in outputs[2].splitlines() if line.startswith("Unmanaged"))
        ours = [n for n in unmanaged_line.split(": ", 1)[1].split(", ") if n.endswith(tag)]
        assert ours == sorted(names, key=str.lower)
    finally:
        for name in names:
            httpx.delete(f"{weaviate.url}/v1/schema/{name}", timeout=30)
