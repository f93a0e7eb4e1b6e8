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
)
themes_app = typer.Typer(help="Check the reviewers' theme config.\n\n"
                              "Example: theming themes check config/themes.yaml",
                         no_args_is_help=True)
app.add_typer(themes_app, name="themes")

DEBUG = {"on": False}


def _fail(error: ThemingError) -> None:
    if DEBUG["on"]:
        raise error
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


@app.command("run")
def run_command(
    inputs: Annotated[list[Path], typer.Argument(help="Survey export(s): CSV, XLSX, JSONL or Parquet.",
                                                 show_default=False)],
    themes: Annotated[Path, typer.Option("--themes", help="Theme config (reviewers).")] = Path(
        "config/themes.yaml"),
    config: Annotated[Path, typer.Option("--config", help="Pipeline config (analysts).")] = Path(
        "config/pipeline.yaml"),
    out: Annotated[Path | None, typer.Option(
        "--out", help="Run folder (default: data/runs/ and the input's name).", show_default=False)] = None,
    text_column: Annotated[list[str] | None, typer.Option(
        "--text-column", help="Free-text column; repeat for several. Overrides pipeline.yaml.",
        show_default=False)] = None,
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
    keep_raw: Annotated[bool, typer.Option(
        "--keep-raw", help="Also write raw_comments_UNREDACTED.csv (personal data NOT removed; "
                           "never publish it).")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Run the whole pipeline on a survey export and write a run folder.

    Example: theming run data/sample/survey_round.csv --out data/runs/sample
    """
    from pipeline import runner

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = runner.load_settings(config, themes, text_columns=text_column,
                                        id_column=id_column, group_column=group_column,
                                        encoding=encoding, sheet=sheet)
        with _progress(quiet) as advance:
            result = runner.run([str(p) for p in inputs], settings, out, overwrite=overwrite,
                                resume=resume, keep_raw=keep_raw, progress=advance,
                                config_path=config, themes_path=themes)
    except ThemingError as error:
        _fail(error)
        return
    except OSError as error:
        _fail(_os_error(error))
        return
    except KeyboardInterrupt:
        if DEBUG["on"]:
            raise
        typer.echo("Interrupted. The stages that finished are saved: run the same command with "
                   "--resume to finish.", err=True)
        raise typer.Exit(130) from None
    except Exception as error:  # a traceback only with --debug
        if DEBUG["on"]:
            raise
        _fail(ThemingError(f"unexpected {error.__class__.__name__}: {error}; this is a bug: "
                           "rerun with 'theming --debug run ...' and report the traceback",
                           code="S041"))
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
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description:<12}"), BarColumn(), TimeElapsedColumn(),
                      console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("starting", total=None)

            def advance(stage: str, number: int, total: int) -> None:
                progress.update(task, description=stage, total=total, completed=number - 1)

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
    resume = result.manifest.get("resume", {})
    if resume.get("requested"):
        notes = "; ".join(f"{stage} {note}" for stage, note in resume["stages"].items())
        typer.echo(f"Resume: {notes}.")
    if result.manifest.get("raw_text_file"):
        typer.echo(f"Unredacted text kept in {result.manifest['raw_text_file']}: never publish it.")
    typer.echo(f"Outputs in {result.out_dir}/:")
    for name in result.manifest["outputs"]:
        typer.echo(f"  {name}")


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
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx, docx or md.")] = "csv",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write [default: print csv/md to the terminal].",
        show_default=False)] = None,
) -> None:
    """Pull a filtered quote table from a finished run.

    Example: theming quotes data/runs/sample --theme ministerial_presence --format docx -o q.docx
    """
    from pipeline import quote_export
    from pipeline.errors import DataError
    from pipeline.writers import write_bytes

    try:
        table = quote_export.filter_quotes(quote_export.load_quote_table(run_dir), theme, group)
        title = "Quotes: " + (", ".join(theme) if theme else "all themes") + \
            (f" ({', '.join(group)})" if group else "")
        data = quote_export.render_quotes(table, fmt, title)
        if output is None and fmt in quote_export.BINARY:
            raise DataError(f"--format {fmt} writes a binary file; add -o FILE, e.g. "
                            f"-o quotes.{fmt}", code="D033")
    except ThemingError as error:
        _fail(error)
        return
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    write_bytes(output, data)
    typer.echo(f"Wrote {len(table)} quotes to {output}", err=True)


@themes_app.command("check")
def themes_check(
    file: Annotated[Path, typer.Argument(help="themes.yaml to check.", show_default=False)],
) -> None:
    """Check a theme config and list every problem with its line.

    Example: theming themes check config/themes.yaml
    """
    from pipeline.config import load_themes

    try:
        themes = load_themes(file)
    except ThemingError as error:
        _fail(error)
        return
    count = len(themes.themes)
    typer.echo(f"{file}: OK, {count} theme{'s' if count != 1 else ''} "
               f"({', '.join(themes.ids)})")


if __name__ == "__main__":  # pragma: no cover
    app()
