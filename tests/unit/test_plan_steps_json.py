"""The JSON plan lists the steps apply runs, in apply's order, each with its request and the change it comes
from; no step body carries a key."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema

from tests.support.goldens import CASES
from weavectl.adapters.environment import Environment
from weavectl.adapters.schemas import load_schema
from weavectl.core.plan.model import Action, Change, FieldChange, FieldKind, Plan
from weavectl.core.plan.planner import PlanInput, build_plan
from weavectl.core.redact import REDACTOR
from weavectl.render.jsonplan import plan_json, render_json
from weavectl.run import key_sources_status, load_config


def _ref_plan(live_names: list[str]) -> Plan:
    book = {"class": "Book", "properties": [{"name": "title", "dataType": ["text"]},
                                            {"name": "by", "dataType": ["Author"]}]}
    plan = Plan("u", "1.39.3", [
        Change("Book", Action.CREATE, desired=book),
        Change("Old", Action.DELETE, objects=3),
        Change("Doc", Action.UPDATE, fields=[
            FieldChange("description", "a", "b", FieldKind.UPDATE),
            FieldChange("properties.t.indexFilterable", True, False, FieldKind.DROP_INDEX),
        ]),
    ], fingerprints={"Book": "absent", "Doc": "sha256:" + "1" * 64, "Old": "sha256:" + "2" * 64})
    plan.live_names = live_names
    return plan


def test_steps_are_listed_in_apply_order_with_their_request_and_source_change() -> None:
    steps = plan_json(_ref_plan(["Doc", "Old"]))["steps"]
    jsonschema.validate({**_ref_plan([]).to_json(), "steps": steps}, load_schema("plan.schema.json"))
    assert [(s["kind"], s["method"], s["path"]) for s in steps] == [
        ("delete", "DELETE", "/v1/schema/Old"),
        ("create", "POST", "/v1/schema"),
        ("add_property", "POST", "/v1/schema/Book/properties"),  # Author does not exist: deferred
        ("update", "PUT", "/v1/schema/Doc"),
        ("drop_index", "DELETE", "/v1/schema/Doc/properties/t/index/filterable"),
    ]
    assert [p["name"] for p in steps[1]["body"]["properties"]] == ["title"]
    assert steps[2]["body"] == {"name": "by", "dataType": ["Author"]}
    assert steps[3]["body"] == {"description": "b"} and steps[3]["overlay"] is True
    assert steps[3]["change"] == {"collection": "Doc", "action": "update", "fields": ["description"]}
    assert steps[4]["change"]["fields"] == ["properties.t.index_filterable"] and steps[4]["destructive"]
    assert steps[0]["change"] == {"collection": "Old", "action": "delete", "fields": []}


def test_a_reference_to_a_live_collection_is_created_with_the_collection() -> None:
    """The plan remembers what was live, so its steps are the ones apply compiles from the same reading."""
    steps = plan_json(_ref_plan(["Author", "Doc", "Old"]))["steps"]
    assert [s["kind"] for s in steps] == ["delete", "create", "update", "drop_index"]
    assert [p["name"] for p in steps[1]["body"]["properties"]] == ["title", "by"]


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


def test_step_bodies_never_carry_a_key() -> None:
    """Provider keys go in request headers: a resolved key is in no body, and a key the user pasted into a
    setting is masked in the steps as everywhere else."""
    case = CASES / "create"
    secret = "sk-golden-Steps0123456789abcdefXYZ"
    environ = {"WEAVECTL_GOLDEN_OPENAI_KEY": secret}
    loaded = load_config((str(case / "config.yaml"),), None, environ)
    values, _ = key_sources_status(loaded, Environment(environ=environ))
    assert values == {"openai": secret}
    live = json.loads((case / "live.json").read_text())
    collections = loaded.data["collections"]
    collections[0]["description"] = f"pasted by mistake: {secret}"
    plan = build_plan(PlanInput(collections=collections, live_classes=live["classes"], live_aliases=[],
                                live_modules={m: {} for m in live["modules"]}, server_url="u",
                                server_version=live["version"]))
    data = plan_json(plan)
    assert data["steps"] and all(s["kind"] == "create" for s in data["steps"])
    assert secret not in json.dumps(data["steps"]) and secret not in render_json(plan)
    assert REDACTOR.scrub(secret) == "***" and "***" in data["steps"][0]["body"]["description"]
    header_like = [k for s in data["steps"] for k in _keys(s.get("body")) if re.search(r"api.?key|^x-", k, re.I)]
    assert header_like == []


def test_alias_steps_name_the_request_the_plan_decided() -> None:
    plan = Plan("u", "1.39.3", [Change("Doc", Action.UPDATE, fields=[
        FieldChange("aliases.New", None, "Doc", FieldKind.ALIAS),
        FieldChange("aliases.Moved", "Other", "Doc", FieldKind.ALIAS),
        FieldChange("aliases.Gone", "Doc", None, FieldKind.ALIAS),
    ])], fingerprints={"Doc": "sha256:" + "1" * 64})
    steps = plan_json(plan)["steps"]
    assert [(s["kind"], s["method"], s["path"], s.get("body")) for s in steps] == [
        ("create_alias", "POST", "/v1/aliases", {"alias": "New", "class": "Doc"}),
        ("move_alias", "PUT", "/v1/aliases/Moved", {"class": "Doc"}),
        ("delete_alias", "DELETE", "/v1/aliases/Gone", None),
    ]
    assert [s["change"]["fields"] for s in steps] == [["aliases.New"], ["aliases.Moved"], ["aliases.Gone"]]
    jsonschema.validate({**plan.to_json(), "steps": steps}, load_schema("plan.schema.json"))
