"""The drill-down pages of issue 27 added last: comment sentiment by segment (and breakdown)
against the rest, and the review verbatim pages per theme and sentiment class.

The browser checks (XSS with and without the CSP, axe-core) of these pages on the sample pack and
the hostile pack are in tests/test_pack.py (``test_drilldown_sentiment_and_review_pages_*``).
"""

from __future__ import annotations

import re
from html import unescape

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import cxkit as cx
from cxkit.analysis.reviews import score_reviews, sentiment_by_group
from cxkit.pack import drilldown
from cxkit.pack.drilldown import MAX_COMMENTS, write_drilldown

MONTH = "2026-10"


@pytest.fixture(scope="module")
def sample_feedback() -> pd.DataFrame:
    return cx.load_catalog(cx.DEFAULT_CATALOG)["feedback"].frame


@pytest.fixture(scope="module")
def sample_pages(sample_feedback, tmp_path_factory):
    folder = tmp_path_factory.mktemp("drill")
    results = {
        "month": MONTH,
        "sentiment": {"by_language": {"en": {"n": 40, "mean_compound": 0.1, "share_negative": 0.2}}},
    }
    write_drilldown(folder, results, sample_feedback, month=MONTH, settings={"breakdowns": ["segment", "channel"]})
    return folder / "appendix"


