"""cxkit.pack.journey_stages.JourneyReport stands alone (issue 23 Deliver 1-2): each section the
journey data cannot give is one sentence saying what is missing and what would make it possible,
the rest of the page builds, and nothing on it reads nan or has a missing word.

The cases are the sample's journey events (data/sample, October 2026) with one thing taken away
at a time, and the UCI online shoppers sessions of data/public.yaml.
"""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.display import Unavailable, broken_text
from cxkit.pack.results import to_jsonable

MONTH = "2026-10"
#: A missing value written out in a table or an alt text.
_MISSING = re.compile(r"(?<![\w-])(nan|NaN|NaT|inf)(?![\w-])|<NA>|&lt;NA&gt;")


@pytest.fixture(scope="module")
def journey(sample_table):
    return sample_table("journey")


@pytest.fixture(scope="module")
def feedback(sample_table):
    return sample_table("feedback")


def _in_month(frame: pd.DataFrame) -> pd.Series:
    return frame["occurred_at"].dt.strftime("%Y-%m") == MONTH


def build(journey: pd.DataFrame, **options) -> tuple[cx.JourneyReport, dict]:
    """The page and every section it shows, checked for what must never reach a reader."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small samples, rows left out: the page says what matters
        page = cx.JourneyReport(journey, month=options.pop("month", MONTH), **options)
        shown = {name: page.show(name) for name in page.sections}
    for name, out in shown.items():
        if isinstance(out, Unavailable):
            assert broken_text(out.text) is None, (name, out.text)
            # one sentence: no full stop followed by another sentence
            assert not re.search(r"\.\s+[A-Z]", out.reason), (name, out.reason)
        elif hasattr(out, "html"):
            assert not _MISSING.search(out.html), (name, out.html[:500])
            assert "<tbody></tbody>" not in out.html, name
        else:  # a figure
            assert broken_text(out.metadata["alt"]) is None, (name, out.metadata["alt"])
    assert page.findings, "the Findings heading needs at least one sentence"
    for found in page.findings:
        assert broken_text(found) is None, found
    results = page.results()["journey"]
    assert broken_text(results["finding"]) is None, results["finding"]
    json.dumps(to_jsonable(results), allow_nan=False)
    return page, shown


def skipped(shown: dict) -> dict[str, str]:
    """Each section shown as a sentence, with the sentence as the reader sees it (a reason said
    once in full; later sections that stop on it point back to it)."""
    said = {name: out.text.removeprefix("Not shown: ") for name, out in shown.items() if isinstance(out, Unavailable)}
    return {name: text[:1].lower() + text[1:] for name, text in said.items()}


def test_the_sample_month_shows_every_section_but_the_survey_scorecard_without_feedback(journey, feedback):
    page, shown = build(journey)
    assert skipped(shown) == {
        "scorecard": "the catalog has no feedback source, so there are no survey scores by stage; add a feedback "
        "source (survey responses with a journey_stage column) to see NPS, CSAT and CES by stage."
    }
    assert page.results()["journey"]["lowest_stage"]["stage"] == "decision"
    page, shown = build(journey, feedback=feedback)
    assert skipped(shown) == {}
    # unweighted (no weights: section): the results keep their keys, the section no statement
    assert "weighting" not in page.results()["journey"] and "cx-weighting" not in shown["scorecard"].html


def test_touchpoint_events_without_customer_ids_give_no_funnel_and_say_why(journey):
    page, shown = build(journey.assign(customer_id=pd.NA))
    reasons = skipped(shown)
    assert reasons["funnel"].startswith("the journey events have no customer ids, so they cannot be linked")
    assert "columns: {customer_id: <its column>}" in reasons["funnel"]
    # said once; the other funnel sections refer to it
    assert {reasons[s] for s in ("funnel_table", "months", "month_changes")} == {
        "for the same reason as the section above that names it."
    }
    assert {"stages", "pain", "performance"}.isdisjoint(reasons)
    assert "funnel" not in page.results()["journey"]


def test_session_rows_without_ids_are_counted_as_journeys(journey):
    # one row per session (no touchpoint events): each row is its own journey
    sessions = journey.assign(customer_id=pd.NA, touchpoint=pd.NA, channel=pd.NA)
    page, shown = build(sessions)
    assert "funnel" not in skipped(shown) and "months" not in skipped(shown)
    found = next(f for f in page.findings if f.startswith("Of "))
    assert found.startswith(f"Of {len(sessions[sessions['occurred_at'] < '2026-11-01']):,} journeys, ")
    assert "no customer ids" in shown["funnel_table"].html
    assert page.alt["funnel"].startswith("Of ")


def test_events_dated_by_a_fieldwork_month_have_no_monthly_funnel_nor_time_between_stages(journey):
    page, shown = build(journey.assign(occurred_at=pd.Timestamp("2026-10-01")))
    reasons = skipped(shown)
    assert reasons["months"].startswith("every journey event carries the same date, 2026-10-01")
    assert set(reasons) == {"scorecard", "months", "month_changes"}
    assert "median" not in shown["funnel_table"].text.lower()  # no time between stages
    assert not any("median of" in f for f in page.findings)


def test_an_export_without_dates_is_reported_whole(journey):
    page, shown = build(journey.assign(occurred_at=pd.NaT))
    reasons = skipped(shown)
    assert reasons["months"].startswith("the journey events have no dates (occurred_at), so there is no funnel")
    assert page.period == "all events (the export has no dates)"
    assert int(page.stages.stages["n"].sum()) == int(journey["csat"].notna().sum())
    assert "all events (the export has no dates)" in shown["stages_table"].html
    # without a month asked for, the page still builds
    page, _ = build(journey.assign(occurred_at=pd.NaT), month="")
    assert page.month == "" and page.stages is not None


def test_events_without_scores_give_no_stage_comparison_and_say_so(journey):
    page, shown = build(journey.assign(csat=pd.NA, ces=pd.NA))
    reasons = skipped(shown)
    assert reasons["stages"] == (
        "the journey events have no CSAT scores (csat), so stages and touchpoints cannot be compared on a score; "
        "map a touchpoint score with columns: {csat: <its column>} in the catalog."
    )
    for name in ("stages_table", "omnibus", "pairs", "ordinal", "pain_table", "pain", "consistency"):
        assert reasons[name] == "for the same reason as the section above that names it.", name
    assert {"funnel", "funnel_table", "months", "month_changes", "performance"}.isdisjoint(reasons)
    results = page.results()["journey"]
    assert results["lowest_stage"] is None and results["stages"] == {} and results["omnibus"] == {}
    assert results["finding"].startswith("Of 6,500 customers, 830 (12.8%) reached advocacy")


def test_scores_missing_in_the_month_only_are_said_for_the_month(journey):
    scores = journey["csat"].mask(_in_month(journey))
    _, shown = build(journey.assign(csat=scores))
    assert skipped(shown)["stages"].startswith("the journey events of 2026-10 have no CSAT scores (csat)")


def test_events_without_task_outcomes_or_durations_skip_the_performance_table(journey):
    _, shown = build(journey.assign(success=pd.NA, duration_s=np.nan))
    assert skipped(shown)["performance"] == (
        "the journey events of 2026-10 have no task outcome (success) or duration (duration_s), so task "
        "success and duration cannot be shown; map them with columns: {success: <its column>, duration_s: "
        "<its column>} in the catalog."
    )


def test_a_month_with_one_event(journey):
    month = _in_month(journey)
    one = journey[month & journey["csat"].notna()].head(1)
    _, shown = build(pd.concat([journey[~month], one]))
    reasons = skipped(shown)
    assert reasons["stages"] == (
        "no stage has two or more CSAT scores in 2026-10, so there are no stages to compare; the comparison "
        "needs scores at two stages or more."
    )
    assert reasons["pain_table"].startswith("no touchpoint has 30 or more CSAT scores in 2026-10 (the most is 1)")
    assert "funnel" not in reasons and "month_changes" not in reasons


def test_one_month_only_has_no_monthly_trend(journey):
    page, shown = build(journey[_in_month(journey)])
    reasons = skipped(shown)
    assert reasons["months"] == (
        "the journey data cover one month, 2026-10, so there is no funnel trend by month; it is drawn once the "
        "data have a second month."
    )
    assert reasons["month_changes"] == "for the same reason as the section above that names it."
    assert "funnel_month" not in page.results()["journey"]
    assert not any(f.startswith("No step of the funnel") for f in page.findings)


def test_the_first_month_of_the_data_has_no_change_to_show(journey):
    first = journey[journey["occurred_at"] < "2025-12-01"]
    month = str(first["occurred_at"].min().to_period("M"))
    _, shown = build(journey, month=month)
    assert skipped(shown)["months"].startswith(f"the journey data cover one month, {month}")
    later = str(first["occurred_at"].min().to_period("M") + 1)
    _, shown = build(journey, month=later)
    assert "months" not in skipped(shown)


def test_a_stage_without_events_in_the_month_is_named(journey):
    gone = _in_month(journey) & (journey["journey_stage"] == "decision")
    page, shown = build(journey[~gone])
    assert page.stages.stages["stage"].tolist() == ["awareness", "consideration", "retention", "advocacy"]
    assert page.findings[1] == "Decision has no journey events in 2026-10, so it is left out of the stage comparison."
    assert not {"stages", "funnel", "months", "pain"} & set(skipped(shown))
    # with nobody at decision in the month, decision -> retention is not a 100% conversion
    assert "decision to retention" not in " ".join(page.findings)
    assert "(decision: no events in the month, so the step from it is not shown)" in shown["month_changes"].html
    assert "decision->retention" not in shown["month_changes"].text


def test_a_hundred_free_text_touchpoints_show_fifteen_and_say_how_many(journey):
    # free text used as a category: a few names are frequent, and the month has all 100
    rng = np.random.default_rng(5)
    picks = rng.zipf(1.3, len(journey)) % 100
    picks[np.flatnonzero(_in_month(journey).to_numpy())[:100]] = np.arange(100)
    page, shown = build(journey.assign(touchpoint=[f"Page {i:03d}" for i in picks]))
    pain = shown["pain_table"]
    assert "(15 of 100 touchpoints: those ranked, then the most used)" in pain.html
    assert pain.html.count("<tr>") - 1 == 15
    assert "The chart shows 15 of the 100 touchpoints: those ranked, then the most used." in page.alt["pain"]
    assert "(15 of 100 touchpoints: the lowest task success)" in shown["performance"].html
    assert shown["performance"].html.count("<tr>") - 1 == 15
    assert page.findings[-1] == (
        "To stay readable, the pain points show 15 of 100 (the ranked ones first, then the most used) and task "
        "success the 15 touchpoints with the lowest success rates."
    )
    # the ranked touchpoints come first, and no interval leaves the 1-5 scale
    rows = page._pain_rows()
    assert rows["rank"].notna().tolist() == sorted(rows["rank"].notna().tolist(), reverse=True)
    assert rows["ci_low"].min() >= 1 and rows["ci_high"].max() <= 5
    # the chart draws 15 rows, not 100
    import matplotlib.pyplot as plt

    ax = cx.plot_pain_points(page._pain_chart_rows())
    assert len(ax.get_yticklabels()) == 15
    plt.close(ax.figure)


def test_no_finding_is_left_without_a_sentence():
    # the stage column alone: no score, no ids, no dates, no touchpoint, no outcome
    events = pd.DataFrame({"journey_stage": pd.Categorical(["awareness"] * 5, categories=list(cx.STAGES))})
    page, shown = build(events)
    assert len(skipped(shown)) == len(page.sections) - 2  # the funnel of 5 journeys at awareness shows
    assert page.findings == ["All 5 journeys are at awareness."]


@pytest.mark.shared
def test_the_online_shoppers_sessions_make_a_page(public_catalog):
    # data/public.yaml "shoppers": one row per web session, no ids, no dates, no touchpoint, no score;
    # Revenue is the task success and the decision stage, VisitorType the segment.
    page, shown = build(public_catalog["shoppers"].frame)
    reasons = skipped(shown)
    assert reasons["stages"].startswith("the journey events have no CSAT scores (csat)")
    assert reasons["months"].startswith("the journey events have no dates (occurred_at)")
    assert reasons["scorecard"].startswith("the catalog has no feedback source")
    assert {"funnel", "funnel_table", "performance"}.isdisjoint(reasons)
    assert page.findings[0] == (
        "Of 12,330 journeys, 1,908 (15.5%) reached decision; the largest drop is consideration to decision: "
        "15.5% continued (95% CI 14.9%–16.2%), 10,390 did not."
    )
    # purchase rate by visitor type: Returning_Visitor 1,470 of 10,551 = 13.9% (pandas on the raw CSV)
    assert page.findings[1].startswith("Task success is significantly lowest in the segment Returning_Visitor: 13.9%")
    assert "Task success and duration by segment" in shown["performance"].html
    assert page.results()["journey"]["funnel"]["reached"] == {
        "awareness": 12330,
        "consideration": 12298,
        "decision": 1908,
    }


def test_a_dask_table_gives_the_same_page(journey):
    # the pack hands a big table (or any, on a cluster) to the page as a Dask DataFrame
    import dask.dataframe as dd

    cases = [
        journey,
        journey.assign(csat=pd.NA, customer_id=pd.NA),
        journey.assign(occurred_at=pd.NaT, touchpoint=pd.NA),
    ]
    for frame in cases:
        local, shown_local = build(frame)
        remote, shown_remote = build(dd.from_pandas(frame, npartitions=4))
        assert remote.findings == local.findings
        assert skipped(shown_remote) == skipped(shown_local)
        assert remote.month == local.month and remote.unit == local.unit


def test_touchpoints_served_by_one_channel_each_show_their_means_without_a_comparison(journey):
    page, shown = build(journey.assign(channel="web"))
    assert "consistency" not in skipped(shown)
    html = shown["consistency"].html
    assert "no touchpoint has two channels with 30 or more scores each, so none is compared" in html
    assert "Welch" not in html
    assert "No touchpoint is served by two or more channels with enough scores to compare." in page.findings


def test_weighted_survey_scores_by_stage_say_so_and_keep_the_unweighted(journey, feedback):
    """With the catalog's weights: section the scorecard is weighted (as the NPS page weights the
    month), the section and the findings state it with the NPS page's sentence, the unweighted
    scorecard stays below, and results.json carries both."""
    from pathlib import Path

    from cxkit.pack.nps_drivers import WEIGHT_COLUMN, weighted_feedback

    spec = cx.load_catalog(Path(__file__).resolve().parents[1] / "data" / "examples" / "weighted.yaml").weights
    page, shown = build(journey, feedback=feedback, weights=spec)
    statement = page.weighting["statement"]
    assert statement.startswith("Figures are weighted (raking to known segment and channel shares)")
    assert f"Survey scores by stage: {statement}" in page.findings
    html = shown["scorecard"].html
    assert html.startswith('<p class="cx-weighting">Figures are weighted')
    assert "effective n" in html and "The same KPIs unweighted (every response counted once)" in html
    # the weighted CSAT at decision: the month's responses raked as the NPS page rakes them
    month = feedback[feedback["responded_at"].dt.strftime("%Y-%m") == MONTH]
    raked, column, _ = weighted_feedback(month, spec)
    assert column == WEIGHT_COLUMN
    decision = raked[(raked["journey_stage"] == "decision") & raked["csat"].notna()]
    expected = np.sum(decision[column] * decision["csat"]) / decision[column].sum()
    results = page.results()["journey"]
    row = next(r for r in results["scorecard"]["weighted"] if r["metric"] == "csat" and r["stage"] == "decision")
    assert row["value"] == pytest.approx(expected, rel=1e-12)
    assert row["n"] == len(decision) and row["n_eff"] < row["n"]
    plain = next(r for r in results["scorecard"]["unweighted"] if r["metric"] == "csat" and r["stage"] == "decision")
    assert plain["value"] == pytest.approx(decision["csat"].mean(), rel=1e-12)
    assert results["weighting"]["statement"] == statement and results["weighting"]["n"] == len(month)
