"""Key-driver analysis against R references, brute force and the sample's planted truth.

References (each reproduced to 1e-6):
- R ``swiss`` (datasets package; Mosteller & Tukey 1977, "Data Analysis and Regression"; the R
  documentation ``?swiss``), Fertility on all five: LMG (relaimpo::calc.relimp(type = "lmg"),
  Grömping 2006) Agriculture 0.057091, Examination 0.171173, Education 0.260135, Catholic
  0.105570, Infant.Mortality 0.112766, R^2 0.706735 (issue #4).
- R ``mtcars`` (datasets package; Henderson & Velleman 1981, Motor Trend 1974; the R
  documentation ``?mtcars``), mpg ~ cyl + disp + hp + gear: Johnson (2000) relative weights hp
  0.2321744, cyl 0.2284797, disp 0.2221469, gear 0.0963886 (issue #4).
Both data sets are copied below as literals (47 and 32 rows), as R prints them.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.analysis.drivers import _lmg, _subset_r2
from cxkit.pack import nps_drivers as nd

SWISS_ROWS = [  # canton, Fertility, Agriculture, Examination, Education, Catholic, Infant.Mortality
    ("Courtelary", 80.2, 17, 15, 12, 9.96, 22.2),
    ("Delemont", 83.1, 45.1, 6, 9, 84.84, 22.2),
    ("Franches-Mnt", 92.5, 39.7, 5, 5, 93.4, 20.2),
    ("Moutier", 85.8, 36.5, 12, 7, 33.77, 20.3),
    ("Neuveville", 76.9, 43.5, 17, 15, 5.16, 20.6),
    ("Porrentruy", 76.1, 35.3, 9, 7, 90.57, 26.6),
    ("Broye", 83.8, 70.2, 16, 7, 92.85, 23.6),
    ("Glane", 92.4, 67.8, 14, 8, 97.16, 24.9),
    ("Gruyere", 82.4, 53.3, 12, 7, 97.67, 21),
    ("Sarine", 82.9, 45.2, 16, 13, 91.38, 24.4),
    ("Veveyse", 87.1, 64.5, 14, 6, 98.61, 24.5),
    ("Aigle", 64.1, 62, 21, 12, 8.52, 16.5),
    ("Aubonne", 66.9, 67.5, 14, 7, 2.27, 19.1),
    ("Avenches", 68.9, 60.7, 19, 12, 4.43, 22.7),
    ("Cossonay", 61.7, 69.3, 22, 5, 2.82, 18.7),
    ("Echallens", 68.3, 72.6, 18, 2, 24.2, 21.2),
    ("Grandson", 71.7, 34, 17, 8, 3.3, 20),
    ("Lausanne", 55.7, 19.4, 26, 28, 12.11, 20.2),
    ("La Vallee", 54.3, 15.2, 31, 20, 2.15, 10.8),
    ("Lavaux", 65.1, 73, 19, 9, 2.84, 20),
    ("Morges", 65.5, 59.8, 22, 10, 5.23, 18),
    ("Moudon", 65, 55.1, 14, 3, 4.52, 22.4),
    ("Nyone", 56.6, 50.9, 22, 12, 15.14, 16.7),
    ("Orbe", 57.4, 54.1, 20, 6, 4.2, 15.3),
    ("Oron", 72.5, 71.2, 12, 1, 2.4, 21),
    ("Payerne", 74.2, 58.1, 14, 8, 5.23, 23.8),
    ("Paysd'enhaut", 72, 63.5, 6, 3, 2.56, 18),
    ("Rolle", 60.5, 60.8, 16, 10, 7.72, 16.3),
    ("Vevey", 58.3, 26.8, 25, 19, 18.46, 20.9),
    ("Yverdon", 65.4, 49.5, 15, 8, 6.1, 22.5),
    ("Conthey", 75.5, 85.9, 3, 2, 99.71, 15.1),
    ("Entremont", 69.3, 84.9, 7, 6, 99.68, 19.8),
    ("Herens", 77.3, 89.7, 5, 2, 100, 18.3),
    ("Martigwy", 70.5, 78.2, 12, 6, 98.96, 19.4),
    ("Monthey", 79.4, 64.9, 7, 3, 98.22, 20.2),
    ("St Maurice", 65, 75.9, 9, 9, 99.06, 17.8),
    ("Sierre", 92.2, 84.6, 3, 3, 99.46, 16.3),
    ("Sion", 79.3, 63.1, 13, 13, 96.83, 18.1),
    ("Boudry", 70.4, 38.4, 26, 12, 5.62, 20.3),
    ("La Chauxdfnd", 65.7, 7.7, 29, 11, 13.79, 20.5),
    ("Le Locle", 72.7, 16.7, 22, 13, 11.22, 18.9),
    ("Neuchatel", 64.4, 17.6, 35, 32, 16.92, 23),
    ("Val de Ruz", 77.6, 37.6, 15, 7, 4.97, 20),
    ("ValdeTravers", 67.6, 18.7, 25, 7, 8.65, 19.5),
    ("V. De Geneve", 35, 1.2, 37, 53, 42.34, 18),
    ("Rive Droite", 44.7, 46.6, 16, 29, 50.43, 18.2),
    ("Rive Gauche", 42.8, 27.7, 22, 29, 58.33, 19.3),
]

MTCARS_ROWS = [  # model, mpg, cyl, disp, hp, drat, wt, qsec, vs, am, gear, carb
    ("Mazda RX4", 21, 6, 160, 110, 3.9, 2.62, 16.46, 0, 1, 4, 4),
    ("Mazda RX4 Wag", 21, 6, 160, 110, 3.9, 2.875, 17.02, 0, 1, 4, 4),
    ("Datsun 710", 22.8, 4, 108, 93, 3.85, 2.32, 18.61, 1, 1, 4, 1),
    ("Hornet 4 Drive", 21.4, 6, 258, 110, 3.08, 3.215, 19.44, 1, 0, 3, 1),
    ("Hornet Sportabout", 18.7, 8, 360, 175, 3.15, 3.44, 17.02, 0, 0, 3, 2),
    ("Valiant", 18.1, 6, 225, 105, 2.76, 3.46, 20.22, 1, 0, 3, 1),
    ("Duster 360", 14.3, 8, 360, 245, 3.21, 3.57, 15.84, 0, 0, 3, 4),
    ("Merc 240D", 24.4, 4, 146.7, 62, 3.69, 3.19, 20, 1, 0, 4, 2),
    ("Merc 230", 22.8, 4, 140.8, 95, 3.92, 3.15, 22.9, 1, 0, 4, 2),
    ("Merc 280", 19.2, 6, 167.6, 123, 3.92, 3.44, 18.3, 1, 0, 4, 4),
    ("Merc 280C", 17.8, 6, 167.6, 123, 3.92, 3.44, 18.9, 1, 0, 4, 4),
    ("Merc 450SE", 16.4, 8, 275.8, 180, 3.07, 4.07, 17.4, 0, 0, 3, 3),
    ("Merc 450SL", 17.3, 8, 275.8, 180, 3.07, 3.73, 17.6, 0, 0, 3, 3),
    ("Merc 450SLC", 15.2, 8, 275.8, 180, 3.07, 3.78, 18, 0, 0, 3, 3),
    ("Cadillac Fleetwood", 10.4, 8, 472, 205, 2.93, 5.25, 17.98, 0, 0, 3, 4),
    ("Lincoln Continental", 10.4, 8, 460, 215, 3, 5.424, 17.82, 0, 0, 3, 4),
    ("Chrysler Imperial", 14.7, 8, 440, 230, 3.23, 5.345, 17.42, 0, 0, 3, 4),
    ("Fiat 128", 32.4, 4, 78.7, 66, 4.08, 2.2, 19.47, 1, 1, 4, 1),
    ("Honda Civic", 30.4, 4, 75.7, 52, 4.93, 1.615, 18.52, 1, 1, 4, 2),
    ("Toyota Corolla", 33.9, 4, 71.1, 65, 4.22, 1.835, 19.9, 1, 1, 4, 1),
    ("Toyota Corona", 21.5, 4, 120.1, 97, 3.7, 2.465, 20.01, 1, 0, 3, 1),
    ("Dodge Challenger", 15.5, 8, 318, 150, 2.76, 3.52, 16.87, 0, 0, 3, 2),
    ("AMC Javelin", 15.2, 8, 304, 150, 3.15, 3.435, 17.3, 0, 0, 3, 2),
    ("Camaro Z28", 13.3, 8, 350, 245, 3.73, 3.84, 15.41, 0, 0, 3, 4),
    ("Pontiac Firebird", 19.2, 8, 400, 175, 3.08, 3.845, 17.05, 0, 0, 3, 2),
    ("Fiat X1-9", 27.3, 4, 79, 66, 4.08, 1.935, 18.9, 1, 1, 4, 1),
    ("Porsche 914-2", 26, 4, 120.3, 91, 4.43, 2.14, 16.7, 0, 1, 5, 2),
    ("Lotus Europa", 30.4, 4, 95.1, 113, 3.77, 1.513, 16.9, 1, 1, 5, 2),
    ("Ford Pantera L", 15.8, 8, 351, 264, 4.22, 3.17, 14.5, 0, 1, 5, 4),
    ("Ferrari Dino", 19.7, 6, 145, 175, 3.62, 2.77, 15.5, 0, 1, 5, 6),
    ("Maserati Bora", 15, 8, 301, 335, 3.54, 3.57, 14.6, 0, 1, 5, 8),
    ("Volvo 142E", 21.4, 4, 121, 109, 4.11, 2.78, 18.6, 1, 1, 4, 2),
]


@pytest.fixture(scope="module")
def swiss() -> pd.DataFrame:
    return pd.DataFrame(
        SWISS_ROWS,
        columns=["canton", "Fertility", "Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"],
    )


@pytest.fixture(scope="module")
def mtcars() -> pd.DataFrame:
    return pd.DataFrame(
        MTCARS_ROWS, columns=["model", "mpg", "cyl", "disp", "hp", "drat", "wt", "qsec", "vs", "am", "gear", "carb"]
    )


# 47 cantons for 5 drivers is below the 10-per-driver rule of thumb: that warning is expected here
pytestmark = pytest.mark.filterwarnings("ignore:only .* responses for:UserWarning")

SWISS_DRIVERS = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]


# --------------------------------------------------------------------------- R references


def test_swiss_lmg_matches_relaimpo(swiss):
    kd = cx.key_drivers(swiss, "Fertility", SWISS_DRIVERS, bootstrap=0)
    got = kd.set_index("driver")["importance"]
    # relaimpo LMG, R swiss (issue #4)
    expected = {
        "Agriculture": 0.057091,
        "Examination": 0.171173,
        "Education": 0.260135,
        "Catholic": 0.105570,
        "Infant.Mortality": 0.112766,
    }
    for driver, value in expected.items():
        assert got[driver] == pytest.approx(value, abs=1e-6)
    assert kd.attrs["r2"] == pytest.approx(0.706735, abs=1e-6)
    assert kd["rank"].tolist() == [1, 2, 3, 4, 5]
    assert kd["driver"].tolist() == ["Education", "Examination", "Infant.Mortality", "Catholic", "Agriculture"]


def test_mtcars_relative_weights_match_johnson(mtcars):
    # mtcars is a real case where the methods disagree (LMG puts cyl first), and the result says so
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kd = cx.key_drivers(mtcars, "mpg", ["cyl", "disp", "hp", "gear"], method="relative_weights", bootstrap=0)
    messages = " ".join(str(w.message) for w in caught)
    assert "methods disagree on the top driver (relative weights: hp, shapley: cyl)" in messages
    assert kd.attrs["warnings"] and "VIF > 5" in messages
    got = kd.set_index("driver")["importance"]
    # Johnson's relative weights, R mtcars (issue #4)
    expected = {"hp": 0.2321744, "cyl": 0.2284797, "disp": 0.2221469, "gear": 0.0963886}
    for driver, value in expected.items():
        assert got[driver] == pytest.approx(value, abs=1e-6)
    # the weights add up to the model's R^2 (lm(mpg ~ cyl + disp + hp + gear): 0.7791896)
    assert got.sum() == pytest.approx(0.7791896, abs=1e-6)


def test_vif_matches_statsmodels(mtcars):
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    cols = ["cyl", "disp", "hp", "gear"]
    exog = np.column_stack([np.ones(len(mtcars)), mtcars[cols].to_numpy(float)])
    expected = [variance_inflation_factor(exog, i + 1) for i in range(len(cols))]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kd = cx.key_drivers(mtcars, "mpg", cols, bootstrap=0).set_index("driver")
    assert "VIF > 5: cyl (7.7), disp (7.3), hp (6.2)" in " ".join(str(w.message) for w in caught)
    assert kd.loc[cols, "vif"].tolist() == pytest.approx(expected, rel=1e-9)


# --------------------------------------------------------------------------- brute force


def _r2_lstsq(x: np.ndarray, y: np.ndarray, cols) -> float:
    design = np.column_stack([np.ones(len(y)), x[:, list(cols)]])
    resid = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return 1 - resid @ resid / ((y - y.mean()) @ (y - y.mean()))


def test_lmg_equals_average_over_all_orderings():
    # Brute force: fit OLS for every subset, average each driver's R^2 gain over all 6! = 720 orders.
    rng = np.random.default_rng(11)
    n, p = 150, 6
    common = rng.standard_normal((n, 1))
    x = common + rng.standard_normal((n, p))
    y = x @ rng.uniform(-1, 1, p) + 2 * rng.standard_normal(n)
    r2 = {frozenset(s): _r2_lstsq(x, y, s) for k in range(p + 1) for s in itertools.combinations(range(p), k)}
    brute = np.zeros(p)
    for order in itertools.permutations(range(p)):
        seen: set = set()
        for j in order:
            brute[j] += r2[frozenset(seen | {j})] - r2[frozenset(seen)]
            seen.add(j)
    brute /= math.factorial(p)
    df = pd.DataFrame(x, columns=[f"d{i}" for i in range(p)]).assign(y=y)
    kd = cx.key_drivers(df, "y", [f"d{i}" for i in range(p)], bootstrap=0).set_index("driver")
    assert kd.loc[[f"d{i}" for i in range(p)], "importance"].to_numpy() == pytest.approx(brute, abs=1e-12)
    # every subset's R^2 from the sweep tree equals a direct least-squares fit
    tree = _subset_r2(np.corrcoef(np.column_stack([x, y]), rowvar=False))
    for mask in range(2**p):
        assert tree[mask] == pytest.approx(r2[frozenset(i for i in range(p) if mask >> i & 1)], abs=1e-12)


def test_exact_for_twenty_drivers():
    # With uncorrelated drivers every order gives driver i the same gain r_i^2, so LMG = r_i^2 exactly.
    p = 20
    r = np.linspace(0.02, 0.2, p)
    corr = np.eye(p + 1)
    corr[:-1, -1] = corr[-1, :-1] = r
    imp, r2 = _lmg(corr)
    assert imp == pytest.approx(r**2, abs=1e-12)
    assert r2 == pytest.approx((r**2).sum(), abs=1e-12)
    # correlated drivers: the parts still add up to the full R^2, and match relative weights closely
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3000, 1)) + rng.standard_normal((3000, p))
    y = x @ rng.uniform(0, 1, p) + rng.standard_normal(3000)
    df = pd.DataFrame(x, columns=[f"d{i:02d}" for i in range(p)]).assign(y=y)
    kd = cx.key_drivers(df, "y", [f"d{i:02d}" for i in range(p)], bootstrap=0, method="both")
    shap = kd[kd["method"] == "shapley"]
    assert shap["importance"].sum() == pytest.approx(_r2_lstsq(x, y, range(p)), abs=1e-10)
    rw = kd[kd["method"] == "relative_weights"].set_index("driver")["importance"]
    assert np.abs(shap.set_index("driver")["importance"] - rw).max() < 0.01


def test_beyond_the_exact_limit_refuses_clearly():
    p = cx.MAX_EXACT_DRIVERS + 1
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.standard_normal((500, p + 1)), columns=[f"d{i}" for i in range(p)] + ["y"])
    with pytest.raises(ValueError, match="exceeds the limit of 22.*relative_weights"):
        cx.key_drivers(df, "y", [f"d{i}" for i in range(p)], bootstrap=0)
    kd = cx.key_drivers(df, "y", [f"d{i}" for i in range(p)], method="relative_weights", bootstrap=0)
    assert len(kd) == p  # no driver is dropped


# --------------------------------------------------------------------------- binary target


def test_logistic_shapley_uses_mcfadden_and_brute_force():
    import statsmodels.api as sm

    rng = np.random.default_rng(2)
    n = 400
    x = rng.normal(5, 2, (n, 3)) + rng.normal(0, 1, (n, 1))
    prob = 1 / (1 + np.exp(-(-4 + x @ np.array([0.5, 0.3, 0.1]))))
    y = rng.random(n) < prob
    df = pd.DataFrame(x, columns=["a", "b", "c"]).assign(promoter=y)

    def mcfadden(cols):
        if not cols:
            return 0.0
        return sm.Logit(y.astype(float), sm.add_constant(x[:, list(cols)])).fit(disp=0).prsquared

    # brute force: average McFadden gain over the 3! orders, each model fitted by statsmodels
    fits = {frozenset(s): mcfadden(s) for k in range(4) for s in itertools.combinations(range(3), k)}
    brute = np.zeros(3)
    for order in itertools.permutations(range(3)):
        seen: set = set()
        for j in order:
            brute[j] += fits[frozenset(seen | {j})] - fits[frozenset(seen)]
            seen.add(j)
    brute /= 6
    kd = cx.key_drivers(df, "promoter", ["a", "b", "c"], bootstrap=0)
    assert kd.attrs["model"] == "logistic" and "McFadden" in kd.attrs["r2_kind"]
    assert kd.set_index("driver").loc[["a", "b", "c"], "importance"].to_numpy() == pytest.approx(brute, abs=1e-7)
    assert kd.attrs["r2"] == pytest.approx(fits[frozenset({0, 1, 2})], abs=1e-7)
    both = cx.key_drivers(df, "promoter", ["a", "b", "c"], method="both", bootstrap=0)
    rw = both[both["method"] == "relative_weights"]
    assert rw["driver"].iloc[0] == "a" and (rw["importance"] > 0).all()


def test_promoter_flag_on_sample_month(feedback):
    month = feedback[feedback["responded_at"] >= "2026-10-01"].assign(promoter=lambda d: d["nps"] >= 9)
    kd = cx.key_drivers(month, "promoter", bootstrap=0)
    assert kd.attrs["model"] == "logistic"
    assert kd["driver"].tolist()[:3] == ["product_quality", "support", "price"]


# --------------------------------------------------------------------------- bootstrap, missing values, checks


def test_bootstrap_intervals_are_reproducible(swiss):
    a = cx.key_drivers(swiss, "Fertility", SWISS_DRIVERS, bootstrap=60, seed=3)
    b = cx.key_drivers(swiss, "Fertility", SWISS_DRIVERS, bootstrap=60, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert ((a["ci_low"] <= a["share"]) & (a["share"] <= a["ci_high"])).all()
    assert a["prob_first"].sum() == pytest.approx(1.0)
    assert a.attrs["bootstrap"] == 60
    c = cx.key_drivers(swiss, "Fertility", SWISS_DRIVERS, bootstrap=60, seed=4)
    assert not np.allclose(a["ci_low"], c["ci_low"])


def test_listwise_deletion_reports_share_dropped(swiss):
    holes = swiss.copy()
    holes.loc[[0, 5, 9], "Catholic"] = np.nan
    holes.loc[12, "Fertility"] = np.nan
    kd = cx.key_drivers(holes, "Fertility", SWISS_DRIVERS, bootstrap=0)
    assert kd.attrs["n"] == 43 and kd.attrs["n_dropped"] == 4
    assert kd.attrs["share_dropped"] == pytest.approx(4 / 47)
    complete = cx.key_drivers(holes.dropna(), "Fertility", SWISS_DRIVERS, bootstrap=0)
    assert kd["importance"].tolist() == pytest.approx(complete["importance"].tolist())
    # pairwise deletion on complete data is the same model
    same = cx.key_drivers(swiss, "Fertility", SWISS_DRIVERS, bootstrap=0, missing="pairwise")
    assert same["importance"].sum() == pytest.approx(0.706735, abs=1e-6)
    pairwise = cx.key_drivers(holes, "Fertility", SWISS_DRIVERS, bootstrap=0, missing="pairwise")
    assert pairwise.attrs["n"] == 46


def test_warnings_small_sample_and_disagreement():
    rng = np.random.default_rng(44)  # a seed where LMG and relative weights rank different drivers first
    z = rng.standard_normal((60, 1))
    x = z + 0.5 * rng.standard_normal((60, 3))
    y = x @ np.array([1.0, 0.9, -0.6]) + rng.standard_normal(60)
    df = pd.DataFrame(x, columns=["a", "b", "c"]).assign(y=y)
    with pytest.warns(UserWarning, match="methods disagree on the top driver"):
        kd = cx.key_drivers(df, "y", ["a", "b", "c"], bootstrap=0)
    assert not kd.attrs["top_agree"]
    diag = cx.driver_diagnostics(kd).set_index("check")
    assert diag.loc["top driver by method", "status"] == "warning"
    with pytest.warns(UserWarning, match="fewer than 10 per driver"):
        cx.key_drivers(df.head(25), "y", ["a", "b", "c"], bootstrap=0)
    assert "Caution" in nd.driver_findings(kd)[-1]


def test_collinear_drivers_warn_and_share_evenly():
    rng = np.random.default_rng(9)
    a = rng.standard_normal(500)
    df = pd.DataFrame({"a": a, "a2": a + 0.05 * rng.standard_normal(500), "b": rng.standard_normal(500)})
    df["y"] = df["a"] + df["b"] + rng.standard_normal(500)
    with pytest.warns(UserWarning, match="VIF > 5"):
        kd = cx.key_drivers(df, "y", ["a", "a2", "b"], bootstrap=0)
    imp = kd.set_index("driver")["importance"]
    assert imp["a"] == pytest.approx(imp["a2"], rel=0.05)


def test_errors_name_the_problem(swiss):
    with pytest.raises(ValueError, match=r"\['Religion'\] not found"):
        cx.key_drivers(swiss, "Fertility", ["Religion"])
    with pytest.raises(ValueError, match="do not vary"):
        cx.key_drivers(swiss.assign(flat=1.0), "Fertility", ["Education", "flat"], bootstrap=0)
    with pytest.raises(ValueError, match="not numeric"):
        cx.key_drivers(swiss, "Fertility", ["canton"], bootstrap=0)
    with pytest.raises(ValueError, match="method must be"):
        cx.key_drivers(swiss, "Fertility", SWISS_DRIVERS, method="dominance")
    with pytest.raises(ValueError, match="also listed as a driver"):
        cx.key_drivers(swiss, "Fertility", ["Fertility", "Education"], bootstrap=0)
    with pytest.raises(ValueError, match="name the driver-rating columns"):
        cx.key_drivers(swiss, "Fertility")


# --------------------------------------------------------------------------- the sample's planted truth


def test_sample_driver_order_recovered(feedback, truth):
    kd = cx.key_drivers(feedback, "nps", bootstrap=0)  # drivers recorded by the reader
    assert kd["driver"].tolist() == truth["driver_order"]
    expected = truth["expected_lmg_shares"]
    # the full sample (23,092 complete rows) is within 0.01 of the population shares
    assert max(abs(r.share - expected[r.driver]) for r in kd.itertuples()) < 0.01
    assert kd.attrs["share_dropped"] == pytest.approx(718 / 23810)  # 718 rows miss a rating (TRUTH.md)


def test_sample_driver_order_by_month(feedback, truth):
    over = cx.importance_over_time(feedback, "nps")
    for month, part in over.groupby("period"):
        assert part.sort_values("rank")["driver"].tolist() == truth["driver_order_by_month"][month], month


def test_driver_change_flags_only_real_changes(feedback):
    # the sample plants an NPS shift in 2026-08, not a change of drivers: nothing is flagged
    change = cx.driver_change(feedback, "nps", month="2026-08", bootstrap=100)
    assert not change["significant"].any()
    assert set(change.columns) >= {"share", "share_previous", "change", "ci_low", "ci_high", "p", "p_adjusted"}
    # a planted change of weights between two months is found
    rng = np.random.default_rng(1)
    n = 1500
    frames = []
    for month, weights in (("2026-01", [1.0, 0.5, 0.3]), ("2026-02", [0.3, 0.5, 1.0])):
        x = rng.normal(6, 2, (n, 3))
        frames.append(
            pd.DataFrame(x, columns=["a", "b", "c"]).assign(
                y=x @ np.array(weights) + rng.standard_normal(n), responded_at=pd.Timestamp(f"{month}-15")
            )
        )
    df = pd.concat(frames, ignore_index=True)
    out = cx.driver_change(df, "y", ["a", "b", "c"], month="2026-02", bootstrap=100).set_index("driver")
    assert out.loc["c", "significant"] and out.loc["c", "change"] > 0
    assert out.loc["a", "significant"] and out.loc["a", "change"] < 0
    with pytest.raises(ValueError, match="no responses in 2025-09 to 2025-11"):
        cx.driver_change(df, "y", ["a", "b", "c"], month="2026-02", period="quarter", bootstrap=10)
    quarters = cx.driver_change(feedback, "nps", month="2026-10", period="quarter", bootstrap=20)
    assert quarters["period"].iloc[0] == "2026-08 to 2026-10"
    assert quarters["previous_period"].iloc[0] == "2026-05 to 2026-07"


def test_findings_claim_only_supported_leaders(swiss):
    kd = cx.key_drivers(swiss, "Fertility", SWISS_DRIVERS, bootstrap=100, seed=1)
    text = nd.driver_findings(kd)[0]
    top = kd.iloc[0]
    if top["prob_first"] >= 0.95:
        assert "is the largest driver" in text
    else:  # 47 cantons: the order of the leaders is uncertain and the finding says so
        assert "order is uncertain" in text and "largest" not in text


# --------------------------------------------------------------------------- plots


def test_importance_and_quadrant_plots(swiss):
    kd = cx.key_drivers(swiss, "Fertility", SWISS_DRIVERS, bootstrap=40, method="both")
    ax = cx.plot_importance(kd)
    assert len(ax.patches) == 10  # 5 drivers x 2 methods
    ax = cx.plot_quadrant(kd)
    labels = {t.get_text() for t in ax.texts}
    assert {"fix first", "keep up", "low priority", "maintain", "Education"} <= labels
    assert len(ax.lines) >= 2  # the median lines


# --------------------------------------------------------------------------- honest intervals (issue 14 §3)


def _ratings(seed: int, n: int = 150, missing: float = 0.05) -> pd.DataFrame:
    """Five 1-5 aspect ratings and a 0-10 score, two of the aspects nearly irrelevant, with
    scattered missing values: the shape of the issue's review set."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, (n, 5)).astype(float)
    y = np.clip(np.rint(x @ [1, 0.6, 0.3, 0.05, 0] + rng.normal(0, 2, n)), 0, 10)
    df = pd.DataFrame(x, columns=list("abcde")).assign(y=y)
    return df.mask(rng.random(df.shape) < missing)


