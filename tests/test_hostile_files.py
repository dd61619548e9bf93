"""Hostile and damaged input files (issue 24, Deliver 4): a bad cell is a rejected row with a
reason, a bad file a CxkitError naming the file, where, and the fix; never silently wrong data,
a raw exception, a MemoryError or a hang. Every case of the issue's "Silent wrong data" and "One
bad cell or file ends in a raw exception" paragraphs has a test here; each load checks that
accepted + rejected = read."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import cxkit as cx
from cxkit.data.formats import decode_bytes, read_file
from cxkit.errors import CxkitError, SchemaError, SourceError

REVIEWS = "review_id,published_at,rating,text,source\n"


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _rows(n: int, start: int = 1) -> str:
    return "".join(f"r{i},2026-10-0{i % 9 + 1},4,fint,web\n" for i in range(start, start + n))


def _balanced(loaded: cx.data.readers.Loaded) -> cx.data.readers.Loaded:
    assert len(loaded.frame) + len(loaded.rejected) == loaded.report.read
    assert loaded.report.accepted + loaded.report.rejected == loaded.report.read
    return loaded


def _reasons(loaded: cx.data.readers.Loaded) -> dict[int, str]:
    return dict(zip(loaded.rejected["line"].tolist(), loaded.rejected["reason"].tolist()))


# --------------------------------------------------------------------------- Excel


def _workbook(path: Path, *, hidden_first: bool = False) -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    if hidden_first:
        old = workbook.active
        old.title = "Old"
        old.append(["review_id", "published_at", "rating", "text"])
        for i in range(40):
            old.append([f"old{i}", "2020-01-01", 1, "old"])
        old.sheet_state = "hidden"
        sheet = workbook.create_sheet("Export")
    else:
        sheet = workbook.active
        sheet.title = "Export"
    sheet.append(["review_id", "published_at", "rating", "text", "source"])
    for i in range(10):
        sheet.append([f"r{i}", "2026-10-01", 4, "fine", "web"])
    return workbook


def test_a_hidden_first_sheet_is_skipped_and_the_note_names_the_sheet_read(tmp_path):
    path = tmp_path / "hidden.xlsx"
    _workbook(path, hidden_first=True).save(path)
    loaded = _balanced(cx.load_reviews(path))
    assert loaded.report.read == 10 and loaded.frame["review_id"].tolist()[:2] == ["r0", "r1"]
    assert any("sheet 'Export' read: the first visible sheet" in n and "'Old'" in n for n in loaded.report.notes)
    # Named, the hidden sheet is read, and the note says it is hidden.
    old = _balanced(cx.load_reviews(path, sheet="Old", max_rejected=1))
    assert old.report.read == 40 and any("hidden sheet, read because it was named" in n for n in old.report.notes)


def test_every_sheet_hidden_is_a_clear_error(tmp_path):
    path = tmp_path / "all_hidden.xlsx"
    workbook = _workbook(path, hidden_first=True)
    workbook["Export"].sheet_state = "hidden"
    workbook.active = 0
    # openpyxl refuses to save a workbook without a visible sheet; write it, then hide the last in the XML.
    workbook["Old"].sheet_state = "visible"
    workbook.save(path)
    data = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            data[name] = archive.read(name)
    data["xl/workbook.xml"] = data["xl/workbook.xml"].replace(b'state="visible"', b'state="hidden"')
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in data.items():
            archive.writestr(name, content)
    with pytest.raises(SourceError, match=r"all_hidden\.xlsx: every sheet is hidden.*sheet option"):
        cx.load_reviews(path)


def test_merged_cells_in_one_column_are_filled_and_noted_others_noted(tmp_path):
    path = tmp_path / "merged.xlsx"
    workbook = _workbook(path)
    sheet = workbook["Export"]
    for row in (4, 5, 6):
        sheet[f"E{row}"] = None
    sheet["E4"] = "shop"
    sheet.merge_cells("E4:E6")  # source of sheet rows 4-6 (r2-r4)
    sheet.merge_cells("D8:E8")  # over two columns: only noted
    workbook.save(path)
    loaded = _balanced(cx.load_reviews(path))
    frame = loaded.frame.set_index("review_id")
    assert frame.loc[["r1", "r2", "r3", "r4", "r5"], "source"].tolist() == ["web", "shop", "shop", "shop", "web"]
    notes = " | ".join(loaded.report.notes)
    assert "1 merged range(s) in one column (E4:E6)" in notes
    assert "1 merged range(s) over several columns or the header (D8:E8)" in notes


def test_a_formula_without_a_saved_value_is_noted(tmp_path):
    path = tmp_path / "formula.xlsx"
    workbook = _workbook(path)
    workbook["Export"]["C8"] = "=2+2"  # openpyxl stores no computed value
    workbook.save(path)
    loaded = _balanced(cx.load_reviews(path))
    assert loaded.frame.set_index("review_id").loc["r6", "rating"] is pd.NA
    assert any("1 formula cell(s) have no saved value" in n and "(C8)" in n for n in loaded.report.notes)


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> Path:
    """A 1 MB workbook whose sheet inflates to 1 GiB (one cell of 'A's)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    _workbook(path).save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist() if name != "xl/worksheets/sheet1.xml"}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            sheet.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>')
            chunk = b"A" * (1 << 20)
            for _ in range(1024):
                sheet.write(chunk)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    assert path.stat().st_size < 2 << 20
    return path


