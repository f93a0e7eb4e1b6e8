"""The shortcuts the clean stage takes on plain text give what the full path gives: text ftfy
would leave alone skips it, finders of '@' skip answers without one, and the sentence table
is built from arrays rather than row by row."""

from __future__ import annotations

import ftfy
import pandas as pd
from hypothesis import example, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from pipeline.stages.clean import _sentences
from pipeline.stages.schemas import SENTENCES
from pipeline.text import redact_patterns as patterns
from pipeline.text.nlp import split_sentences
from pipeline.text.normalise import FTFY_UNCHANGED, normalise

ASCII = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=80)


@hyp_settings(max_examples=300, deadline=None)
@given(ASCII)
@example("Fish &amp; chips")  # an entity: ftfy must still run
@example("tab\there\nand a line")
@example("carriage\r\nreturn")
@example("bell\x07 and escape\x1b[31m red")
def test_text_skipping_ftfy_is_text_ftfy_leaves_alone(text):
    if FTFY_UNCHANGED.fullmatch(text):
        assert ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC") == text


def test_ftfy_still_runs_on_entities_mojibake_and_controls():
    assert normalise("Fish &amp; chips") == "Fish & chips"
    assert normalise("caf\u00c3\u00a9 was fine") == "caf\u00e9 was fine"
    assert normalise("a\x07b") == "ab"
    for text in ("Fish &amp; chips", "caf\u00c3\u00a9", "a\rb", "\uff21wide"):
        assert not FTFY_UNCHANGED.fullmatch(text)


@given(st.text(max_size=60))
@example("write to jo.bloggs@example.org or @nhs_team")
def test_at_sign_shortcut_finds_what_the_patterns_find(text):
    assert patterns.find_emails(text) == [m.span() for m in patterns.EMAIL.finditer(text)]
    assert patterns.find_handles(text) == [m.span() for m in patterns.HANDLE.finditer(text)]


def test_phone_digit_count_reads_unicode_digits_as_before():
    # nine Arabic-Indic digits count as nine digits: the check lets phonenumbers look
    text = "call \u0660\u0667\u0667\u0660\u0660 \u0669\u0660\u0660\u0661\u0662\u0663"
    assert sum(map(str.isdigit, text)) == sum(ch.isdigit() for ch in text) == 11
    assert patterns.find_phones("07700 900123 is my number") == [(0, 12)]
    assert patterns.find_phones("only 12345678 here") == []


def reference_sentences(kept: pd.DataFrame) -> pd.DataFrame:
    """The sentence table built one sentence at a time, as the stage once did."""
    spans = split_sentences(kept["text"].tolist()) if len(kept) else []
    records = []
    for row, found in zip(kept.itertuples(index=False), spans, strict=True):
        for index, (start, end) in enumerate(found, start=1):
            records.append((f"{row.comment_id}#{index}", row.comment_id, row.respondent_id,
                            row.group, row.question, index, start, end, row.text[start:end]))
    frame = pd.DataFrame.from_records(records, columns=list(SENTENCES))
    text_columns = [c for c in SENTENCES if c not in ("sentence_index", "start", "end")]
    return frame.astype({c: str for c in text_columns})


def kept_table(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({
        "comment_id": [f"r{i}.q" for i in range(len(texts))],
        "respondent_id": [f"r{i}" for i in range(len(texts))],
        "group": ["g"] * len(texts), "question": ["q"] * len(texts), "text": texts,
    })


def test_sentence_table_equals_the_row_by_row_build():
    texts = ["One. Two! Three?", "No stop", "", "Caf\u00e9 cr\u00e8me. \U0001F600 Great.",
             "long sentence " * 2000 + ". End."]
    got = _sentences(kept_table(texts), "blank")
    expected = reference_sentences(kept_table(texts))
    pd.testing.assert_frame_equal(got.astype({c: str for c in got.columns
                                              if c not in ("sentence_index", "start", "end")}),
                                  expected)
    assert got["sentence_id"].tolist()[:3] == ["r0.q#1", "r0.q#2", "r0.q#3"]
    assert got["start"].dtype == expected["start"].dtype == "int64"


def test_sentence_table_of_no_answers_has_the_columns():
    got = _sentences(kept_table([]), "blank")
    assert list(got.columns) == list(SENTENCES) and got.empty
