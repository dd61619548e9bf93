"""The journey funnel: how many customers reach each stage, and how that changes by month.

A customer *reaches* a stage when they have an event at that stage or at any later one (a
journey that skips a stage still passed it), so the counts never grow down the funnel.

- :func:`funnel`: customers reaching each stage, conversion from the previous stage with a
  Wilson confidence interval, drop-off, and the median time between first reaching
  consecutive stages.
- :func:`funnel_by_month`: the funnel of each calendar month (customers by the furthest
  stage their events *in that month* reached), with the change of each conversion against the
  month before and its two-proportion z-test.

Exports without customer ids (one row per web session, like the UCI online shoppers data)
count each row as its own journey.

Examples
--------
>>> import cxkit as cx
>>> journey = cx.load_catalog(cx.DEFAULT_CATALOG)["journey"].frame
>>> f = cx.funnel(journey)
>>> f[["stage", "reached"]].values.tolist()[:2]
[['awareness', 6500], ['consideration', 4532]]
>>> round(float(f.loc[2, "conversion"]), 4)  # consideration -> decision, planted 0.55
0.5563
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._stats import _padjust_method, adjust_p, wilson_interval
from ..data.schema import STAGES
from ..distributed import compute, is_dask_frame
from ..errors import DataWarning, NotEnoughDataError
from ._groups import check_alpha, check_column, check_frame, group_codes, group_order

__all__ = ["funnel", "funnel_by_month"]

_NS_PER_DAY = 86_400 * 1e9


def _stage_order(series: pd.Series, stages: Iterable[Any] | None, notes: list) -> list:
    """The funnel's stages: given, or the journey stages up to the furthest one present (later
    stages no journey reached are not observed, e.g. retention in single web sessions)."""
    if stages is not None:
        return _check_stages(series, stages)
    if isinstance(series.dtype, pd.CategoricalDtype) and series.cat.ordered:
        order = list(series.cat.categories)
    elif set(pd.unique(series.dropna())) <= set(STAGES):
        order = list(STAGES)
    else:
        return group_order(series)
    present = set(pd.unique(series.dropna()))
    last = max((i for i, s in enumerate(order) if s in present), default=len(order) - 1)
    if last < len(order) - 1:
        notes.append(f"no journey reached {', '.join(map(str, order[last + 1 :]))}: left out of the funnel")
    return order[: last + 1]


def _check_stages(series: pd.Series, stages: Iterable[Any]) -> list:
    """The given stages, refused when one is not a stage of the data.

    A stage no event has is fine when it is a journey stage and the data use the journey
    stages (nobody reached retention yet: 0 is the answer). Any other absent stage is a typo or
    a different label (``"Decision"`` for ``"decision"``), and counting it would report
    "0 reached" for customers who did reach it.
    """
    if isinstance(stages, str) or not hasattr(stages, "__iter__"):
        raise ValueError(f"stages must be a list of stage names in funnel order, not {stages!r}.")
    stages = list(stages)
    dup = sorted({str(s) for s in stages if stages.count(s) > 1})
    if dup:
        raise ValueError(f"stages lists {dup} more than once; name each stage once, in funnel order.")
    present = list(pd.unique(series.dropna()))
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = [c for c in series.cat.categories if c in set(present)]
    canonical_data = all(isinstance(v, str) and v in STAGES for v in present)
    unknown = [s for s in stages if s not in set(present) and not (canonical_data and s in STAGES)]
    if unknown:
        valid = [str(v) for v in group_order(series)] + (
            [s for s in STAGES if s not in set(present)] if canonical_data else []
        )
        hints = []
        for s in unknown:
            match = difflib.get_close_matches(str(s).lower(), [v.lower() for v in valid], n=1, cutoff=0.6)
            if match:
                hints.append(f"{s!r} -> {valid[[v.lower() for v in valid].index(match[0])]!r}")
        hint = f" Did you mean {', '.join(hints)}?" if hints else ""
        raise ValueError(
            f"stage(s) {unknown} in stages= are not stages of the data, so the funnel would report 0 "
            f"reached for them.{hint} Valid stages: {', '.join(valid)}. Pass stages= with these "
            "names (in funnel order), or leave it out to use the journey stages."
        )
    return stages


def _journeys(
    df: pd.DataFrame, customer: str | None, func: str, notes: list, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Integer journey ids: the customer, or each row when there are no customer ids; and
    how many journeys each id stands for (None: one each). ``weights`` counts the events
    each row stands for (a table reduced on a Dask cluster; None: one each)."""
    if customer is None or customer not in df.columns or df[customer].isna().all():
        notes.append(f"no {customer or 'customer'} ids: each row counts as its own journey")
        return np.arange(len(df), dtype=np.int64), None if weights is None else weights.astype(np.int64)
    codes, _ = pd.factorize(df[customer])
    missing = int((codes < 0).sum()) if weights is None else int(weights[codes < 0].sum())
    if missing:
        warnings.warn(f"{func}: {missing:,} row(s) have no {customer} and are left out.", DataWarning, stacklevel=3)
        notes.append(f"{missing:,} row(s) without {customer} left out")
    return codes.astype(np.int64), None


