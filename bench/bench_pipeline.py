"""Per-stage speed and memory of the whole pipeline on synthetic rounds of growing size.

Rounds are built by recombining the shipped sample's own answers (data/sample, written by
us) into new respondents, so the text is realistic and the size is free.

    .venv/bin/python bench/bench_pipeline.py                 # 1k, 10k and 50k answers
    .venv/bin/python bench/bench_pipeline.py --sizes 1000 100000

Prints one table row per stage and size: seconds, answers/s and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.run_settings import load_settings
from pipeline.runner import STAGES, call_stage


def synthetic_round(n_answers: int, seed: int = 7) -> pd.DataFrame:
    """``n_answers`` answers (two per respondent) recombined from the sample round."""
    sample = pd.read_csv(ROOT / "data/sample/survey_round.csv", dtype=str, keep_default_na=False)
    answers = [t for t in pd.concat([sample["why_scores"], sample["other_comments"]]) if t.strip()]
    sentences = [s.strip() + "." for t in answers for s in t.split(".") if len(s.split()) > 3]
    groups = sample["organisation_type"].tolist()
    rng = random.Random(seed)
    rows = []
    for i in range(n_answers // 2):
        why = " ".join(rng.sample(sentences, rng.randint(1, 3)))
        other = rng.choice(answers) if rng.random() < 0.6 else ""
        rows.append({"respondent_id": f"S{i:07d}", "organisation_type": rng.choice(groups),
                     "why_scores": why, "other_comments": other,
                     **{c: str(rng.randint(1, 5)) for c in sample.columns if c.startswith("s")
                        and c[1].isdigit()}})
    frame = pd.DataFrame(rows)
    return frame.assign(_source="synthetic.csv", _row=range(2, len(frame) + 2))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    args = parser.parse_args()
    settings = load_settings(ROOT / "config/pipeline.yaml", ROOT / "config/themes.yaml")
    print(f"{'answers':>8} {'stage':<10} {'seconds':>8} {'answers/s':>10} {'peak MB':>8}")
    for size in args.sizes:
        tables = {"raw": synthetic_round(size)}
        total = 0.0
        for stage in STAGES:
            started = time.perf_counter()
            tables.update(call_stage(stage, tables, settings))
            seconds = time.perf_counter() - started
            total += seconds
            print(f"{size:>8} {stage.NAME:<10} {seconds:>8.2f} {size / seconds:>10.0f} "
                  f"{peak_mb():>8.0f}", flush=True)
        print(f"{size:>8} {'total':<10} {total:>8.2f} {size / total:>10.0f} {peak_mb():>8.0f}",
              flush=True)


if __name__ == "__main__":
    main()
