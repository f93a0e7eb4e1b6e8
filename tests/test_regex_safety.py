"""Bounded patterns (issue 27 item 5): nested quantifiers refused at load and by ``themes
check``; a REGEX that slips through runs with a time limit, is reported and the run goes on."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.api import run_frame
from pipeline.cli import app
from pipeline.config import regex_check
from pipeline.config.models import Theme, ThemesConfig, load_themes
from pipeline.errors import ConfigProblems
from pipeline.run_settings import load_settings
from pipeline.stages import tag
from pipeline.text import regex_safety

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "pipeline.yaml"
THEMES = """version: 1
themes:
  - id: shouting
    label: Shouting
    patterns:
      - [{TEXT: {REGEX: "^(a+)+$"}}]
"""
SLIPS_THROUGH = "^(a|aa)+$"  # overlapping alternatives: no nested quantifier, still exponential


@pytest.mark.parametrize("expression, nested", [
    ("^(a+)+$", True), ("(\\w*\\s?)*$", True), ("(?:ab+)*c", True), ("((a)+b)+", True),
    ("^a+$", False), ("(ab){1,5}c", False), ("(a{1,5}){1,10}", False), ("colou?r", False),
    (SLIPS_THROUGH, False)])
def test_nested_quantifiers_are_found(expression: str, nested: bool) -> None:
    assert regex_check.nested_quantifier(expression) is nested


def test_themes_check_refuses_a_nested_quantifier_naming_theme_pattern_and_fix(
        tmp_path: Path) -> None:
    themes = tmp_path / "themes.yaml"
    themes.write_text(THEMES, encoding="utf-8")
    result = CliRunner().invoke(app, ["themes", "check", str(themes)])
    assert result.exit_code == 1
    assert "C032" in result.output and "'shouting'" in result.output
    assert "^(a+)+$" in result.output and "nested quantifier" in result.output
    assert "'^a+$'" in result.output  # the fix
    with pytest.raises(ConfigProblems) as caught:
        load_themes(themes)
    assert "C032" in str(caught.value)


def test_an_invalid_regex_is_refused_at_load(tmp_path: Path) -> None:
    themes = tmp_path / "themes.yaml"
    themes.write_text(THEMES.replace("^(a+)+$", "^(a"), encoding="utf-8")
    with pytest.raises(ConfigProblems) as caught:
        load_themes(themes)
    assert "C008" in str(caught.value) and "unterminated subpattern" in str(caught.value)


def _slipping_settings():
    settings = load_settings(CONFIG, text_columns=["comment"], id_column="id",
                             group_column="team")
    themes = ThemesConfig(themes=[
        Theme(id="shouting", label="Shouting",
              patterns=[[{"LOWER": {"REGEX": SLIPS_THROUGH}}]]),
        Theme(id="parking", label="Parking", patterns=[[{"LOWER": {"REGEX": "^park"}}]])])
    tag_cfg = settings.pipeline.tag.model_copy(update={"semantic": False})
    found = settings.pipeline.discover.model_copy(update={"enabled": False})
    return settings.model_copy(update={"themes": themes, "pipeline": settings.pipeline.model_copy(
        update={"tag": tag_cfg, "discover": found})})


def test_a_pattern_that_slips_through_is_timed_out_reported_and_the_run_goes_on(
        monkeypatch, caplog) -> None:
    assert regex_check.regex_problem([{"LOWER": {"REGEX": SLIPS_THROUGH}}]) is None
    monkeypatch.setattr(regex_safety, "REGEX_TIMEOUT", 0.05)
    frame = pd.DataFrame({"comment": [
        "aaaa", "Parking is awful here.", "a" * 40 + "b is what I shouted.", "Parked badly.",
        "The car park was full.", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab again"]})
    frame = frame.assign(id=[f"r{i}" for i in range(len(frame))], team="A")
    with caplog.at_level(logging.WARNING, logger="pipeline.text.regex_safety"):
        result = run_frame(frame, text_columns=["comment"], id_column="id", group_column="team",
                           settings=_slipping_settings(), stage_tables=True)
    timeouts = result.manifest["tag"]["regex_timeouts"]
    assert len(timeouts) == 1  # the expression is not run again after its first timeout
    assert timeouts[0]["theme_id"] == "shouting" and timeouts[0]["regex"] == SLIPS_THROUGH
    sentence = result.tables["sentences"].set_index("sentence_id").loc[
        timeouts[0]["sentence_id"], "text"]
    # one of the two sentences whose word makes the pattern blow up (which one reaches the
    # time limit first depends on the machine's speed), never a harmless one
    assert re.fullmatch(r"a{40,}b", sentence.split()[0])
    assert any("shouting" in r.getMessage() and timeouts[0]["sentence_id"] in r.getMessage()
               for r in caplog.records)
    tags = result.tables["tags"]
    assert set(tags.loc[tags["theme_id"] == "parking", "evidence"]) == {"Parking", "Parked", "park"}
    assert tags.loc[tags["theme_id"] == "shouting", "evidence"].tolist() == ["aaaa"]


def test_regex_predicates_keep_their_other_predicates_when_timed() -> None:
    timeouts = regex_safety.Timeouts()
    [[token]] = regex_safety.timed_patterns(
        "t", [[{"LOWER": {"REGEX": "^park", "NOT_IN": ["parka"]}, "OP": "?"}]], timeouts)
    assert token["LOWER"] == {"NOT_IN": ["parka"]} and token["OP"] == "?"
    [name] = token["_"]
    assert token["_"][name] is True and timeouts.owners[name] == (["t"], "^park")


def test_the_tag_stage_matches_timed_regex_like_spacy(settings) -> None:
    themes = ThemesConfig(themes=[Theme(id="parking", label="Parking",
                                        patterns=[[{"LOWER": {"REGEX": "^park"}},
                                                   {"LOWER": {"IN": ["costs", "fees"]}}]])])
    sentences = pd.DataFrame({"sentence_id": ["c1.s0", "c2.s0"], "comment_id": ["c1", "c2"],
                              "text": ["Parking fees are high", "The park is lovely"]})
    cfg = settings.pipeline.tag.model_copy(update={"semantic": False})
    local = settings.model_copy(update={"themes": themes, "pipeline": settings.pipeline.model_copy(
        update={"tag": cfg})})
    tags = tag.tag(sentences, local)["tags"]
    assert tags[["comment_id", "evidence"]].values.tolist() == [["c1", "Parking fees"]]
    assert "regex_timeouts" not in tags.attrs
