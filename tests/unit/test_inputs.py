"""Inputs weavectl reads itself: files (never trusting stat), key-source commands, the redactor's encodings, YAML
merge keys. Each test drives the real thing (devices, FIFOs, /proc, subprocesses), not a stand-in."""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from weavectl.adapters import secrets
from weavectl.adapters.files import InputFileError, read_regular_file
from weavectl.core.config.diagnostics import Diagnostics
from weavectl.core.config.yamldoc import parse_yaml
from weavectl.core.redact import MASK, Redactor, looks_like_secret, mask_command
from weavectl.errors import KeySourceError


@pytest.mark.parametrize(("path", "reason"), [
    ("/dev/zero", "is a character device, not a regular file"),
    ("/dev/null", "is a character device, not a regular file"),
    ("/", "is a directory"),
    ("/no/such/file", "does not exist"),
])
def test_only_regular_files_are_read(path: str, reason: str) -> None:
    with pytest.raises(InputFileError) as info:
        read_regular_file(Path(path), 1024)
    assert info.value.reason == reason


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(InputFileError, match="named pipe"):
        read_regular_file(fifo, 1024)
    assert time.monotonic() - started < 1


def test_proc_files_are_read_although_stat_says_zero_bytes() -> None:
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0
    assert b"Name:" in read_regular_file(status, 1 << 20)
    with pytest.raises(InputFileError, match="larger than 16 bytes"):
        read_regular_file(status, 16)  # the cap counts bytes read, not what stat claims


def test_proc_kmsg_does_not_hang() -> None:
    kmsg = Path("/proc/kmsg")
    if not kmsg.exists():
        pytest.skip("no /proc/kmsg here")
    started = time.monotonic()
    try:
        read_regular_file(kmsg, 1024)
    except InputFileError as exc:
        # Empty log: "would block"; unreadable: "cannot be opened"; a machine whose log holds more than the
        # cap: read up to the cap and refused. Each is a clear refusal at once, never a hang.
        assert any(why in exc.reason for why in ("would block", "cannot be opened", "larger than 1 KiB")), exc.reason
    assert time.monotonic() - started < 2


def test_a_sparse_file_over_the_cap_is_refused_after_reading_only_the_cap(tmp_path: Path) -> None:
    big = tmp_path / "big"
    with open(big, "wb") as handle:
        handle.truncate(10 << 30)  # 10 GiB of nothing, on no disk
    with pytest.raises(InputFileError, match="larger than 1 MiB"):
        read_regular_file(big, 1 << 20)


# -- key-source commands ---------------------------------------------------------------------------------------
def test_a_command_is_read_until_it_exits_not_until_its_children_close_stdout() -> None:
    started = time.monotonic()
    value = secrets.resolve({"command": ["sh", "-c", "echo key-abc-123456; sleep 30 &"]})
    assert value == "key-abc-123456"
    assert time.monotonic() - started < 3


