"""Safe display: untrusted text is escaped everywhere; figures carry alt text; $ is not LaTeX."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.display import figure, findings, table
from cxkit.plots import new_axes


def test_table_escapes_cells_headers_and_caption_and_masks_pii():
    df = pd.DataFrame({"<b>segment</b>": ["<script>alert(1)</script>", "a@b.com"], "share": [0.1234, None]})
    html = cx.table(df, caption="<i>cap</i>", percent=["share"])._repr_html_()
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;segment&lt;/b&gt;" in html
    assert "a@b.com" not in html and "[email]" in html and "12.3%" in html


def test_table_truncates_and_counts_omitted_rows():
    df = pd.DataFrame({"text": ["x" * 500] * 60})
    html = cx.table(df, max_rows=5, max_chars=20)._repr_html_()
    assert html.count("<tr>") == 6 and "55 more rows not shown" in html and "x" * 21 not in html


def test_findings_are_text_not_markdown():
    html = cx.findings(["**bold** [x](javascript:alert(1)) $x^2$", "<img src=x onerror=alert(1)>"]).html
    assert "<strong>" not in html and "<a " not in html and "<img" not in html
    assert "**bold**" in html and "&lt;img" in html


def test_figure_needs_alt_text_and_keeps_it():
    ax = new_axes()
    ax.set_title("Price rose from $5 to $10")  # mathtext off: no parse error
    with pytest.raises(ValueError, match="alt text"):
        cx.figure(ax.figure, alt=" ")
    ax = new_axes()
    ax.bar(["$a", "b$"], [1, 2])
    image = cx.figure(ax.figure, alt="Support is the largest driver; mail x@y.com")
    assert image.data[:4] == b"\x89PNG" and image.metadata["alt"] == "Support is the largest driver; mail [email]"


def _outputs_of(*values):
    """Code-cell outputs as a kernel would store them for ``display(value)``."""
    import nbformat
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    outputs = []
    for value in values:
        data, metadata = formatter.format(value)
        outputs.append(nbformat.v4.new_output("display_data", data=data, metadata=metadata))
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=outputs)])


def test_report_keeps_html_only_from_outputs_cxkit_built():
    from IPython.display import HTML

    from cxkit.pack.export import SanitizeOutputs

    hostile = '<b class="xss">bold</b> <a href="index.html">link</a>'
    df = pd.DataFrame({"segment": [hostile]})
    nb, _ = SanitizeOutputs().preprocess(
        _outputs_of(
            cx.table(df),  # cxkit's own table: kept as HTML, the cell escaped
            HTML(hostile),  # raw HTML from anywhere else: shown as text
            df.style,  # a Styler does not escape cells: shown as text
        ),
        {},
    )
    table, raw, styler = (o["data"] for o in nb.cells[0].outputs)
    assert "<table" in table["text/html"] and "&lt;b class=" in table["text/html"]
    assert "text/html" not in raw and "bold" in raw["text/plain"] and "<b" not in raw.get("text/html", "")
    assert "text/html" not in styler


# ---------------------------------------------------------------------- one format per kind


def test_p_values_have_two_significant_digits_and_never_read_zero():
    df = pd.DataFrame(
        {
            "p": [0.0, 0.00049, 0.0344, 0.0496, 0.4916, 1.0, float("nan")],
            "p_adjusted": [1e-12, 0.001, 0.01049, 0.05, 0.951, 0.999, 0.5],
            "p_adjusted_max": [0.2] * 7,
            "success_p": [0.031] * 7,
        }
    )
    out = cx.presentable(df)
    assert list(out["p"]) == ["< 0.001", "< 0.001", "0.034", "0.05", "0.49", "1", ""]
    assert list(out["p (adjusted)"]) == ["< 0.001", "0.001", "0.01", "0.05", "0.95", "1", "0.5"]
    assert set(out["largest p (adjusted)"]) == {"0.2"} and set(out["success p"]) == {"0.031"}


def test_shares_changes_and_zero_never_show_a_minus_or_three_decimals():
    df = pd.DataFrame(
        {
            "share": [1.0, 0.26503, 0.0, -0.00001],
            "change": [0.0071, -0.0001, -0.012, 0.0],
            "nps_change": [6.56, -0.04, -13.4, 0.0],
            "value": [-0.0004, 3.5, 12.0, 2.0],
        }
    )
    out = cx.presentable(df, percent=["share"], pp=["change"], signed=["nps_change"])
    assert list(out["share"]) == ["100%", "26.5%", "0%", "0%"]
    assert list(out["change"]) == ["+0.7 pp", "0.0 pp", "-1.2 pp", "0.0 pp"]
    assert list(out["nps change"]) == ["+6.6", "0.0", "-13.4", "0.0"]
    assert list(out["value"]) == ["0.0", "3.5", "12.0", "2.0"]


def test_confidence_limits_join_into_one_column_in_the_estimates_format():
    df = pd.DataFrame(
        {
            "driver": ["price"],
            "share": [0.265],
            "ci_low": [0.2407],
            "ci_high": [0.2836],
            "change": [0.0071],
            "change_ci_low": [-0.0211],
            "change_ci_high": [0.039],
            "odds_ratio": [2.4631],
            "or_ci_low": [2.188],
            "or_ci_high": [2.772],
        }
    )
    out = cx.presentable(df, percent=["share"], pp=["change"], digits=3)
    assert list(out.columns) == ["driver", "share", "95% CI", "change", "change 95% CI", "odds ratio", "or 95% CI"]
    row = out.iloc[0]
    assert row["95% CI"] == "24.1% to 28.4%" and row["change 95% CI"] == "-2.1 pp to +3.9 pp"
    assert row["odds ratio"] == "2.46" and row["or 95% CI"] == "2.19 to 2.77"  # ratios: two decimals everywhere
    assert list(cx.presentable(df, ci_level=None).columns)[2:4] == ["ci low", "ci high"]


def test_headers_and_jargon_in_words_but_names_from_data_untouched():
    df = pd.DataFrame(
        {
            "term": ["Intercept", "segment[T.Enterprise]", "C(region)[T.Norway]", "tenure_months"],
            "effect": ["omega2", "epsilon2", "mcfadden_r2", "other"],
            "df1": [4.0] * 4,
            "product_quality": [1] * 4,
            "Ved ikke <b>": [1] * 4,
        }
    )
    out = cx.presentable(df)
    assert list(out["term"]) == ["baseline (intercept)", "segment: Enterprise", "region: Norway", "tenure_months"]
    assert (
        out["effect-size measure"].iloc[0] == "ω² (share of variance)" and out["effect-size measure"].iloc[3] == "other"
    )
    assert "df (between groups)" in out and "product quality" in out and "Ved ikke <b>" in out


def test_table_wraps_wide_tables_and_marks_numbers():
    df = pd.DataFrame({"segment": ["a"], "n": [1200], "value": [0.5], "ci_low": [0.4], "ci_high": [0.6]})
    html = cx.table(df).html
    assert html.startswith(
        '<div class="cx-table-wrap" tabindex="0" role="region" aria-label="table"><table class="cx-table">'
    )
    assert '<td class="num">1,200</td>' in html and '<td class="num">0.4 to 0.6</td>' in html
    assert '<th scope="col">95% CI</th>' in html and "<td>a</td>" in html


def test_report_pages_leave_out_sections_that_show_nothing():
    import nbformat

    from cxkit.pack.export import DropEmptySections

    v4 = nbformat.v4
    shown = v4.new_output("display_data", data={"text/plain": "1"})
    nb = v4.new_notebook(
        cells=[
            v4.new_markdown_cell("# Title"),
            v4.new_code_cell("setup()"),  # kept: the title
            v4.new_markdown_cell("## 1. Table"),
            v4.new_code_cell("t", outputs=[shown]),  # kept: shows a table
            v4.new_markdown_cell("## 2. Note only"),  # kept: no code at all
            v4.new_markdown_cell("## 3. Results for the pack"),
            v4.new_code_cell("save()"),  # dropped: shows nothing
        ]
    )
    kept = [c.source for c in DropEmptySections().preprocess(nb, {})[0].cells]
    assert kept == ["# Title", "setup()", "## 1. Table", "t", "## 2. Note only"]


def test_section_numbers_leave_no_gap_where_a_section_was_left_out():
    """A section left out (no breakdowns in the catalog) left "12. Example reviews" followed by
    "14. Which theme list" on the review page; the headings are numbered in the reader's order."""
    import nbformat

    from cxkit.pack.export import REPORT_PASSES, DropEmptySections, FindingsFirst, NumberSections

    assert REPORT_PASSES[-1] is NumberSections  # after the passes that drop and move sections
    v4 = nbformat.v4
    shown = v4.new_output("display_data", data={"text/plain": "1"})
    findings = v4.new_markdown_cell("## Findings")
    findings.metadata["tags"] = ["findings"]
    nb = v4.new_notebook(
        cells=[
            v4.new_markdown_cell("# Title\n\n## 9. not a heading line? it is: renumbered"),
            v4.new_markdown_cell("## 1. Headline\n\nText with 3. a number"),
            v4.new_code_cell("a", outputs=[shown]),
            v4.new_markdown_cell("## 2. Sentiment by breakdown"),
            v4.new_code_cell("b"),  # shows nothing: left out
            v4.new_markdown_cell("## 3. Trombe-l'œil 12. words\n### 4. a sub-heading keeps its number"),
            v4.new_code_cell("c", outputs=[shown]),
            findings,
            v4.new_code_cell("f", outputs=[shown]),
        ]
    )
    for step in (DropEmptySections, FindingsFirst, NumberSections):
        nb, _ = step().preprocess(nb, {})
    headings = [
        line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines() if line.startswith("#")
    ]
    assert headings == [
        "# Title",
        "## 1. not a heading line? it is: renumbered",
        "## Findings",
        "## 2. Headline",
        "## 3. Trombe-l'œil 12. words",
        "### 4. a sub-heading keeps its number",
    ]
    headline = next(c.source for c in nb.cells if "Headline" in c.source)
    assert headline.endswith("Text with 3. a number")  # only the heading's own number changes


