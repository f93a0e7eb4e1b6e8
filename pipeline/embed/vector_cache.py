"""The pretrained embedders' vectors on disk: one ``.npz`` per model under
``tag.advanced.embedding_cache`` (keys and vectors only, loaded with ``allow_pickle=False``), one
sub-folder per purpose, written atomically.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from pipeline.embed.base import CachedEmbedder
from pipeline.io.writers import atomic_write

log = logging.getLogger(__name__)

CACHE_PURPOSES = ("run", "coded")


def embedding_cache_dir(settings, purpose: str) -> Path | None:
    """Where vectors for ``purpose`` are saved: ``tag.advanced.embedding_cache`` resolved against
    pipeline.yaml's folder, one sub-folder per purpose ('run' for survey runs, 'coded' for
    eval/train files, kept apart); None when the cache is off or there is no project secret."""
    if purpose not in CACHE_PURPOSES:
        raise ValueError(f"unknown cache purpose '{purpose}'")
    configured = settings.pipeline.tag.advanced.embedding_cache
    if not configured or settings.secret is None:
        return None
    return Path(configured) / purpose  # made absolute against pipeline.yaml's folder on load


def clear_cache(cache_root: str | Path) -> int:
    """Delete every saved vector file under ``cache_root``; return how many."""
    root = Path(cache_root)
    files = [p for p in root.rglob("*.npz")] if root.is_dir() else []
    for path in files:
        path.unlink()
    return len(files)


def cache_file(cache_dir: str | Path, name: str) -> Path:
    return Path(cache_dir) / f"{name}.npz"


def load_cache(embedder, cache_dir: str | Path | None) -> int:
    """Restore ``embedder``'s saved vectors from ``cache_dir``; return how many."""
    if not cache_dir or not isinstance(embedder, CachedEmbedder):
        return 0
    stem = embedder.cache_stem()
    path = cache_file(cache_dir, stem) if stem else None
    if path is None or not path.is_file():
        return 0
    try:
        with np.load(path, allow_pickle=False) as saved:
            embedder.add_to_cache(saved["keys"], saved["vectors"])
            return len(saved["keys"])
    except (OSError, ValueError, KeyError) as exc:
        log.warning("%s: embedding cache not readable (%s); it will be rebuilt", path, exc)
        return 0


def save_cache(embedder, cache_dir: str | Path | None) -> Path | None:
    """Write ``embedder``'s vectors to ``cache_dir`` atomically (pretrained embedders only)."""
    if not cache_dir or not isinstance(embedder, CachedEmbedder) or not embedder.cache_:
        return None
    stem = embedder.cache_stem()
    if stem is None:
        return None
    path = cache_file(cache_dir, stem)
    path.parent.mkdir(parents=True, exist_ok=True)
    keys, vectors = embedder.cache_arrays()
    # A unique temporary name: two runs sharing the cache never write the same file.
    atomic_write(path, lambda tmp: _savez(tmp, keys, vectors))
    return path


def _savez(path: Path, keys, vectors) -> None:
    with path.open("wb") as handle:  # a file object: np.savez adds no ".npz" to the name
        np.savez(handle, keys=keys, vectors=vectors)
