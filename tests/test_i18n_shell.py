"""Report languages (issue 28), the parts every page shares: table headers and cells, figures'
labels and tick numbers, the index, the executive summary, the alerts, the "How to read this
pack" guide and the drill-down pages, in Danish and Swedish (data values allowed, numbers in the
locale's format), and the same parts unchanged in English."""

from __future__ import annotations

import html
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from i18n_words import english_left

import cxkit as cx
from cxkit import i18n
from cxkit.display import COLUMN_WORDS, format_p, metric_label, p_phrase, presentable, table
from cxkit.pack import alerts, drilldown, guide, summary
from cxkit.pack.index import render_index

MONTH = "2026-10"
#: Values from the data on these pages (theme, touchpoint, driver, segment and channel names,
#: source names); everything else must be in the report language.
DATA_WORDS = {"delivery", "billing", "web", "feedback", "segment", "channel", "price", "support"}
#: What Danish and Swedish write the same as English (and tests/i18n_words lists as English):
#: "segments" is the genitive ("hvert segments NPS").
SHARED = {"segment", "segments", "passive"}
#: The catalog syntax the guide quotes.
CATALOG_EXAMPLE = "targets: {nps: 25, csat_mean: 4.0}"


def _text(page: str) -> str:
    """A page's reader text: no style sheet, no tags, entities decoded."""
    page = re.sub(r"<style.*?</style>", "", page, flags=re.S)
    page = re.sub(r'<ul class="cx-verbatim">.*?</ul>', "", page, flags=re.S)  # comments as written
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _results() -> dict:
    """A month's results.json with every part the index, summary and alerts read (no page
    findings: those are the pages' own, translated with them)."""
    results: dict = {
        "month": MONTH,
        "nps": {"value": 19.436, "ci_low": 15.663, "ci_high": 23.146, "n": 1986, "min_n": 30, "month": MONTH,
                "previous": 12.876, "change": 6.560, "change_p": 0.1148, "significant": False},
        "csat": {"value": 3.41, "ci_low": 3.37, "ci_high": 3.45, "n": 1986, "min_n": 30, "month": MONTH,
                 "previous": 3.55, "change": -0.14, "change_p": 0.0004, "significant": True},
        "ces": {"value": 3.2, "ci_low": 2.9, "ci_high": 3.5, "n": 24, "min_n": 30, "month": MONTH,
                "previous": 3.1, "change": 0.1, "change_p": 0.8, "significant": False},
        "sentiment": {
            "headline": {"value": 0.06, "ci_low": 0.01, "ci_high": 0.10, "n": 1000, "month": MONTH,
                         "previous": 0.14, "change": -0.08, "change_p": 0.12, "significant": False},
            "top_emerging_negative_theme": {"theme": "delivery", "negative_rate": 0.153, "previous_rate": 0.033,
                                            "change": 0.12, "change_p_holm": 0.00001},
            "by_language": {"da": {"mean_compound": 0.1, "share_negative": 0.2, "n": 500},
                            "sv": {"mean_compound": -0.05, "share_negative": 0.3, "n": 12}},
        },
        "churn": {"headline": {"value": 0.025, "ci_low": 0.022, "ci_high": 0.029, "n": 8092, "month": MONTH,
                               "scope": "month", "previous": 0.020, "change": 0.005, "change_p": 0.24,
                               "significant": False}},
        "drivers": [{"driver": "price", "share": 0.265, "p_first": 0.99, "n": 1986}],
        "journey": {"lowest_touchpoint": {"touchpoint": "billing", "mean": 2.99, "significant": True, "n": 500,
                                          "p_adj": 0.00001}},
        "data_quality": {"feedback": {"read": 23830, "accepted": 23810, "rejected": 20, "reasons": {}}},
        "skipped": {},
        "touchpoint_changes": [
            {"touchpoint": "web", "value": 3.2, "previous": 3.6, "change": -0.4, "n": 400, "previous_n": 380,
             "p": 0.001, "p_adjusted": 0.003, "significant": True, "falling": True, "small_n": False},
        ],
        "targets": {"nps": summary.target_test("nps", 25, value=19.436, n=1986, promoters=0.45, detractors=0.26)},
        "kpi_trends": {"nps": [{"period": "2026-08", "value": 15.0}, {"period": "2026-09", "value": 12.876},
                               {"period": MONTH, "value": 19.436}]},
    }  # fmt: skip
    return results


