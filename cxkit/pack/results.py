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
from typing import Any

import numpy as np
import pandas as pd

from .._stats import HEADLINE_FAMILY, HEADLINE_POLICY, headline_change

__all__ = ["save_results", "to_jsonable", "merge_results", "HEADLINE_FAMILY", "HEADLINE_POLICY", "headline_change"]


def to_jsonable(value: object) -> Any:
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


def save_results(path: str | os.PathLike[str] | None, **sections: Any) -> None:
    """Write a notebook's headline numbers, e.g. ``save_results(results_path, nps={...})``.

    Does nothing when ``path`` is empty (an analyst running the notebook by hand).
    The file is written atomically (a temporary file renamed into place).

    Parameters
    ----------
    path : str, PathLike or None
        The notebook's part of ``results.json`` (the pack runner passes it as the notebook's
        ``results_path`` parameter). Missing folders are created. An existing file is kept
        and updated: each section replaces the top-level key of the same name, other keys
        stay. Empty or None: nothing is written.
    **sections
        Top-level keys and their values: dicts, lists, numbers, strings, DataFrames (written
        as lists of records), numpy and pandas scalars, timestamps and periods; converted by
        :func:`to_jsonable` (NaN and infinities become ``null``).

    Returns
    -------
    None
        The file holds the sections as JSON (indented, keys sorted).

    Raises
    ------
    TypeError
        A value cannot be written as JSON (the message names its type).

    Examples
    --------
    >>> import json, numpy as np, pandas as pd, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "part.json"
    >>> save_results(path, nps={"value": np.float64(31.5), "ci_low": np.nan})
    >>> save_results(path, churn=pd.DataFrame({"month": ["2026-10"], "rate": [0.02]}))
    >>> json.loads(path.read_text())
    {'churn': [{'month': '2026-10', 'rate': 0.02}], 'nps': {'ci_low': None, 'value': 31.5}}
    >>> save_results("", nps={"value": 1})  # no path: nothing is written
    """
    if not path:
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    existing.update(to_jsonable(sections))
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(
        json.dumps(existing, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False), encoding="utf-8"
    )
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
