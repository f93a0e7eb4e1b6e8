"""Names in Cyrillic, Greek and the Indic scripts spelt the way people in the UK write them.

Faker's name lists of Ukraine, Russia, Bulgaria, North Macedonia, Greece, India (Hindi,
Marathi, Gujarati), Nepal and Bangladesh are in their own scripts, while a survey answer
writes "Oleksandra Kovalchuk", "Dimitris Karagiannis", "Bishnu Pokharel". ``name_lexicon``
reads those lists through ``romanise``, which gives the common English-keyboard spellings.

Hand-written (a table per script, about 150 lines) rather than a transliteration library:
the general ones (``anyascii``, ``unidecode``) give one scholarly spelling per letter
("Dmitriĭ", "Bishnu" as "Biṣṇu" folded to "bisnu"), while names are written in the UK by
passport conventions (Ukrainian г as "h", Russian й as "y", Devanagari ष as "sh", a final
inherent vowel dropped: "Rajesh", "Pokharel"). Where two spellings are both common we give
both (Devanagari श्रेष्ठ as "shresth" and "shrestha"; Greek ευ as "ev" and "eu").
"""

from __future__ import annotations

import itertools
import unicodedata

_COMMON_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "д": "d", "е": "e", "ж": "zh", "з": "z", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "ц": "ts", "ч": "ch", "ш": "sh", "ю": "yu", "я": "ya", "ь": "", "ъ": "",
    "'": "", "’": "", "ʼ": "",
}
CYRILLIC = {
    "uk": {**_COMMON_CYRILLIC, "г": "h", "ґ": "g", "є": "ye", "и": "y", "і": "i", "ї": "yi",
           "й": "y", "х": "kh", "щ": "shch"},
    "ru": {**_COMMON_CYRILLIC, "г": "g", "ё": "yo", "и": "i", "й": "y", "ы": "y", "э": "e",
           "х": "kh", "щ": "shch"},
    "bg": {**_COMMON_CYRILLIC, "г": "g", "и": "i", "й": "y", "х": "h", "щ": "sht", "ъ": "a"},
    "mk": {**_COMMON_CYRILLIC, "г": "g", "ѓ": "gj", "ѕ": "dz", "и": "i", "ј": "j", "љ": "lj",
           "њ": "nj", "ќ": "kj", "х": "h", "џ": "dzh"},
}
# Greek: pairs first, then letters; ευ and αυ have two common spellings.
GREEK_PAIRS = {"ου": ("ou",), "αι": ("ai",), "ει": ("ei",), "οι": ("oi",), "μπ": ("b", "mp"),
               "ντ": ("nt", "d"), "γγ": ("ng",), "γκ": ("gk", "g"), "αυ": ("av", "af"),
               "ευ": ("ev", "ef"), "τσ": ("ts",), "τζ": ("tz",)}
GREEK = {"α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
         "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
         "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
         "ω": "o"}
# Devanagari, by code point offset from U+0900; Bengali (U+0980) and Gujarati (U+0A80)
# share the layout. Consonants carry an inherent "a" unless a vowel sign or virama follows.
INDIC_BASES = {"deva": 0x0900, "beng": 0x0980, "gujr": 0x0A80}
INDIC_CONSONANTS = {
    0x15: "k", 0x16: "kh", 0x17: "g", 0x18: "gh", 0x19: "n", 0x1A: "ch", 0x1B: "chh",
    0x1C: "j", 0x1D: "jh", 0x1E: "n", 0x1F: "t", 0x20: "th", 0x21: "d", 0x22: "dh",
    0x23: "n", 0x24: "t", 0x25: "th", 0x26: "d", 0x27: "dh", 0x28: "n", 0x2A: "p",
    0x2B: "ph", 0x2C: "b", 0x2D: "bh", 0x2E: "m", 0x2F: "y", 0x30: "r", 0x32: "l",
    0x33: "l", 0x35: "v", 0x36: "sh", 0x37: "sh", 0x38: "s", 0x39: "h", 0x5C: "r",
    0x5D: "rh", 0x5F: "y",
}
INDIC_VOWELS = {0x05: "a", 0x06: "a", 0x07: "i", 0x08: "i", 0x09: "u", 0x0A: "u",
                0x0B: "ri", 0x0F: "e", 0x10: "ai", 0x13: "o", 0x14: "au"}
INDIC_SIGNS = {0x3E: "a", 0x3F: "i", 0x40: "i", 0x41: "u", 0x42: "u", 0x43: "ri",
               0x47: "e", 0x48: "ai", 0x4B: "o", 0x4C: "au"}