@pytest.mark.parametrize("format", [None, "xlsx"])
def test_a_zip_bomb_is_refused_before_any_part_is_unpacked(zip_bomb, format, monkeypatch):
    # Refused from the archive's directory alone: no part of it is opened, so nothing inflates
    # (a count, not a stopwatch: unpacking the 1 GiB sheet is what a slow refusal would do).
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def recording_open(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    with pytest.raises(SourceError, match=r"bomb\.xlsx: part xl/worksheets/sheet1\.xml would unpack from .* zip bomb"):
        cx.load_reviews(zip_bomb, format=format)
    assert opened == []


def test_a_workbook_larger_than_the_bound_names_the_limit_and_how_to_raise_it(tmp_path):
    path = tmp_path / "big.xlsx"
    _workbook(path).save(path)
    with pytest.raises(
        SourceError, match=r"unpacks to 0 MB, more than the 0.001 MB .*max_unpacked_mb: 1 in the catalog"
    ):
        cx.load_reviews(path, max_unpacked_mb=0.001)


def test_a_file_that_is_not_a_workbook_is_a_clear_error(tmp_path):
    path = _write(tmp_path, "fake.xlsx", REVIEWS + _rows(3))
    with pytest.raises(SourceError, match=r"fake\.xlsx: not an Excel workbook \(\.xlsx is a zip archive"):
        cx.load_reviews(path)


def test_a_sheet_declaring_too_many_columns_is_refused(tmp_path):
    path = tmp_path / "wide.xlsx"
    workbook = _workbook(path)
    workbook["Export"].cell(row=1, column=300, value="far")
    workbook.save(path)
    with pytest.raises(SourceError, match=r"spans 300 columns, more than the 100 .*max_columns: 300"):
        cx.load_reviews(path, max_columns=100)


def test_duplicate_column_names_in_a_workbook_are_refused(tmp_path):
    path = tmp_path / "dup.xlsx"
    workbook = _workbook(path)
    workbook["Export"]["E1"] = "rating"
    workbook.save(path)
    with pytest.raises(
        SourceError, match=r"dup\.xlsx: line 1 \(the header\) names column 'rating' twice \(columns 3 and 5\)"
    ):
        cx.load_reviews(path)


# --------------------------------------------------------------------------- encodings, NUL, line ends


def test_one_cp1252_line_does_not_make_a_utf8_file_cp1252(tmp_path):
    data = (REVIEWS + "".join(f"r{i},2026-10-01,4,Malmö fint,web\n" for i in range(29))).encode("utf-8")
    data += "r99,2026-10-02,3,Malmö dålig,web\n".encode("cp1252")
    path = _write(tmp_path, "mixed.csv", data)
    loaded = _balanced(cx.load_reviews(path))
    assert set(loaded.frame["text"]) == {"Malmö fint", "Malmö dålig"}
    assert not loaded.frame["text"].str.contains("Ã").any()
    note = next(n for n in loaded.report.notes if n.startswith("mixed encodings"))
    assert "1 line(s) are not UTF-8" in note and "1 as cp1252: line(s) 31" in note and "other 30 as UTF-8" in note


def test_mixed_encodings_per_line_latin1_where_cp1252_has_no_character():
    notes: list[str] = []
    text, used = decode_bytes("Malmö\n".encode() + b"caf\xe9 \x81\n", notes=notes)
    assert (text, used) == ("Malmö\ncafé \x81\n", "utf-8")
    assert "1 as latin-1: line(s) 2" in notes[0]
    # A file without UTF-8 text beyond ASCII stays in its legacy code page throughout.
    assert decode_bytes("Malmö\nblåbær\n".encode("cp1252")) == ("Malmö\nblåbær\n", "cp1252")


@pytest.mark.parametrize("rows", [2, 30_000], ids=["small", "pyarrow-sized"])
def test_nul_bytes_are_stripped_with_a_note(tmp_path, rows):
    text = REVIEWS + "r0,2026-10-01,4,ok,Oslo\x00\n" + _rows(rows - 1)
    loaded = _balanced(cx.load_reviews(_write(tmp_path, "nul.csv", text)))
    assert loaded.frame["source"].iloc[0] == "Oslo"
    assert not loaded.frame["source"].str.contains("\x00").any()
    assert any("1 NUL character(s) removed" in n for n in loaded.report.notes)


def test_classic_mac_line_endings_are_read(tmp_path):
    text = (REVIEWS + 'r1,2026-10-01,4,"two\rlines",web\n' + _rows(5, start=2)).replace("\n", "\r")
    loaded = _balanced(cx.load_reviews(_write(tmp_path, "mac.csv", text.encode("cp1252"))))
    assert loaded.report.read == 6 and loaded.report.rejected == 0
    assert loaded.frame["text"].iloc[0] == "two\nlines"
    assert loaded.rejected.empty and loaded.frame["review_id"].tolist()[-1] == "r6"
    assert any("carriage return alone (classic Mac)" in n for n in loaded.report.notes)


# --------------------------------------------------------------------------- headers


def test_duplicate_column_names_are_refused_naming_both(tmp_path):
    path = _write(tmp_path, "dup.csv", "review_id,published_at,rating,text,rating\n" + "r1,2026-10-01,4,ok,5\n")
    with pytest.raises(
        SourceError, match=r"dup\.csv: line 1 \(the header\) names column 'rating' twice \(columns 3 and 5\)"
    ) as caught:
        cx.load_reviews(path)
    assert "'rating.1'" in str(caught.value) and "'rating_2'" in str(caught.value)
    # Excel's blank trailing header cells are not duplicates.
    blank = _write(tmp_path, "blank.csv", "review_id,published_at,rating,text,,\nr1,2026-10-01,4,ok,,\n")
    assert _balanced(cx.load_reviews(blank)).report.accepted == 1


def test_duplicate_column_names_of_a_dataframe_are_refused():
    frame = pd.DataFrame(
        [["r1", "2026-10-01", 4, "ok", 5]], columns=["review_id", "published_at", "rating", "text", "x"]
    )
    frame.columns = ["review_id", "published_at", "rating", "text", "rating"]
    with pytest.raises(SchemaError, match=r"column 'rating' appears 2 times \(columns 3 and 5\)"):
        cx.load_reviews(frame)


def test_a_repeated_header_row_is_a_rejected_row_with_that_reason(tmp_path):
    path = _write(tmp_path, "twice.csv", REVIEWS + _rows(40) + REVIEWS + _rows(9, start=41))
    loaded = _balanced(cx.load_reviews(path))
    assert _reasons(loaded) == {
        42: "repeated header row (the column names again, e.g. two exports appended): remove it from the source"
    }
    assert loaded.report.reasons == {"repeated header row": 1}


def test_a_header_of_a_million_columns_is_refused_before_any_parser_reads_it(tmp_path, monkeypatch):
    # Refused by counting the header's delimiters: neither pandas' nor pyarrow's CSV parser is
    # handed the file (a count, not a stopwatch: a parse of a million columns is what is slow).
    import pyarrow.csv

    parsed: list[str] = []
    for module, name in [(pd, "read_csv"), (pyarrow.csv, "read_csv"), (pyarrow.csv, "open_csv")]:
        real = getattr(module, name)

        def recording(*args, _real=real, _name=f"{module.__name__}.{name}", **kwargs):
            parsed.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, recording)
    path = _write(tmp_path, "wide.csv", ",".join(f"c{i}" for i in range(1_000_000)) + "\n" + "1," * 999_999 + "1\n")
    with pytest.raises(
        SourceError,
        match=r"wide\.csv: line 1 \(the header\) has 1,000,000 fields, more than the 10,000 .*max_columns: 1000000",
    ):
        cx.load_reviews(path)
    assert parsed == []


