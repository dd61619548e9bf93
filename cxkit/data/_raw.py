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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
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
    malformed : DataFrame
        Records that cannot be split into the header's fields (a value holding the delimiter
        unquoted), with columns ``line``, ``reason`` and ``record`` (its text as read). They count
        as read, and :mod:`cxkit.data.readers` lists them among the rejected rows as invalid.
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
    dictionary : list of str
        Columns of strings read as categoricals for speed (a Parquet column of few distinct
        values, read as the dictionary it is stored as): each distinct string once, each row its
        code. :mod:`cxkit.data.readers` parses them once per distinct value and gives back the
        strings as read wherever the column is kept as it is.
    """

    frame: pd.DataFrame
    lines: npt.NDArray[np.int64]
    source: str
    format: str
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["line", "reason"]))
    malformed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["line", "reason", "record"]))
    notes: list[str] = field(default_factory=list)
    dialect: dict[str, Any] = field(default_factory=dict)
    typed: bool = False
    dictionary: list[str] = field(default_factory=list)

    @property
    def n_read(self) -> int:
        return len(self.frame) + len(self.excluded) + len(self.malformed)


# --------------------------------------------------------------------------- decoding

#: The csv quoting modes the text reader uses: csv.QUOTE_MINIMAL (0) and csv.QUOTE_NONE (3).
_QuoteMode = Literal[0, 3]

_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def decode_bytes(
    data: bytes, encoding: str | None = None, *, source: str = "<text>", notes: list[str] | None = None
) -> tuple[str, str]:
    r"""Decode file bytes; return ``(text, encoding)``.

    Without ``encoding``: a BOM decides (UTF-8, UTF-16); then UTF-8. A file that is UTF-8 but
    for some lines (one line pasted from a cp1252 file) is decoded line by line: UTF-8 where a
    line is UTF-8, cp1252 (latin-1 where cp1252 leaves a byte undefined) where it is not, and
    ``notes`` (when given) says which lines. A file with no UTF-8 line of non-ASCII text is
    cp1252 (or latin-1) throughout.

    >>> decode_bytes("blåbær".encode("cp1252"))
    ('blåbær', 'cp1252')
    >>> decode_bytes(codecs.BOM_UTF8 + "ø".encode())
    ('ø', 'utf-8-sig')
    >>> decode_bytes("Malmö\n".encode() + "Malmö\n".encode("cp1252"))
    ('Malmö\nMalmö\n', 'utf-8')
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
        text, used = data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="surrogateescape"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"{source}: starts with a UTF-16 byte-order mark but is not UTF-16 at byte {exc.start:,} "
                f"({exc.reason}). Export the file again, or name its encoding with the encoding option."
            ) from None
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, used = data.decode("utf-8", errors="surrogateescape"), "utf-8"
    # Bytes that are not UTF-8 are the surrogates U+DC80-U+DCFF now. A file with other non-ASCII
    # text is UTF-8 with a few foreign lines; without any, the legacy code page of the export.
    if used == "utf-8" and not _UTF8_NON_ASCII.search(text):
        if not any(b in _CP1252_UNDEFINED for b in data):
            return data.decode("cp1252"), "cp1252"
        return data.decode("latin-1"), "latin-1"
    return _decode_foreign_lines(text, notes), used


#: A character that only valid UTF-8 beyond ASCII decodes to (not one of surrogateescape's U+DC80-U+DCFF).
_UTF8_NON_ASCII = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")
_ESCAPED = re.compile("[\udc80-\udcff]+")


def _decode_foreign_lines(text: str, notes: list[str] | None) -> str:
    """``text`` (decoded with surrogateescape) with each line holding bytes that are not UTF-8
    decoded again as cp1252 (latin-1 where cp1252 leaves a byte undefined)."""
    lines = text.split("\n")
    starts = np.cumsum([0] + [len(line) + 1 for line in lines[:-1]])
    bad = np.unique(np.searchsorted(starts, [m.start() for m in _ESCAPED.finditer(text)], side="right") - 1)
    codes: Counter[str] = Counter()
    for i in bad.tolist():
        raw = lines[i].encode("utf-8", errors="surrogateescape")
        code = "latin-1" if any(b in _CP1252_UNDEFINED for b in raw) else "cp1252"
        lines[i] = raw.decode(code)
        codes[code] += 1
    if notes is not None:
        shown = ", ".join(str(i + 1) for i in bad[:10].tolist()) + (", …" if len(bad) > 10 else "")
        how = " and ".join(f"{n:,} as {code}" for code, n in sorted(codes.items()))
        n_lines = len(lines) - (1 if not lines[-1] else 0)
        notes.append(
            f"mixed encodings: {len(bad):,} line(s) are not UTF-8 and were decoded one by one ({how}: line(s) "
            f"{shown}); the other {n_lines - len(bad):,} as UTF-8. Save the file as UTF-8 to be sure"
        )
    return "\n".join(lines)


