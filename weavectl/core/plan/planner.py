"""Desired collections + live state -> Plan. Pure: the live state was fetched before, key sources resolved
before; this only compares and classifies.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from weavectl.core.plan.decide import Migrating, decide
from weavectl.core.plan.diff import compare_collection
from weavectl.core.plan.generations import STATE_COLLECTION, current_generation, kept_generations, migrates
from weavectl.core.plan.model import Action, Change, Differences, ErrorCode, FieldChange, FieldKind, Plan, PlanError
from weavectl.core.weaviate import catalog
from weavectl.core.weaviate.cluster import (
    FACTOR_PATH,
    ClusterFacts,
    ScaleProbe,
    factor_problems,
    live_factor,
    short_shards,
)
from weavectl.core.weaviate.rest import collection_name, to_rest
from weavectl.core.weaviate.usage import used_modules
from weavectl.core.weaviate.version import MIN_VERSION, Version, at_least, parse_version


@dataclass
class PlanInput:
    collections: list[dict[str, Any]]  # config collections of the resolved document
    live_classes: list[dict[str, Any]]
    live_aliases: list[dict[str, str]]
    live_modules: dict[str, Any]
    server_url: str
    server_version: str
    targets: list[str] = field(default_factory=list)  # --target: only these collections
    prune: bool = False
    environment: str | None = None
    key_errors: list[str] = field(default_factory=list)  # from resolving key sources (names, never values)
    migrations: dict[str, str] = field(default_factory=dict)  # collection -> target of an unfinished migration
    replace: list[str] = field(default_factory=list)  # --replace: plan these collections as replacements
    cluster: ClusterFacts | None = None  # members, leader, shard replicas (read before planning)
    scale_probes: dict[str, ScaleProbe] = field(default_factory=dict)  # lower-case collection -> server's scale plan


# weavectl's own state collection (apply lock, ownership, migration checkpoints; core.generations names it):
# never unmanaged, pruned or exported.


def is_internal(name: str) -> bool:
    return name.lower() == STATE_COLLECTION.lower()


# json.dumps(value, sort_keys=True, separators=(",", ":")), without making an encoder for every collection; the
# bytes are the saved-plan format's, so they never change.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def fingerprint(live_class: dict[str, Any] | None) -> str:
    """A stable hash of a live definition: apply refuses a saved plan whose collections changed since."""
    if live_class is None:
        return "absent"
    canonical = _CANONICAL_JSON.encode(live_class)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _module_enabled(module: str, enabled: dict[str, Any]) -> bool:
    if module in enabled:
        return True
    spec = catalog.lookup(module)
    return spec is not None and any(a in enabled for a in (spec.name, *spec.aliases))


def _enable_hint(module: str, server_version: str | None = None) -> str:
    spec = catalog.lookup(module)
    version = parse_version(server_version) if server_version else None
    if spec is not None and spec.min_version and version is not None and not at_least(version, spec.min_version):
        return (f"module {module} is not available on this server: it is in Weaviate since {spec.min_version}, "
                f"and this server is {server_version}")
    if spec is not None and spec.auto_enabled and version is not None and not at_least(version, "1.33.0"):
        return (f"module {module} is not enabled on the server: before 1.33, API-based modules are registered only "
                f"when listed in ENABLE_MODULES or with ENABLE_API_BASED_MODULES=true")
    if spec is not None and spec.auto_enabled:
        return (f"module {module} is not enabled on the server: API-based modules are on by default since 1.33 "
                f"unless API_BASED_MODULES_DISABLED=true; add it to ENABLE_MODULES")
    return f"module {module} is not enabled on the server: add it to ENABLE_MODULES (and start its inference service)"


def build_plan(inp: PlanInput) -> Plan:
    version = parse_version(inp.server_version)
    live_by_name = {str(c.get("class", "")).lower(): c for c in inp.live_classes}
    live_lower = set(live_by_name)  # once: a set per collection made the plan quadratic in the cluster's size
    targets = {t.lower() for t in inp.targets}
    plan = Plan(server_url=inp.server_url, server_version=inp.server_version, changes=[],
                environment=inp.environment, cluster=inp.cluster.to_json() if inp.cluster else None)
    declared: set[str] = set()
    live_names = [str(c.get("class", "")) for c in inp.live_classes]
    plan.live_names = list(live_names)
    names = {collection_name(str(c.get("name", ""))).lower() for c in inp.collections}
    replace = {r.lower() for r in inp.replace}
    claimed = {collection_name(str(a)) for c in inp.collections if c.get("state") != "absent"
               for a in c.get("aliases") or []}
    for unknown in sorted(replace - names):
        plan.errors.append(PlanError(ErrorCode.UNKNOWN_REPLACE, f"--replace {unknown}: no such collection in the file"))
    for coll in inp.collections:
        name = collection_name(str(coll["name"]))
        declared.add(name.lower())
        if targets and name.lower() not in targets:
            continue
        live = live_by_name.get(current_generation(coll, live_names, inp.live_aliases).lower())
        for module in used_modules(coll):
            if not _module_enabled(module, inp.live_modules):
                plan.errors.append(PlanError(ErrorCode.MODULE_NOT_ENABLED, _enable_hint(module, inp.server_version),
                                             name))
        if coll.get("state") == "absent":
            if live is not None:
                plan.changes.append(Change(str(live["class"]), Action.DELETE, protect=bool(coll.get("protect"))))
                plan.fingerprints[str(live["class"])] = fingerprint(live)
            continue
        desired = to_rest(coll)
        plan.errors.extend(_fractional_settings_rejected(name, coll, version))
        alias_owner = next((str(a.get("class")) for a in inp.live_aliases
                            if str(a.get("alias", "")).lower() == name.lower()), None)
        if live is None and alias_owner is not None:
            plan.errors.append(PlanError(ErrorCode.NAME_TAKEN_BY_ALIAS, "cannot be created: the name is taken by an "
                                         f"alias pointing at {alias_owner}", name, "name"))
        # Every field first (the differ's, re-kinded for replication, then the aliases'), the action once at the end.
        if live is None:
            found = Differences(name, exists=False)
            plan.fingerprints[name] = fingerprint(None)  # apply refuses if someone created it meanwhile
        else:
            found = compare_collection(desired, live, version, ignore=list(coll.get("ignore_changes") or []),
                                       replace=name.lower() in replace)
            plan.fingerprints[found.collection] = fingerprint(live)
            _replication(found, live, version, inp, plan)
        _alias_fields(coll, found, inp.live_aliases, version, live_lower, claimed)
        migrating = (Migrating(coll, live, inp.live_classes, inp.migrations.get(name))
                     if live is not None and migrates(coll) else None)
        change = decide(found, desired, protect=bool(coll.get("protect")), migrating=migrating)
        if change.action is Action.NOOP:
            plan.unchanged.append(change.collection)
        plan.changes.append(change)
    # Generations of migrating collections, and weavectl's own state, are never unmanaged nor pruned.
    plan.generations = kept_generations(inp.collections, live_names, inp.live_aliases)
    declared |= {g.lower() for gens in plan.generations.values() for g in [gens["current"], *gens["kept"]]}
    declared |= {str(c.migration["to"]).lower() for c in plan.changes if c.migration}
    declared.add(STATE_COLLECTION.lower())
    for live in inp.live_classes:
        lname = str(live.get("class", ""))
        if lname.lower() in declared or (targets and lname.lower() not in targets) or is_internal(lname):
            continue
        if inp.prune:
            plan.changes.append(Change(lname, Action.DELETE))
            plan.fingerprints[lname] = fingerprint(live)
        else:
            plan.unmanaged.append(lname)
    plan.errors.extend(PlanError(ErrorCode.KEY_SOURCE, e) for e in inp.key_errors)
    plan.unmanaged.sort(key=lambda n: (n.lower(), n))
    plan.changes.sort(key=lambda c: (c.action is Action.NOOP, c.collection.lower()))
    return plan


def _replication(change: Differences, live: dict[str, Any], version: Version, inp: PlanInput, plan: Plan) -> None:
    """A factor change converges through replica scaling where the server needs it; shards short of replicas."""
    factor = live_factor(live)
    changing = [f for f in change.fields if f.path == FACTOR_PATH and isinstance(f.after, int)]
    for f in changing:
        probe = inp.scale_probes.get(change.collection.lower())
        scale, errors, warnings = factor_problems(change.collection, factor, f.after, version, probe)
        change.errors.extend(PlanError(ErrorCode.REPLICATION, e, path="replication.factor") for e in errors)
        change.warnings.extend(warnings)
        if scale:
            f.kind = FieldKind.REPLICAS
            if f.after > factor:
                f.reason = (f"copy replicas of {len(probe.adds) if probe else 0} shard(s) with "
                            "/v1/replication/scale, then set the factor")
            else:
                f.reason = (f"set the factor, then remove replicas of {len(probe.removes) if probe else 0} shard(s) "
                            "with /v1/replication/scale")
        if f.lowers_durability:
            f.reason = ", ".join(r for r in (f.reason, "lowers durability: needs --allow-destroy") if r)
    for short in [] if changing else short_shards(inp.cluster, change.collection, factor):
        plan.warnings.append(f"{change.collection}: shard {short}: fewer replicas than its replication factor "
                             "on the nodes that answered")


# Weaviate 1.39 reads these module numbers sent over REST as integers only (usecases/modulecomponents/settings
# getNumberValue takes a json.Number only when it parses as an int): a fractional value falls back to an invalid
# sentinel and the write is refused with a misleading "values are between 0.0 and 1.0". Seen on 1.39.3, for
# collections with named vectors, with these modules.
INTEGER_ONLY_NUMBER_MODULES = frozenset({"generative-openai", "generative-databricks", "generative-google"})
FRACTIONAL_SETTINGS = frozenset({"temperature", "top_p", "frequency_penalty", "presence_penalty"})


def _fractional_settings_rejected(name: str, coll: dict[str, Any], version: Version) -> list[PlanError]:
    if version[:2] != (1, 39) or not coll.get("vectors"):
        return []
    errors = []
    for kind in ("generative", "reranker"):
        ref = coll.get(kind) or {}
        spec = catalog.lookup(str(ref.get("module")))
        if spec is None or spec.name not in INTEGER_ONLY_NUMBER_MODULES:
            continue
        for key, value in ref.items():
            if key in FRACTIONAL_SETTINGS and isinstance(value, float) and not value.is_integer():
                errors.append(PlanError(
                    ErrorCode.FRACTIONAL_SETTING, f"{kind} {spec.name} {key}: {value}: Weaviate 1.39 rejects "
                    "fractional values of this setting over REST (a server bug: it parses them as integers); use 0 "
                    "or 1, or set it per query", name, f"{kind}.{key}"))
    return errors


def _alias_fields(coll: dict[str, Any], change: Differences, live_aliases: list[dict[str, str]], version: Version,
                   live_classes: set[str], claimed: set[str]) -> None:
    """The alias fields (and their errors) of one collection. `claimed`: every alias a collection of the file
    declares; one moving to another collection is that collection's change (PUT), never also a removal from this
    one."""
    if "aliases" not in coll:
        return
    target = change.collection
    wanted = {collection_name(str(a)) for a in coll.get("aliases") or []}
    live_map = {str(a.get("alias")): str(a.get("class")) for a in live_aliases}
    fields: list[FieldChange] = []
    for alias in sorted(wanted):
        current = live_map.get(alias)
        if current != target:
            if alias.lower() in live_classes:
                change.errors.append(PlanError(ErrorCode.ALIAS_TAKEN_BY_COLLECTION,
                                               f"alias {alias} cannot be created: a collection has that name",
                                               path="aliases"))
            fields.append(FieldChange(("aliases", alias), current, target, FieldKind.ALIAS))
    for alias, cls in sorted(live_map.items()):
        if cls.lower() == target.lower() and alias not in wanted and alias not in claimed:
            fields.append(FieldChange(("aliases", alias), cls, None, FieldKind.ALIAS))
    if not fields:
        return
    if not at_least(version, MIN_VERSION["aliases"]):
        change.errors.append(PlanError(ErrorCode.NEEDS_VERSION, f"aliases need Weaviate >= {MIN_VERSION['aliases']}",
                                       path="aliases"))
    change.fields.extend(fields)
