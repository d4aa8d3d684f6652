"""The action is decided once, from every field the planner gathers (the differ's, replication's, the aliases'),
and the collection's on_replace: build_plan over live definitions a real 1.39.3 server returned (the goldens')."""

from __future__ import annotations

import json
from typing import Any

from tests.support.goldens import CASES
from weavectl.core.plan.model import Action, Change, FieldKind
from weavectl.core.plan.planner import PlanInput, build_plan
from weavectl.run import load_config


def plan_case(case: str, live_aliases: list[dict[str, str]], **overrides: Any) -> Change:
    live = json.loads((CASES / case / "live.json").read_text())
    coll = {**load_config((str(CASES / case / "config.yaml"),), None, {}).data["collections"][0], **overrides}
    plan = build_plan(PlanInput([coll], live["classes"] if overrides.get("name") is None else [], live_aliases,
                                {m: {} for m in live["modules"]}, "u", live["version"]))
    assert not plan.errors, plan.errors
    (change,) = plan.changes
    return change


def test_an_alias_alone_makes_an_unchanged_collection_an_update() -> None:
    change = plan_case("noop", [], aliases=["Articles"])
    assert change.action is Action.UPDATE and change.desired is None
    assert [(f.path, f.kind) for f in change.fields] == [("aliases.Articles", FieldKind.ALIAS)]


def test_an_immutable_change_with_an_alias_is_a_replace_that_keeps_the_alias_field() -> None:
    change = plan_case("replace", [], aliases=["Articles"], protect=True)
    assert change.action is Action.REPLACE and change.protect and change.desired is not None
    assert FieldKind.IMMUTABLE in {f.kind for f in change.fields}
    assert "aliases.Articles" in [f.path for f in change.fields]


def test_on_replace_migrate_decides_migrate_and_the_swap_points_the_aliases() -> None:
    change = plan_case("replace", [{"alias": "Articles", "class": "Article"}], aliases=["Articles"],
                       on_replace="migrate")
    assert change.action is Action.MIGRATE and change.migration is not None
    assert change.migration["to"] == "Article_v2" and change.migration["aliases"] == ["Articles"]
    assert change.desired is not None and change.desired["class"] == "Article_v2"
    assert FieldKind.ALIAS not in {f.kind for f in change.fields}


def test_on_replace_migrate_without_an_immutable_change_is_an_update() -> None:
    change = plan_case("noop", [], aliases=["Articles"], on_replace="migrate")
    assert change.action is Action.UPDATE and change.migration is None


def test_a_collection_not_live_is_a_create_with_its_alias_fields() -> None:
    change = plan_case("noop", [], aliases=["Fresh"], name="Fresh2", on_replace="migrate")
    assert change.action is Action.CREATE and change.desired is not None and change.migration is None
    assert [f.path for f in change.fields] == ["aliases.Fresh"]
