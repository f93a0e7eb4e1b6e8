"""Tagging benchmark (issue 3): zero-shot and learned layers against human coders.

Run from the repository root:

    PYTHONPATH=. python bench/bench_tagging.py            # everything (~15 min on 2 cores)
    PYTHONPATH=. python bench/bench_tagging.py --quick    # no MiniLM rows on NHS FFT (~3 min)
    PYTHONPATH=. python bench/bench_tagging.py --finetune # adds fine-tuned MiniLM (~+30 min)

Data: ../shared/benchmarks/nhs-fft/ (codebook.csv, dev.csv); skipped politely when absent.
Zero-shot: the codebook imported with ``themes import``; each semantic row picks one global
threshold per fold on the other four folds (grouped 5-fold), so no row is tuned on the
comments it is scored on. Learned: grouped 5-fold CV (identical texts in one fold); a
TF-IDF + LinearSVC one-vs-rest baseline on the same folds. Micro/macro F1 over themes with
>= 5 cases, bootstrap 95% intervals. Also: per-theme F1 of the shipped config on the sample
round's answer key, and tagging speed per layer. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FFT = ROOT / ".." / "shared" / "benchmarks" / "nhs-fft"
CACHE = ROOT / "data" / "cache" / "embeddings"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(ROOT))

from pipeline import run_settings, runner
from pipeline.codebook.spreadsheet import import_codebook
from pipeline.config.models import Settings, ThemesConfig
from pipeline.embed.registry import pretrained_embedder
from pipeline.embed.vector_cache import load_cache, save_cache
from pipeline.engine import inputs
from pipeline.evaluation import coded, evaluate, training
from pipeline.tagging import learned as learn
from pipeline.tagging.finetune import FinetuneSpec
from pipeline.tagging.semantic import embedder_for, keep_top_k, semantic_scores

GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)


def with_tag(settings: Settings, **options) -> Settings:
    tag_cfg = settings.pipeline.tag.updated(**options)
    return settings.model_copy(update={"pipeline": settings.pipeline.model_copy(
        update={"tag": tag_cfg})})


def row(name: str, truth, tagged, ids, seed, extra: str = "") -> str:
    scores = evaluate.score(truth, tagged, ids, seed=seed)
    return (f"| {name} | {scores.micro_f1:.3f} ({scores.micro_f1_ci[0]:.3f}-"
            f"{scores.micro_f1_ci[1]:.3f}) | {scores.macro_f1:.3f} ({scores.macro_f1_ci[0]:.3f}-"
            f"{scores.macro_f1_ci[1]:.3f}) | {extra} |")


def folds_of(texts: list[str]):
    from sklearn.model_selection import GroupKFold

    groups = learn.text_groups(texts)
    return list(GroupKFold(n_splits=5).split(texts, groups=groups))


def comment_scores(texts: list[str], settings: Settings) -> np.ndarray:
    """Per comment and theme, the best top-k-masked semantic score of its sentences."""
    cfg = settings.pipeline.tag
    sentences = coded.sentences_of(texts, settings)
    embedder = embedder_for(cfg, settings.pipeline.seed)
    load_cache(embedder, CACHE)
    scores = keep_top_k(semantic_scores([str(t) for t in sentences["text"]], settings.themes,
                                        embedder), cfg.advanced.semantic_top_k)
    save_cache(embedder, CACHE)
    best = np.full((len(texts), len(settings.themes.ids)), -np.inf)
    rows = sentences["comment_id"].str[1:].astype(int).to_numpy() - 1
    np.maximum.at(best, rows, scores)
    return best


def cv_threshold_tags(best: np.ndarray, others: np.ndarray, truth: np.ndarray, folds) -> tuple:
    """Tags with one global threshold per fold chosen on the other folds; the thresholds."""
    tagged = np.zeros(truth.shape, dtype=bool)
    chosen = []
    for train, test in folds:
        f1 = [evaluate.micro_macro(truth[train], (best[train] >= t) | others[train],
                                   np.ones(truth.shape[1], bool))[0] for t in GRID]
        threshold = GRID[int(np.argmax(f1))]
        chosen.append(threshold)
        tagged[test] = (best[test] >= threshold) | others[test]
    return tagged, chosen


def zero_shot(texts, truth, settings, folds, quick) -> list[str]:
    ids, seed = settings.themes.ids, settings.pipeline.seed
    off = with_tag(settings, semantic=False, use_proposed_keywords=True)
    keyword, _ = coded.predict(texts, off)
    lines = [row("keyword (proposed keywords accepted as they are)", truth, keyword, ids, seed)]
    none = np.zeros(truth.shape, dtype=bool)
    for embedder in ("tfidf-svd", "minilm-static") + (() if quick else ("minilm",)):
        local = with_tag(settings, embedder=embedder, semantic_top_k=1)
        best = comment_scores(texts, local)
        tagged, chosen = cv_threshold_tags(best, none, truth, folds)
        lines.append(row(f"semantic {embedder} (top-1)", truth, tagged, ids, seed,
                         f"thresholds {min(chosen):.3f}-{max(chosen):.3f}"))
        tagged, chosen = cv_threshold_tags(best, keyword, truth, folds)
        lines.append(row(f"keyword + semantic {embedder}", truth, tagged, ids, seed,
                         f"thresholds {min(chosen):.3f}-{max(chosen):.3f}"))
    return lines


def baseline_svm(texts: list[str], truth: np.ndarray, folds) -> np.ndarray:
    """TF-IDF (words, 1-2 grams) + LinearSVC one-vs-rest, decision threshold 0."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.svm import LinearSVC

    array = np.array(texts, dtype=object)
    tagged = np.zeros(truth.shape, dtype=bool)
    for train, test in folds:
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        usable = np.flatnonzero(truth[train].any(axis=0) & ~truth[train].all(axis=0))
        model = OneVsRestClassifier(LinearSVC()).fit(vectorizer.fit_transform(array[train]),
                                                     truth[train][:, usable].astype(int))
        tagged[np.ix_(test, usable)] = model.predict(vectorizer.transform(array[test])) == 1
    return tagged


