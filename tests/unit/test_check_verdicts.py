"""A file's checks are skipped only when the same bytes passed the same checks before without a single diagnostic:
every warning and error is still found on every run, and environments and variables are checked every time."""

from __future__ import annotations

import marshal
from pathlib import Path
from typing import Any

import pytest
import yaml

from weavectl.adapters import parsecache, schemas
from weavectl.adapters.environment import Environment
from weavectl.adapters.parsecache import ParseCache
from weavectl.cli import run_cli
from weavectl.core.config import semantic
from weavectl.errors import ConfigError
from weavectl.run import load_config


def config_text(collections: int = 80, **extra: Any) -> str:
    cols = [{"name": f"Coll{i:03d}", "description": f"collection {i}",
             "properties": [{"name": f"p{j}", "data_type": "text", "description": f"field {j}"} for j in range(12)],
             "vectors": {"main": {"vectorizer": "text2vec-openai", "model": "text-embedding-3-small",
                                  "source_properties": ["p0"]}}}
            for i in range(collections)]
    return yaml.safe_dump({"version": 1, "collections": cols, **extra}, sort_keys=False)


class Checks:
    """Counts the semantic checks' runs (the schema check runs beside them, or not at all)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.runs = 0
        original = semantic.check

        def counted(*args: Any, **kwargs: Any) -> None:
            self.runs += 1
            original(*args, **kwargs)

        monkeypatch.setattr(semantic, "check", counted)


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> Checks:
    return Checks(monkeypatch)


def validate(config: Path, environ: dict[str, str], capsys: pytest.CaptureFixture[str],
             *args: str) -> tuple[int, str]:
    code = run_cli(["validate", "-f", str(config), *args], obj={"environment": Environment(environ=environ)})
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def setup(tmp_path: Path, text: str) -> tuple[Path, dict[str, str]]:
    config = tmp_path / "weavectl.yaml"
    config.write_text(text)
    return config, {"WEAVECTL_CACHE_DIR": str(tmp_path / "cache")}


def test_an_unchanged_clean_file_is_checked_once(tmp_path: Path, checks: Checks,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    config, environ = setup(tmp_path, config_text())
    first = validate(config, environ, capsys)
    assert first[0] == 0 and checks.runs == 1
    assert validate(config, environ, capsys) == first and checks.runs == 1  # the verdict: no second run
    load_config((str(config),), None, environ)  # plan's loading reads the same verdict
    assert checks.runs == 1
    config.write_text(config_text().replace("collection 7", "collection seven"))  # one changed value
    assert validate(config, environ, capsys)[0] == 0 and checks.runs == 2


def test_a_file_with_a_warning_is_checked_and_warned_about_every_time(tmp_path: Path, checks: Checks,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    config, environ = setup(tmp_path, config_text().replace("name: Coll003", "name: coll003"))
    outputs = [validate(config, environ, capsys) for _ in range(3)]
    assert checks.runs == 3 and outputs[0] == outputs[1] == outputs[2]
    assert "Weaviate stores collection 'coll003' as 'Coll003'" in outputs[2][1]
    assert not (tmp_path / "cache" / "checked").exists()


def test_other_checking_code_checks_again(tmp_path: Path, checks: Checks, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A new weavectl (any module of weavectl.core: the schema, the semantic checks, the catalogue) or another
    schema checker is a new verdict key."""
    config, environ = setup(tmp_path, config_text())
    validate(config, environ, capsys)
    monkeypatch.setattr(parsecache, "checks_identity", lambda: "another weavectl")
    validate(config, environ, capsys)
    assert checks.runs == 2


