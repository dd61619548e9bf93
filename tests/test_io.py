"""Loaders: mapping, parsing, every kind of bad input, and row conservation."""

from __future__ import annotations

import pandas as pd
import pytest

import cxkit as cx
from cxkit.errors import DataQualityError, SchemaError

HEADER = "response_id,customer_id,responded_at,channel,journey_stage,nps,csat,ces,support,price,comment\n"
GOOD = [
    "r1,c1,2026-03-01T10:00:00,Web,Awareness,9,5,2,8,7,Great service",
    "r2,c2,2026-03-02,App ,Övervägande,6,3,5,4,5,Slow delivery",
    "r3,c3,2026-03-03 08:15,Phone,Kjøp,10,4,1,9,8,",
    "r4,c4,14.03.2026,Web,loyalty,7,4,3,7,6,ok",
]


def _csv(tmp_path, rows, header=HEADER, name="fb.csv"):
    path = tmp_path / name
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _load(path, **kw):
    kw.setdefault("drivers", ["support", "price"])
    kw.setdefault("max_rejected", 1.0)
    return cx.load_feedback(path, **kw)


def _conserved(loaded):
    assert len(loaded.frame) + len(loaded.rejected) == loaded.report.read
    assert loaded.report.accepted + loaded.report.rejected == loaded.report.read


def test_good_rows_are_parsed_into_canonical_types(tmp_path):
    loaded = _load(_csv(tmp_path, GOOD))
    f = loaded.frame
    _conserved(loaded)
    assert len(f) == 4 and loaded.rejected.empty
    assert f["responded_at"].tolist() == [
        pd.Timestamp("2026-03-01 10:00"),
        pd.Timestamp("2026-03-02"),
        pd.Timestamp("2026-03-03 08:15"),
        pd.Timestamp("2026-03-14"),
    ]
    assert f["journey_stage"].astype(str).tolist() == ["awareness", "consideration", "decision", "retention"]
    assert f["channel"].tolist() == ["Web", "App", "Phone", "Web"]
    assert f["nps"].dtype == "Int64" and f["support"].dtype == "Float64"
    assert pd.isna(f["comment"][2])
    assert list(f.columns[:12]) == [c.name for c in cx.TABLES["feedback"].columns]
    assert list(f.columns[12:]) == ["support", "price"]


@pytest.mark.parametrize(
    "row, column, reason",
    [
        ("r9,c9,2026-03-05,Web,Awareness,11,5,2,8,7,x", "nps", "nps: 11 outside 0–10"),
        ("r9,c9,2026-03-05,Web,Awareness,9,0,2,8,7,x", "csat", "csat: 0 outside 1–5"),
        ("r9,c9,2026-03-05,Web,Awareness,9,5,8,8,7,x", "ces", "ces: 8 outside 1–7"),
        ("r9,c9,2026-03-05,Web,Awareness,9.5,5,2,8,7,x", "nps", "nps: 9.5 is not a whole number"),
        ("r9,c9,2026-03-05,Web,Awareness,ten,5,2,8,7,x", "nps", "nps: 'ten' is not a number"),
        ("r9,c9,31/02/2026,Web,Awareness,9,5,2,8,7,x", "responded_at", "responded_at: '31/02/2026' is not a date"),
        ("r9,c9,yesterday,Web,Awareness,9,5,2,8,7,x", "responded_at", "responded_at: 'yesterday' is not a date"),
        ("r9,c9,,Web,Awareness,9,5,2,8,7,x", "responded_at", "responded_at: missing (required)"),
        (",c9,2026-03-05,Web,Awareness,9,5,2,8,7,x", "response_id", "response_id: missing (required)"),
        ("r1,c9,2026-03-05,Web,Awareness,9,5,2,8,7,x", "response_id", "response_id: duplicate 'r1'"),
        (
            "r9,c9,2026-03-05,Web,Checkout,9,5,2,8,7,x",
            "journey_stage",
            "journey_stage: 'Checkout' is not one of the stages",
        ),
        ("r9,c9,2026-03-05,Web,Awareness,9,5,2,eight,7,x", "support", "support: 'eight' is not a number"),
    ],
)
def test_each_bad_value_is_rejected_with_line_and_reason(tmp_path, row, column, reason):
    loaded = _load(_csv(tmp_path, GOOD + [row]))
    _conserved(loaded)
    assert len(loaded.frame) == 4 and len(loaded.rejected) == 1
    rejected = loaded.rejected.iloc[0]
    assert rejected["line"] == 6  # header is line 1, the bad row is the fifth record
    assert rejected["reason"].startswith(reason), rejected["reason"]
    assert rejected["kind"] == "invalid"
    assert rejected["response_id"] == row.split(",")[0]  # the source cells travel with the reason