def learned(texts, truth, settings, folds, quick, finetune) -> list[str]:
    ids, seed = settings.themes.ids, settings.pipeline.seed
    started = time.perf_counter()
    lines = [row("baseline: TF-IDF + LinearSVC one-vs-rest", truth, baseline_svm(texts, truth, folds),
                 ids, seed, f"{time.perf_counter() - started:.0f} s")]
    runs = [("none", True, False), ("minilm-static", True, False)]
    if not quick:
        runs += [("minilm", False, False), ("minilm", True, False)]
    if finetune:
        runs += [("minilm", True, True)]
    for name, with_examples, tuned in runs:
        spec = learn.FeatureSpec(embedder=None if name == "none" else name)
        extra = training.theme_examples(settings) if with_examples else None
        embeddings = None
        if spec.embedder:
            embedder = pretrained_embedder(name, settings.pipeline.tag.advanced.static_model_dir)
            load_cache(embedder, CACHE)
            embeddings = embedder.transform(texts)
            if extra is not None:
                extra.embeddings = embedder.transform(extra.texts)
            save_cache(embedder, CACHE)
        started = time.perf_counter()
        _, tagged = learn.out_of_fold(texts, truth, spec, seed, 5, embeddings, extra,
                                      inner_folds=3, finetune=FinetuneSpec() if tuned else None)
        label = "TF-IDF words+chars" + ("" if name == "none" else f" + {name}")
        label += (f" + the codebook's {len(extra.texts)} examples" if extra is not None
                  else ", no codebook examples")
        label += (", LinearSVC blended with fine-tuned MiniLM, thresholds 0.5" if tuned
                  else ", LinearSVC, CV thresholds")
        lines.append(row(f"learned: {label}", truth, tagged, ids, seed,
                         f"{time.perf_counter() - started:.0f} s"))
    return lines


