"""The pull-request view: a destructive-change banner first, the counts in the title, one ```diff block per
collection (GitHub colours `+` and `-` lines), paths as the config file writes them. Deterministic: the same
plan renders to the same bytes (no times, no colours, stable order)."""

from __future__ import annotations

from typing import Any

from weavectl.core.plan.model import Plan
from weavectl.core.redact import REDACTOR
from weavectl.render.human import change_body
from weavectl.render.jsonplan import plan_json
from weavectl.render.values import PLAN, Wording, block, counts_text, headline, key_source_lines, shown

_ICONS = {"create": "➕", "update": "🔄", "replace": "♻️", "migrate": "⏩", "delete": "🗑️"}


def _marked(symbol: str, lines: list[str]) -> list[str]:
    """Every line of a multi-line value carries the symbol, so GitHub colours the whole value."""
    return [f"{symbol} {line}" for line in lines]


def _field_diff(f: dict[str, Any]) -> list[str]:
    kind, path, before, after = f["kind"], f["path"], f["before"], f["after"]
    note = ""
    if kind == "immutable":
        note = "  # forces replacement" + (f": {f['reason']}" if f.get("reason") else "")
    elif kind == "drop_index":
        note = "  # drops the index"
    if kind == "alias":
        out = [f"- {path}: {before}"] if before is not None else []
        return out + ([f"+ {path}: {after}"] if after is not None else []) + ([f"# {note.strip()}"] if note else [])
    lines: list[str] = []
    if before is not None and kind not in ("add_property", "add_vector"):
        was = block(before, 2)
        lines += _marked("-", [f"{path}: {was[0]}", *was[1:]])
    if after is not None:
        now = block(after, 2)
        lines += _marked("+", [f"{path}: {now[0]}", *now[1:]])
    elif before is not None:
        lines[-1] += "  # live only, not in the file"
    if not lines:
        lines = [f"  {path}: {shown(before)} -> {shown(after)}"]
    if note:
        lines.append(f"# {note.strip().lstrip('# ')}")
    return lines


def _diff_lines(change: dict[str, Any], wording: Wording) -> list[str]:
    if change["action"] == "create":
        return [line if line.startswith("#") else f"+ {line[2:]}" if line.startswith("+ ") else f"+ {line}"
                for line in change_body(change)]
    out = [line for line in change_body({**change, "fields": [], "action": change["action"]})
           if line.startswith("#")]
    for f in change["fields"]:
        out += _field_diff(f)
        note = wording.intended.get((change["collection"], f["path"]))
        if note:
            out.append(f"# {note}")
    if change["action"] == "delete" and not out:
        out.append(f"- collection {change['collection']}")
    return out


def _banner(data: dict[str, Any], wording: Wording) -> list[str]:
    destroyed = [c for c in data["changes"] if c["destroys_data"]]
    if not destroyed:
        return []
    what = ", ".join(f"`{c['collection']}` ({'replaced' if c['action'] == 'replace' else 'deleted'})"
                     for c in destroyed)
    if wording.read_only:
        return ["> [!WARNING]", f"> An apply of these definitions would destroy data: {what}. This comparison "
                "changes nothing.", ""]
    lines = ["> [!CAUTION]", f"> **This plan destroys data**: {what}. Their objects and vectors are lost; apply "
             "refuses without `--allow-destroy`."]
    protected = [c["collection"] for c in destroyed if c.get("protect")]
    if protected:
        lines.append(f"> `protect: true` on {', '.join(f'`{n}`' for n in protected)}: apply refuses these even "
                     "with `--allow-destroy`.")
    return [*lines, ""]


def render_markdown(plan: Plan, *, wording: Wording = PLAN) -> str:
    data = plan_json(plan, steps=False)
    lines = [f"### {wording.title}: {counts_text(data['summary'])}", ""]
    lines += _banner(data, wording)
    lines += [f"Weaviate `{data['server']['version']}` at `{data['server']['url']}`"
              + (f", environment `{data['environment']}`" if data["environment"] else ""), ""]
    if wording.lead:
        lines += [wording.lead, ""]
    if data["changes"]:
        lines += ["| | collection | action | fields |", "|---|---|---|---|"]
        for change in data["changes"]:
            action = change["action"] + (" (data lost)" if change["destroys_data"] else "")
            lines.append(f"| {_ICONS[change['action']]} | `{change['collection']}` | {action} | "
                         f"{len(change['fields'])} |")
        lines.append("")
        for change in data["changes"]:
            opened = " open" if change["destroys_data"] else ""
            lines += [f"<details{opened}><summary><code>{change['collection']}</code> "
                      f"{headline(change['action'], wording)}</summary>", "", "```diff"]
            lines += _diff_lines(change, wording)
            lines += ["```", ""]
            lines += [f"> ⚠️ {w}" for w in change.get("warnings", [])]
            lines += [f"> ❌ {_error(d, named=False)}" for d in data["diagnostics"]
                      if d["scope"] == "change" and d["collection"] == change["collection"]]
            lines += ["</details>", ""]
    else:
        lines += ["No differences." if wording.read_only else "No changes: the live cluster matches the file.", ""]
    if data["drift"]:
        lines += ["**Drift** (live, not in the file; apply leaves it alone):", ""]
        lines += [f"- `{d['collection']}.{d['path']}`: {d.get('reason', '')}" for d in data["drift"]] + [""]
    if data["ignored"]:
        lines += ["**Ignored** (ignore_changes):", ""]
        lines += [f"- `{d['collection']}.{d['path']}`: {shown(d['before'])} -> {shown(d['after'])}"
                  for d in data["ignored"]] + [""]
    if data["unmanaged"]:
        lines += [f"{wording.unmanaged}: {', '.join(f'`{n}`' for n in data['unmanaged'])}", ""]
    if data.get("left_alone"):
        lines += ["`--prune` leaves alone (not known to be this configuration's): "
                  + ", ".join(f"`{n}`" for n in data["left_alone"]), ""]
    if data.get("external"):
        lines += [f"External (declared elsewhere; never touched): {', '.join(f'`{n}`' for n in data['external'])}",
                  ""]
    if data["key_sources"]:
        lines += ["**Key sources**", "", *[f"- {'✅' if s['resolved'] else '⏳'} {line}" for s, line in
                                          zip(data["key_sources"], key_source_lines(data["key_sources"]),
                                              strict=True)], ""]
    lines += [f"> ⚠️ {w}" for w in data["warnings"]]
    lines += [f"> ❌ {_error(d)}" for d in data["diagnostics"]]
    return REDACTOR.scrub("\n".join(lines).rstrip("\n"))


def _error(diag: dict[str, Any], *, named: bool = True) -> str:
    where = f"`{diag['collection']}`: " if named and diag.get("collection") else ""
    hint = f" Hint: {diag['hint']}" if diag.get("hint") else ""
    return f"`{diag['code']}` {where}{diag['message']}{hint}"
