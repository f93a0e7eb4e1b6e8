"""split_sentences on the blank pipeline reads token arrays instead of walking spaCy's
sentencizer token by token; it must give the sentencizer's sentences exactly."""

from __future__ import annotations

from pipeline.text.nlp import _trimmed, get_nlp, split_sentences

EDGE_CASES = [
    "",
    " ",
    "\n\n",
    "...",
    "!!!",
    "No full stop at all",
    "One. Two! Three? Four",
    "Hi. . ok",
    "e.g. this is one sentence. And another.",
    "a.b. c",
    "Dr. Smith said hi! Then? no",
    "ok!!! fine?? yes.",
    "\u201cQuoted.\u201d Next one (in brackets.) after",
    "x\n\ny",
    "Line one.\nLine two",
    "\u3002\u65e5\u672c\u8a9e\u3002\u30c6\u30b9\u30c8",  # ideographic full stops
    "Caf\u00e9 cr\u00e8me. Na\u00efve r\u00e9sum\u00e9! \u00bfQu\u00e9? S\u00ed.",
    "Emoji \U0001F600. Then more \U0001F44D!",
    "Score 3.5 out of 10. Cost \u00a34.50 today.",
    "trailing spaces.   ",
    "   leading spaces. x",
    "word " * 3000 + ". The end.",
]


def reference_spans(texts: list[str]) -> list[list[tuple[int, int]]]:
    """What spaCy's own pipeline (tokenizer + sentencizer, ``doc.sents``) gives."""
    return [_trimmed(doc.text, [(s.start_char, s.end_char) for s in doc.sents])
            for doc in get_nlp("blank").pipe(texts)]


def test_blank_split_equals_spacy_sentencizer_on_edge_cases():
    assert split_sentences(EDGE_CASES) == reference_spans(EDGE_CASES)


def test_blank_split_equals_spacy_one_text_at_a_time():
    # the batch lays texts end to end: a break must never run from one text into the next
    for text in EDGE_CASES:
        assert split_sentences([text]) == reference_spans([text]), text


def test_blank_split_across_batches_keeps_texts_in_order(monkeypatch):
    from pipeline.text import nlp

    monkeypatch.setattr(nlp, "SENTENCE_BATCH", 3)
    texts = [f"Answer {i}. It has two sentences" if i % 2 else "" for i in range(10)]
    assert split_sentences(texts) == reference_spans(texts)
    assert split_sentences(texts)[1] == [(0, 9), (10, 30)]


def test_blank_split_of_nothing_is_empty():
    assert split_sentences([]) == []
    assert split_sentences(["", "   "]) == [[], []]
