"""Survey weights: raking to known margins, post-stratification cells, or a weight column.

Surveys never reach customers evenly: enterprise customers, app users or one country answer
more than others. When the real mix is known (customers by segment, region, channel), weights
make the responses stand for it:

- **Raking** (:func:`rake`; iterative proportional fitting, Deming & Stephan 1940): the
  weights are adjusted to each margin in turn (every response of a level gets the factor that
  brings the level's weighted share to its target) until every margin's shares are within
  ``tol`` of their targets. Raking needs only the margins, not their joint distribution; with
  one margin it is exactly post-stratification. It is the minimum-discrimination-information
  solution: of all weights that hit the margins, the closest to the base weights in
  Kullback-Leibler divergence (Ireland & Kullback 1968), which ``tests/test_weighting.py``
  checks against a direct optimisation, and against R's ``survey::rake()`` on the ``api``
  data.
- **Post-stratification** (:func:`poststratify`): the joint cells are known; each response
  gets its cell's target share divided by the cell's sample share.
- **A weight column** already in the export (:func:`survey_weights` with ``column:``), checked
  and scaled to a mean of 1.

Weights are computed separately per group of ``by`` (the pack rakes each report month to the
margins) and scaled to a mean of 1 within each group, so weighted counts stay on the scale of
responses. **Trimming** (``trim=(low, high)``) caps weights at ``low`` and ``high`` times the
mean and rakes again, alternately, until both hold (the margins then match within ``tol`` if
they can): extreme weights buy exact margins with much noise.

Every weighting is checked and says what to fix: a margin column missing in the data, a level
in the data without a target (or a target level without responses), targets that do not sum
to 1, missing values in a margin column, non-convergence (a :class:`~cxkit.errors.DataWarning`
naming the margin that misses most), and extreme weights (a warning naming the level whose
responses are scarcest against its target). The weighted estimates (:func:`cxkit.nps`,
:func:`cxkit.csat`, :func:`cxkit.ces`, the comparisons, :func:`cxkit.kpi_trend`,
:func:`cxkit.key_drivers`) take the weights with ``weights=``; their intervals use Kish's
effective sample size ``(sum w)^2 / sum w^2`` (the design effect of unequal weights). Given the
margins too (``calibration=w.attrs["weighting"]``, which the pack passes on in the table's
``attrs``), :func:`cxkit.nps`, :func:`cxkit.csat`, :func:`cxkit.ces` and :func:`cxkit.kpi_trend`
use the linearised variance of the calibrated estimator instead (Deville & Sarndal 1992; R's
``survey::svymean`` on a ``rake()``d design): Kish's n ignores what the margins fix, and on
raked samples of 500 its NPS interval covered 97.5%, the linearised one 93.9% (95.1% at
2,000; ``benchmarks/weighting.py``). Below 300 responses per calibrated group the linearisation
runs short, and they use the delete-one jackknife with every replicate raked again instead
(:data:`cxkit.analysis.nps.JACKKNIFE_BELOW`).

Why hand-written: raking is a few lines of vectorised NumPy over the cells of the margins
(1 million responses on three margins in well under a second), and the packages that do it
(R's ``survey``, weightipy, samplics) are not dependencies of cxkit.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"segment": ["SMB"] * 6 + ["Enterprise"] * 4, "region": ["EU", "US"] * 5})
>>> w = rake(df, {"segment": {"SMB": 0.8, "Enterprise": 0.2}, "region": {"EU": 0.5, "US": 0.5}})
>>> w.groupby(df["segment"]).sum().div(w.sum()).round(3).to_dict()
{'Enterprise': 0.2, 'SMB': 0.8}
>>> round(w.attrs["weighting"]["n_eff"], 1)
8.6
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CatalogError, DataWarning, NotEnoughDataError

__all__ = ["rake", "poststratify", "survey_weights", "weight_summary", "weighting_statement", "EXTREME_WEIGHT"]

#: A weight above this many times the mean weight is flagged as extreme (a warning saying
#: which level needs it and how to trim or collapse).
EXTREME_WEIGHT = 5.0
#: Target shares must sum to 1 within this (else they are refused: a typo, or a level missing).
_SHARE_SLACK = 0.005
#: Population counts of different margins that disagree by more than this share are flagged.
_COUNT_SLACK = 0.005


# --------------------------------------------------------------------------- checks


def _targets(margin: str, given: object, *, where: str = "margins") -> dict[Hashable, float]:
    """One margin's targets as shares summing to 1 (given as shares, or as counts)."""
    if not isinstance(given, Mapping) or not given:
        raise ValueError(
            f"{where}: margin {margin!r} needs a mapping of level -> target share (or count), e.g. "
            f"{{{margin}: {{A: 0.6, B: 0.4}}}}; got {given!r}."
        )
    values = {}
    for level, value in given.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or math.isnan(value):
            raise ValueError(f"{where}: target of {margin}={level!r} must be a number, not {value!r}.")
        if value < 0:
            raise ValueError(f"{where}: target of {margin}={level!r} is negative ({value}); targets must be >= 0.")
        values[level] = float(value)
    total = sum(values.values())
    if total <= 0:
        raise ValueError(f"{where}: the targets of margin {margin!r} are all 0.")
    counts = any(v > 1 for v in values.values())
    if not counts and abs(total - 1) > _SHARE_SLACK:
        raise ValueError(
            f"{where}: the target shares of margin {margin!r} sum to {total:.4g}, not 1 "
            f"({', '.join(f'{k}: {v:g}' for k, v in values.items())}). Correct them so they sum to 1, add the "
            "missing level, or give population counts instead of shares."
        )
    return {k: v / total for k, v in values.items()}


