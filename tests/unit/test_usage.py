"""Which modules a collection uses, in the file's shape and the server's: the one walk every reader shares."""

from __future__ import annotations

from weavectl.core.weaviate.rest import to_rest
from weavectl.core.weaviate.usage import (
    config_vectorizers,
    property_setting_modules,
    rest_vectorizers,
    used_modules,
)

COLL = {
    "name": "Doc",
    "vectors": {"text": {"vectorizer": "text2vec-openai"}, "img": {"vectorizer": "multi2vec-clip"},
                "byo": {"vectorizer": "none"}},
    "generative": {"module": "generative-openai"},
    "reranker": {"module": "reranker-cohere"},
}


def test_file_shape() -> None:
    assert config_vectorizers(COLL) == ["text2vec-openai", "multi2vec-clip", "none"]
    assert used_modules(COLL) == ["text2vec-openai", "multi2vec-clip", "generative-openai", "reranker-cohere"]
    # A legacy alias is named by its catalogue name, once.
    legacy = {"name": "L", "vector": {"vectorizer": "text2vec-palm"},
              "vectors": {"a": {"vectorizer": "text2vec-google"}}}
    assert used_modules(legacy) == ["text2vec-google"]


def test_server_shape_agrees_with_the_file_shape() -> None:
    rest = to_rest(COLL)
    assert rest_vectorizers(rest) == ["text2vec-openai", "multi2vec-clip"]
    assert rest_vectorizers({"class": "Old", "vectorizer": "text2vec-cohere"}) == ["text2vec-cohere"]
    assert rest_vectorizers({"class": "None", "vectorizer": "none"}) == []


def test_only_text_modules_take_per_property_settings() -> None:
    assert property_setting_modules(["text2vec-openai", "multi2vec-clip", "none", "text2vec-openai",
                                     "text2vec-cohere"]) == ["text2vec-openai", "text2vec-cohere"]
