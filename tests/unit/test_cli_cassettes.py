"""The whole CLI offline, per server version: `plan` (text and JSON) and `export` run through `run_cli` against
HTTP cassettes (pytest-recording) that a real weaviate-server of each tested version answered, so the REST
adapter (the meta, schema, aliases and nodes reads, the version check) and the command wiring run without Go.

tests/cases/cassettes/ holds before.yaml (created on the server before recording), config.yaml (the file
planned) and, per version, `<run>.yaml` (the cassette) next to `<run>.out` (the expected exit code, stdout and
stderr). Replay (`--record-mode=none`, the default) needs no server and fails on any request the cassette lacks;
`--record-mode=rewrite` starts a real server per version, records anew and rewrites the expected outputs.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from vcr import VCR
from vcr.cassette import Cassette
from vcr.request import Request

from tests.conftest import PROVIDER_KEYS, WEAVIATE_ADMIN_KEY
from weavectl.adapters.environment import Environment
from weavectl.adapters.schemas import load_schema
from weavectl.cli import run_cli
from weavectl.core.weaviate.rest import to_rest
from weavectl.core.weaviate.version import TESTED_VERSIONS
from weavectl.devserver import WeaviateServer

CASES = Path(__file__).resolve().parent.parent / "cases" / "cassettes"
CONFIG = CASES / "config.yaml"
# Replay talks to a name that never resolves (RFC 6761 `.invalid`): the cassette answers, or nothing does.
REPLAY_URL = "http://weaviate.invalid:8080"
SHOWN_URL = "<weaviate-url>"  # the expected outputs show this for the URL of the run (a random port when recording)
# What the CLI's environment holds: the admin key (sent as `Authorization`) and a provider key the file's key
# source resolves (never sent to Weaviate by plan or export). Neither may reach a cassette or an output.
ENVIRON = {"WEAVIATE_API_KEY": WEAVIATE_ADMIN_KEY, "OPENAI_APIKEY": PROVIDER_KEYS["openai"]}
RUNS: dict[str, list[str]] = {
    "plan-text": ["plan", "-f", str(CONFIG), "--detailed-exitcode", "--out", "{tmp}/plan.json"],
    "plan-json": ["plan", "-f", str(CONFIG), "--format", "json", "--detailed-exitcode"],
    "export": ["export"],
}
_KEY_HEADER = re.compile(r"^(authorization|x-.+-api-key)$", re.IGNORECASE)


def _drop_secrets(request: Request) -> Request:
    """Requests as stored: no `Authorization`, no `X-<Provider>-Api-Key` (whatever the provider)."""
    request = copy.deepcopy(request)
    for name in [n for n in request.headers if _KEY_HEADER.match(n)]:
        del request.headers[name]
    return request


VCR_CONFIG: dict[str, Any] = {
    # The recording server listens on a random port and replay on REPLAY_URL: match on the rest of the URL.
    "match_on": ("method", "scheme", "path", "query", "body"),
    "filter_headers": ["authorization"],
    "before_record_request": _drop_secrets,
    "decode_compressed_response": True,  # readable JSON bodies, so a reviewer (and the canary check) sees them
}


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    return VCR_CONFIG


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASES)


@dataclass(frozen=True)
class Target:
    version: str
    url: str
    recording: bool


@pytest.fixture(scope="session", params=TESTED_VERSIONS)
def target(request: pytest.FixtureRequest, record_mode: str) -> Iterator[Target]:
    """The server a run talks to: when recording, a real weaviate-server of this version in API-key mode, seeded
    with before.yaml before any cassette is open (session scope: set up ahead of the per-test cassette); when
    replaying, none."""
    version = str(request.param)
    if record_mode == "none":
        yield Target(version, REPLAY_URL, recording=False)
        return
    with WeaviateServer(version=version, api_keys=(WEAVIATE_ADMIN_KEY,)) as server:
        _seed(server, version)
        yield Target(version, server.url, recording=True)
    assert_no_secret(sorted((CASES / version).iterdir()))  # the cassettes are written by now


def _seed(server: WeaviateServer, version: str) -> None:
    before = yaml.safe_load((CASES / "before.yaml").read_text())["collections"]
    with httpx.Client(base_url=server.url, headers=server.headers(), timeout=60) as client:
        reported = client.get("/v1/meta").json()["version"]
        assert reported == version, f"asked for weaviate-server {version}, got {reported}"
        for coll in before:
            resp = client.post("/v1/schema", json=to_rest({k: v for k, v in coll.items() if k != "aliases"}))
            assert resp.status_code == 200, f"POST /v1/schema {coll['name']}: {resp.status_code} {resp.text}"
            for alias in coll.get("aliases") or []:
                resp = client.post("/v1/aliases", json={"alias": alias, "class": coll["name"]})
                assert resp.status_code == 200, f"POST /v1/aliases {alias}: {resp.status_code} {resp.text}"


@pytest.fixture
def default_cassette_name(request: pytest.FixtureRequest, target: Target) -> str:
    return f"{target.version}/{request.node.callspec.params['run_name']}"


@dataclass
class Outcome:
    argv: list[str]
    code: int
    out: str
    err: str


def run(argv: list[str], url: str, capsys: pytest.CaptureFixture[str]) -> Outcome:
    """The CLI in-process, with its own environment (no process variables, no terminal). Commands write to the
    environment's streams; the CLI's error boundary writes to sys.stderr (captured)."""
    env = Environment(environ=ENVIRON, stdout=io.StringIO(), stderr=io.StringIO())
    argv = [*argv, "--url", url]
    capsys.readouterr()
    code = run_cli(argv, obj={"environment": env})
    captured = capsys.readouterr()
    assert isinstance(env.stdout, io.StringIO) and isinstance(env.stderr, io.StringIO)
    return Outcome(argv, code, env.stdout.getvalue() + captured.out, env.stderr.getvalue() + captured.err)


def transcript(outcome: Outcome, url: str, tmp: Path) -> str:
    """What a `<run>.out` holds: the command, exit code, stdout and stderr, with the run's URL, temporary folder
    and cases folder shown as placeholders, and plan digests (which cover the URL and the config's absolute
    path) masked."""
    text = "\n".join([f"$ weavectl {' '.join(outcome.argv)}", f"exit code: {outcome.code}", "--- stdout",
                      outcome.out.rstrip("\n"), "--- stderr", outcome.err.rstrip("\n"), ""])
    text = text.replace(url, SHOWN_URL).replace(str(tmp), "<tmp>").replace(str(CASES), "<cases>")
    return re.sub(r"sha256:[0-9a-f]{64}", "sha256:<digest>", text)


@pytest.mark.vcr
@pytest.mark.block_network  # replay only (pytest-recording lets a recording through): no socket opens
@pytest.mark.parametrize("run_name", RUNS)
def test_cli_replays_the_recorded_server(run_name: str, target: Target, vcr: Cassette, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in RUNS[run_name]]
    outcome = run(argv, target.url, capsys)
    text = transcript(outcome, target.url, tmp_path)
    expected = CASES / target.version / f"{run_name}.out"
    if target.recording:
        expected.parent.mkdir(exist_ok=True)
        expected.write_text(text)
    else:
        assert vcr.all_played, f"requests the cassette holds that the run did not send:\n{text}"
    assert text == expected.read_text(), f"{expected} differs (--record-mode=rewrite re-records it)"
    CHECKS[run_name](outcome, tmp_path, target.url)


def _check_plan_text(outcome: Outcome, tmp: Path, url: str) -> None:
    assert outcome.code == 2, "--detailed-exitcode: changes are present"
    saved = json.loads((tmp / "plan.json").read_text())
    shown = re.findall(r"^Plan digest: (sha256:[0-9a-f]{64})$", outcome.out, flags=re.M)
    assert shown == [saved["digest"]], "the digest shown is the saved plan's"
    assert saved["cluster"]["url"] == url


def _check_plan_json(outcome: Outcome, tmp: Path, url: str) -> None:
    assert outcome.code == 2, "--detailed-exitcode: changes are present"
    data = json.loads(outcome.out)
    jsonschema.validate(data, load_schema("plan.schema.json"))
    assert {c["collection"]: c["action"] for c in data["changes"]} == {"Products": "update", "Reviews": "create"}
    assert data["unchanged"] == ["Articles"]
    assert data["server"]["version"] in TESTED_VERSIONS


def _check_export(outcome: Outcome, tmp: Path, url: str) -> None:
    assert outcome.code == 0
    doc = yaml.safe_load(outcome.out)
    assert [(c["name"], c.get("aliases")) for c in doc["collections"]] == [("Articles", ["News"]), ("Products", None)]


CHECKS: dict[str, Callable[[Outcome, Path, str], None]] = {
    "plan-text": _check_plan_text, "plan-json": _check_plan_json, "export": _check_export,
}


def _cassettes() -> list[Path]:
    return sorted(CASES.glob("*/*.yaml"))


def test_every_version_and_run_has_a_cassette_and_an_expected_output() -> None:
    assert sorted(p.name for p in CASES.iterdir() if p.is_dir()) == sorted(TESTED_VERSIONS)
    for version in TESTED_VERSIONS:
        for name in RUNS:
            for suffix in (".yaml", ".out"):
                assert (CASES / version / f"{name}{suffix}").is_file(), f"{version}/{name}{suffix}: record it " \
                    "with --record-mode=rewrite"
            meta = [json.loads(item["response"]["body"]["string"])
                    for item in yaml.safe_load((CASES / version / f"{name}.yaml").read_text())["interactions"]
                    if httpx.URL(item["request"]["uri"]).path == "/v1/meta"]
            assert meta and {m["version"] for m in meta} == {version}, f"{version}/{name}: another server answered"


def assert_no_secret(paths: list[Path]) -> None:
    """No test key (tests/conftest.py) in any cassette or expected output, and no key header in a request."""
    canaries = [*PROVIDER_KEYS.values(), WEAVIATE_ADMIN_KEY]
    for path in paths:
        text = path.read_text()
        for canary in canaries:
            assert canary not in text, f"{path} holds a test key"
        assert "bearer " not in text.lower(), f"{path} holds a bearer token"
        if path.suffix == ".yaml":
            interactions = yaml.safe_load(text)["interactions"]
            assert interactions, f"{path} recorded nothing"
            for item in interactions:
                assert not any(_KEY_HEADER.match(name) for name in item["request"]["headers"]), path


def test_cassettes_hold_no_secret() -> None:
    assert_no_secret([*_cassettes(), *CASES.glob("*/*.out")])


def _meta_version(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "version": "1.31.0"}


def _schema_withheld(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "classes": None}


def _alias_gone(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "aliases": [a for a in body["aliases"] if a["alias"] != "News"]}


def _edited(source: Path, dest: Path, path: str, edit: Callable[[dict[str, Any]], dict[str, Any]] | None) -> Path:
    """A copy of a cassette whose answer to GET `path` is edited (or, with no edit, whose request is gone)."""
    data = yaml.safe_load(source.read_text())
    kept, found = [], 0
    for item in data["interactions"]:
        if httpx.URL(item["request"]["uri"]).path == path:
            found += 1
            if edit is None:
                continue
            body = item["response"]["body"]
            body["string"] = json.dumps(edit(json.loads(body["string"])))
        kept.append(item)
    assert found, f"{source} has no GET {path}"
    data["interactions"] = kept
    dest.write_text(yaml.safe_dump(data))
    return dest


def _replay(cassette: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> Outcome:
    with VCR(**VCR_CONFIG).use_cassette(str(cassette), record_mode="none"):
        return run(argv, REPLAY_URL, capsys)


@pytest.mark.block_network
@pytest.mark.parametrize("version", TESTED_VERSIONS)
@pytest.mark.parametrize(("path", "edit", "code", "shown"), [
    ("/v1/meta", _meta_version, 1, "Error: http://weaviate.invalid:8080: Weaviate 1.31.0 is older than weavectl "
                                   "supports"),
    ("/v1/schema", _schema_withheld, 1, "Error: GET /v1/schema: the server listed `classes: null`"),
    ("/v1/aliases", _alias_gone, 2, '"path": "aliases.News"'),  # Articles then plans to create its alias
], ids=["unsupported-version", "schema-withheld", "alias-gone"])
def test_replay_reads_the_answers_from_the_cassette(version: str, path: str, code: int, shown: str,
                                                    edit: Callable[[dict[str, Any]], dict[str, Any]],
                                                    tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An edited answer changes what plan does: the adapter parses the cassette's answers, nothing bypasses it."""
    cassette = _edited(CASES / version / "plan-json.yaml", tmp_path / "edited.yaml", path, edit)
    outcome = _replay(cassette, RUNS["plan-json"], capsys)
    assert outcome.code == code, outcome
    assert shown in outcome.out + outcome.err, outcome
    assert "Traceback" not in outcome.err


@pytest.mark.block_network
@pytest.mark.parametrize("version", TESTED_VERSIONS)
def test_a_request_the_cassette_lacks_fails_the_run(version: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    cassette = _edited(CASES / version / "plan-json.yaml", tmp_path / "cut.yaml", "/v1/aliases", None)
    outcome = _replay(cassette, RUNS["plan-json"], capsys)
    assert outcome.code == 1
    assert "CannotOverwriteExistingCassetteException" in outcome.err, outcome.err
