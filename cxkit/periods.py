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
from typing import TYPE_CHECKING

import pandas as pd

from . import i18n

if TYPE_CHECKING:
    import dask.dataframe as dd

__all__ = ["parse_month", "last_complete_month", "resolve_month", "month_of", "default_month_note", "month_events"]

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(month: str | pd.Period) -> pd.Period:
    """``"2026-10"`` -> ``Period('2026-10', 'M')``; anything else is a ValueError saying the form.

    Parameters
    ----------
    month : str or Period
        A month written ``YYYY-MM`` (white space around it is ignored), or a pandas
        ``Period`` of any frequency, which is converted to its month.

    Returns
    -------
    Period
        The month, with monthly frequency.

    Raises
    ------
    ValueError
        ``month`` is not a ``YYYY-MM`` string (``"2026-1"``, ``"10/2026"``, ``"2026-13"``)
        nor a Period; the message shows the expected form.

    Examples
    --------
    >>> parse_month(" 2026-10 "), parse_month(pd.Period("2026-10-14", freq="D"))
    (Period('2026-10', 'M'), Period('2026-10', 'M'))
    >>> parse_month("2026-1")
    Traceback (most recent call last):
    ...
    ValueError: month must be written YYYY-MM (e.g. 2026-10), not '2026-1'.
    """
    if isinstance(month, pd.Period):
        return month.asfreq("M")
    if not isinstance(month, str) or not _MONTH.match(month.strip()):
        raise ValueError(f"month must be written YYYY-MM (e.g. 2026-10), not {month!r}.")
    return pd.Period(month.strip(), freq="M")


def month_of(dates: pd.Series) -> pd.Series:
    """The calendar month of each timestamp, as a monthly Period."""
    return pd.to_datetime(dates).dt.to_period("M")


