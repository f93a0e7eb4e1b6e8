"""Importing the package changes nothing process-wide: no import hook, no frozen or disabled
garbage collector. The CLI opts in to both tricks; a library call does not."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _state_before_and_after(statement: str) -> list[str]:
    code = textwrap.dedent(f"""
        import gc, sys
        before = (list(map(repr, sys.meta_path)), gc.get_freeze_count(), gc.isenabled(),
                  gc.get_threshold())
        {statement}
        after = (list(map(repr, sys.meta_path)), gc.get_freeze_count(), gc.isenabled(),
                 gc.get_threshold())
        print(before[0] == after[0], before[1:] == after[1:])
        print(after[1])
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


def test_import_pipeline_leaves_meta_path_and_gc_unchanged():
    assert _state_before_and_after("import pipeline") == ["True", "True", "0"]


def test_run_stages_without_release_memory_leaves_gc_unfrozen():
    out = _state_before_and_after("""
import pandas as pd
from pipeline import load_settings
from pipeline.runner import run_stages
settings = load_settings(None, None, text_columns=["comment"])
raw = pd.DataFrame({"comment": ["Papers arrive late.", "Engage us earlier please."]})
raw = raw.assign(_row=range(2, 4), _source="test")
run_stages({"raw": raw}, settings, keep=set())
""".replace("\n", "\n        "))
    # the libraries a run imports may add finders of their own: only the gc state is ours here
    assert out[1:] == ["True", "0"]


def test_installing_the_probes_is_what_changes_meta_path():
    # the check above can fail: installing the finder is seen as a change
    assert _state_before_and_after("import pipeline.probes; pipeline.probes.install()")[0] == "False"
