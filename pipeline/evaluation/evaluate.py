"""Agreement with human coders: per-theme and overall scores, pure functions.

Inputs are binary indicator matrices (comments x themes): ``truth`` from the coders and
``predicted`` from the tagger. Micro and macro F1 are taken over the themes with at least
``min_support`` coded cases; both carry a seeded bootstrap 95% interval over comments.
Beside them: sample-F1 (the mean over comments of the F1 between the coded and the tagged
set, over every theme; 1 for a comment both leave without a theme), the mean of the
scored themes' Cohen's kappa, and Krippendorff's alpha (nominal, two coders: the tagger and
the human) over every comment x scored-theme decision, each with its bootstrap interval.
Written out here because the formulas are a few lines of counting (alpha for two coders
and binary values: ``1 - (N - 1) * disagreements / (n0 * n1)``, N = 2 x decisions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

PER_THEME = ("theme_id", "support", "predicted", "tp", "fp", "fn", "precision", "recall", "f1",
             "kappa", "alpha", "scored")


@dataclass
class Scores:
    """Everything ``theming eval`` reports; ``per_theme`` has the columns of ``PER_THEME``."""

    per_theme: pd.DataFrame
    micro_f1: float
    macro_f1: float
    micro_f1_ci: tuple[float, float]
    macro_f1_ci: tuple[float, float]
    n_comments: int
    min_support: int
    scored_themes: list[str] = field(default_factory=list)
    agreement: dict[str, float] = field(default_factory=dict)  # samples_f1, kappa, alpha
    agreement_ci: dict[str, tuple[float, float]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "n_comments": self.n_comments,
            "min_support": self.min_support,
            "micro_f1": self.micro_f1,
            "micro_f1_ci95": list(self.micro_f1_ci),
            "macro_f1": self.macro_f1,
            "macro_f1_ci95": list(self.macro_f1_ci),
            **self._agreement_dict(),
            "scored_themes": self.scored_themes,
            "per_theme": self.per_theme.to_dict(orient="records"),
        }


    def _agreement_dict(self) -> dict:
        """samples_f1, kappa, alpha, each followed by its ``_ci95`` interval."""
        found: dict = {}
        for key, value in self.agreement.items():
            found[key] = value
            found[f"{key}_ci95"] = list(self.agreement_ci.get(key, (0.0, 0.0)))
        return found


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else 0.0


def f1_from_counts(tp: float, fp: float, fn: float) -> float:
    """F1 = 2tp / (2tp + fp + fn); 0 when there is nothing to score."""
    return _ratio(2 * tp, 2 * tp + fp + fn)


def cohen_kappa(truth: np.ndarray, predicted: np.ndarray) -> float:
    """Cohen's kappa of two binary vectors; 1.0 when both agree on every item, even trivially."""
    n = len(truth)
    if n == 0:
        return 0.0
    observed = float(np.mean(truth == predicted))
    p_true, p_pred = float(np.mean(truth)), float(np.mean(predicted))
    expected = p_true * p_pred + (1 - p_true) * (1 - p_pred)
    if expected >= 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(truth: np.ndarray, predicted: np.ndarray) -> float:
    """Krippendorff's alpha of two coders over binary decisions (any shape, no missing
    values): 1 - (N - 1) * disagreements / (n0 * n1), N = 2 x decisions; 1.0 when every
    decision has the same value in both."""
    truth, predicted = np.asarray(truth, bool).ravel(), np.asarray(predicted, bool).ravel()
    pairable = 2 * truth.size
    ones = int(truth.sum() + predicted.sum())
    zeros = pairable - ones
    disagreements = int((truth != predicted).sum())
    if ones == 0 or zeros == 0:
        return 1.0 if disagreements == 0 else 0.0
    return 1.0 - (pairable - 1) * disagreements / (zeros * ones)


def samples_f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    """Mean over comments of the F1 between the coded and the tagged theme set (1 for a
    comment both leave empty)."""
    if not len(truth):
        return 0.0
    tp = (truth & predicted).sum(axis=1)
    size = truth.sum(axis=1) + predicted.sum(axis=1)
    per_comment = np.divide(2 * tp, size, out=np.ones(len(truth)), where=size > 0)
    return float(per_comment.mean())


def agreement(truth: np.ndarray, predicted: np.ndarray, columns: np.ndarray) -> dict[str, float]:
    """samples_f1 (every theme), kappa (mean over ``columns``) and alpha (over ``columns``)."""
    kappas = [cohen_kappa(truth[:, j], predicted[:, j]) for j in np.flatnonzero(columns)]
    return {"samples_f1": samples_f1(truth, predicted),
            "kappa": float(np.mean(kappas)) if kappas else 0.0,
            "alpha": krippendorff_alpha(truth[:, columns], predicted[:, columns])
            if np.any(columns) else 0.0}


