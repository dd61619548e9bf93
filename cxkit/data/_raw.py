"""Raw tables and delimited text: the parsing that file formats and survey exports share.

A private hub of the data layer: :mod:`cxkit.data.formats` and :mod:`cxkit.data.surveys`
take these from here (``formats`` re-exports the public ones), so neither imports the other's
internals and ``formats`` can dispatch to ``surveys`` without a circle.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import SourceError


@dataclass
class RawTable:
    """Rows as read from a source, before mapping to a canonical table.

    Attributes
    ----------
    frame : DataFrame
        One row per record read, with the source's column names. Text formats give strings.
    lines : ndarray of int
        Where each row starts in the source: the physical line for text files, the sheet row
        for Excel, the 1-based row number for Parquet, SPSS and SQL.
    excluded : DataFrame
        Records the source format itself marks as not being responses (Qualtrics previews,
        spam and tests; empty lines of cells), with columns ``line`` and ``reason``. They
        count as read, and :mod:`cxkit.data.readers` lists them among the rejected rows.
    notes : list of str
        What the reader detected or did (encoding, delimiter, labels applied, ...).
    source : str
        Display name of the source (a path, or a SQL URL without its password).
    format : str
        The reader that produced it.
    dialect : dict
        For text: ``encoding``, ``sep``, ``decimal``. Readers of typed sources leave it empty.
    typed : bool
        False when every cell is a string that still needs parsing.
    """

    frame: pd.DataFrame
    lines: npt.NDArray[np.int64]
    source: str
    format: str
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["line", "reason"]))
    notes: list[str] = field(default_factory=list)
    dialect: dict[str, Any] = field(default_factory=dict)
    typed: bool = False

    @property
    def n_read(self) -> int:
        return len(self.frame) + len(self.excluded)


# --------------------------------------------------------------------------- decoding

#: The csv quoting modes the text reader uses: csv.QUOTE_MINIMAL (0) and csv.QUOTE_NONE (3).
_QuoteMode = Literal[0, 3]

_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def decode_bytes(data: bytes, encoding: str | None = None, *, source: str = "<text>") -> tuple[str, str]:
    """Decode file bytes; return ``(text, encoding)``.

    >>> decode_bytes("blåbær".encode("cp1252"))
    ('blåbær', 'cp1252')
    >>> decode_bytes(codecs.BOM_UTF8 + "ø".encode())
    ('ø', 'utf-8-sig')
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceError(
                f"{source}: cannot decode as {encoding!r} ({exc}). "
                "Remove the encoding option to let cxkit detect it, or name the right one."
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if not any(b in _CP1252_UNDEFINED for b in data):
        return data.decode("cp1252"), "cp1252"
    return data.decode("latin-1"), "latin-1"


# --------------------------------------------------------------------------- dialect

_CANDIDATE_SEPS = [",", ";", "\t", "|"]
_COMMA_DECIMAL = re.compile(r"^-?\d{1,3}(?:[\u00a0\u202f .]\d{3})*,\d+$|^-?\d+,\d+$")
_DOT_DECIMAL = re.compile(r"^-?\d{1,3}(?:[\u00a0\u202f ,]\d{3})*\.\d+$|^-?\d+\.\d+$")


def _sniff_sep(text: str, quoting: _QuoteMode, hint: str | None) -> str:
    sample = text[:200_000]
    best, best_score = None, (0, 0)
    for sep in _CANDIDATE_SEPS:
        try:
            reader = csv.reader(io.StringIO(sample), delimiter=sep, quoting=quoting)
            counts = [len(r) for _, r in zip(range(30), reader) if r]
        except csv.Error:
            continue
        if len(counts) > 1 and sample.count("\n") > len(counts):
            counts = counts[:-1]  # the sample may cut the last record in half
        if not counts or counts[0] < 2:
            continue
        consistent = sum(c == counts[0] for c in counts)
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = sep, score
    # A file whose records have a single field splits on nothing: the extension decides (.tsv).
    return best if best is not None else (hint or ",")


def _sniff_decimal(frame: pd.DataFrame, sep: str) -> str:
    if sep == ",":
        return "."
    comma = dot = 0
    for col in frame.columns[:200]:
        values = frame[col].iloc[:2000]
        comma += int(values.str.match(_COMMA_DECIMAL).sum())
        dot += int(values.str.match(_DOT_DECIMAL).sum())
    return "," if comma > dot else "."


def _record_start_lines(
    text: str, sep: str, quoting: _QuoteMode, skip_lines: int, header: bool
) -> npt.NDArray[np.int64]:
    """Physical 1-based line where each data record starts (mirrors pandas' reading)."""
    reader = csv.reader(io.StringIO(text), delimiter=sep, quoting=quoting)
    starts = []
    prev_end = 0
    first = True
    for row in reader:
        start = prev_end + 1
        prev_end = reader.line_num
        if not row:  # blank line: pandas skips it too
            continue
        if first and header:
            first = False
            continue
        first = False
        starts.append(start + skip_lines)
    return np.asarray(starts, dtype=np.int64)


def read_delimited_text(
    text: str,
    *,
    source: str = "<text>",
    encoding: str = "utf-8",
    sep: str | None = None,
    decimal: str | None = None,
    header: bool = True,
    names: list[str] | None = None,
    quoting: str = "minimal",
    skip_rows: int = 0,
    suffix: str = "",
) -> RawTable:
    """Parse decoded delimited text into a :class:`RawTable` of strings."""
    notes: list[str] = [f"encoding {encoding}"]
    quote_modes: dict[str, _QuoteMode] = {"minimal": csv.QUOTE_MINIMAL, "none": csv.QUOTE_NONE}
    quote_mode = quote_modes.get(quoting)
    if quote_mode is None:
        raise SourceError(f"{source}: quoting must be 'minimal' or 'none', not {quoting!r}.")
    skip_lines = 0
    lines_all = text.split("\n", skip_rows + 1)
    if skip_rows:
        text = lines_all[-1] if len(lines_all) > skip_rows else ""
        skip_lines += skip_rows
    first_line = text.split("\n", 1)[0].strip().strip("\r").strip('"')
    m = re.fullmatch(r"sep=(.)", first_line)
    if m:
        sep = sep or m.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
        skip_lines += 1
        notes.append(f"'sep={m.group(1)}' first line honoured")
    if not text.strip():
        raise SourceError(
            f"{source}: the file has no rows. Check that the export finished, or point the catalog at the right file."
        )
    hint = "\t" if suffix in (".tsv", ".tab") else None
    sep = sep or _sniff_sep(text, quote_mode, hint)
    notes.append(f"delimiter {sep!r}")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            header=0 if header else None,
            names=names,
            quoting=quote_mode,
            skip_blank_lines=True,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise SourceError(
            f"{source}: cannot split the file into rows with delimiter {sep!r}: {exc}. "
            "If a text column contains stray quote characters, set quoting: none; otherwise "
            "set sep explicitly."
        ) from None
    except pd.errors.EmptyDataError:
        raise SourceError(f"{source}: the file has no header and no rows.") from None
    frame.columns = [str(c) for c in frame.columns]
    decimal = decimal or _sniff_decimal(frame, sep)
    if decimal == ",":
        notes.append("decimal comma")
    # Line numbers: arithmetic when no record spans lines, else walk the records.
    n_newlines = text.count("\n") + (0 if text.endswith("\n") else 1)
    blank = sum(1 for ln in text.split("\n") if not ln.strip("\r")) - (1 if text.endswith("\n") else 0)
    expected = len(frame) + (1 if header else 0)
    if n_newlines - blank == expected and blank == 0:
        lines = np.arange(len(frame), dtype=np.int64) + (2 if header else 1) + skip_lines
    else:
        lines = _record_start_lines(text, sep, quote_mode, skip_lines, header)
        spanning = int((np.diff(np.append(lines, n_newlines + skip_lines + 1)) > 1).sum())
        if spanning and quote_mode != csv.QUOTE_NONE:
            notes.append(
                f"{spanning:,} record(s) span several lines (quoted line breaks); if the file "
                "has no quoted fields, a stray quote is joining lines: set quoting: none"
            )
        if len(lines) != len(frame):  # csv and pandas disagree: fall back to record numbers
            lines = np.arange(len(frame), dtype=np.int64) + (2 if header else 1) + skip_lines
            notes.append("line numbers are record numbers (multi-line records)")
    # Excel writes trailing rows of bare delimiters; they are not records.
    empty = (frame == "").all(axis=1) if len(frame.columns) else pd.Series(False, index=frame.index)
    excluded = pd.DataFrame({"line": lines[empty.to_numpy()], "reason": "empty row (every cell blank)"})
    if empty.any():
        frame = frame.loc[~empty].reset_index(drop=True)
        lines = lines[~empty.to_numpy()]
    return RawTable(
        frame=frame,
        lines=lines,
        source=source,
        format="csv",
        excluded=excluded,
        notes=notes,
        dialect={"encoding": encoding, "sep": sep, "decimal": decimal},
    )
