"""The committed JSON Schema is the generated one, valid draft 2020-12, and printed by `weavectl schema`."""

from __future__ import annotations

import json

import jsonschema
import pytest

from weavectl.adapters.schemas import load_schema, schema_path
from weavectl.cli import run_cli
from weavectl.core.config.schema import build_schema
from weavectl.core.weaviate import catalog


def test_committed_schema_is_up_to_date() -> None:
    assert load_schema() == build_schema(), (
        "schemas/weavectl.schema.json is stale: python -m weavectl.core.config.schema > schemas/weavectl.schema.json"
    )


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(load_schema())
    assert load_schema()["$schema"].endswith("2020-12/schema")


def test_schema_command_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == load_schema()
    assert run_cli(["schema", "--path"]) == 0
    assert capsys.readouterr().out.strip() == str(schema_path("weavectl.schema.json"))


def test_every_module_of_the_provider_list_is_expressible() -> None:
    wanted = [
        "text2vec-nvidia", "text2vec-weaviate", "text2vec-openai", "text2vec-cohere", "text2vec-aws",
        "text2vec-google", "text2vec-huggingface", "text2vec-jinaai", "text2vec-mistral", "text2vec-voyageai",
        "text2vec-databricks", "text2vec-octoai", "text2vec-ollama", "text2vec-transformers", "text2vec-gpt4all",
        "multi2vec-clip", "multi2vec-bind", "multi2vec-nvidia", "multi2vec-google", "multi2vec-cohere",
        "multi2vec-voyageai", "multi2vec-jinaai",
        "generative-anthropic", "generative-anyscale", "generative-aws", "generative-cohere",
        "generative-databricks", "generative-friendliai", "generative-google", "generative-mistral",
        "generative-nvidia", "generative-openai", "generative-ollama",
        "reranker-cohere", "reranker-jinaai", "reranker-nvidia", "reranker-voyageai", "reranker-transformers",
    ]
    missing = [m for m in wanted if catalog.lookup(m) is None]
    assert not missing
    assert catalog.lookup("text2vec-octoai").deprecated  # type: ignore[union-attr]
    assert catalog.lookup("text2vec-palm").name == "text2vec-google"  # type: ignore[union-attr]
