"""Run clean and tag per partition of respondents on a Dask cluster (``--engine dask``).

Clean and tag are pure over respondents: duplicates are found within one respondent's answers
and every sentence is tagged on its own, so a round can be cut into partitions of respondents,
each partition cleaned and tagged on a worker, and the pieces put back in the order the local
engine gives (the tests compare the two byte for byte). Ingest (cheap; it numbers the answers
and pseudonymises ids) runs on the workers too when they can read the input. Discover,
recommend and report need the whole round and are run from the client process, which holds
the round's tables (answers, sentences, tags per theme, clusters per sentence) but not the
models: discovery sends the round's documents, or its describing sample
(``discover.advanced.describe_sample_size``) when larger, to one worker to be embedded,
clustered and described (``DaskEngine.describe``), and the other documents back to the
workers that tagged them to be placed among the clusters (``DaskEngine.assign``), so the
client never loads BERTopic, UMAP or HDBSCAN nor holds the documents' vectors; tags.csv's
rows are written by the workers as sorted Parquet parts and merged in batches
(``pipeline.io.sorted_parts``). What the client still loads is recommend's quote picker
(the embedder and at most 40,000 sentence vectors). ``dask.distributed`` does the scheduling,
the transfers and the worker processes; this module only cuts, ships and reassembles.

Models are loaded once per worker process: the embedders are cached per process
(``pipeline.embed.registry``), and the settings travel to each worker once (scattered).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Self

import pandas as pd

from pipeline.errors import ConfigError, StageError, ThemingError
from pipeline.io import blocks
from pipeline.stages import clean, ingest, tag
from pipeline.stages.schemas import call_stage

log = logging.getLogger(__name__)

STAGES = (clean, tag)
# bytes of a CSV block a worker reads at a time (about 100,000 short answers)
BLOCK_BYTES = 1 << 24


def check_settings(settings) -> None:
    """Raise C018 when a setting makes clean or tag depend on the whole round."""
    cfg = settings.pipeline.tag
    if cfg.semantic and cfg.embedder == "tfidf-svd":
        raise ConfigError(
            "--engine dask: tag.embedder tfidf-svd is fitted on all the round's sentences, so "
            "partitions would tag differently; use a pretrained embedder (tag.embedder: minilm) "
            "or --engine local", code="C018")


def partition_of(respondent_id: str, count: int) -> int:
    """A stable partition number for a respondent (the same on every machine and run)."""
    digest = hashlib.sha1(respondent_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


def split(comments: pd.DataFrame, count: int) -> list[pd.DataFrame]:
    """``comments`` cut into at most ``count`` non-empty partitions; a respondent's answers
    stay together and keep their order."""
    keys = comments["respondent_id"].astype(str).map(lambda r: partition_of(r, count))
    return [comments[keys == k].reset_index(drop=True) for k in range(count) if (keys == k).any()]


def rows_of(comments: pd.DataFrame, shown: int = 3) -> str:
    """The input rows a partition holds, for an error message ("rows 2, 7, 9 and 14 more of
    round.csv")."""
    if not len(comments) or "row" not in comments:
        return "no rows"
    places = sorted(dict.fromkeys(zip(comments["source"].astype(str),
                                      comments["row"].astype(int), strict=True)),
                    key=lambda place: (place[0], place[1]))
    named = ", ".join(f"{source} row {row}" for source, row in places[:shown])
    return named + (f" and {len(places) - shown} more" if len(places) > shown else "")


def run_partition(comments: pd.DataFrame, settings,
                  evidence_to: Path | None = None) -> tuple[dict, dict[str, float]]:
    """Clean and tag one partition (on a worker); the tables and the seconds each took. An
    unexpected error becomes S042 naming the partition's rows: the worker's traceback stays
    on the worker (``--debug`` with ``--engine local`` shows it). ``evidence_to``: also
    write the partition's tag evidence (tags.csv's rows, ``report.tag_evidence``) to that
    Parquet part, so the client never holds it."""
    from pipeline.embed.registry import use_cache_secret

    use_cache_secret(settings.secret)
    tables: dict[str, pd.DataFrame] = {"comments": comments}
    produced: dict[str, dict[str, pd.DataFrame]] = {}
    seconds: dict[str, float] = {}
    for stage in STAGES:
        started = time.perf_counter()
        try:
            produced[stage.NAME] = call_stage(stage, tables, settings)
        except ThemingError:
            raise
        except Exception as exc:  # noqa: BLE001 - named for the user, not swallowed
            raise StageError(
                f"--engine dask: {stage.NAME} failed on a worker ({type(exc).__name__}: "
                f"{exc}) in the partition holding {rows_of(comments)}; this is a bug: rerun "
                "with 'theming --debug run ... --engine local' for the traceback and report "
                "it", code="S042") from None
        seconds[stage.NAME] = time.perf_counter() - started
        tables.update(produced[stage.NAME])
    if evidence_to is not None:
        from pipeline.io.writers import write_parquet
        from pipeline.stages.report import tag_evidence

        started = time.perf_counter()
        order = {theme_id: i for i, theme_id in enumerate(settings.themes.ids)}
        write_parquet(evidence_to, tag_evidence(tables["tags"], tables["sentences"], order))
        seconds["tag"] += time.perf_counter() - started  # tags.csv's rows: booked to tag
    return produced, seconds


def _frame(plan: blocks.Plan, chosen: list[blocks.Block], firsts: list[int], source: str):
    """A ``dask.dataframe`` of ``chosen`` blocks of ``plan``, one partition each, read by
    ``blocks.read_block`` from the given first row numbers."""
    import dask.dataframe as dd

    meta = pd.DataFrame({c: pd.Series([], dtype=object)
                         for c in [*plan.columns, "_row", "_source"]})
    return dd.from_map(blocks.read_block, chosen, firsts, [source] * len(chosen), meta=meta,
                       enforce_metadata=False)


def answers_of_block(raw: pd.DataFrame, settings, first_position: int,
                     count: int) -> list[tuple[pd.DataFrame, pd.DataFrame] | None]:
    """Ingest's row-by-row part on one block of the export (on a worker), cut by respondent
    into ``count`` pieces (None where a partition has none of this block's respondents)."""
    answers, respondents = ingest.answer_rows(raw, settings, first_position)
    del raw
    ids = respondents["respondent_id"].astype(str)
    number = {r: partition_of(r, count) for r in set(ids)}  # each id hashed once
    answer_keys = answers["respondent_id"].astype(str).map(number)
    respondent_keys = ids.map(number)
    pieces: list[tuple[pd.DataFrame, pd.DataFrame] | None] = [None] * count
    for key in set(answer_keys.tolist()) | set(respondent_keys.tolist()):
        pieces[key] = (answers[answer_keys == key], respondents[respondent_keys == key])
    return pieces


def piece(pieces: list, key: int):
    """One partition's piece of a block's answers (on the block's worker: only it moves)."""
    return pieces[key]


def run_gathered(settings, evidence_to: Path | None, *found) -> tuple[dict | None, dict[str, float]]:
    """One partition of respondents, gathered from every block: ingest's per-respondent part,
    then clean and tag (on a worker; ``evidence_to`` as ``run_partition``'s). The ingest
    tables keep ``_position`` for reassembly. (None, {}) for a partition no respondent fell
    in (a round smaller than the cluster)."""
    started = time.perf_counter()
    found = [f for f in found if f is not None]
    if not found:
        return None, {}
    answers = pd.concat([f[0] for f in found], ignore_index=True)
    respondents = pd.concat([f[1] for f in found], ignore_index=True)
    ingested = ingest.number_answers(answers, respondents, keep_positions=True)
    spent = time.perf_counter() - started
    comments = ingested["comments"].drop(columns=["_position", "_order"])
    produced, seconds = run_partition(comments, settings, evidence_to)
    return {"ingest": ingested, **produced}, {"ingest": spent, **seconds}


def place_partition(docs: pd.DataFrame, lookup: dict, assigner, secret) -> tuple:
    """Discovery's placing of one partition of documents (on a worker)."""
    from pipeline.discovery.assign import assign_documents
    from pipeline.embed.registry import use_cache_secret

    use_cache_secret(secret)
    return assign_documents(docs, lookup, assigner)


def thread_counts() -> dict[str, int]:
    """The threads this process's BLAS and OpenMP pools run (by ``threadpoolctl``'s API name,
    the most of any library loaded)."""
    from threadpoolctl import threadpool_info

    found: dict[str, int] = {}
    for pool in threadpool_info():
        found[pool["user_api"]] = max(found.get(pool["user_api"], 0), pool["num_threads"])
    return found


def describe_on_worker(docs: pd.DataFrame, tags: pd.DataFrame, comment_themes: pd.DataFrame,
                       settings, threads: dict[str, int]) -> tuple:
    """Discovery's ``describe_documents`` (on a worker) with the client's BLAS and OpenMP
    thread counts ``threads``: a Dask worker starts with one thread per pool, and the layout
    and clusters of a round differ in their last bits with the number of threads a matrix
    product is split over (45 clusters against 44 on 20,000 FFT-built respondents), so the
    round is described as the local engine would describe it here. -> the documents'
    ``cluster_id`` and ``on_topic`` (not their texts: the client has them), the clusters
    table, the ``Assigner``."""
    from threadpoolctl import threadpool_limits

    from pipeline.embed.registry import use_cache_secret
    from pipeline.stages.discover import describe_documents

    use_cache_secret(settings.secret)
    with threadpool_limits(limits=threads):
        found, clusters, assigner = describe_documents(docs, tags, comment_themes, settings,
                                                       None)
    return (None if found is None else found[["cluster_id", "on_topic"]]), clusters, assigner


def reassemble(pieces: list[dict], comments: pd.DataFrame | None,
               settings) -> dict[str, dict]:
    """The partitions' tables joined in the local engine's order. Each table is taken out of
    ``pieces`` as it is joined, so the pieces and the joined round are not held whole twice.
    ``comments`` None: the partitions also ingested (they carry ``ingest`` tables, ordered
    here by their place in the input)."""

    pieces = [piece for piece in pieces if piece is not None]  # partitions with respondents

    def joined(stage: str, name: str) -> pd.DataFrame:
        return pd.concat([piece[stage].pop(name) for piece in pieces], ignore_index=True)

    ingested = {}
    if comments is None:
        comments = joined("ingest", "comments").sort_values(
            ["_position", "_order"], kind="stable").drop(
            columns=["_position", "_order"]).reset_index(drop=True)
        respondents = joined("ingest", "respondents").sort_values(
            "_position", kind="stable").drop(columns="_position").reset_index(drop=True)
        ingested = {"ingest": {"comments": comments, "respondents": respondents}}
    position = {cid: i for i, cid in enumerate(comments["comment_id"])}

    def by_answer(frame: pd.DataFrame, *also: str) -> pd.DataFrame:
        keyed = frame.assign(_position=frame["comment_id"].map(position))
        return keyed.sort_values(["_position", *also], kind="stable").drop(
            columns="_position").reset_index(drop=True)

    cleaned = {"comments": by_answer(joined("clean", "comments")),
               "sentences": by_answer(joined("clean", "sentences"), "sentence_index"),
               "dropped": by_answer(joined("clean", "dropped"))}
    order = tag.theme_order(settings.themes)
    timeouts = sorted((hit for piece in pieces for hit in piece["tag"]["tags"].attrs.get(
        "regex_timeouts", [])), key=lambda hit: (hit["sentence_id"], hit["theme_id"]))
    tagged = {"tags": tag.sort_tags(joined("tag", "tags"), order),
              "comment_themes": tag.sort_comment_themes(joined("tag", "comment_themes"), order)}
    tagged["tags"].attrs = {"regex_timeouts": timeouts} if timeouts else {}
    return {**ingested, "clean": cleaned, "tag": tagged}


class DaskEngine:
    """A Dask client for one run: a LocalCluster it starts, or a running scheduler."""

    def __init__(self, cfg, announce: Callable[[str], None] | None = None) -> None:
        self.cfg = cfg
        self.announce = announce or (lambda message: log.info(message))
        self.client = None
        self.cluster = None
        self.record: dict = {}
        self._homes: dict[int, list[str]] = {}
        self._secret = None
        self._count = 0
        self._input: tuple[list[blocks.Plan], list[list[int]]] | None = None
        self._parts_folder: Path | None = None
        # the Parquet parts of tags.csv the workers wrote this run (``sorted_parts``)
        self.evidence_parts: list[Path] = []

    @property
    def holds_input(self) -> bool:
        """Whether ``read`` counted the input on the workers (ingest then runs there too)."""
        return self._input is not None

    def __enter__(self) -> Self:
        from pipeline.extras import require

        distributed = require("dask.distributed", "--engine dask")
        # the scheduler and nannies of a LocalCluster live in this process: their notes
        # (start-up, "still alive, killing" at shut-down) are not the user's business, and a
        # worker's "Compute Failed" traceback never reaches the user: the error is raised here
        logging.getLogger("distributed").setLevel(logging.ERROR)
        Client, LocalCluster = distributed.Client, distributed.LocalCluster

        if self.cfg.advanced.scheduler:
            try:
                self.client = Client(self.cfg.advanced.scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise ConfigError(
                    f"--scheduler {self.cfg.advanced.scheduler}: cannot reach the Dask "
                    f"scheduler ({exc}); "
                    "start one with 'dask scheduler' and workers with 'dask worker ADDRESS', "
                    "check the address, or leave --scheduler out to start a local cluster",
                    code="C019") from None
        else:
            self.cluster = LocalCluster(n_workers=self.cfg.workers, threads_per_worker=1,
                                        processes=True,
                                        memory_limit=self.cfg.advanced.worker_memory,
                                        dashboard_address="127.0.0.1:0",
                                        silence_logs=logging.CRITICAL)
            self.client = Client(self.cluster)
        workers = len(self.client.scheduler_info().get("workers", {}))
        self.record = {"name": "dask", "workers": workers,
                       "scheduler": self.cfg.advanced.scheduler or "LocalCluster"}
        self.announce(f"Dask: {workers} workers; dashboard {self.client.dashboard_link}")
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def write_parts_to(self, folder: Path) -> None:
        """Let the workers write the tag evidence per partition into ``folder`` (the run's
        artifacts), when every worker sees it as this process does; else they send it here
        as before, and the user is told."""
        import os
        import secrets

        from pipeline.io.writers import write_text

        folder.mkdir(parents=True, exist_ok=True)
        probe, token = folder / ".workers-see.tmp", secrets.token_hex(8)
        write_text(probe, token)

        def read(path: str) -> str:
            try:
                with open(path, encoding="utf-8") as handle:
                    return handle.read() if os.access(os.path.dirname(path), os.W_OK) else ""
            except OSError:
                return ""

        try:
            seen = self.client.run(read, str(probe))
        finally:
            probe.unlink(missing_ok=True)
        blind = [worker for worker, found in seen.items() if found != token]
        if blind:
            self.announce(f"Dask: worker {blind[0]} cannot write {folder} as this machine "
                          "sees it, so the tag evidence comes back here to be written")
            return
        self._parts_folder = folder

    def _evidence_part(self, number: int) -> Path | None:
        """Where partition ``number`` writes its tag evidence (None: it sends it back)."""
        from pipeline.io.sorted_parts import part_path

        if self._parts_folder is None:
            return None
        return part_path(self._parts_folder, "tag_evidence", number)

    def read(self, plans: list[blocks.Plan], max_rows: int | None) -> list[int] | None:
        """Count the rows of each planned input on the workers (each reads its blocks of the
        file with ``dask.dataframe``); the rows per file, or None when the workers cannot see
        a file or a block would read differently from the whole file (the caller then reads
        the files here, as before). Raises the reader's errors (no rows, over max_rows)."""
        import dask

        reason = self._unseen(plans)
        if reason is None:
            counted: list[list[int]] = []
            try:
                with dask.config.set({"dataframe.convert-string": False}):
                    for plan in plans:
                        sizes = [b.rows for b in plan.blocks]
                        unknown = [b for b in plan.blocks if b.rows is None]
                        if unknown:
                            frame = _frame(plan, unknown, [0] * len(unknown), "")
                            found = iter(frame.map_partitions(len).compute().tolist())
                            sizes = [n if n is not None else next(found) for n in sizes]
                        counted.append(sizes)
            except blocks.Unblockable as exc:
                reason = f"a stretch reads differently from the whole file ({exc})"
        if reason is not None:
            self.announce(f"Dask: reading the input here and sending it to the workers: {reason}")
            return None
        rows = [sum(sizes) for sizes in counted]
        for plan, total in zip(plans, rows, strict=True):
            blocks.check_rows(plan, total, max_rows)
        self._input = (plans, counted)
        return rows

    def _unseen(self, plans: list[blocks.Plan]) -> str | None:
        """Why the workers cannot read the input files themselves, or None when every worker
        sees each file at the same path with the same size."""
        import os

        def sizes(paths: list[str]) -> list[int]:
            return [os.path.getsize(p) if os.path.isfile(p) else -1 for p in paths]

        paths = [plan.path for plan in plans]
        mine = sizes(paths)
        for worker, theirs in self.client.run(sizes, paths).items():
            if theirs != mine:
                missing = next(p for p, a, b in zip(paths, mine, theirs, strict=True) if a != b)
                return f"worker {worker} does not see {missing} as this machine does"
        return None

    def run(self, comments: pd.DataFrame | None,
            settings) -> dict[str, dict[str, pd.DataFrame]]:
        """Clean and tag ``comments`` on the cluster; the tables in the local engine's order.
        ``comments`` None: ingest too, from the input ``read`` counted (on the workers)."""
        check_settings(settings)
        self._secret = settings.secret
        started = time.perf_counter()
        workers = max(1, self.record.get("workers", 1))
        shared = self.client.scatter(settings, broadcast=True)
        if comments is None:
            return self._run_from_blocks(settings, shared, workers, started)
        count = max(workers, math.ceil(len(comments) / self.cfg.advanced.partition_rows))
        parts = split(comments, count)
        self._count = count
        if not parts:  # no answers: nothing to ship
            return run_partition(comments, settings)[0]
        numbers = [partition_of(str(part["respondent_id"].iat[0]), count) for part in parts]
        # the partitions go to the workers now; the client keeps only their futures
        scattered = self.client.scatter(parts)
        del parts
        futures = self.client.map(run_partition, scattered, [shared] * len(numbers),
                                  [self._evidence_part(n) for n in numbers], pure=False)
        del scattered
        pieces = self._collect(futures, numbers, started, "clean+tag")
        self.record["input_read_by"] = "client"
        return reassemble(pieces, comments, settings)

    def _run_from_blocks(self, settings, shared, workers: int,
                         started: float) -> dict[str, dict[str, pd.DataFrame]]:
        """Ingest, clean and tag from the counted input: each block of each file read and
        ingested row by row on a worker and cut by respondent; each partition of respondents
        gathers its pieces from every block, finishes ingest and runs clean and tag."""
        import dask

        plans, counted = self._input
        answers = sum(counted_rows for sizes in counted for counted_rows in sizes) * len(
            settings.pipeline.input.text_columns)
        count = max(workers, math.ceil(answers / self.cfg.advanced.partition_rows))
        self._count = count
        block_results, position = [], 0
        with dask.config.set({"dataframe.convert-string": False}):
            for plan, sizes in zip(plans, counted, strict=True):
                firsts = list(itertools.accumulate(sizes[:-1], initial=plan.first_row))
                frame = _frame(plan, list(plan.blocks), firsts, Path(plan.path).name)
                for part, size in zip(frame.to_delayed(), sizes, strict=True):
                    block_results.append(dask.delayed(answers_of_block, pure=False)(
                        part, shared, position, count))
                    position += size
        block_futures = self.client.compute(block_results)
        del block_results
        numbers = list(range(count))
        futures = []
        for key in numbers:
            found = [self.client.submit(piece, future, key, pure=False)
                     for future in block_futures]
            futures.append(self.client.submit(run_gathered, shared, self._evidence_part(key),
                                              *found, pure=False))
        del block_futures
        pieces = self._collect(futures, numbers, started, "ingest+clean+tag")
        self.record |= {"input_read_by": "workers",
                        "input_blocks": sum(len(plan.blocks) for plan in plans)}
        return reassemble(pieces, None, settings)

    def _collect(self, futures: list, numbers: list[int], started: float,
                 what: str) -> list[dict]:
        """The partitions' tables as they finish (each fetched once, then released), with
        progress notes and the engine record."""
        from dask.distributed import as_completed

        total = len(futures)
        slot = {future.key: i for i, future in enumerate(futures)}
        pieces: list[dict | None] = [None] * total
        seconds: dict[str, float] = {}
        for done, future in enumerate(as_completed(futures), start=1):
            produced, spent = future.result()  # fetched once, then the worker lets it go
            i = slot[future.key]
            pieces[i] = produced
            if produced is not None and self._evidence_part(numbers[i]) is not None:
                self.evidence_parts.append(self._evidence_part(numbers[i]))
            # where the partition's sentences were embedded: discovery places them there
            self._homes[numbers[i]] = list(self.client.who_has([future]).get(future.key, ()))
            futures[i] = None
            future.release()
            for name, value in spent.items():
                seconds[name] = seconds.get(name, 0.0) + value
            elapsed = time.perf_counter() - started
            eta = elapsed / done * (total - done)
            self.announce(f"{what}: partition {done}/{total} done, "
                          f"{elapsed:.0f} s elapsed, about {eta:.0f} s to go")
        self.evidence_parts.sort()
        self.record |= {"partitions": total, "partition_rows": self.cfg.advanced.partition_rows,
                        "tag_evidence": "parts" if self.evidence_parts else "client",
                        "worker_seconds": {k: round(v, 3) for k, v in seconds.items()},
                        "wall_seconds": round(time.perf_counter() - started, 3)}
        return pieces

    def describe(self, docs: pd.DataFrame, tags: pd.DataFrame, comment_themes: pd.DataFrame,
                 settings, vectors=None) -> tuple:
        """Discovery's ``describe_documents`` on one worker (the round, or its describing
        sample): this process sends the documents and their tags and never loads the
        embedder, BERTopic, UMAP or HDBSCAN; -> as ``describe_documents`` gives it, the
        documents being ``docs`` with their ``cluster_id`` and ``on_topic``. ``vectors``
        are not used (``discover`` places with this only when none are given)."""
        from pipeline.io.dtypes import text_isin

        started = time.perf_counter()
        ids = docs["comment_id"]
        sent = self.client.scatter([docs, tags[text_isin(tags["comment_id"], ids)],
                                    comment_themes[text_isin(comment_themes["comment_id"], ids)]])
        future = self.client.submit(describe_on_worker, *sent, settings, thread_counts(),
                                    pure=False)
        del sent
        found, clusters, assigner = future.result()
        future.release()
        self.record["discover_described_on"] = "worker"
        self.announce(f"discover: {len(docs)} documents described on a worker in "
                      f"{time.perf_counter() - started:.0f} s")
        if found is None:
            return None, clusters, assigner
        return (docs.assign(cluster_id=found["cluster_id"].to_numpy(),
                            on_topic=found["on_topic"].to_numpy()), clusters, assigner)

    def assign(self, docs: pd.DataFrame, lookup: dict, assigner) -> tuple:
        """Discovery's ``assign_rest`` on the cluster: ``docs`` cut by respondent as clean and
        tag cut them, each piece placed on the worker that tagged it (whose embedding cache
        holds its vectors; any worker when that one is gone); -> (cluster ids, on_topic) in
        ``docs``' order."""
        import numpy as np
        from dask.distributed import as_completed

        from pipeline.discovery.assign import doc_keys

        started = time.perf_counter()
        workers = max(1, self.record.get("workers", 1))
        # the cut clean and tag used, so each piece has one home
        count = self._count or max(workers, math.ceil(len(docs) / self.cfg.advanced.partition_rows))
        keys = docs["respondent_id"].astype(str).map(lambda r: partition_of(r, count)).to_numpy()
        numbers = [k for k in range(count) if (keys == k).any()]
        positions = [np.flatnonzero(keys == k) for k in numbers]
        shared = self.client.scatter(assigner, broadcast=True)
        futures = []
        for number, where in zip(numbers, positions, strict=True):
            part = docs.iloc[where].reset_index(drop=True)
            wanted = {k: lookup[k] for k in doc_keys(part, assigner.unit) if k in lookup}
            home = self._homes.get(number, [])
            # sent now (to its home), so the client does not keep it in the task graph
            part, wanted = self.client.scatter([part, wanted], workers=home or None)
            futures.append(self.client.submit(place_partition, part, wanted, shared,
                                              self._secret, workers=home or None,
                                              allow_other_workers=True, pure=False))
        for done, _ in enumerate(as_completed(futures), start=1):
            elapsed = time.perf_counter() - started
            self.announce(f"discover: placed {done}/{len(futures)} partitions, "
                          f"{elapsed:.0f} s elapsed, about "
                          f"{elapsed / done * (len(futures) - done):.0f} s to go")
        labels = np.zeros(len(docs), dtype=int)
        on_topic = np.zeros(len(docs), dtype=bool)
        for where, (placed, flags) in zip(positions, self.client.gather(futures), strict=True):
            labels[where] = placed
            on_topic[where] = flags
        self.record["discover_partitions"] = len(futures)
        return labels, on_topic