def test_duplicate_keeps_the_first_and_names_it(tmp_path):
    loaded = _load(_csv(tmp_path, GOOD + [GOOD[1], GOOD[1]]))
    _conserved(loaded)
    assert loaded.frame["response_id"].tolist() == ["r1", "r2", "r3", "r4"]
    assert loaded.rejected["line"].tolist() == [6, 7]
    assert loaded.report.reasons == {"response_id: duplicate id": 2}


@pytest.mark.parametrize("chunks", [1, 3])
def test_duplicates_of_a_long_id_column_are_found_part_by_part(monkeypatch, chunks):
    """Long id columns are checked in parts by their last two characters (issue 31: memory at
    10x); the answer must be pandas' ``duplicated(keep="first")`` among the candidate rows."""
    import numpy as np
    import pyarrow as pa

    from cxkit.data import readers

    monkeypatch.setattr(readers, "_ONE_DICTIONARY_ROWS", 10)
    rng = np.random.default_rng(31)
    ids = [f"E{n:05d}" if n % 7 else ("x" if n % 2 else None) for n in rng.integers(0, 400, 3000)]
    ids[5] = "é"  # shorter than two characters and not ASCII
    ids[9] = "é"
    parts = np.array_split(np.arange(len(ids)), chunks)
    series = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([pa.array([ids[i] for i in p]) for p in parts])))
    rows = rng.random(len(ids)) < 0.9
    got = readers._duplicates(series, rows)
    candidates = pd.Series(ids)[rows]
    expected = np.zeros(len(ids), dtype=bool)
    expected[np.flatnonzero(rows)] = (candidates.duplicated(keep="first") & candidates.notna()).to_numpy()
    assert got.sum() > 2000 and (got == expected).all()


def test_missing_tokens_are_missing_not_rejected(tmp_path):
    loaded = _load(_csv(tmp_path, GOOD + ["r9,c9,2026-03-05,Web,,N/A,-,,8,7,x"]))
    assert loaded.rejected.empty
    row = loaded.frame.iloc[-1]
    assert pd.isna(row["nps"]) and pd.isna(row["csat"]) and pd.isna(row["journey_stage"])


def test_too_many_rejected_rows_raise_with_file_column_and_fix(tmp_path):
    bad = [f"r{i},c,2026-03-05,Web,Awareness,12,5,2,8,7,x" for i in range(10, 13)]
    path = _csv(tmp_path, GOOD + bad)
    with pytest.raises(DataQualityError) as info:
        cx.load_feedback(path, drivers=["support", "price"])
    message = str(info.value)
    assert str(path) in message and "3 of 7 rows (42.9%)" in message and "5% allowed" in message
    assert "nps: outside 0–10" in message and "line 6" in message and "max_rejected" in message
    assert len(info.value.loaded.rejected) == 3
    cx.load_feedback(path, drivers=["support", "price"], max_rejected=0.5)  # the fix works


def test_missing_required_column_names_file_column_and_fix(tmp_path):
    path = _csv(tmp_path, ["1,2026-01-01,9"], header="id,responded_at,nps\n")
    with pytest.raises(SchemaError) as info:
        cx.load_feedback(path)
    message = str(info.value)
    assert str(path) in message and "'response_id'" in message
    assert "columns={'response_id': '<source column>'}" in message and "generate_ids=True" in message
    assert "Source columns: id, responded_at, nps" in message
    assert cx.load_feedback(path, columns={"response_id": "id"}).frame["response_id"][0] == "1"


def test_mapping_to_a_column_that_does_not_exist_suggests_the_closest(tmp_path):
    path = _csv(tmp_path, GOOD)
    with pytest.raises(SchemaError, match=r"no such column\. Did you mean 'support'\?"):
        cx.load_feedback(path, columns={"csat": "suport"})
    with pytest.raises(SchemaError, match=r"not a column of the feedback table.*Did you mean 'nps'\?"):
        cx.load_feedback(path, columns={"npss": "support"})
    with pytest.raises(SchemaError, match=r"driver column 'speed' is not in the source"):
        cx.load_feedback(path, drivers=["speed"])


