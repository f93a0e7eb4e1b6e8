"""comment-theming: survey comments to themes, counts, recommendations and quotes.

The library in five names::

    from pipeline import load_settings, run, run_frame

    result = run_frame(df, text_columns=["comment"])      # in memory, writes nothing
    result.tables["answers"], result.tables["recommendations"], result.manifest

    settings = load_settings("my-survey/config/pipeline.yaml")
    result = run(["my-survey/data/round.csv"], settings)   # writes a run folder

Errors a user can fix are ``ThemingError`` (with ``.code`` and ``.message``). Names are
imported on first use, so ``import pipeline`` (and ``theming --help``) stays fast.

``import pipeline`` changes nothing process-wide. The ``theming`` command also stops thinc's
and BERTopic's import-time probes for torch (``pipeline.probes.install()``, ~3 s of a run); a
script may call it too, before importing spaCy or BERTopic.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "load_settings": "pipeline.run_settings",
    "run": "pipeline.runner",
    "run_frame": "pipeline.api",
    "Settings": "pipeline.config.models",
    "RunResult": "pipeline.run_folder",
    "ThemingError": "pipeline.errors",
}
__all__ = ["RunResult", "Settings", "ThemingError", "__version__", "load_settings", "run",
           "run_frame"]

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.api import run_frame
    from pipeline.config.models import Settings
    from pipeline.errors import ThemingError
    from pipeline.run_folder import RunResult
    from pipeline.run_settings import load_settings
    from pipeline.runner import run


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
