"""``theming run --engine dask`` (issue 14 item 3): clean and tag per partition of
respondents on a Dask cluster give the same run folder as the local engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.engine import dask_engine
from pipeline.errors import ConfigError, DataError
from pipeline.run_settings import load_settings
from pipeline.runner import run

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
CONFIG = ROOT / "config" / "pipeline.yaml"
# Every output but the manifest (which records timings and the engine) must match.
SAME = ("comment_themes.csv", "quotes.csv", "recommendations.json", "theme_comments.csv",
        "clusters.csv", "unexplained.csv", "recommendations.md", "report.html", "scores.csv")


def comments(respondents: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"comment_id": [f"{r}.q{i}" for i, r in enumerate(respondents)],
                         "respondent_id": respondents})


def test_a_respondents_answers_stay_in_one_partition_in_order() -> None:
    frame = comments(["a", "b", "a", "c", "b", "a", "d", "e"])
    parts = dask_engine.split(frame, 3)
    assert 1 <= len(parts) <= 3
    assert sorted(pd.concat(parts)["comment_id"]) == sorted(frame["comment_id"])
    for respondent in "abcde":
        holding = [i for i, p in enumerate(parts) if respondent in set(p["respondent_id"])]
        assert len(holding) == 1
    for part in parts:  # each partition keeps the input order
        positions = [list(frame["comment_id"]).index(c) for c in part["comment_id"]]
        assert positions == sorted(positions)
    assert [list(p["comment_id"]) for p in dask_engine.split(frame, 3)] == \
        [list(p["comment_id"]) for p in parts]


def test_partition_numbers_do_not_depend_on_the_process() -> None:
    # workers and the client must agree on every machine: no salted hash()
    ids = ["R001", "R002", "row17", "id-5f8a4c3b"]
    code = ("from pipeline.engine.dask_engine import partition_of; "
            f"print([partition_of(r, 7) for r in {ids!r}])")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()
            for seed in ("1", "2")}
    assert seen == {str([dask_engine.partition_of(r, 7) for r in ids])}


def test_a_worker_describes_the_round_with_the_clients_blas_threads(monkeypatch) -> None:
    # a Dask worker starts with one BLAS thread, and discovery's layout differs in its last
    # bits with the threads a matrix product is split over: the worker takes the client's
    from pipeline.stages import discover

    before = dask_engine.thread_counts()
    seen = {}

    def described(docs, tags, comment_themes, settings, vectors):
        seen.update(dask_engine.thread_counts())
        return docs.assign(cluster_id=0, on_topic=True), "clusters", "assigner"

    monkeypatch.setattr(discover, "describe_documents", described)
    docs = pd.DataFrame({"sentence_id": ["s1"], "comment_id": ["c1"], "text": ["Parking"]})
    found, clusters, assigner = dask_engine.describe_on_worker(
        docs, docs.iloc[:0], docs.iloc[:0], load_settings(CONFIG), {"blas": 1})
    assert seen["blas"] == 1 and dask_engine.thread_counts() == before  # set, then restored
    assert list(found.columns) == ["cluster_id", "on_topic"]  # not the texts: the client has them
    assert (clusters, assigner) == ("clusters", "assigner")


def test_tfidf_semantic_layer_is_refused_with_the_fix() -> None:
    settings = load_settings(CONFIG, engine="dask")
    tag = settings.pipeline.tag.model_copy(update={"embedder": "tfidf-svd"})
    settings = settings.model_copy(update={"pipeline": settings.pipeline.model_copy(
        update={"tag": tag})})
    with pytest.raises(ConfigError) as caught:
        dask_engine.check_settings(settings)
    assert caught.value.code == "C018"
    assert "tag.embedder: minilm" in caught.value.message


def test_bad_engine_flag_names_the_flag() -> None:
    result = CliRunner().invoke(app, ["run", str(SAMPLE / "tiny_round.csv"), "--config",
                                      str(CONFIG), "--out", "/tmp/never", "--engine", "spark"])
    assert result.exit_code != 0
    assert "--engine" in result.output and "local" in result.output and "dask" in result.output


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [
        "run", str(SAMPLE / "survey_round.csv"), "--config", str(CONFIG), "--out",
        str(tmp_path / "run"), "--quiet", "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "Error [C019]" in result.output and "dask scheduler" in result.output
    assert not (tmp_path / "run" / "comment_themes.csv").exists()


@pytest.fixture(scope="module")
def scheduler():
    """A Dask cluster started apart from the run: the run reaches it by its address."""
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_dask_engine_on_a_scheduler_address_matches_the_local_run(
        sample_run: Path, scheduler: str, tmp_path: Path) -> None:
    settings = load_settings(CONFIG, scheduler=scheduler)
    assert settings.pipeline.engine.name == "dask"
    notes: list[str] = []
    result = run([SAMPLE / "survey_round.csv"], settings, tmp_path / "run", announce=notes.append)
    for name in SAME:
        assert (tmp_path / "run" / name).read_bytes() == (sample_run / name).read_bytes(), name
    engine = json.loads((tmp_path / "run" / "manifest.json").read_text())["engine"]
    assert engine["name"] == "dask" and engine["workers"] == 2
    assert engine["scheduler"] == scheduler and engine["partitions"] >= 2
    assert set(engine["worker_seconds"]) == {"ingest", "clean", "tag"}
    assert engine["input_read_by"] == "workers" and engine["input_blocks"] == 1
    assert notes[0].startswith("Dask: 2 workers; dashboard ")
    assert notes[-2].startswith(f"ingest+clean+tag: partition {engine['partitions']}/"
                                f"{engine['partitions']} done")
    # the round is described on a worker: the client never loads the topic model
    assert notes[-1].startswith("discover: ") and "described on a worker" in notes[-1]
    assert engine["discover_described_on"] == "worker"
    local = json.loads((sample_run / "manifest.json").read_text())
    assert local["engine"] == {"name": "local", "workers": 1}
    assert result.manifest["accounting"] == local["accounting"]
    assert result.manifest["inputs"] == local["inputs"]


def test_workers_read_the_input_in_blocks_as_the_local_engine_reads_it(
        sample_run: Path, scheduler: str, tmp_path: Path, monkeypatch) -> None:
    # blocks of 2,000 bytes: the sample's 153 rows arrive in many pieces, several files' worth
    monkeypatch.setattr(dask_engine, "BLOCK_BYTES", 2000)
    result = run([SAMPLE / "survey_round.csv"], load_settings(CONFIG, scheduler=scheduler),
                 tmp_path / "run")
    for name in SAME:
        assert (tmp_path / "run" / name).read_bytes() == (sample_run / name).read_bytes(), name
    engine = result.manifest["engine"]
    assert engine["input_read_by"] == "workers" and engine["input_blocks"] >= 10
    local = json.loads((sample_run / "manifest.json").read_text())
    assert result.manifest["inputs"] == local["inputs"]
    assert result.manifest["accounting"] == local["accounting"]


def test_two_exports_read_on_the_workers_number_rows_per_file(
        scheduler: str, tmp_path: Path, monkeypatch) -> None:
    export = pd.read_csv(SAMPLE / "survey_round.csv", dtype=str, keep_default_na=False)
    first, second = tmp_path / "week1.csv", tmp_path / "week2.csv"
    export.iloc[:80].to_csv(first, index=False)  # answers with line breaks stay quoted
    export.iloc[80:].to_csv(second, index=False)
    monkeypatch.setattr(dask_engine, "BLOCK_BYTES", 3000)
    local = run([first, second], load_settings(CONFIG), tmp_path / "local")
    remote = run([first, second], load_settings(CONFIG, scheduler=scheduler), tmp_path / "dask")
    assert remote.manifest["engine"]["input_read_by"] == "workers"
    assert remote.manifest["inputs"] == local.manifest["inputs"]
    for name in SAME:
        assert (tmp_path / "dask" / name).read_bytes() == \
            (tmp_path / "local" / name).read_bytes(), name
    answers = pd.read_csv(tmp_path / "dask" / "comment_themes.csv")
    assert set(answers["source"]) == {"week1.csv", "week2.csv"}
    assert answers.loc[answers["source"] == "week2.csv", "row"].min() == 2


def test_a_parquet_export_is_read_on_the_workers_by_row_groups(
        scheduler: str, tmp_path: Path, monkeypatch) -> None:
    export = tmp_path / "round.parquet"
    pd.read_csv(SAMPLE / "survey_round.csv", dtype=str, keep_default_na=False).to_parquet(
        export, row_group_size=40)
    monkeypatch.setattr(dask_engine, "BLOCK_BYTES", 2000)  # groups and slices of groups
    local = run([export], load_settings(CONFIG), tmp_path / "local")
    remote = run([export], load_settings(CONFIG, scheduler=scheduler), tmp_path / "dask")
    assert remote.manifest["engine"]["input_read_by"] == "workers"
    assert remote.manifest["engine"]["input_blocks"] > 4
    assert remote.manifest["inputs"] == local.manifest["inputs"]
    for name in SAME:
        assert (tmp_path / "dask" / name).read_bytes() == \
            (tmp_path / "local" / name).read_bytes(), name


class _FarWorkers:
    """A client whose one worker sees no file at the paths given."""

    def run(self, function, paths):
        return {"tcp://10.0.0.9:4001": [-1 for _ in paths]}


def test_workers_that_cannot_see_the_file_get_it_from_here(tmp_path: Path) -> None:
    from pipeline.io import blocks

    notes: list[str] = []
    engine = dask_engine.DaskEngine(load_settings(CONFIG).pipeline.engine, notes.append)
    engine.client = _FarWorkers()
    plan = blocks.plan(SAMPLE / "survey_round.csv", wanted=["why_scores"])
    assert engine.read([plan], None) is None
    assert not engine.holds_input
    assert notes == [(f"Dask: reading the input here and sending it to the workers: worker "
                     f"tcp://10.0.0.9:4001 does not see {plan.path} as this machine does")]


class _FarFolder:
    """A client whose one worker reads nothing at the path given (another machine)."""

    def run(self, function, path):
        return {"tcp://10.0.0.9:4001": ""}


def test_workers_that_cannot_see_the_run_folder_send_the_tag_evidence_here(
        tmp_path: Path) -> None:
    notes: list[str] = []
    engine = dask_engine.DaskEngine(load_settings(CONFIG).pipeline.engine, notes.append)
    engine.client = _FarFolder()
    engine.write_parts_to(tmp_path / "artifacts")
    assert engine._evidence_part(0) is None  # the partitions return their tables as before
    assert notes == [f"Dask: worker tcp://10.0.0.9:4001 cannot write {tmp_path / 'artifacts'} "
                     "as this machine sees it, so the tag evidence comes back here to be written"]
    assert list((tmp_path / "artifacts").iterdir()) == []  # the probe is gone
    engine.client = type("Near", (), {"run": lambda self, function, path: {
        "tcp://127.0.0.1:4001": function(path)}})()
    engine.write_parts_to(tmp_path / "artifacts")
    assert engine._evidence_part(3) == tmp_path / "artifacts" / ".tag_evidence.part-00003.tmp"


def test_an_export_that_cannot_be_cut_is_read_here_and_sent(
        scheduler: str, tmp_path: Path) -> None:
    # an inch mark outside quotes: line ends can no longer be told from quoted line breaks
    export = tmp_path / "round.csv"
    export.write_text("id,team,comment\n1,A,The 5\" shelf is too high\n2,B,Fine thanks\n"
                      "3,A,\"Two lines,\nin one answer\"\n", encoding="utf-8")
    options = {"text_columns": ["comment"], "id_column": "id", "group_column": "team"}
    local = run([export], load_settings(CONFIG, **options), tmp_path / "local")
    notes: list[str] = []
    remote = run([export], load_settings(CONFIG, scheduler=scheduler, **options),
                 tmp_path / "dask", announce=notes.append)
    assert remote.manifest["engine"]["input_read_by"] == "client"
    assert any("round.csv cannot be cut into blocks safely" in n for n in notes)
    assert remote.manifest["accounting"] == local.manifest["accounting"]
    assert remote.manifest["engine"]["tag_evidence"] == "parts"  # on this path too
    for name in ("comment_themes.csv", "tags.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == \
            (tmp_path / "local" / name).read_bytes(), name


def test_a_bad_score_found_on_a_worker_is_the_readers_error(
        scheduler: str, tmp_path: Path) -> None:
    text = (SAMPLE / "survey_round.csv").read_text(encoding="utf-8").splitlines()
    cells = text[90].split(",")
    cells[3] = "Quite a lot"  # s1_early_engagement: not on the agreement scale
    export = tmp_path / "round.csv"
    export.write_text("\n".join([*text[:90], ",".join(cells), *text[91:]]) + "\n",
                      encoding="utf-8")
    with pytest.raises(DataError, match="D050") as caught:
        run([export], load_settings(CONFIG, scheduler=scheduler), tmp_path / "run")
    assert "'Quite a lot' (row 91)" in str(caught.value)
    # nothing written but what ingest errors leave with the local engine too
    assert not list((tmp_path / "run").glob("*.csv"))
    assert not (tmp_path / "run" / "manifest.json").exists()


def test_cli_starts_a_local_cluster_and_prints_the_dashboard(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(app, [
        "run", str(SAMPLE / "tiny_round.csv"), "--config", str(CONFIG), "--out", str(out),
        "--text-column", "comment", "--id-column", "id", "--group-column", "team",
        "--engine", "dask", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "Dask: 1 workers; dashboard http://127.0.0.1:" in result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["engine"]["scheduler"] == "LocalCluster"
    assert manifest["accounting"]["answers_in"] == manifest["accounting"]["answers_out"]


def test_without_the_dask_extra_the_run_names_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if not installed
    result = CliRunner().invoke(app, [
        "run", str(SAMPLE / "tiny_round.csv"), "--config", str(CONFIG), "--out",
        str(tmp_path / "run"), "--quiet", "--text-column", "comment", "--id-column", "id",
        "--group-column", "team", "--engine", "dask"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error [C025]: --engine dask needs the optional package 'dask', which is not installed: "
        "pip install 'comment-theming[dask]' (in a checkout: .venv/bin/pip install -c "
        "constraints.txt -e '.[dask]')")


def test_without_the_review_extra_review_names_it(sample_run: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "fastapi", None)
    result = CliRunner().invoke(app, ["review", str(sample_run), "--no-browser"])
    assert result.exit_code == 1
    assert "Error [C025]: theming review needs the optional package 'fastapi'" in result.output
    assert "pip install 'comment-theming[review]'" in result.output


def _bounded(settings, size: int):
    cfg = settings.pipeline.discover.updated(describe_sample_size=size)
    return settings.model_copy(update={"pipeline": settings.pipeline.model_copy(
        update={"discover": cfg})})


def test_discovery_places_the_rest_on_the_workers_as_the_local_engine_does(
        scheduler: str, tmp_path: Path) -> None:
    local = run([SAMPLE / "survey_round.csv"], _bounded(load_settings(CONFIG), 120),
                tmp_path / "local")
    notes: list[str] = []
    remote = run([SAMPLE / "survey_round.csv"],
                 _bounded(load_settings(CONFIG, scheduler=scheduler), 120), tmp_path / "dask",
                 announce=notes.append)
    clusters = pd.read_csv(tmp_path / "local" / "clusters.csv")
    assert clusters["n_sentences"].sum() > 120  # more than the describing sample was placed
    for name in SAME:
        assert (tmp_path / "dask" / name).read_bytes() == \
            (tmp_path / "local" / name).read_bytes(), name
    engine = remote.manifest["engine"]
    assert engine["discover_partitions"] >= 2
    assert any(n.startswith("discover: placed ") for n in notes)
    assert local.manifest["accounting"] == remote.manifest["accounting"]


# --- Dask repeats itself and equals local (issue 27 item 4) ---------------------------------

def _engine(settings, **update):
    engine = settings.pipeline.engine.updated(**update)
    return settings.model_copy(update={"pipeline": settings.pipeline.model_copy(
        update={"engine": engine})})


def run_files(folder: Path) -> dict[str, bytes]:
    """Every file of a run folder by its path in it; the manifest without what names the
    engine, the timings (which may differ) and the round's decisions file (named after the run
    folder), and the stage records without the config's hash (the engine's settings are part
    of it)."""
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name == "manifest.json":
            manifest = json.loads(path.read_text())
            for key in ("timings", "engine"):
                manifest.pop(key)
            manifest["config"].pop("sha256")
            manifest["config"]["settings"].pop("engine")
            manifest["resume"].pop("stages")
            manifest["review"].pop("decisions_file")  # named after the run folder
            found[name] = json.dumps(manifest, sort_keys=True).encode()
        elif name.endswith(".done.json"):
            record = json.loads(path.read_text())
            record.pop("config_sha256")
            found[name] = json.dumps(record, sort_keys=True).encode()
        else:
            found[name] = path.read_bytes()
    return found


def _differences(one: dict[str, bytes], other: dict[str, bytes]) -> list[str]:
    return sorted(n for n in set(one) | set(other) if one.get(n) != other.get(n))


def _small_round(path: Path) -> Path:
    """A round with repeated answers, answers spread over several sentences and respondents
    with several answers: what clean, tag and discovery cut and reduce."""
    topics = ["The car park is always full and parking costs too much.",
              "Staff on the ward were kind. The nurses explained everything.",
              "I waited four hours in A&E before anyone saw me!",
              "Food was cold again. Please heat the meals properly.",
              "Appointments get cancelled at short notice, which is stressful.",
              "Thank you", "The signs to the clinic are confusing and the lifts broke."]
    rows = [(f"p{i:03d}", "AB"[i % 2], topics[i % len(topics)],
             topics[(3 * i + 1) % len(topics)] if i % 3 else "")
            for i in range(60)]
    pd.DataFrame(rows, columns=["id", "team", "comment", "more"]).to_csv(path, index=False)
    return path


SMALL = {"text_columns": ["comment", "more"], "id_column": "id", "group_column": "team"}


@pytest.mark.parametrize("export, options, rows", [
    ("sample", {}, (400, 400, 110)), ("small", SMALL, (200, 200, 40))])
def test_dask_gives_the_local_runs_bytes_on_one_two_and_three_partitions_twice(
        export: str, options: dict, rows: tuple, scheduler: str, tmp_path: Path) -> None:
    path = SAMPLE / "survey_round.csv" if export == "sample" else \
        _small_round(tmp_path / "small.csv")
    local = run([path], load_settings(CONFIG, **options), tmp_path / "local")
    expected = run_files(tmp_path / "local")
    seen = []
    for partitions, partition_rows in zip((1, 2, 3), rows, strict=True):
        for attempt in (1, 2):
            out = tmp_path / f"dask{partitions}.{attempt}"
            settings = (load_settings(CONFIG, engine="dask", workers=1, **options)
                        if partitions == 1 else load_settings(CONFIG, scheduler=scheduler,
                                                              **options))
            result = run([path], _engine(settings, partition_rows=partition_rows), out)
            seen.append(result.manifest["engine"]["partitions"])
            assert _differences(run_files(out), expected) == [], (partitions, attempt)
            # tags.csv was merged from the workers' parts: the client never held its rows
            assert result.manifest["engine"]["tag_evidence"] == "parts"
            assert "tag_evidence" not in result.tables
    assert seen == [1, 1, 2, 2, 3, 3]
    assert local.manifest["accounting"] == result.manifest["accounting"]
    # result.tags reads tags.csv back: the local run's rows and columns
    assert list(result.tags.columns) == list(local.tags.columns)
    assert result.tags["comment_id"].tolist() == local.tags["comment_id"].tolist()


def test_a_round_smaller_than_the_cluster_runs_on_every_worker_count(
        scheduler: str, tmp_path: Path) -> None:
    export = tmp_path / "one.csv"
    export.write_text("id,team,comment\n1,A,The car park is always full\n", encoding="utf-8")
    local = run([export], load_settings(CONFIG, **SMALL | {"text_columns": ["comment"]}),
                tmp_path / "local")
    remote = run([export], load_settings(CONFIG, scheduler=scheduler,
                                         **SMALL | {"text_columns": ["comment"]}),
                 tmp_path / "dask")
    assert remote.manifest["engine"]["partitions"] == 2  # one of them empty
    assert _differences(run_files(tmp_path / "dask"), run_files(tmp_path / "local")) == []
    assert local.manifest["rows"]["ingest"]["comments"] == 1


def test_an_unexpected_error_on_a_worker_names_the_rows_not_the_traceback(
        tmp_path: Path, monkeypatch) -> None:
    from pipeline.errors import StageError
    from pipeline.stages import tag

    def broken(tables, settings):
        raise KeyError("boom")

    monkeypatch.setattr(tag, "run", broken)
    comments = pd.DataFrame({"comment_id": ["c1", "c2"], "respondent_id": ["r1", "r2"],
                             "group": ["A", "B"], "question": ["q", "q"],
                             "text": ["Parking is awful", "Food is cold"],
                             "source": ["round.csv", "round.csv"], "row": [7, 3]})
    with pytest.raises(StageError) as caught:
        dask_engine.run_partition(comments, load_settings(CONFIG))
    assert caught.value.code == "S042"
    assert "round.csv row 3, round.csv row 7" in caught.value.message
    assert "Traceback" not in caught.value.message


def test_a_bad_row_read_on_a_worker_under_quiet_prints_the_error_and_no_traceback(
        tmp_path: Path) -> None:
    # the block planner takes the file; the worker reading the block finds the extra field
    export = tmp_path / "round.csv"
    export.write_text('id,team,comment\n1,A,Fine\n2,B,"Parking, again"\n3,A,Parking,extra\n'
                      '4,B,Food\n', encoding="utf-8")
    process = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run", str(export), "--config", str(CONFIG),
         "--out", str(tmp_path / "run"), "--quiet", "--text-column", "comment",
         "--id-column", "id", "--group-column", "team", "--engine", "dask", "--workers", "2"],
        check=False, capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert process.returncode == 1
    assert process.stdout == ""
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error [D040]"), process.stderr
    assert "row" in lines[0] and "Traceback" not in process.stderr


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory) -> Path:
    pytest.importorskip("onnxruntime", reason="minilm-onnx needs onnxruntime (not installed)")
    from pipeline.embed import onnx_minilm

    return onnx_minilm.build(tmp_path_factory.mktemp("models") / "minilm-onnx")


def _onnx(settings, onnx_dir: Path):
    """Tagging and discovery on minilm-onnx, whose int8 activations were once scaled per batch
    of 16 (so a partition's batch-mates moved its vectors), with no vectors cached across runs."""
    pipeline = settings.pipeline
    tag_cfg = pipeline.tag.updated(embedder="minilm-onnx", onnx_model_dir=str(onnx_dir),
                                   embedding_cache=None)
    discover_cfg = pipeline.discover.updated(embedder="minilm-onnx")
    return settings.model_copy(update={"pipeline": pipeline.model_copy(
        update={"tag": tag_cfg, "discover": discover_cfg})})


def test_dask_on_minilm_onnx_gives_the_local_runs_bytes_twice(
        onnx_dir: Path, scheduler: str, tmp_path: Path) -> None:
    path = SAMPLE / "survey_round.csv"
    local = run([path], _onnx(load_settings(CONFIG), onnx_dir), tmp_path / "local")
    assert local.manifest["tag"]["embedder"] == "minilm-onnx"
    assert local.manifest["tags_by_method"].get("semantic", 0) > 0  # the vectors decided tags
    expected = run_files(tmp_path / "local")
    for attempt in (1, 2):
        settings = _engine(_onnx(load_settings(CONFIG, scheduler=scheduler), onnx_dir),
                           partition_rows=110)
        result = run([path], settings, tmp_path / f"dask.{attempt}")
        assert result.manifest["engine"]["partitions"] == 3
        assert _differences(run_files(tmp_path / f"dask.{attempt}"), expected) == [], attempt


def _distinct_round(path: Path, respondents: int) -> Path:
    """A round whose every answer is new text (nothing deduplicated or cached away), one or two
    answers per respondent."""
    words = ["car", "park", "ward", "nurse", "food", "meal", "clinic", "lift", "sign", "wait",
             "doctor", "parking", "cost", "staff", "kind", "cold", "late", "phone", "letter"]
    rows = []
    for i in range(respondents):
        topic = " and the ".join(words[(i * step) % len(words)] for step in (1, 3, 7))
        rows.append((f"p{i:05d}", "AB"[i % 2],
                     f"The {topic} were a problem on visit {i}. Please fix the "
                     f"{words[i % len(words)]}.", f"Thanks for visit {i}" if i % 3 else ""))
    pd.DataFrame(rows, columns=["id", "team", "comment", "more"]).to_csv(path, index=False)
    return path


# Two round sizes (respondents, one to two answers each) and how much more the client's traced
# peak (tracemalloc: Python objects, pandas and numpy) may be at the larger. Measured on this
# code (2026-12-06, 2 workers, a warm-up run first, rounds of this shape: a new sentence per
# answer): 16.2 MB at 150, 39.7 MB at 600, +145% for 4x the comments: the client still gathers
# every table from the workers (issue 29 item 3 is not built). Re-measured 2026-12-07 after
# tags.csv came to be merged from the workers' parts: the same 16.2 and 39.7 MB, and 148.8 MB
# at 2,400. At 600 the peak is discovery's (40.1 MB; recommend 11.7, report 9.4, writing 11.8,
# clean and tag 2.1): below discover.advanced.describe_sample_size every document is fitted
# here. Re-measured 2026-12-07 once a worker describes the round (DaskEngine.describe): 17.0 MB
# at 150, 17.6 MB at 600 (+3.5%), 20.0 MB at 2,400 (+14% on 600): the client's peak is now
# its fixed costs (the run's settings, the quote picker), not discovery. The bound, 50%, fails
# the client that described the round itself (+145%) with a wide margin over what is
# measured; at these sizes the gathered tables themselves weigh under 1 MB, so it does not
# see them: bench/bench_memory.py at 200,000 does.
SMALLER, LARGER = 150, 600
CLIENT_GROWTH = 0.5


def test_the_dask_clients_peak_memory_grows_by_at_most_a_bound_between_two_round_sizes(
        scheduler: str, tmp_path: Path) -> None:
    import tracemalloc

    settings = load_settings(CONFIG, scheduler=scheduler, **SMALL)
    # imports, models and caches of this process are loaded before anything is measured
    run([_distinct_round(tmp_path / "warm.csv", 40)], settings, tmp_path / "warm")
    peaks = {}
    for respondents in (SMALLER, LARGER):
        path = _distinct_round(tmp_path / f"round{respondents}.csv", respondents)
        tracemalloc.start()
        try:
            result = run([path], settings, tmp_path / f"run{respondents}")
            peaks[respondents] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert result.manifest["engine"]["name"] == "dask"
    assert peaks[LARGER] <= peaks[SMALLER] * (1 + CLIENT_GROWTH), peaks
