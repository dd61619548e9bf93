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
from . import _columns, surveys
from ._raw import RawTable, decode_bytes, read_delimited_file, read_delimited_text

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
    text, encoding = decode_bytes(data, options.pop("encoding", None), source=str(path))
    return read_delimited_text(
        text, source=str(path), encoding=encoding, suffix=path.suffix.lower(), reject_malformed=True, **options
    )


def _read_xlsx(path: Path, options: dict[str, Any]) -> RawTable:
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
    return RawTable(
        frame=frame,
        lines=lines[~empty],
        source=str(path),
        format="xlsx",
        excluded=excluded,
        notes=[f"sheet {sheet!r}", "line numbers are sheet rows"],
        typed=True,
    )


def _read_parquet(path: Path, options: dict[str, Any]) -> RawTable:
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

    with pq.ParquetFile(path) as parquet:
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
    return RawTable(
        frame=frame,
        lines=np.arange(len(frame), dtype=np.int64) + 1,
        source=str(path),
        format="sav",
        notes=notes,
        typed=True,
    )


def _read_json(path: Path, options: dict[str, Any], lines: bool = False) -> RawTable:
    _reject_unknown(path, "json", options)
    text, encoding = decode_bytes(path.read_bytes(), source=str(path))
    if not text.strip():
        raise SourceError(f"{path}: the file is empty.")
    records: object
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
    return RawTable(
        frame=frame,
        lines=np.arange(len(frame), dtype=np.int64) + 1,
        source=str(path),
        format="jsonl" if lines else "json",
        notes=[f"encoding {encoding}", "line numbers are record numbers"],
        typed=True,
    )


def _reject_unknown(path: Path, fmt: str, options: Mapping[str, Any]) -> None:
    if options:
        raise SourceError(f"{path}: option(s) {sorted(options)} do not apply to {fmt} files.")


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
