"""The use cases called directly, with an Environment of their own, against a real weaviate-server: each returns
its result object and prints nothing on stdout (rendering is the commands' part)."""

from __future__ import annotations

import io
import itertools
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import WEAVIATE_ADMIN_KEY, delete_everywhere
from weavectl.adapters import planfile
from weavectl.adapters.environment import Environment
from weavectl.adapters.lock import current_holder
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.core.plan.model import Action, Plan
from weavectl.devserver import WeaviateServer
from weavectl.errors import UsageError, WeavectlError
from weavectl.usecases import apply as apply_usecase
from weavectl.usecases import diff as diff_usecase
from weavectl.usecases import export as export_usecase
from weavectl.usecases import plan as plan_usecase
from weavectl.usecases import smoke as smoke_usecase
from weavectl.usecases.saved_plan import read_plan_file

pytestmark = pytest.mark.server


def environment(**kwargs: Any) -> Environment:
    """Nothing of this process: no variables, streams of its own, a clock that ticks 1.5 s per read."""
    ticks = itertools.count(start=100.0, step=1.5)
    return Environment(**{"environ": {}, "stdout": io.StringIO(), "stderr": io.StringIO(),
                          "clock": lambda: next(ticks), **kwargs})


def out(env: Environment) -> str:
    assert isinstance(env.stdout, io.StringIO)
    return env.stdout.getvalue()


def err(env: Environment) -> str:
    assert isinstance(env.stderr, io.StringIO)
    return env.stderr.getvalue()


def collection(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "properties": [{"name": "title", "data_type": "text"}],
            "vectors": {"v": {"vectorizer": "none"}}, **extra}


def write(tmp_path: Path, *collections: dict[str, Any], **top: Any) -> Path:
    path = tmp_path / "weavectl.yaml"
    path.write_text(yaml.safe_dump({"version": 1, **top, "collections": list(collections)}, sort_keys=False))
    return path


def live(server: WeaviateServer, name: str) -> dict[str, Any] | None:
    resp = httpx.get(f"{server.url}/v1/schema/{name}", headers=server.headers(), timeout=30)
    return resp.json() if resp.status_code == 200 else None


def apply(request: apply_usecase.ApplyRequest, env: Environment) -> apply_usecase.ApplyResult:
    with apply_usecase.prepare(request, env) as prepared:
        return prepared.converge()


@pytest.fixture
def created() -> Iterator[str]:
    """A collection the apply use case created (and each test removes at the end)."""
    name = f"U{uuid.uuid4().hex[:10]}"
    yield name
    delete_everywhere(name)


def test_plan_result_carries_the_plan_and_the_payload_its_digest_is_of(weaviate: WeaviateServer, tmp_path: Path,
                                                                       created: str) -> None:
    cfg = write(tmp_path, collection(created))
    env = environment()
    result = plan_usecase.plan(plan_usecase.PlanRequest(files=(str(cfg),), url=weaviate.url, targets=(created,)), env)
    assert [(c.collection, c.action) for c in result.plan.changes] == [(created, Action.CREATE)]
    payload = result.payload
    assert payload is not None, "a shown digest has the payload it is of"
    assert result.digest == payload["digest"] == planfile.digest_of(payload)
    assert payload["cluster"]["nodes"], "a shown digest covers the node names"
    saved_path = tmp_path / "plan.json"
    planfile.write(str(saved_path), payload)
    assert planfile.load(str(saved_path))["digest"] == result.digest
    assert out(env) == ""
    # A JSON plan shows no digest: no payload is built (nor the node names read for it).
    quiet = plan_usecase.plan(plan_usecase.PlanRequest(files=(str(cfg),), url=weaviate.url, targets=(created,),
                                                       digest_shown=False), environment())
    assert quiet.payload is None and quiet.plan.changes == result.plan.changes
    with pytest.raises(ValueError, match="no digest"):
        _ = quiet.digest

    # The saved plan applies through the same use case, without a question (it was reviewed).
    saved = read_plan_file(str(saved_path), expect_digest=result.digest)
    env = environment()
    applied = apply(apply_usecase.ApplyRequest(saved=saved), env)
    assert applied.outcome is apply_usecase.Outcome.APPLIED and applied.verified
    assert live(weaviate, created) is not None


