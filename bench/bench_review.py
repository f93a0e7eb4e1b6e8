"""How long the review server's steps take on a finished run folder (``theming review``).

    .venv/bin/python bench/bench_review.py data/runs/sample

Prints one row per step: opening the run (app start), the index, the first theme page (its
near misses embed every sentence of the run once), a second theme page (scores reused), the
first edit preview (tags the round with the unedited and the edited themes), a second preview
(only the new edit is tagged) and the coded export. Requests go through the framework's test
client, in one process; the embedding cache of the run's project is used when it has one.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a finished run folder, e.g. data/runs/sample")
    parser.add_argument("--theme", default="communications", help="theme to open and edit")
    args = parser.parse_args(argv)
    if not (args.run / "manifest.json").is_file():
        print(f"skipped: {args.run} is not a finished run folder (make run writes "
              "data/runs/sample)")
        return

    from fastapi.testclient import TestClient

    from pipeline.review.app import create_app
    from pipeline.review.run_data import RunData

    with tempfile.TemporaryDirectory(prefix="bench-review-") as folder:
        themes = Path(folder) / "themes.yaml"  # edits are previewed, never saved, but be safe
        shutil.copy(RunData.open(args.run).themes_path, themes)
        rows = []

        def timed(step: str, call) -> object:
            started = time.perf_counter()
            answer = call()
            rows.append((step, time.perf_counter() - started))
            return answer

        app = timed("open the run (create_app)", lambda: create_app(
            args.run, "bench", themes_path=themes, allowed_hosts=("testserver",)))
        client = TestClient(app)
        token = app.state.csrf_token
        timed("index", lambda: client.get("/"))
        timed("first theme page (near misses embed the run)",
              lambda: client.get(f"/theme/{args.theme}"))
        timed("second theme page", lambda: client.get(f"/theme/{args.theme}?sort=score_asc"))
        form = {"csrf_token": token, "keywords": "newsletter\nwebsite\nupdates",
                "examples": "", "exclude": ""}
        timed("first edit preview (tags twice)",
              lambda: client.post(f"/theme/{args.theme}/edit", data=form))
        timed("second edit preview (tags once)", lambda: client.post(
            f"/theme/{args.theme}/edit", data={**form, "keywords": "newsletter\nbulletin"}))
        timed("coded export", lambda: client.get("/export.csv"))
    run = RunData.open(args.run)
    print(f"run {args.run}: {len(run.kept)} kept comments, {len(run.sentences)} sentences, "
          f"embedder {run.pipeline.tag.embedder}")
    print("| step | seconds |\n|---|---|")
    for step, seconds in rows:
        print(f"| {step} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
