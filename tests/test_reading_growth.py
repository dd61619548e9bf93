"""The readers' steps that kept a load of 10M rows from growing linearly (issue 31 Deliver 6).

Loading 1M reviews took two fast paths that 10M reviews missed: the duplicate-id check compared
ids in order with their neighbours, but the 10x input (ten sorted exports joined) is in ten runs
of ascending order and was hashed whole; and the accepted rows were slices of the read memory
only up to 4,096 runs, which 10M rows with 5,000 rejected ones exceed. Each path is checked here
against pandas doing the same thing row by row (the brute-force reference).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import cxkit as cx
from cxkit.data import readers


def _arrow_series(ids: list[str | None], chunks: int) -> pd.Series:
    parts = np.array_split(np.arange(len(ids)), chunks)
    return pd.Series(
        pd.arrays.ArrowStringArray(
            pa.chunked_array([pa.array([ids[i] for i in p], type=pa.large_string()) for p in parts])
        )
    )


def _expected(ids: list[str | None], rows: np.ndarray) -> np.ndarray:
    """pandas' ``duplicated(keep="first")`` among the candidate rows (nulls never duplicates)."""
    candidates = pd.Series(ids, dtype=object)[rows]
    expected = np.zeros(len(ids), dtype=bool)
    expected[np.flatnonzero(rows)] = (candidates.duplicated(keep="first") & candidates.notna()).to_numpy()
    return expected


@pytest.mark.parametrize("seed", range(6))
def test_duplicates_of_ids_in_sorted_runs_are_pandas_duplicated(seed):
    """Ids in a few ascending runs, with duplicates inside runs, across runs (in the ranges the
    runs share) and among rows that are not candidates; ids beyond ASCII too (Python orders str
    by code point, pyarrow by UTF-8 byte: the same order)."""
    rng = np.random.default_rng(seed)
    runs = int(rng.integers(2, readers._SORTED_RUNS + 1))
    ids: list[str | None] = []
    for _ in range(runs):
        size = int(rng.integers(1, 300))
        # each run draws from an overlapping window of a shared id space, so runs share ids
        low = int(rng.integers(0, 500))
        drawn = rng.integers(low, low + 200, size)
        ids += sorted(f"{'éx'[int(v) % 2]}{v:04d}" if v % 3 else f"R{v}" for v in drawn)
    rows = rng.random(len(ids)) < 0.85
    series = _arrow_series(ids, int(rng.integers(1, 4)))
    starts = np.flatnonzero(np.array(ids[1:]) < np.array(ids[:-1])) + 1
    assert 1 <= len(starts) < readers._SORTED_RUNS  # the runs' path, not the hashing one
    got = readers._duplicates(series, rows)
    expected = _expected(ids, rows)
    assert expected.sum() > 10 and (got == expected).all()


def test_duplicates_in_runs_take_no_whole_column_dictionary(monkeypatch):
    """Across runs only the rows inside another run's range are hashed: two sorted exports whose
    ids meet in a short overlap hash the overlap, not the column."""
    ids = [f"A{i:05d}" for i in range(3000)] + [f"A{i:05d}" for i in range(2990, 6000)]
    hashed: list[int] = []
    real = readers._duplicate_hashes
    monkeypatch.setattr(
        readers, "_duplicate_hashes", lambda values, rows: hashed.append(len(values)) or real(values, rows)
    )
    rows = np.ones(len(ids), dtype=bool)
    got = readers._duplicates(_arrow_series(ids, 2), rows)
    assert (got == _expected(ids, rows)).all() and got.sum() == 10
    assert hashed == [20]  # A02990..A02999 in each run


