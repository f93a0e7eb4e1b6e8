"""Redaction recall and precision on a labelled set of comments with planted personal data.

    python bench/bench_redaction.py

The labelled set (bench/data/redaction_labelled.jsonl, written for this project) holds
comments with planted personal data, each item labelled with its kind and exact text, and
hard negatives (dates, scores, money, acronyms, titles followed by ordinary words).

An item counts as caught when its text no longer appears in the cleaned comment and a
placeholder of its kind does. Precision per kind: caught items / placeholders of that kind
produced (a placeholder with no planted item behind it is a false positive). When the real
NHS Friends and Family Test comments are present (../shared/benchmarks/nhs-fft/dev.csv),
the script also prints how many redactions of each kind they receive per 1,000 comments
(no labels there: a rate to inspect, not a score) and the throughput.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.text.normalise import clean_text
from pipeline.text.redact import KINDS, Redactor

LABELLED = ROOT / "bench" / "data" / "redaction_labelled.jsonl"
FFT = ROOT / ".." / "shared" / "benchmarks" / "nhs-fft" / "dev.csv"
NAMES = ("Sarah Whitfield", "Bronwen Ellis")


def score_labelled(redactor: Redactor) -> tuple[dict[str, Counter], list[str]]:
    """Per kind: planted, caught, produced; plus a line per miss and false positive."""
    stats: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    notes: list[str] = []
    for line_number, line in enumerate(LABELLED.read_text(encoding="utf-8").splitlines(), 1):
        item = json.loads(line)
        cleaned, kinds = clean_text(item["text"], redactor)
        produced = Counter(kinds)
        caught = Counter()
        for kind, value in item["pii"]:
            stats[kind]["planted"] += 1
            if value not in cleaned and f"[{kind}]" in cleaned:
                caught[kind] += 1
            else:
                notes.append(f"miss  line {line_number}: {kind}")
        for kind in KINDS:
            stats[kind]["caught"] += caught[kind]
            stats[kind]["produced"] += produced[kind]
            extra = produced[kind] - caught[kind]
            if extra > 0 and not item["pii"]:
                notes.append(f"false positive line {line_number}: {kind} x{extra}")
    return stats, notes


def print_table(stats: dict[str, Counter]) -> None:
    print("| kind | planted | caught | placeholders | recall | precision |")
    print("|---|---|---|---|---|---|")
    total = Counter()
    for kind in KINDS:
        row = stats[kind]
        total.update(row)
        print(_row(kind, row))
    print(_row("**all**", total))


def _row(kind: str, row: Counter) -> str:
    recall = row["caught"] / row["planted"] if row["planted"] else float("nan")
    precision = min(row["caught"], row["produced"]) / row["produced"] if row["produced"] else 1.0
    return (f"| {kind} | {row['planted']} | {row['caught']} | {row['produced']} | "
            f"{recall:.2f} | {precision:.2f} |")


def real_comments_rates(redactor: Redactor) -> None:
    if not FFT.exists():
        print(f"\n(skipped: {FFT} not found)")
        return
    import pandas as pd

    comments = pd.read_csv(FFT, dtype=str, keep_default_na=False)["comment"].tolist()
    started = time.perf_counter()
    found = Counter()
    changed = 0
    for text in comments:
        _, kinds = clean_text(text, redactor)
        found.update(kinds)
        changed += bool(kinds)
    seconds = time.perf_counter() - started
    print(f"\nReal comments (nhs-fft dev.csv): {len(comments)} comments, {changed} with a "
          f"redaction, {len(comments) / seconds:,.0f} comments/s (normalise + redact)")
    print("| kind | redactions | per 1,000 comments |")
    print("|---|---|---|")
    for kind in KINDS:
        print(f"| {kind} | {found[kind]} | {1000 * found[kind] / len(comments):.1f} |")


def main() -> None:
    redactor = Redactor(names=NAMES)
    started = time.perf_counter()
    stats, notes = score_labelled(redactor)
    seconds = time.perf_counter() - started
    lines = len(LABELLED.read_text(encoding="utf-8").splitlines())
    print(f"Labelled set: {lines} comments ({LABELLED.relative_to(ROOT)}), {seconds:.2f}s")
    print_table(stats)
    for note in notes:
        print(note)
    real_comments_rates(redactor)


if __name__ == "__main__":
    main()
