"""The versioned JSON plan: the contract other tools read (schema: schemas/plan.schema.json)."""

from __future__ import annotations

import json
from typing import Any

from weavectl.core.plan.model import Plan
from weavectl.core.plan.steps import compile_steps
from weavectl.core.redact import REDACTOR


def plan_json(plan: Plan, *, steps: bool = True) -> dict[str, Any]:
    """The plan, with the steps apply would run in order (each with its request and the change it comes from).

    Step bodies are REST collection definitions: key sources are sent as request headers, never in a body,
    and every string is scrubbed of registered secrets all the same.
    """
    out = plan.to_json()
    if steps:
        compiled = [step.to_json() for step in compile_steps(plan)]
        out["steps"] = json.loads(REDACTOR.scrub(json.dumps(compiled, default=str)))
    return out


def render_json(plan: Plan) -> str:
    return REDACTOR.scrub(json.dumps(plan_json(plan), indent=2, sort_keys=False, default=str))
