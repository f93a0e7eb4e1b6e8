"""Answer scales: how an exported agree/disagree answer becomes a score from 1 to 5.

Survey tools export numbers ("4"), numbers with their label ("4 - partly agree") or labels
("Partly agree"). A number is taken as it is; a label is looked up in the statement's scale
(``scales:`` in pipeline.yaml, compared ignoring case, spacing and end punctuation). A label
mapped to null is an answer without a score ("Don't know"). Anything else is unmapped, and
ingest reports it: nothing is dropped silently.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from pipeline.config.base import StrictModel

NUMBER = re.compile(r"^\(?\s*([0-9]+(?:\.[0-9]+)?)\s*\)?\s*(?:[-–—:.)=]\s*)?(.*)$")
UNMAPPED = object()  # marker: the value is neither blank, a score nor a known label


def normalise(label: str) -> str:
    """'  Neither agree  nor Disagree. ' -> 'neither agree nor disagree'."""
    text = str(label).replace("’", "'").replace("‘", "'").lower()
    return " ".join(text.split()).strip(" .!;:,\"")


def score_of(value: object, values: dict[str, int | None]) -> float | object | None:
    """The score of one exported answer: a float 1-5, None (blank or no score), or
    ``UNMAPPED``. ``values`` maps normalised labels to scores."""
    text = "" if value is None else str(value).strip()
    if not text or text.lower() == "nan":
        return None
    match = NUMBER.match(text)
    if match:
        number = float(match.group(1))
        return number if 1 <= number <= 5 else UNMAPPED
    key = normalise(text)
    if key in values:
        found = values[key]
        return None if found is None else float(found)
    return UNMAPPED


def lookup(scale_values: dict[str, int | None]) -> dict[str, int | None]:
    """A scale's values with normalised keys."""
    return {normalise(label): score for label, score in scale_values.items()}


def column_words(column: str) -> str:
    """A score column in words: 's1_early_engagement' -> 'early engagement'."""
    words = re.sub(r"^[a-z]{1,2}\d+[_ .-]+", "", str(column), flags=re.IGNORECASE)
    return words.replace("_", " ").strip() or str(column)


class ScoreColumn(StrictModel):
    """One agree/disagree statement: its column, its words for reports, its scale."""

    column: str = Field(min_length=1)
    statement: str = ""  # words a report shows; "" = the column name in words
    scale: str = "agreement"
    theme: str | None = None  # the theme this statement is about; None = reported on its own

    @property
    def words(self) -> str:
        if self.statement.strip():
            return self.statement.strip()
        return column_words(self.column)


class Scale(StrictModel):
    """Answer wordings -> scores 1-5 (null: answered, no score, e.g. "don't know")."""

    values: dict[str, int | None] = Field(min_length=1)

    def label_of(self, score: int) -> str:
        """The first wording mapped to ``score`` ('agree' for 4), or the number itself."""
        return next((label for label, value in self.values.items() if value == score),
                    str(score))

    def bands(self) -> dict[str, str]:
        """The three bands a report shows, named by the scale's own labels: scores 1-2
        (``disagree``), 3 (``neither``), 4-5 (``agree``)."""
        return {"disagree": self.label_of(2), "neither": self.label_of(3),
                "agree": self.label_of(4)}

    @field_validator("values")
    @classmethod
    def _in_range(cls, values: dict[str, int | None]) -> dict[str, int | None]:
        for label, score in values.items():
            if score is not None and not 1 <= score <= 5:
                raise ValueError(f"'{label}' maps to {score}; scores run from 1 to 5 (or null)")
        return values


def check_theme_links(score_columns: list[ScoreColumn], theme_ids: list[str],
                      where: str) -> None:
    """Raise C033 when a score column's ``theme:`` names no theme in the theme config."""
    from pipeline.errors import ConfigError, did_you_mean, one_of

    for score in score_columns:
        if score.theme is not None and score.theme not in theme_ids:
            raise ConfigError(
                f"{where}: score column '{score.column}' links to theme '{score.theme}', which "
                f"the theme config does not define{did_you_mean(score.theme, theme_ids)}; use "
                f"one of {one_of(theme_ids) or 'none'} or remove 'theme:' to report the "
                "statement on its own", code="C033")
