"""Private hub of the summary, alerts and drill-down pages (issue 27): what each headline KPI is
called, where its evidence is, and how to read it from ``results.json``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .. import i18n
from ..analysis.nps import MIN_N, kpi_trend
from ..i18n import N_, tr, tr_html, translate

# Catalog target -> (results.json key, higher is better).
TARGET_SOURCE = {
    "nps": ("nps", True),
    "csat_mean": ("csat", True),
    "ces_mean": ("ces", False),
    "sentiment_mean": ("sentiment", True),
    "churn_rate": ("churn", False),
}
# The page that holds the evidence of each results.json key.
EVIDENCE = {
    "nps": "nps_drivers.html",
    "csat": "nps_drivers.html",
    "ces": "nps_drivers.html",
    "drivers": "nps_drivers.html",
    "sentiment": "review_sentiment.html",
    "churn": "churn_regression.html",
    "journey": "journey_stages.html",
    "touchpoints": "appendix/touchpoints.html",
}
NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES", "sentiment": N_("Review sentiment"), "churn": N_("Churn")}
HIGHER_IS_BETTER = {"nps": True, "csat": True, "ces": False, "sentiment": True, "churn": False}
#: Each KPI's number format, in English (:func:`number` writes it in the report language).
FORMATS = {"nps": "{:+.1f}", "csat": "{:.2f}", "ces": "{:.2f}", "sentiment": "{:+.2f}", "churn": "{:.1%}"}

_SPEC = re.compile(r"\{:(\+?),?\.(\d+)([fg%])\}(.*)")


def kpi_name(key: str) -> str:
    """A KPI's name in the report language (:data:`NAMES`)."""
    return translate(NAMES[key])


def number(fmt: str, value: Any) -> str:
    """``value`` in one of the pack's number formats (``{:+.1f}``, ``{:.1%}``, ``{:+.1f} pp``,
    ``{:.3g}`` ...): exactly ``fmt.format(value)`` in English, the same number in the report
    language's format otherwise (:mod:`cxkit.i18n`).

    >>> number("{:+.1f}", 19.44), number("{:.1%}", 0.0312)
    ('+19.4', '3.1%')
    >>> with i18n.language("da"):
    ...     number("{:+.1f}", 19.44), number("{:.1%}", 0.0312), number("{:+.1f} pp", 2.5)
    ('+19,4', '3,1\xa0%', '+2,5\xa0pct.-point')
    """
    match = _SPEC.fullmatch(fmt)
    if i18n.get_language() == "en" or match is None or not isinstance(value, int | float):
        return fmt.format(value)
    sign, digits, kind, rest = match.group(1) == "+", int(match.group(2)), match.group(3), match.group(4)
    if kind == "%":
        return i18n.percent(value, digits, sign=sign) + rest
    if kind == "f" and rest == " pp":
        return i18n.points(value / 100, digits)
    if kind == "f":
        return i18n.decimal(value, digits, sign=sign) + rest
    return f"{value:{'+' if sign else ''}.{digits}g}".replace(".", i18n.decimal(0.5, 1)[1]) + rest


def format_kpi(key: str, value: Any) -> str:
    """A KPI's value in its format (:data:`FORMATS`) and the report language."""
    return number(FORMATS[key], value)


def headline(results: Mapping[str, Any], key: str) -> dict | None:
    """The KPI dict of ``key`` (``sentiment`` and ``churn`` keep theirs under ``headline``), or
    None when the month has no value."""
    section = results.get(key)
    if not isinstance(section, dict):
        return None
    kpi = section.get("headline") if key in ("sentiment", "churn") else section
    return kpi if isinstance(kpi, dict) and kpi.get("value") is not None else None


def small_base(kpi: Mapping[str, Any]) -> bool:
    """The KPI's base is below its documented minimum (``min_n``, default 30)."""
    n = kpi.get("n")
    return bool(kpi.get("small_n")) or (isinstance(n, int) and n < int(kpi.get("min_n") or MIN_N))