def test_a_command_over_its_time_limit_is_stopped_with_what_it_started(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    started = time.monotonic()
    with pytest.raises(KeySourceError, match=r"did not finish within 1s \(stopped"):
        secrets.resolve({"command": ["sh", "-c", f"sleep 60 & echo $! > {marker}; wait"]}, timeout=1)
    assert time.monotonic() - started < 3
    child = int(marker.read_text())
    time.sleep(0.2)
    stat = Path(f"/proc/{child}/stat")  # the sleep the command started went with it (gone, or a zombie)
    assert not stat.exists() or stat.read_text().split(") ", 1)[1].startswith("Z")


def test_a_failing_command_shows_its_stderr_scrubbed_and_its_arguments_masked() -> None:
    token = "tok-9f8e7d6c5b4a"
    with pytest.raises(KeySourceError) as info:
        secrets.resolve({"command": ["sh", "-c", 'echo "denied for $0" >&2; exit 4', f"--token={token}"]})
    message = info.value.message
    assert message.startswith("command `sh <3 arguments hidden>` failed with exit code 4")
    assert "denied for ***" in message and token not in message


def test_a_command_that_prints_its_key_then_fails_never_shows_it() -> None:
    key = "sk-proj-Ab12Cd34Ef56Gh78"
    with pytest.raises(KeySourceError) as info:
        secrets.resolve({"command": ["sh", "-c", f"echo {key}; echo {key} >&2; exit 1"]})
    assert key not in info.value.message and MASK in info.value.message


def test_values_are_stripped_with_a_warning_except_a_files_final_newline(tmp_path: Path) -> None:
    warnings: list[str] = []
    assert secrets.resolve({"env": "K"}, environ={"K": " sk-key-0001\n"}, warn=warnings.append) == "sk-key-0001"
    (tmp_path / "k").write_text("sk-key-0002\n")
    assert secrets.resolve({"file": str(tmp_path / "k")}, warn=warnings.append) == "sk-key-0002"
    (tmp_path / "k2").write_text("sk-key-0003\n\n")
    assert secrets.resolve({"file": str(tmp_path / "k2")}, warn=warnings.append) == "sk-key-0003"
    assert warnings == ["environment variable K: surrounding whitespace (such as a trailing newline) was stripped "
                        "from the key", f"file {tmp_path / 'k2'}: surrounding whitespace (such as a trailing "
                        "newline) was stripped from the key"]


# -- the redactor -------------------------------------------------------------------------------------------
SECRET = 'sk-Live"Key/With+Odd=Chars\\0042'


@pytest.mark.parametrize("encode", [
    lambda s: base64.b64encode(s.encode()).decode(),
    lambda s: base64.b64encode(s.encode()).decode().rstrip("="),
    lambda s: base64.urlsafe_b64encode(s.encode()).decode(),
    lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
    lambda s: base64.b64encode(f"user:{s}".encode()).decode(),  # HTTP Basic auth: the key at an offset
    lambda s: base64.b64encode(f"x{s}y".encode()).decode(),
    lambda s: base64.urlsafe_b64encode(f"ab{s}".encode()).decode(),
    lambda s: quote(s, safe=""),
    lambda s: json.dumps(s)[1:-1],
    lambda s: repr(s)[1:-1],
    lambda s: json.dumps({"message": f"bad key {s}"}),
], ids=["b64", "b64-nopad", "urlsafe", "urlsafe-nopad", "basic-auth", "b64-offset1", "urlsafe-offset2", "percent",
        "json", "repr", "json-document"])
def test_every_encoding_of_a_secret_is_masked(encode: object) -> None:
    redactor = Redactor()
    redactor.register(SECRET)
    assert callable(encode)
    text = f"provider said: {encode(SECRET)} (end)"
    scrubbed = redactor.scrub(text)
    assert MASK in scrubbed and scrubbed.endswith("(end)")
    for fragment in (SECRET, base64.b64encode(SECRET.encode()).decode()[4:20]):
        assert fragment not in scrubbed


def test_ordinary_names_are_not_taken_for_keys() -> None:
    for name in ("text-embedding-3-small", "nvidia/nv-embedqa-e5-v5", "OPENAI_APIKEY", "Snowflake/arctic-embed-l",
                 "text2vec-openai", "Article_v2", "~/.secrets/openai", "rerank-v3.5", "12345"):
        assert not looks_like_secret(name), name
    for key in ("sk-proj-abc123def456", "nvapi-XYZ", "hf_abcdefghijk", "aZ3kQ9mN2pL8xW4vR7tY1uB6",
                918273645501):
        assert looks_like_secret(key), key


def test_command_lines_are_shown_without_their_arguments() -> None:
    assert mask_command(["vault", "kv", "get", "-field=key", "secret/x"]) == "vault <4 arguments hidden>"
    assert mask_command(["pass"]) == "pass"


# -- YAML merge keys (yaml.org/type/merge.html) ----------------------------------------------------------------
def test_merge_keys_follow_the_yaml_spec() -> None:
    text = """
a: &a { x: 1, y: 1 }
b: &b { y: 2, z: 2 }
explicit: { <<: *a, x: 9 }
ordered: { <<: [*a, *b] }
nested: { <<: { <<: *b, z: 3 }, w: 4 }
"""
    diags = Diagnostics()
    doc = parse_yaml(text, "m.yaml", diags)
    assert not diags.items and doc is not None
    assert doc.data["explicit"] == {"x": 9, "y": 1}
    assert doc.data["ordered"] == {"x": 1, "y": 1, "z": 2}  # the first mapping listed wins
    assert doc.data["nested"] == {"y": 2, "z": 3, "w": 4}
