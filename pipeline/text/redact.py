"""Personal-data redaction, applied in clean before any other stage sees the text.

Placeholders say what was removed: [EMAIL], [URL], [HANDLE], [NHS_NUMBER], [NI_NUMBER],
[POSTCODE], [PHONE], [NAME]. Patterns live in ``redact_patterns``; phone numbers are found
by ``phonenumbers`` (Google's libphonenumber), names after titles and from the configured
list by ``names``, names without a title by ``untitled_names`` (name lists weighed with
the shape of the text; no model), and names also by a user-installed spaCy NER pipeline when
``nlp.advanced.model`` names one. Invisible and bidirectional-control characters are removed
first and every finder
reads the folded text (``folding``: NFKC, look-alike letters, a lone line break as a space);
matches are cut out of the original. Redacting twice changes nothing.

Every text that reaches an output passes here: comments (clean), and group values, question
labels, column headers and respondent ids (ingest, with ``redact_label`` and
``pseudonymise_id``).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pipeline.text import names as name_finders
from pipeline.text import redact_patterns as patterns
from pipeline.text.folding import fold, strip_invisible
from pipeline.text.untitled_names import find_untitled_names

log = logging.getLogger(__name__)

KINDS = ("EMAIL", "URL", "HANDLE", "NHS_NUMBER", "NI_NUMBER", "POSTCODE", "PHONE", "NAME")
MAX_PASSES = 4
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(KINDS) + r")\]")


@dataclass(frozen=True)
class Redactor:
    """Replace personal data in text; ``names`` are matched whole-word, any case."""

    emails: bool = True
    urls: bool = True
    handles: bool = True
    nhs_numbers: bool = True
    ni_numbers: bool = True
    postcodes: bool = True
    phones: bool = True
    names: tuple[str, ...] = ()
    titled_names: bool = True
    untitled_names: bool = True
    ner_model: str | None = None

    def __call__(self, text: str) -> tuple[str, list[str]]:
        """Return the redacted text and the kinds removed, in order found.

        Passes repeat until nothing more is found (a placeholder can expose a neighbour:
        "07700 900123QQ 12 34 56 C"), so redacting redacted text changes nothing.
        """
        found: list[str] = []
        text = strip_invisible(text)
        for _ in range(MAX_PASSES):
            text, new = self._one_pass(text)
            if not new:
                break
            found += new
        return text, found

    def _one_pass(self, text: str) -> tuple[str, list[str]]:
        found: list[str] = []
        folded = fold(text)
        for label, finder in _finders_of(self):
            spans = [folded.span_in_original(*s) for s in finder(folded.text) if s[1] > s[0]]
            spans = [s for s in spans if not _overlaps_placeholder(text, s)]
            if spans:
                text, count = _replace(text, spans, f"[{label}]")
                found.extend([label] * count)
                folded = fold(text)
        return text, found

    def _finders(self) -> list[tuple[str, Callable[[str], list[tuple[int, int]]]]]:
        steps: list[tuple[str, Callable[[str], list[tuple[int, int]]]]] = []
        wanted = [
            (self.emails, "EMAIL", patterns.find_emails),
            (self.urls, "URL", patterns.find_urls),
            (self.handles, "HANDLE", patterns.find_handles),
            (self.nhs_numbers, "NHS_NUMBER", patterns.find_nhs_numbers),
            (self.ni_numbers, "NI_NUMBER", patterns.find_ni_numbers),
            (self.postcodes, "POSTCODE", patterns.find_postcodes),
            (self.phones, "PHONE", patterns.find_phones),
        ]
        steps += [(label, finder) for enabled, label, finder in wanted if enabled]
        if self.names:
            names = self.names
            steps.append(("NAME", lambda text: name_finders.find_listed_names(text, names)))
        if self.titled_names:
            steps.append(("NAME", name_finders.find_titled_names))
        if self.untitled_names:
            steps.append(("NAME", find_untitled_names))
        if self.ner_model:
            model = self.ner_model
            steps.append(("NAME", lambda text: find_person_entities(text, model)))
        return steps


@functools.lru_cache(maxsize=16)
def _finders_of(redactor: Redactor) -> list[tuple[str, Callable[[str], list[tuple[int, int]]]]]:
    """``redactor``'s finders, built once per redactor rather than on every pass of every
    text (a Redactor is frozen, so its finders never change)."""
    return redactor._finders()


def _replace(text: str, spans: list[tuple[int, int]], placeholder: str) -> tuple[str, int]:
    """Replace ``spans`` (any order; an overlapping later span is skipped) with
    ``placeholder``; return the text and how many were replaced."""
    pieces, last, count = [], 0, 0
    for start, end in sorted(set(spans)):
        if start < last:
            continue
        pieces += [text[last:start], placeholder]
        last, count = end, count + 1
    pieces.append(text[last:])
    return "".join(pieces), count


def _overlaps_placeholder(text: str, span: tuple[int, int]) -> bool:
    """True when ``span`` touches an earlier placeholder (keeps redaction idempotent)."""
    start, end = span
    window_start = max(0, start - 12)
    for match in PLACEHOLDER.finditer(text, window_start, min(len(text), end + 12)):
        if match.start() < end and start < match.end():
            return True
    return False


@functools.lru_cache(maxsize=2)
def _ner_pipeline(model: str):
    """The user's spaCy pipeline, or None when it has no entity recogniser."""
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError:
        return None  # nlp.get_nlp reports a missing pipeline with its own error
    if not any(name in nlp.pipe_names for name in ("ner", "entity_ruler")):
        log.info("redact: spaCy pipeline '%s' has no entity recogniser; names come from the "
                 "list and title patterns only", model)
        return None
    return nlp


def find_person_entities(text: str, model: str) -> list[tuple[int, int]]:
    """Spans of PERSON entities found by the user's spaCy pipeline (none without one)."""
    nlp = _ner_pipeline(model)
    if nlp is None or not text:
        return []
    spans, offset = [], 0
    for piece in _pieces(text, max(1000, min(nlp.max_length, 100_000))):
        spans += [(offset + ent.start_char, offset + ent.end_char) for ent in nlp(piece).ents
                  if ent.label_ in ("PERSON", "PER")]
        offset += len(piece)
    return spans


def _pieces(text: str, size: int) -> list[str]:
    """``text`` cut at whitespace into pieces of at most about ``size`` characters."""
    pieces = []
    while len(text) > size:
        cut = text.rfind(" ", 0, size)
        cut = cut + 1 if cut > 0 else size
        pieces.append(text[:cut])
        text = text[cut:]
    return pieces + [text]


def redactor_from_settings(settings, nlp_model: str = "blank") -> Redactor:
    """A Redactor from ``clean.redact`` settings; NER only when a trained model is named."""
    use_ner = settings.ner and nlp_model not in ("blank", "", None)
    return Redactor(
        emails=settings.emails, urls=settings.urls, handles=settings.handles,
        nhs_numbers=settings.nhs_numbers, ni_numbers=settings.ni_numbers,
        postcodes=settings.postcodes, phones=settings.phones,
        names=_clean_names(settings.names), titled_names=settings.titled_names,
        untitled_names=settings.untitled_names,
        ner_model=nlp_model if use_ner else None,
    )


def _clean_names(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({n.strip() for n in names if n and n.strip()}))


def id_redactor(redactor: Redactor) -> Redactor:
    """The finders that decide whether a respondent id is personal data: every kind the
    settings switch on but URLs and titled names ("Dr Who" as an id is a false alarm)."""
    return dataclasses.replace(redactor, urls=False, titled_names=False)
