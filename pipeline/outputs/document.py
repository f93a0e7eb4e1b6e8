"""The report as a plain document model that every format renders.

``build_document`` turns the recommend/report tables into sections that every format
(``markdown``, ``docx``, ``html`` in this room) renders the same way, so the three
never disagree. Pure: strings in, strings out.

A theme set with sub-themes (``parent:``): the summary's ranking, chart and group table list
the top-level themes (each parent counted once per respondent, however many of its
sub-themes they raised); ``Document.subthemes`` holds each parent's sub-themes, which html
shows on demand (``<details>``) and markdown and docx as indented rows under their parent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline.drafting.quotes import respondent_numbers
from pipeline.drafting.scores import OTHER_GROUPS
from pipeline.drafting.shares import people
from pipeline.outputs import likert
from pipeline.outputs.candidates_yaml import stub_yaml, theme_stub

STATUS_TEXT = {"not_raised": "not raised", "too_little_evidence": "too little evidence",
               "no_recommendation_configured": "no recommendation in themes.yaml",
               "praised": "raised only in praise",
               "no_ask": "raised, but nobody asked for a change",
               "mixed": "mixed views: as much praise as asks, not drafted",
               "emerging": "emerging theme, not in the theme config"}

NOTHING_DRAFTED = ("No theme had more respondents asking for a change than praising it, so "
                   "nothing is drafted this round.")
MIXED = "Mixed views (not drafted)"
MIXED_INTRO = ("As many respondents praised these as asked for a change: both sides are quoted, "
               "and nothing is drafted.")
EMERGING = "Emerging themes (not in the theme config)"
EMERGING_INTRO = ("Topics respondents raised that no configured theme covers, named in their "
                  "words. Each comes with a theme config stub (also in candidate_themes.yaml) "
                  "to paste under 'themes:' once reviewed.")
PRAISED = "Raised in praise only (what works)"
SUBTHEME_MARK = "→ "  # before a sub-theme's label in the rows under its parent


@dataclass
class Quote:
    text: str
    group: str
    respondent: str  # the short respondent number ("R07"), never the raw id

    def citation(self) -> str:
        return f"{self.group}, {self.respondent}"


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
    score_lines: list[str] = field(default_factory=list)  # linked statements only
    asks: list[Quote] = field(default_factory=list)
    praise: list[Quote] = field(default_factory=list)
    note: str = ""  # "raised by 1 respondent": drafted below min_support in a small round
    ask_phrases: list[str] = field(default_factory=list)  # verbatim, most central first
    owner: str = ""
    action: str = ""  # the configured action, shown beside the respondents' asks
    action_asked: bool = False  # did a respondent's ask share the action's words?
    n_respondents: int = 0
    stub: str = ""  # an emerging theme's theme-config YAML, to paste once reviewed

    @property
    def heading(self) -> str:
        note = f" ({self.note})" if self.note else ""
        number = f"{self.number}. " if self.number else ""
        return f"{number}{self.label}{note}"

    @property
    def why_not(self) -> str:
        """Its line under "Not drafted this round": the evidence and why no draft."""
        why = STATUS_TEXT.get(self.status, self.status)
        if self.n_respondents == 0:
            return f"{self.label}: {why}"
        return f"{self.label}: {self.evidence.rstrip('.')} ({why})"

    @property
    def action_line(self) -> str:
        """The configured action beside the asks, and whether any respondent asked for it."""
        if not self.action:
            return ""
        asked = ("a respondent asked for this" if self.action_asked
                 else "no respondent asked for this in these words: check before using it")
        return f"{self.owner} to {self.action.rstrip('.')} ({asked})."


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
    mixed: list[Item] = field(default_factory=list)  # as much praise as asks: not drafted
    emerging: list[Item] = field(default_factory=list)  # clusters no configured theme explains
    statements: list[likert.Statement] = field(default_factory=list)
    group_note: str = ""  # which small groups were shown together, and why
    subtitle: str = ""  # survey and round
    subthemes: dict[str, pd.DataFrame] = field(default_factory=dict)  # parent label -> ranking

    def ranking_with_subthemes(self) -> pd.DataFrame:
        """``ranking`` with each parent's raised sub-themes as indented rows under it."""
        if not self.subthemes:
            return self.ranking
        rows = []
        for row in self.ranking.itertuples(index=False):
            rows.append(row._asdict())
            children = self.subthemes.get(row.theme)
            if children is not None:
                rows += [{**child, "theme": f"{SUBTHEME_MARK}{child['theme']}"}
                         for child in children.to_dict("records")]
        return pd.DataFrame(rows, columns=self.ranking.columns)

    def later_sections(self) -> list[tuple[str, str, list[Item], str, str]]:
        """After the drafts: (heading, intro, items, asks heading, praise heading) for mixed
        views, emerging themes and praise only, the empty ones left out."""
        both = ("Asking for a change", "Praising what works")
        return [(heading, intro, items, *quoted) for heading, intro, items, quoted in (
            (MIXED, MIXED_INTRO, self.mixed, both), (EMERGING, EMERGING_INTRO, self.emerging,
                                                     both),
            (PRAISED, "", self.praised, ("", ""))) if items]


