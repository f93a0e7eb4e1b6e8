"""Choosing supporting quotes: representative, diverse, one per respondent, spread over groups.

Each quote is a verbatim slice of the redacted comment text, trimmed to the sentences that
carry the theme. Choice is maximal marginal relevance (MMR): closeness to the theme's centre
minus ``diversity`` x likeness to quotes already chosen, with a small penalty for a group
that already has a quote. Ties break on comment_id, so the choice is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.io.dtypes import blank_missing, text_isin

GROUP_PENALTY = 0.15  # per quote the group already has: spreads quotes over groups
MIN_QUOTE_WORDS = 5  # "Third, communications." says nothing on its own


@dataclass(frozen=True)
class QuoteCandidate:
    """One comment's span that could be quoted for a theme."""

    comment_id: str
    respondent_id: str
    group: str
    question: str
    quote: str
    stance: str


def trim(text: str, spans: list[tuple[int, int]], best: tuple[int, int],
         max_words: int) -> str | None:
    """The slice of ``text`` from the first to the last carrying sentence; if that is too
    long, the best carrying sentence alone; None if even that is too long."""
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    quote = text[start:end].strip()
    if len(quote.split()) <= max_words:
        return quote
    quote = text[best[0]:best[1]].strip()
    return quote if len(quote.split()) <= max_words else None


def candidates_for(carrying: pd.DataFrame, comments: pd.DataFrame, stances: dict[str, str],
                   scores: dict[str, float], max_words: int, stance: str
                   ) -> list[QuoteCandidate]:
    """One candidate per comment from its carrying sentences (sentence_id, comment_id,
    sentence_index, start, end) of the given ``stance`` only, so a quote under the asks holds
    no praise and no neutral remark. ``scores`` rank sentences (closeness to the centre);
    sentences that are not next to each other are quoted by the best one alone."""
    kinds = blank_missing(carrying["sentence_id"].map(stances), "neutral")
    chosen = carrying[kinds == stance]
    if chosen.empty:
        return []
    # plain dicts and lists, not a pandas group per comment: a theme of a large round is
    # carried by hundreds of thousands of comments
    wanted = comments[text_isin(comments["comment_id"], set(chosen["comment_id"]))]
    about = {c: (str(t), str(r), str(g), str(q)) for c, t, r, g, q in zip(
        wanted["comment_id"], wanted["text"], wanted["respondent_id"], wanted["group"],
        wanted["question"], strict=True)}
    groups: dict[str, list[tuple[str, int, tuple[int, int]]]] = {}
    for sentence_id, comment_id, index, start, end in zip(
            chosen["sentence_id"], chosen["comment_id"], chosen["sentence_index"].astype(int),
            chosen["start"].astype(int), chosen["end"].astype(int), strict=True):
        groups.setdefault(comment_id, []).append((sentence_id, int(index), (int(start), int(end))))
    found = []
    for comment_id in sorted(groups):
        group = groups[comment_id]
        text, respondent_id, group_name, question = about[comment_id]
        spans = [span for _, _, span in group]
        ranked = sorted(((sentence_id, span) for sentence_id, _, span in group),
                        key=lambda item: (-scores.get(item[0], 0.0), item[0]))
        order = sorted(index for _, index, _ in group)
        if order[-1] - order[0] != len(order) - 1:  # something else lies between them
            spans = [ranked[0][1]]
        quote = trim(text, spans, ranked[0][1], max_words)
        if not quote or len(quote.split()) < MIN_QUOTE_WORDS:
            continue
        found.append(QuoteCandidate(str(comment_id), respondent_id, group_name, question, quote,
                                    stance))
    return found


def select(candidates: list[QuoteCandidate], vectors: np.ndarray, centre: np.ndarray,
           count: int, diversity: float) -> list[int]:
    """Indices of up to ``count`` candidates chosen by MMR, one per respondent."""
    if not candidates or count <= 0:
        return []
    relevance = vectors @ centre if len(centre) else np.zeros(len(candidates))
    chosen: list[int] = []
    respondents: set[str] = set()
    groups: dict[str, int] = {}
    seen_quotes: set[str] = set()
    while len(chosen) < count:
        best, best_score = None, -np.inf
        for index, candidate in enumerate(candidates):
            if (index in chosen or candidate.respondent_id in respondents
                    or candidate.quote.lower() in seen_quotes):
                continue
            # unlike counts as 0, not as a bonus: an off-topic quote must not win by contrast
            redundancy = max((max(0.0, float(vectors[index] @ vectors[j])) for j in chosen),
                             default=0.0)
            score = ((1 - diversity) * float(relevance[index]) - diversity * redundancy
                     - GROUP_PENALTY * groups.get(candidate.group, 0))
            key = (score, _reverse(candidate.comment_id))
            if best is None or key > (best_score, _reverse(candidates[best].comment_id)):
                best, best_score = index, score
        if best is None:
            break
        chosen.append(best)
        respondents.add(candidates[best].respondent_id)
        seen_quotes.add(candidates[best].quote.lower())
        groups[candidates[best].group] = groups.get(candidates[best].group, 0) + 1
    return chosen


def respondent_numbers(respondent_ids) -> dict[str, str]:
    """Short stable numbers for quoting respondents, in the order given (the input's row
    order): 'R01', 'R02', ... (as many digits as the largest number needs, at least two)."""
    ordered = list(dict.fromkeys(str(r) for r in respondent_ids))
    width = max(2, len(str(len(ordered))))
    return {rid: f"R{i:0{width}d}" for i, rid in enumerate(ordered, start=1)}


def _reverse(text: str) -> tuple[int, ...]:
    """Sort key that makes the smaller comment_id win a tie under max()."""
    return tuple(-ord(ch) for ch in text)
