"""report.html: one self-contained file (inline CSS, no scripts, no links) that opens offline.

Summary first (the denominator, answers kept, themes ranked, a prevalence chart by group),
then the drafts. A print stylesheet sets A4, keeps headings with what follows and repeats
table headers on every page.

Rendered with jinja2 with autoescape on, so comment text can never inject markup.
Score charts are stacked CSS bars: the share of respondents giving each score 1-5.
"""

from __future__ import annotations

import pandas as pd

from pipeline.outputs.document import STATUS_TEXT, Document

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Draft recommendations: {{ doc.title }}</title>
<style>
body{font-family:system-ui,Segoe UI,Arial,sans-serif;max-width:60rem;margin:2rem auto;
  padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
blockquote{margin:.4rem 0 .4rem 1rem;padding-left:.8rem;border-left:4px solid #4a7;font-style:italic}
blockquote.praise{border-color:#57a}
cite{font-style:normal;color:#555;font-size:.85rem}
.bar{display:flex;width:22rem;height:1rem;border:1px solid #999}
.bar span{display:block;height:100%}
.s1{background:#c0392b}.s2{background:#e67e22}.s3{background:#bbb}
.s4{background:#7fb3d5}.s5{background:#2471a3}
.legend span{display:inline-block;width:1rem;height:.8rem;margin:0 .2rem 0 .8rem;
  vertical-align:middle}
.share{width:5rem;height:.6rem;border:1px solid #999;background:#fff;margin-top:.15rem}
.share span{display:block;height:100%;background:#2471a3}
td.all{font-weight:bold}
.muted{color:#666}
@page{size:A4;margin:16mm 14mm}
@media print{
  body{max-width:none;margin:0;padding:0;font-size:10pt}
  h1,h2,h3,p.lead{break-after:avoid;page-break-after:avoid}
  thead{display:table-header-group}
  tr,blockquote,li{break-inside:avoid;page-break-inside:avoid}
  .bar,.share,.bar span,.share span,.s1,.s2,.s3,.s4,.s5{print-color-adjust:exact;
    -webkit-print-color-adjust:exact}
}
</style></head><body>
<h1>Draft recommendations: {{ doc.title }}</h1>
<section class="summary">
<h2>Summary</h2>
<ul>{% for line in doc.summary %}<li>{{ line }}</li>{% endfor %}</ul>
{% if ranking %}<p class="lead"><strong>Themes raised, most respondents first</strong></p>
{{ ranking }}{% endif %}
{% if doc.prevalence %}<p class="lead"><strong>How often each theme was raised, by group</strong>
(share of each group's respondents)</p>
<table class="prevalence"><thead><tr><th>theme</th>
{% for cell in doc.prevalence[0].cells %}<th>{{ cell.group }}</th>{% endfor %}</tr></thead><tbody>
{% for theme in doc.prevalence %}<tr><td>{{ theme.theme }}</td>
{% for cell in theme.cells %}<td{% if loop.first %} class="all"{% endif %}>{{ cell.count }} of {{ cell.of }}
<div class="share" title="{{ cell.share }}%"><span style="width:{{ cell.share }}%"></span></div></td>
{% endfor %}</tr>{% endfor %}</tbody></table>{% endif %}
</section>
{% if not doc.drafted %}<p>No theme had enough support this round to draft a recommendation.</p>{% endif %}
{% for item in doc.drafted + doc.praised %}
<section>
<h2>{{ item.heading }}</h2>
{% if item.recommendation %}<p><strong>Recommendation:</strong> {{ item.recommendation }}</p>{% endif %}
{% if item.ask_phrases %}<p><strong>Asked for, in respondents' words:</strong>
{% for phrase in item.ask_phrases %}&ldquo;{{ phrase }}&rdquo;{% if not loop.last %}; {% endif %}{% endfor %}</p>{% endif %}
<p><strong>Evidence:</strong> {{ item.evidence }}</p>
{% if item.score_note %}<p><strong>Scores:</strong> {{ item.score_note }}</p>{% endif %}
{% if item.asks %}<p class="lead"><em>What respondents asked for:</em></p>{% endif %}
{% for q in item.asks %}
<blockquote>&ldquo;{{ q.text }}&rdquo; <cite>({{ q.citation() }})</cite></blockquote>{% endfor %}
{% if item.praise %}<p class="lead"><em>What works:</em></p>{% endif %}
{% for q in item.praise %}
<blockquote class="praise">&ldquo;{{ q.text }}&rdquo; <cite>({{ q.citation() }})</cite>
</blockquote>{% endfor %}
</section>
{% endfor %}
{% if doc.too_little %}<h2>Not drafted this round</h2><ul>
{% for item in doc.too_little %}<li>{{ item.label }}: {{ item.evidence }} ({{ status_text.get(item.status, item.status) }})</li>{% endfor %}</ul>{% endif %}
{% if theme_group %}<h2>Who raised each theme</h2>{{ theme_group }}{% endif %}
{% if charts %}<h2>Scores by group</h2>
<p class="legend">Share giving each score:{% for k in range(1, 6) %}
<span class="s{{ k }}"></span>{{ k }}{% endfor %}
(1 = strongly disagree, 5 = strongly agree)</p>
<table><thead><tr><th>statement</th><th>group</th><th>n</th><th>mean</th><th>distribution</th></tr></thead>
<tbody>{% for row in charts %}<tr><td>{{ row.statement }}</td><td>{{ row.group }}</td>
<td>{{ row.n }}</td><td>{{ row.mean }}</td><td><div class="bar">{% for k, width in row.widths %}
<span class="s{{ k }}" style="width:{{ width }}%" title="{{ k }}: {{ width }}%"></span>
{% endfor %}</div></td></tr>
{% endfor %}</tbody></table>{% endif %}
{% if clusters %}<h2>Clusters found by discovery</h2>
<p class="muted">Respondents here count every sentence of a cluster; a candidate theme above
counts those using its words.</p>{{ clusters }}{% endif %}
<p class="muted">{{ unexplained }} comment(s) fit no theme or candidate theme: see unexplained.csv.</p>
</body></html>
"""


def _table(frame: pd.DataFrame, escape) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape('' if pd.isna(v) else str(v))}</td>"
                                    for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    # thead: a printed table repeats its header on every page
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _charts(score_table: pd.DataFrame) -> list[dict]:
    rows = []
    for row in score_table.itertuples(index=False):
        total = max(1, int(row.n))
        widths = [(k, round(100 * int(getattr(row, f"n_{k}")) / total, 1)) for k in range(1, 6)]
        rows.append({"statement": row.statement, "group": row.group, "n": int(row.n),
                     "mean": row.mean, "widths": widths})
    return rows


def render_html(document: Document, clusters: pd.DataFrame, n_unexplained: int) -> str:
    """The whole report as one HTML page; every value is escaped."""
    from jinja2 import Environment
    from markupsafe import Markup, escape

    env = Environment(autoescape=True, keep_trailing_newline=True)
    shown = (clusters[["label", "status", "theme_id", "n_sentences", "n_respondents", "reason"]]
             if len(clusters) else clusters)
    return env.from_string(TEMPLATE).render(
        doc=document,
        theme_group=Markup(_table(document.theme_group, escape)) if len(document.theme_group)
        else "",
        ranking=Markup(_table(document.ranking, escape)) if len(document.ranking) else "",
        status_text=STATUS_TEXT,
        charts=_charts(document.score_table),
        clusters=Markup(_table(shown, escape)) if len(shown) else "",
        unexplained=n_unexplained,
    )
