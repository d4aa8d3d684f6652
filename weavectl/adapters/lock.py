"""The apply lock: one object of kind `lock` in weavectl's state collection (adapters/state.py).

Taken before an apply's first write and released at its end (also on failure and interrupt); it expires, so a
holder that died (kill -9, lost machine) blocks others only until `expires_at`, or until `weavectl unlock`.
What it cannot stop: a writer that is not weavectl (a script, the console). Apply detects those by re-reading
before and after each write (weavectl/execute.py).
"""

from __future__ import annotations

import getpass
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from weavectl.adapters.state import StateStore
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.errors import WeavectlError

LOCK_KIND = "lock"
LOCK_KEY = "apply"
DEFAULT_TTL = timedelta(minutes=60)  # a live holder refreshes it (heartbeat); `weavectl unlock` for sooner
# The server's create-if-absent is check-then-write (adapters/state.py): wait this long, then read the lock
# back to see who won a same-instant race.
SETTLE_SECONDS = 0.3


class Locked(WeavectlError):
    pass


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def describe(holder: dict[str, Any]) -> str:
    return (f"{holder.get('holder', '?')} (host {holder.get('host', '?')}, pid {holder.get('pid', '?')}, "
            f"since {holder.get('started_at', '?')}, expires {holder.get('expires_at', '?')}, "
            f"command: {holder.get('command', '?')})")


def dead_here(holder: dict[str, Any]) -> bool:
    """The holder ran on this host and its process is gone (killed): the lock is stale."""
    if holder.get("host") != socket.gethostname() or not isinstance(holder.get("pid"), int):
        return False
    try:
        os.kill(int(holder["pid"]), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def expired(holder: dict[str, Any], now: datetime | None = None) -> bool:
    try:
        until = datetime.fromisoformat(str(holder.get("expires_at", "")).replace("Z", "+00:00"))
    except ValueError:
        return True
    return (now or _now()) >= until


@dataclass
class ApplyLock:
    client: WeaviateClient
    command: str = "weavectl apply"
    ttl: timedelta = DEFAULT_TTL
    token: str = ""
    took_over: str = ""  # the stale holder this apply replaced, if any
    _beating: threading.Event | None = field(default=None, repr=False)

    @property
    def store(self) -> StateStore:
        return StateStore(self.client)

    def _record(self) -> dict[str, Any]:
        start = _now()
        return {"token": self.token, "holder": f"{getpass.getuser()}@{socket.gethostname()}",
                "host": socket.gethostname(), "pid": os.getpid(), "command": self.command,
                "started_at": _iso(start), "expires_at": _iso(start + self.ttl)}

    def acquire(self, timeout: float = 0.0, poll: float = 1.0) -> None:
        """Take the lock, waiting up to `timeout` seconds for a live holder; Locked if it is still held."""
        self.token = uuid.uuid4().hex
        deadline = time.monotonic() + timeout
        store = self.store
        while True:
            record = self._record()
            if store.create(LOCK_KIND, LOCK_KEY, record):
                time.sleep(SETTLE_SECONDS)
                back = store.get(LOCK_KIND, LOCK_KEY)
                if back is not None and back.get("token") == self.token:
                    return
            holder = store.get(LOCK_KIND, LOCK_KEY)
            if holder is not None and (expired(holder) or dead_here(holder)):
                # A holder that expired, or died on this host (kill -9): clear exactly that record (same token),
                # then race for it again.
                self.took_over = describe(holder)
                again = store.get(LOCK_KIND, LOCK_KEY)
                if again is not None and again.get("token") == holder.get("token"):
                    store.delete(LOCK_KIND, LOCK_KEY)
                continue
            if holder is not None and time.monotonic() >= deadline:
                raise Locked(f"locked by {describe(holder)}; nothing was written",
                             hint="wait for that apply to finish, pass --lock-timeout SECONDS to wait, or, if it "
                                  "died, clear it with `weavectl unlock`")
            time.sleep(poll)

    def refresh(self) -> bool:
        """Push the expiry out by `ttl` if the lock is still ours; False if it is not (any more)."""
        store = self.store
        held = store.get(LOCK_KIND, LOCK_KEY)
        if not self.token or held is None or held.get("token") != self.token:
            return False
        store.put(LOCK_KIND, LOCK_KEY, {**held, "expires_at": _iso(_now() + self.ttl)})
        return True

    def start_heartbeat(self, every: float | None = None) -> None:
        """Refresh the lock in the background while it is held, so a long step (a migration copying millions of
        objects) never outlives it, while a holder that died still expires within `ttl`."""
        interval = every if every is not None else self.ttl.total_seconds() / 4
        stop = self._beating = threading.Event()

        def beat() -> None:
            while not stop.wait(interval):
                try:
                    if not self.refresh():
                        return
                except WeavectlError:
                    continue  # a failed refresh is retried at the next beat; the expiry is the safety net

        threading.Thread(target=beat, name="weavectl-lock-heartbeat", daemon=True).start()

    def release(self) -> None:
        """Remove the lock if it is still ours (never someone else's)."""
        if self._beating is not None:
            self._beating.set()
            self._beating = None
        if not self.token:
            return
        store = self.store
        held = store.get(LOCK_KIND, LOCK_KEY)
        if held is not None and held.get("token") == self.token:
            store.delete(LOCK_KIND, LOCK_KEY)
        self.token = ""


def current_holder(client: WeaviateClient) -> dict[str, Any] | None:
    return StateStore(client).get(LOCK_KIND, LOCK_KEY)


def clear(client: WeaviateClient) -> None:
    StateStore(client).delete(LOCK_KIND, LOCK_KEY)
