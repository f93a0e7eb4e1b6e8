"""Stage ``tag``: every sentence against every theme, multi-label, with evidence.

Layers: ``keyword`` (theme keywords matched on lookup lemmas), ``pattern`` (spaCy Matcher
token patterns), ``semantic`` (cosine similarity to the theme's label, description and
examples, see ``pipeline.tagging.semantic``) and ``classifier`` (a model trained with ``theming
train``, per comment, see ``pipeline.tagging.learned``). A theme's ``exclude`` phrases veto its
keyword, pattern and semantic hits in the same sentence. A keyword made only of
``tag.advanced.everyday_words`` ("updated", "better") tags only beside another hit for its theme in
the same sentence. Every hit keeps its method, score
and evidence: the matched words (keyword, pattern), the theme text the sentence was nearest
(semantic) or the sentence the model scores highest (classifier); semantic and classifier
hits also name the runner-up theme and the margin over it. Hits roll up per comment.
Sub-themes (a theme's ``parent:``) roll up into their parent: ``comment_themes`` has a row for
the parent beside its sub-themes' rows, with the method ``rollup`` (and the parent's own layers
when its keywords or patterns hit too). The semantic layer leaves a theme with sub-themes to
them: its prototype would compete with theirs for every sentence's margin.
Semantic and classifier hits cover the whole sentence (start 0, end = sentence length); a
classifier hit names the comment's sentence the model scores highest for that theme.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline import progress
from pipeline.config.models import Settings, ThemesConfig
from pipeline.embed.base import CachedEmbedder
from pipeline.stages.schemas import (
    COMMENT_THEMES,
    PROVENANCE,
    ROLLUP,
    SENTENCES,
    TAGS,
    empty,
)
from pipeline.tagging.cascade import calibration, cascade_match, cascading, static_for
from pipeline.tagging.semantic import (
    embedder_for,
    keep_top_k,
    runner_up,
    semantic_match,
    thresholds,
)
from pipeline.text.nlp import get_nlp, lemma, lemma_doc, lemmatise, match_in_windows
from pipeline.text.regex_safety import Timeouts, timed_patterns

log = logging.getLogger(__name__)

NAME = "tag"
REQUIRES = {"sentences": SENTENCES}
PRODUCES = {"tags": TAGS + PROVENANCE, "comment_themes": COMMENT_THEMES}
SEMANTIC_BLOCK = 4096  # sentences scored at once by a pretrained embedder (bounds memory)


@dataclass
class ThemeMatchers:
    """spaCy matchers built once per theme config (cheap; rebuilt per partition)."""

    keywords: object
    patterns: object
    excludes: object
    theme_ids: list[str] = field(default_factory=list)
    timeouts: Timeouts = field(default_factory=Timeouts)  # REGEX predicates run with a limit


def build_matchers(themes: ThemesConfig, model: str = "blank",
                   use_proposed: bool = False) -> ThemeMatchers:
    from spacy.matcher import Matcher, PhraseMatcher

    vocab = get_nlp(model).vocab
    keywords = PhraseMatcher(vocab, attr="LEMMA")
    excludes = PhraseMatcher(vocab, attr="LEMMA")
    patterns = Matcher(vocab, validate=True)
    timeouts = Timeouts()
    for theme in themes.themes:
        phrases = theme.keywords + (theme.proposed_keywords if use_proposed else [])
        if phrases:
            keywords.add(theme.id, [lemma_doc(k, model) for k in phrases])
        if theme.exclude:
            excludes.add(theme.id, [lemma_doc(k, model) for k in theme.exclude])
        if theme.patterns:
            patterns.add(theme.id, timed_patterns(theme.id, theme.patterns, timeouts))
    return ThemeMatchers(keywords, patterns, excludes, themes.ids, timeouts)


def run(tables: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    return tag(tables["sentences"], settings)


def tag(sentences: pd.DataFrame, settings: Settings) -> dict[str, pd.DataFrame]:
    """``sentences`` -> ``tags`` (one row per hit: comment_id, sentence_id, theme_id, method,
    score, evidence, start, end, runner_up, margin, and its provenance: assigned_by,
    config_version, assigned_at) and ``comment_themes`` (one row per comment and theme)."""
    from spacy.util import filter_spans

    started = time.perf_counter()
    cfg = settings.pipeline.tag
    model = settings.pipeline.nlp.advanced.model
    matchers = build_matchers(settings.themes, model, cfg.advanced.use_proposed_keywords)
    vocab = get_nlp(model).vocab
    records = []
    nlp = get_nlp(model)
    vetoes: list[set[str]] = []
    everyday = {lemma(w) for phrase in cfg.advanced.everyday_words for w in phrase.split()}
    weak: set[int] = set()  # records of keywords made only of everyday words
    for sentence_id, comment_id, text in zip(sentences["sentence_id"], sentences["comment_id"],
                                             sentences["text"], strict=True):
        doc = nlp.make_doc(str(text))
        lemmatise(doc)
        vetoed = {vocab.strings[m_id] for m_id, _, _ in matchers.excludes(doc)}
        vetoes.append(vetoed)
        hits = []
        if cfg.advanced.keywords:
            hits += [(m_id, "keyword", s, e) for m_id, s, e in matchers.keywords(doc)]
        if cfg.advanced.patterns and len(matchers.patterns):  # an empty Matcher warns (W036) per call
            matchers.timeouts.sentence_id = str(sentence_id)
            hits += [(m_id, "pattern", s, e)
                     for m_id, s, e in match_in_windows(matchers.patterns, doc)]
        by_layer: dict[tuple[str, str], list] = {}
        for m_id, method, start, end in hits:
            theme_id = vocab.strings[m_id]
            if theme_id not in vetoed:
                by_layer.setdefault((theme_id, method), []).append(doc[start:end])
        for (theme_id, method), spans in by_layer.items():
            # overlapping matches of one theme and layer collapse to the longest span
            for span in sorted(filter_spans(spans), key=lambda sp: sp.start):
                if method == "keyword" and all(t.lemma_ in everyday or t.is_punct for t in span):
                    weak.add(len(records))
                records.append((comment_id, sentence_id, theme_id, method, 1.0, span.text,
                                span.start_char, span.end_char, "", np.nan))
    classifier = settings.tag_model if cfg.advanced.classifier else None
    learned = (classifier.trained_themes if classifier is not None
               and not cfg.advanced.semantic_with_classifier else set())
    skip = set(learned) | set(settings.themes.children())
    if cfg.semantic and len(sentences) and not skip.issuperset(matchers.theme_ids):
        records += semantic_records(sentences, settings, vetoes, skip=skip)
    if classifier is not None and len(sentences):
        records += classifier.tag_records(sentences, settings)
    records = without_lone_everyday(records, weak)
    tags = pd.DataFrame.from_records(records, columns=list(TAGS)) if records else empty(TAGS)
    order = {theme_id: i for i, theme_id in enumerate(matchers.theme_ids)}
    tags = sort_tags(tags, order).assign(**provenance(settings))
    comment_themes = roll_up(tags, order, settings.themes.parents())
    if matchers.timeouts.hits:  # for the manifest (tag.regex_timeouts)
        tags.attrs["regex_timeouts"] = sorted(matchers.timeouts.hits, key=lambda hit: (
            hit["sentence_id"], hit["theme_id"]))
    log.info("tag: %d sentences -> %d hits, %d comment-theme pairs (%.2fs)", len(sentences),
             len(tags), len(comment_themes), time.perf_counter() - started)
    return {"tags": tags, "comment_themes": comment_themes}


def config_version(themes: ThemesConfig) -> str:
    """The theme config's short hash: the first 12 hex digits of the manifest's themes.sha256."""
    from pipeline.io.checksums import sha256_bytes

    return sha256_bytes(themes.model_dump_json().encode())[:12]


def provenance(settings: Settings) -> dict[str, str]:
    """What every machine tag of a run says of itself (PROVENANCE): made by the machine, under
    this theme config, at the run's start (``settings.started_at``)."""
    return {"assigned_by": "machine", "config_version": config_version(settings.themes),
            "assigned_at": settings.started_at}


