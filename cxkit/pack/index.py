"""The pack's ``index.html``: headline KPIs with uncertainty, findings, links, data quality.

Built from ``results.json`` alone, so it always agrees with the machine-readable numbers.
Text from results (findings, source names, reasons) goes through
:func:`cxkit.display.safe_text` like every other page's; cxkit's own labels are escaped; the page has no script and requests nothing from any other host.

A KPI is a mapping with ``value``, ``ci_low``, ``ci_high``, ``n`` and, when there is a previous
period, ``previous``, ``change``, ``change_p`` (adjusted for the month's headline family,
:data:`cxkit.pack.results.HEADLINE_POLICY`) and ``significant`` (the change is flagged only when
significant). The index reads ``nps``, ``csat`` and ``ces`` directly, and the ``headline``
of ``sentiment`` and ``churn``; each section's ``finding`` is its one-sentence finding. A churn
headline without churn dates (``scope`` "all customers") is shown as the share of all customers
in the data who churned, labelled as such, with no change from a previous month.
Analyses listed under ``skipped`` (their sources are not in the catalog, or have no rows in
the month) are shown as not built, with the reason, and their KPIs say so.

Issue 27: the page opens with the executive summary (``summary``), each tile has a 13-month
sparkline (``kpi_trends``), its catalog target and the one-sided test of missing it
(``targets``), and a small-base badge when n is below the documented minimum; a finding built on
a small base is not repeated here. The methodology is on ``appendix/how_to_read.html``, linked from the
footer.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from markupsafe import Markup

from .. import i18n
from ..display import format_p, safe_text
from ..i18n import N_, ntr, tr, tr_html, translate
from ._kpis import CSS, number, page_head, small_base, sparkline_svg
from .data_quality import reason_text

if TYPE_CHECKING:
    # What the index reads of a pack notebook (a cxkit.pack.runner.PackNotebook; the runner
    # imports this module, so the type is described here rather than imported).
    class _Notebook(Protocol):
        @property
        def name(self) -> str: ...
        @property
        def title(self) -> str: ...


__all__ = ["write_index", "render_index"]

_KPIS = [
    ("nps", None, "NPS", "{:+.1f}", True),
    ("csat", None, N_("CSAT (mean, 1–5)"), "{:.2f}", True),
    ("ces", None, N_("CES (mean, 1–7, lower is easier)"), "{:.2f}", False),
    ("sentiment", "headline", N_("Review sentiment (mean compound, −1 to 1)"), "{:+.2f}", True),
    ("churn", "headline", N_("Churn rate"), "{:.1%}", False),
]
_SECTIONS = [
    ("nps_drivers", "nps"),
    ("review_sentiment", "sentiment"),
    ("churn_regression", "churn"),
    ("journey_stages", "journey"),
    ("data_quality", "data_quality"),
]
# The churn KPI without churn dates: its label and what it is (never a month's rate or change).
_ALL_TIME_CHURN = (
    N_("Churned, share of all customers in the data"),
    N_("All-time share, not a monthly rate: the customer table has no churn dates."),
)
# The notebook that writes each KPI, to say why a KPI is missing when it was not built.
_KPI_NOTEBOOK = {
    "nps": "nps_drivers",
    "csat": "nps_drivers",
    "ces": "nps_drivers",
    "sentiment": "review_sentiment",
    "churn": "churn_regression",
}


def _p_text(p: float) -> str:
    """The adjusted p-value of a headline change, in the pack's one p-value format."""
    text = format_p(p)
    return tr("adjusted p {p}", p=text) if text.startswith("<") else tr("adjusted p = {p}", p=text)


def _fmt(fmt: str, value: object) -> str:
    if value is None:
        return "–"
    try:
        return number(fmt, value)
    except (TypeError, ValueError):
        return safe_text(value)


def _all_time(kpi: dict) -> bool:
    """A churn headline without churn dates: the share of all customers who churned, not a
    month's rate (``scope`` "all customers"; older results say so by a month of None)."""
    return kpi.get("scope") == "all customers" or ("month" in kpi and kpi.get("month") is None)


