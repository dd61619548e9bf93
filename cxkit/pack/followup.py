"""The internal follow-up file (issue 27): the month's detractors, for the team that calls them back.

Opt-in (catalog ``settings: {follow_up: true}``). It holds personal data (customer ids and the
comments as written, unmasked, so the team can act on them), so it is written **outside** the
shareable pack, to ``<out>/_internal/YYYY-MM/``, never linked from any page, and listed in the
pack's ``manifest.json`` under ``internal`` (path, rows, format) so whoever runs the pack knows it
exists and where. Share the pack folder, never ``_internal``.

Columns: ``response_id``, ``customer_id``, ``responded_at``, ``nps``, ``segment``,
``touchpoint`` (when the survey has them), ``themes`` (the themes the comment mentions,
``; ``-separated, :func:`cxkit.analysis.themes.tag_themes`), ``comment``. Detractors are
``nps`` 0-6. The CSV is written by :func:`cxkit.safe_files.write_csv` (formula-like cells
neutralised for spreadsheets); the Parquet file holds the same rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..analysis.themes import tag_themes, theme_dictionary
from ..safe_files import write_csv

__all__ = ["INTERNAL_DIR", "detractors", "write_followup"]

#: The folder under the output folder that holds internal (not shareable) files.
INTERNAL_DIR = "_internal"

_COLUMNS = ["response_id", "customer_id", "responded_at", "nps", "segment", "touchpoint", "themes", "comment"]


def detractors(feedback: pd.DataFrame, *, month: str, settings: dict | None = None) -> pd.DataFrame:
    """The month's detractors (``nps`` 0-6), with the themes each comment mentions.

    >>> import pandas as pd
    >>> fb = pd.DataFrame({"response_id": ["a", "b"], "customer_id": ["C1", "C2"], "nps": [3, 9],
    ...     "responded_at": pd.to_datetime(["2026-10-02", "2026-10-03"]), "comment": ["Late delivery", "Fine"]})
    >>> detractors(fb, month="2026-10")[["customer_id", "nps", "themes"]].to_dict("records")
    [{'customer_id': 'C1', 'nps': 3, 'themes': 'delivery'}]
    """
    period = pd.Period(month, "M")
    rows = feedback[(feedback["responded_at"].dt.to_period("M") == period) & (feedback["nps"] <= 6)].copy()
    if "comment" in rows.columns and len(rows):
        tagged = tag_themes(rows["comment"], themes=theme_dictionary(settings))
        rows["themes"] = ["; ".join(t for t in tagged.columns if flags[t]) for _, flags in tagged.iterrows()]
    else:
        rows["themes"] = ""
    keep = [c for c in _COLUMNS if c in rows.columns]
    return rows[keep].sort_values(["nps", "responded_at"], kind="stable").reset_index(drop=True)


def write_followup(feedback: pd.DataFrame, *, month: str, out: str | Path, settings: dict | None = None) -> list[dict]:
    """Write ``<out>/_internal/YYYY-MM/followup-YYYY-MM.csv`` and ``.parquet``; return their
    manifest entries ``{path, rows, format}`` (``path`` relative to ``out``)."""
    table = detractors(feedback, month=month, settings=settings)
    folder = Path(out) / INTERNAL_DIR / month
    folder.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = []
    for fmt in ("csv", "parquet"):
        final = folder / f"followup-{month}.{fmt}"
        tmp = final.with_name(final.name + ".tmp")
        if fmt == "csv":
            write_csv(table, tmp)
        else:
            table.to_parquet(tmp, index=False)
        tmp.replace(final)
        entries.append({"path": str(final.relative_to(Path(out))), "rows": len(table), "format": fmt})
    return entries
