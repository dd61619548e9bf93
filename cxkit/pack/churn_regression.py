"""The "Churn" page: who is leaving, what the customer experience has to do with it, what it
costs, and how far to trust the model.

:class:`ChurnReport` computes the page's analyses once (the month's churn rate and its trend,
the churn model with cross-validated accuracy and calibration, churn by NPS category and the
detractor effect, revenue at risk and lifetime value, survival by segment, the Cox model, cohort
retention and the themes of last comments) and offers them by the page protocol
(:mod:`cxkit.pack.page`): ``findings``, ``alt``, ``results()`` (the ``churn`` part of
``results.json``), ``sections`` and ``show(name)``. The findings sentences live here, beside the
page: each claims an effect only when its test is significant.

The page tells the story a manager acts on first (who leaves, what CX has to do with it, the
revenue at risk) and keeps the model's diagnostics (collinearity, repeated columns, leakage,
proportional hazards, calibration) in one short "Model checks" section at the end, in plain
words, each caution once. Effects are shown under readable names (``tenure_months`` is
"tenure"), numeric ones per a unit a reader can picture (tenure per 12 months, money per 10,
100 or 1,000, the power of ten nearest the column's standard deviation), as the label says;
``results.json`` keeps the per-unit numbers of the model.

Each analysis is computed through :meth:`~cxkit.pack.page.ReportPage.attempt`: one the data
cannot give (no churn dates, a survey without customer ids, too few churners, no revenue) is
left out with one sentence saying what is missing and what would make it possible, and the
rest of the page still builds. Without churn dates there is no monthly churn rate: the headline
is the share of all customers in the data who churned, labelled as such (``headline["scope"]``
is ``"all customers"``), and the revenue at risk is given without a time frame.

Examples
--------
>>> import cxkit as cx
>>> page = cx.ChurnReport.from_catalog(cx.load_catalog(cx.DEFAULT_CATALOG), month="2026-10")
>>> page.month, round(float(page.results()["churn"]["detractor_odds_ratio"]["estimate"]), 2)
('2026-10', 2.46)
>>> list(page.sections)[:3]
['trend', 'trend_table', 'effects']
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..analysis.churn import (
    ChurnModel,
    churn_by_nps,
    churn_headline,
    churn_model,
    churn_rate_by_month,
    churn_reasons,
    cohort_retention,
    customer_lifetime_value,
    detractor_effect,
    join_cx,
    revenue_at_risk,
)
from ..analysis.survival import CoxModel, cox_model, kaplan_meier, logrank
from ..display import figure, findings, p_phrase, table
from ..errors import CatalogError, ChurnWarning, NotEnoughDataError
from ..i18n import N_, decimal, get_language, integer, interval, ntr, percent, tr, translate
from ..i18n import month as month_name
from ..plots import (
    plot_churn_by_nps,
    plot_churn_trend,
    plot_cohort_retention,
    plot_forest,
    plot_km,
    plot_revenue_at_risk,
)
from ._kpis import trend_points
from .page import ReportPage, section

if TYPE_CHECKING:
    from ..data.catalog import Catalog

__all__ = [
    "ChurnReport",
    "churn_findings",
    "churn_results",
    "effects_finding",
    "cohort_finding",
    "calibration_finding",
    "model_checks",
    "readable_effects",
]

#: The page fits no churn model (nor a Cox model, nor the detractor comparison) with fewer
#: churners, or fewer customers who stayed, than this: below it every effect is noise.
MIN_CHURNERS = 10
#: The scope of a headline without churn dates: the share of all customers who churned.
ALL_CUSTOMERS = "all customers"
#: Added to a note on the data that other tables repeat with their own counts.
_SAME_ELSEWHERE = N_("; these counts are over all customers, and each other table by this column counts its own.")
#: Readable names of the canonical customer columns (other columns keep their own name),
#: translated where they are shown.
READABLE_NAMES = {
    "tenure_months": N_("tenure"),
    "monthly_revenue": N_("monthly revenue"),
    "nps_category": N_("NPS category"),
}
#: The NPS categories of a customer's first survey answer (cxkit's own words, not data), as shown.
NPS_CATEGORIES = {
    "promoter": N_("promoter"),
    "passive": N_("passive"),
    "detractor": N_("detractor"),
    "no response": N_("no response"),
}


class ChurnReport(ReportPage):
    """The churn page of one month (see the module docstring).

    Parameters
    ----------
    records : DataFrame
        The canonical customers table (one row per customer, with churn and tenure).
    feedback : DataFrame, optional
        Survey responses: each customer's first answer is linked to churn (:func:`cxkit.join_cx`),
        and last comments give the themes of churn reasons. None leaves both out (the page
        says so), as does a survey whose answers carry no customer id.
    month : str
        ``YYYY-MM`` of the headline churn rate; ``""`` means the last month of the churn data.
        Without churn dates the headline is the share of all customers who churned.
    segment : str
        Column whose groups get a survival curve, a revenue line and a lifetime value (left
        out when the data has no such column).
    currency : str
        Currency of the revenue columns, for captions and findings.
    covariates : list of str, optional
        The churn model's covariates (default: every usable column, see
        :func:`cxkit.churn_model`); ``formula`` instead fits a patsy formula as written.
    exclude : list of str, optional
        Columns kept out of the churn and time-to-churn models (a total-charges column that
        restates tenure x revenue, an outcome measured after churn).
    """

    title = N_("Churn")

    def __init__(
        self,
        records: pd.DataFrame,
        *,
        feedback: pd.DataFrame | None = None,
        month: str = "",
        segment: str = "segment",
        currency: str = "",
        covariates: list[str] | None = None,
        formula: str | None = None,
        exclude: list[str] | None = None,
    ):
        _check_model_columns(records, covariates, exclude)
        modelled = records.drop(columns=list(exclude or []))
        self.segment = segment if _groups(records, segment) >= 1 else None
        self.currency = currency
        self.cautions: list[tuple[str, str]] = []  # (model, message) of the models' warnings
        survey = self.attempt("survey", _linkable_survey, records, feedback)
        self.customers = join_cx(records, survey, which="first")
        self.trend = self.attempt("trend", _monthly_trend, records)
        self.headline = self.attempt("headline", _headline, records, month=month, trend=self.trend)
        self.month = (self.headline or {}).get("month") or month or ""
        self.model = self.attempt(
            "model",
            self._checked,
            "logit",
            _fit_churn_model,
            self.customers.drop(columns=list(exclude or [])),
            covariates=covariates,
            formula=formula,
        )
        self.effects = (
            None if self.model is None else readable_effects(self.model.summary, self.customers, currency=currency)
        )
        no_survey = self.unavailable.get("survey", "")
        self.by_nps = self.attempt("by_nps", _churn_by_nps, self.customers, survey, no_survey)
        adjust = ["tenure_months"] + ([self.segment] if self.segment else [])
        self.detractor = self.attempt(
            "detractor",
            self._checked,
            "detractor",
            _detractor_effect,
            self.customers,
            adjust,
            by_nps=self.by_nps,
            no_survey=no_survey,
        )
        self.risk = self.attempt(
            "revenue", _revenue_at_risk, self.model, self.customers, by=self.segment, currency=currency
        )
        self.clv = self.attempt("lifetime_value", _lifetime_value, self.customers, by=self.segment, currency=currency)
        self.km = self.attempt("survival", kaplan_meier, self.customers, by=self.segment)
        self.survival = self.attempt("logrank", _logrank, self.customers, self.segment)
        self.cox = self.attempt("cox", self._checked, "cox", _fit_cox_model, modelled)
        self.cox_effects = None if self.cox is None else readable_effects(self.cox.summary, records, currency=currency)
        self.cohorts = self.attempt("cohorts", _cohorts, records)
        self.cohorts_wide = None if self.cohorts is None else cohort_retention(records, wide=True)
        self.reasons = self.attempt("reasons", _churn_reasons, self.customers, survey, no_survey)

    @classmethod
    def from_catalog(
        cls, sources: Catalog, *, month: str = "", customers_source: str = "customers", segment: str = "segment"
    ) -> ChurnReport:
        """The page from a catalog's customer records (source ``customers_source``), its
        ``feedback`` source when it has one, and its ``settings``: the ``currency``, and
        ``churn: {covariates: [...], formula: ..., exclude: [...]}`` for the churn model."""
        feedback = sources["feedback"].frame if "feedback" in sources else None
        model = _churn_settings(sources.settings.get("churn"))
        return cls(
            sources[customers_source].frame,
            feedback=feedback,
            month=month,
            segment=segment,
            currency=sources.settings.get("currency", ""),
            **model,
        )

    def _checked(self, source: str, compute: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``compute(*args, **kwargs)`` with the model's cautions kept for "Model checks"
        (instead of printed under the cell); other warnings pass on as usual."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = compute(*args, **kwargs)
        for w in caught:
            if issubclass(w.category, ChurnWarning):
                self.cautions.append((source, str(w.message)))
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return result

    # -- what the page says ----------------------------------------------------------------

    @property
    def checks(self) -> list[str]:
        """The model checks in plain words, each caution once (see :func:`model_checks`)."""
        return model_checks(
            self.model, cox=self.cox, detractor=self.detractor, cautions=self.cautions, notes=self.data_notes
        )

    @property
    def data_notes(self) -> list[str]:
        """Notes the analyses attach to their results (e.g. the rare levels of a many-level
        segment combined into "other"), each once, for the model checks."""
        found: list[str] = []
        # all customers first: a note that recurs with other counts (the same rare levels counted
        # over another table's customers) is then given once, with the counts of all customers
        for frame in (self.km, self.survival, self.clv, self.by_nps, self.detractor, self.risk):
            if frame is not None:
                found += [str(note) for note in frame.attrs.get("notes") or []]
        found += [str(note) for note in getattr(self.cox, "notes", None) or []]
        kept: dict[str, str] = {}
        for note in found:
            key = re.sub(r"\d[\d,.]*", "#", note.strip())
            if note.strip() and key not in kept:
                kept[key] = note.strip()
            elif note.strip() and kept[key] != note.strip() and not kept[key].endswith(_SAME_ELSEWHERE):
                kept[key] = kept[key].rstrip(".") + _SAME_ELSEWHERE
        return [
            _note_text(note[: -len(_SAME_ELSEWHERE)] + ".").rstrip(".") + translate(_SAME_ELSEWHERE)
            if note.endswith(_SAME_ELSEWHERE)
            else _note_text(note)
            for note in kept.values()
        ]

    @property
    def findings(self) -> list[str]:
        return churn_findings(
            headline=self.headline,
            model=self.model,
            effects=self.effects,
            detractor=self.detractor,
            revenue=self.risk,
            survival=self.survival,
            reasons=self.reasons,
            cautions=len(_caution_sentences(self.cautions)) if self.model is not None else 0,
        )

    @property
    def alt(self) -> dict[str, str]:
        alt = {}
        if self.trend is not None:
            alt["trend"] = _trend_alt(self.trend, self.headline)
        if self.effects is not None:
            alt["effects"] = effects_finding(self.effects)
        if self.km is not None:
            alt["survival"] = (
                churn_findings(survival=self.survival) or [tr("Share of customers still active by tenure.")]
            )[0]
        if self.by_nps is not None:
            alt["by_nps"] = (churn_findings(detractor=self.detractor) or [_by_nps_alt(self.by_nps)])[0]
        if self.risk is not None:
            alt["revenue"] = (
                churn_findings(revenue=self.risk)
                or [tr("Revenue at risk by segment, with {level} intervals.", level=percent(0.95, 0))]
            )[0]
        if self.cohorts is not None:
            alt["cohorts"] = cohort_finding(self.cohorts)
        return alt

    def results(self) -> dict:
        part = churn_results(
            headline=self.headline,
            model=self.model,
            effects=self.effects,
            detractor=self.detractor,
            revenue=self.risk,
            survival=self.survival,
            by_nps=self.by_nps,
        )
        # The monthly rates shown on the page, last 13 months, for the index's sparkline (issue 27).
        if not isinstance(part, dict) or self.trend is None:
            return {"churn": part}
        return {"churn": {**part, "trend": trend_points(self.trend, value="churn_rate", n="active_at_start")}}

    # -- sections, in page order ---------------------------------------------------------

    @section("trend")
    def _trend_chart(self):
        """Monthly churn rate with 95% intervals."""
        trend = self.need(self.trend, "trend")
        return figure(plot_churn_trend(trend).figure, alt=self.alt["trend"])

    @section("trend_table")
    def _trend_table(self):
        """The numbers behind the chart (nothing when the chart says why it is not shown)."""
        if self.trend is None:
            return None
        return table(
            self.trend.assign(month=self.trend["month"].map(month_name)),  # "oktober 2026" in Danish
            caption=tr("Monthly churn rate"),
            percent=["churn_rate"],
            labels={
                "month": tr("month"),
                "active_at_start": tr("active at start"),
                "churned": tr("churned"),
                "churn_rate": tr("churn rate"),
            },
        )

    @section("effects")
    def _effects_chart(self):
        """Who churns: odds ratios with their confidence intervals, under readable names."""
        model = self.need(self.model, "model")
        return figure(plot_forest(self.effects, alpha=model.alpha).figure, alt=self.alt["effects"])

    @section("effects_table")
    def _effects_table(self):
        """The numbers behind the chart, significant effects first."""
        if self.model is None:
            return None
        return table(
            _effects_order(self.effects)[["label", "odds_ratio", "ci_low", "ci_high", "p_adjusted"]],
            caption=tr("Odds of churning, other columns equal (above 1: more churn; p adjusted across the effects)"),
            digits=2,
            labels={"label": tr("effect")},
        )

    @section("by_nps")
    def _nps_chart(self):
        """Churn by NPS category of the first survey answer."""
        by_nps = self.need(self.by_nps, "by_nps")
        # a Wilson limit can land a rounding error beyond a rate of 0 or 1, which matplotlib refuses
        drawn = by_nps.assign(
            ci_low=np.minimum(by_nps["ci_low"], by_nps["churn_rate"]),
            ci_high=np.maximum(by_nps["ci_high"], by_nps["churn_rate"]),
        )
        return figure(plot_churn_by_nps(drawn).figure, alt=self.alt["by_nps"])

    @section("detractor")
    def _detractor(self):
        """Detractors against promoters, adjusted."""
        if self.by_nps is None:
            return None  # the chart above says why
        found = self.need(self.detractor, "detractor")
        shown = pd.DataFrame(
            {
                "": [tr("odds of churning (odds ratio)"), tr("pace of churning at equal tenure (hazard ratio)")][
                    : len(found)
                ],
                "estimate": found["estimate"],
                "ci_low": found["ci_low"],
                "ci_high": found["ci_high"],
                "p": found["p"],
                "customers": found["n"],
                "churned": found["churned"],
                "adjusted for": [_readable_list(a) for a in found["adjusted_for"]],
            }
        )
        return table(
            shown,
            caption=tr("Detractors against promoters"),
            digits=2,
            labels={
                "estimate": tr("estimate"),
                "customers": tr("customers"),
                "churned": tr("churned"),
                "adjusted for": tr("adjusted for"),
            },
        )

    @section("revenue")
    def _revenue_chart(self):
        """Revenue at risk by segment."""
        risk = self.need(self.risk, "revenue")
        if self.segment is None:
            raise NotEnoughDataError(
                tr(
                    "The customer table has no segment to split the revenue at risk by; the table below gives the total."
                )
            )
        return figure(plot_revenue_at_risk(risk).figure, alt=self.alt["revenue"])

    @section("revenue_table")
    def _revenue_table(self):
        """The numbers behind the chart."""
        if self.risk is None:
            return None
        return table(
            self.risk,
            caption=_revenue_caption(self.risk),
            percent=["share_of_revenue"],
            digits={"monthly_revenue": 0, "churn_probability": 2, "revenue_at_risk": 0},
            labels={
                "customers": tr("customers"),
                "monthly_revenue": tr("monthly revenue"),
                "churn_probability": tr("churn probability"),
                "revenue_at_risk": tr("revenue at risk"),
                "share_of_revenue": tr("share of revenue"),
            },
        )

    @section("lifetime_value")
    def _lifetime_value(self):
        """Five-year customer lifetime value by segment."""
        clv = self.need(self.clv, "lifetime_value")
        return table(
            clv.drop(columns=["horizon_months"]),
            caption=_lifetime_value_caption(clv),
            digits={"expected_months": 1, "monthly_revenue": 2, "clv": 0},
            labels={
                "customers": tr("customers"),
                "expected_months": tr("expected months"),
                "monthly_revenue": tr("monthly revenue"),
                "followed_to_horizon": tr("followed for five years"),
            },
        )

    @section("survival")
    def _survival_chart(self):
        """Kaplan–Meier curves by segment."""
        km = self.need(self.km, "survival")
        return figure(plot_km(km).figure, alt=self.alt["survival"])

    @section("logrank")
    def _logrank(self):
        """Churners observed and expected per segment under equal hazards (log-rank test)."""
        if self.km is None:
            return None
        found = self.need(self.survival, "logrank")
        by = found.columns[0]
        test = found.iloc[0]
        return table(
            found[[by, "n", "observed", "expected"]],
            caption=tr(
                "Churners per {by}, and as many as expected if every {by} churned at the same pace over tenure "
                "(log-rank χ² = {chi2}, df {dof}, {p})",
                by=str(by),
                chi2=decimal(test["chi2"], 1),
                dof=integer(int(test["dof"])),
                p=p_phrase(float(test["p"])),
            ),
            digits={"expected": 1},
            labels={"n": tr("customers"), "observed": tr("churned"), "expected": tr("expected at equal pace")},
        )

    @section("cox")
    def _cox(self):
        """How fast: hazard ratios at equal tenure, under readable names."""
        self.need(self.cox, "cox")
        return table(
            _effects_order(self.cox_effects)[["label", "hazard_ratio", "ci_low", "ci_high", "p_adjusted"]],
            caption=tr("Pace of churning at equal tenure, other columns equal (above 1: leave sooner; p adjusted)"),
            digits=2,
            labels={"label": tr("effect")},
        )

    @section("cohorts")
    def _cohort_chart(self):
        """Retention by signup cohort."""
        cohorts = self.need(self.cohorts, "cohorts")
        return figure(plot_cohort_retention(cohorts).figure, alt=self.alt["cohorts"])

    @section("cohorts_table")
    def _cohort_table(self):
        """One row per cohort, one column per month since signup."""
        if self.cohorts_wide is None:
            return None
        wide = self.cohorts_wide
        since = {c: tr("month {k}", k=integer(int(str(c).split()[-1]))) for c in wide.columns[2:] if _month_column(c)}
        return table(
            wide.assign(cohort=wide["cohort"].map(month_name)),
            caption=tr("Retention by signup cohort"),
            percent=list(wide.columns[2:]),
            labels={"cohort": tr("cohort"), "customers": tr("customers"), **since},
        )

    @section("reasons")
    def _reasons(self):
        """Themes of churned and active customers' last comments."""
        reasons = self.need(self.reasons, "reasons")
        return table(
            reasons.drop(columns=["churned_comments"]),
            caption=tr(
                "Themes of the last comments of {n} churned customers, against active customers'",
                n=integer(int(reasons["churned_comments"].iloc[0])),
            ),
            digits=3,
            percent=["churned_share", "active_share"],
            labels={
                "theme": tr("theme"),
                "churned_mentions": tr("churned mentions"),
                "churned_share": tr("churned share"),
                "active_share": tr("active share"),
                "ratio": tr("ratio"),
            },
        )

    @section("model_checks")
    def _model_checks(self):
        """How far to trust the model: accuracy out of sample and each caution once."""
        self.need(self.model, "model")
        return findings(self.checks)


