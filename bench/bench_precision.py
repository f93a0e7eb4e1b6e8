"""Precision rules of the semantic layer (issue 15): the no-theme set and the margin over the
runner-up, chosen on NHS FFT dev by grouped 5-fold cross-validation, never on the sample.

Run from the repository root:

    PYTHONPATH=. python bench/bench_precision.py    # ~5 min on 2 cores (MiniLM, cold cache)

Data: ../shared/benchmarks/nhs-fft/ (codebook.csv imported as the theme config, dev.csv);
skipped politely when absent. For each rule set (no-theme sentences on or off, margin m) the
global semantic threshold of each fold is chosen on the other four folds, so no figure is
scored on the comments that chose it; the margin itself is chosen by the mean CV macro F1.
A second table scores ``tag.advanced.semantic_codebook_weight`` (a classifier fitted on the theme
texts, blended into the similarity) with the no-theme set on and the default margin.
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

from pipeline import run_settings
from pipeline.codebook.spreadsheet import import_codebook
from pipeline.config.models import ThemesConfig
from pipeline.embed.vector_cache import load_cache, save_cache
from pipeline.evaluation import coded, evaluate
from pipeline.tagging.semantic import embedder_for, keep_top_k, runner_up, semantic_match

MARGINS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1)
CODEBOOK_WEIGHTS = (0.0, 0.25, 0.5, 0.75)


def table_row(first: str, second: str, truth: np.ndarray, tagged: np.ndarray, ids: list[str],
              seed: int, chosen: list[float]) -> str:
    """One Markdown row: micro / macro F1 with bootstrap CIs, micro precision over themes
    with >= 5 cases, and the range of the thresholds the folds chose."""
    scores = evaluate.score(truth, tagged, ids, seed=seed)
    scored = np.array(scores.per_theme["scored"], dtype=bool)
    tp = int((truth[:, scored] & tagged[:, scored]).sum())
    precision = tp / max(int(tagged[:, scored].sum()), 1)
    return (f"| {first} | {second} | {scores.micro_f1:.3f} "
            f"({scores.micro_f1_ci[0]:.3f}-{scores.micro_f1_ci[1]:.3f}) | "
            f"{scores.macro_f1:.3f} ({scores.macro_f1_ci[0]:.3f}-"
            f"{scores.macro_f1_ci[1]:.3f}) | {precision:.3f} | "
            f"{min(chosen):.3f}-{max(chosen):.3f} |")


def rule_tags(match, cfg, margin: float, use_set: bool, sentences, truth, folds) -> tuple:
    """Comment tags under one rule set, each fold's global threshold chosen on the others."""
    _, margins = runner_up(match.scores)
    allowed = np.nan_to_num(margins, nan=np.inf) >= margin
    if use_set:
        allowed &= match.scores > match.against
    masked = np.where(allowed, keep_top_k(match.scores, cfg.advanced.semantic_top_k), -np.inf)
    none = np.zeros(truth.shape, dtype=bool)
    return cv_threshold_tags(coded.best_per_comment(sentences, masked, len(truth)), none,
                             truth, folds)


def main() -> None:
    if not (FFT / "dev.csv").is_file():
        print(f"{FFT} not found: skipping")
        return
    config = ROOT / "config" / "pipeline.yaml"
    base = run_settings.load_settings(config, ROOT / "config" / "themes.yaml")
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
    with_set = semantic_match(texts, themes, embedder, cfg.advanced.no_theme)
    blended = {w: semantic_match(texts, themes, embedder, cfg.advanced.no_theme, w)
               if w else with_set
               for w in CODEBOOK_WEIGHTS}
    save_cache(embedder, CACHE)
    ids, seed = themes.ids, settings.pipeline.seed
    print(f"NHS FFT dev: {len(comments.texts)} comments, {len(texts)} sentences, "
          f"{len(ids)} themes; no-theme set: {len(cfg.advanced.no_theme)} sentences\n")
    header = "micro F1 (95% CI) | macro F1 (95% CI) | micro precision | thresholds |"
    print(f"| no-theme set | margin | {header}\n|---|---|---|---|---|---|")
    for use_set in (False, True):
        for margin in MARGINS:
            tagged, chosen = rule_tags(with_set, cfg, margin, use_set, sentences, truth, folds)
            print(table_row("on" if use_set else "off", str(margin), truth, tagged, ids, seed,
                            chosen), flush=True)
    print(f"\n| codebook weight | margin | {header}\n|---|---|---|---|---|---|")
    for weight, match in blended.items():
        margin = cfg.advanced.semantic_margin
        tagged, chosen = rule_tags(match, cfg, margin, True, sentences, truth, folds)
        print(table_row(str(weight), str(margin), truth, tagged, ids, seed, chosen),
              flush=True)

if __name__ == "__main__":
    main()
