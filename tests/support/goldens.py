"""Golden plan cases: tests/cases/plan/<name>/ holds before.yaml (what is created on the server first),
config.yaml (the file planned), options.json (plan flags; `owners`: the ownership records prune reads),
live.json (the live definitions a real server
returned for before.yaml, recorded with WEAVECTL_UPDATE_GOLDENS=1) and the expected plan.txt, plan.md and
plan.json, rendered offline from config.yaml and live.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import yaml

from weavectl.adapters.environment import Environment
from weavectl.core.plan.ownership import restrict_prune
from weavectl.core.plan.planner import PlanInput, build_plan
from weavectl.core.weaviate.rest import to_rest
from weavectl.render.human import render_text
from weavectl.render.jsonplan import render_json
from weavectl.render.markdown import render_markdown
from weavectl.run import apply_external, key_sources_status, load_config, owner

CASES = Path(__file__).resolve().parent.parent / "cases" / "plan"
UPDATE = os.environ.get("WEAVECTL_UPDATE_GOLDENS") == "1"
SERVER_URL = "http://127.0.0.1:8080"  # the recorded server's URL varies per run; the goldens show this one
OUTPUTS = ("plan.txt", "plan.md", "plan.json")


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "config.yaml").exists())


def _names(case: Path) -> list[str]:
    names = []
    for file in ("before.yaml", "config.yaml"):
        if (case / file).exists():
            names += [str(c["name"]) for c in yaml.safe_load((case / file).read_text())["collections"]]
    return sorted(set(names))


def record_live(case: Path, url: str, headers: dict[str, str]) -> dict[str, Any]:
    """Create before.yaml's collections on a real server and return what the server holds for them."""
    names = _names(case)
    before = yaml.safe_load((case / "before.yaml").read_text())["collections"] if (case / "before.yaml").exists() \
        else []
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        for name in names:
            client.delete(f"/v1/schema/{name}")
        try:
            for coll in before:
                resp = client.post("/v1/schema", json=to_rest(coll))
                assert resp.status_code == 200, f"{case.name}: POST /v1/schema: {resp.status_code} {resp.text}"
            schema = client.get("/v1/schema").json()
            meta = client.get("/v1/meta").json()
        finally:
            for name in names:
                client.delete(f"/v1/schema/{name}")
    wanted = {n.lower() for n in names}
    classes = sorted((c for c in schema.get("classes") or [] if str(c["class"]).lower() in wanted),
                     key=lambda c: str(c["class"]))
    return {"version": meta["version"], "modules": sorted(meta.get("modules") or {}), "classes": classes}


def render_case(case: Path) -> dict[str, str]:
    live = json.loads((case / "live.json").read_text())
    options = json.loads((case / "options.json").read_text()) if (case / "options.json").exists() else {}
    loaded = load_config((str(case / "config.yaml"),), None, {})
    plan = build_plan(PlanInput(
        collections=loaded.data["collections"], live_classes=live["classes"], live_aliases=[],
        live_modules={m: {} for m in live["modules"]}, server_url=SERVER_URL, server_version=live["version"],
        prune=bool(options.get("prune")),
    ))
    plan.key_sources = key_sources_status(loaded, Environment())[1]
    apply_external(plan, loaded.data.get("external") or [], loaded.data["collections"], live["classes"])
    if options.get("prune"):  # the ownership records apply would have left in WeavectlState
        absent = {str(c["name"]).lower() for c in loaded.data["collections"] if c.get("state") == "absent"}
        restrict_prune(plan, owner(loaded), options.get("owners") or {}, absent)
    return {"plan.txt": render_text(plan) + "\n", "plan.md": render_markdown(plan) + "\n",
            "plan.json": render_json(plan) + "\n"}