def strip_nul(text: str, source: str, notes: list[str]) -> str:
    """``text`` without NUL characters (a NUL makes ``Oslo\\x00`` a value of its own), with a note."""
    if "\x00" not in text:
        return text
    notes.append(f"{text.count(chr(0)):,} NUL character(s) removed (a NUL byte is no text; the export is damaged)")
    return text.replace("\x00", "")


#: The most columns a header may name unless the reader is told more with ``max_columns``: a
#: header of a million columns would take minutes to read into a table no analysis can use.
MAX_COLUMNS = 10_000
#: The longest first line (the header) of a text file, in characters.
MAX_HEADER_CHARS = 16 << 20


def check_header_width(first_line: str, *, source: str, sep: str | None, max_columns: int, line: int = 1) -> None:
    """A SourceError when the header line (``first_line``, without its line break) names more
    columns than ``max_columns``; counted from the delimiter (each candidate when ``sep`` is
    None), so quoted delimiters count too: a bound, not a parse."""
    if len(first_line) > MAX_HEADER_CHARS:
        raise SourceError(
            f"{source}: line {line} (the header) is {len(first_line):,} characters long, more than the "
            f"{MAX_HEADER_CHARS:,} cxkit reads as a header; this is not a table with a header row. Check the "
            "file (or skip_rows if the header comes later)."
        )
    seps = [sep] if sep else _CANDIDATE_SEPS
    fields = max(first_line.count(s) for s in seps) + 1
    if fields > max_columns:
        raise SourceError(
            f"{source}: line {line} (the header) has {fields:,} fields, more than the {max_columns:,} columns cxkit "
            f"reads by default. If the file really is that wide, raise the limit with max_columns: {fields} in the "
            f"catalog entry (or max_columns={fields} in load_*); otherwise check the delimiter and the export."
        )


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
    start = prev_end = 0
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
    reject_malformed: bool = False,
    max_columns: int = MAX_COLUMNS,
) -> RawTable:
    """Parse decoded delimited text into a :class:`RawTable` of strings.

    Lines end at a line feed (CR LF or LF); a carriage return anywhere else is part of a value,
    as the export wrote it (a text with an original line break), never the end of a row. (A
    text with carriage returns only, as old Mac files, is split at them.) A record with more
    fields than the header cannot be read; with ``reject_malformed`` it is listed in
    ``malformed`` with its line and the fix, and every other record is read; otherwise the
    whole text is refused (a SourceError). A header naming a column twice is refused too (pandas
    would rename the second ``nps.1``), and so is one of more than ``max_columns`` fields. NUL
    characters are removed, with a note.
    """
    notes: list[str] = [f"encoding {encoding}"]
    text = strip_nul(text, source, notes)
    if "\r" in text and "\n" not in text:
        # Classic Mac files end their lines with a carriage return alone.
        text = text.replace("\r", "\n")
        notes.append("lines end with a carriage return alone (classic Mac): read as line breaks")
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
    end = text.find("\n")
    check_header_width(
        text[: end if end >= 0 else len(text)], source=source, sep=sep, max_columns=max_columns, line=skip_lines + 1
    )
    # pandas (and Python's csv) end a row at a lone carriage return too; a text whose lines end
    # at line feeds keeps its lone CRs in the values: they stand in as a character the text
    # does not hold while it is split, and are put back in the cells.
    lone_cr = None
    if "\n" in text and text.count("\r") != text.count("\r\n"):
        lone_cr = _absent_character(text)
        n_lone = text.count("\r") - text.count("\r\n")
        text = re.sub(r"\r(?!\n)", lone_cr, text)
        notes.append(f"{n_lone:,} carriage return(s) inside values kept (rows end at line feeds)")
    hint = "\t" if suffix in (".tsv", ".tab") else None
    sep = sep or _sniff_sep(text, quote_mode, hint)
    notes.append(f"delimiter {sep!r}")
    if header and not names:
        refuse_repeated_names(_first_record(text, sep, quote_mode), source, skip_lines + 1, lone_cr)
    malformed = pd.DataFrame(columns=["line", "reason", "record"])
    good_lines: npt.NDArray[np.int64] | None = None
    try:
        frame = _pandas_csv(text, sep, header, names, quote_mode)
        if reject_malformed and not isinstance(frame.index, pd.RangeIndex):
            # The first records have one field more than the header: pandas would make the first
            # field an index (and lose it); they are malformed like any other such record.
            raise pd.errors.ParserError("Expected fields: records with one field more than the header")
    except pd.errors.ParserError as exc:
        # Only records with too many fields are rejected one by one; a quote left open (pandas:
        # "EOF inside string") leaves no record boundary to trust.
        split = None
        if reject_malformed and _too_many(exc):
            split = _split_malformed(text, sep, quote_mode, skip_lines, header, names)
        if split is None:
            raise SourceError(
                f"{source}: cannot split the file into rows with delimiter {sep!r}: {exc}. "
                "If a text column contains stray quote characters, set quoting: none; otherwise "
                "set sep explicitly."
            ) from None
        text, good_lines, malformed = split
        frame = _pandas_csv(text, sep, header, names, csv.QUOTE_MINIMAL)
        notes.append(
            f"{len(malformed):,} record(s) with more fields than the header rejected (a value holds the delimiter "
            f"{sep!r} unquoted)"
        )
    except pd.errors.EmptyDataError:
        raise SourceError(f"{source}: the file has no header and no rows.") from None
    frame.columns = [str(c) for c in frame.columns]
    if lone_cr is not None:
        frame.columns = [c.replace(lone_cr, "\r") for c in frame.columns]
        for col in frame.columns:
            if frame[col].str.contains(lone_cr, regex=False).any():
                frame[col] = frame[col].str.replace(lone_cr, "\r", regex=False)
        if len(malformed):
            malformed["record"] = malformed["record"].str.replace(lone_cr, "\r", regex=False)
    decimal = decimal or _sniff_decimal(frame, sep)
    if decimal == ",":
        notes.append("decimal comma")
    # Line numbers: arithmetic when no record spans lines, else walk the records.
    n_newlines = text.count("\n") + (0 if text.endswith("\n") else 1)
    blank = sum(1 for ln in text.split("\n") if not ln.strip("\r")) - (1 if text.endswith("\n") else 0)
    expected = len(frame) + (1 if header else 0)
    if good_lines is not None:  # numbered while the malformed records were split off
        lines = good_lines
    elif n_newlines - blank == expected and blank == 0:
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
        malformed=malformed,
        notes=notes,
        dialect={"encoding": encoding, "sep": sep, "decimal": decimal},
    )


