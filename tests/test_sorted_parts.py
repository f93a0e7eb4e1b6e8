"""Tables kept as sorted Parquet parts and merged in batches (``pipeline.io.sorted_parts``):
the merged file has the bytes ``write_csv`` gives the whole table, with or without review
decisions, however the batches cut the parts (issue 29 item 3)."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from pipeline.decisions import Decision, reviewed_tag_chunks, reviewed_tags
from pipeline.io import sorted_parts
from pipeline.io.writers import is_partial, write_csv

THEMES = ["parking", "staff", "food"]
LAYERS = ["keyword", "pattern", "semantic"]


def _evidence(seed: int, comments: int) -> pd.DataFrame:
    """tags.csv's rows in its order (comment, theme, sentence, layer): several rows per
    comment, texts that a spreadsheet would read as formulas, missing margins."""
    rng = random.Random(seed)
    rows = []
    for c in range(comments):
        comment_id = f"r{rng.randrange(10**6):06d}.q{c % 2}"
        for theme in sorted(rng.sample(THEMES, rng.randint(1, 3)), key=THEMES.index):
            for index in range(rng.randint(1, 3)):
                layer = rng.choice(LAYERS)
                rows.append({
                    "comment_id": comment_id, "sentence_index": index,
                    "sentence": rng.choice(["=SUM(A1)", "Parking, again.", "ok \"fine\""]),
                    "theme": theme, "layer": layer, "score": rng.choice([1.0, 0.8125, 0.1]),
                    "evidence": "car park", "runner_up": "",
                    "margin": rng.choice([float("nan"), 0.25]), "assigned_by": "machine",
                    "method": layer, "config_version": "abc", "assigned_at": "2026-01-01",
                    "review": ""})
    frame = pd.DataFrame(rows).drop_duplicates(["comment_id", "theme", "sentence_index",
                                                "layer"])
    keys = frame.assign(_t=frame["theme"].map(THEMES.index))
    return frame.loc[keys.sort_values(["comment_id", "_t", "sentence_index"],
                                      kind="stable").index].reset_index(drop=True)


def _parts(evidence: pd.DataFrame, folder: Path, count: int) -> list[Path]:
    """``evidence`` cut by comment into ``count`` parts, each in the whole's order."""
    number = evidence["comment_id"].map(lambda c: sum(map(ord, c)) % count)
    return [sorted_parts.write_part(folder, "tag_evidence", k,
                                    evidence[number == k].reset_index(drop=True))
            for k in range(count)]


@pytest.mark.parametrize("batch_rows", [1, 3, 7, 1000])
@pytest.mark.parametrize("count", [1, 3])
def test_the_merged_parts_have_the_whole_tables_bytes(tmp_path: Path, batch_rows: int,
                                                      count: int) -> None:
    evidence = _evidence(5, 40)
    write_csv(tmp_path / "whole.csv", evidence)
    parts = _parts(evidence, tmp_path, count)
    assert all(is_partial(part.name) for part in parts)  # never listed, removed on resume
    chunks = sorted_parts.merged([sorted_parts.read_batches(p, batch_rows) for p in parts],
                                 "comment_id")
    sorted_parts.write_csv_chunks(tmp_path / "merged.csv", chunks, list(evidence.columns))
    assert (tmp_path / "merged.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert sorted_parts.rows_of_parts(parts) == len(evidence)


def test_a_comment_cut_by_a_batch_comes_whole_in_one_chunk(tmp_path: Path) -> None:
    evidence = _evidence(9, 30)
    parts = _parts(evidence, tmp_path, 2)
    seen: set[str] = set()
    for chunk in sorted_parts.merged([sorted_parts.read_batches(p, 2) for p in parts],
                                     "comment_id"):
        assert not seen & set(chunk["comment_id"])
        seen |= set(chunk["comment_id"])
    assert seen == set(evidence["comment_id"])


def test_no_rows_gives_the_header_only(tmp_path: Path) -> None:
    empty = _evidence(1, 3).iloc[:0]
    write_csv(tmp_path / "whole.csv", empty)
    parts = _parts(empty, tmp_path, 2)
    chunks = sorted_parts.merged([sorted_parts.read_batches(p) for p in parts], "comment_id")
    sorted_parts.write_csv_chunks(tmp_path / "merged.csv", chunks, list(empty.columns), empty)
    assert (tmp_path / "merged.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()


@pytest.mark.parametrize("batch_rows", [1, 4, 1000])
def test_review_decisions_merge_as_on_the_whole_table(tmp_path: Path, batch_rows: int) -> None:
    evidence = _evidence(3, 25)
    ids = list(dict.fromkeys(evidence["comment_id"]))
    tagged = set(zip(evidence["comment_id"], evidence["theme"], strict=True))
    decided = [Decision("2026-02-01T10:00:00Z", "ana", ids[0], "food", "add"),
               Decision("2026-02-01T10:01:00Z", "ana", ids[3], "parking", "reject"),
               Decision("2026-02-01T10:02:00Z", "bo", ids[5], "staff", "accept"),
               Decision("2026-02-01T10:03:00Z", "bo", ids[7], "new_theme", "add"),
               Decision("2026-02-01T10:04:00Z", "bo", ids[7], "parking", "add")]
    write_csv(tmp_path / "whole.csv", reviewed_tags(evidence, decided, THEMES))
    parts = _parts(evidence, tmp_path, 3)
    chunks = reviewed_tag_chunks([sorted_parts.read_batches(p, batch_rows) for p in parts],
                                 decided, THEMES, tagged, list(evidence.columns))
    sorted_parts.write_csv_chunks(tmp_path / "merged.csv", chunks, list(evidence.columns))
    whole = (tmp_path / "whole.csv").read_bytes()
    assert b"review" in whole and b"new_theme" in whole  # the decisions changed something
    assert (tmp_path / "merged.csv").read_bytes() == whole


@pytest.mark.parametrize("kept", [0, 2])
def test_decisions_that_add_no_row_or_none_merge_as_on_the_whole_table(tmp_path: Path,
                                                                        kept: int) -> None:
    # no decision, or only decisions on machine tags (a reject, an accept): no row of its own
    evidence = _evidence(3, 25)
    ids = list(dict.fromkeys(evidence["comment_id"]))
    tagged = set(zip(evidence["comment_id"], evidence["theme"], strict=True))
    pairs = [pair for pair in dict.fromkeys(zip(evidence["comment_id"], evidence["theme"],
                                                strict=True)) if pair[0] in ids[2:6]]
    decided = [Decision("2026-02-01T10:01:00Z", "ana", *pairs[0], "reject"),
               Decision("2026-02-01T10:02:00Z", "bo", *pairs[-1], "accept")][:kept]
    write_csv(tmp_path / "whole.csv", reviewed_tags(evidence, decided, THEMES))
    parts = _parts(evidence, tmp_path, 3)
    chunks = reviewed_tag_chunks([sorted_parts.read_batches(p, 4) for p in parts],
                                 decided, THEMES, tagged, list(evidence.columns))
    sorted_parts.write_csv_chunks(tmp_path / "merged.csv", chunks, list(evidence.columns))
    whole = (tmp_path / "whole.csv").read_bytes()
    assert (b"reject" in whole) == bool(kept)
    assert (tmp_path / "merged.csv").read_bytes() == whole
