"""Run compiled steps against the server, one at a time, reporting progress and stopping at the first failure.

Every write goes through here, so "no destructive request without --allow-destroy" is enforced in one place:
destructive steps exist only when the policy allowed them, and `execute` checks again. Around each write:
the collection is re-read right before it (someone else's change stops apply), and right after it (only the
intended fields may have changed); a write whose answer never came is re-read to learn whether it landed.
SIGINT/SIGTERM let the step in flight finish (a second signal abandons it), then stop with a report.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from deepdiff import DeepDiff

from weavectl.adapters.objects import count_objects
from weavectl.adapters.weaviate import WeaviateClient, WeaviateRestError
from weavectl.core.plan.planner import fingerprint
from weavectl.core.plan.steps import Step, StepKind, overlay
from weavectl.core.redact import REDACTOR
from weavectl.core.weaviate import defaults
from weavectl.errors import WeavectlError

SIGNAL_EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143}


class StepFailed(WeavectlError):
    pass


class Abandoned(KeyboardInterrupt):
    """A second interrupt: give up the step in flight now."""


@dataclass
class Signals:
    received: int | None = None

    @property
    def exit_code(self) -> int:
        return SIGNAL_EXIT.get(signal.Signals(self.received), 130) if self.received else 0


@contextmanager
def deferred_signals() -> Iterator[Signals]:
    """SIGINT/SIGTERM are noted (the step in flight finishes); a second one abandons the step."""
    state = Signals()

    def handler(signum: int, frame: FrameType | None) -> None:
        if state.received is not None:
            raise Abandoned()
        state.received = signum

    previous = {s: signal.getsignal(s) for s in SIGNAL_EXIT}
    try:
        for s in SIGNAL_EXIT:
            signal.signal(s, handler)
    except ValueError:  # not the main thread: signals stay as they were
        yield state
        return
    try:
        yield state
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


@dataclass
class Report:
    done: list[Step] = field(default_factory=list)
    failed: Step | None = None
    error: str = ""
    in_flight: Step | None = None  # interrupted or unanswered, and a re-read could not tell
    not_attempted: list[Step] = field(default_factory=list)
    interrupted: int | None = None  # the signal that stopped apply
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed is None and self.in_flight is None and self.interrupted is None

    def render(self) -> str:
        if self.interrupted is not None:
            lines = [f"Apply interrupted ({signal.Signals(self.interrupted).name}) after {len(self.done)} step(s)."]
        else:
            step = self.failed or self.in_flight
            lines = [f"Apply stopped at step {len(self.done) + 1}: {step.description if step else '?'}",
                     f"  error: {self.error}"]
        lines += [f"  note: {n}" for n in self.notes]
        lines.append(f"Done ({len(self.done)}):" if self.done else "Done: nothing.")
        lines += [f"  ✓ {s.description}" for s in self.done]
        if self.in_flight is not None:
            lines.append("In flight (outcome unknown):")
            lines.append(f"  ? {self.in_flight.description}")
        lines.append(f"Not attempted ({len(self.not_attempted)}):" if self.not_attempted else "Not attempted: none.")
        lines += [f"  · {s.description}" for s in self.not_attempted]
        lines.append("Running apply again continues from where the cluster is now.")
        return REDACTOR.scrub("\n".join(lines))


def changed_paths(before: dict[str, Any], after: dict[str, Any] | None, limit: int = 8) -> list[str]:
    if after is None:
        return ["the collection was deleted"]
    diff = DeepDiff(before, after, ignore_order=True, view="tree")
    paths = sorted({".".join(str(p) for p in leaf.path(output_format="list"))
                    for group in diff.values() for leaf in group})
    return paths[:limit] + ([f"... and {len(paths) - limit} more"] if len(paths) > limit else [])


def _unanswered(exc: WeaviateRestError) -> bool:
    """No HTTP answer at all (timeout, connection lost): the write may or may not have landed."""
    return exc.status is None


def execute(steps: list[Step], client: WeaviateClient, *, allow_destroy: bool,
            progress: Callable[[str], None], signals: Signals | None = None,
            migrate: Callable[[Step], None] | None = None, clock: Callable[[], float] = time.monotonic) -> Report:
    report = Report()
    total = len(steps)
    signals = signals or Signals()
    for i, step in enumerate(steps, start=1):
        if signals.received is not None:
            report.interrupted = signals.received
            report.not_attempted = steps[i - 1:]
            return report
        if step.destructive and not allow_destroy:  # the policy filtered these; a second lock, never reached
            raise StepFailed(f"refusing destructive step without --allow-destroy: {step.description}")
        progress(f"[{i}/{total}] {step.description} ...")
        started = clock()
        try:
            if step.kind is StepKind.MIGRATE:
                if migrate is None:
                    raise StepFailed(f"{step.description}: migrations run only from `weavectl apply`")
                migrate(step)
                note = ""
            else:
                note = _run(step, client, progress)
        except Abandoned:
            _abandoned(report, steps, i, signals, client)
            return report
        except (WeaviateRestError, WeavectlError) as exc:
            if _landed_anyway(report, steps, i, exc, client, progress):
                continue
            return report
        report.done.append(step)
        if note:
            report.notes.append(note)
        progress(f"[{i}/{total}] {step.description}: done in {clock() - started:.1f}s")
    if signals.received is not None:
        report.interrupted = signals.received
    return report


def _abandoned(report: Report, steps: list[Step], i: int, signals: Signals, client: WeaviateClient) -> None:
    """A second interrupt gave up step i: whether it landed decides where the report puts it."""
    step = steps[i - 1]
    report.interrupted = signals.received
    landed = _landed_quietly(step, client)
    if landed:
        report.done.append(step)
        report.notes.append(f"{step.description}: interrupted, and a re-read shows it landed")
    elif landed is None:
        report.in_flight = step
    report.not_attempted = steps[i - 1:] if landed is False else steps[i:]


def _landed_anyway(report: Report, steps: list[Step], i: int, exc: WeaviateRestError | WeavectlError,
                   client: WeaviateClient, progress: Callable[[str], None]) -> bool:
    """Step i failed: True when it landed after all (a write whose answer never came, confirmed by a re-read) and
    apply goes on; otherwise the report says what failed, or that the outcome is unknown."""
    step, total = steps[i - 1], len(steps)
    if isinstance(exc, WeaviateRestError) and _unanswered(exc):
        landed = _landed_quietly(step, client)
        if landed:
            report.done.append(step)
            report.notes.append(f"{step.description}: no answer came ({exc.message}), but a re-read shows "
                                "it landed")
            progress(f"[{i}/{total}] {step.description}: landed (confirmed by a re-read)")
            return True
        if landed is None:
            report.in_flight = step
            report.error = f"{exc.message}; a re-read could not tell whether it landed"
            report.not_attempted = steps[i:]
            return False
        exc.message += " (a re-read shows it did not land)"
    report.failed = step
    report.error = exc.message
    if isinstance(exc, WeaviateRestError) and exc.status == 422 and step.kind is StepKind.UPDATE:
        report.error += (" (the server rejected the write; it may still serve the rejected value until it "
                         "restarts, so treat this collection's live state as unknown and plan again)")
    report.not_attempted = steps[i:]
    return False


def _landed_quietly(step: Step, client: WeaviateClient) -> bool | None:
    try:
        return landed(step, client)
    except (WeaviateRestError, Abandoned):
        return None


def landed(step: Step, client: WeaviateClient) -> bool | None:
    """Whether a write whose answer never came took effect, from a fresh read. None: cannot tell."""
    name = step.collection
    if step.kind is StepKind.CHECK_CREATE:
        return False  # nothing to keep: the check is simply redone
    current = client.get_class(name)
    if step.kind is StepKind.CREATE:
        return current is not None
    if step.kind is StepKind.DELETE:
        return current is None
    if current is None:
        return False
    props = {str(p.get("name", "")).lower(): p for p in current.get("properties") or []}
    if step.kind is StepKind.ADD_PROPERTY:
        return step.target.lower() in props
    if step.kind is StepKind.DROP_INDEX:
        flag = {"filterable": "indexFilterable", "searchable": "indexSearchable",
                "rangeFilters": "indexRangeFilters"}[step.index]
        return props.get(step.target.lower(), {}).get(flag) is False
    if step.kind is StepKind.UPDATE:
        return not changed_paths(overlay(current, step.body or {}), current, limit=1)
    if step.kind in (StepKind.CREATE_ALIAS, StepKind.MOVE_ALIAS, StepKind.DELETE_ALIAS):
        resp = client.request("GET", f"/v1/aliases/{step.target}", ok=(200, 404))
        if resp.status_code == 404:
            return step.kind is StepKind.DELETE_ALIAS
        return step.kind is not StepKind.DELETE_ALIAS and str(resp.json().get("class", "")).lower() == name.lower()
    return None


def _check_create(step: Step, client: WeaviateClient) -> None:
    """Create the new definition under a temporary name and delete it: the server's own verdict, before any
    delete. References to collections that do not exist yet are left out of the copy (they are added later)."""
    name = step.collection
    temp = f"{name}_wvcheck_{uuid.uuid4().hex[:8]}"
    body = {**(step.body or {}), "class": temp}
    props = []
    for prop in body.get("properties") or []:
        refs = [d for d in prop.get("dataType") or [] if d[:1].isupper()]
        if any(r.lower() != name.lower() and client.get_class(r) is None for r in refs):
            continue
        props.append(prop)
    if "properties" in body:
        body["properties"] = props
    try:
        client.create_class(body)
    except WeaviateRestError as exc:
        if _unanswered(exc):
            client.request("DELETE", f"/v1/schema/{temp}", ok=(200, 204, 404))
        raise StepFailed(f"the server refuses the new definition of {name}: "
                         f"{exc.message.replace(temp, name)}; nothing was deleted") from None
    client.request("DELETE", f"/v1/schema/{temp}", ok=(200, 204, 404))


def _run(step: Step, client: WeaviateClient, progress: Callable[[str], None]) -> str:
    """One step's requests; -> a note for the report ("" for none)."""
    return _RUNNERS[step.kind](step, client, progress)


