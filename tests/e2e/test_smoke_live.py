"""`weavectl smoke` through the real server and the local model providers."""

from __future__ import annotations

import copy
import importlib.util
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
import yaml

from tests.conftest import PROVIDER_KEYS, WEAVIATE_ADMIN_KEY
from tests.support.providers import LocalProviders
from tests.support.samples import DOCS as SAMPLE_DOCS
from weavectl.cli import run_cli
from weavectl.core.weaviate.embed_text import embedded_texts, name_as_words, with_module_defaults
from weavectl.core.weaviate.rest import to_rest
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server

DOCS = SAMPLE_DOCS[:4]
SMOKE: dict[str, Any] = {
    "objects": [{"text": d} for d in DOCS],
    "queries": [
        {"near_text": "lazy brown fox", "expect": {"top": [{"text": DOCS[0]}], "max_distance": 0.9}},
        {"hybrid": "tomato soup", "alpha": 0.5, "expect": {"top": [{"text": DOCS[1]}]}},
    ],
}


def module_vector(module: str, urls: dict[str, str]) -> dict[str, Any]:
    settings: dict[str, dict[str, Any]] = {
        "text2vec-nvidia": {"base_url": urls["nvidia"], "model": "nvidia/nv-embedqa-e5-v5"},
        "text2vec-openai": {"base_url": urls["openai"], "model": "text-embedding-3-small", "dimensions": 64},
        "text2vec-weaviate": {"base_url": urls["weaviate"], "model": "Snowflake/snowflake-arctic-embed-l-v2.0"},
        "text2vec-cohere": {"base_url": urls["cohere"], "model": "embed-english-v3.0"},
        "text2vec-ollama": {"api_endpoint": urls["ollama"], "model": "nomic-embed-text"},
        "text2vec-transformers": {},
    }
    return settings[module]


def config(name: str, module: str, urls: dict[str, str], **extra: Any) -> dict[str, Any]:
    provider = module.split("-", 1)[1]
    doc: dict[str, Any] = {"version": 1, "collections": [{
        "name": name,
        "properties": [{"name": "text", "data_type": "text"}],
        "vectors": {"main": {"vectorizer": module, "vectorize_collection_name": False, "index": {"type": "hnsw"},
                             **module_vector(module, urls)}},
        "smoke": copy.deepcopy(SMOKE),
        **extra,
    }]}
    if provider in ("openai", "nvidia", "cohere"):
        doc["api_keys"] = {provider: {"env": f"T_{provider.upper()}_KEY"}}
    return doc


def fresh_name() -> str:
    return f"S{uuid.uuid4().hex[:8]}"


def write_smoke(tmp_path: Path, doc: dict[str, Any]) -> Path:
    cfg = tmp_path / "smoke.yaml"
    cfg.write_text(yaml.safe_dump(doc))
    return cfg


