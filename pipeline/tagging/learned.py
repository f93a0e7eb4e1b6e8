"""The learned layer: one-vs-rest linear classifiers over TF-IDF and embedder features.

Features: TF-IDF of words (1-2 grams) and of characters (2-5 grams inside words), optionally
followed by a pretrained embedder's vectors (``minilm`` or ``minilm-static``). Each theme gets a
class-weighted linear SVM (scikit-learn's LinearSVC: as good as logistic regression here and
about 7x faster to fit) and its own threshold, chosen on out-of-fold predictions (grouped so
that identical texts stay in one fold). Scores are SVM margins squashed into (0, 1) with a
logistic curve (``1 / (1 + exp(-2 margin))``): monotone, 0.5 at the margin, not
probabilities. The theme config's examples can join the training comments (``Extra``; never
scored). Optionally a fine-tuned MiniLM (``pipeline.tagging.finetune``) is trained on the same texts
and its sigmoid scores are averaged with the linear ones. A model is saved as JSON (settings,
vocabularies, scores) plus a NumPy ``.npz`` of arrays, loaded with ``allow_pickle=False``, and
the fine-tuned weights as safetensors: loading one never runs code from the model folder.

``TagModel`` is a scikit-learn classifier: its constructor stores the settings
(``get_params``/``set_params``), ``fit(texts, truth, embeddings)`` sets the fitted state
(attributes ending in ``_``), ``predict``/``predict_proba`` before ``fit`` raise
``NotFittedError``. One-vs-rest is scikit-learn's ``OneVsRestClassifier`` over the themes that
have both coded and uncoded comments (the others keep the ``UNTRAINED`` intercept). The
threshold search is written here, not ``TunedThresholdClassifierCV``: that tunes one binary
classifier by refitting it inside its own folds, while ours picks every theme's threshold
from one set of out-of-fold scores of the whole multi-label model (folds grouped by identical
text, the theme examples kept out of the fold that holds their text, the fine-tuned scores
blended in), then shrinks it towards 0.5 (``THRESHOLD_SHRINK``); ``train`` sets the final
thresholds from its outer folds' scores. ``FixedThresholdClassifier`` fits no better: the
thresholds apply to the blended scores, and ``at_least_one`` reads all themes' scores at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from pipeline.tagging.finetune import FinetuneSpec

log = logging.getLogger(__name__)

FORMAT = "comment-theming/tag-model/1"
WORD_PARAMS = {"analyzer": "word", "ngram_range": (1, 2), "sublinear_tf": True, "min_df": 2,
               "lowercase": True, "strip_accents": "unicode"}
CHAR_PARAMS = {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True, "min_df": 2,
               "lowercase": True, "strip_accents": "unicode", "max_features": 60000}
UNTRAINED = -25.0  # intercept of a theme with no coded comments: its score is ~0
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)
# Out-of-fold F1-best thresholds are noisy for rare themes; pulling them halfway back to the
# SVM margin (0.5) scored better on NHS FFT (micro 0.680 -> 0.701, macro 0.539 -> 0.554).
THRESHOLD_SHRINK = 0.5


@dataclass
class FeatureSpec:
    """What the model sees: TF-IDF words/chars and an optional pretrained embedder."""

    embedder: str | None = "minilm"
    embedding_weight: float = 1.0
    C: float = 0.1
    class_weight: str | None = "balanced"


def folded(text: str) -> str:
    """``text`` lower-cased with its white space collapsed: what counts as 'identical'."""
    return " ".join(text.lower().split())


def question_marker(question: str) -> str:
    """A word that stands for the question in the TF-IDF features: ``qq`` + its letters and
    digits ("FFT Why?" -> ``qqfftwhy``), so a model can learn that "No" means one thing after
    "why did you give these scores" and another after "any other comments"."""
    return "qq" + re.sub(r"[^a-z0-9]", "", question.lower())[:40]


def asked(texts: list[str], questions: list[str] | None) -> list[str]:
    """``texts`` each preceded by its question's marker (unchanged without questions)."""
    if questions is None:
        return list(texts)
    return [f"{question_marker(q)} {t}" if q else t for t, q in zip(texts, questions, strict=True)]


def text_groups(texts: list[str]) -> np.ndarray:
    """Group number per text: identical (case- and space-folded) texts share a group."""
    keys = [hashlib.sha1(folded(t).encode()).hexdigest() for t in texts]
    index: dict[str, int] = {}
    return np.array([index.setdefault(k, len(index)) for k in keys])


