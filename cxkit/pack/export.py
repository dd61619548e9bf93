"""Export an executed pack notebook as one self-contained, safe HTML page.

nbconvert's :class:`~nbconvert.HTMLExporter` renders the page with the house template
(``templates/cxkit_report``: no code, no scripts, no remote requests). Four preprocessors,
registered on the exporter, shape the notebook first, in this order:

1. :class:`SanitizeOutputs`: outputs reduced to what is safe to show (every page);
2. :class:`DropEmptySections`: sections whose code shows nothing are left out;
3. :class:`FindingsFirst`: the cells tagged ``findings`` move to just after the title;
4. :class:`NumberSections`: the numbered headings are numbered again, with no gap.

A failed notebook (kept under ``reports/_failed/<run-id>/``) is shown whole, with its code:
its page gets the first pass only.

Examples
--------
>>> import nbformat
>>> v4 = nbformat.v4
>>> nb = v4.new_notebook(cells=[v4.new_markdown_cell("# Title"),
...                             v4.new_markdown_cell("## Results for the pack"), v4.new_code_cell("save()")])
>>> nb, _ = DropEmptySections().preprocess(nb, {})
>>> [c.source for c in nb.cells]
['# Title']
"""

from __future__ import annotations

import re
import threading
from html import unescape as html_unescape
from pathlib import Path
from typing import Any

import bleach
import nbformat
from bleach.css_sanitizer import CSSSanitizer
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

from .. import i18n
from ..display import SAFE_MARK
from ..privacy import mask_pii

__all__ = ["SanitizeOutputs", "DropEmptySections", "FindingsFirst", "NumberSections", "export_html", "sanitize_html"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_CSS = TEMPLATES_DIR / "cxkit.css"


# --------------------------------------------------------------------------- sanitising outputs

# Why not nbconvert's own SanitizeHTML preprocessor: its defaults are bleach's, twelve inline
# tags (no tables, headings or images) and no data: URLs, so cxkit's tables would lose their
# markup; and beyond the lists, it would sanitise the notebook's own Markdown cells (bleach
# escapes ">" and so breaks Markdown quotes), keep LaTeX (rendered by MathJax, a script), keep
# stderr, and keep any HTML an output brings once sanitised, where the pack shows only the HTML
# cxkit built (SAFE_MARK) and shows the rest as text. Overriding all of that would leave only
# its name, so the rules below are ours; the markup itself is cleaned by bleach, as SanitizeHTML
# does, with bleach's CSS sanitiser and its default CSS properties.

#: The markup cxkit's own tables, findings and notes use (cxkit.display).
ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "col",
        "colgroup",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "*": ["class", "title", "colspan", "rowspan", "style"],
    "img": ["src", "alt", "width", "height"],
    "a": ["href"],
    "div": ["class", "title", "style", "tabindex", "role", "aria-label"],
    "th": ["class", "title", "colspan", "rowspan", "style", "scope"],
}
#: data: for embedded images; http(s) links pass bleach and are then pointed inside the pack.
ALLOWED_PROTOCOLS = frozenset({"data", "https", "http"})

#: Output types that are code, or that a browser would turn into markup or run: dropped.
#: Untrusted Markdown is kept as text (its text/plain) rather than rendered.
_DROPPED_TYPES = (
    "application/javascript",
    "text/latex",
    "application/vnd.jupyter.widget-view+json",
    "image/svg+xml",
    "text/markdown",
)

#: Python's default repr ("<IPython.core.display.HTML object>", "<pandas...Styler at 0x7f...>").
_DEFAULT_REPR = re.compile(r"<[\w.]+ (object|object at 0x[0-9a-f]+)>")


