"""Tests for cxkit.data.surveys: Qualtrics and SurveyMonkey exports.

The fixtures in tests/data/surveys/ are synthetic and written by :func:`write_fixtures` below;
run ``python tests/test_surveys.py`` to rewrite them (``test_fixtures_match_generator`` fails
when the committed files and the generator drift). Every expected value in the tests is read
off the rows listed here, with the physical lines worked out in comments.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest

from cxkit.data import formats, surveys
from cxkit.errors import SourceError

DATA = Path(__file__).parent / "data" / "surveys"
QUALTRICS = DATA / "qualtrics_nps.csv"
QUALTRICS_NUMERIC = DATA / "qualtrics_nps_numeric.csv"
MONKEY_CSV = DATA / "surveymonkey_nps.csv"
MONKEY_XLSX = DATA / "surveymonkey_nps.xlsx"

# --------------------------------------------------------------------------- fixture generator

Q_META = [  # short name, question text (row 2), ImportId JSON (row 3)
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/Oslo"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/Oslo"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"Europe/Oslo"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
    ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
    ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
    ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
    ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
    ("Q1", "How likely are you to recommend Nordlys Energi to a friend or colleague?", '{"ImportId":"QID1"}'),
    ("Q2_1", "How satisfied are you with Nordlys Energi on each of the following? - Price", '{"ImportId":"QID2_1"}'),
    (
        "Q2_2",
        "How satisfied are you with Nordlys Energi on each of the following? - Customer service",
        '{"ImportId":"QID2_2"}',
    ),
    ("Q2_3", "How satisfied are you with Nordlys Energi on each of the following? - The app", '{"ImportId":"QID2_3"}'),
    ("Q2_4", "How satisfied are you with Nordlys Energi on each of the following? - Billing", '{"ImportId":"QID2_4"}'),
    # a question text with a line break: the header takes 4 physical lines
    ("Q3", "What is the main reason for your score?\nPlease be as specific as you can.", '{"ImportId":"QID3_TEXT"}'),
    ("CustomerNo", "CustomerNo", '{"ImportId":"CustomerNo"}'),
]
VS, S, N, D = "Very satisfied", "Satisfied", "Neither satisfied nor dissatisfied", "Dissatisfied"
# Status, DistributionChannel, Progress, Finished, ResponseId, Q1, Q2_1..Q2_4, Q3, recipient (last, first, email)
Q_ROWS = [
    (
        "IP Address",
        "anonymous",
        100,
        "True",
        "R_1Dk8wQz0aLm3Xp1",
        "10 - Extremely likely",
        VS,
        VS,
        S,
        S,
        "Fair price and the app just works.",
        None,
    ),
    ("Survey Preview", "preview", 100, "True", "R_2Pv0Tr9bNc4Yq2", "9", S, S, S, S, "test av undersøkelsen", None),
    (
        "IP Address",
        "email",
        100,
        "True",
        "R_3Em4Ku7cOd5Zr3",
        "9",
        S,
        VS,
        S,
        N,
        "Rask hjelp på chat.",
        ("Hansen", "Kari", "kari.hansen@example.no"),
    ),
    ("Survey Test", "test", 100, "True", "R_4Ts1Gn5dPe6As4", "7", N, N, N, N, "Lorem ipsum dolor sit amet", None),
    (
        "IP Address",
        "anonymous",
        100,
        "True",
        "R_5Ml2Cm8eQf7Bt5",
        "3",
        D,
        D,
        N,
        D,
        "Billing was confusing.\nI was charged twice in January.\nCustomer service fixed it after two weeks.",
        None,
    ),
    (
        "IP Address",
        "anonymous",
        100,
        "True",
        "R_6Af9Tc3fRg8Cu6",
        "8",
        S,
        S,
        VS,
        S,
        "Good, but the price went up.",
        None,
    ),
    (
        "Spam",
        "anonymous",
        100,
        "True",
        "R_7Sp6Am1gSh9Dv7",
        "10 - Extremely likely",
        VS,
        VS,
        VS,
        VS,
        "Cheap watches at example.com!!!",
        None,
    ),
    (
        "Imported",
        "anonymous",
        100,
        "True",
        "R_8Im3Pt2hTi0Ew8",
        "6",
        N,
        S,
        N,
        N,
        "Imported from the call-centre survey.",
        None,
    ),
    ("IP Address", "anonymous", 45, "False", "R_9Un5Fn4iUj1Fx9", "6", N, "", "", "", "", None),
    (
        "Survey Preview",
        "preview",
        100,
        "True",
        "R_0Pv7Tr6jVk2Gy0",
        "0 - Not at all likely",
        D,
        D,
        D,
        D,
        "preview again",
        None,
    ),
    (
        "IP Address",
        "email",
        100,
        "True",
        "R_1Ok8Lm5kWl3Hz1",
        "10 - Extremely likely",
        VS,
        VS,
        VS,
        VS,
        "",
        ("Berg", "Ola", "ola.berg@example.no"),
    ),
    ("IP Address", "anonymous", 100, "True", "R_2Ok9Mn6lXm4Ia2", "5", N, D, N, N, "Too many price changes.", None),
    ("IP Address", "anonymous", 100, "True", "R_3Ok0No7mYn5Jb3", "9", S, S, S, VS, "", None),
    ("IP Address", "anonymous", 100, "True", "R_4Ok1Op8nZo6Kc4", "7", S, N, S, S, "OK.", None),
    ("IP Address", "anonymous", 12, "False", "R_5Un2Pq9oAp7Ld5", "", "", "", "", "", "", None),
    (
        "IP Address",
        "anonymous",
        100,
        "True",
        "R_6Ok3Qr0pBq8Me6",
        "8",
        S,
        S,
        S,
        S,
        "Stable supply, no complaints.",
        None,
    ),
    (
        "IP Address",
        "email",
        100,
        "True",
        "R_7Ok4Rs1qCr9Nf7",
        "2",
        D,
        D,
        D,
        D,
        'Invoice "estimates" are way off.',
        ("Nilsen", "Per", "per.nilsen@example.no"),
    ),
    (
        "IP Address",
        "anonymous",
        100,
        "True",
        "R_8Ok5St2rDs0Og8",
        "10 - Extremely likely",
        VS,
        S,
        VS,
        S,
        "Best customer service I have had.",
        None,
    ),
    ("IP Address", "anonymous", 100, "True", "R_9Ok6Tu3sEt1Ph9", "6", N, N, S, N, "", None),
    ("IP Address", "anonymous", 100, "True", "R_0Ok7Uv4tFu2Qi0", "9", S, S, S, S, "Easy to switch to you.", None),
]
# "Use numeric values" export: Status and Finished as codes (source of the codes: QUALTRICS_STATUS)
Q_NUMERIC_ROWS = [  # Status, DistributionChannel, Progress, Finished, ResponseId, Q1
    ("0", "anonymous", 100, "1", "R_aN1", "10"),
    ("1", "preview", 100, "1", "R_aN2", "9"),
    ("2", "test", 100, "1", "R_aN3", "4"),
    ("8", "anonymous", 100, "1", "R_aN4", "10"),
    ("9", "preview", 100, "1", "R_aN5", "0"),  # Survey Preview Spam: a preview first
    ("4", "anonymous", 100, "1", "R_aN6", "7"),  # Imported: kept
    ("16", "offline", 100, "1", "R_aN7", "8"),  # Offline app: kept
    ("0", "anonymous", 30, "0", "R_aN8", "3"),  # unfinished
]

M_NPS = "Hvor sannsynlig er det at du vil anbefale Fjordkraft Mobil til en venn eller kollega?"
M_CHANNELS = "Hvilke kanaler har du brukt for å kontakte oss? (velg alle som passer)"
M_CHANNEL_OPTIONS = ["Telefon", "E-post", "Chat", "Butikk", "Annet (vennligst spesifiser)"]
M_SAT = "Hvor fornøyd er du med følgende?"
M_SAT_ROWS = ["Pris", "Dekning", "Kundeservice"]
M_OPEN = "Er det noe annet du vil fortelle oss?"
M_FIXED = [
    "Respondent ID",
    "Collector ID",
    "Start Date",
    "End Date",
    "IP Address",
    "Email Address",
    "First Name",
    "Last Name",
    "Custom Data 1",
]
M_ROW1 = M_FIXED + [M_NPS, M_CHANNELS] + [""] * 4 + [M_SAT, "", "", M_OPEN]
M_ROW2 = [""] * 9 + ["Response"] + M_CHANNEL_OPTIONS + M_SAT_ROWS + ["Open-Ended Response"]
M_ROWS = [  # Respondent ID, start (day, hour), NPS, channels ticked, other text, satisfaction x3, comment
    (
        114223344501,
        (2, 8),
        10,
        {"Telefon"},
        "",
        ["Svært fornøyd", "Fornøyd", "Svært fornøyd"],
        "Kundeservice var veldig hjelpsom.",
    ),
    (
        114223344502,
        (2, 9),
        4,
        {"Telefon", "Chat"},
        "",
        ["Misfornøyd", "Fornøyd", "Misfornøyd"],
        "Ventetiden på telefon var altfor lang – over 40 minutter.",
    ),
    (
        114223344503,
        (3, 10),
        6,
        {"Butikk", "Annet (vennligst spesifiser)"},
        "Facebook",
        ["Nøytral", "Misfornøyd", "Nøytral"],
        "Dekningen på hytta er dårlig.\nEllers bra.",
    ),
    (
        114223344504,
        (3, 11),
        9,
        set(),
        "",
        ["Fornøyd", "Fornøyd", "Fornøyd"],
        "Jeg er meget tilfreds – især med prisen.",
    ),
    (114223344505, (4, 12), 8, {"E-post"}, "", ["Fornøyd", "Nøytral", "Fornøyd"], ""),
    (
        114223344506,
        (4, 13),
        10,
        {"Chat", "E-post"},
        "",
        ["Svært fornøyd", "Svært fornøyd", "Fornøyd"],
        "Bytter aldri – bedste selskab i Danmark og Norge.",
    ),
    (
        114223344507,
        (5, 14),
        0,
        {"Telefon"},
        "",
        ["Svært misfornøyd", "Misfornøyd", "Svært misfornøyd"],
        "Fakturaen var feil tre måneder på rad. Sæt jer ind i det!",
    ),
    (114223344508, (5, 15), 7, set(), "", ["Nøytral", "Fornøyd", "Nøytral"], "Greit nok."),
]


def _qualtrics_cells(row) -> list:
    status, channel, progress, finished, rid, q1, *rest = row
    q2, q3, recipient = (rest[:4], rest[4], rest[5]) if len(rest) == 6 else (["", "", "", ""], "", None)
    last, first, email = recipient or ("", "", "")
    n = int(rid[-1]) if rid[-1].isdigit() else 0
    start = f"2026-03-{2 + n:02d} 08:{10 + n:02d}:05"
    end = f"2026-03-{2 + n:02d} 08:{14 + n:02d}:41"
    ip = "" if channel in ("preview", "test") else f"84.212.{10 + n}.{40 + n}"
    return [
        start,
        end,
        status,
        ip,
        progress,
        216 + 7 * n,
        finished,
        end,
        rid,
        last,
        first,
        email,
        "",
        f"59.9{n}",
        f"10.7{n}",
        channel,
        "EN" if n % 3 else "NO",
        q1,
        *q2,
        q3,
        f"C{4410 + n}",
    ]


def _monkey_cells(row, *, typed: bool) -> list:
    rid, (day, hour), nps, ticked, other, sat, comment = row
    start = dt.datetime(2026, 3, day, hour, 5, 12)
    end = start + dt.timedelta(minutes=3, seconds=rid % 50)
    channels = [o if o in ticked and o != M_CHANNEL_OPTIONS[-1] else "" for o in M_CHANNEL_OPTIONS[:-1]] + [other]
    stamp = (lambda t: t) if typed else (lambda t: t.strftime("%m/%d/%Y %I:%M:%S %p"))
    ids = (rid, 431877001) if typed else (str(rid), "431877001")
    return [
        *ids,
        stamp(start),
        stamp(end),
        "",
        "",
        "",
        "",
        f"kunde-{rid % 1000}",
        nps if typed else str(nps),
        *channels,
        *sat,
        comment,
    ]


def _csv_bytes(rows: list[list], encoding: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_fixtures(folder: Path) -> None:
    """Write the four synthetic exports into ``folder``."""
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    header = [list(col) for col in zip(*Q_META)]
    # Qualtrics writes UTF-8 with a BOM and CRLF line ends
    (folder / QUALTRICS.name).write_bytes(_csv_bytes(header + [_qualtrics_cells(r) for r in Q_ROWS], "utf-8-sig"))
    numeric = header + [_qualtrics_cells(r) for r in Q_NUMERIC_ROWS]
    (folder / QUALTRICS_NUMERIC.name).write_bytes(_csv_bytes(numeric, "utf-8").replace(b"\r\n", b"\n"))
    # SurveyMonkey CSV opened and saved again in a Nordic Excel: cp1252, and two trailing rows of
    # bare delimiters
    monkey = [M_ROW1, M_ROW2] + [_monkey_cells(r, typed=False) for r in M_ROWS] + [[""] * len(M_ROW1)] * 2
    (folder / MONKEY_CSV.name).write_bytes(_csv_bytes(monkey, "cp1252"))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet"
    for row in [M_ROW1, M_ROW2] + [_monkey_cells(r, typed=True) for r in M_ROWS]:
        sheet.append([v if v != "" else None for v in row])
    for row in (11, 12):  # formatted but empty rows below the data, as Excel leaves them
        sheet.cell(row=row, column=1).number_format = "0"
    workbook.save(folder / MONKEY_XLSX.name)


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    "path, tool",
    [
        (QUALTRICS, "qualtrics"),
        (QUALTRICS_NUMERIC, "qualtrics"),
        (MONKEY_CSV, "surveymonkey"),
        (MONKEY_XLSX, "surveymonkey"),
    ],
)
def test_detect_names_the_tool(path, tool):
    assert surveys.detect(path) == tool


def test_detect_returns_none_for_other_files(tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("response_id,score,comment\r\n1,9,ok\r\n")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip file")
    assert [surveys.detect(p) for p in (plain, broken, tmp_path / "missing.csv")] == [None, None, None]


def test_read_file_routes_survey_exports_here():
    assert formats.read_file(QUALTRICS).format == "qualtrics"
    assert formats.read_file(MONKEY_XLSX).format == "surveymonkey"


# --------------------------------------------------------------------------- Qualtrics


def test_qualtrics_columns_are_short_names_with_header_rows_in_attrs():
    raw = surveys.read_export(QUALTRICS, tool="qualtrics")
    assert list(raw.frame.columns) == [name for name, _, _ in Q_META]
    attrs = raw.frame.attrs
    assert attrs["question_text"]["Q2_3"] == (
        "How satisfied are you with Nordlys Energi on each of the following? - The app"
    )
    assert attrs["question_text"]["Q3"] == "What is the main reason for your score?\nPlease be as specific as you can."
    assert attrs["import_ids"]["Q2_1"] == "QID2_1"
    assert attrs["import_ids"]["ResponseId"] == "_recordId"
    assert attrs["time_zones"] == {"StartDate": "Europe/Oslo", "EndDate": "Europe/Oslo", "RecordedDate": "Europe/Oslo"}
    assert attrs["id_column"] == "ResponseId"
    assert (raw.format, raw.typed) == ("qualtrics", False)
    assert (raw.dialect["encoding"], raw.dialect["sep"]) == ("utf-8-sig", ",")


def test_qualtrics_nps_choice_text_is_kept_as_written():
    frame = surveys.read_export(QUALTRICS, tool="qualtrics").frame.set_index("ResponseId")
    assert frame.loc["R_1Dk8wQz0aLm3Xp1", "Q1"] == "10 - Extremely likely"
    assert frame.loc["R_3Em4Ku7cOd5Zr3", "Q1"] == "9"
    assert frame.loc["R_7Ok4Rs1qCr9Nf7", "Q3"] == 'Invoice "estimates" are way off.'


def test_qualtrics_previews_tests_and_spam_are_excluded_with_reasons():
    raw = surveys.read_export(QUALTRICS, tool="qualtrics")
    excluded = raw.excluded
    # rows 2, 4, 7 and 10 of Q_ROWS; lines: header on lines 1-4 (Q3's text spans 2 lines),
    # row 5's comment spans lines 9-11
    assert excluded["ResponseId"].tolist() == [
        "R_2Pv0Tr9bNc4Yq2",
        "R_4Ts1Gn5dPe6As4",
        "R_7Sp6Am1gSh9Dv7",
        "R_0Pv7Tr6jVk2Gy0",
    ]
    assert excluded["line"].tolist() == [6, 8, 13, 16]
    assert excluded["reason"].tolist() == [
        "Qualtrics survey preview (Status 'Survey Preview')",
        "Qualtrics test response (Status 'Survey Test')",
        "Qualtrics spam (Status 'Spam')",
        "Qualtrics survey preview (Status 'Survey Preview')",
    ]
    assert list(excluded.columns) == ["line", "reason"] + list(raw.frame.columns)
    assert excluded.loc[1, "Q3"] == "Lorem ipsum dolor sit amet"
    assert "Qualtrics: 2 preview, 1 test, 1 spam responses excluded" in raw.notes
    assert "Qualtrics: 2 unfinished responses kept (unfinished='keep')" in raw.notes
    # Imported responses are responses
    assert "R_8Im3Pt2hTi0Ew8" in raw.frame["ResponseId"].tolist()


def test_qualtrics_unfinished_keep_or_exclude():
    kept = surveys.read_export(QUALTRICS, tool="qualtrics")
    dropped = surveys.read_export(QUALTRICS, tool="qualtrics", unfinished="exclude")
    assert (len(kept.frame), len(kept.excluded)) == (16, 4)
    assert (len(dropped.frame), len(dropped.excluded)) == (14, 6)
    unfinished = dropped.excluded[dropped.excluded["reason"].str.contains("unfinished")]
    assert unfinished["ResponseId"].tolist() == ["R_9Un5Fn4iUj1Fx9", "R_5Un2Pq9oAp7Ld5"]
    assert unfinished["reason"].tolist() == [
        "Qualtrics unfinished response (Finished 'False', progress 45%)",
        "Qualtrics unfinished response (Finished 'False', progress 12%)",
    ]
    assert unfinished["line"].tolist() == [15, 21]
    assert "Qualtrics: 2 unfinished responses excluded (unfinished='exclude')" in dropped.notes


def test_qualtrics_lines_are_physical_lines_after_multiline_cells():
    raw = surveys.read_export(QUALTRICS, tool="qualtrics")
    line_of = dict(zip(raw.frame["ResponseId"], raw.lines.tolist()))
    assert line_of["R_1Dk8wQz0aLm3Xp1"] == 5  # after a 4-line header: Q3's question text has a line break
    assert line_of["R_5Ml2Cm8eQf7Bt5"] == 9  # its comment has two line breaks: lines 9-11
    assert line_of["R_6Af9Tc3fRg8Cu6"] == 12
    assert line_of["R_0Ok7Uv4tFu2Qi0"] == 26  # the last of 20 records
    assert raw.lines.dtype == np.int64
    assert raw.frame.set_index("ResponseId").loc["R_5Ml2Cm8eQf7Bt5", "Q3"].count("\n") == 2


def test_qualtrics_rows_are_conserved():
    for unfinished in ("keep", "exclude"):
        raw = surveys.read_export(QUALTRICS, tool="qualtrics", unfinished=unfinished)
        assert len(raw.frame) + len(raw.excluded) == len(Q_ROWS) == raw.n_read
        assert sorted(raw.lines.tolist() + raw.excluded["line"].tolist()) == [5, 6, 7, 8, 9, *range(12, 27)]


def test_qualtrics_numeric_status_codes():
    raw = surveys.read_export(QUALTRICS_NUMERIC, tool="qualtrics", unfinished="exclude")
    # source of the codes: Qualtrics' SPSS value labels for Status (see QUALTRICS_STATUS)
    assert raw.excluded["ResponseId"].tolist() == ["R_aN2", "R_aN3", "R_aN4", "R_aN5", "R_aN8"]
    assert raw.excluded["reason"].tolist() == [
        "Qualtrics survey preview (Status '1')",
        "Qualtrics test response (Status '2')",
        "Qualtrics spam (Status '8')",
        "Qualtrics survey preview (Status '9')",
        "Qualtrics unfinished response (Finished '0', progress 30%)",
    ]
    assert raw.frame["ResponseId"].tolist() == ["R_aN1", "R_aN6", "R_aN7"]
    assert raw.lines.tolist() == [5, 10, 11]  # LF line ends; the header again takes lines 1-4
    assert raw.dialect["encoding"] == "utf-8"
    assert "Qualtrics: 2 preview, 1 test, 1 spam responses excluded" in raw.notes


def test_qualtrics_distribution_channel_alone_marks_previews_and_tests(tmp_path):
    header = [list(col) for col in zip(*Q_META)]
    rows = [
        _qualtrics_cells(("IP Address", channel, 100, "True", f"R_c{i}", "9"))
        for i, channel in enumerate(["anonymous", "preview", "test", "email"])
    ]
    path = tmp_path / "channels.csv"
    path.write_bytes(_csv_bytes(header + rows, "utf-8"))
    raw = surveys.read_export(path, tool="qualtrics")
    assert raw.excluded["reason"].tolist() == [
        "Qualtrics survey preview (DistributionChannel 'preview')",
        "Qualtrics test response (DistributionChannel 'test')",
    ]
    assert raw.frame["ResponseId"].tolist() == ["R_c0", "R_c3"]


def test_qualtrics_export_without_responses_is_an_empty_table(tmp_path):
    path = tmp_path / "empty_survey.csv"
    path.write_bytes(_csv_bytes([list(col) for col in zip(*Q_META)], "utf-8-sig"))
    raw = surveys.read_export(path, tool="qualtrics")
    assert (len(raw.frame), len(raw.excluded), len(raw.frame.columns)) == (0, 0, len(Q_META))


# --------------------------------------------------------------------------- SurveyMonkey

MONKEY_COLUMNS = [
    "Respondent ID",
    "Collector ID",
    "Start Date",
    "End Date",
    "IP Address",
    "Email Address",
    "First Name",
    "Last Name",
    "Custom Data 1",
    "Hvor sannsynlig er det at du vil anbefale Fjordkraft Mobil til en venn eller kollega?",
    "Hvilke kanaler har du brukt for å kontakte oss? (velg alle som passer) | Telefon",
    "Hvilke kanaler har du brukt for å kontakte oss? (velg alle som passer) | E-post",
    "Hvilke kanaler har du brukt for å kontakte oss? (velg alle som passer) | Chat",
    "Hvilke kanaler har du brukt for å kontakte oss? (velg alle som passer) | Butikk",
    "Hvilke kanaler har du brukt for å kontakte oss? (velg alle som passer) | Annet (vennligst spesifiser)",
    "Hvor fornøyd er du med følgende? | Pris",
    "Hvor fornøyd er du med følgende? | Dekning",
    "Hvor fornøyd er du med følgende? | Kundeservice",
    "Er det noe annet du vil fortelle oss?",
]


@pytest.mark.parametrize("path", [MONKEY_CSV, MONKEY_XLSX])
def test_surveymonkey_column_names_combine_both_header_rows(path):
    raw = surveys.read_export(path, tool="surveymonkey")
    assert list(raw.frame.columns) == MONKEY_COLUMNS
    assert raw.frame.attrs["header_rows"] == [M_ROW1, M_ROW2]
    assert raw.frame.attrs["question_text"][MONKEY_COLUMNS[12]] == M_CHANNELS
    assert raw.frame.attrs["id_column"] == "Respondent ID"
    assert raw.format == "surveymonkey"
    assert (
        "SurveyMonkey: 2 header rows combined into 19 column names (8 as '<question> | <option>'); "
        "original rows in frame.attrs['header_rows']" in raw.notes
    )


def test_surveymonkey_csv_cp1252_text_and_lines():
    raw = surveys.read_export(MONKEY_CSV, tool="surveymonkey")
    assert (raw.dialect["encoding"], raw.typed) == ("cp1252", False)
    comments = raw.frame[M_OPEN].tolist()
    assert comments[1] == "Ventetiden på telefon var altfor lang – over 40 minutter."  # the dash is cp1252 0x96
    assert comments[3] == "Jeg er meget tilfreds – især med prisen."
    assert comments[2] == "Dekningen på hytta er dårlig.\nEllers bra."
    # header on lines 1-2; the third response's comment spans lines 5-6
    assert raw.lines.tolist() == [3, 4, 5, 7, 8, 9, 10, 11]
    assert raw.frame["Respondent ID"].tolist() == [str(r[0]) for r in M_ROWS]
    assert raw.frame.loc[2, MONKEY_COLUMNS[13]] == "Butikk"
    assert raw.frame.loc[2, MONKEY_COLUMNS[14]] == "Facebook"
    assert raw.frame.loc[2, MONKEY_COLUMNS[10]] == ""


def test_surveymonkey_csv_trailing_excel_rows_are_excluded_and_rows_conserved():
    raw = surveys.read_export(MONKEY_CSV, tool="surveymonkey")
    assert raw.excluded[["line", "reason"]].values.tolist() == [
        [12, "empty row (every cell blank)"],
        [13, "empty row (every cell blank)"],
    ]
    assert list(raw.excluded.columns) == ["line", "reason"] + MONKEY_COLUMNS
    assert len(raw.frame) + len(raw.excluded) == len(M_ROWS) + 2  # 8 responses and 2 rows of bare commas


def test_surveymonkey_xlsx_matches_csv_with_sheet_rows_and_types():
    raw = surveys.read_export(MONKEY_XLSX, tool="surveymonkey")
    from_csv = surveys.read_export(MONKEY_CSV, tool="surveymonkey")
    assert raw.typed is True
    assert raw.lines.tolist() == [3, 4, 5, 6, 7, 8, 9, 10]  # sheet rows: a multi-line cell is one row
    assert raw.frame["Respondent ID"].tolist() == [r[0] for r in M_ROWS]
    assert raw.frame.loc[0, "Start Date"] == dt.datetime(2026, 3, 2, 8, 5, 12)
    assert raw.frame[M_OPEN].fillna("").tolist() == from_csv.frame[M_OPEN].tolist()
    # Excel's formatted but empty rows 11-12 are not records
    assert (len(raw.frame), len(raw.excluded)) == (len(M_ROWS), 0)


# --------------------------------------------------------------------------- errors


def _without_line(path: Path, index: int, tmp_path: Path) -> Path:
    lines = path.read_bytes().split(b"\r\n")
    out = tmp_path / path.name
    out.write_bytes(b"\r\n".join(lines[:index] + lines[index + 1 :]))
    return out


def test_qualtrics_without_importid_row_says_how_to_fix(tmp_path):
    path = _without_line(QUALTRICS, 2, tmp_path)  # the 3rd CRLF-ended row (line 4) is the ImportId row
    assert surveys.detect(path) == "qualtrics"
    with pytest.raises(SourceError, match=r"qualtrics_nps\.csv: row 3 should be Qualtrics' ImportId row") as err:
        surveys.read_export(path, tool="qualtrics")
    assert "export it again from data & analysis" in str(err.value).lower()
    assert "format: csv and skip_rows" in str(err.value)


def test_qualtrics_with_broken_importid_cell_names_the_column(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(QUALTRICS.read_bytes().replace(b'{""ImportId"":""QID1""}', b"QID1"))
    with pytest.raises(SourceError, match=r"broken\.csv: column 'Q1': row 3 holds 'QID1', not ImportId JSON"):
        surveys.read_export(path, tool="qualtrics")


def test_surveymonkey_without_subheader_row_says_how_to_fix(tmp_path):
    path = _without_line(MONKEY_CSV, 1, tmp_path)
    message = r"row 2 should hold SurveyMonkey's sub-headers .* starts with '114223344501'"
    with pytest.raises(SourceError, match=message):
        surveys.read_export(path, tool="surveymonkey")


def test_wrong_tool_is_a_clear_error():
    with pytest.raises(SourceError, match=r"not a SurveyMonkey export: row 1 has no 'Respondent ID' column"):
        surveys.read_export(QUALTRICS, tool="surveymonkey")
    with pytest.raises(SourceError, match=r"row 3 should be Qualtrics' ImportId row"):
        surveys.read_export(MONKEY_CSV, tool="qualtrics")


@pytest.mark.parametrize(
    "path, kwargs, message",
    [
        (QUALTRICS, {"tool": "qualtrix"}, r"tool must be one of \['qualtrics', 'surveymonkey'\], not 'qualtrix'"),
        (QUALTRICS, {"tool": "qualtrics", "unfinished": "drop"}, r"unfinished must be 'keep' or 'exclude', not 'drop'"),
        (MONKEY_CSV, {"tool": "surveymonkey", "unfinished": "exclude"}, r"SurveyMonkey exports do not mark unfinished"),
        (QUALTRICS, {"tool": "qualtrics", "sheet": 0}, r"option\(s\) \['sheet'\] do not apply to a \.csv survey"),
        (MONKEY_XLSX, {"tool": "surveymonkey", "encoding": "utf-8"}, r"option\(s\) \['encoding'\] do not apply"),
        (MONKEY_XLSX, {"tool": "surveymonkey", "sheet": "Responses"}, r"no sheet 'Responses'; the workbook has \["),
        (MONKEY_CSV, {"tool": "surveymonkey", "encoding": "utf-8"}, r"cannot decode as 'utf-8'"),
        (DATA / "missing.csv", {"tool": "qualtrics"}, r"missing\.csv: no such file"),
    ],
)
def test_bad_arguments_raise_source_error(path, kwargs, message):
    with pytest.raises(SourceError, match=message):
        surveys.read_export(path, **kwargs)


def test_truncated_and_empty_exports(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\r\n")
    with pytest.raises(SourceError, match=r"empty\.csv: the file is empty"):
        surveys.read_export(empty, tool="qualtrics")
    short = tmp_path / "short.csv"
    short.write_bytes(_csv_bytes([M_ROW1], "utf-8"))
    with pytest.raises(SourceError, match=r"short\.csv: has 1 non-empty row\(s\), but this export has 2 header rows"):
        surveys.read_export(short, tool="surveymonkey")


def test_explicit_encoding_is_used():
    raw = surveys.read_export(MONKEY_CSV, tool="surveymonkey", encoding="cp1252")
    assert raw.frame[M_OPEN].iloc[0] == "Kundeservice var veldig hjelpsom."


# --------------------------------------------------------------------------- fixtures


def test_fixtures_match_generator(tmp_path):
    from openpyxl import load_workbook

    write_fixtures(tmp_path)
    for path in (QUALTRICS, QUALTRICS_NUMERIC, MONKEY_CSV):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), f"{path.name}: run python {__file__}"
    fresh, committed = (load_workbook(p, read_only=True) for p in (tmp_path / MONKEY_XLSX.name, MONKEY_XLSX))
    assert list(fresh.active.values) == list(committed.active.values)
    fresh.close()
    committed.close()


if __name__ == "__main__":
    write_fixtures(DATA)
    print(f"wrote fixtures to {DATA}")