class _Notebook:
    def __init__(self, name: str, title: str):
        self.name, self.title = name, title


@pytest.fixture(scope="module", params=["da", "sv"])
def shell(request):
    """The index, guide, summary and alerts of one month in one language."""
    with i18n.language(request.param) as code:  # left before the tests run: they see English unless they ask
        results = _results()
        results["summary"] = summary.executive_summary(results)
        results["alerts"] = alerts.find_alerts(results)
        index = render_index(
            results, notebooks=[_Notebook("data_quality", "Data quality")], footer="cxkit · run x", notes=None
        )
        built = {"code": code, "results": results, "index": index, "guide": guide.render_guide(footer="")}
    return built


def test_index_guide_summary_alerts_carry_no_english(shell):
    """Every heading, tile, note and sentence of the index, the guide, the summary and the alerts
    is in the report language; only data values (theme, touchpoint names) are left as they are."""
    allowed = DATA_WORDS | SHARED
    assert english_left(_text(shell["index"]), allowed=allowed) == []
    assert CATALOG_EXAMPLE in _text(shell["guide"])
    assert english_left(_text(shell["guide"]).replace(CATALOG_EXAMPLE, ""), allowed=allowed) == []
    for bullet in shell["results"]["summary"]:
        assert english_left(bullet["text"], allowed=allowed) == [], bullet
    assert {a["kind"] for a in shell["results"]["alerts"]} >= {"kpi_below_target", "significant_move"}
    for alert in shell["results"]["alerts"]:
        assert english_left(alert["message"], allowed=allowed) == [], alert


def test_index_numbers_months_and_lang_are_the_locales(shell):
    """Counts with the locale's thousands separator, decimals with a comma, months in words, and
    the page declares its language."""
    page, code = shell["index"], shell["code"]
    text = _text(page)
    thousands = {"da": "1.986", "sv": "1\u00a0986"}[code]
    assert f"n = {thousands}" in text
    assert "+19,4" in text and "19.4" not in text
    assert "oktober 2026" in text and MONTH not in text.replace("2026-10-", "")
    assert "2,5\u00a0%" in text  # the churn tile
    assert "p &lt; 0,001" in page and "p < 0" not in page  # the significant CSAT tile's p, escaped
    assert f'<html lang="{code}">' in page and f'<html lang="{code}">' in shell["guide"]
    bullets = " ".join(b["text"] for b in shell["results"]["summary"])
    assert "15,3\u00a0%" in bullets and "3,3\u00a0%" in bullets  # the emerging theme's shares


def test_drilldown_pages_in_danish(tmp_path):
    """The drill-down pages of the sample month in Danish: headings, captions, headers, badges
    and notes translated, months in words, numbers with a decimal comma."""
    feedback = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    with i18n.language("da"):
        written = drilldown.write_drilldown(tmp_path, _results(), feedback, month=MONTH, settings={}, footer="")
    assert "appendix/touchpoints.html" in written and "appendix/sentiment-language.html" in written
    pages = {name: (tmp_path / name).read_text(encoding="utf-8") for name in written}
    for name, page in pages.items():
        assert english_left(_text(page), allowed=DATA_WORDS | SHARED | {"quality", "product"}) == [], name
        assert '<html lang="da">' in page
    segment = pages["appendix/nps-segment-0.html"]
    assert "oktober 2026" in _text(segment) and "95\u00a0%-KI" in _text(segment)
    assert re.search(r"[+-]\d+,\d til [+-]\d+,\d", _text(segment))  # an interval in Danish
    assert "Lille base: n = 12, under 30" in _text(pages["appendix/sentiment-language.html"])


