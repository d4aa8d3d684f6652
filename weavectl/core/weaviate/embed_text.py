"""The exact text Weaviate sends to a text embedding module for one object, per named vector.

One home for this knowledge: `explain` prints it, smoke builds faithful copies with it, and cost estimates
(migrations) count it. Rules, as read from the server source:
- `usecases/modulecomponents/vectorizer/object_texts.go` (TextsWithTitleProperty), for 1.32.5, 1.35.2 and 1.39;
- `usecases/modulecomponents/settings/base_class_settings.go` (skip, vectorizePropertyName, vectorizeClassName,
  the class-level `properties` list);
- `usecases/objects/validation/properties_validation.go` (the Go types values have when the text is built:
  int and number are float64, date is time.Time);
- `github.com/fatih/camelcase` Split (how class and property names become words).
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from weavectl.core.weaviate.defaults import SKIP_BY_DEFAULT, vectorize_class_name_default
from weavectl.core.weaviate.version import Version, at_least, parse_version

# Modules whose class settings force lower-casing (only contextionary passes lowerCaseInput=true).
LOWERCASE_MODULES = frozenset({"text2vec-contextionary"})
# text2vec-google sends a `titleProperty` as a separate title field, not in the text.
TITLE_PROPERTY_MODULES = frozenset({"text2vec-google", "text2vec-palm"})
FIRST_NON_TEXT_VERSION = "1.33.0"  # source properties pull non-text types into the text from here on


@dataclass
class Piece:
    """One property's contribution to the text (or why it contributed nothing)."""

    property: str
    included: bool
    reason: str = ""
    values: list[str] = field(default_factory=list)


@dataclass
class VectorText:
    vector: str
    module: str
    text: str | None  # None: the server sends nothing and the object gets no vector for this one
    class_name_prefix: str | None = None
    pieces: list[Piece] = field(default_factory=list)
    title: str | None = None
    lowercased: bool = False
    note: str = ""
    model: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"vector": self.vector, "module": self.module, "text": self.text,
                               "collection_name_prefix": self.class_name_prefix,
                               "properties": [{"property": p.property, "included": p.included,
                                               **({"reason": p.reason} if p.reason else {})}
                                              for p in self.pieces]}
        if self.title is not None:
            out["title"] = self.title
        if self.lowercased:
            out["lowercased"] = True
        if self.note:
            out["note"] = self.note
        return out


# ---- names as words (github.com/fatih/camelcase Split, then object_texts.go separateCamelCase) ----

def _char_class(ch: str) -> int:
    category = unicodedata.category(ch)
    if category == "Ll":
        return 1
    if category == "Lu":
        return 2
    if category == "Nd":
        return 3
    return 4


def camel_case_split(name: str) -> list[str]:
    runs: list[list[str]] = []
    last = 0
    for ch in name:
        cls = _char_class(ch)
        if cls == last:
            runs[-1].append(ch)
        else:
            runs.append([ch])
        last = cls
    # An upper-case run followed by a lower-case run gives its last letter to it: "PDFLoader" -> "PDF", "Loader".
    for i in range(len(runs) - 1):
        if runs[i] and runs[i + 1] and _char_class(runs[i][0]) == 2 and _char_class(runs[i + 1][0]) == 1:
            runs[i + 1].insert(0, runs[i].pop())
    return ["".join(r) for r in runs if r]


def name_as_words(name: str, lower: bool = False) -> str:
    out = ""
    for i, part in enumerate(camel_case_split(name)):
        if part == " ":
            continue
        if i > 0:
            out += " "
        out += part.lower() if lower else part
    return out


# ---- Go formatting of values ----

def _shortest(value: float) -> tuple[str, str, int]:
    """(sign, significant digits, decimal exponent of the first digit) of the shortest round-trip form."""
    sign, digits, exponent = Decimal(repr(abs(value))).as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    stripped = text.rstrip("0") or "0"
    exp = len(text) + exponent - 1
    return ("-" if math.copysign(1.0, value) < 0 else ""), stripped, exp


def _fixed(digits: str, exp: int) -> str:
    dp = exp + 1
    if dp <= 0:
        return "0." + "0" * -dp + digits
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return f"{digits[:dp]}.{digits[dp:]}"


def _exponent(digits: str, exp: int, min_width: int) -> str:
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):0{min_width}d}"


