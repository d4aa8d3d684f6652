"""The migration engine: new generation, copy, delta, verify, alias swap; resumable from checkpoints in the cluster.

REST, not the official client: listing with the `after` cursor and `POST /v1/batch/objects` are plain HTTP
through the same adapter as everything else (retries, redaction, injected transports), need no gRPC port, and
keep weavectl's start-up free of the client's import; reads and writes overlap (a reader and `workers` writers),
which is what the throughput comes from (benchmarks/bench_migrate.py compares it with the client's batch import).

Correctness rests on object ids: every write is an upsert by id, so copying a page twice is harmless, and a
checkpoint (the last id of the last page whose write and every earlier write completed) is written after each
page. A run killed at any point resumes from the last checkpoint and ends with the same objects.
"""

from __future__ import annotations

import json
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TextIO
from urllib.parse import quote

from weavectl.adapters.state import StateStore
from weavectl.adapters.weaviate import WeaviateClient, WeaviateRestError
from weavectl.core.plan.migration import LEGACY_VECTOR
from weavectl.core.plan.planner import fingerprint
from weavectl.core.plan.steps import Step
from weavectl.errors import WeavectlError

KIND = "migration"
# Pass bounds come from the server's clock (the answer to a checkpoint write); objects written up to this long
# before a bound are looked at again, for the clocks of a cluster's other nodes.
SKEW_MARGIN_MS = 2_000
LOCAL_CLOCK_MARGIN_MS = 60_000  # the same, when only this machine's clock is known (a record from an older run)
MAX_DELTA_PASSES = 5
ONE_BY_ONE_LIMIT = 100  # a delta of more objects is read by listing the old generation again
SWAP_GRACE_S = 1.0  # a write that resolved the alias just before the swap has landed by then
ACTIVE = ("HOT", "ACTIVE")


class MigrationError(WeavectlError):
    pass


@dataclass
class Options:
    batch_size: int = 500
    workers: int = 2
    out: TextIO = field(default_factory=lambda: sys.stderr)
    interactive: bool | None = None  # None: a bar when `out` is a terminal, plain lines otherwise
    clock: Callable[[], float] = time.monotonic  # durations and rates (the Environment's clock)


def now_ms() -> int:
    """This machine's wall time, stamped into the record and compared with the server's clock: a moment, not a
    duration, so not the (monotonic) clock of `Options`."""
    return int(time.time() * 1000)


