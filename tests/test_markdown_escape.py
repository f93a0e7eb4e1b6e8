"""recommendations.md escapes every user-supplied string: rendered by a Markdown library
(markdown-it-py, raw HTML allowed as most renderers do) it holds no live HTML (issue 13)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from cli_helpers import THEMES, csv_text, run_cli, write_config
from markdown_it import MarkdownIt

from pipeline.outputs.md_escape import escape_md

SAFE_TAGS = {"h1", "h2", "h3", "p", "strong", "em", "blockquote", "ul", "ol", "li", "table",
             "thead", "tbody", "tr", "th", "td", "br", "hr"}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def live_html(markdown_text: str) -> list[tuple[str, list]]:
    """Tags in the rendered HTML that the renderer did not make from Markdown itself."""
    parser = Tags()
    parser.feed(MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown_text))
    return [(tag, attrs) for tag, attrs in parser.tags if tag not in SAFE_TAGS or attrs]


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))",
    "![x](http://evil.example/t.png)", "# Heading", "1. list", "| a | b |", "`code` & *em*",
    "line one\n\n<iframe src=x>", "<a href='x'>y</a>", "&lt;script&gt;",
])
def test_escaped_strings_render_as_text(hostile):
    assert live_html("Label: " + escape_md(hostile)) == []
    assert live_html(escape_md(hostile)) == []


def test_recommendations_md_has_no_live_html(tmp_path: Path) -> None:
    themes = THEMES.read_text(encoding="utf-8").replace(
        "label: Early engagement on policy", 'label: "<script>alert(1)</script> engagement"', 1)
    themes_file = tmp_path / "themes.yaml"
    themes_file.write_text(themes, encoding="utf-8")
    group = "<img src=x onerror=alert(1)>"
    rows = [["id", "team", "comment"]] + [
        [f"R{i}", group, f"We want early engagement on policy, <b>not</b> after decisions {i}."]
        for i in range(6)]
    export = tmp_path / "r.csv"
    export.write_text(csv_text(rows), encoding="utf-8")
    outcome = run_cli([export], write_config(tmp_path), tmp_path / "run", "--themes",
                      str(themes_file))
    assert outcome.exit_code == 0, outcome.stderr
    text = (tmp_path / "run" / "recommendations.md").read_text(encoding="utf-8")
    assert "engagement" in text and "onerror" in text  # the hostile strings are there ...
    assert live_html(text) == []  # ... as text only
