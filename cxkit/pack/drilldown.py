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
  (:func:`cxkit.privacy.mask_pii`) and escaped, as plain text the browser's find searches;
- ``appendix/sentiment-<breakdown>.html``: the sentiment of the month's survey comments per value
  of each breakdown, against the rest (:func:`cxkit.analysis.reviews.sentiment_by_group`,
  Holm-adjusted across the values);
- ``appendix/reviews-<theme>-<class>.html``: the month's reviews mentioning a theme (the review
  page's theme set), one page per theme and sentiment class, masked and escaped like the comments.

Every page is static: the pack's CSP, no script, text from data escaped. A group below the
documented minimum (30) carries a small-base badge and no statement.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from html import escape
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from .. import i18n
from ..analysis.nps import MIN_N, ces, csat, nps
from ..analysis.reviews import sentiment_by_group
from ..analysis.sentiment import sentiment
from ..analysis.themes import tag_themes, theme_dictionary
from ..display import COLUMN_WORDS, safe_text
from ..errors import DataWarning
from ..i18n import N_, ntr, tr, tr_html, translate
from ..privacy import mask_pii
from ._kpis import CSS, TREND_MONTHS, kpi_history, number, sparkline_svg, static_page

__all__ = ["comment_scores", "write_drilldown"]

_GROUPS = {"detractor": (0, 6), "passive": (7, 8), "promoter": (9, 10)}
#: Each score group in the plural, as page titles name it.
_GROUP_WORDS = {"detractor": N_("detractors"), "passive": N_("passives"), "promoter": N_("promoters")}
#: Each sentiment class as a page names it.
_CLASS_WORDS = {"negative": N_("negative"), "neutral": N_("neutral"), "positive": N_("positive")}
#: Comments shown per theme and group page (the most recent first); the page says how many more.
MAX_COMMENTS = 200


def _num(value: object, fmt: str) -> str:
    return number(fmt, value) if isinstance(value, (int, float)) and value == value else "–"


def _count(n: int) -> str:
    return i18n.integer(n)


def _plain(n: int) -> str:
    """A small count as the English page writes it (no separator), in the report language otherwise."""
    return str(n) if i18n.get_language() == "en" else i18n.integer(n)


def _badge(n: int) -> str:
    if n >= MIN_N:
        return ""
    return ' <span class="cx-badge">{}</span>'.format(
        tr_html("Small base: n = {n}, below {min_n}", n=_plain(n), min_n=_plain(MIN_N))
    )


def _interval(low: object, high: object, fmt: str) -> str:
    return tr("{low} to {high}", low=_num(low, fmt), high=_num(high, fmt))


def _column(column: str) -> str:
    """A breakdown column's name for a heading (``segment`` -> ``Segment``), in the report language."""
    word = translate(COLUMN_WORDS[column]) if column in COLUMN_WORDS else column.replace("_", " ")
    return word.capitalize()


def _word(column: str) -> str:
    """A breakdown column's name in a sentence: as it is in English, in words of the other languages."""
    if i18n.get_language() == "en" or column not in COLUMN_WORDS:
        return column
    return translate(COLUMN_WORDS[column])


def _th(*heads: str) -> str:
    return "".join(f'<th scope="col">{escape(h)}</th>' for h in heads)


