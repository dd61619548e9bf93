"""Survey-tool exports (Qualtrics, SurveyMonkey; CSV or XLSX) -> :class:`~cxkit.data.formats.RawTable`.

Both tools write header rows above the responses: Qualtrics three (short names such as ``Q2_1``,
question text, ImportId JSON), SurveyMonkey two (question text, left blank over the further
columns of a multi-option question, then sub-headers such as ``Response`` or the option). Read
as plain CSV they would pass for responses; here they become column names and ``frame.attrs``,
and the records the tool marks as not being responses (Qualtrics previews, tests and spam) go to
``excluded``. Cells stay as written: choice text such as ``"10 - Extremely likely"`` is for
:mod:`cxkit.data.readers` to interpret.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "sm.csv"
>>> _ = path.write_bytes(
...     "Respondent ID,Collector ID,Anbefale oss?,Kanaler brukt?,,Noe mer?\\r\\n"
...     ",,Response,Telefon,E-post,Open-Ended Response\\r\\n"
...     "114,9,10,Telefon,,\\"Veldig bra,\\r\\nmen dyrt\\"\\r\\n115,9,6,,E-post,Blåbær\\r\\n".encode("cp1252"))
>>> detect(path)
'surveymonkey'
>>> raw = read_export(path, tool="surveymonkey")
>>> list(raw.frame.columns)
['Respondent ID', 'Collector ID', 'Anbefale oss?', 'Kanaler brukt? | Telefon', 'Kanaler brukt? | E-post', 'Noe mer?']
>>> raw.lines.tolist(), raw.frame["Noe mer?"].tolist(), raw.dialect["encoding"]
([3, 5], ['Veldig bra,\\r\\nmen dyrt', 'Blåbær'], 'cp1252')
"""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from collections.abc import Hashable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SourceError
from . import _excel
from ._raw import MAX_COLUMNS, RawTable, decode_bytes, read_delimited_text

__all__ = ["detect", "read_export", "QUALTRICS_STATUS", "TOOLS"]

TOOLS = ("qualtrics", "surveymonkey")

#: Qualtrics ``Status`` (response type): numeric value -> choice text. The numbers are bit
#: flags (1 preview, 2 test, 4 imported, 8 spam, 16 offline, 32 EX), which is why a code not
#: listed here is still classified. Source: the value labels Qualtrics writes for ``Status`` in
#: its SPSS exports, and "Understanding Your Dataset" (qualtrics.com/support, Status column).
QUALTRICS_STATUS = {
    0: "IP Address",
    1: "Survey Preview",
    2: "Survey Test",
    4: "Imported",
    8: "Spam",
    9: "Survey Preview Spam",
    12: "Imported Spam",
    16: "Offline",
    17: "Offline Survey Preview",
    32: "EX",
    36: "Imported",
    40: "EX Spam",
    48: "EX Offline",
}
_STATUS_BY_LABEL = {label.lower(): code for code, label in sorted(QUALTRICS_STATUS.items(), reverse=True)}
# A preview or test that was also flagged as spam is counted as what the survey owner made it.
_STATUS_FLAGS = (("preview", 1), ("test", 2), ("spam", 8))
_KIND_TEXT = {"preview": "survey preview", "test": "test response", "spam": "spam"}

