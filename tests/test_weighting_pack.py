"""Weights from the catalog to the NPS page: the weights: section, the page's statement, the
weighted and unweighted figures side by side, results.json, the index's sentence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import cxkit as cx
from cxkit.errors import CatalogError
from cxkit.pack.nps_drivers import WEIGHT_COLUMN, weighting_note

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLE = PROJECT / "data" / "examples" / "weighted.yaml"


@pytest.fixture(scope="module")
def pages():
    """The NPS page of October from the weighted example catalog and from the sample catalog."""
    weighted = cx.NpsReport.from_catalog(cx.load_catalog(EXAMPLE), month="2026-10", bootstrap=20)
    plain = cx.NpsReport.from_catalog(cx.load_catalog(cx.DEFAULT_CATALOG), month="2026-10", bootstrap=20)
    return weighted, plain


def test_example_catalog_has_weights_and_the_sample_catalog_none():
    assert cx.load_catalog(EXAMPLE).weights["rake"]["segment"] == {"Consumer": 0.5, "SMB": 0.3, "Enterprise": 0.2}
    assert cx.load_catalog(cx.DEFAULT_CATALOG).weights is None


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("weights: {rake: {segment: {a: 1}}, column: w}", "exactly one of rake"),
        ("weights: {rake: {segment: [a, b]}}", r"rake: segment: must map each level"),
        ("weights: {column: w, trim: 3}", r"trim: must be \[low, high\]"),
        ("weights: {rake: {segment: {a: 1}}, max_iters: 9}", r"unknown key\(s\) \['max_iters'\]"),
        ("weights: [segment]", "needs exactly one of"),
    ],
)
def test_malformed_weights_sections(tmp_path, section, message):
    path = tmp_path / "cxkit.yaml"
    path.write_text(f"version: 1\nsources:\n  feedback: {{path: f.csv}}\n{section}\n")
    with pytest.raises(CatalogError, match=message):
        cx.load_catalog(path)


def test_snapshot_catalog_keeps_the_weights(tmp_path):
    catalog = cx.load_catalog(EXAMPLE)
    written = catalog.write_snapshot_catalog(tmp_path)
    assert "weights:" in written.read_text()
    assert cx.load_catalog(written).weights == catalog.weights


def test_page_states_the_weighting_first(pages):
    weighted, _ = pages
    info = weighted.weighting
    assert info["method"] == "rake" and info["margins"] == ["segment", "channel"]
    assert weighted.findings[0] == info["statement"]
    assert "effective n = " in weighted.findings[1]
    assert info["statement"].startswith("Figures are weighted (raking to known segment and channel shares)")
    assert 0 < info["n_eff"] < info["n"] == weighted.kpis["nps"]["n"]
    assert 0.2 - 1e-9 <= info["min"] <= 1 <= info["max"] <= 5 + 1e-9


def test_results_carry_weighted_and_unweighted(pages):
    weighted, plain = pages
    wr, pr = weighted.results(), plain.results()
    assert "weighting" not in pr  # an unweighted page's results keep their keys
    unweighted = wr["weighting"]["unweighted"]
    for key in ("nps", "csat", "ces"):
        expected = {k: v for k, v in pr[key].items() if k != "finding"}
        assert unweighted[key] == expected  # the same computation as the unweighted page
    assert wr["nps"]["value"] != pytest.approx(pr["nps"]["value"], abs=0.05)
    assert wr["nps"]["n_eff"] == pytest.approx(wr["weighting"]["n_eff"])
    assert weighting_note(wr) == wr["weighting"]["statement"] and weighting_note(pr) == ""
    assert not any(k.startswith("_") for k in wr["weighting"])


def test_every_figure_is_weighted(pages):
    weighted, plain = pages
    assert weighted.drivers.attrs["weights"] == WEIGHT_COLUMN
    assert "weights" not in plain.drivers.attrs
    assert weighted.segments["value"].tolist() != plain.segments["value"].tolist()
    assert "n_eff" in weighted.trend.columns and "n_eff" not in plain.trend.columns


def test_headline_section_shows_statement_and_the_unweighted_table(pages):
    weighted, plain = pages
    html = weighted.show("headline").html
    assert html.startswith('<p class="cx-weighting">Figures are weighted')
    assert "effective n" in html and "The same KPIs unweighted" in html
    assert "cx-weighting" not in plain.show("headline").html


def test_the_index_tiles_and_targets_use_the_weighted_figures(pages):
    """The index's NPS tile and its trend come from the same weighted table as the page, its
    target test from the weighted interval (effective n), and the index states the weighting."""
    from cxkit.pack import _kpis, index, summary
    from cxkit.pack.nps_drivers import weighted_feedback

    weighted, _ = pages
    results = weighted.results()
    catalog = cx.load_catalog(EXAMPLE)
    frame, column, _ = weighted_feedback(catalog["feedback"].frame, catalog.weights)
    history = _kpis.kpi_history(frame, month="2026-10", weights=column)
    assert history["nps"][-1]["value"] == pytest.approx(results["nps"]["value"], abs=1e-9)
    plain = _kpis.kpi_history(catalog["feedback"].frame, month="2026-10")
    assert abs(plain["nps"][-1]["value"] - results["nps"]["value"]) > 0.1  # the weights move it
    test = summary.targets_report({"nps": 25.0}, results, frame, month="2026-10", weighted=True)["nps"]
    head = results["nps"]
    half = (head["ci_high"] - head["ci_low"]) / 2 / 1.959963984540054
    assert test["method"] == "z (SE from the 95% interval)" and test["n"] == round(head["n_eff"])
    assert test["statistic"] == pytest.approx((head["value"] - 25.0) / half, rel=1e-9)
    html = index.render_index({"month": "2026-10", **results}, notebooks=[], footer="")
    assert weighting_note(results) and weighting_note(results) in html.replace("&#x27;", "'")


def test_segment_comparisons_use_the_calibration(pages):
    """The page's segment tests are cx.compare_nps on the month's weighted responses with the
    margins they were raked to (the linearised variance of each difference), not Kish's n."""
    import warnings

    from cxkit.pack.nps_drivers import weighted_feedback

    weighted, _ = pages
    catalog = cx.load_catalog(EXAMPLE)
    frame, column, info = weighted_feedback(catalog["feedback"].frame, catalog.weights)
    month = frame[frame["responded_at"].dt.strftime("%Y-%m") == "2026-10"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        expected = cx.compare_nps(month, by="segment", weights=column, calibration=info["margins"])
        bare = month.copy()
        bare.attrs = {}  # no margins known: Kish's effective n
        kish = cx.compare_nps(bare, by="segment", weights=column)
    page = weighted.segments[weighted.segments["by"] == "segment"].reset_index(drop=True)
    assert page["se"].to_numpy() == pytest.approx(expected["se"].to_numpy(), rel=1e-12)
    assert page["p"].to_numpy() == pytest.approx(expected["p"].to_numpy(), rel=1e-12)
    assert month.attrs["calibration"][column]["margins"] == ["segment", "channel"]
    assert not np.allclose(page["se"], kish["se"], rtol=1e-4)
