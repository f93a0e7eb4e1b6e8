"""Given names, surnames and English word statistics for finding names without a title.

Source of names: **Faker** (https://github.com/joke2k/faker, MIT licence, maintained since
2012, released monthly). Its person providers hold lists of frequent given names and surnames
per locale, most taken from public statistics (the US Census Bureau's surname and first-name
tables, national statistics offices' name frequencies, e.g. Poland's PESEL register counts
published as open data). We read only the Latin-script lists of the locales below, at run
time, from the installed package: nothing is downloaded. We chose it over ``names`` (US 1990
census only, unmaintained since 2013), ``gender-guesser`` (GPL-3.0, first names only) and
``names-dataset`` (built from leaked personal data: refused). Faker covers some traditions
thinly (ten Vietnamese surnames, twenty Igbo ones, romanised Chinese and Japanese only in
part, no romanised Arabic), so ``name_words`` adds lists of our own. The lists of Ukraine,
Russia, Bulgaria, North Macedonia, Greece, Hindi, Marathi, Nepali, Bengali and Gujarati are in
their own scripts: ``name_romanise`` spells them as they are written in the UK (spellings of
three letters or fewer, or common English words, left out: "geo", "muslim"). Faker's US list
of 7,000 given names (``en``) is left out: it holds place and everyday words ("Texas",
"China"); Icelandic, Azeri and Uzbek lists too (few speakers here, more false names).

English word statistics come from ``spacy-lookups-data`` (MIT; already a dependency): the
word probabilities ``en_lexeme_prob`` (we read only the entries above e^-14, sorted first in
the file, in about 0.1 s) tell an ordinary word ("will", "grace", "hall": its lower-case form
is at least as frequent as the capitalised one) from a name ("smith", "okafor": mostly
capitalised); WordNet's lemma index and spaCy's stop words tell an English word from an
unknown proper noun.
"""

from __future__ import annotations

import functools
import gzip
import importlib
import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.text import name_romanise, name_words

log = logging.getLogger(__name__)

# The traditions of the UK's health and care workforce and its patients, most of them.
FAKER_LOCALES = (
    "en_GB", "en_IE", "ga_IE", "en_US", "pl_PL", "vi_VN", "yo_NG", "ig_NG", "ha_NG", "en_NG",
    "en_PK", "en_IN", "zh_CN", "zh_TW", "ja_JP", "es_ES", "es_MX", "pt_BR", "pt_PT", "it_IT",
    "fr_FR", "de_DE", "nl_NL", "tr_TR", "tw_GH", "en_KE", "zu_ZA", "ro_RO", "hu_HU", "lt_LT",
    "cs_CZ", "el_GR",
    # smaller traditions of the UK's workforce and patients: the rest of Europe, Latin
    # America, Maghreb, East Africa, Thailand, Indonesia, New Zealand
    "en_NZ", "en_TH", "da_DK", "de_AT", "de_CH", "es_AR", "es_CL", "es_CO", "et_EE", "fi_FI",
    "fr_BE", "fr_CA", "fr_DZ", "hr_HR", "id_ID", "lv_LV", "nl_BE", "no_NO", "sk_SK", "sl_SI",
    "sv_SE", "sw",
)
# Locales whose lists are in another script, read through ``name_romanise``.
ROMANISED_LOCALES = {"uk_UA": "uk", "ru_RU": "ru", "bg_BG": "bg", "mk_MK": "mk", "el_GR": "el",
                     "hi_IN": "deva", "mr_IN": "deva", "ne_NP": "deva", "bn_BD": "beng",
                     "gu_IN": "gujr"}
GIVEN_FIELDS = ("first_names", "first_names_female", "first_names_male", "first_names_unisex",
                "first_romanized_names", "middle_names")
SURNAME_FIELDS = ("last_names", "last_romanized_names", "male_last_names", "female_last_names",
                  "unisex_last_names", "last_names_male", "last_names_female")
LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f'’\-]+")
COMMON_WORD_CUTOFF = b":-14."  # probabilities are sorted: stop reading at the first below
SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("ed", "e"), ("ing", "e"), ("ers", ""),
            ("er", "e"), ("ly", ""), ("'s", ""), ("n't", ""))
ORDINARY_MARGIN = 0.3  # "rose", "dawn": about as often lower case as capitalised
SPECIAL_LETTERS = str.maketrans({"ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ø": "o", "Ø": "o",
                                 "æ": "ae", "ß": "ss", "ı": "i", "’": "'", "þ": "th"})


@functools.lru_cache(maxsize=100_000)
def key(word: str) -> str:
    """``word`` as the lists hold it: lower case, accents removed, no possessive 's."""
    word = word.translate(SPECIAL_LETTERS)
    word = word.removesuffix("'s")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class Lexicon:
    """Keys of known given names and surnames."""

    given: frozenset[str]
    surnames: frozenset[str]


