"""Names without a title in running text: "Priya Shah", "sam okafor", "Nguyễn Văn An".

No model: names come from lists (``name_lexicon``: Faker's per-locale lists of frequent given
names and surnames, and our own) weighed with the shape of the text. Hand-written because
the one library that finds names in text without a title, spaCy's NER, needs a trained
pipeline that is not on the package index here (DESIGN.md, "Known traps"); a user who
installs one can still switch ``clean.redact.ner`` on beside this.

The evidence needed grows as the text gives less away:
- a run of capitalised words (particles such as "de", "bin", "Ní" may join them) is a name
  when, once everyday words at either end are trimmed ("Thanks", "Overall"), every word left
  is a known given name or surname or an unknown non-English word, and at least one is a
  known name that is not an everyday word or an unknown word ("Oluwaseun Adeyemi"); a run
  holding a word of an organisation, place, programme or the calendar ("NHS Staff Council",
  "Greater Manchester", "Agenda for Change", "Monday") is not a name;
- one capitalised word is a name when it is a known name and not an everyday word ("Priya",
  not "Grace" or "Will"), or an unknown non-English word after a cue ("my colleague Adaeze");
- lower case or capitals need a known given name next to a known surname, in either order
  ("sam okafor", "li wei"), or a cue before a known name or an unknown word ("spoke to
  priya", "thanks to chidi nwosu").
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import regex

from pipeline.text import name_lexicon as lex
from pipeline.text import name_words

Span = tuple[int, int]

WORD = regex.compile(r"(?<![\p{L}\p{N}_@.\[/\\])\p{L}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*"
                     r"(?P<possessive>['’]s)?(?![\p{L}\p{N}_@\]])")
JOIN = regex.compile(r"[ \t]+")
CUE = regex.compile(r"(?:^|[^\p{L}])(?:" + "|".join(
    regex.escape(c) for c in sorted(name_words.CUES, key=len, reverse=True)) + r")[ \t,:]*$",
    regex.IGNORECASE)
CUE_WINDOW = 24
MAX_RUN = 5


@dataclass(frozen=True)
class Word:
    """One word of the text and what the lists say of it."""

    start: int
    end: int
    text: str
    shape: str  # cap | upper | lower | other
    given: bool
    surname: bool
    ordinary: bool
    particle: bool
    stop: bool
    foreign: bool

    @property
    def known(self) -> bool:
        return self.given or self.surname

    @property
    def strong(self) -> bool:
        """Evidence on its own: a known name that is not an everyday word, or an unknown
        non-English word."""
        return (self.known and not self.ordinary) or self.foreign

    @property
    def namelike(self) -> bool:
        return self.known or self.foreign


def _shape(word: str) -> str:
    letters = [c for c in word if c.isalpha()]
    if word[0].isupper() and any(c.islower() for c in letters):
        return "cap"
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "upper"
    if all(c.islower() for c in letters):
        return "lower"
    return "other"


@functools.lru_cache(maxsize=200_000)
def _facts(text: str) -> tuple[str, bool, bool, bool, bool, bool, bool]:
    shape = _shape(text)
    names = lex.lexicon()
    k = lex.key(text)
    parts = [p for p in k.replace("'", "-").split("-") if p]
    core = [p for p in parts if p not in name_words.PARTICLES] or parts
    given = k in names.given or any(p in names.given for p in core if len(core) > 1)
    surname = k in names.surnames or any(p in names.surnames for p in core if len(core) > 1)
    particle = k in name_words.PARTICLES
    stop = k in name_words.NOT_NAME_WORDS
    plain = text[:-2] if text.endswith(("'s", "’s")) else text
    ordinary = lex.ordinary(plain) or k in name_words.NOT_NAME_WORDS
    foreign = (not (given or surname or particle or stop) and len(k) > 2
               and not lex.english(plain))
    return shape, given, surname, ordinary, particle, stop, foreign


def _words(text: str) -> list[Word]:
    words = []
    for match in WORD.finditer(text):
        end = match.start("possessive") if match.group("possessive") else match.end()
        shape, given, surname, ordinary, particle, stop, foreign = _facts(match.group(0))
        words.append(Word(match.start(), end, text[match.start():end], shape, given, surname,
                          ordinary, particle, stop, foreign))
    return words


def _joined(text: str, left: Word, right: Word) -> bool:
    """True when only spaces stand between two words (and ``left`` has no possessive)."""
    gap = text[left.end:right.start]
    return bool(gap) and JOIN.fullmatch(gap) is not None


def _cued(text: str, word: Word) -> bool:
    return CUE.search(text[max(0, word.start - CUE_WINDOW):word.start]) is not None


def find_untitled_names(text: str) -> list[Span]:
    """Spans of people's names written without a title (``text`` already folded)."""
    words = _words(text)
    spans: list[Span] = []
    index = 0
    while index < len(words):
        run = [words[index]]
        while (index + len(run) < len(words) and len(run) < MAX_RUN * 2
               and _joined(text, run[-1], words[index + len(run)])):
            run.append(words[index + len(run)])
        spans += _names_in_run(text, run)
        index += len(run)
    return spans


def _names_in_run(text: str, run: list[Word]) -> list[Span]:
    """Names in a stretch of words with only spaces between them."""
    spans: list[Span] = []
    piece: list[Word] = []
    for word in run + [None]:  # type: ignore[list-item]
        if word is not None and word.shape == "cap" or (
                word is not None and word.particle and piece):
            piece.append(word)
            continue
        spans += _capitalised_name(text, piece)
        piece = []
        if word is not None and word.shape in ("lower", "upper"):
            spans += _plain_name(text, run, run.index(word))
    return _merge(spans)


def _capitalised_name(text: str, piece: list[Word]) -> list[Span]:
    if not piece or any(w.stop for w in piece):
        return []
    keys = [lex.key(w.text) for w in piece]
    if any(pair in name_words.PLACE_PAIRS for pair in itertools.pairwise(keys)):
        return []
    start, end = 0, len(piece)
    while start < end and (piece[start].particle or not piece[start].strong):
        start += 1
    while end > start and (piece[end - 1].particle or not piece[end - 1].strong):
        end -= 1
    if end > start and end + 1 < len(piece) and piece[end].particle and piece[end + 1].known:
        end += 2  # "Nguyễn Văn An", "Ahmed bin Ali": a known name after a joining word
    core = piece[start:end]
    if not core or not all(w.namelike or w.particle for w in core):
        return []
    if len(core) == 1:
        word = core[0]
        if word.foreign and not word.known and not _cued(text, word):
            return []
    if len(core) > MAX_RUN:
        return []
    return [(core[0].start, core[-1].end)]


def _plain_name(text: str, run: list[Word], at: int) -> list[Span]:
    """A name in lower case or capitals starting at ``run[at]``: a known given name beside a
    known surname, or a name after a cue."""
    first = run[at]
    if first.ordinary or first.stop or first.particle:
        return []
    following = [w for w in run[at + 1:at + 4] if w.shape == first.shape]
    nxt = following[0] if following else None
    if nxt is not None and nxt.particle and len(following) > 1 and \
            following[0].text.lower() in name_words.JOINERS:
        nxt = following[1]
    if nxt is not None and not (nxt.ordinary or nxt.stop or nxt.particle):
        pair = (first.given and nxt.surname) or (first.surname and nxt.given)
        if pair or (_cued(text, first) and first.namelike and nxt.namelike
                    and (first.strong or nxt.strong)):
            return [(first.start, nxt.end)]
    if _cued(text, first) and first.strong:
        return [(first.start, first.end)]
    return []


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
