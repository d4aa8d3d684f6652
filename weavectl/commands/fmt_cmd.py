"""`weavectl fmt`: write config files in one canonical style (key order, flow style for short lists)."""

from __future__ import annotations

from pathlib import Path

import click

from weavectl.errors import ExitCode, WeavectlError


@click.command(name="fmt")
@click.option("-f", "--file", "files", multiple=True, help="Config file or folder (repeatable).")
@click.option("--check", is_flag=True, help="Change nothing; exit 2 if a file is not in canonical style.")
def fmt(files: tuple[str, ...], check: bool) -> int:
    """Rewrite config files in the canonical style, keeping comments (a file that would lose one is left as is)."""
    from weavectl.adapters.files import config_paths
    from weavectl.adapters.yamlfmt import format_text

    unformatted: list[Path] = []
    refused: list[str] = []
    for path in config_paths(files):
        try:
            text = path.read_text()
        except OSError as exc:
            raise WeavectlError(f"{path}: cannot be read: {exc.strerror}") from None
        result, lost = format_text(text, str(path))
        if lost:
            refused.append(f"{path}: left unchanged: formatting would lose {len(lost)} comment(s), e.g. {lost[0]}")
            continue
        if result != text:
            unformatted.append(path)
            if not check:
                path.write_text(result)
                click.echo(f"formatted {path}")
            else:
                click.echo(f"would reformat {path}")
    for message in refused:
        click.echo(message, err=True)
    if refused:
        return ExitCode.ERROR
    if check and unformatted:
        return ExitCode.CHANGES_PRESENT
    return ExitCode.OK