def test_table_in_danish_and_english():
    """Headers of canonical columns and the joined interval translated; numbers, shares,
    changes, counts, p-values and booleans in the locale; data values as they are."""
    df = pd.DataFrame(
        {
            "segment": ["SMB"],
            "share": [0.26503],
            "ci_low": [0.24072],
            "ci_high": [0.28347],
            "change": [0.0071],
            "p_adjusted": [0.0341],
            "n": [12345],
            "significant": [True],
            "mean": [1234.56],
        }
    )
    with i18n.language("da"):
        shown = presentable(df, percent=["share"], pp=["change"]).iloc[0].to_dict()
        page = table(df, caption="Andel pr. segment", percent=["share"], pp=["change"]).html
    assert shown == {
        "segment": "SMB",
        "andel": "26,5\u00a0%",
        "95\u00a0%-KI": "24,1\u00a0% til 28,3\u00a0%",
        "ændring": "+0,7\u00a0pct.-point",
        "p (justeret)": "0,034",
        "n": "12.345",
        "signifikant": "ja",
        "gennemsnit": "1.234,6",
    }
    assert english_left(_text(page), allowed=SHARED) == []
    # English is as before
    assert presentable(df, percent=["share"], pp=["change"]).iloc[0].to_dict() == {
        "segment": "SMB",
        "share": "26.5%",
        "95% CI": "24.1% to 28.3%",
        "change": "+0.7 pp",
        "p (adjusted)": "0.034",
        "n": "12,345",
        "significant": "yes",
        "mean": "1,234.6",
    }


def test_shared_formats_follow_the_language():
    """p-values, the p phrase, metric names and Unavailable's frame in Swedish; English as documented."""
    with i18n.language("sv"):
        assert (format_p(0.0341), format_p(0.00001), p_phrase(float("nan"))) == ("0,034", "< 0,001", "p = e.t.")
        assert metric_label("journey_stage") == "fas i kundresan" and metric_label("csat") == "CSAT"
        assert cx.Unavailable("no rows.").text == "Visas inte: no rows."
    assert (format_p(0.0341), format_p(0.00001), p_phrase(float("nan"))) == ("0.034", "< 0.001", "p = n/a")


def test_column_words_are_the_english_fallback():
    """In English a canonical column's header is what any identifier shows (underscores as
    spaces), so adding it to COLUMN_WORDS changes no English table."""
    assert {name: word for name, word in COLUMN_WORDS.items() if word != name.replace("_", " ")} == {}


def _texts(ax) -> list[str]:
    legend = ax.get_legend()
    return (
        [ax.get_title(loc="left"), ax.get_xlabel(), ax.get_ylabel()]
        + [t.get_text() for t in ax.texts]
        + [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        + ([t.get_text() for t in legend.get_texts()] if legend else [])
    )


def test_figures_in_danish():
    """A figure drawn in Danish: title, axis labels, legend and annotations translated, tick
    numbers with a decimal comma, months and journey stages in Danish."""
    feedback = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    with i18n.language("da"):
        ax = cx.plot_nps_trend(cx.kpi_trend(feedback, "nps"))
        ax.figure.canvas.draw()
        texts = _texts(ax)
        assert ax.get_ylabel() == "NPS (−100 til 100)"
        assert ax.get_title(loc="left") == "NPS pr. måned, med 95\u00a0%-konfidensbånd"
        assert ax.get_xticklabels()[-1].get_text() == "okt. 2026"
        assert [t.get_text() for t in ax.texts] == ["-13,4"]
        assert english_left(" ".join(texts)) == []
        plt.close(ax.figure)

        scores = pd.DataFrame({"journey_stage": ["decision", "awareness"] * 40, "csat": [2, 4, 3, 5, 4, 4, 1, 3] * 10})
        ax = cx.plot_stages(cx.compare_stages(scores, metric="csat"))
        ax.figure.canvas.draw()
        assert [t.get_text() for t in ax.get_xticklabels()] == ["kendskab", "beslutning"]
        assert ax.get_title(loc="left") == "CSAT pr. fase i kunderejsen"
        assert all("." not in t.get_text() for t in ax.get_yticklabels())  # 2,5 not 2.5
        assert english_left(" ".join(_texts(ax))) == []
        plt.close(ax.figure)
    ax = cx.plot_nps_trend(cx.kpi_trend(feedback, "nps"))  # English as before
    assert ax.get_xticklabels()[-1].get_text() == "Oct 2026" and [t.get_text() for t in ax.texts] == ["-13.4"]
    plt.close(ax.figure)