def speed(texts: list[str], truth: np.ndarray, settings: Settings, quick: bool) -> list[str]:
    """Comments per second of the tag stage, one layer at a time, cold embedding cache.
    The classifier rows use a model fitted on comments 1001 onwards."""
    from pipeline.embed import registry
    from pipeline.stages import tag

    sample = texts[:1000]
    sentences = coded.sentences_of(sample, settings)
    only_classifier = {"keywords": False, "patterns": False, "semantic": False}
    models = {}
    for name in ("minilm-static",) + (() if quick else ("minilm",)):
        embedder = pretrained_embedder(name, settings.pipeline.tag.advanced.static_model_dir)
        load_cache(embedder, CACHE)
        spec = learn.FeatureSpec(embedder=name)
        models[name] = learn.fit_model(texts[1000:], truth[1000:], spec, settings.pipeline.seed,
                                       embedder.transform(texts[1000:]), inner_folds=0,
                                       theme_ids=settings.themes.ids)
    layers = {"keyword + pattern": with_tag(settings, semantic=False, use_proposed_keywords=True),
              "semantic tfidf-svd": with_tag(settings, keywords=False, patterns=False,
                                             embedder="tfidf-svd"),
              "semantic minilm-static": with_tag(settings, keywords=False, patterns=False,
                                                 embedder="minilm-static")}
    if not quick:
        layers["semantic minilm"] = with_tag(settings, keywords=False, patterns=False,
                                             embedder="minilm")
    for name, model in models.items():
        layers[f"classifier (TF-IDF + {name})"] = with_tag(settings, **only_classifier).model_copy(
            update={"tag_model": model})
    lines = []
    for name, local in layers.items():
        registry.forget_embedders()  # a cold cache for each measurement
        warm = "minilm-static" if "static" in name else ("minilm" if "minilm" in name else None)
        if warm:  # load the model outside the timing, as in a long run
            pretrained_embedder(warm, settings.pipeline.tag.advanced.static_model_dir
                                ).transform(["warm up"])
        started = time.perf_counter()
        tag.tag(sentences, local)
        seconds = time.perf_counter() - started
        lines.append(f"| {name} | {len(sample)} | {len(sentences)} | {seconds:.1f} | "
                     f"{len(sample) / seconds:.0f} |")
    texts_only = [str(t) for t in sentences["text"]]
    for name in ("minilm-static",) + (() if quick else ("minilm",)):
        registry.forget_embedders()
        embedder = pretrained_embedder(name, settings.pipeline.tag.advanced.static_model_dir)
        embedder.transform(["warm up"])
        started = time.perf_counter()
        embedder.transform(texts_only)
        seconds = time.perf_counter() - started
        lines.append(f"| embedding only: {name} | {len(sample)} | {len(sentences)} | "
                     f"{seconds:.2f} | {len(sentences) / seconds:.0f} sentences/s |")
    return lines


def sample_round(settings_path: Path) -> list[str]:
    """Per-theme F1 of the shipped config on the sample round's answer key."""
    import pandas as pd

    from pipeline.stages import clean, ingest

    settings = run_settings.load_settings(settings_path, ROOT / "config" / "themes.yaml")
    raw, _ = inputs.read_inputs([ROOT / "data" / "sample" / "survey_round.csv"], settings)
    tables = {"raw": raw}
    tables.update(runner.call_stage(ingest, tables, settings))
    tables.update(runner.call_stage(clean, tables, settings))
    key = pd.read_csv(ROOT / "data" / "sample" / "answer_key.csv", dtype=str,
                      keep_default_na=False)
    key = key.assign(comment_id=key["respondent_id"] + "." + key["question"])
    joined = tables["comments"].merge(key, on="comment_id", how="inner")
    comments = coded.CodedComments(texts=joined["text"].tolist(),
                                   labels=[{t for t in s.split("|") if t} for s in joined["themes"]],
                                   path="data/sample (answer_key.csv)")
    lines = []
    for name, local in (("keyword + pattern", with_tag(settings, semantic=False)),
                        (("shipped: keyword + pattern + semantic (thresholds calibrated on this "
                         "key)"), settings)):
        result = coded.evaluate_coded(comments, local, examples=0)
        per_theme = " | ".join(f"{r['f1']:.2f}" for r in result["per_theme"])
        lines.append(f"| {name} | {result['micro_f1']:.3f} | {result['macro_f1']:.3f} | "
                     f"{per_theme} |")
    lines.append(split_half(comments, settings))
    header = " | ".join(settings.themes.ids)
    return [f"| layers | micro F1 | macro F1 | {header} |",
            "|---|---|---|" + "---|" * len(settings.themes.ids)] + lines


