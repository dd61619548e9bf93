"""Touchpoints and channels: where the journey hurts, what works, and whether channels agree.

- :func:`pain_points` ranks touchpoints by how many poor experiences they produce beyond the
  average touchpoint: a low score *and* a high volume make a pain point. Each touchpoint gets
  its mean score and poor-score share with confidence intervals, a Welch test against all other
  touchpoints, and a rank only when it has at least ``min_n`` scores.
- :func:`touchpoint_performance` gives task success rate (Wilson CI) and median duration
  (distribution-free CI) per touchpoint, where the events carry them.
- :func:`channel_consistency` compares the same touchpoint across channels (omnichannel
  consistency): per channel means with CIs, the spread, and Welch's ANOVA across channels.

Examples
--------
>>> import cxkit as cx
>>> journey = cx.load_catalog(cx.DEFAULT_CATALOG)["journey"].frame
>>> cx.pain_points(journey, score="csat")["touchpoint"].iloc[0]
'billing'
>>> perf = cx.touchpoint_performance(journey)
>>> perf.loc[perf["lowest_success"], "touchpoint"].tolist()
['live chat']
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from .._stats import _padjust_method, adjust_p, wilson_interval
from ..errors import NotEnoughDataError, SmallSampleWarning
from ._groups import (
    LOWER_IS_BETTER,
    Groups,
    check_alpha,
    check_column,
    check_frame,
    counted_median,
    distinct_counts,
    group_codes,
    group_order,
    is_boolean,
    kept_weights,
    mean_interval,
    numeric_scores,
    order_statistic,
    reduce_counts,
    score_column,
    welch_anova,
    welch_t,
)

__all__ = ["pain_points", "touchpoint_performance", "channel_consistency", "POOR_SCORE"]

#: A score at or below this (at or above for CES, where low is good) is a poor experience:
#: CSAT 1-2 of 5, NPS 0-6 (detractors), CES 5-7 of 7, star rating 1-2.
POOR_SCORE = {"csat": 2, "nps": 6, "ces": 5, "rating": 2}


def _higher_is_better(metric: str, given: bool | None) -> bool:
    return given if given is not None else metric.lower() not in LOWER_IS_BETTER


def pain_points(
    df: pd.DataFrame,
    *,
    score: str | None = None,
    by: str = "touchpoint",
    min_n: int = 30,
    alpha: float = 0.05,
    poor: float | None = None,
    higher_is_better: bool | None = None,
    padjust: str = "holm",
    metric: str | None = None,
) -> pd.DataFrame:
    """Rank touchpoints as pain points: low score and high volume, with CIs and a minimum n.

    ``excess_poor`` is the number of poor experiences a touchpoint produces beyond what the
    average touchpoint would at the same volume: ``volume * (poor_share - overall poor
    share)`` (events without a score are assumed to go like the scored ones). Touchpoints are
    ranked by it; those with fewer than ``min_n`` scores are listed last without a rank.

    Parameters
    ----------
    df : DataFrame or Dask DataFrame
        Journey events or survey responses with a touchpoint and a score (a Dask DataFrame
        is reduced to counts per touchpoint and score on the connected cluster).
    score : str, default "csat"
        The numeric score column.
    by : str, default "touchpoint"
        The grouping column (``"channel"``, ``"segment"``, ... work too).
    min_n : int, default 30
        Fewest scores for a touchpoint to be ranked.
    alpha : float, default 0.05
    poor : float, optional
        Scores at or below this (at or above when lower is better) are poor experiences.
        Defaults: :data:`POOR_SCORE` (CSAT 2, NPS 6, CES 5, rating 2); other metrics need it.
    higher_is_better : bool, optional
        Default: True except for CES.
    padjust : str, default "holm"
        Adjustment of the tests against the other touchpoints.
    metric : str, optional
        Another name for ``score``.

    Returns
    -------
    DataFrame
        One row per touchpoint, best-ranked pain point first: ``<by>, volume, n, mean,
        ci_low, ci_high, poor_share, poor_ci_low, poor_ci_high, excess_poor,
        excess_ci_low, excess_ci_high, diff_vs_rest, p, p_adjusted, significantly_worse, enough_n,
        rank``. ``diff_vs_rest`` is the mean minus the mean of all other touchpoints' scores;
        ``p`` is Welch's t-test of that difference.

    Examples
    --------
    >>> import cxkit as cx
    >>> journey = cx.load_catalog(cx.DEFAULT_CATALOG)["journey"].frame
    >>> pain = cx.pain_points(journey, score="csat", min_n=30)
    >>> top = pain.iloc[0]
    >>> top["touchpoint"], round(float(top["mean"]), 2), bool(top["significantly_worse"])
    ('billing', 2.84, True)
    """
    func = "pain_points"
    metric = score_column(score, metric, func)
    check_frame(df, func)
    check_column(df, metric, "score", func)
    check_column(df, by, "by", func)
    check_alpha(alpha)
    _padjust_method(padjust)
    higher = _higher_is_better(metric, higher_is_better)
    if poor is None:
        if metric.lower() not in POOR_SCORE:
            raise ValueError(
                f"pain_points: say which {metric!r} scores are poor experiences, e.g. "
                f"poor=2 (scores at or below 2; at or above when higher_is_better=False)."
            )
        poor = POOR_SCORE[metric.lower()]
    df, weights = reduce_counts(df, [by, metric])
    order = group_order(df[by])
    codes = group_codes(df[by], order)
    values = numeric_scores(df[metric], metric, func)
    k = len(order)
    if k == 0:
        raise NotEnoughDataError(f"pain_points: column {by!r} has no values.")
    if weights is None:
        weights = np.ones(len(values))
    volume = np.bincount(codes[codes >= 0], weights=weights[codes >= 0], minlength=k)
    scored = (codes >= 0) & ~np.isnan(values)
    g = Groups.from_arrays(order, values[scored], codes[scored], weights[scored])
    is_poor = (g.values <= poor) if higher else (g.values >= poor)
    poor_n = np.bincount(g.codes, weights=is_poor * g.weights, minlength=k)
    overall = float(np.sum(is_poor * g.weights) / g.total) if is_poor.size else np.nan

    ci_low, ci_high = mean_interval(g, alpha, binary=is_boolean(df[metric]))
    with np.errstate(invalid="ignore", divide="ignore"):
        poor_share = poor_n / g.n
    poor_low, poor_high = wilson_interval(poor_n, g.n, alpha)

    # each touchpoint against all the others (Welch), from the totals
    total_n, total_sum = g.n.sum(), float(np.sum(g.weights * g.values))
    total_sq = float(np.sum(g.weights * g.values**2))
    sums = g.mean * g.n
    squares = g.ss + g.n * g.mean**2
    rest_n = total_n - g.n
    with np.errstate(invalid="ignore", divide="ignore"):
        rest_mean = (total_sum - sums) / rest_n
        rest_var = ((total_sq - squares) - rest_n * rest_mean**2) / (rest_n - 1)
    t, df_w, _ = welch_t(g.mean, g.var, g.n, rest_mean, rest_var, rest_n)
    with np.errstate(invalid="ignore"):
        p = 2 * stats.t.sf(np.abs(t), df_w)
    p_adjusted = adjust_p(p, padjust)
    diff = g.mean - rest_mean
    worse = (diff < 0) if higher else (diff > 0)

    out = pd.DataFrame(
        {
            by: order,
            "volume": volume.astype(np.int64),
            "n": g.n.astype(np.int64),
            "mean": g.mean,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "poor_share": poor_share,
            "poor_ci_low": poor_low,
            "poor_ci_high": poor_high,
            "excess_poor": volume * (poor_share - overall),
            "excess_ci_low": volume * (poor_low - overall),
            "excess_ci_high": volume * (poor_high - overall),
            "diff_vs_rest": diff,
            "p": p,
            "p_adjusted": p_adjusted,
            "significantly_worse": (p_adjusted < alpha) & worse,
            "enough_n": g.n >= min_n,
        }
    )
    ranked = out["enough_n"].to_numpy()
    rank = pd.Series(np.nan, index=out.index)
    rank[ranked] = out.loc[ranked, "excess_poor"].rank(ascending=False, method="min")
    out["rank"] = rank.astype("Int64")
    if (~ranked).any():
        few = out.loc[~ranked, by].tolist()
        warnings.warn(
            f"pain_points: {by} {few} have fewer than {min_n} {metric} scores and are not ranked.",
            SmallSampleWarning,
            stacklevel=2,
        )
    out = out.sort_values(["rank", "excess_poor"], ascending=[True, False], na_position="last", kind="stable")
    out.attrs["overall_poor_share"] = overall
    out.attrs["poor"] = f"{metric} {'<=' if higher else '>='} {poor:g}"
    return out.reset_index(drop=True)


def _median_ci(uniq: np.ndarray, counts: np.ndarray, alpha: float) -> tuple[float, float]:
    """Distribution-free CI of a median from order statistics (normal approximation to the
    binomial; Conover 1999): ranks n/2 -+ z sqrt(n)/2. The sample is given as its distinct
    values and their counts."""
    n = int(round(float(counts.sum())))
    if n == 0:
        return np.nan, np.nan
    z = stats.norm.ppf(1 - alpha / 2)
    lo = int(np.floor(n / 2 - z * np.sqrt(n) / 2))
    hi = int(np.ceil(1 + n / 2 + z * np.sqrt(n) / 2))
    return order_statistic(uniq, counts, max(lo, 1)), order_statistic(uniq, counts, min(hi, n))


def touchpoint_performance(
    df: pd.DataFrame,
    *,
    by: str = "touchpoint",
    success: str | None = "success",
    duration: str | None = "duration_s",
    alpha: float = 0.05,
    min_n: int = 30,
    padjust: str = "holm",
) -> pd.DataFrame:
    """Task success rate and duration per touchpoint, where the events carry them.

    Parameters
    ----------
    df : DataFrame or Dask DataFrame
        Journey events (a Dask DataFrame is reduced to counts per touchpoint and outcome and
        per touchpoint and duration on the connected cluster).
    by : str, default "touchpoint"
    success : str, default "success"
        Boolean task outcome; skipped (with a note) when the column is absent or empty.
    duration : str, default "duration_s"
        Task duration in seconds; skipped likewise.
    alpha : float, default 0.05
    min_n : int, default 30
        Fewest outcomes for a touchpoint to be flagged as lowest.
    padjust : str, default "holm"
        Adjustment of each touchpoint's success test against all other touchpoints.

    Returns
    -------
    DataFrame
        One row per touchpoint: ``<by>, events``; with success data ``success_n,
        success_rate, success_ci_low, success_ci_high, success_p_adjusted, lowest_success`` (the
        lowest rate among touchpoints with ``min_n`` outcomes, when significantly below the
        rest by a two-proportion z-test); with durations ``duration_n, median_duration_s,
        duration_ci_low, duration_ci_high``. ``attrs["notes"]`` lists skipped measures.

    Examples
    --------
    >>> events = pd.DataFrame({"touchpoint": ["chat"] * 40 + ["web"] * 40,
    ...                        "success": [True, False] * 20 + [True] * 36 + [False] * 4})
    >>> touchpoint_performance(events)[["touchpoint", "success_rate", "lowest_success"]].values.tolist()
    [['chat', 0.5, True], ['web', 0.9, False]]
    """
    func = "touchpoint_performance"
    check_frame(df, func)
    check_column(df, by, "by", func)
    check_alpha(alpha)
    outcome_columns = [c for c in (success, duration) if c is not None and c in df.columns]
    # the outcome and the duration are counted apart: durations have many distinct values
    tables = [reduce_counts(df, [by, c]) for c in outcome_columns] or [reduce_counts(df, [by])]
    frames = {c: table for c, table in zip(outcome_columns, tables)}
    first, first_weights = tables[0]
    order = group_order(first[by])
    codes = group_codes(first[by], order)
    k = len(order)
    events = np.bincount(codes[codes >= 0], weights=kept_weights(first_weights, codes >= 0), minlength=k)
    out = pd.DataFrame({by: order, "events": events.astype(np.int64)})
    notes = []
    has_success = success in frames and frames[success][0][success].notna().any()
    has_duration = duration in frames and frames[duration][0][duration].notna().any()
    if not has_success and not has_duration:
        raise NotEnoughDataError(
            f"touchpoint_performance needs a task outcome or a duration: neither {success!r} nor "
            f"{duration!r} holds data. Pass success='<column>' or duration='<column>'."
        )
    if has_success:
        assert success is not None  # has_success says so
        data, weights = frames[success]
        codes = group_codes(data[by], order)
        ok = numeric_scores(data[success], success, func)
        rows = (codes >= 0) & ~np.isnan(ok)
        w = np.ones(int(rows.sum())) if weights is None else weights[rows]
        n = np.bincount(codes[rows], weights=w, minlength=k)
        x = np.bincount(codes[rows], weights=ok[rows] * w, minlength=k)
        low, high = wilson_interval(x, n, alpha)
        rest_n, rest_x = n.sum() - n, x.sum() - x
        with np.errstate(invalid="ignore", divide="ignore"):
            rate, rest_rate = x / n, rest_x / rest_n
            pooled = x.sum() / n.sum()
            z = (rate - rest_rate) / np.sqrt(pooled * (1 - pooled) * (1 / n + 1 / rest_n))
        p_adjusted = adjust_p(2 * stats.norm.sf(np.abs(z)), padjust)
        out["success_n"] = n.astype(np.int64)
        out["success_rate"] = rate
        out["success_ci_low"], out["success_ci_high"] = low, high
        out["success_p_adjusted"] = p_adjusted
        eligible = np.where(n >= min_n, rate, np.inf)
        lowest = np.zeros(k, dtype=bool)
        if np.isfinite(eligible).any():
            i = int(np.argmin(eligible))
            lowest[i] = bool(p_adjusted[i] < alpha and rate[i] < rest_rate[i])
        out["lowest_success"] = lowest
    else:
        notes.append(f"no {success!r} outcomes: success rate not computed")
    if has_duration:
        assert duration is not None  # has_duration says so
        data, weights = frames[duration]
        codes = group_codes(data[by], order)
        secs = numeric_scores(data[duration], duration, func)
        rows = (codes >= 0) & ~np.isnan(secs)
        w = np.ones(len(secs)) if weights is None else weights
        med, lo, hi, cnt = (np.full(k, np.nan) for _ in range(4))
        for code in np.unique(codes[rows]):
            part = rows & (codes == code)
            uniq, counts = distinct_counts(secs[part], w[part])
            cnt[code], med[code] = counts.sum(), counted_median(uniq, counts)
            lo[code], hi[code] = _median_ci(uniq, counts, alpha)
        out["duration_n"] = pd.array(np.nan_to_num(cnt).astype(np.int64))
        out["median_duration_s"], out["duration_ci_low"], out["duration_ci_high"] = med, lo, hi
    else:
        notes.append(f"no {duration!r} durations: duration not computed")
    out.attrs["notes"] = notes
    return out


def channel_consistency(
    df: pd.DataFrame,
    *,
    score: str | None = None,
    by: str = "touchpoint",
    channel: str = "channel",
    min_n: int = 30,
    alpha: float = 0.05,
    padjust: str = "holm",
    metric: str | None = None,
) -> pd.DataFrame:
    """The same touchpoint across channels: is the experience consistent (omnichannel)?

    Parameters
    ----------
    df : DataFrame or Dask DataFrame
        Journey events or survey responses with touchpoint, channel and a score (a Dask
        DataFrame is reduced to counts per touchpoint, channel and score on the connected
        cluster).
    score : str, default "csat"
        Any numeric score; ``"success"`` compares task success rates.
    by : str, default "touchpoint"
    channel : str, default "channel"
    min_n : int, default 30
        Channels with fewer scores at a touchpoint are left out of its comparison.
    alpha : float, default 0.05
    padjust : str, default "holm"
        Adjustment of the Welch ANOVA p-values across touchpoints.
    metric : str, optional
        Another name for ``score``.

    Returns
    -------
    DataFrame
        One row per touchpoint and channel with at least ``min_n`` scores: ``<by>, <channel>,
        n, mean, ci_low, ci_high, diff`` (from the touchpoint's mean over its channels), then
        the touchpoint's ``channels, spread`` (highest minus lowest channel mean), ``p`` (Welch's test),
        ``p_adjusted`` and ``consistent`` (False when the channels differ significantly; missing
        for a touchpoint served by one channel, and when Welch's test is undefined because a
        channel's scores do not vary). Confidence intervals of 0/1 metrics such as
        ``"success"`` are Wilson intervals.

    Examples
    --------
    >>> import cxkit as cx
    >>> journey = cx.load_catalog(cx.DEFAULT_CATALOG)["journey"].frame
    >>> cc = cx.channel_consistency(journey, score="csat")
    >>> cc.loc[cc["touchpoint"] == "billing", ["channel", "consistent"]].values.tolist()
    [['app', True], ['email', True], ['web', True]]
    """
    func = "channel_consistency"
    metric = score_column(score, metric, func)
    check_frame(df, func)
    for col, role in ((metric, "score"), (by, "by"), (channel, "channel")):
        check_column(df, col, role, func)
    check_alpha(alpha)
    _padjust_method(padjust)
    df, weights = reduce_counts(df, [by, channel, metric])
    values = numeric_scores(df[metric], metric, func)
    if weights is None:
        weights = np.ones(len(values))
    touch_order, chan_order = group_order(df[by]), group_order(df[channel])
    t_codes, c_codes = group_codes(df[by], touch_order), group_codes(df[channel], chan_order)
    ok = (t_codes >= 0) & (c_codes >= 0) & ~np.isnan(values)
    frames, p_values = [], []
    for ti, touch in enumerate(touch_order):
        rows = ok & (t_codes == ti)
        counts = np.bincount(c_codes[rows], weights=weights[rows], minlength=len(chan_order))
        kept = [ci for ci in range(len(chan_order)) if counts[ci] >= min_n and counts[ci] >= 2]
        if not kept:
            continue
        remap = np.full(len(chan_order), -1)
        remap[kept] = np.arange(len(kept))
        sub_codes = remap[c_codes[rows]]
        sel = sub_codes >= 0
        g = Groups.from_arrays([chan_order[ci] for ci in kept], values[rows][sel], sub_codes[sel], weights[rows][sel])
        low, high = mean_interval(g, alpha, binary=is_boolean(df[metric]))
        centre = g.grand_mean()
        welch_p = welch_anova(g)["p"] if g.k >= 2 else np.nan
        p_values.append(welch_p)
        frames.append(
            pd.DataFrame(
                {
                    by: touch,
                    channel: g.names,
                    "n": g.n.astype(np.int64),
                    "mean": g.mean,
                    "ci_low": low,
                    "ci_high": high,
                    "diff": g.mean - centre,
                    "channels": g.k,
                    "spread": float(g.mean.max() - g.mean.min()),
                    "p": welch_p,
                    "_touch": len(p_values) - 1,
                }
            )
        )
    if not frames:
        raise NotEnoughDataError(
            f"channel_consistency: no {by} has a {channel} with at least {min_n} {metric} "
            f"scores; lower min_n or check the columns."
        )
    out = pd.concat(frames, ignore_index=True)
    adjusted = adjust_p(p_values, padjust)
    out["p_adjusted"] = adjusted[out["_touch"].to_numpy()]
    # pandas-stubs take only a list or an ndarray for a "boolean" array; pandas takes a Series too
    consistent = pd.array(~(out["p_adjusted"] < alpha), dtype="boolean")  # type: ignore[call-overload]
    # one channel, or a test that is undefined (channels without any variation): no verdict
    consistent[(out["channels"].to_numpy() < 2) | out["p_adjusted"].isna().to_numpy()] = pd.NA
    out["consistent"] = consistent
    return out.drop(columns="_touch")