def test_apply_converges_then_a_matching_file_executes_nothing(weaviate: WeaviateServer, tmp_path: Path,
                                                               created: str) -> None:
    cfg = write(tmp_path, collection(created))
    request = apply_usecase.ApplyRequest(files=(str(cfg),), url=weaviate.url, auto_approve=True, targets=(created,))
    env = environment()
    first = apply(request, env)
    assert first.outcome is apply_usecase.Outcome.APPLIED and first.verified and first.exit_code == 0
    assert [s.description for s in first.report.done] == [f"create collection {created}"]
    assert first.fresh is not None and all(c.action is Action.NOOP for c in first.fresh.changes)
    # Timed by the environment's clock: a whole number of its 1.5 s ticks (however often execute reads it), which
    # a real clock would not give for a create of a few milliseconds.
    timed = re.search(rf"create collection {created}: done in (\d+(?:\.\d+)?)s", err(env))
    assert timed is not None and float(timed[1]) > 0 and float(timed[1]) % 1.5 == 0, err(env)
    assert out(env) == ""

    again = apply(request, env := environment())
    assert again.outcome is apply_usecase.Outcome.NO_CHANGES
    assert again.verified and again.report.done == [] and again.exit_code == 0
    assert not again.plan.has_changes and out(env) == ""


def test_apply_refused_by_the_policy_raises_before_any_write(weaviate: WeaviateServer, tmp_path: Path,
                                                             created: str) -> None:
    cfg = write(tmp_path, collection(created))
    apply(apply_usecase.ApplyRequest(files=(str(cfg),), url=weaviate.url, auto_approve=True, targets=(created,)),
          environment())
    before = live(weaviate, created)
    changed = collection(created)
    changed["properties"][0]["tokenization"] = "field"  # immutable: a replace, which destroys data
    cfg = write(tmp_path, changed)
    env = environment()
    with apply_usecase.prepare(apply_usecase.ApplyRequest(files=(str(cfg),), url=weaviate.url, auto_approve=True,
                                                          targets=(created,)), env) as prepared:
        assert [c.action for c in prepared.plan.changes] == [Action.REPLACE]
        with pytest.raises(WeavectlError, match="refusing to apply; nothing was written"):
            prepared.converge()
        assert current_holder(prepared.client) is None  # refused before the lock was even taken
    assert live(weaviate, created) == before


def test_apply_the_confirmation_declines_writes_nothing(weaviate: WeaviateServer, tmp_path: Path,
                                                        created: str) -> None:
    cfg = write(tmp_path, collection(created))
    request = apply_usecase.ApplyRequest(files=(str(cfg),), url=weaviate.url, targets=(created,))
    asked: list[Plan] = []

    def decline(plan: Plan) -> bool:
        asked.append(plan)
        return False

    with apply_usecase.prepare(request, environment(interactive=True)) as prepared:
        assert prepared.needs_confirmation
        with pytest.raises(WeavectlError, match="apply cancelled: nothing was written"):
            prepared.converge(confirm=decline)
        assert asked == [prepared.plan]
    # Without a terminal there is nobody to ask: refused as a usage error, the callback never called.
    with (apply_usecase.prepare(request, environment(interactive=False)) as prepared,
          pytest.raises(UsageError, match="there is no terminal to ask on")):
        prepared.converge(confirm=decline)
    assert len(asked) == 1
    assert live(weaviate, created) is None


def test_export_result_holds_the_document_and_its_text(weaviate: WeaviateServer, tmp_path: Path,
                                                       created: str) -> None:
    cfg = write(tmp_path, collection(created, description="exported"))
    apply(apply_usecase.ApplyRequest(files=(str(cfg),), url=weaviate.url, auto_approve=True, targets=(created,)),
          environment())
    env = environment()
    result = export_usecase.export(export_usecase.ExportRequest(url=weaviate.url, only=(created.lower(),)), env)
    assert result.count == 1 and result.url == weaviate.url and result.warnings == ()
    assert result.text.startswith(f"# Exported by weavectl from {result.url} (Weaviate {result.version}).\n")
    exported = yaml.safe_load(result.text)
    assert exported == result.document
    assert [(c["name"], c.get("description")) for c in exported["collections"]] == [(created, "exported")]
    assert out(env) == "" and err(env) == ""
    with pytest.raises(UsageError, match="export needs a cluster"):
        export_usecase.export(export_usecase.ExportRequest(), environment())


