"""The file is the whole truth, on every supported Weaviate version whose binary is at hand.

1. A file that leaves everything at its defaults plans to no changes, on each version.
2. An out-of-band change to each setting the config language expresses (by PUT where the server allows it, by
   recreating the collection where it does not) makes `plan --detailed-exitcode` exit 2 with the right action.
3. Auto-schema: objects with new properties make live-only properties that plan reports as drift (no replace);
   an unrelated change in the same file applies, and leaves them.
4. `diff` between two live clusters is symmetric; the file's per-environment overrides are expected differences.

Versions come from WEAVECTL_TEST_VERSIONS (default 1.32.5, 1.35.2, 1.39.3); each runs on the session's shared node
of that version.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.support.plan_helpers import HERMETIC_ENV, get_class, rest, run_plan, write_config
from weavectl.cli import run_cli
from weavectl.core.weaviate.version import Version, parse_version, vectorizer_settings_mutable
from weavectl.devserver import WeaviateServer
from weavectl.devserver.process import DEFAULT_MODULES

pytestmark = pytest.mark.server

# API-based modules are opt-in before 1.33 (facts section 11).
MODULES = (*DEFAULT_MODULES, "text2vec-openai", "generative-openai", "generative-cohere")
FAKE_URL = "http://127.0.0.1:9"


@pytest.fixture
def server(weaviate_versioned: WeaviateServer) -> WeaviateServer:
    """The session's node of each version in WEAVECTL_TEST_VERSIONS (tests/conftest.py)."""
    return weaviate_versioned


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in HERMETIC_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def name(server: WeaviateServer) -> Iterator[str]:
    cls = f"Truth{uuid.uuid4().hex[:8]}"
    yield cls
    httpx.delete(f"{server.url}/v1/schema/{cls}", timeout=30)


def version_of(server: WeaviateServer) -> Version:
    return parse_version(str(httpx.get(f"{server.url}/v1/meta", timeout=30).json()["version"]))


def base(name: str, version: Version = (1, 39, 3)) -> dict[str, Any]:
    """Everything left at its defaults, except what a test needs to exist (an index of each kind the version has,
    a compressed one, a multi-vector one)."""
    coll: dict[str, Any] = {
        "name": name,
        "properties": [{"name": "title", "data_type": "text"}, {"name": "count", "data_type": "int"}],
        "vectors": {"main": {"vectorizer": "text2vec-openai", "base_url": FAKE_URL, "index": {"type": "hnsw"}},
                    "raw": {"vectorizer": "none", "index": {"type": "hnsw"}},
                    "small": {"vectorizer": "none", "index": {"type": "hnsw", "quantizer": {"type": "rq"}}},
                    "multi": {"vectorizer": "none", "index": {"type": "hnsw", "multivector": {"enabled": True}}}},
        "generative": {"module": "generative-openai", "base_url": FAKE_URL}}
    if version >= (1, 35):
        coll["vectors"]["fresh"] = {"vectorizer": "none", "index": {"type": "hfresh"}}
    return coll


