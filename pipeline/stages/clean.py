"""Stage ``clean``: normalise, redact, drop with a reason, split sentences.

Order matters for safety: text is redacted before anything is dropped or split, so no
output (not even the dropped table) carries raw personal data.
"""

from __future__ import annotations

import logging
import time

import pandas as pd

from pipeline.config.models import Settings
from pipeline.io.dtypes import as_text
from pipeline.stages.schemas import CLEAN_COMMENTS, COMMENTS, DROPPED, SENTENCES
from pipeline.text.nlp import split_sentences
from pipeline.text.normalise import answer_key, clean_text
from pipeline.text.redact import redactor_from_settings

log = logging.getLogger(__name__)

NAME = "clean"
REQUIRES = {"comments": COMMENTS}
PRODUCES = {"comments": CLEAN_COMMENTS, "sentences": SENTENCES, "dropped": DROPPED}


def run(tables: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    return clean(tables["comments"], settings)


def clean(comments: pd.DataFrame, settings: Settings) -> dict[str, pd.DataFrame]:
    """``comments`` -> kept ``comments`` (+ redactions), ``sentences`` (sentence_id,
    comment_id, ..., sentence_index, start, end, text) and ``dropped`` (+ drop_reason)."""
    started = time.perf_counter()
    cfg = settings.pipeline.clean
    redactor = redactor_from_settings(cfg.redact, settings.pipeline.nlp.advanced.model)
    non_answers = {answer_key(n) for n in cfg.non_answers}

    texts, kinds, reasons = [], [], []
    kept_keys: set[tuple[str, str, str]] = set()
    for respondent, question, raw in zip(comments["respondent_id"], comments["question"],
                                         comments["text"], strict=True):
        text, found = clean_text(str(raw), redactor, cfg.advanced.fix_mojibake)
        texts.append(text)
        kinds.append("|".join(found))
        key = answer_key(text)
        if not key:
            reasons.append("empty")
        elif key in non_answers:
            reasons.append("non-answer")
        elif cfg.advanced.drop_duplicates and (respondent, question, key) in kept_keys:
            reasons.append("duplicate")
        else:
            kept_keys.add((respondent, question, key))
            reasons.append("")
    cleaned = comments.assign(text=texts, redactions=kinds)
    reason = pd.Series(reasons, index=comments.index, dtype=object)
    kept = cleaned[reason == ""][list(CLEAN_COMMENTS)].reset_index(drop=True)
    dropped = cleaned[reason != ""].assign(drop_reason=reason[reason != ""])
    dropped = dropped[list(DROPPED)].reset_index(drop=True)
    sentences = _sentences(kept, settings.pipeline.nlp.advanced.model)
    log.info("clean: %d answers -> %d kept, %d dropped, %d sentences (%.2fs)", len(comments),
             len(kept), len(dropped), len(sentences), time.perf_counter() - started)
    return {"comments": kept, "sentences": sentences, "dropped": dropped}


def _sentences(kept: pd.DataFrame, model: str) -> pd.DataFrame:
    spans = split_sentences(kept["text"].tolist(), model) if len(kept) else []
    records = []
    for row, found in zip(kept.itertuples(index=False), spans, strict=True):
        for index, (start, end) in enumerate(found, start=1):
            records.append((f"{row.comment_id}#{index}", row.comment_id, row.respondent_id,
                            row.group, row.question, index, start, end, row.text[start:end]))
    sentences = pd.DataFrame.from_records(records, columns=list(SENTENCES))
    return as_text(sentences, [c for c in SENTENCES if c not in ("sentence_index", "start", "end")])
