"""Fuzz: no input, however malformed, makes `validate` raise or hang."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weavectl.adapters.schemas import load_schema
from weavectl.core.diagnostics import Diagnostics
from weavectl.core.validate import make_validator, validate_documents
from weavectl.core.yamldoc import parse_yaml

VALIDATOR = make_validator(load_schema())

KEYS = st.sampled_from([
    "version", "collections", "name", "properties", "data_type", "vectors", "vector", "vectorizer", "model",
    "base_url", "source_properties", "index", "type", "quantizer", "environments", "api_keys", "env", "file",
    "command", "literal", "target_collection", "nested_properties", "skip_vectorization", "generative",
    "reranker", "module", "multi_tenancy", "enabled", "smoke", "queries", "near_text", "hybrid", "alpha",
    "text2vec-openai", "text2vec-nvidia", "none", "main", "Article", "dev", "prod", "default_environment",
    "replication", "factor", "tokenization", "aliases", "state", "protect", "module_config",
])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), KEYS,
                    st.text(max_size=8))
TREES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=5)),
    max_leaves=40,
)


def _validate_text(text: str | bytes) -> None:
    diags = Diagnostics()
    doc = parse_yaml(text, "fuzz.yaml", diags)
    if doc is not None:
        validate_documents([doc], VALIDATOR, env_name=None, environ={}, diags=diags)
    for d in diags.items:
        d.render()


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes(text: str) -> None:
    _validate_text(text)


@settings(max_examples=150, deadline=2000)
@given(st.binary(max_size=120))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    _validate_text(data)


@settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_arbitrary_documents_never_crash(tree: Any) -> None:
    _validate_text(yaml.safe_dump(tree))


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, TREES, max_size=6), TREES)
def test_shaped_documents_never_crash(collection: dict[str, Any], environments: Any) -> None:
    """Near-valid documents reach the semantic checks and environment overlays, where crashes would hide."""
    doc = {"version": 1, "collections": [{"name": "Article", **collection}], "environments": environments,
           "default_environment": "dev"}
    _validate_text(yaml.safe_dump(doc))
