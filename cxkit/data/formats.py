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

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from ..errors import SourceError
from . import _columns, _excel, surveys
from ._raw import (
    MAX_COLUMNS,
    RawTable,
    decode_bytes,
    read_delimited_file,
    read_delimited_text,
    refuse_repeated_names,
    strip_nul,
)

if TYPE_CHECKING:
    from typing import TypeAlias

    #: pyarrow's filters for ``pd.read_parquet``: (column, operator, bound) triples.
    _Filters: TypeAlias = list[tuple[str, str, dt.date | pd.Timestamp]]

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


# --------------------------------------------------------------------------- files


def _read_csv_file(path: Path, options: dict[str, Any]) -> RawTable:
    raw = read_delimited_file(path, suffix=path.suffix.lower(), **options)
    if raw is not None:  # a UTF-8 file pyarrow splits as pandas would: the same table, faster
        return raw
    data = path.read_bytes()
    if not data.strip():
        raise SourceError(f"{path}: the file is empty. Check that the export finished.")
    decoding: list[str] = []
    text, encoding = decode_bytes(data, options.pop("encoding", None), source=str(path), notes=decoding)
    raw = read_delimited_text(
        text, source=str(path), encoding=encoding, suffix=path.suffix.lower(), reject_malformed=True, **options
    )
    raw.notes[1:1] = decoding
    return raw


def _read_xlsx(path: Path, options: dict[str, Any]) -> RawTable:
    sheet = options.pop("sheet", None)
    header_row = int(options.pop("header_row", 1))
    max_columns = int(options.pop("max_columns", MAX_COLUMNS))
    max_unpacked = float(options.pop("max_unpacked_mb", _excel.MAX_UNPACKED_MB))
    _reject_unknown(path, "xlsx", options)
    _excel.check_archive(path, max_unpacked_mb=max_unpacked)
    workbook = _excel.open_workbook(path)
    try:
        worksheet, notes = _excel.choose_sheet(workbook, sheet, path)
        _excel.check_dimension(worksheet, path, max_columns=max_columns)
        scan = _excel.scan_sheet(workbook, worksheet)
        header = next(worksheet.iter_rows(min_row=header_row, max_row=header_row, values_only=True), ())
        refuse_repeated_names([_cell_text(v) for v in header], str(path), header_row)
        frame = pd.read_excel(
            workbook, sheet_name=worksheet.title, header=header_row - 1, dtype=object, engine="openpyxl"
        )
    except SourceError:
        raise
    except Exception as exc:  # the sheet's XML damaged: openpyxl and its parsers fail in many ways
        raise SourceError(_excel.unreadable(path, exc)) from None
    finally:
        workbook.close()
    notes.append("line numbers are sheet rows")
    notes += _fill_merged(frame, scan.merged, header_row)
    if scan.uncached:
        notes.append(_excel.uncached_note(scan.uncached))
    frame.columns = [str(c) for c in frame.columns]
    frame = frame.loc[:, [not c.startswith("Unnamed: ") or frame[c].notna().any() for c in frame.columns]]
    lines = np.arange(len(frame), dtype=np.int64) + header_row + 1
    empty = frame.isna().all(axis=1).to_numpy()
    excluded = pd.DataFrame({"line": lines[empty], "reason": "empty row (every cell blank)"})
    frame = frame.loc[~empty].reset_index(drop=True)
    return RawTable(
        frame=frame,
        lines=lines[~empty],
        source=str(path),
        format="xlsx",
        excluded=excluded,
        notes=notes,
        typed=True,
    )


def _cell_text(value: object) -> str:
    return "" if value is None else str(value)


def _fill_merged(frame: pd.DataFrame, merged: list[tuple[int, int, int, int]], header_row: int) -> list[str]:
    """Cells of ``frame`` (read from column A, the row below ``header_row`` first) under a
    merged range of one column below the header given the range's value, as Excel shows it;
    notes on what was filled and on the ranges left as read (over several columns, or the header)."""
    filled, left = [], []
    for merge in merged:
        c0, r0, c1, r1 = merge
        first, last = r0 - header_row - 1, r1 - header_row - 1
        if c0 == c1 and first >= 0 and c0 <= frame.shape[1] and first < len(frame):
            last = min(last, len(frame) - 1)
            value: Any = frame.iat[first, c0 - 1]
            frame.iloc[first + 1 : last + 1, c0 - 1] = value
            filled.append(_excel.range_name(merge))
        else:
            left.append(_excel.range_name(merge))
    notes = []
    if filled:
        shown = ", ".join(filled[:5]) + (", …" if len(filled) > 5 else "")
        notes.append(
            f"{len(filled):,} merged range(s) in one column ({shown}): every row of a range given its first cell's "
            "value, as Excel shows it"
        )
    if left:
        shown = ", ".join(left[:5]) + (", …" if len(left) > 5 else "")
        notes.append(
            f"{len(left):,} merged range(s) over several columns or the header ({shown}): only the first cell holds "
            "the value, the others are read as empty; unmerge them in Excel if they hold data"
        )
    return notes


