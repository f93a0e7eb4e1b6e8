"""Names without a title: recall, precision and cost of ``clean.redact.untitled_names``.

    python bench/bench_names.py                      # the tuning benchmark + the 10k cost
    python bench/bench_names.py --set heldout        # the held-out set: the final figure only
    python bench/bench_names.py --no-cost            # scores only
    python bench/bench_names.py --whole              # + two whole runs of the 10k round
    python bench/bench_names.py --set heldout2 --run # + a whole run of the set as a round:
                                                     #   names that reach a file of the run

Labelled sets (written for this project, bench/data/): ``names_bench.jsonl`` (tuning: 390
sentences planting names of 13 naming traditions, 22% in lower case and 5% in capitals, and
440 look-alikes: organisations, places, programmes, capitalised everyday words) and
``names_heldout.jsonl`` (160 + 180, other names, other sentence frames, other organisations
and places; used to develop the second version of the finder, so no longer held out) and
``names_heldout2.jsonl`` (123 sentences with 125 names of 20 traditions, none in the other
sets, and 72 look-alikes; each sentence written on its own, in survey-answer style; written
and committed before the second version was developed, and scored once after it) and
``names_heldout3.jsonl`` (116 sentences with 130 names of 23 traditions, 83 capitalised, 30 in
lower case, 17 in capitals, and 151 look-alikes; no word of its names is in the other sets'
names or in our own lists; written and committed before the third version was developed,
and scored once after it) and
``names_heldout4.jsonl`` (122 sentences with 150 names of 38 traditions, none of whose words
is in the other sets' names, and 157 look-alikes: wards, systems, places, organisations,
programmes, drugs, job titles, sentence-opening words that are names, shouting; written and
committed before the fourth version was developed, and scored once after it) and
``names_heldout5.jsonl`` (145 sentences with 172 names of 42 traditions, 29 in lower case and
10 in capitals, none of whose words is in the other sets' names, and 216 look-alikes: wards,
hospitals, places that are surnames, charities, hospices and shops named after people,
eponymous diseases, scales, kit, drugs, systems, laws, departments opening a sentence;
written and committed before the fifth version was developed, and scored once after it) and
``names_heldout6.jsonl`` (181 sentences with 218 names of 34 traditions, none of whose words is
in the other sets' names, and 265 look-alikes, 89% built around an item no earlier look-alike
holds: towns, hospitals, charities, shops and firms named after people, eponyms, laws, drugs,
systems; written by a helper who never saw the finder's code or tests, committed before the
sixth version was scored, and scored once after it) and
``names_heldout7.jsonl`` (172 sentences with 210 names of 40 traditions, none of whose words is
in the other sets' names, and 368 look-alikes, 79% around an item no earlier look-alike holds;
written by a helper who never saw the finder's code or tests, committed after the seventh
version was developed without it, and scored once).
Sentences of the first two sets were composed from hand-written frames and hand-written names.

``--run`` writes the set as a round (one answer per sentence), runs ``theming run`` on it in
a temporary folder, and reads every file of the run folder (Parquet tables, zip members of
DOCX and XLSX, HTML entities undone): a planted name reaches the folder when any of its words (3 letters or
more) stands there as a word, in any case; a look-alike sentence stays readable when its text
is found whole in some file.

Scores are over the spans the whole redactor marks [NAME] (titles, list, untitled finder):
a planted name is found when every letter of it lies in a marked span; precision is the
share of marked spans that overlap a planted name (every span in a look-alike is false).

Cost: a 10k-comment round recombined from the NHS FFT dev comments
(``bench_discovery_scale.fft_round``, as ``bench_scale.py`` builds it), the clean stage's CPU
time with the finder off and on in one fresh process: the first run with it on (its word
cache cold), a second, and the one-off loading of the name lists (once per process or Dask
worker); ``added_cpu_first_s`` is what a run pays.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pipeline.text.folding import fold, strip_invisible
from pipeline.text.redact import Redactor

FFT = ROOT.parent / "shared" / "benchmarks" / "nhs-fft" / "dev.csv"


def name_spans(text: str, redactor: Redactor) -> list[tuple[int, int]]:
    """Spans of ``text`` that the redactor's NAME finders mark."""
    folded = fold(strip_invisible(text))
    spans = []
    for label, finder in redactor._finders():
        if label == "NAME":
            spans += [folded.span_in_original(*s) for s in finder(folded.text) if s[1] > s[0]]
    return spans


def planted_spans(text: str, names: list[str]) -> list[tuple[int, int]]:
    found, start = [], 0
    for name in names:
        at = text.find(name, start if names.count(name) > 1 else 0)
        found.append((at, at + len(name)))
        start = at + len(name)
    return found


