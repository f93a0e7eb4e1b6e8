"""Discovery: clustering paths, outlier reduction, labels, cluster -> theme mapping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.config.models import Settings, ThemesConfig, load_pipeline
from pipeline.discovery import clustering, topic_model
from pipeline.discovery.labels import cluster_stats, label_of, terms_of_lemmas
from pipeline.discovery.sampling import stratified_sample
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


def cluster_words(texts: list[str], labels: np.ndarray, max_df: float = 0.9,
                  diversity: float = 0.3) -> dict[int, list[str]]:
    """BERTopic's words for clusters given by hand (tfidf-svd vectors; no UMAP, no HDBSCAN)."""
    from bertopic.dimensionality import BaseDimensionalityReduction

    lemmas = [embedders.lemma_tokens(text) for text in texts]
    lemma_texts = [" ".join(words) for words in lemmas]
    embedder = embedders.TfidfSvdEmbedder(dims=5, seed=0).fit(texts)
    model = topic_model.TopicModel(
        embedder, BaseDimensionalityReduction(), topic_model.Clusterer(lambda _: labels), 8,
        diversity, topic_model.common_words(lemmas, max_df))
    model.fit(lemma_texts, embedder.transform(texts))
    return model.describe(lemma_texts, labels)


def test_labels_are_readable():
    texts = ["Papers arrive late again.", "Late papers, again and again.",
             "Agenda papers arrive the night before.", "The minister should attend.",
             "A minister attended once.", "Ministers attend rarely."] * 2
    labels = np.array([0, 0, 0, 1, 1, 1] * 2)
    words = cluster_words(texts, labels)
    label = label_of(words[0], "x")
    shown = [part.strip() for part in label.split(",")]
    found = [w for part in shown for w in part.split()]
    assert any(w.startswith("paper") for w in found) and len(found) == len(set(found))
    assert not {"again", "the"} & set(found)  # stop words out
    assert any(w.startswith("minister") for w in words[1][:2])
    stats = cluster_stats([terms_of_lemmas(embedders.lemma_tokens(t)) for t in texts], labels,
                          words)
    assert stats[0].coverage == 1.0 and stats[1].specificity == 1.0


def test_label_of_lets_a_bigram_absorb_its_words():
    assert label_of(["forum", "think forum", "think", "value"], "x") == "think forum, value"
    assert label_of([], "cluster 3") == "cluster 3"


def test_generic_and_common_words_never_label_a_cluster():
    texts = ["good good great", "really good year", "great year overall",
             "forum papers late", "forum papers again", "forum agenda late"] * 3
    labels = np.array([0, 0, 0, 1, 1, 1] * 3)
    words = cluster_words(texts, labels, max_df=0.4)
    assert words[0] == []  # only judging words
    assert words[1] and not any("forum" in w for w in words[1])  # in more than 40% of texts


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
    cfg = local.pipeline.discover.updated(unit="comments")
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


def test_exact_neighbours_over_several_blocks_match_a_full_sort():
    vectors = np.random.default_rng(5).normal(size=(2 * clustering.KNN_BLOCK + 37, 12))
    indices, distances, _ = clustering._exact_knn(vectors, 8)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, 2.0)  # each point its own first neighbour
    expected = np.argsort(-similarity, axis=1, kind="stable")[:, :8]
    assert np.array_equal(indices, expected)
    assert np.allclose(distances[:, 0], 0.0)
    found = np.take_along_axis(similarity, expected, axis=1)[:, 1:]
    assert np.allclose(distances[:, 1:], 1.0 - found, atol=1e-5)


def test_reordered_bigrams_are_one_keyword():
    assert topic_model.dedupe(["long wait", "wait long", "wait wait", "bus"]) == ["long wait",
                                                                                 "bus"]


