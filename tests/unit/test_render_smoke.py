"""The smoke table: aligned columns, the count line, and no secret even when a provider echoes one."""

from __future__ import annotations

from tests.conftest import PROVIDER_KEYS
from weavectl.core.redact import REDACTOR
from weavectl.core.smoke_checks import Check, SmokeReport
from weavectl.render.smoke import render_table


def test_table_aligns_columns_and_counts_failures() -> None:
    report = SmokeReport([Check("Articles", "embed", True, latency_ms=12.4),
                          Check("Articles", "query: cats", False, detail="expected id 1 in the top 3")])
    lines = render_table(report).splitlines()
    assert lines[0].split() == ["collection", "check", "result", "latency", "detail"]
    assert lines[1].split() == ["Articles", "embed", "ok", "12", "ms"]
    assert lines[2].index("FAIL") == lines[1].index("ok") == lines[0].index("result")
    assert lines[2].endswith("expected id 1 in the top 3")
    assert lines[-1] == "Smoke: 1 of 2 checks passed, 1 failed."
    assert render_table(SmokeReport([Check("A", "embed", True)])).splitlines()[-1] == "Smoke: 1 of 1 checks passed."


def test_a_key_a_provider_echoed_into_a_detail_is_scrubbed() -> None:
    key = PROVIDER_KEYS["openai"]
    REDACTOR.register(key)
    text = render_table(SmokeReport([Check("A", "embed", False, detail=f"401: invalid key {key}")]))
    assert key not in text and "401: invalid key" in text
