"""The pack's "How to read this pack" page (issue 27): the methodology in plain words.

The index used to open with the significance policy; it now opens with the numbers, and this
page, linked from every new page's footer and the index's, says how to read them.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from .. import i18n
from .._stats import HEADLINE_FAMILY, HEADLINE_POLICY
from ..analysis.nps import MIN_N
from ..i18n import N_, tr, tr_html, translate
from ._kpis import static_page

__all__ = ["render_guide", "write_guide"]

#: The headline KPIs of the significance policy, as the guide names them.
_FAMILY_WORDS = {
    "CSAT mean": N_("CSAT mean"),
    "CSAT top-2-box share": N_("CSAT top-2-box share"),
    "CES mean": N_("CES mean"),
    "CES low-effort share": N_("CES low-effort share"),
    "review sentiment": N_("review sentiment"),
    "churn rate": N_("churn rate"),
}


def _policy() -> str:
    """:data:`cxkit._stats.HEADLINE_POLICY` in the report language (in English, that sentence)."""
    if i18n.get_language() == "en":
        return HEADLINE_POLICY
    return tr(
        "A change from the previous month is called significant when its p-value, Bonferroni-adjusted "
        "for the month's {k} headline KPIs ({kpis}), is below {alpha}.",
        k=i18n.integer(len(HEADLINE_FAMILY)),
        kpis=", ".join(translate(_FAMILY_WORDS[name]) if name in _FAMILY_WORDS else name for name in HEADLINE_FAMILY),
        alpha=i18n.decimal(0.05, 2),
    )


def _sections() -> list[tuple[str, str, list[str]]]:
    """The guide's sections (anchor, heading, paragraphs) in the report language."""
    return [
        (
            "tiles",
            tr("The KPI tiles"),
            [
                tr(
                    "Each tile shows the month's value in large type, the range it is likely to lie in (the 95% "
                    "confidence interval: with another sample of customers the value would usually land inside it), "
                    "and how many answers it rests on (n)."
                ),
                tr(
                    "The small chart is the last 13 months (fewer when the data are shorter); the report month is "
                    "the larger dot. A dashed line is the target set in the catalog."
                ),
            ],
        ),
        (
            "significance",
            tr("What “significant” means"),
            [
                tr(
                    "Month to month, numbers move by chance alone. A change is called significant only when chance "
                    "is an unlikely explanation: {policy}",
                    policy=_policy(),
                ),
                tr(
                    "Because {k} KPIs are tested each month, each test is held to a stricter bar "
                    "(the Bonferroni adjustment), so that a month with no real change rarely shows a false alarm. "
                    "The p-values shown are the adjusted ones.",
                    k=i18n.integer(len(HEADLINE_FAMILY)),
                ),
                tr(
                    "A change that is not significant may still be real; the data of one month cannot tell it from "
                    "chance. The summary and the alerts never claim it."
                ),
            ],
        ),
        (
            "small-base",
            tr("Small bases"),
            [
                tr(
                    "A number from fewer than {min_n} answers is marked “small base”. It is shown, but no sentence "
                    "on the index, no summary bullet and no alert is built on it.",
                    min_n=i18n.integer(MIN_N),
                ),
            ],
        ),
        (
            "targets",
            tr("Targets"),
            [
                tr(
                    "Targets come from the catalog ({example}). A tile says “misses target” "
                    "only when a one-sided test finds the month's true value below the target (above it for CES and "
                    "churn, where lower is better) at the {level} level; otherwise “short of target, within chance” or "
                    "“meets target”.",
                    example="targets: {nps: 25, csat_mean: 4.0}",
                    level=i18n.percent(0.05, 0),
                ),
            ],
        ),
        (
            "pages",
            tr("The pages behind the numbers"),
            [
                tr(
                    "Each summary bullet links to the page with its evidence. The drill-down pages show each segment's "
                    "NPS and the touchpoints' CSAT; the comment pages list masked comments by theme and score group, "
                    "so the browser's find (Ctrl+F) searches them. Every page works offline and runs no script."
                ),
                tr(
                    "Comparisons between segments, stages, touchpoints and drivers are adjusted for the number of "
                    "comparisons on their page (Holm's method unless the page says otherwise)."
                ),
            ],
        ),
        (
            "alerts",
            tr("Alerts"),
            [
                tr(
                    "alerts.json lists what needs attention: a KPI that misses its target, a significant change for "
                    "the worse, a theme that negative reviews mention significantly more often, a touchpoint whose "
                    "CSAT fell significantly. The scheduled run prints one line per alert."
                ),
            ],
        ),
    ]


def render_guide(*, footer: str = "") -> str:
    """The guide page's HTML, in the report language."""
    shown = _sections()
    toc = "".join(f'<li><a href="#{key}">{escape(title)}</a></li>' for key, title, _ in shown)
    sections = "".join(
        f'<section aria-labelledby="{key}"><h2 id="{key}">{escape(title)}</h2>'
        + "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
        + "</section>"
        for key, title, paragraphs in shown
    )
    title = tr("How to read this pack")
    body = f'<h1>{escape(title)}</h1><nav aria-label="{tr_html("On this page")}"><ul>{toc}</ul></nav>{sections}'
    return static_page(title, body, footer=footer, depth=1)


def write_guide(path: str | Path, *, footer: str = "") -> Path:
    """Write the guide page to ``path``."""
    path = Path(path)
    path.write_text(render_guide(footer=footer), encoding="utf-8")
    return path
