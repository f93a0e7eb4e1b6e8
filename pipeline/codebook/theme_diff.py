"""``theming themes diff OLD NEW``: what a reviewer changed between two theme configs.

One row per change (theme, change, detail), in the new file's theme order: themes added or
removed; a theme whose id changed (the new file's ``renamed_from:`` names the old id) as
"id renamed", then its changes; label, description, recommendation, min_support, threshold or
parent (``parent:``, the tree) changed; keywords, examples, not-examples, exclude phrases,
patterns or criteria (``includes:``/``excludes:``) added or removed. Used by ``theming compare`` for its
"theme config changed between rounds" note.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline.config.models import Theme, ThemesConfig

DIFF = ("theme", "change", "detail")
SCALARS = ("label", "description", "min_support", "threshold")
LISTS = ("keywords", "examples", "not_examples", "exclude", "patterns", "includes", "excludes")
SINGULAR = {"not_examples": "not-example", "exclude": "exclude phrase",
            "includes": "inclusion criterion", "excludes": "exclusion criterion"}


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _theme_changes(old: Theme, new: Theme) -> list[tuple[str, str]]:
    changes = []
    for name in SCALARS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append((f"{name} changed", f"'{_as_text(before)}' -> '{_as_text(after)}'"))
    if old.parent != new.parent:
        changes.append(("parent changed", f"'{old.parent or '(none)'}' -> "
                                          f"'{new.parent or '(none)'}'"))
    old_rec = old.recommendation.model_dump() if old.recommendation else None
    new_rec = new.recommendation.model_dump() if new.recommendation else None
    if old_rec != new_rec:
        changes.append(("recommendation changed",
                        f"{_as_text(old_rec)} -> {_as_text(new_rec)}"))
    for name in LISTS:
        before = [_as_text(v) for v in getattr(old, name)]
        after = [_as_text(v) for v in getattr(new, name)]
        singular = SINGULAR.get(name, name[:-1])
        changes += [(f"{singular} added", v) for v in after if v not in before]
        changes += [(f"{singular} removed", v) for v in before if v not in after]
    return changes


def diff_themes(old: ThemesConfig, new: ThemesConfig) -> pd.DataFrame:
    """One row per change (theme, change, detail); empty when the configs say the same."""
    before, after = old.by_id(), new.by_id()
    former = {theme_id: next((f for f in theme.renamed_from if f in before and f not in after),
                             None) for theme_id, theme in after.items() if theme_id not in before}
    followed = {f for f in former.values() if f}
    rows = []
    for theme_id in dict.fromkeys([*after, *(t for t in before if t not in followed)]):
        if former.get(theme_id):
            old_id = former[theme_id]
            rows.append((theme_id, "id renamed", f"'{old_id}' -> '{theme_id}'"))
            rows += [(theme_id, change, detail)
                     for change, detail in _theme_changes(before[old_id], after[theme_id])]
        elif theme_id not in before:
            rows.append((theme_id, "theme added", after[theme_id].label))
        elif theme_id not in after:
            rows.append((theme_id, "theme removed", before[theme_id].label))
        else:
            rows += [(theme_id, change, detail)
                     for change, detail in _theme_changes(before[theme_id], after[theme_id])]
    return pd.DataFrame(rows, columns=list(DIFF))


def diff_lines(changes: pd.DataFrame) -> list[str]:
    """The changes as lines a review meeting reads: ``theme_id: keyword added: 'x'``."""
    return [f"{row.theme}: {row.change}: {row.detail}" for row in changes.itertuples(index=False)]


def diff_recorded(before, after) -> list[str]:
    """Changes between the theme files two runs recorded in their manifests (``Round``s),
    when both files are still there unchanged; else a line saying why none can be shown."""
    from pipeline.config.models import load_themes
    from pipeline.errors import ThemingError
    from pipeline.io.checksums import sha256_bytes

    configs = []
    for round_ in (before, after):
        path = round_.themes_path
        try:
            themes = load_themes(path) if path and Path(path).exists() else None
        except ThemingError:
            themes = None
        if themes is None or sha256_bytes(themes.model_dump_json().encode()) \
                != round_.themes_sha256:
            return [(f"the theme file {round_.name} used is gone or has been edited since: "
                     "run 'theming themes diff OLD.yaml NEW.yaml' on copies of both to see "
                     "what changed")]
        configs.append(themes)
    return diff_lines(diff_themes(*configs))
