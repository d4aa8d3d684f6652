"""The validation pipeline, pure: parsed documents in, diagnostics (and the resolved document) out.

schema check -> semantic checks -> for each environment: overrides, interpolation, checks again.
jsonschema's own messages are rewritten into "found X, expected Y" with the offending key's position.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from weavectl.core.config import paths, semantic
from weavectl.core.config.config import apply_environment, check_environment_url, interpolate, merge_documents
from weavectl.core.config.diagnostics import Diagnostics, Path
from weavectl.core.config.schema import build_schema
from weavectl.core.config.suggest import did_you_mean
from weavectl.core.config.yamldoc import Document
from weavectl.core.plaindata import plain_copy
from weavectl.core.redact import looks_like_secret

if TYPE_CHECKING:  # jsonschema is imported only when a file has errors to explain (it costs ~60 ms)
    import jsonschema
    from jsonschema.exceptions import ValidationError


@dataclass
class Validated:
    diagnostics: Diagnostics
    document: Document | None  # resolved for the chosen environment; None when parsing failed


class SchemaValidator:
    """jsonschema's validator behind a fast yes/no check.

    Most files are valid, and jsonschema walks a large file slowly (about 2.5 ms per collection); a compiled
    check answers "valid" in a fraction of that. Only when it says "invalid" does jsonschema run, to report
    every error with its path. The compiled check must never accept what jsonschema rejects: a test holds the
    two to the same answers on the whole invalid-config corpus, every example and fuzzed documents.
    """

    def __init__(self, schema: dict[str, Any], fast_check: Callable[[Any], bool] | None = None) -> None:
        self.schema = schema
        self.fast_check = fast_check
        self._full: jsonschema.Draft202012Validator | None = None
        # Whether jsonschema decided any document this validator checked (the compiled check refused it, or is
        # missing): a clean verdict kept for later runs must be the compiled check's (its version is in the key).
        self.fell_back = False

    @property
    def full(self) -> jsonschema.Draft202012Validator:
        if self._full is None:
            self._full = _ecma_validator()(self.schema)
        return self._full

    def iter_errors(self, instance: Any) -> Iterable[ValidationError]:
        if self.fast_check is not None and self.fast_check(instance):
            return ()
        self.fell_back = True
        return self.full.iter_errors(instance)


@functools.cache
def _ecma_validator() -> type[jsonschema.Draft202012Validator]:
    """Draft 2020-12 with `pattern` read as JSON Schema means it: an ECMA-262 regular expression (jsonschema hands
    it to Python's `re`, whose `$` also matches before a final newline, so a name written as a YAML block scalar,
    "Articles\n", passed; the compiled check and the server refuse it)."""
    import jsonschema
    from jsonschema.exceptions import ValidationError

    def pattern(validator: Any, regex: str, instance: Any, schema: Any) -> Iterable[ValidationError]:
        if validator.is_type(instance, "string") and not re.search(_ecma(regex), instance):
            yield ValidationError(f"{instance!r} does not match {regex!r}")

    extended: type[jsonschema.Draft202012Validator] = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        jsonschema.Draft202012Validator, {"pattern": pattern})
    return extended


@functools.lru_cache(maxsize=64)
def _ecma(regex: str) -> str:
    r"""`regex` for Python's `re` with ECMA-262's `$`: without the multiline flag it matches only at the very end,
    which is Python's `\Z` (a `$` escaped or inside a character class is left as it is)."""
    out: list[str] = []
    escaped = in_class = False
    for ch in regex:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "$":
            ch = "\\Z"
        out.append(ch)
    return "".join(out)


def make_validator(schema: dict[str, Any], fast_check: Callable[[Any], bool] | None = None) -> SchemaValidator:
    return SchemaValidator(schema, fast_check)


