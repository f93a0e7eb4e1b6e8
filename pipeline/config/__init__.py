"""Validated models of both YAML files (themes.yaml, pipeline.yaml), their defaults and their
loaders."""

from pipeline.config.loading import load_pipeline, load_themes, with_overrides
from pipeline.config.settings import PipelineConfig, Settings
from pipeline.config.themes import SLUG, Theme, ThemesConfig, slugify

__all__ = ["SLUG", "PipelineConfig", "Settings", "Theme", "ThemesConfig", "load_pipeline",
           "load_themes", "slugify", "with_overrides"]
