"""Plain data: what YAML and JSON parse to (dicts, lists and immutable scalars), copied without copy.deepcopy.

The config parser expands every alias into objects of their own and the server's JSON has no shared parts, so
a copy need not look for shared or recursive objects, and is several times faster than copy.deepcopy on
plan-sized input. Parsed config data is never modified in place (environments share what they do not
override): copy before changing it.
"""

from __future__ import annotations

from typing import Any


def plain_copy(value: Any) -> Any:
    """A deep copy of plain data."""
    if isinstance(value, dict):
        return {k: plain_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_copy(v) for v in value]
    return value


def plain_copy_map(value: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a mapping of plain data."""
    return {k: plain_copy(v) for k, v in value.items()}
