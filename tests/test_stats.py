"""Shared statistics (cxkit/_stats.py): the studentized range distribution.

References: scipy's ``studentized_range`` (adaptive quadrature of the same integral to
1e-11, itself checked against R's ``ptukey`` in scipy's tests) and printed tables of
Tukey's q (Harter 1960; every statistics textbook's appendix).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from cxkit._stats import studentized_range_isf, studentized_range_sf

GRID = [(k, df, q) for k in (2, 3, 5, 10, 20) for df in (1, 1.7, 3.7, 10, 50.5, 1000, 9e4)
        for q in (0.2, 1, 2, 3.5, 5, 8, 14)]


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
    assert all(a > b for a, b in zip(lower, lower[1:])) and lower[2] == pytest.approx(limit, rel=0.2)


def test_studentized_range_sf_edges():
    out = studentized_range_sf(np.array([0.0, np.inf, np.nan, 2.0, 2.0]), 4, np.array([5, 5, 5, np.nan, np.inf]))
    assert out[0] == 1 and out[1] == 0 and np.isnan(out[2]) and np.isnan(out[3])
    # infinite df: the range of k standard normals (scipy's large-df formula)
    assert out[4] == pytest.approx(stats.studentized_range.sf(2.0, 4, 1e6), abs=1e-9)
    assert np.isnan(studentized_range_sf(2.0, 1, 5))


@pytest.mark.parametrize("k, df, table", [(2, 10, 3.15), (3, 12, 3.77), (4, 20, 3.96), (5, 30, 4.10),
                                          (10, 60, 4.65), (3, 120, 3.36)])
def test_studentized_range_isf_matches_printed_tables(k, df, table):
    # q(0.95; k, df) from the printed tables of Tukey's studentized range (2 decimals)
    q = studentized_range_isf(0.05, k, df)
    assert q == pytest.approx(table, abs=0.006)
    assert float(studentized_range_sf(q, k, df)) == pytest.approx(0.05, abs=1e-12)


@pytest.mark.parametrize("alpha, k, df", [(0.05, 3, 2.3), (0.01, 6, 17.5), (0.1, 4, 400), (0.5, 3, 8),
                                          (0.0001, 5, 40), (0.95, 3, 10)])
def test_studentized_range_isf_matches_scipy_ppf(alpha, k, df):
    assert studentized_range_isf(alpha, k, df) == pytest.approx(stats.studentized_range.ppf(1 - alpha, k, df),
                                                                rel=1e-9)