@pytest.mark.filterwarnings("ignore:.*of rows were dropped for missing values:UserWarning")
def test_intervals_contain_their_estimate_near_zero():
    # Seed 3: with plain percentile intervals driver e's share 0.0006 had interval 0.0022-0.0879
    # (issue 14 §3 reproduced: every resampled share of a near-zero driver lies above it).
    for method in ("shapley", "relative_weights"):
        for seed in range(6):
            kd = cx.key_drivers(_ratings(seed), "y", list("abcde"), method=method, bootstrap=50, seed=1)
            assert ((kd["ci_low"] <= kd["share"]) & (kd["share"] <= kd["ci_high"])).all(), (method, seed)
    kd = cx.key_drivers(_ratings(3), "y", list("abcde"), bootstrap=50, seed=1).set_index("driver")
    assert "stretched to the estimate" in kd.loc["e", "ci_note"]
    # e has no association of its own with y (scipy.stats.pearsonr on the 110 complete rows:
    # r = -0.014, p = 0.88): a zero share cannot be ruled out
    assert kd.loc["e", "ci_low"] == 0 and "lower limit 0" in kd.loc["e", "ci_note"]
    assert kd.loc["a", "ci_note"] == "" and kd.loc["a", "ci_low"] > 0


@pytest.mark.filterwarnings("ignore:.*of rows were dropped for missing values:UserWarning")
def test_estimate_and_intervals_come_from_the_same_rows():
    # Listwise deletion happens once: the resamples draw from exactly the rows of the estimate,
    # so the result on data with holes equals the result on its complete rows, intervals included.
    holes = _ratings(8, n=300, missing=0.04)
    with_holes = cx.key_drivers(holes, "y", list("abcde"), bootstrap=40, seed=5)
    complete = cx.key_drivers(holes.dropna().reset_index(drop=True), "y", list("abcde"), bootstrap=40, seed=5)
    cols = ["driver", "importance", "share", "ci_low", "ci_high", "prob_first"]
    pd.testing.assert_frame_equal(with_holes[cols], complete[cols])
    assert with_holes.attrs["n"] == len(holes.dropna()) < len(holes)


