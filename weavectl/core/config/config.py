"""From parsed documents to one resolved config: merge files, apply an environment's overrides, interpolate.

Pure: the process environment is passed in as a mapping. Positions follow the data, so a problem found after
merging still points at the file, line and column that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from weavectl.core.config.diagnostics import Diagnostics, Path, Position
from weavectl.core.config.suggest import did_you_mean
from weavectl.core.config.yamldoc import Document
from weavectl.core.plaindata import plain_copy

_MAP_SECTIONS = ("api_keys", "environments")
_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def merge_documents(docs: list[Document], diags: Diagnostics) -> Document:
    """Several files (or a folder) act as one: collections concatenate, named sections merge by key."""
    if len(docs) == 1:
        return docs[0]
    merged: dict[str, Any] = {"version": 1, "collections": []}
    positions: dict[Path, Position] = {}
    for doc in docs:
        data = doc.data if isinstance(doc.data, dict) else {}
        for key, value in data.items():
            if key == "collections" and isinstance(value, list):
                offset = len(merged["collections"])
                merged["collections"].extend(value)
                for path, pos in doc.positions.items():
                    if path[:1] == ("collections",) and len(path) >= 2 and isinstance(path[1], int):
                        positions[("collections", path[1] + offset, *path[2:])] = pos
                positions.setdefault(("collections",), doc.positions.get(("collections",), Position(doc.file, 1, 1)))
            elif key == "external" and isinstance(value, list):
                merged.setdefault("external", []).extend(v for v in value if v not in merged.get("external", []))
            elif key in _MAP_SECTIONS and isinstance(value, dict):
                section = merged.setdefault(key, {})
                for name, item in value.items():
                    if name in section:
                        first = positions.get((key, name))
                        where = f" (first defined at {first})" if first else ""
                        diags.error(f"{key} entry '{name}' is defined in more than one file{where}",
                                    (key, name), doc.positions.get((key, name)))
                        continue
                    section[name] = item
                    _copy_positions(doc, (key, name), positions)
            elif key == "version":
                if value != merged["version"]:
                    merged["version"] = value
                    _copy_positions(doc, ("version",), positions)
            elif key in merged and key != "collections":
                diags.error(f"'{key}' is set in more than one file", (key,), doc.positions.get((key,)))
            else:
                merged[key] = value
                _copy_positions(doc, (key,), positions)
    return Document(merged, docs[0].file, positions, set().union(*(d.invalid for d in docs)),
                    templated=any(d.templated for d in docs))


def _copy_positions(doc: Document, prefix: Path, into: dict[Path, Position]) -> None:
    n = len(prefix)
    for path, pos in doc.positions.items():
        if path[:n] == prefix:
            into[path] = pos


def apply_environment(doc: Document, env_name: str, diags: Diagnostics) -> Document | None:
    """The document as environment `env_name` sees it: its overrides deep-merged into the collections."""
    data = doc.data if isinstance(doc.data, dict) else {}
    envs = data.get("environments")
    envs = envs if isinstance(envs, dict) else {}
    if env_name not in envs:
        known = sorted(envs)
        diags.error(f"unknown environment '{env_name}'", ("environments",), doc.position(("environments",)),
                    hint=did_you_mean(env_name, known) or (f"declared: {', '.join(known)}" if known
                                                           else "the file declares no environments"))
        return None
    env = envs[env_name] if isinstance(envs[env_name], dict) else {}
    # Copied on write: the collections an override changes are copied, the rest are shared with `doc`. Parsed
    # data is only read after this point (the checks, the planner), and each environment resolves from `doc`.
    out = dict(data)
    out["collections"] = list(out["collections"]) if isinstance(out.get("collections"), list) else []
    positions = dict(doc.positions)
    by_name = {str(c.get("name", "")).lower(): i for i, c in enumerate(out.get("collections") or [])
               if isinstance(c, dict)}
    overrides = env.get("collections")
    seen_overrides: dict[str, str] = {}
    for cname, override in (overrides if isinstance(overrides, dict) else {}).items():
        opath: Path = ("environments", env_name, "collections", cname)
        if cname.lower() in seen_overrides:
            diags.error(f"environment '{env_name}' overrides collection '{cname}' twice (also as "
                        f"'{seen_overrides[cname.lower()]}'; names are compared case-insensitively)",
                        opath, doc.position(opath))
            continue
        seen_overrides[cname.lower()] = cname
        if isinstance(override, dict) and "name" in override and str(override["name"]) != cname:
            diags.error("an environment override cannot rename a collection", (*opath, "name"),
                        doc.position((*opath, "name")), hint="remove `name:` from the override")
        index = by_name.get(cname.lower())
        if index is None:
            declared = [str(c.get("name")) for c in out.get("collections") or [] if isinstance(c, dict)]
            diags.error(f"environment '{env_name}' overrides collection '{cname}', which is not declared",
                        opath, doc.position(opath), hint=did_you_mean(cname, declared))
            continue
        if not isinstance(override, dict):
            continue
        out["collections"][index] = plain_copy(out["collections"][index])
        _deep_merge(out["collections"][index], override, ("collections", index), opath, doc, positions)
    keys = env.get("api_keys")
    if isinstance(keys, dict) and keys:
        out["api_keys"] = dict(out["api_keys"]) if isinstance(out.get("api_keys"), dict) else {}
        for name, source in keys.items():
            out["api_keys"][name] = source
            _repoint(doc, ("environments", env_name, "api_keys", name), ("api_keys", name), positions)
    return Document(out, doc.file, positions, doc.invalid, templated=doc.templated)


def _deep_merge(base: dict[str, Any], override: dict[str, Any], bpath: Path, opath: Path,
                doc: Document, positions: dict[Path, Position]) -> None:
    for key, value in override.items():
        if key == "name":
            continue
        target = (*bpath, key)
        if key == "properties" and isinstance(value, list) and isinstance(base.get(key), list):
            _merge_properties(base[key], value, target, (*opath, key), doc, positions)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value, target, (*opath, key), doc, positions)
        else:
            base[key] = plain_copy(value)
            _repoint(doc, (*opath, key), target, positions)


def _merge_properties(base: list[Any], override: list[Any], bpath: Path, opath: Path,
                      doc: Document, positions: dict[Path, Position]) -> None:
    """Properties merge by name: an override changes the named property's fields or appends a new one."""
    index = {str(p.get("name", "")).lower(): i for i, p in enumerate(base) if isinstance(p, dict)}
    for j, prop in enumerate(override):
        if not isinstance(prop, dict):
            continue
        i = index.get(str(prop.get("name", "")).lower())
        if i is None:
            base.append(plain_copy(prop))
            _repoint(doc, (*opath, j), (*bpath, len(base) - 1), positions)
        else:
            _deep_merge(base[i], prop, (*bpath, i), (*opath, j), doc, positions)