def score(rows: list[dict], redactor: Redactor, show: int) -> dict:
    planted = found = marked = true_marks = lookalike_hits = 0
    by_tradition: Counter = Counter()
    missed_by_tradition: Counter = Counter()
    misses, false_marks = [], []
    for row in rows:
        spans = name_spans(row["text"], redactor)
        marked += len(spans)
        if row["kind"] == "lookalike":
            lookalike_hits += bool(spans)
            false_marks += [(row["text"], row["text"][a:b]) for a, b in spans]
            continue
        names = planted_spans(row["text"], row["names"])
        for a, b in names:
            planted += 1
            by_tradition[row["tradition"]] += 1
            covered = all(any(s <= i < e for s, e in spans)
                          for i in range(a, b) if row["text"][i].isalpha())
            found += covered
            if not covered:
                missed_by_tradition[row["tradition"]] += 1
                misses.append((row["text"], row["text"][a:b]))
        for s, e in spans:
            if any(s < b and a < e for a, b in names):
                true_marks += 1
            else:
                false_marks.append((row["text"], row["text"][s:e]))
    lookalikes = sum(r["kind"] == "lookalike" for r in rows)
    for text, name in misses[:show]:
        print(f"  missed {name!r}: {text}")
    for text, span in false_marks[:show]:
        print(f"  false  {span!r}: {text}")
    return {
        "sentences_with_names": len(rows) - lookalikes, "names_planted": planted,
        "traditions": len(by_tradition), "recall": found / planted if planted else 0.0,
        "precision": true_marks / marked if marked else 1.0, "spans_marked": marked,
        "false_spans": marked - true_marks, "lookalike_sentences": lookalikes,
        "lookalikes_with_a_false_name": lookalike_hits,
        "recall_by_tradition": {t: round(1 - missed_by_tradition[t] / n, 3)
                                for t, n in sorted(by_tradition.items())},
    }


def fft_comments(size: int, fft: Path) -> pd.DataFrame:
    """A ``size``-comment round from FFT dev as ``bench_scale.py`` builds it, as the clean
    stage's input (comment_id, respondent_id, group, question, text, source, row)."""
    import bench_discovery_scale

    bench_discovery_scale.DATA = fft
    export = bench_discovery_scale.fft_round(size, distinct_sentences=True)
    return pd.DataFrame({
        "comment_id": [f"c{i}" for i in range(len(export))],
        "respondent_id": [f"r{i}" for i in range(len(export))],
        "group": export.iloc[:, 1].astype(str), "question": "q",
        "text": export["comment"].astype(str), "source": "fft",
        "row": range(2, len(export) + 2)})


def clean_cost(size: int, fft: Path) -> dict:
    """CPU seconds of the clean stage on a ``size``-comment FFT round with the finder off and
    on (best of two each, alternated; CPU time, since the machine is shared), and the CPU
    seconds of loading the name lists once (paid once per process or Dask worker)."""
    from pipeline.run_settings import load_settings
    from pipeline.stages.clean import clean
    from pipeline.text.untitled_names import find_untitled_names

    comments = fft_comments(size, fft)
    base = load_settings(ROOT / "config/pipeline.yaml", ROOT / "config/themes.yaml")

    def timed(untitled: bool) -> tuple[float, int]:
        redact = base.pipeline.clean.redact.model_copy(update={"untitled_names": untitled})
        clean_cfg = base.pipeline.clean.model_copy(update={"redact": redact})
        settings = base.model_copy(update={"pipeline": base.pipeline.model_copy(
            update={"clean": clean_cfg})})
        started = time.process_time()
        out = clean(comments, settings)["comments"]
        names = sum(r.split("|").count("NAME") for r in out["redactions"])
        return time.process_time() - started, names

    timed(False)  # spaCy and the other finders loaded once
    started = time.process_time()
    find_untitled_names("Priya Shah")
    load = time.process_time() - started
    runs = [timed(True), timed(False), timed(True), timed(False)]
    off = min(r[0] for r in runs[1::2])
    return {"comments": len(comments), "clean_cpu_off_s": round(off, 2),
            "clean_cpu_on_first_s": round(runs[0][0], 2),
            "clean_cpu_on_again_s": round(runs[2][0], 2),
            "added_cpu_first_s": round(runs[0][0] - off + load, 2),
            "name_lists_load_cpu_s": round(load, 2), "names_off": runs[1][1],
            "names_on": runs[0][1]}


def whole_runs(size: int, fft: Path) -> dict:
    """Whole ``theming run`` processes on a ``size``-comment FFT round (bench_scale's round
    and settings), the finder off and on: wall seconds, CPU seconds (the run's process and
    its children), the clean stage's seconds from the manifest, and the names removed."""
    import os
    import resource
    import subprocess
    import tempfile

    import bench_discovery_scale
    from bench_scale import build_round

    bench_discovery_scale.DATA = fft
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        export = work / "round.csv"
        build_round(size).to_csv(export, index=False)
        # the first run builds the local embedder models beside the config (as a project's
        # first run does): it is not counted; then off and on, each with the models built
        for untitled in (False, False, True):
            config = work / f"pipeline_{untitled}.yaml"
            config.write_text(
                "version: 1\ninput:\n  id_column: id\n  group_column: trust\n"
                "  text_columns:\n    - {column: comment, question: comment}\n"
                f"output:\n  xlsx: false\nclean:\n  redact:\n"
                f"    untitled_names: {str(untitled).lower()}\n", encoding="utf-8")
            out = work / f"run_{untitled}"
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run([str(Path(sys.executable).with_name("theming")), "run", str(export),
                            "--config", str(config), "--themes",
                            str(ROOT / "config" / "themes.yaml"), "--out", str(out), "--quiet",
                            "--overwrite"],
                           check=True, cwd=work, env={**os.environ, "PYTHONPATH": str(ROOT)})
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            found["on" if untitled else "off"] = {
                "wall_s": round(wall, 1),
                "cpu_s": round(after.ru_utime + after.ru_stime
                               - before.ru_utime - before.ru_stime, 1),
                "clean_s": manifest["timings"].get("clean"),
                "removed": manifest.get("redactions")}
    return found


