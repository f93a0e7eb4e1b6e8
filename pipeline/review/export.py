"""``theming review export``: a run's kept comments with its tags and the reviewer's decisions
applied, as a coded file ``theming eval`` and ``theming train`` read (see
``pipeline.evaluation.coded``).

Columns: comment_id, question, text (the run's redacted text), themes (ids joined by ``|``,
in the theme config's order; empty = no theme), and each theme's provenance, ``|``-joined in
the same order: assigned_by (``machine``, or the reviewer whose accept or add put it there)
and assigned_at (the run's start, or the time of that decision); config_version (the run's
theme config, short hash). A decision on a parent theme carries to its sub-themes
(``decisions.apply``). Only kept comments are written: dropped answers (empty,
non-answers, duplicates) were never tagged. The history of every decision stays in the
decisions file (``pipeline.decisions``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline import decisions as decisions_module
from pipeline.review.run_data import RunData

COLUMNS = ("comment_id", "question", "text", "themes", "assigned_by", "assigned_at",
           "config_version")


def coded_table(run: RunData) -> pd.DataFrame:
    """The coded table (COLUMNS) for ``run`` with its decisions applied."""
    decisions = decisions_module.read_decisions(run.folder)
    decided = decisions_module.apply(run.run_themes(), decisions,
                                     run.manifest["themes"].get("parents") or {})
    by_whom = decisions_module.latest_decisions(decisions)
    order = {theme_id: i for i, theme_id in enumerate(run.manifest["themes"]["ids"])}
    started = run.manifest.get("started_at", "")
    kept = run.kept
    themes, assigned_by, assigned_at = [], [], []
    for comment in kept["comment_id"]:
        ids = sorted(decided[comment], key=lambda t: (order.get(t, len(order)), t))
        made = [by_whom.get((comment, theme)) for theme in ids]
        themes.append("|".join(ids))
        assigned_by.append("|".join(d.reviewer if d else "machine" for d in made))
        assigned_at.append("|".join(d.time if d else started for d in made))
    return pd.DataFrame({"comment_id": kept["comment_id"], "question": kept["question"],
                         "text": kept["text"], "themes": themes, "assigned_by": assigned_by,
                         "assigned_at": assigned_at,
                         "config_version": run.manifest["themes"]["sha256"][:12]})[list(COLUMNS)]


def export_coded(run_folder: str | Path, out: str | Path,
                 themes_path: str | Path | None = None) -> int:
    """Write the coded file ``out`` (atomically, formula-safe); return its rows."""
    from pipeline.io.writers import write_csv

    table = coded_table(RunData.open(run_folder, themes_path))
    write_csv(Path(out), table)
    return len(table)
