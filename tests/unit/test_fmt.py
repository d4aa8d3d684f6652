"""`weavectl fmt`: one canonical style (key order, flow style for short lists), comments kept, idempotent,
the data unchanged; a file whose comments would be lost is left alone."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from weavectl.adapters.yamlfmt import comments, format_text
from weavectl.cli import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

MESSY = """\
collections:   # the collections
  - properties:
      - data_type: text
        name: title
      - name: tags
        data_type: text[]
        tokenization: field  # exact tags
    name: Article
    vectors:
      main:
        index: {distance: cosine, type: hnsw}
        source_properties:
          - title
        model: text-embedding-3-small
        vectorizer: text2vec-openai
version: 1
api_keys:
  openai:
    env: OPENAI_APIKEY
"""

CANONICAL = """\
version: 1
api_keys:
  openai: {env: OPENAI_APIKEY}
collections:   # the collections
  - name: Article
    properties:
      - {name: title, data_type: text}
      - name: tags
        data_type: text[]
        tokenization: field  # exact tags
    vectors:
      main:
        vectorizer: text2vec-openai
        model: text-embedding-3-small
        source_properties: [title]
        index: {type: hnsw, distance: cosine}
"""


def test_messy_file_becomes_canonical_keeping_comments_and_data() -> None:
    result, lost = format_text(MESSY, "messy.yaml")
    assert lost == []
    assert result == CANONICAL
    assert yaml.safe_load(result) == yaml.safe_load(MESSY)
    assert format_text(result, "again.yaml") == (result, [])


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("**/*.yaml")), ids=lambda p: p.name)
def test_examples_format_idempotently_without_losing_data_or_comments(path: Path) -> None:
    text = path.read_text()
    once, lost = format_text(text, str(path))
    assert lost == []
    assert yaml.safe_load(once) == yaml.safe_load(text)
    assert comments(once) == comments(text)
    assert format_text(once, str(path)) == (once, [])


def test_check_reports_and_fmt_rewrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "weavectl.yaml"
    cfg.write_text(MESSY)
    assert run_cli(["fmt", "--check", "-f", str(cfg)]) == 2
    assert cfg.read_text() == MESSY and "would reformat" in capsys.readouterr().out
    assert run_cli(["fmt", "-f", str(cfg)]) == 0
    assert cfg.read_text() == CANONICAL
    assert run_cli(["fmt", "--check", "-f", str(cfg)]) == 0


def test_a_file_that_would_lose_a_comment_is_left_unchanged(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    text = ("version: 1\ncollections:\n  - name: A\n    properties:\n      - {name: t,  # keep me\n"
            "         data_type: text}\n")
    cfg = tmp_path / "weavectl.yaml"
    cfg.write_text(text)
    assert run_cli(["fmt", "-f", str(cfg)]) == 1
    assert cfg.read_text() == text
    assert "would lose 1 comment(s), e.g. # keep me" in capsys.readouterr().err


def test_invalid_yaml_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "weavectl.yaml"
    cfg.write_text("version: [1\n")
    assert run_cli(["fmt", "-f", str(cfg)]) == 1
    err = capsys.readouterr().err
    assert "not valid YAML, so it was not formatted" in err and "Traceback" not in err
