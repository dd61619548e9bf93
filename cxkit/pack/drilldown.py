"""Drill-down pages without a server (issue 27), in the pack's ``appendix/`` folder.

- ``appendix/index.html``: every drill-down page, linked from the index's tiles and footer;
- ``appendix/nps-<breakdown>-<n>.html``: one page per value of each breakdown (the catalog's
  ``settings.breakdowns``, default segment and channel): the value's NPS, CSAT and CES this
  month with their intervals and bases, and its NPS over 13 months (sparkline and table);
- ``appendix/touchpoints.html``: CSAT by touchpoint against the previous month (``results.json``
  ``touchpoint_changes``);
- ``appendix/sentiment-language.html``: review sentiment by language (the review page's
  ``sentiment.by_language``, not recomputed);
- ``appendix/comments-<theme>-<group>.html``: the month's comments mentioning a theme, one page
  per theme and score group (detractor, passive, promoter), masked
  (:func:`cxkit.privacy.mask_pii`) and escaped, as plain text the browser's find searches.

Every page is static: the pack's CSP, no script, text from data escaped. A group below the
documented minimum (30) carries a small-base badge and no statement.
"""

from __future__ import annotations

import warnings
from html import escape
from pathlib import Path

import pandas as pd

from ..analysis.nps import MIN_N, ces, csat, nps
from ..analysis.themes import tag_themes, theme_dictionary
from ..display import safe_text
from ..errors import DataWarning
from ..privacy import mask_pii
from ._kpis import CSS, TREND_MONTHS, kpi_history, sparkline_svg, static_page

__all__ = ["write_drilldown"]

_GROUPS = {"detractor": (0, 6), "passive": (7, 8), "promoter": (9, 10)}
#: Comments shown per theme and group page (the most recent first); the page says how many more.
MAX_COMMENTS = 200


def _num(value: object, fmt: str) -> str:
    return fmt.format(value) if isinstance(value, (int, float)) and value == value else "–"


def _badge(n: int) -> str:
    return f' <span class="cx-badge">Small base: n = {n}, below {MIN_N}</span>' if n < MIN_N else ""


def _kpi_rows(rows: pd.DataFrame) -> str:
    out = []
    for label, fn, fmt in (("NPS", nps, "{:+.1f}"), ("CSAT mean", csat, "{:.2f}"), ("CES mean", ces, "{:.2f}")):
        column = {"NPS": "nps", "CSAT mean": "csat", "CES mean": "ces"}[label]
        if column not in rows.columns or not rows[column].notna().any():
            continue
        # The source's scale was checked on all its rows when it was read; a segment's few rows may
        # lack a 0 by chance, which is not a sign of a 1-10 scale.
        est = (nps(rows, check_scale=False) if column == "nps" else fn(rows)).iloc[0]
        value = est["nps"] if column == "nps" else est["value"]
        n = int(est["n"])
        out.append(
            f'<tr><th scope="row">{label}</th><td class="num">{_num(value, fmt)}</td>'
            f'<td class="num">{_num(est["ci_low"], fmt)} to {_num(est["ci_high"], fmt)}</td>'
            f'<td class="num">{n:,}{_badge(n)}</td></tr>'
        )
    return "".join(out)


def _segment_page(feedback: pd.DataFrame, column: str, value: object, *, month: str, footer: str) -> str:
    name = safe_text(mask_pii(str(value)))
    period = pd.Period(month, "M")
    mine = feedback[feedback[column] == value]
    this = mine[mine["responded_at"].dt.to_period("M") == period]
    with warnings.catch_warnings():
        # The source's 0-10 scale was checked on all its rows when it was read; a segment's month
        # may lack a 0 by chance, which is no sign of a 1-10 rating.
        warnings.simplefilter("ignore", DataWarning)
        history = kpi_history(mine, month=month, periods=TREND_MONTHS).get("nps", [])
    spark = sparkline_svg(history, month=month, fmt="{:+.1f}", label=f"NPS of {mask_pii(str(value))}")
    months = "".join(
        f'<tr><td>{escape(p["period"])}</td><td class="num">{p["value"]:+.1f}</td>'
        f'<td class="num">{p["ci_low"]:+.1f} to {p["ci_high"]:+.1f}</td><td class="num">{p["n"]:,}{_badge(p["n"])}</td></tr>'
        for p in history
    )
    body = (
        f"<h1>{escape(column.replace('_', ' ').capitalize())}: {name}, {escape(month)}</h1>"
        '<p class="cx-note">The numbers of this group alone; differences between groups are tested on the NPS '
        'page (<a href="../nps_drivers.html">NPS and key drivers</a>).</p>'
        '<table class="cx-table"><caption>This month, with 95% confidence intervals</caption>'
        '<thead><tr><th scope="col">KPI</th><th scope="col">value</th><th scope="col">95% CI</th>'
        f'<th scope="col">n</th></tr></thead><tbody>{_kpi_rows(this)}</tbody></table>'
        f"<h2>NPS by month</h2>{spark}"
        '<table class="cx-table"><caption>NPS by month, with 95% confidence intervals</caption>'
        '<thead><tr><th scope="col">month</th><th scope="col">NPS</th><th scope="col">95% CI</th>'
        f'<th scope="col">n</th></tr></thead><tbody>{months}</tbody></table>'
    )
    # The tab's title names no value from the data (the heading shows it, escaped).
    return static_page(f"NPS drill-down by {column}, {month}", body, footer=footer, depth=1, css=CSS)


