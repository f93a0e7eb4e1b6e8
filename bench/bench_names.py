"""Names without a title: recall, precision and cost of ``clean.redact.untitled_names``.

    python bench/bench_names.py                      # the tuning benchmark + the 10k cost
    python bench/bench_names.py --set heldout        # the held-out set: the final figure only
    python bench/bench_names.py --no-cost            # scores only

Labelled sets (written for this project, bench/data/): ``names_bench.jsonl`` (tuning: 390
sentences planting names of 13 naming traditions, 22% in lower case and 5% in capitals, and
440 look-alikes: organisations, places, programmes, capitalised everyday words) and
``names_heldout.jsonl`` (160 + 180, other names, other sentence frames, other organisations
and places; never used to tune). Sentences were composed from hand-written frames and
hand-written names.

Scores are over the spans the whole redactor marks [NAME] (titles, list, untitled finder):
a planted name is found when every letter of it lies in a marked span; precision is the
share of marked spans that overlap a planted name (every span in a look-alike is false).

Cost: a 10k-comment round recombined from the NHS FFT dev comments
(``bench_discovery_scale.fft_round``, as ``bench_scale.py`` builds it), the clean stage timed
with the finder off and on in one process (on includes loading the name lists).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pipeline.text.folding import fold, strip_invisible
from pipeline.text.redact import Redactor

FFT = ROOT.parent / "shared" / "benchmarks" / "nhs-fft" / "dev.csv"


def name_spans(text: str, redactor: Redactor) -> list[tuple[int, int]]:
    """Spans of ``text`` that the redactor's NAME finders mark."""
    folded = fold(strip_invisible(text))
    spans = []
    for label, finder in redactor._finders():
        if label == "NAME":
            spans += [folded.span_in_original(*s) for s in finder(folded.text) if s[1] > s[0]]
    return spans


def planted_spans(text: str, names: list[str]) -> list[tuple[int, int]]:
    found, start = [], 0
    for name in names:
        at = text.find(name, start if names.count(name) > 1 else 0)
        found.append((at, at + len(name)))
        start = at + len(name)
    return found


def score(rows: list[dict], redactor: Redactor, show: int) -> dict:
    planted = found = marked = true_marks = lookalike_hits = 0
    by_tradition: Counter = Counter()
    missed_by_tradition: Counter = Counter()
    misses, false_marks = [], []
    for row in rows:
        spans = name_spans(row["text"], redactor)
        marked += len(spans)
        if row["kind"] == "lookalike":
            lookalike_hits += bool(spans)
            false_marks += [(row["text"], row["text"][a:b]) for a, b in spans]
            continue
        names = planted_spans(row["text"], row["names"])
        for a, b in names:
            planted += 1
            by_tradition[row["tradition"]] += 1
            covered = all(any(s <= i < e for s, e in spans)
                          for i in range(a, b) if row["text"][i].isalpha())
            found += covered
            if not covered:
                missed_by_tradition[row["tradition"]] += 1
                misses.append((row["text"], row["text"][a:b]))
        for s, e in spans:
            if any(s < b and a < e for a, b in names):
                true_marks += 1
            else:
                false_marks.append((row["text"], row["text"][s:e]))
    lookalikes = sum(r["kind"] == "lookalike" for r in rows)
    for text, name in misses[:show]:
        print(f"  missed {name!r}: {text}")
    for text, span in false_marks[:show]:
        print(f"  false  {span!r}: {text}")
    return {
        "sentences_with_names": len(rows) - lookalikes, "names_planted": planted,
        "traditions": len(by_tradition), "recall": found / planted if planted else 0.0,
        "precision": true_marks / marked if marked else 1.0, "spans_marked": marked,
        "false_spans": marked - true_marks, "lookalike_sentences": lookalikes,
        "lookalikes_with_a_false_name": lookalike_hits,
        "recall_by_tradition": {t: round(1 - missed_by_tradition[t] / n, 3)
                                for t, n in sorted(by_tradition.items())},
    }


def clean_cost(size: int, fft: Path) -> dict:
    """Seconds of the clean stage on a ``size``-comment FFT round, finder off and on."""
    import bench_discovery_scale

    from pipeline.runner import load_settings
    from pipeline.stages.clean import clean

    bench_discovery_scale.DATA = fft
    export = bench_discovery_scale.fft_round(size, distinct_sentences=True)
    comments = pd.DataFrame({
        "comment_id": [f"c{i}" for i in range(len(export))],
        "respondent_id": [f"r{i}" for i in range(len(export))],
        "group": export.iloc[:, 1].astype(str), "question": "q",
        "text": export["comment"].astype(str) if "comment" in export else export.iloc[:, 3],
        "source": "fft", "row": range(2, len(export) + 2)})
    base = load_settings(ROOT / "config/pipeline.yaml", ROOT / "config/themes.yaml")

    def timed(untitled: bool) -> tuple[float, int]:
        redact = base.pipeline.clean.redact.model_copy(update={"untitled_names": untitled})
        clean_cfg = base.pipeline.clean.model_copy(update={"redact": redact})
        settings = base.model_copy(update={"pipeline": base.pipeline.model_copy(
            update={"clean": clean_cfg})})
        started = time.perf_counter()
        out = clean(comments, settings)["comments"]
        names = sum(r.split("|").count("NAME") for r in out["redactions"])
        return time.perf_counter() - started, names

    timed(False)  # warm spaCy and the other finders once
    off, names_off = timed(False)
    on, names_on = timed(True)
    return {"comments": len(comments), "clean_off_s": round(off, 2), "clean_on_s": round(on, 2),
            "added_s": round(on - off, 2), "names_off": names_off, "names_on": names_on}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["bench", "heldout"], default="bench")
    parser.add_argument("--show", type=int, default=15, help="misses and false spans to print")
    parser.add_argument("--no-cost", action="store_true")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--fft", type=Path, default=FFT)
    args = parser.parse_args()
    path = ROOT / "bench" / "data" / f"names_{args.set}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    result = score(rows, Redactor(), args.show)
    result["baseline_without_untitled"] = {
        k: v for k, v in score(rows, Redactor(untitled_names=False), 0).items()
        if k in ("recall", "precision")}
    if not args.no_cost:
        if args.fft.exists():
            result["cost"] = clean_cost(args.size, args.fft)
        else:
            print(f"no FFT data at {args.fft}: cost skipped (give --fft)")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
