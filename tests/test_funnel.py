"""cxkit.analysis.funnel: customers reaching each stage, conversions, time between stages, month over month."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.data.sample import truth as sample_truth


@pytest.fixture(scope="module")
def journey(sample_table):
    return sample_table("journey")


def test_sample_funnel_matches_the_planted_truth(journey):
    funnel = cx.funnel(journey)
    truth = sample_truth()["funnel_conversion"]
    # data/sample/truth.json: customers reaching each stage and realised conversions
    assert dict(zip(funnel["stage"], funnel["reached"])) == truth["customers_by_stage"]
    realised = dict(zip(funnel["stage"].shift(1) + "->" + funnel["stage"], funnel["conversion"]))
    for step, value in truth["realised"].items():
        assert realised[step] == pytest.approx(value, abs=5e-5)
    # each planted conversion lies inside its 95% Wilson interval
    for step, planted in truth["planted"].items():
        row = funnel.iloc[list(funnel["stage"]).index(step.split("->")[1])]
        assert row["ci_low"] < planted < row["ci_high"]
    assert funnel["drop_off"].iloc[1:].tolist() == [1968, 2011, 487, 1204]
    assert funnel.attrs["notes"] == []


def test_funnel_equals_brute_force_pandas(journey):
    # reached = customers with an event at the stage or later; median days between the first
    # events at consecutive stages, by plain pandas
    rank = journey["journey_stage"].cat.codes
    furthest = rank.groupby(journey["customer_id"]).max()
    first = journey.groupby(["customer_id", "journey_stage"], observed=True)["occurred_at"].min().unstack()
    funnel = cx.funnel(journey)
    for i, stage in enumerate(cx.STAGES):
        assert funnel.loc[i, "reached"] == int((furthest >= i).sum())
        if i:
            gap = (first[stage] - first[cx.STAGES[i - 1]]).dropna()
            assert funnel.loc[i, "n_timed"] == len(gap)
            assert funnel.loc[i, "median_days"] == pytest.approx(gap.median() / pd.Timedelta(days=1), rel=1e-12)


def test_a_skipped_stage_still_counts_as_reached():
    events = pd.DataFrame(
        {
            "customer_id": ["a", "b", "b"],
            "journey_stage": ["retention", "awareness", "decision"],
            "occurred_at": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-01-11"]),
        }
    )
    funnel = cx.funnel(events)
    assert funnel["reached"].tolist() == [2, 2, 2, 1]  # advocacy: nobody, so it is left out
    assert funnel["stage"].tolist() == ["awareness", "consideration", "decision", "retention"]
    assert "no journey reached advocacy: left out of the funnel" in funnel.attrs["notes"]
    # b's gap awareness -> decision is not a consecutive pair: no time for consideration or decision
    assert funnel["n_timed"].tolist() == [0, 0, 0, 0]


def test_month_over_month_equals_brute_force(journey):
    months = cx.funnel_by_month(journey)
    assert months["month"].nunique() == 12 and len(months) == 48
    # October by hand: each customer's furthest stage among their October events
    month = journey["occurred_at"].dt.to_period("M").astype(str)
    furthest = journey[month == "2026-10"]["journey_stage"].cat.codes.groupby(journey["customer_id"]).max()
    reached = [int((furthest >= i).sum()) for i in range(5)]
    october = months[months["month"] == "2026-10"]
    assert october["entered"].tolist() == reached[:4]
    assert october["converted"].tolist() == reached[1:]
    # change against September with the pooled two-proportion z-test (statsmodels)
    from statsmodels.stats.proportion import proportions_ztest

    september = months[months["month"] == "2026-09"].set_index("step")
    for row in october.itertuples(index=False):
        prev = september.loc[row.step]
        _, p = proportions_ztest([row.converted, prev["converted"]], [row.entered, prev["entered"]])
        assert row.p == pytest.approx(p, rel=1e-9)
        assert row.change == pytest.approx(row.conversion - prev["conversion"], abs=1e-15)
    # Holm over the month's four steps; none of the planted-constant conversions changes
    p = october["p"].to_numpy()
    order = np.argsort(p)
    holm = np.maximum.accumulate(np.minimum(1, p[order] * np.array([4, 3, 2, 1])))
    assert october["p_adjusted"].to_numpy()[order] == pytest.approx(holm, rel=1e-12)
    assert not october["significant"].any()


def test_a_step_out_of_a_stage_without_events_in_the_month_is_not_observed():
    # September: a at awareness, b at decision and retention; October: nobody at decision, so
    # decision -> retention would be 1 of 1 (100%) by construction
    events = pd.DataFrame(
        {
            "customer_id": ["a", "b", "b", "c", "d", "d"],
            "occurred_at": pd.to_datetime(
                ["2026-09-02", "2026-09-03", "2026-09-04", "2026-10-02", "2026-10-03", "2026-10-04"]
            ),
            "journey_stage": ["awareness", "decision", "retention", "awareness", "consideration", "retention"],
        }
    )
    months = cx.funnel_by_month(events, stages=["awareness", "consideration", "decision", "retention"])
    october = months[months["month"] == "2026-10"].set_index("step")
    step = october.loc["decision->retention"]
    assert (step["entered"], step["converted"]) == (1, 1)  # d, counted at decision as it went further
    assert np.isnan(step["conversion"]) and np.isnan(step["ci_low"]) and np.isnan(step["change"])
    assert not step["significant"]
    assert "2026-10: no events at decision, so the step from it is not observed" in months.attrs["notes"]
    # consideration -> decision is observed (d was at consideration): 1 of 1 went on
    assert october.loc["consideration->decision", "conversion"] == 1.0
    # September's consideration -> decision: nobody at consideration, so not observed either
    september = months[months["month"] == "2026-09"].set_index("step")
    assert np.isnan(september.loc["consideration->decision", "conversion"])
    assert np.isnan(october.loc["consideration->decision", "previous"])  # no observed month before


def test_month_names_are_ordered_by_calendar():
    events = pd.DataFrame(
        {"Month": ["Nov", "Feb", "June", "Mar"] * 30, "journey_stage": ["awareness", "decision"] * 60}
    )
    months = cx.funnel_by_month(events, customer=None, period="Month")
    assert list(dict.fromkeys(months["month"])) == ["Feb", "Mar", "June", "Nov"]


def test_sessions_without_customer_ids_are_journeys_of_their_own():
    events = pd.DataFrame(
        {
            "customer_id": pd.array([pd.NA] * 3, dtype="string"),
            "journey_stage": ["awareness", "consideration", "consideration"],
        }
    )
    funnel = cx.funnel(events)
    assert funnel["reached"].tolist() == [3, 2]
    assert funnel.attrs["notes"][1] == "no customer_id ids: each row counts as its own journey"


def test_rows_without_a_customer_are_left_out_with_a_warning():
    events = pd.DataFrame({"customer_id": ["a", None, "b"], "journey_stage": ["awareness", "decision", "decision"]})
    with pytest.warns(UserWarning, match=r"1 row\(s\) have no customer_id"):
        funnel = cx.funnel(events, time=None)
    assert funnel["reached"].tolist() == [2, 1, 1]


def test_errors(journey):
    with pytest.raises(ValueError, match="funnel_by_month needs event times.*period='<column>'"):
        cx.funnel_by_month(journey.drop(columns="occurred_at"))
    with pytest.raises(ValueError, match=r"column 'stage' \(stage\) is not in the data"):
        cx.funnel(journey, stage="stage")


def test_plots(journey):
    ax = cx.plot_funnel(cx.funnel(journey))
    assert len(ax.patches) == 5 and "6,500" in ax.texts[0].get_text()
    ax = cx.plot_funnel_by_month(cx.funnel_by_month(journey))
    assert len(ax.get_lines()) == 4


@pytest.mark.shared
def test_shoppers_sessions_make_a_funnel(public_catalog):
    # data/public.yaml maps the UCI online shoppers sessions to stages: every session is at
    # awareness, product pages = consideration, a purchase (Revenue) = decision
    shoppers = public_catalog["shoppers"].frame
    funnel = cx.funnel(shoppers)
    assert funnel["stage"].tolist() == ["awareness", "consideration", "decision"]
    # SOURCE.md: 12,330 sessions, 1,908 purchases; sessions with product pages or a purchase by hand
    reaching = int(((shoppers["ProductRelated"] > 0) | shoppers["success"]).sum())
    assert funnel["reached"].tolist() == [12330, reaching, 1908]
    assert funnel["conversion"].iloc[2] == pytest.approx(1908 / reaching)
    assert np.isnan(funnel["median_days"]).all()  # no timestamps in the export
    months = cx.funnel_by_month(shoppers, period="Month")
    assert list(dict.fromkeys(months["month"])) == [
        "Feb",
        "Mar",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ]
    assert months.groupby("month", sort=False)["entered"].first().sum() == 12330
    nov = months[(months["month"] == "Nov") & (months["step"] == "consideration->decision")].iloc[0]
    assert nov["converted"] == int(((shoppers["Month"] == "Nov") & shoppers["success"]).sum())


def test_a_misspelled_stage_is_refused_with_the_valid_stages(journey):
    # Issue 15: stages=[..., "decison"] reported "0 reached" for a stage customers did reach.
    with pytest.raises(
        ValueError,
        match=r"\['decison'\] in stages= are not stages of the data.*"
        r"Did you mean 'decison' -> 'decision'\?.*Valid stages: awareness, "
        r"consideration, decision, retention, advocacy\. Pass stages=",
    ):
        cx.funnel(journey, stages=["awareness", "consideration", "decison"])
    with pytest.raises(ValueError, match=r"\['Decision'\].*'Decision' -> 'decision'"):
        cx.funnel_by_month(journey, stages=["awareness", "Decision"])
    with pytest.raises(ValueError, match="more than once"):
        cx.funnel(journey, stages=["awareness", "awareness"])
    # a journey stage nobody reached yet is a real 0, not a typo
    events = pd.DataFrame({"customer_id": ["a", "b"], "journey_stage": ["awareness", "consideration"]})
    f = cx.funnel(events, time=None, stages=["awareness", "consideration", "decision"])
    assert f["reached"].tolist() == [2, 1, 0]
    # custom stage labels: only the labels in the data are stages
    pages = pd.DataFrame({"customer_id": ["a", "a", "b"], "journey_stage": ["home", "product", "home"]})
    assert cx.funnel(pages, time=None, stages=["home", "product"])["reached"].tolist() == [2, 1]
    with pytest.raises(ValueError, match=r"\['checkout'\].*Valid stages: home, product"):
        cx.funnel(pages, time=None, stages=["home", "product", "checkout"])
