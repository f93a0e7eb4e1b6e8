"""Degenerate rounds (issue 27 item 4): a round discovery cannot cluster still runs to a report,
and the manifest and report.html say why discovery found nothing, on both engines."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.run_settings import load_settings
from pipeline.runner import run
from pipeline.stages import discover

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "pipeline.yaml"
COLUMNS = {"text_columns": ["comment"], "id_column": "id", "group_column": "team"}
ODD_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosisxyzzyq"
WORDS = ["parking", "food", "staff"]

ROUNDS = {
    # 29 identical answers beside one holding a long odd word (S041 in c-TF-IDF before)
    "identical_beside_an_odd_word": (
        ["The parking at the hospital is terrible"] * 29 + [ODD_WORD], "2 different thing"),
    "one_answer": (["The parking at the hospital is terrible"], "only 1 of 1 answers"),
    "all_the_same": (["Waiting times are far too long"] * 12, "only 1 different thing"),
    "all_non_answers": (["N/A", "No comment", "n/a", "None", "No comment"] * 3,
                        "no answers were left to cluster"),
    "a_handful_of_words": ([" ".join(WORDS[i % 3:i % 3 + 1 + i % 2]) for i in range(30)],
                           "only 3 different words"),
}


def write_round(path: Path, answers: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "team", "comment"])
        writer.writerows((f"r{i}", "AB"[i % 2], text) for i, text in enumerate(answers))
    return path


def quick(settings):
    """The semantic layer off: these rounds are about discovery, and it loads no model."""
    tag = settings.pipeline.tag.model_copy(update={"semantic": False})
    return settings.model_copy(update={"pipeline": settings.pipeline.model_copy(
        update={"tag": tag})})


def check_found_nothing(out: Path, why: str) -> str:
    reason = json.loads((out / "manifest.json").read_text())["discover"]["reason"]
    assert reason.startswith("discovery found nothing: ") and why in reason, reason
    assert reason in (out / "report.html").read_text(encoding="utf-8")
    clusters = pd.read_csv(out / "clusters.csv", keep_default_na=False)
    assert list(clusters["method"]) == ["skipped"] and list(clusters["status"]) == ["outliers"]
    return reason


@pytest.mark.parametrize("name", sorted(ROUNDS))
def test_a_degenerate_round_runs_locally_and_says_why_discovery_found_nothing(
        name: str, tmp_path: Path) -> None:
    answers, why = ROUNDS[name]
    export = write_round(tmp_path / "round.csv", answers)
    run([export], quick(load_settings(CONFIG, **COLUMNS)), tmp_path / "run")
    check_found_nothing(tmp_path / "run", why)


@pytest.fixture(scope="module")
def scheduler():
    pytest.importorskip("dask.distributed")
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.mark.parametrize("name", sorted(ROUNDS))
def test_a_degenerate_round_runs_on_two_dask_workers_as_it_runs_locally(
        name: str, scheduler: str, tmp_path: Path) -> None:
    answers, why = ROUNDS[name]
    export = write_round(tmp_path / "round.csv", answers)
    local = run([export], quick(load_settings(CONFIG, **COLUMNS)), tmp_path / "local")
    remote = run([export], quick(load_settings(CONFIG, scheduler=scheduler, **COLUMNS)),
                 tmp_path / "dask")
    assert remote.manifest["engine"]["workers"] == 2
    assert check_found_nothing(tmp_path / "dask", why) == \
        local.manifest["discover"]["reason"]
    for output in ("comment_themes.csv", "clusters.csv", "unexplained.csv", "report.html"):
        assert (tmp_path / "dask" / output).read_bytes() == \
            (tmp_path / "local" / output).read_bytes(), output


def test_one_term_left_after_common_words_still_gets_cluster_words(settings) -> None:
    # enough different answers and words to cluster, but once the common words go one term
    # is left: BERTopic's c-TF-IDF failed on that vocabulary (a scalar idf)
    texts = ["parking hospital terrible staff rude"] * 28 + [f"parking {ODD_WORD}",
                                                              f"staff {ODD_WORD}"]
    sentences = pd.DataFrame({
        "sentence_id": [f"c{i}.s0" for i in range(30)], "comment_id": [f"c{i}" for i in range(30)],
        "respondent_id": [f"r{i}" for i in range(30)], "group": ["A"] * 30,
        "question": ["q"] * 30, "sentence_index": 0, "text": texts})
    cfg = settings.pipeline.discover.model_copy(update={"embedder": "tfidf-svd"})
    local = settings.model_copy(update={"pipeline": settings.pipeline.model_copy(
        update={"discover": cfg})})
    assert discover.degenerate([t.lower().split() for t in texts]) is None
    empty_tags = pd.DataFrame(columns=["sentence_id", "theme_id"])
    empty_themes = pd.DataFrame(columns=["comment_id", "theme_id"])
    produced = discover.discover(sentences, empty_tags, empty_themes, local)
    clusters = produced["clusters"]
    assert (clusters["method"] != "skipped").all()
    assert np.array_equal(np.sort(produced["sentence_clusters"]["sentence_id"]),
                          np.sort(sentences["sentence_id"]))
    assert any(ODD_WORD.lower() in k for k in clusters["keywords"])