def test_duplicates_fall_back_to_hashing_beyond_the_runs(monkeypatch):
    rng = np.random.default_rng(7)
    ids = [f"E{v:04d}" for v in rng.integers(0, 400, 2000)]  # unsorted: hundreds of runs
    rows = rng.random(len(ids)) < 0.9
    hashed: list[int] = []
    real = readers._duplicate_hashes
    monkeypatch.setattr(
        readers, "_duplicate_hashes", lambda values, rows: hashed.append(len(values)) or real(values, rows)
    )
    got = readers._duplicates(_arrow_series(ids, 3), rows)
    assert hashed == [len(ids)] and (got == _expected(ids, rows)).all()


@pytest.mark.parametrize("runs_allowed", [4096, 8])
def test_accepted_rows_are_the_rows_kept_whatever_the_runs(monkeypatch, runs_allowed):
    """``_rows`` is ``frame.loc[mask]`` renumbered, sliced or copied; the runs' bound now grows
    with the rows (at least :data:`readers._RUN_ROWS` rows a run on average)."""
    monkeypatch.setattr(readers, "_SLICED_RUNS", runs_allowed)
    monkeypatch.setattr(readers, "_RUN_ROWS", 50)
    rng = np.random.default_rng(3)
    n = 5000
    frame = pd.DataFrame(
        {
            "text": pd.array([f"t{i} ø" for i in range(n)], dtype="str"),
            "rating": pd.array(rng.integers(1, 6, n), dtype="Int64"),
            "when": pd.date_range("2026-01-01", periods=n, freq="min"),
        }
    )
    mask = np.ones(n, dtype=bool)
    mask[rng.choice(n, 60, replace=False)] = False  # about 60 runs: more than 8, fewer than 5000 / 50
    got = readers._rows(frame, mask)
    pd.testing.assert_frame_equal(got, frame.loc[mask].reset_index(drop=True))
    text = got["text"].array.__arrow_array__()
    # sliced: one chunk per run, over the same memory as the frame's
    assert text.num_chunks > 50
    assert text.chunk(0).buffers()[2].address == frame["text"].array.__arrow_array__().chunk(0).buffers()[2].address


def test_a_load_with_many_rejected_rows_and_ids_in_runs_is_the_row_by_row_answer(tmp_path, monkeypatch):
    """The whole reader with both paths taken (small bounds): the accepted rows and the rejected
    rows are those pandas finds row by row."""
    monkeypatch.setattr(readers, "_SLICED_RUNS", 4)
    monkeypatch.setattr(readers, "_RUN_ROWS", 20)
    rng = np.random.default_rng(11)
    n = 2000
    # two exports appended: ids in two ascending runs that share R00900..R00999
    numbers = np.concatenate([np.arange(0, 1000), np.arange(900, 1900)])
    ratings = rng.integers(1, 6, n).astype(object)
    ratings[rng.choice(n, 40, replace=False)] = 9  # out of range: rejected
    raw = pd.DataFrame(
        {
            "review_id": [f"R{v:05d}" for v in numbers],
            "published_at": "2026-10-01",
            "rating": ratings,
            "text": [f"text {i}" for i in range(n)],
        }
    )
    path = tmp_path / "reviews.csv"
    raw.to_csv(path, index=False)
    loaded = cx.load_reviews(path, max_rejected=0.2)
    # ids are checked before ratings, each row keeps its first reason, and a row with a bad
    # rating still holds its id first (the order of the checks: readers._validate)
    out_of_range = raw["rating"].to_numpy() == 9
    duplicate = raw["review_id"].duplicated(keep="first").to_numpy()
    kept = ~out_of_range & ~duplicate
    assert loaded.frame["review_id"].tolist() == raw["review_id"][kept].tolist()
    assert loaded.frame["text"].tolist() == raw["text"][kept].tolist()
    assert loaded.rejected["line"].tolist() == (np.flatnonzero(~kept) + 2).tolist()
    assert duplicate.sum() == 100 and (out_of_range & ~duplicate).sum() > 30
    assert loaded.report.reasons == {
        "rating: outside 1–5": int((out_of_range & ~duplicate).sum()),
        "review_id: duplicate id": 100,
    }
