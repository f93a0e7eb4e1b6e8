"""Criteria in the codebook (issue 28): F1 with and without ``includes``/``excludes``, and
MiniLM against all-mpnet-base-v2.

Run from the repository root:

    PYTHONPATH=. python bench/bench_criteria.py                      # FFT dev zero-shot, MiniLM
    PYTHONPATH=. python bench/bench_criteria.py --learned            # + learned rows
    PYTHONPATH=. python bench/bench_criteria.py --embedder mpnet --mpnet-dir DIR   # mpnet
    PYTHONPATH=. python bench/bench_criteria.py --data anes3 --learned --embedder mpnet ...
    PYTHONPATH=. python bench/bench_criteria.py --speed --mpnet-dir DIR   # sentences/s only

Where the criteria come from: NHS FFT's codebook.csv has no inclusion or exclusion column,
so they are cut, by the rules of ``criteria_of`` below, out of each code's own
``description``: its first sentence stays the definition; a sentence that opens with an
inclusion cue ("This includes", "It also incorporates", "In relation to ...") becomes an
``includes`` entry; a sentence with an exclusion cue ("rather than", "distinguishes it from",
"intended ... only") becomes an ``excludes`` entry, and so does the definition of any other
code that sentence names. Nothing is taken from the coded comments. The ANES theme files
carry no code names or descriptions, so no criteria (and no zero-shot score) can be built
for them; there only the learned layer (MiniLM against mpnet) is measured.

Zero-shot rows follow ``bench_precision.py``: the shipped no-theme set and margin, top-k,
one global threshold per fold chosen on the other four folds (grouped 5-fold CV). Learned
rows follow ``bench_learned.py`` (``theming train``'s defaults, grouped 5-fold CV); on FFT
the codebook's examples (and, with criteria, its includes as positives and excludes as
negatives) train but are never scored. ``--limit N`` scores a seeded random N comments
(the same for every embedder). mpnet's weights are not a dependency: point ``--mpnet-dir``
at an unpacked all-mpnet-base-v2 folder; its ``model.safetensors`` is checked against the
upstream SHA-256 before use. Prints Markdown rows.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import os
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / ".." / "shared" / "benchmarks"
CACHE = ROOT / "data" / "cache" / "embeddings"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(ROOT))

from bench_precision import rule_tags, table_row
from bench_tagging import folds_of

from pipeline import run_settings
from pipeline.codebook.spreadsheet import import_codebook
from pipeline.config.models import ThemesConfig, load_themes
from pipeline.embed.base import CachedEmbedder
from pipeline.embed.registry import pretrained_embedder
from pipeline.embed.vector_cache import load_cache, save_cache
from pipeline.evaluation import coded, evaluate, training
from pipeline.io.readers import read_table
from pipeline.tagging import learned
from pipeline.tagging.semantic import _blend as blend
from pipeline.tagging.semantic import semantic_match, theme_texts

MPNET_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
PIECES = re.compile(r"\n+|(?<=[.!?])\s+(?=[A-Z'‘])")
INCLUDE_CUE = re.compile(r"^(?:this |it |in )?(?:also )?(?:includes?|incorporates?|captures?|covers?)\b"
                         r"|^in relation to\b", re.IGNORECASE)
EXCLUDE_CUE = re.compile(r"rather than|distinguish|distinction|intended (?:for|to go)\b.*\bonly"
                         r"|intended to go under", re.IGNORECASE)
NAMED = re.compile(r"[‘']([^’']{6,})[’']")


class MpnetEmbedder(CachedEmbedder):
    """all-mpnet-base-v2 through sentence-transformers on CPU from a local folder (768 dims)."""

    name = "mpnet"
    dims = 768
    batch_size = 32

    def __init__(self, model_dir: str | Path) -> None:
        super().__init__(None)
        self.model_dir = model_dir

    def _encode(self, texts: list[str]) -> np.ndarray:
        if getattr(self, "model_", None) is None:
            from sentence_transformers import SentenceTransformer

            self.model_ = SentenceTransformer(str(self.model_dir), device="cpu",
                                              local_files_only=True)
        return np.asarray(self.model_.encode(texts, batch_size=self.batch_size,
                                             show_progress_bar=False, convert_to_numpy=True,
                                             normalize_embeddings=True))


def checked_mpnet(model_dir: Path) -> MpnetEmbedder:
    """The mpnet embedder, after checking its weights against the upstream SHA-256."""
    digest = hashlib.sha256()
    with open(model_dir / "model.safetensors", "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != MPNET_SHA256:
        raise SystemExit(f"{model_dir}/model.safetensors: sha256 {digest.hexdigest()} is not "
                         f"all-mpnet-base-v2's {MPNET_SHA256}")
    return MpnetEmbedder(model_dir)


def embedder_named(name: str, mpnet_dir: str | None):
    if name == "mpnet":
        if not mpnet_dir:
            raise SystemExit("--embedder mpnet needs --mpnet-dir (an unpacked all-mpnet-base-v2)")
        return checked_mpnet(Path(mpnet_dir))
    return pretrained_embedder(name)


def pieces_of(description: str) -> list[str]:
    """A description's sentences and bullet points, without bullet marks or 'NB:'."""
    found = (re.sub(r"^\s*(?:[-•]\s*|NB:\s*)", "", p).strip() for p in PIECES.split(description))
    return [p for p in found if len(p.split()) >= 3]