def go_float(value: float) -> str:
    """fmt's %v of a float64: strconv 'g' shortest, an exponent when it is < -4 or >= 6 (strconv/ftoa.go)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign, digits, exp = _shortest(value)
    if value == 0:
        return sign + "0"
    return sign + (_exponent(digits, exp, 2) if exp < -4 or exp >= 6 else _fixed(digits, exp))


def go_json(value: Any) -> str:
    """encoding/json Marshal: sorted map keys, no spaces, HTML characters escaped, Go number formatting."""
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{go_json(str(k))}:{go_json(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _go_json_float(float(value))
    if value is None:
        return "null"
    text = json.dumps(str(value), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _go_json_float(value: float) -> str:
    # encoding/json encode.go floatEncoder: 'f' unless |v| < 1e-6 or >= 1e21, then 'e' with "e-07" cut to "e-7".
    sign, digits, exp = _shortest(value)
    if value == 0:
        return sign + "0"
    if abs(value) < 1e-6 or abs(value) >= 1e21:
        return sign + _exponent(digits, exp, 2 if exp >= 0 else 1)
    return sign + _fixed(digits, exp)


def _go_rfc3339(value: str) -> str | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    offset = parsed.utcoffset() or timedelta(0)
    base = parsed.strftime("%Y-%m-%dT%H:%M:%S")
    if offset == timedelta(0):
        return base + "Z"
    total = int(offset.total_seconds() // 60)
    sign = "+" if total >= 0 else "-"
    return f"{base}{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


# ---- settings of one vector ----

@dataclass
class _Settings:
    module: str
    class_settings: dict[str, Any]
    property_settings: dict[str, dict[str, Any]]  # property name -> its moduleConfig for this module

    def source_properties(self) -> list[str]:
        value = self.class_settings.get("properties")
        return [str(v) for v in value] if isinstance(value, list) else []

    def vectorize_class_name(self) -> bool:
        value = self.class_settings.get("vectorizeClassName")
        if isinstance(value, bool):
            return value
        return True

    def property_indexed(self, prop: str) -> bool:
        if self.source_properties():
            return prop in self.source_properties()
        skip = self.property_settings.get(prop, {}).get("skip")
        return not skip if isinstance(skip, bool) else True

    def vectorize_property_name(self, prop: str) -> bool:
        value = self.property_settings.get(prop, {}).get("vectorizePropertyName")
        return value if isinstance(value, bool) else False


def text_vectors(rest_class: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Vector name -> (module, stored class settings), for vectors a module embeds from text."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    legacy = rest_class.get("vectorizer")
    if isinstance(legacy, str) and legacy != "none":
        out["default"] = (legacy, dict((rest_class.get("moduleConfig") or {}).get(legacy) or {}))
    for vname, vcfg in (rest_class.get("vectorConfig") or {}).items():
        vectorizer = (vcfg or {}).get("vectorizer") or {}
        for module, settings in vectorizer.items():
            if module != "none":
                out[str(vname)] = (str(module), dict(settings or {}))
    return out


def _settings(rest_class: Mapping[str, Any], module: str, class_settings: dict[str, Any]) -> _Settings:
    props: dict[str, dict[str, Any]] = {}
    for prop in rest_class.get("properties") or []:
        mc = (prop.get("moduleConfig") or {}).get(module)
        props[str(prop["name"])] = dict(mc or {})
    return _Settings(module, class_settings, props)


def with_module_defaults(rest_class: dict[str, Any]) -> dict[str, Any]:
    """The class as the server stores it after create: each module's vectorizeClassName and skip defaults."""
    out: dict[str, Any] = json.loads(json.dumps(rest_class))
    blocks: list[tuple[str, dict[str, Any]]] = []
    legacy = out.get("vectorizer")
    if isinstance(legacy, str) and legacy != "none":
        blocks.append((legacy, out.setdefault("moduleConfig", {}).setdefault(legacy, {})))
    for vcfg in (out.get("vectorConfig") or {}).values():
        for module, settings in ((vcfg or {}).get("vectorizer") or {}).items():
            if module != "none":
                vcfg["vectorizer"][module] = settings = dict(settings or {})
                blocks.append((module, settings))
    for module, settings in blocks:
        settings.setdefault("vectorizeClassName", vectorize_class_name_default(module))
        for prop in out.get("properties") or []:
            mc = prop.setdefault("moduleConfig", {}).setdefault(module, {})
            mc.setdefault("skip", module in SKIP_BY_DEFAULT)
            mc.setdefault("vectorizePropertyName", False)
    return out


# ---- the values as the server holds them ----

def _values(value: Any, data_type: str, non_text: bool) -> tuple[list[str], str]:
    """(pieces, reason when none) for one property value of the given Weaviate data type."""
    if data_type == "text" or data_type == "string":
        return ([value], "") if isinstance(value, str) else ([], "not a string")
    if data_type in ("text[]", "string[]"):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return (list(value), "" if value else "empty list")
        return [], "not a list of strings"
    if not non_text:
        return [], f"{data_type} is not embedded (only text, or any type when source properties are set from 1.33)"
    if data_type in ("int", "number"):
        return ([go_float(float(value))], "") if isinstance(value, int | float) and not isinstance(
            value, bool) else ([], "not a number")
    if data_type == "boolean":
        return (["true" if value else "false"], "") if isinstance(value, bool) else ([], "not a boolean")
    if data_type == "date":
        text = _go_rfc3339(value) if isinstance(value, str) else None
        return ([text], "") if text else ([], "not an RFC 3339 date")
    if data_type in ("int[]", "number[]"):
        if isinstance(value, list) and value:
            return [go_float(float(v)) for v in value], ""
        return [], "empty list"
    if data_type == "boolean[]":
        if isinstance(value, list) and value:
            return ["true" if v else "false" for v in value], ""
        return [], "empty list"
    if data_type in ("object", "object[]"):
        if isinstance(value, dict) or (isinstance(value, list) and value):
            return [go_json(value)], ""
        return [], "empty"
    # date[] arrives as []time.Time, which object_texts.go has no case for; uuid, geo, phone, blob likewise.
    return [], f"{data_type} is never embedded"


