"""The review-sentiment page counts reviews in languages cxkit does not score (issue 25)."""

from __future__ import annotations

import pandas as pd

import cxkit as cx

MONTH = "2026-10"


def test_reviews_in_other_languages_are_counted_not_scored(sample_table):
    reviews = sample_table("reviews")
    months = reviews["published_at"].dt.to_period("M")
    data = reviews.groupby(months).sample(n=30, random_state=0).sort_values("published_at")
    in_month = (data["published_at"].dt.to_period("M") == pd.Period(MONTH, "M")).to_numpy()
    german = in_month & (pd.Series(range(len(data)), index=data.index) % 3 == 0).to_numpy()
    data = data.assign(
        text=data["text"].mask(german, "Die Lieferung war schnell und ich bin sehr zufrieden mit dem Service."),
        language=None,  # detected: the German ones come out "other"
    )
    page = cx.sentiment_report(data, month=MONTH, calibrate=False)
    n_german = int(german.sum())
    assert n_german >= 5
    summary = page._summary()[0]
    assert summary.endswith(f"; not scored: other language {n_german:,}")
    assert page.results()["sentiment"]["n_scored"] == int(in_month.sum()) - n_german
    assert page.results()["sentiment"]["n_reviews"] == int(in_month.sum())