def test_lower_limit_zero_only_without_an_own_association(swiss):
    # Every swiss driver is correlated with Fertility (|r| >= 0.35, n = 47, p < 0.02): none is
    # sent to 0. A pure-noise column (seed 1: scipy.stats.pearsonr with Fertility r = -0.019,
    # p = 0.90) is.
    noisy = swiss.assign(noise=np.random.default_rng(1).standard_normal(len(swiss)))
    kd = cx.key_drivers(noisy, "Fertility", [*SWISS_DRIVERS, "noise"], bootstrap=100, seed=2).set_index("driver")
    r = noisy[[*SWISS_DRIVERS, "noise"]].corrwith(noisy["Fertility"])
    assert (r[SWISS_DRIVERS].abs() > 0.35).all()
    assert (kd.loc[SWISS_DRIVERS, "ci_low"] > 0).all()
    assert kd.loc["noise", "ci_low"] == 0 and kd.loc["noise", "ci_high"] >= kd.loc["noise", "share"]


def test_interval_coverage_with_planted_importances():
    # A fast version of benchmarks/coverage.py (which runs 1,000 replications per case): 60
    # samples of 400 from a population whose LMG shares are known exactly (computed from its
    # correlation matrix), 60 resamples each. With so few replications only a gross failure
    # can be detected: the pooled coverage of the 4 drivers' 95% intervals must exceed 0.85
    # (plain percentile intervals of a share whose estimate is biased would fall far below).
    from cxkit.analysis.drivers import _lmg

    beta = np.array([0.5, 0.35, 0.2, 0.1])
    sigma = np.full((4, 4), 0.3) + 0.7 * np.eye(4)
    cov = np.block([[sigma, (sigma @ beta)[:, None]], [(sigma @ beta)[None, :], beta @ sigma @ beta + 1.0]])
    sd = np.sqrt(np.diag(cov))
    imp, r2 = _lmg(cov / np.outer(sd, sd))
    truth = imp / r2
    rng = np.random.default_rng(2026)
    hits = []
    for rep in range(60):
        x = rng.multivariate_normal(np.zeros(4), sigma, 400)
        df = pd.DataFrame(x, columns=list("abcd")).assign(y=x @ beta + rng.standard_normal(400))
        kd = cx.key_drivers(df, "y", list("abcd"), bootstrap=60, seed=rep).set_index("driver").loc[list("abcd")]
        hits.append(((kd["ci_low"] <= truth) & (truth <= kd["ci_high"])).to_numpy())
    assert np.mean(hits) > 0.85


