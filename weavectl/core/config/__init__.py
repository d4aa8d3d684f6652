"""The config language: parsing with positions, merging and environments, the schema, validation."""
