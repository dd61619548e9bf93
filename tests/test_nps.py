"""NPS, CSAT and CES: intervals against published formulas and references, comparisons, flags.

References:
- NPS Wald standard error sqrt((p + d - (p - d)^2) / n) and the adjusted-Wald interval (add 3 to
  n, 3/4 to promoters and detractors): Rocks (2016), "Interval estimation for the net promoter
  score", The American Statistician 70(4); Sauro & Lewis (2016), Quantifying the User
  Experience, ch. 5. Issue #4 reference: n = 500, 40% promoters, 30% detractors -> NPS 10,
  95% Wald CI (2.7, 17.3).
- Tango's score interval of a paired difference (the NPS default): Tango (1998), Stat Med 17:891;
  Fagerland, Lydersen & Laake (2014), Stat Med 33:2850, and their R package contingencytables
  (tests/testthat/test-ch8.R): Cavo et al. (2012) table [[59, 6], [16, 80]] -> estimate -0.0621,
  95% CI -0.1240 to -0.0054. Also checked against a brute-force inversion of the score test with
  a numerically maximised restricted likelihood (no closed form shared with the code).
- Agresti-Coull interval: statsmodels ``proportion_confint(method="agresti_coull")``.
- Welch t test: scipy ``ttest_ind(equal_var=False)``.
- Holm / Benjamini-Hochberg: statsmodels ``multipletests``.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit as cx
from cxkit.privacy import mask_pii


def _scores(promoters: int, passives: int, detractors: int, **extra) -> pd.DataFrame:
    return pd.DataFrame({"nps": [10] * promoters + [8] * passives + [2] * detractors, **extra})


# --------------------------------------------------------------------------- NPS and its interval


def test_nps_reference_n500():
    # Issue #4: n = 500, 40% promoters, 30% detractors -> NPS 10, 95% Wald CI (2.7, 17.3).
    out = cx.nps(_scores(200, 150, 150), ci="wald").iloc[0]
    assert out["n"] == 500
    assert out[["promoters", "passives", "detractors"]].tolist() == pytest.approx([0.4, 0.3, 0.3])
    assert out["nps"] == pytest.approx(10.0)
    # sqrt((0.4 + 0.3 - 0.1^2) / 500) = 0.0371484 -> 3.71 points. The "3.72" is the same
    # formula with n - 1 (the sample variance of the -1/0/+1 scores): sqrt(0.69 / 499) = 3.7186.
    assert out["se"] == pytest.approx(3.714835, abs=1e-6)
    assert round(out["ci_low"], 1) == 2.7 and round(out["ci_high"], 1) == 17.3


def test_nps_adjusted_wald_interval_by_hand():
    # n' = 503, p' = 200.75 / 503, d' = 150.75 / 503; NPS' +- 1.959964 * sqrt((p' + d' - (p' - d')^2) / n')
    # = 9.9404 +- 7.2535 -> (2.686811, 17.193905), computed by hand from Rocks (2016) eq. for the adjusted Wald.
    out = cx.nps(_scores(200, 150, 150), ci="adjusted-wald").iloc[0]
    assert out["nps"] == pytest.approx(10.0)  # the estimate itself is not adjusted
    assert out["ci_low"] == pytest.approx(2.686811, abs=1e-6)
    assert out["ci_high"] == pytest.approx(17.193905, abs=1e-6)


def test_nps_bands():
    # 0-6 detractor, 7-8 passive, 9-10 promoter
    df = pd.DataFrame({"nps": list(range(11))})
    out = cx.nps(df).iloc[0]
    assert out["detractors"] == pytest.approx(7 / 11)
    assert out["passives"] == pytest.approx(2 / 11)
    assert out["promoters"] == pytest.approx(2 / 11)


@pytest.mark.parametrize("ci", ["score", "adjusted-wald"])
@pytest.mark.parametrize("n, p, d", [(30, 0.5, 0.2), (80, 0.3, 0.3), (400, 0.45, 0.25)])
def test_nps_interval_coverage_by_simulation(n, p, d, ci):
    # Brute force: 4,000 simulated surveys per case; a 95% interval should cover the true NPS in
    # about 95% of them (Monte Carlo SE 0.34 points). Rocks (2016) reports 94-96% for these sizes.
    rng = np.random.default_rng(7)
    sims = 4000
    kind = rng.choice([10, 8, 2], size=(sims, n), p=[p, 1 - p - d, d])
    df = pd.DataFrame({"sim": np.repeat(np.arange(sims), n), "nps": kind.ravel()})
    out = cx.nps(df, by="sim", ci=ci)
    truth = 100 * (p - d)
    coverage = ((out["ci_low"] <= truth) & (truth <= out["ci_high"])).mean()
    assert 0.935 <= coverage <= 0.965


def test_nps_by_groups_and_missing_scores():
    df = pd.DataFrame({"seg": ["a", "a", "b", "b", "b", None], "nps": pd.array([10, 2, 9, None, 7, 10], dtype="Int64")})
    out = cx.nps(df, by="seg")
    assert (
        out["seg"].tolist()[:2] == ["a", "b"] and out["seg"].iloc[2] == "not given"
    )  # a missing group is its own, named
    assert out["n"].tolist() == [2, 2, 1]  # the missing score is left out
    assert out["nps"].tolist() == pytest.approx([0.0, 50.0, 100.0])


def test_weighted_nps_matches_replicated_rows():
    df = pd.DataFrame({"nps": [10, 8, 3, 9], "w": [2.0, 1.0, 3.0, 1.0]})
    replicated = pd.DataFrame({"nps": [10, 10, 8, 3, 3, 3, 9]})
    weighted, plain = cx.nps(df, weights="w").iloc[0], cx.nps(replicated).iloc[0]
    assert weighted["nps"] == pytest.approx(plain["nps"])
    # Kish effective n = (sum w)^2 / sum w^2 = 49 / 15
    assert weighted["n_eff"] == pytest.approx(49 / 15)
    assert weighted["n"] == 4
    ones = cx.nps(df.assign(w=1.0), weights="w").iloc[0]
    assert ones["ci_low"] == pytest.approx(cx.nps(df).iloc[0]["ci_low"])


def test_nps_errors_name_the_column_and_fix():
    with pytest.raises(ValueError, match="'score_x' not found"):
        cx.nps(pd.DataFrame({"nps": [1]}), score="score_x")
    with pytest.raises(ValueError, match="outside 0-10"):
        cx.nps(pd.DataFrame({"nps": [11, 3]}))
    with pytest.raises(ValueError, match="not numeric"):
        cx.nps(pd.DataFrame({"nps": ["ten"]}))
    with pytest.raises(ValueError, match="ci must be"):
        cx.nps(pd.DataFrame({"nps": [1]}), ci="exact")


# --------------------------------------------------------------------------- small n (issue 16 §6)


def test_score_interval_matches_published_reference():
    # Fagerland, Lydersen & Laake (2014) / R contingencytables: Cavo et al. (2012), 6 and 16
    # discordant pairs of 161 -> Tango 95% CI -0.1240 to -0.0054. As NPS: 6 promoters, 16
    # detractors, 139 passives -> NPS -6.21, CI -12.40 to -0.54.
    out = cx.nps(_scores(6, 139, 16)).iloc[0]
    assert out["nps"] == pytest.approx(-1000 / 161)
    assert round(out["ci_low"], 2) == -12.40 and round(out["ci_high"], 2) == -0.54


def _score_interval_brute_force(b: int, c: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Invert the score test on a fine grid: for each difference D the restricted MLE of the
    detractor share is found by maximising the trinomial likelihood numerically (no closed form)."""
    from scipy.optimize import brentq, minimize_scalar

    m = n - b - c
    z = stats.norm.ppf(1 - alpha / 2)

    def score(delta):
        lo, hi = max(0.0, -delta), (1 - delta) / 2  # detractor share q with p = q + delta, passives 1 - 2q - delta
        if hi - lo < 1e-13:
            q = lo
        else:

            def nll(q):
                parts = [(b, q + delta), (c, q), (m, 1 - 2 * q - delta)]
                return -sum(k * math.log(max(pr, 1e-300)) for k, pr in parts if k)

            q = minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13}).x
        var = 2 * q + delta - delta**2
        gap = b - c - n * delta
        if abs(gap) < 1e-12:
            return 0.0  # at the estimate itself
        return gap / math.sqrt(n * var) if var > 0 else math.copysign(math.inf, gap)

    est = (b - c) / n
    low = -1.0 if est <= -1 else brentq(lambda t: score(t) - z, -1 + 1e-12, est, xtol=1e-12)
    high = 1.0 if est >= 1 else brentq(lambda t: score(t) + z, est, 1 - 1e-12, xtol=1e-12)
    return 100 * low, 100 * high


