"""The review-sentiment page stands alone on real-shaped exports (issue 23 Deliver 1, 3 and 7).

Each case takes the sample's reviews and removes what a real export lacks (ratings, dates, a
source column, a language column, a second month, a second language) or puts the rating on
another scale; the page must show every section it can, one plain sentence for each section it
cannot (what is missing, what would make it possible), and nothing broken: no nan, no empty
table or axes, no sentence with a missing word.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.display import Unavailable, broken_text
from cxkit.errors import NotEnoughDataError, PresentationWarning

MONTH = "2026-10"


@pytest.fixture(scope="module")
def reviews(sample_table):
    return sample_table("reviews")


def _small(reviews, per_month=150, seed=0):
    """A few reviews of every month (pages build in a second; calibration needs 100 rated)."""
    months = reviews["published_at"].dt.to_period("M")
    return reviews.groupby(months).sample(n=per_month, random_state=seed).sort_values("published_at")


def _page(df, **options):
    options = {"month": MONTH, "calibrate": False, **options}
    return cx.sentiment_report(df, **options)


def _shown(page):
    """Every section as shown, checked: Unavailable with one sentence, or a table or figure
    with nothing broken in its text, caption or alt text."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PresentationWarning)
        shown = {name: page.show(name) for name in page.sections}
    for name, item in shown.items():
        if item is None:  # a section with nothing to show is left out of the page (breakdowns not named)
            assert name == "breakdowns", name
            continue
        if isinstance(item, Unavailable):
            assert item.reason.endswith(".") and broken_text(item.reason) is None, (name, item.reason)
            continue
        html = getattr(item, "html", "")
        alt = (getattr(item, "metadata", None) or {}).get("alt", "")
        for part in [alt, *re.findall(r"<(?:caption|p[^>]*)>(.*?)</(?:caption|p)>", html)]:
            assert broken_text(part) is None, (name, part[:300])
        rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", html)]
        rows = [row for row in rows if row]
        assert rows or alt or "cx-note" in html, name  # a table has rows; a figure its alt text
        for row in rows:
            for cell in row:
                assert not re.search(r"(?<![\w-])(nan|NaN|NaT|&lt;NA&gt;|None|inf)(?![\w-])", cell), (name, cell)
        for column in zip(*rows):  # no column without a value
            assert any(cell.strip() for cell in column), (name, html[:300])
    for finding in page.findings:
        assert broken_text(finding) is None, finding
    for alt in page.alt.values():
        assert broken_text(alt) is None, alt
    assert set(page.skipped) == {n for n, item in shown.items() if isinstance(item, Unavailable)}
    cx.pack.results.to_jsonable(page.results())  # writable
    return shown


def _skipped(shown, *, calibrated=False):
    """The sections not shown, with their sentence (the calibration, turned off in most cases
    here to keep them fast, only when ``calibrated``)."""
    return {
        name: item.reason
        for name, item in shown.items()
        if isinstance(item, Unavailable) and (calibrated or name != "calibration")
    }


# --------------------------------------------------------------------------- Deliver 1: the page stands alone


@pytest.mark.parametrize("how", ["no column", "all blank"])
def test_reviews_without_ratings_leave_out_agreement_and_calibration(reviews, how):
    data = _small(reviews)
    data = data.drop(columns="rating") if how == "no column" else data.assign(rating=pd.NA)
    page = _page(data, calibrate="auto")
    skipped = _skipped(_shown(page), calibrated=True)
    assert set(skipped) == {"agreement", "stars_by_label", "calibration"}
    assert "have no rating" in skipped["agreement"] and "map the export's star or score column" in skipped["agreement"]
    assert "no rating to learn" in skipped["calibration"]
    assert not any("star" in f or "Calibrated" in f for f in page.findings)
    assert page.results()["sentiment"]["rating_agreement"] == {} and page.rating_scale is None
    # the themes table leaves out the rating columns it cannot fill
    assert "rating with" not in page.show("themes_table").text


