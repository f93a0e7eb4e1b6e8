"""The run folder: where every output lives (the catalogue), the manifest, the accounting
that checks no answer is lost, and the writing of every output file.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import platform
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from pipeline.config.models import Settings
from pipeline.errors import DataError, StageError
from pipeline.io.writers import (
    is_partial,
    safe_name,
    write_bytes,
    write_csv,
    write_text,
    write_xlsx,
)
from pipeline.outputs import (
    candidates_yaml,
    document,
    docx,
    html,
    markdown,
    recommendations_json,
    xlsx,
)

log = logging.getLogger(__name__)

VERSIONED = ("comment-theming", "pandas", "numpy", "scikit-learn", "spacy", "spacy-lookups-data",
             "bertopic", "pydantic", "pyarrow")

# The catalogue: every named output and where it lives inside a run folder.
CATALOG = {
    "answers": "comment_themes.csv",
    "tags": "tags.csv",
    "quotes_csv": "quotes.csv",
    "quotes_xlsx": "quotes.xlsx",
    "theme_comments": "theme_comments.csv",
    "recommendations_md": "recommendations.md",
    "recommendations_docx": "recommendations.docx",
    "recommendations_json": "recommendations.json",
    "report_html": "report.html",
    "unexplained": "unexplained.csv",
    "scores": "scores.csv",
    "theme_scores": "theme_scores.csv",
    "candidates": "candidate_themes.yaml",
    "clusters": "clusters.csv",
    "manifest": "manifest.json",
    "artifacts": "artifacts",
    "raw_comments": "raw_comments_UNREDACTED.csv",
}
RUN_FOLDER_MARKERS = ("manifest.json", "artifacts", "comment_themes.csv")


# The tables a written run folder is made from (write_outputs, build_manifest): what a run
# keeps once its stages are done; "ingest.comments" (the raw answers) too with --keep-raw.
OUTPUT_TABLES = frozenset({"answers", "tag_evidence", "quote_table", "theme_comments",
                           "recommendations", "quotes", "theme_scores", "score_summary",
                           "clusters", "unexplained", "tags"})


def output_tables(keep_raw: bool) -> frozenset[str]:
    return OUTPUT_TABLES | {"ingest.comments"} if keep_raw else OUTPUT_TABLES


# Each table a run folder writes as CSV: the file's stem (also the result's attribute) -> the
# run's table (write_outputs writes these; tests/test_api.py checks the two agree).
FILE_TABLES = {
    "comment_themes": "answers",
    "tags": "tag_evidence",
    "quotes": "quote_table",
    "theme_comments": "theme_comments",
    "clusters": "clusters",
    "unexplained": "unexplained",
    "scores": "score_summary",
    "theme_scores": "theme_scores",
}
# Tables that hold answers as written, before redaction: in a result only when asked for.
UNREDACTED_TABLES = frozenset({"raw", "ingest.comments"})


class _FileTable:
    """A result's table named as its file (``result.tags`` is what tags.csv holds)."""

    def __init__(self, stem: str) -> None:
        self.stem = stem

    def __get__(self, result: RunResult | None, owner: type) -> pd.DataFrame:
        if result is None:
            return self  # type: ignore[return-value]
        name = FILE_TABLES[self.stem]
        if name not in result.tables and result.out_dir is not None:
            # a table the run wrote without holding it (a Dask run's tags.csv, merged from
            # the workers' parts): read from its file
            return pd.read_csv(result.out_dir / f"{self.stem}.csv", keep_default_na=False)
        return result.tables[name]


@dataclass
class RunResult:
    """What a run gives back: its folder (None for ``run_frame``, which writes nothing), the
    manifest, and its tables. Each CSV of a run folder is an attribute of the same name with
    the same columns (``result.comment_themes``, ``result.tags``, ``result.quotes``,
    ``result.theme_comments``, ``result.clusters``, ``result.unexplained``, ``result.scores``,
    ``result.theme_scores``), and ``result.recommendations`` the drafts. ``tables`` holds them
    by the run's own names (``answers``, ``tag_evidence``, ...) and, when asked for, the
    stages' working tables."""

    out_dir: Path | None
    manifest: dict
    tables: dict[str, pd.DataFrame] = field(repr=False, default_factory=dict)

    comment_themes = _FileTable("comment_themes")
    tags = _FileTable("tags")
    quotes = _FileTable("quotes")
    theme_comments = _FileTable("theme_comments")
    clusters = _FileTable("clusters")
    unexplained = _FileTable("unexplained")
    scores = _FileTable("scores")
    theme_scores = _FileTable("theme_scores")

    @property
    def recommendations(self) -> pd.DataFrame:
        """One row per draft recommendation (recommendations.json holds them with quotes)."""
        return self.tables["recommendations"]

    def path(self, name: str) -> Path:
        """Where the named output (a key of CATALOG) lives in the run folder."""
        if self.out_dir is None:
            raise DataError("this run was made in memory (run_frame) and has no files; use "
                            "result.tables, or pipeline.run to write a run folder", code="D009")
        return self.out_dir / CATALOG[name]


