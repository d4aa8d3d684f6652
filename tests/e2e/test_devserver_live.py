"""`devserver run` stops cleanly on SIGTERM, SIGHUP and Ctrl-C (also started in the background with SIGINT
ignored, as `devserver run &` in a script is), leaving no weaviate-server process or data directory behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.server  # runs `devserver run`: a real weaviate-server


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ", 1)[1].startswith("Z"))


@pytest.mark.server
@pytest.mark.parametrize("signum,background", [(signal.SIGTERM, False), (signal.SIGHUP, False),
                                                (signal.SIGINT, True)], ids=["sigterm", "sighup", "ctrl-c-bg"])
def test_devserver_run_stops_cleanly(signum: int, background: bool, tmp_path: Path) -> None:
    env_file = tmp_path / "weaviate.env"

    def ignore_sigint() -> None:  # what a non-interactive shell does to `cmd &`
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    proc = subprocess.Popen([sys.executable, "-m", "weavectl.devserver", "run", "--env-file", str(env_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ignore_sigint if background else None)
    try:
        deadline = time.monotonic() + 120
        while not env_file.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert env_file.exists(), proc.communicate(timeout=5)
        exports = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        assert set(exports) == {"WEAVIATE_URL", "WEAVIATE_GRPC_ADDRESS"}
        assert httpx.get(f"{exports['WEAVIATE_URL']}/v1/.well-known/ready", timeout=5).status_code == 200
        (server_pid,) = _children(proc.pid)
        data_dir = next(v.split("=", 1)[1] for v in Path(f"/proc/{server_pid}/environ").read_bytes().decode()
                        .split("\0") if v.startswith("PERSISTENCE_DATA_PATH="))
        assert Path(data_dir).is_dir()
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert f"export WEAVIATE_URL={exports['WEAVIATE_URL']}" in out
    assert f"export WEAVIATE_GRPC_ADDRESS={exports['WEAVIATE_GRPC_ADDRESS']}" in out
    assert proc.returncode == 128 + signum, err
    assert "stopped the node and removed its data directory" in err
    assert not _alive(server_pid), "weaviate-server is still running"
    assert not Path(data_dir).exists(), "the data directory was left behind"
    assert not env_file.exists()
