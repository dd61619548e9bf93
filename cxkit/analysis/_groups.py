"""Shared machinery of the group comparisons (stages, touchpoints, funnel): input checks,
group codes, per-group summaries and the tests they share; and the lumping of a category with
many levels (:func:`lump_levels`), which the churn and survival analyses use too.

A private hub: :mod:`cxkit.analysis.stages`, :mod:`cxkit.analysis.touchpoints`,
:mod:`cxkit.analysis.funnel` (and, for lumping, :mod:`cxkit.analysis._models`,
:mod:`cxkit.analysis.churn` and :mod:`cxkit.analysis.survival`) take these from here, never
from each other.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from .._stats import wilson_interval
from ..data.schema import STAGES

#: Metrics where a lower score is the better experience (customer effort).
LOWER_IS_BETTER = {"ces"}

# Lumping. Real exports hold free text used as a category (a "segment" column with 75-100
# distinct values); each level is a model parameter, a curve, a table row or a group in every
# pairwise test, and the cost grows with them (a 100-level segment made one churn model take a
# minute, detractor_effect run out of memory, compare_stages test 4,950 pairs).
#
#: Most levels a category keeps in a model or a grouped table; rarer levels are combined into
#: :data:`OTHER`. Twelve is what a reader can scan in one table or figure (twelve curves, twelve
#: bars), it costs a categorical covariate at most 11 parameters (110 churners at the ten per
#: parameter the models ask for: a table of a few thousand customers), and 66 pairs in a
#: pairwise comparison. A category with at most this many levels is left as it is, however
#: small a level: it was chosen on purpose, and the models' own checks (separation, events per
#: parameter, small groups) speak to its small levels.
LUMP_MAX_LEVELS = 12
#: Fewest rows a level of a category that is lumped needs to keep its own name: the small-sample
#: line used across cxkit (groups of fewer than 30 scores get a warning, a hollow point, no rank).
#: A level below it would be an odds ratio with an interval spanning an order of magnitude, or a
#: curve that drops in steps of 3% or more.
LUMP_MIN_COUNT = 30
#: The level rare levels are combined into (an existing level of that name takes them in).
OTHER = "other"


def score_column(score: str | None, metric: str | None, func: str, default: str = "csat") -> str:
    """The scored column of a comparison: ``score``, or ``metric``, the name ``DESIGN.md``'s
    contract uses for it (``compare_stages(df, metric="csat")``); both mean the same column.

    >>> score_column(None, "ces", "compare_stages"), score_column(None, None, "pain_points")
    ('ces', 'csat')
    """
    if score is not None and metric is not None and score != metric:
        raise ValueError(
            f"{func}: score={score!r} and metric={metric!r} name different columns; "
            f"pass one of them (score is the name cxkit uses, metric its alias)."
        )
    return score if score is not None else metric if metric is not None else default


def check_frame(df: object, func: str) -> None:
    from ..distributed import is_dask_frame

    if not isinstance(df, pd.DataFrame) and not (is_dask_frame(df) and hasattr(df, "columns")):
        raise TypeError(
            f"{func} needs a pandas DataFrame (or a Dask DataFrame) as its first argument, not {type(df).__name__}."
        )


def check_column(df: pd.DataFrame, column: str, role: str, func: str) -> None:
    if column not in df.columns:
        match = difflib.get_close_matches(str(column), [str(c) for c in df.columns], n=1, cutoff=0.6)
        hint = f" Did you mean {match[0]!r}?" if match else ""
        raise ValueError(
            f"{func}: column {column!r} ({role}) is not in the data.{hint} Columns: "
            f"{', '.join(map(str, df.columns[:30]))}. Pass {role}='<column>' to use another one."
        )


def check_alpha(alpha: float) -> None:
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise ValueError(f"alpha must be a number between 0 and 1 (e.g. 0.05), not {alpha!r}.")


def numeric_scores(series: pd.Series, column: str, func: str) -> np.ndarray:
    """A column as float64 with NaN for missing; booleans become 0/1."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if not pd.api.types.is_numeric_dtype(series.dtype):
        converted = pd.to_numeric(series, errors="coerce")
        bad = converted.isna() & series.notna()
        if bad.any():
            example = series[bad].iloc[0]
            raise ValueError(
                f"{func}: column {column!r} holds text such as {str(example)[:40]!r}, not "
                f"scores. Recode it to numbers first (load it with values={{...}})."
            )
        series = converted
    values = pd.Series(series).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    infinite = np.isinf(values)
    if infinite.any():
        raise ValueError(
            f"{func}: column {column!r} holds {int(infinite.sum()):,} infinite value(s); scores must be "
            f"finite numbers. Replace them with a missing value (NaN) or fix them at the source."
        )
    return values


