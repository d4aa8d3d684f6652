"""Token counts for `explain`: tiktoken for OpenAI models, when the package and its BPE files are at hand.

tiktoken looks its files up in $TIKTOKEN_CACHE_DIR under sha1(url), the same layout the devserver fills for the
server's own tiktoken-go (weavectl.devserver.tiktoken), so that cache is used when the user has none.
"""

from __future__ import annotations

import os
import warnings
from functools import cache
from typing import Any


@cache
def _encoder(model: str) -> Any:
    if not os.environ.get("TIKTOKEN_CACHE_DIR"):
        from weavectl.adapters.cachedir import cache_root

        local = cache_root() / "tiktoken"
        if local.is_dir():
            os.environ["TIKTOKEN_CACHE_DIR"] = str(local)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import tiktoken
    except ImportError:
        return None
    try:
        try:
            return tiktoken.encoding_for_model(model)
        except KeyError:
            return tiktoken.get_encoding("cl100k_base")
    except Exception:  # offline without the BPE file: fall back to characters
        return None


def count(module: str, model: str | None, text: str) -> tuple[int, str]:
    """(length, unit): tokens with the model's tokenizer where known, else characters."""
    if module in ("text2vec-openai",):
        encoder = _encoder(model or "text-embedding-3-small")
        if encoder is not None:
            return len(encoder.encode(text)), "tokens"
    return len(text), "characters"
