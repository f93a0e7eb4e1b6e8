"""Redaction of the real-world forms found by attacking main (issue 13): Unicode names,
titles in any case and over a line break, particles and three-word names, numbers in other
layouts, NI numbers in all spacings, invisible characters and look-alike letters."""

from __future__ import annotations

import pytest

from pipeline.text.folding import fold, strip_invisible
from pipeline.text.redact import Redactor

REDACT = Redactor(names=("Sarah Whitfield",))


@pytest.mark.parametrize("text, expected", [
    ("Dr Łukasz Nowak listened.", "Dr [NAME] listened."),
    ("Nurse Zoë Ólafsdóttir was kind.", "Nurse [NAME] was kind."),
    ("ask dr patel about it", "ask dr [NAME] about it"),
    ("DR KOWALSKI SAID NO", "DR [NAME] SAID NO"),
    ("Ring dr quill on Monday", "Ring dr [NAME] on Monday"),  # surnames that are words
    ("ask mr smith or mrs brown", "ask mr [NAME] or mrs [NAME]"),
    ("Thanks to Dr\nMcGregor.", "Thanks to Dr\n[NAME]."),
    ("Dr de la Cruz agreed", "Dr [NAME] agreed"),
    ("Dr Ahmed Khan Siddiqui agreed", "Dr [NAME] agreed"),
    ("Prof van der Berg wrote", "Prof [NAME] wrote"),
    ("Call 07700\n900123 please", "Call [PHONE] please"),
    ("NHS 943 476-5919.", "NHS [NHS_NUMBER]."),
    ("NHS 943.476.5919.", "NHS [NHS_NUMBER]."),
    ("NHS 9434 765 919.", "NHS [NHS_NUMBER]."),
    ("NI QQ 123 456 C.", "NI [NI_NUMBER]."),
    ("NI QQ-12-34-56-C.", "NI [NI_NUMBER]."),
    ("Ask Sa\u00adrah Whitfield", "Ask [NAME]"),
    ("Ask Sarah\u2060 Whitfield", "Ask [NAME]"),
    ("Ask S\u0430rah Whitfield", "Ask [NAME]"),  # Cyrillic a
    ("Ask \U0001d412\U0001d41a\U0001d42b\U0001d41a\U0001d421 Whitfield", "Ask [NAME]"),
    ("Mail ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ now", "Mail [EMAIL] now"),
])
def test_redacts_real_world_forms(text, expected):
    assert REDACT(text)[0] == expected


@pytest.mark.parametrize("text", [
    "the dr said no and the nurse told us",
    "the dr rang back and the mr was kind",
    "I saw the Dr. The wait was long.",
    "Sister Trusts and Nurse Staffing matter.",
    "Dr Who is a programme.",
    "Invoice 2024-2025 12 and score 3.5.",
])
def test_leaves_ordinary_text_alone(text):
    assert REDACT(text) == (text, [])


def test_invisible_and_bidi_characters_never_survive():
    text = "Fine \u202eevil\u202c and zero\u200bwidth\u2066x\u2069\ufeff"
    assert REDACT(text)[0] == "Fine evil and zerowidthx"
    assert strip_invisible("a\u00ad\u180e\u200d\u2060b") == "ab"


def test_fold_keeps_the_way_back_to_the_original():
    folded = fold("ﬁne ｊｏ")
    assert folded.text == "fine jo"
    assert folded.span_in_original(0, 4) == (0, 3)
    assert folded.span_in_original(5, 7) == (4, 6)
