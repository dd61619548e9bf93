"""The "Review sentiment" page: how customers feel in their reviews this month, where it is
worse (source, language), which themes are getting more negative, and whether the scores can be
trusted (agreement with the star ratings).

:class:`SentimentReport` computes the page's analyses once (:mod:`cxkit.analysis.reviews`: every
review scored, calibrated on the star ratings when that helps, and tagged with themes; the
month's headline, trend, languages, agreement, themes) and offers them by the page protocol
(:mod:`cxkit.pack.page`): ``findings``, ``alt``, ``results()`` (the ``sentiment`` part of
``results.json``), ``sections`` and ``show(name)``. The findings sentences live here, beside
the page: each claims a change or a difference only when its test is significant.

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

import pandas as pd

from ..analysis.reviews import (
    comment_summary,
    rating_agreement,
    score_reviews,
    sentiment_headline,
    sentiment_trend,
    theme_summary,
)
from ..display import figure, p_phrase, safe_text, table
from ..display import findings as findings_list
from .page import ReportPage, section

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..analysis.calibration import SentimentModel
    from ..data.catalog import Catalog, MonthlyReader

__all__ = ["SentimentReport", "sentiment_report"]


#: The p-values of a theme's change, as the page heads them.
_CHANGE_LABELS = {"p": "p of change", "p_adjusted": "p of change (adjusted)"}


class SentimentReport(ReportPage):
    """The review-sentiment page of one month (see the module docstring).

    Parameters
    ----------
    df : pandas.DataFrame or MonthlyReader
        The canonical reviews table (``text``, ``published_at``, ``source``, ``rating``,
        ``language``), or ``catalog.monthly("reviews")`` to read a big table a run of months
        at a time (see ``chunk_rows``); both give the same numbers.
    month : str, keyword-only
        ``YYYY-MM``; empty or None: the last complete month in the data.
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

    Attributes
    ----------
    month : str
        The report month, ``YYYY-MM``.
    scored : DataFrame
        Every review with its scores and themes (:class:`~cxkit.analysis.reviews.ScoredReviews`).
    headline, trend, by_source, by_language, agreement, agreement_table, calibration, themes, emerging, examples
        The tables the page shows (``themes``: :func:`~cxkit.analysis.reviews.theme_summary`).
    model : SentimentModel or None
        The calibration fitted on the rated reviews.
    theme_names : list of str
        The themes tagged.
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
    ):
        scores = score_reviews(
            df,
            month=month,
            settings=settings,
            calibrate=calibrate,
            seed=seed,
            calibrate_max=calibrate_max,
            chunk_rows=chunk_rows,
        )
        period = scores.month
        self.month = str(period)
        self.scored = scores.scored
        self.model = scores.model
        self.calibration = scores.calibration
        self.theme_names = scores.themes
        scored = self.scored[self.scored["compound"].notna()]
        cur = scored[scored["_month"] == period]
        upto = scored[scored["_month"] <= period]
        kpi = sentiment_headline(scored, month=period, alpha=alpha)
        self.headline = _headline_frame(kpi, self.month)
        self.trend = sentiment_trend(upto)
        self.by_source = sentiment_trend(upto, by="source") if "source" in upto else pd.DataFrame()
        self.by_language = sentiment_trend(cur, by="language").drop(columns="month") if len(cur) else pd.DataFrame()
        self.agreement = rating_agreement(cur) if "rating" in cur else pd.DataFrame()
        self.agreement_table = _star_label_counts(cur)
        self.themes = theme_summary(upto, month=period, themes=self.theme_names, alpha=alpha)
        self.emerging = self.themes[self.themes["emerging"]] if len(self.themes) else self.themes
        self.examples = _example_reviews(cur, examples, max_chars)
        summary = None
        if comments is not None:
            summary = comment_summary(comments, month=period, model=scores.model if scores.used else None)

        share_pos = float((cur["label"] == "positive").mean()) if len(cur) else float("nan")
        share_neg = float((cur["label"] == "negative").mean()) if len(cur) else float("nan")
        top = None
        if len(self.emerging):
            e = self.emerging.sort_values("change", ascending=False).iloc[0]
            top = {
                "theme": e["theme"],
                "negative_rate": e["negative_rate"],
                "previous_rate": e["previous_rate"],
                "change": e["change"],
                "change_p_holm": e["p_adjusted"],
            }
        self.findings = _findings(
            period,
            kpi,
            share_pos,
            share_neg,
            top,
            self.themes,
            self.agreement,
            self.calibration,
            self.by_language,
            summary,
            alpha,
        )
        self._results: dict[str, Any] = {
            "month": self.month,
            "headline": kpi,
            "finding": self.findings[0],
            "n_reviews": int((self.scored["_month"] == period).sum()),
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
            if len(self.by_language)
            else {},
            "top_emerging_negative_theme": top,
            "emerging_negative_themes": [str(t) for t in self.emerging["theme"]] if len(self.emerging) else [],
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
                {r["metric"]: r["value"] for _, r in self.agreement.iterrows()} if len(self.agreement) else {}
            ),
            "comments": summary,
        }
        this_month = self.by_source[self.by_source["month"] == self.month]
        self.alt = {
            "trend": self.findings[0],
            "by_source": "Mean review sentiment per month for each source with 95% intervals; "
            + "; ".join(f"{r['source']}: {r['mean_compound']:+.2f} in {self.month}" for _, r in this_month.iterrows()),
            "themes": (
                self.findings[2] if top is not None else "No theme's share of negative reviews rose significantly."
            )
            + " Bars: negative reviews mentioning each theme this month; marks: the month before.",
        }

    @classmethod
    def from_catalog(cls, sources: Catalog, *, month: str = "", seed: int = 0) -> SentimentReport:
        """The page from a catalog's ``reviews`` source (read a run of months at a time: a big
        table never sits whole in memory) and the report month's comments of its ``feedback``
        source, when it has one; the catalog's ``settings`` extend the themes."""
        reviews = sources.monthly("reviews")
        comments = (
            sources.read("feedback", columns=["comment", "responded_at", "language"], month=month or None)
            if "feedback" in sources
            else None
        )
        return cls(reviews, month=month, settings=sources.settings, comments=comments, seed=seed)

    def results(self) -> dict:
        """The ``sentiment`` part of ``results.json``.

        Keys: ``month``, ``headline`` (KPI dict: ``value``, ``ci_low``, ``ci_high``, ``n``,
        ``previous``, ``change``, ``change_p_raw``, ``change_p``, ``significant``), ``finding``,
        ``n_reviews``, ``n_scored``, ``share_positive``, ``share_negative``, ``by_language``
        (per language ``n``, ``mean_compound``, ``share_negative``),
        ``top_emerging_negative_theme``, ``emerging_negative_themes``, ``calibration``,
        ``scores_from``, ``rating_agreement`` (metric -> value) and ``comments``.
        """
        return {"sentiment": self._results}

    # -- figures, for an analyst's own axes ----------------------------------------------

    def plot_trend(self, *, ax: Axes | None = None) -> Axes:
        """Mean sentiment per month with its 95% interval; the report month is marked."""
        from ..plots import plot_sentiment_trend

        return plot_sentiment_trend(self.trend, month=self.month, ax=ax)

    def plot_by_source(self, *, ax: Axes | None = None) -> Axes:
        """Mean sentiment per month for each review source, with 95% intervals."""
        from ..plots import plot_sentiment_by_source

        return plot_sentiment_by_source(self.by_source, ax=ax)

    def plot_themes(self, *, ax: Axes | None = None) -> Axes:
        """Share of reviews that are negative and mention each theme: this month vs the month before."""
        from ..plots import plot_themes

        return plot_themes(self.themes, month=self.month, ax=ax)

    # -- sections, in page order ---------------------------------------------------------

    @section("headline")
    def _headline(self):
        """Mean compound sentiment this month against the month before."""
        return table(
            self.headline,
            caption=f"Mean review sentiment, {self.month}, with 95% confidence interval",
            digits=2,
            signed=["change"],
        )

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
        return table(
            self.by_language,
            caption=f"Sentiment by language, {self.month}",
            digits=2,
            percent=["share_positive", "share_negative"],
        )

    @section("agreement")
    def _agreement(self):
        """Agreement between sentiment and star rating."""
        return table(self.agreement, caption="Sentiment against star rating, with 95% confidence intervals", digits=3)

    @section("stars_by_label")
    def _stars_by_label(self):
        """This month's reviews by star rating and sentiment label."""
        return table(self.agreement_table, caption=f"Star rating by sentiment label, {self.month}")

    @section("calibration")
    def _calibration(self):
        """Cross-validated accuracy of the calibration on the company's own reviews."""
        return table(
            self.calibration,
            caption="Cross-validated accuracy against the star ratings",
            digits=3,
            percent=["cv_accuracy", "cv_macro_f1", "lexicon_accuracy"],
        )

    @section("themes_table")
    def _themes_table(self):
        """Volume, share negative, mean sentiment and change per theme."""
        return table(
            self.themes,
            caption=f"Themes, {self.month}",
            digits=3,
            percent=["share_of_reviews", "share_negative", "negative_rate", "previous_rate"],
            pp=["change"],
            labels=_CHANGE_LABELS,
        )

    @section("themes")
    def _themes_chart(self):
        """Negative mentions by theme, this month against the month before."""
        return figure(self.plot_themes().figure, alt=self.alt["themes"])

    @section("emerging")
    def _emerging(self):
        """Themes whose negative mentions rose significantly since last month."""
        return table(
            self.emerging[["theme", "n", "negative_rate", "previous_rate", "change", "p_adjusted"]],
            caption="Emerging negative themes",
            digits=3,
            percent=["negative_rate", "previous_rate"],
            pp=["change"],
            labels=_CHANGE_LABELS,
        )

    @section("examples")
    def _examples(self):
        """The most negative and most positive reviews this month."""
        return table(
            self.examples, caption=f"Most negative and most positive reviews, {self.month}", digits=2, max_chars=220
        )

    # -- compact views -------------------------------------------------------------------

    def _summary(self) -> list[str]:
        r = self._results
        head = r["headline"]
        lines = [
            f"{r['n_reviews']:,} reviews in {self.month}, {r['n_scored']:,} scored; scores from {r['scores_from']}"
        ]
        if r["n_scored"]:
            line = f"mean sentiment {head['value']:+.2f} (95% CI {head['ci_low']:+.2f} to {head['ci_high']:+.2f})"
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
) -> SentimentReport:
    """Score, calibrate, tag and summarise reviews for one month: the review-sentiment page.

    The same as ``SentimentReport(df, ...)``: every review is scored (lexicon, or the
    company's own model calibrated on the star ratings when that is better) and tagged with
    themes (:func:`cxkit.analysis.reviews.score_reviews`); then the month's headline, trend,
    sources, languages, agreement with the stars and themes are computed once.

    Parameters
    ----------
    df : pandas.DataFrame or MonthlyReader
        The canonical reviews table (``text`` and ``published_at``; ``source``, ``rating``
        and ``language`` are used when present), or ``catalog.monthly("reviews")`` to read a
        big table a run of months at a time (see ``chunk_rows``); both give the same numbers.
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

    Returns
    -------
    SentimentReport
        The page (:class:`SentimentReport` lists its attributes): ``month``; the tables
        ``headline`` (``month``, ``value``, ``ci_low``, ``ci_high``, ``n``, ``previous``,
        ``change``, ``p``, ``p_adjusted``, ``significant``; the change judged by the pack's
        headline policy), ``trend`` and ``by_source`` (:func:`cxkit.sentiment_trend`),
        ``by_language``, ``agreement`` (:func:`cxkit.rating_agreement`),
        ``agreement_table``, ``calibration``, ``themes`` (:func:`cxkit.theme_summary`),
        ``emerging`` and ``examples``; ``scored`` (every review with its scores and themes),
        ``model``; ``findings``, ``alt``, ``results()`` (the ``sentiment`` part of
        results.json), ``sections`` and ``show(name)``; ``plot_trend``, ``plot_by_source``
        and ``plot_themes`` draw its figures on an analyst's own axes.

    Raises
    ------
    ValueError
        The reviews lack ``text`` or ``published_at``, ``month`` is not written ``YYYY-MM``,
        or the data have no complete month.

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
    )


# --------------------------------------------------------------------------- the page's views


def _headline_frame(kpi: dict, month: str) -> pd.DataFrame:
    """The headline KPI as a one-row table (``p`` raw, ``p_adjusted`` adjusted for the headline family)."""
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


def _star_label_counts(cur: pd.DataFrame) -> pd.DataFrame:
    """This month's reviews counted by star rating (rows) and sentiment label (columns)."""
    if "rating" not in cur:
        return pd.DataFrame()
    out = pd.crosstab(pd.to_numeric(cur["rating"], errors="coerce"), cur["label"]).reset_index()
    out.columns = [str(c) for c in out.columns]
    return out


