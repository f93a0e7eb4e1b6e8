"""The one place an embedder name maps to a class: ``REGISTRY`` (name -> factory).

``make_embedder(name, ...)`` builds any of them: a fresh ``tfidf-svd`` (it is fitted per
round), or the process-wide pretrained embedder of that name (and folder), so its model and
in-memory cache are shared by every stage and command that uses it. ``forget_embedders`` drops
the shared ones; ``use_cache_secret`` keys the cache keys (and drops vectors held under other
keys). The names equal the ``embedder`` choices of ``pipeline.config.models`` (a test checks).
Factories import the modules they build from, so importing the registry loads no model code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from pipeline.embed.base import CACHE_SECRET, CachedEmbedder, Embedder
from pipeline.embed.model_files import model_folder


def _tfidf_svd(dims: int, seed: int, folder: str | None) -> Embedder:
    from pipeline.embed.embedders import TfidfSvdEmbedder

    return TfidfSvdEmbedder(dims=dims, seed=seed)


@functools.lru_cache(maxsize=1)
def _shared_minilm() -> CachedEmbedder:
    from pipeline.embed.minilm import MiniLMEmbedder

    return MiniLMEmbedder()


@functools.lru_cache(maxsize=4)
def _shared_static(static_dir: str) -> CachedEmbedder:
    from pipeline.embed.minilm import StaticMiniLMEmbedder

    return StaticMiniLMEmbedder(static_dir)


@functools.lru_cache(maxsize=4)
def _shared_onnx(onnx_dir: str) -> CachedEmbedder:
    from pipeline.embed.onnx_minilm import OnnxMiniLMEmbedder

    return OnnxMiniLMEmbedder(onnx_dir)


# name -> (factory(dims, seed, model folder or None), pretrained?)
REGISTRY: dict[str, tuple[Callable[[int, int, str | None], Embedder], bool]] = {
    "tfidf-svd": (_tfidf_svd, False),
    "minilm": (lambda dims, seed, folder: _shared_minilm(), True),
    "minilm-onnx": (lambda dims, seed, folder: _shared_onnx(
        str(model_folder(folder, "minilm-onnx"))), True),
    "minilm-static": (lambda dims, seed, folder: _shared_static(
        str(model_folder(folder, "minilm-static"))), True),
}
EMBEDDERS = tuple(REGISTRY)
PRETRAINED = tuple(name for name, (_, pretrained) in REGISTRY.items() if pretrained)


def make_embedder(name: str, dims: int = 100, seed: int = 42, static_dir: str | None = None, *,
                  onnx_dir: str | None = None, max_entries: int | None = None) -> Embedder:
    """A fresh ``tfidf-svd`` embedder, or the process-wide pretrained one named ``name``
    (``static_dir``/``onnx_dir``: the folder of ``minilm-static``/``minilm-onnx``;
    ``max_entries``: ``tag.advanced.memory_cache_entries``, the bound of its in-memory cache)."""
    if name not in REGISTRY:
        raise ValueError(f"unknown embedder '{name}'; valid: {', '.join(EMBEDDERS)}")
    factory, pretrained = REGISTRY[name]
    folder = onnx_dir if name == "minilm-onnx" else static_dir
    embedder = factory(dims, seed, None if folder is None else str(folder))
    if pretrained and max_entries is not None and embedder.max_entries != max_entries:
        embedder.max_entries = max_entries
        embedder._remember({})  # drop the oldest vectors over the new bound
    return embedder


def pretrained_embedder(name: str, static_dir: str | None = None, *, onnx_dir: str | None = None,
                        max_entries: int | None = None) -> CachedEmbedder:
    """The shared pretrained embedder ``name`` (see ``make_embedder``)."""
    if name not in PRETRAINED:
        raise ValueError(f"unknown pretrained embedder '{name}'; valid: {', '.join(PRETRAINED)}")
    return make_embedder(name, static_dir=static_dir, onnx_dir=onnx_dir, max_entries=max_entries)


def embedder_for_settings(name: str, tag_settings) -> CachedEmbedder:
    """The shared pretrained embedder ``name`` with the folders and cache bound of
    ``tag_settings`` (a ``TagSettings``)."""
    return pretrained_embedder(name, tag_settings.advanced.static_model_dir,
                               onnx_dir=tag_settings.advanced.onnx_model_dir,
                               max_entries=tag_settings.advanced.memory_cache_entries)


def forget_embedders() -> None:
    """Drop the shared embedders (their models and in-memory caches)."""
    _shared_minilm.cache_clear()
    _shared_static.cache_clear()
    _shared_onnx.cache_clear()


def use_cache_secret(secret: bytes | None) -> None:
    """Key cache keys with ``secret`` from now on; vectors held under other keys are dropped."""
    if secret != CACHE_SECRET[0]:
        CACHE_SECRET[0] = secret
        forget_embedders()
