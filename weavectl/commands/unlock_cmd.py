"""`weavectl unlock`: show who holds the apply lock on a cluster, and clear it (for a holder that died)."""

from __future__ import annotations

import click

from weavectl.adapters.environment import current_environment
from weavectl.adapters.lock import clear, current_holder, describe, expired
from weavectl.commands.plan_cmd import config_options
from weavectl.errors import ExitCode, UsageError, WeavectlError
from weavectl.run import connect, load_config


@click.command()
@config_options
@click.option("--force", is_flag=True, help="Clear the lock without asking.")
def unlock(files: tuple[str, ...], env_name: str | None, url: str | None, force: bool) -> int:
    """Show the apply lock's holder and clear it. Only for an apply that died: a live one loses its lock."""
    env = current_environment()
    loaded = load_config(files, env_name, env.environ)
    client = connect(loaded, url, env)
    try:
        holder = current_holder(client)
        if holder is None:
            env.echo("No apply lock is held on this cluster.")
            return ExitCode.OK
        state = "expired" if expired(holder) else "held"
        env.echo(f"Apply lock {state} by {describe(holder)}")
        if not force:
            if not env.interactive:
                raise UsageError("unlock needs confirmation, but there is no terminal to ask on: pass --force")
            answer = click.prompt("Clear it? Only 'yes' is accepted", default="", show_default=False)
            if answer.strip() != "yes":
                raise WeavectlError("unlock cancelled: the lock is still held")
        clear(client)
        env.echo("Lock cleared.")
        return ExitCode.OK
    finally:
        client.close()
