"""Journey-stage and touchpoint comparison: the analyses behind the "Journey stages" report.

The work is split by concern and re-exported here (``cx.<name>``):

- :mod:`cxkit.analysis.stages`: :func:`compare_stages` (per-stage CIs, Welch ANOVA and Kruskal-Wallis
  with effect sizes, Games-Howell / Tukey / Dunn pairs, proportional-odds model),
  :func:`stage_scorecard` (NPS, CSAT, CES and sentiment by stage, worst stage flagged);
- :mod:`cxkit.analysis.funnel`: :func:`funnel`, :func:`funnel_by_month`;
- :mod:`cxkit.analysis.touchpoints`: :func:`pain_points`, :func:`touchpoint_performance`,
  :func:`channel_consistency`.

This module adds what the report needs on top: :func:`month_events` (the events of the report
month), :func:`journey_findings` (plain-language findings that claim only what is significant)
and :func:`journey_results` (the ``journey`` part of ``results.json``).

Examples
--------
>>> import cxkit as cx
>>> journey = cx.load_catalog(cx.DEFAULT_CATALOG)["journey"].frame
>>> october = cx.month_events(journey, "2026-10")
>>> stages = cx.compare_stages(october, metric="csat")
>>> stages.lowest()["stage"], cx.pain_points(october)["touchpoint"].iloc[0]
('decision', 'billing')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..display import p_phrase
from ..distributed import compute, is_dask_frame
from .funnel import *  # noqa: F401,F403
from .funnel import __all__ as _funnel_all
from ..periods import parse_month, resolve_month
from .stages import *  # noqa: F401,F403
from .stages import __all__ as _stages_all
from .stages import StageComparison, _metric_label
from .touchpoints import *  # noqa: F401,F403
from .touchpoints import __all__ as _touchpoints_all

__all__ = [*_stages_all, *_funnel_all, *_touchpoints_all, "month_events", "journey_findings", "journey_results",
           "funnel_finding", "monthly_finding", "pain_finding"]

_TIME_COLUMNS = ("occurred_at", "responded_at", "published_at")


def month_events(df: pd.DataFrame, month: str | pd.Period = "", *, time: str | None = None,
                 through: bool = False) -> pd.DataFrame:
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
    dask = is_dask_frame(df)
    if not isinstance(df, pd.DataFrame) and not dask:
        raise TypeError(f"month_events needs a pandas DataFrame (or a Dask DataFrame), not {type(df).__name__}.")
    if time is None:
        time = next((c for c in _TIME_COLUMNS if c in df.columns), None)
        if time is None:
            raise ValueError(f"month_events: no timestamp column ({', '.join(_TIME_COLUMNS)}) in the data; "
                             f"pass time='<column>'.")
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


def _dask_month_events(df, month, time: str, through: bool):
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


# --------------------------------------------------------------------------- findings


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _p_text(p: float) -> str:
    return p_phrase(p)  # the pack's one p-value format


def _lowest_touchpoint(pain: pd.DataFrame, higher_is_better: bool = True) -> dict | None:
    name = pain.columns[0]
    eligible = pain[pain["enough_n"]]
    if eligible.empty:
        return None
    row = eligible.loc[eligible["mean"].idxmin() if higher_is_better else eligible["mean"].idxmax()]
    return {"touchpoint": row[name], "mean": float(row["mean"]), "ci_low": float(row["ci_low"]),
            "ci_high": float(row["ci_high"]), "n": int(row["n"]), "volume": int(row["volume"]),
            "poor_share": float(row["poor_share"]), "excess_poor": float(row["excess_poor"]),
            "diff_vs_rest": float(row["diff_vs_rest"]), "p_adj": float(row["p_adj"]),
            "significant": bool(row["significantly_worse"]),
            "pain_rank": None if pd.isna(row["rank"]) else int(row["rank"])}


def _headline(comparison: StageComparison, pain: pd.DataFrame | None) -> str:
    label = _metric_label(comparison.metric)
    low = comparison.lowest()
    word = "lowest" if low["higher_is_better"] else "highest"
    stage_part = f"the {low['stage']} stage ({low['mean']:.2f})"
    touch = _lowest_touchpoint(pain, low["higher_is_better"]) if pain is not None else None
    if touch is None:
        sig = "significantly" if low["significant"] else "though not significantly"
        return f"{label} is {word} at {stage_part}, {sig} below every other stage."
    touch_part = f"the {touch['touchpoint']} touchpoint ({touch['mean']:.2f})"
    if low["significant"] and touch["significant"]:
        return f"{label} is {word} at {stage_part} and at {touch_part}, both significantly worse than the rest."
    if low["significant"]:
        return (f"{label} is {word} at {stage_part}, significantly worse than every other stage; among "
                f"touchpoints it is {word} at {touch_part}, not significantly worse than the others.")
    if touch["significant"]:
        return (f"{label} is {word} at {touch_part}, significantly worse than the other touchpoints; among "
                f"stages it is {word} at {stage_part}, not significantly worse than every other stage.")
    return f"{label} is {word} at {stage_part} and at {touch_part}, but neither is significantly worse than the rest."


def funnel_finding(funnel: pd.DataFrame) -> str:
    """One sentence on a :func:`funnel`: how many reached the last stage and the largest drop.

    >>> from cxkit.analysis.funnel import funnel
    >>> events = pd.DataFrame({"customer_id": ["a", "a", "b"], "journey_stage": ["awareness", "decision", "awareness"]})
    >>> funnel_finding(funnel(events, time=None))
    'Of 2 customers, 1 (50.0%) reached decision; the largest drop is awareness to consideration: 50.0% continued (95% CI 9.5%–90.5%), 1 did not.'
    """
    if len(funnel) < 2:
        return f"All {int(funnel['reached'].iloc[0]):,} journeys are at {funnel['stage'].iloc[0]}."
    start, end = funnel.iloc[0], funnel.iloc[-1]
    steps = funnel.iloc[1:]
    worst = steps.loc[steps["conversion"].idxmin()]
    prev_stage = funnel["stage"].iloc[funnel.index.get_loc(worst.name) - 1]
    text = (f"Of {start['reached']:,} customers, {end['reached']:,} ({_pct(end['share_of_start'])}) reached "
            f"{end['stage']}; the largest drop is {prev_stage} to {worst['stage']}: {_pct(worst['conversion'])} "
            f"continued (95% CI {_pct(worst['ci_low'])}–{_pct(worst['ci_high'])}), {int(worst['drop_off']):,} did not")
    if np.isfinite(worst["median_days"]):
        text += f", and those who did took a median of {worst['median_days']:.1f} days"
    return text + "."


def monthly_finding(months: pd.DataFrame, month: str | None = None) -> str:
    """One or more sentences on the report month of a :func:`funnel_by_month` table: the
    conversions that changed significantly against the month before (or that none did).

    >>> from cxkit.analysis.funnel import funnel_by_month
    >>> events = pd.DataFrame({"customer_id": [f"c{i}" for i in range(200)], "Month": ["Feb"] * 100 + ["Mar"] * 100,
    ...                        "journey_stage": ["awareness"] * 90 + ["decision"] * 10 + ["awareness"] * 50 + ["decision"] * 50})
    >>> monthly_finding(funnel_by_month(events, period="Month", stages=["awareness", "decision"]))
    'In Mar, conversion from awareness to decision rose from 10.0% to 50.0% (p < 0.001, adjusted).'
    """
    report = str(month or months["month"].iloc[-1])
    this = months[months["month"] == report]
    if this.empty:
        return f"There are no journey events in {report}."
    if this["previous"].isna().all():
        return f"{report} is the first month in the data, so there is no month-over-month change."
    changed = this[this["significant"].fillna(False).astype(bool)]
    if changed.empty:
        return (f"No step of the funnel converted significantly differently in {report} than the month "
                f"before (two-proportion tests, Holm-adjusted over the steps).")
    parts = []
    for row in changed.itertuples(index=False):
        direction = "rose" if row.change > 0 else "fell"
        parts.append(f"In {report}, conversion from {row.from_stage} to {row.to_stage} {direction} from "
                     f"{_pct(row.previous)} to {_pct(row.conversion)} ({_p_text(row.change_p_adj)}, adjusted).")
    return " ".join(parts)


def pain_finding(pain: pd.DataFrame) -> str:
    """One sentence on the top-ranked pain point of :func:`pain_points`.

    >>> from cxkit.analysis.touchpoints import pain_points
    >>> events = pd.DataFrame({"touchpoint": ["billing", "website"] * 40, "csat": [1, 4, 3, 5] * 20})
    >>> pain_finding(pain_points(events)).startswith("The biggest pain point is billing: mean 2.00")
    True
    """
    name = pain.columns[0]
    ranked = pain[pain["rank"].notna()]
    if ranked.empty:
        return f"No {name} has enough scores to rank pain points."
    top = ranked.iloc[0]
    text = (f"The biggest pain point is {top[name]}: mean {top['mean']:.2f} (95% CI {top['ci_low']:.2f}–"
            f"{top['ci_high']:.2f}, n = {top['n']:,}), {_pct(top['poor_share'])} poor scores across "
            f"{top['volume']:,} events, about {top['excess_poor']:,.0f} more poor experiences than an "
            f"average {name} would give")
    if top["significantly_worse"]:
        return text + f"; significantly worse than the other {name}s ({_p_text(top['p_adj'])}, adjusted)."
    return text + f"; not significantly worse than the other {name}s."


def journey_findings(
    comparison: StageComparison,
    *,
    scorecard: pd.DataFrame | None = None,
    funnel: pd.DataFrame | None = None,
    months: pd.DataFrame | None = None,
    month: str | None = None,
    pain: pd.DataFrame | None = None,
    performance: pd.DataFrame | None = None,
    consistency: pd.DataFrame | None = None,
) -> list[str]:
    """Plain-language findings from the journey results; a difference is claimed only when
    its test is significant.

    Parameters
    ----------
    comparison : StageComparison
        From :func:`compare_stages`.
    scorecard, funnel, months, pain, performance, consistency : DataFrame, optional
        From :func:`stage_scorecard`, :func:`funnel`, :func:`funnel_by_month`,
        :func:`pain_points`, :func:`touchpoint_performance`, :func:`channel_consistency`.
    month : str, optional
        The report month (``YYYY-MM``) for the month-over-month finding; default the last
        month in ``months``.

    Returns
    -------
    list of str
        One sentence per finding, for :func:`cxkit.findings`.

    Examples
    --------
    >>> import cxkit as cx
    >>> journey = cx.load_catalog(cx.DEFAULT_CATALOG)["journey"].frame
    >>> found = cx.journey_findings(cx.compare_stages(journey), funnel=cx.funnel(journey))
    >>> found[0][:40]
    'CSAT is lowest at decision (3.23, 95% CI'
    >>> found[1].startswith("Of 6,500 customers, 830 (12.8%) reached advocacy")
    True
    """
    out = [comparison.finding()]
    if scorecard is not None:
        for row in scorecard[scorecard["worst"]].itertuples(index=False):
            label = _metric_label(row.metric)
            word = "lowest" if row.higher_is_better else "highest"
            if row.significant:
                worse = "" if row.higher_is_better else " (more effort)"
                out.append(f"In the survey, {label} is significantly {word}{worse} at {row.stage} ({row.value:.2f}, "
                           f"95% CI {row.ci_low:.2f}–{row.ci_high:.2f}).")
            elif not row.welch_p < comparison.alpha:
                out.append(f"In the survey, {label} does not differ significantly between stages "
                           f"(Welch {_p_text(row.welch_p)}).")
            else:
                out.append(f"In the survey, {label} differs between stages (Welch {_p_text(row.welch_p)}); it is "
                           f"{word} at {row.stage}, but not significantly against every other stage.")
        if any(note.startswith("sentiment") for note in scorecard.attrs.get("notes", [])):
            out.append("Sentiment by stage: this month's survey responses have no comments that could be scored.")
    if funnel is not None and len(funnel):
        out.append(funnel_finding(funnel))
    if months is not None and len(months):
        out.append(monthly_finding(months, month))
    if pain is not None and len(pain):
        out.append(pain_finding(pain))
    if performance is not None and "lowest_success" in performance.columns:
        name = performance.columns[0]
        low = performance[performance["lowest_success"]]
        if len(low):
            row = low.iloc[0]
            out.append(f"Task success is significantly lowest at {row[name]}: {_pct(row['success_rate'])} (95% CI "
                       f"{_pct(row['success_ci_low'])}–{_pct(row['success_ci_high'])}, n = {row['success_n']:,}).")
        else:
            out.append(f"No {name} has a task success rate significantly below the others.")
    if consistency is not None and len(consistency):
        name, channel = consistency.columns[0], consistency.columns[1]
        multi = consistency[consistency["channels"] >= 2]
        tested = multi.drop_duplicates(name)
        untested = tested[tested["consistent"].isna()]
        touches = tested[tested["consistent"].notna()]
        differing = touches[touches["consistent"].eq(False).fillna(False).astype(bool)]
        if len(untested):
            out.append(f"{', '.join(map(str, untested[name]))}: the {channel}s could not be compared (a {channel}'s "
                       f"scores do not vary, so Welch's test is undefined).")
        if touches.empty and untested.empty:
            out.append(f"No {name} is served by two or more {channel}s with enough scores to compare.")
        elif differing.empty and len(touches) == 1:
            out.append(f"The experience is consistent across {channel}s: {touches.iloc[0][name]}, the only {name} "
                       f"served by several {channel}s, does not differ significantly between them.")
        elif differing.empty:
            out.append(f"The experience is consistent across {channel}s: none of the {len(touches)} {name}s served "
                       f"by several {channel}s differs significantly between them.")
        for row in differing.itertuples(index=False):
            part = multi[multi[name] == getattr(row, name)]
            best, worst = part.loc[part["mean"].idxmax()], part.loc[part["mean"].idxmin()]
            out.append(f"{getattr(row, name)} differs between {channel}s: {best[channel]} {best['mean']:.2f} vs "
                       f"{worst[channel]} {worst['mean']:.2f} ({_p_text(row.p_adj)}, adjusted).")
    return out


def _kpi(row) -> dict:
    return {"value": row.conversion, "ci_low": row.ci_low, "ci_high": row.ci_high, "n": int(row.entered),
            "previous": row.previous, "change": row.change, "change_p": row.change_p,
            "change_p_adj": row.change_p_adj, "significant": bool(row.significant)}


def journey_results(
    comparison: StageComparison,
    *,
    pain: pd.DataFrame | None = None,
    funnel: pd.DataFrame | None = None,
    months: pd.DataFrame | None = None,
    month: str | None = None,
    performance: pd.DataFrame | None = None,
) -> dict:
    """The ``journey`` part of ``results.json``.

    Keys: ``finding`` (one sentence), ``month``, ``metric``, ``lowest_stage`` (``stage, mean,
    ci_low, ci_high, n, significant, p_max, method, higher_is_better``; ``significant`` means
    worse than every other stage by Games-Howell, ``p_max`` the largest of those adjusted
    p-values), ``lowest_touchpoint`` (``touchpoint,
    mean, ci_low, ci_high, n, volume, poor_share, excess_poor, diff_vs_rest, p_adj,
    significant, pain_rank``), ``top_pain_point``, ``lowest_success_touchpoint``
    (``touchpoint, success_rate, ci_low, ci_high, n``, when significant), ``stages`` (per
    stage ``n, mean, ci_low, ci_high, letters``), ``omnibus`` (``anova``, ``welch_anova``,
    ``kruskal_wallis``, ``proportional_odds``: ``statistic, df1, df2, p, effect,
    effect_size, significant``), ``funnel`` (``reached`` per stage; ``conversion`` per step
    ``from->to``: ``value, ci_low, ci_high, n, median_days``) and ``funnel_month`` (per step, a
    KPI dict of the report month: ``value, ci_low, ci_high, n, previous, change, change_p,
    change_p_adj, significant``; significance uses the p adjusted over the month's steps).

    Examples
    --------
    >>> import cxkit as cx
    >>> journey = cx.load_catalog(cx.DEFAULT_CATALOG)["journey"].frame
    >>> res = cx.journey_results(cx.compare_stages(journey), pain=cx.pain_points(journey))
    >>> res["lowest_stage"]["stage"], res["lowest_touchpoint"]["touchpoint"]
    ('decision', 'billing')
    """
    low = comparison.lowest()
    keys = {"ANOVA": "anova", "Welch ANOVA": "welch_anova", "Kruskal-Wallis": "kruskal_wallis",
            "Proportional odds": "proportional_odds"}
    out: dict = {
        "finding": _headline(comparison, pain),
        "month": month,
        "metric": comparison.metric,
        "lowest_stage": low,
        "stages": {r.stage: {"n": int(r.n), "mean": r.mean, "ci_low": r.ci_low, "ci_high": r.ci_high,
                             "letters": r.letters} for r in comparison.stages.itertuples(index=False)},
        "omnibus": {keys.get(r.test, r.test): {"statistic": r.statistic, "df1": r.df1, "df2": r.df2, "p": r.p,
                                                "effect": r.effect, "effect_size": r.effect_size,
                                                "significant": bool(r.significant)}
                    for r in comparison.omnibus.itertuples(index=False)},
    }
    if pain is not None:
        out["lowest_touchpoint"] = _lowest_touchpoint(pain, low["higher_is_better"])
        ranked = pain[pain["rank"].notna()]
        out["top_pain_point"] = None if ranked.empty else str(ranked.iloc[0, 0])
    if performance is not None and "lowest_success" in performance.columns:
        rows = performance[performance["lowest_success"]]
        out["lowest_success_touchpoint"] = None if rows.empty else {
            "touchpoint": rows.iloc[0, 0], "success_rate": float(rows.iloc[0]["success_rate"]),
            "ci_low": float(rows.iloc[0]["success_ci_low"]), "ci_high": float(rows.iloc[0]["success_ci_high"]),
            "n": int(rows.iloc[0]["success_n"])}
    if funnel is not None:
        steps = funnel.iloc[1:]
        prev = funnel["stage"].shift(1)
        out["funnel"] = {
            "reached": {r.stage: int(r.reached) for r in funnel.itertuples(index=False)},
            "conversion": {f"{prev[i]}->{r['stage']}": {"value": r["conversion"], "ci_low": r["ci_low"],
                                                         "ci_high": r["ci_high"], "n": int(funnel.loc[i - 1, "reached"]),
                                                         "median_days": r["median_days"]}
                           for i, r in steps.iterrows()},
        }
    if months is not None and len(months):
        report = month or months["month"].iloc[-1]
        this = months[months["month"] == str(report)]
        out["funnel_month"] = {r.step: _kpi(r) for r in this.itertuples(index=False)}
    return out
