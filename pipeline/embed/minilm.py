"""``minilm`` and ``minilm-static``: the pretrained MiniLM embedders run in this process.

``minilm`` is all-MiniLM-L6-v2 through sentence-transformers on CPU (torch), from the
checked weights of ``model_files.minilm_dir``. ``minilm-static`` is a static (token lookup)
embedder distilled locally from those same weights with model2vec; it is built once into
``static_dir`` and reused. torch, sentence-transformers and model2vec are imported only when an
embedder first encodes.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from pipeline.embed.base import CachedEmbedder
from pipeline.embed.model_files import WEIGHTS_FILE, minilm_dir, model_folder, offline_hub
from pipeline.errors import ConfigError

log = logging.getLogger(__name__)


class MiniLMEmbedder(CachedEmbedder):
    """all-MiniLM-L6-v2 through sentence-transformers, on CPU, offline (384 dimensions).
    The loaded model is ``model_`` (made on first encode)."""

    name = "minilm"
    dims = 384

    def __init__(self, max_entries: int | None = None) -> None:
        super().__init__(max_entries)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if getattr(self, "model_", None) is None:
            model_dir = minilm_dir()
            with offline_hub():
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()
                self.model_ = SentenceTransformer(str(model_dir), device="cpu",
                                                  local_files_only=True)
        # One text per call: torch's kernels sum in an order that depends on the batch's shape
        # (on an AVX-512 machine 278 of 400 FFT dev vectors differed in their last bits batched
        # against alone, 140 even in batches of equal token length), so batched vectors would
        # make a run depend on how texts are batched, and --engine dask (whose partitions form
        # other batches) would tag differently from --engine local. Alone, a text's vector is
        # the same in every run; it costs about twice the CPU (6.7 s against 3.1 s for 400).
        # Rounds from ``tag.onnx_from_rows`` use ``minilm-onnx``, which batches invariantly.
        # And on one thread: the number of threads changes the order too (98 of 300 vectors
        # differed between 1 and 2 threads), and a Dask worker runs torch on one; one sentence
        # at a time gains nothing from a second thread (3.6 s against 3.3 s wall for 300, at
        # half the CPU).
        import torch

        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        encode, threads = self.model_.encode, torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return np.vstack([encode([text], batch_size=1, show_progress_bar=False,
                                     convert_to_numpy=True) for text in texts])
        finally:
            torch.set_num_threads(threads)


class StaticMiniLMEmbedder(CachedEmbedder):
    """A model2vec static embedder distilled from the same MiniLM weights (256 dimensions),
    kept in ``static_dir`` (None: the user's models folder). The loaded model is ``model_``
    (made on first encode)."""

    name = "minilm-static"
    dims = 256

    def __init__(self, static_dir: str | Path | None = None,
                 max_entries: int | None = None) -> None:
        super().__init__(max_entries)
        self.static_dir = static_dir

    def _encode(self, texts: list[str]) -> np.ndarray:
        if getattr(self, "model_", None) is None:
            self.model_ = load_static(model_folder(self.static_dir, self.name))
        return np.asarray(self.model_.encode(texts, show_progress_bar=False))

    def subword_shares(self, texts: list[str]) -> np.ndarray:
        """Per text: the share of its words that are not one token of the static vocabulary
        (unknown, or pieced together from sub-words); 0 for a text without words."""
        if getattr(self, "model_", None) is None:
            self.model_ = load_static(model_folder(self.static_dir, self.name))
        shares = np.zeros(len(texts))
        for i, encoding in enumerate(self.model_.tokenizer.encode_batch(
                list(texts), add_special_tokens=False)):
            pieces: dict[int, int] = {}
            for word, token in zip(encoding.word_ids, encoding.tokens, strict=True):
                if word is not None:
                    pieces[word] = pieces.get(word, 0) + (2 if token == "[UNK]" else 1)
            if pieces:
                shares[i] = sum(n > 1 for n in pieces.values()) / len(pieces)
        return shares


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