@pytest.mark.parametrize(
    "b, m, c", [(1, 0, 0), (0, 0, 1), (0, 3, 0), (2, 1, 1), (5, 3, 12), (40, 20, 140), (6, 139, 16)]
)
def test_score_interval_equals_brute_force_inversion(b, m, c):
    out = cx.nps(_scores(b, m, c), min_n=0).iloc[0]
    low, high = _score_interval_brute_force(b, c, b + m + c)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((low, high), abs=2e-4)


def test_one_response_has_an_interval_around_its_own_nps():
    # Issue 16 §6: one promoter gave (-48.5, 98.5) around 100 with the adjusted Wald interval.
    # The score interval of 1 of 1 (brute force above: -58.69 to 100) contains it, and the
    # adjusted Wald one is stretched to it; both are flagged as a small sample.
    one = pd.DataFrame({"nps": [10]})
    score = cx.nps(one).iloc[0]
    assert score["nps"] == 100 and score["ci_high"] == 100 and score["ci_low"] == pytest.approx(-58.690137, abs=1e-5)
    assert score["small_n"]
    wald = cx.nps(one, ci="adjusted-wald").iloc[0]
    assert wald["ci_low"] == pytest.approx(-48.498649, abs=1e-5)  # 25 - 1.959964 * 37.5, as reported
    assert wald["ci_high"] == 100  # stretched from 98.5 to the estimate
    assert not cx.nps(_scores(20, 5, 5)).iloc[0]["small_n"]  # 30 responses reach the default min_n
    assert cx.nps(_scores(20, 5, 5), min_n=31).iloc[0]["small_n"]


