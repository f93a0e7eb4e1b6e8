"""Unsafe regular expressions in theme patterns, refused at load and by ``theming themes
check``: a ``REGEX`` predicate with a nested quantifier (a repeated group holding a repeat, as
in ``(a+)+`` or ``(\\w*\\s?)*``) can backtrack exponentially on one long word. The check walks
Python's own parse of the pattern (``re._parser``); no maintained library we depend on answers
"can this pattern backtrack exponentially?", so the walk is written here, and it is
deliberately narrow: it catches the classic shape, and the tag stage's time limit
(``pipeline.text.regex_safety``) covers what it misses (overlapping alternatives such as
``(a|aa)+``)."""

from __future__ import annotations

from typing import Any

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