def _check_options(max_iter: object, tol: object, trim: object) -> tuple[float, float] | None:
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"max_iter must be a whole number >= 1 (passes over the margins), not {max_iter!r}.")
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 < tol < 1:
        raise ValueError(f"tol must be a number between 0 and 1 (largest share error allowed), not {tol!r}.")
    if trim is None:
        return None
    if (
        not isinstance(trim, Sequence)
        or isinstance(trim, str)
        or len(trim) != 2
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in trim)
        or not 0 <= trim[0] < 1 < trim[1]
    ):
        raise ValueError(
            f"trim must be (low, high) bounds on weight / mean weight with 0 <= low < 1 < high, e.g. (0.3, 3); "
            f"got {trim!r}."
        )
    return float(trim[0]), float(trim[1])


def _codes(df: pd.DataFrame, column: str, levels: Sequence[Hashable], *, where: str) -> np.ndarray:
    """Codes of ``column``'s values in ``levels`` (every value must have a level)."""
    if column not in df.columns:
        raise ValueError(
            f"{where}: margin {column!r} is not a column of the data (columns: {list(df.columns)}). Map it in the "
            f"reader (columns: {{{column}: <export column>}}) or remove it from the margins."
        )
    values = df[column]
    if values.isna().any():
        raise ValueError(
            f"{where}: {int(values.isna().sum()):,} responses have no {column!r} value, so they cannot be weighted "
            f"to its margin. Fill them (e.g. 'unknown', with a target), or drop those responses first."
        )
    # the values' distinct levels first (one hash pass), then each level's target: a million
    # responses are read once, not compared as Python objects
    seen, uniques = pd.factorize(values)
    position = pd.Index(list(levels), dtype=object).get_indexer(pd.Index(np.asarray(uniques, dtype=object)))
    codes = position[seen]
    if (codes < 0).any():
        unknown = values[codes < 0].value_counts()
        shown = ", ".join(f"{k!r} ({v:,} responses)" for k, v in unknown.head(5).items())
        raise ValueError(
            f"{where}: {column!r} has value(s) without a target: {shown}. Give each a target in the margin "
            f"{column!r} (targets so far: {list(levels)}), or recode them into a level that has one."
        )
    return codes.astype(np.intp)


def _base(df: pd.DataFrame, weights: str | None, *, where: str) -> np.ndarray:
    if weights is None:
        return np.ones(len(df))
    if weights not in df.columns:
        raise ValueError(f"{where}: base weight column {weights!r} not found; pass weights= with an existing column.")
    base = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(base) | (base < 0)
    if bad.any():
        raise ValueError(
            f"{where}: base weight column {weights!r} has {int(bad.sum()):,} missing, negative or infinite value(s); "
            "weights must be numbers >= 0."
        )
    return base


# --------------------------------------------------------------------------- raking


