"""The churn page in Danish and Norwegian (issue 28): no English left in what the page itself
writes (findings, alt texts, captions, its own table headers, model checks, the sentences of
sections the data cannot give), data values kept as they are, numbers and months in the
locale's format.

Each page is built once per language on the bundled sample and its texts collected inside the
language (the page writes them when they are asked for).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from babel.numbers import parse_decimal

from cxkit import i18n
from cxkit.display import COLUMN_LABELS
from cxkit.pack.churn_regression import ChurnReport
from tests.i18n_words import english_left

#: Headers every page shares (display.COLUMN_LABELS, "95% CI"): translated with the display
#: module, not by this page, so left out of this page's check.
_SHARED_HEADERS = {*COLUMN_LABELS.values(), "95% CI"}
_CAPTION = re.compile(r"<caption>(.*?)</caption>", re.S)
_HEADER = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
#: "p = 0.24", "p < 0.001": the p-value's format belongs to display.p_phrase (shared).
_P_PHRASE = re.compile(r"p [=<] [<\d.,]+")
_NUMBER = re.compile(r"\d[\d.,\u00a0]*\d|\d")
_LOCALES = {"da": "da_DK", "nb": "nb_NO", "sv": "sv_SE"}


def _texts(page: ChurnReport) -> dict[str, list[str]]:
    """What the page writes, by kind (read in the current language)."""
    out: dict[str, list[str]] = {"findings": list(page.findings), "alt": list(page.alt.values())}
    out["finding"] = [page.results()["churn"]["finding"]]
    out["checks"] = list(page.checks)
    out["title"] = [i18n.translate(page.title)]
    out["captions"], out["headers"], out["unavailable"] = [], [], []
    for name in page.sections:
        shown = page.show(name)
        html = getattr(shown, "html", None)
        if type(shown).__name__ == "Unavailable":
            out["unavailable"].append(shown.reason)  # "Not shown:" before it is display's
        elif html:
            out["captions"] += _CAPTION.findall(html)
            out["headers"] += [h for h in _HEADER.findall(html) if h.strip() not in _SHARED_HEADERS]
    out["unavailable"] += list(page.unavailable.values())
    return out


def _data_words(records: pd.DataFrame, *tables: pd.DataFrame | None) -> set[str]:
    """Words of the data (column names, category values, theme names): allowed on the page."""
    words: set[str] = set()
    for frame in (records, *tables):
        if frame is None:
            continue
        for column in frame.columns:
            words.update(re.findall(r"[A-Za-z]+", str(column).lower()))
            if frame[column].dtype == object or isinstance(frame[column].dtype, pd.StringDtype | pd.CategoricalDtype):
                values = frame[column].dropna().astype(str).unique()
                if len(values) <= 50:  # categories, not free text or ids
                    words.update(w for v in values for w in re.findall(r"[A-Za-z]+", v.lower()))
    return words


@pytest.fixture(scope="module")
def catalog():
    import cxkit as cx

    return cx.load_catalog(cx.DEFAULT_CATALOG)


@pytest.fixture(scope="module", params=["da", "nb"])
def built(request, catalog):
    with i18n.language(request.param):
        page = ChurnReport.from_catalog(catalog, month="2026-10")
        texts = _texts(page)
    allowed = _data_words(catalog["customers"].frame, page.reasons, page.risk) | {"eur"}
    return request.param, page, texts, allowed


def test_no_english_left_on_the_page(built):
    code, _, texts, allowed = built
    for kind in ("title", "findings", "alt", "finding", "checks", "captions", "headers"):
        assert texts[kind], kind
        for text in texts[kind]:
            assert not english_left(text, allowed=allowed), (code, kind, text)


def test_numbers_and_months_in_the_locale(built):
    code, page, texts, _ = built
    headline = texts["findings"][0]
    assert "oktober 2026" in headline  # the month in words, not 2026-10
    assert "2,5\u00a0%" in headline  # 2.5% in the locale
    assert ("8.092" if code == "da" else "8\u00a0092") in headline  # customers, grouped in the locale
    for text in texts["findings"] + texts["checks"] + texts["alt"]:
        for number in _NUMBER.findall(_P_PHRASE.sub("", text)):
            parse_decimal(number, locale=_LOCALES[code], strict=True)  # raises on an English 1,234.5
    assert float(page.results()["churn"]["detractor_odds_ratio"]["estimate"]) == pytest.approx(2.46, abs=0.01)


def test_model_terms_translate_the_pack_words_only(built):
    code, page, _, _ = built
    with i18n.language(code):
        labels = list(page.effects["label"])
    vs = {"da": " mod ", "nb": " mot "}[code]
    assert f"segment: Enterprise{vs}Consumer" in labels  # the levels are data
    assert f"NPS-kategori: {'kritiker'}{vs}{'ambassadør'}" in labels  # cxkit's own categories
    assert any(
        label.startswith({"da": "kundeanciennitet (pr. 12", "nb": "kundeansiennitet (per 12"}[code]) for label in labels
    )


def test_sections_the_data_cannot_give_say_why_in_danish(catalog):
    """Without churn dates, revenue or a survey, every left-out part says why, in Danish."""
    records = catalog["customers"].frame.drop(columns=["signup_at", "churned_at", "monthly_revenue"])
    with i18n.language("da"):
        page = ChurnReport(records, feedback=None, month="", currency="EUR")
        texts = _texts(page)
    reasons = texts["unavailable"]
    assert len(reasons) >= 5, reasons
    allowed = _data_words(records) | {"signup", "at", "churned", "monthly", "revenue", "customer", "id"}
    for text in reasons + texts["findings"]:
        assert not english_left(text, allowed=allowed), text
    assert any("afgangsdatoer" in text for text in reasons)
    assert texts["findings"][0].startswith("Af de 10.000 kunder i data er")


@pytest.mark.parametrize(
    ("note", "danish"),
    [
        (
            "segment: 93 levels with fewer than 30 customers each were combined into 'other' (1,580 customers).",
            "segment: 93 niveauer med hver færre end 30 kunder blev slået sammen til 'other' (1.580 kunder).",
        ),
        (
            "11 customers left out for a missing value in a model column.",
            "11 kunder udeladt på grund af en manglende værdi i en modelkolonne.",
        ),
        ("RowNumber: left out (a different whole number on every row: an identifier).", None),
        (
            "a note of a form the page does not know stays as written.",
            "a note of a form the page does not know stays as written.",
        ),
    ],
)
def test_notes_of_the_analyses_in_danish(note, danish):
    """The analyses' notes on the data (model checks, captions) are said in the page's language."""
    from cxkit.pack.churn_regression import _note_text

    assert _note_text(note) == note  # English: as the analysis wrote it
    with i18n.language("da"):
        text = _note_text(note)
    if danish is None:
        assert "udeladt" in text and not english_left(text, allowed={"rownumber"})
    else:
        assert text == danish


def test_model_cautions_in_danish_each_once():
    """The models' cautions in Danish; the logistic and the Cox model's same caution said once."""
    from cxkit.pack.churn_regression import _caution_sentences

    few = "only 4.2 churners per parameter (42 churners, 10 parameters; fewer than 10): {} ratios are biased away from 1 and may not replicate. Use fewer covariates or merge levels."
    cautions = [
        ("logit", few.format("odds")),
        ("cox", few.format("hazard")),
        (
            "cox",
            "the hazard ratio of segment: SMB vs Consumer changes with tenure (proportional-hazards test p = 0.028); read it as an average over tenure.",
        ),
        (
            "detractor",
            "3 customer(s) answered the survey when their follow-up ended, with no time at risk after the answer; they are left out of the hazard ratio (the odds ratio keeps them).",
        ),
    ]
    assert len(_caution_sentences(cautions)) == 3  # English: the two "few churners" cautions are one
    with i18n.language("da"):
        found = _caution_sentences(cautions)
    assert found == [
        "Kun 4,2 afgåede kunder pr. parameter (42 afgåede, 10 parametre; færre end 10): oddsratioerne er skævvredet væk "
        "fra 1 og holder måske ikke i nye data. Brug færre forklarende variable, eller slå niveauer sammen.",
        "Kritikere mod ambassadører: 3 kunder svarede på undersøgelsen, da opfølgningen sluttede, uden tid i risiko "
        "efter svaret; de er udeladt af risikoforholdet (oddsratioen medtager dem).",
        "Risikoforholdet for segment (SMB mod Consumer) ændrer sig med kundeancienniteten (test af proportionale "
        "hazards): læs det som et gennemsnit over kundens anciennitet.",
    ]
