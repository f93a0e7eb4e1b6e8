"""ruff's rules (pyproject.toml [tool.ruff.lint]) hold over the package, the tests, the
benchmarks and the docs generators, in CI as on a developer's machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "pipeline", "tests", "bench",
                           "docs"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-1000:]