def _scale(step: Step, client: WeaviateClient, progress: Callable[[str], None]) -> str:
    from weavectl.adapters.cluster import scale_replicas

    result = scale_replicas(client, step.collection, step.factor, progress=progress)
    if result.operations:
        progress(f"    {len(result.operations)} replica copies of {step.collection} ready in {result.seconds:.1f}s")
    return ""


def _update(step: Step, client: WeaviateClient) -> None:
    name = step.collection
    current = client.get_class(name)
    if current is None:
        raise StepFailed(f"{name} no longer exists; it was deleted after the plan was made")
    if step.fingerprint and fingerprint(current) != step.fingerprint:
        raise StepFailed(f"{name} changed after the plan was made (changed by another writer during apply?); "
                         "nothing was written. Run plan again.")
    expected = overlay(current, step.body or {})
    client.update_class(str(current["class"]), expected)
    after = client.get_class(name)
    if after is None:
        raise StepFailed(f"{name} was deleted right after the update: changed by another writer during apply")
    # Outside the intended parts (where the server fills in its defaults), the collection must read back
    # exactly as sent.
    intended = _intended(step.body or {})
    # Fields the server owns or derives (asyncEnabled follows the factor on 1.38+) change by themselves.
    owned = tuple(defaults.SERVER_OWNED)
    others = [p for p in changed_paths(expected, after, limit=1000)
              if not any(p == i or p.startswith(i + ".") for i in (*intended, *owned))]
    if others:
        raise StepFailed(f"{name} changed by another writer during apply: after the update, "
                         f"{', '.join(others)} differ from what weavectl wrote. Run plan again.")