def test_sample_is_bounded_seeded_and_stratified():
    strata = ["a"] * 700 + ["b"] * 290 + ["c"] * 10
    first = stratified_sample(strata, 100, seed=3)
    assert len(first) == 100 and len(set(first.tolist())) == 100
    assert np.array_equal(first, np.sort(first))
    picked = [strata[i] for i in first]
    assert (picked.count("a"), picked.count("b"), picked.count("c")) == (70, 29, 1)
    assert np.array_equal(first, stratified_sample(strata, 100, seed=3))  # same seed, same rows
    assert not np.array_equal(first, stratified_sample(strata, 100, seed=4))
    assert stratified_sample(strata, 5000, seed=3).tolist() == list(range(1000))  # all when small


def test_sample_keeps_every_small_stratum_while_it_can():
    strata = ["big"] * 995 + ["x", "y", "z", "w", "v"]
    picked = {strata[i] for i in stratified_sample(strata, 10, seed=0)}
    assert picked == {"big", "x", "y", "z", "w", "v"}


def test_unsampled_documents_join_the_nearest_topic():
    from bertopic.dimensionality import BaseDimensionalityReduction

    vectors, truth = blobs(30, 3, seed=5)
    sample = stratified_sample(["all"] * len(vectors), 30, seed=1)
    model = topic_model.TopicModel(
        None, BaseDimensionalityReduction(),
        topic_model.Clusterer(lambda v: clustering.cluster_small(v, None, 2)), 8, 0.0,
        frozenset())
    model.fit([f"word{t}" for t in truth[sample]], vectors[sample])
    rest = np.setdiff1d(np.arange(len(vectors)), sample)
    assigned = model.assign(vectors[rest], min_similarity=0.0, batch_size=7)  # several batches
    assert same_partition(np.concatenate([model.labels_, assigned]),
                          np.concatenate([truth[sample], truth[rest]]))
    far = model.assign(np.eye(20)[:1], 0.99, batch_size=7)
    assert far.tolist() == [clustering.OUTLIER]  # nothing close enough stays an outlier
    with pytest.raises(RuntimeError, match="not fitted"):
        topic_model.TopicModel(None, None, None, 8, 0.0, frozenset()).assign(vectors, 0.0, 10)


