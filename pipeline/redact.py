"""Personal-data redaction, applied in clean before any other stage sees the text.

Placeholders say what was removed: [EMAIL], [URL], [PHONE], [NAME].
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]", re.IGNORECASE)
# UK numbers: 07xxx xxxxxx, 01xxx/02x xxxx xxxx, 0800, +44 (0)..., with spaces, dots or dashes.
PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:\d[\s.-]?){8,10}\d(?!\w)"
)


@dataclass(frozen=True)
class Redactor:
    """Replace personal data in text; ``names`` are matched whole-word, any case."""

    emails: bool = True
    urls: bool = True
    phones: bool = True
    names: tuple[str, ...] = ()

    def __call__(self, text: str) -> tuple[str, list[str]]:
        """Return the redacted text and the kinds removed, in order found."""
        found: list[str] = []

        def sub(pattern: re.Pattern, label: str, value: str) -> str:
            def repl(match: re.Match) -> str:
                found.append(label)
                return f"[{label}]"
            return pattern.sub(repl, value)

        if self.emails:
            text = sub(EMAIL, "EMAIL", text)
        if self.urls:
            text = sub(URL, "URL", text)
        if self.phones:
            text = sub(PHONE, "PHONE", text)
        if self.names:
            text = sub(_names_pattern(self.names), "NAME", text)
        return text, found


@functools.lru_cache(maxsize=16)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern:
    ordered = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    parts = [r"\s+".join(re.escape(p) for p in name.split()) for name in ordered]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def make_redactor(emails: bool, urls: bool, phones: bool, names: Iterable[str]) -> Redactor:
    return Redactor(emails=emails, urls=urls, phones=phones,
                    names=tuple(sorted({n.strip() for n in names if n and n.strip()})))