def test_max_columns_raises_the_header_bound(tmp_path):
    names = ["review_id", "published_at", "rating", "text"] + [f"x{i}" for i in range(40)]
    path = _write(tmp_path, "w.csv", ",".join(names) + "\n" + "r1,2026-10-01,4,ok" + ",1" * 40 + "\n")
    with pytest.raises(SourceError, match="has 44 fields, more than the 20 columns"):
        cx.load_reviews(path, max_columns=20)
    assert _balanced(cx.load_reviews(path, max_columns=44)).report.accepted == 1


# --------------------------------------------------------------------------- bad cells


def test_non_finite_numbers_are_rejected_rows(tmp_path):
    text = "customer_id,signup_at,churned,monthly_revenue,discount\n"
    text += "c1,2026-01-01,no,inf,1\nc2,2026-01-01,no,1e309,1\nc3,2026-01-01,no,-inf,1\nc4,2026-01-01,no,NaN,1\n"
    text += "c5,2026-01-01,no,10,Infinity\n" + "".join(f"c{i},2026-01-01,no,10,2\n" for i in range(6, 200))
    loaded = _balanced(cx.load_customers(_write(tmp_path, "customers.csv", text)))
    reasons = _reasons(loaded)
    assert sorted(reasons) == [2, 3, 4, 6]
    assert reasons[3].startswith("monthly_revenue: '1e309' is not a finite number")
    assert reasons[6].startswith("discount: 'Infinity' is not a finite number")
    # "NaN" is one of the missing-value tokens (as pandas writes a missing number): missing, not rejected.
    assert loaded.frame.set_index("customer_id").loc["c4", "monthly_revenue"] is pd.NA
    assert np.isfinite(loaded.frame["monthly_revenue"].dropna().to_numpy(dtype=float)).all()