def _journey_cells(df: Any, keys: list, time: str | None) -> tuple[pd.DataFrame, np.ndarray | None]:
    """A pandas table as it is; a Dask DataFrame of events reduced on the cluster to one row
    per distinct ``keys`` (missing values included) with its first ``time`` and, as weights,
    its number of events. The funnels depend on the events only through these."""
    if not is_dask_frame(df):
        return df, None
    keys = [k for k in dict.fromkeys(keys) if k is not None and k in df.columns]
    grouped = df.groupby(keys, dropna=False, observed=True)
    parts = [grouped.size()]
    timed = time is not None and time in df.columns
    if timed:
        assert time is not None  # timed says so
        stamps = df[time]
        if not pd.api.types.is_datetime64_any_dtype(stamps.dtype):
            stamps = stamps.map_partitions(pd.to_datetime, errors="coerce", meta=(time, "datetime64[ns]"))
        parts.append(df.assign(**{time: stamps}).groupby(keys, dropna=False, observed=True)[time].min())
    computed = compute(*parts)
    size = computed[0][computed[0].to_numpy() > 0]
    cells = size.index.to_frame(index=False)
    if timed:
        cells[time] = computed[1].reindex(size.index).to_numpy()
    return cells, size.to_numpy(dtype=np.int64)


def _month_labels(times: pd.Series) -> pd.Series:
    """The calendar month (``YYYY-MM``) of each timestamp, missing for missing times."""
    # straight from datetime64 (Period objects cost seconds on millions of rows)
    stamps = pd.to_datetime(times, errors="coerce").to_numpy(dtype="datetime64[ns]")
    month_int = stamps.astype("datetime64[M]").astype(np.int64)
    month_int[np.isnat(stamps)] = np.iinfo(np.int64).min
    uniq, inverse = np.unique(month_int, return_inverse=True)
    names = np.array(
        [np.datetime_as_string(np.datetime64(int(u), "M")) if u != np.iinfo(np.int64).min else pd.NA for u in uniq],
        dtype=object,
    )
    return pd.Series(names[inverse], index=times.index, dtype="string", name="month")


def _times(df: pd.DataFrame, time: str | None) -> np.ndarray | None:
    """Timestamps as int64 nanoseconds (None when absent; NaT rows as the int64 minimum)."""
    if time is None or time not in df.columns:
        return None
    values = pd.to_datetime(df[time], errors="coerce")
    if values.isna().all():
        return None
    return values.to_numpy(dtype="datetime64[ns]").astype(np.int64)


