"""The "Churn" page: who is leaving, how fast, what the customer experience has to do with it,
and what it costs.

:class:`ChurnReport` computes the page's analyses once (the month's churn rate and its trend,
the churn model with cross-validated accuracy and calibration, survival by segment, the Cox
model, churn by NPS category and the detractor effect, revenue at risk, cohort retention,
lifetime value and the themes of last comments) and offers them by the page protocol
(:mod:`cxkit.pack.page`): ``findings``, ``alt``, ``results()`` (the ``churn`` part of
``results.json``), ``sections`` and ``show(name)``. The findings sentences live here, beside the
page: each claims an effect only when its test is significant.

Examples
--------
>>> import cxkit as cx
>>> page = cx.ChurnReport.from_catalog(cx.load_catalog(cx.DEFAULT_CATALOG), month="2026-10")
>>> page.month, round(float(page.results()["churn"]["detractor_odds_ratio"]["estimate"]), 2)
('2026-10', 2.46)
>>> list(page.sections)[:3]
['trend', 'trend_table', 'model']
"""

from __future__ import annotations

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
from ..analysis.survival import cox_model, kaplan_meier, logrank
from ..display import figure, p_phrase, table
from ..plots import plot_churn_by_nps, plot_churn_trend, plot_cohort_retention, plot_km, plot_revenue_at_risk
from .page import ReportPage, section

if TYPE_CHECKING:
    from ..data.catalog import Catalog

__all__ = ["ChurnReport", "churn_findings", "churn_results", "effects_finding", "cohort_finding", "calibration_finding"]


