"""The shipped JSON Schemas: inside the wheel under weavectl/schemas, or the repository's schemas/ folder."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

CONFIG_SCHEMA = "weavectl.schema.json"


def schema_path(name: str) -> Path:
    packaged = Path(__file__).resolve().parent.parent / "schemas" / name
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "schemas" / name


@cache
def load_schema(name: str = CONFIG_SCHEMA) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_path(name).read_text())
    return data
