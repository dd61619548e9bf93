"""Every public function documents itself numpydoc-style (issue 22 §3): a Parameters section
naming each parameter, a Returns section, and for the analyses that return tables, every column
they return (checked by running them on the bundled sample)."""

from __future__ import annotations

import inspect
import re
import warnings

import pytest

import cxkit as cx

FUNCTIONS = sorted(n for n in cx.__all__ if inspect.isfunction(getattr(cx, n)))
CLASSES = sorted(n for n in cx.__all__ if inspect.isclass(getattr(cx, n)))


def _section(doc: str, name: str) -> str:
    """The text of one numpydoc section (empty when absent)."""
    match = re.search(rf"^\s*{name}\n\s*-{{3,}}\n(.*?)(?=^\s*\w[\w ]*\n\s*-{{3,}}\n|\Z)", doc, flags=re.S | re.M)
    return match.group(1) if match else ""


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_public_function_has_parameters_and_returns(name):
    func = getattr(cx, name)
    doc = inspect.getdoc(func) or ""
    params = [p for p in inspect.signature(func).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if params:
        section = _section(doc, "Parameters")
        assert section, f"cx.{name}: no Parameters section"
        documented = set(re.findall(r"^\s*([\w, ]+?)\s*:", section, flags=re.M))
        names = {n.strip() for group in documented for n in group.split(",")}
        missing = [p.name for p in params if p.name not in names]
        assert not missing, f"cx.{name}: parameters not documented: {missing}"
    assert _section(doc, "Returns") or _section(doc, "Yields"), f"cx.{name}: no Returns section"


@pytest.mark.parametrize("name", CLASSES)
def test_every_public_class_has_a_docstring(name):
    assert (inspect.getdoc(getattr(cx, name)) or "").strip(), name


@pytest.fixture(scope="module")
def sample(sample_table):
    return {name: sample_table(name) for name in ("feedback", "journey", "customers", "reviews")}


#: The analyses that return a table, called on the sample: every column they return must be
#: named in their Returns section.
CALLS = {
    "nps": lambda s: cx.nps(s["feedback"], by="segment"),
    "csat": lambda s: cx.csat(s["feedback"], by="segment"),
    "ces": lambda s: cx.ces(s["feedback"], by="segment"),
    "compare_nps": lambda s: cx.compare_nps(s["feedback"], by="segment"),
    "compare_csat": lambda s: cx.compare_csat(s["feedback"], by="segment"),
    "compare_ces": lambda s: cx.compare_ces(s["feedback"], by="segment"),
    "kpi_trend": lambda s: cx.kpi_trend(s["feedback"], "csat"),
    "key_drivers": lambda s: cx.key_drivers(s["feedback"], "nps", cx.SAMPLE_DRIVERS, bootstrap=10),
    "driver_change": lambda s: cx.driver_change(s["feedback"], "nps", cx.SAMPLE_DRIVERS, bootstrap=10),
    "importance_over_time": lambda s: cx.importance_over_time(s["feedback"], "nps", cx.SAMPLE_DRIVERS, bootstrap=0),
    "sentiment": lambda s: cx.sentiment(s["reviews"]["text"].head(50)),
    "sentiment_trend": lambda s: cx.sentiment_trend(
        s["reviews"].assign(**cx.sentiment(s["reviews"]["text"])[["compound", "label"]].set_axis(s["reviews"].index))
    ),
    "stage_scorecard": lambda s: cx.stage_scorecard(s["feedback"]),
    "funnel": lambda s: cx.funnel(s["journey"]),
    "funnel_by_month": lambda s: cx.funnel_by_month(s["journey"]),
    "pain_points": lambda s: cx.pain_points(s["journey"]),
    "touchpoint_performance": lambda s: cx.touchpoint_performance(s["journey"]),
    "channel_consistency": lambda s: cx.channel_consistency(s["journey"]),
    "kaplan_meier": lambda s: cx.kaplan_meier(s["customers"], by="segment"),
    "logrank": lambda s: cx.logrank(s["customers"], by="segment"),
    "restricted_mean_survival": lambda s: cx.restricted_mean_survival(s["customers"], by="segment", horizon=24),
    "churn_rate_by_month": lambda s: cx.churn_rate_by_month(s["customers"]),
    "cohort_retention": lambda s: cx.cohort_retention(s["customers"]),
    "customer_nps": lambda s: cx.customer_nps(s["feedback"]),
    "churn_by_nps": lambda s: cx.churn_by_nps(cx.join_cx(s["customers"], s["feedback"])),
    "detractor_effect": lambda s: cx.detractor_effect(cx.join_cx(s["customers"], s["feedback"])),
    "customer_lifetime_value": lambda s: cx.customer_lifetime_value(s["customers"], by="segment"),
    "churn_reasons": lambda s: cx.churn_reasons(s["customers"], s["feedback"]),
    "rejection_reasons": lambda s: cx.rejection_reasons(cx.load_catalog(cx.DEFAULT_CATALOG)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_returned_column_is_documented(name, sample):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = CALLS[name](sample)
    returns = _section(inspect.getdoc(getattr(cx, name)) or "", "Returns")
    named = set(re.findall(r"[A-Za-z_][\w]*", returns))
    # a column named after the data (the by= column, a driver, a stage) is described by its role
    data_named = {"segment", "journey_stage", "touchpoint", "channel", "theme", *cx.SAMPLE_DRIVERS}
    missing = [c for c in map(str, out.columns) if c not in named and c not in data_named]
    assert not missing, f"cx.{name} returns columns its docstring does not name: {missing}"
