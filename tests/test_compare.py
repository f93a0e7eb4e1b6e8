"""theming compare (issue 11): hand-computed counts and p-values, recounts from real run
folders, refusals, and planted personal data kept out of every compare output."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.compare import stats
from pipeline.compare.changes import compare_rounds
from pipeline.compare.rounds import read_round

ROOT = Path(__file__).resolve().parents[1]


def fake_run(folder: Path, answers: list[tuple[str, str, str, str]], labels: dict[str, str],
             candidates: list[tuple[str, str, int]] = (), scores: list[int] | None = None,
             sha: str = "same", difference: float | None = None) -> Path:
    """A finished run folder by hand: answers are (respondent_id, group, themes, dropped)."""
    folder.mkdir(parents=True)
    manifest = {"tool": "comment-theming",
                "themes": {"ids": list(labels), "labels": labels, "sha256": sha, "path": None}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    pd.DataFrame([{"comment_id": f"c{i}", "respondent_id": r, "group": g, "question": "q",
                   "source": "x.csv", "row": i, "text": "t", "themes": t, "candidate_themes": "",
                   "dropped_reason": d} for i, (r, g, t, d) in enumerate(answers)]
                 ).to_csv(folder / "comment_themes.csv", index=False)
    if candidates:
        pd.DataFrame([{"cluster_id": i, "label": label, "keywords": label, "examples": label,
                       "n_respondents": n, "status": "candidate", "theme_id": cid}
                      for i, (cid, label, n) in enumerate(candidates)]
                     ).to_csv(folder / "clusters.csv", index=False)
    if scores is not None:
        pd.DataFrame([{"statement": "The forum listens", "column": "s1", "group":
                       "All respondents", "n": sum(scores), "mean": 0,
                       **{f"n_{k}": scores[k - 1] for k in range(1, 6)}}]
                     ).to_csv(folder / "scores.csv", index=False)
    if difference is not None:
        pd.DataFrame([{"theme_id": "alpha", "statement": "The forum listens", "column": "s1",
                       "n_raised": 1, "mean_raised": 1 + difference, "n_not_raised": 9,
                       "mean_not_raised": 1.0, "difference": difference, "n_no_score": 0}]
                     ).to_csv(folder / "theme_scores.csv", index=False)
    return folder


def keep(text: str) -> str:
    return text


# --------------------------------------------------------------------------- hand-computed


def test_chi_square_when_expected_counts_are_large() -> None:
    # 30/100 against 45/100: expected 37.5 and 62.5, chi2 = 2 * 7.5^2 * (1/37.5 + 1/62.5) = 4.8
    p, test = stats.two_proportions(30, 100, 45, 100, exact_below=5)
    assert test == "chi-square"
    assert p == pytest.approx(0.0284597, abs=1e-6)  # P(chi2 with 1 df > 4.8)


def test_fisher_exact_when_an_expected_count_is_small() -> None:
    # 1/10 against 6/10: expected 3.5 < 5. Hypergeometric weights (out of C(20,7) = 77520) for
    # 0..7 raisers in round A: 120, 2100, 11340, 25200, 25200, 11340, 2100, 120; those no more
    # likely than the observed 2100: 120 + 2100 + 2100 + 120 = 4440 -> p = 4440/77520 = 37/646
    p, test = stats.two_proportions(1, 10, 6, 10, exact_below=5)
    assert test == "fisher-exact"
    assert p == pytest.approx(37 / 646, abs=1e-12)


def test_holm_multiplies_by_rank_and_keeps_order() -> None:
    # sorted 0.01, 0.03, 0.04 -> 0.03, 0.06, max(0.06, 0.04) = 0.06; returned in input order
    assert stats.holm([0.04, 0.01, 0.03]) == pytest.approx([0.06, 0.03, 0.06])
    assert stats.holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def test_no_variation_is_not_tested() -> None:
    assert stats.two_proportions(0, 10, 0, 12, 5) == (1.0, "none")
    assert stats.rank_test([0, 0, 4, 0, 0], [0, 0, 7, 0, 0]) == (1.0, "none")


def test_rank_test_sees_a_shift_and_not_its_absence() -> None:
    same, _ = stats.rank_test([2, 3, 5, 3, 2], [2, 3, 5, 3, 2])
    shifted, test = stats.rank_test([10, 10, 2, 0, 0], [0, 0, 2, 10, 10])
    assert test == "mann-whitney" and same == pytest.approx(1.0) and shifted < 0.001


def hand_rounds(tmp_path: Path):
    """Round A: 10 respondents (+1 whose only answer was dropped); alpha 1 of 10, beta 5 of
    10, gamma 0, 'old' only in A's config. Round B: 10 respondents; alpha 6 of 10 (one of them
    twice), beta 5 of 10, 'fresh' only in B's config; alpha renamed."""
    a_answers = [(f"a{i}", "union" if i < 5 else "employer",
                  "|".join(t for t, on in (("alpha", i == 0), ("beta", i < 5)) if on), "")
                 for i in range(10)] + [("a99", "union", "", "empty")]
    b_answers = [(f"b{i}", "union" if i < 5 else "employer",
                  "|".join(t for t, on in (("alpha", i < 6), ("beta", i >= 5)) if on), "")
                 for i in range(10)] + [("b0", "union", "alpha", "")]
    a = fake_run(tmp_path / "round_a", a_answers,
                 {"alpha": "Alpha", "beta": "Beta", "gamma": "Gamma", "old": "Old"},
                 candidates=[("late_papers", "late papers", 4), ("parking", "parking", 3)],
                 scores=[10, 10, 2, 0, 0], sha="one", difference=-0.5)
    b = fake_run(tmp_path / "round_b", b_answers,
                 {"alpha": "Alpha renamed", "beta": "Beta", "gamma": "Gamma", "fresh": "Fresh"},
                 candidates=[("papers_late", "papers late", 5), ("canteen", "canteen", 3)],
                 scores=[0, 0, 2, 10, 10], sha="two", difference=0.25)
    return read_round(a), read_round(b)


