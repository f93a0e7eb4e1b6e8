"""Emerging themes on a small round: a phrase two or more respondents share in asks no theme
explains.

Discovery needs enough sentences to form a cluster; on a round of 18 respondents two people
raising the same new topic ("coordination with the NHS Staff Council") are easily merged into
a neighbouring cluster. This looks for the shared words directly: among ask sentences that no
theme tags and no candidate theme holds, each phrase of 2-4 words inside one clause (no stop
word at either end, one word of at least four letters) is counted by the respondents using it;
the phrase used by most respondents (then the longest) wins, its sentences are taken out, and
the search repeats. Phrases keep the case respondents wrote mid-sentence, so proper nouns read
as written. Only redacted sentence text is read, so a name or an email never becomes a label (a
placeholder such as "[NAME]" is a clause of its own, never part of a phrase).
Hand-written because it is a few loops over words that ``pipeline.drafting.names`` already
splits; no library groups short texts by a shared phrase with these rules.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from pipeline.drafting.names import _clauses, _reverse, _stop_words

MIN_RESPONDENTS = 2
MAX_WORDS = 4


def shared_phrases(asks: pd.DataFrame, min_respondents: int = MIN_RESPONDENTS
                   ) -> list[tuple[str, list[str]]]:
    """(phrase as written, sentence ids using it) for each phrase shared by at least
    ``min_respondents`` respondents, most respondents first; ``asks`` holds sentence_id,
    respondent_id and text. Each sentence counts under one phrase only."""
    stop = _stop_words()
    left = asks[["sentence_id", "respondent_id", "text"]].astype(str)
    found: list[tuple[str, list[str]]] = []
    while len(left):
        users: dict[tuple[str, ...], set[str]] = defaultdict(set)
        used_in: dict[tuple[str, ...], set[str]] = defaultdict(set)
        written: dict[tuple[str, ...], str] = {}
        for sentence_id, respondent, text in left.itertuples(index=False):
            for clause in _clauses(text):
                for n in range(2, MAX_WORDS + 1):
                    for start in range(len(clause) - n + 1):
                        words = clause[start:start + n]
                        key = tuple(w.lower() for w, _ in words)
                        if key[0] in stop or key[-1] in stop or max(map(len, key)) < 4:
                            continue
                        users[key].add(respondent)
                        used_in[key].add(sentence_id)
                        if not words[0][1]:  # written mid-sentence: its case is its own
                            written[key] = " ".join(w for w, _ in words)
                        written.setdefault(key, " ".join(w for w, _ in words))
        shared = [k for k in users if len(users[k]) >= min_respondents]
        if not shared:
            break
        best = max(shared, key=lambda k: (len(users[k]), len(k), _reverse(k)))
        phrase = written[best]
        found.append((phrase[:1].upper() + phrase[1:], sorted(used_in[best])))
        left = left[~left["sentence_id"].isin(used_in[best])]
    return found
