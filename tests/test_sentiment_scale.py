"""Big review tables: the calibration learns from a bounded, stratified sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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


@pytest.mark.parametrize("two_classes", [False, True])
def test_calibration_folds_equal_featurising_each_fold_anew(two_classes):
    """The texts are featurised once; a fold must still see only its training texts' stems and
    n-grams, with idf learnt on them.

    Reference: fold 1 refitted by hand, featurising its training texts with fresh vocabularies
    (stems and n-grams in >= min_count training texts), weighted by scikit-learn's
    ``TfidfTransformer`` fitted on them, and scikit-learn's ``LogisticRegression`` (balanced,
    C = 1) on every training row, repeated texts repeated; its test texts featurised through
    those vocabularies. calibrate_sentiment fits each distinct (text, class) pair once, weighted
    by its count, and computes the idf by hand from weighted document frequencies: this checks
    both against the plain computation. Two classes (neutral reviews left out) check the
    conversion of scikit-learn's one binary column into two class columns.
    """
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    from cxkit.analysis.calibration import rating_to_class
    from cxkit.analysis.sentiment import CLASSES, _featurise

    data = _reviews().dropna(subset=["rating"]).head(1500)
    if two_classes:
        data = data[data["rating"] != 3]
    # one C (no grid, so no warm start): the fold's fit starts from zeros, as the reference's does
    model = cx.calibrate_sentiment(data, seed=3, folds=5, C=1.0)
    y_names = rating_to_class(data["rating"].to_numpy())
    classes = tuple(c for c in CLASSES if (y_names == c).any())
    assert len(classes) == (2 if two_classes else 3)
    y = np.array([classes.index(c) for c in y_names])
    fold = np.empty(len(data), dtype=np.int64)
    fold[np.random.default_rng(3).permutation(len(data))] = np.arange(len(data)) % 5
    train, test = np.flatnonzero(fold != 0), np.flatnonzero(fold == 0)
    texts, langs = data["text"].tolist(), data["language"].tolist()

    def design(idx, vocab, grams, grow):
        rows, cols, total, _, _, chars = _featurise(
            [texts[i] for i in idx], [langs[i] for i in idx], vocab, grow, grams
        )
        stems = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(idx), len(vocab)))
        stems.data[:] = 1.0  # binary (duplicates summed by the constructor first)
        s = np.clip(total, -40, 40) / 16  # LEXICON_SCALE_TFIDF
        return stems, chars, np.column_stack([s, np.abs(s)])

    vocab: dict[str, int] = {}
    grams: dict[str, int] = {}
    stems, chars, lex = design(train, vocab, grams, True)
    keep_s = np.flatnonzero(np.asarray((stems > 0).sum(axis=0)).ravel() >= 2)
    keep_c = np.flatnonzero(np.asarray((chars > 0).sum(axis=0)).ravel() >= 2)
    tf_s = TfidfTransformer().fit(stems[:, keep_s])
    tf_c = TfidfTransformer().fit(chars[:, keep_c])
    X = sparse.hstack([tf_s.transform(stems[:, keep_s]), tf_c.transform(chars[:, keep_c]), lex]).tocsr()
    ref = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(X, y[train])
    kept_vocab = {name: j for j, name in enumerate(np.array(list(vocab), dtype=object)[keep_s])}
    kept_grams = {name: j for j, name in enumerate(np.array(list(grams), dtype=object)[keep_c])}
    stems, chars, lex = design(test, kept_vocab, kept_grams, False)
    X = sparse.hstack([tf_s.transform(stems), tf_c.transform(chars), lex]).tocsr()
    P = ref.predict_proba(X)
    expected = P[:, classes.index("positive")] - P[:, classes.index("negative")]
    # lbfgs stops at scikit-learn's tolerance: the two fits see the same matrix up to rounding
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
