"""Stage ``clean``: normalise, redact, drop with a reason, split sentences.

Order matters for safety: text is redacted before anything is dropped or split, so no
output (not even the dropped table) carries raw personal data.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata

import pandas as pd

from pipeline.config.models import Settings
from pipeline.io.dtypes import as_text
from pipeline.stages.schemas import CLEAN_COMMENTS, COMMENTS, DROPPED, SENTENCES
from pipeline.text.nlp import split_sentences
from pipeline.text.redact import Redactor, redactor_from_settings

log = logging.getLogger(__name__)

NAME = "clean"
REQUIRES = {"comments": COMMENTS}
PRODUCES = {"comments": CLEAN_COMMENTS, "sentences": SENTENCES, "dropped": DROPPED}

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2028\u2029\ufeff]")
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
BLANK_LINES = re.compile(r"\n\s*\n+")
PUNCT_ONLY = re.compile(r"[\W_]+", re.UNICODE)
MAX_NORMALISE_PASSES = 4


def run(tables: dict[str, pd.DataFrame], settings: Settings) -> dict[str, pd.DataFrame]:
    return clean(tables["comments"], settings)


def normalise(text: str, fix_mojibake: bool = True) -> str:
    """Unicode NFC, mojibake repaired, control characters removed, whitespace folded.

    Repeated until stable (at most a few passes): one ftfy repair can expose another.
    """
    for _ in range(MAX_NORMALISE_PASSES):
        fixed = _normalise_once(text, fix_mojibake)
        if fixed == text:
            break
        text = fixed
    return text


def _normalise_once(text: str, fix_mojibake: bool) -> str:
    if fix_mojibake:
        import ftfy

        text = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = CONTROL.sub("", text)
    text = SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = BLANK_LINES.sub("\n\n", text)
    return text.strip()


def clean_text(text: str, redactor: Redactor, fix_mojibake: bool = True) -> tuple[str, list[str]]:
    """Normalised, then redacted text and the kinds of personal data removed.

    Idempotent: cleaning cleaned text changes nothing (the fuzz tests check it).
    """
    return redactor(normalise(text, fix_mojibake))


def answer_key(text: str) -> str:
    """Lower-case letters and digits only: how non-answers are recognised."""
    return PUNCT_ONLY.sub(" ", text.lower()).strip()


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
