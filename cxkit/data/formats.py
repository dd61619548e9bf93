"""File formats: bytes on disk -> a raw table of source columns with source line numbers.

The readers here know nothing about canonical tables; :mod:`cxkit.data.readers` maps and validates.
Each returns a :class:`RawTable`. Text formats are read with every cell as a string so that
:mod:`cxkit.data.readers` decides what a number or a date is, and can say which cell it could not read.

Delimited text (``.csv``, ``.tsv``, ``.txt``) is sniffed:

* encoding: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode text"), else cp1252
  (Windows Western European; a superset of Latin-1's printable range), else Latin-1;
* a ``sep=;`` first line (Excel's hint) is honoured and skipped;
* the delimiter is the one of ``, ; TAB |`` that splits the first records into the same
  number of fields (more than one);
* the decimal mark is ``,`` when the file is ``;``- or tab-separated and comma decimals
  outnumber dot decimals (Nordic Excel exports), else ``.``;
* quoted fields may span lines; CRLF and LF both work.

Examples
--------
>>> raw = read_delimited_text("id;score;comment\\r\\n1;8,5;\\"two\\nlines\\"\\r\\n2;1\\u00a0234,0;ok\\r\\n")
>>> raw.dialect["sep"], raw.dialect["decimal"], raw.lines.tolist()
(';', ',', [2, 4])
>>> raw.frame["comment"].tolist()
['two\\nlines', 'ok']
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import SourceError

__all__ = [
    "RawTable",
    "read_file",
    "read_delimited_text",
    "decode_bytes",
    "FORMAT_BY_SUFFIX",
]

FORMAT_BY_SUFFIX = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".sav": "sav",
    ".zsav": "sav",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


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
    lines: np.ndarray
    source: str
    format: str
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["line", "reason"]))
    notes: list[str] = field(default_factory=list)
    dialect: dict = field(default_factory=dict)
    typed: bool = False

    @property
    def n_read(self) -> int:
        return len(self.frame) + len(self.excluded)


# --------------------------------------------------------------------------- decoding

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
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
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


def _sniff_sep(text: str, quoting: int, hint: str | None) -> str:
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


def _record_start_lines(text: str, sep: str, quoting: int, skip_lines: int, header: bool) -> np.ndarray:
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
    quote_mode = {"minimal": csv.QUOTE_MINIMAL, "none": csv.QUOTE_NONE}.get(quoting)
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
            f"{source}: the file has no rows. Check that the export finished, or point the "
            "catalog at the right file."
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
            notes.append(f"{spanning:,} record(s) span several lines (quoted line breaks); if the file "
                         "has no quoted fields, a stray quote is joining lines: set quoting: none")
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


# --------------------------------------------------------------------------- files


def _read_csv_file(path: Path, options: dict) -> RawTable:
    data = path.read_bytes()
    if not data.strip():
        raise SourceError(f"{path}: the file is empty. Check that the export finished.")
    text, encoding = decode_bytes(data, options.pop("encoding", None), source=str(path))
    return read_delimited_text(text, source=str(path), encoding=encoding, suffix=path.suffix.lower(), **options)


def _read_xlsx(path: Path, options: dict) -> RawTable:
    sheet = options.pop("sheet", 0)
    header_row = int(options.pop("header_row", 1))
    _reject_unknown(path, "xlsx", options)
    try:
        frame = pd.read_excel(path, sheet_name=sheet, header=header_row - 1, dtype=object, engine="openpyxl")
    except ValueError as exc:
        raise SourceError(f"{path}: {exc}. Name an existing sheet with the sheet option.") from None
    frame.columns = [str(c) for c in frame.columns]
    frame = frame.loc[:, [not c.startswith("Unnamed: ") or frame[c].notna().any() for c in frame.columns]]
    lines = np.arange(len(frame), dtype=np.int64) + header_row + 1
    empty = frame.isna().all(axis=1).to_numpy()
    excluded = pd.DataFrame({"line": lines[empty], "reason": "empty row (every cell blank)"})
    frame = frame.loc[~empty].reset_index(drop=True)
    return RawTable(frame=frame, lines=lines[~empty], source=str(path), format="xlsx", excluded=excluded,
                    notes=[f"sheet {sheet!r}", "line numbers are sheet rows"], typed=True)


def _read_parquet(path: Path, options: dict) -> RawTable:
    columns = options.pop("read_columns", None)
    period = options.pop("period", None)
    _reject_unknown(path, "parquet", options)
    filters, notes = None, ["line numbers are row numbers"]
    if period:
        filters, note = _parquet_period_filter(path, period)
        notes.append(note)
    frame = pd.read_parquet(path, columns=columns, filters=filters)
    frame.columns = [str(c) for c in frame.columns]
    frame = frame.reset_index(drop=True)
    return RawTable(frame=frame, lines=np.arange(len(frame), dtype=np.int64) + 1, source=str(path),
                    format="parquet", notes=notes, typed=True)


def _parquet_period_filter(path: Path, period: dict):
    """pyarrow filters keeping ``period["start"] <= column < period["end"]`` when the column
    holds timestamps or dates (row groups outside are skipped); None for a text column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    matches = [n for n in schema.names if n.casefold() == str(period["column"]).casefold()]
    if len(matches) != 1:
        return None, f"month filter not pushed down: no single column {period['column']!r}"
    name = matches[0]
    kind = schema.field(name).type
    if not (pa.types.is_timestamp(kind) or pa.types.is_date(kind)):
        return None, f"month filter applied after reading ({name} is {kind}, not a timestamp)"
    tz = getattr(kind, "tz", None)

    def bound(value):
        value = pd.Timestamp(value)
        if pa.types.is_date(kind):
            return value.date()
        return value.tz_localize("UTC").tz_convert(tz) if tz else value

    filters = [(name, "<", bound(period["end"]))]
    if period.get("start") is not None:
        filters.append((name, ">=", bound(period["start"])))
    shown = f"{period.get('start') or 'the start'} to {period['end']}"
    return filters, f"rows read: {name} from {shown} (pushed down to the Parquet reader)"