def _first_record(text: str, sep: str, quoting: _QuoteMode) -> list[str]:
    """The fields of the first record (the header), as pandas splits them; [] when the csv
    module cannot split it (pandas then says why)."""
    try:
        return next(csv.reader(io.StringIO(text), delimiter=sep, quoting=quoting), [])
    except csv.Error:
        return []


def refuse_repeated_names(names: list[str], source: str, line: int, lone_cr: str | None = None) -> None:
    """A SourceError naming the first column name the header holds twice (blank names aside:
    Excel's trailing empty columns)."""
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        key = name.strip()
        if not key:
            continue
        if key in seen:
            shown = key.replace(lone_cr, "\r") if lone_cr else key
            raise SourceError(
                f"{source}: line {line} (the header) names column {shown!r} twice (columns {seen[key] + 1} and {i + 1}); "
                f"pandas would silently call the second {shown + '.1'!r}. Rename one of them in the export (e.g. "
                f"{shown + '_2'!r}) or remove the copy, and read the file again."
            )
        seen[key] = i


def _pandas_csv(text: str, sep: str, header: bool, names: list[str] | None, quoting: _QuoteMode) -> pd.DataFrame:
    """Every field of ``text`` as a string, as pandas' C parser splits it."""
    return pd.read_csv(
        io.StringIO(text),
        sep=sep,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        header=0 if header else None,
        names=names,
        quoting=quoting,
        skip_blank_lines=True,
        engine="c",
    )


