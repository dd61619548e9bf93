"""The fast key-driver bootstrap (issue 31) against a plain per-resample reference, to 1e-9.

The reference does what the bootstrap means, one resample at a time and with other tools: draw
the rows with ``numpy.random.default_rng(stream).integers(0, n, n)`` from the b-th stream of
``SeedSequence(seed).spawn(B)`` (the documented random stream), take those rows (repeated rows
and all) from the DataFrame, and compute the importances from scratch:

- linear: ``DataFrame.corr()`` of the resampled rows, R² of every subset by ``numpy.linalg.lstsq``
  on that matrix, Shapley/LMG as the average over all orders of entry (itertools.permutations),
  Johnson's relative weights by an eigendecomposition;
- logistic: a statsmodels ``Logit`` per subset on the resampled rows (Newton, tolerance 1e-12),
  McFadden's R², Shapley over all orders of entry.
"""

from __future__ import annotations

import itertools
import math
import os
import warnings

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit import _threads, progress
from cxkit.analysis import drivers as kd


def _ratings(n: int, p: int, seed: int, missing: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.standard_normal((n, 1))
    x = np.clip(np.rint(5 + common + 1.5 * rng.standard_normal((n, p))), 1, 10)
    y = np.clip(np.rint(x @ np.linspace(0.5, 0.05, p) / 1.5 + rng.standard_normal(n)), 0, 10)
    df = pd.DataFrame(x, columns=[f"d{i}" for i in range(p)]).assign(nps=y)
    if missing:
        holes = rng.random(df.shape) < missing
        df = df.mask(holes)
    return df


def _resampled_rows(frame: pd.DataFrame, seed: int, bootstrap: int) -> list[pd.DataFrame]:
    n = len(frame)
    streams = np.random.SeedSequence(seed).spawn(bootstrap)
    return [frame.iloc[np.random.default_rng(s).integers(0, n, n)] for s in streams]


def _orders_shapley(value, p: int) -> np.ndarray:
    """Shapley values of the set function ``value(frozenset)``, averaged over every order."""
    cache: dict = {}

    def v(s):
        if s not in cache:
            cache[s] = value(s)
        return cache[s]

    phi = np.zeros(p)
    for order in itertools.permutations(range(p)):
        have: frozenset = frozenset()
        for j in order:
            phi[j] += v(have | {j}) - v(have)
            have = have | {j}
    return phi / math.factorial(p)


def _lstsq_r2(corr: np.ndarray, subset) -> float:
    idx = sorted(subset)
    if not idx:
        return 0.0
    rxy = corr[idx, -1]
    beta = np.linalg.lstsq(corr[np.ix_(idx, idx)], rxy, rcond=None)[0]
    return float(rxy @ beta)


def _johnson(corr: np.ndarray) -> np.ndarray:
    evals, evecs = np.linalg.eigh(corr[:-1, :-1])
    lam = evecs @ np.diag(np.sqrt(np.clip(evals, 0, None))) @ evecs.T
    beta = np.linalg.solve(lam, corr[:-1, -1])
    return (lam**2) @ (beta**2)


def _reference_linear(rows: list[pd.DataFrame], drivers: list[str], method: str) -> np.ndarray:
    out = []
    for r in rows:
        corr = r[[*drivers, "nps"]].corr().to_numpy()
        if method == "shapley":
            out.append(_orders_shapley(lambda s, c=corr: _lstsq_r2(c, s), len(drivers)))
        else:
            out.append(_johnson(corr))
    return np.array(out)


@pytest.mark.parametrize("method", ["shapley", "relative_weights"])
def test_linear_bootstrap_matches_row_resampling(method):
    df = _ratings(400, 5, seed=1, missing=0.03)
    drivers = [f"d{i}" for i in range(5)]
    data = kd._Data(df, "nps", drivers, missing="listwise", model="auto")
    fit = kd._fit(data, [method], bootstrap=30, seed=11)
    complete = df.dropna().reset_index(drop=True)  # listwise: the resamples draw from the rows used
    expected = _reference_linear(_resampled_rows(complete, 11, 30), drivers, method)
    np.testing.assert_allclose(fit["draws"][method], expected, rtol=0, atol=1e-9)


def test_pairwise_bootstrap_matches_row_resampling():
    df = _ratings(500, 4, seed=2, missing=0.08)
    drivers = [f"d{i}" for i in range(4)]
    data = kd._Data(df, "nps", drivers, missing="pairwise", model="auto")
    fit = kd._fit(data, ["shapley"], bootstrap=25, seed=4)
    assert fit["repaired"] == 0  # every resampled pairwise matrix is a correlation matrix here
    used = df[df["nps"].notna() & df[drivers].notna().any(axis=1)].reset_index(drop=True)
    expected = _reference_linear(_resampled_rows(used, 4, 25), drivers, "shapley")  # .corr() is pairwise
    np.testing.assert_allclose(fit["draws"]["shapley"], expected, rtol=0, atol=1e-9)


def _mcfadden_subsets(r: pd.DataFrame, drivers: list[str], target: str) -> dict:
    import statsmodels.api as sm

    y = r[target].to_numpy(float)
    out = {}
    null = None
    for size in range(len(drivers) + 1):
        for subset in itertools.combinations(range(len(drivers)), size):
            design = np.column_stack([np.ones(len(r)), r[[drivers[i] for i in subset]].to_numpy(float)])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                llf = sm.Logit(y, design).fit(method="newton", tol=1e-12, maxiter=100, disp=False).llf
            null = llf if size == 0 else null
            out[frozenset(subset)] = llf
    return {s: 1.0 - llf / null for s, llf in out.items()}


def test_logistic_bootstrap_matches_statsmodels_per_resample():
    df = _ratings(300, 3, seed=3)
    df["promoter"] = df["nps"] >= 5
    drivers = ["d0", "d1", "d2"]
    data = kd._Data(df, "promoter", drivers, missing="listwise", model="auto")
    fit = kd._fit(data, ["shapley"], bootstrap=6, seed=9)
    expected = []
    for r in _resampled_rows(df, 9, 6):
        r2 = _mcfadden_subsets(r, drivers, "promoter")
        expected.append(_orders_shapley(lambda s, r2=r2: r2[frozenset(s)], 3))
    np.testing.assert_allclose(fit["draws"]["shapley"], np.array(expected), rtol=0, atol=1e-9)


def test_logistic_warm_start_matches_cold_newton_on_small_resamples():
    """Warm-started, accepted early: the same pseudo-R² as Newton from the intercept-only model
    run to a step below 1e-12, on small samples where resamples move the fits most (150 rows,
    8 drivers); resamples that separate the classes are NaN either way."""
    df = _ratings(150, 8, seed=8)
    y = (df["nps"] >= df["nps"].quantile(0.7)).to_numpy(float)
    x = df[[f"d{i}" for i in range(8)]].to_numpy(float)
    n = len(y)
    center = x.mean(axis=0)
    _, start = kd._logistic_subset_fits(x, y, np.ones(n), center=center)
    saved = kd._LOGIT_ACCEPT
    for s in range(12):
        w = np.bincount(np.random.default_rng(s).integers(0, n, n), minlength=n).astype(float)
        fast = kd._logistic_subset_r2(x, y, w, start=start, center=center)
        try:
            kd._LOGIT_ACCEPT = 1e-12  # Newton to convergence
            slow = kd._logistic_subset_r2(x, y, w, center=center)
        finally:
            kd._LOGIT_ACCEPT = saved
        assert np.isnan(fast).all() == np.isnan(slow).all()
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-9)


