"""The report as a plain document model that every format renders.

``build_document`` turns the recommend/report tables into sections that every format
(``markdown``, ``docx``, ``html`` in this room) renders the same way, so the three
never disagree. Pure: strings in, strings out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

STATUS_TEXT = {"not_raised": "not raised", "too_little_evidence": "too little evidence",
               "no_recommendation_configured": "no recommendation in themes.yaml",
               "praised": "raised only in praise",
               "no_ask": "raised, but nobody asked for a change"}


@dataclass
class Quote:
    text: str
    group: str
    comment_id: str
    layer: str = ""  # the tagging layers that put the quote under its theme ("keyword|semantic")

    def citation(self) -> str:
        tagged = f", tagged by {self.layer.replace('|', ' + ')}" if self.layer else ""
        return f"{self.group}, {self.comment_id}{tagged}"


@dataclass
class Item:
    """One theme or candidate theme with its draft, evidence and quotes."""

    number: int
    key: str
    label: str
    kind: str
    status: str
    recommendation: str
    evidence: str
    score_note: str = ""
    asks: list[Quote] = field(default_factory=list)
    praise: list[Quote] = field(default_factory=list)
    note: str = ""  # "raised by 1 respondent": drafted below min_support in a small round
    ask_phrases: list[str] = field(default_factory=list)  # verbatim, most central first

    @property
    def heading(self) -> str:
        kind = "" if self.kind == "theme" else " (candidate theme: not in themes.yaml yet)"
        note = f" ({self.note})" if self.note else ""
        return f"{self.number}. {self.label}{kind}{note}"


@dataclass
class Document:
    title: str
    drafted: list[Item]
    praised: list[Item]
    too_little: list[Item]
    score_table: pd.DataFrame
    theme_group: pd.DataFrame
    summary: list[str] = field(default_factory=list)  # the opening lines, denominator first
    ranking: pd.DataFrame = field(default_factory=pd.DataFrame)  # themes by respondents
    prevalence: list[dict] = field(default_factory=list)  # chart rows: theme, group, share


def build_document(title: str, recommendations: pd.DataFrame, quotes: pd.DataFrame,
                   theme_scores: pd.DataFrame, score_summary: pd.DataFrame,
                   answers: dict | None = None) -> Document:
    """Sections of the report in reading order: a summary (the denominator once, answers
    read and kept, themes ranked), drafts by support, praise, the rest. ``answers``:
    ``{"in": n, "kept": n, "dropped_by_reason": {...}}`` from the run's accounting."""
    import json

    drafted, praised, rest = [], [], []
    for rec in recommendations.itertuples(index=False):
        evidence = rec.evidence_line[:1].upper() + rec.evidence_line[1:] + "."
        item = Item(0, rec.key, rec.label, rec.kind, rec.status, rec.text, evidence,
                    _score_note(theme_scores, rec.key), note=str(getattr(rec, "note", "") or ""),
                    ask_phrases=json.loads(getattr(rec, "ask_phrases", "[]") or "[]"))
        for quote in quotes[quotes["key"] == rec.key].itertuples(index=False):
            target = {"praise": item.praise, "ask": item.asks}.get(quote.stance)
            if target is None:  # only asks stand under asks; nothing else is quoted there
                continue
            target.append(Quote(" ".join(str(quote.quote).split()), str(quote.group),
                                str(quote.comment_id), str(getattr(quote, "layer", "") or "")))
        {"drafted": drafted, "praised": praised}.get(rec.status, rest).append(item)
    for number, item in enumerate(drafted + praised, start=1):
        item.number = number
    return Document(title, drafted, praised, rest, score_summary,
                    theme_by_group(recommendations), summary_lines(recommendations, answers),
                    ranking(recommendations), prevalence(recommendations))


