"""core.embed_text: the text rules per Weaviate version (the live tests check them against real servers)."""

from __future__ import annotations

from typing import Any

import pytest

from weavectl.core.weaviate.embed_text import (
    embedded_texts,
    explain_all,
    go_float,
    go_json,
    name_as_words,
    with_module_defaults,
)
from weavectl.core.weaviate.rest import to_rest


@pytest.mark.parametrize(("name", "words"), [
    ("HoldTr_smoke_39dce04e12", "Hold Tr _ smoke _ 39 dce 04 e 12"),  # what the transformers provider received
    ("PDFLoader", "PDF Loader"), ("firstName", "first Name"), ("Article", "Article"), ("ABC", "ABC"),
    ("myHTTPServer2", "my HTTP Server 2"), ("_", "_"),
])
def test_names_split_like_fatih_camelcase(name: str, words: str) -> None:
    assert name_as_words(name) == words
    assert name_as_words(name, lower=True) == words.lower()


@pytest.mark.parametrize(("value", "text"), [
    (3.0, "3"), (0.5, "0.5"), (123456.0, "123456"), (1234567.0, "1.234567e+06"), (0.0001, "0.0001"),
    (1e-05, "1e-05"), (-2.5, "-2.5"), (1e21, "1e+21"), (0.0, "0"),
])
def test_floats_format_like_go_percent_v(value: float, text: str) -> None:
    assert go_float(value) == text


def test_objects_marshal_like_go_encoding_json() -> None:
    assert go_json({"b": 1.0, "a": "<x> & y"}) == '{"a":"\\u003cx\\u003e \\u0026 y","b":1}'
    assert go_json([1e21, 1e-7, 1234567.0, True, None]) == "[1e+21,1e-7,1234567,true,null]"


def _coll(**vector: Any) -> dict[str, Any]:
    return with_module_defaults(to_rest({
        "name": "MyDocs",
        "properties": [{"name": "title", "data_type": "text", "vectorize_property_name": True},
                       {"name": "body", "data_type": "text"},
                       {"name": "firstName", "data_type": "text", "vectorize_property_name": True},
                       {"name": "tags", "data_type": "text[]"},
                       {"name": "secret", "data_type": "text", "skip_vectorization": True},
                       {"name": "count", "data_type": "int"}],
        "vectors": {"main": {"vectorizer": "text2vec-openai", **vector},
                    "nv": {"vectorizer": "text2vec-nvidia"}},
    }))


OBJ = {"title": "Hello", "body": "World", "firstName": "Ann", "tags": ["A", "b"], "secret": "x", "count": 3}


def test_property_order_names_prefix_and_skips_on_1_39() -> None:
    texts = embedded_texts(_coll(), OBJ, "1.39.3")
    # alphabetical (byte order: upper-case sorts first), collection name for openai (its default), not nvidia
    assert texts == {"main": "My Docs World first Name Ann A b title Hello",
                     "nv": "World first Name Ann A b title Hello"}


def test_1_32_lowercases_lists_and_names_only_one_word_properties() -> None:
    texts = embedded_texts(_coll(), OBJ, "1.32.5")
    assert texts["main"] == "My Docs World Ann a b title Hello"


def test_nothing_to_embed_falls_back_to_the_collection_name() -> None:
    assert embedded_texts(_coll(), {"secret": "x"}, "1.39.3") == {"main": "My Docs", "nv": "My Docs"}


def test_source_properties_pull_in_other_types_from_1_33_only() -> None:
    coll = _coll(source_properties=["body", "count"])
    assert embedded_texts(coll, OBJ, "1.39.3")["main"] == "My Docs World 3"
    assert embedded_texts(coll, OBJ, "1.32.5")["main"] == "My Docs World"
    assert embedded_texts(_coll(source_properties=["count"], vectorize_collection_name=False),
                          {"body": "x"}, "1.39.3")["main"] is None  # no vector at all


def test_explain_names_why_a_property_was_left_out() -> None:
    main = next(v for v in explain_all(_coll(), {**OBJ, "other": "y"}, "1.39.3") if v.vector == "main")
    reasons = {p.property: p.reason for p in main.pieces if not p.included}
    assert reasons == {"secret": "skip_vectorization", "other": "not a property of the collection",
                       "count": "int is not embedded (only text, or any type when source properties are set "
                                "from 1.33)"}
    assert main.class_name_prefix == "My Docs" and main.model is None