def test_values_recode_labels_and_scores(tmp_path):
    path = _csv(
        tmp_path,
        [
            "a,2026-01-01,10 - Extremely likely,Ja",
            "b,2026-01-02,0 - Not at all likely,Nei",
            "c,2026-01-03,Don't know,Nei",
        ],
        header="response_id,responded_at,nps,recommend_yes\n",
    )
    loaded = cx.load_feedback(path, values={"nps": {"Don't know": None}})
    assert loaded.frame["nps"].tolist()[:2] == [10, 0] and pd.isna(loaded.frame["nps"][2])
    assert loaded.frame["recommend_yes"].tolist() == [True, False, False]


def test_na_codes_turn_not_applicable_into_missing(tmp_path):
    path = _csv(
        tmp_path, ["a,2026-01-01,9,0,5", "b,2026-01-02,7,6,0"], header="response_id,responded_at,nps,support,price\n"
    )
    loaded = cx.load_feedback(path, drivers=["support", "price"], na_codes={"support": [0]})
    assert pd.isna(loaded.frame["support"][0]) and loaded.frame["price"].tolist() == [5, 0]
    assert any("support: 1 not-applicable" in n for n in loaded.report.notes)


def test_customers_yes_no_units_and_blank_numbers(tmp_path):
    path = _csv(
        tmp_path,
        ["A,Yes,2,50.5, ", "B,No,0,20, 100.25", "C,maybe,1,10,3"],
        header="customerID,Churn,Tenure,MonthlyCharges,TotalCharges\n",
        name="c.csv",
    )
    loaded = cx.load_customers(
        path,
        columns={"churned": "Churn", "tenure_months": "Tenure", "monthly_revenue": "MonthlyCharges"},
        units={"tenure_months": "years"},
        max_rejected=0.5,
    )
    f = loaded.frame
    assert f["customer_id"].tolist() == ["A", "B"]  # customerID found by folded name
    assert f["churned"].tolist() == [True, False]
    assert f["tenure_months"].tolist() == [24.0, 0.0]
    assert pd.isna(f["TotalCharges"][0]) and f["TotalCharges"][1] == 100.25
    assert "churned (column 'Churn'): 'maybe' is not yes/no" in loaded.rejected["reason"][0]
    assert "TotalCharges: 1 blank or NA value(s) read as missing" in loaded.report.notes


def test_negative_revenue_is_rejected(tmp_path):
    path = _csv(tmp_path, ["A,true,-5", "B,false,5"], header="customer_id,churned,monthly_revenue\n", name="c.csv")
    loaded = cx.load_customers(path, max_rejected=1)
    assert loaded.rejected["reason"].tolist() == ["monthly_revenue: -5 below 0"]


def test_category_columns_are_normalised(tmp_path):
    path = _csv(
        tmp_path,
        ["a,2026-01-01,Caf\u0065\u0301 ,Black\u00a0 Dot\u200b", "b,2026-01-02,Café,Black Dot"],
        header="response_id,responded_at,touchpoint,variation\n",
    )
    f = cx.load_feedback(path).frame
    assert f["touchpoint"].nunique() == 1 and f["touchpoint"][0] == "Café"
    assert f["variation"].nunique() == 1 and f["variation"][0] == "Black Dot"


def test_pii_never_in_messages_or_masked_rejected_rows(tmp_path):
    rows = [
        f"r{i},c,2026-03-05,Web,Awareness,9,5,2,8,7,mail me at ola{i}@example.no or +47 912 34 56{i}" for i in range(3)
    ]
    rows.append("r9,c,2026-03-05,Web,Awareness,9,5,2,8,7,jane.doe@example.com +45 12 34 56 78")
    rows += [f"x{i},c,2026-03-05,Web,Awareness,{'42'},5,2,8,7,ring 22 33 44 5{i} or me@example.com" for i in range(3)]
    path = _csv(tmp_path, GOOD + rows)
    with pytest.raises(DataQualityError) as info:
        cx.load_feedback(path, drivers=["support", "price"])
    masked = info.value.loaded.rejected_masked()
    text = str(info.value) + masked.to_csv()
    assert "@example" not in text and "22 33 44" not in text
    assert "[email]" in masked["comment"].iloc[0] and "[phone]" in masked["comment"].iloc[0]


