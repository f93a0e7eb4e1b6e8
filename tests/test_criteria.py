"""Criteria in the codebook (issue 28): ``includes`` and ``excludes`` on a theme, read,
validated, used by the semantic and learned layers, imported, exported and shown in review."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import ValidationError

from pipeline.codebook.qdc import NAMESPACE, export_qdc, import_qdc
from pipeline.codebook.spreadsheet import import_codebook, split_criteria
from pipeline.config.models import Settings, ThemesConfig, load_themes
from pipeline.embed import base
from pipeline.errors import ConfigError
from pipeline.evaluation.training import theme_examples
from pipeline.tagging.semantic import against_texts, semantic_match, theme_texts


class Words(base.CachedEmbedder):
    """A text -> its normalised counts of a few marker words (a transparent fixture space)."""

    name, dims = "words", 4
    WORDS = ("park", "bus", "meal", "thanks")

    def _encode(self, texts):
        counts = np.array([[t.lower().count(w) for w in self.WORDS] for t in texts], float)
        counts[counts.sum(axis=1) == 0, -1] = 1.0  # a text with none of the words: 'thanks'
        return counts / np.linalg.norm(counts, axis=1, keepdims=True)


def themes_with(**criteria) -> ThemesConfig:
    return ThemesConfig.model_validate({"version": 1, "themes": [
        {"id": "parking", "label": "Car park", "examples": ["The park was full."], **criteria},
        {"id": "food", "label": "Hospital meal", "examples": ["The meal was cold."]},
    ]})


def test_includes_and_excludes_are_read_and_stripped():
    theme = themes_with(includes=["  Buses to the park  "], excludes=["Meal times"]).themes[0]
    assert theme.includes == ["Buses to the park"] and theme.excludes == ["Meal times"]
    assert theme_texts(theme, criteria=True)[-1] == "Buses to the park"
    assert against_texts(theme, criteria=True) == ["Meal times"]
    # runs do not score with criteria (they did not lift F1): shown and exported only
    assert "Buses to the park" not in theme_texts(theme) and against_texts(theme) == []


def test_a_blank_criterion_is_refused_with_its_entry_number():
    with pytest.raises(ValidationError, match="entry 2 is empty"):
        themes_with(includes=["Buses to the park", "  "])


def test_a_misspelt_criteria_key_names_the_line_and_the_right_key(tmp_path: Path):
    path = tmp_path / "themes.yaml"
    path.write_text("version: 1\nthemes:\n  - id: parking\n    label: Car park\n"
                    "    include:\n      - Buses to the park\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_themes(path)
    assert "line 5" in str(caught.value) and "includes" in str(caught.value)


def test_a_criterion_must_be_a_list_of_sentences(tmp_path: Path):
    path = tmp_path / "themes.yaml"
    path.write_text("version: 1\nthemes:\n  - id: parking\n    label: Car park\n"
                    "    excludes: {bus: 1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="excludes"):
        load_themes(path)


def test_includes_raise_the_score_of_what_they_describe():
    plain = semantic_match(["the bus to the park"], themes_with(), Words(), criteria=True)
    included = semantic_match(["the bus to the park"],
                              themes_with(includes=["A bus to the park."]), Words(),
                              criteria=True)
    assert included.scores[0, 0] > plain.scores[0, 0]
    assert included.scores[0, 1] == pytest.approx(plain.scores[0, 1])  # other theme unchanged
    assert included.nearest_text(0, 0) == "A bus to the park."


def test_excludes_raise_what_a_hit_must_beat():
    text = ["the bus to the park"]
    plain = semantic_match(text, themes_with(), Words(), criteria=True)
    excluded = semantic_match(text, themes_with(excludes=["The bus service."]), Words(),
                              criteria=True)
    assert plain.against[0, 0] == -np.inf
    assert excluded.against[0, 0] > plain.against[0, 0]
    assert excluded.scores[0, 0] == pytest.approx(plain.scores[0, 0])  # the score itself stays
    assert excluded.against[0, 1] == -np.inf  # only the theme that excludes it


def test_runs_score_without_criteria():
    themes = themes_with(includes=["A bus to the park."], excludes=["The bus service."])
    default = semantic_match(["the bus to the park"], themes, Words())
    bare = semantic_match(["the bus to the park"], themes_with(), Words())
    assert np.allclose(default.scores, bare.scores)
    assert np.array_equal(default.against, bare.against)


def test_learned_layer_can_train_on_includes_and_against_excludes_but_not_by_default(settings: Settings):
    themes = themes_with(includes=["A bus to the park."], excludes=["The bus service."])
    extra = theme_examples(settings.model_copy(update={"themes": themes}), criteria=True)
    rows = dict(zip(extra.texts, extra.truth.tolist(), strict=True))
    assert rows["A bus to the park."] == [True, False]
    assert rows["The bus service."] == [False, False]
    without = theme_examples(settings.model_copy(update={"themes": themes}))
    assert "A bus to the park." not in without.texts and "The bus service." not in without.texts


def test_codebook_import_reads_criteria_columns_one_a_line(tmp_path: Path):
    path = tmp_path / "codebook.csv"
    path.write_text('id,label,description,includes,exclusion criteria\n'
                    'parking,Car park,Parking at the site,"- Spaces, charges and permits\n'
                    '- Disabled bays",Buses; taxis\n'
                    'food,Meals,Food on the ward,,\n', encoding="utf-8")
    themes = {t["id"]: t for t in import_codebook(path)["themes"]}
    assert themes["parking"]["includes"] == ["Spaces, charges and permits", "Disabled bays"]
    assert themes["parking"]["excludes"] == ["Buses", "taxis"]
    assert "includes" not in themes["food"] and "excludes" not in themes["food"]
    ThemesConfig.model_validate(import_codebook(path))  # a valid theme config
    assert split_criteria("1. One, with a comma\n2) Two") == ["One, with a comma", "Two"]


def test_qdc_export_writes_criteria_under_headings_in_the_description():
    themes = themes_with(includes=["Spaces and charges"], excludes=["Buses"])
    root = ET.fromstring(export_qdc(themes).split("\n", 1)[1])
    descriptions = [c.findtext(f"{{{NAMESPACE}}}Description")
                    for c in root.iter(f"{{{NAMESPACE}}}Code")]
    assert descriptions[0] == "Includes:\n- Spaces and charges\n\nExcludes:\n- Buses"
    assert descriptions[1] is None  # no description, no criteria: no element


def test_qdc_import_gives_the_criteria_back(tmp_path: Path):
    themes = ThemesConfig.model_validate({"version": 1, "themes": [
        {"id": "parking", "label": "Car park", "description": "Spaces:\n- not a criterion",
         "includes": ["Spaces and charges", "Blue badges"], "excludes": ["Buses"]},
        {"id": "food", "label": "Hospital meal", "description": "Meals  on the ward."}]})
    path = tmp_path / "book.qdc"
    path.write_text(export_qdc(themes), encoding="utf-8")
    back = {t["id"]: t for t in import_qdc(path)["themes"]}
    assert back["car_park"]["includes"] == ["Spaces and charges", "Blue badges"]
    assert back["car_park"]["excludes"] == ["Buses"]
    assert back["car_park"]["description"] == "Spaces: - not a criterion"  # not our heading
    assert back["hospital_meal"] == {"id": "hospital_meal", "label": "Hospital meal",
                                     "description": "Meals on the ward."}


def test_review_theme_page_shows_the_criteria_escaped(tmp_path: Path):
    from review_helpers import copy_run, make_run
    from test_review import client_for

    run_dir = copy_run(make_run(tmp_path / "made" / "project"), tmp_path / "project")
    themes_file = run_dir.parent / "themes.yaml"
    config = yaml.safe_load(themes_file.read_text(encoding="utf-8"))
    theme = config["themes"][0]
    theme["includes"] = ["Updates <b>by email</b> from the secretariat"]
    theme["excludes"] = ["Meeting papers sent late"]
    themes_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    client, _ = client_for(run_dir)
    page = client.get(f"/theme/{theme['id']}").text
    assert 'id="criteria"' in page
    assert "Updates &lt;b&gt;by email&lt;/b&gt; from the secretariat" in page
    assert "<b>by email</b>" not in page
    assert "Meeting papers sent late" in page