def _read_parquet(path: Path, options: dict[str, Any]) -> RawTable:
    """:func:`_read_parquet_table`, or a SourceError naming the file when it is not Parquet, is
    damaged, or lacks a column ``read_columns`` names."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with path.open("rb") as handle:
        head = handle.read(4)
        handle.seek(max(path.stat().st_size - 4, 0))
        tail = handle.read(4)
    if head != b"PAR1" or tail != b"PAR1":
        raise SourceError(
            f"{path}: not a Parquet file: it starts with {head!r} and ends with {tail!r}, where a Parquet file "
            "starts and ends with b'PAR1' (a file cut short lacks the end). Write it again, or give the file the "
            "suffix of what it is."
        )
    try:
        if options.get("read_columns") is not None:
            present = pd.DataFrame(columns=_data_columns(pq.read_schema(path)))
            _keep_columns(
                RawTable(frame=present, lines=np.zeros(0, dtype=np.int64), source=str(path), format="parquet"),
                options["read_columns"],
                path,
            )
        return _read_parquet_table(path, options)
    except (pa.ArrowException, OSError) as exc:
        raise SourceError(
            f"{path}: a damaged Parquet file ({type(exc).__name__}: {exc}). Write or copy it again, and check that "
            "the copy finished."
        ) from None


def _read_parquet_table(path: Path, options: dict[str, Any]) -> RawTable:
    columns = options.pop("read_columns", None)
    period = options.pop("period", None)
    _reject_unknown(path, "parquet", options)
    filters: _Filters | None
    filters, notes = None, ["line numbers are row numbers"]
    if period:
        filters, note = _parquet_period_filter(path, period)
        notes.append(note)
    import pyarrow.parquet as pq

    dictionary = _few_valued_strings(path, columns)
    names = [str(c) for c in (columns if columns is not None else _data_columns(pq.read_schema(path)))]
    others = [c for c in names if c not in dictionary]
    frame = pd.read_parquet(path, columns=others if dictionary else columns, filters=filters)
    frame.columns = [str(c) for c in frame.columns]
    frame = frame.reset_index(drop=True)
    if dictionary:
        # Columns of few distinct strings are read as the dictionaries Parquet stores them in,
        # without building every string (a categorical each; the readers parse each distinct
        # value once and give the strings back where a column is kept as read).
        coded = _dictionary_columns(
            pq.read_table(path, columns=dictionary, filters=filters, read_dictionary=dictionary)
        )
        rows = len(next(iter(coded.values())))
        if others and rows != len(frame):  # the same filters select the same rows
            raise SourceError(f"{path}: the file changed while it was read; read it again.")
        parts = {**{c: frame[c] for c in frame.columns}, **coded}
        frame = pd.DataFrame({c: parts[c] for c in names if c in parts}, index=pd.RangeIndex(rows), copy=False)
    return RawTable(
        frame=frame,
        lines=np.arange(len(frame), dtype=np.int64) + 1,
        source=str(path),
        format="parquet",
        notes=notes,
        typed=True,
        dictionary=[str(c) for c in dictionary],
    )


def _dictionary_columns(table: Any) -> dict[str, pd.Series]:
    """Each dictionary column of an Arrow table as a categorical Series (one set of categories
    over every chunk; a missing value is code -1)."""
    import pyarrow as pa

    table = table.unify_dictionaries()
    out = {}
    for name in table.column_names:
        column = table.column(name)
        index_type = column.type.index_type
        indices = pa.chunked_array([chunk.indices for chunk in column.chunks], type=index_type)
        codes = np.asarray(indices.fill_null(-1).to_numpy() if indices.null_count else indices.to_numpy())
        values = column.chunks[0].dictionary if column.num_chunks else pa.array([], type=column.type.value_type)
        categories = pd.Index(pd.array(values.cast(pa.large_string()), dtype="str"))
        dtype = pd.CategoricalDtype(categories)
        out[str(name)] = pd.Series(pd.Categorical.from_codes(codes, dtype=dtype, validate=False), name=str(name))
    return out


def _few_valued_strings(path: Path, columns: list[str] | None) -> list[str]:
    """The string columns whose first rows repeat their values (:func:`_columns.few_valued`),
    read from the file's first rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    # Without pre-buffering pyarrow reads only the pages of the first rows, not every column
    # chunk whole (a million distinct texts: 0.2 s of decompressing for 10,000 rows).
    with pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 16) as parquet:
        schema = parquet.schema_arrow
        names = [
            f.name
            for f in schema
            if (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
            and (columns is None or f.name in columns)
            and _pandas_dtype(schema, f.name) in (None, "str", "object")
        ]
        if not names or parquet.metadata.num_rows == 0:
            return []
        probe = next(parquet.iter_batches(batch_size=_columns.PROBE_ROWS, columns=names))
    return [name for name in names if _columns.few_valued(probe.column(name))]


def _data_columns(schema: Any) -> list[str]:
    """The columns of a Parquet schema but the index pandas wrote (read as the index, which the
    reader drops)."""
    index = {c for c in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(c, str)}
    return [name for name in schema.names if name not in index]


def _pandas_dtype(schema: Any, name: str) -> str | None:
    """The dtype a file written by pandas records for a column (None without pandas metadata):
    ``str`` and ``object`` columns read back as ``str``, but a ``string`` column (``pd.NA``) or a
    categorical one must come back as it was written."""
    meta = schema.pandas_metadata or {}
    for column in meta.get("columns", []):
        if column.get("name") == name:
            return cast(str, column.get("numpy_type"))
    return None


def _parquet_period_filter(path: Path, period: Mapping[str, Any]) -> tuple[_Filters | None, str]:
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

    def bound(value: pd.Timestamp | str) -> dt.date | pd.Timestamp:
        value = pd.Timestamp(value)
        if pa.types.is_date(kind):
            return value.date()
        return value.tz_localize("UTC").tz_convert(tz) if tz else value

    filters = [(name, "<", bound(period["end"]))]
    if period.get("start") is not None:
        filters.append((name, ">=", bound(period["start"])))
    shown = f"{period.get('start') or 'the start'} to {period['end']}"
    return filters, f"rows read: {name} from {shown} (pushed down to the Parquet reader)"


def _read_sav(path: Path, options: dict[str, Any]) -> RawTable:
    import pyreadstat

    labels = options.pop("value_labels", "categorical")
    options.pop("max_columns", None)
    _reject_unknown(path, "sav", options)
    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=False)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as exc:
        raise SourceError(_sav_message(path, exc)) from None
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
    return RawTable(
        frame=frame,
        lines=np.arange(len(frame), dtype=np.int64) + 1,
        source=str(path),
        format="sav",
        notes=notes,
        typed=True,
    )