def fft_like_tables(n_per: int = 40):
    """Sentences of three groups and two questions about three plain topics."""
    topics = [["Parking charges for the car park at {} are high.",
               "The car park at {} has no parking spaces.",
               "Parking at {} costs too much, the car park is full."],
              ["Staff at {} were kind, caring nurses.", "Kind caring staff and nurses in {}.",
               "The nurses and staff in {} were kind."],
              ["Long wait at {}, waiting hours to be seen.", "Waited hours at {}; the wait was long.",
               "The waiting time at {} was long, hours of wait."]]
    places = ["the ward", "outpatients", "the clinic", "A&E", "radiology", "the hospital",
              "maternity", "the day unit", "pharmacy", "reception", "the eye unit", "x-ray",
              "the blood clinic", "physio"]
    rows = []
    for i in range(n_per * 3):
        topic = topics[i % 3]
        text = topic[(i // 3) % 3].format(places[(i // 9) % len(places)])
        rows.append({"sentence_id": f"s{i}", "comment_id": f"c{i}", "respondent_id": f"r{i}",
                     "group": ["trust a", "trust b", "trust c"][i % 3 if i % 2 else 0],
                     "question": ["why", "improve"][i % 2], "sentence_index": 1, "start": 0,
                     "end": len(text), "text": text})
    from pipeline.stages.schemas import COMMENT_THEMES, TAGS, empty

    return pd.DataFrame(rows), empty(TAGS), empty(COMMENT_THEMES)


def sampled_settings(settings, **updates):
    cfg = settings.pipeline.discover.updated(embedder="tfidf-svd", **updates)
    return Settings(pipeline=settings.pipeline.model_copy(update={"discover": cfg}),
                    themes=ThemesConfig(themes=[]))


def test_discovery_fitted_on_a_sample_assigns_every_document(settings):
    sentences, tags, themes = fft_like_tables()
    local = sampled_settings(settings, fit_sample_size=45, assign_batch_size=16,
                             label_max_df=0.5)
    produced = discover.discover(sentences, tags, themes, local)
    assigned = produced["sentence_clusters"]
    assert set(assigned["sentence_id"]) == set(sentences["sentence_id"])  # every one accounted for
    clusters = produced["clusters"]
    assert clusters["n_sentences"].sum() == len(sentences)
    unassigned = clusters.loc[clusters["cluster_id"] < 0, "n_sentences"].sum()
    assert unassigned / len(sentences) < 0.1
    # documents fitted and documents assigned end in the same topics: a topic's sentences
    # share its words
    words = {row.cluster_id: row.keywords for row in clusters.itertuples()}
    topic_of = {"parking": "parking", "staff": "staff", "wait": "wait"}
    for key, stem in topic_of.items():
        members = assigned.merge(sentences, on=["sentence_id", "comment_id"])
        found = members[members["text"].str.lower().str.contains(key)]["cluster_id"]
        main = found.mode().iloc[0]
        assert (found == main).mean() > 0.8 and stem in words[main]


def test_same_seed_same_clusters_other_seed_other_sample(settings):
    sentences, tags, themes = fft_like_tables()
    local = sampled_settings(settings, fit_sample_size=45)
    first = discover.discover(sentences, tags, themes, local)
    again = discover.discover(sentences, tags, themes, local)
    pd.testing.assert_frame_equal(first["clusters"], again["clusters"])
    pd.testing.assert_frame_equal(first["sentence_clusters"], again["sentence_clusters"])
    docs = discover.documents(sentences, "sentences")
    cfg = local.pipeline.discover
    assert not np.array_equal(discover.fit_sample(docs, cfg, 1), discover.fit_sample(docs, cfg, 2))
    picked = docs.iloc[discover.fit_sample(docs, cfg, 1)]
    assert len(picked) == 45 and picked.groupby(["group", "question"]).size().min() >= 1


def test_manifest_reports_cluster_sizes():
    from pipeline.run_folder import cluster_spread

    clusters = pd.DataFrame({"cluster_id": [-1, 0, 1, 2], "n_sentences": [5, 50, 30, 15]})
    spread = cluster_spread(clusters, fit_sample_size=60)
    assert spread == {"documents": 100, "fitted_on": 60,
                      "cluster_sizes": {"min": 15, "median": 30.0, "max": 50,
                                        "largest_share": 0.5}}
    assert cluster_spread(clusters.iloc[:0], 60)["cluster_sizes"]["max"] == 0


def test_a_round_beyond_the_describing_sample_is_placed_and_counted_whole(settings):
    sentences, tags, themes = fft_like_tables(60)
    whole = discover.discover(sentences, tags, themes,
                              sampled_settings(settings, fit_sample_size=60, label_max_df=0.5))
    bounded = sampled_settings(settings, fit_sample_size=60, describe_sample_size=90,
                               assign_batch_size=7, label_max_df=0.5)
    calls = []

    def placed_here(docs, lookup, assigner):
        calls.append(len(docs))
        return discover.assign_documents(docs, lookup, assigner)

    produced = discover.discover(sentences, tags, themes, bounded, assign_rest=placed_here)
    assert calls == [len(sentences) - 90]  # the rest, once, through the plug-in placer
    assigned, clusters = produced["sentence_clusters"], produced["clusters"]
    assert list(assigned["sentence_id"]) == list(sentences["sentence_id"])  # all, in order
    # the counts are made over every sentence, not the sample
    recount = assigned.merge(sentences, on=["sentence_id", "comment_id"]).groupby(
        "cluster_id").agg(n=("text", "size"), r=("respondent_id", "nunique"))
    by_id = clusters.set_index("cluster_id")
    assert by_id["n_sentences"].sum() == len(sentences)
    for cluster_id, row in recount.iterrows():
        assert by_id.loc[cluster_id, "n_sentences"] == row["n"]
        assert by_id.loc[cluster_id, "n_respondents"] == row["r"]
    # placing the rest mixes no topics: each cluster is (almost) one of the three topics
    members = assigned.merge(sentences, on=["sentence_id", "comment_id"])
    topic = members["text"].str.lower().str.extract("(park|staff|wait)")[0]
    placed = members[members["cluster_id"] >= 0]
    purity = topic[placed.index].groupby(placed["cluster_id"]).agg(
        lambda found: found.value_counts(normalize=True).iloc[0])
    assert len(purity) >= 3 and (purity >= 0.9).all()
    assert (members["cluster_id"] < 0).mean() < 0.1
    # a bound at or above the round's size changes nothing
    same = discover.discover(sentences, tags, themes, sampled_settings(
        settings, fit_sample_size=60, describe_sample_size=len(sentences), label_max_df=0.5))
    pd.testing.assert_frame_equal(same["clusters"], whole["clusters"])
    pd.testing.assert_frame_equal(same["sentence_clusters"], whole["sentence_clusters"])


def test_a_plug_in_describer_describes_the_sample_in_place_of_this_process(settings):
    # the Dask engine describes on a worker through ``describe_with``: it is handed the
    # describing sample (not the round), and what it gives back is the run's result
    sentences, tags, themes = fft_like_tables(60)
    bounded = sampled_settings(settings, fit_sample_size=60, describe_sample_size=90,
                               label_max_df=0.5)
    here = discover.discover(sentences, tags, themes, bounded)
    handed = []

    def elsewhere(docs, tags_, themes_, settings_, vectors):
        handed.append(docs)
        found, clusters, assigner = discover.describe_documents(docs, tags_, themes_,
                                                                 settings_, vectors)
        return found[["cluster_id", "on_topic"]].pipe(docs.join), clusters, assigner

    there = discover.discover(sentences, tags, themes, bounded, describe_with=elsewhere)
    assert [len(docs) for docs in handed] == [90]
    assert set(handed[0]["sentence_id"]) <= set(sentences["sentence_id"])
    pd.testing.assert_frame_equal(there["clusters"], here["clusters"])
    pd.testing.assert_frame_equal(there["sentence_clusters"], here["sentence_clusters"])
    # given vectors are this process's: discovery then describes here
    vectors = np.random.default_rng(0).normal(size=(len(sentences), 8))
    discover.discover(sentences, tags, themes, bounded, vectors=vectors,
                      describe_with=elsewhere)
    assert len(handed) == 1


def test_placing_in_batches_equals_placing_at_once(settings):
    sentences, tags, themes = fft_like_tables(40)
    bounded = sampled_settings(settings, fit_sample_size=50, describe_sample_size=60,
                               label_max_df=0.5)
    captured = {}

    def keep(docs, lookup, assigner):
        captured["args"] = (docs, lookup, assigner)
        return discover.assign_documents(docs, lookup, assigner)

    discover.discover(sentences, tags, themes, bounded, assign_rest=keep)
    docs, lookup, assigner = captured["args"]
    at_once = discover.assign_documents(docs, lookup, assigner.set_params(batch_size=10**6))
    in_threes = discover.assign_documents(docs, lookup, assigner.set_params(batch_size=3))
    assert np.array_equal(at_once[0], in_threes[0]) and np.array_equal(at_once[1], in_threes[1])
    assert at_once[1].any()  # on_topic is worked out for placed documents too


def test_a_cap_on_cluster_size_stops_a_collapse_into_giant_clusters():
    # two far-apart regions, each of four touching topics: excess of mass takes the regions
    rng = np.random.default_rng(0)
    points = np.vstack([np.array([macro + sub * 1.5, 0.0]) + rng.normal(scale=0.5, size=(100, 2))
                        for macro in (0, 60) for sub in range(4)])
    plain = clustering.make_hdbscan(20).fit(points).labels_
    capped = clustering.make_hdbscan(20, 200).fit(points).labels_
    assert sorted(np.bincount(plain[plain >= 0])) == [400, 400]
    sizes = np.bincount(capped[capped >= 0])
    assert len(sizes) >= 4 and sizes.max() <= 200
    # each capped cluster lies inside one region
    for label in set(capped.tolist()) - {-1}:
        assert len(set((points[capped == label, 0] > 30).tolist())) == 1
