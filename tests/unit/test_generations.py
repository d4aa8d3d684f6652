"""Generations of `on_replace: migrate` collections, and the replace -> migrate step (pure)."""

from __future__ import annotations

from weavectl.core.plan.generations import current_generation, generation_number, kept_generations, next_generation
from weavectl.core.plan.migration import estimate, to_migrate
from weavectl.core.plan.model import Action, Change, FieldChange, FieldKind

COLL = {"name": "Article", "on_replace": "migrate", "aliases": ["Articles"]}


def test_generation_numbers_and_next_never_reuse_a_rolled_back_one() -> None:
    assert [generation_number("Article", n) for n in ("Article", "article_v2", "Article_v10", "Articles", "Article_v1")
            ] == [1, 2, 10, None, None]
    live = ["Article", "Article_v2", "Other"]
    assert next_generation("Article", live) == "Article_v3"
    assert next_generation("Article", live, resume="Article_v2") == "Article_v2"
    assert next_generation("Article", []) == "Article"


def test_the_file_name_means_the_generation_the_alias_points_at() -> None:
    live = ["Article", "Article_v2"]
    assert current_generation(COLL, live, [{"alias": "Articles", "class": "Article_v2"}]) == "Article_v2"
    assert current_generation(COLL, live, [{"alias": "Articles", "class": "Article"}]) == "Article"
    assert current_generation({**COLL, "on_replace": "replace"}, live,
                              [{"alias": "Articles", "class": "Article_v2"}]) == "Article"
    kept = kept_generations([COLL], live, [{"alias": "Articles", "class": "Article_v2"}])
    assert kept == {"Article": {"current": "Article_v2", "kept": ["Article"]}}


def test_replace_becomes_migrate_copying_unchanged_vectors_only() -> None:
    desired = {"class": "Article", "properties": [{"name": "next", "dataType": ["Article"]}],
               "vectorConfig": {"byo": {"vectorizer": {"none": {}}},
                                "emb": {"vectorizer": {"text2vec-ollama": {"model": "b"}}},
                                "same": {"vectorizer": {"text2vec-ollama": {"model": "a"}}}}}
    live = {"class": "Article", "vectorConfig": {k: {} for k in ("byo", "emb", "same")}}
    change = Change("Article", Action.REPLACE, desired=desired, fields=[
        FieldChange("vectorConfig.emb.vectorizer.text2vec-ollama.model", "a", "b", FieldKind.IMMUTABLE),
        FieldChange("aliases.Articles", None, "Article", FieldKind.ALIAS)])
    referencing = {"class": "Comment", "properties": [{"name": "on", "dataType": ["Article"]}]}
    to_migrate(change, COLL, live, [live, referencing])
    assert change.action is Action.MIGRATE and not change.action.destroys_data
    assert change.migration is not None
    assert change.migration["to"] == "Article_v2"
    assert change.migration["copy_vectors"] == ["byo", "same"] and change.migration["reembed_vectors"] == ["emb"]
    assert change.desired is not None and change.desired["class"] == change.migration["to"]
    assert change.desired["properties"][0]["dataType"] == [change.migration["to"]]  # self-reference follows
    assert [f.kind for f in change.fields] == [FieldKind.IMMUTABLE]  # the swap points the aliases
    assert any("Comment.on references Article" in w for w in change.warnings)


def test_replace_without_opt_in_stays_a_replace() -> None:
    change = Change("Article", Action.REPLACE, desired={"class": "Article"})
    to_migrate(change, {"name": "Article", "aliases": ["A"]}, {"class": "Article"}, [])
    assert change.action is Action.REPLACE and change.migration is None


def test_cost_estimate_from_sample_lengths_price_and_rate_limit() -> None:
    est = estimate(objects=1000, sample_lengths=[40, 80], unit="characters",
                   price={"usd_per_million_tokens": 0.02, "source": "u", "checked": "d"},
                   rate_limit={"tokens_per_minute": 1500, "requests_per_minute": 10})
    assert est["estimated_tokens"] == 15000 and est["estimated_price_usd"] == 0.0003
    assert est["estimated_seconds"] == 600.0  # tokens: 10 minutes; requests: 1 minute


def test_a_migrate_plan_matches_the_plan_schema() -> None:
    import json
    from pathlib import Path

    import jsonschema

    from weavectl.core.plan.model import Plan

    change = Change("Article", Action.REPLACE, desired={"class": "Article"}, fields=[
        FieldChange("vectorConfig.emb.vectorIndexType", "hnsw", "flat", FieldKind.IMMUTABLE)])
    to_migrate(change, COLL, {"class": "Article"}, [{"class": "Article"}])
    plan = Plan("http://x", "1.39.3", [change], generations={"Article": {"current": "Article", "kept": []}})
    data = plan.to_json()
    assert data["summary"]["migrate"] == 1 and data["changes"][0]["action"] == "migrate"
    schema = json.loads((Path(__file__).parents[2] / "schemas" / "plan.schema.json").read_text())
    jsonschema.validate(data, schema)
