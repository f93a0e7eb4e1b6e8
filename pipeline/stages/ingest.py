"""Stage ``ingest``: map a raw export's columns to one row per answer.

Several free-text columns become one row per (respondent, question). Blank answers are
kept here (clean drops them with a reason) so every input answer can be accounted for.
Everything but the answer text passes the redactor here, before any id is built from it:
group values are redacted, respondent ids holding personal data become keyed pseudonyms,
and a question label or header holding personal data is redacted before it is slugged.
"""

from __future__ import annotations

import functools
import logging
import re
import time

import pandas as pd

from pipeline.config import scales
from pipeline.config.models import Settings
from pipeline.errors import DataError, did_you_mean
from pipeline.io.dtypes import as_text
from pipeline.stages.schemas import COMMENTS, RESPONDENTS
from pipeline.text.labels import question_label, redact_label
from pipeline.text.pseudonyms import pseudonym
from pipeline.text.redact import Redactor, id_redactor, redactor_from_settings

log = logging.getLogger(__name__)

NAME = "ingest"
REQUIRES: dict[str, tuple[str, ...]] = {"raw": ()}
PRODUCES = {"comments": COMMENTS, "respondents": RESPONDENTS}
NO_GROUP = "(no group)"


def run(tables: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    return ingest(tables["raw"], settings)


def ingest(raw: pd.DataFrame, settings: Settings) -> dict[str, pd.DataFrame]:
    """Raw export -> ``comments`` (comment_id, respondent_id, group, question, text, source,
    row) and ``respondents`` (respondent_id, group, one column per score)."""
    started = time.perf_counter()
    answers, respondents = answer_rows(raw, settings)
    tables = number_answers(answers, respondents)
    log.info("ingest: %d rows -> %d answers (%.2fs)", len(raw), len(tables["comments"]),
             time.perf_counter() - started)
    return tables


def answer_rows(raw: pd.DataFrame, settings: Settings,
                first_position: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The part of ingest that looks at one raw row at a time, so it can run on any stretch
    of the export (``--engine dask`` runs it per block of the file): one row per answer and
    one per raw row's respondent, each with ``_position`` (the raw row's place in the whole
    input, counted from ``first_position``) and the answers with ``_order`` (the text
    column's place), which ``number_answers`` needs."""
    cfg = settings.pipeline.input
    source = raw["_source"].astype(str) if "_source" in raw else pd.Series(["input"] * len(raw))
    rows = raw["_row"].astype(int) if "_row" in raw else pd.Series(range(2, len(raw) + 2))
    check_input_columns(raw, cfg, source.iloc[0] if len(raw) else "input")

    redactor = redactor_from_settings(settings.pipeline.clean.redact,
                                      settings.pipeline.nlp.advanced.model)
    ids = _respondent_ids(raw, cfg.id_column, rows, id_redactor(redactor), settings.secret)
    label = functools.lru_cache(maxsize=4096)(lambda value: redact_label(value, redactor))
    groups = (raw[cfg.group_column].map(_cell).map(label).replace("", NO_GROUP)
              if cfg.group_column else pd.Series([NO_GROUP] * len(raw), dtype=object))
    groups = groups.reset_index(drop=True)
    positions = range(first_position, first_position + len(raw))

    parts = []
    for order, text_col in enumerate(cfg.text_columns):
        parts.append(pd.DataFrame({
            "respondent_id": ids, "group": groups.tolist(),
            "question": question_label(text_col.column, text_col.question, redactor),
            "text": _limited(raw[text_col.column].map(_cell).tolist(), rows, source,
                             text_col.column, cfg),
            "source": source.astype(str).tolist(), "row": rows.astype(int).tolist(),
            "_position": positions, "_order": order,
        }))
    answers = pd.concat(parts, ignore_index=True)

    respondents = pd.DataFrame({"respondent_id": ids, "group": groups.tolist(),
                                "_position": positions})
    for score in cfg.score_columns:
        scale = settings.pipeline.scales[score.scale]
        respondents[score.column] = score_values(raw[score.column], rows, score.column,
                                                 score.scale, scale.values, source)
    return answers, respondents


def number_answers(answers: pd.DataFrame, respondents: pd.DataFrame,
                   keep_positions: bool = False) -> dict[str, pd.DataFrame]:
    """The part of ingest that looks at a respondent's rows together: answers in input order
    get their ``comment_id`` (a respondent answering a question twice gets ``~2``), and each
    respondent keeps its first row. Run on all of a respondent's rows at once, it gives the
    same ids whichever other respondents are beside them. ``keep_positions`` keeps
    ``_position`` (and the answers' ``_order``) for putting partitions back in order."""
    comments = answers.sort_values(["_position", "_order"], kind="stable").reset_index(drop=True)
    base = comments["respondent_id"].astype(str) + "." + comments["question"].astype(str)
    repeat = base.groupby(base).cumcount()
    comment_id = base.where(repeat == 0, base + "~" + (repeat + 1).astype(str))
    hidden = ["_position", "_order"] if keep_positions else []
    comments = comments.assign(comment_id=comment_id)[list(COMMENTS) + hidden]
    comments = as_text(comments, [c for c in COMMENTS if c != "row"])
    respondents = respondents.sort_values("_position", kind="stable").drop_duplicates(
        "respondent_id", keep="first").reset_index(drop=True)
    if not keep_positions:
        respondents = respondents.drop(columns="_position")
    return {"comments": comments, "respondents": respondents}


def score_values(values: pd.Series, rows: pd.Series, column: str, scale_name: str,
                 scale: dict[str, int | None], source: pd.Series) -> list[float]:
    """Scores 1-5 (NaN when blank or answered without a score); DataError D050 listing every
    value the scale does not map, with its rows, and the fix."""
    lookup = scales.lookup(scale)
    found, unmapped = [], {}
    for value, row in zip(values.map(_cell).tolist(), rows.tolist(), strict=True):
        score = scales.score_of(value, lookup)
        if score is scales.UNMAPPED:
            unmapped.setdefault(value.strip(), []).append(int(row))
            score = None
        found.append(float("nan") if score is None else float(score))
    if unmapped:
        where = source.iloc[0] if len(source) else "input"
        listed = "; ".join(
            f"'{value}' (row{'s' if len(r) > 1 else ''} {', '.join(map(str, r[:5]))}"
            f"{', ...' if len(r) > 5 else ''})" for value, r in sorted(unmapped.items()))
        raise DataError(
            f"{where}: score column '{column}' has {len(unmapped)} value(s) the scale "
            f"'{scale_name}' does not map: {listed}. Add each under scales.{scale_name}.values "
            "in pipeline.yaml with its score 1-5 (or null for an answer without a score), or "
            "export numbers 1-5", code="D050")
    return found


def _limited(texts: list[str], rows: pd.Series, source: pd.Series, column: str,
             cfg) -> list[str]:
    """``texts`` within ``input.advanced.max_comment_chars``: a longer answer is an error naming the
    file, row and limit, or (``long_comments: cut``) is cut with a warning."""
    limit = cfg.advanced.max_comment_chars
    for index, text in enumerate(texts):
        if len(text) <= limit:
            continue
        where = f"{source.iloc[index]} row {rows.iloc[index]}"
        if cfg.advanced.long_comments == "error":
            raise DataError(f"{where}: the answer in column '{column}' has {len(text):,} "
                            f"characters, over input.advanced.max_comment_chars ({limit:,}); "
                            "shorten it, or set input.advanced.long_comments: cut in pipeline.yaml "
                            f"to keep the first {limit:,}", code="D047")
        log.warning("ingest: %s: answer cut from %d to %d characters "
                    "(input.advanced.long_comments: cut)",
                    where, len(text), limit)
        texts[index] = text[:limit]
    return texts


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _respondent_ids(raw: pd.DataFrame, id_column: str | None, rows: pd.Series,
                    redactor: Redactor, secret: bytes | None) -> list[str]:
    """Ids as given; a blank id -> ``row<N>``; an id holding personal data (an e-mail, phone,
    NHS or NI number, postcode or listed name) -> a pseudonym keyed with the project secret."""
    if not id_column:
        return [f"row{r}" for r in rows]
    values = raw[id_column].map(_cell).tolist()
    ids = [pseudonymise_id(value, redactor, secret) if value.strip() else f"row{row}"
           for value, row in zip(values, rows, strict=True)]
    replaced = sum(new != old.strip() for new, old in zip(ids, values, strict=True) if old.strip())
    if replaced:
        log.warning("ingest: %d respondent ids held personal data and were replaced by %s "
                    "pseudonyms", replaced, "keyed" if secret else "UNKEYED")
    return ids


def pseudonymise_id(value: str, redactor: Redactor, secret: bytes | None) -> str:
    """``value`` (stripped of invisible characters), or a pseudonym when it holds personal
    data; the pseudonym is taken of the whitespace-folded id so a line break changes nothing."""
    from pipeline.text.normalise import normalise

    cleaned = normalise(value, fix_mojibake=False)
    if not id_holds_personal_data(cleaned, redactor):
        return cleaned
    return pseudonym(" ".join(cleaned.split()), secret)


ID_SEPARATORS = re.compile(r"[-_/|#:;,+=~]+")


def id_holds_personal_data(value: str, redactor: Redactor) -> bool:
    """True when personal data is anywhere in the id, also where a suffix or a prefix glued
    on by a separator hides it from the finders ("943 476 5919-7", "priya.shah@nhs.net-6"):
    the id is also read with its separators as spaces, and piece by piece."""
    readings = [value, ID_SEPARATORS.sub(" ", value), *ID_SEPARATORS.split(value)]
    return any(redactor(reading)[1] for reading in dict.fromkeys(r for r in readings if r))


def check_scores(raw: pd.DataFrame, pipeline, source: str) -> None:
    """Raise DataError D050 before a run starts when a score column holds a value no scale
    maps (the same check ingest makes)."""
    rows = raw["_row"].astype(int) if "_row" in raw else pd.Series(range(2, len(raw) + 2))
    names = pd.Series([source] * len(raw))
    for score in pipeline.input.score_columns:
        if score.column in raw.columns:
            score_values(raw[score.column], rows, score.column, score.scale,
                         pipeline.scales[score.scale].values, names)


# How a user names each kind of column: a command's flag or a run_frame parameter.
COLUMN_FIXES = {
    "flag": {"text": "--text-column", "id": "--id-column", "group": "--group-column",
             "score": "--score-column or input.score_columns in pipeline.yaml"},
    "parameter": {"text": "text_columns=[...]", "id": "id_column=...",
                  "group": "group_column=...", "score": "score_columns=[...]"},
}


def check_input_columns(raw: pd.DataFrame, cfg, source: str, fix: str = "flag") -> None:
    """Raise DataError naming every configured column the export lacks, and the fix (a
    command's flag, or with ``fix="parameter"`` the library parameter)."""
    available = [c for c in raw.columns if not str(c).startswith("_")]
    how = COLUMN_FIXES[fix]
    wanted = [(t.column, "text", how["text"]) for t in cfg.text_columns]
    if cfg.id_column:
        wanted.append((cfg.id_column, "id", how["id"]))
    if cfg.group_column:
        wanted.append((cfg.group_column, "group", how["group"]))
    wanted += [(c, "score", how["score"]) for c in cfg.score_names]
    problems = []
    for column, role, flag in wanted:
        if column not in raw.columns:
            problems.append(
                f"no {role} column '{column}'{did_you_mean(column, available)}; choose one "
                f"with {flag}")
    if problems:
        found = ", ".join(f"'{c}'" for c in available) or "none"
        raise DataError(f"{source}: " + "; ".join(problems) + f". Columns found: {found}",
                        code="D002")
