"""Safe display of results in notebooks and the HTML reports.

Everything a report shows passes through here, so untrusted text from data (review texts,
comments, segment and touchpoint names, column names) is always rendered as *text*: HTML
escaped, never interpreted as HTML, Markdown or LaTeX, with emails and phone numbers masked.

- :func:`table` shows a DataFrame (escaped cells and headers, PII masked, rounded for reading
  only: the DataFrame itself is not changed).
- :func:`findings` shows plain-language findings as an escaped bullet list.
- :func:`figure` shows a matplotlib figure as an embedded PNG with alt text that states its
  finding (the report template puts it in the ``alt`` attribute).

Examples
--------
>>> import pandas as pd
>>> html = table(pd.DataFrame({"segment": ["<script>alert(1)</script>"], "nps": [12.345]}))._repr_html_()
>>> "<script>" in html, "&lt;script&gt;" in html, "12.3" in html
(False, True, True)
"""

from __future__ import annotations

import io
from html import escape

import numpy as np
import pandas as pd

from .privacy import mask_pii

__all__ = ["table", "findings", "figure", "SafeHTML", "SafeDisplay", "safe_text"]


#: Output metadata that marks HTML built here from escaped parts. The report keeps the HTML of
#: marked outputs only; any other HTML output (a DataFrame's own repr, a library's widget, an
#: ``IPython.display.HTML`` built from data) is shown as its plain-text form instead. Data
#: cannot set output metadata, so this is the one path by which markup reaches a page.
SAFE_MARK = {"cxkit": "escaped"}


class SafeHTML:
    """HTML that cxkit built itself from escaped parts; displays in notebooks and reports.

    Build it only from :func:`safe_text` parts and literal markup; the report trusts it.
    """

    def __init__(self, html: str, text: str = ""):
        self.html = html
        self.text = text

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self.html, "text/plain": self.text or self.html}
        return data, {"text/html": dict(SAFE_MARK)}

    def __repr__(self) -> str:
        return self.text or self.html


class SafeDisplay:
    """Mixin for result objects whose ``_repr_html_`` is built only from :func:`table`,
    :func:`findings`, :func:`figure` or :func:`safe_text` parts: their HTML carries
    :data:`SAFE_MARK`, so the report keeps it as markup."""

    def _repr_html_(self) -> str:  # pragma: no cover - each class defines its own
        raise NotImplementedError

    def _repr_mimebundle_(self, include=None, exclude=None):
        return SafeHTML(self._repr_html_(), text=repr(self))._repr_mimebundle_(include, exclude)


def safe_text(value: object, *, max_chars: int | None = None) -> str:
    """Text from data, ready to place in HTML: PII masked, truncated, escaped.

    >>> safe_text('<img src=x onerror="alert(1)"> mail me@example.com', max_chars=60)
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt; mail [email]'
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = mask_pii(str(value))
    if max_chars is not None and len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return escape(text, quote=True)


def _format_cell(value, digits: int) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        return f"{value:,.{digits}f}"
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def table(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    digits: int = 1,
    max_rows: int = 50,
    max_chars: int = 300,
    index: bool = False,
    percent: list[str] | tuple[str, ...] = (),
) -> SafeHTML:
    """Render a DataFrame as an escaped HTML table for notebooks and reports.

    Parameters
    ----------
    df : DataFrame
        Any table; cell text and column names are treated as untrusted.
    caption : str, optional
        Shown above the table (escaped too).
    digits : int
        Decimals shown for floats (display only).
    max_rows : int
        Rows shown; the caption says how many were left out.
    max_chars : int
        Longer cell texts are truncated with an ellipsis.
    index : bool
        Show the index as the first column.
    percent : list of str
        Columns holding shares in 0..1, shown as percentages.
    """
    shown = df.reset_index() if index else df
    omitted = max(len(shown) - max_rows, 0)
    shown = shown.head(max_rows)
    head = "".join(f"<th>{safe_text(c, max_chars=max_chars)}</th>" for c in shown.columns)
    body = []
    for row in shown.itertuples(index=False):
        cells = []
        for col, value in zip(shown.columns, row):
            if col in percent and isinstance(value, (float, np.floating)) and not np.isnan(value):
                text = f"{100 * value:.{digits}f}%"
            else:
                text = _format_cell(value, digits)
            numeric = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            cls = ' class="num"' if numeric else ""
            cells.append(f"<td{cls}>{safe_text(text, max_chars=max_chars)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = f" ({omitted:,} more rows not shown)" if omitted else ""
    cap = f"<caption>{safe_text(caption or '')}{escape(note)}</caption>" if (caption or note) else ""
    html = (f'<table class="cx-table">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")
    return SafeHTML(html, text=shown.to_string(index=False, max_colwidth=60))


def findings(items: list[str] | str, *, title: str | None = None) -> SafeHTML:
    """Plain-language findings as an escaped bullet list (never Markdown).

    >>> findings(["NPS fell 12 points (p < 0.001)", "*not bold*"]).html
    '<ul class="cx-findings"><li>NPS fell 12 points (p &lt; 0.001)</li><li>*not bold*</li></ul>'
    """
    if isinstance(items, str):
        items = [items]
    lis = "".join(f"<li>{safe_text(item)}</li>" for item in items)
    head = f"<h3>{safe_text(title)}</h3>" if title else ""
    return SafeHTML(f'{head}<ul class="cx-findings">{lis}</ul>', text="\n".join(f"- {i}" for i in items))


def figure(fig, *, alt: str, dpi: int = 100):
    """Show a matplotlib figure as a PNG with ``alt`` text, and close it.

    ``alt`` should state the figure's finding ("NPS fell from 34 to 22 in August"), not its
    type. Returns an ``IPython.display.Image`` (displayed when it is a cell's last value).
    """
    from IPython.display import Image

    if not alt or not alt.strip():
        raise ValueError("figure needs alt text that states its finding, e.g. alt='Support is the largest driver'.")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return Image(data=buffer.getvalue(), format="png", metadata={"alt": mask_pii(alt)})