def _sav_message(path: Path, error: Exception) -> str:
    """Why readstat could not read ``path``: not an SPSS file at all (its first bytes), or a
    damaged or truncated one."""
    with path.open("rb") as handle:
        head = handle.read(4)
    size = path.stat().st_size
    if head not in (b"$FL2", b"$FL3"):
        return (
            f"{path}: not an SPSS data file: it starts with {head!r}, where a .sav file starts with b'$FL2' "
            f"(b'$FL3' for .zsav). Export it again from SPSS (File > Save As, SPSS Statistics .sav), or give the "
            "file the suffix of what it is."
        )
    return (
        f"{path}: a damaged or truncated SPSS file ({size:,} bytes; readstat: {error}). Copy or export it again "
        "from SPSS, and check that the copy finished."
    )


class _JsonObjects:
    """``object_pairs_hook`` for :mod:`json`: a dict per object, refusing a key given twice
    (the standard parser would keep the last silently), NUL characters removed from texts."""

    def __init__(self) -> None:
        self.nul = 0
        self.duplicate: str | None = None  # the key given twice, when the parse stopped at one

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set[str] = set()
            key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
            self.duplicate = key
            raise SourceError(f"the key {key!r} is given twice in an object")  # completed by _read_json
        for key, value in pairs:
            if isinstance(value, str) and "\x00" in value:
                self.nul += value.count("\x00")
                out[key] = value.replace("\x00", "")
        return out