INDIC_VIRAMA, INDIC_NUKTA = 0x4D, 0x3C
INDIC_NASAL = {0x01: "n", 0x02: "n", 0x03: "h"}  # candrabindu, anusvara, visarga
MAX_VARIANTS = 4


def romanise(word: str, script: str) -> set[str]:
    """Lower-case Latin spellings of ``word`` written in ``script`` ("uk", "ru", "bg",
    "mk", "el", "deva", "beng", "gujr"); an empty set when it holds other letters."""
    word = unicodedata.normalize("NFC", word.replace("\u200d", "").replace("\u200c", ""))
    if script in CYRILLIC:
        table = CYRILLIC[script]
        letters = [table.get(c) for c in word.lower()]
        return set() if None in letters else {"".join(letters)}
    if script == "el":
        return _greek(word)
    if script in INDIC_BASES:
        return _indic(word, INDIC_BASES[script], script == "beng")
    return set()


def _greek(word: str) -> set[str]:
    plain = "".join(c for c in unicodedata.normalize("NFD", word.lower())
                    if not unicodedata.combining(c))
    options: list[tuple[str, ...]] = []
    at = 0
    while at < len(plain):
        pair = plain[at:at + 2]
        if pair in GREEK_PAIRS:
            options.append(GREEK_PAIRS[pair])
            at += 2
            continue
        if plain[at] not in GREEK:
            return set()
        options.append((GREEK[plain[at]],))
        at += 1
    return _spellings(options)


def _indic(word: str, base: int, bengali: bool) -> set[str]:
    """Spelt letter by letter, then with the inherent vowels that Hindi, Nepali, Bengali
    and Gujarati speakers leave unsaid dropped: at the end of the word, and between a
    consonant after a vowel and a consonant before one ("talukadara" -> "talukdar")."""
    parts: list[list[str]] = []  # [sound, kind]: kind c (consonant), v (vowel), a (inherent)
    pending = after_virama = False
    codes = [ord(c) - base for c in word]
    for at, code in enumerate(codes):
        if code in INDIC_CONSONANTS:
            if pending:
                parts.append(["a", "a"])
            sound = INDIC_CONSONANTS[code]
            if bengali and code == 0x2C and after_virama:
                sound = "w"  # ব in a cluster: "Biswas"
            if code == 0x37 and codes[at + 1:at + 3] in ([INDIC_VIRAMA, 0x1F],
                                                          [INDIC_VIRAMA, 0x20]):
                sound = "s"  # "Shrestha", "Krishta"
            parts.append([sound, "c"])
            pending, after_virama = True, False
        elif code in INDIC_SIGNS:
            parts.append([INDIC_SIGNS[code], "v"])
            pending = after_virama = False
        elif code == INDIC_VIRAMA:
            pending, after_virama = False, True
        elif code == INDIC_NUKTA:
            continue
        elif code in INDIC_VOWELS or code in INDIC_NASAL:
            if pending:
                parts.append(["a", "a"])
            table = INDIC_VOWELS if code in INDIC_VOWELS else INDIC_NASAL
            parts.append([table[code], "v" if code in INDIC_VOWELS else "n"])
            pending = after_virama = False
        else:
            return set()
    if pending:
        parts.append(["a", "a"])
    full = "".join(p[0] for p in parts)
    final = full[:-1] if _ends_inherent(parts) else full
    kinds = [p[1] for p in parts]
    for at in range(len(parts) - 1, 1, -1):
        if kinds[at] != "a":
            continue
        last = at == len(parts) - 1
        medial = (not last and kinds[at - 2] in "vaa" and kinds[at + 1] == "c"
                  and at + 2 < len(parts) and kinds[at + 2] in "va")
        if last or medial:
            parts[at][0] = ""
            if medial and at + 2 < len(parts):
                kinds[at] = "x"
    short = "".join(p[0] for p in parts)
    return {s for s in (full, final, short) if len(s) > 1}


def _ends_inherent(parts: list[list[str]]) -> bool:
    return bool(parts) and parts[-1][1] == "a"


def _spellings(options: list[tuple[str, ...]]) -> set[str]:
    """Every spelling the options give, at most ``MAX_VARIANTS``."""
    found = {"".join(p) for p in itertools.islice(itertools.product(*options), MAX_VARIANTS)}
    return {s for s in found if len(s) > 1}