# --------------------------------------------------------------------------- what the data can give


def _groups(records: pd.DataFrame, column: str | None) -> int:
    """Distinct non-missing values of ``column`` (0 when the data has no such column)."""
    if column is None or column not in records.columns:
        return 0
    return int(records[column].nunique(dropna=True))


def _churn_flags(customers: pd.DataFrame, event: str = "churned") -> pd.Series:
    """The churn flag as 0/1 floats, missing values left out."""
    flags = customers[event]
    if pd.api.types.is_bool_dtype(flags) or isinstance(flags.dtype, pd.BooleanDtype):
        flags = flags.astype("Float64")
    return pd.to_numeric(flags, errors="coerce").astype(float).dropna()


def _enough_churners(customers: pd.DataFrame, what: str) -> None:
    """Raise :class:`NotEnoughDataError` when fewer than :data:`MIN_CHURNERS` customers churned
    (or stayed): ``what`` names the analysis in the sentence."""
    flags = _churn_flags(customers)
    churned, n = int(flags.sum()), len(flags)
    stayed = n - churned
    if churned < MIN_CHURNERS:
        raise NotEnoughDataError(
            tr(
                "Only {churned} of the {n} customers churned, too few for {what} (it needs at least {least} "
                "churners); a longer customer history would make it possible.",
                churned=integer(churned),
                n=integer(n),
                what=what,
                least=integer(MIN_CHURNERS),
            )
        )
    if stayed < MIN_CHURNERS:
        raise NotEnoughDataError(
            tr(
                "Only {stayed} of the {n} customers stayed, too few for {what} (it needs at least {least} customers "
                "who stayed and {least} who churned); data on more customers would make it possible.",
                stayed=integer(stayed),
                n=integer(n),
                what=what,
                least=integer(MIN_CHURNERS),
            )
        )


