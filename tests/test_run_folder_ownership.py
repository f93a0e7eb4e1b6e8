"""A run folder belongs to one run (issue 13): a second run into a folder whose lock a live
run holds is refused naming the holder; a stale lock is taken over; an ``--overwrite`` run
that fails or is killed leaves the old run whole; outputs honour the umask."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import csv_text, run_cli, write_config

from pipeline.io.run_lock import lock_path

ROWS = [["id", "team", "comment"], ["R1", "A", "Papers arrive too late to read."],
        ["R2", "B", "We were told after the decision was made."]]


@pytest.fixture
def setup(tmp_path: Path):
    export = tmp_path / "r.csv"
    export.write_text(csv_text(ROWS), encoding="utf-8")
    return export, write_config(tmp_path), tmp_path / "run"


def test_a_second_run_into_a_locked_folder_is_refused(setup) -> None:
    export, config, out = setup
    holder = {"pid": os.getppid(), "host": socket.gethostname(), "started": "2026-12-02T03:00:00+00:00"}
    lock_path(out).write_text(json.dumps(holder), encoding="utf-8")
    outcome = run_cli([export], config, out)
    assert outcome.exit_code == 1
    assert outcome.error == (
        f"Error [D046]: {out}: another run is writing this folder (pid {os.getppid()} on "
        f"{socket.gethostname()}, started 2026-12-02T03:00:00+00:00); wait for it to finish or "
        f"choose another --out. If that run is gone, delete {lock_path(out)}")
    assert not out.exists()
    assert lock_path(out).exists()  # the holder's lock is left alone


def test_a_stale_lock_is_taken_over_and_released(setup) -> None:
    export, config, out = setup
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    lock_path(out).write_text(json.dumps({"pid": int(dead), "host": socket.gethostname(),
                                          "started": "x"}), encoding="utf-8")
    outcome = run_cli([export], config, out)
    assert outcome.exit_code == 0, outcome.stderr
    assert not lock_path(out).exists()


def test_failed_overwrite_leaves_the_old_run_whole(setup, monkeypatch) -> None:
    export, config, out = setup
    assert run_cli([export], config, out).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    from pipeline.stages import report

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "run", killed)
    outcome = run_cli([export], config, out, "--overwrite")
    assert outcome.exit_code == 130
    assert outcome.error == "Interrupted. The previous run folder is unchanged."
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".run")) == []


def test_killed_overwrite_leaves_the_old_run_whole(setup) -> None:
    """A process killed (SIGKILL) half way through --overwrite: the old folder is untouched
    and the next run removes the dead run's staging folder."""
    export, config, out = setup
    assert run_cli([export], config, out).exit_code == 0
    manifest = (out / "manifest.json").read_bytes()
    script = ("import os, signal, sys\n"
              "from pipeline.stages import report\n"
              "report.run = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)\n"
              "from pipeline.cli import app\n"
              f"sys.argv = ['theming', 'run', {str(export)!r}, '--config', {str(config)!r}, "
              f"'--out', {str(out)!r}, '--overwrite', '--quiet']\n"
              "app()\n")
    root = Path(__file__).resolve().parents[1]
    killed = subprocess.run([sys.executable, "-c", script], check=False, cwd=root,
                            capture_output=True,
                            env={**os.environ, "PYTHONPATH": str(root)})
    assert killed.returncode == -9, killed.stderr
    assert (out / "manifest.json").read_bytes() == manifest
    assert list(out.parent.glob(".run.new-*"))  # the dead run's staging folder ...
    assert run_cli([export], config, out, "--overwrite").exit_code == 0
    assert not list(out.parent.glob(".run.new-*"))  # ... is cleared by the next run
    assert not lock_path(out).exists()


def test_outputs_honour_the_umask(setup) -> None:
    export, config, out = setup
    old = os.umask(0o022)
    try:
        assert run_cli([export], config, out).exit_code == 0
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in out.rglob("*") if p.is_file()}
    assert modes and set(modes.values()) == {0o644}, modes
