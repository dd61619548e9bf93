"""Calendar months: parsing ``YYYY-MM`` and finding the month a report is about.

Examples
--------
>>> parse_month("2026-10")
Period('2026-10', 'M')
>>> import pandas as pd
>>> dates = pd.Series(pd.to_datetime(["2026-09-03", "2026-10-30 23:00"], format="ISO8601"))
>>> last_complete_month(dates, today="2026-11-23")
Period('2026-10', 'M')
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["parse_month", "last_complete_month", "resolve_month", "month_of", "default_month_note"]

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


def last_complete_month(dates: pd.Series, *, today: pd.Timestamp | str | None = None,
                        grace_days: int = 3) -> pd.Period:
    """The last calendar month in ``dates`` that the data covers to its end.

    A month is complete when it is over by ``today`` (default: now, UTC) and either later data
    exists or the data reaches into its last ``grace_days`` days (an export taken on the 20th
    has an incomplete month; sparse data whose last event is on the 29th does not).

    >>> import pandas as pd
    >>> dates = pd.Series(pd.to_datetime(["2026-08-03", "2026-09-29", "2026-10-20"]))
    >>> last_complete_month(dates, today="2026-11-23")
    Period('2026-09', 'M')
    """
    dates = pd.to_datetime(pd.Series(dates)).dropna()
    if dates.empty:
        raise ValueError("no dates in the data, so there is no month to report on.")
    now = pd.Timestamp(today) if today is not None else pd.Timestamp.now(tz="UTC").tz_localize(None)
    latest = dates.max()
    month = latest.to_period("M")
    if month >= now.to_period("M") or latest < month.end_time.normalize() - pd.Timedelta(days=grace_days - 1):
        month -= 1
    present = set(dates.dt.to_period("M"))
    earliest = min(present)
    while month not in present and month >= earliest:
        month -= 1
    if month not in present:
        raise ValueError(f"the data ends on {latest:%Y-%m-%d}, before any month is complete.")
    return month


def resolve_month(month: str | None, dates: pd.Series) -> pd.Period:
    """The report month: ``month`` when given (YYYY-MM), else the last complete one in ``dates``."""
    return parse_month(month) if month else last_complete_month(dates)


def default_month_note(dates: pd.Series, month: pd.Period, *, today: pd.Timestamp | str | None = None) -> str | None:
    """Why ``month``, the last complete month in ``dates``, is not last calendar month.

    A scheduled run on the 2nd of December expects November; when the data end earlier the
    run builds an older month, and says so. None when ``month`` is last calendar month.

    >>> import pandas as pd
    >>> dates = pd.Series(pd.to_datetime(["2026-09-03", "2026-10-20"]))
    >>> default_month_note(dates, last_complete_month(dates, today="2026-11-02"), today="2026-11-02")
    'built 2026-09, the last complete month in the data, not 2026-10: the data end on 2026-10-20, before 2026-10 was complete.'
    >>> default_month_note(dates, pd.Period("2026-10", "M"), today="2026-11-02") is None
    True
    """
    now = pd.Timestamp(today) if today is not None else pd.Timestamp.now(tz="UTC").tz_localize(None)
    expected = now.to_period("M") - 1
    month = parse_month(month)
    if month >= expected:
        return None
    latest = pd.to_datetime(pd.Series(dates)).dropna().max()
    if latest < expected.start_time:
        why = f"the data end on {latest:%Y-%m-%d}, before {expected} began"
    elif latest.to_period("M") == expected:
        why = f"the data end on {latest:%Y-%m-%d}, before {expected} was complete"
    else:  # later data exist, but the months between have none
        why = f"the data have no rows in {expected}"
    return f"built {month}, the last complete month in the data, not {expected}: {why}."
