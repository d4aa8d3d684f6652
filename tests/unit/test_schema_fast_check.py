"""The compiled schema check that lets valid files skip jsonschema must give jsonschema's answer, always.

If it accepted a document jsonschema rejects, validate would miss errors; if it rejected a valid one, only
speed would suffer, but the two are held to the same answer either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.test_fuzz import KEYS, TREES
from weavectl.adapters.schemas import config_validator, fast_config_check
from weavectl.core.config.diagnostics import Diagnostics
from weavectl.core.config.yamldoc import parse_yaml

ROOT = Path(__file__).resolve().parents[2]
FULL = config_validator().full  # jsonschema, with JSON Schema's (ECMA-262) reading of `pattern`
FAST = fast_config_check()


def _same_answer(instance: Any) -> None:
    assert FAST is not None
    full_valid = not any(True for _ in FULL.iter_errors(instance))
    assert FAST(instance) == full_valid, f"compiled check and jsonschema disagree on {instance!r:.300}"


def _documents() -> list[Path]:
    return sorted([*ROOT.glob("examples/**/*.yaml"), *ROOT.glob("tests/cases/invalid/*.yaml")])


@pytest.mark.parametrize("path", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_and_invalid_corpus(path: Path) -> None:
    doc = parse_yaml(path.read_bytes(), str(path), Diagnostics())
    if doc is None:
        pytest.skip("not loadable YAML: the parser reports it before any schema check")
    _same_answer(doc.data)


def test_a_large_valid_file() -> None:
    from benchmarks.bench_validate import make_config

    _same_answer(make_config(30))


@settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, TREES, max_size=6), TREES)
def test_near_valid_documents(collection: dict[str, Any], environments: Any) -> None:
    _same_answer({"version": 1, "collections": [{"name": "Article", **collection}], "environments": environments})


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_arbitrary_documents(tree: Any) -> None:
    _same_answer(tree)
