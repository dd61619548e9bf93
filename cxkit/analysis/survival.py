"""Time to churn: Kaplan–Meier curves, log-rank tests, Cox regression, restricted mean survival.

statsmodels does the estimation (``SurvfuncRight``, ``survdiff``, ``PHReg``); this module turns
its output into tidy DataFrames with stable snake_case columns, adds the confidence intervals
and the proportional-hazards check statsmodels does not provide, and draws the figures. The
Cox partial likelihood, score and Hessian that ``PHReg`` maximises are computed here by
cumulative sums instead of its loop over churn times (same values to 1e-12, ~100x faster).

- :func:`kaplan_meier` – survival curve per group with pointwise confidence intervals
  (Greenwood variance, ``log`` transform: R ``survfit``'s default ``conf.type``).
- :func:`logrank` – log-rank test of equal survival across groups (R ``survdiff``), with the
  observed and expected number of events per group.
- :func:`cox_model` – Cox proportional-hazards regression (Efron ties, like R ``coxph``) with
  hazard ratios, confidence intervals, adjusted p-values and a proportional-hazards check.
- :func:`proportional_hazards_test` – Grambsch & Therneau (1994) test: the correlation of the
  scaled Schoenfeld residuals with a transform of time, per covariate and globally (the test of
  R ``survival`` before 3.0 ``cox.zph``, and of lifelines' ``proportional_hazard_test``), with
  the residuals of the model's own tie handling (Efron's, like R and lifelines).
- :func:`restricted_mean_survival` – expected months as a customer within a horizon (the area
  under the survival curve), optionally discounted, with its standard error.

Durations are in months (``tenure_months``) and the event is ``churned`` by default. Customer
tables become model data (dtype conversion, reference levels, formula columns, aliased columns,
term labels) by the machinery :func:`cxkit.churn_model` shares, in :mod:`cxkit.analysis._models`.

A ``by`` column or covariate with more than :data:`LUMP_MAX_LEVELS` (12) levels is lumped
first: its most common levels with at least :data:`LUMP_MIN_COUNT` (30) customers stay, the
rest become ``"other"`` (:mod:`cxkit.analysis.churn`, "Categories with many levels"); the
result's notes (``attrs["notes"]``, ``CoxModel.notes``) say so, and ``lump=False`` keeps every
level.

Examples
--------
>>> import cxkit as cx
>>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
>>> km = kaplan_meier(customers, by="contract", times=[12])
>>> km[["contract", "time", "survival"]].round(2).values.tolist()
[['annual', 12.0, 0.92], ['monthly', 12.0, 0.89], ['two_year', 12.0, 0.95]]
>>> logrank(customers, by="contract")["p"].iloc[0] < 0.001
np.True_
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd
from scipy import stats

from .._stats import unbounded_coordinates
from ..display import SafeDisplay, findings, table
from ..errors import (
    ChurnWarning,
    CollinearityWarning,
    DataWarning,
    EventsPerParameterWarning,
    LeakageWarning,
    SeparationWarning,
)
from ._groups import (  # noqa: F401 (the lumping thresholds are importable here)
    LUMP_MAX_LEVELS,
    LUMP_MIN_COUNT,
    combine_levels,
    lump_note,
    other_last,
    rare_levels,
)
from ._models import (  # noqa: F401 (LEAKAGE_R2 stays importable from here)
    FORMULA_NAMESPACE,
    LEAKAGE_R2,
    Design,
    aliased_design,
    as_float,
    collinearity,
    complete_rows,
    covariate_formula,
    default_covariates,
    effects_table,
    emit,
    event_values,
    events_per_parameter,
    far_bounds,
    formula_columns,
    formula_in_words,
    formula_levels,
    lump_covariates,
    model_data,
    outcome_leaks,
    quote_name,
    reference_levels,
    require,
    standard_errors,
    tenure_price_leaks,
    term_label,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from statsmodels.duration.hazard_regression import PHReg, PHRegResults

__all__ = [
    "kaplan_meier",
    "logrank",
    "cox_model",
    "CoxModel",
    "proportional_hazards_test",
    "restricted_mean_survival",
]


def _survival_frame(df, duration, event, entry=None, by=None, lump=False):
    """Durations, events, entry times and groups as clean arrays; rows with a missing value
    in any of them are left out and counted. With ``lump``, a ``by`` column of more than
    :data:`LUMP_MAX_LEVELS` levels among those rows is lumped (its rare levels become
    ``"other"``, with a DataWarning); the last item is the notes saying so."""
    require(df, [duration], argument="duration")
    require(df, [event], argument="event")
    if entry is not None and isinstance(entry, str):
        require(df, [entry], argument="entry")
    if by is not None:
        require(df, [by], argument="by")
    time = _months(df[duration], duration, "duration")
    status = event_values(df[event], event)
    start = (
        np.zeros_like(time)
        if entry is None
        else (_months(df[entry], entry, "entry") if isinstance(entry, str) else np.asarray(entry, dtype=float))
    )
    ok = ~np.isnan(time) & ~np.isnan(status) & ~np.isnan(start)
    groups = None
    if by is not None:
        groups = df[by].astype("string").to_numpy(dtype=object, na_value=None)
        ok &= np.array([g is not None for g in groups], dtype=bool)
    if not ok.any():
        what = f"{duration!r}, {event!r}" + (f" and {by!r}" if by is not None else "")
        raise ValueError(
            f"no customer has {what} all filled in ({len(df):,} rows): there is nothing to estimate. "
            "Check the column mapping and the filter that made the table."
        )
    if (time[ok] < 0).any():
        raise ValueError(f"column {duration!r} has negative durations; durations are months since the start.")
    if (start[ok] > time[ok]).any():
        raise ValueError(f"entry times after the end of follow-up in {duration!r}: entry must be <= duration.")
    notes = []
    if lump and groups is not None:
        analysed = pd.Series(groups[ok], dtype=object)
        rare = rare_levels(analysed)
        if rare:
            notes.append(lump_note(by, analysed.value_counts()[rare].to_list(), unit="customers"))
            groups = combine_levels(pd.Series(groups, dtype=object), rare).to_numpy(dtype=object)
            warnings.warn(notes[-1], DataWarning, stacklevel=3)
    return time, status, start, groups, ok, notes


def _group_labels(groups: np.ndarray, ok: np.ndarray, notes: list[str]) -> list:
    """The groups in reporting order: sorted, with the lumped ``"other"`` last."""
    labels = sorted(set(groups[ok]))
    return other_last(labels) if notes else labels


def _months(series: pd.Series, name: str, role: str) -> np.ndarray:
    """A duration or entry column as float months (NaN for missing); text or infinite values are
    an error that names the column."""
    try:
        values = as_float(series)
    except (ValueError, TypeError):
        sample = series.dropna().astype(str).head(3).tolist()
        raise ValueError(
            f"column {name!r} ({role}) must hold numbers of months, not {sample}. Convert it first, e.g. "
            f"pd.to_numeric(df[{name!r}], errors='coerce')."
        ) from None
    if np.isinf(values).any():
        raise ValueError(
            f"column {name!r} ({role}) holds {int(np.isinf(values).sum()):,} infinite value(s); a "
            "customer still active has their months so far and churned = false, not infinity."
        )
    return values


def _no_events_error(events_column: str, n: int, what: str) -> ValueError:
    return ValueError(
        f"no customer churned: {events_column!r} is false (or 0) for all {n:,} customers with the data {what} "
        f"needs, so there is nothing to estimate. Check the event coding (values: {{{events_column}: {{...: true}}}}) "
        "and the filter; with no churners yet, report the number of customers followed instead."
    )


def _km_curve(time, status, entry=None):
    """Kaplan–Meier at each distinct event time: times, at risk, events, survival, Greenwood sum."""
    from statsmodels.duration.survfunc import SurvfuncRight

    sf = SurvfuncRight(time, status, entry=None if entry is None or not np.any(entry) else entry)
    times = np.asarray(sf.surv_times, dtype=float)
    surv = np.asarray(sf.surv_prob, dtype=float)
    n_risk = np.asarray(sf.n_risk, dtype=float)
    n_events = np.asarray(sf.n_events, dtype=float)
    keep = n_events > 0
    times, surv, n_risk, n_events = times[keep], surv[keep], n_risk[keep], n_events[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        green = np.cumsum(n_events / (n_risk * (n_risk - n_events)))
    return times, n_risk, n_events, surv, green


def _ci(surv, green, alpha, conf_type):
    z = stats.norm.ppf(1 - alpha / 2)
    sd = np.sqrt(green)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "log":
            low, high = surv * np.exp(-z * sd), surv * np.exp(z * sd)
        elif conf_type == "log-log":
            theta = z * sd / np.log(surv)
            low, high = surv ** np.exp(-theta), surv ** np.exp(theta)
        elif conf_type == "plain":
            low, high = surv - z * sd * surv, surv + z * sd * surv
        else:
            raise ValueError(f"conf_type={conf_type!r}; use 'log' (R's default), 'log-log' or 'plain'.")
    low = np.where(surv > 0, np.clip(low, 0, 1), np.nan)
    high = np.where(surv > 0, np.clip(high, 0, 1), np.nan)
    return low, high


# --------------------------------------------------------------------------- Kaplan–Meier


def kaplan_meier(
    df: pd.DataFrame,
    *,
    by: str | None = None,
    duration: str = "tenure_months",
    event: str = "churned",
    entry: str | None = None,
    times: Sequence[float] | None = None,
    alpha: float = 0.05,
    conf_type: str = "log",
    lump: bool | None = True,
) -> pd.DataFrame:
    """Kaplan–Meier survival (share of customers still active) with confidence intervals.

    Parameters
    ----------
    df : DataFrame
        Customers, one row each.
    by : str, optional
        Column whose groups get a curve each (e.g. ``"segment"``); rows without a group are left out.
    duration, event : str
        Months of follow-up and whether the customer churned (boolean or 0/1).
    entry : str, optional
        Months at which a customer entered observation (left truncation: customers who had
        already left before the data starts are not in it).
    times : list of float, optional
        Report the curve at these months instead of at every churn time.
    alpha : float
        1 - confidence level of the pointwise intervals.
    conf_type : {"log", "log-log", "plain"}
        Interval transform; ``"log"`` is R ``survfit``'s default.
    lump : bool, default True
        A ``by`` column with more than :data:`LUMP_MAX_LEVELS` levels gets a curve for each of
        its most common levels (at most 11, each with at least :data:`LUMP_MIN_COUNT`
        customers) and one for ``"other"``, the rest combined (a DataWarning and
        ``attrs["notes"]`` say so). False (or None): a curve for every level.

    Returns
    -------
    DataFrame
        ``by`` (when given), ``time``, ``at_risk``, ``events`` (churns at that time; with
        ``times``: up to that time), ``survival``, ``se`` (Greenwood), ``ci_low``, ``ci_high``.
        ``attrs["notes"]``: the levels of ``by`` combined into ``"other"`` (empty when none).

    Examples
    --------
    >>> import cxkit as cx
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> km = cx.kaplan_meier(customers, by="segment")
    >>> list(km.columns)
    ['segment', 'time', 'at_risk', 'events', 'survival', 'se', 'ci_low', 'ci_high']
    """
    time, status, start, groups, ok, notes = _survival_frame(df, duration, event, entry, by, lump=bool(lump))
    if times is None and not status[ok].any():
        raise _no_events_error(event, int(ok.sum()), "a survival curve")
    labels = [None] if by is None else _group_labels(groups, ok, notes)
    parts = []
    for label in labels:
        rows = ok if label is None else ok & (groups == label)
        t, n, d, s, g = _km_curve(time[rows], status[rows], start[rows] if entry is not None else None)
        if times is not None:
            at = np.asarray(times, dtype=float)
            idx = np.searchsorted(t, at, side="right") - 1
            s_at = np.where(idx >= 0, s[np.clip(idx, 0, None)] if len(s) else 1.0, 1.0)
            g_at = np.where(idx >= 0, g[np.clip(idx, 0, None)] if len(g) else 0.0, 0.0)
            d_at = np.array([d[: i + 1].sum() if i >= 0 else 0.0 for i in idx])
            n_at = np.array([np.sum((time[rows] >= x) & (start[rows] < x)) if x > 0 else rows.sum() for x in at])
            t, n, d, s, g = at, n_at.astype(float), d_at, s_at, g_at
        low, high = _ci(s, g, alpha, conf_type)
        with np.errstate(invalid="ignore"):  # after the last customer left, S = 0 and the SE is undefined
            se = np.where(s > 0, s * np.sqrt(g), np.nan)
        part = pd.DataFrame(
            {
                "time": t,
                "at_risk": n.astype(int),
                "events": d.astype(int),
                "survival": s,
                "se": se,
                "ci_low": low,
                "ci_high": high,
            }
        )
        if by is not None:
            part.insert(0, by, label)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    out.attrs["notes"] = notes
    return out


# --------------------------------------------------------------------------- log-rank


def _observed_expected(time, status, start, groups, labels):
    """Observed and expected events per group under equal hazards (at each event time the
    events are shared in proportion to the customers at risk in each group)."""
    event_times, deaths = np.unique(time[status == 1], return_counts=True)

    def at_risk(mask):
        t_sorted = np.sort(time[mask])
        s_sorted = np.sort(start[mask])
        # at risk at u: entered before u (start < u) and still followed at u (time >= u)
        return np.searchsorted(s_sorted, event_times, side="left") - np.searchsorted(t_sorted, event_times, side="left")

    total = at_risk(np.ones_like(time, dtype=bool))
    observed, expected = [], []
    for label in labels:
        mask = groups == label
        observed.append(status[mask].sum())
        expected.append(np.sum(deaths * at_risk(mask) / total))
    return np.array(observed), np.array(expected)


def logrank(
    df: pd.DataFrame,
    *,
    by: str,
    duration: str = "tenure_months",
    event: str = "churned",
    entry: str | None = None,
    weight_type: str | None = None,
    fh_p: float = 1.0,
    lump: bool | None = True,
) -> pd.DataFrame:
    """Log-rank test that churn happens at the same rate over tenure in every group.

    Parameters
    ----------
    df : DataFrame
        Customers, one row each; rows with a missing duration, event or group are left out.
    by : str, keyword-only
        Grouping column (e.g. ``"segment"``), at least two groups.
    duration, event, entry : str, keyword-only
        As in :func:`kaplan_meier` (defaults ``"tenure_months"``, ``"churned"``, None).
    weight_type : {None, "gb", "tw", "fh"}, default None, keyword-only
        None is the log-rank test (R ``survdiff`` with ``rho = 0``); ``"gb"`` Gehan–Breslow,
        ``"tw"`` Tarone–Ware, ``"fh"`` Fleming–Harrington with weights S(t-)^``fh_p``
        (statsmodels ``survdiff``).
    fh_p : float, default 1.0, keyword-only
        The exponent of the Fleming–Harrington weights (``weight_type="fh"`` only).
    lump : bool, default True, keyword-only
        A ``by`` column with more than :data:`LUMP_MAX_LEVELS` levels is compared as its most
        common levels (at most 11, each with at least :data:`LUMP_MIN_COUNT` customers) and
        ``"other"``, the rest combined (a DataWarning and ``attrs["notes"]`` say so). False
        (or None): every level.

    Returns
    -------
    DataFrame
        One row per group (sorted; a lumped ``"other"`` last), then the test of all groups
        repeated on every row (``attrs["notes"]``: the levels combined into ``"other"``):

        - the ``by`` column (e.g. ``segment``): the group
        - ``n``: customers in the group
        - ``observed``: churners in the group
        - ``expected``: churners expected under equal hazards (at each churn time the churns
          shared in proportion to the customers at risk in each group)
        - ``chi2``: the (weighted) log-rank chi-square statistic
        - ``dof``: its degrees of freedom, the number of groups minus one, fewer when a group
          is never at risk at a churn time (R ``survdiff``'s generalized inverse)
        - ``p``: the raw p-value of the chi-square test

    Raises
    ------
    ValueError
        A column is missing, a duration is negative or not a number, the event is not boolean
        or 0/1, fewer than two groups, nobody churned, no two groups at risk together at any
        churn time, an unknown ``weight_type``, or weights that are undefined for the data.

    Examples
    --------
    >>> import cxkit as cx
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> cx.logrank(customers, by="segment")[["segment", "n", "observed"]].values.tolist()
    [['Consumer', 6241, 1425], ['Enterprise', 985, 132], ['SMB', 2774, 518]]
    """
    from statsmodels.duration.survfunc import _survdiff

    time, status, start, groups, ok, notes = _survival_frame(df, duration, event, entry, by, lump=bool(lump))
    labels = _group_labels(groups, ok, notes)
    time, status, start, groups = time[ok], status[ok], start[ok], groups[ok]
    if len(labels) < 2:
        raise ValueError(
            f"the log-rank test needs at least two groups in {by!r}; found {labels}. Pass another "
            "grouping column, or check the filter."
        )
    if not status.any():
        raise _no_events_error(event, len(time), "the log-rank test")
    if weight_type not in (None, "gb", "tw", "fh"):
        raise ValueError(f"weight_type={weight_type!r}; use None (log-rank), 'gb', 'tw' or 'fh'.")
    codes = pd.Categorical(groups, categories=labels).codes.astype(np.int64)
    kwargs = {"fh_p": fh_p} if weight_type == "fh" else {}
    # statsmodels' survdiff solves V x = O - E, which fails when V is singular (a group never at
    # risk when someone churns); R's survdiff uses a generalized inverse with df = rank(V)
    with np.errstate(divide="ignore", invalid="ignore"):  # undefined weights are reported below
        diff, var = _survdiff(
            time,
            status.astype(int),
            codes,
            weight_type,
            np.arange(len(labels)),
            start if entry is not None else None,
            **kwargs,
        )
    var = np.atleast_2d(var)
    if not (np.all(np.isfinite(var)) and np.all(np.isfinite(diff))):
        raise ValueError(
            f"the weighted log-rank test (weight_type={weight_type!r}) is undefined for these data "
            "(statsmodels' weights divide by an empty risk set); use weight_type=None, 'gb' or 'tw'."
        )
    rank = int(np.linalg.matrix_rank(var)) if var.size else 0
    if rank == 0:
        raise ValueError(
            f"the log-rank test has nothing to compare: at no churn time are customers of two {by!r} "
            "groups at risk together (one group's customers all left before, or joined after, every "
            "churn). Compare groups with overlapping follow-up, or report the churn counts."
        )
    chi2 = float(np.atleast_1d(diff) @ np.linalg.pinv(var) @ np.atleast_1d(diff))
    p = float(stats.chi2.sf(chi2, rank))
    # without delayed entry everyone is at risk from time 0 on, churn at time 0 included
    observed, expected = _observed_expected(
        time, status, start if entry is not None else np.full_like(time, -np.inf), groups, labels
    )
    n = [int(np.sum(groups == g)) for g in labels]
    out = pd.DataFrame(
        {by: labels, "n": n, "observed": observed.astype(int), "expected": expected, "chi2": chi2, "dof": rank, "p": p}
    )
    out.attrs["notes"] = notes
    return out


# --------------------------------------------------------------------------- Cox


def proportional_hazards_test(result: PHRegResults, *, transform: str = "km") -> pd.DataFrame:
    """Grambsch–Therneau test of proportional hazards for a fitted statsmodels ``PHReg``.

    For each covariate, the scaled Schoenfeld residuals (an estimate of how its log hazard
    ratio moves over time) are correlated with a transform of the churn times; a slope that
    differs from zero means the hazard ratio is not constant (proportional hazards fails).
    This is the test of R ``survival`` < 3.0 ``cox.zph`` and of lifelines'
    ``proportional_hazard_test``; the global row tests all covariates at once.

    Tied churn times use the residuals of the model's tie handling: with Efron's (the
    default), the expected covariates at a time with ``d`` tied churners are averaged over
    Efron's ``d`` partial risk sets, as R and lifelines do (statsmodels' own
    ``schoenfeld_residuals`` are Breslow's). On lifelines' bundled data sets (waltons, rossi,
    lung, gbsg2, kidney_transplant, larynx) the chi-squares agree with lifelines 0.30 to 2e-6
    or better, on all four transforms given the same transform (``tests/test_survival.py``).
    ``"identity"`` and ``"log"`` are lifelines' transforms too; ``"km"`` and ``"rank"`` are R's:
    lifelines' ``km`` uses the Kaplan–Meier estimate at the churn time instead of just before it,
    and its ``rank`` numbers tied churn times 1, 2, ... in row order instead of sharing their
    average rank, so its values for those two differ on tied data.

    Parameters
    ----------
    result : PHRegResults
        A fitted ``statsmodels`` Cox model.
    transform : {"km", "rank", "identity", "log"}
        Time transform; ``"km"`` (R's default) is 1 minus the left-continuous Kaplan–Meier
        estimate at each churn time, robust to a few very long tenures.

    Returns
    -------
    DataFrame
        ``term``, ``rho`` (correlation of the scaled residuals with transformed time),
        ``chi2``, ``dof``, ``p``; the last row is ``GLOBAL``.
    """
    model = result.model
    names = list(model.exog_names)
    if transform not in ("km", "rank", "identity", "log"):
        raise ValueError(f"transform={transform!r}; use 'km', 'rank', 'identity' or 'log'.")
    if not np.all(np.isfinite(np.asarray(result.params, dtype=float))):  # a failed fit has no residuals
        return pd.DataFrame(
            {
                "term": names + ["GLOBAL"],
                "rho": np.nan,
                "chi2": np.nan,
                "dof": [1] * len(names) + [len(names)],
                "p": np.nan,
            }
        )
    status = np.asarray(model.status, dtype=bool)
    time = np.asarray(model.endog, dtype=float)
    resid = _schoenfeld_residuals(model, np.asarray(result.params, dtype=float))[status]
    t = time[status]
    keep = ~np.isnan(resid).any(axis=1)
    resid, t = resid[keep], t[keep]
    order = np.argsort(t, kind="stable")
    resid, t = resid[order], t[order]
    if transform == "km":
        # 1 - S(t-), S the Kaplan–Meier estimate of all customers (R: km transform)
        entry = getattr(model, "entry", None)  # delayed entry: the curve of the same risk sets
        times_km, _, _, surv, _ = _km_curve(time, status.astype(float), entry)
        idx = np.searchsorted(times_km, t, side="left") - 1
        g = 1.0 - np.where(idx >= 0, surv[np.clip(idx, 0, None)], 1.0)
    elif transform == "rank":
        g = stats.rankdata(t)
    elif transform == "identity":
        g = t
    elif transform == "log":
        g = np.log(t)
    else:
        raise ValueError(f"transform={transform!r}; use 'km', 'rank', 'identity' or 'log'.")
    d = len(t)
    var = np.asarray(result.cov_params())
    xx = g - g.mean()
    sxx = float(np.sum(xx**2))
    scaled = resid @ var * d
    test = xx @ scaled
    chi2 = test**2 / (np.diag(var) * d * sxx)
    params = np.asarray(result.params)
    rho = np.array([np.corrcoef(xx, scaled[:, j] + params[j])[0, 1] if sxx > 0 else np.nan for j in range(len(names))])
    z = xx @ resid
    global_chi2 = float(z @ var @ z * d / sxx)
    out = pd.DataFrame({"term": names, "rho": rho, "chi2": chi2, "dof": 1, "p": stats.chi2.sf(chi2, 1)})
    glob = pd.DataFrame(
        {
            "term": ["GLOBAL"],
            "rho": [np.nan],
            "chi2": [global_chi2],
            "dof": [len(names)],
            "p": [stats.chi2.sf(global_chi2, len(names))],
        }
    )
    return pd.concat([out, glob], ignore_index=True)


def _schoenfeld_residuals(model: PHReg, params: np.ndarray) -> np.ndarray:
    """Schoenfeld residuals of a statsmodels ``PHReg`` under its own tie handling.

    A churner's residual is their covariates minus the expected covariates of whoever churns
    at that time. With ``d`` churners tied at a time, Efron's partial likelihood removes
    ``l/d`` of the tied customers' risk from the l-th of its ``d`` terms, so the expected value
    is the average over ``l = 0 .. d-1`` of ``(S1 - l/d D1) / (S0 - l/d D0)`` (``S`` sums over
    the risk set, ``D`` over the tied churners; R ``survival``'s ``coxscho`` and lifelines'
    ``_compute_schoenfeld_within_strata``). statsmodels' ``schoenfeld_residuals`` uses the
    plain risk-set mean ``S1 / S0`` whatever ``ties`` is, which is Breslow's: with Efron ties
    that made the proportional-hazards test disagree with R and lifelines on any data with tied
    churn times (waltons: chi2 20.06 instead of 22.32). Without ties both are the same.

    Rows that are not churners, or that statsmodels left out of every risk set, are NaN.
    """
    surv = model.surv
    out = np.full(np.shape(model.exog), np.nan)
    efron = str(getattr(model, "ties", "breslow")).lower() == "efron"
    for stx in range(surv.nstrat):
        X = surv.exog_s[stx]
        time, status, entry = surv.time_s[stx], surv.status_s[stx], surv.entry_s[stx]
        uft = surv.ufailt[stx]
        k, _p = len(uft), X.shape[1]
        lp = X @ params
        if surv.offset_s is not None:
            lp = lp + surv.offset_s[stx]
        r = np.exp(lp - lp.max())
        values = np.column_stack([r, r[:, None] * X])  # [r, r x] per row
        # row i is at risk at the k-th churn time when entry_i <= t_k <= time_i (statsmodels'
        # convention), i.e. for k in [lo_i, hi_i): the risk-set sums are differences of
        # cumulative sums of what enters at lo and leaves at hi
        lo = np.searchsorted(uft, entry, side="left")
        hi = np.searchsorted(uft, time, side="right")

        def per_time(codes, weights, size):  # column sums of ``weights`` rows grouped by ``codes``
            return np.column_stack([np.bincount(codes, weights=w, minlength=size) for w in weights.T])

        at_risk = np.cumsum(per_time(lo, values, k + 1) - per_time(hi, values, k + 1), axis=0)[:k]
        failed = np.flatnonzero(status == 1)
        kf = np.searchsorted(uft, time[failed])
        d = np.bincount(kf, minlength=k).astype(float)
        tied = per_time(kf, values[failed], k)
        if efron:
            # the l-th of the d tied churners, l = 0 .. d-1 (which churner gets which l does
            # not matter: only the average over l is used)
            order = np.argsort(kf, kind="stable")
            start = np.concatenate([[0], np.cumsum(d)[:-1]]).astype(int)
            ell = np.empty(len(kf))
            ell[order] = np.arange(len(kf)) - start[kf[order]]
            share = ell / d[kf]
        else:
            share = np.zeros(len(kf))
        den = at_risk[kf, 0] - share * tied[kf, 0]
        num = at_risk[kf, 1:] - share[:, None] * tied[kf, 1:]
        with np.errstate(invalid="ignore", divide="ignore"):  # times with no churner are never used
            expected = per_time(kf, num / den[:, None], k) / d[:, None]
        out[surv.stratum_rows[stx][failed]] = X[failed] - expected[kf]
    return out


def _fit_cox(model):
    """statsmodels' fit of a ``PHReg``, made robust: its Newton steps have no step-halving and
    can overshoot to NaN on small data, and its covariance fails when a coefficient runs off
    (a monotone likelihood). Then BFGS finds the maximum (or goes far along the rising
    direction), Newton polishes a finite maximum, and failing that the covariance is the
    pseudo-inverse of the information."""
    from scipy.optimize import minimize
    from statsmodels.duration.hazard_regression import PHRegResults

    with np.errstate(all="ignore"):  # a diverging fit is diagnosed by the caller, not by numpy's warnings
        try:
            result = model.fit()
            if np.all(np.isfinite(np.asarray(result.params, dtype=float))):
                return result
        except np.linalg.LinAlgError:
            pass
        found = minimize(
            lambda b: -model.loglike(b),
            np.zeros(model.exog.shape[1]),
            jac=lambda b: -model.score(b),
            method="L-BFGS-B",
            bounds=far_bounds(model.exog),
            options={"gtol": 1e-9, "maxiter": 2000},
        )
        try:
            polished = model.fit(start_params=found.x)
            if np.all(np.isfinite(np.asarray(polished.params, dtype=float))):
                return polished
        except np.linalg.LinAlgError:
            pass
        return PHRegResults(model, found.x, np.linalg.pinv(-np.asarray(model.hessian(found.x), dtype=float)))


#: A coefficient that moves the log hazard by more than this across its covariate's observed
#: range (a hazard ratio of 5e8) makes cox_model check for a monotone likelihood.
SEPARATION_LOG_HAZARD = 20.0
_MAX_RISK_PAIRS = 3_000_000


def _cox_monotone(model: PHReg) -> np.ndarray:
    """Which coefficients of a statsmodels ``PHReg`` have no finite maximum partial likelihood.

    The partial likelihood keeps rising along a direction ``b`` exactly when at every churn
    time each churner's ``x b`` is at least that of everyone at risk (Bryson & Johnson 1981's
    monotone likelihood; Efron's and Breslow's tie handling alike), with one strict. With
    ``m_k`` the largest ``x b`` in the k-th risk set this is a linear program with one row per
    customer: risk sets shrink over time (without delayed entry), so ``x_j b <= m_k`` for the
    last churn time k at which j is at risk and ``m`` non-increasing give all the pairs. With
    delayed entry every (customer, churn time at risk) pair is a row, up to 3,000,000; beyond
    that the coefficients that ran off (more than 20 on the log-hazard scale across their
    covariate's range) are reported instead.
    """
    from scipy import sparse

    surv = model.surv
    p = model.exog.shape[1]
    scale = np.abs(np.asarray(model.exog, dtype=float)).max(axis=0)
    scale[scale == 0] = 1.0
    blocks, objective = [], np.zeros(p)
    offset, n_rows, pairs = p, 0, 0  # each stratum's m variables follow the p coefficients

    def block(X_rows, m_index, m_sign):
        """Constraint rows ``sign_x * x b + m_sign * m_k <= 0`` as COO triplets."""
        nonlocal n_rows
        r = n_rows + np.arange(len(m_index))
        n_rows += len(m_index)
        rr = np.concatenate([np.repeat(r, p), r])
        cc = np.concatenate([np.tile(np.arange(p), len(r)), m_index])
        vv = np.concatenate([X_rows.ravel(), np.full(len(r), m_sign)])
        blocks.append((rr, cc, vv))

    for stx in range(surv.nstrat):
        X = surv.exog_s[stx] / scale
        time, status, entry, uft = surv.time_s[stx], surv.status_s[stx], surv.entry_s[stx], surv.ufailt[stx]
        k = len(uft)
        lo = np.searchsorted(uft, entry, side="left")
        hi = np.searchsorted(uft, time, side="right")  # at risk at churn times lo <= k < hi
        delayed = bool(np.any(lo > 0))
        pairs += int(np.sum(np.maximum(hi - lo, 0))) if delayed else len(time)
        if pairs > _MAX_RISK_PAIRS:
            with np.errstate(invalid="ignore"):
                params = np.asarray(model.fit().params, dtype=float)
                return ~(np.abs(params) * np.ptp(np.asarray(model.exog, dtype=float), axis=0) <= SEPARATION_LOG_HAZARD)
        # objective: the sum over churners i and customers j then at risk of (x_i - x_j) b
        count = np.cumsum(np.bincount(lo, minlength=k + 1) - np.bincount(hi, minlength=k + 1))[:k]
        total = np.cumsum(
            np.stack(
                [
                    np.bincount(lo, weights=X[:, c], minlength=k + 1)
                    - np.bincount(hi, weights=X[:, c], minlength=k + 1)
                    for c in range(p)
                ],
                axis=1,
            ),
            axis=0,
        )[:k]
        failed = np.flatnonzero(status == 1)
        kf = np.searchsorted(uft, time[failed])
        objective += (count[kf, None] * X[failed] - total[kf]).sum(axis=0)
        at_risk = np.flatnonzero(hi > lo)
        if delayed:  # x_j b - m_k <= 0 for every churn time k at which j is at risk
            span = hi[at_risk] - lo[at_risk]
            j = np.repeat(at_risk, span)
            kk = np.repeat(lo[at_risk], span) + (np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span))
            block(X[j], offset + kk, -1.0)
        else:  # ... for its last one, with m non-increasing: m_{k+1} - m_k <= 0
            block(X[at_risk], offset + hi[at_risk] - 1, -1.0)
            if k > 1:
                r = n_rows + np.arange(k - 1)
                n_rows += k - 1
                blocks.append(
                    (
                        np.concatenate([r, r]),
                        np.concatenate([offset + np.arange(1, k), offset + np.arange(k - 1)]),
                        np.concatenate([np.ones(k - 1), -np.ones(k - 1)]),
                    )
                )
        block(-X[failed], offset + kf, 1.0)  # m_k - x_i b <= 0 for each churner
        offset += k
    rr, cc, vv = (np.concatenate(part) for part in zip(*blocks))
    A = sparse.csr_matrix((vv, (rr, cc)), shape=(n_rows, offset))
    bounds = [(-1.0, 1.0)] * p + [(-p - 1.0, p + 1.0)] * (offset - p)
    return unbounded_coordinates(A, np.concatenate([objective, np.zeros(offset - p)]), range(p), bounds=bounds)


@lru_cache(maxsize=1)
def _ph_model_class():
    """statsmodels' ``PHReg`` with the Efron and Breslow partial likelihood, score and Hessian
    computed without a Python loop over the distinct churn times.

    statsmodels walks the churn times one by one (1.2 s per fit on the sample's 1,400 distinct
    tenures, minutes at 1,000,000 customers). Here every sum over a risk set is a cumulative
    sum: customer i is at risk at the k-th distinct churn time when entry_i <= t_k <= time_i
    (statsmodels' convention), i.e. for k in [lo_i, hi_i). Everything else (fitting, standard
    errors, residuals, results) is statsmodels' own; ``tests/test_survival.py`` checks the
    values against the loop on data with ties, strata, delayed entry and offsets.
    """
    from scipy import sparse
    from statsmodels.duration.hazard_regression import PHReg

    class _PHReg(PHReg):
        def _strata_setup(self):
            if getattr(self, "_cx_setup", None) is None:
                surv, parts = self.surv, []
                for stx in range(surv.nstrat):
                    time, status = surv.time_s[stx], surv.status_s[stx]
                    uft = surv.ufailt[stx]
                    n, k = len(time), len(uft)
                    hi = np.searchsorted(uft, time, side="right")  # at risk while k < hi
                    lo = np.searchsorted(uft, surv.entry_s[stx], side="left")  # ... and k >= lo
                    failed = np.flatnonzero(status == 1)
                    kf = np.searchsorted(uft, time[failed])
                    order = np.argsort(kf, kind="stable")
                    failed, kf = failed[order], kf[order]
                    d = np.bincount(kf, minlength=k)
                    start = np.concatenate([[0], np.cumsum(d)[:-1]])
                    ones = np.ones(n)
                    parts.append(
                        {
                            "hi": hi,
                            "lo": lo,
                            "failed": failed,
                            "kf": kf,
                            # Efron: the l-th of the d churners tied at a time leaves l/d of the tied
                            # risk out of the denominator
                            "phi": (np.arange(len(kf)) - start[kf]) / d[kf],
                            "enter": sparse.csr_matrix((ones, (hi, np.arange(n))), shape=(k + 1, n)),
                            "leave": sparse.csr_matrix((ones, (lo, np.arange(n))), shape=(k + 1, n)),
                            "fails": sparse.csr_matrix((np.ones(len(kf)), (kf, failed)), shape=(k, n)),
                        }
                    )
                self._cx_setup = parts
                self._cx_cache = (None, None)
            return self._cx_setup

        def _terms(self, params):
            """Log partial likelihood, score and Hessian at ``params`` (cached per params)."""
            params = np.asarray(params, dtype=float)
            parts = self._strata_setup()
            key = (self.ties, params.tobytes())
            if self._cx_cache[0] == key:
                return self._cx_cache[1]
            surv, p = self.surv, len(params)
            like, grad, hess = 0.0, np.zeros(p), np.zeros((p, p))
            for stx, part in enumerate(parts):
                X = surv.exog_s[stx]
                lp = X @ params
                if surv.offset_s is not None:
                    lp = lp + surv.offset_s[stx]
                lp = lp - lp.max()
                r = np.exp(lp)
                rX = r[:, None] * X

                # called right here, in this iteration, so the loop's part is the one meant
                def at_risk(v):  # sums over each churn time's risk set, from per-row values
                    tail = lambda m: np.cumsum(m[::-1], axis=0)[::-1][1:]  # noqa: E731,B023 (sum over m > k)
                    return tail(part["enter"] @ v) - tail(part["leave"] @ v)  # noqa: B023

                s0, s1 = at_risk(r), at_risk(rX)
                d0, d1 = part["fails"] @ r, part["fails"] @ rX
                kf, failed = part["kf"], part["failed"]
                phi = part["phi"] if self.ties == "efron" else np.zeros(len(kf))
                den = s0[kf] - phi * d0[kf]
                num = s1[kf] - phi[:, None] * d1[kf]
                like += lp[failed].sum() - np.log(den).sum()
                grad += X[failed].sum(axis=0) - (num / den[:, None]).sum(axis=0)
                k = len(s0)
                a = np.bincount(kf, weights=1.0 / den, minlength=k)
                b = np.bincount(kf, weights=phi / den, minlength=k)
                ca = np.concatenate([[0.0], np.cumsum(a)])
                w = r * (ca[part["hi"]] - ca[part["lo"]])
                w[failed] -= r[failed] * b[kf]
                m = num / den[:, None]
                hess -= (X * w[:, None]).T @ X - m.T @ m
            out = (like, grad, hess)
            self._cx_cache = (key, out)
            return out

        def efron_loglike(self, params):
            return self._terms(params)[0]

        def efron_gradient(self, params):
            return self._terms(params)[1]

        def efron_hessian(self, params):
            return self._terms(params)[2]

        breslow_loglike, breslow_gradient, breslow_hessian = efron_loglike, efron_gradient, efron_hessian

    return _PHReg


@dataclass(repr=False)
class CoxModel(SafeDisplay):
    """A fitted Cox proportional-hazards model of time to churn (see :func:`cox_model`).

    Attributes
    ----------
    summary : DataFrame
        ``term``, ``label``, ``coef``, ``se``, ``z``, ``hazard_ratio``, ``ci_low``, ``ci_high``,
        ``p``, ``p_adjusted``, ``estimable``, ``note``. A term without a finite estimate (a
        monotone likelihood, e.g. a level whose customers never churn) has ``estimable`` False,
        ``note`` "not estimable: monotone likelihood" and NaN numbers.
    ph_test : DataFrame
        Proportional-hazards check (:func:`proportional_hazards_test`).
    result : PHRegResults
        The statsmodels result, for everything else.
    formula, n, events, dropped, alpha, warnings
        The model, customers used and churners among them, rows left out for missing
        values, the confidence level's complement, and every warning raised while fitting, in
        plain language with the fix.
    ties : str
        The handling of tied churn times used (``"efron"`` or ``"breslow"``).
    notes : list of str
        Notes on the data: covariates whose rare levels were combined into ``"other"``.
    lumped : dict
        The levels of each lumped covariate that were combined into ``"other"`` (empty when
        none was).
    """

    formula: str
    summary: pd.DataFrame
    ph_test: pd.DataFrame
    result: PHRegResults
    n: int
    events: int
    dropped: int
    alpha: float
    warnings: list = field(default_factory=list)
    ties: str = "efron"
    notes: list = field(default_factory=list)
    lumped: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"CoxModel({self.formula!r}, n={self.n}, events={self.events})\n" + self.summary.to_string(index=False)

    def _repr_html_(self) -> str:
        rows = [
            ("model", f"Cox proportional hazards ({self.ties.capitalize()} ties)"),
            ("time to churn explained by", formula_in_words(self.formula)),
            ("customers", f"{self.n:,}"),
            ("churned", f"{self.events:,}"),
            ("left out (missing values)", f"{self.dropped:,}"),
        ]
        if self.lumped:
            rows.append(
                (
                    "combined into 'other'",
                    "; ".join(
                        f"{len(v):,} rare level{'s' if len(v) > 1 else ''} of {c}" for c, v in self.lumped.items()
                    ),
                )
            )
        facts = pd.DataFrame(rows, columns=["", "value"])
        shown = self.summary.drop(columns=["term", "estimable"] + (["note"] if self.summary["estimable"].all() else []))
        parts = [
            table(facts, caption="Time to churn").html,
            table(
                shown,
                digits=3,
                labels={"label": "effect"},
                caption=f"Hazard ratios with {1 - self.alpha:.0%} confidence intervals",
            ).html,
            table(self.ph_test, digits=3, caption="Proportional-hazards check (Grambsch–Therneau)").html,
        ]
        if self.warnings:
            parts.append(findings(self.warnings, title="Warnings").html)
        return "".join(parts)

    def plot_forest(self, *, ax: Axes | None = None) -> Axes:
        """Forest plot of the hazard ratios (see :func:`plot_forest`)."""
        from ..plots import plot_forest

        return plot_forest(self.summary, ax=ax)


def cox_model(
    df: pd.DataFrame,
    formula: str | None = None,
    covariates: str | Iterable[str] | None = None,
    *,
    duration: str = "tenure_months",
    event: str = "churned",
    entry: str | None = None,
    reference: dict | None = None,
    ties: str = "efron",
    alpha: float = 0.05,
    padjust: str = "holm",
    transform: str = "km",
    revenue: str = "monthly_revenue",
    lump: bool | None = True,
) -> CoxModel:
    """Cox regression of time to churn: which customers leave sooner, at equal tenure.

    It checks the fit as :func:`cxkit.churn_model` does (the checks that apply to a Cox
    model, with the same warning classes; see Warns), and adds the proportional-hazards test.

    Parameters
    ----------
    df : DataFrame
        Customers, one row each.
    formula : str, optional
        Right-hand side such as ``"~ monthly_revenue + C(segment)"`` (a left-hand side, if
        given, must be ``duration``). A formula is used exactly as written.
    covariates : list of str, optional
        Instead of a formula: columns to adjust for. Text columns get the most frequent level
        as reference (a pandas Categorical its first category); ``reference`` overrides it.
        With neither, every usable column, chosen by the rules of :func:`cxkit.churn_model`.
    duration, event, entry : str, keyword-only
        Months of follow-up (default ``"tenure_months"``), churn (boolean or 0/1, default
        ``"churned"``), and (optional, default None) months at which the customer entered
        observation (delayed entry; each must be below the duration).
    reference : dict, optional, keyword-only
        Reference level per categorical covariate, e.g. ``{"segment": "SMB"}`` (with
        ``covariates`` only; in a formula write ``C(col, Treatment('level'))``).
    ties : {"efron", "breslow"}, default "efron", keyword-only
        Handling of tied churn times; Efron is R ``coxph``'s default.
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the hazard ratios' intervals, and the level of the
        proportional-hazards warning.
    padjust : str, default "holm", keyword-only
        p-value adjustment across the terms (``holm``, ``bonferroni``, ``fdr_bh``, ``none``,
        or any name :func:`cxkit.adjust_p` accepts).
    transform : {"km", "rank", "identity", "log"}, default "km", keyword-only
        Time transform of the proportional-hazards check (:func:`proportional_hazards_test`).
    revenue : str, default "monthly_revenue", keyword-only
        Monthly price column for the leakage check (a covariate that is nearly a function of
        duration x price, like total charges, is flagged).
    lump : bool, default True, keyword-only
        Combine the rare levels of a text or categorical covariate with more than
        :data:`LUMP_MAX_LEVELS` levels into ``"other"`` before fitting (levels with fewer than
        :data:`LUMP_MIN_COUNT` customers, and those beyond the 11 most common; the reference
        level and levels a formula names stay), with a note in ``.notes``, the levels in
        ``.lumped`` and a :class:`~cxkit.errors.DataWarning`. False (or None) fits every level.

    Returns
    -------
    CoxModel
        Displays itself as tables in a notebook; see :class:`CoxModel`. ``.summary`` has one
        row per term (no intercept: the baseline hazard absorbs it):

        - ``term``: statsmodels' name of the design column
        - ``label``: the term in words, e.g. ``"segment: SMB vs Consumer"``
        - ``coef``, ``se``: the log hazard ratio and its standard error
        - ``z``: ``coef / se`` (Wald)
        - ``hazard_ratio``: ``exp(coef)``, with ``ci_low`` / ``ci_high``, its ``1 - alpha``
          Wald interval on the ratio scale
        - ``p``: raw two-sided Wald p-value
        - ``p_adjusted``: ``p`` adjusted by ``padjust`` over the terms
        - ``estimable``: False for a term with a monotone likelihood (e.g. a level whose
          customers never churn), found exactly by a linear program; its numbers are NaN
        - ``note``: "" or "not estimable: monotone likelihood"

        ``.ph_test``: the proportional-hazards check, ``term``, ``rho``, ``chi2``, ``dof``,
        ``p`` (raw), the last row ``GLOBAL`` (NaN for non-estimable terms, and for the
        ``GLOBAL`` row when any term is not estimable). Also ``.result`` (statsmodels
        ``PHRegResults``), ``.ties`` (as used), ``.formula``, ``.n``, ``.events``,
        ``.dropped``, ``.alpha``, ``.notes``, ``.lumped`` and ``.warnings`` (every warning
        below, in words).

    Warns
    -----
    DataWarning
        A covariate with more than :data:`LUMP_MAX_LEVELS` levels was lumped (``lump``); the
        message names the column and how many levels and customers became ``"other"``.
    SeparationWarning
        A monotone likelihood (the Cox model's separation): some hazard ratio has no finite
        estimate.
    EventsPerParameterWarning
        Fewer than 10 churners per estimated parameter.
    LeakageWarning
        A numeric covariate is explained by duration, price and their product with R² >= 0.95
        (a TotalCharges-like column grows with the duration itself), or a single covariate
        separates churners from stayers with AUC >= 0.95.
    CollinearityWarning
        A design column is an exact combination of others among the customers at risk (it is
        left out of the fit), or a variable's adjusted GVIF squared exceeds 10.
    ChurnWarning
        The hazard ratio of a term changes with tenure (proportional-hazards test p < alpha),
        or statsmodels' fit failed or warned.

    Raises
    ------
    ValueError
        A column is missing, not numeric or infinite; no customer has every column; nobody
        churned; or no covariate varies among the customers at risk.

    Examples
    --------
    >>> import cxkit as cx
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> cox = cx.cox_model(customers, covariates=["segment", "support_tickets"])
    >>> cox.summary[["label", "hazard_ratio"]].round(2).values.tolist()
    [['segment: Enterprise vs Consumer', 0.42], ['segment: SMB vs Consumer', 0.72], ['support_tickets', 1.24]]
    """
    design = _cox_design(
        df,
        formula,
        covariates,
        duration=duration,
        event=event,
        entry=entry,
        reference=reference,
        ties=ties,
        lump=bool(lump),
    )
    result, caught, suspicious = _fit_cox_checked(design.model)
    monotone = _cox_monotone(design.model) if suspicious else np.zeros(len(design.names), dtype=bool)
    params, se = standard_errors(result.params, result.bse, monotone, design.model.hessian)
    summary = effects_table(
        design.names,
        params,
        se,
        flagged=monotone,
        references=design.references,
        effect="hazard_ratio",
        note="not estimable: monotone likelihood",
        alpha=alpha,
        padjust=padjust,
    )
    ph = proportional_hazards_test(result, transform=transform)
    # a term without a finite estimate has no slope over time either, and taints the global test
    flagged = [name for name, m in zip(design.names, monotone) if m]
    ph.loc[ph["term"].isin(flagged) | ((ph["term"] == "GLOBAL") & bool(monotone.any())), ["rho", "chi2", "p"]] = np.nan
    found = _cox_checks(
        design,
        df,
        monotone,
        caught,
        ph,
        fitted=bool(np.all(np.isfinite(result.params))),
        duration=duration,
        revenue=revenue,
        alpha=alpha,
    )
    return CoxModel(
        formula=design.formula,
        summary=summary,
        ph_test=ph,
        result=result,
        n=len(design.data),
        events=int(design.y.sum()),
        dropped=design.dropped,
        alpha=alpha,
        warnings=emit(found),
        ties=design.model.ties,
        notes=design.notes,
        lumped=design.lumped,
    )


def _cox_design(
    df: pd.DataFrame,
    formula: str | None,
    covariates: str | Iterable[str] | None,
    *,
    duration: str,
    event: str,
    entry: str | None,
    reference: dict | None,
    ties: str,
    lump: bool = True,
) -> Design:
    """Prepare the design: the formula (from the covariates unless given), the categorical
    covariates lumped (``lump``), the model data of the customers with every column, patsy's
    design matrix (through ``PHReg.from_formula``), and the columns aliased among the customers
    at risk left out."""
    PHReg = _ph_model_class()

    require(df, [duration], argument="duration")
    require(df, [event], argument="event")
    if formula is not None and covariates is not None:
        raise ValueError("pass either formula or covariates, not both.")
    if formula is None:
        rhs, refs, _ = covariate_formula(
            df,
            covariates,
            reference,
            choose=lambda: default_covariates(
                df.drop(columns=[c for c in (duration, entry) if c]),
                event,
                max_levels=50,
                max_missing=0.2,
                survival=True,
            ),
        )
    else:
        refs = {}
        lhs, _, rhs = formula.rpartition("~")
        if lhs.strip() and lhs.strip() != duration:
            raise ValueError(
                f"the formula's left-hand side {lhs.strip()!r} must be the duration ({duration!r}) "
                "or empty: write '~ x + y'."
            )
    full = f"{quote_name(duration)} ~ {rhs.strip()}"
    _, used = formula_columns(full, df.columns)
    columns = [duration, event] + used + ([entry] if entry else [])
    for col, role in ((duration, "duration"), (entry, "entry")):
        if col:
            _months(df[col], col, role)  # numbers, finite
    lumped: dict[str, list] = {}
    notes: list[str] = []
    if lump:  # the reference was chosen among every level: it stays, as do levels the formula names
        named = formula_levels(rhs)
        lumpable = [c for c in used if c not in (duration, event, entry)]
        fixed = {c: named | ({refs[c]} if c in refs else set()) for c in lumpable}
        df, lumped, notes = lump_covariates(df, lumpable, keep=fixed, stacklevel=4)
    data = model_data(df, columns, event=event, categorical=refs)
    references = reference_levels(data)
    complete = complete_rows(data, len(df))
    data = data[complete]
    if (data[duration] < 0).any():
        raise ValueError(f"column {duration!r} has negative durations; durations are months since the start.")
    if not data[event].any():
        raise _no_events_error(event, len(data), "a Cox model")
    if entry:
        no_time = (data[entry].astype(float) >= data[duration].astype(float)).to_numpy()
        if no_time.any():
            raise ValueError(
                f"{int(no_time.sum()):,} row(s) have {entry!r} >= {duration!r}: they enter observation when it "
                f"ends, with no time at risk (R's coxph refuses them too). Leave those rows out, e.g. "
                f"df[df[{entry!r}] < df[{duration!r}]]."
            )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PHReg's formula-intercept SpecificationWarning is handled by patsy
        model = PHReg.from_formula(
            full,
            data,
            status=data[event].to_numpy(),
            entry=data[entry].to_numpy() if entry else None,
            ties=ties,
            eval_env=dict(FORMULA_NAMESPACE),
        )
    # the baseline hazard absorbs a constant, so a set of columns summing to one is aliased too;
    # only the customers in some risk set count (statsmodels leaves out those who leave
    # before the first churn): a covariate that varies only among the others has no information
    names = list(model.exog_names)
    at_risk = np.concatenate(model.surv.stratum_rows) if model.surv.nstrat else np.arange(0)
    X = np.asarray(model.exog, dtype=float)[at_risk]
    kept, aliased = aliased_design(
        np.hstack([np.ones((len(X), 1)), X]), ["Intercept"] + names, references, effect="hazard ratio"
    )
    kept = [name for name in kept if name != "Intercept"]
    if not kept:
        raise ValueError(
            f"no covariate varies among the {len(at_risk):,} customers at risk when someone churns "
            f"({', '.join(used) or 'none'}: each is constant there, or has a single level): there is no hazard ratio "
            "to estimate. Check the filter, or choose covariates that differ between customers."
        )
    design_info = model.data.model_spec  # patsy's DesignInfo
    if aliased:
        keep = [names.index(name) for name in kept]
        X = X[:, keep]
        model = PHReg(
            np.asarray(model.endog),
            pd.DataFrame(model.exog, columns=names)[kept],
            status=model.status,
            entry=data[entry].to_numpy() if entry else None,
            ties=ties,
        )
    return Design(
        formula=full,
        model=model,
        data=data,
        event=event,
        covariates=[c for c in used if c != event],
        references=references,
        names=kept,
        X=X,
        y=np.asarray(data[event], dtype=float),
        gram=X.T @ X,
        design_info=design_info,
        dropped=int((~complete).sum()),
        notes=notes,
        found=[(CollinearityWarning, aliased)] if aliased else [],
        lumped=lumped,
    )


def _fit_cox_checked(model):
    """Fit (:func:`_fit_cox`), with the warnings the fit raised and whether it shows the signs
    of a monotone likelihood (then the exact check runs): a warning, a non-finite estimate or
    standard error, or a coefficient that moves the log hazard by more than
    :data:`SEPARATION_LOG_HAZARD` across its covariate's range. A monotone likelihood (a
    covariate pattern whose customers never churn, or always churn first) has no finite maximum:
    the fit stops at an arbitrary hazard ratio such as 1e-9 with CI 0 to inf, or at NaN."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _fit_cox(model)
    params, se = np.asarray(result.params, dtype=float), np.asarray(result.bse, dtype=float)
    spread = np.ptp(np.asarray(model.exog, dtype=float), axis=0)
    with np.errstate(invalid="ignore"):
        suspicious = bool(caught) or not (
            np.all(np.isfinite(params))
            and np.all(np.isfinite(se))
            and np.all(np.abs(params) * spread <= SEPARATION_LOG_HAZARD)
        )
    return result, list(caught), suspicious


def _cox_checks(
    design: Design,
    df: pd.DataFrame,
    monotone: np.ndarray,
    caught: list,
    ph: pd.DataFrame,
    *,
    fitted: bool,
    duration: str,
    revenue: str,
    alpha: float,
) -> list[tuple[type, str]]:
    """Checks: monotone likelihood (separation), too few churners per parameter, leakage,
    collinearity and non-proportional hazards; the (warning class, message) found, in order."""
    found = list(design.found)
    label = lambda term: term_label(term, design.references)  # noqa: E731
    if monotone.any():
        terms = [label(n) for n, m in zip(design.names, monotone) if m]
        found.append(
            (
                SeparationWarning,
                (
                    f"monotone likelihood: {', '.join(terms)} {'has' if len(terms) == 1 else 'have'} no finite hazard ratio (a "
                    "covariate pattern whose customers never churn, or always churn before the others, so the estimate runs "
                    "off to 0 or infinity and its interval and p-value mean nothing); shown as not estimable. Merge rare "
                    "levels, drop the covariate, or use penalized (Firth) Cox regression."
                ),
            )
        )
    else:
        if not fitted:
            found.append(
                (
                    ChurnWarning,
                    "the fit failed (statsmodels returned no estimates): check for covariates "
                    "with extreme values and rescale them.",
                )
            )
        found += [(ChurnWarning, f"statsmodels: {w.message}") for w in caught]
    found += [
        (EventsPerParameterWarning, msg)
        for msg in events_per_parameter(int(design.y.sum()), len(design.names), which="churners", effect="hazard ratio")
    ]
    if revenue in df.columns:
        found += [
            (
                LeakageWarning,
                msg + " In a model of time to churn this is leakage: the column grows with the duration itself.",
            )
            for msg in tenure_price_leaks(
                df.loc[design.data.index],
                [c for c in design.covariates if c not in (duration, revenue)],
                tenure=duration,
                revenue=revenue,
            )
        ]
    found += [(LeakageWarning, msg) for msg in outcome_leaks(design.data, design.y, design.covariates)]
    found += [(CollinearityWarning, msg) for msg in collinearity(design, effect="hazard ratio")[1]]
    found += [
        (
            ChurnWarning,
            f"the hazard ratio of {label(row.term)} changes with tenure (proportional-hazards test "
            f"p = {row.p:.2g}); read it as an average over tenure.",
        )
        for row in ph.itertuples()
        if row.term != "GLOBAL" and cast(float, row.p) < alpha
    ]
    return found


# --------------------------------------------------------------------------- RMST


def restricted_mean_survival(
    df: pd.DataFrame,
    *,
    horizon: float,
    by: str | None = None,
    duration: str = "tenure_months",
    event: str = "churned",
    entry: str | None = None,
    annual_discount: float = 0.0,
    alpha: float = 0.05,
    lump: bool | None = True,
) -> pd.DataFrame:
    """Expected months as a customer within ``horizon`` months: the area under the survival curve.

    With ``annual_discount`` r, month u counts (1 + r)^(-u / 12), so the result is the
    discounted number of paying months (multiply by monthly revenue for a lifetime value).
    The standard error is the Kaplan–Meier (Greenwood-type) variance of the area,
    sum over churn times t_j <= horizon of A_j^2 d_j / (n_j (n_j - d_j)), with A_j the
    (discounted) area under the curve from t_j to the horizon (Klein & Moeschberger 2003, 4.5).

    Parameters
    ----------
    df : DataFrame
        Customers, one row each; rows with a missing duration, event (or group) are left out.
    horizon : float, keyword-only
        The horizon in months (required, > 0).
    by : str, optional, keyword-only
        Grouping column: one row per group, sorted. None (default): one row for everyone.
    duration : str, default "tenure_months", keyword-only
        Months of follow-up.
    event : str, default "churned", keyword-only
        The churn column, boolean or 0/1.
    entry : str, optional, keyword-only
        Months at which a customer entered observation (delayed entry), as in
        :func:`kaplan_meier`.
    annual_discount : float, default 0.0, keyword-only
        Annual discount rate r (0: no discounting).
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the intervals.
    lump : bool, default True, keyword-only
        A ``by`` column with more than :data:`LUMP_MAX_LEVELS` levels gets a row for each of
        its most common levels (at most 11, each with at least :data:`LUMP_MIN_COUNT`
        customers) and one for ``"other"``, the rest combined (a DataWarning and
        ``attrs["notes"]`` say so). False (or None): a row for every level.

    Returns
    -------
    DataFrame
        One row per group (one row without ``by``; a lumped ``"other"`` last;
        ``attrs["notes"]``: the levels combined into it):

        - the ``by`` column (when given): the group
        - ``customers``: customers in the group
        - ``churned``: churners among them
        - ``horizon``: the horizon in months, on every row
        - ``rmst``: the restricted mean survival time, expected (discounted) months as a
          customer within the horizon
        - ``se``: its standard error (months)
        - ``ci_low``, ``ci_high``: the ``1 - alpha`` normal interval, cut to the possible
          range (0 to the whole, discounted, horizon)
        - ``followed_to_horizon``: False when the group's longest follow-up ends before the
          horizon: the curve is then carried flat, an extrapolation

    Raises
    ------
    ValueError
        ``horizon`` is not positive, a column is missing, no customer has every column, a
        duration is negative or not a number, an entry lies after the duration, or the event
        is not boolean or 0/1.

    Examples
    --------
    >>> import cxkit as cx
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> rm = cx.restricted_mean_survival(customers, horizon=24)
    >>> round(float(rm["rmst"].iloc[0]), 1)
    21.8
    """
    if horizon is None or not horizon > 0:
        raise ValueError("horizon must be a positive number of months, e.g. horizon=60.")
    time, status, start, groups, ok, notes = _survival_frame(df, duration, event, entry, by, lump=bool(lump))
    labels = [None] if by is None else _group_labels(groups, ok, notes)
    rate = math.log1p(annual_discount) / 12.0

    def area(a, b):  # integral of the discount weight from a to b
        if rate == 0:
            return b - a
        return (np.exp(-rate * a) - np.exp(-rate * b)) / rate

    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for label in labels:
        mask = ok if label is None else ok & (groups == label)
        t, n, d, s, _ = _km_curve(time[mask], status[mask], start[mask] if entry is not None else None)
        within = t <= horizon
        t, n, d, s = t[within], n[within], d[within], s[within]
        knots = np.r_[0.0, t, horizon]
        levels = np.r_[1.0, s]
        pieces = levels * area(knots[:-1], knots[1:])
        total = float(pieces.sum())
        tail = np.cumsum(pieces[::-1])[::-1][1:]  # A_j: area from t_j to the horizon
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(n > d, tail**2 * d / (n * (n - d)), 0.0)
        se = float(np.sqrt(terms.sum()))
        row = {
            "customers": int(mask.sum()),
            "churned": int(status[mask].sum()),
            "horizon": float(horizon),
            # the normal interval, kept within what is possible: 0 to the whole (discounted) horizon
            "rmst": total,
            "se": se,
            "ci_low": max(total - z * se, 0.0),
            "ci_high": min(total + z * se, float(area(0.0, horizon))),
            "followed_to_horizon": bool(time[mask].max() >= horizon),
        }
        if by is not None:
            row = {by: label, **row}
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs["notes"] = notes
    return out


# --------------------------------------------------------------------------- figures
