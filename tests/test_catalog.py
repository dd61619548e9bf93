"""The data catalog: YAML -> configured readers, with clear errors."""

from __future__ import annotations

import pandas as pd
import pytest

import cxkit as cx
from cxkit.errors import CatalogError


def _catalog(tmp_path, text, name="cat.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


CSV = "response_id,responded_at,nps,q_support\nr1,2026-01-01,9,8\nr2,2026-01-02,3,2\nr3,2026-01-03,11,5\n"


def test_catalog_configures_the_readers_relative_to_its_folder(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "fb.csv").write_text(CSV)
    path = _catalog(
        tmp_path,
        """
version: 1
defaults: {max_rejected: 0.5}
sources:
  feedback:
    path: data/fb.csv
    drivers: {support: q_support}
settings: {themes: {price: [expensive]}}
""",
    )
    catalog = cx.load_catalog(path)
    loaded = catalog["feedback"]
    assert loaded.frame["support"].tolist() == [8, 2]
    assert loaded.rejected["line"].tolist() == [4]
    assert catalog.settings["themes"]["price"] == ["expensive"]
    assert (tmp_path / "data").resolve() in catalog.data_dirs
    summary = catalog.validate(out=tmp_path / "out")
    assert summary.loc[0, ["read", "accepted", "rejected"]].tolist() == [3, 2, 1]
    assert (tmp_path / "out" / "feedback.rejected.csv").exists()


def test_unusable_source_is_reported_not_raised_by_validate(tmp_path):
    (tmp_path / "fb.csv").write_text(CSV)
    catalog = cx.load_catalog(_catalog(tmp_path, "sources:\n  feedback: {path: fb.csv}\n"))
    summary = catalog.validate()
    assert not summary.loc[0, "usable"] and "more than the 5% allowed" in summary.loc[0, "error"]
    assert summary.loc[0, "rejected"] == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("[1, 2]", "non-empty 'sources:' section"),
        ("sources: {}", "non-empty 'sources:' section"),
        ("sources:\n  fb: {path: x.csv}\n", "table must be one of"),
        (
            "sources:\n  feedback: {path: x.csv, drivres: [a]}\n",
            "unknown option\\(s\\) 'drivres' \\(did you mean 'drivers'\\?\\)",
        ),
        ("sources:\n  feedback: {path: x.csv, sql: {url: 'duckdb:///x'}}\n", "exactly one of path"),
        ("sources:\n  feedback: {sql: {table: x}}\n", "sql: needs a mapping with url"),
        ("sorces:\n  a: 1\nsources:\n  feedback: {path: x}\n", "unknown top-level key"),
        ("sources: [\n", "not valid YAML"),
    ],
)
def test_malformed_catalogs_name_the_problem(tmp_path, text, message):
    with pytest.raises(CatalogError, match=message):
        cx.load_catalog(_catalog(tmp_path, text))


def test_missing_catalog_and_missing_env_var(tmp_path, monkeypatch):
    with pytest.raises(CatalogError, match="no such catalog file"):
        cx.load_catalog(tmp_path / "nope.yaml")
    monkeypatch.delenv("CXKIT_TEST_PW", raising=False)
    catalog = cx.load_catalog(
        _catalog(tmp_path, "sources:\n  customers: {sql: {url: 'postgresql://u:${CXKIT_TEST_PW}@h/db', table: c}}\n")
    )
    with pytest.raises(cx.CxkitError, match="CXKIT_TEST_PW") as info:
        catalog["customers"]
    assert "u:" not in str(info.value) or "***" in str(info.value)
    monkeypatch.setenv("CXKIT_TEST_PW", "s3cret")
    (tmp_path / "fb.csv").write_text(CSV)
    path = _catalog(tmp_path, "sources:\n  feedback: {path: '${CXKIT_TEST_DIR}/fb.csv', max_rejected: 1}\n", "env.yaml")
    monkeypatch.setenv("CXKIT_TEST_DIR", str(tmp_path))
    assert cx.load_catalog(path)["feedback"].report.read == 3


def test_unknown_source_name(tmp_path):
    (tmp_path / "fb.csv").write_text(CSV)
    catalog = cx.load_catalog(_catalog(tmp_path, "sources:\n  feedback: {path: fb.csv}\n"))
    with pytest.raises(KeyError, match="no source named 'reviews'"):
        catalog["reviews"]
    with pytest.raises(CatalogError, match=r"no source\(s\) named \['x'\]"):
        cx.load_catalog(catalog.path, only=["x"])


