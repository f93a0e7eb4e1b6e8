"""Agreement statements as people read them: per statement, in its own words, how many
answered and how many disagree / neither / agree (the scale's own labels), with counts,
shares and 95% Wilson intervals, overall and by group; and the theme comparisons the config
links. Rows come from scores.csv (``pipeline.drafting.scores``); pure, strings out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline.drafting.scores import ALL_GROUPS, OTHER_GROUPS
from pipeline.drafting.shares import interval_text, of_text, people, percent

DEFAULT_BANDS = {"disagree": "disagree", "neither": "neither agree nor disagree",
                 "agree": "agree"}
BAND_ORDER = ("disagree", "neither", "agree")


@dataclass
class Band:
    """One of disagree / neither / agree for one group."""

    kind: str  # disagree, neither, agree
    label: str  # the scale's words
    count: int
    of: int

    @property
    def share(self) -> int:
        return percent(self.count, self.of)

    @property
    def width(self) -> float:
        """The exact share (percent, one decimal) a bar draws: whole percents may not add
        up to 100."""
        return round(100 * self.count / self.of, 1) if self.of else 0.0

    @property
    def text(self) -> str:
        return f"{self.label}: {of_text(self.count, self.of)}"


@dataclass
class GroupRow:
    group: str
    n: int
    bands: list[Band]
    interval: str  # 95% interval of the agreeing share

    @property
    def text(self) -> str:
        """The bar's text equivalent: every band in words with its count."""
        return "; ".join(b.text for b in self.bands)

    def offset(self) -> float:
        """Where the bar starts (percent of a 200-wide track centred on 100) so that the
        middle of 'neither' sits on the centre line: a diverging bar."""
        disagree, neither = self.bands[0].width, self.bands[1].width
        return round(100 - disagree - neither / 2, 1)


@dataclass
class Statement:
    words: str
    theme: str  # the linked theme's label, "" when the config links none
    n: int
    rows: list[GroupRow] = field(default_factory=list)

    @property
    def headline(self) -> str:
        agree = self.rows[0].bands[2] if self.rows else None
        if agree is None:
            return "no scores"
        return f"{people(self.n)} answered; {agree.label}: {of_text(agree.count, agree.of)}"


def statements(score_summary: pd.DataFrame, theme_labels: dict[str, str],
               bands: dict[str, dict[str, str]]) -> list[Statement]:
    """One ``Statement`` per statement in scores.csv order, all respondents first."""
    found: list[Statement] = []
    if score_summary is None or score_summary.empty:
        return found
    for column, rows in score_summary.groupby("column", sort=False):
        names = bands.get(str(column), DEFAULT_BANDS)
        first = rows.iloc[0]
        theme_id = str(first.get("theme_id", "") or "")
        overall = rows[rows["group"] == ALL_GROUPS]
        item = Statement(str(first["statement"]), theme_labels.get(theme_id, theme_id),
                         int(overall["n"].iloc[0]) if len(overall) else 0)
        for row in rows.itertuples(index=False):
            n = int(row.n)
            item.rows.append(GroupRow(str(row.group), n, [
                Band(kind, names[kind], int(getattr(row, f"n_{kind}")), n) for kind in BAND_ORDER
            ], interval_text(int(row.n_agree), n)))
        found.append(item)
    return found


def table(items: list[Statement]) -> pd.DataFrame:
    """The statements as one table: statement, group, answered, each band as 'k of n (p%)',
    and the 95% interval of the agreeing share."""
    rows = []
    for item in items:
        for row in item.rows:
            rows.append({"statement": item.words, "group": row.group, "answered": row.n,
                         **{b.kind: of_text(b.count, b.of) for b in row.bands},
                         "agree, 95% interval": row.interval})
    return pd.DataFrame(rows, columns=["statement", "group", "answered", "disagree", "neither",
                                       "agree", "agree, 95% interval"])


def folded_note(folded: list[str], min_size: int) -> str:
    """What the report says when small groups were shown together."""
    if not folded:
        return ""
    return (f"Groups with fewer than {min_size} respondents ({', '.join(folded)}) are shown "
            f"together as \u201c{OTHER_GROUPS}\u201d, and left out of the by-group rows when "
            "even together they are fewer; they are always counted in \u201cAll respondents\u201d.")


def theme_lines(theme_scores: pd.DataFrame, key: str, min_size: int,
                agree_label: str = "agree") -> list[str]:
    """For each statement the config links to theme ``key``: how many agree among those who
    raised the theme against those who did not, or why no comparison is shown."""
    if theme_scores is None or theme_scores.empty or "comparable" not in theme_scores:
        return []
    lines = []
    for row in theme_scores[theme_scores["theme_id"] == key].itertuples(index=False):
        yes, no = int(row.n_raised), int(row.n_not_raised)
        if yes >= min_size and no >= min_size:
            lines.append(f"\u2018{row.statement}\u2019: {of_text(int(row.n_agree_raised), yes)} "
                         f"who raised this theme {agree_label}, against "
                         f"{of_text(int(row.n_agree_not_raised), no)} who did not.")
        else:
            lines.append(f"\u2018{row.statement}\u2019: not compared, as {people(yes)} who raised "
                         f"this theme and {people(no)} who did not gave a score (fewer than "
                         f"{min_size} on one side).")
    return lines
