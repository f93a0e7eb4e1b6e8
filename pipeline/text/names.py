"""Names after a title, in any script: 'Dr Łukasz Nowak', 'nurse Zoë', 'DR KOWALSKI',
'Dr de la Cruz', 'Dr Ahmed Khan Siddiqui'; and the configured names list.

Both run on folded text (``pipeline.text.folding``): NFKC, look-alikes folded, a lone line
break read as a space. Letters are Unicode classes from the ``regex`` module.
"""

from __future__ import annotations

import functools

import regex
from spacy.lang.en.stop_words import STOP_WORDS

Span = tuple[int, int]

# Abbreviated titles put a name next in almost every use, in any case ("dr patel", "DR
# KOWALSKI"). Word titles ("Nurse", "Sister", "Miss") only when a capitalised word follows.
HONORIFICS = ("Dr", "Mr", "Mrs", "Ms", "Mx", "Prof", "Cllr", "Revd", "Rev")
WORD_TITLES = ("Doctor", "Professor", "Nurse", "Sister", "Matron", "Miss", "Sir", "Dame",
               "Lord", "Lady", "Councillor", "Father", "Midwife", "Dean")
PARTICLES = frozenset(["de", "la", "le", "du", "da", "di", "del", "della", "van", "von", "der", "den", "ten", "ter", "bin", "ibn", "al", "el", "dos", "das", "st"])
MAX_NAME_WORDS = 3

# Abbreviations in any case; word titles capitalised or in capitals ("the nurse", "a lady" in
# lower case are common nouns, not titles).
TITLE = regex.compile(
    r"(?<![\p{L}\p{N}_\[])(?P<title>(?i:" + "|".join(HONORIFICS) + r")|"
    + "|".join(WORD_TITLES) + "|" + "|".join(t.upper() for t in WORD_TITLES) + r")"
    r"(?P<dot>\.?)[ \t]+")
TOKEN = regex.compile(r"\p{L}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*\.?")
GAP = regex.compile(r"[ \t]+")
CAPITALISED = regex.compile(
    r"(?:\p{Lu}['’])?\p{Lu}[\p{Ll}\p{M}]+(?:\p{Lu}[\p{Ll}\p{M}]+)?(?:-\p{Lu}[\p{Ll}\p{M}]+)*")
UPPER = regex.compile(r"\p{Lu}{2,}(?:['’\-]\p{Lu}+)*")
LOWER = regex.compile(r"\p{Ll}{2,}(?:-\p{Ll}+)*")
INITIAL = regex.compile(r"\p{Lu}\.?")
POSSESSIVE = ("'s", "’s")
# Capitalised words that follow a title without being a name: a new sentence after "Dr." or
# survey vocabulary. spaCy's English stop words are added where they are used.
NOT_NAMES = frozenset("""
meetings meeting papers paper employers employer unions union staff trusts trust ministers
minister forum forums chair chairs members member board boards council councils government
department services service health care team teams nursing nurses doctors patients patient
communication communications engagement representation integrated systems system partnership
policy policies report reports survey surveys emeritus general practice practices surgery
hospital hospitals ward wards england wales scotland ireland london national local regional
pay workload staffing leadership leaders management managers recruitment training
overall yes thanks thank please also however although because since still just
chancellor mayor speaker secretary president justice chief executive director officer
""".split())  # noqa: SIM905 - a word list reads better as text


def _ordinary(word: str) -> bool:
    lower = word.lower().rstrip(".")
    return lower in STOP_WORDS or lower in NOT_NAMES


@functools.lru_cache(maxsize=1)
def _lemmas() -> frozenset[str]:
    from pipeline.text.nlp import _lemma_table

    return frozenset(_lemma_table().values())


def _english_word(word: str) -> bool:
    """True for a lower-case English word (a form or lemma in spaCy's lookup table): after
    'dr' it is not taken for a name ('the dr said')."""
    from pipeline.text.nlp import _lemma_table

    return word in _lemma_table() or word in _lemmas()


