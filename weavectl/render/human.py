"""The text (Terraform-like) view, rendered from the JSON plan structure: paths as the config file writes them,
values whole."""

from __future__ import annotations

from typing import Any

from weavectl.core.plan.model import Plan
from weavectl.core.redact import REDACTOR
from weavectl.render.jsonplan import plan_json
from weavectl.render.values import (
    PLAN,
    Wording,
    block,
    counts_text,
    headline,
    inline,
    key_source_lines,
    shown,
    vector_summaries,
)

_COLOURS = {"create": "32", "update": "33", "replace": "35", "migrate": "36", "delete": "31"}
_SYMBOLS = {"create": "+", "update": "~", "replace": "-/+", "migrate": "=>", "delete": "-"}
_FIELD_SYMBOLS = {"update": "~", "add_property": "+", "add_vector": "+", "drop_index": "-", "immutable": "~",
                  "alias": "~", "undeclared": "!", "replicas": "~"}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def _assign(symbol: str, path: str, value: Any, indent: int) -> list[str]:
    lines = block(value, indent + 2)
    return [f"{symbol} {path} = {lines[0]}", *lines[1:]]


def field_lines(f: dict[str, Any], indent: int = 0) -> list[str]:
    """One field change: `~ path: before -> after`, or the whole value of what is added."""
    kind, path, before, after = f["kind"], f["path"], f["before"], f["after"]
    symbol = _FIELD_SYMBOLS[kind]
    note = ""
    if kind == "immutable":
        note = "  # forces replacement" + (f": {f['reason']}" if f.get("reason") else "")
    elif kind == "drop_index":
        note = "  # drops the index"
    elif kind == "replicas" or (f.get("reason") and f["path"] == "replicationConfig.factor"):
        note = f"  # {f.get('reason', '')}"
    if kind in ("add_property", "add_vector") or (before is None and kind != "alias" and after is not None):
        lines = _assign("+", path, after, indent)
    elif kind == "alias" and after is None:
        lines = [f"- {path}: pointed at {before}; the alias is removed"]
    elif kind == "alias":
        lines = [f"~ {path}: {'(none)' if before is None else before} -> {after}"]
    elif after is None:
        lines = _assign("-", path, before, indent)
        lines[-1] += "  # live only, not in the file"
    elif inline(before) is not None and inline(after) is not None:
        lines = [f"{symbol} {path}: {shown(before)} -> {shown(after)}"]
    else:
        was, now = block(before, indent + 4), block(after, indent + 4)
        lines = [f"{symbol} {path}:", f"    before = {was[0]}", *was[1:], f"    after  = {now[0]}", *now[1:]]
    lines[0] += note
    return lines


def change_body(change: dict[str, Any], indent: int = 0, wording: Wording = PLAN) -> list[str]:
    """The inside of one collection block: a create shows its whole definition, others their field changes."""
    lines: list[str] = []
    definition = change.get("definition") or {}
    if change["action"] in ("create", "replace"):
        lines += [f"# {s}" for s in vector_summaries(definition)]
    if change["action"] == "create":
        for key, value in definition.items():
            if key != "name":
                lines += _assign("+", key, value, indent)
    for f in change["fields"]:
        lines += field_lines(f, indent)
        note = wording.intended.get((change["collection"], f["path"]))
        if note:
            lines[-1] += f"  # {note}"
    return lines


def render_text(plan: Plan, *, colour: bool = False, wording: Wording = PLAN) -> str:
    data = plan_json(plan, steps=False)
    lines = [f"Weaviate {data['server']['version']} at {data['server']['url']}"
             + (f" (environment {data['environment']})" if data["environment"] else "")]
    if plan.cluster is not None and len(plan.cluster["nodes"]) > 1:
        cluster = plan.cluster
        unwell = [f"{n} {s}" for n, s in cluster["nodes"].items() if s != "HEALTHY"]
        lines.append(f"Cluster of {len(cluster['nodes'])} nodes: schema read leader-consistent via "
                     f"{cluster['read_from']} (RAFT leader {cluster['leader'] or 'none'})"
                     + (f"; not healthy: {', '.join(unwell)}" if unwell else "; all healthy"))
    lines.append("")
    if wording.lead:
        lines += [wording.lead, ""]
    for change in data["changes"]:
        errors = [d for d in data["diagnostics"] if d["scope"] == "change" and d["collection"] == change["collection"]]
        lines += _change_lines(change, errors, wording, colour)
    if data["drift"]:
        lines.append("Drift: live, not in the file, and Weaviate cannot remove it in place (apply leaves it alone; "
                     "`--replace COLLECTION` would recreate the collection without it):")
        for d in data["drift"]:
            lines.append(f"  ! {d['collection']}.{d['path']}: {shown(d['before'])}  # {d.get('reason', '')}")
        lines.append("")
    if data["ignored"]:
        lines.append("Ignored (ignore_changes; not applied):")
        for d in data["ignored"]:
            lines.append(f"  ~ {d['collection']}.{d['path']}: {shown(d['before'])} -> {shown(d['after'])}")
        lines.append("")
    if data["unmanaged"]:
        lines.append(f"{wording.unmanaged}: {', '.join(data['unmanaged'])}")
    if data.get("left_alone"):
        lines.append(f"--prune leaves alone (not known to be this configuration's): {', '.join(data['left_alone'])}")
    if data.get("external"):
        lines.append(f"External (declared elsewhere; never touched): {', '.join(data['external'])}")
    if not data["changes"] and not data["drift"]:
        lines.append("No differences." if wording.read_only else "No changes. The live cluster matches the file.")
    elif not data["changes"]:
        lines.append("No changes to apply, but the live cluster has drift the file does not describe (above).")
    if data["key_sources"]:
        lines += ["Key sources:", *[f"  {line}" for line in key_source_lines(data["key_sources"])]]
    lines += [f"Warning: {w}" for w in data["warnings"]]
    lines += [_paint(f"Error: {line}", "31", colour) for d in data["diagnostics"] for line in error_lines(d)]
    lines.append(summary_line(data["summary"], wording))
    return REDACTOR.scrub("\n".join(lines))


