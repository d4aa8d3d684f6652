"""Compile a plan into executable steps, and the policy that filters destructive ones. Pure.

Apply is then a loop with no decisions in it. Order: deletes (by name), then creates with referenced collections
first (a reference to a collection not there yet is deferred to an add-property step after every create, which also
breaks cycles), then replaces one collection at a time (check, delete, create), then updates, migrations and
aliases in the plan's order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from weavectl.core.plaindata import plain_copy, plain_copy_map
from weavectl.core.plan.model import Action, Change, ErrorCode, FieldChange, FieldKind, Plan, PlanError
from weavectl.core.weaviate import catalog
from weavectl.core.weaviate.rest import property_name


class StepKind(StrEnum):
    CREATE = "create"  # POST /v1/schema
    UPDATE = "update"  # GET, check fingerprint, PUT the full definition with the declared changes overlaid
    ADD_PROPERTY = "add_property"  # POST /v1/schema/{c}/properties
    DROP_INDEX = "drop_index"  # DELETE /v1/schema/{c}/properties/{p}/index/{i}
    DELETE = "delete"  # DELETE /v1/schema/{c}
    CHECK_CREATE = "check_create"  # POST the new definition under a temporary name, then DELETE it
    CREATE_ALIAS = "create_alias"  # POST /v1/aliases (the plan saw no such alias)
    MOVE_ALIAS = "move_alias"  # PUT /v1/aliases/{a} (the plan saw it pointing at another collection)
    DELETE_ALIAS = "delete_alias"  # DELETE /v1/aliases/{a}
    SCALE_REPLICAS = "scale_replicas"  # GET + POST /v1/replication/scale, wait for the copies to be READY
    MIGRATE = "migrate"  # new generation, copy, verify, alias swap (weavectl.migrate)


@dataclass
class Step:
    kind: StepKind
    collection: str
    description: str
    body: dict[str, Any] | None = None  # create body; the desired (declared) body for update
    target: str = ""  # property name, alias name
    index: str = ""  # filterable | searchable | rangeFilters
    fingerprint: str | None = None  # for update: the live definition the plan was made from
    destructive: bool = False
    objects: int | None = None  # for delete: the object count the plan saw (re-checked right before)
    factor: int = 0  # scale_replicas: the replication factor to scale to
    migration: dict[str, Any] | None = None  # for migrate: the plan's migration record
    source: Change | None = None  # the plan change this step carries out
    fields: list[FieldChange] = field(default_factory=list)  # the change's fields it writes (none: all of it)

    def request(self) -> tuple[str, str, dict[str, Any] | None]:
        """The write this step sends: (method, REST path, body). Reads around it are not listed.

        update: the body is the declared changes only; apply overlays them on the definition it reads right
        before the PUT (PUT replaces the whole collection). scale_replicas: the body is the server's own
        computed placement, read right before (adapters/cluster.py). check_create: sent under a temporary name,
        then deleted. migrate: the new generation's create; copy and alias swap follow (weavectl/migrate.py).
        """
        name = self.collection
        if self.kind in (StepKind.CREATE, StepKind.CHECK_CREATE, StepKind.MIGRATE):
            return "POST", "/v1/schema", self.body
        if self.kind is StepKind.UPDATE:
            return "PUT", f"/v1/schema/{name}", self.body
        if self.kind is StepKind.ADD_PROPERTY:
            return "POST", f"/v1/schema/{name}/properties", self.body
        if self.kind is StepKind.DROP_INDEX:
            return "DELETE", f"/v1/schema/{name}/properties/{self.target}/index/{self.index}", None
        if self.kind is StepKind.DELETE:
            return "DELETE", f"/v1/schema/{name}", None
        if self.kind is StepKind.CREATE_ALIAS:
            return "POST", "/v1/aliases", {"alias": self.target, "class": name}
        if self.kind is StepKind.MOVE_ALIAS:
            return "PUT", f"/v1/aliases/{self.target}", {"class": name}
        if self.kind is StepKind.DELETE_ALIAS:
            return "DELETE", f"/v1/aliases/{self.target}", None
        return "POST", "/v1/replication/scale", None  # SCALE_REPLICAS

    def to_json(self) -> dict[str, Any]:
        """The step as the JSON plan lists it: what it sends, and the change (and fields) it comes from."""
        method, path, body = self.request()
        out: dict[str, Any] = {"kind": self.kind.value, "collection": self.collection,
                               "description": self.description, "destructive": self.destructive,
                               "method": method, "path": path}
        if body is not None:
            out["body"] = plain_copy(body)
        if self.kind is StepKind.UPDATE:
            out["overlay"] = True
        if self.kind is StepKind.SCALE_REPLICAS:
            out["factor"] = self.factor
        if self.source is not None:
            out["change"] = {"collection": self.source.collection, "action": self.source.action.value,
                             "fields": [f.to_json()["path"] for f in self.fields]}
        return out


@dataclass
class Blocked:
    """Changes the policy refused, with why; apply stops before any write when this is not empty."""

    reasons: list[PlanError] = field(default_factory=list)


def policy(plan: Plan, *, allow_destroy: bool) -> Blocked:
    blocked = Blocked()
    for change in plan.changes:
        name = change.collection
        lowered = [f for f in change.fields if f.lowers_durability]
        if lowered and not change.action.destroys_data and not allow_destroy:
            blocked.reasons.append(PlanError(
                ErrorCode.LOWERS_DURABILITY, f"lowering the replication factor {lowered[0].before} -> "
                f"{lowered[0].after} removes copies of its data (lower durability); rerun with --allow-destroy to "
                "permit it", name, "replication.factor"))
        if not change.destroys:
            continue
        if change.action.destroys_data:
            what = "replace" if change.action is Action.REPLACE else "delete"
            forced = f" (forced by {', '.join(change.forced_by)})" if change.forced_by else ""
            loses = f"{what}{forced} loses its data"
        else:
            what = "irreversible change"
            loses = "irreversible change (" + "; ".join(change.irreversible) + ")"
        if change.protect:
            blocked.reasons.append(PlanError(ErrorCode.PROTECTED, f"`protect: true` forbids this {what}, even with "
                                             "--allow-destroy", name, "protect"))
        elif not allow_destroy:
            blocked.reasons.append(PlanError(ErrorCode.DESTROY_NOT_ALLOWED,
                                             f"{loses}; rerun with --allow-destroy to permit it", name))
    return blocked


def _references(body: dict[str, Any]) -> set[str]:
    refs: set[str] = set()
    for prop in body.get("properties") or []:
        for dtype in prop.get("dataType") or []:
            if dtype[:1].isupper():
                refs.add(dtype)
    return refs


def _create_order(creates: list[Change]) -> list[Change]:
    """Referenced collections first (depth-first topological order; cycles keep file order)."""
    by_name = {c.collection: c for c in creates}
    done: list[Change] = []
    state: dict[str, str] = {}

    def visit(change: Change) -> None:
        if state.get(change.collection):
            return
        state[change.collection] = "visiting"
        for ref in sorted(_references(change.desired or {})):
            if ref in by_name and ref != change.collection:
                visit(by_name[ref])
        state[change.collection] = "done"
        done.append(change)

    for change in creates:
        visit(change)
    return done


def compile_steps(plan: Plan, live_names: set[str] | None = None) -> list[Step]:
    """live_names: collections that exist before apply (a reference to one of them needs no deferral); by
    default the live collections the plan was made from."""
    if live_names is None:
        live_names = set(plan.live_names)
    changes = [c for c in plan.changes if c.action is not Action.NOOP]
    deletes = sorted((c for c in changes if c.action is Action.DELETE), key=lambda c: c.collection)
    steps = [Step(StepKind.DELETE, c.collection, f"delete collection {c.collection}", destructive=True,
                  objects=c.objects, source=c) for c in deletes]
    existing = set(live_names) - {c.collection for c in deletes}
    steps += _create_steps([c for c in changes if c.action is Action.CREATE], existing)
    steps += _replace_steps(sorted((c for c in changes if c.action is Action.REPLACE), key=lambda c: c.collection))
    for change in changes:
        if change.action is Action.UPDATE:
            steps.extend(_update_steps(change, plan.fingerprints.get(change.collection)))
    for change in changes:
        if change.action is Action.MIGRATE and change.migration is not None:
            steps.append(Step(StepKind.MIGRATE, change.collection,
                              f"migrate {change.collection} to {change.migration['to']}", body=change.desired,
                              fingerprint=plan.fingerprints.get(change.collection), migration=change.migration,
                              source=change))
    for change in changes:
        steps += _alias_steps(change)
    return steps


def _create_steps(creates: list[Change], existing: set[str]) -> list[Step]:
    """Referenced collections first; a reference to a collection that does not exist yet is added once every
    create has run (which also breaks cycles). `existing` grows with each create."""
    steps: list[Step] = []
    deferred: list[Step] = []
    for change in _create_order(creates):
        body = plain_copy_map(change.desired or {})
        keep: list[dict[str, Any]] = []
        later: list[dict[str, Any]] = []
        for prop in body.get("properties") or []:
            refs = {d for d in prop.get("dataType") or [] if d[:1].isupper()}
            (later if refs - existing - {change.collection} else keep).append(prop)
        if "properties" in body:
            body["properties"] = keep
        steps.append(Step(StepKind.CREATE, change.collection, f"create collection {change.collection}", body=body,
                          source=change))
        existing.add(change.collection)
        for prop in later:
            deferred.append(Step(StepKind.ADD_PROPERTY, change.collection,
                                 f"add reference property {change.collection}.{prop['name']}", body=prop,
                                 target=str(prop["name"]), source=change))
    return steps + deferred


def _replace_steps(replaces: list[Change]) -> list[Step]:
    """One collection at a time, each proven acceptable before its delete: check, delete, create. A refused
    definition stops apply with this collection (and every later one) still in place."""
    steps: list[Step] = []
    for change in replaces:
        body = plain_copy_map(change.desired or {})
        steps.append(Step(StepKind.CHECK_CREATE, change.collection,
                          f"check the server accepts the new definition of {change.collection}", body=body,
                          source=change))
        steps.append(Step(StepKind.DELETE, change.collection, f"delete collection {change.collection} (replace)",
                          destructive=True, objects=change.objects, source=change))
        steps.append(Step(StepKind.CREATE, change.collection, f"create collection {change.collection} (replace)",
                          body=body, source=change))
    return steps


def _alias_steps(change: Change) -> list[Step]:
    steps: list[Step] = []
    for f in change.fields:
        if f.kind is not FieldKind.ALIAS:
            continue
        alias = f.parts[1]
        if f.after is None:
            steps.append(Step(StepKind.DELETE_ALIAS, change.collection, f"remove alias {alias}", target=alias,
                              source=change, fields=[f]))
        elif f.before is None:
            steps.append(Step(StepKind.CREATE_ALIAS, change.collection, f"create alias {alias} for {change.collection}",
                              target=alias, source=change, fields=[f]))
        else:
            steps.append(Step(StepKind.MOVE_ALIAS, change.collection,
                              f"move alias {alias} from {f.before} to {change.collection}", target=alias,
                              source=change, fields=[f]))
    return steps


def _update_steps(change: Change, fingerprint: str | None) -> list[Step]:
    out: list[Step] = []
    in_place = [f for f in change.fields if f.kind in _PUT_KINDS]
    scale = next((f for f in change.fields if f.kind is FieldKind.REPLICAS), None)
    lowers = any(f.lowers_durability for f in change.fields)
    scale_step = Step(StepKind.SCALE_REPLICAS, change.collection,
                      f"scale the replicas of {change.collection} to {scale.after}", factor=int(scale.after),
                      destructive=lowers, source=change, fields=[scale]) if scale is not None else None
    if scale_step is not None and scale is not None and scale.after > scale.before:
        out.append(scale_step)  # the server accepts a higher factor only once every shard has the replicas
        scale_step = None
    if in_place:
        out.append(Step(StepKind.UPDATE, change.collection,
                        f"update collection {change.collection} ({', '.join(f.path for f in in_place)})",
                        body=_declared_updates(change), fingerprint=fingerprint,
                        destructive=lowers or any(f.destroys for f in in_place), source=change,
                        fields=in_place))
    if scale_step is not None:
        out.append(scale_step)  # lowering: the factor first, then the extra replicas go
    for f in change.fields:
        if f.kind is FieldKind.ADD_PROPERTY:
            out.append(Step(StepKind.ADD_PROPERTY, change.collection,
                            f"add property {change.collection}.{f.after['name']}", body=f.after,
                            target=str(f.after["name"]), source=change, fields=[f]))
        elif f.kind is FieldKind.DROP_INDEX:
            _, prop, flag = f.parts
            index = {"indexFilterable": "filterable", "indexSearchable": "searchable",
                     "indexRangeFilters": "rangeFilters"}[flag]
            out.append(Step(StepKind.DROP_INDEX, change.collection,
                            f"drop the {index} index of {change.collection}.{prop}", target=prop, index=index,
                            destructive=True, source=change, fields=[f]))
    return out


_PUT_KINDS = (FieldKind.UPDATE, FieldKind.ADD_VECTOR, FieldKind.REPLICAS)


def _declared_updates(change: Change) -> dict[str, Any]:
    """The in-place field changes as a sparse REST body, to overlay on the freshly read definition."""
    body: dict[str, Any] = {}
    for f in change.fields:
        if f.kind not in _PUT_KINDS:
            continue
        parts = f.parts
        if parts[0] == "properties":  # keep the list shape; merged by name onto the live properties
            entry: dict[str, Any] = {"name": parts[1]}
            node = entry
            for part in parts[2:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = plain_copy(f.after)
            body.setdefault("properties", []).append(entry)
            continue
        node = body
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = plain_copy(f.after)
    return body


def overlay(live: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
    """The full definition to PUT: what the server has now, with the declared in-place changes applied.

    PUT replaces the whole collection and resets whatever it is not sent, so everything else is echoed back
    exactly as read (including server-internal property fields).
    """
    out = plain_copy_map(live)
    for key, value in updates.items():
        if key == "properties":
            by_name = {str(p.get("name", "")).lower(): p for p in out.get("properties") or []}
            for prop in value:
                target = by_name.get(property_name(str(prop["name"])).lower())
                if target is not None:
                    _merge(target, {k: v for k, v in prop.items() if k != "name"})
        elif key == "moduleConfig":
            modules = out.setdefault("moduleConfig", {})
            for module, settings in value.items():
                spec = catalog.lookup(module)
                existing = next((m for m in modules if catalog.same_module(m, module)), None)
                if spec is not None and spec.kind in ("generative", "reranker"):
                    for other in [m for m in modules if m != existing and catalog.kind_of(m) == spec.kind]:
                        del modules[other]  # one module of each kind: the new one replaces the old
                _merge(modules.setdefault(existing or module, {}), settings)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            _merge(out[key], value)
        else:
            out[key] = plain_copy(value)
    return out


def _merge(into: dict[str, Any], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if value is None:  # a live setting the file does not have (a generative/reranker key set by hand)
            into.pop(key, None)
        elif isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = plain_copy(value)
