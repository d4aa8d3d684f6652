"""Every example applies to a real server and converges, not just validates offline.

Key sources are swapped for a dummy variable (no provider is called to create a collection) and collections
whose modules the test server does not run (local-inference containers) are left out with --target.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from weavectl.cli import run_cli
from weavectl.core.weaviate import catalog
from weavectl.core.weaviate.usage import used_modules
from weavectl.devserver import WeaviateServer

pytestmark = pytest.mark.server

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


def _runnable(doc: dict[str, Any], enabled: dict[str, Any]) -> list[str]:
    names = []
    for coll in doc.get("collections") or []:
        modules = used_modules(coll)
        if all(m in enabled or any(a in enabled for a in (catalog.lookup(m) or catalog.MODULES[m]).aliases)
               for m in modules if catalog.lookup(m)):
            names.append(str(coll["name"]))
    return names


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_applies_and_converges(path: Path, weaviate: WeaviateServer, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    doc = yaml.safe_load(path.read_text())
    monkeypatch.setenv("WEAVECTL_TEST_DUMMY_KEY", "dummy-key-for-schema-only")
    doc["api_keys"] = {name: {"env": "WEAVECTL_TEST_DUMMY_KEY"} for name in doc.get("api_keys") or {}}
    for env in (doc.get("environments") or {}).values():
        env.pop("auth", None)
        env["api_keys"] = {name: {"env": "WEAVECTL_TEST_DUMMY_KEY"} for name in env.get("api_keys") or {}}
    enabled = httpx.get(f"{weaviate.url}/v1/meta").json()["modules"]
    targets = _runnable(doc, enabled)
    if not targets:
        pytest.skip("every collection needs a module the test server does not run")
    cfg = tmp_path / path.name
    cfg.write_text(yaml.safe_dump(doc, sort_keys=False))
    flags = [a for t in targets for a in ("--target", t)]
    try:
        code = run_cli(["apply", "-f", str(cfg), "--url", weaviate.url, "--auto-approve", *flags])
        out = capsys.readouterr()
        assert code == 0, out.out + out.err
        assert "Verified: a fresh plan shows no changes." in out.out
    finally:
        for alias in httpx.get(f"{weaviate.url}/v1/aliases").json().get("aliases") or []:
            if alias["class"] in targets:
                httpx.delete(f"{weaviate.url}/v1/aliases/{alias['alias']}")
        for name in targets:
            httpx.delete(f"{weaviate.url}/v1/schema/{name}")
