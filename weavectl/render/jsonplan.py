"""The versioned JSON plan: the contract other tools read (schema: schemas/plan.schema.json)."""

from __future__ import annotations

import json
from typing import Any

from weavectl.core.plan.model import Plan
from weavectl.core.redact import REDACTOR


def plan_json(plan: Plan) -> dict[str, Any]:
    return plan.to_json()


def render_json(plan: Plan) -> str:
    return REDACTOR.scrub(json.dumps(plan_json(plan), indent=2, sort_keys=False, default=str))