_SM_SINGLE = {"response", "open-ended response"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_CSV_OPTIONS = {"sep", "quoting", "decimal", "max_columns"}


# --------------------------------------------------------------------------- detection


def detect(path: str | Path) -> str | None:
    """Say which survey tool wrote ``path``: ``"qualtrics"``, ``"surveymonkey"`` or None.

    Only the first row is read (the first 64 KB of a text file, the first row of the first
    sheet of a workbook), so this is cheap enough to run on every CSV and XLSX source.
    Qualtrics' first row holds short names (``StartDate``, ``Status``, ``ResponseId``);
    SurveyMonkey's starts with ``Respondent ID, Collector ID``. Unreadable files give None,
    leaving the error to the reader that is then chosen.
    """
    try:
        first = _first_row(Path(path))
    except Exception:  # unreadable (a damaged workbook fails in many ways): the reader then says why
        return None
    if {"StartDate", "Status"} <= first and ({"ResponseId", "ResponseID"} & first):
        return "qualtrics"
    if {"Respondent ID", "Collector ID"} <= first:
        return "surveymonkey"
    return None


def _first_row(path: Path) -> set[str]:
    if path.suffix.lower() in _XLSX_SUFFIXES:
        _excel.check_archive(path)
        workbook = _excel.open_workbook(path)
        try:
            worksheet, _ = _excel.choose_sheet(workbook, None, path)
            row = next(worksheet.iter_rows(max_row=1, values_only=True), ())
        finally:
            workbook.close()
        return {_text(v).strip() for v in row}
    with path.open("rb") as handle:
        head = handle.read(65536)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head[: len(head) - len(head) % 2]  # whole UTF-16 units
    text, _ = decode_bytes(head, source=str(path))
    # Splitting on every candidate delimiter is enough here: the names sought hold none of them.
    return {cell.strip().strip('"') for cell in re.split(r"[,;\t|]", text.split("\n", 1)[0])}


# --------------------------------------------------------------------------- reading


def read_export(
    path: str | Path, *, tool: str, unfinished: str = "keep", encoding: str | None = None, **options: Any
) -> RawTable:
    """Read a Qualtrics or SurveyMonkey export (CSV or XLSX) into a :class:`RawTable`.

    Parameters
    ----------
    path : str or Path
        The export file (``.csv``/``.tsv``/``.txt`` or ``.xlsx``/``.xlsm``).
    tool : {"qualtrics", "surveymonkey"}
        The tool that wrote it; :func:`detect` tells.
    unfinished : {"keep", "exclude"}
        What to do with Qualtrics responses whose ``Finished`` is false or 0: keep them, or
        move them to ``excluded`` with their progress in the reason. SurveyMonkey exports do
        not say, so only ``"keep"`` applies to them.
    encoding : str, optional
        Text encoding of a CSV export; detected when omitted (UTF-8 with or without BOM,
        UTF-16, cp1252).
    **options
        ``sep``, ``quoting`` and ``decimal`` for CSV (as in :func:`cxkit.data.formats.read_delimited_text`),
        ``sheet`` (name or 0-based index) for XLSX.

    Returns
    -------
    RawTable
        ``frame`` has one row per response. Qualtrics columns are the short names, with
        ``frame.attrs["question_text"]``, ``["import_ids"]`` and ``["time_zones"]`` keyed by
        them. SurveyMonkey columns are the question text, or ``"<question> | <option>"`` for
        the columns of a multi-option question; ``frame.attrs["header_rows"]`` keeps both
        header rows. ``frame.attrs["id_column"]`` names the response id. ``excluded`` has
        ``line`` and ``reason``, then the same columns as ``frame``. ``lines`` are physical
        lines (CSV) or sheet rows (XLSX) where each response starts. ``format`` is the tool.

    Raises
    ------
    SourceError
        When the file is not the export ``tool`` writes (for example a Qualtrics file without
        its ImportId row), cannot be decoded, or an option does not apply.
    """
    path = Path(path)
    if tool not in TOOLS:
        raise SourceError(f"{path}: tool must be one of {list(TOOLS)}, not {tool!r}.")
    if unfinished not in ("keep", "exclude"):
        raise SourceError(f"{path}: unfinished must be 'keep' or 'exclude', not {unfinished!r}.")
    if tool == "surveymonkey" and unfinished == "exclude":
        raise SourceError(
            f"{path}: SurveyMonkey exports do not mark unfinished responses, so unfinished="
            "'exclude' cannot apply. Filter on completeness before exporting, or use 'keep'."
        )
    header, body = _read_rows(path, n_header=3 if tool == "qualtrics" else 2, encoding=encoding, options=options)
    return _read_qualtrics(header, body, unfinished) if tool == "qualtrics" else _read_surveymonkey(header, body)


def _read_rows(
    path: Path, *, n_header: int, encoding: str | None, options: dict[str, Any]
) -> tuple[list[list[str]], RawTable]:
    """The header rows as text, and a table of the rows below them (columns numbered from 0)."""
    if not path.is_file():
        raise SourceError(f"{path}: no such file. Check the path.")
    is_xlsx = path.suffix.lower() in _XLSX_SUFFIXES
    unknown = set(options) - ({"sheet", "max_columns", "max_unpacked_mb"} if is_xlsx else _CSV_OPTIONS)
    if unknown or (is_xlsx and encoding):
        bad = sorted(unknown | ({"encoding"} if is_xlsx and encoding else set()))
        raise SourceError(f"{path}: option(s) {bad} do not apply to a {path.suffix} survey export.")
    if is_xlsx:
        raw = _read_sheet(path, options)
    else:
        data = path.read_bytes()
        if not data.strip():
            raise SourceError(f"{path}: the file is empty. Check that the export finished.")
        decoding: list[str] = []
        text, used = decode_bytes(data, encoding, source=str(path), notes=decoding)
        raw = read_delimited_text(text, source=str(path), encoding=used, header=False, **options)
        raw.notes[1:1] = decoding
        raw.notes.append("cells read as text")
    if len(raw.frame) < n_header:
        raise SourceError(
            f"{path}: has {len(raw.frame)} non-empty row(s), but this export has {n_header} header "
            "rows. Export the responses again from the survey tool."
        )
    header = [[_text(v) for v in raw.frame.iloc[i]] for i in range(n_header)]
    body = raw.frame.iloc[n_header:].reset_index(drop=True)
    empty = raw.excluded[raw.excluded["line"] > raw.lines[n_header - 1]]  # rows of blank cells below the header
    return header, replace(
        raw,
        frame=body.set_axis(range(body.shape[1]), axis=1),
        lines=raw.lines[n_header:],
        excluded=empty.reset_index(drop=True),
    )


def _read_sheet(path: Path, options: dict[str, Any]) -> RawTable:
    _excel.check_archive(path, max_unpacked_mb=float(options.get("max_unpacked_mb", _excel.MAX_UNPACKED_MB)))
    workbook = _excel.open_workbook(path)
    try:
        worksheet, notes = _excel.choose_sheet(workbook, options.get("sheet"), path)
        _excel.check_dimension(worksheet, path, max_columns=int(options.get("max_columns", MAX_COLUMNS)))
        scan = _excel.scan_sheet(workbook, worksheet)
        rows = [list(r) for r in worksheet.iter_rows(values_only=True)]
    except SourceError:
        raise
    except Exception as exc:  # the sheet's XML damaged: openpyxl and its parsers fail in many ways
        raise SourceError(_excel.unreadable(path, exc)) from None
    finally:
        workbook.close()
    if scan.merged:
        shown = ", ".join(_excel.range_name(m) for m in scan.merged[:5]) + (", …" if len(scan.merged) > 5 else "")
        notes.append(
            f"{len(scan.merged):,} merged range(s) ({shown}): only the first cell of each holds the value, the "
            "others are read as empty; unmerge them in Excel if they hold answers"
        )
    if scan.uncached:
        notes.append(_excel.uncached_note(scan.uncached))
    blank = [all(_text(v).strip() == "" for v in row) for row in rows]
    while blank and blank[-1]:  # Excel's formatted-but-empty rows below the data are not records
        rows.pop()
        blank.pop()
    width = max((len(r) for r in rows), default=0)
    frame = pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object)
    lines = np.arange(1, len(rows) + 1, dtype=np.int64)
    keep = ~np.asarray(blank, dtype=bool)
    return RawTable(
        frame=frame.loc[keep].reset_index(drop=True),
        lines=lines[keep],
        source=str(path),
        format="xlsx",
        excluded=pd.DataFrame({"line": lines[~keep], "reason": "empty row (every cell blank)"}),
        notes=[*notes, "line numbers are sheet rows", "cells keep Excel's types"],
        typed=True,
    )


