"""The file is the whole truth: undeclared settings mean the server's defaults, per version (checked against
definitions recorded from real servers of each supported version), drift, ignore_changes, --replace, paths."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from weavectl.core.config.diagnostics import Diagnostics
from weavectl.core.config.paths import check_ignore_changes, config_path
from weavectl.core.config.schema import build_schema
from weavectl.core.config.yamldoc import Document
from weavectl.core.plan.diff import diff_collection
from weavectl.core.plan.model import Action, FieldKind
from weavectl.core.plan.planner import PlanInput, build_plan
from weavectl.core.weaviate.version import parse_version

CASES = Path(__file__).parent.parent / "cases" / "live"
VERSIONS = ("1.32.5", "1.35.2", "1.39.3")
# What the recorded collections were created with (tests/cases/live/defaults-*.json; extra settings the module
# requires).
REQUIRED = {"text2vec-aws": {"region": "us-east-1", "model": "amazon.titan-embed-text-v1"},
            "text2vec-google": {"projectId": "p"}, "text2vec-databricks": {"endpoint": "https://x.example.com/serving"}}


def recorded(version: str) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads((CASES / f"defaults-{version}.json").read_text())["classes"]
    return data


def declared(key: str, live: dict[str, Any]) -> dict[str, Any]:
    """The declared REST body the recorded collection was created from."""
    body: dict[str, Any] = {"class": live["class"]}
    if key == "Plain":
        body["properties"] = [
            {"name": "t", "dataType": ["text"]}, {"name": "n", "dataType": ["int"]},
            {"name": "o", "dataType": ["object"], "nestedProperties": [
                {"name": "x", "dataType": ["text"]}, {"name": "b", "dataType": ["blob"]}]},
            {"name": "bl", "dataType": ["blob"]}, {"name": "d", "dataType": ["date"]}]
    elif key.startswith(("text2vec", "multi2vec")):
        body["properties"] = [{"name": "t", "dataType": ["text"]}]
        body["vectorConfig"] = {"v": {"vectorizer": {key: dict(REQUIRED.get(key, {}))}, "vectorIndexType": "hnsw"}}
    elif key == "flat":
        body["vectorConfig"] = {"v": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"}}
    elif key == "mt":
        body["multiTenancyConfig"] = {"enabled": True}
    elif key == "gen":
        body["moduleConfig"] = {"generative-openai": {}, "reranker-cohere": {}}
    return body


CASES_BY_VERSION = [(v, k) for v in VERSIONS for k in sorted(recorded(v))]


@pytest.mark.parametrize(("version", "key"), CASES_BY_VERSION)
def test_undeclared_settings_are_the_servers_defaults_on_every_version(version: str, key: str) -> None:
    live = recorded(version)[key]
    change = diff_collection(declared(key, live), live, parse_version(version))
    assert change.action is Action.NOOP, [f.to_json() for f in change.fields]
    assert not change.drift and not change.warnings


@pytest.mark.parametrize("version", VERSIONS)
def test_every_out_of_band_change_is_seen_with_the_right_action(version: str) -> None:
    base = recorded(version)["text2vec-openai"]
    ver = parse_version(version)
    cases: list[tuple[str, Any, Action]] = [
        ("description", "by hand", Action.UPDATE),
        ("invertedIndexConfig.bm25.b", 0.3, Action.UPDATE),
        ("invertedIndexConfig.stopwords.preset", "none", Action.UPDATE),
        ("invertedIndexConfig.cleanupIntervalSeconds", 30, Action.UPDATE),
        ("invertedIndexConfig.indexTimestamps", True, Action.REPLACE),
        ("vectorConfig.v.vectorIndexConfig.ef", 99, Action.UPDATE),
        ("vectorConfig.v.vectorIndexConfig.distance", "dot", Action.REPLACE),
        ("vectorConfig.v.vectorIndexConfig.efConstruction", 64, Action.REPLACE),
        ("vectorConfig.v.vectorIndexConfig.filterStrategy",
         "sweeping" if ver >= (1, 34, 0) else "acorn", Action.UPDATE),
        ("vectorConfig.v.vectorIndexConfig.rq.enabled", True, Action.REPLACE),  # compression cannot be undone
        ("vectorConfig.v.vectorizer.text2vec-openai.vectorizeClassName", False,
         Action.UPDATE if ver >= (1, 35, 3) else Action.REPLACE),
        ("properties.0.tokenization", "field", Action.REPLACE),
        ("replicationConfig.deletionStrategy", "DeleteOnConflict", Action.UPDATE),
        ("multiTenancyConfig.autoTenantCreation", True, Action.UPDATE),
        ("shardingConfig.virtualPerPhysical", 64, Action.REPLACE),
    ]
    for path, value, action in cases:
        live = copy.deepcopy(base)
        node: Any = live
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[leaf] = value
        change = diff_collection(declared("text2vec-openai", base), live, ver)
        assert change.action is action, (path, [f.to_json() for f in change.fields])


def test_live_only_property_vector_and_module_are_drift_never_a_replace() -> None:
    live = copy.deepcopy(recorded("1.39.3")["text2vec-openai"])
    live["properties"].append({"name": "extra", "dataType": ["text"], "tokenization": "word"})
    live["vectorConfig"]["other"] = {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}
    live["moduleConfig"] = {"generative-openai": {"model": "gpt-4o"}}
    body = declared("text2vec-openai", live)
    body["description"] = "changed"
    change = diff_collection(body, live, (1, 39, 3))
    assert change.action is Action.UPDATE and [f.path for f in change.fields] == ["description"]
    assert [d.path for d in change.drift] == ["properties.extra", "vectorConfig.other",
                                              "moduleConfig.generative-openai"]
    assert all(d.kind is FieldKind.UNDECLARED and "export" in d.reason for d in change.drift)
    replaced = diff_collection(body, live, (1, 39, 3), replace=True)
    assert replaced.action is Action.REPLACE and not replaced.drift and replaced.desired == body


def test_ignore_changes_lists_differences_as_ignored() -> None:
    base = recorded("1.39.3")["text2vec-openai"]
    live = copy.deepcopy(base)
    live["vectorConfig"]["v"]["vectorIndexConfig"]["ef"] = 99
    live["invertedIndexConfig"]["bm25"] = {"b": 0.3, "k1": 1.0}
    live["properties"].append({"name": "auto", "dataType": ["text"]})
    change = diff_collection(declared("text2vec-openai", base), live, (1, 39, 3),
                             ignore=["vectors.v.index.ef", "inverted_index.bm25", "properties.auto"])
    assert change.action is Action.NOOP and not change.drift
    assert sorted(f.path for f in change.ignored) == [
        "invertedIndexConfig.bm25.b", "invertedIndexConfig.bm25.k1", "properties.auto",
        "vectorConfig.v.vectorIndexConfig.ef"]


def test_config_paths_use_the_files_vocabulary() -> None:
    live = {"vectorizer": "text2vec-openai"}
    assert config_path("vectorConfig.main.vectorIndexConfig.ef") == "vectors.main.index.ef"
    assert config_path("vectorConfig.main.vectorIndexConfig.rq.bits") == "vectors.main.index.quantizer.bits"
    assert config_path("vectorConfig.main.vectorizer.text2vec-openai.baseURL") == "vectors.main.base_url"
    assert config_path("vectorConfig.main.vectorizer.text2vec-openai.properties") == \
        "vectors.main.source_properties"
    assert config_path("invertedIndexConfig.bm25.b") == "inverted_index.bm25.b"
    assert config_path("moduleConfig.generative-openai.model") == "generative.model"
    assert config_path("moduleConfig.text2vec-openai.model", live) == "vector.model"
    assert config_path("properties.title.moduleConfig.text2vec-openai.skip") == "properties.title.skip_vectorization"
    assert config_path("replicationConfig.deletionStrategy") == "replication.deletion_strategy"


def test_unknown_ignore_paths_are_errors_with_did_you_mean() -> None:
    doc = Document({"version": 1, "collections": [{"name": "A", "ignore_changes": [
        "vectors.main.index.ef", "inverted_index.bm25", "inverted_index.bm26", "vectors.main.index.eff",
        "properties.title.tokenization", "replication.factor", "descripton"]}]}, "f.yaml")
    diags = Diagnostics()
    check_ignore_changes(doc, diags, build_schema())
    messages = [(d.message, d.hint) for d in diags.errors]
    assert len(messages) == 3, messages
    assert messages[0][1] == "did you mean 'bm25'?" and messages[1][1] == "did you mean 'ef'?"
    assert messages[2][1] == "did you mean 'description'?"


def test_the_state_collection_is_never_unmanaged_and_replace_names_must_exist() -> None:
    plan = build_plan(PlanInput([], [{"class": "WeavectlState"}, {"class": "Other"}], [], {}, "u", "1.39.3"))
    assert plan.unmanaged == ["Other"]
    pruned = build_plan(PlanInput([], [{"class": "WeavectlState"}], [], {}, "u", "1.39.3", prune=True))
    assert not pruned.changes
    bad = build_plan(PlanInput([], [], [], {}, "u", "1.39.3", replace=["Nope"]))
    assert any("--replace nope" in e for e in map(str, bad.errors))


def test_a_live_field_weavectl_does_not_know_is_named_in_a_warning() -> None:
    live = copy.deepcopy(recorded("1.39.3")["text2vec-openai"])
    live["futureSetting"] = {"on": True}
    live["vectorConfig"]["v"]["vectorIndexConfig"]["newKnob"] = 3
    live["invertedIndexConfig"]["stopwordPresets"] = {"mine": ["a"]}
    change = diff_collection(declared("text2vec-openai", live), live, (1, 39, 3))
    assert change.action is Action.NOOP
    text = "\n".join(change.warnings)
    assert "futureSetting" in text and "vectorConfig.v.vectorIndexConfig.newKnob" in text
    assert "stopwordPresets cannot be expressed" in text


def test_drift_and_ignored_render_and_match_the_plan_schema() -> None:
    import jsonschema

    from weavectl.render.human import render_text
    from weavectl.render.jsonplan import plan_json

    live = copy.deepcopy(recorded("1.39.3")["text2vec-openai"])
    live["properties"].append({"name": "auto", "dataType": ["text"]})
    live["vectorConfig"]["v"]["vectorIndexConfig"]["ef"] = 99
    coll = {"name": live["class"], "properties": [{"name": "t", "data_type": "text"}],
            "vectors": {"v": {"vectorizer": "text2vec-openai", "index": {"type": "hnsw"}}},
            "ignore_changes": ["vectors.v.index.ef"]}
    plan = build_plan(PlanInput([coll], [live], [], {"text2vec-openai": {}}, "u", "1.39.3"))
    assert not plan.has_changes and plan.has_drift
    schema = json.loads((Path(__file__).parent.parent.parent / "schemas" / "plan.schema.json").read_text())
    jsonschema.validate(plan_json(plan), schema)
    text = render_text(plan)
    assert "Drift:" in text and ".properties.auto" in text and "weavectl export" in text
    assert "Ignored (ignore_changes" in text and "vectors.v.index.ef: 99 -> -1" in text
    assert "No changes to apply, but the live cluster has drift" in text


# -- settings that were compared only when declared (each definition as a real server returned it) -------------
_HFRESH_LIVE = {
    "1.35.2": {"distance": "cosine", "maxPostingSize": 50, "minPostingSize": 10, "replicas": 4, "rngFactor": 10,
               "searchProbe": 64},
    "1.39.3": {"distance": "cosine", "maxPostingSizeKB": 48, "replicas": 4, "searchProbe": 256,
               "rq": {"bits": 1, "centering": False, "enabled": True, "rescoreLimit": 350, "trainingLimit": 0}},
}


def _live(version: str, itype: str, index: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A recorded live definition (tests/cases/live) with this index on its vector, and `extra` fields."""
    live = copy.deepcopy(recorded(version)["flat"])
    live["vectorConfig"]["v"].update({"vectorIndexType": itype, "vectorIndexConfig": copy.deepcopy(index)})
    live.update(copy.deepcopy(extra))
    return live


