"""Whole-column work on a column's cells, with the per-value functions' own results.

A private hub of the data layer, used by :mod:`cxkit.data.readers`. The readers normalise every
cell they parse (Unicode NFC, white space stripped, missing-value tokens, category labels,
stages, numbers, dates) with small Python functions; called on each of a million cells they
were most of a load's time. :class:`Cells` holds a column so that each function meets as few
cells as possible, and gives the function's own result for every cell, whatever the data:

* a column of few distinct values (channels, stages, scores, languages) is dictionary-encoded
  once; every function then runs on the distinct values only, and the rows follow their
  position in the dictionary;
* a column of many distinct values (ids, dates, free text) stays an Arrow array: pyarrow finds,
  at C speed, the cells a function cannot change (printable ASCII with no space at either end:
  NFC and ``str.strip`` leave those as they are) and the function runs on the others only.

Membership tests that fold case (``value.lower() in words``) follow the same rule: pyarrow's
``ascii_lower`` is ``str.lower`` (and ``str.casefold``) on ASCII, and every other value short
enough to fold onto one of the words is folded by Python itself.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Collection
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: A boolean per row.
Mask = npt.NDArray[np.bool_]
#: Each row's position in a list of distinct values (pyarrow's int32 indices, not copied).
Positions = npt.NDArray[np.signedinteger[Any]]

#: A column whose first rows hold at most this share of distinct values is dictionary-encoded.
_FEW = 0.25
#: How many first rows decide it.
PROBE_ROWS = 10_000


def few_valued(probe: Any) -> bool:
    """Whether the first rows of a column (an Arrow array of at most :data:`PROBE_ROWS`) repeat
    their values enough for the column to be worked on once per distinct value."""
    return len(probe) > 0 and len(probe.unique()) <= _FEW * len(probe)


def arrow_strings(series: pd.Series) -> Any | None:
    """The Arrow array behind a pyarrow-backed string Series (``str`` or ``string`` dtype,
    without copying), or None for any other dtype."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return series.array.__arrow_array__()  # pandas' Arrow protocol: the array itself, no copy
    return None


def string_categories(series: pd.Series) -> bool:
    """Whether ``series`` is categorical with string categories."""
    dtype = series.dtype
    return isinstance(dtype, pd.CategoricalDtype) and dtype.categories.inferred_type in ("string", "empty")


def decoded(series: pd.Series) -> pd.Series:
    """A categorical Series of strings as the ``str`` Series of its values (what pandas reads
    from a Parquet column of strings without ``read_dictionary``)."""
    codes = np.asarray(series.array.codes)
    strings = pa.array(series.cat.categories.to_numpy(dtype=object), type=pa.large_string())
    values = strings.take(pa.array(codes, mask=codes < 0))
    return pd.Series(pd.array(values, dtype="str"), index=series.index, name=series.name, copy=False)


