"""Hand-coded comments: read them, tag them with the pipeline, score the agreement.

A coded file is a table with one comment per row: a text column and a labels column holding
theme ids joined by ``|`` (empty = no theme). ``theming eval``, ``theming train`` and the
benchmark all go through here, so they tag exactly as ``theming run`` does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.config.models import Settings, ThemesConfig
from pipeline.errors import DataError, did_you_mean, one_of
from pipeline.evaluation import evaluate
from pipeline.io.readers import read_table
from pipeline.stages.schemas import SENTENCES
from pipeline.text.nlp import split_sentences
from pipeline.text.normalise import normalise
from pipeline.text.redact import redactor_from_settings

log = logging.getLogger(__name__)

TEXT_COLUMNS = ("text", "comment", "answer", "response")
LABEL_COLUMNS = ("themes", "labels", "codes", "theme_ids")


@dataclass
class CodedComments:
    """Texts and their coded theme sets, in file order."""

    texts: list[str]
    labels: list[set[str]]
    path: str = ""
    questions: list[str] | None = None  # with --question-column: each comment's question

    def truth(self, theme_ids: list[str]) -> np.ndarray:
        return evaluate.indicator(self.labels, theme_ids)


def _pick(columns: list[str], wanted: str | None, candidates: tuple[str, ...], path: str,
          what: str, option: str) -> str:
    if wanted:
        if wanted not in columns:
            raise DataError(f"{path}: no {what} column '{wanted}'{did_you_mean(wanted, columns)}; "
                            f"columns are {one_of(columns)}", code="D002")
        return wanted
    lowered = {c.lower(): c for c in columns}
    for candidate in candidates:
        if candidate in lowered:
            return lowered[candidate]
    raise DataError(f"{path}: cannot tell which column holds the {what}; pass {option} "
                    f"(columns are {one_of(columns)})", code="D002")


def read_coded(path: str | Path, theme_ids: list[str], text_column: str | None = None,
               labels_column: str | None = None,
               question_column: str | None = None, nlp_model: str = "blank") -> CodedComments:
    """Read a coded file; every label must be a known theme id (D020 names the unknown ones).
    ``question_column``: the column naming each comment's question (as the run names it).
    A REFI-QDA project (``.qdpx``) gives one comment per text source, its sentences (split
    with ``nlp_model``) coded by overlapping selections: see ``pipeline.codebook.qdpx``."""
    if Path(path).suffix.lower() == ".qdpx":
        from pipeline.codebook.qdpx import coded_sources

        sources, labels = coded_sources(path, theme_ids, nlp_model)
        return CodedComments(texts=[s.text for s in sources], labels=labels, path=str(path),
                             questions=[s.question for s in sources] if question_column else None)
    frame = read_table(path).frame
    columns = [c for c in frame.columns if not c.startswith("_")]
    text_col = _pick(columns, text_column, TEXT_COLUMNS, str(path), "comment text",
                     "--text-column")
    labels_col = _pick(columns, labels_column, LABEL_COLUMNS, str(path), "theme labels",
                       "--labels-column")
    known = set(theme_ids)
    labels, unknown = [], {}
    for row, cell in zip(frame["_row"], frame[labels_col], strict=True):
        found = {part.strip() for part in str(cell).split("|") if part.strip()}
        for label in found - known:
            unknown.setdefault(label, row)
        labels.append(found & known)
    if unknown:
        listed = ", ".join(f"'{label}' (row {row}{did_you_mean(label, theme_ids)})"
                           for label, row in sorted(unknown.items(), key=lambda kv: kv[1]))
        raise DataError(f"{path}: column '{labels_col}' has theme ids the themes file does not "
                        f"define: {listed}; fix the labels or add those themes", code="D020")
    questions = None
    if question_column:
        column = _pick(columns, question_column, (), str(path), "question", "--question-column")
        questions = [str(q) for q in frame[column]]
    return CodedComments(texts=[str(t) for t in frame[text_col]], labels=labels, path=str(path),
                         questions=questions)


def sentences_of(texts: list[str], settings: Settings,
                 questions: list[str] | None = None) -> pd.DataFrame:
    """The ``sentences`` table the clean stage would make (normalised, split; comment ids
    ``c1``, ``c2``, ... in file order; ``question`` from ``questions``, else "coded"; no
    redaction and no dropping)."""
    model = settings.pipeline.nlp.advanced.model
    fix = settings.pipeline.clean.advanced.fix_mojibake
    cleaned = [normalise(t, fix) for t in texts]
    spans = split_sentences(cleaned, model) if cleaned else []
    records = []
    for number, (text, found) in enumerate(zip(cleaned, spans, strict=True), start=1):
        comment_id = f"c{number}"
        for index, (start, end) in enumerate(found, start=1):
            records.append((f"{comment_id}#{index}", comment_id, comment_id, "",
                            questions[number - 1] if questions else "coded", index, start, end,
                            text[start:end]))
    frame = pd.DataFrame.from_records(records, columns=list(SENTENCES))
    return frame.astype({c: object for c in SENTENCES if c not in ("sentence_index", "start", "end")})


def predict(texts: list[str], settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Tag ``texts`` with the tag stage; return (tagged, best score) matrices comments x themes."""
    predicted, confidence, _ = tag_coded(texts, settings)
    return predicted, confidence


