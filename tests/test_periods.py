"""Months: parsing and the last complete month."""

from __future__ import annotations

import pandas as pd
import pytest

from cxkit.periods import last_complete_month, parse_month, resolve_month


def _dates(*values):
    return pd.Series(pd.to_datetime(list(values), format="ISO8601"))


@pytest.mark.parametrize(
    "dates, today, expected",
    [
        (("2026-09-03", "2026-10-31 23:00"), "2026-11-23", "2026-10"),  # data to the month's end
        (("2026-09-03", "2026-10-30"), "2026-11-23", "2026-10"),  # sparse: last event on the 30th
        (("2026-09-03", "2026-10-20"), "2026-11-23", "2026-09"),  # an export taken on the 20th
        (("2026-09-03", "2026-11-02"), "2026-11-23", "2026-09"),  # October has no data at all
        (("2026-10-03", "2026-11-30"), "2026-11-23", "2026-10"),  # the current month is never complete
        (("2018-05-16", "2018-07-31"), "2026-11-23", "2018-07"),
    ],
)
def test_last_complete_month(dates, today, expected):
    assert str(last_complete_month(_dates(*dates), today=today)) == expected


def test_no_complete_month_is_an_error():
    with pytest.raises(ValueError, match="before any month is complete"):
        last_complete_month(_dates("2026-11-02", "2026-11-05"), today="2026-11-23")
    with pytest.raises(ValueError, match="no dates"):
        last_complete_month(pd.Series([], dtype="datetime64[ns]"))


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "Oct 2026", "2026/10", "", 202610])
def test_parse_month_rejects_other_forms(bad):
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(bad)


def test_resolve_month_prefers_the_given_month():
    assert str(resolve_month("2026-08", _dates("2026-10-31"))) == "2026-08"
    assert str(resolve_month("", _dates("2026-09-30"))) == "2026-09"


@pytest.mark.parametrize(
    "dates, today, month, expected",
    [
        # data current: last calendar month is built, nothing to say
        (("2026-09-03", "2026-10-30 23:00"), "2026-11-02", "2026-10", None),
        (("2026-10-03", "2026-11-01 08:00"), "2026-11-02", "2026-10", None),
        # the export ends before last calendar month began
        (
            ("2026-08-03", "2026-09-30"),
            "2026-12-02",
            "2026-09",
            "built 2026-09, the last complete month in the data, not 2026-11: the data end on 2026-09-30, before 2026-11 began.",
        ),
        # last calendar month is in the data but not complete (export taken on the 20th)
        (
            ("2026-09-03", "2026-11-20"),
            "2026-12-02",
            "2026-09",
            "built 2026-09, the last complete month in the data, not 2026-11: the data end on 2026-11-20, before 2026-11 was complete.",
        ),
        # later data exist, but none in last calendar month
        (
            ("2026-09-03", "2026-10-31", "2026-12-01"),
            "2026-12-02",
            "2026-10",
            "built 2026-10, the last complete month in the data, not 2026-11: the data have no rows in 2026-11.",
        ),
    ],
)
def test_default_month_note_says_why_an_older_month_is_built(dates, today, month, expected):
    from cxkit.periods import default_month_note

    assert str(last_complete_month(_dates(*dates), today=today)) == month
    assert default_month_note(_dates(*dates), parse_month(month), today=today) == expected