# --------------------------------------------------------------------------- edges (issue 16 §2 §3 §4)


def _contradictory_pairs() -> pd.DataFrame:
    """Pairwise-complete blocks that cannot come from one population: a ~ y, b ~ y but
    a ~ -b, plus 40 complete rows of independent noise."""
    rng = np.random.default_rng(5)
    m = 200
    z, u = rng.standard_normal(m), rng.standard_normal(m)
    blocks = [{"a": z, "y": z + 0.1 * u}, {"b": z, "y": z + 0.1 * u}, {"a": z, "b": -z + 0.1 * u}, {"c": u, "y": u}]
    frames = [pd.DataFrame({c: block.get(c, np.full(m, np.nan)) for c in ["a", "b", "c", "y"]}) for block in blocks]
    frames.append(pd.DataFrame(rng.standard_normal((40, 4)), columns=["a", "b", "c", "y"]))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.filterwarnings("ignore:.*of rows were dropped for missing values:UserWarning")
def test_pairwise_matrix_not_psd_falls_back_to_complete_rows():
    from cxkit.analysis.drivers import _Data

    df = _contradictory_pairs()
    pairwise = _Data(df, "y", ["a", "b", "c"], missing="pairwise", model="auto").corr()
    assert np.linalg.eigvalsh(pairwise).min() < -0.4  # numpy's eigenvalues of the pairwise matrix
    imp, r2 = _lmg(pairwise)
    assert r2 > 1 or (imp < 0).any()  # what the pairwise matrix gives: the failure of issue 16 §2
    with pytest.warns(
        UserWarning, match=r"missing='pairwise' was not used: .*smallest eigenvalue -0\.4.*40 complete rows"
    ):
        kd = cx.key_drivers(df, "y", ["a", "b", "c"], bootstrap=30, seed=1, missing="pairwise")
    assert kd.attrs["missing"] == "listwise" and kd.attrs["missing_requested"] == "pairwise"
    assert 0 <= kd.attrs["r2"] <= 1 and (kd["importance"] >= 0).all() and kd["share"].sum() == pytest.approx(1)
    # independent reference: the same model asked for on the complete rows
    listwise = cx.key_drivers(df.dropna(), "y", ["a", "b", "c"], bootstrap=30, seed=1)
    pd.testing.assert_frame_equal(
        kd[["driver", "importance", "ci_low", "ci_high"]], listwise[["driver", "importance", "ci_low", "ci_high"]]
    )
    diag = cx.driver_diagnostics(kd).set_index("check")
    assert (
        diag.loc["rows used", "status"] == "warning"
        and "not a valid correlation matrix" in diag.loc["rows used", "note"]
    )
    with pytest.raises(ValueError, match="pairwise correlation matrix .* only 0 rows"):
        cx.key_drivers(df.iloc[:800], "y", ["a", "b", "c"], bootstrap=0, missing="pairwise")