def test_report_pages_show_tagged_findings_first():
    import nbformat

    from cxkit.pack.export import FindingsFirst

    v4 = nbformat.v4
    heading = v4.new_markdown_cell("## Findings", metadata={"tags": ["findings"]})
    shown = v4.new_code_cell("cx.findings(found)", metadata={"tags": ["findings"]})
    nb = v4.new_notebook(
        cells=[
            v4.new_markdown_cell("# Churn"),
            v4.new_markdown_cell("## 1. Rate"),
            v4.new_code_cell("rate"),
            heading,
            shown,
            v4.new_code_cell("save()"),
        ]
    )
    order = [c.source for c in FindingsFirst().preprocess(nb, {})[0].cells]
    assert order == ["# Churn", "## Findings", "cx.findings(found)", "## 1. Rate", "rate", "save()"]


# -- nothing broken reaches a reader (issue 23, Deliver 2) --------------------------------


def test_an_empty_or_blank_table_is_a_sentence_not_an_empty_table():
    from cxkit.display import Unavailable

    empty = table(pd.DataFrame({"month": [], "rate": []}), caption="Monthly churn rate")
    assert isinstance(empty, Unavailable) and "<table" not in empty.html
    assert empty.text == "Not shown: there is nothing to list in “Monthly churn rate” from the data at hand."
    blank = table(pd.DataFrame({"a": [np.nan, None], "b": [pd.NA, np.nan]}, dtype=object))
    assert isinstance(blank, Unavailable)
    assert not isinstance(table(pd.DataFrame({"a": [np.nan, 1.0]})), Unavailable)


