"""Discovery benchmark: our discovery against stock BERTopic on the same embeddings.

Run:  python bench/bench_discovery.py [--repeats=3] [--embedder=tfidf-svd|minilm|minilm-static]
      [--ours-only] [--set=fit_sample_size=1000 ...]
      (about 4 minutes on 2 cores; MiniLM adds a minute to embed the comments once)
      ``--set=KEY=VALUE`` overrides a discover setting for ours (repeatable); ``--ours-only``
      skips stock BERTopic (to compare settings of ours, e.g. a fit sample against all).

Data: ../shared/benchmarks/nhs-fft/dev.csv (3,161 human-coded NHS Friends and Family Test
comments). Both methods get the same embeddings (tfidf-svd unless --embedder says otherwise),
computed once and passed to each:
our whole discover stage with the codebook's themes removed (an empty theme list, comments
as units), and stock BERTopic() with its default UMAP and HDBSCAN. Each run is a fresh
subprocess, so wall time and peak memory (ru_maxrss) include its imports; the methods
alternate so both see the same machine load. Scores against the human labels: a comment's
first label is its class (multi-label comments: the first listed, as coded); NMI over all
comments with outliers counted as one more cluster; purity = comments in their cluster's
majority class / all comments (outliers count as wrong); unassigned = share left as outliers.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "benchmarks" / "nhs-fft" / "dev.csv"
sys.path.insert(0, str(ROOT))
REPEATS = int(next((a.split("=")[1] for a in sys.argv if a.startswith("--repeats=")), 3))
EMBEDDER = next((a.split("=")[1] for a in sys.argv if a.startswith("--embedder=")), "tfidf-svd")
OVERRIDES = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--set=")]
METHODS = ("ours",) if "--ours-only" in sys.argv else ("ours", "stock")


def _load():
    import pandas as pd

    frame = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    frame = frame[frame["comment"].str.strip() != ""].reset_index(drop=True)
    return frame["comment"].tolist(), frame["themes"].str.split("|").str[0].tolist()


def _settings(overrides: list[str]):
    from bench_discovery_scale import with_discover

    from pipeline.config.models import load_pipeline

    pipeline = load_pipeline(ROOT / "config" / "pipeline.yaml")
    return with_discover(pipeline, {"unit": "comments", "embedder": EMBEDDER}, overrides)


def child(method: str, folder: Path, overrides: list[str]) -> None:
    """Run one method on the saved embeddings; print labels, seconds and peak memory."""
    import numpy as np

    started = time.perf_counter()
    texts = json.loads((folder / "texts.json").read_text())
    vectors = np.load(folder / "vectors.npy")
    settings = _settings(overrides)
    if method == "ours":
        # the whole discover stage (embedding included, so it is timed against us), with
        # the codebook's themes removed: no tags, an empty theme list, comments as units
        import pandas as pd

        from pipeline.stages import discover
        from pipeline.stages.schemas import COMMENT_THEMES, TAGS, empty

        ids = [f"c{i}" for i in range(len(texts))]
        sentences = pd.DataFrame({
            "sentence_id": ids, "comment_id": ids, "respondent_id": ids, "group": "all",
            "question": "q", "sentence_index": 1, "start": 0, "end": [len(t) for t in texts],
            "text": texts})
        produced = discover.discover(sentences, empty(TAGS), empty(COMMENT_THEMES), settings,
                                     vectors=vectors)
        found = produced["sentence_clusters"].set_index("comment_id")["cluster_id"]
        labels = found.reindex(ids).fillna(-1).astype(int).to_numpy()  # missing = unassigned
        name = f"ours ({produced['clusters']['method'].iloc[0]})"
    else:
        from bertopic import BERTopic
        from bertopic.backend._sklearn import SklearnEmbedder

        from pipeline.embed.embedders import make_embedder

        embedder = make_embedder("tfidf-svd", 100, settings.pipeline.seed)
        model = BERTopic(embedding_model=SklearnEmbedder(_Wrapped(embedder, texts)))
        labels, _ = model.fit_transform(texts, embeddings=vectors)
        labels = np.asarray(labels)
        name = "stock BERTopic"
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"name": name, "labels": [int(x) for x in labels], "seconds": seconds,
                      "peak_mb": peak_mb}))


class _Wrapped:
    """Our embedder where BERTopic expects a fitted scikit-learn pipeline (no downloads).
    Fitted only if BERTopic asks for an embedding, so stock is not charged for it."""

    def __init__(self, embedder, corpus: list[str]) -> None:
        self.embedder = embedder
        self.corpus = corpus

    def transform(self, texts):
        if not hasattr(self.embedder, "vectorizer_"):
            self.embedder.fit(self.corpus)
        return self.embedder.transform(list(texts))


def score(labels, truth) -> dict[str, float]:
    from collections import Counter

    from sklearn.metrics import normalized_mutual_info_score

    nmi = normalized_mutual_info_score(truth, labels)
    right = 0
    for cluster in set(labels) - {-1}:
        members = [t for t, c in zip(truth, labels, strict=True) if c == cluster]
        right += Counter(members).most_common(1)[0][1]
    return {"nmi": nmi, "purity": right / len(truth),
            "unassigned": sum(1 for c in labels if c == -1) / len(truth),
            "clusters": len(set(labels) - {-1})}


def _spread(runs: list[dict], key: str, form: str) -> str:
    values = [r[key] for r in runs]
    middle = form.format(statistics.median(values))
    low, high = form.format(min(values)), form.format(max(values))
    return middle if low == high else f"{middle} [{low}-{high}]"


def main() -> None:
    if not DATA.exists():
        print(f"skipped: {DATA} not found (the shared benchmarks are not on this machine)")
        return
    from pipeline.embed.registry import make_embedder

    texts, truth = _load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        import numpy as np

        vectors = make_embedder(EMBEDDER, 100, 42, str(ROOT / "models" / "minilm-static")
                                ).fit_transform(texts)
        np.save(folder / "vectors.npy", vectors)
        (folder / "texts.json").write_text(json.dumps(texts))
        runs: dict[str, list[dict]] = {"ours": [], "stock": []}
        for _ in range(REPEATS):  # alternate, so both see the same machine load
            for method in METHODS:
                started = time.perf_counter()
                done = subprocess.run([sys.executable, __file__, "--child", method, str(folder),
                                       *[f"--set={item}" for item in OVERRIDES]],
                                      capture_output=True, text=True, check=True,
                                      env={"HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT),
                                           "PATH": "/usr/bin:/bin"})
                found = json.loads(done.stdout.strip().splitlines()[-1])
                found["process_seconds"] = time.perf_counter() - started
                found.update(score(found["labels"], truth))
                runs[method].append(found)
    print(f"{len(texts)} comments, {len(set(truth))} human classes (first label), "
          f"{EMBEDDER} embeddings; medians of {REPEATS} runs each, "
          f"ours with {OVERRIDES or 'the shipped settings'}, "
          "[min-max] where runs differ\n")
    print("| method | clusters | NMI | purity | unassigned | fit s | process s | peak MB |")
    print("|---|---|---|---|---|---|---|---|")
    results = []
    for method in METHODS:
        found = runs[method]
        row = {key: statistics.median(r[key] for r in found)
               for key in ("clusters", "nmi", "purity", "unassigned", "seconds",
                           "process_seconds")}
        row["peak_mb"] = max(r["peak_mb"] for r in found)
        results.append(row)
        print(f"| {found[0]['name']} | {_spread(found, 'clusters', '{:.0f}')} | "
              f"{_spread(found, 'nmi', '{:.3f}')} | {_spread(found, 'purity', '{:.3f}')} | "
              f"{_spread(found, 'unassigned', '{:.1%}')} | {_spread(found, 'seconds', '{:.1f}')} | "
              f"{_spread(found, 'process_seconds', '{:.1f}')} | {row['peak_mb']:.0f} |")
    if len(results) < 2:
        return
    ours, stock = results
    print(f"\nspeed-up (fit): {stock['seconds'] / ours['seconds']:.1f}x; "
          f"(whole process): {stock['process_seconds'] / ours['process_seconds']:.1f}x")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), OVERRIDES)
    else:
        main()
