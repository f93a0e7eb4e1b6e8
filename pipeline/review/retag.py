"""Re-tag a finished round from its artifacts: near misses, and "try an edit".

Nothing is re-run but the tag stage's own functions (``pipeline.stages.tag.tag`` and the
semantic layer's scorer) over the run's saved sentences (``artifacts/clean.sentences.parquet``),
so a preview takes the time of tagging alone. An edit changes one theme's keywords, examples or
not-examples (sentences that must not get the theme: a semantic hit has to score above
them), exclude phrases (a sentence holding one is never tagged with it) and the criteria
(``includes``/``excludes``: shown to reviewers and exported, not scored).
An edit may also change a theme's label, description and recommendation (owner and action),
or add a theme. Saving renders the whole themes file with the edit, checks it with the same
checks as ``theming themes check`` (``load_themes``), keeps the old file as
``<name>.<time>.bak`` beside it and writes the new one atomically. The file is read and
written round trip with ruamel.yaml, so its comments and the order of its themes and keys are
kept (PyYAML would drop every comment); ``diff`` shows the reviewer the lines a save changes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from pipeline.config.models import Settings, ThemesConfig, load_themes
from pipeline.errors import ConfigProblems, DataError
from pipeline.review.run_data import RunData

# lists, one entry a line
EDITABLE = ("keywords", "examples", "not_examples", "exclude", "includes", "excludes")
TEXTS = ("label", "description")
RECOMMENDATION = ("owner", "action")
_LOCK = threading.Lock()


def lines_of(text: str) -> list[str]:
    """One entry per non-blank line, stripped (how the edit form's text areas are read)."""
    return [line.strip() for line in str(text).splitlines() if line.strip()]


def _round_trip():
    """A ruamel.yaml reader and writer laid out as the shipped themes.yaml ("  - id: ..."),
    that never re-wraps a long line."""
    from ruamel.yaml import YAML

    rt = YAML(typ="rt")
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 4096
    rt.preserve_quotes = True
    return rt


def edited_yaml(themes_path: Path, theme_id: str, fields: dict, *, new: bool = False) -> str:
    """The themes file's text with ``fields`` of ``theme_id`` replaced: list fields
    (``EDITABLE``) as lists, ``label`` and ``description`` as text, ``owner`` and ``action``
    inside ``recommendation``; with ``new``, a theme of that id appended. Comments and the
    order of themes and keys are kept."""
    from ruamel.yaml.comments import CommentedMap

    rt = _round_trip()
    original = themes_path.read_text(encoding="utf-8-sig")
    data = rt.load(original)
    themes = data.get("themes") if isinstance(data, dict) else None
    if themes is None:
        raise DataError(f"{themes_path}: has no themes: list to edit; fix the file first",
                        code="D082")
    theme = next((t for t in themes if isinstance(t, dict) and t.get("id") == theme_id), None)
    if new and theme is not None:
        raise DataError(f"{themes_path}: theme id '{theme_id}' is already used; choose another "
                        "id (lower-case letters, digits and '_')", code="D082")
    if not new and theme is None:
        raise DataError(f"{themes_path}: no theme '{theme_id}' to edit; reload the page",
                        code="D082")
    if new:
        theme = CommentedMap(id=theme_id)
        themes.append(theme)
    recommendation = dict(theme.get("recommendation") or {})
    for name, value in fields.items():
        if name in EDITABLE:
            if value:
                theme[name] = list(value)
            else:
                theme.pop(name, None)
        elif name in TEXTS:
            if str(value).strip() or name == "label":
                theme[name] = str(value).strip()
            else:
                theme.pop(name, None)
        elif name in RECOMMENDATION:
            recommendation[name] = str(value).strip()
        else:
            editable = ", ".join((*TEXTS, *RECOMMENDATION, *EDITABLE))
            raise DataError(f"'{name}' cannot be edited here; edit one of {editable}",
                            code="D082")
    if any(name in fields for name in RECOMMENDATION):
        if any(recommendation.get(name) for name in RECOMMENDATION):
            theme["recommendation"] = CommentedMap(
                (name, recommendation.get(name, "")) for name in RECOMMENDATION)
        else:
            theme.pop("recommendation", None)
    out = io.StringIO()
    rt.dump(data, out)
    return _splice(original, out.getvalue(), theme_id)


def _theme_spans(text: str) -> dict[str, tuple[int, int]]:
    """Theme id -> (first line, line after it) of each item of the top-level ``themes:`` list
    (an item starts at a line "  - "; comment lines just above an item belong to it)."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if re.match(r"^  - ", line)]
    spans: dict[str, tuple[int, int]] = {}
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        while end - 1 > start and lines[end - 1].lstrip().startswith("#"):
            end -= 1  # a comment introducing the next theme is the next theme's
        found = re.search(r"^\s*-?\s*id:\s*['\"]?([\w-]+)", "".join(lines[start:end]), re.M)
        if found:
            spans[found.group(1)] = (start, end)
    return spans


def _as_typed(piece: list[str], typed: list[str]) -> list[str]:
    """``piece`` with each line that says what a line of ``typed`` says, bar the braces
    ruamel.yaml leaves out of flow patterns, written as it was typed."""
    def bare(line: str) -> str:
        return line.replace("{", "").replace("}", "")

    as_typed = {bare(line): line for line in typed}
    return [as_typed.get(bare(line), line) for line in piece]


def _splice(original: str, rendered: str, theme_id: str) -> str:
    """``original`` with only the edited theme's lines taken from ``rendered`` (the whole file
    written by ruamel.yaml), so every other line stays byte for byte: ruamel.yaml writes some
    flow-style token patterns differently from how a reviewer typed them. Falls back to
    ``rendered`` when the layout is not one item per "  - " line."""
    old, new = _theme_spans(original), _theme_spans(rendered)
    if theme_id not in new:
        return rendered
    lines, made = original.splitlines(keepends=True), rendered.splitlines(keepends=True)
    piece = made[new[theme_id][0]:new[theme_id][1]]
    if theme_id in old:
        start, end = old[theme_id]
        spliced = "".join(lines[:start] + _as_typed(piece, lines[start:end]) + lines[end:])
        if yaml.safe_load(spliced) == yaml.safe_load(rendered):
            return spliced
        return "".join(lines[:start] + piece + lines[end:])
    if set(old) != set(new) - {theme_id}:
        return rendered
    tail = "" if not lines or lines[-1].endswith("\n") else "\n"
    return "".join(lines) + tail + "".join(piece)


def diff(themes_path: Path, text: str) -> str:
    """The lines an edit changes in the themes file, as a unified diff."""
    before = themes_path.read_text(encoding="utf-8-sig").splitlines()
    return "\n".join(difflib.unified_diff(before, text.splitlines(), themes_path.name,
                                          f"{themes_path.name} (edited)", lineterm=""))


def check_yaml(text: str, shown_as: Path) -> ThemesConfig:
    """Validate themes YAML exactly as ``theming themes check`` would; problems name
    ``shown_as`` (the file the text is meant for)."""
    with tempfile.TemporaryDirectory(prefix="theming-review-") as folder:
        candidate = Path(folder) / shown_as.name
        candidate.write_text(text, encoding="utf-8")
        try:
            return load_themes(candidate)
        except ConfigProblems as problems:
            raise ConfigProblems(str(shown_as), problems.problems) from None


def save_themes(themes_path: Path, text: str, now: dt.datetime | None = None) -> Path:
    """Check ``text``, back the current file up beside it and write ``text`` atomically;
    return the backup's path."""
    from pipeline.io.writers import write_text

    check_yaml(text, themes_path)
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    backup = themes_path.with_name(f"{themes_path.name}.{stamp}.bak")
    with _LOCK:
        shutil.copy2(themes_path, backup)
        write_text(themes_path, text)
    return backup


