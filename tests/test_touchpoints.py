"""cxkit.analysis.touchpoints: pain points, task success and duration, omnichannel consistency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit as cx
from cxkit.data.sample import truth as sample_truth
from cxkit.pack import journey_stages as jp


@pytest.fixture(scope="module")
def journey(sample_table):
    return sample_table("journey")


def test_planted_lowest_touchpoint_is_the_top_pain_point(journey):
    truth = sample_truth()["journey"]
    pain = cx.pain_points(journey, score="csat")
    top = pain.iloc[0]
    assert top["touchpoint"] == truth["lowest_touchpoint"] == "billing"
    assert top["rank"] == 1 and top["significantly_worse"] and top["enough_n"]
    # the lowest mean is billing's too, and every mean matches truth.json
    assert pain.loc[pain["mean"].idxmin(), "touchpoint"] == "billing"
    assert pain.set_index("touchpoint")["mean"].to_dict() == pytest.approx(truth["csat_by_touchpoint"], abs=5e-5)
    # volumes count every event, scored or not
    assert pain["volume"].sum() == len(journey) and pain["n"].sum() == journey["csat"].notna().sum()


def test_pain_point_numbers_equal_brute_force(journey):
    pain = cx.pain_points(journey, score="csat", padjust="bonferroni").set_index("touchpoint")
    scored = journey.dropna(subset=["csat"])
    overall_poor = (scored["csat"] <= 2).mean()
    billing = scored.loc[scored["touchpoint"] == "billing", "csat"].astype(float)
    rest = scored.loc[scored["touchpoint"] != "billing", "csat"].astype(float)
    row = pain.loc["billing"]
    assert row["poor_share"] == pytest.approx((billing <= 2).mean(), rel=1e-12)
    assert row["excess_poor"] == pytest.approx(3090 * ((billing <= 2).mean() - overall_poor), rel=1e-9)
    welch = stats.ttest_ind(billing, rest, equal_var=False)
    assert row["diff_vs_rest"] == pytest.approx(billing.mean() - rest.mean(), rel=1e-9)
    assert row["p"] == pytest.approx(welch.pvalue, abs=1e-300)
    live = scored.loc[scored["touchpoint"] == "live chat", "csat"].astype(float)
    others = scored.loc[scored["touchpoint"] != "live chat", "csat"].astype(float)
    p = stats.ttest_ind(live, others, equal_var=False).pvalue
    assert pain.loc["live chat", "p"] == pytest.approx(p, rel=1e-6)
    assert pain.loc["live chat", "p_adjusted"] == pytest.approx(min(1, 8 * p), rel=1e-6)
    # t interval of the mean
    half = stats.t.ppf(0.975, len(billing) - 1) * billing.std(ddof=1) / np.sqrt(len(billing))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((billing.mean() - half, billing.mean() + half), rel=1e-9)


def test_small_touchpoints_are_not_ranked():
    events = pd.DataFrame({"touchpoint": ["web"] * 50 + ["fax"] * 5, "csat": [4, 5, 3, 4, 5] * 10 + [1] * 5})
    with pytest.warns(UserWarning, match=r"\['fax'\] have fewer than 30 csat scores and are not ranked"):
        pain = cx.pain_points(events)
    assert pain["touchpoint"].tolist() == ["web", "fax"]
    assert pain["rank"].tolist()[0] == 1 and pd.isna(pain["rank"].iloc[1])


def test_ces_pain_means_high_effort_and_other_metrics_need_a_threshold(journey):
    pain = cx.pain_points(journey, score="ces")
    assert pain.attrs["poor"] == "ces >= 5"
    # the generator adds 0.9 effort to failed tasks and live chat fails 41% of them, so live
    # chat, with its high volume, produces the most excess high-effort experiences
    assert pain.iloc[0]["touchpoint"] == "live chat"
    assert pain["excess_poor"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="say which 'duration_s' scores are poor experiences, e.g. poor=2"):
        cx.pain_points(journey, score="duration_s")


def test_task_success_and_duration(journey):
    truth = sample_truth()["journey"]
    perf = cx.touchpoint_performance(journey).set_index("touchpoint")
    assert perf["success_rate"].to_dict() == pytest.approx(truth["success_by_touchpoint"], abs=5e-5)
    assert perf.index[perf["lowest_success"]].tolist() == [truth["lowest_success_touchpoint"]] == ["live chat"]
    from statsmodels.stats.proportion import proportion_confint

    row = perf.loc["live chat"]
    ci = proportion_confint(int(round(row["success_rate"] * row["success_n"])), row["success_n"], method="wilson")
    assert (row["success_ci_low"], row["success_ci_high"]) == pytest.approx(ci, abs=1e-12)
    # median duration and its order-statistic interval (ranks n/2 -+ 1.96 sqrt(n)/2)
    secs = np.sort(journey.loc[journey["touchpoint"] == "billing", "duration_s"].astype(float).to_numpy())
    n = secs.size
    assert perf.loc["billing", "median_duration_s"] == np.median(secs)
    lo = int(np.floor(n / 2 - 1.959964 * np.sqrt(n) / 2))
    hi = int(np.ceil(1 + n / 2 + 1.959964 * np.sqrt(n) / 2))
    assert (perf.loc["billing", "duration_ci_low"], perf.loc["billing", "duration_ci_high"]) == (
        secs[lo - 1],
        secs[hi - 1],
    )


def test_performance_skips_absent_measures_with_a_note(journey):
    perf = cx.touchpoint_performance(journey.drop(columns="duration_s"))
    assert "median_duration_s" not in perf.columns
    assert perf.attrs["notes"] == ["no 'duration_s' durations: duration not computed"]
    with pytest.raises(ValueError, match="needs a task outcome or a duration"):
        cx.touchpoint_performance(journey.drop(columns=["duration_s", "success"]))


def test_channels_are_consistent_in_the_sample_and_a_planted_gap_is_found(journey):
    cc = cx.channel_consistency(journey, score="csat")
    multi = cc[cc["channels"] >= 2]
    assert set(multi["touchpoint"]) == {"billing", "delivery", "live chat", "onboarding"}
    assert multi["consistent"].all()  # the generator gives channels no effect
    assert cc.loc[cc["channels"] == 1, "consistent"].isna().all()
    # Welch ANOVA across billing's channels equals compare_stages on billing alone
    billing = journey[journey["touchpoint"] == "billing"]
    ref = cx.compare_stages(billing, score="csat", stage="channel").test("Welch ANOVA")["p"]
    assert cc.loc[cc["touchpoint"] == "billing", "p"].iloc[0] == pytest.approx(ref, rel=1e-12)
    # plant a worse app experience of live chat
    shifted = journey.copy()
    worse = (shifted["touchpoint"] == "live chat") & (shifted["channel"] == "app")
    shifted.loc[worse, "csat"] = (shifted.loc[worse, "csat"] - 1).clip(lower=1)
    cc = cx.channel_consistency(shifted, score="csat")
    chat = cc[cc["touchpoint"] == "live chat"]
    assert not chat["consistent"].any() and chat["spread"].iloc[0] > 0.5
    found = jp.journey_findings(cx.compare_stages(shifted), consistency=cc)
    assert found[-1].startswith("live chat differs between channels: web 3.51 vs app")


def test_success_can_be_compared_across_channels(journey):
    cc = cx.channel_consistency(journey, score="success", min_n=100)
    assert cc["mean"].between(0, 1).all() and (cc["n"] >= 100).all()


def test_channels_without_variation_get_no_verdict():
    # Welch's test is undefined when a channel's scores do not vary: "consistent" used to be
    # True (not p < alpha) for two constant channels 3 vs 4; now it is missing, and the
    # findings say the channels could not be compared instead of calling them consistent.
    events = pd.DataFrame(
        {
            "touchpoint": ["billing"] * 8 + ["web"] * 8,
            "channel": ["app", "email"] * 8,
            "csat": [3, 4] * 4 + [1, 2, 3, 4, 5, 4, 3, 2],
        }
    )
    cc = cx.channel_consistency(events, min_n=2)
    billing = cc[cc["touchpoint"] == "billing"]
    assert billing["p"].isna().all() and billing["consistent"].isna().all()
    assert cc.loc[cc["touchpoint"] == "web", "consistent"].notna().all()
    with pytest.warns(UserWarning):
        stages = cx.compare_stages(events.assign(journey_stage=["awareness", "decision"] * 8), metric="csat")
    found = jp.journey_findings(stages, consistency=cc)
    assert "billing: the channels could not be compared" in " ".join(found)
    assert not any("none of the" in f for f in found)


def test_boolean_outcomes_get_wilson_intervals_inside_0_and_1():
    from statsmodels.stats.proportion import proportion_confint

    events = pd.DataFrame(
        {
            "touchpoint": ["billing"] * 10,
            "channel": ["app"] * 5 + ["web"] * 5,
            "success": [True] * 5 + [True, False, False, False, False],
        }
    )
    cc = cx.channel_consistency(events, score="success", min_n=5)
    low, high = proportion_confint([5, 1], [5, 5], method="wilson")  # statsmodels' Wilson interval
    np.testing.assert_allclose(cc["ci_low"], low, atol=1e-12)
    np.testing.assert_allclose(cc["ci_high"], high, atol=1e-12)
    assert cc["ci_high"].iloc[0] == 1.0 and cc["ci_low"].iloc[0] < 1.0  # 5 of 5 is not certainty
    with pytest.raises(ValueError, match="'csat' holds 1 infinite value"):
        cx.pain_points(pd.DataFrame({"touchpoint": ["a", "b"], "csat": [1.0, np.inf]}))


@pytest.mark.shared
def test_shoppers_purchase_rate_by_visitor_type(public_catalog):
    shoppers = public_catalog["shoppers"].frame
    perf = cx.touchpoint_performance(shoppers, by="segment").set_index("segment")
    # SOURCE.md: Returning_Visitor 10,551, New_Visitor 1,694, Other 85 sessions
    assert perf["events"].to_dict() == {"New_Visitor": 1694, "Other": 85, "Returning_Visitor": 10551}
    by_hand = shoppers.groupby("segment")["success"].mean()
    assert perf["success_rate"].to_dict() == pytest.approx(by_hand.to_dict(), rel=1e-12)
    assert perf["lowest_success"].tolist() == [False, False, True]  # returning visitors buy least