# --------------------------------------------------------------------------- Qualtrics


def _read_qualtrics(header: list[list[str]], body: RawTable, unfinished: str) -> RawTable:
    path, (short, texts, import_row) = body.source, header
    first = import_row[0].strip()
    if not (first.startswith("{") and "ImportId" in first):
        raise SourceError(
            f'{path}: row 3 should be Qualtrics\' ImportId row ({{"ImportId":"..."}}) but starts '
            f"with {first[:40]!r}. Export it again from Data & Analysis (Export data, CSV, with "
            "'Use choice text' or 'Use numeric values'), which writes three header rows, or read "
            "it as plain csv with format: csv and skip_rows for the extra header rows."
        )
    names = _unique(short)
    import_ids, time_zones = {}, {}
    for name, cell in zip(names, import_row):
        if not cell.strip():
            continue
        try:
            meta = json.loads(cell)
            import_ids[name] = meta["ImportId"]
        except (json.JSONDecodeError, TypeError, KeyError):
            raise SourceError(
                f"{path}: column {name!r}: row 3 holds {cell[:40]!r}, not ImportId JSON. "
                "The header rows were edited; export the responses again from Qualtrics."
            ) from None
        if meta.get("timeZone"):
            time_zones[name] = meta["timeZone"]
    cells = body.frame.set_axis(names, axis=1)
    reasons = pd.Series(None, index=cells.index, dtype=object)
    kinds: Counter[str] = Counter()
    unknown_status: set[str] = set()
    for i in cells.index:
        kind, why = _qualtrics_kind(cells, i, unknown_status)
        if kind:
            kinds[kind] += 1
            reasons[i] = f"Qualtrics {_KIND_TEXT[kind]} ({why})"
    counts = ", ".join(f"{kinds[k]} {k}" for k, _ in _STATUS_FLAGS if kinds[k]) or "no preview, test or spam"
    notes = [
        "Qualtrics: 3 header rows; columns are the short names, question text and ImportIds are in frame.attrs",
        f"Qualtrics: {counts} responses excluded",
    ]
    if unknown_status:
        notes.append(f"Qualtrics: unknown Status value(s) {sorted(unknown_status)} kept as responses")
    notes.append(_mark_unfinished(path, cells, reasons, unfinished))
    attrs = dict(
        question_text=dict(zip(names, texts)),
        import_ids=import_ids,
        time_zones=time_zones,
        id_column=next((n for n in ("ResponseId", "ResponseID") if n in names), None),
    )
    return _finish(body, cells, reasons, tool="qualtrics", notes=notes, attrs=attrs)


