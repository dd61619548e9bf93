"""Alerts for the scheduled run (issue 27): what moved, in ``alerts.json`` and one line each.

:func:`find_alerts` reads the pack's ``results.json`` (after :func:`cxkit.pack.summary.summarise_pack`
added ``targets`` and ``touchpoint_changes``) and returns one alert per:

- ``kpi_below_target``: a KPI misses its catalog target (one-sided test, ``targets.<kpi>.misses``);
- ``significant_move``: a headline KPI changed significantly for the worse (the pack's headline
  policy; a small base never alerts; an improvement is in the summary, not an alert);
- ``emerging_negative_theme``: the share of negative reviews mentioning a theme rose
  significantly (:func:`cxkit.pack.summary.emerging_theme`);
- ``touchpoint_falling``: a touchpoint's CSAT fell significantly (Holm across touchpoints).

Each alert is ``{kind, subject, message, value, previous, p, page}``. The runner prints
:func:`alert_line` of each even with ``--quiet``; ``cxkit report --fail-on-alert`` exits
:data:`EXIT_ALERTS` when the published pack has any.

>>> find_alerts({"month": "2026-10", "nps": {"value": 10.0, "previous": 20.0, "change": -10.0,
...     "change_p": 0.001, "significant": True, "n": 2000, "previous_month": "2026-09"}})[0]["kind"]
'significant_move'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import i18n
from ..display import format_p
from ..i18n import tr
from ._kpis import EVIDENCE, HIGHER_IS_BETTER, TARGET_SOURCE, emerging_theme, format_kpi, headline, kpi_name, small_base

__all__ = ["EXIT_ALERTS", "find_alerts", "alert_line", "write_alerts"]

#: Exit code of ``cxkit report --fail-on-alert`` when the (published) pack has alerts; the
#: runner's codes are 0-11, 130 and 143.
EXIT_ALERTS = 12


def _p(p: float) -> str:
    text = format_p(p)
    return tr("p {p}", p=text) if text.startswith("<") else tr("p = {p}", p=text)


def find_alerts(results: Mapping[str, Any], *, alpha: float = 0.05) -> list[dict]:
    """The month's alerts (see the module docstring), in a stable order."""
    found: list[dict] = []
    for kpi, test in (results.get("targets") or {}).items():
        if isinstance(test, dict) and test.get("misses"):
            key = TARGET_SOURCE[kpi][0]
            said = {
                "kpi": kpi_name(key),
                "value": format_kpi(key, test["value"]),
                "target": format_kpi(key, test["target"]),
                "p": _p(test["p"]),
            }
            found.append(
                {
                    "kind": "kpi_below_target",
                    "subject": kpi,
                    "message": tr("{kpi} {value} is below its target {target} (one-sided {p}).", **said)
                    if test["direction"] == "below"
                    else tr("{kpi} {value} is above its target {target} (one-sided {p}).", **said),
                    "value": test["value"],
                    "previous": None,
                    "target": test["target"],
                    "p": test["p"],
                    "page": "index.html#kpis",
                }
            )
    for key in ("nps", "csat", "ces", "sentiment", "churn"):
        kpi = headline(results, key)
        if kpi is None or not kpi.get("significant") or kpi.get("previous") is None or small_base(kpi):
            continue
        worse = (kpi["change"] > 0) != HIGHER_IS_BETTER[key]
        if worse:
            found.append(
                {
                    "kind": "significant_move",
                    "subject": key,
                    "message": tr(
                        "{kpi} moved from {previous} to {value}, significantly worse (adjusted {p}).",
                        kpi=kpi_name(key),
                        previous=format_kpi(key, kpi["previous"]),
                        value=format_kpi(key, kpi["value"]),
                        p=_p(kpi["change_p"]),
                    ),
                    "value": kpi["value"],
                    "previous": kpi["previous"],
                    "p": kpi.get("change_p"),
                    "page": EVIDENCE[key],
                }
            )
    theme = emerging_theme(results, alpha=alpha)
    if theme:
        found.append(
            {
                "kind": "emerging_negative_theme",
                "subject": theme["theme"],
                "message": tr(
                    "Negative reviews mentioning {theme} rose from {previous} to {share} (Holm-adjusted {p}).",
                    theme=theme["theme"],
                    previous=i18n.percent(theme["previous_rate"], 1),
                    share=i18n.percent(theme["negative_rate"], 1),
                    p=_p(theme["p"]),
                ),
                "value": theme["negative_rate"],
                "previous": theme["previous_rate"],
                "p": theme["p"],
                "page": EVIDENCE["sentiment"],
            }
        )
    for t in results.get("touchpoint_changes") or []:
        if isinstance(t, dict) and t.get("falling"):
            found.append(
                {
                    "kind": "touchpoint_falling",
                    "subject": t["touchpoint"],
                    "message": tr(
                        "CSAT at the {touchpoint} touchpoint fell from {previous} to {value} (Holm-adjusted {p}).",
                        touchpoint=t["touchpoint"],
                        previous=i18n.decimal(t["previous"], 2),
                        value=i18n.decimal(t["value"], 2),
                        p=_p(t["p_adjusted"]),
                    ),
                    "value": t["value"],
                    "previous": t["previous"],
                    "p": t["p_adjusted"],
                    "page": EVIDENCE["touchpoints"],
                }
            )
    return found


def alert_line(alert: Mapping[str, Any]) -> str:
    """One line for the scheduled run's log: ``ALERT <kind>: <message>``."""
    return f"ALERT {alert['kind']}: {alert['message']}"


def write_alerts(path: str | Path, alerts: list[dict], *, month: str) -> Path:
    """Write ``alerts.json``: ``{"month", "count", "alerts": [...]}`` (an empty list when quiet)."""
    path = Path(path)
    path.write_text(
        json.dumps({"month": month, "count": len(alerts), "alerts": alerts}, indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    return path
