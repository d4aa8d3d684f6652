"""Fuzz: no plan file, however malformed, makes `apply PLANFILE`'s reader raise anything but a clear error.

A plan file is data: the reader either returns a validated plan or raises a WeavectlError (exit 1 or 64) with
a message; never another exception, and nothing in the file is run."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weavectl.adapters import planfile
from weavectl.errors import WeavectlError

JSON: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(["kind", "format_version", "plan", "digest", "live",
                                                                "cluster", "config", "created_at", "x"]),
                                               children, max_size=6)),
    max_leaves=30,
)
SHAPED = st.fixed_dictionaries({"kind": st.just(planfile.PLAN_FILE_KIND),
                                "format_version": st.just(planfile.PLAN_FILE_FORMAT)}, optional={
    "plan": JSON, "digest": JSON, "live": JSON, "cluster": JSON, "config": JSON})


def _read(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.json"
        path.write_bytes(content)
        try:
            planfile.load(str(path))
        except WeavectlError as exc:
            assert exc.message


@settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_arbitrary_bytes(content: bytes) -> None:
    _read(content)


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(JSON, SHAPED))
def test_arbitrary_and_near_valid_json(document: Any) -> None:
    _read(json.dumps(document).encode())
