"""Stance of a sentence: an ask or criticism, praise, or neutral. Rule-based and transparent.

"It was useful to have ministers there" is praise; "we need a stronger ministerial
presence" is an ask. Rules, in order:

1. Only the last clause after a contrast ("..., but ...", "however") counts: "Good to have
   the minister there, but it felt like a set-piece" is a criticism.
2. Ask cues ("need", "should", "please", "would welcome", "too late", "not enough") count
   for an ask; praise cues ("useful", "thank", "excellent") for praise.
3. A praise cue after a negation in the same clause ("not useful", "never helpful") counts
   as criticism; a praise cue in a conditional ("it would be useful", "could be better")
   counts as an ask. "Nothing, it was excellent" is praise: a comma ends the negation.
4. A praise phrase hides the ask cues inside it ("no complaints", "can't fault", "would like
   to thank"); "when needed" is no ask and "a great deal" no praise.
5. A sentence that opens with an imperative ("Speed up response times", "Involve family")
   or a comparative ("Quicker response", "Better planning") asks for a change.

Recommendations are drafted from asks; praise is reported as what works.
"""

from __future__ import annotations

import itertools
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
    "could have been", "should have been", "too long", "long wait", "long time", "had to wait",
    "still had to", "dissatisfied", "unhappy", "waste", "wasted", "awful", "terrible", "rude",
    "unacceptable", "unable",
)
PRAISE_CUES = (
    "useful", "valuable", "value", "valued", "helpful", "handy", "good", "great", "excellent",
    "thank", "thanks", "grateful", "appreciate", "appreciated", "pleased", "welcome",
    "welcomed", "welcoming", "boost", "productive", "well run", "well-run", "privilege",
    "enjoy", "enjoyed", "impressed", "positive", "improved", "improvement", "highlight",
    "highlights", "strong", "effective", "worked well", "works well", "constructive",
    "respect", "reflected", "glad", "credit", "praise", "brilliant", "brilliantly", "fantastic",
    "work well", "worked well", "handled well", "well-organised", "well-prepared", "purposeful",
    "kind", "caring", "friendly", "polite", "pleasant", "supportive", "satisfied", "happy",
    "reliable", "professional", "on time", "no complaints", "no complaint", "no problems",
    "no problem", "can't fault", "cannot fault", "couldn't fault", "could not fault",
    "would like to thank", "would like to say", "like to thank", "when needed", "if needed",
    "as needed", "great deal", "good deal",
)
# phrases that hide cues inside them but are themselves neither (see rule 4)
NEUTRAL_PHRASES = ("when needed", "if needed", "as needed", "great deal", "good deal")
IMPERATIVES = frozenset("""
    improve speed encourage involve do be make give provide offer employ hire recruit reduce
    cut stop start keep listen answer organise organize bring ensure consider allow increase
    update train inform tell respond find introduce invest put add change fix shorten check
    include let try""".split())  # noqa: SIM905 - a word list reads best as words
COMPARATIVES = frozenset("""
    better quicker faster shorter sooner earlier fewer less more clearer easier""".split())  # noqa: SIM905
NEGATIONS = ("not", "never", "no", "hardly", "barely", "isn't", "wasn't", "aren't", "weren't",
             "don't", "doesn't", "didn't", "haven't", "hasn't", "nothing", "without")
CONDITIONALS = ("would", "if", "wish", "i'd", "we'd", "it'd")
MODALS = ("could", "should", "might")  # conditional only before "be": "could be better"
CONTRAST = re.compile(r"[,;–—-]?\s*\b(?:but|however|although|though|yet|whereas)\b[,]?\s*",
                      re.IGNORECASE)
WORD = re.compile(r"[a-z][a-z'’-]*|[,;:]")


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
    """Lower-case words, with clause marks (, ; :) kept as their own tokens."""
    return [w.replace("’", "'") for w in WORD.findall(text.lower())]


