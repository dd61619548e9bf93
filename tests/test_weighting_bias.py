"""The sample generator's planted response bias, and raking recovering the population NPS."""

from __future__ import annotations

import pandas as pd
import pytest

import cxkit as cx
from cxkit.data.sample import generate

BIAS = {"segment": "Enterprise", "rate": 4.0, "nps_shift": 3}
MONTHS = ["2026-08", "2026-09", "2026-10"]


@pytest.fixture(scope="module")
def biased(tmp_path_factory):
    """The biased survey as the reader loads it, and the truth of the bias."""
    tables = generate(response_bias=BIAS)
    path = tmp_path_factory.mktemp("biased") / "feedback.csv"
    tables["feedback"].to_csv(path, index=False)
    return cx.load_feedback(path).frame, tables["response_bias"].set_index("month")


def test_default_sample_has_no_bias_table():
    assert "response_bias" not in generate(scale=0.02)


def test_bias_is_planted_and_recorded(biased):
    frame, truth = biased
    assert truth.attrs["response_bias"] == {"segment": "Enterprise", "rate": 4.0, "nps_shift": 3}
    for month in MONTHS:
        row = truth.loc[month]
        assert row["sample_nps"] - row["population_nps"] > 8  # Enterprise over-represented and happier
        assert row["share_Enterprise"] == pytest.approx(0.10, abs=0.03)
    shares = frame["segment"].value_counts(normalize=True)
    assert shares["Enterprise"] > 0.25  # about 10% of the customers, 4 times as likely to answer


def test_raking_recovers_the_planted_population_nps(biased):
    frame, truth = biased
    months = frame["responded_at"].dt.strftime("%Y-%m")
    for month in MONTHS:
        part = frame[(months == month).to_numpy()]
        row = truth.loc[month]
        margins = {"segment": {s: row[f"share_{s}"] for s in ("Consumer", "SMB", "Enterprise")}}
        w = cx.rake(part, margins)
        raked = cx.nps(part.assign(w=w), weights="w").iloc[0]
        plain = cx.nps(part).iloc[0]
        # the planted population NPS lies in the raked interval and outside the unweighted one
        assert raked["ci_low"] <= row["population_nps"] <= raked["ci_high"], (month, raked, row)
        assert not plain["ci_low"] <= row["population_nps"] <= plain["ci_high"], (month, plain, row)
        assert abs(raked["nps"] - row["population_nps"]) < abs(plain["nps"] - row["population_nps"])


def test_pack_weighting_by_month_recovers_it_too(biased):
    """The pack's path (weights per month from one catalog section, kpi_trend) on the same data."""
    from cxkit.pack.nps_drivers import weighted_feedback

    frame, truth = biased
    mix = truth.loc[MONTHS, ["share_Consumer", "share_SMB", "share_Enterprise"]].mean()
    spec = {"rake": {"segment": {k.removeprefix("share_"): float(v) for k, v in (mix / mix.sum()).items()}}}
    weighted, column, info = weighted_feedback(frame, spec)
    trend = cx.kpi_trend(weighted, "nps", month="2026-10", periods=3, weights=column)
    for _, r in trend.iterrows():
        assert r["ci_low"] <= truth.loc[r["period"], "population_nps"] <= r["ci_high"]
        assert r["n_eff"] < r["n"]
    assert info["groups"] == pd.Series(frame["responded_at"].dt.strftime("%Y-%m")).nunique()


def test_truth_md_states_the_generators_numbers(biased):
    """data/sample/TRUTH.md's table of the opt-in bias is what the generator and raking give."""
    from pathlib import Path

    frame, truth = biased
    text = (Path(__file__).resolve().parents[1] / "data" / "sample" / "TRUTH.md").read_text()
    months = frame["responded_at"].dt.strftime("%Y-%m")
    for month in MONTHS:
        part = frame[(months == month).to_numpy()]
        row = truth.loc[month]
        w = cx.rake(part, {"segment": {s: row[f"share_{s}"] for s in ("Consumer", "SMB", "Enterprise")}})
        raked = cx.nps(part.assign(w=w), weights="w").iloc[0]
        plain = cx.nps(part).iloc[0]
        line = (
            f"| {month} | {int(row['population_n'])} | {row['population_nps']:.1f} | {len(part)} | "
            f"{plain['nps']:.1f} ({plain['ci_low']:.1f} to {plain['ci_high']:.1f}) | "
            f"{raked['nps']:.1f} ({raked['ci_low']:.1f} to {raked['ci_high']:.1f}) | {raked['n_eff']:.0f} |"
        )
        assert line in text, line