@pytest.mark.parametrize("how", ["no column", "all blank", "read by month"])
def test_reviews_without_dates_are_one_undated_set_and_say_so(reviews, how):
    from cxkit.data.catalog import MonthlyReader

    data = _small(reviews, per_month=40)
    data = data.drop(columns="published_at") if how == "no column" else data.assign(published_at=pd.NaT)
    # the pack reads a catalog's reviews a run of months at a time: undated ones are one run, texts kept
    page = _page(MonthlyReader(data, time="published_at") if how == "read by month" else data)
    skipped = _skipped(_shown(page))
    assert set(skipped) == {"trend", "by_source", "emerging"}
    assert "no dates (published_at)" in skipped["trend"] and "fieldwork: YYYY-MM" in skipped["trend"]
    assert page.dated is False and page.results()["sentiment"]["dated"] is False
    assert page.headline["n"].iloc[0] == len(data)  # every review counted
    assert "over every review of the export: the reviews have no dates" in page.findings[0]
    assert "2026-10" not in page.show("headline").text  # no month claimed
    assert "published at" not in page.show("examples").text
    assert page.results()["sentiment"]["n_reviews"] == len(data)
    legend = page.plot_themes().get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["every review (undated)"]  # no month claimed


def test_undated_reviews_need_a_month(reviews):
    with pytest.raises(NotEnoughDataError, match="pass month='YYYY-MM'.*fieldwork"):
        cx.sentiment_report(_small(reviews, per_month=5).drop(columns="published_at"), calibrate=False)


@pytest.mark.parametrize("how", ["no column", "all blank", "one source"])
def test_reviews_without_a_source_show_no_empty_by_source_figure(reviews, how):
    data = _small(reviews, per_month=40)
    if how == "no column":
        data = data.drop(columns="source")
    elif how == "all blank":
        data = data.assign(source=pd.NA)
    else:
        data = data.assign(source="trustpilot")
    page = _page(data)
    skipped = _skipped(_shown(page))
    assert set(skipped) == {"by_source"}
    if how == "one source":
        assert "every review comes from one source (trustpilot)" in skipped["by_source"]
    else:
        assert "no source column" in skipped["by_source"] and "to source under columns" in skipped["by_source"]
    assert page.alt["by_source"].endswith(".")


def test_a_month_with_one_review(reviews):
    data = _small(reviews, per_month=40)
    in_month = data["published_at"].dt.to_period("M") == pd.Period(MONTH, "M")
    data = pd.concat([data[~in_month], data[in_month].head(1)])
    page = _page(data)
    shown = _shown(page)
    skipped = _skipped(shown)
    assert "by_language" in skipped and "one language" in skipped["by_language"]
    head = page.findings[0]
    assert "one review, too few for an interval" in head and "cannot be tested with a single review" in head
    label = page.scored.loc[page.scored["_month"] == pd.Period(MONTH, "M"), "label"].iloc[0]
    assert page.findings[1] == f"The one review this month was {label}."
    assert "95% CI" not in shown["headline"].text and "significant" not in shown["headline"].text
    assert shown["examples"].text.count("the only review") == 1 and "most positive" not in shown["examples"].text
    # the trend marks the month and keeps its point; the agreement keeps the measures one review gives
    assert set(page.agreement["metric"]) <= {"accuracy", "binary_accuracy", "cohen_kappa"}
    assert not page.agreement["value"].isna().any()


def test_reviews_of_one_month_only(reviews):
    # every source covers the report month only: no previous month, no trend
    data = _small(reviews, per_month=60)
    data = data[data["published_at"].dt.to_period("M") == pd.Period(MONTH, "M")]
    page = _page(data)
    shown = _shown(page)
    skipped = _skipped(shown)
    assert set(skipped) == {"trend", "emerging"}
    assert "only one month of the last 24 has reviews (Oct 2026)" in skipped["trend"]
    assert "no reviews from 2026-09 to compare with" in skipped["emerging"]
    assert page.findings[0].endswith("; there are no reviews from 2026-09 to compare with.")
    assert not any("No theme's share" in f for f in page.findings)
    for gone in ("previous", "change", "significant"):
        assert gone not in shown["headline"].text
    for gone in ("previous rate", "change", "emerging"):
        assert gone not in shown["themes_table"].text
    assert "no month before" in page.alt["themes"]
    ax = page.plot_themes()  # bars without marks of a month that has no reviews, and no 'emerging' in the title
    titles = {ax.get_title(loc) for loc in ("left", "center", "right")} - {""}
    assert titles == {"Negative mentions by theme"} and not ax.get_lines()
    assert ax.get_legend_handles_labels()[1] == [MONTH]


def test_reviews_dated_by_fieldwork_show_the_month_not_a_day(reviews):
    # the catalog's fieldwork dates every review to the 1st of its month: the page does not show a day
    data = _small(reviews, per_month=40)
    data = data[data["published_at"].dt.to_period("M") == pd.Period(MONTH, "M")]
    page = _page(data.assign(published_at=pd.Timestamp(f"{MONTH}-01")))
    _shown(page)
    assert set(page.examples["published_at"]) == {MONTH}


