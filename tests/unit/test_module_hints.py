"""What plan says when a module the file uses is missing from the server depends on the server's version."""

from __future__ import annotations

from weavectl.core.plan.planner import _enable_hint
from weavectl.core.weaviate import catalog


def test_a_module_newer_than_the_server_names_the_release_that_brought_it() -> None:
    spec = catalog.lookup("text2vec-morph")
    assert spec is not None and spec.min_version == "1.33.0"
    hint = _enable_hint("text2vec-morph", "1.32.5")
    assert "in Weaviate since 1.33.0" in hint and "1.32.5" in hint


def test_before_1_33_api_modules_must_be_listed() -> None:
    hint = _enable_hint("text2vec-openai", "1.32.5")
    assert "ENABLE_MODULES" in hint and "ENABLE_API_BASED_MODULES=true" in hint


def test_from_1_33_api_modules_are_on_unless_disabled() -> None:
    assert "API_BASED_MODULES_DISABLED" in _enable_hint("text2vec-openai", "1.39.3")


def test_property_settings_follow_from_the_module_kind() -> None:
    assert catalog.MODULES["text2vec-openai"].has_property_settings
    assert not catalog.MODULES["multi2vec-clip"].has_property_settings
    assert not catalog.MODULES["generative-openai"].has_property_settings