def _cells(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_segment_sentiment_matches_a_brute_force_count_on_the_sample(sample_feedback, sample_pages):
    """Mean sentiment and the share of negative comments per segment, counted comment by comment
    from cx.comment_sentiment and cx.sentiment's classes, against the table and the page."""
    fb = sample_feedback
    this = fb[(fb["responded_at"].dt.to_period("M") == pd.Period(MONTH, "M")) & fb["comment"].notna()]
    compound = cx.comment_sentiment(this)
    labels = cx.sentiment(this["comment"], this["language"], explain=0)["label"].to_numpy()
    expected = {}
    for segment in sorted(this["segment"].dropna().unique()):
        scores, negative = [], 0
        for value, score, label in zip(this["segment"], compound, labels, strict=True):
            if value == segment and score == score:  # scored comments only (NaN != NaN)
                scores.append(score)
                negative += label == "negative"
        expected[segment] = (len(scores), sum(scores) / len(scores), negative / len(scores))
    table = sentiment_by_group(drilldown._scored_comments(fb, MONTH), by="segment").set_index("value")
    assert set(table.index) == set(expected) and len(expected) >= 3
    for segment, (n, mean, share) in expected.items():
        assert table.loc[segment, "n"] == n
        assert table.loc[segment, "mean"] == pytest.approx(mean, abs=1e-12)
        assert table.loc[segment, "share_negative"] == pytest.approx(share, abs=1e-12)
    rows = {r[0]: r for r in _cells((sample_pages / "sentiment-segment.html").read_text())}
    for segment, (n, mean, share) in expected.items():
        assert rows[segment][1] == f"{mean:+.2f}" and rows[segment][3] == f"{share:.1%}"
        assert rows[segment][-1].startswith(f"{n:,}")
    assert (sample_pages / "sentiment-channel.html").exists()
    index = (sample_pages / "index.html").read_text()
    assert 'href="sentiment-segment.html"' in index and 'href="sentiment-channel.html"' in index


def test_holm_adjustment_across_the_groups_by_hand():
    rng = np.random.default_rng(5)
    groups = {"a": rng.normal(-0.3, 0.3, 60), "b": rng.normal(0.0, 0.3, 60), "c": rng.normal(0.05, 0.3, 60)}
    df = pd.DataFrame(
        {"segment": np.repeat(list(groups), 60), "compound": np.clip(np.concatenate(list(groups.values())), -1, 1)}
    )
    df["label"] = np.where(df["compound"] <= -0.05, "negative", np.where(df["compound"] >= 0.05, "positive", "neutral"))
    out = sentiment_by_group(df, by="segment").set_index("value")
    raw = {
        g: stats.ttest_ind(
            df.loc[df.segment == g, "compound"], df.loc[df.segment != g, "compound"], equal_var=False
        ).pvalue
        for g in groups
    }
    # Holm by hand: the i-th smallest of m p-values times (m - i + 1), then a running maximum, capped at 1
    order = sorted(raw, key=raw.get)
    adjusted, running = {}, 0.0
    for i, g in enumerate(order):
        running = max(running, min(1.0, raw[g] * (len(order) - i)))
        adjusted[g] = running
    for g in groups:
        assert out.loc[g, "p_mean"] == pytest.approx(raw[g], rel=1e-12)
        assert out.loc[g, "p_mean_adjusted"] == pytest.approx(adjusted[g], rel=1e-12)
    assert out.loc["a", "mean_differs"] and out.loc["a", "mean"] < out.loc["a", "mean_rest"]
    # the share negative: a two-sample z-test of proportions, Holm-adjusted the same way
    neg = {g: int((df.loc[df.segment == g, "label"] == "negative").sum()) for g in groups}
    total = sum(neg.values())
    raw_neg = {}
    for g in groups:
        pooled = total / 180
        z = (neg[g] / 60 - (total - neg[g]) / 120) / np.sqrt(pooled * (1 - pooled) * (1 / 60 + 1 / 120))
        raw_neg[g] = 2 * stats.norm.sf(abs(z))
    order = sorted(raw_neg, key=raw_neg.get)
    running = 0.0
    for i, g in enumerate(order):
        running = max(running, min(1.0, raw_neg[g] * (len(order) - i)))
        assert out.loc[g, "p_negative_adjusted"] == pytest.approx(running, rel=1e-9)


def test_a_small_group_claims_nothing_and_is_no_test_of_the_family():
    df = pd.DataFrame(
        {"segment": ["big"] * 80 + ["tiny"] * 5, "compound": [0.5, 0.4] * 40 + [-0.9, -0.8, -0.7, -0.9, -0.6]}
    )
    df["label"] = np.where(df["compound"] < 0, "negative", "positive")
    out = sentiment_by_group(df, by="segment").set_index("value")
    assert out["small_n"].all() and not out["mean_differs"].any() and out["p_mean_adjusted"].isna().all()


def _planted_reviews() -> pd.DataFrame:
    texts = [f"The delivery was terrible and late, an awful experience (order {i})." for i in range(MAX_COMMENTS + 5)]
    texts += [f"Great price, lovely helpful staff, excellent value {i}." for i in range(40)]
    texts += [
        "Terrible delivery, awful and late. Write to jane.doe@example.com or call +45 12 34 56 78.",
        "<script>alert('xss')</script> Terrible delivery, awful and late.",
    ]
    return pd.DataFrame(
        {
            "review_id": range(len(texts)),
            "published_at": pd.date_range("2026-10-01", "2026-10-28", periods=len(texts)),
            "source": "web",
            "rating": [1] * (MAX_COMMENTS + 5) + [5] * 40 + [1, 1],
            "text": texts,
            "language": "en",
        }
    )


@pytest.fixture(scope="module")
def review_pages(tmp_path_factory):
    scores = score_reviews(_planted_reviews(), month=MONTH, calibrate=False)
    folder = tmp_path_factory.mktemp("reviews")
    results = {
        "month": MONTH,
        "sentiment": {"by_language": {"en": {"n": 247, "mean_compound": -0.4, "share_negative": 0.8}}},
    }
    names = write_drilldown(
        folder, results, None, month=MONTH, settings={}, reviews=scores.scored, themes=scores.themes
    )
    return folder, names, scores.themes


def test_a_planted_negative_theme_shows_its_reviews_on_its_negative_page(review_pages):
    folder, _, themes = review_pages
    delivery = themes.index("delivery")
    negative = (folder / "appendix" / f"reviews-{delivery}-negative.html").read_text()
    assert "Reviews on delivery, negative, 2026-10" in negative
    # capped at the most recent (the two planted last, then 198 of the 205), saying how many are not shown
    assert negative.count("<li>") == MAX_COMMENTS and negative.count("The delivery was terrible and late") == 198
    assert "(order 204)" in negative and "(order 6)" not in negative
    assert f"The {MAX_COMMENTS} most recent of {MAX_COMMENTS + 7} reviews." in negative
    assert f"{MAX_COMMENTS + 7} reviews this month mention delivery and are classed negative" in negative
    positive = folder / "appendix" / f"reviews-{delivery}-positive.html"
    assert not positive.exists() or "terrible" not in positive.read_text()
    index = (folder / "appendix" / "index.html").read_text()
    assert f'href="reviews-{delivery}-negative.html"' in index and 'id="reviews"' in index
    language = (folder / "appendix" / "sentiment-language.html").read_text()
    assert 'href="index.html#reviews"' in language


def test_personal_data_in_a_review_never_reach_a_page(review_pages):
    folder, names, _ = review_pages
    for name in names:
        html = (folder / name).read_text()
        assert "jane.doe@example.com" not in html and "12 34 56 78" not in html, name


def test_hostile_review_text_shows_as_text(review_pages):
    folder, names, _ = review_pages
    pages = {name: (folder / name).read_text() for name in names}
    assert any("&lt;script&gt;alert(" in html for html in pages.values())
    for name, html in pages.items():
        assert "<script" not in html.lower(), name


def test_a_survey_without_comments_gets_no_sentiment_page(sample_feedback, tmp_path):
    fb = sample_feedback.drop(columns=["comment"])
    names = write_drilldown(tmp_path, {"month": MONTH}, fb, month=MONTH, settings={"breakdowns": ["segment"]})
    assert not any("sentiment-segment" in n for n in names) and "appendix/nps-segment-0.html" in names
    fb = sample_feedback.assign(comment=None)
    names = write_drilldown(tmp_path, {"month": MONTH}, fb, month=MONTH, settings={"breakdowns": ["segment"]})
    assert not any("sentiment-segment" in n for n in names)


@pytest.fixture(scope="module")
def review_parts(tmp_path_factory):
    """The sample's review page's results part and side files, written once for this module."""
    folder = tmp_path_factory.mktemp("parts")
    sources = cx.load_catalog(cx.DEFAULT_CATALOG)
    cx.SentimentReport.from_catalog(sources, month=MONTH).save_results(folder / "review_sentiment.json")
    return sources, folder


def test_the_review_page_hands_its_scores_to_the_drilldown(review_parts):
    """The review page writes the month's scored reviews beside its results part, and they are
    the rows the drill-down would get by scoring the reviews again (same texts, classes, themes),
    so the runner scores 1M reviews once, not twice."""
    from cxkit.pack.summary import _month_reviews

    sources, folder = review_parts
    handed = pd.read_parquet(folder / "review_sentiment.reviews.parquet")
    again, themes = _month_reviews(sources, MONTH)
    assert handed.attrs["themes"] == themes and len(handed) == len(again) > 0
    columns = ["text", "label", *themes]
    pd.testing.assert_frame_equal(handed[columns], again[columns].reset_index(drop=True), check_dtype=False)


def test_the_scores_file_never_reaches_the_pack(sample_pack):
    """It holds review texts unmasked: it stays in the run's working folder, removed before publishing."""
    assert not list(sample_pack.rglob("*.parquet"))
    assert not list(sample_pack.rglob("*reviews.parquet*"))


def test_the_review_page_hands_the_comment_scores_to_the_drilldown(review_parts):
    """The review page writes the lexicon sentiment of the month's survey comments beside its
    results part (issue 31 D5: its kernel holds the lexicons; the runner would build them again
    after every notebook), and the drill-down's comments from them equal scoring them again;
    scores of other rows are not used."""
    from cxkit.pack.drilldown import _scored_comments

    sources, folder = review_parts
    handed = pd.read_parquet(folder / "review_sentiment.comments.parquet")
    feedback = sources["feedback"].frame
    again = _scored_comments(feedback, MONTH)
    assert handed.attrs["month"] == MONTH and len(handed) >= len(again) > 0
    pd.testing.assert_frame_equal(_scored_comments(feedback, MONTH, handed), again)
    # handed scores of these rows are used as they are (here: every label made negative) ...
    assert (_scored_comments(feedback, MONTH, handed.assign(label="negative"))["label"] == "negative").all()
    # ... and scores of other comments (one row short, or the comments in another order) are
    # not: the comments are scored again
    short = handed.iloc[1:].assign(label="negative")
    shuffled = handed.assign(label="negative", comment=handed["comment"].to_numpy()[::-1])
    for wrong in (short, shuffled):
        pd.testing.assert_frame_equal(_scored_comments(feedback, MONTH, wrong), again)
