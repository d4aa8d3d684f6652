"""Text (Terraform-like) and Markdown views, rendered from the same JSON plan structure."""

from __future__ import annotations

import json
from typing import Any

from weavectl.core.model import Plan
from weavectl.core.redact import REDACTOR
from weavectl.render.jsonplan import plan_json

_COLOURS = {"create": "32", "update": "33", "replace": "35", "delete": "31"}
_HEADLINES = {
    "create": "will be created",
    "update": "will be updated in place",
    "replace": "must be replaced: its data will be lost",
    "delete": "will be deleted, with all its data",
}
_FIELD_SYMBOLS = {"update": "~", "add_property": "+", "add_vector": "+", "drop_index": "-", "immutable": "~",
                  "alias": "~", "undeclared": "!", "replicas": "~"}


def _value(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 100 else text[:97] + "..."


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def _field_line(f: dict[str, Any]) -> str:
    kind = f["kind"]
    symbol = _FIELD_SYMBOLS[kind]
    if kind in ("add_property", "add_vector"):
        what = "property" if kind == "add_property" else "named vector"
        line = f"{symbol} {what} {f['path'].split('.', 1)[1]}: {_value(f['after'])}"
    elif kind == "alias" and f["after"] is None:
        line = f"- {f['path']} (pointed at {f['before']})"
    elif kind == "drop_index":
        line = f"- {f['path']}: drop the index ({_value(f['before'])} -> {_value(f['after'])})"
    elif f["after"] is None:
        line = f"- {f['path']}: {_value(f['before'])} -> (not in the file)"
    else:
        line = f"{symbol} {f['path']}: {_value(f['before'])} -> {_value(f['after'])}"
    if kind == "immutable":
        line += f"  # forces replacement: {f.get('reason', '')}".rstrip(": ")
    elif kind == "replicas" or (f.get("reason") and f["path"] == "replicationConfig.factor"):
        line += f"  # {f.get('reason', '')}"
    return line


def summary_line(counts: dict[str, int]) -> str:
    return (f"Plan: {counts['create']} to create, {counts['update']} to update in place, "
            f"{counts['replace']} to replace, {counts['delete']} to delete.")


def render_text(plan: Plan, *, colour: bool = False) -> str:
    data = plan_json(plan)
    lines = [f"Weaviate {data['server']['version']} at {data['server']['url']}"
             + (f" (environment {data['environment']})" if data["environment"] else "")]
    if plan.cluster is not None and len(plan.cluster["nodes"]) > 1:
        cluster = plan.cluster
        unwell = [f"{n} {s}" for n, s in cluster["nodes"].items() if s != "HEALTHY"]
        lines.append(f"Cluster of {len(cluster['nodes'])} nodes: schema read leader-consistent via "
                     f"{cluster['read_from']} (RAFT leader {cluster['leader'] or 'none'})"
                     + (f"; not healthy: {', '.join(unwell)}" if unwell else "; all healthy"))
    lines.append("")
    for change in data["changes"]:
        action = change["action"]
        symbol = {"create": "+", "update": "~", "replace": "-/+", "delete": "-"}[action]
        lines.append(f"  # {change['collection']} {_HEADLINES[action]}")
        if change.get("protect") and action in ("replace", "delete"):
            lines.append("  # protect: true: apply will refuse this")
        head = _paint(f"{symbol} collection \"{change['collection']}\"", _COLOURS[action], colour)
        lines.append(f"  {head} {{")
        if action == "create":
            desired = change.get("desired") or {}
            for prop in desired.get("properties") or []:
                lines.append(f"      + property {prop['name']}: {_value(prop.get('dataType'))}")
            for vname, vec in (desired.get("vectorConfig") or {}).items():
                lines.append(f"      + vector {vname}: {', '.join(vec.get('vectorizer', {}))}")
            if desired.get("vectorizer"):
                lines.append(f"      + vectorizer: {desired['vectorizer']}")
        for f in change["fields"]:
            lines.append(f"      {_field_line(f)}")
        lines.append("    }")
        for warning in change.get("warnings", []):
            lines.append(f"  Warning: {warning}")
        for error in change.get("errors", []):
            lines.append(f"  Error: {error}")
        lines.append("")
    if data["drift"]:
        lines.append("Drift: live, not in the file, and Weaviate cannot remove it in place (apply leaves it alone; "
                     "`--replace COLLECTION` would recreate the collection without it):")
        for d in data["drift"]:
            lines.append(f"  ! {d['collection']}.{d['path']}: {_value(d['before'])}  # {d.get('reason', '')}")
        lines.append("")
    if data["ignored"]:
        lines.append("Ignored (ignore_changes; not applied):")
        for d in data["ignored"]:
            lines.append(f"  ~ {d['collection']}.{d['path']}: {_value(d['before'])} -> {_value(d['after'])}")
        lines.append("")
    if data["unmanaged"]:
        lines.append(f"Unmanaged (live, not in the file; left alone): {', '.join(data['unmanaged'])}")
    if not data["changes"] and not data["drift"]:
        lines.append("No changes. The live cluster matches the file.")
    elif not data["changes"]:
        lines.append("No changes to apply, but the live cluster has drift the file does not describe (above).")
    for warning in data["warnings"]:
        lines.append(f"Warning: {warning}")
    for error in data["errors"]:
        lines.append(_paint(f"Error: {error}", "31", colour))
    lines.append(summary_line(data["summary"]))
    return REDACTOR.scrub("\n".join(lines))


def render_markdown(plan: Plan) -> str:
    data = plan_json(plan)
    counts = data["summary"]
    lines = [f"### weavectl plan: {summary_line(counts)}", "",
             f"Weaviate `{data['server']['version']}`" + (f", environment `{data['environment']}`"
                                                         if data["environment"] else ""), ""]
    if data["changes"]:
        lines += ["| | collection | action | fields |", "|---|---|---|---|"]
        for change in data["changes"]:
            symbol = {"create": "➕", "update": "🔄", "replace": "♻️", "delete": "🗑️"}[change["action"]]
            action = change["action"] + (" (data lost)" if change["destroys_data"] else "")
            lines.append(f"| {symbol} | `{change['collection']}` | {action} | {len(change['fields'])} |")
        lines.append("")
        for change in data["changes"]:
            lines += [f"<details><summary><code>{change['collection']}</code>: {change['action']}</summary>", "",
                      "```diff"]
            lines += [_field_line(f) for f in change["fields"]] or ["+ (new collection)"]
            lines += ["```", ""]
            lines += [f"> ⚠️ {w}" for w in change.get("warnings", [])]
            lines += ["</details>", ""]
    else:
        lines.append("No changes.")
    if data["drift"]:
        lines += ["", "**Drift** (live, not in the file; apply leaves it alone):", ""]
        lines += [f"- `{d['collection']}.{d['path']}`: {d.get('reason', '')}" for d in data["drift"]]
    if data["ignored"]:
        lines += ["", "**Ignored** (ignore_changes):", ""]
        lines += [f"- `{d['collection']}.{d['path']}`: {_value(d['before'])} -> {_value(d['after'])}"
                  for d in data["ignored"]]
    if data["unmanaged"]:
        lines.append(f"Unmanaged: {', '.join(f'`{n}`' for n in data['unmanaged'])}")
    for error in data["errors"]:
        lines.append(f"> ❌ {error}")
    return REDACTOR.scrub("\n".join(lines))
