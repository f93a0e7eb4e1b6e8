"""``theming review export``: a run's kept comments with its tags and the reviewer's decisions
applied, as a coded file ``theming eval`` and ``theming train`` read (see
``pipeline.evaluation.coded``).

Columns: comment_id, question, text (the run's redacted text), themes (ids joined by ``|``,
in the theme config's order; empty = no theme). Only kept comments are written: dropped
answers (empty, non-answers, duplicates) were never tagged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.review import decisions as decisions_module
from pipeline.review.run_data import RunData

COLUMNS = ("comment_id", "question", "text", "themes")


def coded_table(run: RunData) -> pd.DataFrame:
    """The coded table (COLUMNS) for ``run`` with its decisions applied."""
    decided = decisions_module.apply(run.run_themes(),
                                     decisions_module.read_decisions(run.folder))
    order = {theme_id: i for i, theme_id in enumerate(run.manifest["themes"]["ids"])}
    kept = run.kept
    themes = ["|".join(sorted(decided[c], key=lambda t: (order.get(t, len(order)), t)))
              for c in kept["comment_id"]]
    return pd.DataFrame({"comment_id": kept["comment_id"], "question": kept["question"],
                         "text": kept["text"], "themes": themes})[list(COLUMNS)]


def export_coded(run_folder: str | Path, out: str | Path,
                 themes_path: str | Path | None = None) -> int:
    """Write the coded file ``out`` (atomically, formula-safe); return its rows."""
    from pipeline.io.writers import write_csv

    table = coded_table(RunData.open(run_folder, themes_path))
    write_csv(Path(out), table)
    return len(table)