def test_sql_source_in_a_catalog_with_a_relative_duckdb_path(tmp_path):
    import duckdb

    con = duckdb.connect(str(tmp_path / "cx.duckdb"))
    con.execute("CREATE TABLE customers (customer_id VARCHAR PRIMARY KEY, churned BOOLEAN, tenure_months DOUBLE)")
    con.execute("INSERT INTO customers VALUES ('a', true, 3.5), ('b', false, 12), ('c', NULL, 1)")
    con.close()
    path = _catalog(
        tmp_path, "sources:\n  customers: {sql: {url: 'duckdb:///cx.duckdb', table: customers}, max_rejected: 0.5}\n"
    )
    loaded = cx.load_catalog(path)["customers"]
    assert loaded.frame["customer_id"].tolist() == ["a", "b"] and loaded.report.format == "sql"
    assert loaded.rejected["reason"].tolist() == ["churned: missing (required)"]


def test_snapshot_reads_back_the_same_tables_rejections_and_reports(tmp_path):
    (tmp_path / "fb.csv").write_text(CSV + "r4,2026-01-04,7,x\n")
    (tmp_path / "cu.csv").write_text("customer_id,churned,segment,tenure_months\na,Yes,SMB,3\nb,No,<b>Ent</b>,\n")
    catalog = cx.load_catalog(
        _catalog(
            tmp_path,
            "sources:\n  feedback: {path: fb.csv, drivers: {support: q_support}, max_rejected: 0.5}\n"
            "  customers: {path: cu.csv}\nsettings: {themes: {a: [b]}}\n",
        )
    )
    snap = cx.load_catalog(catalog.snapshot(tmp_path / "snap"))
    assert snap.settings == {"themes": {"a": ["b"]}}
    for name in ("feedback", "customers"):
        original, copy = catalog[name], snap[name]
        pd.testing.assert_frame_equal(original.frame, copy.frame)
        assert original.rejected.astype(str).equals(copy.rejected.astype(str))
        assert original.report == copy.report and copy.frame.attrs == original.frame.attrs
    fresh = cx.load_catalog(snap.path)
    pd.testing.assert_frame_equal(fresh.validate(), catalog.validate())
    pd.testing.assert_frame_equal(cx.rejection_reasons(fresh), cx.rejection_reasons(catalog))
    assert fresh._cache == {}  # the summary came from the load reports: no table was read


@pytest.fixture(scope="module")
def sample_and_snapshot(tmp_path_factory):
    catalog = cx.load_catalog(cx.DEFAULT_CATALOG)
    snap = cx.load_catalog(catalog.snapshot(tmp_path_factory.mktemp("snap")))
    return catalog, snap


@pytest.mark.parametrize(
    "name,columns,month,through",
    [
        ("feedback", ["comment", "responded_at", "language"], "2026-10", False),
        ("reviews", None, "2026-02", False),
        ("journey", ["customer_id", "journey_stage", "occurred_at"], "2026-09", True),
        ("customers", ["customer_id", "churned"], None, False),
    ],
)
def test_read_pushes_columns_and_months_down_to_the_snapshot(sample_and_snapshot, name, columns, month, through):
    catalog, snap = sample_and_snapshot
    pushed = snap.read(name, columns=columns, month=month, through=through)
    assert pushed.attrs["pushdown"] is True and pushed.attrs["table"] == name
    # Independent reference: the whole validated table, filtered in pandas.
    full = catalog[name].frame
    if month:
        time = {"feedback": "responded_at", "reviews": "published_at", "journey": "occurred_at"}[name]
        period = pd.Period(month, "M")
        keep = full[time] < (period + 1).start_time
        if not through:
            keep &= full[time] >= period.start_time
        full = full[keep]
    expected = (full[columns] if columns else full).reset_index(drop=True)
    pd.testing.assert_frame_equal(pushed, expected)
    in_memory = catalog.read(name, columns=columns, month=month, through=through)
    assert in_memory.attrs["pushdown"] is False
    pd.testing.assert_frame_equal(in_memory, expected)


def test_read_skips_row_groups_outside_the_month(sample_and_snapshot, monkeypatch):
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    _, snap = sample_and_snapshot
    path = snap.resolve(snap.entries["journey"]["snapshot"]).with_suffix(".parquet")
    # A snapshot sorted by time in small row groups: a month lies in a few of them.
    sorted_path = path.with_name("journey_sorted.parquet")
    pq.write_table(pq.read_table(path).sort_by("occurred_at"), sorted_path, row_group_size=5_000)
    seen = {}
    real = pd.read_parquet

    def spy(p, **kwargs):
        seen.update(kwargs)
        return real(sorted_path, **kwargs)

    monkeypatch.setattr(pd, "read_parquet", spy)
    october = cx.load_catalog(snap.path).read("journey", columns=["occurred_at"], month="2026-10")
    assert october["occurred_at"].between("2026-10-01", "2026-10-31 23:59:59.999").all()
    assert seen["columns"] == ["occurred_at"] and seen["filters"]
    # The filter handed to the reader prunes whole row groups by their statistics.
    fragment = next(iter(ds.dataset(sorted_path).get_fragments()))
    expression = (ds.field("occurred_at") < pd.Timestamp("2026-11-01")) & (
        ds.field("occurred_at") >= pd.Timestamp("2026-10-01")
    )
    kept = fragment.split_by_row_group(expression)
    assert 0 < len(kept) < pq.ParquetFile(sorted_path).num_row_groups / 4


