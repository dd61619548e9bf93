"""The churn page (cxkit/pack/churn_regression.py): every section stands alone, undated customers
get no monthly KPI and no invented horizon, and the page tells the story before the diagnostics.

References: the page's numbers are those of the analyses called directly (cxkit/analysis/churn.py
and survival.py, tested in test_churn.py and test_survival.py); a per-unit effect is the model's
odds ratio raised to the unit (exp(k * coef) = OR ** k); the Telco cautions are the ones
test_churn.py checks on the same data (leakage of TotalCharges, the seven aliased "No internet
service" / "No phone service" columns, GVIF above 10, non-proportional hazards).
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
from cxkit.errors import ChurnWarning, DataWarning
from cxkit.pack import churn_regression as cp
from cxkit.pack.index import render_index
from cxkit.pack.results import to_jsonable


@pytest.fixture(scope="module")
def sample(sample_table):
    return sample_table("customers"), sample_table("feedback")


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChurnWarning)
        return fn(*args, **kwargs)


def _shown(page) -> dict:
    """Every section's display object, by name."""
    return {name: page.show(name) for name in page.sections}


def _assert_nothing_broken(page) -> None:
    """No finding, alt text, table or sentence shows a missing value or a hole, and no section
    fell back on the generic empty-table or empty-axes sentence (each says what is missing)."""
    for item in page.findings + list(page.alt.values()):
        assert broken_text(item) is None, item
    for name, shown in _shown(page).items():
        if isinstance(shown, Unavailable):
            assert broken_text(shown.reason) is None, (name, shown.reason)
        elif name == "model_checks":  # a list of sentences, one a line
            for line in shown.text.splitlines():
                assert broken_text(line[2:]) is None, (name, line)
        else:  # a table (its plain text is padded with spaces) or a figure
            text = getattr(shown, "text", "") or ""
            assert not re.search(r"(?<![\w-])(nan|NaN|NaT|<NA>|inf)(?![\w-])", text), (name, text)
    for name, reason in page.skipped.items():
        assert "nothing to list" not in reason and "nothing to draw" not in reason, (name, reason)
        assert reason.endswith("."), (name, reason)
    json.dumps(to_jsonable(page.results()), allow_nan=False)


def test_page_shows_what_the_analyses_compute(sample):
    # The page's results part is that of the analyses called directly (issue 22), its sections
    # are in the notebook's order, and the story comes before the model checks (issue 23).
    customers, feedback = sample
    page = cx.ChurnReport(customers, feedback=feedback, month="2026-10", currency="EUR")
    joined = cx.join_cx(customers, feedback, which="first")
    model = _quiet(cx.churn_model, joined, cv=5, seed=0)
    detractor = cx.detractor_effect(joined, adjust=["tenure_months", "segment"])
    risk = cx.revenue_at_risk(model, joined, by="segment", currency="EUR")
    survival = cx.logrank(joined, by="segment")
    headline = cx.churn_headline(customers, month="2026-10")
    expected = cp.churn_results(
        headline={**headline, "scope": "month"},
        model=model,
        detractor=detractor,
        revenue=risk,
        survival=survival,
        by_nps=cx.churn_by_nps(joined),
    )
    # issue 27: the monthly rates of the page's trend, for the index's sparkline
    monthly = cx.churn_rate_by_month(customers).tail(13)
    expected["trend"] = [
        {"period": r.month, "value": r.churn_rate, "ci_low": r.ci_low, "ci_high": r.ci_high, "n": r.active_at_start}
        for r in monthly.itertuples()
    ]
    assert json.dumps(to_jsonable(page.results()), sort_keys=True) == json.dumps(
        to_jsonable({"churn": expected}), sort_keys=True
    )
    assert page.month == "2026-10" and page.title == "Churn" and not page.unavailable
    assert list(page.sections) == [
        "trend",
        "trend_table",
        "effects",
        "effects_table",
        "by_nps",
        "detractor",
        "revenue",
        "revenue_table",
        "lifetime_value",
        "survival",
        "logrank",
        "cox",
        "cohorts",
        "cohorts_table",
        "reasons",
        "model_checks",
    ]
    assert page.show("trend_table").text.split()[0] == "month"
    assert page.findings[0].startswith("The churn rate in 2026-10 was 2.5%")
    assert not any(f.startswith("Caution") for f in page.findings)
    assert page.alt["cohorts"].endswith("months.")
    assert cp.calibration_finding(model) in page.checks
    with pytest.raises(KeyError, match="has no section 'nope'"):
        page.show("nope")
    _assert_nothing_broken(page)


