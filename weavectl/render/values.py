"""Shared pieces of the text and markdown views: whole values (Terraform-style objects), headlines, wording."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

INLINE_WIDTH = 72


@dataclass(frozen=True)
class Wording:
    """How a view speaks: `plan` says what apply will do; a read-only comparison (`diff`) says what it would."""

    lead: str | None = None  # e.g. "Applying dev's definitions to prod would:"
    read_only: bool = False
    unmanaged: str = "Unmanaged (live, not in the file; left alone)"
    title: str = "weavectl plan"
    # (collection, config path) -> a note, e.g. "intended: replication.factor (environments.prod override)"
    intended: dict[tuple[str, str], str] = field(default_factory=dict)


PLAN = Wording()

_HEADLINES = {
    "create": "will be created",
    "update": "will be updated in place",
    "replace": "must be replaced: dropped and created again, so its objects and vectors will be lost",
    "migrate": "will be migrated to a new generation: data copied, aliases swapped, nothing lost",
    "delete": "will be deleted, with all its data",
}
_READ_ONLY_HEADLINES = {
    "create": "would be created",
    "update": "would be updated in place",
    "replace": "would have to be replaced (an apply would drop and recreate it); nothing is changed by this "
               "comparison",
    "migrate": "would be migrated to a new generation (on_replace: migrate); nothing is changed by this comparison",
    "delete": "exists only on the target: an apply with --prune would delete it; nothing is changed by this "
              "comparison",
}


def headline(action: str, wording: Wording) -> str:
    return (_READ_ONLY_HEADLINES if wording.read_only else _HEADLINES)[action]


def counts_text(counts: dict[str, int]) -> str:
    migrate = f"{counts['migrate']} to migrate, " if counts.get("migrate") else ""
    return (f"{counts['create']} to create, {counts['update']} to update in place, "
            f"{counts['replace']} to replace, {migrate}{counts['delete']} to delete")


def scalar(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def inline(value: Any) -> str | None:
    """The one-line form of a value, or None when it is too long or nested to read on one line."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        if any(isinstance(v, dict | list) and v for v in value.values()):
            return None
        text = "{ " + ", ".join(f"{k} = {scalar(v)}" for k, v in value.items()) + " }"
    elif isinstance(value, list):
        if any(isinstance(v, dict | list) for v in value):
            return None
        text = "[" + ", ".join(scalar(v) for v in value) + "]"
    else:
        return scalar(value)
    return text if len(text) <= INLINE_WIDTH else None


def block(value: Any, indent: int = 0) -> list[str]:
    """The value whole: the first line follows `= `, later lines are indented by `indent` spaces."""
    one = inline(value)
    if one is not None:
        return [one]
    pad = " " * indent
    if isinstance(value, dict):
        lines = ["{"]
        width = max(len(str(k)) for k in value)
        for key, item in value.items():
            sub = block(item, indent + 4)
            lines.append(f"{pad}    {str(key).ljust(width)} = {sub[0]}")
            lines += sub[1:]
        return [*lines, f"{pad}}}"]
    assert isinstance(value, list)
    lines = ["["]
    for item in value:
        sub = block(item, indent + 4)
        sub[-1] += ","
        lines.append(f"{pad}    {sub[0]}")
        lines += sub[1:]
    return [*lines, f"{pad}]"]


def shown(value: Any) -> str:
    return "(unset)" if value is None else (inline(value) or "")


def vector_summary(name: str | None, vector: dict[str, Any]) -> str:
    """One line a reviewer checks on a create: module, model, dimensions, index type, distance, quantizer."""
    index = vector.get("index") or {}
    quantizer = index.get("quantizer")
    parts = [
        f"module {vector.get('vectorizer', 'none')}",
        f"model {vector['model']}" if "model" in vector else "model: the module's default",
        f"dimensions {vector['dimensions']}" if "dimensions" in vector else "dimensions: the model's default",
        f"index {index.get('type', 'hnsw (default)')}",
        f"distance {index.get('distance', 'cosine (default)')}",
        f"quantizer {quantizer.get('type')}" if isinstance(quantizer, dict) else "quantizer: none declared",
    ]
    return f"{'vector ' + name if name else 'vector'}: " + ", ".join(parts)


def vector_summaries(definition: dict[str, Any]) -> list[str]:
    out = []
    if isinstance(definition.get("vector"), dict):
        out.append(vector_summary(None, definition["vector"]))
    for name, vector in (definition.get("vectors") or {}).items():
        out.append(vector_summary(str(name), vector))
    return out


def key_source_lines(sources: list[dict[str, Any]]) -> list[str]:
    """One line per key source: resolved, or what is wrong and who will need it (never a value)."""
    lines = []
    for src in sources:
        users = ", ".join(src["collections"])
        if src["resolved"]:
            lines.append(f"{src['name']}: {src['source']} resolves (used by {users})")
        else:
            lines.append(f"{src['name']}: {src['problem']}. Plan and apply do not need it; {src['needed_by']} "
                         f"will ({users})")
    return lines
