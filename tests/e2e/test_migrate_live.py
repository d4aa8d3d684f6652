"""`on_replace: migrate` on a real server: 20,000 objects with a bring-your-own vector, a vector embedded by the
local ollama provider and a reference migrate for a model change; kill -9 mid-copy resumes; tenants keep their
activity status; rollback; export after a migration plans to no changes; the collection's smoke queries gate the
alias swap; writes through the alias during the migration all reach the new generation; a legacy unnamed vector
migrates on every tested server version.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.support.providers import LocalProviders, embed
from tests.support.proxy_process import slow_paths
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server

N_OBJECTS = 20_000
DIMS = 8
ROOT = Path(__file__).resolve().parents[2]


def _weavectl(server: WeaviateServer, *args: str, check: bool = True, url: str | None = None
              ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WEAVIATE_URL": url or server.url,
           "WEAVIATE_GRPC_ADDRESS": server.grpc_address}
    proc = subprocess.run([sys.executable, "-m", "weavectl", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    if check:
        assert proc.returncode == 0, f"weavectl {' '.join(args)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _config(path: Path, name: str, ollama: str, model: str, *, tenants: bool = False,
            smoke: dict[str, Any] | None = None) -> Path:
    article: dict[str, Any] = {
        "name": name,
        "on_replace": "migrate",
        "aliases": [f"{name}Live"],
        "properties": [{"name": "title", "data_type": "text"}, {"name": "n", "data_type": "int"}],
        "vectors": {
            "byo": {"vectorizer": "none", "index": {"type": "hnsw"}},
            "emb": {"vectorizer": "text2vec-ollama", "api_endpoint": ollama, "model": model,
                    "source_properties": ["title"], "index": {"type": "hnsw"}},
        },
    }
    colls: list[dict[str, Any]] = [article]
    if smoke is not None:
        article["vectors"]["emb"]["vectorize_collection_name"] = False  # the same text in every generation
        article["vectors"]["emb"]["index"] = {"type": "flat"}  # exact search: the smoke query's top hit is certain
        article["smoke"] = smoke
    if tenants:
        article["multi_tenancy"] = {"enabled": True}
    else:
        article["properties"].append({"name": "author", "target_collection": f"{name}Author"})
        colls.insert(0, {"name": f"{name}Author", "properties": [{"name": "name", "data_type": "text"}]})
    path.write_text(yaml.safe_dump({"version": 1, "collections": colls}, sort_keys=False))
    return path


def _batch(server: WeaviateServer, objects: list[dict[str, Any]]) -> None:
    for i in range(0, len(objects), 1000):
        resp = httpx.post(f"{server.url}/v1/batch/objects", json={"objects": objects[i:i + 1000]},
                          headers=server.headers(), timeout=300)
        resp.raise_for_status()
        failed = [o for o in resp.json() if (o.get("result") or {}).get("errors")]
        assert not failed, failed[:2]


def _all(server: WeaviateServer, cls: str, tenant: str = "") -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    after = ""
    while True:
        q = f"/v1/objects?class={cls}&limit=2000&include=vector" + (f"&tenant={tenant}" if tenant else "") + (
            f"&after={after}" if after else "")
        objs = httpx.get(server.url + q, headers=server.headers(), timeout=120).json()["objects"]
        for o in objs:
            assert o["id"] not in out
            out[o["id"]] = o
        if len(objs) < 2000:
            return out
        after = objs[-1]["id"]


def _alias(server: WeaviateServer, alias: str) -> str:
    resp = httpx.get(f"{server.url}/v1/aliases/{alias}", headers=server.headers(), timeout=30)
    return str(resp.json()["class"])


def _plan_json(server: WeaviateServer, cfg: Path) -> dict[str, Any]:
    proc = _weavectl(server, "plan", "-f", str(cfg), "--format", "json", check=False)
    assert proc.returncode in (0, 2), proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def _run_killed_at(server: WeaviateServer, cfg: Path, percent: int) -> str:
    """apply, killed with SIGKILL once the copy reports `percent` or more; returns what it printed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WEAVIATE_URL": server.url}
    proc = subprocess.Popen([sys.executable, "-m", "weavectl", "apply", "-f", str(cfg), "--auto-approve"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    assert proc.stderr is not None
    for line in proc.stderr:
        seen.append(line)
        if "objects (" in line and int(line.split("objects (")[1].split("%")[0]) >= percent:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    return "".join(seen)


@pytest.fixture(scope="module")
def loaded(weaviate_versioned: WeaviateServer, providers: LocalProviders, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[dict[str, Any]]:
    """20,000 objects on each supported version (the issue's bar is every version, not only the newest)."""
    weaviate = weaviate_versioned
    name = f"M{uuid.uuid4().hex[:8]}"
    cfg = _config(tmp_path_factory.mktemp("mig") / "weavectl.yaml", name, providers["ollama"].url,
                  "nomic-embed-text")
    _weavectl(weaviate, "apply", "-f", str(cfg), "--auto-approve")
    authors = [{"class": f"{name}Author", "id": str(uuid.UUID(int=i + 1)), "properties": {"name": f"author {i}"}}
               for i in range(10)]
    _batch(weaviate, authors)
    rng = random.Random(7)
    objects = [{"class": name, "id": str(uuid.uuid4()),
                "properties": {"title": f"article {i} about {rng.choice(['cats', 'dogs', 'birds'])}", "n": i,
                               "author": [{"beacon": f"weaviate://localhost/{name}Author/{authors[i % 10]['id']}"}]},
                "vectors": {"byo": [rng.uniform(-1, 1) for _ in range(DIMS)]}} for i in range(N_OBJECTS)]
    _batch(weaviate, objects)
    yield {"name": name, "cfg": cfg, "before": _all(weaviate, name)}
    _remove(weaviate, name, author=True)  # the shared server is also diffed whole by other tests (gitops)


def test_migrate_copies_reembeds_only_the_changed_vector_and_swaps_the_alias(
        weaviate_versioned: WeaviateServer, providers: LocalProviders, loaded: dict[str, Any]) -> None:
    weaviate = weaviate_versioned
    name, cfg, before = loaded["name"], loaded["cfg"], loaded["before"]
    assert len(before) == N_OBJECTS
    _config(cfg, name, providers["ollama"].url, "all-minilm")
    plan = _plan_json(weaviate, cfg)
    change = next(c for c in plan["changes"] if c["collection"] == name)
    assert change["action"] == "migrate" and change["destroys_data"] is False, change
    mig = change["migration"]
    assert (mig["to"], mig["copy_vectors"], mig["reembed_vectors"]) == (f"{name}_v2", ["byo"], ["emb"]), mig
    cost = mig["cost"]["vectors"]["emb"]
    assert cost["objects_to_embed"] == N_OBJECTS and cost["estimated_tokens"] > 0, cost
    assert cost["example_text"].startswith("article "), cost
    assert "estimate" in mig["cost"]["label"] and cost["estimated_price_usd"] == 0.0, cost
    text = _weavectl(weaviate, "plan", "-f", str(cfg), check=False).stdout
    assert f'=> collection "{name}"' in text and "1 to migrate" in text, text

    providers.clear()
    answers: list[int] = []
    failures: list[str] = []
    stop = threading.Event()

    def query_alias() -> None:  # queries through the alias answer during the whole migration
        query = {"query": f"{{ Get {{ {name}Live(limit: 3) {{ title }} }} }}"}
        while not stop.is_set():
            resp = httpx.post(f"{weaviate.url}/v1/graphql", json=query, timeout=30)
            data = resp.json()
            if resp.status_code != 200 or data.get("errors") or len(data["data"]["Get"][f"{name}Live"]) != 3:
                failures.append(resp.text[:300])
            answers.append(resp.status_code)
            time.sleep(0.02)

    thread = threading.Thread(target=query_alias, daemon=True)
    thread.start()
    report_path = cfg.parent / "report.json"
    try:
        proc = _weavectl(weaviate, "apply", "-f", str(cfg), "--auto-approve", "--report", str(report_path))
    finally:
        stop.set()
        thread.join(timeout=30)
    assert len(answers) > 20 and not failures, failures[:3]
    assert "Verified: a fresh plan shows no changes." in proc.stdout, proc.stdout + proc.stderr
    report = json.loads(report_path.read_text())["migrations"][0]
    assert report["to"] == f"{name}_v2" and report["objects"] == N_OBJECTS, report
    assert report["verified"]["vector_dimensions"]["byo"] == DIMS, report

    after = _all(weaviate, f"{name}_v2")
    assert set(after) == set(before)
    for oid, obj in before.items():
        new = after[oid]
        assert new["vectors"]["byo"] == obj["vectors"]["byo"], oid  # byte-identical float32 values
        assert new["properties"]["title"] == obj["properties"]["title"]
        assert new["properties"]["author"][0]["beacon"] == obj["properties"]["author"][0]["beacon"]
    embedded = [t for r in providers["ollama"].requests for t in r.texts]
    models = {r.model for r in providers["ollama"].requests}
    assert models == {"all-minilm"}, models  # only the changed vector reached the provider
    assert len(embedded) == N_OBJECTS, len(embedded)
    assert _alias(weaviate, f"{name}Live") == f"{name}_v2"
    assert _weavectl(weaviate, "plan", "-f", str(cfg), "--detailed-exitcode", check=False).returncode == 0

    exported = cfg.parent / "exported.yaml"
    _weavectl(weaviate, "export", "-o", str(exported))
    doc = yaml.safe_load(exported.read_text())
    mine = [c for c in doc["collections"] if c["name"].startswith(name)]
    assert {c["name"] for c in mine} == {name, f"{name}Author"}, mine
    assert next(c for c in mine if c["name"] == name)["on_replace"] == "migrate"
    ollama_url = providers["ollama"].url
    assert ollama_url  # the exported file names the same endpoint, so it plans against the same cluster
    proc = _weavectl(weaviate, "plan", "-f", str(exported), "--detailed-exitcode", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    proc = _weavectl(weaviate, "rollback", name, "-f", str(cfg))
    assert _alias(weaviate, f"{name}Live") == name, proc.stdout


def test_killed_migration_resumes_without_duplicates_or_loss(
        weaviate_versioned: WeaviateServer, providers: LocalProviders, loaded: dict[str, Any]) -> None:
    weaviate = weaviate_versioned
    name, cfg, before = loaded["name"], loaded["cfg"], loaded["before"]
    _config(cfg, name, providers["ollama"].url, "mxbai-embed-large")
    if _alias(weaviate, f"{name}Live") != name:  # the previous test rolls back; make this one independent
        httpx.put(f"{weaviate.url}/v1/aliases/{name}Live", json={"class": name}, timeout=30)
    target = _plan_json(weaviate, cfg)["changes"][0]["migration"]["to"]
    _run_killed_at(weaviate, cfg, 30)
    plan = _plan_json(weaviate, cfg)
    mig = next(c for c in plan["changes"] if c["collection"] == name)["migration"]
    assert mig["to"] == target and mig.get("resume") is True, mig
    _run_killed_at(weaviate, cfg, 70)
    proc = _weavectl(weaviate, "apply", "-f", str(cfg), "--auto-approve")
    assert "resuming" in proc.stderr, proc.stderr
    after = _all(weaviate, target)
    assert len(after) == N_OBJECTS and set(after) == set(before)
    assert all(after[i]["vectors"]["byo"] == o["vectors"]["byo"] for i, o in before.items())
    assert all(len(o["vectors"]["emb"]) > 0 for o in after.values())
    assert _alias(weaviate, f"{name}Live") == target


def test_multi_tenant_migration_keeps_each_tenant_status(weaviate: WeaviateServer, providers: LocalProviders,
                                                         tmp_path: Path) -> None:
    name = f"MT{uuid.uuid4().hex[:8]}"
    cfg = _config(tmp_path / "weavectl.yaml", name, providers["ollama"].url, "nomic-embed-text", tenants=True)
    _weavectl(weaviate, "apply", "-f", str(cfg), "--auto-approve")
    statuses = {"hot1": "HOT", "hot2": "HOT", "cold1": "COLD"}
    httpx.post(f"{weaviate.url}/v1/schema/{name}/tenants", json=[{"name": t, "activityStatus": "HOT"}
                                                                 for t in statuses], timeout=30).raise_for_status()
    per_tenant = {"hot1": 30, "hot2": 20, "cold1": 25}
    for tenant, n in per_tenant.items():
        _batch(weaviate, [{"class": name, "tenant": tenant, "id": str(uuid.uuid4()),
                           "properties": {"title": f"{tenant} item {i}", "n": i},
                           "vectors": {"byo": [0.1 * (i % 7)] * DIMS}} for i in range(n)])
    httpx.put(f"{weaviate.url}/v1/schema/{name}/tenants", json=[{"name": "cold1", "activityStatus": "COLD"}],
              timeout=30).raise_for_status()
    _config(cfg, name, providers["ollama"].url, "all-minilm", tenants=True)
    _weavectl(weaviate, "apply", "-f", str(cfg), "--auto-approve")
    target = f"{name}_v2"
    assert _alias(weaviate, f"{name}Live") == target
    got = {t["name"]: t["activityStatus"] for t in
           httpx.get(f"{weaviate.url}/v1/schema/{target}/tenants", timeout=30).json()}
    old = {t["name"]: t["activityStatus"] for t in
           httpx.get(f"{weaviate.url}/v1/schema/{name}/tenants", timeout=30).json()}
    assert got == old == statuses, (got, old)
    httpx.put(f"{weaviate.url}/v1/schema/{target}/tenants", json=[{"name": "cold1", "activityStatus": "HOT"}],
              timeout=30).raise_for_status()
    for tenant, n in per_tenant.items():
        assert len(_all(weaviate, target, tenant)) == n, tenant


def _small(weaviate: WeaviateServer, providers: LocalProviders, tmp_path: Path, n: int, smoke: dict[str, Any]
           ) -> tuple[str, Path, dict[str, dict[str, Any]]]:
    """A migrating collection with `n` objects (titles `item i about cats|dogs`, and one `zebra stripes`)."""
    name = f"W{uuid.uuid4().hex[:8]}"
    cfg = _config(tmp_path / "weavectl.yaml", name, providers["ollama"].url, "nomic-embed-text", smoke=smoke)
    _weavectl(weaviate, "apply", "-f", str(cfg), "--auto-approve")
    rng = random.Random(n)
    titles = [f"item {i} about {rng.choice(['cats', 'dogs'])}" for i in range(n - 1)] + ["zebra stripes"]
    _batch(weaviate, [{"class": name, "id": str(uuid.uuid4()), "properties": {"title": t, "n": i},
                       "vectors": {"byo": [rng.uniform(-1, 1) for _ in range(DIMS)]}} for i, t in enumerate(titles)])
    return name, cfg, _all(weaviate, name)


def _smoke_block(expected_title: str) -> dict[str, Any]:
    return {"queries": [{"near_text": "zebra stripes", "target_vector": "emb",
                         "expect": {"top": [{"title": expected_title}]}}]}


def test_smoke_queries_gate_the_alias_swap(weaviate: WeaviateServer, providers: LocalProviders,
                                           tmp_path: Path) -> None:
    name, cfg, before = _small(weaviate, providers, tmp_path, 40, _smoke_block("zebra stripes"))
    # A model change, and an expectation the new generation cannot meet: the swap must not happen.
    _config(cfg, name, providers["ollama"].url, "all-minilm", smoke=_smoke_block("no such title"))
    proc = _weavectl(weaviate, "apply", "-f", str(cfg), "--auto-approve", check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"smoke queries failed on the new generation {name}_v2" in proc.stderr, proc.stderr
    assert "expected title='no such title' at #1, got title='zebra stripes'" in proc.stderr, proc.stderr
    assert f"the aliases still point at {name}" in proc.stderr, proc.stderr
    assert _alias(weaviate, f"{name}Live") == name  # the old generation still serves
    assert len(_all(weaviate, f"{name}_v2")) == len(before)  # copied and verified, just not swapped
    mig = next(c for c in _plan_json(weaviate, cfg)["changes"] if c["collection"] == name)["migration"]
    assert mig["to"] == f"{name}_v2" and mig.get("resume") is True, mig

    # The expectation fixed: apply resumes, the queries pass on the new generation, then the swap happens.
    _config(cfg, name, providers["ollama"].url, "all-minilm", smoke=_smoke_block("zebra stripes"))
    report_path = tmp_path / "report.json"
    proc = _weavectl(weaviate, "apply", "-f", str(cfg), "--auto-approve", "--report", str(report_path))
    assert "resuming" in proc.stderr and f"smoke queries on {name}_v2" in proc.stderr, proc.stderr
    report = json.loads(report_path.read_text())["migrations"][0]
    assert report["smoke"]["ok"] is True and report["smoke"]["mode"] == "query-only", report
    assert [c["collection"] for c in report["smoke"]["checks"]] == [f"{name}_v2"], report
    assert _alias(weaviate, f"{name}Live") == f"{name}_v2"
    assert set(_all(weaviate, f"{name}_v2")) == set(before)

    # Abandoning: a new migration stopped by its smoke queries, then rolled back: the record is given up and
    # the stopped generation can be pruned.
    _config(cfg, name, providers["ollama"].url, "mxbai-embed-large", smoke=_smoke_block("no such title"))
    assert _weavectl(weaviate, "apply", "-f", str(cfg), "--auto-approve", check=False).returncode == 1
    proc = _weavectl(weaviate, "rollback", name, "-f", str(cfg))
    assert f"Abandoned the unfinished migration of {name} to {name}_v3" in proc.stdout, proc.stdout
    assert _alias(weaviate, f"{name}Live") == f"{name}_v2"
    proc = _weavectl(weaviate, "prune-generations", name, "-f", str(cfg), "--auto-approve")
    assert f"deleted {name}_v3" in proc.stdout and f"deleted {name}\n" in proc.stdout, proc.stdout


def test_writes_through_the_alias_during_the_migration_all_reach_the_new_generation(
        weaviate: WeaviateServer, providers: LocalProviders, tmp_path: Path) -> None:
    name, cfg, before = _small(weaviate, providers, tmp_path, 2000, _smoke_block("zebra stripes"))
    alias = f"{name}Live"
    latest: dict[str, str | None] = {}  # id -> title last written through the alias (None: deleted)
    history: dict[str, list[str]] = {}  # id -> what the writer did to it, for a failure message
    errors: list[str] = []
    stop = threading.Event()
    existing = sorted(oid for oid, o in before.items() if o["properties"]["title"] != "zebra stripes")
    # Deletes are of objects that existed before the migration, once each: an object created in the old
    # generation in the moment before the swap and deleted through the alias before the catch-up has copied it
    # comes back (the README says so).
    originals = list(existing)

    def writer() -> None:  # inserts, updates and deletes through the alias, acknowledged one at a time
        rng, k = random.Random(3), 0
        with httpx.Client(base_url=weaviate.url, timeout=30) as http:
            while not stop.is_set():
                k += 1
                op = rng.choice(["insert", "update", "update", "delete"])
                oid = str(uuid.uuid4()) if op == "insert" else rng.choice(originals if op == "delete" else existing)
                if op == "delete":
                    originals.remove(oid)  # never written again: a delete is never followed by a re-create
                    existing.remove(oid)
                    resp = http.delete(f"/v1/objects/{alias}/{oid}")
                    history.setdefault(oid, []).append(f"{time.time():.3f} delete {resp.status_code}")
                    if resp.status_code in (204, 404):
                        latest[oid] = None
                    else:
                        errors.append(resp.text[:200])
                    continue
                title = f"written {k} by the writer"
                body = {"objects": [{"class": alias, "id": oid, "properties": {"title": title, "n": k},
                                     "vectors": {"byo": [k / 1e4] * DIMS}}]}
                resp = http.post("/v1/batch/objects", json=body)
                history.setdefault(oid, []).append(f"{time.time():.3f} {op} {resp.status_code}")
                if resp.status_code == 200 and not (resp.json()[0].get("result") or {}).get("errors"):
                    latest[oid] = title
                    if op == "insert":
                        existing.append(oid)
                else:
                    errors.append(resp.text[:200])
                time.sleep(0.03)

    _config(cfg, name, providers["ollama"].url, "all-minilm", smoke=_smoke_block("zebra stripes"))
    thread = threading.Thread(target=writer, daemon=True)
    report_path = tmp_path / "report.json"
    # weavectl talks through a proxy that holds the alias swap back for 2 s, so that writes certainly land on
    # the old generation after the last pass before the swap; the writer talks to the server directly.
    with slow_paths(weaviate.url, {f"/v1/aliases/{alias}": 2.0}) as proxy_url:
        thread.start()
        try:
            _weavectl(weaviate, "apply", "-f", str(cfg), "--auto-approve", "--report", str(report_path),
                      url=proxy_url)
        finally:
            stop.set()
            thread.join(timeout=30)
    assert not errors, errors[:3]
    report = json.loads(report_path.read_text())["migrations"][0]
    assert _alias(weaviate, alias) == f"{name}_v2"
    # Writes landed after the last pass before the swap, and the catch-up after it carried them over.
    assert report["catchup_objects"] > 0, report
    after = _all(weaviate, f"{name}_v2")
    deleted = {oid for oid, title in latest.items() if title is None}
    assert len(latest) > 50 and len(deleted) > 10, (len(latest), len(deleted))
    assert not deleted & set(after), [(i, history[i]) for i in sorted(deleted & set(after))[:5]]
    for oid, title in latest.items():
        if title is not None:
            assert oid in after and after[oid]["properties"]["title"] == title, (oid, title, history[oid])
            assert after[oid]["vectors"]["emb"] == pytest.approx(embed(title), abs=1e-6), oid  # the new model's
    untouched = set(before) - set(latest)
    assert all(after[oid]["properties"] == before[oid]["properties"] for oid in untouched)
    assert set(after) == (set(before) | set(latest)) - deleted


def _remove(server: WeaviateServer, name: str, *, author: bool = False) -> None:
    """A migrated collection's alias, generations (and reference target) off the shared server."""
    httpx.delete(f"{server.url}/v1/aliases/{name}Live", timeout=30)
    for cls in [name, *(f"{name}_v{n}" for n in range(2, 6)), *([f"{name}Author"] if author else [])]:
        httpx.delete(f"{server.url}/v1/schema/{cls}", timeout=30)


@pytest.mark.parametrize("change", ["model", "distance"])
def test_legacy_unnamed_vector_migrates(weaviate_versioned: WeaviateServer, providers: LocalProviders,
                                        tmp_path: Path, change: str, request: pytest.FixtureRequest) -> None:
    """A collection with the legacy single vector (`vector:`): a model change embeds it again, a distance
    change copies it as it is (no provider call); on every tested server version."""
    server, name = weaviate_versioned, f"L{uuid.uuid4().hex[:8]}"
    request_cleanup = request.addfinalizer

    def write(model: str, distance: str) -> Path:
        doc = {"version": 1, "collections": [{
            "name": name, "on_replace": "migrate", "aliases": [f"{name}Live"],
            "properties": [{"name": "title", "data_type": "text"}],
            "vector": {"vectorizer": "text2vec-ollama", "api_endpoint": providers["ollama"].url, "model": model,
                       "vectorize_collection_name": False, "index": {"type": "hnsw", "distance": distance}}}]}
        path = tmp_path / "weavectl.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        return path

    cfg = write("nomic-embed-text", "cosine")
    _weavectl(server, "apply", "-f", str(cfg), "--auto-approve")
    request_cleanup(lambda: _remove(server, name))
    _batch(server, [{"class": name, "id": str(uuid.uuid4()), "properties": {"title": f"legacy item {i}"}}
                    for i in range(30)])
    before = _all(server, name)
    cfg = write("all-minilm", "cosine") if change == "model" else write("nomic-embed-text", "dot")
    mig = next(c for c in _plan_json(server, cfg)["changes"] if c["collection"] == name)["migration"]
    assert (mig["copy_vectors"], mig["reembed_vectors"]) == (
        ([], ["(unnamed)"]) if change == "model" else (["(unnamed)"], [])), mig
    providers.clear()
    _weavectl(server, "apply", "-f", str(cfg), "--auto-approve")
    assert _alias(server, f"{name}Live") == f"{name}_v2"
    after = _all(server, f"{name}_v2")
    assert set(after) == set(before)
    requests = providers["ollama"].requests
    if change == "model":
        assert {r.model for r in requests} == {"all-minilm"} and sum(len(r.texts) for r in requests) == 30
        assert all(after[i]["vector"] == pytest.approx(embed(o["properties"]["title"]), abs=1e-6)
                   for i, o in before.items())
    else:
        assert requests == []  # copied, not embedded again
        assert all(after[i]["vector"] == o["vector"] for i, o in before.items())  # byte-identical
    assert _weavectl(server, "plan", "-f", str(cfg), "--detailed-exitcode", check=False).returncode == 0