def last_complete_month(dates: pd.Series, *, today: pd.Timestamp | str | None = None, grace_days: int = 3) -> pd.Period:
    """The last calendar month in ``dates`` that the data covers to its end.

    A month is complete when it is over by ``today`` (default: now, UTC) and either later data
    exists or the data reaches into its last ``grace_days`` days (an export taken on the 20th
    has an incomplete month; sparse data whose last event is on the 29th does not). When the
    month before the latest has no rows at all, the search steps back to the latest earlier
    month that has some.

    Parameters
    ----------
    dates : Series
        Timestamps (anything :func:`pandas.to_datetime` reads); missing values are ignored.
    today : Timestamp or str, optional
        The date the run happens, keyword-only. Default: now (UTC, without time zone). A
        month that is not over by ``today`` is never complete.
    grace_days : int, default 3
        How close to its end the latest data must reach for their month to count as complete
        (with 3, data up to the 29th of a 31-day month complete it).

    Returns
    -------
    Period
        The month, with monthly frequency.

    Raises
    ------
    ValueError
        ``dates`` holds no date, or the data end before any month of them is complete.

    See Also
    --------
    resolve_month : the given month, or this one.

    Examples
    --------
    >>> import pandas as pd
    >>> dates = pd.Series(pd.to_datetime(["2026-08-03", "2026-09-29", "2026-10-20"]))
    >>> last_complete_month(dates, today="2026-11-23")
    Period('2026-09', 'M')
    >>> last_complete_month(dates, today="2026-10-25")  # October is not over yet
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
    present = set(dates.dt.to_period("M").unique())  # the distinct months: no Period boxed per row
    earliest = min(present)
    while month not in present and month >= earliest:
        month -= 1
    if month not in present:
        raise ValueError(f"the data ends on {latest:%Y-%m-%d}, before any month is complete.")
    return month


def resolve_month(month: str | pd.Period | None, dates: pd.Series) -> pd.Period:
    """The report month: ``month`` when given (YYYY-MM), else the last complete one in ``dates``.

    Parameters
    ----------
    month : str or None
        The month asked for, ``YYYY-MM`` (a Period works too). Empty or None: the last
        complete month of ``dates`` as of now (see :func:`last_complete_month`).
    dates : Series
        Timestamps of the data; used only when ``month`` is empty.

    Returns
    -------
    Period
        The report month, with monthly frequency.

    Raises
    ------
    ValueError
        ``month`` is not written ``YYYY-MM``, or (without ``month``) the data have no
        complete month.

    Examples
    --------
    >>> import pandas as pd
    >>> dates = pd.Series(pd.to_datetime(["2025-01-03", "2025-02-27"]))
    >>> resolve_month("2026-10", dates), resolve_month(None, dates)
    (Period('2026-10', 'M'), Period('2025-02', 'M'))
    """
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
    last, want, built = i18n.date(latest), i18n.month(expected), i18n.month(month)
    if latest < expected.start_time:
        why = i18n.tr("the data end on {day}, before {month} began", day=last, month=want)
    elif latest.to_period("M") == expected:
        why = i18n.tr("the data end on {day}, before {month} was complete", day=last, month=want)
    else:  # later data exist, but the months between have none
        why = i18n.tr("the data have no rows in {month}", month=want)
    return i18n.tr(
        "built {month}, the last complete month in the data, not {expected}: {why}.",
        month=built,
        expected=want,
        why=why,
    )


_TIME_COLUMNS = ("occurred_at", "responded_at", "published_at")


def month_events(
    df: pd.DataFrame | dd.DataFrame, month: str | pd.Period = "", *, time: str | None = None, through: bool = False
) -> pd.DataFrame | dd.DataFrame:
    """The rows of one calendar month (or, with ``through=True``, every row up to its end).

    Parameters
    ----------
    df : DataFrame or Dask DataFrame
        Any table with a timestamp column. A Dask DataFrame gives a Dask DataFrame (filtered
        lazily; the last complete month is found on the connected cluster), for the journey
        analyses to reduce on the cluster.
    month : str or Period
        ``YYYY-MM``; ``""`` means the last complete month in the data.
    time : str, optional
        The timestamp column; default the first of occurred_at, responded_at, published_at.
    through : bool, default False
        Keep everything up to the end of the month instead of the month alone.

    Returns
    -------
    DataFrame
        A copy of the selected rows; ``attrs["month"]`` holds the month as ``YYYY-MM``.

    Examples
    --------
    >>> events = pd.DataFrame({"occurred_at": pd.to_datetime(["2026-09-30", "2026-10-02", "2026-10-31"])})
    >>> len(month_events(events, "2026-10")), len(month_events(events, "2026-10", through=True))
    (2, 3)
    >>> month_events(events).attrs["month"]  # the last complete month
    '2026-10'
    """
    from .distributed import is_dask_frame

    dask = is_dask_frame(df)
    if not isinstance(df, pd.DataFrame) and not dask:
        raise TypeError(f"month_events needs a pandas DataFrame (or a Dask DataFrame), not {type(df).__name__}.")
    if time is None:
        time = next((c for c in _TIME_COLUMNS if c in df.columns), None)
        if time is None:
            raise ValueError(
                f"month_events: no timestamp column ({', '.join(_TIME_COLUMNS)}) in the data; pass time='<column>'."
            )
    elif time not in df.columns:
        raise ValueError(f"month_events: column {time!r} (time) is not in the data; pass time='<column>'.")
    if dask:
        return _dask_month_events(df, month, time, through)
    dates = pd.to_datetime(df[time], errors="coerce")
    period = parse_month(month) if isinstance(month, pd.Period) else resolve_month(month, dates)
    months = dates.dt.to_period("M")
    keep = (months <= period) if through else (months == period)
    out = df.loc[keep.fillna(False).to_numpy()].copy()
    out.attrs["month"] = str(period)
    return out


def _month_starts(dates: pd.Series) -> pd.Series:
    """The first day of each calendar month present (one row per month)."""
    return pd.Series(pd.unique(dates.dropna().dt.to_period("M").dt.start_time), dtype="datetime64[ns]")


def _dask_month_events(df: dd.DataFrame, month: str | pd.Period, time: str, through: bool) -> dd.DataFrame:
    from .distributed import compute

    dates = df[time]
    if not pd.api.types.is_datetime64_any_dtype(dates.dtype):
        dates = dates.map_partitions(pd.to_datetime, errors="coerce", meta=(time, "datetime64[ns]"))
    if isinstance(month, pd.Period) or month:
        period = parse_month(month)
    else:
        # the months present and the latest date decide the last complete month
        starts, latest = compute(dates.map_partitions(_month_starts, meta=(time, "datetime64[ns]")), dates.max())
        period = resolve_month(month, pd.Series([*starts, latest], dtype="datetime64[ns]"))
    start, end = period.start_time, (period + 1).start_time
    keep = (dates < end) if through else ((dates >= start) & (dates < end))
    out = df[keep]
    out.attrs = {"month": str(period)}
    return out
