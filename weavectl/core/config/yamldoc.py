"""Parse YAML text into plain data plus the source position of every node, without ever hanging or crashing.

Pure: takes text, returns data. Handles what users and fuzzers throw at a config file: syntax errors, tabs,
duplicate keys (YAML says they are errors; PyYAML silently keeps the last), alias bombs, binary data, an empty
document, non-string keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from weavectl.core.config.diagnostics import Diagnostics, Path, Position

# A generous ceiling on nodes visited while expanding aliases: real configs are far below it, while a
# "billion laughs" document would need billions.
MAX_EXPANDED_NODES = 1_000_000
MAX_DEPTH = 200
# libyaml's parser is several times faster and still gives node positions; fall back when it is missing.
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_KEY, _TAG = itemgetter(0), attrgetter("tag")


class _Loader(_BASE_LOADER):  # type: ignore[misc]
    """The safe loader, with the tag of each plain scalar remembered by its text.

    Resolving runs a list of regular expressions in Python for every scalar (a third of the parse), although a
    config repeats the same keys and values thousands of times. The safe loader registers no path resolvers, so
    a plain scalar's tag depends on its text alone (PyYAML's resolver.py, `Resolver.resolve`), and a quoted one,
    or a collection, gets the kind's default tag.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._plain_tags: dict[str, str] = {}

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is not ScalarNode or self.yaml_path_resolvers:
            return str(super().resolve(kind, value, implicit))
        if not implicit[0]:
            return _STR_TAG
        tag = self._plain_tags.get(value)
        if tag is None:
            tag = self._plain_tags[value] = str(super().resolve(kind, value, implicit))
        return tag


