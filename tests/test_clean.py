"""Cleaning: normalise, redact, drop with a reason, split sentences."""

from __future__ import annotations

import pandas as pd
from hypothesis import example, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from pipeline.stages.clean import clean
from pipeline.stages.ingest import ingest
from pipeline.text.normalise import answer_key, normalise
from pipeline.text.redact import Redactor


def cleaned(raw, settings):
    return clean(ingest(raw, settings)["comments"], settings)


def test_drop_reasons_and_accounting(raw, settings):
    out = cleaned(raw, settings)
    dropped = out["dropped"].set_index("comment_id")["drop_reason"].to_dict()
    assert dropped == {
        "R2.other_comments": "non-answer",     # "N/A"
        "R4.why_scores": "empty",
        "R5.other_comments": "non-answer",     # "No comment"
        "R2.why_scores~2": "duplicate",        # the same row exported twice
        "R2.other_comments~2": "non-answer",
    }
    assert len(out["comments"]) + len(out["dropped"]) == 2 * len(raw)


def test_redaction_happens_before_anything_else(raw, settings):
    out = cleaned(raw, settings)
    texts = " ".join(out["comments"]["text"]) + " ".join(out["sentences"]["text"])
    assert "a.person@example.org" not in texts and "07700 900123" not in texts
    row = out["comments"].set_index("comment_id").loc["R3.other_comments"]
    assert row["text"] == "Email me at [EMAIL] about the newsletter."
    assert row["redactions"] == "EMAIL"
    assert out["comments"].set_index("comment_id").loc["R6.other_comments", "text"] == \
        "Call [PHONE] please."


def test_names_from_the_config_list_are_redacted(settings):
    redactor = Redactor(names=("Sarah Whitfield",))
    assert redactor("Thanks to sarah  whitfield and Sarah Whitfield's team.") == (
        "Thanks to [NAME] and [NAME]'s team.", ["NAME", "NAME"])


def test_sentences_are_spans_of_the_cleaned_text(raw, settings):
    out = cleaned(raw, settings)
    by_id = out["comments"].set_index("comment_id")["text"]
    sentences = out["sentences"]
    first = sentences[sentences["comment_id"] == "R1.why_scores"]
    assert first["text"].tolist() == ["We were told after the decision was made.", "Engage us earlier."]
    for row in sentences.itertuples():
        assert by_id[row.comment_id][row.start:row.end] == row.text
    assert sentences["sentence_id"].is_unique


def test_normalise_repairs_mojibake_and_whitespace():
    assert normalise("We donâ€™t  get\u00a0papers\x07 \r\n\r\n\r\n  in time ") == \
        "We don’t get papers\n\nin time"
    assert normalise("“Curly” quotes stay") == "“Curly” quotes stay"


def test_non_answers_ignore_case_and_punctuation(settings):
    frame = pd.DataFrame({"comment_id": ["a", "b", "c", "d"], "respondent_id": ["1", "2", "3", "4"],
                          "group": ["g"] * 4, "question": ["q"] * 4,
                          "text": ["  No comment. ", "N/A!", "None", "No, more employers please"],
                          "source": ["s"] * 4, "row": [2, 3, 4, 5]})
    out = clean(frame, settings)
    assert out["comments"]["comment_id"].tolist() == ["d"]
    assert set(out["dropped"]["drop_reason"]) == {"non-answer"}


@hyp_settings(max_examples=150, deadline=None)
@example("\x81\x9bß")  # ftfy alone turns this into "›ß" and then into "ݧ"
@given(st.text(max_size=300))
def test_normalise_is_idempotent_and_never_grows_whitespace(text):
    once = normalise(text)
    assert normalise(once) == once
    assert "  " not in once and once == once.strip()


@hyp_settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=120), min_size=1, max_size=12))
def test_clean_never_loses_a_row(settings, texts):
    frame = pd.DataFrame({
        "comment_id": [f"c{i}" for i in range(len(texts))],
        "respondent_id": [f"r{i % 3}" for i in range(len(texts))],
        "group": ["g"] * len(texts), "question": ["q"] * len(texts), "text": texts,
        "source": ["s"] * len(texts), "row": list(range(2, len(texts) + 2)),
    })
    out = clean(frame, settings)
    ids = list(out["comments"]["comment_id"]) + list(out["dropped"]["comment_id"])
    assert sorted(ids) == sorted(frame["comment_id"])
    for text in out["comments"]["text"]:
        assert answer_key(text)
