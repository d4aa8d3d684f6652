"""The file `weavectl export` writes: the document as YAML, under a header naming the cluster, with a note on
the key sources it holds (placeholders, never a key)."""

from __future__ import annotations

from typing import Any

import yaml

HEADER = ("# Exported by weavectl from {url} (Weaviate {version}).\n"
          "# For editor completion add: # yaml-language-server: $schema=<`weavectl schema --path`>\n")
KEYS_NOTE = ("# Key sources (placeholders): each says where weavectl reads a provider key, never the key itself.\n"
             "# As exported, each reads the environment variable shown: set it (export OPENAI_APIKEY=...)\n"
             "# where smoke runs, or point it elsewhere: {{ file: ~/.secrets/openai }} or\n"
             "# {{ command: \"vault kv get -field=key ...\" }}. plan and apply do not need provider keys;\n"
             "# smoke and embedding imports/queries do.\n")


def render_export(doc: dict[str, Any], url: str, version: str) -> str:
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
    if "\napi_keys:" in text:
        text = text.replace("\napi_keys:", "\n" + KEYS_NOTE.format() + "api_keys:", 1)
    return HEADER.format(url=url, version=version) + text
