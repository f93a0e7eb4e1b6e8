"""Discovery at scale: the discover stage on rounds of 10,000 and 50,000 distinct comments.

Run:  python bench/bench_discovery_scale.py [--sizes 10000 50000] [--embedder tfidf-svd]
      [--profile] [--set fit_sample_size=8000 ...]

Rounds are built from the NHS FFT dev comments (../shared/benchmarks/nhs-fft/dev.csv):
every comment is split into sentences and each new comment joins one to three sentences
drawn (seeded) from different source comments, keeping the first source's trust as its
group and its question; a text already made is drawn again, so every comment is distinct
(repeated texts would let an embedding cache hide the cost). The round goes through
ingest and clean (not timed) so discovery sees real sentences; the codebook's themes are
removed (nothing tagged, nothing seeded). Document vectors are computed once (tfidf-svd by
default, not timed: in a run they come from the tag stage's cache), then the discover stage
is timed in this process after BERTopic, UMAP and HDBSCAN are imported (their import time is
printed apart). ``--profile`` writes a pyinstrument text profile of the timed call.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "benchmarks" / "nhs-fft" / "dev.csv"
sys.path.insert(0, str(ROOT))

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def fft_round(n_comments: int, seed: int = 11, distinct_sentences: bool = False) -> pd.DataFrame:
    """``n_comments`` distinct comments recombined from FFT dev sentences (see the docstring).

    ``distinct_sentences``: every sentence is new as well (the first words of one real
    sentence joined to the last words of another, cut near their middles, and never made
    twice), so a tag stage that embeds sentences meets no repeated text either: FFT dev has
    only about 4,800 sentences, and whole sentences drawn from them repeat within a large
    round, which lets the in-memory embedding cache hide most of the embedding cost."""
    frame = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    pieces = [(s.strip(), row.group, row.question) for row in frame.itertuples(index=False)
              for s in SENTENCE_END.split(row.comment) if len(s.split()) >= 2]
    rng = random.Random(seed)
    made: set[str] = set()
    said: set[str] = set()
    rows = []
    while len(rows) < n_comments:
        picked = rng.sample(pieces, rng.randint(1, 3))
        if distinct_sentences:
            sentences = [_spliced(first[0], rng.choice(pieces)[0]) for first in picked]
            if len(set(sentences)) < len(sentences) or said & set(sentences):
                continue
            said.update(sentences)
            picked = [(s, *p[1:]) for s, p in zip(sentences, picked, strict=True)]
        text = " ".join(p[0] for p in picked)
        if text in made:
            continue
        made.add(text)
        rows.append({"id": f"R{len(rows):07d}", "trust": picked[0][1],
                     "question": picked[0][2], "comment": text})
    out = pd.DataFrame(rows)
    return out.assign(_source="fft_round.csv", _row=range(2, len(out) + 2))


def _spliced(first: str, second: str) -> str:
    """The first half of ``first`` (by words) followed by the second half of ``second``."""
    head, tail = first.split(), second.split()
    return " ".join(head[:max(1, len(head) // 2)] + tail[len(tail) // 2:])


def with_discover(pipeline, updates: dict, overrides: list[str]):
    """Settings with ``discover`` updated by ``updates`` and ``KEY=VALUE`` overrides (values
    read as YAML) and no themes: discovery alone (shared with bench_discovery.py)."""
    import yaml

    from pipeline.config.models import Settings, ThemesConfig

    updates = dict(updates)
    for item in overrides:
        key, value = item.split("=", 1)
        updates[key] = yaml.safe_load(value)
    discover = pipeline.discover.updated(**updates)
    return Settings(pipeline=pipeline.model_copy(update={"discover": discover}),
                    themes=ThemesConfig(themes=[]))


def settings_for(embedder: str, overrides: list[str]):
    from pipeline.config.models import load_pipeline, with_overrides

    pipeline = with_overrides(load_pipeline(), ["comment"], "id", "trust")
    return with_discover(pipeline, {"embedder": embedder}, overrides)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 50000])
    parser.add_argument("--embedder", default="tfidf-svd")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--set", nargs="*", default=[], help="discover.KEY=VALUE overrides")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} not found (the shared benchmarks are not on this machine)")
        return
    from pipeline.embed.registry import make_embedder
    from pipeline.runner import call_stage
    from pipeline.stages import clean, discover, ingest
    from pipeline.stages.schemas import COMMENT_THEMES, TAGS, empty

    settings = settings_for(args.embedder, args.set)
    started = time.perf_counter()
    import bertopic  # noqa: F401  (imports are paid once per process, timed apart)
    import hdbscan  # noqa: F401
    import umap  # noqa: F401
    imports = time.perf_counter() - started
    print(f"imports (bertopic, umap, hdbscan): {imports:.1f} s")
    print("| comments | documents | fit on | clusters | largest share | median size | "
          "unassigned | discover s | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        tables = {"raw": fft_round(size)}
        for stage in (ingest, clean):
            tables.update(call_stage(stage, tables, settings))
        sentences = tables["sentences"]
        cfg = settings.pipeline.discover
        docs = discover.documents(sentences, cfg.advanced.unit)
        vectors = make_embedder(args.embedder, cfg.advanced.embedding_dims, settings.pipeline.seed,
                                settings.pipeline.tag.advanced.static_model_dir
                                ).fit_transform(docs["text"].tolist())
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler()
            profiler.start()
        started = time.perf_counter()
        produced = discover.discover(sentences, empty(TAGS), empty(COMMENT_THEMES), settings,
                                     vectors=vectors)
        seconds = time.perf_counter() - started
        if profiler is not None:
            profiler.stop()
            out = Path(f"/tmp/discover-profile-{size}.txt")
            out.write_text(profiler.output_text(unicode=False, color=False))
            print(f"profile: {out}")
        clusters = produced["clusters"]
        real = clusters[clusters["cluster_id"] >= 0]
        total = int(clusters["n_sentences"].sum())
        unassigned = int(clusters.loc[clusters["cluster_id"] < 0, "n_sentences"].sum())
        fitted_on = min(len(docs), cfg.advanced.fit_sample_size) if hasattr(cfg, "advanced") \
            else len(docs)
        print(f"| {size:,} | {len(docs):,} | {fitted_on:,} | {len(real)} | "
              f"{real['n_sentences'].max() / total:.1%} | {real['n_sentences'].median():.0f} | "
              f"{unassigned / total:.1%} | {seconds:.1f} | "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} |", flush=True)


if __name__ == "__main__":
    main()
