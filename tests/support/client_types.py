"""Where the Python client's annotations and its behaviour part ways, typed once for the tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from pydantic import AnyHttpUrl


def base_url(url: str) -> AnyHttpUrl:
    """A module base URL for `Configure.Vectors.*(base_url=...)`. A few of those parameters (openai, cohere,
    mistral) are annotated with pydantic's `AnyHttpUrl`, the others with `str`, and every one validates a plain
    string (the client's own examples pass one), so the string goes through unchanged."""
    return cast("AnyHttpUrl", url)
