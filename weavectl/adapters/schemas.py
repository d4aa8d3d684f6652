"""The shipped JSON Schemas: inside the wheel under weavectl/schemas, or the repository's schemas/ folder."""

from __future__ import annotations

import hashlib
import json
import marshal
import re
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from weavectl.adapters.cachedir import cache_root, claim_private_folder, write_atomically
from weavectl.core.config.validate import SchemaValidator, make_validator
from weavectl.core.plaindata import plain_copy

CONFIG_SCHEMA = "weavectl.schema.json"
# Changes when the way the fast check's code is generated changes, so an older cached compile is not reused.
GENERATED_VARIANT = "names-unformatted"


def schema_path(name: str) -> Path:
    packaged = Path(__file__).resolve().parent.parent / "schemas" / name
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "schemas" / name


@cache
def load_schema(name: str = CONFIG_SCHEMA) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_path(name).read_text())
    return data


def config_validator() -> SchemaValidator:
    """The config schema's validator, with the compiled fast check in front when it is available."""
    return make_validator(load_schema(), fast_config_check())


@cache
def fast_config_check() -> Callable[[Any], bool] | None:
    """A compiled yes/no check of the config schema, or None (then jsonschema alone decides).

    Compiling the schema costs about 0.25 s, more than checking a large file, so the generated code is kept in
    the cache folder under the schema's hash (and fastjsonschema's version) and imported from there afterwards.
    Any trouble with the cache (read-only home, a half-written file) falls back to compiling in memory.
    """
    try:
        import fastjsonschema
    except ImportError:  # the fast path is an optimisation; jsonschema is always there
        return None
    schema = load_schema()
    digest = hashlib.sha256(
        (json.dumps(schema, sort_keys=True) + fastjsonschema.VERSION + GENERATED_VARIANT).encode()
    ).hexdigest()[:20]
    check: Callable[[Any], Any]
    try:
        check = _cached_check(schema, digest)
    except Exception:
        check = fastjsonschema.compile(plain_copy(schema))

    def is_valid(instance: Any) -> bool:
        try:
            check(instance)
        except fastjsonschema.JsonSchemaException:
            return False
        except Exception:  # anything odd in the generated check: let jsonschema decide
            return False
        return True

    return is_valid


def _cached_check(schema: dict[str, Any], digest: str) -> Callable[[Any], Any]:
    import fastjsonschema

    folder = cache_root() / "schema-checks"
    # Compiled bytecode is specific to the interpreter, so its tag is part of the name.
    path = folder / f"config_{digest}.{sys.implementation.cache_tag}.bin"
    if not claim_private_folder(folder):
        # Code is run from it: a folder others can write in could hold theirs. Compile in memory instead.
        raise PermissionError(f"{folder} is not a private folder of this user's")
    if path.is_file():
        code = marshal.loads(path.read_bytes())
    else:
        # The check only answers yes or no, so the generated code need not build the failing value's name: that
        # name is formatted from locals() before every call into a referenced definition, the fast check's main
        # cost on a file with thousands of properties.
        # On a copy: fastjsonschema rewrites the schema's $refs in place, and this one is shared (jsonschema reads it,
        # and its digest names the compiled file).
        source = fastjsonschema.compile_to_code(plain_copy(schema)).replace(".format(**locals())", "")
        # The generated entry point is named after the schema's $id; give it a fixed name.
        entry = re.search(r"^def (validate\w*)\(", source, flags=re.M)
        if entry is None:
            raise ImportError("no entry point in the generated schema check")
        code = compile(f"{source}\n\nweavectl_check = {entry.group(1)}\n", str(path), "exec")
        write_atomically(path, marshal.dumps(code))
    namespace: dict[str, Any] = {"__name__": f"weavectl_schema_check_{digest}"}
    exec(code, namespace)  # our own cache file, generated from our own shipped schema
    validate: Callable[[Any], Any] = namespace["weavectl_check"]
    return validate
