"""cx.detect_language: English, Danish, Bokmål, Nynorsk and Swedish told apart."""

from __future__ import annotations

import pandas as pd
import pytest

import cxkit as cx
from cxkit.analysis._sentiment_eval import LANGID_SENTENCES, norec_frame


def test_own_labelled_sentences():
    # 12 review-like sentences per language written for cxkit (parallel wording across the
    # Nordic languages, so only spelling and function words tell them apart)
    data = pd.DataFrame(LANGID_SENTENCES, columns=["language", "text"])
    out = cx.detect_language(data["text"])
    assert (out["language"] == data["language"]).mean() == 1.0
    assert out["confidence"].between(0.5, 1).all()


def test_sample_reviews_language_column(project_dir):
    reviews = pd.read_csv(project_dir / "data" / "sample" / "reviews.csv")
    out = cx.detect_language(reviews["text"])
    assert (out["language"] == reviews["language"]).mean() == 1.0


@pytest.mark.shared
def test_norec_is_norwegian(public_catalog):
    dev = norec_frame(public_catalog, "dev")
    sentences = cx.detect_language(dev["text"])["language"]
    # NoReC dev sentences include film titles and English quotes ("Give me fuel"): 89.3% measured
    assert sentences.isin(["nb", "nn"]).mean() >= 0.88
    paragraphs = dev.assign(p=dev["review_id"].str.rsplit("-", n=1).str[0]).groupby("p")["text"].agg(" ".join)
    assert cx.detect_language(paragraphs)["language"].isin(["nb", "nn"]).mean() >= 0.9


def test_other_languages_and_empty_text():
    texts = [
        "Das ist sehr gut und ich bin zufrieden mit dem Produkt.",
        "C'est un produit de très bonne qualité, je le recommande.",
        "Es un producto muy bueno y barato, llegó en dos días.",
        "Tuote saapui nopeasti ja toimii hyvin, olen tyytyväinen.",
        "",
        None,
        "123 456",
    ]
    out = cx.detect_language(texts)
    assert out["language"].tolist()[:4] == ["und"] * 4
    assert out["language"].iloc[4:].isna().all()
    assert out["confidence"].isna().all()


def test_bokmal_and_nynorsk():
    out = cx.detect_language(
        ["Jeg har ikke fått svar, og det er veldig dårlig.", "Eg har ikkje fått svar, og det er veldig dårleg."]
    )
    assert out["language"].tolist() == ["nb", "nn"]


def test_index_kept_and_chunks_agree():
    texts = pd.Series(
        ["Tak for hurtig levering", "Tack för snabb leverans", "Thanks for the fast delivery"] * 5,
        index=range(100, 115),
    )
    whole = cx.detect_language(texts)
    chunked = cx.detect_language(texts, chunk_size=4)
    assert list(whole.index) == list(texts.index)
    pd.testing.assert_frame_equal(whole, chunked)
    assert whole["language"].tolist()[:3] == ["da", "sv", "en"]
