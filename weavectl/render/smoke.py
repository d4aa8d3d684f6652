"""The smoke report as the table `weavectl smoke` prints (secrets scrubbed)."""

from __future__ import annotations

from weavectl.core.redact import REDACTOR
from weavectl.core.smoke_checks import SmokeReport


def render_table(report: SmokeReport) -> str:
    rows = [("collection", "check", "result", "latency", "detail")]
    for c in report.checks:
        latency = f"{c.latency_ms:.0f} ms" if c.latency_ms is not None else ""
        rows.append((c.collection, c.name, "ok" if c.ok else "FAIL", latency, c.detail))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(r[i].ljust(widths[i]) for i in range(4)) + ("  " + r[4] if r[4] else "") for r in rows]
    failed = sum(not c.ok for c in report.checks)
    lines.append(f"Smoke: {len(report.checks) - failed} of {len(report.checks)} checks passed"
                 + (f", {failed} failed." if failed else "."))
    return REDACTOR.scrub("\n".join(lines))
