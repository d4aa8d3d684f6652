"""One module per command; `register` attaches them all to the root group."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    from weavectl.commands import plan_cmd, validate_cmd

    for command in (validate_cmd.validate, validate_cmd.schema, plan_cmd.plan):
        if command.name not in group.commands:
            group.add_command(command)
