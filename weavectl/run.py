"""Orchestration: load -> connect -> fetch live state -> resolve key sources -> plan. The only place that
wires the pure core to the adapters; the use cases (`weavectl/usecases/`) call these functions with the
`Environment` they were given, and warnings go to that environment's stderr.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weavectl.adapters import secrets
from weavectl.adapters.cluster import probe_scale, read_facts
from weavectl.adapters.collector import collector_paused
from weavectl.adapters.environment import Environment
from weavectl.adapters.files import config_paths, load_documents
from weavectl.adapters.parsecache import ParseCache, checked_documents
from weavectl.adapters.state import StateStore
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.core.config.config import check_url
from weavectl.core.config.diagnostics import Diagnostics
from weavectl.core.config.suggest import did_you_mean
from weavectl.core.config.yamldoc import Document
from weavectl.core.plan.generations import STATE_COLLECTION, migrates
from weavectl.core.plan.migration import stale_vectors
from weavectl.core.plan.model import Action, ErrorCode, Plan, PlanError
from weavectl.core.plan.ownership import DEFAULT_OWNER, OWNER_KIND, hide_state_collection, restrict_prune
from weavectl.core.plan.planner import PlanInput, build_plan
from weavectl.core.weaviate import catalog
from weavectl.core.weaviate.cluster import SCALE_MIN_VERSION, ClusterFacts, ScaleProbe, declared_factor, factor_changes
from weavectl.core.weaviate.usage import used_modules
from weavectl.core.weaviate.version import at_least, parse_version, support_problem
from weavectl.errors import ConfigError, KeySourceError, ServerError, UsageError


@dataclass
class Loaded:
    document: Document
    env_name: str | None
    base_dir: Path
    warnings: list[str]

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.document.data
        return data

    def environment(self) -> dict[str, Any]:
        if self.env_name is None:
            return {}
        env: dict[str, Any] = (self.data.get("environments") or {}).get(self.env_name) or {}
        return env


def load_config(files: tuple[str, ...], env_name: str | None, environ: Mapping[str, str]) -> Loaded:
    """Load and validate; any error stops here with every problem listed (plan never runs on a bad file)."""
    diags = Diagnostics()
    cache = ParseCache.for_environ(environ)
    docs = load_documents(files, diags, cache)
    result = checked_documents(docs, cache, diags, env_name=env_name, environ=environ, missing_var_is_error=True)
    if diags.errors or result is None or result.document is None:
        listing = "\n".join(d.render() for d in diags.sorted() if d.severity == "error")
        raise ConfigError(f"the config is not valid:\n{listing}", hint="run `weavectl validate` for details")
    data = result.document.data
    chosen = env_name or data.get("default_environment")
    paths = config_paths(files)
    return Loaded(result.document, chosen, paths[0].parent if paths else Path("."),
                  [d.render() for d in diags.warnings])


def new_client(url: str, api_key: str | None, env: Environment, *, source: str = "the URL") -> WeaviateClient:
    """The one way commands get a Weaviate client: the URL checked up front (a usage error naming where it
    came from), the key normalised, --timeout / WEAVECTL_TIMEOUT applied, progress shown on a terminal."""
    problem = check_url(url)
    if problem is not None:
        raise UsageError(f"{source} is not a usable Weaviate URL: {problem}")
    return WeaviateClient(url, api_key=api_key, transport=env.transport, timeout=env.wait_limit,
                          progress=env.warn if env.progress else None)


def connect(loaded: Loaded, url: str | None, env: Environment) -> WeaviateClient:
    settings = loaded.environment()
    if url:
        target, source = url, "--url"
    elif settings.get("url"):
        target, source = settings["url"], f"environment {loaded.env_name}'s url"
    elif env.environ.get("WEAVIATE_URL"):
        target, source = env.environ["WEAVIATE_URL"], "WEAVIATE_URL"
    else:
        raise UsageError("no Weaviate URL: pass --url, set `url` in the environment, or export WEAVIATE_URL")
    return new_client(str(target), weaviate_key(loaded, env), env, source=source)


def client_for(files: tuple[str, ...], env_name: str | None, url: str | None,
               env: Environment) -> tuple[WeaviateClient, Loaded]:
    """A client for an environment of the file, or for a URL alone (no file needed)."""
    if env_name is not None:
        loaded = load_config(files, env_name, env.environ)
    else:
        loaded = Loaded(Document({"version": 1, "collections": []}, "<none>"), None, Path("."), [])
    return connect(loaded, url, env), loaded


def weaviate_key(loaded: Loaded, env: Environment, auth: Any = None) -> str | None:
    """The Weaviate API key: the environment's `auth` key source (or `auth` given), else WEAVIATE_API_KEY."""
    auth = auth if auth is not None else loaded.environment().get("auth")
    if auth:
        try:
            return secrets.resolve(auth, environ=env.environ, base_dir=loaded.base_dir,
                                   warn=lambda m: env.warn(f"Weaviate API key: {m}"), timeout=env.wait_limit)
        except KeySourceError as exc:
            raise KeySourceError(f"the Weaviate API key (`auth`): {exc.message}", hint=exc.hint) from None
    if env.environ.get("WEAVIATE_API_KEY") is not None:
        return secrets.normalise(env.environ["WEAVIATE_API_KEY"], "WEAVIATE_API_KEY",
                                 lambda m: env.warn(f"Weaviate API key: {m}")) or None
    return None