# -- progress ----------------------------------------------------------------------------------------------
class Progress:
    """A bar (objects, objects/s, ETA) on a terminal; a plain line every 5% (and at the end) elsewhere."""

    def __init__(self, label: str, total: int, done: int, opts: Options) -> None:
        self.label, self.total, self.done, self.out = label, max(total, 0), done, opts.out
        self.clock = opts.clock
        self.started, self.start_done = self.clock(), done
        self.interactive = opts.out.isatty() if opts.interactive is None else opts.interactive
        self._bar: Any = None
        self._last_step = -1
        if self.interactive:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TaskProgressColumn,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )
            from rich.progress import Progress as Bar

            del TransferSpeedColumn
            self._bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TaskProgressColumn(), TextColumn("{task.fields[rate]} objects/s"),
                            TextColumn("ETA"), TimeRemainingColumn(), console=Console(file=opts.out))
            self._task = self._bar.add_task(label, total=self.total or None, completed=done, rate="-")
            self._bar.start()

    def rate(self) -> float:
        elapsed = self.clock() - self.started
        return (self.done - self.start_done) / elapsed if elapsed > 0 else 0.0

    def grow(self, extra: int) -> None:
        self.total += extra
        if self._bar is not None:
            self._bar.update(self._task, total=self.total)

    def advance(self, n: int) -> None:
        self.done += n
        rate = self.rate()
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, rate=f"{rate:,.0f}")
            return
        step = int(self.done * 20 / self.total) if self.total else 0
        if step != self._last_step:
            self._last_step = step
            self.line(rate)

    def line(self, rate: float) -> None:
        pct = f" ({self.done * 100 // self.total}%)" if self.total else ""
        eta = f", ETA {max(self.total - self.done, 0) / rate:.0f}s" if rate > 0 and self.total else ""
        print(f"{self.label}: {self.done}/{self.total} objects{pct}, {rate:,.0f} objects/s{eta}",
              file=self.out, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


# -- REST helpers ---------------------------------------------------------------------------------------------
def _tenant_q(tenant: str) -> str:
    return f"&tenant={quote(tenant)}" if tenant else ""


def list_pages(client: WeaviateClient, cls: str, tenant: str, after: str, limit: int,
               vectors: bool) -> Iterator[list[dict[str, Any]]]:
    """Pages of objects in id order, from the `after` cursor (GET /v1/objects; adapters/handlers/rest/
    handlers_objects.go reads `after` as a cursor, which excludes offset and sort)."""
    while True:
        path = (f"/v1/objects?class={quote(cls)}&limit={limit}{_tenant_q(tenant)}"
                + ("&include=vector" if vectors else "") + (f"&after={after}" if after else ""))
        objects = list(client.get_json(path).get("objects") or [])
        if objects:
            yield objects
        if len(objects) < limit:
            return
        after = str(objects[-1]["id"])


def count(client: WeaviateClient, cls: str, tenant: str) -> int:
    args = f'(tenant: {json.dumps(tenant)})' if tenant else ""
    query = f"{{ Aggregate {{ {cls}{args} {{ meta {{ count }} }} }} }}"
    data = client.request("POST", "/v1/graphql", json={"query": query}).json()
    if data.get("errors"):
        raise MigrationError(f"counting {cls}{' tenant ' + tenant if tenant else ''}: "
                             f"{data['errors'][0].get('message')}")
    return int(data["data"]["Aggregate"][cls][0]["meta"]["count"])


def tenants(client: WeaviateClient, cls: str) -> dict[str, str]:
    data = client.get_json(f"/v1/schema/{cls}/tenants")
    return {str(t["name"]): str(t.get("activityStatus", "HOT")) for t in data or []}


def set_status(client: WeaviateClient, cls: str, statuses: dict[str, str]) -> None:
    if statuses:
        body = [{"name": n, "activityStatus": s} for n, s in statuses.items()]
        client.request("PUT", f"/v1/schema/{cls}/tenants", json=body)


def _fix_properties(props: dict[str, Any], src: str, dst: str) -> dict[str, Any]:
    """References as plain beacons (the read adds `href`); a reference to the collection itself follows it."""
    out: dict[str, Any] = {}
    prefix = f"weaviate://localhost/{src}/"
    for key, value in props.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) and "beacon" in v for v in value):
            out[key] = [{"beacon": str(v["beacon"]).replace(prefix, f"weaviate://localhost/{dst}/", 1)}
                        for v in value]
        else:
            out[key] = value
    return out


def to_batch_object(obj: dict[str, Any], src: str, dst: str, tenant: str, copy_vectors: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"class": dst, "id": obj["id"],
                           "properties": _fix_properties(obj.get("properties") or {}, src, dst)}
    if tenant:
        out["tenant"] = tenant
    named = {k: v for k, v in (obj.get("vectors") or {}).items() if k in copy_vectors}
    if named:
        out["vectors"] = named  # supplied: the server stores it and does not call the module
    if LEGACY_VECTOR in copy_vectors and obj.get("vector"):
        out["vector"] = obj["vector"]
    return out


def write_batch(client: WeaviateClient, objects: list[dict[str, Any]]) -> None:
    # Every object's own result carries its errors (a 200 answer may hold failed objects).
    answer = client.request("POST", "/v1/batch/objects", json={"objects": objects}).json()
    for item in answer if isinstance(answer, list) else []:
        errors = ((item.get("result") or {}).get("errors") or {}).get("error") or []
        if errors:
            raise MigrationError(f"writing object {item.get('id')}: {errors[0].get('message')}")


# -- the engine -------------------------------------------------------------------------------------------------
Smoke = Callable[[str], dict[str, Any] | None]  # new generation -> {"ok", "checks", "failed"}, None: none declared


