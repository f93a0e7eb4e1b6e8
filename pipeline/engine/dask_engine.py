"""Run clean and tag per partition of respondents on a Dask cluster (``--engine dask``).

Clean and tag are pure over respondents: duplicates are found within one respondent's answers
and every sentence is tagged on its own, so a round can be cut into partitions of respondents,
each partition cleaned and tagged on a worker, and the pieces put back in the order the local
engine gives (the tests compare the two byte for byte). Ingest (cheap; it numbers the answers
and pseudonymises ids) and discover, recommend and report (they need the whole round) run in
the client process, except that discovery of a round larger than its describing sample
(``discover.describe_sample_size``) sends the other documents back to the workers to be
embedded and placed among the clusters (``DaskEngine.assign``), on the worker that tagged
them when it is still there, so the client never holds their vectors. ``dask.distributed`` does the scheduling, the transfers and the worker
processes; this module only cuts, ships and reassembles.

Models are loaded once per worker process: the embedders are cached per process
(``pipeline.embed.pretrained``), and the settings travel to each worker once (scattered).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import Self

import pandas as pd

from pipeline.errors import ConfigError
from pipeline.stages import clean, tag
from pipeline.stages.schemas import call_stage

log = logging.getLogger(__name__)

STAGES = (clean, tag)


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


def run_partition(comments: pd.DataFrame, settings) -> tuple[dict, dict[str, float]]:
    """Clean and tag one partition (on a worker); the tables and the seconds each took."""
    from pipeline.embed.pretrained import use_cache_secret

    use_cache_secret(settings.secret)
    tables: dict[str, pd.DataFrame] = {"comments": comments}
    produced: dict[str, dict[str, pd.DataFrame]] = {}
    seconds: dict[str, float] = {}
    for stage in STAGES:
        started = time.perf_counter()
        produced[stage.NAME] = call_stage(stage, tables, settings)
        seconds[stage.NAME] = time.perf_counter() - started
        tables.update(produced[stage.NAME])
    return produced, seconds


def place_partition(docs: pd.DataFrame, lookup: dict, assigner, secret) -> tuple:
    """Discovery's placing of one partition of documents (on a worker)."""
    from pipeline.embed.pretrained import use_cache_secret
    from pipeline.stages.discover import assign_documents

    use_cache_secret(secret)
    return assign_documents(docs, lookup, assigner)


def reassemble(pieces: list[dict], comments: pd.DataFrame, settings) -> dict[str, dict]:
    """The partitions' tables joined in the local engine's order. Each table is taken out of
    ``pieces`` as it is joined, so the pieces and the joined round are not held whole twice."""
    position = {cid: i for i, cid in enumerate(comments["comment_id"])}

    def joined(stage: str, name: str) -> pd.DataFrame:
        return pd.concat([piece[stage].pop(name) for piece in pieces], ignore_index=True)

    def by_answer(frame: pd.DataFrame, *also: str) -> pd.DataFrame:
        keyed = frame.assign(_position=frame["comment_id"].map(position))
        return keyed.sort_values(["_position", *also], kind="stable").drop(
            columns="_position").reset_index(drop=True)

    cleaned = {"comments": by_answer(joined("clean", "comments")),
               "sentences": by_answer(joined("clean", "sentences"), "sentence_index"),
               "dropped": by_answer(joined("clean", "dropped"))}
    order = tag.theme_order(settings.themes)
    tagged = {"tags": tag.sort_tags(joined("tag", "tags"), order),
              "comment_themes": tag.sort_comment_themes(joined("tag", "comment_themes"), order)}
    return {"clean": cleaned, "tag": tagged}


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

    def __enter__(self) -> Self:
        from pipeline.extras import require

        distributed = require("dask.distributed", "--engine dask")
        Client, LocalCluster = distributed.Client, distributed.LocalCluster

        if self.cfg.scheduler:
            try:
                self.client = Client(self.cfg.scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise ConfigError(
                    f"--scheduler {self.cfg.scheduler}: cannot reach the Dask scheduler ({exc}); "
                    "start one with 'dask scheduler' and workers with 'dask worker ADDRESS', "
                    "check the address, or leave --scheduler out to start a local cluster",
                    code="C019") from None
        else:
            self.cluster = LocalCluster(n_workers=self.cfg.workers, threads_per_worker=1,
                                        processes=True, memory_limit=self.cfg.worker_memory,
                                        dashboard_address="127.0.0.1:0")
            self.client = Client(self.cluster)
        workers = len(self.client.scheduler_info().get("workers", {}))
        self.record = {"name": "dask", "workers": workers,
                       "scheduler": self.cfg.scheduler or "LocalCluster"}
        self.announce(f"Dask: {workers} workers; dashboard {self.client.dashboard_link}")
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def run(self, comments: pd.DataFrame, settings) -> dict[str, dict[str, pd.DataFrame]]:
        """Clean and tag ``comments`` on the cluster; the tables in the local engine's order."""
        from dask.distributed import as_completed

        check_settings(settings)
        self._secret = settings.secret
        started = time.perf_counter()
        workers = max(1, self.record.get("workers", 1))
        count = max(workers, math.ceil(len(comments) / self.cfg.partition_rows))
        parts = split(comments, count)
        self._count = count
        if not parts:  # no answers: nothing to ship
            return run_partition(comments, settings)[0]
        numbers = [partition_of(str(part["respondent_id"].iat[0]), count) for part in parts]
        total = len(parts)
        shared = self.client.scatter(settings, broadcast=True)
        # the partitions go to the workers now; the client keeps only their futures
        scattered = self.client.scatter(parts)
        del parts
        futures = self.client.map(run_partition, scattered, settings=shared, pure=False)
        del scattered
        slot = {future.key: i for i, future in enumerate(futures)}
        pieces: list[dict | None] = [None] * total
        seconds = {stage.NAME: 0.0 for stage in STAGES}
        for done, future in enumerate(as_completed(futures), start=1):
            produced, spent = future.result()  # fetched once, then the worker lets it go
            i = slot[future.key]
            pieces[i] = produced
            # where the partition's sentences were embedded: discovery places them there
            self._homes[numbers[i]] = list(self.client.who_has([future]).get(future.key, ()))
            futures[i] = None
            future.release()
            for name, value in spent.items():
                seconds[name] += value
            elapsed = time.perf_counter() - started
            eta = elapsed / done * (total - done)
            self.announce(f"clean+tag: partition {done}/{total} done, "
                          f"{elapsed:.0f} s elapsed, about {eta:.0f} s to go")
        self.record |= {"partitions": total, "partition_rows": self.cfg.partition_rows,
                        "worker_seconds": {k: round(v, 3) for k, v in seconds.items()},
                        "wall_seconds": round(time.perf_counter() - started, 3)}
        return reassemble(pieces, comments, settings)

    def assign(self, docs: pd.DataFrame, lookup: dict, assigner) -> tuple:
        """Discovery's ``assign_rest`` on the cluster: ``docs`` cut by respondent as clean and
        tag cut them, each piece placed on the worker that tagged it (whose embedding cache
        holds its vectors; any worker when that one is gone); -> (cluster ids, on_topic) in
        ``docs``' order."""
        import numpy as np
        from dask.distributed import as_completed

        from pipeline.stages.discover import doc_keys

        started = time.perf_counter()
        workers = max(1, self.record.get("workers", 1))
        # the cut clean and tag used, so each piece has one home
        count = self._count or max(workers, math.ceil(len(docs) / self.cfg.partition_rows))
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
