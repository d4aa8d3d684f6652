"""What the benchmarks share: their integer options, the collections the plan benchmarks create from a file,
the floor those measure against (GET /v1/schema and its JSON parse) and the in-process plan timed against it."""

from __future__ import annotations

import argparse
import compileall
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

import weavectl
from tests.support.recording import RecordingTransport
from weavectl.adapters.collector import tune_garbage_collector
from weavectl.adapters.environment import Environment
from weavectl.cli import run_cli
from weavectl.core.weaviate.rest import to_rest


def options(**defaults: int) -> argparse.Namespace:
    """The command line's `--NAME N` options, one per keyword and in its order, each defaulting to its value."""
    parser = argparse.ArgumentParser()
    for name, default in defaults.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    return parser.parse_args()


def byte_compiled() -> None:
    """weavectl's modules compiled to byte-code, as pip compiles a package it installs: a fresh process then loads
    them the way it loads click and PyYAML (the floors), not from source. Where PYTHONDONTWRITEBYTECODE is set, no
    process keeps what it compiles, and every fresh weavectl process would compile all of its modules again."""
    compileall.compile_dir(str(Path(weavectl.__file__).parent), quiet=1)


def create_collections(url: str, collections: Sequence[dict[str, Any]], every: int, *,
                       resume: bool = False) -> None:
    """Create each collection as apply would (POST the REST form of its file entry), with a progress line every
    `every` collections; `resume` first skips those the node already holds (an earlier run stopped part way)."""
    with httpx.Client(base_url=url, timeout=120) as client:
        existing = {c["class"] for c in client.get("/v1/schema").json().get("classes") or []} if resume else set()
        for i, coll in enumerate(collections):
            if coll["name"] not in existing:
                client.post("/v1/schema", json=to_rest(coll)).raise_for_status()
            if i % every == every - 1:
                print(f"  created {i + 1}/{len(collections)}", file=sys.stderr)


def schema_floor(url: str, collections: int) -> None:
    """The floor a plan is measured against: fetch and parse the whole schema (which holds `collections`)."""
    # verify=False: a plain-HTTP request needs no CA bundle, and loading one (tens of ms) is not the floor's work;
    # weavectl's own client skips it for http:// too.
    classes = httpx.get(f"{url}/v1/schema", timeout=120, verify=False).json()["classes"]
    assert len(classes) >= collections


class InProcessPlan:
    """`weavectl plan --format json --detailed-exitcode` (or `output`'s format) of one file, in this process: each
    run records the requests it sent (which must not grow with the number of collections) and its exit code.
    `cache=False` runs it as on a machine that never read the file before (`WEAVECTL_NO_CACHE=1`: every run
    parses it)."""

    def __init__(self, config_path: str, *, cache: bool = True, output: str = "json") -> None:
        # The process-wide setting `weavectl`'s entry point makes, so this process times what a weavectl process
        # does (the floors measured beside it run under the same setting).
        tune_garbage_collector()
        self.config_path = config_path
        self.output = output  # "text": the terminal's plan, with its digest (the node names read too)
        self.environ = dict(os.environ) if cache else {**os.environ, "WEAVECTL_NO_CACHE": "1"}
        self.request_counts: list[int] = []
        self.codes: list[int] = []

    def __call__(self, url: str) -> None:
        recorder = RecordingTransport()
        # The JSON plan itself is not the result.
        environment = Environment(environ=self.environ, stdout=io.StringIO(), stderr=io.StringIO(), transport=recorder)
        code = run_cli(["plan", "-f", self.config_path, "--url", url, "--format", self.output, "--detailed-exitcode"],
                       obj={"environment": environment})
        self.request_counts.append(len(recorder.requests))
        self.codes.append(code)
