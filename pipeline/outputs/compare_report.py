"""compare.md, compare.html and compare.xlsx: what changed between survey rounds.

Rendered from a ``pipeline.compare.changes.Comparison``, whose texts are already redacted.
Markdown escapes every value (``md_escape``); the HTML page is one self-contained file
(inline CSS, no scripts, no links) rendered by jinja2 with autoescape on. Shares are written
with their counts ("27% (6 of 22)") under one stated denominator per round; from three rounds
on, each theme has a small inline-SVG line chart with its values written at the points.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from pipeline.outputs.md_escape import escape_md

EXPLAINED = [
    ("Share: respondents with at least one kept answer carrying the theme, out of respondents "
    "with at least one kept free-text answer in that round (recounted from comment_themes.csv)."),
    ("Test: chi-square on the 2x2 table (same p as the two-proportion z-test) when every "
    "expected count is at least {exact_below}, else Fisher's exact test; two-sided."),
    ("Adjusted p: Holm's method over the themes of each pair of rounds (and separately over "
    "the theme-by-group tests and over the statements)."),
    ("Candidate themes are matched by the cosine of embeddings of their label, keywords and "
    "examples; at least {candidate_similarity} counts as seen before."),
]


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _md_table(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    if frame.empty:
        return ["(none)", ""]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in frame[columns].itertuples(index=False):
        lines.append("| " + " | ".join(escape_md(v) if isinstance(v, str) else _cell(v)
                                       for v in row) + " |")
    return [*lines, ""]


CANDIDATE_VIEW = ["to_round", "candidate", "label", "n_respondents", "status", "matched_label",
                  "similarity"]
LINK_VIEW = ["theme", "statement", "from_round", "to_round", "difference_from", "difference_to"]
STATEMENT_VIEW = ["statement", "from_round", "to_round", "n_from", "mean_from", "n_to",
                  "mean_to", "change", "test", "p_value", "p_adjusted"]


def _md_view(frame: pd.DataFrame, view: list[tuple[str, str, str]]) -> list[str]:
    if frame.empty:
        return ["(none)", ""]
    lines = ["| " + " | ".join(h for h, _, _ in view) + " |", "|" + "---|" * len(view)]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(escape_md(_shown(row, column, how))
                                       for _, column, how in view) + " |")
    return [*lines, ""]


def render_markdown(comparison) -> str:
    """compare.md: rounds and their denominators, notes, themes, groups, candidate themes,
    statements, method."""
    lines = [f"# Round over round: {escape_md(' -> '.join(comparison.rounds))}", "",
             "## Rounds", "", "| Round | Respondents (the denominator) |", "|---|---|",
             *[f"| {escape_md(r['name'])} | {r['respondents']} |"
               for r in _round_rows(comparison)], ""]
    if comparison.notes:
        lines += ["## Notes", "", *[f"- {escape_md(n)}" for n in comparison.notes], ""]
    lines += ["## Themes", "", *_md_view(comparison.themes, THEME_CHANGES)]
    lines += ["## Themes by group", "", *_md_view(comparison.groups, GROUP_CHANGES)]
    lines += ["## Candidate themes", "", *_md_table(comparison.candidates, CANDIDATE_VIEW)]
    lines += ["## Statements (1-5)", "", *_md_table(comparison.statements, STATEMENT_VIEW)]
    lines += ["## Theme-score links (mean score, raised minus not raised)", "",
              *_md_table(comparison.links, LINK_VIEW)]
    lines += ["## How to read this", "",
              *[f"- {escape_md(t.format(**comparison.settings))}" for t in EXPLAINED], ""]
    return "\n".join(lines)


TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Round over round: {{ title }}</title>
<style>
body{font-family:system-ui,Segoe UI,Arial,sans-serif;max-width:60rem;margin:2rem auto;
  padding:0 1rem;color:#222;line-height:1.45}
h2{margin-top:2rem;border-bottom:1px solid #ccc;break-after:avoid}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.85rem;width:100%}
th,td{border:1px solid #ccc;padding:.2rem .45rem;text-align:left;vertical-align:top;
  overflow-wrap:break-word}
caption{text-align:left;font-weight:600;padding:.3rem 0}
td.num{text-align:right;white-space:nowrap}
thead{display:table-header-group}
tr{break-inside:avoid}
svg text{font-size:11px;fill:#222}
svg .line{fill:none;stroke:#1f4e79;stroke-width:2}
svg .axis{stroke:#888;stroke-width:1}
@page{size:A4;margin:14mm}
@media print{body{margin:0;max-width:none;font-size:10pt}table{font-size:8.5pt}}
</style></head><body>
<h1>Round over round: {{ title }}</h1>
<h2>Rounds</h2>
<p>Every share below is out of the round's respondents with at least one kept free-text
answer: the one denominator of that round.</p>
<table><thead><tr><th scope="col">Round</th><th scope="col">Respondents (the denominator)</th>
</tr></thead><tbody>{% for r in rounds %}<tr><td>{{ r.name }}</td>
<td class="num">{{ r.respondents }}</td></tr>{% endfor %}</tbody></table>
{% if notes %}<h2>Notes</h2><ul>{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
<h2>Share of respondents raising each theme</h2>
<table><thead><tr><th scope="col">Theme</th>{% for r in rounds %}
<th scope="col">{{ r.name }}</th>{% endfor %}{% if lines %}<th scope="col">Trend</th>{% endif %}
</tr></thead><tbody>{% for theme in shares %}<tr><th scope="row">{{ theme.label }}</th>
{% for cell in theme.cells %}<td class="num">{{ cell }}</td>{% endfor %}
{% if lines %}<td>{{ theme.line | safe }}</td>{% endif %}</tr>{% endfor %}</tbody></table>
{% for section in sections %}<h2>{{ section.title }}</h2>
{% for table in section.tables %}<table>{% if table.caption %}<caption>{{ table.caption }}</caption>
{% endif %}<thead><tr>{% for c in section.columns %}<th scope="col">{{ c }}</th>
{% endfor %}</tr></thead><tbody>{% for row in table.rows %}<tr>{% for v in row %}
<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</tbody></table>{% else %}<p>(none)</p>{% endfor %}
{% endfor %}
<h2>How to read this</h2><ul>{% for t in explained %}<li>{{ t }}</li>{% endfor %}</ul>
</body></html>
"""

