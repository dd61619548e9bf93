"""Weighted key drivers and weighted KPIs against brute-force weighted computations."""

from __future__ import annotations

from itertools import permutations

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit._stats import net_score_interval

DRIVERS = ["support", "price", "quality", "delivery"]


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 400
    x = rng.normal(size=(n, 4)) @ np.array([[1, 0.3, 0.2, 0], [0, 1, 0.4, 0.1], [0, 0, 1, 0.3], [0, 0, 0, 1]])
    y = x @ np.array([0.8, 0.4, 0.6, 0.1]) + rng.normal(scale=1.5, size=n)
    df = pd.DataFrame(x, columns=DRIVERS)
    df["nps"] = y
    df["w"] = rng.choice([0.5, 1.0, 2.0, 3.0], n)  # whole multiples of 0.5: replication is exact
    return df


def _weighted_r2(df: pd.DataFrame, cols: list[str], w: np.ndarray) -> float:
    """R² of weighted least squares of nps on ``cols`` (with intercept), by lstsq on sqrt(w) rows."""
    if not cols:
        return 0.0
    X = np.column_stack([np.ones(len(df)), df[cols].to_numpy()])
    y = df["nps"].to_numpy()
    sw = np.sqrt(w)
    beta = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]
    resid = y - X @ beta
    ybar = np.average(y, weights=w)
    return 1 - (w @ resid**2) / (w @ (y - ybar) ** 2)


def test_weighted_lmg_equals_brute_force_over_all_orderings(survey):
    w = survey["w"].to_numpy()
    gains = dict.fromkeys(DRIVERS, 0.0)
    orders = list(permutations(DRIVERS))
    for order in orders:  # LMG: the R² gain of each driver, averaged over every order of entry
        for k, d in enumerate(order):
            gains[d] += _weighted_r2(survey, list(order[: k + 1]), w) - _weighted_r2(survey, list(order[:k]), w)
    brute = {d: g / len(orders) for d, g in gains.items()}
    kd = cx.key_drivers(survey, "nps", DRIVERS, bootstrap=0, weights="w").set_index("driver")
    for d in DRIVERS:
        assert kd.loc[d, "importance"] == pytest.approx(brute[d], rel=1e-10)
    assert kd["r2"].iloc[0] == pytest.approx(_weighted_r2(survey, DRIVERS, w), rel=1e-10)
    unweighted = cx.key_drivers(survey, "nps", DRIVERS, bootstrap=0).set_index("driver")
    assert not np.allclose(unweighted.loc[DRIVERS, "importance"], kd.loc[DRIVERS, "importance"])


def test_weighted_relative_weights_equal_johnson_on_the_weighted_correlations(survey):
    w = survey["w"].to_numpy()
    values = survey[[*DRIVERS, "nps"]].to_numpy()
    cov = np.cov(values, rowvar=False, aweights=w)
    r = cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
    rxx, rxy = r[:-1, :-1], r[:-1, -1]
    evals, evecs = np.linalg.eigh(rxx)  # Johnson (2000): Lambda = Rxx^(1/2)
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    beta = np.linalg.solve(lam, rxy)
    brute = (lam**2) @ (beta**2)
    kd = cx.key_drivers(survey, "nps", DRIVERS, bootstrap=0, weights="w", method="relative_weights")
    got = kd.set_index("driver").loc[DRIVERS, "importance"].to_numpy()
    np.testing.assert_allclose(got, brute, rtol=1e-10)


def test_weights_act_as_replication_in_the_point_estimate(survey):
    # weights 0.5, 1, 2, 3 -> 1, 2, 4, 6 copies: the same weighted correlations and means
    copies = survey.loc[survey.index.repeat((survey["w"] * 2).astype(int))]
    kd = cx.key_drivers(survey, "nps", DRIVERS, bootstrap=0, weights="w").set_index("driver")
    rep = cx.key_drivers(copies, "nps", DRIVERS, bootstrap=0).set_index("driver")
    np.testing.assert_allclose(kd.loc[DRIVERS, "importance"], rep.loc[DRIVERS, "importance"], rtol=1e-10)
    np.testing.assert_allclose(kd.loc[DRIVERS, "performance"], rep.loc[DRIVERS, "performance"], rtol=1e-12)
    for d in DRIVERS:
        assert kd.loc[d, "performance"] == pytest.approx(np.average(survey[d], weights=survey["w"]))


def test_unit_weights_change_nothing_and_the_bootstrap_keeps_the_weights(survey):
    ones = survey.assign(w=1.0)
    a = cx.key_drivers(ones, "nps", DRIVERS, bootstrap=40, seed=3)
    b = cx.key_drivers(ones, "nps", DRIVERS, bootstrap=40, seed=3, weights="w")
    cols = ["importance", "share", "ci_low", "ci_high", "prob_first", "performance", "performance_ci_low"]
    np.testing.assert_allclose(a[cols].to_numpy(float), b[cols].to_numpy(float), rtol=1e-9, atol=1e-12)
    weighted = cx.key_drivers(survey, "nps", DRIVERS, bootstrap=40, seed=3, weights="w")
    assert weighted.attrs["weights"] == "w"
    assert weighted.attrs["n_eff"] == pytest.approx(survey["w"].sum() ** 2 / (survey["w"] ** 2).sum())
    assert (weighted["ci_low"] <= weighted["share"]).all() and (weighted["share"] <= weighted["ci_high"]).all()


def test_weights_refused_for_a_binary_target(survey):
    with pytest.raises(ValueError, match="linear target only"):
        cx.key_drivers(survey.assign(promoter=survey["nps"] > 1), "promoter", DRIVERS, bootstrap=0, weights="w")


def test_weighted_nps_by_hand_with_kish_n():
    scores = np.array([10, 9, 8, 7, 6, 3, 10, 0, 9, 5] * 6)
    w = np.tile([2.0, 1.0, 1.0, 0.5, 1.0, 3.0, 1.0, 1.0, 0.5, 1.0], 6)
    df = pd.DataFrame({"nps": scores, "w": w})
    got = cx.nps(df, weights="w").iloc[0]
    p = w[scores >= 9].sum() / w.sum()
    d = w[scores <= 6].sum() / w.sum()
    n_eff = w.sum() ** 2 / (w**2).sum()
    assert got["nps"] == pytest.approx(100 * (p - d))
    assert got["n_eff"] == pytest.approx(n_eff)
    low, high = net_score_interval(p * n_eff, d * n_eff, n_eff)
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((100 * low, 100 * high))


def test_kpi_trend_shows_the_effective_n_with_weights():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "responded_at": pd.to_datetime("2026-09-01") + pd.to_timedelta(rng.integers(0, 60, 500), "D"),
            "nps": rng.integers(0, 11, 500),
            "w": rng.uniform(0.5, 2, 500),
        }
    )
    plain = cx.kpi_trend(df, "nps", month="2026-10")
    assert "n_eff" not in plain.columns
    weighted = cx.kpi_trend(df, "nps", month="2026-10", weights="w")
    for period, part in df.groupby(df["responded_at"].dt.strftime("%Y-%m")):
        row = weighted[weighted["period"] == period].iloc[0]
        assert row["n_eff"] == pytest.approx(part["w"].sum() ** 2 / (part["w"] ** 2).sum())
    assert cx.kpi_headline(weighted)["n_eff"] == pytest.approx(weighted["n_eff"].iloc[-1])