def group_order(series: pd.Series, given: Iterable[Any] | None = None) -> list:
    """The groups of ``series`` in reporting order: journey stages in journey order,
    an ordered categorical in its order, anything else sorted (only groups present).

    >>> group_order(pd.Series(["decision", "awareness", "advocacy"]))
    ['awareness', 'decision', 'advocacy']
    >>> group_order(pd.Series(["web", "app", None]))
    ['app', 'web']
    """
    present = pd.unique(series.dropna())
    if given is not None:
        given = list(given)
        missing = [g for g in given if g not in set(present)]
        if missing:
            raise ValueError(f"stages {missing} are not in the data; present: {sorted(map(str, present))}.")
        return given
    if isinstance(series.dtype, pd.CategoricalDtype):
        seen = set(present)
        return [c for c in series.cat.categories if c in seen]
    if all(isinstance(v, str) and v in STAGES for v in present):
        return [s for s in STAGES if s in set(present)]
    try:
        return sorted(present)
    except TypeError:
        return sorted(present, key=str)


def group_codes(series: pd.Series, order: list) -> np.ndarray:
    """Integer codes of ``series`` in ``order`` (-1 for missing or other values)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        position = {value: i for i, value in enumerate(order)}
        remap = np.array([position.get(c, -1) for c in series.cat.categories] + [-1], dtype=np.int64)
        return remap[series.cat.codes.to_numpy()]  # code -1 (missing) picks the trailing -1
    return pd.Categorical(series.astype(object), categories=order).codes.astype(np.int64)


def reduce_counts(df: pd.DataFrame, columns: list) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The table an analysis works on, and how many rows each of its rows stands for.

    A pandas table is used as it is (``None``: one row each). A Dask DataFrame is reduced on
    the cluster (:func:`cxkit.connect`) to the distinct combinations of ``columns``, missing
    values included, with their counts: integer counts combine exactly, and the analyses
    depend on the rows only through them, so the results are those of the pandas table.
    """
    from ..distributed import compute, is_dask_frame

    if not is_dask_frame(df):
        return df, None
    columns = list(dict.fromkeys(columns))
    (counts,) = compute(df[columns].groupby(columns, dropna=False, observed=True).size())
    counts = counts[counts.to_numpy() > 0]
    return counts.index.to_frame(index=False), counts.to_numpy(dtype=float)


def kept_weights(weights: np.ndarray | None, keep: np.ndarray) -> np.ndarray | None:
    return None if weights is None else weights[keep]


def t_interval(mean: npt.ArrayLike, se: npt.ArrayLike, n: npt.ArrayLike, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided t confidence interval of a mean (``n - 1`` degrees of freedom)."""
    mean, se, n = (np.asarray(x, dtype=float) for x in (mean, se, n))
    with np.errstate(invalid="ignore"):
        q = stats.t.ppf(1 - alpha / 2, np.where(n > 1, n - 1, np.nan))
    return mean - q * se, mean + q * se


def mean_interval(g: Groups, alpha: float, *, binary: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval of each group's mean: Wilson's for a boolean metric (the mean is then
    a proportion, and a t interval can leave [0, 1] or shrink to a point at 0% or 100%), the t
    interval otherwise."""
    if binary:
        return wilson_interval(g.n * g.mean, g.n, alpha)
    return t_interval(g.mean, np.sqrt(g.var / g.n), g.n, alpha)


def is_boolean(series: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(series.dtype)


def welch_t(mean_a, var_a, n_a, mean_b, var_b, n_b):
    """Welch's t, its degrees of freedom and standard error."""
    va, vb = var_a / n_a, var_b / n_b
    se = np.sqrt(va + vb)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (mean_a - mean_b) / se
        df = (va + vb) ** 2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))
    return t, df, se