def tag_coded(texts: list[str], settings: Settings, questions: list[str] | None = None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(tagged, best score, why) matrices comments x themes; ``why`` says which layers tagged
    the comment and with what score, e.g. ``keyword 1.00`` or ``semantic 0.47, runner-up
    food by 0.03``."""
    from pipeline.stages import tag

    sentences = sentences_of(texts, settings, questions)
    tags = tag.tag(sentences, settings)["tags"]
    theme_ids = settings.themes.ids
    shape = (len(texts), len(theme_ids))
    predicted = np.zeros(shape, dtype=bool)
    confidence = np.zeros(shape)
    why = np.full(shape, "", dtype=object)
    column = {t: j for j, t in enumerate(theme_ids)}
    best = tags.sort_values("score", ascending=False, kind="stable").drop_duplicates(
        ["comment_id", "theme_id", "method"])
    for hit in best.itertuples(index=False):
        row, j = int(str(hit.comment_id)[1:]) - 1, column[hit.theme_id]
        predicted[row, j] = True
        confidence[row, j] = max(confidence[row, j], float(hit.score))
        said = f"{hit.method} {hit.score:.2f}"
        if hit.runner_up:
            said += f", runner-up {hit.runner_up} by {hit.margin:.2f}"
        why[row, j] = f"{why[row, j]}; {said}" if why[row, j] else said
    return predicted, confidence, why


def rolled_up(themes: ThemesConfig, tagged: np.ndarray) -> np.ndarray:
    """``tagged`` (comments x themes, config order) with each parent's column also true where
    one of its sub-themes' is: a parent counts every comment a sub-theme of it holds, as the
    run counts it (``stages.tag.roll_up``)."""
    column = {theme_id: j for j, theme_id in enumerate(themes.ids)}
    rolled = tagged.copy()
    for child, parent in themes.parents().items():
        rolled[:, column[parent]] |= tagged[:, column[child]]
    return rolled


def best_per_comment(sentences: pd.DataFrame, scores: np.ndarray, n_comments: int) -> np.ndarray:
    """Sentence x theme ``scores`` -> comment x theme: each comment's best sentence score
    (-inf for a comment without sentences); comments are ``c1``, ``c2``, ... as in
    ``sentences_of``."""
    best = np.full((n_comments, scores.shape[1]), -np.inf)
    if len(sentences):
        rows = sentences["comment_id"].str[1:].astype(int).to_numpy() - 1
        np.maximum.at(best, rows, scores)
    return best


def near_misses(texts: list[str], settings: Settings,
                questions: list[str] | None = None) -> np.ndarray:
    """Comments x themes: what the scoring layer gave each comment for each theme and the
    bar it missed (``semantic 0.31 < 0.40``, ``classifier 0.22 < 0.45``; ``no keyword or
    pattern`` when no scoring layer covers the theme)."""
    from pipeline.tagging.semantic import embedder_for, semantic_scores, thresholds

    theme_ids = settings.themes.ids
    cfg = settings.pipeline.tag
    missed = np.full((len(texts), len(theme_ids)), "no keyword or pattern", dtype=object)
    if not texts:
        return missed
    model = settings.tag_model if cfg.advanced.classifier else None
    learned = model.trained_themes if model is not None else set()
    if cfg.semantic and not learned.issuperset(theme_ids):
        sentences = sentences_of(texts, settings)
        best = best_per_comment(sentences, semantic_scores(
            [str(t) for t in sentences["text"]], settings.themes,
            embedder_for(cfg, settings.pipeline.seed), cfg.advanced.semantic_codebook_weight),
        len(texts))
        limits = thresholds(settings.themes, cfg.semantic_threshold)
        for j, theme_id in enumerate(theme_ids):
            if theme_id in learned and not cfg.advanced.semantic_with_classifier:
                continue
            missed[:, j] = [f"semantic {v:.2f} < {limits[j]:.2f}" if np.isfinite(v)
                            else "no sentence" for v in best[:, j]]
    if model is not None:
        from pipeline.tagging.learned import asked

        proba = model.proba_of(asked(texts, questions if model.info_.get("question_column")
                                     else None), model.embed(texts, cfg))
        for k, theme_id in enumerate(model.theme_ids_):
            if theme_id in learned and theme_id in theme_ids:
                j = theme_ids.index(theme_id)
                missed[:, j] = [f"classifier {v:.2f} < {model.thresholds_[k]:.2f}"
                                for v in proba[:, k]]
    return missed


def evaluate_coded(coded: CodedComments, settings: Settings, *, examples: int = 3,
                   n_bootstrap: int = 1000, min_support: int = 5) -> dict:
    """Tag ``coded`` and compare with its labels: the dict ``theming eval --json`` prints;
    each theme's worst examples carry the layer and score that tagged or missed them. The
    examples are shown redacted, through the run's one redaction path: a coded file holds
    answers as written."""
    theme_ids = settings.themes.ids
    predicted, confidence, why = tag_coded(coded.texts, settings, coded.questions)
    # a coder's sub-theme implies its parent, and the run counts a parent so: both sides
    predicted = rolled_up(settings.themes, predicted)
    truth = rolled_up(settings.themes, coded.truth(theme_ids))
    scores = evaluate.score(truth, predicted, theme_ids, n_bootstrap=n_bootstrap,
                            seed=settings.pipeline.seed, min_support=min_support)
    result = {"labels": coded.path, **scores.to_dict()}
    missed = near_misses(coded.texts, settings, coded.questions) if examples > 0 and (truth & ~predicted).any() \
        else None
    redactor = redactor_from_settings(settings.pipeline.clean.redact,
                                      settings.pipeline.nlp.advanced.model)
    shown = [redactor(normalise(str(text), fix_mojibake=False))[0] if examples > 0 else ""
             for text in coded.texts]
    worst = evaluate.worst_examples(shown, truth, predicted, confidence, theme_ids, examples,
                                    why=why, why_missed=missed)
    for row in result["per_theme"]:
        row.update(worst[row["theme_id"]])
    return result


def calibrate(coded: CodedComments, settings: Settings, grid: np.ndarray | None = None
              ) -> dict[str, float]:
    """Per theme, the semantic threshold giving the best F1 of all layers together on
    ``coded``; themes without coded cases keep their current threshold (absent here)."""
    from pipeline.tagging.semantic import embedder_for, keep_top_k, semantic_scores

    theme_ids = settings.themes.ids
    cfg = settings.pipeline.tag
    without = settings.model_copy(update={"pipeline": settings.pipeline.model_copy(
        update={"tag": cfg.model_copy(update={"semantic": False})})})
    others, _ = predict(coded.texts, without)
    sentences = sentences_of(coded.texts, settings)
    scores = keep_top_k(semantic_scores([str(t) for t in sentences["text"]], settings.themes,
                                        embedder_for(cfg, settings.pipeline.seed),
                                        cfg.advanced.semantic_codebook_weight),
                        cfg.advanced.semantic_top_k)
    best = best_per_comment(sentences, scores, len(coded.texts))
    truth = coded.truth(theme_ids)
    grid = np.round(np.arange(0.05, 0.951, 0.025), 3) if grid is None else grid
    chosen = {}
    for j, theme_id in enumerate(theme_ids):
        if not truth[:, j].any():
            continue
        f1 = [evaluate.f1_from_counts(*(int(x) for x in (
            (truth[:, j] & p).sum(), (~truth[:, j] & p).sum(), (truth[:, j] & ~p).sum())))
            for p in ((best[:, j] >= t) | others[:, j] for t in grid)]
        chosen[theme_id] = float(grid[int(np.argmax(f1))])
    return chosen


def with_thresholds(themes_path: str | Path, chosen: dict[str, float]) -> str:
    """The themes file's YAML with ``threshold`` set for the themes in ``chosen``."""
    import yaml

    data = yaml.safe_load(Path(themes_path).read_text(encoding="utf-8-sig"))
    for theme in data.get("themes", []):
        if theme.get("id") in chosen:
            theme["threshold"] = chosen[theme["id"]]
    return ("# Thresholds calibrated by `theming eval --calibrate` (comments of the original "
            "file are not kept).\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
                                                     width=100))