def credentials_needed(collections: list[dict[str, Any]]) -> list[str]:
    names: list[str] = []
    for coll in collections:
        if coll.get("state") == "absent":
            continue
        for module in used_modules(coll):
            spec = catalog.lookup(module)
            for cred in spec.all_credentials if spec else ():
                if cred not in names:
                    names.append(cred)
    return names


def resolve_keys(loaded: Loaded, env: Environment) -> tuple[dict[str, str], list[str]]:
    needed = credentials_needed(loaded.data.get("collections") or [])
    return secrets.resolve_all(loaded.data.get("api_keys") or {}, needed, environ=env.environ,
                               base_dir=loaded.base_dir, warn=env.warn, timeout=env.wait_limit)


KEY_USERS = "smoke, apply --smoke, and imports and queries that embed"


def _warn_named(env: Environment, name: str, message: str) -> None:
    env.warn(f"api key '{name}': {message}")


def key_sources_status(loaded: Loaded, env: Environment) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Resolve every declared key source the file's modules use: (values, one status record per source).

    Records name the source and the collections that need it, never a value. Plan and apply write only schema,
    so they do not need provider keys; an unresolved source is reported, and fails only what embeds.
    """
    sources = loaded.data.get("api_keys") or {}
    users: dict[str, list[str]] = {}
    for coll in loaded.data.get("collections") or []:
        if not isinstance(coll, dict) or coll.get("state") == "absent":
            continue
        for module in used_modules(coll):
            spec = catalog.lookup(module)
            for cred in spec.all_credentials if spec else ():
                if cred in sources and str(coll.get("name")) not in users.setdefault(cred, []):
                    users[cred].append(str(coll.get("name")))
    values: dict[str, str] = {}
    status: list[dict[str, Any]] = []
    for name in sorted(users):
        record: dict[str, Any] = {"name": name, "source": secrets.describe(sources[name]),
                                  "collections": sorted(users[name]), "needed_by": KEY_USERS}
        try:
            values[name] = secrets.resolve(sources[name], environ=env.environ, base_dir=loaded.base_dir,
                                           warn=functools.partial(_warn_named, env, name), timeout=env.wait_limit)
            record["resolved"] = True
        except KeySourceError as exc:
            record["resolved"] = False
            record["problem"] = exc.message
        status.append(record)
    return values, status


def check_server_version(reported: str, url: str) -> str | None:
    """Stop on a server older than the supported range; the warning to show for a newer or unknown one."""
    problem = support_problem(reported)
    if problem is None:
        return None
    severity, message = problem
    if severity == "error":
        raise ServerError(f"{url}: {message}", hint="see the supported versions in README.md")
    return message


@dataclass
class Planned:
    plan: Plan
    loaded: Loaded
    client: WeaviateClient
    keys: dict[str, str]
    live_classes: dict[str, dict[str, Any]]
    hostname: str = ""  # the server's /v1/meta hostname, read with the plan's reads
    node_names: list[str] | None = None  # /v1/nodes, read with them when asked for (read_node_names)


def make_plan(loaded: Loaded, client: WeaviateClient, *, targets: tuple[str, ...] = (), prune: bool = False,
              env: Environment, replace: tuple[str, ...] = (), verify_targets: bool = True,
              read_node_names: bool = False) -> Planned:
    """verify_targets: refuse --target names that match nothing (off for the re-plan after an apply, which may
    have deleted a targeted collection); read_node_names: read the cluster's node names with the live state (a
    shown plan's digest covers them) unless the file declares replication (its member read lists them)."""
    collections = [c for c in loaded.data.get("collections") or [] if isinstance(c, dict)]
    names_wanted = read_node_names and not any(declared_factor(c) is not None for c in collections)
    live = client.read_state(node_names=names_wanted)
    version_warning = check_server_version(live.version, live.url)
    if verify_targets:
        check_targets(targets, [str(c.get("name")) for c in collections],
                      [str(c.get("class")) for c in live.classes])
    keys, key_status = key_sources_status(loaded, env)
    facts, probes = _cluster_facts(client, collections, live.classes, live.version, targets)
    migrations: dict[str, str] = {}
    if any(migrates(c) for c in collections) and any(c.get("class") == STATE_COLLECTION for c in live.classes):
        from weavectl.migrate import unfinished

        migrations = unfinished(client)
    with collector_paused():  # the comparison allocates much and makes no cycles
        plan = build_plan(PlanInput(
            collections=collections, live_classes=live.classes, live_aliases=live.aliases,
            live_modules=live.modules, server_url=live.url, server_version=live.version, targets=list(targets),
            prune=prune, environment=loaded.env_name, replace=list(replace), migrations=migrations,
            cluster=facts, scale_probes=probes,
        ))
    if any(c.action is Action.MIGRATE or (c.action is Action.UPDATE and stale_vectors(c)) for c in plan.changes):
        from weavectl.cost import add_costs

        add_costs(plan, client, collections, live.version)
    plan.key_sources = key_status
    apply_external(plan, loaded.data.get("external") or [], collections, live.classes)
    hide_state_collection(plan)
    if prune:
        records = {key: data for key, data in StateStore(client).list(OWNER_KIND)}
        absent = {str(c.get("name", "")).lower() for c in collections if c.get("state") == "absent"}
        restrict_prune(plan, owner(loaded), records, absent)
    plan.warnings.extend(loaded.warnings)
    if version_warning:
        plan.warnings.insert(0, version_warning)
    declared = loaded.data.get("api_keys") or {}
    specs = [s for coll in collections for m in used_modules(coll) if (s := catalog.lookup(m)) is not None]
    primary = {c for spec in specs for c in spec.credentials}
    alternatives = {c for spec in specs for c in spec.credential_alternatives}
    for cred in sorted(primary):
        if cred not in declared and not (alternatives & set(declared)):
            header = catalog.CREDENTIALS[cred].header if cred in catalog.CREDENTIALS else cred
            plan.warnings.append(f"no key source for '{cred}': the server must hold that key itself, or requests "
                                 f"(imports, queries) must send {header}")
    if client.api_key:
        _check_hidden_collections(plan, client)
    by_name = {str(c.get("class")): c for c in live.classes}
    _destroy_facts(plan, client, by_name)
    return Planned(plan, loaded, client, keys, by_name, hostname=live.hostname, node_names=live.node_names)


