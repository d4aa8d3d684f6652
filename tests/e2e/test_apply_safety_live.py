"""Apply never loses what it was not told to lose (issue 12), against a real weaviate-server: create before
destroy, the apply lock, irreversible changes, plan files as data, object counts, interrupts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.test_apply_live import cli, write
from tests.support.recording import RecordingTransport
from weavectl.cli import run_cli
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server


def count(url: str, name: str) -> int:
    body = httpx.post(f"{url}/v1/graphql", json={"query": f"{{ Aggregate {{ {name} {{ meta {{ count }} }} }} }}"},
                      timeout=30).json()
    return int(body["data"]["Aggregate"][name][0]["meta"]["count"])


def add_objects(url: str, name: str, n: int, vector: str | None = "main") -> None:
    objects = [{"class": name, "properties": {"title": f"t{i}"},
                **({"vectors": {vector: [0.1, 0.2, 0.3]}} if vector else {})} for i in range(n)]
    answer = httpx.post(f"{url}/v1/batch/objects", json={"objects": objects}, timeout=60)
    answer.raise_for_status()
    assert not any((o.get("result") or {}).get("errors") for o in answer.json())


def openai_coll(name: str, **vector: Any) -> dict[str, Any]:
    return {"name": name, "properties": [{"name": "title", "data_type": "text"}],
            "vectors": {"main": {"vectorizer": "text2vec-openai", "base_url": "http://127.0.0.1:9",
                                 "model": "text-embedding-3-small", **vector}}}


@pytest.fixture
def names(weaviate: WeaviateServer) -> Any:
    made = {k: f"{k.upper()}{uuid.uuid4().hex[:8]}" for k in "abc"}
    yield made
    for name in made.values():
        httpx.delete(f"{weaviate.url}/v1/schema/{name}", timeout=30)


def test_refused_replace_leaves_the_collection_and_its_objects(weaviate: WeaviateServer, names: dict[str, str],
                                                               tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                               ) -> None:
    url, a, b = weaviate.url, names["a"], names["b"]
    doc: dict[str, Any] = {"version": 1, "collections": [openai_coll(a), openai_coll(b)]}
    cfg = write(tmp_path, doc)
    assert cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve")[0] == 0
    add_objects(url, a, 7)
    add_objects(url, b, 5)
    before = {n: httpx.get(f"{url}/v1/schema/{n}").json() for n in (a, b)}
    # Both replaced (distance is fixed at creation); the first one's new definition is one the server refuses.
    # The dynamic index needs ASYNC_INDEXING, which this server does not have (validate only warns).
    doc["collections"][0]["vectors"]["main"]["index"] = {"type": "dynamic"}
    doc["collections"][1]["vectors"]["main"]["index"] = {"distance": "dot"}
    cfg = write(tmp_path, doc)
    code, out, err = cli(capsys, "plan", "-f", str(cfg), "--url", url, "--target", a, "--target", b)
    assert code == 0, out + err
    assert "holds 7 object(s)" in out and "holds 5 object(s)" in out, out
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve", "--allow-destroy")
    assert code == 1, out + err
    assert f"the server refuses the new definition of {a}" in err and "nothing was deleted" in err, err
    assert "async indexing" in err  # the server's own message
    assert "_wvcheck_" not in err
    for name, n in ((a, 7), (b, 5)):
        assert httpx.get(f"{url}/v1/schema/{name}").json() == before[name]
        assert count(url, name) == n
    leftovers = [c["class"] for c in httpx.get(f"{url}/v1/schema").json()["classes"] if "_wvcheck_" in c["class"]]
    assert leftovers == []
    # Fixed, both replaces run one collection at a time and converge.
    doc["collections"][0]["vectors"]["main"]["index"] = {"distance": "dot"}
    cfg = write(tmp_path, doc)
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve", "--allow-destroy")
    assert code == 0, out + err
    assert "Verified: a fresh plan shows no changes." in out
    order = [line.split("] ", 1)[1] for line in err.splitlines() if line.startswith("[") and line.endswith("...")]
    first, second = sorted((a, b))
    assert order == [f"check the server accepts the new definition of {first} ...",
                     f"delete collection {first} (replace) ...", f"create collection {first} (replace) ...",
                     f"check the server accepts the new definition of {second} ...",
                     f"delete collection {second} (replace) ...", f"create collection {second} (replace) ..."], err


def test_delete_refused_when_objects_arrived_after_the_plan(weaviate: WeaviateServer, names: dict[str, str],
                                                             tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    url, a = weaviate.url, names["a"]
    doc: dict[str, Any] = {"version": 1, "collections": [openai_coll(a)]}
    cfg = write(tmp_path, doc)
    assert cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve")[0] == 0
    add_objects(url, a, 3)
    doc["collections"][0]["vectors"]["main"]["index"] = {"distance": "dot"}
    cfg = write(tmp_path, doc)
    # Objects arrive right after the create-check (the first schema write), before the delete.
    recorder = RecordingTransport(after_write=lambda n: add_objects(url, a, 2) if n == 2 else None)
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve", "--allow-destroy",
                         transport=recorder)
    assert code == 1, out + err
    assert f"{a} now holds 5 objects, the plan saw 3" in err and "nothing was deleted" in err, err
    assert count(url, a) == 5


def test_dropping_an_index_needs_allow_destroy(weaviate: WeaviateServer, names: dict[str, str], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    url, a = weaviate.url, names["a"]
    doc: dict[str, Any] = {"version": 1,
                           "collections": [{"name": a, "properties": [{"name": "title", "data_type": "text"}]}]}
    assert cli(capsys, "apply", "-f", str(write(tmp_path, doc)), "--url", url, "--auto-approve")[0] == 0
    before = httpx.get(f"{url}/v1/schema/{a}").json()
    doc["collections"][0]["properties"][0]["index_searchable"] = False
    cfg = write(tmp_path, doc)
    code, out, err = cli(capsys, "plan", "-f", str(cfg), "--url", url)
    assert "irreversible: properties.title.indexSearchable" in out and "needs --allow-destroy" in out, out
    recorder = RecordingTransport()
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve", transport=recorder)
    assert code == 1 and "irreversible change" in err and "--allow-destroy" in err, out + err
    assert recorder.writes_sent() == []
    assert httpx.get(f"{url}/v1/schema/{a}").json() == before
    doc["collections"][0]["protect"] = True
    cfg = write(tmp_path, doc)
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve", "--allow-destroy")
    assert code == 1 and "protect: true" in err
    doc["collections"][0]["protect"] = False
    cfg = write(tmp_path, doc)
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve", "--allow-destroy")
    assert code == 0, out + err
    assert httpx.get(f"{url}/v1/schema/{a}").json()["properties"][0]["indexSearchable"] is False


def _spawn(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "weavectl", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})


def test_concurrent_applies_never_lose_an_update(weaviate: WeaviateServer, names: dict[str, str], tmp_path: Path
                                                 ) -> None:
    url, a = weaviate.url, names["a"]
    base: dict[str, Any] = {"name": a, "description": "d0", "properties": [{"name": "title", "data_type": "text"}],
                            "inverted_index": {"bm25": {"b": 0.75}},
                            "vectors": {"v": {"vectorizer": "none", "index": {"quantizer": {"type": "rq"}}}}}
    cfg0 = write(tmp_path, {"version": 1, "collections": [base]}, "base.yaml")
    assert run_cli(["apply", "-f", str(cfg0), "--url", url, "--auto-approve"]) == 0
    outcomes: dict[str, int] = {"both": 0, "one locked": 0}
    for i in range(20):
        one = {**base, "description": f"d{i + 1}"}
        two = {**base, "inverted_index": {"bm25": {"b": round(0.5 + i / 100, 2)}}}
        files = [write(tmp_path, {"version": 1, "collections": [c]}, f"{k}.yaml") for k, c in (("1", one), ("2", two))]
        procs = [_spawn(["apply", "-f", str(f), "--url", url, "--auto-approve", "--target", a],
                        env={"WEAVECTL_TEST_WRITE_DELAY": "0.5"}) for f in files]
        results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
        winners = [k for k, (code, out, err) in enumerate(results) if code == 0]
        for code, out, err in results:
            assert (code == 0 and "Verified: a fresh plan shows no changes." in out) or \
                (code == 1 and ("locked by " in err or "changed by another writer during apply" in err)), out + err
            assert "please report" not in out + err
        assert winners, results
        live = httpx.get(f"{url}/v1/schema/{a}").json()
        # The cluster holds exactly one file's truth, never a mix, and RQ stays on.
        assert live["vectorConfig"]["v"]["vectorIndexConfig"]["rq"]["enabled"] is True
        state = (live["description"], live["invertedIndexConfig"]["bm25"]["b"])
        wanted = {0: (one["description"], 0.75), 1: ("d0", two["inverted_index"]["bm25"]["b"])}
        assert state in [wanted[w] for w in winners], (state, results)
        outcomes["both" if len(winners) == 2 else "one locked"] += 1
        # Back to the base for the next round.
        assert run_cli(["apply", "-f", str(cfg0), "--url", url, "--auto-approve"]) == 0
    assert sum(outcomes.values()) == 20


def test_stale_lock_of_a_killed_apply_is_reported_and_cleared(weaviate: WeaviateServer, names: dict[str, str],
                                                               tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                               ) -> None:
    url, a = weaviate.url, names["a"]
    doc = {"version": 1, "collections": [{"name": a, "description": "x",
                                          "properties": [{"name": "title", "data_type": "text"}]}]}
    cfg = write(tmp_path, doc)
    proc = _spawn(["apply", "-f", str(cfg), "--url", url, "--auto-approve"], env={"WEAVECTL_TEST_WRITE_DELAY": "30"})
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        while line and "[1/1]" not in line:
            line = proc.stderr.readline()
        assert "[1/1]" in line
    finally:
        proc.kill()  # kill -9: no chance to release the lock
        proc.wait()
    assert httpx.get(f"{url}/v1/schema/{a}").status_code == 404
    code, out, err = cli(capsys, "unlock", "-f", str(cfg), "--url", url)  # no terminal: shows, refuses without --force
    assert code == 64 and "--force" in err and f"pid {proc.pid}" in out and "command: weavectl apply" in out, out + err
    # The holder died on this host: the next apply takes the lock over, and says so.
    code, out, err = cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve")
    assert code == 0, out + err
    assert "took over a stale apply lock" in err and f"pid {proc.pid}" in err
    code, out, err = cli(capsys, "unlock", "-f", str(cfg), "--url", url, "--force")
    assert "No apply lock is held" in out


def test_plan_file_is_data(weaviate: WeaviateServer, names: dict[str, str], tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    url, a = weaviate.url, names["a"]
    marker = tmp_path / "ran"
    key_command = ["sh", "-c", f"touch {marker}; echo sk-test-openai-0000"]
    doc: dict[str, Any] = {"version": 1, "collections": [openai_coll(a)],
                           "api_keys": {"openai": {"command": key_command}}}
    cfg = write(tmp_path, doc)
    assert cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve")[0] == 0
    marker.unlink()
    doc["collections"][0]["description"] = "reviewed"
    cfg = write(tmp_path, doc)
    plan_path = tmp_path / "plan.json"
    code, out, err = cli(capsys, "plan", "-f", str(cfg), "--url", url, "--target", a, "--out", str(plan_path))
    assert code == 0, out + err
    saved = json.loads(plan_path.read_text())
    digest = saved["digest"]
    assert f"Plan digest: {digest}" in out and digest in err
    assert "api_keys" not in saved and "config" in saved  # key sources are resolved from the config it names
    code, out, err = cli(capsys, "plan", "-f", str(cfg), "--url", url, "--target", a, "--format", "markdown")
    assert f"Plan digest: `{digest}`" in out
    marker.unlink(missing_ok=True)
    # A hand edit (update turned into a delete) is refused before anything runs.
    edited = json.loads(plan_path.read_text())
    edited["plan"]["changes"][0]["action"] = "delete"
    bad = tmp_path / "edited.json"
    bad.write_text(json.dumps(edited))
    code, out, err = cli(capsys, "apply", str(bad), "--allow-destroy")
    assert code == 1 and "changed after it was made" in err, err
    # Invalid fields: clear errors, by path.
    edited = json.loads(plan_path.read_text())
    edited["options"]["prune"] = "yes"
    bad.write_text(json.dumps(edited))
    code, out, err = cli(capsys, "apply", str(bad))
    assert code == 1 and "options/prune" in err, err
    # --expect-digest refuses another plan.
    code, out, err = cli(capsys, "apply", str(plan_path), "--expect-digest", "sha256:" + "0" * 64)
    assert code == 1 and "not the expected" in err
    # Another cluster (another URL for it) is refused as such.
    code, out, err = cli(capsys, "apply", str(plan_path), "--url", url.replace("127.0.0.1", "localhost"))
    assert code == 1 and "made against another cluster" in err, err
    assert not marker.exists(), "a key-source command ran before the plan file was accepted"
    assert httpx.get(f"{url}/v1/schema/{a}").json().get("description") in (None, "")
    code, out, err = cli(capsys, "apply", str(plan_path), "--expect-digest", digest)
    assert code == 0, out + err
    assert httpx.get(f"{url}/v1/schema/{a}").json()["description"] == "reviewed"


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_sigterm_at_each_step_reports_and_a_rerun_converges(k: int, weaviate: WeaviateServer, names: dict[str, str],
                                                            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, a, b, c = weaviate.url, names["a"], names["b"], names["c"]
    httpx.post(f"{url}/v1/schema", json={"class": c, "properties": [{"name": "x", "dataType": ["text"]}]}
               ).raise_for_status()
    doc = {"version": 1, "collections": [
        {"name": a, "properties": [{"name": "t", "data_type": "text"}, {"name": "r", "target_collection": b}]},
        {"name": b, "properties": [{"name": "n", "data_type": "text"}]},
        {"name": c, "description": "after", "properties": [{"name": "x", "data_type": "text",
                                                           "index_filterable": False},
                                                          {"name": "y", "data_type": "int"}]}]}
    cfg = write(tmp_path, doc)
    flags = ["-f", str(cfg), "--url", url, "--auto-approve", "--allow-destroy", *(f for n in (a, b, c)
                                                                                   for f in ("--target", n))]
    proc = _spawn(["apply", *flags], env={"WEAVECTL_TEST_WRITE_DELAY": "1"})
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith(f"[{k}/5]") and line.rstrip().endswith("..."):
            time.sleep(0.3)
            proc.send_signal(signal.SIGTERM)
            break
    code = proc.wait(timeout=60)
    err = "".join(seen) + proc.stderr.read()
    assert code == 143, err
    assert "Apply interrupted (SIGTERM)" in err, err
    assert f"Done ({k}):" in err, err  # the step in flight finished
    assert f"Not attempted ({5 - k}):" in err or (k == 5 and "Not attempted: none." in err), err
    assert "Traceback" not in err
    code, out, err = cli(capsys, "unlock", "-f", str(cfg), "--url", url, "--force")
    assert "No apply lock is held" in out  # released on the way out
    code, out, err = cli(capsys, "apply", *flags)
    assert code == 0, out + err
    assert ("Verified: a fresh plan shows no changes." in out) == (k < 5), out  # at k=5 nothing was left to do
    code, out, err = cli(capsys, "plan", *flags[:4], "--detailed-exitcode")
    assert code == 0, out + err


def test_replace_and_delete_show_objects_per_tenant_and_referencing_collections(
        weaviate: WeaviateServer, names: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 15: a reviewer sees what a replace or delete destroys: the objects (per tenant) and the collections
    whose references to it would dangle; in text, markdown and JSON."""
    url, target, source, tenanted = weaviate.url, names["a"], names["b"], names["c"]
    doc: dict[str, Any] = {"version": 1, "collections": [
        openai_coll(target),
        {**openai_coll(source), "properties": [{"name": "title", "data_type": "text"},
                                                {"name": "about", "target_collection": target}]},
        {**openai_coll(tenanted), "multi_tenancy": {"enabled": True}},
    ]}
    cfg = write(tmp_path, doc)
    assert cli(capsys, "apply", "-f", str(cfg), "--url", url, "--auto-approve")[0] == 0
    add_objects(url, target, 4)
    tenants = httpx.post(f"{url}/v1/schema/{tenanted}/tenants", json=[{"name": "t1"}, {"name": "t2"}], timeout=30)
    tenants.raise_for_status()
    for tenant, n in (("t1", 2), ("t2", 3)):
        objects = [{"class": tenanted, "tenant": tenant, "properties": {"title": f"x{i}"},
                    "vectors": {"main": [0.1, 0.2, 0.3]}} for i in range(n)]
        httpx.post(f"{url}/v1/batch/objects", json={"objects": objects}, timeout=60).raise_for_status()
    doc["collections"][0]["vectors"]["main"]["index"] = {"distance": "dot"}  # immutable: a replace
    doc["collections"][2]["state"] = "absent"
    cfg = write(tmp_path, doc)
    code, out, err = cli(capsys, "plan", "-f", str(cfg), "--url", url, "--format", "json")
    assert code == 0, err
    changes = {c["collection"]: c for c in json.loads(out)["changes"]}
    assert changes[target]["action"] == "replace"
    assert changes[target]["objects"] == 4
    assert changes[target]["referenced_by"] == [source]
    assert changes[tenanted]["action"] == "delete"
    assert changes[tenanted]["objects"] == 5
    assert changes[tenanted]["tenant_objects"] == {"t1": 2, "t2": 3}
    for fmt in ("text", "markdown"):
        code, out, err = cli(capsys, "plan", "-f", str(cfg), "--url", url, "--format", fmt)
        assert code == 0, err
        assert "holds 4 object(s)" in out and f"referenced by {source}" in out
        assert "holds 5 object(s) (t1: 2, t2: 3)" in out