def _duplicate_key_message(path: Path, key: str, where: str) -> str:
    return (
        f"{path}: {where} has the key {key!r} twice; JSON readers keep only the last value, so which one is meant "
        f"is a guess. Remove or rename one of them in the export (e.g. {key + '_2'!r}) and read it again."
    )


def _locate_duplicate(text: str) -> str:
    """Where the record with a repeated key starts in a JSON array (``record 3 (line 12)``),
    parsing the array an element at a time; ``an object`` when it cannot tell."""
    decoder = json.JSONDecoder(object_pairs_hook=_JsonObjects())
    at = len(text) - len(text.lstrip())
    if not text.startswith("[", at):
        return "an object"
    at, number = at + 1, 0
    while at < len(text):
        while at < len(text) and text[at] in " \t\r\n,":
            at += 1
        start, number = at, number + 1
        try:
            _, at = decoder.raw_decode(text, at)
        except SourceError:  # the repeated key
            return f"record {number} (line {text.count(chr(10), 0, start) + 1})"
        except (ValueError, RecursionError):
            break
    return "an object"


def _deep_at(text: str, depth: int = 500) -> str:
    """Where a JSON text first nests ``depth`` arrays or objects (``line 1, column 501``),
    brackets inside strings left out."""
    level, in_string, escaped = 0, False, False
    for at, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            level += 1
            if level >= depth:
                line = text.count("\n", 0, at) + 1
                return f"line {line}, column {at - text.rfind(chr(10), 0, at)}"
        elif char in "]}":
            level -= 1
    return "an unknown position"


def _read_json(path: Path, options: dict[str, Any], lines: bool = False) -> RawTable:
    max_columns = int(options.pop("max_columns", MAX_COLUMNS))
    _reject_unknown(path, "json", options)
    notes: list[str] = []
    text, encoding = decode_bytes(path.read_bytes(), source=str(path), notes=notes)
    text = strip_nul(text, str(path), notes)
    if not text.strip():
        raise SourceError(f"{path}: the file is empty.")
    objects = _JsonObjects()
    decoder = json.JSONDecoder(object_pairs_hook=objects)
    records: object
    number = 0
    try:
        if lines:
            records = []
            # Records end at line feeds only: str.splitlines would also cut at U+2028 and other
            # characters a JSON text may hold as they are.
            for index, line in enumerate(text.split("\n"), 1):
                number = index  # where an error below was
                if line.strip():
                    records.append(decoder.decode(line))
        else:
            records = decoder.decode(text)
    except json.JSONDecodeError as exc:
        where = f"line {number}, column {exc.colno}" if lines else f"line {exc.lineno}, column {exc.colno}"
        raise SourceError(f"{path}: not valid JSON at {where}: {exc.msg}. Check that the export finished.") from None
    except SourceError:
        if objects.duplicate is None:
            raise
        where = f"the record on line {number}" if lines else _locate_duplicate(text)
        raise SourceError(_duplicate_key_message(path, objects.duplicate, where)) from None
    except RecursionError:
        where = f"line {number}" if lines else _deep_at(text)
        raise SourceError(
            f"{path}: the JSON nests arrays or objects deeper than Python's parser follows (at {where}). cxkit reads "
            "an array of flat objects, one per row (or one object a line in .jsonl); export the data in that shape."
        ) from None
    if isinstance(records, dict):
        records = next((v for v in records.values() if isinstance(v, list)), [records])
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise SourceError(f"{path}: expected a JSON array of objects (one per row).")
    _check_flat(records, path, max_columns)
    if objects.nul:
        notes.append(f"{objects.nul:,} NUL character(s) removed from texts (a NUL is no text; the export is damaged)")
    frame = pd.DataFrame.from_records(records)
    frame.columns = [str(c) for c in frame.columns]
    return RawTable(
        frame=frame,
        lines=np.arange(len(frame), dtype=np.int64) + 1,
        source=str(path),
        format="jsonl" if lines else "json",
        notes=[f"encoding {encoding}", *notes, "line numbers are record numbers"],
        typed=True,
    )


