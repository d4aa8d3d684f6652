"""A real single-node weaviate-server for tests and local runs: build once, start on free ports, stop cleanly.

`python -m weavectl.devserver --help` for the command line; `WeaviateServer` for code and pytest fixtures.
"""

from weavectl.devserver.binary import WEAVIATE_VERSION, ensure_binary
from weavectl.devserver.process import WeaviateServer

__all__ = ["WEAVIATE_VERSION", "WeaviateServer", "ensure_binary"]
