"""Personal data planted in comments, respondent ids, group values and a column header is
found in no file of the run folder (CSV, XLSX, DOCX, HTML, MD, JSON, Parquet) and in no
cache (issue 13)."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd
from cli_helpers import csv_text, run_cli, write_config

from pipeline.text.pseudonyms import new_secret

HEADER = "Feedback for jo.bloggs@nhs.net"
ROWS = [
    ["Sarah Whitfield", "sarah.whitfield@nhs.net", "Dr Łukasz Nowak never replied to us."],
    ["ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", "07700 900125", "Nurse Zoë Ólafsdóttir was kind, call 07700\n900123."],
    ["943.476.5919", "LS2 7UE", "My NI number is QQ 123 456 C and NHS 943 476-5919."],
    ["QQ 123 456 C", "Team \u202eevil\u202c", "Ask dr patel or DR KOWALSKI about the Sa\u00adrah Whitfield case."],
    ["07700\n900124", "Union side", "Dr de la Cruz and Dr Ahmed Khan Siddiqui chaired."],
    ["LS1 4AP", "Union side", "Papers arrive too late; ring dr quill about them."],
]
NEEDLES = ["jo.bloggs", "jo_bloggs", "sarah.whitfield", "Whitfield", "whitfield", "Łukasz", "Nowak",
           "john@example.com", "john_example", "Zoë", "Ólafsdóttir", "900123", "900124",
           "900125", "7UE", "4AP", "QQ 123", "QQ123", "4765919", "476-5919", "476 5919",
           "patel", "KOWALSKI", "Cruz", "Siddiqui", "quill", "\u202e", "\u00ad"]


def file_text(path: Path) -> str:
    """Everything a file holds as text: zip members (DOCX, XLSX, NPZ) and Parquet tables
    are opened; the text is NFKC-folded so full-width letters cannot hide a match."""
    data = path.read_bytes()
    if path.suffix == ".parquet":
        text = pd.read_parquet(io.BytesIO(data)).to_csv()
    elif path.suffix == ".npz":  # the vector cache: its keys as text
        import numpy as np

        with np.load(io.BytesIO(data), allow_pickle=False) as saved:
            text = "\n".join(str(k) for k in saved["keys"])
    elif zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            text = "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    else:
        text = data.decode("utf-8", "replace")
    return unicodedata.normalize("NFKC", text)


def test_planted_personal_data_reaches_no_file(tmp_path: Path) -> None:
    export = tmp_path / "r.csv"
    export.write_text(csv_text([["id", "team", HEADER], *ROWS]), encoding="utf-8")
    config = write_config(tmp_path, xlsx=True)
    # MiniLM, so that the vector cache is written
    config.write_text(config.read_text(encoding="utf-8").replace("tag:\n", "tag:\n  embedder: minilm\n"),
                      encoding="utf-8")
    new_secret(tmp_path / ".theming-secret")
    out = tmp_path / "run"
    outcome = run_cli([export], config, out, "--text-column", HEADER)
    assert outcome.exit_code == 0, outcome.stderr
    cache = [p for p in (tmp_path / ".theming-cache").rglob("*") if p.is_file()]
    assert [p.name for p in cache] == ["minilm.npz"]
    files = [p for p in out.rglob("*") if p.is_file()] + cache
    kinds = {p.suffix for p in files}
    assert {".csv", ".xlsx", ".docx", ".html", ".md", ".json", ".parquet"} <= kinds
    for path in files:
        text = file_text(path)
        for needle in NEEDLES:
            assert needle not in text, (path.name, needle)
        assert not re.search(r"9434\D?765\D?919|943\D?476\D?5919", text), path.name
    answers = outcome.answers()
    assert {a["question"] for a in answers} == {"feedback_for_email"}
    assert answers[0]["respondent_id"].startswith("id-")
    assert not answers[0]["respondent_id"].startswith("id-unkeyed-")
    assert answers[5]["respondent_id"].startswith("id-")
    assert "[EMAIL]" in {a["group"] for a in answers}


def test_planted_personal_data_reaches_no_tag_evidence(tmp_path: Path) -> None:
    """tags.csv quotes sentences and matched words: themes that tag every planted sentence
    (keywords and the semantic layer) leave no personal data in it."""
    export = tmp_path / "r.csv"
    export.write_text(csv_text([["id", "team", "comment"], *ROWS]), encoding="utf-8")
    themes = tmp_path / "themes.yaml"
    themes.write_text(
        "version: 1\nthemes:\n"
        "  - id: people\n    label: People and contact\n"
        "    keywords: [replied, kind, chaired, number, case, read]\n"
        "    examples: [Someone called us back about the case.]\n"
        "  - id: papers\n    label: Meeting papers\n    keywords: [papers]\n", encoding="utf-8")
    config = write_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace(
        "tag:\n", "tag:\n  embedder: tfidf-svd\n  semantic_threshold: 0.0\n"), encoding="utf-8")
    new_secret(tmp_path / ".theming-secret")
    out = tmp_path / "run"
    outcome = run_cli([export], config, out, "--themes", str(themes))  # the last --themes wins
    assert outcome.exit_code == 0, outcome.stderr
    tags = pd.read_csv(out / "tags.csv", keep_default_na=False)
    answers = outcome.answers()
    assert set(tags["comment_id"]) == {a["comment_id"] for a in answers}  # every comment tagged
    assert {"keyword", "semantic"} <= set(tags["layer"])
    text = file_text(out / "tags.csv")
    for needle in NEEDLES:
        assert needle not in text, needle
    assert "[NAME]" in text and "[PHONE]" in text