def _has_ids(feedback: pd.DataFrame) -> bool:
    return "customer_id" in feedback.columns and bool(feedback["customer_id"].notna().any())


def _linkable_survey(records: pd.DataFrame, feedback: pd.DataFrame | None) -> pd.DataFrame:
    """The survey answers that can be linked to customers, or why there are none."""
    if feedback is None:
        raise NotEnoughDataError(
            tr(
                "There is no survey (feedback source) in the catalog, so the customer experience cannot be related "
                "to churn; add a feedback source whose answers carry the customer id."
            )
        )
    if not _has_ids(feedback):
        raise NotEnoughDataError(
            tr(
                "The survey has no customer ids, so no answer can be linked to a customer; add the customer id to "
                "the survey export and map its column to customer_id in the catalog's columns to relate NPS to churn."
            )
        )
    # isin on the column, not a Python set of every id (5M customers: GBs of str objects)
    ids = records["customer_id"].dropna().astype(str)
    if not feedback["customer_id"].dropna().astype(str).isin(ids).any():
        raise NotEnoughDataError(
            tr(
                "None of the survey's customer ids is in the customer table, so no answer can be linked to a "
                "customer; export both with the same customer id to relate NPS to churn."
            )
        )
    return feedback


def _has_churn_dates(records: pd.DataFrame) -> bool:
    return all(c in records.columns and records[c].notna().any() for c in ("signup_at", "churned_at"))


def _monthly_trend(records: pd.DataFrame) -> pd.DataFrame:
    if not _has_churn_dates(records):
        raise NotEnoughDataError(
            tr(
                "The customer table has no signup and churn dates (signup_at, churned_at), so there is no monthly "
                "churn rate (the findings give the share of all customers who churned instead); map both date "
                "columns in the catalog to see churn month by month."
            )
        )
    trend = churn_rate_by_month(records)
    if trend.empty:
        raise NotEnoughDataError(
            tr(
                "The churn dates cover no complete month yet, so there is no monthly churn rate; a longer customer "
                "history would make it possible."
            )
        )
    return trend


def _headline(records: pd.DataFrame, *, month: str, trend: pd.DataFrame | None) -> dict:
    """The headline KPI; ``scope`` says whether it is a month's rate or the all-time share."""
    if trend is None:
        kpi = churn_headline(records)  # without churn dates: the share of all customers who churned
        if kpi.get("month") is None:
            return {**kpi, "scope": ALL_CUSTOMERS}
    elif month:
        from ..periods import parse_month

        wanted = str(parse_month(month))
        if wanted not in set(trend["month"]):
            raise NotEnoughDataError(
                tr(
                    "The churn data covers {first} to {last}, so it has no churn rate for {month}; customer records "
                    "that reach {month} would make it possible.",
                    first=month_name(trend["month"].iloc[0]),
                    last=month_name(trend["month"].iloc[-1]),
                    month=month_name(wanted),
                )
            )
    kpi = churn_headline(records, month=month)
    if not np.isfinite(kpi["value"]):
        raise NotEnoughDataError(
            tr(
                "No customer was active at the start of {month}, so it has no churn rate; customer records that "
                "reach the month would make it possible.",
                month=month_name(kpi["month"]),
            )
        )
    return {**kpi, "scope": "month"}


#: Canonical customer columns that do not describe a customer (the outcome, time and ids).
_NOT_COVARIATES = {"customer_id", "churned", "churned_at", "signup_at", "tenure_months", "nps_responded_at", "nps"}


def _refused(what: str, error: ValueError) -> NotEnoughDataError:
    """A model's refusal of the data (its ValueError, documented as such: no usable covariate,
    a covariate pattern it cannot fit) as the section's one sentence."""
    reason = str(error).split(". ")[0].rstrip(".")
    return NotEnoughDataError(
        tr("The {model} cannot be fitted to this data: {reason}.", model=what, reason=reason[:1].lower() + reason[1:])
    )


def _churn_settings(value: Any) -> dict[str, Any]:
    """The catalog's ``settings: {churn: {...}}``, checked (keys, types); {} when absent."""
    if value is None:
        return {}
    keys = {"covariates", "formula", "exclude"}
    if not isinstance(value, dict) or set(value) - keys:
        raise CatalogError(
            f"settings: churn must be a mapping with covariates: [...], formula: '...' or exclude: [...]; got {value!r}."
        )
    for key in ("covariates", "exclude"):
        listed = value.get(key)
        if listed is not None and (isinstance(listed, str) or not all(isinstance(c, str) for c in listed)):
            raise CatalogError(f"settings: churn: {key} must be a list of column names, e.g. {key}: [TotalCharges].")
    if value.get("formula") is not None and not isinstance(value["formula"], str):
        raise CatalogError(
            "settings: churn: formula must be a patsy formula, e.g. 'churned ~ tenure_months + segment'."
        )
    if value.get("formula") and value.get("covariates"):
        raise CatalogError("settings: churn: give covariates or a formula, not both.")
    return {key: value[key] for key in keys if value.get(key) is not None}


def _check_model_columns(records: pd.DataFrame, covariates: list[str] | None, exclude: list[str] | None) -> None:
    """Names in covariates/exclude that the customer table lacks: a CatalogError naming them."""
    unknown = [c for c in [*(covariates or []), *(exclude or [])] if c not in records.columns]
    if unknown:
        import difflib

        hints = "; ".join(
            f"{c!r}: did you mean {close[0]!r}?"
            if (close := difflib.get_close_matches(c, [str(x) for x in records.columns], n=1))
            else repr(c)
            for c in unknown
        )
        raise CatalogError(
            f"settings: churn names column(s) the customer table does not have ({hints}). Its columns are "
            f"{', '.join(map(str, records.columns))}."
        )


def _fit_churn_model(
    customers: pd.DataFrame, *, covariates: list[str] | None = None, formula: str | None = None
) -> ChurnModel:
    _enough_churners(customers, tr("a churn model"))
    try:
        return churn_model(customers, formula, covariates, cv=5, seed=0)
    except NotEnoughDataError:
        raise
    except ValueError as error:  # with the page's arguments, only the data can make it refuse
        raise _refused(tr("churn model"), error) from error


def _fit_cox_model(records: pd.DataFrame) -> CoxModel:
    _enough_churners(records, tr("a model of time to churn"))
    described = [c for c in records.columns if c not in _NOT_COVARIATES and records[c].notna().any()]
    if not described:
        raise NotEnoughDataError(
            tr(
                "The customer table has no column besides churn and tenure, so nothing can explain how fast "
                "customers leave; customer columns such as plan, segment or revenue in the export would make it "
                "possible."
            )
        )
    try:
        return cox_model(records)
    except NotEnoughDataError:
        raise
    except ValueError as error:  # with the page's arguments, only the data can make it refuse
        raise _refused(tr("model of time to churn"), error) from error


def _answered(customers: pd.DataFrame) -> pd.DataFrame:
    return customers[customers["nps_category"].astype(str).isin(["promoter", "passive", "detractor"])]


def _churn_by_nps(customers: pd.DataFrame, survey: pd.DataFrame | None, no_survey: str) -> pd.DataFrame:
    if survey is None:  # the survey's own sentence (no survey, no ids) says why
        raise NotEnoughDataError(no_survey)
    if _answered(customers).empty:
        raise NotEnoughDataError(
            tr(
                "None of the survey answers linked to a customer has an NPS score (0-10), so churn cannot be "
                "compared across promoters, passives and detractors; map the recommend question's column to nps in "
                "the catalog."
            )
        )
    return churn_by_nps(customers)


def _detractor_effect(
    customers: pd.DataFrame, adjust: list[str], *, by_nps: pd.DataFrame | None, no_survey: str
) -> pd.DataFrame:
    if by_nps is None:
        raise NotEnoughDataError(no_survey or tr("No survey answer linked to a customer has an NPS score."))
    answered = _answered(customers)
    counts = answered["nps_category"].astype(str).value_counts()
    missing = [g for g in ("promoter", "detractor") if not counts.get(g, 0)]
    if missing and missing[0] == "promoter":
        raise NotEnoughDataError(
            tr(
                "The survey answers linked to customers include no promoters, so detractors cannot be compared "
                "with promoters; more linked answers would make it possible."
            )
        )
    if missing:
        raise NotEnoughDataError(
            tr(
                "The survey answers linked to customers include no detractors, so detractors cannot be compared "
                "with promoters; more linked answers would make it possible."
            )
        )
    _enough_churners(answered, tr("comparing detractors with promoters"))
    return detractor_effect(customers, adjust=adjust)


def _revenue_missing(customers: pd.DataFrame, what: str) -> NotEnoughDataError | None:
    if "monthly_revenue" in customers.columns and customers["monthly_revenue"].notna().any():
        return None
    return NotEnoughDataError(
        tr(
            "The customer table has no monthly revenue, so {what} cannot be put in money; map the revenue column "
            "to monthly_revenue in the catalog's columns.",
            what=what,
        )
    )