def test_read_errors_name_the_fix(sample_and_snapshot):
    catalog, snap = sample_and_snapshot
    with pytest.raises(ValueError, match="no event time; read it without month="):
        snap.read("customers", month="2026-10")
    with pytest.raises(KeyError, match=r"no column\(s\) \['nope'\]; it has"):
        snap.read("feedback", columns=["nope"])
    with pytest.raises(ValueError, match="YYYY-MM"):
        catalog.read("feedback", month="October")


def _feedback_rows(n=600):
    """Survey responses over three months, with the event time as a real timestamp."""
    times = pd.date_range("2026-08-01", periods=n, freq="4h")  # 2026-08-01 .. 2026-11-09
    return pd.DataFrame(
        {
            "response_id": [f"r{i}" for i in range(n)],
            "Responded": times,
            "nps": [i % 11 for i in range(n)],
            "comment": [f"c{i}" for i in range(n)],
        }
    )


@pytest.mark.parametrize("kind", ["parquet", "parquet-text", "duckdb", "duckdb-text"])
def test_read_pushes_the_month_down_to_parquet_files_and_sql_tables(tmp_path, kind):
    import duckdb

    rows = _feedback_rows()
    if kind.endswith("-text"):
        rows["Responded"] = rows["Responded"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    if kind.startswith("parquet"):
        rows.to_parquet(tmp_path / "fb.parquet", index=False, row_group_size=50)
        source = "path: fb.parquet"
    else:
        con = duckdb.connect(str(tmp_path / "cx.duckdb"))
        con.register("rows", rows)
        con.execute("CREATE TABLE feedback AS SELECT * FROM rows")
        con.close()
        source = "sql: {url: 'duckdb:///cx.duckdb', table: feedback}"
    catalog = cx.load_catalog(
        _catalog(tmp_path, f"sources:\n  feedback: {{{source}, columns: {{responded_at: Responded}}}}\n")
    )
    september = catalog.read("feedback", columns=["response_id", "responded_at", "nps"], month="2026-09")
    # Independent reference: the rows of September, chosen in pandas from the generating frame.
    times = pd.to_datetime(rows["Responded"])
    expected = rows.loc[(times >= "2026-09-01") & (times < "2026-10-01"), "response_id"].tolist()
    assert september["response_id"].tolist() == expected and len(expected) == 180
    assert list(september.columns) == ["response_id", "responded_at", "nps"]
    assert september.attrs["pushdown"] is (not kind.endswith("-text"))
    assert "feedback" not in catalog._cache  # the whole table was never loaded
    through = catalog.read("feedback", month="2026-09", through=True)
    assert len(through) == int((times < "2026-10-01").sum())
    with pytest.raises(KeyError, match="no source named 'customers'"):
        catalog.read("customers")


def test_sql_period_is_for_tables_not_queries():
    from cxkit.data.sql import read_sql
    from cxkit.errors import SourceError

    with pytest.raises(SourceError, match="`period` applies to `table` only"):
        read_sql(
            "duckdb:///:memory:", query="SELECT 1 AS a", period={"column": "a", "start": None, "end": "2026-01-01"}
        )


def test_scan_gives_big_tables_as_dask_and_small_ones_as_pandas(sample_and_snapshot):
    import dask.dataframe as dd

    catalog, snap = sample_and_snapshot
    fresh = cx.load_catalog(snap.path)
    n = len(catalog["journey"].frame)
    assert fresh.rows("journey") == n and fresh._cache == {}  # counted from the load report
    small = fresh.scan("journey")
    assert isinstance(small, pd.DataFrame) and len(small) == n
    big = fresh.scan("journey", big=n, columns=["customer_id", "occurred_at"])
    assert isinstance(big, dd.DataFrame) and list(big.columns) == ["customer_id", "occurred_at"]
    pd.testing.assert_frame_equal(
        big.compute().reset_index(drop=True),
        catalog["journey"].frame[["customer_id", "occurred_at"]],
        check_dtype=False,
    )


def test_asking_whether_a_catalog_has_a_source_reads_nothing():
    # Mapping's own `in` reads the source: the pack runner loaded every source a second time
    # (8.4 GiB held at 10x) just to check that the notebooks' sources were there.
    catalog = cx.load_catalog(cx.DEFAULT_CATALOG)
    assert "feedback" in catalog and "nope" not in catalog and "journey" in catalog.keys()
    assert catalog._cache == {}
    assert len(catalog["feedback"].frame) > 0 and "feedback" in catalog._cache
