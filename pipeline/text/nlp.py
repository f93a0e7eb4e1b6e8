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
    """Character spans (start, end) of the sentences of each text, whitespace trimmed.

    With the blank pipeline the sentencizer's rule is applied to the token arrays of a batch
    of texts at once (``_sentencizer_starts``), not token by token through ``nlp.pipe``: the
    same sentences, without a Python object per token."""
    nlp = get_nlp(model)
    if model in ("blank", "", None):
        spans: list[list[tuple[int, int]]] = []
        for first in range(0, len(texts), SENTENCE_BATCH):
            spans += _blank_spans(nlp, texts[first:first + SENTENCE_BATCH])
        return spans
    spans = []
    for doc in nlp.pipe(texts, batch_size=256):
        text = doc.text  # doc.text is rebuilt on each access: O(n^2) on a 1 MB comment
        spans.append(_trimmed(text, [(s.start_char, s.end_char) for s in doc.sents]))
    return spans


SENTENCE_BATCH = 2000  # texts tokenised and split together (their token arrays held at once)


def _trimmed(text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``sentences`` of ``text`` with whitespace trimmed; those without a word character
    left out."""
    found = []
    for start, end in sentences:
        piece = text[start:end]
        stripped = piece.strip()
        if not stripped or not WORD.search(stripped):
            continue
        start += len(piece) - len(piece.lstrip())
        found.append((start, start + len(stripped)))
    return found


def _blank_spans(nlp: Language, texts: list[str]) -> list[list[tuple[int, int]]]:
    """``split_sentences`` for the blank pipeline: tokenise, then find the sentencizer's
    sentence starts over the batch's token arrays (ORTH, IS_PUNCT, IDX, LENGTH)."""
    import numpy as np
    from spacy.attrs import IDX, IS_PUNCT, LENGTH, ORTH

    arrays = [doc.to_array([ORTH, IS_PUNCT, IDX, LENGTH]).reshape(-1, 4)
              for doc in nlp.tokenizer.pipe(texts)]
    sizes = np.array([len(a) for a in arrays], dtype=np.int64)
    if not sizes.sum():
        return [[] for _ in texts]
    tokens = np.concatenate(arrays)
    doc_start = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    starts = _sentencizer_starts(nlp, tokens[:, 0], tokens[:, 1].astype(bool), doc_start,
                                 sizes)
    doc_of = np.repeat(np.arange(len(texts)), sizes)[starts]
    ends = np.append(starts[1:], len(tokens))  # the next sentence's start, or the next text's
    offsets, lengths = tokens[:, 2].astype(np.int64), tokens[:, 3].astype(np.int64)
    begin, finish = offsets[starts], offsets[ends - 1] + lengths[ends - 1]
    sentences: list[list[tuple[int, int]]] = [[] for _ in texts]
    for doc, start, end in zip(doc_of.tolist(), begin.tolist(), finish.tolist(), strict=True):
        sentences[doc].append((start, end))
    return [_trimmed(text, found) for text, found in zip(texts, sentences, strict=True)]


def _sentencizer_starts(nlp: Language, orth, is_punct, doc_start, sizes):
    """Token positions where a sentence starts, as spaCy's Sentencizer decides them, for the
    tokens of several texts laid end to end (``doc_start``: each text's first token,
    ``sizes``: its token count). The Sentencizer walks each text: a token whose text is one
    of its ``punct_chars`` opens a break, and the next token that is neither punctuation nor
    such a character starts a sentence. So a token that is neither starts a sentence when a
    punct_chars token lies between it and the previous such token of its text (or its
    text's start); every text's first token starts one too."""
    import numpy as np

    marks = np.array(sorted(nlp.vocab.strings.add(c)
                            for c in nlp.get_pipe("sentencizer").punct_chars), dtype=orth.dtype)
    ends_sentence = np.isin(orth, marks)
    plain = np.flatnonzero(~(is_punct | ends_sentence))
    seen = np.cumsum(ends_sentence)
    doc_of = np.repeat(np.arange(len(sizes)), sizes)[plain]
    previous = np.concatenate(([-1], plain[:-1]))
    seen_before_doc = np.where(doc_start > 0, seen[np.maximum(doc_start - 1, 0)], 0)
    seen_before = np.where(previous >= doc_start[doc_of], seen[np.maximum(previous, 0)],
                           seen_before_doc[doc_of])
    breaks = plain[seen[plain] > seen_before]
    return np.union1d(doc_start[sizes > 0], breaks)


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
