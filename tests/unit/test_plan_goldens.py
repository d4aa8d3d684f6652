"""Golden text, markdown and JSON plans for every action kind, rendered offline from live definitions a real
1.39.3 server returned (tests/cases/plan/; WEAVECTL_UPDATE_GOLDENS=1 rewrites the expected files)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from tests.support.goldens import CASES, OUTPUTS, UPDATE, case_names, render_case
from weavectl.adapters.schemas import load_schema


@pytest.mark.parametrize("name", case_names())
def test_plan_golden(name: str) -> None:
    case = CASES / name
    rendered = render_case(case)
    assert rendered == render_case(case), "the same plan rendered twice differs"
    jsonschema.validate(json.loads(rendered["plan.json"]), load_schema("plan.schema.json"))
    for file in OUTPUTS:
        if UPDATE:
            (case / file).write_text(rendered[file])
        expected = (case / file).read_text()
        assert rendered[file] == expected, f"{name}/{file} changed (WEAVECTL_UPDATE_GOLDENS=1 rewrites it)"


def test_every_action_kind_has_a_golden() -> None:
    kinds: set[str] = set()
    for name in case_names():
        data = json.loads((CASES / name / "plan.json").read_text())
        kinds |= {c["action"] for c in data["changes"]}
        kinds |= {f["kind"] for c in data["changes"] for f in c["fields"]}
        kinds |= {"unmanaged"} if data["unmanaged"] else set()
        kinds |= {"no-op"} if data["unchanged"] and not data["changes"] else set()
    assert kinds >= {"create", "update", "replace", "delete", "add_property", "add_vector", "drop_index",
                     "immutable", "unmanaged", "no-op"}


def test_golden_paths_are_the_configs_own_and_map_back_to_rest() -> None:
    from weavectl.core.config.paths import rest_path
    from weavectl.core.weaviate.rest import to_rest
    from weavectl.run import load_config

    for name in case_names():
        data = json.loads((CASES / name / "plan.json").read_text())
        loaded = load_config((str(CASES / name / "config.yaml"),), None, {})
        bodies = {str(c["name"]).lower(): to_rest(c) for c in loaded.data["collections"] if "state" not in c}
        for change in data["changes"]:
            for f in change["fields"]:
                assert not any(word in f["path"] for word in ("Config", "dataType", "vectorIndex")), f["path"]
                body = bodies.get(change["collection"].lower(), {})
                assert rest_path(f["path"], body) == f["rest_path"], (name, f)