# The pairwise tables as a reader sees them: (heading, column, how the value is shown).
# In compare.html each pair of rounds is a table of its own, captioned with the two names, so
# the rounds' columns are left out there (PAIR).
PAIR = [("From", "from_round", "text"), ("To", "to_round", "text")]
THEME_CHANGES = [("Theme", "label", "theme"), *PAIR, ("Before", "from", "share"),
                 ("After", "to", "share"), ("Change", "change", "points"),
                 ("Test", "test", "text"), ("Adjusted p", "p_adjusted", "p"),
                 ("Note", "note", "text")]
GROUP_CHANGES = [("Theme", "theme", "text"), ("Group", "group", "text"), *PAIR,
                 ("Before", "from", "share"), ("After", "to", "share"),
                 ("Change", "change", "points"), ("Adjusted p", "p_adjusted", "p")]


def share_text(n: object, total: object) -> str:
    """'27% (6 of 22)'; blank where the theme was not counted in that round."""
    if n is None or total is None or pd.isna(n) or pd.isna(total):
        return ""
    n, total = int(n), int(total)
    return f"{n / total:.0%} ({n} of {total})" if total else f"0% ({n} of 0)"


def _shown(row, column: str, how: str) -> str:
    if how == "share":
        return share_text(getattr(row, f"n_{column}"), getattr(row, f"total_{column}"))
    value = getattr(row, column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if how == "points":
        return f"{value * 100:+.0f} pts"
    if how == "p":
        return f"{value:.3f}" if value >= 0.001 else "< 0.001"
    if how == "theme":
        return sub_label(value, getattr(row, "parent", ""))
    return str(value)


def sub_label(label: str, parent: object) -> str:
    """A theme's label as the tables show it: a sub-theme's marked "→ " (it follows its
    parent, as in the run's report)."""
    return f"→ {label}" if isinstance(parent, str) and parent else str(label)


def _round_rows(comparison) -> list[dict]:
    """Each round's name and its denominator, read from the pairwise theme rows."""
    totals: dict[str, int] = {}
    for row in comparison.themes.itertuples(index=False):
        for side in ("from", "to"):
            total = getattr(row, f"total_{side}")
            if not pd.isna(total):
                totals.setdefault(getattr(row, f"{side}_round"), int(total))
    return [{"name": name, "respondents": totals.get(name, "")} for name in comparison.rounds]


def line_svg(label: str, points: list[tuple[str, float | None]]) -> str:
    """A small line chart of one theme's share across the rounds, with each value written at
    its point (so neither colour nor position alone carries it) and a text equivalent."""
    width, height, left, top = 170, 56, 18, 14
    step = (width - 2 * left) / max(1, len(points) - 1)
    known = [(i, share) for i, (_, share) in enumerate(points) if share is not None]
    coords = [(left + i * step, top + (1 - share) * (height - 2 * top)) for i, share in known]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    said = "; ".join(f"{name}: {share:.0%}" if share is not None else f"{name}: not counted"
                     for name, share in points)
    marks = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"/><text x="{x:.1f}" '
                    f'y="{y - 4:.1f}" text-anchor="middle">{share:.0%}</text>'
                    for (x, y), (_, share) in zip(coords, known, strict=True))
    aria = html.escape(f"{label}, share of respondents by round: {said}", quote=True)
    return (f'<svg role="img" aria-label="{aria}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><line class="axis" x1="{left}" x2="{width - left}" '
            f'y1="{height - top}" y2="{height - top}"/><polyline class="line" points="{path}"/>'
            f"{marks}</svg>")


