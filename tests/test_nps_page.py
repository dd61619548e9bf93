"""The NPS page stands alone on real-shaped data (issue 23): a section the month's data cannot
give says why in one sentence, and every other section builds."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.display import Unavailable
from cxkit.pack.nps_drivers import nps_report

SECTIONS = [
    "headline",
    "trend",
    "trend_table",
    "segments",
    "importance",
    "drivers_table",
    "quadrant",
    "driver_change",
    "diagnostics",
]


@pytest.fixture(scope="module")
def fb():
    return cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame


def _in(frame: pd.DataFrame, month: str) -> np.ndarray:
    return (frame["responded_at"].dt.to_period("M") == month).to_numpy()


def _shown(page) -> dict[str, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", cx.PresentationWarning)  # nothing broken reaches the page
        return {name: page.show(name) for name in SECTIONS}


def test_a_month_of_one_response_builds_and_says_why_the_drivers_are_missing(fb):
    one = pd.concat([fb[~_in(fb, "2026-10")], fb[_in(fb, "2026-10")].head(1)])
    one.attrs = fb.attrs
    page = nps_report(one, month="2026-10", bootstrap=20)
    shown = _shown(page)
    assert not isinstance(shown["headline"], Unavailable) and not isinstance(shown["trend"], Unavailable)
    assert isinstance(shown["importance"], Unavailable)
    assert (
        "only 1 usable row for 8 drivers" in shown["importance"].text and "driver_months: 3" in shown["importance"].text
    )
    assert shown["drivers_table"].text == "Not shown: for the same reason as the section above that names it."
    assert "segments" in page.skipped and "fewer than two groups" in page.skipped["segments"]
    assert page.results()["drivers"] == [] and page.kpis["nps"]["n"] == 1
    assert all("nan" not in f for f in page.findings)


def test_pooled_months_fit_the_drivers_and_say_which(fb):
    thin = pd.concat([fb[~_in(fb, "2026-10")], fb[_in(fb, "2026-10")].head(5)])
    thin.attrs = fb.attrs
    page = nps_report(thin, month="2026-10", bootstrap=20, driver_months=3)
    shown = _shown(page)
    assert "2026-08 to 2026-10 (pooled)" in shown["drivers_table"].html
    assert isinstance(shown["driver_change"], Unavailable) and "driver_months: 1" in shown["driver_change"].text


def test_a_driver_not_asked_this_month_is_left_out_and_named(fb):
    asked = fb.copy()
    asked.loc[_in(asked, "2026-10"), "billing"] = np.nan
    page = nps_report(asked, month="2026-10", bootstrap=20)
    shown = _shown(page)
    assert set(page.drivers["driver"]) == set(cx.SAMPLE_DRIVERS) - {"billing"}
    assert any(f.startswith("Left out of the driver model: billing (0%)") for f in page.findings)
    assert not isinstance(shown["driver_change"], Unavailable)  # compared on the drivers both months asked


def test_a_one_to_ten_rating_is_never_called_nps(fb):
    rating = fb.copy()
    rng = np.random.default_rng(2)
    rating["nps"] = pd.array(rng.integers(1, 11, len(rating)), dtype="Int64")
    page = nps_report(rating, month="2026-10", bootstrap=20)
    shown = _shown(page)
    assert "nps" not in page.kpis and "NPS" not in page.headline["kpi"].tolist()
    assert isinstance(shown["trend"], Unavailable) and "looks like a 1-10 rating" in shown["trend"].text
    assert not any("NPS in 2026-10" in f for f in page.findings)


def test_a_survey_covering_one_month_has_no_change_sections_but_builds(fb):
    month = fb[_in(fb, "2026-10")].copy()
    month.attrs = fb.attrs
    page = nps_report(month, month="2026-10", bootstrap=20)
    shown = _shown(page)
    assert "no responses in 2026-09" in shown["driver_change"].text
    assert not isinstance(shown["importance"], Unavailable)
    assert not any("months shown" in f for f in page.findings)


def test_breakdowns_and_driver_months_come_from_the_catalog_settings(tmp_path):
    import yaml

    catalog = {
        "version": 1,
        "sources": {
            "feedback": {"table": "feedback", "path": str(cx.SAMPLE_DIR / "feedback.csv"), "drivers": cx.SAMPLE_DRIVERS}
        },
        "settings": {"breakdowns": ["journey_stage", "no_such_column"], "driver_months": 2},
    }
    (tmp_path / "cxkit.yaml").write_text(yaml.safe_dump(catalog))
    page = cx.NpsReport.from_catalog(cx.load_catalog(tmp_path / "cxkit.yaml"), month="2026-10", bootstrap=10)
    assert set(page.segments["by"]) == {"journey_stage"}
    assert page.drivers.attrs["months_label"] == "2026-09 to 2026-10 (pooled)"
    catalog["settings"] = {"breakdowns": "segment"}
    (tmp_path / "cxkit.yaml").write_text(yaml.safe_dump(catalog))
    with pytest.raises(cx.CatalogError, match=r"breakdowns must be a list of column names"):
        cx.NpsReport.from_catalog(cx.load_catalog(tmp_path / "cxkit.yaml"), month="2026-10", bootstrap=10)
