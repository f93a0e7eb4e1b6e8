"""The cascade tagger: static scores first, MiniLM only for sentences whose hits are in doubt.

The two embedders are honest fakes with the relation the cascade relies on. ``Full`` stands
for MiniLM: a sentence about parking points one way, one about meals another, anything else a
third, and a sentence about both lies between them. ``Static`` keeps the same directions but
shares a common one across all texts (static cosines run higher and flatter, as a lookup
model's do), so its scores sit on another scale, related to Full's by a line the cascade must
find on the theme texts; on one planted sentence it is simply wrong.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.config.models import Settings, ThemesConfig
from pipeline.embed import base
from pipeline.evaluation.coded import sentences_of
from pipeline.stages import tag
from pipeline.tagging import cascade

THEMES = ThemesConfig.model_validate({"version": 1, "themes": [
    {"id": "parking", "label": "Car parking", "description": "Finding a space to park.",
     "examples": ["There were no park spaces left."]},
    {"id": "food", "label": "Hospital food", "description": "The meal on the ward.",
     "examples": ["The meal was cold."]},
]})
FAR = ["The park outside was full of cars all day.",
       "My evening meal arrived cold and late.",
       "The nurses on the ward were very kind to my mother.",
       "The park outside was full of cars all day."]  # a repeat: scored once
BETWEEN = "I could not park so I missed my meal."  # as near parking as food under both
WRONG = "Our consultant explained everything very clearly indeed."  # Static puts it at parking
SHORT = "Parking."  # under cascade.FEW_WORDS words: always re-scored


def direction(text: str) -> np.ndarray:
    lowered = text.lower()
    park, meal = "park" in lowered, "meal" in lowered or "food" in lowered
    return np.array([float(park), float(meal), float(not (park or meal))])


class Full(base.CachedEmbedder):
    name, dims = "full-fake", 3

    def _encode(self, texts):
        return np.array([direction(t) for t in texts])


class Static(base.CachedEmbedder):
    name, dims = "static-fake", 4

    def _encode(self, texts):
        rows = []
        for text in texts:
            own = np.array([1.0, 0.0, 0.0]) if text == WRONG else direction(text)
            own = own / np.linalg.norm(own)
            rows.append(np.append(0.6 * own, 0.8))  # 0.6 of the meaning, 0.8 shared by all
        return np.array(rows)

    def subword_shares(self, texts):
        return np.zeros(len(texts))


def cascade_settings(settings: Settings, margin: float | None) -> Settings:
    tag_cfg = settings.pipeline.tag.updated(
        keywords=False, patterns=False, semantic=True, embedder="minilm", semantic_threshold=0.6,
        semantic_top_k=1, no_theme=[], semantic_margin=0.02, cascade_margin=margin)
    return settings.model_copy(update={
        "themes": THEMES, "pipeline": settings.pipeline.model_copy(update={"tag": tag_cfg})})


@pytest.fixture
def fakes(monkeypatch):
    full, static = Full(), Static()
    monkeypatch.setattr(tag, "embedder_for", lambda cfg, seed: full)
    monkeypatch.setattr(tag, "static_for", lambda cfg: static)
    return full, static


def hits(texts: list[str], settings: Settings) -> set[tuple[str, str]]:
    tags = tag.tag(sentences_of(texts, settings), settings)["tags"]
    return set(zip(tags["sentence_id"], tags["theme_id"], strict=True))


def test_cascade_tags_equal_full_minilm_tags_on_sentences_far_from_thresholds(settings, fakes):
    full_only = hits(FAR, cascade_settings(settings, None))
    assert full_only == {("c1#1", "parking"), ("c2#1", "food"), ("c4#1", "parking")}
    assert hits(FAR, cascade_settings(settings, 0.05)) == full_only
    found = cascade.cascade_match(FAR, THEMES, fakes[1], fakes[0], limits=np.array([0.6, 0.6]),
                                  margin=0.05, semantic_margin=0.02)
    assert found.distinct == 3 and found.distinct_rescored == 0 and found.share == 0.0


def test_static_scores_are_mapped_onto_the_full_models_scale(fakes):
    full, static = fakes
    line = cascade.calibration(THEMES, static, full)
    raw = full_only_scores(FAR, static)
    mapped = line.apply(raw, cascade.row_means(raw))
    assert not np.allclose(raw, full_only_scores(FAR, full), atol=0.1)  # two scales ...
    assert np.allclose(mapped, full_only_scores(FAR, full), atol=0.05)  # ... one line apart


def test_sentences_in_doubt_or_too_short_are_rescored_with_the_full_model(fakes):
    full, static = fakes
    texts = [*FAR, BETWEEN, SHORT]
    found = cascade.cascade_match(texts, THEMES, static, full, limits=np.array([0.6, 0.6]),
                                  margin=0.05, semantic_margin=0.02)
    assert found.rescored.tolist() == [False, False, False, False, True, True]
    assert 0.0 <= found.share <= 1.0 and found.share == pytest.approx(2 / 5)
    assert np.allclose(found.match.scores[4:], full_only_scores(texts[4:], full))


def test_a_sentence_the_static_model_gets_wrong_far_from_thresholds_keeps_its_static_tag(
        settings, fakes):
    # the cascade's limit, said plainly: only doubt sends a sentence to MiniLM
    assert hits([WRONG], cascade_settings(settings, None)) == set()
    assert hits([WRONG], cascade_settings(settings, 0.05)) == {("c1#1", "parking")}
    assert hits([WRONG], cascade_settings(settings, 2.0)) == set()  # everything re-scored


def test_in_doubt_reads_thresholds_against_scores_and_the_runner_up():
    limits = np.array([0.5, 0.5])
    scores = np.array([[0.9, 0.1], [0.52, 0.1], [0.9, 0.89], [0.9, 0.1], [0.2, 0.1],
                       [0.9, 0.52]])
    against = np.full(scores.shape, 0.1)
    against[3, 0], against[4, 0] = 0.88, 0.19
    top_one = cascade.in_doubt(scores, against, limits, margin=0.05, semantic_margin=0.02)
    assert top_one.tolist() == [False, True, True, True, False, False]
    # with every theme able to hit, a second theme near its threshold is in doubt too
    every = cascade.in_doubt(scores, against, limits, 0.05, 0.02, top_k=0)
    assert every.tolist() == [False, True, True, True, False, True]
    assert cascade.in_doubt(np.zeros((0, 2)), np.zeros((0, 2)), limits, 0.05, 0.02).shape == (0,)


def full_only_scores(texts: list[str], embedder) -> np.ndarray:
    from pipeline.tagging.semantic import semantic_scores

    return semantic_scores(texts, THEMES, embedder)


def test_large_rounds_turn_the_cascade_on_and_say_so(settings):
    from pipeline.config.settings import CASCADE_MARGIN
    from pipeline.embed import switching

    def tagged(**options):
        tag_cfg = settings.pipeline.tag.updated(**options)
        return settings.model_copy(update={"pipeline": settings.pipeline.model_copy(
            update={"tag": tag_cfg})})

    opted = tagged(embedder="minilm-onnx", cascade_from_rows=100, cascade_margin=None)
    assert switching.cascade_for_round_size(opted, 99) == (opted, None)
    chosen, note = switching.cascade_for_round_size(opted, 100)
    assert chosen.pipeline.tag.advanced.cascade_margin == CASCADE_MARGIN
    assert note == (f"100 input rows >= tag.advanced.cascade_from_rows (100): "
                    f"tag.advanced.cascade_margin null -> {CASCADE_MARGIN} (minilm-static "
                    "first, minilm-onnx for sentences in doubt)")
    assert cascade.cascading(chosen.pipeline.tag) and not cascade.cascading(opted.pipeline.tag)
    for kept in (tagged(embedder="minilm-static", cascade_from_rows=100),  # nothing to spare
                 tagged(embedder="minilm", cascade_from_rows=100, cascade_margin=0.2),
                 tagged(embedder="minilm", cascade_from_rows=None, cascade_margin=None)):
        assert switching.cascade_for_round_size(kept, 10**6) == (kept, None)
