"""`weavectl explain`: the exact text Weaviate sends to each vector's module for a sample object."""

from __future__ import annotations

import json

import click

from weavectl.adapters.environment import current_environment
from weavectl.commands.plan_cmd import config_options
from weavectl.core.redact import REDACTOR
from weavectl.errors import ExitCode, UsageError
from weavectl.run import connect, load_config


@click.command()
@click.argument("collection")
@config_options
@click.option("--object-id", "object_ids", multiple=True, help="A live object of the collection (repeatable).")
@click.option("--sample", type=int, help="The file's smoke sample object number N (1-based; default 1).")
@click.option("--jsonl", help="Objects from this JSONL (or CSV) file, one per line.")
@click.option("--vector", help="Only this named vector.")
@click.option("--live", is_flag=True, help="Use the live collection's stored definition (implied by --object-id).")
@click.option("--server-version", help="Apply this Weaviate version's rules to the file's definition "
                                       "(default 1.39.3; the live server's version with --live).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def explain(collection: str, files: tuple[str, ...], env_name: str | None, url: str | None,
            object_ids: tuple[str, ...], sample: int | None, jsonl: str | None, vector: str | None, live: bool,
            server_version: str | None, fmt: str) -> int:
    """Show, per named vector, the exact text the module embeds for an object, and its length."""
    from weavectl.explain import explain as run_explain
    from weavectl.explain import render_text

    if sum(bool(x) for x in (object_ids, sample is not None, jsonl)) > 1:
        raise UsageError("choose one of --object-id, --sample and --jsonl")
    needs_file = not (object_ids or live) or sample is not None or bool(files)
    env = current_environment()
    loaded = load_config(files, env_name, env.environ) if needs_file else None
    client = None
    if object_ids or live:
        if loaded is None:
            if not (url or env.environ.get("WEAVIATE_URL")):
                raise UsageError("no Weaviate URL: pass --url or export WEAVIATE_URL")
            from weavectl.adapters.weaviate import WeaviateClient

            client = WeaviateClient(str(url or env.environ["WEAVIATE_URL"]), api_key=env.environ.get(
                "WEAVIATE_API_KEY"), transport=env.transport)
        else:
            client = connect(loaded, url, env)
    try:
        result = run_explain(loaded, collection, client=client, object_ids=object_ids, sample=sample, jsonl=jsonl,
                             vector=vector, version=server_version)
    finally:
        if client is not None:
            client.close()
    if fmt == "json":
        env.echo(REDACTOR.scrub(json.dumps(result.to_json(), indent=2, ensure_ascii=False)))
    else:
        env.echo(render_text(result))
    return ExitCode.OK
