"""`weavectl rollback` and `weavectl prune-generations`: the generations of `on_replace: migrate` collections."""

from __future__ import annotations

from typing import Any

import click

from weavectl.adapters.environment import current_environment
from weavectl.adapters.weaviate import WeaviateClient
from weavectl.commands.plan_cmd import config_options
from weavectl.core.plan.generations import current_generation, generation_number, generations, migrates
from weavectl.core.plan.migration import referenced_by
from weavectl.core.weaviate.rest import collection_name
from weavectl.errors import ExitCode, UsageError, WeavectlError
from weavectl.run import connect, load_config


def _migrating(files: tuple[str, ...], env_name: str | None, url: str | None) -> tuple[list[dict[str, Any]],
                                                                                         WeaviateClient]:
    env = current_environment()
    loaded = load_config(files, env_name, env.environ)
    colls = [c for c in loaded.data.get("collections") or [] if isinstance(c, dict) and migrates(c)]
    return colls, connect(loaded, url, env)


def _find(colls: list[dict[str, Any]], name: str) -> dict[str, Any]:
    for coll in colls:
        if str(coll["name"]).lower() == name.lower():
            return coll
    known = ", ".join(str(c["name"]) for c in colls) or "none"
    raise UsageError(f"{name} is not an `on_replace: migrate` collection of the file (those are: {known})")


@click.command()
@click.argument("collection")
@config_options
def rollback(collection: str, files: tuple[str, ...], env_name: str | None, url: str | None) -> int:
    """Point COLLECTION's aliases back at its previous generation (the data there is as the migration left it)."""
    colls, client = _migrating(files, env_name, url)
    try:
        coll = _find(colls, collection)
        state = client.read_state()
        names = [str(c.get("class")) for c in state.classes]
        base = collection_name(str(coll["name"]))
        current = current_generation(coll, names, state.aliases)
        older = [g for g in generations(base, names)
                 if (generation_number(base, g) or 0) < (generation_number(base, current) or 0)]
        if not older:
            raise WeavectlError(f"{base}: no generation older than {current} is kept; nothing to roll back to")
        previous = older[-1]
        for alias in coll.get("aliases") or []:
            client.update_alias(collection_name(str(alias)), previous)
            click.echo(f"alias {collection_name(str(alias))}: {current} -> {previous}")
        click.echo(f"Rolled back {base} to {previous}; {current} is kept. `weavectl plan` now shows the file's "
                   f"changes as a migration again (to a new generation).")
        return ExitCode.OK
    finally:
        client.close()


@click.command("prune-generations")
@click.argument("collections", nargs=-1)
@config_options
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
def prune_generations(collections: tuple[str, ...], files: tuple[str, ...], env_name: str | None, url: str | None,
                      auto_approve: bool) -> int:
    """Delete the generations the aliases no longer point at (all migrating collections, or those named)."""
    from weavectl.migrate import unfinished

    colls, client = _migrating(files, env_name, url)
    try:
        chosen = [_find(colls, c) for c in collections] if collections else colls
        state = client.read_state()
        names = [str(c.get("class")) for c in state.classes]
        running = {v.lower() for v in unfinished(client).values()}
        doomed: list[str] = []
        for coll in chosen:
            base = collection_name(str(coll["name"]))
            current = current_generation(coll, names, state.aliases)
            for gen in generations(base, names):
                if gen == current or gen.lower() in running:
                    continue
                refs = [r for r in referenced_by(gen, "\0", state.classes) if r["collection"] != gen]
                if refs:
                    what = ", ".join(f"{r['collection']}.{r['property']}" for r in refs)
                    click.echo(f"keeping {gen}: {what} still reference it", err=True)
                    continue
                doomed.append(gen)
        if not doomed:
            click.echo("No generations to prune.")
            return ExitCode.OK
        click.echo("Will delete, with their data: " + ", ".join(doomed))
        if not auto_approve:
            if not current_environment().interactive:
                raise UsageError("prune-generations needs confirmation: pass --auto-approve")
            if click.prompt("Delete them? Only 'yes' is accepted", default="", show_default=False) != "yes":
                raise WeavectlError("cancelled: nothing was deleted")
        for gen in doomed:
            client.delete_class(gen)
            click.echo(f"deleted {gen}")
        return ExitCode.OK
    finally:
        client.close()