class ChurnReport(ReportPage):
    """The churn page of one month (see the module docstring).

    Parameters
    ----------
    records : DataFrame
        The canonical customers table (one row per customer, with churn and tenure).
    feedback : DataFrame, optional
        Survey responses: each customer's first answer is linked to churn (:func:`cxkit.join_cx`),
        and last comments give the themes of churn reasons. None leaves both out.
    month : str
        ``YYYY-MM`` of the headline churn rate; ``""`` means the last month of the churn data.
    segment : str
        Column whose groups get a survival curve, a revenue line and a lifetime value.
    currency : str
        Currency of the revenue columns, for captions and findings.
    """

    title = "Churn"

    def __init__(
        self,
        records: pd.DataFrame,
        *,
        feedback: pd.DataFrame | None = None,
        month: str = "",
        segment: str = "segment",
        currency: str = "",
    ):
        self.segment = segment
        self.customers = join_cx(records, feedback, which="first")
        self.headline = churn_headline(records, month=month)
        self.month = self.headline["month"] or ""
        self.trend = churn_rate_by_month(records)
        self.model = churn_model(self.customers, cv=5, seed=0)
        self.survival = logrank(self.customers, by=segment)
        self.km = kaplan_meier(self.customers, by=segment)
        self.cox = cox_model(records)
        self.by_nps = churn_by_nps(self.customers)
        self.detractor = detractor_effect(self.customers, adjust=["tenure_months", segment])
        self.risk = revenue_at_risk(self.model, self.customers, by=segment, currency=currency)
        self.cohorts = cohort_retention(records)
        self.cohorts_wide = cohort_retention(records, wide=True)
        self.clv = customer_lifetime_value(self.customers, by=segment, horizon_months=60, currency=currency)
        self.reasons = churn_reasons(self.customers, feedback)

    @classmethod
    def from_catalog(
        cls, sources: Catalog, *, month: str = "", customers_source: str = "customers", segment: str = "segment"
    ) -> ChurnReport:
        """The page from a catalog's customer records (source ``customers_source``), its
        ``feedback`` source when it has one, and the currency of its ``settings``."""
        feedback = sources["feedback"].frame if "feedback" in sources else None
        return cls(
            sources[customers_source].frame,
            feedback=feedback,
            month=month,
            segment=segment,
            currency=sources.settings.get("currency", ""),
        )

    @property
    def findings(self) -> list[str]:
        return churn_findings(
            headline=self.headline,
            model=self.model,
            detractor=self.detractor,
            revenue=self.risk,
            survival=self.survival,
            reasons=self.reasons,
        )

    @property
    def alt(self) -> dict[str, str]:
        return {
            "trend": churn_findings(headline=self.headline)[0],
            "effects": effects_finding(self.model.summary),
            "calibration": calibration_finding(self.model),
            "survival": churn_findings(survival=self.survival)[0],
            "by_nps": churn_findings(detractor=self.detractor)[0],
            "revenue": churn_findings(revenue=self.risk)[0],
            "cohorts": cohort_finding(self.cohorts),
        }

    def results(self) -> dict:
        return {
            "churn": churn_results(
                headline=self.headline,
                model=self.model,
                detractor=self.detractor,
                revenue=self.risk,
                survival=self.survival,
                by_nps=self.by_nps,
            )
        }

    # -- sections, in page order ---------------------------------------------------------

    @section("trend")
    def _trend_chart(self):
        """Monthly churn rate with 95% intervals."""
        return figure(plot_churn_trend(self.trend).figure, alt=self.alt["trend"])

    @section("trend_table")
    def _trend_table(self):
        """The numbers behind the chart."""
        return table(self.trend, caption="Monthly churn rate", percent=["churn_rate"])

    @section("model")
    def _model(self):
        """The churn model: its facts, odds ratios and warnings."""
        return self.model

    @section("effects")
    def _effects_chart(self):
        """Odds ratios with their confidence intervals."""
        return figure(self.model.plot_forest().figure, alt=self.alt["effects"])

    @section("calibration")
    def _calibration_chart(self):
        """Out-of-fold predicted against observed churn by decile of risk."""
        return figure(self.model.plot_calibration().figure, alt=self.alt["calibration"])

    @section("survival")
    def _survival_chart(self):
        """Kaplan–Meier curves by segment."""
        return figure(plot_km(self.km).figure, alt=self.alt["survival"])

    @section("logrank")
    def _logrank(self):
        """The log-rank test of equal churn over tenure across segments."""
        return table(
            self.survival,
            caption="Observed and expected churners under equal hazards (log-rank test)",
            digits={"expected": 1, "chi2": 2},
        )

    @section("cox")
    def _cox(self):
        """The Cox model: hazard ratios and the proportional-hazards check."""
        return self.cox

    @section("by_nps")
    def _nps_chart(self):
        """Churn by NPS category of the first survey answer."""
        return figure(plot_churn_by_nps(self.by_nps).figure, alt=self.alt["by_nps"])

    @section("detractor")
    def _detractor(self):
        """Detractors against promoters, adjusted."""
        return table(self.detractor, caption="Detractors against promoters", digits=2)

    @section("revenue")
    def _revenue_chart(self):
        """Revenue at risk by segment."""
        return figure(plot_revenue_at_risk(self.risk).figure, alt=self.alt["revenue"])

    @section("revenue_table")
    def _revenue_table(self):
        """The numbers behind the chart."""
        return table(
            self.risk,
            caption=self.risk.attrs["caption"],
            percent=["share_of_revenue"],
            digits={"monthly_revenue": 0, "churn_probability": 2, "revenue_at_risk": 0},
        )

    @section("cohorts")
    def _cohort_chart(self):
        """Retention by signup cohort."""
        return figure(plot_cohort_retention(self.cohorts).figure, alt=self.alt["cohorts"])

    @section("cohorts_table")
    def _cohort_table(self):
        """One row per cohort, one column per month since signup."""
        wide = self.cohorts_wide
        return table(wide, caption="Retention by signup cohort", percent=list(wide.columns[2:]))

    @section("lifetime_value")
    def _lifetime_value(self):
        """Five-year customer lifetime value by segment."""
        return table(
            self.clv,
            caption=self.clv.attrs["caption"],
            digits={"expected_months": 1, "monthly_revenue": 2, "clv": 0, "horizon_months": 0},
        )

    @section("reasons")
    def _reasons(self):
        """Themes of churned and active customers' last comments."""
        return table(
            self.reasons, caption="Themes of last comments", digits=3, percent=["churned_share", "active_share"]
        )