def run(capsys: pytest.CaptureFixture[str], cfg: Path, server: WeaviateServer, *extra: str) -> tuple[int, str, str]:
    code = run_cli(["smoke", "-f", str(cfg), "--url", server.url, "--grpc-address", server.grpc_address, *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def fails(capsys: pytest.CaptureFixture[str], cfg: Path, server: WeaviateServer, *extra: str) -> tuple[str, str]:
    """Smoke exits 1 and leaves no temporary collection behind; its output and its errors."""
    code, out, err = run(capsys, cfg, server, *extra)
    assert code == 1, out + err
    assert leftovers(server) == []
    return out, err


def count(server: WeaviateServer, name: str) -> int:
    answer = httpx.post(f"{server.url}/v1/graphql", headers=server.headers(), json={
        "query": f"{{ Aggregate {{ {name} {{ meta {{ count }} }} }} }}"}).json()
    return int(answer["data"]["Aggregate"][name][0]["meta"]["count"])


def objects_of(server: WeaviateServer, name: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{server.url}/v1/objects", params={"class": name, "include": "vector", "limit": 100},
                       headers=server.headers()).json()
    return sorted(answer["objects"], key=lambda o: str(o["id"]))


def leftovers(server: WeaviateServer) -> list[str]:
    classes = httpx.get(f"{server.url}/v1/schema", headers=server.headers()).json()["classes"]
    return [c["class"] for c in classes if "_smoke_" in c["class"]]


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for provider in ("openai", "nvidia", "cohere"):
        monkeypatch.setenv(f"T_{provider.upper()}_KEY", PROVIDER_KEYS[provider])


MODULES = ["text2vec-nvidia", "text2vec-weaviate", "text2vec-openai", "text2vec-cohere", "text2vec-ollama",
           "text2vec-transformers"]


@pytest.mark.parametrize("module", MODULES)
def test_smoke_passes_and_the_provider_saw_model_and_key(
        module: str, keys: None, providers: LocalProviders, request: pytest.FixtureRequest, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    auth = module == "text2vec-weaviate"
    server: WeaviateServer = request.getfixturevalue("weaviate_auth" if auth else "weaviate")
    if auth:
        monkeypatch.setenv("WEAVIATE_API_KEY", WEAVIATE_ADMIN_KEY)
    provider = providers[module.split("-", 1)[1]]
    provider.clear()
    cfg = write_smoke(tmp_path, config(fresh_name(), module, providers.urls()))
    code, out, err = run(capsys, cfg, server, "--format", "json")
    assert code == 0, out + err
    assert '"ok": true' in out and "vectors main" in out
    seen = [r for r in provider.requests if r.status == 200]
    assert {t for r in seen for t in r.texts} >= set(DOCS) | {"lazy brown fox", "tomato soup"}
    expected_model = module_vector(module, {n: "" for n in providers.providers}).get("model")
    if expected_model:
        assert {r.model for r in seen} == {expected_model}
    key = PROVIDER_KEYS.get(module.split("-", 1)[1])
    if key:
        assert all(r.headers.get("Authorization") == f"Bearer {key}" for r in seen)
        assert key not in out + err
    assert leftovers(server) == []


def test_wrong_key_fails_naming_the_source_never_the_value(
        weaviate: WeaviateServer, providers: LocalProviders, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("T_OPENAI_KEY", "sk-this-is-the-wrong-key-123")
    cfg = write_smoke(tmp_path, config(fresh_name(), "text2vec-openai", providers.urls()))
    out, err = fails(capsys, cfg, weaviate)
    assert "provider rejected the openai key (environment variable T_OPENAI_KEY)" in out
    assert "sk-this-is-the-wrong-key-123" not in out + err


def test_missing_key_fails_before_anything_is_created(
        weaviate: WeaviateServer, providers: LocalProviders, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("T_NVIDIA_KEY", raising=False)
    cfg = write_smoke(tmp_path, config(fresh_name(), "text2vec-nvidia", providers.urls()))
    out, err = fails(capsys, cfg, weaviate)
    assert "api key 'nvidia': environment variable T_NVIDIA_KEY is not set" in err


def test_disabled_module_fails_clearly(weaviate: WeaviateServer, providers: LocalProviders, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    doc = config(fresh_name(), "text2vec-ollama", providers.urls())
    # the one catalogue module the session nodes do not run (tests/conftest.py)
    doc["collections"][0]["vectors"]["main"] = {"vectorizer": "text2vec-contextionary"}
    cfg = write_smoke(tmp_path, doc)
    out, err = fails(capsys, cfg, weaviate)
    assert "not enabled on the server: text2vec-contextionary" in out


def test_unreachable_provider_fails_clearly(keys: None, weaviate: WeaviateServer, providers: LocalProviders,
                                            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    urls = providers.urls()
    urls["nvidia"] = "http://127.0.0.1:9"  # discard port: nothing listens, connections are refused
    cfg = write_smoke(tmp_path, config(fresh_name(), "text2vec-nvidia", urls))
    out, err = fails(capsys, cfg, weaviate)
    assert "could not be reached" in out


def test_failed_expectation_exits_1(keys: None, weaviate: WeaviateServer, providers: LocalProviders,
                                   tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = config(fresh_name(), "text2vec-ollama", providers.urls())
    doc["collections"][0]["smoke"] = {"objects": SMOKE["objects"], "queries": [
        {"near_text": "penguins in the cold", "expect": {"top": [{"text": DOCS[2]}]}}]}
    cfg = write_smoke(tmp_path, doc)
    out, err = fails(capsys, cfg, weaviate)
    assert f"expected text={DOCS[2]!r} at #1, got text={DOCS[3]!r}" in out


def test_multi_tenant_collection_uses_a_temporary_tenant(
        weaviate: WeaviateServer, providers: LocalProviders, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = fresh_name()
    doc = config(name, "text2vec-ollama", providers.urls(),
                 multi_tenancy={"enabled": True})
    cfg = write_smoke(tmp_path, doc)
    try:
        assert run_cli(["apply", "-f", str(cfg), "--url", weaviate.url, "--auto-approve"]) == 0
        capsys.readouterr()
        code, out, err = run(capsys, cfg, weaviate)
        assert code == 0, out + err
        tenants = httpx.get(f"{weaviate.url}/v1/schema/{name}/tenants").json()
        assert tenants == []
    finally:
        httpx.delete(f"{weaviate.url}/v1/schema/{name}")


def default_sigint() -> None:
    """Run in the child before exec: Ctrl-C's default action. A suite started as a background job (`pytest &` in a
    script) runs with SIGINT ignored, which every child inherits, and Python then installs no KeyboardInterrupt
    handler; these tests are about what weavectl does on Ctrl-C, not about how the suite was started."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_interrupt_removes_the_temporary_collection(weaviate: WeaviateServer, providers: LocalProviders,
                                                    tmp_path: Path) -> None:
    provider = providers["ollama"]
    provider.clear()
    provider.delay_s = 3.0
    cfg = write_smoke(tmp_path, config(fresh_name(), "text2vec-ollama", providers.urls()))
    proc = subprocess.Popen(
        [sys.executable, "-m", "weavectl", "smoke", "-f", str(cfg), "--url", weaviate.url, "--grpc-address",
         weaviate.grpc_address], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy(),
        preexec_fn=default_sigint)
    try:
        deadline = time.monotonic() + 30
        while not leftovers(weaviate) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert leftovers(weaviate), "the temporary collection never appeared"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "Traceback" not in err
        assert leftovers(weaviate) == []
    finally:
        provider.delay_s = 0.0
        if proc.poll() is None:
            proc.kill()


def test_in_place_smoke_reads_an_objects_file(weaviate: WeaviateServer, providers: LocalProviders, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """--in-place runs on the real collection; the sample objects come from a JSONL file next to the config."""
    name = fresh_name()
    (tmp_path / "docs.jsonl").write_text("".join(f'{{"text": "{d}"}}\n' for d in DOCS))
    doc = config(name, "text2vec-ollama", providers.urls())
    doc["collections"][0]["smoke"] = {"objects_file": "docs.jsonl", "queries": SMOKE["queries"]}
    cfg = write_smoke(tmp_path, doc)
    try:
        assert run_cli(["apply", "-f", str(cfg), "--url", weaviate.url, "--auto-approve"]) == 0
        capsys.readouterr()
        providers["ollama"].clear()
        code, out, err = run(capsys, cfg, weaviate, "--in-place")
        assert code == 0, out + err
        assert set(DOCS) <= {t for r in providers["ollama"].requests for t in r.texts}  # imported for real
        assert count(weaviate, name) == 0  # and removed afterwards: smoke leaves only what was there
    finally:
        httpx.delete(f"{weaviate.url}/v1/schema/{name}")


@pytest.mark.parametrize("module", MODULES)
def test_smoke_waits_for_async_indexing_and_embeds_the_real_name(
        module: str, keys: None, providers: LocalProviders, weaviate_async: WeaviateServer, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """ASYNC_INDEXING=true: near-text finds nothing until the vector queue drains, so smoke must wait. And the
    copy embeds exactly what the real collection would: the provider gets the real name's words, not the copy's."""
    if module == "text2vec-weaviate":
        monkeypatch.setenv("WEAVIATE_API_KEY", WEAVIATE_ADMIN_KEY)
    provider = providers[module.split("-", 1)[1]]
    provider.clear()
    name = f"HoldTr{uuid.uuid4().hex[:6]}"
    doc = config(name, module, providers.urls())
    doc["collections"][0]["vectors"]["main"]["vectorize_collection_name"] = True
    cfg = write_smoke(tmp_path, doc)
    code, out, err = run(capsys, cfg, weaviate_async, "--format", "json")
    assert code == 0, out + err
    report = json.loads(out)
    assert report["ok"] and all(c["results"] for c in report["checks"] if c["check"].startswith("near_text"))
    imported = {t for r in provider.requests if r.status == 200 for t in r.texts} - {"lazy brown fox",
                                                                                     "tomato soup"}
    rest_class = with_module_defaults(to_rest(doc["collections"][0]))
    expected = {embedded_texts(rest_class, o, weaviate_async.version)["main"] for o in SMOKE["objects"]}
    assert imported == expected
    assert all(t.startswith(f"{name_as_words(name)} The ") or t.startswith(f"{name_as_words(name)} A ")
               or t.startswith(f"{name_as_words(name)} Stock ") or t.startswith(f"{name_as_words(name)} Penguins ")
               for t in imported) and name_as_words(name).startswith("Hold Tr")
    assert "Warning" not in err and "deprecated" not in err  # third-party warnings stay out of the output
    assert leftovers(weaviate_async) == []


def test_indexing_that_does_not_finish_in_time_fails_clearly(
        providers: LocalProviders, weaviate_async: WeaviateServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    doc = config(fresh_name(), "text2vec-ollama", providers.urls())
    doc["collections"][0]["smoke"]["objects"] = [{"text": f"{d} number {i}"} for i in range(20) for d in DOCS]
    cfg = write_smoke(tmp_path, doc)
    out, err = fails(capsys, cfg, weaviate_async, "--index-timeout", "0.1")
    assert "not indexed after 0.1 s (--index-timeout): " in out and "queries were not run" in out
    # Usually a shard still has vectors queued; on a loaded machine the queue may be seen empty just once
    # before the limit, and smoke must then say so rather than claim no shard was listed.
    assert ("node node1 shard " in out and "vector(s) queued" in out) or "looked empty once" in out, out
    assert "near_text" not in out  # no silently empty result


def test_unreachable_grpc_blames_weaviate_and_names_the_address(
        weaviate: WeaviateServer, providers: LocalProviders, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_smoke(tmp_path, config(fresh_name(), "text2vec-ollama", providers.urls()))
    start = time.monotonic()
    code = run_cli(["smoke", "-f", str(cfg), "--url", weaviate.url])  # no gRPC address: the default is derived
    out = capsys.readouterr()
    assert code == 1 and time.monotonic() - start < 10
    assert "Weaviate's gRPC API is not reachable at 127.0.0.1:50051" in out.err
    assert f"the default derived from {weaviate.url}" in out.err and "--grpc-address" in out.err
    assert "provider" not in out.err
    assert leftovers(weaviate) == []


def test_provider_failure_names_module_answer_and_key_source(
        keys: None, weaviate: WeaviateServer, providers: LocalProviders, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    providers["openai"].clear()
    providers["openai"].fail_with = 500
    try:
        cfg = write_smoke(tmp_path, config(fresh_name(), "text2vec-openai", providers.urls()))
        code, out, err = run(capsys, cfg, weaviate)
    finally:
        providers["openai"].clear()
    assert code == 1
    assert "text2vec-openai" in out and "provider failure" in out  # the provider's own answer
    assert "openai key (environment variable T_OPENAI_KEY)" in out
    assert PROVIDER_KEYS["openai"] not in out + err
    assert leftovers(weaviate) == []


def _live_collection(server: WeaviateServer, cfg: Path, name: str, capsys: pytest.CaptureFixture[str],
                     live: list[dict[str, Any]]) -> None:
    assert run_cli(["apply", "-f", str(cfg), "--url", server.url, "--auto-approve"]) == 0
    capsys.readouterr()
    resp = httpx.post(f"{server.url}/v1/batch/objects", json={"objects": [{"class": name, **o} for o in live]})
    assert resp.status_code == 200 and not any((r.get("result") or {}).get("errors") for r in resp.json())


def test_query_only_writes_nothing(weaviate: WeaviateServer, providers: LocalProviders, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    name = fresh_name()
    cfg = write_smoke(tmp_path, config(name, "text2vec-ollama", providers.urls()))
    try:
        _live_collection(weaviate, cfg, name, capsys, [{"properties": {"text": d}} for d in DOCS])
        before, count_before = objects_of(weaviate, name), count(weaviate, name)
        code, out, err = run(capsys, cfg, weaviate, "--query-only", "--format", "json")
        assert code == 0, out + err
        report = json.loads(out)
        assert report["mode"] == "query-only"
        assert [c["check"] for c in report["checks"]] == ['near_text "lazy brown fox"',
                                                          'hybrid "tomato soup" alpha=0.5']
        assert all(c["latency_ms"] > 0 for c in report["checks"])
        assert objects_of(weaviate, name) == before and count(weaviate, name) == count_before == len(DOCS)
        assert leftovers(weaviate) == []
    finally:
        httpx.delete(f"{weaviate.url}/v1/schema/{name}")


def test_in_place_never_overwrites_an_existing_object(weaviate: WeaviateServer, providers: LocalProviders,
                                                     tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = fresh_name()
    taken = str(uuid.uuid4())
    doc = config(name, "text2vec-ollama", providers.urls())
    doc["collections"][0]["smoke"]["objects"] = [{"id": taken, "text": DOCS[0]}, *SMOKE["objects"][1:]]
    cfg = write_smoke(tmp_path, doc)
    try:
        _live_collection(weaviate, cfg, name, capsys, [{"id": taken, "properties": {"text": "the live object"}}])
        before = objects_of(weaviate, name)
        code, out, err = run(capsys, cfg, weaviate, "--in-place")
        assert code == 1, out + err
        assert f"refused: sample id(s) {taken} already exist in {name}" in out
        assert objects_of(weaviate, name) == before and count(weaviate, name) == 1
    finally:
        httpx.delete(f"{weaviate.url}/v1/schema/{name}")


def test_interrupted_in_place_smoke_removes_its_samples(weaviate: WeaviateServer, providers: LocalProviders,
                                                        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = fresh_name()
    cfg = write_smoke(tmp_path, config(name, "text2vec-ollama", providers.urls()))
    provider = providers["ollama"]
    proc = None
    try:
        _live_collection(weaviate, cfg, name, capsys, [{"properties": {"text": "the live object"}}])
        before = objects_of(weaviate, name)
        provider.clear()
        provider.delay_s = 1.0
        proc = subprocess.Popen(
            [sys.executable, "-m", "weavectl", "smoke", "-f", str(cfg), "--url", weaviate.url, "--grpc-address",
             weaviate.grpc_address, "--in-place"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=default_sigint)
        deadline = time.monotonic() + 30
        while count(weaviate, name) < 2 and time.monotonic() < deadline:  # at least one sample landed
            time.sleep(0.1)
        assert count(weaviate, name) >= 2, "no sample object ever landed"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "Traceback" not in err
        assert objects_of(weaviate, name) == before
    finally:
        provider.delay_s = 0.0
        if proc is not None and proc.poll() is None:
            proc.kill()
        httpx.delete(f"{weaviate.url}/v1/schema/{name}")


def test_third_party_warnings_only_with_debug(weaviate: WeaviateServer, providers: LocalProviders,
                                              tmp_path: Path) -> None:
    cfg = write_smoke(tmp_path, config(fresh_name(), "text2vec-ollama", providers.urls()))
    outputs = {}
    for flags in ([], ["--debug"]):  # a fresh process each: a library warns once per process, at import
        proc = subprocess.run([sys.executable, "-m", "weavectl", *flags, "smoke", "-f", str(cfg), "--url",
                               weaviate.url, "--grpc-address", weaviate.grpc_address],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        outputs[bool(flags)] = proc.stdout + proc.stderr
    assert "Warning" not in outputs[False]
    if importlib.util.find_spec("authlib") is None:  # the warning this guards against comes from it
        return
    assert "debug: " in outputs[True] and "Warning" in outputs[True]