def _change_lines(change: dict[str, Any], errors: list[dict[str, Any]], wording: Wording, colour: bool) -> list[str]:
    action = change["action"]
    lines = [f"  # {change['collection']} {headline(action, wording)}"]
    if change.get("protect") and action in ("replace", "delete"):
        lines.append("  # protect: true: apply will refuse this")
    if action in ("replace", "migrate") and change.get("forced_by"):
        lines.append(f"  # forced by: {', '.join(change['forced_by'])}")
    head = _paint(f"{_SYMBOLS[action]} collection \"{change['collection']}\"", _COLOURS[action], colour)
    lines.append(f"  {head} {{")
    lines += [f"      {line}" for line in change_body(change, wording=wording)]
    lines.append("    }")
    lines += [f"  {line}" for line in migration_lines(change)]
    if change.get("cost"):
        lines += [f"  {line}" for line in cost_lines(change["cost"])]
    lines += [f"  Warning: {w}" for w in change.get("warnings", [])]
    lines += [f"  Error: {line}" for d in errors for line in error_lines(d, named=False)]
    lines.append("")
    return lines


def error_lines(diag: dict[str, Any], *, named: bool = True) -> list[str]:
    """A plan or apply error: its message with its code (README, "Error codes"), then its hint."""
    where = f"{diag['collection']}: " if named and diag.get("collection") else ""
    lines = [f"{where}{diag['message']} [{diag['code']}]"]
    if diag.get("hint"):
        lines.append(f"  hint: {diag['hint']}")
    return lines


def migration_lines(change: dict[str, Any]) -> list[str]:
    mig = change.get("migration")
    if not mig:
        return []
    resuming = " - resuming an unfinished run" if mig.get("resume") else ""
    lines = [f"=> new generation {mig['to']} (from {mig['from']}){resuming}",
             f"   aliases {', '.join(mig['aliases'])} move to {mig['to']} once the copy is verified; "
             f"{mig['from']} is kept (`weavectl rollback`, `weavectl prune-generations`)",
             f"   vectors copied as they are: {', '.join(mig['copy_vectors']) or 'none'}",
             f"   vectors embedded again: {', '.join(mig['reembed_vectors']) or 'none'}"]
    if mig.get("cost"):
        lines += cost_lines(mig["cost"])
    return lines


def cost_lines(cost: dict[str, Any]) -> list[str]:
    lines = [f"   Cost estimate ({cost.get('label', 'estimate')}):"]
    for vector, est in (cost.get("vectors") or {}).items():
        price = est.get("estimated_price_usd")
        money = f"~${price:.4f}" if isinstance(price, int | float) else "price unknown (not in the price table)"
        when = f" (prices checked {est['price_source']['checked']})" if est.get("price_source") else ""
        took = f", ~{est['estimated_seconds']}s at the declared rate limit" if "estimated_seconds" in est else ""
        lines.append(f"     {vector} ({est.get('module')} {est.get('model') or ''}): {est['objects_to_embed']} "
                     f"objects, ~{est['estimated_tokens']} tokens ({est['token_basis']}, "
                     f"{est['sampled_objects']} sampled), {money}{when}{took}")
        if est.get("example_text") is not None:
            lines.append(f"       text embedded for one object: {shown(est['example_text'])}")
    return lines


def summary_line(counts: dict[str, int], wording: Wording = PLAN) -> str:
    prefix = "Differences" if wording.read_only else "Plan"
    return f"{prefix}: {counts_text(counts)}."