def without_lone_everyday(records: list[tuple], weak: set[int]) -> list[tuple]:
    """``records`` without the ``weak`` ones (keywords made only of ``tag.advanced.everyday_words``)
    that no other hit for the same theme in the same sentence backs up."""
    if not weak:
        return records
    backed = {(r[1], r[2]) for i, r in enumerate(records) if i not in weak}
    return [r for i, r in enumerate(records) if i not in weak or (r[1], r[2]) in backed]


def semantic_records(sentences: pd.DataFrame, settings: Settings, vetoes: list[set[str]],
                     skip: set[str] | frozenset[str] = frozenset()) -> list[tuple]:
    """``semantic`` hits: sentence x theme pairs whose cosine score reaches the threshold,
    beats the no-theme sentences and the theme's not_examples, and leads the runner-up theme
    by ``tag.advanced.semantic_margin`` (themes in ``skip`` are left to the classifier, never
    hit)."""
    cfg = settings.pipeline.tag
    embedder = embedder_for(cfg, settings.pipeline.seed)
    texts = [str(t) for t in sentences["text"]]
    if not isinstance(embedder, CachedEmbedder):  # tf-idf is fitted on the whole round: not cut
        hits = _semantic_hits(texts, settings, skip, embedder)
        return _records(sentences, vetoes, settings.themes.ids, list(range(len(texts))), hits)
    # a pretrained embedder scores each distinct sentence once and on its own: blocks of
    # distinct sentences give the same hits and hold only a block's vectors
    distinct = list(dict.fromkeys(texts))
    where = {text: i for i, text in enumerate(distinct)}
    line = (calibration(settings.themes, static_for(cfg), embedder, cfg.advanced.no_theme)
            if cascading(cfg) else None)  # once per round, from the theme config alone
    hits: list[list[tuple]] = []
    for start in range(0, len(distinct), SEMANTIC_BLOCK):
        stop = min(start + SEMANTIC_BLOCK, len(distinct))
        hits += _semantic_hits(distinct[start:stop], settings, skip, embedder, line)
        if len(distinct) > SEMANTIC_BLOCK:
            progress.rows("tag: semantic layer", stop, len(distinct))
    return _records(sentences, vetoes, settings.themes.ids, [where[t] for t in texts], hits)