def test_stage_from_wide_session_columns(tmp_path):
    path = _csv(
        tmp_path,
        ["3,0,0,FALSE", "0,5,0,FALSE", "1,4,2,FALSE", "0,3,1,TRUE", "0,0,0,FALSE"],
        header="Informational,ProductRelated,Administrative,Revenue\n",
        name="s.csv",
    )
    loaded = cx.load_journey(
        path,
        generate_ids=True,
        stage_from=[
            ["Informational", "awareness"],
            ["ProductRelated", "consideration"],
            ["Administrative", "decision"],
            ["Revenue", "decision"],
        ],
    )
    assert loaded.frame["journey_stage"].astype(str).tolist() == [
        "awareness",
        "consideration",
        "decision",
        "decision",
        "awareness",
    ]
    assert loaded.frame["event_id"].tolist() == ["s-2", "s-3", "s-4", "s-5", "s-6"]


def test_dataframe_source_and_unpacking():
    df = pd.DataFrame({"review_id": ["a", "b"], "text": ["Fin", None], "rating": [5, 7]})
    frame, rejected, report = cx.load_reviews(df, max_rejected=1)
    assert frame["review_id"].tolist() == ["a"] and rejected["reason"].tolist() == ["rating: 7 outside 1–5"]
    assert report.read == 2 and report.format == "dataframe"
    assert df["rating"].tolist() == [5, 7]  # the input is never mutated


def test_unknown_table_and_units_are_errors(tmp_path):
    with pytest.raises(ValueError, match="table must be one of"):
        cx.load("surveys", pd.DataFrame({"a": [1]}))
    with pytest.raises(SchemaError, match="units .* is not supported"):
        cx.load_customers(pd.DataFrame({"customer_id": ["a"], "churned": [True]}), units={"tenure_months": "decades"})


def test_ambiguous_slash_dates_follow_the_day_first_evidence(tmp_path):
    path = _csv(tmp_path, ["a,03/04/2026", "b,25/04/2026"], header="response_id,responded_at\n")
    assert cx.load_feedback(path).frame["responded_at"].dt.month.tolist() == [4, 4]
    path = _csv(tmp_path, ["a,03/04/2026", "b,04/25/2026"], header="response_id,responded_at\n", name="us.csv")
    assert cx.load_feedback(path).frame["responded_at"].dt.month.tolist() == [3, 4]


def test_timezones_are_converted_to_utc(tmp_path):
    path = _csv(
        tmp_path, ["a,2026-03-01T10:00:00+01:00", "b,2026-03-01T10:00:00Z"], header="response_id,responded_at\n"
    )
    assert cx.load_feedback(path).frame["responded_at"].dt.hour.tolist() == [9, 10]


def test_report_summary_and_dict(tmp_path):
    loaded = _load(_csv(tmp_path, GOOD + ["r9,c9,2026-03-05,Web,Awareness,11,5,2,8,7,x"]))
    d = loaded.report.to_dict()
    assert (d["read"], d["accepted"], d["rejected"], d["invalid"]) == (5, 4, 1, 1)
    assert "read 5, accepted 4, rejected 1" in loaded.report.summary()
    assert "<b>feedback</b>" in loaded._repr_html_()


def test_survey_exports_load_with_their_standard_columns(project_dir):
    data = project_dir / "tests" / "data" / "surveys"
    qualtrics = cx.load_feedback(data / "qualtrics_nps.csv", columns={"nps": "Q1"})
    assert qualtrics.report.format == "qualtrics"
    assert qualtrics.report.columns["response_id"] == "ResponseId"
    assert qualtrics.report.columns["responded_at"] == "RecordedDate"
    assert qualtrics.report.excluded == 4 and qualtrics.report.read == 20
    assert qualtrics.frame["nps"].dropna().between(0, 10).all() and qualtrics.frame["nps"].notna().sum() == 15
    assert set(qualtrics.rejected["kind"]) == {"excluded"}
    strict = cx.load_feedback(data / "qualtrics_nps.csv", columns={"nps": "Q1"}, unfinished="exclude")
    assert strict.report.excluded == 6 and len(strict.frame) == 14
    for name in ("surveymonkey_nps.csv", "surveymonkey_nps.xlsx"):
        monkey = cx.load_feedback(data / name)
        assert monkey.report.format == "surveymonkey"
        assert monkey.report.columns["response_id"] == "Respondent ID"
        assert len(monkey.frame) + len(monkey.rejected) == monkey.report.read


