"""Row-level progress (issue 14 item 6): long steps report rows done, the terminal shows them."""

from __future__ import annotations

import io
import sys

import numpy as np

from pipeline import cli, progress
from pipeline.embed.base import CachedEmbedder


class Counting(CachedEmbedder):
    name = "counting"
    dims = 3
    chunk_size = 4

    def _encode(self, texts):
        return np.array([[len(t), 1.0, 0.0] for t in texts])


def test_embedding_reports_rows_in_chunks_and_gives_the_same_vectors() -> None:
    seen = []
    texts = [f"answer {i}" for i in range(10)]
    with progress.listening(lambda what, done, total: seen.append((what, done, total))):
        chunked = Counting().transform(texts)
    assert seen == [("counting: embedding", 4, 10), ("counting: embedding", 8, 10),
                    ("counting: embedding", 10, 10)]
    whole = Counting()
    whole.chunk_size = 100
    assert np.array_equal(chunked, whole.transform(texts))
    seen.clear()
    progress.rows("nobody listens", 1, 2)  # outside the block: no error, nobody called
    assert seen == []


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_terminal_shows_rows_done_of_the_step(monkeypatch) -> None:
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with cli._progress(quiet=False) as advance:
        advance("tag", 3, 6)
        Counting().transform([f"answer {i}" for i in range(10)])
    shown = screen.getvalue()
    assert "counting: embedding" in shown and "8/10" in shown and "tag" in shown


def test_quiet_shows_nothing(monkeypatch) -> None:
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with cli._progress(quiet=True) as advance:
        assert advance is None
        Counting().transform([f"answer {i}" for i in range(10)])
    assert screen.getvalue() == ""
