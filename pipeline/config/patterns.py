"""spaCy token patterns in themes.yaml: whether one is valid, and how many of its tokens repeat
without bound, with spaCy's own validation messages turned into one line a reviewer can act on."""

from __future__ import annotations

import re
from typing import Any

from pipeline.errors import did_you_mean


def check_pattern(pattern: Any) -> str | None:
    """Return why ``pattern`` is not a valid spaCy Matcher pattern, or None."""
    if not isinstance(pattern, list) or not pattern:
        return "write it as a list of token dicts, e.g. [{LOWER: minister}]"
    if not all(isinstance(token, dict) and token for token in pattern):
        return "each token must be a non-empty mapping such as {LEMMA: engage}"
    from spacy.errors import MatchPatternError  # lazy: spaCy is not needed to print --help
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    matcher = Matcher(Vocab(), validate=True)
    try:
        matcher.add("check", [pattern])
    except (MatchPatternError, ValueError, KeyError, TypeError, re.error) as exc:
        return _explain_pattern_error(str(exc))
    return None


UNBOUNDED_OP = re.compile(r"^(?:[*+]|\{\s*\d*\s*,\s*\})$")


def unbounded_operators(pattern: list[dict[str, Any]]) -> int:
    """How many tokens of a (valid) pattern repeat without an upper bound: *, + or {n,}."""
    return sum(1 for token in pattern if UNBOUNDED_OP.match(str(token.get("OP", "")).strip()))


TOKEN_ATTRS = ("ORTH", "TEXT", "NORM", "LOWER", "LEMMA", "POS", "TAG", "MORPH", "DEP",
               "ENT_TYPE", "SHAPE", "LENGTH", "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER",
               "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE", "IS_STOP", "IS_SENT_START",
               "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL", "SPACY", "OP")
PREDICATES = ("IN", "NOT_IN", "IS_SUBSET", "IS_SUPERSET", "INTERSECTS", "REGEX", "FUZZY",
              "==", "!=", ">=", "<=", ">", "<")
SPACY_DETAIL = re.compile(r"^- \[pattern -> (\d+)((?: -> [^\]]+)?)\] (.+)$")


def _explain_pattern_error(text: str) -> str:
    """spaCy's validation output -> 'token 1: unknown attribute 'LOWR' (did you mean ...)'."""
    for line in text.splitlines():
        match = SPACY_DETAIL.match(line.strip())
        if not match:
            continue
        token = int(match.group(1)) + 1
        path = [p.strip() for p in match.group(2).split("->") if p.strip()]
        message = match.group(3)
        if "Extra inputs" in message and path:
            key = path[-1]
            valid = PREDICATES if len(path) > 1 else TOKEN_ATTRS
            what = "predicate" if len(path) > 1 else "attribute"
            hint = did_you_mean(key, valid) or f"; valid: {', '.join(valid[:12])}, ..."
            return f"token {token}: unknown {what} '{key}'{hint}"
        return f"token {token}: {' -> '.join(path)}: {message}"
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), text)
    return first
