"""`weavectl validate` rejects every config in tests/cases/invalid/ with the error, position and hint its header names.

Each case file starts with comment lines:

    # expect: LINE:COL SUBSTRING   one or more: an error reported at LINE:COL whose message contains SUBSTRING
    # hint: TEXT                   optional, after an expect line: the hint printed under that error contains TEXT
    # args: --env prod             optional: extra arguments for `weavectl validate`
    # errors: N                    optional: exactly N errors are reported (no cascade of follow-up errors)
    # why: ...                     invalid-pending/ only: what the validator gets wrong today

Cases in tests/cases/invalid-pending/ describe what *should* happen where the validator falls short today; they
run as non-strict xfails, so fixing the validator shows up as XPASS and the case can move to invalid/.
"""

from __future__ import annotations

import re
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from weavectl.cli import run_cli

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"
INVALID = sorted((CASES_DIR / "invalid").glob("*.yaml"))
PENDING = sorted((CASES_DIR / "invalid-pending").glob("*.yaml"))

_EXPECT = re.compile(r"^# expect: (?P<line>\d+):(?P<col>\d+) (?P<text>.+)$")
CRASH_MARKERS = ("Traceback", "This is a bug in weavectl")


@dataclass
class Expectation:
    line: int
    col: int
    text: str
    hint: str | None = None


@dataclass
class Case:
    path: Path
    expectations: list[Expectation] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    errors: int | None = None
    why: list[str] = field(default_factory=list)


def parse_case(path: Path) -> Case:
    """Read the leading comment lines of a case file (bytes: some cases are deliberately not UTF-8)."""
    case = Case(path)
    for raw in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        if not raw.startswith("#"):
            break
        if match := _EXPECT.match(raw):
            case.expectations.append(Expectation(int(match["line"]), int(match["col"]), match["text"].strip()))
        elif raw.startswith("# hint: "):
            assert case.expectations, f"{path.name}: '# hint:' must follow an '# expect:' line"
            case.expectations[-1].hint = raw.removeprefix("# hint: ").strip()
        elif raw.startswith("# args: "):
            case.args.extend(shlex.split(raw.removeprefix("# args: ")))
        elif raw.startswith("# errors: "):
            case.errors = int(raw.removeprefix("# errors: "))
        elif raw.startswith("# why: "):
            case.why.append(raw.removeprefix("# why: ").strip())
        else:
            raise AssertionError(f"{path.name}: unrecognised header line {raw!r}")
    assert case.expectations, f"{path.name}: no '# expect: LINE:COL SUBSTRING' line"
    return case