def emerging_theme(results: Mapping[str, Any], *, alpha: float = 0.05) -> dict | None:
    """The month's emerging negative theme, if its rise is significant: ``{theme, negative_rate,
    previous_rate, change, p}``; None otherwise.

    The one place that reads where the theme analysis puts it in ``results.json`` (today
    ``sentiment.top_emerging_negative_theme`` with the Holm-adjusted ``change_p_holm``), so the
    summary and the alerts follow the theme analysis when it moves.
    """
    sentiment = results.get("sentiment")
    top = sentiment.get("top_emerging_negative_theme") if isinstance(sentiment, dict) else None
    if not isinstance(top, dict) or not top.get("theme"):
        return None
    p = top.get("change_p_holm")
    if not isinstance(p, (int, float)) or p >= alpha or (top.get("change") or 0) <= 0:
        return None
    return {
        "theme": str(top["theme"]),
        "negative_rate": float(top.get("negative_rate") or 0),
        "previous_rate": float(top.get("previous_rate") or 0),
        "change": float(top["change"]),
        "p": float(p),
    }


def page_head(title: str, css: str = "") -> str:
    """The head of a page the pack writes itself (the index, the appendix): the pack's
    stylesheet inline, no script, a CSP that allows nothing but inline styles and ``data:``
    images. ``title`` is escaped here."""
    from html import escape
    from pathlib import Path

    sheet = (Path(__file__).resolve().parent / "templates" / "cxkit.css").read_text(encoding="utf-8")
    return f"""<!DOCTYPE html>
<html lang="{i18n.get_language()}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{sheet}{css}</style>
</head>
"""


def static_page(title: str, body: str, *, footer: str, depth: int = 0, css: str = "") -> str:
    """A self-contained pack page (:func:`page_head`). ``title`` and ``footer`` are escaped
    here; ``body`` must be built from escaped text. ``depth``: folders below the pack's top
    (links back to the index and the guide)."""
    from html import escape

    up = "../" * depth
    return f"""{page_head(title, css)}<body class="cx-index">
<main>
<p><a href="{up}index.html">{escape(tr("Back to the pack's index"), quote=False)}</a></p>
{body}
</main>
<footer class="cx-footer">{escape(footer)} · <a href="{up}appendix/how_to_read.html">{tr_html("How to read this pack")}</a></footer>
</body>
</html>
"""


def sparkline_svg(
    points: list[dict],
    *,
    month: str,
    fmt: str,
    label: str,
    target: float | None = None,
    width: int = 220,
    height: int = 56,
) -> str:
    """An inline SVG sparkline of ``points`` (``{period, value}``) with the report ``month`` as a
    larger dot and the ``target`` as a dashed line; its ``<title>`` states what it shows (the
    pack's CSP allows inline SVG; there is no script). Empty when fewer than two points."""
    from html import escape

    shown = [p for p in points if isinstance(p.get("value"), (int, float))]
    if len(shown) < 2:
        return ""
    values = [float(p["value"]) for p in shown]
    low, high = (
        min(values + ([target] if target is not None else [])),
        max(values + ([target] if target is not None else [])),
    )
    span = (high - low) or 1.0
    pad = 6

    def y(v: float) -> float:
        return round(pad + (height - 2 * pad) * (1 - (v - low) / span), 1)

    def x(i: int) -> float:
        return round(pad + (width - 2 * pad) * i / (len(shown) - 1), 1)

    line = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values))
    marks = []
    for i, p in enumerate(shown):
        if p.get("period") == month:
            marks.append(f'<circle cx="{x(i)}" cy="{y(values[i])}" r="4" class="cx-spark-now"/>')
    goal = ""
    if target is not None:
        goal = f'<line x1="{pad}" x2="{width - pad}" y1="{y(target)}" y2="{y(target)}" class="cx-spark-target"/>'
    first, last = shown[0], shown[-1]
    values_said = {
        "label": label,
        "start": i18n.month(first["period"]),
        "end": i18n.month(last["period"]),
        "first": number(fmt, values[0]),
        "last": number(fmt, values[-1]),
        "lowest": number(fmt, min(values)),
        "highest": number(fmt, max(values)),
        "month": i18n.month(month),
    }
    if target is not None:
        title = tr(
            "{label}, {start} to {end}: from {first} to {last}; lowest {lowest}, highest {highest}; "
            "target {target}; {month} marked.",
            target=number(fmt, target),
            **values_said,
        )
    else:
        title = tr(
            "{label}, {start} to {end}: from {first} to {last}; lowest {lowest}, highest {highest}; {month} marked.",
            **values_said,
        )
    return (
        f'<svg class="cx-spark" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{goal}'
        f'<polyline points="{line}" class="cx-spark-line"/>{"".join(marks)}</svg>'
    )