def _flat(version: str = "1.39.3", **extra: Any) -> dict[str, Any]:
    """The recorded live flat-index collection of this version, with `extra` fields."""
    return {**copy.deepcopy(recorded(version)["flat"]), **copy.deepcopy(extra)}


def _class(**extra: Any) -> dict[str, Any]:
    return {"class": "Flat", "vectorConfig": {"v": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"}}, **extra}


@pytest.mark.parametrize("version", sorted(_HFRESH_LIVE))
def test_an_hfresh_index_is_compared_with_the_versions_defaults(version: str) -> None:
    v = parse_version(version)
    declared_body = {"class": "Flat", "vectorConfig": {"v": {"vectorizer": {"none": {}},
                                                             "vectorIndexType": "hfresh"}}}
    live = _live(version, "hfresh", _HFRESH_LIVE[version])
    assert diff_collection(declared_body, live, v).action is Action.NOOP
    probe = copy.deepcopy(live)
    probe["vectorConfig"]["v"]["vectorIndexConfig"]["searchProbe"] = 99
    assert diff_collection(declared_body, probe, v).action is Action.UPDATE
    replicas = copy.deepcopy(live)
    replicas["vectorConfig"]["v"]["vectorIndexConfig"]["replicas"] = 2
    # replicas is fixed from 1.36 (adapters/repos/db/vector/hfresh/config.go), free on 1.35.
    expected = Action.UPDATE if v < (1, 36, 0) else Action.REPLACE
    assert diff_collection(declared_body, replicas, v).action is expected


@pytest.mark.parametrize(("version", "probe"), [((1, 36, 19), 64), ((1, 36, 20), 256), ((1, 37, 9), 64),
                                                ((1, 37, 10), 256), ((1, 38, 1), 64), ((1, 38, 2), 256),
                                                ((1, 39, 0), 256), ((1, 40, 0), 256)])
def test_hfresh_search_probe_default_follows_each_release_line(version: tuple[int, int, int], probe: int) -> None:
    from weavectl.core.weaviate.defaults import hfresh_defaults

    assert hfresh_defaults(version)["searchProbe"] == probe


def test_an_async_config_the_file_does_not_declare_is_a_difference() -> None:
    live = _flat(replicationConfig={"factor": 1, "deletionStrategy": "TimeBasedResolution", "asyncEnabled": False,
                                    "asyncConfig": {"frequency": 5000}})
    change = diff_collection(_class(), live, (1, 39, 3))
    assert change.action is Action.UPDATE
    assert [(f.path, f.after) for f in change.fields] == [("replicationConfig.asyncConfig", None)]
    declared_body = _class(replicationConfig={"asyncConfig": {"frequency": 5000, "hashtreeHeight": 10}})
    paths = {f.path: (f.before, f.after) for f in diff_collection(declared_body, live, (1, 39, 3)).fields}
    assert paths == {"replicationConfig.asyncConfig.hashtreeHeight": (None, 10)}
    old = diff_collection(declared_body, _flat("1.35.2"), (1, 35, 2))
    assert old.errors and "1.36" in str(old.errors[0])


def test_a_live_text_analyzer_the_file_does_not_declare_forces_a_replace() -> None:
    prop = {"name": "t", "dataType": ["text"]}
    live = _flat(properties=[{**prop, "tokenization": "word", "indexFilterable": True, "indexSearchable": True,
                              "indexRangeFilters": False, "description": "", "textAnalyzer": {"asciiFold": True}}])
    change = diff_collection(_class(properties=[prop]), live, (1, 39, 3))
    assert change.action is Action.REPLACE and change.fields[0].path == "properties.t.textAnalyzer"
    same = _class(properties=[{**prop, "textAnalyzer": {"asciiFold": True, "asciiFoldIgnore": []}}])
    assert diff_collection(same, live, (1, 39, 3)).action is Action.NOOP