def _ipf(
    codes: list[np.ndarray],
    shares: list[np.ndarray],
    mass: np.ndarray,
    per_row: np.ndarray,
    count: np.ndarray,
    *,
    max_iter: int,
    tol: float,
    trim: tuple[float, float] | None,
) -> tuple[np.ndarray, int, bool, float, int]:
    """Raking factors of units (cells of the margins, or rows): the factor ``f`` of each unit
    such that every margin's weighted shares, sum(mass * f) by level / total, match ``shares``.

    ``per_row`` is a unit's weight per response at factor 1 and ``count`` its responses, so
    trimming bounds ``per_row * f`` against the mean weight. Returns (factors, passes,
    converged, largest share error, units trimmed in the last pass).
    """
    f = np.ones(mass.size)
    total = mass.sum()
    error = np.inf
    trimmed = 0
    for passes in range(1, max_iter + 1):
        for code, share in zip(codes, shares):
            current = np.bincount(code, weights=mass * f, minlength=share.size)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(current > 0, share * total / current, 0.0)
            f *= factor[code]
        trimmed = 0
        if trim is not None:
            w = per_row * f
            clipped = _clip(w, count, trim)
            trimmed = int(count[clipped != w].sum())
            if trimmed:
                f = clipped / np.where(per_row > 0, per_row, 1.0)
        error = max(
            float(np.abs(np.bincount(code, weights=mass * f, minlength=share.size) / (mass * f).sum() - share).max())
            for code, share in zip(codes, shares)
        )
        if error < tol and not trimmed:
            return f, passes, True, error, trimmed
    return f, max_iter, False, error, trimmed


def _clip(w: np.ndarray, count: np.ndarray, trim: tuple[float, float]) -> np.ndarray:
    """``w`` capped at ``trim`` times its own mean (capping moves the mean, so repeat until the
    capped weights keep their bounds against the mean they give)."""
    n = count.sum()
    for _ in range(100):
        mean = (w * count).sum() / n
        capped = np.clip(w, trim[0] * mean, trim[1] * mean)
        if np.allclose(capped, w, rtol=1e-12, atol=0.0):
            return capped
        w = capped
    return w


def _summary(w: np.ndarray, method: str, margins: list[str], extra: dict[str, Any]) -> dict[str, Any]:
    n = int(w.size)
    total, squares = float(w.sum()), float((w * w).sum())
    n_eff = total * total / squares if squares > 0 else 0.0
    return {
        "method": method,
        "margins": list(margins),
        "n": n,
        "n_eff": n_eff,
        "deff": n / n_eff if n_eff > 0 else math.inf,
        "min": float(w.min()) if n else math.nan,
        "max": float(w.max()) if n else math.nan,
        **extra,
    }


