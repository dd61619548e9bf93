"""Headline numbers for the pack's ``results.json``.

Each pack notebook writes its part with :func:`save_results`; the report runner merges the
parts into ``reports/YYYY-MM/results.json`` (stable keys are documented in README.md).
Values are made JSON-safe: numpy scalars become Python numbers, NaN becomes ``null``,
timestamps and periods become ISO strings, DataFrames become lists of records.

Examples
--------
>>> import json, numpy as np, pandas as pd, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "part.json"
>>> save_results(path, nps={"value": np.float64(31.5), "ci_low": np.nan, "month": pd.Period("2026-10", "M")})
>>> json.loads(path.read_text())
{'nps': {'ci_low': None, 'month': '2026-10', 'value': 31.5}}
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["save_results", "to_jsonable", "merge_results", "HEADLINE_FAMILY", "HEADLINE_POLICY", "headline_change"]

#: The month's headline family: the month-over-month change of each of these KPIs is one test
#: of the family, in every notebook, on the index and in the NPS trend's past months alike.
HEADLINE_FAMILY = ("NPS", "CSAT mean", "CSAT top-2-box share", "CES mean", "CES low-effort share",
                   "review sentiment", "churn rate")

#: The one sentence every page with a headline change shows.
HEADLINE_POLICY = (f"A change from the previous month is called significant when its p-value, Bonferroni-adjusted "
                   f"for the month's {len(HEADLINE_FAMILY)} headline KPIs ({', '.join(HEADLINE_FAMILY)}), is below 0.05.")


def headline_change(p: float | None, *, alpha: float = 0.05) -> dict:
    """The headline family's verdict on one KPI's month-over-month change.

    Bonferroni, not Holm: each notebook judges its own KPIs while the others run in other
    kernels, and Bonferroni gives every page and the index the same answer without waiting for
    the other p-values. Returns ``change_p`` (adjusted; decides), ``change_p_raw``,
    ``significant`` and ``family_size``.

    >>> headline_change(0.016)
    {'change_p': 0.112, 'change_p_raw': 0.016, 'significant': False, 'family_size': 7}
    >>> headline_change(0.0004)["significant"], headline_change(None)["change_p"]
    (True, None)
    """
    k = len(HEADLINE_FAMILY)
    if p is None or not math.isfinite(float(p)):
        return {"change_p": None, "change_p_raw": None, "significant": False, "family_size": k}
    adjusted = min(1.0, float(p) * k)
    return {"change_p": adjusted, "change_p_raw": float(p), "significant": bool(adjusted < alpha), "family_size": k}


def to_jsonable(value):
    """Convert numpy/pandas values (recursively) into plain JSON types."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return to_jsonable(value.to_dict())
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, (str, Path)):
        return str(value)
    raise TypeError(f"results value of type {type(value).__name__} cannot be written to JSON: {value!r}")


def save_results(path: str | os.PathLike | None, **sections) -> None:
    """Write a notebook's headline numbers, e.g. ``save_results(results_path, nps={...})``.

    Does nothing when ``path`` is empty (an analyst running the notebook by hand).
    The file is written atomically (a temporary file renamed into place).
    """
    if not path:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = json.loads(path.read_text()) if path.exists() else {}
    existing.update(to_jsonable(sections))
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(existing, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False))
    tmp.replace(path)


def merge_results(parts: list[dict]) -> dict:
    """Merge notebook parts; a key written by two notebooks is an error (a pack bug)."""
    merged: dict = {}
    for part in parts:
        for key, value in part.items():
            if key in merged:
                raise ValueError(f"results key {key!r} is written by two notebooks; each key has one owner.")
            merged[key] = value
    return merged
