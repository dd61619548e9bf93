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

from ..display import format_p
from ._kpis import EVIDENCE, FORMATS, HIGHER_IS_BETTER, NAMES, TARGET_SOURCE, emerging_theme, headline, small_base

__all__ = ["EXIT_ALERTS", "find_alerts", "alert_line", "write_alerts"]

#: Exit code of ``cxkit report --fail-on-alert`` when the (published) pack has alerts; the
#: runner's codes are 0-11, 130 and 143.
EXIT_ALERTS = 12


def _p(p: float) -> str:
    text = format_p(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def find_alerts(results: Mapping[str, Any], *, alpha: float = 0.05) -> list[dict]:
    """The month's alerts (see the module docstring), in a stable order."""
    found: list[dict] = []
    for kpi, test in (results.get("targets") or {}).items():
        if isinstance(test, dict) and test.get("misses"):
            key = TARGET_SOURCE[kpi][0]
            fmt = FORMATS[key]
            found.append(
                {
                    "kind": "kpi_below_target",
                    "subject": kpi,
                    "message": f"{NAMES[key]} {fmt.format(test['value'])} is {test['direction']} its target "
                    f"{fmt.format(test['target'])} (one-sided {_p(test['p'])}).",
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
            fmt = FORMATS[key]
            found.append(
                {
                    "kind": "significant_move",
                    "subject": key,
                    "message": f"{NAMES[key]} moved from {fmt.format(kpi['previous'])} to {fmt.format(kpi['value'])}, "
                    f"significantly worse (adjusted {_p(kpi['change_p'])}).",
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
                "message": f"Negative reviews mentioning {theme['theme']} rose from {theme['previous_rate']:.1%} to "
                f"{theme['negative_rate']:.1%} (Holm-adjusted {_p(theme['p'])}).",
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
                    "message": f"CSAT at the {t['touchpoint']} touchpoint fell from {t['previous']:.2f} to "
                    f"{t['value']:.2f} (Holm-adjusted {_p(t['p_adjusted'])}).",
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
