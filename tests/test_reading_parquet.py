"""Parquet columns of few distinct strings are read as dictionaries (issue 31, Deliver 2): the
loaded table, the rejected rows and the report's counts are those of the same rows read by
``pd.read_parquet`` (every string built) and passed as a DataFrame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cxkit as cx
from cxkit.data import formats


def _feedback(n: int = 30_000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    channel = rng.choice(["web", " App ", "e-mail", "N/A", "Télé­phone", "store"], n).astype(object)
    channel[rng.random(n) < 0.05] = None
    stage = rng.choice(["awareness", "Decision", "retention", "somewhere"], n, p=[0.4, 0.3, 0.2999, 0.0001])
    return pd.DataFrame(
        {
            "response_id": [f"R{i:06d}" for i in range(n)],
            "responded_at": rng.choice(["2026-10-01", "2026-10-02T09:30", "31/10/2026", "not a date"], n),
            "channel": pd.Series(channel, dtype="str"),
            "journey_stage": stage,
            "nps": rng.integers(0, 12, n),  # 11 is out of range
            "csat": rng.choice(["1", "2", "5", "9", "Ved ikke"], n),
            "segment": rng.choice(["SMB", "Enterprise", "Consumer"], n),
            "comment": rng.choice(["Bra", "Dålig  service", "", "Mail me at a@b.se"], n),
            "plan": pd.Series(rng.choice(["basic", "pro"], n), dtype="string"),  # pd.NA strings stay so
        }
    )


@pytest.fixture
def parquet_path(tmp_path):
    path = tmp_path / "feedback.parquet"
    # Small row groups: each chunk has its own dictionary, unified on reading.
    pq.write_table(pa.Table.from_pandas(_feedback(), preserve_index=False), path, row_group_size=7_000)
    return path


def test_few_valued_string_columns_are_read_as_dictionaries(parquet_path):
    raw = formats.read_file(parquet_path)
    assert set(raw.dictionary) == {"responded_at", "channel", "journey_stage", "csat", "segment", "comment"}
    assert "plan" not in raw.dictionary  # written as pandas' "string": read back as written
    reference = pd.read_parquet(parquet_path)
    assert list(raw.frame.columns) == list(reference.columns)
    for column in raw.dictionary:
        assert isinstance(raw.frame[column].dtype, pd.CategoricalDtype)
        decoded = cx.data._columns.decoded(raw.frame[column])
        pd.testing.assert_series_equal(decoded, reference[column])


@pytest.mark.parametrize(
    "options",
    [
        {"na_codes": {"csat": ["Ved ikke"]}, "max_rejected": 0.5},
        {"values": {"channel": {"e-mail": "email"}}, "na_codes": {"csat": ["Ved ikke"]}, "max_rejected": 0.5},
        {"columns": {"csat": "csat"}, "max_rejected": 0.9},  # "Ved ikke" rejected as not a number
    ],
)
def test_the_same_load_as_from_the_strings(parquet_path, options):
    loaded = cx.load_feedback(parquet_path, **options)
    reference = cx.load_feedback(pd.read_parquet(parquet_path), **options)
    pd.testing.assert_frame_equal(loaded.frame, reference.frame)
    pd.testing.assert_frame_equal(loaded.rejected, reference.rejected)
    assert loaded.report.reasons == reference.report.reasons
    assert (loaded.report.read, loaded.report.accepted, loaded.report.missing) == (
        reference.report.read,
        reference.report.accepted,
        reference.report.missing,
    )
    # The rejected rows show the cells as read (strings), and kept extras are strings too.
    assert loaded.rejected["segment"].dtype == reference.rejected["segment"].dtype
    assert len(loaded.rejected) > 0 and loaded.report.read == len(loaded.frame) + len(loaded.rejected)


def test_read_columns_and_a_period_filter_select_the_same_rows(tmp_path):
    frame = _feedback(5_000)
    frame["responded_at"] = pd.to_datetime("2026-09-20") + pd.to_timedelta(np.arange(5_000) * 10, unit="min")
    path = tmp_path / "typed.parquet"
    frame.to_parquet(path, index=False, row_group_size=1_000)
    period = {"column": "responded_at", "start": "2026-10-01", "end": "2026-10-15"}
    raw = formats.read_file(path, read_columns=["responded_at", "channel", "nps"], period=period)
    reference = pd.read_parquet(
        path,
        columns=["responded_at", "channel", "nps"],
        filters=[("responded_at", "<", pd.Timestamp("2026-10-15")), ("responded_at", ">=", pd.Timestamp("2026-10-01"))],
    )
    assert raw.dictionary == ["channel"] and list(raw.frame.columns) == ["responded_at", "channel", "nps"]
    assert len(raw.frame) == len(reference) > 0
    pd.testing.assert_series_equal(cx.data._columns.decoded(raw.frame["channel"]), reference["channel"])


def test_an_index_written_by_pandas_is_dropped_as_before(tmp_path):
    frame = _feedback(2_000).set_index("response_id", drop=False)
    frame.index.name = "rid"
    path = tmp_path / "indexed.parquet"
    frame.to_parquet(path)
    raw = formats.read_file(path)
    reference = pd.read_parquet(path).reset_index(drop=True)
    assert list(raw.frame.columns) == list(reference.columns) and "rid" not in raw.frame.columns
    assert raw.dictionary and len(raw.frame) == len(reference)
