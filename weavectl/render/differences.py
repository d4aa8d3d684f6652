"""The view of `weavectl diff` between two clusters: each difference as A's value -> B's value (text,
markdown, JSON)."""

from __future__ import annotations

import json
from typing import Any

from weavectl.core.plan.compare import Difference


def render_differences(sides: dict[str, dict[str, str]], found: list[Difference], fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"from": sides["a"], "to": sides["b"], "differences": [d.to_json() for d in found],
                           "summary": {"differences": len(found),
                                       "expected": sum(d.expected for d in found)}}, indent=2, default=str)
    a, b = sides["a"], sides["b"]
    lines = [f"{a['name']} ({a['url']}, Weaviate {a['version']}) -> {b['name']} ({b['url']}, Weaviate "
             f"{b['version']})", "",
             f"Read-only. Applying {a['name']}'s definitions to {b['name']} would change (each line: "
             f"{a['name']}'s value -> {b['name']}'s value now):", ""]
    current = None
    for d in found:
        if d.collection != current:
            current = d.collection
            lines.append(f"  {d.collection}")
        what = d.path or "collection"
        note = "   # intended: the file's per-environment overrides differ here" if d.expected else ""
        lines.append(f"    {'=' if d.expected else '~'} {what}: {_short(d.a)} -> {_short(d.b)}{note}")
    expected = sum(d.expected for d in found)
    lines += ["", f"{len(found)} difference(s), {expected} intended by per-environment overrides. Nothing was "
              "changed." if found else "No differences."]
    text = "\n".join(lines)
    return f"```diff\n{text}\n```" if fmt == "markdown" else text


def _short(value: Any) -> str:
    text = value if isinstance(value, str) and value.startswith("(") else json.dumps(value, default=str)
    return text if len(text) <= 100 else text[:97] + "..."