def _kpi_rows(rows: pd.DataFrame) -> str:
    out = []
    for label, fn, fmt in (("NPS", nps, "{:+.1f}"), (N_("CSAT mean"), csat, "{:.2f}"), (N_("CES mean"), ces, "{:.2f}")):
        column = {"NPS": "nps", "CSAT mean": "csat", "CES mean": "ces"}[label]
        if column not in rows.columns or not rows[column].notna().any():
            continue
        # The source's scale was checked on all its rows when it was read; a segment's few rows may
        # lack a 0 by chance, which is not a sign of a 1-10 scale.
        est = (nps(rows, check_scale=False) if column == "nps" else fn(rows)).iloc[0]
        value = est["nps"] if column == "nps" else est["value"]
        n = int(est["n"])
        out.append(
            f'<tr><th scope="row">{escape(translate(label))}</th><td class="num">{_num(value, fmt)}</td>'
            f'<td class="num">{_interval(est["ci_low"], est["ci_high"], fmt)}</td>'
            f'<td class="num">{_count(n)}{_badge(n)}</td></tr>'
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
        history = kpi_history(mine, month=month, periods=TREND_MONTHS, kpis=("nps",)).get("nps", [])
    spark = sparkline_svg(history, month=month, fmt="{:+.1f}", label=tr("NPS of {group}", group=mask_pii(str(value))))
    months = "".join(
        f'<tr><td>{escape(i18n.month(p["period"]))}</td><td class="num">{_num(p["value"], "{:+.1f}")}</td>'
        f'<td class="num">{_interval(p["ci_low"], p["ci_high"], "{:+.1f}")}</td>'
        f'<td class="num">{_count(p["n"])}{_badge(p["n"])}</td></tr>'
        for p in history
    )
    link = Markup('<a href="../nps_drivers.html">{}</a>').format(tr("NPS and key drivers"))
    ci = tr("95% CI")
    note = tr_html(
        "The numbers of this group alone; differences between groups are tested on the NPS page ({page}).", page=link
    )
    body = (
        f"<h1>{escape(_column(column))}: {name}, {escape(i18n.month(month))}</h1>"
        f'<p class="cx-note">{note}</p>'
        f'<table class="cx-table"><caption>{tr_html("This month, with 95% confidence intervals")}</caption>'
        f"<thead><tr>{_th(tr('KPI'), tr('value'), ci, 'n')}</tr></thead><tbody>{_kpi_rows(this)}</tbody></table>"
        f"<h2>{tr_html('NPS by month')}</h2>{spark}"
        f'<table class="cx-table"><caption>{tr_html("NPS by month, with 95% confidence intervals")}</caption>'
        f"<thead><tr>{_th(tr('month'), 'NPS', ci, 'n')}</tr></thead><tbody>{months}</tbody></table>"
    )
    # The tab's title names no value from the data (the heading shows it, escaped).
    title = tr("NPS drill-down by {column}, {month}", column=_word(column), month=i18n.month(month))
    return static_page(title, body, footer=footer, depth=1, css=CSS)


def _touchpoint_page(results: dict, *, month: str, footer: str) -> str:
    rows = "".join(
        f'<tr><td>{safe_text(t.get("touchpoint"))}</td><td class="num">{_num(t.get("value"), "{:.2f}")}</td>'
        f'<td class="num">{_num(t.get("previous"), "{:.2f}")}</td><td class="num">{_num(t.get("change"), "{:+.2f}")}</td>'
        f'<td class="num">{_num(t.get("p_adjusted"), "{:.3g}")}</td>'
        f"<td>{escape(_verdict(t))}</td>"
        f'<td class="num">{_count(int(t.get("n") or 0))}{_badge(int(t.get("n") or 0))}</td></tr>'
        for t in results.get("touchpoint_changes") or []
        if isinstance(t, dict)
    )
    heading = tr_html("CSAT by touchpoint, {month}", month=i18n.month(month))
    caption = tr_html("Mean CSAT by touchpoint against the previous month (Welch t, Holm-adjusted across touchpoints)")
    heads = _th(tr("touchpoint"), "CSAT", tr("previous"), tr("change"), tr("adjusted p"), tr("verdict"), "n")
    missing = tr_html("Not available: the survey has no touchpoint or CSAT column, or no answers this month.")
    body = (
        f'<h1>{heading}</h1><table class="cx-table"><caption>{caption}</caption><thead><tr>{heads}'
        f"</tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else f'<h1>{heading}</h1><p class="cx-note">{missing}</p>'
    )
    return static_page(
        tr("CSAT by touchpoint, {month}", month=i18n.month(month)), body, footer=footer, depth=1, css=CSS
    )


def _verdict(t: dict) -> str:
    if t.get("falling"):
        return tr("significant fall")
    if t.get("significant"):
        return tr("significant rise")
    return tr("small base") if t.get("small_n") else tr("no significant change")


def _language_page(results: dict, *, month: str, footer: str, more: str = "") -> str:
    part = results.get("sentiment") if isinstance(results.get("sentiment"), dict) else {}
    by = part.get("by_language") if isinstance(part, dict) else None
    rows = "".join(
        f'<tr><td>{safe_text(lang)}</td><td class="num">{_num(v.get("mean_compound"), "{:+.2f}")}</td>'
        f'<td class="num">{_num(v.get("share_negative"), "{:.1%}")}</td><td class="num">{_count(int(v.get("n") or 0))}{_badge(int(v.get("n") or 0))}</td></tr>'
        for lang, v in (by or {}).items()
        if isinstance(v, dict)
    )
    title = tr("Review sentiment by language, {month}", month=i18n.month(month))
    link = Markup('<a href="../review_sentiment.html">{}</a>').format(tr("review sentiment page"))
    note = tr_html("From the {page}.", page=link)
    caption = tr_html("Mean sentiment and share of negative reviews by language")
    body = (
        f'<h1>{escape(title)}</h1><p class="cx-note">{note}</p>'
        f'<table class="cx-table"><caption>{caption}</caption>'
        f"<thead><tr>{_th(tr('language'), tr('mean sentiment'), tr('negative'), 'n')}</tr></thead>"
        f"<tbody>{rows}</tbody></table>{more}"
    )
    return static_page(title, body, footer=footer, depth=1, css=CSS)


def _month_comments(feedback: pd.DataFrame, month: str) -> pd.DataFrame:
    """The feedback rows of ``month`` with a comment."""
    return feedback[(feedback["responded_at"].dt.to_period("M") == pd.Period(month, "M")) & feedback["comment"].notna()]


def comment_scores(feedback: pd.DataFrame, month: str) -> pd.DataFrame:
    """The sentiment of the month's survey comments as the drill-down pages score them: the
    lexicon, each row's language when the survey has a ``language`` column, as
    :func:`cxkit.comment_sentiment` scores them.

    Returns one row per feedback row of ``month`` with a comment, in their order: ``comment``,
    ``language`` (when the survey has one), ``compound``, ``label`` and ``scored`` (False for a
    comment the lexicon cannot read). The review page, whose kernel holds the lexicons already,
    hands this frame to the runner
    (:meth:`cxkit.pack.review_sentiment.SentimentReport.save_results`), so the runner does not
    build them again (0.3-0.6 s of the summary step, which runs after every notebook).
    """
    this = _month_comments(feedback, month) if "comment" in feedback.columns else feedback.iloc[0:0]
    texts = ["comment", "language"] if "language" in this.columns else ["comment"]
    if this.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in texts}).assign(
            compound=pd.Series([], dtype=float), label=pd.Series([], dtype=object), scored=pd.Series([], dtype=bool)
        )
    scores = sentiment(this["comment"], this["language"] if "language" in this.columns else None, explain=0)
    return (
        this[texts]
        .reset_index(drop=True)
        .assign(
            compound=scores["compound"].to_numpy(),
            label=scores["label"].to_numpy(),
            scored=scores["scored"].astype(bool).to_numpy(),
        )
    )


