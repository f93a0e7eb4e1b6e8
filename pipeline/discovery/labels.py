"""Readable cluster labels: class-based TF-IDF over lemmas, unigrams and bigrams.

Stop words and redaction placeholders are removed by ``lemma_tokens``; words found in
more than ``max_df`` of all documents ("forum", "year") say nothing about one cluster and
are left out; a bigram replaces the words it is made of, so a label reads
"late papers, agenda" and never "papers / late papers / late".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.embed.embedders import lemma_tokens

# Words that judge or hedge rather than name a topic: never a cluster's label or keyword.
GENERIC_WORDS = frozenset("""
    good great excellent fine bad poor hard difficult easy real really like likes liked think
    year's decent clear
    thought feel felt need needs needed want wanted make makes made way ways thing things lot
    lots year years overall generally general just better best worse right wrong sure
    score scores scored scoring survey statement statements reflect reflects mixed
    thanks thank people time times bit little new old keen hope know say said
    use used work works worked working welcome able does doing did
    """.split())  # noqa: SIM905 - a word list reads best as words


COVERAGE_TERMS = 4  # coherence: share of a cluster's documents with one of its top 4 terms


@dataclass(frozen=True)
class ClusterTerms:
    """Top terms of one cluster and how much of the cluster they cover."""

    keywords: list[str]
    coverage: float  # share of the cluster's documents containing one of the top keywords
    specificity: float  # share of all documents with the top keyword that are in this cluster


def cluster_terms(texts: list[str], labels: np.ndarray, top_n: int = 8,
                  max_df: float = 0.08) -> dict[int, ClusterTerms]:
    """cluster id -> top terms; outliers (``-1``) get none."""
    from sklearn.feature_extraction.text import CountVectorizer

    ids = sorted(set(labels.tolist()) - {-1})
    if not ids or not texts:
        return {}
    vectorizer = CountVectorizer(tokenizer=lemma_tokens, token_pattern=None, lowercase=False,
                                 ngram_range=(1, 2), binary=True)
    try:
        matrix = vectorizer.fit_transform(texts).tocsc()
    except ValueError:  # nothing but stop words
        return {c: ClusterTerms([], 0.0, 0.0) for c in ids}
    vocabulary = vectorizer.get_feature_names_out()
    doc_freq = np.asarray(matrix.sum(axis=0)).ravel()
    # generic words are the common ones, but never drop a word when the round is tiny
    common = {str(term) for term, freq in zip(vocabulary, doc_freq, strict=True)
              if freq > max(5, max_df * len(texts)) and " " not in term}
    # a bigram with a common word ("value forum", "think forum") or led by a judging word
    # ("welcome joint", "felt like") is no topic either; "joint work" is
    generic = np.array([any(w in common for w in term.split())
                        or term.split()[0] in GENERIC_WORDS for term in vocabulary])
    per_cluster = np.vstack([np.asarray(matrix[labels == c].sum(axis=0)).ravel() for c in ids])
    sizes = np.array([(labels == c).sum() for c in ids], dtype=float)
    term_freq = per_cluster / per_cluster.sum(axis=1, keepdims=True).clip(min=1)
    idf = np.log(1 + sizes.mean() / per_cluster.sum(axis=0).clip(min=1))
    scores = term_freq * idf
    scores[:, generic] = 0.0
    found = {}
    rows = matrix.tocsr()
    for position, cluster in enumerate(ids):
        usable = per_cluster[position] >= min(2, sizes[position])
        if not (usable & (scores[position] > 0)).any():  # tiny cluster: words used once will do
            usable = per_cluster[position] >= 1
        ranked = [i for i in np.argsort(-scores[position], kind="stable")
                  if scores[position, i] > 0 and usable[i]]
        keywords = _dedupe([str(vocabulary[i]) for i in ranked[: top_n * 3]], top_n)
        index = {str(vocabulary[i]): i for i in ranked[: top_n * 3]}
        top_columns = [index[k] for k in keywords[:COVERAGE_TERMS]]
        members = rows[labels == cluster]
        coverage = (float((members[:, top_columns].sum(axis=1) > 0).mean())
                    if top_columns else 0.0)
        specificity = (float(per_cluster[position, top_columns[0]] / doc_freq[top_columns[0]])
                       if top_columns else 0.0)
        found[cluster] = ClusterTerms(keywords, round(coverage, 4), round(specificity, 4))
    return found


def _dedupe(ranked: list[str], top_n: int) -> list[str]:
    """Keep the best terms, dropping bigrams of one repeated word ("think think") and
    reorderings of a term already kept ("wait long" after "long wait")."""
    chosen, seen = [], set()
    for term in ranked:
        words = frozenset(term.split())
        if len(words) == len(term.split()) and words not in seen:
            chosen.append(term)
            seen.add(words)
    return chosen[:top_n]


def surface_forms(texts: list[str]) -> dict[str, str]:
    """lemma -> the spelling respondents used most ("agendum" -> "agenda"; ties: first seen)."""
    from collections import Counter

    from pipeline.embed.embedders import TOKEN
    from pipeline.text.nlp import lemma

    counts: dict[str, Counter] = {}
    for text in texts:
        for match in TOKEN.finditer(text):
            raw = match.group(0).replace("’", "'")
            counts.setdefault(lemma(raw), Counter())[raw.lower()] += 1
    return {word: found.most_common(1)[0][0] for word, found in counts.items()}


def as_written(term: str, surface: dict[str, str]) -> str:
    """A lemma keyword in the words respondents used."""
    return " ".join(surface.get(word, word) for word in term.split())


def label_of(keywords: list[str], fallback: str, size: int = 3) -> str:
    """'papers arrive, late, night': a bigram replaces its own words, never both shown."""
    shown: list[str] = []
    for term in keywords:
        words = term.split()
        if any(term in kept.split() for kept in shown):
            continue
        inside = [kept for kept in shown if kept in words]
        if inside:
            shown[shown.index(inside[0])] = term
            shown = [kept for kept in shown if kept not in inside[1:]]
        else:
            shown.append(term)
        if len(shown) >= size:
            break
    return ", ".join(shown) if shown else fallback
