"""The "NPS and key drivers" page: how likely customers are to recommend us this month, whether
that changed, where it is higher or lower, and which parts of the experience drive it.

:func:`nps_report` (``NpsReport.from_catalog`` in the pack) computes the page once: the
headline KPIs under the pack's headline policy, the NPS trend, segment comparisons and the key
drivers with their change, adjusted as one family; the page offers them by the page protocol
(:mod:`cxkit.pack.page`). The findings sentences and alt texts live here; the statistics live in
:mod:`cxkit.analysis.nps` and :mod:`cxkit.analysis.drivers`.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

import numpy as np
import pandas as pd

from .. import i18n
from ..analysis.drivers import VIF_WARN, driver_change, driver_diagnostics, key_drivers
from ..analysis.nps import MIN_N, adjust_flags, compare_nps, headline_flags, kpi_headline, kpi_trend
from ..display import SafeHTML, figure, safe_text, table
from ..display import findings as findings_list
from ..errors import CatalogError, CxkitError, DataWarning, NotEnoughDataError, WrongScaleError
from ..i18n import N_, decimal, integer, ntr, percent, tr, translate
from ..periods import resolve_month
from ..plots import plot_importance, plot_nps_by_segment, plot_nps_trend, plot_quadrant
from .page import ReportPage, section
from .review_sentiment import theme_list_note

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

    title: ClassVar[str] = N_("NPS and key drivers")

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
        return findings_list(
            self.findings, title=tr("NPS and key drivers, {month}", month=i18n.month(self.month))
        )._repr_html_()

    # -- sections, in page order ---------------------------------------------------------

    @section("headline")
    def _headline(self):
        """This month's KPIs against the previous month."""
        shown = table(
            headline_view(self.need(self.headline, "headline")),
            caption=tr("Headline KPIs for {month}, with 95% confidence intervals", month=i18n.month(self.month)),
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
        shown = self.need(self.trend, "trend")[columns].assign(period=lambda t: t["period"].map(i18n.month))
        return table(shown, caption=tr("NPS by month"), signed=["change"], labels=_headers(columns))

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
        shown = self.need(self.drivers, "drivers")[columns].assign(quadrant=lambda t: t["quadrant"].map(_quadrant))
        return table(
            shown,
            caption=tr(
                "Key drivers of NPS, {months}",
                months=self.drivers.attrs.get("months_label") or i18n.month(self.month),
            ),
            digits={"importance": 3, "performance": 2},
            percent=["share", "prob_first"],
            labels=_headers(columns),
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
            caption=tr("Share of explained variance, previous month against this month"),
            percent=["share_previous", "share"],
            pp=["change"],
            labels=_headers(columns),
        )

    @section("diagnostics")
    def _diagnostics(self):
        """Checks of the driver model."""
        shown = _diagnostics_view(self.need(self.diagnostics, "drivers"), self.drivers)
        return table(shown, caption=tr("Checks of the key-driver model"), labels=_headers(shown.columns))

    # -- comment themes (issue 26) -------------------------------------------------------

    @section("comment_themes")
    def _comment_themes(self):
        """Themes of this month's comments and their association with NPS."""
        impact = self.need(self.comment_themes, "comment_themes")
        return table(
            _impact_view(impact),
            caption=tr(
                "Comment themes and NPS, {month}: responses whose comment mentions the theme against the other "
                "commented responses, 95% intervals, p adjusted ({method}) over the page's themes. {note}",
                month=i18n.month(self.month),
                method=self.padjust,
                note=self.theme_note,
            ),
            percent=["detractor_share_with", "detractor_share_without"],
            pp=["detractor_share_difference"],
            signed=["nps_difference"],
            labels=_impact_labels(),
        )

    @section("comment_themes_csat")
    def _comment_themes_csat(self):
        """Themes of this month's comments and their association with CSAT."""
        impact = self.need(self.comment_themes_csat, "comment_themes_csat")
        return table(
            _impact_view(impact),
            caption=tr(
                "Comment themes and CSAT, {month}: mean and top-2-box share, responses whose comment mentions the "
                "theme against the other commented responses, p adjusted ({method}) over the themes",
                month=i18n.month(self.month),
                method=self.padjust,
            ),
            digits=2,
            percent=["top2_box_with", "top2_box_without"],
            pp=["top2_box_difference"],
            signed=["mean_difference"],
            labels=_impact_labels(),
        )

    @section("comment_theme_trend")
    def _comment_theme_trend(self):
        """Each theme's share of the comments, this month against the month before."""
        trend = self.need(self.comment_theme_trend, "comment_theme_trend")
        columns = ["theme", "n", "share", "previous_n", "previous_share", "change", "p", "p_adjusted", "emerging"]
        return table(
            trend[columns],
            caption=tr(
                "Comment themes, {month} against the month before (two-proportion z-test, Holm-adjusted)",
                month=i18n.month(self.month),
            ),
            percent=["share", "previous_share"],
            pp=["change"],
            labels=_headers(columns),
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
        driver model are weighted (the monthly KPI intervals from the linearised variance of
        the calibrated estimate, the rest on Kish's effective n); the page states it (the
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
            tr(
                "no responses in {month} (data cover {first} to {last}); choose a month the data cover.",
                month=i18n.month(end),
                first=i18n.month(f"{dates.min():%Y-%m}"),
                last=i18n.month(f"{dates.max():%Y-%m}"),
            )
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
        missing["trend"] = tr(
            "the survey has no answers to the 0-10 recommend question (nps); map it with {setting} in the catalog.",
            setting="columns: {nps: <its column>}",
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
            notes.append(tr("{column} (not a column of the survey)", column=c))
        elif this_month[c].nunique() < 2:
            notes.append(tr("{column} (fewer than two groups in {month})", column=c, month=i18n.month(end)))
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
        setting = "settings: {breakdowns: [segment, channel, ...]}"
        missing["segments"] = (
            tr(
                "no breakdown column has two or more groups to compare in {month} ({notes}); name breakdown columns "
                "with {setting} in the catalog.",
                month=i18n.month(end),
                notes="; ".join(notes),
                setting=setting,
            )
            if notes
            else tr(
                "no breakdown column has two or more groups to compare in {month}; name breakdown columns with "
                "{setting} in the catalog.",
                month=i18n.month(end),
                setting=setting,
            )
        )
    driver_names = list(drivers if drivers is not None else df.attrs.get("drivers") or [])
    pooled, label = _driver_window(df, months, end, driver_months)
    asked, left_out = _asked_drivers(pooled, driver_names, label)
    kd = change = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the warnings are kept in the diagnostics
        if not driver_names:
            missing["drivers"] = tr(
                "the survey has no driver-rating columns; list them with {setting} in the catalog.",
                setting="drivers: [...]",
            )
        elif not asked:
            missing["drivers"] = ntr(
                "the {n} driver rating was not answered in {months}.",
                "none of the {n} driver ratings was answered in {months}.",
                len(driver_names),
                n=integer(len(driver_names)),
                months=label,
            )
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
                missing["drivers"] += " " + tr(
                    "Pool months for the driver model with {setting} in the catalog.",
                    setting="settings: {driver_months: 3}",
                )
        if kd is not None:
            kd.attrs["months_label"] = label
            kd.attrs["left_out"] = left_out
            if driver_months > 1:
                missing["driver_change"] = tr(
                    "the driver model pools {months}, and the change of the drivers compares single months; "
                    "set {setting} to see it.",
                    months=label,
                    setting="driver_months: 1",
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
                    missing["driver_change"] = tr(
                        "there are no responses in {month} to compare the drivers with.", month=i18n.month(end - 1)
                    )
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
        missing["trend"] = tr("no response in {month} answers the 0-10 recommend question.", month=i18n.month(end))
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
        findings.append(
            tr("Not asked (no answers) in {month}: {kpis}.", month=i18n.month(end), kpis=", ".join(not_asked))
        )
    findings.extend(tr("Note: {note}", note=note) for note in notes_combined)
    if weighted_part:
        findings.insert(0, weighting_sentence(weighted_part))
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
        report.unavailable["headline"] = tr("the survey has no NPS, CSAT or CES answers in this month.")
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
                tr(
                    "the nps column looks like a 1-10 rating, not the 0-10 'how likely are you to recommend us' "
                    "question: none of its {answers} answers is 0. NPS is defined only for the 0-10 question, so it is "
                    "not shown; map a 1-10 overall satisfaction rating to csat with {csat} (or as the rating of a "
                    "reviews source, with {rating}) instead of nps.",
                    answers=integer(answers),
                    csat="scales: {csat: [1, 10]}",
                    rating="scales: {rating: [1, 10]}",
                )
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
        return df[(months == end).to_numpy()], i18n.month(end)
    first = end - (driver_months - 1)
    return df[((months >= first) & (months <= end)).to_numpy()], tr(
        "{first} to {last} (pooled)", first=i18n.month(first), last=i18n.month(end)
    )


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
    named = ", ".join(f"{_pretty(d)} ({percent(share[d], 0)})" for d in out)
    return asked, tr(
        "Left out of the driver model: {drivers}, answered by fewer than {share} of the responses in {months} (not "
        "asked, or asked of few).",
        drivers=named,
        share=percent(MIN_ANSWERED, 0),
        months=label,
    )


_LABELS = {
    ("nps", None): (N_("NPS"), "{:.1f}"),
    ("csat", None): ("CSAT mean (1-5)", "{:.2f}"),
    ("csat", "top2_box"): (N_("CSAT top-2-box share"), "{:.1%}"),
    ("ces", None): ("CES mean (1-7, low = easy)", "{:.2f}"),
    ("ces", "low_effort"): (N_("CES low-effort share"), "{:.1%}"),
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


_SCALED_KPI = re.compile(r"^(CSAT|CES) mean \((\S+?)-(\S+?)(, low = easy)?\)$")


def _kpi_label(kpi: str) -> str:
    """A KPI's name in the report language (the headline table keeps the English name, which
    also chooses its format)."""
    scaled = _SCALED_KPI.match(kpi)
    if scaled is None:
        return translate(kpi)
    name, low, high, easy = scaled.groups()
    if easy:
        return tr("{kpi} mean ({low}-{high}, low = easy)", kpi=name, low=low, high=high)
    return tr("{kpi} mean ({low}-{high})", kpi=name, low=low, high=high)


def headline_view(headline: pd.DataFrame) -> pd.DataFrame:
    """The headline table as a reader sees it: each KPI in its own format (NPS one decimal and
    changes in points, means two decimals, shares as % and their changes in percentage points),
    the interval beside the value, p-values in the pack's one format, words and numbers in the
    report language (:mod:`cxkit.i18n`). Text only; the numbers stay in ``headline``.

    >>> h = pd.DataFrame({"kpi": ["NPS", "CSAT top-2-box share"], "month": "2026-10", "value": [19.436, 0.5232],
    ...     "ci_low": [15.67, 0.501], "ci_high": [23.15, 0.545], "n": [1986, 1986], "previous": [12.88, 0.491],
    ...     "change": [6.56, 0.0322], "p": [0.016, 0.03], "p_adjusted": [0.112, 0.21], "significant": [False, False],
    ...     "small_n": [False, False]})
    >>> headline_view(h).iloc[:, 1:5].values.tolist()
    [['19.4', '15.7 to 23.1', '12.9', '+6.6 points'], ['52.3%', '50.1% to 54.5%', '49.1%', '+3.2 pp']]
    >>> with i18n.language("da"):
    ...     headline_view(h).iloc[1, :5].tolist()
    ['CSAT top-2-box-andel', '52,3\\xa0%', '50,1\\xa0% til 54,5\\xa0%', '49,1\\xa0%', '+3,2\\xa0pct.-point']
    """

    def fmt(kpi: str) -> tuple[Callable[[float], str], Callable[[float], str]]:
        if "share" in kpi:
            return (lambda v: percent(v, 1)), (lambda d: i18n.points(d))
        if kpi == "NPS":
            return (lambda v: decimal(v, 1)), (lambda d: tr("{change} points", change=decimal(d, 1, sign=True)))
        return (lambda v: decimal(v, 2)), (lambda d: decimal(d, 2, sign=True))

    def p_cell(p: Any, known: bool) -> str:
        return i18n.p_value(p) if known and pd.notna(p) else ""

    rows = []
    r: Any  # itertuples rows: the stubs type each field as any scalar
    for r in headline.itertuples(index=False):
        value, delta = fmt(r.kpi)
        known = r.previous is not None and pd.notna(r.previous)
        shown = value(r.value)
        rows.append(
            {
                tr("KPI"): _kpi_label(r.kpi),
                i18n.month(r.month): tr("{value} (small sample)", value=shown) if r.small_n else shown,
                tr("95% CI"): tr("{low} to {high}", low=value(r.ci_low), high=value(r.ci_high))
                if pd.notna(r.ci_low) and pd.notna(r.ci_high)
                else "",
                tr("previous month"): value(r.previous) if known else "",
                # a change that rounds to zero is shown unsigned (the formatters drop the sign of 0.0)
                tr("change"): delta(r.change) if known and pd.notna(r.change) else "",
                "n": integer(r.n),
                **({tr("effective n"): integer(r.n_eff)} if "n_eff" in headline.columns else {}),
                tr("p of change"): p_cell(r.p, known),
                tr("p (adjusted)"): p_cell(r.p_adjusted, known),
                tr("significant"): (tr("yes") if r.significant else tr("no")) if known else "",
            }
        )
    return pd.DataFrame(rows)


def _p(p: float) -> str:
    """A p-value inside a sentence, in the pack's one format (``p = 0.034``, ``p < 0.001``) and
    the report language's numbers."""
    text = i18n.p_value(p)
    if not text:
        return tr("p = n/a")
    return f"p {text}" if text.startswith("<") else f"p = {text}"


#: The names of the adjustments in the findings (proper names, not translated).
_ADJUSTMENTS = {"holm": "Holm", "bh": "Benjamini-Hochberg", "bonferroni": "Bonferroni"}
#: The canonical breakdown columns, in words; a catalog's own breakdown columns keep their names.
_BREAKDOWNS = {"segment": N_("segment"), "channel": N_("channel")}


def _breakdown(column: object) -> str:
    name = str(column)
    return translate(_BREAKDOWNS[name]) if name in _BREAKDOWNS else name


def _or(items: list[str]) -> str:
    """``a or b or c`` in the report language."""
    text = items[0] if items else ""
    for item in items[1:]:
        text = tr("{first} or {second}", first=text, second=item)
    return text


#: A CSAT or CES figure that changed significantly: (kpi, metric, rose) -> the sentence.
_MOVES = {
    ("csat", "mean", True): N_("CSAT mean rose from {previous} in {month} to {value}, adjusted {p}."),
    ("csat", "mean", False): N_("CSAT mean fell from {previous} in {month} to {value}, adjusted {p}."),
    ("csat", "top2_box", True): N_("CSAT top-2-box share rose from {previous} in {month} to {value}, adjusted {p}."),
    ("csat", "top2_box", False): N_("CSAT top-2-box share fell from {previous} in {month} to {value}, adjusted {p}."),
    ("ces", "mean", True): N_("CES mean rose from {previous} in {month} to {value} (more effort), adjusted {p}."),
    ("ces", "mean", False): N_("CES mean fell from {previous} in {month} to {value} (less effort), adjusted {p}."),
    ("ces", "low_effort", True): N_("CES low-effort share rose from {previous} in {month} to {value}, adjusted {p}."),
    ("ces", "low_effort", False): N_("CES low-effort share fell from {previous} in {month} to {value}, adjusted {p}."),
}


def _nps_findings(kpis: dict, trend: pd.DataFrame, seg: pd.DataFrame | None, *, family: int, padjust: str) -> list[str]:
    k = kpis["nps"]
    method = _ADJUSTMENTS.get(padjust) or tr("no adjustment")
    sample = (
        tr("n = {n}, effective n = {n_eff} with the weights", n=integer(k["n"]), n_eff=integer(k["n_eff"]))
        if "n_eff" in k
        else f"n = {integer(k['n'])}"
    )
    out = [
        tr(
            "NPS in {month} is {value} ({interval}, {sample}).",
            month=i18n.month(k["month"]),
            value=decimal(k["value"], 1),
            interval=i18n.interval(k["ci_low"], k["ci_high"], 1),
            sample=sample,
        )
    ]
    if k.get("small_n") and k["n"] < k["min_n"]:
        out[0] = ntr(
            "NPS in {month} comes from a small sample: {value} ({interval}) from {n} response, fewer than {min_n}; "
            "shown, not a finding, and its change is not assessed.",
            "NPS in {month} comes from a small sample: {value} ({interval}) from {n} responses, fewer than {min_n}; "
            "shown, not a finding, and its change is not assessed.",
            k["n"],
            month=i18n.month(k["month"]),
            value=decimal(k["value"], 0),
            interval=i18n.interval(k["ci_low"], k["ci_high"], 0),
            n=integer(k["n"]),
            min_n=integer(k["min_n"]),
        )
    elif k.get("small_n"):
        out.append(
            tr(
                "{month} had fewer than {min_n} responses, so the change from it is not assessed.",
                month=i18n.month(k["previous_month"]),
                min_n=integer(k["min_n"]),
            )
        )
    elif k["change"] is not None:
        values = {"month": i18n.month(k["previous_month"]), "p": _p(k["change_p"])}
        if k["significant"]:
            values.update(change=decimal(abs(k["change"]), 1), previous=decimal(k["previous"], 1))
            out.append(
                tr(
                    "NPS rose {change} points from {previous} in {month}; significant as one of the month's "
                    "headline KPIs (adjusted {p}).",
                    **values,
                )
                if k["change"] > 0
                else tr(
                    "NPS fell {change} points from {previous} in {month}; significant as one of the month's "
                    "headline KPIs (adjusted {p}).",
                    **values,
                )
            )
        else:
            out.append(
                tr(
                    "The change of {change} points from {month} is not statistically significant as one of the "
                    "month's headline KPIs (adjusted {p}).",
                    change=decimal(k["change"], 1, sign=True),
                    **values,
                )
            )
    earlier = trend[trend["significant"] & (trend["period"] != k["month"]) & ~_small_rows(trend)]
    if len(earlier):
        changes = "; ".join(
            tr(
                "{month}: {change} points vs {previous}, adjusted {p}",
                month=i18n.month(r.period),
                change=decimal(r.change, 1, sign=True),
                previous=i18n.month(r.previous_period),
                p=_p(r.p_adjusted),
            )
            for r in cast("Iterable[Any]", earlier.itertuples())
        )
        out.append(tr("Earlier significant month-over-month changes: {changes}.", changes=changes))
    elif trend["period"].nunique() > 1:
        out.append(
            tr(
                "No other month-over-month change in the {n} months shown is significant.",
                n=integer(trend["period"].nunique()),
            )
        )
    if seg is not None and len(seg):
        small = _small_rows(seg)
        if small.any():
            groups = ", ".join(
                f"{_breakdown(r.by)} {r.group} (n = {integer(r.n)})"
                for r in cast("Iterable[Any]", seg[small].itertuples())
            )
            out.append(
                tr(
                    "Small groups (fewer than {min_n} responses) are shown but not compared: {groups}.",
                    min_n=integer(k["min_n"]),
                    groups=groups,
                )
            )
        seg = seg[~small]
        sig = seg[seg["significant"]]
        if seg.empty:
            pass  # every group is small: said above
        elif len(sig):
            r: Any  # itertuples rows: the stubs type each field as any scalar
            for r in sig.itertuples():
                values = {
                    "by": _breakdown(r.by).capitalize(),
                    "group": str(r.group),
                    "value": decimal(r.value, 1),
                    "diff": decimal(abs(r.diff), 1),
                    "reference": decimal(r.value_reference, 1),
                    "p": _p(r.p_adjusted),
                    "family": integer(family),
                    "method": method,
                }
                out.append(
                    tr(
                        "{by} {group}: NPS {value}, {diff} points higher than the rest ({reference}; adjusted {p} "
                        "across the {family} segment and driver tests, {method}).",
                        **values,
                    )
                    if r.diff > 0
                    else tr(
                        "{by} {group}: NPS {value}, {diff} points lower than the rest ({reference}; adjusted {p} "
                        "across the {family} segment and driver tests, {method}).",
                        **values,
                    )
                )
        else:
            out.append(
                tr(
                    "No {breakdowns} differs significantly from the rest this month.",
                    breakdowns=_or([_breakdown(b) for b in seg["by"].unique()]),
                )
            )
    for key, name in (("csat", "CSAT"), ("ces", "CES")):
        if key not in kpis:
            continue
        share = "top2_box" if key == "csat" else "low_effort"
        moved = [
            (metric, kk, fmt)
            for metric, kk, fmt in (
                ("mean", kpis[key], lambda v: decimal(v, 2)),
                (share, kpis[key][share], lambda v: percent(v, 1)),
            )
            if kk["significant"] and not kk.get("small_n")
        ]
        if moved:
            out.extend(
                translate(
                    _MOVES[(key, metric, bool(kk["change"] > 0))],
                    previous=fmt(kk["previous"]),
                    month=i18n.month(kk["previous_month"]),
                    value=fmt(kk["value"]),
                    p=_p(kk["change_p"]),
                )
                for metric, kk, fmt in moved
            )
        elif kpis[key].get("small_n"):
            out.append(
                tr(
                    "{kpi} ({value}) comes from a small sample (n = {n}); its change is not assessed.",
                    kpi=name,
                    value=decimal(kpis[key]["value"], 2),
                    n=integer(kpis[key]["n"]),
                )
            )
        elif kpis[key]["change"] is not None:
            out.append(
                tr(
                    "{kpi} ({value}) did not change significantly from {month}.",
                    kpi=name,
                    value=decimal(kpis[key]["value"], 2),
                    month=i18n.month(kpis[key]["previous_month"]),
                )
            )
    return out


def _small_rows(table: pd.DataFrame) -> pd.Series:
    return table["small_n"].fillna(False).astype(bool) if "small_n" in table else pd.Series(False, index=table.index)


def _one_sentence(k: dict, top: pd.Series | None, meta: dict) -> str:
    """The page's one sentence (``results.json``'s ``nps.finding``, the index's headline)."""
    values = {"value": decimal(k["value"], 1), "month": i18n.month(k["month"])}
    head = tr("NPS {value} in {month}, {interval}", interval=i18n.interval(k["ci_low"], k["ci_high"], 1), **values)
    previous = i18n.month(k.get("previous_month") or "")
    if k.get("small_n"):
        if k["n"] < k["min_n"]:
            head = tr(
                "NPS {value} in {month} from a small sample (n = {n}; not a finding)", n=integer(k["n"]), **values
            )
        change = ""
    elif k["change"] is None:
        change = ""
    elif k["significant"]:
        moved = decimal(abs(k["change"]), 1)
        change = (
            tr(", up {change} points from {month} (significant)", change=moved, month=previous)
            if k["change"] > 0
            else tr(", down {change} points from {month} (significant)", change=moved, month=previous)
        )
    else:
        change = tr(", no significant change from {month}", month=previous)
    if top is None:  # no driver model this month: the page says why
        return f"{head}{change}."
    name = _pretty(top["driver"])
    share = percent(top["share"], 1)
    if pd.notna(top["prob_first"]) and top["prob_first"] >= 0.95:
        driver = (
            tr(
                "{driver} is the largest driver ({share} of explained variance, {interval})",
                driver=name,
                share=share,
                interval=i18n.interval(top["ci_low"], top["ci_high"], 1, kind="percent"),
            )
            if pd.notna(top["ci_low"])
            else tr("{driver} is the largest driver ({share} of explained variance)", driver=name, share=share)
        )
    else:
        driver = tr(
            "{driver} leads the drivers ({share} of explained variance; order uncertain)", driver=name, share=share
        )
    return f"{head}{change}; {driver}."


def _pretty(name: object) -> str:
    return str(name).replace("_", " ")


def _alt_texts(rep: NpsReport) -> dict:
    alt: dict[str, str] = {}
    if not rep.trend.empty and "nps" in rep.kpis:
        alt.update(_trend_alt(rep))
    if len(rep.segments):
        s = rep.segments[rep.segments["significant"]]
        groups = "; ".join(
            tr("{group} differs from the rest ({diff} points)", group=str(r.group), diff=decimal(r.diff, 0, sign=True))
            for r in cast("Iterable[Any]", s.itertuples())
        )
        alt["segments"] = tr(
            "NPS by segment and channel with 95% intervals; {groups}.",
            groups=groups or tr("no group differs significantly from the rest"),
        )
    if not rep.drivers.empty:
        alt.update(_driver_alt(rep))
    return alt


def _trend_alt(rep: NpsReport) -> dict[str, str]:
    trend = rep.trend
    sig = trend[trend["significant"]]
    marks = "; ".join(
        (
            tr("significant change in {month}: up {change} points", month=i18n.month(r.period), change=moved)
            if r.change > 0
            else tr("significant change in {month}: down {change} points", month=i18n.month(r.period), change=moved)
        )
        for r in cast("Iterable[Any]", sig.itertuples())
        for moved in [decimal(abs(r.change), 1)]
    )
    k = rep.kpis["nps"]
    alt = {
        "trend": tr(
            "NPS by month from {first} to {last} with 95% confidence band; {changes}; NPS in {month}: {value}.",
            first=i18n.month(trend["period"].iloc[0]),
            last=i18n.month(trend["period"].iloc[-1]),
            changes=marks or tr("no significant month-over-month change"),
            month=i18n.month(k["month"]),
            value=decimal(k["value"], 1),
        )
    }
    return alt


def _driver_alt(rep: NpsReport) -> dict[str, str]:
    alt = {}
    main = rep.drivers[rep.drivers["method"] == rep.drivers["method"].iloc[0]]
    top, last = main.iloc[0], main.iloc[-1]
    alt["importance"] = tr(
        "Share of explained variance per driver with 95% intervals; {first} is first with {first_share}, {last} "
        "last with {last_share}.",
        first=_pretty(top["driver"]),
        first_share=percent(top["share"], 0),
        last=_pretty(last["driver"]),
        last_share=percent(last["share"], 0),
    )
    fix = [_pretty(d) for d in main[main["quadrant"] == "fix first"]["driver"]]
    alt["quadrant"] = tr(
        "Importance against mean rating per driver, split at the medians; fix first: {drivers}.",
        drivers=", ".join(fix) if fix else tr("none"),
    )
    return alt


#: Headers of this page's tables for the columns the shared labels
#: (:data:`cxkit.display.COLUMN_LABELS`) show under their own names.
_HEADERS = {
    "period": N_("period"),
    "value": N_("value"),
    "change": N_("change"),
    "significant": N_("significant"),
    "rank": N_("rank"),
    "driver": N_("driver"),
    "importance": N_("importance"),
    "share": N_("share"),
    "performance": N_("performance"),
    "quadrant": N_("quadrant"),
    "share_previous": N_("share previous"),
    "ci_low": N_("95% CI"),
    "theme": N_("theme"),
    "previous_n": N_("previous n"),
    "previous_share": N_("previous share"),
    "emerging": N_("emerging"),
    "check": N_("check"),
    "status": N_("status"),
    "note": N_("note"),
}


def _headers(columns: Iterable[object]) -> dict[str, str]:
    """``labels=`` of :func:`cxkit.display.table` for this page's columns, in the report language."""
    return {str(c): translate(_HEADERS[str(c)]) for c in columns if str(c) in _HEADERS}


#: The importance-performance quadrants of :func:`cxkit.key_drivers`, in words.
_QUADRANTS = {
    "fix first": N_("fix first"),
    "keep up": N_("keep up"),
    "low priority": N_("low priority"),
    "maintain": N_("maintain"),
}


def _quadrant(value: object) -> object:
    return translate(_QUADRANTS[value]) if isinstance(value, str) and value in _QUADRANTS else value


#: The checks of :func:`cxkit.driver_diagnostics`, in words.
_CHECKS = {
    "rows used": N_("rows used"),
    "responses per driver": N_("responses per driver"),
    "largest VIF": N_("largest VIF"),
    "top driver by method": N_("top driver by method"),
    "model fit": N_("model fit"),
    "bootstrap resamples": N_("bootstrap resamples"),
}
#: Texts of the driver model (:func:`cxkit.key_drivers`'s ``attrs``) the page shows, in words.
_MODEL_WORDS = {
    "ok": N_("ok"),
    "warning": N_("warning"),
    "shapley": N_("shapley"),
    "relative_weights": N_("relative weights"),
    "R²": "R²",
    "McFadden pseudo-R²": N_("McFadden pseudo-R²"),
    "pseudo-R² (McFadden for Shapley; squared outcome-prediction correlation for relative weights)": N_(
        "pseudo-R² (McFadden for Shapley; squared outcome-prediction correlation for relative weights)"
    ),
}


#: How the driver model treats missing ratings (``key_drivers(missing=...)``), in words.
_DELETIONS = {"listwise": N_("listwise"), "pairwise": N_("pairwise")}


def _model_word(text: object) -> str:
    return translate(_MODEL_WORDS[str(text)]) if str(text) in _MODEL_WORDS and _MODEL_WORDS[str(text)] else str(text)


def _diagnostics_view(diagnostics: pd.DataFrame, drivers: pd.DataFrame) -> pd.DataFrame:
    """The checks of the driver model as the page shows them: :func:`cxkit.driver_diagnostics`
    as it is in English, its words and numbers in the report language otherwise (written again
    from the model's ``attrs``, since the analysis layer writes English)."""
    meta = drivers.attrs
    if i18n.get_language() == "en" or "n" not in meta or len(diagnostics) != len(_CHECKS) or drivers.empty:
        return diagnostics
    first = drivers[drivers["method"] == drivers["method"].iloc[0]]
    view = diagnostics.copy()
    notes = dict(zip(view["check"], view["note"]))
    values = dict(zip(view["check"], view["value"]))
    requested = meta.get("missing_requested", meta["missing"])
    method = translate(_DELETIONS[meta["missing"]]) if meta["missing"] in _DELETIONS else str(meta["missing"])
    deletion = (
        tr("{method} deletion of missing values", method=method)
        if requested == meta["missing"]
        else tr(
            "{method} deletion: the pairwise correlation matrix was not a valid correlation matrix",
            method=method,
        )
    )
    values["rows used"] = tr("{n} of {total}", n=integer(meta["n"]), total=integer(meta["n_read"]))
    notes["rows used"] = tr("{share} dropped ({deletion})", share=percent(meta["share_dropped"], 1), deletion=deletion)
    values["responses per driver"] = integer(meta["n"] / len(first))
    notes["responses per driver"] = tr("at least 10 per driver wanted")
    top_vif = first.loc[first["vif"].idxmax()]
    values["largest VIF"] = f"{decimal(top_vif['vif'], 2) or '∞'} ({top_vif['driver']})"
    aliased = meta.get("aliased") or []
    notes["largest VIF"] = (
        tr(
            "infinite: {drivers} are exactly collinear",
            drivers="; ".join(", ".join(group) for group in aliased),
        )
        if aliased
        else tr("above {limit} means drivers overlap strongly", limit=decimal(VIF_WARN, 0))
    )
    values["top driver by method"] = ", ".join(
        f"{_model_word(method)}: {driver}" for method, driver in meta["top_driver"].items()
    )
    notes["top driver by method"] = (
        tr("methods agree") if meta["top_agree"] else tr("methods disagree: treat the leaders as tied")
    )
    values["model fit"] = decimal(meta["r2"], 3)
    notes["model fit"] = _model_word(meta["r2_kind"])
    values["bootstrap resamples"] = integer(meta["bootstrap"])
    boot = (
        tr("no intervals")
        if not meta["bootstrap"]
        else tr("percentile intervals, stretched to the estimate; lower limit 0 without a significant own association")
    )
    if meta["bootstrap"] < meta.get("bootstrap_requested", meta["bootstrap"]):
        boot = tr(
            "{n} resamples had no estimate; {note}",
            n=integer(meta["bootstrap_requested"] - meta["bootstrap"]),
            note=boot,
        )
    if meta["bootstrap"] and meta.get("bootstrap_method") == "one-step":
        boot = tr(
            "{note}; one-step bootstrap (an approximation): each resample's subset models are one Newton step from "
            "the full-sample fits, not refitted",
            note=boot,
        )
    notes["bootstrap resamples"] = boot
    view["value"] = view["check"].map(values)
    view["note"] = view["check"].map(notes)
    view["status"] = view["status"].map(_model_word)
    view["check"] = view["check"].map(lambda c: translate(_CHECKS[c]) if c in _CHECKS else c)
    return view


# --------------------------------------------------------------------------- drivers


_TARGET_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}


def _name(driver: str) -> str:
    return str(driver).replace("_", " ")


def _three_digits(p: float) -> str:
    """A p-value with three significant digits (the driver-change finding's form), in the
    report language's numbers."""
    text = f"{p:.3g}"
    if "e" in text or i18n.get_language() == "en":
        return text
    return decimal(float(text), len(text.split(".")[1]) if "." in text else 0)


def driver_findings(result: pd.DataFrame, change: pd.DataFrame | None = None, *, level: float = 0.95) -> list[str]:
    """Plain-language findings from :func:`key_drivers` (and :func:`driver_change`), in the
    report language (:mod:`cxkit.i18n`).

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
    what = tr("explained variance") if meta.get("model") == "linear" else tr("explained pseudo-R²")
    ci = (
        tr(", 95% CI {low}–{high}", low=decimal(100 * top["ci_low"], 0), high=percent(top["ci_high"], 0))
        if pd.notna(top["ci_low"])
        else ""
    )
    target = _TARGET_NAMES.get(meta["target"], meta["target"])
    out = []
    if pd.notna(top["prob_first"]) and top["prob_first"] >= level:
        out.append(
            tr(
                "{driver} is the largest driver of {target}: {share} of the {what}{ci}.",
                driver=_name(top["driver"]).capitalize(),
                target=target,
                share=percent(top["share"], 0),
                what=what,
                ci=ci,
            )
        )
    else:
        tied = main[main["prob_first"] >= 1 - level] if main["prob_first"].notna().any() else main.head(2)
        names = ", ".join(_name(d) for d in tied["driver"]) or _name(top["driver"])
        first_note = (
            tr(
                " ({driver} ranks first in {share} of resamples)",
                driver=_name(top["driver"]),
                share=percent(top["prob_first"], 0),
            )
            if pd.notna(top["prob_first"])
            else tr(" (no bootstrap: the order is not tested)")
        )
        out.append(
            tr(
                "The leading drivers of {target} are {drivers}; their order is uncertain{note}. {driver} has {share} "
                "of the {what}{ci}.",
                target=target,
                drivers=names,
                note=first_note,
                driver=_name(top["driver"]).capitalize(),
                share=percent(top["share"], 0),
                what=what,
                ci=ci,
            )
        )
    out.append(
        tr(
            "The {count} drivers together explain {r2} of the variation in {target} ({kind}, n = {n}).",
            count=integer(len(main)),
            r2=percent(meta["r2"], 0),
            target=target,
            kind=_model_word(meta["r2_kind"]),
            n=integer(meta["n"]),
        )
    )
    fix = main[main["quadrant"] == "fix first"]
    if len(fix):
        out.append(
            tr(
                "Fix first (above-median importance, below-median rating): {drivers}.",
                drivers=", ".join(
                    tr("{driver} (rated {rating})", driver=_name(r.driver), rating=decimal(r.performance, 1))
                    for r in cast("Iterable[Any]", fix.itertuples())
                ),
            )
        )
    if change is not None and len(change):
        sig = change[change["significant"]]
        span = tr(
            "{first} to {last}",
            first=i18n.month(change["previous_period"].iloc[0]),
            last=i18n.month(change["period"].iloc[0]),
        )
        if len(sig):
            r: Any  # itertuples rows: the stubs type each field as any scalar
            for r in sig.itertuples():
                values = {
                    "driver": _name(r.driver),
                    "previous": percent(r.share_previous, 0),
                    "share": percent(r.share, 0),
                    "span": span,
                    "p": _three_digits(r.p_adjusted),
                }
                out.append(
                    tr("The share of {driver} rose from {previous} to {share} ({span}; adjusted p = {p}).", **values)
                    if r.change > 0
                    else tr(
                        "The share of {driver} fell from {previous} to {share} ({span}; adjusted p = {p}).", **values
                    )
                )
        else:
            out.append(
                tr(
                    "No driver's share changed significantly from {span} (bootstrap test, adjusted for {n} drivers).",
                    span=span,
                    n=integer(len(change)),
                )
            )
    if meta.get("warnings"):
        out.append(tr("Caution: {warnings}", warnings=" ".join(meta["warnings"])))
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
    info = dict(w.attrs["weighting"])
    # the margins, for the linearised variance of cx.kpi_trend's monthly intervals (each month
    # is calibrated separately, and kpi_trend takes each month as its own stratum)
    out.attrs["calibration"] = {WEIGHT_COLUMN: {"method": info["method"], "margins": list(info["margins"])}}
    return out, WEIGHT_COLUMN, info


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


def weighting_facts(weights: pd.Series, info: dict[str, Any]) -> dict[str, Any]:
    """How a month's responses are weighted, as the pages state it: ``method``, ``margins``
    (and ``targets``, ``trim`` when set) from ``info`` (the ``attrs["weighting"]`` of
    :func:`cxkit.survey_weights`), the responses ``n``, ``n_eff`` (Kish's effective sample
    size) and ``min`` / ``max`` (the weights relative to their mean) of ``weights``.

    >>> import pandas as pd
    >>> facts = weighting_facts(pd.Series([0.5, 1.0, 1.5]), {"method": "rake", "margins": ["segment"]})
    >>> facts["n"], round(facts["n_eff"], 2), facts["min"], facts["max"]
    (3, 2.57, 0.5, 1.5)
    """
    w = weights.to_numpy(dtype=float)
    w = w[~pd.isna(w)]
    n = int(w.size)
    n_eff = float(w.sum() ** 2 / (w**2).sum()) if n and (w**2).sum() > 0 else 0.0
    mean = float(w.mean()) if n else 1.0
    low, high = (float(w.min() / mean), float(w.max() / mean)) if n else (float("nan"), float("nan"))
    return {
        "method": info.get("method", "column"),
        "margins": list(info.get("margins") or []),
        **({"targets": info["targets"]} if info.get("targets") else {}),
        **({"trim": info["trim"]} if info.get("trim") else {}),
        "n": n,
        "n_eff": n_eff,
        "min": low,
        "max": high,
    }


def _weighting_summary(
    month_weights: pd.Series, info: dict[str, Any], unweighted: dict[str, Any], scales: dict
) -> dict[str, Any]:
    """The page's ``weighting``: how, the month's n, effective n and weight range, the statement
    and the unweighted KPIs (with their headline table, kept out of results.json)."""
    from ..analysis.weighting import weighting_statement

    part = {**weighting_facts(month_weights, info), "unweighted": unweighted}
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
    if part and i18n.get_language() != "en" and "n_eff" in part:
        return weighting_sentence(part)
    return str(part.get("statement") or "")


#: How the weights were made, as the weighting statement names it.
_WEIGHTING_METHODS = {
    "rake": N_("raking to known {margins} shares"),
    "cells": N_("post-stratification to known {margins} cells"),
    "column": N_("the export's weight column {margins}"),
}


def weighting_sentence(part: dict[str, Any]) -> str:
    """The sentence that the page's figures are weighted (:func:`cxkit.weighting_statement`), in
    the report language: how, the effective sample size and the weights' range ("" unweighted).

    >>> part = {"method": "rake", "margins": ["segment", "region"], "n": 1000, "n_eff": 812.4, "min": 0.41, "max": 2.83}
    >>> with i18n.language("da"):
    ...     weighting_sentence(part)
    'Tallene er vægtet (raking til kendte andele for segment og region): effektiv stikprøvestørrelse 812 af 1.000 besvarelser, vægte fra 0,41 til 2,83 gange gennemsnittet.'
    """
    if not part:
        return ""
    margins = [str(m) for m in part.get("margins") or []]
    names = (
        tr("{first} and {last}", first=", ".join(margins[:-1]), last=margins[-1])
        if len(margins) > 1
        else "".join(margins)
    )
    method = str(part.get("method"))
    how = translate(_WEIGHTING_METHODS[method], margins=names) if method in _WEIGHTING_METHODS else method
    return tr(
        "Figures are weighted ({how}): effective sample size {n_eff} of {n} responses, weights {low} to {high} times "
        "the mean.",
        how=how,
        n_eff=integer(float(part.get("n_eff") or 0)),
        n=integer(int(part.get("n") or 0)),
        low=decimal(float(part.get("min", math.nan)), 2),
        high=decimal(float(part.get("max", math.nan)), 2),
    )


def _with_unweighted(shown: Any, weighting: dict[str, Any]) -> Any:
    """The headline table, and when the page is weighted, the statement above it and the
    unweighted KPIs in a table below it."""
    if not weighting or not isinstance(shown, SafeHTML):
        return shown
    unweighted = weighting.get("_table")
    below = (
        table(headline_view(unweighted), caption=tr("The same KPIs unweighted (every response counted once)"))
        if isinstance(unweighted, pd.DataFrame) and not unweighted.empty
        else None
    )
    statement = weighting_sentence(weighting)
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
            scale = 100.0 if share else 1.0
            name = str(r["metric"])
            row["n_with"], row["n_without"] = int(r["n_with"]), int(r["n_without"])
            row[f"{name}_with"], row[f"{name}_without"] = r["value_with"], r["value_without"]
            row[f"{name}_difference"] = r["diff"]
            low, high = _signed(scale * r["diff_ci_low"]), _signed(scale * r["diff_ci_high"])
            row[f"{name}_difference_ci"] = (
                tr("{low} to {high} pp", low=low, high=high) if share else tr("{low} to {high}", low=low, high=high)
            )
            row[f"{name}_p_adjusted"] = r["p_adjusted"]
        row["small_n"] = bool(part["small_n"].any())
        rows.append(row)
    return pd.DataFrame(rows)


def _signed(value: float) -> str:
    """A signed difference with one decimal; English keeps the pack's ``-0.0`` for a tiny negative."""
    return f"{value:+.1f}" if i18n.get_language() == "en" else decimal(value, 1, sign=True)


_IMPACT_LABELS = {
    "n_with": N_("n with"),
    "n_without": N_("n without"),
    "nps_with": N_("NPS with"),
    "nps_without": N_("NPS without"),
    "nps_difference": N_("NPS difference"),
    "nps_difference_ci": N_("NPS difference, 95% CI"),
    "nps_p_adjusted": N_("NPS p (adjusted)"),
    "detractor_share_with": N_("detractors with"),
    "detractor_share_without": N_("detractors without"),
    "detractor_share_difference": N_("detractors difference"),
    "detractor_share_difference_ci": N_("detractors difference, 95% CI"),
    "detractor_share_p_adjusted": N_("detractors p (adjusted)"),
    "mean_with": N_("CSAT mean with"),
    "mean_without": N_("CSAT mean without"),
    "mean_difference": N_("CSAT mean difference"),
    "mean_difference_ci": N_("CSAT difference, 95% CI"),
    "mean_p_adjusted": N_("CSAT mean p (adjusted)"),
    "top2_box_with": N_("top-2-box with"),
    "top2_box_without": N_("top-2-box without"),
    "top2_box_difference": N_("top-2-box difference"),
    "top2_box_difference_ci": N_("top-2-box difference, 95% CI"),
    "top2_box_p_adjusted": N_("top-2-box p (adjusted)"),
    "small_n": N_("small n"),
}


def _impact_labels() -> dict[str, str]:
    return {**_headers(["theme"]), **{column: translate(label) for column, label in _IMPACT_LABELS.items()}}


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
    report.theme_note = theme_list_note(chosen)
    reason = None
    if "comment" not in df.columns or not df["comment"].notna().any():
        reason = tr("the survey has no comments (a comment column), so there are no comment themes.")
    window = ((months == end) | (months == end - 1)).to_numpy()
    has_text = (
        df["comment"].astype("string").str.strip().fillna("").astype(bool).to_numpy()
        if reason is None
        else np.zeros(len(df), dtype=bool)
    )
    if reason is None and not (has_text & (months == end).to_numpy()).any():
        reason = tr(
            "no response in {month} has a comment, so there are no comment themes this month.", month=i18n.month(end)
        )
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
        report.unavailable["comment_themes"] = tr(
            "no comment in {month} mentions a theme. {note}", month=i18n.month(end), note=report.theme_note
        )
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
                    tr(
                        "Comments mentioning {theme} come with an NPS {diff} points lower than other comments in "
                        "{month} ({with_theme} vs {without_theme}, n = {n}; {detractors_with} detractors vs "
                        "{detractors_without}; adjusted {p} over the page's {themes} themes).",
                        theme=str(r["theme"]),
                        diff=decimal(abs(r["diff"]), 0),
                        month=i18n.month(end),
                        with_theme=decimal(r["value_with"], 0),
                        without_theme=decimal(r["value_without"], 0),
                        n=integer(int(r["n_with"])),
                        detractors_with=percent(det["value_with"], 0),
                        detractors_without=percent(det["value_without"], 0),
                        p=_p(r["p_adjusted"]),
                        themes=integer(len(names)),
                    )
                )
        else:
            report.unavailable["comment_themes"] = tr(
                "every comment in {month} mentions the same themes; nothing to compare.", month=i18n.month(end)
            )
    else:
        report.unavailable["comment_themes"] = tr(
            "no commented response in {month} answers the NPS question.", month=i18n.month(end)
        )
    if names and "csat" in this.columns and this["csat"].notna().any():
        csat = _quietly(theme_impact, this, "csat", themes=names, alpha=alpha, padjust=padjust, min_n=min_n)
        if len(csat):
            report.comment_themes_csat = csat
    if report.comment_themes_csat is None:
        report.unavailable["comment_themes_csat"] = tr(
            "no commented response in {month} answers the CSAT question.", month=i18n.month(end)
        )
    before = data[(months[window & has_text] == end - 1).to_numpy()]
    if not len(before):
        report.unavailable["comment_theme_trend"] = tr(
            "there are no comments from {month} to compare with.", month=i18n.month(end - 1)
        )
    elif names:
        trend = theme_trend(data, themes=names, month=str(end), date="responded_at", alpha=alpha)
        report.comment_theme_trend = trend
        rising = trend[trend["emerging"]].sort_values("change", ascending=False)
        if len(rising):
            r = rising.iloc[0]
            report.findings.append(
                tr(
                    "Emerging comment theme: {theme}, mentioned in {share} of comments in {month} against {previous} "
                    "in {previous_month} (Holm-adjusted {p}).",
                    theme=str(r["theme"]),
                    share=percent(r["share"], 1),
                    month=i18n.month(end),
                    previous=percent(r["previous_share"], 1),
                    previous_month=i18n.month(end - 1),
                    p=_p(r["p_adjusted"]),
                )
            )