def test_the_identity_covers_every_core_module_and_the_schema(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    before = parsecache.checks_identity()
    parsecache.checks_identity.cache_clear()
    try:
        shipped = schemas.schema_path(schemas.CONFIG_SCHEMA)
        edited = tmp_path / "schema.json"
        edited.write_bytes(shipped.read_bytes() + b" ")
        monkeypatch.setattr(parsecache, "schema_path", lambda name: edited)
        assert parsecache.checks_identity() != before
        monkeypatch.undo()
        parsecache.checks_identity.cache_clear()
        assert parsecache.checks_identity() == before
        from weavectl.core.weaviate import catalog

        source = Path(catalog.__file__ or "")
        original = source.read_bytes()
        reads = Path.read_bytes

        def edited_catalog(path: Path) -> bytes:
            return original + b"\n# edited\n" if path == source else reads(path)

        monkeypatch.setattr(Path, "read_bytes", edited_catalog)
        parsecache.checks_identity.cache_clear()
        assert parsecache.checks_identity() != before
    finally:
        monkeypatch.undo()
        parsecache.checks_identity.cache_clear()


def test_environments_and_variables_are_checked_every_time(tmp_path: Path, checks: Checks,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """The verdict covers the file's own checks; an environment's overrides and a missing variable are found on
    every run, verdict or not."""
    text = config_text(environments={"prod": {"url": "${PROD_URL}", "collections": {
        "Coll001": {"description": "prod copy"}}}})
    config, environ = setup(tmp_path, text)
    assert validate(config, {**environ, "PROD_URL": "http://prod:8080"}, capsys)[0] == 0
    runs = checks.runs
    with pytest.raises(ConfigError, match="PROD_URL"):
        load_config((str(config),), "prod", environ)  # no PROD_URL: plan refuses, verdict or not
    assert load_config((str(config),), "prod", {**environ, "PROD_URL": "http://prod:8080"}).env_name == "prod"
    assert checks.runs > runs  # the environment's changed collection was checked (the file's own were not)


def test_an_environment_that_breaks_the_file_is_found_with_the_files_verdict_present(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`plan --env dev` checks dev alone, finds nothing and records the verdict; `validate` (every environment)
    still finds what prod's overrides break."""
    text = config_text(environments={"dev": {}, "prod": {"collections": {"Coll001": {"replication": {"factor": 0}}}}})
    config, environ = setup(tmp_path, text)
    load_config((str(config),), "dev", environ)
    assert len(list((tmp_path / "cache" / "checked").iterdir())) == 1
    code, out = validate(config, environ, capsys)
    assert code == 1 and "[environment prod]" in out and "factor" in out


def test_several_files_are_always_checked(tmp_path: Path, checks: Checks,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A verdict is for one file alone: a.yaml is clean only beside b.yaml, which declares the collection it
    refers to, so a clean run of both must not mark a.yaml."""
    folder = tmp_path / "conf"
    folder.mkdir()
    a = yaml.safe_load(config_text())
    a["collections"][0]["properties"].append({"name": "extra", "target_collection": "Extra"})
    (folder / "a.yaml").write_text(yaml.safe_dump(a, sort_keys=False))
    (folder / "b.yaml").write_text(yaml.safe_dump({"collections": [{"name": "Extra"}]}))
    environ = {"WEAVECTL_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):
        assert validate(folder, environ, capsys)[0] == 0
    assert checks.runs == 2
    code, out = validate(folder / "a.yaml", environ, capsys)
    assert code == 1 and "cross-reference to collection 'Extra'" in out


@pytest.mark.parametrize("damage", ["other", "shared-folder", "link"])
def test_a_verdict_that_is_not_ours_is_not_trusted(tmp_path: Path, checks: Checks, damage: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A planted verdict would silence the checks: only a marker holding its own full key, as a regular file in a
    folder no one else can write, counts."""
    config, environ = setup(tmp_path, config_text())
    validate(config, environ, capsys)
    (marker,) = (tmp_path / "cache" / "checked").iterdir()
    if damage == "other":
        marker.write_text("0" * 64)
    elif damage == "shared-folder":
        marker.parent.chmod(0o777)
    else:
        target = tmp_path / "elsewhere"
        target.write_bytes(marker.read_bytes())
        marker.unlink()
        marker.symlink_to(target)
    validate(config, environ, capsys)
    assert checks.runs == 2


def test_a_file_holding_a_key_gets_no_verdict(tmp_path: Path, checks: Checks,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    text = config_text(api_keys={"openai": {"env": "OPENAI_APIKEY"}}) + "# sk-proj-abcdefghijklmnop1234\n"
    config, environ = setup(tmp_path, text)
    for _ in range(2):
        validate(config, environ, capsys)
    assert checks.runs == 2 and not (tmp_path / "cache" / "checked").exists()


def test_no_cache_means_no_verdict(tmp_path: Path, checks: Checks, capsys: pytest.CaptureFixture[str]) -> None:
    config, environ = setup(tmp_path, config_text())
    environ["WEAVECTL_NO_CACHE"] = "1"
    for _ in range(2):
        validate(config, environ, capsys)
    assert checks.runs == 2 and not (tmp_path / "cache").exists()


def test_compiled_schema_code_in_a_folder_others_can_write_is_never_run(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled schema check is code run from the cache folder: in a folder others can write, a planted
    compile is not run (the check is compiled in memory instead)."""
    monkeypatch.setenv("WEAVECTL_CACHE_DIR", str(tmp_path))
    schemas.fast_config_check.cache_clear()
    try:
        assert schemas.fast_config_check() is not None  # writes the compiled check
        (compiled,) = (tmp_path / "schema-checks").glob("config_*.bin")
        compiled.write_bytes(marshal.dumps(compile("raise SystemExit('planted code ran')", "planted", "exec")))
        with pytest.raises(SystemExit, match="planted code ran"):  # ours alone: what is there is run
            schemas.fast_config_check.cache_clear()
            schemas.fast_config_check()
        compiled.parent.chmod(0o777)  # others could have written it: emptied and made private, then compiled anew
        schemas.fast_config_check.cache_clear()
        check = schemas.fast_config_check()
        assert check is not None and check({"version": 1, "collections": []})
        assert compiled.parent.stat().st_mode & 0o777 == 0o700
        assert b"planted" not in compiled.read_bytes()
    finally:
        schemas.fast_config_check.cache_clear()


def test_a_compiled_check_folder_made_under_umask_002_is_reused_once_made_private(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An earlier weavectl made the folder group-writable under a umask of 002: it is tightened once, and the
    compiled check is read from it afterwards instead of being compiled on every run."""
    monkeypatch.setenv("WEAVECTL_CACHE_DIR", str(tmp_path))
    folder = tmp_path / "schema-checks"
    folder.mkdir()
    folder.chmod(0o775)
    schemas.fast_config_check.cache_clear()
    try:
        schemas.fast_config_check()
        (compiled,) = folder.glob("config_*.bin")
        assert folder.stat().st_mode & 0o777 == 0o700
        written = compiled.stat().st_mtime_ns
        schemas.fast_config_check.cache_clear()
        schemas.fast_config_check()
        assert compiled.stat().st_mtime_ns == written  # read, not compiled and written again
    finally:
        schemas.fast_config_check.cache_clear()


def test_a_verdict_jsonschema_gave_is_not_kept(tmp_path: Path, checks: Checks, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """The compiled check's generator is in the key, jsonschema's version is not: a file the compiled check
    refused and jsonschema then let through is checked on every run."""
    from weavectl.core.config import validate as validate_module

    config, environ = setup(tmp_path, config_text())

    def refused_by_the_compiled_check(self: validate_module.SchemaValidator, instance: Any) -> Any:
        self.fell_back = True
        return self.full.iter_errors(instance)

    monkeypatch.setattr(validate_module.SchemaValidator, "iter_errors", refused_by_the_compiled_check)
    for _ in range(2):
        assert validate(config, environ, capsys)[0] == 0
    assert checks.runs == 2 and not (tmp_path / "cache" / "checked").exists()


def test_compiling_the_schema_check_leaves_the_shared_schema_as_shipped(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """fastjsonschema rewrites $refs in the schema it compiles: the schema jsonschema reads, and whose digest
    names the compiled file, must stay as shipped."""
    import copy

    monkeypatch.setenv("WEAVECTL_CACHE_DIR", str(tmp_path))
    schemas.fast_config_check.cache_clear()
    shipped = copy.deepcopy(schemas.load_schema())
    try:
        schemas.fast_config_check()
        assert schemas.load_schema() == shipped
    finally:
        schemas.fast_config_check.cache_clear()


def test_a_verdict_follows_the_bytes_last_parsed_under_a_name(tmp_path: Path) -> None:
    """One cache reading two versions of a file under one name: the second (small, so not kept) has no verdict
    of the first."""
    from weavectl.core.config.diagnostics import Diagnostics

    cache = ParseCache(tmp_path / "parsed")
    cache.parse(config_text().encode(), "a.yaml", Diagnostics())
    cache.mark_checked("a.yaml")
    assert cache.checked("a.yaml")
    cache.parse(b"version: 1\ncollections: [{name: x}]\n", "a.yaml", Diagnostics())
    assert not cache.checked("a.yaml")
