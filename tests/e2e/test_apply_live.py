"""`weavectl apply` against a real weaviate-server: converges, refuses stale plans, survives failures."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import delete_everywhere
from tests.support.recording import RecordingTransport
from weavectl.cli import run_cli
from weavectl.core.weaviate.version import parse_version, unsupported_reason
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server


def write(tmp_path: Path, doc: dict[str, Any], name: str = "weavectl.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str, transport: httpx.BaseTransport | None = None
        ) -> tuple[int, str, str]:
    code = run_cli(list(argv), obj={"transport": transport} if transport else None)
    out = capsys.readouterr()
    return code, out.out, out.err


def plan_is_empty(capsys: pytest.CaptureFixture[str], cfg: Path, url: str, *targets: str) -> None:
    args = [a for t in targets for a in ("--target", t)]
    code, out, err = cli(capsys, "plan", "-f", str(cfg), "--url", url, "--detailed-exitcode", *args)
    assert code == 0, out + err


def base_doc(names: dict[str, str], **extra: Any) -> dict[str, Any]:
    article: dict[str, Any] = {
        "name": names["a"],
        "description": "articles",
        "properties": [
            {"name": "title", "data_type": "text"},
            {"name": "body", "data_type": "text", "index_filterable": True},
            {"name": "author", "target_collection": names["b"]},
        ],
        "vectors": {"main": {"vectorizer": "text2vec-openai", "base_url": "http://127.0.0.1:9",
                             "model": "text-embedding-3-small", "index": {"ef": 64}}},
        "generative": {"module": "generative-openai", "model": "gpt-4o"},
        **extra,
    }
    author = {"name": names["b"], "properties": [{"name": "name", "data_type": "text"}],
              "vectors": {"v": {"vectorizer": "none"}}}
    return {"version": 1, "collections": [article, author]}


@pytest.fixture
def names() -> Any:
    made = {"a": f"A{uuid.uuid4().hex[:8]}", "b": f"B{uuid.uuid4().hex[:8]}", "c": f"C{uuid.uuid4().hex[:8]}"}
    yield made
    for name in made.values():
        delete_everywhere(name)


def test_each_kind_of_change_applies_and_converges(weaviate_versioned: WeaviateServer, names: dict[str, str],
                                                   tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    weaviate = weaviate_versioned
    url, targets = weaviate.url, [names["a"], names["b"], names["c"]]
    tflags = [a for t in targets for a in ("--target", t)]  # where each of them is in the file or the cluster
    doc = base_doc(names)

    def apply(*flags: str) -> str:
        cfg = write(tmp_path, doc)
        # --target names only collections of the file or the cluster (any other name is a typo, refused).
        known = [t for t in targets if any(c["name"] == t for c in doc["collections"])
                 or httpx.get(f"{url}/v1/schema/{t}", timeout=30).status_code == 200]
        tflags = [a for t in known for a in ("--target", t)]
        code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve", *flags, *tflags)
        assert code == 0, out + err
        assert "Verified: a fresh plan shows no changes." in out
        plan_is_empty(capsys, cfg, url, *[t for t in known if any(c["name"] == t for c in doc["collections"])
                                          or httpx.get(f"{url}/v1/schema/{t}", timeout=30).status_code == 200])
        return out

    out = apply()  # create, with the referenced collection first
    assert "will be created" in out
    doc["collections"][0]["description"] = "all articles"  # update in place
    doc["collections"][0]["vectors"]["main"]["index"]["ef"] = 128
    doc["collections"][0]["generative"] = {"module": "generative-cohere", "model": "command-r"}
    assert "updated in place" in apply()
    doc["collections"][0]["properties"].append({"name": "summary", "data_type": "text"})  # add property
    doc["collections"][0]["vectors"]["second"] = {"vectorizer": "none"}  # add named vector
    apply()
    if unsupported_reason(parse_version(weaviate.version), "drop_property_index") is None:
        doc["collections"][0]["properties"][1]["index_filterable"] = False  # drop an index: irreversible
        apply("--allow-destroy")
    doc["collections"][1]["properties"][0]["tokenization"] = "field"  # replace (immutable)
    assert "must be replaced" in apply("--allow-destroy")
    doc["collections"][1]["state"] = "absent"  # delete
    doc["collections"][0]["properties"] = [p for p in doc["collections"][0]["properties"] if p["name"] != "author"]
    doc["collections"][0]["properties"].append({"name": "author", "target_collection": names["a"]})
    httpx.delete(f"{url}/v1/schema/{names['a']}", timeout=30)  # the reference's target changes: start over
    apply("--allow-destroy")
    assert httpx.get(f"{url}/v1/schema/{names['b']}").status_code == 404
    httpx.post(f"{url}/v1/schema", json={"class": names["c"]}).raise_for_status()  # made by hand: not ours
    code, out, err = cli(capsys, "apply", "-f", str(write(tmp_path, doc)), "--url", url, "--auto-approve",
                         "--allow-destroy", "--prune", *tflags)
    assert code == 0, out + err
    assert f"--prune leaves alone (not known to be this configuration's): {names['c']} (no ownership record" in out
    assert httpx.get(f"{url}/v1/schema/{names['c']}").status_code == 200
    doc["collections"].append({"name": names["c"]})  # adopted: apply records this configuration as its owner
    code, out, err = cli(capsys, "apply", "-f", str(write(tmp_path, doc)), "--url", url, "--auto-approve", *tflags)
    assert code == 0 and "No changes" in out, out + err
    doc["collections"].pop()  # dropped from the file: now prune deletes it
    assert "Apply complete: 0 created, 0 updated, 0 replaced, 1 deleted" in apply("--allow-destroy", "--prune")
    assert httpx.get(f"{url}/v1/schema/{names['c']}").status_code == 404


@pytest.mark.parametrize("someone_else", ["property added", "setting changed", "collection deleted",
                                          "collection created"])
def test_saved_plan_is_refused_when_stale(someone_else: str, weaviate: WeaviateServer, names: dict[str, str],
                                          tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = weaviate.url
    doc = base_doc(names)
    cfg = write(tmp_path, doc)
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve")
    assert code == 0, out + err
    doc["collections"][0]["description"] = "planned change"
    doc["collections"].append({"name": names["c"], "properties": [{"name": "x", "data_type": "int"}]})
    cfg = write(tmp_path, doc)
    planfile = tmp_path / "plan.json"
    code, out, err = cli(capsys, "plan", "-f", str(cfg), "--url", url, "--out", str(planfile))
    assert code == 0, out + err
    a = names["a"]
    if someone_else == "property added":
        httpx.post(f"{url}/v1/schema/{a}/properties", json={"name": "extra", "dataType": ["text"]}).raise_for_status()
    elif someone_else == "setting changed":
        live = httpx.get(f"{url}/v1/schema/{a}").json()
        live["invertedIndexConfig"]["bm25"]["b"] = 0.5
        httpx.put(f"{url}/v1/schema/{a}", json=live).raise_for_status()
    elif someone_else == "collection deleted":
        httpx.delete(f"{url}/v1/schema/{a}").raise_for_status()
    else:
        httpx.post(f"{url}/v1/schema", json={"class": names["c"]}).raise_for_status()
    recorder = RecordingTransport()
    code, out, err = cli(capsys, "apply", str(planfile), transport=recorder)
    assert code == 1
    assert "stale plan: run plan again" in err
    expected = {"property added": "properties", "setting changed": "invertedIndexConfig.bm25.b",
                "collection deleted": "was deleted", "collection created": "was created"}[someone_else]
    assert expected in err
    assert recorder.writes_sent() == [], "a stale plan must send no write"


def _failure_doc(names: dict[str, str]) -> dict[str, Any]:
    """Five steps of one write each: create B, create A (references B), update C, add property, drop index."""
    doc = base_doc(names)
    doc["collections"].append({
        "name": names["c"], "description": "after",
        "properties": [{"name": "x", "data_type": "text", "index_filterable": False},
                       {"name": "y", "data_type": "int"}],
    })
    return doc


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("failure", ["connect", "500"])
def test_failure_at_every_step_is_reported_and_a_second_apply_converges(
        k: int, failure: str, weaviate: WeaviateServer, names: dict[str, str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = weaviate.url
    httpx.post(f"{url}/v1/schema", json={
        "class": names["c"], "description": "before",
        "properties": [{"name": "x", "dataType": ["text"]}]}).raise_for_status()
    cfg = write(tmp_path, _failure_doc(names))
    flags = ["--url", url, "--auto-approve", "--allow-destroy", "--target", names["a"], "--target", names["b"],
             "--target", names["c"]]
    recorder = RecordingTransport(fail_on_write=k, failure=failure)
    code, out, err = cli(capsys, "apply", "-f", str(cfg), *flags, transport=recorder)
    assert code == 1, out + err
    assert f"Apply stopped at step {k}:" in err
    assert f"Done ({k - 1}):" in err or (k == 1 and "Done: nothing." in err)
    assert f"Not attempted ({5 - k}):" in err or (k == 5 and "Not attempted: none." in err)
    assert "Traceback" not in err
    code, out, err = cli(capsys, "apply", "-f", str(cfg), *flags)
    assert code == 0, out + err
    assert "Verified: a fresh plan shows no changes." in out
    c = httpx.get(f"{url}/v1/schema/{names['c']}").json()
    assert c["description"] == "after"
    props = {p["name"]: p for p in c["properties"]}
    assert set(props) == {"x", "y"} and props["x"]["indexFilterable"] is False


def test_no_destructive_request_without_allow_destroy(weaviate: WeaviateServer, names: dict[str, str],
                                                      tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = weaviate.url
    doc = base_doc(names)
    cfg = write(tmp_path, doc)
    assert cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve")[0] == 0
    doc["collections"][0]["properties"][0]["tokenization"] = "field"  # forces a replace
    doc["collections"][1]["state"] = "absent"  # a delete
    cfg = write(tmp_path, doc)
    recorder = RecordingTransport()
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve", transport=recorder)
    assert code == 1 and "--allow-destroy" in err
    assert recorder.writes_sent() == []
    doc["collections"][0]["protect"] = True
    doc["collections"][1].pop("state")
    cfg = write(tmp_path, doc)
    recorder = RecordingTransport()
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve", "--allow-destroy",
                         transport=recorder)
    assert code == 1 and "protect: true" in err
    assert recorder.writes_sent() == []


def test_apply_without_terminal_or_auto_approve_refuses(weaviate: WeaviateServer, names: dict[str, str],
                                                        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write(tmp_path, base_doc(names))
    recorder = RecordingTransport()
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", weaviate.url, transport=recorder)
    assert code != 0 and "--auto-approve" in err
    assert recorder.writes_sent() == []


def test_server_killed_mid_apply_then_restarted_converges(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A real crash: the node is killed after the second write; restarted on its data, apply finishes the job."""
    data_dir = tmp_path / "data"
    server = WeaviateServer(data_dir=data_dir).start()
    names = {"a": "Killa", "b": "Killb", "c": "Killc"}
    cfg = write(tmp_path, _failure_doc(names))
    try:
        httpx.post(f"{server.url}/v1/schema", json={"class": "Killc", "properties": [
            {"name": "x", "dataType": ["text"]}]}).raise_for_status()
        recorder = RecordingTransport(after_write=lambda n: server.kill() if n == 2 else None)
        code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", server.url, "--auto-approve",
                             "--allow-destroy", transport=recorder)
        assert code == 1 and "Apply stopped at step 3" in err and "Done (2):" in err
        assert "could not release the apply lock" in err and "weavectl unlock" in err
        server.stop(keep_data=True)
        server = WeaviateServer(data_dir=data_dir).start()
        code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", server.url, "--auto-approve",
                             "--allow-destroy")
        assert code == 1 and "locked by " in err, out + err  # the lock the dead server kept
        code, out, err = cli(capsys, "unlock", "-f", str(cfg), "--url", server.url, "--force")
        assert code == 0 and "Lock cleared." in out, out + err
        code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", server.url, "--auto-approve", "--allow-destroy")
        assert code == 0, out + err
        plan_is_empty(capsys, cfg, server.url)
    finally:
        server.stop(keep_data=False)


