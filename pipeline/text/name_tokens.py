"""The words of a text and what the name lists say of each (``Word``), for the untitled-name
finder (``pipeline.text.untitled_names``): shape (capitalised, capitals, lower case), known
given name or surname, everyday English word, name particle, stop word, unknown non-English
word, rare noun. Facts are cached per word form, so a long round pays for each distinct word
once. A drug or an eponymous test (``name_places``) is a stop word, never part of a name; a
place that no name list holds ("Basildon", "Ashworth") is not evidence of a name on its own
but may be a surname after a given name, like a rare noun.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from spacy.lang.en.stop_words import STOP_WORDS

from pipeline.text import name_lexicon as lex
from pipeline.text import name_places, name_words
from pipeline.text.names import POSSESSIVE

WORD = re.compile(r"(?<![\w@.\[/\\])[^\W\d_]+(?:['’\-][^\W\d_]+)*(?![\w@\]])")
CONTRACTION = re.compile(r"['’](?:t|ts|re|ve|ll|d|m)$", re.IGNORECASE)  # "don't", "don'ts"
OWN_NAMES = name_words.EXTRA_GIVEN | name_words.EXTRA_SURNAMES


class Word(NamedTuple):
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
    function: bool  # an English stop word ("the", "do"; not "Đỗ")
    rare_noun: bool  # English only as a rare noun, maybe a surname ("calder")

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


def shape_of(word: str) -> str:
    letters = [c for c in word if c.isalpha()]
    if word[0].isupper() and any(c.islower() for c in letters):
        return "cap"
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "upper"
    if all(c.islower() for c in letters):
        return "lower"
    return "other"


@functools.lru_cache(maxsize=200_000)
def word_facts(text: str) -> tuple[str, bool, bool, bool, bool, bool, bool, bool, bool]:
    """Shape, given, surname, ordinary, particle, stop, foreign, function, rare_noun of a word
    (no possessive). A word with accents ("Hồ", "Đỗ", "Văn") is never an English word."""
    shape = shape_of(text)
    if CONTRACTION.search(text):
        return shape, False, False, True, False, False, False, True, False  # "Don't", "we'll"
    names = lex.lexicon()
    k = lex.key(text)
    accented = k != text.lower().replace("’", "'")
    parts = [p for p in k.replace("'", "-").split("-") if p]
    stop = k in name_words.NOT_NAME_WORDS or (
        len(parts) > 1 and any(p in STOP_WORDS or p in name_words.NOT_NAME_WORDS for p in parts
                               if p not in name_words.PARTICLES))
    core = [p for p in parts if p not in name_words.PARTICLES] or parts
    by_parts = len(core) > 1 and not any(lex.ordinary(p) for p in core)  # not "en-suite"
    forms = {k, *(core if by_parts else ())}
    if k.endswith(("ska", "cka", "dzka")):
        forms.add(k[:-1] + "i")  # Polish: "Szymańska" is the feminine of "Szymański"
    function = k in STOP_WORDS and not accented
    if function:  # "the", "will": a Faker entry, but a name only in our own lists
        forms = {k} & OWN_NAMES
    given = any(f in names.given for f in forms)
    surname = any(f in names.surnames for f in forms) or (
        k.startswith(name_words.SURNAME_PREFIXES) and len(k) > 4 and not lex.english(text))
    stop = stop or k in name_places.DRUGS or k in name_places.EPONYM_WORDS  # "Piriton"
    place = k in name_places.PLACES and not (given or surname)  # "Basildon", "Ashworth"
    particle = k in name_words.PARTICLES and (shape == "lower" or k in
                                              name_words.CAPITAL_PARTICLES) and \
        (not accented or k in name_words.ACCENTED_PARTICLES)  # "Mạc" is a surname
    ordinary = not accented and (lex.ordinary(text) or k in name_words.NOT_NAME_WORDS
                                 or k in STOP_WORDS)
    foreign = (not (given or surname or particle or stop or place) and len(k) > 2
               and (shape != "upper" or spoken(k)) and not lex.english(text)
               and not (len(parts) > 1 and all(map(lex.ordinary, parts))))  # "war-view"
    rare_noun = not (given or surname or particle or stop) and len(k) > 3 and \
        (lex.rare_noun(text) or place)
    return shape, given, surname, ordinary, particle, stop, foreign, function, rare_noun


def spoken(key: str) -> bool:
    """True when a word in capitals reads as a word, not letters: four letters or more, two
    of them vowels, no three consonants at the start ("ANSAH", "TENDAI"; not "CAMHS",
    "NHSE", "SDEC")."""
    vowels = sum(c in "aeiouy" for c in key)
    return len(key) > 3 and vowels > 1 and any(c in "aeiouy" for c in key[:3])


@functools.lru_cache(maxsize=200_000)
def strong(token: str) -> bool:
    """``Word.strong`` of a token as ``WORD`` finds it (a possessive included)."""
    _, given, surname, ordinary, _, _, foreign, _, _ = word_facts(
        token[:-2] if token.endswith(POSSESSIVE) else token)
    return ((given or surname) and not ordinary) or foreign


def words_of(text: str) -> list[Word | None]:
    """The words of ``text``; ``None`` for a lower-case word that cannot be part of a name
    (most of them: it only ends a run, and skipping it keeps the finder fast)."""
    words: list[Word | None] = []
    for match in WORD.finditer(text):
        start, end = match.span()
        if match.group().endswith(POSSESSIVE):
            end -= 2
        facts = word_facts(text[start:end])
        shape, given, surname, _, particle, _, foreign, _, rare_noun = facts
        if shape == "lower" and not (given or surname or particle or foreign or rare_noun):
            if words and words[-1] is not None:
                words.append(None)
            continue
        words.append(Word(start, end, text[start:end], *facts))
    return words