def _delete_alias(step: Step, client: WeaviateClient) -> None:
    try:
        client.delete_alias(step.target)
    except WeaviateRestError as exc:
        if exc.status != 404:
            raise


def _quiet(action: Callable[[Step, WeaviateClient], object]) -> Callable[[Step, WeaviateClient,
                                                                          Callable[[str], None]], str]:
    def run(step: Step, client: WeaviateClient, progress: Callable[[str], None]) -> str:
        result = action(step, client)
        return result if isinstance(result, str) else ""

    return run


_RUNNERS: dict[StepKind, Callable[[Step, WeaviateClient, Callable[[str], None]], str]] = {
    StepKind.SCALE_REPLICAS: _scale,
    StepKind.CHECK_CREATE: _quiet(lambda step, client: _check_create(step, client)),
    StepKind.CREATE: _quiet(lambda step, client: client.create_class(step.body or {})),
    StepKind.UPDATE: _quiet(_update),
    StepKind.ADD_PROPERTY: _quiet(lambda step, client: client.add_property(step.collection, step.body or {})),
    StepKind.DROP_INDEX: _quiet(lambda step, client: client.drop_property_index(step.collection, step.target,
                                                                                step.index)),
    StepKind.DELETE: _quiet(lambda step, client: _delete(step, client)),
    StepKind.CREATE_ALIAS: _quiet(lambda step, client: client.create_alias(step.target, step.collection)),
    StepKind.MOVE_ALIAS: _quiet(lambda step, client: client.update_alias(step.target, step.collection)),
    StepKind.DELETE_ALIAS: _quiet(_delete_alias),
    StepKind.MIGRATE: _quiet(lambda step, client: None),  # run by `execute` through its `migrate` callback
}


def _intended(body: dict[str, Any]) -> list[str]:
    """Path prefixes an update means to change: `properties`, or two levels deep (vectorConfig.main)."""
    out: list[str] = []
    for key, value in body.items():
        if isinstance(value, dict) and key not in ("properties", "moduleConfig"):
            out += [f"{key}.{sub}" for sub in value] or [key]
        else:
            out.append(key)
    return out


def _delete(step: Step, client: WeaviateClient) -> str:
    name = step.collection
    live = client.get_class(name)
    if live is None:
        return f"{name} was already gone"
    if step.objects is not None:
        now, _ = count_objects(client, live)
        if now is None:
            raise StepFailed(f"cannot count the objects of {name} right before deleting it; nothing was deleted")
        if now > step.objects:
            raise StepFailed(f"{name} now holds {now} objects, the plan saw {step.objects}: data arrived since the "
                             "plan; nothing was deleted. Run plan again.")
    client.delete_class(name)
    return ""
