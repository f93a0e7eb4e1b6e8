"""compare.md, compare.html and compare.xlsx: what changed between survey rounds.

Rendered from a ``pipeline.compare.changes.Comparison``, whose texts are already redacted.
Markdown escapes every value (``md_escape``); the HTML page is one self-contained file
(inline CSS, no scripts, no links) rendered by jinja2 with autoescape on; its chart is CSS
bars: each theme's share of respondents in every round.
"""

from __future__ import annotations

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


THEME_VIEW = ["theme", "label", "status", "from_round", "to_round", "n_from", "total_from",
              "share_from", "n_to", "total_to", "share_to", "change", "test", "p_value",
              "p_adjusted", "note"]
GROUP_VIEW = ["theme", "group", "from_round", "to_round", "n_from", "total_from", "n_to",
              "total_to", "change", "test", "p_value", "p_adjusted"]
CANDIDATE_VIEW = ["to_round", "candidate", "label", "n_respondents", "status", "matched_label",
                  "similarity"]
LINK_VIEW = ["theme", "statement", "from_round", "to_round", "difference_from", "difference_to"]
STATEMENT_VIEW = ["statement", "from_round", "to_round", "n_from", "mean_from", "n_to",
                  "mean_to", "change", "test", "p_value", "p_adjusted"]


def render_markdown(comparison) -> str:
    """compare.md: rounds, notes, themes, groups, candidate themes, statements, method."""
    lines = [f"# Round over round: {escape_md(' -> '.join(comparison.rounds))}", ""]
    if comparison.notes:
        lines += ["## Notes", "", *[f"- {escape_md(n)}" for n in comparison.notes], ""]
    lines += ["## Themes", "", *_md_table(comparison.themes, THEME_VIEW)]
    lines += ["## Themes by group", "", *_md_table(comparison.groups, GROUP_VIEW)]
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
body{font-family:system-ui,Segoe UI,Arial,sans-serif;max-width:70rem;margin:2rem auto;
  padding:0 1rem;color:#222;line-height:1.45}
h2{margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.85rem}
th,td{border:1px solid #ccc;padding:.2rem .45rem;text-align:left;vertical-align:top}
.bars div{display:flex;align-items:center;gap:.4rem;font-size:.8rem}
.bars .bar{height:.7rem;background:#2471a3;print-color-adjust:exact;
  -webkit-print-color-adjust:exact}
.r1 .bar{background:#aab7b8}.r2 .bar{background:#2471a3}.r3 .bar{background:#17a589}
.r4 .bar{background:#b9770e}
</style></head><body>
<h1>Round over round: {{ title }}</h1>
{% if notes %}<h2>Notes</h2><ul>{% for n in notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
<h2>Share of respondents raising each theme, by round</h2>
<table class="chart"><thead><tr><th>theme</th><th>share by round</th></tr></thead><tbody>
{% for theme in chart %}<tr><td>{{ theme.label }}</td><td class="bars">
{% for bar in theme.bars %}<div class="r{{ bar.index }}"><span style="width:7rem">{{ bar.round }}</span>
<span class="bar" style="width:{{ bar.width }}rem"></span><span>{{ bar.text }}</span></div>
{% endfor %}</td></tr>{% endfor %}</tbody></table>
{% for section in sections %}<h2>{{ section.title }}</h2>
{% if section.rows %}<table><thead><tr>{% for c in section.columns %}<th>{{ c }}</th>{% endfor %}
</tr></thead><tbody>{% for row in section.rows %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}
</tr>{% endfor %}</tbody></table>{% else %}<p>(none)</p>{% endif %}
{% endfor %}
<h2>How to read this</h2><ul>{% for t in explained %}<li>{{ t }}</li>{% endfor %}</ul>
</body></html>
"""


def chart_rows(comparison) -> list[dict]:
    """Per theme: one bar per round with its share (rounds where the theme was not in the
    config have no bar)."""
    shares: dict[str, dict] = {}
    for row in comparison.themes.itertuples(index=False):
        entry = shares.setdefault(row.theme, {"label": row.label, "by_round": {}})
        for side in ("from", "to"):
            n, total = getattr(row, f"n_{side}"), getattr(row, f"total_{side}")
            if not pd.isna(n) and not pd.isna(total):
                entry["by_round"][getattr(row, f"{side}_round")] = (int(n), int(total))
    chart = []
    for entry in shares.values():
        bars = []
        for index, name in enumerate(comparison.rounds, start=1):
            if name in entry["by_round"]:
                n, total = entry["by_round"][name]
                share = n / total if total else 0.0
                bars.append({"index": min(index, 4), "round": name,
                             "width": round(20 * share, 2),
                             "text": f"{share:.0%} ({n} of {total})"})
        chart.append({"label": entry["label"], "bars": bars})
    return chart


def render_html(comparison) -> str:
    """compare.html: one self-contained, escaped page with a chart of shares by round."""
    import jinja2

    sections = []
    for title, frame, columns in (("Themes", comparison.themes, THEME_VIEW),
                                  ("Themes by group", comparison.groups, GROUP_VIEW),
                                  ("Candidate themes", comparison.candidates, CANDIDATE_VIEW),
                                  ("Statements (1-5)", comparison.statements, STATEMENT_VIEW),
                                  ("Theme-score links (mean score, raised minus not raised)",
                                   comparison.links, LINK_VIEW)):
        rows = [[_cell(v) for v in row] for row in frame[columns].itertuples(index=False)]
        sections.append({"title": title, "columns": columns, "rows": rows})
    env = jinja2.Environment(autoescape=True)
    return env.from_string(TEMPLATE).render(
        title=" -> ".join(comparison.rounds), notes=comparison.notes,
        chart=chart_rows(comparison), sections=sections,
        explained=[t.format(**comparison.settings) for t in EXPLAINED])


def sheets(comparison) -> dict[str, pd.DataFrame]:
    """compare.xlsx: themes, groups, candidates, statements, links and notes, a sheet each."""
    return {"themes": comparison.themes, "groups": comparison.groups,
            "candidates": comparison.candidates, "statements": comparison.statements,
            "links": comparison.links,
            "notes": pd.DataFrame({"note": comparison.notes}, dtype=object)}