def test_a_held_lock_is_kept_alive_by_its_heartbeat_and_expires_once_it_stops(weaviate: WeaviateServer) -> None:
    """A long apply (a migration) must not outlive its lock, and a dead holder must still expire."""
    from datetime import timedelta

    from weavectl.adapters.lock import ApplyLock, Locked, current_holder, expired
    from weavectl.adapters.weaviate import WeaviateClient

    client = WeaviateClient(weaviate.url)
    lock = ApplyLock(client, command="heartbeat test", ttl=timedelta(seconds=2))
    lock.acquire()
    try:
        lock.start_heartbeat(every=0.4)
        first = current_holder(client)
        assert first is not None
        time.sleep(3.5)  # well past the 2 s expiry: only the heartbeat keeps it
        held = current_holder(client)
        assert held is not None and not expired(held) and held["expires_at"] > first["expires_at"]
        with pytest.raises(Locked, match="locked by"):
            ApplyLock(WeaviateClient(weaviate.url)).acquire()
    finally:
        lock.release()
    assert current_holder(client) is None
    # A holder whose heartbeat stopped (it died) expires by itself and is taken over.
    dead = ApplyLock(client, command="dead holder", ttl=timedelta(seconds=1))
    dead.acquire()
    time.sleep(1.5)
    other = ApplyLock(WeaviateClient(weaviate.url))
    other.acquire()
    assert "dead holder" in other.took_over
    other.release()
