"""Property tests (issue 16): every public statistic of the survival, churn, stage and touchpoint
modules, on random small, tied, constant, collinear and missing-heavy data, gives either a clear
error or a result within its valid range.

A clear error is a ``ValueError`` (or a cxkit error) raised by cxkit's own code with a message
that says what to do; never a raw numpy/scipy/pandas/patsy exception (``LinAlgError`` is a
``ValueError`` too, so where the error was raised is checked). A valid result has probabilities
and p-values in [0, 1], ratios that are positive and finite (or NaN and flagged as not
estimable), and confidence intervals that contain their estimate.

The data are drawn by hypothesis (a few shape parameters and a seed for numpy), derandomized so
every run tests the same cases.
"""

from __future__ import annotations

import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import cxkit as cx  # noqa: E402
from cxkit.pack import journey_stages as jp  # noqa: E402

CXKIT = Path(cx.__file__).resolve().parent
SETTINGS = settings(
    deadline=None, derandomize=True, max_examples=60, database=None, suppress_health_check=[HealthCheck.too_slow]
)
MORE = settings(SETTINGS, max_examples=150)  # fast tests whose data are valid less often
TOL = 1e-9


# --------------------------------------------------------------------------- data


@st.composite
def customers(draw):
    """Customers with tenure, churn and covariates: few rows, tied months, constant, collinear or
    mostly missing columns, one to three segments."""
    n = draw(st.one_of(st.integers(0, 6), st.integers(7, 40)))  # degenerate half the time
    kind = draw(st.sampled_from(["plain", "plain", "constant", "collinear", "missing", "no churn", "all churn"]))
    missing = draw(st.sampled_from([0.0, 0.0, 0.1, 0.6]))
    groups = draw(st.sampled_from([1, 2, 3, 3]))
    whole_months = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    tenure = rng.integers(0, 8, n).astype(float) if whole_months else rng.exponential(10, n).round(2)
    churned = rng.random(n) < 0.5
    if kind == "no churn":
        churned[:] = False
    if kind == "all churn":
        churned[:] = True
    x = rng.normal(size=n).round(1)
    df = pd.DataFrame(
        {
            "tenure_months": tenure,
            "churned": pd.array(churned, dtype="boolean"),
            "segment": rng.choice(["Consumer", "SMB", "Enterprise"][:groups], n),
            "tickets": rng.integers(0, 4, n).astype(float),
            "x": x,
            "x2": 2 * x + 1 if kind == "collinear" else rng.normal(size=n).round(1),
        }
    )
    if kind == "constant":
        df["x"] = 1.0
    df["nps_category"] = pd.Categorical(
        rng.choice(["promoter", "passive", "detractor", "no response"], n),
        categories=["promoter", "passive", "detractor", "no response"],
    )
    if missing:
        for col in ("tenure_months", "churned", "x", "segment"):
            gone = rng.random(n) < (0.7 if kind == "missing" else missing)
            df[col] = df[col].astype(object).where(~gone, None) if col == "segment" else df[col].mask(gone)
    return df