@dataclass
class Document:
    data: Any
    file: str
    positions: dict[Path, Position] = field(default_factory=dict)
    invalid: set[Path] = field(default_factory=set)  # values already reported as unparsable
    # False when no value can hold a ${VAR} (the text has no `$`), so interpolation has nothing to walk.
    templated: bool = True

    def position(self, path: Path) -> Position | None:
        """The position of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            pos = self.positions.get(tuple(path[:end]))
            if pos is not None:
                return pos
        return None


class _TooLarge(Exception):
    pass


class _Converter:
    def __init__(self, file: str, diags: Diagnostics) -> None:
        self.file = file
        self.diags = diags
        self.positions: dict[Path, Position] = {}
        self.invalid: set[Path] = set()
        self.visited = 0
        self._constructor = SafeConstructor()

    def pos(self, node: Node) -> Position:
        return Position(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def convert(self, node: Node, path: Path, depth: int = 0) -> Any:
        self.visited += 1
        if self.visited > MAX_EXPANDED_NODES or depth > MAX_DEPTH:
            raise _TooLarge
        if path not in self.positions:  # a mapping value: its key's position is already there
            self.positions[path] = self.pos(node)
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            return [self.convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        if node.tag == _STR_TAG:  # most values: skip the generic constructor
            return node.value
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:  # e.g. an unparsable !!binary
            self.diags.error(f"invalid value: {_problem(exc)}", path, self.pos(node))
        except Exception:  # PyYAML's constructors fail in many ways on a value that does not fit its tag
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.diags.error(f"invalid value {node.value!r} for the tag {tag}", path, self.pos(node))
        # Remember it, so the schema does not add a second, misleading "found nothing" at the same place.
        self.invalid.add(path)
        return None

    def _mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        pairs = node.value
        if _MERGE_TAG in map(_TAG, map(_KEY, pairs)):  # every mapping is looked at: in C, not a Python loop
            pairs = self._merged_pairs(node, path)
        out: dict[str, Any] = {}
        file, positions = self.file, self.positions
        for key_node, value_node in pairs:
            if not isinstance(key_node, ScalarNode):
                self.diags.error("a mapping key must be a plain string, not a list or mapping",
                                 path, self.pos(key_node))
                continue
            key = key_node.value
            if key_node.tag not in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:null") and not isinstance(
                self._scalar(key_node), str
            ):
                # `1: x` or `true: x`: keep it as text, so `on:` in a workflow-like file still reads sensibly.
                key = str(key_node.value)
            mark = key_node.start_mark
            key_pos = Position(file, mark.line + 1, mark.column + 1)
            child = (*path, key)
            if key in out:  # the first one's position is the key's
                self.diags.error(f"duplicate key '{key}' (first defined at line {positions[child].line})",
                                 child, key_pos)
                continue
            positions[child] = key_pos
            if value_node.__class__ is ScalarNode and value_node.tag == _STR_TAG and depth < MAX_DEPTH:
                # Most values are plain text under a key: what convert would do for one, without the call.
                self.visited += 1
                if self.visited > MAX_EXPANDED_NODES:
                    raise _TooLarge
                out[key] = value_node.value
            else:
                out[key] = self.convert(value_node, child, depth + 1)
        return out

    def _merged_pairs(self, node: MappingNode, path: Path) -> list[tuple[Node, Node]]:
        # Merge keys (<<) are resolved by PyYAML's flatten before we look at pairs. The YAML merge spec
        # (yaml.org/type/merge.html): keys written in the mapping override merged ones, and of several merged
        # mappings the first listed wins. flatten puts merged pairs first, the earliest-listed mapping last.
        explicit = {id(k) for k, _ in node.value if k.tag != _MERGE_TAG}
        explicit_keys = {k.value for k, _ in node.value if k.tag != _MERGE_TAG and isinstance(k, ScalarNode)}
        try:
            self._constructor.flatten_mapping(node)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or node.start_mark
            self.diags.error(f"invalid merge key (<<): {_problem(exc)}", path,
                             Position(self.file, mark.line + 1, mark.column + 1))
            node.value = [(k, v) for k, v in node.value if k.tag != _MERGE_TAG]
        merged_last: dict[str, int] = {}
        for i, (key_node, _) in enumerate(node.value):
            if id(key_node) not in explicit and isinstance(key_node, ScalarNode):
                merged_last[key_node.value] = i
        return [(k, v) for i, (k, v) in enumerate(node.value)
                if id(k) in explicit or not isinstance(k, ScalarNode)
                or (k.value not in explicit_keys and merged_last.get(k.value) == i)]

    def _scalar(self, node: ScalarNode) -> Any:
        try:
            return self._constructor.construct_object(node)
        except yaml.YAMLError:
            return node.value


def _expanded_size(root: Node) -> int:
    """Nodes the document has once aliases are expanded, counted on the alias graph in linear time, so a
    "billion laughs" file is refused before anything walks it."""
    memo: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in memo:
            continue
        if isinstance(node, ScalarNode):
            memo[id(node)] = 1
            continue
        kids: list[Node] = ([n for pair in node.value for n in pair] if isinstance(node, MappingNode)
                            else list(node.value))
        if children_done:
            memo[id(node)] = min(1 + sum(memo.get(id(k), 1) for k in kids), MAX_EXPANDED_NODES + 1)
        else:
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in memo)
    return memo.get(id(root), 1)


def _problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    return f"{problem} ({context})" if context and context not in problem else str(problem)


def parse_yaml(text: str | bytes, file: str, diags: Diagnostics) -> Document | None:
    """Parse one YAML document. On failure, records an error with its position and returns None."""
    if isinstance(text, bytes):
        raw = text
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            diags.error(f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
                        position=Position(file, line, column), hint="config files must be UTF-8 encoded YAML")
            return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        diags.error("the file contains binary data (a NUL byte); it is not a YAML text file",
                    position=Position(file, line, 1))
        return None
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        diags.error("the file is empty", position=Position(file, 1, 1),
                    hint="a config needs at least `version: 1` and `collections:`")
        return None
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        opened = exc.context_mark
        # An unclosed quote is found at the end of the file; where it opened is where the user must look.
        if opened is not None and "quoted scalar" in (exc.context or ""):
            mark = opened
        position = Position(file, mark.line + 1, mark.column + 1) if mark else Position(file, 1, 1)
        message = f"YAML syntax error: {_problem(exc)}"
        hint = None
        lines = text.splitlines()
        bad_line = lines[position.line - 1] if 0 < position.line <= len(lines) else ""
        if "\t" in (exc.problem or "") or "\t" in bad_line[: len(bad_line) - len(bad_line.lstrip())] or (
            position.column <= len(bad_line) and bad_line[position.column - 1: position.column] == "\t"
        ):
            hint = "YAML does not allow tabs for indentation; use spaces"
            message = "YAML syntax error: a tab character is used for indentation"
        elif opened is not None and mark is not opened:
            hint = f"the construct started at line {opened.line + 1}, column {opened.column + 1}"
        diags.error(message, position=position, hint=hint)
        return None
    except yaml.YAMLError as exc:
        diags.error(f"YAML error: {exc}", position=Position(file, 1, 1))
        return None
    except RecursionError:
        diags.error("the document is nested too deeply", position=Position(file, 1, 1))
        return None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        diags.error("the file is empty", position=Position(file, 1, 1))
        return None
    if len(nodes) > 1:
        second = nodes[1]
        diags.error("the file holds more than one YAML document ('---'); put each in its own file",
                    position=Position(file, second.start_mark.line + 1, second.start_mark.column + 1))
        return None
    # Without an anchor there is no alias to expand, and the walk costs a tenth of parsing a large file.
    if "&" in text and _expanded_size(nodes[0]) > MAX_EXPANDED_NODES:
        diags.error("the document expands to too many nodes (a YAML alias bomb?)", position=Position(file, 1, 1),
                    hint="anchors and aliases are fine, exponential expansion is not")
        return None
    converter = _Converter(file, diags)
    try:
        data = converter.convert(nodes[0], ())
    except (_TooLarge, RecursionError):
        diags.error("the document expands to too many nodes or nests too deeply (a YAML alias bomb?)",
                    position=Position(file, 1, 1), hint="anchors and aliases are fine, exponential expansion is not")
        return None
    return Document(data, file, converter.positions, converter.invalid, templated="$" in text)
