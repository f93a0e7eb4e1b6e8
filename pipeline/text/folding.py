"""Text as the redactor matches it: invisible characters removed, look-alikes folded.

``strip_invisible`` removes characters that change nothing on screen but split a word for a
pattern (soft hyphen, zero-width spaces and joiners, word joiner, Mongolian vowel separator,
byte-order mark) and the bidirectional controls that can reorder a report (U+202A-U+202E,
U+2066-U+2069, U+200E/F, U+061C). ``fold`` maps each character through NFKC (full-width and
mathematical letters become plain ones) and a table of Cyrillic and Greek letters drawn like
Latin ones, keeping an index back to the original text so a match can be cut out of it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f"
                       "\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff"
                       "\uffa0]")

# Letters of other scripts drawn like Latin letters (from the Unicode confusables data,
# TR39, restricted to whole-letter look-alikes used in the wild to dodge word filters).
CONFUSABLES = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k",
    "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "Н": "H", "І": "I", "Ї": "I", "Ј": "J", "К": "K",
    "М": "M", "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "Ԁ": "D",
    "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ι": "i", "κ": "k", "ν": "v",
    "ρ": "p", "υ": "u", "α": "a",
})


def strip_invisible(text: str) -> str:
    """``text`` without invisible and bidirectional-control characters."""
    return INVISIBLE.sub("", text)


LONE_NEWLINE = re.compile(r"(?<!\n)\n(?!\n)")
NON_ASCII = re.compile(r"[^\x00-\x7f]")


@dataclass(frozen=True)
class Folded:
    """Matching text and, when folding changed its length, for each of its characters the
    index in the original text (``None``: same positions)."""

    text: str
    origin: tuple[int, ...] | None = None

    def span_in_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span that a match at ``start:end`` of the folded text came from."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return unicodedata.normalize("NFKC", char).translate(CONFUSABLES) or char


def fold(text: str) -> Folded:
    """NFKC and look-alike folding per character; a lone line break reads as a space so a
    number or a titled name broken over two lines is still one match."""
    text = LONE_NEWLINE.sub(" ", text)
    if text.isascii():
        return Folded(text)
    folded = NON_ASCII.sub(lambda m: _fold_char(m.group(0)), text)
    if len(folded) == len(text):
        return Folded(folded)
    origin: list[int] = []
    for index, char in enumerate(text):
        origin.extend([index] * len(_fold_char(char) if not char.isascii() else char))
    return Folded(folded, tuple(origin))