VECTORS = {"late papers": [1.0, 0.0, 0.0], "papers late": [0.9, 0.1, 0.0],
           "parking": [0.0, 1.0, 0.0], "canteen": [0.0, 0.0, 1.0]}


def fake_embed(texts: list[str]) -> np.ndarray:
    return np.array([VECTORS[t.split(".")[0]] for t in texts])


def test_hand_computed_comparison(tmp_path: Path) -> None:
    a, b = hand_rounds(tmp_path)
    result = compare_rounds([a, b], exact_below=5, candidate_similarity=0.6, redact=keep,
                            embed=fake_embed)
    themes = result.themes.set_index("theme")
    alpha, beta, gamma = themes.loc["alpha"], themes.loc["beta"], themes.loc["gamma"]
    assert (alpha.n_from, alpha.total_from, alpha.n_to, alpha.total_to) == (1, 10, 6, 10)
    assert (alpha.share_from, alpha.share_to, alpha.change) == (0.1, 0.6, 0.5)
    assert alpha.test == "fisher-exact" and alpha.p_value == pytest.approx(37 / 646)
    assert beta.test == "chi-square" and beta.p_value == pytest.approx(1.0)
    # Holm over the two tested themes: 2 * 37/646 = 0.11455, then max(0.11455, 1 * 1.0) = 1
    assert alpha.p_adjusted == pytest.approx(2 * 37 / 646)
    assert beta.p_adjusted == pytest.approx(1.0)
    assert gamma.test == "none" and gamma.p_adjusted == 1.0
    assert alpha.label == "Alpha renamed" and alpha.note == "renamed from 'Alpha'"
    assert themes.loc["fresh", "status"] == "added"
    assert pd.isna(themes.loc["fresh", "p_value"])
    assert themes.loc["old", "status"] == "removed"
    assert themes.loc["old", "note"] == "not in the theme config of round_b: not compared"
    assert result.notes == ["round_a -> round_b: the theme config changed between the rounds"]


