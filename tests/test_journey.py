"""cxkit.analysis.journey: the report month, findings, results.json, the notebook, the shoppers catalog entry."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.data.sample import truth as sample_truth
from cxkit.pack import journey_stages as jp


@pytest.fixture(scope="module")
def sources(sample_table):
    return sample_table("journey"), sample_table("feedback")


@pytest.fixture(scope="module")
def october(sources):
    journey, feedback = sources
    events = cx.month_events(journey, "2026-10")
    history = cx.month_events(journey, "2026-10", through=True)
    return {
        "stages": cx.compare_stages(events, score="csat"),
        "scorecard": cx.stage_scorecard(cx.month_events(feedback, "2026-10")),
        "funnel": cx.funnel(history),
        "months": cx.funnel_by_month(history),
        "pain": cx.pain_points(events),
        "performance": cx.touchpoint_performance(events),
        "consistency": cx.channel_consistency(events),
    }


def test_month_events_selects_the_month(sources):
    journey, _ = sources
    events = cx.month_events(journey, "2026-09")
    assert events["occurred_at"].dt.to_period("M").astype(str).unique().tolist() == ["2026-09"]
    assert events.attrs["month"] == "2026-09"
    through = cx.month_events(journey, "2026-09", through=True)
    assert through["occurred_at"].max() < pd.Timestamp("2026-10-01") and len(through) > len(events)
    assert cx.month_events(journey).attrs["month"] == "2026-10"  # the last complete month
    with pytest.raises(ValueError, match="YYYY-MM"):
        cx.month_events(journey, "October")
    with pytest.raises(ValueError, match="pass time='<column>'"):
        cx.month_events(pd.DataFrame({"x": [1]}), "2026-10")


def test_results_hold_the_planted_lowest_stage_and_touchpoint(october, tmp_path):
    res = jp.journey_results(
        october["stages"],
        pain=october["pain"],
        funnel=october["funnel"],
        months=october["months"],
        month="2026-10",
        performance=october["performance"],
    )
    truth = sample_truth()
    assert set(res) == {
        "finding",
        "month",
        "metric",
        "lowest_stage",
        "lowest_touchpoint",
        "top_pain_point",
        "lowest_success_touchpoint",
        "stages",
        "omnibus",
        "funnel",
        "funnel_month",
    }
    assert res["lowest_stage"]["stage"] == truth["lowest_stage"] and res["lowest_stage"]["significant"]
    assert (
        res["lowest_touchpoint"]["touchpoint"] == truth["lowest_touchpoint"] and res["lowest_touchpoint"]["significant"]
    )
    assert res["top_pain_point"] == "billing"
    assert res["lowest_success_touchpoint"]["touchpoint"] == truth["journey"]["lowest_success_touchpoint"]
    assert res["finding"] == (
        "CSAT is lowest at the decision stage (3.29) and at the billing touchpoint (2.99), "
        "both significantly worse than the rest."
    )
    assert set(res["omnibus"]) == {"anova", "welch_anova", "kruskal_wallis", "proportional_odds"}
    assert res["funnel"]["reached"] == truth["funnel_conversion"]["customers_by_stage"]
    assert res["funnel"]["conversion"]["consideration->decision"]["value"] == pytest.approx(0.5563, abs=5e-5)
    kpi = res["funnel_month"]["decision->retention"]
    assert set(kpi) == {
        "value",
        "ci_low",
        "ci_high",
        "n",
        "previous",
        "change",
        "change_p",
        "change_p_adj",
        "significant",
    }
    assert kpi["ci_low"] < kpi["value"] < kpi["ci_high"] and not kpi["significant"]
    cx.save_results(tmp_path / "part.json", journey=res)
    written = json.loads((tmp_path / "part.json").read_text())["journey"]
    assert written["lowest_stage"]["stage"] == "decision" and written["month"] == "2026-10"


def test_findings_state_what_is_significant(october):
    found = jp.journey_findings(
        october["stages"],
        scorecard=october["scorecard"],
        funnel=october["funnel"],
        months=october["months"],
        month="2026-10",
        pain=october["pain"],
        performance=october["performance"],
        consistency=october["consistency"],
    )
    assert found[0].startswith("CSAT is lowest at decision (3.29, 95% CI 3.19–3.39, n = 293), significantly below")
    assert "In the survey, CSAT is significantly lowest at decision" in " ".join(found)
    assert "In the survey, CES is significantly highest (more effort) at decision" in " ".join(found)
    assert "Sentiment by stage: this month's survey responses have no comments that could be scored." in found
    assert any(f.startswith("No step of the funnel converted significantly differently in 2026-10") for f in found)
    assert any(f.startswith("The biggest pain point is billing") and "significantly worse" in f for f in found)
    assert any(f.startswith("Task success is significantly lowest at live chat") for f in found)
    assert found[-1].startswith("The experience is consistent across channels")
    # every sentence survives PII masking (no number range looks like a phone number)
    assert all(cx.mask_pii(f) == f for f in found)


def test_no_difference_is_claimed_from_noise():
    rng = np.random.default_rng(2)
    events = pd.DataFrame(
        {
            "journey_stage": rng.choice(list(cx.STAGES), 2000),
            "touchpoint": rng.choice(["web", "app", "shop"], 2000),
            "csat": rng.integers(1, 6, 2000),
        }
    )
    stages = cx.compare_stages(events, score="csat")
    assert not stages.test("Welch ANOVA")["significant"]
    assert "does not differ significantly between journey stages" in jp.stage_finding(stages)
    res = jp.journey_results(stages, pain=cx.pain_points(events))
    assert "neither is significantly worse" in res["finding"]


def test_headline_says_which_part_is_significant():
    rng = np.random.default_rng(4)
    stage = rng.choice(list(cx.STAGES), 3000)
    events = pd.DataFrame(
        {
            "journey_stage": stage,
            "touchpoint": rng.choice(["web", "app", "shop"], 3000),
            "csat": np.clip(rng.integers(2, 6, 3000) - (stage == "retention"), 1, 5),
        }
    )
    res = jp.journey_results(cx.compare_stages(events), pain=cx.pain_points(events))
    assert res["finding"].startswith("CSAT is lowest at the retention stage (")
    assert "significantly worse than every other stage; among touchpoints it is lowest at" in res["finding"]
    assert res["finding"].endswith("not significantly worse than the others.")


def test_notebook_follows_the_pack_conventions(project_dir):
    nb = nbformat.read(project_dir / "notebooks" / "journey_stages.ipynb", as_version=4)
    assert nb.metadata["cxkit"] == {
        "pack": True,
        "title": "Journey stages",
        "order": 40,
        "section": "journey",
        "needs": ["journey"],
        "memory": 2,  # its kernel's peak per byte of the journey table (the runner's memory budget)
    }
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and params[0].source.splitlines() == [
        'month: str = ""  # YYYY-MM reported on; "" means the last complete month in the data',
        'catalog: str = ""  # data catalog file; "" means the bundled data/cxkit.yaml',
        'results_path: str = ""  # where this notebook writes its part of results.json; "" means nowhere',
        'scheduler: str = ""  # Dask scheduler (tcp://host:8786) running the heavy steps; "" means the catalog\'s '
        "settings.scheduler, else in-process",
        'language: str = ""  # report language: en, da, nb or sv; "" means the catalog\'s settings.language, else English',
    ]
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "def " not in code and "class " not in code and "for " not in code
    assert "display(" not in code and "Markdown" not in code
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert nb.cells[-1].source == "page.save_results(results_path)"


@pytest.mark.shared
def test_shoppers_catalog_entry_runs_the_stage_comparison(public_catalog):
    # data/public.yaml "shoppers": page-type visits mapped to stages (see its description)
    shoppers = public_catalog["shoppers"].frame
    counts = shoppers["journey_stage"].value_counts()
    assert counts[["awareness", "consideration", "decision"]].tolist() == [32, 10390, 1908]
    assert counts[["retention", "advocacy"]].sum() == 0
    assert (shoppers.loc[shoppers["journey_stage"] == "decision", "success"]).all()  # decision = a purchase
    # exit rates fall as sessions go deeper (Google Analytics ExitRates, mean per session)
    res = cx.compare_stages(shoppers, score="ExitRates")
    assert res.stages["stage"].tolist() == ["awareness", "consideration", "decision"]
    assert res.stages["mean"].is_monotonic_decreasing
    assert res.test("Welch ANOVA")["significant"] and res.ordinal is None
    with pytest.warns(UserWarning, match="fewer than 100 ExitRates scores and are not ranked"):
        pain = cx.pain_points(
            shoppers, score="ExitRates", by="TrafficType", poor=0.1, higher_is_better=False, min_n=100
        )
    assert pain["enough_n"].sum() == int((shoppers["TrafficType"].value_counts() >= 100).sum())
    found = jp.journey_findings(res, funnel=cx.funnel(shoppers), pain=pain)
    assert found[1].startswith("Of 12,330 customers, 1,908 (15.5%) reached decision")