def agreement_ci(truth: np.ndarray, predicted: np.ndarray, columns: np.ndarray,
                 n_bootstrap: int = 1000, seed: int = 42) -> dict[str, tuple[float, float]]:
    """95% percentile intervals of ``agreement``'s figures, resampling comments."""
    if truth.shape[0] == 0 or n_bootstrap <= 0:
        return {}
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(n_bootstrap):
        rows = rng.integers(0, truth.shape[0], size=truth.shape[0])
        draws.append(agreement(truth[rows], predicted[rows], columns))
    return {key: (float(np.percentile([d[key] for d in draws], 2.5)),
                  float(np.percentile([d[key] for d in draws], 97.5))) for key in draws[0]}


def _counts(truth: np.ndarray, predicted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tp = (truth & predicted).sum(axis=0)
    fp = (~truth & predicted).sum(axis=0)
    fn = (truth & ~predicted).sum(axis=0)
    return tp, fp, fn


def micro_macro(truth: np.ndarray, predicted: np.ndarray, columns: np.ndarray) -> tuple[float, float]:
    """Micro and macro F1 over the theme ``columns`` (a boolean mask or index array)."""
    tp, fp, fn = _counts(truth[:, columns], predicted[:, columns])
    if tp.size == 0:
        return 0.0, 0.0
    micro = f1_from_counts(tp.sum(), fp.sum(), fn.sum())
    macro = float(np.mean([f1_from_counts(*c) for c in zip(tp, fp, fn, strict=True)]))
    return micro, macro


def score(truth: np.ndarray, predicted: np.ndarray, theme_ids: Sequence[str], *,
          min_support: int = 5, n_bootstrap: int = 1000, seed: int = 42) -> Scores:
    """Per-theme support, precision, recall, F1, kappa; micro/macro F1 with bootstrap 95% CIs."""
    truth = np.asarray(truth, dtype=bool)
    predicted = np.asarray(predicted, dtype=bool)
    if truth.shape != predicted.shape or truth.shape[1:] != (len(theme_ids),):
        raise ValueError(f"truth {truth.shape}, predicted {predicted.shape} and "
                         f"{len(theme_ids)} themes do not line up")
    tp, fp, fn = _counts(truth, predicted)
    support = truth.sum(axis=0)
    scored = support >= min_support
    rows = []
    for j, theme_id in enumerate(theme_ids):
        rows.append({
            "theme_id": theme_id, "support": int(support[j]), "predicted": int(predicted[:, j].sum()),
            "tp": int(tp[j]), "fp": int(fp[j]), "fn": int(fn[j]),
            "precision": _ratio(tp[j], tp[j] + fp[j]), "recall": _ratio(tp[j], tp[j] + fn[j]),
            "f1": f1_from_counts(tp[j], fp[j], fn[j]),
            "kappa": cohen_kappa(truth[:, j], predicted[:, j]),
            "alpha": krippendorff_alpha(truth[:, j], predicted[:, j]), "scored": bool(scored[j]),
        })
    per_theme = pd.DataFrame(rows, columns=list(PER_THEME))
    micro, macro = micro_macro(truth, predicted, scored)
    micro_ci, macro_ci = bootstrap_ci(truth, predicted, scored, n_bootstrap, seed)
    return Scores(per_theme=per_theme, micro_f1=micro, macro_f1=macro, micro_f1_ci=micro_ci,
                  macro_f1_ci=macro_ci, n_comments=int(truth.shape[0]), min_support=min_support,
                  scored_themes=[t for t, s in zip(theme_ids, scored, strict=True) if s],
                  agreement=agreement(truth, predicted, scored),
                  agreement_ci=agreement_ci(truth, predicted, scored, n_bootstrap, seed))


def bootstrap_ci(truth: np.ndarray, predicted: np.ndarray, columns: np.ndarray,
                 n_bootstrap: int = 1000, seed: int = 42) -> tuple[tuple[float, float], ...]:
    """95% percentile intervals of micro and macro F1, resampling comments with replacement."""
    n = truth.shape[0]
    if n == 0 or n_bootstrap <= 0 or not np.any(columns):
        return (0.0, 0.0), (0.0, 0.0)
    rng = np.random.default_rng(seed)
    truth_cols, predicted_cols = truth[:, columns], predicted[:, columns]
    micros, macros = np.empty(n_bootstrap), np.empty(n_bootstrap)
    for b in range(n_bootstrap):
        rows = rng.integers(0, n, size=n)
        t, p = truth_cols[rows], predicted_cols[rows]
        tp = (t & p).sum(axis=0)
        fp = (~t & p).sum(axis=0)
        fn = (t & ~p).sum(axis=0)
        micros[b] = f1_from_counts(tp.sum(), fp.sum(), fn.sum())
        denominators = 2 * tp + fp + fn
        macros[b] = float(np.mean(np.divide(2 * tp, denominators, out=np.zeros(len(tp)),
                                            where=denominators > 0)))
    low, high = 2.5, 97.5
    return ((float(np.percentile(micros, low)), float(np.percentile(micros, high))),
            (float(np.percentile(macros, low)), float(np.percentile(macros, high))))


def indicator(label_sets: Sequence[set[str]], theme_ids: Sequence[str]) -> np.ndarray:
    """Label sets (one per comment) -> boolean matrix comments x themes."""
    column = {theme_id: j for j, theme_id in enumerate(theme_ids)}
    matrix = np.zeros((len(label_sets), len(theme_ids)), dtype=bool)
    for i, labels in enumerate(label_sets):
        for label in labels:
            matrix[i, column[label]] = True
    return matrix


def worst_examples(texts: Sequence[str], truth: np.ndarray, predicted: np.ndarray,
                   confidence: np.ndarray, theme_ids: Sequence[str], n: int = 3,
                   why: np.ndarray | None = None,
                   why_missed: np.ndarray | None = None) -> dict[str, dict]:
    """Per theme: the ``n`` most confident false positives and the ``n`` least confident
    false negatives (the comments the config is furthest from), as text. ``why`` and
    ``why_missed`` (comments x themes, text such as ``semantic 0.47``): what tagged each
    comment and what fell short, given beside the examples as ``false_positive_why`` and
    ``false_negative_why``."""
    examples: dict[str, dict] = {}
    for j, theme_id in enumerate(theme_ids):
        fp_rows = np.flatnonzero(predicted[:, j] & ~truth[:, j])
        fn_rows = np.flatnonzero(truth[:, j] & ~predicted[:, j])
        fp_rows = fp_rows[np.argsort(-confidence[fp_rows, j], kind="stable")][:n]
        fn_rows = fn_rows[np.argsort(confidence[fn_rows, j], kind="stable")][:n]
        examples[theme_id] = {"false_positives": [str(texts[i]) for i in fp_rows],
                              "false_negatives": [str(texts[i]) for i in fn_rows]}
        if why is not None:
            examples[theme_id]["false_positive_why"] = [str(why[i, j]) for i in fp_rows]
        if why_missed is not None:
            examples[theme_id]["false_negative_why"] = [str(why_missed[i, j]) for i in fn_rows]
    return examples


def render(result: dict, examples: bool = True) -> str:
    """The plain-text report of ``theming eval`` from its JSON-ready ``result``."""
    summary = (f"{result['labels']}: {result['n_comments']} coded comments, "
               f"{len(result['scored_themes'])} themes with >= {result['min_support']} cases")
    micro_ci, macro_ci = result["micro_f1_ci95"], result["macro_f1_ci95"]
    overall = (f"micro F1 {result['micro_f1']:.3f} (95% CI {micro_ci[0]:.3f}-{micro_ci[1]:.3f})"
               f"   macro F1 {result['macro_f1']:.3f} (95% CI {macro_ci[0]:.3f}-"
               f"{macro_ci[1]:.3f})")
    header = (f"{'theme':<40} {'support':>7} {'tagged':>6} {'prec':>5} {'recall':>6} {'F1':>5} "
              f"{'kappa':>6} {'alpha':>6}")
    lines = [summary, overall]
    if "samples_f1" in result:
        lines.append("   ".join(
            f"{name} {result[key]:.3f} (95% CI {result[key + '_ci95'][0]:.3f}-"
            f"{result[key + '_ci95'][1]:.3f})"
            for name, key in (("sample-F1", "samples_f1"), ("mean kappa", "kappa"),
                              ("Krippendorff's alpha", "alpha"))))
    lines += ["", header]
    for row in result["per_theme"]:
        mark = "" if row["scored"] else "  (too few cases to score)"
        lines.append(f"{row['theme_id'][:40]:<40} {row['support']:>7} {row['predicted']:>6} "
                     f"{row['precision']:>5.2f} {row['recall']:>6.2f} {row['f1']:>5.2f} "
                     f"{row['kappa']:>6.2f} {row.get('alpha', 0.0):>6.2f}{mark}")
    if examples:
        for row in result["per_theme"]:
            if not row.get("false_positives") and not row.get("false_negatives"):
                continue
            lines += ["", f"{row['theme_id']}:"]
            for kind, key, why_key in (("false positive", "false_positives", "false_positive_why"),
                                       ("false negative", "false_negatives", "false_negative_why")):
                texts = row.get(key, [])
                whys = row.get(why_key) or [""] * len(texts)
                lines += [f"  {kind}{f' [{w}]' if w else ''}: {_short(t)}"
                          for t, w in zip(texts, whys, strict=True)]
    return "\n".join(lines)


def _short(text: str, limit: int = 160) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