def share_rows(comparison) -> list[dict]:
    """Per theme: its share in every round as '27% (6 of 22)', and (three rounds or more) a
    line chart of the shares."""
    counted: dict[str, dict] = {}
    for row in comparison.themes.itertuples(index=False):
        entry = counted.setdefault(row.theme, {"label": sub_label(row.label, row.parent),
                                               "by_round": {}})
        for side in ("from", "to"):
            n, total = getattr(row, f"n_{side}"), getattr(row, f"total_{side}")
            if not pd.isna(n) and not pd.isna(total):
                entry["by_round"][getattr(row, f"{side}_round")] = (int(n), int(total))
    rows = []
    for entry in counted.values():
        by_round = entry["by_round"]
        cells = [share_text(*by_round[name]) if name in by_round else "not in the config"
                 for name in comparison.rounds]
        points = [(name, by_round[name][0] / by_round[name][1]
                   if name in by_round and by_round[name][1] else None)
                  for name in comparison.rounds]
        rows.append({"label": entry["label"], "cells": cells,
                     "line": line_svg(entry["label"], points)})
    return rows


def render_html(comparison) -> str:
    """compare.html: one self-contained, escaped page that fits a screen and A4 paper: the
    rounds and their denominators, each theme's share per round with counts (and a line chart
    from three rounds on), the changes between consecutive rounds, and the other tables."""
    import jinja2

    sections = []
    for title, frame, view in (("Changes between consecutive rounds", comparison.themes,
                                THEME_CHANGES),
                               ("Changes by group", comparison.groups, GROUP_CHANGES)):
        view = [entry for entry in view if entry not in PAIR]
        tables = [{"caption": f"{pair[0]} -> {pair[1]}",
                   "rows": [[_shown(row, column, how) for _, column, how in view]
                            for row in rows.itertuples(index=False)]}
                  for pair, rows in frame.groupby(["from_round", "to_round"], sort=False)]
        sections.append({"title": title, "columns": [h for h, _, _ in view], "tables": tables})
    for title, frame, columns in (("Candidate themes", comparison.candidates, CANDIDATE_VIEW),
                                  ("Statements (1-5)", comparison.statements, STATEMENT_VIEW),
                                  ("Theme-score links (mean score, raised minus not raised)",
                                   comparison.links, LINK_VIEW)):
        rows = [[_cell(v) for v in row] for row in frame[columns].itertuples(index=False)]
        sections.append({"title": title, "columns": [c.replace("_", " ") for c in columns],
                         "tables": [{"caption": "", "rows": rows}] if rows else []})
    env = jinja2.Environment(autoescape=True)
    return env.from_string(TEMPLATE).render(
        title=" -> ".join(comparison.rounds), notes=comparison.notes,
        rounds=_round_rows(comparison), shares=share_rows(comparison),
        lines=len(comparison.rounds) >= 3, sections=sections,
        explained=[t.format(**comparison.settings) for t in EXPLAINED])


def sheets(comparison) -> dict[str, pd.DataFrame]:
    """compare.xlsx: themes, groups, candidates, statements, links and notes, a sheet each."""
    return {"themes": comparison.themes, "groups": comparison.groups,
            "candidates": comparison.candidates, "statements": comparison.statements,
            "links": comparison.links,
            "notes": pd.DataFrame({"note": comparison.notes}, dtype=object)}
