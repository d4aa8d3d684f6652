"""The golden plans' live definitions are what a real server returns: recorded from it
(WEAVECTL_UPDATE_GOLDENS=1), and checked against it on every run of the server suite."""

from __future__ import annotations

import json

import pytest

from tests.support.goldens import CASES, UPDATE, case_names, record_live
from weavectl.devserver import WeaviateServer


def test_golden_live_definitions_match_the_server(weaviate: WeaviateServer) -> None:
    for name in case_names():
        case = CASES / name
        live = record_live(case, weaviate.url, weaviate.headers())
        if UPDATE:
            (case / "live.json").write_text(json.dumps(live, indent=2, sort_keys=True) + "\n")
        recorded = json.loads((case / "live.json").read_text())
        if recorded["version"] != live["version"]:
            pytest.skip(f"goldens were recorded on {recorded['version']}; this server is {live['version']}")
        assert live["classes"] == recorded["classes"], f"{name}: the server's definitions changed"
