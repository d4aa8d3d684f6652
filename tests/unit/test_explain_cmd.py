"""`weavectl explain` from the file alone (no server): output, formats and usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from weavectl.cli import run_cli

DOC = {"version": 1, "collections": [{
    "name": "MyDocs",
    "properties": [{"name": "title", "data_type": "text", "vectorize_property_name": True},
                   {"name": "secret", "data_type": "text", "skip_vectorization": True}],
    "vectors": {"main": {"vectorizer": "text2vec-openai"}, "local": {"vectorizer": "text2vec-ollama"}},
    "smoke": {"objects": [{"title": "Hello there", "secret": "s"}, {"title": "Second"}],
              "queries": [{"near_text": "hello", "target_vector": "main"}]},
}]}


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "weavectl.yaml"
    path.write_text(yaml.safe_dump(DOC))
    return path


def test_text_output_shows_text_prefix_and_left_out_properties(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["explain", "mydocs", "-f", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert 'text: "My Docs title Hello there"' in out
    assert 'collection-name prefix: "My Docs"' in out
    assert "secret: left out (skip_vectorization)" in out
    assert 'text: "title Hello there"' in out  # ollama: no collection name by default


def test_json_output_one_vector_and_sample_number(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["explain", "MyDocs", "-f", str(cfg), "--sample", "2", "--vector", "local",
                    "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [vector] = data["objects"][0]["vectors"]
    assert vector["text"] == "title Second" and vector["length"] == len("title Second")
    assert vector["unit"] == "characters"


def test_openai_length_is_in_tokens_when_tiktoken_is_there(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tiktoken")
    assert run_cli(["explain", "MyDocs", "-f", str(cfg), "--vector", "main", "--format", "json"]) == 0
    vector = json.loads(capsys.readouterr().out)["objects"][0]["vectors"][0]
    if vector["unit"] == "tokens":
        assert 0 < vector["length"] < len(vector["text"])


@pytest.mark.parametrize(("args", "message"), [
    (["Nope"], "collection 'Nope' is not in the file (it has: MyDocs)"),
    (["MyDocs", "--sample", "5"], "--sample 5: MyDocs has 2 sample object(s) (1..2)"),
    (["MyDocs", "--vector", "zzz"], "MyDocs has no text vector 'zzz' (it has: local, main)"),
    (["MyDocs", "--sample", "1", "--jsonl", "x.jsonl"], "choose one of --object-id, --sample and --jsonl"),
    (["MyDocs", "--jsonl", "/nonexistent/x.jsonl"], "/nonexistent/x.jsonl: No such file or directory"),
])
def test_bad_input_is_a_clear_message(cfg: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                      message: str) -> None:
    code = run_cli(["explain", *args[:1], "-f", str(cfg), *args[1:]])
    err = capsys.readouterr().err
    assert code in (1, 64) and message in err and "Traceback" not in err