def criteria_of(rows: list[dict]) -> dict[str, dict]:
    """Per code id: ``definition`` (the description without its criteria sentences),
    ``includes`` and ``excludes``, cut from the codebook's own descriptions by cue words."""
    first = {row["id"]: (pieces_of(row["description"]) or [row["label"]])[0] for row in rows}
    labels = {row["label"].lower(): row["id"] for row in rows}
    criteria = {}
    for row in rows:
        pieces = pieces_of(row["description"])
        kept, includes, excludes = pieces[:1], [], []
        for piece in pieces[1:]:
            if EXCLUDE_CUE.search(piece):
                excludes.append(piece)
                for name in NAMED.findall(piece):
                    close = difflib.get_close_matches(name.lower(), labels, n=1, cutoff=0.6)
                    if close and labels[close[0]] != row["id"]:
                        excludes.append(first[labels[close[0]]])
            elif INCLUDE_CUE.search(piece):
                includes.append(piece)
            else:
                kept.append(piece)
        criteria[row["id"]] = {"definition": " ".join(kept), "includes": includes,
                               "excludes": list(dict.fromkeys(excludes))}
    return criteria


def fft_variants(codebook: Path) -> dict[str, ThemesConfig]:
    """Theme configs built from the FFT codebook with and without criteria."""
    imported = ThemesConfig.model_validate(import_codebook(codebook))
    rows = read_table(codebook).frame.to_dict(orient="records")
    criteria = criteria_of(rows)

    def variant(split: bool, includes: bool, excludes: bool) -> ThemesConfig:
        themes = []
        for theme in imported.themes:
            found = criteria[theme.id]
            update = {"includes": found["includes"] if includes else [],
                      "excludes": found["excludes"] if excludes else []}
            if split:
                update["description"] = found["definition"]
            themes.append(theme.model_copy(update=update))
        return imported.model_copy(update={"themes": themes})

    return {"as imported: whole description, no criteria": imported,
            "whole description + includes": variant(False, True, False),
            "whole description + excludes": variant(False, False, True),
            "whole description + includes + excludes": variant(False, True, True),
            "definition only (criteria sentences removed), no criteria": variant(True, False, False),
            "definition + includes": variant(True, True, False),
            "definition + includes + excludes": variant(True, True, True)}


def other_forms(sentence_texts: list[str], themes: ThemesConfig, embedder,
                no_theme: list[str]) -> dict[str, object]:
    """Matches for criteria used other ways than the semantic layer's (``themes`` carry the
    criteria; the base match is scored without them): includes as nearest-text prototypes
    only (left out of the centroid), includes as their own prototype group (the better of
    the two blends), and excludes as a penalty before top-k (the score minus how far the
    closest exclusion beats it)."""
    bare = themes.model_copy(update={"themes": [
        t.model_copy(update={"includes": [], "excludes": []}) for t in themes.themes]})
    base = semantic_match(sentence_texts, bare, embedder, no_theme)
    vectors = embedder.transform(sentence_texts)
    nearest_only, own_group, penalised = (base.scores.copy() for _ in range(3))
    for j, theme in enumerate(themes.themes):
        best = (vectors @ embedder.transform(theme_texts(bare.themes[j])).T).max(axis=1)
        if theme.includes:
            included = embedder.transform(theme.includes)
            nearest_only[:, j] += 0.5 * np.maximum(0.0, (vectors @ included.T).max(axis=1) - best)
            own_group[:, j] = np.maximum(own_group[:, j], blend(vectors, included))
        if theme.excludes:
            closest = blend(vectors, embedder.transform(theme.excludes))
            penalised[:, j] -= np.maximum(0.0, closest - base.scores[:, j])
    return {"includes as nearest-text prototypes only (not in the centroid)":
            replace(base, scores=nearest_only),
            "includes as their own prototype group (best of two blends)":
            replace(base, scores=own_group),
            "excludes as a penalty before top-k": replace(base, scores=penalised)}


