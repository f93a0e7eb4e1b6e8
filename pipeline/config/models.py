"""The config models and loaders under their old import path.

The models now live by job: ``themes`` (themes.yaml), ``settings`` (pipeline.yaml and its
defaults), ``loading`` (reading, validation, error mapping) and ``patterns`` (spaCy pattern
checks). This module re-exports their public names so existing imports keep working.
"""

from pipeline.config.loading import (
    default_values,
    load_pipeline,
    load_themes,
    with_overrides,
)
from pipeline.config.patterns import check_pattern, unbounded_operators
from pipeline.config.settings import (
    CheckSettings,
    CleanSettings,
    CompareSettings,
    DiscoverSettings,
    EngineSettings,
    InputSettings,
    NlpSettings,
    OutputSettings,
    PipelineConfig,
    RecommendSettings,
    RedactSettings,
    Settings,
    TagSettings,
    TextColumn,
)
from pipeline.config.themes import SLUG, Recommendation, Theme, ThemesConfig, slugify

__all__ = ["SLUG", "CheckSettings", "CleanSettings", "CompareSettings", "DiscoverSettings",
           "EngineSettings", "InputSettings", "NlpSettings", "OutputSettings", "PipelineConfig",
           "RecommendSettings", "Recommendation", "RedactSettings", "Settings", "TagSettings",
           "TextColumn", "Theme", "ThemesConfig", "check_pattern", "default_values",
           "load_pipeline", "load_themes", "slugify", "unbounded_operators", "with_overrides"]