def _kpi_card(
    label: str,
    kpi: dict | None,
    fmt: str,
    higher_is_better: bool,
    skipped: dict | None = None,
    *,
    note: str = "",
    extras: dict | None = None,
) -> str:
    if not kpi or kpi.get("value") is None:
        why = tr("not available this month")
        if skipped:
            absent = skipped.get("absent") or []
            why = (
                tr("not built: no {sources} source", sources=_and(absent))
                if absent
                else tr("not built: no {sources} data this month", sources=_and(skipped.get("no_rows") or []))
            )
        return (
            f'<div class="cx-kpi cx-kpi-missing"><div class="cx-kpi-label">{escape(label)}</div>'
            f'<div class="cx-kpi-value">–</div><div class="cx-kpi-note">{safe_text(why)}</div></div>'
        )
    extras = extras or {}
    small = small_base(kpi)
    ci = ""
    if kpi.get("ci_low") is not None and kpi.get("ci_high") is not None:
        ci = tr("95% CI {low} to {high}", low=_fmt(fmt, kpi["ci_low"]), high=_fmt(fmt, kpi["ci_high"]))
    n = tr("n = {n}", n=i18n.integer(kpi["n"])) if isinstance(kpi.get("n"), int) else ""
    change = ""
    if note:  # a KPI that is not the month's (e.g. churn without churn dates) has no change to show
        change = f'<div class="cx-kpi-note">{escape(note)}</div>'
    elif small:  # a small base: shown, but no change is read into it
        change = '<div class="cx-change cx-flat">{}</div>'.format(
            tr_html(
                "n below the minimum of {min_n}: the change from the previous month is not assessed",
                min_n=i18n.integer(int(kpi.get("min_n") or 30)),
            )
        )
    elif kpi.get("change") is not None and kpi.get("previous") is not None:
        delta_fmt = fmt.replace("{:", "{:+") if "+" not in fmt else fmt
        if fmt.endswith("%}"):  # a change of a rate is in percentage points, not percent
            delta_fmt = "{:+.1f} pp"
            kpi = {**kpi, "change": kpi["change"] * 100}
        p = kpi.get("change_p")
        if kpi.get("significant"):
            better = (kpi["change"] > 0) == higher_is_better
            cls = "cx-up" if better else "cx-down"
            said = {
                "change": Markup(f"<strong>{escape(_fmt(delta_fmt, kpi['change']))}</strong>"),
                "previous": _fmt(fmt, kpi["previous"]),
                "p": _p_markup(_p_text(cast(float, p))),
            }
            sentence = (
                tr_html("{change} vs previous month ({previous}), significant (better; {p})", **said)
                if better
                else tr_html("{change} vs previous month ({previous}), significant (worse; {p})", **said)
            )
            change = f'<div class="cx-change {cls}">{sentence}</div>'
        else:
            ptext = _p_text(p) if isinstance(p, (int, float)) else tr("not tested")
            sentence = tr_html(
                "{change} vs previous month ({previous}); not a significant change ({p})",
                change=_fmt(delta_fmt, kpi["change"]),
                previous=_fmt(fmt, kpi["previous"]),
                p=_p_markup(ptext),
            )
            change = f'<div class="cx-change cx-flat">{sentence}</div>'
    return (
        f'<div class="cx-kpi"><div class="cx-kpi-label">{escape(label)}</div>'
        f'<div class="cx-kpi-value">{_fmt(fmt, kpi["value"])}</div>'
        + (
            '<span class="cx-badge">{}</span>'.format(
                tr_html(
                    "Small base: n = {n}, below {min_n}",
                    n=_plain(kpi.get("n")),
                    min_n=i18n.integer(int(kpi.get("min_n") or 30)),
                )
            )
            if small
            else ""
        )
        + f'<div class="cx-kpi-note">{escape(ci)}{" · " if ci and n else ""}{escape(n)}</div>{change}'
        + _trend_and_target(label, kpi, fmt, extras, note=bool(note))
        + "</div>"
    )