@dataclass
class Engine:
    step: Step
    client: WeaviateClient  # reads, schema and state
    writer: WeaviateClient  # batch writes, with the provider key headers re-embedding needs
    opts: Options
    state: StateStore = field(init=False)
    record: dict[str, Any] = field(default_factory=dict)
    on_checkpoint: Callable[[dict[str, Any]], None] | None = None
    smoke: Smoke | None = None  # the collection's smoke queries, run on the new generation before the swap
    # This run's view of the last delta pass and of the verified new generation (per tenant): what the catch-up
    # after the swap compares with. Lost with the process; a resumed run passes again, or falls back (README).
    snapshot: dict[str, dict[str, int]] = field(default_factory=dict)  # old generation: id -> update time
    verified_new: dict[str, dict[str, int]] = field(default_factory=dict)  # new generation, before the swap

    def __post_init__(self) -> None:
        self.state = StateStore(self.client)

    @property
    def mig(self) -> dict[str, Any]:
        assert self.step.migration is not None
        return self.step.migration

    def save(self, **changes: Any) -> int:
        """Checkpoint; returns the server's clock (ms) when it took the write, this machine's if it did not say."""
        self.record.update(changes)
        stamp = self.state.put(KIND, self.mig["collection"], self.record)
        if self.on_checkpoint is not None:
            self.on_checkpoint(self.record)
        return stamp if stamp is not None else now_ms()

    def run(self) -> dict[str, Any]:
        mig, clock = self.mig, self.opts.clock
        started = clock()
        src, dst = str(mig["from"]), str(mig["to"])
        existing = self.state.get(KIND, mig["collection"])
        resumed = bool(existing and existing.get("to") == dst and existing.get("phase") not in ("done", "abandoned"))
        if resumed and existing is not None:
            self.record = existing
            print(f"migrate {src} -> {dst}: resuming (phase {existing.get('phase')})", file=self.opts.out, flush=True)
            if self.record["phase"] in ("verify", "smoke"):
                self.record["phase"] = "delta"  # verify and the catch-up need this run's own delta pass
        else:
            current = self.client.get_class(src)
            if current is None:
                raise MigrationError(f"{src} no longer exists; it was deleted after the plan was made")
            if self.step.fingerprint and fingerprint(current) != self.step.fingerprint:
                raise MigrationError(f"{src} changed after the plan was made; nothing was written. Run plan again.")
            self.record = {"collection": mig["collection"], "from": src, "to": dst, "phase": "create",
                           "aliases": mig["aliases"], "copy_vectors": mig["copy_vectors"],
                           "reembed_vectors": mig["reembed_vectors"], "started_ms": now_ms(), "tenants": {}}
            # Saved before creating (a killed run finds its target through this record); its server time bounds
            # the delta passes: every object written after it is looked at again.
            self.record["copy_since_ms"] = self.save()
        phases: dict[str, float] = {}
        mark = clock()

        def lap(name: str) -> None:
            nonlocal mark
            phases[name], mark = round(clock() - mark, 2), clock()

        if self.record["phase"] == "create":
            self._create(src, dst)
            self.save(phase="copy")
        if self.record["phase"] == "copy":
            self._copy(src, dst)
            self.save(phase="delta")
            lap("copy")
        delta = 0
        if self.record["phase"] == "delta":
            delta = self._delta_until_quiet(src, dst)
            self.save(phase="verify")
            lap("delta")
        verified: dict[str, Any] = {}
        if self.record["phase"] == "verify":
            verified = self._verify(src, dst)
            self.save(phase="smoke", verified=verified)
            lap("verify")
        smoke: dict[str, Any] | None = None
        if self.record["phase"] == "smoke":
            smoke = self._smoke(src, dst)
            self.save(phase="swap", smoke=smoke)
            lap("smoke")
        if self.record["phase"] == "swap":
            if not self.record.get("swap_ms"):  # persisted before the first alias moves
                delta += self._final_pass(src, dst)
                self.save(swap_ms=self.save())
            for alias in self.record["aliases"]:
                self._point(alias, dst)  # PUT /v1/aliases/{a}: one atomic switch per alias
            self.save(phase="catchup")
        catchup = 0
        if self.record["phase"] == "catchup":
            catchup = self._catch_up(src, dst)
            self._restore_statuses(src, dst)
            self.save(phase="done", finished_ms=now_ms(), previous=src, catchup_objects=catchup)
            lap("catchup")
        copied = sum(int(t.get("copied", 0)) for t in self.record["tenants"].values())
        seconds = clock() - started
        return {"collection": mig["collection"], "from": src, "to": dst, "resumed": resumed,
                "objects": (verified or self.record.get("verified") or {}).get("objects", copied),
                "copied_this_run": self.record.get("copied_this_run", 0), "delta_objects": delta,
                "catchup_objects": catchup,
                "copy_vectors": mig["copy_vectors"], "reembed_vectors": mig["reembed_vectors"],
                "tenants": {k: v.get("status", "") for k, v in self.record["tenants"].items() if k},
                "aliases": {a: dst for a in self.record["aliases"]},
                "verified": verified or self.record.get("verified"),
                "smoke": smoke if smoke is not None else self.record.get("smoke"),
                "seconds": round(seconds, 2), "phase_seconds": phases}

    def _point(self, alias: str, target: str) -> None:
        try:
            self.client.update_alias(alias, target)
        except WeaviateRestError as exc:
            if exc.status not in (404, 422):
                raise
            self.client.create_alias(alias, target)

    def _create(self, src: str, dst: str) -> None:
        if self.client.get_class(dst) is None:
            self.client.create_class(self.step.body or {})
        mt = bool(((self.client.get_class(src) or {}).get("multiTenancyConfig") or {}).get("enabled"))
        if not mt:
            self.record["tenants"] = {"": {"after": "", "copied": 0, "done": False}}
            return
        source = tenants(self.client, src)
        frozen = [n for n, s in source.items() if s in ("FROZEN", "OFFLOADED", "FREEZING", "UNFREEZING")]
        if frozen:
            raise MigrationError(f"{src}: tenants {', '.join(sorted(frozen))} are offloaded; load them back "
                                 "(activity status ACTIVE or INACTIVE) before migrating")
        have = tenants(self.client, dst)
        new = [{"name": n, "activityStatus": "HOT"} for n in source if n not in have]
        for i in range(0, len(new), 100):
            self.client.request("POST", f"/v1/schema/{dst}/tenants", json=new[i:i + 100])
        self.record["tenants"] = {n: {"after": "", "copied": 0, "done": False, "status": s}
                                  for n, s in sorted(source.items())}

    def _copy(self, src: str, dst: str) -> None:
        todo = {n: t for n, t in self.record["tenants"].items() if not t.get("done")}
        total = done = 0
        for name, t in self.record["tenants"].items():
            done += int(t.get("copied", 0))
            if not name or t.get("status", "HOT") in ACTIVE:
                total += count(self.client, src, name) if (not t.get("done")) else int(t.get("copied", 0))
            elif t.get("done"):
                total += int(t.get("copied", 0))
        bar = Progress(f"migrate {src} -> {dst}", total, done, self.opts)
        try:
            for name, t in todo.items():
                inactive = bool(name) and t.get("status", "HOT") not in ACTIVE
                if inactive:  # an inactive tenant cannot be read: activate it for the copy, restore it after
                    set_status(self.client, src, {name: "HOT"})
                    bar.grow(count(self.client, src, name))
                self._copy_tenant(src, dst, name, t, bar)
                if inactive:
                    set_status(self.client, src, {name: t["status"]})
        finally:
            bar.close()
        bar.line(bar.rate())

    def _copy_tenant(self, src: str, dst: str, tenant: str, t: dict[str, Any], bar: Progress) -> None:
        copy_vectors = list(self.record["copy_vectors"])
        pending: deque[tuple[Future[None], str, int]] = deque()

        def settle(block: bool) -> None:
            while pending and (block or pending[0][0].done()):
                future, last, n = pending.popleft()
                future.result()  # raises the first failed write; later pages were not checkpointed
                t["after"], t["copied"] = last, int(t.get("copied", 0)) + n
                self.record["copied_this_run"] = int(self.record.get("copied_this_run", 0)) + n
                self.save()
                bar.advance(n)

        with ThreadPoolExecutor(max_workers=self.opts.workers) as pool:
            for page in list_pages(self.client, src, tenant, str(t.get("after") or ""), self.opts.batch_size,
                                   vectors=True):
                batch = [to_batch_object(o, src, dst, tenant, copy_vectors) for o in page]
                pending.append((pool.submit(write_batch, self.writer, batch), str(page[-1]["id"]), len(page)))
                settle(block=len(pending) > self.opts.workers)
            settle(block=True)
        t["done"] = True
        self.save()

    # -- writes that arrive during the migration ------------------------------------------------------------
    def _active(self, tenant: str) -> bool:
        return not tenant or self.record["tenants"][tenant].get("status", "HOT") in ACTIVE  # inactive: no writes

    def _delta_until_quiet(self, src: str, dst: str) -> int:
        """Writes that reached the old generation during the copy. Each pass copies again every object written
        since the previous pass (or the copy) began, by the server's clock (`lastUpdateTimeUnix`, which every
        REST object carries; no `indexTimestamps` needed), and every object the new generation lacks, and
        deletes there what the old one no longer has. A pass's reads all come after its start, so an object
        last written before it was read, and copied, with that write. Passes repeat until one finds nothing
        (at most MAX_DELTA_PASSES: a steady writer never stops); what lands after the last one, the catch-up
        after the swap carries over."""
        since = int(self.record.get("delta_since_ms") or self.record.get("copy_since_ms")
                    or int(self.record["started_ms"]) - LOCAL_CLOCK_MARGIN_MS)
        total = 0
        for _ in range(MAX_DELTA_PASSES):
            pass_started = self.save()
            changed = sum(self._delta_tenant(src, dst, name, since - SKEW_MARGIN_MS)
                          for name in self.record["tenants"] if self._active(name))
            total += changed
            since = pass_started
            self.save(delta_since_ms=since)
            if not changed:
                break
        return total

    def _ids(self, cls: str, tenant: str) -> dict[str, int]:
        return {str(o["id"]): int(o.get("lastUpdateTimeUnix") or 0)
                for page in list_pages(self.client, cls, tenant, "", 1000, vectors=False) for o in page}

    def _delta_tenant(self, src: str, dst: str, tenant: str, since: int) -> int:
        source, target = self._ids(src, tenant), self._ids(dst, tenant)
        changed = [i for i, ts in source.items() if i not in target or ts >= since]
        gone = [i for i in target if i not in source]
        vanished = self._copy_ids(src, dst, tenant, changed)  # deleted between the listing and the read
        gone += [i for i in vanished if i in target]
        self._delete_ids(dst, tenant, gone)
        self.snapshot[tenant] = {i: ts for i, ts in source.items() if i not in vanished}  # = the new generation
        return len(changed) + len(gone)

    def _copy_ids(self, src: str, dst: str, tenant: str, ids: list[str]) -> list[str]:
        """Read each object from the old generation now and write it to the new one; returns the ids not found.
        Many objects are read by listing the old generation again (pages), a few one by one."""
        copy_vectors = list(self.record["copy_vectors"])
        missing: list[str] = []
        if len(ids) > ONE_BY_ONE_LIMIT:
            wanted = set(ids)
            for page in list_pages(self.client, src, tenant, "", self.opts.batch_size, vectors=True):
                batch = [to_batch_object(o, src, dst, tenant, copy_vectors) for o in page if str(o["id"]) in wanted]
                wanted -= {str(o["id"]) for o in page}
                if batch:
                    write_batch(self.writer, batch)
            return sorted(wanted)
        for i in range(0, len(ids), self.opts.batch_size):
            objs = []
            for oid in ids[i:i + self.opts.batch_size]:
                resp = self.client.request("GET", f"/v1/objects/{src}/{oid}?include=vector{_tenant_q(tenant)}",
                                           ok=(200, 404))
                if resp.status_code == 200:
                    objs.append(to_batch_object(resp.json(), src, dst, tenant, copy_vectors))
                else:
                    missing.append(oid)
            if objs:
                write_batch(self.writer, objs)
        return missing

    def _delete_ids(self, dst: str, tenant: str, ids: list[str]) -> None:
        for oid in ids:
            self.client.request("DELETE", f"/v1/objects/{dst}/{oid}?{_tenant_q(tenant)[1:]}", ok=(204, 404))

    def _final_pass(self, src: str, dst: str) -> int:
        """One more delta pass right before the swap (verify and the smoke queries took a while), then the new
        generation as it is now: the catch-up's reference for "not written since" (nothing else writes to it
        before the swap)."""
        if not self.snapshot:  # resumed right at the swap: the catch-up falls back on update times
            return 0
        since = int(self.record.get("delta_since_ms") or 0)
        pass_started = self.save()
        changed = 0
        for tenant in self.record["tenants"]:
            if self._active(tenant):
                changed += self._delta_tenant(src, dst, tenant, since - SKEW_MARGIN_MS)
                self.verified_new[tenant] = self._ids(dst, tenant)
        self.save(delta_since_ms=pass_started)
        return changed

    def _catch_up(self, src: str, dst: str) -> int:
        """After the swap: what was written to the old generation after the final pass read it.

        New writes go to the new generation now; a request that resolved the alias just before the swap lands a
        moment later, hence the wait. An object written (or created) in the old generation since the final pass
        listed it is copied over, and one deleted there is deleted here, unless the new generation's copy was
        written since (through the alias after the swap: newer), which is looked at again right before each
        write. A run that resumes after the swap lost the final pass's listing and compares update times instead
        (README)."""
        time.sleep(SWAP_GRACE_S)
        total = 0
        for tenant in self.record["tenants"]:
            if not self._active(tenant):
                continue
            old = self._ids(src, tenant)
            seen, base = self.snapshot.get(tenant), self.verified_new.get(tenant)
            if seen is not None and base is not None:
                copy_ids = [i for i, ts in old.items() if seen.get(i) != ts]
                gone = [i for i in seen if i not in old]
                total += self._catch_up_ids(src, dst, tenant, copy_ids, gone, base)
            else:
                total += self._catch_up_by_time(src, dst, tenant, old)
        return total

    def _catch_up_ids(self, src: str, dst: str, tenant: str, copy_ids: list[str], gone: list[str],
                      base: dict[str, int]) -> int:
        copy_vectors = list(self.record["copy_vectors"])

        def one(oid: str) -> bool:
            current = self._updated(dst, tenant, oid)
            if current != base.get(oid):
                return False  # written through the alias after the swap: that write is the newer one
            resp = self.client.request("GET", f"/v1/objects/{src}/{oid}?include=vector{_tenant_q(tenant)}",
                                       ok=(200, 404))
            if resp.status_code == 200:
                write_batch(self.writer, [to_batch_object(resp.json(), src, dst, tenant, copy_vectors)])
            elif current is not None:
                self._delete_ids(dst, tenant, [oid])
            return True

        # Each object on its own (look, read, write: the look is as close to the write as it can be), several
        # at a time: this is the moment reads through the alias may miss the newest writes.
        with ThreadPoolExecutor(max_workers=2 * self.opts.workers) as pool:
            return sum(pool.map(one, copy_ids + gone))

    def _updated(self, cls: str, tenant: str, oid: str) -> int | None:
        resp = self.client.request("GET", f"/v1/objects/{cls}/{oid}?{_tenant_q(tenant)[1:]}", ok=(200, 404))
        return int(resp.json().get("lastUpdateTimeUnix") or 0) if resp.status_code == 200 else None

    def _catch_up_by_time(self, src: str, dst: str, tenant: str, old: dict[str, int]) -> int:
        """Without this run's listings: copy what the old generation holds newer than the new one (or only it
        holds) since the last pass began; delete what only the new one holds from before the swap."""
        since = int(self.record.get("delta_since_ms") or self.record.get("copy_since_ms") or 0) - SKEW_MARGIN_MS
        swap_ms = int(self.record.get("swap_ms") or 0)
        new = self._ids(dst, tenant)
        copy_ids = [i for i, ts in old.items() if ts >= since and (i not in new or ts >= new[i])]
        gone = [i for i in new if i not in old and swap_ms and new[i] < swap_ms]
        self._copy_ids(src, dst, tenant, copy_ids)
        self._delete_ids(dst, tenant, gone)
        return len(copy_ids) + len(gone)

    def _verify(self, src: str, dst: str) -> dict[str, Any]:
        """The ids the last delta pass left on both sides; every named vector present on every object, with one
        dimension per vector. (The old generation may have moved on since: the catch-up carries that over.)"""
        cls = self.client.get_class(dst) or {}
        names = list(cls.get("vectorConfig") or {})
        objects = 0
        dims: dict[str, int] = {}
        problems: list[str] = []
        for tenant, t in self.record["tenants"].items():
            inactive = not self._active(tenant)
            if inactive:
                set_status(self.client, src, {tenant: "HOT"})
            source = set(self.snapshot[tenant] if tenant in self.snapshot else self._ids(src, tenant))
            seen: dict[str, int] = {}
            for page in list_pages(self.client, dst, tenant, "", self.opts.batch_size, vectors=True):
                for obj in page:
                    seen[str(obj["id"])] = int(obj.get("lastUpdateTimeUnix") or 0)
                    vectors = obj.get("vectors") or {}
                    for name in names:
                        vec = vectors.get(name)
                        if not vec:
                            problems.append(f"object {obj['id']} has no vector {name}")
                            continue
                        n = len(vec[0]) if isinstance(vec[0], list) else len(vec)  # multi-vectors: per token
                        if dims.setdefault(name, n) != n:
                            problems.append(f"object {obj['id']}: vector {name} has {n} dimensions, others "
                                            f"{dims[name]}")
            if inactive:
                set_status(self.client, src, {tenant: t["status"]})
            if set(seen) != source:
                problems.append(f"{'tenant ' + tenant + ': ' if tenant else ''}{len(source - set(seen))} object(s) "
                                f"missing, {len(set(seen) - source)} extra")
            self.verified_new[tenant] = seen
            objects += len(seen)
            t["verified"] = len(seen)
            if len(problems) > 20:
                break
        if problems:
            raise MigrationError(f"verification of {dst} failed (the aliases still point at {src}):\n  "
                                 + "\n  ".join(problems[:20]))
        return {"objects": objects, "ids_equal": True, "vector_dimensions": dims}

    def _smoke(self, src: str, dst: str) -> dict[str, Any] | None:
        """The collection's declared smoke queries against the new generation, by its own name; a failure
        stops the migration before the swap (the aliases still point at the old generation)."""
        if self.smoke is None:
            return None
        print(f"migrate {src} -> {dst}: running the collection's smoke queries on {dst}", file=self.opts.out,
              flush=True)
        result = self.smoke(dst)
        if result is not None and not result.get("ok"):
            self.save(smoke=result)
            failed = "\n  ".join(str(f) for f in result.get("failed") or [])
            raise MigrationError(
                f"the smoke queries failed on the new generation {dst}, so the aliases still point at {src} "
                f"(nothing was swapped; {dst} is kept):\n  {failed}\n"
                f"Fix the queries' expectations or the file and run apply again: it resumes the migration and runs "
                f"them again. To give up, put the file back and run `weavectl rollback {self.mig['collection']}`; "
                f"then `weavectl prune-generations` deletes {dst}.")
        return result

    def _restore_statuses(self, src: str, dst: str) -> None:
        wanted = {n: str(t["status"]) for n, t in self.record["tenants"].items() if n and t.get("status")}
        if not wanted:
            return
        set_status(self.client, src, wanted)
        set_status(self.client, dst, wanted)