@pytest.mark.parametrize("ci", ["score", "adjusted-wald", "wald"])
def test_every_small_sample_interval_contains_its_estimate(ci):
    # Exhaustive: every trinomial outcome with 1 to 12 responses, as one grouped call.
    rows = [
        (g, b, m, n - b - m)
        for n in range(1, 13)
        for b in range(n + 1)
        for m in range(n + 1 - b)
        for g in [f"{n}-{b}-{m}"]
    ]
    df = pd.concat([_scores(b, m, c, g=g) for g, b, m, c in rows], ignore_index=True)
    out = cx.nps(df, by="g", ci=ci)
    assert len(out) == len(rows)
    assert ((out["ci_low"] <= out["nps"] + 1e-9) & (out["nps"] <= out["ci_high"] + 1e-9)).all()
    assert out["ci_low"].between(-100, 100).all() and out["ci_high"].between(-100, 100).all()
    assert out["small_n"].all()


def test_csat_and_ces_intervals_at_small_n_stay_on_the_scale():
    one = cx.csat(pd.DataFrame({"csat": [5]})).set_index("metric")
    assert np.isnan(one.loc["mean", "ci_low"]) and one.loc["mean", "value"] == 5  # one answer: no spread
    assert one.loc["top2_box", "ci_low"] <= 1 <= one.loc["top2_box", "ci_high"] == 1
    two = cx.ces(pd.DataFrame({"ces": [1, 7]})).set_index("metric")
    # t interval 4 +- 12.706 * 3 would be -34 to 42; the mean of a 1-7 scale lies in 1-7
    assert (two.loc["mean", "ci_low"], two.loc["mean", "ci_high"]) == (1, 7)
    assert two["small_n"].all()


def test_difference_interval_contains_the_observed_difference():
    # 3 promoters of 3 against 100 mixed answers: the adjusted-Wald difference is shrunk to
    # 100 * (3.75/6 - 0.75/6) - adj(b) while the observed one is 100 - NPS(b); the interval
    # must contain the observed difference, and the flag says the group is small.
    df = pd.concat([_scores(3, 0, 0, g="a"), _scores(30, 40, 30, g="b")], ignore_index=True)
    out = cx.compare_nps(df, by="g", against="b").iloc[0]
    assert out["diff"] == pytest.approx(100.0)
    assert out["diff_ci_low"] <= out["diff"] <= out["diff_ci_high"]
    assert out["small_n"]
    shares = cx.compare_csat(
        pd.DataFrame({"csat": [5, 5] + [1, 2, 3, 4, 5] * 20, "g": ["a"] * 2 + ["b"] * 100}), by="g", against="b"
    )
    assert ((shares["diff_ci_low"] <= shares["diff"]) & (shares["diff"] <= shares["diff_ci_high"])).all()


