"""parse_yaml gives the data PyYAML's own safe loader gives: the parse keeps its speed-ups (tags remembered by
text, plain values taken without the generic constructor) without changing what a value means."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from weavectl.core.config.diagnostics import Diagnostics
from weavectl.core.config.yamldoc import parse_yaml

# YAML 1.1 texts whose meaning depends on whether they are quoted: booleans, octal and sexagesimal integers,
# underscores, floats, infinities, nulls, timestamps, merge keys' text, and ordinary words.
TRICKY = ["yes", "No", "on", "OFF", "y", "n", "true", "0777", "0o17", "0x1F", "1_000", "190:20:30", "1e3",
          "1.5e3", "6.8523015e+5", ".inf", "-.Inf", ".NaN", "~", "null", "", "2001-12-14",
          "2001-12-14t21:59:43.10-05:00", "=", "<<", "+12", "-0", "0", "text", "p1"]


def _ours(text: str) -> Any:
    diags = Diagnostics()
    doc = parse_yaml(text, "t.yaml", diags)
    assert doc is not None, [d.message for d in diags.items]
    return doc.data


def _pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=yaml.SafeLoader)  # the pure-Python loader: no shared code with ours


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True  # NaN
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _styled(word: str, style: str) -> str:
    if style == "plain":
        return word
    if style == "single":
        return "'" + word.replace("'", "''") + "'"
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_each_tricky_text_keeps_its_meaning_in_every_style_and_order() -> None:
    # The same text plain, then quoted, then plain again: a tag remembered for one style must not leak to another.
    lines = [f"k{i}_{style}{round_}: {_styled(word, style)}"
             for i, word in enumerate(TRICKY) if word not in ("", "<<")
             for round_ in range(2) for style in ("plain", "single", "double")
             if not (style == "plain" and word == "=")]  # a plain `=` has no constructor in PyYAML
    lines += [f"q{i}: {_styled(word, 'double')}" for i, word in enumerate(TRICKY)]
    lines += ["list: [" + ", ".join(w for w in TRICKY if w not in ("", "<<", "=")) + "]"]
    text = "\n".join(lines) + "\n"
    ours, theirs = _ours(text), _pyyaml(text)
    assert _same(ours, theirs), {k: (ours[k], theirs[k]) for k in theirs if not _same(ours.get(k), theirs[k])}


def test_merge_keys_and_aliases_read_as_pyyaml_reads_them() -> None:
    text = ("base: &b {a: 1, b: yes, c: '0777'}\n"
            "more: &m {c: 0777, d: 1_000}\n"
            "one: {<<: *b, a: 2}\n"
            "two: {<<: [*m, *b], e: on}\n"
            "seq: [*b, *m]\n")
    assert _same(_ours(text), _pyyaml(text))


_WORD = st.one_of(st.sampled_from(TRICKY), st.from_regex(r"[-+.:_0-9a-zA-Z]{1,8}", fullmatch=True))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_WORD, st.sampled_from(["plain", "single", "double"])), min_size=1, max_size=30))
def test_random_values_mean_what_pyyaml_says(values: list[tuple[str, str]]) -> None:
    lines = [f"k{i}: {_styled(word, style)}" for i, (word, style) in enumerate(values)]
    text = "\n".join(lines) + "\n"
    try:
        theirs = _pyyaml(text)
    except yaml.YAMLError:  # e.g. a plain `=`, which PyYAML cannot construct
        return  # not a YAML document (e.g. a plain value that starts a construct): the parser tests cover those
    assert _same(_ours(text), theirs)


def test_resolving_an_environment_leaves_the_file_and_other_environments_as_they_were() -> None:
    # Environments share what they do not override (copy on write); an override must change its own copy only.
    from weavectl.core.config.config import apply_environment, interpolate

    text = ("version: 1\n"
            "api_keys: {openai: {env: A}}\n"
            "collections:\n"
            "- {name: A, properties: [{name: p, data_type: text}], replication: {factor: 1}}\n"
            "- {name: B, description: '${D:-plain}'}\n"
            "environments:\n"
            "  dev: {url: 'http://localhost:8080'}\n"
            "  prod:\n"
            "    url: 'http://prod:8080'\n"
            "    api_keys: {openai: {env: B}}\n"
            "    collections: {A: {replication: {factor: 3}, properties: [{name: p, description: x}]}}\n")
    diags = Diagnostics()
    doc = parse_yaml(text, "t.yaml", diags)
    assert doc is not None
    before = repr(doc.data)
    prod = apply_environment(doc, "prod", diags)
    assert prod is not None
    prod = interpolate(prod, {"D": "from env"}, diags, missing_is_error=True)
    dev = apply_environment(doc, "dev", diags)
    assert dev is not None and not diags.items
    assert repr(doc.data) == before
    assert prod.data["collections"][0]["replication"] == {"factor": 3}
    assert prod.data["collections"][0]["properties"][0] == {"name": "p", "data_type": "text", "description": "x"}
    assert prod.data["collections"][1]["description"] == "from env"
    assert prod.data["api_keys"] == {"openai": {"env": "B"}}
    assert dev.data["collections"][0]["replication"] == {"factor": 1}
    assert dev.data["api_keys"] == {"openai": {"env": "A"}}