def test_groups_are_compared_where_both_rounds_have_them(tmp_path: Path) -> None:
    a, b = hand_rounds(tmp_path)
    groups = compare_rounds([a, b], exact_below=5, candidate_similarity=0.6, redact=keep,
                            embed=None).groups
    row = groups[(groups["theme"] == "beta") & (groups["group"] == "union")].iloc[0]
    # beta among the union side: 5 of 5 in A, 0 of 5 in B -> Fisher p = 2 / C(10,5) = 2/252
    assert (row.n_from, row.total_from, row.n_to, row.total_to) == (5, 5, 0, 5)
    assert row.test == "fisher-exact" and row.p_value == pytest.approx(2 / 252)
    assert set(groups["group"]) == {"union", "employer"}
    assert groups["p_adjusted"].between(0, 1).all()


def test_candidates_matched_seen_new_and_gone(tmp_path: Path) -> None:
    a, b = hand_rounds(tmp_path)
    candidates = compare_rounds([a, b], exact_below=5, candidate_similarity=0.6, redact=keep,
                                embed=fake_embed).candidates.set_index("candidate")
    assert candidates.loc["papers_late", "status"] == "seen before"
    assert candidates.loc["papers_late", "matched_label"] == "late papers"
    assert candidates.loc["canteen", "status"] == "new"
    assert candidates.loc["parking", "status"] == "gone"
    assert "late_papers" not in candidates.index


def test_statements_rank_test_per_statement(tmp_path: Path) -> None:
    a, b = hand_rounds(tmp_path)
    statements = compare_rounds([a, b], exact_below=5, candidate_similarity=0.6, redact=keep,
                                embed=None).statements
    row = statements.iloc[0]
    assert (row.n_from, row.mean_from, row.n_to, row.mean_to) == (22, 1.64, 22, 4.36)
    assert row.test == "mann-whitney" and 0 <= row.p_value < 0.001
    assert row.p_adjusted == row.p_value  # one statement: Holm leaves it


def test_theme_score_links_side_by_side(tmp_path: Path) -> None:
    a, b = hand_rounds(tmp_path)
    links = compare_rounds([a, b], exact_below=5, candidate_similarity=0.6, redact=keep,
                           embed=None).links
    assert links[["theme", "difference_from", "difference_to", "mean_raised_to"]
                 ].to_dict("records") == [{"theme": "alpha", "difference_from": -0.5,
                                           "difference_to": 0.25, "mean_raised_to": 1.25}]


# --------------------------------------------------------------------------- real run folders


