"""The company's look (issue 28): the catalog's brand section checked, contrast kept accessible,
every page branded once."""

from __future__ import annotations

import pytest

from cxkit.branding import Brand, apply_brand, check_brand, contrast, readable, text_on
from cxkit.errors import CatalogError


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [
        # published WCAG 2 ratios (WebAIM's contrast checker gives the same to two decimals)
        ("#000000", "#ffffff", 21.0),
        ("#777777", "#ffffff", 4.48),
        ("#0000ff", "#ffffff", 8.59),
        ("#ff0000", "#ffffff", 4.0),
        ("#767676", "#ffffff", 4.54),
    ],
)
def test_contrast_matches_published_ratios(a, b, ratio):
    assert contrast(a, b) == pytest.approx(ratio, abs=0.01)
    assert contrast(b, a) == pytest.approx(ratio, abs=0.01)


@pytest.mark.parametrize("accent", ["#ffcc00", "#00ff00", "#cccccc", "#0b5394", "#e69f00", "#ffffff"])
def test_accent_text_and_marks_keep_their_contrast(accent):
    """Whatever the accent: link text reaches 4.5:1 on white, figure marks 3:1, the header bar's
    text 4.5:1 on the bar (white or near-black)."""
    assert contrast(readable(accent, 4.5), "#ffffff") >= 4.5
    assert contrast(readable(accent, 3.0), "#ffffff") >= 3.0
    assert contrast(text_on(accent), accent) >= 4.5
    if contrast(accent, "#ffffff") >= 4.5:  # a dark enough accent is used as it is
        assert readable(accent, 4.5) == accent


def _png(path):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(1, 0.5))
    fig.savefig(path)
    plt.close(fig)
    return path


def test_brand_section_is_checked(tmp_path):
    catalog = tmp_path / "cxkit.yaml"
    logo = _png(tmp_path / "logo.png")
    brand = check_brand({"company": "Nordlys A/S", "logo": "logo.png", "accent": "0B5394"}, catalog)
    assert brand.company == "Nordlys A/S" and brand.accent == "#0b5394"
    assert brand.logo.startswith("data:image/png;base64,")
    assert check_brand({"accent": "#abc"}, catalog).accent == "#aabbcc"
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    assert check_brand({"logo": "logo.svg"}, catalog).logo.startswith("data:image/svg+xml;base64,")
    assert not check_brand(None, catalog)
    for section, message in [
        ({"accent": "blue"}, r"cxkit.yaml: brand: accent: 'blue' is not a colour; write it as a hex code"),
        ({"logo": "nope.png"}, r"brand: logo: .*nope.png is not a file"),
        ({"colour": "#000"}, r"unknown key\(s\) \['colour'\]; the keys are company, logo and accent"),
        ({"logo": "cxkit.yaml"}, r"is not a PNG, JPEG, GIF, WebP or SVG image; convert it to PNG"),
    ]:
        catalog.write_text("version: 1\n")
        with pytest.raises(CatalogError, match=message):
            check_brand(section, catalog)
    big = tmp_path / "big.png"
    big.write_bytes(logo.read_bytes() + b"\0" * 600_000)
    with pytest.raises(CatalogError, match=r"keep it under 512 kB"):
        check_brand({"logo": "big.png"}, catalog)


def test_pages_are_branded_once_and_the_name_is_escaped():
    page = "<html><head><title>x</title></head><body class='cx-index'><main>m</main></body></html>"
    brand = Brand(company="<b>Nordlys</b> & Co", accent="#0b5394")
    once = apply_brand(page, brand)
    assert once.count('class="cx-brand"') == 1 and "&lt;b&gt;Nordlys&lt;/b&gt; &amp; Co" in once
    assert "--cx-accent: #0b5394" in once
    assert apply_brand(once, brand) == once  # a kept page (--only) is not branded twice
    other = apply_brand(once, Brand(company="Other"))
    assert "Nordlys" not in other and other.count('class="cx-brand"') == 1
    assert apply_brand(once, Brand()) == page


def test_catalog_brand_survives_the_snapshot(tmp_path):
    """The runner's notebooks read a snapshot of the catalog: the brand (logo path made absolute) goes with it."""
    from cxkit.data.catalog import load_catalog

    (tmp_path / "a.csv").write_text("x\n1\n")
    _png(tmp_path / "logo.png")
    (tmp_path / "cxkit.yaml").write_text(
        "version: 1\nsources: {a: {path: a.csv, table: feedback}}\n"
        "brand: {company: Nordlys, logo: logo.png, accent: '#0B5394'}\n"
    )
    catalog = load_catalog(tmp_path / "cxkit.yaml")
    snap = tmp_path / "snap"
    snap.mkdir()
    again = load_catalog(catalog.write_snapshot_catalog(snap))
    assert again.brand == catalog.brand and again.brand.company == "Nordlys"
