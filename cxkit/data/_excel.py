"""Excel workbooks read safely: bounded unpacking, the first visible sheet, and what Excel shows.

A private hub of the data layer, used by :mod:`cxkit.data.formats` and :mod:`cxkit.data.surveys`.
An ``.xlsx`` file is a zip archive of XML parts, so a 1 MB file can unpack to gigabytes (a zip
bomb): :func:`check_archive` reads only the archive's directory and refuses a workbook whose
parts would unpack to more than a bound, before openpyxl inflates anything (Python's zipfile
never inflates a member beyond the size its directory declares). :func:`choose_sheet` skips
hidden sheets, which an export keeps for old data; :func:`scan_sheet` finds in the sheet's XML
what ``data_only`` reading hides: merged cells (only the first cell holds the value) and
formulas without a saved value (read as empty).

openpyxl's read-only mode keeps no merged ranges and says nothing of missing cached values,
and its full mode loads the whole sheet into cell objects; the sheet's XML is scanned here with
two regular expressions instead, a part at a time.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SourceError

#: The most a workbook may unpack to, in MB, unless the reader is told more with ``max_unpacked_mb``.
MAX_UNPACKED_MB = 512
#: A part inflating more than this many times its packed size (and by more than 16 MB) is a bomb.
MAX_RATIO = 200
#: The most cells a sheet may declare (its ``<dimension>``): Excel's own limit is 1,048,576 rows
#: by 16,384 columns, far more than pandas can hold as objects.
MAX_CELLS = 200_000_000

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
# A cell holding a formula (<f .../> or <f>...</f>) and no value (no <v>, or an empty one).
_UNCACHED = re.compile(
    rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_CELL_START = re.compile(rb"<(?:\w+:)?(?:c|mergeCell)[\s>/]")


def check_archive(path: Path, *, max_unpacked_mb: float = MAX_UNPACKED_MB) -> None:
    """A SourceError unless ``path`` is a zip archive whose parts unpack to at most
    ``max_unpacked_mb`` MB together, none of more than 16 MB inflating over :data:`MAX_RATIO`
    times. Reads the archive's directory only: milliseconds, whatever the file claims."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise SourceError(
            f"{path}: not an Excel workbook (.xlsx is a zip archive; this one cannot be opened: {exc}). "
            "Save it again from Excel as .xlsx, or give the suffix of what it is (.csv, .xls is not read)."
        ) from None
    limit = max_unpacked_mb * (1 << 20)
    total = sum(p.file_size for p in parts)
    for part in parts:
        if part.file_size > 16 << 20 and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise SourceError(
                f"{path}: part {part.filename} would unpack from {part.compress_size:,} to {part.file_size:,} bytes "
                f"({part.file_size / max(part.compress_size, 1):,.0f} times; spreadsheets compress about 5-30 "
                f"times): a zip bomb, not a workbook to read. If it is a genuine export, save the sheet as CSV "
                "and read that."
            )
    if total > limit:
        raise SourceError(
            f"{path}: the workbook unpacks to {total / (1 << 20):,.0f} MB, more than the {max_unpacked_mb:,g} MB "
            f"cxkit unpacks from an Excel file. If it is genuine, export the sheet as CSV (much faster to read), "
            f"or raise the limit with max_unpacked_mb: {int(total / (1 << 20)) + 1} in the catalog entry "
            "(max_unpacked_mb= in load_*)."
        )


def open_workbook(path: Path) -> Any:
    """openpyxl's read-only workbook (values, not formulas), or a SourceError naming the file."""
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # a damaged workbook fails anywhere in openpyxl and the XML parsers
        raise SourceError(unreadable(path, exc)) from None


def unreadable(path: Path, error: Exception) -> str:
    """The message for a workbook openpyxl could not read (its XML damaged or not Excel's)."""
    return (
        f"{path}: not a readable Excel workbook ({type(error).__name__}: {error}). Open it in Excel and save it "
        "again as .xlsx, or export the sheet as CSV."
    )