# --------------------------------------------------------------------------- findings


def _money(value: float, currency: str) -> str:
    return f"{currency} {value:,.0f}" if currency else f"{value:,.0f}"


def calibration_finding(model: ChurnModel) -> str:
    """One sentence on a churn model's calibration (for the figure's alt text and the findings)."""
    cal = model.calibration
    if cal.empty:
        return "The model was not cross-validated, so its calibration is unknown."
    inside = int(((cal["predicted"] >= cal["ci_low"]) & (cal["predicted"] <= cal["ci_high"])).sum())
    return (
        f"Predicted churn falls inside the 95% interval of observed churn in {inside} of {len(cal)} deciles "
        f"of risk (calibration slope {model.calibration_slope:.2f}; 1 is ideal)."
    )


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _p(p: float) -> str:
    return p_phrase(p)  # the pack's one p-value format


def churn_findings(
    *,
    headline: dict | None = None,
    model: ChurnModel | None = None,
    detractor: pd.DataFrame | None = None,
    revenue: pd.DataFrame | None = None,
    survival: pd.DataFrame | None = None,
    reasons: pd.DataFrame | None = None,
    alpha: float = 0.05,
    max_effects: int = 3,
) -> list[str]:
    """Plain-language findings from the churn numbers; an effect is claimed only when significant.

    Parameters are the outputs of :func:`cxkit.churn_headline`, :func:`cxkit.churn_model`,
    :func:`cxkit.detractor_effect`, :func:`cxkit.revenue_at_risk`, :func:`cxkit.logrank` and
    :func:`cxkit.churn_reasons` (each optional). Returns a list of sentences for :func:`cxkit.findings`.
    """
    out = []
    if headline and headline.get("value") is not None:
        when = f"in {headline['month']}" if headline.get("month") else "overall"
        text = (
            f"The churn rate {when} was {_pct(headline['value'])} (95% CI {_pct(headline['ci_low'])} to "
            f"{_pct(headline['ci_high'])}) of {headline['n']:,} customers"
        )
        if headline.get("previous") is not None:
            if headline.get("significant"):
                direction = "up" if headline["change"] > 0 else "down"
                text += (
                    f", {direction} significantly from {_pct(headline['previous'])} the month before "
                    f"({_p(headline['change_p'])})"
                )
            else:
                text += (
                    f"; the change from {_pct(headline['previous'])} the month before is not significant "
                    f"({_p(headline['change_p'])})"
                )
        out.append(text + ".")
    if model is not None:
        if not np.isnan(model.auc):
            quality = "well" if model.auc >= 0.8 else "fairly well" if model.auc >= 0.7 else "weakly"
            out.append(
                f"The churn model separates churners from stayers {quality} out of sample "
                f"(cross-validated AUC {model.auc:.3f} ± {model.auc_sd:.3f}); its Brier score is "
                f"{model.brier:.3f} against {model.brier_baseline:.3f} for a flat guess."
            )
        # The detractor comparison below is the one figure for detractors against promoters; the
        # model's own NPS-category terms (adjusted for every covariate) are not cited beside it.
        out.append(
            effects_finding(
                model.summary,
                alpha=alpha,
                max_effects=max_effects,
                exclude=("nps_category",) if detractor is not None and len(detractor) else (),
            )
        )
        if not model.calibration.empty:
            out.append(calibration_finding(model))
        for w in model.warnings:
            out.append(f"Caution: {w}")
    if detractor is not None and len(detractor):
        rows: dict[object, Any] = {
            r.measure: r for r in detractor.itertuples()
        }  # itertuples rows: fields unknown to the stubs
        o, h = rows.get("odds ratio"), rows.get("hazard ratio")
        if o is not None and not np.isnan(o.estimate):
            if o.p < alpha:
                text = (
                    f"Detractors churn with {o.estimate:.2f} times the odds of promoters (95% CI {o.ci_low:.2f} "
                    f"to {o.ci_high:.2f}, {_p(o.p)}), adjusted for {o.adjusted_for}"
                )
                if h is not None and not np.isnan(h.estimate) and h.p < alpha:
                    text += (
                        f", and leave {h.estimate:.2f} times as fast at equal tenure (hazard ratio, 95% CI "
                        f"{h.ci_low:.2f} to {h.ci_high:.2f})"
                    )
                out.append(text + ".")
            else:
                out.append(
                    f"Detractors and promoters do not churn at significantly different odds "
                    f"(odds ratio {o.estimate:.2f}, 95% CI {o.ci_low:.2f} to {o.ci_high:.2f})."
                )
        else:
            out.append("There are no survey answers from both detractors and promoters to link to churn.")
    if revenue is not None and not len(revenue) and revenue.attrs.get("note"):
        out.append(revenue.attrs["note"].split(" Map one")[0])
    if revenue is not None and len(revenue):
        key = revenue.columns[0]
        total = revenue[revenue[key] == "all"]
        if len(total):
            t = total.iloc[0]
            currency, horizon = revenue.attrs.get("currency", ""), revenue.attrs.get("horizon_months")
            within = f" within about {horizon} months" if horizon else ""
            text = (
                f"Active customers expected to churn{within} bring {_money(t['revenue_at_risk'], currency)} of "
                f"monthly revenue (95% CI {_money(t['ci_low'], currency)} to {_money(t['ci_high'], currency)}), "
                f"{_pct(t['share_of_revenue'])} of all active customers' monthly revenue"
            )
            parts = revenue[revenue[key] != "all"]
            if len(parts) > 1:
                top = parts.sort_values("revenue_at_risk", ascending=False).iloc[0]
                text += f"; the most is in {top[key]} ({top['revenue_at_risk'] / t['revenue_at_risk']:.0%})"
            out.append(text + ".")
    if survival is not None and len(survival):
        by = survival.columns[0]
        p = float(survival["p"].iloc[0])
        if p < alpha:
            ratio = survival.assign(r=survival["observed"] / survival["expected"]).sort_values("r")
            out.append(
                f"Time to churn differs by {by} (log-rank {_p(p)}): {ratio[by].iloc[-1]} customers leave "
                f"soonest, {ratio[by].iloc[0]} customers stay longest."
            )
        else:
            out.append(f"Time to churn does not differ significantly by {by} (log-rank {_p(p)}).")
    if reasons is not None and len(reasons):
        sig = reasons[(reasons["p_adjusted"] < alpha) & (reasons["ratio"] > 1)]
        if len(sig):
            r = sig.iloc[0]
            out.append(
                f"Churned customers' last comments mention {r['theme']} more often than active customers' "
                f"({_pct(r['churned_share'])} against {_pct(r['active_share'])}, adjusted {_p(r['p_adjusted'])})."
            )
        else:
            top = reasons.iloc[0]
            out.append(
                f"The theme churned customers mention most in their last comment is {top['theme']} "
                f"({_pct(top['churned_share'])}), no more often than active customers."
            )
    return out


