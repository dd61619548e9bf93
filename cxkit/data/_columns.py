"""Whole-column work on Arrow-backed strings, with the per-value functions' own results.

A private hub of the data layer, used by :mod:`cxkit.data.readers`. The readers normalise every
cell they parse (Unicode NFC, white space stripped, missing-value tokens, category labels) with
small Python functions; called on each of a million cells they were most of a load's time.
Here pyarrow finds, over whole columns at C speed, the cells such a function cannot change
(printable ASCII with no space at either end: NFC and ``str.strip`` leave those as they are),
and the Python function runs only on the other cells, once per distinct value. The result is
the per-value function's by construction, whatever the data; only the time changes.

Membership tests that fold case (``value.lower() in words``) follow the same rule: pyarrow's
``ascii_lower`` is ``str.lower`` on ASCII, and every other value short enough to fold onto one
of the words is folded by Python itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: A boolean per row.
Mask = npt.NDArray[np.bool_]


def arrow_strings(series: pd.Series) -> Any | None:
    """The Arrow array behind a pyarrow-backed string Series (``str`` or ``string`` dtype,
    without copying), or None for any other dtype."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return series.array.__arrow_array__()  # pandas' Arrow protocol: the array itself, no copy
    return None


def to_mask(values: Any) -> Mask:
    """A numpy boolean array from an Arrow boolean array (null counts as False)."""
    return np.asarray(values.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def as_str_series(values: Any, index: pd.Index, *, na: str = "str") -> pd.Series:
    """A Series over an Arrow string array, without copying: ``na="str"`` gives pandas' default
    ``str`` dtype (missing is NaN), ``na="string"`` the ``string`` dtype (missing is ``pd.NA``)."""
    if pa.types.is_string(values.type):
        values = values.cast(pa.large_string())
    return pd.Series(pd.array(values, dtype=na), index=index)


def plain(values: Any) -> Mask:
    """Rows whose value is printable ASCII (or empty) with no space at either end:
    ``unicodedata.normalize("NFC", v).strip()`` is ``v`` for every one of them. Nulls: False."""
    ok = pc.and_(
        pc.ascii_is_printable(values),
        pc.invert(pc.or_(pc.starts_with(values, " "), pc.ends_with(values, " "))),
    )
    return to_mask(ok)


def label_like(values: Any) -> Mask:
    """Rows :func:`plain` whose value is not empty and has no run of spaces: a category label
    :func:`cxkit.data.schema.clean_category` leaves as it is."""
    return (
        plain(values)
        & to_mask(pc.invert(pc.match_substring(values, "  ")))
        & to_mask(pc.greater(pc.binary_length(values), 0))
    )


def map_all(values: Any, fn: Callable[[Any], Any]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]]:
    """``fn`` of every distinct value (a null is passed as None), called once each: returns each
    row's position in the results, and the results."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = values.dictionary_encode()
    uniques = encoded.dictionary.to_pylist()
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(u) for u in uniques]
    mapped[-1] = fn(None) if encoded.null_count else None
    positions = np.asarray(encoded.indices.fill_null(len(uniques)).to_numpy(zero_copy_only=False), dtype=np.intp)
    return positions, mapped


def map_rows(values: Any, rows: Mask, fn: Callable[[Any], Any]) -> npt.NDArray[np.object_]:
    """``fn`` of the value of each row in ``rows``, in row order, called once per distinct value
    (a null is passed as None)."""
    picked = values.filter(pa.array(rows))
    if len(picked) == 0:
        return np.empty(0, dtype=object)
    positions, mapped = map_all(picked, fn)
    out: npt.NDArray[np.object_] = mapped[positions]
    return out


def replace_rows(values: Any, rows: Mask, new: npt.NDArray[np.object_]) -> Any:
    """``values`` with the values of ``rows`` replaced by ``new`` (strings; None or ``pd.NA``
    for a null), untouched chunks shared, not copied."""
    if not rows.any():
        return values
    new_values = pa.array([None if v is None or v is pd.NA else v for v in new], type=values.type)
    chunks, start, used = [], 0, 0
    for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
        here = rows[start : start + len(chunk)]
        n = int(here.sum())
        chunks.append(pc.replace_with_mask(chunk, pa.array(here), new_values.slice(used, n)) if n else chunk)
        start, used = start + len(chunk), used + n
    return pa.chunked_array(chunks, type=values.type)


def normalised(values: Any, fn: Callable[[Any], Any], keep: Mask) -> Any:
    """``fn`` applied to every value, computed in Python only where ``keep`` is False (rows
    ``keep`` marks must be values ``fn`` returns unchanged). ``fn`` returns a string, or None /
    ``pd.NA`` for a null."""
    if keep.all():
        return values
    rows = ~keep
    return replace_rows(values, rows, map_rows(values, rows, fn))


def folded_in(values: Any, words: Collection[str], fold: Callable[[str], str] = str.lower) -> Mask:
    """Rows whose value, folded by ``fold`` (``str.lower`` or ``str.casefold``), is one of
    ``words``; exactly ``fold(v) in words``. Nulls: False.

    Folding never shortens a string, so only values at most as long as the longest word can
    match: those in ASCII are folded by pyarrow (``ascii_lower`` is ``str.lower`` and
    ``str.casefold`` on ASCII), the rest by ``fold`` itself, once per distinct value.
    """
    out = np.zeros(len(values), dtype=bool)
    words = set(words)
    if not words or len(values) == 0:
        return out
    longest = max(len(w) for w in words)
    short = to_mask(pc.less_equal(pc.utf8_length(values), longest))
    if not short.any():
        return out
    rows = np.flatnonzero(short)
    candidates = values.filter(pa.array(short))
    ascii_words = pa.array(sorted(w for w in words if w.isascii()), type=pa.large_string())
    is_ascii = to_mask(pc.string_is_ascii(candidates))
    hit = to_mask(pc.is_in(pc.ascii_lower(candidates), value_set=ascii_words)) & is_ascii
    others = ~is_ascii & to_mask(pc.is_valid(candidates))
    if others.any():
        hit[others] = map_rows(candidates, others, lambda v: fold(v) in words).astype(bool)
    out[rows] = hit
    return out


def plain_integers(values: Any) -> tuple[Mask, npt.NDArray[np.float64]]:
    """Rows holding a plain integer (ASCII digits, no sign, no leading zero, at most 15 digits)
    and every row's value as float64 (NaN elsewhere). Every number parser reads such a text
    alike, and float64 holds it exactly."""
    rows = to_mask(
        pc.and_(
            pc.ascii_is_decimal(values),
            pc.and_(
                pc.less_equal(pc.binary_length(values), 15),
                pc.or_(pc.invert(pc.starts_with(values, "0")), pc.equal(pc.binary_length(values), 1)),
            ),
        )
    )
    numbers = np.full(len(values), np.nan)
    if rows.any():
        numbers[rows] = values.filter(pa.array(rows)).cast(pa.int64()).to_numpy(zero_copy_only=False)
    return rows, numbers
