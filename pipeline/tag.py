"""Stage ``tag``: every sentence against every theme, multi-label, with evidence.

Layers: ``keyword`` (theme keywords matched on lookup lemmas), ``pattern`` (spaCy Matcher
token patterns). A theme's ``exclude`` phrases veto its hits in the same sentence. Every
hit keeps its method, score and evidence span; hits roll up per comment.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import pandas as pd

from pipeline.config import Settings, ThemesConfig
from pipeline.nlp import get_nlp, lemma_doc, lemmatise
from pipeline.schemas import COMMENT_THEMES, SENTENCES, TAGS, empty

log = logging.getLogger(__name__)

NAME = "tag"
REQUIRES = {"sentences": SENTENCES}
PRODUCES = {"tags": TAGS, "comment_themes": COMMENT_THEMES}


@dataclass
class ThemeMatchers:
    """spaCy matchers built once per theme config (cheap; rebuilt per partition)."""

    keywords: object
    patterns: object
    excludes: object
    theme_ids: list[str] = field(default_factory=list)


def build_matchers(themes: ThemesConfig, model: str = "blank") -> ThemeMatchers:
    from spacy.matcher import Matcher, PhraseMatcher

    vocab = get_nlp(model).vocab
    keywords = PhraseMatcher(vocab, attr="LEMMA")
    excludes = PhraseMatcher(vocab, attr="LEMMA")
    patterns = Matcher(vocab, validate=True)
    for theme in themes.themes:
        if theme.keywords:
            keywords.add(theme.id, [lemma_doc(k, model) for k in theme.keywords])
        if theme.exclude:
            excludes.add(theme.id, [lemma_doc(k, model) for k in theme.exclude])
        if theme.patterns:
            patterns.add(theme.id, theme.patterns)
    return ThemeMatchers(keywords, patterns, excludes, themes.ids)


def run(tables: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    return tag(tables["sentences"], settings)


def tag(sentences: pd.DataFrame, settings: Settings) -> dict[str, pd.DataFrame]:
    """``sentences`` -> ``tags`` (one row per hit: comment_id, sentence_id, theme_id, method,
    score, evidence, start, end) and ``comment_themes`` (one row per comment and theme)."""
    from spacy.util import filter_spans

    started = time.perf_counter()
    cfg = settings.pipeline.tag
    model = settings.pipeline.nlp.model
    matchers = build_matchers(settings.themes, model)
    vocab = get_nlp(model).vocab
    records = []
    nlp = get_nlp(model)
    for sentence_id, comment_id, text in zip(sentences["sentence_id"], sentences["comment_id"],
                                             sentences["text"], strict=True):
        doc = nlp.make_doc(str(text))
        lemmatise(doc)
        vetoed = {vocab.strings[m_id] for m_id, _, _ in matchers.excludes(doc)}
        hits = []
        if cfg.keywords:
            hits += [(m_id, "keyword", s, e) for m_id, s, e in matchers.keywords(doc)]
        if cfg.patterns:
            hits += [(m_id, "pattern", s, e) for m_id, s, e in matchers.patterns(doc)]
        by_layer: dict[tuple[str, str], list] = {}
        for m_id, method, start, end in hits:
            theme_id = vocab.strings[m_id]
            if theme_id not in vetoed:
                by_layer.setdefault((theme_id, method), []).append(doc[start:end])
        for (theme_id, method), spans in by_layer.items():
            # overlapping matches of one theme and layer collapse to the longest span
            for span in sorted(filter_spans(spans), key=lambda sp: sp.start):
                records.append((comment_id, sentence_id, theme_id, method, 1.0, span.text,
                                span.start_char, span.end_char))
    tags = pd.DataFrame.from_records(records, columns=list(TAGS)) if records else empty(TAGS)
    order = {theme_id: i for i, theme_id in enumerate(matchers.theme_ids)}
    tags = tags.assign(_order=tags["theme_id"].map(order)).sort_values(
        ["comment_id", "sentence_id", "_order", "start", "method"], kind="stable"
    ).drop(columns="_order").reset_index(drop=True)
    tags = tags.astype({"score": float, "start": int, "end": int})
    comment_themes = roll_up(tags, order)
    log.info("tag: %d sentences -> %d hits, %d comment-theme pairs (%.2fs)", len(sentences),
             len(tags), len(comment_themes), time.perf_counter() - started)
    return {"tags": tags, "comment_themes": comment_themes}


def roll_up(tags: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """One row per (comment, theme): best score, methods, sentences hit, evidence."""
    if tags.empty:
        return empty(COMMENT_THEMES).astype({"score": float, "n_sentences": int})
    grouped = tags.groupby(["comment_id", "theme_id"], sort=False)
    rolled = grouped.agg(
        score=("score", "max"),
        methods=("method", lambda s: "|".join(sorted(set(s)))),
        n_sentences=("sentence_id", "nunique"),
        evidence=("evidence", lambda s: "; ".join(dict.fromkeys(s))),
    ).reset_index()
    rolled = rolled.assign(_order=rolled["theme_id"].map(order)).sort_values(
        ["comment_id", "_order"], kind="stable").drop(columns="_order")
    return rolled[list(COMMENT_THEMES)].reset_index(drop=True)
