"""The GitOps example: its config validates, and its workflow only uses commands and flags weavectl has."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from weavectl.cli import cli, run_cli

GITOPS = Path(__file__).resolve().parents[2] / "examples" / "gitops"


def test_gitops_config_validates_strictly(capsys: pytest.CaptureFixture[str]) -> None:
    for env in (None, "dev", "staging", "prod"):
        args = ["validate", "-f", str(GITOPS / "weaviate"), "--strict"] + (["--env", env] if env else [])
        assert run_cli(args) == 0, capsys.readouterr().err


def test_workflow_uses_only_real_commands_and_flags() -> None:
    workflow = yaml.safe_load((GITOPS / ".github" / "workflows" / "weavectl.yml").read_text())
    assert set(workflow["jobs"]) == {"plan", "apply"}
    scripts = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    scripts += re.findall(r"^weavectl .*$", (GITOPS / "README.md").read_text(), flags=re.M)
    calls = [line for script in scripts for line in script.replace("\\\n", " ").splitlines() if "weavectl " in line]
    assert calls
    context = click.Context(cli)
    for line in calls:
        for segment in line.split("&&"):
            words = shlex.split(segment[segment.index("weavectl"):].split(">")[0], comments=True)
            command = cli.get_command(context, words[1])
            assert command is not None, f"no command {words[1]}"
            known = {opt for param in command.params for opt in getattr(param, "opts", [])}
            for word in words[2:]:
                if word.startswith("-"):
                    assert word in known, f"{words[1]} has no option {word}"