def _revenue_at_risk(
    model: ChurnModel | None, customers: pd.DataFrame, *, by: str | None, currency: str
) -> pd.DataFrame:
    missing = _revenue_missing(customers, tr("the revenue at risk"))
    if missing:
        raise missing
    if model is None:
        raise NotEnoughDataError(
            tr(
                "The revenue at risk weighs each customer's revenue by the churn model's prediction, and there is "
                "no churn model (see who leaves above)."
            )
        )
    risk = revenue_at_risk(model, customers, by=by, currency=currency)
    if not np.isfinite(risk[["revenue_at_risk", "ci_low", "ci_high"]].to_numpy(dtype=float)).all():
        raise NotEnoughDataError(
            tr(
                "The churn model cannot predict every active customer's churn (a covariate without a finite "
                "estimate), so the revenue at risk has no interval; see Model checks."
            )
        )
    return risk


def _lifetime_value(customers: pd.DataFrame, *, by: str | None, currency: str) -> pd.DataFrame:
    missing = _revenue_missing(customers, tr("the lifetime value"))
    if missing:
        raise missing
    return customer_lifetime_value(customers, by=by, horizon_months=60, currency=currency)


def _logrank(customers: pd.DataFrame, segment: str | None) -> pd.DataFrame:
    if segment is None or _groups(customers, segment) < 2:
        raise NotEnoughDataError(
            tr(
                "The customer table has no segment with two or more groups, so time to churn cannot be compared "
                "across groups; map a grouping column to segment in the catalog's columns."
            )
        )
    if not _churn_flags(customers).sum():
        raise NotEnoughDataError(tr("No customer churned, so there is no time to churn to compare across groups."))
    found = logrank(customers, by=segment)
    return found


def _cohorts(records: pd.DataFrame) -> pd.DataFrame:
    if not _has_churn_dates(records):
        raise NotEnoughDataError(
            tr(
                "The customer table has no signup and churn dates (signup_at, churned_at), so customers cannot be "
                "grouped by the month they signed up; map both date columns in the catalog to see retention by "
                "cohort."
            )
        )
    cohorts = cohort_retention(records)
    if cohorts.empty:
        raise NotEnoughDataError(
            tr(
                "No customer signed up within the churn history, so there is no cohort to follow; a longer customer "
                "history would make it possible."
            )
        )
    return cohorts


def _churn_reasons(customers: pd.DataFrame, survey: pd.DataFrame | None, no_survey: str) -> pd.DataFrame:
    if survey is None:  # said in full under "Customer experience and churn": not repeated here
        raise NotEnoughDataError(
            tr(
                "Last comments need survey answers linked to customers, which this data does not have (see Customer "
                "experience and churn for what would make it possible)."
            )
        )
    if "comment" not in survey.columns or not survey["comment"].astype("string").str.strip().fillna("").ne("").any():
        raise NotEnoughDataError(
            tr(
                "The survey has no comments, so there are no last words of churned customers to read; a comment "
                "column in the survey export would make it possible."
            )
        )
    reasons = churn_reasons(customers, survey)
    if reasons.empty or not int(reasons["churned_comments"].iloc[0]):
        raise NotEnoughDataError(
            tr(
                "None of the churned customers linked to the survey left a comment, so there are no last words to "
                "compare with active customers'."
            )
        )
    # a theme no active customer mentions has no finite ratio: shown blank, not as "inf"
    return reasons.assign(ratio=reasons["ratio"].where(np.isfinite(reasons["ratio"].astype(float))))


# --------------------------------------------------------------------------- readable effects


def readable_name(column: str) -> str:
    """A column's name for readers: ``tenure_months`` -> "tenure", ``monthly_revenue`` ->
    "monthly revenue", other names with underscores as spaces."""
    if column in READABLE_NAMES:
        return translate(READABLE_NAMES[column])
    return column.replace("_", " ")


def _readable_list(names: str) -> str:
    """``"tenure_months, segment"`` -> ``"tenure and segment"`` (a trailing note is kept)."""
    words = re.sub(r"\(tenure(?:_months)?: time axis\)", lambda m: "(" + tr("tenure: time axis") + ")", names)
    words = re.sub(
        r"[A-Za-z_][A-Za-z0-9_]*",
        lambda m: translate(READABLE_NAMES[m.group(0)]) if m.group(0) in READABLE_NAMES else m.group(0),
        words,
    )
    items = [item.strip() for item in words.split(", ") if item.strip()]
    return _and(items) if items else words


def _per_unit(column: str, values: pd.Series, currency: str) -> tuple[float, str]:
    """The unit an effect of numeric ``column`` is shown per, and the label that says so."""
    name = readable_name(column)
    if pd.api.types.is_bool_dtype(values) or isinstance(values.dtype, pd.BooleanDtype):
        return 1.0, tr("{name} (yes vs no)", name=name)
    numbers = pd.to_numeric(values, errors="coerce").astype(float).dropna()
    if len(numbers) and set(np.unique(numbers)) <= {0.0, 1.0}:
        return 1.0, tr("{name} (yes vs no)", name=name)
    sd = float(numbers.std()) if len(numbers) > 1 else np.nan
    if column == "tenure_months":
        if sd >= 6:
            return 12.0, tr("{name} (per 12 months)", name=name)
        return 1.0, tr("{name} (per month)", name=name)
    unit = 10.0 ** round(np.log10(sd)) if np.isfinite(sd) and sd >= 5 else 1.0
    if currency and column == "monthly_revenue":
        return unit, tr("{name} (per {unit} {currency})", name=name, unit=integer(unit), currency=currency)
    if unit > 1:
        return unit, tr("{name} (per {unit})", name=name, unit=integer(unit))
    return unit, tr("{name} (per unit)", name=name)


def readable_effects(summary: pd.DataFrame, customers: pd.DataFrame, *, currency: str = "") -> pd.DataFrame:
    """The estimable effects of a :func:`cxkit.churn_model` or :func:`cxkit.cox_model` summary
    as a reader sees them: readable labels, numeric effects per a unit a reader can picture.

    Parameters
    ----------
    summary : DataFrame
        The model's ``summary``.
    customers : DataFrame
        The data the model was fitted on (the spread of each numeric column sets its unit).
    currency : str, default ""
        Named in the unit of ``monthly_revenue``.

    Returns
    -------
    DataFrame
        One row per estimable term other than the intercept, in the summary's order: ``term``,
        ``label`` (e.g. "tenure (per 12 months)", "segment: SMB vs Consumer", "Partner (yes vs
        no)"), ``unit`` (the step the effect is per: 12 months, 100 of the currency; 1 for
        levels and yes/no columns), ``coef`` (log ratio per ``unit``), the ratio column
        (``odds_ratio`` or ``hazard_ratio``) with ``ci_low`` / ``ci_high``, per ``unit``, and
        ``p_adjusted`` (unchanged by the unit).
    """
    effect = "odds_ratio" if "odds_ratio" in summary.columns else "hazard_ratio"
    rows = summary[(summary["term"] != "Intercept") & summary["estimable"].astype(bool)].copy()
    labels, units = [], []
    for term, label in zip(rows["term"].astype(str), rows["label"].astype(str)):
        if "[T." in term and ": " in label:
            var, rest = label.split(": ", 1)
            labels.append(_level_label(var, rest, term))
            units.append(1.0)
        elif term in customers.columns:
            unit, text = _per_unit(term, customers[term], currency)
            labels.append(text)
            units.append(unit)
        else:
            labels.append(label)
            units.append(1.0)
    per = np.asarray(units, dtype=float)
    rows["label"] = labels
    rows["unit"] = per
    rows["coef"] = rows["coef"].to_numpy(dtype=float) * per
    for column in (effect, "ci_low", "ci_high"):
        rows[column] = rows[column].to_numpy(dtype=float) ** per
    return rows[["term", "label", "unit", "coef", effect, "ci_low", "ci_high", "p_adjusted"]].reset_index(drop=True)


def _category(column: str, value: str) -> str:
    """A level of ``column`` as shown: cxkit's NPS categories translated, levels from the data as
    they are."""
    if column == "nps_category" and value in NPS_CATEGORIES:
        return translate(NPS_CATEGORIES[value])
    return value


def _level_label(column: str, levels: str, term: str) -> str:
    """``"segment"``, ``"SMB vs Consumer"`` -> "segment: SMB vs Consumer" in the page's language
    (the level and the reference are data, the words between them are not)."""
    found = re.search(r"\[T\.(.+)\]$", term)
    level = found.group(1) if found else levels
    name = readable_name(column)
    if levels.startswith(level + " vs "):
        return tr(
            "{column}: {level} vs {reference}",
            column=name,
            level=_category(column, level),
            reference=_category(column, levels[len(level) + 4 :]),
        )
    if levels == level:
        return tr("{column}: {level}", column=name, level=_category(column, level))
    return f"{name}: {levels}"