def test_small_groups_are_shown_but_not_findings(feedback):
    month = feedback[feedback["responded_at"].dt.strftime("%Y-%m") == "2026-10"]
    tiny = pd.concat([month, month.head(8).assign(segment="Pilot", nps=10)], ignore_index=True)
    seg = cx.compare_nps(tiny, by="segment")
    pilot = seg.set_index("group").loc["Pilot"]
    assert pilot["small_n"] and pilot["n"] == 8
    from cxkit.pack.nps_drivers import _nps_findings

    kpis = {"nps": {**cx.kpi_headline(cx.kpi_trend(feedback, "nps", month="2026-10")), "min_n": 30}}
    text = " ".join(_nps_findings(kpis, cx.kpi_trend(feedback, "nps", month="2026-10"), seg, family=1, padjust="holm"))
    assert "segment Pilot (n = 8)" in text and "Pilot: NPS" not in text


# --------------------------------------------------------------------------- the wrong scale (issue 15)


def test_nps_of_a_csat_column_is_refused_with_the_fix(feedback):
    # Issue 15: cx.nps(df, "csat") returned -100 (every 1-5 answer counted as a detractor).
    with pytest.raises(ValueError, match=r"score='csat' is the CSAT column \(1-5 satisfaction scale\).*cx.csat\(df\)"):
        cx.nps(feedback, "csat")
    with pytest.raises(ValueError, match="score='ces' is the CES column"):
        cx.compare_nps(feedback, "ces", by="segment")
    with pytest.raises(ValueError, match="score='support' is a driver rating"):
        cx.nps(feedback, "support")
    with pytest.raises(ValueError, match="score='nps' is the NPS column"):
        cx.ces(feedback, "nps")
    # the same scale under another name: 40 answers all within 1-5 are not 0-10 answers
    rated = pd.DataFrame({"q7": [1, 2, 3, 4, 5] * 8})
    with pytest.raises(ValueError, match="'q7' has 40 answers, all between 1 and 5.*check_scale=False"):
        cx.nps(rated, "q7")
    assert cx.nps(rated, "q7", check_scale=False).iloc[0]["nps"] == -100  # the user says it is 0-10
    assert cx.nps(rated.head(10), "q7").iloc[0]["small_n"]  # too few answers to judge the scale: small n instead


# --------------------------------------------------------------------------- comparisons


def test_compare_nps_z_by_hand():
    # z = (NPS1' - NPS2') / sqrt(SE1'^2 + SE2'^2), adjusted-Wald estimates of each group
    df = pd.concat([_scores(60, 20, 20, g="a"), _scores(30, 30, 40, g="b")], ignore_index=True)
    out = cx.compare_nps(df, by="g", against="b").iloc[0]

    def adjusted(prom, det, n):
        pa, da = (prom + 0.75) / (n + 3), (det + 0.75) / (n + 3)
        return 100 * (pa - da), 100 * math.sqrt((pa + da - (pa - da) ** 2) / (n + 3))

    (a, sa), (b, sb) = adjusted(60, 20, 100), adjusted(30, 40, 100)
    z = (a - b) / math.hypot(sa, sb)
    assert out["diff"] == pytest.approx(40 - (-10))
    assert out["statistic"] == pytest.approx(z)
    assert out["p"] == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert out["diff_ci_low"] == pytest.approx(a - b - 1.959964 * math.hypot(sa, sb), abs=1e-4)


