"""A hostile copy of the sample: XSS payloads in review texts, comments, segment, touchpoint and
channel names, and column names. The browser tests build a pack from it and check that nothing
executes and every payload is shown as text."""

from __future__ import annotations

from pathlib import Path

from cxkit.data.sample import generate

#: Each payload is a different way markup could get in: tags, event handlers, URLs, CSS,
#: Markdown, LaTeX/MathJax, templates, and requests to other hosts.
PAYLOADS = [
    "<script>alert('xss01')</script>",
    "<img src=x onerror=alert('xss02')>",
    "<svg onload=alert('xss03')>",
    "<a href=\"javascript:alert('xss04')\">xss04 link</a>",
    "<iframe src=\"javascript:alert('xss05')\"></iframe>",
    '<form action="https://evil.example/xss06"><input name=q></form>',
    "<style>body{display:none} /* xss07 */</style>",
    "\"><script>alert('xss08')</script>",
    "<body onload=alert('xss09')>",
    "<details open ontoggle=alert('xss10')>",
    "<input autofocus onfocus=alert('xss11')>",
    "<object data=\"javascript:alert('xss12')\"></object>",
    "<embed src=\"javascript:alert('xss13')\">",
    "<video><source onerror=\"alert('xss14')\"></video>",
    '<img src="https://evil.example/xss15.png">',
    '<link rel=stylesheet href="https://evil.example/xss16.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/xss17">',
    '<base href="https://evil.example/xss18/">',
    "**xss19** [click](javascript:alert('xss19'))",
    "$\\alpha$ $$xss20^2$$ \\(xss20\\)",
    "{{7*7}} ${alert('xss21')} <%= xss21 %>",
    "<marquee onstart=alert('xss22')>xss22</marquee>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss23')>",
    "javascript:alert('xss24')",
    # Markup an allow-list sanitiser would keep: each must still be text, never an element.
    '<b class="xss26">xss26 bold</b>',
    '<span title="xss27" style="color:red">xss27</span>',
    '<a href="index.html" class="xss28">xss28 link</a>',
    '<p class="xss29">xss29</p><u class="xss29">u</u>',
    '</td></tr></table><h1 class="xss30">xss30</h1>',
    '<img src="data:image/png;base64,iVBORw0KGgo=" class="xss31" alt="xss31">',
    '</textarea></title></style><!-- xss32 --><i class="xss32">xss32</i>',
    "&lt;b class=xss33&gt;entity&amp;lt;",
    "| xss34 | table |\n|---|---|\n| a | b |",
]

#: A payload used as a column name (a driver rating's name, and an extra column).
COLUMN_PAYLOAD = "<img src=x onerror=alert('col25')>"


def _two(offset: int, i: int) -> str:
    """Two payloads side by side, the ``i``-th pair of a family that starts at ``offset``."""
    n = len(PAYLOADS)
    return f"{PAYLOADS[(offset + 2 * i) % n]} {PAYLOADS[(offset + 2 * i + 1) % n]}"


def write_hostile_sample(folder: Path, *, scale: float = 0.15, seed: int = 7) -> Path:
    """Write the hostile sample and its catalog into ``folder``; return the catalog path.

    Every text field and category name the reports can show carries payloads, two to a name,
    and each family of names starts at a different payload so that every payload lands in
    more than one kind of place: segment names (churn and NPS tables), touchpoint names (journey
    tables), feedback and journey channel names, driver names (key-driver tables), review
    sources, the month's most negative reviews (example table), review titles and comments, and
    values that the readers reject (the data-quality page quotes a rejected row's value).
    """
    folder.mkdir(parents=True, exist_ok=True)
    data = generate(seed=seed, scale=scale)
    n = len(PAYLOADS)

    def family(values, offset: int, tag: str) -> dict:
        return {v: f"{_two(offset, i)} {tag}{i}" for i, v in enumerate(sorted(values.dropna().unique()))}

    segments = family(data["customers"]["segment"], 0, "sg")
    tp_map = family(data["feedback"]["touchpoint"], 6, "tp")
    channel_map = family(data["journey"]["channel"], 22, "ch")
    fb_channels = family(data["feedback"]["channel"], 3, "fc")
    sources = family(data["reviews"]["source"], 24, "rs")
    driver_names = [
        "support",
        "price",
        "product_quality",
        "delivery",
        "ease_of_use",
        "billing",
        "app_experience",
        "staff",
    ]
    driver_map = {d: f"{_two(32, i)} d{i}" for i, d in enumerate(driver_names[:-1])}
    driver_map[driver_names[-1]] = COLUMN_PAYLOAD
    assert len(segments) == 3 and len(tp_map) == 8 and len(channel_map) == 5, "the sample's categories changed"

    fb = data["feedback"].copy()
    fb.loc[fb.index[: 3 * n], "comment"] = PAYLOADS * 3
    fb.loc[fb.index[: 3 * n], "language"] = "en"
    fb["segment"] = fb["segment"].map(lambda s: segments.get(s, s))
    fb["touchpoint"] = fb["touchpoint"].map(lambda t: tp_map.get(t, t))
    fb["channel"] = fb["channel"].map(lambda c: fb_channels.get(c, c))
    fb = fb.rename(columns=driver_map)
    fb["source_note " + PAYLOADS[7]] = "x"
    # Rejected rows quote the value they were rejected for: one payload per row, in a score.
    fb["nps"] = fb["nps"].astype(object)
    fb.loc[fb.index[-n:], "nps"] = PAYLOADS
    fb.to_csv(folder / "feedback.csv", index=False)

    rv = data["reviews"].copy()
    rv.loc[rv.index[:n], "title"] = PAYLOADS
    rv["source"] = rv["source"].map(lambda s: sources.get(s, s))
    last_month = rv.index[rv["published_at"].astype(str).str.startswith("2026-10")][:3]
    # The three most negative reviews of the month are shown as examples, and (mentioning delivery)
    # on the drill-down's page of negative delivery reviews; two payloads each.
    rv.loc[last_month, "text"] = [f"Terrible, awful, useless delivery, worst ever!!! {_two(13, i)}" for i in range(3)]
    rv.loc[last_month, "rating"] = 1
    rv.loc[last_month, "language"] = "en"
    rv.to_csv(folder / "reviews.csv", index=False)

    cu = data["customers"].copy()
    cu["segment"] = cu["segment"].map(lambda s: segments.get(s, s))
    cu.to_csv(folder / "customers.csv", index=False)

    jo = data["journey"].copy()
    jo["touchpoint"] = jo["touchpoint"].map(lambda t: tp_map.get(t, t))
    jo["channel"] = jo["channel"].map(lambda c: channel_map.get(c, c))
    if "segment" in jo:
        jo["segment"] = jo["segment"].map(lambda s: segments.get(s, s))
    jo.to_csv(folder / "journey.csv", index=False)

    catalog = {
        "version": 1,
        "defaults": {"max_rejected": 0.05},
        "sources": {
            "feedback": {"table": "feedback", "path": "feedback.csv", "drivers": list(driver_map.values())},
            "reviews": {"table": "reviews", "path": "reviews.csv"},
            "customers": {"table": "customers", "path": "customers.csv"},
            "journey": {"table": "journey", "path": "journey.csv"},
        },
    }
    import yaml

    path = folder / "cxkit.yaml"
    path.write_text(yaml.safe_dump(catalog, allow_unicode=True, sort_keys=False))
    return path
