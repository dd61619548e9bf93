"""Small statistics shared by the analyses: multiple-testing adjustment, the Wilson interval
of a proportion, Tango's score interval of a net score (NPS), the bootstrap percentile interval
kept around its estimate, the nearest correlation matrix, the studentized range
distribution, and the separation check and covariance that the logit, ordinal and Cox models
share (one implementation each, checked against references in the tests).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, cast

import numpy as np
import numpy.typing as npt

__all__ = [
    "PADJUST",
    "adjust_p",
    "net_score_interval",
    "percentile_interval",
    "nearest_correlation",
    "studentized_range_isf",
    "studentized_range_sf",
    "wilson_interval",
    "HEADLINE_FAMILY",
    "HEADLINE_POLICY",
    "headline_change",
]

#: Names accepted for ``padjust`` (R's names and statsmodels' both work).
PADJUST = {
    "holm": "holm",
    "bonferroni": "bonferroni",
    "bonf": "bonferroni",
    "sidak": "sidak",
    "holm-sidak": "holm-sidak",
    "hochberg": "simes-hochberg",
    "simes-hochberg": "simes-hochberg",
    "hommel": "hommel",
    "fdr_bh": "fdr_bh",
    "bh": "fdr_bh",
    "fdr": "fdr_bh",
    "fdr_by": "fdr_by",
    "by": "fdr_by",
    "none": "none",
}


def _padjust_method(padjust: str) -> str:
    key = str(padjust).lower()
    if key not in PADJUST:
        raise ValueError(
            f"padjust={padjust!r} is not a p-value adjustment; use one of {', '.join(sorted(set(PADJUST)))}."
        )
    return PADJUST[key]


def wilson_interval(
    successes: npt.ArrayLike, n: npt.ArrayLike, alpha: float = 0.05
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Wilson score interval of a proportion (NaN where ``n`` is 0).

    >>> low, high = wilson_interval(81, 263)  # Newcombe (1998), example 1: 0.2553-0.3662
    >>> round(float(low), 4), round(float(high), 4)
    (0.2553, 0.3662)
    """
    x, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    from scipy import stats  # here, not at the top: reading a catalog must not import scipy.stats (1 s)

    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def net_score_interval(
    positive: npt.ArrayLike, negative: npt.ArrayLike, n: npt.ArrayLike, alpha: float = 0.05
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Tango's (1998) score interval of a net score ``(positive - negative) / n``, on -1..1.

    A net score is the difference of two shares of one trinomial sample (NPS: promoters minus
    detractors, passives the rest): the same structure as the difference of paired
    proportions, whose discordant cells play the promoters and detractors. Tango's interval
    is every difference ``D`` the score test does not reject: ``|x - y - n D| <= z sqrt(n (2 q + D (1 - D)))``,
    ``q`` the maximum-likelihood share of negatives given ``D`` (a closed-form root of a
    quadratic). It contains the estimate by construction (the statistic is 0 there), stays in
    -1..1, and keeps close to nominal coverage at small n (Tango 1998; Newcombe 1998, Stat
    Med 17:2635; Fagerland, Lydersen & Laake 2014). Counts may be fractional (weighted data
    with Kish's effective n). NaN where ``n`` is 0. Solved by bisection to 1e-12.

    >>> low, high = net_score_interval(6, 16, 161)  # Fagerland et al.: -0.1240 to -0.0054
    >>> round(float(low), 4), round(float(high), 4)
    (-0.124, -0.0054)
    """
    x, y, n = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (positive, negative, n)))
    from scipy import stats  # here, not at the top: reading a catalog must not import scipy.stats (1 s)

    z = stats.norm.ppf(1 - alpha / 2)
    ok = n > 0
    safe_n = np.where(ok, n, 1.0)
    est = np.where(ok, (x - y) / safe_n, 0.0)

    def statistic(delta: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        a = 2 * safe_n
        b = -x - y + (2 * safe_n - x + y) * delta
        c = -y * delta * (1 - delta)
        q = (np.sqrt(np.clip(b * b - 4 * a * c, 0.0, None)) - b) / (2 * a)
        var = safe_n * (2 * q + delta * (1 - delta))
        with np.errstate(divide="ignore", invalid="ignore"):
            return cast(
                npt.NDArray[np.float64],
                np.where(
                    var > 0,
                    (x - y - safe_n * delta) / np.sqrt(np.clip(var, 0.0, None)),
                    np.sign(x - y - safe_n * delta) * np.inf,
                ),
            )

    def limit(
        outside: npt.NDArray[np.float64], inside: npt.NDArray[np.float64], target: float, sign: float
    ) -> npt.NDArray[np.float64]:
        # bisection between a difference the test rejects and one it keeps (the estimate)
        for _ in range(52):
            mid = (outside + inside) / 2
            rejected = sign * statistic(mid) > target
            outside, inside = np.where(rejected, mid, outside), np.where(rejected, inside, mid)
        return inside

    # lower limit: statistic(D) = z on [-1, estimate]; upper: statistic(D) = -z on [estimate, 1]
    low = np.where(est <= -1, -1.0, limit(np.full_like(est, -1.0), est.copy(), z, 1.0))
    high = np.where(est >= 1, 1.0, limit(np.ones_like(est), est.copy(), z, -1.0))
    low, high = np.minimum(low, est), np.maximum(high, est)
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def percentile_interval(
    estimate: npt.ArrayLike, draws: npt.ArrayLike, alpha: float = 0.05
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Bootstrap percentile interval kept around its estimate.

    Returns ``(low, high, extended)`` per column of ``draws`` (resamples x quantities; rows
    with NaN are left out): the ``alpha/2`` and ``1 - alpha/2`` quantiles of the resampled
    values, with the interval stretched to the estimate where the estimate lies outside
    (``extended`` says where). Why stretch rather than trust the quantiles: next to a bound
    (a share of explained variance near 0) every resample sits on the biased side of the
    estimate, so the quantiles alone can exclude the very value reported; stretching keeps
    the reported number inside its interval and can only raise the coverage, which the
    coverage simulation in ``benchmarks/coverage.py`` measures. NaN without valid resamples.

    >>> low, high, moved = percentile_interval([0.05], [[0.06], [0.07], [0.08], [0.09]])
    >>> float(low[0]), bool(moved[0])
    (0.05, True)
    """
    estimate = np.atleast_1d(np.asarray(estimate, dtype=float))
    draws = np.asarray(draws, dtype=float).reshape(-1, estimate.size)
    draws = cast(npt.NDArray[np.float64], draws[~np.isnan(draws).any(axis=1)])
    if not len(draws):
        nan = np.full(estimate.size, np.nan)
        return nan, nan.copy(), np.zeros(estimate.size, dtype=bool)
    low, high = np.percentile(draws, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
    extended = (estimate < low) | (estimate > high)
    return np.minimum(low, estimate), np.maximum(high, estimate), extended


def nearest_correlation(corr: npt.ArrayLike, *, tol: float = 1e-10, max_iter: int = 200) -> npt.NDArray[np.float64]:
    """The nearest correlation matrix (unit diagonal, positive semi-definite) in Frobenius norm.

    Higham's (2002) alternating projections with Dykstra's correction: project onto the
    positive semi-definite matrices (negative eigenvalues set to 0) and onto the unit-diagonal
    matrices in turn until the iterates stop moving. A matrix that already is a correlation
    matrix comes back unchanged.

    >>> c = nearest_correlation([[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]])
    >>> bool(np.linalg.eigvalsh(c).min() > -1e-9), np.diag(c).round(6).tolist()
    (True, [1.0, 1.0, 1.0])
    """
    y: npt.NDArray[np.float64] = np.array(corr, dtype=float)
    y = (y + y.T) / 2
    if np.linalg.eigvalsh(y).min() >= 0 and np.allclose(np.diag(y), 1.0):
        return y
    correction = np.zeros_like(y)
    for _ in range(max_iter):
        r = y - correction
        evals, evecs = np.linalg.eigh(r)
        x = (evecs * np.clip(evals, 0.0, None)) @ evecs.T
        correction = x - r
        previous, y = y, x.copy()
        np.fill_diagonal(y, 1.0)
        if np.linalg.norm(y - previous, "fro") <= tol * max(1.0, float(np.linalg.norm(y, "fro"))):
            break
    evals, evecs = np.linalg.eigh((y + y.T) / 2)  # clean rounding below zero, keep the unit diagonal
    y = (evecs * np.clip(evals, 0.0, None)) @ evecs.T
    d = np.sqrt(np.diag(y))
    return cast(npt.NDArray[np.float64], y / np.outer(d, d))


def adjust_p(p: npt.ArrayLike, method: str = "holm") -> npt.NDArray[np.float64]:
    """Adjust p-values for multiple comparisons (``padjust`` names; NaN kept).

    Holm, Bonferroni and Benjamini-Hochberg are computed here (statsmodels' ``multipletests``
    runs a garbage collection on every call, 0.1 s each); the others go to statsmodels.

    Parameters
    ----------
    p : array_like of float
        Raw p-values, one per test of the family (any shape). NaN entries are not tests: they
        stay NaN and do not count towards the family size.
    method : str, default "holm"
        The adjustment, by R's or statsmodels' name, case-insensitive (:data:`PADJUST`):
        ``"holm"``, ``"bonferroni"`` (``"bonf"``), ``"sidak"``, ``"holm-sidak"``,
        ``"hochberg"`` (``"simes-hochberg"``), ``"hommel"``, ``"fdr_bh"`` (``"bh"``,
        ``"fdr"``: Benjamini-Hochberg), ``"fdr_by"`` (``"by"``: Benjamini-Yekutieli) or
        ``"none"`` (the p-values as given).

    Returns
    -------
    numpy.ndarray of float
        The adjusted p-values (a table's ``p_adjusted``), in the shape and order of ``p``,
        never above 1; NaN where ``p`` is NaN.

    Raises
    ------
    ValueError
        ``method`` is not one of the names above (the message lists them).

    Examples
    --------
    >>> adjust_p([0.01, 0.04, 0.03], "holm").round(2).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_p([0.01, 0.04, 0.03], "fdr_bh").round(2).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p, dtype=float)
    method = _padjust_method(method)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if method == "none" or not ok.any():
        out[ok] = p[ok]
        return out
    q = p[ok]
    m = q.size
    if method == "bonferroni":
        adjusted = np.minimum(1.0, q * m)
    elif method == "holm":
        order = np.argsort(q, kind="stable")
        steps = np.maximum.accumulate(q[order] * (m - np.arange(m)))
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(1.0, steps)
    elif method == "fdr_bh":
        order = np.argsort(q, kind="stable")[::-1]
        steps = np.minimum.accumulate(q[order] * m / (m - np.arange(m)))
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(1.0, steps)
    else:
        from statsmodels.stats.multitest import multipletests

        adjusted = multipletests(q, method=method)[1]
    out[ok] = adjusted
    return out


# --------------------------------------------------------------------------- studentized range


@lru_cache(maxsize=8)
def _legendre(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(nodes)


def _gauss_panels(lo: float, hi: float, panels: int, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Composite Gauss-Legendre nodes and weights on [lo, hi]."""
    x, w = _legendre(nodes)
    edges = np.linspace(lo, hi, panels + 1)
    half = np.diff(edges)[:, None] / 2
    mid = (edges[:-1] + edges[1:])[:, None] / 2
    return (mid + half * x).ravel(), (half * w).ravel()


# Grids of the two integrals (chosen against scipy's adaptive values: tests/test_stats.py)
_Z_NODES, _Z_WEIGHTS = _gauss_panels(-7.0, 9.0, 12, 12)  # the largest of k normals
_X_PANEL, _X_NODES = 1.2, 16  # log of the chi-distributed scale: panel width, nodes per panel


def _range_sf(w: np.ndarray, k: int) -> np.ndarray:
    """P(range of k independent standard normals > w), for an array ``w`` >= 0.

    k * integral of phi(z) [Phi(z)^(k-1) - (Phi(z) - Phi(z - w))^(k-1)] dz over the largest
    value z, the difference written with expm1/log1p so that small tail areas keep their digits."""
    from scipy.special import log_ndtr

    z = _Z_NODES
    log_a = log_ndtr(z)  # log Phi(z)
    shape = np.shape(w)
    w = np.asarray(w, dtype=float).reshape(-1, 1)
    ratio = np.exp(log_ndtr(z - w) - log_a)  # Phi(z - w) / Phi(z), in [0, 1]
    with np.errstate(divide="ignore"):
        inner = -np.expm1((k - 1) * np.log1p(-ratio))  # 1 - (1 - ratio)^(k-1)
    dens = k * np.exp(-z * z / 2 - 0.5 * np.log(2 * np.pi) + (k - 1) * log_a)  # density of the largest of k
    return cast(np.ndarray, np.clip(inner @ (dens * _Z_WEIGHTS), 0.0, 1.0).reshape(shape))


def studentized_range_sf(q: npt.ArrayLike, k: int, df: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Upper tail P(Q > q) of the studentized range of ``k`` means with ``df`` degrees of
    freedom, vectorised over ``q`` and ``df`` (``df`` may be fractional, as Welch's is).

    The double integral of ``scipy.stats.studentized_range`` and R's ``ptukey`` on fixed
    composite Gauss-Legendre grids instead of adaptive quadrature: the outer integral runs
    over log s, s the chi-distributed scale, between its 1e-15 and 1 - 1e-15 quantiles; the
    inner over the largest of k normals. With k = 2 it is the t test's two-sided p exactly.
    Within 1e-12 of scipy's values for df below 1e4 and 1e-9 above (where scipy's own
    adaptive integral is the less accurate one; tests/test_stats.py), at about 1 ms per value
    instead of scipy's 5-20 ms.

    >>> round(float(studentized_range_sf(3.5, 3, 12)), 8)  # scipy: 0.06999549
    0.06999549
    """
    from scipy import stats

    q, df = np.broadcast_arrays(np.asarray(q, dtype=float), np.asarray(df, dtype=float))
    out = np.full(q.shape, np.nan)
    flat_q, flat_df, flat_out = q.ravel(), df.ravel(), out.reshape(-1)
    if k < 2:
        return out[()] if out.ndim == 0 else out
    ok = ~np.isnan(flat_q) & (flat_df > 0)
    flat_out[ok & (flat_q <= 0)] = 1.0
    todo = np.flatnonzero(ok & (flat_q > 0))
    if k == 2:  # the range of two means is |difference|: Q = sqrt(2) |t|
        flat_out[todo] = 2 * stats.t.sf(flat_q[todo] / np.sqrt(2), flat_df[todo])
        return out[()] if out.ndim == 0 else out
    for i in todo:
        qi, nu = flat_q[i], flat_df[i]
        if not np.isfinite(qi):
            flat_out[i] = 0.0
            continue
        if not np.isfinite(nu) or nu > 1e7:  # the scale is 1 (to 1e-7)
            flat_out[i] = _range_sf(np.array([qi]), k)[0]
            continue
        lo, hi = np.log(stats.chi2.ppf([1e-15, 1 - 1e-15], nu) / nu) / 2
        x, wx = _gauss_panels(lo, hi, max(8, int(np.ceil((hi - lo) / _X_PANEL))), _X_NODES)
        # density of x = log s, s = sqrt(chi2_nu / nu), i.e. f_s(s) * s, up to its constant:
        # normalised on the grid (its mass outside is 2e-15), since the constant's log is a
        # difference of numbers ~nu log nu that loses digits when df is large
        log_f = nu * x - nu * np.exp(2 * x) / 2
        dens = np.exp(log_f - log_f.max()) * wx
        flat_out[i] = float(np.clip(dens @ _range_sf(qi * np.exp(x), k) / dens.sum(), 0.0, 1.0))
    return out[()] if out.ndim == 0 else out


def studentized_range_isf(alpha: float, k: int, df: float) -> float:
    """The q with ``studentized_range_sf(q, k, df) == alpha`` (Tukey's and Games-Howell's
    critical value), to 1e-10: the secant method from Gleason's (1999) approximation
    (statsmodels' ``qsturng``, off by up to 1.4e-3 relative), about five evaluations; Brent's
    method on a widening bracket when that fails.

    >>> round(studentized_range_isf(0.05, 3, 12), 3)  # tables: q(0.95; 3, 12) = 3.77
    3.773
    """
    from scipy.optimize import brentq, root_scalar

    if not (0 < alpha < 1) or k < 2 or not df > 0:
        return float("nan")
    f: Callable[[float], float] = lambda q: float(studentized_range_sf(q, k, df)) - alpha  # noqa: E731 (decreasing in q)
    guess = 3.0
    if 0.001 <= alpha <= 0.9 and df >= 1 and k <= 200:
        from statsmodels.stats.libqsturng import qsturng

        guess = float(qsturng(1 - alpha, k, min(df, 1e38)))
        found = root_scalar(f, x0=guess, x1=guess * 1.001, method="secant", xtol=1e-11 * guess, rtol=1e-14)
        if found.converged and 0.5 * guess < found.root < 2 * guess and abs(f(found.root)) <= 1e-12:
            return float(found.root)
    lo, hi = guess / 1.5, guess * 1.5
    while f(lo) < 0 and lo > 1e-8:
        lo /= 1.5
    while f(hi) > 0 and hi < 1e8:
        hi *= 1.5
    return float(brentq(f, lo, hi, xtol=1e-12, rtol=1e-12))


# --------------------------------------------------------------------------- separation (logit, ordinal, Cox)


def unbounded_coordinates(
    A_ub: Any,
    objective: np.ndarray,
    coordinates: Iterable[int],
    *,
    bounds: Sequence[tuple[float, float]] | None = None,
    tol: float = 1e-7,
    budget: int = 200,
) -> npt.NDArray[np.bool_]:
    """Which of ``coordinates`` can move in a direction ``x`` with ``A_ub @ x <= 0`` that gains
    ``objective @ x > 0``: the coefficients without a finite maximum-likelihood estimate.

    A model's likelihood has no finite maximum exactly when some direction improves it
    without limit (separation in a logistic or ordinal model, a monotone likelihood in a Cox
    model: Albert & Anderson 1984; Bryson & Johnson 1981). ``A_ub @ x <= 0`` says no
    observation's likelihood falls along ``x``, ``objective @ x`` sums the ones that rise. The
    estimates run off to infinity along a direction inside that cone, so a coefficient is not
    estimable when *any* improving direction moves it: the first linear program finds one
    improving direction (Konis 2007), and each coefficient it leaves at zero gets its own
    maximum and minimum (at most ``budget`` more programs; beyond that the first direction's
    coefficients are reported). ``bounds`` default to [-1, 1] for every variable.
    """
    from scipy.optimize import linprog

    coordinates = list(coordinates)
    flagged = np.zeros(len(coordinates), dtype=bool)
    n = len(objective)
    bounds = bounds or [(-1.0, 1.0)] * n
    b_ub = np.zeros(A_ub.shape[0])
    found = linprog(-objective, A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if found.status != 0 or -found.fun <= tol:
        return flagged
    flagged[:] = np.abs(found.x[coordinates]) > tol
    for i in np.flatnonzero(~flagged)[: budget // 2]:
        for sign in (1.0, -1.0):
            c = np.zeros(n)
            c[coordinates[i]] = -sign
            move = linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs")
            if move.status == 0 and -move.fun > tol:
                flagged[i] = True
                break
    return flagged


def covariance_beside_separation(hessian: np.ndarray) -> np.ndarray:
    """Covariance of the estimable coefficients of a fit that ran off along a separated (or
    monotone) direction: the inverse of the information on its directions of real curvature.

    Far along the separated direction the information there vanishes (its eigenvalues fall
    below 1e-8 of the largest), and the plain inverse is dominated by it, or fails. The
    pseudo-inverse on the remaining eigenvectors gives the estimable coefficients the
    covariance of the model fitted to the data without the separated customers (tested).
    """
    info = -(np.asarray(hessian, dtype=float) + np.asarray(hessian, dtype=float).T) / 2
    values, vectors = np.linalg.eigh(info)
    keep = values > 1e-8 * max(values.max(), 0.0)
    return cast(np.ndarray, (vectors[:, keep] / values[keep]) @ vectors[:, keep].T)


# --------------------------------------------------------------------------- the headline policy


#: The month's headline family: the month-over-month change of each of these KPIs is one test
#: of the family, in every notebook, on the index and in the NPS trend's past months alike.
HEADLINE_FAMILY = (
    "NPS",
    "CSAT mean",
    "CSAT top-2-box share",
    "CES mean",
    "CES low-effort share",
    "review sentiment",
    "churn rate",
)


#: The one sentence every page with a headline change shows.
HEADLINE_POLICY = (
    f"A change from the previous month is called significant when its p-value, Bonferroni-adjusted "
    f"for the month's {len(HEADLINE_FAMILY)} headline KPIs ({', '.join(HEADLINE_FAMILY)}), is below 0.05."
)


def headline_change(p: float | None, *, alpha: float = 0.05) -> dict[str, Any]:
    """The headline family's verdict on one KPI's month-over-month change.

    Bonferroni, not Holm: each notebook judges its own KPIs while the others run in other
    kernels, and Bonferroni gives every page and the index the same answer without waiting for
    the other p-values. Returns ``change_p`` (adjusted; decides), ``change_p_raw``,
    ``significant`` and ``family_size``.

    >>> headline_change(0.016)
    {'change_p': 0.112, 'change_p_raw': 0.016, 'significant': False, 'family_size': 7}
    >>> headline_change(0.0004)["significant"], headline_change(None)["change_p"]
    (True, None)
    """
    k = len(HEADLINE_FAMILY)
    if p is None or not math.isfinite(float(p)):
        return {"change_p": None, "change_p_raw": None, "significant": False, "family_size": k}
    adjusted = min(1.0, float(p) * k)
    return {"change_p": adjusted, "change_p_raw": float(p), "significant": bool(adjusted < alpha), "family_size": k}