def test_compare_against_rest_previous_pairs():
    df = pd.concat(
        [_scores(50, 30, 20, g="m1"), _scores(40, 30, 30, g="m2"), _scores(20, 30, 50, g="m3")], ignore_index=True
    )
    rest = cx.compare_nps(df, by="g")
    assert rest["reference"].unique().tolist() == ["rest"]
    # "rest" of m1 is m2 + m3 pooled: NPS (60 - 80) / 200 = -10
    assert rest.loc[0, "value_reference"] == pytest.approx(-10.0)
    assert rest.loc[0, "n_reference"] == 200
    prev = cx.compare_nps(df, by="g", against="previous")
    assert list(zip(prev["group"], prev["reference"])) == [("m2", "m1"), ("m3", "m2")]
    pairs = cx.compare_nps(df, by="g", against="pairs")
    assert len(pairs) == 3
    one = cx.compare_nps(df, by="g", against="pairs", pairs=[("m3", "m1")])
    assert one.loc[0, "diff"] == pytest.approx(-30 - 30)
    with pytest.raises(ValueError, match="against must be"):
        cx.compare_nps(df, by="g", against="m9")
    with pytest.raises(ValueError, match="pairs name group"):
        cx.compare_nps(df, by="g", against="pairs", pairs=[("m1", "x")])


def test_compare_csat_mean_is_welch():
    rng = np.random.default_rng(3)
    a, b = rng.integers(1, 6, 40), rng.integers(2, 6, 70)
    df = pd.DataFrame({"csat": np.r_[a, b], "g": ["a"] * 40 + ["b"] * 70})
    out = cx.compare_csat(df, by="g", against="b")
    mean = out[out["metric"] == "mean"].iloc[0]
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert mean["statistic"] == pytest.approx(ref.statistic)
    assert mean["p"] == pytest.approx(ref.pvalue)
    share = out[out["metric"] == "top2_box"].iloc[0]
    # Agresti-Caffo: add one success and one failure to each group
    pa, pb = ((a >= 4).sum() + 1) / 42, ((b >= 4).sum() + 1) / 72
    z = (pa - pb) / math.sqrt(pa * (1 - pa) / 42 + pb * (1 - pb) / 72)
    assert share["statistic"] == pytest.approx(z)


def test_csat_and_ces_intervals():
    from statsmodels.stats.proportion import proportion_confint

    df = pd.DataFrame({"csat": [5, 4, 4, 3, 1, 2, 5, 5, 3, 4], "ces": [1, 2, 3, 4, 7, 6, 2, 1, 5, 3]})
    c = cx.csat(df).set_index("metric")
    x = df["csat"].to_numpy(float)
    half = stats.t.ppf(0.975, 9) * x.std(ddof=1) / math.sqrt(10)
    assert c.loc["mean", "ci_low"] == pytest.approx(x.mean() - half)
    lo, hi = proportion_confint(6, 10, method="agresti_coull")
    assert (c.loc["top2_box", "ci_low"], c.loc["top2_box", "ci_high"]) == pytest.approx((lo, hi))
    e = cx.ces(df).set_index("metric")
    assert e.loc["low_effort", "value"] == pytest.approx(6 / 10)  # scores 1-3 (low = easy)
    assert cx.ces(df, low_effort=(1, 2)).set_index("metric").loc["low_effort", "value"] == pytest.approx(4 / 10)
    with pytest.raises(ValueError, match="outside 1-5"):
        cx.csat(pd.DataFrame({"csat": [0, 3]}))


# --------------------------------------------------------------------------- multiple testing


def test_adjust_p_matches_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = np.random.default_rng(1).uniform(0, 0.2, 25)
    assert cx.adjust_p(p, "holm") == pytest.approx(multipletests(p, method="holm")[1])
    assert cx.adjust_p(p, "bh") == pytest.approx(multipletests(p, method="fdr_bh")[1])
    assert cx.adjust_p(p, "bonferroni") == pytest.approx(multipletests(p, method="bonferroni")[1])
    assert cx.adjust_p(p, "sidak") == pytest.approx(multipletests(p, method="sidak")[1])
    with pytest.raises(ValueError, match="is not a p-value adjustment"):
        cx.adjust_p(p, "tukey")


def test_adjust_flags_is_one_family():
    a = pd.DataFrame({"p": [0.001, np.nan, 0.02]})
    b = pd.DataFrame({"p": [0.03, 0.2]})
    a2, none, b2 = cx.adjust_flags(a, None, b)
    pooled = cx.adjust_p([0.001, 0.02, 0.03, 0.2])
    assert none is None
    assert a2["p_adjusted"].dropna().tolist() == pytest.approx(pooled[:2].tolist())
    assert b2["p_adjusted"].tolist() == pytest.approx(pooled[2:].tolist())
    assert a2.attrs["family_size"] == 4
    assert a2["significant"].tolist() == [True, False, False]