def test_key_drivers_same_with_one_or_more_threads(monkeypatch):
    df = _ratings(600, 6, seed=5)
    monkeypatch.setenv(_threads.ENV_VAR, "1")
    one = cx.key_drivers(df, "nps", [f"d{i}" for i in range(6)], method="both", bootstrap=40, seed=2)
    monkeypatch.setenv(_threads.ENV_VAR, "3")
    three = cx.key_drivers(df, "nps", [f"d{i}" for i in range(6)], method="both", bootstrap=40, seed=2)
    numeric = one.select_dtypes("number").columns
    np.testing.assert_allclose(one[numeric].to_numpy(float), three[numeric].to_numpy(float), rtol=0, atol=1e-12)


def test_bootstrap_shows_progress_only_when_on(monkeypatch, capsys):
    monkeypatch.setattr(progress, "_tqdm_class", lambda: __import__("tqdm.std").std.tqdm)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    df = _ratings(300, 4, seed=6)
    try:
        cx.set_progress(True)
        cx.key_drivers(df, "nps", [f"d{i}" for i in range(4)], bootstrap=20)
        assert "key drivers: bootstrap" in capsys.readouterr().err
        cx.set_progress(False)
        cx.key_drivers(df, "nps", [f"d{i}" for i in range(4)], bootstrap=20)
        assert capsys.readouterr().err == ""
    finally:
        cx.set_progress(None)


def test_threads_helpers(monkeypatch):
    from threadpoolctl import threadpool_info

    for name in (_threads.ENV_VAR, "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    assert _threads.cores() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")  # the pack's runner caps its kernels' libraries
    assert _threads.cores() == 1
    monkeypatch.setenv(_threads.ENV_VAR, "4")  # cxkit's own setting wins
    assert _threads.cores() == 4 and _threads.workers(2) == 2
    with _threads.blas_threads(1):
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
    seen: list = []
    assert _threads.thread_map(pow, [2, 3, 4], 2, done=seen.append) == [4, 9, 16]
    assert sorted(seen) == [2, 3, 4]
