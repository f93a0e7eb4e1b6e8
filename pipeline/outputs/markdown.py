"""recommendations.md: the document model as Markdown a report author can paste."""

from __future__ import annotations

import pandas as pd

from pipeline.outputs.document import STATUS_TEXT, Document, Quote
from pipeline.outputs.md_escape import escape_md as md


def render_markdown(document: Document) -> str:
    """Markdown a report author can paste: a summary, then drafted recommendations with
    what was asked, evidence and quotes, then the rest."""
    lines = [f"# Draft recommendations: {md(document.title)}", "", "## Summary", ""]
    lines += [f"- {md(line)}" for line in document.summary] + [""]
    if len(document.ranking):
        lines += ["Themes raised, most respondents first:", "", *table_md(document.ranking), ""]
    if not document.drafted:
        lines += ["No theme had enough support this round to draft a recommendation.", ""]
    for item in document.drafted:
        lines += [f"## {md(item.heading)}", "",
                  f"**Recommendation:** {md(item.recommendation)}", ""]
        lines += asked_md(item.ask_phrases)
        lines += [f"**Evidence:** {md(item.evidence)}", ""]
        if item.score_note:
            lines += [f"**Scores:** {md(item.score_note)}", ""]
        lines += quotes_md("What respondents asked for", item.asks)
        lines += quotes_md("What works", item.praise)
    if document.praised:
        lines += ["## Raised in praise only (what works)", ""]
        for item in document.praised:
            lines += [f"### {md(item.heading)}", "", md(item.evidence), ""]
            lines += quotes_md("", item.praise)
    if document.too_little:
        lines += ["## Not drafted this round", ""]
        for item in document.too_little:
            lines.append(f"- {md(item.label)}: {md(item.evidence.rstrip('.'))} "
                         f"({STATUS_TEXT.get(item.status, item.status)})")
        lines.append("")
    if len(document.theme_group):
        lines += ["## Who raised each theme", "", *table_md(document.theme_group), ""]
    summary = document.score_table
    if len(summary):
        overall = summary[summary["group"] == "All respondents"]
        means = summary.pivot(index="statement", columns="group", values="mean")
        order = ["All respondents"] + sorted(c for c in means.columns if c != "All respondents")
        means = means[order].reindex(list(dict.fromkeys(summary["statement"])))
        means = means.map(lambda v: "" if pd.isna(v) else f"{v:.2f}").reset_index()
        lines += ["## Scores (1 = strongly disagree, 5 = strongly agree)", "",
                  *table_md(overall.drop(columns=["group", "column"], errors="ignore")), "",
                  "Mean score by group:", "", *table_md(means), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def asked_md(phrases: list[str]) -> list[str]:
    """The central ask phrases, verbatim, under the configured owner and action."""
    if not phrases:
        return []
    return ["**Asked for, in respondents' words:** "
            + "; ".join(f"“{md(phrase)}”" for phrase in phrases), ""]


def quotes_md(heading: str, quotes: list[Quote]) -> list[str]:
    if not quotes:
        return []
    lines = [f"*{heading}:*", ""] if heading else []
    for quote in quotes:
        lines += [f"> “{md(quote.text)}” ({md(quote.citation())})", ">"]
    lines[-1] = ""
    return lines


def table_md(table: pd.DataFrame) -> list[str]:
    def cell(value) -> str:
        return md(value)

    header = "| " + " | ".join(cell(c) for c in table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |"
            for row in table.itertuples(index=False)]
    return [header, rule, *rows]
