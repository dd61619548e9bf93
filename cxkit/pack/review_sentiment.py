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

from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

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
from ..plots import TREND_MONTHS, month_label
from ..privacy import mask_pii
from ._kpis import trend_points
from .page import ReportPage, section

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..analysis.calibration import SentimentModel
    from ..data.catalog import Catalog, MonthlyReader

__all__ = ["SentimentReport", "sentiment_report"]


#: The p-values of a theme's change, as the page heads them.
_CHANGE_LABELS = {"p": "p of change", "p_adjusted": "p of change (adjusted)"}
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

    title = "Review sentiment"
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
        where = f"in {self.month}" if self.dated else "in the export"
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
                f"{self._emerging_sentence} Bars: negative reviews mentioning each theme this month; "
                "marks: the month before."
                if self._emerging_sentence
                else f"Bars: negative reviews mentioning each theme {where}, as a share of all reviews; "
                "there is no month before to compare with."
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
        return "star rating" if self._on_stars else f"rating ({_scale_text(self.rating_scale)})"

    def _mapping_note(self) -> str:
        """The classes the rating gives for the agreement and the calibration, said once."""
        if self._on_stars:
            return ""
        return f"; {_class_mapping(cast(tuple[float, float], self.rating_scale))}"

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
            ax.legend(bars[:1], ["every review (undated)"], loc="lower right")
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
        what = f"Mean review sentiment, {self.month}" if self.dated else "Mean sentiment of every review in the export"
        interval = ", with 95% confidence interval" if "ci_low" in shown else ""
        return table(shown, caption=what + interval, digits=2, signed=["change"])

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
        languages = self.need(self.by_language, "by_language")
        return table(
            _filled_columns(languages, groups=[["ci_low", "ci_high"]]),
            caption=f"Sentiment by language, {self.month}" if self.dated else "Sentiment by language",
            digits=2,
            percent=["share_positive", "share_negative"],
        )

    @section("agreement")
    def _agreement(self):
        """Agreement between sentiment and the rating."""
        agreement = self.need(self.agreement, "agreement")
        against = "star rating" if self._on_stars else f"the {self._rating_name}"
        return table(
            _filled_columns(agreement, groups=[["ci_low", "ci_high"]]),
            caption=f"Sentiment against {against}, with 95% confidence intervals{self._mapping_note()}",
            digits=3,
        )

    @section("stars_by_label")
    def _stars_by_label(self):
        """This month's reviews by rating and sentiment label."""
        counts = self.need(self.agreement_table, "stars_by_label")
        name = "Star rating" if self._on_stars else self._rating_name.capitalize()
        return table(
            counts,
            caption=f"{name} by sentiment label, {self.month}" if self.dated else f"{name} by sentiment label",
            labels=None if self._on_stars else {"rating": self._rating_name},
        )

    @section("calibration")
    def _calibration(self):
        """Cross-validated accuracy of the calibration on the company's own reviews."""
        self.need(self.calibration, "calibration")
        # The rating's classes are said once: under the agreement, or here when it is not shown.
        note = self._mapping_note() if self.agreement is None else ""
        return table(
            self.calibration,
            caption=f"Cross-validated accuracy against the {'star ratings' if self._on_stars else self._rating_name}"
            + note,
            digits=3,
            percent=["cv_accuracy", "cv_macro_f1", "lexicon_accuracy"],
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
        labels = dict(_CHANGE_LABELS)
        if not self._on_stars and "rating_with" in shown:
            scale = _scale_text(self.rating_scale)
            labels.update(
                rating_with=f"rating ({scale}) with",
                rating_without=f"rating ({scale}) without",
                rating_diff=f"rating ({scale}) difference",
                rating_p="p of rating difference",
                rating_p_adjusted="p of rating difference (adjusted)",
            )
        caption = f"Themes, {self.month}" if self.dated else "Themes"
        if left_out:
            caption += f" (not mentioned, so not listed: {', '.join(left_out)})"
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
            return _note(f"No negative review {self._where} mentions any of the themes.")
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
            caption="Emerging negative themes",
            digits=3,
            percent=["negative_rate", "previous_rate"],
            pp=["change"],
            labels=_CHANGE_LABELS,
        )

    @section("theme_list")
    def _theme_list(self):
        """Which theme list tagged the reviews (generic, or the catalog's industry template)."""
        return _note(self.theme_set.note())

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
            shown[["theme", "label", "n", "share", "examples"]],
            caption=f"Reviews behind each theme and sentiment, {self.month}"
            if self.dated
            else "Reviews behind each theme and sentiment",
            digits=3,
            percent=["share"],
            max_chars=520,
        )

    @section("topics")
    def _topics(self):
        """Suggested topics: what the reviews that match no theme talk about."""
        topics = self.need(self.topics, "topics")
        if not len(topics):
            return _note(str(topics.attrs.get("note") or "No topic was found in the reviews that match no theme."))
        shown = topics.assign(terms=topics["terms"].map(", ".join), examples=topics["examples"].map(" | ".join))
        return table(
            shown[["topic", "language", "terms", "size", "share", "mean_compound", "share_negative", "examples"]],
            caption="Suggested topics in reviews that match no theme: candidates to add to the catalog under "
            "themes: add (not counted in the theme statistics)",
            digits=2,
            percent=["share", "share_negative"],
            max_chars=520,
        )

    @section("examples")
    def _examples(self):
        """The most negative and most positive reviews this month."""
        chosen = self.need(self.examples, "examples")
        caption = (
            f"Most negative and most positive reviews, {self.month}"
            if self.dated
            else "Most negative and most positive reviews"
        )
        return table(
            chosen,
            caption=caption,
            digits=2,
            max_chars=220,
            labels=None if self._on_stars else {"rating": self._rating_name},
        )

    @property
    def _where(self) -> str:
        return f"in {self.month}" if self.dated else "in the export"

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
        head = f"<h3>{safe_text(self.title)}, {safe_text(self.month)}</h3>"
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
        return table(
            _filled_columns(table_, groups=[["ci_low", "ci_high"]]),
            caption=f"Sentiment by {', '.join(table_['by'].unique())}" + (f", {self.month}" if self.dated else ""),
            digits=2,
            percent=["share_positive", "share_negative"],
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

_NO_DATES = (
    "the reviews have no dates (published_at), so they cannot be followed {what}; a date column in the "
    "export, or fieldwork: YYYY-MM in the catalog entry of an export from one period, would date them."
)


def _scale_text(scale: tuple[float, float] | None) -> str:
    low, high = scale or (1, 5)
    return f"{low:g}-{high:g}"


def _class_mapping(scale: tuple[float, float]) -> str:
    """How a rating on ``scale`` becomes a class: "1-3 negative, 4-7 neutral, 8-10 positive
    (mapped onto 1-5 stars)", from :func:`~cxkit.analysis.calibration.rating_to_class`."""
    low, high = scale
    values = np.arange(low, high + 1) if float(low).is_integer() and float(high).is_integer() else np.array([])
    classes = rating_to_class(values, scale) if len(values) else pd.Series(dtype=object)
    parts = []
    for name in ("negative", "neutral", "positive"):
        inside = values[(classes == name).to_numpy()] if len(values) else values
        if len(inside):
            first, last = inside.min(), inside.max()
            parts.append(f"{first:g}{'' if first == last else f'-{last:g}'} {name}")
    mapped = f"rated {', '.join(parts)}" if parts else f"rated on {_scale_text(scale)}"
    return f"classes from the rating: {mapped} (the {_scale_text(scale)} scale mapped linearly onto 1-5 stars)"


def _no_scores(where: str) -> NotEnoughDataError:
    return NotEnoughDataError(
        f"no review {where} could be scored for sentiment: their texts are empty or not in a language the "
        f"scorer reads ({', '.join(SUPPORTED_LANGUAGES)})."
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
        raise NotEnoughDataError(_NO_DATES.format(what="month by month"))
    trend = sentiment_trend(upto, month=period, months=months)
    if len(trend) < 2:
        window = f" of the last {months}" if months else ""
        raise NotEnoughDataError(
            f"only one month{window} has reviews ({month_label(period)}), so there is no trend yet; "
            "it shows once a second month's reviews are in."
        )
    return trend


def _by_source(upto: pd.DataFrame, period: pd.Period, months: int | None, dated: bool) -> pd.DataFrame:
    """Mean sentiment per month and source, the last ``months`` months up to the report month."""
    if "source" not in upto or upto["source"].isna().all():
        raise NotEnoughDataError(
            "the reviews do not say which site they were posted on (no source column), so sites cannot be "
            "compared; map the export's site column to source under columns in the catalog entry."
        )
    if not dated:
        raise NotEnoughDataError(_NO_DATES.format(what="by source and month"))
    by_source = sentiment_trend(upto, by="source", month=period, months=months)
    names = sorted(by_source["source"].astype(str).unique())
    if len(names) < 2:
        raise NotEnoughDataError(
            f"every review comes from one source ({names[0] if names else 'unnamed'}), so there are no sources "
            "to compare; reviews from a second site would make it possible."
        )
    return by_source


def _by_source_alt(by_source: pd.DataFrame | None, month: str) -> str:
    """The by-source figure's alt text: each source's mean in the report month."""
    head = "Mean review sentiment per month for each source with 95% intervals"
    if by_source is None:
        return "Review sentiment by source: not drawn (see the section's note)."
    this_month = by_source[by_source["month"] == month]
    if not len(this_month):
        return f"{head}; no source has a scored review in {month}."
    return f"{head}; " + "; ".join(
        f"{r['source']}: {r['mean_compound']:+.2f} in {month}" for _, r in this_month.iterrows()
    )


def _by_language(cur: pd.DataFrame, where: str, date: str) -> pd.DataFrame:
    """The month's scored reviews by language (given by the source, or detected)."""
    if not len(cur):
        raise _no_scores(where)
    by_language = sentiment_trend(cur, by="language", date=date)
    if len(by_language) < 2:
        raise NotEnoughDataError(
            f"every scored review {where} is in one language ({by_language['language'].iloc[0]}), so there are "
            "no languages to compare."
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
            f"the reviews have none of the breakdown columns the catalog names ({', '.join(columns)}); keep such a "
            "column in the reviews export, or name the reviews' own columns under settings: breakdowns."
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
            "the reviews have no rating, so their sentiment cannot be checked against one; map the export's "
            "star or score column to rating under columns in the catalog entry (and give its scale under scales "
            "when it is not 1-5)."
        )
    return NotEnoughDataError(f"no scored review {where} has a rating to check its sentiment against.")


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
        raise NotEnoughDataError("the calibration was turned off (calibrate=False): the scores are the lexicon's.")
    if not len(calibration):
        if not rated:
            raise NotEnoughDataError(
                "the reviews have no rating to learn the company's own model from, so the scores are the "
                "lexicon's; a rating column (stars or a score) would make it possible."
            )
        raise NotEnoughDataError(
            f"the company's own model is learnt from at least {_CALIBRATE_MIN} rated reviews and there are "
            f"{rated:,}, so the scores are the lexicon's."
        )
    if "note" in calibration and calibration["n"].iloc[0] == 0:
        raise NotEnoughDataError(
            f"the company's own model could not be fitted, so the scores are the lexicon's: {calibration['note'].iloc[0]}"
        )
    return calibration


def _themes(
    upto: pd.DataFrame, period: pd.Period, names: list[str], alpha: float, where: str, date: str
) -> pd.DataFrame:
    """:func:`cxkit.theme_summary` of the month, when a review mentions a theme."""
    if not names:
        raise NotEnoughDataError("no themes are defined; add the company's own under settings: themes in the catalog.")
    if not (upto["_month"] == period).any():
        raise _no_scores(where)
    themes = theme_summary(upto, month=period, themes=names, alpha=alpha, date=date)
    if not (themes["n"] > 0).any():
        raise NotEnoughDataError(
            f"no scored review {where} mentions a theme ({', '.join(names)}); the company's own words for its "
            "themes can be added under settings: themes in the catalog."
        )
    return themes


def _emerging(themes: pd.DataFrame, has_previous: bool, period: pd.Period, dated: bool) -> pd.DataFrame:
    """The themes whose negative mentions rose significantly since the month before."""
    if not dated:
        raise NotEnoughDataError(_NO_DATES.format(what="from one month to the next"))
    if not has_previous:
        raise NotEnoughDataError(
            f"there are no reviews from {period - 1} to compare with, so no theme can be said to be rising; "
            "it shows once two consecutive months have reviews."
        )
    return themes[themes["emerging"]]


def _emerging_sentence(
    top: dict | None, has_previous: bool, themes_given: bool, month: pd.Period, alpha: float
) -> str | None:
    """The finding on emerging themes, or None when it cannot be said (no themes, no month before)."""
    if top is not None:
        return (
            f"Emerging negative theme: {top['theme']}. Negative reviews mentioning it rose from "
            f"{100 * top['previous_rate']:.1f}% to {100 * top['negative_rate']:.1f}% of all reviews "
            f"(Holm-adjusted {_fmt_p(top['change_p_holm'])})."
        )
    if themes_given and has_previous:
        return (
            f"No theme's share of negative reviews rose significantly from {month - 1} (alpha {alpha}, Holm-adjusted)."
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


def _note(sentence: str) -> SafeHTML:
    """A result in one sentence (nothing to list: e.g. no theme emerging), shown as text."""
    return SafeHTML(f'<p class="cx-note">{safe_text(sentence)}</p>', text=sentence)


# --------------------------------------------------------------------------- findings


def _fmt_p(p: float) -> str:
    return p_phrase(p)  # the pack's one p-value format


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
        label = "negative" if share_neg else "positive" if share_pos else "neutral"
        out.append(f"The one review {'this month' if dated else 'of the export'} was {label}.")
    elif kpi["n"]:
        whose = "this month's reviews" if dated else "the reviews"
        out.append(f"{100 * share_neg:.0f}% of {whose} were negative and {100 * share_pos:.0f}% positive.")
    if emerging:
        out.append(emerging)
    on_stars = scale is None or tuple(scale) == (1, 5)
    if themes is not None:
        worst = themes.sort_values("rating_diff").iloc[0]
        # the largest gap among the themes is a claim about the family: its p is Holm-adjusted
        adjusted = _fmt_p(worst["rating_p_adjusted"]) + ", Holm-adjusted over the themes"
        if worst["rating_p_adjusted"] < alpha and worst["rating_diff"] < 0:
            if on_stars:
                out.append(
                    f"Reviews that mention {worst['theme']} give {abs(worst['rating_diff']):.1f} fewer stars on "
                    f"average than those that do not ({adjusted})."
                )
            else:
                out.append(
                    f"Reviews that mention {worst['theme']} rate {abs(worst['rating_diff']):.1f} points lower on "
                    f"the {_scale_text(scale)} rating than those that do not ({adjusted})."
                )
    if agreement is not None:
        a = agreement.set_index("metric")
        if "spearman_rho" in a.index and "accuracy" in a.index:
            rho = cast(float, a.loc["spearman_rho", "value"])
            rho_low = cast(float, a.loc["spearman_rho", "ci_low"])
            rho_high = cast(float, a.loc["spearman_rho", "ci_high"])
            accuracy = cast(float, a.loc["accuracy", "value"])
            against, whose = (
                ("the star rating", "the stars' class")
                if on_stars
                else (f"the {_scale_text(scale)} rating", "the rating's class")
            )
            verb = "agrees" if rho_low > 0 else "does not clearly agree"  # the interval leaves out 0, or not
            out.append(
                f"Sentiment {verb} with {against}: Spearman rho {rho:.2f} "
                f"(95% CI {rho_low:.2f} to {rho_high:.2f}); "
                f"the label matches {whose} for {100 * accuracy:.0f}% of reviews."
            )
    if len(calibration) and "cv_accuracy" in calibration and calibration["cv_accuracy"].notna().iloc[0]:
        c = calibration.iloc[0]
        verdict = (
            "it beat the lexicon scorer, so this report uses its out-of-fold scores"
            if c["used"]
            else "it did not beat the lexicon scorer, so this report uses the lexicon scores"
        )
        out.append(
            f"Calibrated on {int(c['n']):,} rated reviews, the company's own model classified "
            f"{100 * c['cv_accuracy']:.0f}% correctly in 5-fold cross-validation (lexicon scorer: "
            f"{100 * c['lexicon_accuracy']:.0f}%); {verdict}."
        )
    if comments:
        out.append(
            f"Survey comments this month scored {comments['mean_compound']:+.2f} on average "
            f"(n = {comments['n']:,}, {comments['model']} model)."
        )
    return out


def _headline_finding(month: pd.Period, kpi: dict, n_previous: int, dated: bool) -> str:
    """The month's mean sentiment, its interval and its change, as far as the data give them."""
    n = kpi["n"]
    if not n:
        where = f"in {month}" if dated else "in the export"
        return f"No review {where} could be scored for sentiment, so there is no mean sentiment to report."
    interval = (
        f"95% CI {kpi['ci_low']:+.2f} to {kpi['ci_high']:+.2f}, n = {n:,}"
        if n > 1
        else "one review, too few for an interval"
    )
    if not dated:
        return (
            f"Mean review sentiment was {kpi['value']:+.2f} on a -1 to 1 scale ({interval}), over every review "
            "of the export: the reviews have no dates, so they are not split by month."
        )
    head = f"Mean review sentiment in {month} was {kpi['value']:+.2f} on a -1 to 1 scale ({interval})"
    if kpi["change_p"] is not None:
        if kpi["significant"]:
            direction = "up" if kpi["change"] > 0 else "down"
            head += (
                f", {direction} {abs(kpi['change']):.2f} from {month - 1} "
                f"(adjusted {_fmt_p(kpi['change_p'])} for the month's headline KPIs)."
            )
        else:
            head += (
                f"; the change of {kpi['change']:+.2f} from {month - 1} is not significant "
                f"(adjusted {_fmt_p(kpi['change_p'])} for the month's headline KPIs)."
            )
    elif not n_previous:
        head += f"; there are no reviews from {month - 1} to compare with."
    else:
        head += (
            f"; the change of {kpi['change']:+.2f} from {month - 1} cannot be tested with a single review in a month."
        )
    return head


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
            f"no scored review {where} mentions a theme, so there is no theme to break down by sentiment."
        )
    return cells[cells["theme_n"] > 0].reset_index(drop=True)


def _heatmap_alt(cells: pd.DataFrame | None, where: str) -> str:
    """The heatmap's finding: the theme with the largest negative share, and the most positive one."""
    if cells is None or not len(cells):
        return "Themes by sentiment: not drawn (see the section's note)."
    # a theme of two reviews can be "100% negative": the finding names themes of 10 or more when there are any
    enough = cells[cells["theme_n"] >= 10] if (cells["theme_n"] >= 10).any() else cells
    neg = enough[enough["label"] == "negative"].sort_values(["share", "theme_n"], ascending=[False, False])
    pos = enough[enough["label"] == "positive"].sort_values(["share", "theme_n"], ascending=[False, False])
    worst, best = neg.iloc[0], pos.iloc[0]
    return (
        f"Themes by sentiment {where}: {worst['theme']} has the largest negative share, "
        f"{100 * worst['share']:.0f}% of its {int(worst['theme_n']):,} reviews; {best['theme']} the largest positive "
        f"share, {100 * best['share']:.0f}% of {int(best['theme_n']):,}. Cells: share of each theme's reviews."
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
    ax.set_xticks(range(3), ["negative", "neutral", "positive"])
    ax.set_yticks(range(len(grid)), [str(t) for t in grid.index])
    n = cells.drop_duplicates("theme").set_index("theme")["theme_n"]
    for i, theme in enumerate(grid.index):
        for j, label in enumerate(grid.columns):
            value = grid.loc[theme, label]
            ax.text(j, i, f"{100 * value:.0f}%", ha="center", va="center", color="white" if value > 0.55 else "black")
        ax.text(2.62, i, f"n = {int(n[theme]):,}", va="center", fontsize=8)
    ax.set_title("Share of each theme's reviews by sentiment")
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
        none.attrs["note"] = (
            f"Only {len(rest):,} review(s) {where} match no theme (topics are suggested from at least "
            f"{TOPIC_MIN_TEXTS}): the theme list covers what the reviews talk about."
        )
        return none
    topics = suggest_topics(
        rest["text"],
        language=rest["language"] if "language" in rest else None,
        sentiment=rest[["compound", "label"]].reset_index(drop=True),
        seed=seed,
    )
    if not len(topics):
        topics.attrs["note"] = f"The {len(rest):,} reviews {where} that match no theme form no topic of 5 or more."
    return topics
