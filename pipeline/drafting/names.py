"""Names for candidate themes in the respondents' own words.

A candidate theme (a cluster no theme explains) is named by a phrase its respondents use:
a word sequence inside one clause (2-4 words, no stop word at either end) containing one of
the cluster's top keywords, scored by the respondents using it times the keywords it holds;
used by at least two respondents (one in a round of one). Failing that, the keyword
respondents use most. Words keep the case respondents wrote them in mid-sentence, so proper nouns read
"NHS England" and "Staff Council"; a word capitalised only because it opens a sentence is
lower-cased.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | {"really", "also", "just", "like", "much", "forum"}


CLAUSE = re.compile(r"[,.;:!?()\[\]\"“”–—]|\s-\s")


def _clauses(text: str) -> list[list[tuple[str, bool]]]:
    """Per clause, (word, opens the sentence) for each word."""
    found, first = [], True
    for part in CLAUSE.split(text):
        words = [(m.group(), first and i == 0) for i, m in enumerate(WORD.finditer(part))]
        first = first and not words
        if words:
            found.append(words)
    return found


def phrase_name(texts: list[str], respondents: list[str], keywords: list[str],
                max_words: int = 4) -> str:
    """The phrase most respondents use (see module doc); "" when there is none."""
    stop = _stop_words()
    keys = list(dict.fromkeys(w.lower() for k in keywords for w in k.split()))
    users: dict[tuple[str, ...], set[str]] = defaultdict(set)
    written: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    mid_case: dict[str, Counter] = defaultdict(Counter)
    for text, respondent in zip(texts, respondents, strict=True):
        for tokens in _clauses(text):
            for word, opens in tokens:
                if not opens:
                    mid_case[word.lower()][word] += 1
            lowered = [w.lower() for w, _ in tokens]
            for n in range(1, max_words + 1):
                for start in range(len(tokens) - n + 1):
                    key = tuple(lowered[start:start + n])
                    if key[0] in stop or key[-1] in stop or len(key[0]) < 2:
                        continue
                    if keys and not _hits(key, keys):
                        continue
                    users[key].add(respondent)
                    written[key][" ".join(w for w, _ in tokens[start:start + n])] += 1
    if not users:
        return ""
    need = 2 if len(set(respondents)) > 1 else 1
    phrases = [k for k in users if len(k) > 1 and len(users[k]) >= need]
    if phrases:
        best = max(phrases, key=lambda k: (len(users[k]) * _hits(k, keys), len(k),
                                           _reverse(k)))
    else:
        best = max(users, key=lambda k: (len(users[k]), _reverse(k)))
    words = []
    for word in written[best].most_common(1)[0][0].split():
        seen = mid_case.get(word.lower())
        words.append(seen.most_common(1)[0][0] if seen else word.lower())
    phrase = " ".join(words)
    return phrase[:1].upper() + phrase[1:]


def _hits(key: tuple[str, ...], keywords: list[str]) -> int:
    """How many of ``keywords`` (lemmas: 'paper' matches 'papers') the phrase holds."""
    return sum(any(w.startswith(k[:5]) and len(w) <= len(k) + 3 for w in key) for k in keywords)


def _reverse(key: tuple[str, ...]) -> tuple[int, ...]:
    """Tie-break: alphabetical order wins under max()."""
    return tuple(-ord(c) for c in " ".join(key))