def _scores_fit(scores: pd.DataFrame, this: pd.DataFrame) -> bool:
    """Whether ``scores`` (:func:`comment_scores`) were computed from exactly the comments and
    languages of ``this``, in its order: then they are what scoring ``this`` gives."""
    texts = ["comment", "language"] if "language" in this.columns else ["comment"]
    if len(scores) != len(this) or [c for c in scores.columns if c in ("comment", "language")] != texts:
        return False
    return all(
        scores[c].astype("string").reset_index(drop=True).equals(this[c].astype("string").reset_index(drop=True))
        for c in texts
    )


def _scored_comments(feedback: pd.DataFrame, month: str, scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """The month's survey comments with their sentiment (``compound``, ``label``), scored ones only.

    ``scores``: :func:`comment_scores` of these comments, computed elsewhere (the review page);
    used when they are of exactly these comments and languages, else the comments are scored
    here."""
    if "comment" not in feedback.columns:
        return feedback.iloc[0:0]
    this = _month_comments(feedback, month)
    if this.empty:
        return this
    if scores is None or not _scores_fit(scores, this):
        scores = comment_scores(this, month)
    scored = scores["scored"].to_numpy(dtype=bool)
    return this.assign(compound=scores["compound"].to_numpy(), label=scores["label"].to_numpy())[scored]


def _p(p: float) -> str:
    """``= 0.034`` or ``< 0.001``, in the report language."""
    text = i18n.p_value(float(p))
    return text if text.startswith("<") else "= " + text


def _differs(row: pd.Series, test: str, higher: str, lower: str) -> str:
    if row["small_n"]:
        return tr("small base")
    if not row[f"{test}_differs"]:
        return tr("no significant difference")
    ours, rest = (
        (row["mean"], row["mean_rest"]) if test == "mean" else (row["share_negative"], row["share_negative_rest"])
    )
    return higher if ours > rest else lower


def _sentiment_page(comments: pd.DataFrame, column: str, *, month: str, footer: str) -> tuple[str, int] | None:
    """The page of comment sentiment by ``column`` and how many values it shows (None: no value)."""
    table = sentiment_by_group(comments, by=column, min_n=MIN_N)
    if table.empty:
        return None
    rows, said = [], []
    for _, r in table.iterrows():
        value = safe_text(mask_pii(str(r["value"])))
        n = int(r["n"])
        rows.append(
            f"<tr><td>{value}</td>"
            f'<td class="num">{_num(r["mean"], "{:+.2f}")}</td>'
            f'<td class="num">{_interval(r["ci_low"], r["ci_high"], "{:+.2f}")}</td>'
            + "".join(
                f'<td class="num">{_num(r[k], "{:.1%}")}</td>'
                for k in ("share_negative", "share_neutral", "share_positive")
            )
            + f"<td>{escape(_differs(r, 'mean', tr('higher'), tr('lower')))}</td>"
            f'<td class="num">{_num(r["p_mean_adjusted"], "{:.3g}")}</td>'
            f"<td>{escape(_differs(r, 'negative', tr('higher'), tr('lower')))}</td>"
            f'<td class="num">{_num(r["p_negative_adjusted"], "{:.3g}")}</td>'
            f'<td class="num">{_count(n)}{_badge(n)}</td></tr>'
        )
        label = str(mask_pii(str(r["value"])))
        if r["mean_differs"] and not r["small_n"]:
            said.append(
                tr(
                    "{value}: mean sentiment {mean} against {rest} in the other comments (Holm-adjusted p {p}).",
                    value=label,
                    mean=_num(r["mean"], "{:+.2f}"),
                    rest=_num(r["mean_rest"], "{:+.2f}"),
                    p=_p(r["p_mean_adjusted"]),
                )
            )
        if r["negative_differs"] and not r["small_n"]:
            said.append(
                tr(
                    "{value}: {share} of comments negative against {rest} in the other comments (Holm-adjusted p {p}).",
                    value=label,
                    share=_num(r["share_negative"], "{:.1%}"),
                    rest=_num(r["share_negative_rest"], "{:.1%}"),
                    p=_p(r["p_negative_adjusted"]),
                )
            )
    if not said:
        said.append(
            tr(
                "No {column} differs significantly from the other comments in sentiment this month.",
                column=_word(column),
            )
        )
    method = tr(
        "The month's survey comments, scored with the sentiment lexicon. Each {column} is compared with all "
        "other comments: the mean by Welch's t-test, the share of negative comments by a two-sample test of "
        "proportions, each Holm-adjusted across the values; a difference is stated only when its adjusted p "
        "is below {alpha} and both sides have at least {min_n} comments.",
        column=_word(column),
        alpha=i18n.decimal(0.05, 2),
        min_n=_plain(MIN_N),
    )
    heads = _th(
        _column(column),
        tr("mean sentiment"),
        tr("95% CI"),
        tr("negative"),
        tr("neutral"),
        tr("positive"),
        tr("mean against the rest"),
        tr("adjusted p"),
        tr("share negative against the rest"),
        tr("adjusted p"),
        "n",
    )
    title = tr("Comment sentiment by {column}, {month}", column=_word(column), month=i18n.month(month))
    caption = tr_html("Mean sentiment with 95% confidence intervals and shares of each class, against the rest")
    findings = "".join(f"<li>{safe_text(s)}</li>" for s in said)
    body = (
        f'<h1>{escape(title)}</h1><ul>{findings}</ul><p class="cx-note">{escape(method)}</p>'
        f'<div class="cx-table-wrap" role="region" tabindex="0" aria-label="{escape(title)}">'
        f'<table class="cx-table"><caption>{caption}</caption><thead><tr>{heads}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return static_page(title, body, footer=footer, depth=1, css=CSS), len(table)


def _review_pages(
    reviews: pd.DataFrame, themes: list[str], *, month: str, footer: str
) -> dict[str, tuple[str, str, int]]:
    """file name -> (title, html, reviews) of each theme x sentiment class page with reviews.

    ``reviews``: the month's scored reviews (``text``, ``label``, one boolean column per theme),
    as :func:`cxkit.analysis.reviews.score_reviews` gives them for the review page."""
    if reviews.empty or "text" not in reviews.columns or "label" not in reviews.columns:
        return {}
    if "published_at" in reviews.columns:
        reviews = reviews.sort_values("published_at", ascending=False, kind="stable")
    pages = {}
    for t_index, theme in enumerate(themes):
        if theme not in reviews.columns:
            continue
        mentions = reviews[theme].fillna(False).astype(bool).to_numpy()
        for label in _CLASS_WORDS:
            rows = reviews[mentions & (reviews["label"] == label).to_numpy() & reviews["text"].notna().to_numpy()]
            if rows.empty:
                continue
            shown = rows.head(MAX_COMMENTS)
            ratings = shown["rating"] if "rating" in shown.columns else pd.Series(index=shown.index, dtype=float)
            items = "".join(
                f"<li>{safe_text(mask_pii(str(text)))}"
                + (
                    f' <span class="cx-note">{tr_html("(rating {rating})", rating=_num(float(rating), "{:g}"))}</span>'
                    if pd.notna(pd.to_numeric(rating, errors="coerce"))
                    else ""
                )
                + "</li>"
                for text, rating in zip(shown["text"], ratings, strict=True)
            )
            more = (
                '<p class="cx-note">{}</p>'.format(
                    tr_html("The {shown} most recent of {n} reviews.", shown=_plain(MAX_COMMENTS), n=_count(len(rows)))
                )
                if len(rows) > MAX_COMMENTS
                else ""
            )
            name = str(mask_pii(str(theme)))
            word = translate(_CLASS_WORDS[label])
            title = tr("Reviews on {theme}, {sentiment}, {month}", theme=name, sentiment=word, month=i18n.month(month))
            said = ntr(
                "{n} review this month mentions {theme} and is classed {sentiment}; personal data are masked.",
                "{n} reviews this month mention {theme} and are classed {sentiment}; personal data are masked.",
                len(rows),
                n=_count(len(rows)),
                theme=name,
                sentiment=word,
            )
            body = (
                f'<h1>{escape(title)}</h1><p class="cx-note">{safe_text(said)}</p>'
                f'{more}<ul class="cx-verbatim">{items}</ul>'
            )
            tab = tr("Reviews by theme, {sentiment}, {month}", sentiment=word, month=i18n.month(month))
            pages[f"reviews-{t_index}-{label}.html"] = (
                title,
                static_page(tab, body, footer=footer, depth=1, css=CSS),
                len(rows),
            )
    return pages


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
                f'<li>{safe_text(mask_pii(str(c)))} <span class="cx-note">{tr_html("(score {score})", score=str(int(s)))}</span></li>'
                for c, s in zip(shown["comment"], shown["nps"], strict=True)
            )
            more = (
                '<p class="cx-note">{}</p>'.format(
                    tr_html("The {shown} most recent of {n} comments.", shown=_plain(MAX_COMMENTS), n=_count(len(rows)))
                )
                if len(rows) > MAX_COMMENTS
                else ""
            )
            label = str(mask_pii(str(theme)))
            groups = translate(_GROUP_WORDS[group])
            title = tr(
                "Comments on {theme} from {groups}, {month}", theme=label, groups=groups, month=i18n.month(month)
            )
            said = ntr(
                "{n} comment this month mentions {theme} and comes from {groups} (NPS {low}-{high}); "
                "personal data are masked.",
                "{n} comments this month mention {theme} and come from {groups} (NPS {low}-{high}); "
                "personal data are masked.",
                len(rows),
                n=_count(len(rows)),
                theme=label,
                groups=groups,
                low=str(lo),
                high=str(hi),
            )
            body = (
                f'<h1>{escape(str(title))}</h1><p class="cx-note">{safe_text(said)}</p>'
                f'{more}<ul class="cx-verbatim">{items}</ul>'
            )
            tab = tr("Comments by theme, {groups}, {month}", groups=groups, month=i18n.month(month))
            pages[f"comments-{t_index}-{group}.html"] = (
                str(title),
                static_page(tab, body, footer=footer, depth=1, css=CSS),
                len(rows),
            )
    return pages


def write_drilldown(
    folder: Path,
    results: dict,
    feedback: pd.DataFrame | None,
    *,
    month: str,
    settings: dict,
    footer: str = "",
    reviews: pd.DataFrame | None = None,
    themes: Sequence[str] = (),
    comments: pd.DataFrame | None = None,
) -> list[str]:
    """Write the drill-down pages under ``folder/appendix/``; return their paths relative to ``folder``.

    ``comments``: :func:`comment_scores` of the month's survey comments, when a page computed them.
    ``reviews``: the month's scored reviews with one boolean column per theme of ``themes`` (the
    review page's scores, :func:`cxkit.analysis.reviews.score_reviews`), for the review pages."""
    drill = Path(folder) / "appendix"
    drill.mkdir(exist_ok=True)
    written: dict[str, str] = {}
    links: dict[str, list[str]] = {"nps": [], "other": [], "comments": [], "sentiment": [], "reviews": []}
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
                    f'<li><a href="{escape(name)}">{safe_text(_word(column))}: {safe_text(mask_pii(str(value)))}</a> '
                    f"(n = {_count(n)}){_badge(n)}</li>"
                )
        for name, (title, html, count) in _comment_pages(
            feedback, month=month, settings=settings, footer=footer
        ).items():
            written[name] = html
            links["comments"].append(f'<li><a href="{escape(name)}">{safe_text(title)}</a> ({_count(count)})</li>')
        comments = _scored_comments(feedback, month, comments)
        for column in [str(c) for c in breakdowns]:
            if comments.empty or column not in comments.columns:
                continue
            page = _sentiment_page(comments, column, month=month, footer=footer)
            if page is None:
                continue
            name = f"sentiment-{column}.html"
            written[name] = page[0]
            label = tr("Comment sentiment by {column}", column=_word(column))
            links["sentiment"].append(f'<li><a href="{escape(name)}">{safe_text(label)}</a></li>')
    if reviews is not None:
        for name, (title, html, count) in _review_pages(reviews, list(themes), month=month, footer=footer).items():
            written[name] = html
            links["reviews"].append(f'<li><a href="{escape(name)}">{safe_text(title)}</a> ({_count(count)})</li>')
    written["touchpoints.html"] = _touchpoint_page(results, month=month, footer=footer)
    links["other"].append(f'<li><a href="touchpoints.html">{tr_html("CSAT by touchpoint")}</a></li>')
    if isinstance(results.get("sentiment"), dict) and results["sentiment"].get("by_language"):
        more = ""
        if links["sentiment"] or links["reviews"]:
            more = '<p class="cx-note">{}</p>'.format(
                tr_html(
                    "Sentiment of the survey comments by segment and reviews by theme and sentiment: {index}.",
                    index=Markup('<a href="index.html#{}">{}</a>').format(
                        "sentiment" if links["sentiment"] else "reviews", tr("drill-down pages")
                    ),
                )
            )
        written["sentiment-language.html"] = _language_page(results, month=month, footer=footer, more=more)
        links["other"].append(
            f'<li><a href="sentiment-language.html">{tr_html("Review sentiment by language")}</a></li>'
        )
    none_nps = f"<li>{tr_html('No breakdown column in the survey.')}</li>"
    none_comments = f"<li>{tr_html('No comments this month.')}</li>"
    title = tr("Drill-down pages, {month}", month=i18n.month(month))
    body = (
        f"<h1>{escape(title)}</h1>"
        f'<section aria-labelledby="nps"><h2 id="nps">{tr_html("NPS by segment")}</h2>'
        f'<ul class="cx-drill">{"".join(links["nps"]) or none_nps}</ul></section>'
        f'<section aria-labelledby="other"><h2 id="other">{tr_html("Touchpoints and languages")}</h2>'
        f'<ul class="cx-drill">{"".join(links["other"])}</ul></section>'
        f'<section aria-labelledby="comments"><h2 id="comments">{tr_html("Comments by theme and score group")}</h2>'
        f'<ul class="cx-drill">{"".join(links["comments"]) or none_comments}</ul></section>'
    )
    if links["sentiment"]:
        body += (
            f'<section aria-labelledby="sentiment"><h2 id="sentiment">{tr_html("Comment sentiment by segment")}</h2>'
            f'<ul class="cx-drill">{"".join(links["sentiment"])}</ul></section>'
        )
    if links["reviews"]:
        body += (
            f'<section aria-labelledby="reviews"><h2 id="reviews">{tr_html("Reviews by theme and sentiment")}</h2>'
            f'<ul class="cx-drill">{"".join(links["reviews"])}</ul></section>'
        )
    written["index.html"] = static_page(title, body, footer=footer, depth=1, css=CSS)
    for name, html in written.items():
        (drill / name).write_text(html, encoding="utf-8")
    return [f"appendix/{name}" for name in sorted(written)]