def folder_text(folder: Path) -> dict[str, str]:
    """Every file of ``folder`` as text: Parquet tables and zip members opened, tags of XML
    and HTML dropped,
    entities undone, NFKC-folded."""
    import html
    import io
    import re
    import unicodedata
    import zipfile

    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".parquet":
            text = pd.read_parquet(io.BytesIO(data)).to_csv()
        elif zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                text = "\n".join(archive.read(n).decode("utf-8", "replace")
                                 for n in archive.namelist())
        else:
            text = data.decode("utf-8", "replace")
        if path.suffix in (".docx", ".xlsx", ".html"):
            text = re.sub(r"<[^>]+>", "", text)
        texts[str(path.relative_to(folder))] = unicodedata.normalize(
            "NFKC", html.unescape(text))
    return texts


def run_round(rows: list[dict]) -> dict:
    """A whole ``theming run`` of ``rows`` as a round: the share of planted names that reach
    no file of the run folder, the names that do (and where), and the look-alikes kept."""
    import os
    import re
    import subprocess
    import tempfile
    import unicodedata

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        export = work / "round.csv"
        pd.DataFrame({"id": [r["id"] for r in rows],
                      "trust": [f"T{i % 3}" for i in range(len(rows))],
                      "comment": [r["text"] for r in rows]}).to_csv(export, index=False)
        config = work / "pipeline.yaml"
        config.write_text(
            "version: 1\ninput:\n  id_column: id\n  group_column: trust\n"
            "  text_columns:\n    - {column: comment, question: comment}\n", encoding="utf-8")
        out = work / "run"
        subprocess.run([str(Path(sys.executable).with_name("theming")), "run", str(export),
                        "--config", str(config), "--themes",
                        str(ROOT / "config" / "themes.yaml"), "--out", str(out), "--quiet"],
                       check=True, cwd=work, env={**os.environ, "PYTHONPATH": str(ROOT)})
        texts = folder_text(out)
    names = sorted({n for r in rows for n in r["names"]}, key=str.lower)
    reached = {}
    for name in names:
        words = [unicodedata.normalize("NFKC", w) for w in re.split(r"[\s,]+", name)
                 if len(w) > 2]
        where = sorted({f for f, text in texts.items() for w in words
                        if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.IGNORECASE)})
        if where:
            reached[name] = where
    lookalikes = [r["text"] for r in rows if r["kind"] == "lookalike"]
    kept = sum(any(t in text for text in texts.values()) for t in lookalikes)
    return {"files": len(texts), "names": len(names),
            "names_kept_out": len(names) - len(reached),
            "share_kept_out": round(1 - len(reached) / len(names), 3) if names else 1.0,
            "names_reaching_a_file": reached,
            "lookalike_sentences": len(lookalikes), "lookalikes_found_whole": kept}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["bench", "heldout", "heldout2", "heldout3", "heldout4",
                                          "heldout5", "heldout6", "heldout7"],
                        default="bench")
    parser.add_argument("--show", type=int, default=15, help="misses and false spans to print")
    parser.add_argument("--no-cost", action="store_true")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--fft", type=Path, default=FFT)
    parser.add_argument("--whole", action="store_true",
                        help="also time two whole runs of the round, the finder off and on")
    parser.add_argument("--run", action="store_true",
                        help="also run the set as a round and grep the run folder for names")
    args = parser.parse_args()
    path = ROOT / "bench" / "data" / f"names_{args.set}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    cost = None  # first, in a fresh process: the name lists not loaded yet
    if not args.no_cost:
        if args.fft.exists():
            cost = clean_cost(args.size, args.fft)
        else:
            print(f"no FFT data at {args.fft}: cost skipped (give --fft)")
    result = score(rows, Redactor(), args.show)
    result["baseline_without_untitled"] = {
        k: v for k, v in score(rows, Redactor(untitled_names=False), 0).items()
        if k in ("recall", "precision")}
    if cost is not None:
        result["cost"] = cost
    if args.whole and args.fft.exists():
        result["whole_runs"] = whole_runs(args.size, args.fft)
    if args.run:
        result["run_folder"] = run_round(rows)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
