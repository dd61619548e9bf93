"""The NPS page in Danish and Swedish (issue 28): its findings, one-sentence finding, alt texts,
captions, table headers and the sentences it writes carry no English apart from data values,
and its numbers and months are in the locale's format and parse back."""

from __future__ import annotations

import re
import warnings

import pytest
from babel.numbers import parse_decimal
from i18n_words import english_left

import cxkit as cx
from cxkit import i18n
from cxkit.pack.nps_drivers import headline_view, nps_report, weighting_sentence

LOCALES = {"da": "da_DK", "sv": "sv_SE"}
TABLES = ["headline", "trend_table", "drivers_table", "driver_change", "diagnostics"]
TABLES += ["comment_themes", "comment_themes_csat", "comment_theme_trend"]


@pytest.fixture(scope="module", params=sorted(LOCALES))
def page(request, sample_catalog):
    """The sample's NPS page for 2026-10 in one language, built once per language; every
    section rendered inside the language too (as the notebook does after set_language)."""
    with i18n.language(request.param), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = cx.NpsReport.from_catalog(sample_catalog, month="2026-10", bootstrap=20, seed=0)
        shown = {name: built.show(name) for name in built.sections}
    return request.param, built, shown


#: Words that are not English here: "segment" is also the Danish, Norwegian and Swedish word
#: (GLOSSARY28), and catalog settings quoted in a sentence (``themes:``, ``settings: {breakdowns:
#: [segment, channel]}``) are the catalog's own syntax.
NOT_ENGLISH = {"segment", "themes", "channel"}


def _data_words(built) -> set[str]:
    """Words of the data on the page (driver, theme and group names), which stay as they are."""
    values = list(built.drivers["driver"]) + list(built.segments.get("group", []))
    if built.comment_themes is not None:
        values += list(built.comment_themes["theme"])
    return NOT_ENGLISH | {word.lower() for value in values for word in re.split(r"[\W_]+", str(value)) if word}


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d[\d.,\u00a0]*\d|\d", text)


def _texts(built) -> list[str]:
    return list(built.findings) + [built.finding] + list(built.alt.values())


def test_findings_and_alt_texts_have_no_english(page):
    code, built, _ = page
    allowed = _data_words(built)
    assert len(built.findings) >= 8 and set(built.alt) == {"trend", "segments", "importance", "quadrant"}
    for text in _texts(built):
        assert english_left(text, allowed=allowed) == [], (code, text)


def test_captions_and_headers_have_no_english(page):
    code, built, shown = page
    allowed = _data_words(built)
    for name in TABLES:
        html = shown[name].html
        assert 'class="cx-unavailable"' not in html, (name, html[:200])
        parts = re.findall(r"<caption>(.*?)</caption>", html) + re.findall(r"<th[^>]*>(.*?)</th>", html)
        assert parts, name
        for part in parts:
            # the generic theme list's names and template names are cxkit's data, named as they are
            assert english_left(part, allowed=allowed | {"retail", "telecom"}) == [], (code, name, part)


def test_headline_and_checks_are_written_in_the_language(page):
    """The headline table and the driver model's checks are this page's own cells: words and
    numbers in the language (the other tables' cells are formatted by cxkit.display)."""
    code, built, shown = page
    allowed = _data_words(built)
    with i18n.language(code):
        view = headline_view(built.headline)
        nps_value = i18n.decimal(built.kpis["nps"]["value"], 1)
        n = i18n.integer(built.kpis["nps"]["n"])
    assert view.columns[1] == {"da": "oktober 2026", "sv": "oktober 2026"}[code]
    assert view.iloc[0, 1] == nps_value and view.iloc[0]["n"] == n
    cells = " ".join(view.astype(str).to_numpy().ravel())
    assert english_left(cells, allowed=allowed) == []
    assert not re.search(r"\d\.\d{1,2}(?!\d)|\d%", cells), cells  # no English decimals or percentages
    checks = shown["diagnostics"].text
    assert english_left(checks, allowed=allowed) == [], checks


def test_numbers_and_months_are_in_the_locale(page):
    """Every number of the findings, the one sentence and the alt texts parses back in the
    locale (strictly: an English 19.4 or 1,986 does not); months are written out, never ISO."""
    code, built, _ = page
    locale = LOCALES[code]
    with i18n.language(code):
        assert i18n.decimal(built.kpis["nps"]["value"], 1) in built.findings[0]
        assert i18n.integer(built.kpis["nps"]["n"]) in built.findings[0]
        assert i18n.interval(built.kpis["nps"]["ci_low"], built.kpis["nps"]["ci_high"], 1) in built.finding
    for text in _texts(built):
        assert not re.search(r"\b\d{4}-\d{2}\b", text), text
        assert not re.search(r"\d%", text), text  # a percent sign after a no-break space
        for number in _numbers(text):
            parse_decimal(number, locale=locale, strict=True)


def test_unavailable_sections_say_why_in_the_language(feedback):
    """The sentences the page writes when the data cannot give a section are translated too."""
    with i18n.language("da"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = nps_report(feedback, month="2026-10", drivers=[], segments=("region",), bootstrap=0)
        reasons = {name: built.show(name).text for name in ("segments", "importance")}
    assert "region (ikke en kolonne i undersøgelsen)" in built.unavailable["segments"]
    assert "angiv dem med drivers: [...] i kataloget" in built.unavailable["drivers"]
    for name, reason in {**built.unavailable, **reasons}.items():
        # "Not shown:" is cxkit.display's prefix (translated with the shared texts); "drivers:" a catalog key
        assert english_left(reason, allowed=NOT_ENGLISH | {"region", "not", "shown", "drivers"}) == [], (name, reason)


def test_weighting_statement_in_the_language_and_unchanged_in_english():
    part = {"method": "cells", "margins": ["segment"], "n": 1986, "n_eff": 1712.2, "min": 0.5, "max": 1.75}
    from cxkit.analysis.weighting import weighting_statement

    assert weighting_sentence(part) == weighting_statement(part)
    with i18n.language("sv"):
        text = weighting_sentence(part)
    assert text == (
        "Siffrorna är viktade (efterstratifiering till kända celler för segment): effektiv urvalsstorlek "
        "1\u00a0712 av 1\u00a0986 svar, vikter från 0,50 till 1,75 gånger medelvärdet."
    )
