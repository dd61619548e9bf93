"""Big review tables: the calibration learns from a bounded, stratified sample."""

from __future__ import annotations

import numpy as np
import pandas as pd

import cxkit as cx
from cxkit.analysis.reviews import _calibration_sample


def _reviews():
    return cx.load_catalog(cx.DEFAULT_CATALOG)["reviews"].frame


def test_calibration_sample_is_seeded_stratified_and_bounded():
    reviews = _reviews()
    a = _calibration_sample(reviews, 3000, seed=1)
    b = _calibration_sample(reviews, 3000, seed=1)
    assert a.index.equals(b.index)
    assert not a.index.equals(_calibration_sample(reviews, 3000, seed=2).index)
    assert abs(len(a) - 3000) <= 5
    full = reviews["rating"].value_counts(normalize=True).sort_index()
    part = a["rating"].value_counts(normalize=True).sort_index()
    assert np.allclose(full.to_numpy(), part.to_numpy(), atol=0.002)
    assert _calibration_sample(reviews, len(reviews), seed=1) is reviews


def test_report_with_a_capped_calibration_scores_every_review_out_of_sample():
    reviews = _reviews()
    capped = cx.sentiment_report(reviews, month="2026-10", calibrate=True, calibrate_max=3000, seed=0)
    assert capped.calibration.loc[0, "n"] <= 3005
    assert capped.calibration.loc[0, "rated"] == reviews["rating"].notna().sum()
    assert "predicted for the others" in capped.results()["sentiment"]["scores_from"]
    scored = capped.scored
    assert scored.loc[scored["scored"], "compound"].notna().all()
    # The sampled reviews carry their out-of-fold scores, the others the model's prediction.
    oof = capped.model.oof_
    assert np.allclose(scored.loc[oof.index, "compound"], oof["compound"])
    rest = scored.index.difference(oof.index)[:200]
    predicted = cx.sentiment(reviews.loc[rest, "text"], scored.loc[rest, "language"], model=capped.model)
    assert np.allclose(scored.loc[rest, "compound"], predicted["compound"])
    # With a cap above the rated rows nothing changes from the uncapped report.
    uncapped = cx.sentiment_report(reviews, month="2026-10", calibrate=True, seed=0)
    assert uncapped.results()["sentiment"]["scores_from"] == "calibrated (out-of-fold)"


def test_calibration_folds_equal_featurising_each_fold_anew():
    """The texts are featurised once; a fold must still see only its training texts' stems.

    Reference: fold 1 refitted by hand, featurising its training texts with a fresh
    vocabulary (stems in >= min_count training texts) and its test texts through it.
    """
    from cxkit.analysis.calibration import SentimentModel, fit_multinomial, multinomial_probabilities, rating_to_class
    from cxkit.analysis.sentiment import CLASSES, _featurise

    data = _reviews().dropna(subset=["rating"]).head(1500)
    model = cx.calibrate_sentiment(data, seed=3, folds=5)
    y_names = rating_to_class(data["rating"].to_numpy())
    classes = tuple(c for c in CLASSES if (y_names == c).any())
    y = np.array([classes.index(c) for c in y_names])
    fold = np.empty(len(data), dtype=np.int64)
    fold[np.random.default_rng(3).permutation(len(data))] = np.arange(len(data)) % 5
    train, test = np.flatnonzero(fold != 0), np.flatnonzero(fold == 0)
    texts, langs = data["text"].tolist(), data["language"].tolist()
    vocab: dict[str, int] = {}
    rows, cols, total, _, _ = _featurise([texts[i] for i in train], [langs[i] for i in train], vocab, True)
    df = np.bincount(np.unique(rows * (len(vocab) + 1) + cols) % (len(vocab) + 1), minlength=len(vocab))[: len(vocab)]
    kept = {name: j for j, name in enumerate(n for n, i in vocab.items() if df[i] >= 2)}
    remap = np.array([kept.get(n, -1) for n in vocab])
    ref = SentimentModel(kept, np.zeros((len(kept) + 2, len(classes))), np.zeros(len(classes)), classes, 0.1)
    ok = remap[cols] >= 0
    X = ref._matrix(len(train), rows[ok], remap[cols][ok], total)
    freq = np.bincount(y[train], minlength=len(classes)).astype(float)
    ref.coef, ref.intercept = fit_multinomial(
        X, y[train], len(classes), C=0.1, sample_weight=(len(train) / (len(classes) * freq))[y[train]]
    )
    rows, cols, total, _, _ = _featurise([texts[i] for i in test], [langs[i] for i in test], kept, False)
    P = multinomial_probabilities(ref._matrix(len(test), rows, cols, total), ref.coef, ref.intercept)
    expected = P[:, classes.index("positive")] - P[:, classes.index("negative")]
    assert np.allclose(model.oof_["compound"].to_numpy()[test], expected, atol=1e-6)


def test_reading_month_by_month_gives_the_same_report_and_holds_one_run_of_text(tmp_path, monkeypatch):
    from cxkit.data.catalog import MonthlyReader

    catalog = cx.load_catalog(cx.DEFAULT_CATALOG)
    reviews = catalog["reviews"].frame
    snap = cx.load_catalog(catalog.snapshot(tmp_path))
    whole = cx.sentiment_report(reviews, month="2026-10", seed=0, calibrate_max=2500)
    sizes = []
    real = MonthlyReader.read

    def spy(self, months, columns=None):
        rows = real(self, months, columns)
        if "text" in rows.columns:
            sizes.append((len(months), len(rows)))
        return rows

    monkeypatch.setattr(MonthlyReader, "read", spy)
    monthly = cx.sentiment_report(snap.monthly("reviews"), month="2026-10", seed=0, calibrate_max=2500, chunk_rows=1500)
    largest_month = reviews["published_at"].dt.to_period("M").value_counts().max()
    assert sizes and max(n for _, n in sizes) <= max(1500, largest_month)
    assert len(sizes) >= 2 * 12  # scored a run at a time, then read again for the model's predictions
    assert monthly.results() == whole.results()
    for name in ("headline", "trend", "by_source", "by_language", "agreement", "themes", "emerging", "examples"):
        pd.testing.assert_frame_equal(
            getattr(monthly, name).reset_index(drop=True),
            getattr(whole, name).reset_index(drop=True),
            check_dtype=False,
        )
    # Scores of every review agree; only the report month keeps its text.
    a = whole.scored.reset_index(drop=True)
    b = monthly.scored.sort_index().reset_index(drop=True)
    assert np.allclose(a["compound"].astype(float), b["compound"].astype(float), equal_nan=True)
    kept = b.loc[b["text"].notna(), "_month"].astype(str).unique().tolist()
    assert kept == ["2026-10"]
    # The sentiment words found are kept for the report month's examples only (issue 31: 10M
    # reviews' word lists took GBs), and there they are the whole table's.
    assert b.loc[b["words"].notna(), "_month"].astype(str).unique().tolist() == ["2026-10"]
    month = (b["_month"].astype(str) == "2026-10").to_numpy()
    assert a.loc[month, "words"].tolist() == b.loc[month, "words"].tolist()