def _trend_and_target(label: str, kpi: dict, fmt: str, extras: dict, *, note: bool) -> str:
    """The tile's sparkline (with the target line), the target and its test, the drill-down link."""
    test = extras.get("target") if isinstance(extras.get("target"), dict) else None
    target = test.get("target") if test else None
    trend: list[dict] = extras["trend"] if isinstance(extras.get("trend"), list) and not note else []
    month = str(kpi.get("month") or extras.get("month") or "")
    html = sparkline_svg(trend, month=month, fmt=fmt, label=label, target=target)
    if test:
        side = "below" if test.get("direction") == "below" else "above"
        short = (test["value"] < test["target"]) if side == "below" else (test["value"] > test["target"])
        if test.get("small_n"):
            verdict = tr("not tested: small base")
        elif test.get("misses") and side == "below":
            verdict = tr("misses target: significantly below it (one-sided {p})", p=_p_plain(test["p"]))
        elif test.get("misses"):
            verdict = tr("misses target: significantly above it (one-sided {p})", p=_p_plain(test["p"]))
        elif short:
            verdict = tr("short of target, within chance (one-sided {p})", p=_p_plain(test["p"]))
        else:
            verdict = tr("meets target")
        target_said = tr_html("Target {target}: {verdict}", target=_fmt(fmt, target), verdict=verdict)
        html += f'<div class="cx-kpi-note cx-target">{target_said}</div>'
    if extras.get("appendix"):
        href, text = extras["appendix"]
        html += f'<div class="cx-kpi-note"><a href="{escape(href)}">{escape(translate(text))}</a></div>'
    return html


def _p_plain(p: float) -> str:
    text = format_p(p)
    return tr("p {p}", p=text) if text.startswith("<") else tr("p = {p}", p=text)


def _and(names: list) -> str:
    names = [str(n) for n in names]
    if len(names) < 2:
        return "".join(names)
    return tr("{names} and {last}", names=", ".join(names[:-1]), last=names[-1])


def _p_markup(text: str) -> str:
    """A p-value phrase for a tile: written raw in English, as the page always wrote it (``p < 0.001``
    in the HTML source), escaped in the other languages."""
    return Markup(text) if i18n.get_language() == "en" else text


def _plain(n: object) -> str:
    """A small count as the English page writes it (no separator), in the report language otherwise."""
    return str(n) if i18n.get_language() == "en" else _count(n)


def _count(n: object) -> str:
    """A count in the report language (as it is when it is not a number)."""
    return i18n.integer(n) if isinstance(n, int) and not isinstance(n, bool) else str(n)


