"""``theming themes check FILE --against RUN|CODED.csv``: the theme-set rules, measured on
real comments.

The comments (a run folder's kept answers, or a coded file's texts) are tagged with FILE by
the tag stage (``coded.predict``), so the findings describe what FILE catches on them. Rules,
each finding naming the theme ids and the numbers (thresholds under ``check:`` in
pipeline.yaml):

- error ``overlap``: two themes sharing more than ``check.advanced.max_overlap`` of their comments
  (Jaccard: shared / either), with example comments;
- error ``catches_nothing``: a theme no comment gets;
- warning ``too_little``: a theme caught by fewer than max(``check.advanced.min_comments``,
  ``check.advanced.min_share`` x comments);
- error ``nothing_to_match``: a theme with no keywords, patterns, examples or description;
- warning ``keyword_never_matches``: keywords found (on lemmas) in no comment, per theme;
- warning ``keyword_shared``: keywords under several themes, per set of themes;
- warning ``near_duplicate``: two labels, or two descriptions, whose embeddings' cosine is at
  least ``check.advanced.label_similarity``;
- warning ``too_many_themes``: more than ``check.advanced.max_themes`` themes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from pipeline.config.models import Settings, ThemesConfig
from pipeline.errors import DataError

ERROR, WARNING = "error", "warning"
EXAMPLE_CHARS = 160


@dataclass
class Finding:
    level: str
    rule: str
    themes: list[str]
    message: str
    examples: list[str] = field(default_factory=list)

    def render(self) -> str:
        where = f"{', '.join(self.themes)}: " if self.themes else ""
        lines = [f"{self.level} [{self.rule}] {where}{self.message}"]
        return "\n".join([*lines, *[f"    e.g. \"{e}\"" for e in self.examples]])


def comments_against(against: str | Path, theme_ids: list[str]) -> list[str]:
    """The comment texts to check on: a run folder's kept answers (comment_themes.csv) or
    the texts of a coded CSV/XLSX (its labels must be FILE's ids)."""
    import pandas as pd

    from pipeline.evaluation.coded import read_coded

    path = Path(against)
    if path.is_dir():
        answers = path / "comment_themes.csv"
        if not (path / "manifest.json").exists() or not answers.exists():
            raise DataError(f"{path}: not a finished run folder (no manifest.json or "
                            "comment_themes.csv); give a folder 'theming run' wrote or a coded "
                            "CSV (text + theme ids joined by '|')", code="D073")
        frame = pd.read_csv(answers, dtype=str, keep_default_na=False)
        return frame.loc[frame["dropped_reason"] == "", "text"].tolist()
    if not path.exists():
        raise DataError(f"{path}: no such run folder or coded file; give a folder 'theming "
                        "run' wrote or a coded CSV (text + theme ids joined by '|')", code="D073")
    return read_coded(path, theme_ids).texts


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS - 3].rstrip() + "..."


def check_themes(themes: ThemesConfig, texts: list[str], settings: Settings,
                 redact: Callable[[str], str],
                 embed: Callable[[list[str]], np.ndarray] | None) -> list[Finding]:
    """Every finding for ``themes`` on ``texts``, errors first, in theme order."""
    from pipeline.evaluation.coded import predict

    cfg = settings.pipeline.check
    tagged = predict(texts, settings)[0] if texts else np.zeros((0, len(themes.ids)), bool)
    findings = _static(themes, cfg) + _catch(themes, tagged, len(texts), cfg)
    findings += _overlaps(themes, tagged, texts, cfg, redact)
    findings += _keywords(themes, texts, settings.pipeline.nlp.advanced.model)
    if embed is not None:
        findings += _near_duplicates(themes, cfg.advanced.label_similarity, embed)
    return sorted(findings, key=lambda f: f.level != ERROR)


def _static(themes: ThemesConfig, cfg) -> list[Finding]:
    found = []
    if len(themes.themes) > cfg.advanced.max_themes:
        found.append(Finding(WARNING, "too_many_themes", [], f"{len(themes.themes)} themes, more "
                             f"than check.advanced.max_themes ({cfg.advanced.max_themes}); "
                             "merge or retire some"))
    for theme in themes.themes:
        if not (theme.keywords or theme.patterns or theme.examples or theme.description.strip()):
            found.append(Finding(ERROR, "nothing_to_match", [theme.id],
                                 "no keywords, patterns, examples or description; add some so "
                                 "a layer can match it"))
    return found


