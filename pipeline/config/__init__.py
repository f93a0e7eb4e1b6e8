"""Validated models of both YAML files (themes.yaml, pipeline.yaml) and their defaults."""