def validate_documents(
    docs: list[Document],
    validator: SchemaValidator,
    *,
    env_name: str | None,
    environ: Mapping[str, str],
    diags: Diagnostics | None = None,
    missing_var_is_error: bool = False,
    checked: bool = False,
) -> Validated:
    """`checked`: the one document's bytes passed the schema and semantic checks before without a diagnostic, with
    this same code (the caller's cache says so): they are not run on it again. Environments, and interpolation,
    are checked every time."""
    diags = diags if diags is not None else Diagnostics()
    doc = merge_documents(docs, diags)
    if not isinstance(doc.data, dict):
        diags.error(f"the top level must be a mapping with `version` and `collections`, found "
                    f"{_describe(doc.data)}", (), doc.position(()))
        return Validated(diags, None)
    bad: list[Path] = []
    if not (checked and len(docs) == 1):
        bad = schema_check(doc, validator, diags)
        # Report every problem at once: the semantic checks still run, on the parts the schema accepted.
        _semantic(doc, bad, diags)
    # Environments overlay only what the schema accepted; what it rejected is already reported.
    doc = prune(doc, bad) if bad else doc
    envs = [str(e) for e in (doc.data.get("environments") or {})]
    # Without --env every environment's overrides are checked; the default one is what callers get back.
    targets = [env_name] if env_name is not None else envs
    default_env = doc.data.get("default_environment")
    if env_name is None and isinstance(default_env, str) and default_env in envs:
        env_name = default_env
    chosen = doc
    for name in targets:
        env_diags = Diagnostics()
        resolved = apply_environment(doc, name, env_diags)
        if resolved is not None:
            resolved = interpolate(resolved, environ, env_diags, missing_is_error=missing_var_is_error)
            check_environment_url(resolved, name, env_diags)
            if bad or not _shares_all_parts(resolved, doc):
                _semantic(resolved, schema_check(resolved, validator, env_diags), env_diags)
            if name == env_name:
                chosen = resolved
        _add_new(diags, env_diags, name)
    if env_name is None:
        chosen = interpolate(doc, environ, diags, missing_is_error=missing_var_is_error)
    return Validated(diags, chosen)


def _shares_all_parts(resolved: Document, doc: Document) -> bool:
    """Whether an environment left every part of the file as it was: the same objects (parsed data is never
    modified in place), at the same positions. Its checks would then find exactly what the file's own found."""
    a, b = resolved.data, doc.data
    if not isinstance(a, dict) or not isinstance(b, dict) or a.keys() != b.keys():
        return False
    for key, value in a.items():
        other = b[key]
        if key == "collections" and isinstance(value, list) and isinstance(other, list):
            if len(value) != len(other) or any(x is not y for x, y in zip(value, other, strict=True)):
                return False
        elif value is not other:
            return False
    return resolved.positions == doc.positions


@functools.cache
def _config_schema() -> dict[str, Any]:
    return build_schema()


def _semantic(doc: Document, bad: list[Path], diags: Diagnostics) -> None:
    found = Diagnostics()
    semantic.check(prune(doc, bad) if bad else doc, found)
    collections = doc.data.get("collections") if isinstance(doc.data, dict) else None
    if isinstance(collections, list) and any(isinstance(c, dict) and "ignore_changes" in c for c in collections):
        paths.check_ignore_changes(doc, found, _config_schema())
    # A rejected value leaves its parent looking incomplete; the schema's message is the precise one.
    bad_parents = {b[:n] for b in bad for n in range(len(b))}
    diags.items.extend(d for d in found.items if d.path not in bad_parents)


def _add_new(into: Diagnostics, new: Diagnostics, env_name: str) -> None:
    """Each environment re-checks the shared parts; report each problem once, naming the environment when
    only that environment has it."""
    seen = {(d.severity, d.message, d.position) for d in into.items}
    for d in new.items:
        if (d.severity, d.message, d.position) in seen:
            continue
        seen.add((d.severity, d.message, d.position))
        into.items.append(replace(d, message=f"[environment {env_name}] {d.message}"))


def schema_check(doc: Document, validator: SchemaValidator, diags: Diagnostics) -> list[Path]:
    """Adds a diagnostic per schema violation; returns the paths of the offending values."""
    bad: list[Path] = []
    for error in validator.iter_errors(doc.data):
        for path, message, hint in _explain(error):
            bad.append(path)
            if path not in doc.invalid:
                diags.error(message, path, doc.position(path), hint)
    return bad


