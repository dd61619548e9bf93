"""Big review tables: the calibration learns from a bounded, stratified sample."""

from __future__ import annotations

import numpy as np
import pandas as pd

import cxkit as cx
from cxkit.sentiment_report import _calibration_sample


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
    assert "predicted for the others" in capped.results["scores_from"]
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
    assert uncapped.results["scores_from"] == "calibrated (out-of-fold)"