def _qualtrics_kind(cells: pd.DataFrame, i: Hashable, unknown_status: set[str]) -> tuple[str | None, str]:
    """Preview, test or spam (with the evidence), from ``Status`` then ``DistributionChannel``."""
    status = _text(cells.at[i, "Status"]).strip() if "Status" in cells else ""
    code = int(float(status)) if re.fullmatch(r"\d+(\.0+)?", status) else _STATUS_BY_LABEL.get(status.lower())
    if code is None and status:
        unknown_status.add(status)
    kind: str | None
    for kind, flag in _STATUS_FLAGS:
        if code is not None and code & flag:
            return kind, f"Status {status!r}"
    channel = _text(cells.at[i, "DistributionChannel"]).strip() if "DistributionChannel" in cells else ""
    kind = channel.lower() if channel.lower() in ("preview", "test") else None
    return kind, f"DistributionChannel {channel!r}"


def _mark_unfinished(path: str, cells: pd.DataFrame, reasons: pd.Series, unfinished: str) -> str:
    """Set the reason of unfinished responses when they are excluded; return the note."""
    if "Finished" not in cells:
        if unfinished == "exclude":
            raise SourceError(
                f"{path}: unfinished='exclude' needs the Qualtrics 'Finished' column, which "
                "is missing. Export again with all metadata fields, or use unfinished='keep'."
            )
        return "Qualtrics: no Finished column; unfinished responses cannot be told apart"
    finished = cells["Finished"].map(lambda v: _text(v).strip().lower())
    is_unfinished = finished.isin(["false", "0"]) & reasons.isna()
    if unfinished == "keep":
        return f"Qualtrics: {int(is_unfinished.sum())} unfinished responses kept (unfinished='keep')"
    for i in cells.index[is_unfinished.to_numpy()]:
        progress = _text(cells.at[i, "Progress"]).strip() if "Progress" in cells else ""
        done = f", progress {progress}%" if progress else ""
        reasons[i] = f"Qualtrics unfinished response (Finished {_text(cells.at[i, 'Finished']).strip()!r}{done})"
    return f"Qualtrics: {int(is_unfinished.sum())} unfinished responses excluded (unfinished='exclude')"


