"""One module per command; `register` attaches them all to the root group."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    commands: list[click.Command] = []
    for command in commands:
        if command.name not in group.commands:
            group.add_command(command)
