"""The fault proxy in a process of its own (its own interpreter lock), for tests whose own threads keep busy.

`python -m tests.support.proxy_process UPSTREAM PATH=DELAY_S ...` prints the proxy's URL and serves until its
standard input closes.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.faultproxy import Fault, FaultProxy


@contextmanager
def slow_paths(upstream: str, delays: dict[str, float]) -> Iterator[str]:
    """A proxy to `upstream` that holds requests to each path back for its delay; yields the proxy's URL."""
    args = [f"{path}={delay}" for path, delay in delays.items()]
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.proxy_process", upstream, *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=30)


def main() -> None:
    proxy = FaultProxy(sys.argv[1])
    for arg in sys.argv[2:]:
        path, _, delay = arg.rpartition("=")
        proxy.faults[path] = Fault(delay_s=float(delay))
    proxy.start()
    print(proxy.url, flush=True)
    sys.stdin.read()
    proxy.stop()


if __name__ == "__main__":
    main()