def _furthest(groups: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    furthest = np.full(n_groups, -1, dtype=np.int64)
    np.maximum.at(furthest, groups, codes)
    return furthest


def _reached(furthest: np.ndarray, k: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Journeys whose furthest stage is at least each stage (each counted ``weights`` times)."""
    counts = np.bincount(
        furthest[furthest >= 0], weights=None if weights is None else weights[furthest >= 0], minlength=k
    ).astype(np.int64)
    return np.cumsum(counts[::-1])[::-1]


def funnel(
    df: pd.DataFrame,
    *,
    stage: str = "journey_stage",
    customer: str | None = "customer_id",
    time: str | None = "occurred_at",
    alpha: float = 0.05,
    stages: list | None = None,
) -> pd.DataFrame:
    """Customers reaching each journey stage, conversion, drop-off and time between stages.

    Parameters
    ----------
    df : DataFrame or Dask DataFrame
        Journey events (the canonical journey table): one row per touchpoint event. A Dask
        DataFrame is reduced on the connected cluster to one row per customer and stage
        (events and first time), from which the funnel is computed as from the events.
    stage : str, default "journey_stage"
    customer : str, default "customer_id"
        Whose journey an event belongs to. When the column is absent or empty, each row is
        its own journey (session-level exports).
    time : str, default "occurred_at"
        Event timestamps, for the time between stages (skipped with a note when absent).
    alpha : float, default 0.05
        ``1 - alpha`` Wilson intervals of the conversions.
    stages : list, optional
        The funnel's stages in order (default: the five journey stages). A name that is not a
        stage of the data is refused with the valid stages (a journey stage nobody reached
        yet is allowed: it is reached by 0).

    Returns
    -------
    DataFrame
        One row per stage, in order: ``stage, reached, share_of_start, conversion, ci_low,
        ci_high, drop_off, drop_off_rate, median_days, n_timed``. ``conversion`` is
        ``reached / reached at the previous stage``; ``drop_off`` the customers lost since the
        previous stage; ``median_days`` the median time from first reaching the previous stage
        to first reaching this one over the ``n_timed`` customers with events at both.
        ``attrs["notes"]`` says how journeys and times were counted.

    Examples
    --------
    >>> events = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b", "c"],
    ...     "journey_stage": ["awareness", "consideration", "awareness", "decision", "awareness"],
    ...     "occurred_at": pd.to_datetime(["2026-01-01", "2026-01-03", "2026-01-02", "2026-01-12", "2026-01-05"])})
    >>> f = funnel(events, stages=["awareness", "consideration", "decision"])
    >>> f[["stage", "reached", "conversion", "median_days"]].values.tolist()
    [['awareness', 3, nan, nan], ['consideration', 2, 0.6666666666666666, 2.0], ['decision', 1, 0.5, nan]]
    """
    func = "funnel"
    check_frame(df, func)
    check_column(df, stage, "stage", func)
    check_alpha(alpha)
    notes: list[str] = []
    df, weights = _journey_cells(df, [customer, stage], time)
    order = _stage_order(df[stage], stages, notes)
    k = len(order)
    codes = group_codes(df[stage], order)
    journeys, journey_weights = _journeys(df, customer, func, notes, weights)
    times = _times(df, time)
    keep = (codes >= 0) & (journeys >= 0)
    if not keep.any():
        raise NotEnoughDataError(f"funnel: no rows with a {stage} among {order}; check the stage column.")
    codes, journeys = codes[keep], journeys[keep]
    n_journeys = int(journeys.max()) + 1
    furthest = _furthest(journeys, codes, n_journeys)
    reached = _reached(furthest, k, None if journey_weights is None else journey_weights[:n_journeys])

    previous = np.concatenate([[np.nan], reached[:-1]]).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        conversion = reached / previous
        ci_low, ci_high = wilson_interval(reached, previous, alpha)
    out = pd.DataFrame(
        {
            "stage": order,
            "reached": reached.astype(np.int64),
            "share_of_start": reached / reached[0] if reached[0] else np.nan,
            "conversion": conversion,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "drop_off": previous - reached,
            "drop_off_rate": 1 - conversion,
        }
    )
    out.loc[0, "drop_off"] = np.nan
    out["drop_off"] = out["drop_off"].astype("Int64")

    median_days = np.full(k, np.nan)
    n_timed = np.zeros(k, dtype=np.int64)
    if times is None:
        notes.append(f"no {time or 'time'} column: time between stages not computed")
    else:
        t = times[keep]
        ok = t != np.iinfo(np.int64).min
        first: np.ndarray = np.full(n_journeys * k, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, journeys[ok] * k + codes[ok], t[ok])
        first = first.reshape(n_journeys, k)
        present = first != np.iinfo(np.int64).max
        for s in range(1, k):
            both = present[:, s] & present[:, s - 1]
            n_timed[s] = int(both.sum())
            if n_timed[s]:
                median_days[s] = float(np.median(first[both, s] - first[both, s - 1])) / _NS_PER_DAY
    out["median_days"] = median_days
    out["n_timed"] = n_timed
    out.attrs["notes"] = notes
    return out


def _month_key(values: list) -> Callable[[Any], Any]:
    """Sort key for period labels: calendar month names (Feb, June, ...), YYYY-MM, or text."""
    names = {
        m.lower(): i
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
        )
    }
    if all(str(v)[:3].lower() in names for v in values):
        return lambda v: names[str(v)[:3].lower()]
    try:
        periods = {v: pd.Period(str(v)) for v in values}
        return lambda v: periods[v].ordinal
    except (ValueError, TypeError):
        return str


def funnel_by_month(
    df: pd.DataFrame,
    *,
    stage: str = "journey_stage",
    customer: str | None = "customer_id",
    time: str | None = "occurred_at",
    period: str | None = None,
    alpha: float = 0.05,
    padjust: str = "holm",
    stages: list | None = None,
) -> pd.DataFrame:
    """Conversion between consecutive stages in each month, with the change on the month before.

    In each month, a customer counts at the furthest stage their events in that month reached
    (and as having reached every earlier stage). Conversion ``a -> b`` is the share of the
    month's customers at ``a`` or later who were also at ``b`` or later. Customers active in
    two months appear in both, so the month-to-month z-test is approximate. In a month without
    any event at ``a`` (everyone counted there was further on) the step would convert 100% by
    construction: it is not observed (conversion, interval and change missing, a note in
    ``attrs["notes"]``), and the next month is compared with the last month it was observed.

    Parameters
    ----------
    df : DataFrame or Dask DataFrame
        Journey events (a Dask DataFrame is reduced on the connected cluster to one row per
        month, customer and stage).
    stage, customer, time : str
        As in :func:`funnel`; ``time`` gives the calendar month.
    period : str, optional
        A column that already holds the period (e.g. ``"Month"`` with Feb, Mar, ... in the
        UCI online shoppers data); used instead of ``time``.
    alpha : float, default 0.05
    padjust : str, default "holm"
        Adjustment of the change p-values over the steps of each month.
    stages : list, optional
        As in :func:`funnel` (a name that is not a stage of the data is refused).

    Returns
    -------
    DataFrame
        One row per month and step: ``month, step, from_stage, to_stage, entered, converted,
        conversion, ci_low, ci_high, previous, change, p, p_adjusted, significant``.
        ``change`` is in proportion points against the previous month present; ``p``
        is the pooled two-proportion z-test, ``p_adjusted`` adjusted over the month's steps
        with ``padjust``; ``significant`` uses the adjusted p.

    Examples
    --------
    >>> import cxkit as cx
    >>> journey = cx.load_catalog(cx.DEFAULT_CATALOG)["journey"].frame
    >>> m = cx.funnel_by_month(journey)
    >>> m.loc[m["month"] == "2026-10", ["step", "conversion"]].round(3).values.tolist()[:2]
    [['awareness->consideration', 0.72], ['consideration->decision', 0.59]]
    """
    func = "funnel_by_month"
    check_frame(df, func)
    check_column(df, stage, "stage", func)
    check_alpha(alpha)
    _padjust_method(padjust)
    notes: list[str] = []
    if period is not None:
        check_column(df, period, "period", func)
    elif time is None or time not in df.columns:
        raise NotEnoughDataError(
            f"funnel_by_month needs event times: column {time!r} is not in the data. "
            f"Pass time='<column>', or period='<column>' holding the month."
        )
    weights = None
    if is_dask_frame(df):
        if period is None:
            period = "__month"
            df = df.assign(**{period: df[time].map_partitions(_month_labels, meta=(period, "string"))})
        df, weights = _journey_cells(df, [period, customer, stage], None)
    labels = df[period].astype("string") if period is not None else _month_labels(df[time])
    order = _stage_order(df[stage], stages, notes)
    k = len(order)
    codes = group_codes(df[stage], order)
    journeys, journey_weights = _journeys(df, customer, func, notes, weights)
    month_codes, months = pd.factorize(labels)
    keep = (codes >= 0) & (journeys >= 0) & (month_codes >= 0)
    if not keep.any():
        raise NotEnoughDataError(f"funnel_by_month: no rows with both a {stage} and a month.")
    codes, journeys, month_codes = codes[keep], journeys[keep], month_codes[keep]
    pair, _ = pd.factorize(month_codes.astype(np.int64) * (int(journeys.max()) + 1) + journeys)
    furthest = _furthest(pair, codes, int(pair.max()) + 1)
    pair_month = np.zeros(int(pair.max()) + 1, dtype=np.int64)
    pair_month[pair] = month_codes
    # a journey per (month, customer); without customer ids each row is one, standing for its events
    pair_weight = np.ones(int(pair.max()) + 1, dtype=np.int64)
    if journey_weights is not None:
        pair_weight[pair] = journey_weights[journeys]
    counts = np.zeros((len(months), k), dtype=np.int64)
    np.add.at(counts, (pair_month, furthest), pair_weight)
    reached = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1]
    # a stage without events in a month (everyone counted there was further on) makes the step
    # out of it 100% by construction: that step is not observed in the month
    at_stage = np.zeros((len(months), k), dtype=bool)
    at_stage[month_codes, codes] = True

    month_names = [str(m) for m in months]
    key = _month_key(month_names)
    rows = []
    last: dict[int, tuple[int, int]] = {}  # step -> (entered, converted) of the previous month
    for i in sorted(range(len(month_names)), key=lambda i: key(month_names[i])):
        for s in range(1, k):
            entered, converted = int(reached[i, s - 1]), int(reached[i, s])
            observed = bool(at_stage[i, s - 1])
            if entered and not observed:
                notes.append(f"{month_names[i]}: no events at {order[s - 1]}, so the step from it is not observed")
            conv = converted / entered if entered and observed else np.nan
            low, high = wilson_interval(converted, entered, alpha) if observed else (np.nan, np.nan)
            previous = change = change_p = np.nan
            if s in last and last[s][0] and entered and observed:
                prev_n, prev_x = last[s]
                previous = prev_x / prev_n
                change = conv - previous
                pooled = (converted + prev_x) / (entered + prev_n)
                se = np.sqrt(pooled * (1 - pooled) * (1 / entered + 1 / prev_n))
                change_p = float(2 * stats.norm.sf(abs(change) / se)) if se > 0 else np.nan
            rows.append(
                {
                    "month": month_names[i],
                    "step": f"{order[s - 1]}->{order[s]}",
                    "from_stage": order[s - 1],
                    "to_stage": order[s],
                    "entered": entered,
                    "converted": converted,
                    "conversion": conv,
                    "ci_low": float(low),
                    "ci_high": float(high),
                    "previous": previous,
                    "change": change,
                    "p": change_p,
                }
            )
            if observed or not entered:
                last[s] = (entered, converted)
    out = pd.DataFrame(rows)
    out["p_adjusted"] = np.nan
    for _, idx in out.groupby("month", sort=False).groups.items():
        out.loc[idx, "p_adjusted"] = adjust_p(out.loc[idx, "p"].to_numpy(), padjust)
    out["significant"] = out["p_adjusted"] < alpha
    out.attrs["notes"] = notes
    return out