def test_an_infinite_score_or_driver_is_a_rejected_row_not_an_overflow(tmp_path):
    text = "response_id,responded_at,nps,support\n1,2026-10-01,1e309,5\n2,2026-10-01,9,inf\n"
    text += "".join(f"{i},2026-10-01,9,5\n" for i in range(3, 100))
    loaded = _balanced(cx.load_feedback(_write(tmp_path, "fb.csv", text), drivers=["support"]))
    reasons = _reasons(loaded)
    assert reasons[2].startswith("nps: '1e309' is not a finite number")
    assert reasons[3].startswith("support: 'inf' is not a finite number")


def test_infinite_numbers_from_a_typed_source_are_rejected(tmp_path):
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(50)],
            "signup_at": pd.Timestamp("2026-01-01"),
            "churned": False,
            "monthly_revenue": [np.inf, -np.inf] + [10.0] * 48,
        }
    )
    path = tmp_path / "customers.parquet"
    frame.to_parquet(path)
    loaded = _balanced(cx.load_customers(path))
    assert _reasons(loaded) == {
        1: "monthly_revenue: 'inf' is not a finite number (infinite, or too large for a float); correct it in the "
        "source, or leave the cell empty when the value is unknown",
        2: "monthly_revenue: '-inf' is not a finite number (infinite, or too large for a float); correct it in the "
        "source, or leave the cell empty when the value is unknown",
    }


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "31.12.9999", "9999-12-31T10:00:00+02:00"])
def test_out_of_range_dates_are_rejected_rows(tmp_path, date):
    text = REVIEWS + f"r0,{date},4,ok,web\n" + _rows(60)
    loaded = _balanced(cx.load_reviews(_write(tmp_path, "dates.csv", text)))
    assert _reasons(loaded) == {
        2: f"published_at: '{date}' is outside the dates cxkit reads (1677-09-22 to 2262-04-11); a placeholder "
        "such as 9999-12-31 is no date: correct it in the source, or leave the cell empty when the date is unknown"
    }


def test_out_of_range_dates_with_a_date_format_and_few_distinct_values(tmp_path):
    text = REVIEWS + "r0,31.12.9999,4,ok,web\n" + "".join(f"r{i},01.10.2026,4,ok,web\n" for i in range(1, 60))
    loaded = _balanced(cx.load_reviews(_write(tmp_path, "dates.csv", text), date_format="%d.%m.%Y"))
    assert list(_reasons(loaded)) == [2] and "is outside the dates cxkit reads" in _reasons(loaded)[2]