def _cluster_facts(client: WeaviateClient, collections: list[dict[str, Any]], live_classes: list[dict[str, Any]],
                   version: str, targets: tuple[str, ...]) -> tuple[ClusterFacts, dict[str, ScaleProbe]]:
    """Members and leader (two small reads) only when a collection declares replication or its factor changes (the
    checks need them), so any other plan makes its three reads whatever the cluster's size; shard replicas
    only when a live collection declares a factor; the server's scale plan (a read) for each factor change."""
    changes = factor_changes(collections, live_classes)
    if not changes and not any(declared_factor(c) is not None for c in collections):
        return ClusterFacts(read_from=client.url, leader=None, nodes=[], members_read=False), {}
    wanted = {t.lower() for t in targets}
    live_names = {str(c.get("class", "")).lower() for c in live_classes}
    with_shards = any(declared_factor(c) is not None and str(c.get("name", "")).lower() in live_names
                      for c in collections)
    facts = read_facts(client, with_shards=with_shards)
    probes: dict[str, ScaleProbe] = {}
    if at_least(parse_version(version), SCALE_MIN_VERSION):
        for name, _, factor in changes:
            if not wanted or name.lower() in wanted:
                probes[name.lower()] = probe_scale(client, name, factor)
    return facts, probes


def check_targets(targets: tuple[str, ...], declared: list[str], live: list[str]) -> None:
    """--target names a collection of the file or of the cluster (an unmanaged one shows as such, or is pruned);
    a name that is neither is a typo: an error, never an empty plan."""
    known = {n.lower() for n in (*declared, *live)}
    unknown = [t for t in targets if t.lower() not in known]
    if unknown:
        hints = [h for t in unknown if (h := did_you_mean(t, [*declared, *live]))]
        raise UsageError(f"--target {', '.join(unknown)}: no such collection in the file or on the cluster",
                         hint="; ".join(hints) or (f"the file's collections: {', '.join(sorted(declared))}"
                                                   if declared else None))


