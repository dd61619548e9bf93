"""The "NPS and key drivers" page: how likely customers are to recommend us this month, whether
that changed, where it is higher or lower, and which parts of the experience drive it.

:func:`nps_report` (``NpsReport.from_catalog`` in the pack) computes the page once: the
headline KPIs under the pack's headline policy, the NPS trend, segment comparisons and the key
drivers with their change, adjusted as one family; the page offers them by the page protocol
(:mod:`cxkit.pack.page`). The findings sentences and alt texts live here; the statistics live in
:mod:`cxkit.analysis.nps` and :mod:`cxkit.analysis.drivers`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

import numpy as np
import pandas as pd

from ..analysis.drivers import driver_change, driver_diagnostics, key_drivers
from ..analysis.nps import MIN_N, adjust_flags, compare_nps, headline_flags, kpi_headline, kpi_trend
from ..display import SafeHTML, figure, format_p, p_phrase, safe_text, table
from ..display import findings as findings_list
from ..errors import CatalogError, CxkitError, DataWarning, NotEnoughDataError, WrongScaleError
from ..periods import resolve_month
from ..plots import plot_importance, plot_nps_by_segment, plot_nps_trend, plot_quadrant
from .page import ReportPage, section

if TYPE_CHECKING:
    from ..data.catalog import Catalog

__all__ = [
    "NpsReport",
    "nps_report",
    "headline_view",
    "driver_findings",
    "weighted_feedback",
    "weighting_part",
    "weighting_note",
    "WEIGHT_COLUMN",
]


@dataclass(repr=False)
class NpsReport(ReportPage):
    """Everything the NPS-and-drivers report shows, with its significance flags (see :func:`nps_report`).

    Attributes: ``month``; ``headline`` (one row per KPI metric for the month); ``trend``
    (NPS per month); ``segments`` (each segment / channel value against the rest, this month);
    ``drivers`` (:func:`cxkit.key_drivers` for the month); ``driver_change``
    (:func:`cxkit.driver_change` against the previous month); ``diagnostics``;
    ``findings`` (plain-language, only significant claims); ``finding`` (one sentence);
    ``alt`` (alt texts stating each figure's finding); ``kpis`` (the results.json KPI dicts).
    """

    month: str
    headline: pd.DataFrame
    trend: pd.DataFrame
    segments: pd.DataFrame
    drivers: pd.DataFrame
    driver_change: pd.DataFrame
    diagnostics: pd.DataFrame
    kpis: dict
    findings: list[str] = field(default_factory=list)
    finding: str = ""
    alt: dict[str, str] = field(default_factory=dict)
    family_size: int = 0
    padjust: str = "holm"
    #: how the figures are weighted, and the unweighted KPIs (empty: unweighted); see
    #: :func:`weighting_part`
    weighting: dict = field(default_factory=dict)
    # comment themes of the month (issue 26): None when the survey has no comments that month
    comment_themes: pd.DataFrame | None = None
    comment_themes_csat: pd.DataFrame | None = None
    comment_theme_trend: pd.DataFrame | None = None
    theme_note: str = ""

    def results(self) -> dict:
        """The ``results.json`` part: ``nps``, ``csat``, ``ces`` (KPI dicts) and ``drivers``.

        ``nps`` also has ``finding``; ``csat`` has ``top2_box`` and ``ces`` ``low_effort`` (KPI
        dicts of the shares). ``drivers`` is a list, one dict per driver in rank order:
        ``driver``, ``importance``, ``share``, ``ci_low``, ``ci_high`` (share interval), ``rank``,
        ``p_first``, ``performance``, ``quadrant``, ``vif``, and the model's ``r2``, ``n``,
        ``target``, ``month``. With weights (the catalog's ``weights:``), the KPIs and drivers
        are weighted and ``weighting`` says how (see :func:`weighting_part`), with the
        unweighted KPIs beside them.
        """
        if self.drivers.empty:  # the month's data could not give the driver model
            return {**self.kpis, "drivers": [], **weighting_part(self.weighting)}
        main = self.drivers[self.drivers["method"] == self.drivers["method"].iloc[0]]
        cols = [
            "driver",
            "importance",
            "share",
            "ci_low",
            "ci_high",
            "rank",
            "prob_first",
            "performance",
            "quadrant",
            "vif",
            "r2",
            "n",
        ]
        # results.json keeps its documented key p_first for the chance of ranking first
        drivers = [
            {
                **{("p_first" if c == "prob_first" else c): r[c] for c in cols},
                "target": self.drivers.attrs.get("target"),
                "month": self.month,
            }
            for _, r in main[cols].iterrows()
        ]
        return {**{k: v for k, v in self.kpis.items()}, "drivers": drivers, **weighting_part(self.weighting)}

    title: ClassVar[str] = "NPS and key drivers"

    @classmethod
    def from_catalog(
        cls, sources: Catalog, *, month: str = "", bootstrap: int = 200, seed: int = 0, **options: Any
    ) -> NpsReport:
        """The page from a catalog's ``feedback`` source (its driver columns are the catalog's).

        The catalog's ``settings`` may name the breakdown columns (``breakdowns: [segment,
        channel, traveller_type]``; default segment and channel) and pool months for the driver
        model (``driver_months: 3``; default 1, the report month alone). With a ``weights:``
        section the responses of each month are weighted to it (:func:`cxkit.survey_weights`)
        and every figure of the page is weighted (see :func:`nps_report`, ``weights``)."""
        settings = sources.settings
        if "breakdowns" in settings and "segments" not in options:
            options["segments"] = _setting_list(settings["breakdowns"], "breakdowns")
        if "driver_months" in settings and "driver_months" not in options:
            options["driver_months"] = _setting_int(settings["driver_months"], "driver_months")
        options.setdefault("themes", getattr(sources, "themes", None))  # the catalog's theme set (issue 26)
        frame = sources["feedback"].frame
        spec = getattr(sources, "weights", None)
        if spec and "weights" not in options:
            frame, options["weights"], options["weighting"] = weighted_feedback(frame, spec)
        return nps_report(frame, month=month, bootstrap=bootstrap, seed=seed, **options)

    def _repr_html_(self) -> str:
        return findings_list(self.findings, title=f"NPS and key drivers, {self.month}")._repr_html_()

    # -- sections, in page order ---------------------------------------------------------

    @section("headline")
    def _headline(self):
        """This month's KPIs against the previous month."""
        shown = table(
            headline_view(self.need(self.headline, "headline")),
            caption=f"Headline KPIs for {self.month}, with 95% confidence intervals",
        )
        return _with_unweighted(shown, self.weighting)

    @section("trend")
    def _trend(self):
        """NPS over the last 12 months."""
        return figure(plot_nps_trend(self.need(self.trend, "trend")).figure, alt=self.alt["trend"])

    @section("trend_table")
    def _trend_table(self):
        """Month-over-month tests."""
        columns = ["period", "n", "value", "ci_low", "ci_high", "change", "p", "p_adjusted", "significant"]
        return table(self.need(self.trend, "trend")[columns], caption="NPS by month", signed=["change"])

    @section("segments")
    def _segments(self):
        """NPS by segment and channel against the rest."""
        return figure(plot_nps_by_segment(self.need(self.segments, "segments")).figure, alt=self.alt["segments"])

    @section("importance")
    def _importance(self):
        """Each driver's share of the explained variance."""
        return figure(plot_importance(self.need(self.drivers, "drivers")).figure, alt=self.alt["importance"])

    @section("drivers_table")
    def _drivers_table(self):
        """The key-driver table."""
        columns = [
            "rank",
            "driver",
            "importance",
            "share",
            "ci_low",
            "ci_high",
            "prob_first",
            "performance",
            "quadrant",
            "vif",
        ]
        return table(
            self.need(self.drivers, "drivers")[columns],
            caption=f"Key drivers of NPS, {self.drivers.attrs.get('months_label') or self.month}",
            digits={"importance": 3, "performance": 2},
            percent=["share", "prob_first"],
        )

    @section("quadrant")
    def _quadrant(self):
        """Importance against performance."""
        return figure(plot_quadrant(self.need(self.drivers, "drivers")).figure, alt=self.alt["quadrant"])

    @section("driver_change")
    def _driver_change(self):
        """Change of the drivers since the previous month."""
        columns = ["driver", "share_previous", "share", "change", "ci_low", "ci_high", "p_adjusted", "significant"]
        return table(
            self.need(self.driver_change, "driver_change")[columns],
            caption="Share of explained variance, previous month against this month",
            percent=["share_previous", "share"],
            pp=["change"],
        )

    @section("diagnostics")
    def _diagnostics(self):
        """Checks of the driver model."""
        return table(self.need(self.diagnostics, "drivers"), caption="Checks of the key-driver model")

    # -- comment themes (issue 26) -------------------------------------------------------

    @section("comment_themes")
    def _comment_themes(self):
        """Themes of this month's comments and their association with NPS."""
        impact = self.need(self.comment_themes, "comment_themes")
        return table(
            _impact_view(impact),
            caption=f"Comment themes and NPS, {self.month}: responses whose comment mentions the theme against the "
            f"other commented responses, 95% intervals, p adjusted ({self.padjust}) over the page's themes. "
            + self.theme_note,
            percent=["detractor_share_with", "detractor_share_without"],
            pp=["detractor_share_difference"],
            signed=["nps_difference"],
            labels=_IMPACT_LABELS,
        )

    @section("comment_themes_csat")
    def _comment_themes_csat(self):
        """Themes of this month's comments and their association with CSAT."""
        impact = self.need(self.comment_themes_csat, "comment_themes_csat")
        return table(
            _impact_view(impact),
            caption=f"Comment themes and CSAT, {self.month}: mean and top-2-box share, responses whose comment "
            f"mentions the theme against the other commented responses, p adjusted ({self.padjust}) over the themes",
            digits=2,
            percent=["top2_box_with", "top2_box_without"],
            pp=["top2_box_difference"],
            signed=["mean_difference"],
            labels=_IMPACT_LABELS,
        )

    @section("comment_theme_trend")
    def _comment_theme_trend(self):
        """Each theme's share of the comments, this month against the month before."""
        trend = self.need(self.comment_theme_trend, "comment_theme_trend")
        return table(
            trend[["theme", "n", "share", "previous_n", "previous_share", "change", "p", "p_adjusted", "emerging"]],
            caption=f"Comment themes, {self.month} against the month before (two-proportion z-test, Holm-adjusted)",
            percent=["share", "previous_share"],
            pp=["change"],
        )


