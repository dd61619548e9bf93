"""Safe display: untrusted text is escaped everywhere; figures carry alt text; $ is not LaTeX."""

from __future__ import annotations

import pandas as pd
import pytest

import cxkit as cx
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

    from cxkit.report import _sanitize_notebook

    hostile = '<b class="xss">bold</b> <a href="index.html">link</a>'
    df = pd.DataFrame({"segment": [hostile]})
    nb = _sanitize_notebook(_outputs_of(
        cx.table(df),                       # cxkit's own table: kept as HTML, the cell escaped
        HTML(hostile),                      # raw HTML from anywhere else: shown as text
        df.style,                           # a Styler does not escape cells: shown as text
    ))
    table, raw, styler = (o["data"] for o in nb.cells[0].outputs)
    assert "<table" in table["text/html"] and "&lt;b class=" in table["text/html"]
    assert "text/html" not in raw and "bold" in raw["text/plain"] and "<b" not in raw.get("text/html", "")
    assert "text/html" not in styler
