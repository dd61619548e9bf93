"""The "Review sentiment" page: how customers feel in their reviews this month, where it is
worse (source, language), which themes are getting more negative, and whether the scores can be
trusted (agreement with the ratings).

:class:`SentimentReport` computes the page's analyses once (:mod:`cxkit.analysis.reviews`: every
review scored, calibrated on the ratings when that helps, and tagged with themes; the month's
headline, trend, sources, languages, agreement, themes) and offers them by the page protocol
(:mod:`cxkit.pack.page`): ``findings``, ``alt``, ``results()`` (the ``sentiment`` part of
``results.json``), ``sections`` and ``show(name)``. The findings sentences live here, beside
the page: each claims a change or a difference only when its test is significant.

Each analysis stands alone (issue 23): one the data cannot give (reviews without ratings, dates,
sources; one month only; one language) is left out with one sentence saying what is missing and
what would make it possible, and the rest of the page builds. Reviews without dates are all
counted in the report month, and the page says so. A rating on another scale than 1-5 (the
catalog's ``scales: {rating: [1, 10]}``) is shown in its own scale; its classes for the
agreement and the calibration come from the documented mapping onto 1-5
(:func:`cxkit.analysis.calibration.rating_to_class`), which the page states once.

The page is written in the report language (issue 28, :mod:`cxkit.i18n`): its sentences,
captions, headers, notes and reasons are messages of the ``pack.review_sentiment`` catalogs, its
numbers and months in the locale. What it shows of the pack's own vocabulary (sentiment classes,
language names, agreement measures) is translated where it is shown; its tables and
``results()`` keep the canonical values, and data (theme names, sources, review texts) are
never translated.

Examples
--------
>>> import cxkit as cx
>>> page = cx.sentiment_report(cx.load_catalog(cx.DEFAULT_CATALOG)["reviews"].frame, month="2026-10",
...                            calibrate=False)
>>> page.month, page.results()["sentiment"]["top_emerging_negative_theme"]["theme"]
('2026-10', 'delivery')
>>> list(page.sections)[:3]
['headline', 'trend', 'by_source']
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from .. import i18n
from ..analysis.calibration import rating_scale, rating_to_class
from ..analysis.langdetect import SUPPORTED_LANGUAGES
from ..analysis.reviews import (
    comment_summary,
    rating_agreement,
    score_reviews,
    sentiment_headline,
    sentiment_trend,
    theme_summary,
)
from ..analysis.themes import theme_sentiment, theme_set
from ..analysis.topics import suggest_topics
from ..display import SafeHTML, figure, p_phrase, safe_text, table
from ..display import findings as findings_list
from ..errors import NotEnoughDataError
from ..i18n import N_, decimal, integer, percent, tr, translate
from ..plots import TREND_MONTHS, month_label
from ..privacy import mask_pii
from ._kpis import trend_points
from .drilldown import comment_scores
from .page import ReportPage, section

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..analysis.calibration import SentimentModel
    from ..data.catalog import Catalog, MonthlyReader

__all__ = ["SentimentReport", "sentiment_report", "theme_list_note"]


#: The p-values of a theme's change, as the page heads them.
_CHANGE_LABELS = {"p": N_("p of change"), "p_adjusted": N_("p of change (adjusted)")}
#: The headers of the page's own columns (the shared ones, n, p and the intervals, come from
#: cxkit.display); in English each reads as the column's name, as before issue 28.
_LABELS = {
    "month": N_("month"),
    "value": N_("value"),
    "previous": N_("previous"),
    "change": N_("change"),
    "significant": N_("significant"),
    "language": N_("language"),
    "source": N_("source"),
    "mean_compound": N_("mean compound"),
    "share_positive": N_("share positive"),
    "share_negative": N_("share negative"),
    "metric": N_("metric"),
    "rating": N_("rating"),
    "negative": N_("negative"),
    "neutral": N_("neutral"),
    "positive": N_("positive"),
    "cv_accuracy": N_("cv accuracy"),
    "cv_macro_f1": N_("cv macro f1"),
    "lexicon_accuracy": N_("lexicon accuracy"),
    "used": N_("used"),
    "rated": N_("rated"),
    "note": N_("note"),
    "theme": N_("theme"),
    "share_of_reviews": N_("share of reviews"),
    "negative_rate": N_("negative rate"),
    "previous_rate": N_("previous rate"),
    "emerging": N_("emerging"),
    "rating_with": N_("rating with"),
    "rating_without": N_("rating without"),
    "rating_diff": N_("rating diff"),
    "rating_p": N_("rating p"),
    "rating_p_adjusted": N_("rating p adjusted"),
    "label": N_("label"),
    "share": N_("share"),
    "examples": N_("examples"),
    "topic": N_("topic"),
    "terms": N_("terms"),
    "size": N_("size"),
    "example": N_("example"),
    "published_at": N_("published at"),
    "compound": N_("compound"),
    "words": N_("words"),
    "text": N_("text"),
    "by": N_("by"),
    "group": N_("group"),
}
#: Sentiment classes, as the page shows them (the tables keep the canonical values).
_CLASSES = {"negative": N_("negative"), "neutral": N_("neutral"), "positive": N_("positive")}
#: The agreement measures (shown by name in English, as before; in words in the other languages).
_METRICS = {
    "spearman_rho": N_("Spearman rho"),
    "accuracy": N_("accuracy (label matches the rating's class)"),
    "binary_accuracy": N_("accuracy without the neutral ones"),
    "cohen_kappa": N_("Cohen's kappa"),
}
#: The pack's words in the example reviews' table (which example a review is; no sentiment word found).
_EXAMPLE_WORDS = {N_("most negative"), N_("most positive"), N_("the only review"), N_("none found")}
#: The languages the scorer reads, by name (in English the codes are shown, as before).
_LANGUAGE_NAMES = {"en": N_("English"), "da": N_("Danish"), "nb": N_("Norwegian"), "sv": N_("Swedish")}
#: Fewest rated reviews the company's own model is learnt from (cxkit.analysis.reviews.score_reviews).
_CALIBRATE_MIN = 100


class SentimentReport(ReportPage):
    """The review-sentiment page of one month (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame or MonthlyReader
        The canonical reviews table (``text``, ``published_at``, ``source``, ``rating``,
        ``language``), or ``catalog.monthly("reviews")`` to read a big table a run of months
        at a time (see ``chunk_rows``); both give the same numbers.
    month : str, keyword-only
        ``YYYY-MM``; empty or None: the last complete month in the data (reviews without dates
        need it).
    settings : dict, keyword-only
        The catalog's ``settings`` (``settings["themes"]`` extends the theme dictionary).
    calibrate : "auto", True or False, keyword-only
        "auto": fit :func:`cxkit.calibrate_sentiment` on the rated reviews and use its
        out-of-fold scores when it is recommended (better than the lexicon in
        cross-validation); True: always use it; False: lexicon scores only.
    comments : pandas.DataFrame, keyword-only
        Optional survey feedback (``comment``, ``responded_at``): unrated text scored with the
        calibrated model (or the lexicon), summarised for the month.
    alpha : float, keyword-only
        Significance level.
    examples, max_chars : int, keyword-only
        Most negative and most positive reviews shown, and their texts' length.
    seed : int, keyword-only
        Seed of the calibration's cross-validation folds and sample.
    calibrate_max, chunk_rows : int, keyword-only
        Most rated reviews the calibration learns from, and rows scored at a time (see
        :func:`cxkit.analysis.reviews.score_reviews`).
    months : int or None, keyword-only
        The monthly tables and figures (``trend``, ``by_source``) cover the last ``months``
        calendar months up to the report month (default 24, :data:`cxkit.plots.TREND_MONTHS`);
        None: every month.
    themes : dict, keyword-only
        The catalog's ``themes`` section (:func:`cxkit.theme_set`); None: the generic list.

    Attributes
    ----------
    month : str
        The report month, ``YYYY-MM``.
    scored : DataFrame
        Every review with its scores and themes (:class:`~cxkit.analysis.reviews.ScoredReviews`).
    headline, trend, by_source, by_language, agreement, agreement_table, themes, emerging, examples
        The tables the page shows (``themes``: :func:`~cxkit.analysis.reviews.theme_summary`);
        None when the data cannot give one (``unavailable`` says why).
    calibration : DataFrame
        The calibration on the rated reviews (empty without one; see
        :class:`~cxkit.analysis.reviews.ScoredReviews`).
    model : SentimentModel or None
        The calibration fitted on the rated reviews.
    theme_names : list of str
        The themes tagged.
    dated : bool
        False when no review has a date: every review then counts in the report month.
    rating_scale : tuple of float or None
        The rating's scale ``(low, high)`` (1-5 stars unless the catalog's ``scales`` says
        otherwise); None when no review has a rating.
    findings, alt
        The page's findings and its figures' alt texts (keyed by section name).
    """

    title = N_("Review sentiment")
    findings: list[str]
    alt: dict[str, str]

    def __init__(
        self,
        df: pd.DataFrame | MonthlyReader,
        *,
        month: str | None = None,
        settings: dict | None = None,
        calibrate: str | bool = "auto",
        comments: pd.DataFrame | None = None,
        alpha: float = 0.05,
        examples: int = 3,
        max_chars: int = 220,
        seed: int = 0,
        calibrate_max: int = 20_000,
        chunk_rows: int = 100_000,
        months: int | None = TREND_MONTHS,
        themes: dict | None = None,
    ):
        # the theme set: the catalog's template (issue 26), or the generic list as before
        self.theme_set = theme_set(themes, settings=settings)
        scores = score_reviews(
            df,
            month=month,
            settings=settings,
            calibrate=calibrate,
            seed=seed,
            calibrate_max=calibrate_max,
            chunk_rows=chunk_rows,
            themes=None if self.theme_set.generic else self.theme_set,
        )
        period = scores.month
        self.month = str(period)
        self.months = months
        self.scored = scores.scored
        self.model = scores.model
        self.calibration = scores.calibration
        self.theme_names = scores.themes
        self.dated = bool(self.scored["_month"].notna().any())
        ratings = (
            pd.to_numeric(self.scored["rating"], errors="coerce") if "rating" in self.scored else pd.Series(dtype=float)
        )
        rated = int(ratings.notna().sum())
        self.rating_scale = rating_scale(self.scored, "rating") if rated else None
        # the same frame, not a copy, when every review is scored (a copy of 10M reviews is GBs)
        has_score = self.scored["compound"].notna()
        scored = self.scored if has_score.all() else self.scored[has_score]
        date = "published_at"
        if not self.dated:  # an export without dates: every review counts in the report month
            scored = scored.assign(
                _month=pd.Series(period, index=scored.index, dtype=pd.PeriodDtype("M")),
                _counted_in=period.start_time,
            )
            date = "_counted_in"
        cur = scored[scored["_month"] == period]
        before = scored["_month"] <= period
        upto = scored if before.all() else scored[before]
        has_previous = bool((scored["_month"] == period - 1).any())
        where = self._where
        kpi = sentiment_headline(scored, month=period, alpha=alpha, date=date)

        self.headline = self.attempt("headline", _headline_frame, kpi, self.month, where)
        self.trend = self.attempt("trend", _trend, upto, period, months, self.dated)
        self.by_source = self.attempt("by_source", _by_source, upto, period, months, self.dated)
        by_language = self.attempt("by_language", _by_language, cur, where, date)
        self.by_language = by_language.drop(columns="month") if by_language is not None else None
        named = [c for c in (settings or {}).get("breakdowns") or [] if c not in ("source", "language")]
        self.breakdowns = self.attempt("breakdowns", _breakdowns, cur, named, where, date) if named else None
        self.agreement = self.attempt("agreement", _agreement, cur, rated, where)
        self.agreement_table = self.attempt("stars_by_label", _star_label_counts, cur, rated, where)
        self.attempt("calibration", _calibration_shown, self.calibration, calibrate, rated)
        self.themes = self.attempt("themes", _themes, upto, period, self.theme_names, alpha, where, date)
        self.emerging = None
        if self.themes is not None:
            self.emerging = self.attempt("emerging", _emerging, self.themes, has_previous, period, self.dated)
        self.examples = self.attempt("examples", _example_reviews, cur, examples, max_chars, where)
        # -- themes by sentiment and suggested topics (issue 26) --
        self.theme_heatmap = self.attempt("theme_heatmap", _theme_heatmap, cur, self.theme_names, where)
        self.topics = self.attempt("topics", _suggested_topics, cur, self.theme_names, seed, where)
        self._comments = comments  # for the drill-down's comment scores (save_results)
        summary = None
        if comments is not None:
            summary = comment_summary(comments, month=period, model=scores.model if scores.used else None)

        share_pos = float((cur["label"] == "positive").mean()) if len(cur) else float("nan")
        share_neg = float((cur["label"] == "negative").mean()) if len(cur) else float("nan")
        top = None
        if self.emerging is not None and len(self.emerging):
            e = self.emerging.sort_values("change", ascending=False).iloc[0]
            top = {
                "theme": e["theme"],
                "negative_rate": e["negative_rate"],
                "previous_rate": e["previous_rate"],
                "change": e["change"],
                "change_p_holm": e["p_adjusted"],
            }
        n_previous = int((scored["_month"] == period - 1).sum())
        self._emerging_sentence = _emerging_sentence(top, has_previous, self.themes is not None, period, alpha)
        self.findings = _findings(
            period,
            kpi,
            n_previous,
            self.dated,
            share_pos,
            share_neg,
            self._emerging_sentence,
            self.themes,
            self.agreement,
            self.calibration,
            summary,
            alpha,
            self.rating_scale,
        )
        self._results: dict[str, Any] = {
            "month": self.month,
            "headline": kpi,
            "finding": self.findings[0],
            "n_reviews": int((self.scored["_month"] == period).sum()) if self.dated else len(self.scored),
            "n_scored": int(len(cur)),
            "share_positive": share_pos,
            "share_negative": share_neg,
            "by_language": {
                str(r["language"]): {
                    "n": int(r["n"]),
                    "mean_compound": r["mean_compound"],
                    "share_negative": r["share_negative"],
                }
                for _, r in self.by_language.iterrows()
            }
            if self.by_language is not None
            else {},
            "top_emerging_negative_theme": top,
            "emerging_negative_themes": [str(t) for t in self.emerging["theme"]] if self.emerging is not None else [],
            "calibration": (self.calibration.iloc[0].to_dict() if len(self.calibration) else None),
            "scores_from": (
                "lexicon"
                if not scores.used
                else "calibrated (out-of-fold)"
                if not scores.sampled
                else f"calibrated (out-of-fold for the {cast('SentimentModel', scores.model).n_:,} sampled rated reviews, "
                "predicted for the others)"
            ),
            "rating_agreement": (
                {r["metric"]: r["value"] for _, r in self.agreement.iterrows()} if self.agreement is not None else {}
            ),
            "comments": summary,
            "rating_scale": list(self.rating_scale) if self.rating_scale is not None else None,
            "dated": self.dated,
            "theme_list": self.theme_set.name,
            "suggested_topics": [
                {"language": r["language"], "terms": list(r["terms"]), "size": int(r["size"])}
                for _, r in (self.topics if self.topics is not None else pd.DataFrame()).iterrows()
            ],
        }
        self.alt = {
            "trend": self.findings[0],
            "by_source": _by_source_alt(self.by_source, self.month),
            "themes": (
                tr(
                    "{finding} Bars: negative reviews mentioning each theme this month; marks: the month before.",
                    finding=self._emerging_sentence,
                )
                if self._emerging_sentence
                else tr(
                    "Bars: negative reviews mentioning each theme {where}, as a share of all reviews; "
                    "there is no month before to compare with.",
                    where=where,
                )
            ),
            "theme_heatmap": _heatmap_alt(self.theme_heatmap, where),
        }

    @classmethod
    def from_catalog(
        cls, sources: Catalog, *, month: str = "", seed: int = 0, months: int | None = TREND_MONTHS
    ) -> SentimentReport:
        """The page from a catalog's ``reviews`` source (read a run of months at a time: a big
        table never sits whole in memory) and the report month's comments of its ``feedback``
        source, when it has one; the catalog's ``settings`` extend the themes and its
        ``scales`` give the rating's scale. ``months``: the trend figures' window."""
        reviews = sources.monthly("reviews")
        comments = (
            sources.read("feedback", columns=["comment", "responded_at", "language"], month=month or None)
            if "feedback" in sources
            else None
        )
        return cls(
            reviews,
            month=month,
            settings=sources.settings,
            comments=comments,
            seed=seed,
            months=months,
            themes=getattr(sources, "themes", None),
        )

    def save_results(self, path: str | PathLike[str] | None) -> None:
        """:meth:`ReportPage.save_results`, and beside it (``<path>.reviews.parquet``) the month's
        scored reviews (text, class, rating, date, one column per theme), so the runner's
        drill-down pages list the reviews this page counted without scoring them again (10 s
        for 1M reviews). The file sits in the run's working folder, which the runner removes
        before it publishes the pack: it holds review texts, which leave the pack only masked.
        Also beside it (``<path>.comments.parquet``) the lexicon sentiment of the month's survey
        comments (:func:`cxkit.pack.drilldown.comment_scores`), with the comments they score."""
        super().save_results(path)
        if not path:
            return
        month_rows = self.scored[self.scored["_month"] == pd.Period(self.month, "M")] if self.dated else self.scored
        keep = [c for c in ("text", "label", "rating", "published_at", *self.theme_names) if c in month_rows.columns]
        rows = month_rows[keep].reset_index(drop=True)
        rows.attrs = {"themes": list(self.theme_names)}
        rows.to_parquet(Path(path).with_suffix(".reviews.parquet"), index=False)
        # The month's survey comments scored as the drill-down scores them, while this kernel holds
        # the lexicons (<path>.comments.parquet, in the same working folder, removed with it).
        if self._comments is not None and self.month:
            scores = comment_scores(self._comments, self.month)
            scores.attrs = {"month": self.month}
            scores.to_parquet(Path(path).with_suffix(".comments.parquet"))

    def results(self) -> dict:
        """The ``sentiment`` part of ``results.json``.

        Keys: ``month``, ``headline`` (KPI dict: ``value``, ``ci_low``, ``ci_high``, ``n``,
        ``previous``, ``change``, ``change_p_raw``, ``change_p``, ``significant``), ``finding``,
        ``n_reviews``, ``n_scored``, ``share_positive``, ``share_negative``, ``by_language``
        (per language ``n``, ``mean_compound``, ``share_negative``; empty when the month's
        reviews are in one language), ``top_emerging_negative_theme``,
        ``emerging_negative_themes``, ``calibration``, ``scores_from``, ``rating_agreement``
        (metric -> value), ``comments``, ``rating_scale`` (``[low, high]``, None without
        ratings) and ``dated`` (False when the reviews have no dates: the numbers are then
        those of every review of the export); ``trend``: the monthly means shown on the page,
        last 13 months, as ``{period, value, ci_low, ci_high, n}`` (the index's sparkline, issue 27).
        """
        if not isinstance(self._results, dict):
            return {"sentiment": self._results}
        return {"sentiment": {**self._results, "trend": trend_points(self.trend, value="mean_compound")}}

    # -- labels in the rating's own scale ------------------------------------------------

    @property
    def _on_stars(self) -> bool:
        return self.rating_scale is None or tuple(self.rating_scale) == (1, 5)

    @property
    def _rating_name(self) -> str:
        """ "star rating" on 1-5 stars, else "rating (1-10)" (the rating's own scale)."""
        return tr("star rating") if self._on_stars else tr("rating ({scale})", scale=_scale_text(self.rating_scale))

    def _mapping_note(self) -> str:
        """The classes the rating gives for the agreement and the calibration, said once."""
        if self._on_stars:
            return ""
        return "; " + _class_mapping(cast(tuple[float, float], self.rating_scale))

    # -- figures, for an analyst's own axes ----------------------------------------------

    def plot_trend(self, *, ax: Axes | None = None) -> Axes:
        """Mean sentiment per month with its 95% interval (the last ``months`` months up to the
        report month, which is marked)."""
        from ..plots import plot_sentiment_trend

        trend = self.need(self.trend, "trend")
        return plot_sentiment_trend(trend, month=self.month, months=self.months, ax=ax)

    def plot_by_source(self, *, ax: Axes | None = None) -> Axes:
        """Mean sentiment per month for each review source, with 95% intervals (the last
        ``months`` months up to the report month)."""
        from ..plots import plot_sentiment_by_source

        return plot_sentiment_by_source(self.need(self.by_source, "by_source"), months=self.months, ax=ax)

    def plot_themes(self, *, ax: Axes | None = None) -> Axes:
        """Share of reviews that are negative and mention each theme: this month vs the month before."""
        from ..plots import plot_themes

        ax = plot_themes(self.need(self.themes, "themes"), month=self.month, ax=ax)
        if not self.dated:  # the bars are every review of the export, not the report month's
            bars, _ = ax.get_legend_handles_labels()
            ax.legend(bars[:1], [tr("every review (undated)")], loc="lower right")
        return ax

    # -- sections, in page order ---------------------------------------------------------

    @section("headline")
    def _headline(self):
        """Mean compound sentiment this month against the month before."""
        head = self.need(self.headline, "headline")
        shown = _filled_columns(head, groups=[["ci_low", "ci_high"], ["previous", "change"], ["p", "p_adjusted"]])
        if "p" not in shown:  # untested: "significant: no" would claim a test that was not run
            shown = shown.drop(columns="significant")
        if not self.dated:
            shown = shown.drop(columns="month")
        else:
            shown = shown.assign(month=shown["month"].map(i18n.month))
        if "ci_low" in shown:
            caption = (
                tr("Mean review sentiment, {month}, with 95% confidence interval", month=i18n.month(self.month))
                if self.dated
                else tr("Mean sentiment of every review in the export, with 95% confidence interval")
            )
        else:
            caption = (
                tr("Mean review sentiment, {month}", month=i18n.month(self.month))
                if self.dated
                else tr("Mean sentiment of every review in the export")
            )
        return table(shown, caption=caption, digits=2, signed=["change"], labels=_labels())

    @section("trend")
    def _trend_chart(self):
        """Sentiment by month with its 95% interval."""
        return figure(self.plot_trend().figure, alt=self.alt["trend"])

    @section("by_source")
    def _by_source_chart(self):
        """Each review site's monthly mean with its 95% interval."""
        return figure(self.plot_by_source().figure, alt=self.alt["by_source"])

    @section("by_language")
    def _by_language(self):
        """This month's reviews by language."""
        languages = _shown_values(self.need(self.by_language, "by_language"))
        return table(
            _filled_columns(languages, groups=[["ci_low", "ci_high"]]),
            caption=tr("Sentiment by language, {month}", month=i18n.month(self.month))
            if self.dated
            else tr("Sentiment by language"),
            digits=2,
            percent=["share_positive", "share_negative"],
            labels=_labels(),
        )

    @section("agreement")
    def _agreement(self):
        """Agreement between sentiment and the rating."""
        agreement = _shown_values(self.need(self.agreement, "agreement"))
        caption = (
            tr("Sentiment against star rating, with 95% confidence intervals")
            if self._on_stars
            else tr(
                "Sentiment against the rating ({scale}), with 95% confidence intervals",
                scale=_scale_text(self.rating_scale),
            )
        )
        return table(
            _filled_columns(agreement, groups=[["ci_low", "ci_high"]]),
            caption=caption + self._mapping_note(),
            digits=3,
            labels=_labels(),
        )

    @section("stars_by_label")
    def _stars_by_label(self):
        """This month's reviews by rating and sentiment label."""
        counts = self.need(self.agreement_table, "stars_by_label")
        month = i18n.month(self.month)
        if self._on_stars:
            caption = (
                tr("Star rating by sentiment label, {month}", month=month)
                if self.dated
                else tr("Star rating by sentiment label")
            )
        else:
            scale = _scale_text(self.rating_scale)
            caption = (
                tr("Rating ({scale}) by sentiment label, {month}", scale=scale, month=month)
                if self.dated
                else tr("Rating ({scale}) by sentiment label", scale=scale)
            )
        return table(
            counts,
            caption=caption,
            labels=_labels() if self._on_stars else _labels(rating=self._rating_name),
        )

    @section("calibration")
    def _calibration(self):
        """Cross-validated accuracy of the calibration on the company's own reviews."""
        self.need(self.calibration, "calibration")
        # The rating's classes are said once: under the agreement, or here when it is not shown.
        note = self._mapping_note() if self.agreement is None else ""
        caption = (
            tr("Cross-validated accuracy against the star ratings")
            if self._on_stars
            else tr("Cross-validated accuracy against the rating ({scale})", scale=_scale_text(self.rating_scale))
        )
        return table(
            self.calibration,
            caption=caption + note,
            digits=3,
            percent=["cv_accuracy", "cv_macro_f1", "lexicon_accuracy"],
            labels=_labels(),
        )

    @section("themes_table")
    def _themes_table(self):
        """Volume, share negative, mean sentiment and change per theme."""
        themes = self.need(self.themes, "themes")
        mentioned = themes[themes["n"] > 0]
        left_out = themes.loc[themes["n"] == 0, "theme"].astype(str).tolist()
        shown = _filled_columns(
            mentioned,
            groups=[["ci_low", "ci_high"], ["previous_rate", "change", "p", "p_adjusted"], ["rating_with"]],
        )
        if "change" not in shown:  # no month before: nothing was tested, nothing can be emerging
            shown = shown.drop(columns="emerging")
        if "rating_with" not in shown:
            shown = shown.drop(
                columns=[c for c in ("rating_without", "rating_diff", "rating_p", "rating_p_adjusted") if c in shown]
            )
        labels = _labels(**{column: translate(label) for column, label in _CHANGE_LABELS.items()})
        if not self._on_stars and "rating_with" in shown:
            scale = _scale_text(self.rating_scale)
            labels.update(
                rating_with=tr("rating ({scale}) with", scale=scale),
                rating_without=tr("rating ({scale}) without", scale=scale),
                rating_diff=tr("rating ({scale}) difference", scale=scale),
                rating_p=tr("p of rating difference"),
                rating_p_adjusted=tr("p of rating difference (adjusted)"),
            )
        month = i18n.month(self.month)
        if left_out:
            caption = (
                tr("Themes, {month} (not mentioned, so not listed: {themes})", month=month, themes=", ".join(left_out))
                if self.dated
                else tr("Themes (not mentioned, so not listed: {themes})", themes=", ".join(left_out))
            )
        else:
            caption = tr("Themes, {month}", month=month) if self.dated else tr("Themes")
        return table(
            shown,
            caption=caption,
            digits=3,
            percent=["share_of_reviews", "share_negative", "negative_rate", "previous_rate"],
            pp=["change"],
            labels=labels,
        )

    @section("themes")
    def _themes_chart(self):
        """Negative mentions by theme, this month against the month before."""
        themes = self.need(self.themes, "themes")
        previous = pd.to_numeric(themes["previous_rate"], errors="coerce").fillna(0)
        if not (themes["negative_rate"] > 0).any() and not (previous > 0).any():
            return _note(tr("No negative review {where} mentions any of the themes.", where=self._where))
        return figure(self.plot_themes().figure, alt=self.alt["themes"])

    @section("emerging")
    def _emerging(self):
        """Themes whose negative mentions rose significantly since last month."""
        self.need(self.themes, "themes")
        emerging = self.need(self.emerging, "emerging")
        if not len(emerging):
            return _note(cast(str, self._emerging_sentence))
        return table(
            emerging[["theme", "n", "negative_rate", "previous_rate", "change", "p_adjusted"]],
            caption=tr("Emerging negative themes"),
            digits=3,
            percent=["negative_rate", "previous_rate"],
            pp=["change"],
            labels=_labels(**{column: translate(label) for column, label in _CHANGE_LABELS.items()}),
        )

    @section("theme_list")
    def _theme_list(self):
        """Which theme list tagged the reviews (generic, or the catalog's industry template)."""
        return _note(theme_list_note(self.theme_set))

    @section("theme_heatmap")
    def _theme_heatmap_chart(self):
        """Themes by sentiment: the share of each theme's reviews that is negative, neutral, positive."""
        cells = self.need(self.theme_heatmap, "theme_heatmap")
        return figure(_plot_heatmap(cells).figure, alt=self.alt["theme_heatmap"])

    @section("theme_verbatims")
    def _theme_verbatims(self):
        """The reviews behind each cell of the heatmap (masked, shortened)."""
        cells = self.need(self.theme_heatmap, "theme_heatmap")
        shown = cells[cells["n"] > 0].assign(examples=lambda d: d["examples"].map(" | ".join))
        return table(
            _shown_values(shown[["theme", "label", "n", "share", "examples"]]),
            caption=tr("Reviews behind each theme and sentiment, {month}", month=i18n.month(self.month))
            if self.dated
            else tr("Reviews behind each theme and sentiment"),
            digits=3,
            percent=["share"],
            max_chars=520,
            labels=_labels(),
        )

    @section("topics")
    def _topics(self):
        """Suggested topics: what the reviews that match no theme talk about."""
        topics = self.need(self.topics, "topics")
        if not len(topics):
            return _note(str(topics.attrs.get("note") or tr("No topic was found in the reviews that match no theme.")))
        shown = topics.assign(terms=topics["terms"].map(", ".join), examples=topics["examples"].map(" | ".join))
        return table(
            _shown_values(
                shown[["topic", "language", "terms", "size", "share", "mean_compound", "share_negative", "examples"]]
            ),
            caption=tr(
                "Suggested topics in reviews that match no theme: candidates to add to the catalog under "
                "themes: add (not counted in the theme statistics)"
            ),
            digits=2,
            percent=["share", "share_negative"],
            max_chars=520,
            labels=_labels(),
        )

    @section("examples")
    def _examples(self):
        """The most negative and most positive reviews this month."""
        chosen = _shown_values(self.need(self.examples, "examples"))
        caption = (
            tr("Most negative and most positive reviews, {month}", month=i18n.month(self.month))
            if self.dated
            else tr("Most negative and most positive reviews")
        )
        return table(
            chosen,
            caption=caption,
            digits=2,
            max_chars=220,
            labels=_labels() if self._on_stars else _labels(rating=self._rating_name),
        )

    @property
    def _where(self) -> str:
        """Where the page's numbers come from, as a phrase inside its sentences."""
        return tr("in {month}", month=i18n.month(self.month)) if self.dated else tr("in the export")

    # -- compact views -------------------------------------------------------------------

    def _summary(self) -> list[str]:
        r = self._results
        head = r["headline"]
        where = self.month if self.dated else "the export (undated)"
        reviews = "review" if r["n_reviews"] == 1 else "reviews"
        lines = [f"{r['n_reviews']:,} {reviews} in {where}, {r['n_scored']:,} scored; scores from {r['scores_from']}"]
        # issue 25: reviews in a language the scorer does not read are counted, never scored
        month_rows = self.scored[self.scored["_month"] == pd.Period(self.month, "M")] if self.dated else self.scored
        langs = month_rows["language"] if "language" in month_rows else pd.Series(dtype=object)
        n_other = int((langs.notna() & ~langs.isin(SUPPORTED_LANGUAGES) & month_rows["compound"].isna()).sum())
        if n_other:
            lines[0] += f"; not scored: other language {n_other:,}"
        if r["n_scored"]:
            line = f"mean sentiment {head['value']:+.2f}"
            if r["n_scored"] > 1:
                line += f" (95% CI {head['ci_low']:+.2f} to {head['ci_high']:+.2f})"
            if head["change_p"] is not None:
                line += f", change {head['change']:+.2f} (adjusted {p_phrase(head['change_p'])})"
            lines.append(line)
        return lines

    def _repr_html_(self) -> str:
        head = f"<h3>{safe_text(translate(self.title))}, {safe_text(i18n.month(self.month))}</h3>"
        notes = "".join(f'<p class="cx-note">{safe_text(line)}</p>' for line in self._summary())
        names = ", ".join(safe_text(name) for name in self.sections)
        return (
            head
            + notes
            + findings_list(self.findings).html
            + f'<p class="cx-note">Sections (page.show(name)): {names}</p>'
        )

    def __repr__(self) -> str:
        found = "\n".join(f"- {item}" for item in self.findings)
        return (
            f"SentimentReport({self.month}): {self.title}\n"
            + "\n".join(self._summary())
            + f"\n{found}\nsections: {', '.join(self.sections)}"
        )

    @section("breakdowns")
    def _breakdowns(self) -> Any:
        """This month's reviews by the catalog's breakdown columns (settings: breakdowns)."""
        if self.breakdowns is None and "breakdowns" not in self.unavailable:
            return None  # no breakdown named: the section is left out of the page
        table_ = self.need(self.breakdowns, "breakdowns")
        columns = ", ".join(table_["by"].unique())
        return table(
            _filled_columns(table_, groups=[["ci_low", "ci_high"]]),
            caption=tr("Sentiment by {columns}, {month}", columns=columns, month=i18n.month(self.month))
            if self.dated
            else tr("Sentiment by {columns}", columns=columns),
            digits=2,
            percent=["share_positive", "share_negative"],
            labels=_labels(),
        )


def sentiment_report(
    df: pd.DataFrame | MonthlyReader,
    *,
    month: str | None = None,
    settings: dict | None = None,
    calibrate: str | bool = "auto",
    comments: pd.DataFrame | None = None,
    alpha: float = 0.05,
    examples: int = 3,
    max_chars: int = 220,
    seed: int = 0,
    calibrate_max: int = 20_000,
    chunk_rows: int = 100_000,
    months: int | None = TREND_MONTHS,
    themes: dict | None = None,
) -> SentimentReport:
    """Score, calibrate, tag and summarise reviews for one month: the review-sentiment page.

    The same as ``SentimentReport(df, ...)``: every review is scored (lexicon, or the
    company's own model calibrated on the star ratings when that is better) and tagged with
    themes (:func:`cxkit.analysis.reviews.score_reviews`); then the month's headline, trend,
    sources, languages, agreement with the stars and themes are computed once.

    Parameters
    ----------
    df : pandas.DataFrame or MonthlyReader
        The canonical reviews table (``text``; ``published_at``, ``source``, ``rating`` and
        ``language`` are used when present: reviews without dates all count in ``month``), or
        ``catalog.monthly("reviews")`` to read a big table a run of months at a time (see
        ``chunk_rows``); both give the same numbers. A rating on another scale than 1-5 is
        read from ``attrs["scales"]`` (the catalog's ``scales``).
    month : str, optional
        ``YYYY-MM``; empty or None: the last complete month in the data.
    settings : dict, optional
        The catalog's ``settings`` (``settings["themes"]`` extends the theme dictionary).
    calibrate : {"auto", True, False}, default "auto"
        "auto": fit :func:`cxkit.calibrate_sentiment` on the rated reviews (at least 100) and
        use its out-of-fold scores when it is recommended (better than the lexicon in
        cross-validation); True: always use it; False: lexicon scores only.
    comments : pandas.DataFrame, optional
        Survey feedback (``comment``, ``responded_at``): its unrated text is scored with the
        calibrated model (or the lexicon) and summarised for the month.
    alpha : float, default 0.05
        Significance level of the tests: the headline change (under the headline policy),
        each theme's rise and its association with the stars. The intervals are 95% ones.
    examples : int, default 3
        Most negative and most positive reviews shown.
    max_chars : int, default 220
        Length at which the example texts are shortened.
    seed : int, default 0
        Seed of the calibration's cross-validation folds and sample.
    calibrate_max : int, default 20_000
        Most rated reviews the calibration learns from (a seeded sample stratified by star
        rating beyond that).
    chunk_rows : int, default 100_000
        Reviews scored at a time, in runs of whole months (see
        :func:`cxkit.analysis.reviews.score_reviews`); the scores do not depend on it.
    months : int or None, default 24
        The monthly tables and figures (``trend``, ``by_source``) cover the last ``months``
        calendar months up to the report month (:data:`cxkit.plots.TREND_MONTHS`); None: every
        month.
    themes : dict, optional
        The catalog's ``themes`` section (``{"template": "travel", "add": {...}, "drop": [...]}``,
        :func:`cxkit.theme_set`); None: the generic list, which the page says is generic.

    Returns
    -------
    SentimentReport
        The page (:class:`SentimentReport` lists its attributes): ``month``; the tables
        ``headline`` (``month``, ``value``, ``ci_low``, ``ci_high``, ``n``, ``previous``,
        ``change``, ``p``, ``p_adjusted``, ``significant``; the change judged by the pack's
        headline policy), ``trend`` and ``by_source`` (:func:`cxkit.sentiment_trend`),
        ``by_language``, ``agreement`` (:func:`cxkit.rating_agreement`),
        ``agreement_table``, ``calibration``, ``themes`` (:func:`cxkit.theme_summary`),
        ``emerging`` and ``examples``, each None when the data cannot give it (``unavailable``
        holds the sentence saying why, which its section shows); ``scored`` (every review with
        its scores and themes), ``model``, ``dated``, ``rating_scale``; ``findings``, ``alt``,
        ``results()`` (the ``sentiment`` part of results.json), ``sections`` and
        ``show(name)``; ``plot_trend``, ``plot_by_source`` and ``plot_themes`` draw its figures
        on an analyst's own axes.

    Raises
    ------
    ValueError
        The reviews lack ``text``, ``month`` is not written ``YYYY-MM``, or the data have no
        complete month (a :class:`~cxkit.errors.NotEnoughDataError` when the reviews have no
        dates and no ``month`` is given).

    Examples
    --------
    >>> import cxkit as cx
    >>> reviews = cx.load_catalog(cx.DEFAULT_CATALOG)["reviews"].frame
    >>> report = cx.sentiment_report(reviews, month="2026-10", calibrate=False)
    >>> report.results()["sentiment"]["top_emerging_negative_theme"]["theme"]
    'delivery'
    >>> report.headline[["month", "n"]].values.tolist()
    [['2026-10', 1000]]
    """
    return SentimentReport(
        df,
        month=month,
        settings=settings,
        calibrate=calibrate,
        comments=comments,
        alpha=alpha,
        examples=examples,
        max_chars=max_chars,
        seed=seed,
        calibrate_max=calibrate_max,
        chunk_rows=chunk_rows,
        months=months,
        themes=themes,
    )


# --------------------------------------------------------------------------- the page's analyses
# Each raises NotEnoughDataError with the sentence its section shows when the data cannot give it.


def _no_dates(what: str) -> NotEnoughDataError:
    """Why an analysis over time cannot be made from undated reviews; ``what``: "month by month",
    "by source and month" or "from one month to the next"."""
    if what == "month by month":
        reason = tr(
            "the reviews have no dates (published_at), so they cannot be followed month by month; a date "
            "column in the export, or fieldwork: YYYY-MM in the catalog entry of an export from one period, "
            "would date them."
        )
    elif what == "by source and month":
        reason = tr(
            "the reviews have no dates (published_at), so they cannot be followed by source and month; a date "
            "column in the export, or fieldwork: YYYY-MM in the catalog entry of an export from one period, "
            "would date them."
        )
    else:
        reason = tr(
            "the reviews have no dates (published_at), so they cannot be followed from one month to the next; "
            "a date column in the export, or fieldwork: YYYY-MM in the catalog entry of an export from one "
            "period, would date them."
        )
    return NotEnoughDataError(reason)


def _number(value: float) -> str:
    """A point of a rating scale as the pack writes it (``1``, ``10``, ``0.5``; ``:g`` in English)."""
    value = float(value)
    if i18n.get_language() == "en":
        return f"{value:g}"
    text = f"{value:g}"
    return decimal(value, len(text.split(".")[1]) if "." in text and "e" not in text else 0)


def _scale_text(scale: tuple[float, float] | None) -> str:
    low, high = scale or (1, 5)
    return f"{_number(low)}-{_number(high)}"


def _month_word(period: object) -> str:
    """A month inside a sentence: ``Oct 2026`` in English (as the figures name it), the
    locale's month otherwise (``oktober 2026``)."""
    return month_label(period) if i18n.get_language() == "en" else i18n.month(period)


def _signed(value: float, digits: int = 2) -> str:
    """A sentiment score or its change with its sign: ``+0.06``, ``-0.08`` (``+0,06`` in da/nb/sv)."""
    return decimal(value, digits, sign=True)


def _class_mapping(scale: tuple[float, float]) -> str:
    """How a rating on ``scale`` becomes a class: "1-3 negative, 4-7 neutral, 8-10 positive
    (mapped onto 1-5 stars)", from :func:`~cxkit.analysis.calibration.rating_to_class`."""
    low, high = scale
    values = np.arange(low, high + 1) if float(low).is_integer() and float(high).is_integer() else np.array([])
    classes = rating_to_class(values, scale) if len(values) else pd.Series(dtype=object)
    ranges = {}
    for name in ("negative", "neutral", "positive"):
        inside = values[(classes == name).to_numpy()] if len(values) else values
        if len(inside):
            first, last = inside.min(), inside.max()
            ranges[name] = _number(first) if first == last else f"{_number(first)}-{_number(last)}"
    if len(ranges) == 3:
        return tr(
            "classes from the rating: rated {negative} negative, {neutral} neutral, {positive} positive "
            "(the {scale} scale mapped linearly onto 1-5 stars)",
            scale=_scale_text(scale),
            **ranges,
        )
    if ranges:  # a scale too short for three classes: the classes it gives, by name
        parts = ", ".join(f"{points_} {translate(_CLASSES[name])}" for name, points_ in ranges.items())
        return tr(
            "classes from the rating: rated {classes} (the {scale} scale mapped linearly onto 1-5 stars)",
            classes=parts,
            scale=_scale_text(scale),
        )
    return tr(
        "classes from the rating: rated on {scale} (the {scale} scale mapped linearly onto 1-5 stars)",
        scale=_scale_text(scale),
    )


def _no_scores(where: str) -> NotEnoughDataError:
    return NotEnoughDataError(
        tr(
            "no review {where} could be scored for sentiment: their texts are empty or not in a language the "
            "scorer reads ({languages}).",
            where=where,
            languages=", ".join(SUPPORTED_LANGUAGES),
        )
    )


def _headline_frame(kpi: dict, month: str, where: str) -> pd.DataFrame:
    """The headline KPI as a one-row table (``p`` raw, ``p_adjusted`` adjusted for the headline family)."""
    if not kpi["n"]:
        raise _no_scores(where)
    return pd.DataFrame(
        [
            {
                "month": month,
                **{k: v for k, v in kpi.items() if not k.startswith("change_p")},
                "p": kpi["change_p_raw"],
                "p_adjusted": kpi["change_p"],
            }
        ]
    )[["month", "value", "ci_low", "ci_high", "n", "previous", "change", "p", "p_adjusted", "significant"]]


def _trend(upto: pd.DataFrame, period: pd.Period, months: int | None, dated: bool) -> pd.DataFrame:
    """Mean sentiment per month, the last ``months`` months up to the report month."""
    if not dated:
        raise _no_dates("month by month")
    trend = sentiment_trend(upto, month=period, months=months)
    if len(trend) < 2:
        if months:
            reason = tr(
                "only one month of the last {months} has reviews ({month}), so there is no trend yet; "
                "it shows once a second month's reviews are in.",
                months=integer(months),
                month=_month_word(period),
            )
        else:
            reason = tr(
                "only one month has reviews ({month}), so there is no trend yet; "
                "it shows once a second month's reviews are in.",
                month=_month_word(period),
            )
        raise NotEnoughDataError(reason)
    return trend


def _by_source(upto: pd.DataFrame, period: pd.Period, months: int | None, dated: bool) -> pd.DataFrame:
    """Mean sentiment per month and source, the last ``months`` months up to the report month."""
    if "source" not in upto or upto["source"].isna().all():
        raise NotEnoughDataError(
            tr(
                "the reviews do not say which site they were posted on (no source column), so sites cannot be "
                "compared; map the export's site column to source under columns in the catalog entry."
            )
        )
    if not dated:
        raise _no_dates("by source and month")
    by_source = sentiment_trend(upto, by="source", month=period, months=months)
    names = sorted(by_source["source"].astype(str).unique())
    if len(names) < 2:
        raise NotEnoughDataError(
            tr(
                "every review comes from one source ({source}), so there are no sources "
                "to compare; reviews from a second site would make it possible.",
                source=names[0] if names else tr("unnamed"),
            )
        )
    return by_source


def _by_source_alt(by_source: pd.DataFrame | None, month: str) -> str:
    """The by-source figure's alt text: each source's mean in the report month."""
    if by_source is None:
        return tr("Review sentiment by source: not drawn (see the section's note).")
    this_month = by_source[by_source["month"] == month]
    if not len(this_month):
        return tr(
            "Mean review sentiment per month for each source with 95% intervals; no source has a scored review "
            "in {month}.",
            month=i18n.month(month),
        )
    return tr(
        "Mean review sentiment per month for each source with 95% intervals; {sources}",
        sources="; ".join(
            tr(
                "{source}: {value} in {month}",
                source=r["source"],
                value=_signed(r["mean_compound"]),
                month=i18n.month(month),
            )
            for _, r in this_month.iterrows()
        ),
    )


def _by_language(cur: pd.DataFrame, where: str, date: str) -> pd.DataFrame:
    """The month's scored reviews by language (given by the source, or detected)."""
    if not len(cur):
        raise _no_scores(where)
    by_language = sentiment_trend(cur, by="language", date=date)
    if len(by_language) < 2:
        raise NotEnoughDataError(
            tr(
                "every scored review {where} is in one language ({language}), so there are no languages to compare.",
                where=where,
                language=_language_name(by_language["language"].iloc[0]),
            )
        )
    return by_language


#: Groups listed per breakdown column (the largest first); the caption says how many there are.
BREAKDOWN_ROWS = 15


def _breakdowns(cur: pd.DataFrame, columns: list[str], where: str, date: str) -> pd.DataFrame:
    """The month's scored reviews by each breakdown column the reviews have (the catalog's
    ``settings: breakdowns``), the largest groups first."""
    if not len(cur):
        raise _no_scores(where)
    present = [c for c in columns if c in cur.columns and cur[c].notna().any()]
    if not present:
        raise NotEnoughDataError(
            tr(
                "the reviews have none of the breakdown columns the catalog names ({columns}); keep such a "
                "column in the reviews export, or name the reviews' own columns under settings: breakdowns.",
                columns=", ".join(columns),
            )
        )
    parts = []
    for column in present:
        t = sentiment_trend(cur, by=column, date=date).drop(columns="month", errors="ignore")
        t = t.sort_values("n", ascending=False, kind="stable").head(BREAKDOWN_ROWS)
        parts.append(t.rename(columns={column: "group"}).assign(by=column))
    out = pd.concat(parts, ignore_index=True)
    return out[["by", "group", *[c for c in out.columns if c not in ("by", "group")]]]


def _no_ratings(rated: int, where: str) -> NotEnoughDataError:
    if not rated:
        return NotEnoughDataError(
            tr(
                "the reviews have no rating, so their sentiment cannot be checked against one; map the export's "
                "star or score column to rating under columns in the catalog entry (and give its scale under "
                "scales when it is not 1-5)."
            )
        )
    return NotEnoughDataError(tr("no scored review {where} has a rating to check its sentiment against.", where=where))


def _agreement(cur: pd.DataFrame, rated: int, where: str) -> pd.DataFrame:
    """Sentiment against the rating this month (:func:`cxkit.rating_agreement`), measures the
    month's reviews can give."""
    if not rated or "rating" not in cur or not pd.to_numeric(cur["rating"], errors="coerce").notna().any():
        raise _no_ratings(rated, where)
    agreement = rating_agreement(cur)
    return agreement[agreement["value"].notna()].reset_index(drop=True)


def _star_label_counts(cur: pd.DataFrame, rated: int, where: str) -> pd.DataFrame:
    """This month's reviews counted by rating (rows: every point of the rating's scale) and
    sentiment label (columns)."""
    stars = pd.to_numeric(cur["rating"], errors="coerce") if "rating" in cur else pd.Series(dtype=float)
    if not rated or not stars.notna().any():
        raise _no_ratings(rated, where)
    out = pd.crosstab(stars, cur["label"])
    low, high = rating_scale(cur, "rating")
    given = stars.dropna()
    if float(low).is_integer() and float(high).is_integer() and (given == given.round()).all():
        points = np.arange(int(low), int(high) + 1)
        out = out.reindex(index=sorted(set(points) | set(out.index)), fill_value=0)
    out = out.reindex(columns=["negative", "neutral", "positive"], fill_value=0)
    out.index.name = "rating"
    out = out.reset_index()
    out.columns = [str(c) for c in out.columns]
    return out


def _calibration_shown(calibration: pd.DataFrame, calibrate: str | bool, rated: int) -> pd.DataFrame:
    """The calibration's table, or why there is none."""
    if calibrate is False:
        raise NotEnoughDataError(tr("the calibration was turned off (calibrate=False): the scores are the lexicon's."))
    if not len(calibration):
        if not rated:
            raise NotEnoughDataError(
                tr(
                    "the reviews have no rating to learn the company's own model from, so the scores are the "
                    "lexicon's; a rating column (stars or a score) would make it possible."
                )
            )
        raise NotEnoughDataError(
            tr(
                "the company's own model is learnt from at least {minimum} rated reviews and there are "
                "{n}, so the scores are the lexicon's.",
                minimum=integer(_CALIBRATE_MIN),
                n=integer(rated),
            )
        )
    if "note" in calibration and calibration["n"].iloc[0] == 0:
        raise NotEnoughDataError(
            tr(
                "the company's own model could not be fitted, so the scores are the lexicon's: {why}",
                why=calibration["note"].iloc[0],
            )
        )
    return calibration


def _themes(
    upto: pd.DataFrame, period: pd.Period, names: list[str], alpha: float, where: str, date: str
) -> pd.DataFrame:
    """:func:`cxkit.theme_summary` of the month, when a review mentions a theme."""
    if not names:
        raise NotEnoughDataError(
            tr("no themes are defined; add the company's own under settings: themes in the catalog.")
        )
    if not (upto["_month"] == period).any():
        raise _no_scores(where)
    themes = theme_summary(upto, month=period, themes=names, alpha=alpha, date=date)
    if not (themes["n"] > 0).any():
        raise NotEnoughDataError(
            tr(
                "no scored review {where} mentions a theme ({themes}); the company's own words for its "
                "themes can be added under settings: themes in the catalog.",
                where=where,
                themes=", ".join(names),
            )
        )
    return themes


def _emerging(themes: pd.DataFrame, has_previous: bool, period: pd.Period, dated: bool) -> pd.DataFrame:
    """The themes whose negative mentions rose significantly since the month before."""
    if not dated:
        raise _no_dates("from one month to the next")
    if not has_previous:
        raise NotEnoughDataError(
            tr(
                "there are no reviews from {month} to compare with, so no theme can be said to be rising; "
                "it shows once two consecutive months have reviews.",
                month=i18n.month(period - 1),
            )
        )
    return themes[themes["emerging"]]


def _emerging_sentence(
    top: dict | None, has_previous: bool, themes_given: bool, month: pd.Period, alpha: float
) -> str | None:
    """The finding on emerging themes, or None when it cannot be said (no themes, no month before)."""
    if top is not None:
        return tr(
            "Emerging negative theme: {theme}. Negative reviews mentioning it rose from {before} to {now} of all "
            "reviews (Holm-adjusted {p}).",
            theme=top["theme"],
            before=percent(top["previous_rate"], 1),
            now=percent(top["negative_rate"], 1),
            p=_fmt_p(top["change_p_holm"]),
        )
    if themes_given and has_previous:
        return tr(
            "No theme's share of negative reviews rose significantly from {month} (alpha {alpha}, Holm-adjusted).",
            month=i18n.month(month - 1),
            alpha=_alpha_text(alpha),
        )
    return None


def _example_reviews(cur: pd.DataFrame, examples: int, max_chars: int, where: str) -> pd.DataFrame:
    """The month's most negative and most positive reviews (each text once), texts shortened
    to ``max_chars``; columns without a value are left out."""
    if not len(cur):
        raise _no_scores(where)
    # A text posted twice (exports repeat reviews) is shown once.
    pick = cur.sort_values(["compound", "published_at"]).drop_duplicates(subset="text")
    cols = [c for c in ("published_at", "source", "language", "rating", "compound", "words", "text") if c in cur]
    cols = [c for c in cols if cur[c].notna().any()]
    n_worst = min(examples, (len(pick) + 1) // 2)
    n_best = min(examples, len(pick) - n_worst)
    worst = pick.head(n_worst)[cols].assign(example="most negative" if len(pick) > 1 else "the only review")
    best = pick.tail(n_best).iloc[::-1][cols].assign(example="most positive")
    example_frame = pd.concat([worst, best] if n_best else [worst])[["example"] + cols].reset_index(drop=True)
    if "words" in example_frame:  # a text the lexicon found no sentiment word in
        example_frame["words"] = example_frame["words"].fillna("").replace("", "none found")
    if "published_at" in example_frame:
        dates = pd.to_datetime(cur["published_at"]).dropna()
        # Every review on the 1st at midnight: dated by month only (e.g. the catalog's fieldwork), shown as such.
        by_month = bool(len(dates)) and bool(((dates.dt.day == 1) & (dates == dates.dt.normalize())).all())
        shown_as = "%Y-%m" if by_month else "%Y-%m-%d"
        example_frame["published_at"] = pd.to_datetime(example_frame["published_at"]).dt.strftime(shown_as)
    # Masked before it is cut: a cut can leave half an e-mail address the masking would not recognise.
    example_frame["text"] = (
        example_frame["text"]
        .astype(str)
        .map(mask_pii)
        .map(lambda t: t if len(t) <= max_chars else t[: max_chars - 1].rstrip() + "…")
    )
    return example_frame


def _filled_columns(frame: pd.DataFrame, *, groups: list[list[str]]) -> pd.DataFrame:
    """``frame`` without the column groups whose first column has no value at all (an
    interval of one review, a change without a month before, ratings never given)."""
    empty = [c for group in groups if group[0] in frame and frame[group[0]].isna().all() for c in group if c in frame]
    return frame.drop(columns=empty)


def _labels(**extra: str) -> dict[str, str]:
    """The headers of the page's own columns in the report language (``extra``, already
    translated, wins): the ``labels=`` of its tables."""
    return {**{column: translate(label) for column, label in _LABELS.items()}, **extra}


def _language_name(code: object) -> object:
    """A language in a table or a sentence: its code in English (``da``, as before), its name in
    the other report languages (``dansk``; a language the pack does not name by Babel's name)."""
    if i18n.get_language() == "en" or not isinstance(code, str):
        return code
    if code in _LANGUAGE_NAMES:
        return translate(_LANGUAGE_NAMES[code])
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(i18n.get_language()).languages.get(code, code)
    except (ValueError, UnknownLocaleError):
        return code


def _shown_values(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the pack's own words in its cells in the report language, for display
    only: sentiment classes, languages, agreement measures, which example a review is, and the
    dates (data values, such as themes, sources and texts, are kept as they are)."""
    out = frame.copy()
    if "label" in out:
        out["label"] = out["label"].map(lambda v: translate(_CLASSES[v]) if v in _CLASSES else v)
    if "language" in out:
        out["language"] = out["language"].map(_language_name)
    if "metric" in out and i18n.get_language() != "en":
        out["metric"] = out["metric"].map(lambda v: translate(_METRICS[v]) if v in _METRICS else v)
    for column in ("example", "words"):
        if column in out:
            out[column] = out[column].map(lambda v: translate(v) if v in _EXAMPLE_WORDS else v)
    if "words" in out and i18n.get_language() != "en":  # the lexicon's weights, "bad (-2.1)", in the locale
        out["words"] = out["words"].map(
            lambda v: (
                re.sub(r"\(([+-]\d+\.\d)\)", lambda m: f"({i18n.decimal(float(m.group(1)), 1, sign=True)})", v)
                if isinstance(v, str)
                else v
            )
        )
    if "published_at" in out:
        out["published_at"] = out["published_at"].map(
            lambda v: v if not isinstance(v, str) else i18n.month(v) if len(v) == 7 else i18n.date(v)
        )
    return out


def theme_list_note(chosen: Any) -> str:
    """:meth:`cxkit.analysis.themes.ThemeSet.note` in the report language: which theme list tagged
    the texts, and how to choose another (theme and template names are the catalog's, as they
    are). The NPS page says the same of its comments."""
    from ..analysis.themes import theme_templates

    if chosen.generic:
        return tr(
            "Themes come from cxkit's generic list (retail and telecom words: {themes}), not one chosen for this "
            "business; choose an industry template ({templates}) and add the company's own themes under {setting} in "
            "the catalog.",
            themes=", ".join(chosen.names),
            templates=", ".join(theme_templates()),
            setting="themes:",
        )
    edits = []
    if chosen.added:
        edits.append(tr("added or extended by the catalog: {themes}", themes=", ".join(chosen.added)))
    if chosen.dropped:
        edits.append(tr("left out: {themes}", themes=", ".join(chosen.dropped)))
    if edits:
        return tr(
            "Themes come from the {template} template ({description}); {edits}.",
            template=chosen.name,
            description=chosen.description,
            edits="; ".join(edits),
        )
    return tr(
        "Themes come from the {template} template ({description}).",
        template=chosen.name,
        description=chosen.description,
    )


def _note(sentence: str) -> SafeHTML:
    """A result in one sentence (nothing to list: e.g. no theme emerging), shown as text."""
    return SafeHTML(f'<p class="cx-note">{safe_text(sentence)}</p>', text=sentence)


# --------------------------------------------------------------------------- findings


def _fmt_p(p: float) -> str:
    """A p-value inside a sentence (``p = 0.034``, ``p < 0.001``; :func:`cxkit.display.p_phrase`)
    with the locale's decimal mark."""
    if i18n.get_language() == "en":
        return p_phrase(p)  # the pack's one p-value format
    text = i18n.p_value(p)
    return tr("p = n/a") if not text else f"p {text}" if text.startswith("<") else f"p = {text}"


def _alpha_text(alpha: float) -> str:
    """The significance level as the findings write it (``0.05``)."""
    return str(alpha) if i18n.get_language() == "en" else i18n.p_value(alpha)


def _findings(
    month: pd.Period,
    kpi: dict,
    n_previous: int,
    dated: bool,
    share_pos: float,
    share_neg: float,
    emerging: str | None,
    themes: pd.DataFrame | None,
    agreement: pd.DataFrame | None,
    calibration: pd.DataFrame,
    comments: dict | None,
    alpha: float,
    scale: tuple[float, float] | None,
) -> list[str]:
    """The page's findings, built only from the numbers it has."""
    out = [_headline_finding(month, kpi, n_previous, dated)]
    if kpi["n"] == 1:
        label = translate(_CLASSES["negative" if share_neg else "positive" if share_pos else "neutral"])
        out.append(
            tr("The one review this month was {label}.", label=label)
            if dated
            else tr("The one review of the export was {label}.", label=label)
        )
    elif kpi["n"]:
        shares = {"negative": percent(share_neg, 0), "positive": percent(share_pos, 0)}
        out.append(
            tr("{negative} of this month's reviews were negative and {positive} positive.", **shares)
            if dated
            else tr("{negative} of the reviews were negative and {positive} positive.", **shares)
        )
    if emerging:
        out.append(emerging)
    on_stars = scale is None or tuple(scale) == (1, 5)
    if themes is not None:
        worst = themes.sort_values("rating_diff").iloc[0]
        # the largest gap among the themes is a claim about the family: its p is Holm-adjusted
        if worst["rating_p_adjusted"] < alpha and worst["rating_diff"] < 0:
            gap = {
                "theme": worst["theme"],
                "difference": decimal(abs(worst["rating_diff"]), 1),
                "p": _fmt_p(worst["rating_p_adjusted"]),
            }
            if on_stars:
                out.append(
                    tr(
                        "Reviews that mention {theme} give {difference} fewer stars on average than those that do "
                        "not ({p}, Holm-adjusted over the themes).",
                        **gap,
                    )
                )
            else:
                out.append(
                    tr(
                        "Reviews that mention {theme} rate {difference} points lower on the {scale} rating than "
                        "those that do not ({p}, Holm-adjusted over the themes).",
                        scale=_scale_text(scale),
                        **gap,
                    )
                )
    if agreement is not None:
        a = agreement.set_index("metric")
        if "spearman_rho" in a.index and "accuracy" in a.index:
            rho_low = cast(float, a.loc["spearman_rho", "ci_low"])
            numbers = {
                "rho": decimal(cast(float, a.loc["spearman_rho", "value"]), 2),
                "low": decimal(rho_low, 2),
                "high": decimal(cast(float, a.loc["spearman_rho", "ci_high"]), 2),
                "accuracy": percent(cast(float, a.loc["accuracy", "value"]), 0),
            }
            agrees = rho_low > 0  # the interval leaves out 0, or not
            if on_stars and agrees:
                sentence = tr(
                    "Sentiment agrees with the star rating: Spearman rho {rho} (95% CI {low} to {high}); "
                    "the label matches the stars' class for {accuracy} of reviews.",
                    **numbers,
                )
            elif on_stars:
                sentence = tr(
                    "Sentiment does not clearly agree with the star rating: Spearman rho {rho} (95% CI {low} to "
                    "{high}); the label matches the stars' class for {accuracy} of reviews.",
                    **numbers,
                )
            elif agrees:
                sentence = tr(
                    "Sentiment agrees with the {scale} rating: Spearman rho {rho} (95% CI {low} to {high}); "
                    "the label matches the rating's class for {accuracy} of reviews.",
                    scale=_scale_text(scale),
                    **numbers,
                )
            else:
                sentence = tr(
                    "Sentiment does not clearly agree with the {scale} rating: Spearman rho {rho} (95% CI {low} "
                    "to {high}); the label matches the rating's class for {accuracy} of reviews.",
                    scale=_scale_text(scale),
                    **numbers,
                )
            out.append(sentence)
    if len(calibration) and "cv_accuracy" in calibration and calibration["cv_accuracy"].notna().iloc[0]:
        c = calibration.iloc[0]
        numbers = {
            "n": integer(int(c["n"])),
            "accuracy": percent(c["cv_accuracy"], 0),
            "lexicon": percent(c["lexicon_accuracy"], 0),
        }
        out.append(
            tr(
                "Calibrated on {n} rated reviews, the company's own model classified {accuracy} correctly in "
                "5-fold cross-validation (lexicon scorer: {lexicon}); it beat the lexicon scorer, so this report "
                "uses its out-of-fold scores.",
                **numbers,
            )
            if c["used"]
            else tr(
                "Calibrated on {n} rated reviews, the company's own model classified {accuracy} correctly in "
                "5-fold cross-validation (lexicon scorer: {lexicon}); it did not beat the lexicon scorer, so this "
                "report uses the lexicon scores.",
                **numbers,
            )
        )
    if comments:
        numbers = {"mean": _signed(comments["mean_compound"]), "n": integer(comments["n"])}
        out.append(
            tr("Survey comments this month scored {mean} on average (n = {n}, calibrated model).", **numbers)
            if comments["model"] == "calibrated"
            else tr("Survey comments this month scored {mean} on average (n = {n}, lexicon model).", **numbers)
        )
    return out


def _headline_finding(month: pd.Period, kpi: dict, n_previous: int, dated: bool) -> str:
    """The month's mean sentiment, its interval and its change, as far as the data give them."""
    n = kpi["n"]
    if not n:
        return (
            tr(
                "No review in {month} could be scored for sentiment, so there is no mean sentiment to report.",
                month=i18n.month(month),
            )
            if dated
            else tr("No review in the export could be scored for sentiment, so there is no mean sentiment to report.")
        )
    interval = (
        tr(
            "95% CI {low} to {high}, n = {n}",
            low=_signed(kpi["ci_low"]),
            high=_signed(kpi["ci_high"]),
            n=integer(n),
        )
        if n > 1
        else tr("one review, too few for an interval")
    )
    value = _signed(kpi["value"])
    if not dated:
        return tr(
            "Mean review sentiment was {value} on a -1 to 1 scale ({interval}), over every review of the export: "
            "the reviews have no dates, so they are not split by month.",
            value=value,
            interval=interval,
        )
    words = {
        "month": i18n.month(month),
        "previous": i18n.month(month - 1),
        "value": value,
        "interval": interval,
    }
    if kpi["change_p"] is not None:
        p = _fmt_p(kpi["change_p"])
        if kpi["significant"] and kpi["change"] > 0:
            return tr(
                "Mean review sentiment in {month} was {value} on a -1 to 1 scale ({interval}), up {change} from "
                "{previous} (adjusted {p} for the month's headline KPIs).",
                change=decimal(abs(kpi["change"]), 2),
                p=p,
                **words,
            )
        if kpi["significant"]:
            return tr(
                "Mean review sentiment in {month} was {value} on a -1 to 1 scale ({interval}), down {change} from "
                "{previous} (adjusted {p} for the month's headline KPIs).",
                change=decimal(abs(kpi["change"]), 2),
                p=p,
                **words,
            )
        return tr(
            "Mean review sentiment in {month} was {value} on a -1 to 1 scale ({interval}); the change of {change} "
            "from {previous} is not significant (adjusted {p} for the month's headline KPIs).",
            change=_signed(kpi["change"]),
            p=p,
            **words,
        )
    if not n_previous:
        return tr(
            "Mean review sentiment in {month} was {value} on a -1 to 1 scale ({interval}); there are no reviews "
            "from {previous} to compare with.",
            **words,
        )
    return tr(
        "Mean review sentiment in {month} was {value} on a -1 to 1 scale ({interval}); the change of {change} "
        "from {previous} cannot be tested with a single review in a month.",
        change=_signed(kpi["change"]),
        **words,
    )


# --------------------------------------------------------------------------- themes by sentiment, topics (issue 26)

#: Fewest reviews matching no theme that topic discovery looks at.
TOPIC_MIN_TEXTS = 30


def _theme_heatmap(cur: pd.DataFrame, names: list[str], where: str) -> pd.DataFrame:
    """Each theme's reviews this month by sentiment label, with up to 3 masked reviews per cell."""
    if not names or not len(cur):
        raise _no_scores(where)
    cells = theme_sentiment(cur, themes=names, text="text" if "text" in cur else None)
    if "examples" not in cells:
        cells["examples"] = [[] for _ in range(len(cells))]
    if not (cells["theme_n"] > 0).any():
        raise NotEnoughDataError(
            tr(
                "no scored review {where} mentions a theme, so there is no theme to break down by sentiment.",
                where=where,
            )
        )
    return cells[cells["theme_n"] > 0].reset_index(drop=True)


def _heatmap_alt(cells: pd.DataFrame | None, where: str) -> str:
    """The heatmap's finding: the theme with the largest negative share, and the most positive one."""
    if cells is None or not len(cells):
        return tr("Themes by sentiment: not drawn (see the section's note).")
    # a theme of two reviews can be "100% negative": the finding names themes of 10 or more when there are any
    enough = cells[cells["theme_n"] >= 10] if (cells["theme_n"] >= 10).any() else cells
    neg = enough[enough["label"] == "negative"].sort_values(["share", "theme_n"], ascending=[False, False])
    pos = enough[enough["label"] == "positive"].sort_values(["share", "theme_n"], ascending=[False, False])
    worst, best = neg.iloc[0], pos.iloc[0]
    return tr(
        "Themes by sentiment {where}: {worst} has the largest negative share, {worst_share} of its {worst_n} "
        "reviews; {best} the largest positive share, {best_share} of {best_n}. Cells: share of each theme's "
        "reviews.",
        where=where,
        worst=worst["theme"],
        worst_share=percent(worst["share"], 0),
        worst_n=integer(int(worst["theme_n"])),
        best=best["theme"],
        best_share=percent(best["share"], 0),
        best_n=integer(int(best["theme_n"])),
    )


def _plot_heatmap(cells: pd.DataFrame) -> Axes:
    """Themes (rows) by sentiment label (columns), each cell the share of the theme's reviews."""
    import matplotlib.pyplot as plt

    grid = cells.pivot(index="theme", columns="label", values="share").reindex(
        columns=["negative", "neutral", "positive"]
    )
    grid = grid.loc[cells.drop_duplicates("theme")["theme"]]
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(grid) + 1.4))
    ax.imshow(grid.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(3), [translate(_CLASSES[name]) for name in ("negative", "neutral", "positive")])
    ax.set_yticks(range(len(grid)), [str(t) for t in grid.index])
    n = cells.drop_duplicates("theme").set_index("theme")["theme_n"]
    for i, theme in enumerate(grid.index):
        for j, label in enumerate(grid.columns):
            value = grid.loc[theme, label]
            ax.text(j, i, percent(value, 0), ha="center", va="center", color="white" if value > 0.55 else "black")
        ax.text(2.62, i, tr("n = {n}", n=integer(int(n[theme]))), va="center", fontsize=8)
    ax.set_title(tr("Share of each theme's reviews by sentiment"))
    fig.tight_layout()
    return ax


def _suggested_topics(cur: pd.DataFrame, names: list[str], seed: int, where: str) -> pd.DataFrame:
    """Topics in the month's reviews that match no theme (cxkit.suggest_topics)."""
    if "text" not in cur or not len(cur):
        raise _no_scores(where)
    has_text = cur["text"].notna() & cur["text"].astype(str).str.strip().astype(bool)
    matched = cur[names].fillna(False).any(axis=1) if names else pd.Series(False, index=cur.index)
    rest = cur[has_text & ~matched]
    if len(rest) < TOPIC_MIN_TEXTS:  # a result, not missing data: the themes cover (nearly) every review
        none = pd.DataFrame(columns=["topic", "language", "terms", "size"])
        none.attrs["note"] = tr(
            "Only {n} review(s) {where} match no theme (topics are suggested from at least {minimum}): the theme "
            "list covers what the reviews talk about.",
            n=integer(len(rest)),
            where=where,
            minimum=integer(TOPIC_MIN_TEXTS),
        )
        return none
    topics = suggest_topics(
        rest["text"],
        language=rest["language"] if "language" in rest else None,
        sentiment=rest[["compound", "label"]].reset_index(drop=True),
        seed=seed,
    )
    if not len(topics):
        topics.attrs["note"] = tr(
            "The {n} reviews {where} that match no theme form no topic of 5 or more.", n=integer(len(rest)), where=where
        )
    return topics
