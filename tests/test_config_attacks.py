"""Configs cannot attack the machine (issue 13): YAML anchors and aliases are refused before
anything expands them, oversized files are refused, spaCy patterns with more than one
unbounded operator are refused by ``themes check`` and at load, and pattern matching reads a
long sentence in bounded windows."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config.models import load_pipeline, load_themes
from pipeline.config.yaml_safe import MAX_CONFIG_BYTES
from pipeline.errors import ConfigError, ConfigProblems

ALIAS_BOMB = "\n".join(
    ["version: 1", "lol0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    + [f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    + ["unknown_key: *a8", "themes: []"]) + "\n"
SLOW_PATTERN = """\
version: 1
themes:
  - id: slow
    label: Slow
    keywords: [slow]
    patterns:
      - [{OP: "*"}, {OP: "*"}, {OP: "*"}, {OP: "*"}, {LOWER: zzz}]
"""


def test_alias_bomb_is_refused_before_expansion_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "themes.yaml"
    path.write_text(ALIAS_BOMB, encoding="utf-8")
    assert len(ALIAS_BOMB) < 1000
    with pytest.raises(ConfigError) as caught:
        load_themes(path)
    assert str(caught.value) == (
        f"[C014] {path} line 2: YAML anchor '&a0' is not allowed in a config file (anchors and "
        "aliases can make a small file expand without limit); write the value out in full")
    result = CliRunner().invoke(app, ["themes", "check", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error [C014]: {path} line 2: YAML anchor '&a0'")


def test_a_lone_alias_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.yaml"
    path.write_text("version: 1\ninput:\n  text_columns: *cols\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[C014\] .* line 3: YAML alias '\*cols'"):
        load_pipeline(path)


def test_oversized_config_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "themes.yaml"
    path.write_text("version: 1\nthemes: []\n" + "#" * MAX_CONFIG_BYTES, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_themes(path)
    assert caught.value.code == "C013"
    assert "1,000,000-byte limit" in caught.value.message


def test_slow_pattern_is_refused_by_themes_check(tmp_path: Path) -> None:
    path = tmp_path / "themes.yaml"
    path.write_text(SLOW_PATTERN, encoding="utf-8")
    with pytest.raises(ConfigProblems) as caught:
        load_themes(path)
    assert caught.value.code == "C015"
    result = CliRunner().invoke(app, ["themes", "check", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error [C015]: {path} line 7: pattern 1 in theme 'slow' has 4 tokens with an "
        "unbounded operator (*, + or {n,}); at most one is allowed, as several can take "
        'minutes on one long sentence; bound the others, e.g. {OP: "{0,3}"}')


@pytest.mark.parametrize("ops, allowed", [
    (["*"], True), (["+", "?"], True), (["{0,3}", "{2,}"], True), (["{1,}", "+"], False),
    (["*", "{,5}", "*"], False),
])
def test_one_unbounded_operator_is_allowed(tmp_path: Path, ops, allowed) -> None:
    tokens = ", ".join(f'{{LOWER: w{i}, OP: "{op}"}}' for i, op in enumerate(ops))
    path = tmp_path / "themes.yaml"
    path.write_text(SLOW_PATTERN.replace(
        '[{OP: "*"}, {OP: "*"}, {OP: "*"}, {OP: "*"}, {LOWER: zzz}]',
        f"[{tokens}, {{LOWER: zzz}}]"), encoding="utf-8")
    if allowed:
        assert load_themes(path).themes[0].id == "slow"
    else:
        with pytest.raises(ConfigProblems, match="C015"):
            load_themes(path)


def test_matching_reads_long_sentences_in_windows() -> None:
    import spacy
    from spacy.matcher import Matcher

    from pipeline.text.nlp import match_in_windows

    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab)
    matcher.add("late", [[{"LOWER": "papers"}, {"LOWER": "late"}]])
    doc = nlp(" ".join(["word"] * 300 + ["papers", "late"] + ["word"] * 110 + ["papers", "late"]))
    found = match_in_windows(matcher, doc, size=120, overlap=20)
    assert [(s, e) for _, s, e in found] == [(300, 302), (412, 414)]
    assert found == sorted(matcher(doc), key=lambda m: (m[1], m[2], m[0]))


def test_a_section_given_twice_is_refused_naming_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.yaml"
    path.write_text("version: 1\ntag:\n  semantic: true\ndiscover:\n  enabled: false\n"
                    "tag:\n  embedder: minilm\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_pipeline(path)
    assert str(caught.value) == (
        f"[C017] {path} line 6: 'tag' is already set on line 2 of the same section; keep one of "
        "them (YAML would silently use the last)")


def test_the_same_key_in_different_sections_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.yaml"
    path.write_text("version: 1\ntag:\n  embedder: tfidf-svd\ndiscover:\n  embedder: tfidf-svd\n",
                    encoding="utf-8")
    assert load_pipeline(path).tag.embedder == "tfidf-svd"
