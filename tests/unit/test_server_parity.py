"""validate is never stricter than the server: what every supported server accepts is at most a warning.
(The errors for what the server refuses or stores differently are cases in tests/cases/invalid/ 204-211; the
live tests in tests/e2e/test_versions_live.py show each server refusing or mis-storing those values.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from weavectl.cli import run_cli
from weavectl.core.weaviate.version import support_problem, unsupported_reason


def _validate(tmp_path: Path, capsys: pytest.CaptureFixture[str], vector: dict[str, Any],
              props: tuple[str, ...] = ("title",)) -> tuple[int, str]:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"version": 1, "collections": [{
        "name": "Doc", "properties": [{"name": p, "data_type": "text"} for p in props],
        "vectors": {"v": vector}}]}))
    code = run_cli(["validate", "-f", str(cfg)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("vector,warning", [
    ({"vectorizer": "text2vec-openai", "source_properties": ["title", "summary"]},
     "source property 'summary' is not declared"),
    ({"vectorizer": "text2vec-nvidia", "truncate": True}, "the server stores it as given but uses its default"),
    ({"vectorizer": "none", "index": {"quantizer": {"type": "rq", "bits": 4, "centering": True}}},
     "need Weaviate 1.39 or later"),
    ({"vectorizer": "none", "index": {"quantizer": {"type": "rq", "bits": 1}}}, "needs Weaviate 1.35 or later"),
    ({"vectorizer": "none", "index": {"type": "dynamic"}}, "weavectl cannot see that setting"),
    ({"vectorizer": "text2vec-openai", "base_url": "http://127.0.0.1:9", "model": "my-model", "dimensions": 7},
     None),
    ({"vectorizer": "text2vec-openai", "model": "text-embedding-3-large", "dimensions": 256}, None),
    ({"vectorizer": "none", "index": {"ef": 2**53}}, None),
], ids=["undeclared-source", "nvidia-truncate-bool", "rq4-centering", "rq1", "dynamic", "openai-other-endpoint",
        "openai-3-large-256", "ef-2^53"])
def test_accepted_by_the_server_so_valid(vector: dict[str, Any], warning: str | None, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, text = _validate(tmp_path, capsys, vector)
    assert code == 0, text
    if warning is not None:
        assert warning in text, text


def test_supported_version_range() -> None:
    assert support_problem("1.32.5") is None and support_problem("1.39.7") is None
    assert support_problem("1.35.2") is None
    severity, message = support_problem("1.31.9") or ("", "")
    assert severity == "error" and "1.31.9 is older than weavectl supports (1.32.5 to 1.39.x)" in message
    severity, message = support_problem("1.40.0") or ("", "")
    assert severity == "warning" and "newer" in message
    severity, message = support_problem("") or ("", "")
    assert severity == "warning" and "reported no Weaviate version" in message


def test_feature_gate_reasons_name_the_version() -> None:
    assert unsupported_reason((1, 39, 3), "drop_property_index") is None
    assert unsupported_reason((1, 35, 2), "drop_property_index") == (
        "dropping a property index needs Weaviate >= 1.36.0; this server is 1.35.2")
