"""theming themes import: codebooks as reviewers get them become a valid themes.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.codebook.spreadsheet import import_codebook, label_keywords, split_examples
from pipeline.config.models import load_themes

FFT_CODEBOOK = Path(__file__).resolve().parents[1] / ".." / "shared" / "benchmarks" / "nhs-fft" / "codebook.csv"

CODEBOOK = '''id,label,description,examples
,Car parking & access,Parking spaces and getting to the site.,"POSITIVE: 'Easy to park', 'Plenty of spaces.'

NEGATIVE/ WISHLIST: 'There's never a space', 'Parking costs too much'"
food_drink,Food and drink,Meals and drinks on the ward.,"Meals arrived cold; More choice for vegetarians
Tea trolley was lovely"
noise,Noise at night,,"‘Too noisy to sleep’, ‘Staff chatting all night’"
'''


def test_split_examples_handles_quotes_headings_and_lines():
    assert split_examples("POSITIVE: 'Easy to park', 'didn't wait long'\n\nNEGATIVE: 'No spaces'") \
        == ["Easy to park", "didn't wait long", "No spaces"]
    assert split_examples("‘Too noisy’, ‘Lights on all night’") == ["Too noisy",
                                                                    "Lights on all night"]
    assert split_examples("Meals arrived cold; More choice\nTea was lovely") == [
        "Meals arrived cold", "More choice", "Tea was lovely"]
    assert split_examples("") == []


def test_label_keywords_split_on_ampersands_and_slashes():
    assert label_keywords("Food & drink provision / facilities") == ["food", "drink provision",
                                                                     "facilities"]


def test_import_keeps_ids_slugs_labels_and_proposes_keywords(tmp_path):
    source = tmp_path / "codebook.csv"
    source.write_text(CODEBOOK, encoding="utf-8")
    imported = import_codebook(source)
    themes = {t["id"]: t for t in imported["themes"]}
    assert list(themes) == ["car_parking_access", "food_drink", "noise"]
    assert themes["car_parking_access"]["examples"] == [
        "Easy to park", "Plenty of spaces.", "There's never a space", "Parking costs too much"]
    assert themes["noise"]["examples"] == ["Too noisy to sleep", "Staff chatting all night"]
    assert "car parking" in themes["car_parking_access"]["proposed_keywords"]
    assert all("keywords" not in t for t in imported["themes"])  # proposed only


def test_cli_import_writes_a_file_that_passes_check(tmp_path):
    source = tmp_path / "codebook.csv"
    source.write_text(CODEBOOK, encoding="utf-8")
    out = tmp_path / "themes.yaml"
    result = CliRunner().invoke(app, ["themes", "import", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{out}: 3 themes from {source}" in result.stdout
    assert load_themes(out).ids == ["car_parking_access", "food_drink", "noise"]
    check = CliRunner().invoke(app, ["themes", "check", str(out)])
    assert check.exit_code == 0 and "OK, 3 themes" in check.stdout
    again = CliRunner().invoke(app, ["themes", "import", str(source), "-o", str(out)])
    assert again.exit_code == 1 and "Error [D007]" in again.stderr


def test_codebook_without_label_or_id_is_a_clear_error(tmp_path):
    source = tmp_path / "codebook.csv"
    source.write_text("description,examples\nsomething,'a'\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["themes", "import", str(source), "-o",
                                      str(tmp_path / "t.yaml")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error [D021]: {source}: a codebook needs a label or id")


@pytest.mark.skipif(not FFT_CODEBOOK.is_file(), reason="shared benchmarks not present")
def test_real_codebook_imports(tmp_path):
    imported = import_codebook(FFT_CODEBOOK)
    assert len(imported["themes"]) == 33
    out = tmp_path / "fft.yaml"
    from pipeline.codebook.spreadsheet import render_themes_yaml

    out.write_text(render_themes_yaml(imported, "codebook.csv"), encoding="utf-8")
    themes = load_themes(out)
    assert "positive_experience_gratitude" in themes.ids
    assert all(len(t.examples) >= 3 for t in themes.themes if t.id != "not_assigned")


def test_refi_qda_export_then_import_keeps_labels_and_descriptions(tmp_path):
    shipped = Path(__file__).resolve().parents[1] / "config" / "themes.yaml"
    out = tmp_path / "themes.qdc"
    result = CliRunner().invoke(app, ["themes", "export", str(shipped), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert 'xmlns="urn:QDA-XML:codebook:1.0"' in text and 'name="Ministerial presence"' in text
    back = tmp_path / "back.yaml"
    result = CliRunner().invoke(app, ["themes", "import", str(out), "-o", str(back)])
    assert result.exit_code == 0, result.output
    original, imported = load_themes(shipped), load_themes(back)
    assert [t.label for t in imported.themes] == [t.label for t in original.themes]
    assert [t.description for t in imported.themes] == [t.description for t in original.themes]
    assert imported.ids[0] == "early_engagement_on_policy"  # slug of the label
    again = tmp_path / "again.qdc"
    CliRunner().invoke(app, ["themes", "export", str(shipped), "-o", str(again)])
    assert again.read_text(encoding="utf-8") == text        # stable GUIDs


def test_refi_qda_nested_codes_are_flattened(tmp_path):
    source = tmp_path / "nested.qdc"
    source.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        '<Code guid="a" name="Access" isCodable="true"><Description>Getting in.</Description>'
        '<Code guid="b" name="Parking" isCodable="true"/></Code>'
        '<Code guid="c" name="Staff" isCodable="false"><Code guid="d" name="Parking" '
        'isCodable="true"/></Code></Codes></CodeBook>', encoding="utf-8")
    from pipeline.codebook.qdc import import_qdc

    themes = import_qdc(source)["themes"]
    assert [(t["id"], t["label"]) for t in themes] == [
        ("access", "Access"), ("access_parking", "Parking"), ("staff_parking", "Parking")]
    assert themes[0]["description"] == "Getting in."
