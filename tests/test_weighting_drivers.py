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


# --------------------------------------------------------------------------- binary target


@pytest.fixture(scope="module")
def binary(survey) -> pd.DataFrame:
    """A 0/1 target from the drivers (a promoter flag), on 300 rows and three drivers."""
    rng = np.random.default_rng(5)
    part = survey.iloc[:300].copy()
    eta = part[DRIVERS[:3]].to_numpy() @ np.array([0.9, 0.4, 0.6]) - 0.2
    part["promoter"] = (rng.random(len(part)) < 1 / (1 + np.exp(-eta))).astype(int)
    return part


def _mcfadden(df: pd.DataFrame, cols: list[str], w: np.ndarray) -> float:
    """McFadden's pseudo-R² of the weighted logistic fit of promoter on ``cols``: statsmodels
    GLM (Binomial) with freq_weights, its log-likelihood against the intercept-only model's."""
    import statsmodels.api as sm

    if not cols:
        return 0.0
    X = sm.add_constant(df[cols].to_numpy())
    fit = sm.GLM(df["promoter"].to_numpy(), X, family=sm.families.Binomial(), freq_weights=w).fit(tol=1e-12)
    null = sm.GLM(df["promoter"].to_numpy(), np.ones((len(df), 1)), family=sm.families.Binomial(), freq_weights=w)
    return 1.0 - fit.llf / null.fit(tol=1e-12).llf


def _brute_shapley(df: pd.DataFrame, drivers: list[str], w: np.ndarray) -> dict[str, float]:
    """Shapley values of McFadden's R²: each driver's gain averaged over every order of entry."""
    r2 = {}
    gains = dict.fromkeys(drivers, 0.0)
    orders = list(permutations(drivers))
    for order in orders:
        for k, d in enumerate(order):
            for cols in (order[: k + 1], order[:k]):
                key = frozenset(cols)
                if key not in r2:
                    r2[key] = _mcfadden(df, [c for c in drivers if c in key], w)
            gains[d] += r2[frozenset(order[: k + 1])] - r2[frozenset(order[:k])]
    return {d: g / len(orders) for d, g in gains.items()}


def test_weighted_logistic_shapley_equals_brute_force_glm(binary):
    w = binary["w"].to_numpy()
    brute = _brute_shapley(binary, DRIVERS[:3], w)
    kd = cx.key_drivers(binary, "promoter", DRIVERS[:3], bootstrap=0, weights="w").set_index("driver")
    for d in DRIVERS[:3]:
        # cxkit's Newton stops at a step of 1e-4 and adds half the step's gain: R² within 1e-9
        assert kd.loc[d, "importance"] == pytest.approx(brute[d], abs=1e-9)
    assert kd["r2"].iloc[0] == pytest.approx(_mcfadden(binary, DRIVERS[:3], w), abs=1e-9)
    plain = cx.key_drivers(binary, "promoter", DRIVERS[:3], bootstrap=0).set_index("driver")
    assert not np.allclose(plain.loc[DRIVERS[:3], "importance"], kd.loc[DRIVERS[:3], "importance"], rtol=1e-3)


def test_whole_weights_are_replicated_rows_for_both_logistic_methods(binary):
    # a weight of 2 or 3 (the survey's 1.0, 2.0, 3.0 rows) counts the row twice or three times:
    # the weighted likelihood and weighted correlations are those of the replicated rows
    whole = binary[binary["w"] >= 1].copy()
    replicated = whole.loc[whole.index.repeat(whole["w"].astype(int))]
    for method in ("shapley", "relative_weights"):
        weighted = cx.key_drivers(whole, "promoter", DRIVERS[:3], bootstrap=0, method=method, weights="w")
        rows = cx.key_drivers(replicated, "promoter", DRIVERS[:3], bootstrap=0, method=method)
        np.testing.assert_allclose(weighted["importance"], rows["importance"], rtol=1e-7, atol=1e-10)


def test_weighted_logistic_bootstrap_refits_each_resample_with_its_weights(binary):
    from cxkit.analysis.drivers import _Data, _importance, _resample_counts

    data = _Data(binary, "promoter", DRIVERS[:3], missing="listwise", model="auto", weights="w")
    _importance(data, "shapley")  # the point estimate: its fits warm-start the resample's
    counts = _resample_counts(np.random.SeedSequence(7).spawn(1), data.n)[0]
    got = _importance(data, "shapley", counts)[0]
    drawn = counts > 0
    brute = _brute_shapley(binary[drawn], DRIVERS[:3], (counts * binary["w"].to_numpy())[drawn])
    np.testing.assert_allclose(got, [brute[d] for d in DRIVERS[:3]], atol=1e-9)


def test_constant_logistic_weights_change_nothing_and_one_step_agrees(binary):
    plain = cx.key_drivers(binary, "promoter", DRIVERS[:3], bootstrap=30, seed=2, bootstrap_method="exact")
    doubled = cx.key_drivers(
        binary.assign(w=2.0), "promoter", DRIVERS[:3], bootstrap=30, seed=2, bootstrap_method="exact", weights="w"
    )
    cols = ["importance", "share", "ci_low", "ci_high", "prob_first"]
    np.testing.assert_allclose(plain[cols].to_numpy(float), doubled[cols].to_numpy(float), rtol=1e-7, atol=1e-9)
    # the one-step bootstrap expands the weighted likelihood: its intervals near the refitted ones
    exact = cx.key_drivers(binary, "promoter", DRIVERS[:3], bootstrap=60, seed=4, bootstrap_method="exact", weights="w")
    step = cx.key_drivers(
        binary, "promoter", DRIVERS[:3], bootstrap=60, seed=4, bootstrap_method="one-step", weights="w"
    )
    assert step.attrs["bootstrap_method"] == "one-step" and exact.attrs["bootstrap_method"] == "exact"
    width = (exact["ci_high"] - exact["ci_low"]).to_numpy()
    np.testing.assert_allclose(step["ci_low"], exact["ci_low"], atol=0.1 * width.max())
    np.testing.assert_allclose(step["ci_high"], exact["ci_high"], atol=0.1 * width.max())


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