def _matches(words: list[str], index: dict[str, list[tuple[str, ...]]]
             ) -> list[tuple[int, int]]:
    """(start, length) of every cue of ``index`` in ``words``."""
    hits = []
    for position, word in enumerate(words):
        key = next((stem for stem in STEMS if word.startswith(stem)), word)
        for parts in index.get(key, ()):
            if tuple(words[position + 1:position + len(parts)]) == parts[1:]:
                hits.append((position, len(parts)))
    return hits


def _clause_before(words: list[str], index: int, size: int) -> list[str]:
    """Up to ``size`` words before ``index``, stopping at a clause mark."""
    found = []
    for word in reversed(words[max(0, index - size):index]):
        if word in (",", ";", ":"):
            break
        found.append(word)
    return found


def _modal_be(words: list[str]) -> bool:
    """'could be', 'should be', 'might be' in ``words``: a conditional."""
    return any(w in MODALS and nxt == "be" for w, nxt in itertools.pairwise(words))


def stance_scores(text: str) -> tuple[int, int]:
    """(ask score, praise score) of the clause that carries the sentence's point."""
    clauses = [c for c in CONTRAST.split(text) if c.strip()]
    words = _words(clauses[-1] if clauses else text)
    praise_hits = _matches(words, PRAISE_INDEX)
    covered = {i for start, length in praise_hits if length > 1
               for i in range(start, start + length)}
    asks = sum(1 for start, _ in _matches(words, ASK_INDEX) if start not in covered)
    praise = 0
    for index, length in praise_hits:
        if " ".join(words[index:index + length]) in NEUTRAL_PHRASES:
            continue
        before = _clause_before(words, index, 4)
        negated = any(w in NEGATIONS for w in before[:3]) and length == 1
        conditional = any(w in CONDITIONALS for w in before) or _modal_be(
            [*reversed(before), words[index]])
        if negated or (conditional and length == 1):
            asks += 1
        else:
            praise += 1
    plain = [w for w in words if w not in (",", ";", ":")]
    if plain and (plain[0] in IMPERATIVES or plain[0] in COMPARATIVES):
        asks += 1
    return asks, praise


def classify(text: str) -> str:
    """``ask`` (an ask or criticism), ``praise`` or ``neutral``."""
    asks, praise = stance_scores(text)
    if asks > praise:
        return ASK
    if praise > asks:
        return PRAISE
    return NEUTRAL


CLAUSE_MARK = re.compile(r"\s*[,;:()–—]\s*|\s+-\s+")
LEADING = re.compile(r"^(?:and|so|also|then|but|or|i think|i feel|i believe)\b[\s,]*",
                     re.IGNORECASE)
PHRASE_MAX_WORDS = 18


def ask_phrase(sentence: str) -> str:
    """The words of ``sentence`` that carry its ask, verbatim: the clause after a contrast,
    then its part (between commas, brackets, dashes) with most ask cues, without a leading
    "and"/"so" or end punctuation; at most ``PHRASE_MAX_WORDS`` words from its first word."""
    text = sentence.strip()
    parts = [m for m in re.finditer(r"[^,;:()–—]+", text) if m.group().strip()]
    after_contrast = list(CONTRAST.finditer(text))
    start_at = after_contrast[-1].end() if after_contrast else 0
    parts = [m for m in parts if m.end() > start_at] or parts
    if not parts:
        return ""
    point = text[start_at:]
    if len(point.split()) <= PHRASE_MAX_WORDS:  # short enough: the whole point, as written
        start, end = start_at, len(text)
    else:
        best = max(parts, key=lambda m: (stance_scores(m.group())[0], -m.start()))
        start, end = max(best.start(), start_at), best.end()
    phrase = text[start:end]
    phrase = phrase.strip()
    while (lead := LEADING.match(phrase)) and lead.end():
        phrase = phrase[lead.end():]
    phrase = phrase.rstrip(" .!?\"'”’")
    cut = [m.start() for m in re.finditer(r"\s+", phrase)]
    if len(cut) >= PHRASE_MAX_WORDS:
        phrase = phrase[:cut[PHRASE_MAX_WORDS - 1]]
    return phrase if phrase in text else ""
