"""Precision rules of the semantic layer (issue 15): the no-theme set and the margin over the
runner-up, chosen on NHS FFT dev by grouped 5-fold cross-validation, never on the sample.

Run from the repository root:

    PYTHONPATH=. python bench/bench_precision.py    # ~5 min on 2 cores (MiniLM, cold cache)

Data: ../shared/benchmarks/nhs-fft/ (codebook.csv imported as the theme config, dev.csv);
skipped politely when absent. For each rule set (no-theme sentences on or off, margin m) the
global semantic threshold of each fold is chosen on the other four folds, so no figure is
scored on the comments that chose it; the margin itself is chosen by the mean CV macro F1.
ANES codes carry no names, so the semantic layer cannot be measured there.
Prints a Markdown table: micro / macro F1 (bootstrap 95% CI) and precision.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FFT = ROOT / ".." / "shared" / "benchmarks" / "nhs-fft"
CACHE = ROOT / "data" / "cache" / "embeddings"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(ROOT))

from bench_tagging import cv_threshold_tags, folds_of

from pipeline import runner
from pipeline.codebook import coded, evaluate
from pipeline.codebook.spreadsheet import import_codebook
from pipeline.config.models import ThemesConfig
from pipeline.embed.pretrained import load_cache, save_cache
from pipeline.tagging.semantic import embedder_for, keep_top_k, runner_up, semantic_match

MARGINS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1)


def main() -> None:
    if not (FFT / "dev.csv").is_file():
        print(f"{FFT} not found: skipping")
        return
    config = ROOT / "config" / "pipeline.yaml"
    base = runner.load_settings(config, ROOT / "config" / "themes.yaml")
    themes = ThemesConfig.model_validate(import_codebook(FFT / "codebook.csv"))
    settings = base.model_copy(update={"themes": themes})
    cfg = settings.pipeline.tag
    comments = coded.read_coded(FFT / "dev.csv", themes.ids)
    truth = comments.truth(themes.ids)
    folds = folds_of(comments.texts)
    sentences = coded.sentences_of(comments.texts, settings)
    texts = [str(t) for t in sentences["text"]]
    embedder = embedder_for(cfg, settings.pipeline.seed)
    load_cache(embedder, CACHE)
    with_set = semantic_match(texts, themes, embedder, cfg.no_theme)
    save_cache(embedder, CACHE)
    _, margins = runner_up(with_set.scores)
    margins = np.nan_to_num(margins, nan=np.inf)
    top = keep_top_k(with_set.scores, cfg.semantic_top_k)
    none = np.zeros(truth.shape, dtype=bool)
    ids, seed = themes.ids, settings.pipeline.seed
    print(f"NHS FFT dev: {len(comments.texts)} comments, {len(texts)} sentences, "
          f"{len(ids)} themes; no-theme set: {len(cfg.no_theme)} sentences\n")
    print("| no-theme set | margin | micro F1 (95% CI) | macro F1 (95% CI) | micro precision | "
          "thresholds |")
    print("|---|---|---|---|---|---|")
    for use_set in (False, True):
        for margin in MARGINS:
            allowed = margins >= margin
            if use_set:
                allowed &= with_set.scores > with_set.against
            masked = np.where(allowed, top, -np.inf)
            tagged, chosen = cv_threshold_tags(coded.best_per_comment(sentences, masked, len(truth)),
                                               none, truth, folds)
            scores = evaluate.score(truth, tagged, ids, seed=seed)
            scored = np.array(scores.per_theme["scored"], dtype=bool)
            tp = int((truth[:, scored] & tagged[:, scored]).sum())
            precision = tp / max(int(tagged[:, scored].sum()), 1)
            print(f"| {'on' if use_set else 'off'} | {margin} | {scores.micro_f1:.3f} "
                  f"({scores.micro_f1_ci[0]:.3f}-{scores.micro_f1_ci[1]:.3f}) | "
                  f"{scores.macro_f1:.3f} ({scores.macro_f1_ci[0]:.3f}-"
                  f"{scores.macro_f1_ci[1]:.3f}) | {precision:.3f} | "
                  f"{min(chosen):.3f}-{max(chosen):.3f} |", flush=True)


if __name__ == "__main__":
    main()
