"""The Danish example pack (data/examples/danish.yaml, issue 28): the sample in Danish with the
company's name, logo and accent colour on every page, accessible, and the whole pack as one PDF
whose pages, titles and links are all there."""

from __future__ import annotations

import re

import pytest
from conftest import CHROMIUM, browser_unavailable
from pagescan_i18n import sample_data_values
from test_pack_languages import check_pack

import cxkit as cx

pytestmark = [pytest.mark.slow]

CATALOG = cx.PROJECT_DIR / "data" / "examples" / "danish.yaml"


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    """The Danish pack, with its PDF when Chromium is there."""
    import shutil

    from cxkit.pack.runner import build_pack

    pdf = shutil.which("chromium") is not None or shutil.which(CHROMIUM) is not None
    return build_pack(catalog=CATALOG, out=tmp_path_factory.mktemp("pack_da"), quiet=True, pdf=pdf)


@pytest.fixture(scope="module")
def pdf_path(pack):
    found = sorted(pack.glob("pack-*.pdf"))
    if not found:
        browser_unavailable("Chromium not found: the PDF of the pack was not printed; run `make system-deps`")
    return found[0]


def test_every_page_is_danish(pack):
    check_pack("da", pack, sample_data_values(cx.SAMPLE_DIR))


def test_month_and_numbers_in_danish_on_the_index(pack):
    html = (pack / "index.html").read_text(encoding="utf-8")
    assert "oktober 2026" in html
    assert re.search(r"95\u00a0%-KI [+−-]?\d+,\d", html.replace("&nbsp;", "\u00a0")), "the interval in Danish form"


def test_every_page_carries_the_brand(pack):
    brand = cx.load_catalog(CATALOG).brand
    for page in sorted(pack.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert html.count('class="cx-brand"') == 1, page
        assert "Nordlys A/S" in html and brand.logo in html, page
        assert "--cx-accent: #0b5394" in html, page


def test_figures_lead_with_the_accent(pack):
    """The figures' first colour is the brand's accent (each notebook calls cx.set_brand)."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    html = (pack / "nps_drivers.html").read_text(encoding="utf-8")
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)"', html)
    assert images
    accent = np.array([0x0B, 0x53, 0x94])
    hits = 0
    for data in images:
        pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")).reshape(-1, 3)
        hits += int((np.abs(pixels.astype(int) - accent).max(axis=1) <= 6).sum())
    assert hits > 500, "no figure of the NPS page draws in the accent colour"


def test_branded_pages_are_accessible(pack, browser):
    """axe-core on the branded index, a report page and an appendix page: no serious or critical
    violation (colour contrast of the header bar and the accent-coloured links included)."""
    from test_pack import AXE, _visit

    if not AXE.exists():
        browser_unavailable("axe-core is not installed (npm ci --prefix tests/browser)")
    problems = []
    for page in [pack / "index.html", pack / "nps_drivers.html", pack / "appendix" / "how_to_read.html"]:
        seen = _visit(browser, page, bypass_csp=True)
        bad = [v for v in seen.get("axe", []) if v["impact"] in ("serious", "critical")]
        problems += [f"{page.name}: {v['id']} ({v['help']}) at {v['target']}" for v in bad]
    assert not problems, "\n".join(problems)


def test_pdf_has_every_page_title_and_working_links(pack, pdf_path):
    import pypdf

    reader = pypdf.PdfReader(pdf_path)
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    import unicodedata

    flat = " ".join(unicodedata.normalize("NFKC", text).split())  # NFKC: the ligatures (ﬀ, ﬁ) as letters
    titles = []
    for page in sorted(pack.rglob("*.html")):
        match = re.search(r"<h1[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S)
        if match:
            titles.append(" ".join(re.sub(r"<[^>]+>|¶", "", match.group(1)).split()))
    assert len(titles) >= 6
    from html import unescape

    missing = [t for t in titles if " ".join(unescape(t).split()) not in flat]
    assert not missing, f"page titles missing from the PDF: {missing}"
    links = [a.get_object() for p in reader.pages for a in (p.get("/Annots") or [])]
    links = [a for a in links if a.get("/Subtype") == "/Link"]
    internal = [a for a in links if "/Dest" in a or (a.get("/A") or {}).get("/S") == "/GoTo"]
    external = [(a.get("/A") or {}).get("/URI") for a in links if a not in internal]
    assert len(internal) >= 20, "links between the pack's pages became links inside the PDF"
    assert not [u for u in external if u and str(u).startswith("file:")], "a link points at a file, not inside the PDF"
    assert len(reader.pages) >= len(titles)
    assert reader.metadata.title == "Månedsrapport oktober 2026"


def test_pdf_first_page_renders_with_the_header_bar(pdf_path):
    """The first sheet, rendered: not blank, A4, the accent-coloured bar at its top."""
    import numpy as np
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf_path))
    try:
        image = document[0].render(scale=1).to_pil().convert("RGB")
    finally:
        document.close()
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.01  # A4
    pixels = np.asarray(image).astype(int)
    assert pixels.std() > 20, "the first page is blank"
    top = pixels[: height // 6].reshape(-1, 3)
    accent = np.array([0x0B, 0x53, 0x94])
    assert (np.abs(top - accent).max(axis=1) <= 8).mean() > 0.05, "no accent-coloured header bar at the top"
