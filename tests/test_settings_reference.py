"""The models are the one source of settings: the packaged pipeline.yaml and the settings
reference page are generated from them and fail here when they drift, and at most 35
settings are user-facing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

from pipeline.config.generate import REGENERATE, default_yaml, walk
from pipeline.config.loading import default_values
from pipeline.config.project import default_path
from pipeline.config.settings import PipelineConfig

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "reference" / "settings.md"


def _reference():
    spec = importlib.util.spec_from_file_location(
        "gen_settings_reference", ROOT / "docs" / "gen_settings_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_packaged_pipeline_yaml_is_generated_from_the_models():
    assert default_path("pipeline.yaml").read_text(encoding="utf-8") == default_yaml(), (
        f"pipeline/config/defaults/pipeline.yaml differs from the models; run `{REGENERATE}`")


def test_the_settings_reference_page_is_generated_from_the_models():
    reference = _reference()
    assert PAGE.read_text(encoding="utf-8") == reference.render(), (
        f"docs/reference/settings.md differs from the models; run `{reference.REGENERATE}`")


def test_the_packaged_yaml_holds_exactly_the_model_defaults():
    """A default changed in the YAML alone (or the models alone) shows up as a value here."""
    assert yaml.safe_load(default_yaml()) == default_values()
    assert yaml.safe_load(default_path("pipeline.yaml").read_text()) == default_values()


def test_every_default_passes_its_own_validation():
    """Defaults are not validated when a model is built; validating them checks each bound
    (a default outside its own range, 0 for a ge=1 setting, would fail here)."""
    assert PipelineConfig.model_validate(default_values()).model_dump() == default_values()


def test_each_setting_has_a_description_in_the_generated_files():
    text = default_yaml()
    page = PAGE.read_text(encoding="utf-8")
    for path, field in walk(PipelineConfig):
        assert field.description and len(field.description) > 10, ".".join(path)
        assert f"`{'.'.join(path)}`" in page, ".".join(path)
        assert field.description.split()[0] in text, ".".join(path)


def test_at_most_35_settings_are_user_facing():
    reference = _reference()
    shown = [".".join(path) for path, _ in walk(PipelineConfig) if reference.user_facing(path)]
    assert len(shown) <= 35, shown
    assert {"input.text_columns", "clean.redact.names", "tag.embedder", "seed", "engine.name",
            "discover.enabled", "recommend.quotes_max", "output.xlsx", "output.runs_dir",
            "scales"} <= set(shown)
    assert f"{len(shown)} settings are user-facing" in PAGE.read_text(encoding="utf-8")


def test_advanced_blocks_come_last_in_each_section():
    lines = default_yaml().splitlines()
    discover = lines.index("discover:")
    advanced = lines.index("  advanced:", discover)
    end = next(i for i in range(discover + 1, len(lines)) if lines[i] and lines[i][0] != " "
               and not lines[i].startswith("#"))
    inside = [line for line in lines[advanced + 1:end] if line.startswith("  ") and
              not line.startswith("    ") and not line.lstrip().startswith("#") and line.strip()]
    assert inside == [], inside  # nothing of discover follows its advanced block
    assert "  enabled: true" in lines[discover:advanced]
    assert "    umap_epochs: 100" in lines[advanced:end]
