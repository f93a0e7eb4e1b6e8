"""Reading exports and mapping columns to one row per answer."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.errors import DataError
from pipeline.io.readers import read_table
from pipeline.stages.ingest import ingest


def test_each_text_column_becomes_one_row_per_answer(raw, settings):
    out = ingest(raw, settings)
    comments = out["comments"]
    assert len(comments) == 2 * len(raw)
    first = comments.iloc[0]
    assert (first["comment_id"], first["question"], first["row"]) == ("R1.why_scores", "why_scores", 2)
    assert comments.iloc[1]["comment_id"] == "R1.other_comments"
    # the repeated respondent gets distinct comment ids, nothing is merged away here
    assert list(comments["comment_id"].iloc[-2:]) == ["R2.why_scores~2", "R2.other_comments~2"]
    # blank and "N/A" answers are kept as text for clean to account for
    assert comments.loc[comments["comment_id"] == "R4.why_scores", "text"].item() == ""
    assert comments.loc[comments["comment_id"] == "R2.other_comments", "text"].item() == "N/A"


def test_respondents_keep_scores_as_numbers(raw, settings):
    raw = raw.assign(s1_early_engagement=["1", "2", "", "Don't know", "5", "4", "2"])
    respondents = ingest(raw, settings)["respondents"]
    assert respondents["respondent_id"].tolist() == ["R1", "R2", "R3", "R4", "R5", "R6"]
    scores = respondents["s1_early_engagement"].tolist()
    assert scores[:2] == [1.0, 2.0] and pd.isna(scores[2]) and pd.isna(scores[3])


def test_scores_exported_as_labels_or_number_and_label(raw, settings):
    raw = raw.assign(s1_early_engagement=[
        "Strongly agree", "4 - partly agree", "Neither agree nor disagree", "fully disagree",
        "Partly Disagree.", "(5) Fully agree", "1"])
    scores = ingest(raw, settings)["respondents"]["s1_early_engagement"].tolist()
    assert scores == [5.0, 4.0, 3.0, 1.0, 2.0, 5.0]  # R2's repeated row is not a respondent


def test_an_unmapped_score_label_is_an_error_listing_values_and_fix(raw, settings):
    raw = raw.assign(s2_employer_representation=["Agree", "Sort of", "7", "Sort of", "",
                                                 "Agree", "Agree"])
    with pytest.raises(DataError) as caught:
        ingest(raw, settings)
    assert caught.value.code == "D050"
    assert caught.value.message == (
        "test.csv: score column 's2_employer_representation' has 2 value(s) the scale "
        "'agreement' does not map: '7' (row 4); 'Sort of' (rows 3, 5). Add each under "
        "scales.agreement.values in pipeline.yaml with its score 1-5 (or null for an answer "
        "without a score), or export numbers 1-5")


def test_score_columns_from_the_command_line_keep_words_and_scale(settings):
    from pipeline.config.models import with_overrides

    changed = with_overrides(settings.pipeline, text_columns=["comment"],
                             score_columns=["s1_early_engagement", "q9"])
    assert [s.column for s in changed.input.score_columns] == ["s1_early_engagement", "q9"]
    assert [s.words for s in changed.input.score_columns] == [
        "The forum engages partners early enough in policy development", "q9"]


def test_missing_ids_and_groups_fall_back(raw, settings):
    raw = raw.assign(respondent_id=["", "R2", "R3", "R4", "R5", "R6", "R7"],
                     organisation_type=["", "a", "b", "c", "d", "e", "f"])
    comments = ingest(raw, settings)["comments"]
    assert comments.iloc[0]["respondent_id"] == "row2"
    assert comments.iloc[0]["group"] == "(no group)"


def test_missing_text_column_names_file_column_and_fix(raw, settings):
    with pytest.raises(DataError) as caught:
        ingest(raw.drop(columns=["why_scores"]), settings)
    assert caught.value.code == "D002"
    assert caught.value.message.startswith(
        "test.csv: no text column 'why_scores'; choose one with --text-column. Columns found: ")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "export.csv"
    text = "id,comment\n1,Café “quotes” – dash\n2,N/A\n3,None\n"
    path.write_bytes(text.encode(encoding))
    table = read_table(path)
    assert table.frame["comment"].tolist() == ["Café “quotes” – dash", "N/A", "None"]
    assert table.encoding == encoding
    assert table.frame["_row"].tolist() == [2, 3, 4]


def test_semicolon_csv_and_quoted_newlines(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text('id;comment\n1;"two\nlines; with a semicolon"\n2;No\n', encoding="utf-8")
    frame = read_table(path).frame
    assert frame["comment"].tolist() == ["two\nlines; with a semicolon", "No"]


def test_xlsx_jsonl_parquet(tmp_path):
    rows = pd.DataFrame({"id": ["1", "2"], "comment": ["N/A", "More updates please"]})
    rows.to_excel(tmp_path / "export.xlsx", index=False)
    rows.to_parquet(tmp_path / "export.parquet", index=False)
    (tmp_path / "export.jsonl").write_text(
        "\n".join(json.dumps(r) for r in [{"id": 1, "comment": "N/A"},
                                          {"id": 2, "comment": "More updates please"}]))
    for name in ("export.xlsx", "export.parquet", "export.jsonl"):
        frame = read_table(tmp_path / name).frame
        assert frame["comment"].tolist() == ["N/A", "More updates please"], name
        assert frame["id"].tolist() == ["1", "2"], name


def test_unsupported_and_missing_files(tmp_path):
    (tmp_path / "export.pdf").write_bytes(b"%PDF")
    with pytest.raises(DataError, match=r"export.pdf: unsupported format '.pdf'; use one of"):
        read_table(tmp_path / "export.pdf")
    with pytest.raises(DataError, match=r"nowhere.csv: file not found"):
        read_table(tmp_path / "nowhere.csv")