def test_diff_results_file_against_a_cluster_and_two_clusters(weaviate: WeaviateServer,
                                                              weaviate_auth: WeaviateServer, tmp_path: Path,
                                                              created: str) -> None:
    only_dev, both = created, f"{created}Both"
    try:
        for server, cls, description in [(weaviate, only_dev, "dev"), (weaviate, both, "dev"),
                                         (weaviate_auth, both, "prod")]:
            httpx.post(f"{server.url}/v1/schema", headers=server.headers(), timeout=30, json={
                "class": cls, "description": description, "properties": [{"name": "title", "dataType": ["text"]}],
                "vectorConfig": {"v": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}}}).raise_for_status()
        environments = {"dev": {"url": weaviate.url},
                        "prod": {"url": weaviate_auth.url, "auth": {"env": "PROD_KEY"}}}
        cfg = write(tmp_path, collection(both, description="file"), environments=environments)
        env = environment(environ={"PROD_KEY": WEAVIATE_ADMIN_KEY})

        result = diff_usecase.diff(diff_usecase.DiffRequest(side_a="file", side_b="prod", files=(str(cfg),)), env)
        assert isinstance(result, diff_usecase.FileDiff)
        assert result.env_name == "prod" and result.file_first and result.drifted
        mine = [c for c in result.plan.changes if c.collection == both]
        assert [c.action for c in mine] == [Action.UPDATE]

        result = diff_usecase.diff(diff_usecase.DiffRequest(side_a="dev", side_b="prod", files=(str(cfg),)), env)
        assert isinstance(result, diff_usecase.ClusterDiff)
        assert result.sides["a"]["name"] == "dev" and result.sides["b"]["url"] == weaviate_auth.url
        ours = {(d.collection, d.path): (d.a, d.b, d.expected) for d in result.differences
                if d.collection in (only_dev, both)}
        assert ours == {(only_dev, ""): ("(collection)", "(absent)", False),
                        (both, "description"): ("dev", "prod", False)}, result.differences
        assert result.drifted and out(env) == ""

        with pytest.raises(UsageError, match="name the same side"):
            diff_usecase.diff(diff_usecase.DiffRequest(side_a="dev", side_b="dev", files=(str(cfg),)), env)
    finally:
        delete_everywhere(both)


def test_smoke_times_with_the_environments_clock(weaviate: WeaviateServer, tmp_path: Path, created: str) -> None:
    """A clock that jumps 1000 s per read: the import takes "1000 s", and the indexing wait is over at once."""
    coll = collection(created, vectors={"main": {"vectorizer": "text2vec-transformers",
                                                 "vectorize_collection_name": False}},
                      smoke={"objects": [{"title": "a lazy brown fox"}, {"title": "tomato soup"}],
                             "queries": [{"near_text": "fox"}]})
    cfg = write(tmp_path, coll)
    jumps = itertools.count(start=0.0, step=1000.0)
    env = environment(clock=lambda: next(jumps))
    result = smoke_usecase.smoke(smoke_usecase.SmokeRequest(files=(str(cfg),), url=weaviate.url,
                                                            grpc_address=weaviate.grpc_address), env)
    checks = {c.name: c for c in result.report.checks}
    assert checks["import 2 objects"].ok and checks["import 2 objects"].latency_ms == 1_000_000
    waited = checks["indexing finished"]
    assert not waited.ok and "not indexed after 120 s (--index-timeout)" in waited.detail
    assert result.exit_code == 1 and out(env) == ""
    client = WeaviateClient(weaviate.url)
    try:
        assert not [c for c in client.read_state().classes if str(c["class"]).startswith(f"{created}_smoke_")]
    finally:
        client.close()