def prune(doc: Document, bad: list[Path]) -> Document:
    """A copy without the values the schema rejected (list items become None, keeping indices stable)."""
    data = plain_copy(doc.data)
    for path in sorted(bad, key=len, reverse=True):
        if not path:
            return Document({}, doc.file, doc.positions, doc.invalid, templated=doc.templated)
        parent: Any = data
        for part in path[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                parent = None
                break
        last = path[-1]
        if isinstance(parent, dict) and last in parent:
            del parent[last]
        elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
            parent[last] = None
    return Document(data, doc.file, doc.positions, doc.invalid, templated=doc.templated)


def _schema_of(error: ValidationError) -> dict[str, Any]:
    return error.schema if isinstance(error.schema, dict) else {}


def _vv(error: ValidationError) -> Any:
    """The schema value of the failed keyword (typed loosely by jsonschema's stubs)."""
    return error.validator_value


# An upper-case variable name (OPENAI_APIKEY) in a key source is shown back; anything else there may be a key.
_VARIABLE_LIKE = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def _is_key_source_path(path: Path) -> bool:
    """Inside a key source (api_keys, an environment's api_keys or auth): values there may be keys."""
    return (path[:1] == ("api_keys",) and len(path) >= 2) or (
        len(path) >= 3 and path[0] == "environments" and path[2] in ("api_keys", "auth"))


def _describe(value: Any, path: Path | None = None) -> str:
    """The value in words; a value inside a key source, or one that looks like a key, is never shown."""
    if value is not None and not isinstance(value, bool | list | dict) and (
            looks_like_secret(value) or (path is not None and _is_key_source_path(path) and isinstance(value, str)
                                         and not _VARIABLE_LIKE.match(value))):
        kind = "a number" if isinstance(value, int | float) else "a string"
        return f"{kind} (not shown: it may be a key)"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string ({shown!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__} ({value})"


def _shown(value: Any, path: Path | None = None) -> str:
    if looks_like_secret(value) or (path is not None and _is_key_source_path(path)):
        return "(not shown: it may be a key)"
    return repr(value) if path is not None else str(value)


_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "true or false", "null": "null"}


def _explain(error: ValidationError) -> list[tuple[Path, str, str | None]]:
    path: Path = tuple(error.absolute_path)
    kind = error.validator
    value = error.instance
    if kind == "additionalProperties" and isinstance(value, dict):
        allowed = list((_schema_of(error).get("properties") or {}).keys())
        extras = [k for k in value if k not in allowed]
        return [((*path, k), f"unknown key '{_shown(k)}'", did_you_mean(str(k), allowed)
                 or (f"expected one of: {', '.join(allowed)}" if allowed else None)) for k in extras]
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else str(_vv(error))
        return [(path, f"missing required key '{missing}'", None)]
    if kind == "type":
        expected = _vv(error)
        names = [expected] if isinstance(expected, str) else list(expected)
        want = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
        return [(path, f"expected {want}, found {_describe(value, path)}", None)]
    if kind == "enum":
        options = [str(o) for o in _vv(error)]
        return [(path, f"expected one of {', '.join(options)}; found {_describe(value, path)}",
                 did_you_mean(str(value), options) if isinstance(value, str) else None)]
    if kind == "const":
        return [(path, f"expected {_vv(error)!r}, found {_describe(value, path)}", None)]
    if kind == "pattern":
        if "propertyNames" in error.schema_path and isinstance(value, str):
            path = (*path, value)  # the offending key itself, not the mapping that holds it
        hint = None
        if isinstance(value, str) and "${" in value:
            hint = ("${VAR} is replaced only in values, after names are checked: write names out in full and use "
                    "an environment's overrides (environments.<name>.collections) for what differs")
        return [(path, f"{_describe(value, path)} is not a valid name here: it must match {_vv(error)}", hint)]
    if kind in ("anyOf", "oneOf"):
        return _explain_alternatives(error, path, value)
    if kind in ("maxProperties", "minProperties") and _is_key_source(error):
        return [(path, "a key source takes exactly one of env, file, command or literal, found "
                 + (", ".join(value) if isinstance(value, dict) and value else "none"), None)]
    if kind == "propertyNames":
        bad = error.instance
        return [((*path, str(bad)) if not isinstance(bad, dict) else path,
                 f"'{bad}' is not a valid name here", None)]
    return [(path, f"{error.message}", None)]


def _is_key_source(error: ValidationError) -> bool:
    props = _schema_of(error).get("properties") or {}
    return set(props) == {"env", "file", "command", "literal"}


def _explain_alternatives(error: ValidationError, path: Path, value: Any) -> list[tuple[Path, str, str | None]]:
    subs = list(error.context or [])
    enums = [s for s in subs if s.validator == "enum"]
    if enums and isinstance(value, str):
        options = [str(o) for e in enums for o in _vv(e)]
        return [(path, f"unknown value {_shown(value, path)}; expected one of {', '.join(options)}",
                 did_you_mean(value, options))]
    types = [s for s in subs if s.validator == "type" and tuple(s.absolute_path) == path]
    if len(types) == len(subs) and types:
        wanted = []
        for s in types:
            v = _vv(s)
            wanted.extend([v] if isinstance(v, str) else list(v))
        want = " or ".join(dict.fromkeys(_TYPE_NAMES.get(w, w) for w in wanted))
        return [(path, f"expected {want}, found {_describe(value, path)}", None)]
    # The alternative that got furthest (deepest path) is the one the user most likely meant.
    best = max(subs, key=lambda s: (len(s.absolute_path), s.validator != "type"), default=None)
    if best is not None:
        return _explain(best)
    return [(path, error.message, None)]
