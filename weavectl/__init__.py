"""weavectl: config-as-code for the Weaviate vector database."""

__version__ = "0.1.0"
