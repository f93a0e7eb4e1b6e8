"""recommendations.md: the document model as Markdown a report author can paste."""

from __future__ import annotations

import pandas as pd

from pipeline.outputs import document as words
from pipeline.outputs import likert
from pipeline.outputs.document import Document, Item, Quote
from pipeline.outputs.md_escape import escape_md as md


def render_markdown(document: Document) -> str:
    """Markdown a report author can paste: a summary, the statements, drafted
    recommendations with what was asked, evidence and quotes, mixed views, emerging themes,
    then the rest."""
    lines = [f"# {md(document.title)}", ""]
    if document.subtitle:
        lines += [md(document.subtitle), ""]
    lines += ["## Summary", ""]
    lines += [f"- {md(line)}" for line in document.summary] + [""]
    if len(document.ranking):
        lines += ["Themes raised, most respondents first"
                  + (" (sub-themes under their theme, each respondent counted once per theme)"
                     if document.subthemes else "") + ":", "",
                  *table_md(document.ranking_with_subthemes()), ""]
    if document.group_note:
        lines += [md(document.group_note), ""]
    if document.statements:
        lines += ["## How respondents answered the statements", ""]
        for statement in document.statements:
            linked = (f"Linked to the theme “{md(statement.theme)}”." if statement.theme
                      else "Not linked to a theme: reported on its own.")
            lines += [f"### “{md(statement.words)}”", "",
                      f"{md(statement.headline)}. {linked}", ""]
        lines += [*table_md(likert.table(document.statements)), ""]
    if document.drafted:
        lines += ["## Draft recommendations", ""]
    else:
        lines += [words.NOTHING_DRAFTED, ""]
    for item in document.drafted:
        lines += [f"### {md(item.heading)}", "", f"**Draft:** {md(item.recommendation)}", ""]
        if item.action_line:
            lines += [f"**Action in the theme config:** {md(item.action_line)}", ""]
        lines += item_md(item, "What respondents asked for", "What works")
    for heading, intro, items, asks, praise in document.later_sections():
        lines += [f"## {heading}", ""] + ([intro, ""] if intro else [])
        for item in items:
            lines += [f"### {md(item.heading)}", "", *asked_md(item.ask_phrases)]
            lines += item_md(item, asks, praise)
            if item.stub:
                lines += ["```yaml", item.stub.rstrip("\n"), "```", ""]
    if document.too_little:
        lines += ["## Not drafted this round", ""]
        for item in document.too_little:
            lines.append(f"- {md(item.why_not)}")
        lines.append("")
    if len(document.theme_group):
        lines += ["## Who raised each theme", "", *table_md(document.theme_group), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def item_md(item: Item, asks: str, praise: str) -> list[str]:
    """Evidence, linked statements and quotes of one theme."""
    lines = [f"**Evidence:** {md(item.evidence)}", ""]
    lines += [line for score in item.score_lines for line in (f"**Statement:** {md(score)}", "")]
    return lines + quotes_md(asks, item.asks) + quotes_md(praise, item.praise)


def asked_md(phrases: list[str]) -> list[str]:
    """The central ask phrases, verbatim."""
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