def _example_reviews(cur: pd.DataFrame, examples: int, max_chars: int) -> pd.DataFrame:
    """The month's most negative and most positive reviews, texts shortened to ``max_chars``."""
    pick = cur.sort_values(["compound", "published_at"])
    cols = [c for c in ("published_at", "source", "language", "rating", "compound", "words", "text") if c in cur]
    worst = pick.head(examples)[cols].assign(example="most negative")
    best = pick.tail(examples).iloc[::-1][cols].assign(example="most positive")
    example_frame = pd.concat([worst, best])[["example"] + cols].reset_index(drop=True)
    if "published_at" in example_frame:
        example_frame["published_at"] = pd.to_datetime(example_frame["published_at"]).dt.strftime("%Y-%m-%d")
    example_frame["text"] = (
        example_frame["text"].astype(str).map(lambda t: t if len(t) <= max_chars else t[: max_chars - 1].rstrip() + "…")
    )
    return example_frame


# --------------------------------------------------------------------------- findings


def _fmt_p(p: float) -> str:
    return p_phrase(p)  # the pack's one p-value format


def _findings(
    month: pd.Period,
    kpi: dict,
    share_pos: float,
    share_neg: float,
    top: dict | None,
    themes: pd.DataFrame,
    agreement: pd.DataFrame,
    calibration: pd.DataFrame,
    by_language: pd.DataFrame,
    comments: dict | None,
    alpha: float,
) -> list[str]:
    out = []
    head = (
        f"Mean review sentiment in {month} was {kpi['value']:+.2f} on a -1 to 1 scale "
        f"(95% CI {kpi['ci_low']:+.2f} to {kpi['ci_high']:+.2f}, n = {kpi['n']:,})"
    )
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
    else:
        head += "."
    out.append(head)
    out.append(f"{100 * share_neg:.0f}% of this month's reviews were negative and {100 * share_pos:.0f}% positive.")
    if top is not None:
        out.append(
            f"Emerging negative theme: {top['theme']}. Negative reviews mentioning it rose from "
            f"{100 * top['previous_rate']:.1f}% to {100 * top['negative_rate']:.1f}% of all reviews "
            f"(Holm-adjusted {_fmt_p(top['change_p_holm'])})."
        )
    elif len(themes):
        out.append(
            f"No theme's share of negative reviews rose significantly from {month - 1} (alpha {alpha}, Holm-adjusted)."
        )
    if len(themes):
        worst = themes.sort_values("rating_diff").iloc[0]
        if worst["rating_p"] < alpha and worst["rating_diff"] < 0:
            out.append(
                f"Reviews that mention {worst['theme']} give {abs(worst['rating_diff']):.1f} fewer stars on "
                f"average than those that do not ({_fmt_p(worst['rating_p'])})."
            )
    if len(agreement):
        a = agreement.set_index("metric")
        if "spearman_rho" in a.index:
            rho = cast(float, a.loc["spearman_rho", "value"])
            rho_low = cast(float, a.loc["spearman_rho", "ci_low"])
            rho_high = cast(float, a.loc["spearman_rho", "ci_high"])
            accuracy = cast(float, a.loc["accuracy", "value"])
            out.append(
                f"Sentiment agrees with the star rating: Spearman rho {rho:.2f} "
                f"(95% CI {rho_low:.2f} to {rho_high:.2f}); "
                f"the label matches the stars' class for {100 * accuracy:.0f}% of reviews."
            )
    if len(calibration) and "cv_accuracy" in calibration:
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
