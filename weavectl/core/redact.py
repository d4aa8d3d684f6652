"""Scrub secret values, and their common encodings, from any text before it leaves the process.

Key sources register every value they resolve; the error boundary wraps stdout and stderr, and the plan file and
export writers pass text through `scrub`, so a server or provider message that echoes a key (some do, some
base64- or URL-encode it first) never reaches a terminal, a log or a CI artifact.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
# Very short values would mask ordinary words; real provider keys are far longer.
_MIN_SECRET_LEN = 6
# An encoded fragment shorter than this could match ordinary text by chance.
_MIN_ENCODED_LEN = 8

# Prefixes of provider keys seen in the wild; a value starting with one is a key whatever its length.
_KEY_PREFIXES = ("sk-", "sk_", "nvapi-", "hf_", "pa-", "jina_", "xai-", "gsk_", "AIza", "ghp_", "github_pat_",
                 "glpat-", "co-", "wv-", "r8_", "pplx-", "key-", "Bearer ")
_TOKENISH = re.compile(r"^[A-Za-z0-9_\-+/=.:]+$")
_SPACE = re.compile(r"\s")  # the same characters as str.isspace
_DIGIT = re.compile(r"[0-9]")


def looks_like_secret(value: object) -> bool:
    """A heuristic for "this is a key written where a name, path or variable was expected".

    Used only to decide whether a value may be shown back to the user, so it errs towards hiding.
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return len(str(value)) >= 8  # a long number in a key source is a numeric key, not a name
    if not isinstance(value, str):
        return False
    text = value.strip()
    if len(text) < 8 or _SPACE.search(text):
        return False
    if text.startswith(_KEY_PREFIXES):
        return True
    # Every diagnostic's path passes through here: the common short name leaves before any scan of its letters.
    if len(text) < 20 or not _TOKENISH.match(text) or "/" in text or text.startswith(("~", ".")):
        return False
    # Generated keys mix cases and digits; names (text-embedding-3-small, Article_v2) rarely do at this length.
    # The text is ASCII here (_TOKENISH), so case folding changes it exactly when it has a letter of that case.
    return text.lower() != text and text.upper() != text and _DIGIT.search(text) is not None


_QUOTED = re.compile(r"'([^'\s]{8,})'|\(([^()\s]{8,})\)")


def mask_secret_like(text: str) -> str:
    """Mask quoted words of a message that look like keys ("unknown module 'sk-...'"), wherever they came from."""
    def sub(match: re.Match[str]) -> str:
        word = match.group(1) or match.group(2)
        return match.group(0).replace(word, MASK) if looks_like_secret(word) else match.group(0)

    return _QUOTED.sub(sub, text)


def encodings(secret: str) -> set[str]:
    """The forms a secret takes when a program echoes it: as is, base64 (standard and URL-safe, padded or not,
    at any alignment inside a longer base64 text), URL-encoded, JSON- and repr-escaped."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1], repr(secret)[1:-1]}
    raw = secret.encode()
    for offset, skip in ((0, 0), (1, 2), (2, 3)):
        # With `offset` unknown bytes before the secret, the first `skip` characters depend on those bytes and
        # the last partial character on the bytes after it; the characters between depend on the secret alone.
        full = (8 * (offset + len(raw))) // 6
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            core = encode(b"\0" * offset + raw).decode()[skip:full]
            if len(core) >= _MIN_ENCODED_LEN:
                forms.add(core)
    return {f for f in forms if len(f) >= _MIN_SECRET_LEN}


class Redactor:
    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._forms: list[str] = []

    def register(self, value: str) -> None:
        for candidate in {value, value.strip()}:
            if len(candidate) >= _MIN_SECRET_LEN and candidate not in self._secrets:
                self._secrets.add(candidate)
                # Longest first, so a key that contains another key is masked whole.
                self._forms = sorted(set(self._forms) | encodings(candidate), key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def scrub_all(self, texts: Iterable[str]) -> list[str]:
        return [self.scrub(t) for t in texts]


def mask_command(argv: list[str]) -> str:
    """A command line fit for a message: the program, and how many arguments it had, never their text
    (a `-token=...` argument is a secret as much as the key it fetches)."""
    if not argv:
        return "(empty command)"
    program = argv[0]
    if looks_like_secret(program):
        program = MASK
    rest = len(argv) - 1
    return shlex.quote(program) + (f" <{rest} argument{'s' if rest != 1 else ''} hidden>" if rest else "")


# The process-wide instance: secrets are process-wide too.
REDACTOR = Redactor()
