"""The embedding cache around a run or a command: the pretrained embedders it will use get
their vectors from ``tag.advanced.embedding_cache`` before, and save new ones after."""

from __future__ import annotations

from contextlib import contextmanager

from pipeline.config.models import Settings


def _embedders(settings: Settings) -> list:
    """The pretrained embedders this run will use (their vectors are cached on disk)."""
    from pipeline.embed.registry import embedder_for_settings

    cfg = settings.pipeline.tag
    names = []
    if cfg.semantic and cfg.embedder != "tfidf-svd":
        names.append(cfg.embedder)
        if cfg.advanced.cascade_margin is not None and cfg.embedder in ("minilm", "minilm-onnx"):
            names.append("minilm-static")  # the cascade's first pass (pipeline.tagging.cascade)
    if cfg.advanced.classifier and settings.tag_model is not None:
        names.append(settings.tag_model.embedder)
    return [embedder_for_settings(n, cfg) for n in dict.fromkeys(names) if n]


@contextmanager
def embedding_cache(settings: Settings, purpose: str = "run"):
    """Key cache keys with the project secret, restore the pretrained embedders' vectors
    for ``purpose`` from ``tag.advanced.embedding_cache`` before the block and save them
    after it."""
    from pipeline.embed.registry import use_cache_secret
    from pipeline.embed.vector_cache import embedding_cache_dir, load_cache, save_cache

    use_cache_secret(settings.secret)
    cache_dir = embedding_cache_dir(settings, purpose)
    embedders = _embedders(settings)
    for embedder in embedders:
        load_cache(embedder, cache_dir)
    yield
    for embedder in embedders:
        save_cache(embedder, cache_dir)