def sanitize_html(html: str) -> str:
    """Output HTML from a notebook, reduced to inert markup (tables, text, data: images).

    >>> sanitize_html('<a href="https://example.com" onclick="x()">x</a><script>y()</script>')
    '<a href="#">x</a>y()'
    """
    clean = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        css_sanitizer=CSSSanitizer(),
    )
    # Stricter than any protocol allow-list can say (bleach checks the scheme, not which attribute
    # carries it): images may only be embedded data, links may only point inside the pack. The
    # attribute stays, emptied, where a bleach attribute filter would drop it.
    clean = re.sub(r'<img([^>]*?)src="(?!data:image/(png|jpeg|gif);base64,)[^"]*"', r'<img\1src=""', clean)
    clean = re.sub(r'href="(?!#|[\w\-]+\.html)[^"]*"', 'href="#"', clean)
    return clean


def _html_to_text(html: str) -> str:
    """The visible text of an HTML fragment (for HTML outputs that carry no text form)."""
    return html_unescape(bleach.clean(html, tags=set(), strip=True, strip_comments=True))


class SanitizeOutputs(Preprocessor):  # type: ignore[misc]  # nbconvert is not followed: Any
    """Drop code-only output types and sanitise HTML: no display path can inject markup.

    Code cells only: Markdown cells are the notebook's own text. In each output,

    - stderr is dropped (warnings and logs belong in the run log, not in the report);
    - JavaScript, LaTeX, widgets, SVG and Markdown are dropped (Markdown kept as its text);
    - HTML that cxkit built (marked with :data:`cxkit.display.SAFE_MARK`) is sanitised again
      (:func:`sanitize_html`); HTML from anywhere else is shown as its text form, never as markup;
    - text shown as text (stdout, text-only results) has its personal data masked
      (:func:`cxkit.mask_pii`).
    """

    def preprocess_cell(
        self, cell: nbformat.NotebookNode, resources: dict[str, Any], index: int
    ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code":
            cell["outputs"] = [out for out in cell.get("outputs", []) if self.sanitize_output(out)]
        return cell, resources

    def sanitize_output(self, output: nbformat.NotebookNode) -> bool:
        """Sanitise ``output`` in place; False when nothing of it may be shown."""
        if output.get("output_type") == "stream":
            if output.get("name") == "stderr":
                return False
            output["text"] = mask_pii(output.get("text", ""))
            return True
        data = output.get("data")
        if data is None:  # an error's traceback: text only, masked like any other text
            if output.get("output_type") == "error":
                output["evalue"] = mask_pii(output.get("evalue", ""))
                output["traceback"] = [mask_pii(line) for line in output.get("traceback", [])]
            return True
        for mime in _DROPPED_TYPES:
            if mime in data:
                text = data.pop(mime)
                if mime == "text/markdown" and "text/plain" not in data:
                    data["text/plain"] = text
        if "text/html" in data:
            marked = (output.get("metadata") or {}).get("text/html", {}).get("cxkit") == SAFE_MARK["cxkit"]
            if marked:  # built by cxkit.display from escaped parts; sanitised again all the same
                data["text/html"] = sanitize_html(data["text/html"])
            else:
                html = data.pop("text/html")
                plain = data.get("text/plain", "")
                if not plain or _DEFAULT_REPR.fullmatch(plain.strip()):  # "<...HTML object>" says nothing
                    data["text/plain"] = _html_to_text(html)
        if "text/plain" in data and not any(k in data for k in ("text/html", "image/png", "image/jpeg")):
            data["text/plain"] = mask_pii(data["text/plain"])
        return bool(data)


# --------------------------------------------------------------------------- shaping the page


class DropEmptySections(Preprocessor):  # type: ignore[misc]  # nbconvert is not followed: Any
    """Leave out a section (a Markdown cell and the code cells after it) whose code shows
    nothing, such as the cell that only saves results: a reader never meets an empty heading.
    The first section (the title) and sections without code are kept."""

    def preprocess(
        self, nb: nbformat.NotebookNode, resources: dict[str, Any]
    ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
        sections: list[list] = []
        for cell in nb.cells:
            if cell.cell_type == "markdown" or not sections:
                sections.append([])
            sections[-1].append(cell)

        def shown(section: list[nbformat.NotebookNode]) -> bool:
            code = [c for c in section if c.cell_type == "code"]
            return not code or any(c.get("outputs") for c in code)

        nb.cells = [cell for i, section in enumerate(sections) if i == 0 or shown(section) for cell in section]
        return nb, resources


class FindingsFirst(Preprocessor):  # type: ignore[misc]  # nbconvert is not followed: Any
    """Move the cells tagged ``findings`` (a notebook's "Findings" heading and the cell that
    shows them) to just after the title: a reader meets the findings first, while the notebook
    itself computes them last, from the sections above."""

    def preprocess(
        self, nb: nbformat.NotebookNode, resources: dict[str, Any]
    ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
        tagged = [c for c in nb.cells if "findings" in (c.get("metadata", {}).get("tags") or [])]
        if tagged and nb.cells and nb.cells[0] not in tagged:
            rest = [c for c in nb.cells if c not in tagged]
            nb.cells = rest[:1] + tagged + rest[1:]
        return nb, resources


_NUMBERED = re.compile(r"^(##[ \t]+)\d+\.(?=[ \t])", re.MULTILINE)


class NumberSections(Preprocessor):  # type: ignore[misc]  # nbconvert is not followed: Any
    """Number the page's numbered section headings (``## 7. ...``) 1, 2, 3 ... in the order the
    reader meets them: a section left out (no breakdowns named, no tenure column) leaves no gap
    ("12. Example reviews" followed by "14. Which theme list"). Unnumbered headings keep none."""

    def preprocess(
        self, nb: nbformat.NotebookNode, resources: dict[str, Any]
    ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
        number = 0

        def renumber(match: re.Match[str]) -> str:
            nonlocal number
            number += 1
            return f"{match.group(1)}{number}."

        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = _NUMBERED.sub(renumber, cell.source)
        return nb, resources


# --------------------------------------------------------------------------- the exporter

#: The passes of a report page, in order; a failed notebook shown with its code gets the first.
REPORT_PASSES = (SanitizeOutputs, DropEmptySections, FindingsFirst, NumberSections)
EVIDENCE_PASSES = (SanitizeOutputs,)

_EXPORTERS = threading.local()


def _exporter(show_code: bool) -> HTMLExporter:
    """This thread's HTML exporter: building one compiles its ten Jinja templates (0.13 s),
    so each runner thread keeps its own (an exporter is not shared between threads)."""
    cache = _EXPORTERS.__dict__.setdefault("by_show_code", {})
    if show_code not in cache:
        exporter = HTMLExporter(
            template_name="cxkit_report",
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            exclude_input=not show_code,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        )
        for step in EVIDENCE_PASSES if show_code else REPORT_PASSES:
            exporter.register_preprocessor(step, enabled=True)
        cache[show_code] = exporter
    return cache[show_code]


def export_html(
    nb: nbformat.NotebookNode, path: Path, *, title: str, month: str, footer: str, show_code: bool = False
) -> None:
    """Write ``nb`` as one self-contained HTML file with the house template; ``nb`` itself is
    left as it is (the exporter works on a copy)."""
    nb = nbformat.from_dict({**nb, "metadata": {**nb.metadata, "title": title}})
    resources = {
        "cxkit_css": _CSS.read_text(),
        "cxkit_month": month,
        "cxkit_footer": footer,
        "cxkit_back": i18n.tr("Monthly pack {month}", month=i18n.month(month)),
        "cxkit_nav": i18n.tr("Report pack"),
        "cxkit_figure": i18n.tr("Figure"),
        "metadata": {"name": title},
    }
    exporter = _exporter(show_code)
    exporter.language_code = i18n.get_language()  # <html lang="...">: screen readers speak the page's language
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    path.write_text(html, encoding="utf-8")