def validate(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = run_cli(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_no_crash(out: str, err: str) -> None:
    for marker in CRASH_MARKERS:
        assert marker not in out, out
        assert marker not in err, err


def refused(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """`weavectl validate ARGS` fails as expected failures do (exit 1, no traceback); its standard error."""
    code, out, err = validate(args, capsys)
    assert_no_crash(out, err)
    assert code == 1, f"exit code {code}, expected 1\n{err}"
    return err


def check_case(case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(["-f", str(case.path), *case.args], capsys)
    lines = err.splitlines()
    for exp in case.expectations:
        prefix = f"{case.path}:{exp.line}:{exp.col}: error: "
        hits = [i for i, line in enumerate(lines) if line.startswith(prefix) and exp.text in line[len(prefix):]]
        assert hits, f"no error at {exp.line}:{exp.col} containing {exp.text!r}; got:\n{err}"
        if exp.hint is not None:
            assert any(
                i + 1 < len(lines) and lines[i + 1].startswith("    ") and exp.hint in lines[i + 1] for i in hits
            ), f"no hint containing {exp.hint!r} under the error at {exp.line}:{exp.col}; got:\n{err}"
    if case.errors is not None:
        assert f"Invalid: {case.errors} error(s)" in err, f"expected exactly {case.errors} error(s); got:\n{err}"


# -- the corpus -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("paths", [INVALID, PENDING], ids=["invalid", "invalid-pending"])
def test_case_files_are_named_nnn_slug(paths: list[Path]) -> None:
    names = [p.name for p in paths]
    assert all(re.fullmatch(r"\d{3}-[a-z0-9]+(-[a-z0-9]+)*\.yaml", n) for n in names), names
    numbers = [n[:3] for n in names]
    assert len(set(numbers)) == len(numbers), "two cases share a number"


def test_corpus_is_large_enough() -> None:
    assert len(INVALID) >= 60


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_config(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_case(parse_case(path), capsys)


@pytest.mark.parametrize("path", PENDING, ids=lambda p: p.stem)
def test_pending_case_documents_why(path: Path) -> None:
    assert parse_case(path).why, f"{path.name}: a pending case needs '# why:' lines"


@pytest.mark.parametrize("path", PENDING, ids=lambda p: p.stem)
@pytest.mark.xfail(reason="validator shortcoming documented in the case's '# why:' lines", strict=False)
def test_pending_invalid_config(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_case(parse_case(path), capsys)


# -- inputs that are not plain YAML text ----------------------------------------------------------------------


def test_nul_bytes_are_reported_as_binary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"version: 1\ncollections:\n  - name: Article\x00\x01\x02\x03\n")
    err = refused(["-f", str(path)], capsys)
    assert f"{path}:3:1: error: the file contains binary data (a NUL byte)" in err


@pytest.mark.parametrize(
    ("data", "where", "byte"),
    [
        ("version: 1\ncollections:\n  - name: Article\n    description: café\n".encode("latin-1"), "4:21", "0xe9"),
        ("version: 1\ncollections: []\n".encode("utf-16"), "1:1", "0xff"),
        (b"version: 1\ncollections:\n  - name: \xc3\x28\n", "3:11", "0xc3"),
        # a binary file: its first byte is not UTF-8, before any NUL byte
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)), "1:1", "0x89"),
    ],
    ids=["latin-1", "utf-16", "broken-utf-8", "binary-png"],
)
def test_non_utf8_is_rejected_at_the_bad_byte(
    data: bytes, where: str, byte: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "encoded.yaml"
    path.write_bytes(data)
    err = refused(["-f", str(path)], capsys)
    assert f"{path}:{where}: error: the file is not UTF-8 text (byte {byte}" in err
    assert "config files must be UTF-8 encoded YAML" in err


@pytest.mark.parametrize("data", [b"", b"\n\n   \n", b"# nothing but a comment\n"], ids=["empty", "blank", "comment"])
def test_empty_file(data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.yaml"
    path.write_bytes(data)
    err = refused(["-f", str(path)], capsys)
    assert f"{path}:1:1: error: the file is empty" in err


def _billion_laughs(levels: int = 9) -> str:
    lines = ['version: 1', 'collections: []', 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_billion_laughs(9), encoding="utf-8")  # 9**10 "lol"s if it were expanded
    start = time.monotonic()
    err = refused(["-f", str(path)], capsys)
    elapsed = time.monotonic() - start
    assert elapsed < 5, f"took {elapsed:.1f}s"
    assert f"{path}:1:1: error: the document expands to too many nodes" in err
    assert "alias bomb" in err


def test_modest_aliases_are_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The bomb guard must not refuse ordinary anchors and aliases."""
    path = tmp_path / "aliases.yaml"
    path.write_text(
        "version: 1\ncollections:\n"
        "  - name: A\n    properties: &props\n      - name: title\n        data_type: text\n"
        "  - name: B\n    properties: *props\n",
        encoding="utf-8",
    )
    code, out, err = validate(["-f", str(path)], capsys)
    assert_no_crash(out, err)
    assert code == 0, err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "does-not-exist.yaml"
    err = refused(["-f", str(path)], capsys)
    assert f"error: config file not found: {path}" in err


def test_folder_without_yaml_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(["-f", str(tmp_path)], capsys)
    assert "error: no *.yaml files in" in err
