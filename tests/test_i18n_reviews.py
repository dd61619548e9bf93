"""The review-sentiment page in Danish, Norwegian and Swedish (issue 28): no English left in what
the page writes (findings, alt texts, captions, its own table headers, notes, the reasons of the
sections the data cannot give, the heatmap's words), numbers in the locale's format, and the
data (theme names, sources, review texts) as they are.

The page is built once per language on the bundled sample (module-scoped fixtures). The shared
headers and cells (``95% CI``, ``p (adjusted)``, yes/no, the numbers in tables) are
cxkit.display's and are checked with it, not here.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from babel.numbers import parse_decimal
from i18n_words import english_left

import cxkit as cx
from cxkit import i18n
from cxkit.display import Unavailable, broken_text, safe_text
from cxkit.pack.review_sentiment import _plot_heatmap

MONTH = "2026-10"
LOCALES = {"da": "da_DK", "nb": "nb_NO", "sv": "sv_SE"}
#: A decimal written the English way (``0.06``, ``15.3``): never in a Danish, Norwegian or Swedish sentence.
ENGLISH_DECIMAL = re.compile(r"(?<![\d.,])[-+]?\d+\.\d{1,2}(?![\d])")
#: A number of a sentence: digits with the locale's group and decimal marks, maybe signed.
NUMBER = re.compile(r"[-+−]?\d+(?:[.\u00a0 ]\d{3})*(?:,\d+)?")


@pytest.fixture(scope="module")
def danish(sample_catalog):
    """The sample's page built in Danish, with the calibration (every finding), and its sections shown."""
    with i18n.language("da"):
        page = cx.SentimentReport.from_catalog(sample_catalog, month=MONTH)
        shown = {name: page.show(name) for name in page.sections}
        ax = _plot_heatmap(page.theme_heatmap)
        figure_words = [ax.get_title(where) for where in ("left", "center", "right")]
        figure_words += [t.get_text() for t in ax.get_xticklabels()]
        figure_words += [t.get_text() for t in ax.texts]
        plt.close(ax.figure)
    return page, shown, figure_words


@pytest.fixture(scope="module")
def swedish(sample_table):
    """The sample's page in Swedish, lexicon scores only (quicker: the calibration's words are checked in Danish)."""
    with i18n.language("sv"):
        page = cx.sentiment_report(sample_table("reviews"), month=MONTH, calibrate=False)
        shown = {name: page.show(name) for name in page.sections}
    return page, shown


def _data_words(page) -> set[str]:
    """Words that come from the data: theme names, sources, the lexicon's terms (allowed anywhere)."""
    words = {str(t).lower() for t in page.theme_names}
    if "source" in page.scored:
        words |= {str(s).lower() for s in page.scored["source"].dropna().unique()}
    return words


def _captions_and_headers(shown) -> list[str]:
    """Every caption, header and note of the tables and notes the page shows (not the cells)."""
    found = []
    for item in shown.values():
        html = getattr(item, "html", "") or ""
        if isinstance(item, Unavailable):
            continue
        found += re.findall(r"<caption>(.*?)</caption>", html, re.S)
        found += [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]
        found += re.findall(r'<p class="cx-note">(.*?)</p>', html, re.S)
    return found


#: Catalog keys a sentence names for the fix (``themes:``, ``settings: breakdowns``): code, not English.
CATALOG_KEYS = re.compile(r"\b(?:settings: \w+|themes: add|themes:|published_at|fieldwork: YYYY-MM|calibrate=False)")


def _no_english(texts, allowed):
    left = {text[:160]: english_left(CATALOG_KEYS.sub("", text), allowed=allowed) for text in texts}
    return {text: words for text, words in left.items() if words}


@pytest.mark.parametrize("fixture", ["danish", "swedish"])
def test_findings_alt_texts_captions_and_headers_have_no_english(fixture, request):
    page, shown, *_ = request.getfixturevalue(fixture)
    allowed = _data_words(page)
    assert len(page.findings) >= 4
    texts = list(page.findings) + list(page.alt.values()) + _captions_and_headers(shown)
    # the shared headers of cxkit.display (95% CI, p (adjusted)) carry no word of the English-only list
    assert _no_english(texts, allowed) == {}
    for text in texts:
        assert broken_text(text) is None, text


def test_the_heatmap_speaks_danish(danish):
    _, _, figure_words = danish
    assert "Andel af hvert temas anmeldelser efter sentiment" in figure_words
    assert {"negativ", "neutral", "positiv"} <= set(figure_words)
    assert not english_left(" ".join(figure_words))
    assert any(re.fullmatch(r"\d+\u00a0%", w) for w in figure_words)  # cells: 65 %, not 65%


def test_numbers_and_months_in_the_findings_are_in_the_locale(danish, swedish):
    for (page, *_), code, month in ((danish, "da", "oktober 2026"), (swedish, "sv", "oktober 2026")):
        text = " ".join(page.findings)
        assert month in text and "2026-10" not in text, text
        assert not ENGLISH_DECIMAL.findall(text), (code, ENGLISH_DECIMAL.findall(text))
        assert re.search(r"\d\u00a0%", text) and not re.search(r"\d%", text), text
        for number in NUMBER.findall(text):
            parse_decimal(number.replace("−", "-").lstrip("+"), locale=LOCALES[code], strict=True)
    da_text = " ".join(danish[0].findings)
    assert "n = 1.000" in da_text and "95\u00a0%-KI" in da_text and "+0,06" in da_text, da_text
    sv_text = " ".join(swedish[0].findings)
    assert "n = 1\u00a0000" in sv_text and "95\u00a0% KI" in sv_text, sv_text


def test_the_page_vocabulary_is_translated_and_the_data_is_not(danish):
    page, shown, _ = danish
    languages = shown["by_language"].html
    assert "dansk" in languages and "svensk" in languages and ">da<" not in languages
    verbatims = shown["theme_verbatims"].html
    assert ">negativ<" in verbatims and ">negative<" not in verbatims
    assert "delivery" in verbatims  # a theme name is the catalog's, kept as it is
    examples = shown["examples"].html
    assert "mest negativ" in examples and "most negative" not in examples
    assert "okt. 2026" in examples  # the reviews' dates in the locale
    texts = page.examples["text"].head(2).tolist()
    assert all(safe_text(t) in examples for t in texts)  # review texts: shown as written, escaped
    # the page's tables keep the canonical values; only what is shown is translated
    assert set(page.theme_heatmap["label"]) <= {"negative", "neutral", "positive"}
    assert page.results()["sentiment"]["by_language"].keys() == {"da", "en", "nb", "sv"}


def test_unavailable_reasons_are_in_norwegian(sample_table):
    """A small undated export without ratings or sources: every reason the page gives is Norwegian."""
    reviews = sample_table("reviews")
    cut = reviews[reviews["published_at"].dt.to_period("M") == pd.Period(MONTH, "M")].head(150)
    cut = cut.drop(columns=["published_at", "rating", "source"])
    with i18n.language("nb"):
        page = cx.sentiment_report(cut, month=MONTH, calibrate="auto")
        shown = {name: page.show(name) for name in page.sections}
    reasons = list(page.unavailable.values())
    assert len(reasons) >= 4, page.unavailable
    allowed = _data_words(page) | {"source", "rating"}  # the catalog's column names, named for the fix
    assert _no_english(reasons + list(page.findings) + _captions_and_headers(shown), allowed) == {}
    assert any("har ingen datoer" in r for r in reasons), reasons
    assert "i eksporten" in page.findings[0], page.findings[0]
