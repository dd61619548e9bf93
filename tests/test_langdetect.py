"""cx.detect_language: English, Danish, Bokmål, Nynorsk and Swedish told apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
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
    assert out["language"].tolist()[:4] == ["other"] * 4
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


# ----------------------------------------------------------------- held-out sentences, 15 languages

SENTENCES = Path(__file__).parent / "data" / "langid_sentences.tsv"
SCORED = {"en", "da", "nb", "nn", "sv"}


def _langid_rows(split: str) -> pd.DataFrame:
    rows = pd.read_csv(SENTENCES, sep="\t", comment="#")
    rows = rows[rows["split"] == split].copy()
    rows["want"] = rows["language"].where(rows["language"].isin(SCORED), "other")
    rows["got"] = cx.detect_language(rows["text"])["language"].to_numpy()
    return rows


def test_held_out_sentences_in_15_languages():
    # tests/data/langid_sentences.tsv "test" rows (hand-written, never tuned on): 8 sentences in
    # each of 10 languages cxkit does not score and 6-8 in each scored one. Measured when the
    # "other" rule was written (benchmarks/results/sentiment_languages.json, langid): 106 of 118
    # right; of the 80 foreign ones German 7/8, Dutch 6/8, Finnish 7/8, French 5/8, Italian 5/8,
    # Spanish 7/8, the other four 8/8 (before the rule: 60 of 80).
    rows = _langid_rows("test")
    ok = rows["got"] == rows["want"]
    assert ok.sum() >= 106
    foreign = rows[rows["want"] == "other"]
    # never read as a scored language more often than measured: 11 of 80
    assert (foreign["got"] != "other").sum() <= 11
    # the scored languages are never called "other"
    assert (rows.loc[rows["want"] != "other", "got"] != "other").all()


def test_short_nordic_texts():
    # 20-40 character texts, 12 per language; Danish and Bokmål spell many short phrases the same
    # ("Elendig kundeservice"), so 34 of 36 right, none called "other"
    rows = _langid_rows("short")
    norwegian = rows["want"].isin(["nb", "nn"]) & rows["got"].isin(["nb", "nn"])
    assert ((rows["got"] == rows["want"]) | norwegian).sum() >= 34
    assert (rows["got"] != "other").all()


def test_function_words_of_other_languages_decide():
    # "und", "ich", "sehr" are German function words none of en/da/nb/sv uses; "die" and "war"
    # are common English words, so they alone are no evidence (the German review that
    # was read as English)
    out = cx.detect_language(
        [
            "Die Lieferung war schnell und ich bin sehr zufrieden.",
            "Kiitos, toimitus oli nopea ja hyvä.",
            "Nem betjening og gode priser.",  # Danish; "nem" is also a Hungarian word: one is not enough
        ]
    )
    assert out["language"].tolist() == ["other", "other", "da"]


def _tables_by_loops(freqs: dict[str, float]) -> tuple[dict, ...]:
    """One language's character tables built word by word and position by position, as
    ``language_model`` built them before issue 31 D5 (the reference for its array version)."""
    total = sum(freqs.values())
    tri: dict[str, float] = {}
    bi: dict[str, float] = {}
    uni: dict[str, float] = {}
    for w, f in freqs.items():
        s = "^^" + w + "$"
        for i in range(2, len(s)):
            tri[s[i - 2 : i + 1]] = tri.get(s[i - 2 : i + 1], 0.0) + f / total
            bi[s[i - 1 : i + 1]] = bi.get(s[i - 1 : i + 1], 0.0) + f / total
            uni[s[i]] = uni.get(s[i], 0.0) + f / total
    ctx2: dict[str, float] = {}
    for k, v in tri.items():
        ctx2[k[:2]] = ctx2.get(k[:2], 0.0) + v
    ctx1: dict[str, float] = {}
    for k, v in bi.items():
        ctx1[k[:1]] = ctx1.get(k[:1], 0.0) + v
    n_uni = sum(uni.values())
    return tri, ctx2, bi, ctx1, {c: v / n_uni for c, v in uni.items()}


def test_language_model_tables_equal_the_loops_to_the_last_bit():
    """The array-built tables (issue 31 D5) hold the same keys, in the same order, with the same
    floats as the loops over words and positions: the sums are added in the same order."""
    import csv
    import math

    from cxkit.analysis import langdetect

    words: dict[str, dict[str, float]] = {lang: {} for lang in langdetect._MODEL_LANGUAGES}
    with open(langdetect.LEXICON_DIR / "langid_words.tsv", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        langs = next(reader)[1:]
        for row in reader:
            for lang, zipf in zip(langs, row[1:], strict=True):
                if zipf:
                    words[lang][row[0]] = 10.0 ** (float(zipf) - 9.0)
    word_logp, chars = langdetect.language_model.__wrapped__()
    for lang, freqs in words.items():
        total = sum(freqs.values())
        assert word_logp[lang] == {w: math.log((1 - langdetect._OOV_MASS) * f / total) for w, f in freqs.items()}
        for got, expected in zip(chars[lang], _tables_by_loops(freqs), strict=True):
            assert list(got.items()) == list(expected.items()), lang
    # Where the order of addition shows: one trigram in several words and positions, a letter
    # outside Latin-1, weights whose sums differ in the last bit when added in another order.
    freqs = {"aaa": 0.1, "ba": 0.2, "aåa": 0.3, "a": 0.4, "ѣaa": 0.7}
    total = sum(freqs.values())
    got = langdetect._char_tables(list(freqs), np.array(list(freqs.values())) / total)
    for table, expected in zip(got, _tables_by_loops(freqs), strict=True):
        assert list(table.items()) == list(expected.items())
    assert got[0]["^^a"] == ((0.1 / total + 0.3 / total) + 0.4 / total)  # words 1, 3, 4 in turn
    assert got[0]["aa$"] == 0.1 / total + 0.7 / total and got[0]["^^ѣ"] == 0.7 / total
