"""Text normalisation shared by every room that reads answers: Unicode NFC, mojibake repaired
(ftfy), control characters removed, whitespace folded; the key non-answers are matched on."""

from __future__ import annotations

import re
import unicodedata

from pipeline.text.redact import Redactor

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2028\u2029\ufeff]")
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
BLANK_LINES = re.compile(r"\n\s*\n+")
PUNCT_ONLY = re.compile(r"[\W_]+", re.UNICODE)
MAX_NORMALISE_PASSES = 4
# Text ftfy leaves as it is: printable ASCII, tabs and line breaks, no '&' (an HTML entity
# starts with one). Mojibake, control characters, wide letters and odd line breaks all need
# a character outside this set, so such text (most answers) skips ftfy's checks.
FTFY_UNCHANGED = re.compile(r"[\t\n\x20-\x25\x27-\x7e]*")


def normalise(text: str, fix_mojibake: bool = True) -> str:
    """Unicode NFC, mojibake repaired, control characters removed, whitespace folded.

    Repeated until stable (at most a few passes): one ftfy repair can expose another.
    """
    for _ in range(MAX_NORMALISE_PASSES):
        fixed = _normalise_once(text, fix_mojibake)
        if fixed == text:
            break
        text = fixed
    return text


def _normalise_once(text: str, fix_mojibake: bool) -> str:
    if fix_mojibake and not FTFY_UNCHANGED.fullmatch(text):
        import ftfy

        text = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = CONTROL.sub("", text)
    text = SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = BLANK_LINES.sub("\n\n", text)
    return text.strip()


def clean_text(text: str, redactor: Redactor, fix_mojibake: bool = True) -> tuple[str, list[str]]:
    """Normalised, then redacted text and the kinds of personal data removed.

    Idempotent: cleaning cleaned text changes nothing (the fuzz tests check it).
    """
    return redactor(normalise(text, fix_mojibake))


def answer_key(text: str) -> str:
    """Lower-case letters and digits only: how non-answers are recognised."""
    return PUNCT_ONLY.sub(" ", text.lower()).strip()