def _touchpoint_page(results: dict, *, month: str, footer: str) -> str:
    rows = "".join(
        f'<tr><td>{safe_text(t.get("touchpoint"))}</td><td class="num">{_num(t.get("value"), "{:.2f}")}</td>'
        f'<td class="num">{_num(t.get("previous"), "{:.2f}")}</td><td class="num">{_num(t.get("change"), "{:+.2f}")}</td>'
        f'<td class="num">{_num(t.get("p_adjusted"), "{:.3g}")}</td>'
        f"<td>{'significant fall' if t.get('falling') else ('significant rise' if t.get('significant') else ('small base' if t.get('small_n') else 'no significant change'))}</td>"
        f'<td class="num">{int(t.get("n") or 0):,}{_badge(int(t.get("n") or 0))}</td></tr>'
        for t in results.get("touchpoint_changes") or []
        if isinstance(t, dict)
    )
    body = (
        f"<h1>CSAT by touchpoint, {escape(month)}</h1>"
        '<table class="cx-table"><caption>Mean CSAT by touchpoint against the previous month '
        "(Welch t, Holm-adjusted across touchpoints)</caption><thead><tr>"
        + "".join(
            f'<th scope="col">{h}</th>'
            for h in ("touchpoint", "CSAT", "previous", "change", "adjusted p", "verdict", "n")
        )
        + f"</tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else f"<h1>CSAT by touchpoint, {escape(month)}</h1>"
        '<p class="cx-note">Not available: the survey has no touchpoint or CSAT column, or no answers this month.</p>'
    )
    return static_page(f"CSAT by touchpoint, {month}", body, footer=footer, depth=1, css=CSS)


def _language_page(results: dict, *, month: str, footer: str) -> str:
    part = results.get("sentiment") if isinstance(results.get("sentiment"), dict) else {}
    by = part.get("by_language") if isinstance(part, dict) else None
    rows = "".join(
        f'<tr><td>{safe_text(lang)}</td><td class="num">{_num(v.get("mean_compound"), "{:+.2f}")}</td>'
        f'<td class="num">{_num(v.get("share_negative"), "{:.1%}")}</td><td class="num">{int(v.get("n") or 0):,}{_badge(int(v.get("n") or 0))}</td></tr>'
        for lang, v in (by or {}).items()
        if isinstance(v, dict)
    )
    body = (
        f"<h1>Review sentiment by language, {escape(month)}</h1>"
        '<p class="cx-note">From the <a href="../review_sentiment.html">review sentiment page</a>.</p>'
        '<table class="cx-table"><caption>Mean sentiment and share of negative reviews by language</caption>'
        '<thead><tr><th scope="col">language</th><th scope="col">mean sentiment</th><th scope="col">negative</th>'
        f'<th scope="col">n</th></tr></thead><tbody>{rows}</tbody></table>'
    )
    return static_page(f"Review sentiment by language, {month}", body, footer=footer, depth=1, css=CSS)


