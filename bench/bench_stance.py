"""Stance rules (``pipeline.text.stance``) against hand-labelled real sentences.

    python bench/bench_stance.py            # precision / recall of "ask", confusion table
    python bench/bench_stance.py --show N   # also print N disagreements (text from ../shared)

The labels (bench/data/stance_fft_labels.csv: comment_id, sentence_index, label) were
assigned by hand to sentences of the NHS Friends and Family Test dev file
(../shared/benchmarks/nhs-fft/dev.csv). The file holds no text: this script re-reads each
comment from ../shared, normalises it as the clean stage does and splits it into sentences
with the pipeline's splitter, so ``sentence_index`` (0-based) names the same sentence.

Labels: ``ask`` = the sentence asks for a change or criticises (what a recommendation rests
on: "Cut the waiting time", "2 hours on the phone and still did not get through");
``praise`` = it says what works or thanks; ``neutral`` = neither (facts, context, "None").
The sentences were drawn with ``sample`` below (seed 42, one sentence per comment) and
labelled before the rules were run on them. The rules were then revised looking only at the
errors on the even rows ("dev"); the odd rows ("held out") were not looked at, so their
figures are the honest ones.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.text.nlp import split_sentences
from pipeline.text.normalise import normalise
from pipeline.text.stance import ASK, classify

FFT = ROOT / ".." / "shared" / "benchmarks" / "nhs-fft" / "dev.csv"
LABELS = ROOT / "bench" / "data" / "stance_fft_labels.csv"


def sentences_of(frame) -> dict[tuple[str, int], str]:
    """(comment_id, sentence_index) -> sentence text, for every comment of ``frame``."""
    texts = [normalise(str(t)) for t in frame["comment"]]
    spans = split_sentences(texts)
    found = {}
    for comment_id, text, parts in zip(frame["comment_id"], texts, spans, strict=True):
        for index, (start, end) in enumerate(parts):
            found[(str(comment_id), index)] = text[start:end].strip()
    return found


def sample(frame, n: int, seed: int = 42) -> list[tuple[str, int]]:
    """``n`` (comment_id, sentence_index) pairs: one random sentence of n random comments."""
    rng = random.Random(seed)
    found = sentences_of(frame)
    by_comment: dict[str, list[int]] = {}
    for comment_id, index in found:
        if found[(comment_id, index)]:
            by_comment.setdefault(comment_id, []).append(index)
    chosen = rng.sample(sorted(by_comment), n)
    return [(c, rng.choice(by_comment[c])) for c in chosen]


def report(name: str, pairs: Counter) -> None:
    """Counts, precision and recall of "ask", and the confusion table."""
    kinds = ("ask", "praise", "neutral")
    tp = pairs[(ASK, ASK)]
    predicted_ask = sum(pairs[(g, ASK)] for g in kinds)
    gold_ask = sum(pairs[(ASK, p)] for p in kinds)
    precision = tp / predicted_ask if predicted_ask else 0.0
    recall = tp / gold_ask if gold_ask else 0.0
    print(f"{name}: {sum(pairs.values())} sentences ("
          + ", ".join(f"{k} {sum(pairs[(k, p)] for p in kinds)}" for k in kinds) + ")")
    print(f"  ask: precision {precision:.3f}, recall {recall:.3f}; praise or neutral called "
          f"an ask: {pairs[('praise', ASK)]} praise, {pairs[('neutral', ASK)]} neutral")
    print("  confusion (rows gold, columns rules):" + "".join(f"{k:>9}" for k in kinds))
    for gold in kinds:
        print(f"    {gold:36}" + "".join(f"{pairs[(gold, p)]:9}" for p in kinds))


def main() -> int:
    import pandas as pd

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0,
                        help="print this many disagreements on the dev rows")
    args = parser.parse_args()
    if not FFT.exists():
        print(f"skipped: {FFT} is absent")
        return 0
    frame = pd.read_csv(FFT, dtype=str, keep_default_na=False)
    labels = pd.read_csv(LABELS, dtype={"comment_id": str, "sentence_index": int,
                                        "label": str})
    texts = sentences_of(frame[frame["comment_id"].isin(set(labels["comment_id"]))])
    misses = []
    halves = {"all": Counter(), "dev (even rows)": Counter(), "held out (odd rows)": Counter()}
    for position, row in enumerate(labels.itertuples(index=False)):
        text = texts[(row.comment_id, row.sentence_index)]
        predicted = classify(text)
        for name in ("all", "dev (even rows)" if position % 2 == 0 else "held out (odd rows)"):
            halves[name][(row.label, predicted)] += 1
        if predicted != row.label and position % 2 == 0:
            misses.append(f"  gold {row.label:7} rules {predicted:7} {text}")
    for name, pairs in halves.items():
        report(name, pairs)
    for line in misses[:args.show]:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