def test_out_of_range_dates_from_a_typed_source_are_rejected(tmp_path):
    published = pd.Series(pd.to_datetime(["9999-12-31"] + ["2026-10-01"] * 49)).astype("datetime64[us]")
    frame = pd.DataFrame({"review_id": [f"r{i}" for i in range(50)], "published_at": published, "text": "ok"})
    path = tmp_path / "reviews.parquet"
    frame.to_parquet(path)
    loaded = _balanced(cx.load_reviews(path))
    assert list(_reasons(loaded)) == [1] and _reasons(loaded)[1].startswith(
        "published_at: '9999-12-31 00:00:00' is outside the dates cxkit reads"
    )
    assert loaded.frame["published_at"].dtype == "datetime64[ns]"


# --------------------------------------------------------------------------- JSON


def test_json_duplicate_keys_are_refused_with_the_record_and_the_fix(tmp_path):
    records = [{"review_id": f"r{i}", "published_at": "2026-10-01", "rating": 4, "text": "x"} for i in range(3)]
    text = json.dumps(records, indent=1).replace(
        '"rating": 4,\n  "text": "x"\n }\n]', '"rating": 4,\n  "rating": 1,\n  "text": "x"\n }\n]'
    )
    path = _write(tmp_path, "dup.json", text)
    with pytest.raises(SourceError, match=r"dup\.json: record 3 \(line 14\) has the key 'rating' twice.*'rating_2'"):
        cx.load_reviews(path)
    lines = _write(
        tmp_path, "dup.jsonl", '{"review_id": "r1", "text": "a"}\n\n{"review_id": "r2", "text": "a", "text": "b"}\n'
    )
    with pytest.raises(SourceError, match=r"dup\.jsonl: the record on line 3 has the key 'text' twice"):
        cx.load_reviews(lines)


def test_deeply_nested_json_is_a_clear_error(tmp_path):
    path = _write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(SourceError, match=r"deep\.json: the JSON nests .* deeper than .* \(at line 1, column 500\)"):
        cx.load_reviews(path)
    lines = _write(tmp_path, "deep.jsonl", '{"a": 1}\n' + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(SourceError, match=r"deep\.jsonl: .* \(at line 2\)"):
        cx.load_reviews(lines)


@pytest.mark.parametrize(("value", "what"), [({"a": 1}, "an object"), ([1, 2], "an array")])
def test_nested_json_values_are_a_clear_error(tmp_path, value, what):
    records = [
        {"review_id": "r1", "published_at": "2026-10-01", "rating": 4, "text": "ok"},
        {"review_id": "r2", "published_at": "2026-10-01", "rating": 4, "text": value},
    ]
    path = _write(tmp_path, "nested.json", json.dumps(records))
    with pytest.raises(SourceError, match=rf"nested\.json: record 2, key 'text' holds {what}; .*json_normalize"):
        cx.load_reviews(path)


def test_json_nul_characters_are_removed_with_a_note(tmp_path):
    records = [
        {"review_id": f"r{i}", "published_at": "2026-10-01", "text": "ok", "source": "Oslo\u0000"} for i in range(3)
    ]
    loaded = _balanced(cx.load_reviews(_write(tmp_path, "nul.json", json.dumps(records))))
    assert loaded.frame["source"].tolist() == ["Oslo"] * 3
    assert any("3 NUL character(s) removed from texts" in n for n in loaded.report.notes)


def test_jsonl_records_may_hold_line_separators(tmp_path):
    # str.splitlines would cut this record at U+2028.
    path = _write(tmp_path, "ls.jsonl", '{"review_id": "r1", "text": "a\u2028b"}\n{"review_id": "r2", "text": "c"}\n')
    assert read_file(path).frame["text"].tolist() == ["a\u2028b", "c"]


# --------------------------------------------------------------------------- SPSS


def test_a_truncated_sav_names_the_file_and_the_fix(tmp_path):
    import pyreadstat

    good = tmp_path / "good.sav"
    pyreadstat.write_sav(pd.DataFrame({"response_id": ["a", "b"], "nps": [9.0, 3.0]}), str(good))
    path = _write(tmp_path, "cut.sav", good.read_bytes()[:200])
    with pytest.raises(SourceError, match=r"cut\.sav: a damaged or truncated SPSS file \(200 bytes; .*export it again"):
        cx.load_feedback(path)


def test_a_file_that_is_not_spss_names_what_it_starts_with(tmp_path):
    path = _write(tmp_path, "text.sav", REVIEWS)
    with pytest.raises(SourceError, match=r"text\.sav: not an SPSS data file: it starts with b'revi'"):
        cx.load_reviews(path)


def test_every_error_here_is_a_cxkit_error():
    assert issubclass(SourceError, CxkitError) and issubclass(SchemaError, CxkitError)