def _repoint(doc: Document, src: Path, dst: Path, positions: dict[Path, Position]) -> None:
    n = len(dst)
    for path in [p for p in positions if p[:n] == dst]:
        del positions[path]
    m = len(src)
    for path, pos in doc.positions.items():
        if path[:m] == src:
            positions[(*dst, *path[m:])] = pos


def interpolate(doc: Document, environ: Mapping[str, str], diags: Diagnostics, *,
                missing_is_error: bool) -> Document:
    """Replace ${VAR} and ${VAR:-default} in string values (for values that are not secrets); $$ is a $."""
    if not doc.templated:
        return doc
    return Document(_Interpolation(doc, environ, diags, missing_is_error).walk(doc.data, ()), doc.file,
                    doc.positions, doc.invalid)


class _Interpolation:
    """One document's ${VAR} replacement. Methods, not nested functions: a nested function that calls itself
    is a reference cycle, and it would hold the whole document until the cycle collector ran."""

    def __init__(self, doc: Document, environ: Mapping[str, str], diags: Diagnostics,
                 missing_is_error: bool) -> None:
        self.doc = doc
        self.environ = environ
        self.report = diags.error if missing_is_error else diags.warning

    def walk(self, value: Any, path: Path) -> Any:
        # A container none of whose values changed is kept, not rebuilt: what no variable touched stays shared.
        if isinstance(value, dict):
            new = {k: self.walk(v, (*path, k)) for k, v in value.items()}
            return value if all(new[k] is v for k, v in value.items()) else new
        if isinstance(value, list):
            items = [self.walk(v, (*path, i)) for i, v in enumerate(value)]
            return value if all(a is b for a, b in zip(items, value, strict=True)) else items
        if isinstance(value, str) and "$" in value:
            return _VAR.sub(lambda m: self.sub(m, path), value)
        return value

    def sub(self, match: re.Match[str], path: Path) -> str:
        if match.group(0) == "$$":
            return "$"
        name, default = match.group(1), match.group(2)
        if name in self.environ:
            return self.environ[name]
        if default is not None:
            return default
        self.report(f"${{{name}}} is not set in the environment", path, self.doc.position(path),
                    hint=f"export {name}, or give a default: ${{{name}:-value}}")
        return match.group(0)


# -- URLs ------------------------------------------------------------------------------------------------------
CREDENTIALS_GO = ("credentials do not belong in the URL: give the API key through the environment's `auth` key "
                  "source or WEAVIATE_API_KEY")


def check_url(url: object) -> str | None:
    """Why `url` cannot be a Weaviate REST URL, or None when it can. Never repeats a password it contains."""
    if not isinstance(url, str) or not url.strip():
        return "the URL is empty"
    if url != url.strip() or any(c.isspace() or ord(c) < 32 for c in url):
        return "the URL contains spaces or control characters"
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        return f"the URL cannot be parsed ({exc})"
    if "://" not in url:
        return "the URL has no scheme: write it as http://HOST:PORT or https://HOST"
    if parts.scheme not in ("http", "https"):
        return f"the URL's scheme must be http or https, not {parts.scheme or 'empty'!r}"
    if "@" in parts.netloc:
        return f"the URL holds a user name or password; {CREDENTIALS_GO}"
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        return f"the URL's port {parts.netloc.rpartition(':')[2]!r} is not a number from 1 to 65535"
    if not host:
        return "the URL has no host"
    if port == 0:
        return "the URL's port 0 is not a port a server listens on"
    if parts.query or parts.fragment:
        return "the URL must not have a query (?...) or fragment (#...): give the server's base URL"
    if "${" in url or "}" in url or "{" in url:
        return "the URL holds '{' or '}': a ${VAR} that was not closed, or a stray brace"
    return None


def check_environment_url(doc: Document, env_name: str, diags: Diagnostics) -> None:
    """The environment's url, once interpolated, must be a usable Weaviate URL (validate says so offline)."""
    envs = doc.data.get("environments") if isinstance(doc.data, dict) else None
    env = envs.get(env_name) if isinstance(envs, dict) else None
    url = env.get("url") if isinstance(env, dict) else None
    if not isinstance(url, str) or _VAR.search(url.replace("$$", "")):
        return  # not a string (the schema says so) or a variable that is not set (reported already)
    problem = check_url(url)
    if problem is not None:
        path: Path = ("environments", env_name, "url")
        hint = ("a ${VAR:-default} ends at the first '}': a '}' after it is left in the URL" if "}" in url
                else None)
        diags.error(f"url: {problem}", path, doc.position(path), hint=hint)