def rake(
    df: pd.DataFrame,
    margins: Mapping[str, Mapping[Any, float]],
    *,
    weights: str | None = None,
    by: str | None = None,
    max_iter: int = 100,
    tol: float = 1e-6,
    trim: tuple[float, float] | None = None,
    name: str = "weight",
) -> pd.Series:
    """Raking (iterative proportional fitting) weights that make the responses match known margins.

    Parameters
    ----------
    df : DataFrame
        One row per response, with a column per margin. Not modified.
    margins : mapping of column -> mapping of level -> target
        The known distribution of each margin, as shares summing to 1 or as population counts
        (turned into shares), e.g. ``{"segment": {"SMB": 0.55, "Enterprise": 0.15, "Consumer":
        0.30}, "region": {...}}``. Every value in the data needs a target; a target level
        without responses is refused (no weight can give it a share).
    weights : str, optional, keyword-only
        Base (design) weights to start from; default equal weights.
    by : str, optional, keyword-only
        Rake each group of this column separately (e.g. a month column: every month matches
        the margins); the weights then have a mean of 1 within each group.
    max_iter : int, default 100, keyword-only
        Passes over the margins before giving up (a :class:`~cxkit.errors.DataWarning` then
        names the margin that misses most).
    tol : float, default 1e-6, keyword-only
        Converged when every weighted share is within ``tol`` of its target.
    trim : (float, float), optional, keyword-only
        Bounds on weight / mean weight, e.g. ``(0.3, 3)``: weights outside are capped and the
        margins raked again, alternately, until both hold (or ``max_iter``). Default none.
    name : str, default "weight", keyword-only
        The name of the returned Series.

    Returns
    -------
    Series
        One weight per response (``df``'s index), mean 1 (within each ``by`` group), named
        ``name``. ``attrs["weighting"]`` describes it: ``method`` ("rake"), ``margins``,
        ``targets`` (the shares), ``n``, ``n_eff`` (Kish's effective sample size, (sum w)^2 /
        sum w^2), ``deff`` (n / n_eff), ``min``, ``max``, ``iterations`` (largest over the
        groups), ``converged``, ``max_error`` (largest share error), ``trimmed`` (responses
        whose weight was capped in the last pass), ``trim`` and ``groups`` (with ``by``). Pass
        it as ``calibration=`` to :func:`cxkit.nps`, :func:`cxkit.csat`, :func:`cxkit.ces` or
        :func:`cxkit.kpi_trend` for intervals from the linearised variance of the raked
        estimate (its ``margins`` and ``by``, which must be columns of the data).

    Raises
    ------
    ValueError
        A margin column is missing or has missing values, a value has no target, a target
        level has no responses, targets are not numbers >= 0 or shares do not sum to 1, or an
        option is out of range. Each message names the margin and the fix.

    Warns
    -----
    DataWarning
        Raking did not converge (a margin cannot be matched, e.g. with ``trim`` too tight),
        population counts of the margins disagree, or a weight exceeds
        :data:`EXTREME_WEIGHT` times the mean (the level whose responses are scarcest against
        its target is named, with the fix: trim, collapse levels, or collect more responses).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"segment": ["SMB"] * 8 + ["Enterprise"] * 2})
    >>> rake(df, {"segment": {"SMB": 0.5, "Enterprise": 0.5}}).round(3).tolist()
    [0.625, 0.625, 0.625, 0.625, 0.625, 0.625, 0.625, 0.625, 2.5, 2.5]
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"rake needs a DataFrame, not {type(df).__name__}.")
    if not isinstance(margins, Mapping) or not margins:
        raise ValueError("margins must map at least one column to its target shares, e.g. {'segment': {...}}.")
    bounds = _check_options(max_iter, tol, trim)
    targets = {str(m): _targets(str(m), t) for m, t in margins.items()}
    _check_counts(margins)
    groups, labels = _groups(df, by)
    out = np.empty(len(df))
    iterations, converged, worst, trimmed = 0, True, 0.0, 0
    for g, label in enumerate(labels):
        rows = np.flatnonzero(groups == g)
        part = df.iloc[rows]
        where = "rake" if by is None else f"rake ({by}={label})"
        codes, shares = [], []
        for margin, wanted in targets.items():
            levels = list(wanted)
            code = _codes(part, margin, levels, where=where)
            share = np.array([wanted[k] for k in levels])
            seen = np.bincount(code, minlength=len(levels))
            empty = [k for k, s, c in zip(levels, share, seen) if s > 0 and c == 0]
            if empty:
                raise NotEnoughDataError(
                    f"{where}: no response has {margin}={empty[0]!r}, whose target share is "
                    f"{wanted[empty[0]]:.1%}; no weight can give it that share. Collapse it with another level "
                    f"of {margin!r} (add their targets), or drop the level and rescale the other targets."
                )
            zero = [k for k, s, c in zip(levels, share, seen) if s == 0 and c > 0]
            if zero:
                raise ValueError(
                    f"{where}: {margin}={zero[0]!r} has a target of 0 but {int(seen[levels.index(zero[0])]):,} "
                    "responses; drop those responses first, or give the level its real share."
                )
            codes.append(code)
            shares.append(share)
        base = _base(part, weights, where=where)
        w = _rake_group(codes, shares, base, weights is not None, max_iter=max_iter, tol=tol, trim=bounds)
        out[rows] = w[0]
        iterations = max(iterations, w[1])
        converged = converged and w[2]
        worst = max(worst, w[3])
        trimmed += w[4]
        if not w[2]:
            _warn_not_converged(where, list(targets), codes, shares, w[0], max_iter, bounds)
    series = pd.Series(out, index=df.index, name=name)
    info = _summary(
        out,
        "rake",
        list(targets),
        {
            "targets": {m: {str(k): round(v, 12) for k, v in t.items()} for m, t in targets.items()},
            "iterations": iterations,
            "converged": converged,
            "max_error": worst,
            "trimmed": trimmed,
            "trim": list(bounds) if bounds else None,
            "groups": len(labels) if by is not None else 1,
            "by": by,
        },
    )
    _warn_extreme(info, df, targets, out)
    series.attrs["weighting"] = info
    return series


def _rake_group(
    codes: list[np.ndarray],
    shares: list[np.ndarray],
    base: np.ndarray,
    has_base: bool,
    *,
    max_iter: int,
    tol: float,
    trim: tuple[float, float] | None,
) -> tuple[np.ndarray, int, bool, float, int]:
    """Raked weights of one group, scaled to mean 1, with (passes, converged, error, trimmed).

    Without base weights every response of one cell of the margins gets the same weight, so
    the fit runs on the cells (a few dozen numbers, whatever the responses); with base weights
    it runs on the responses."""
    n = base.size
    if not has_base:
        sizes = [s.size for s in shares]
        cell = np.ravel_multi_index(tuple(codes), sizes) if len(codes) > 1 else codes[0]
        # the cells present and each response's cell, by counting (the cell ids are small
        # numbers, so this is one pass instead of a sort of every response)
        per_cell = np.bincount(cell, minlength=int(np.prod(sizes)))
        cells = np.flatnonzero(per_cell)
        lookup = np.zeros(per_cell.size, dtype=np.intp)
        lookup[cells] = np.arange(cells.size)
        unit = lookup[cell]
        count = per_cell[cells].astype(float)
        unit_codes = [np.asarray(np.unravel_index(cells, sizes)[k]) for k in range(len(codes))]
        mass, per_row = count, np.ones(cells.size)
    else:
        unit = np.arange(n)
        count = np.ones(n)
        unit_codes, mass, per_row = codes, base, base
    f, passes, ok, error, trimmed = _ipf(
        unit_codes, shares, mass, per_row, count, max_iter=max_iter, tol=tol, trim=trim
    )
    w = (per_row * f)[unit]
    mean = w.mean() if n else 1.0
    return (w / mean if mean > 0 else w), passes, ok, error, trimmed


def _groups(df: pd.DataFrame, by: str | None) -> tuple[np.ndarray, list[Any]]:
    if by is None:
        return np.zeros(len(df), dtype=np.intp), [None]
    if by not in df.columns:
        raise ValueError(f"by column {by!r} not found (columns: {list(df.columns)}).")
    codes, labels = pd.factorize(df[by], sort=True)
    if (codes < 0).any():
        raise ValueError(f"{int((codes < 0).sum()):,} responses have no {by!r} value; weights are computed per {by}.")
    return codes, list(labels)


def _check_counts(margins: Mapping[str, Mapping[Any, float]]) -> None:
    """Population counts of different margins describe one population: their totals agree."""
    totals = {m: float(sum(t.values())) for m, t in margins.items() if any(float(v) > 1 for v in t.values())}
    if len(totals) > 1 and (max(totals.values()) - min(totals.values())) > _COUNT_SLACK * max(totals.values()):
        shown = ", ".join(f"{m}: {t:,.0f}" for m, t in totals.items())
        warnings.warn(
            f"the population counts of the margins add up to different totals ({shown}); each margin is used as "
            "shares of its own total. Check that they count the same population (same date, same definition).",
            DataWarning,
            stacklevel=3,
        )


def _warn_not_converged(
    where: str,
    names: list[str],
    codes: list[np.ndarray],
    shares: list[np.ndarray],
    w: np.ndarray,
    max_iter: int,
    trim: tuple[float, float] | None,
) -> None:
    errors = [np.abs(np.bincount(c, weights=w, minlength=s.size) / w.sum() - s).max() for c, s in zip(codes, shares)]
    k = int(np.argmax(errors))
    fix = (
        f"loosen trim (now {trim[0]:g} to {trim[1]:g} times the mean)"
        if trim is not None
        else f"raise max_iter (now {max_iter})"
    )
    warnings.warn(
        f"{where}: raking did not converge in {max_iter} passes; margin {names[k]!r} is off its targets by up to "
        f"{errors[k]:.2%}. Collapse its sparse levels, {fix}, or check that the margins can hold together "
        "(e.g. no level is empty within another margin's level).",
        DataWarning,
        stacklevel=3,
    )


def _warn_extreme(
    info: dict[str, Any], df: pd.DataFrame, targets: Mapping[str, Mapping[Any, float]], w: np.ndarray
) -> None:
    """Warn when a weight exceeds :data:`EXTREME_WEIGHT` times the mean, naming the level whose
    responses are scarcest against its target."""
    if not w.size or info["max"] <= EXTREME_WEIGHT * w.mean():
        return
    worst, ratio = "", 0.0
    for margin, wanted in targets.items():
        seen = df[margin].value_counts(normalize=True)
        for level, share in wanted.items():
            got = float(seen.get(level, 0.0))
            if got > 0 and share / got > ratio:
                worst, ratio = f"{margin}={level!r} ({got:.1%} of responses, target {share:.1%})", share / got
    scarcest = (
        f"the scarcest responses against their target are {worst}. Set trim (e.g. trim: [0.3, 3]), collapse that "
        "level with a neighbour, or collect more responses from it."
        if worst
        else "check the weight column, or cap it before use."
    )
    warnings.warn(
        f"extreme weights: up to {info['max']:.1f} times the mean (effective sample size {info['n_eff']:,.0f} of "
        f"{info['n']:,}); {scarcest}",
        DataWarning,
        stacklevel=3,
    )


# --------------------------------------------------------------------------- post-stratification


def _flatten_cells(cells: Mapping[Any, Any], depth: int, prefix: tuple = ()) -> dict[tuple, float]:
    """Nested mapping (``{SMB: {EU: 0.2, US: 0.1}, ...}``) or tuple keys -> {cell tuple: target}."""
    out: dict[tuple, float] = {}
    for key, value in cells.items():
        if isinstance(key, tuple):
            if len(prefix) + len(key) != depth:
                raise ValueError(f"cell {prefix + key!r} names {len(prefix) + len(key)} values for {depth} columns.")
            out[prefix + key] = value
        elif isinstance(value, Mapping):
            out.update(_flatten_cells(value, depth, prefix + (key,)))
        else:
            if len(prefix) + 1 != depth:
                raise ValueError(f"cell {prefix + (key,)!r} names {len(prefix) + 1} values for {depth} columns.")
            out[prefix + (key,)] = value
    return out


def poststratify(
    df: pd.DataFrame,
    columns: str | Sequence[str],
    cells: Mapping[Any, Any],
    *,
    weights: str | None = None,
    by: str | None = None,
    name: str = "weight",
) -> pd.Series:
    """Post-stratification weights: each cell of ``columns`` gets its known share.

    Parameters
    ----------
    df : DataFrame
        One row per response. Not modified.
    columns : str or list of str
        The columns whose joint values form the cells.
    cells : mapping
        Target share (or population count) per cell: for one column ``{level: share}``; for
        several, nested mappings in the order of ``columns`` (``{"SMB": {"EU": 0.2, "US":
        0.1}, ...}``) or tuple keys (``{("SMB", "EU"): 0.2, ...}``).
    weights : str, optional, keyword-only
        Base weights (kept within each cell); default equal.
    by : str, optional, keyword-only
        Post-stratify each group of this column separately (e.g. each month).
    name : str, default "weight", keyword-only
        The name of the returned Series.

    Returns
    -------
    Series
        One weight per response, mean 1 (within each ``by`` group); ``attrs["weighting"]`` as
        for :func:`rake` (``method`` "cells").

    Raises
    ------
    ValueError
        As :func:`rake`: a column missing or with missing values, a cell of the data without a
        target, a target cell without responses, shares not summing to 1.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"segment": ["SMB", "SMB", "SMB", "Enterprise"]})
    >>> poststratify(df, "segment", {"SMB": 0.5, "Enterprise": 0.5}).round(3).tolist()
    [0.667, 0.667, 0.667, 2.0]
    """
    cols = [columns] if isinstance(columns, str) else list(columns)
    if not cols:
        raise ValueError("columns must name at least one column forming the cells.")
    if not isinstance(cells, Mapping) or not cells:
        raise ValueError("cells must map each cell to its target share, e.g. {'SMB': 0.6, 'Enterprise': 0.4}.")
    for c in cols:
        if c not in df.columns:
            raise ValueError(
                f"poststratify: cell column {c!r} is not a column of the data (columns: {list(df.columns)})."
            )
    flat = _flatten_cells(cells, len(cols))
    label = " x ".join(cols)
    # several columns: one column of cell names ("SMB / EU"), so that rake's checks name the cell of cell names ("SMB / EU"), so that rake's checks name the cell
    names = {k: " / ".join(map(str, k)) for k in flat}
    wanted = {names[k]: v for k, v in flat.items()}
    given = df[cols].isna().any(axis=1).to_numpy()
    joined = [None if gap else " / ".join(map(str, k)) for gap, k in zip(given, df[cols].itertuples(index=False))]
    frame = pd.DataFrame({label: joined}, index=df.index)
    if by is not None:
        frame[by] = df[by]
    if weights is not None:
        frame[weights] = df[weights]
    if len(cols) == 1:  # the column itself, so that levels keep their values and types
        w = rake(df, {cols[0]: {k[0]: v for k, v in flat.items()}}, weights=weights, by=by, name=name, max_iter=2)
    else:
        w = rake(frame, {label: wanted}, weights=weights, by=by, name=name, max_iter=2)
    info = dict(w.attrs["weighting"])
    info.update({"method": "cells", "margins": cols})
    w.attrs["weighting"] = info
    return w


# --------------------------------------------------------------------------- catalog


_SPEC_KEYS = {"rake", "cells", "column", "max_iter", "tol", "trim", "by_month"}


def survey_weights(
    df: pd.DataFrame, spec: Mapping[str, Any], *, by: str | None = None, name: str = "weight"
) -> pd.Series:
    """Weights as a catalog's ``weights:`` section describes them.

    Parameters
    ----------
    df : DataFrame
        One row per response. Not modified.
    spec : mapping
        Exactly one of ``rake: {column: {level: share}}`` (:func:`rake`), ``cells: {columns:
        [...], targets: {...}}`` (:func:`poststratify`) or ``column: name`` (a weight column of
        the export, checked and scaled to mean 1); with ``rake`` also ``max_iter``, ``tol`` and
        ``trim: [low, high]``.
    by : str, optional, keyword-only
        Weight each group of this column separately (the pack passes the report month).
    name : str, default "weight", keyword-only
        The name of the returned Series.

    Returns
    -------
    Series
        One weight per response, mean 1 within each group, with ``attrs["weighting"]`` (see
        :func:`rake`).

    Raises
    ------
    CatalogError
        The section is malformed (the message shows its form).
    ValueError
        The data do not fit it (see :func:`rake`).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"segment": ["SMB", "SMB", "SMB", "Enterprise"], "w": [1, 1, 1, 3]})
    >>> survey_weights(df, {"column": "w"}).tolist()
    [0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 2.0]
    """
    if not isinstance(spec, Mapping):
        raise CatalogError(f"weights: must be a mapping (rake:, cells: or column:), not {spec!r}.")
    unknown = set(spec) - _SPEC_KEYS
    if unknown:
        raise CatalogError(f"weights: unknown key(s) {sorted(unknown)}; allowed: {sorted(_SPEC_KEYS)}.")
    kinds = [k for k in ("rake", "cells", "column") if k in spec]
    if len(kinds) != 1:
        raise CatalogError(
            "weights: give exactly one of rake: {segment: {SMB: 0.55, ...}, region: {...}} (known margins), "
            "cells: {columns: [segment, region], targets: {...}} (known joint cells) or column: <weight column>."
        )
    kind = kinds[0]
    if kind == "rake":
        options = {k: spec[k] for k in ("max_iter", "tol") if k in spec}
        trim = spec.get("trim")
        return rake(df, spec["rake"], by=by, trim=tuple(trim) if isinstance(trim, list) else trim, name=name, **options)
    if kind == "cells":
        cells = spec["cells"]
        if not isinstance(cells, Mapping) or "columns" not in cells or "targets" not in cells:
            raise CatalogError("weights: cells: needs columns: [...] and targets: {...} (nested by the columns).")
        return poststratify(df, cells["columns"], cells["targets"], by=by, name=name)
    column = spec["column"]
    if not isinstance(column, str):
        raise CatalogError(f"weights: column: must name the export's weight column, not {column!r}.")
    base = _base(df, column, where="weights")
    if column not in df.columns:  # _base raised already; kept for type checkers
        raise ValueError(column)
    groups, labels = _groups(df, by)
    out = np.empty(len(df))
    for g in range(len(labels)):
        rows = groups == g
        mean = base[rows].mean()
        if not mean > 0:
            raise ValueError(
                f"weights: column {column!r} is 0 for every response{'' if by is None else f' of {labels[g]}'}."
            )
        out[rows] = base[rows] / mean
    series = pd.Series(out, index=df.index, name=name)
    info = _summary(out, "column", [column], {"column": column, "groups": len(labels), "by": by})
    _warn_extreme(info, df, {}, out)
    series.attrs["weighting"] = info
    return series


# --------------------------------------------------------------------------- reporting


def weight_summary(
    df: pd.DataFrame, weights: pd.Series | str, margins: Mapping[str, Mapping[Any, float]]
) -> pd.DataFrame:
    """Each margin level's target, sample share and weighted share: the check that weighting
    did what it should.

    Parameters
    ----------
    df : DataFrame
        The responses.
    weights : Series or str
        The weights (aligned with ``df``) or the name of their column.
    margins : mapping
        The targets, as given to :func:`rake`.

    Returns
    -------
    DataFrame
        One row per margin and level: ``margin``, ``level``, ``n`` (responses), ``target``
        (share), ``sample_share`` (unweighted), ``weighted_share``, ``difference``
        (weighted - target).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"segment": ["SMB"] * 8 + ["Enterprise"] * 2})
    >>> m = {"segment": {"SMB": 0.5, "Enterprise": 0.5}}
    >>> weight_summary(df, rake(df, m), m)[["level", "sample_share", "weighted_share"]].values.tolist()
    [['SMB', 0.8, 0.5], ['Enterprise', 0.2, 0.5]]
    """
    w = df[weights] if isinstance(weights, str) else pd.Series(np.asarray(weights, dtype=float), index=df.index)
    rows = []
    for margin, given in margins.items():
        wanted = _targets(str(margin), given)
        for level, target in wanted.items():
            hit = (df[margin] == level).to_numpy()
            rows.append(
                {
                    "margin": margin,
                    "level": level,
                    "n": int(hit.sum()),
                    "target": target,
                    "sample_share": float(hit.mean()) if len(hit) else math.nan,
                    "weighted_share": float(w[hit].sum() / w.sum()) if len(hit) else math.nan,
                }
            )
    out = pd.DataFrame(rows, columns=["margin", "level", "n", "target", "sample_share", "weighted_share"])
    out["difference"] = out["weighted_share"] - out["target"]
    return out


def weighting_statement(info: Mapping[str, Any] | None, *, n_eff: float | None = None, n: int | None = None) -> str:
    """One sentence saying that figures are weighted, to what, with which effective n and range.

    Parameters
    ----------
    info : mapping or None
        ``attrs["weighting"]`` of a weight Series (or the ``weighting`` part of
        ``results.json``); None gives "".
    n_eff, n : optional, keyword-only
        The effective and actual sample size to state (default those of ``info``).

    Returns
    -------
    str

    Examples
    --------
    >>> info = {"method": "rake", "margins": ["segment", "region"], "n": 1000, "n_eff": 812.4, "min": 0.41, "max": 2.83}
    >>> weighting_statement(info)
    'Figures are weighted (raking to known segment and region shares): effective sample size 812 of 1,000 responses, weights 0.41 to 2.83 times the mean.'
    """
    if not info:
        return ""
    margins = list(info.get("margins") or [])
    names = " and ".join([", ".join(margins[:-1]), margins[-1]] if len(margins) > 1 else margins)
    how = {
        "rake": f"raking to known {names} shares",
        "cells": f"post-stratification to known {names} cells",
        "column": f"the export's weight column {names}",
    }.get(str(info.get("method")), str(info.get("method")))
    n_eff = info.get("n_eff") if n_eff is None else n_eff
    n = info.get("n") if n is None else n
    return (
        f"Figures are weighted ({how}): effective sample size {float(n_eff or 0):,.0f} of {int(n or 0):,} responses, "
        f"weights {float(info.get('min', math.nan)):.2f} to {float(info.get('max', math.nan)):.2f} times the mean."
    )