def render_index(results: dict, *, notebooks: Iterable[_Notebook], footer: str, notes: list[str] | None = None) -> str:
    """The index page as a string (see module docs). ``notes``: sentences shown under the
    title (e.g. why the month is not last calendar month)."""
    month = str(results.get("month", ""))
    skipped = cast(dict, results.get("skipped")) if isinstance(results.get("skipped"), dict) else {}
    trends: dict = results["kpi_trends"] if isinstance(results.get("kpi_trends"), dict) else {}
    targets: dict = results["targets"] if isinstance(results.get("targets"), dict) else {}
    drill = isinstance(results.get("summary"), list)  # the drill-down pages are written with the summary
    cards = []
    for key, sub, label, fmt, higher in _KPIS:
        section = results.get(key)
        kpi = section.get(sub) if (sub and isinstance(section, dict)) else section
        note = ""
        if key == "churn" and isinstance(kpi, dict) and kpi.get("value") is not None and _all_time(kpi):
            label, note = _ALL_TIME_CHURN
        cards.append(
            _kpi_card(
                translate(label),
                kpi if isinstance(kpi, dict) else None,
                fmt,
                higher,
                skipped.get(_KPI_NOTEBOOK.get(key, "")),
                note=translate(note) if note else "",
                extras={
                    "trend": trends.get(key),
                    "target": targets.get(_TARGET_KEY[key]),
                    "month": month,
                    "appendix": _DRILL.get(key) if drill else None,
                },
            )
        )
    not_shown: dict[str, int] = {}  # sections each page could not compute from the data
    for entry in results.get("sections_skipped") or []:
        if isinstance(entry, dict):
            not_shown[str(entry.get("page", ""))] = not_shown.get(str(entry.get("page", "")), 0) + 1
    links = []
    for nb in notebooks:
        section = getattr(nb, "section", None) or dict(_SECTIONS).get(nb.name)
        finding = ""
        if section and isinstance(results.get(section), dict):
            finding = results[section].get("finding") or ""
        if nb.name == "data_quality":
            finding = finding or _quality_finding(results.get("data_quality", {}))
        elif finding and (small := _small_basis(results, str(section))):
            finding = tr(
                "Not summarised here: {basis}, below the minimum of 30; the page shows the numbers "
                "without drawing findings from them.",
                basis=small,
            )
        count = not_shown.get(nb.name, 0)
        links.append(
            f'<li><a href="{escape(nb.name)}.html">{escape(translate(nb.title))}</a>'
            + (f'<p class="cx-finding">{safe_text(finding)}</p>' if finding else "")
            + (
                '<p class="cx-note">{}</p>'.format(
                    escape(
                        ntr(
                            "{n} section not shown: the data at hand cannot give them (the page says what is missing).",
                            "{n} sections not shown: the data at hand cannot give them (the page says what is missing).",
                            count,
                            n=i18n.integer(count),
                        )
                    )
                )
                if count
                else ""
            )
            + "</li>"
        )
    for why in skipped.values():
        if isinstance(why, dict):
            links.append(
                f'<li class="cx-skipped"><span>{safe_text(translate(str(why.get("title", ""))))}</span>'
                f'<p class="cx-finding">{safe_text(tr("Not built: {reason}.", reason=why.get("reason", "")))}</p></li>'
            )
    lede_notes = "".join(f'<p class="cx-note">{safe_text(note)}</p>' for note in notes or [])
    quality_rows = "".join(
        f'<tr><td>{safe_text(name)}</td><td class="num">{_count(q.get("read", 0))}</td><td class="num">{_count(q.get("accepted", 0))}</td>'
        f'<td class="num">{_count(q.get("rejected", 0))}</td><td>{safe_text("; ".join(f"{_count(n)} × {reason_text(r)}" for r, n in (q.get("reasons") or {}).items()))}</td></tr>'
        for name, q in (results.get("data_quality") or {}).items()
        if isinstance(q, dict)
    )
    heads = "".join(
        f'<th scope="col">{h}</th>'
        for h in (tr_html("source"), tr_html("read"), tr_html("accepted"), tr_html("rejected"), tr_html("top reasons"))
    )
    shown_month = i18n.month(month)
    return f"""{page_head(tr("Customer experience pack {month}", month=shown_month), CSS)}<body class="cx-index">
<main>
<h1>{tr_html("Customer experience, {month}", month=shown_month)}</h1>
{lede_notes}
{_summary_section(results)}
<section aria-labelledby="kpis"><h2 id="kpis">{tr_html("Headline KPIs")}</h2>
{_weighting_note(results)}<div class="cx-kpis">{"".join(cards)}</div></section>
<section aria-labelledby="reports"><h2 id="reports">{tr_html("Reports and findings")}</h2>
<ul class="cx-links">{"".join(links)}</ul></section>
<section aria-labelledby="quality"><h2 id="quality">{tr_html("Data quality")}</h2>
<table class="cx-table"><caption>{tr_html("Rows read, accepted and rejected per source, with the top rejection reasons")}</caption>
<thead><tr>{heads}</tr></thead>
<tbody>{quality_rows}</tbody></table></section>
</main>
<footer class="cx-footer">{escape(footer)} · <a href="appendix/how_to_read.html">{tr_html("How to read this pack")}</a> {tr_html("(intervals, significance, small bases, targets)")}{_drill_link(drill)}</footer>
</body>
</html>
"""