def _records(sentences: pd.DataFrame, vetoes: list[set[str]], theme_ids: list[str],
             rows: list[int], hits: list[list[tuple]]) -> list[tuple]:
    """Tag records of ``sentences``: sentence i carries the ``hits[rows[i]]`` (column, score,
    nearest text, runner-up column or -1, margin) of its text, but those its vetoes drop."""
    records = []
    for i, row in enumerate(rows):
        for column, score, nearest, second, margin in hits[row]:
            theme_id = theme_ids[column]
            if theme_id in vetoes[i]:
                continue
            records.append((sentences["comment_id"].iat[i], sentences["sentence_id"].iat[i],
                            theme_id, "semantic", score, nearest, 0,
                            len(str(sentences["text"].iat[i])),
                            theme_ids[second] if second >= 0 else "",
                            margin if second >= 0 else np.nan))
    return records


def _semantic_hits(texts: list[str], settings: Settings, skip: set[str] | frozenset[str],
                   embedder, line=None) -> list[list[tuple]]:
    """Per text: its semantic hits as (column, score, nearest theme text, runner-up column or
    -1, margin), in column order; ``line``: the cascade's calibration, if computed already."""
    cfg = settings.pipeline.tag
    theme_ids = settings.themes.ids
    limits = thresholds(settings.themes, cfg.semantic_threshold)
    left_out = [j for j, theme_id in enumerate(theme_ids) if theme_id in skip]
    if cascading(cfg):
        match = cascade_match(texts, settings.themes, static_for(cfg), embedder, limits=limits,
                              margin=cfg.advanced.cascade_margin,
                              semantic_margin=cfg.advanced.semantic_margin,
                              top_k=cfg.advanced.semantic_top_k, no_theme=cfg.advanced.no_theme,
                              codebook_weight=cfg.advanced.semantic_codebook_weight,
                              left_out=left_out, line=line).match
    else:
        match = semantic_match(texts, settings.themes, embedder, cfg.advanced.no_theme,
                               cfg.advanced.semantic_codebook_weight)
    scores = match.scores
    scores[:, left_out] = -np.inf
    others, margins = runner_up(scores)
    scores = keep_top_k(scores, cfg.advanced.semantic_top_k)
    hit = (scores >= limits) & (scores > match.against)
    if cfg.advanced.semantic_margin > 0:  # then only a sentence's best theme can lead the others
        hit &= ~(np.nan_to_num(margins, nan=np.inf) < cfg.advanced.semantic_margin)
    hits: list[list[tuple]] = [[] for _ in texts]
    for row, column in zip(*np.nonzero(hit), strict=True):
        margin = margins[row, column]
        hits[row].append((int(column), round(float(scores[row, column]), 6),
                          match.nearest_text(row, column),
                          int(others[row, column]) if np.isfinite(margin) else -1,
                          round(float(margin), 6) if np.isfinite(margin) else np.nan))
    return hits


def roll_up(tags: pd.DataFrame, order: dict[str, int],
            parents: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per (comment, theme): best score, methods, sentences hit, evidence. With
    ``parents`` (sub-theme id -> parent id) a sub-theme's tags also count for its parent, as
    the method ``rollup``: one parent row per comment however many sub-themes it carries."""
    if tags.empty:
        return empty(COMMENT_THEMES).astype({"score": float, "n_sentences": int})
    carried = tags[tags["theme_id"].isin(parents or {})]
    if len(carried):
        tags = pd.concat([tags, carried.assign(theme_id=carried["theme_id"].map(parents),
                                               method=ROLLUP)], ignore_index=True)
    grouped = tags.groupby(["comment_id", "theme_id"], sort=False)
    rolled = grouped.agg(
        score=("score", "max"),
        methods=("method", lambda s: "|".join(sorted(set(s)))),
        n_sentences=("sentence_id", "nunique"),
        evidence=("evidence", lambda s: "; ".join(dict.fromkeys(s))),
    ).reset_index()
    return sort_comment_themes(rolled[list(COMMENT_THEMES)], order)


def theme_order(themes: ThemesConfig) -> dict[str, int]:
    """Each theme id's place in the theme config: the order tags are listed in."""
    return {theme_id: i for i, theme_id in enumerate(themes.ids)}


def sort_tags(tags: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """Tags by comment, sentence, theme (config order), position and layer."""
    tags = tags.assign(_order=tags["theme_id"].map(order)).sort_values(
        ["comment_id", "sentence_id", "_order", "start", "method"], kind="stable"
    ).drop(columns="_order").reset_index(drop=True)
    return tags.astype({"score": float, "start": int, "end": int, "margin": float})


def sort_comment_themes(rolled: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """Comment-theme rows by comment, then theme in config order."""
    return rolled.assign(_order=rolled["theme_id"].map(order)).sort_values(
        ["comment_id", "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)