def sample_rows(n_comments: int, limit: int | None, seed: int) -> np.ndarray:
    if not limit or limit >= n_comments:
        return np.arange(n_comments)
    return np.sort(np.random.default_rng(seed).choice(n_comments, limit, replace=False))


def zero_shot(variants: dict[str, ThemesConfig], embedder, name: str, limit: int | None,
              baseline_only: bool = False) -> None:
    base = run_settings.load_settings(ROOT / "config" / "pipeline.yaml",
                                      ROOT / "config" / "themes.yaml")
    first = next(iter(variants.values()))
    settings = base.model_copy(update={"themes": first})
    cfg, seed = settings.pipeline.tag, settings.pipeline.seed
    comments = coded.read_coded(BENCHMARKS / "nhs-fft" / "dev.csv", first.ids)
    keep = sample_rows(len(comments.texts), limit, seed)
    texts = [comments.texts[i] for i in keep]
    truth = comments.truth(first.ids)[keep]
    folds = folds_of(texts)
    sentences = coded.sentences_of(texts, settings)
    sentence_texts = [str(t) for t in sentences["text"]]
    counts = {label: (sum(len(t.includes) for t in v.themes), sum(len(t.excludes) for t in v.themes))
              for label, v in variants.items()}
    print(f"NHS FFT dev zero-shot, {name}: {len(texts)} comments, {len(sentence_texts)} "
          f"sentences, {len(first.ids)} themes; margin {cfg.advanced.semantic_margin}, "
          f"no-theme set {len(cfg.advanced.no_theme)} sentences\n")
    print("| codebook | includes / excludes | micro F1 (95% CI) | macro F1 (95% CI) | "
          "micro precision | thresholds |\n|---|---|---|---|---|---|")
    for label, themes in list(variants.items())[:1 if baseline_only else None]:
        match = semantic_match(sentence_texts, themes, embedder, cfg.advanced.no_theme,
                               criteria=True)
        save_cache(embedder, CACHE)
        tagged, chosen = rule_tags(match, cfg, cfg.advanced.semantic_margin, True, sentences,
                                   truth, folds)
        print(table_row(label, "{} / {}".format(*counts[label]), truth, tagged, themes.ids,
                        seed, chosen), flush=True)
    if baseline_only:
        return
    with_criteria = variants["whole description + includes + excludes"]
    for label, match in other_forms(sentence_texts, with_criteria, embedder,
                                    list(cfg.advanced.no_theme)).items():
        tagged, chosen = rule_tags(match, cfg, cfg.advanced.semantic_margin, True, sentences,
                                   truth, folds)
        print(table_row(f"whole description; {label}", "{} / {}".format(
            *counts["whole description + includes + excludes"]), truth, tagged, first.ids,
            seed, chosen), flush=True)