def build_document(title: str, recommendations: pd.DataFrame, quotes: pd.DataFrame,
                   theme_scores: pd.DataFrame, score_summary: pd.DataFrame,
                   answers: dict | None = None, *, numbers: dict[str, str] | None = None,
                   bands: dict[str, dict[str, str]] | None = None, min_group_size: int = 1,
                   subtitle: str = "", parents: dict[str, str] | None = None) -> Document:
    """Sections of the report in reading order: a summary (the denominator once, answers
    read and kept, themes ranked), the statements, drafts by support, mixed views, emerging
    themes, praise, the rest. ``answers``: ``{"in": n, "kept": n, "dropped_by_reason": {...}}``
    from the run's accounting; ``numbers``: respondent id -> short number ('R07');
    ``bands``: score column -> the scale's disagree/neither/agree labels; ``parents``:
    sub-theme key -> its parent's key (sub-themes leave the summary's tables for
    ``subthemes``)."""
    import json

    numbers = numbers or {}
    folded = _small_groups(recommendations, min_group_size)
    drafted, praised, mixed, emerging, rest = [], [], [], [], []
    for rec in recommendations.itertuples(index=False):
        evidence = rec.evidence_line[:1].upper() + rec.evidence_line[1:] + "."
        item = Item(0, rec.key, rec.label, rec.kind, rec.status, rec.text, evidence,
                    likert.theme_lines(theme_scores, rec.key, min_group_size),
                    note=str(getattr(rec, "note", "") or ""),
                    ask_phrases=json.loads(getattr(rec, "ask_phrases", "[]") or "[]"),
                    owner=str(rec.owner or ""), action=str(rec.action or ""),
                    action_asked=bool(getattr(rec, "action_asked", False)),
                    n_respondents=int(rec.n_respondents))
        for quote in quotes[quotes["key"] == rec.key].itertuples(index=False):
            target = {"praise": item.praise, "ask": item.asks}.get(quote.stance)
            if target is None:  # only asks stand under asks; nothing else is quoted there
                continue
            rid = str(quote.respondent_id)
            group = OTHER_GROUPS if str(quote.group) in folded else str(quote.group)
            target.append(Quote(" ".join(str(quote.quote).split()), group,
                                numbers.get(rid, rid)))
        {"drafted": drafted, "praised": praised, "mixed": mixed,
         "emerging": emerging}.get(rec.status, rest).append(item)
    for number, item in enumerate(drafted, start=1):
        item.number = number
    for item in emerging:
        item.stub = stub_yaml(theme_stub(item.label, item.n_respondents, item.ask_phrases))
    labels = dict(zip(recommendations["key"], recommendations["label"], strict=True)) \
        if len(recommendations) else {}
    parents = parents or {}
    is_child = recommendations["key"].isin(parents) if len(recommendations) else []
    top = recommendations[~is_child] if len(recommendations) else recommendations
    return Document(title, drafted, praised, rest, score_summary,
                    theme_by_group(top, folded, min_group_size),
                    summary_lines(recommendations, answers), ranking(top),
                    prevalence(top, folded, min_group_size), mixed=mixed, emerging=emerging,
                    statements=likert.statements(score_summary, labels, bands or {}),
                    group_note=likert.folded_note(sorted(folded), min_group_size),
                    subtitle=subtitle, subthemes=subtheme_rankings(recommendations, parents))


