"""The one catalogue of user-facing errors.

Every message says what happened, where (file, line, row or column) and how to fix it.
Codes: ``C`` config, ``D`` data, ``S`` stage. Library code raises; only the CLI prints.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class ThemingError(Exception):
    """Base class for every error a user can act on."""

    code = "E000"

    def __init__(self, message: str, code: str | None = None) -> None:
        self.message = message
        if code:
            self.code = code
        super().__init__(f"[{self.code}] {message}")


class ConfigError(ThemingError):
    code = "C001"


class DataError(ThemingError):
    code = "D001"


class StageError(ThemingError):
    code = "S001"


@dataclass(frozen=True)
class Problem:
    """One problem found in a config file."""

    code: str
    line: int | None
    message: str

    def render(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"[{self.code}] {where}{self.message}"


class ConfigProblems(ConfigError):
    """Several config problems, reported together."""

    code = "C001"

    def __init__(self, path: str, problems: Sequence[Problem]) -> None:
        self.path = path
        self.problems = list(problems)
        if len(self.problems) == 1:
            only = self.problems[0]
            where = f" line {only.line}" if only.line else ""
            message = f"{path}{where}: {only.message}"
            super().__init__(message, code=only.code)
        else:
            lines = "\n".join(f"  {p.render()}" for p in self.problems)
            super().__init__(f"{path} has {len(self.problems)} problems:\n{lines}")


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest option, or an empty string."""
    matches = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def one_of(options: Iterable[str]) -> str:
    """Format a list of valid options for a message."""
    return ", ".join(f"'{o}'" for o in options)


# Catalogue: one place that lists every code and what it means. Tests check that each
# code raised in the package appears here, so a new error cannot go undocumented.
CATALOGUE: dict[str, str] = {
    "C001": "a config file has several problems (each listed with its own code)",
    "C002": "a config file cannot be read or is not valid YAML",
    "C003": "unknown key in a config file",
    "C004": "duplicate theme id",
    "C005": "a value has the wrong type or is out of range",
    "C006": "a required key is missing",
    "C007": "an empty keyword, pattern or example",
    "C008": "a malformed spaCy token pattern",
    "C009": "a theme id is not a lower-case slug",
    "C010": "the spaCy pipeline named in pipeline.yaml is not installed",
    "C011": "a names file for redaction cannot be read",
    "C012": "the project secret (clean.redact.advanced.secret_file) cannot be read, or exists "
            "already",
    "C013": "a config file is larger than the size limit",
    "C014": "a config file uses YAML anchors or aliases (refused before expansion)",
    "C015": "a spaCy pattern has more than one unbounded operator (*, + or {n,})",
    "C016": "no free-text column is configured or given with --text-column",
    "C017": "a config section sets the same key twice",
    "C018": "--engine dask was asked for with a setting that needs the whole round in one process",
    "C019": "the Dask scheduler given with --scheduler cannot be reached",
    "C020": "the MiniLM weights are missing or fail their SHA-256 check",
    "C021": "the static (model2vec) embedder cannot be loaded or distilled",
    "C022": "a trained tagger folder is missing, unreadable or was trained on other themes",
    "C023": "too few coded comments to train or cross-validate",
    "C024": "fewer than 2 cross-validation folds were asked for",
    "C025": "an optional part of the package (an extra) is needed but not installed",
    "C030": "the ONNX MiniLM (minilm-onnx) cannot be built or loaded, or fails its agreement check",
    "C031": "a file of the ONNX MiniLM folder is missing or fails its SHA-256 check",
    "C032": "a REGEX in a theme pattern is invalid or has a nested quantifier such as (a+)+",
    "C033": "a score column's theme: names no theme in the theme config",
    "C034": "a theme's parent: names no theme in the theme config",
    "C035": "a theme's parent: is the theme itself or a sub-theme (themes nest two levels deep)",
    "C036": "a theme's renamed_from: lists an id another theme still has",
    "D001": "an input file cannot be found or read",
    "D002": "a column named in the config or on the command line is not in the input",
    "D003": "an input file has no rows",
    "D004": "the input format is not supported",
    "D005": "the text encoding of an input file cannot be decoded",
    "D007": "the run folder (or a project config) already exists",
    "D008": "no run folder given (--out) and no project whose runs folder to use",
    "D009": "a file was asked of an in-memory run (run_frame), which writes none",
    "D020": "a coded file names theme ids the themes file does not define",
    "D021": "a codebook has no label/id column, repeats an id or has no codes",
    "D030": "the folder given to 'theming quotes' is not a finished run folder",
    "D031": "an unknown theme or group was asked for",
    "D032": "an unknown output format was asked for",
    "D033": "a binary output format needs an output file (-o)",
    "D050": "a score column holds a value that no scale in pipeline.yaml maps to 1-5",
    "D070": "a folder given to 'theming compare' is not a finished run folder",
    "D071": "'theming compare' was given fewer than two run folders, or one folder twice",
    "D072": "the --out folder of 'theming compare' is a file or a run folder",
    "D074": "a file of a run folder given to compare is a symbolic link or lies outside it",
    "D075": "a run folder's manifest.json has a field of the wrong type (the field is named)",
    "D073": "the --against of 'theming themes check' is neither a finished run folder nor a coded file",
    "D076": "'theming compare' was given a --name count unlike its run folders' count",
    "C060": "the theme config to review (--themes, or the one the run used) is missing",
    "D080": "the folder given to 'theming review' is not a finished run folder",
    "D081": "a review decisions file (review/RUN/decisions.csv in the project, or an earlier "
            "version's RUN/review/decisions.csv) is not in the expected form",
    "D082": "a review request names an unknown theme, comment, decision or field",
    "D083": "'theming review' was given the wrong arguments (export needs RUN and -o FILE)",
    "D091": "a .qdpx file is not a readable REFI-QDA project (zip, project.qde, its sources)",
    "D092": "a run tagged themes that the theme config given to 'theming export' lacks",
    "S020": "the review server's port is in use or cannot be listened on",
    "S001": "a stage was given a table without a column it requires",
    "S002": "a stage produced a table without a column it promised",
    "D040": "a CSV file cannot be parsed (quoting, or a row with more fields than the header)",
    "D041": "an XLSX or Parquet file is not a readable workbook or Parquet file",
    "D042": "the sheet asked for with --sheet is not in the workbook",
    "D043": "a JSON Lines file has a line that is not a JSON object",
    "D044": "--overwrite was given a folder that is not a run folder (refused, nothing deleted)",
    "D045": "a file of the run folder cannot be written",
    "D046": "another run holds the lock on the run folder",
    "D047": "an answer is longer than input.advanced.max_comment_chars (and long_comments is "
            "error)",
    "D048": "an XLSX workbook would inflate beyond the size limits (a possible zip bomb)",
    "D049": "an input file has more rows than input.advanced.max_rows",
    "D051": "two columns of an input file have the same header",
    "S040": "row accounting failed: answers in != kept + dropped (a bug)",
    "S041": "an unexpected error (a bug); rerun with --debug for the traceback",
    "S042": "an unexpected error on a Dask worker (a bug); the message names the partition's rows",
}
