"""What the review pages show, as plain data: the index's theme tables and a theme's comments.

No HTML here but ``highlight``, which builds its markup from escaped pieces only
(``markupsafe.escape``), so comment text can never inject tags into a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from markupsafe import Markup, escape

from pipeline import decisions as decisions_module
from pipeline.config.models import ThemesConfig
from pipeline.review.run_data import RunData

SORTS = ("score_desc", "score_asc", "run")


@dataclass
class ThemeRow:
    theme_id: str
    label: str
    respondents: int
    share: float
    comments: int
    layers: dict[str, int]
    decided: int


def index_rows(run: RunData, themes: ThemesConfig,
               decisions: list[decisions_module.Decision]) -> tuple[list[ThemeRow], pd.DataFrame]:
    """One row per theme (respondents, share of kept respondents, comments, hits per layer,
    decisions made) and the theme x group table of respondents."""
    kept = run.kept
    total = max(kept["respondent_id"].nunique(), 1)
    per_comment = run.run_themes()
    labels = {t.id: t.label for t in themes.themes}
    ids = list(dict.fromkeys([*run.manifest["themes"]["ids"], *themes.ids]))
    decided = pd.Series([d.theme for d in decisions], dtype=object).value_counts()
    tags = run.tags
    rows, by_group = [], {}
    groups = sorted(set(kept["group"]))
    for theme_id in ids:
        carrying = kept[[theme_id in per_comment[c] for c in kept["comment_id"]]]
        layers = tags.loc[tags["theme_id"] == theme_id, "method"].value_counts()
        respondents = carrying["respondent_id"].nunique()
        rows.append(ThemeRow(theme_id, labels.get(theme_id, theme_id), respondents,
                             respondents / total, len(carrying),
                             {str(k): int(v) for k, v in layers.sort_index().items()},
                             int(decided.get(theme_id, 0))))
        counts = carrying.groupby("group")["respondent_id"].nunique()
        by_group[theme_id] = [int(counts.get(g, 0)) for g in groups]
    table = pd.DataFrame.from_dict(by_group, orient="index", columns=groups)
    return rows, table


@dataclass
class Criteria:
    """What a theme covers, shown beside its tags: ``description``, ``includes``, ``excludes``
    and ``not_examples``, as written in the theme config."""

    description: str = ""
    includes: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    not_examples: list[str] = field(default_factory=list)


def criteria(themes: ThemesConfig, theme_id: str) -> Criteria:
    """The theme's criteria (empty for a theme the config no longer has)."""
    theme = themes.by_id().get(theme_id)
    if theme is None:
        return Criteria()
    return Criteria(theme.description, list(theme.includes), list(theme.excludes),
                    list(theme.not_examples))


def highlight(text: str, sentences: list[tuple[int, int]],
              evidence: list[tuple[int, int]]) -> Markup:
    """``text`` escaped, its tagging ``sentences`` in <mark> and the ``evidence`` spans (both
    character offsets into ``text``) in <strong>."""
    flags = [0] * len(text)
    for start, end in sentences:
        for i in range(max(start, 0), min(end, len(text))):
            flags[i] |= 1
    for start, end in evidence:
        for i in range(max(start, 0), min(end, len(text))):
            flags[i] |= 2
    pieces, i, marked = [], 0, False
    while i < len(text):
        j = i
        while j < len(text) and flags[j] == flags[i]:
            j += 1
        if bool(flags[i] & 1) != marked:  # one <mark> per run of tagged sentences
            marked = not marked
            pieces.append(Markup("<mark>" if marked else "</mark>"))
        piece = escape(text[i:j])
        pieces.append(Markup("<strong>") + piece + Markup("</strong>") if flags[i] & 2 else piece)
        i = j
    if marked:
        pieces.append(Markup("</mark>"))
    return Markup("").join(pieces)


@dataclass
class CommentRow:
    comment_id: str
    group: str
    question: str
    stance: str
    layers: list[str]
    score: float
    evidence: list[str]
    text: Markup
    state: str            # run (tagged, no decision), accept, reject, add
    unusable: bool
    in_run: bool
    other_themes: list[str] = field(default_factory=list)


def theme_rows(run: RunData, theme_id: str, decisions: list[decisions_module.Decision], *,
               sort: str = "score_desc", layer: str = "", group: str = "",
               stance: str = "") -> list[CommentRow]:
    """The comments the run tagged with ``theme_id`` (and those a reviewer added), filtered by
    layer, group and stance, sorted by score (or in the run's order)."""
    state = decisions_module.latest(decisions)
    unusable = decisions_module.unusable_quotes(decisions)
    per_comment = run.run_themes()
    tags = run.tags[run.tags["theme_id"] == theme_id]
    hits = {c: frame for c, frame in tags.groupby("comment_id", sort=False)}
    added = [c for (c, t), d in state.items() if t == theme_id and d == "add" and c not in hits]
    sentences = run.sentences.set_index("sentence_id")
    kept = run.kept.set_index("comment_id")
    rows = []
    for comment_id in [c for c in kept.index if c in hits or c in added]:
        answer = kept.loc[comment_id]
        frame = hits.get(comment_id)
        spans, marks, layers, evidence, score = [], [], [], [], 0.0
        if frame is not None:
            for sentence_id, start, end, method, text in zip(
                    frame["sentence_id"], frame["start"], frame["end"], frame["method"],
                    frame["evidence"], strict=True):
                offset = int(sentences.loc[sentence_id, "start"]) \
                    if sentence_id in sentences.index else 0
                length = int(sentences.loc[sentence_id, "end"]) - offset \
                    if sentence_id in sentences.index else 0
                spans.append((offset, offset + length))
                if method in ("keyword", "pattern"):
                    marks.append((offset + int(start), offset + int(end)))
                layers.append(str(method))
                if str(text) not in evidence:
                    evidence.append(str(text))
            score = float(frame["score"].max())
        rows.append(CommentRow(
            comment_id=comment_id, group=str(answer["group"]), question=str(answer["question"]),
            stance=run.stances.get((comment_id, theme_id), ""),
            layers=sorted(set(layers)), score=round(score, 3), evidence=evidence,
            text=highlight(str(answer["text"]), spans, marks),
            state=state.get((comment_id, theme_id), "run" if frame is not None else "add"),
            unusable=(comment_id, theme_id) in unusable, in_run=frame is not None,
            other_themes=sorted(per_comment.get(comment_id, set()) - {theme_id})))
    rows = [r for r in rows if (not layer or layer in r.layers) and (not group or r.group == group)
            and (not stance or r.stance == stance)]
    if sort == "score_desc":
        rows.sort(key=lambda r: -r.score)
    elif sort == "score_asc":
        rows.sort(key=lambda r: r.score)
    return rows
