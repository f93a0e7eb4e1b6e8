"""Finders for personal data: each takes text and returns (start, end) spans.

Written small and tested rather than borrowed (README, "Data protection", says why):
NHS numbers are checked with the modulus 11 check digit, phone numbers are parsed by
``phonenumbers`` and kept only when they have the shape of a dialled UK or international
number, so years, scores, money and reference numbers are left alone.
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

Span = tuple[int, int]

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
URL = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"'\[\]]*[^\s<>\"'\[\].,;:!?)]",
                 re.IGNORECASE)
# Bare domains: only with a common top-level domain, so "e.g." or "3.5" never match.
DOMAIN = re.compile(
    r"(?<![\w@.-])(?:[a-z0-9-]+\.)+(?:com|org|net|uk|gov|nhs|info|io|co|ac|eu)"
    r"(?:/[^\s<>\"'\[\]]*[^\s<>\"'\[\].,;:!?)])?(?![\w.-]*\w)", re.IGNORECASE)
HANDLE = re.compile(r"(?<![\w@.\[\]])@[A-Za-z0-9_]{2,30}(?![\w@])")
NHS_NUMBER = re.compile(r"(?<![\d\w])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d\w])")
NI_NUMBER = re.compile(r"(?<![\w])([A-Z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])(?!\w)",
                       re.IGNORECASE)
POSTCODE_AREAS = frozenset("""
AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT
DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE
LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM
SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE
""".split())  # noqa: SIM905 - a word list reads better as text
POSTCODE = re.compile(r"(?<![\w])([A-Z]{1,2})(\d[A-Z\d]?) ?(\d[ABD-HJLNP-UW-Z]{2})(?!\w)",
                      re.IGNORECASE)

# Titles that put a name next: abbreviations almost always do; job titles and words such
# as "Sister" or "Miss" only with a capitalised word after them that is not a common word.
HONORIFICS = ("Dr", "Mr", "Mrs", "Ms", "Mx", "Prof", "Cllr", "Revd", "Rev")
WORD_TITLES = ("Doctor", "Professor", "Nurse", "Sister", "Matron", "Miss", "Sir", "Dame",
               "Lord", "Lady", "Councillor", "Father", "Midwife", "Dean")
NAME_WORD = r"(?:[A-Z](?:[a-z]+(?:[A-Z][a-z]+)?|['’][A-Z][a-z]+)(?:-[A-Z][a-z]+)?)"
TITLED_NAME = re.compile(
    r"(?<![\w\[])(?P<title>" + "|".join(HONORIFICS + WORD_TITLES) + r")(?P<dot>\.?)[ \t]+"
    r"(?P<name>(?:[A-Z]\.? )?" + NAME_WORD + r"(?: " + NAME_WORD + r")?)(?=['’]s\b|[^\w'’]|$)")
# Capitalised words that follow a title without being a name: a new sentence after "Dr." or
# survey vocabulary. spaCy's English stop words are added below.
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


def find_emails(text: str) -> list[Span]:
    return [m.span() for m in EMAIL.finditer(text)]


def find_urls(text: str) -> list[Span]:
    spans = [m.span() for m in URL.finditer(text)]
    spans += [m.span() for m in DOMAIN.finditer(text)
              if not any(s <= m.start() < e for s, e in spans)]
    return spans


def find_handles(text: str) -> list[Span]:
    return [m.span() for m in HANDLE.finditer(text)]


def nhs_check_digit_ok(digits: str) -> bool:
    """The NHS number modulus 11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_nhs_numbers(text: str) -> list[Span]:
    spans = []
    for match in NHS_NUMBER.finditer(text):
        digits = "".join(match.groups())
        separators = {text[match.end(1):match.start(2)], text[match.end(2):match.start(3)]}
        if len(separators) == 1 and nhs_check_digit_ok(digits) and len(set(digits)) > 1:
            spans.append(match.span())
    return spans


def find_ni_numbers(text: str) -> list[Span]:
    spans = []
    for match in NI_NUMBER.finditer(text):
        raw = match.group(0)
        if raw.upper() == raw or raw.lower() == raw:  # not "Ab 12..." mixed case
            spans.append(match.span())
    return spans


def find_postcodes(text: str) -> list[Span]:
    spans = []
    for match in POSTCODE.finditer(text):
        raw = match.group(0)
        if match.group(1).upper() not in POSTCODE_AREAS:
            continue
        if raw.upper() != raw and raw.lower() != raw:
            continue  # "Gb1 2Ab": mixed case is not how postcodes are written
        if raw.lower() == raw and " " not in raw:
            continue  # "m11ab" lower-case and unspaced: too likely a code or a typo
        spans.append(match.span())
    return spans


def find_phones(text: str) -> list[Span]:
    """Phone numbers as dialled: +44 / 0044 / 0 then 9-10 digits, or another country's
    +CC number; parsed by phonenumbers (region GB)."""
    if sum(ch.isdigit() for ch in text) < 9:
        return []
    import phonenumbers

    spans = []
    for match in phonenumbers.PhoneNumberMatcher(text, "GB",
                                                 leniency=phonenumbers.Leniency.POSSIBLE):
        raw = match.raw_string
        digits = re.sub(r"\D", "", raw)
        dialled = raw.lstrip("(").startswith(("+", "0"))
        if dialled and 10 <= len(digits) <= 15:
            spans.append((match.start, match.end))
    return spans


def find_titled_names(text: str) -> list[Span]:
    """'Dr Patel', 'Nurse Jane', 'Mr O'Neill', 'Dr J. Patel': the name, the title is kept."""
    spans = []
    for match in TITLED_NAME.finditer(text):
        words = match.group("name").replace(".", " ").split()
        first = words[-1] if len(words[0]) == 1 else words[0]
        if first.lower() in STOP_WORDS or first.lower() in NOT_NAMES:
            continue
        spans.append(match.span("name"))
    return spans