def _catch(themes: ThemesConfig, tagged: np.ndarray, n: int, cfg) -> list[Finding]:
    found = []
    needed = max(cfg.advanced.min_comments, int(np.ceil(cfg.advanced.min_share * n)))
    for j, theme_id in enumerate(themes.ids):
        caught = int(tagged[:, j].sum())
        if caught == 0:
            found.append(Finding(ERROR, "catches_nothing", [theme_id],
                                 f"catches 0 of {n} comments; add keywords or examples in the "
                                 "words respondents use, or retire it"))
        elif caught < needed:
            found.append(Finding(WARNING, "too_little", [theme_id],
                                 f"catches {caught} of {n} comments, fewer than {needed} "
                                 f"(check.advanced.min_comments {cfg.advanced.min_comments}, "
                                 "check.advanced.min_share "
                                 f"{cfg.advanced.min_share})"))
    return found


def _overlaps(themes: ThemesConfig, tagged: np.ndarray, texts: list[str], cfg,
              redact: Callable[[str], str]) -> list[Finding]:
    found = []
    ids = themes.ids
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            both = tagged[:, i] & tagged[:, j]
            either = int((tagged[:, i] | tagged[:, j]).sum())
            if not either:
                continue
            jaccard = int(both.sum()) / either
            if jaccard > cfg.advanced.max_overlap:
                examples = [_short(redact(texts[k]))
                            for k in np.flatnonzero(both)[:cfg.advanced.examples]]
                found.append(Finding(ERROR, "overlap", [ids[i], ids[j]],
                                     f"share {int(both.sum())} of the {either} comments either "
                                     f"catches (Jaccard {jaccard:.2f} > check.advanced.max_overlap "
                                     f"{cfg.advanced.max_overlap}); merge them or make their "
                                     "keywords and examples distinct", examples))
    return found


def _keywords(themes: ThemesConfig, texts: list[str], model: str) -> list[Finding]:
    from spacy.matcher import PhraseMatcher

    from pipeline.text.nlp import get_nlp, lemma_doc, lemmatise

    nlp = get_nlp(model)
    matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
    owners: dict[str, list[str]] = {}
    written: dict[str, str] = {}  # lemma key -> the keyword as first written
    for theme in themes.themes:
        for keyword in theme.keywords:
            doc = lemma_doc(keyword, model)
            key = " ".join(t.lemma_ for t in doc)
            owners.setdefault(key, [])
            written.setdefault(key, keyword)
            if theme.id not in owners[key]:
                owners[key].append(theme.id)
            matcher.add(key, [doc])
    hits: set[str] = set()
    for doc in nlp.tokenizer.pipe(texts, batch_size=256):
        lemmatise(doc)
        hits.update(nlp.vocab.strings[m_id] for m_id, _, _ in matcher(doc))
    found = []
    for theme in themes.themes:
        dead = [k for k in theme.keywords
                if " ".join(t.lemma_ for t in lemma_doc(k, model)) not in hits]
        if dead:
            listed = ", ".join(f"'{k}'" for k in dead)
            found.append(Finding(WARNING, "keyword_never_matches", [theme.id],
                                 f"{len(dead)} of {len(theme.keywords)} keywords match none of "
                                 f"the {len(texts)} comments: {listed}; reword them as "
                                 "respondents write or remove them"))
    shared: dict[tuple[str, ...], list[str]] = {}
    for key, owner_ids in owners.items():
        if len(owner_ids) > 1:
            shared.setdefault(tuple(owner_ids), []).append(written[key])
    for owner_ids, keywords in shared.items():
        listed = ", ".join(f"'{k}'" for k in keywords)
        found.append(Finding(WARNING, "keyword_shared", list(owner_ids),
                             f"{len(keywords)} keyword{'s are' if len(keywords) != 1 else ' is'} "
                             f"under each of these themes (same lemmas): {listed}; keep each "
                             "under one theme"))
    return found


def _near_duplicates(themes: ThemesConfig, threshold: float,
                     embed: Callable[[list[str]], np.ndarray]) -> list[Finding]:
    found = []
    for what in ("label", "description"):
        chosen = [t for t in themes.themes if getattr(t, what).strip()]
        if len(chosen) < 2:
            continue
        vectors = embed([getattr(t, what) for t in chosen])
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        similarity = vectors @ vectors.T
        for i in range(len(chosen)):
            for j in range(i + 1, len(chosen)):
                if similarity[i, j] >= threshold:
                    first, second = getattr(chosen[i], what), getattr(chosen[j], what)
                    found.append(Finding(WARNING, "near_duplicate", [chosen[i].id, chosen[j].id],
                                         f"{what}s are near duplicates (cosine "
                                         f"{similarity[i, j]:.2f} >= "
                                         "check.advanced.label_similarity "
                                         f"{threshold}): '{first}' / '{second}'"))
    return found


def report(findings: list[Finding], file: str | Path, against: str | Path, n: int) -> dict:
    """What ``--json`` prints: file, against, comments, errors, warnings, findings."""
    return {"file": str(file), "against": str(against), "comments": n,
            "errors": sum(f.level == ERROR for f in findings),
            "warnings": sum(f.level == WARNING for f in findings),
            "findings": [asdict(f) for f in findings]}