def test_the_notebook_shows_every_section_once_with_the_checks_last(project_dir, sample):
    nb = json.loads((project_dir / "notebooks" / "churn_regression.ipynb").read_text(encoding="utf-8"))
    shown = [
        m.group(1)
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for m in [re.fullmatch(r'page\.show\("(\w+)"\)', "".join(cell["source"]).strip())]
        if m
    ]
    assert shown == list(cp.ChurnReport.__new__(cp.ChurnReport).sections)
    assert shown[-1] == "model_checks"
    text = json.dumps(nb)
    assert "the months the churn dates span" not in text  # no horizon named that the data may not have


def test_readable_effects_are_per_a_unit_a_reader_can_picture(sample):
    customers, _ = sample
    model = _quiet(cx.churn_model, customers, covariates=["tenure_months", "monthly_revenue", "contract"], cv=0)
    raw = model.summary.set_index("term")
    shown = cp.readable_effects(model.summary, customers, currency="EUR").set_index("term")
    # tenure per 12 months: OR ** 12 = exp(12 * coef); the p-value does not depend on the unit
    assert shown.loc["tenure_months", "label"] == "tenure (per 12 months)"
    assert shown.loc["tenure_months", "odds_ratio"] == pytest.approx(np.exp(12 * raw.loc["tenure_months", "coef"]))
    assert shown.loc["tenure_months", "ci_low"] == pytest.approx(raw.loc["tenure_months", "ci_low"] ** 12)
    assert shown.loc["tenure_months", "p_adjusted"] == raw.loc["tenure_months", "p_adjusted"]
    # money per the power of ten nearest its standard deviation, in the currency
    sd = customers["monthly_revenue"].astype(float).std()
    unit = 10.0 ** round(np.log10(sd))
    assert shown.loc["monthly_revenue", "label"] == f"monthly revenue (per {unit:,.0f} EUR)"
    assert shown.loc["monthly_revenue", "odds_ratio"] == pytest.approx(raw.loc["monthly_revenue", "odds_ratio"] ** unit)
    # levels keep their comparison; the intercept is not an effect
    assert "contract: annual vs monthly" in set(shown["label"]) and "Intercept" not in shown.index


