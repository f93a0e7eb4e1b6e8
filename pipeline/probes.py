"""Keep two libraries' optional probes from importing torch into a run that never uses it.

When they are imported, thinc (under spaCy) tries ``import torch`` to offer torch layers, and
BERTopic imports sentence-transformers (and with it transformers and torch) for a multimodal
backend and transformers for some representations. Both catch the ImportError and go on
without them. Our runs use neither: spaCy runs as a blank pipeline with lookup lemmas, BERTopic
gets our own embedder and vectors. Yet the probes cost a run on 2 cores about 3.4 s of CPU
(spaCy 1.9 -> 0.6 s, BERTopic 5.1 -> 3.0 s, measured in fresh processes): torch alone is ~2 s.

``install()`` puts a finder first on ``sys.meta_path`` that answers ModuleNotFoundError for
``torch``, ``transformers`` and ``sentence_transformers`` when, and only when, (a) none of
them is imported yet (b) the import statement is in the module body of ``thinc`` or
``bertopic`` code, i.e. one of the probes above. Imports from functions (BERTopic's own lazy
loaders), from our code, or after any of them has been imported go through untouched, so the
``minilm`` embedder, the ONNX build and users' torch code work as before. spaCy pipelines
that need torch through thinc (``spacy-transformers``, ``spacy-curated-transformers``) turn
thinc's probe back on when either package is installed.

Hand-written because no library offers "skip an optional dependency's import-time probe";
the finder is a few lines on ``importlib``'s documented ``find_spec`` protocol.
"""

from __future__ import annotations

import importlib.util
import sys

HIDDEN = ("torch", "transformers", "sentence_transformers")
PROBING = {"thinc": ("spacy_transformers", "spacy_curated_transformers"), "bertopic": ()}


class _SkipProbes:
    """``sys.meta_path`` finder that fails the probes described in the module docstring."""

    def __init__(self) -> None:
        self.skip_for = {library for library, needs in PROBING.items()
                         if not any(importlib.util.find_spec(name) for name in needs)}

    def find_spec(self, name, path=None, target=None) -> None:
        """Refuse a probe; otherwise None, and the next finder on ``sys.meta_path`` looks."""
        if (name.partition(".")[0] in HIDDEN
                and not any(hidden in sys.modules for hidden in HIDDEN)
                and _importer_library() in self.skip_for):
            raise ModuleNotFoundError(f"No module named {name!r} (optional; not needed here)",
                                      name=name)


def _importer_library() -> str:
    """Top-level package of the module body running the import statement ('' elsewhere)."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
        frame = frame.f_back
    if frame is None or frame.f_code.co_name != "<module>":
        return ""
    return str(frame.f_globals.get("__name__", "")).partition(".")[0]


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once per process)."""
    if not any(isinstance(finder, _SkipProbes) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SkipProbes())