_TARGET_KEY = {
    "nps": "nps",
    "csat": "csat_mean",
    "ces": "ces_mean",
    "sentiment": "sentiment_mean",
    "churn": "churn_rate",
}
# Each tile's drill-down page.
_DRILL = {
    "nps": ("appendix/index.html#nps", N_("NPS by segment")),
    "csat": ("appendix/touchpoints.html", N_("CSAT by touchpoint")),
    "sentiment": ("appendix/index.html#comments", N_("Comments by theme")),
}


def _weighting_note(results: dict) -> str:
    """The NPS page's statement that the survey figures are weighted (issue 29: margins,
    effective n, the weights' range), with the link to the unweighted ones; "" when unweighted."""
    weighting = results.get("weighting")
    statement = weighting.get("statement") if isinstance(weighting, dict) else None
    if not statement:
        return ""
    link = Markup('<a href="nps_drivers.html">{}</a>').format(tr("the NPS page"))
    said = tr_html("The survey tiles and their trends are weighted; {page} shows the same KPIs unweighted.", page=link)
    return f'<p class="cx-note">{safe_text(str(statement))} {said}</p>'


def _summary_section(results: dict) -> str:
    """The executive summary: each bullet with a link to its evidence."""
    bullets = results.get("summary")
    if not isinstance(bullets, list) or not bullets:
        return ""
    items = "".join(
        f'<li>{safe_text(b.get("text", ""))} <a href="{escape(str(b.get("href", "")))}">{tr_html("Evidence")}</a></li>'
        for b in bullets
        if isinstance(b, dict)
    )
    guide = Markup('<a href="appendix/how_to_read.html">{}</a>').format(tr("how to read this pack"))
    note = tr_html("Only changes and differences that pass their significance test are stated; {guide}.", guide=guide)
    return (
        f'<section aria-labelledby="summary"><h2 id="summary">{tr_html("Summary")}</h2>'
        f'<ul class="cx-summary">{items}</ul><p class="cx-note">{note}</p></section>'
    )


def _drill_link(drill: bool) -> str:
    return f' · <a href="appendix/index.html">{tr_html("Drill-down pages")}</a>' if drill else ""


def _small_basis(results: dict, section: str) -> str:
    """What makes a section's finding rest on a small base ("n = 26 responses"), or ""."""
    if section == "nps":
        for key in ("nps", "csat", "ces"):
            kpi = results.get(key)
            if isinstance(kpi, dict) and kpi.get("value") is not None and small_base(kpi):
                return tr("{kpi} rests on n = {n} responses", kpi=key.upper(), n=_plain(kpi.get("n")))
        drivers = results.get("drivers") or []
        if drivers and isinstance(drivers[0], dict) and isinstance(drivers[0].get("n"), int) and drivers[0]["n"] < 30:
            return tr("the driver model rests on n = {n} responses", n=_plain(drivers[0]["n"]))
    elif section in ("sentiment", "churn"):
        part = results.get(section)
        kpi = part.get("headline") if isinstance(part, dict) else None
        if isinstance(kpi, dict) and kpi.get("value") is not None and small_base(kpi):
            return tr("the headline rests on n = {n}", n=_plain(kpi.get("n")))
    return ""


def _quality_finding(quality: dict) -> str:
    read = sum(q.get("read", 0) for q in quality.values() if isinstance(q, dict))
    rejected = sum(q.get("rejected", 0) for q in quality.values() if isinstance(q, dict))
    if not read:
        return ""
    return ntr(
        "{rejected} of {read} rows ({share}) across {n} source were rejected; every source was usable.",
        "{rejected} of {read} rows ({share}) across {n} sources were rejected; every source was usable.",
        len(quality),
        rejected=_count(rejected),
        read=_count(read),
        share=_share(rejected / read),
        n=_count(len(quality)),
    )


def _share(share: float) -> str:
    """A share with enough decimals to not read as zero: 0.02%, 1.5%."""
    return i18n.percent(share, 2) if 0 < share < 0.01 else i18n.percent(share, 1)


def write_index(
    path: Path, results: dict, *, notebooks: Iterable[_Notebook], footer: str, notes: list[str] | None = None
) -> None:
    Path(path).write_text(render_index(results, notebooks=notebooks, footer=footer, notes=notes), encoding="utf-8")