@st.composite
def responses(draw):
    """Survey responses or journey events: a score, a stage, a touchpoint, a channel, a task
    outcome and a duration; constant stages, separated stages, missing-heavy scores."""
    n = draw(st.one_of(st.integers(0, 6), st.integers(7, 60)))  # degenerate half the time
    kind = draw(
        st.sampled_from(["plain", "plain", "constant stages", "separated", "two levels", "missing", "one stage"])
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    stages = ["awareness", "consideration", "decision"][: draw(st.sampled_from([1, 2, 3, 3]))]
    stage = rng.choice(stages if kind != "one stage" else stages[:1], n)
    score = rng.integers(1, 6, n).astype(float)
    if kind == "constant stages":
        score = np.array([1.0 + stages.index(s) for s in stage])
    if kind == "separated":  # the first stage low, the others high
        score = np.where(stage == stages[0], rng.integers(1, 3, n), rng.integers(3, 6, n)).astype(float)
    if kind == "two levels":
        score = rng.integers(1, 3, n).astype(float)
    if kind == "missing":
        score[rng.random(n) < 0.7] = np.nan
    return pd.DataFrame(
        {
            "journey_stage": stage,
            "csat": score,
            "touchpoint": rng.choice(["web", "app", "chat"], n),
            "channel": rng.choice(["email", "phone"], n),
            "success": pd.array(rng.random(n) < rng.choice([0.0, 0.5, 1.0]), dtype="boolean"),
            "duration_s": rng.exponential(60, n).round(),
        }
    )


# --------------------------------------------------------------------------- checks


def _run(func, *args, **kwargs):
    """The result, or None after a clear error; a raw exception fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return func(*args, **kwargs)
        except (ValueError, TypeError) as err:
            if isinstance(err, np.linalg.LinAlgError):
                raise AssertionError(f"raw numpy error from {func.__name__}: {err!r}") from err
            raised_in = Path(traceback.extract_tb(err.__traceback__)[-1].filename).resolve()
            assert CXKIT in raised_in.parents, f"{func.__name__} let a raw error through ({raised_in}): {err!r}"
            assert len(str(err)) > 30, f"{func.__name__}: error too terse to act on: {err!r}"
            return None


def _probability(values, what):
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    assert ((v >= -TOL) & (v <= 1 + TOL)).all(), f"{what} outside [0, 1]: {v}"


def _contains(low, est, high, what):
    low, est, high = (np.asarray(a, dtype=float) for a in (low, est, high))
    ok = ~(np.isnan(low) | np.isnan(est) | np.isnan(high))
    slack = 1e-9 * np.maximum(1.0, np.abs(est[ok]))
    assert (low[ok] <= est[ok] + slack).all() and (est[ok] <= high[ok] + slack).all(), (
        f"{what}: interval does not contain the estimate: {np.column_stack([low, est, high])[ok]}"
    )


def _ratios(summary, effect):
    """Estimable ratios positive and finite with intervals around them; the rest NaN and flagged."""
    est = summary[summary["estimable"]]
    assert (
        np.isfinite(est[[effect, "ci_low", "ci_high"]].to_numpy()).all()
        and (est[[effect, "ci_low"]].to_numpy() > 0).all()
    ), f"{effect}: not positive and finite\n{est}"
    _contains(est["ci_low"], est[effect], est["ci_high"], effect)
    _probability(est["p"], "p")
    _probability(est["p_adjusted"], "adjusted p")
    flagged = summary[~summary["estimable"]]
    assert flagged[[effect, "ci_low", "ci_high", "p"]].isna().all().all()
    assert (flagged["note"].str.contains("not estimable")).all()


# --------------------------------------------------------------------------- survival


@SETTINGS
@given(customers())
def test_kaplan_meier_and_rmst(df):
    for by in (None, "segment"):
        km = _run(cx.kaplan_meier, df, by=by)
        if km is not None:
            _probability(km["survival"], "survival")
            _probability(km[["ci_low", "ci_high"]].to_numpy().ravel(), "survival CI")
            _contains(km["ci_low"], km["survival"], km["ci_high"], "survival")
            assert (km["at_risk"] >= km["events"]).all() and (km["events"] >= 0).all()
            for _, part in km.groupby(by) if by else [(None, km)]:
                assert (np.diff(part["survival"].to_numpy()) <= TOL).all(), "survival rises"
        at = _run(cx.kaplan_meier, df, by=by, times=[0, 3, 12])
        if at is not None:
            _probability(at["survival"], "survival at given months")
            _contains(at["ci_low"], at["survival"], at["ci_high"], "survival at given months")
        rm = _run(cx.restricted_mean_survival, df, horizon=6, by=by)
        if rm is not None:
            assert ((rm["rmst"] >= 0) & (rm["rmst"] <= 6 + TOL)).all()
            assert ((rm["ci_low"] >= 0) & (rm["ci_high"] <= 6 + TOL)).all()
            _contains(rm["ci_low"], rm["rmst"], rm["ci_high"], "rmst")


@MORE
@given(customers())
def test_logrank(df):
    lr = _run(cx.logrank, df, by="segment")
    if lr is not None:
        _probability(lr["p"], "log-rank p")
        assert (lr["chi2"].dropna() >= -TOL).all() and (lr["expected"] >= 0).all()
        assert lr["expected"].sum() == pytest.approx(lr["observed"].sum())


@SETTINGS
@given(customers(), st.sampled_from(["~ x + tickets", "~ x + x2", "~ C(segment) + tickets"]))
def test_cox_model_and_its_proportional_hazards_test(df, formula):
    cox = _run(cx.cox_model, df, formula)
    if cox is not None:
        _ratios(cox.summary, "hazard_ratio")
        _probability(cox.ph_test["p"], "proportional-hazards p")
        assert (cox.ph_test["chi2"].dropna() >= -TOL).all()
        assert cox.events > 0 and cox.n >= cox.events


# --------------------------------------------------------------------------- churn


@MORE
@given(
    customers(),
    st.sampled_from(["churned ~ x + tickets", "churned ~ x + x2", "churned ~ C(segment) + x"]),
    st.sampled_from([0, 2]),
)
def test_churn_model(df, formula, cv):
    model = _run(cx.churn_model, df, formula, cv=cv)
    if model is not None:
        _ratios(model.summary, "odds_ratio")
        _probability([model.auc], "AUC")
        _probability(model.oof.dropna(), "out-of-fold probability")
        assert 0 <= model.events <= model.n


@SETTINGS
@given(customers())
def test_churn_by_nps_and_detractor_effect(df):
    table = _run(cx.churn_by_nps, df)
    if table is not None:
        for col in ("churn_rate", "ci_low", "ci_high", "p"):
            _probability(table[col], col)
        _contains(table["ci_low"], table["churn_rate"], table["ci_high"], "churn rate")
    effect = _run(cx.detractor_effect, df, adjust=["tickets"])
    if effect is not None:
        est = effect.dropna(subset=["estimate"])
        assert (
            np.isfinite(est[["estimate", "ci_low", "ci_high"]].to_numpy()).all()
            and (est[["estimate", "ci_low"]].to_numpy() > 0).all()
        ), effect
        _contains(est["ci_low"], est["estimate"], est["ci_high"], "detractor effect")
        _probability(effect["p"], "detractor p")


# --------------------------------------------------------------------------- stages and touchpoints


@SETTINGS
@given(responses())
def test_compare_stages(df):
    res = _run(cx.compare_stages, df, metric="csat", ordinal=True)
    if res is None:
        return
    s = res.stages
    assert (s["n"] >= 2).all()
    _contains(s["ci_low"], s["mean"], s["ci_high"], "stage mean")
    _probability(res.omnibus["p"], "omnibus p")
    _probability(res.pairwise["p"], "pairwise p")
    _probability(res.pairwise["p_adjusted"], "adjusted pairwise p")
    assert not (res.pairwise["significant"] & ~(res.pairwise["p_adjusted"] < res.alpha)).any()
    assert np.isfinite(res.pairwise["effect_size"].dropna()).all()
    assert (res.pairwise.loc[res.pairwise["effect"] == "cliffs_delta", "effect_size"].abs() <= 1 + TOL).all()
    if res.ordinal is not None:
        table = res.ordinal
        est = table[table["estimable"]]
        assert np.isfinite(est[["odds_ratio", "ci_low", "ci_high"]].to_numpy()).all()
        assert (est["odds_ratio"] > 0).all()
        _contains(est["ci_low"], est["odds_ratio"], est["ci_high"], "ordinal odds ratio")
        assert table.loc[~table["estimable"], ["odds_ratio", "p"]].isna().all().all()
    low = res.lowest()
    assert low["stage"] in set(s["stage"])
    assert isinstance(jp.stage_finding(res), str)


@SETTINGS
@given(responses())
def test_stage_scorecard(df):
    card = _run(cx.stage_scorecard, df.assign(nps=df["csat"] * 2), metrics=["nps", "csat"])
    if card is not None:
        _contains(card["ci_low"], card["value"], card["ci_high"], "scorecard value")
        _probability(card["p_adjusted_max"], "p_adjusted_max")
        _probability(card["p"], "Welch p")
        assert (card.groupby("metric")["worst"].sum() == 1).all()


@SETTINGS
@given(responses())
def test_touchpoints(df):
    pain = _run(cx.pain_points, df, min_n=2)
    if pain is not None:
        for col in ("poor_share", "poor_ci_low", "poor_ci_high", "p", "p_adjusted"):
            _probability(pain[col], col)
        _contains(pain["poor_ci_low"], pain["poor_share"], pain["poor_ci_high"], "poor share")
        _contains(pain["ci_low"], pain["mean"], pain["ci_high"], "touchpoint mean")
    perf = _run(cx.touchpoint_performance, df, min_n=2)
    if perf is not None and "success_rate" in perf.columns:
        for col in ("success_rate", "success_ci_low", "success_ci_high", "success_p_adjusted"):
            _probability(perf[col], col)
        _contains(perf["success_ci_low"], perf["success_rate"], perf["success_ci_high"], "success rate")
        _contains(perf["duration_ci_low"], perf["median_duration_s"], perf["duration_ci_high"], "median duration")
    for metric in ("csat", "success"):
        cc = _run(cx.channel_consistency, df, metric=metric, min_n=2)
        if cc is not None:
            _probability(cc["p"], "Welch p")
            _probability(cc["p_adjusted"], "adjusted p")
            assert cc.loc[cc["p_adjusted"].isna(), "consistent"].isna().all()
            if metric == "success":
                _probability(cc[["mean", "ci_low", "ci_high"]].to_numpy().ravel(), "success rate and CI")
            _contains(cc["ci_low"], cc["mean"], cc["ci_high"], "channel mean")


@SETTINGS
@given(responses())
def test_journey_findings_and_results(df):
    res = _run(cx.compare_stages, df, metric="csat")
    if res is None:
        return
    pain = _run(cx.pain_points, df, min_n=2)
    cc = _run(cx.channel_consistency, df, min_n=2)
    found = _run(jp.journey_findings, res, pain=pain, consistency=cc)
    assert found and all(isinstance(f, str) and f for f in found)
    out = _run(jp.journey_results, res, pain=pain)
    _probability([out["lowest_stage"]["p_max"]], "p_max")