def apply_file(server: WeaviateServer, cfg: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    code = run_cli(["apply", "-f", str(cfg), "--url", server.url, "--auto-approve", *extra])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    return out + err


def put_change(server: WeaviateServer, cls: str, edit: Callable[[dict[str, Any]], None]) -> None:
    """GET, edit, PUT the whole definition: an out-of-band change the server applies in place."""
    with rest(server) as client:
        live = client.get(f"/v1/schema/{cls}").json()
        edit(live)
        resp = client.put(f"/v1/schema/{cls}", json=live)
    assert resp.status_code == 200, resp.text


def recreate(server: WeaviateServer, cls: str, edit: Callable[[dict[str, Any]], None]) -> None:
    """Delete and create again from the edited definition: how an immutable setting differs out of band."""
    with rest(server) as client:
        live = client.get(f"/v1/schema/{cls}").json()
        edit(live)
        for owned in ("actualCount", "actualVirtualCount", "desiredVirtualCount"):
            live.get("shardingConfig", {}).pop(owned, None)
        assert client.delete(f"/v1/schema/{cls}").status_code == 200
        resp = client.post("/v1/schema", json=live)
    assert resp.status_code == 200, resp.text


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(live: dict[str, Any]) -> None:
        node: Any = live
        *parents, leaf = path.split(".")
        for part in parents:
            if isinstance(node, list):
                node = next(p for p in node if p.get("name") == part)
            else:
                node = node.setdefault(part, {})
        node[leaf] = value
    return edit


# (id, how, edit, expected action, expected field path). `how` is put (the server changes it in place) or
# recreate (immutable: the only way it can differ is a collection created differently).
def _cases(version: Version) -> list[tuple[str, str, Callable[[dict[str, Any]], None], str, str]]:
    vec = "vectorConfig.main"
    # text2vec-openai settings change in place where the server migrates them (facts 3.2).
    openai = "update" if vectorizer_settings_mutable(version) else "replace"
    cases: list[tuple[str, str, Callable[[dict[str, Any]], None], str, str]] = [
        ("description", "put", _set("description", "by hand"), "update", "description"),
        ("bm25.b", "put", _set("invertedIndexConfig.bm25.b", 0.3), "update", "invertedIndexConfig.bm25.b"),
        ("bm25.k1", "put", _set("invertedIndexConfig.bm25.k1", 1.5), "update", "invertedIndexConfig.bm25.k1"),
        ("stopwords.preset", "put", _set("invertedIndexConfig.stopwords.preset", "none"), "update",
         "invertedIndexConfig.stopwords.preset"),
        ("stopwords.additions", "put", _set("invertedIndexConfig.stopwords.additions", ["acme"]), "update",
         "invertedIndexConfig.stopwords.additions"),
        ("inverted.cleanup", "put", _set("invertedIndexConfig.cleanupIntervalSeconds", 30), "update",
         "invertedIndexConfig.cleanupIntervalSeconds"),
        ("indexTimestamps", "recreate", _set("invertedIndexConfig.indexTimestamps", True), "replace",
         "invertedIndexConfig.indexTimestamps"),
        ("indexNullState", "recreate", _set("invertedIndexConfig.indexNullState", True), "replace",
         "invertedIndexConfig.indexNullState"),
        ("indexPropertyLength", "recreate", _set("invertedIndexConfig.indexPropertyLength", True), "replace",
         "invertedIndexConfig.indexPropertyLength"),
        ("hnsw.ef", "put", _set(f"{vec}.vectorIndexConfig.ef", 99), "update", f"{vec}.vectorIndexConfig.ef"),
        ("hnsw.flatSearchCutoff", "put", _set(f"{vec}.vectorIndexConfig.flatSearchCutoff", 1000), "update",
         f"{vec}.vectorIndexConfig.flatSearchCutoff"),
        ("hnsw.dynamicEfMax", "put", _set(f"{vec}.vectorIndexConfig.dynamicEfMax", 600), "update",
         f"{vec}.vectorIndexConfig.dynamicEfMax"),
        ("hnsw.vectorCacheMaxObjects", "put", _set(f"{vec}.vectorIndexConfig.vectorCacheMaxObjects", 5000),
         "update", f"{vec}.vectorIndexConfig.vectorCacheMaxObjects"),
        ("hnsw.filterStrategy", "put", _set(f"{vec}.vectorIndexConfig.filterStrategy",
                                            "sweeping" if version >= (1, 34) else "acorn"),
         "update", f"{vec}.vectorIndexConfig.filterStrategy"),
        ("hnsw.distance", "recreate", _set(f"{vec}.vectorIndexConfig.distance", "dot"), "replace",
         f"{vec}.vectorIndexConfig.distance"),
        ("hnsw.efConstruction", "recreate", _set(f"{vec}.vectorIndexConfig.efConstruction", 64), "replace",
         f"{vec}.vectorIndexConfig.efConstruction"),
        ("hnsw.maxConnections", "recreate", _set(f"{vec}.vectorIndexConfig.maxConnections", 16), "replace",
         f"{vec}.vectorIndexConfig.maxConnections"),
        ("quantizer.pq", "put", _set(f"{vec}.vectorIndexConfig.pq.enabled", True), "replace",
         f"{vec}.vectorIndexConfig.pq"),
        ("vectorizer.vectorizeClassName", "recreate",
         _set(f"{vec}.vectorizer.text2vec-openai.vectorizeClassName", False), openai,
         f"{vec}.vectorizer.text2vec-openai.vectorizeClassName"),
        ("vectorizer.model", "recreate", _set(f"{vec}.vectorizer.text2vec-openai.model", "text-embedding-3-large"),
         openai, f"{vec}.vectorizer.text2vec-openai.model"),
        ("generative.model", "put", _set("moduleConfig.generative-openai.model", "gpt-4o-mini"), "update",
         "moduleConfig.generative-openai.model"),
        ("property.tokenization", "recreate", _set("properties.title.tokenization", "field"), "replace",
         "properties.title.tokenization"),
        ("property.indexFilterable", "recreate", _set("properties.count.indexFilterable", False), "replace",
         "properties.count.indexFilterable"),
        # Dropping an index in place: DELETE .../index/rangeFilters since 1.36.
        ("property.indexRangeFilters", "recreate", _set("properties.count.indexRangeFilters", True),
         "update" if version >= (1, 36) else "replace", "properties.count.indexRangeFilters"),
        ("property.skip", "recreate", _set("properties.title.moduleConfig.text2vec-openai.skip", True), "replace",
         "properties.title.moduleConfig.text2vec-openai.skip"),
        ("property.vectorizePropertyName", "recreate",
         _set("properties.title.moduleConfig.text2vec-openai.vectorizePropertyName", True), "replace",
         "properties.title.moduleConfig.text2vec-openai.vectorizePropertyName"),
        ("replication.deletionStrategy", "put", _set("replicationConfig.deletionStrategy", "DeleteOnConflict"),
         "update", "replicationConfig.deletionStrategy"),
        ("sharding.virtualPerPhysical", "recreate", _set("shardingConfig.virtualPerPhysical", 64), "replace",
         "shardingConfig.virtualPerPhysical"),
    ]
    small, multi, fresh = (f"vectorConfig.{v}.vectorIndexConfig" for v in ("small", "multi", "fresh"))
    cases += [
        ("rq.rescoreLimit", "put", _set(f"{small}.rq.rescoreLimit", 50), "update", f"{small}.rq.rescoreLimit"),
        ("multivector.muvera.ksim", "recreate", _set(f"{multi}.multivector.muvera.ksim", 3), "replace",
         f"{multi}.multivector.muvera.ksim"),
    ]
    if version >= (1, 30):
        cases.append(("property.description", "put", _set("properties.title.description", "by hand"), "update",
                      "properties.title.description"))
    if version >= (1, 35):
        # hfresh: only distance is fixed on 1.35; replicas too from 1.36 (each PUT tried live).
        cases += [
            ("hfresh.searchProbe", "put", _set(f"{fresh}.searchProbe", 99), "update", f"{fresh}.searchProbe"),
            ("hfresh.distance", "recreate", _set(f"{fresh}.distance", "l2-squared"), "replace", f"{fresh}.distance"),
            ("hfresh.replicas", "put" if version < (1, 36) else "recreate", _set(f"{fresh}.replicas", 2),
             "update" if version < (1, 36) else "replace", f"{fresh}.replicas"),
        ]
        posting = "maxPostingSize" if version < (1, 36) else "maxPostingSizeKB"
        cases.append(("hfresh.postingSize", "put", _set(f"{fresh}.{posting}", 64), "update", f"{fresh}.{posting}"))
    if version >= (1, 36):
        cases += [
            ("hfresh.rq.rescoreLimit", "put", _set(f"{fresh}.rq.rescoreLimit", 100), "update",
             f"{fresh}.rq.rescoreLimit"),
            # Undeclared means absent: a block set by hand is a difference the update takes away.
            ("replication.asyncConfig", "put", _set("replicationConfig.asyncConfig", {"frequency": 5000}), "update",
             "replicationConfig.asyncConfig"),
        ]
    if version >= (1, 37):
        cases.append(("property.textAnalyzer", "recreate", _set("properties.title.textAnalyzer", {"asciiFold": True}),
                      "replace", "properties.title.textAnalyzer"))
    if version >= (1, 39):
        cases.append(("rq.trainingLimit", "put", _set(f"{small}.rq.trainingLimit", 5000), "update",
                      f"{small}.rq.trainingLimit"))
    return cases


CASE_IDS = sorted({c[0] for v in ((1, 32, 5), (1, 35, 2), (1, 39, 3)) for c in _cases(v)})


def test_undeclared_defaults_plan_to_no_changes(server: WeaviateServer, name: str, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path, [base(name, version_of(server))])
    apply_file(server, cfg, capsys)
    result = run_plan(server, cfg, capsys, [name])
    assert result.code == 0 and not result.data["drift"], result.evidence()
    assert not [w for w in result.data["warnings"] if "not known" in w], result.data["warnings"]


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_out_of_band_change_is_drift_with_the_right_action(server: WeaviateServer, name: str, case_id: str,
                                                           tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    version = version_of(server)
    cases = {c[0]: c for c in _cases(version)}
    if case_id not in cases:
        pytest.skip(f"not a setting of Weaviate {version}")
    _, how, edit, action, path = cases[case_id]
    cfg = write_config(tmp_path, [base(name, version)])
    apply_file(server, cfg, capsys)
    (put_change if how == "put" else recreate)(server, name, edit)
    result = run_plan(server, cfg, capsys, [name])
    result.live = get_class(server, name)
    assert result.code == 2, result.evidence()
    change = result.change(name)
    assert change is not None and change["action"] == action, result.evidence()
    assert any(f["rest_path"] == path or f["rest_path"].startswith(path + ".") for f in change["fields"]), \
        result.evidence()


def test_auto_schema_properties_are_drift_and_an_unrelated_change_applies(
        server: WeaviateServer, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    coll = base(name)
    coll["vectors"] = {"raw": {"vectorizer": "none", "index": {"type": "hnsw"}}}
    del coll["generative"]
    cfg = write_config(tmp_path, [coll])
    apply_file(server, cfg, capsys)
    with rest(server) as client:  # auto-schema adds `color` and `rating` on an ordinary insert
        resp = client.post("/v1/objects", json={"class": name, "properties": {"title": "x", "color": "red",
                                                                               "rating": 4.5},
                                                "vectors": {"raw": [0.1, 0.2, 0.3]}})
    assert resp.status_code == 200, resp.text
    result = run_plan(server, cfg, capsys, [name])
    assert result.code == 2, result.evidence()
    assert result.change(name) is None, result.evidence()  # nothing to apply, and never a replace
    drift = {d["rest_path"] for d in result.data["drift"]}
    assert drift == {"properties.color", "properties.rating"}, result.data
    assert all("export" in d["reason"] for d in result.data["drift"])
    coll["description"] = "now described"
    write_config(tmp_path, [coll])
    result = run_plan(server, cfg, capsys, [name])
    described = result.change(name)
    assert described is not None and described["action"] == "update", result.evidence()
    apply_file(server, cfg, capsys)
    live = get_class(server, name) or {}
    assert live.get("description") == "now described"
    assert {p["name"] for p in live["properties"]} >= {"color", "rating"}  # left alone
    # Only when asked by name: --replace recreates it as the file says.
    code = run_cli(["plan", "-f", str(cfg), "--url", server.url, "--format", "json", "--replace", name])
    out, _ = capsys.readouterr()
    assert code == 0 and json.loads(out)["changes"][0]["action"] == "replace"
    # ignore_changes takes them out of the drift check.
    coll["ignore_changes"] = ["properties.color", "properties.rating"]
    write_config(tmp_path, [coll])
    result = run_plan(server, cfg, capsys, [name])
    assert result.code == 0 and len(result.data["ignored"]) == 2, result.evidence()


@pytest.fixture(scope="module")
def second(weaviate_versioned: WeaviateServer) -> Iterator[WeaviateServer]:
    """A second node of the same version (the diff test's other cluster)."""
    node = WeaviateServer(modules=MODULES, binary=weaviate_versioned.binary,
                          version=weaviate_versioned.requested_version).start()
    yield node
    node.stop()


def test_diff_is_symmetric_and_overrides_are_expected(server: WeaviateServer, second: WeaviateServer,
                                                      tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tag = uuid.uuid4().hex[:6]
    shared, only_b = f"Shared{tag}", f"OnlyB{tag}"
    coll = {"name": shared, "properties": [{"name": "title", "data_type": "text"}],
            "vectors": {"raw": {"vectorizer": "none", "index": {"type": "hnsw"}}}}
    doc = {"version": 1, "environments": {
        "dev": {"url": server.url},
        "prod": {"url": second.url,
                 "collections": {shared: {"replication": {"deletion_strategy": "DeleteOnConflict"}}}},
    }, "collections": [coll]}
    cfg = tmp_path / "envs.yaml"
    cfg.write_text(yaml.safe_dump(doc))
    try:
        for env in ("dev", "prod"):
            assert run_cli(["apply", "-f", str(cfg), "--env", env, "--auto-approve"]) == 0, capsys.readouterr()
        capsys.readouterr()
        # Out of band on prod: distance, tokenization and bm25.b differ; one more collection.
        def by_hand(c: dict[str, Any]) -> None:
            _set("vectorConfig.raw.vectorIndexConfig.distance", "dot")(c)
            _set("properties.title.tokenization", "field")(c)
            _set("invertedIndexConfig.bm25.b", 0.3)(c)

        recreate(second, shared, by_hand)
        with rest(second) as client:
            client.post("/v1/schema", json={"class": only_b, "vectorConfig": {
                "raw": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}}}).raise_for_status()

        def run(a: str, b: str) -> tuple[int, list[dict[str, Any]]]:
            code = run_cli(["diff", "-f", str(cfg), "--from", a, "--to", b, "--format", "json",
                            "--detailed-exitcode"])
            out, err = capsys.readouterr()
            found = [d for d in json.loads(out)["differences"] if tag in d["collection"]]
            return code, found

        code_ab, ab = run("dev", "prod")
        code_ba, ba = run("prod", "dev")
        assert code_ab == 2 and code_ba == 2
        assert sorted((d["collection"], d["path"], d["a"], d["b"], d["expected"]) for d in ab) == sorted(
            (d["collection"], d["path"], d["b"], d["a"], d["expected"]) for d in ba)
        by_path = {d["path"]: d for d in ab if d["collection"] == shared}
        assert set(by_path) == {"vectors.raw.index.distance", "properties.title.tokenization",
                                "inverted_index.bm25.b", "replication.deletion_strategy"}, ab
        assert by_path["replication.deletion_strategy"]["expected"] is True
        assert not any(d["expected"] for p, d in by_path.items() if p != "replication.deletion_strategy")
        assert any(d["collection"] == only_b and d["path"] == "" for d in ab)
        # plan against prod sees the out-of-band changes as drift to fix, but not the override.
        result = run_plan(second, cfg, capsys, [shared], "--env", "prod")
        change = result.change(shared)
        assert result.code == 2 and change is not None and change["action"] == "replace", result.evidence()
        assert not any(f["rest_path"].startswith("replicationConfig") for f in result.fields(shared))
    finally:
        for node in (server, second):
            for cls in (shared, only_b):
                httpx.delete(f"{node.url}/v1/schema/{cls}", timeout=30)


def test_default_quantization_the_server_adds_is_left_to_it(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """DEFAULT_QUANTIZATION (1.33+) turns RQ on for a file that declares no quantizer and marks it with
    trackDefaultQuantization: plan leaves it to the server; a quantizer someone enabled by hand is still seen."""
    node = WeaviateServer(modules=MODULES, env={"DEFAULT_QUANTIZATION": "rq-8"}).start()
    try:
        cls = f"Quant{uuid.uuid4().hex[:6]}"
        coll = {"name": cls, "vectors": {"raw": {"vectorizer": "none", "index": {"type": "hnsw"}}}}
        cfg = write_config(tmp_path, [coll])
        apply_file(node, cfg, capsys)
        live = get_class(node, cls) or {}
        index = live["vectorConfig"]["raw"]["vectorIndexConfig"]
        assert index["rq"]["enabled"] is True and index["trackDefaultQuantization"] is True, index
        result = run_plan(node, cfg, capsys, [cls])
        assert result.code == 0, result.evidence()
    finally:
        node.stop()


def test_async_config_set_by_hand_is_converged_by_apply(server: WeaviateServer, name: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """asyncConfig keys set out of band are changed back or taken away by apply (the PUT sends the block as the
    file has it, without it when the file has none), and the file's own keys stay."""
    if version_of(server) < (1, 36):
        pytest.skip("replicationConfig.asyncConfig needs Weaviate >= 1.36")
    coll = {"name": name, "vectors": {"raw": {"vectorizer": "none", "index": {"type": "hnsw"}}},
            "replication": {"async_config": {"hashtree_height": 10, "frequency": 3000}}}
    cfg = write_config(tmp_path, [coll])
    apply_file(server, cfg, capsys)
    put_change(server, name, lambda c: c["replicationConfig"]["asyncConfig"].update(
        {"hashtreeHeight": 12, "propagationLimit": 99}))
    result = run_plan(server, cfg, capsys, [name])
    assert result.code == 2 and {f["rest_path"] for f in result.fields(name)} == {
        "replicationConfig.asyncConfig.hashtreeHeight", "replicationConfig.asyncConfig.propagationLimit"}, \
        result.evidence()
    apply_file(server, cfg, capsys)
    assert (get_class(server, name) or {})["replicationConfig"]["asyncConfig"] == {"hashtreeHeight": 10,
                                                                                   "frequency": 3000}
    del coll["replication"]
    write_config(tmp_path, [coll])
    apply_file(server, cfg, capsys)
    assert "asyncConfig" not in (get_class(server, name) or {})["replicationConfig"]
    assert run_plan(server, cfg, capsys, [name]).code == 0