# ---- the text ----

def vector_text(rest_class: Mapping[str, Any], vector: str, obj: Mapping[str, Any], version: Version | str,
                *, lowercase_input: bool = False) -> VectorText:
    """The text for one vector of `rest_class` (the stored class, see `with_module_defaults`)."""
    ver = parse_version(version) if isinstance(version, str) else version
    module, class_settings = text_vectors(rest_class)[vector]
    settings = _settings(rest_class, module, class_settings)
    class_name = str(rest_class["class"])
    lower = lowercase_input or module in LOWERCASE_MODULES
    new_rules = at_least(ver, FIRST_NON_TEXT_VERSION)
    has_sources = bool(settings.source_properties())
    title_prop = str(class_settings.get("titleProperty") or "") if module in TITLE_PROPERTY_MODULES else ""
    types = {str(p["name"]): str((p.get("dataType") or [""])[0]) for p in rest_class.get("properties") or []}
    model = class_settings.get("model")
    result = VectorText(vector, module, None, lowercased=lower, model=str(model) if model else None)
    corpi: list[str] = []
    titles: list[str] = []
    if settings.vectorize_class_name():
        result.class_name_prefix = name_as_words(class_name, lower)
        corpi.append(result.class_name_prefix)
    for prop in sorted(str(k) for k in obj):  # Go's sort.Strings: byte order, which for UTF-8 is code points
        if prop in ("id", "_id", "vector", "vectors"):
            continue
        if prop not in types:
            result.pieces.append(Piece(prop, False, "not a property of the collection"))
            continue
        if not settings.property_indexed(prop):
            why = "not in the vector's source properties" if has_sources else "skip_vectorization"
            result.pieces.append(Piece(prop, False, why))
            continue
        data_type = types[prop]
        pieces, reason = _values(obj[prop], data_type, has_sources and new_rules)
        if not pieces:
            result.pieces.append(Piece(prop, False, reason))
            continue
        shown: list[str] = []
        if new_rules:
            with_name = settings.vectorize_property_name(prop)
            for raw in pieces:
                value = raw.lower() if lower else raw
                if with_name:
                    value = f"{name_as_words(prop, lower)} {value}"
                shown.append(value)
        else:
            # 1.32: list items are always lower-cased, and for a single string the property-name setting is
            # looked up under the camelCase-split name (so it only applies to one-word names).
            words = name_as_words(prop, lower)
            if data_type.endswith("[]"):
                with_name = settings.vectorize_property_name(prop)
                shown = [f"{words} {v.lower()}" if with_name else v.lower() for v in pieces]
            else:
                value = pieces[0].lower() if lower else pieces[0]
                shown = [f"{words} {value}" if settings.vectorize_property_name(words) else value]
        if prop == title_prop:
            titles.extend(shown)
            result.pieces.append(Piece(prop, False, "sent separately as the title", shown))
            continue
        corpi.extend(shown)
        result.pieces.append(Piece(prop, True, "", shown))
    if not corpi and (not has_sources or not new_rules):
        corpi.append(name_as_words(class_name, lower))  # nothing collected: the class name alone
        result.note = "nothing to embed from the properties: the collection name alone is sent"
    text = " ".join(corpi)
    result.title = " ".join(titles) if title_prop else None
    if text or titles or not new_rules:
        result.text = text
    else:
        result.note = "nothing to embed: the server stores no vector for this object"
    return result


def embedded_texts(rest_class: Mapping[str, Any], obj: Mapping[str, Any], version: Version | str,
                   *, lowercase_input: bool = False) -> dict[str, str | None]:
    """Vector name -> the exact text sent to its module for `obj` (None: no vector is made)."""
    return {v: vector_text(rest_class, v, obj, version, lowercase_input=lowercase_input).text
            for v in text_vectors(rest_class)}


def explain_all(rest_class: Mapping[str, Any], obj: Mapping[str, Any], version: Version | str,
                *, lowercase_input: bool = False) -> list[VectorText]:
    return [vector_text(rest_class, v, obj, version, lowercase_input=lowercase_input)
            for v in text_vectors(rest_class)]