# --------------------------------------------------------------------------- SurveyMonkey


def _read_surveymonkey(header: list[list[str]], body: RawTable) -> RawTable:
    path, (questions, subs) = body.source, header
    if "Respondent ID" not in questions:
        raise SourceError(
            f"{path}: not a SurveyMonkey export: row 1 has no 'Respondent ID' column. "
            "Read it with the right tool, or as plain csv (format: csv)."
        )
    if subs[0].strip() or not any(s.strip() for s in subs):
        raise SourceError(
            f"{path}: row 2 should hold SurveyMonkey's sub-headers (blank under 'Respondent ID', "
            f"then 'Response', 'Open-Ended Response' or option texts) but starts with {subs[0][:40]!r}. "
            "Export again from SurveyMonkey (All individual responses, CSV or XLSX) without "
            "editing the header rows, or read it as plain csv (format: csv)."
        )
    raw_names, question_of, current = [], [], ""
    for question, sub in zip(questions, subs):
        current = question.strip() or current  # a blank cell continues the question to its left
        sub = sub.strip()
        single = not sub or sub.lower() in _SM_SINGLE
        raw_names.append(current if single else f"{current} | {sub}")
        question_of.append(current)
    names = _unique(raw_names)
    cells = body.frame.set_axis(names, axis=1)
    multi = sum(1 for n, q in zip(names, question_of) if n != q)
    notes = [
        f"SurveyMonkey: 2 header rows combined into {len(names)} column names ({multi} as "
        "'<question> | <option>'); original rows in frame.attrs['header_rows']"
    ]
    attrs = dict(header_rows=[questions, subs], question_text=dict(zip(names, question_of)), id_column="Respondent ID")
    return _finish(
        body, cells, pd.Series(None, index=cells.index, dtype=object), tool="surveymonkey", notes=notes, attrs=attrs
    )


# --------------------------------------------------------------------------- shared


def _finish(
    body: RawTable, cells: pd.DataFrame, reasons: pd.Series, *, tool: str, notes: list[str], attrs: dict[str, Any]
) -> RawTable:
    """Move rows with a reason to ``excluded`` (``line``, ``reason``, then the cells), with the empty rows."""
    out = reasons.notna().to_numpy()
    excluded = cells.loc[out].assign(line=body.lines[out], reason=reasons[out].to_numpy())
    empty = pd.DataFrame({c: None if body.typed else "" for c in cells.columns}, index=body.excluded.index)
    empty = empty.assign(line=body.excluded["line"], reason=body.excluded["reason"])
    excluded = pd.concat([p for p in (excluded, empty) if len(p)] or [excluded])
    excluded = excluded.sort_values("line", kind="stable").reset_index(drop=True).astype({"line": np.int64})
    frame = cells.loc[~out].reset_index(drop=True)
    frame.attrs.update(attrs)
    return replace(
        body,
        frame=frame,
        lines=body.lines[~out],
        excluded=excluded[["line", "reason", *cells.columns]],
        notes=body.notes + notes,
        format=tool,
    )


def _unique(names: list[str]) -> list[str]:
    """Blank names become ``column N``; repeats get `` (2)``, `` (3)`` so every name is unique."""
    seen: Counter[str] = Counter()
    out = []
    for i, name in enumerate(names):
        name = name.strip() or f"column {i + 1}"
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _text(value: object) -> str:
    """A cell as text: blank for missing, ``7`` rather than ``7.0`` for whole Excel numbers."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
