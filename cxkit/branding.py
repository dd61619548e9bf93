"""The company's look on every page of the pack (issue 28): name, logo and accent colour.

The catalog's ``brand:`` section names them::

    brand:
      company: Nordlys A/S          # shown at the top of every page and in the PDF
      logo: logo.png                # a local PNG, JPEG, GIF, WebP or SVG file, embedded (no link)
      accent: "#0B5394"             # links, the header bar, and the first colour of the figures

Contrast stays accessible whatever the accent: text in the accent colour (links) is darkened until
it reaches WCAG 2's 4.5:1 against white; the header bar's text is white or near-black, whichever
contrasts more with the bar; figure marks are darkened until they reach 3:1 (WCAG's non-text
contrast) against the white plot area.

Examples
--------
>>> round(contrast("#ffffff", "#000000"), 1), round(contrast("#777777", "#ffffff"), 2)
(21.0, 4.48)
>>> readable("#ffcc00", 4.5)  # a yellow accent is darkened for text on white
'#8f7200'
>>> text_on("#ffcc00"), text_on("#0b5394")
('#1b1b1b', '#ffffff')
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

__all__ = ["Brand", "apply_brand", "check_brand", "contrast", "figure_accent", "readable", "set_brand", "text_on"]

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
#: Logo files the pack embeds, known by their first bytes (not by the file's name).
_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
MAX_LOGO_BYTES = 512 * 1024
_START, _END = "<!-- cxkit-brand -->", "<!-- /cxkit-brand -->"


@dataclass(frozen=True)
class Brand:
    """A company's name, logo (embedded as a ``data:`` URI) and accent colour (``#rrggbb``)."""

    company: str = ""
    logo: str = ""  # data: URI
    accent: str = ""

    def __bool__(self) -> bool:
        return bool(self.company or self.logo or self.accent)

    def css(self) -> str:
        """The stylesheet the brand adds to a page."""
        rules = []
        if self.accent:
            bar = self.accent
            rules.append(f":root {{ --cx-accent: {readable(self.accent, 4.5)}; }}")
            rules.append(
                f".cx-brand {{ background: {bar}; color: {text_on(bar)}; }} .cx-brand * {{ color: {text_on(bar)}; }}"
            )
        rules.append(
            ".cx-brand { display: flex; align-items: center; gap: 0.75rem; padding: 0.5rem 1.5rem; "
            "font-weight: 600; font-size: 1.05rem; }"
            " .cx-brand img { max-height: 40px; max-width: 200px; }"
            " @media print { .cx-brand { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }"
        )
        return "\n".join(rules)

    def header(self) -> str:
        """The bar at the top of every page: the logo and the company's name (escaped)."""
        parts = []
        if self.logo:
            alt = escape(self.company or "logo", quote=True)
            parts.append(f'<img src="{self.logo}" alt="{alt}">')
        if self.company:
            parts.append(f"<span>{escape(self.company)}</span>")
        return f'<header class="cx-brand">{"".join(parts)}</header>'


def _rgb(colour: str) -> tuple[float, float, float]:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255


def _luminance(colour: str) -> float:
    # WCAG 2.x relative luminance; written out because it is four lines and no well-kept library
    # of the project's dependencies offers it (matplotlib and seaborn convert colours, not this).
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(colour: str, ratio: float = 4.5, *, background: str = "#ffffff") -> str:
    """``colour``, darkened step by step (its hue kept) until it contrasts ``ratio``:1 with
    ``background``."""
    r, g, b = _rgb(colour)
    for step in range(101):
        f = 1 - step / 100
        out = f"#{round(r * f * 255):02x}{round(g * f * 255):02x}{round(b * f * 255):02x}"
        if contrast(out, background) >= ratio:
            return out
    return "#000000"


def text_on(colour: str) -> str:
    """White or near-black (the pack's ink), whichever reads better on ``colour``."""
    return "#ffffff" if contrast("#ffffff", colour) >= contrast("#1b1b1b", colour) else "#1b1b1b"


def _logo_uri(path: Path, where: str) -> str:
    from .errors import CatalogError

    if not path.is_file():
        raise CatalogError(
            f"{where}: brand: logo: {path} is not a file; give the path of a PNG, JPEG, GIF, WebP or SVG."
        )
    data = path.read_bytes()
    if len(data) > MAX_LOGO_BYTES:
        raise CatalogError(
            f"{where}: brand: logo: {path} is {len(data) // 1024} kB; every page embeds it, so keep it under "
            f"{MAX_LOGO_BYTES // 1024} kB (a 400 px wide PNG is plenty)."
        )
    kind = next((mime for magic, mime in _MAGIC.items() if data.startswith(magic)), None)
    if kind is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "image/webp"
    if kind is None and b"<svg" in data[:2048].lower():
        kind = "image/svg+xml"  # shown through <img>, where an SVG's scripts never run
    if kind is None:
        raise CatalogError(
            f"{where}: brand: logo: {path} is not a PNG, JPEG, GIF, WebP or SVG image; convert it to PNG."
        )
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def check_brand(section: Any, path: str | Path) -> Brand:
    """The catalog's ``brand:`` section, checked: a :class:`~cxkit.errors.CatalogError` names the
    catalog file, the key and the fix. The logo's path is relative to the catalog's folder."""
    from .errors import CatalogError

    where = str(path)
    if section is None:
        return Brand()
    if not isinstance(section, dict):
        raise CatalogError(f"{where}: brand: must be a mapping with company:, logo: and/or accent:.")
    unknown = sorted(set(section) - {"company", "logo", "accent"})
    if unknown:
        raise CatalogError(f"{where}: brand: unknown key(s) {unknown}; the keys are company, logo and accent.")
    company = str(section.get("company") or "").strip()
    accent = str(section.get("accent") or "").strip()
    if accent:
        match = _HEX.match(accent)
        if not match:
            raise CatalogError(
                f'{where}: brand: accent: {accent!r} is not a colour; write it as a hex code in quotes, e.g. "#0B5394".'
            )
        value = match.group(1).lower()
        accent = "#" + ("".join(ch * 2 for ch in value) if len(value) == 3 else value)
    logo = ""
    if section.get("logo"):
        logo_path = Path(str(section["logo"])).expanduser()
        if not logo_path.is_absolute():
            logo_path = Path(path).parent / logo_path
        logo = _logo_uri(logo_path, where)
    return Brand(company=company, logo=logo, accent=accent)


def apply_brand(html: str, brand: Brand) -> str:
    """``html`` (a page of the pack) with the brand's stylesheet and header bar; a page branded
    before gets the new brand instead (a page kept by ``--only``)."""
    html = re.sub(re.escape(_START) + r".*?" + re.escape(_END), "", html, flags=re.S)
    if not brand:
        return html
    style = f"{_START}<style>{brand.css()}</style>{_END}"
    html = html.replace("</head>", style + "</head>", 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + _START + brand.header() + _END, html, count=1)


_FIGURE_ACCENT: str | None = None


def set_brand(brand: Brand | None) -> None:
    """Use ``brand``'s accent as the first colour of the figures drawn from now on.

    Parameters
    ----------
    brand : Brand or None
        The catalog's brand (``catalog.brand``); without an accent, or None, the figures use the
        house palette. The accent is darkened until it contrasts 3:1 with white (WCAG's
        non-text contrast).

    Returns
    -------
    None
    """
    global _FIGURE_ACCENT
    _FIGURE_ACCENT = readable(brand.accent, 3.0) if brand and brand.accent else None


def figure_accent() -> str | None:
    """The figures' first colour set by :func:`set_brand` (3:1 against white), or None."""
    return _FIGURE_ACCENT