def test_examples_show_a_repeated_text_once(reviews):
    data = _small(reviews, per_month=40)
    last = data.tail(1)  # a review of the report month, posted twice with the same text
    text = "Terrible, awful, useless! The worst ever."
    copies = [last.assign(review_id=f"copy-{i}", text=text, language="en") for i in range(2)]
    page = _page(pd.concat([data, *copies], ignore_index=True))
    assert page.examples["text"].is_unique
    assert (page.examples["text"] == "Terrible, awful, useless! The worst ever.").sum() == 1


def test_a_source_covering_the_report_month_only(reviews):
    data = _small(reviews, per_month=60)
    new_site = (data["published_at"].dt.to_period("M") == pd.Period(MONTH, "M")) & (data["source"] == "google")
    data = data.assign(source=data["source"].mask(new_site, "new_site"))
    page = _page(data)
    shown = _shown(page)
    assert not _skipped(shown)
    assert "new_site" in set(page.by_source["source"]) and "new_site: " in page.alt["by_source"]


def test_reviews_without_a_language_column_are_detected(reviews):
    page = _page(_small(reviews, per_month=40).drop(columns="language"))
    shown = _shown(page)
    assert not _skipped(shown)
    assert {"en", "da", "sv"} <= set(page.by_language["language"])


def test_reviews_in_one_language(reviews):
    data = _small(reviews, per_month=80)
    page = _page(data[data["language"] == "en"])
    skipped = _skipped(_shown(page))
    assert set(skipped) == {"by_language"}
    assert skipped["by_language"] == (
        "every scored review in 2026-10 is in one language (en), so there are no languages to compare."
    )
    assert page.results()["sentiment"]["by_language"] == {}


def test_unscorable_month_says_so_and_the_rest_builds(reviews):
    data = _small(reviews, per_month=40)
    in_month = data["published_at"].dt.to_period("M") == pd.Period(MONTH, "M")
    data = data.assign(
        text=data["text"].mask(in_month, "Bonjour, c'est un avis en français."),
        language=data["language"].mask(in_month, "fr"),
    )
    page = _page(data)
    skipped = _skipped(_shown(page))
    assert {"headline", "by_language", "themes_table", "themes", "emerging", "examples"} <= set(skipped)
    assert "could be scored" in skipped["headline"]
    assert page.findings[0].startswith("No review in 2026-10 could be scored")
    assert "trend" not in skipped  # the months before still make a trend


def test_no_emerging_theme_is_a_result_not_a_gap(reviews):
    data = _small(reviews, per_month=60)
    data = data[data["published_at"].dt.to_period("M") < pd.Period(MONTH, "M")]
    page = _page(data, month="2026-09")
    shown = _shown(page)
    assert page.emerging is not None and page.emerging.empty
    assert "emerging" not in page.skipped
    assert "rose significantly from 2026-08" in shown["emerging"].text


# --------------------------------------------------------------------------- Deliver 3: a rating on its own scale


def _ten_point(reviews):
    data = _small(reviews, per_month=150, seed=3)
    rng = np.random.default_rng(3)
    data = data.assign(rating=(2 * data["rating"].astype(int) - rng.integers(0, 2, len(data))).clip(1, 10))
    data.attrs["scales"] = {"rating": [1, 10]}
    return data


def test_a_ten_point_rating_is_shown_in_its_own_scale(reviews):
    page = _page(_ten_point(reviews), calibrate="auto")
    shown = _shown(page)
    assert not _skipped(shown, calibrated=True)
    assert page.rating_scale == (1, 10) and page.results()["sentiment"]["rating_scale"] == [1, 10]
    # the table of ratings by label has a row for every point of 1-10
    assert page.agreement_table["rating"].tolist() == list(range(1, 11))
    assert "Rating (1-10) by sentiment label, 2026-10" in shown["stars_by_label"].html
    assert "rating (1-10)" in shown["stars_by_label"].text
    assert "rating (1-10) with" in shown["themes_table"].text
    # the agreement uses the documented mapping onto 1-5, and the page says it once
    mapping = "1-3 negative, 4-7 neutral, 8-10 positive (the 1-10 scale mapped linearly onto 1-5 stars)"
    assert mapping in shown["agreement"].html
    assert sum(getattr(item, "html", "").count("mapped linearly") for item in shown.values()) == 1
    truth = cx.analysis.calibration.rating_to_class(page.agreement_table["rating"], (1, 10))
    assert truth.tolist() == ["negative"] * 3 + ["neutral"] * 4 + ["positive"] * 3
    assert any("the 1-10 rating" in f and "the rating's class" in f for f in page.findings)
    assert not any("star" in f for f in page.findings)