def summary_lines(recommendations: pd.DataFrame, answers: dict | None) -> list[str]:
    """The denominator, stated once, and what was read and kept."""
    total = int(recommendations["n_respondents_total"].iloc[0]) if len(recommendations) else 0
    lines = [(f"{total} respondents answered at least one question; every count in this "
             "report is out of them.")]
    if answers:
        dropped = ", ".join(f"{n} {reason}" for reason, n in
                            sorted(answers.get("dropped_by_reason", {}).items()))
        lines.append(f"{answers['in']} free-text answers read, {answers['kept']} kept"
                     + (f" ({dropped} left out)." if dropped else "."))
    drafted = recommendations[recommendations["status"] == "drafted"] \
        if len(recommendations) else recommendations
    if len(drafted):
        lines.append(f"{len(drafted)} draft recommendation(s): "
                     + "; ".join(f"{r.label} ({r.n_respondents})"
                                 for r in drafted.itertuples(index=False)) + ".")
    return lines


def ranking(recommendations: pd.DataFrame) -> pd.DataFrame:
    """Themes raised this round, most respondents first: theme, respondents, asking,
    praising, status."""
    raised = recommendations[recommendations["n_respondents"] > 0] \
        if len(recommendations) else recommendations
    rows = [{"theme": r.label, "respondents": int(r.n_respondents),
             "asking": int(r.n_asking), "praising": int(r.n_praising),
             "status": "drafted" if r.status == "drafted" else STATUS_TEXT.get(r.status, r.status)}
            for r in raised.sort_values("n_respondents", ascending=False, kind="stable")
            .itertuples(index=False)]
    return pd.DataFrame(rows, columns=["theme", "respondents", "asking", "praising", "status"])


def prevalence(recommendations: pd.DataFrame) -> list[dict]:
    """Chart rows, one per raised theme, most respondents first: ``cells`` for all
    respondents then each group (same order in every row, 0 where a group did not raise it),
    each with count, of (the group's respondents) and share (percent)."""
    import json

    raised = recommendations[recommendations["n_respondents"] > 0] \
        if len(recommendations) else recommendations
    counts = [json.loads(r) for r in raised["support_by_group"]] if len(raised) else []
    totals: dict[str, int] = {}
    for found in counts:
        totals.update({group: int(of) for group, (_, of) in found.items()})
    rows = []
    ordered = raised.assign(group_counts=counts).sort_values("n_respondents", ascending=False,
                                                         kind="stable") if len(raised) else raised
    for rec in ordered.itertuples(index=False):
        cells = [("All respondents", int(rec.n_respondents), int(rec.n_respondents_total))]
        cells += [(group, int(rec.group_counts.get(group, [0])[0]), of)
                  for group, of in sorted(totals.items())]
        rows.append({"theme": rec.label, "cells": [
            {"group": g, "count": c, "of": of, "share": round(100 * c / of, 1) if of else 0.0}
            for g, c, of in cells]})
    return rows


def theme_by_group(recommendations: pd.DataFrame) -> pd.DataFrame:
    """Respondents raising each theme, by group: 'n of total' cells."""
    import json

    rows, groups = [], {}
    for rec in recommendations.itertuples(index=False):
        if rec.n_respondents == 0:
            continue
        counts = json.loads(rec.support_by_group)
        groups.update({g: c[1] for g, c in counts.items()})
        rows.append((rec.label, rec.n_respondents, rec.n_respondents_total, counts))
    names = sorted(groups)
    table = [{"theme": label, "all": f"{n} of {total}",
              **{g: (f"{c[g][0]} of {c[g][1]}" if g in c else f"0 of {groups[g]}") for g in names}}
             for label, n, total, c in rows]
    return pd.DataFrame(table, columns=["theme", "all", *names])


def _score_note(theme_scores: pd.DataFrame, key: str) -> str:
    """The statement whose mean differs most between those who raised the theme and not."""
    found = theme_scores[(theme_scores["theme_id"] == key) & theme_scores["difference"].notna()] \
        if len(theme_scores) else theme_scores
    if found is None or found.empty:
        return ""
    own = found[found["column"].astype(str).str.contains(key, regex=False)]
    row = own.iloc[0] if len(own) else found.loc[found["difference"].abs().idxmax()]
    missing = int(row.get("n_no_score", 0) or 0)
    return (f"Respondents who raised it scored the statement '{row['statement']}' "
            f"{row['mean_raised']:.1f} out of 5 on average (n={int(row['n_raised'])}), "
            f"against {row['mean_not_raised']:.1f} from those who did not "
            f"(n={int(row['n_not_raised'])})"
            + (f"; {missing} gave no score." if missing else "."))
