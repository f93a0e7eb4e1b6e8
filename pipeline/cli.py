"""The ``theming`` command: thin wrappers over the library.

Heavy libraries (pandas, spaCy, bertopic, torch) are imported inside commands, so
``theming --help`` answers at once. Only this module prints and sets exit codes.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.errors import ThemingError

app = typer.Typer(
    name="theming",
    help="Turn the free-text answers of a survey round into themes, counts, draft "
         "recommendations and quote tables, offline.\n\n"
         "Example: theming run data/sample/survey_round.csv",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text is plain: "[default: ...]" notes are not markup
)
themes_app = typer.Typer(help="Check the reviewers' theme config, or import a codebook.\n\n"
                              "Example: theming themes check config/themes.yaml",
                         no_args_is_help=True, rich_markup_mode=None)
app.add_typer(themes_app, name="themes")
cache_app = typer.Typer(help="Manage the project's embedding cache.\n\n"
                             "Example: theming cache clear --config config/pipeline.yaml",
                        no_args_is_help=True, rich_markup_mode=None)
app.add_typer(cache_app, name="cache")

DEBUG = {"on": False}
MODEL_OPTION = typer.Option("--model", help="Trained tagger folder (theming train) for the "
                                            "classifier layer.", show_default=False)
TEXT_OPTION = typer.Option("--text-column", help="Column with the comment text (found by "
                                                 "itself when named text or comment).",
                           show_default=False)
CODED_ARGUMENT = typer.Argument(help="Hand-coded CSV: text + theme ids joined by '|'; or a "
                                     "REFI-QDA project (.qdpx) coded in a QDA tool.",
                                show_default=False)
CONFIG_OPTION = typer.Option("--config", help="Pipeline config (analysts) [default: "
                                                 "config/pipeline.yaml of the project you are in, "
                                                 "else the packaged defaults].",
                             show_default=False)
THEMES_OPTION = typer.Option("--themes", help="Theme config (reviewers) [default: the 'themes:' "
                                              "file pipeline.yaml names].", show_default=False)
QUESTION_OPTION = typer.Option("--question-column", help="Column naming each comment's "
                                                         "question (as runs name it): the "
                                                         "learned layer reads it.",
                               show_default=False)
LABELS_OPTION = typer.Option("--labels-column", help="Column with theme ids joined by '|' "
                                                     "(found by itself when named themes or "
                                                     "labels).",
                             show_default=False)


def _fail(error: Exception) -> None:
    """Print any error as ``Error [CODE]: what, where and the fix`` and exit 1; a traceback
    only with --debug. Library errors arrive as ThemingError; anything else is a file-system
    failure (D045) or a bug (S041)."""
    if DEBUG["on"]:
        raise error
    if isinstance(error, OSError):
        error = _os_error(error)
    elif not isinstance(error, ThemingError):
        error = ThemingError(f"unexpected {error.__class__.__name__}: {error}; this is a bug: "
                             "rerun with 'theming --debug ...' and report the traceback",
                             code="S041")
    typer.echo(f"Error [{error.code}]: {error.message}", err=True)
    raise typer.Exit(1)


def _os_error(error: OSError) -> ThemingError:
    """A file-system failure the runner did not anticipate, as a user-facing error."""
    where = f"{error.filename}: " if error.filename else ""
    return ThemingError(f"{where}{error.strerror or error}; check the path, free disk space and "
                        "permissions", code="D045")


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    """Offline survey comment theming."""
    DEBUG["on"] = debug
    # a command-line run owns its process: skip thinc's and BERTopic's import-time torch probes
    # (~3 s a run); the library alone never touches sys.meta_path
    from pipeline import probes

    probes.install()


@app.command("run")
def run_command(
    inputs: Annotated[list[Path], typer.Argument(help="Survey export(s): CSV, XLSX, JSONL or Parquet.",
                                                 show_default=False)],
    themes: Annotated[Path | None, THEMES_OPTION] = None,
    config: Annotated[Path | None, CONFIG_OPTION] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Run folder [default: the project's runs folder (output.runs_dir) and the "
                      "input's name].", show_default=False)] = None,
    text_column: Annotated[list[str] | None, typer.Option(
        "--text-column", help="Free-text column; repeat for several. Overrides pipeline.yaml.",
        show_default=False)] = None,
    score_column: Annotated[list[str] | None, typer.Option(
        "--score-column", help="Agree/disagree statement column (numbers, '4 - agree' or labels "
                               "mapped by scales: in pipeline.yaml); repeat for several. Overrides "
                               "pipeline.yaml.", show_default=False)] = None,
    id_column: Annotated[str | None, typer.Option(
        "--id-column", help="Respondent id column. Overrides pipeline.yaml.", show_default=False)] = None,
    group_column: Annotated[str | None, typer.Option(
        "--group-column", help="Respondent group column. Overrides pipeline.yaml.",
        show_default=False)] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing run folder.")] = False,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Finish an interrupted run in --out, reusing the stages it completed "
                         "when input, config and themes are unchanged.")] = False,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Text encoding of CSV/JSONL input, e.g. utf-8, utf-16, cp1252, "
                           "latin-1; auto-detected when not given. Overrides pipeline.yaml.",
        show_default=False)] = None,
    sheet: Annotated[str | None, typer.Option(
        "--sheet", help="XLSX: sheet name or 0-based number; when not given, the first sheet with the "
                        "configured columns. Overrides pipeline.yaml.", show_default=False)] = None,
    delimiter: Annotated[str | None, typer.Option(
        "--delimiter", help="CSV field separator, e.g. ';' or 'tab'; found by sniffing a sample "
                            "when not given. Overrides pipeline.yaml.", show_default=False)] = None,
    keep_raw: Annotated[bool, typer.Option(
        "--keep-raw", help="Also write raw_comments_UNREDACTED.csv (personal data NOT removed; "
                           "never publish it).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
    model: Annotated[Path | None, MODEL_OPTION] = None,
    engine: Annotated[str | None, typer.Option(
        "--engine", help="local, or dask: clean and tag run per partition of respondents on a "
                         "Dask cluster (same outputs). Overrides pipeline.yaml.",
        show_default=False)] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="--engine dask: worker processes of the local cluster it starts.",
        show_default=False)] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="--engine dask: address of a running Dask scheduler, e.g. "
                            "tcp://10.0.0.5:8786, instead of a local cluster.",
        show_default=False)] = None,
    title: Annotated[str | None, typer.Option(
        "--title", help="The report's title (overrides report.title in pipeline.yaml).",
        show_default=False)] = None,
) -> None:
    """Run the whole pipeline on a survey export and write a run folder.

    Example: theming run data/sample/survey_round.csv --out data/runs/sample
    """
    from pipeline import run_settings, runner

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        config = _project_config(config)
        settings = run_settings.load_settings(config, themes, text_columns=text_column,
                                        score_columns=score_column, id_column=id_column,
                                        group_column=group_column, encoding=encoding,
                                        sheet=sheet, delimiter=delimiter, model_dir=model,
                                        engine=engine, workers=workers, scheduler=scheduler)
        if title:
            report = settings.pipeline.report.model_copy(update={"title": title})
            settings = settings.model_copy(update={
                "pipeline": settings.pipeline.model_copy(update={"report": report})})
        with _progress(quiet) as advance:
            result = runner.run([str(p) for p in inputs], settings, out, overwrite=overwrite,
                                resume=resume, keep_raw=keep_raw, progress=advance,
                                themes_path=themes,
                                announce=None if quiet else lambda m: typer.echo(m, err=True),
                                release_memory=True)
    except KeyboardInterrupt:
        if DEBUG["on"]:
            raise
        typer.echo("Interrupted. The previous run folder is unchanged." if overwrite else
                   "Interrupted. The stages that finished are saved: run the same command with "
                   "--resume to finish.", err=True)
        raise typer.Exit(130) from None
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)
        return
    if not quiet:
        _summary(result)


def _progress(quiet: bool):
    """A stage progress bar on stderr; silent with --quiet or when stderr is not a terminal."""
    from contextlib import contextmanager

    @contextmanager
    def bar():
        if quiet or not sys.stderr.isatty():
            yield None
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        from pipeline.progress import listening

        with Progress(TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), TimeRemainingColumn(),
                      console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("starting", total=None)
            rows = progress.add_task("", total=None, visible=False)

            def advance(stage: str, number: int, total: int) -> None:
                progress.update(task, description=stage, total=total, completed=number - 1)
                progress.reset(rows, description="", total=None, visible=False)

            def rows_done(what: str, done: int, total: int) -> None:
                shown = next(t for t in progress.tasks if t.id == rows)
                if shown.description != what:  # a new step: its own clock and time left
                    progress.reset(rows, description=what, total=total, visible=True)
                progress.update(rows, completed=done, total=total, refresh=True)

            with listening(rows_done):
                yield advance
            progress.update(task, completed=progress.tasks[0].total or 0)

    return bar()


def _summary(result) -> None:
    accounting = result.manifest["accounting"]
    recs = result.tables["recommendations"]
    drafted = int((recs["status"] == "drafted").sum()) if len(recs) else 0
    reasons = ", ".join(f"{n} {r}" for r, n in accounting["dropped_by_reason"].items()) or "none"
    typer.echo(f"Read {accounting['answers_in']} answers: {accounting['kept']} kept, "
               f"{accounting['dropped']} dropped ({reasons}).")
    found = result.manifest["discover"]
    typer.echo(f"Drafted {drafted} recommendations; discovery: {found['method']} round, "
               f"{found.get('clusters', 0)} clusters, {found.get('candidates', 0)} candidate "
               f"theme(s), {found.get('outlier_share', 0.0):.1%} left as outliers.")
    by_size = result.manifest.get("tag", {}).get("embedder_by_size")
    if by_size:
        typer.echo(f"Embedder: {by_size}.")
    resume = result.manifest.get("resume", {})
    if resume.get("requested"):
        notes = "; ".join(f"{stage} {note}" for stage, note in resume["stages"].items())
        typer.echo(f"Resume: {notes}.")
    removed = result.manifest.get("redactions", {})
    typer.echo("Personal data removed: " + (", ".join(
        f"{n} {kind.replace('_', ' ')}" for kind, n in removed.items()) or "none found") + ".")
    review = result.manifest.get("review") or {}
    if review.get("decisions"):
        orphaned = review["orphaned"]
        typer.echo(f"Review: {review['applied']} of {review['decisions']} decision(s) applied "
                   f"from {review['decisions_file']}"
                   + (f"; {len(orphaned)} orphaned (the comment changed or is gone: "
                      + ", ".join(f"{o['comment_id']} {o['theme']} {o['decision']}"
                                  for o in orphaned[:5]) + (", ..." if len(orphaned) > 5 else "")
                      + "; all in manifest.json under review.orphaned)" if orphaned else "") + ".")
    pseudonyms = result.manifest.get("pseudonyms", {})
    from pipeline.text.pseudonyms import UNKEYED_PREFIX

    ids = result.tables["answers"]["respondent_id"].astype(str)
    if not pseudonyms.get("keyed", True) and ids.str.startswith(UNKEYED_PREFIX).any():
        # only when an id held personal data and was replaced: otherwise there is nothing to act on
        typer.echo(f"Warning: {pseudonyms['warning']}.")
    if result.manifest.get("raw_text_file"):
        typer.echo(f"Unredacted text kept in {result.manifest['raw_text_file']}: never publish it.")
    typer.echo(f"Outputs in {result.out_dir}/:")
    for name in result.manifest["outputs"]:
        typer.echo(f"  {name}")


@app.command("init")
def init_command(
    folder: Annotated[Path, typer.Argument(help="Project folder to create (or fill).",
                                           show_default=False)],
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="Replace existing configs with the defaults.")] = False,
    from_input: Annotated[Path | None, typer.Option(
        "--from", help="A survey export: write the input: columns 'theming inspect' proposes "
                       "from it into the project's pipeline.yaml, to check.",
        show_default=False)] = None,
) -> None:
    """Create a project: config/pipeline.yaml and config/themes.yaml with every setting and its
    comment, data/, runs/ (ignored by git) and a short README. Runs from anywhere.

    Example: theming init my-survey --from data/sample/survey_round.csv
    """
    from pipeline.project_init import PROJECT_CONFIG, init_project

    try:
        section = None
        if from_input is not None:
            from pipeline.config.inspect_input import propose_input
            from pipeline.config.models import load_pipeline
            from pipeline.io.readers import read_table

            section = propose_input(read_table(from_input).frame, load_pipeline(None).scales)
        written = init_project(folder, overwrite=overwrite, input_section=section)
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)
        return
    typer.echo(f"Created the project {folder}/:")
    import os

    for path in written:
        typer.echo(f"  {os.path.relpath(path, folder)}")
    if from_input is not None:
        typer.echo(f"Columns proposed from {from_input} are in {folder / PROJECT_CONFIG} "
                   "(input:): check them, write each statement's words and any theme: link")
        typer.echo(f"Next: theming run {from_input} --config {folder / PROJECT_CONFIG}")
        return
    typer.echo(f"Next: theming run YOUR_EXPORT.csv --config {folder / PROJECT_CONFIG} "
               "--text-column COLUMN")


@app.command("inspect")
def inspect_command(
    input_file: Annotated[Path, typer.Argument(help="A survey export (CSV, XLSX, ...).",
                                               show_default=False)],
    config: Annotated[Path | None, CONFIG_OPTION] = None,
) -> None:
    """Propose the input: section of pipeline.yaml from an export: which columns are free
    text, the respondent id, the group and the scored statements (and their scale), judged
    from the answers. Prints YAML to check and paste; changes nothing.

    Example: theming inspect data/sample/survey_round.csv
    """
    from pipeline.config.inspect_input import propose_input, render_proposal
    from pipeline.config.models import load_pipeline
    from pipeline.io.readers import read_table

    try:
        scales = load_pipeline(_project_config(config)).scales
        table = read_table(input_file)
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)
        return
    typer.echo(render_proposal(propose_input(table.frame, scales), str(input_file)), nl=False)


@app.command("quotes")
def quotes_command(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by 'theming run'.",
                                            show_default=False)],
    theme: Annotated[list[str] | None, typer.Option(
        "--theme", help="Theme or candidate id; repeat for several [default: all].",
        show_default=False)] = None,
    group: Annotated[list[str] | None, typer.Option(
        "--group", help="Respondent group; repeat for several [default: all].",
        show_default=False)] = None,
    stance: Annotated[list[str] | None, typer.Option(
        "--stance", help="ask, praise or neutral; repeat for several [default: all].",
        show_default=False)] = None,
    every: Annotated[bool, typer.Option(
        "--all", help="Every comment carrying the theme (with stance, layer and scores), not "
                      "only the chosen quotes.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx, docx or md.")] = "csv",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write [default: print csv/md to the terminal].",
        show_default=False)] = None,
) -> None:
    """Pull a filtered quote table from a finished run.

    Example: theming quotes data/runs/sample --theme ministerial_presence --format docx -o q.docx

    Example: theming quotes data/runs/sample --theme ministerial_presence --all --stance ask
    """
    from pipeline.errors import DataError
    from pipeline.io.writers import write_bytes
    from pipeline.outputs import quote_query

    try:
        table = quote_query.filter_quotes(quote_query.load_quote_table(run_dir, every),
                                          theme, group, stance)
        title = ("Comments: " if every else "Quotes: ") + \
            (", ".join(theme) if theme else "all themes") + \
            (f" ({', '.join([*(group or []), *(stance or [])])})" if group or stance else "")
        data = quote_query.render_quotes(table, fmt, title)
        if output is None and fmt in quote_query.BINARY:
            raise DataError(f"--format {fmt} writes a binary file; add -o FILE, e.g. "
                            f"-o quotes.{fmt}", code="D033")
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)
        return
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    write_bytes(output, data)
    typer.echo(f"Wrote {len(table)} {'comments' if every else 'quotes'} to {output}", err=True)


@app.command("compare")
def compare_command(
    runs: Annotated[list[Path], typer.Argument(help="Finished run folders, oldest round first.",
                                               show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Folder for compare.csv, .md, .html and "
                                                    ".xlsx.", show_default=False)],
    config: Annotated[Path | None, CONFIG_OPTION] = None,
    name: Annotated[list[str] | None, typer.Option(
        "--name", help="The round's name in the outputs, one per run folder in the same order "
                       "[default: the run's report.round setting, else the folder's name].",
        show_default=False)] = None,
) -> None:
    """Compare survey rounds: each theme's share of respondents, the change between
    consecutive rounds with p-values (Holm-adjusted), groups, candidate themes, statements.

    Example: theming compare data/runs/round_2025 data/runs/round_2026 --out data/compare
    --name "Survey 2025" --name "Survey 2026"
    """
    from pipeline import run_settings
    from pipeline.compare.run import check_folders, compare_runs, write_comparison

    try:
        check_folders(runs, out, name)
        comparison = compare_runs(runs, run_settings.load_pipeline_settings(_project_config(config)),
                                  name)
        paths = write_comparison(comparison, out)
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)
        return
    compared = comparison.themes[comparison.themes["status"] == "compared"]
    changed = int((compared["p_adjusted"] < 0.05).sum()) if len(compared) else 0
    typer.echo(f"Compared {len(runs)} rounds ({' -> '.join(comparison.rounds)}): "
               f"{len(compared)} theme comparisons, {changed} with adjusted p < 0.05")
    for note in comparison.notes:
        typer.echo(f"Note: {note}")
    typer.echo(f"Wrote {', '.join(p.name for p in paths.values())} to {out}")


@themes_app.command("check")
def themes_check(
    file: Annotated[Path, typer.Argument(help="themes.yaml to check.", show_default=False)],
    against: Annotated[list[Path] | None, typer.Option(
        "--against", help="A run folder or a coded CSV: also measure the theme-set rules "
                          "(overlap, themes catching nothing, dead keywords, ...) on its "
                          "comments; repeat for several rounds (advice to retire a theme or "
                          "remove a keyword needs several rounds or a coded set).",
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="With --against: print the findings "
                                                         "as JSON.")] = False,
    config: Annotated[Path | None, CONFIG_OPTION] = None,
) -> None:
    """Check a theme config and list every problem with its line; warn about keywords made
    only of everyday words (tag.advanced.everyday_words in pipeline.yaml), which never tag
    alone; with --against, also the theme-set rules on real comments (errors exit 1, warnings 0).

    Example: theming themes check config/themes.yaml --against data/runs/sample
    """
    from pipeline.config.models import load_themes
    from pipeline.tagging.everyday import everyday_keywords

    try:
        from pipeline.run_settings import load_pipeline_settings

        themes = load_themes(file)
        settings = load_pipeline_settings(_project_config(config))
        if against:
            findings, n = _theme_findings(themes, against, settings)
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)
        return
    count = len(themes.themes)
    for theme_id, keyword in everyday_keywords(themes, settings.tag.advanced.everyday_words):
        typer.echo(f"Warning: theme '{theme_id}' keyword '{keyword}' is made only of everyday "
                   "words (tag.advanced.everyday_words): it tags a sentence only beside "
                   "another hit for the theme; write a more specific phrase or add examples",
                   err=True)
    if not against:
        typer.echo(f"{file}: OK, {count} theme{'s' if count != 1 else ''} "
                   f"({', '.join(themes.ids)})")
        return
    from pipeline.evaluation.theme_check import ERROR, report

    summary = report(findings, file, ", ".join(map(str, against)), n)
    if as_json:
        import json

        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            typer.echo(finding.render())
        notes = f", {summary['notes']} note(s)" if summary["notes"] else ""
        typer.echo(f"{file} against {summary['against']}: {count} themes on {n} comments, "
                   f"{summary['errors']} error(s), {summary['warnings']} warning(s){notes}")
    if any(f.level == ERROR for f in findings):
        raise typer.Exit(1)


def _theme_findings(themes, against: list[Path], pipeline_cfg):
    """The theme-set findings for ``themes`` on the comments in ``against`` (run folders and
    coded files, pooled), and their count."""
    from pipeline.config.models import Settings
    from pipeline.embed.registry import make_embedder
    from pipeline.evaluation.theme_check import check_themes, comments_against, evidence_of
    from pipeline.text.redact import redactor_from_settings

    settings = Settings(pipeline=pipeline_cfg, themes=themes)
    texts = [text for one in against for text in comments_against(one, themes.ids)]
    redactor = redactor_from_settings(pipeline_cfg.clean.redact)
    tag_cfg = pipeline_cfg.tag

    def embed(texts_: list[str]):
        return make_embedder(tag_cfg.embedder, tag_cfg.advanced.embedding_dims, pipeline_cfg.seed,
                             tag_cfg.advanced.static_model_dir,
                             onnx_dir=tag_cfg.advanced.onnx_model_dir,
                             max_entries=tag_cfg.advanced.memory_cache_entries
                             ).fit_transform(texts_)

    findings = check_themes(themes, texts, settings, lambda t: redactor(str(t))[0], embed,
                            evidence_of(against))
    return findings, len(texts)


@themes_app.command("diff")
def themes_diff(
    old: Annotated[Path, typer.Argument(help="The theme config before.", show_default=False)],
    new: Annotated[Path, typer.Argument(help="The theme config after.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
) -> None:
    """What a reviewer changed between two theme configs: themes added or removed, labels,
    descriptions, thresholds, keywords, examples, exclude phrases and patterns.

    Example: theming themes diff config/themes_2025.yaml config/themes.yaml
    """
    from pipeline.codebook.theme_diff import diff_lines, diff_themes
    from pipeline.config.models import load_themes

    try:
        changes = diff_themes(load_themes(old), load_themes(new))
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)
        return
    if as_json:
        import json

        typer.echo(json.dumps(changes.to_dict("records"), indent=2, ensure_ascii=False))
        return
    for line in diff_lines(changes):
        typer.echo(line)
    typer.echo(f"{old} -> {new}: {len(changes)} change{'s' if len(changes) != 1 else ''}")


@themes_app.command("import")
def themes_import(
    codebook: Annotated[Path, typer.Argument(help="Codebook CSV/XLSX (id, label, description, "
                                                  "examples), REFI-QDA .qdc or project .qdpx.",
                                             show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="themes.yaml to write.",
                                      show_default=False)],
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing file.")] = False,
) -> None:
    """Turn a codebook into a themes.yaml (ids kept, keywords proposed).

    Example: theming themes import codebook.csv -o config/themes.yaml
    """
    from pipeline.codebook.spreadsheet import import_codebook, render_themes_yaml
    from pipeline.config.models import load_themes
    from pipeline.errors import DataError
    from pipeline.io.writers import write_text

    try:
        if out.exists() and not overwrite:
            raise DataError(f"{out}: already exists; pass --overwrite to replace it", code="D007")
        if codebook.suffix.lower() == ".qdc":
            from pipeline.codebook.qdc import import_qdc

            imported = import_qdc(codebook)
        elif codebook.suffix.lower() == ".qdpx":
            from pipeline.codebook.qdpx import import_qdpx_themes

            imported = import_qdpx_themes(codebook)
        else:
            imported = import_codebook(codebook)
        write_text(out, render_themes_yaml(imported, codebook.name))
        themes = load_themes(out)
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)
        return
    proposed = sum(len(t.proposed_keywords) for t in themes.themes)
    typer.echo(f"{out}: {len(themes.themes)} themes from {codebook} "
               f"({proposed} proposed keywords to review)")


@themes_app.command("export")
def themes_export(
    file: Annotated[Path, typer.Argument(help="themes.yaml to export.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="REFI-QDA codebook (.qdc) to write.",
                                      show_default=False)],
) -> None:
    """Write the themes as a REFI-QDA codebook for NVivo, ATLAS.ti or MAXQDA.

    Example: theming themes export config/themes.yaml -o themes.qdc
    """
    from pipeline.codebook.qdc import export_qdc
    from pipeline.config.models import load_themes
    from pipeline.io.writers import write_text

    try:
        themes = load_themes(file)
        write_text(out, export_qdc(themes))
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)
        return
    typer.echo(f"{out}: {len(themes.themes)} codes from {file}")


@app.command("export")
def export_command(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by 'theming run'.",
                                            show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write, e.g. "
                                                                "round.qdpx.", show_default=False)],
    fmt: Annotated[str, typer.Option("--format", help="qdpx: a REFI-QDA project for NVivo, "
                                                      "MAXQDA, ATLAS.ti or QualCoder.")] = "qdpx",
    themes: Annotated[Path | None, typer.Option(
        "--themes", help="Theme config of the codes [default: the one the run used].",
        show_default=False)] = None,
) -> None:
    """Export a run for a QDA tool: each kept answer (redacted) a source, each tag a coded
    sentence, respondents as cases with group and scores, drafts as notes, review decisions
    applied.

    Example: theming export data/runs/sample --format qdpx -o sample.qdpx
    """
    from pipeline.errors import DataError

    try:
        if fmt != "qdpx":
            raise DataError(f"--format {fmt}: 'theming export' writes 'qdpx' (a REFI-QDA "
                            "project); pass --format qdpx", code="D032")
        from pipeline.codebook.qdpx import export_qdpx
        from pipeline.review.run_data import RunData

        done = export_qdpx(RunData.open(run_dir, themes), output)
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)
        return
    typer.echo(f"{output}: {done.sources} answers, {done.codings} codings of {done.codes} codes, "
               f"{done.cases} cases, {done.notes} notes")


def _project_config(config: Path | None) -> Path | None:
    """--config, else config/pipeline.yaml of the project around the current folder, else None
    (the packaged defaults)."""
    if config is not None:
        return config
    from pipeline.config.project import find_project_config

    return find_project_config()


def _coded_settings(config: Path | None, themes: Path | None, model: Path | None):
    from pipeline import run_settings

    return run_settings.load_settings(_project_config(config), themes, model_dir=model,
                                      reads_export=False)


@app.command("eval")
def eval_command(
    labels: Annotated[Path, CODED_ARGUMENT],
    themes: Annotated[Path | None, THEMES_OPTION] = None,
    config: Annotated[Path | None, CONFIG_OPTION] = None,
    model: Annotated[Path | None, MODEL_OPTION] = None,
    text_column: Annotated[str | None, TEXT_OPTION] = None,
    labels_column: Annotated[str | None, LABELS_OPTION] = None,
    question_column: Annotated[str | None, QUESTION_OPTION] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    examples: Annotated[int, typer.Option("--examples", help="Worst false positives and "
                                                             "negatives shown per theme.")] = 3,
    min_support: Annotated[int, typer.Option("--min-support", help="Coded cases a theme needs "
                                                                   "to count in micro/macro F1.")] = 5,
    calibrate: Annotated[Path | None, typer.Option(
        "--calibrate", help="Also choose each theme's semantic threshold on these labels and "
                            "write the themes with them to this file.", show_default=False)] = None,
) -> None:
    """Score the tagger against hand-coded comments: per-theme precision, recall, F1, kappa.

    Example: theming eval coded.csv --themes config/themes.yaml --json
    """
    import json

    from pipeline.evaluation import coded as coded_module
    from pipeline.evaluation.evaluate import render
    from pipeline.io.writers import write_text

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = _coded_settings(config, themes, model)
        comments = coded_module.read_coded(labels, settings.themes.ids, text_column, labels_column,
                                           question_column, nlp_model=settings.pipeline.nlp.advanced.model)
        if calibrate:
            chosen = coded_module.calibrate(comments, settings)
            write_text(calibrate, coded_module.with_thresholds(
                themes or Path(settings.pipeline.themes), chosen))
            settings = _coded_settings(config, calibrate, model)
            typer.echo(f"Wrote {len(chosen)} calibrated thresholds to {calibrate}", err=True)
        from pipeline.embed.cache_scope import embedding_cache

        with embedding_cache(settings, purpose="coded"):
            result = coded_module.evaluate_coded(comments, settings, examples=examples,
                                                 min_support=min_support)
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)
        return
    typer.echo(json.dumps(result, indent=2, ensure_ascii=False) if as_json
               else render(result, examples=examples > 0))


@app.command("train")
def train_command(
    labels: Annotated[Path, CODED_ARGUMENT],
    out: Annotated[Path, typer.Option("--out", help="Model folder to write, e.g. models/fft.",
                                      show_default=False)],
    themes: Annotated[Path | None, THEMES_OPTION] = None,
    config: Annotated[Path | None, CONFIG_OPTION] = None,
    text_column: Annotated[str | None, TEXT_OPTION] = None,
    labels_column: Annotated[str | None, LABELS_OPTION] = None,
    question_column: Annotated[str | None, QUESTION_OPTION] = None,
    embedder: Annotated[str, typer.Option(
        "--embedder", help="Features besides TF-IDF: minilm, minilm-onnx, minilm-static or none.")] = "minilm",
    folds: Annotated[int, typer.Option("--folds", help="Cross-validation folds.")] = 5,
    theme_examples: Annotated[bool, typer.Option(
        "--theme-examples/--no-theme-examples",
        help="Also learn from each theme's examples in the theme config.")] = True,
    finetune: Annotated[bool, typer.Option(
        "--finetune", help="Also fine-tune MiniLM on the comments and blend it in: more "
        "accurate; about 6 min per fit on 3,000 comments on 2 cores.")] = False,
    epochs: Annotated[int, typer.Option("--epochs", min=1,
                                        help="Fine-tuning epochs (with --finetune).")] = 6,
) -> None:
    """Learn a tagger from coded comments; print cross-validated scores; save it.

    Example: theming train coded.csv --themes config/themes.yaml --out models/fft
    """
    from pipeline.evaluation import training
    from pipeline.tagging.finetune import FinetuneSpec

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = _coded_settings(config, themes, None)
        report = training.train(labels, settings, out, text_column=text_column,
                                labels_column=labels_column, embedder=embedder, folds=folds,
                                use_examples=theme_examples,
                                finetune=FinetuneSpec(epochs=epochs) if finetune else None,
                                progress=lambda message: typer.echo(message, err=True),
                                question_column=question_column)
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)
        return
    typer.echo(report)


@app.command("review")
def review_command(
    target: Annotated[str, typer.Argument(
        metavar="RUN | export RUN", help="A run folder written by 'theming run'; or 'export' "
                                         "followed by the run folder.", show_default=False)],
    run_dir: Annotated[Path | None, typer.Argument(
        metavar="[RUN]", help="With 'export': the run folder to export.",
        show_default=False)] = None,
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 8765,
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on; keep 127.0.0.1 unless you know why not.")
    ] = "127.0.0.1",
    no_browser: Annotated[bool, typer.Option("--no-browser",
                                             help="Do not open a browser.")] = False,
    reviewer: Annotated[str | None, typer.Option(
        "--reviewer", help="Name written with each decision (default: your user name).",
        show_default=False)] = None,
    themes: Annotated[Path | None, typer.Option(
        "--themes", help="Theme config to review and edit (default: the one the run used).",
        show_default=False)] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="With 'export': the coded CSV to write.", show_default=False)
    ] = None,
) -> None:
    """Review a run in the browser: what each theme catches and misses, accept or reject tags,
    try an edit of a theme; or export the run, decisions applied, as a coded file.

    Example: theming review data/runs/sample --port 8765 --no-browser

    Example: theming review export data/runs/sample -o coded.csv
    """
    from pipeline.errors import DataError

    try:
        if target == "export":
            from pipeline.review.export import export_coded

            if run_dir is None or output is None:
                raise DataError("'theming review export' needs the run folder and -o FILE, e.g. "
                                "theming review export data/runs/sample -o coded.csv",
                                code="D083")
            rows = export_coded(run_dir, output, themes)
            typer.echo(f"Wrote {rows} coded comments to {output}", err=True)
            return
        if run_dir is not None:
            raise DataError(f"unexpected argument '{run_dir}'; give one run folder, or "
                            "'export RUN -o FILE'", code="D083")
        import getpass

        from pipeline.extras import require

        for module in ("fastapi", "uvicorn"):
            require(module, "theming review")
        from pipeline.review.server import serve

        serve(target, port=port, host=host, open_browser=not no_browser,
              reviewer=reviewer or getpass.getuser(), themes_path=themes,
              announce=lambda line: typer.echo(line, err=True))
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)


@cache_app.command("clear")
def cache_clear(
    config: Annotated[Path | None, CONFIG_OPTION] = None,
) -> None:
    """Delete the saved sentence vectors of the project whose pipeline.yaml is --config.

    Example: theming cache clear --config config/pipeline.yaml
    """
    import os

    from pipeline.config.models import load_pipeline
    from pipeline.embed.vector_cache import clear_cache
    from pipeline.errors import ConfigError

    config = _project_config(config)
    try:
        if config is None:
            raise ConfigError("no project here (config/pipeline.yaml in this folder or above), "
                              "so no cache to clear; pass --config FILE", code="C002")
        configured = load_pipeline(config).tag.advanced.embedding_cache
    except Exception as error:  # noqa: BLE001 - every error becomes Error [CODE]
        _fail(error)
        return
    if not configured:
        typer.echo(f"{config}: tag.advanced.embedding_cache is off; nothing to clear")
        return
    folder = Path(configured)
    typer.echo(f"Removed {clear_cache(folder)} cache file(s) from {os.path.relpath(folder)}")


if __name__ == "__main__":  # pragma: no cover
    app()
