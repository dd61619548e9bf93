"""The pack's "How to read this pack" page (issue 27): the methodology in plain words.

The index used to open with the significance policy; it now opens with the numbers, and this
page, linked from every new page's footer and the index's, says how to read them.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from .._stats import HEADLINE_FAMILY, HEADLINE_POLICY
from ..analysis.nps import MIN_N
from ._kpis import static_page

__all__ = ["render_guide", "write_guide"]

_SECTIONS = [
    (
        "tiles",
        "The KPI tiles",
        [
            "Each tile shows the month's value in large type, the range it is likely to lie in (the 95% "
            "confidence interval: with another sample of customers the value would usually land inside it), "
            "and how many answers it rests on (n).",
            "The small chart is the last 13 months (fewer when the data are shorter); the report month is "
            "the larger dot. A dashed line is the target set in the catalog.",
        ],
    ),
    (
        "significance",
        "What “significant” means",
        [
            "Month to month, numbers move by chance alone. A change is called significant only when chance "
            "is an unlikely explanation: " + HEADLINE_POLICY,
            f"Because {len(HEADLINE_FAMILY)} KPIs are tested each month, each test is held to a stricter bar "
            "(the Bonferroni adjustment), so that a month with no real change rarely shows a false alarm. "
            "The p-values shown are the adjusted ones.",
            "A change that is not significant may still be real; the data of one month cannot tell it from "
            "chance. The summary and the alerts never claim it.",
        ],
    ),
    (
        "small-base",
        "Small bases",
        [
            f"A number from fewer than {MIN_N} answers is marked “small base”. It is shown, but no sentence "
            "on the index, no summary bullet and no alert is built on it.",
        ],
    ),
    (
        "targets",
        "Targets",
        [
            "Targets come from the catalog (targets: {nps: 25, csat_mean: 4.0}). A tile says “misses target” "
            "only when a one-sided test finds the month's true value below the target (above it for CES and "
            "churn, where lower is better) at the 5% level; otherwise “short of target, within chance” or "
            "“meets target”.",
        ],
    ),
    (
        "pages",
        "The pages behind the numbers",
        [
            "Each summary bullet links to the page with its evidence. The drill-down pages show each segment's "
            "NPS and the touchpoints' CSAT; the comment pages list masked comments by theme and score group, "
            "so the browser's find (Ctrl+F) searches them. Every page works offline and runs no script.",
            "Comparisons between segments, stages, touchpoints and drivers are adjusted for the number of "
            "comparisons on their page (Holm's method unless the page says otherwise).",
        ],
    ),
    (
        "alerts",
        "Alerts",
        [
            "alerts.json lists what needs attention: a KPI that misses its target, a significant change for "
            "the worse, a theme that negative reviews mention significantly more often, a touchpoint whose "
            "CSAT fell significantly. The scheduled run prints one line per alert.",
        ],
    ),
]


def render_guide(*, footer: str = "") -> str:
    """The guide page's HTML."""
    toc = "".join(f'<li><a href="#{key}">{escape(title)}</a></li>' for key, title, _ in _SECTIONS)
    sections = "".join(
        f'<section aria-labelledby="{key}"><h2 id="{key}">{escape(title)}</h2>'
        + "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
        + "</section>"
        for key, title, paragraphs in _SECTIONS
    )
    body = f'<h1>How to read this pack</h1><nav aria-label="On this page"><ul>{toc}</ul></nav>{sections}'
    return static_page("How to read this pack", body, footer=footer, depth=1)


def write_guide(path: str | Path, *, footer: str = "") -> Path:
    """Write the guide page to ``path``."""
    path = Path(path)
    path.write_text(render_guide(footer=footer), encoding="utf-8")
    return path
