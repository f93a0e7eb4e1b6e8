"""Discovery benchmark: our discovery against stock BERTopic on the same embeddings.

Run:  python bench/bench_discovery.py            (about 2 minutes on 2 cores)

Data: ../shared/benchmarks/nhs-fft/dev.csv (3,161 human-coded NHS Friends and Family Test
comments), with the codebook's themes removed from the config (an empty theme list), so
discovery must find the topics itself. Both methods get the same tfidf-svd embeddings,
computed once and passed to each run; each run is a fresh subprocess, so wall time and peak
memory (ru_maxrss) include its imports. Scores against the human labels: a comment's first
label is its class (multi-label comments: the first listed, as coded); NMI over all comments
with outliers counted as one more cluster; purity = comments in their cluster's majority
class / all comments (outliers count as wrong); unassigned = share left as outliers.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "benchmarks" / "nhs-fft" / "dev.csv"
sys.path.insert(0, str(ROOT))


def _load():
    import pandas as pd

    frame = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    frame = frame[frame["comment"].str.strip() != ""].reset_index(drop=True)
    return frame["comment"].tolist(), frame["themes"].str.split("|").str[0].tolist()


def _settings():
    from pipeline.config import Settings, ThemesConfig, load_pipeline

    pipeline = load_pipeline(ROOT / "config" / "pipeline.yaml")
    discover = pipeline.discover.model_copy(update={"unit": "comments"})
    return Settings(pipeline=pipeline.model_copy(update={"discover": discover}),
                    themes=ThemesConfig(themes=[]), base_dir=str(ROOT / "config"))


def child(method: str, folder: Path) -> None:
    """Run one method on the saved embeddings; print labels, seconds and peak memory."""
    import numpy as np

    started = time.perf_counter()
    texts = json.loads((folder / "texts.json").read_text())
    vectors = np.load(folder / "vectors.npy")
    settings = _settings()
    if method == "ours":
        from pipeline import clustering, discover
        from pipeline.cluster_labels import cluster_terms

        cfg = settings.pipeline.discover
        labels, path = discover.cluster_documents(vectors, cfg, settings.pipeline.seed)
        labels = clustering.reduce_outliers(vectors, labels, cfg.outlier_min_similarity)
        cluster_terms(texts, labels, cfg.top_words, cfg.label_max_df)
        name = f"ours ({path})"
    else:
        from bertopic import BERTopic
        from bertopic.backend._sklearn import SklearnEmbedder

        from pipeline.embeddings import make_embedder

        embedder = make_embedder("tfidf-svd", 100, settings.pipeline.seed).fit(texts)
        model = BERTopic(embedding_model=SklearnEmbedder(_Wrapped(embedder)))
        labels, _ = model.fit_transform(texts, embeddings=vectors)
        labels = np.asarray(labels)
        name = "stock BERTopic"
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"name": name, "labels": [int(x) for x in labels], "seconds": seconds,
                      "peak_mb": peak_mb}))


class _Wrapped:
    """Our embedder where BERTopic expects a fitted scikit-learn pipeline (no downloads)."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder

    def transform(self, texts):
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


def main() -> None:
    if not DATA.exists():
        print(f"skipped: {DATA} not found (the shared benchmarks are not on this machine)")
        return
    from pipeline.embeddings import make_embedder

    texts, truth = _load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        import numpy as np

        vectors = make_embedder("tfidf-svd", 100, 42).fit_transform(texts)
        np.save(folder / "vectors.npy", vectors)
        (folder / "texts.json").write_text(json.dumps(texts))
        results = []
        for method in ("ours", "stock"):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, __file__, "--child", method, str(folder)],
                                  capture_output=True, text=True, check=True,
                                  env={"HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT),
                                       "PATH": "/usr/bin:/bin"})
            found = json.loads(done.stdout.strip().splitlines()[-1])
            found["process_seconds"] = time.perf_counter() - started
            found.update(score(found["labels"], truth))
            results.append(found)
    print(f"{len(texts)} comments, {len(set(truth))} human classes (first label), "
          "tfidf-svd embeddings (100 dims)\n")
    print("| method | clusters | NMI | purity | unassigned | fit s | process s | peak MB |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['name']} | {r['clusters']} | {r['nmi']:.3f} | {r['purity']:.3f} | "
              f"{r['unassigned']:.1%} | {r['seconds']:.1f} | {r['process_seconds']:.1f} | "
              f"{r['peak_mb']:.0f} |")
    ours, stock = results
    print(f"\nspeed-up (fit): {stock['seconds'] / ours['seconds']:.1f}x; "
          f"(whole process): {stock['process_seconds'] / ours['process_seconds']:.1f}x")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
