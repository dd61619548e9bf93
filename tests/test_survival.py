"""Time to churn (cxkit/analysis/survival.py): Kaplan–Meier, log-rank, Cox, PH check, RMST.

Published references: R ``survival``'s ``aml`` data (acute myelogenous leukaemia, 23 patients;
Miller 1981; shipped with R survival as ``aml``/``leukemia``), whose outputs are printed in the
package documentation and countless tutorials:

- ``summary(survfit(Surv(time, status) ~ x, data = aml))`` (conf.type "log", Greenwood SE)
- ``survdiff(Surv(time, status) ~ x, data = aml)``: Chisq = 3.4 on 1 df, p = 0.0653,
  expected 10.69 (Maintained) and 7.31 (Nonmaintained)
- ``coxph(Surv(time, status) ~ x, data = aml)`` (Efron ties): coef 0.9155, exp(coef) 2.498,
  se 0.5119, z 1.788, p 0.0737, 95% CI 0.9159 to 6.813
Everything else is checked against a brute-force computation written out in the test.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from brute import coordinates_moved_by_cone

import cxkit as cx
from cxkit.analysis import _models, survival
from cxkit.errors import ChurnWarning, CollinearityWarning, EventsPerParameterWarning, LeakageWarning, SeparationWarning

# R survival: aml (time in weeks, status 1 = relapse, x = maintenance chemotherapy)
AML = pd.DataFrame(
    {
        "time": [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45],
        "status": [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
        "x": ["Maintained"] * 11 + ["Nonmaintained"] * 12,
    }
).astype({"status": bool})
AML_KW = {"duration": "time", "event": "status"}


def test_kaplan_meier_matches_r_survfit_on_aml():
    km = cx.kaplan_meier(AML, by="x", **AML_KW)
    # R: summary(survfit(Surv(time, status) ~ x, data = aml)), x = Maintained
    maintained = km[km["x"] == "Maintained"]
    expected = np.array(
        [
            # time n.risk n.event survival std.err lower95 upper95
            [9, 11, 1, 0.909, 0.0867, 0.7541, 1.000],
            [13, 10, 1, 0.818, 0.1163, 0.6192, 1.000],
            [18, 8, 1, 0.716, 0.1397, 0.4884, 1.000],
            [23, 7, 1, 0.614, 0.1526, 0.3769, 0.999],
            [31, 5, 1, 0.491, 0.1642, 0.2549, 0.946],
            [34, 4, 1, 0.368, 0.1627, 0.1549, 0.875],
            [48, 2, 1, 0.184, 0.1535, 0.0359, 0.944],
        ]
    )
    got = maintained[["time", "at_risk", "events", "survival", "se", "ci_low", "ci_high"]].to_numpy(dtype=float)
    np.testing.assert_allclose(got[:, :3], expected[:, :3])
    np.testing.assert_allclose(got[:, 3], expected[:, 3], atol=5e-4)
    np.testing.assert_allclose(got[:, 4], expected[:, 4], atol=5e-5)
    np.testing.assert_allclose(got[:, 5], expected[:, 5], atol=5e-5)
    np.testing.assert_allclose(got[:, 6], expected[:, 6], atol=5e-4)
    # R, x = Nonmaintained: first and last rows (5: 12 at risk, 2 events, 0.8333 [0.6470, 1];
    # 43: 2 at risk, 0.0972 [0.0153, 0.620])
    non = km[km["x"] == "Nonmaintained"].set_index("time")
    assert non.loc[5.0, ["at_risk", "events"]].tolist() == [12, 2]
    assert non.loc[5.0, "survival"] == pytest.approx(0.8333, abs=5e-5)
    assert non.loc[5.0, "ci_low"] == pytest.approx(0.6470, abs=5e-5)
    assert non.loc[43.0, "survival"] == pytest.approx(0.0972, abs=5e-5)
    assert non.loc[43.0, "ci_low"] == pytest.approx(0.0153, abs=5e-5)
    assert non.loc[43.0, "ci_high"] == pytest.approx(0.620, abs=5e-4)


def test_kaplan_meier_at_given_times_is_the_step_function():
    km = cx.kaplan_meier(AML, by="x", times=[0, 10, 13, 40], **AML_KW)
    maintained = km[km["x"] == "Maintained"].set_index("time")
    # brute force: S(t) is the product over event times <= t; at risk = time >= t
    assert maintained.loc[0.0, "survival"] == 1.0
    assert maintained.loc[10.0, "survival"] == pytest.approx(10 / 11)
    assert maintained.loc[13.0, "survival"] == pytest.approx(10 / 11 * 9 / 10)
    assert maintained.loc[40.0, "survival"] == pytest.approx(10 / 11 * 9 / 10 * 7 / 8 * 6 / 7 * 4 / 5 * 3 / 4)
    assert maintained.loc[13.0, "at_risk"] == 10  # 13, 13, 18, ... still followed at week 13
    assert maintained.loc[40.0, "events"] == 6


def _km_delayed_entry_brute(time, status, entry):
    """Kaplan–Meier with delayed entry by hand: at each event time u the risk set is entry < u <= time."""
    surv = 1.0
    out = []
    for u in np.unique(time[status == 1]):
        at_risk = np.sum((entry < u) & (time >= u))
        d = np.sum((time == u) & (status == 1))
        surv *= 1 - d / at_risk
        out.append((u, at_risk, surv))
    return out


def test_kaplan_meier_with_delayed_entry_matches_brute_force():
    rng = np.random.default_rng(3)
    n = 80
    entry = rng.uniform(0, 10, n).round(1)
    time = entry + rng.exponential(12, n).round(1) + 0.1
    status = rng.random(n) < 0.7
    df = pd.DataFrame({"t": time, "e": status, "entry": entry})
    km = cx.kaplan_meier(df, duration="t", event="e", entry="entry")
    brute = _km_delayed_entry_brute(time, status.astype(int), entry)
    np.testing.assert_allclose(km["time"], [b[0] for b in brute])
    np.testing.assert_array_equal(km["at_risk"], [b[1] for b in brute])
    np.testing.assert_allclose(km["survival"], [b[2] for b in brute], rtol=1e-12)


def _logrank_brute(time, status, group):
    """Two-group log-rank statistic written out: sum over event times of O - E and its
    hypergeometric variance."""
    o_minus_e = var = 0.0
    for u in np.unique(time[status == 1]):
        at_risk = time >= u
        n, n1 = at_risk.sum(), (at_risk & (group == 1)).sum()
        d = ((time == u) & (status == 1)).sum()
        d1 = ((time == u) & (status == 1) & (group == 1)).sum()
        o_minus_e += d1 - d * n1 / n
        if n > 1:
            var += d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1)
    return o_minus_e**2 / var


def test_logrank_matches_r_survdiff_on_aml():
    lr = cx.logrank(AML, by="x", **AML_KW)
    # R: survdiff(Surv(time, status) ~ x, data = aml): Chisq = 3.4 on 1 df, p = 0.0653
    assert lr["chi2"].iloc[0] == pytest.approx(3.4, abs=0.05)
    assert lr["p"].iloc[0] == pytest.approx(0.0653, abs=5e-5)
    assert lr["dof"].iloc[0] == 1
    # R: Observed 7 and 11, Expected 10.69 and 7.31
    assert lr["observed"].tolist() == [7, 11]
    np.testing.assert_allclose(lr["expected"], [10.69, 7.31], atol=0.005)
    assert lr["expected"].sum() == pytest.approx(lr["observed"].sum())
    brute = _logrank_brute(
        AML["time"].to_numpy(float), AML["status"].to_numpy(int), (AML["x"] == "Nonmaintained").to_numpy(int)
    )
    assert lr["chi2"].iloc[0] == pytest.approx(brute, rel=1e-10)


@pytest.mark.parametrize("weight_type", [None, "gb", "tw", "fh"])
def test_logrank_equals_statsmodels_survdiff_with_weights_and_entry(weight_type):
    from statsmodels.duration.survfunc import survdiff

    rng = np.random.default_rng(12)
    n = 120
    df = pd.DataFrame(
        {"t": np.ceil(rng.exponential(8, n)), "e": rng.random(n) < 0.7, "g": rng.choice(["a", "b", "c"], n)}
    )
    df["start"] = np.minimum(df["t"] - 1, rng.integers(0, 3, n)).clip(lower=0)
    for entry in (None, "start"):
        if weight_type == "fh" and entry:
            # statsmodels' Fleming-Harrington weights divide by empty risk sets at entry times
            with pytest.raises(ValueError, match="weighted log-rank test .* is undefined"):
                cx.logrank(df, by="g", duration="t", event="e", entry=entry, weight_type=weight_type)
            continue
        lr = cx.logrank(df, by="g", duration="t", event="e", entry=entry, weight_type=weight_type)
        kw = {"entry": df["start"].to_numpy(float)} if entry else {}
        if weight_type == "fh":
            kw["fh_p"] = 1.0
        chi2, p = survdiff(
            df["t"].to_numpy(float), df["e"].to_numpy(int), df["g"].to_numpy(), weight_type=weight_type, **kw
        )
        assert lr["chi2"].iloc[0] == pytest.approx(chi2, rel=1e-10) and lr["p"].iloc[0] == pytest.approx(p, rel=1e-9)
        assert lr["dof"].iloc[0] == 2


def test_logrank_with_a_group_never_at_risk_uses_the_generalized_inverse():
    # statsmodels' survdiff raised LinAlgError "Singular matrix": the "late" group's customers all
    # leave before the first churn. R's survdiff uses a generalized inverse (df = rank): the
    # test is then that of the other two groups.
    late = pd.DataFrame({"time": [1, 2, 3], "status": [False] * 3, "x": "Early leavers"})
    df = pd.concat([AML.assign(time=AML["time"] + 3), late], ignore_index=True)
    lr = cx.logrank(df, by="x", **AML_KW)
    two = cx.logrank(AML.assign(time=AML["time"] + 3), by="x", **AML_KW)
    assert lr["dof"].iloc[0] == 1 and lr["chi2"].iloc[0] == pytest.approx(two["chi2"].iloc[0], rel=1e-12)
    with pytest.raises(ValueError, match="at no churn time are customers of two 'x' groups at risk together"):
        cx.logrank(
            pd.DataFrame({"time": [6.0, 5, 2], "status": [True, False, False], "x": ["a", "b", "b"]}), by="x", **AML_KW
        )


def test_logrank_needs_two_groups():
    with pytest.raises(ValueError, match="at least two groups"):
        cx.logrank(AML[AML["x"] == "Maintained"], by="x", **AML_KW)


def test_cox_matches_r_coxph_on_aml():
    cox = cx.cox_model(AML, covariates=["x"], reference={"x": "Maintained"}, **AML_KW)
    row = cox.summary.iloc[0]
    # R: coxph(Surv(time, status) ~ x, data = aml), Efron ties
    assert row["coef"] == pytest.approx(0.9155, abs=5e-5)
    assert row["hazard_ratio"] == pytest.approx(2.498, abs=5e-4)
    assert row["se"] == pytest.approx(0.5119, abs=5e-5)
    assert row["z"] == pytest.approx(1.788, abs=5e-4)
    assert row["p"] == pytest.approx(0.0737, abs=5e-5)
    assert row["ci_low"] == pytest.approx(0.9159, abs=5e-5)
    assert row["ci_high"] == pytest.approx(6.813, abs=5e-4)
    assert row["label"] == "x: Nonmaintained vs Maintained"
    assert (cox.n, cox.events, cox.dropped) == (23, 18, 0)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("case", ["plain", "entry", "strata", "offset"])
def test_vectorised_partial_likelihood_matches_statsmodels_loop(case, ties):
    # cxkit computes the risk-set sums with cumulative sums instead of statsmodels' loop over
    # churn times; values, fit and standard errors must be statsmodels' own.
    from statsmodels.duration.hazard_regression import PHReg

    rng = np.random.default_rng(["plain", "entry", "strata", "offset"].index(case))
    n, p = 800, 3
    X = rng.normal(size=(n, p))
    time = np.round(rng.exponential(8, n) * np.exp(-0.4 * X[:, 0])) + 1.0  # whole months: many ties
    status = (rng.random(n) < 0.6).astype(float)
    kw = {}
    if case == "entry":  # delayed entry, some of it exactly at a churn time
        kw["entry"] = np.where(rng.random(n) < 0.5, np.minimum(time - 1, rng.integers(0, 6, n)), 0.0)
    if case == "strata":
        kw["strata"] = rng.integers(0, 3, n)
    if case == "offset":
        kw["offset"] = rng.normal(scale=0.2, size=n)
    loop = PHReg(time, X, status=status, ties=ties, **kw)
    fast = survival._ph_model_class()(time, X, status=status, ties=ties, **kw)
    for beta in (np.zeros(p), rng.normal(scale=0.5, size=p)):
        assert fast.loglike(beta) == pytest.approx(loop.loglike(beta), rel=1e-12)
        np.testing.assert_allclose(fast.score(beta), loop.score(beta), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(fast.hessian(beta), loop.hessian(beta), rtol=1e-10, atol=1e-10)
    a, b = loop.fit(), fast.fit()
    np.testing.assert_allclose(b.params, a.params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(b.bse, a.bse, rtol=1e-9)


def test_efron_log_likelihood_by_brute_force():
    # Efron (1977) written out: at each churn time with d tied churners D and risk set R,
    # log L += sum_{i in D} x_i b - sum_{l=0}^{d-1} log(sum_R e^{x b} - l/d sum_D e^{x b});
    # a customer is at risk at t when entry <= t <= time (statsmodels' convention).
    time = np.array([2.0, 3, 3, 3, 5, 5, 6, 8, 8, 9])
    status = np.array([1.0, 1, 1, 0, 1, 1, 0, 1, 1, 0])
    entry = np.array([0.0, 0, 1, 2, 3, 0, 5, 2, 0, 4])
    x = np.array([0.5, -1.0, 0.3, 1.2, -0.2, 0.8, 0.0, -0.6, 1.5, 0.1])
    beta = 0.7
    expected = 0.0
    for t in np.unique(time[status == 1]):
        dead = (time == t) & (status == 1)
        risk = (entry <= t) & (time >= t)
        d = dead.sum()
        expected += (x[dead] * beta).sum()
        for ell in range(d):
            expected -= np.log(np.exp(x[risk] * beta).sum() - ell / d * np.exp(x[dead] * beta).sum())
    model = survival._ph_model_class()(time, x[:, None], status=status, entry=entry, ties="efron")
    assert model.loglike(np.array([beta])) == pytest.approx(expected, rel=1e-13)


def test_cox_formula_and_covariates_give_the_same_fit():
    by_formula = cx.cox_model(AML, "~ C(x)", **AML_KW)
    by_columns = cx.cox_model(AML, covariates=["x"], reference={"x": "Maintained"}, **AML_KW)
    assert by_formula.summary["coef"].iloc[0] == pytest.approx(by_columns.summary["coef"].iloc[0], rel=1e-10)
    with pytest.raises(ValueError, match="left-hand side"):
        cx.cox_model(AML, "status ~ x", **AML_KW)


def test_cox_formula_typo_names_the_term_and_never_reads_the_functions_variables():
    df = AML.rename(columns={"x": "maintenance"})
    with pytest.raises(ValueError, match="uses 'maintained', which is not a column.*Did you mean 'maintenance'"):
        cx.cox_model(df, "~ maintained", **AML_KW)
    for name in ("ties", "alpha", "duration", "event", "transform"):  # cox_model's own arguments
        with pytest.raises(ValueError, match=f"uses '{name}', which is not a column"):
            cx.cox_model(df, f"~ maintenance + {name}", **AML_KW)


def _schoenfeld_brute(time, status, x, beta):
    """Schoenfeld residuals of a one-covariate Cox model (no tied times): x_i minus the
    risk-weighted mean of x over everyone still followed at t_i."""
    res = []
    for i in np.flatnonzero(status == 1):
        at_risk = time >= time[i]
        w = np.exp(beta * x[at_risk])
        res.append(x[i] - np.sum(w * x[at_risk]) / np.sum(w))
    return np.array(res), time[status == 1]


def test_proportional_hazards_test_matches_brute_force_grambsch_therneau():
    rng = np.random.default_rng(11)
    n = 150
    x = rng.normal(size=n)
    time = rng.exponential(np.exp(-0.5 * x)) + rng.uniform(0, 1e-6, n)  # no ties
    status = rng.random(n) < 0.8
    df = pd.DataFrame({"t": time, "e": status, "x": x})
    cox = cx.cox_model(df, "~ x", duration="t", event="e", transform="identity")
    beta, var = cox.summary["coef"].iloc[0], cox.summary["se"].iloc[0] ** 2
    resid, t = _schoenfeld_brute(time, status.astype(int), x, beta)
    order = np.argsort(t)
    resid, t = resid[order], t[order]
    d = len(t)
    g = t - t.mean()
    # Grambsch & Therneau (1994) / R survival < 3 cox.zph: T = (sum g r*)^2 / (d var sum g^2),
    # with scaled residuals r* = d var r
    chi2 = (np.sum(g * resid * d * var)) ** 2 / (d * var * np.sum(g**2))
    rho = np.corrcoef(g, resid * d * var + beta)[0, 1]
    row = cox.ph_test.iloc[0]
    assert row["chi2"] == pytest.approx(chi2, rel=1e-6)
    assert row["rho"] == pytest.approx(rho, rel=1e-6)
    assert cox.ph_test["term"].iloc[-1] == "GLOBAL"
    assert cox.ph_test["chi2"].iloc[-1] == pytest.approx(chi2, rel=1e-6)  # one covariate: global = it


# Tied churn times (whole months, as in every real churn file): 60 customers, 39 churners at 13
# distinct tenures. Generated once with numpy's default_rng(2026) (exponential churn times,
# ceil'd to months, uniform censoring) and written out here so the reference values below do
# not depend on numpy's random streams.
TIED = pd.DataFrame(
    {
        "tenure": [
            7,
            7,
            1,
            13,
            7,
            4,
            7,
            19,
            17,
            8,
            22,
            7,
            5,
            11,
            15,
            13,
            10,
            9,
            10,
            19,
            6,
            17,
            3,
            8,
            7,
            21,
            4,
            3,
            2,
            18,
            8,
            2,
            26,
            2,
            12,
            14,
            2,
            24,
            12,
            8,
            6,
            10,
            26,
            1,
            13,
            1,
            7,
            2,
            3,
            7,
            15,
            10,
            3,
            1,
            10,
            3,
            11,
            10,
            12,
            18,
        ],
        "churned": [
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            0,
            1,
            0,
            0,
            1,
            1,
            0,
            0,
            1,
            0,
            1,
            0,
            0,
            0,
            1,
            1,
            1,
            0,
            1,
            1,
            1,
            1,
            1,
            1,
            0,
            1,
            1,
            0,
            1,
            0,
            1,
            1,
            0,
            0,
            0,
            1,
            1,
            1,
            1,
            1,
            1,
            0,
            0,
            1,
            1,
            1,
            0,
            1,
            1,
            0,
            0,
            1,
        ],
        "plan": [
            1,
            0,
            0,
            1,
            0,
            0,
            0,
            0,
            1,
            0,
            1,
            1,
            1,
            1,
            1,
            0,
            1,
            1,
            0,
            0,
            0,
            1,
            1,
            1,
            0,
            1,
            1,
            1,
            0,
            1,
            1,
            1,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            1,
            1,
            0,
            0,
            0,
            1,
            1,
            0,
            0,
            0,
            1,
            0,
            0,
            0,
            0,
            1,
            0,
            0,
            1,
            0,
        ],
        "tickets": [
            5,
            1,
            5,
            5,
            5,
            4,
            3,
            3,
            1,
            2,
            2,
            5,
            4,
            3,
            3,
            2,
            2,
            5,
            0,
            1,
            2,
            4,
            2,
            1,
            0,
            1,
            0,
            4,
            2,
            1,
            3,
            2,
            2,
            3,
            3,
            1,
            0,
            4,
            5,
            3,
            2,
            3,
            0,
            2,
            2,
            2,
            4,
            2,
            5,
            2,
            0,
            4,
            4,
            3,
            5,
            2,
            4,
            0,
            0,
            4,
        ],
        "spend": [
            52,
            36,
            50,
            17,
            82,
            89,
            15,
            39,
            68,
            35,
            55,
            43,
            72,
            87,
            81,
            60,
            23,
            86,
            12,
            34,
            33,
            64,
            49,
            17,
            11,
            58,
            49,
            58,
            55,
            81,
            83,
            25,
            85,
            73,
            61,
            63,
            54,
            83,
            29,
            58,
            75,
            21,
            59,
            42,
            71,
            15,
            59,
            79,
            60,
            36,
            62,
            37,
            63,
            20,
            32,
            13,
            17,
            54,
            29,
            51,
        ],
    }
)

# lifelines 0.30.0 (pandas 2.3.3, in a separate venv: lifelines needs pandas < 3):
#   cph = CoxPHFitter().fit(df, T, E, fit_options={"precision": 1e-13, "r_precision": 0.0})
#   proportional_hazard_test(cph, df, time_transform=...).test_statistic
# "identity" and "log" are lifelines' own transforms. For "km" and "rank" cxkit uses R's
# (survival < 3.0 cox.zph: 1 - the left-continuous Kaplan-Meier, and rank(times), where tied
# times share their average rank); lifelines' built-in ones differ (right-continuous KM, and
# ranks 1..d that split ties by row order), so R's definitions were passed to lifelines as
# callables: km = 1 - S(t-) from KaplanMeierFitter, rank = pandas rank(method="average") of the
# churn times.
LIFELINES_PH = {
    "tied": {  # ~ plan + tickets + spend
        "identity": [0.02317241506483324, 1.2298643414422958, 0.6842265567421166],
        "log": [0.16619414985048442, 0.8506081858709539, 0.21492017718328035],
        "km": [0.07880420279793739, 1.2865687593282094, 0.6030717697346977],
        "rank": [0.1006878787883591, 1.1482322250279038, 0.5988040774924842],
    },
    "aml": {  # ~ x (Nonmaintained = 1)
        "identity": [0.17423848742809553],
        "log": [0.008848057048599678],
        "km": [0.006909093041021959],
        "rank": [0.0010462253753162722],
    },
}


@pytest.mark.parametrize("transform", ["identity", "log", "km", "rank"])
def test_proportional_hazards_test_with_tied_times_matches_lifelines(transform):
    # Issue 16 §1: with Efron ties the residuals were Breslow's, and the chi-squares were off
    # (lifelines' waltons data: 20.06 instead of 22.32); untied data agreed already.
    cox = cx.cox_model(TIED, "~ plan + tickets + spend", duration="tenure", event="churned", transform=transform)
    # lifelines: the coefficients -0.26669883807373335, 0.14767788955944247, -0.011145081920384043
    np.testing.assert_allclose(
        cox.summary["coef"], [-0.26669883807373335, 0.14767788955944247, -0.011145081920384043], rtol=1e-9
    )
    terms = cox.ph_test[cox.ph_test["term"] != "GLOBAL"]
    np.testing.assert_allclose(terms["chi2"], LIFELINES_PH["tied"][transform], rtol=1e-6)
    aml = cx.cox_model(AML.assign(x=(AML["x"] == "Nonmaintained").astype(float)), "~ x", transform=transform, **AML_KW)
    np.testing.assert_allclose(aml.ph_test["chi2"].iloc[:1], LIFELINES_PH["aml"][transform], rtol=1e-6)


def _efron_schoenfeld_brute(time, status, X, beta, entry, strata):
    """Efron Schoenfeld residuals written out: at a churn time with d tied churners D and risk
    set R (entry <= t <= time, within the stratum), the expected covariates are the mean over
    l = 0..d-1 of sum_{R - l/d D} r x / sum_{R - l/d D} r, r = exp(x beta)."""
    r = np.exp(X @ beta)
    out = np.full(X.shape, np.nan)
    for s in np.unique(strata):
        mine = strata == s
        for t in np.unique(time[mine & (status == 1)]):
            dead = mine & (time == t) & (status == 1)
            risk = mine & (entry <= t) & (time >= t)
            d = dead.sum()
            expected = np.zeros(X.shape[1])
            for ell in range(d):
                w = r * (risk - ell / d * dead)
                expected += (w @ X) / w.sum() / d
            out[dead] = X[dead] - expected
    return out


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_schoenfeld_residuals_with_ties_entry_and_strata_match_brute_force(ties):
    from statsmodels.duration.hazard_regression import PHReg

    rng = np.random.default_rng(8)
    n = 120
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)])
    time = np.ceil(rng.exponential(6, n))  # whole months: many ties
    status = (rng.random(n) < 0.7).astype(float)
    entry = np.where(rng.random(n) < 0.3, np.minimum(time - 1, rng.integers(0, 4, n)), 0.0)
    strata = rng.integers(0, 2, n)
    result = PHReg(time, X, status=status, entry=entry, strata=strata, ties=ties).fit()
    beta = np.asarray(result.params)
    got = survival._schoenfeld_residuals(result.model, beta)
    expected = (
        _efron_schoenfeld_brute(time, status, X, beta, entry, strata)
        if ties == "efron"
        else np.asarray(result.schoenfeld_residuals)
    )  # statsmodels' own residuals are Breslow's
    np.testing.assert_allclose(got[status == 1], expected[status == 1], rtol=1e-10, atol=1e-12)
    assert np.isnan(got[status == 0]).all()
    # Schoenfeld residuals sum to the score, which is zero at the maximum
    np.testing.assert_allclose(np.nansum(got, axis=0), 0, atol=1e-8)


def test_tied_global_test_is_grambsch_therneau_written_out():
    # R survival < 3.0 cox.zph, global row: (g' r) V (g' r) d / sum(g^2), r the (unscaled,
    # Efron) Schoenfeld residuals, g the centred transformed churn times, V the covariance
    cox = cx.cox_model(TIED, "~ plan + tickets + spend", duration="tenure", event="churned", transform="identity")
    X = TIED[["plan", "tickets", "spend"]].to_numpy(float)
    time, status = TIED["tenure"].to_numpy(float), TIED["churned"].to_numpy(float)
    beta = cox.summary["coef"].to_numpy()
    resid = _efron_schoenfeld_brute(time, status, X, beta, np.zeros(len(time)), np.zeros(len(time)))[status == 1]
    g = time[status == 1] - time[status == 1].mean()
    V = np.asarray(cox.result.cov_params())
    z = g @ resid
    assert cox.ph_test["chi2"].iloc[-1] == pytest.approx(z @ V @ z * len(g) / np.sum(g**2), rel=1e-10)


def test_proportional_hazards_test_flags_crossing_hazards_only():
    rng = np.random.default_rng(5)
    n = 1500
    group = rng.integers(0, 2, n)
    # proportional: exponential times, group 1 twice the hazard
    ph_time = rng.exponential(np.where(group == 1, 0.5, 1.0))
    # not proportional: group 1 leaves early (Weibull shape 0.5) or late (shape 3), same median
    nonph_time = np.where(group == 1, rng.weibull(0.5, n), rng.weibull(3.0, n))
    for time, violated in ((ph_time, False), (nonph_time, True)):
        df = pd.DataFrame({"t": time, "e": np.ones(n, bool), "g": group.astype(str)})
        p = cx.cox_model(df, covariates=["g"], duration="t", event="e").ph_test["p"].iloc[0]
        assert (p < 0.001) if violated else (p > 0.01)


def test_restricted_mean_survival_is_the_area_under_the_curve():
    rm = cx.restricted_mean_survival(AML, by="x", horizon=40, **AML_KW)
    km = cx.kaplan_meier(AML, by="x", **AML_KW)
    for group, row in rm.set_index("x").iterrows():
        curve = km[km["x"] == group]
        grid = np.linspace(0, 40, 400_001)[:-1] + 40 / 800_000  # midpoints of a fine grid
        idx = np.searchsorted(curve["time"].to_numpy(), grid, side="right") - 1
        s = np.where(idx >= 0, curve["survival"].to_numpy()[np.clip(idx, 0, None)], 1.0)
        assert row["rmst"] == pytest.approx(s.mean() * 40, rel=1e-5)
    # discounting 10% a year (time in months): the integral of S(u) 1.1^(-u/12)
    disc = cx.restricted_mean_survival(AML, by="x", horizon=40, annual_discount=0.10, **AML_KW).set_index("x")
    curve = km[km["x"] == "Maintained"]
    grid = np.linspace(0, 40, 400_001)[:-1] + 40 / 800_000
    idx = np.searchsorted(curve["time"].to_numpy(), grid, side="right") - 1
    s = np.where(idx >= 0, curve["survival"].to_numpy()[np.clip(idx, 0, None)], 1.0)
    assert disc.loc["Maintained", "rmst"] == pytest.approx(np.mean(s * 1.1 ** (-grid / 12)) * 40, rel=1e-5)


def _km_numpy(time, status):
    order = np.argsort(time)
    time, status = time[order], status[order]
    u, first = np.unique(time, return_index=True)
    d = np.add.reduceat(status, first)
    n = len(time) - first
    keep = d > 0
    return u[keep], np.cumprod(1 - d[keep] / n[keep])


def test_restricted_mean_survival_se_agrees_with_the_bootstrap():
    rng = np.random.default_rng(2)
    n = 300
    time = np.minimum(rng.exponential(20, n), rng.uniform(5, 60, n)).round(2)
    status = (time < 60) & (rng.random(n) < 0.75)
    horizon = 30.0
    df = pd.DataFrame({"t": time, "e": status})
    se = cx.restricted_mean_survival(df, horizon=horizon, duration="t", event="e")["se"].iloc[0]

    def rmst(t, s):
        u, surv = _km_numpy(t, s.astype(float))
        u, surv = u[u <= horizon], surv[u <= horizon]
        knots = np.r_[0, u, horizon]
        return np.sum(np.r_[1, surv] * np.diff(knots))

    boot = [rmst(time[i], status[i]) for i in (rng.integers(0, n, n) for _ in range(800))]
    assert se == pytest.approx(np.std(boot, ddof=1), rel=0.15)


def test_missing_columns_and_bad_values_name_the_column():
    with pytest.raises(ValueError, match="'tenure_months'"):
        cx.kaplan_meier(AML)
    with pytest.raises(ValueError, match="negative durations"):
        cx.kaplan_meier(AML.assign(time=-AML["time"]), **AML_KW)
    with pytest.raises(ValueError, match="'x'.*boolean or 0/1"):
        cx.kaplan_meier(AML, duration="time", event="x")


def test_no_churners_is_a_clear_error_not_a_singular_matrix():
    # Issue 16 §5: log-rank and Cox with no events raised numpy's LinAlgError "Singular matrix".
    none = AML.assign(status=False)
    for call in (
        lambda: cx.logrank(none, by="x", **AML_KW),
        lambda: cx.cox_model(none, covariates=["x"], **AML_KW),
        lambda: cx.kaplan_meier(none, **AML_KW),
    ):
        with pytest.raises(
            ValueError,
            match=r"no customer churned: 'status' is false \(or 0\) for all 23 customers"
            r".*Check the event coding",
        ):
            call()
    # at given months the curve of customers who never churn is 1 (with its at-risk counts)
    km = cx.kaplan_meier(none, times=[10, 20], **AML_KW)
    assert km["survival"].tolist() == [1.0, 1.0]
    assert km["at_risk"].tolist() == [18, 13]  # by hand: 18 of the 23 times are >= 10 weeks, 13 are >= 20


@pytest.mark.parametrize(
    "case, match",
    [
        ("one group", "needs at least two groups in 'x'"),
        ("constant covariate", "no covariate varies among the 23 customers"),
        ("all missing", "no customer has 'time', 'status' and 'x' all filled in"),
        ("single row", "no covariate varies among the 1 customers"),
        ("infinite duration", r"'time' \(duration\) holds 1 infinite value"),
        ("text duration", r"'time' \(duration\) must hold numbers of months"),
    ],
)
def test_degenerate_data_gets_a_clear_error(case, match):
    df = {
        "one group": AML.assign(x="Maintained"),
        "constant covariate": AML.assign(x="Maintained"),
        "all missing": AML.assign(time=np.nan),
        "single row": AML.iloc[:1],
        "infinite duration": AML.assign(time=AML["time"].replace(161, np.inf)),
        "text duration": AML.assign(time=AML["time"].astype(str).replace("161", "n/a")),
    }[case]
    calls = {
        "one group": lambda: cx.logrank(df, by="x", **AML_KW),
        "constant covariate": lambda: cx.cox_model(df, covariates=["x"], **AML_KW),
        "all missing": lambda: cx.logrank(df, by="x", **AML_KW),
        "single row": lambda: cx.cox_model(df, covariates=["x"], **AML_KW),
    }
    with pytest.raises(ValueError, match=match):
        calls.get(case, lambda: cx.kaplan_meier(df, by="x", **AML_KW))()
    if case in ("infinite duration", "text duration", "all missing"):
        with pytest.raises(ValueError, match=match.replace(" and 'x'", "")):
            cx.restricted_mean_survival(df, horizon=12, **AML_KW)


def test_logrank_counts_churn_at_month_zero():
    # customers who churn in their first month (tenure 0) are at risk at time 0: the expected
    # counts used to be NaN (nobody "entered before" 0)
    df = AML.assign(time=np.where(np.arange(23) % 5 == 0, 0, AML["time"]))
    lr = cx.logrank(df, by="x", **AML_KW)
    assert np.isfinite(lr["expected"]).all() and lr["expected"].sum() == pytest.approx(lr["observed"].sum())
    brute = _logrank_brute(
        df["time"].to_numpy(float), df["status"].to_numpy(int), (df["x"] == "Nonmaintained").to_numpy(int)
    )
    assert lr["chi2"].iloc[0] == pytest.approx(brute, rel=1e-10)


def test_rmst_interval_stays_within_zero_and_the_horizon():
    # everyone churns in month 0 or 1: the normal interval (rmst -+ 1.96 se) would go below 0
    df = pd.DataFrame({"t": [0.0, 0, 0, 0, 0, 1], "e": [True] * 6})
    rm = cx.restricted_mean_survival(df, horizon=3, duration="t", event="e").iloc[0]
    assert rm["rmst"] == pytest.approx(1 / 6)  # S = 1/6 on [0, 1), 0 after
    assert rm["rmst"] - 1.96 * rm["se"] < 0 and rm["ci_low"] == 0.0 and rm["ci_high"] <= 3


def _cox_diverging_coefficients(time, status, X) -> np.ndarray:
    """Brute force, without linear programming: the partial likelihood never falls along d when
    (x_i - x_j) d >= 0 for every churner i and everyone j at risk at i's time (j != i), a
    pointed cone when the differences have full rank. Its extreme rays make p - 1 independent
    rows active: every (p - 1)-subset of rows is tried. A coefficient has no finite estimate
    exactly when some ray moves it (Bryson & Johnson 1981, monotone likelihood)."""
    rows = np.unique(
        np.array([X[i] - X[j] for i in np.flatnonzero(status == 1) for j in np.flatnonzero(time >= time[i]) if j != i]),
        axis=0,
    )
    return coordinates_moved_by_cone(rows)


def test_monotone_likelihood_matches_brute_force_ray_enumeration():
    # Issue 16: "hazard ratios > 0 and finite or explicitly flagged". A Cox coefficient whose
    # partial likelihood keeps rising (a level whose customers never churn, a covariate that
    # orders the churn times exactly) used to come out as e.g. hazard ratio 1e-9 with CI 0 to
    # inf, or NaN with numpy's warnings; now it is flagged, against a brute-force reference.
    rng = np.random.default_rng(7)
    seen = {True: 0, False: 0}
    while sum(seen.values()) < 30:
        n = int(rng.integers(6, 13))
        df = pd.DataFrame({"x": rng.normal(size=n).round(1), "flag": (rng.random(n) < 0.3).astype(float)})
        df["t"] = np.ceil(rng.exponential(np.exp(-0.8 * df["x"] - 0.8 * df["flag"]) * 6))
        df["e"] = rng.random(n) < 0.7
        followed = df[df["t"] >= df.loc[df["e"], "t"].min()]  # in some risk set
        if df["e"].sum() < 2 or followed["flag"].nunique() < 2:
            continue  # flag would carry no information (tested apart below)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cox = cx.cox_model(df, "~ x + flag", duration="t", event="e")
        moving = _cox_diverging_coefficients(
            df["t"].to_numpy(float), df["e"].to_numpy(int), df[["x", "flag"]].to_numpy(float)
        )
        np.testing.assert_array_equal(~cox.summary["estimable"].to_numpy(), moving, err_msg=df.to_string())
        assert cox.summary.loc[moving, ["hazard_ratio", "ci_low", "ci_high", "p"]].isna().all().all()
        assert np.isfinite(cox.summary.loc[~moving, ["hazard_ratio", "ci_low", "ci_high", "p"]]).all().all()
        assert moving.any() == any("monotone likelihood" in w for w in cox.warnings)
        seen[bool(moving.any())] += 1
    assert seen[True] >= 5 and seen[False] >= 5, seen


def test_a_covariate_that_varies_only_outside_the_risk_sets_is_left_out():
    # the only customer with flag = 1 leaves (censored) before anyone churns: no risk set sees
    # the flag, so it has no information at all; it is dropped like an aliased column
    df = pd.DataFrame(
        {
            "x": [-0.5, -0.5, 0.1, 0.0, -0.6, -0.4],
            "flag": [1.0, 0, 0, 0, 0, 0],
            "t": [4.0, 24, 4, 15, 12, 5],
            "e": [False, True, False, True, True, True],
        }
    )
    cox = cx.cox_model(df, "~ x + flag", duration="t", event="e")
    assert cox.summary["term"].tolist() == ["x"]
    assert any("flag" in w and "left out of the fit" in w for w in cox.warnings)
    # at risk at the first churn (month 5): the four customers followed 5 months or more
    with pytest.raises(ValueError, match="no covariate varies among the 4 customers at risk when someone churns"):
        cx.cox_model(df, "~ flag", duration="t", event="e")


def test_a_level_that_never_churns_is_not_estimable_in_the_cox_model():
    customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    pilot = customers.index[~customers["churned"].astype(bool)][:15]
    customers = customers.assign(segment=customers["segment"].astype(str))
    customers.loc[pilot, "segment"] = "Pilot"
    cox = cx.cox_model(customers, covariates=["segment", "support_tickets"])
    row = cox.summary.set_index("label").loc["segment: Pilot vs Consumer"]
    assert (
        not row["estimable"] and np.isnan(row["hazard_ratio"]) and row["note"] == "not estimable: monotone likelihood"
    )
    kept = cox.summary.set_index("label").drop("segment: Pilot vs Consumer")
    assert kept["estimable"].all()
    # customers who never churn and whose hazard ratio runs off to 0 drop out of every risk set:
    # the other estimates and standard errors are those of the data without them
    without = cx.cox_model(customers.drop(pilot), covariates=["segment", "support_tickets"]).summary.set_index("label")
    np.testing.assert_allclose(kept["coef"], without.loc[kept.index, "coef"], rtol=1e-5)
    np.testing.assert_allclose(kept["se"], without.loc[kept.index, "se"], rtol=1e-4)
    assert np.isnan(cox.ph_test.set_index("term").loc["GLOBAL", "chi2"])
    assert "not estimable: monotone likelihood" in cox._repr_html_()


def test_cox_model_warns_like_churn_model():
    # Issue 22 §6: the checks of churn_model that apply to a Cox model warn with the same classes
    # (cox_model used to put its caveats in .warnings without raising any warning).
    customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cx.cox_model(customers)  # the sample's own model (the churn page's section 6) has nothing to warn about
    assert not [w for w in caught if issubclass(w.category, ChurnWarning)]
    # separation: a level whose customers never churn has a monotone likelihood
    pilot = customers.assign(segment=customers["segment"].astype(str))
    pilot.loc[pilot.index[~pilot["churned"].astype(bool)][:15], "segment"] = "Pilot"
    with pytest.warns(SeparationWarning, match="monotone likelihood: segment: Pilot vs Consumer has no finite hazard"):
        cox = cx.cox_model(pilot, covariates=["segment", "support_tickets"])
    assert any(w.startswith("monotone likelihood") for w in cox.warnings)  # and the message stays on the result
    # collinearity: an exact copy is left out of the fit, a near copy is flagged by its GVIF
    twin = customers.assign(tickets_copy=customers["support_tickets"])
    with pytest.warns(CollinearityWarning, match=r"tickets_copy \(= a combination of support_tickets\)"):
        cx.cox_model(twin, covariates=["support_tickets", "tickets_copy"])
    jitter = np.random.default_rng(0).normal(0, 0.05, len(customers))
    near = customers.assign(tickets_near=customers["support_tickets"] + jitter)
    with pytest.warns(CollinearityWarning, match="support_tickets is strongly collinear.*hazard ratio is imprecise"):
        cx.cox_model(near, covariates=["support_tickets", "tickets_near"])
    # events per parameter: aml has 18 relapses; with a second covariate that is 9 per parameter
    noise = AML.assign(z=np.random.default_rng(1).normal(size=len(AML)))
    with pytest.warns(EventsPerParameterWarning, match=r"only 9.0 churners per parameter \(18 churners, 2 parameters"):
        cx.cox_model(noise, covariates=["x", "z"], **AML_KW)
    with warnings.catch_warnings():
        warnings.simplefilter("error", EventsPerParameterWarning)
        cx.cox_model(AML, covariates=["x"], **AML_KW)  # 18 per parameter
    # leakage: a total-charges column grows with the duration itself
    charges = customers.assign(total_charges=customers["tenure_months"] * customers["monthly_revenue"])
    with pytest.warns(LeakageWarning, match="total_charges is almost exactly a function of tenure_months x"):
        cx.cox_model(charges, covariates=["segment", "total_charges"])


def test_cox_model_reports_the_ties_it_used():
    customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    efron = cx.cox_model(customers, covariates=["segment", "support_tickets"])
    breslow = cx.cox_model(customers, covariates=["segment", "support_tickets"], ties="Breslow")
    assert (efron.ties, breslow.ties) == ("efron", "breslow")
    assert "Cox proportional hazards (Efron ties)" in efron._repr_html_()
    html = breslow._repr_html_()  # said "Efron ties" whatever the ties were
    assert "Cox proportional hazards (Breslow ties)" in html and "Efron" not in html
    # and the fit is Breslow's: statsmodels' own PHReg with ties="breslow" on the same design
    from statsmodels.duration.hazard_regression import PHReg

    reference = PHReg(
        breslow.result.model.endog, breslow.result.model.exog, status=breslow.result.model.status, ties="breslow"
    ).fit()
    np.testing.assert_allclose(breslow.summary["coef"], reference.params, rtol=1e-8)
    assert not np.allclose(efron.summary["coef"], breslow.summary["coef"], rtol=1e-6)


def test_term_labels():
    assert _models.term_label("C(contract, Treatment('monthly'))[T.annual]") == "contract: annual vs monthly"
    assert _models.term_label("contract[T.annual]", {"contract": "monthly"}) == "contract: annual vs monthly"
    assert (
        _models.term_label("Q('Payment method')[T.card]", {"Payment method": "cash"}) == "Payment method: card vs cash"
    )
    assert _models.term_label("I(tenure_months / 12)") == "tenure_months / 12"


def test_plots_return_axes():
    ax = cx.plot_km(cx.kaplan_meier(AML, by="x", **AML_KW))
    assert ax.get_legend() is not None and len(ax.get_lines()) == 2
    ax = cx.cox_model(AML, covariates=["x"], **AML_KW).plot_forest()
    assert "hazard ratio" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "1" in labels and not any("mathdefault" in t for t in labels)