def test_shares_equal_a_recount_of_each_runs_comment_themes(sample_run, sample_run_again,
                                                            tmp_path) -> None:
    out = tmp_path / "compare"
    result = CliRunner().invoke(app, ["compare", str(sample_run), str(sample_run_again),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "compare.csv")
    assert table["p_value"].between(0, 1).all() and table["p_adjusted"].between(0, 1).all()
    for side, folder in (("from", sample_run), ("to", sample_run_again)):
        answers = pd.read_csv(folder / "comment_themes.csv", dtype=str, keep_default_na=False)
        kept = answers[answers["dropped_reason"] == ""]
        total = kept["respondent_id"].nunique()
        for row in table.itertuples(index=False):
            raised = kept[kept["themes"].str.split("|").apply(lambda ts, t=row.theme: t in ts)]
            n = raised["respondent_id"].nunique()
            assert (getattr(row, f"n_{side}"), getattr(row, f"total_{side}")) == (n, total)
            assert getattr(row, f"share_{side}") == round(n / total, 4)
    assert set(table["status"]) == {"compared"} and (table["change"] == 0).all()
    for name in ("compare.md", "compare.html", "compare.xlsx"):
        assert (out / name).stat().st_size > 0


def test_refuses_a_folder_that_is_not_a_finished_run(sample_run, tmp_path) -> None:
    empty = tmp_path / "not_a_run"
    empty.mkdir()
    result = CliRunner().invoke(app, ["compare", str(sample_run), str(empty), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error [D070]: {empty}: not a finished run folder (no manifest.json; a run writes it "
        "last); give the folders that 'theming run' wrote, oldest round first, e.g. theming "
        "compare data/runs/round_2025 data/runs/round_2026 --out data/compare")


def test_refuses_one_folder_twice_and_a_run_folder_as_out(sample_run, tmp_path) -> None:
    twice = CliRunner().invoke(app, ["compare", str(sample_run), str(sample_run), "--out",
                                     str(tmp_path / "out")])
    assert twice.exit_code == 1 and twice.output.startswith("Error [D071]:")
    into = CliRunner().invoke(app, ["compare", str(sample_run), str(tmp_path / "x"), "--out",
                                    str(sample_run)])
    assert into.exit_code == 1
    assert into.output.strip() == (f"Error [D072]: {sample_run}: is a run folder; give compare "
                                   "its own --out folder, e.g. data/compare")


# --------------------------------------------------------------------------- personal data

PLANTED = ["jo.bloggs@nhs.net", "07700 900123", "Sarah Whitfield", "Dr Nowak"]


def test_planted_personal_data_reaches_no_compare_output(tmp_path: Path) -> None:
    from test_no_leaks import file_text

    rows = [("r1", "sarah whitfield team, jo.bloggs@nhs.net", "alpha", ""),
            ("r2", "Call 07700 900123", "", "")]
    labels = {"alpha": "Ask Dr Nowak or Sarah Whitfield"}
    candidate = [("c1", "ring 07700 900123 jo.bloggs@nhs.net", 3)]
    a = fake_run(tmp_path / "jo.bloggs@nhs.net", rows, labels, candidate, [1, 0, 0, 0, 0])
    b = fake_run(tmp_path / "round 07700 900123", rows, labels, candidate, [0, 0, 0, 0, 1])
    config = tmp_path / "pipeline.yaml"
    config.write_text("version: 1\nclean:\n  redact:\n    names: [Sarah Whitfield]\n"
                      "compare:\n  advanced:\n    embedder: tfidf-svd\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["compare", str(a), str(b), "--out", str(out),
                                      "--config", str(config)])
    assert result.exit_code == 0, result.output
    for path in sorted(out.iterdir()):
        text = file_text(path).lower()
        for needle in PLANTED:
            assert needle.lower() not in text, (path.name, needle)
    assert "alpha" in file_text(out / "compare.csv")


# --------------------------------------------------------------------------- hardening

def _two_rounds(tmp_path: Path) -> tuple[Path, Path]:
    labels = {"alpha": "Alpha"}
    answers = [("r1", "A", "alpha", ""), ("r2", "B", "", "")]
    return (fake_run(tmp_path / "one", answers, labels),
            fake_run(tmp_path / "two", answers, labels))


def _compare(tmp_path: Path, one: Path, two: Path):
    return CliRunner().invoke(app, ["compare", str(one), str(two), "--out",
                                    str(tmp_path / "out")])


@pytest.mark.parametrize("name", ["comment_themes.csv", "clusters.csv", "manifest.json"])
def test_a_symlink_out_of_a_run_folder_is_refused(tmp_path: Path, name: str) -> None:
    one, two = _two_rounds(tmp_path)
    outside = tmp_path / "outside.csv"
    (outside).write_bytes((two / name).read_bytes() if (two / name).exists()
                          else b"cluster_id,status\n1,candidate\n")
    (two / name).unlink(missing_ok=True)
    (two / name).symlink_to(outside)
    result = _compare(tmp_path, one, two)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error [D074]: {two / name}: is a symbolic link")
    assert not (tmp_path / "out" / "compare.html").exists()


@pytest.mark.parametrize("field, value, named", [
    ("themes", ["alpha"], "'themes' should be dict"),
    ("themes", {"ids": "alpha", "labels": {}}, "'themes.ids' should be list"),
    ("themes", {"ids": [1], "labels": {}}, "'themes.ids[0]' should be str"),
    ("themes", {"ids": ["alpha"], "labels": ["Alpha"]}, "'themes.labels' should be dict"),
    ("themes", {"ids": ["alpha"], "labels": {"alpha": 3}}, "'themes.labels.alpha' should be str"),
    ("themes", {"ids": ["alpha"], "labels": {}, "sha256": 5}, "'themes.sha256' should be"),
])
def test_a_manifest_of_wrong_types_names_the_field(tmp_path: Path, field: str, value,
                                                   named: str) -> None:
    one, two = _two_rounds(tmp_path)
    manifest = json.loads((two / "manifest.json").read_text())
    manifest[field] = value
    (two / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = _compare(tmp_path, one, two)
    assert result.exit_code == 1
    assert result.output.startswith("Error [D075]:") and named in result.output, result.output
    assert "this is a bug" not in result.output
