"""Scrub secret values from any text before it leaves the process.

Key sources register every value they resolve; the error boundary and the renderers pass text through
`scrub` so a server message that echoes a key (some providers do) never reaches a terminal or a log.
"""

from __future__ import annotations

MASK = "***"
# Very short values would mask ordinary words; real provider keys are far longer.
_MIN_SECRET_LEN = 6


class Redactor:
    def __init__(self) -> None:
        self._secrets: set[str] = set()

    def register(self, value: str) -> None:
        if len(value) >= _MIN_SECRET_LEN:
            self._secrets.add(value)

    def scrub(self, text: str) -> str:
        # Longest first, so a key that contains another key is masked whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text


# The process-wide instance: secrets are process-wide too.
REDACTOR = Redactor()
