"""Models of ``themes.yaml``, the reviewers' file: each theme's words, patterns, examples and
draft recommendation, and the slugs that name themes across rounds."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

from pipeline.config.base import StrictModel
from pipeline.errors import Problem, did_you_mean

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
    includes: list[str] = Field(default_factory=list)  # criteria: what the theme covers
    excludes: list[str] = Field(default_factory=list)  # criteria: what it does not
    recommendation: Recommendation | None = None
    min_support: int | float = 2
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    proposed_keywords: list[str] = Field(default_factory=list)
    parent: str | None = None  # another theme's id: this theme is one of its sub-themes
    renamed_from: list[str] = Field(default_factory=list)  # former ids, which compare follows
    # keys left out of a dump while unset, so a theme config without them keeps its hash
    # (tags' config_version, the manifest's themes.sha256, resume) from before they existed
    OMITTED_WHEN_UNSET: ClassVar[tuple[str, ...]] = ("parent", "renamed_from", "includes", "excludes")

    @model_serializer(mode="wrap")
    def _without_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        dumped = handler(self)
        return {key: value for key, value in dumped.items()
                if key not in self.OMITTED_WHEN_UNSET or value}

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

    @field_validator("keywords", "exclude", "examples", "not_examples", "includes", "excludes",
                     "proposed_keywords")
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

    def parents(self) -> dict[str, str]:
        """Sub-theme id -> its parent's id (empty for a flat theme set)."""
        return {theme.id: theme.parent for theme in self.themes if theme.parent}

    def children(self) -> dict[str, list[str]]:
        """Parent id -> its sub-themes' ids, in config order."""
        found: dict[str, list[str]] = {}
        for child, parent in self.parents().items():
            found.setdefault(parent, []).append(child)
        return found

    def subtree(self, theme_id: str) -> list[str]:
        """``theme_id`` and its sub-themes' ids: the themes a parent's counts roll up."""
        return [theme_id, *self.children().get(theme_id, [])]


def tree_problems(themes: list[Mapping]) -> list[tuple[int, str, Problem]]:
    """(index of the theme, its key at fault, the problem without its line) for each
    ``parent:`` that names no theme (C034, with the closest id), the theme itself or a
    sub-theme (C035: themes nest two levels deep, a parent and its sub-themes, so a cycle is
    refused too), and each ``renamed_from:`` id another theme still has (C036)."""
    ids = [str(theme.get("id")) for theme in themes]
    parent_of = {str(t.get("id")): t.get("parent") for t in themes if t.get("parent")}
    problems = []
    for index, theme in enumerate(themes):
        theme_id, parent = ids[index], theme.get("parent")
        if parent is not None and parent not in ids:
            problems.append((index, "parent", Problem(
                "C034", None, f"theme '{theme_id}' has parent '{parent}', which is no theme "
                f"id{did_you_mean(parent, ids)}; write the id of a theme in this file or "
                "remove 'parent:'")))
        elif parent == theme_id:
            problems.append((index, "parent", Problem(
                "C035", None, f"theme '{theme_id}' names itself as its parent; remove 'parent:'")))
        elif parent is not None and parent in parent_of:
            problems.append((index, "parent", Problem(
                "C035", None, f"theme '{theme_id}' has parent '{parent}', which is itself a "
                f"sub-theme of '{parent_of[parent]}'; themes nest two levels deep only: give "
                f"'{theme_id}' another parent or remove 'parent:' from '{parent}'")))
        for former in theme.get("renamed_from") or []:
            if former in ids:
                problems.append((index, "renamed_from", Problem(
                    "C036", None, f"theme '{theme_id}' lists '{former}' under renamed_from, but "
                    "a theme still has that id; a former id must be free")))
    return problems


def slugify(text: str) -> str:
    """Lower-case slug for ids: 'Early engagement!' -> 'early_engagement'."""
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