@dataclass
class Preview:
    """What an edit of one theme changes: comments it gains and loses, and how many keep it."""

    theme_id: str
    gained: list[str]
    lost: list[str]
    kept: int


class Retagger:
    """Tags the run's sentences with a theme config; remembers results per config (a preview
    re-tags with the unedited config once, then only the edit)."""

    def __init__(self, run: RunData) -> None:
        self.run = run
        self._tagged: dict[str, pd.DataFrame] = {}
        self._scores: dict[str, np.ndarray] = {}
        self._busy = threading.Lock()  # one tagging at a time (requests, the warm-up thread)

    def _settings(self, themes: ThemesConfig) -> Settings:
        return self.run.settings(themes)

    def comment_themes(self, themes: ThemesConfig) -> pd.DataFrame:
        """The tag stage's ``comment_themes`` for the run's sentences under ``themes``."""
        from pipeline.embed.cache_scope import embedding_cache
        from pipeline.stages import tag

        key = themes.model_dump_json()
        with self._busy:
            if key not in self._tagged:
                settings = self._settings(themes)
                with embedding_cache(settings):
                    self._tagged[key] = tag.tag(self.run.sentences, settings)["comment_themes"]
        return self._tagged[key]

    def preview(self, before: ThemesConfig, after: ThemesConfig, theme_id: str) -> Preview:
        """Comments ``theme_id`` gains and loses going from ``before`` to ``after``."""
        def carrying(themes: ThemesConfig) -> set[str]:
            found = self.comment_themes(themes)
            return set(found.loc[found["theme_id"] == theme_id, "comment_id"])

        old, new = carrying(before), carrying(after)
        order = list(self.run.kept["comment_id"])
        return Preview(theme_id=theme_id, gained=[c for c in order if c in new - old],
                       lost=[c for c in order if c in old - new], kept=len(old & new))

    def semantic_scores(self, themes: ThemesConfig) -> np.ndarray | None:
        """Sentences x themes semantic scores (None when the run's semantic layer is off)."""
        from pipeline.embed.cache_scope import embedding_cache
        from pipeline.tagging.semantic import embedder_for, semantic_scores

        cfg = self.run.pipeline.tag
        if not cfg.semantic:
            return None
        key = themes.model_dump_json()
        with self._busy:
            if key not in self._scores:
                settings = self._settings(themes)
                with embedding_cache(settings):
                    self._scores[key] = semantic_scores(
                        [str(t) for t in self.run.sentences["text"]], themes,
                        embedder_for(cfg, settings.pipeline.seed),
                        cfg.advanced.semantic_codebook_weight)
        return self._scores[key]

    def near_misses(self, themes: ThemesConfig, theme_id: str, limit: int) -> pd.DataFrame:
        """Up to ``limit`` sentences of comments the run did not tag with ``theme_id``, best
        semantic score first: those under the threshold (``below``) and those over it that
        was not tagged all the same (``runner-up``: the sentence's
        ``tag.advanced.semantic_top_k`` went to other themes, or an exclude phrase vetoed it).
        Columns: comment_id, sentence_id, text, score, threshold, reason."""
        from pipeline.tagging.semantic import thresholds

        columns = ["comment_id", "sentence_id", "text", "score", "threshold", "reason"]
        scores = self.semantic_scores(themes)
        if scores is None or theme_id not in themes.ids or not len(scores):
            return pd.DataFrame(columns=columns)
        column = themes.ids.index(theme_id)
        limit_value = float(thresholds(themes, self.run.pipeline.tag.semantic_threshold)[column])
        tagged = {c for c, found in self.run.run_themes().items() if theme_id in found}
        sentences = self.run.sentences
        frame = pd.DataFrame({"comment_id": sentences["comment_id"],
                              "sentence_id": sentences["sentence_id"],
                              "text": sentences["text"], "score": scores[:, column].round(3),
                              "threshold": round(limit_value, 3)})
        frame = frame[~frame["comment_id"].isin(tagged)]
        frame = frame.sort_values("score", ascending=False, kind="stable")
        frame = frame.drop_duplicates("comment_id").head(limit)
        reason = np.where(frame["score"] >= limit_value, "runner-up", "below")
        return frame.assign(reason=reason)[columns].reset_index(drop=True)
