"""NPS, CSAT and CES with confidence intervals, and honest tests of their differences.

**NPS** (Net Promoter Score, -100 to 100): scores 9-10 are promoters, 7-8 passives, 0-6
detractors; NPS = 100 x (promoter share - detractor share). Its plain (Wald) standard error is
``100 * sqrt((p + d - (p - d)^2) / n)``; the interval is the **adjusted Wald** interval (add 3 to
n and 3/4 to the promoter and detractor counts, then use the Wald formula; Rocks 2016, Sauro &
Lewis 2016), which keeps close to 95% coverage in small samples and never collapses to zero
width. Reference: n = 500, 40% promoters, 30% detractors gives NPS 10, Wald SE 3.72 and a 95%
Wald interval of 2.7 to 17.3.

**CSAT** (1-5) is reported as its mean (t interval) and top-2-box share (scores 4-5,
Agresti-Coull interval); **CES** (1-7, low = easy) as its mean and low-effort share (scores 1-3).

**Differences** (:func:`compare_nps`, :func:`compare_csat`, :func:`compare_ces`,
:func:`kpi_trend`): month over month, each segment against the rest, or any two groups. NPS
differences are z tests on the adjusted-Wald estimates, z = diff / sqrt(SE1^2 + SE2^2); shares
use the Agresti-Caffo adjustment (one success and one failure added per group); means use
Welch's t test. p-values are adjusted for multiple testing (Holm by default, or Benjamini-Hochberg
``padjust="bh"``); :func:`adjust_flags` adjusts across *every* flag a report shows, so a
reviewer can trust each "significant".

Weights (``weights="w"``) give weighted shares and means; intervals then use Kish's effective
sample size (sum w)^2 / sum w^2.

Examples
--------
>>> import cxkit as cx
>>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
>>> t = cx.nps(fb, by="segment")
>>> t.columns.tolist()
['segment', 'n', 'promoters', 'passives', 'detractors', 'nps', 'se', 'ci_low', 'ci_high']
>>> bool((t["ci_low"] < t["nps"]).all() and (t["nps"] < t["ci_high"]).all())
True
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .nps_plots import plot_nps_by_segment, plot_nps_trend
from .display import SafeDisplay
from .periods import resolve_month

__all__ = [
    "nps", "csat", "ces", "compare_nps", "compare_csat", "compare_ces", "kpi_trend", "kpi_headline",
    "adjust_p", "adjust_flags", "nps_report", "NpsReport", "plot_nps_trend", "plot_nps_by_segment",
]

#: Score bands of the NPS question (0-10).
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


# --------------------------------------------------------------------------- multiple testing

from ._stats import adjust_p  # noqa: E402  (one implementation, shared with the journey analyses)


def adjust_flags(*tables: pd.DataFrame | None, padjust: str = "holm", alpha: float = 0.05) -> list:
    """Adjust the ``p`` column of several result tables *together*, as one family of tests.

    Every table with a ``p`` column gets new ``p_adj`` and ``significant`` columns computed across
    all the tables' p-values (rows without a p-value are not tests). Use it on every table whose
    flags one report shows. Returns new tables in the same order (``None`` stays ``None``).

    >>> import pandas as pd
    >>> a, b = pd.DataFrame({"p": [0.01, None]}), pd.DataFrame({"p": [0.02]})
    >>> a2, b2 = adjust_flags(a, b)
    >>> a2["p_adj"].round(2).tolist(), b2["significant"].tolist()
    ([0.02, nan], [True])
    """
    present = [t for t in tables if t is not None]
    sizes = [len(t) for t in present]
    for t in present:
        if "p" not in t.columns:
            raise ValueError(f"adjust_flags needs tables with a 'p' column; got columns {list(t.columns)}.")
    pooled = np.concatenate([t["p"].to_numpy(dtype=float, na_value=np.nan) for t in present]) if present else np.array([])
    adjusted = adjust_p(pooled, method=padjust)
    out = []
    pieces = iter(np.split(adjusted, np.cumsum(sizes)[:-1]) if present else [])
    for t in tables:
        if t is None:
            out.append(None)
            continue
        part = next(pieces)
        t = t.copy()
        t["p_adj"] = part
        t["significant"] = part < alpha
        t.attrs = {**t.attrs, "padjust": padjust, "family_size": int((~np.isnan(adjusted)).sum())}
        out.append(t)
    return out


# --------------------------------------------------------------------------- sufficient statistics

def _scores(df: pd.DataFrame, score: str, *, kind: str | None = None) -> np.ndarray:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a DataFrame, not {type(df).__name__}.")
    if score not in df.columns:
        raise ValueError(f"score column {score!r} not found (columns: {list(df.columns)}); pass score= with the "
                         "column that holds the ratings.")
    col = df[score]
    if not pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
        raise ValueError(f"score column {score!r} is not numeric (dtype {col.dtype}); recode it in the reader "
                         "(values=) so that it holds numbers.")
    x = col.to_numpy(dtype=float, na_value=np.nan)
    if kind in _RANGES:
        low, high = _RANGES[kind]
        bad = ~np.isnan(x) & ((x < low) | (x > high))
        if bad.any():
            raise ValueError(f"{score!r} has {int(bad.sum())} value(s) outside {low}-{high} (e.g. {x[bad][0]:g}) for "
                             f"{kind.upper()}; the readers reject such rows, so load the data with cx.load_feedback, "
                             "or pass the right score= column.")
    return x


def _weights(df: pd.DataFrame, weights: str | None) -> np.ndarray:
    if weights is None:
        return np.ones(len(df))
    if weights not in df.columns:
        raise ValueError(f"weights column {weights!r} not found; pass weights= with a column of survey weights.")
    w = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if np.any(w[~np.isnan(w)] < 0):
        raise ValueError(f"weights column {weights!r} has negative weights; weights must be >= 0.")
    return w


def _group_codes(df: pd.DataFrame, by) -> tuple[np.ndarray, pd.DataFrame, list[str]]:
    if by is None:
        return np.zeros(len(df), dtype=np.intp), pd.DataFrame(index=[0]), []
    cols = [by] if isinstance(by, str) else list(by)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"by column(s) {missing} not found (columns: {list(df.columns)}).")
    grouped = df.groupby(cols, sort=True, dropna=False, observed=True)
    codes = grouped.ngroup().to_numpy()
    keys = grouped.size().reset_index()[cols]
    return codes, keys, cols


def _sums(x: np.ndarray, w: np.ndarray, codes: np.ndarray, size: int, flags: dict[str, np.ndarray]) -> dict:
    ok = ~np.isnan(x) & ~np.isnan(w)
    x, w, codes = x[ok], w[ok], codes[ok]
    out = {
        "count": np.bincount(codes, minlength=size).astype(float),
        "w": np.bincount(codes, weights=w, minlength=size),
        "w2": np.bincount(codes, weights=w * w, minlength=size),
        "wx": np.bincount(codes, weights=w * x, minlength=size),
        "wx2": np.bincount(codes, weights=w * x * x, minlength=size),
    }
    for name, flag in flags.items():
        out[name] = np.bincount(codes, weights=w * flag[ok], minlength=size)
    return out


def _complement(sums: dict) -> dict:
    return {k: v.sum() - v for k, v in sums.items()}


def _take(sums: dict, idx) -> dict:
    return {k: v[idx] for k, v in sums.items()}


def _n_eff(s: dict) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s["w2"] > 0, s["w"] ** 2 / s["w2"], 0.0)


def _estimate(metric: str, s: dict, *, alpha: float, ci: str = "adjusted-wald") -> dict:
    """Estimate, SE, interval and the adjusted quantities used by the tests, per group."""
    z = stats.norm.ppf(1 - alpha / 2)
    n = _n_eff(s)
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "nps":
            p, d = s["pos"] / s["w"], s["neg"] / s["w"]
            value = 100 * (p - d)
            se = 100 * np.sqrt((p + d - (p - d) ** 2) / n)
            pa, da = (p * n + 0.75) / (n + 3), (d * n + 0.75) / (n + 3)
            adj = 100 * (pa - da)
            adj_se = 100 * np.sqrt((pa + da - (pa - da) ** 2) / (n + 3))
            if ci == "wald":
                lo, hi = value - z * se, value + z * se
            elif ci == "adjusted-wald":
                lo, hi = adj - z * adj_se, adj + z * adj_se
            else:
                raise ValueError(f"ci must be 'adjusted-wald' or 'wald', not {ci!r}.")
            lo, hi = np.clip(lo, -100, 100), np.clip(hi, -100, 100)
            extra = {"promoters": p, "passives": 1 - p - d, "detractors": d}
        elif metric == "mean":
            value = s["wx"] / s["w"]
            var = np.clip(s["wx2"] / s["w"] - value ** 2, 0, None) * n / (n - 1)
            se = np.sqrt(var / n)
            t = stats.t.ppf(1 - alpha / 2, np.maximum(n - 1, 1))
            lo, hi = value - t * se, value + t * se
            adj, adj_se = value, se
            extra = {"sd": np.sqrt(var)}
        else:  # a share of the responses (top-2 box, low effort)
            value = s["pos"] / s["w"]
            se = np.sqrt(value * (1 - value) / n)
            n_ac = n + z ** 2
            centre = (value * n + z ** 2 / 2) / n_ac
            half = z * np.sqrt(centre * (1 - centre) / n_ac)
            lo, hi = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
            adj = (value * n + 1) / (n + 2)  # Agresti-Caffo, used in comparisons
            adj_se = np.sqrt(adj * (1 - adj) / (n + 2))
            extra = {}
    return {"value": value, "se": se, "ci_low": lo, "ci_high": hi, "adj": adj, "adj_se": adj_se,
            "n": s["count"], "n_eff": n, **extra}


# KPI -> [(metric name, estimator kind, flag column meaning)]
def _metrics(kpi: str, *, top_box=(4, 5), low_effort=(1, 2, 3)) -> list[tuple[str, str, object]]:
    if kpi == "nps":
        return [("nps", "nps", None)]
    if kpi == "csat":
        return [("mean", "mean", None), ("top2_box", "share", tuple(top_box))]
    if kpi == "ces":
        return [("mean", "mean", None), ("low_effort", "share", tuple(low_effort))]
    raise ValueError(f"kpi must be 'nps', 'csat' or 'ces', not {kpi!r}.")


def _flags(kind: str, values, x: np.ndarray) -> dict:
    with np.errstate(invalid="ignore"):
        if kind == "nps":
            return {"pos": (x >= PROMOTER_MIN).astype(float), "neg": (x <= DETRACTOR_MAX).astype(float)}
        if kind == "share":
            return {"pos": np.isin(x, np.asarray(values, dtype=float)).astype(float)}
    return {}


# --------------------------------------------------------------------------- summaries

def nps(
    df: pd.DataFrame,
    score: str = "nps",
    *,
    by: str | list[str] | None = None,
    weights: str | None = None,
    alpha: float = 0.05,
    ci: str = "adjusted-wald",
) -> pd.DataFrame:
    """Net Promoter Score with its confidence interval, overall or per group.

    Parameters
    ----------
    df : DataFrame
        One row per response.
    score : str
        The 0-10 recommendation column. Missing scores are left out.
    by : str or list of str, optional
        Group columns (one row per group, sorted; a missing group value is its own group).
    weights : str, optional
        Column of survey weights (see module notes).
    alpha : float
        1 - confidence level.
    ci : {"adjusted-wald", "wald"}
        Interval method; the adjusted Wald interval is the default.

    Returns
    -------
    DataFrame
        The ``by`` columns, then ``n`` (responses), ``promoters``, ``passives``, ``detractors``
        (shares 0-1), ``nps`` (-100 to 100), ``se`` (plain Wald standard error, points),
        ``ci_low``, ``ci_high``; with ``weights`` also ``n_eff``.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"nps": [10] * 200 + [7] * 150 + [3] * 150})   # 40% / 30% / 30%
    >>> nps(scores, ci="wald").round(1)[["n", "nps", "se", "ci_low", "ci_high"]].values.tolist()
    [[500.0, 10.0, 3.7, 2.7, 17.3]]
    """
    x = _scores(df, score, kind="nps")
    w = _weights(df, weights)
    codes, keys, _ = _group_codes(df, by)
    est = _estimate("nps", _sums(x, w, codes, len(keys), _flags("nps", None, x)), alpha=alpha, ci=ci)
    out = keys.copy()
    out["n"] = est["n"].astype(int)
    for col in ("promoters", "passives", "detractors"):
        out[col] = est[col]
    out["nps"], out["se"], out["ci_low"], out["ci_high"] = est["value"], est["se"], est["ci_low"], est["ci_high"]
    if weights is not None:
        out["n_eff"] = est["n_eff"]
    return out.reset_index(drop=True)


def _kpi_table(df, kpi, score, *, by, weights, alpha, options) -> pd.DataFrame:
    x = _scores(df, score, kind=kpi)
    w = _weights(df, weights)
    codes, keys, _ = _group_codes(df, by)
    frames = []
    for name, kind, values in _metrics(kpi, **options):
        est = _estimate(kind, _sums(x, w, codes, len(keys), _flags(kind, values, x)), alpha=alpha)
        part = keys.copy()
        part["metric"] = name
        part["n"] = est["n"].astype(int)
        part["value"], part["se"], part["ci_low"], part["ci_high"] = est["value"], est["se"], est["ci_low"], est["ci_high"]
        if weights is not None:
            part["n_eff"] = est["n_eff"]
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def csat(df: pd.DataFrame, score: str = "csat", *, by=None, weights: str | None = None,
         top_box: tuple = (4, 5), alpha: float = 0.05) -> pd.DataFrame:
    """CSAT (1-5): mean and top-2-box share, each with its confidence interval.

    Returns one row per group and ``metric`` (``mean``, then ``top2_box``): the ``by`` columns,
    ``metric``, ``n``, ``value`` (mean, or share 0-1), ``se``, ``ci_low``, ``ci_high``. The
    mean has a t interval, the share an Agresti-Coull interval. ``top_box`` lists the scores
    counted as satisfied.

    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> cx.csat(fb)[["metric", "value"]].round(2).values.tolist()
    [['mean', 3.51], ['top2_box', 0.52]]
    """
    return _kpi_table(df, "csat", score, by=by, weights=weights, alpha=alpha, options={"top_box": top_box})


def ces(df: pd.DataFrame, score: str = "ces", *, by=None, weights: str | None = None,
        low_effort: tuple = (1, 2, 3), alpha: float = 0.05) -> pd.DataFrame:
    """CES (1-7, low = easy): mean and low-effort share (scores in ``low_effort``), with intervals.

    Same columns as :func:`csat`, with ``metric`` ``mean`` and ``low_effort``.

    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> cx.ces(fb)["metric"].tolist()
    ['mean', 'low_effort']
    """
    return _kpi_table(df, "ces", score, by=by, weights=weights, alpha=alpha, options={"low_effort": low_effort})


# --------------------------------------------------------------------------- comparisons

def _test(kind: str, a: dict, b: dict, *, alpha: float) -> dict:
    """Difference a - b: raw difference, test statistic, p-value and interval."""
    diff = a["value"] - b["value"]
    with np.errstate(divide="ignore", invalid="ignore"):
        est = a["adj"] - b["adj"]
        se = np.sqrt(a["adj_se"] ** 2 + b["adj_se"] ** 2)
        statistic = est / se
        if kind == "mean":
            dof = se ** 4 / (a["adj_se"] ** 4 / (a["n_eff"] - 1) + b["adj_se"] ** 4 / (b["n_eff"] - 1))
            p = 2 * stats.t.sf(np.abs(statistic), dof)
            crit = stats.t.ppf(1 - alpha / 2, dof)
            test = "Welch t"
        else:
            p = 2 * stats.norm.sf(np.abs(statistic))
            crit = stats.norm.ppf(1 - alpha / 2)
            test = "z, adjusted Wald" if kind == "nps" else "z, Agresti-Caffo"
    return {"diff": diff, "se": se, "statistic": statistic, "p": p,
            "diff_ci_low": est - crit * se, "diff_ci_high": est + crit * se, "test": test}


def _compare(df, kpi, score, *, by, against, pairs, weights, padjust, alpha, options) -> pd.DataFrame:
    if by is None or not isinstance(by, str):
        raise ValueError("by= must name one group column to compare (e.g. by='segment').")
    x = _scores(df, score, kind=kpi)
    w = _weights(df, weights)
    codes, keys, _ = _group_codes(df, by)
    labels = keys[by].tolist()
    size = len(labels)
    if against == "rest":
        plan = [(i, None) for i in range(size)]
    elif against == "previous":
        plan = [(i, i - 1) for i in range(1, size)]
    elif against == "pairs":
        if pairs is None:
            plan = [(i, j) for i in range(size) for j in range(i + 1, size)]
        else:
            index = {v: i for i, v in enumerate(labels)}
            unknown = [v for pair in pairs for v in pair if v not in index]
            if unknown:
                raise ValueError(f"pairs name group(s) {unknown} not found in {by!r} (groups: {labels}).")
            plan = [(index[a], index[b]) for a, b in pairs]
    elif against in labels:
        ref = labels.index(against)
        plan = [(i, ref) for i in range(size) if i != ref]
    else:
        raise ValueError(f"against must be 'rest', 'previous', 'pairs' or a group of {by!r} ({labels}), not {against!r}.")
    rows = []
    for name, kind, values in _metrics(kpi, **options):
        sums = _sums(x, w, codes, size, _flags(kind, values, x))
        est = _estimate(kind, sums, alpha=alpha)
        rest = _estimate(kind, _complement(sums), alpha=alpha)
        for i, j in plan:
            a = _take(est, i)
            b = _take(rest, i) if j is None else _take(est, j)
            test = _test(kind, a, b, alpha=alpha)
            rows.append({
                "by": by, "group": labels[i], "reference": "rest" if j is None else labels[j], "metric": name,
                "n": int(a["n"]), "value": a["value"], "ci_low": a["ci_low"], "ci_high": a["ci_high"],
                "n_reference": int(b["n"]), "value_reference": b["value"], **test,
            })
    out = pd.DataFrame(rows)
    if out.empty:
        raise ValueError(f"nothing to compare: {by!r} has {size} group(s).")
    out["p_adj"] = adjust_p(out["p"], method=padjust)
    out["significant"] = out["p_adj"] < alpha
    cols = ["by", "group", "reference", "metric", "n", "value", "ci_low", "ci_high", "n_reference",
            "value_reference", "diff", "diff_ci_low", "diff_ci_high", "se", "statistic", "test", "p", "p_adj",
            "significant"]
    return out[cols]


_COMPARE_DOC = """
    Parameters
    ----------
    df : DataFrame
    score : str
        The score column.
    by : str
        The group column (segment, channel, a month column, ...).
    against : str
        ``"rest"``: each group against all other responses (default); ``"previous"``: each
        group against the one before it in sorted order (month over month with a month
        column); ``"pairs"``: every pair of groups, or only ``pairs=[(a, b), ...]``; or a group
        value: every other group against that one.
    weights : str, optional
        Survey-weight column.
    padjust : {"holm", "bh", "bonferroni", "none"}
        Adjustment across the rows of this table; use :func:`adjust_flags` to adjust across
        several tables of one report.
    alpha : float

    Returns
    -------
    DataFrame
        One row per comparison (and metric): ``by``, ``group``, ``reference``, ``metric``, ``n``,
        ``value`` with ``ci_low``/``ci_high`` (the group's own interval), ``n_reference``,
        ``value_reference``, ``diff`` (group - reference, observed), ``diff_ci_low``,
        ``diff_ci_high``, ``se`` (of the difference), ``statistic``, ``test``, ``p``, ``p_adj``,
        ``significant``.
"""


def compare_nps(df: pd.DataFrame, score: str = "nps", *, by: str, against: str = "rest", pairs=None,
                weights: str | None = None, padjust: str = "holm", alpha: float = 0.05) -> pd.DataFrame:
    """Compare NPS between groups: z = diff / sqrt(SE1^2 + SE2^2) on adjusted-Wald estimates.
    {doc}
    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> cx.compare_nps(fb, by="segment")[["group", "reference"]].values.tolist()
    [['Consumer', 'rest'], ['Enterprise', 'rest'], ['SMB', 'rest']]
    """
    return _compare(df, "nps", score, by=by, against=against, pairs=pairs, weights=weights,
                    padjust=padjust, alpha=alpha, options={})


def compare_csat(df: pd.DataFrame, score: str = "csat", *, by: str, against: str = "rest", pairs=None,
                 weights: str | None = None, top_box: tuple = (4, 5), padjust: str = "holm",
                 alpha: float = 0.05) -> pd.DataFrame:
    """Compare CSAT mean (Welch t) and top-2-box share (Agresti-Caffo z) between groups.
    {doc}
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> cx.compare_csat(fb, by="journey_stage", against="decision")["metric"].value_counts().to_dict()
    {{'mean': 4, 'top2_box': 4}}
    """
    return _compare(df, "csat", score, by=by, against=against, pairs=pairs, weights=weights,
                    padjust=padjust, alpha=alpha, options={"top_box": top_box})


def compare_ces(df: pd.DataFrame, score: str = "ces", *, by: str, against: str = "rest", pairs=None,
                weights: str | None = None, low_effort: tuple = (1, 2, 3), padjust: str = "holm",
                alpha: float = 0.05) -> pd.DataFrame:
    """Compare CES mean (Welch t) and low-effort share (Agresti-Caffo z) between groups.
    {doc}
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> len(cx.compare_ces(fb, by="channel", against="pairs", pairs=[("web", "app")]))
    2
    """
    return _compare(df, "ces", score, by=by, against=against, pairs=pairs, weights=weights,
                    padjust=padjust, alpha=alpha, options={"low_effort": low_effort})


for _f in (compare_nps, compare_csat, compare_ces):
    _f.__doc__ = _f.__doc__.format(doc=_COMPARE_DOC)


# --------------------------------------------------------------------------- trends and headlines

def kpi_trend(
    df: pd.DataFrame,
    kpi: str = "nps",
    *,
    score: str | None = None,
    date: str = "responded_at",
    month: str | None = None,
    periods: int = 12,
    weights: str | None = None,
    padjust: str = "holm",
    alpha: float = 0.05,
    top_box: tuple = (4, 5),
    low_effort: tuple = (1, 2, 3),
) -> pd.DataFrame:
    """A KPI per calendar month with its interval and the test of each month-over-month change.

    Parameters
    ----------
    kpi : {"nps", "csat", "ces"}
    score : str, optional
        The score column (default: the KPI's canonical column).
    date : str
        Response timestamp column.
    month : str, optional
        Last month shown (``YYYY-MM``); default the last complete month in the data.
    periods : int
        Number of months shown, ending with ``month``.

    Returns
    -------
    DataFrame
        One row per month and metric: ``period`` (``YYYY-MM``), ``metric``, ``n``, ``value``,
        ``ci_low``, ``ci_high``, ``previous_period``, ``previous``, ``change``,
        ``change_ci_low``, ``change_ci_high``, ``statistic``, ``p``, ``p_adj``, ``significant``
        (the change against the previous month shown; empty for the first month).

    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> t = cx.kpi_trend(fb, "nps")
    >>> t.loc[t["significant"], "period"].tolist()
    ['2026-08']
    """
    options = {"top_box": top_box, "low_effort": low_effort}
    score = score or kpi
    _metrics(kpi)
    if date not in df.columns:
        raise ValueError(f"date column {date!r} not found; pass date= with the response timestamp column.")
    if not isinstance(periods, (int, np.integer)) or periods < 1:
        raise ValueError(f"periods must be a whole number >= 1, not {periods!r}.")
    dates = pd.to_datetime(df[date])
    end = resolve_month(month, dates)
    months = dates.dt.to_period("M")
    shown = [end - k for k in range(periods - 1, -1, -1)]
    part = df.loc[months.isin(shown).to_numpy()].assign(period=months[months.isin(shown)].astype(str).to_numpy())
    if part.empty:
        raise ValueError(f"no responses between {shown[0]} and {end} in {date!r}.")
    x = _scores(part, score, kind=kpi)
    w = _weights(part, weights)
    codes, keys, _ = _group_codes(part, "period")
    labels = keys["period"].tolist()
    frames = []
    for name, kind, values in _metrics(kpi, **options):
        est = _estimate(kind, _sums(x, w, codes, len(labels), _flags(kind, values, x)), alpha=alpha)
        rows = []
        for i, label in enumerate(labels):
            row = {"period": label, "metric": name, "n": int(est["n"][i]), "value": est["value"][i],
                   "ci_low": est["ci_low"][i], "ci_high": est["ci_high"][i], "previous_period": None,
                   "previous": np.nan, "change": np.nan, "change_ci_low": np.nan, "change_ci_high": np.nan,
                   "statistic": np.nan, "p": np.nan}
            if i > 0:
                test = _test(kind, _take(est, i), _take(est, i - 1), alpha=alpha)
                row.update({"previous_period": labels[i - 1], "previous": est["value"][i - 1], "change": test["diff"],
                            "change_ci_low": test["diff_ci_low"], "change_ci_high": test["diff_ci_high"],
                            "statistic": test["statistic"], "p": test["p"]})
            rows.append(row)
        frames.append(pd.DataFrame(rows))
    out = pd.concat(frames, ignore_index=True)
    out["p_adj"] = adjust_p(out["p"], method=padjust)
    out["significant"] = out["p_adj"] < alpha
    out.attrs = {"kpi": kpi, "score": score, "month": str(end)}
    return out


def kpi_headline(trend: pd.DataFrame, *, month: str | None = None, metric: str | None = None) -> dict:
    """The KPI dict of ``results.json`` for one month of a :func:`kpi_trend` table.

    Returns ``{value, ci_low, ci_high, n, previous, change, change_p, significant, month,
    previous_month, change_p_raw}``: ``change_p`` is the *adjusted* p-value that decides
    ``significant`` (``change_p_raw`` the unadjusted one). Default month: the last in the table;
    default metric: the table's first.

    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> h = cx.kpi_headline(cx.kpi_trend(fb, "nps", month="2026-08"))
    >>> round(h["change"], 1), h["significant"]
    (-13.4, True)
    """
    metric = metric or trend["metric"].iloc[0]
    rows = trend[trend["metric"] == metric]
    if rows.empty:
        raise ValueError(f"metric {metric!r} not in the trend table (metrics: {trend['metric'].unique().tolist()}).")
    month = str(month) if month else rows["period"].iloc[-1]
    row = rows[rows["period"] == month]
    if row.empty:
        raise ValueError(f"month {month} not in the trend table (months: {rows['period'].tolist()}).")
    r = row.iloc[0]
    has_prev = pd.notna(r["p"])
    return {
        "value": float(r["value"]), "ci_low": float(r["ci_low"]), "ci_high": float(r["ci_high"]), "n": int(r["n"]),
        "previous": float(r["previous"]) if has_prev else None, "change": float(r["change"]) if has_prev else None,
        "change_p": float(r["p_adj"]) if has_prev else None, "change_p_raw": float(r["p"]) if has_prev else None,
        "significant": bool(r["significant"]) if has_prev else False, "month": month,
        "previous_month": r["previous_period"] if has_prev else None,
    }


# --------------------------------------------------------------------------- the report

@dataclass
class NpsReport(SafeDisplay):
    """Everything the NPS-and-drivers report shows, with one family of significance flags.

    Attributes: ``month``; ``headline`` (one row per KPI metric for the month); ``trend``
    (NPS per month); ``segments`` (each segment / channel value against the rest, this month);
    ``drivers`` (:func:`cxkit.key_drivers` for the month); ``driver_change``
    (:func:`cxkit.driver_change` against the previous month); ``diagnostics``;
    ``findings`` (plain-language, only significant claims); ``finding`` (one sentence);
    ``alt`` (alt texts stating each figure's finding); ``kpis`` (the results.json KPI dicts).
    """

    month: str
    headline: pd.DataFrame
    trend: pd.DataFrame
    segments: pd.DataFrame
    drivers: pd.DataFrame
    driver_change: pd.DataFrame
    diagnostics: pd.DataFrame
    kpis: dict
    findings: list = field(default_factory=list)
    finding: str = ""
    alt: dict = field(default_factory=dict)
    family_size: int = 0
    padjust: str = "holm"

    def results(self) -> dict:
        """The ``results.json`` part: ``nps``, ``csat``, ``ces`` (KPI dicts) and ``drivers``.

        ``nps`` also has ``finding``; ``csat`` has ``top2_box`` and ``ces`` ``low_effort`` (KPI
        dicts of the shares). ``drivers`` is a list, one dict per driver in rank order:
        ``driver``, ``importance``, ``share``, ``ci_low``, ``ci_high`` (share interval), ``rank``,
        ``p_first``, ``performance``, ``quadrant``, ``vif``, and the model's ``r2``, ``n``,
        ``target``, ``month``.
        """
        main = self.drivers[self.drivers["method"] == self.drivers["method"].iloc[0]]
        cols = ["driver", "importance", "share", "ci_low", "ci_high", "rank", "p_first", "performance", "quadrant",
                "vif", "r2", "n"]
        drivers = [{**{c: r[c] for c in cols}, "target": self.drivers.attrs.get("target"), "month": self.month}
                   for _, r in main[cols].iterrows()]
        return {**{k: v for k, v in self.kpis.items()}, "drivers": drivers}

    def _repr_html_(self) -> str:
        from .display import findings as show

        return show(self.findings, title=f"NPS and key drivers, {self.month}")._repr_html_()


def nps_report(
    df: pd.DataFrame,
    *,
    month: str | None = None,
    drivers: list[str] | None = None,
    target: str = "nps",
    date: str = "responded_at",
    segments: tuple = ("segment", "channel"),
    periods: int = 12,
    method: str = "shapley",
    bootstrap: int = 200,
    seed: int = 0,
    padjust: str = "holm",
    alpha: float = 0.05,
) -> NpsReport:
    """Build the monthly NPS-and-drivers report: every number, flag and finding in one call.

    The flags of the report form one family adjusted with ``padjust``: the month-over-month
    NPS changes of the trend, the segment/channel comparisons against the rest, the changes of
    CSAT and CES (mean and share) and the changes of each driver's share.

    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame
    >>> rep = cx.nps_report(fb, month="2026-08", bootstrap=20)
    >>> rep.kpis["nps"]["significant"], rep.kpis["nps"]["change"] < 0
    (True, True)
    """
    from .drivers import driver_change, driver_diagnostics, driver_findings, key_drivers

    if date not in df.columns:
        raise ValueError(f"date column {date!r} not found; pass date= with the response timestamp column.")
    dates = pd.to_datetime(df[date])
    end = resolve_month(month, dates)
    this_month = df[(dates.dt.to_period("M") == end).to_numpy()]
    if this_month.empty:
        raise ValueError(f"no responses in {end} (data cover {dates.min():%Y-%m} to {dates.max():%Y-%m}).")
    trend = kpi_trend(df, "nps", date=date, month=str(end),
                      periods=periods, padjust=padjust, alpha=alpha)
    others = {k: kpi_trend(df, k, date=date, month=str(end), periods=2, padjust=padjust, alpha=alpha)
              for k in ("csat", "ces") if k in df.columns}
    seg_tables = [compare_nps(this_month, "nps", by=c, against="rest", padjust=padjust, alpha=alpha)
                  for c in segments if c in df.columns and this_month[c].nunique() > 1]
    seg = pd.concat(seg_tables, ignore_index=True) if seg_tables else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the warnings are kept in the diagnostics
        kd = key_drivers(this_month, target, drivers, method=method, bootstrap=bootstrap, seed=seed, alpha=alpha)
        try:
            change = driver_change(df, target, drivers, month=str(end), date=date, method=method.replace("both", "shapley"),
                                   bootstrap=max(bootstrap, 2), seed=seed, padjust=padjust, alpha=alpha)
        except ValueError:
            change = None  # no previous month: nothing to compare
    trend, csat_t, ces_t, seg, change = adjust_flags(trend, others.get("csat"), others.get("ces"), seg, change,
                                                     padjust=padjust, alpha=alpha)
    family = trend.attrs["family_size"]
    kpis = {"nps": kpi_headline(trend, month=str(end))}
    if csat_t is not None:
        kpis["csat"] = {**kpi_headline(csat_t, metric="mean"), "top2_box": kpi_headline(csat_t, metric="top2_box")}
    if ces_t is not None:
        kpis["ces"] = {**kpi_headline(ces_t, metric="mean"), "low_effort": kpi_headline(ces_t, metric="low_effort")}
    headline = _headline_table(kpis)
    findings = _nps_findings(kpis, trend, seg, family=family, padjust=padjust) + driver_findings(kd, change)
    top = kd[kd["method"] == kd["method"].iloc[0]].iloc[0]
    kpis["nps"]["finding"] = _one_sentence(kpis["nps"], top, kd.attrs)
    report = NpsReport(month=str(end), headline=headline, trend=trend, segments=seg if seg is not None else pd.DataFrame(),
                       drivers=kd, driver_change=change if change is not None else pd.DataFrame(),
                       diagnostics=driver_diagnostics(kd), kpis=kpis, findings=findings,
                       finding=kpis["nps"]["finding"], family_size=family, padjust=padjust)
    report.alt = _alt_texts(report)
    return report


_LABELS = {("nps", None): ("NPS", "{:.1f}"), ("csat", None): ("CSAT mean (1-5)", "{:.2f}"),
           ("csat", "top2_box"): ("CSAT top-2-box share", "{:.1%}"), ("ces", None): ("CES mean (1-7, low = easy)", "{:.2f}"),
           ("ces", "low_effort"): ("CES low-effort share", "{:.1%}")}


def _headline_table(kpis: dict) -> pd.DataFrame:
    rows = []
    for (key, sub), (label, _) in _LABELS.items():
        if key not in kpis:
            continue
        k = kpis[key][sub] if sub else kpis[key]
        rows.append({"kpi": label, "month": k["month"], "value": k["value"], "ci_low": k["ci_low"],
                     "ci_high": k["ci_high"], "n": k["n"], "previous": k["previous"], "change": k["change"],
                     "p_adj": k["change_p"], "significant": k["significant"]})
    return pd.DataFrame(rows)


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def _nps_findings(kpis: dict, trend: pd.DataFrame, seg: pd.DataFrame | None, *, family: int, padjust: str) -> list[str]:
    k = kpis["nps"]
    method = {"holm": "Holm", "bh": "Benjamini-Hochberg", "bonferroni": "Bonferroni", "none": "no"}[padjust]
    out = [f"NPS in {k['month']} is {k['value']:.0f} (95% CI {k['ci_low']:.0f} to {k['ci_high']:.0f}, n = {k['n']:,})."]
    if k["change"] is not None:
        if k["significant"]:
            word = "rose" if k["change"] > 0 else "fell"
            out.append(f"NPS {word} {abs(k['change']):.1f} points from {k['previous']:.0f} in {k['previous_month']}; "
                       f"significant after adjusting for the {family} tests in this report ({method}, adjusted {_p(k['change_p'])}).")
        else:
            out.append(f"The change of {k['change']:+.1f} points from {k['previous_month']} is not statistically "
                       f"significant (adjusted {_p(k['change_p'])}).")
    earlier = trend[trend["significant"] & (trend["period"] != k["month"])]
    if len(earlier):
        out.append("Earlier significant month-over-month changes: " + "; ".join(
            f"{r.period}: {r.change:+.1f} points vs {r.previous_period}, adjusted {_p(r.p_adj)}"
            for r in earlier.itertuples()) + ".")
    else:
        out.append(f"No other month-over-month change in the {trend['period'].nunique()} months shown is significant.")
    if seg is not None and len(seg):
        sig = seg[seg["significant"]]
        if len(sig):
            for r in sig.itertuples():
                word = "higher" if r.diff > 0 else "lower"
                out.append(f"{r.by.capitalize()} {r.group}: NPS {r.value:.0f}, {abs(r.diff):.0f} points {word} than the "
                           f"rest ({r.value_reference:.0f}; adjusted {_p(r.p_adj)}).")
        else:
            out.append(f"No {' or '.join(seg['by'].unique())} differs significantly from the rest this month.")
    for key, name in (("csat", "CSAT"), ("ces", "CES")):
        if key not in kpis:
            continue
        share = "top-2-box" if key == "csat" else "low-effort"
        moved = [(label, kk, fmt) for label, kk, fmt in (
            (f"{name} mean", kpis[key], "{:.2f}"),
            (f"{name} {share} share", kpis[key]["top2_box" if key == "csat" else "low_effort"], "{:.1%}"))
            if kk["significant"]]
        if moved:
            out.extend(f"{label} {'rose' if kk['change'] > 0 else 'fell'} from {fmt.format(kk['previous'])} in "
                       f"{kk['previous_month']} to {fmt.format(kk['value'])}"
                       + (f" ({'more' if kk['change'] > 0 else 'less'} effort)" if label == "CES mean" else "")
                       + f", adjusted {_p(kk['change_p'])}." for label, kk, fmt in moved)
        elif kpis[key]["change"] is not None:
            out.append(f"{name} ({kpis[key]['value']:.2f}) did not change significantly from {kpis[key]['previous_month']}.")
    return out


def _one_sentence(k: dict, top, meta: dict) -> str:
    head = f"NPS {k['value']:.0f} in {k['month']}, 95% CI {k['ci_low']:.0f} to {k['ci_high']:.0f}"
    if k["change"] is None:
        change = ""
    elif k["significant"]:
        change = f", {'up' if k['change'] > 0 else 'down'} {abs(k['change']):.1f} points from {k['previous_month']} (significant)"
    else:
        change = f", no significant change from {k['previous_month']}"
    name = _pretty(top["driver"])
    if pd.notna(top["p_first"]) and top["p_first"] >= 0.95:
        driver = f"{name} is the largest driver ({100 * top['share']:.0f}% of explained variance"
        driver += f", 95% CI {100 * top['ci_low']:.0f}–{100 * top['ci_high']:.0f}%)" if pd.notna(top["ci_low"]) else ")"
    else:
        driver = f"{name} leads the drivers ({100 * top['share']:.0f}% of explained variance; order uncertain)"
    return f"{head}{change}; {driver}."


def _pretty(name) -> str:
    return str(name).replace("_", " ")


def _alt_texts(rep: NpsReport) -> dict:
    trend = rep.trend
    sig = trend[trend["significant"]]
    marks = "; ".join(f"significant change in {r.period}: {'up' if r.change > 0 else 'down'} {abs(r.change):.1f} points"
                      for r in sig.itertuples())
    k = rep.kpis["nps"]
    alt = {"trend": f"NPS by month from {trend['period'].iloc[0]} to {trend['period'].iloc[-1]} with 95% confidence "
                    f"band; {marks or 'no significant month-over-month change'}; NPS in {k['month']}: {k['value']:.0f}."}
    if len(rep.segments):
        s = rep.segments[rep.segments["significant"]]
        alt["segments"] = ("NPS by segment and channel with 95% intervals; "
                           + ("; ".join(f"{r.group} differs from the rest ({r.diff:+.0f} points)" for r in s.itertuples())
                              or "no group differs significantly from the rest") + ".")
    main = rep.drivers[rep.drivers["method"] == rep.drivers["method"].iloc[0]]
    top = main.iloc[0]
    alt["importance"] = (f"Share of explained variance per driver with 95% intervals; {_pretty(top['driver'])} is first "
                         f"with {100 * top['share']:.0f}%, {_pretty(main.iloc[-1]['driver'])} last with "
                         f"{100 * main.iloc[-1]['share']:.0f}%.")
    fix = [_pretty(d) for d in main[main["quadrant"] == "fix first"]["driver"]]
    alt["quadrant"] = ("Importance against mean rating per driver, split at the medians; fix first: "
                       + (", ".join(fix) if fix else "none") + ".")
    return alt
