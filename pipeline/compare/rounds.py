"""One survey round as compare reads it: a finished run folder, never re-run.

A round is read from the files ``theming run`` wrote: ``manifest.json`` (theme ids and labels,
the theme file's hash), ``comment_themes.csv`` (every answer with its themes: the counts),
``clusters.csv`` (candidate themes), ``scores.csv`` (1-5 statements) and ``theme_scores.csv``
(mean scores of respondents who raised each theme against those who did not). The manifest's
``themes.parents`` and ``themes.renamed_from`` (a run since sub-themes) give the theme tree,
which ``raised`` rolls up, and the former ids compare follows. A folder without a
readable manifest or without comment_themes.csv is not a finished run: DataError D070. Every
file is read only when it is a plain file inside the folder (a symbolic link, or a path that
resolves outside, is refused: D074), and the manifest's fields compare uses are checked for
their types (D075 names the field).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.errors import DataError

MANIFEST = "manifest.json"
ANSWERS = "comment_themes.csv"
CLUSTERS = "clusters.csv"
SCORES = "scores.csv"
THEME_SCORES = "theme_scores.csv"
THEME_COMMENTS = "theme_comments.csv"
ANSWER_COLUMNS = ("comment_id", "respondent_id", "group", "themes", "dropped_reason")


@dataclass
class Round:
    """A finished run: its name (the folder's), theme ids and labels in config order, the
    kept answers (comment_id, respondent_id, group, themes), candidate themes and score counts.
    """

    name: str
    folder: Path
    theme_ids: list[str]
    labels: dict[str, str]
    themes_sha256: str | None
    themes_path: str | None
    kept: pd.DataFrame = field(repr=False)
    candidates: pd.DataFrame = field(repr=False)
    scores: pd.DataFrame = field(repr=False)
    theme_scores: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    parents: dict[str, str] = field(default_factory=dict)  # sub-theme id -> parent id
    renamed_from: dict[str, list[str]] = field(default_factory=dict)  # id -> former ids

    @property
    def respondents(self) -> int:
        """The denominator: respondents with at least one kept free-text answer."""
        return int(self.kept["respondent_id"].nunique())

    def group_totals(self) -> dict[str, int]:
        return {str(g): int(n) for g, n in
                self.kept.groupby("group")["respondent_id"].nunique().items()}

    def raised(self) -> pd.DataFrame:
        """One row per (respondent_id, group, theme_id) a kept answer of the respondent carries;
        a sub-theme's respondents count for its parent too (once each)."""
        themed = self.kept.loc[self.kept["themes"] != "", ["respondent_id", "group", "themes"]]
        exploded = themed.assign(theme_id=themed["themes"].str.split("|")).explode("theme_id")
        raised = exploded[["respondent_id", "group", "theme_id"]]
        carried = raised[raised["theme_id"].isin(self.parents)]
        if len(carried):
            raised = pd.concat([raised, carried.assign(
                theme_id=carried["theme_id"].map(self.parents))], ignore_index=True)
        return raised.drop_duplicates()


def read_round(folder: str | Path, name: str | None = None) -> Round:
    """The round in a finished run folder; DataError D070 naming the folder if it is not one.
    Its name: ``name``, else the run's ``report.round`` setting, else the folder's name."""
    folder = Path(folder)
    manifest = _manifest(folder)
    answers = _csv(folder, ANSWERS, required=True)
    absent = [c for c in ANSWER_COLUMNS if c not in answers.columns]
    if absent:
        raise DataError(f"{folder / ANSWERS}: lacks the columns {', '.join(absent)}; it was not "
                        "written by 'theming run' (re-run the round with this version)",
                        code="D070")
    themes = manifest.get("themes") or {}
    theme_ids = [str(t) for t in themes.get("ids") or []]
    kept = answers[answers["dropped_reason"] == ""][list(ANSWER_COLUMNS[:4])]
    return Round(name=name or _round_setting(manifest) or folder.resolve().name,
                 folder=folder, theme_ids=theme_ids,
                 labels=_labels(folder, themes, theme_ids), themes_sha256=themes.get("sha256"),
                 themes_path=themes.get("path"), kept=kept.reset_index(drop=True),
                 candidates=_candidates(folder), scores=_csv(folder, SCORES),
                 theme_scores=_csv(folder, THEME_SCORES),
                 parents={str(k): str(v) for k, v in (themes.get("parents") or {}).items()},
                 renamed_from={str(k): [str(f) for f in v]
                               for k, v in (themes.get("renamed_from") or {}).items()})


def _round_setting(manifest: dict) -> str | None:
    """The round's name as its run recorded it (``report.round`` in pipeline.yaml), if any."""
    report = (manifest.get("settings") or {}).get("report")
    name = report.get("round") if isinstance(report, dict) else None
    return str(name).strip() or None if name else None


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refused (D074) when it is a symbolic link or resolves outside
    ``folder``: compare reads a run folder's own files, never what a link points at."""
    path = folder / name
    outside = not path.resolve().is_relative_to(folder.resolve())
    if path.is_symlink() or outside:
        raise DataError(f"{path}: is a symbolic link or lies outside the run folder {folder}; "
                        "compare reads only the files 'theming run' wrote there: replace it "
                        "with the run's own file or re-run the round", code="D074")
    return path


def _checked(path: Path, manifest: dict) -> dict:
    """``manifest`` when the fields compare reads have their types; else D075 naming one."""
    themes = manifest.get("themes", {})
    checks = [("themes", themes, dict)]
    if isinstance(themes, dict):
        checks += [("themes.ids", themes.get("ids", []), list),
                   ("themes.labels", themes.get("labels", {}), dict),
                   ("themes.sha256", themes.get("sha256"), str | None),
                   ("themes.path", themes.get("path"), str | None),
                   ("themes.parents", themes.get("parents", {}), dict),
                   ("themes.renamed_from", themes.get("renamed_from", {}), dict)]
        ids, labels = themes.get("ids", []), themes.get("labels", {})
        for key in ("parents", "renamed_from"):
            found = themes.get(key, {})
            if isinstance(found, dict):
                checks += [(f"themes.{key}.{k}", v, str if key == "parents" else list)
                           for k, v in found.items()]
        if isinstance(ids, list):
            checks += [(f"themes.ids[{i}]", v, str) for i, v in enumerate(ids)]
        if isinstance(labels, dict):
            checks += [(f"themes.labels.{k}", v, str) for k, v in labels.items()]
    for name, value, wanted in checks:
        if not isinstance(value, wanted):
            kind = getattr(wanted, "__name__", "text or null")
            raise DataError(f"{path}: field '{name}' should be {kind}, not "
                            f"{type(value).__name__} ({str(value)[:40]!r}); the manifest was "
                            "changed by hand or damaged: re-run the round", code="D075")
    return manifest


def _manifest(folder: Path) -> dict:
    how = ("give the folders that 'theming run' wrote, oldest round first, e.g. "
           "theming compare data/runs/round_2025 data/runs/round_2026 --out data/compare")
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder; {how}", code="D070")
    path = inside(folder, MANIFEST)
    if not path.exists():
        raise DataError(f"{folder}: not a finished run folder (no {MANIFEST}; a run writes it "
                        f"last); {how}", code="D070")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: cannot be read as JSON ({exc}); the run did not finish: "
                        "run it again", code="D070") from exc
    if not isinstance(manifest, dict) or manifest.get("tool") != "comment-theming":
        raise DataError(f"{path}: not a comment-theming manifest; {how}", code="D070")
    return _checked(path, manifest)


