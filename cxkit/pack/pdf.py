"""The whole pack as one PDF for the inbox (issue 28): ``cxkit report --pdf``.

The pack's pages are joined into one HTML document (the index first, then each analysis page
in the index's order, then the appendix), each page starting on a new sheet; every link between
pages becomes a link inside the document, so the PDF's links work. Headless Chromium, the
browser the project installs for its browser tests (Debian package ``chromium``), prints it
offline: the pages allow no scripts and no remote requests, and Chromium runs with its network
features off.

Examples
--------
>>> page_key("appendix/how_to_read.html")
'appendix-how_to_read'
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urldefrag

from .. import i18n
from ..errors import PdfError

__all__ = ["chromium", "page_key", "pack_pages", "write_pdf"]


#: Chromium's switches for printing offline: no GPU, sandbox (it runs as root in containers),
#: first-run screens, background networking, component updates or sync.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--no-pdf-header-footer",
    "--generate-pdf-document-outline",
)

#: Styles the joined document adds: A4 sheets, each page on a new sheet, tables and figures
#: whole where they fit, headings kept with what follows them.
_PRINT_CSS = """
@page { size: A4; margin: 14mm 12mm; }
.cx-pdf-page { break-before: page; }
.cx-pdf-page:first-of-type { break-before: auto; }
.cx-pdf-page .cx-nav { display: none; }
.jp-RenderedImage, .cx-kpi, .cx-note, .cx-table-wrap, figure { break-inside: avoid; }
h1, h2, h3, h4, caption { break-after: avoid; }
"""


def chromium() -> str:
    """The Chromium (or Chrome) program to print with: ``CXKIT_CHROMIUM``, else the first of
    chromium, chromium-browser, google-chrome on the PATH; :class:`PdfError` saying how to
    install it otherwise."""
    wanted = os.environ.get("CXKIT_CHROMIUM")
    if wanted:
        found = shutil.which(wanted)
        if found:
            return found
        raise PdfError(f"CXKIT_CHROMIUM={wanted!r} is not a program; point it at Chromium or Chrome, or unset it.")
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "--pdf needs Chromium to print the pack, and none was found: install it with "
        "`sudo apt-get install chromium` (or `sudo make system-deps`), or set CXKIT_CHROMIUM to its path."
    )


def page_key(path: str) -> str:
    """The anchor of a pack page in the joined document (``appendix/x.html`` -> ``appendix-x``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", path[: -len(".html")] if path.endswith(".html") else path)


def _links(html: str) -> list[str]:
    return re.findall(r'href="([^"#]+\.html)(?:#[^"]*)?"', html)


def pack_pages(folder: Path) -> list[str]:
    """The pack's pages in reading order, as paths inside ``folder``: the index, the analysis
    pages in the order the index links them, then the appendix's pages in the order they are
    linked (any page not linked last)."""
    order: list[str] = []
    queue = ["index.html"]
    while queue:
        page = queue.pop(0)
        if page in order or not (folder / page).is_file():
            continue
        order.append(page)
        base = posixpath.dirname(page)
        for href in _links((folder / page).read_text(encoding="utf-8")):
            target = posixpath.normpath(posixpath.join(base, href))
            if not target.startswith("..") and target not in order and target not in queue:
                queue.append(target)
    rest = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
    order += [p for p in rest if p not in order and not p.startswith("_")]
    # the index, the analysis pages, then the appendix (each in the order the pages link them)
    return [p for p in order if "/" not in p] + [p for p in order if "/" in p]


def _joined(folder: Path, pages: list[str], title: str) -> str:
    """One HTML document of ``pages``: ids made unique per page, links pointed inside."""
    from bs4 import BeautifulSoup

    styles: list[str] = []
    sections: list[str] = []
    lang = "en"
    for page in pages:
        soup = BeautifulSoup((folder / page).read_text(encoding="utf-8"), "html.parser")
        if soup.html is not None and soup.html.get("lang"):
            lang = str(soup.html.get("lang"))
        for style in soup.find_all("style"):
            text = style.get_text()
            if text not in styles:
                styles.append(text)
        body = soup.body
        if body is None:
            continue
        key = page_key(page)
        base = posixpath.dirname(page)
        for tag in body.find_all(id=True):
            tag["id"] = f"{key}--{tag['id']}"
        for tag in body.find_all("a", href=True):
            href = str(tag["href"])
            if re.match(r"^[a-z][a-z0-9+.-]*:", href):  # http(s), mailto: kept as they are
                continue
            target, fragment = urldefrag(href)
            if not target:
                tag["href"] = f"#{key}--{fragment}" if fragment else f"#{key}"
                continue
            path = posixpath.normpath(posixpath.join(base, target))
            if path in pages:
                tag["href"] = f"#{page_key(path)}--{fragment}" if fragment else f"#{page_key(path)}"
        attributes = " ".join(
            f'{name}="{value if isinstance(value, str) else " ".join(value)}"'
            for name, value in body.attrs.items()
            if name == "class" or name.startswith("data-")
        )
        inner = body.decode_contents()  # markup as it is (str() of a comment would show its text)
        sections.append(f'<section class="cx-pdf-page" id="{key}"><div {attributes}>{inner}</div></section>')
    # The pages style their <body> (body.cx-report main {...}); here each page's body is a div.
    css = "\n".join(re.sub(r"\bbody(\.cx-(?:report|index))", r"\1", s) for s in styles) + _PRINT_CSS
    from html import escape

    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
        "style-src 'unsafe-inline'; font-src data:\">\n"
        f"<title>{escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )


def write_pdf(
    folder: str | Path, path: str | Path | None = None, *, month: str = "", title: str = "", timeout: float = 300
) -> Path:
    """Print the pack in ``folder`` (``reports/YYYY-MM``) as one PDF, ``path`` (default
    ``folder/pack-<month>.pdf``). Returns its path.

    ``month`` (default the folder's name) and ``title`` (default: "Monthly pack <month>" in the
    report language) name the PDF.
    """
    folder = Path(folder)
    program = chromium()
    month = month or folder.name
    pages = pack_pages(folder)
    if not pages:
        raise PdfError(f"{folder}: no pack pages (index.html) to print.")
    title = title or i18n.tr("Monthly pack {month}", month=i18n.month(month))
    out = Path(path) if path is not None else folder / f"pack-{month}.pdf"
    with tempfile.TemporaryDirectory(prefix="cxkit-pdf-") as tmp:
        source = Path(tmp) / "pack.html"
        source.write_text(_joined(folder, pages, title), encoding="utf-8")
        printed = Path(tmp) / "pack.pdf"
        command = [
            program,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={printed}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium did not finish printing {folder} within {timeout:.0f} s.") from None
        if not printed.is_file() or printed.stat().st_size == 0:
            said = [ln for ln in (done.stderr or "").splitlines() if ln.strip() and "unexpected operator" not in ln]
            raise PdfError(
                f"Chromium ({program}) could not print {folder} (exit {done.returncode})"
                + (f": {said[-1][:300]}" if said else "")
                + "."
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(printed), out)
    return out
