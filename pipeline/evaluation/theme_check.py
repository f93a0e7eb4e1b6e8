"""``theming themes check FILE --against RUN|CODED.csv``: the theme-set rules, measured on
real comments.

The comments (a run folder's kept answers, or a coded file's texts) are tagged with FILE by
the tag stage (``coded.predict``), so the findings describe what FILE catches on them. Rules,
each finding naming the theme ids and the numbers (thresholds under ``check:`` in
pipeline.yaml):

- error ``overlap``: two themes sharing more than ``check.advanced.max_overlap`` of their comments
  (Jaccard: shared / either), with example comments;
- error ``catches_nothing``: a theme no comment gets, on enough evidence (below);
- warning ``too_little``: a theme caught by fewer than max(``check.advanced.min_comments``,
  ``check.advanced.min_share`` x comments);
- error ``nothing_to_match``: a theme with no keywords, patterns, examples or description;
- warning ``keyword_never_matches``: keywords found (on lemmas) in no comment, per theme, on
  enough evidence;
- note ``not_seen``: a theme or keywords no comment of a round too small or too single to
  judge has; a note is neither an error nor a warning.

Evidence: silence is advice to retire a theme or remove a keyword only on at least
``check.advanced.min_comments_for_advice`` comments from a coded set or from several rounds
(``--against``
given more than once). One round of that size gets the finding without the advice (warning
``catches_nothing``); a smaller one only the note "not seen in this round".
- warning ``keyword_shared``: keywords under several themes, per set of themes;
- warning ``near_duplicate``: two labels, or two descriptions, whose embeddings' cosine is at
  least ``check.advanced.label_similarity``;
- warning ``too_many_themes``: more than ``check.advanced.max_themes`` themes.

Sub-themes (``parent:``): a parent catches every comment one of its sub-themes catches (as the
run counts it), so a parent and its own sub-theme are never an ``overlap`` (sub-themes of one
parent still are, when they share too many comments), and a parent with sub-themes needs no
keywords, patterns, examples or description of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from pipeline.config.models import Settings, ThemesConfig
from pipeline.errors import DataError

ERROR, WARNING, NOTE = "error", "warning", "note"
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


@dataclass(frozen=True)
class Evidence:
    """What the comments checked on are: how many rounds (run folders) and whether a coded
    set (hand-coded comments) is among them."""

    rounds: int = 0
    coded: bool = False

    def judges(self, n: int, cfg) -> bool:
        """Whether ``n`` comments of this kind may carry advice to retire or remove."""
        return n >= cfg.advanced.min_comments_for_advice and (self.coded or self.rounds >= 2)

    def sample(self, n: int) -> str:
        kind = "a coded set" if self.coded else \
            "this round" if self.rounds <= 1 else f"{self.rounds} rounds"
        return f"{n} comments of {kind}"


def evidence_of(against: list[str | Path]) -> Evidence:
    """The Evidence of ``--against`` paths (folders are rounds, files coded sets)."""
    return Evidence(rounds=sum(Path(a).is_dir() for a in against),
                    coded=any(not Path(a).is_dir() for a in against))


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
                 embed: Callable[[list[str]], np.ndarray] | None,
                 evidence: Evidence = Evidence(coded=True)) -> list[Finding]:
    """Every finding for ``themes`` on ``texts`` (of ``evidence``), errors first, in theme
    order."""
    from pipeline.evaluation.coded import predict, rolled_up

    cfg = settings.pipeline.check
    tagged = predict(texts, settings)[0] if texts else np.zeros((0, len(themes.ids)), bool)
    tagged = rolled_up(themes, tagged)
    findings = _static(themes, cfg) + _catch(themes, tagged, len(texts), cfg, evidence)
    findings += _overlaps(themes, tagged, texts, cfg, redact)
    findings += _keywords(themes, texts, settings.pipeline.nlp.advanced.model, cfg, evidence)
    if embed is not None:
        findings += _near_duplicates(themes, cfg.advanced.label_similarity, embed)
    return sorted(findings, key=lambda f: (f.level != ERROR, f.level == NOTE))


def _static(themes: ThemesConfig, cfg) -> list[Finding]:
    found = []
    if len(themes.themes) > cfg.advanced.max_themes:
        found.append(Finding(WARNING, "too_many_themes", [], f"{len(themes.themes)} themes, more "
                             f"than check.advanced.max_themes ({cfg.advanced.max_themes}); "
                             "merge or retire some"))
    parents = themes.children()
    for theme in themes.themes:
        if theme.id in parents:
            continue  # its sub-themes match for it
        if not (theme.keywords or theme.patterns or theme.examples or theme.description.strip()):
            found.append(Finding(ERROR, "nothing_to_match", [theme.id],
                                 "no keywords, patterns, examples or description; add some so "
                                 "a layer can match it"))
    return found


def _too_few(evidence: Evidence, n: int, cfg) -> str:
    """Why the comments checked on cannot carry advice to retire or remove."""
    if n < cfg.advanced.min_comments_for_advice:
        return ("fewer than check.advanced.min_comments_for_advice "
                f"({cfg.advanced.min_comments_for_advice}) are "
                "too few to judge")
    return "advice to retire or remove needs several rounds or a coded set"


def _catch(themes: ThemesConfig, tagged: np.ndarray, n: int, cfg,
           evidence: Evidence) -> list[Finding]:
    found = []
    needed = max(cfg.advanced.min_comments, int(np.ceil(cfg.advanced.min_share * n)))
    for j, theme_id in enumerate(themes.ids):
        caught = int(tagged[:, j].sum())
        if caught == 0 and evidence.judges(n, cfg):
            found.append(Finding(ERROR, "catches_nothing", [theme_id],
                                 f"catches 0 of {n} comments; add keywords or examples in the "
                                 "words respondents use, or retire it"))
        elif caught == 0 and n >= cfg.advanced.min_comments_for_advice:
            found.append(Finding(WARNING, "catches_nothing", [theme_id],
                                 f"catches 0 of the {evidence.sample(n)}; add keywords or "
                                 "examples in the words respondents use "
                                 f"({_too_few(evidence, n, cfg)})"))
        elif caught == 0:
            found.append(Finding(NOTE, "not_seen", [theme_id],
                                 f"not seen in {evidence.sample(n)} "
                                 f"({_too_few(evidence, n, cfg)})"))
        elif caught < needed:
            found.append(Finding(WARNING, "too_little", [theme_id],
                                 f"catches {caught} of {n} comments, fewer than {needed} "
                                 f"(check.advanced.min_comments {cfg.advanced.min_comments}, "
                                 f"check.advanced.min_share {cfg.advanced.min_share})"))
    return found


def _overlaps(themes: ThemesConfig, tagged: np.ndarray, texts: list[str], cfg,
              redact: Callable[[str], str]) -> list[Finding]:
    found = []
    ids = themes.ids
    parents = themes.parents()
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            if ids[i] == parents.get(ids[j]) or ids[j] == parents.get(ids[i]):
                continue  # a parent holds its sub-themes' comments by design
            both = tagged[:, i] & tagged[:, j]
            either = int((tagged[:, i] | tagged[:, j]).sum())
            if not either:
                continue
            jaccard = int(both.sum()) / either
            if jaccard > cfg.advanced.max_overlap:
                shown = np.flatnonzero(both)[:cfg.advanced.examples]
                examples = [_short(redact(texts[k])) for k in shown]
                found.append(Finding(ERROR, "overlap", [ids[i], ids[j]],
                                     f"share {int(both.sum())} of the {either} comments either "
                                     f"catches (Jaccard {jaccard:.2f} > "
                                     f"check.advanced.max_overlap {cfg.advanced.max_overlap}); "
                                     "merge them or make their keywords and examples distinct",
                                     examples))
    return found


def _keywords(themes: ThemesConfig, texts: list[str], model: str, cfg,
              evidence: Evidence) -> list[Finding]:
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
        listed = ", ".join(f"'{k}'" for k in dead)
        if dead and evidence.judges(len(texts), cfg):
            found.append(Finding(WARNING, "keyword_never_matches", [theme.id],
                                 f"{len(dead)} of {len(theme.keywords)} keywords match none of "
                                 f"the {len(texts)} comments: {listed}; reword them as "
                                 "respondents write or remove them"))
        elif dead:
            found.append(Finding(NOTE, "not_seen", [theme.id],
                                 f"{len(dead)} of {len(theme.keywords)} keywords not seen in "
                                 f"{evidence.sample(len(texts))}: {listed} (keep them; "
                                 f"{_too_few(evidence, len(texts), cfg)})"))
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
                                         f"check.advanced.label_similarity {threshold}): "
                                         f"'{first}' / '{second}'"))
    return found


def report(findings: list[Finding], file: str | Path, against: str | Path, n: int) -> dict:
    """What ``--json`` prints: file, against, comments, errors, warnings, notes, findings."""
    return {"file": str(file), "against": str(against), "comments": n,
            "errors": sum(f.level == ERROR for f in findings),
            "warnings": sum(f.level == WARNING for f in findings),
            "notes": sum(f.level == NOTE for f in findings),
            "findings": [asdict(f) for f in findings]}