def _too_many(error: pd.errors.ParserError) -> bool:
    """Whether pandas stopped at a record with more fields than the header."""
    return "Expected " in str(error) and " fields" in str(error)


def _absent_character(text: str) -> str:
    """A private-use character ``text`` does not hold."""
    for code in range(0xE000, 0xF900):
        if chr(code) not in text:
            return chr(code)
    raise SourceError("cxkit: every private-use character occurs in this text; cannot mark its carriage returns")


def _split_malformed(
    text: str, sep: str, quoting: _QuoteMode, skip_lines: int, header: bool, names: list[str] | None
) -> tuple[str, npt.NDArray[np.int64], pd.DataFrame] | None:
    """Split off the records with more fields than the header: the other records written again
    (every field quoted where needed, for pandas' parser), the line where each starts, and the
    malformed ones (``line``, ``reason``, ``record``). Records are split by Python's csv module,
    which splits fields as pandas' parser does (the same quoting, blank lines skipped); a record
    with fewer fields stays, as pandas fills it with empty cells. None when the last record
    runs to the end of the file inside an open quote."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quoting=quoting)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    width = len(names) if names else 0  # 0: the first record's width
    starts: list[int] = []
    bad: list[tuple[int, str, str]] = []
    start = prev_end = 0
    first = True
    for row in reader:
        start, prev_end = prev_end + 1 + skip_lines, reader.line_num
        if not row:  # a blank line: pandas skips it too
            continue
        if first:
            first = False
            width = width or len(row)
            if header:
                writer.writerow(row)
                continue
        if len(row) > width:
            spans = (
                f" (the record spans lines {start}-{prev_end + skip_lines})" if prev_end + skip_lines > start else ""
            )
            hint = (
                "; if the file has no quoted fields, a stray quote joins lines: set quoting: none"
                if spans and quoting != csv.QUOTE_NONE
                else ""
            )
            reason = (
                f"line {start}: {len(row)} fields where the header has {width}{spans}: a value holds the delimiter "
                f"{sep!r} unquoted; quote that value in the export (or remove the delimiter from it) and read the "
                f"file again{hint}"
            )
            bad.append((start, reason, sep.join(row)))
            continue
        writer.writerow(row)
        starts.append(start)
    if quoting != csv.QUOTE_NONE and prev_end + skip_lines > start:
        # The last record spans lines: a quote it opened may run to the end of the file.
        tail = text.split("\n", start - skip_lines - 1)[-1]
        if tail.count('"') % 2:
            return None
    malformed = pd.DataFrame(bad, columns=["line", "reason", "record"]).astype({"line": np.int64})
    return out.getvalue(), np.asarray(starts, dtype=np.int64), malformed


# --------------------------------------------------------------------------- UTF-8 files, parsed by pyarrow

#: Bytes decoded for sniffing: the first 200,000 characters are at most 800,000 bytes of UTF-8.
_HEAD = 1 << 20


def read_delimited_file(path: Path, *, suffix: str = "", **options: Any) -> RawTable | None:
    """:func:`read_delimited_text` of a UTF-8 file, the same table, parsed by pyarrow straight from
    the file (several times faster, and without the text in memory); None when the file needs
    :func:`read_delimited_text`.

    The same sniffing runs on the first 200,000 characters. pyarrow's parser splits such files as
    pandas' does, and where they could differ pyarrow stops with an error and the general reader
    takes over: a row with more or fewer fields than the header, an empty or blank line, a field
    that is not UTF-8. Also left to the general reader: another encoding, a header pandas would
    rename (empty or repeated names), a single column, and options other than ``sep``, ``decimal``
    and ``quoting="minimal"``. Line numbers are counted from the line breaks inside the values,
    checked against the file's own count.
    """
    defaults = {
        "header": True,
        "names": None,
        "quoting": "minimal",
        "skip_rows": 0,
        "sep": None,
        "decimal": None,
        "max_columns": MAX_COLUMNS,
    }
    taken = ("sep", "decimal", "max_columns")
    if any(k not in defaults or (k not in taken and v != defaults[k]) for k, v in options.items()):
        return None
    sep: str | None = options.get("sep")
    decimal: str | None = options.get("decimal")
    max_columns: int = options.get("max_columns", MAX_COLUMNS)
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    if not head.strip() or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    encoding, start = ("utf-8-sig", len(codecs.BOM_UTF8)) if head.startswith(codecs.BOM_UTF8) else ("utf-8", 0)
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head[start:], final=size <= _HEAD)
    except UnicodeDecodeError:
        return None
    notes = [f"encoding {encoding}"]
    skip_lines = 0
    m = re.fullmatch(r"sep=(.)", text.split("\n", 1)[0].strip().strip("\r").strip('"'))
    if m:
        if "\n" not in text:
            return None
        sep = sep or m.group(1)
        first, text = text.split("\n", 1)
        start += len(first.encode("utf-8")) + 1
        skip_lines = 1
        notes.append(f"'sep={m.group(1)}' first line honoured")
    if not text.strip() or (size > _HEAD and (len(text) < 200_000 or "\n" not in text)):
        return None  # (a header longer than the head: the general reader bounds it)
    sep = sep or _sniff_sep(text, csv.QUOTE_MINIMAL, "\t" if suffix in (".tsv", ".tab") else None)
    if len(sep) != 1 or sep in '"\r\n':
        return None
    try:
        names = next(csv.reader(io.StringIO(text), delimiter=sep, quoting=csv.QUOTE_MINIMAL))
    except (csv.Error, StopIteration):
        return None
    check_header_width(sep.join(names), source=str(path), sep=sep, max_columns=max_columns, line=skip_lines + 1)
    if len(names) < 2 or len(set(names)) != len(names) or any(not n.strip() for n in names) or "\x00" in text:
        return None
    import pyarrow as pa

    # One memory map serves pyarrow's parse and the line counts (the file is read once).
    with pa.memory_map(str(path)) as mapped:
        table = _arrow_csv(mapped, start, sep, names)
        if table is None:
            return None
        mapped.seek(start)
        body = np.frombuffer(mapped.read_buffer(), dtype=np.uint8)
        lines = _record_lines(body, table, names, sep, skip_lines)
        del body  # a view of the map
    if lines is None:
        return None
    notes.append(f"delimiter {sep!r}")
    frame = pd.DataFrame({name: pd.array(table.column(i), dtype="str") for i, name in enumerate(names)})
    frame.columns = [str(c) for c in frame.columns]
    decimal = decimal or _sniff_decimal(frame, sep)
    if decimal == ",":
        notes.append("decimal comma")
    if lines.note:
        notes.append(lines.note)
    starts = lines.starts
    # Excel writes trailing rows of bare delimiters; they are not records.
    empty = _empty_rows(table)
    excluded = pd.DataFrame({"line": starts[empty], "reason": "empty row (every cell blank)"})
    if empty.any():
        frame = frame.loc[~empty].reset_index(drop=True)
        starts = starts[~empty]
    return RawTable(
        frame=frame,
        lines=starts,
        source=str(path),
        format="csv",
        excluded=excluded,
        notes=notes,
        dialect={"encoding": encoding, "sep": sep, "decimal": decimal},
    )


def _arrow_csv(source: Any, start: int, sep: str, names: list[str]) -> Any | None:
    """Every field of the file (a pyarrow memory map) from byte ``start`` as a string, or None
    where pyarrow stops."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    try:
        source.seek(start)
        table = pcsv.read_csv(
            source,
            read_options=pcsv.ReadOptions(block_size=1 << 22),
            parse_options=pcsv.ParseOptions(
                delimiter=sep,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.large_string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
                check_utf8=True,
            ),
        )
    except pa.ArrowException:
        return None
    return table if table.column_names == names else None