@functools.lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Faker's Latin-script name lists of ``FAKER_LOCALES`` and ours (``name_words``)."""
    given: set[str] = set(name_words.EXTRA_GIVEN)
    surnames: set[str] = set(name_words.EXTRA_SURNAMES)
    for locale in (*FAKER_LOCALES, *ROMANISED_LOCALES):
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except (ImportError, AttributeError):
            log.warning("untitled names: Faker has no person provider '%s'; skipped", locale)
            continue
        script = ROMANISED_LOCALES.get(locale)
        given.update(_name_words(provider, GIVEN_FIELDS, script))
        surnames.update(_name_words(provider, SURNAME_FIELDS, script))
    return Lexicon(frozenset(given), frozenset(surnames))


def _name_words(provider, fields: tuple[str, ...], script: str | None = None) -> set[str]:
    words: set[str] = set()
    for field in fields:
        values = getattr(provider, field, ())
        if isinstance(values, property):
            continue  # computed per instance (a few locales): no list to read
        values = values.keys() if isinstance(values, dict) else values
        for value in values:
            for word in str(value).split():
                if LATIN_WORD.fullmatch(word) and len(word) > 1:
                    words.add(key(word))
                elif script is not None:  # short or common spellings: "geo", "bone"
                    words.update(w for w in name_romanise.romanise(word, script)
                                 if len(w) > 3 and w not in common_words())
    return words


def _lookups_file(name: str) -> Path:
    import spacy_lookups_data

    return Path(spacy_lookups_data.__file__).parent / "data" / name


@functools.lru_cache(maxsize=1)
def word_probabilities() -> dict[str, float]:
    """Log probabilities of the common word forms (above e^-14), case kept."""
    raw = b""
    with gzip.open(_lookups_file("en_lexeme_prob.json.gz")) as handle:
        while True:
            chunk = handle.read(1 << 18)
            raw += chunk
            cut = raw.find(COMMON_WORD_CUTOFF)
            if cut >= 0 or not chunk:
                break
    text = raw[:cut if cut >= 0 else len(raw)].decode("utf-8", "ignore")
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r'"([A-Za-z\'\-]+)":(-[0-9.]+)', text)}


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Lower-case English words: WordNet's lemma index, spaCy's lookup forms and stop words."""
    from spacy.lang.en.stop_words import STOP_WORDS

    with gzip.open(_lookups_file("en_lemma_index.json.gz")) as handle:
        index = json.load(handle)
    words: set[str] = set(STOP_WORDS)
    for entries in index.values():
        words.update(w for w in entries if "_" not in w)
    return frozenset(words)


@functools.lru_cache(maxsize=1)
def non_noun_words() -> frozenset[str]:
    """Lower-case English words that WordNet lists as a verb, an adjective or an adverb."""
    with gzip.open(_lookups_file("en_lemma_index.json.gz")) as handle:
        index = json.load(handle)
    return frozenset(w for pos, entries in index.items() if pos != "noun" for w in entries)


@functools.lru_cache(maxsize=100_000)
def rare_noun(word: str) -> bool:
    """True when ``word`` is English only as a rare noun: WordNet's noun index holds proper
    names in lower case ("calder", "thornton", "greaves"), so such a word may be a surname."""
    lower = word.lower()
    return (lower in english_words() and lower not in non_noun_words() and not ordinary(word)
            and key(word) not in name_words.NOT_NAME_WORDS)


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """The common English word forms (``word_probabilities``), lower case."""
    return frozenset(w.lower() for w in word_probabilities())


@functools.lru_cache(maxsize=20_000)
def misspelt(word: str) -> bool:
    """True when ``word`` is one edit (a letter dropped, added, changed or two swapped, or an
    apostrophe left out) from a common English word, or two common words run together
    ("ezample", "didnt", "wasexcellent"; halves of four letters or more, or a stop word
    first): a typing slip rather than a name."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words, lower = common_words(), word.lower()
    letters = "abcdefghijklmnopqrstuvwxyz'"
    splits = [(lower[:i], lower[i:]) for i in range(len(lower) + 1)]
    edits = ({a + b[1:] for a, b in splits if b}
             | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
             | {a + c + b[1:] for a, b in splits if b for c in letters}
             | {a + c + b for a, b in splits for c in letters})
    if any(e in words for e in edits - {lower}):
        return True
    return any(a in words and b in words and len(b) > 2 and (len(a) > 3 or a in STOP_WORDS)
               and len(b) > 3 - (a in STOP_WORDS) for a, b in splits)


@functools.lru_cache(maxsize=100_000)
def ordinary(word: str) -> bool:
    """True when ``word`` (any case) is mostly written in lower case: an everyday word."""
    probs = word_probabilities()
    lower = word.lower()
    low = probs.get(lower)
    if low is None:
        return lower in name_words.NOT_NAME_WORDS
    return low >= probs.get(lower.capitalize(), -14.0) - ORDINARY_MARGIN


@functools.lru_cache(maxsize=100_000)
def english(word: str) -> bool:
    """True when ``word`` is an English word (it may be a name as well)."""
    words = english_words()
    lower = word.lower()
    if ordinary(word) or lower in words or key(word) in words:
        return True
    for suffix, ending in SUFFIXES:  # "ambulances", "phoned", "carers": inflected forms
        if lower.endswith(suffix) and len(lower) > len(suffix) + 2:
            base = lower[:-len(suffix)]
            if base + ending in words or base in words:
                return True
    return False
