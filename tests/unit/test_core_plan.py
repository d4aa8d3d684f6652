"""Pure-logic tests of the planning core: comparison rules, step order, policy, overlay. No server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from weavectl.core.plan.diff import diff_collection, same
from weavectl.core.plan.model import Action, Change, FieldKind, Plan
from weavectl.core.plan.planner import PlanInput, build_plan
from weavectl.core.plan.steps import StepKind, compile_steps, overlay, policy

V139 = (1, 39, 3)
CASES = Path(__file__).parent.parent / "cases" / "live"


def test_same_tolerates_the_servers_harmless_rewrites() -> None:
    assert same(0.7, 0.699999988079071)  # float32 round trip
    assert same(None, []) and same(False, None)
    assert same("http://x:9", "http://x:9/")  # the Python client adds a slash
    assert same(["b", "a"], ["a", "b"], "properties")
    assert not same(["b", "a"], ["a", "b"], "weights")
    assert not same(1, 2) and not same("word", "field")


def recorded(version: str) -> dict[str, dict[str, Any]]:
    """GETs of collections created with no settings, recorded from a real weaviate-server of that version."""
    data: dict[str, dict[str, Any]] = json.loads((CASES / f"defaults-{version}.json").read_text())["classes"]
    return data


def live_class(**extra: Any) -> dict[str, Any]:
    """A real 1.39.3 definition (text2vec-openai named vector `main`, text property `title`) plus a generative
    module, as GET returns it."""
    base: dict[str, Any] = json.loads(json.dumps(recorded("1.39.3")["text2vec-openai"]).replace('"t"', '"title"'))
    base["class"] = "Article"
    base["vectorConfig"] = {"main": base["vectorConfig"]["v"]}
    base["moduleConfig"] = {"generative-openai": {"model": "gpt-4o"}}
    base.update(extra)
    return base


def test_mutable_and_immutable_fields_are_classified() -> None:
    live = live_class()
    update = diff_collection({"class": "Article", "vectorConfig": {"main": {
        "vectorizer": {"text2vec-openai": {}}, "vectorIndexConfig": {"ef": 64}}}}, live, V139)
    assert update.action is Action.UPDATE and [f.path for f in update.fields] == [
        "vectorConfig.main.vectorIndexConfig.ef"]
    replace = diff_collection({"class": "Article", "vectorConfig": {"main": {
        "vectorizer": {"text2vec-openai": {}}, "vectorIndexConfig": {"efConstruction": 64}}}}, live, V139)
    assert replace.action is Action.REPLACE
    assert replace.forced_by == ["vectorConfig.main.vectorIndexConfig.efConstruction"]


def test_stopword_additions_the_preset_already_holds_are_not_a_change() -> None:
    live = live_class()
    live["invertedIndexConfig"]["stopwords"]["additions"] = ["acme"]
    change = diff_collection({"class": "Article", "invertedIndexConfig": {
        "stopwords": {"preset": "en", "additions": ["the", "acme"]}}}, live, V139)
    assert change.action is Action.NOOP


def test_a_generative_swap_is_in_place_and_the_overlay_replaces_the_old_module() -> None:
    live = live_class()
    desired = {"class": "Article", "moduleConfig": {"generative-cohere": {"model": "command-r"}}}
    change = diff_collection(desired, live, V139)
    assert change.action is Action.UPDATE
    steps = compile_steps(Plan("u", "1.39.3", [change], fingerprints={"Article": "sha256:x"}), {"Article"})
    assert [s.kind for s in steps] == [StepKind.UPDATE]
    body = overlay(live, steps[0].body or {})
    assert body["moduleConfig"] == {"generative-cohere": {"model": "command-r"}}
    assert body["properties"] == live["properties"]  # everything else echoed back as read


def test_creates_put_referenced_collections_first_and_break_cycles() -> None:
    a = {"class": "A", "properties": [{"name": "b", "dataType": ["B"]}]}
    b = {"class": "B", "properties": [{"name": "a", "dataType": ["A"]}, {"name": "t", "dataType": ["text"]}]}
    plan = Plan("u", "1.39.3", [Change("A", Action.CREATE, desired=a), Change("B", Action.CREATE, desired=b)])
    steps = compile_steps(plan, set())
    kinds = [(s.kind, s.collection, s.target) for s in steps]
    assert kinds[0][:2] == (StepKind.CREATE, "B") or kinds[0][:2] == (StepKind.CREATE, "A")
    creates = [s for s in steps if s.kind is StepKind.CREATE]
    deferred = [s for s in steps if s.kind is StepKind.ADD_PROPERTY]
    assert len(creates) == 2 and len(deferred) == 1  # one reference waits until its target exists
    assert steps.index(deferred[0]) > steps.index(creates[1])


def test_policy_blocks_destruction_and_protect_wins() -> None:
    plan = Plan("u", "1.39.3", [Change("A", Action.REPLACE), Change("B", Action.DELETE, protect=True)])
    assert len(policy(plan, allow_destroy=False).reasons) == 2
    reasons = policy(plan, allow_destroy=True).reasons
    assert len(reasons) == 1 and "protect" in str(reasons[0]) and reasons[0].code == "protected"
    assert [r.code for r in policy(plan, allow_destroy=False).reasons] == ["destroy-not-allowed", "protected"]


def test_fractional_generative_numbers_are_refused_on_1_39_before_any_write() -> None:
    coll: dict[str, Any] = {"name": "Doc", "vectors": {"v": {"vectorizer": "none"}},
                            "generative": {"module": "generative-openai", "temperature": 0.3}}
    plan = build_plan(PlanInput([coll], [], [], {"generative-openai": {}}, "u", "1.39.3"))
    assert any("temperature: 0.3" in e and "use 0 or 1" in e for e in map(str, plan.errors))
    assert not build_plan(PlanInput([coll], [], [], {"generative-openai": {}}, "u", "1.40.0")).errors
    coll["generative"]["temperature"] = 1.0
    assert not build_plan(PlanInput([coll], [], [], {"generative-openai": {}}, "u", "1.39.3")).errors


def test_a_new_modules_property_settings_travel_with_the_new_vector() -> None:
    live = live_class()
    desired = {"class": "Article",
               "properties": [{"name": "title", "moduleConfig": {"text2vec-ollama": {"skip": True}}}],
               "vectorConfig": {"main": {"vectorizer": {"text2vec-openai": {}}},
                                "extra": {"vectorizer": {"text2vec-ollama": {}}}}}
    change = diff_collection(desired, live, V139)
    assert change.action is Action.UPDATE
    assert {f.kind for f in change.fields} == {FieldKind.UPDATE, FieldKind.ADD_VECTOR}
    steps = compile_steps(Plan("u", "1.39.3", [change], fingerprints={}), {"Article"})
    body = overlay(live, steps[0].body or {})
    assert body["properties"][0]["moduleConfig"] == {"text2vec-openai": {"skip": False,
                                                                         "vectorizePropertyName": False},
                                                     "text2vec-ollama": {"skip": True}}
    assert set(body["vectorConfig"]) == {"main", "extra"}


def test_a_plan_still_holds_when_only_its_measurements_moved() -> None:
    """Under the lock apply re-plans; writes between the two plans move counts and the sampled estimate only."""
    from weavectl.core.plan.model import decisions

    def migrate(objects: int, tokens: int, field_after: str) -> list[dict[str, Any]]:
        change = Change("Article", Action.MIGRATE, objects=objects,
                        migration={"collection": "Article", "from": "Article", "to": "Article_v2",
                                   "cost": {"vectors": {"emb": {"tokens": tokens}}}},
                        cost={"vectors": {"emb": {"tokens": tokens}}},
                        warnings=["no cost estimate: reading a sample failed (timeout)"] if tokens else [])
        change.fields = []
        out: list[dict[str, Any]] = Plan("http://127.0.0.1:8080", "1.39.3", changes=[change]).to_json()["changes"]
        out[0]["fields"] = [{"path": "vectors.emb.model", "after": field_after}]
        return out

    assert decisions(migrate(50, 146, "all-minilm")) == decisions(migrate(75, 0, "all-minilm"))
    assert decisions(migrate(50, 146, "all-minilm")) != decisions(migrate(50, 146, "nomic-embed-text"))
    assert decisions(migrate(50, 146, "x"))[0]["migration"] == {"collection": "Article", "from": "Article",
                                                                 "to": "Article_v2"}


def test_the_defaults_fill_never_writes_into_the_declared_body() -> None:
    """The declared body (to_rest) is also what apply sends: the fill works on its own copy of every part it
    writes in, so no server default leaks into a create or an update."""
    from weavectl.core.weaviate.defaults import with_defaults
    from weavectl.core.weaviate.rest import to_rest

    nested = [{"name": "street", "data_type": "text"},
              {"name": "geo", "data_type": "object", "nested_properties": [{"name": "lat", "data_type": "number"}]}]
    colls: list[dict[str, Any]] = [
        {"name": "Named", "description": "d", "properties": [
            {"name": "title", "data_type": "text", "vectorize_property_name": True},
            {"name": "address", "data_type": "object", "nested_properties": nested},
            {"name": "body", "data_type": "text", "module_config": {"text2vec-openai": {"skip": True}}}],
         "vectors": {"main": {"vectorizer": "text2vec-openai", "model": "text-embedding-3-small",
                              "index": {"type": "hnsw", "ef": 64, "quantizer": {"type": "rq", "bits": 8}}},
                     "other": {"vectorizer": "none", "index": {"type": "flat"}}},
         "generative": {"module": "generative-openai", "model": "gpt-4o"},
         "inverted_index": {"bm25": {"b": 0.7}}},
        {"name": "Legacy", "properties": [{"name": "title", "data_type": "text"}],
         "vector": {"vectorizer": "text2vec-cohere", "index": {"type": "dynamic"}},
         "module_config": {"generative-cohere": {"model": "command-r"}}},
    ]
    for coll in colls:
        desired = to_rest(coll)
        before = json.loads(json.dumps(desired))
        for live in ({}, live_class(), {"vectorIndexType": "hnsw", "vectorIndexConfig": {"skip": False}}):
            filled = with_defaults(desired, live, V139)
            assert desired == before, coll["name"]
            assert filled != desired  # the fill did write: defaults were added on the copy


def test_a_property_as_it_is_live_is_skipped_whole_but_a_rewritten_type_still_counts() -> None:
    """A property whose every filled setting equals the live one is passed over in one comparison; a deprecated
    type (`string`, stored as `text`, here also at a nested level) and a live text analyzer the file leaves out
    still go through the rules."""
    from weavectl.core.weaviate.defaults import with_defaults

    def as_live(props: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The declared body, and a live definition whose properties are that body's filled ones exactly."""
        declared = {"class": "Article", "properties": props,
                    "vectorConfig": {"main": {"vectorizer": {"text2vec-openai": {}}}}}
        live = live_class()
        live["properties"] = json.loads(json.dumps(with_defaults(declared, live, V139)["properties"]))
        return declared, live

    def paths(props: list[dict[str, Any]], analyzer: bool = False) -> list[str]:
        declared, live = as_live(props)
        if analyzer:
            live["properties"][0]["textAnalyzer"] = {"asciiFold": True}
        return [f.path for f in diff_collection(declared, live, V139).fields if f.path.startswith("properties.")]

    assert paths([{"name": "title", "dataType": ["text"]}]) == []
    assert paths([{"name": "title", "dataType": ["string"]}]) == ["properties.title.dataType"]
    assert paths([{"name": "address", "dataType": ["object"], "nestedProperties": [
        {"name": "street", "dataType": ["string"]}]}]) == ["properties.address.nestedProperties"]
    assert paths([{"name": "title", "dataType": ["text"]}], analyzer=True) == ["properties.title.textAnalyzer"]