def to_mask(values: Any) -> Mask:
    """A numpy boolean array from an Arrow boolean array (null counts as False)."""
    return np.asarray(values.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def plain(values: Any) -> Mask:
    """Rows whose value is printable ASCII (or empty) with no space at either end:
    ``unicodedata.normalize("NFC", v).strip()`` is ``v`` for every one of them. Nulls: False."""
    ok = pc.and_(
        pc.ascii_is_printable(values),
        pc.invert(pc.or_(pc.starts_with(values, " "), pc.ends_with(values, " "))),
    )
    return to_mask(ok)


#: :func:`_unstable_characters` as computed from Unicode 14.0 (Python 3.11's ``unicodedata``),
#: kept here because computing it takes 0.2-0.5 s, a large part of a first read of a Parquet file
#: of texts; used only when ``unicodedata.unidata_version`` is the same (tests/test_io.py checks
#: that it equals the computation).
_UNSTABLE_UNICODE_VERSION = "14.0.0"
_UNSTABLE_CHARACTERS = (
    r"[\x{300}-\x{34e}\x{350}-\x{36f}\x{374}\x{37e}\x{387}\x{483}-\x{487}\x{591}-\x{5bd}\x{5bf}\x{5c1}-"
    r"\x{5c2}\x{5c4}-\x{5c5}\x{5c7}\x{610}-\x{61a}\x{64b}-\x{65f}\x{670}\x{6d6}-\x{6dc}\x{6df}-\x{6e4}"
    r"\x{6e7}-\x{6e8}\x{6ea}-\x{6ed}\x{711}\x{730}-\x{74a}\x{7eb}-\x{7f3}\x{7fd}\x{816}-\x{819}\x{81b}-"
    r"\x{823}\x{825}-\x{827}\x{829}-\x{82d}\x{859}-\x{85b}\x{898}-\x{89f}\x{8ca}-\x{8e1}\x{8e3}-\x{8ff}"
    r"\x{93c}\x{94d}\x{951}-\x{954}\x{958}-\x{95f}\x{9bc}\x{9be}\x{9cd}\x{9d7}\x{9dc}-\x{9dd}\x{9df}"
    r"\x{9fe}\x{a33}\x{a36}\x{a3c}\x{a4d}\x{a59}-\x{a5b}\x{a5e}\x{abc}\x{acd}\x{b3c}\x{b3e}\x{b4d}\x{b56}-"
    r"\x{b57}\x{b5c}-\x{b5d}\x{bbe}\x{bcd}\x{bd7}\x{c3c}\x{c4d}\x{c55}-\x{c56}\x{cbc}\x{cc2}\x{ccd}"
    r"\x{cd5}-\x{cd6}\x{d3b}-\x{d3c}\x{d3e}\x{d4d}\x{d57}\x{dca}\x{dcf}\x{ddf}\x{e38}-\x{e3a}\x{e48}-"
    r"\x{e4b}\x{eb8}-\x{eba}\x{ec8}-\x{ecb}\x{f18}-\x{f19}\x{f35}\x{f37}\x{f39}\x{f43}\x{f4d}\x{f52}"
    r"\x{f57}\x{f5c}\x{f69}\x{f71}-\x{f76}\x{f78}\x{f7a}-\x{f7d}\x{f80}-\x{f84}\x{f86}-\x{f87}\x{f93}"
    r"\x{f9d}\x{fa2}\x{fa7}\x{fac}\x{fb9}\x{fc6}\x{102e}\x{1037}\x{1039}-\x{103a}\x{108d}\x{1161}-\x{1175}"
    r"\x{11a8}-\x{11c2}\x{135d}-\x{135f}\x{1714}-\x{1715}\x{1734}\x{17d2}\x{17dd}\x{18a9}\x{1939}-\x{193b}"
    r"\x{1a17}-\x{1a18}\x{1a60}\x{1a75}-\x{1a7c}\x{1a7f}\x{1ab0}-\x{1abd}\x{1abf}-\x{1ace}\x{1b34}-"
    r"\x{1b35}\x{1b44}\x{1b6b}-\x{1b73}\x{1baa}-\x{1bab}\x{1be6}\x{1bf2}-\x{1bf3}\x{1c37}\x{1cd0}-\x{1cd2}"
    r"\x{1cd4}-\x{1ce0}\x{1ce2}-\x{1ce8}\x{1ced}\x{1cf4}\x{1cf8}-\x{1cf9}\x{1dc0}-\x{1dff}\x{1f71}\x{1f73}"
    r"\x{1f75}\x{1f77}\x{1f79}\x{1f7b}\x{1f7d}\x{1fbb}\x{1fbe}\x{1fc9}\x{1fcb}\x{1fd3}\x{1fdb}\x{1fe3}"
    r"\x{1feb}\x{1fee}-\x{1fef}\x{1ff9}\x{1ffb}\x{1ffd}\x{2000}-\x{2001}\x{20d0}-\x{20dc}\x{20e1}\x{20e5}-"
    r"\x{20f0}\x{2126}\x{212a}-\x{212b}\x{2329}-\x{232a}\x{2adc}\x{2cef}-\x{2cf1}\x{2d7f}\x{2de0}-\x{2dff}"
    r"\x{302a}-\x{302f}\x{3099}-\x{309a}\x{a66f}\x{a674}-\x{a67d}\x{a69e}-\x{a69f}\x{a6f0}-\x{a6f1}"
    r"\x{a806}\x{a82c}\x{a8c4}\x{a8e0}-\x{a8f1}\x{a92b}-\x{a92d}\x{a953}\x{a9b3}\x{a9c0}\x{aab0}\x{aab2}-"
    r"\x{aab4}\x{aab7}-\x{aab8}\x{aabe}-\x{aabf}\x{aac1}\x{aaf6}\x{abed}\x{f900}-\x{fa0d}\x{fa10}\x{fa12}"
    r"\x{fa15}-\x{fa1e}\x{fa20}\x{fa22}\x{fa25}-\x{fa26}\x{fa2a}-\x{fa6d}\x{fa70}-\x{fad9}\x{fb1d}-"
    r"\x{fb1f}\x{fb2a}-\x{fb36}\x{fb38}-\x{fb3c}\x{fb3e}\x{fb40}-\x{fb41}\x{fb43}-\x{fb44}\x{fb46}-"
    r"\x{fb4e}\x{fe20}-\x{fe2f}\x{10000}-\x{10ffff}]"
)
#: White space (``str.isspace``) as an RE2 class, as computed from the same Unicode data.
_SPACE_CLASS = (
    r"[\x{9}-\x{d}\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}-\x{2029}\x{202f}\x{205f}"
    r"\x{3000}]"
)


@functools.cache
def _unstable_pattern() -> str:
    """A pattern (RE2) matching a text that NFC or ``str.strip`` might change: a character of
    :func:`_unstable_characters`, or white space at either end. Without any of these, NFC leaves
    a text as it is."""
    chars, spaces = _unstable_characters()
    return f"{chars}|^{spaces}|{spaces}$"


@functools.cache
def _unstable_characters() -> tuple[str, str]:
    """RE2 character classes of the characters NFC might change or combine, and of white space,
    from Python's own Unicode data: a character that is not NFC on its own, combines (canonical
    class not 0), or may compose with the character before it (the second of a canonical pair,
    Hangul vowel and trailing jamo, or a character decomposing to one first). Characters above
    U+FFFF count as unstable."""
    if unicodedata.unidata_version == _UNSTABLE_UNICODE_VERSION:
        return _UNSTABLE_CHARACTERS, _SPACE_CLASS
    return _computed_unstable_characters()


def _computed_unstable_characters() -> tuple[str, str]:
    """:func:`_unstable_characters` computed from ``unicodedata`` (0.2-0.5 s)."""
    second = {chr(cp) for cp in (*range(0x1161, 0x1176), *range(0x11A8, 0x11C3))}
    for cp in range(0x80, 0x10000):
        decomposition = unicodedata.decomposition(chr(cp)).split()
        if len(decomposition) == 2 and not decomposition[0].startswith("<"):
            if unicodedata.normalize("NFC", chr(cp)) == chr(cp):
                second.add(chr(int(decomposition[1], 16)))
    unstable = [
        cp
        for cp in range(0x80, 0x10000)
        if unicodedata.combining(chr(cp))
        or unicodedata.normalize("NFC", chr(cp)) != chr(cp)
        or chr(cp) in second
        or unicodedata.normalize("NFD", chr(cp))[0] in second
    ]
    space = [cp for cp in range(0x10000) if chr(cp).isspace()]
    return _char_class(unstable, "\\x{10000}-\\x{10ffff}"), _char_class(space)


def _char_class(code_points: list[int], extra: str = "") -> str:
    """An RE2 character class of these code points (as ranges)."""
    parts, start = [], 0
    for i in range(1, len(code_points) + 1):
        if i == len(code_points) or code_points[i] != code_points[i - 1] + 1:
            low, high = code_points[start], code_points[i - 1]
            parts.append(f"\\x{{{low:x}}}" + (f"-\\x{{{high:x}}}" if high > low else ""))
            start = i
    return "[" + "".join(parts) + extra + "]"


def stable(values: Any) -> Mask:
    """Rows whose value ``unicodedata.normalize("NFC", v).strip()`` leaves as it is: any text
    without a character or end :func:`_unstable_pattern` matches. Nulls: False.

    The pattern is matched only on the rows :func:`_may_be_unstable` finds from the UTF-8 bytes
    (a character at or above the first unstable one, or anything but printable ASCII at either
    end): on a column of a million texts in Nordic languages, half of them not ASCII, that
    took a fifth of the time of matching the pattern on every text that is not ASCII."""
    keep = to_mask(pc.is_valid(values))
    rest = keep & _may_be_unstable(values)
    if rest.any():
        keep[rest] = ~to_mask(pc.match_substring_regex(values.filter(pa.array(rest)), _unstable_pattern()))
    return keep


#: Bytes that may begin or end a text str.strip shortens: ASCII white space (as ``str.isspace``),
#: and every byte of a character beyond ASCII (U+0085, U+00A0, U+3000 ... are white space too).
_EDGE = np.zeros(256, dtype=bool)
_EDGE[[*range(0x09, 0x0E), *range(0x1C, 0x21), *range(0x80, 0x100)]] = True
#: Bytes of the column's text looked at in one go (the comparisons' memory).
_WINDOW = 1 << 24


def _may_be_unstable(values: Any) -> Mask:
    """Rows that may match :func:`_unstable_pattern` (a superset: every row that does is among
    them), from the UTF-8 bytes of a string column: a byte that begins a character at or above
    the lowest character of the pattern's class (UTF-8 orders lead bytes as code points, and no
    other byte is that high), or an :data:`_EDGE` byte first or last. Anything but ``string`` /
    ``large_string``: every row that is not :func:`plain`.

    Scratch arrays are allocated once and reused: on this VM memory touched for the first time
    costs more than the comparisons."""
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return ~plain(values)
    threshold = _lead_byte(_lowest_unstable())
    offset_type = np.int32 if pa.types.is_string(values.type) else np.int64
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    out = np.zeros(len(values), dtype=bool)
    longest = max((len(c) for c in chunks), default=0)
    edge_bytes, edge_rows = np.empty(longest, dtype=np.uint8), np.empty(longest, dtype=bool)
    ends: Positions = np.empty(longest, dtype=offset_type)
    high_bytes = np.empty(0, dtype=bool)
    start = 0
    for chunk in chunks:
        n = len(chunk)
        rows, start = out[start : start + n], start + n
        _, offsets_buffer, data_buffer = chunk.buffers()
        if n == 0 or offsets_buffer is None or data_buffer is None:
            continue
        offsets = cast(Positions, np.frombuffer(offsets_buffer, dtype=offset_type))[chunk.offset : chunk.offset + n + 1]
        first, last = int(offsets[0]), int(offsets[-1])
        if last == first:  # every value empty
            continue
        data = np.frombuffer(data_buffer, dtype=np.uint8)[:last]
        for low in range(first, last, _WINDOW):
            window = data[low : min(low + _WINDOW, last)]
            if len(high_bytes) < len(window):
                high_bytes = np.empty(min(_WINDOW, last - first), dtype=bool)
            high = np.flatnonzero(np.greater_equal(window, threshold, out=high_bytes[: len(window)]))
            if len(high):
                rows[np.searchsorted(offsets, high + low, side="right") - 1] = True
        # The first and last byte of each value (an empty value's neighbours' bytes: harmless,
        # it only makes the pattern look at an empty text).
        for at in (offsets[:-1], np.subtract(offsets[1:], 1, out=ends[:n])):
            np.take(data, at, out=edge_bytes[:n], mode="clip")
            np.take(_EDGE, edge_bytes[:n], out=edge_rows[:n])
            np.logical_or(rows, edge_rows[:n], out=rows)
    return out


def _lowest_unstable() -> int:
    """The lowest code point of :func:`_unstable_characters`' first class (ranges in order)."""
    found = re.match(r"\[\\x\{([0-9a-f]+)\}", _unstable_characters()[0])
    return int(found.group(1), 16) if found else 0x80


def _lead_byte(code_point: int) -> int:
    """The first UTF-8 byte of ``code_point`` (at least 0x80: ASCII is never unstable)."""
    return max(0x80, chr(code_point).encode("utf-8")[0])


def folded_in(values: Any, words: Collection[str], fold: Callable[[str], str] = str.lower) -> Mask:
    """Rows of an Arrow string array whose value, folded by ``fold`` (``str.lower`` or
    ``str.casefold``), is one of ``words``; exactly ``fold(v) in words``. Nulls: False.

    Folding never shortens a string, so only values at most as long as the longest word can
    match: those in ASCII are folded by pyarrow, the rest by ``fold`` itself.
    """
    out = np.zeros(len(values), dtype=bool)
    words = set(words)
    if not words or len(values) == 0:
        return out
    longest = max(len(w) for w in words)
    # A character takes at most four bytes: byte lengths (from the offsets) rule out long texts
    # without reading them, and characters are counted in the others only.
    maybe = to_mask(pc.less_equal(pc.binary_length(values), 4 * longest))
    if not maybe.any():
        return out
    if maybe.mean() > 0.5:  # mostly short values (ids, labels): counting them all is cheaper than picking
        short = to_mask(pc.less_equal(pc.utf8_length(values), longest))
    else:
        short = np.zeros(len(values), dtype=bool)
        short[maybe] = to_mask(pc.less_equal(pc.utf8_length(values.filter(pa.array(maybe))), longest))
    if not short.any():
        return out
    candidates = values.filter(pa.array(short))
    ascii_words = pa.array(sorted(w for w in words if w.isascii()), type=pa.large_string())
    is_ascii = to_mask(pc.string_is_ascii(candidates))
    hit = to_mask(pc.is_in(pc.ascii_lower(candidates), value_set=ascii_words)) & is_ascii
    others = ~is_ascii & to_mask(pc.is_valid(candidates))
    if others.any():
        positions, mapped = _dictionary(candidates.filter(pa.array(others)))
        hit[others] = np.array([u is not None and fold(u) in words for u in mapped], dtype=bool)[positions]
    out[short] = hit
    return out


def plain_integers(values: Any) -> tuple[Mask, npt.NDArray[np.float64]]:
    """Rows holding a plain integer (ASCII digits, no sign, no leading zero, at most 15 digits)
    and every row's value as float64 (NaN elsewhere). Every number parser reads such a text
    alike, and float64 holds it exactly."""
    length = pc.binary_length(values)
    rows = to_mask(
        pc.and_(
            pc.ascii_is_decimal(values),
            pc.and_(
                pc.less_equal(length, 15),
                pc.or_(pc.invert(pc.starts_with(values, "0")), pc.equal(length, 1)),
            ),
        )
    )
    numbers = np.full(len(values), np.nan)
    if rows.any():
        numbers[rows] = values.filter(pa.array(rows)).cast(pa.int64()).to_numpy(zero_copy_only=False)
    return rows, numbers


def plain_decimals(values: Any, decimal: str) -> tuple[Mask, npt.NDArray[np.float64]]:
    """Rows holding a plain decimal number (ASCII digits, an optional minus, one ``decimal``
    mark between digits) and every row's value as float64 (NaN elsewhere).
    pyarrow's cast reads these as pandas' ``to_numeric`` does (correctly rounded), in C rather
    than one Python string at a time (checked in tests/test_io.py)."""
    mark = re.escape(decimal)
    rows = to_mask(pc.match_substring_regex(values, rf"^-?[0-9]+{mark}[0-9]+$"))
    numbers = np.full(len(values), np.nan)
    if rows.any():
        picked = values.filter(pa.array(rows))
        if decimal != ".":
            picked = pc.replace_substring(picked, decimal, ".")
        numbers[rows] = picked.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return rows, numbers


#: A plain ISO date, or date and time to the minute or second, of a valid day from 1678 to
#: 2261 (29 February left out: it depends on the year).
_ISO_DAY = (
    r"^(?:167[89]|16[89][0-9]|1[7-9][0-9]{2}|20[0-9]{2}|21[0-9]{2}|22[0-5][0-9]|226[01])-"
    r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
    r"(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?)?$"
)


_FIRST_SECOND = int(np.datetime64("1678-01-01T00:00:00", "s").astype(np.int64))
_LAST_SECOND = int(np.datetime64("2261-12-31T23:59:59", "s").astype(np.int64))


def iso_datetimes(values: Any) -> tuple[Mask, npt.NDArray[np.int64]]:
    """Rows holding a plain ISO date or date and time (``2026-03-14``, ``2026-03-14T09``,
    ``2026-03-14 09:30``, ``2026-03-14T09:30:15``) of a valid day from 1678 to 2261, and their
    nanoseconds since the epoch. pandas' ISO 8601 parser reads each of these as the same instant;
    everything else (other forms, time zones, fractions, invalid or far dates) is left out.

    pyarrow's cast to seconds accepts exactly these forms (and fails on anything else), so a
    chunk it casts whole needs no other check than the years; a chunk it refuses is matched
    value by value against :data:`_ISO_DAY` (which leaves 29 February out)."""
    rows = np.zeros(len(values), dtype=bool)
    ns = np.zeros(len(values), dtype=np.int64)
    start = 0
    for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
        stop = start + len(chunk)
        try:
            seconds = np.asarray(chunk.cast(pa.timestamp("s")).cast(pa.int64()).to_numpy(zero_copy_only=False))
            ok = (seconds >= _FIRST_SECOND) & (seconds <= _LAST_SECOND)
        except pa.ArrowInvalid:
            ok = to_mask(pc.match_substring_regex(chunk, _ISO_DAY))
            seconds = np.zeros(len(chunk), dtype=np.int64)
            if ok.any():
                try:
                    picked = chunk.filter(pa.array(ok)).cast(pa.timestamp("s")).cast(pa.int64())
                except pa.ArrowInvalid:  # not expected; pandas then reads the chunk
                    ok[:] = False
                else:
                    seconds[ok] = np.asarray(picked.to_numpy(zero_copy_only=False))
        rows[start:stop] = ok
        ns[start:stop] = np.where(ok, seconds, 0) * 1_000_000_000
        start = stop
    return rows, ns


def _encode(values: Any) -> tuple[Any, Any]:
    """pyarrow's dictionary encoding of a whole column: (distinct values, each row's index)."""
    encoded = values.dictionary_encode()
    if not isinstance(encoded, pa.ChunkedArray):
        return encoded.dictionary, encoded.indices
    chunks = encoded.chunks
    # pyarrow gives every chunk the one dictionary it built over the whole column.
    if chunks and all(len(c.dictionary) == len(chunks[-1].dictionary) for c in chunks):
        return chunks[-1].dictionary, pa.chunked_array([c.indices for c in chunks], type=chunks[-1].indices.type)
    encoded = values.combine_chunks().dictionary_encode()
    return encoded.dictionary, encoded.indices


def codes(values: Any) -> npt.NDArray[np.signedinteger[Any]]:
    """Each row's number among the distinct values of an Arrow array (null: -1)."""
    _, indices = _encode(values)
    if indices.null_count:
        indices = indices.fill_null(-1)
    return np.asarray(indices.to_numpy(zero_copy_only=False))


def _dictionary(values: Any) -> tuple[Positions, list[Any]]:
    """Each row's position in the list of distinct values (a null is None, at the end)."""
    dictionary, indices = _encode(values)
    uniques = dictionary.to_pylist()
    if indices.null_count:
        uniques.append(None)
        indices = indices.fill_null(len(uniques) - 1)
    return np.asarray(indices.to_numpy(zero_copy_only=False)), uniques


def _strings_of(uniques: list[Any]) -> Any:
    """Python strings as an Arrow array (None and ``pd.NA`` are nulls)."""
    return pa.array([None if u is None or u is pd.NA else u for u in uniques], type=pa.large_string())


class Cells:
    """The cells of one column (strings or nulls) for whole-column work; see the module.

    Either ``positions`` into ``uniques`` (a column of few distinct values) or ``values`` (an
    Arrow string array) or both; what is missing is derived when asked for.
    """

    def __init__(
        self,
        index: pd.Index,
        *,
        values: Any | None = None,
        positions: Positions | None = None,
        uniques: list[Any] | None = None,
    ) -> None:
        self.index = index
        self._values = values
        self.positions = positions
        self.uniques = uniques
        # With a dictionary: the column's original Arrow values and the original value of each
        # distinct value (same positions), from which the values are derived when asked for.
        self._root: tuple[Any, list[Any]] | None = None
        self._plain: Mask | None = None
        self._stable: Mask | None = None

    @classmethod
    def of_strings(cls, values: Any, index: pd.Index) -> Cells:
        """An Arrow string array; dictionary-encoded when its first rows repeat values."""
        if few_valued(values.slice(0, PROBE_ROWS)):
            positions, uniques = _dictionary(values)
            cells = cls(index, values=values, positions=positions, uniques=uniques)
            cells._root = (values, uniques)
            return cells
        return cls(index, values=values)

    @classmethod
    def of_categories(cls, series: pd.Series) -> Cells:
        """A categorical Series of strings (a Parquet column read as a dictionary): its codes are
        the positions, its categories the distinct values (a missing cell is None, at the end)."""
        # int32 as pyarrow's dictionary indices: the positions take a value one past the categories.
        positions = np.asarray(series.array.codes).astype(np.int32)
        uniques: list[Any] = [*series.cat.categories.tolist(), None]
        positions[positions < 0] = len(uniques) - 1
        return cls(series.index, positions=positions, uniques=uniques)

    @classmethod
    def of_series(cls, series: pd.Series, fn: Callable[[Any], Any]) -> Cells:
        """``fn`` of every cell of a Series of any dtype, once per distinct value (a missing
        cell is passed as None), as pandas' ``factorize`` groups them."""
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        mapped = [fn(u) for u in uniques] + [fn(None)]
        positions = np.where(codes < 0, len(mapped) - 1, codes).astype(np.intp)
        return cls(series.index, positions=positions, uniques=mapped)

    @property
    def few(self) -> bool:
        """Whether the cells are held as distinct values and positions."""
        return self.positions is not None

    @property
    def values(self) -> Any:
        """The cells as an Arrow string array."""
        if self._values is None:
            positions, uniques = self._pair()
            if self._root is not None:  # only the rows whose value changed differ from the original
                base, before = self._root
                changed = np.array([not _same_value(u, b) for u, b in zip(uniques, before)], dtype=bool)
                rows = changed[positions]
                if not changed.any():
                    self._values = base
                elif all(u is None or u is pd.NA for u, c in zip(uniques, changed) if c):
                    self._values = _null_rows(base, rows)  # a new validity bitmap over the same strings
                elif rows.mean() < 0.125:
                    self._values = _replace(base, rows, _strings_of(uniques).take(pa.array(positions[rows])))
            if self._values is None:
                self._values = _strings_of(uniques).take(pa.array(positions))
        return self._values

    def __len__(self) -> int:
        return len(self.index)

    def series(self, na: str = "str") -> pd.Series:
        """The cells as a Series: ``na="str"`` pandas' default ``str`` dtype (missing is NaN),
        ``na="string"`` the ``string`` dtype (missing is ``pd.NA``)."""
        values = self.values
        if pa.types.is_string(values.type):
            values = values.cast(pa.large_string())
        return pd.Series(pd.array(values, dtype=na), index=self.index)

    def plain(self) -> Mask:
        """:func:`plain` of the values (computed once)."""
        if self._plain is None:
            self._plain = plain(self.values)
        return self._plain

    def stable(self) -> Mask:
        """:func:`stable` of the values (computed once)."""
        if self._stable is None:
            self._stable = stable(self.values)
        return self._stable

    def label_like(self) -> Mask:
        """Rows :meth:`plain` whose value is not empty and has no run of spaces: a category label
        :func:`cxkit.data.schema.clean_category` leaves as it is."""
        values = self.values
        return (
            self.plain()
            & to_mask(pc.invert(pc.match_substring(values, "  ")))
            & to_mask(pc.greater(pc.binary_length(values), 0))
        )

    def rows(self, mask: Mask) -> list[Any]:
        """The values of the rows in ``mask``, as Python objects."""
        if self.few:
            positions, uniques = self._pair()
            return [uniques[p] for p in positions[mask]]
        return list(self.values.filter(pa.array(mask)).to_pylist())

    def map(self, fn: Callable[[Any], Any], keep: Callable[[Cells], Mask]) -> Cells:
        """``fn`` of every cell (a null passed as None); ``fn`` returns a string, or None /
        ``pd.NA`` for a null. ``keep(cells)`` marks cells ``fn`` returns unchanged: with many
        distinct values, only the other cells meet ``fn``, once per distinct value."""
        if self.few:
            positions, uniques = self._pair()
            out = Cells(self.index, positions=positions, uniques=[fn(u) for u in uniques])
            out._root = self._root  # the values, when asked for, are built from the original ones
            return out
        values = self.values
        rows = ~keep(self)
        if not rows.any():
            return self._same()
        positions, uniques = _dictionary(values.filter(pa.array(rows)))
        mapped = [fn(u) for u in uniques]
        # Only cells fn changes are replaced: untouched chunks stay shared, not copied.
        changed = np.array([not (isinstance(m, str) and m == u) for m, u in zip(mapped, uniques)], dtype=bool)
        if not changed.any():
            return self._same()
        sub = changed[positions]
        replace = np.zeros(len(values), dtype=bool)
        replace[np.flatnonzero(rows)[sub]] = True
        if all(m is None or m is pd.NA for m, c in zip(mapped, changed) if c):
            return Cells(self.index, values=_null_rows(values, replace))
        new = _strings_of(mapped).take(pa.array(positions[sub]))
        return Cells(self.index, values=_replace(values, replace, new))

    def _same(self) -> Cells:
        """These cells again, as a new object (what is known of them carried over)."""
        out = Cells(self.index, values=self._values, positions=self.positions, uniques=self.uniques)
        out._root, out._plain, out._stable = self._root, self._plain, self._stable
        return out

    def map_distinct(self, fn: Callable[[Any], Any]) -> tuple[Positions, list[Any]]:
        """``fn`` of every distinct value: each row's position in the results, and the results."""
        if self.few:
            positions, uniques = self._pair()
            return positions, [fn(u) for u in uniques]
        positions, uniques = _dictionary(self.values)
        return positions, [fn(u) for u in uniques]

    def isin(self, words: Collection[str], fold: Callable[[str], str] = str.lower) -> Mask:
        """Rows whose value, folded by ``fold``, is one of ``words`` (nulls: False)."""
        if self.few:
            positions, uniques = self._pair()
            words = set(words)
            return np.array([u is not None and fold(u) in words for u in uniques], dtype=bool)[positions]
        return folded_in(self.values, words, fold)

    def distinct(self, mask: Mask) -> list[Any]:
        """The distinct values of the rows in ``mask``."""
        if self.few:
            positions, uniques = self._pair()
            return [uniques[p] for p in np.unique(positions[mask])]
        return list(pc.unique(self.values.filter(pa.array(mask))).to_pylist())

    def blank(self, mask: Mask) -> Cells:
        """These cells with the rows in ``mask`` made empty strings."""
        if not mask.any():
            return self
        if self.few:
            positions, uniques = self._pair()
            positions = positions.copy()
            positions[mask] = len(uniques)
            return Cells(self.index, positions=positions, uniques=[*uniques, ""])
        values = self.values
        mask = mask & ~to_mask(pc.equal(values, ""))  # those empty already stay as they are
        if not mask.any():
            return self._same()
        new = pa.array([""] * int(mask.sum()), type=values.type)
        return Cells(self.index, values=_replace(values, mask, new))

    def used(self) -> tuple[Positions, list[Any]]:
        """Positions and distinct values with every listed value in use (a column of few)."""
        positions, uniques = self._pair()
        counts = np.bincount(positions, minlength=len(uniques))
        if counts.all():
            return positions, uniques
        keep = np.flatnonzero(counts)
        renumber = np.full(len(uniques), -1, dtype=np.intp)
        renumber[keep] = np.arange(len(keep))
        return renumber[positions], [uniques[i] for i in keep]

    def _pair(self) -> tuple[Positions, list[Any]]:
        if self.positions is None or self.uniques is None:
            raise RuntimeError("cxkit bug: these cells have no dictionary")
        return self.positions, self.uniques


def _null_rows(values: Any, rows: Mask) -> Any:
    """``values`` with the rows in ``rows`` made null: the strings are shared, only the validity
    bitmap is new (chunks without such a row are shared whole)."""
    chunks, start = [], 0
    for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
        here = rows[start : start + len(chunk)]
        start += len(chunk)
        if not here.any():
            chunks.append(chunk)
        elif chunk.offset:
            chunks.append(pc.if_else(pa.array(here), pa.scalar(None, type=chunk.type), chunk))
        else:
            valid = pc.and_(chunk.is_valid(), pa.array(~here))
            buffers = chunk.buffers()
            chunks.append(pa.Array.from_buffers(chunk.type, len(chunk), [valid.buffers()[1], *buffers[1:]]))
    return pa.chunked_array(chunks, type=values.type)


def _same_value(value: Any, before: Any) -> bool:
    """Whether a derived value equals the original one (both missing counts as equal)."""
    if value is None or value is pd.NA:
        return before is None
    return isinstance(value, str) and value == before


def _replace(values: Any, rows: Mask, new: Any) -> Any:
    """``values`` with the rows in ``rows`` replaced by ``new`` (in row order); chunks without
    such a row are shared, not copied."""
    chunks, start, used = [], 0, 0
    new = new.cast(values.type) if new.type != values.type else new
    for chunk in values.chunks if isinstance(values, pa.ChunkedArray) else [values]:
        here = rows[start : start + len(chunk)]
        n = int(here.sum())
        chunks.append(pc.replace_with_mask(chunk, pa.array(here), new.slice(used, n)) if n else chunk)
        start, used = start + len(chunk), used + n
    return pa.chunked_array(chunks, type=values.type)
