"""Plan and apply errors are typed: a stable code, the collection, the config path, the message and a hint;
the text, markdown and JSON views show the code, and the README documents every code."""

from __future__ import annotations

import json
from pathlib import Path

from weavectl.core.plan.model import ErrorCode
from weavectl.core.plan.planner import PlanInput, build_plan
from weavectl.render.human import render_text
from weavectl.render.jsonplan import render_json
from weavectl.render.markdown import render_markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_plan_errors_carry_a_code_in_every_view() -> None:
    coll = {"name": "Doc", "properties": [{"name": "t", "data_type": "text"}],
            "vectors": {"v": {"vectorizer": "none"}, "w": {"vectorizer": "text2vec-openai"}}}
    live = [{"class": "Doc", "properties": [{"name": "t", "dataType": ["text"]}],
             "vectorConfig": {"v": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}}}]
    plan = build_plan(PlanInput([coll], live, [], {}, "http://w", "1.30.2"))
    data = json.loads(render_json(plan))
    codes = [(d["code"], d["scope"], d["collection"]) for d in data["diagnostics"]]
    assert codes == [("module-not-enabled", "plan", "Doc"), ("needs-version", "change", "Doc")]
    # The string forms stay as they always read.
    assert data["errors"][1] == "Doc: adding a named vector needs Weaviate >= 1.31.0; the server is 1.30.2"
    assert data["changes"][0]["errors"] == ["adding a named vector needs Weaviate >= 1.31.0; the server is 1.30.2"]
    text = render_text(plan)
    assert "  Error: adding a named vector needs Weaviate >= 1.31.0; the server is 1.30.2 [needs-version]" in text
    assert "\nError: Doc: adding a named vector needs Weaviate >= 1.31.0; the server is 1.30.2 [needs-version]" \
        in text
    assert "\nError: Doc: module text2vec-openai is not enabled on the server" in text
    markdown = render_markdown(plan)
    assert "> ❌ `needs-version` adding a named vector" in markdown
    assert "> ❌ `module-not-enabled` `Doc`: module text2vec-openai" in markdown


def test_a_setting_at_fault_is_named_by_its_config_path() -> None:
    coll = {"name": "Doc", "vectors": {"v": {"vectorizer": "none"}},
            "generative": {"module": "generative-openai", "temperature": 0.3}}
    plan = build_plan(PlanInput([coll], [], [], {"generative-openai": {}}, "u", "1.39.3"))
    (error,) = plan.all_errors()
    assert (error.code, error.collection, error.path) == (ErrorCode.FRACTIONAL_SETTING, "Doc",
                                                          "generative.temperature")


def test_every_error_code_is_documented_in_the_readme() -> None:
    section = README.read_text().split("### Error codes", 1)[1].split("\n## ", 1)[0]
    missing = [code.value for code in ErrorCode if f"`{code.value}`" not in section]
    assert not missing, f"document these codes in README.md, section Error codes: {missing}"
