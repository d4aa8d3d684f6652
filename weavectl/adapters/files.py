"""Reading config files and folders from disk; parsing itself is pure (`core.yamldoc`)."""

from __future__ import annotations

from pathlib import Path

from weavectl.core.diagnostics import Diagnostics, Position
from weavectl.core.yamldoc import Document, parse_yaml

DEFAULT_CONFIG = "weavectl.yaml"
MAX_CONFIG_BYTES = 32 * 1024 * 1024


def config_paths(inputs: tuple[str, ...] | list[str]) -> list[Path]:
    """`-f` values: files, or folders whose *.yaml / *.yml files are read in name order."""
    if not inputs:
        return [Path(DEFAULT_CONFIG)]
    paths: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            paths.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            paths.append(path)
    return paths


def load_documents(inputs: tuple[str, ...] | list[str], diags: Diagnostics) -> list[Document]:
    docs: list[Document] = []
    paths = config_paths(inputs)
    if not paths:
        diags.error(f"no *.yaml files in {', '.join(inputs)}")
    for path in paths:
        name = str(path)
        try:
            size = path.stat().st_size
            if size > MAX_CONFIG_BYTES:
                diags.error(f"the file is {size} bytes; configs over {MAX_CONFIG_BYTES} bytes are refused",
                            position=Position(name, 1, 1))
                continue
            raw = path.read_bytes()
        except FileNotFoundError:
            hint = "create weavectl.yaml here, or pass -f FILE" if name == DEFAULT_CONFIG else None
            diags.error(f"config file not found: {name}", hint=hint)
            continue
        except IsADirectoryError:
            diags.error(f"{name} is a directory")
            continue
        except OSError as exc:
            diags.error(f"cannot read {name}: {exc.strerror}")
            continue
        doc = parse_yaml(raw, name, diags)
        if doc is not None:
            docs.append(doc)
    return docs