def run_started() -> str:
    """The run's start time (UTC, ISO 8601), taken once: every machine tag of the run carries
    it and the manifest records it (``started_at``). ``SOURCE_DATE_EPOCH`` (seconds since
    1970, the reproducible-builds convention), when set, stands in for the clock, so two runs
    of the same inputs write the same bytes (the tests set it)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch.isdigit()
              else dt.datetime.now(dt.UTC))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def default_out_dir(inputs: Sequence[str | Path], runs_dir: str | Path | None) -> Path:
    """<output.runs_dir>/<input name>, the name reduced to safe characters. Without a project
    (no runs folder) the caller must say where: nothing is written in the current folder by
    accident."""
    if runs_dir is None:
        raise DataError("no run folder given and no project to put it in; pass --out DIR, or "
                        "create a project with 'theming init DIR' and run from inside it "
                        "(or with --config DIR/config/pipeline.yaml)", code="D008")
    return Path(runs_dir) / safe_name(Path(inputs[0]).stem, "run")


def build_manifest(out: Path | None, settings: Settings, tables: dict[str, pd.DataFrame],
                   timings: dict[str, float], counts: dict[str, dict[str, int]],
                   input_records: list[dict], keys, cache, raw_rows: int, *, started: float,
                   resume: bool, keep_raw: bool, config_path: str | Path | None,
                   themes_path: str | Path | None, engine: dict | None = None) -> dict:
    """manifest.json: inputs, settings, versions, counts, accounting, timings, outputs.
    ``out`` None (an in-memory run): no outputs and no resume record. ``engine``: what the
    Dask engine recorded (workers, partitions, worker seconds); None = the local engine."""
    clusters = tables["clusters"]
    manifest = {
        "tool": "comment-theming",
        "started_at": settings.started_at,
        "seed": settings.pipeline.seed,
        "inputs": input_records,
        "config": {"path": str(config_path) if config_path else None,
                   "sha256": keys.config_sha256,
                   "settings": _settings_without_names(settings)},
        "themes": {"path": str(themes_path) if themes_path else None,
                   "sha256": keys.themes_sha256,
                   "ids": settings.themes.ids,
                   "labels": _theme_labels(settings), **_theme_tree(settings)},
        "versions": _versions(),
        "rows": counts,
        "accounting": accounting(raw_rows, tables, counts),
        "resume": {"requested": resume, "input_sha256": keys.input_sha256,
                   "stages": cache.notes if cache is not None else {}},
        "raw_text_file": CATALOG["raw_comments"] if keep_raw else None,
        "pseudonyms": pseudonym_note(settings),
        "redactions": redaction_counts(tables["answers"]),
        "engine": engine or {"name": "local", "workers": 1},
        "discover": {"method": str(clusters["method"].iloc[0]) if len(clusters) else "skipped",
                     "clusters": int((clusters["cluster_id"] >= 0).sum()) if len(clusters) else 0,
                     "candidates": int((clusters["status"] == "candidate").sum())
                     if len(clusters) else 0,
                     "outlier_share": _outlier_share(clusters),
                     "unexplained_comments": len(tables["unexplained"]),
                     "reason": _found_nothing(clusters, settings),
                     "unit": settings.pipeline.discover.advanced.unit,
                     "embedder": settings.pipeline.discover.embedder,
                     **cluster_spread(clusters,
                                      settings.pipeline.discover.advanced.fit_sample_size)},
        "tag": {"semantic": settings.pipeline.tag.semantic,
                "embedder": settings.pipeline.tag.embedder,
                "classifier": settings.tag_model.info_.get("labels") if settings.tag_model else None,
                # REGEX predicates that hit their time limit: (theme, sentence), then not run
                "regex_timeouts": tables["tags"].attrs.get("regex_timeouts", [])},
        "tags_by_method": {k: int(v) for k, v in
                           tables["tags"]["method"].value_counts().sort_index().items()},
        "outputs": [] if out is None else
        sorted(p.name for p in out.iterdir()
               if p.name != CATALOG["manifest"] and not is_partial(p.name))
        + [CATALOG["manifest"]],
        "timings": {**timings, "total": round(time.perf_counter() - started, 3)},
    }
    return manifest


def _found_nothing(clusters: pd.DataFrame, settings: Settings) -> str | None:
    """Why discovery found no cluster (the reason its one ``skipped`` row gives, or that it
    is switched off); None when it ran."""
    if not settings.pipeline.discover.enabled:
        return "discover.enabled is false"
    skipped = clusters[clusters["method"] == "skipped"] if len(clusters) else clusters
    return str(skipped["reason"].iat[0]) if len(skipped) else None


def _settings_without_names(settings: Settings) -> dict:
    """The pipeline settings for the manifest; the names to redact are personal data, and
    column headers and question labels pass the redactor like every other text."""
    from pipeline.text.labels import question_label
    from pipeline.text.redact import redactor_from_settings

    dumped = settings.pipeline.model_dump(mode="json")
    names = dumped["clean"]["redact"]["names"]
    dumped["clean"]["redact"]["names"] = f"{len(names)} names (not written here)"
    redactor = redactor_from_settings(settings.pipeline.clean.redact, "blank")
    inputs = dumped["input"]
    for column in inputs["text_columns"]:
        column.update(column=redactor(column["column"])[0],
                      question=question_label(column["column"], column["question"], redactor))
    for key in ("id_column", "group_column"):
        inputs[key] = redactor(inputs[key])[0] if inputs[key] else inputs[key]
    for column in inputs["score_columns"]:
        column.update(column=redactor(column["column"])[0],
                      statement=redactor(column["statement"])[0] if column["statement"] else "")
    return dumped


def _theme_labels(settings: Settings) -> dict[str, str]:
    """Theme id -> label, redacted, so ``theming compare`` can name themes of past rounds."""
    from pipeline.text.redact import redactor_from_settings

    redactor = redactor_from_settings(settings.pipeline.clean.redact, "blank")
    return {theme.id: redactor(theme.label)[0] for theme in settings.themes.themes}


def _theme_tree(settings: Settings) -> dict[str, dict]:
    """``parents`` (sub-theme id -> parent id) and ``renamed_from`` (theme id -> former ids)
    when the theme config has any, so ``theming compare`` can roll up and follow renames."""
    renamed = {t.id: t.renamed_from for t in settings.themes.themes if t.renamed_from}
    found = {"parents": settings.themes.parents(), "renamed_from": renamed}
    return {key: value for key, value in found.items() if value}


def redaction_counts(answers: pd.DataFrame) -> dict[str, int]:
    """How much personal data the run removed, by kind, never the values: placeholders in the
    answers' text ([NAME] -> ``names``, [EMAIL] -> ``emails``, ...), respondent ids replaced
    by pseudonyms (``ids``) and group values holding a placeholder (``groups``)."""
    from pipeline.text.pseudonyms import PSEUDONYM
    from pipeline.text.redact import PLACEHOLDER

    found = Counter(m.group(0)[1:-1].lower() + "s" for text in answers["text"].astype(str)
                    for m in PLACEHOLDER.finditer(text))
    ids = answers["respondent_id"].astype(str).drop_duplicates()
    found["ids"] = int(ids.str.match(PSEUDONYM).sum())
    groups = answers["group"].astype(str).drop_duplicates()
    found["groups"] = int(groups.str.contains(PLACEHOLDER).sum())
    return {kind: int(n) for kind, n in sorted(found.items()) if n}


def pseudonym_note(settings: Settings) -> dict:
    """Whether respondent-id pseudonyms were keyed with the project secret, and which file."""
    if settings.secret is not None:
        return {"keyed": True, "secret_file": settings.secret_path}
    return {"keyed": False, "secret_file": settings.secret_path,
            "warning": "no project secret found: pseudonyms are unkeyed hashes (id-unkeyed-...) "
                       "that can be reversed by trying every phone or NHS number; create one "
                       "with 'theming init'"}


def check_out_dir(out: Path, overwrite: bool, resume: bool) -> None:
    """Refuse to reuse a run folder unless asked, and never delete a folder that is not one."""
    if out.exists() and not out.is_dir():
        raise DataError(f"{out}: exists and is a file, not a run folder; choose another --out",
                        code="D007")
    if not out.exists() or not any(out.iterdir()):
        return
    if not overwrite and not resume:
        raise DataError(f"{out}: the run folder already exists; pass --overwrite to replace it, "
                        "--resume to finish an interrupted run, or --out to choose another folder",
                        code="D007")
    if not any((out / marker).exists() for marker in RUN_FOLDER_MARKERS):
        raise DataError(f"{out}: is not empty and is not a run folder (no manifest.json or "
                        "artifacts/); refusing to replace it; choose an empty or new --out",
                        code="D044")


def accounting(raw_rows: int, tables: dict[str, pd.DataFrame],
               counts: dict[str, dict[str, int]]) -> dict:
    """Rows in and out of every stage that keeps or drops answers; checks nothing is lost."""
    answers = tables["answers"]
    answers_in = counts["ingest"]["comments"]
    kept, dropped = counts["clean"]["comments"], counts["clean"]["dropped"]
    reasons = answers.loc[answers["dropped_reason"] != "", "dropped_reason"]
    stages = {
        "ingest": {"rows_in": int(raw_rows), "answers_out": int(answers_in)},
        "clean": {"answers_in": int(answers_in), "kept": int(kept), "dropped": int(dropped)},
        "report": {"answers_in": int(kept + dropped), "answers_out": len(answers)},
    }
    if kept + dropped != answers_in or len(answers) != answers_in \
            or answers["comment_id"].duplicated().any():
        raise StageError(f"accounting failed: {answers_in} answers in, {kept} kept + {dropped} "
                         f"dropped, {len(answers)} in {CATALOG['answers']}; this is a bug, please "
                         "report it with the run's manifest.json", code="S040")
    return {
        "answers_in": int(answers_in), "kept": int(kept), "dropped": int(dropped),
        "dropped_by_reason": {k: int(v) for k, v in reasons.value_counts().sort_index().items()},
        "answers_out": len(answers), "by_stage": stages,
    }


def round_decisions(out: Path, tables: dict[str, pd.DataFrame], settings: Settings):
    """The reviewer decisions of this round (``pipeline.decisions``): those that match
    a kept answer of this run (with its comment_id), and the manifest's ``review`` record
    (decisions_file relative to the run folder, decisions, applied, orphaned). Decisions an
    earlier run folder still holds in the earlier form are moved to the project file first:
    ``out`` may be the staging folder of an ``--overwrite`` run, whose old folder is then
    about to be replaced."""
    from pipeline import decisions as review
    from pipeline.io.run_lock import final_path

    final = final_path(out)
    home = review.decisions_file(final, settings.config_path or None)
    if (final / review.LEGACY_FILE).is_file():
        review.migrate_legacy(final, home)
    comments = review.RoundComments.of(tables["answers"], settings.secret)
    matched, orphaned = comments.match(review.read_file(home))
    if orphaned:
        log.warning("%d review decision(s) in %s match no comment of this run (orphaned: the "
                    "answer changed or is gone); listed in manifest.json", len(orphaned), home)
    return matched, {"decisions_file": review.relative_record(final, home),
                     "decisions": len(matched) + len(orphaned), "applied": len(matched),
                     "orphaned": [review.orphan_record(d) for d in orphaned]}


def write_outputs(out: Path, tables: dict[str, pd.DataFrame], settings: Settings,
                  keep_raw: bool = False, evidence_parts: Sequence[Path] = ()) -> dict:
    """Every output through writers (atomic, formula-safe); raw text only when asked. Returns
    the manifest's ``review`` record (see ``round_decisions``). ``evidence_parts``: tags.csv
    is merged from these Parquet parts (the Dask workers' tag evidence, see
    ``pipeline.io.sorted_parts``), which are then removed, instead of ``tag_evidence``."""
    from pipeline.decisions import reviewed_tags

    decided, review = round_decisions(out, tables, settings)
    write_csv(out / CATALOG["answers"], tables["answers"])
    if evidence_parts:
        _write_tags_from_parts(out / CATALOG["tags"], evidence_parts, tables["tags"], decided,
                               settings.themes.ids)
    else:
        write_csv(out / CATALOG["tags"], reviewed_tags(tables["tag_evidence"], decided,
                                                       settings.themes.ids))
    raw_file = out / CATALOG["raw_comments"]
    if keep_raw:
        write_csv(raw_file, tables["ingest.comments"])
    elif raw_file.exists():
        raw_file.unlink()  # a resumed or overwritten run without --keep-raw keeps no raw text
    quote_table = tables["quote_table"]
    write_csv(out / CATALOG["quotes_csv"], quote_table)
    write_csv(out / CATALOG["theme_comments"], tables["theme_comments"])
    recs, quotes = tables["recommendations"], tables["quotes"]
    if settings.pipeline.output.xlsx:
        write_xlsx(out / CATALOG["quotes_xlsx"], xlsx.quote_sheets(quote_table, recs))
    title = ", ".join(sorted(tables["answers"]["source"].unique()))
    answers = tables["answers"]
    left_out = answers.loc[answers["dropped_reason"] != "", "dropped_reason"].value_counts()
    options = document.report_options(settings, answers, title)
    report_doc = document.build_document(
        options.pop("title"), recs, quotes, tables["theme_scores"], tables["score_summary"],
        {"in": len(answers), "kept": int((answers["dropped_reason"] == "").sum()),
         "dropped_by_reason": {str(k): int(v) for k, v in left_out.items()}}, **options)
    write_text(out / CATALOG["recommendations_md"], markdown.render_markdown(report_doc))
    write_bytes(out / CATALOG["recommendations_docx"], docx.render_docx(report_doc))
    write_text(out / CATALOG["report_html"], html.render_html(
        report_doc, tables["clusters"], len(tables["unexplained"])))
    write_text(out / CATALOG["recommendations_json"],
               recommendations_json.render_recommendations_json(recs, quotes))
    write_text(out / CATALOG["candidates"], candidates_yaml.render_candidates_yaml(
        tables["clusters"], settings.pipeline.discover.advanced.candidate_min_respondents, recs))
    write_csv(out / CATALOG["clusters"], tables["clusters"])
    write_csv(out / CATALOG["unexplained"], tables["unexplained"])
    write_csv(out / CATALOG["scores"], tables["score_summary"])
    write_csv(out / CATALOG["theme_scores"], tables["theme_scores"])
    return review


def _write_tags_from_parts(path: Path, parts: Sequence[Path], tags: pd.DataFrame,
                           decided: list, theme_ids: list[str]) -> None:
    """tags.csv merged from the tag evidence's parts with the round's decisions applied (as
    ``reviewed_tags`` applies them to the whole table); the parts are removed after."""
    import pyarrow.parquet as pq

    from pipeline.decisions import latest_decisions, reviewed_tag_chunks
    from pipeline.io.sorted_parts import read_batches, write_csv_chunks

    empty = pq.read_schema(parts[0]).empty_table().to_pandas()  # tags.csv's columns
    pairs = set(latest_decisions(decided))
    tagged = {pair for pair in zip(tags["comment_id"], tags["theme_id"], strict=True)
              if pair in pairs} if pairs else set()
    chunks = reviewed_tag_chunks([read_batches(part) for part in parts], decided, theme_ids,
                                 tagged, list(empty.columns))
    write_csv_chunks(path, chunks, list(empty.columns), empty=empty)
    for part in parts:
        part.unlink(missing_ok=True)


def cluster_spread(clusters: pd.DataFrame, fit_sample_size: int) -> dict:
    """How the documents spread over the clusters (a collapse into a few giant clusters shows
    here): documents clustered, how many the topic model was fitted on (the rest were
    assigned to the nearest topic), and the smallest, median and largest cluster sizes with
    the largest cluster's share of the documents."""
    real = clusters.loc[clusters["cluster_id"] >= 0, "n_sentences"].astype(int) \
        if len(clusters) else pd.Series(dtype=int)
    total = int(clusters["n_sentences"].sum()) if len(clusters) else 0
    sizes = {"min": int(real.min()), "median": float(real.median()), "max": int(real.max()),
             "largest_share": round(float(real.max()) / total, 4)} if len(real) else \
        {"min": 0, "median": 0.0, "max": 0, "largest_share": 0.0}
    return {"documents": total, "fitted_on": min(total, fit_sample_size),
            "cluster_sizes": sizes}


def _outlier_share(clusters: pd.DataFrame) -> float:
    """Share of clustered documents left as outliers after outlier reduction."""
    if not len(clusters):
        return 0.0
    total = int(clusters["n_sentences"].sum())
    left = int(clusters.loc[clusters["cluster_id"] < 0, "n_sentences"].sum())
    return round(left / total, 4) if total else 0.0


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found
