"""The bad-input corpus (tests/cases/bad-inputs/cases.yaml): files, URLs, key sources, time limits and server
answers (through a fault proxy in front of a real weaviate-server). Each case names its exit code and message;
none may print a traceback, "this is a bug", or a secret it was given.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.faultproxy import Fault, FaultProxy
from weavectl.cli import run_cli
from weavectl.core.redact import encodings
from weavectl.devserver import WeaviateServer

CASES_FILE = Path(__file__).resolve().parents[1] / "cases" / "bad-inputs" / "cases.yaml"
CORPUS = yaml.safe_load(CASES_FILE.read_text())
CRASH_MARKERS = ("Traceback", "This is a bug", "unexpected ")
CLEARED = ("WEAVIATE_URL", "WEAVIATE_API_KEY", "WEAVIATE_GRPC_ADDRESS", "WEAVECTL_TIMEOUT")


@dataclass
class Case:
    id: str
    args: list[str]
    code: int
    expect: list[str]
    files: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    faults: dict[str, dict[str, Any]] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    server: bool = False
    max_seconds: float = 20.0


CASES = [Case(**raw) for raw in CORPUS["cases"]]


def test_the_corpus_is_large_and_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) >= 100 and len(set(ids)) == len(ids)


@pytest.fixture(scope="module")
def proxy(weaviate: WeaviateServer) -> Iterator[FaultProxy]:
    """Requested only by server cases, so the offline cases start no server."""
    fault_proxy = FaultProxy(weaviate.url).start()
    yield fault_proxy
    fault_proxy.stop()


def _materialise(case: Case, folder: Path, subst: dict[str, str]) -> None:
    for name, value in case.files.items():
        path = folder / name
        text = CORPUS["bases"].get(value, value)
        if text == "fifo":
            os.mkfifo(path)
        elif text == "dir":
            path.mkdir()
        elif text.startswith("link:"):
            path.symlink_to(text.removeprefix("link:"))
        elif text.startswith("sparse:"):
            with open(path, "wb") as handle:
                handle.truncate(int(text.removeprefix("sparse:")))
        elif text.startswith("base64:"):
            path.write_bytes(base64.b64decode(text.removeprefix("base64:")))
        else:
            path.write_text(_fill(text, subst))


def _fill(text: str, subst: dict[str, str]) -> str:
    for key, value in subst.items():
        text = text.replace("{" + key + "}", value)
    return text


def _params() -> list[Any]:
    return [pytest.param(c, id=c.id, marks=[pytest.mark.server] if c.server else []) for c in CASES]


@pytest.mark.parametrize("case", _params())
def test_bad_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest) -> None:
    subst = {"dir": str(tmp_path)}
    if case.server:
        server: WeaviateServer = request.getfixturevalue("weaviate")
        fault_proxy = request.getfixturevalue("proxy")
        fault_proxy.clear()
        for path, spec in case.faults.items():
            fault_proxy.faults[path] = Fault(**spec)
        subst |= {"server": server.url, "proxy": fault_proxy.url}
    _materialise(case, tmp_path, subst)
    monkeypatch.chdir(tmp_path)
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    started = time.monotonic()
    code = run_cli([_fill(a, subst) for a in case.args])
    took = time.monotonic() - started
    out = capsys.readouterr()
    text = out.out + out.err
    assert code == case.code, f"exit {code}, expected {case.code}:\n{text}"
    for expected in case.expect:
        assert expected in text, f"missing {expected!r} in:\n{text}"
    for unwanted in case.absent:
        assert unwanted not in text, f"{unwanted!r} should not be printed:\n{text}"
    for marker in CRASH_MARKERS:
        assert marker not in text, f"crash marker {marker!r}:\n{text}"
    for secret in case.secrets:
        for form in encodings(secret):
            assert form not in text, f"secret (or an encoding of it: {form!r}) printed:\n{text}"
    assert took < case.max_seconds, f"took {took:.1f}s (limit {case.max_seconds}s)"