def omega2_from_f(f, df1, n_total):
    """Omega squared from an F statistic: df1 (F - 1) / (df1 (F - 1) + N).

    For the classic ANOVA this is exactly (SSb - df1 MSw) / (SSt + MSw). Welch's F put in
    the same identity estimates omega squared without assuming equal variances (using Welch's
    small denominator df instead of N, as effectsize::F_to_omega2 does, inflates it when
    groups are large). Negative estimates are kept, not truncated to 0.
    """
    return df1 * (f - 1) / (df1 * (f - 1) + n_total)


def distinct_counts(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and how many rows hold each (``weights`` counts rows)."""
    uniq, inverse = np.unique(values, return_inverse=True)
    return uniq, np.bincount(inverse, weights=weights, minlength=uniq.size)


def order_statistic(uniq: np.ndarray, counts: np.ndarray, rank: float) -> float:
    """The ``rank``-th smallest value (1-based) of a sample given as distinct values and counts."""
    return float(uniq[np.searchsorted(np.cumsum(counts), rank, side="left")])


def counted_median(uniq: np.ndarray, counts: np.ndarray) -> float:
    """The median of a sample given as distinct values and counts (mean of the two middle
    values when the count is even, as numpy and pandas do)."""
    n = int(round(float(counts.sum())))
    if n == 0:
        return np.nan
    if n % 2:
        return order_statistic(uniq, counts, (n + 1) // 2)
    a, b = order_statistic(uniq, counts, n // 2), order_statistic(uniq, counts, n // 2 + 1)
    return float((a + b) / 2)


@dataclass
class Groups:
    """Per-group summaries shared by every test.

    ``values[i]`` (in group ``codes[i]``) stands for ``weights[i]`` rows: 1 for a pandas
    table, the count of a distinct (group, value) cell for a table reduced on a Dask cluster.
    Every statistic depends on the rows only through these counts, so both give the same
    results.
    """

    names: list
    values: np.ndarray
    codes: np.ndarray
    n: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    ss: np.ndarray
    weights: np.ndarray

    @classmethod
    def from_arrays(cls, names, values, codes, weights=None):
        k = len(names)
        w = np.ones(len(values)) if weights is None else np.asarray(weights, dtype=float)
        n = np.bincount(codes, weights=w, minlength=k)
        mean = np.bincount(codes, weights=values * w, minlength=k) / n
        dev = values - mean[codes]
        ss = np.bincount(codes, weights=w * (dev * dev), minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            var = ss / (n - 1)
        return cls(list(names), values, codes, n, mean, var, ss, w)

    def grand_mean(self) -> float:
        return float(np.sum(self.weights * self.values) / self.total)

    def distribution(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Group ``i``'s distinct values and counts."""
        rows = self.codes == i
        return distinct_counts(self.values[rows], self.weights[rows])

    @property
    def k(self) -> int:
        return len(self.names)

    @property
    def total(self) -> float:
        return float(self.n.sum())


def anova(g: Groups) -> dict:
    grand = g.grand_mean()
    ss_between = float(np.sum(g.n * (g.mean - grand) ** 2))
    ss_within = float(g.ss.sum())
    df1, df2 = g.k - 1, g.total - g.k
    with np.errstate(invalid="ignore", divide="ignore"):
        f = (ss_between / df1) / (ss_within / df2)
    p = float(stats.f.sf(f, df1, df2)) if np.isfinite(f) else np.nan
    return {
        "test": "ANOVA",
        "stat": "F",
        "statistic": f,
        "df1": float(df1),
        "df2": float(df2),
        "p": p,
        "effect": "omega2",
        "effect_size": omega2_from_f(f, df1, g.total),
    }


def welch_anova(g: Groups) -> dict:
    """Welch (1951) one-way test; undefined when a group has no variance."""
    k = g.k
    row = {"test": "Welch ANOVA", "stat": "F", "df1": float(k - 1), "effect": "omega2"}
    if np.any(~(g.var > 0)):
        return {**row, "statistic": np.nan, "df2": np.nan, "p": np.nan, "effect_size": np.nan}
    w = g.n / g.var
    total_w = w.sum()
    weighted_mean = np.sum(w * g.mean) / total_w
    a = np.sum(w * (g.mean - weighted_mean) ** 2) / (k - 1)
    tmp = np.sum((1 - w / total_w) ** 2 / (g.n - 1))
    b = 1 + 2 * (k - 2) / (k**2 - 1) * tmp
    f = a / b
    df2 = (k**2 - 1) / (3 * tmp)
    return {
        **row,
        "statistic": float(f),
        "df2": float(df2),
        "p": float(stats.f.sf(f, k - 1, df2)),
        "effect_size": float(omega2_from_f(f, k - 1, g.total)),
    }


# --------------------------------------------------------------------------- lumping


def rare_levels(
    series: pd.Series,
    *,
    max_levels: int = LUMP_MAX_LEVELS,
    min_count: int = LUMP_MIN_COUNT,
    keep: Iterable[Hashable] = (),
    weights: npt.ArrayLike | None = None,
) -> list:
    """The levels :func:`lump_levels` combines into :data:`OTHER`, most common first.

    Nothing when ``series`` has at most ``max_levels`` levels. Otherwise the levels in ``keep``
    stay, then the most common others (ties broken by name, so the result never depends on the
    row order) while they have ``min_count`` rows and room is left, one level being kept for
    :data:`OTHER`; the rest are returned. ``weights`` counts the rows each row stands for (a
    table reduced to counts on a cluster). Missing values are no level.

    >>> s = pd.Series(list("aaaabbbccd") + [None])
    >>> rare_levels(s, max_levels=3, min_count=1), rare_levels(s, max_levels=4, min_count=1)
    (['c', 'd'], [])
    """
    w = np.ones(len(series)) if weights is None else np.asarray(weights, dtype=float)
    counts = pd.Series(w, index=series.index).groupby(series, observed=True, sort=False, dropna=True).sum()
    counts = counts[counts > 0]
    if len(counts) <= max_levels:
        return []
    wanted = {value for value in keep if value in counts.index}
    ranked = sorted(
        (level for level in counts.index if level != OTHER and level not in wanted),
        key=lambda level: (-float(counts[level]), str(level)),
    )
    room = max(max_levels - 1 - len(wanted), 0)
    kept = {level for level in ranked[:room] if counts[level] >= min_count}
    return [level for level in ranked if level not in kept]


def combine_levels(series: pd.Series, levels: Iterable[Hashable]) -> pd.Series:
    """``series`` with ``levels`` renamed :data:`OTHER`; missing values and every other level
    untouched. A Categorical stays one (its order kept, :data:`OTHER` last unless it was a
    category already; no longer ordered), a text column keeps its dtype, anything else becomes
    object.

    >>> combine_levels(pd.Series(["a", "b", None, "c"]), ["b", "c"]).fillna("(missing)").tolist()
    ['a', 'other', '(missing)', 'other']
    """
    levels = list(levels)
    if not levels:
        return series
    rare = series.isin(levels).to_numpy()
    if isinstance(series.dtype, pd.CategoricalDtype):
        gone = set(levels)
        categories = [c for c in series.cat.categories if c not in gone]
        if OTHER not in categories:
            categories.append(OTHER)
        values = series.to_numpy(dtype=object).copy()
        values[rare] = OTHER
        return pd.Series(pd.Categorical(values, categories=categories), index=series.index, name=series.name)
    if pd.api.types.is_string_dtype(series.dtype) and not pd.api.types.is_object_dtype(series.dtype):
        out = series.copy()
        out[rare] = OTHER
        return out
    values = series.to_numpy(dtype=object).copy()  # as they are: None stays None, NaN stays NaN
    values[rare] = OTHER
    return pd.Series(values, index=series.index, name=series.name, dtype=object)


def lump_note(
    name: Hashable,
    counts: Iterable[float],
    *,
    max_levels: int = LUMP_MAX_LEVELS,
    min_count: int = LUMP_MIN_COUNT,
    unit: str = "rows",
) -> str:
    """The sentence a reader gets about a lumped column: which, how many levels, how many rows.

    >>> lump_note("segment", [12, 9, 3], unit="customers")
    "segment: 3 levels with fewer than 30 customers each were combined into 'other' (24 customers)."
    """
    counts = [float(c) for c in counts]
    k, rows = len(counts), int(round(sum(counts)))
    levels = "1 level" if k == 1 else f"{k:,} levels"
    verb = "was" if k == 1 else "were"
    if max(counts, default=0) < min_count:
        each = f"with fewer than {min_count} {unit}" + (" each" if k > 1 else "")
        return f"{name}: {levels} {each} {verb} combined into {OTHER!r} ({rows:,} {unit})."
    return (
        f"{name}: its {levels} outside the {max_levels - 1} most common {verb} combined into {OTHER!r} "
        f"({rows:,} {unit}; at most {int(max(counts)):,} in one level)."
    )


def lump_levels(
    series: pd.Series,
    *,
    max_levels: int = LUMP_MAX_LEVELS,
    min_count: int = LUMP_MIN_COUNT,
    keep: Iterable[Hashable] = (),
    weights: npt.ArrayLike | None = None,
    name: Hashable | None = None,
    unit: str = "rows",
) -> tuple[pd.Series, str | None]:
    """A category with at most ``max_levels`` levels, and a sentence for readers saying what was
    combined (None, and ``series`` itself, when nothing was).

    Rare levels (:func:`rare_levels`) become :data:`OTHER` (:func:`combine_levels`); no row is
    dropped and missing values stay missing. ``name`` (default the series' name) and ``unit``
    (``"customers"``, ``"responses"``) word the note.

    >>> s = pd.Series(["a"] * 40 + ["b"] * 35 + ["c"] * 5 + ["d"] * 2, name="region")
    >>> lumped, note = lump_levels(s, max_levels=3, unit="customers")
    >>> lumped.value_counts().to_dict(), note
    ({'a': 40, 'b': 35, 'other': 7}, "region: 2 levels with fewer than 30 customers each were combined into 'other' (7 customers).")
    """
    rare = rare_levels(series, max_levels=max_levels, min_count=min_count, keep=keep, weights=weights)
    if not rare:
        return series, None
    w = np.ones(len(series)) if weights is None else np.asarray(weights, dtype=float)
    counts = pd.Series(w, index=series.index).groupby(series, observed=True, sort=False, dropna=True).sum()
    note = lump_note(
        series.name if name is None else name,
        counts[rare].to_list(),
        max_levels=max_levels,
        min_count=min_count,
        unit=unit,
    )
    return combine_levels(series, rare), note


def other_last(labels: list) -> list:
    """``labels`` with :data:`OTHER` moved to the end (a lumped table's catch-all row)."""
    return [label for label in labels if label != OTHER] + [label for label in labels if label == OTHER]


def other_rows_last(frame: pd.DataFrame, column: Hashable) -> pd.DataFrame:
    """``frame`` with its :data:`OTHER` row(s) in ``column`` moved to the end, order otherwise kept."""
    last = (frame[column].astype(object) == OTHER).to_numpy()
    return frame.iloc[np.argsort(last, kind="stable")].reset_index(drop=True)