# --------------------------------------------------------------------------- trend on the sample


def test_planted_nps_drop_is_the_only_significant_change(feedback, truth):
    trend = cx.kpi_trend(feedback, "nps", month="2026-10")
    assert trend["period"].tolist() == truth["months"]
    # truth.json: sample NPS per month and the planted drop (2026-08, -13.42 points)
    assert trend["value"].round(2).tolist() == [truth["nps_by_month"][m] for m in truth["months"]]
    assert trend["n"].tolist() == [truth["nps_n_by_month"][m] for m in truth["months"]]
    flagged = trend[trend["significant"]]
    assert flagged["period"].tolist() == [truth["nps_drop_month"]]
    assert flagged["change"].iloc[0] == pytest.approx(-truth["nps_drop_points"], abs=0.01)
    head = cx.kpi_headline(trend, month="2026-08")
    assert head["significant"] and head["previous_month"] == "2026-07"
    assert head["change_p"] == pytest.approx(flagged["p_adjusted"].iloc[0])


def test_kpi_trend_csat_has_both_metrics(feedback):
    t = cx.kpi_trend(feedback, "csat", month="2026-10", periods=2)
    assert t["metric"].tolist() == ["mean", "mean", "top2_box", "top2_box"]
    h = cx.kpi_headline(t, metric="top2_box")
    assert set(h) >= {"value", "ci_low", "ci_high", "n", "previous", "change", "change_p", "significant"}
    with pytest.raises(ValueError, match="kpi must be"):
        cx.kpi_trend(feedback, "ces2")


# --------------------------------------------------------------------------- the report


@pytest.fixture(scope="module")
def report_aug(feedback):
    return cx.nps_report(feedback, month="2026-08", bootstrap=30)


@pytest.fixture(scope="module")
def report_oct(feedback):
    return cx.nps_report(feedback, month="2026-10", bootstrap=30)


def test_report_recovers_planted_drop(report_aug, truth):
    k = report_aug.kpis["nps"]
    assert k["month"] == truth["nps_drop_month"] and k["significant"]
    assert k["change"] == pytest.approx(-truth["nps_drop_points"], abs=0.01)
    assert "fell 13.4 points" in " ".join(report_aug.findings)
    assert "down 13.4 points" in report_aug.finding


def test_report_headline_changes_follow_the_headline_policy(report_oct, report_aug):
    # The page's own family: 3 segments + 5 channels + 8 driver changes (Holm)
    assert report_oct.family_size == 3 + 5 + 8
    k = report_oct.kpis["nps"]
    # +6.6 points, raw p = 0.016: one test of the month's 7 headline KPIs, Bonferroni -> 0.112
    assert k["change"] == pytest.approx(19.44 - 12.88, abs=0.01)
    assert k["change_p"] == pytest.approx(min(1, 7 * k["change_p_raw"])) and not k["significant"]
    # every month of the trend, and CSAT and CES, by the same rule (the index and the other pages agree)
    for table in (report_oct.trend,):
        tested = table["p"].notna()
        assert np.allclose(table.loc[tested, "p_adjusted"], np.minimum(1, 7 * table.loc[tested, "p"]))
        assert (table.loc[tested, "significant"] == (table.loc[tested, "p_adjusted"] < 0.05)).all()
    for key, sub in (("csat", None), ("csat", "top2_box"), ("ces", None), ("ces", "low_effort")):
        kk = report_oct.kpis[key][sub] if sub else report_oct.kpis[key]
        assert kk["change_p"] == pytest.approx(min(1, 7 * kk["change_p_raw"]))
    # the planted August drop stays significant under the policy (raw p < 1e-6)
    assert report_aug.kpis["nps"]["significant"]
    text = " ".join(report_oct.findings)
    assert "not statistically significant" in text and "headline KPIs" in text
    assert "rose" not in text.split("Product quality")[0]