def _comment_pages(
    feedback: pd.DataFrame, *, month: str, settings: dict, footer: str
) -> dict[str, tuple[str, str, int]]:
    """file name -> (title, html, comments) of each theme x group page with comments."""
    if "comment" not in feedback.columns or "nps" not in feedback.columns:
        return {}
    this = feedback[(feedback["responded_at"].dt.to_period("M") == pd.Period(month, "M")) & feedback["comment"].notna()]
    if this.empty:
        return {}
    tagged = tag_themes(this["comment"], themes=theme_dictionary(settings))
    pages = {}
    for t_index, theme in enumerate(tagged.columns):
        for group, (lo, hi) in _GROUPS.items():
            rows = this[tagged[theme].to_numpy() & this["nps"].between(lo, hi).to_numpy()]
            if rows.empty:
                continue
            rows = rows.sort_values("responded_at", ascending=False, kind="stable")
            shown = rows.head(MAX_COMMENTS)
            items = "".join(
                f'<li>{safe_text(mask_pii(str(c)))} <span class="cx-note">(score {int(s)})</span></li>'
                for c, s in zip(shown["comment"], shown["nps"], strict=True)
            )
            more = (
                f'<p class="cx-note">The {MAX_COMMENTS} most recent of {len(rows):,} comments.</p>'
                if len(rows) > MAX_COMMENTS
                else ""
            )
            label = mask_pii(str(theme))
            title = f"Comments on {label} from {group}s, {month}"
            body = (
                f'<h1>{escape(str(title))}</h1><p class="cx-note">{len(rows):,} comment{"s" if len(rows) != 1 else ""} this month '
                f"mention {safe_text(label)} and come from {group}s (NPS {lo}-{hi}); personal data are masked.</p>"
                f'{more}<ul class="cx-verbatim">{items}</ul>'
            )
            pages[f"comments-{t_index}-{group}.html"] = (
                str(title),
                static_page(f"Comments by theme, {group}s, {month}", body, footer=footer, depth=1, css=CSS),
                len(rows),
            )
    return pages


def write_drilldown(
    folder: Path, results: dict, feedback: pd.DataFrame | None, *, month: str, settings: dict, footer: str = ""
) -> list[str]:
    """Write the drill-down pages under ``folder/appendix/``; return their paths relative to ``folder``."""
    drill = Path(folder) / "appendix"
    drill.mkdir(exist_ok=True)
    written: dict[str, str] = {}
    links: dict[str, list[str]] = {"nps": [], "other": [], "comments": []}
    if feedback is not None:
        period = pd.Period(month, "M")
        this = feedback[feedback["responded_at"].dt.to_period("M") == period]
        breakdowns = settings.get("breakdowns") or ["segment", "channel"]
        for column in [str(c) for c in breakdowns]:
            if column not in feedback.columns:
                continue
            for i, value in enumerate(sorted(this[column].dropna().unique(), key=str)):
                name = f"nps-{column}-{i}.html"
                written[name] = _segment_page(feedback, column, value, month=month, footer=footer)
                n = int((this[column] == value).sum())
                links["nps"].append(
                    f'<li><a href="{escape(name)}">{safe_text(column)}: {safe_text(mask_pii(str(value)))}</a> (n = {n:,}){_badge(n)}</li>'
                )
        for name, (title, html, count) in _comment_pages(
            feedback, month=month, settings=settings, footer=footer
        ).items():
            written[name] = html
            links["comments"].append(f'<li><a href="{escape(name)}">{safe_text(title)}</a> ({count:,})</li>')
    written["touchpoints.html"] = _touchpoint_page(results, month=month, footer=footer)
    links["other"].append('<li><a href="touchpoints.html">CSAT by touchpoint</a></li>')
    if isinstance(results.get("sentiment"), dict) and results["sentiment"].get("by_language"):
        written["sentiment-language.html"] = _language_page(results, month=month, footer=footer)
        links["other"].append('<li><a href="sentiment-language.html">Review sentiment by language</a></li>')
    body = (
        f"<h1>Drill-down pages, {escape(month)}</h1>"
        '<section aria-labelledby="nps"><h2 id="nps">NPS by segment</h2>'
        f'<ul class="cx-drill">{"".join(links["nps"]) or "<li>No breakdown column in the survey.</li>"}</ul></section>'
        '<section aria-labelledby="other"><h2 id="other">Touchpoints and languages</h2>'
        f'<ul class="cx-drill">{"".join(links["other"])}</ul></section>'
        '<section aria-labelledby="comments"><h2 id="comments">Comments by theme and score group</h2>'
        f'<ul class="cx-drill">{"".join(links["comments"]) or "<li>No comments this month.</li>"}</ul></section>'
    )
    written["index.html"] = static_page(f"Drill-down pages, {month}", body, footer=footer, depth=1, css=CSS)
    for name, html in written.items():
        (drill / name).write_text(html, encoding="utf-8")
    return [f"appendix/{name}" for name in sorted(written)]
