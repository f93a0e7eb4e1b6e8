"""Semantic layer: embedders, thresholds, top-k, vetoes, the MiniLM checksum and the cache."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from pipeline.config.models import Settings, ThemesConfig
from pipeline.embed import base, minilm, model_files, vector_cache
from pipeline.errors import ConfigError
from pipeline.evaluation.coded import sentences_of
from pipeline.stages import tag
from pipeline.tagging.semantic import (
    codebook_probabilities,
    keep_top_k,
    semantic_scores,
    theme_texts,
)

THEMES = ThemesConfig.model_validate({"version": 1, "themes": [
    {"id": "parking", "label": "Car parking", "description": "Finding a space to park the car.",
     "examples": ["There were no parking spaces left.", "Parking charges are too high."]},
    {"id": "food", "label": "Hospital food", "description": "Meals and drinks on the ward.",
     "examples": ["The meals were cold and bland.", "More choice of sandwiches please."],
     "exclude": ["food bank"]},
]})
TEXTS = ["The car park was full and there were no parking spaces.",
         "My dinner was cold and the meals were bland.",
         "The nurses were kind.",
         "They gave me a leaflet about the food bank and the meals were cold."]


def settings_with(settings: Settings, themes: ThemesConfig = THEMES, **tag_options) -> Settings:
    options = {"keywords": False, "patterns": False, "semantic": True, "embedder": "tfidf-svd",
               "semantic_threshold": 0.3, "semantic_top_k": 1, "no_theme": [], "semantic_margin": 0.0,
               **tag_options}
    tag_cfg = settings.pipeline.tag.updated(**options)
    return settings.model_copy(update={
        "themes": themes, "pipeline": settings.pipeline.model_copy(update={"tag": tag_cfg})})


def test_theme_texts_are_label_description_and_examples():
    assert theme_texts(THEMES.themes[0]) == ["Car parking", "Finding a space to park the car.",
                                             "There were no parking spaces left.",
                                             "Parking charges are too high."]


def test_keep_top_k():
    scores = np.array([[0.2, 0.9, 0.5], [0.7, 0.1, 0.6]])
    assert np.array_equal(keep_top_k(scores, 1) > -np.inf, [[0, 1, 0], [1, 0, 0]])
    assert np.array_equal(keep_top_k(scores, 0), scores)


def test_tfidf_semantic_hits_record_method_score_nearest_text_and_runner_up(settings):
    local = settings_with(settings)
    tags = tag.tag(sentences_of(TEXTS, local), local)["tags"]
    assert set(tags["method"]) == {"semantic"}
    by_comment = tags.groupby("comment_id")["theme_id"].agg(set).to_dict()
    assert by_comment["c1"] == {"parking"} and by_comment["c2"] == {"food"}
    assert "c3" not in by_comment            # unrelated sentence: below the threshold
    assert "c4" not in by_comment            # 'food bank' vetoes the food theme
    first = tags.iloc[0]
    assert 0.3 <= first["score"] <= 1.0 and first["start"] == 0
    assert first["end"] == len(TEXTS[0])
    # evidence: the parking text the sentence was nearest; the other theme is the runner-up
    assert first["evidence"] in theme_texts(THEMES.themes[0])
    sentences = sentences_of(TEXTS, local)["text"].tolist()
    scores = semantic_scores(sentences, THEMES, tag.embedder_for(local.pipeline.tag, 42))
    assert first["runner_up"] == "food"
    assert first["margin"] == pytest.approx(scores[0, 0] - scores[0, 1], abs=1e-4) and \
        first["margin"] > 0


def test_runner_up_is_the_best_other_theme():
    from pipeline.tagging.semantic import runner_up

    other, margin = runner_up(np.array([[0.2, 0.9, 0.5], [0.7, -np.inf, 0.6]]))
    assert other.tolist() == [[1, 2, 1], [2, 0, 0]]
    assert margin[0].tolist() == pytest.approx([-0.7, 0.4, -0.4])
    assert margin[1, 0] == pytest.approx(0.1) and np.isnan(margin[1, 1])


def test_theme_threshold_overrides_the_default(settings):
    strict = THEMES.model_copy(update={"themes": [
        THEMES.themes[0].model_copy(update={"threshold": 1.0}), THEMES.themes[1]]})
    local = settings_with(settings, strict)
    tags = tag.tag(sentences_of(TEXTS, local), local)["tags"]
    assert "parking" not in set(tags["theme_id"]) and "food" in set(tags["theme_id"])


class Fixed(base.CachedEmbedder):
    """Texts mentioning 'park' -> (1, 0), any other text -> (0, 1)."""

    name, dims = "fixed", 2

    def _encode(self, texts):
        return np.array([[1.0, 0.0] if "park" in t.lower() else [0.0, 1.0] for t in texts])


def test_semantic_scores_blend_best_text_and_centroid(settings):
    scores = semantic_scores(["park here", "soup"], THEMES, Fixed())
    # every parking text mentions 'park', no food text does
    assert np.allclose(scores, [[1.0, 0.0], [0.0, 1.0]])
    mixed = ThemesConfig.model_validate({"version": 1, "themes": [
        {"id": "p", "label": "park", "examples": ["soup"]}, {"id": "s", "label": "soup"}]})
    # 'p' has a text of each kind: best cosine 1, centroid (1, 1)/sqrt(2) -> cosine 0.707
    blended = 0.5 * 1.0 + 0.5 * np.sqrt(0.5)
    assert np.allclose(semantic_scores(["park here", "soup"], mixed, Fixed()),
                       [[blended, 0.0], [blended, 1.0]])


def test_codebook_weight_blends_a_classifier_fitted_on_the_theme_texts(settings):
    similarity = semantic_scores(["park here", "soup"], THEMES, Fixed())
    half = semantic_scores(["park here", "soup"], THEMES, Fixed(), codebook_weight=0.5)
    only = semantic_scores(["park here", "soup"], THEMES, Fixed(), codebook_weight=1.0)
    assert np.allclose(only.sum(axis=1), 1.0)  # probabilities over the two themes
    assert only[0, 0] > 0.5 > only[1, 0] and only[1, 1] > 0.5  # each text's own theme leads
    assert np.allclose(half, 0.5 * similarity + 0.5 * only)
    vectors = np.array([[1.0, 0.0], [0.0, 1.0]])
    # a theme without texts gets 0; with one theme alone there is nothing to tell apart
    spread = codebook_probabilities(vectors, vectors, np.array([0, 2]), 3)
    assert np.allclose(spread[:, 1], 0.0) and spread[0, 0] > spread[0, 2]
    assert not codebook_probabilities(vectors, vectors, np.array([1, 1]), 2).any()


def test_codebook_weight_is_off_by_default_and_changes_tags_when_on(settings):
    assert settings.pipeline.tag.advanced.semantic_codebook_weight == 0.0
    sentences = sentences_of(TEXTS, settings_with(settings))
    plain = tag.tag(sentences, settings_with(settings))["tags"]
    blended = tag.tag(sentences, settings_with(settings, semantic_codebook_weight=0.5))["tags"]
    assert not blended.empty
    assert not np.allclose(sorted(plain["score"]), sorted(blended["score"]))


def test_cache_embeds_each_text_once_and_round_trips(tmp_path):
    calls = []

    class Counting(base.CachedEmbedder):
        name, dims = "counting", 3

        def _encode(self, texts):
            calls.append(list(texts))
            return np.array([[len(t), 1.0, 0.0] for t in texts])

    first = Counting()
    vectors = first.transform(["a", "bb", "a"])
    assert calls == [["a", "bb"]] and np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    first.transform(["bb"])
    assert len(calls) == 1
    assert vector_cache.save_cache(first, tmp_path) == tmp_path / "counting.npz"
    with np.load(tmp_path / "counting.npz", allow_pickle=False) as saved:
        assert len(saved["keys"]) == 2
    second = Counting()
    assert vector_cache.load_cache(second, tmp_path) == 2
    assert np.allclose(second.transform(["a", "bb", "a"]), vectors) and len(calls) == 1


def test_minilm_refuses_weights_with_another_checksum(monkeypatch):
    monkeypatch.setattr(model_files, "MINILM_SHA256", "0" * 64)
    with pytest.raises(ConfigError) as caught:
        model_files.minilm_dir()
    assert caught.value.code == "C020"
    assert "is not the official all-MiniLM-L6-v2 file" in caught.value.message


def test_minilm_embeds_a_paraphrase_closer_than_an_unrelated_sentence():
    embedder = minilm.MiniLMEmbedder()  # loads the shipped weights, offline
    vectors = embedder.transform(["We were told after the decision was made.",
                                  "Nobody asked us before they decided.",
                                  "The car park is full."])
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1


def test_calibrate_writes_per_theme_thresholds(tmp_path):
    import yaml
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.config.models import load_themes

    root = Path(__file__).resolve().parents[1]
    config = yaml.safe_load((root / "config" / "pipeline.yaml").read_text(encoding="utf-8"))
    config.setdefault("tag", {}).update(embedder="tfidf-svd",
                                        advanced={"keywords": False, "patterns": False})
    (tmp_path / "pipeline.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (tmp_path / "themes.yaml").write_text(yaml.safe_dump(THEMES.model_dump(exclude_defaults=True)),
                                          encoding="utf-8")
    rows = [(TEXTS[0], "parking"), (TEXTS[1], "food"), (TEXTS[2], ""),
            ("Parking charges were too high again.", "parking"), ("Soup was cold.", "food")]
    (tmp_path / "coded.csv").write_text("text,themes\n" + "".join(
        f'"{text}",{labels}\n' for text, labels in rows), encoding="utf-8")
    out = tmp_path / "calibrated.yaml"
    result = CliRunner().invoke(app, [
        "eval", str(tmp_path / "coded.csv"), "--themes", str(tmp_path / "themes.yaml"),
        "--config", str(tmp_path / "pipeline.yaml"), "--calibrate", str(out), "--json",
        "--min-support", "1"])
    assert result.exit_code == 0, result.output
    assert "Wrote 2 calibrated thresholds" in result.stderr
    calibrated = load_themes(out)
    assert all(t.threshold is not None for t in calibrated.themes)
    assert json.loads(result.stdout)["micro_f1"] == pytest.approx(1.0)  # chosen on these rows


def test_eval_gives_semantic_score_runner_up_and_shortfall(settings):
    from pipeline.evaluation.coded import CodedComments, evaluate_coded

    local = settings_with(settings)
    coded = CodedComments(texts=TEXTS, labels=[{"parking"}, set(), {"food"}, set()])
    result = evaluate_coded(coded, local, n_bootstrap=0, min_support=1)
    food = next(r for r in result["per_theme"] if r["theme_id"] == "food")
    # c2 was tagged food by the semantic layer against its label; c3 fell short of 0.30
    assert food["false_positives"] == [TEXTS[1]]
    assert re.fullmatch(r"semantic 0\.\d\d, runner-up parking by 0\.\d\d",
                        food["false_positive_why"][0])
    assert food["false_negatives"] == [TEXTS[2]]
    assert re.fullmatch(r"semantic -?0\.\d\d < 0\.30", food["false_negative_why"][0])


def test_no_theme_sentences_and_not_examples_must_be_beaten(settings):
    base = tag.tag(sentences_of(TEXTS, settings_with(settings)), settings_with(settings))["tags"]
    assert "c1" in set(base["comment_id"])
    # a sentence that is itself a no-theme sentence gets no theme
    local = settings_with(settings, no_theme=[TEXTS[0]])
    tags = tag.tag(sentences_of(TEXTS, local), local)["tags"]
    assert "c1" not in set(tags["comment_id"]) and "c2" in set(tags["comment_id"])
    # the same through the theme's not_examples: only that theme loses the sentence
    themes = THEMES.model_copy(update={"themes": [
        THEMES.themes[0].model_copy(update={"not_examples": [TEXTS[0]]}),
        THEMES.themes[1]]})
    local = settings_with(settings, themes)
    tags = tag.tag(sentences_of(TEXTS, local), local)["tags"]
    assert "c1" not in set(tags["comment_id"]) and "c2" in set(tags["comment_id"])


def test_semantic_margin_over_the_runner_up(settings):
    local = settings_with(settings)
    tags = tag.tag(sentences_of(TEXTS, local), local)["tags"]
    smallest = float(tags["margin"].min())
    strict = settings_with(settings, semantic_margin=round(smallest + 1e-3, 4))
    kept = tag.tag(sentences_of(TEXTS, strict), strict)["tags"]
    assert len(kept) == len(tags) - int((tags["margin"] <= smallest + 1e-3).sum()) < len(tags)
    assert (kept["margin"] >= smallest + 1e-3).all()


def test_the_codebook_classifier_is_fitted_once_for_many_blocks(monkeypatch):
    from sklearn.linear_model import LogisticRegression

    from pipeline.tagging import semantic

    fits = []
    real = LogisticRegression.fit

    def counting(self, *args, **kwargs):
        fits.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", counting)
    rng = np.random.default_rng(3)
    themes, labels = rng.normal(size=(6, 4)), np.array([0, 0, 1, 1, 2, 2])
    blocks = [rng.normal(size=(5, 4)) for _ in range(3)]
    first = [semantic.codebook_probabilities(b, themes, labels, 3) for b in blocks]
    assert len(fits) == 1  # one fit serves every block
    semantic._FITTED.clear()
    again = [semantic.codebook_probabilities(b, themes, labels, 3) for b in blocks]
    assert all(np.allclose(a, b) for a, b in zip(first, again, strict=True))
    semantic.codebook_probabilities(blocks[0], themes[::-1].copy(), labels, 3)
    assert len(fits) == 3  # other theme texts: fitted anew