# --------------------------------------------------------------------------- Nordic Excel exports (issue 15)

NORDIC = (
    "Svar-ID;Kunde;Dato;Anbefaling;Service;Pris;Kommentar\r\n"
    "S1;K1;31-10-2026 14:05;9;8;Ved ikke;Fin service\r\n"
    "S2;K2;01-10-2026 09:30;3;VED IKKE ;4,5;Ring 22 33 44 55\r\n"
    "S3;K3;15-09-2026 23:59;10;9;7;\r\n"
)
NORDIC_COLUMNS = {
    "response_id": "Svar-ID",
    "customer_id": "Kunde",
    "responded_at": "Dato",
    "nps": "Anbefaling",
    "comment": "Kommentar",
}


def _nordic(tmp_path, **kw):
    path = tmp_path / "eksport.csv"
    path.write_bytes(NORDIC.encode("cp1252"))
    kw.setdefault("columns", NORDIC_COLUMNS)
    kw.setdefault("drivers", {"support": "Service", "price": "Pris"})
    return path, cx.load_feedback(path, **kw)


@pytest.mark.parametrize("dayfirst", [True, None])
def test_nordic_dd_mm_yyyy_hh_mm_dates(tmp_path, dayfirst):
    # dd-mm-yyyy HH:MM, Danish Excel's default; 31-10 can only be day first, so the reader
    # also detects the order when dayfirst is not given.
    _, loaded = _nordic(tmp_path, dayfirst=dayfirst, na_codes={"support": ["Ved ikke"], "price": ["Ved ikke"]})
    assert loaded.frame["responded_at"].tolist() == [
        pd.Timestamp("2026-10-31 14:05"),
        pd.Timestamp("2026-10-01 09:30"),
        pd.Timestamp("2026-09-15 23:59"),
    ]
    _conserved(loaded)


def test_ambiguous_dash_dates_follow_dayfirst(tmp_path):
    path = _csv(tmp_path, ["a,01-02-2026 10:00,9", "b,03-04-2026,7"], header="response_id,responded_at,nps\n")
    assert cx.load_feedback(path, dayfirst=True).frame["responded_at"].dt.month.tolist() == [2, 4]
    assert cx.load_feedback(path, dayfirst=False).frame["responded_at"].dt.month.tolist() == [1, 3]


def test_text_not_applicable_codes_read_as_missing(tmp_path):
    _, loaded = _nordic(tmp_path, dayfirst=True, na_codes={"support": ["Ved ikke"], "Pris": "ved ikke"})
    f = loaded.frame
    # Compared ignoring case and surrounding spaces; the key may be the source column (Pris).
    assert pd.isna(f["support"][1]) and pd.isna(f["price"][0])
    assert f["support"].tolist()[::2] == [8, 9] and f["price"].tolist()[1:] == [4.5, 7.0]  # decimal comma
    assert len(loaded.rejected) == 0
    assert any("support: 1 not-applicable" in n for n in loaded.report.notes)


def test_text_code_without_na_codes_is_rejected_with_the_fix(tmp_path):
    path, loaded = _nordic(tmp_path, dayfirst=True, max_rejected=1.0)
    reasons = loaded.rejected["reason"].tolist()
    assert reasons == [
        "price (column 'Pris'): 'Ved ikke' is not a number; if it means \"not applicable\", "
        "list it in na_codes (na_codes: {price: ['Ved ikke']})",
        "support (column 'Service'): 'VED IKKE' is not a number; if it means \"not applicable\", "
        "list it in na_codes (na_codes: {support: ['VED IKKE']})",
    ]
    with pytest.raises(DataQualityError, match=rf"{path.name}.*support \(column 'Service'\).*na_codes"):
        _nordic(tmp_path, dayfirst=True)


