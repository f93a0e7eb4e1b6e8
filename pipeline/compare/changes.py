"""What changed between consecutive rounds: themes, groups, candidate themes, statements.

Pure functions over ``Round`` objects (see ``rounds``); nothing is read or written here.

- Denominator: respondents with at least one kept free-text answer in the round (only they
  could raise a theme); a theme's count is the respondents with at least one kept answer
  carrying it. Both are recounted from each run's comment_themes.csv.
- Themes are keyed by id: a renamed label with the same id is the same theme (noted); a theme
  whose id changed is matched through its ``renamed_from:`` (the later round's config names
  the former id; noted); a theme in only one round's config is reported as added or removed
  and never tested. A parent theme counts each respondent once however many of its
  sub-themes they raised (see ``Round.raised``); its sub-themes follow it, each naming it in
  ``parent``.
- Candidate themes are matched across rounds by the cosine of embeddings of their label,
  keywords and example sentences (our own matching rather than BERTopic's ``merge_models``:
  a run keeps its candidates' words and examples, not its topic model): a later candidate
  whose best match reaches ``compare.advanced.candidate_similarity`` was "seen before as" that one,
  else it is "new"; an earlier candidate no later one matches is "gone".
- p-values (see ``stats``) are adjusted with Holm's method within each family: the themes of a
  pair of rounds, the theme-by-group tests of that pair, the statements of that pair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import pandas as pd

from pipeline.compare import stats
from pipeline.compare.rounds import Round

ALL_GROUPS = "All respondents"
THEMES = ("theme", "label", "parent", "status", "from_round", "to_round", "n_from", "total_from",
          "share_from", "n_to", "total_to", "share_to", "change", "test", "p_value",
          "p_adjusted", "note")
GROUPS = ("theme", "label", "group", "from_round", "to_round", "n_from", "total_from",
          "share_from", "n_to", "total_to", "share_to", "change", "test", "p_value",
          "p_adjusted")
CANDIDATES = ("from_round", "to_round", "candidate", "label", "n_respondents", "status",
              "matched_round", "matched_candidate", "matched_label", "similarity")
LINKS = ("theme", "statement", "from_round", "to_round", "difference_from", "difference_to",
         "mean_raised_from", "mean_not_raised_from", "mean_raised_to", "mean_not_raised_to")
STATEMENTS = ("statement", "column", "from_round", "to_round", "n_from", "mean_from", "n_to",
              "mean_to", "change", "test", "p_value", "p_adjusted")


@dataclass
class Comparison:
    """Every table of a comparison (columns above) and the notes about config and groups."""

    rounds: list[str]
    themes: pd.DataFrame
    groups: pd.DataFrame
    candidates: pd.DataFrame
    statements: pd.DataFrame
    links: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    settings: dict = field(default_factory=dict)


def compare_rounds(rounds: list[Round], *, exact_below: float, candidate_similarity: float,
                   redact: Callable[[str], str], embed: Callable[[list[str]], np.ndarray] | None,
                   config_notes: Callable[[Round, Round], list[str]] | None = None
                   ) -> Comparison:
    """Compare each round with the one before it. ``redact`` cleans every text that reaches an
    output; ``embed`` turns candidate texts into vectors (None: candidates are not matched);
    ``config_notes`` describes how the theme config changed between two rounds."""
    names = [redact(r.name) for r in rounds]
    if len(set(names)) < len(names):  # folders of the same name: number them in order
        names = [f"{i}. {name}" for i, name in enumerate(names, start=1)]
    themes, groups, candidates, statements, links, notes = [], [], [], [], [], []
    for (a, name_a), (b, name_b) in pairwise(zip(rounds, names, strict=True)):
        pair = {"from_round": name_a, "to_round": name_b}
        themes.append(_theme_rows(a, b, pair, exact_below, redact))
        groups.append(_group_rows(a, b, pair, exact_below, redact, notes))
        candidates.append(_candidate_rows(a, b, pair, candidate_similarity, redact, embed))
        statements.append(_statement_rows(a, b, pair, redact))
        links.append(_link_rows(a, b, pair, redact))
        if a.themes_sha256 != b.themes_sha256:
            notes.append(f"{name_a} -> {name_b}: the theme config changed between the rounds")
            notes.extend(f"{name_a} -> {name_b}: {redact(line)}"
                         for line in (config_notes(a, b) if config_notes else []))
    return Comparison(rounds=names, themes=_concat(themes, THEMES),
                      groups=_concat(groups, GROUPS), candidates=_concat(candidates, CANDIDATES),
                      statements=_concat(statements, STATEMENTS),
                      links=_concat(links, LINKS), notes=notes,
                      settings={"exact_below": exact_below,
                                "candidate_similarity": candidate_similarity})


def _concat(frames: list[pd.DataFrame], columns: tuple[str, ...]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=list(columns))
    return pd.concat(frames, ignore_index=True)[list(columns)]


def _counts(raised: pd.DataFrame, key: str | list[str]) -> dict:
    return raised.groupby(key)["respondent_id"].nunique().to_dict()


def _share(n: int, total: int) -> float:
    return round(n / total, 4) if total else 0.0


def _test(n_a: int, total_a: int, n_b: int, total_b: int, exact_below: float) -> dict:
    p, test = stats.two_proportions(n_a, total_a, n_b, total_b, exact_below)
    share_a, share_b = _share(n_a, total_a), _share(n_b, total_b)
    return {"n_from": n_a, "total_from": total_a, "share_from": share_a, "n_to": n_b,
            "total_to": total_b, "share_to": share_b,
            "change": round(share_b - share_a, 4), "test": test, "p_value": p}


def _adjust(rows: list[dict]) -> list[dict]:
    """p_adjusted (Holm) over the rows that were tested; 1.0 for untested rows, blank for rows
    never compared."""
    tested = [r for r in rows if r.get("test") not in (None, "", stats.NO_TEST)]
    for row, adjusted in zip(tested, stats.holm([r["p_value"] for r in tested]), strict=True):
        row["p_adjusted"] = adjusted
    for row in rows:
        if row.get("test") == stats.NO_TEST:
            row["p_adjusted"] = 1.0
    return rows


def matched_ids(a: Round, b: Round) -> dict[str, str]:
    """Each theme id of round ``b`` -> the id the same theme had in round ``a``: its own, else
    the first of its ``renamed_from`` ids that ``a`` has (themes new in ``b`` are left out)."""
    found = {}
    for theme_id in b.theme_ids:
        for former in [theme_id, *b.renamed_from.get(theme_id, [])]:
            if former in a.theme_ids and former not in found.values():
                found[theme_id] = former
                break
    return found


def tree_order(theme_ids: list[str], parents: dict[str, str]) -> list[str]:
    """``theme_ids`` with each parent's sub-themes moved to just after it (in their own
    order); a sub-theme whose parent is not listed stays where it is."""
    listed = set(theme_ids)
    ordered = []
    for theme_id in theme_ids:
        if parents.get(theme_id) in listed:
            continue
        ordered += [theme_id, *(t for t in theme_ids if parents.get(t) == theme_id)]
    return ordered


def _theme_rows(a: Round, b: Round, pair: dict, exact_below: float,
                redact: Callable[[str], str]) -> pd.DataFrame:
    counts_a, counts_b = _counts(a.raised(), "theme_id"), _counts(b.raised(), "theme_id")
    total_a, total_b = a.respondents, b.respondents
    before = matched_ids(a, b)
    rows = []
    followed = set(before.values()) - set(before)  # former ids: shown under the new id
    parents = {**a.parents, **b.parents}
    listed = [*b.theme_ids, *(t for t in a.theme_ids if t not in followed and t not in b.theme_ids)]
    for theme_id in tree_order(listed, parents):
        label = b.labels.get(theme_id) or a.labels.get(theme_id, theme_id)
        row = {"theme": theme_id, "label": redact(label), "parent": parents.get(theme_id, ""),
               **pair, "note": ""}
        if theme_id in before:
            old = before[theme_id]
            row.update(status="compared", **_test(int(counts_a.get(old, 0)), total_a,
                                                  int(counts_b.get(theme_id, 0)), total_b,
                                                  exact_below))
            notes = [f"id renamed from '{old}'"] if old != theme_id else []
            if a.labels.get(old) != b.labels.get(theme_id):
                notes.append(f"renamed from '{a.labels.get(old)}'")
            row["note"] = redact("; ".join(notes))
        elif theme_id in b.theme_ids:
            n = int(counts_b.get(theme_id, 0))
            row.update(status="added", n_to=n, total_to=total_b, share_to=_share(n, total_b),
                       note=f"not in the theme config of {pair['from_round']}: not compared")
        else:
            n = int(counts_a.get(theme_id, 0))
            row.update(status="removed", n_from=n, total_from=total_a,
                       share_from=_share(n, total_a),
                       note=f"not in the theme config of {pair['to_round']}: not compared")
        rows.append(row)
    return pd.DataFrame(_adjust(rows), columns=list(THEMES))


def _group_rows(a: Round, b: Round, pair: dict, exact_below: float,
                redact: Callable[[str], str], notes: list[str]) -> pd.DataFrame:
    totals_a, totals_b = a.group_totals(), b.group_totals()
    shared = [g for g in sorted(totals_b) if g in totals_a]
    for group in sorted(set(totals_a) ^ set(totals_b)):
        where = pair["to_round"] if group in totals_b else pair["from_round"]
        notes.append(f"{pair['from_round']} -> {pair['to_round']}: group '{redact(group)}' "
                     f"only in {where}: not compared")
    counts_a = _counts(a.raised(), ["theme_id", "group"])
    counts_b = _counts(b.raised(), ["theme_id", "group"])
    rows = []
    for theme_id, old in matched_ids(a, b).items():
        label = redact(b.labels.get(theme_id, theme_id))
        for group in shared:
            rows.append({"theme": theme_id, "label": label, "group": redact(group), **pair,
                         **_test(int(counts_a.get((old, group), 0)), totals_a[group],
                                 int(counts_b.get((theme_id, group), 0)), totals_b[group],
                                 exact_below)})
    return pd.DataFrame(_adjust(rows), columns=list(GROUPS))


def candidate_text(candidate: pd.Series) -> str:
    """What a candidate theme is matched on: its label, keywords and example sentences."""
    return ". ".join(str(candidate[c]).replace("\n", " ") for c in
                     ("label", "keywords", "examples") if str(candidate[c]).strip())


def _candidate_rows(a: Round, b: Round, pair: dict, threshold: float,
                    redact: Callable[[str], str],
                    embed: Callable[[list[str]], np.ndarray] | None) -> pd.DataFrame:
    before, now = a.candidates, b.candidates
    similarity = np.zeros((len(now), len(before)))
    if embed is not None and len(now) and len(before):
        vectors = embed([candidate_text(c) for _, c in pd.concat([now, before]).iterrows()])
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        similarity = vectors[:len(now)] @ vectors[len(now):].T
    rows, matched = [], set()
    for i, cand in enumerate(now.itertuples(index=False)):
        row = {**pair, "candidate": cand.theme_id, "label": redact(cand.label),
               "n_respondents": int(cand.n_respondents), "status": "new", "matched_round": "",
               "matched_candidate": "", "matched_label": "", "similarity": None}
        if len(before):
            j = int(np.argmax(similarity[i]))
            row["similarity"] = round(float(similarity[i, j]), 3)
            if similarity[i, j] >= threshold:
                matched.add(j)
                row.update(status="seen before", matched_round=pair["from_round"],
                           matched_candidate=before["theme_id"].iloc[j],
                           matched_label=redact(before["label"].iloc[j]))
        rows.append(row)
    for j, cand in enumerate(before.itertuples(index=False)):
        if j not in matched:
            rows.append({**pair, "candidate": cand.theme_id, "label": redact(cand.label),
                         "n_respondents": int(cand.n_respondents), "status": "gone",
                         "matched_round": "", "matched_candidate": "", "matched_label": "",
                         "similarity": (round(float(similarity[:, j].max()), 3)
                                        if len(now) else None)})
    return pd.DataFrame(rows, columns=list(CANDIDATES))


def _statement_counts(round_: Round) -> dict[str, dict]:
    scores = round_.scores
    if scores.empty or "group" not in scores.columns:
        return {}
    overall = scores[scores["group"] == ALL_GROUPS]
    return {row["column"]: row for row in overall.to_dict("records")}


def _statement_rows(a: Round, b: Round, pair: dict,
                    redact: Callable[[str], str]) -> pd.DataFrame:
    before, now = _statement_counts(a), _statement_counts(b)
    rows = []
    for column, row_b in now.items():
        if column not in before:
            continue
        row_a = before[column]
        counts_a = [int(row_a[f"n_{k}"]) for k in range(1, 6)]
        counts_b = [int(row_b[f"n_{k}"]) for k in range(1, 6)]
        p, test = stats.rank_test(counts_a, counts_b)
        mean_a = float(stats.scores_from_counts(counts_a).mean()) if sum(counts_a) else None
        mean_b = float(stats.scores_from_counts(counts_b).mean()) if sum(counts_b) else None
        rows.append({"statement": redact(row_b["statement"]), "column": redact(column), **pair,
                     "n_from": sum(counts_a), "mean_from": _round(mean_a), "n_to": sum(counts_b),
                     "mean_to": _round(mean_b),
                     "change": (_round(mean_b - mean_a)
                                if mean_a is not None and mean_b is not None else None),
                     "test": test, "p_value": p})
    return pd.DataFrame(_adjust(rows), columns=list(STATEMENTS))


def _link_rows(a: Round, b: Round, pair: dict, redact: Callable[[str], str]) -> pd.DataFrame:
    """Theme-score links side by side: per theme and statement, the difference in mean score
    between respondents who raised the theme and those who did not, in both rounds (from each
    run's theme_scores.csv; no test: these are descriptive)."""
    keys = ["theme_id", "column"]
    wanted = [*keys, "statement", "mean_raised", "mean_not_raised", "difference"]
    if any(not set(wanted) <= set(r.theme_scores.columns) for r in (a, b)):
        return pd.DataFrame(columns=list(LINKS))
    renamed = {old: new for new, old in matched_ids(a, b).items()}
    earlier = a.theme_scores[wanted].assign(theme_id=a.theme_scores["theme_id"].map(
        lambda theme_id: renamed.get(theme_id, theme_id)))
    joined = earlier.merge(b.theme_scores[wanted], on=keys, suffixes=("_from", "_to"))
    joined = joined[joined["theme_id"].isin(set(renamed.values()))]
    rows = [{"theme": row["theme_id"], "statement": redact(row["statement_to"]), **pair,
             **{f"{name}_{side}": _number(row[f"{name}_{side}"])
                for name in ("difference", "mean_raised", "mean_not_raised")
                for side in ("from", "to")}}
            for row in joined.to_dict("records")]
    return pd.DataFrame(rows, columns=list(LINKS))


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