#: Styles of the summary, the tiles' sparklines and badges, and the drill-down pages.
CSS = """
.cx-summary li{margin:.35em 0}
.cx-spark{display:block;margin:.4em 0;width:100%;height:auto;max-width:220px}
.cx-spark-line{fill:none;stroke:#1f4e79;stroke-width:2}
.cx-spark-now{fill:#1f4e79;stroke:#fff;stroke-width:1}
.cx-spark-target{stroke:#8a4b00;stroke-width:1.5;stroke-dasharray:4 3}
.cx-badge{display:inline-block;padding:0 .4em;border:1px solid #8a4b00;border-radius:3px;color:#6b3a00;background:#fff4e5;font-size:.85em;font-weight:600}
.cx-target{font-size:.9em}
.cx-drill{font-size:.9em}
.cx-verbatim li{margin:.4em 0}
"""


def trend_points(trend: Any, *, value: str, n: str = "n", months: int = 13) -> list[dict]:
    """A page's monthly table (``month``, ``value``, ``ci_low``, ``ci_high``, ``n``) as the last
    ``months`` points of ``results.json``'s ``trend`` list (the index's sparkline), or an empty list
    when the page has no trend (issue 27)."""
    if trend is None or len(trend) == 0 or value not in trend.columns:
        return []
    rows = trend.tail(months)
    return [
        {
            "period": str(r["month"]),
            "value": None if r[value] != r[value] else float(r[value]),
            "ci_low": None if r.get("ci_low") is None or r["ci_low"] != r["ci_low"] else float(r["ci_low"]),
            "ci_high": None if r.get("ci_high") is None or r["ci_high"] != r["ci_high"] else float(r["ci_high"]),
            "n": int(r[n]) if n in r and r[n] == r[n] else None,
        }
        for r in rows.to_dict(orient="records")
    ]


#: Months in a KPI tile's sparkline, ending with the report month.
TREND_MONTHS = 13


def kpi_history(
    feedback: pd.DataFrame,
    *,
    month: str,
    periods: int = TREND_MONTHS,
    min_n: int = MIN_N,
    weights: str | None = None,
    kpis: tuple[str, ...] = ("nps", "csat", "ces"),
) -> dict:
    """NPS, CSAT and CES means per month, ``periods`` months ending with ``month``.

    Parameters
    ----------
    feedback : DataFrame
        The canonical feedback table (``responded_at`` and any of ``nps``, ``csat``, ``ces``).
    month : str
        The report month, ``YYYY-MM``.
    periods : int, default 13
        Months, ending with ``month``; months without responses have no point.
    min_n : int, default 30
        A month with fewer responses is marked ``small_n``.
    weights : str, optional
        A survey-weight column (the catalog's ``weights:``): weighted means and intervals, as
        on the NPS page (:func:`cxkit.kpi_trend`).
    kpis : tuple of str, default ("nps", "csat", "ces")
        The KPIs to compute (a segment's drill-down page shows only its NPS).

    Returns
    -------
    dict
        ``{"nps": [...], "csat": [...], "ces": [...]}`` (KPIs without answers are left out),
        each a list of ``{period, value, ci_low, ci_high, n, small_n}`` in month order.

    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> h = kpi_history(fb, month="2026-10")
    >>> len(h["nps"]), h["nps"][-1]["period"], round(h["nps"][-1]["value"], 2)
    (12, '2026-10', 19.44)
    """
    unknown = sorted(set(kpis) - {"nps", "csat", "ces"})
    if unknown:
        raise ValueError(f"kpi_history computes nps, csat and ces, not {', '.join(unknown)}.")
    out: dict[str, list[dict]] = {}
    for kpi in kpis:
        if kpi not in feedback.columns or not feedback[kpi].notna().any():
            continue
        trend = kpi_trend(feedback, kpi, month=month, periods=periods, min_n=min_n, weights=weights)
        rows = trend[trend["metric"] == ("nps" if kpi == "nps" else "mean")]
        out[kpi] = [
            {
                "period": str(r["period"]),
                "value": float(r["value"]),
                "ci_low": float(r["ci_low"]),
                "ci_high": float(r["ci_high"]),
                "n": int(r["n"]),
                "small_n": bool(int(r["n"]) < min_n),
            }
            for r in rows.to_dict(orient="records")
        ]
    return out
