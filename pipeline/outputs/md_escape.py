"""Markdown escaping for user-supplied strings (labels, owners, actions, groups, quotes).

The characters that let a string open inline HTML, a link, an image, emphasis, code or a
table cell are backslash-escaped everywhere (CommonMark shows ``\\<`` as a literal ``<``);
those that start a heading, list or quote block are escaped at the start of the string; and
line breaks become spaces, so a string stays inside the line it was put in.
"""

from __future__ import annotations

import re

INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
BLOCK_START = re.compile(r"^(\s*)([#+\-=>]|\d+(?=[.)]))")
LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def escape_md(value: object) -> str:
    """``value`` as text that Markdown shows literally, on one line."""
    text = INLINE.sub(r"\\\1", LINE_BREAKS.sub(" ", str(value)))
    return BLOCK_START.sub(_escape_block_start, text)


def _escape_block_start(match: re.Match) -> str:
    marker = match.group(2)
    if marker.isdigit():  # "1." starts a list: escape the dot, digits cannot be escaped
        return match.group(1) + marker + "\\"
    return match.group(1) + "\\" + marker
