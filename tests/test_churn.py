"""Churn regression, the CX link, revenue and retention (cxkit/analysis/churn.py).

References: the Telco churn data (IBM sample; logistic regression on all columns reaches a
5-fold cross-validated AUC of about 0.845, the issue's reference), the bundled sample's planted
truth (data/sample/truth.json: churn_formula, churn_coefficients, churn_detractor_rule,
detractor_customers), direct statsmodels fits, and brute-force computations in the tests.
"""

from __future__ import annotations

import json
import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from brute import coordinates_moved_by_cone

import cxkit as cx
from cxkit.analysis import _models, churn
from cxkit.pack import churn_regression as cp
from cxkit.pack.results import to_jsonable


@pytest.fixture(scope="module")
def sample(sample_table):
    return sample_table("customers"), sample_table("feedback")


@pytest.fixture(scope="module")
def joined(sample):
    customers, feedback = sample
    return cx.join_cx(customers, feedback)


@pytest.fixture(scope="module")
def truth():
    return cx.data.sample.truth() if hasattr(cx, "sample") else json.loads((cx.SAMPLE_DIR / "truth.json").read_text())


@pytest.fixture(scope="module")
def telco(public_catalog):
    return public_catalog["telco"].frame


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", churn.ChurnWarning)
        return fn(*args, **kwargs)


