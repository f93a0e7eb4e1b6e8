"""The embedding cache (issue 13): keys are HMACs under the project secret, nothing is saved
without a secret, run and eval/train vectors are kept apart, the cache lives beside
pipeline.yaml and ``theming cache clear`` empties it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config.models import Settings, ThemesConfig, load_pipeline
from pipeline.embed import base, registry, vector_cache


class FakeEmbedder(base.CachedEmbedder):
    name = "fake"
    dims = 3

    def _encode(self, texts):
        return np.array([[len(t), 1.0, 0.0] for t in texts])


CONFIG = ("version: 1\ninput:\n  text_columns:\n    - {column: c, question: c}\n"
          "tag:\n  advanced:\n    embedding_cache: .theming-cache\n")


def settings(tmp_path: Path, secret: bytes | None) -> Settings:
    config = tmp_path / "pipeline.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    return Settings(pipeline=load_pipeline(config), themes=ThemesConfig(themes=[]),
                    config_path=str(config), secret=secret)


def test_saved_keys_are_keyed_and_kept_apart_by_purpose(tmp_path: Path) -> None:
    sentence = "Dr Smith was rude to me."
    keyed = settings(tmp_path, b"k" * 32)
    try:
        registry.use_cache_secret(keyed.secret)
        embedder = FakeEmbedder()
        embedder.transform([sentence])
        run_dir = vector_cache.embedding_cache_dir(keyed, "run")
        assert run_dir == tmp_path / ".theming-cache" / "run"
        path = vector_cache.save_cache(embedder, run_dir)
        with np.load(path) as saved:
            keys = [str(k) for k in saved["keys"]]
        assert keys and hashlib.sha1(sentence.encode()).hexdigest() not in keys
        assert vector_cache.embedding_cache_dir(keyed, "coded") == tmp_path / ".theming-cache" / "coded"
        again = FakeEmbedder()
        assert vector_cache.load_cache(again, run_dir) == 1
        assert base.text_key(sentence) in again.cache_
        assert vector_cache.embedding_cache_dir(settings(tmp_path, None), "run") is None
        assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()
    finally:
        registry.use_cache_secret(None)


def test_cache_clear_empties_the_project_cache(tmp_path: Path) -> None:
    config = tmp_path / "pipeline.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    for purpose in ("run", "coded"):
        folder = tmp_path / ".theming-cache" / purpose
        folder.mkdir(parents=True)
        (folder / "minilm.npz").write_bytes(b"x")
    result = CliRunner().invoke(app, ["cache", "clear", "--config", str(config)])
    assert result.exit_code == 0, result.output
    folder = os.path.relpath(tmp_path / ".theming-cache")
    assert result.stdout.strip() == f"Removed 2 cache file(s) from {folder}"
    assert not list((tmp_path / ".theming-cache").rglob("*.npz"))


def _umask() -> int:
    from pipeline.io.writers import current_umask

    return current_umask()