@dataclass
class Extra:
    """Labelled texts that only ever train, never score: a codebook's examples of each theme.
    ``embeddings`` are their embedder vectors when the model uses an embedder."""

    texts: list[str]
    truth: np.ndarray
    embeddings: np.ndarray | None = None

    def without(self, texts: list[str]) -> Extra:
        """These examples minus any identical to one of ``texts`` (the comments about to be
        scored), so that no cross-validated score has seen its own comment."""
        scored = {folded(t) for t in texts}
        keep = [i for i, t in enumerate(self.texts) if folded(t) not in scored]
        return Extra([self.texts[i] for i in keep], self.truth[keep],
                     None if self.embeddings is None else self.embeddings[keep])

    def added_to(self, texts: list[str], truth: np.ndarray, embeddings: np.ndarray | None
                 ) -> tuple[list[str], np.ndarray, np.ndarray | None]:
        if embeddings is not None and self.embeddings is None:
            raise ValueError("the theme examples need embeddings too")
        return (texts + self.texts, np.vstack([truth, self.truth]),
                None if embeddings is None else np.vstack([embeddings, self.embeddings]))


class Features(TransformerMixin, BaseEstimator):
    """Fitted TF-IDF vectorizers + embedder name: texts -> one sparse feature matrix.

    A scikit-learn transformer: ``get_params``/``set_params``, ``fit_transform``, and
    ``NotFittedError`` from ``transform`` before ``fit``.
    """

    def __init__(self, spec: FeatureSpec) -> None:
        self.spec = spec

    def fit(self, texts: list[str]) -> Features:
        self.word_ = TfidfVectorizer(**WORD_PARAMS).fit(texts)
        self.char_ = TfidfVectorizer(**CHAR_PARAMS).fit(texts)
        return self

    def transform(self, texts: list[str], embeddings: np.ndarray | None = None) -> sparse.csr_matrix:
        check_is_fitted(self, ["word_", "char_"])
        blocks = [self.word_.transform(texts), self.char_.transform(texts)]
        if self.spec.embedder:
            if embeddings is None:
                raise ValueError(f"this model needs {self.spec.embedder} embeddings of the texts")
            blocks.append(sparse.csr_matrix(embeddings * self.spec.embedding_weight))
        return sparse.hstack(blocks, format="csr")