def split_half(comments: coded.CodedComments, settings: Settings) -> str:
    """Shipped layers, thresholds calibrated on odd comments and scored on even ones and the
    other way round: an estimate free of tuning on the scored comments."""
    plain = settings.themes.model_copy(update={"themes": [
        t.model_copy(update={"threshold": None}) for t in settings.themes.themes]})
    untuned = settings.model_copy(update={"themes": plain})
    ids = settings.themes.ids
    truth = comments.truth(ids)
    tagged = np.zeros(truth.shape, dtype=bool)
    for part in (0, 1):
        fit_rows = [i for i in range(len(comments.texts)) if i % 2 == part]
        test_rows = [i for i in range(len(comments.texts)) if i % 2 != part]
        fit = coded.CodedComments([comments.texts[i] for i in fit_rows],
                                  [comments.labels[i] for i in fit_rows])
        chosen = coded.calibrate(fit, untuned)
        themes = plain.model_copy(update={"themes": [
            t.model_copy(update={"threshold": chosen.get(t.id)}) for t in plain.themes]})
        predicted, _ = coded.predict([comments.texts[i] for i in test_rows],
                                     settings.model_copy(update={"themes": themes}))
        tagged[test_rows] = predicted
    scores = evaluate.score(truth, tagged, ids, n_bootstrap=0)
    per_theme = " | ".join(f"{f1:.2f}" for f1 in scores.per_theme["f1"])
    return (f"| same, thresholds calibrated on the other half (split-half) | "
            f"{scores.micro_f1:.3f} | {scores.macro_f1:.3f} | {per_theme} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="no MiniLM rows on NHS FFT")
    parser.add_argument("--finetune", action="store_true",
                        help="add the fine-tuned MiniLM row (about 30 min more on 2 cores)")
    args = parser.parse_args()
    config = ROOT / "config" / "pipeline.yaml"
    print("## Sample round (data/sample/answer_key.csv), shipped config\n")
    print("\n".join(sample_round(config)))
    if not (FFT / "dev.csv").is_file():
        print(f"\n{FFT} not found: skipping the NHS FFT benchmark")
        return
    base = run_settings.load_settings(config, ROOT / "config" / "themes.yaml")
    themes = ThemesConfig.model_validate(import_codebook(FFT / "codebook.csv"))
    settings = base.model_copy(update={"themes": themes})
    comments = coded.read_coded(FFT / "dev.csv", themes.ids)
    truth = comments.truth(themes.ids)
    folds = folds_of(comments.texts)
    header = ["| method | micro F1 (95% CI) | macro F1 (95% CI) | notes |", "|---|---|---|---|"]
    print(f"\n## NHS FFT dev.csv: {len(comments.texts)} comments, {len(themes.ids)} themes, "
          f"{int((truth.sum(axis=0) >= 5).sum())} with >= 5 cases\n\n### Zero-shot\n")
    print("\n".join(header + zero_shot(comments.texts, truth, settings, folds, args.quick)))
    print("\n### Learned (grouped 5-fold cross-validation)\n")
    print("\n".join(header + learned(comments.texts, truth, settings, folds, args.quick,
                                    args.finetune)))
    print(f"\n### Tagging speed (tag stage, {os.cpu_count()} cores, cold embedding cache)\n")
    print("\n".join(["| layer | comments | sentences | seconds | comments/s |",
                     "|---|---|---|---|---|"] + speed(comments.texts, truth, settings, args.quick)))


if __name__ == "__main__":
    main()