def _csv(folder: Path, name: str, required: bool = False) -> pd.DataFrame:
    path = inside(folder, name)
    if not path.exists():
        if required:
            raise DataError(f"{folder}: not a finished run folder (no {name}); re-run the "
                            "round with 'theming run'", code="D070")
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _labels(folder: Path, themes: dict, theme_ids: list[str]) -> dict[str, str]:
    """Theme labels: from the manifest (runs since issue 11), else theme_comments.csv, else
    the id itself."""
    labels = {str(k): str(v) for k, v in (themes.get("labels") or {}).items()}
    if not labels:
        shown = _csv(folder, THEME_COMMENTS)
        if {"theme", "label"} <= set(shown.columns):
            labels = dict(zip(shown["theme"], shown["label"], strict=True))
    return {theme_id: labels.get(theme_id, theme_id) for theme_id in theme_ids}


def _candidates(folder: Path) -> pd.DataFrame:
    """Candidate themes: candidate id, label, keywords, examples, respondents."""
    clusters = _csv(folder, CLUSTERS)
    columns = ["theme_id", "label", "keywords", "examples", "n_respondents"]
    if clusters.empty or not ({*columns, "status"} <= set(clusters.columns)):
        return pd.DataFrame(columns=columns)
    chosen = clusters[clusters["status"] == "candidate"][columns]
    return chosen.assign(n_respondents=pd.to_numeric(chosen["n_respondents"], errors="coerce")
                         .fillna(0).astype(int)).reset_index(drop=True)
