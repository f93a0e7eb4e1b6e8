"""How long ``theming compare`` takes on two 10k-respondent rounds built from NHS FFT comments.

The two run folders are made here, not by ``theming run``: each round draws 10,000 real
comments from ../shared/benchmarks/nhs-fft/dev.csv (with replacement, its own seed), and the
folder holds what compare reads: manifest.json (the codebook's 33 theme ids and labels),
comment_themes.csv (one answer per respondent, with its human-coded themes and its trust as
the group), scores.csv (the FFT 1-5 score as one statement) and clusters.csv (10 candidate
themes, built from codebook entries, so that matching has work to do). Compare itself is timed
end to end: reading both folders, the tests, candidate matching with the configured embedder,
and writing compare.csv/.md/.html/.xlsx.

    .venv/bin/python bench/bench_compare.py                   # 10,000 per round, MiniLM
    .venv/bin/python bench/bench_compare.py --size 2000 --embedder tfidf-svd

Prints one row per embedder: seconds and the process's peak RSS. Skips when the data is absent.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FFT = ROOT.parent / "shared" / "benchmarks" / "nhs-fft"

from pipeline.compare.run import compare_runs, write_comparison
from pipeline.config.models import load_pipeline


def make_round(folder: Path, comments: pd.DataFrame, codebook: pd.DataFrame, size: int,
               seed: int, candidates: pd.DataFrame) -> Path:
    """A run folder holding what compare reads, from ``size`` comments drawn with ``seed``."""
    drawn = comments.sample(n=size, replace=True, random_state=seed).reset_index(drop=True)
    folder.mkdir(parents=True)
    ids = codebook["id"].tolist()
    manifest = {"tool": "comment-theming",
                "themes": {"ids": ids, "labels": dict(zip(ids, codebook["label"], strict=True)),
                           "sha256": "fft-codebook", "path": None}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    pd.DataFrame({"comment_id": [f"R{i}.why" for i in range(size)],
                  "respondent_id": [f"R{i}" for i in range(size)], "group": drawn["group"],
                  "question": "why", "source": "fft.csv", "row": range(2, size + 2),
                  "text": drawn["comment"], "themes": drawn["themes"], "candidate_themes": "",
                  "dropped_reason": ""}).to_csv(folder / "comment_themes.csv", index=False)
    scores = pd.to_numeric(drawn["score"], errors="coerce")
    scores = scores[scores.between(1, 5)].astype(int).value_counts()
    pd.DataFrame([{"statement": "Overall experience (FFT, 1 very good .. 5 very poor)",
                   "column": "score", "group": "All respondents", "n": int(scores.sum()),
                   "mean": 0, **{f"n_{k}": int(scores.get(k, 0)) for k in range(1, 6)}}]
                 ).to_csv(folder / "scores.csv", index=False)
    candidates.to_csv(folder / "clusters.csv", index=False)
    return folder


def candidate_table(codebook: pd.DataFrame, rows: list[int]) -> pd.DataFrame:
    chosen = codebook.iloc[rows]
    return pd.DataFrame({"cluster_id": range(len(chosen)), "label": chosen["label"].tolist(),
                         "keywords": chosen["label"].str.lower().tolist(),
                         "examples": chosen["examples"].fillna("").tolist(),
                         "n_respondents": 12, "status": "candidate",
                         "theme_id": [f"cand_{i}" for i in chosen["id"]]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--embedder", nargs="+", default=["minilm", "tfidf-svd"])
    args = parser.parse_args()
    if not (FFT / "dev.csv").exists():
        print(f"skipped: {FFT / 'dev.csv'} not found")
        return
    comments = pd.read_csv(FFT / "dev.csv", dtype=str, keep_default_na=False)
    codebook = pd.read_csv(FFT / "codebook.csv", dtype=str, keep_default_na=False)
    print(f"{'respondents/round':>18} {'embedder':<10} {'seconds':>8} {'peak MB':>8} "
          f"{'compared':>8} {'fisher':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        first = make_round(base / "round_1", comments, codebook, args.size, 1,
                           candidate_table(codebook, list(range(0, 20, 2))))
        second = make_round(base / "round_2", comments, codebook, args.size, 2,
                            candidate_table(codebook, list(range(1, 21, 2))))
        for embedder in args.embedder:
            settings = load_pipeline(None)
            settings = settings.model_copy(update={"compare": settings.compare.updated(
                embedder=embedder)})
            started = time.perf_counter()
            comparison = compare_runs([first, second], settings)
            write_comparison(comparison, base / f"compare_{embedder}")
            seconds = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            themes = comparison.themes
            print(f"{args.size:>18} {embedder:<10} {seconds:>8.1f} {peak:>8.0f} "
                  f"{int((themes['status'] == 'compared').sum()):>8} "
                  f"{int((themes['test'] == 'fisher-exact').sum()):>6}")


if __name__ == "__main__":
    main()
