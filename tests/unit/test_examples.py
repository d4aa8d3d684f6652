"""Every shipped example validates cleanly: as a whole and, where it declares environments, as each one sees it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from weavectl.cli import run_cli

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.yaml"))
SCHEMA_COMMENT = "# yaml-language-server: $schema=../schemas/weavectl.schema.json"


def _environments(path: Path) -> list[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return sorted(data.get("environments") or {}) if isinstance(data, dict) else []


ENV_CASES = [(path, env) for path in EXAMPLES for env in _environments(path)]


def _validate(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run_cli(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.err


def test_examples_exist() -> None:
    names = {p.name for p in EXAMPLES}
    assert {"multi-env.yaml", "openai.yaml", "multimodal.yaml", "generative.yaml", "rerankers.yaml"} <= names
    assert len(EXAMPLES) >= 20


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_validates(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _validate(["-f", str(path)], capsys)
    assert code == 0, err
    assert ": error:" not in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_header(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == SCHEMA_COMMENT
    # Only comment lines (explaining a known warning) may come between the schema line and `version: 1`.
    first_key = next(line for line in lines[1:] if line.strip() and not line.startswith("#"))
    assert first_key == "version: 1"
    # Keys are never written into an example: every key source is env, file or command.
    assert "literal:" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("path", "env"), ENV_CASES, ids=lambda v: v.name if isinstance(v, Path) else v)
def test_example_validates_per_environment(path: Path, env: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _validate(["-f", str(path), "--env", env], capsys)
    assert code == 0, err
    assert ": error:" not in err, err
    assert "Traceback" not in err


def test_multi_env_declares_dev_staging_prod() -> None:
    assert _environments(EXAMPLES_DIR / "multi-env.yaml") == ["dev", "prod", "staging"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_warnings_are_announced(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An example that prints a warning says so in its header comment."""
    _, err = _validate(["-f", str(path)], capsys)
    if ": warning:" in err:
        header = path.read_text(encoding="utf-8").split("\nversion: 1", 1)[0]
        assert "warning" in header.lower(), err
