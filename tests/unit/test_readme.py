"""The README's config snippet is valid, and its two commands are the ones CI and newcomers run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from weavectl.cli import run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_readme_yaml_snippet_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text()
    snippets = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
    assert snippets
    for i, snippet in enumerate(snippets):
        path = tmp_path / f"snippet{i}.yaml"
        path.write_text(snippet)
        code = run_cli(["validate", "-f", str(path)])
        err = capsys.readouterr().err
        assert code == 0, err


def test_readme_has_the_main_job_and_test_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "python -m weavectl.devserver exec -- sh -c 'weavectl plan -f examples/quickstart.yaml" in readme
    assert "\npython -m pytest\n" in readme
    assert "python3 -m pytest" in (ROOT / ".ci" / "run").read_text()
