"""What a manager reads first (issue 27): KPI trends, targets, the executive summary.

:func:`summarise_pack` runs once the pages are built. From the pack's validated feedback
snapshot and the merged ``results.json`` it adds these keys to ``results.json``:

- ``kpi_trends``: per KPI (``nps``, ``csat``, ``ces``, ``sentiment``, ``churn``) up to 13
  months ending with the report month, each ``{period, value, ci_low, ci_high, n, small_n}``.
  NPS, CSAT and CES come from :func:`cxkit.kpi_trend` on the feedback (the function the NPS page
  uses, so the report month's point equals the tile); sentiment and churn from the review and
  churn pages' own monthly tables (``sentiment.trend``, ``churn.trend``; not recomputed here),
  else from the packs of earlier months found in the output folder.
- ``targets``: per KPI with a catalog target (``targets: {nps: 25, csat_mean: 4.0}``, see
  :data:`cxkit.data.catalog.TARGET_KPIS`): ``target``, ``value``, ``gap``, ``statistic``,
  ``p`` (one-sided: the month's true value misses the target), ``misses`` (``p < alpha`` and
  not a small base), ``method``, ``n``, ``small_n``.
- ``touchpoint_changes``: the month's CSAT by touchpoint against the previous month (Welch t
  per touchpoint, Holm-adjusted across touchpoints; touchpoints under ``min_n`` in either
  month are listed but never flagged).
- ``summary``: the executive summary, 1-5 bullets ``{text, href, kind}``, each claiming only
  a significant result (or saying that nothing changed significantly).
- ``alerts``: see :mod:`cxkit.pack.alerts`.

Tests of being below target, in plain words: NPS uses the Wald standard error of a
difference of two shares from the same responses, ``100 * sqrt((p+ + p- - (p+ - p-)^2) / n)``,
and a normal z; CSAT and CES means a one-sample t (n - 1 degrees of freedom); the churn rate
a binomial z; mean sentiment a z from its 95% interval (its page's interval, normal
approximation).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from scipy import stats

from .. import i18n
from ..analysis.nps import MIN_N, kpi_trend
from ..display import format_p
from ..i18n import N_, tr, translate
from ..privacy import mask_nested
from ._kpis import (
    EVIDENCE,
    HIGHER_IS_BETTER,
    TARGET_SOURCE,
    TREND_MONTHS,
    emerging_theme,
    format_kpi,
    headline,
    kpi_history,
    kpi_name,
    small_base,
)

__all__ = [
    "ADDED_KEYS",
    "TREND_MONTHS",
    "kpi_history",
    "target_test",
    "targets_report",
    "touchpoint_changes",
    "executive_summary",
    "summarise_pack",
    "emerging_theme",
]

#: The top-level keys :func:`summarise_pack` adds to ``results.json``.
ADDED_KEYS = ("kpi_trends", "targets", "touchpoint_changes", "summary", "alerts")


# --------------------------------------------------------------------------- trends


def _pack_history(out: Path, month: str, key: str, periods: int, results: Mapping[str, Any]) -> list[dict]:
    """A headline's months from the packs of earlier months in ``out`` (and the headline's own
    previous month), then the report month: the points each page published."""
    end = pd.Period(month, "M")
    points: dict[str, dict] = {}
    kpi = headline(results, key)
    if kpi is None:
        return []
    if kpi.get("previous") is not None:
        prev = str(kpi.get("previous_month") or end - 1)
        points[prev] = {"period": prev, "value": float(kpi["previous"])}
    for back in range(periods - 1, 0, -1):
        period = str(end - back)
        try:
            earlier = json.loads((Path(out) / period / "results.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        old = headline(earlier, key) if isinstance(earlier, dict) else None
        if old is not None and isinstance(old.get("value"), (int, float)):
            points[period] = _point(period, old)
    points[month] = _point(month, kpi)
    return [points[p] for p in sorted(points)]


def _point(period: str, kpi: Mapping[str, Any]) -> dict:
    """One month's point of a headline's trend."""
    return {
        "period": period,
        "value": float(kpi["value"]),
        "ci_low": kpi.get("ci_low"),
        "ci_high": kpi.get("ci_high"),
        "n": kpi.get("n"),
    }


# --------------------------------------------------------------------------- targets


def target_test(
    kpi: str,
    target: float,
    *,
    value: float,
    n: int,
    sd: float | None = None,
    promoters: float | None = None,
    detractors: float | None = None,
    ci: tuple[float, float] | None = None,
    alpha: float = 0.05,
    min_n: int = MIN_N,
) -> dict:
    """One-sided test that the month's true ``kpi`` misses its ``target``.

    Parameters
    ----------
    kpi : str
        A key of :data:`cxkit.data.catalog.TARGET_KPIS` (which says whether higher is better).
    target : float
        The target, on the KPI's scale (NPS points; a mean; a share for ``churn_rate``).
    value, n : float, int
        The month's estimate and its responses.
    sd : float, optional
        The scores' standard deviation (``csat_mean``, ``ces_mean``: one-sample t).
    promoters, detractors : float, optional
        Shares 0-1 (``nps``: z with the Wald standard error of their difference).
    ci : (float, float), optional
        The estimate's 95% interval (``sentiment_mean``, and the survey KPIs when weighted: z
        from its half-width, with ``n`` the effective sample size).
    alpha : float, default 0.05
    min_n : int, default 30
        Below it, ``misses`` is False whatever ``p`` (a small base is not a finding).

    Returns
    -------
    dict
        ``target``, ``value``, ``gap`` (value - target), ``statistic``, ``p`` (one-sided,
        towards missing), ``misses``, ``direction`` ("below" or "above": the side that misses),
        ``method``, ``n``, ``small_n``.

    Examples
    --------
    NPS 20 from 1,000 responses (45% promoters, 25% detractors) against a target of 25:

    >>> t = target_test("nps", 25, value=20.0, n=1000, promoters=0.45, detractors=0.25)
    >>> round(t["statistic"], 3), round(t["p"], 4), t["misses"]
    (-1.946, 0.0258, True)
    """
    from ..data.catalog import TARGET_KPIS

    higher = TARGET_KPIS[kpi]
    if ci is not None and kpi != "churn_rate":  # an interval given (sentiment; weighted survey KPIs)
        se = (ci[1] - ci[0]) / (2 * stats.norm.ppf(0.975))
        method = "z (SE from the 95% interval)"
    elif kpi == "nps":
        if promoters is None or detractors is None:
            raise ValueError("target_test('nps', ...) needs promoters= and detractors= (shares 0-1).")
        se = 100 * math.sqrt(max(promoters + detractors - (promoters - detractors) ** 2, 0.0) / n) if n else math.nan
        method = "z (Wald SE of the NPS)"
    elif kpi in ("csat_mean", "ces_mean"):
        if sd is None:
            raise ValueError(f"target_test({kpi!r}, ...) needs sd= (the scores' standard deviation).")
        se = sd / math.sqrt(n) if n else math.nan
        method = "one-sample t"
    elif kpi == "churn_rate":
        se = math.sqrt(value * (1 - value) / n) if n else math.nan
        method = "z (binomial SE)"
    else:
        if ci is None:
            raise ValueError(f"target_test({kpi!r}, ...) needs ci= (the estimate's 95% interval).")
        se = (ci[1] - ci[0]) / (2 * stats.norm.ppf(0.975))
        method = "z (SE from the 95% interval)"
    statistic = (value - target) / se if se and se > 0 else math.nan
    towards = statistic if higher else -statistic  # negative: on the missing side
    if math.isnan(statistic):
        p = math.nan
    elif method == "one-sample t":
        p = float(stats.t.cdf(towards, df=max(n - 1, 1)))
    else:
        p = float(stats.norm.cdf(towards))
    small = n < min_n
    return {
        "target": float(target),
        "value": float(value),
        "gap": float(value - target),
        "statistic": float(statistic),
        "p": p,
        "misses": bool(not small and not math.isnan(p) and p < alpha),
        "direction": "below" if higher else "above",
        "method": method,
        "n": int(n),
        "small_n": bool(small),
    }


def targets_report(
    targets: Mapping[str, float],
    results: Mapping[str, Any],
    feedback: pd.DataFrame | None,
    *,
    month: str,
    alpha: float = 0.05,
    min_n: int = MIN_N,
    weighted: bool = False,
) -> dict:
    """:func:`target_test` of every KPI with a target whose headline the month has. With
    ``weighted`` (survey weights), the survey KPIs are tested from their weighted headline's
    interval (the linearised variance of the calibrated estimate, else Kish's effective n), not
    from the unweighted responses."""
    this = pd.DataFrame()
    if feedback is not None and "responded_at" in feedback.columns:
        this = feedback[feedback["responded_at"].dt.to_period("M") == pd.Period(month, "M")]
    out: dict[str, dict] = {}
    for kpi, target in sorted(targets.items(), key=lambda item: list(TARGET_SOURCE).index(item[0])):
        key, _ = TARGET_SOURCE[kpi]
        head = headline(results, key)
        if head is None:
            continue
        value, n = float(head["value"]), int(head.get("n") or 0)
        interval = head.get("ci_low") is not None and head.get("ci_high") is not None
        if weighted and kpi in ("nps", "csat_mean", "ces_mean") and interval:
            ci = (float(head["ci_low"]), float(head["ci_high"]))
            n_eff = int(round(float(head.get("n_eff") or n)))
            test = target_test(kpi, target, value=value, n=n_eff, ci=ci, alpha=alpha, min_n=min_n)
        elif kpi == "nps" and "nps" in this.columns:
            scores = this["nps"].dropna()
            test = target_test(
                kpi,
                target,
                value=value,
                n=len(scores),
                promoters=float((scores >= 9).mean()) if len(scores) else 0.0,
                detractors=float((scores <= 6).mean()) if len(scores) else 0.0,
                alpha=alpha,
                min_n=min_n,
            )
        elif kpi in ("csat_mean", "ces_mean") and key in this.columns:
            scores = this[key].dropna()
            test = target_test(
                kpi,
                target,
                value=value,
                n=len(scores),
                sd=float(scores.std(ddof=1)) if len(scores) > 1 else math.nan,
                alpha=alpha,
                min_n=min_n,
            )
        elif kpi == "churn_rate" and n:
            test = target_test(kpi, target, value=value, n=n, alpha=alpha, min_n=min_n)
        elif kpi == "sentiment_mean" and head.get("ci_low") is not None and head.get("ci_high") is not None:
            ci = (float(head["ci_low"]), float(head["ci_high"]))
            test = target_test(kpi, target, value=value, n=n, ci=ci, alpha=alpha, min_n=min_n)
        else:
            continue
        out[kpi] = test
    return out


# --------------------------------------------------------------------------- touchpoints


def touchpoint_changes(
    feedback: pd.DataFrame, *, month: str, metric: str = "csat", alpha: float = 0.05, min_n: int = MIN_N
) -> list[dict]:
    """The month's mean ``metric`` by touchpoint against the previous month.

    Each touchpoint's change is tested as :func:`cxkit.kpi_trend` tests a month-over-month
    change (Welch t); the p-values are Holm-adjusted across the touchpoints. A touchpoint with
    fewer than ``min_n`` responses in either month is listed with ``small_n`` and never
    ``significant``.

    Returns
    -------
    list of dict
        One per touchpoint, by name: ``touchpoint``, ``value``, ``previous``, ``change``,
        ``n``, ``previous_n``, ``p``, ``p_adjusted``, ``significant``, ``falling``
        (significant and worse), ``small_n``.
    """
    from .._stats import adjust_p

    if "touchpoint" not in feedback.columns or metric not in feedback.columns:
        return []
    end = pd.Period(month, "M")
    periods = feedback["responded_at"].dt.to_period("M")
    both = feedback[(periods == end) | (periods == end - 1)]
    rows: list[dict[str, Any]] = []
    for name, group in both.groupby("touchpoint", observed=True, sort=True):
        if group[metric].notna().sum() == 0:
            continue
        trend = kpi_trend(group, metric, month=month, periods=2, min_n=min_n)
        mean = trend[(trend["metric"] == "mean") & (trend["period"] == month)]
        if mean.empty:
            continue
        r = mean.to_dict(orient="records")[0]
        prev = trend[(trend["metric"] == "mean") & (trend["period"] == str(end - 1))]
        rows.append(
            {
                "touchpoint": str(name),
                "value": float(r["value"]),
                "previous": float(r["previous"]) if pd.notna(r["previous"]) else None,
                "change": float(r["change"]) if pd.notna(r["change"]) else None,
                "n": int(r["n"]),
                "previous_n": int(prev.iloc[0]["n"]) if not prev.empty else 0,
                "p": float(r["p"]) if pd.notna(r["p"]) else None,
                "small_n": bool(r["small_n"]) or prev.empty,
            }
        )
    testable = [r for r in rows if r["p"] is not None and not r["small_n"]]
    adjusted: list[float] = list(adjust_p([float(r["p"]) for r in testable], method="holm")) if testable else []
    for row, p in zip(testable, adjusted, strict=True):
        row["p_adjusted"] = float(p)
    higher = metric != "ces"
    for row in rows:
        row.setdefault("p_adjusted", None)
        row["significant"] = row["p_adjusted"] is not None and row["p_adjusted"] < alpha
        worse = row["change"] is not None and ((row["change"] < 0) == higher)
        row["falling"] = bool(row["significant"] and worse)
    return rows


# --------------------------------------------------------------------------- the summary


def _fmt(key: str, value: float) -> str:
    return format_kpi(key, value)


def _p(p: float, *, adjusted: bool = True) -> str:
    text = format_p(p)
    if adjusted:
        return tr("adjusted p {p}", p=text) if text.startswith("<") else tr("adjusted p = {p}", p=text)
    return tr("p {p}", p=text) if text.startswith("<") else tr("p = {p}", p=text)


def _moved(key: str, kpi: Mapping[str, Any], better: bool) -> str:
    """One KPI's significant change, as the summary says it."""
    said = {
        "kpi": kpi_name(key),
        "previous": _fmt(key, kpi["previous"]),
        "value": _fmt(key, kpi["value"]),
        "p": _p(kpi["change_p"]),
    }
    if kpi["change"] > 0:
        return (
            tr("{kpi} rose from {previous} to {value} (better; {p})", **said)
            if better
            else tr("{kpi} rose from {previous} to {value} (worse; {p})", **said)
        )
    return (
        tr("{kpi} fell from {previous} to {value} (better; {p})", **said)
        if better
        else tr("{kpi} fell from {previous} to {value} (worse; {p})", **said)
    )


def _missed(kpi: str, test: Mapping[str, Any]) -> str:
    """One missed target, as the summary says it."""
    key = TARGET_SOURCE[kpi][0]
    said = {
        "kpi": kpi_name(key),
        "value": _fmt(key, test["value"]),
        "target": _fmt(key, test["target"]),
        "p": _p(test["p"], adjusted=False),
    }
    if test["direction"] == "below":
        return tr("{kpi} {value} is below its target of {target} (one-sided {p})", **said)
    return tr("{kpi} {value} is above its target of {target} (one-sided {p})", **said)


#: What to act on, by the kind of problem.
_ACT_REASONS = {
    "theme": N_("rising complaints"),
    "touchpoint_falling": N_("falling CSAT"),
    "touchpoint_lowest": N_("lowest CSAT"),
}


def executive_summary(results: Mapping[str, Any], *, alpha: float = 0.05) -> list[dict]:
    """The index's executive summary: up to five bullets ``{text, href, kind}``.

    In order: what changed significantly (or that nothing did), the targets the month misses,
    the likely why (an emerging negative theme, a falling touchpoint, the lowest touchpoint),
    and what to act on first. Each bullet states only a result its test flags as significant
    (a small base never makes a bullet) and links to the page with its evidence.
    """
    bullets: list[dict] = []
    month = str(results.get("month", ""))
    moved, tested = [], []
    for key in ("nps", "csat", "ces", "sentiment", "churn"):
        kpi = headline(results, key)
        if kpi is None or kpi.get("scope") == "all customers" or kpi.get("previous") is None:
            continue
        if small_base(kpi):
            continue
        tested.append(key)
        if kpi.get("significant") and kpi.get("change_p") is not None:
            better = (kpi["change"] > 0) == HIGHER_IS_BETTER[key]
            moved.append((key, kpi, better))
    if moved:
        parts = [_moved(k, kpi, better) for k, kpi, better in moved]
        bullets.append(
            {
                "kind": "change",
                "text": tr("Changed significantly since last month: {changes}.", changes="; ".join(parts)),
                "href": EVIDENCE[moved[0][0]],
            }
        )
    elif tested:
        bullets.append(
            {
                "kind": "no_change",
                "text": tr(
                    "No headline KPI changed significantly in {month} against the month before "
                    "({kpis} tested; the differences shown on the tiles are within chance).",
                    month=i18n.month(month),
                    kpis=_and([kpi_name(k) if k in ("nps", "csat", "ces") else kpi_name(k).lower() for k in tested]),
                ),
                "href": "appendix/how_to_read.html#significance",
            }
        )
    elif any(headline(results, k) is not None for k in ("nps", "csat", "ces", "sentiment", "churn")):
        bullets.append(
            {
                "kind": "no_test",
                "text": tr(
                    "No headline KPI of {month} can be tested against the month before: the data have no "
                    "previous month to compare with, or too few answers (the tiles say which).",
                    month=i18n.month(month),
                ),
                "href": "#kpis",
            }
        )
    targets = results.get("targets") or {}
    missed = [(k, t) for k, t in targets.items() if isinstance(t, dict) and t.get("misses")]
    if missed:
        parts = [_missed(k, t) for k, t in missed]
        bullets.append(
            {"kind": "target", "text": tr("Missing target: {targets}.", targets="; ".join(parts)), "href": "#kpis"}
        )
    why: list[dict] = []
    theme = emerging_theme(results, alpha=alpha)
    if theme:
        why.append(
            {
                "kind": "theme",
                "subject": theme["theme"],
                "text": tr(
                    "Negative reviews mentioning {theme} rose from {previous} to {share} of reviews ({p}, Holm).",
                    theme=theme["theme"],
                    previous=i18n.percent(theme["previous_rate"], 1),
                    share=i18n.percent(theme["negative_rate"], 1),
                    p=_p(theme["p"]),
                ),
                "href": EVIDENCE["sentiment"],
            }
        )
    falling = [t for t in results.get("touchpoint_changes") or [] if isinstance(t, dict) and t.get("falling")]
    for t in sorted(falling, key=lambda t: t["change"])[:1]:
        why.append(
            {
                "kind": "touchpoint_falling",
                "subject": t["touchpoint"],
                "text": tr(
                    "CSAT at the {touchpoint} touchpoint fell from {previous} to {value} ({p}, Holm across touchpoints).",
                    touchpoint=t["touchpoint"],
                    previous=i18n.decimal(t["previous"], 2),
                    value=i18n.decimal(t["value"], 2),
                    p=_p(t["p_adjusted"]),
                ),
                "href": EVIDENCE["touchpoints"],
            }
        )
    journey = results.get("journey") if isinstance(results.get("journey"), dict) else {}
    low = journey.get("lowest_touchpoint") if isinstance(journey, dict) else None
    if isinstance(low, dict) and low.get("significant") and not small_base({"n": low.get("n")}):
        why.append(
            {
                "kind": "touchpoint_lowest",
                "subject": low.get("touchpoint"),
                "text": tr(
                    "The {touchpoint} touchpoint has the lowest CSAT ({mean}, significantly below the other "
                    "touchpoints; {p}).",
                    touchpoint=low.get("touchpoint"),
                    mean=i18n.decimal(low.get("mean", 0), 2),
                    p=_p(low.get("p_adj", 1.0)),
                ),
                "href": EVIDENCE["journey"],
            }
        )
    drivers = results.get("drivers") or []
    top = drivers[0] if drivers and isinstance(drivers[0], dict) else None
    if top and (top.get("n") or 0) >= MIN_N and (top.get("p_first") or 0) >= 1 - alpha:
        why.append(
            {
                "kind": "driver",
                "subject": top.get("driver"),
                "text": tr(
                    "{driver} leads the drivers of NPS ({share} of the explained variance; it ranks first in "
                    "{p_first} of bootstrap resamples).",
                    driver=str(top.get("driver", "")).replace("_", " ").capitalize(),
                    share=i18n.percent(top.get("share", 0), 0),
                    p_first=i18n.percent(top.get("p_first", 0), 0),
                ),
                "href": EVIDENCE["drivers"],
            }
        )
    bullets += why[: max(0, 4 - len(bullets))]
    act = [w for w in why if w["kind"] in ("theme", "touchpoint_falling", "touchpoint_lowest")][:2]
    if act and len(bullets) < 5:
        subjects = [f"{w['subject']} ({translate(_ACT_REASONS[w['kind']])})" for w in act]
        bullets.append(
            {
                "kind": "act",
                "text": tr("Act first on: {subjects}, the significant problems above.", subjects=_and(subjects)),
                "href": act[0]["href"],
            }
        )
    return [{k: v for k, v in b.items() if k != "subject"} for b in bullets[:5]]


def _and(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return tr("{names} and {last}", names=", ".join(names[:-1]), last=names[-1])


# --------------------------------------------------------------------------- the pack step


def summarise_pack(
    folder: Path,
    results: dict,
    *,
    catalog: Path | None,
    out: Path,
    month: str,
    alpha: float = 0.05,
    reviews_file: Path | None = None,
    comments_file: Path | None = None,
) -> list[str]:
    """Add ``kpi_trends``, ``targets``, ``touchpoint_changes``, ``summary`` and ``alerts`` to
    ``results`` (in place) and ``folder/results.json``; write ``alerts.json``, the
    "How to read this pack" page, the drill-down pages and, when the catalog opts in
    (``settings: {follow_up: true}``), the internal follow-up file outside the pack (listed in
    ``manifest.json`` under ``internal``). Returns one line per alert, for the runner to print.

    ``reviews_file`` is the month's scored reviews the review page wrote for the drill-down
    pages (:meth:`cxkit.pack.review_sentiment.SentimentReport.save_results`); without it (a page
    kept by ``--only``) the reviews are scored here as the page scores them. ``comments_file``,
    the same for the sentiment of the month's survey comments
    (:func:`cxkit.pack.drilldown.comment_scores`): without it, or for another month or other
    rows, they are scored here.
    """
    from ..data.catalog import check_targets, load_catalog
    from . import alerts as alerts_module
    from . import drilldown, followup, guide

    started = time.perf_counter()
    sources = None
    feedback = None
    weights = None
    settings: dict = {}
    if catalog is not None and Path(catalog).exists():
        sources = load_catalog(catalog)
        settings = dict(sources.settings)
        if "feedback" in sources:
            feedback = sources["feedback"].frame
            if sources.weights:  # weighted as on the NPS page, so the tiles show the page's figures
                from .nps_drivers import weighted_feedback

                feedback, weights, _ = weighted_feedback(feedback, sources.weights)
    targets = check_targets(settings.get("targets"), catalog or "catalog")
    trends: dict[str, list[dict]] = kpi_history(feedback, month=month, weights=weights) if feedback is not None else {}
    for key in ("sentiment", "churn"):
        head = headline(results, key)
        if head is None or head.get("scope") == "all customers":
            continue
        own = results[key].get("trend")  # the page's monthly table, when it wrote one
        trends[key] = own if isinstance(own, list) and own else _pack_history(out, month, key, TREND_MONTHS, results)
    added: dict[str, Any] = {
        "kpi_trends": trends,
        "targets": targets_report(targets, results, feedback, month=month, alpha=alpha, weighted=weights is not None),
        "touchpoint_changes": touchpoint_changes(feedback, month=month, alpha=alpha) if feedback is not None else [],
    }
    results.update(mask_nested(_jsonable(added)))
    results["summary"] = mask_nested(executive_summary(results, alpha=alpha))
    found = alerts_module.find_alerts(results, alpha=alpha)
    results["alerts"] = found
    (folder / "results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False, allow_nan=False), encoding="utf-8"
    )
    alerts_module.write_alerts(folder / "alerts.json", found, month=month)
    (folder / "appendix").mkdir(exist_ok=True)
    guide.write_guide(folder / "appendix" / "how_to_read.html", footer=_footer_of(folder))
    reviews: pd.DataFrame | None
    if reviews_file is not None and Path(reviews_file).exists():
        reviews = pd.read_parquet(reviews_file)
        themes = list(reviews.attrs.get("themes") or [])
    else:
        reviews, themes = _month_reviews(sources, month)
    comments = None
    if comments_file is not None and Path(comments_file).exists():
        comments = pd.read_parquet(comments_file)
        comments = comments if comments.attrs.get("month") == month else None
    pages = drilldown.write_drilldown(
        folder,
        results,
        feedback,
        month=month,
        settings=settings,
        footer=_footer_of(folder),
        reviews=reviews,
        themes=themes,
        comments=comments,
    )
    internal = []
    if feedback is not None and settings.get("follow_up"):
        internal = followup.write_followup(feedback, month=month, out=out, settings=settings)
    _note_in_manifest(folder, internal=internal, pages=pages, alerts=len(found), seconds=time.perf_counter() - started)
    return [alerts_module.alert_line(a) for a in found]


def _month_reviews(sources: Any, month: str) -> tuple[pd.DataFrame | None, list[str]]:
    """The month's reviews scored and tagged as the review page scores them (its theme set, its
    calibration and seed), for the verbatim pages; (None, []) without reviews."""
    if sources is None or "reviews" not in sources:
        return None, []
    from ..analysis.reviews import score_reviews
    from ..analysis.themes import theme_set

    try:
        chosen = theme_set(getattr(sources, "themes", None), settings=sources.settings)
        scores = score_reviews(
            sources.monthly("reviews"),
            month=month,
            settings=sources.settings,
            seed=0,
            themes=None if chosen.generic else chosen,
        )
    except ValueError:  # no text, no month: the review page says why; no verbatim pages
        return None, []
    scored = scores.scored
    if scored["_month"].notna().any():
        scored = scored[scored["_month"] == scores.month]
    return scored, list(scores.themes)


def _footer_of(folder: Path) -> str:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return tr(
            "run {run} · month {month}", run=manifest.get("run_id", ""), month=i18n.month(manifest.get("month", ""))
        )
    except (OSError, ValueError):
        return ""


def _note_in_manifest(folder: Path, *, internal: list[dict], pages: list[str], alerts: int, seconds: float) -> None:
    path = folder / "manifest.json"
    if not path.exists():
        return
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["internal"] = internal
    manifest["pages_added"] = sorted(["appendix/how_to_read.html", *pages])
    manifest["alerts"] = alerts
    manifest["summary_seconds"] = round(seconds, 3)  # this step's time (the pack's "seconds" was taken before it)
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")


def _jsonable(value: Any) -> Any:
    from .results import to_jsonable

    return to_jsonable(value)