def test_a_theme_rating_gap_is_said_in_points_of_the_scale(reviews):
    data = _ten_point(reviews)
    billing = data["text"].str.contains("billing|charged|debit|faktur", case=False, regex=True)
    data = data.assign(rating=data["rating"].mask(billing, 1))  # billing reviews rate low
    page = _page(data)
    said = [f for f in page.findings if f.startswith("Reviews that mention")]
    assert said and re.fullmatch(
        r"Reviews that mention \w+ rate \d+\.\d points lower on the 1-10 rating than those that do not "
        r"\(p [<=] [0-9.]+, Holm-adjusted over the themes\)\.",  # the largest of the themes' gaps: adjusted
        said[0],
    )


def test_on_five_stars_the_page_says_stars_and_no_mapping(reviews):
    page = _page(_small(reviews, per_month=60))
    shown = _shown(page)
    assert "Star rating by sentiment label, 2026-10" in shown["stars_by_label"].html
    assert "Sentiment against star rating, with 95% confidence intervals</caption>" in shown["agreement"].html
    assert not any("mapped linearly" in getattr(item, "html", "") for item in shown.values())
    assert page.agreement_table["rating"].tolist() == [1, 2, 3, 4, 5]


# --------------------------------------------------------------------------- Deliver 7: the trend's window


def test_trend_tables_and_figures_keep_the_window_ending_at_the_report_month(reviews):
    data = _small(reviews, per_month=30)
    page = _page(data, month="2026-08", months=6)
    months = [str(m) for m in pd.period_range("2026-03", "2026-08", freq="M")]
    assert page.trend["month"].tolist() == months
    assert sorted(page.by_source["month"].unique()) == months
    ax = page.plot_trend()
    assert [t.get_text() for t in ax.get_xticklabels()] == [cx.plots.month_label(m) for m in months]
    assert "report month" in ax.get_legend_handles_labels()[1]
    # the default window is the last 24 months
    assert cx.sentiment_report(data, month=MONTH, calibrate=False).months == 24


def test_sentiment_trend_window():
    df = pd.DataFrame(
        {
            "published_at": pd.to_datetime(["2024-01-05", "2025-06-01", "2026-09-09", "2026-10-01", "2026-11-02"]),
            "compound": [0.1, 0.2, 0.3, 0.4, 0.5],
            "label": ["positive"] * 5,
        }
    )
    assert cx.sentiment_trend(df, month="2026-10", months=24)["month"].tolist() == ["2025-06", "2026-09", "2026-10"]
    assert cx.sentiment_trend(df, month="2026-10")["month"].tolist() == ["2024-01", "2025-06", "2026-09", "2026-10"]
    assert cx.sentiment_trend(df, months=2)["month"].tolist() == ["2026-10", "2026-11"]
    assert len(cx.sentiment_trend(df)) == 5


def test_breakdowns_from_the_catalog_settings_and_none_by_default():
    """Issue 23 Deliver 3: breakdown columns (e.g. traveller type) beyond source and language."""
    import cxkit as cx
    from cxkit.pack.review_sentiment import SentimentReport

    reviews = cx.load_reviews(cx.SAMPLE_DIR / "reviews.csv").frame
    reviews = reviews[reviews["published_at"].dt.to_period("M") >= "2026-09"].copy()
    reviews["traveller_type"] = np.where(np.arange(len(reviews)) % 3 == 0, "Business", "Leisure")
    page = SentimentReport(
        reviews, month="2026-10", settings={"breakdowns": ["traveller_type", "cabin"]}, calibrate=False
    )
    shown = page.show("breakdowns")
    assert "Sentiment by traveller_type, 2026-10" in shown.html and "Business" in shown.html
    assert set(page.breakdowns["group"]) == {"Business", "Leisure"}
    assert page.breakdowns["n"].sum() == int(
        page.headline["n"].iloc[0]
    )  # every scored review of the month is in a group
    plain = SentimentReport(reviews, month="2026-10", calibrate=False)
    assert plain.show("breakdowns") is None and "breakdowns" not in plain.skipped
    missing = SentimentReport(reviews, month="2026-10", settings={"breakdowns": ["cabin"]}, calibrate=False)
    assert "none of the breakdown columns the catalog names (cabin)" in missing.show("breakdowns").text
