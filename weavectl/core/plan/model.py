"""The typed plan: a closed set of actions, and changes that name the fields forcing them.

Both the JSON plan and the human views are rendered from these objects. A change's `reason` texts are for
display only: apply decides from `action` and the field `kind`s, never from prose.
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from enum import StrEnum
from typing import Any

from weavectl.core.config.paths import RestPath, collection_value, config_path, config_text, config_value

# 2: field paths in the config's vocabulary (`path`), the REST path beside them (`rest_path`), values as the
# file writes them, and each create/replace's `definition` in the config's vocabulary.
PLAN_FORMAT_VERSION = "2"
# A warning that says only the estimate could not be measured this time.
COST_WARNING_PREFIX = "no cost estimate:"


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    MIGRATE = "migrate"  # replace without loss: new generation, copy, alias swap (on_replace: migrate)
    DELETE = "delete"
    NOOP = "no-op"

    @property
    def destroys_data(self) -> bool:
        return self in (Action.REPLACE, Action.DELETE)


class FieldKind(StrEnum):
    UPDATE = "update"  # changed in place by PUT of the full definition
    ADD_PROPERTY = "add_property"  # POST /v1/schema/{c}/properties
    ADD_VECTOR = "add_vector"  # new named vector, by PUT
    DROP_INDEX = "drop_index"  # DELETE /v1/schema/{c}/properties/{p}/index/{i}
    IMMUTABLE = "immutable"  # the server cannot change it: forces a replace
    ALIAS = "alias"  # /v1/aliases
    REPLICAS = "replicas"  # replica copies/removals by /v1/replication/scale, then the factor by PUT
    UNDECLARED = "undeclared"  # live only (auto-schema): drift Weaviate cannot undo in place; apply leaves it


class ErrorCode(StrEnum):
    """Stable codes of plan and apply errors (README, "Error codes"): scripts may match on them; never renamed."""

    NEEDS_VERSION = "needs-version"  # the server is too old for this operation
    MODULE_NOT_ENABLED = "module-not-enabled"  # a module the collection uses is not enabled on the server
    FRACTIONAL_SETTING = "fractional-setting"  # a module setting this server reads as an integer only
    NAME_TAKEN_BY_ALIAS = "name-taken-by-alias"  # the collection's name is an alias of another collection
    ALIAS_TAKEN_BY_COLLECTION = "alias-taken-by-collection"  # an alias's name is a collection
    UNKNOWN_REPLACE = "unknown-replace"  # --replace names no collection of the file
    REPLICATION = "replication"  # a replication factor change the server cannot make now
    EXTERNAL_MISSING = "external-missing"  # a reference to an `external:` collection that does not exist
    HIDDEN_COLLECTION = "hidden-collection"  # exists, but the API key's /v1/schema does not list it
    UNREADABLE_COLLECTION = "unreadable-collection"  # the API key may not read it
    KEY_SOURCE = "key-source"  # a key source could not be resolved where it is required
    # apply's policy
    DESTROY_NOT_ALLOWED = "destroy-not-allowed"  # loses data or cannot be undone: needs --allow-destroy
    PROTECTED = "protected"  # `protect: true` forbids the replace/delete, even with --allow-destroy
    LOWERS_DURABILITY = "lowers-durability"  # a lower replication factor: needs --allow-destroy


@dataclass(frozen=True)
class PlanError:
    """A plan or apply error: a stable code, where (collection, config path), what, and what to do.

    `str()` is the message as it always read, "Collection: message" when it names a collection.
    """

    code: ErrorCode
    message: str
    collection: str | None = None  # None on a change's own errors: the change names it
    path: str | None = None  # the config path at fault, when one setting is
    hint: str | None = None

    def __str__(self) -> str:
        return f"{self.collection}: {self.message}" if self.collection else self.message

    def named(self, collection: str) -> PlanError:
        return self if self.collection else PlanError(self.code, self.message, collection, self.path, self.hint)

    def to_json(self, scope: str) -> dict[str, Any]:
        return {"code": self.code.value, "scope": scope, "collection": self.collection, "path": self.path,
                "message": self.message, "hint": self.hint}


def dotted(path: RestPath) -> str:
    """A REST path as plans show it: `vectorConfig.main.vectorizer`."""
    return ".".join(path)


@dataclass
class FieldChange:
    """One difference at a REST path. Built from the path's parts (the differ) or, for convenience, a dotted
    path; `parts` is what code reads, `path` (dotted) what the plan shows."""

    at: InitVar[RestPath | str]
    before: Any
    after: Any
    kind: FieldKind
    reason: str = ""
    destroys: bool = False  # an in-place change that cannot be undone (lower replication factor)
    parts: RestPath = field(init=False)

    def __post_init__(self, at: RestPath | str) -> None:
        self.parts = tuple(at.split(".")) if isinstance(at, str) else tuple(at)

    @property
    def path(self) -> str:
        return dotted(self.parts)

    @property
    def lowers_durability(self) -> bool:
        """Lowering the replication factor removes copies of the data: destructive, needs --allow-destroy."""
        return (self.parts == ("replicationConfig", "factor") and isinstance(self.before, int)
                and isinstance(self.after, int) and self.after < self.before)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": config_path(self.parts, value=self.after if self.after is not None else self.before),
            "rest_path": self.path,
            "before": config_value(self.parts, self.before),
            "after": config_value(self.parts, self.after),
            "kind": self.kind.value,
        }
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class Differences:
    """What comparing one declared collection with the cluster found, before any action is decided.

    The differ's fields, re-kinded where replication needs it, and the alias fields: `core.plan.decide` turns
    them into a `Change` once, when all are gathered. `exists`: the collection (its current generation) is live.
    """

    collection: str
    exists: bool = True
    fields: list[FieldChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[PlanError] = field(default_factory=list)
    drift: list[FieldChange] = field(default_factory=list)
    ignored: list[FieldChange] = field(default_factory=list)


@dataclass
class Change:
    collection: str
    action: Action
    fields: list[FieldChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[PlanError] = field(default_factory=list)  # operations this server cannot do
    desired: dict[str, Any] | None = None  # the declared REST body (create / replace)
    protect: bool = False
    migration: dict[str, Any] | None = None  # for migrate: generations, vectors copied/re-embedded, cost
    cost: dict[str, Any] | None = None  # for in-place changes that leave stored vectors stale
    # Live-only properties, named vectors and modules (kind UNDECLARED): reported, never applied or replaced
    # unless the collection is named with --replace.
    drift: list[FieldChange] = field(default_factory=list)
    ignored: list[FieldChange] = field(default_factory=list)  # differences under the collection's ignore_changes
    objects: int | None = None  # replace/delete: objects the live collection held at plan time
    tenant_objects: dict[str, int] = field(default_factory=dict)  # the same, per tenant (multi-tenant)
    referenced_by: list[str] = field(default_factory=list)  # live collections with references to it

    @property
    def irreversible(self) -> list[str]:
        """In-place changes the server cannot undo (they lose data or a capability): as destructive as a delete."""
        return [f"{f.path}: {f.reason or 'cannot be undone in place'}" for f in self.fields
                if f.kind is FieldKind.DROP_INDEX or f.destroys]

    @property
    def destroys(self) -> bool:
        return self.action.destroys_data or bool(self.irreversible)

    @property
    def forced_by(self) -> list[str]:
        return [f.path for f in self.fields if f.kind is FieldKind.IMMUTABLE]

    def to_json_forced_by(self) -> list[str]:
        return [config_path(f.parts, value=f.after if f.after is not None else f.before) for f in self.fields
                if f.kind is FieldKind.IMMUTABLE]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "collection": self.collection,
            "action": self.action.value,
            "destroys_data": self.action.destroys_data,
            "fields": [f.to_json() for f in self.fields],
        }
        if self.action in (Action.REPLACE, Action.MIGRATE):
            out["forced_by"] = self.to_json_forced_by()
        if self.migration is not None:
            out["migration"] = self.migration
        if self.cost is not None:
            out["cost"] = self.cost
        if self.warnings:
            out["warnings"] = [config_text(w) for w in self.warnings]
        if self.errors:
            out["errors"] = [e.message for e in self.errors]
        if self.desired is not None:
            out["definition"] = collection_value(self.desired)
            out["desired"] = self.desired
        if self.protect:
            out["protect"] = True
        if self.objects is not None:
            out["objects"] = self.objects
        if self.tenant_objects:
            out["tenant_objects"] = self.tenant_objects
        if self.referenced_by:
            out["referenced_by"] = self.referenced_by
        if self.irreversible:
            out["irreversible"] = self.irreversible
        return out


@dataclass
class Plan:
    server_url: str
    server_version: str
    changes: list[Change]
    unchanged: list[str] = field(default_factory=list)
    unmanaged: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)  # declared elsewhere (`external:`): never touched
    left_alone: list[str] = field(default_factory=list)  # --prune: live, not this configuration's, with why
    errors: list[PlanError] = field(default_factory=list)  # preflight and version problems, reported together
    warnings: list[str] = field(default_factory=list)
    environment: str | None = None
    fingerprints: dict[str, str] = field(default_factory=dict)  # live definition hash per touched collection
    cluster: dict[str, Any] | None = None  # how the live state was read: leader-consistent, via which node
    generations: dict[str, dict[str, Any]] = field(default_factory=dict)  # on_replace: migrate collections
    # Where each provider key the file's modules send comes from, whether it resolved here, and who needs it.
    # An unresolved source is not a plan error: only smoke (and imports/queries) need the key.
    key_sources: list[dict[str, Any]] = field(default_factory=list)
    live_names: list[str] = field(default_factory=list)  # the live collections planned against (steps need them)

    @property
    def has_changes(self) -> bool:
        return any(c.action is not Action.NOOP for c in self.changes)

    @property
    def has_drift(self) -> bool:
        """Anything weavectl compares differs: a change to apply, or live-only drift apply leaves alone."""
        return self.has_changes or any(c.drift for c in self.changes)

    def all_errors(self) -> list[PlanError]:
        """The plan's own errors, then each change's, every one naming its collection."""
        return self.errors + [e.named(c.collection) for c in self.changes for e in c.errors]

    def counts(self) -> dict[str, int]:
        out = {a.value: 0 for a in (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE)}
        for change in self.changes:
            if change.action is not Action.NOOP:
                out[change.action.value] = out.get(change.action.value, 0) + 1  # "migrate" only when present
        return out

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format_version": PLAN_FORMAT_VERSION,
            "server": {"url": self.server_url, "version": self.server_version},
            "environment": self.environment,
            "summary": self.counts(),
            "changes": [c.to_json() for c in self.changes if c.action is not Action.NOOP],
            "unchanged": self.unchanged,
            "unmanaged": self.unmanaged,
            "external": self.external,
            "left_alone": self.left_alone,
            "errors": [str(e) for e in self.all_errors()],
            "diagnostics": [e.to_json("plan") for e in self.errors]
            + [e.named(c.collection).to_json("change") for c in self.changes for e in c.errors],
            "warnings": self.warnings,
            "fingerprints": self.fingerprints,
            **({"cluster": self.cluster} if self.cluster is not None else {}),
            "key_sources": self.key_sources,
            "drift": [{"collection": c.collection, **f.to_json()} for c in self.changes for f in c.drift],
            "ignored": [{"collection": c.collection, **f.to_json()} for c in self.changes for f in c.ignored],
        }
        if self.generations:
            out["generations"] = self.generations
        return out


# Measured while planning, not decided: object counts and the sampled cost estimate move with ordinary writes
# (an ingest pipeline running during apply), so they never make a plan stale.
_MEASURED = ("cost", "objects", "tenant_objects")


def decisions(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The JSON changes without what was only measured: what apply compares to tell whether a plan still holds."""
    out: list[dict[str, Any]] = []
    for change in changes:
        kept = {k: v for k, v in change.items() if k not in _MEASURED}
        if isinstance(kept.get("migration"), dict):
            kept["migration"] = {k: v for k, v in kept["migration"].items() if k != "cost"}
        warnings = [w for w in kept.pop("warnings", []) if not str(w).startswith(COST_WARNING_PREFIX)]
        if warnings:
            kept["warnings"] = warnings
        out.append(kept)
    return out
