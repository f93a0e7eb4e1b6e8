"""Clustering for discovery: plain numpy in, one cluster number per document out.

Two paths, chosen by ``discover.advanced.method`` (``auto`` picks by the number of documents):

- ``small`` (tens to a few thousand documents): Ward hierarchical clustering on the
  unit-length embeddings, the number of clusters chosen by silhouette; clusters smaller
  than the minimum size become outliers.
- ``large``: exact cosine nearest neighbours -> UMAP layout (5 dimensions, PCA start) -> HDBSCAN.

Both then reduce outliers: an outlier joins the cluster whose centroid is most similar,
if that similarity reaches ``outlier_min_similarity``; the rest stay ``-1``.
Everything is deterministic for a fixed seed.
"""

from __future__ import annotations

import logging
import math
import warnings

import numpy as np
from sklearn.preprocessing import normalize

log = logging.getLogger(__name__)

OUTLIER = -1
EXACT_KNN_MAX_DOCS = 20_000  # above this UMAP's own approximate neighbours are used
KNN_BLOCK = 1024  # rows of the similarity matrix computed at a time


def auto_min_cluster_size(n_docs: int, method: str) -> int:
    """Smallest cluster kept: grows with the round (HDBSCAN over-splits large rounds)."""
    if method == "small":
        return max(2, min(10, n_docs // 60))
    return max(10, n_docs // 300)


def auto_cluster_range(n_docs: int) -> range:
    """Cluster counts the small path tries: 2 up to about sqrt(n), at most 40."""
    upper = max(2, min(40, n_docs - 1, math.ceil(math.sqrt(n_docs) * 1.2)))
    return range(min(2, upper), upper + 1)


def cluster_small(vectors: np.ndarray, n_clusters: int | None, min_size: int) -> np.ndarray:
    """Ward clustering; ``n_clusters=None`` picks the count with the best silhouette."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.metrics import silhouette_score

    n_docs = len(vectors)
    if n_docs < 3:
        return np.zeros(n_docs, dtype=int)
    tree = linkage(vectors, method="ward", metric="euclidean")
    if n_clusters is not None:
        labels = fcluster(tree, t=max(1, min(n_clusters, n_docs - 1)), criterion="maxclust")
    else:
        best_score, labels = -2.0, None
        for count in auto_cluster_range(n_docs):
            trial = fcluster(tree, t=count, criterion="maxclust")
            if len(set(trial)) < 2 or len(set(trial)) >= n_docs:
                continue
            # a slight preference for more clusters: generic blobs hide distinct topics
            score = silhouette_score(vectors, trial, metric="cosine") + 0.002 * len(set(trial))
            if score > best_score:
                best_score, labels = score, trial
        if labels is None:
            labels = np.ones(n_docs, dtype=int)
    return renumber(_drop_small(np.asarray(labels) - 1, min_size))


def cluster_large(vectors: np.ndarray, min_size: int, seed: int, n_neighbors: int = 15,
                  n_epochs: int = 200) -> np.ndarray:
    """Exact kNN -> fuzzy neighbour graph -> seeded UMAP layout (5 dims) -> HDBSCAN.

    Up to ``EXACT_KNN_MAX_DOCS`` the neighbour graph is built here in numpy (the same fuzzy
    set UMAP builds, without compiling its numba kernels: ~6 s saved per process) and laid
    out by UMAP's own ``simplicial_set_embedding``; larger rounds use the ``UMAP`` class.
    Outliers are ``-1``.
    """
    neighbors, dims = layout_shape(len(vectors), n_neighbors)
    reduced = umap_layout(vectors, neighbors, dims, seed, n_epochs)
    labels = make_hdbscan(min_size).fit_predict(reduced)
    return renumber(np.asarray(labels, dtype=int))


def layout_shape(n_docs: int, n_neighbors: int = 15) -> tuple[int, int]:
    """Neighbours and layout dimensions the large path uses for ``n_docs`` documents."""
    return max(2, min(n_neighbors, n_docs - 1)), min(5, n_docs - 2)


def nearest_topic(vectors: np.ndarray, topics: dict[int, np.ndarray],
                  min_similarity: float) -> np.ndarray:
    """The id of the topic (unit-length vectors by id) each row's direction is nearest, or
    ``OUTLIER`` when that cosine is below ``min_similarity`` (or there are no topics)."""
    labels = np.full(len(vectors), OUTLIER, dtype=int)
    if not topics or not len(vectors):
        return labels
    ids = np.array(sorted(topics))
    similarity = normalize(vectors) @ np.vstack([topics[c] for c in ids]).T
    best = similarity.argmax(axis=1)
    keep = similarity[np.arange(len(vectors)), best] >= min_similarity
    return np.where(keep, ids[best], OUTLIER)


def make_hdbscan(min_size: int, max_size: int = 0):
    """The large path's HDBSCAN: clusters of at least ``min_size``, outliers ``-1``; with
    ``max_size``, excess of mass never selects a cluster larger than that (it takes the
    cluster's children instead): a guard against a collapse into two or three giant clusters
    (seen on a 1M-comment round's fit sample), 0 = no limit."""
    from hdbscan import HDBSCAN

    return HDBSCAN(min_cluster_size=min_size, min_samples=max(3, min_size // 2),
                   metric="euclidean", cluster_selection_method="eom",
                   max_cluster_size=max_size)


def umap_layout(vectors: np.ndarray, neighbors: int, dims: int, seed: int,
                 n_epochs: int) -> np.ndarray:
    import umap.umap_ as umap_module
    from sklearn.utils import check_random_state

    if len(vectors) > EXACT_KNN_MAX_DOCS:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*n_jobs value.*")
            return umap_module.UMAP(n_neighbors=neighbors, n_components=dims, min_dist=0.0,
                                    metric="cosine", random_state=seed, n_epochs=n_epochs,
                                    init="pca").fit_transform(vectors)
    indices, distances, _ = _exact_knn(vectors, neighbors)
    spread_a, spread_b = umap_module.find_ab_params(1.0, 0.0)
    layout, _ = umap_module.simplicial_set_embedding(
        data=vectors, graph=fuzzy_graph(indices, distances), n_components=dims,
        initial_alpha=1.0, a=spread_a, b=spread_b, gamma=1.0, negative_sample_rate=5,
        n_epochs=n_epochs, init="pca", random_state=check_random_state(seed), metric="cosine",
        metric_kwds={}, densmap=False, densmap_kwds={}, output_dens=False)
    return layout


def fuzzy_graph(indices: np.ndarray, distances: np.ndarray, iterations: int = 64):
    """UMAP's fuzzy simplicial set from a kNN table (self in column 0), as a sparse matrix.

    Each point's nearest positive distance is ``rho``; ``sigma`` is found by bisection so
    that its membership strengths exp(-(d - rho) / sigma) sum to log2(k); the directed
    graph is then symmetrised with the fuzzy union A + A' - A * A'.
    """
    from scipy import sparse

    n_docs, k = distances.shape
    dists = distances.astype(np.float64)
    positive = np.where(dists > 0, dists, np.inf).min(axis=1)
    rho = np.where(np.isfinite(positive), positive, 0.0)
    excess = np.maximum(dists[:, 1:] - rho[:, None], 0.0)
    target = np.log2(k)
    low, high, sigma = np.zeros(n_docs), np.full(n_docs, np.inf), np.ones(n_docs)
    for _ in range(iterations):
        too_wide = np.exp(-excess / sigma[:, None]).sum(axis=1) > target
        high = np.where(too_wide, sigma, high)
        low = np.where(too_wide, low, sigma)
        sigma = np.where(np.isinf(high), sigma * 2, (low + high) / 2)
    floor = 1e-3 * np.where(rho > 0, dists.mean(axis=1), dists.mean())
    sigma = np.maximum(sigma, floor)
    weights = np.exp(-np.maximum(dists - rho[:, None], 0.0) / sigma[:, None])
    weights[indices == np.arange(n_docs)[:, None]] = 0.0
    rows = np.repeat(np.arange(n_docs), k)
    graph = sparse.csr_matrix((weights.ravel(), (rows, indices.ravel())), shape=(n_docs, n_docs))
    graph.eliminate_zeros()
    transpose = graph.transpose().tocsr()
    return (graph + transpose - graph.multiply(transpose)).tocoo()


def _exact_knn(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, None]:
    """Exact cosine neighbours (each point first, as UMAP expects), in blocks, in float32
    (the embedders' own precision; half the time of float64 on 6,000 sentences). Blocks run
    side by side on the process's cores: NumPy's product and partition release the GIL."""
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.threads import cores

    unit = normalize(vectors).astype(np.float32, copy=False)
    indices = np.empty((len(unit), k), dtype=np.int64)
    distances = np.empty((len(unit), k), dtype=np.float32)

    def block_of(start: int) -> None:
        block = unit[start:start + KNN_BLOCK] @ unit.T
        rows = np.arange(len(block))
        block[rows, rows + start] = 2.0  # self first
        # the k best of each row (argpartition: linear, not a full sort), then sorted
        best = np.argpartition(block, len(unit) - k, axis=1)[:, len(unit) - k:]
        ranked = np.argsort(-np.take_along_axis(block, best, axis=1), axis=1, kind="stable")
        order = np.take_along_axis(best, ranked, axis=1)
        indices[start:start + len(block)] = order
        chosen = np.take_along_axis(block, order, axis=1)
        chosen[:, 0] = 1.0
        distances[start:start + len(block)] = np.clip(1.0 - chosen, 0.0, 2.0)

    with ThreadPoolExecutor(cores(), thread_name_prefix="knn") as pool:
        list(pool.map(block_of, range(0, len(unit), KNN_BLOCK)))  # re-raises a block's error
    return indices, distances, None


def reduce_outliers(vectors: np.ndarray, labels: np.ndarray, min_similarity: float) -> np.ndarray:
    """Give each outlier the cluster whose centroid is most similar, above ``min_similarity``."""
    labels = np.asarray(labels).copy()
    outliers = np.flatnonzero(labels == OUTLIER)
    ids = sorted(set(labels.tolist()) - {OUTLIER})
    if not len(outliers) or not ids:
        return labels
    centroids = normalize(np.vstack([vectors[labels == c].mean(axis=0) for c in ids]))
    similarity = normalize(vectors[outliers]) @ centroids.T
    best = similarity.argmax(axis=1)
    keep = similarity[np.arange(len(outliers)), best] >= min_similarity
    labels[outliers[keep]] = np.asarray(ids)[best[keep]]
    return labels


def centroids_of(vectors: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """Unit-length mean vector of each cluster (outliers excluded)."""
    found = {}
    for cluster in sorted(set(labels.tolist()) - {OUTLIER}):
        mean = vectors[labels == cluster].mean(axis=0)
        norm = np.linalg.norm(mean)
        found[cluster] = mean / norm if norm else mean
    return found


def _drop_small(labels: np.ndarray, min_size: int) -> np.ndarray:
    values, counts = np.unique(labels, return_counts=True)
    small = values[counts < min_size]
    return np.where(np.isin(labels, small), OUTLIER, labels)


def renumber(labels: np.ndarray) -> np.ndarray:
    """Number clusters 0.. by size (largest first, ties by first document); outliers stay -1."""
    ids = [c for c in dict.fromkeys(labels.tolist()) if c != OUTLIER]
    sizes = {c: int((labels == c).sum()) for c in ids}
    order = sorted(ids, key=lambda c: (-sizes[c], ids.index(c)))
    mapping = {old: new for new, old in enumerate(order)}
    return np.array([mapping.get(c, OUTLIER) for c in labels.tolist()], dtype=int)
