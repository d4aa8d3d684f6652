"""One module per command; `register` attaches them all to the root group."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    from weavectl.commands import apply_cmd, explain_cmd, export_cmd, plan_cmd, smoke_cmd, validate_cmd

    for command in (validate_cmd.validate, validate_cmd.schema, plan_cmd.plan, apply_cmd.apply, smoke_cmd.smoke,
                    export_cmd.export, export_cmd.diff, explain_cmd.explain):
        if command.name not in group.commands:
            group.add_command(command)
