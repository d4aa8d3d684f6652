"""Diagnostics accumulate: validation reports every problem at once, each with where, what and what instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from weavectl.core.redact import MASK, looks_like_secret, mask_secret_like

Path = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Position(NamedTuple):
    """1-based line and column. A NamedTuple: one is made for every node of a large file."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    message: str
    path: Path = ()
    position: Position | None = None
    hint: str | None = None  # "did you mean ..." or how to fix

    def render(self) -> str:
        where = str(self.position) if self.position else "<config>"
        text = f"{where}: {self.severity.value}: {mask_secret_like(self.message)}"
        if self.path:
            text += f" (at {format_path(self.path)})"
        if self.hint:
            text += f"\n    {mask_secret_like(self.hint)}"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "message": mask_secret_like(self.message),
            "path": format_path(self.path),
            "file": self.position.file if self.position else None,
            "line": self.position.line if self.position else None,
            "column": self.position.column if self.position else None,
            "hint": mask_secret_like(self.hint) if self.hint else None,
        }


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, str) and looks_like_secret(part):
            part = MASK  # a key written as a mapping key: the path names where, never what
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


@dataclass
class Diagnostics:
    items: list[Diagnostic] = field(default_factory=list)

    def error(self, message: str, path: Path = (), position: Position | None = None,
              hint: str | None = None) -> None:
        self.items.append(Diagnostic(Severity.ERROR, message, path, position, hint))

    def warning(self, message: str, path: Path = (), position: Position | None = None,
                hint: str | None = None) -> None:
        self.items.append(Diagnostic(Severity.WARNING, message, path, position, hint))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    def sorted(self) -> list[Diagnostic]:
        def key(d: Diagnostic) -> tuple[str, int, int, str]:
            p = d.position
            return (p.file, p.line, p.column, d.message) if p else ("", 0, 0, d.message)

        return sorted(self.items, key=key)
