"""The cascade tagger (issue 29 item 1): share of sentences MiniLM re-scores, and zero-shot F1
of the cascade against full MiniLM, on NHS FFT dev.

Run from the repository root:

    PYTHONPATH=. python bench/bench_cascade.py               # ~3 min cold on 2 cores, seconds warm
    PYTHONPATH=. python bench/bench_cascade.py --full minilm-onnx

Data: ../shared/benchmarks/nhs-fft/ (codebook.csv imported as the theme config, dev.csv);
skipped politely when absent. ANES codes carry no names or descriptions, so the semantic
layer (and so the cascade) cannot be scored there. Split: the dev comments are cut in two
halves by grouped 2-fold (identical texts in one half). Half A chooses, half B scores: on A,
the global threshold full MiniLM tags best with (the runtime rules: top-1, the no-theme
sentences, ``tag.advanced.semantic_margin``) and then the smallest margin whose cascade keeps
micro and macro F1 within ``--keep`` of full MiniLM's at that threshold; on B, both are scored
with A's threshold and margin. Vectors come from the benchmark cache
(data/cache/embeddings), so a second run is fast. Prints a Markdown table per margin (share of
distinct sentences re-scored, F1 on B, F1 kept) and the chosen margin's summary line; then,
on the shipped sample round (its own themes and thresholds, no answer key needed), the semantic
hits the cascade adds and loses against the full model at each margin.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import bench_tagging as bt
from sklearn.model_selection import GroupKFold

from pipeline import run_settings
from pipeline.codebook.spreadsheet import import_codebook
from pipeline.config.models import ThemesConfig
from pipeline.embed import registry, vector_cache
from pipeline.evaluation import coded, evaluate
from pipeline.tagging import cascade
from pipeline.tagging.learned import text_groups
from pipeline.tagging.semantic import keep_top_k, runner_up, semantic_match

MARGINS = (0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.15)


def hits_per_comment(scores, against, sentences, n_comments, threshold, semantic_margin):
    """Comment x theme tags by the tag stage's rules: top-1, over ``threshold``, over the
    against score, ``semantic_margin`` over the runner-up."""
    _, leads = runner_up(scores)
    allowed = (np.nan_to_num(leads, nan=np.inf) >= semantic_margin) & (scores > against)
    masked = np.where(allowed, keep_top_k(scores, 1), -np.inf)
    return coded.best_per_comment(sentences, masked, n_comments) >= threshold


class Scored:
    """Both models' matches of the distinct sentences, the static -> full line, and the tags
    of any half of the comments under full MiniLM or the cascade."""

    def __init__(self, sentences, rows_of, static, full, line, weak, truth, semantic_margin):
        self.sentences, self.rows_of = sentences, rows_of
        self.static, self.full, self.weak = static, full, weak
        self.truth, self.semantic_margin = truth, semantic_margin
        means = cascade.row_means(static.scores)
        self.mapped = line.apply(static.scores, means)
        self.mapped_against = line.apply(static.against, means)
        self.comment_rows = sentences["comment_id"].str[1:].astype(int).to_numpy() - 1

    def doubt(self, threshold: float, margin: float) -> np.ndarray:
        """Distinct sentences the cascade re-scores (as ``cascade.cascade_match`` decides)."""
        limits = np.full(self.mapped.shape[1], threshold)
        return cascade.in_doubt(self.mapped, self.mapped_against, limits, margin,
                                self.semantic_margin, top_k=1) | self.weak

    def tags(self, part: np.ndarray, threshold: float, margin: float | None):
        """(comment x theme tags of the comments ``part``, share of their distinct sentences
        re-scored): full MiniLM when ``margin`` is None, else the cascade."""
        scores, against = self.full.scores, self.full.against
        doubt = np.ones(len(scores), dtype=bool)
        if margin is not None:
            doubt = self.doubt(threshold, margin)
            scores = np.where(doubt[:, None], scores, self.mapped)
            against = np.where(doubt[:, None], against, self.mapped_against)
        keep = np.isin(self.comment_rows, part)
        renumber = {old: new for new, old in enumerate(part, start=1)}
        frame = self.sentences[keep].assign(
            comment_id=[f"c{renumber[r]}" for r in self.comment_rows[keep]])
        rows = self.rows_of[keep]
        tagged = hits_per_comment(scores[rows], against[rows], frame, len(part), threshold,
                                  self.semantic_margin)
        return tagged, float(doubt[np.unique(rows)].mean())

    def f1(self, part: np.ndarray, threshold: float, margin: float | None):
        """(micro F1, macro F1, share re-scored) of ``part``."""
        tagged, share = self.tags(part, threshold, margin)
        micro, macro = evaluate.micro_macro(self.truth[part], tagged,
                                            np.ones(self.truth.shape[1], dtype=bool))
        return micro, macro, share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", default="minilm", choices=cascade.CASCADE_NAMES,
                        help="the full model (default minilm, as on rounds under "
                             "tag.advanced.onnx_from_rows)")
    parser.add_argument("--keep", type=float, default=0.005,
                        help="F1 the chosen margin may lose on half A (default 0.5%%)")
    args = parser.parse_args()
    if not (bt.FFT / "dev.csv").is_file():
        print(f"{bt.FFT} not found: skipping the cascade benchmark")
        return
    base = run_settings.load_settings(ROOT / "config" / "pipeline.yaml",
                                      ROOT / "config" / "themes.yaml")
    themes = ThemesConfig.model_validate(import_codebook(bt.FFT / "codebook.csv"))
    settings = base.model_copy(update={"themes": themes})
    cfg = settings.pipeline.tag
    comments = coded.read_coded(bt.FFT / "dev.csv", themes.ids)
    truth = comments.truth(themes.ids)
    sentences = coded.sentences_of(comments.texts, settings)
    texts = [str(t) for t in sentences["text"]]
    distinct = list(dict.fromkeys(texts))
    where = {text: i for i, text in enumerate(distinct)}
    fast = registry.embedder_for_settings("minilm-static", cfg)
    full = registry.embedder_for_settings(args.full, cfg)
    for model in (fast, full):
        vector_cache.load_cache(model, bt.CACHE)
    no_theme = cfg.advanced.no_theme
    line = cascade.calibration(themes, fast, full, no_theme)
    found = Scored(sentences, np.array([where[t] for t in texts]),
                   semantic_match(distinct, themes, fast, no_theme),
                   semantic_match(distinct, themes, full, no_theme), line,
                   cascade.badly_represented(distinct, fast), truth, cfg.advanced.semantic_margin)
    for model in (fast, full):
        vector_cache.save_cache(model, bt.CACHE)

    half_a, half_b = next(GroupKFold(n_splits=2).split(comments.texts,
                                                       groups=text_groups(comments.texts)))
    threshold = best_threshold(found, half_a)
    micro_a, macro_a, _ = found.f1(half_a, threshold, None)
    chosen = next((m for m in MARGINS if all(
        kept >= (1 - args.keep) * alone for kept, alone in zip(
            found.f1(half_a, threshold, m)[:2], (micro_a, macro_a), strict=True))), None)
    micro_b, macro_b, _ = found.f1(half_b, threshold, None)
    print(f"## Cascade: minilm-static then {args.full}, NHS FFT dev ({len(comments.texts)} "
          f"comments, {len(distinct)} distinct sentences); static -> {args.full} "
          f"{line}; {int(found.weak.sum())} distinct sentences short "
          f"or mostly sub-words\n")
    print(f"Half A ({len(half_a)} comments) chose threshold {threshold:.3f} and margin "
          f"{chosen} (the smallest keeping micro and macro F1 within {100 * args.keep:.1f}% of "
          f"full there); half B ({len(half_b)} comments) is scored.\n")
    print(f"| margin | share re-scored (B) | micro F1 (B) | macro F1 (B) | micro kept | "
          f"macro kept |\n|---|---|---|---|---|---|\n| full {args.full} | 100% | "
          f"{micro_b:.3f} | {macro_b:.3f} | 100% | 100% |")
    summary = "no margin kept F1 on half A"
    for margin in MARGINS:
        micro, macro, share = found.f1(half_b, threshold, margin)
        print(f"| {margin}{' (chosen on A)' if margin == chosen else ''} | {100 * share:.1f}% | "
              f"{micro:.3f} | {macro:.3f} | {100 * micro / micro_b:.1f}% | "
              f"{100 * macro / macro_b:.1f}% |")
        if margin == chosen:
            summary = (f"cascade margin {margin}: {100 * share:.1f}% of distinct sentences "
                       f"re-scored by {args.full}; zero-shot micro F1 {micro:.3f} vs "
                       f"{micro_b:.3f} full ({100 * micro / micro_b:.1f}%), macro {macro:.3f} vs "
                       f"{macro_b:.3f} ({100 * macro / macro_b:.1f}%), NHS FFT dev half B")
    print(f"\n{summary}")
    print("\n" + sample_hits(base, args.full))


def sample_hits(settings, full: str) -> str:
    """Semantic hits of the shipped sample round (config/themes.yaml, its own thresholds)
    under the cascade at each margin against ``full`` alone: hits added and lost."""
    import pandas as pd

    from pipeline.stages import tag

    raw = pd.read_csv(ROOT / "data" / "sample" / "survey_round.csv", dtype=str,
                      keep_default_na=False)
    columns = [c.column for c in settings.pipeline.input.text_columns]
    texts = [t for column in columns for t in raw[column] if t.strip()]
    sentences = coded.sentences_of(texts, settings)

    def hits(margin: float | None) -> set:
        tag_cfg = settings.pipeline.tag.updated(embedder=full, cascade_margin=margin)
        local = settings.model_copy(update={"pipeline": settings.pipeline.model_copy(
            update={"tag": tag_cfg})})
        records = tag.semantic_records(sentences, local, [set()] * len(sentences))
        return {(record[1], record[2]) for record in records}

    alone = hits(None)
    lines = [f"## The shipped sample ({len(sentences)} sentences, config/themes.yaml): "
             f"semantic hits of the cascade against {full} alone ({len(alone)} hits)\n",
             "| margin | hits | added | lost |", "|---|---|---|---|"]
    for margin in MARGINS:
        found = hits(margin)
        lines.append(f"| {margin} | {len(found)} | {len(found - alone)} | {len(alone - found)} |")
    return "\n".join(lines)


def best_threshold(found: Scored, part: np.ndarray) -> float:
    """The global threshold full MiniLM tags ``part`` best with (micro F1)."""
    f1 = [found.f1(part, t, None)[0] for t in bt.GRID]
    return float(bt.GRID[int(np.argmax(f1))])


if __name__ == "__main__":
    main()
