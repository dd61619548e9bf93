"""NPS, CSAT and CES: intervals against published formulas and references, comparisons, flags.

References:
- NPS Wald standard error sqrt((p + d - (p - d)^2) / n) and the adjusted-Wald interval (add 3 to
  n, 3/4 to promoters and detractors): Rocks (2016), "Interval estimation for the net promoter
  score", The American Statistician 70(4); Sauro & Lewis (2016), Quantifying the User
  Experience, ch. 5. Issue #4 reference: n = 500, 40% promoters, 30% detractors -> NPS 10,
  95% Wald CI (2.7, 17.3).
- Agresti-Coull interval: statsmodels ``proportion_confint(method="agresti_coull")``.
- Welch t test: scipy ``ttest_ind(equal_var=False)``.
- Holm / Benjamini-Hochberg: statsmodels ``multipletests``.
"""

from __future__ import annotations

import json
import math

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
    out = cx.nps(_scores(200, 150, 150)).iloc[0]
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


@pytest.mark.parametrize("n, p, d", [(30, 0.5, 0.2), (80, 0.3, 0.3), (400, 0.45, 0.25)])
def test_adjusted_wald_coverage_by_simulation(n, p, d):
    # Brute force: 4,000 simulated surveys per case; a 95% interval should cover the true NPS in
    # about 95% of them (Monte Carlo SE 0.34 points). Rocks (2016) reports 94-96% for these sizes.
    rng = np.random.default_rng(7)
    sims = 4000
    kind = rng.choice([10, 8, 2], size=(sims, n), p=[p, 1 - p - d, d])
    df = pd.DataFrame({"sim": np.repeat(np.arange(sims), n), "nps": kind.ravel()})
    out = cx.nps(df, by="sim")
    truth = 100 * (p - d)
    coverage = ((out["ci_low"] <= truth) & (truth <= out["ci_high"])).mean()
    assert 0.935 <= coverage <= 0.965


def test_nps_by_groups_and_missing_scores():
    df = pd.DataFrame({"seg": ["a", "a", "b", "b", "b", None],
                       "nps": pd.array([10, 2, 9, None, 7, 10], dtype="Int64")})
    out = cx.nps(df, by="seg")
    assert out["seg"].tolist()[:2] == ["a", "b"] and out["seg"].isna().iloc[2]  # a missing group is its own
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
    df = pd.concat([_scores(50, 30, 20, g="m1"), _scores(40, 30, 30, g="m2"), _scores(20, 30, 50, g="m3")],
                   ignore_index=True)
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
    assert a2["p_adj"].dropna().tolist() == pytest.approx(pooled[:2].tolist())
    assert b2["p_adj"].tolist() == pytest.approx(pooled[2:].tolist())
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
    assert head["change_p"] == pytest.approx(flagged["p_adj"].iloc[0])


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


def test_report_flags_are_one_family(report_oct):
    # NPS trend (11 changes) + CSAT and CES (2 metrics each) + 3 segments + 5 channels + 8 drivers
    assert report_oct.family_size == 11 + 4 + 3 + 5 + 8
    k = report_oct.kpis["nps"]
    # +6.6 points, raw p = 0.016: not significant once adjusted for the 31 tests of the report
    assert k["change"] == pytest.approx(19.44 - 12.88, abs=0.01)
    assert k["change_p_raw"] < 0.05 and not k["significant"]
    text = " ".join(report_oct.findings)
    assert "not statistically significant" in text
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
    assert {"driver", "importance", "share", "ci_low", "ci_high", "rank", "performance", "r2", "n"} <= set(res["drivers"][0])
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
    df = pd.concat([_scores(80, 10, 10, seg="A"), _scores(30, 30, 40, seg="B"), _scores(35, 30, 35, seg="C")],
                   ignore_index=True)
    table = cx.compare_nps(df, by="seg")
    ax = cx.plot_nps_by_segment(table)
    assert any("vs rest" in t.get_text() for t in ax.texts)
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == ["seg: A", "seg: B", "seg: C"]
