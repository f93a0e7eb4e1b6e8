"""Finders for personal data: each takes text and returns (start, end) spans.

Written small and tested rather than borrowed (README, "Data protection", says why):
NHS numbers are checked with the modulus 11 check digit, phone numbers are parsed by
``phonenumbers`` and kept only when they have the shape of a dialled UK or international
number, so years, scores, money and reference numbers are left alone.
"""

from __future__ import annotations

import re

Span = tuple[int, int]

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
URL = re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"'\[\]]*[^\s<>\"'\[\].,;:!?)]",
                 re.IGNORECASE)
# Bare domains: only with a common top-level domain, so "e.g." or "3.5" never match.
DOMAIN = re.compile(
    r"(?<![\w@.-])(?:[a-z0-9-]+\.)+(?:com|org|net|uk|gov|nhs|info|io|co|ac|eu)"
    r"(?:/[^\s<>\"'\[\]]*[^\s<>\"'\[\].,;:!?)])?(?![\w.-]*\w)", re.IGNORECASE)
HANDLE = re.compile(r"(?<![\w@.\[\]])@[A-Za-z0-9_]{2,30}(?![\w@])")
# Ten digits in any grouping, one space, dot or dash at most between two digits
# ("943 476 5919", "943.476.5919", "9434 765 919", "943 476-5919"); the check digit decides.
NHS_NUMBER = re.compile(r"(?<!\w)(?<!\d[.-])\d(?:[ .-]?\d){9}(?![\w]|[.-]\d)")
# Two letters, six digits in any grouping, a letter A-D: "QQ 123 456 C", "QQ-12-34-56-C".
NI_NUMBER = re.compile(r"(?<![\w])[A-Z]{2}[ .-]?\d(?:[ .-]?\d){5}[ .-]?[A-D](?!\w)",
                       re.IGNORECASE)
POSTCODE_AREAS = frozenset("""
AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT
DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE
LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM
SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE
""".split())  # noqa: SIM905 - a word list reads better as text
POSTCODE = re.compile(r"(?<![\w])([A-Z]{1,2})(\d[A-Z\d]?) ?(\d[ABD-HJLNP-UW-Z]{2})(?!\w)",
                      re.IGNORECASE)

def find_emails(text: str) -> list[Span]:
    if "@" not in text:  # most answers: skip the pattern's scan
        return []
    return [m.span() for m in EMAIL.finditer(text)]


def find_urls(text: str) -> list[Span]:
    spans = [m.span() for m in URL.finditer(text)]
    spans += [m.span() for m in DOMAIN.finditer(text)
              if not any(s <= m.start() < e for s, e in spans)]
    return spans


def find_handles(text: str) -> list[Span]:
    if "@" not in text:
        return []
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
        digits = re.sub(r"\D", "", match.group(0))
        if nhs_check_digit_ok(digits) and len(set(digits)) > 1:
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
    if sum(map(str.isdigit, text)) < 9:  # a C loop: this runs on every answer
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
