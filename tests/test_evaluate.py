"""theming eval: metrics against a hand-computed example, through the library and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.evaluation import evaluate

# Six comments, two themes. Worked by hand:
# parking: truth 1 1 1 0 0 0, tagged 1 1 0 1 0 0 -> tp 2 fp 1 fn 1: P = R = F1 = 2/3;
#          agreement 4/6, chance 1/2*1/2 + 1/2*1/2 = 1/2 -> kappa (2/3 - 1/2) / (1/2) = 1/3
# food:    truth 0 0 0 1 1 0, tagged 0 0 0 1 0 1 -> tp 1 fp 1 fn 1: P = R = F1 = 1/2;
#          agreement 4/6, chance 1/3*1/3 + 2/3*2/3 = 5/9 -> kappa (2/3 - 5/9) / (4/9) = 1/4
# micro F1 = 2*3 / (2*3 + 2 + 2) = 0.6; macro F1 = (2/3 + 1/2) / 2 = 7/12
TRUTH = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 0]], dtype=bool)
TAGGED = np.array([[1, 0], [1, 0], [0, 0], [1, 1], [0, 0], [0, 1]], dtype=bool)
EXPECTED = {"parking": (3, 2 / 3, 2 / 3, 2 / 3, 1 / 3), "food": (2, 0.5, 0.5, 0.5, 0.25)}
CODED_ROWS = [  # text, coded themes; keywords 'parking' and 'food' give TAGGED above
    ("Parking was hard.", "parking"),
    ("No parking spaces at all.", "parking"),
    ("Nowhere to leave the car.", "parking"),
    ("The food was fine and parking too.", "food"),
    ("Lunch was cold.", "food"),
    ("The food hall was closed.", ""),
]

ROOT = Path(__file__).resolve().parents[1]


def check_hand_computed(per_theme, micro, macro):
    for row in per_theme:
        support, precision, recall, f1, kappa = EXPECTED[row["theme_id"]]
        assert row["support"] == support
        assert row["precision"] == pytest.approx(precision)
        assert row["recall"] == pytest.approx(recall)
        assert row["f1"] == pytest.approx(f1)
        assert row["kappa"] == pytest.approx(kappa)
    assert micro == pytest.approx(0.6)
    assert macro == pytest.approx(7 / 12)


def test_scores_match_the_hand_computed_example():
    scores = evaluate.score(TRUTH, TAGGED, ["parking", "food"], min_support=2, n_bootstrap=200)
    check_hand_computed(scores.per_theme.to_dict(orient="records"), scores.micro_f1,
                        scores.macro_f1)
    low, high = scores.micro_f1_ci
    assert 0.0 <= low <= scores.micro_f1 <= high <= 1.0
    again = evaluate.score(TRUTH, TAGGED, ["parking", "food"], min_support=2, n_bootstrap=200)
    assert again.micro_f1_ci == scores.micro_f1_ci  # seeded


def test_min_support_leaves_rare_themes_out_of_the_averages():
    scores = evaluate.score(TRUTH, TAGGED, ["parking", "food"], min_support=3, n_bootstrap=0)
    assert scores.scored_themes == ["parking"]
    assert scores.micro_f1 == pytest.approx(2 / 3) and scores.macro_f1 == pytest.approx(2 / 3)


def test_kappa_edge_cases():
    assert evaluate.cohen_kappa(np.array([0, 0, 0]), np.array([0, 0, 0])) == 1.0
    assert evaluate.cohen_kappa(np.array([1, 0]), np.array([0, 1])) == pytest.approx(-1.0)


def test_worst_examples_rank_confident_false_positives_first():
    confidence = np.array([[0.9, 0], [0.8, 0], [0, 0], [0.95, 0.7], [0, 0], [0, 0.4]])
    worst = evaluate.worst_examples(list("abcdef"), TRUTH, TAGGED, confidence,
                                    ["parking", "food"], n=3)
    assert worst["parking"] == {"false_positives": ["d"], "false_negatives": ["c"]}
    assert worst["food"] == {"false_positives": ["f"], "false_negatives": ["e"]}


@pytest.fixture()
def keyword_only(tmp_path):
    """A pipeline.yaml with only the keyword layer and a two-theme config."""
    config = yaml.safe_load((ROOT / "config" / "pipeline.yaml").read_text(encoding="utf-8"))
    config.setdefault("tag", {}).update(semantic=False, advanced={"patterns": False})
    (tmp_path / "pipeline.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    themes = {"version": 1, "themes": [
        {"id": "parking", "label": "Parking", "keywords": ["parking"]},
        {"id": "food", "label": "Food", "keywords": ["food"]},
    ]}
    (tmp_path / "themes.yaml").write_text(yaml.safe_dump(themes), encoding="utf-8")
    lines = ["comment,themes"] + [f'"{text}",{labels}' for text, labels in CODED_ROWS]
    (tmp_path / "coded.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_eval_cli_json_matches_the_hand_computed_example(keyword_only):
    result = CliRunner().invoke(app, [
        "eval", str(keyword_only / "coded.csv"), "--themes", str(keyword_only / "themes.yaml"),
        "--config", str(keyword_only / "pipeline.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # with 6 comments no theme reaches 5 cases: averages are over nothing
    assert report["scored_themes"] == [] and report["micro_f1"] == 0.0
    result = CliRunner().invoke(app, [
        "eval", str(keyword_only / "coded.csv"), "--themes", str(keyword_only / "themes.yaml"),
        "--config", str(keyword_only / "pipeline.yaml"), "--json", "--min-support", "2"])
    report = json.loads(result.stdout)
    assert report["scored_themes"] == ["parking", "food"]
    check_hand_computed(report["per_theme"], report["micro_f1"], report["macro_f1"])
    food = next(r for r in report["per_theme"] if r["theme_id"] == "food")
    assert food["false_positives"] == ["The food hall was closed."]
    assert food["false_negatives"] == ["Lunch was cold."]
    assert food["false_positive_why"] == ["keyword 1.00"]
    assert food["false_negative_why"] == ["no keyword or pattern"]


def test_eval_cli_text_report(keyword_only):
    result = CliRunner().invoke(app, [
        "eval", str(keyword_only / "coded.csv"), "--themes", str(keyword_only / "themes.yaml"),
        "--config", str(keyword_only / "pipeline.yaml")])
    assert result.exit_code == 0, result.output
    assert "parking" in result.stdout and "0.67" in result.stdout
    # each example names the layer and score that tagged it, or what fell short
    assert "false negative [no keyword or pattern]: Nowhere to leave the car." in result.stdout
    assert "false positive [keyword 1.00]: The food hall was closed." in result.stdout


def test_unknown_theme_ids_are_a_clear_error(keyword_only):
    coded = keyword_only / "coded.csv"
    coded.write_text("comment,themes\nToo loud at night.,noise|parking\n", encoding="utf-8")
    result = CliRunner().invoke(app, [
        "eval", str(coded), "--themes", str(keyword_only / "themes.yaml"),
        "--config", str(keyword_only / "pipeline.yaml")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error [D020]: {coded}: column 'themes' has theme ids")
    assert "'noise' (row 2)" in result.stderr


def test_samples_f1_alpha_and_their_intervals():
    truth = np.array([[1, 0], [1, 1], [0, 0], [0, 1]], dtype=bool)
    tagged = np.array([[1, 0], [1, 0], [0, 0], [1, 0]], dtype=bool)
    # per comment: 1, 2/3, 1 (both empty), 0
    assert evaluate.samples_f1(truth, tagged) == pytest.approx((1 + 2 / 3 + 1 + 0) / 4)
    # 8 decisions, N = 16 values: ones = 4 coded + 3 tagged = 7, zeros = 9, 3 disagreements
    assert evaluate.krippendorff_alpha(truth, tagged) == pytest.approx(1 - 15 * 3 / (9 * 7))
    assert evaluate.krippendorff_alpha(truth, truth) == 1.0
    scores = evaluate.score(truth, tagged, ["a", "b"], min_support=1, n_bootstrap=200)
    result = scores.to_dict()
    assert result["samples_f1"] == pytest.approx((1 + 2 / 3 + 1) / 4)
    assert result["alpha"] == pytest.approx(1 - 15 * 3 / 63)
    kappas = [evaluate.cohen_kappa(truth[:, j], tagged[:, j]) for j in range(2)]
    assert result["kappa"] == pytest.approx(np.mean(kappas))
    for key in ("samples_f1", "kappa", "alpha"):
        low, high = result[f"{key}_ci95"]
        assert low <= high and low <= result[key] + 1e-9 and high >= result[key] - 1e-9
    assert [row["alpha"] for row in result["per_theme"]] == pytest.approx(
        [evaluate.krippendorff_alpha(truth[:, j], tagged[:, j]) for j in range(2)])
