"""Stage ``clean``: normalise, redact, drop with a reason, split sentences.

Order matters for safety: text is redacted before anything is dropped or split, so no
output (not even the dropped table) carries raw personal data.
"""

from __future__ import annotations

import logging
import time

import numpy as np
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
    for respondent, question, raw in zip(comments["respondent_id"].tolist(),
                                         comments["question"].tolist(),
                                         comments["text"].tolist(), strict=True):
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
    texts = kept["text"].tolist()
    spans = split_sentences(texts, model) if len(kept) else []
    owner = np.repeat(np.arange(len(kept)), [len(found) for found in spans]).tolist()
    bounds = [span for found in spans for span in found]
    index = [number for found in spans for number in range(1, len(found) + 1)]
    columns = {name: kept[name].to_numpy()[owner].tolist()
               for name in ("comment_id", "respondent_id", "group", "question")}
    sentences = pd.DataFrame({
        "sentence_id": [f"{c}#{i}" for c, i in zip(columns["comment_id"], index, strict=True)],
        **columns, "sentence_index": index,
        "start": [start for start, _ in bounds], "end": [end for _, end in bounds],
        "text": [texts[o][start:end] for o, (start, end) in zip(owner, bounds, strict=True)],
    }, columns=list(SENTENCES))
    return as_text(sentences, [c for c in SENTENCES if c not in ("sentence_index", "start", "end")])
