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

    def citation(self) -> str:
        return f"{self.group}, {self.comment_id}"


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


@dataclass
class Document:
    title: str
    drafted: list[Item]
    praised: list[Item]
    too_little: list[Item]
    score_table: pd.DataFrame
    theme_group: pd.DataFrame


def build_document(title: str, recommendations: pd.DataFrame, quotes: pd.DataFrame,
                   theme_scores: pd.DataFrame, score_summary: pd.DataFrame) -> Document:
    """Sections of the report in reading order: drafts by support, praise, the rest."""
    drafted, praised, rest = [], [], []
    for rec in recommendations.itertuples(index=False):
        evidence = rec.evidence_line[:1].upper() + rec.evidence_line[1:] + "."
        item = Item(0, rec.key, rec.label, rec.kind, rec.status, rec.text, evidence,
                    _score_note(theme_scores, rec.key))
        for quote in quotes[quotes["key"] == rec.key].itertuples(index=False):
            target = item.praise if quote.stance == "praise" else item.asks
            target.append(Quote(" ".join(str(quote.quote).split()), str(quote.group),
                                str(quote.comment_id)))
        {"drafted": drafted, "praised": praised}.get(rec.status, rest).append(item)
    for number, item in enumerate(drafted + praised, start=1):
        item.number = number
    return Document(title, drafted, praised, rest, score_summary,
                    theme_by_group(recommendations))


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