def choose_sheet(workbook: Any, sheet: int | str | None, path: Path) -> tuple[Any, list[str]]:
    """The worksheet to read and a note: the one named (a name, or a 0-based index among all
    sheets), or by default the first visible one (a hidden first sheet often keeps old data)."""
    sheets = list(workbook.worksheets)
    names = [ws.title for ws in sheets]
    if not sheets:
        raise SourceError(f"{path}: the workbook has no worksheet. Save the data on a sheet and read it again.")
    if sheet is None:
        visible = [ws for ws in sheets if ws.sheet_state == "visible"]
        if not visible:
            raise SourceError(
                f"{path}: every sheet is hidden ({', '.join(names)}). Name the one to read with the sheet option "
                f"(e.g. sheet: {names[0]!r}), or unhide it in Excel."
            )
        chosen = visible[0]
        hidden = [ws.title for ws in sheets[: sheets.index(chosen)]]
        if hidden:
            return chosen, [
                f"sheet {chosen.title!r} read: the first visible sheet (hidden sheet(s) {', '.join(map(repr, hidden))} "
                "before it skipped; name one with the sheet option to read it)"
            ]
        return chosen, [f"sheet {chosen.title!r}"]
    try:
        chosen = sheets[sheet] if isinstance(sheet, int) else workbook[str(sheet)]
    except (IndexError, KeyError):
        raise SourceError(
            f"{path}: no sheet {sheet!r}; the workbook has {names}. Name an existing sheet with the sheet option."
        ) from None
    note = f"sheet {chosen.title!r}" + (
        " (a hidden sheet, read because it was named)" if chosen.sheet_state != "visible" else ""
    )
    return chosen, [note]


def check_dimension(worksheet: Any, path: Path, *, max_columns: int) -> None:
    """A SourceError when the sheet declares more columns than ``max_columns`` or more cells
    than :data:`MAX_CELLS` (its ``<dimension>``, read when the sheet was opened)."""
    rows, columns = worksheet.max_row or 0, worksheet.max_column or 0
    if columns > max_columns:
        raise SourceError(
            f"{path}: sheet {worksheet.title!r} spans {columns:,} columns, more than the {max_columns:,} cxkit reads "
            f"by default. If it really is that wide, raise the limit with max_columns: {columns} in the catalog "
            f"entry (max_columns= in load_*); otherwise clear the unused columns in Excel."
        )
    if rows * columns > MAX_CELLS:
        raise SourceError(
            f"{path}: sheet {worksheet.title!r} spans {rows:,} rows by {columns:,} columns ({rows * columns:,} cells), "
            f"more than the {MAX_CELLS:,} cells cxkit reads from Excel. Export the sheet as CSV, or clear the unused "
            "rows and columns in Excel."
        )


@dataclass
class SheetScan:
    """What the sheet's XML holds that ``data_only`` reading does not show."""

    #: Merged ranges as (first column, first row, last column, last row), 1-based.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: Cells (``D7``) holding a formula without a saved value.
    uncached: list[str] = field(default_factory=list)


def scan_sheet(workbook: Any, worksheet: Any) -> SheetScan:
    """Merged ranges and formula cells without a saved value, from the sheet's XML read a part
    at a time (a cell cut by a part's end is carried over to the next)."""
    scan = SheetScan()
    archive = getattr(workbook, "_archive", None)
    member = getattr(worksheet, "_worksheet_path", None)
    if archive is None or member is None:
        return scan
    carry = b""
    with archive.open(member) as source:
        while True:
            chunk = source.read(1 << 22)
            data = carry + chunk
            if chunk:
                cut = max((m.start() for m in _CELL_START.finditer(data, max(0, len(data) - (1 << 16)))), default=-1)
                if cut <= 0:
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
            for m in _UNCACHED.finditer(data):
                ref = _REF.search(m.group(1))
                if ref:
                    scan.uncached.append(ref.group(1).decode())
            for m in _MERGE.finditer(data):
                scan.merged.append((_column(m.group(1)), int(m.group(2)), _column(m.group(3)), int(m.group(4))))
            if not chunk:
                break
    return scan


def _column(letters: bytes) -> int:
    """A column's 1-based number from its letters (``A`` 1, ``AA`` 27)."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _letters(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def range_name(merged: tuple[int, int, int, int]) -> str:
    """``A5:A9`` for a merged range."""
    c0, r0, c1, r1 = merged
    return f"{_letters(c0)}{r0}:{_letters(c1)}{r1}"


def uncached_note(cells: list[str]) -> str:
    shown = ", ".join(cells[:5]) + (", …" if len(cells) > 5 else "")
    return (
        f"{len(cells):,} formula cell(s) have no saved value and are read as empty ({shown}): the workbook was "
        "written by a program that does not compute formulas; open it in Excel (or LibreOffice) and save it, so "
        "that the values are stored"
    )