def effects_finding(summary: pd.DataFrame, *, alpha: float = 0.05, max_effects: int = 3, exclude: tuple = ()) -> str:
    """One sentence naming the strongest significant effects (adjusted p < alpha) of a
    :func:`churn_model` or :func:`cox_model` summary, or saying there are none. ``exclude``:
    covariates whose terms are reported elsewhere (e.g. ``("nps_category",)``)."""
    effect = "odds_ratio" if "odds_ratio" in summary.columns else "hazard_ratio"
    noun = "odds ratio" if effect == "odds_ratio" else "hazard ratio"
    rows = summary[(summary["term"] != "Intercept") & (summary["p_adjusted"] < alpha)]
    if exclude:
        rows = rows[~rows["term"].astype(str).str.match("|".join(rf"(C\()?{c}\b" for c in exclude))]
    if rows.empty:
        return "No covariate has a significant effect on churn after adjusting for multiple comparisons."
    rows = rows.reindex(rows["coef"].abs().sort_values(ascending=False).index).head(max_effects)
    parts = [
        f"{r.label} ({noun} {getattr(r, effect):.2f}, 95% CI {r.ci_low:.2f} to {r.ci_high:.2f})"
        for r in rows.itertuples()
    ]
    return (
        "The strongest significant effects on churn, other covariates equal: "
        + "; ".join(parts)
        + ". Ratios above 1 mean more churn, below 1 less."
    )


