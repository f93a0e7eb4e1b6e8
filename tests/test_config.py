"""Config loading: every problem at once, with line, field path and a did-you-mean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config.models import load_pipeline, load_themes, with_overrides
from pipeline.config.project import default_path
from pipeline.errors import CATALOGUE, ConfigError, ConfigProblems

ROOT = Path(__file__).resolve().parents[1]

BROKEN_THEMES = """\
version: 1
themes:
  - id: communications
    label: Communications
    keyword: [newsletter]
  - id: communications
    label: Comms again
    keywords: ["  "]
    patterns:
      - [{LOWR: minister}]
  - id: Ministerial Presence
    label: Ministers
    min_support: many
"""


def write(tmp_path: Path, text: str, name: str = "themes.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_configs_load():
    themes = load_themes(ROOT / "config" / "themes.yaml")
    assert themes.ids == ["early_engagement", "employer_representation", "ics_growth",
                          "communications", "ministerial_presence"]
    for theme in themes.themes:
        assert theme.keywords and theme.examples and theme.recommendation and theme.description
    pipeline = load_pipeline(ROOT / "config" / "pipeline.yaml")
    assert [c.column for c in pipeline.input.text_columns] == ["why_scores", "other_comments"]
    assert "no" in pipeline.clean.non_answers


def test_broken_themes_report_every_problem_with_exact_text(tmp_path):
    path = write(tmp_path, BROKEN_THEMES)
    result = CliRunner().invoke(app, ["themes", "check", str(path)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error [C001]: {path} has 6 problems:\n"
        "  [C003] line 5: unknown key 'keyword' in theme 'communications' (did you mean 'keywords'?)\n"
        "  [C004] line 6: duplicate theme id 'communications' (first used at line 3); give each "
        "theme its own id\n"
        "  [C007] line 8: keywords in theme 'communications': entry 1 is empty; remove it or "
        "write the phrase\n"
        "  [C008] line 10: pattern 1 in theme 'communications' is not a valid spaCy token pattern: "
        "token 1: unknown attribute 'LOWR' (did you mean 'LOWER'?)\n"
        "  [C009] line 11: theme id 'Ministerial Presence' must be lower-case letters, digits and "
        "'_' (try 'ministerial_presence'); ids are stable keys across rounds\n"
        "  [C005] line 13: min_support in theme 'Ministerial Presence': write a count of "
        "respondents (e.g. 2) or a share of the round's respondents between 0 and 1 (e.g. 0.05) "
        "(got 'many')\n"
    )


def test_single_problem_names_file_and_line(tmp_path):
    path = write(tmp_path, "version: 1\nthemes:\n  - id: a\n    label: A\n    descripton: x\n")
    with pytest.raises(ConfigProblems) as caught:
        load_themes(path)
    assert str(caught.value) == (
        f"[C003] {path} line 5: unknown key 'descripton' in theme 'a' (did you mean 'description'?)")


def test_invalid_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "version: 1\nthemes:\n  - id: a\n    label: [unclosed\n")
    with pytest.raises(ConfigError) as caught:
        load_themes(path)
    assert caught.value.code == "C002"
    assert f"{path} line 5: not valid YAML" in caught.value.message


def test_missing_file_and_wrong_top_level(tmp_path):
    with pytest.raises(ConfigError, match=r"\[C002\] .*nowhere.yaml: file not found"):
        load_themes(tmp_path / "nowhere.yaml")
    path = write(tmp_path, "- just\n- a list\n")
    with pytest.raises(ConfigError, match="expected a mapping of settings at the top level"):
        load_themes(path)


def test_yaml_boolean_trap_is_explained(tmp_path):
    text = default_path("pipeline.yaml").read_text().replace("  - 'no'", "  - no")
    path = write(tmp_path, text, "pipeline.yaml")
    with pytest.raises(ConfigProblems) as caught:
        load_pipeline(path)
    message = caught.value.message
    assert "clean.non_answers[3]: Input should be a valid string (got False)" in message
    assert "YAML reads bare yes/no/on/off as true/false, so put it in quotes" in message


def test_unknown_pipeline_key_suggests_the_right_one(tmp_path):
    text = (ROOT / "config" / "pipeline.yaml").read_text().replace("  id_column:", "  id_colum:")
    assert "id_colum:" in text
    path = write(tmp_path, text, "pipeline.yaml")
    with pytest.raises(ConfigProblems) as caught:
        load_pipeline(path)
    assert "unknown key 'id_colum' in input (did you mean 'id_column'?)" in caught.value.message
    assert re.search(r"line \d+: unknown key 'id_colum'", caught.value.message)


def test_a_statement_on_an_unknown_scale_and_a_score_out_of_range(tmp_path):
    text = (ROOT / "config" / "pipeline.yaml").read_text()
    text = text.replace("      scale: agreement\n", "      scale: agreemnt\n", 1)
    # merged over the packaged agreement scale, key by key
    text += "scales:\n  agreement:\n    values:\n      strongly agree: 7\n"
    path = write(tmp_path, text, "pipeline.yaml")
    with pytest.raises(ConfigProblems) as caught:
        load_pipeline(path)
    message = caught.value.message
    assert "scales.agreement.values: 'strongly agree' maps to 7; scores run from 1 to 5 (or " \
        "null)" in message
    fixed = text.replace("      strongly agree: 7\n", "      strongly agree: 5\n")
    path.write_text(fixed)
    with pytest.raises(ConfigProblems) as caught:
        load_pipeline(path)
    assert ("score column 's1_early_engagement' uses scale 'agreemnt', which is not under "
            "scales: (did you mean 'agreement'?); known scales: agreement") in caught.value.message


def test_column_overrides_replace_the_configured_columns():
    config = load_pipeline(ROOT / "config" / "pipeline.yaml")
    changed = with_overrides(config, ["Comment Text"], "id", "team")
    assert [(c.column, c.question) for c in changed.input.text_columns] == [
        ("Comment Text", "comment_text")]
    assert changed.input.id_column == "id" and changed.input.group_column == "team"
    assert changed.input.score_columns == []
    assert config.input.id_column == "respondent_id"  # the original is untouched


def test_every_raised_code_is_in_the_catalogue():
    source = "\n".join(p.read_text() for p in (ROOT / "pipeline").rglob("*.py"))
    raised = set(re.findall(r'code="([CDS]\d{3})"', source))
    raised |= set(re.findall(r'Problem\(\s*"([CDS]\d{3})"', source))
    raised |= set(re.findall(r'^\s+code = "([CDS]\d{3})"', source, flags=re.MULTILINE))
    assert raised, "no codes found: the check itself is broken"
    assert raised <= set(CATALOGUE), raised - set(CATALOGUE)
    assert set(CATALOGUE) <= raised, f"catalogued but never raised: {set(CATALOGUE) - raised}"


def test_every_pipeline_setting_is_written_out_in_the_shipped_yaml():
    """No hidden defaults: each field of the model appears in the packaged defaults."""
    import yaml

    from pipeline.config.models import PipelineConfig

    shipped = yaml.safe_load(default_path("pipeline.yaml").read_text())

    def walk(model, data, path):
        for name, field in model.model_fields.items():
            assert name in data, f"{'.'.join(path + [name])} missing from config/pipeline.yaml"
            inner = field.annotation
            if isinstance(inner, type) and hasattr(inner, "model_fields"):
                walk(inner, data[name], path + [name])

    walk(PipelineConfig, shipped, [])


def test_a_setting_moved_under_advanced_names_its_new_path(tmp_path):
    text = (ROOT / "config" / "pipeline.yaml").read_text() + (
        "discover:\n  umap_epochs: 50\n  advanced:\n    enabled: false\n")
    path = write(tmp_path, text, "pipeline.yaml")
    with pytest.raises(ConfigProblems) as caught:
        load_pipeline(path)
    message = caught.value.message
    line = text.splitlines().index("  umap_epochs: 50") + 1
    assert (f"[C003] line {line}: unknown key 'umap_epochs' in discover; it moved: write it as "
            "discover.advanced.umap_epochs") in message
    assert ("unknown key 'enabled' in discover.advanced; it is not advanced: write it as "
            "discover.enabled") in message


def test_a_nested_section_names_its_advanced_path_too(tmp_path):
    path = write(tmp_path, "version: 1\nclean:\n  redact:\n    secret_file: key\n",
                 "pipeline.yaml")
    with pytest.raises(ConfigProblems) as caught:
        load_pipeline(path)
    message = caught.value.message
    assert caught.value.code == "C003"
    assert ("line 4: unknown key 'secret_file' in clean.redact; it moved: write it as "
            "clean.redact.advanced.secret_file") in message


def test_an_advanced_setting_merges_over_the_other_advanced_defaults(tmp_path):
    path = write(tmp_path, "version: 1\ndiscover:\n  advanced:\n    umap_epochs: 50\n",
                 "pipeline.yaml")
    config = load_pipeline(path)
    assert config.discover.advanced.umap_epochs == 50
    assert config.discover.advanced.fit_sample_size == 6000  # the rest keep their defaults
    assert config.discover.enabled is True
    assert Path(config.tag.advanced.embedding_cache) == tmp_path.parent / "data" / "cache" / \
        "embeddings"  # paths under advanced resolve against the file's folder


def test_the_three_defaults_that_once_disagreed_are_the_applied_ones():
    """static_from_rows, describe_sample_size and max_cluster_share: the models' defaults are
    the values the packaged YAML applied before it was generated from them."""
    config = load_pipeline(None)
    assert config.tag.advanced.static_from_rows == 100000
    assert config.discover.advanced.describe_sample_size == 50000
    assert config.discover.advanced.max_cluster_share == 0.25


def test_a_copy_refuses_a_setting_it_does_not_hold_and_updated_finds_advanced_ones():
    discover = load_pipeline(None).discover
    with pytest.raises(ValueError, match=r"DiscoverSettings has no setting umap_epochs; it "
                                         r"moved: update advanced\.umap_epochs"):
        discover.model_copy(update={"umap_epochs": 50})
    changed = discover.updated(umap_epochs=50, enabled=False)
    assert changed.advanced.umap_epochs == 50 and changed.enabled is False
    assert changed.advanced.fit_sample_size == discover.advanced.fit_sample_size
    assert discover.advanced.umap_epochs == 100  # the original is untouched


def test_the_package_root_exports_the_config_api():
    from pipeline import config
    from pipeline.config import models

    for name in ("Settings", "PipelineConfig", "ThemesConfig", "Theme", "load_pipeline",
                 "load_themes", "with_overrides", "slugify", "SLUG"):
        assert getattr(config, name) is getattr(models, name), name


def test_settings_recorded_before_the_advanced_blocks_load_in_todays_layout():
    """A past run's manifest holds the flat layout; review re-reads it through nest_advanced."""
    from pipeline.config.loading import default_values, nest_advanced
    from pipeline.config.models import PipelineConfig

    flat = default_values()
    for section in ("input", "clean", "nlp", "tag", "discover", "recommend", "engine",
                    "compare", "check"):
        flat[section] |= flat[section].pop("advanced")
    flat["clean"]["redact"] |= flat["clean"]["redact"].pop("advanced")
    flat["discover"]["umap_epochs"] = 50
    upgraded = PipelineConfig.model_validate(nest_advanced(flat))
    assert upgraded.discover.advanced.umap_epochs == 50
    assert upgraded.model_copy(update={"discover": upgraded.discover.updated(umap_epochs=100)}) \
        == PipelineConfig.model_validate(default_values())
    assert nest_advanced(default_values()) == default_values()  # today's layout is unchanged


def test_config_imports_neither_text_nor_io_nor_the_project_writer():
    """Arrows point down: the config room reads YAML and validates, nothing more."""
    import subprocess
    import sys

    code = ("import sys, pipeline.config.models, pipeline.config.generate; "
            "print(' '.join(m for m in sys.modules if m.startswith('pipeline.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT).stdout.split()
    assert "pipeline.config.settings" in loaded  # the check itself sees the modules
    assert not [m for m in loaded if m.startswith(("pipeline.text", "pipeline.io",
                                                   "pipeline.project_init"))], loaded
