"""The cycle collector's pauses: the collector comes back as it was, a weavectl process freezes what a paused
phase leaves (and nothing else does), and the paused phases leave no reference cycle holding the document."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from weavectl.adapters import collector
from weavectl.adapters.collector import collector_paused
from weavectl.core.config.diagnostics import Position
from weavectl.core.config.yamldoc import Document
from weavectl.core.plan.planner import PlanInput, build_plan
from weavectl.run import load_config


@pytest.fixture
def freezing() -> Iterator[None]:
    """The policy of a weavectl process, for one test; what it froze is unfrozen after."""
    collector._POLICY.freeze_after_pause = True
    try:
        yield
    finally:
        collector._POLICY.freeze_after_pause = False
        gc.unfreeze()


def test_the_collector_comes_back_as_it_was_also_after_an_error() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("the phase failed")
    assert gc.isenabled()
    gc.disable()  # a caller that had it off keeps it off
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_only_a_weavectl_process_freezes_what_a_paused_phase_leaves(freezing: None) -> None:
    gc.unfreeze()
    with collector_paused():
        kept = [{"n": i} for i in range(1000)]
    assert gc.get_freeze_count() >= len(kept)
    gc.unfreeze()
    collector._POLICY.freeze_after_pause = False  # a test run, an embedding program: nothing is frozen
    with collector_paused():
        kept.append({"n": -1})
    assert gc.get_freeze_count() == 0


def test_the_entry_point_turns_freezing_on(tmp_path: Path) -> None:
    """`weavectl` as a process: its entry point sets the policy (run_cli, what tests and programs call, does not)."""
    script = ("import gc, sys\nfrom weavectl import cli\nfrom weavectl.adapters import collector\n"
              "sys.argv = ['weavectl', '--version']\n"
              "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
              "print('POLICY', collector._POLICY.freeze_after_pause, gc.get_threshold()[0])\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert f"POLICY True {collector.GC_YOUNG_THRESHOLD}" in out
    assert not collector._POLICY.freeze_after_pause


def config_file(tmp_path: Path, collections: int) -> Path:
    cols = [{"name": f"Coll{i:03d}", "description": "${DESC:-a collection}",
             "properties": [{"name": f"p{j}", "data_type": "text"} for j in range(10)],
             "vectors": {"main": {"vectorizer": "text2vec-openai", "model": "text-embedding-3-small"}}}
            for i in range(collections)]
    path = tmp_path / f"c{collections}.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "collections": cols}, sort_keys=False))
    return path


def cyclic_garbage(run: Any) -> list[Any]:
    """The objects only the cycle collector would free, of what `run` made."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        run()
        gc.collect()
        found = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return found


def test_reading_checking_and_planning_leave_no_cycle_that_holds_the_document(tmp_path: Path) -> None:
    """The paused phases are frozen after in a weavectl process: a cycle holding the config (as a recursive nested
    function that captured it did) would be kept until the process ends, however large the file."""
    live = json.loads((Path(__file__).parent.parent / "cases" / "live" / "defaults-1.39.3.json").read_text())
    environ = {"WEAVECTL_NO_CACHE": "1"}

    recorded = live["classes"]["text2vec-openai"]  # a real 1.39.3 definition, compared with each collection

    def plan(path: Path, collections: int) -> None:
        loaded = load_config((str(path),), None, environ)
        classes = [{**recorded, "class": f"Coll{i:03d}"} for i in range(collections)]

        def compare() -> None:
            planned = build_plan(PlanInput(
                collections=loaded.data["collections"], live_classes=classes, live_aliases=[],
                live_modules={"text2vec-openai": {}}, server_url="http://x", server_version="1.39.3"))
            assert len(planned.changes) == collections and not planned.errors

        found.append(cyclic_garbage(compare))

    found: list[list[Any]] = []
    for collections in (5, 40):
        path = config_file(tmp_path, collections)
        found.append(cyclic_garbage(lambda p=path: load_config((str(p),), None, environ)))
        plan(path, collections)
    for garbage in found:
        assert not [o for o in garbage if isinstance(o, Document | Position)]
        assert not [o for o in garbage if isinstance(o, dict) and len(o) > 100]  # no positions table, no config
        assert len(garbage) < 200, len(garbage)  # what is left grows with the vectors (the compiled check), little
