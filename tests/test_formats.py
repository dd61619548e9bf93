"""File formats: encodings, dialects, line numbers, Excel, Parquet, SPSS, JSON."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.data.formats import decode_bytes, read_file
from cxkit.errors import SourceError

NORDIC = "response_id;responded_at;nps;amount;comment\r\n1;2026-03-01;9;1\u00a0234,50;Blåbærsyltetøy er godt\r\n2;2026-03-02;3;12,5;Inte värt pengarna\r\n"


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "encoding, expected",
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp1252", "cp1252"),
        ("utf-16", "utf-16"),
    ],
)
def test_encodings_are_detected(tmp_path, encoding, expected):
    path = _write(tmp_path, "f.csv", NORDIC.encode(encoding))
    raw = read_file(path)
    assert raw.dialect["encoding"] == expected
    assert raw.frame["comment"].tolist() == ["Blåbærsyltetøy er godt", "Inte värt pengarna"]
    assert raw.frame.columns[0] == "response_id"  # no BOM glued to the first header


def test_latin1_when_bytes_are_undefined_in_cp1252():
    # 0x81 is undefined in cp1252, so only Latin-1 decodes it; 0xE6 is "æ" in both.
    text, enc = decode_bytes(b"a\x81\xe6")
    assert enc == "latin-1" and text == "a\x81æ"


def test_nordic_excel_export_decimal_comma_and_nbsp_thousands(tmp_path):
    path = _write(tmp_path, "f.csv", NORDIC.encode("cp1252"))
    loaded = cx.load_feedback(path)
    assert loaded.frame["amount"].tolist() == [1234.5, 12.5]
    assert loaded.frame["nps"].tolist() == [9, 3]
    assert "decimal comma" in loaded.report.notes


def test_dot_thousands_with_decimal_comma(tmp_path):
    path = _write(tmp_path, "f.csv", b"response_id;responded_at;revenue\n1;2026-01-01;1.234.567,25\n2;2026-01-02;0,5\n")
    frame = cx.load_feedback(path).frame
    assert frame["revenue"].tolist() == [1234567.25, 0.5]


def test_sep_hint_first_line_is_honoured_and_counted_in_line_numbers(tmp_path):
    path = _write(tmp_path, "f.csv", b"sep=;\r\nresponse_id;responded_at;nps\r\n1;2026-01-01;5\r\n2;2026-01-02;99\r\n")
    loaded = cx.load_feedback(path, max_rejected=1)
    assert loaded.report.notes[1].startswith("'sep=;'")
    assert loaded.rejected["line"].tolist() == [4]  # sep line 1, header line 2, rows on 3 and 4
    assert "nps" in loaded.rejected["reason"][0] and "outside 0–10" in loaded.rejected["reason"][0]


def test_multiline_quoted_comments_keep_physical_line_numbers(tmp_path):
    text = (
        "response_id,responded_at,nps,comment\r\n"
        '1,2026-01-01,9,"first line\r\nsecond line\r\nthird"\r\n'
        '2,2026-01-02,10,"ok"\r\n'
        '3,not a date,7,"x"\r\n'
    )
    loaded = cx.load_feedback(_write(tmp_path, "f.csv", text.encode()), max_rejected=1)
    assert loaded.frame["comment"][0] == "first line\r\nsecond line\r\nthird"
    assert loaded.rejected["line"].tolist() == [6]
    assert "'not a date' is not a date" in loaded.rejected["reason"][0]


def test_tab_separated_with_tsv_suffix(tmp_path):
    path = _write(tmp_path, "f.tsv", b"response_id\tresponded_at\tnps\n1\t2026-01-01\t8\n")
    raw = read_file(path)
    assert raw.dialect["sep"] == "\t" and raw.frame.shape == (1, 3)


def test_excel_trailing_empty_rows_are_excluded_not_lost(tmp_path):
    path = _write(tmp_path, "f.csv", b"response_id;responded_at;nps\n1;2026-01-01;8\n;;\n;;\n")
    loaded = cx.load_feedback(path)
    assert loaded.report.read == 3 and loaded.report.accepted == 1 and loaded.report.excluded == 2
    assert set(loaded.rejected["kind"]) == {"excluded"}
    assert loaded.rejected["line"].tolist() == [3, 4]


def test_quoting_none_keeps_rows_with_stray_quotes(tmp_path):
    data = b'A "great" film  \t1\r\n"Bad acting\t0\r\nso so  \t1\r\nfine\t1\r\n'
    path = _write(tmp_path, "s.txt", data)
    with pytest.raises(SourceError, match="set quoting: none"):
        read_file(path, header=False, names=["text", "label"], sep="\t")
    none = read_file(path, header=False, names=["text", "label"], sep="\t", quoting="none")
    assert none.frame["text"].tolist() == ['A "great" film  ', '"Bad acting', "so so  ", "fine"]
    # A stray quote that closes later joins lines silently in most tools; cxkit says so.
    joined = _write(tmp_path, "j.txt", b'"Bad acting\t0\r\nso "so  \t1\r\nfine\t1\r\n')
    minimal = read_file(joined, header=False, names=["text", "label"], sep="\t")
    assert len(minimal.frame) < 3 and any("quoting: none" in note for note in minimal.notes)


def test_empty_file_is_a_clear_error(tmp_path):
    path = _write(tmp_path, "empty.csv", b"")
    with pytest.raises(SourceError, match=r"empty\.csv: the file is empty"):
        read_file(path)
    path = _write(tmp_path, "header_only.csv", b"response_id,responded_at,nps\n")
    with pytest.raises(SourceError, match=r"header_only\.csv: the source has no rows"):
        cx.load_feedback(path)


def test_unknown_suffix_and_missing_file(tmp_path):
    with pytest.raises(SourceError, match=r"unknown file type '\.docx'.*format:"):
        read_file(_write(tmp_path, "x.docx", b"x"))
    with pytest.raises(SourceError, match=r"nope\.csv: no such file"):
        read_file(tmp_path / "nope.csv")


def test_xlsx_sheet_rows_are_the_line_numbers(tmp_path):
    path = tmp_path / "f.xlsx"
    pd.DataFrame(
        {
            "response_id": ["a", "b", "c"],
            "responded_at": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"]),
            "nps": [9, 12, 0],
        }
    ).to_excel(path, index=False)
    loaded = cx.load_feedback(path, max_rejected=1)
    assert loaded.frame["responded_at"].dt.day.tolist() == [1, 3]
    assert loaded.rejected["line"].tolist() == [3]  # header on sheet row 1, "b" on row 3


def test_parquet_keeps_types(tmp_path):
    path = tmp_path / "f.parquet"
    pd.DataFrame(
        {
            "customer_id": ["c1", "c2"],
            "churned": [True, False],
            "tenure_months": [3.5, 12.0],
            "segment": ["SMB ", "Enterprise"],
        }
    ).to_parquet(path)
    frame = cx.load_customers(path).frame
    assert frame["churned"].tolist() == [True, False]
    assert frame["segment"].tolist() == ["SMB", "Enterprise"]
    assert frame["tenure_months"].dtype == "Float64"


def test_spss_value_labels_applied_to_categories_not_to_scales(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "f.sav"
    df = pd.DataFrame(
        {
            "resp": ["r1", "r2", "r3"],
            "date": pd.to_datetime(["2026-02-01", "2026-02-02", "2026-02-03"]),
            "q_nps": [10.0, 0.0, 7.0],
            "seg": [1.0, 2.0, 1.0],
            "stage": [1.0, 2.0, 5.0],
        }
    )
    pyreadstat.write_sav(
        df,
        str(path),
        variable_value_labels={
            "q_nps": {0: "Not at all likely", 10: "Extremely likely"},
            "seg": {1: "Consumer", 2: "Business"},
            "stage": {1: "Awareness", 2: "Consideration", 5: "Advocacy"},
        },
        column_labels=["Response", "Date", "How likely ...", "Segment", "Stage"],
    )
    loaded = cx.load_feedback(
        path,
        columns={
            "response_id": "resp",
            "responded_at": "date",
            "nps": "q_nps",
            "segment": "seg",
            "journey_stage": "stage",
        },
    )
    f = loaded.frame
    assert f["nps"].tolist() == [10, 0, 7]  # the scale keeps its numbers
    assert f["segment"].tolist() == ["Consumer", "Business", "Consumer"]
    assert f["journey_stage"].astype(str).tolist() == ["awareness", "consideration", "advocacy"]
    assert any("value labels applied to seg, stage" in n for n in loaded.report.notes)


def test_json_and_jsonl(tmp_path):
    (tmp_path / "r.json").write_text('[{"sent_id": "a-1", "text": "Bra", "label": "Positive"}]', encoding="utf-8")
    (tmp_path / "r.jsonl").write_text('{"review_id": "x", "text": "Dårlig"}\n\n{"review_id": "y", "text": "OK"}\n')
    assert cx.load_reviews(tmp_path / "r.json", columns={"review_id": "sent_id"}).frame["label"][0] == "Positive"
    assert cx.load_reviews(tmp_path / "r.jsonl").frame["text"].tolist() == ["Dårlig", "OK"]


def test_line_numbers_are_arithmetic_without_multiline_records(tmp_path):
    rows = "".join(f"{i},2026-01-01,{i % 11}\n" for i in range(1, 501))
    raw = read_file(_write(tmp_path, "f.csv", ("response_id,responded_at,nps\n" + rows).encode()))
    assert np.array_equal(raw.lines, np.arange(2, 502))