def subtheme_rankings(recommendations: pd.DataFrame,
                      parents: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Parent label -> ``ranking`` of its raised sub-themes (parents none of whose sub-themes
    was raised are left out)."""
    if not parents or not len(recommendations):
        return {}
    labels = dict(zip(recommendations["key"], recommendations["label"], strict=True))
    found = {}
    for parent in dict.fromkeys(parents.values()):
        children = recommendations[recommendations["key"].map(parents) == parent]
        table = ranking(children)
        if len(table) and parent in labels:
            found[labels[parent]] = table
    return found


def _small_groups(recommendations: pd.DataFrame, min_size: int) -> set[str]:
    """Groups with fewer than ``min_size`` respondents in the round."""
    import json

    totals: dict[str, int] = {}
    for found in recommendations.get("support_by_group", pd.Series(dtype=object)):
        totals.update({g: int(of) for g, (_, of) in json.loads(found).items()})
    return {g for g, of in totals.items() if of < min_size}


def _fold(counts: dict[str, list[int]], folded: set[str]) -> dict[str, list[int]]:
    """``{group: [count, of]}`` with the ``folded`` groups summed into ``OTHER_GROUPS``."""
    kept = {g: c for g, c in counts.items() if g not in folded}
    small = [c for g, c in counts.items() if g in folded]
    if small:
        kept[OTHER_GROUPS] = [sum(c for c, _ in small), sum(of for _, of in small)]
    return kept


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
    for status, words in (("drafted", "Drafted"), ("mixed", "Mixed views, not drafted"),
                          ("emerging", "Emerging themes (not in the theme config)")):
        found = recommendations[recommendations["status"] == status] \
            if len(recommendations) else recommendations
        if len(found):
            lines.append(f"{words}: " + "; ".join(
                f"{r.label} (raised by {people(int(r.n_respondents))})"
                for r in found.itertuples(index=False)) + ".")
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


def _group_counts(raised: pd.DataFrame, folded: set[str], min_size: int
                  ) -> tuple[list[dict[str, list[int]]], dict[str, int]]:
    """Per raised theme ``{group: [count, of]}`` with small groups folded, and every group's
    respondents (groups in name order, ``OTHER_GROUPS`` last, left out when even together
    they are fewer than ``min_size``)."""
    import json

    counts = [_fold(json.loads(r), folded) for r in raised["support_by_group"]] \
        if len(raised) else []
    totals: dict[str, int] = {}
    for found in counts:
        totals.update({group: int(of) for group, (_, of) in found.items()})
    ordered = sorted(totals, key=lambda g: (g == OTHER_GROUPS, g))
    return counts, {g: totals[g] for g in ordered
                    if g != OTHER_GROUPS or totals[g] >= min_size}


def prevalence(recommendations: pd.DataFrame, folded: set[str] = frozenset(),
               min_size: int = 1) -> list[dict]:
    """Chart rows, one per raised theme, most respondents first: ``cells`` for all
    respondents then each group (same order in every row, 0 where a group did not raise it;
    groups in ``folded`` summed as ``OTHER_GROUPS``), each with count, of (the group's
    respondents) and share (percent)."""
    raised = recommendations[recommendations["n_respondents"] > 0] \
        if len(recommendations) else recommendations
    counts, totals = _group_counts(raised, folded, min_size)
    rows = []
    ordered = raised.assign(group_counts=counts).sort_values("n_respondents", ascending=False,
                                                         kind="stable") if len(raised) else raised
    for rec in ordered.itertuples(index=False):
        cells = [("All respondents", int(rec.n_respondents), int(rec.n_respondents_total))]
        cells += [(group, int(rec.group_counts.get(group, [0])[0]), of)
                  for group, of in totals.items()]
        rows.append({"theme": rec.label, "cells": [
            {"group": g, "count": c, "of": of, "share": round(100 * c / of, 1) if of else 0.0}
            for g, c, of in cells]})
    return rows


def theme_by_group(recommendations: pd.DataFrame, folded: set[str] = frozenset(),
                   min_size: int = 1) -> pd.DataFrame:
    """Respondents raising each theme, by group: 'k of n (p%)' cells, small groups folded."""
    from pipeline.drafting.shares import of_text

    raised = recommendations[recommendations["n_respondents"] > 0] \
        if len(recommendations) else recommendations
    counts, totals = _group_counts(raised, folded, min_size)
    table = [{"theme": rec.label, "all": of_text(int(rec.n_respondents),
                                                 int(rec.n_respondents_total)),
              **{g: of_text(c.get(g, [0])[0], of) for g, of in totals.items()}}
             for rec, c in zip(raised.itertuples(index=False), counts, strict=True)]
    return pd.DataFrame(table, columns=["theme", "all", *totals])


def report_options(settings, answers: pd.DataFrame, fallback_title: str) -> dict:
    """build_document's title and keywords from the config's ``report:`` section: the title
    (``report.title``, else "<survey>: <round>", else ``fallback_title``), the subtitle,
    short respondent numbers in the order of ``answers`` (the input's, as in
    ``pipeline.stages.report``, so the quote tables number them alike), each statement's band labels from its scale,
    and the smallest group shown on its own."""
    cfg = settings.pipeline.report
    named = ": ".join(part for part in (cfg.survey, cfg.round) if part)
    scales = settings.pipeline.scales
    bands = {s.column: scales[s.scale].bands() for s in settings.pipeline.input.score_columns
             if s.scale in scales}
    return {"title": cfg.title or named or fallback_title,
            "subtitle": named if cfg.title else "",
            "numbers": respondent_numbers(answers["respondent_id"]),
            "bands": bands, "min_group_size": cfg.advanced.min_group_size,
            "parents": settings.themes.parents()}


def quote_list(rows: pd.DataFrame) -> list:
    """``rows`` as document Quotes attributed '<group>, R07' (the respondent's short number;
    a run from before numbers were written: its respondent id)."""
    text = _text(rows)
    who = "respondent" if "respondent" in rows.columns else "respondent_id"
    return [Quote(" ".join(str(t).split()), str(g), str(r))
            for t, g, r in zip(rows[text], rows["group"], rows[who], strict=True)]


def _text(table: pd.DataFrame) -> str:
    """The column holding the words: ``quote`` (chosen quotes) or ``text`` (--all)."""
    return "quote" if "quote" in table.columns else "text"