def run_migration(step: Step, client: WeaviateClient, headers: dict[str, str], opts: Options | None = None,
                  smoke: Smoke | None = None) -> dict[str, Any]:
    writer = WeaviateClient(client.url, api_key=client.api_key, timeout=max(client.timeout, 120.0),
                            extra_headers=headers, transport=client.transport)
    try:
        return Engine(step, client, writer, opts or Options(), smoke=smoke).run()
    finally:
        writer.close()


def unfinished(client: WeaviateClient) -> dict[str, str]:
    """collection -> target generation of each migration that has not finished (plan resumes them)."""
    try:
        return {key: str(rec["to"]) for key, rec in StateStore(client).list(KIND)
                if rec.get("phase") not in ("done", "abandoned")}
    except WeaviateRestError as exc:
        if exc.status == 403:
            return {}
        raise


def finished(client: WeaviateClient, collection: str) -> dict[str, Any] | None:
    return StateStore(client).get(KIND, collection)


def abandon(client: WeaviateClient, collection: str) -> dict[str, Any] | None:
    """Give up an unfinished migration of `collection` (the record's key): returns its record as it was, after
    marking it abandoned (its target is then an ordinary kept generation), or None when none is unfinished."""
    store = StateStore(client)
    record = store.get(KIND, collection)
    if not record or record.get("phase") in ("done", "abandoned"):
        return None
    store.put(KIND, collection, {**record, "phase": "abandoned", "abandoned_in": record.get("phase")})
    return record
