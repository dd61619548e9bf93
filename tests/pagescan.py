"""Scan a rendered pack page for broken output (issue 23, Deliver 2), as a reader sees it.

The page is opened in headless Chromium; a script collects what is rendered (the text of every
paragraph, list item, table cell, caption and alt text; every table's rows; what follows every
section heading) and :func:`defects` lists what a reader should never see:

- a missing value written out: ``nan``, ``NaN``, ``NaT``, ``<NA>``, ``None`` as a value, ``inf``;
- a table without rows, or whose cells are all blank;
- a section heading with nothing under it (no table, figure or sentence before the next one);
- a sentence with a missing word: two spaces inside it, a space before a comma or full stop,
  empty parentheses, or a number format left unfilled (``{:.1f}``);
- an image without alt text.
"""

from __future__ import annotations

import re

#: Collects the rendered page; runs in the browser (see :func:`scan`).
COLLECT = r"""
() => {
  const text = (el) => (el.textContent || "").replace(/\u00a0/g, " ").replace(/\n+/g, " ").trim();
  const blocks = [];
  for (const el of document.querySelectorAll("p, li, td, th, caption, figcaption, h1, h2, h3, h4, .cx-note, .cx-unavailable, pre")) {
    if (el.closest("style, script, .jp-InputArea pre")) continue;
    blocks.push({tag: el.tagName.toLowerCase(), text: text(el)});
  }
  for (const img of document.querySelectorAll("img")) {
    blocks.push({tag: "img", text: img.getAttribute("alt") || "", empty: !(img.getAttribute("alt") || "").trim()});
  }
  const tables = [];
  for (const t of document.querySelectorAll("table")) {
    const rows = [...t.querySelectorAll("tbody tr")].map(r => [...r.querySelectorAll("td, th")].map(text));
    tables.push({caption: t.caption ? text(t.caption) : (t.closest("[aria-label]")?.getAttribute("aria-label") || ""),
                 rows: rows.length, blank: rows.length > 0 && rows.every(r => r.every(c => c === "" || c === "–" || c === "-"))});
  }
  // A section heading (h2, h3) needs something after it, before the next heading of its level
  // or higher: an output (table, image, list, paragraph of an output) in the cells that follow.
  const headings = [];
  const cells = [...document.querySelectorAll(".jp-Cell")];
  const hs = [...document.querySelectorAll("h2, h3")];
  for (const h of hs) {
    const cell = h.closest(".jp-Cell");
    if (!cell) continue;
    const level = Number(h.tagName[1]);
    let found = false;
    // what follows the heading inside its own markdown cell, after the heading's own paragraph
    let el = h.nextElementSibling;
    while (el && !/^H[1-3]$/.test(el.tagName)) { if (el.matches("table, img, ul, ol") || el.querySelector("table, img")) found = true; el = el.nextElementSibling; }
    const stoppedAtHeading = !!el;
    if (!stoppedAtHeading) {
      for (let i = cells.indexOf(cell) + 1; i < cells.length && !found; i++) {
        const c = cells[i];
        const next = c.querySelector("h1, h2, h3");
        if (next && Number(next.tagName[1]) <= level) break;
        if (c.querySelector(".jp-OutputArea-child")) found = true;
      }
    }
    headings.push({text: text(h).replace(/¶$/, ""), found});
  }
  return {blocks, tables, headings};
}
"""

_MISSING = re.compile(r"(?<![\w-])(nan|NaN|NaT|<NA>|inf|-inf|Infinity)(?![\w-])|\bNone(?= *[%)\],;])|\bnan%")
_GAPS = [
    (re.compile(r"\S {2,}\S"), "two spaces inside a sentence (a missing word?)"),
    (re.compile(r"\w \.(\s|$)|\w ,"), "a space before a full stop or comma (a missing word?)"),
    (re.compile(r"\(\s*\)"), "empty parentheses"),
    (re.compile(r"\{\w*(?::[^{}\s]*)?\}"), "an unfilled format field (a {name} or {:.1f} left in the text)"),
]


def defects(seen: dict) -> list[str]:
    """The broken things on a page, from :data:`COLLECT`'s output; an empty list when clean."""
    found: list[str] = []
    for block in seen["blocks"]:
        text = block["text"]
        if block["tag"] == "img" and block.get("empty"):
            found.append("an image without alt text")
        hit = _MISSING.search(text)
        if hit:
            found.append(f"{hit.group(0)!r} in <{block['tag']}>: {text[:160]!r}")
        if block["tag"] in {"p", "li", "caption", "figcaption", "img"}:
            for pattern, what in _GAPS:
                if pattern.search(text):
                    found.append(f"{what} in <{block['tag']}>: {text[:160]!r}")
    for t in seen["tables"]:
        if t["rows"] == 0:
            found.append(f"a table without rows: {t['caption']!r}")
        elif t["blank"]:
            found.append(f"a table with only blank cells: {t['caption']!r}")
    for h in seen["headings"]:
        if not h["found"]:
            found.append(f"a heading with nothing under it: {h['text']!r}")
    return found


def scan(browser, page_path) -> list[str]:
    """Open ``page_path`` in ``browser`` (a Playwright browser) and list its defects."""
    return scan_pages(browser, [page_path])[page_path]


def scan_pages(browser, page_paths) -> dict:
    """The defects of each page of ``page_paths``, opened one after the other in one tab (each
    load is a new document; the pages run no script, so nothing carries over from one to the
    next). A context per page cost a new renderer each: 3.0 s instead of 1.7 s for a pack's six
    pages."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        found = {}
        for path in page_paths:
            page.goto(path.resolve().as_uri())
            found[path] = defects(page.evaluate(COLLECT))
        return found
    finally:
        context.close()