def _inflected(word: str) -> bool:
    """True for an inflected English form ('said', 'rang', 'was': its lookup lemma differs).
    After a lower-case 'dr' such a word goes on the sentence ('the dr said'); a base form may
    be a surname that is also a word ('dr quill', 'mr smith', 'mrs brown') and is redacted."""
    from pipeline.text.nlp import _lemma_table

    lemma = _lemma_table().get(word)
    return lemma is not None and lemma != word


def _name_word(word: str, honorific: bool, first: bool, style: str | None) -> str | None:
    """The style of ``word`` as a name word ('cap', 'upper', 'lower'), or None."""
    if _ordinary(word):
        return None
    if CAPITALISED.fullmatch(word) and style in (None, "cap"):
        return "cap"
    if UPPER.fullmatch(word) and style is None and honorific:
        return "upper"
    if UPPER.fullmatch(word) and style == "upper" and not _english_word(word.lower()):
        return "upper"  # a shouted sentence goes on after the name: "DR KOWALSKI SAID"
    if LOWER.fullmatch(word) and honorific and first and not _inflected(word):
        return "lower"
    return None


def find_titled_names(text: str) -> list[Span]:
    """Spans of the names after titles (the title is kept): up to three name words with
    particles between or before them ('de la', 'van der') and one leading initial."""
    spans = []
    for match in TITLE.finditer(text):
        honorific = match.group("title").lower() in {h.lower() for h in HONORIFICS}
        span = _name_after(text, match.end(), honorific)
        if span:
            spans.append(span)
    return spans


def _name_after(text: str, pos: int, honorific: bool) -> Span | None:
    start = end = None
    words = 0
    style: str | None = None
    while words < MAX_NAME_WORDS:
        token = TOKEN.match(text, pos)
        if not token:
            break
        word = token.group(0)
        possessive = word.endswith(POSSESSIVE)
        if possessive:
            word = word[:-2]
        bare = word.rstrip(".")
        if start is None and INITIAL.fullmatch(word) and len(bare) == 1 and \
                TOKEN.match(text, _skip_gap(text, token.end())):
            start, pos = token.start(), _skip_gap(text, token.end())
            continue
        if bare.lower() in PARTICLES and not possessive and bare.islower():
            if start is None:
                start = token.start()
            pos = _skip_gap(text, token.end())
            if pos == token.end():
                break
            continue
        kind = _name_word(bare, honorific, words == 0, style)
        if kind is None:
            break
        style = style or kind
        if start is None:
            start = token.start()
        end = token.start() + len(bare)
        words += 1
        if possessive or kind == "lower" or bare != word:
            break
        following = _skip_gap(text, token.end())
        if following == token.end():
            break
        pos = following
    if end is None or start is None:
        return None
    return start, end


def _skip_gap(text: str, pos: int) -> int:
    gap = GAP.match(text, pos)
    return gap.end() if gap else pos


@functools.lru_cache(maxsize=16)
def names_pattern(names: tuple[str, ...]) -> regex.Pattern:
    """One pattern for the configured names, any case, any whitespace between words; the
    names are folded the same way as the text they are matched against."""
    from pipeline.text.folding import fold, strip_invisible

    folded = {fold(strip_invisible(n)).text.strip() for n in names}
    ordered = sorted((n for n in folded if n), key=len, reverse=True)
    parts = [r"\s+".join(regex.escape(p) for p in name.split()) for name in ordered]
    return regex.compile(r"(?<![\p{L}\p{N}_\[])(?:" + "|".join(parts) + r")(?![\p{L}\p{N}_\]])",
                         regex.IGNORECASE)


def find_listed_names(text: str, names: tuple[str, ...]) -> list[Span]:
    """Spans of the configured ``names`` in ``text`` (already folded)."""
    if not names:
        return []
    return [m.span() for m in names_pattern(names).finditer(text)]
