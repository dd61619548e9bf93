"""Shared statistics (cxkit/_stats.py): the studentized range distribution, Tango's score
interval of a net score, the bootstrap percentile interval and the nearest correlation matrix.

References: scipy's ``studentized_range`` (adaptive quadrature of the same integral to
1e-11, itself checked against R's ``ptukey`` in scipy's tests) and printed tables of
Tukey's q (Harter 1960; every statistics textbook's appendix). Tango's interval: Fagerland,
Lydersen & Laake (2014) via R contingencytables (tests/testthat/test-ch8.R). Nearest
correlation matrix: Higham (2002), "Computing the nearest correlation matrix", IMA J. Numer.
Anal. 22, section 4 example, and a brute-force minimisation over Cholesky factors.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from cxkit._stats import (
    nearest_correlation,
    net_score_interval,
    percentile_interval,
    studentized_range_isf,
    studentized_range_sf,
)

GRID = [
    (k, df, q)
    for k in (2, 3, 5, 10, 20)
    for df in (1, 1.7, 3.7, 10, 50.5, 1000, 9e4)
    for q in (0.2, 1, 2, 3.5, 5, 8, 14)
]


@pytest.mark.parametrize("k", [2, 3, 5, 10, 20])
def test_studentized_range_sf_matches_scipy(k):
    cases = [(df, q) for kk, df, q in GRID if kk == k]
    mine = np.array([studentized_range_sf(q, k, df) for df, q in cases])
    ref = np.array([stats.studentized_range.sf(q, k, df) for df, q in cases])
    # scipy integrates adaptively to an absolute 1e-11 per integral; where P(Q <= q) is tiny
    # (q = 0.2, df = 9e4) its double integral is off by up to 5e-10 (test below), so 1e-9 here
    np.testing.assert_allclose(mine, ref, rtol=0, atol=1e-9)
    # vectorised over q and df at once
    qs, dfs = np.array([q for _, q in cases]), np.array([df for df, _ in cases])
    np.testing.assert_allclose(studentized_range_sf(qs, k, dfs), mine, rtol=0, atol=1e-15)


def test_small_lower_tail_tends_to_the_infinite_df_value():
    # P(Q <= 0.2) for k = 10 grows towards its df = infinity value (the range of 10 standard
    # normals, one integral, where scipy is exact) as df grows; scipy's double integral at
    # df = 9e4 gives 4.4e-12, a hundred times too small.
    limit = 1 - stats.studentized_range.sf(0.2, 10, 1e6)  # scipy's single-integral branch
    lower = [1 - float(studentized_range_sf(0.2, 10, df)) for df in (1e3, 1e4, 9e4, 1e6)]
    assert lower[-1] == pytest.approx(limit, rel=1e-6)
    assert all(a > b for a, b in itertools.pairwise(lower)) and lower[2] == pytest.approx(limit, rel=0.2)


def test_studentized_range_sf_edges():
    out = studentized_range_sf(np.array([0.0, np.inf, np.nan, 2.0, 2.0]), 4, np.array([5, 5, 5, np.nan, np.inf]))
    assert out[0] == 1 and out[1] == 0 and np.isnan(out[2]) and np.isnan(out[3])
    # infinite df: the range of k standard normals (scipy's large-df formula)
    assert out[4] == pytest.approx(stats.studentized_range.sf(2.0, 4, 1e6), abs=1e-9)
    assert np.isnan(studentized_range_sf(2.0, 1, 5))


@pytest.mark.parametrize(
    "k, df, table", [(2, 10, 3.15), (3, 12, 3.77), (4, 20, 3.96), (5, 30, 4.10), (10, 60, 4.65), (3, 120, 3.36)]
)
def test_studentized_range_isf_matches_printed_tables(k, df, table):
    # q(0.95; k, df) from the printed tables of Tukey's studentized range (2 decimals)
    q = studentized_range_isf(0.05, k, df)
    assert q == pytest.approx(table, abs=0.006)
    assert float(studentized_range_sf(q, k, df)) == pytest.approx(0.05, abs=1e-12)


@pytest.mark.parametrize(
    "alpha, k, df", [(0.05, 3, 2.3), (0.01, 6, 17.5), (0.1, 4, 400), (0.5, 3, 8), (0.0001, 5, 40), (0.95, 3, 10)]
)
def test_studentized_range_isf_matches_scipy_ppf(alpha, k, df):
    assert studentized_range_isf(alpha, k, df) == pytest.approx(stats.studentized_range.ppf(1 - alpha, k, df), rel=1e-9)


# --------------------------------------------------------------------------- intervals and matrices


def test_net_score_interval_reference_and_edges():
    # Cavo et al. (2012) paired table [[59, 6], [16, 80]]: Tango 95% CI -0.1240 to -0.0054
    low, high = net_score_interval(6, 16, 161)
    assert (round(float(low), 4), round(float(high), 4)) == (-0.1240, -0.0054)
    low, high = net_score_interval([3, 0, 0], [0, 3, 0], [3, 3, 0])
    assert high[0] == 1 and low[1] == -1  # all promoters / all detractors: the bound is the estimate
    assert np.isnan(low[2]) and np.isnan(high[2])  # no responses, no interval
    # symmetric counts give a symmetric interval, and 90% a narrower one than 95%
    lo95, hi95 = net_score_interval(10, 10, 29)
    lo90, hi90 = net_score_interval(10, 10, 29, alpha=0.10)
    assert float(lo95) == pytest.approx(-float(hi95)) and lo95 < lo90 < 0 < hi90 < hi95


def test_percentile_interval_is_numpys_and_stretches_to_the_estimate():
    draws = np.random.default_rng(0).normal(size=(500, 2))
    low, high, moved = percentile_interval([0.0, 5.0], draws, alpha=0.1)
    ref = np.percentile(draws, [5, 95], axis=0)
    assert low[0] == ref[0, 0] and high[0] == ref[1, 0] and not moved[0]
    assert low[1] == ref[0, 1] and high[1] == 5.0 and moved[1]  # 5 lies above every draw
    with_nan = np.vstack([draws, [[np.nan, 1.0]]])
    assert percentile_interval([0.0, 5.0], with_nan, alpha=0.1)[0][0] == low[0]  # incomplete resamples left out
    assert np.isnan(percentile_interval([1.0], np.empty((0, 1)))[0]).all()


def test_nearest_correlation_matches_higham_and_brute_force():
    from scipy.optimize import minimize

    a = np.array([[2, -1, 0, 0], [-1, 2, -1, 0], [0, -1, 2, -1], [0, 0, -1, 2]], dtype=float)
    got = nearest_correlation(a)
    higham = np.array(
        [
            [1, -0.8084, 0.1916, 0.1068],
            [-0.8084, 1, -0.6562, 0.1916],
            [0.1916, -0.6562, 1, -0.8084],
            [0.1068, 0.1916, -0.8084, 1],
        ]
    )  # Higham (2002), section 4
    assert got == pytest.approx(higham, abs=5e-5)

    # brute force: a correlation matrix is L L' with unit rows of L; minimise the distance over L
    def distance(flat):
        rows = flat.reshape(4, 4)
        rows = rows / np.linalg.norm(rows, axis=1, keepdims=True)
        return np.sum((rows @ rows.T - a) ** 2)

    best = min(
        (
            minimize(distance, np.random.default_rng(s).normal(size=16), method="BFGS", options={"gtol": 1e-10})
            for s in range(3)
        ),
        key=lambda r: r.fun,
    )
    rows = best.x.reshape(4, 4)
    rows = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    assert got == pytest.approx(rows @ rows.T, abs=1e-4)
    ok = np.array([[1, 0.3], [0.3, 1]])
    assert nearest_correlation(ok) == pytest.approx(ok)  # already a correlation matrix: unchanged
