"""Cluster words as people read them: coverage of a cluster's words, labels, spellings.

The words themselves come from BERTopic (c-TF-IDF + MMR, see ``topic_model``); this module
measures how well they cover their cluster (coherence, specificity: the candidate rules),
writes lemmas back in the respondents' own spelling and joins the top words into a label
where a bigram replaces the words it is made of ("late papers, agenda", never
"papers, late papers, late").
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass

import numpy as np

COVERAGE_TERMS = 4  # coherence: share of a cluster's documents with one of its top 4 terms


@dataclass(frozen=True)
class ClusterTerms:
    """Top terms of one cluster and how much of the cluster they cover."""

    keywords: list[str]
    coverage: float  # share of the cluster's documents containing one of the top keywords
    specificity: float  # share of all documents with the top keyword that are in this cluster


def terms_of_lemmas(words: list[str]) -> set[str]:
    """Unigrams and bigrams of a document's lemmas, as cluster keywords are written."""
    return set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}


def cluster_stats(doc_terms: list[set[str]], labels: np.ndarray,
                  keywords: dict[int, list[str]]) -> dict[int, ClusterTerms]:
    """cluster id -> its keywords with coverage (share of its documents using one of its top
    ``COVERAGE_TERMS`` words) and specificity (share of the documents using its top word that
    are in it)."""
    tops = {c: set(words[:COVERAGE_TERMS]) for c, words in keywords.items()}
    firsts = {words[0] for words in keywords.values() if words}
    doc_freq = Counter(t for terms in doc_terms for t in terms & firsts)
    covered, in_cluster, sizes = Counter(), Counter(), Counter()
    for cluster, terms in zip(labels.tolist(), doc_terms, strict=True):
        if cluster not in keywords:
            continue
        sizes[cluster] += 1
        covered[cluster] += bool(tops[cluster] & terms)
        in_cluster[cluster] += bool(keywords[cluster]) and keywords[cluster][0] in terms
    found = {}
    for cluster, words in keywords.items():
        coverage = covered[cluster] / sizes[cluster] if words and sizes[cluster] else 0.0
        specificity = in_cluster[cluster] / doc_freq[words[0]] if words and \
            doc_freq[words[0]] else 0.0
        found[cluster] = ClusterTerms(words, round(coverage, 4), round(specificity, 4))
    return found


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
    """'papers arrive, late, night': a bigram replaces its own words, and no word is shown
    twice ("agenda papers" after "papers arrive" is left out)."""
    shown: list[str] = []
    for term in keywords:
        words = term.split()
        inside = [kept for kept in shown if kept in words]
        if {w for kept in shown if kept not in inside for w in kept.split()} & set(words):
            continue
        if inside:
            shown[shown.index(inside[0])] = term
            shown = [kept for kept in shown if kept not in inside[1:]]
        else:
            shown.append(term)
        if len(shown) >= size:
            break
    return ", ".join(shown) if shown else fallback
