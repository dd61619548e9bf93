"""A hostile copy of the sample: XSS payloads in review texts, comments, segment, touchpoint and
channel names, and column names. The browser tests build a pack from it and check that nothing
executes and every payload is shown as text."""

from __future__ import annotations

from pathlib import Path

from cxkit.sample import generate

#: Each payload is a different way markup could get in: tags, event handlers, URLs, CSS,
#: Markdown, LaTeX/MathJax, templates, and requests to other hosts.
PAYLOADS = [
    "<script>alert('xss01')</script>",
    "<img src=x onerror=alert('xss02')>",
    "<svg onload=alert('xss03')>",
    "<a href=\"javascript:alert('xss04')\">xss04 link</a>",
    "<iframe src=\"javascript:alert('xss05')\"></iframe>",
    "<form action=\"https://evil.example/xss06\"><input name=q></form>",
    "<style>body{display:none} /* xss07 */</style>",
    "\"><script>alert('xss08')</script>",
    "<body onload=alert('xss09')>",
    "<details open ontoggle=alert('xss10')>",
    "<input autofocus onfocus=alert('xss11')>",
    "<object data=\"javascript:alert('xss12')\"></object>",
    "<embed src=\"javascript:alert('xss13')\">",
    "<video><source onerror=\"alert('xss14')\"></video>",
    "<img src=\"https://evil.example/xss15.png\">",
    "<link rel=stylesheet href=\"https://evil.example/xss16.css\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/xss17\">",
    "<base href=\"https://evil.example/xss18/\">",
    "**xss19** [click](javascript:alert('xss19'))",
    "$\\alpha$ $$xss20^2$$ \\(xss20\\)",
    "{{7*7}} ${alert('xss21')} <%= xss21 %>",
    "<marquee onstart=alert('xss22')>xss22</marquee>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss23')>",
    "javascript:alert('xss24')",
]

#: A payload used as a column name (a driver rating's name, and an extra column).
COLUMN_PAYLOAD = "<img src=x onerror=alert('col25')>"


def write_hostile_sample(folder: Path, *, scale: float = 0.15, seed: int = 7) -> Path:
    """Write the hostile sample and its catalog into ``folder``; return the catalog path.

    Every payload is placed where some report lists it as text (not only inside a figure):
    segment names (churn tables), touchpoint names (journey tables), driver names (the
    key-driver table), journey channel names (omnichannel table) and review texts of the
    report month (example reviews). Comments and review titles carry them all as well.
    """
    folder.mkdir(parents=True, exist_ok=True)
    data = generate(seed=seed, scale=scale)
    n = len(PAYLOADS)

    segments = {s: PAYLOADS[i] for i, s in enumerate(sorted(data["customers"]["segment"].dropna().unique()))}
    tp_map = {t: f"{PAYLOADS[3 + i]} tp{i}" for i, t in enumerate(sorted(data["feedback"]["touchpoint"].dropna().unique()))}
    driver_names = ["support", "price", "product_quality", "delivery", "ease_of_use", "billing", "app_experience", "staff"]
    driver_map = dict(zip(driver_names, [f"{p} d{i}" for i, p in enumerate(PAYLOADS[11:18])] + [COLUMN_PAYLOAD]))
    channel_map = {c: f"{PAYLOADS[18 + i]} ch{i}" for i, c in enumerate(sorted(data["journey"]["channel"].dropna().unique()))}
    assert len(segments) == 3 and len(tp_map) == 8 and len(channel_map) == 5, "the sample's categories changed"

    fb = data["feedback"].copy()
    fb.loc[fb.index[: 3 * n], "comment"] = PAYLOADS * 3
    fb.loc[fb.index[: 3 * n], "language"] = "en"
    fb["segment"] = fb["segment"].map(lambda s: segments.get(s, s))
    fb["touchpoint"] = fb["touchpoint"].map(lambda t: tp_map.get(t, t))
    fb = fb.rename(columns=driver_map)
    fb["source_note " + PAYLOADS[7]] = "x"
    fb.to_csv(folder / "feedback.csv", index=False)

    rv = data["reviews"].copy()
    rv.loc[rv.index[:n], "title"] = PAYLOADS
    last_month = rv.index[rv["published_at"].astype(str).str.startswith("2026-10")][:3]
    # The three most negative reviews of the month are shown as examples; two payloads each.
    rv.loc[last_month, "text"] = [f"Stopped working, really poor quality, not good. Terrible, awful, horrible, "
                                  f"useless, worst ever, waste of money!!! {PAYLOADS[18 + 2 * i]} {PAYLOADS[19 + 2 * i]}"
                                  for i in range(3)]
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
