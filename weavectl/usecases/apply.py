"""Apply, in two phases as Terraform does, with the plan shown and confirmed between them.

`prepare` loads the config (or the one a saved plan names), connects, plans, and refuses a stale saved plan; it
returns a `PreparedApply` that owns the client and the apply lock (a context manager). The caller shows the
plan; `PreparedApply.converge` then refuses what the policy forbids, asks for confirmation through the caller's
callback, takes the lock, plans again under it, executes the steps (and migrations), verifies with a fresh plan
and records ownership, and returns an `ApplyResult`. Step and migration progress stream to the environment's
stderr as they happen.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from weavectl.adapters import planfile
from weavectl.adapters.environment import Environment
from weavectl.adapters.lock import ApplyLock
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.core.plan.model import Action, Plan, decisions
from weavectl.core.plan.steps import compile_steps, policy
from weavectl.errors import ExitCode, UsageError, WeavectlError
from weavectl.execute import Report, deferred_signals, execute
from weavectl.render.jsonplan import plan_json
from weavectl.run import Loaded, Planned, connect, load_config, make_plan, record_ownership
from weavectl.usecases.migration import run_migration_step
from weavectl.usecases.saved_plan import SavedPlan, StalePlan, check_stale, connect_for

NO_TERMINAL = ("apply needs confirmation, but there is no terminal to ask on: pass --auto-approve "
               "(in CI, apply a reviewed plan file)")
NOT_VERIFIED = ("apply finished, but a fresh plan still shows the changes above: the collection was changed by "
                "another writer during apply, or the server stored something other than what it accepted; run "
                "plan again")


@dataclass(frozen=True, kw_only=True)  # by name: neighbouring flags cannot swap
class ApplyRequest:
    files: tuple[str, ...] = ()
    env_name: str | None = None
    url: str | None = None
    saved: SavedPlan | None = None  # apply PLANFILE: its config, targets, prune and replace, and no question
    auto_approve: bool = False
    allow_destroy: bool = False
    prune: bool = False
    targets: tuple[str, ...] = ()
    replace: tuple[str, ...] = ()
    grpc_address: str | None = None  # for the smoke queries a migration runs on its new generation
    lock_timeout: float = 0.0
    command: str = "weavectl apply"  # recorded with the lock (`weavectl unlock` shows it)


class Outcome(enum.Enum):
    NO_CHANGES = "no-changes"  # nothing to write (collections that match are adopted)
    APPLIED = "applied"  # every step done, and a fresh plan is empty
    UNVERIFIED = "unverified"  # every step done, but a fresh plan still shows changes
    FAILED = "failed"  # a step failed, or its outcome is unknown (the report says which)
    INTERRUPTED = "interrupted"  # SIGINT/SIGTERM: the step in flight finished, the rest did not run


@dataclass(frozen=True)
class Execution:
    """What the steps did, before verification."""

    report: Report
    migrations: list[dict[str, Any]]
    exit_code: int


@dataclass(frozen=True)
class ApplyResult:
    plan: Plan
    outcome: Outcome
    report: Report = field(default_factory=Report)
    migrations: list[dict[str, Any]] = field(default_factory=list)
    fresh: Plan | None = None  # the plan made after executing (empty when applied)
    exit_code: int = ExitCode.OK

    @property
    def verified(self) -> bool:
        """The cluster matches the file: nothing needed writing, or a fresh plan after writing is empty."""
        return self.outcome in (Outcome.NO_CHANGES, Outcome.APPLIED)


def prepare(request: ApplyRequest, env: Environment) -> PreparedApply:
    if request.saved is not None:
        loaded, client = connect_for(request.saved, request.url, env)
        targets, prune, replace = request.saved.options
    else:
        loaded = load_config(request.files, request.env_name, env.environ)
        client = connect(loaded, request.url, env)
        targets, prune, replace = request.targets, request.prune, request.replace
    try:
        if request.saved is not None:
            planfile.check_cluster(request.saved.data, planfile.cluster_identity(client))
        planned = make_plan(loaded, client, targets=targets, prune=prune, env=env, replace=replace)
        if request.saved is not None:
            check_stale(request.saved, planned)
    except BaseException:
        client.close()
        raise
    return PreparedApply(request, env, planned, targets, prune, replace)


class PreparedApply:
    """A plan ready to apply; owns the client and the apply lock, both let go on leaving the `with` block."""

    def __init__(self, request: ApplyRequest, env: Environment, planned: Planned, targets: tuple[str, ...],
                 prune: bool, replace: tuple[str, ...]) -> None:
        self.request, self.env, self.planned = request, env, planned
        self.targets, self.prune, self.replace = targets, prune, replace  # a saved plan's, else the request's
        self.lock = ApplyLock(planned.client, command=request.command[:300])

    @property
    def plan(self) -> Plan:
        return self.planned.plan

    @property
    def loaded(self) -> Loaded:
        return self.planned.loaded

    @property
    def client(self) -> WeaviateClient:
        return self.planned.client

    @property
    def needs_confirmation(self) -> bool:
        """A saved plan was reviewed already; otherwise changes are confirmed unless --auto-approve."""
        return self.plan.has_changes and self.request.saved is None and not self.request.auto_approve

    def __enter__(self) -> PreparedApply:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.lock.release()
        except WeavectlError as exc:
            self.env.warn(f"could not release the apply lock ({exc.message}); it expires by itself, or clear it "
                          "with `weavectl unlock`")
        finally:
            self.client.close()

    def converge(self, confirm: Callable[[Plan], bool] | None = None,
                 on_executed: Callable[[Execution], None] | None = None) -> ApplyResult:
        """Write the plan. `confirm` is asked when `needs_confirmation` (a UsageError without a terminal);
        `on_executed` sees the steps' outcome before the verifying plan runs (its warnings come after)."""
        plan = self.plan
        refuse(plan, self.request.allow_destroy)
        if not plan.has_changes:
            record_ownership(self.loaded, self.client, plan)  # adopts collections that already match
            return ApplyResult(plan, Outcome.NO_CHANGES)
        if self.needs_confirmation:
            if confirm is None or not self.env.interactive:
                raise UsageError(NO_TERMINAL)
            if not confirm(plan):
                raise WeavectlError("apply cancelled: nothing was written")
        done = self._execute()
        if on_executed is not None:
            on_executed(done)
        report = done.report
        if not report.ok:
            outcome = Outcome.INTERRUPTED if report.interrupted is not None else Outcome.FAILED
            return ApplyResult(plan, outcome, report, done.migrations, exit_code=done.exit_code)
        fresh = make_plan(self.loaded, self.client, targets=self.targets, prune=self.prune, env=self.env,
                          verify_targets=False).plan
        if any(c.action is not Action.NOOP for c in fresh.changes):
            return ApplyResult(plan, Outcome.UNVERIFIED, report, done.migrations, fresh, ExitCode.ERROR)
        record_ownership(self.loaded, self.client, plan)
        return ApplyResult(plan, Outcome.APPLIED, report, done.migrations, fresh)

    def _execute(self) -> Execution:
        plan, env, lock, client = self.plan, self.env, self.lock, self.client
        with deferred_signals() as signals:
            lock.acquire(timeout=self.request.lock_timeout)
            lock.start_heartbeat()
            if lock.took_over:
                env.echo(f"Note: took over a stale apply lock (expired, or its process is gone): {lock.took_over}",
                         err=True)
            # Under the lock: the cluster must still be the one planned (another apply may have just finished).
            again = make_plan(self.loaded, client, targets=self.targets, prune=self.prune, env=env,
                              replace=self.replace)
            if decisions(plan_json(again.plan)["changes"]) != decisions(plan_json(plan)["changes"]):
                raise StalePlan("the cluster changed between the plan and taking the apply lock (changed by "
                                "another writer during apply); nothing was written. Run apply again.")
            if signals.received is not None:  # before the first write: stop as Ctrl-C does
                raise KeyboardInterrupt
            steps = compile_steps(plan, set(self.planned.live_classes))
            migrations: list[dict[str, Any]] = []
            grpc = self.request.grpc_address
            report = execute(steps, client, allow_destroy=self.request.allow_destroy,
                             progress=lambda m: env.echo(m, err=True), signals=signals,
                             migrate=lambda step: migrations.append(run_migration_step(step, self.planned, grpc,
                                                                                       env)),
                             clock=env.clock)
        if report.interrupted is not None:
            return Execution(report, migrations, int(signals.exit_code))
        return Execution(report, migrations, ExitCode.OK if report.ok else ExitCode.ERROR)


def refuse(plan: Plan, allow_destroy: bool) -> None:
    """Stop before any write: a plan with errors, or changes the policy forbids (a plan without changes passes)."""
    if plan.all_errors():
        raise WeavectlError("the plan has errors (above); nothing was written")
    blocked = policy(plan, allow_destroy=allow_destroy)
    if blocked.reasons:
        raise WeavectlError("refusing to apply; nothing was written:\n  "
                            + "\n  ".join(f"{r} [{r.code}]" for r in blocked.reasons))