def test_readme_quickstart_plans_applies_and_converges(weaviate_versioned: WeaviateServer,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """The README's main job, against the test server (WEAVIATE_URL, as `devserver exec` exports it)."""
    weaviate = weaviate_versioned
    monkeypatch.setenv("WEAVIATE_URL", weaviate.url)
    cfg = str(Path(__file__).resolve().parents[2] / "examples" / "quickstart.yaml")
    try:
        code, out, err = cli(capsys, "plan", "-f", cfg, "--detailed-exitcode")
        assert code == 2, out + err
        code, out, err = cli(capsys, "apply", "-f", cfg, "--auto-approve")
        assert code == 0, out + err
        assert "Verified: a fresh plan shows no changes." in out
        assert cli(capsys, "plan", "-f", cfg, "--detailed-exitcode")[0] == 0
    finally:
        httpx.delete(f"{weaviate.url}/v1/aliases/News")
        for name in ("Article", "Author"):
            httpx.delete(f"{weaviate.url}/v1/schema/{name}")


def test_undeclared_settings_that_differ_from_the_defaults_are_changes(
        weaviate: WeaviateServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What `plan --strict` used to warn about is now compared: the file says "defaults" by leaving them out."""
    name = f"Strict{uuid.uuid4().hex[:6]}"
    httpx.post(f"{weaviate.url}/v1/schema", json={
        "class": name, "description": "made by hand",
        "properties": [{"name": "title", "dataType": ["text"], "tokenization": "field"}],
        "invertedIndexConfig": {"bm25": {"b": 0.5, "k1": 1.2}},
    }).raise_for_status()
    try:
        cfg = write(tmp_path, {"version": 1, "collections": [
            {"name": name, "properties": [{"name": "title", "data_type": "text"}]}]})
        code, out, err = cli(capsys, "plan", "-f", str(cfg), "--url", weaviate.url, "--target", name,
                             "--detailed-exitcode", "--format", "json")
        assert code == 2, out + err
        change = json.loads(out)["changes"][0]
        fields = {f["path"]: (f["before"], f["after"], f["kind"]) for f in change["fields"]}
        assert fields == {"description": ("made by hand", "", "update"),
                          "properties.title.tokenization": ("field", "word", "immutable"),
                          "inverted_index.bm25.b": (0.5, 0.75, "update")}, fields
        # --strict is kept only so old scripts run: it changes nothing.
        assert cli(capsys, "plan", "-f", str(cfg), "--url", weaviate.url, "--target", name, "--strict",
                   "--detailed-exitcode")[0] == 2
    finally:
        httpx.delete(f"{weaviate.url}/v1/schema/{name}")


def test_in_place_updates_of_every_mutable_kind_apply_and_converge(
        weaviate_versioned: WeaviateServer, names: dict[str, str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    weaviate = weaviate_versioned
    # Older servers cannot change a vectorizer's settings in place: there the model stays.
    model_in_place = unsupported_reason(parse_version(weaviate.version), "update_vectorizer_settings") is None
    name = names["c"]
    coll: dict[str, Any] = {
        "name": name, "description": "v1",
        "properties": [{"name": "title", "data_type": "text", "description": "old"},
                       {"name": "body", "data_type": "text"}],
        "vectors": {"main": {"vectorizer": "text2vec-openai", "base_url": "http://127.0.0.1:9",
                             "model": "text-embedding-3-small", "index": {"ef": 64}}},
        "multi_tenancy": {"enabled": True, "auto_tenant_creation": False},
        "replication": {"deletion_strategy": "TimeBasedResolution"},
        "inverted_index": {"stopwords": {"preset": "en"}},
    }
    flags = ["--url", weaviate.url, "--auto-approve", "--target", name]
    cfg = write(tmp_path, {"version": 1, "collections": [coll]})
    assert cli(capsys, "apply", "-f", str(cfg), *flags)[0] == 0
    coll["description"] = "v2"
    coll["properties"][0]["description"] = "new"
    if model_in_place:
        coll["vectors"]["main"]["model"] = "text-embedding-3-large"  # in place for openai (with a warning)
    coll["vectors"]["main"]["index"] = {"ef": 128, "flat_search_cutoff": 20000, "quantizer": {"type": "rq"}}
    coll["multi_tenancy"]["auto_tenant_creation"] = True
    coll["replication"]["deletion_strategy"] = "DeleteOnConflict"
    coll["inverted_index"]["stopwords"] = {"preset": "none", "additions": ["acme"]}
    coll["generative"] = {"module": "generative-openai", "model": "gpt-4o"}
    cfg = write(tmp_path, {"version": 1, "collections": [coll]})
    code, out, err = cli(capsys, "apply", "-f", str(cfg), *flags)
    assert code == 0, out + err
    assert "updated in place" in out and "must be replaced" not in out
    assert "Verified: a fresh plan shows no changes." in out
    live = httpx.get(f"{weaviate.url}/v1/schema/{name}").json()
    assert live["vectorConfig"]["main"]["vectorizer"]["text2vec-openai"]["model"] == (
        "text-embedding-3-large" if model_in_place else "text-embedding-3-small")
    assert live["vectorConfig"]["main"]["vectorIndexConfig"]["rq"]["enabled"] is True
    assert live["multiTenancyConfig"]["autoTenantCreation"] is True
    assert {p["name"]: p.get("description") for p in live["properties"]}["title"] == "new"
    assert live["replicationConfig"]["deletionStrategy"] == "DeleteOnConflict"
    assert live["moduleConfig"]["generative-openai"]["model"] == "gpt-4o"


def test_an_alias_is_created_or_moved_as_the_plan_saw_it(weaviate_versioned: WeaviateServer, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Plan decides POST (new alias) or PUT (moved alias) from what it read; apply runs exactly that step."""
    weaviate = weaviate_versioned
    if unsupported_reason(parse_version(weaviate.version), "aliases"):
        pytest.skip("aliases need Weaviate >= 1.32")
    tag = uuid.uuid4().hex[:8]
    old, new, moved, fresh = f"Old{tag}", f"New{tag}", f"Moved{tag}", f"Fresh{tag}"
    props = [{"name": "title", "data_type": "text"}]
    doc: dict[str, Any] = {"version": 1, "collections": [
        {"name": old, "properties": props, "aliases": [moved]},
        {"name": new, "properties": props}]}
    cfg = write(tmp_path, doc)
    try:
        assert cli(capsys, "apply", "-f", str(cfg), "--url", weaviate.url, "--auto-approve")[0] == 0
        doc["collections"][0]["aliases"] = []
        doc["collections"][1]["aliases"] = [moved, fresh]
        write(tmp_path, doc)
        code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", weaviate.url, "--auto-approve")
        assert code == 0, out + err
        for alias in (moved, fresh):
            got = httpx.get(f"{weaviate.url}/v1/aliases/{alias}", headers=weaviate.headers(), timeout=30)
            assert got.status_code == 200 and got.json()["class"] == new, got.text
        plan_is_empty(capsys, cfg, weaviate.url)
    finally:
        for alias in (moved, fresh):
            httpx.delete(f"{weaviate.url}/v1/aliases/{alias}", headers=weaviate.headers(), timeout=30)
        for name in (old, new):
            delete_everywhere(name)


def test_a_plan_makes_three_reads_unless_replication_needs_the_members(
        weaviate: WeaviateServer, names: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """meta, schema, aliases; the members (/v1/nodes, RAFT statistics) only for declared replication, and the node
    names of a saved plan's identity only when it is saved."""
    doc = base_doc(names)
    cfg = write(tmp_path, doc)
    assert cli(capsys, "apply", "-f", str(cfg), "--url", weaviate.url, "--auto-approve")[0] == 0
    recorder = RecordingTransport()
    assert cli(capsys, "plan", "-f", str(cfg), "--url", weaviate.url, "--format", "json", "--detailed-exitcode",
               transport=recorder)[0] == 0
    # Meta first and alone; the aliases are read beside the schema, in either order.
    assert recorder.requests[0] == ("GET", "/v1/meta")
    assert sorted(recorder.requests[1:]) == [("GET", "/v1/aliases"), ("GET", "/v1/schema")]
    recorder = RecordingTransport()
    out = tmp_path / "plan.json"
    code, shown, _ = cli(capsys, "plan", "-f", str(cfg), "--url", weaviate.url, "--out", str(out), transport=recorder)
    # The digest's cluster identity (the node names) is read beside the schema too.
    assert code == 0 and recorder.requests[0] == ("GET", "/v1/meta")
    assert sorted(recorder.requests[1:]) == [("GET", "/v1/aliases"), ("GET", "/v1/nodes"), ("GET", "/v1/schema")]
    saved = json.loads(out.read_text())
    assert saved["cluster"]["nodes"] == ["node1"] and f"Plan digest: {saved['digest']}" in shown
    doc["collections"][0]["replication"] = {"factor": 1}
    write(tmp_path, doc)
    recorder = RecordingTransport()
    code, text, err = cli(capsys, "plan", "-f", str(cfg), "--url", weaviate.url, "--format", "json",
                          transport=recorder)
    assert code == 0, text + err
    assert ("GET", "/v1/nodes") in recorder.requests and ("GET", "/v1/cluster/statistics") in recorder.requests
    assert json.loads(text)["cluster"]["members_read"] is True
