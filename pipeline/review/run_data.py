"""A finished run folder, read for review: comments, sentences, tags, stances, themes.

Everything here is read from files ``theming run`` wrote; nothing is re-run. The tags come from
the tag stage's artifact ``artifacts/tag.tags.parquet`` (tags.csv is its view for people,
without character offsets); sentence text, offsets and groups come from
``artifacts/clean.sentences.parquet``. All text in those files passed the clean stage's
redaction, so nothing shown or exported from here carries personal data the run removed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from pipeline.config.loading import nest_advanced
from pipeline.config.models import PipelineConfig, Settings, ThemesConfig, load_themes
from pipeline.errors import ConfigError, DataError
from pipeline.stages.schemas import SENTENCES, TAGS

MANIFEST = "manifest.json"
ANSWERS = "comment_themes.csv"
TAGS_ARTIFACT = Path("artifacts") / "tag.tags.parquet"
SENTENCES_ARTIFACT = Path("artifacts") / "clean.sentences.parquet"
THEME_COMMENTS = "theme_comments.csv"
CLUSTERS = "clusters.csv"
REQUIRED = (MANIFEST, ANSWERS, str(SENTENCES_ARTIFACT), str(TAGS_ARTIFACT))


def check_run_folder(folder: str | Path) -> Path:
    """``folder`` as a Path if it is a finished run folder, else DataError D080 naming what is
    missing."""
    path = Path(folder)
    if not path.is_dir():
        raise DataError(f"{path}: no such folder; give the run folder 'theming run' wrote, e.g. "
                        "data/runs/sample", code="D080")
    missing = [name for name in REQUIRED if not (path / name).is_file()]
    if missing:
        raise DataError(f"{path}: not a finished run folder (missing {', '.join(missing)}); give "
                        "the folder a completed 'theming run' wrote, or finish it with "
                        "'theming run ... --resume'", code="D080")
    return path


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as str (Parquet artifacts may hold pandas string dtypes)."""
    return frame.astype({c: object for c in frame.columns
                         if not pd.api.types.is_numeric_dtype(frame[c])})


@dataclass
class RunData:
    """What the review pages read from one run folder. ``themes_path``: the theme config to
    review and edit (by default the file the run's manifest names)."""

    folder: Path
    themes_path: Path
    manifest: dict = field(repr=False)
    _themes: tuple[tuple[int, int], ThemesConfig] | None = field(default=None, repr=False)

    @classmethod
    def open(cls, folder: str | Path, themes_path: str | Path | None = None) -> RunData:
        path = check_run_folder(folder)
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(f"{path / MANIFEST}: cannot be read as JSON ({exc}); re-run "
                            "'theming run' to write it again", code="D080") from None
        return cls(folder=path, themes_path=_themes_file(path, manifest, themes_path),
                   manifest=manifest)

    # ------------------------------------------------------------------ configs
    @cached_property
    def pipeline(self) -> PipelineConfig:
        """The run's pipeline settings as its manifest recorded them (the names to redact are
        not recorded, and tagging does not need them)."""
        dumped = nest_advanced(json.loads(json.dumps(self.manifest["config"]["settings"])))
        dumped["clean"]["redact"]["names"] = []
        dumped["clean"]["redact"]["names_file"] = None
        return PipelineConfig.model_validate(dumped)

    def themes(self) -> ThemesConfig:
        """The theme config as it is on disk now: re-read and re-checked whenever the file
        changed (the reviewer may have saved, or edited it by hand)."""
        stat = self.themes_path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        if self._themes is None or self._themes[0] != stamp:
            self._themes = (stamp, load_themes(self.themes_path))
        return self._themes[1]

    def settings(self, themes: ThemesConfig | None = None) -> Settings:
        from pipeline.text.pseudonyms import load_secret

        secret_file = self.pipeline.clean.redact.advanced.secret_file
        return Settings(pipeline=self.pipeline, themes=themes or self.themes(),
                        secret=load_secret(secret_file), secret_path=secret_file)

    # ------------------------------------------------------------------ tables
    @cached_property
    def answers(self) -> pd.DataFrame:
        """comment_themes.csv: every answer with its themes (``|``-joined) or drop reason."""
        return _read_csv(self.folder / ANSWERS)

    @cached_property
    def kept(self) -> pd.DataFrame:
        """The answers the run kept (and tagged), in the run's order."""
        return self.answers[self.answers["dropped_reason"] == ""].reset_index(drop=True)

    @cached_property
    def sentences(self) -> pd.DataFrame:
        """The clean stage's sentences (redacted text, offsets into the comment)."""
        frame = _plain(pd.read_parquet(self.folder / SENTENCES_ARTIFACT))
        return frame[list(SENTENCES)].astype({"start": int, "end": int, "sentence_index": int})

    @cached_property
    def tags(self) -> pd.DataFrame:
        """One row per hit (comment_id, sentence_id, theme_id, method, score, evidence, start,
        end, and runner_up/margin in runs that record them), from the tag stage's artifact:
        tags.csv is the same table for people, without the offsets the highlighting needs."""
        frame = _plain(pd.read_parquet(self.folder / TAGS_ARTIFACT))
        missing = [c for c in TAGS if c not in frame.columns]
        if missing:
            raise DataError(f"{self.folder}: the run's tags lack the columns {missing}; re-run "
                            "'theming run' with this version", code="D080")
        return frame.astype({"score": float, "start": int, "end": int})

    @cached_property
    def stances(self) -> dict[tuple[str, str], str]:
        """(comment_id, theme) -> ask / praise / neutral, from theme_comments.csv."""
        path = self.folder / THEME_COMMENTS
        if not path.is_file():
            return {}
        frame = _read_csv(path)
        return {(c, t): s for c, t, s in zip(frame["comment_id"], frame["theme"], frame["stance"],
                                              strict=True)}

    @cached_property
    def candidates(self) -> pd.DataFrame:
        """Candidate themes discovery proposed (clusters.csv rows with status candidate)."""
        path = self.folder / CLUSTERS
        if not path.is_file():
            return pd.DataFrame(columns=["cluster_id", "label", "keywords", "n_respondents"])
        frame = _read_csv(path)
        return frame[frame["status"] == "candidate"].reset_index(drop=True)

    def run_themes(self) -> dict[str, set[str]]:
        """comment_id -> the theme ids the run gave it (kept comments only)."""
        return {c: {t for t in str(themes).split("|") if t}
                for c, themes in zip(self.kept["comment_id"], self.kept["themes"], strict=True)}

    def summary(self) -> str:
        """The run's one-line summary: answers in, kept, dropped, themes."""
        accounting = self.manifest.get("accounting", {})
        reasons = ", ".join(f"{n} {r}" for r, n in
                            accounting.get("dropped_by_reason", {}).items()) or "none"
        return (f"Read {accounting.get('answers_in', len(self.answers))} answers: "
                f"{accounting.get('kept', len(self.kept))} kept, "
                f"{accounting.get('dropped', 0)} dropped ({reasons}).")


def _themes_file(folder: Path, manifest: dict, given: str | Path | None) -> Path:
    """The themes file to review: ``given``, else the one the manifest names (as written, or
    relative to the run folder's parent)."""
    if given is not None:
        path = Path(given)
        if not path.is_file():
            raise ConfigError(f"{path}: theme config not found; check --themes", code="C060")
        return path
    named = (manifest.get("themes") or {}).get("path")
    tries = [Path(named), folder.parent / named] if named else []
    for path in tries:
        if path.is_file():
            return path
    raise ConfigError(f"{folder}: the run's theme config ({named or 'not recorded'}) is not "
                      "there any more; pass --themes FILE", code="C060")