@dataclass
class _Lines:
    starts: npt.NDArray[np.int64]  # the physical line where each record starts
    note: str | None  # on records that span lines


def _record_lines(
    body: npt.NDArray[np.uint8], table: Any, names: list[str], sep: str, skip_lines: int
) -> _Lines | None:
    """The physical line where each record of ``body`` (the file's bytes after the BOM and any
    ``sep=`` line) starts: the header's lines, then one line per record plus the line breaks
    inside its values. None unless that adds up to the file's own count of line breaks, with no
    carriage return but inside values or before a line feed (a blank line, a record ended by a
    lone carriage return: the general reader says what it does with them)."""
    import pyarrow.compute as pc

    header_lines = 1 + sum(name.count("\n") for name in names)
    n_lf, n_cr, n_crlf, nul = _count_breaks(body)
    if nul:  # the general reader removes NUL bytes, with a note
        return None
    # The line count the general reader computes ("\n"s, plus one for an unterminated last line).
    n_lines = n_lf + (0 if len(body) and body[-1] == 10 else 1)
    inside = np.zeros(table.num_rows, dtype=np.int64)
    if n_lines != header_lines + table.num_rows:  # line breaks inside values (or blank lines)
        for column in table.columns:
            inside += np.asarray(pc.count_substring(column, "\n").to_numpy(zero_copy_only=False), dtype=np.int64)
        if n_lines != header_lines + table.num_rows + int(inside.sum()):
            return None
    if n_cr != n_crlf:  # lone carriage returns: all of them inside values?
        lone = sum(name.count("\r") - name.count("\r\n") for name in names)
        for column in table.columns:
            lone += int(pc.sum(pc.count_substring(column, "\r")).as_py() or 0)
            lone -= int(pc.sum(pc.count_substring(column, "\r\n")).as_py() or 0)
        if lone != n_cr - n_crlf:
            return None
    starts = 1 + skip_lines + header_lines + np.arange(table.num_rows, dtype=np.int64)
    starts[1:] += np.cumsum(inside[:-1])
    # pyarrow ends a quoted field left open at the end of the file; pandas stops there.
    if not len(starts) or not _last_record_parses(body, n_lf - (int(starts[-1]) - skip_lines) + 1, sep):
        return None
    spanning = int((np.diff(np.append(starts, n_lines + skip_lines + 1)) > 1).sum())
    note = (
        f"{spanning:,} record(s) span several lines (quoted line breaks); if the file "
        "has no quoted fields, a stray quote is joining lines: set quoting: none"
    )
    return _Lines(starts, note if spanning else None)


