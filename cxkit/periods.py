"""Calendar months: parsing ``YYYY-MM`` and finding the month a report is about.

Examples
--------
>>> parse_month("2026-10")
Period('2026-10', 'M')
>>> import pandas as pd
>>> dates = pd.Series(pd.to_datetime(["2026-09-03", "2026-10-31 23:00", "2026-11-02"], format="ISO8601"))
>>> last_complete_month(dates)
Period('2026-10', 'M')
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["parse_month", "last_complete_month", "resolve_month", "month_of"]

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(month: str) -> pd.Period:
    """``"2026-10"`` -> ``Period('2026-10', 'M')``; anything else is a ValueError saying the form."""
    if isinstance(month, pd.Period):
        return month.asfreq("M")
    if not isinstance(month, str) or not _MONTH.match(month.strip()):
        raise ValueError(f"month must be written YYYY-MM (e.g. 2026-10), not {month!r}.")
    return pd.Period(month.strip(), freq="M")


def month_of(dates: pd.Series) -> pd.Series:
    """The calendar month of each timestamp, as a monthly Period."""
    return pd.to_datetime(dates).dt.to_period("M")


def last_complete_month(dates: pd.Series) -> pd.Period:
    """The last calendar month present in ``dates`` that the data covers to its end.

    The month of the latest timestamp counts as complete only when that timestamp falls on the
    month's last day; otherwise the month before it is the last complete one.
    """
    dates = pd.to_datetime(pd.Series(dates)).dropna()
    if dates.empty:
        raise ValueError("no dates in the data, so there is no month to report on.")
    latest = dates.max()
    month = latest.to_period("M")
    if latest.normalize() < month.end_time.normalize():
        month = month - 1
    present = set(dates.dt.to_period("M"))
    while month not in present and month >= min(present):
        month -= 1
    if month not in present:
        raise ValueError(f"the data ends on {latest:%Y-%m-%d}, before any month is complete.")
    return month


def resolve_month(month: str | None, dates: pd.Series) -> pd.Period:
    """The report month: ``month`` when given (YYYY-MM), else the last complete one in ``dates``."""
    return parse_month(month) if month else last_complete_month(dates)
