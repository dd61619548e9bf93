"""CSV and TSV files that are safe to open in Excel or LibreOffice: every delimited file cxkit
writes (rejected rows, ``data_quality.csv``) goes through :func:`write_csv`.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return followed by one) as a formula: ``=HYPERLINK(...)`` leaks data to a web site when
clicked, ``=cmd|' /C calc'!A0`` starts a program through DDE ("CSV injection", OWASP). Rejected
rows carry the cells of hostile exports as read, so they are neutralised as OWASP recommends:

- a text cell or header that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a single quote in front (``'=HYPERLINK(...)``), which every spreadsheet shows as text;
- every text cell is written in double quotes (inner quotes doubled), so a cell such as
  ``"Oslo;=cmd"`` stays one cell in a Nordic Excel, which splits CSV files on ``;``;
- plain numbers are left alone, so a rejected ``-3`` still reads ``-3``: a text cell that is
  a number with an optional sign, decimal point or comma and exponent (``-3``, ``-0.5``,
  ``+47``, ``-1,5``, ``-1e5``) is not a formula. Anything else starting with a sign is text:
  ``+47 912 34 567`` (spaces), ``-1 234`` and ``-inf`` become ``'+47 912 34 567`` and so on.
  Numeric columns are written unquoted, as numbers.

The quote is data: a program reading the file gets ``'=HYPERLINK(...)`` back. That is the
price OWASP accepts; the cells are the rejected, invalid ones.

Hand-written because the one library for this (``defusedcsv``) wraps :mod:`csv` writers cell
by cell, has not been released since 2019 and is not a dependency; here only the cells that
start with one of the six characters are looked at in Python, so a million-row column costs
one vectorised pass.

Examples
--------
>>> import pandas as pd
>>> neutralise_frame(pd.DataFrame({"=SUM(A1:A9)": ["=1+1", "-3", "@cmd", "ok"]})).to_dict("list")
{"'=SUM(A1:A9)": ["'=1+1", '-3', "'@cmd", 'ok']}
>>> neutralise("+47 912 34 567"), neutralise("-0.5"), neutralise(-3)
("'+47 912 34 567", '-0.5', -3)
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

__all__ = ["FORMULA_STARTS", "neutralise", "neutralise_frame", "write_csv"]

#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number: what a spreadsheet reads as a number, not as a formula.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")

_T = TypeVar("_T")


def neutralise(value: _T) -> _T | str:
    """``value`` with a ``'`` in front when it is text a spreadsheet would read as a formula.

    Parameters
    ----------
    value : object
        A cell or header. Only ``str`` values change.

    Returns
    -------
    object
        ``"'" + value`` for text starting with one of :data:`FORMULA_STARTS` that is not a
        plain number; ``value`` unchanged otherwise.

    Examples
    --------
    >>> [neutralise(v) for v in ["=1+1", "\\t=1", "-2+3+cmd|' /C calc'!A0", "-3", "1e5", "Oslo", None]]
    ["'=1+1", "'\\t=1", "'-2+3+cmd|' /C calc'!A0", '-3', '1e5', 'Oslo', None]
    """
    if isinstance(value, str) and value[:1] in FORMULA_STARTS and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _neutralise_column(column: pd.Series) -> pd.Series:
    """The column with its formula-like text cells neutralised (the same column when none is)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(object)
    elif not (pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype)):
        return column  # numbers, booleans and dates cannot hold a formula
    # One vectorised pass finds the cells that start like a formula; only those are looked at
    # again (an object column's non-text cells, e.g. -3 as an int, are among them: left alone).
    first = column.astype("string").str.slice(0, 1)
    candidates = np.flatnonzero(first.isin(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool))
    if not len(candidates):
        return column
    values = column.to_numpy(dtype=object, copy=True)
    cells = values[candidates]
    is_text = np.fromiter((isinstance(v, str) for v in cells), dtype=bool, count=len(cells))
    plain = pd.Series(cells[is_text], dtype=object).str.fullmatch(_NUMBER.pattern).to_numpy(dtype=bool)
    targets = candidates[is_text][~plain]
    if not len(targets):
        return column
    values[targets] = "'" + values[targets]
    return pd.Series(values, index=column.index, name=column.name, dtype=object)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with formula-like text cells and headers neutralised (see the module
    docs); numeric, boolean and date columns and plain numbers are unchanged. The input is not
    modified.

    Parameters
    ----------
    frame : DataFrame
        Any table.

    Returns
    -------
    DataFrame
        The same rows and columns in the same order; headers are strings.
    """
    out = pd.DataFrame(
        {i: _neutralise_column(frame.iloc[:, i]) for i in range(frame.shape[1])},
        index=frame.index,
    )
    out.columns = pd.Index([neutralise(str(c)) for c in frame.columns], dtype=object)
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, *, sep: str = ",", encoding: str = "utf-8") -> Path:
    """Write ``frame`` as a CSV (or, with ``sep="\\t"``, TSV) file that is safe to open in a
    spreadsheet: formula-like cells and headers neutralised, text cells quoted, numbers as
    written by pandas. The index is not written.

    Parameters
    ----------
    frame : DataFrame
        The table.
    path : str or Path
        The file to write (replaced if it exists).
    sep : str, default ","
        Field separator.
    encoding : str, default "utf-8"

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "rejected.csv"
    >>> _ = write_csv(pd.DataFrame({"line": [2, 3], "comment": ["=HYPERLINK(\\"http://x\\")", "-3"]}), target)
    >>> print(target.read_text(), end="")
    "line","comment"
    2,"'=HYPERLINK(""http://x"")"
    3,"-3"
    >>> pd.read_csv(target)["comment"].tolist()
    ['\\'=HYPERLINK("http://x")', '-3']
    """
    path = Path(path)
    neutralise_frame(frame).to_csv(
        path, sep=sep, index=False, quoting=csv.QUOTE_NONNUMERIC, encoding=encoding, lineterminator="\n"
    )
    return path
