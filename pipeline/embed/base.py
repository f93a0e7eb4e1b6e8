"""The embedders' one base class, and the in-memory vector cache of pretrained ones.

``Embedder`` is a scikit-learn transformer (``BaseEstimator``, ``TransformerMixin``): the
constructor stores parameters only, ``fit(texts)`` returns the embedder, fitted state lives in
attributes ending in ``_`` and ``transform(texts)`` returns one unit-length row per text.
``CachedEmbedder`` is the base of the pretrained embedders (``minilm``, ``minilm-static``,
``minilm-onnx``): ``fit`` learns nothing, and ``transform`` encodes only texts it has not seen,
``chunk_size`` at a time, keeping vectors by a keyed hash of the text (``text_key``) up to
``max_entries`` (least recently used dropped first). Where names map to classes: ``registry``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import OrderedDict

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

log = logging.getLogger(__name__)

# The project secret that keys cache keys (None: keys are plain SHA-1, and nothing is saved);
# set through ``registry.use_cache_secret``, which also drops vectors held under other keys.
CACHE_SECRET: list[bytes | None] = [None]


def text_key(text: str) -> str:
    """Cache key of a text (40 hex characters): HMAC-SHA256 under the project secret, so a
    guessed sentence cannot be confirmed from a saved key; SHA-1 in memory without one."""
    secret = CACHE_SECRET[0]
    if secret is None:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()[:40]


class Embedder(TransformerMixin, BaseEstimator):
    """Base of every embedder: texts -> unit-length rows (``transform``), ``name`` as the
    registry knows it. Subclasses store their parameters in ``__init__`` and nothing else."""

    name = "embedder"

    def fit(self, texts: list[str], y=None) -> Embedder:
        raise NotImplementedError

    def transform(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def fit_transform(self, texts: list[str], y=None) -> np.ndarray:
        return self.fit(texts).transform(texts)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True  # texts, not numbers
        tags.input_tags.two_d_array = False
        return tags


class CachedEmbedder(Embedder):
    """Base for pretrained embedders: ``transform`` embeds only texts not seen before.

    Vectors are kept in ``cache_`` (least recently used first), at most ``max_entries`` of
    them (None = no bound); ``cache_`` is made by ``fit`` or on first use. Pretrained:
    ``fit`` learns nothing, so ``transform`` needs no ``fit`` first.
    """

    name = "pretrained"
    dims = 0
    batch_size = 64
    chunk_size = 4096  # texts encoded between two progress reports

    def __init__(self, max_entries: int | None = None) -> None:
        self.max_entries = max_entries

    @property
    def cache_(self) -> OrderedDict[str, np.ndarray]:
        """The in-memory vectors by text key (made on first use; pretrained, so no fit)."""
        if "_cache" not in self.__dict__:
            self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        return self._cache

    def fit(self, texts: list[str], y=None) -> CachedEmbedder:  # pretrained: nothing to learn
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True  # pretrained: usable without fit

    def __getstate__(self) -> dict:
        """Pickled without the loaded model (``model_``: an ONNX Runtime session does not
        pickle, a torch model is large); a copy loads it again on its first encode."""
        state = super().__getstate__()
        state.pop("model_", None)
        return state

    def cache_stem(self) -> str | None:
        """Name of the file its vectors are saved under (``tag.advanced.embedding_cache``); a model
        built locally adds its own fingerprint, so vectors of an earlier build are never
        mixed with this one's; None when there is no model yet, hence nothing saved by it."""
        return self.name

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def _remember(self, pairs) -> None:
        self.cache_.update(pairs)
        if self.max_entries is not None:
            while len(self.cache_) > self.max_entries:
                self.cache_.popitem(last=False)

    def transform(self, texts: list[str]) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        for key in dict.fromkeys(keys):
            vector = self.cache_.get(key)
            if vector is not None:
                self.cache_.move_to_end(key)
                found[key] = vector
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        if missing:
            first_text = {}
            for key, text in zip(keys, texts, strict=True):
                first_text.setdefault(key, text)
            vectors = self._encode_in_chunks([first_text[k] for k in missing])
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)
            new = dict(zip(missing, vectors, strict=True))
            found.update(new)
            self._remember(new)
            log.info("%s: embedded %d new texts (%d cached)", self.name, len(missing),
                     len(self.cache_))
        if not keys:
            return np.zeros((0, self.dims), dtype=np.float64)
        return np.vstack([found[k] for k in keys]).astype(np.float64)

    def fit_transform(self, texts: list[str], y=None) -> np.ndarray:
        return self.transform(texts)

    def _encode_in_chunks(self, texts: list[str]) -> np.ndarray:
        """``_encode`` ``chunk_size`` texts at a time, reporting rows done (``progress``)."""
        from pipeline import progress

        if len(texts) <= self.chunk_size:
            return np.asarray(self._encode(texts))
        parts = []
        for start in range(0, len(texts), self.chunk_size):
            parts.append(np.asarray(self._encode(texts[start:start + self.chunk_size])))
            progress.rows(f"{self.name}: embedding", min(start + self.chunk_size, len(texts)),
                          len(texts))
        return np.vstack(parts)

    def cache_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(keys, vectors) of the cache, for the runner to save."""
        keys = sorted(self.cache_)
        vectors = (np.vstack([self.cache_[k] for k in keys]) if keys
                   else np.zeros((0, self.dims), dtype=np.float32))
        return np.array(keys, dtype="<U40"), vectors

    def add_to_cache(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Restore saved vectors (ignored when their width does not match this model)."""
        if vectors.ndim == 2 and vectors.shape[1] == self.dims and len(keys) == len(vectors):
            self._remember(zip((str(k) for k in keys), vectors.astype(np.float32), strict=True))