def _read_sav(path: Path, options: dict) -> RawTable:
    import pyreadstat

    labels = options.pop("value_labels", "categorical")
    _reject_unknown(path, "sav", options)
    frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=False)
    notes = ["line numbers are case numbers", "SPSS user-missing codes read as missing"]
    labelled = []
    for col, label_set in meta.variable_to_label.items():
        mapping = meta.value_labels.get(label_set, {})
        if not mapping or col not in frame:
            continue
        values = frame[col].dropna().unique()
        # A label set that names every value is a categorical variable: use the labels.
        # One that only labels the ends of a scale ("0 = Not at all likely") keeps the numbers.
        if labels == "all" or (labels == "categorical" and all(v in mapping for v in values)):
            frame[col] = frame[col].map(lambda v, m=mapping: m.get(v, v) if pd.notna(v) else v)
            labelled.append(col)
    if labelled:
        notes.append("value labels applied to " + ", ".join(labelled))
    frame.attrs["column_labels"] = dict(zip(meta.column_names, meta.column_labels))
    return RawTable(frame=frame, lines=np.arange(len(frame), dtype=np.int64) + 1, source=str(path),
                    format="sav", notes=notes, typed=True)


def _read_json(path: Path, options: dict, lines: bool = False) -> RawTable:
    _reject_unknown(path, "json", options)
    text, encoding = decode_bytes(path.read_bytes(), source=str(path))
    if not text.strip():
        raise SourceError(f"{path}: the file is empty.")
    try:
        if lines:
            records = [json.loads(ln) for ln in text.splitlines() if ln.strip()]
        else:
            records = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path}: not valid JSON at line {exc.lineno}: {exc.msg}.") from None
    if isinstance(records, dict):
        records = next((v for v in records.values() if isinstance(v, list)), [records])
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise SourceError(f"{path}: expected a JSON array of objects (one per row).")
    frame = pd.DataFrame.from_records(records)
    frame.columns = [str(c) for c in frame.columns]
    return RawTable(frame=frame, lines=np.arange(len(frame), dtype=np.int64) + 1, source=str(path),
                    format="jsonl" if lines else "json", notes=[f"encoding {encoding}", "line numbers are record numbers"],
                    typed=True)


def _reject_unknown(path, fmt, options):
    if options:
        raise SourceError(f"{path}: option(s) {sorted(options)} do not apply to {fmt} files.")


def read_file(path: str | Path, *, format: str | None = None, **options) -> RawTable:
    """Read a file into a :class:`RawTable`, choosing the reader from ``format`` or the suffix.

    ``format`` is one of ``csv``, ``xlsx``, ``parquet``, ``sav``, ``json``, ``jsonl``,
    ``qualtrics``, ``surveymonkey``; survey-tool exports are also recognised by their headers.
    """
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file. Check the path (relative paths are read from the catalog's folder).")
    if path.is_dir():
        raise SourceError(f"{path}: is a folder, not a file.")
    fmt = format or FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(
            f"{path}: unknown file type {path.suffix!r}. Use one of {sorted(set(FORMAT_BY_SUFFIX))} "
            "or set format: csv|xlsx|parquet|sav|json|qualtrics|surveymonkey."
        )
    if fmt in ("qualtrics", "surveymonkey") or (fmt in ("csv", "xlsx") and format is None):
        from . import surveys

        detected = fmt if fmt in ("qualtrics", "surveymonkey") else surveys.detect(path)
        if detected:
            return surveys.read_export(path, tool=detected, **options)
    options = dict(options)
    if fmt == "csv":
        return _read_csv_file(path, options)
    if fmt == "xlsx":
        return _read_xlsx(path, options)
    if fmt == "parquet":
        return _read_parquet(path, options)
    if fmt == "sav":
        return _read_sav(path, options)
    if fmt in ("json", "jsonl"):
        return _read_json(path, options, lines=fmt == "jsonl")
    raise SourceError(f"{path}: unknown format {fmt!r}.")