def _leakage_warnings(fn, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(*args, **kwargs)
    return [w for w in caught if issubclass(w.category, churn.LeakageWarning)]


# --------------------------------------------------------------------------- public datasets


def test_telco_cross_validated_auc_matches_the_reference(telco):
    model = _quiet(cx.churn_model, telco)
    # reference: logistic regression on Telco, 5-fold CV AUC about 0.845 (issue #6)
    assert 0.83 <= model.auc <= 0.87
    assert len(model.cv) == 5 and 0 < model.auc_sd < 0.05
    assert model.n == 7032 and model.dropped == 11  # TotalCharges is blank for 11 customers (SOURCE.md)
    assert model.events == 1869
    assert model.references["segment"] == "Month-to-month"  # the most frequent contract


def test_telco_leakage_warning_fires_only_with_total_charges_tenure_and_price(telco):
    # TotalCharges ~ tenure x MonthlyCharges (R² 0.999): flagged only when all three are in the model
    both = "churned ~ tenure_months + monthly_revenue + TotalCharges"
    found = _leakage_warnings(cx.churn_model, telco, both, cv=0)
    assert len(found) == 1 and "TotalCharges" in str(found[0].message)
    for formula in (
        "churned ~ tenure_months + monthly_revenue",
        "churned ~ monthly_revenue + TotalCharges",
        "churned ~ tenure_months + TotalCharges",
        "churned ~ tenure_months + monthly_revenue + C(segment) + C(InternetService)",
    ):
        assert _leakage_warnings(cx.churn_model, telco, formula, cv=0) == [], formula
    # the default model uses every column, TotalCharges included; without it there is no leak
    assert len(_leakage_warnings(cx.churn_model, telco, cv=2)) == 1
    others = [
        c
        for c in _quiet(cx.churn_model, telco, cv=0).formula.split("~")[1].replace(" ", "").split("+")
        if c != "TotalCharges"
    ]
    assert _leakage_warnings(cx.churn_model, telco, covariates=others, cv=0) == []


def test_leakage_warning_for_a_covariate_recorded_after_churn(telco):
    rng = np.random.default_rng(0)
    leaky = telco.assign(
        days_since_cancel=np.where(telco["churned"], rng.uniform(1, 30, len(telco)), 0.0)
        + rng.normal(0, 0.5, len(telco))
    )
    found = _leakage_warnings(cx.churn_model, leaky, "churned ~ tenure_months + days_since_cancel", cv=0)
    assert len(found) == 1 and "days_since_cancel alone predicts churn" in str(found[0].message)


def test_bank_works_through_its_catalog_entry(public_catalog):
    bank = public_catalog["bank"].frame
    model = _quiet(cx.churn_model, bank)
    assert model.n == 10000 and model.events == 2037  # SOURCE.md: 2,037 exited
    assert 0.70 <= model.auc <= 0.85
    assert model.references["segment"] == "France"  # Geography: France 5,014 of 10,000
    for identifier in ("Surname", "RowNumber", "customer_id"):
        assert identifier not in model.formula
    assert any("RowNumber" in note for note in model.notes)


# --------------------------------------------------------------------------- the model


def test_odds_ratios_equal_a_direct_statsmodels_fit(telco):
    formula = (
        "churned ~ tenure_months + monthly_revenue + C(segment, Treatment('Two year')) "
        "+ C(PaymentMethod) + SeniorCitizen + PaperlessBilling"
    )
    model = _quiet(cx.churn_model, telco, formula, cv=0)
    data = pd.DataFrame(
        {
            "churned": telco["churned"].astype(float),
            "tenure_months": telco["tenure_months"].astype(float),
            "monthly_revenue": telco["monthly_revenue"].astype(float),
            "segment": telco["segment"].astype(object),
            "PaymentMethod": telco["PaymentMethod"].astype(object),
            "SeniorCitizen": telco["SeniorCitizen"].astype(float),
            "PaperlessBilling": telco["PaperlessBilling"].astype(float),
        }
    )
    direct = smf.logit(formula, data).fit(disp=0)
    assert model.summary["term"].tolist() == list(direct.params.index)
    np.testing.assert_allclose(model.summary["odds_ratio"], np.exp(direct.params), rtol=1e-8)
    np.testing.assert_allclose(model.summary["ci_low"], np.exp(direct.conf_int()[0]), rtol=1e-8)
    np.testing.assert_allclose(model.summary["p"], direct.pvalues, rtol=1e-6)


def test_covariates_path_equals_the_explicit_formula(sample):
    customers, _ = sample
    model = cx.churn_model(
        customers, covariates=["tenure_months", "segment", "contract"], cv=0, reference={"segment": "SMB"}
    )
    assert model.references == {"segment": "SMB", "contract": "monthly"}  # monthly: most frequent
    data = customers.assign(
        churned=customers["churned"].astype(float),
        tenure_months=customers["tenure_months"].astype(float),
        segment=customers["segment"].astype(object),
        contract=customers["contract"].astype(object),
    )
    direct = smf.logit(
        "churned ~ tenure_months + C(segment, Treatment('SMB')) + C(contract, Treatment('monthly'))", data
    ).fit(disp=0)
    np.testing.assert_allclose(np.sort(model.summary["coef"]), np.sort(direct.params), rtol=1e-8)
    assert "segment: Consumer vs SMB" in model.summary["label"].tolist()


def test_planted_churn_coefficients_fall_inside_their_confidence_intervals(joined, truth):
    # truth.json: detractor = first valid answer 0-6; churn_formula; churn_coefficients
    data = joined.assign(detractor=(joined["nps_category"] == "detractor").astype(int))
    assert int(data["detractor"].sum()) == truth["detractor_customers"]
    model = cx.churn_model(data, truth["churn_formula"], cv=0)
    summary = model.summary.set_index("term")
    for term, coef in truth["churn_coefficients"].items():
        row = summary.loc[term]
        assert row["ci_low"] <= math.exp(coef) <= row["ci_high"], term


def test_customer_nps_first_and_latest(sample, truth):
    _, feedback = sample
    first = cx.customer_nps(feedback)
    latest = cx.customer_nps(feedback, which="latest")
    assert int((first["nps_category"] == "detractor").sum()) == truth["detractor_customers"]
    assert len(first) == len(latest) == feedback["customer_id"].nunique()
    assert (first["responded_at"] <= latest["responded_at"]).all()
    assert (first["responses"] == latest["responses"]).all()
    # ties in time: the smaller response id is the first
    tie = pd.DataFrame(
        {
            "response_id": ["R2", "R1"],
            "customer_id": ["C1", "C1"],
            "nps": [10, 0],
            "responded_at": pd.to_datetime(["2026-01-01", "2026-01-01"]),
        }
    )
    assert cx.customer_nps(tie)["nps"].iloc[0] == 0
    assert cx.customer_nps(tie, which="latest")["nps"].iloc[0] == 10
    with pytest.raises(ValueError, match="which="):
        cx.customer_nps(feedback, which="middle")


def test_latest_answer_misstates_the_detractor_effect(sample, truth):
    customers, feedback = sample
    first = cx.detractor_effect(cx.join_cx(customers, feedback, which="first")).iloc[0]
    latest = cx.detractor_effect(cx.join_cx(customers, feedback, which="latest")).iloc[0]
    planted = truth["detractor_odds_ratio"]  # 2.4596, conditional on the planted covariates
    assert first["ci_low"] <= planted <= first["ci_high"]
    assert latest["ci_high"] < planted


def test_detractor_effect_odds_and_hazard_ratio(joined):
    effect = cx.detractor_effect(joined).set_index("measure")
    assert list(effect.index) == ["odds ratio", "hazard ratio"]
    assert (effect["ci_low"] > 1).all() and (effect["p"] < 0.001).all()
    assert effect.loc["hazard ratio", "delayed_entry"]
    assert effect.loc["odds ratio", "n"] == (joined["nps_category"] != "no response").sum()


def test_join_cx_without_feedback_and_with_a_sentiment_function(sample):
    customers, feedback = sample
    alone = cx.join_cx(customers)
    assert (alone["nps_category"] == "no response").all()
    assert list(alone["nps_category"].cat.categories) == churn.NPS_CATEGORIES
    scored = cx.join_cx(customers, feedback, sentiment=lambda texts: texts.str.len() / 100)
    some = feedback.dropna(subset=["comment"]).iloc[0]["customer_id"]
    mine = feedback[(feedback["customer_id"] == some) & feedback["comment"].notna()]["comment"]
    got = scored.loc[scored["customer_id"] == some, "comment_sentiment"].iloc[0]
    assert got == pytest.approx((mine.str.len() / 100).mean())
    assert "comment_sentiment" not in _quiet(cx.churn_model, scored, cv=0).formula


def test_separation_warnings_name_the_level():
    rng = np.random.default_rng(1)
    n = 600
    df = pd.DataFrame({"plan": rng.choice(["basic", "plus", "gold"], n), "x": rng.normal(size=n)})
    df["churned"] = (rng.random(n) < 0.3) & (df["plan"] != "gold")  # gold customers never churn
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cx.churn_model(df, covariates=["plan", "x"], cv=0)
    messages = [str(w.message) for w in caught if issubclass(w.category, churn.SeparationWarning)]
    assert any("plan = gold has no churners" in m for m in messages)
    # gold, the most frequent level, is the reference: everything compared with it is separated
    assert any(
        re.search(r"separation: Intercept, plan: basic vs gold, plan: plus vs gold have no finite estimate", m)
        for m in messages
    )
    assert any("It is the reference level" in m and "reference={'plan': <another level>}" in m for m in messages)
    model = _quiet(cx.churn_model, df, covariates=["plan", "x"], cv=0, reference={"plan": "basic"})
    assert model.summary.set_index("label")["estimable"].to_dict() == {
        "Intercept": True,
        "plan: gold vs basic": False,
        "plan: plus vs basic": True,
        "x": True,
    }
    perfect = pd.DataFrame({"x": np.arange(40.0), "churned": np.arange(40) >= 20})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = cx.churn_model(perfect, covariates=["x"], cv=0)
    assert any(
        issubclass(w.category, churn.SeparationWarning)
        and "separation: Intercept, x have no finite estimate" in str(w.message)
        for w in caught
    )
    assert not model.summary["estimable"].any() and model.summary["odds_ratio"].isna().all()


def test_a_level_without_churners_leaves_the_other_odds_ratios_as_without_it(sample):
    # quasi-complete separation by one level: its odds ratio is not estimable, and the other
    # terms converge to the fit on the customers outside that level (estimates and SEs)
    customers, _ = sample
    customers = customers.assign(segment=customers["segment"].astype(str))
    pilot = customers.index[~customers["churned"].astype(bool)][:15]
    customers.loc[pilot, "segment"] = "Pilot"
    formula = "churned ~ C(segment, Treatment('Consumer')) + support_tickets + tenure_months"
    model = _quiet(cx.churn_model, customers, formula, cv=0)
    rows = model.summary.set_index("term")
    pilot_term = "C(segment, Treatment('Consumer'))[T.Pilot]"
    assert not rows.loc[pilot_term, "estimable"] and rows.loc[pilot_term, "note"] == "separated: not estimable"
    without = _quiet(cx.churn_model, customers.drop(pilot), formula, cv=0).summary.set_index("term")
    kept = rows.drop(pilot_term)
    np.testing.assert_allclose(kept["coef"], without.loc[kept.index, "coef"], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(kept["se"], without.loc[kept.index, "se"], rtol=1e-4)
    assert "separated: not estimable" in model._repr_html_()


def _diverging_coefficients(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Brute force, without linear programming: the directions d along which a logistic
    likelihood never falls satisfy s_i x_i d >= 0 for every row (s = +1 churner, -1 stayer),
    a pointed cone when X has full rank. Its extreme rays each make p - 1 independent rows
    active: every (p - 1)-subset of rows is tried, its null vector kept when the cone holds it.
    A coefficient has no finite estimate exactly when some ray moves it (Albert & Anderson
    1984: the likelihood then keeps rising along that ray)."""
    return coordinates_moved_by_cone(np.unique(np.where(y > 0.5, 1.0, -1.0)[:, None] * X, axis=0))


def test_separation_matches_brute_force_ray_enumeration():
    # Issue 16 §4 (churn_model "the same way"): which odds ratios are not estimable, against a
    # brute-force enumeration of the directions along which the likelihood keeps rising.
    # Small data with a rare binary covariate and a 3-level one separate often.
    rng = np.random.default_rng(42)
    seen = {True: 0, False: 0}
    while sum(seen.values()) < 30:
        n = int(rng.integers(14, 23))
        df = pd.DataFrame(
            {
                "x": rng.normal(size=n).round(1),
                "flag": (rng.random(n) < 0.3).astype(float),
                "plan": rng.choice(["a", "b", "c"], n, p=[0.4, 0.35, 0.25]),
            }
        )
        df["churned"] = rng.random(n) < 1 / (1 + np.exp(-(0.5 * df["x"] + 0.5 * df["flag"])))
        if df["churned"].nunique() < 2 or df["plan"].nunique() < 3 or df["flag"].nunique() < 2:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = cx.churn_model(df, "churned ~ x + flag + C(plan)", cv=0)
        X = np.asarray(model.result.model.exog, dtype=float)
        moving = _diverging_coefficients(X, df["churned"].to_numpy(float))
        np.testing.assert_array_equal(~model.summary["estimable"].to_numpy(), moving, err_msg=df.to_string())
        assert model.summary.loc[moving, ["odds_ratio", "ci_low", "ci_high", "p"]].isna().all().all()
        if not moving.any():  # then the numbers are statsmodels' maximum-likelihood fit
            assert np.isfinite(model.summary["odds_ratio"]).all()
        seen[bool(moving.any())] += 1
    assert seen[True] >= 5 and seen[False] >= 5, seen


def test_events_per_parameter_warning():
    rng = np.random.default_rng(2)
    df = pd.DataFrame(rng.normal(size=(120, 5)), columns=list("abcde"))
    df["churned"] = np.arange(120) < 30  # 30 churners, 5 parameters: 6 per parameter
    with pytest.warns(churn.EventsPerParameterWarning, match="6.0 churners per parameter"):
        cx.churn_model(df, covariates=list("abcde"), cv=0)
    df["churned"] = rng.random(120) < 0.5  # about 60 churners: 12 per parameter
    with warnings.catch_warnings():
        warnings.simplefilter("error", churn.EventsPerParameterWarning)
        cx.churn_model(df, covariates=list("abcde"), cv=0)


def test_aliased_column_is_dropped_with_a_warning(sample):
    customers, _ = sample
    twin = customers.assign(tickets_copy=customers["support_tickets"])
    with pytest.warns(churn.CollinearityWarning, match="tickets_copy"):
        model = cx.churn_model(twin, covariates=["support_tickets", "tickets_copy", "tenure_months"], cv=0)
    plain = cx.churn_model(customers, covariates=["support_tickets", "tenure_months"], cv=0)
    np.testing.assert_allclose(model.summary["coef"], plain.summary["coef"], rtol=1e-8)


def test_vif_matches_statsmodels_and_gvif_ignores_the_reference(sample):
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    customers, _ = sample
    model = cx.churn_model(customers, covariates=["tenure_months", "monthly_revenue", "support_tickets"], cv=0)
    X = model.result.model.exog
    expected = [variance_inflation_factor(X, j) for j in range(1, X.shape[1])]
    np.testing.assert_allclose(model.vif["vif"], expected, rtol=1e-8)
    a = cx.churn_model(customers, covariates=["tenure_months", "contract", "segment"], cv=0)
    b = cx.churn_model(
        customers,
        covariates=["tenure_months", "contract", "segment"],
        cv=0,
        reference={"contract": "two_year", "segment": "Enterprise"},
    )
    np.testing.assert_allclose(a.vif["vif"], b.vif["vif"], rtol=1e-8)  # GVIF is invariant to the coding
    assert a.vif.set_index("variable").loc["contract", "df"] == 2


def test_auc_against_brute_force_pairs():
    rng = np.random.default_rng(4)
    y = rng.random(300) < 0.3
    score = rng.integers(0, 10, 300).astype(float)  # many ties
    pos, neg = score[y], score[~y]
    brute = (np.sum(pos[:, None] > neg[None, :]) + 0.5 * np.sum(pos[:, None] == neg[None, :])) / (len(pos) * len(neg))
    assert _models.roc_auc(y, score) == pytest.approx(brute, rel=1e-12)
    codes = rng.integers(0, 6, 300)
    rates = pd.Series(y.astype(float)).groupby(codes).transform("mean").to_numpy()
    assert _models.roc_auc_levels(codes, y.astype(float)) == pytest.approx(_models.roc_auc(y, rates), rel=1e-12)


def test_cross_validation_is_stratified_and_reproducible(sample):
    customers, _ = sample
    y = customers["churned"].to_numpy(dtype=float)
    folds = churn._stratified_folds(y, 5, seed=0)
    per_fold = np.bincount(folds, weights=y)
    assert per_fold.max() - per_fold.min() <= 1
    cov = ["tenure_months", "contract", "support_tickets"]
    a = cx.churn_model(customers, covariates=cov, cv=5, seed=1)
    b = cx.churn_model(customers, covariates=cov, cv=5, seed=1)
    c = cx.churn_model(customers, covariates=cov, cv=5, seed=2)
    assert a.auc == b.auc and a.auc != c.auc
    assert a.cv["n"].sum() == len(customers)
    # the calibration table covers every customer once, and its deciles average to the churn rate
    assert a.calibration["n"].sum() == len(customers) and len(a.calibration) == 10
    assert np.average(a.calibration["observed"], weights=a.calibration["n"]) == pytest.approx(y.mean())
    assert a.brier == pytest.approx(np.mean((a.oof.to_numpy() - y) ** 2))
    assert 0.8 < a.calibration_slope < 1.2
    assert np.isnan(cx.churn_model(customers, covariates=cov, cv=0).auc)


def test_predict_matches_statsmodels_and_handles_new_levels(sample):
    customers, _ = sample
    model = cx.churn_model(customers, covariates=["tenure_months", "contract"], cv=0)
    np.testing.assert_allclose(model.predict(customers), model.result.predict(), rtol=1e-10)
    new = customers.head(3).assign(contract=["monthly", "lifetime", None])
    p = model.predict(new)
    assert not np.isnan(p.iloc[0]) and np.isnan(p.iloc[1]) and np.isnan(p.iloc[2])


def test_repr_html_escapes_levels_from_data(sample):
    customers, _ = sample
    hostile = customers.assign(segment=customers["segment"].replace({"SMB": "<script>alert(1)</script>"}))
    html = cx.churn_model(hostile, covariates=["segment", "tenure_months"], cv=2)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Odds ratios" in html and "cross-validated AUC" in html


def test_errors_name_the_column_and_the_fix(sample):
    customers, _ = sample
    with pytest.raises(ValueError, match="'exited'.*event"):
        cx.churn_model(customers, event="exited")
    with pytest.raises(ValueError, match="'segmnt'"):
        cx.churn_model(customers, covariates=["segmnt"])
    with pytest.raises(ValueError, match="either formula or covariates"):
        cx.churn_model(customers, "churned ~ segment", covariates=["segment"])
    with pytest.raises(ValueError, match="boolean or 0/1"):
        cx.churn_model(
            customers.assign(churned=customers["churned"].map({True: "Yes", False: "No"})), covariates=["segment"]
        )


def test_formula_typo_names_the_term_and_the_closest_columns(sample):
    # Issue 15: "churned ~ tenure" (the column is tenure_months) used to be evaluated against
    # churn_model's own arguments, where `tenure` is the string "tenure_months": patsy then
    # failed with "Number of rows mismatch between data argument and tenure (10000 versus 1)".
    customers, _ = sample
    with pytest.raises(ValueError, match=r"uses 'tenure', which is not a column.*Did you mean 'tenure_months'"):
        cx.churn_model(customers, "churned ~ tenure", cv=0)
    # every argument and local of churn_model is out of the formula's reach
    for name in ("cv", "seed", "alpha", "revenue", "event", "formula", "data", "model", "smf"):
        with pytest.raises(ValueError, match=f"uses '{name}', which is not a column"):
            cx.churn_model(customers, f"churned ~ segment + {name}", cv=0)
    with pytest.raises(ValueError, match="uses 'segmnt'.*Did you mean 'segment'"):
        cx.churn_model(customers, "churned ~ C(segmnt)", cv=0)
    with pytest.raises(ValueError, match="'support tickets'.*Did you mean 'support_tickets'"):
        cx.churn_model(customers, "churned ~ Q('support tickets')", cv=0)
    with pytest.raises(ValueError, match="attribute '__class__'"):
        cx.churn_model(customers, "churned ~ segment.__class__", cv=0)


def test_formula_functions_still_work(sample):
    customers, _ = sample
    model = _quiet(
        cx.churn_model,
        customers,
        "churned ~ np.log1p(support_tickets) + log(tenure_months + 1) "
        "+ C(segment, Treatment('SMB')) + I(monthly_revenue / 10)",
        cv=0,
    )
    assert len(model.summary) == 6
    direct = smf.logit(
        "churned ~ np.log1p(support_tickets) + np.log(tenure_months + 1) "
        "+ C(segment, Treatment('SMB')) + I(monthly_revenue / 10)",
        customers.assign(churned=customers["churned"].astype(float)),
    ).fit(disp=0)
    np.testing.assert_allclose(model.summary["coef"], direct.params.to_numpy(), rtol=1e-6)
    assert model.predict(customers.head(3)).notna().all()


# --------------------------------------------------------------------------- churn rate, cohorts


def _toy_customers():
    return pd.DataFrame(
        {
            "customer_id": list("ABCDEFG"),
            "signup_at": pd.to_datetime(
                ["2026-01-10", "2026-01-20", "2026-02-05", "2026-02-25", "2025-12-01", "2026-03-02", "2026-01-31"]
            ),
            "churned_at": pd.to_datetime(["2026-02-14", None, "2026-03-01", None, "2026-01-31", "2026-03-20", None]),
        }
    ).assign(churned=lambda d: d["churned_at"].notna())


def test_churn_rate_by_month_brute_force():
    df = _toy_customers()
    trend = cx.churn_rate_by_month(df).set_index("month")
    # data ends 2026-03-20, so the last complete month is 2026-02; churn recorded from 2026-01
    assert list(trend.index) == ["2026-01", "2026-02"]
    # January: active at its start = E only (signed up 2025-12); E leaves 31 Jan
    assert trend.loc["2026-01", ["active_at_start", "churned"]].tolist() == [1, 1]
    # February: A, B, G signed up in January and none had left by 1 Feb; A leaves 14 Feb
    assert trend.loc["2026-02", ["active_at_start", "churned"]].tolist() == [3, 1]
    kpi = cx.churn_headline(df, month="2026-02")
    from statsmodels.stats.proportion import proportions_ztest

    _, p = proportions_ztest([1, 1], [3, 1])
    assert kpi["value"] == pytest.approx(1 / 3) and kpi["previous"] == 1.0
    assert kpi["change_p_raw"] == pytest.approx(p)
    # one test of the month's headline family of 7 KPIs, Bonferroni-adjusted (cxkit.pack.results)
    assert kpi["change_p"] == pytest.approx(min(1.0, 7 * p)) and kpi["significant"] == (min(1.0, 7 * p) < 0.05)
    assert set(kpi) >= {"value", "ci_low", "ci_high", "n", "previous", "change", "change_p", "significant"}


def test_headline_without_churn_dates_is_the_overall_rate(telco):
    kpi = cx.churn_headline(telco)
    assert kpi["value"] == pytest.approx(1869 / 7043) and kpi["n"] == 7043 and kpi["previous"] is None
    assert cx.churn_rate_by_month(telco).empty and cx.cohort_retention(telco).empty


def test_cohort_retention_brute_force():
    df = _toy_customers()
    long = cx.cohort_retention(df, since="2026-01").set_index(["cohort", "months_since_signup"])
    # January cohort A, B, G: all there at the end of January; A gone by the end of February
    assert long.loc[("2026-01", 0), "retention"] == 1.0
    assert long.loc[("2026-01", 1), "retention"] == pytest.approx(2 / 3)
    # February cohort C, D: C leaves 1 March, after the end of February
    assert long.loc[("2026-02", 0), "retention"] == 1.0
    assert ("2026-02", 1) not in long.index  # March is not complete
    wide = cx.cohort_retention(df, since="2026-01", wide=True)
    assert list(wide.columns) == ["cohort", "customers", "month 0", "month 1"]


def test_sample_churn_trend_counts_every_churner_once(sample, truth):
    customers, _ = sample
    trend = cx.churn_rate_by_month(customers)
    signed_and_left_same_month = (
        customers["signup_at"].dt.to_period("M") == customers["churned_at"].dt.to_period("M")
    ).sum()
    assert trend["churned"].sum() + signed_and_left_same_month == truth["churned_customers"]


# --------------------------------------------------------------------------- money, reasons


def test_revenue_at_risk_sums_and_delta_method(joined):
    model = cx.churn_model(joined, covariates=["tenure_months", "segment", "contract", "nps_category"], cv=0)
    risk = cx.revenue_at_risk(model, joined)
    active = joined[~joined["churned"].astype(bool)]
    p = model.predict(active)
    total = risk.set_index("segment").loc["all"]
    assert total["revenue_at_risk"] == pytest.approx(float((p * active["monthly_revenue"].astype(float)).sum()))
    assert risk.loc[risk["segment"] != "all", "revenue_at_risk"].sum() == pytest.approx(total["revenue_at_risk"])
    # delta method against a numerical gradient of the total in the coefficients
    X = model.design(active).to_numpy()
    r = active["monthly_revenue"].astype(float).to_numpy()
    beta = model.result.params.to_numpy()
    eps = 1e-6
    grad = np.array(
        [
            (np.sum(r / (1 + np.exp(-X @ (beta + eps * e)))) - np.sum(r / (1 + np.exp(-X @ (beta - eps * e)))))
            / (2 * eps)
            for e in np.eye(len(beta))
        ]
    )
    se = np.sqrt(grad @ np.asarray(model.result.cov_params()) @ grad)
    assert (total["ci_high"] - total["ci_low"]) / (2 * 1.959964) == pytest.approx(se, rel=1e-4)


def test_customer_lifetime_value_is_rmst_times_revenue(sample):
    customers, _ = sample
    clv = cx.customer_lifetime_value(customers, horizon_months=36).set_index("segment")
    rm = cx.restricted_mean_survival(customers, by="segment", horizon=36).set_index("segment")
    mean_rev = customers.groupby("segment")["monthly_revenue"].mean()
    for seg in clv.index:
        assert clv.loc[seg, "clv"] == pytest.approx(rm.loc[seg, "rmst"] * float(mean_rev[seg]))


def test_churn_reasons_counts_themes_in_last_comments():
    customers = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "churned": [True, True, False, False]})
    feedback = pd.DataFrame(
        {
            "customer_id": ["A", "A", "B", "C", "D"],
            "responded_at": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-01-05", "2026-01-07", "2026-01-09"]),
            "comment": ["Great app", "Altfor dyr, ikke verdt pengene", "Usel kundtjänst", "Fakturan var fel", None],
        }
    )
    reasons = cx.churn_reasons(customers, feedback).set_index("theme")
    # A's last comment (Norwegian) is about price, B's (Swedish) about support; C's about billing
    assert reasons.loc["price", ["churned_mentions", "churned_comments"]].tolist() == [1, 2]
    assert reasons.loc["support", "churned_mentions"] == 1
    assert reasons.loc["app and website", "churned_mentions"] == 0  # A's first comment is not the last
    assert reasons.loc["billing", "active_share"] == 1.0  # D wrote nothing, so C is the only active comment
    custom = cx.churn_reasons(customers, feedback, themes={"money": [r"penge", r"pris"]})
    assert custom["theme"].tolist() == ["money"]
    assert cx.churn_reasons(customers, None).empty


# --------------------------------------------------------------------------- findings, results


def test_findings_claim_only_significant_effects():
    flat = pd.DataFrame(
        {
            "measure": ["odds ratio", "hazard ratio"],
            "estimate": [1.1, 1.05],
            "ci_low": [0.8, 0.8],
            "ci_high": [1.5, 1.4],
            "p": [0.5, 0.6],
            "adjusted_for": ["tenure_months"] * 2,
        }
    )
    text = cp.churn_findings(detractor=flat)
    assert text == [
        "Detractors and promoters do not churn at significantly different odds (odds ratio 1.10, 95% CI 0.80 to 1.50)."
    ]
    kpi = {
        "value": 0.02,
        "ci_low": 0.018,
        "ci_high": 0.023,
        "n": 8000,
        "previous": 0.021,
        "change": -0.001,
        "change_p": 0.6,
        "significant": False,
        "month": "2026-10",
    }
    assert "not significant" in cp.churn_findings(headline=kpi)[0]
    summary = pd.DataFrame(
        {
            "term": ["Intercept", "x"],
            "label": ["Intercept", "x"],
            "coef": [0.1, 0.2],
            "odds_ratio": [1.1, 1.22],
            "ci_low": [0.9, 0.95],
            "ci_high": [1.3, 1.5],
            "p_adjusted": [np.nan, 0.2],
        }
    )
    assert cp.effects_finding(summary).startswith("No covariate has a significant effect")


def test_results_section_is_json_and_has_the_documented_keys(joined, sample):
    customers, _ = sample
    model = cx.churn_model(joined, covariates=["tenure_months", "segment", "nps_category"], cv=3)
    out = cp.churn_results(
        headline=cx.churn_headline(customers),
        model=model,
        detractor=cx.detractor_effect(joined),
        revenue=cx.revenue_at_risk(model, joined),
        survival=cx.logrank(customers, by="segment"),
        by_nps=cx.churn_by_nps(joined),
    )
    json.dumps(to_jsonable(out), allow_nan=False)
    for key in (
        "headline",
        "finding",
        "auc",
        "auc_sd",
        "brier",
        "odds_ratios",
        "detractor_odds_ratio",
        "detractor_hazard_ratio",
        "revenue_at_risk",
        "churn_by_nps",
        "logrank",
    ):
        assert key in out, key
    assert set(out["headline"]) >= {"value", "ci_low", "ci_high", "n", "previous", "change", "change_p", "significant"}
    assert 0 <= out["headline"]["value"] <= 1
    assert out["finding"].endswith(".") and not re.search(r"\.\s", out["finding"])  # one sentence
    assert out["detractor_odds_ratio"]["estimate"] > 1


def test_report_tables_never_show_customer_ids(joined, sample):
    customers, feedback = sample
    model = cx.churn_model(joined, cv=2)
    tables = [
        cx.churn_rate_by_month(customers),
        model.summary,
        model.calibration,
        model.vif,
        model.cv,
        cx.churn_by_nps(joined),
        cx.detractor_effect(joined),
        cx.revenue_at_risk(model, joined),
        cx.cohort_retention(customers, wide=True),
        cx.customer_lifetime_value(joined),
        cx.churn_reasons(joined, feedback),
        cx.logrank(joined, by="segment"),
        model.facts(),
    ]
    pattern = re.compile(r"\bC\d{6}\b")
    for t in tables:
        text = t.to_csv(index=False)
        assert "customer_id" not in t.columns and not pattern.search(text)
    assert not pattern.search(model._repr_html_() + " ".join(cp.churn_findings(model=model)))


def test_data_without_revenue_gets_every_other_number(public_catalog):
    # the bank churn data has no monthly revenue: revenue at risk and CLV say so instead of failing
    bank = public_catalog["bank"].frame
    model = cx.churn_model(bank, covariates=["tenure_months", "segment", "Age"], cv=0)
    with pytest.warns(churn.ChurnWarning, match="no monthly revenue"):
        risk = cx.revenue_at_risk(model, bank)
    assert risk.empty and "monthly_revenue" in risk.attrs["note"]
    with pytest.warns(churn.ChurnWarning):
        assert cx.customer_lifetime_value(bank).empty
    assert cp.churn_findings(revenue=risk)[0].startswith("Revenue at risk and lifetime value were not computed")
    assert cx.plot_revenue_at_risk(risk).get_title(loc="left") == "Revenue at risk"


@pytest.mark.slow
def test_churn_notebook_runs_on_the_bank_data(shared_datasets, project_dir, tmp_path):
    import papermill

    out = tmp_path / "bank.ipynb"
    papermill.execute_notebook(
        str(project_dir / "notebooks" / "churn_regression.ipynb"),
        str(out),
        parameters={"catalog": str(project_dir / "data" / "public.yaml"), "customers_source": "bank"},
        progress_bar=False,
        cwd=str(project_dir / "notebooks"),
        kernel_name="python3",
    )
    text = out.read_text()
    assert "no monthly revenue, so the revenue at risk cannot be put in money" in text


def test_answers_given_when_follow_up_ended_leave_the_hazard_ratio_with_a_warning(joined):
    # Found at 100x the sample: a customer whose answer falls at the end of follow-up has no
    # time at risk after it; PHReg (and R's coxph) refuse such delayed-entry rows.
    data = joined.copy()
    answered = data.index[(data["nps_category"] == "detractor") & data["churned"].astype(bool)][:3]
    end = pd.to_datetime(data.loc[answered, "signup_at"]) + pd.to_timedelta(
        data.loc[answered, "tenure_months"].astype(float) * 30.4375, unit="D"
    )
    data.loc[answered, "nps_responded_at"] = end.to_numpy()
    with pytest.warns(churn.ChurnWarning, match="3 customer\\(s\\) answered the survey when their follow-up ended"):
        effect = cx.detractor_effect(data).set_index("measure")
    # Reference: the same Cox model fitted by hand without those customers.
    kept = data.drop(index=answered)
    kept = kept[kept["nps_category"].astype(str) != "no response"].copy()
    kept["nps_category"] = kept["nps_category"].astype(pd.CategoricalDtype(["promoter", "passive", "detractor"]))
    kept["_entry"] = churn._entry_months(kept, "tenure_months")
    reference = cx.cox_model(kept, covariates=["nps_category", "segment"], entry="_entry")
    row = reference.summary.set_index("label").loc["nps_category: detractor vs promoter"]
    assert effect.loc["hazard ratio", "estimate"] == pytest.approx(row["hazard_ratio"], rel=1e-9)
    assert effect.loc["odds ratio", "n"] == (data["nps_category"] != "no response").sum()  # kept there
    with pytest.raises(ValueError, match=r"3 row\(s\) have '_entry' >= 'tenure_months'.*Leave those rows out"):
        bad = data[data["nps_category"].astype(str) != "no response"].copy()
        bad["_entry"] = churn._entry_months(bad, "tenure_months")
        cx.cox_model(bad, covariates=["segment"], entry="_entry")


# --------------------------------------------------------------------------- the page


# The page itself (ChurnReport, its sections and findings): tests/test_churn_page.py.


def test_result_objects_render_compactly(sample):
    # Issue 22: every result object renders as a compact summary (lifelines' StatisticalResult),
    # never as 100k characters; these are the churn page's two models on the sample.
    customers, feedback = sample
    joined = cx.join_cx(customers, feedback)
    model = _quiet(cx.churn_model, joined, cv=5)
    cox = cx.cox_model(customers)
    for shown in (model._repr_html_(), repr(model), cox._repr_html_(), repr(cox)):
        assert len(shown) < 6_000, len(shown)
