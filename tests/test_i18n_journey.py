"""The journey-stages page in Danish and Swedish (issue 28): no English left in what the page
itself writes (findings, alt texts, the results.json finding, table captions and the headers of
its own columns, stage names, the sentences of sections the data cannot give), and its numbers
and months in the locale's format.

The page is built once per language on the bundled sample (October 2026). Headers, yes/no cells
and number cells that every page shares come from cxkit.display and are checked with it, so
their English words are allowed here.
"""

from __future__ import annotations

import re
import warnings
from decimal import Decimal

import pytest
from babel.numbers import parse_decimal
from i18n_words import english_left

import cxkit as cx
from cxkit import i18n
from cxkit.display import COLUMN_LABELS, VALUE_LABELS, Unavailable

MONTH = "2026-10"
#: Data values of the sample (touchpoint and channel names) and names that are not English words.
DATA = {"billing", "call", "centre", "live", "chat", "onboarding", "delivery", "mobile", "app", "store", "visit"}
DATA |= {"website", "email", "web", "phone", "welch", "games-howell", "kruskal-wallis", "anova", "holm-justeret"}
DATA |= {"median"}  # Danish and Swedish too (the glossary's "gennemsnit / median", "medelvärde / median")
#: Words of the headers and cells cxkit.display writes for every page (translated there).
SHARED = {
    word.lower()
    for text in [*COLUMN_LABELS.values(), *(v for labels in VALUE_LABELS.values() for v in labels.values())]
    for word in re.findall(r"[A-Za-z]+", text)
} | {"yes", "no", "ci", "to", "pp"}


def _texts(html: str, tag: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m) for m in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", html, flags=re.S)]


@pytest.fixture(scope="module", params=["da", "sv"])
def built(request, sample_table):
    code = request.param
    catalog = cx.load_catalog(cx.DEFAULT_CATALOG)  # with its feedback source: the scorecard shows
    with i18n.language(code), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        page = cx.JourneyReport.from_catalog(catalog, month=MONTH)
        shown = {name: page.show(name) for name in page.sections}
        findings, alt, headline = page.findings, page.alt, page.results()["journey"]["finding"]
        # the sample's events without customer ids or channels: the sections that need them say why
        sparse = sample_table("journey").drop(columns=["customer_id", "channel"])
        reasons = cx.JourneyReport(sparse, month=MONTH).unavailable
    return code, page, shown, findings, alt, headline, reasons


def test_findings_alt_texts_and_the_headline_have_no_english(built):
    code, _, _, findings, alt, headline, _ = built
    for text in [*findings, *alt.values(), headline]:
        assert not english_left(text, allowed=DATA), (code, text)
    assert len(findings) >= 8 and set(alt) == {"stages", "funnel", "months", "pain"}


def test_captions_headers_and_stage_names_are_translated(built):
    code, _, shown, *_ = built
    assert not [name for name, out in shown.items() if isinstance(out, Unavailable)]
    tables = {name: out.html for name, out in shown.items() if "<table" in getattr(out, "html", "")}
    assert len(tables) == 10
    for name, html in tables.items():
        for caption in _texts(html, "caption"):
            assert not english_left(caption, allowed=DATA), (code, name, caption)
        for header in _texts(html, "th"):
            assert not english_left(header, allowed=DATA | SHARED), (code, name, header)
    stages = {"da": "beslutning", "sv": "beslut"}[code]
    assert "decision" not in tables["stages_table"] and stages in tables["stages_table"]
    step = {"da": "kendskab-&gt;overvejelse", "sv": "kännedom-&gt;övervägande"}[code]
    assert step in tables["month_changes"] and "oktober 2026" in tables["month_changes"]


def test_numbers_and_months_are_in_the_locale(built):
    code, *_, findings, alt, headline, _ = built
    text = " ".join([*findings, *alt.values(), headline])
    thousands = {"da": "6.500", "sv": "6\u00a0500"}[code]
    assert f"Af {thousands} kunder" in text if code == "da" else f"Av {thousands} kunder" in text
    assert "12,8\u00a0%" in text and "oktober 2026" in text and "p < 0,001" in text
    assert not re.search(r"\d\.\d{1,2}(?!\d)", text), "an English decimal point"
    assert not re.search(r"[1-9]\d{0,2},\d{3}(?!\d)", text), "an English thousands separator"
    assert not re.search(r"\d%", text) and "2026-10" not in text
    locale = {"da": "da_DK", "sv": "sv_SE"}[code]
    for number in re.findall(r"\d[\d.\u00a0]*,\d+", text):  # every decimal parses back in the locale
        assert parse_decimal(number, locale=locale) == Decimal(
            number.replace(".", "").replace("\u00a0", "").replace(",", ".")
        ), number


def test_sections_the_data_cannot_give_say_why_in_the_language(built):
    code, *_, reasons = built
    assert {"consistency", "funnel", "months"} <= set(reasons)
    allowed = DATA | {"columns", "customer", "channel"}  # the catalog's keys (customer_id), as written
    for name, reason in reasons.items():
        assert not english_left(reason, allowed=allowed), (code, name, reason)
    assert {"da": "kunde-id'er", "sv": "kund-id"}[code] in reasons["funnel"]