def learned_rows(data: str, variants: dict[str, ThemesConfig], embedder, name: str,
                 limit: int | None) -> None:
    """Learned-layer rows: ``theming train``'s defaults with the chosen embedder's vectors."""
    base = run_settings.load_settings(ROOT / "config" / "pipeline.yaml",
                                      ROOT / "config" / "themes.yaml")
    first = next(iter(variants.values()))
    if data == "fft":
        comments = coded.read_coded(BENCHMARKS / "nhs-fft" / "dev.csv", first.ids)
    else:
        comments = coded.read_coded(BENCHMARKS / "anes" / f"dataset{data[-1]}_train.csv",
                                    first.ids, "comment", "themes")
    keep = sample_rows(len(comments.texts), limit, 42)
    texts = [comments.texts[i] for i in keep]
    truth = comments.truth(first.ids)[keep]
    embeddings = embedder.transform(texts)
    save_cache(embedder, CACHE)
    spec = learned.FeatureSpec(embedder=name)
    print(f"\n{data} learned, {name}: {len(texts)} comments, {len(first.ids)} themes\n")
    print("| codebook | extra texts | micro F1 | macro F1 | sample-F1 | seconds |\n"
          "|---|---|---|---|---|---|")
    for label, themes in variants.items():
        extra = None
        if data == "fft":
            extra = training.theme_examples(base.model_copy(update={"themes": themes}),
                                            criteria=True)
            extra.embeddings = embedder.transform(extra.texts)
        started = time.perf_counter()
        _, tagged = learned.out_of_fold(texts, truth, spec, 42, 5, embeddings, extra,
                                        inner_folds=3)
        scores = evaluate.score(truth, tagged, themes.ids, n_bootstrap=0)
        print(f"| {label} | {0 if extra is None else len(extra.texts)} | {scores.micro_f1:.3f} | "
              f"{scores.macro_f1:.3f} | {evaluate.samples_f1(truth, tagged):.3f} | "
              f"{time.perf_counter() - started:.0f} |", flush=True)


def speed(mpnet_dir: str | None, n_sentences: int = 200) -> None:
    """Sentences per second of each embedder on the first FFT dev sentences, no cache: per
    second of wall time and per second of this process's CPU time (all its threads), the
    latter steadier on a machine shared with other work."""
    base = run_settings.load_settings(ROOT / "config" / "pipeline.yaml",
                                      ROOT / "config" / "themes.yaml")
    answers = read_table(BENCHMARKS / "nhs-fft" / "dev.csv").frame["comment"].tolist()
    sentences = coded.sentences_of([str(t) for t in answers[:600]], base)
    texts = [str(t) for t in sentences["text"]][:n_sentences]
    print("\n| embedder | sentences | wall s | sentences/s | CPU s | sentences per CPU s |\n"
          "|---|---|---|---|---|---|")
    from pipeline.embed.minilm import MiniLMEmbedder

    names = [("minilm", MiniLMEmbedder())]
    if mpnet_dir:
        names.append(("mpnet", checked_mpnet(Path(mpnet_dir))))
    for name, embedder in names:
        embedder.transform(["warm up the model"])
        started, cpu = time.perf_counter(), time.process_time()
        embedder.transform(texts)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"| {name} | {len(texts)} | {seconds:.1f} | {len(texts) / seconds:.1f} | "
              f"{cpu:.1f} | {len(texts) / cpu:.1f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=("fft", "anes3", "anes4"), default="fft")
    parser.add_argument("--embedder", choices=("minilm", "mpnet"), default="minilm")
    parser.add_argument("--mpnet-dir", default=None)
    parser.add_argument("--learned", action="store_true", help="add learned-layer rows")
    parser.add_argument("--no-zero-shot", action="store_true")
    parser.add_argument("--baseline-only", action="store_true",
                        help="zero-shot: only the codebook as imported (embedder comparisons)")
    parser.add_argument("--all-variants", action="store_true",
                        help="learned rows for every codebook variant, not just two")
    parser.add_argument("--limit", type=int, default=None, help="score N sampled comments")
    parser.add_argument("--speed", action="store_true", help="only sentences per second")
    args = parser.parse_args()
    if not BENCHMARKS.is_dir():
        print(f"{BENCHMARKS} not found: skipping")
        return
    if args.speed:
        speed(args.mpnet_dir)
        return
    embedder = embedder_named(args.embedder, args.mpnet_dir)
    load_cache(embedder, CACHE)
    if args.data == "fft":
        variants = fft_variants(BENCHMARKS / "nhs-fft" / "codebook.csv")
        if not args.no_zero_shot:
            zero_shot(variants, embedder, args.embedder, args.limit, args.baseline_only)
        if args.learned:
            chosen = variants if args.all_variants else dict(list(variants.items())[:4:3])
            learned_rows("fft", chosen, embedder, args.embedder, args.limit)
        return
    themes = load_themes(BENCHMARKS / "anes" / f"themes_dataset{args.data[-1]}.yaml")
    print(f"{args.data}: the codes carry no names or descriptions, so no criteria and no "
          "zero-shot score; learned layer only")
    learned_rows(args.data, {"no codebook text": themes}, embedder, args.embedder, args.limit)


if __name__ == "__main__":
    main()