def nps_report(
    df: pd.DataFrame,
    *,
    month: str | None = None,
    drivers: list[str] | None = None,
    target: str = "nps",
    date: str = "responded_at",
    segments: tuple = ("segment", "channel"),
    periods: int = 12,
    method: str = "shapley",
    bootstrap: int = 200,
    seed: int = 0,
    padjust: str = "holm",
    alpha: float = 0.05,
    min_n: int = MIN_N,
    driver_months: int = 1,
    weights: str | None = None,
    weighting: dict | None = None,
    themes: dict | None = None,
) -> NpsReport:
    """Build the monthly NPS-and-drivers report: every number, flag and finding in one call.

    The report's significance flags come in two families. The month-over-month changes of
    the headline KPIs (NPS in every month of the trend, CSAT and CES mean and share) are
    judged by the pack's one headline policy (:data:`cxkit.pack.results.HEADLINE_POLICY`:
    Bonferroni over the month's headline KPIs, so every page and the index agree). The
    segment/channel comparisons against the rest and the changes of each driver's share
    form the page's own family, adjusted together with ``padjust``. Months and groups with
    fewer than ``min_n`` responses stay in the tables (``small_n``) but the findings present
    them as small samples, never as results.

    Parameters
    ----------
    df : DataFrame
        The canonical feedback table, all months (the trend and the month before need them),
        with ``nps`` and the driver-rating columns; ``csat`` and ``ces`` are reported when
        present.
    month : str, optional
        The report month, ``YYYY-MM``. Default: the last complete month of ``date``.
    drivers : list of str, optional
        Driver-rating columns. Default: the drivers the reader recorded
        (``df.attrs["drivers"]``).
    target : str, default "nps"
        The outcome of the driver model.
    date : str, default "responded_at"
        The response timestamp column.
    segments : tuple of str, default ("segment", "channel")
        Group columns compared against the rest this month; a column absent from ``df`` or
        with a single value this month is skipped.
    periods : int, default 12
        Months in the NPS trend, ending with ``month``.
    method : {"shapley", "relative_weights", "both"}, default "shapley"
        The key-driver method (:func:`cxkit.key_drivers`); the driver change uses Shapley for
        ``"both"``.
    bootstrap : int, default 200
        Resamples of the key-driver intervals and of the driver-change test (at least 2 for
        the latter).
    seed : int, default 0
        Seed of the resampling: the same data give the same report.
    padjust : {"holm", "bh", "bonferroni", "none"}, default "holm"
        Adjustment of the page's family (segment comparisons and driver changes).
    alpha : float, default 0.05
        Significance level of every flag and ``1 - alpha`` confidence intervals.
    min_n : int, default 30
        Months and groups with fewer responses are flagged ``small_n``: shown, not findings.
    driver_months : int, default 1
        Months pooled for the driver model, ending with ``month`` (for months too thin to fit
        it alone; the page says which months were pooled). With more than one the change of
        the drivers (which compares single months) is not shown.
    weights : str, optional
        Survey-weight column (e.g. :func:`weighted_feedback`): every KPI, comparison and the
        driver model are weighted (intervals on Kish's effective n); the page states it (the
        first finding, above the headline table) and keeps the unweighted KPIs beside them
        (``weighting["unweighted"]``, a table under the headline, ``results.json``).
    weighting : dict, optional
        How the weights were made (``attrs["weighting"]`` of :func:`cxkit.rake` and its
        kin), for the page's statement.
    themes : dict, optional
        The catalog's ``themes`` section (:func:`cxkit.theme_set`): the themes of the month's
        comments (``comment`` column), whose association with NPS and CSAT the page shows
        (:func:`cxkit.theme_impact`, adjusted over the page's themes) with their month-over-month
        share (:func:`cxkit.theme_trend`). None: the generic list, which the page says is generic.

    Returns
    -------
    NpsReport
        The page (:class:`NpsReport`, the page protocol of :mod:`cxkit.pack.page`):

        - ``month`` (``YYYY-MM``);
        - ``headline``: one row per KPI (NPS; CSAT mean and top-2-box share, CES mean and
          low-effort share when present) with ``kpi``, ``month``, ``value``, ``ci_low``,
          ``ci_high``, ``n``, ``previous``, ``change``, ``p``, ``p_adjusted`` (headline
          policy), ``significant``, ``small_n``;
        - ``trend``: :func:`cxkit.kpi_trend` of NPS over ``periods`` months, ``p_adjusted``
          and ``significant`` by the headline policy;
        - ``segments``: the :func:`cxkit.compare_nps` rows of every segment column (empty
          when none applies) and ``driver_change``: :func:`cxkit.driver_change` against the
          previous month (empty without one), both with ``p_adjusted`` and ``significant``
          of the page's family (its size in ``family_size``);
        - ``drivers``: :func:`cxkit.key_drivers` of the month; ``diagnostics``:
          :func:`cxkit.driver_diagnostics` of it;
        - ``kpis``: the ``results.json`` KPI dicts (``nps`` with its one-sentence
          ``finding``; ``csat`` with ``top2_box``, ``ces`` with ``low_effort``);
        - ``findings`` (plain-language, claims only what is significant), ``finding`` (one
          sentence), ``alt`` (each figure's alt text), ``results()``, ``sections`` and
          ``show(name)``.

    Raises
    ------
    ValueError
        ``date`` is not a column, ``month`` is not written ``YYYY-MM``, the month has no
        responses, or the driver model cannot be fitted (see :func:`cxkit.key_drivers`).

    Notes
    -----
    The warnings of :func:`cxkit.key_drivers` and :func:`cxkit.driver_change` (every
    ``UserWarning``, :class:`~cxkit.errors.ModelWarning` included) are not issued here: the
    driver model's caveats are kept in ``drivers.attrs["warnings"]`` and repeated in the
    findings ("Caution: ...").

    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame
    >>> rep = cx.nps_report(fb, month="2026-08", bootstrap=20)
    >>> rep.kpis["nps"]["significant"], rep.kpis["nps"]["change"] < 0
    (True, True)
    >>> rep.findings[1]
    "NPS fell 13.4 points from 21.9 in 2026-07; significant as one of the month's headline KPIs (adjusted p < 0.001)."
    >>> list(rep.sections)[:4]
    ['headline', 'trend', 'trend_table', 'segments']
    """
    if date not in df.columns:
        raise ValueError(f"date column {date!r} not found; pass date= with the response timestamp column.")
    dates = pd.to_datetime(df[date])
    end = resolve_month(month, dates)
    months = dates.dt.to_period("M")
    this_month = df[(months == end).to_numpy()]
    if this_month.empty:
        raise NotEnoughDataError(
            f"no responses in {end} (data cover {dates.min():%Y-%m} to {dates.max():%Y-%m}); choose a month the data cover."
        )
    # Each analysis stands alone (issue 23): one the data cannot give is recorded with its reason
    # (shown by its section), and the rest of the page is built.
    missing: dict[str, str] = {}

    def attempt(name: str, compute: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return compute(*args, **kwargs)
        except CxkitError as error:
            missing[name] = str(error)
            return None

    def answered(column: str) -> bool:
        return column in df.columns and bool(df[column].notna().any())

    trend = None
    if answered("nps"):
        trend = attempt(
            "trend",
            _nps_trend,
            df,
            date=date,
            month=str(end),
            periods=periods,
            padjust=padjust,
            alpha=alpha,
            min_n=min_n,
            **_weighted(weights),
        )
    else:
        missing["trend"] = (
            "the survey has no answers to the 0-10 recommend question (nps); map it with columns: {nps: <its column>} in the catalog."
        )
    others = {
        k: t
        for k in ("csat", "ces")
        if answered(k)
        and (
            t := attempt(
                k,
                kpi_trend,
                df,
                k,
                date=date,
                month=str(end),
                periods=2,
                padjust=padjust,
                alpha=alpha,
                min_n=min_n,
                **_weighted(weights),
            )
        )
        is not None
    }
    seg_tables, notes = [], []
    notes_combined: list[str] = []  # many-level breakdowns whose rare groups were combined
    for c in segments:
        if c not in df.columns:
            notes.append(f"{c} (not a column of the survey)")
        elif this_month[c].nunique() < 2:
            notes.append(f"{c} (fewer than two groups in {end})")
        else:
            compared = attempt(
                f"segments:{c}",
                _quietly,
                compare_nps,
                this_month,
                "nps",
                by=c,
                against="rest",
                padjust=padjust,
                alpha=alpha,
                min_n=min_n,
                **_weighted(weights),
            )
            if compared is not None:
                seg_tables.append(compared)
                notes_combined.extend(compared.attrs.get("notes") or [])
    seg = pd.concat(seg_tables, ignore_index=True) if seg_tables else None
    if seg is None:
        missing["segments"] = (
            f"no breakdown column has two or more groups to compare in {end}"
            + (f" ({'; '.join(notes)})" if notes else "")
            + "; name breakdown columns with settings: {breakdowns: [segment, channel, ...]} in the catalog."
        )
    driver_names = list(drivers if drivers is not None else df.attrs.get("drivers") or [])
    pooled, label = _driver_window(df, months, end, driver_months)
    asked, left_out = _asked_drivers(pooled, driver_names, label)
    kd = change = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the warnings are kept in the diagnostics
        if not driver_names:
            missing["drivers"] = (
                "the survey has no driver-rating columns; list them with drivers: [...] in the catalog."
            )
        elif not asked:
            missing["drivers"] = f"none of the {len(driver_names)} driver ratings was answered in {label}."
        else:
            kd = attempt(
                "drivers",
                key_drivers,
                pooled,
                target,
                asked,
                method=method,
                bootstrap=bootstrap,
                seed=seed,
                alpha=alpha,
                **_weighted(weights),
            )
            if kd is None and driver_months == 1:
                missing["drivers"] += (
                    " Pool months for the driver model with settings: {driver_months: 3} in the catalog."
                )
        if kd is not None:
            kd.attrs["months_label"] = label
            kd.attrs["left_out"] = left_out
            if driver_months > 1:
                missing["driver_change"] = (
                    f"the driver model pools {label}, and the change of the drivers compares single months; "
                    "set driver_months: 1 to see it."
                )
            else:
                both = [d for d in asked if d in df.columns and df.loc[(months == end - 1).to_numpy(), d].notna().any()]
                change = (
                    None
                    if not both
                    else attempt(
                        "driver_change",
                        driver_change,
                        df,
                        target,
                        both,
                        month=str(end),
                        date=date,
                        method=method.replace("both", "shapley"),
                        bootstrap=max(bootstrap, 2),
                        seed=seed,
                        padjust=padjust,
                        alpha=alpha,
                        **_weighted(weights),
                    )
                )
                if change is None and "driver_change" not in missing:
                    missing["driver_change"] = f"there are no responses in {end - 1} to compare the drivers with."
        elif "drivers" in missing:
            missing["driver_change"] = missing["drivers"]
    # Month-over-month changes of the headline KPIs (NPS in every month shown, CSAT and CES) are
    # judged by the pack's one headline policy; the segment and driver-change tests of this page
    # form their own family.
    trend, csat_t, ces_t = (headline_flags(t, alpha=alpha) for t in (trend, others.get("csat"), others.get("ces")))
    seg, change = adjust_flags(seg, change, padjust=padjust, alpha=alpha)
    family = (seg if seg is not None else change).attrs["family_size"] if (seg is not None or change is not None) else 0
    kpis: dict[str, Any] = {}
    if trend is not None:
        kpis["nps"] = kpi_headline(trend, month=str(end))
    if csat_t is not None:
        kpis["csat"] = {**kpi_headline(csat_t, metric="mean"), "top2_box": kpi_headline(csat_t, metric="top2_box")}
    if ces_t is not None:
        kpis["ces"] = {**kpi_headline(ces_t, metric="mean"), "low_effort": kpi_headline(ces_t, metric="low_effort")}
    not_asked = [
        name for key, name in (("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES")) if key in kpis and not kpis[key]["n"]
    ]
    for key in [k for k in ("nps", "csat", "ces") if k in kpis and not kpis[k]["n"]]:
        del kpis[key]  # asked in other months, not this one: no value to report
    if "nps" not in kpis and trend is not None:
        trend = None
        missing["trend"] = f"no response in {end} answers the 0-10 recommend question."
    headline = _headline_table(kpis, df.attrs.get("scales") or {})
    weighted_part = (
        {}
        if weights is None
        else _weighting_summary(
            this_month[weights],
            weighting or {},
            _unweighted_kpis(df, end, date=date, periods=periods, padjust=padjust, alpha=alpha, min_n=min_n),
            df.attrs.get("scales") or {},
        )
    )
    findings = (_nps_findings(kpis, trend, seg, family=family, padjust=padjust) if trend is not None else []) + (
        driver_findings(kd, change) if kd is not None else []
    )
    if kd is not None and left_out:
        findings.append(left_out)
    if not_asked:
        findings.append(f"Not asked (no answers) in {end}: {', '.join(not_asked)}.")
    findings.extend(f"Note: {note}" for note in notes_combined)
    if weighted_part:
        findings.insert(0, weighted_part["statement"])
    if "nps" in kpis:
        top = kd[kd["method"] == kd["method"].iloc[0]].iloc[0] if kd is not None else None
        kpis["nps"]["finding"] = _one_sentence(kpis["nps"], top, kd.attrs if kd is not None else {})
    report = NpsReport(
        month=str(end),
        headline=headline,
        trend=trend if trend is not None else pd.DataFrame(),
        segments=seg if seg is not None else pd.DataFrame(),
        drivers=kd if kd is not None else pd.DataFrame(),
        driver_change=change if change is not None else pd.DataFrame(),
        diagnostics=driver_diagnostics(kd) if kd is not None else pd.DataFrame(),
        kpis=kpis,
        findings=findings,
        finding=kpis["nps"]["finding"] if "nps" in kpis else "",
        family_size=family,
        padjust=padjust,
        weighting=weighted_part,
    )
    report.unavailable.update(missing)
    if headline.empty:
        report.unavailable["headline"] = "the survey has no NPS, CSAT or CES answers in this month."
    report.alt = _alt_texts(report)
    _add_comment_themes(report, df, months, end, themes=themes, alpha=alpha, padjust=padjust, min_n=min_n)
    return report


def _nps_trend(df: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """:func:`kpi_trend` of NPS, refused (:class:`WrongScaleError`) when the ``nps`` column looks
    like a 1-10 rating: the page never calls a 1-10 overall score NPS."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        trend = kpi_trend(df, "nps", **options)
    for warning in caught:
        if issubclass(warning.category, DataWarning) and "NPS is not defined" in str(warning.message):
            answers = int(df["nps"].notna().sum())
            raise WrongScaleError(
                f"the nps column looks like a 1-10 rating, not the 0-10 'how likely are you to recommend us' question: "
                f"none of its {answers:,} answers is 0. NPS is defined only for the 0-10 question, so it is not shown; "
                "map a 1-10 overall satisfaction rating to csat with scales: {csat: [1, 10]} (or as the rating of a "
                "reviews source, with scales: {rating: [1, 10]}) instead of nps."
            )
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return trend


def _quietly(compute: Any, *args: Any, **kwargs: Any) -> Any:
    """``compute(...)`` with cxkit's DataWarnings silenced (the page says what they would)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return compute(*args, **kwargs)


def _setting_list(value: Any, key: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise CatalogError(
            f"settings: {key} must be a list of column names, e.g. {key}: [segment, channel]; got {value!r}."
        )
    return list(value)


def _setting_int(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise CatalogError(
            f"settings: {key} must be a whole number of months from 1 to 12, e.g. {key}: 3; got {value!r}."
        )
    return value


def _driver_window(df: pd.DataFrame, months: pd.Series, end: pd.Period, driver_months: int) -> tuple[pd.DataFrame, str]:
    """The responses of the driver model: the report month, or the ``driver_months`` months
    ending with it (pooled when one month is too thin), and how to name them."""
    if driver_months <= 1:
        return df[(months == end).to_numpy()], str(end)
    first = end - (driver_months - 1)
    return df[((months >= first) & (months <= end)).to_numpy()], f"{first} to {end} (pooled)"


#: A driver answered by fewer than this share of the responses is left out of the driver model
#: (a question not asked, or asked of few: listwise deletion would leave too few rows).
MIN_ANSWERED = 0.5


def _asked_drivers(rows: pd.DataFrame, drivers: list[str], label: str) -> tuple[list[str], str]:
    """The drivers answered by at least :data:`MIN_ANSWERED` of ``rows``, and a sentence naming
    those left out (empty when none)."""
    if rows.empty:
        return [], ""
    share = {d: float(rows[d].notna().mean()) if d in rows.columns else 0.0 for d in drivers}
    asked = [d for d in drivers if share[d] >= MIN_ANSWERED]
    out = [d for d in drivers if d not in asked]
    if not out or not asked:
        return asked, ""
    named = ", ".join(f"{_pretty(d)} ({share[d]:.0%})" for d in out)
    return asked, (
        f"Left out of the driver model: {named}, answered by fewer than {MIN_ANSWERED:.0%} of the responses in "
        f"{label} (not asked, or asked of few)."
    )


_LABELS = {
    ("nps", None): ("NPS", "{:.1f}"),
    ("csat", None): ("CSAT mean (1-5)", "{:.2f}"),
    ("csat", "top2_box"): ("CSAT top-2-box share", "{:.1%}"),
    ("ces", None): ("CES mean (1-7, low = easy)", "{:.2f}"),
    ("ces", "low_effort"): ("CES low-effort share", "{:.1%}"),
}


def _headline_table(kpis: dict, scales: dict | None = None) -> pd.DataFrame:
    rows = []
    for (key, sub), (label, _) in _LABELS.items():
        if key in ("csat", "ces") and key in (scales or {}) and sub is None:  # CSAT or CES on another scale says so
            low, high = (scales or {})[key]
            label = f"{key.upper()} mean ({low:g}-{high:g}{', low = easy' if key == 'ces' else ''})"
        if key not in kpis:
            continue
        k = kpis[key][sub] if sub else kpis[key]
        rows.append(
            {
                "kpi": label,
                "month": k["month"],
                "value": k["value"],
                "ci_low": k["ci_low"],
                "ci_high": k["ci_high"],
                "n": k["n"],
                "previous": k["previous"],
                "change": k["change"],
                "p": k.get("change_p_raw"),
                "p_adjusted": k["change_p"],
                "significant": k["significant"],
                "small_n": k.get("small_n", False),
                **({"n_eff": k["n_eff"]} if "n_eff" in k else {}),
            }
        )
    return pd.DataFrame(rows)


def headline_view(headline: pd.DataFrame) -> pd.DataFrame:
    """The headline table as a reader sees it: each KPI in its own format (NPS one decimal and
    changes in points, means two decimals, shares as % and their changes in percentage points),
    the interval beside the value, p-values in the pack's one format. Text only; the numbers
    stay in ``headline``.

    >>> h = pd.DataFrame({"kpi": ["NPS", "CSAT top-2-box share"], "month": "2026-10", "value": [19.436, 0.5232],
    ...     "ci_low": [15.67, 0.501], "ci_high": [23.15, 0.545], "n": [1986, 1986], "previous": [12.88, 0.491],
    ...     "change": [6.56, 0.0322], "p": [0.016, 0.03], "p_adjusted": [0.112, 0.21], "significant": [False, False],
    ...     "small_n": [False, False]})
    >>> headline_view(h).iloc[:, 1:5].values.tolist()
    [['19.4', '15.7 to 23.1', '12.9', '+6.6 points'], ['52.3%', '50.1% to 54.5%', '49.1%', '+3.2 pp']]
    """

    def fmt(kpi: str) -> tuple[Callable[[float], str], Callable[[float], str]]:
        if "share" in kpi:
            return (lambda v: f"{100 * v:.1f}%"), (lambda d: f"{100 * d:+.1f} pp")
        if kpi == "NPS":
            return (lambda v: f"{v:.1f}"), (lambda d: f"{d:+.1f} points")
        return (lambda v: f"{v:.2f}"), (lambda d: f"{d:+.2f}")

    rows = []
    r: Any  # itertuples rows: the stubs type each field as any scalar
    for r in headline.itertuples(index=False):
        value, delta = fmt(r.kpi)
        known = r.previous is not None and pd.notna(r.previous)
        rows.append(
            {
                "KPI": r.kpi,
                f"{r.month}": value(r.value) + (" (small sample)" if r.small_n else ""),
                "95% CI": f"{value(r.ci_low)} to {value(r.ci_high)}"
                if pd.notna(r.ci_low) and pd.notna(r.ci_high)
                else "",
                "previous month": value(r.previous) if known else "",
                "change": delta(r.change).replace("-0.0", "0.0").replace("+0.0", "0.0")
                if known and pd.notna(r.change)
                else "",
                "n": f"{r.n:,}",
                **({"effective n": f"{r.n_eff:,.0f}"} if "n_eff" in headline.columns else {}),
                "p of change": format_p(r.p) if known and pd.notna(r.p) else "",
                "p (adjusted)": format_p(r.p_adjusted) if known and pd.notna(r.p_adjusted) else "",
                "significant": ("yes" if r.significant else "no") if known else "",
            }
        )
    return pd.DataFrame(rows)


def _p(p: float) -> str:
    return p_phrase(p)  # the pack's one p-value format


def _nps_findings(kpis: dict, trend: pd.DataFrame, seg: pd.DataFrame | None, *, family: int, padjust: str) -> list[str]:
    k = kpis["nps"]
    method = {"holm": "Holm", "bh": "Benjamini-Hochberg", "bonferroni": "Bonferroni", "none": "no"}[padjust]
    sample = f"n = {k['n']:,}" + (f", effective n = {k['n_eff']:,.0f} with the weights" if "n_eff" in k else "")
    out = [f"NPS in {k['month']} is {k['value']:.1f} (95% CI {k['ci_low']:.1f} to {k['ci_high']:.1f}, {sample})."]
    if k.get("small_n") and k["n"] < k["min_n"]:
        out[0] = (
            f"NPS in {k['month']} comes from a small sample: {k['value']:.0f} (95% CI {k['ci_low']:.0f} to "
            f"{k['ci_high']:.0f}) from {k['n']:,} response{'' if k['n'] == 1 else 's'}, fewer than {k['min_n']}; shown, not a finding, and "
            "its change is not assessed."
        )
    elif k.get("small_n"):
        out.append(
            f"{k['previous_month']} had fewer than {k['min_n']} responses, so the change from it is not assessed."
        )
    elif k["change"] is not None:
        if k["significant"]:
            word = "rose" if k["change"] > 0 else "fell"
            out.append(
                f"NPS {word} {abs(k['change']):.1f} points from {k['previous']:.1f} in {k['previous_month']}; "
                f"significant as one of the month's headline KPIs (adjusted {_p(k['change_p'])})."
            )
        else:
            out.append(
                f"The change of {k['change']:+.1f} points from {k['previous_month']} is not statistically "
                f"significant as one of the month's headline KPIs (adjusted {_p(k['change_p'])})."
            )
    earlier = trend[trend["significant"] & (trend["period"] != k["month"]) & ~_small_rows(trend)]
    if len(earlier):
        out.append(
            "Earlier significant month-over-month changes: "
            + "; ".join(
                f"{r.period}: {r.change:+.1f} points vs {r.previous_period}, adjusted {_p(r.p_adjusted)}"
                for r in earlier.itertuples()
            )
            + "."
        )
    elif trend["period"].nunique() > 1:
        out.append(f"No other month-over-month change in the {trend['period'].nunique()} months shown is significant.")
    if seg is not None and len(seg):
        small = _small_rows(seg)
        if small.any():
            out.append(
                f"Small groups (fewer than {k['min_n']} responses) are shown but not compared: "
                + ", ".join(f"{r.by} {r.group} (n = {r.n:,})" for r in seg[small].itertuples())
                + "."
            )
        seg = seg[~small]
        sig = seg[seg["significant"]]
        if seg.empty:
            pass  # every group is small: said above
        elif len(sig):
            r: Any  # itertuples rows: the stubs type each field as any scalar
            for r in sig.itertuples():
                word = "higher" if r.diff > 0 else "lower"
                out.append(
                    f"{r.by.capitalize()} {r.group}: NPS {r.value:.1f}, {abs(r.diff):.1f} points {word} than the "
                    f"rest ({r.value_reference:.1f}; adjusted {_p(r.p_adjusted)} across the {family} segment and "
                    f"driver tests, {method})."
                )
        else:
            out.append(f"No {' or '.join(seg['by'].unique())} differs significantly from the rest this month.")
    for key, name in (("csat", "CSAT"), ("ces", "CES")):
        if key not in kpis:
            continue
        share = "top-2-box" if key == "csat" else "low-effort"
        moved = [
            (label, kk, fmt)
            for label, kk, fmt in (
                (f"{name} mean", kpis[key], "{:.2f}"),
                (f"{name} {share} share", kpis[key]["top2_box" if key == "csat" else "low_effort"], "{:.1%}"),
            )
            if kk["significant"] and not kk.get("small_n")
        ]
        if moved:
            out.extend(
                f"{label} {'rose' if kk['change'] > 0 else 'fell'} from {fmt.format(kk['previous'])} in "
                f"{kk['previous_month']} to {fmt.format(kk['value'])}"
                + (f" ({'more' if kk['change'] > 0 else 'less'} effort)" if label == "CES mean" else "")
                + f", adjusted {_p(kk['change_p'])}."
                for label, kk, fmt in moved
            )
        elif kpis[key].get("small_n"):
            out.append(
                f"{name} ({kpis[key]['value']:.2f}) comes from a small sample (n = {kpis[key]['n']:,}); its change "
                "is not assessed."
            )
        elif kpis[key]["change"] is not None:
            out.append(
                f"{name} ({kpis[key]['value']:.2f}) did not change significantly from {kpis[key]['previous_month']}."
            )
    return out


def _small_rows(table: pd.DataFrame) -> pd.Series:
    return table["small_n"].fillna(False).astype(bool) if "small_n" in table else pd.Series(False, index=table.index)


def _one_sentence(k: dict, top: pd.Series | None, meta: dict) -> str:
    head = f"NPS {k['value']:.1f} in {k['month']}, 95% CI {k['ci_low']:.1f} to {k['ci_high']:.1f}"
    if k.get("small_n"):
        if k["n"] < k["min_n"]:
            head = f"NPS {k['value']:.1f} in {k['month']} from a small sample (n = {k['n']:,}; not a finding)"
        change = ""
    elif k["change"] is None:
        change = ""
    elif k["significant"]:
        change = f", {'up' if k['change'] > 0 else 'down'} {abs(k['change']):.1f} points from {k['previous_month']} (significant)"
    else:
        change = f", no significant change from {k['previous_month']}"
    if top is None:  # no driver model this month: the page says why
        return f"{head}{change}."
    name = _pretty(top["driver"])
    if pd.notna(top["prob_first"]) and top["prob_first"] >= 0.95:
        driver = f"{name} is the largest driver ({100 * top['share']:.1f}% of explained variance"
        driver += (
            f", 95% CI {100 * top['ci_low']:.1f}% to {100 * top['ci_high']:.1f}%)" if pd.notna(top["ci_low"]) else ")"
        )
    else:
        driver = f"{name} leads the drivers ({100 * top['share']:.1f}% of explained variance; order uncertain)"
    return f"{head}{change}; {driver}."


def _pretty(name: object) -> str:
    return str(name).replace("_", " ")


def _alt_texts(rep: NpsReport) -> dict:
    alt: dict[str, str] = {}
    if not rep.trend.empty and "nps" in rep.kpis:
        alt.update(_trend_alt(rep))
    if len(rep.segments):
        s = rep.segments[rep.segments["significant"]]
        alt["segments"] = (
            "NPS by segment and channel with 95% intervals; "
            + (
                "; ".join(f"{r.group} differs from the rest ({r.diff:+.0f} points)" for r in s.itertuples())
                or "no group differs significantly from the rest"
            )
            + "."
        )
    if not rep.drivers.empty:
        alt.update(_driver_alt(rep))
    return alt


def _trend_alt(rep: NpsReport) -> dict[str, str]:
    trend = rep.trend
    sig = trend[trend["significant"]]
    marks = "; ".join(
        f"significant change in {r.period}: {'up' if r.change > 0 else 'down'} {abs(r.change):.1f} points"
        for r in cast("Iterable[Any]", sig.itertuples())
    )
    k = rep.kpis["nps"]
    alt = {
        "trend": f"NPS by month from {trend['period'].iloc[0]} to {trend['period'].iloc[-1]} with 95% confidence "
        f"band; {marks or 'no significant month-over-month change'}; NPS in {k['month']}: {k['value']:.1f}."
    }
    return alt


def _driver_alt(rep: NpsReport) -> dict[str, str]:
    alt = {}
    main = rep.drivers[rep.drivers["method"] == rep.drivers["method"].iloc[0]]
    top = main.iloc[0]
    alt["importance"] = (
        f"Share of explained variance per driver with 95% intervals; {_pretty(top['driver'])} is first "
        f"with {100 * top['share']:.0f}%, {_pretty(main.iloc[-1]['driver'])} last with "
        f"{100 * main.iloc[-1]['share']:.0f}%."
    )
    fix = [_pretty(d) for d in main[main["quadrant"] == "fix first"]["driver"]]
    alt["quadrant"] = (
        "Importance against mean rating per driver, split at the medians; fix first: "
        + (", ".join(fix) if fix else "none")
        + "."
    )
    return alt


# --------------------------------------------------------------------------- drivers


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


_TARGET_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}


def _name(driver: str) -> str:
    return str(driver).replace("_", " ")


def driver_findings(result: pd.DataFrame, change: pd.DataFrame | None = None, *, level: float = 0.95) -> list[str]:
    """Plain-language findings from :func:`key_drivers` (and :func:`driver_change`).

    Claims only what the numbers support: a driver is called *the largest* only when it ranks
    first in at least ``level`` of the bootstrap resamples; otherwise the leaders are named as
    a group. A change of share is mentioned only when ``significant``.

    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame
    >>> driver_findings(cx.key_drivers(fb, "nps", bootstrap=50))[0][:60]
    'Product quality is the largest driver of NPS: 28% of the exp'
    """
    meta = result.attrs
    main = result[result["method"] == result["method"].iloc[0]].sort_values("rank")
    top = main.iloc[0]
    what = "explained variance" if meta.get("model") == "linear" else "explained pseudo-R²"
    ci = f", 95% CI {100 * top['ci_low']:.0f}–{_pct(top['ci_high'])}" if pd.notna(top["ci_low"]) else ""
    target = _TARGET_NAMES.get(meta["target"], meta["target"])
    out = []
    if pd.notna(top["prob_first"]) and top["prob_first"] >= level:
        out.append(
            f"{_name(top['driver']).capitalize()} is the largest driver of {target}: "
            f"{_pct(top['share'])} of the {what}{ci}."
        )
    else:
        tied = main[main["prob_first"] >= 1 - level] if main["prob_first"].notna().any() else main.head(2)
        names = ", ".join(_name(d) for d in tied["driver"]) or _name(top["driver"])
        first_note = (
            f" ({_name(top['driver'])} ranks first in {_pct(top['prob_first'])} of resamples)"
            if pd.notna(top["prob_first"])
            else " (no bootstrap: the order is not tested)"
        )
        out.append(
            f"The leading drivers of {target} are {names}; their order is uncertain{first_note}. "
            f"{_name(top['driver']).capitalize()} has {_pct(top['share'])} of the {what}{ci}."
        )
    out.append(
        f"The {len(main)} drivers together explain {meta['r2']:.0%} of the variation in {target} "
        f"({meta['r2_kind']}, n = {meta['n']:,})."
    )
    fix = main[main["quadrant"] == "fix first"]
    if len(fix):
        out.append(
            "Fix first (above-median importance, below-median rating): "
            + ", ".join(f"{_name(r.driver)} (rated {r.performance:.1f})" for r in fix.itertuples())
            + "."
        )
    if change is not None and len(change):
        sig = change[change["significant"]]
        span = f"{change['previous_period'].iloc[0]} to {change['period'].iloc[0]}"
        if len(sig):
            r: Any  # itertuples rows: the stubs type each field as any scalar
            for r in sig.itertuples():
                word = "rose" if r.change > 0 else "fell"
                out.append(
                    f"The share of {_name(r.driver)} {word} from {_pct(r.share_previous)} to {_pct(r.share)} "
                    f"({span}; adjusted p = {r.p_adjusted:.3g})."
                )
        else:
            out.append(
                f"No driver's share changed significantly from {span} (bootstrap test, adjusted for "
                f"{len(change)} drivers)."
            )
    if meta.get("warnings"):
        out.append("Caution: " + " ".join(meta["warnings"]))
    return out


# --------------------------------------------------------------------------- weighted figures (issue 29)

#: The column :func:`weighted_feedback` adds: each response's survey weight (mean 1 per month).
WEIGHT_COLUMN = "survey_weight"


def weighted_feedback(
    df: pd.DataFrame, spec: dict[str, Any], *, date: str = "responded_at"
) -> tuple[pd.DataFrame, str, dict[str, Any]]:
    """The feedback table with a survey-weight column, each month weighted to the catalog's
    ``weights:`` section (:func:`cxkit.survey_weights`, ``by`` month).

    Returns the new table (``df`` is not modified), the weight column's name
    (:data:`WEIGHT_COLUMN`) and how the weights were made (``attrs["weighting"]``).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"responded_at": pd.to_datetime(["2026-10-01"] * 4), "segment": list("aaab")})
    >>> out, column, info = weighted_feedback(df, {"rake": {"segment": {"a": 0.5, "b": 0.5}}})
    >>> out[column].round(3).tolist(), info["method"]
    ([0.667, 0.667, 0.667, 2.0], 'rake')
    """
    from ..analysis.weighting import survey_weights

    if date not in df.columns:
        raise ValueError(f"date column {date!r} not found; the weights are computed per month of it.")
    months = pd.to_datetime(df[date]).dt.to_period("M").astype(str)
    w = survey_weights(df.assign(_weight_month=months.to_numpy()), spec, by="_weight_month", name=WEIGHT_COLUMN)
    out = df.assign(**{WEIGHT_COLUMN: w.to_numpy()})
    out.attrs = dict(df.attrs)
    return out, WEIGHT_COLUMN, dict(w.attrs["weighting"])


def _weighted(weights: str | None) -> dict[str, str]:
    """``weights=`` for the analyses when the page is weighted (nothing otherwise, so an
    unweighted page calls them exactly as before)."""
    return {} if weights is None else {"weights": weights}


def _unweighted_kpis(
    df: pd.DataFrame, end: pd.Period, *, date: str, periods: int, padjust: str, alpha: float, min_n: int
) -> dict[str, Any]:
    """The month's KPI dicts without weights (as the unweighted page has them)."""
    kpis: dict[str, Any] = {}
    for key in ("nps", "csat", "ces"):
        if key not in df.columns or not df[key].notna().any():
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                trend = kpi_trend(
                    df,
                    key,
                    date=date,
                    month=str(end),
                    periods=periods if key == "nps" else 2,
                    padjust=padjust,
                    alpha=alpha,
                    min_n=min_n,
                )
        except CxkitError:
            continue
        flagged = headline_flags(trend, alpha=alpha)
        if flagged is None:
            continue
        if key == "nps":
            kpis[key] = kpi_headline(flagged, month=str(end))
        else:
            share = "top2_box" if key == "csat" else "low_effort"
            kpis[key] = {
                **kpi_headline(flagged, month=str(end), metric="mean"),
                share: kpi_headline(flagged, month=str(end), metric=share),
            }
        if not kpis[key]["n"]:
            del kpis[key]
    return kpis


def _weighting_summary(
    month_weights: pd.Series, info: dict[str, Any], unweighted: dict[str, Any], scales: dict
) -> dict[str, Any]:
    """The page's ``weighting``: how, the month's n, effective n and weight range, the statement
    and the unweighted KPIs (with their headline table, kept out of results.json)."""
    from ..analysis.weighting import weighting_statement

    w = month_weights.to_numpy(dtype=float)
    w = w[~pd.isna(w)]
    n = int(w.size)
    n_eff = float(w.sum() ** 2 / (w**2).sum()) if n and (w**2).sum() > 0 else 0.0
    mean = float(w.mean()) if n else 1.0
    low, high = (float(w.min() / mean), float(w.max() / mean)) if n else (float("nan"), float("nan"))
    part = {
        "method": info.get("method", "column"),
        "margins": list(info.get("margins") or []),
        **({"targets": info["targets"]} if info.get("targets") else {}),
        **({"trim": info["trim"]} if info.get("trim") else {}),
        "n": n,
        "n_eff": n_eff,
        "min": low,
        "max": high,
        "unweighted": unweighted,
    }
    part["statement"] = weighting_statement(part)
    part["_table"] = _headline_table(unweighted, scales)
    return part


def weighting_part(weighting: dict[str, Any]) -> dict[str, Any]:
    """The ``weighting`` key of ``results.json`` (nothing for an unweighted page): ``method``
    ("rake", "cells" or "column"), ``margins``, ``targets`` (raking), ``trim``, the report
    month's ``n``, ``n_eff`` (Kish's effective sample size), ``min`` and ``max`` (weights
    relative to the month's mean), ``statement`` (the sentence the pages show) and
    ``unweighted`` (the month's KPI dicts without weights: ``nps``, ``csat``, ``ces``, as the
    weighted ones at the top level).

    >>> weighting_part({})
    {}
    """
    if not weighting:
        return {}
    return {"weighting": {k: v for k, v in weighting.items() if not k.startswith("_")}}


def weighting_note(results: dict[str, Any]) -> str:
    """The sentence an index shows when the pack's figures are weighted ("" otherwise), from
    ``results.json``: which margins, the effective sample size and the weights' range.

    >>> weighting_note({"nps": {}})
    ''
    """
    part = results.get("weighting") or {}
    return str(part.get("statement") or "")


def _with_unweighted(shown: Any, weighting: dict[str, Any]) -> Any:
    """The headline table, and when the page is weighted, the statement above it and the
    unweighted KPIs in a table below it."""
    if not weighting or not isinstance(shown, SafeHTML):
        return shown
    unweighted = weighting.get("_table")
    below = (
        table(headline_view(unweighted), caption="The same KPIs unweighted (every response counted once)")
        if isinstance(unweighted, pd.DataFrame) and not unweighted.empty
        else None
    )
    statement = str(weighting.get("statement") or "")
    html = f'<p class="cx-weighting">{safe_text(statement)}</p>' + shown.html + (below.html if below else "")
    text = "\n\n".join([statement, shown.text] + ([below.text] if below else []))
    return SafeHTML(html, text=text)


# --------------------------------------------------------------------------- comment themes (issue 26)


def _impact_view(impact: pd.DataFrame) -> pd.DataFrame:
    """The impact table as shown: one row per theme, each metric with / without, its difference
    with the interval written out, and the adjusted p (``theme_impact``'s long table, made wide)."""
    rows = []
    for theme, part in impact.groupby("theme", sort=False):
        row: dict[str, Any] = {"theme": theme}
        for _, r in part.iterrows():
            share = r["metric"] in ("detractor_share", "top2_box")
            scale, unit = (100.0, " pp") if share else (1.0, "")
            name = str(r["metric"])
            row["n_with"], row["n_without"] = int(r["n_with"]), int(r["n_without"])
            row[f"{name}_with"], row[f"{name}_without"] = r["value_with"], r["value_without"]
            row[f"{name}_difference"] = r["diff"]
            row[f"{name}_difference_ci"] = f"{scale * r['diff_ci_low']:+.1f} to {scale * r['diff_ci_high']:+.1f}{unit}"
            row[f"{name}_p_adjusted"] = r["p_adjusted"]
        row["small_n"] = bool(part["small_n"].any())
        rows.append(row)
    return pd.DataFrame(rows)


_IMPACT_LABELS = {
    "n_with": "n with",
    "n_without": "n without",
    "nps_with": "NPS with",
    "nps_without": "NPS without",
    "nps_difference": "NPS difference",
    "nps_difference_ci": "NPS difference, 95% CI",
    "nps_p_adjusted": "NPS p (adjusted)",
    "detractor_share_with": "detractors with",
    "detractor_share_without": "detractors without",
    "detractor_share_difference": "detractors difference",
    "detractor_share_difference_ci": "detractors difference, 95% CI",
    "detractor_share_p_adjusted": "detractors p (adjusted)",
    "mean_with": "CSAT mean with",
    "mean_without": "CSAT mean without",
    "mean_difference": "CSAT mean difference",
    "mean_difference_ci": "CSAT difference, 95% CI",
    "mean_p_adjusted": "CSAT mean p (adjusted)",
    "top2_box_with": "top-2-box with",
    "top2_box_without": "top-2-box without",
    "top2_box_difference": "top-2-box difference",
    "top2_box_difference_ci": "top-2-box difference, 95% CI",
    "top2_box_p_adjusted": "top-2-box p (adjusted)",
    "small_n": "small n",
}


def _add_comment_themes(
    report: NpsReport,
    df: pd.DataFrame,
    months: pd.Series,
    end: pd.Period,
    *,
    themes: dict | None,
    alpha: float,
    padjust: str,
    min_n: int,
) -> None:
    """The month's comment themes, their association with NPS and CSAT, and their trend: set on
    ``report`` with one finding (the theme whose mentions go with the lowest NPS, when significant)."""
    from ..analysis.themes import tag_themes, theme_impact, theme_set, theme_trend

    chosen = theme_set(themes)
    report.theme_note = chosen.note()
    reason = None
    if "comment" not in df.columns or not df["comment"].notna().any():
        reason = "the survey has no comments (a comment column), so there are no comment themes."
    window = ((months == end) | (months == end - 1)).to_numpy()
    has_text = (
        df["comment"].astype("string").str.strip().fillna("").astype(bool).to_numpy()
        if reason is None
        else np.zeros(len(df), dtype=bool)
    )
    if reason is None and not (has_text & (months == end).to_numpy()).any():
        reason = f"no response in {end} has a comment, so there are no comment themes this month."
    if reason is not None:
        for name in ("comment_themes", "comment_themes_csat", "comment_theme_trend"):
            report.unavailable[name] = reason
        return
    commented = df[window & has_text]
    language = commented["language"] if "language" in commented.columns else None
    tags = tag_themes(commented["comment"], themes=chosen, language=language if not chosen.generic else None)
    data = pd.concat([commented.drop(columns=[c for c in tags.columns if c in commented.columns]), tags], axis=1)
    this = data[(months[window & has_text] == end).to_numpy()]
    names = [n for n in chosen.names if this[n].any()]
    if not names:
        report.unavailable["comment_themes"] = f"no comment in {end} mentions a theme. {chosen.note()}"
    elif "nps" in this.columns and this["nps"].notna().any():
        impact = _quietly(theme_impact, this, "nps", themes=names, alpha=alpha, padjust=padjust, min_n=min_n)
        if len(impact):
            report.comment_themes = impact
            nps_rows = impact[(impact["metric"] == "nps") & impact["significant"] & ~impact["small_n"]]
            worst = nps_rows.sort_values("diff").head(1)
            if len(worst) and worst["diff"].iloc[0] < 0:
                r = worst.iloc[0]
                det = impact[(impact["theme"] == r["theme"]) & (impact["metric"] == "detractor_share")].iloc[0]
                report.findings.append(
                    f"Comments mentioning {r['theme']} come with an NPS {abs(r['diff']):.0f} points lower than other "
                    f"comments in {end} ({r['value_with']:.0f} vs {r['value_without']:.0f}, n = {int(r['n_with']):,}; "
                    f"{100 * det['value_with']:.0f}% detractors vs {100 * det['value_without']:.0f}%; adjusted "
                    f"{p_phrase(r['p_adjusted'])} over the page's {len(names)} themes)."
                )
        else:
            report.unavailable["comment_themes"] = (
                f"every comment in {end} mentions the same themes; nothing to compare."
            )
    else:
        report.unavailable["comment_themes"] = f"no commented response in {end} answers the NPS question."
    if names and "csat" in this.columns and this["csat"].notna().any():
        csat = _quietly(theme_impact, this, "csat", themes=names, alpha=alpha, padjust=padjust, min_n=min_n)
        if len(csat):
            report.comment_themes_csat = csat
    if report.comment_themes_csat is None:
        report.unavailable["comment_themes_csat"] = f"no commented response in {end} answers the CSAT question."
    before = data[(months[window & has_text] == end - 1).to_numpy()]
    if not len(before):
        report.unavailable["comment_theme_trend"] = f"there are no comments from {end - 1} to compare with."
    elif names:
        trend = theme_trend(data, themes=names, month=str(end), date="responded_at", alpha=alpha)
        report.comment_theme_trend = trend
        rising = trend[trend["emerging"]].sort_values("change", ascending=False)
        if len(rising):
            r = rising.iloc[0]
            report.findings.append(
                f"Emerging comment theme: {r['theme']}, mentioned in {100 * r['share']:.1f}% of comments in {end} "
                f"against {100 * r['previous_share']:.1f}% in {end - 1} (Holm-adjusted {p_phrase(r['p_adjusted'])})."
            )
