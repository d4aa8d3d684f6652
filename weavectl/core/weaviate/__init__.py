"""Weaviate knowledge: the module catalogue, each version's defaults, the REST mapping, versions."""