@pytest.mark.filterwarnings("ignore:the methods disagree:UserWarning")
def test_exactly_collinear_drivers_have_infinite_vif_and_are_named():
    # d = a + b: the issue saw VIF -2e15 and diagnostics "ok".
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    rng = np.random.default_rng(2)
    a, b, c = rng.standard_normal((3, 300))
    df = pd.DataFrame({"a": a, "b": b, "c": c, "d": a + b, "y": a + 0.5 * b + 0.3 * c + rng.standard_normal(300)})
    with pytest.warns(UserWarning, match="drivers a, b, d are exactly collinear.*Drop one of them"):
        kd = cx.key_drivers(df, "y", ["a", "b", "c", "d"], bootstrap=20)
    vif = kd.set_index("driver")["vif"]
    assert np.isinf(vif[["a", "b", "d"]]).all()
    # c's VIF is its VIF among a, b, c (d adds nothing to their span): statsmodels on a, b, c
    design = np.column_stack([np.ones(300), a, b, c])
    assert vif["c"] == pytest.approx(variance_inflation_factor(design, 3), rel=1e-9)
    assert kd.set_index("driver").loc[["a", "b", "d"], "beta"].isna().all()
    assert kd.attrs["aliased"] == [["a", "b", "d"]]
    diag = cx.driver_diagnostics(kd).set_index("check")
    assert (
        diag.loc["largest VIF", "status"] == "warning"
        and "a, b, d are exactly collinear" in diag.loc["largest VIF", "note"]
    )
    # the R^2 of the span is still exact: a, b, c explain what a, b, c, d explain
    assert kd.attrs["r2"] == pytest.approx(cx.key_drivers(df, "y", ["a", "b", "c"], bootstrap=0).attrs["r2"], abs=1e-12)
    with pytest.raises(ValueError, match="drivers a, b, d are exactly collinear.*logistic"):
        cx.key_drivers(df.assign(flag=df["y"] > 0), "flag", ["a", "b", "c", "d"], bootstrap=0)


