"""report.html: one self-contained file (inline CSS, no scripts, no links) that opens offline.

Summary first (the denominator, answers kept, themes ranked, a prevalence chart by group),
sub-themes on demand under their theme (``<details>``), the statements, then the drafts, mixed views, emerging themes and the rest; pointers to the
analyst's files last (no layer names, scores or cluster ids here). A print stylesheet sets
A4, keeps headings with what follows and repeats table headers on every page.

Rendered with jinja2 with autoescape on, so comment text can never inject markup.
Statements are diverging stacked bars (inline SVG: disagree left of the centre line, agree
right, "neither" across it), each with its figures in words (aria-label, title, and the
count cells beside it), so colour never carries a figure alone.
"""

from __future__ import annotations

import pandas as pd

from pipeline.outputs import document as words
from pipeline.outputs.document import Document

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ doc.title }}</title>
<style>
body{font-family:system-ui,Segoe UI,Arial,sans-serif;max-width:60rem;margin:2rem auto;
  padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
blockquote{margin:.4rem 0 .4rem 1rem;padding-left:.8rem;border-left:4px solid #4a7;font-style:italic}
blockquote.praise{border-color:#57a}
cite{font-style:normal;color:#555;font-size:.85rem}
svg.diverging{border:1px solid #999;background:#fff}
rect.disagree{fill:#b2182b}rect.neither{fill:#bdbdbd}rect.agree{fill:#2166ac}
.key{display:inline-block;width:1rem;height:.8rem;margin:0 .2rem 0 .8rem;vertical-align:middle}
.key.disagree{background:#b2182b}.key.neither{background:#bdbdbd}.key.agree{background:#2166ac}
th[scope=row]{font-weight:normal}
.share{width:5rem;height:.6rem;border:1px solid #999;background:#fff;margin-top:.15rem}
.share span{display:block;height:100%;background:#2471a3}
td.all{font-weight:bold}
.muted{color:#666}
@page{size:A4;margin:16mm 14mm}
@media print{
  body{max-width:none;margin:0;padding:0;font-size:10pt}
  h1,h2,h3,p.lead{break-after:avoid;page-break-after:avoid}
  details{display:block}details>pre{display:block}
  thead{display:table-header-group}
  tr,blockquote,li{break-inside:avoid;page-break-inside:avoid}
  svg,.share,.share span,.key{print-color-adjust:exact;
    -webkit-print-color-adjust:exact}
}
</style></head><body>
<h1>{{ doc.title }}</h1>
{% if doc.subtitle %}<p class="lead">{{ doc.subtitle }}</p>{% endif %}
<section class="summary">
<h2>Summary</h2>
<ul>{% for line in doc.summary %}<li>{{ line }}</li>{% endfor %}</ul>
{% if ranking %}<p class="lead"><strong>Themes raised, most respondents first</strong></p>
{{ ranking }}{% endif %}{% for parent, children in subthemes %}
<details class="subthemes"><summary>Sub-themes of
&ldquo;{{ parent }}&rdquo; (each respondent is counted once for &ldquo;{{ parent }}&rdquo; above)</summary>
{{ children }}</details>{% endfor %}
{% if doc.prevalence %}<p class="lead"><strong>How often each theme was raised, by group</strong>
(share of each group's respondents)</p>
<table class="prevalence"><thead><tr><th scope="col">theme</th>
{% for cell in doc.prevalence[0].cells %}<th scope="col">{{ cell.group }}</th>{% endfor %}</tr></thead><tbody>
{% for theme in doc.prevalence %}<tr><th scope="row">{{ theme.theme }}</th>
{% for cell in theme.cells %}<td{% if loop.first %} class="all"{% endif %}>{{ cell.count }} of {{ cell.of }} ({{ cell.share|round|int }}%)
<div class="share" aria-hidden="true"><span style="width:{{ cell.share }}%"></span></div></td>
{% endfor %}</tr>{% endfor %}</tbody></table>{% endif %}
{% if doc.group_note %}<p class="muted">{{ doc.group_note }}</p>{% endif %}
</section>
{% if doc.statements %}<section>
<h2>How respondents answered the statements</h2>
<p class="legend"><span class="key disagree"></span>disagree (1-2)
<span class="key neither"></span>neither (3) <span class="key agree"></span>agree (4-5).
Each bar is centred on the middle of &ldquo;neither&rdquo;; the counts beside it carry the same figures.</p>
{% for st in doc.statements %}
<h3>&ldquo;{{ st.words }}&rdquo;</h3>
<p>{{ st.headline }}.
{% if st.theme %}Linked in the config to the theme &ldquo;{{ st.theme }}&rdquo;.{% else %}Not linked to a theme in the config: reported on its own.{% endif %}</p>
<table class="likert"><thead><tr><th scope="col">group</th><th scope="col">answered</th>
<th scope="col">answers</th>{% for band in st.rows[0].bands %}<th scope="col">{{ band.label }}</th>{% endfor %}
<th scope="col">{{ st.rows[0].bands[2].label }}, 95% interval</th></tr></thead><tbody>
{% for row in st.rows %}<tr><th scope="row">{{ row.group }}</th><td>{{ row.n }}</td>
<td><svg class="diverging" viewBox="0 0 200 14" width="200" height="14" role="img" aria-label="{{ row.text }}">
<title>{{ row.text }}</title>{% set x = namespace(at=row.offset()) %}{% for band in row.bands %}
<rect class="{{ band.kind }}" x="{{ x.at|round(1) }}" y="1" width="{{ band.width }}" height="12"></rect>{% set x.at = x.at + band.width %}{% endfor %}
<line x1="100" y1="0" x2="100" y2="14" stroke="#222" stroke-width="1"></line></svg></td>
{% for band in row.bands %}<td>{{ band.count }} of {{ band.of }} ({{ band.share }}%)</td>{% endfor %}
<td>{{ row.interval }}</td></tr>
{% endfor %}</tbody></table>
{% endfor %}</section>{% endif %}
{% if doc.drafted %}<h2>Draft recommendations</h2>{% else %}<p>{{ words.NOTHING_DRAFTED }}</p>{% endif %}
{% for item in doc.drafted %}
<section>
<h3>{{ item.heading }}</h3>
<p><strong>Draft:</strong> {{ item.recommendation }}</p>
{% if item.action_line %}<p><strong>Action in the theme config:</strong> {{ item.action_line }}</p>{% endif %}
<p><strong>Evidence:</strong> {{ item.evidence }}</p>
{% for line in item.score_lines %}<p><strong>Statement:</strong> {{ line }}</p>{% endfor %}
{% if item.asks %}<p class="lead"><em>What respondents asked for:</em></p>{% endif %}
{% for q in item.asks %}
<blockquote>&ldquo;{{ q.text }}&rdquo; <cite>({{ q.citation() }})</cite></blockquote>{% endfor %}
{% if item.praise %}<p class="lead"><em>What works:</em></p>{% endif %}
{% for q in item.praise %}
<blockquote class="praise">&ldquo;{{ q.text }}&rdquo; <cite>({{ q.citation() }})</cite>
</blockquote>{% endfor %}
</section>
{% endfor %}
{% if doc.mixed %}<h2>{{ words.MIXED }}</h2>
<p class="muted">{{ words.MIXED_INTRO }}</p>
{% for item in doc.mixed %}<section><h3>{{ item.heading }}</h3>
<p><strong>Evidence:</strong> {{ item.evidence }}</p>
{% for line in item.score_lines %}<p><strong>Statement:</strong> {{ line }}</p>{% endfor %}
{% if item.asks %}<p class="lead"><em>Asking for a change:</em></p>{% endif %}
{% for q in item.asks %}<blockquote>&ldquo;{{ q.text }}&rdquo; <cite>({{ q.citation() }})</cite></blockquote>{% endfor %}
{% if item.praise %}<p class="lead"><em>Praising what works:</em></p>{% endif %}
{% for q in item.praise %}<blockquote class="praise">&ldquo;{{ q.text }}&rdquo; <cite>({{ q.citation() }})</cite></blockquote>{% endfor %}
</section>{% endfor %}{% endif %}
{% if doc.emerging %}<h2>{{ words.EMERGING }}</h2>
<p class="muted">{{ words.EMERGING_INTRO }}</p>
{% for item in doc.emerging %}<section><h3>{{ item.heading }}</h3>
<p><strong>Evidence:</strong> {{ item.evidence }}</p>
{% if item.ask_phrases %}<p><strong>Asked for, in respondents' words:</strong>
{% for phrase in item.ask_phrases %}&ldquo;{{ phrase }}&rdquo;{% if not loop.last %}; {% endif %}{% endfor %}</p>{% endif %}
{% for q in item.asks + item.praise %}<blockquote>&ldquo;{{ q.text }}&rdquo; <cite>({{ q.citation() }})</cite></blockquote>{% endfor %}
{% if item.stub %}<details><summary>Theme config stub</summary><pre>{{ item.stub }}</pre></details>{% endif %}
</section>{% endfor %}{% endif %}
{% if doc.praised %}<h2>{{ words.PRAISED }}</h2>
{% for item in doc.praised %}<section><h3>{{ item.heading }}</h3>
<p><strong>Evidence:</strong> {{ item.evidence }}</p>
{% for q in item.praise %}<blockquote class="praise">&ldquo;{{ q.text }}&rdquo; <cite>({{ q.citation() }})</cite></blockquote>{% endfor %}
</section>{% endfor %}{% endif %}
{% if doc.too_little %}<h2>Not drafted this round</h2><ul>
{% for item in doc.too_little %}<li>{{ item.why_not }}</li>{% endfor %}</ul>{% endif %}
{% if theme_group %}<h2>Who raised each theme</h2>{{ theme_group }}{% endif %}
<h2>For the analyst</h2>
<p class="muted">{{ unexplained }} comment(s) fit no theme or emerging theme (unexplained.csv).
How each comment was tagged is in tags.csv and comment_themes.csv; the clusters discovery found
({{ n_clusters }}) are in clusters.csv; score counts and means are in scores.csv and theme_scores.csv.</p>
{% if found_nothing %}<p class="muted" id="discovery-reason">{{ found_nothing }}.</p>{% endif %}
</body></html>
"""


def _table(frame: pd.DataFrame, escape) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape('' if pd.isna(v) else str(v))}</td>"
                                    for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    # thead: a printed table repeats its header on every page
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _found_nothing(clusters: pd.DataFrame) -> str:
    """Why discovery found no cluster, from the one ``skipped`` row it leaves; "" when it ran
    (the row's reason names no comment: it is built from counts only)."""
    if "method" not in clusters or "reason" not in clusters:
        return ""
    skipped = clusters.loc[clusters["method"] == "skipped", "reason"]
    return str(skipped.iat[0]) if len(skipped) else ""


def render_html(document: Document, clusters: pd.DataFrame, n_unexplained: int) -> str:
    """The whole report as one HTML page; every value is escaped."""
    from jinja2 import Environment
    from markupsafe import Markup, escape

    env = Environment(autoescape=True, keep_trailing_newline=True)
    return env.from_string(TEMPLATE).render(
        doc=document,
        theme_group=Markup(_table(document.theme_group, escape)) if len(document.theme_group)
        else "",
        ranking=Markup(_table(document.ranking, escape)) if len(document.ranking) else "",
        words=words,
        subthemes=[(parent, Markup(_table(children, escape)))
                   for parent, children in document.subthemes.items()],
        n_clusters=int((clusters["cluster_id"] >= 0).sum()) if "cluster_id" in clusters else 0,
        found_nothing=_found_nothing(clusters),
        unexplained=n_unexplained,
    )