def fit_linear(features: sparse.csr_matrix, truth: np.ndarray, spec: FeatureSpec,
               seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One linear SVM per theme column (scikit-learn's one-vs-rest) -> (coef themes x
    features, intercept); a theme coded for no comment, or for every one, is not fitted."""
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.svm import LinearSVC

    coef = np.zeros((truth.shape[1], features.shape[1]))
    intercept = np.full(truth.shape[1], UNTRAINED)  # themes never coded: never predicted
    coded = truth.sum(axis=0)
    trainable = np.flatnonzero((coded > 0) & (coded < len(truth)))
    if not len(trainable):
        return coef, intercept
    target = truth[:, trainable].astype(int)
    svm = LinearSVC(C=spec.C, class_weight=spec.class_weight, max_iter=5000, random_state=seed)
    # one column is a binary problem (one estimator); more are one estimator per column
    ovr = OneVsRestClassifier(svm).fit(features, target[:, 0] if len(trainable) == 1 else target)
    for j, fitted in zip(trainable, ovr.estimators_, strict=True):
        coef[j], intercept[j] = fitted.coef_[0], fitted.intercept_[0]
    return coef, intercept


def probabilities(features: sparse.csr_matrix, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    margin = np.asarray(features @ coef.T) + intercept
    return 1.0 / (1.0 + np.exp(-2.0 * np.clip(margin, -25, 25)))


def best_thresholds(truth: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """Per theme, the grid threshold with the best F1 on (out-of-fold) ``proba``, moved
    ``THRESHOLD_SHRINK`` of the way back to 0.5; 0.5 for themes never coded."""
    chosen = np.full(truth.shape[1], 0.5)
    for j in range(truth.shape[1]):
        if truth[:, j].sum() == 0:
            continue
        predicted = proba[:, j][:, None] >= THRESHOLD_GRID[None, :]
        tp = (predicted & truth[:, j][:, None]).sum(axis=0)
        f1 = 2 * tp / (predicted.sum(axis=0) + truth[:, j].sum())
        best = THRESHOLD_GRID[int(np.argmax(f1))]
        chosen[j] = 0.5 + (1 - THRESHOLD_SHRINK) * (best - 0.5)
    return chosen


def out_of_fold(texts: list[str], truth: np.ndarray, spec: FeatureSpec, seed: int,
                n_folds: int, embeddings: np.ndarray | None = None, extra: Extra | None = None,
                inner_folds: int = 0, finetune: FinetuneSpec | None = None,
                progress: Callable[[str], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Grouped K-fold over ``texts``: each fold's model is fitted on the other folds (plus
    ``extra`` examples, minus any identical to the fold's texts) with thresholds from
    ``inner_folds``-fold splits of its own part. Returns (probabilities, tagged)."""
    from sklearn.model_selection import GroupKFold

    groups = text_groups(texts)
    proba = np.zeros(truth.shape, dtype=float)
    tagged = np.zeros(truth.shape, dtype=bool)
    folds = GroupKFold(n_splits=min(n_folds, len(set(groups))))
    for number, (train, test) in enumerate(folds.split(texts, groups=groups), start=1):
        held = [texts[i] for i in test]
        if progress and finetune is not None:
            progress(f"cross-validation fold {number}/{folds.get_n_splits()}")
        model = fit_model([texts[i] for i in train], truth[train], spec, seed,
                          None if embeddings is None else embeddings[train],
                          inner_folds=inner_folds,
                          extra=None if extra is None else extra.without(held),
                          finetune=finetune, progress=progress)
        proba[test] = model.proba_of(held, None if embeddings is None else embeddings[test])
        tagged[test] = model.tagged(proba[test])
    return proba, tagged


class TagModel(ClassifierMixin, BaseEstimator):
    """A tagger: features, per-theme linear weights and thresholds (a scikit-learn classifier).

    Parameters are the ``FeatureSpec`` fields (``embedder``, ``embedding_weight``, ``C``,
    ``class_weight``), the ``seed``, ``inner_folds`` (thresholds from that many out-of-fold
    splits of the training texts; 0 or 1: 0.5 each), ``theme_ids`` (names of the truth
    columns) and ``finetune`` (a ``FinetuneSpec``: a fine-tuned MiniLM blended in).
    Fitted state: ``theme_ids_``, ``features_``, ``coef_``, ``intercept_``, ``thresholds_``,
    ``at_least_one_`` (every training comment was coded: never leave one untagged),
    ``finetuned_`` (a ``FinetunedTagger`` or None) and ``info_`` (what ``train`` records).
    """

    def __init__(self, embedder: str | None = "minilm", embedding_weight: float = 1.0,
                 C: float = 0.1, class_weight: str | None = "balanced", seed: int = 0,
                 inner_folds: int = 3, theme_ids: list[str] | None = None,
                 finetune: FinetuneSpec | None = None) -> None:
        self.embedder = embedder
        self.embedding_weight = embedding_weight
        self.C = C
        self.class_weight = class_weight
        self.seed = seed
        self.inner_folds = inner_folds
        self.theme_ids = theme_ids
        self.finetune = finetune

    @property
    def spec(self) -> FeatureSpec:
        """The feature settings as one ``FeatureSpec``."""
        return FeatureSpec(self.embedder, self.embedding_weight, self.C, self.class_weight)

    def fit(self, texts: list[str], truth: np.ndarray, embeddings: np.ndarray | None = None,
            extra: Extra | None = None,
            progress: Callable[[str], None] | None = None) -> TagModel:
        """Fit features and classifiers on all ``texts`` (``truth``: texts x themes, bool;
        ``embeddings``: their vectors from ``embedder``, if any) and the ``extra`` examples;
        thresholds from ``inner_folds``-fold out-of-fold predictions on ``texts`` alone.
        With ``finetune``, a fine-tuned MiniLM is trained on the same texts and blended in;
        its thresholds stay at 0.5 (fine-tuning inside inner folds would cost too much), for
        the caller to set from outer out-of-fold scores."""
        truth = np.asarray(truth, dtype=bool)
        spec = self.spec
        every = (texts, truth, embeddings) if extra is None else extra.added_to(
            list(texts), truth, embeddings)
        self.features_ = Features(spec).fit(every[0])
        self.coef_, self.intercept_ = fit_linear(self.features_.transform(every[0], every[2]),
                                                 every[1], spec, self.seed)
        self.thresholds_ = np.full(truth.shape[1], 0.5)
        self.finetuned_ = None
        if self.finetune is not None:
            from pipeline.tagging.finetune import FinetunedTagger

            self.finetuned_ = FinetunedTagger(truth.shape[1], self.finetune, self.seed).fit(
                every[0], every[1].astype(float), progress)
        elif self.inner_folds >= 2:
            self.thresholds_ = best_thresholds(truth, out_of_fold(
                list(texts), truth, spec, self.seed, self.inner_folds, embeddings, extra)[0])
        self.theme_ids_ = list(self.theme_ids or [f"theme_{j}" for j in range(truth.shape[1])])
        self.at_least_one_ = bool(truth.any(axis=1).all())
        self.info_ = {}
        return self

    @property
    def trained_themes(self) -> set[str]:
        """Themes the model learned from coded comments (it never predicts the others)."""
        check_is_fitted(self, ["coef_", "intercept_"])
        return {t for t, b in zip(self.theme_ids_, self.intercept_, strict=True) if b > UNTRAINED}

    def tagged(self, proba: np.ndarray) -> np.ndarray:
        """Scores -> tags: each theme over its threshold; with ``at_least_one_``, a comment
        with none gets its best theme relative to that theme's threshold."""
        check_is_fitted(self, ["thresholds_", "at_least_one_"])
        tagged = proba >= self.thresholds_
        if self.at_least_one_ and len(proba):
            empty = ~tagged.any(axis=1)
            best = np.argmax(proba - self.thresholds_, axis=1)
            tagged[np.flatnonzero(empty), best[empty]] = True
        return tagged

    def proba_of(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Scores in (0, 1) per text and theme: the linear model's, blended with the
        fine-tuned encoder's (weighted by its ``spec.weight``) when the model has one."""
        check_is_fitted(self, ["features_", "coef_", "intercept_"])
        linear = probabilities(self.features_.transform(texts, embeddings), self.coef_,
                               self.intercept_)
        if self.finetuned_ is None or not len(texts):
            return linear
        weight = self.finetuned_.spec.weight
        return weight * self.finetuned_.proba(texts) + (1 - weight) * linear

    def predict_proba(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """scikit-learn's name for ``proba_of``: one column per theme in ``theme_ids_``."""
        return self.proba_of(texts, embeddings)

    def predict(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Boolean tags (texts x themes), thresholds applied as in a run."""
        return self.tagged(self.proba_of(texts, embeddings))

    def embed(self, texts: list[str], tag_settings=None) -> np.ndarray | None:
        """The embedder features of ``texts`` (None when the model uses TF-IDF only), with the
        model folders and cache bound of ``tag_settings`` (``TagSettings``) when given."""
        if not self.embedder:
            return None
        from pipeline.embed.registry import embedder_for_settings, pretrained_embedder

        embedder = (pretrained_embedder(self.embedder) if tag_settings is None
                    else embedder_for_settings(self.embedder, tag_settings))
        return embedder.transform(texts)

    def check_themes(self, theme_ids: list[str], where: str) -> None:
        unknown = [t for t in self.theme_ids_ if t not in theme_ids]
        if unknown:
            raise ConfigError(f"{where}: the model was trained on themes the theme config does "
                              f"not define ({', '.join(unknown)}); use the themes file it was "
                              "trained with or train again", code="C022")

    def tag_records(self, sentences, settings) -> list[tuple]:
        """``classifier`` hits per comment (a model trained with ``--question-column`` also
        reads each comment's question), each pointing at the comment's sentence the
        model scores highest for that theme, with the comment's runner-up theme (the best
        other theme's score) and the margin over it."""
        order = list(dict.fromkeys(sentences["comment_id"]))
        by_comment = sentences.groupby("comment_id", sort=False)
        comment_texts = [" ".join(map(str, by_comment.get_group(c)["text"])) for c in order]
        sentence_texts = [str(t) for t in sentences["text"]]
        tag_cfg = settings.pipeline.tag
        uses_question = bool(self.info_.get("question_column"))
        questions = ([str(by_comment.get_group(c)["question"].iat[0]) for c in order]
                     if uses_question else None)
        comment_proba = self.proba_of(asked(comment_texts, questions),
                                      self.embed(comment_texts, tag_cfg))
        sentence_proba = self.proba_of(
            asked(sentence_texts, [str(q) for q in sentences["question"]] if uses_question
                  else None), self.embed(sentence_texts, tag_cfg))
        positions = by_comment.indices
        records = []
        comment_tagged = self.tagged(comment_proba)
        from pipeline.tagging.semantic import runner_up

        others, margins = runner_up(comment_proba)
        for row, comment_id in enumerate(order):
            for j in np.flatnonzero(comment_tagged[row]):
                theme_id = self.theme_ids_[j]
                if theme_id not in settings.themes.ids:
                    continue
                members = positions[comment_id]
                best = int(members[np.argmax(sentence_proba[members, j])])
                text = sentence_texts[best]
                margin = margins[row, j]
                second = self.theme_ids_[others[row, j]] if np.isfinite(margin) else ""
                records.append((comment_id, sentences["sentence_id"].iat[best], theme_id,
                                "classifier", round(float(comment_proba[row, j]), 6), text, 0,
                                len(text), second,
                                round(float(margin), 6) if second else np.nan))
        return records


def fit_model(texts: list[str], truth: np.ndarray, spec: FeatureSpec, seed: int,
              embeddings: np.ndarray | None = None, inner_folds: int = 3,
              theme_ids: list[str] | None = None, extra: Extra | None = None,
              finetune: FinetuneSpec | None = None,
              progress: Callable[[str], None] | None = None) -> TagModel:
    """``TagModel(**spec, ...).fit(...)``: see ``TagModel.fit``."""
    return TagModel(**asdict(spec), seed=seed, inner_folds=inner_folds, theme_ids=theme_ids,
                    finetune=finetune).fit(texts, truth, embeddings, extra=extra,
                                           progress=progress)


def save_model(model: TagModel, out_dir: str | Path) -> Path:
    """Write ``model.json`` and ``arrays.npz`` into ``out_dir``."""
    check_is_fitted(model, ["features_", "coef_", "thresholds_"])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    features = model.features_
    meta = {"format": FORMAT, "theme_ids": model.theme_ids_, "at_least_one": model.at_least_one_,
            "spec": asdict(model.spec), "info": model.info_,
            "word_vocabulary": {k: int(v) for k, v in features.word_.vocabulary_.items()},
            "char_vocabulary": {k: int(v) for k, v in features.char_.vocabulary_.items()}}
    if model.finetuned_ is not None:
        meta["finetune"] = model.finetuned_.save(out)
    else:
        from pipeline.tagging.finetune import WEIGHTS

        (out / WEIGHTS).unlink(missing_ok=True)  # left by an earlier --finetune
    np.savez_compressed(out / "arrays.npz", coef=model.coef_, intercept=model.intercept_,
                        thresholds=model.thresholds_, word_idf=features.word_.idf_,
                        char_idf=features.char_.idf_)
    (out / "model.json").write_text(json.dumps(meta, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def embedding_width(name: str | None) -> int:
    """Width of the pretrained embedder ``name``'s vectors (0 without an embedder)."""
    if not name:
        return 0
    from pipeline.embed.registry import pretrained_embedder

    return pretrained_embedder(name).dims  # the shared instance: no model is loaded


def load_model(model_dir: str | Path) -> TagModel:
    """Load a model saved by ``save_model`` (JSON + arrays only, no pickle)."""
    folder = Path(model_dir)
    try:
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        arrays = np.load(folder / "arrays.npz", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{folder}: not a trained model folder ({exc}); train one with "
                          "theming train LABELS --themes FILE --out models/NAME",
                          code="C022") from None
    if meta.get("format") != FORMAT:
        raise ConfigError(f"{folder}/model.json: unknown model format {meta.get('format')!r}; "
                          f"expected {FORMAT!r}; train the model again", code="C022")
    try:
        model = TagModel(**meta["spec"], theme_ids=list(meta["theme_ids"]))
        features = Features(model.spec)
        features.word_ = TfidfVectorizer(**WORD_PARAMS, vocabulary=meta["word_vocabulary"])
        features.word_.idf_ = arrays["word_idf"]
        features.char_ = TfidfVectorizer(**CHAR_PARAMS, vocabulary=meta["char_vocabulary"])
        features.char_.idf_ = arrays["char_idf"]
        model.features_, model.theme_ids_ = features, list(meta["theme_ids"])
        model.coef_, model.intercept_ = arrays["coef"], arrays["intercept"]
        model.thresholds_, model.info_ = arrays["thresholds"], meta.get("info", {})
        model.at_least_one_, model.finetuned_ = bool(meta.get("at_least_one")), None
        width = embedding_width(model.embedder)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{folder}: the model files are incomplete or damaged ({exc!r}); "
                          "train the model again", code="C022") from None
    if model.coef_.shape != (len(model.theme_ids_), len(features.word_.vocabulary)
                             + len(features.char_.vocabulary) + width):
        raise ConfigError(f"{folder}: the model's arrays do not match its vocabularies; train "
                          "the model again", code="C022")
    if meta.get("finetune"):
        from pipeline.tagging.finetune import FinetunedTagger

        model.finetuned_ = FinetunedTagger.load(folder, len(model.theme_ids_), meta["finetune"])
    return model
