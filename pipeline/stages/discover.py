"""Stage ``discover``: clusters over sentences (or comments), each mapped to a theme or not.

Embeddings come from any embedder ``make_embedder`` knows. Sentences the tag stage already
put in a theme are nudged towards that theme's centroid (``seed_weight``), so clusters
form around the themes and the rest of the round clusters by its own content. The
clustering path (``small``: Ward + silhouette; ``large``: UMAP + HDBSCAN) is chosen by
size and recorded in the ``method`` column. Each cluster ends as one ``status``:

- ``theme``: part of a theme, by tag overlap or by centroid similarity (``reason`` says which);
- ``candidate``: a coherent topic no theme covers, with enough respondents;
- ``unexplained``: too small, too generic (general praise, filler) or mostly tagged already
  but matching no single theme;
- ``outliers``: documents left unassigned after outlier reduction (cluster ``-1``).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from pipeline.config.models import DiscoverSettings, Settings, ThemesConfig, slugify
from pipeline.discovery import clustering, topic_model
from pipeline.discovery.assign import (
    Assigner,
    assign_documents,
    doc_keys,
    on_topic,
    seed_vectors,
)
from pipeline.discovery.labels import (
    COVERAGE_TERMS,
    ClusterTerms,
    as_written,
    cluster_stats,
    label_of,
    surface_forms,
    terms_of_lemmas,
)
from pipeline.discovery.sampling import stratified_sample
from pipeline.embed.base import CachedEmbedder
from pipeline.embed.embedders import lemma_tokens
from pipeline.embed.registry import make_embedder
from pipeline.stages.schemas import (
    CLUSTERS,
    COMMENT_THEMES,
    SENTENCE_CLUSTERS,
    SENTENCES,
    TAGS,
    empty,
)
from pipeline.text.stance import ASK, classify

log = logging.getLogger(__name__)

NAME = "discover"
REQUIRES = {"sentences": SENTENCES, "tags": TAGS, "comment_themes": COMMENT_THEMES}
PRODUCES = {"sentence_clusters": SENTENCE_CLUSTERS, "clusters": CLUSTERS}
MIN_DOCS = 3
MIN_WORDS = 5  # distinct words a round needs before its topics can be told apart
SKIPPED = "skipped"  # ``method`` of the one row a discovery that found nothing leaves
FOUND_NOTHING = "discovery found nothing: "  # how that row's ``reason`` starts


def run(tables: dict[str, pd.DataFrame], settings: Settings,
        assign_rest: Callable | None = None,
        describe_with: Callable | None = None) -> dict[str, pd.DataFrame]:
    return discover(tables["sentences"], tables["tags"], tables["comment_themes"], settings,
                    assign_rest=assign_rest, describe_with=describe_with)


def discover(sentences: pd.DataFrame, tags: pd.DataFrame, comment_themes: pd.DataFrame,
             settings: Settings, vectors: np.ndarray | None = None,
             assign_rest: Callable[[pd.DataFrame, dict[str, set[str]], Assigner], tuple]
             | None = None,
             describe_with: Callable | None = None,
             ) -> dict[str, pd.DataFrame]:
    """-> ``sentence_clusters`` (sentence_id, comment_id, cluster_id, on_topic: the document
    uses one of its cluster's top keywords) and ``clusters``
    (cluster_id, label, keywords (as respondents wrote them), counts, status, theme_id,
    overlap, similarity, coherence, tagged_share, reason, examples, method).
    ``vectors``: precomputed embeddings of the documents (e.g. from a cache), made by the
    configured embedder.

    A round of more than ``discover.advanced.describe_sample_size`` documents is discovered on a
    seeded, stratified sample of that many (fit, merge, words, statuses and examples); every
    other document then joins its nearest final topic in batches (``assign_rest``, e.g. per
    partition on a Dask cluster; by default here) and the counts are made over all of them,
    so no more than the sample's and one batch's vectors are ever held.

    ``describe_with``: called as ``describe_documents`` is, in its place (e.g. on a Dask
    worker, so this process never loads the embedder or the topic model); not used when
    ``vectors`` are given (they are this process's)."""
    started = time.perf_counter()
    cfg = settings.pipeline.discover
    describe = describe_with if describe_with is not None and vectors is None \
        else describe_documents
    docs = documents(sentences, cfg.advanced.unit)
    bound = cfg.advanced.describe_sample_size
    if not cfg.enabled or bound is None or len(docs) <= bound:
        docs, clusters = describe(docs, tags, comment_themes, settings, vectors)[:2]
    else:
        working = fit_sample(docs, cfg, settings.pipeline.seed, bound)
        rest = np.setdiff1d(np.arange(len(docs)), working)
        found, clusters, assigner = describe(
            docs.iloc[working].reset_index(drop=True), tags, comment_themes, settings,
            None if vectors is None else vectors[working])
        if assigner is not None:
            others = docs.iloc[rest].reset_index(drop=True)
            lookup = theme_lookup(tags, comment_themes, cfg.advanced.unit)
            place = assign_rest or assign_documents
            if vectors is not None:  # given for this process: placed here with them
                place = functools.partial(assign_documents, vectors=vectors[rest])
            labels, on_topic = place(others, lookup, assigner)
            del others  # placed: the round's documents get their clusters where they stand
            cluster_ids = np.empty(len(docs), dtype=int)
            cluster_ids[working] = found["cluster_id"].to_numpy()
            cluster_ids[rest] = labels
            topical = np.empty(len(docs), dtype=bool)
            topical[working] = found["on_topic"].to_numpy()
            topical[rest] = on_topic
            del found, labels, on_topic
            docs = docs.assign(cluster_id=cluster_ids, on_topic=topical)
            clusters = recount(clusters, docs, lookup, cfg.advanced.unit)
            log.info("discover: %d documents described on a sample of %d, the rest placed",
                     len(docs), len(working))
        elif clusters is not None:  # the sample found nothing: the whole round says why
            docs, clusters = nothing_found(docs, str(clusters["reason"].iat[0]).removeprefix(
                FOUND_NOTHING))
        else:
            docs = None
    if docs is None:
        return {"sentence_clusters": empty(SENTENCE_CLUSTERS).astype({"cluster_id": int,
                                                                      "on_topic": bool}),
                "clusters": empty(CLUSTERS)}
    assignment = _assignment(sentences, docs, cfg.advanced.unit)
    labels = docs["cluster_id"].to_numpy()
    left = float((labels == clustering.OUTLIER).mean()) if len(labels) else 0.0
    log.info("discover: %d documents -> %d clusters (%s), %.1f%% left as outliers (%.2fs)",
             len(docs), int((clusters["cluster_id"] >= 0).sum()),
             clusters["method"].iloc[0] if len(clusters) else "-", 100 * left,
             time.perf_counter() - started)
    return {"sentence_clusters": assignment, "clusters": clusters}


def _assignment(sentences: pd.DataFrame, docs: pd.DataFrame, unit: str) -> pd.DataFrame:
    """``sentence_clusters``: each sentence with its document's cluster and on_topic. Sentence
    documents are ``sentences``' rows in their order (``documents``), so they are matched by
    place, not by a join on their ids (which holds the round's ids twice more)."""
    if unit == "sentences" and docs["sentence_id"].reset_index(drop=True).equals(
            sentences["sentence_id"].reset_index(drop=True)):
        assignment = sentences[["sentence_id", "comment_id"]].assign(
            cluster_id=docs["cluster_id"].to_numpy(), on_topic=docs["on_topic"].to_numpy())
    else:
        assignment = sentences[["sentence_id", "comment_id"]].merge(
            docs[["comment_id", "cluster_id", "on_topic"]
                 + (["sentence_id"] if unit == "sentences" else [])],
            on=["sentence_id", "comment_id"] if unit == "sentences" else ["comment_id"],
            how="inner")
    return assignment[list(SENTENCE_CLUSTERS)].astype(
        {"cluster_id": int, "on_topic": bool}).reset_index(drop=True)


def describe_documents(docs: pd.DataFrame, tags: pd.DataFrame, comment_themes: pd.DataFrame,
                       settings: Settings, vectors: np.ndarray | None
                       ) -> tuple[pd.DataFrame | None, pd.DataFrame | None, Assigner | None]:
    """Discovery over ``docs``: (docs with ``cluster_id`` and ``on_topic``, the clusters
    table, an ``Assigner`` that places other documents among these clusters); (None, None,
    None) when discovery is off; a round too degenerate to cluster (``degenerate``) gives
    ``nothing_found``'s one row and no ``Assigner``."""
    cfg = settings.pipeline.discover
    if not cfg.enabled:
        log.info("discover: skipped (disabled)")
        return None, None, None
    # a round whose answers have hardly a word ("42", "3/5") has nothing to cluster on;
    # otherwise word-less answers ("No", "N/A") stay in and cluster together
    lemmas = [lemma_tokens(text) for text in docs["text"]]
    reason = degenerate(lemmas)
    if reason is not None:
        log.info("discover: found nothing (%s)", reason)
        return (*nothing_found(docs, reason), None)

    texts = docs["text"].tolist()
    vectors_given = vectors is not None
    tag_cfg = settings.pipeline.tag
    embedder = make_embedder(cfg.embedder, cfg.advanced.embedding_dims, settings.pipeline.seed,
                             tag_cfg.advanced.static_model_dir,
                             onnx_dir=tag_cfg.advanced.onnx_model_dir,
                             max_entries=tag_cfg.advanced.memory_cache_entries)
    if vectors is None:
        vectors = embedder.fit_transform(texts)
    elif settings.themes.themes:
        embedder.fit(texts)  # theme centroids go through the same fitted embedder
    theme_vectors = theme_centroids(embedder, settings.themes)
    doc_themes = doc_theme_sets(docs, tags, comment_themes, cfg.advanced.unit)
    seeded = seed_vectors(vectors, doc_themes, theme_vectors, cfg.advanced.seed_weight)
    lemma_texts = [" ".join(words) for words in lemmas]
    doc_terms = [terms_of_lemmas(words) for words in lemmas]
    fitted, sample, labels, method = cluster_documents(
        docs, lemma_texts, seeded, embedder, cfg, settings.pipeline.seed,
        topic_model.common_words(lemmas, cfg.advanced.label_max_df))
    if vectors_given and not settings.themes.themes and cfg.advanced.label_diversity > 0:
        embedder.fit([texts[i] for i in sample])  # MMR embeds candidate words with it
    labels = merge_shared_topics(fitted, lemma_texts, vectors, labels, doc_themes,
                                 docs["respondent_id"].to_numpy(), cfg)
    fitted.set_labels(seeded, labels)  # the kept model: final topics and their embeddings
    terms = cluster_stats(doc_terms, labels, fitted.describe(lemma_texts, labels))
    docs = docs.assign(cluster_id=labels)

    clusters = describe(docs, vectors, doc_themes, theme_vectors, cfg, settings.themes, terms,
                        doc_terms)
    # a document is on topic when it shares a term with the cluster's first keywords, or a
    # word of one: BERTopic's words are often pairs ("travel london"), and an answer about
    # travelling to London that says it differently is still on that topic
    keywords = {}
    for row in clusters.itertuples(index=False):
        top = set(str(row.keywords).split("|")[:COVERAGE_TERMS]) - {""}
        keywords[row.cluster_id] = top | {word for term in top for word in term.split()}
    docs = docs.assign(on_topic=on_topic(labels, doc_terms, keywords))
    # labels and keywords in the respondents' own words (as the fitted sample spells them)
    surface = surface_forms([texts[i] for i in sample])
    written = [[as_written(k, surface) for k in str(words).split("|") if k]
               for words in clusters["keywords"]]
    clusters = clusters.assign(
        label=[label_of(words, label) for words, label in zip(written, clusters["label"],
                                                               strict=True)],
        keywords=["|".join(words) for words in written],
        theme_id=_written_ids(clusters, written))
    clusters = clusters.assign(method=method)[list(CLUSTERS)]
    assigner = Assigner(
        seed_weight=cfg.advanced.seed_weight, min_similarity=cfg.advanced.outlier_min_similarity,
        batch_size=cfg.advanced.assign_batch_size,
        embedder=None if isinstance(embedder, CachedEmbedder) else embedder,
        embedder_args=(cfg.embedder, cfg.advanced.embedding_dims, settings.pipeline.seed,
                       tag_cfg.advanced.static_model_dir, tag_cfg.advanced.onnx_model_dir,
                       tag_cfg.advanced.memory_cache_entries), unit=cfg.advanced.unit,
    ).fit(seeded, labels, themes=theme_vectors, keywords=keywords)
    return docs, clusters, assigner


def degenerate(lemmas: list[list[str]]) -> str | None:
    """Why a round whose documents have these lemmas cannot be clustered (too few documents
    with words, too few different ones, too few different words), or None when it can."""
    with_words = [" ".join(words) for words in lemmas if words]
    if not lemmas:
        return "no answers were left to cluster after cleaning (every answer was empty or a " \
               "non-answer)"
    if len(with_words) < MIN_DOCS:
        return (f"only {len(with_words)} of {len(lemmas)} answers have words to cluster on; "
                f"discovery needs at least {MIN_DOCS}")
    distinct = len(set(with_words))
    if distinct < MIN_DOCS:
        return (f"the {len(with_words)} answers with words say only {distinct} different "
                f"thing(s); discovery needs at least {MIN_DOCS} different answers")
    vocabulary = {word for words in lemmas for word in words}
    if len(vocabulary) < MIN_WORDS:
        return (f"the answers use only {len(vocabulary)} different words; discovery needs at "
                f"least {MIN_WORDS} to tell topics apart")
    return None


def nothing_found(docs: pd.DataFrame, reason: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(``docs`` all left unclustered (cluster -1, off topic), a clusters table of one
    ``outliers`` row whose ``reason`` says why discovery found nothing, method ``skipped``):
    the manifest and the report show that reason."""
    docs = docs.assign(cluster_id=clustering.OUTLIER, on_topic=False)
    row = {"cluster_id": clustering.OUTLIER, "label": "not clustered", "keywords": "",
           "n_sentences": len(docs), "n_comments": int(docs["comment_id"].nunique()),
           "n_respondents": int(docs["respondent_id"].nunique()), "status": "outliers",
           "theme_id": "", "overlap": 0.0, "similarity": 0.0, "coherence": 0.0,
           "tagged_share": 0.0, "reason": f"{FOUND_NOTHING}{reason}", "examples": "",
           "method": SKIPPED}
    return docs, pd.DataFrame([row], columns=list(CLUSTERS))


def documents(sentences: pd.DataFrame, unit: str) -> pd.DataFrame:
    """What is clustered: sentences, or whole comments (sentences joined)."""
    if unit == "sentences":
        columns = ["sentence_id", "comment_id", "respondent_id", "group", "question", "text"]
        return sentences[columns].reset_index(drop=True)
    grouped = sentences.groupby("comment_id", sort=False).agg(
        respondent_id=("respondent_id", "first"), group=("group", "first"),
        question=("question", "first"), text=("text", " ".join)).reset_index()
    return grouped.assign(sentence_id=grouped["comment_id"])


def choose_method(cfg: DiscoverSettings, n_docs: int) -> str:
    if cfg.advanced.method != "auto":
        return cfg.advanced.method
    return "small" if n_docs <= cfg.advanced.small_round_max_docs else "large"


def fit_sample(docs: pd.DataFrame, cfg: DiscoverSettings, seed: int,
               size: int | None = None) -> np.ndarray:
    """Positions of the documents BERTopic is fitted on: at most ``size`` (default
    ``fit_sample_size``), drawn with ``seed`` in proportion to each group and question."""
    strata = docs["group"].astype(str) + "\x1f" + docs["question"].astype(str)
    return stratified_sample(strata, cfg.advanced.fit_sample_size if size is None else size, seed)


def cluster_documents(docs: pd.DataFrame, lemma_texts: list[str], vectors: np.ndarray, embedder,
                      cfg: DiscoverSettings, seed: int, common: frozenset[str]
                      ) -> tuple[topic_model.TopicModel, np.ndarray, np.ndarray, str]:
    """Fit BERTopic (our reducer and clusterer, see ``topic_model``) once on a stratified
    sample, reduce the sample's outliers, then assign every other document to the nearest
    topic embedding in batches. -> the fitted model, the sample's positions, one cluster per
    document (``-1`` = outlier, numbered 0.. by size) and the path taken."""
    sample = fit_sample(docs, cfg, seed)
    method = choose_method(cfg, len(sample))
    size = (clustering.auto_min_cluster_size(len(sample), method)
            if cfg.advanced.min_cluster_size == "auto" else int(cfg.advanced.min_cluster_size))
    if method == "small":
        from bertopic.dimensionality import BaseDimensionalityReduction

        count = None if cfg.advanced.n_clusters == "auto" else int(cfg.advanced.n_clusters)
        reducer = BaseDimensionalityReduction()
        clusterer = topic_model.Clusterer(
            lambda reduced: clustering.cluster_small(reduced, count, size))
    else:
        neighbors, dims = clustering.layout_shape(len(sample))
        reducer = topic_model.Layout(neighbors, dims, seed, cfg.advanced.umap_epochs)
        clusterer = clustering.make_hdbscan(size, int(cfg.advanced.max_cluster_share * len(sample)))
    fitted = topic_model.TopicModel(embedder, reducer, clusterer, cfg.advanced.top_words,
                                    cfg.advanced.label_diversity, common)
    sampled = vectors[sample]
    fitted.fit([lemma_texts[i] for i in sample], sampled)
    fitted.set_labels(sampled, clustering.reduce_outliers(sampled, fitted.labels_,
                                                          cfg.advanced.outlier_min_similarity))
    labels = np.full(len(vectors), clustering.OUTLIER, dtype=int)
    labels[sample] = fitted.labels_
    rest = np.setdiff1d(np.arange(len(vectors)), sample)
    if len(rest):
        labels[rest] = fitted.assign(vectors[rest], cfg.advanced.outlier_min_similarity,
                                     cfg.advanced.assign_batch_size)
    return fitted, sample, clustering.renumber(labels), method


def merge_shared_topics(fitted: topic_model.TopicModel, lemma_texts: list[str],
                        vectors: np.ndarray, labels: np.ndarray,
                        doc_themes: list[set[str]], respondents: np.ndarray,
                        cfg: DiscoverSettings) -> np.ndarray:
    """Merge clusters of mostly untagged documents that share one of their top two c-TF-IDF
    words when their centroids are alike (``merge_min_similarity``) or one is a fragment too
    small to stand as a candidate: "late, papers" and "read, papers" are one topic split in
    two; "staff, rude" and "staff, friendly" are not."""
    words = fitted.describe(lemma_texts, labels, diverse=False)
    centroids = clustering.centroids_of(vectors, labels)
    tagged = np.array([bool(found) for found in doc_themes])
    untagged = [c for c in sorted(words) if tagged[labels == c].mean()
                <= cfg.advanced.candidate_max_tagged_share and words[c]]
    fragment = {c: len(set(respondents[labels == c])) < cfg.advanced.candidate_min_respondents
                for c in untagged}
    target = {c: c for c in untagged}
    for position, first in enumerate(untagged):
        for second in untagged[position + 1:]:
            if target[second] == second and target[first] == first and \
                    set(words[first][:2]) & set(words[second][:2]) and \
                    (fragment[first] or fragment[second] or
                     float(centroids[first] @ centroids[second])
                     >= cfg.advanced.merge_min_similarity):
                target[second] = first
    if all(k == v for k, v in target.items()):
        return labels
    merged = np.array([target.get(c, c) for c in labels.tolist()], dtype=int)
    return clustering.renumber(merged)


def theme_centroids(embedder, themes: ThemesConfig) -> dict[str, np.ndarray]:
    """Each theme's centroid in the documents' embedding space: the mean of its label with
    description, each example, and its keywords."""
    found = {}
    for theme in themes.themes:
        texts = [f"{theme.label}. {theme.description}".strip(), *theme.examples]
        if theme.keywords:
            texts.append(", ".join(theme.keywords))
        mean = embedder.transform(texts).mean(axis=0)
        norm = np.linalg.norm(mean)
        found[theme.id] = mean / norm if norm else mean
    return found


def theme_lookup(tags: pd.DataFrame, comment_themes: pd.DataFrame,
                 unit: str) -> dict[str, set[str]]:
    """Document key (``sentence_id`` or ``comment_id``, by ``unit``) -> the themes the tag
    stage gave it; documents without a theme are not in it."""
    if unit == "sentences":
        return tags.groupby("sentence_id")["theme_id"].agg(set).to_dict() if len(tags) else {}
    return (comment_themes.groupby("comment_id")["theme_id"].agg(set).to_dict()
            if len(comment_themes) else {})


def doc_theme_sets(docs: pd.DataFrame, tags: pd.DataFrame, comment_themes: pd.DataFrame,
                   unit: str) -> list[set[str]]:
    """The themes the tag stage gave each document."""
    lookup = theme_lookup(tags, comment_themes, unit)
    return [set(lookup.get(key, set())) for key in doc_keys(docs, unit)]


def recount(clusters: pd.DataFrame, docs: pd.DataFrame, lookup: dict[str, set[str]],
            unit: str) -> pd.DataFrame:
    """The clusters table with its counts (sentences, comments, respondents, tagged share)
    made over every document in ``docs``; a row for the outliers when only documents
    assigned after the sample are left out."""
    tagged = doc_keys(docs, unit).map(lambda key: key in lookup).to_numpy()
    counted = docs.assign(_tagged=tagged).groupby("cluster_id").agg(
        n_sentences=("text", "size"), n_comments=("comment_id", "nunique"),
        n_respondents=("respondent_id", "nunique"), tagged_share=("_tagged", "mean"))
    if clustering.OUTLIER in counted.index and \
            not (clusters["cluster_id"] == clustering.OUTLIER).any():
        status, theme_id, overlap, similarity, reason = map_cluster(
            clustering.OUTLIER, {}, 0, None, {}, None, [])
        outliers = {"cluster_id": clustering.OUTLIER, "label": "outliers", "keywords": "",
                    "status": status, "theme_id": theme_id, "overlap": overlap,
                    "similarity": similarity, "coherence": 0.0, "tagged_share": 0.0,
                    "reason": reason, "examples": "", "method": clusters["method"].iloc[0]}
        clusters = pd.concat([pd.DataFrame([outliers]), clusters], ignore_index=True)
    counts = counted.reindex(clusters["cluster_id"]).reset_index(drop=True)
    return clusters.assign(
        n_sentences=counts["n_sentences"].fillna(0).astype(int).to_numpy(),
        n_comments=counts["n_comments"].fillna(0).astype(int).to_numpy(),
        n_respondents=counts["n_respondents"].fillna(0).astype(int).to_numpy(),
        tagged_share=counts["tagged_share"].fillna(0.0).round(4).to_numpy(),
    )[list(CLUSTERS)]


def describe(docs: pd.DataFrame, vectors: np.ndarray, doc_themes: list[set[str]],
             theme_vectors: dict[str, np.ndarray], cfg: DiscoverSettings,
             themes: ThemesConfig, terms: dict[int, ClusterTerms],
             doc_terms: list[set[str]]) -> pd.DataFrame:
    """One row per cluster with its label, counts, mapping and the reason for its status;
    ``terms``: each cluster's words (from BERTopic) and their coverage; ``doc_terms``: each
    document's lemma unigrams and bigrams."""
    labels = docs["cluster_id"].to_numpy()
    centroids = clustering.centroids_of(vectors, labels)
    rows, used_ids = [], set(themes.ids)
    for cluster_id in sorted(set(labels.tolist())):
        members = np.flatnonzero(labels == cluster_id)
        member_docs = docs.iloc[members]
        found = terms.get(cluster_id)
        keywords = found.keywords if found else []
        counts: dict[str, int] = {}
        for row in members:
            for theme_id in doc_themes[row]:
                counts[theme_id] = counts.get(theme_id, 0) + 1
        tagged_share = float(np.mean([bool(doc_themes[row]) for row in members]))
        mapping = map_cluster(cluster_id, counts, len(members), centroids.get(cluster_id),
                              theme_vectors, cfg, themes.ids)
        status, theme_id, overlap, similarity, reason = mapping
        n_respondents = int(member_docs["respondent_id"].nunique())
        coherence = found.coverage if found else 0.0
        if status == "":
            texts = member_docs["text"]
            status, reason = candidate_status(
                n_respondents, coherence, found.specificity if found else 0.0, tagged_share,
                lambda texts=texts: float(np.mean([classify(t) == ASK for t in texts])), cfg)
            if status == "candidate":
                words = dict.fromkeys(label_of(keywords, "", 2).replace(",", " ").split())
                theme_id = _unique_id(slugify("_".join(words)) or f"topic_{cluster_id}",
                                      used_ids)
        rows.append({
            "cluster_id": int(cluster_id),
            "label": label_of(keywords, "outliers" if cluster_id < 0 else f"cluster {cluster_id}"),
            "keywords": "|".join(keywords), "n_sentences": len(members),
            "n_comments": int(member_docs["comment_id"].nunique()),
            "n_respondents": n_respondents, "status": status, "theme_id": theme_id,
            "overlap": round(overlap, 4), "similarity": round(similarity, 4),
            "coherence": round(coherence, 4), "tagged_share": round(tagged_share, 4),
            "reason": reason,
            "examples": "\n".join(representatives(
                member_docs["text"].tolist(), vectors[members], cfg.advanced.candidate_examples,
                keywords[:4], [doc_terms[row] for row in members])),
        })
    return pd.DataFrame(rows, columns=[c for c in CLUSTERS if c != "method"])


def map_cluster(cluster_id: int, counts: dict[str, int], size: int, centroid,
                theme_vectors: dict[str, np.ndarray], cfg: DiscoverSettings,
                theme_order: list[str]) -> tuple[str, str, float, float, str]:
    """(status, theme_id, overlap, similarity, reason); status '' = not a theme."""
    if cluster_id < 0:
        return "outliers", "", 0.0, 0.0, "left unassigned after outlier reduction"
    similarities = ({t: float(centroid @ v) for t, v in theme_vectors.items()}
                    if centroid is not None else {})
    if not theme_order:
        return "", "", 0.0, 0.0, ""
    by_overlap = max(theme_order, key=lambda t: (counts.get(t, 0), similarities.get(t, 0.0)))
    overlap = counts.get(by_overlap, 0) / size if size else 0.0
    by_similarity = max(theme_order, key=lambda t: similarities.get(t, 0.0))
    best_similarity = similarities.get(by_similarity, 0.0)
    if overlap >= cfg.advanced.map_min_overlap:
        return ("theme", by_overlap, overlap, similarities.get(by_overlap, 0.0),
                f"{overlap:.0%} of its sentences are tagged {by_overlap}")
    if best_similarity >= cfg.advanced.map_min_similarity:
        share = counts.get(by_similarity, 0) / size if size else 0.0
        return ("theme", by_similarity, share, best_similarity,
                f"centroid similarity {best_similarity:.2f} to {by_similarity}")
    both = similarities.get(by_overlap, 0.0)
    if overlap > 0 and overlap + both >= cfg.advanced.map_min_combined:
        return ("theme", by_overlap, overlap, both,
                f"{overlap:.0%} tagged {by_overlap} and centroid similarity {both:.2f}")
    return "", "", overlap, best_similarity, ""


def candidate_status(n_respondents: int, coherence: float, specificity: float,
                     tagged_share: float, ask_share: float | Callable[[], float],
                     cfg: DiscoverSettings) -> tuple[str, str]:
    """A cluster no theme explains is a candidate only if it is a real, shared topic that
    respondents want something done about (general praise and filler are not).
    ``ask_share`` may be a function: the stance of every member is then only worked out
    for a cluster that passes the other rules."""
    if n_respondents < cfg.advanced.candidate_min_respondents:
        return "unexplained", (f"only {n_respondents} respondent(s); a candidate needs "
                               f"{cfg.advanced.candidate_min_respondents}")
    if coherence < cfg.advanced.candidate_min_coherence:
        return "unexplained", (f"too generic: its top words cover {coherence:.0%} of it "
                               f"(a candidate needs {cfg.advanced.candidate_min_coherence:.0%})")
    if specificity < cfg.advanced.candidate_min_specificity:
        return "unexplained", (f"too generic: only {specificity:.0%} of the sentences with its "
                               f"top word are in it (a candidate needs "
                               f"{cfg.advanced.candidate_min_specificity:.0%})")
    if tagged_share > cfg.advanced.candidate_max_tagged_share:
        return "unexplained", (f"{tagged_share:.0%} already tagged with themes but no single "
                               "theme dominates")
    if callable(ask_share):
        ask_share = ask_share()
    if ask_share < cfg.advanced.candidate_min_ask_share:
        return "unexplained", (f"general remarks: {ask_share:.0%} of it asks for change or "
                               "criticises (a candidate needs "
                               f"{cfg.advanced.candidate_min_ask_share:.0%})")
    return "candidate", f"coherent topic ({coherence:.0%} share its top words), no theme covers it"


def representatives(texts: list[str], vectors: np.ndarray, count: int,
                    keywords: list[str] | tuple[str, ...] = (),
                    terms: list[set[str]] | None = None) -> list[str]:
    """Distinct member texts nearest the cluster centre, those using a top keyword first;
    ``terms``: each text's lemma unigrams and bigrams, when already worked out."""
    if not texts:
        return []
    centre = vectors.mean(axis=0)
    wanted = set(keywords)
    if terms is None:
        terms = [terms_of_lemmas(lemma_tokens(text)) for text in texts]
    on_topic = [0 if wanted & found else 1 for found in terms]
    order = np.lexsort((-(vectors @ centre), on_topic))
    chosen: list[str] = []
    for position in order:
        text = " ".join(texts[position].split())
        if text.lower() not in {c.lower() for c in chosen}:
            chosen.append(text)
        if len(chosen) >= count:
            break
    return chosen


def _written_ids(clusters: pd.DataFrame, written: list[list[str]]) -> list[str]:
    """Candidate ids from the respondents' own words ("agenda_papers", not "paper_agendum")."""
    used = {t for t, status in zip(clusters["theme_id"], clusters["status"], strict=True)
            if status != "candidate"}
    ids = []
    for row, words in zip(clusters.itertuples(index=False), written, strict=True):
        if row.status != "candidate":
            ids.append(row.theme_id)
            continue
        top = dict.fromkeys(label_of(words, "", 2).replace(",", " ").split())
        ids.append(_unique_id(slugify("_".join(top)) or row.theme_id, used))
    return ids


def _unique_id(base: str, used: set[str]) -> str:
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}_{n}", n + 1
    used.add(candidate)
    return candidate
