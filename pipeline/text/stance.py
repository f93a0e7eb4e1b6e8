"""Stance of a sentence: an ask or criticism, praise, or neutral. Rule-based and transparent.

"It was useful to have ministers there" is praise; "we need a stronger ministerial
presence" is an ask. Rules, in order:

1. Only the last clause after a contrast ("..., but ...", "however") counts: "Good to have
   the minister there, but it felt like a set-piece" is a criticism.
2. Ask cues ("need", "should", "please", "would welcome", "too late", "not enough") count
   for an ask; praise cues ("useful", "thank", "excellent") for praise.
3. A praise cue after a negation ("not useful", "never helpful") counts as criticism; a
   praise cue in a conditional ("it would be useful", "would help") counts as an ask.

Recommendations are drafted from asks; praise is reported as what works.
"""

from __future__ import annotations

import re

ASK = "ask"
PRAISE = "praise"
NEUTRAL = "neutral"

ASK_CUES = (
    "need", "needs", "needed", "should", "must", "ought", "please", "would like", "i'd like",
    "we'd like", "would welcome", "would prefer", "i'd prefer", "i'd rather", "would rather",
    "could we", "can we", "wish", "want", "more", "fewer", "less",
    "too late", "too often", "too few", "too many", "too much", "too little", "not enough",
    "lack", "lacking", "missing", "miss", "rarely", "never", "hardly", "barely", "no say",
    "no idea", "no time", "nobody", "again", "impossible", "hard to", "frustrat", "disappoint",
    "concern",
    "problem", "issue", "poor", "late", "slow", "sporadic", "lost", "drowned", "dominat",
    "lopsided", "overran", "costly", "unprepared", "ignored", "tokenistic", "set-piece",
    "rubber stamp", "haven't", "hasn't", "isn't", "aren't", "doesn't", "don't", "didn't",
    "not", "no longer", "instead", "rather than", "would help", "would make", "would be",
    "would give", "would transform", "would raise", "would really",
)
PRAISE_CUES = (
    "useful", "valuable", "value", "valued", "helpful", "handy", "good", "great", "excellent",
    "thank", "thanks", "grateful", "appreciate", "appreciated", "pleased", "welcome",
    "welcomed", "welcoming", "boost", "productive", "well run", "well-run", "privilege",
    "enjoy", "enjoyed", "impressed", "positive", "improved", "improvement", "highlight",
    "highlights", "strong", "effective", "worked well", "works well", "constructive",
    "respect", "reflected", "glad", "credit", "praise", "brilliant", "brilliantly", "fantastic",
    "work well", "worked well", "handled well", "well-organised", "well-prepared", "purposeful",
)
NEGATIONS = ("not", "never", "no", "hardly", "barely", "isn't", "wasn't", "aren't", "weren't",
             "don't", "doesn't", "didn't", "haven't", "hasn't", "nothing", "without")
CONDITIONALS = ("would", "could", "should", "if", "wish", "i'd", "we'd", "it'd")
CONTRAST = re.compile(r"[,;–—-]?\s*\b(?:but|however|although|though|yet|whereas)\b[,]?\s*",
                      re.IGNORECASE)
WORD = re.compile(r"[a-z][a-z'’-]*")


STEMS = ("frustrat", "disappoint", "dominat")  # match any ending: "frustrating", "dominates"


def _index(cues: tuple[str, ...]) -> dict[str, list[tuple[str, ...]]]:
    """Cues by their first word, so a sentence is scanned once."""
    found: dict[str, list[tuple[str, ...]]] = {}
    for cue in cues:
        parts = tuple(cue.split())
        found.setdefault(parts[0], []).append(parts)
    return found


ASK_INDEX = _index(ASK_CUES)
PRAISE_INDEX = _index(PRAISE_CUES)


def _words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in WORD.findall(text.lower())]


def _matches(words: list[str], index: dict[str, list[tuple[str, ...]]]) -> list[int]:
    """Start positions of every cue of ``index`` in ``words``."""
    hits = []
    for position, word in enumerate(words):
        key = next((stem for stem in STEMS if word.startswith(stem)), word)
        for parts in index.get(key, ()):
            if tuple(words[position + 1:position + len(parts)]) == parts[1:]:
                hits.append(position)
    return hits


def stance_scores(text: str) -> tuple[int, int]:
    """(ask score, praise score) of the clause that carries the sentence's point."""
    clauses = [c for c in CONTRAST.split(text) if c.strip()]
    words = _words(clauses[-1] if clauses else text)
    asks = len(_matches(words, ASK_INDEX))
    praise = 0
    for index in _matches(words, PRAISE_INDEX):
        negated = any(w in NEGATIONS for w in words[max(0, index - 3):index])
        conditional = any(w in CONDITIONALS for w in words[max(0, index - 4):index])
        if negated or conditional:
            asks += 1
        else:
            praise += 1
    return asks, praise


def classify(text: str) -> str:
    """``ask`` (an ask or criticism), ``praise`` or ``neutral``."""
    asks, praise = stance_scores(text)
    if asks > praise:
        return ASK
    if praise > asks:
        return PRAISE
    return NEUTRAL
