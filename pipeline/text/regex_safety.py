"""Bounded regular expressions in theme patterns: refused when unsafe, timed when run.

Two guards against a pattern stalling a run (issue 27 item 5):

- At load and in ``theming themes check`` (``regex_problem``, called from the config checks):
  a ``REGEX`` predicate with a nested quantifier (a repeated group holding a repeat, as in
  ``(a+)+`` or ``(\\w*\\s?)*``) is refused with the fix. The check walks Python's own parse of
  the pattern (``re._parser``); no maintained library we depend on answers "can this pattern
  backtrack exponentially?", so the walk is written here, and it is deliberately narrow: it
  catches the classic shape, and the time limit below covers what it misses (overlapping
  alternatives such as ``(a|aa)+``).
- In the tag stage (``timed_patterns``): every ``REGEX`` predicate of a spaCy token pattern is
  rewritten into a custom token extension (``Token._.theming_regex_<digest>``) whose getter
  runs the expression with the ``regex`` package and a time limit (``REGEX_TIMEOUT``
  seconds); spaCy's own ``REGEX`` predicate uses ``re``, which cannot be interrupted. A match
  that hits the limit counts as no match, the expression is not run again in this process
  (so a run takes at most about one limit longer per expression), and ``Timeouts`` records
  the theme and the sentence for the run's manifest.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

REGEX_TIMEOUT = 0.5  # seconds one REGEX predicate may take on one token
# spaCy token attribute -> the Token property holding its text
ATTRIBUTE_TEXT = {"TEXT": "text", "ORTH": "orth_", "LOWER": "lower_", "NORM": "norm_",
                  "LEMMA": "lemma_", "SHAPE": "shape_", "POS": "pos_", "TAG": "tag_",
                  "DEP": "dep_", "ENT_TYPE": "ent_type_", "MORPH": "morph"}
FIX = ("rewrite it without a repeated group that itself repeats, e.g. '^a+$' for '^(a+)+$', "
       "or bound the inner repeat ('(a{1,5})+' becomes '(a{1,5}){1,10}')")


def _parser():
    try:
        import re._parser as parser  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as parser
    return parser


def _repeats(items, parser) -> list[tuple[int, list]]:
    """(max repeat, inner items) of every repeat directly or deeper in ``items``."""
    found = []
    repeat_ops = (parser.MAX_REPEAT, parser.MIN_REPEAT, getattr(parser, "POSSESSIVE_REPEAT",
                                                                 None))
    for op, value in items:
        if op in repeat_ops:
            _, most, inner = value
            found.append((most, list(inner)))
        elif op is parser.SUBPATTERN:
            found += _repeats(value[-1], parser)
        elif op is parser.BRANCH:
            for branch in value[1]:
                found += _repeats(branch, parser)
        elif op in (parser.ASSERT, parser.ASSERT_NOT):
            found += _repeats(value[1], parser)
    return found


def nested_quantifier(expression: str) -> bool:
    """Whether ``expression`` repeats (more than once) something that itself repeats
    without bound: the shape that backtracks exponentially on a near-miss."""
    parser = _parser()
    many = parser.MAXREPEAT

    def walk(items) -> bool:
        for most, inner in _repeats(items, parser):
            if most > 1 and any(inner_most == many for inner_most, _ in _repeats(inner, parser)):
                return True
            if walk(inner):
                return True
        return False

    return walk(list(parser.parse(expression)))


def regexes_of(pattern: Any) -> list[str]:
    """The ``REGEX`` expressions of a spaCy token pattern (any attribute)."""
    found = []
    for token in pattern if isinstance(pattern, list) else []:
        for value in token.values() if isinstance(token, dict) else []:
            if isinstance(value, dict) and isinstance(value.get("REGEX"), str):
                found.append(value["REGEX"])
    return found


def regex_problem(pattern: Any) -> str | None:
    """Why a token pattern's ``REGEX`` is refused (it names the expression and the fix), or
    None when every expression compiles and has no nested quantifier."""
    import regex

    for expression in regexes_of(pattern):
        try:
            regex.compile(expression)
            nested = nested_quantifier(expression)
        except Exception as exc:  # noqa: BLE001 - any parse failure is the user's
            return f"REGEX '{expression}' is not a valid regular expression ({exc})"
        if nested:
            return (f"REGEX '{expression}' has a nested quantifier, which can take minutes on "
                    f"one word; {FIX}")
    return None


@dataclass
class Timeouts:
    """Expressions that hit the time limit in this process: each one's extension name ->
    (theme ids, expression); ``hits`` the (theme id, sentence id) pairs to report."""

    owners: dict[str, tuple[list[str], str]] = field(default_factory=dict)
    tripped: set[str] = field(default_factory=set)
    hits: list[dict[str, str]] = field(default_factory=list)
    sentence_id: str = ""

    def note(self, name: str) -> None:
        self.tripped.add(name)
        theme_ids, expression = self.owners[name]
        for theme_id in theme_ids:
            self.hits.append({"theme_id": theme_id, "sentence_id": self.sentence_id,
                              "regex": expression})
            log.warning("tag: REGEX '%s' of theme '%s' took more than %.1f s on sentence %s; "
                        "it counts as no match and is not run again in this run",
                        expression, theme_id, REGEX_TIMEOUT, self.sentence_id)


def _extension(timeouts: Timeouts, attribute: str, expression: str) -> str:
    """The name of a token extension that runs ``expression`` on ``attribute`` in time."""
    import regex
    from spacy.tokens import Token

    digest = hashlib.sha1(f"{attribute}\x1f{expression}".encode()).hexdigest()[:16]
    name = f"theming_regex_{digest}"
    compiled = regex.compile(expression)
    prop = ATTRIBUTE_TEXT.get(attribute, attribute.lower() + "_")

    def getter(token) -> bool:
        if name in timeouts.tripped:
            return False
        try:
            return compiled.search(str(getattr(token, prop, "")), timeout=REGEX_TIMEOUT) \
                is not None
        except TimeoutError:
            timeouts.note(name)
            return False

    Token.set_extension(name, getter=getter, force=True)
    return name


def timed_patterns(theme_id: str, patterns: list[list[dict]],
                   timeouts: Timeouts) -> list[list[dict]]:
    """``patterns`` with every ``REGEX`` predicate moved into a timed token extension
    (``{"_": {name: True}}``); the other predicates of the attribute stay."""
    rewritten = []
    for pattern in patterns:
        tokens = []
        for token in pattern:
            token = dict(token)
            for attribute, value in list(token.items()):
                if not (isinstance(value, dict) and isinstance(value.get("REGEX"), str)):
                    continue
                rest = {k: v for k, v in value.items() if k != "REGEX"}
                if rest:
                    token[attribute] = rest
                else:
                    del token[attribute]
                name = _extension(timeouts, attribute, value["REGEX"])
                owners = timeouts.owners.setdefault(name, ([], value["REGEX"]))[0]
                if theme_id not in owners:
                    owners.append(theme_id)
                token["_"] = {**token.get("_", {}), name: True}
            tokens.append(token)
        rewritten.append(tokens)
    return rewritten