def _check_flat(records: list[dict[str, Any]], path: Path, max_columns: int) -> None:
    """A SourceError naming the first record with a nested object or array (pandas would keep
    it as a Python object no column type fits), or when the records name more than
    ``max_columns`` keys together."""
    keys: set[str] = set()
    for number, record in enumerate(records, 1):
        keys.update(record)
        for key, value in record.items():
            if isinstance(value, (dict, list)):
                what = "an object" if isinstance(value, dict) else "an array"
                raise SourceError(
                    f"{path}: record {number}, "
                    f"key {key!r} holds {what}; cxkit reads flat records, one value per key. Flatten the export "
                    "first (pandas.json_normalize, or jq), or write that field as text."
                )
        if len(keys) > max_columns:
            raise SourceError(
                f"{path}: the records name more than {max_columns:,} keys (by record {number}), the columns cxkit "
                f"reads by default. If the data really is that wide, raise the limit with max_columns in the catalog "
                "entry (max_columns= in load_*)."
            )


def _reject_unknown(path: Path, fmt: str, options: Mapping[str, Any]) -> None:
    if options:
        raise SourceError(f"{path}: option(s) {sorted(options)} do not apply to {fmt} files.")


_XLSX = {".xlsx", ".xlsm"}


def read_file(path: str | Path, *, format: str | None = None, **options: Any) -> RawTable:
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
    # read_columns: the columns to keep (the only way to keep a column out of the analyses that
    # take every column, such as the churn model). Parquet reads only those; every other format
    # reads the file and keeps them.
    keep = options.pop("read_columns", None)
    if keep is not None and fmt == "parquet":
        options["read_columns"] = keep
    if fmt == "parquet":
        options.pop("max_columns", None)  # a typed schema: its columns are what the file declares
    if path.suffix.lower() in _XLSX and fmt in ("xlsx", "qualtrics", "surveymonkey"):
        # Before anything inflates a part of it (the survey-tool detection reads the first row).
        _excel.check_archive(path, max_unpacked_mb=float(options.get("max_unpacked_mb", _excel.MAX_UNPACKED_MB)))
    if fmt in ("qualtrics", "surveymonkey") or (fmt in ("csv", "xlsx") and format is None):
        detected = fmt if fmt in ("qualtrics", "surveymonkey") else surveys.detect(path)
        if detected:
            return _keep_columns(surveys.read_export(path, tool=detected, **options), keep, path)
    reader = READERS.get(fmt)
    if reader is None:
        raise SourceError(f"{path}: unknown format {fmt!r}; known formats: {', '.join(sorted(READERS))}.")
    return _keep_columns(reader(path, dict(options)), keep, path)


def _keep_columns(raw: RawTable, keep: list[str] | None, path: Path) -> RawTable:
    """``raw`` with only the ``read_columns`` named (in the file's order), or a SourceError
    naming those the file lacks and the nearest names it has."""
    if keep is None:
        return raw
    if isinstance(keep, str) or not all(isinstance(c, str) for c in keep):
        raise SourceError(f"{path}: read_columns must be a list of column names, e.g. read_columns: [id, score].")
    present = [str(c) for c in raw.frame.columns]
    missing = [c for c in keep if c not in present]
    if missing:
        import difflib

        hints = "; ".join(
            f"{c!r}: did you mean {close[0]!r}?" if (close := difflib.get_close_matches(c, present, n=1)) else repr(c)
            for c in missing
        )
        raise SourceError(
            f"{path}: read_columns names column(s) the file does not have ({hints}). Its columns are "
            f"{', '.join(present[:40])}{' …' if len(present) > 40 else ''}. Correct read_columns in the catalog."
        )
    raw.frame = raw.frame[[c for c in present if c in set(keep)]]
    return raw


def _read_jsonl(path: Path, options: dict[str, Any]) -> RawTable:
    return _read_json(path, options, lines=True)


#: The reader of each format: ``(path, options) -> RawTable``. A new file format is one entry here
#: (and its suffixes in :data:`FORMAT_BY_SUFFIX`); survey-tool exports are dispatched above.
READERS: dict[str, Callable[[Path, dict[str, Any]], RawTable]] = {
    "csv": _read_csv_file,
    "xlsx": _read_xlsx,
    "parquet": _read_parquet,
    "sav": _read_sav,
    "json": _read_json,
    "jsonl": _read_jsonl,
}
