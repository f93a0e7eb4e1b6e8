"""Tagging: keyword lemmas, token patterns, exclusions, roll-up with evidence."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.config.models import Settings, ThemesConfig
from pipeline.stages.tag import tag


def sentences(*texts: str) -> pd.DataFrame:
    return pd.DataFrame({
        "sentence_id": [f"c{i}#1" for i in range(len(texts))],
        "comment_id": [f"c{i}" for i in range(len(texts))],
        "respondent_id": [f"r{i}" for i in range(len(texts))], "group": ["g"] * len(texts),
        "question": ["q"] * len(texts), "sentence_index": [1] * len(texts),
        "start": [0] * len(texts), "end": [len(t) for t in texts], "text": list(texts),
    })


@pytest.fixture(scope="module")
def small(settings) -> Settings:
    themes = ThemesConfig.model_validate({"themes": [
        {"id": "ministers", "label": "Ministers", "keywords": ["minister attend"],
         "exclude": ["prime minister"]},
        {"id": "papers", "label": "Papers", "keywords": ["late papers"],
         "patterns": [[{"LEMMA": "paper"}, {"OP": "{,3}"}, {"LOWER": "late"}]]},
    ]})
    # the keyword and pattern layers alone: the semantic layer has tests of its own
    pipeline = settings.pipeline.model_copy(update={
        "tag": settings.pipeline.tag.model_copy(update={"semantic": False})})
    return settings.model_copy(update={"themes": themes, "pipeline": pipeline})


def test_keywords_match_on_lemmas_with_evidence(small):
    out = tag(sentences("The ministers attended twice.", "Nothing here."), small)
    tags = out["tags"]
    assert tags[["comment_id", "theme_id", "method", "evidence", "start", "end"]].values.tolist() == [
        ["c0", "ministers", "keyword", "ministers attended", 4, 22]]
    assert tags["score"].tolist() == [1.0]


def test_patterns_and_keywords_are_both_recorded(small):
    tags = tag(sentences("Late papers again; the papers were very late."), small)["tags"]
    assert sorted(zip(tags["method"], tags["evidence"], strict=True)) == [
        ("keyword", "Late papers"), ("pattern", "papers were very late")]


def test_exclude_vetoes_the_theme_in_that_sentence_only(small):
    out = tag(sentences("The prime minister attended.", "A minister attended."), small)
    assert out["tags"]["comment_id"].tolist() == ["c1"]


def test_multi_label_roll_up(small):
    frame = sentences("Ministers attend but papers arrive late.", "Late papers too.")
    frame = frame.assign(comment_id="c0", sentence_id=["c0#1", "c0#2"])
    out = tag(frame, small)
    rolled = out["comment_themes"]
    assert rolled["theme_id"].tolist() == ["ministers", "papers"]  # in themes.yaml order
    papers = rolled.set_index("theme_id").loc["papers"]
    assert papers["methods"] == "keyword|pattern" and papers["n_sentences"] == 2
    assert papers["evidence"] == "papers arrive late; Late papers"


def test_shipped_themes_tag_paraphrases(settings):
    out = tag(sentences(
        "We were told about the policy after the decision had been made.",
        "Employer reps can't get time away from their day jobs.",
        "Integrated care boards need a seat at the table.",
        "We rarely get any updates after meetings.",
        "It was useful to have the minister there.",
        "Papers still arrive too late to read.",
    ), settings)
    found = out["comment_themes"].groupby("comment_id")["theme_id"].agg(set).to_dict()
    assert found == {"c0": {"early_engagement"}, "c1": {"employer_representation"},
                     "c2": {"ics_growth"}, "c3": {"communications"},
                     "c4": {"ministerial_presence"}}


def test_everyday_keywords_tag_only_beside_another_hit(small):
    themes = ThemesConfig.model_validate({"themes": [
        {"id": "news", "label": "News", "keywords": ["updated", "newsletter"]},
    ]})
    local = small.model_copy(update={"themes": themes})
    out = tag(sentences("I was updated on the new rota.", "The newsletter was updated weekly."),
              local)["tags"]
    # "updated" alone is an everyday word (tag.advanced.everyday_words): c0 gets nothing; in c1 the
    # newsletter hit backs it up, and both keyword rows stay as evidence
    assert sorted(zip(out["comment_id"], out["evidence"], strict=True)) == [
        ("c1", "newsletter"), ("c1", "updated")]
    every = local.pipeline.tag.updated(everyday_words=[])
    plain = local.model_copy(update={"pipeline": local.pipeline.model_copy(update={"tag": every})})
    assert "c0" in set(tag(sentences("I was updated on the new rota."), plain)["tags"]["comment_id"])


def test_config_check_warns_about_everyday_keywords(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    themes = tmp_path / "themes.yaml"
    themes.write_text("version: 1\nthemes:\n  - id: news\n    label: News\n"
                      "    keywords: [Better, newsletter, updates]\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["themes", "check", str(themes)])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warned) == 2
    assert "keyword 'Better'" in warned[0] and "keyword 'updates'" in warned[1]


def test_semantic_hits_are_the_same_in_blocks(monkeypatch):
    """A large round is scored in blocks of sentences (bounded memory): same hits."""
    from pipeline.run_settings import load_settings
    from pipeline.stages import tag as tag_stage
    from tests.conftest import ROOT as root

    settings = load_settings(root / "config" / "pipeline.yaml")
    texts = ["Papers arrive far too late to read.", "We want the minister to attend.",
             "Employers should have a seat at the table.", "The lunch was nice.",
             "Tell us earlier what is planned.", "Growth of the ICS is a worry."] * 3
    sentences = pd.DataFrame({
        "sentence_id": [f"s{i}" for i in range(len(texts))],
        "comment_id": [f"c{i}" for i in range(len(texts))], "text": texts})
    vetoes = [set() for _ in texts]
    whole = tag_stage.semantic_records(sentences, settings, vetoes)
    monkeypatch.setattr(tag_stage, "SEMANTIC_BLOCK", 4)
    assert tag_stage.semantic_records(sentences, settings, vetoes) == whole
    assert whole  # the check compares real hits


def test_blocks_score_each_distinct_sentence_once_and_calibrate_the_cascade_once(monkeypatch):
    """Blocks are cut from the round's distinct sentences (a sentence repeated across blocks
    is scored once) and the cascade's calibration is computed once per round, not per block."""
    from types import SimpleNamespace

    from pipeline.run_settings import load_settings
    from pipeline.stages import tag as tag_stage
    from pipeline.tagging.cascade import Line
    from pipeline.tagging.semantic import semantic_match
    from tests.conftest import ROOT as root

    settings = load_settings(root / "config" / "pipeline.yaml")
    texts = ["Papers arrive far too late to read.", "We want the minister to attend.",
             "Employers should have a seat at the table.", "The lunch was nice.",
             "Tell us earlier what is planned."] * 4
    sentences = pd.DataFrame({
        "sentence_id": [f"s{i}" for i in range(len(texts))],
        "comment_id": [f"c{i}" for i in range(len(texts))], "text": texts})
    vetoes = [set() for _ in texts]
    whole = tag_stage.semantic_records(sentences, settings, vetoes)
    scored, lines = [], []

    def fake_cascade(block, themes, fast, full, **kwargs):
        scored.append(list(block))
        lines.append(kwargs["line"])
        return SimpleNamespace(match=semantic_match(block, themes, full, kwargs["no_theme"],
                                                    kwargs["codebook_weight"]))

    monkeypatch.setattr(tag_stage, "SEMANTIC_BLOCK", 2)
    monkeypatch.setattr(tag_stage, "cascading", lambda cfg: True)
    monkeypatch.setattr(tag_stage, "static_for", lambda cfg: None)
    monkeypatch.setattr(tag_stage, "calibration", lambda *args: lines.append("fitted") or Line())
    monkeypatch.setattr(tag_stage, "cascade_match", fake_cascade)
    assert tag_stage.semantic_records(sentences, settings, vetoes) == whole
    assert [len(block) for block in scored] == [2, 2, 1]  # 5 distinct of 20, in 3 blocks
    assert sorted(t for block in scored for t in block) == sorted(set(texts))
    assert lines == ["fitted", Line(), Line(), Line()]  # fitted once, handed to every block
    assert whole and len({r[1] for r in whole}) > 5  # repeated sentences keep their own hits