def _effects_order(effects: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Significant effects first, strongest first; then the others in the model's order."""
    significant = effects["p_adjusted"] < alpha
    strength = effects["coef"].abs()
    top = effects[significant].loc[strength[significant].sort_values(ascending=False).index]
    return pd.concat([top, effects[~significant]])


# --------------------------------------------------------------------------- model checks

#: The notes the analyses write about the data they used (cxkit.analysis: a column left out of
#: the model, customers dropped for a missing value, rare levels combined into "other"), read
#: back so that the page says them in its language (a note of another form is shown as written).
_LEFT_OUT = re.compile(r"^(?P<col>.+?): left out \((?P<why>.+)\)\.?$")
_LEFT_OUT_MISSING = re.compile(r"^(?P<share>\d+)% missing; naming it in covariates drops those customers$")
_LEFT_OUT_DISTINCT = re.compile(r"^(?P<n>[\d,]+) distinct values: an identifier or free text$")
_DROPPED = re.compile(r"^(?P<n>[\d,]+) customers left out for a missing value in a model column\.?$")
_LUMPED_RARE = re.compile(
    r"^(?P<col>.+?): (?P<k>[\d,]+) levels? with fewer than (?P<min>[\d,]+) customers(?: each)? (?:was|were) "
    r"combined into 'other' \((?P<rows>[\d,]+) customers\)\.?$"
)
_LUMPED_MANY = re.compile(
    r"^(?P<col>.+?): its (?P<k>[\d,]+) levels? outside the (?P<top>[\d,]+) most common (?:was|were) combined into "
    r"'other' \((?P<rows>[\d,]+) customers; at most (?P<most>[\d,]+) in one level\)\.?$"
)


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def _note_text(note: str) -> str:
    """A note of the analyses (see :data:`_LEFT_OUT`) in the page's language; English as written."""
    if get_language() == "en":
        return note
    if m := _DROPPED.match(note):
        n = _count(m.group("n"))
        return ntr(
            "{n} customer left out for a missing value in a model column.",
            "{n} customers left out for a missing value in a model column.",
            n,
            n=integer(n),
        )
    if m := _LUMPED_RARE.match(note):
        k = _count(m.group("k"))
        return ntr(
            "{column}: {k} level with fewer than {least} customers was combined into 'other' ({n} customers).",
            "{column}: {k} levels with fewer than {least} customers each were combined into 'other' ({n} customers).",
            k,
            column=m.group("col"),
            k=integer(k),
            least=integer(_count(m.group("min"))),
            n=integer(_count(m.group("rows"))),
        )
    if m := _LUMPED_MANY.match(note):
        k = _count(m.group("k"))
        return ntr(
            "{column}: its {k} level outside the {top} most common was combined into 'other' ({n} customers; at "
            "most {most} in one level).",
            "{column}: its {k} levels outside the {top} most common were combined into 'other' ({n} customers; at "
            "most {most} in one level).",
            k,
            column=m.group("col"),
            k=integer(k),
            top=integer(_count(m.group("top"))),
            n=integer(_count(m.group("rows"))),
            most=integer(_count(m.group("most"))),
        )
    if m := _LEFT_OUT.match(note):
        column, why = m.group("col"), m.group("why")
        if why == "named like the outcome; include it explicitly if it is known before churn":
            return tr(
                "{column}: left out (named like the outcome; include it explicitly if it is known before churn).",
                column=column,
            )
        if why == "a different whole number on every row: an identifier":
            return tr("{column}: left out (a different whole number on every row: an identifier).", column=column)
        if found := _LEFT_OUT_MISSING.match(why):
            return tr(
                "{column}: left out ({share} missing; naming it in covariates drops those customers).",
                column=column,
                share=percent(int(found.group("share")) / 100, 0),
            )
        if found := _LEFT_OUT_DISTINCT.match(why):
            return tr(
                "{column}: left out ({n} distinct values: an identifier or free text).",
                column=column,
                n=integer(_count(found.group("n"))),
            )
    return note


#: Cautions whose variables are named in a sentence of their own (the message's subject).
_COLLINEAR = re.compile(r"^(?P<var>.+?) is strongly collinear with other covariates")
_ALIASED = re.compile(
    r"exact combinations of others and were left out of the fit \([^)]*\): (?P<items>.+)\. Try dropping"
)
_TENURE_PRICE = re.compile(
    r"^(?P<col>.+?) is almost exactly a function of (?P<t>\S+) x (?P<r>\S+) \(R² = (?P<r2>[0-9.]+)\)"
)
_CHANGES_WITH_TENURE = re.compile(r"^the hazard ratio of (?P<term>.+) changes with tenure")
_SEPARATED = re.compile(r"^(separation|monotone likelihood): (?P<terms>.+?) (has|have) no finite")


def _and(names: list[str]) -> str:
    names = list(dict.fromkeys(names))
    if len(names) == 1:
        return names[0]
    return tr("{items} and {last}", items=", ".join(names[:-1]), last=names[-1])


def _level(label: str) -> str:
    """``"InternetService: No vs Fiber optic"`` -> ``"InternetService: No"``."""
    return label.split(" vs ", 1)[0]


def _readable_label(label: str) -> str:
    """``"tenure_months"`` -> "tenure"; ``"segment: SMB vs Consumer"`` keeps its levels."""
    column, sep, rest = label.partition(": ")
    return readable_name(column) + sep + rest


def _grouped_levels(labels: list[str]) -> list[str]:
    """Effect labels with the levels of one column together: ``["segment: A vs C", "segment:
    B vs C", "x"]`` -> ``["segment (A and B vs C)", "x"]``."""
    levels: dict[str, list[str]] = {}
    refs: dict[str, str] = {}
    for label in labels:
        m = re.match(r"^(?P<col>.+?): (?P<level>.+) vs (?P<ref>.+)$", label)
        if m:
            levels.setdefault(m.group("col"), []).append(m.group("level"))
            refs[m.group("col")] = m.group("ref")
        else:
            levels.setdefault(label, [])
    return [
        tr("{column} ({levels} vs {reference})", column=readable_name(col), levels=_and(found), reference=refs[col])
        if found
        else readable_name(col)
        for col, found in levels.items()
    ]


def _aliased_sentence(items: str) -> str:
    groups: dict[tuple[str, str], list[str]] = {}
    for item in items.split("; "):
        m = re.match(r"^(?P<name>.+?) \(= a combination of (?P<of>.+)\)$", item)
        if not m:
            continue
        name, of = _level(m.group("name")), _and([_level(x) for x in m.group("of").split(", ")])
        column, _, level = name.partition(": ")
        groups.setdefault((level, of), []).append(readable_name(column))
    parts = [
        tr("{columns}: {level} (already given by {of})", columns=_and(columns), level=level, of=of)
        if level
        else tr("{columns} (already given by {of})", columns=_and(columns), of=of)
        for (level, of), columns in groups.items()
    ]
    if not parts:
        return ""
    return tr(
        "Some columns repeat what another column already says, so they get no effect of their own: {columns}.",
        columns="; ".join(parts),
    )


_FEW_EVENTS = re.compile(
    r"^only (?P<ratio>[\d.]+) (?P<which>churners|stayers) per parameter \((?P<events>[\d,]+) (?:churners|stayers), "
    r"(?P<params>[\d,]+) parameters; fewer than (?P<least>[\d,]+)\): (?P<effect>odds|hazard) ratios are biased away "
    r"from 1 and may not replicate\. Use fewer covariates or merge levels\.$"
)
_LEAKS = re.compile(
    r"^(?P<col>.+?) alone predicts churn almost perfectly \(AUC (?P<auc>[\d.]+)\): it is probably recorded at or "
    r"after churn \(leakage\)\. Try dropping (?P=col), or use its value from before churn\.$"
)
_NO_TIME_AT_RISK = re.compile(
    r"^(?P<n>[\d,]+) customer\(s\) answered the survey when their follow-up ended, with no time at risk after the "
    r"answer; they are left out of the hazard ratio \(the odds ratio keeps them\)\.$"
)


def _caution_text(message: str, *, first: str = "upper") -> str:
    """A model warning that has no sentence of its own in :func:`_caution_sentences`, in the
    page's language when it is one the page knows (English: as written, its first letter
    ``first``: "upper" or as written)."""
    english = (message[:1].upper() if first == "upper" else message[:1]) + message[1:]
    if get_language() == "en":
        return english
    text = english
    if m := _FEW_EVENTS.match(message):
        values = {
            "ratio": decimal(float(m.group("ratio")), 1),
            "events": integer(_count(m.group("events"))),
            "parameters": integer(_count(m.group("params"))),
            "least": integer(_count(m.group("least"))),
        }
        churners, odds = m.group("which") == "churners", m.group("effect") == "odds"
        if churners and odds:
            text = tr(
                "Only {ratio} churners per parameter ({events} churners, {parameters} parameters; fewer than "
                "{least}): the odds ratios are biased away from 1 and may not replicate. Use fewer covariates or "
                "merge levels.",
                **values,
            )
        elif churners:
            text = tr(
                "Only {ratio} churners per parameter ({events} churners, {parameters} parameters; fewer than "
                "{least}): the hazard ratios are biased away from 1 and may not replicate. Use fewer covariates or "
                "merge levels.",
                **values,
            )
        elif odds:
            text = tr(
                "Only {ratio} customers who stayed per parameter ({events} who stayed, {parameters} parameters; "
                "fewer than {least}): the odds ratios are biased away from 1 and may not replicate. Use fewer "
                "covariates or merge levels.",
                **values,
            )
        else:
            text = tr(
                "Only {ratio} customers who stayed per parameter ({events} who stayed, {parameters} parameters; "
                "fewer than {least}): the hazard ratios are biased away from 1 and may not replicate. Use fewer "
                "covariates or merge levels.",
                **values,
            )
    elif m := _LEAKS.match(message):
        text = tr(
            "{column} alone predicts churn almost perfectly (AUC {auc}): it is probably recorded at or after churn "
            "(leakage). Try dropping {column}, or use its value from before churn.",
            column=m.group("col"),
            auc=decimal(float(m.group("auc")), 3),
        )
    elif m := _NO_TIME_AT_RISK.match(message):
        n = _count(m.group("n"))
        text = ntr(
            "{n} customer answered the survey when their follow-up ended, with no time at risk after the answer; "
            "they are left out of the hazard ratio (the odds ratio keeps them).",
            "{n} customers answered the survey when their follow-up ended, with no time at risk after the answer; "
            "they are left out of the hazard ratio (the odds ratio keeps them).",
            n,
            n=integer(n),
        )
    return text  # a whole sentence of its own, so capitalised after "Detractors against promoters:" too


def _caution_sentences(cautions: list[tuple[str, str]]) -> list[str]:
    """The models' warnings in plain words, each once (the logistic and Cox models repeat most)."""
    out: list[str] = []
    collinear: list[str] = []
    changing: list[str] = []
    separated: dict[str, list[str]] = {}
    seen: set[str] = set()
    for source, message in cautions:
        m_alias = _ALIASED.search(message)
        m_col = _COLLINEAR.match(message)
        m_tp = _TENURE_PRICE.match(message)
        m_ph = _CHANGES_WITH_TENURE.match(message)
        m_sep = _SEPARATED.match(message)
        same = ""  # the English text the caution is known by, when it differs from ``text``
        if m_alias:
            text = _aliased_sentence(m_alias.group("items"))
        elif m_col:
            collinear.append(readable_name(m_col.group("var")))
            continue
        elif m_tp:
            text = tr(
                "{column} is almost exactly {a} times {b} (R² = {r2}), like a total-charges column: it adds nothing "
                "of its own, blurs their effects and, for time to churn, grows with tenure itself; leave it out with "
                "{setting} in the catalog.",
                column=m_tp.group("col"),
                a=readable_name(m_tp.group("t")),
                b=readable_name(m_tp.group("r")),
                r2=decimal(float(m_tp.group("r2")), len(m_tp.group("r2").partition(".")[2])),
                setting=f"settings: {{churn: {{exclude: [{m_tp.group('col')}]}}}}",
            )
        elif m_ph:
            changing.append(m_ph.group("term"))
            continue
        elif m_sep:
            kind = tr("odds ratio") if m_sep.group(1) == "separation" else tr("hazard ratio")
            separated.setdefault(m_sep.group("terms"), []).append(kind)
            continue
        else:
            # the key is the English text, so that the logistic and the Cox model's same caution
            # (told apart only by "odds ratio" and "hazard ratio") is said once in every language
            same = message[:1].upper() + message[1:]
            text = _caution_text(message)
            if source == "detractor":
                same = "Detractors against promoters: " + message
                text = tr("Detractors against promoters: {message}", message=_caution_text(message, first="lower"))
        key = re.sub(r"\b(odds|hazard) ratios?\b", "ratio", same or text)
        if text and key not in seen:
            seen.add(key)
            out.append(text)
    for terms, kinds in separated.items():
        out.append(
            tr(
                "{terms} cannot be estimated ({kinds}): in some group nobody, or everybody, churned, so the estimate "
                "runs off to infinity; it is left out of the effects. Merge rare levels or drop the column.",
                terms=terms,
                kinds=_and(kinds),
            )
        )
    if collinear:
        out.append(
            tr(
                "The separate effects of {columns} are imprecise: each overlaps strongly with other columns (its "
                "variance is inflated more than tenfold), so read them together, not one by one.",
                columns=_and(collinear),
            )
        )
    if changing:
        out.append(
            ntr(
                "The hazard ratio of {terms} changes with tenure (proportional-hazards test): read it as an average "
                "over a customer's tenure.",
                "The hazard ratios of {terms} change with tenure (proportional-hazards test): read them as averages "
                "over a customer's tenure.",
                len(changing),
                terms=_and(_grouped_levels(changing)),
            )
        )
    return out


def _fit_sentences(model: ChurnModel) -> list[str]:
    out = [
        tr(
            "The churn model was fitted on {n} customers, {churned} of whom churned.",
            n=integer(model.n),
            churned=integer(model.events),
        )
    ]
    out += [_note_text(str(note).strip().rstrip(".") + ".") for note in model.notes if str(note).strip()]
    if np.isfinite(model.auc):
        out.append(
            tr(
                "On customers it did not see, the model ranks a churner above a stayer {share} of the time "
                "(cross-validated AUC {auc}; {chance} is chance), and its Brier score is {brier} against {baseline} "
                "for a flat guess (lower is better).",
                share=percent(model.auc, 0),
                auc=decimal(model.auc, 3) + (f" ± {decimal(model.auc_sd, 3)}" if np.isfinite(model.auc_sd) else ""),
                chance=percent(0.5, 0),
                brier=decimal(model.brier, 3),
                baseline=decimal(model.brier_baseline, 3),
            )
        )
    if not model.calibration.empty and np.isfinite(model.calibration_slope):
        out.append(calibration_finding(model))
    return out


def model_checks(
    model: ChurnModel | None,
    *,
    cox: CoxModel | None = None,
    detractor: pd.DataFrame | None = None,
    cautions: list[tuple[str, str]] | None = None,
    notes: list[str] | None = None,
) -> list[str]:
    """The "Model checks" of the churn page in plain words: how well the model predicts
    customers it did not see, then each caution of the churn, Cox and detractor models once.

    ``cautions`` are the warnings the models raised, as (model, message) pairs; without
    them, the messages kept in ``model.warnings`` and ``cox.warnings`` are used. ``notes``: what
    the analyses say about the data they used (e.g. levels combined into "other"), each listed
    once after the model's own notes. Returns a list of
    sentences for :func:`cxkit.findings`.
    """
    if cautions is None:
        cautions = [("logit", w) for w in (model.warnings if model is not None else [])]
        cautions += [("cox", w) for w in (cox.warnings if cox is not None else [])]
    out = _fit_sentences(model) if model is not None else []
    out += [n.strip().rstrip(".") + "." for n in notes or [] if n.strip().rstrip(".") + "." not in out]
    out += _caution_sentences(cautions)
    if detractor is not None and bool(detractor["delayed_entry"].any()):
        out.append(
            tr(
                "The detractor hazard ratio counts each customer's time at risk from their survey answer on, so the "
                "months before the answer favour no one."
            )
        )
    return out


# --------------------------------------------------------------------------- findings


def _money(value: float, currency: str) -> str:
    """An amount in whole units of the currency, in the locale (``EUR 107,686``; ``107.686 EUR`` in Danish)."""
    return tr("{currency} {amount}", currency=currency, amount=integer(value)) if currency else integer(value)


def _finite(*values: object) -> bool:
    """Every value is a finite number (a sentence is built only from numbers the page has)."""
    try:
        return all(v is not None and bool(np.isfinite(float(v))) for v in values)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def calibration_finding(model: ChurnModel) -> str:
    """One sentence on a churn model's calibration (for the model checks)."""
    cal = model.calibration
    if cal.empty:
        return tr("The model was not cross-validated, so its calibration is unknown.")
    inside = int(((cal["predicted"] >= cal["ci_low"]) & (cal["predicted"] <= cal["ci_high"])).sum())
    slope = model.calibration_slope
    if _finite(slope):
        return tr(
            "Predicted churn falls inside the {level} interval of observed churn in {inside} of {deciles} deciles "
            "of risk (calibration slope {slope}; 1 is ideal).",
            level=percent(0.95, 0),
            inside=integer(inside),
            deciles=integer(len(cal)),
            slope=decimal(slope, 2),
        )
    return tr(
        "Predicted churn falls inside the {level} interval of observed churn in {inside} of {deciles} deciles of risk.",
        level=percent(0.95, 0),
        inside=integer(inside),
        deciles=integer(len(cal)),
    )


def _pct(x: float) -> str:
    """A share as a percentage, with two decimals below 1% so that a small rate does not read as 0."""
    if abs(x) < 5e-5:
        return percent(0.0, 0)
    return percent(x, 2) if abs(x) < 0.01 else percent(x, 1)


def _p(p: float) -> str:
    return p_phrase(p)  # the pack's one p-value format


def _headline_finding(headline: dict) -> str | None:
    if not headline or not _finite(headline.get("value"), headline.get("ci_low"), headline.get("ci_high")):
        return None
    ci = _ci(headline["ci_low"], headline["ci_high"], _pct)
    if not headline.get("month"):
        return tr(
            "Of the {n} customers in the data, {rate} have churned ({ci}): the share of all customers, not a monthly "
            "rate, because the customer table has no churn dates.",
            n=integer(headline["n"]),
            rate=_pct(headline["value"]),
            ci=ci,
        )
    values = {
        "month": month_name(headline["month"]),
        "rate": _pct(headline["value"]),
        "ci": ci,
        "n": integer(headline["n"]),
    }
    if headline.get("previous") is not None and _finite(headline["previous"], headline.get("change_p")):
        values.update(previous=_pct(headline["previous"]), p=_p(headline["change_p"]))
        if not headline.get("significant"):
            return tr(
                "The churn rate in {month} was {rate} ({ci}) of {n} customers; the change from {previous} the month "
                "before is not significant ({p}).",
                **values,
            )
        if headline["change"] > 0:
            return tr(
                "The churn rate in {month} was {rate} ({ci}) of {n} customers, up significantly from {previous} the "
                "month before ({p}).",
                **values,
            )
        return tr(
            "The churn rate in {month} was {rate} ({ci}) of {n} customers, down significantly from {previous} the "
            "month before ({p}).",
            **values,
        )
    return tr("The churn rate in {month} was {rate} ({ci}) of {n} customers.", **values)


def _ci(low: float, high: float, fmt: Callable[[float], str]) -> str:
    """``95% CI 2.2% to 2.9%`` in the page's language, the limits formatted by ``fmt``."""
    # the message of i18n.interval (translated there), with limits formatted as the page does
    return translate("{level} CI {low} to {high}", level=percent(0.95, 0), low=fmt(low), high=fmt(high))


def _revenue_finding(revenue: pd.DataFrame) -> str | None:
    key = revenue.columns[0]
    total = revenue[revenue[key] == "all"]
    if total.empty:
        return None
    t = total.iloc[0]
    if not _finite(t["revenue_at_risk"], t["ci_low"], t["ci_high"], t["share_of_revenue"]):
        return None
    currency, horizon = revenue.attrs.get("currency", ""), revenue.attrs.get("horizon_months")
    parts = revenue[revenue[key] != "all"]
    values = {
        "amount": _money(t["revenue_at_risk"], currency),
        "ci": _ci(t["ci_low"], t["ci_high"], lambda v: _money(v, currency)),
        "share": _pct(t["share_of_revenue"]),
    }
    if len(parts) > 1 and t["revenue_at_risk"] > 0:
        top = parts.sort_values("revenue_at_risk", ascending=False).iloc[0]
        values.update(segment=str(top[key]), segment_share=percent(top["revenue_at_risk"] / t["revenue_at_risk"], 0))
    if horizon:
        values.update(months=integer(horizon))
        if "segment" in values:
            return tr(
                "Active customers expected to churn within about {months} months bring {amount} of monthly revenue "
                "({ci}), {share} of all active customers' monthly revenue; the most is in {segment} "
                "({segment_share}).",
                **values,
            )
        return tr(
            "Active customers expected to churn within about {months} months bring {amount} of monthly revenue "
            "({ci}), {share} of all active customers' monthly revenue.",
            **values,
        )
    # Without churn dates the model's probabilities have no time frame: say what the number is, no horizon.
    values.update(revenue=_money(t["monthly_revenue"], currency))
    if "segment" in values:
        return tr(
            "Weighted by each active customer's predicted chance of churning, {amount} of their {revenue} monthly "
            "revenue is at risk ({share}, {ci}), most of it in {segment} ({segment_share}); without churn dates the "
            "data puts no time frame on this loss.",
            **values,
        )
    return tr(
        "Weighted by each active customer's predicted chance of churning, {amount} of their {revenue} monthly "
        "revenue is at risk ({share}, {ci}); without churn dates the data puts no time frame on this loss.",
        **values,
    )


def churn_findings(
    *,
    headline: dict | None = None,
    model: ChurnModel | None = None,
    effects: pd.DataFrame | None = None,
    detractor: pd.DataFrame | None = None,
    revenue: pd.DataFrame | None = None,
    survival: pd.DataFrame | None = None,
    reasons: pd.DataFrame | None = None,
    cautions: int = 0,
    alpha: float = 0.05,
    max_effects: int = 3,
) -> list[str]:
    """Plain-language findings from the churn numbers; an effect is claimed only when significant.

    Parameters are the outputs of :func:`cxkit.churn_headline`, :func:`cxkit.churn_model`,
    :func:`readable_effects` (the model's effects as the page shows them; default the model's
    ``summary``), :func:`cxkit.detractor_effect`, :func:`cxkit.revenue_at_risk`,
    :func:`cxkit.logrank` and :func:`cxkit.churn_reasons` (each optional), and ``cautions``, the
    number of cautions the page's model checks list. Returns a list of sentences for
    :func:`cxkit.findings`: what the manager acts on first (the churn rate, who leaves, what CX
    has to do with it, the revenue at risk), then how far to trust the model. A sentence is
    built only from numbers the data gave.
    """
    out = []
    text = _headline_finding(headline or {})
    if text:
        out.append(text)
    if model is not None:
        # The detractor comparison below is the one figure for detractors against promoters; the
        # model's own NPS-category terms (adjusted for every covariate) are not cited beside it.
        out.append(
            effects_finding(
                model.summary if effects is None else effects,
                alpha=alpha,
                max_effects=max_effects,
                exclude=("nps_category",) if detractor is not None and len(detractor) else (),
            )
        )
    if detractor is not None and len(detractor):
        rows: dict[object, Any] = {
            r.measure: r for r in detractor.itertuples()
        }  # itertuples rows: fields unknown to the stubs
        o, h = rows.get("odds ratio"), rows.get("hazard ratio")
        if o is not None and _finite(o.estimate, o.ci_low, o.ci_high, o.p):
            if o.p < alpha:
                values = {
                    "ratio": decimal(o.estimate, 2),
                    "ci": interval(o.ci_low, o.ci_high, 2),
                    "p": _p(o.p),
                    "adjusted": _readable_list(o.adjusted_for),
                }
                if h is not None and _finite(h.estimate, h.ci_low, h.ci_high, h.p) and h.p < alpha:
                    out.append(
                        tr(
                            "Detractors churn with {ratio} times the odds of promoters ({ci}, {p}), adjusted for "
                            "{adjusted}, and leave {hazard} times as fast at equal tenure (hazard ratio, {hazard_ci}).",
                            hazard=decimal(h.estimate, 2),
                            hazard_ci=interval(h.ci_low, h.ci_high, 2),
                            **values,
                        )
                    )
                else:
                    out.append(
                        tr(
                            "Detractors churn with {ratio} times the odds of promoters ({ci}, {p}), adjusted for "
                            "{adjusted}.",
                            **values,
                        )
                    )
            else:
                out.append(
                    tr(
                        "Detractors and promoters do not churn at significantly different odds (odds ratio {ratio}, "
                        "{ci}).",
                        ratio=decimal(o.estimate, 2),
                        ci=interval(o.ci_low, o.ci_high, 2),
                    )
                )
        else:
            out.append(tr("There are no survey answers from both detractors and promoters to link to churn."))
    if revenue is not None and not len(revenue) and revenue.attrs.get("note"):
        out.append(
            tr(
                "Revenue at risk and lifetime value were not computed: the data has no monthly revenue (column "
                "{column} is missing or empty).",
                column=revenue.attrs["note"].split("(column ", 1)[-1].split(" is missing")[0],
            )
            if "(column " in revenue.attrs["note"]
            else revenue.attrs["note"].split(" Map one")[0]
        )
    if revenue is not None and len(revenue):
        text = _revenue_finding(revenue)
        if text:
            out.append(text)
    if survival is not None and len(survival) and _finite(survival["p"].iloc[0]):
        by = survival.columns[0]
        p = float(survival["p"].iloc[0])
        if p < alpha:
            ratio = survival.assign(r=survival["observed"] / survival["expected"]).sort_values("r")
            out.append(
                tr(
                    "Time to churn differs by {by} (log-rank {p}): {soonest} customers leave soonest, {longest} "
                    "customers stay longest.",
                    by=str(by),
                    p=_p(p),
                    soonest=str(ratio[by].iloc[-1]),
                    longest=str(ratio[by].iloc[0]),
                )
            )
        else:
            out.append(tr("Time to churn does not differ significantly by {by} (log-rank {p}).", by=str(by), p=_p(p)))
    if reasons is not None and len(reasons):
        sig = reasons[(reasons["p_adjusted"] < alpha) & (reasons["ratio"] > 1)]
        if len(sig) and _finite(sig.iloc[0]["churned_share"], sig.iloc[0]["active_share"]):
            r = sig.iloc[0]
            out.append(
                tr(
                    "Churned customers' last comments mention {theme} more often than active customers' ({churned} "
                    "against {active}, adjusted {p}).",
                    theme=str(r["theme"]),
                    churned=_pct(r["churned_share"]),
                    active=_pct(r["active_share"]),
                    p=_p(r["p_adjusted"]),
                )
            )
        elif _finite(reasons.iloc[0]["churned_share"]):
            top = reasons.iloc[0]
            out.append(
                tr(
                    "The theme churned customers mention most in their last comment is {theme} ({share}), no more "
                    "often than active customers.",
                    theme=str(top["theme"]),
                    share=_pct(top["churned_share"]),
                )
            )
    if model is not None and _finite(model.auc):
        out.append(_auc_finding(model.auc, cautions))
    return out


def _auc_finding(auc: float, cautions: int) -> str:
    """How well the churn model tells churners from stayers, and how many cautions the checks list."""
    values = {"auc": decimal(auc, 2), "n": integer(cautions)}
    if auc >= 0.8:
        if not cautions:
            return tr(
                "The churn model tells churners from stayers well on customers it did not see (AUC {auc}).", **values
            )
        return ntr(
            "The churn model tells churners from stayers well on customers it did not see (AUC {auc}); the model "
            "checks at the end of the page list {n} caution.",
            "The churn model tells churners from stayers well on customers it did not see (AUC {auc}); the model "
            "checks at the end of the page list {n} cautions.",
            cautions,
            **values,
        )
    if auc >= 0.7:
        if not cautions:
            return tr(
                "The churn model tells churners from stayers fairly well on customers it did not see (AUC {auc}).",
                **values,
            )
        return ntr(
            "The churn model tells churners from stayers fairly well on customers it did not see (AUC {auc}); the "
            "model checks at the end of the page list {n} caution.",
            "The churn model tells churners from stayers fairly well on customers it did not see (AUC {auc}); the "
            "model checks at the end of the page list {n} cautions.",
            cautions,
            **values,
        )
    if not cautions:
        return tr(
            "The churn model tells churners from stayers weakly on customers it did not see (AUC {auc}).", **values
        )
    return ntr(
        "The churn model tells churners from stayers weakly on customers it did not see (AUC {auc}); the model "
        "checks at the end of the page list {n} caution.",
        "The churn model tells churners from stayers weakly on customers it did not see (AUC {auc}); the model "
        "checks at the end of the page list {n} cautions.",
        cautions,
        **values,
    )


def effects_finding(summary: pd.DataFrame, *, alpha: float = 0.05, max_effects: int = 3, exclude: tuple = ()) -> str:
    """One sentence naming the strongest significant effects (adjusted p < alpha) of a
    :func:`churn_model` or :func:`cox_model` summary (or of :func:`readable_effects`), or
    saying there are none. ``exclude``: covariates whose terms are reported elsewhere (e.g.
    ``("nps_category",)``)."""
    effect = "odds_ratio" if "odds_ratio" in summary.columns else "hazard_ratio"
    rows = summary[(summary["term"] != "Intercept") & (summary["p_adjusted"] < alpha)]
    if exclude:
        rows = rows[~rows["term"].astype(str).str.match("|".join(rf"(C\()?{c}\b" for c in exclude))]
    rows = rows[[_finite(r.ci_low, r.ci_high, getattr(r, effect)) for r in rows.itertuples()]]
    if rows.empty:
        return tr("No covariate has a significant effect on churn after adjusting for multiple comparisons.")
    rows = rows.reindex(rows["coef"].abs().sort_values(ascending=False).index).head(max_effects)
    parts = []
    for r in rows.itertuples():
        values = {
            "label": str(r.label),
            "ratio": decimal(getattr(r, effect), 2),
            "ci": interval(float(r.ci_low), float(r.ci_high), 2),  # type: ignore[arg-type]  # itertuples fields are untyped
        }
        if effect == "odds_ratio":
            parts.append(tr("{label} (odds ratio {ratio}, {ci})", **values))
        else:
            parts.append(tr("{label} (hazard ratio {ratio}, {ci})", **values))
    return tr(
        "The strongest significant effects on churn, other covariates equal: {effects}. Ratios above 1 mean more "
        "churn, below 1 less.",
        effects="; ".join(parts),
    )


def cohort_finding(retention: pd.DataFrame) -> str:
    """One sentence on cohort retention (from :func:`cohort_retention`, long form)."""
    if retention.empty:
        return tr("Cohort retention needs signup and churn dates, which this data does not have.")
    oldest = retention[retention["cohort"] == retention["cohort"].min()]
    last = oldest.iloc[-1]
    typical = retention.groupby("months_since_signup")["retention"].median()
    k = min(3, int(typical.index.max()))
    return tr(
        "{share} of the {cohort} cohort ({n} customers) is still a customer after {months} months; the median cohort "
        "keeps {typical} after {k} months.",
        share=percent(last["retention"], 0),
        cohort=month_name(last["cohort"]),
        n=integer(last["customers"]),
        months=integer(last["months_since_signup"]),
        typical=percent(typical.loc[k], 0),
        k=integer(k),
    )


def _trend_alt(trend: pd.DataFrame, headline: dict | None) -> str:
    text = _headline_finding(headline or {})
    if text and (headline or {}).get("month"):
        return text
    return tr(
        "Monthly churn rate from {first} to {last}, with {level} intervals.",
        first=month_name(trend["month"].iloc[0]),
        last=month_name(trend["month"].iloc[-1]),
        level=percent(0.95, 0),
    )


def _by_nps_alt(by_nps: pd.DataFrame) -> str:
    shown = by_nps[by_nps["nps_category"] != "no response"]
    rates = "; ".join(
        f"{_category('nps_category', str(r.nps_category))} {_pct(float(r.churn_rate))}"  # type: ignore[arg-type]  # itertuples fields are untyped
        for r in shown.itertuples()
        if _finite(r.churn_rate)
    )
    return tr("Churn rate by NPS category of the first survey answer: {rates}.", rates=rates)


def _with_notes(caption: str, frame: pd.DataFrame) -> str:
    """A caption with the notes of the analysis that made ``frame`` (as its own caption has them)."""
    return caption + "".join(f". {_note_text(str(note))}" for note in frame.attrs.get("notes") or [])


def _revenue_caption(risk: pd.DataFrame) -> str:
    currency = risk.attrs.get("currency", "")
    horizon = risk.attrs.get("horizon_months")
    if horizon:
        if currency:
            text = tr(
                "Monthly revenue ({currency}) of active customers, and the part expected to be lost to churn within "
                "{months} months",
                currency=currency,
                months=integer(horizon),
            )
        else:
            text = tr(
                "Monthly revenue of active customers, and the part expected to be lost to churn within {months} months",
                months=integer(horizon),
            )
        return _with_notes(text, risk)
    if currency:
        return tr(
            "Monthly revenue ({currency}) of active customers, and the part at risk: each customer's revenue weighted "
            "by their predicted chance of churning (no time frame: the data has no churn dates)",
            currency=currency,
        )
    return tr(
        "Monthly revenue of active customers, and the part at risk: each customer's revenue weighted by their "
        "predicted chance of churning (no time frame: the data has no churn dates)"
    )


def _lifetime_value_caption(clv: pd.DataFrame) -> str:
    """The lifetime-value table's caption (the analysis names the horizon in years, or months)."""
    currency = clv.attrs.get("currency", "")
    horizon = float(clv["horizon_months"].iloc[0]) if len(clv) else 60.0
    if horizon % 12 == 0:
        years = int(horizon // 12)
        if currency:
            text = tr(
                "{years}-year customer lifetime value ({currency}): expected paying months times mean monthly revenue",
                years=integer(years),
                currency=currency,
            )
        else:
            text = tr(
                "{years}-year customer lifetime value: expected paying months times mean monthly revenue",
                years=integer(years),
            )
    elif currency:
        text = tr(
            "{months}-month customer lifetime value ({currency}): expected paying months times mean monthly revenue",
            months=integer(horizon),
            currency=currency,
        )
    else:
        text = tr(
            "{months}-month customer lifetime value: expected paying months times mean monthly revenue",
            months=integer(horizon),
        )
    return _with_notes(text, clv)


def _month_column(column: object) -> bool:
    """A column of the wide cohort table counting months since signup (``"month 3"``)."""
    return bool(re.fullmatch(r"month \d+", str(column)))


def _finding_sentence(
    headline: dict | None, detractor: pd.DataFrame | None, effects: pd.DataFrame | None, alpha: float
) -> str:
    # Each part is a clause of its own (joined by semicolons), so each is translated whole.
    parts = []
    if headline and _finite(headline.get("value")):
        rate = _pct(headline["value"])
        if not headline.get("month"):
            parts.append(
                tr(
                    "{rate} of all customers in the data have churned (all-time share, not a monthly rate)",
                    rate=rate,
                )
            )
        else:
            shown = month_name(headline["month"])
            if headline.get("previous") is None or headline.get("change") is None:
                parts.append(tr("Churn was {rate} in {month}", rate=rate, month=shown))
            elif not headline.get("significant"):
                parts.append(tr("Churn was {rate} in {month}, not a significant change", rate=rate, month=shown))
            elif headline["change"] > 0:
                parts.append(tr("Churn was {rate} in {month}, up significantly", rate=rate, month=shown))
            else:
                parts.append(tr("Churn was {rate} in {month}, down significantly", rate=rate, month=shown))
    if detractor is not None and len(detractor):
        o = detractor.set_index("measure").loc["odds ratio"]
        if _finite(o["estimate"], o["p"]) and o["p"] < alpha:
            ratio = decimal(o["estimate"], 2)  # type: ignore[arg-type]  # stubs: .loc of a label may be a frame
            parts.append(tr("detractors churn with {ratio} times the odds of promoters", ratio=ratio))
    if len(parts) < 2 and effects is not None:
        eff = effects[(effects["term"] != "Intercept") & (effects["p_adjusted"] < alpha)]
        eff = eff[[_finite(v) for v in eff["odds_ratio"]]]
        if len(eff):
            top = eff.loc[eff["coef"].abs().idxmax()]  # type: ignore[call-overload]  # stubs: .loc refuses idxmax's Hashable label
            parts.append(
                tr(
                    "the strongest effect is {label} (odds ratio {ratio})",
                    label=str(top["label"]),
                    ratio=decimal(top["odds_ratio"], 2),
                )
            )
    if not parts:
        return tr("No churn figure could be computed from the data this month.")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def churn_results(
    *,
    headline: dict | None,
    model: ChurnModel | None = None,
    effects: pd.DataFrame | None = None,
    detractor: pd.DataFrame | None = None,
    revenue: pd.DataFrame | None = None,
    survival: pd.DataFrame | None = None,
    by_nps: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> dict:
    """The ``churn`` section of the pack's ``results.json``.

    Keys: ``headline`` (KPI of the month's churn rate: ``value`` 0..1, ``ci_low``, ``ci_high``,
    ``n``, ``previous``, ``change``, ``change_p``, ``significant``, ``month`` and ``scope``:
    ``"month"``, or ``"all customers"`` without churn dates, when ``value`` is the share of all
    customers in the data who churned, not a monthly rate, and ``month`` is None; None when the
    data gives no churn rate), ``finding``
    (one sentence), ``auc``, ``auc_sd``, ``brier``, ``brier_baseline``, ``customers``,
    ``churned``, ``formula``, ``odds_ratios`` (label -> ``odds_ratio``, ``ci_low``, ``ci_high``,
    ``p_adjusted``, ``estimable``; per unit of each numeric column, as the model has them; the
    numbers are null when not estimable), ``warnings``, ``detractor_odds_ratio`` and ``detractor_hazard_ratio``
    (``estimate``, ``ci_low``, ``ci_high``, ``p``), ``churn_by_nps`` (category -> ``rate``,
    ``ci_low``, ``ci_high``, ``n``), ``revenue_at_risk`` (``total``, ``ci_low``, ``ci_high``,
    ``share``, ``by_segment``), ``logrank`` (``by``, ``chi2``, ``p``). Keys whose input was not
    given are None. ``effects`` (:func:`readable_effects`) names the strongest effect in
    ``finding`` as the page does (default the model's own labels).
    """
    out: dict = {
        "headline": headline,
        "finding": _finding_sentence(
            headline, detractor, effects if effects is not None else (None if model is None else model.summary), alpha
        ),
    }

    if model is not None:
        rows = model.summary[model.summary["term"] != "Intercept"]
        out.update(
            auc=model.auc,
            auc_sd=model.auc_sd,
            brier=model.brier,
            brier_baseline=model.brier_baseline,
            customers=model.n,
            churned=model.events,
            formula=model.formula,
            warnings=list(model.warnings),
            odds_ratios={
                r.label: {
                    "odds_ratio": r.odds_ratio,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                    "p_adjusted": r.p_adjusted,
                    "estimable": bool(r.estimable),
                }
                for r in rows.itertuples()
            },
        )
    else:
        out.update(
            auc=None,
            auc_sd=None,
            brier=None,
            brier_baseline=None,
            customers=None,
            churned=None,
            formula=None,
            warnings=[],
            odds_ratios=None,
        )
    for measure, key in (("odds ratio", "detractor_odds_ratio"), ("hazard ratio", "detractor_hazard_ratio")):
        row = None if detractor is None else detractor[detractor["measure"] == measure]
        out[key] = (
            None
            if row is None or row.empty
            else {
                "estimate": row["estimate"].iloc[0],
                "ci_low": row["ci_low"].iloc[0],
                "ci_high": row["ci_high"].iloc[0],
                "p": row["p"].iloc[0],
            }
        )
    out["churn_by_nps"] = (
        None
        if by_nps is None
        else {
            r.nps_category: {"rate": r.churn_rate, "ci_low": r.ci_low, "ci_high": r.ci_high, "n": r.customers}
            for r in by_nps.itertuples()
        }
    )
    if revenue is not None and len(revenue):
        key = revenue.columns[0]
        total = revenue[revenue[key] == "all"].iloc[0]
        out["revenue_at_risk"] = {
            "total": total["revenue_at_risk"],
            "ci_low": total["ci_low"],
            "ci_high": total["ci_high"],
            "share": total["share_of_revenue"],
            "by_segment": {str(r[key]): r["revenue_at_risk"] for _, r in revenue[revenue[key] != "all"].iterrows()},
        }
    else:
        out["revenue_at_risk"] = None
    out["logrank"] = (
        None
        if survival is None or survival.empty
        else {"by": survival.columns[0], "chi2": survival["chi2"].iloc[0], "p": survival["p"].iloc[0]}
    )
    return out