@pytest.mark.parametrize(
    "na_codes, message",
    [
        ({"Prise": ["Ved ikke"]}, "na_codes names column 'Prise'.*Did you mean 'Pris'"),
        ({"support": [{"a": 1}]}, "na_codes for column 'support' must be numbers or texts"),
        (["Ved ikke"], "na_codes must map a column"),
    ],
)
def test_bad_na_codes_name_the_file_and_column(tmp_path, na_codes, message):
    with pytest.raises(SchemaError, match=message) as info:
        _nordic(tmp_path, dayfirst=True, na_codes=na_codes)
    assert "eksport.csv" in str(info.value)


def test_na_codes_on_an_extra_column_before_its_type_is_inferred(tmp_path):
    path = _csv(
        tmp_path,
        ["a,2026-01-01,9,3", "b,2026-01-02,7,Vet ikke", "c,2026-01-03,8,5"],
        header="response_id,responded_at,nps,Levering\n",
    )
    plain = cx.load_feedback(path).frame["Levering"]
    assert plain.dtype == "string"  # one word makes the column text
    coded = cx.load_feedback(path, na_codes={"Levering": ["Vet ikke"]}).frame["Levering"]
    assert coded.dtype == "Int64" and coded.tolist()[::2] == [3, 5] and pd.isna(coded[1])


def test_nordic_excel_workbook(tmp_path):
    # The same export saved as .xlsx: numbers are numbers, "Ved ikke" is text in a number
    # column, the time stamp is text in one row and a real Excel date in another.
    openpyxl = pytest.importorskip("openpyxl")
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Svar-ID", "Kunde", "Dato", "Anbefaling", "Service", "Pris", "Kommentar"])
    sheet.append(["S1", "K1", "31-10-2026 14:05", 9, 8, "Ved ikke", "Fin service"])
    sheet.append(["S2", "K2", dt.datetime(2026, 10, 1, 9, 30), 3, "Ved ikke", 4.5, "Ring 22 33 44 55"])
    sheet.append(["S3", "K3", "15-09-2026 23:59", 10, 9, 7, None])
    path = tmp_path / "eksport.xlsx"
    book.save(path)
    loaded = cx.load_feedback(
        path,
        columns=NORDIC_COLUMNS,
        drivers={"support": "Service", "price": "Pris"},
        dayfirst=True,
        na_codes={"support": ["Ved ikke"], "price": ["Ved ikke"]},
    )
    f = loaded.frame
    assert f["responded_at"].tolist() == [
        pd.Timestamp("2026-10-31 14:05"),
        pd.Timestamp("2026-10-01 09:30"),
        pd.Timestamp("2026-09-15 23:59"),
    ]
    assert pd.isna(f["price"][0]) and pd.isna(f["support"][1]) and f["price"].tolist()[1:] == [4.5, 7.0]
    assert f["nps"].tolist() == [9, 3, 10] and len(loaded.rejected) == 0


def test_rejected_timestamp_is_not_masked_as_a_phone_number(tmp_path):
    path = _csv(tmp_path, ["a,31-13-2026 14:05,9", "b,01-10-2026 09:30,7"], header="response_id,responded_at,nps\n")
    loaded = cx.load_feedback(path, dayfirst=True, max_rejected=1.0)
    reason = loaded.report.examples["responded_at: … is not a date (expected e.g. 2026-03-14)"][1]
    assert "'31-13-2026 14:05'" in reason and "[phone]" not in reason
    assert "31-13-2026 14:05" in loaded.rejected_masked()["reason"][0]


def test_ordinal_dates_of_review_sites_parse(tmp_path):
    # issue 23: an airline review-site export writes "19th November 2023"; every such row is a date
    path = tmp_path / "reviews.csv"
    path.write_text(
        "review_id,published_at,rating,text\n"
        '1,19th November 2023,4,fine\n2,1st Dec 2023,2,late\n3,"December 22nd, 2023",5,great\n'
        "4,3rd of never,3,odd\n"
    )
    loaded = cx.load_reviews(path, max_rejected=0.5)
    assert loaded.frame["published_at"].dt.strftime("%Y-%m-%d").tolist() == ["2023-11-19", "2023-12-01", "2023-12-22"]
    assert loaded.rejected["reason"].str.contains("'3rd of never' is not a date").all() and len(loaded.rejected) == 1


# -- the catalog describes real data (issue 23, Deliver 3) --------------------------------