def _last_record_parses(body: npt.NDArray[np.uint8], line_feeds: int, sep: str) -> bool:
    """Whether pandas reads the last record (the last ``line_feeds`` line feeds of ``body`` and
    what follows) as one record, as pyarrow did."""
    window = 1 << 16
    while True:  # the line feed before the record, searched from the end
        tail = body[max(0, len(body) - window) :]
        feeds = np.flatnonzero(tail == 10)
        if len(feeds) > line_feeds:
            at = len(body) - len(tail) + int(feeds[len(feeds) - line_feeds - 1])
            break
        if len(tail) == len(body):
            return False
        window *= 4
    try:
        rows = pd.read_csv(
            io.StringIO(body[at + 1 :].tobytes().decode("utf-8")),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            header=None,
            quoting=csv.QUOTE_MINIMAL,
            skip_blank_lines=True,
            engine="c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        return False
    return len(rows) == 1


def _count_breaks(body: npt.NDArray[np.uint8]) -> tuple[int, int, int, bool]:
    """The line feeds, carriage returns and CR LF pairs in ``body``, and whether it holds a NUL
    byte (the smallest byte of each block, while the block is in the cache)."""
    n_lf = n_cr = n_crlf = 0
    nul = False
    step = 1 << 24
    for offset in range(0, len(body), step):
        block = body[offset : offset + step + 1]  # one byte more: a CR LF across the cut
        lf = block == 10
        n_lf += int(np.count_nonzero(lf[:step]))
        cr = block[:step] == 13
        crs = int(np.count_nonzero(cr))
        if crs:
            n_cr += crs
            n_crlf += int(np.count_nonzero(cr[: len(lf) - 1] & lf[1:]))
        nul = nul or int(block.min()) == 0
    return n_lf, n_cr, n_crlf, nul


def _empty_rows(table: Any) -> npt.NDArray[np.bool_]:
    """Rows whose every field is empty."""
    import pyarrow.compute as pc

    empty = np.ones(table.num_rows, dtype=bool)
    for column in table.columns:
        empty &= np.asarray(pc.equal(pc.binary_length(column), 0).to_numpy(zero_copy_only=False), dtype=bool)
        if not empty.any():
            break
    return empty