def owner(loaded: Loaded) -> str:
    return str(loaded.data.get("owner") or DEFAULT_OWNER)


def record_ownership(loaded: Loaded, client: WeaviateClient, plan: Plan) -> None:
    """After a successful apply: the collections it converged are this configuration's (recorded in the
    cluster); the ones it deleted are no one's."""
    store = StateStore(client)
    me = owner(loaded)
    converged = [c.collection for c in plan.changes if c.action is not Action.DELETE] + list(plan.unchanged)
    for name in sorted(set(converged)):
        store.put(OWNER_KIND, name.lower(), {"owner": me, "collection": name})
    for change in plan.changes:
        if change.action is Action.DELETE:
            store.delete(OWNER_KIND, change.collection.lower())


def apply_external(plan: Plan, external: list[str], collections: list[dict[str, Any]],
              live_classes: list[dict[str, Any]]) -> None:
    """Collections the file lists under `external:` are someone else's: never unmanaged, never pruned; a
    reference to one that does not exist (yet) is an error, since Weaviate refuses such a property."""
    wanted = {str(n).lower() for n in external}
    if not wanted:
        return
    declared = {str(c.get("name", "")).lower() for c in collections}
    wanted -= declared  # also declared in these files (a folder holding both): ours after all
    live = {str(c.get("class", "")).lower(): str(c.get("class")) for c in live_classes}
    plan.external = sorted(live[n] for n in wanted if n in live)
    plan.unmanaged = [n for n in plan.unmanaged if n.lower() not in wanted]
    pruned = [c for c in plan.changes if c.action is Action.DELETE and c.collection.lower() in wanted
              and c.collection.lower() not in declared]
    for change in pruned:
        plan.changes.remove(change)
        plan.fingerprints.pop(change.collection, None)
    for coll in collections:
        for prop in coll.get("properties") or []:
            targets = prop.get("target_collection") if isinstance(prop, dict) else None
            for target in [targets] if isinstance(targets, str) else targets or []:
                if str(target).lower() in wanted and str(target).lower() not in live:
                    plan.errors.append(PlanError(
                        ErrorCode.EXTERNAL_MISSING, f"property {prop.get('name')} references {target}, listed as "
                        "external, which does not exist on the server: create it first", str(coll.get("name")),
                        f"properties.{prop.get('name')}.target_collection"))


def _check_hidden_collections(plan: Plan, client: WeaviateClient) -> None:
    """/v1/schema omits collections the key may not read: never plan to create one that exists unseen."""
    from weavectl.adapters.weaviate import WeaviateRestError

    for change in plan.changes:
        if change.action is not Action.CREATE:
            continue
        try:
            if client.get_class(change.collection) is not None:
                plan.errors.append(PlanError(
                    ErrorCode.HIDDEN_COLLECTION, "exists on the server but /v1/schema did not list it (the API key "
                    "may not read it); refusing to plan its creation", change.collection))
        except WeaviateRestError as exc:
            if exc.status == 403:
                plan.errors.append(PlanError(
                    ErrorCode.UNREADABLE_COLLECTION, "the API key may not read this collection, so weavectl cannot "
                    "tell whether it exists; refusing to plan its creation", change.collection))
            else:
                raise


def _destroy_facts(plan: Plan, client: WeaviateClient, live: dict[str, dict[str, Any]]) -> None:
    """What a replace/delete would destroy: its object count (per tenant), who references it; and why an
    in-place change is irreversible. Counted only for those collections, so plans stay cheap."""
    from weavectl.adapters.objects import count_objects

    by_lower = {n.lower(): c for n, c in live.items()}
    for change in plan.changes:
        for why in change.irreversible:
            change.warnings.append(f"irreversible: {why}; needs --allow-destroy")
        current = by_lower.get(change.collection.lower())
        if not change.action.destroys_data or current is None:
            continue
        change.objects, change.tenant_objects = count_objects(client, current)
        change.referenced_by = sorted(
            str(c.get("class")) for c in live.values() if str(c.get("class")).lower() != change.collection.lower()
            and any(str(d).lower() == change.collection.lower() for p in c.get("properties") or []
                    for d in p.get("dataType") or []))
        held = "an unknown number of" if change.objects is None else str(change.objects)
        tenants = (" (" + ", ".join(f"{t}: {n}" for t, n in sorted(change.tenant_objects.items())) + ")"
                   if change.tenant_objects else "")
        change.warnings.append(f"holds {held} object(s){tenants}; the {change.action.value} loses them")
        if change.referenced_by:
            change.warnings.append("referenced by " + ", ".join(change.referenced_by)
                                   + " (their references to it dangle)")
