"""Shared spaCy pieces: one blank English pipeline, sentences and lookup lemmas.

Works offline: ``spacy.blank("en")`` + sentencizer, lemmas from ``spacy-lookups-data``.
A user-installed trained pipeline can be named in pipeline.yaml (``nlp.advanced.model``); it is
never required. Stages get plain columns from here, never Doc objects.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from pipeline.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

WORD = re.compile(r"\w", re.UNICODE)


@functools.lru_cache(maxsize=4)
def get_nlp(model: str = "blank") -> Language:
    """A spaCy pipeline that splits sentences; trained pipelines are optional."""
    import spacy

    if model in ("blank", "", None):
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        # Rule components need no parser memory: a 1 MB comment is fine (spaCy's limit is 1e6).
        nlp.max_length = 50_000_000
        return nlp
    try:
        nlp = spacy.load(model, exclude=["ner", "textcat"])
    except OSError:
        raise ConfigError(
            f"pipeline.yaml nlp.advanced.model: spaCy pipeline '{model}' is not installed; "
            "install it yourself or set nlp.advanced.model: blank (works offline)",
            code="C010",
        ) from None
    if not nlp.has_pipe("parser") and not nlp.has_pipe("senter"):
        nlp.add_pipe("sentencizer")
    return nlp


@functools.lru_cache(maxsize=1)
def _lemma_table():
    from spacy.lookups import load_lookups

    # A spaCy Table is keyed by string hashes: look words up with its own get().
    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


@functools.lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """Lookup lemma of the lower-cased word (lookup tables are case-sensitive)."""
    lower = word.lower()
    return _lemma_table().get(lower, lower)


def lemmatise(doc) -> list[str]:
    """Lemmas for every token of a Doc, also setting ``token.lemma_``."""
    lemmas = []
    for token in doc:
        value = lemma(token.text)
        token.lemma_ = value
        lemmas.append(value)
    return lemmas


def lemma_doc(text: str, model: str = "blank"):
    """Tokenise ``text`` (no other components) and fill in lookup lemmas."""
    doc = get_nlp(model).make_doc(text)
    lemmatise(doc)
    return doc


def split_sentences(texts: list[str], model: str = "blank") -> list[list[tuple[int, int]]]:
    """Character spans (start, end) of the sentences of each text, whitespace trimmed."""
    nlp = get_nlp(model)
    spans: list[list[tuple[int, int]]] = []
    for doc in nlp.pipe(texts, batch_size=256):
        found = []
        text = doc.text  # doc.text is rebuilt on each access: O(n^2) on a 1 MB comment
        for sent in doc.sents:
            start, end = sent.start_char, sent.end_char
            piece = text[start:end]
            stripped = piece.strip()
            if not stripped or not WORD.search(stripped):
                continue
            start += len(piece) - len(piece.lstrip())
            found.append((start, start + len(stripped)))
        spans.append(found)
    return spans


MATCH_WINDOW = 120  # tokens: no sentence of a survey answer needs a longer pattern match
MATCH_OVERLAP = 20


def match_in_windows(matcher, doc, size: int = MATCH_WINDOW,
                     overlap: int = MATCH_OVERLAP) -> list[tuple[int, int, int]]:
    """``matcher``'s (match_id, start, end) in ``doc``, read in windows of at most ``size``
    tokens that overlap by ``overlap``, so the time per sentence is bounded whatever the
    patterns (a match longer than ``overlap`` tokens across a window edge is not found)."""
    if len(doc) <= size:
        return list(matcher(doc))
    found: set[tuple[int, int, int]] = set()
    for start in range(0, len(doc) - overlap, size - overlap):
        window = doc[start:start + size]
        found.update((m_id, s + start, e + start) for m_id, s, e in matcher(window))
    return sorted(found, key=lambda m: (m[1], m[2], m[0]))
