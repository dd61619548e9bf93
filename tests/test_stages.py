"""cxkit.analysis.stages: stage comparison against R reference values and brute-force computations."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit as cx
from cxkit._stats import wilson_interval
from cxkit.analysis.stages import compact_letters
from cxkit.data.sample import truth as sample_truth
from cxkit.pack import journey_stages as jp

# R's PlantGrowth (datasets package): dried weight of plants under a control and two treatments,
# 10 plants each. Source: R documentation ?PlantGrowth (Dobson 1983, Table 7.1),
# https://stat.ethz.ch/R-manual/R-devel/library/datasets/html/PlantGrowth.html
PLANT_GROWTH = {
    "ctrl": [4.17, 5.58, 5.18, 6.11, 4.50, 4.61, 5.17, 4.53, 5.33, 5.14],
    "trt1": [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69],
    "trt2": [6.31, 5.12, 5.54, 5.50, 5.37, 5.29, 4.92, 6.15, 5.80, 5.26],
}


@pytest.fixture(scope="module")
def plants() -> pd.DataFrame:
    return pd.DataFrame(
        {"group": np.repeat(list(PLANT_GROWTH), 10), "weight": np.concatenate(list(PLANT_GROWTH.values()))}
    )


@pytest.fixture(scope="module")
def plant_result(plants):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # n = 10 per group: the small-sample warning
        return cx.compare_stages(plants, score="weight", stage="group", padjust="bonferroni")


@pytest.fixture(scope="module")
def sample_journey(sample_table):
    return sample_table("journey")


@pytest.fixture(scope="module")
def sample_feedback(sample_table):
    return sample_table("feedback")


def _pair(result, method, a, b):
    rows = result.pairwise[
        (result.pairwise["method"] == method) & (result.pairwise["a"] == a) & (result.pairwise["b"] == b)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


# --------------------------------------------------------------------------- R references


def test_group_summaries_match_r(plant_result):
    # R: aggregate(weight ~ group, PlantGrowth, mean / sd) -> 5.032 / 4.661 / 5.526 and
    # 0.5830914 / 0.7936757 / 0.4425733 (also printed in datanovia's "Kruskal-Wallis Test in R")
    s = plant_result.stages.set_index("stage")
    assert s["mean"].tolist() == pytest.approx([5.032, 4.661, 5.526], abs=1e-12)
    assert s["sd"].tolist() == pytest.approx([0.5830914, 0.7936757, 0.4425733], abs=1e-7)
    assert s["n"].tolist() == [10, 10, 10]
    # t interval: mean -+ qt(0.975, 9) * sd / sqrt(10)
    assert s.loc["ctrl", "ci_low"] == pytest.approx(5.032 - stats.t.ppf(0.975, 9) * 0.5830914 / np.sqrt(10), abs=1e-6)


def test_classic_anova_matches_r(plant_result):
    # R: anova(lm(weight ~ group, PlantGrowth)): F value 4.8461, Pr(>F) 0.01591, Df 2 and 27
    row = plant_result.test("ANOVA")
    assert row["statistic"] == pytest.approx(4.8461, abs=5e-5)
    assert row["p"] == pytest.approx(0.01591, abs=5e-6)
    assert (row["df1"], row["df2"]) == (2.0, 27.0)
    # omega^2 from R's anova table: Sum Sq group 3.7663, residuals 10.4921 (Mean Sq 0.3886)
    ss_b, ss_w, ms_w = 3.76634, 10.49209, 10.49209 / 27
    assert row["effect_size"] == pytest.approx((ss_b - 2 * ms_w) / (ss_b + ss_w + ms_w), abs=1e-4)


def test_welch_anova_matches_r_oneway_test(plant_result):
    # R: oneway.test(weight ~ group, data = PlantGrowth):
    # F = 5.181, num df = 2.000, denom df = 17.128, p-value = 0.01739
    row = plant_result.test("Welch ANOVA")
    assert row["statistic"] == pytest.approx(5.181, abs=5e-4)
    assert row["df2"] == pytest.approx(17.128, abs=5e-4)
    assert row["p"] == pytest.approx(0.01739, abs=5e-6)


def test_welch_anova_of_two_groups_is_welchs_t_squared():
    # brute force: with k = 2, Welch's F is t^2 of the Welch t-test, with the same df and p
    rng = np.random.default_rng(7)
    a, b = rng.normal(0, 1, 60), rng.normal(0.5, 3, 35)
    df = pd.DataFrame({"g": ["a"] * 60 + ["b"] * 35, "y": np.concatenate([a, b])})
    row = cx.compare_stages(df, score="y", stage="g").test("Welch ANOVA")
    t = stats.ttest_ind(a, b, equal_var=False)
    assert row["statistic"] == pytest.approx(t.statistic**2, rel=1e-10)
    assert row["p"] == pytest.approx(t.pvalue, rel=1e-8)


def test_kruskal_wallis_matches_r_and_scipy(plant_result, plants):
    # R: kruskal.test(weight ~ group, data = PlantGrowth):
    # Kruskal-Wallis chi-squared = 7.9882, df = 2, p-value = 0.01842
    row = plant_result.test("Kruskal-Wallis")
    assert row["statistic"] == pytest.approx(7.9882, abs=5e-5)
    assert row["p"] == pytest.approx(0.01842, abs=5e-6)
    # epsilon^2 = H / (n - 1) (Tomczak & Tomczak 2014)
    assert row["effect_size"] == pytest.approx(7.988229 / 29, abs=1e-6)
    # brute force with heavy ties (Likert): scipy's tie-corrected H
    rng = np.random.default_rng(3)
    likert = pd.DataFrame({"g": rng.choice(list("abcd"), 500), "y": rng.integers(1, 6, 500)})
    h = stats.kruskal(*[likert.loc[likert["g"] == g, "y"] for g in "abcd"])
    got = cx.compare_stages(likert, score="y", stage="g").test("Kruskal-Wallis")
    assert got["statistic"] == pytest.approx(h.statistic, rel=1e-10)
    assert got["p"] == pytest.approx(h.pvalue, rel=1e-8)


def test_tukey_hsd_matches_r(plant_result, plants):
    # R: TukeyHSD(aov(weight ~ group, data = PlantGrowth)):
    #             diff        lwr       upr     p adj
    # trt1-ctrl -0.371 -1.0622161 0.3202161 0.3908711
    # trt2-ctrl  0.494 -0.1972161 1.1852161 0.1979960
    # trt2-trt1  0.865  0.1737839 1.5562161 0.0120064
    # cxkit reports a - b with a first in group order, so the signs of diff and the CI flip.
    expected = {
        ("ctrl", "trt1"): (0.371, -0.3202161, 1.0622161, 0.3908711),
        ("ctrl", "trt2"): (-0.494, -1.1852161, 0.1972161, 0.1979960),
        ("trt1", "trt2"): (-0.865, -1.5562161, -0.1737839, 0.0120064),
    }
    for (a, b), (diff, low, high, p) in expected.items():
        row = _pair(plant_result, "tukey", a, b)
        assert row["diff"] == pytest.approx(diff, abs=1e-12)
        assert row["p_adjusted"] == pytest.approx(p, abs=1e-6)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-6)  # R's qtukey quantile
    assert _pair(plant_result, "tukey", "trt1", "trt2")["significant"]
    # brute force: scipy's own Tukey HSD
    ref = stats.tukey_hsd(*PLANT_GROWTH.values())
    assert _pair(plant_result, "tukey", "ctrl", "trt2")["p_adjusted"] == pytest.approx(ref.pvalue[0, 2], abs=1e-6)


def test_games_howell_equals_brute_force(plant_result):
    # Games & Howell (1976): Welch's t and df per pair, p from the studentized range with k
    # groups at q = |t| sqrt(2); computed here directly from the formula with scipy.
    k = 3
    for a, b in [("ctrl", "trt1"), ("ctrl", "trt2"), ("trt1", "trt2")]:
        x, y = np.array(PLANT_GROWTH[a]), np.array(PLANT_GROWTH[b])
        va, vb = x.var(ddof=1) / 10, y.var(ddof=1) / 10
        t = (x.mean() - y.mean()) / np.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / 9 + vb**2 / 9)
        p = stats.studentized_range.sf(abs(t) * np.sqrt(2), k, df)
        half = stats.studentized_range.ppf(0.95, k, df) / np.sqrt(2) * np.sqrt(va + vb)
        row = _pair(plant_result, "games-howell", a, b)
        assert row["statistic"] == pytest.approx(t, rel=1e-12)
        assert row["df"] == pytest.approx(df, rel=1e-12)
        assert row["p_adjusted"] == pytest.approx(p, abs=1e-9)
        assert row["ci_low"] == pytest.approx(x.mean() - y.mean() - half, abs=1e-9)
        assert row["ci_high"] == pytest.approx(x.mean() - y.mean() + half, abs=1e-9)
        assert row["p"] == pytest.approx(stats.ttest_ind(x, y, equal_var=False).pvalue, rel=1e-9)
    # only trt1 vs trt2 differs at 0.05, as with Tukey
    assert plant_result.pairs("games-howell", significant_only=True)[["a", "b"]].values.tolist() == [["trt1", "trt2"]]


def test_dunn_matches_rstatix(plant_result, plants):
    # rstatix::dunn_test(PlantGrowth, weight ~ group, p.adjust.method = "bonferroni"),
    # printed in datanovia "Kruskal-Wallis Test in R" (www.datanovia.com/en/lessons/kruskal-wallis-test-in-r/):
    # ctrl-trt1 statistic -1.12 p 0.264 p.adj 0.791; ctrl-trt2 1.69 0.0912 0.273;
    # trt1-trt2 2.81 0.00500 0.0150. rstatix's z is mean rank of group2 minus group1, cxkit's
    # a - b, so the signs flip.
    expected = {
        ("ctrl", "trt1"): (1.12, 0.264, 0.791),
        ("ctrl", "trt2"): (-1.69, 0.0912, 0.273),
        ("trt1", "trt2"): (-2.81, 0.00500, 0.0150),
    }
    for (a, b), (z, p, p_adj) in expected.items():
        row = _pair(plant_result, "dunn", a, b)
        assert row["statistic"] == pytest.approx(z, abs=5e-3)
        assert row["p"] == pytest.approx(p, rel=5e-3)
        assert row["p_adjusted"] == pytest.approx(p_adj, rel=5e-3)
        assert row["padjust"] == "bonferroni"
    # Holm (the default) by hand: 3 p, sorted ascending, times 3, 2, 1, cumulative max
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        holm = cx.compare_stages(plants, score="weight", stage="group").pairs("dunn")
    p = holm["p"].to_numpy()
    order = np.argsort(p)
    by_hand = np.maximum.accumulate(np.minimum(1, p[order] * np.array([3, 2, 1])))
    assert holm["p_adjusted"].to_numpy()[order] == pytest.approx(by_hand, rel=1e-12)


def test_pairwise_effect_sizes_equal_brute_force(plant_result):
    for a, b in [("ctrl", "trt1"), ("trt1", "trt2")]:
        x, y = np.array(PLANT_GROWTH[a]), np.array(PLANT_GROWTH[b])
        # Cliff's delta: P(X > Y) - P(X < Y) over all 100 pairs
        delta = np.sign(x[:, None] - y[None, :]).mean()
        assert _pair(plant_result, "dunn", a, b)["effect_size"] == pytest.approx(delta, abs=1e-12)
        # Hedges' g: pooled-SD Cohen's d times 1 - 3 / (4 (n1 + n2) - 9)
        pooled = np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2)
        g = (x.mean() - y.mean()) / pooled * (1 - 3 / 71)
        assert _pair(plant_result, "games-howell", a, b)["effect_size"] == pytest.approx(g, rel=1e-12)


# --------------------------------------------------------------------------- ordinal model


def test_counted_ordered_model_equals_row_level_statsmodels(sample_journey):
    # The model on (stage, score) cells weighted by their counts must be the row-level MLE.
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    rows = sample_journey.dropna(subset=["csat"]).sample(3000, random_state=11)
    res = cx.compare_stages(rows, score="csat")
    exog = pd.get_dummies(rows["journey_stage"].astype(str), dtype=float)[
        ["consideration", "decision", "retention", "advocacy"]
    ]
    ref = OrderedModel(rows["csat"].astype(int).to_numpy(), exog, distr="logit").fit(
        method="newton", disp=False, maxiter=100
    )
    got = res.ordinal.set_index("stage")
    assert got["log_odds"].to_numpy() == pytest.approx(ref.params.iloc[:4].to_numpy(), abs=1e-5)
    assert got["se"].to_numpy() == pytest.approx(ref.bse.iloc[:4].to_numpy(), rel=1e-3)
    assert res.test("Proportional odds")["statistic"] == pytest.approx(ref.llr, rel=1e-6)
    assert res.ordinal_result.model.nobs == len(rows)


def _penalised_ordinal_fit(counts: np.ndarray, ridge: float) -> np.ndarray:
    """Cumulative-logit model written out, fitted with a ridge penalty on the stage effects:
    P(Y <= k | stage g) = expit(theta_k - beta_g), beta_0 = 0, from a (stage x level) table of
    counts. Where the unpenalised maximum is finite, the fit converges to it as the ridge
    vanishes; where a stage is separated, its beta grows like log(1 / ridge)."""
    from scipy.optimize import minimize
    from scipy.special import expit

    groups, levels = counts.shape

    def unpack(x):
        theta = x[0] + np.concatenate([[0.0], np.cumsum(np.exp(x[1 : levels - 1]))])  # ordered
        return theta, np.concatenate([[0.0], x[levels - 1 :]])

    def loss(x):
        theta, beta = unpack(x)
        cdf = expit(theta[None, :] - beta[:, None])
        upper = np.column_stack([cdf, np.ones(groups)])
        lower = np.column_stack([np.zeros(groups), cdf])
        prob = np.clip(upper - lower, 1e-300, None)
        return -np.sum(counts * np.log(prob)) + ridge * np.sum(beta**2)

    x0 = np.zeros(levels - 1 + groups - 1)
    found = minimize(loss, x0, method="BFGS", options={"gtol": 1e-10, "maxiter": 10_000})
    return unpack(found.x)[1][1:]


def test_ordinal_separation_matches_a_brute_force_penalised_fit():
    # Issue 16 §4: a separated stage got odds ratio 3e-10, CI (0, inf), p 0.99 as a result.
    # Independent reference: the stage effects of a written-out cumulative-logit model fitted
    # with a vanishing ridge penalty; a stage is separated exactly when its effect runs off
    # (moves by more than 1 between ridge 1e-2 and 1e-9) instead of converging.
    from cxkit.analysis.stages import _ordinal_separation

    rng = np.random.default_rng(16)
    stages = ["awareness", "consideration", "decision"]
    seen, checked_end_to_end = {True: 0, False: 0}, {True: False, False: False}
    while sum(seen.values()) < 30:
        counts = rng.integers(0, 4, size=(3, 4)) * (rng.random((3, 4)) < 0.6)
        counts[:, 0] += (counts.sum(axis=1) < 2) * 2  # two scores at least per stage
        counts = counts[:, counts.sum(axis=0) > 0]  # the model's levels are the scores seen
        if all((counts[i] > 0).sum() == 1 for i in range(3)):
            continue  # no stage varies: compare_stages refuses the data (tested below)
        loose, tight = (_penalised_ordinal_fit(counts, r) for r in (1e-2, 1e-9))
        running_off = np.abs(tight - loose) > 1.0
        group, level = np.nonzero(counts)
        flagged = _ordinal_separation(group, level, 3, counts.shape[1])
        np.testing.assert_array_equal(flagged, running_off, err_msg=str(counts))
        kind = bool(running_off.any())
        seen[kind] += 1
        if not checked_end_to_end[kind]:  # the whole path once for each kind of data
            checked_end_to_end[kind] = True
            rows = pd.DataFrame(
                [(stages[g], k + 1) for g in range(3) for k in range(counts.shape[1]) for _ in range(counts[g, k])],
                columns=["journey_stage", "csat"],
            )
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                res = cx.compare_stages(rows, score="csat", ordinal=True)
            table = res.ordinal.set_index("stage").loc[stages[1:]]
            np.testing.assert_array_equal(~table["estimable"].to_numpy(), running_off)
            assert table.loc[~table["estimable"], ["odds_ratio", "ci_low", "ci_high", "p"]].isna().all().all()
            assert (table.loc[~table["estimable"], "note"] == "separated: not estimable").all()
            assert kind == any("separated" in str(w.message) for w in caught)
            if not kind:  # the maximum, to the brute force's precision
                np.testing.assert_allclose(table["log_odds"], tight, atol=1e-3)
    assert seen[True] >= 5 and seen[False] >= 5, seen  # both kinds of data were met


def test_a_stage_with_every_score_at_the_bottom_is_reported_as_separated():
    # The case of the issue: statsmodels' row-level fit of the same data returns an odds ratio of
    # ~1e-7 with a CI from 0 to infinity and p ~ 1; compare_stages says the stage is separated.
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    df = pd.DataFrame(
        {
            "journey_stage": ["awareness"] * 30 + ["decision"] * 30 + ["advocacy"] * 30,
            "csat": [2, 3, 4, 5, 3, 4] * 5 + [1] * 30 + [1, 2, 3, 4, 5, 4] * 5,
        }
    )
    exog = pd.get_dummies(df["journey_stage"], dtype=float)[["decision", "advocacy"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = OrderedModel(df["csat"].to_numpy(), exog, distr="logit").fit(method="bfgs", disp=False, maxiter=500)
    assert np.exp(raw.params["decision"]) < 1e-4 and raw.pvalues["decision"] > 0.9  # the confident wrong number
    with pytest.warns(UserWarning, match=r"decision separated \(every decision score is the lowest one \(1\)\)"):
        res = cx.compare_stages(df, score="csat")
    table = res.ordinal.set_index("stage")
    assert not table.loc["decision", "estimable"] and np.isnan(table.loc["decision", "odds_ratio"])
    # advocacy overlaps awareness: estimable, and equal to the row-level fit
    assert table.loc["advocacy", "estimable"]
    assert table.loc["advocacy", "log_odds"] == pytest.approx(raw.params["advocacy"], abs=1e-4)
    # the separated stage only pushes its own odds to zero: the others' estimates and standard
    # errors are those of the data without it
    without = cx.compare_stages(df[df["journey_stage"] != "decision"], score="csat").ordinal.set_index("stage")
    assert table.loc["advocacy", "log_odds"] == pytest.approx(without.loc["advocacy", "log_odds"], abs=1e-4)
    assert table.loc["advocacy", "se"] == pytest.approx(without.loc["advocacy", "se"], rel=1e-4)
    assert any("separated" in note for note in res.notes)
    html = res._repr_html_()
    assert "separated: not estimable" in html


def test_stages_without_any_variation_are_a_clear_error_not_a_zero_division():
    # Issue 16 §5: two constant groups raised ZeroDivisionError from the ANOVA.
    df = pd.DataFrame({"journey_stage": ["awareness", "decision"] * 6, "csat": [3, 4] * 6})
    with pytest.raises(
        ValueError,
        match=r"do not vary within any journey_stage.*awareness: 3, decision: 4.*"
        r"one score per response",
    ):
        cx.compare_stages(df, score="csat")
    with pytest.raises(ValueError, match="stage_scorecard has no metric to show: csat: .*do not vary"):
        cx.stage_scorecard(df, metrics=["csat"])


def test_hedges_g_is_undefined_for_two_constant_groups_beside_a_varying_one():
    df = pd.DataFrame(
        {
            "journey_stage": ["awareness"] * 5 + ["decision"] * 5 + ["advocacy"] * 5,
            "csat": [3] * 5 + [4] * 5 + [1, 2, 3, 4, 5],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = cx.compare_stages(df, score="csat", ordinal=False)
    pair = _pair(res, "games-howell", "awareness", "decision")
    assert np.isnan(pair["effect_size"]) and np.isnan(pair["p_adjusted"])  # no within-stage variation at all
    # with advocacy's variance the pooled SD is positive: Hedges' g by hand (pooled SD, J correction)
    pair = _pair(res, "tukey", "awareness", "advocacy")
    pooled = np.sqrt((0 + 4 * np.var([1, 2, 3, 4, 5], ddof=1)) / 8)
    assert pair["effect_size"] == pytest.approx((3 - 3) / pooled * (1 - 3 / 31), abs=1e-12)


def test_infinite_scores_and_boolean_metrics():
    df = pd.DataFrame({"journey_stage": ["awareness", "decision"] * 10, "csat": [1.0, 2.0, np.inf, 4.0, 5.0] * 4})
    with pytest.raises(ValueError, match=r"'csat' holds 4 infinite value\(s\); scores must be finite"):
        cx.compare_stages(df, score="csat")
    # a boolean metric's mean is a proportion: Wilson intervals (statsmodels proportion_confint
    # method="wilson"), never outside [0, 1] and not a point at 0%
    from statsmodels.stats.proportion import proportion_confint

    flags = pd.DataFrame(
        {"journey_stage": ["awareness"] * 12 + ["decision"] * 12, "success": [False] * 12 + [True] * 3 + [False] * 9}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = cx.compare_stages(flags, score="success")
    low, high = proportion_confint([0, 3], [12, 12], method="wilson")
    np.testing.assert_allclose(res.stages["ci_low"], low, atol=1e-12)
    np.testing.assert_allclose(res.stages["ci_high"], high, atol=1e-12)
    assert res.stages["ci_high"].iloc[0] > 0


def test_counted_ordered_model_gradient_is_the_numerical_derivative(sample_journey):
    # the written-out score of the counted model against statsmodels' central differences of
    # its log-likelihood, at the maximum and away from it
    from statsmodels.tools.numdiff import approx_fprime

    res = cx.compare_stages(sample_journey.dropna(subset=["csat"]).head(2000), metric="csat")
    model, best = res.ordinal_result.model, np.asarray(res.ordinal_result.params)
    for params in (best, best + np.random.default_rng(3).normal(scale=0.3, size=best.size)):
        numeric = approx_fprime(params, model.loglike, centered=True)
        np.testing.assert_allclose(model.score(params), numeric, rtol=1e-6, atol=1e-4)


def test_ordinal_only_for_likert_scores(plant_result):
    assert plant_result.ordinal is None  # weights are not a Likert score
    assert "Proportional odds" not in set(plant_result.omnibus["test"])


# --------------------------------------------------------------------------- the sample


def test_planted_lowest_stage_is_found_in_journey_and_feedback(sample_journey, sample_feedback):
    truth = sample_truth()
    for frame in (sample_journey, sample_feedback):
        res = cx.compare_stages(frame, score="csat")
        assert res.stages["stage"].tolist() == list(cx.STAGES)
        low = res.lowest()
        assert low["stage"] == truth["lowest_stage"] == "decision"
        assert low["significant"] and low["p_max"] < 0.001
        assert res.stages["letters"].is_unique  # every stage differs from every other one
        # sample means from truth.json (4 decimals)
        table = "csat_by_stage" if frame is sample_feedback else None
        expected = truth[table] if table else truth["journey"]["csat_by_stage"]
        assert res.stages.set_index("stage")["mean"].round(4).to_dict() == pytest.approx(expected, abs=1e-4)
    assert "CSAT is lowest at decision" in jp.stage_finding(
        res
    ) and "significantly below every other" in jp.stage_finding(res)


def test_result_renders_safely_and_the_input_is_not_changed():
    df = pd.DataFrame({"journey_stage": ["<script>x</script>", "b"] * 40, "csat": [1, 2, 3, 4, 5] * 16})
    before = df.copy()
    res = cx.compare_stages(df, score="csat")
    html = res._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "StageComparison(score='csat'" in repr(res)
    pd.testing.assert_frame_equal(df, before)


def test_plot_marks_letters_and_the_lowest_stage(sample_journey):
    res = cx.compare_stages(sample_journey, score="csat")
    ax = cx.plot_stages(res)
    assert [t.get_text() for t in ax.texts][:5] == res.stages["letters"].tolist()
    assert [t.get_text() for t in ax.get_xticklabels()] == list(cx.STAGES)


def test_compact_letters():
    # a > b > c; only a-c differ: a and c share nothing, b goes with both
    assert compact_letters(["a", "b", "c"], [3, 2, 1], {("a", "c")}) == {"a": "a", "b": "ab", "c": "b"}
    assert compact_letters(["a", "b", "c"], [3, 2, 1], set()) == {"a": "a", "b": "a", "c": "a"}
    letters = compact_letters(list("abcd"), [4, 3, 2, 1], {("a", "c"), ("a", "d"), ("b", "d")})
    share = lambda x, y: bool(set(letters[x]) & set(letters[y]))  # noqa: E731
    assert not share("a", "c") and not share("a", "d") and not share("b", "d")
    assert share("a", "b") and share("b", "c") and share("c", "d")


def test_p_adjustments_match_statsmodels():
    from statsmodels.stats.multitest import multipletests

    from cxkit._stats import adjust_p

    rng = np.random.default_rng(1)
    for _ in range(6):  # multipletests runs gc.collect() on every call: keep this loop short
        p = rng.random(rng.integers(1, 15)) ** 3
        for ours, theirs in [
            ("holm", "holm"),
            ("bonferroni", "bonferroni"),
            ("BH", "fdr_bh"),
            ("hochberg", "simes-hochberg"),
        ]:
            assert adjust_p(p, ours) == pytest.approx(multipletests(p, method=theirs)[1], rel=1e-12)
    assert np.isnan(adjust_p([0.01, np.nan], "holm")[1])


def test_wilson_interval_matches_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    for x, n in [(81, 263), (0, 20), (20, 20), (3, 7)]:
        low, high = wilson_interval(x, n)
        assert (float(low), float(high)) == pytest.approx(proportion_confint(x, n, method="wilson"), abs=1e-12)


# --------------------------------------------------------------------------- scorecard


def test_scorecard_flags_decision_and_notes_missing_sentiment(sample_feedback):
    card = cx.stage_scorecard(sample_feedback)
    flagged = card[card["significant"]]
    assert flagged[["metric", "stage"]].values.tolist() == [["csat", "decision"], ["ces", "decision"]]
    assert not card.loc[card["metric"] == "ces", "higher_is_better"].any()  # effort: high is bad
    assert card.attrs["notes"] == [
        "sentiment: no 'sentiment' column; add a precomputed score per response to include it"
    ]
    # NPS per stage = % promoters - % detractors, by brute force
    nps = card[card["metric"] == "nps"].set_index("stage")["value"]
    for stage, part in sample_feedback.dropna(subset=["nps"]).groupby("journey_stage", observed=True):
        expected = 100 * ((part["nps"] >= 9).mean() - (part["nps"] <= 6).mean())
        assert nps[stage] == pytest.approx(expected, abs=1e-9)
    view = jp.scorecard_view(card)
    assert view.columns.tolist() == ["stage", "NPS", "CSAT", "CES"]
    assert view.set_index("stage").loc["decision", "CSAT"].endswith("▼ significantly lowest")


def test_scorecard_uses_a_precomputed_sentiment_column(sample_feedback):
    rng = np.random.default_rng(5)
    data = sample_feedback[["journey_stage", "csat"]].copy()
    data["sentiment"] = rng.normal(0.2, 0.3, len(data)) - 0.3 * (data["journey_stage"] == "retention")
    card = cx.stage_scorecard(data, metrics=["csat", "sentiment"])
    row = card[(card["metric"] == "sentiment") & card["worst"]].iloc[0]
    assert row["stage"] == "retention" and row["significant"]
    assert card.attrs["notes"] == []


# --------------------------------------------------------------------------- errors


def test_errors_name_the_column_and_the_fix(sample_journey):
    with pytest.raises(ValueError, match=r"column 'cast' \(score\) is not in the data\. Did you mean 'csat'\?.*score="):
        cx.compare_stages(sample_journey, score="cast")
    with pytest.raises(ValueError, match="stage='<column>'"):
        cx.compare_stages(sample_journey, stage="stages")
    with pytest.raises(ValueError, match="'touchpoint' holds text such as 'website'"):
        cx.compare_stages(sample_journey, score="touchpoint")
    with pytest.raises(ValueError, match="alpha must be"):
        cx.compare_stages(sample_journey, alpha=5)
    with pytest.raises(ValueError, match="padjust='tukey' is not a p-value adjustment"):
        cx.compare_stages(sample_journey, padjust="tukey")
    with pytest.raises(TypeError, match="needs a pandas DataFrame"):
        cx.compare_stages([1, 2, 3])
    one = sample_journey[sample_journey["journey_stage"] == "decision"]
    with pytest.raises(ValueError, match="at least two journey_stage values"):
        cx.compare_stages(one)


def test_tiny_stages_are_left_out_with_a_warning():
    df = pd.DataFrame(
        {
            "journey_stage": ["awareness"] * 40 + ["decision"] * 40 + ["advocacy"],
            "csat": [3, 4, 5, 4] * 10 + [1, 2, 3, 2] * 10 + [5],
        }
    )
    with pytest.warns(UserWarning, match=r"\['advocacy'\] have fewer than two csat scores"):
        res = cx.compare_stages(df, score="csat")
    assert res.stages["stage"].tolist() == ["awareness", "decision"]
    assert any("advocacy" in note for note in res.notes)


def test_results_are_json_ready(sample_journey, tmp_path):
    res = cx.compare_stages(sample_journey, score="ces")
    low = res.lowest()
    assert low["stage"] == "decision" and not low["higher_is_better"]  # CES: the highest effort
    cx.save_results(tmp_path / "r.json", x={"omnibus": res.omnibus, "lowest": low})
    assert json.loads((tmp_path / "r.json").read_text())["x"]["lowest"]["stage"] == "decision"


def test_metric_is_the_design_contracts_name_for_score(sample_journey):
    # DESIGN.md's contract spells the scored column metric=; cxkit's vocabulary says score=.
    by_score, by_metric = (
        cx.compare_stages(sample_journey, score="csat"),
        cx.compare_stages(sample_journey, metric="csat"),
    )
    pd.testing.assert_frame_equal(by_score.stages, by_metric.stages)
    assert by_metric.score == by_metric.metric == "csat"
    with pytest.raises(ValueError, match="score='csat' and metric='ces' name different columns"):
        cx.compare_stages(sample_journey, score="csat", metric="ces")


# --------------------------------------------------------------------------- survey weights (issue 29)


@pytest.fixture(scope="module")
def weighted_stages() -> pd.DataFrame:
    rng = np.random.default_rng(29)
    stage = np.repeat(["awareness", "decision", "retention"], [60, 50, 40])
    csat = np.clip(np.rint(3.6 - 0.7 * (stage == "decision") + rng.normal(size=stage.size)), 1, 5)
    return pd.DataFrame({"journey_stage": stage, "csat": csat, "w": rng.uniform(0.3, 3.0, stage.size)})


def test_weighted_stage_means_and_intervals_by_hand(weighted_stages):
    df = weighted_stages
    res = cx.compare_stages(df, score="csat", weights="w")
    assert res.weights == "w" and list(res.stages.columns[:3]) == ["stage", "n", "n_eff"]
    for row in res.stages.itertuples(index=False):
        part = df[df["journey_stage"] == row.stage]
        y, w = part["csat"].to_numpy(), part["w"].to_numpy()
        # the weighted mean, Kish's effective n (sum w)^2 / sum w^2, the weighted variance with
        # n_eff - 1 in the denominator (Kish 1965: the variance of a mean is inflated by n / n_eff),
        # and the t interval at n_eff - 1 degrees of freedom
        mean = sum(wi * yi for wi, yi in zip(w, y)) / sum(w)
        n_eff = sum(w) ** 2 / sum(wi * wi for wi in w)
        var = sum(wi * (yi - mean) ** 2 for wi, yi in zip(w, y)) / sum(w) * n_eff / (n_eff - 1)
        se = (var / n_eff) ** 0.5
        t = stats.t.ppf(0.975, n_eff - 1)
        assert row.n == len(part)
        assert row.n_eff == pytest.approx(n_eff, rel=1e-12)
        assert row.mean == pytest.approx(mean, rel=1e-12)
        assert row.se == pytest.approx(se, rel=1e-12)
        assert (row.ci_low, row.ci_high) == pytest.approx((mean - t * se, mean + t * se), rel=1e-12)
    # Games-Howell's difference and SE are Welch's at the effective n
    pair = res.pairs("games-howell").set_index(["a", "b"]).loc[("awareness", "decision")]
    a, d = res.stages.set_index("stage").loc["awareness"], res.stages.set_index("stage").loc["decision"]
    assert pair["diff"] == pytest.approx(a["mean"] - d["mean"], rel=1e-12)
    assert pair["se"] == pytest.approx(np.hypot(a["se"], d["se"]), rel=1e-12)
    assert (pair["n_a"], pair["n_b"]) == (60, 50)  # the responses, as in the stages table
    assert any("effective sample size" in note for note in res.notes)


def test_equal_weights_are_the_unweighted_comparison(weighted_stages):
    df = weighted_stages.assign(w=2.5)
    weighted, plain = cx.compare_stages(df, score="csat", weights="w"), cx.compare_stages(df, score="csat")
    pd.testing.assert_frame_equal(weighted.stages.drop(columns="n_eff"), plain.stages)
    pd.testing.assert_frame_equal(weighted.omnibus, plain.omnibus, rtol=1e-9)
    pd.testing.assert_frame_equal(weighted.pairwise, plain.pairwise, rtol=1e-9)


def test_weighted_scorecard_and_bad_weights(weighted_stages):
    df = weighted_stages.assign(nps=np.where(weighted_stages["csat"] >= 4, 9.0, 5.0))
    card = cx.stage_scorecard(df, metrics=["nps", "csat"], weights="w")
    assert card.attrs["weights"] == "w" and "n_eff" in card.columns
    part = df[df["journey_stage"] == "decision"]
    # weighted NPS: 100 x (weighted promoter share - weighted detractor share)
    promoters = part.loc[part["nps"] >= 9, "w"].sum() / part["w"].sum()
    row = card[(card["metric"] == "nps") & (card["stage"] == "decision")].iloc[0]
    assert row["value"] == pytest.approx(100 * (promoters - (1 - promoters)), rel=1e-12)
    with pytest.raises(ValueError, match=r"weights column 'w' has 1 row\(s\) without a weight"):
        cx.stage_scorecard(df.assign(w=df["w"].where(df.index != 3)), weights="w")
    with pytest.raises(ValueError, match="weights column 'x' not found"):
        cx.compare_stages(df, score="csat", weights="x")