def test_an_anonymous_survey_says_how_to_link_it(sample):
    # The most common real setup: a survey export without customer ids beside a customers table.
    customers, feedback = sample
    anonymous = feedback.drop(columns=["customer_id"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        page = cx.ChurnReport(customers, feedback=anonymous, month="2026-10")
    assert not [w for w in caught if issubclass(w.category, (DataWarning, ChurnWarning))]  # the page says it
    shown = page.show("by_nps")
    assert isinstance(shown, Unavailable)
    assert "no customer ids" in shown.reason and "customer_id" in shown.reason
    assert page.show("detractor") is None  # the chart's sentence above says it once
    assert "Customer experience and churn" in page.show("reasons").reason
    out = page.results()["churn"]
    assert out["churn_by_nps"] is None and out["detractor_odds_ratio"] is None
    assert out["auc"] is not None and out["headline"]["month"] == "2026-10"  # everything else builds
    assert not any("detractor" in f.lower() for f in page.findings)
    assert set(page.skipped) == {"by_nps", "reasons"}
    _assert_nothing_broken(page)


def test_no_survey_at_all(sample):
    customers, _ = sample
    page = cx.ChurnReport(customers, month="2026-10")
    assert "no survey" in page.show("by_nps").reason
    assert not isinstance(page.show("revenue_table"), Unavailable) and page.results()["churn"]["auc"] > 0.6
    _assert_nothing_broken(page)


def test_undated_customers_get_the_all_time_share_and_no_invented_horizon(sample):
    customers, feedback = sample
    undated = customers.drop(columns=["signup_at", "churned_at"])
    page = cx.ChurnReport(undated, feedback=feedback, month="2026-10")
    headline = page.results()["churn"]["headline"]
    # the share of all customers who churned (reference: the churn flag's mean), never a month's rate
    assert headline["scope"] == "all customers" and headline["month"] is None and headline["previous"] is None
    assert headline["value"] == pytest.approx(undated["churned"].astype(float).mean())
    assert "not a monthly rate" in page.findings[0] and "all customers" in page.findings[0]
    assert "all-time share, not a monthly rate" in page.results()["churn"]["finding"]
    for name, words in (("trend", "no monthly churn rate"), ("cohorts", "signed up")):
        shown = page.show(name)
        assert isinstance(shown, Unavailable) and "no signup and churn dates" in shown.reason and words in shown.reason
    assert page.show("trend_table") is None and page.show("cohorts_table") is None
    revenue = [f for f in page.findings if "monthly revenue" in f]
    assert len(revenue) == 1 and "no time frame" in revenue[0]
    assert not re.search(r"within|months the churn dates|horizon", revenue[0])
    caption = page.show("revenue_table").html
    assert "no time frame" in caption and "within" not in caption
    assert set(page.skipped) == {"trend", "cohorts"}
    _assert_nothing_broken(page)


def test_too_few_churners_for_the_model(sample):
    customers, feedback = sample
    few = customers.copy()
    churners = few.index[few["churned"].astype(bool)]
    few.loc[churners[5:], "churned"] = False
    few.loc[churners[5:], "churned_at"] = pd.NaT
    page = cx.ChurnReport(few, feedback=feedback)
    reason = page.show("effects").reason
    assert reason.startswith("Only 5 of the 10,000 customers churned") and str(cp.MIN_CHURNERS) in reason
    assert page.show("effects_table") is None
    assert "no churn model" in page.show("revenue").reason
    assert "Only 5" in page.show("cox").reason and "Only 5" in page.show("model_checks").reason
    out = page.results()["churn"]
    assert out["auc"] is None and out["odds_ratios"] is None and out["revenue_at_risk"] is None
    assert not isinstance(page.show("lifetime_value"), Unavailable)  # needs no model: still shown
    assert not any("AUC" in f for f in page.findings)
    _assert_nothing_broken(page)


def test_no_revenue_leaves_out_the_money_only(sample):
    customers, feedback = sample
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        page = cx.ChurnReport(customers.drop(columns=["monthly_revenue"]), feedback=feedback, month="2026-10")
    assert not [w for w in caught if "no monthly revenue" in str(w.message)]  # the page says it, once per section
    for name in ("revenue", "lifetime_value"):
        assert "no monthly revenue" in page.show(name).reason and "monthly_revenue" in page.show(name).reason
    assert page.results()["churn"]["revenue_at_risk"] is None
    assert page.results()["churn"]["detractor_odds_ratio"]["estimate"] > 1
    _assert_nothing_broken(page)


def test_a_month_outside_the_churn_data_and_no_segment(sample):
    customers, feedback = sample
    page = cx.ChurnReport(customers.drop(columns=["segment"]), feedback=feedback, month="2030-01")
    assert page.results()["churn"]["headline"] is None and "2030-01" in page.unavailable["headline"]
    assert page.month == "2030-01" and not isinstance(page.show("trend"), Unavailable)  # the trend still shows
    assert "no segment" in page.show("logrank").reason and "no segment" in page.show("revenue").reason
    assert page.show("revenue_table").text.split()[0] == "group"  # the total, without a split
    assert not page.findings[0].startswith("The churn rate")
    _assert_nothing_broken(page)


def test_a_table_with_churn_and_tenure_only(sample):
    # The leanest export: customer id, churn flag and tenure. The churn model explains churn by
    # tenure alone; the Cox model has nothing to explain time to churn with (tenure is its time
    # axis), so it says what would make it possible instead of failing the page.
    customers, _ = sample
    page = cx.ChurnReport(customers[["customer_id", "churned", "tenure_months"]])
    assert "no column besides churn and tenure" in page.show("cox").reason
    assert page.results()["churn"]["formula"] == "churned ~ tenure_months"
    assert not isinstance(page.show("survival"), Unavailable)  # one Kaplan-Meier curve for everyone
    _assert_nothing_broken(page)
    assert {"trend", "by_nps", "revenue", "lifetime_value", "logrank", "cox", "cohorts", "reasons"} == set(page.skipped)


def test_notes_on_the_data_are_listed_once_in_the_model_checks(sample):
    # The analyses note what they did to the data (e.g. rare levels combined into "other"); a
    # note each table repeats with its own counts is listed once, with the counts of all customers.
    customers, feedback = sample
    page = cx.ChurnReport(customers, feedback=feedback, month="2026-10")
    note = "segment: {} levels with fewer than 30 customers each were combined into 'other' ({} customers)."
    page.km.attrs["notes"] = [note.format(93, 580)]
    page.risk.attrs["notes"] = [note.format(91, 440)]
    page.clv.attrs["notes"] = [note.format(93, 580)]
    assert page.data_notes == [note.format(93, 580)[:-1] + cp._SAME_ELSEWHERE]
    assert sum("combined into 'other'" in c for c in page.checks) == 1


def test_telco_model_checks_name_each_caution_once(public_catalog):
    telco = public_catalog["telco"].frame
    page = cx.ChurnReport(telco)
    checks = page.checks
    assert sum("TotalCharges is almost exactly tenure times monthly revenue" in c for c in checks) == 1
    assert sum("repeat what another column already says" in c for c in checks) == 1
    assert sum("imprecise" in c for c in checks) == 1
    assert sum("change with tenure" in c for c in checks) == 1
    assert not any("GVIF" in c or "design column" in c or "tenure_months" in c for c in checks)
    assert "4 cautions" in page.findings[-1] and not any("Caution" in f for f in page.findings)
    effects = page.show("effects_table").text
    assert "tenure (per 12 months)" in effects and "TotalCharges (per 1,000)" in effects
    assert "1.00 to 1.00" not in effects and "tenure_months" not in effects
    cox = page.show("cox").text
    assert "hazard ratio" in cox and " z " not in cox and "coefficient" not in cox
    assert page.results()["churn"]["headline"]["scope"] == "all customers"
    _assert_nothing_broken(page)


class _Notebook:
    name, title = "churn_regression", "Churn"


def test_index_labels_the_all_time_share_and_shows_no_change():
    kpi = {"value": 0.265, "ci_low": 0.255, "ci_high": 0.276, "n": 7043, "previous": None, "change": None}
    undated = render_index(
        {"month": "2026-10", "churn": {"headline": {**kpi, "month": None, "scope": "all customers"}}},
        notebooks=[_Notebook()],
        footer="",
    )
    assert "Churned, share of all customers in the data" in undated and "not a monthly rate" in undated
    assert ">Churn rate<" not in undated and "vs previous month" not in undated
    monthly = render_index(
        {"month": "2026-10", "churn": {"headline": {**kpi, "month": "2026-10", "scope": "month"}}},
        notebooks=[_Notebook()],
        footer="",
    )
    assert ">Churn rate<" in monthly and "not a monthly rate" not in monthly


def test_the_catalog_chooses_the_churn_models_columns(tmp_path):
    """Issue 23 Deliver 3: settings: {churn: {exclude: [...]}} keeps a column out of both models;
    covariates picks them; a wrong name is a CatalogError naming the nearest column."""
    import yaml

    import cxkit as cx

    catalog = {
        "version": 1,
        "sources": {"customers": {"table": "customers", "path": str(cx.SAMPLE_DIR / "customers.csv")}},
        "settings": {"churn": {"exclude": ["support_tickets", "region"]}},
    }
    (tmp_path / "cxkit.yaml").write_text(yaml.safe_dump(catalog))
    page = cx.ChurnReport.from_catalog(cx.load_catalog(tmp_path / "cxkit.yaml"), month="2026-10")
    terms = " ".join(page.model.summary["term"].astype(str))
    assert "support_tickets" not in terms and "region" not in terms and "tenure_months" in terms
    assert "support_tickets" not in " ".join(page.cox.summary["term"].astype(str))
    catalog["settings"] = {"churn": {"covariates": ["tenure_months", "contract"]}}
    (tmp_path / "cxkit.yaml").write_text(yaml.safe_dump(catalog))
    page = cx.ChurnReport.from_catalog(cx.load_catalog(tmp_path / "cxkit.yaml"), month="2026-10")
    terms = {t.split("[")[0].split(":")[0] for t in page.model.summary["term"].astype(str)}
    assert terms <= {"Intercept", "tenure_months", "contract"}
    catalog["settings"] = {"churn": {"exclude": ["suport_tickets"]}}
    (tmp_path / "cxkit.yaml").write_text(yaml.safe_dump(catalog))
    with pytest.raises(cx.CatalogError, match=r"'suport_tickets': did you mean 'support_tickets'\?"):
        cx.ChurnReport.from_catalog(cx.load_catalog(tmp_path / "cxkit.yaml"), month="2026-10")
    catalog["settings"] = {"churn": {"drop": ["x"]}}
    (tmp_path / "cxkit.yaml").write_text(yaml.safe_dump(catalog))
    with pytest.raises(cx.CatalogError, match="covariates"):
        cx.ChurnReport.from_catalog(cx.load_catalog(tmp_path / "cxkit.yaml"), month="2026-10")