def test_separated_classes_are_refused_not_printed():
    # Issue 16 §4: a promoter flag that one rating separates gave pseudo-R^2 0.99999999 and beta 3512.
    rng = np.random.default_rng(4)
    df = pd.DataFrame(rng.integers(1, 11, (300, 3)).astype(float), columns=["support", "price", "app"])
    with pytest.raises(ValueError, match="separated by 'support' on its own.*no estimate.*target='nps'"):
        cx.key_drivers(df.assign(promoter=df["support"] >= 7), "promoter", ["support", "price", "app"], bootstrap=0)
    with pytest.raises(ValueError, match="separated by the combination of 'support', 'price'"):
        cx.key_drivers(
            df.assign(promoter=df["support"] + df["price"] >= 12), "promoter", ["support", "price", "app"], bootstrap=0
        )
    # quasi-complete: both classes at support == 7 only
    quasi = (df["support"] > 7) | ((df["support"] == 7) & (rng.random(300) < 0.5))
    with pytest.raises(ValueError, match="separated by 'support'"):
        cx.key_drivers(df.assign(promoter=quasi), "promoter", ["support", "price", "app"], bootstrap=0)
    # overlapping classes: a model, with pseudo-R^2 below 1 and finite coefficients
    noisy = df.assign(promoter=df["support"] + rng.normal(0, 2, 300) >= 7)
    kd = cx.key_drivers(noisy, "promoter", ["support", "price", "app"], bootstrap=30)
    assert 0 < kd.attrs["r2"] < 0.9 and np.isfinite(kd["beta"]).all()


def test_importance_over_time_says_which_period_it_leaves_out(feedback):
    # a month of 5 responses cannot carry an 8-driver model: it is left out with a DataWarning
    few = feedback[feedback["responded_at"].dt.to_period("M") == "2026-09"].head(5)
    rest = feedback[feedback["responded_at"].dt.to_period("M") == "2026-10"]
    import pandas as pd

    with pytest.warns(cx.DataWarning, match="2026-09: skipped"):
        out = cx.importance_over_time(pd.concat([few, rest]), "nps", cx.SAMPLE_DRIVERS, bootstrap=0)
    assert set(out["period"]) == {"2026-10"}
