"""Bounded regular expressions in theme patterns: refused when unsafe, timed when run.

Two guards against a pattern stalling a run (issue 27 item 5):

- At load and in ``theming themes check`` (``pipeline.config.regex_check.regex_problem``):
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

log = logging.getLogger(__name__)

REGEX_TIMEOUT = 0.5  # seconds one REGEX predicate may take on one token
# spaCy token attribute -> the Token property holding its text
ATTRIBUTE_TEXT = {"TEXT": "text", "ORTH": "orth_", "LOWER": "lower_", "NORM": "norm_",
                  "LEMMA": "lemma_", "SHAPE": "shape_", "POS": "pos_", "TAG": "tag_",
                  "DEP": "dep_", "ENT_TYPE": "ent_type_", "MORPH": "morph"}


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
