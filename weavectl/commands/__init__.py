"""One module per command, imported only when that command runs.

`COMMANDS` maps each command name to `module:attribute`; the root group (`cli.LazyGroup`) lists them for
`--help` and completion without importing anything, so `weavectl --version` costs no more than click itself.
Adding a command: write `weavectl/commands/<name>_cmd.py` and add one line here.
"""

from __future__ import annotations

COMMANDS: dict[str, str] = {
    "validate": "weavectl.commands.validate_cmd:validate",
    "schema": "weavectl.commands.validate_cmd:schema",
    "plan": "weavectl.commands.plan_cmd:plan",
    "apply": "weavectl.commands.apply_cmd:apply",
    "smoke": "weavectl.commands.smoke_cmd:smoke",
    "export": "weavectl.commands.export_cmd:export",
    "diff": "weavectl.commands.export_cmd:diff",
    "explain": "weavectl.commands.explain_cmd:explain",
    "rollback": "weavectl.commands.migrate_cmd:rollback",
    "prune-generations": "weavectl.commands.migrate_cmd:prune_generations",
    "fmt": "weavectl.commands.fmt_cmd:fmt",
}