def cohort_finding(retention: pd.DataFrame) -> str:
    """One sentence on cohort retention (from :func:`cohort_retention`, long form)."""
    if retention.empty:
        return "Cohort retention needs signup and churn dates, which this data does not have."
    oldest = retention[retention["cohort"] == retention["cohort"].min()]
    last = oldest.iloc[-1]
    typical = retention.groupby("months_since_signup")["retention"].median()
    k = min(3, int(typical.index.max()))
    return (
        f"{last['retention']:.0%} of the {last['cohort']} cohort ({last['customers']:,} customers) is still a "
        f"customer after {last['months_since_signup']} months; the median cohort keeps {typical.loc[k]:.0%} after "
        f"{k} months."
    )


def _finding_sentence(headline: dict, detractor: pd.DataFrame | None, model: ChurnModel | None, alpha: float) -> str:
    parts = []
    if headline and headline.get("value") is not None:
        when = f" in {headline['month']}" if headline.get("month") else ""
        change = ""
        if headline.get("previous") is not None:
            change = (
                f", {'up' if headline['change'] > 0 else 'down'} significantly"
                if headline.get("significant")
                else ", not a significant change"
            )
        parts.append(f"Churn was {_pct(headline['value'])}{when}{change}")
    if detractor is not None and len(detractor):
        o = detractor.set_index("measure").loc["odds ratio"]
        if not np.isnan(o["estimate"]) and o["p"] < alpha:
            parts.append(f"detractors churn with {o['estimate']:.2f} times the odds of promoters")
    if len(parts) < 2 and model is not None:
        eff = model.summary[(model.summary["term"] != "Intercept") & (model.summary["p_adjusted"] < alpha)]
        if len(eff):
            top = eff.loc[eff["coef"].abs().idxmax()]  # type: ignore[call-overload]  # stubs: .loc refuses idxmax's Hashable label
            parts.append(f"the strongest effect is {top['label']} (odds ratio {top['odds_ratio']:.2f})")
    return ("; ".join(parts) + ".") if parts else "No churn data this month."


def churn_results(
    *,
    headline: dict,
    model: ChurnModel | None = None,
    detractor: pd.DataFrame | None = None,
    revenue: pd.DataFrame | None = None,
    survival: pd.DataFrame | None = None,
    by_nps: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> dict:
    """The ``churn`` section of the pack's ``results.json``.

    Keys: ``headline`` (KPI of the month's churn rate: ``value`` 0..1, ``ci_low``, ``ci_high``,
    ``n``, ``previous``, ``change``, ``change_p``, ``significant``, ``month``), ``finding``
    (one sentence), ``auc``, ``auc_sd``, ``brier``, ``brier_baseline``, ``customers``,
    ``churned``, ``formula``, ``odds_ratios`` (label -> ``odds_ratio``, ``ci_low``, ``ci_high``,
    ``p_adjusted``, ``estimable``; the numbers are null when not estimable), ``warnings``, ``detractor_odds_ratio`` and ``detractor_hazard_ratio``
    (``estimate``, ``ci_low``, ``ci_high``, ``p``), ``churn_by_nps`` (category -> ``rate``,
    ``ci_low``, ``ci_high``, ``n``), ``revenue_at_risk`` (``total``, ``ci_low``, ``ci_high``,
    ``share``, ``by_segment``), ``logrank`` (``by``, ``chi2``, ``p``). Keys whose input was not
    given are None.
    """
    out: dict = {"headline": headline, "finding": _finding_sentence(headline, detractor, model, alpha)}
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
