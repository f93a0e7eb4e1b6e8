"""Models of ``themes.yaml``, the reviewers' file: each theme's words, patterns, examples and
draft recommendation, and the slugs that name themes across rounds."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import Field, field_validator

from pipeline.config.base import StrictModel

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


class Recommendation(StrictModel):
    owner: str = Field(min_length=1)
    action: str = Field(min_length=1)


class Theme(StrictModel):
    id: str
    label: str = Field(min_length=1)
    description: str = ""
    keywords: list[str] = Field(default_factory=list)
    patterns: list[list[dict[str, Any]]] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    not_examples: list[str] = Field(default_factory=list)
    recommendation: Recommendation | None = None
    min_support: int | float = 2
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    proposed_keywords: list[str] = Field(default_factory=list)

    @field_validator("min_support", mode="before")
    @classmethod
    def _count_or_share(cls, value: Any) -> int | float:
        """A count of respondents (2) or a share of the round's respondents (0.05)."""
        ok = isinstance(value, int | float) and not isinstance(value, bool) and (
            (0 < value < 1) or (value >= 1 and float(value).is_integer()))
        if not ok:
            raise ValueError("write a count of respondents (e.g. 2) or a share of the round's "
                             "respondents between 0 and 1 (e.g. 0.05)")
        return int(value) if value >= 1 else float(value)

    def support_needed(self, respondents: int) -> int:
        """Respondents needed for a draft in a round of ``respondents``."""
        if self.min_support >= 1:
            return int(self.min_support)
        return max(1, math.ceil(self.min_support * respondents))

    @field_validator("keywords", "exclude", "examples", "not_examples", "proposed_keywords")
    @classmethod
    def _no_blank_entries(cls, values: list[str]) -> list[str]:
        for index, value in enumerate(values):
            if not str(value).strip():
                raise ValueError(f"entry {index + 1} is empty; remove it or write the phrase")
        return [str(v).strip() for v in values]


class ThemesConfig(StrictModel):
    version: Literal[1] = 1
    themes: list[Theme]

    def by_id(self) -> dict[str, Theme]:
        return {theme.id: theme for theme in self.themes}

    @property
    def ids(self) -> list[str]:
        return [theme.id for theme in self.themes]


def slugify(text: str) -> str:
    """Lower-case slug for ids: 'Early engagement!' -> 'early_engagement'."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
