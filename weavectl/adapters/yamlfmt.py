"""`weavectl fmt`: rewrite a config file in one canonical style, keeping its comments.

ruamel.yaml's round-trip mode keeps comments, quotes and anchors; PyYAML (which the rest of weavectl reads
with) drops comments, so it cannot be used to write a user's file. The style: key order from core.fmt_order;
2-space mappings, list dashes indented under their key; a list of scalars, or a mapping of scalars, in flow
style (`[a, b]`, `{ name: x, data_type: text }`) when it fits on one line and holds no comment, block style
otherwise. A rewrite that would lose a comment is refused (the comments are compared before and after).
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from weavectl.core.config.fmt_order import child_kind, sort_keys
from weavectl.errors import ConfigError

FLOW_WIDTH = 100


def _yaml() -> YAML:
    rt = YAML()
    rt.preserve_quotes = True
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 4096  # never fold long strings: a folded ${VAR} or URL is harder to read and to grep
    return rt


def _scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _inner_comments(node: Any) -> bool:
    """Comments held inside a node (after any of its entries): such a node stays in block style, where each
    comment keeps its line. A comment on the line of the node's own key is held by the parent, so
    `additions: [a, b]  # why` stays as written."""
    ca = getattr(node, "ca", None)
    if ca is None:
        return False
    if ca.comment and any(ca.comment[1:] if isinstance(node, list) else ca.comment):
        return True  # (a list's ca.comment[0] is the comment after the list: it follows the `]`)
    # ruamel writes a flow list's last end-of-line comment after the `]`; a flow mapping's would break the `}`.
    keys = list(node) if isinstance(node, dict) else list(range(len(node) - 1))
    return any(ca.items.get(k) and any(ca.items[k]) for k in keys)


def _flow_length(node: Any) -> int:
    if isinstance(node, dict):
        return sum(len(str(k)) + _flow_length(v) + 4 for k, v in node.items()) + 4
    if isinstance(node, list):
        return sum(_flow_length(v) + 2 for v in node) + 2
    return len(str(node)) + 2


def _style(node: Any, width: int, allow_flow_map: bool) -> None:
    if not isinstance(node, CommentedMap | CommentedSeq):
        return
    flat = all(_scalar(v) for v in (node.values() if isinstance(node, dict) else node))
    fits = _flow_length(node) + width <= FLOW_WIDTH and not _inner_comments(node)
    if isinstance(node, CommentedSeq):
        if flat and fits and len(node) > 0:
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
    elif isinstance(node, CommentedMap):
        if allow_flow_map and flat and fits and len(node) > 0:
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()


def _canonical(node: Any, kind: str | None, depth: int) -> None:
    if isinstance(node, CommentedMap):
        if kind is not None:
            order = sort_keys([str(k) for k in node], kind)
            for key in order:
                node.move_to_end(key)
        for key, value in node.items():
            sub = child_kind(kind, key) if kind is not None else None
            _canonical(value, sub, depth + 1)
            # Collection entries and the sections holding named maps stay in block style for readability.
            _style(value, 2 * depth + len(str(key)), allow_flow_map=kind not in ("root", None) or
                   sub in ("key_source",))
    elif isinstance(node, CommentedSeq):
        for item in node:
            _canonical(item, kind, depth + 1)
            if isinstance(item, CommentedMap) and kind != "collection":
                _style(item, 2 * depth + 2, allow_flow_map=True)


def comments(text: str) -> Counter[str]:
    """Every comment in the raw text (ruamel's tree drops some, e.g. inside flow mappings, so it cannot be the
    judge): a `#` at a line start or after whitespace, outside every scalar the YAML scanner finds."""
    inside: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.ScalarToken):
                inside.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        pass  # already parsed by ruamel; whatever the scanner saw up to here still counts
    inside.sort()
    found: Counter[str] = Counter()
    offset = 0
    for line in text.splitlines(keepends=True):
        for i, char in enumerate(line):
            if char != "#" or (i > 0 and line[i - 1] not in " \t"):
                continue
            at = offset + i
            if any(a <= at < b for a, b in inside):
                continue
            found[line[i:].rstrip()] += 1
            break
        offset += len(line)
    return found


def format_text(text: str, where: str) -> tuple[str, list[str]]:
    """(the canonical text, comments it would lose). The text is unchanged when comments would be lost."""
    rt = _yaml()
    try:
        data = rt.load(text)
    except YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML, so it was not formatted: {exc}".splitlines()[0],
                          hint="run `weavectl validate` to see where") from None
    if not isinstance(data, CommentedMap):
        raise ConfigError(f"{where}: the top level is not a mapping, so it was not formatted")
    _canonical(data, "root", 0)
    out = io.StringIO()
    rt.dump(data, out)
    result = out.getvalue()
    lost = comments(text) - comments(result)
    if lost:
        return text, sorted(lost)
    return result, []
