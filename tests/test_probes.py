"""pipeline.probes: thinc's and BERTopic's import-time torch probes are skipped, nothing else.

Each check runs in a fresh interpreter: what a process has imported decides the behaviour.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

HIDDEN = "('torch', 'transformers', 'sentence_transformers')"


def python(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


def test_spacy_and_bertopic_import_without_torch_and_torch_still_imports_after():
    out = python(f"""
        import sys
        import pipeline.probes
        pipeline.probes.install()
        import spacy, thinc.compat, bertopic
        print(thinc.compat.has_torch, [m for m in {HIDDEN} if m in sys.modules])
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        print(len(list(nlp("One thing. Another thing.").sents)))
        import torch, sentence_transformers  # our code's imports are never refused
        print(torch.__name__, sentence_transformers.__name__)
    """)
    assert out == ["False", "[]", "2", "torch", "sentence_transformers"]


def test_torch_imported_first_keeps_the_probes():
    out = python("""
        import torch
        import pipeline.probes
        pipeline.probes.install()
        import thinc.compat
        from bertopic.backend import MultiModalBackend
        print(thinc.compat.has_torch, type(MultiModalBackend).__name__)
    """)
    assert out == ["True", "type"]  # the real backend class, not BERTopic's NotInstalled


def test_refused_in_a_module_body_only():
    # the same import, as BERTopic's module body and as a BERTopic function (a lazy loader)
    out = python("""
        import sys
        import pipeline.probes
        pipeline.probes.install()
        body = "import sentence_transformers"
        try:
            exec(body, {"__name__": "bertopic._body"})
        except ModuleNotFoundError:
            print("refused")
        names = {"__name__": "bertopic._lazy"}
        exec("def load():\\n    " + body + "\\n    return sentence_transformers.__name__", names)
        print(names["load"](), "torch" in sys.modules)
    """)
    assert out == ["refused", "sentence_transformers", "True"]


def test_spacy_torch_pipelines_installed_turn_thincs_probe_back_on():
    out = python("""
        import sys
        import pipeline.probes as probes
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, probes._SkipProbes)]
        probes.PROBING["thinc"] = ("json",)  # stands for spacy-transformers being installed
        probes.install()
        import thinc.compat
        print(thinc.compat.has_torch)
    """)
    assert out == ["True"]