def test_a_ten_point_rating_is_kept_on_its_scale_and_the_error_names_scales(tmp_path):
    from cxkit.errors import DataQualityError

    path = tmp_path / "r.csv"
    path.write_text("rid,stars,text\n1,9,great\n2,2,bad\n3,10,ok\n4,1,awful\n")
    with pytest.raises(DataQualityError, match=r"scales: \{rating: \[low, high\]\}.*do not raise max_rejected"):
        cx.load("reviews", path, columns={"review_id": "rid", "rating": "stars"})
    loaded = cx.load("reviews", path, columns={"review_id": "rid", "rating": "stars"}, scales={"rating": [1, 10]})
    assert loaded.frame["rating"].tolist() == [9, 2, 10, 1]
    assert loaded.frame.attrs["scales"] == {"rating": [1, 10]}
    assert loaded.report.accepted + loaded.report.rejected == loaded.report.read == 4


def test_scales_are_validated_and_nps_is_always_zero_to_ten(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("id,rec,ces\nA,9,2\nB,3,5\n")
    common = {"columns": {"response_id": "id", "nps": "rec"}, "fieldwork": "2026-10"}
    with pytest.raises(cx.SchemaError, match="nps is always 0-10"):
        cx.load("feedback", path, scales={"nps": [1, 10]}, **common)
    with pytest.raises(cx.SchemaError, match="take a scale are csat, ces"):
        cx.load("feedback", path, scales={"rating": [1, 10]}, **common)
    with pytest.raises(cx.SchemaError, match="low < high"):
        cx.load("feedback", path, scales={"ces": [5, 1]}, **common)
    frame = cx.load("feedback", path, scales={"ces": [1, 5]}, **common).frame
    assert frame.attrs["scales"]["ces"] == [1, 5]


def test_fieldwork_dates_an_undated_survey_and_is_refused_beside_dates(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("id,rec\nA,9\nB,3\n")
    loaded = cx.load("feedback", path, columns={"response_id": "id", "nps": "rec"}, fieldwork="2026-10")
    assert (loaded.frame["responded_at"] == pd.Timestamp("2026-10-01")).all()
    assert any("fieldwork period 2026-10" in note for note in loaded.report.notes)
    with pytest.raises(cx.SchemaError, match="YYYY-MM"):
        cx.load("feedback", path, columns={"response_id": "id", "nps": "rec"}, fieldwork="Oct 2026")
    dated = tmp_path / "d.csv"
    dated.write_text("id,rec,when\nA,9,2026-10-02\n")
    with pytest.raises(cx.SchemaError, match="fieldwork is for exports without dates"):
        cx.load(
            "feedback", dated, columns={"response_id": "id", "nps": "rec", "responded_at": "when"}, fieldwork="2026-10"
        )


def test_recodes_are_typed_the_same_from_a_dataframe_and_a_file(tmp_path):
    """Issue 23 Deliver 4: values= on an extra column gives numbers from a DataFrame as from a file."""
    df = pd.DataFrame({"id": ["a", "b", "c"], "Churn": ["Yes", "No", "Yes"], "Rec": ["Yes", "No", "Maybe"]})
    df.to_csv(tmp_path / "c.csv", index=False)
    options = {
        "columns": {"customer_id": "id", "churned": "Churn"},
        "values": {"churned": {"Yes": True, "No": False}, "Rec": {"Yes": 1, "No": 0, "Maybe": 0.5}},
    }
    from_frame = cx.load("customers", df, **options).frame
    from_file = cx.load("customers", tmp_path / "c.csv", **options).frame
    assert str(from_frame["Rec"].dtype) == str(from_file["Rec"].dtype) == "Float64"
    assert from_frame["Rec"].tolist() == from_file["Rec"].tolist() == [1.0, 0.0, 0.5]


def test_a_column_of_two_true_words_is_a_category_not_all_true(tmp_path):
    """'x' and 'y' both read as yes on their own; together they are a category (plan x, plan y)."""
    path = tmp_path / "c.csv"
    path.write_text("id,churned,plan,ticked\na,yes,x,x\nb,no,y,\nc,yes,x,x\n")
    frame = cx.load("customers", path, columns={"customer_id": "id"}).frame
    assert frame["plan"].tolist() == ["x", "y", "x"]
    assert frame["ticked"].dtype == "boolean" and frame["ticked"].tolist()[::2] == [True, True]
