"""Fuzz: no input, however malformed, makes `validate` raise or hang."""

from __future__ import annotations

from typing import Any

import httpx
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weavectl.adapters.schemas import load_schema
from weavectl.adapters.weaviate import (
    WeaviateClient,
    WeaviateRestError,
    parse_aliases,
    parse_meta,
    parse_schema,
    server_message,
)
from weavectl.core.config.config import check_url
from weavectl.core.config.diagnostics import Diagnostics
from weavectl.core.config.validate import make_validator, validate_documents
from weavectl.core.config.yamldoc import parse_yaml

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


# -- server answers and URLs: weavectl's parsers of what a server (or whatever answers at the URL) says ------------
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10),
              st.sampled_from(["class", "classes", "version", "modules", "aliases", "alias", "properties"])),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["class", "classes", "version", "modules", "aliases", "alias",
                                         "properties", "error", "message", "x"]), children, max_size=5)),
    max_leaves=30,
)


@settings(max_examples=400, deadline=1000)
@given(JSON_VALUES)
def test_server_answer_parsers_never_crash(body: Any) -> None:
    """Whatever JSON comes back, the parsers accept it or raise the one error the CLI reports cleanly."""
    for parse in (parse_meta, parse_schema, parse_aliases):
        try:
            parse(body)
        except WeaviateRestError as exc:
            assert exc.message


@settings(max_examples=200, deadline=1000)
@given(st.integers(100, 599), st.binary(max_size=200), st.sampled_from(["application/json", "text/html", ""]))
def test_error_bodies_are_summarised(status: int, body: bytes, content_type: str) -> None:
    resp = httpx.Response(status, content=body, headers={"content-type": content_type} if content_type else {})
    assert isinstance(server_message(resp), str)


@settings(max_examples=400, deadline=1000)
@given(st.one_of(st.text(max_size=40), st.builds(lambda s, h, p: f"{s}://{h}:{p}", st.sampled_from(
    ["http", "https", "ftp", ""]), st.text(max_size=12), st.text(max_size=6))))
def test_url_check_never_crashes_and_never_repeats_a_password(url: str) -> None:
    problem = check_url(url)
    if problem is None:  # accepted: the client must be constructible from it
        WeaviateClient(url)
    elif "@" in url and ":" in url.split("@", 1)[0].split("//", 1)[-1]:
        password = url.split("@", 1)[0].rsplit(":", 1)[1]
        assert len(password) < 3 or password not in problem
