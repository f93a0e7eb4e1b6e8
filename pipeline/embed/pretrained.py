"""The old import path of the pretrained embedders, kept because many callers use it (the
runner, five benchmarks and six test files): it holds no code, only names from the modules that
now hold each job.

- ``base``: the ``Embedder`` base class, ``CachedEmbedder`` (in-memory vectors, chunked
  encoding) and ``text_key``;
- ``model_files``: the MiniLM weights, their checksum, the offline switches;
- ``minilm``: ``minilm`` (torch) and ``minilm-static`` (model2vec);
- ``onnx_minilm``: ``minilm-onnx`` (ONNX Runtime, built locally);
- ``switching``: the embedder a round gets by its size;
- ``vector_cache``: the vectors on disk;
- ``registry``: names -> embedders, the shared instances, the cache secret.

New code imports from those modules.
"""

from __future__ import annotations

from pipeline.embed.base import CachedEmbedder, text_key
from pipeline.embed.minilm import MiniLMEmbedder, StaticMiniLMEmbedder, distill_static, load_static
from pipeline.embed.model_files import MINILM_SHA256, WEIGHTS_FILE, minilm_dir, offline_hub
from pipeline.embed.registry import (
    PRETRAINED,
    embedder_for_settings,
    forget_embedders,
    pretrained_embedder,
    use_cache_secret,
)
from pipeline.embed.switching import for_round_size
from pipeline.embed.vector_cache import (
    CACHE_PURPOSES,
    cache_file,
    clear_cache,
    embedding_cache_dir,
    load_cache,
    save_cache,
)

__all__ = [
    "CACHE_PURPOSES",
    "MINILM_SHA256",
    "PRETRAINED",
    "WEIGHTS_FILE",
    "CachedEmbedder",
    "MiniLMEmbedder",
    "StaticMiniLMEmbedder",
    "cache_file",
    "clear_cache",
    "distill_static",
    "embedder_for_settings",
    "embedding_cache_dir",
    "for_round_size",
    "forget_embedders",
    "load_cache",
    "load_static",
    "minilm_dir",
    "offline_hub",
    "pretrained_embedder",
    "save_cache",
    "text_key",
    "use_cache_secret",
]
