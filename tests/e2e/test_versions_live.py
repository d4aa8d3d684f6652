"""Each supported server version, started by the devserver, is the version asked for and offers the modules
the config language can name (API-based ones are opt-in before 1.33)."""

from __future__ import annotations

import httpx
import pytest

from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server


def test_each_version_runs_with_the_api_modules_on(weaviate_versioned: WeaviateServer) -> None:
    meta = httpx.get(f"{weaviate_versioned.url}/v1/meta", timeout=10).json()
    modules = set(meta.get("modules") or {})
    assert {"text2vec-openai", "generative-openai", "reranker-cohere", "text2vec-transformers"} <= modules
