"""Discovery: clustering paths, outlier reduction, labels, cluster -> theme mapping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.config.models import Settings, ThemesConfig, load_pipeline
from pipeline.discovery import clustering
from pipeline.discovery.labels import cluster_terms, label_of
from pipeline.embed import embedders
from pipeline.io.readers import read_table
from pipeline.runner import call_stage
from pipeline.stages import clean, discover, ingest, tag
from tests.conftest import SAMPLE


def blobs(n_per: int, centres: int, dims: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    middles = rng.normal(size=(centres, dims)) * 4
    points = np.vstack([m + rng.normal(size=(n_per, dims)) * 0.4 for m in middles])
    truth = np.repeat(np.arange(centres), n_per)
    return points / np.linalg.norm(points, axis=1, keepdims=True), truth


def same_partition(found: np.ndarray, truth: np.ndarray) -> bool:
    pairs = {(int(f), int(t)) for f, t in zip(found, truth, strict=True)}
    return len(pairs) == len(set(truth.tolist())) == len(set(found.tolist()))


def test_small_path_finds_the_groups_and_is_deterministic():
    vectors, truth = blobs(6, 4)
    first = clustering.cluster_small(vectors, None, min_size=2)
    assert same_partition(first, truth)
    assert np.array_equal(first, clustering.cluster_small(vectors, None, min_size=2))


def test_small_path_makes_tiny_clusters_outliers():
    vectors, _ = blobs(6, 3)
    lonely = np.vstack([vectors, -vectors[:1]])
    labels = clustering.cluster_small(lonely, 4, min_size=2)
    assert labels[-1] == clustering.OUTLIER


def test_large_path_umap_hdbscan():
    vectors, truth = blobs(40, 3)
    labels = clustering.cluster_large(vectors, min_size=10, seed=1)
    assigned = labels != clustering.OUTLIER
    assert assigned.mean() > 0.9
    assert same_partition(labels[assigned], truth[assigned])
    assert np.array_equal(labels, clustering.cluster_large(vectors, min_size=10, seed=1))


def test_reduce_outliers_respects_the_threshold():
    vectors = np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1], [0.9, 0.2], [-1, 0]], dtype=float)
    labels = np.array([0, 0, 1, 1, -1, -1])
    reduced = clustering.reduce_outliers(vectors, labels, 0.5)
    assert reduced.tolist() == [0, 0, 1, 1, 0, -1]  # the opposite point stays an outlier
    assert labels.tolist() == [0, 0, 1, 1, -1, -1]  # input untouched


def test_labels_are_readable():
    texts = ["Papers arrive late again.", "Late papers, again and again.",
             "Agenda papers arrive the night before.", "The minister should attend.",
             "A minister attended once.", "Ministers attend rarely."] * 2
    labels = np.array([0, 0, 0, 1, 1, 1] * 2)
    terms = cluster_terms(texts, labels, top_n=8, max_df=0.9)
    label = label_of(terms[0].keywords, "x")
    shown = [part.strip() for part in label.split(",")]
    words = [w for part in shown for w in part.split()]
    assert any(w.startswith("paper") for w in words) and len(words) == len(set(words))  # no "papers, papers arrive"
    assert not {"again", "the"} & set(words)  # stop words out
    assert terms[0].coverage == 1.0


def test_label_of_lets_a_bigram_absorb_its_words():
    assert label_of(["forum", "think forum", "think", "value"], "x") == "think forum, value"
    assert label_of([], "cluster 3") == "cluster 3"


def test_generic_words_never_label_a_cluster():
    texts = ["good good great", "really good year", "great year overall"] * 3
    terms = cluster_terms(texts, np.zeros(len(texts), dtype=int), 8, 0.9)
    assert terms[0].keywords == []


CFG = load_pipeline().discover  # the packaged defaults


def test_map_by_tag_overlap():
    status, theme, overlap, _, reason = discover.map_cluster(
        0, {"a": 4, "b": 1}, 10, np.array([1.0, 0.0]),
        {"a": np.array([0.0, 1.0]), "b": np.array([1.0, 0.0])}, CFG, ["a", "b"])
    assert (status, theme, overlap) == ("theme", "a", 0.4)
    assert "tagged a" in reason


def test_map_by_centroid_similarity_without_tags():
    status, theme, _, similarity, reason = discover.map_cluster(
        0, {}, 10, np.array([1.0, 0.0]),
        {"a": np.array([0.0, 1.0]), "b": np.array([0.8, 0.6])}, CFG, ["a", "b"])
    assert (status, theme, similarity) == ("theme", "b", 0.8)
    assert "similarity" in reason


def test_unmapped_cluster_and_outliers():
    assert discover.map_cluster(0, {}, 10, np.array([1.0, 0.0]), {"a": np.array([0.0, 1.0])},
                                CFG, ["a"])[0] == ""
    assert discover.map_cluster(-1, {"a": 9}, 10, None, {}, CFG, ["a"])[0] == "outliers"


@pytest.mark.parametrize("args, status, why", [
    ((2, 0.9, 0.9, 0.0, 1.0), "unexplained", "respondent"),
    ((9, 0.2, 0.9, 0.0, 1.0), "unexplained", "generic"),
    ((9, 0.9, 0.2, 0.0, 1.0), "unexplained", "generic"),
    ((9, 0.9, 0.9, 0.8, 1.0), "unexplained", "tagged"),
    ((9, 0.9, 0.9, 0.0, 0.0), "unexplained", "general remarks"),
    ((9, 0.9, 0.9, 0.0, 0.8), "candidate", "coherent"),
    ((9, 0.9, 0.9, 0.0, 0.4), "unexplained", "general remarks"),
])
def test_candidate_rules(args, status, why):
    found, reason = discover.candidate_status(*args, CFG)
    assert found == status and why in reason


def tiny_tables(settings: Settings, themes: ThemesConfig | None = None):
    from pipeline.config.models import with_overrides

    pipeline = with_overrides(settings.pipeline, ["comment"], "id", "team")
    local = Settings(pipeline=pipeline, themes=themes or settings.themes)
    tables = {"raw": read_table(SAMPLE / "tiny_round.csv").frame}
    for stage in (ingest, clean, tag):
        tables.update(call_stage(stage, tables, local))
    return tables, local


def test_tiny_round_gives_sensible_groups(settings):
    tables, local = tiny_tables(settings)
    produced = call_stage(discover, tables, local)
    clusters = produced["clusters"]
    assert set(clusters["method"]) == {"small"}
    assert set(clusters["status"]) <= {"theme", "candidate", "unexplained", "outliers"}
    mapped = set(clusters.loc[clusters["status"] == "theme", "theme_id"])
    assert mapped == {"communications", "early_engagement", "ics_growth", "ministerial_presence"}
    candidates = clusters[clusters["status"] == "candidate"]
    assert len(candidates) == 1 and "paper" in candidates["label"].iloc[0]
    again = call_stage(discover, tables, local)
    pd.testing.assert_frame_equal(clusters, again["clusters"])


def test_any_embedder_can_be_used(settings, monkeypatch):
    """Discovery only needs fit_transform/transform from whatever make_embedder returns."""

    class Hashing:
        def fit_transform(self, texts):
            return self.transform(texts)

        def transform(self, texts):
            rows = []
            for text in texts:
                row = np.zeros(64)
                for word in embedders.lemma_tokens(text):
                    row[sum(map(ord, word)) % 64] += 1
                rows.append(row / (np.linalg.norm(row) or 1))
            return np.array(rows)

    monkeypatch.setattr(discover, "make_embedder", lambda *args, **kwargs: Hashing())
    tables, local = tiny_tables(settings)
    clusters = call_stage(discover, tables, local)["clusters"]
    assert len(clusters) >= 2 and clusters["n_sentences"].sum() == len(tables["sentences"])


def test_without_themes_everything_is_candidate_or_unexplained(settings):
    tables, local = tiny_tables(settings, ThemesConfig(themes=[]))
    clusters = call_stage(discover, tables, local)["clusters"]
    assert "theme" not in set(clusters["status"])
    assert (clusters["status"] == "candidate").any()


def test_comments_as_units(settings):
    tables, local = tiny_tables(settings)
    cfg = local.pipeline.discover.model_copy(update={"unit": "comments"})
    as_comments = Settings(pipeline=local.pipeline.model_copy(update={"discover": cfg}),
                           themes=local.themes)
    produced = call_stage(discover, tables, as_comments)
    assigned = produced["sentence_clusters"]
    assert set(assigned["sentence_id"]) == set(tables["sentences"]["sentence_id"])
    per_comment = assigned.groupby("comment_id")["cluster_id"].nunique()
    assert (per_comment == 1).all()  # a comment's sentences share its cluster
    assert produced["clusters"]["n_comments"].sum() == tables["comments"]["comment_id"].nunique()


def test_seeding_pulls_tagged_documents_towards_their_theme():
    vectors = np.array([[1.0, 0.0], [1.0, 0.0]])
    themes = {"a": np.array([0.0, 1.0])}
    seeded = discover.seed_vectors(vectors, [{"a"}, set()], themes, weight=1.0)
    assert seeded[0] @ themes["a"] > 0.5 and np.allclose(seeded[1], vectors[1])
    assert np.allclose(np.linalg.norm(seeded, axis=1), 1.0)
    assert discover.seed_vectors(vectors, [{"a"}, set()], themes, weight=0.0) is vectors


def test_fuzzy_graph_matches_umaps_own():
    import umap.umap_ as umap_module

    vectors, _ = blobs(15, 4, seed=3)
    indices, distances, _ = clustering._exact_knn(vectors, 10)
    ours = clustering.fuzzy_graph(indices, distances).tocsr()
    theirs, _, _ = umap_module.fuzzy_simplicial_set(
        vectors, 10, 0, "cosine", knn_indices=indices, knn_dists=distances)
    assert abs(ours - theirs.tocsr()).max() < 1e-4


def test_reordered_bigrams_are_one_keyword():
    texts = ["long wait again", "wait long for the bus", "a long wait", "long wait here"] * 2
    terms = cluster_terms(texts, np.zeros(len(texts), dtype=int), 8, 0.99)
    sets = [frozenset(k.split()) for k in terms[0].keywords]
    assert len(sets) == len(set(sets))
