"""Run compiled steps against the server, one at a time, reporting progress and stopping at the first failure.

Every write goes through here, so "no destructive request without --allow-destroy" is enforced in one place:
destructive steps exist only when the policy allowed them, and `execute` checks again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from deepdiff import DeepDiff

from weavectl.adapters.weaviate import WeaviateClient, WeaviateRestError
from weavectl.core.planner import fingerprint
from weavectl.core.redact import REDACTOR
from weavectl.core.steps import Step, StepKind, overlay
from weavectl.errors import WeavectlError


class StepFailed(WeavectlError):
    pass


@dataclass
class Report:
    done: list[Step] = field(default_factory=list)
    failed: Step | None = None
    error: str = ""
    not_attempted: list[Step] = field(default_factory=list)

    def render(self) -> str:
        lines = [f"Apply stopped at step {len(self.done) + 1}: {self.failed.description if self.failed else '?'}",
                 f"  error: {self.error}"]
        lines.append(f"Done ({len(self.done)}):" if self.done else "Done: nothing.")
        lines += [f"  ✓ {s.description}" for s in self.done]
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


def execute(steps: list[Step], client: WeaviateClient, *, allow_destroy: bool,
            progress: Callable[[str], None], migrate: Callable[[Step], None] | None = None) -> Report:
    report = Report()
    total = len(steps)
    for i, step in enumerate(steps, start=1):
        if step.destructive and not allow_destroy:  # the policy filtered these; a second lock, never reached
            raise StepFailed(f"refusing destructive step without --allow-destroy: {step.description}")
        progress(f"[{i}/{total}] {step.description} ...")
        started = time.monotonic()
        try:
            if step.kind is StepKind.MIGRATE:
                if migrate is None:
                    raise StepFailed(f"{step.description}: migrations run only from `weavectl apply`")
                migrate(step)
            else:
                _run(step, client, progress)
        except WeavectlError as exc:
            report.failed = step
            report.error = exc.message
            if isinstance(exc, WeaviateRestError) and exc.status == 422 and step.kind is StepKind.UPDATE:
                report.error += (" (the server rejected the write; it may still serve the rejected value until it "
                                 "restarts, so treat this collection's live state as unknown and plan again)")
            report.not_attempted = steps[i:]
            return report
        report.done.append(step)
        progress(f"[{i}/{total}] {step.description}: done in {time.monotonic() - started:.1f}s")
    return report


def _run(step: Step, client: WeaviateClient, progress: Callable[[str], None]) -> None:
    name = step.collection
    if step.kind is StepKind.SCALE_REPLICAS:
        from weavectl.adapters.cluster import scale_replicas

        result = scale_replicas(client, name, step.factor, progress=progress)
        if result.operations:
            progress(f"    {len(result.operations)} replica copies of {name} ready in {result.seconds:.1f}s")
    elif step.kind is StepKind.CREATE:
        client.create_class(step.body or {})
    elif step.kind is StepKind.UPDATE:
        current = client.get_class(name)
        if current is None:
            raise StepFailed(f"{name} no longer exists; it was deleted after the plan was made")
        if step.fingerprint and fingerprint(current) != step.fingerprint:
            raise StepFailed(f"{name} changed after the plan was made; nothing was written. Run plan again.")
        client.update_class(str(current["class"]), overlay(current, step.body or {}))
    elif step.kind is StepKind.ADD_PROPERTY:
        client.add_property(name, step.body or {})
    elif step.kind is StepKind.DROP_INDEX:
        client.drop_property_index(name, step.target, step.index)
    elif step.kind is StepKind.DELETE:
        client.delete_class(name)
    elif step.kind is StepKind.SET_ALIAS:
        try:
            client.update_alias(step.target, name)
        except WeaviateRestError as exc:
            if exc.status not in (404, 422):
                raise
            client.create_alias(step.target, name)
    elif step.kind is StepKind.DELETE_ALIAS:
        try:
            client.delete_alias(step.target)
        except WeaviateRestError as exc:
            if exc.status != 404:
                raise