def test_a_figure_without_data_is_a_sentence_and_is_closed():
    import matplotlib.pyplot as plt

    from cxkit.display import Unavailable

    fig, ax = plt.subplots()
    ax.set_title("Sentiment by source")
    shown = figure(fig, alt="Sentiment by source")
    assert isinstance(shown, Unavailable) and not plt.fignum_exists(fig.number)
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    assert not isinstance(figure(fig, alt="a line"), Unavailable)


@pytest.mark.parametrize(
    "sentence",
    [
        "CSAT (nan) comes from a small sample (n = 0).",
        "Sentiment moved from nan to nan.",
        "The share is nan% to nan%.",
        "No  differs significantly from the rest.",
        "Churn fell in NaT.",
        "Value <NA> this month.",
        "Churn is {rate:.1%} this month.",
        "The top driver is () this month.",
    ],
)
def test_a_broken_finding_is_left_out_with_a_warning(sentence):
    from cxkit.errors import PresentationWarning

    with pytest.warns(PresentationWarning, match="left out"):
        shown = findings(["NPS is 19.4 (95% CI 15.7 to 23.1).", sentence])
    assert shown.html.count("<li>") == 1 and "19.4" in shown.html


def test_sound_findings_are_kept_without_warnings():
    import warnings

    good = [
        "None of the 8 drivers changed significantly (adjusted p = 0.41).",
        "NPS rose 6.6 points from 12.9 in 2026-09; not significant (adjusted p = 0.11).",
        "Reviews that mention delivery give 0.9 fewer stars on average (95% CI 0.7 to 1.1).",
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert findings(good).html.count("<li>") == 3


def test_a_cell_that_formats_a_missing_value_is_blank():
    from cxkit.errors import PresentationWarning

    with pytest.warns(PresentationWarning):
        t = table(pd.DataFrame({"kpi": ["CSAT"], "95% CI": ["nan to nan"], "value": [3.5]}))
    assert "nan" not in t.html and "3.5" in t.html
