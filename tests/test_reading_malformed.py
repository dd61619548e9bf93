"""Delimited files with malformed rows (issue 31, Deliver 2): a record with more fields than the
header is rejected on its own, with its line and the fix, and every other record is read; a lone
carriage return inside a value never ends a row. Small files written to tmp_path, and the real
Swedish Trustpilot TSV when ../shared holds it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import cxkit as cx
from cxkit.errors import DataQualityError, SourceError

TRUSTPILOT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "swedish_trustpilot_reviews_dev"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _reviews(rows: list[str], *, newline: str = "\r\n") -> str:
    return newline.join(["review\trating", *rows]) + newline


def test_a_row_with_unquoted_tabs_is_rejected_alone(tmp_path):
    # Line 3 holds a tab inside its text: 3 fields where the header has 2.
    text = _reviews(["Snabb leverans\t5", "Bra\tmen dyr\t3", "Dålig service\t1", "Okej\t4"])
    path = _write(tmp_path, "reviews.tsv", text)
    loaded = cx.load_reviews(path, columns={"text": "review"}, generate_ids=True, max_rejected=0.5)
    assert loaded.report.read == 4
    assert (loaded.report.accepted, loaded.report.rejected) == (3, 1)
    assert len(loaded.frame) + len(loaded.rejected) == loaded.report.read
    assert loaded.frame["text"].tolist() == ["Snabb leverans", "Dålig service", "Okej"]
    assert loaded.frame["rating"].tolist() == [5, 1, 4]
    rejected = loaded.rejected.iloc[0]
    assert rejected["line"] == 3 and rejected["kind"] == "invalid"
    assert rejected["reason"].startswith("line 3: 3 fields where the header has 2")
    assert "quote that value in the export" in rejected["reason"]
    assert rejected["record"] == "Bra\tmen dyr\t3"
    # The rows after the rejected one keep their own lines (a generated id is stem-line).
    assert loaded.frame["review_id"].tolist() == ["reviews-2", "reviews-4", "reviews-5"]
    assert loaded.report.reasons == {"more fields than the header (a value holds the delimiter unquoted)": 1}
    assert any("1 record(s) with more fields than the header" in n for n in loaded.report.notes)


def test_malformed_rows_count_towards_max_rejected(tmp_path):
    text = _reviews(["a\tb\t1", "c\td\t2", "Fin\t5"])
    path = _write(tmp_path, "reviews.tsv", text)
    with pytest.raises(DataQualityError) as caught:
        cx.load_reviews(path, columns={"text": "review"}, generate_ids=True)
    loaded = caught.value.loaded
    assert (loaded.report.read, loaded.report.accepted, loaded.report.invalid) == (3, 1, 2)
    assert loaded.rejected["line"].tolist() == [2, 3]
    # Masking covers the record's text as read.
    assert "record" in loaded.rejected_masked().columns


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_a_lone_carriage_return_stays_inside_its_value(tmp_path, newline):
    rows = ["Första raden\randra raden\t4", "Bra\t5", "Tre\rrader\rhär\t2"]
    path = _write(tmp_path, "reviews.tsv", _reviews(rows, newline=newline))
    loaded = cx.load_reviews(path, columns={"text": "review"}, generate_ids=True, quoting="none")
    assert (loaded.report.read, loaded.report.accepted, loaded.report.rejected) == (3, 3, 0)
    assert loaded.frame["text"].tolist() == ["Första raden\randra raden", "Bra", "Tre\rrader\rhär"]
    assert loaded.frame["rating"].tolist() == [4, 5, 2]
    assert loaded.frame["review_id"].tolist() == ["reviews-2", "reviews-3", "reviews-4"]
    assert any("3 carriage return(s) inside values kept" in n for n in loaded.report.notes)


def test_lone_carriage_returns_and_malformed_rows_together(tmp_path):
    rows = ["Rad ett\r(fortsätter)\t4", "Med\ttab\t3", "Sista\r\t1"]
    path = _write(tmp_path, "reviews.tsv", _reviews(rows))
    loaded = cx.load_reviews(path, columns={"text": "review"}, generate_ids=True, max_rejected=0.5)
    assert (loaded.report.read, loaded.report.accepted, loaded.report.rejected) == (3, 2, 1)
    assert loaded.frame["text"].tolist() == ["Rad ett\r(fortsätter)", "Sista"]  # the end stripped as ever
    assert loaded.rejected["line"].tolist() == [3]
    assert loaded.rejected["record"].tolist() == ["Med\ttab\t3"]


def test_quoted_values_span_lines_around_a_malformed_row(tmp_path):
    text = 'id,score,comment\n1,5,"two\nlines"\n2,4,one,too many\n3,3,"a, b"\n'
    path = _write(tmp_path, "feedback.csv", text)
    loaded = cx.load_feedback(
        path, columns={"response_id": "id", "csat": "score"}, fieldwork="2026-10", max_rejected=0.5
    )
    assert (loaded.report.read, loaded.report.accepted, loaded.report.rejected) == (3, 2, 1)
    assert loaded.frame["comment"].tolist() == ["two\nlines", "a, b"]
    assert loaded.rejected["line"].tolist() == [4]
    assert loaded.rejected["reason"].iloc[0].startswith("line 4: 4 fields where the header has 3")


def test_a_quote_left_open_still_refuses_the_file(tmp_path):
    # After a malformed record, a stray quote runs to the end of the file: no record boundary
    # after it can be trusted, so the file is refused with the fix, as before.
    path = _write(tmp_path, "reviews.tsv", _reviews(["Bra\tmen\t3", '"Dålig\t1', "Okej\t4"]))
    with pytest.raises(SourceError, match="set quoting: none"):
        cx.load_reviews(path, columns={"text": "review"}, generate_ids=True)
    loaded = cx.load_reviews(path, columns={"text": "review"}, generate_ids=True, quoting="none", max_rejected=0.5)
    assert (loaded.report.read, loaded.report.accepted, loaded.report.rejected) == (3, 2, 1)
    assert loaded.frame["text"].tolist() == ['"Dålig', "Okej"]


def test_the_text_reader_alone_still_refuses_ragged_text():
    # Survey exports parse their text with read_delimited_text, which refuses what it cannot split.
    with pytest.raises(SourceError, match="cannot split the file into rows"):
        cx.data.formats.read_delimited_text("a,b\n1,2\n3,4,5\n")


@pytest.mark.skipif(not TRUSTPILOT.exists(), reason=f"the Trustpilot TSV is not at {TRUSTPILOT} (../shared absent)")
@pytest.mark.parametrize("quoting", ["minimal", "none"])
def test_the_swedish_trustpilot_tsv_reads_but_its_three_rows_with_tabs(quoting):
    # SOURCE.md: 21,287 reviews; 0-based rows 540, 1507 and 17356 hold tabs (lines 542, 1509 and
    # 17,358 of the file, after the header); 34 reviews hold a lone \r; stars 1-5 counted
    # 3,147 / 2,476 / 3,399 / 5,338 / 6,927.
    loaded = cx.load_reviews(
        TRUSTPILOT / "trustpilot_reviews.tsv", columns={"text": "review"}, generate_ids=True, quoting=quoting
    )
    report = loaded.report
    assert (report.read, report.accepted, report.rejected) == (21_287, 21_284, 3)
    assert loaded.rejected["line"].tolist() == [542, 1509, 17_358]
    assert loaded.rejected["reason"].str.contains("fields where the header has 2").all()
    assert int(loaded.frame["text"].str.contains("\r", regex=False).sum()) == 34
    counts = loaded.frame["rating"].value_counts().sort_index()
    rejected_stars = pd.Series([int(r.rsplit("\t", 1)[1]) for r in loaded.rejected["record"]]).value_counts()
    expected = pd.Series({1: 3_147, 2: 2_476, 3: 3_399, 4: 5_338, 5: 6_927})
    assert counts.add(rejected_stars, fill_value=0).astype(int).to_dict() == expected.to_dict()
    assert list(loaded.frame.columns[:7]) == [
        "review_id",
        "published_at",
        "source",
        "rating",
        "title",
        "text",
        "language",
    ]
