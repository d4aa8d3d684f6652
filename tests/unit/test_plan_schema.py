"""The JSON plan is a contract: every plan weavectl renders validates against schemas/plan.schema.json."""

from __future__ import annotations

import json

import jsonschema

from weavectl.adapters.schemas import load_schema
from weavectl.core.plan.model import Action, Change, FieldChange, FieldKind, Plan
from weavectl.core.plan.planner import PlanInput, build_plan
from weavectl.core.plan.steps import policy
from weavectl.render.jsonplan import render_json


def test_plan_json_matches_its_schema() -> None:
    schema = load_schema("plan.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    plan = Plan("http://w:8080", "1.39.3", [
        Change("A", Action.CREATE, desired={"class": "A"}),
        Change("B", Action.REPLACE, fields=[FieldChange("properties.t.tokenization", "word", "field",
                                                        FieldKind.IMMUTABLE, "fixed")], protect=True),
        Change("C", Action.UPDATE, fields=[FieldChange("description", None, "x", FieldKind.UPDATE)],
               warnings=["w"]),
        Change("D", Action.NOOP),
    ], unchanged=["D"], unmanaged=["E"], fingerprints={"A": "absent", "B": "sha256:" + "0" * 64})
    assert policy(plan, allow_destroy=True).reasons  # protect still wins
    jsonschema.validate(json.loads(render_json(plan)), schema)


def test_planner_output_matches_the_schema() -> None:
    coll = {"name": "Doc", "properties": [{"name": "t", "data_type": "text"}],
            "vectors": {"v": {"vectorizer": "text2vec-openai", "model": "text-embedding-3-small"}}}
    live = [{"class": "Doc", "properties": [{"name": "t", "dataType": ["text"]}],
             "vectorConfig": {"v": {"vectorizer": {"text2vec-openai": {"model": "text-embedding-3-large"}},
                                    "vectorIndexType": "hnsw"}}}]
    plan = build_plan(PlanInput([coll], live, [], {}, "http://w", "1.39.3"))
    data = json.loads(render_json(plan))
    jsonschema.validate(data, load_schema("plan.schema.json"))
    assert data["errors"] == ["Doc: module text2vec-openai is not enabled on the server: API-based modules are on "
                              "by default since 1.33 unless API_BASED_MODULES_DISABLED=true; add it to ENABLE_MODULES"]


def test_operations_an_older_server_cannot_do_are_errors_naming_the_minimum_version() -> None:
    coll = {"name": "Doc", "properties": [{"name": "t", "data_type": "text", "index_filterable": False}],
            "vectors": {"v": {"vectorizer": "none"}, "w": {"vectorizer": "none"}}}
    live = [{"class": "Doc", "properties": [{"name": "t", "dataType": ["text"], "indexFilterable": True}],
             "vectorConfig": {"v": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}}}]
    plan = build_plan(PlanInput([coll], live, [], {}, "http://w", "1.30.2"))
    errors = [str(e) for c in plan.changes for e in c.errors]
    assert "adding a named vector needs Weaviate >= 1.31.0; the server is 1.30.2" in errors
    # Dropping an index needs 1.36: before that the only way is a replace, named as such.
    assert "properties.t.indexFilterable" in plan.changes[0].forced_by
    assert not [e for c in build_plan(PlanInput([coll], live, [], {}, "u", "1.39.3")).changes for e in c.errors]