def test_report_results_keys_and_json(report_oct, tmp_path):
    res = report_oct.results()
    assert set(res) == {"nps", "csat", "ces", "drivers"}
    kpi_keys = {"value", "ci_low", "ci_high", "n", "previous", "change", "change_p", "significant"}
    for key in ("nps", "csat", "ces"):
        assert kpi_keys <= set(res[key])
    assert kpi_keys <= set(res["csat"]["top2_box"]) and kpi_keys <= set(res["ces"]["low_effort"])
    assert isinstance(res["nps"]["finding"], str) and res["nps"]["finding"].endswith(".")
    assert [d["driver"] for d in res["drivers"]][:3] == ["product_quality", "support", "price"]
    assert {"driver", "importance", "share", "ci_low", "ci_high", "rank", "performance", "r2", "n"} <= set(
        res["drivers"][0]
    )
    path = tmp_path / "results.json"
    cx.save_results(path, **res)
    assert json.loads(path.read_text())["nps"]["n"] == 1986


def test_findings_and_alt_texts_survive_pii_masking(report_aug, report_oct):
    # Reports mask phone-like digit runs; a sentence like "2026-08 (-13.4" must not look like one.
    for rep in (report_aug, report_oct):
        for text in [*rep.findings, rep.finding, *rep.alt.values()]:
            assert mask_pii(text) == text


def test_report_tables(report_oct):
    assert report_oct.headline["kpi"].tolist()[0] == "NPS"
    assert set(report_oct.segments["by"]) == {"segment", "channel"}
    assert len(report_oct.driver_change) == 8 and not report_oct.driver_change["significant"].any()
    assert report_oct.diagnostics["status"].eq("ok").all()


# --------------------------------------------------------------------------- plots


def test_plots_mark_significant_changes(report_aug):
    ax = cx.plot_nps_trend(report_aug.trend)
    labels = [t.get_text() for t in ax.texts]
    assert "-13.4" in labels
    assert ax.get_legend() is not None


def test_segment_plot_highlights_significant_group():
    df = pd.concat(
        [_scores(80, 10, 10, seg="A"), _scores(30, 30, 40, seg="B"), _scores(35, 30, 35, seg="C")], ignore_index=True
    )
    table = cx.compare_nps(df, by="seg")
    ax = cx.plot_nps_by_segment(table)
    assert any("vs rest" in t.get_text() for t in ax.texts)
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == ["seg: A", "seg: B", "seg: C"]


def test_plots_show_small_samples_as_such():
    df = pd.concat(
        [_scores(80, 10, 10, seg="A"), _scores(30, 30, 40, seg="B"), _scores(5, 0, 0, seg="C")], ignore_index=True
    )
    table = cx.compare_nps(df, by="seg")
    assert table.set_index("group").loc["C", "small_n"]
    ax = cx.plot_nps_by_segment(table)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(text.startswith("small sample") for text in legend)
    assert not any(
        "C" in t.get_text() and "vs rest" in t.get_text() for t in ax.texts
    )  # never labelled as a difference


def test_report_of_a_small_month_says_so(feedback):
    # Keep 20 responses of 2026-10: the month's NPS and its change are shown, never claimed.
    month = feedback["responded_at"].dt.strftime("%Y-%m")
    few = pd.concat([feedback[month != "2026-10"], feedback[month == "2026-10"].head(20)], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rep = cx.nps_report(few, month="2026-10", bootstrap=20)
    k = rep.kpis["nps"]
    assert k["small_n"] and k["n"] == 20 and k["min_n"] == 30
    assert "comes from a small sample" in rep.findings[0] and "not a finding" in rep.findings[0]
    assert "small sample" in rep.finding and "significant" not in rep.finding.split(";")[0]
    assert rep.headline.set_index("kpi").loc["NPS", "small_n"]
    assert k["ci_low"] <= k["value"] <= k["ci_high"]


def test_nps_refuses_a_yes_no_column_and_warns_on_a_1_to_10_rating():
    # issue 23: cx.nps on a 0/1 column returned -100; a 1-10 overall rating was called NPS
    with pytest.raises(ValueError, match="holds only 0 and 1 in 20 answers: a yes/no answer"):
        cx.nps(pd.DataFrame({"recommend": [0, 1] * 10}), "recommend")
    rating = pd.DataFrame({"overall": list(range(1, 11)) * 5})
    with pytest.warns(cx.DataWarning, match="none of its 50 answers is 0"):
        value = cx.nps(rating, "overall")["nps"].iloc[0]
    assert value == pytest.approx(100 * (10 - 30) / 50)  # 2 of 10 values promote, 6 detract: the numbers stay
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cx.nps(rating, "overall", check_scale=False)


def test_missing_group_values_are_not_given_and_left_out_of_tests(feedback):
    """Issue 23 Deliver 10: a missing by= value is named, reported, and not a tested group."""
    import warnings

    fb = feedback[feedback["responded_at"].dt.to_period("M") == "2026-10"].copy()
    fb.loc[fb.index[:300], "segment"] = None
    table = cx.nps(fb, by="segment")
    assert "not given" in table["segment"].tolist() and table["segment"].notna().all()
    assert int(table.loc[table["segment"] == "not given", "n"].iloc[0]) == 300
    with pytest.warns(cx.DataWarning, match="300 responses without a 'segment' value"):
        compared = cx.compare_nps(fb, by="segment")
    assert "not given" not in compared["group"].tolist() and compared["group"].notna().all()
    # the rest of each comparison excludes them too: n + n_reference is every response with a segment
    assert (compared["n"] + compared["n_reference"] == fb["segment"].notna().sum()).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error", cx.DataWarning)
        included = cx.compare_nps(fb, by="segment", missing="include")
    assert "not given" in included["group"].tolist() and len(included) == len(compared) + 1
    with pytest.raises(ValueError, match="missing must be"):
        cx.compare_nps(fb, by="segment", missing="drop")


def test_plot_nps_by_segment_draws_an_nps_table_or_says_what_to_pass(feedback):
    ax = cx.plot_nps_by_segment(cx.nps(feedback, by="segment"))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["segment: Consumer", "segment: Enterprise", "segment: SMB"]
    with pytest.raises(ValueError, match=r"cx.compare_nps\(df, by='segment'\)"):
        cx.plot_nps_by_segment(cx.nps(feedback, by=["segment", "channel"]))


def test_csat_and_ces_on_another_scale_use_it(tmp_path):
    """Issue 23 Deliver 3: a CES asked on 1-5 (catalog scales) has its own low-effort share
    (1-2, the lowest third) and a CSAT on 1-10 its own top-2-box (9-10); brute force."""
    path = tmp_path / "f.csv"
    rng = np.random.default_rng(4)
    ces, csat = rng.integers(1, 6, 200), rng.integers(1, 11, 200)
    rows = [f"r{i},2026-10-{1 + i % 28:02d},{ces[i]},{csat[i]}" for i in range(200)]
    path.write_text("response_id,responded_at,ces,csat\n" + "\n".join(rows) + "\n")
    fb = cx.load_feedback(path, scales={"ces": [1, 5], "csat": [1, 10]}).frame
    t = cx.ces(fb).set_index("metric")
    assert t.loc["low_effort", "value"] == pytest.approx(np.isin(ces, (1, 2)).mean())
    assert t.loc["mean", "value"] == pytest.approx(ces.mean())
    c = cx.csat(fb).set_index("metric")
    assert c.loc["top2_box", "value"] == pytest.approx(np.isin(csat, (9, 10)).mean())
    assert c.loc["mean", "ci_high"] <= 10
    trend = cx.kpi_trend(fb, "ces", month="2026-10", periods=1).set_index("metric")
    assert trend.loc["low_effort", "value"] == pytest.approx(np.isin(ces, (1, 2)).mean())


def test_a_hundred_level_breakdown_is_compared_with_its_rare_groups_as_other(feedback):
    fb = feedback[feedback["responded_at"].dt.to_period("M") == "2026-10"].copy()
    rng = np.random.default_rng(5)
    fb["region"] = [f"Region {i:03d}" for i in rng.zipf(1.3, len(fb)) % 100]
    with pytest.warns(cx.DataWarning, match="levels with fewer than 30 responses each were combined into 'other'"):
        compared = cx.compare_nps(fb, by="region")
    assert compared["group"].nunique() <= 12 and "other" in set(compared["group"])
    assert compared["n"].sum() == fb["nps"].notna().sum()  # every response is in one group
    assert "combined into 'other'" in compared.attrs["notes"][0]
    assert cx.compare_nps(fb, by="region", lump=False)["group"].nunique() == fb["region"].nunique()
