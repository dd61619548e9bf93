"""Readers: any source -> a canonical table, the rejected rows, and a report.

``load_feedback``, ``load_reviews``, ``load_customers`` and ``load_journey`` read a file
(CSV/TSV, Excel, Parquet, SPSS, JSON, a Qualtrics or SurveyMonkey export) or a SQL source,
map its columns onto a canonical table (:mod:`cxkit.data.schema`), parse every value, and split
the rows into ``frame`` (data) and ``rejected`` (not data, each with its source line and a
reason). Nothing is lost: ``len(frame) + len(rejected) == report.read`` always holds.

Examples
--------
>>> import cxkit as cx
>>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS)
>>> fb.report.read == len(fb.frame) + len(fb.rejected)
True
>>> list(fb.frame["journey_stage"].cat.categories)
['awareness', 'consideration', 'decision', 'retention', 'advocacy']
>>> fb.rejected[["line", "reason"]].head(2)  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field, replace
from html import unescape as html_unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._memory import return_freed
from ..display import SafeHTML, safe_text
from ..errors import DataQualityError, SchemaError, SourceError
from ..privacy import mask_frame, mask_pii
from . import _columns, formats
from .schema import STAGE_DTYPE, STAGES, TABLES, ColumnSpec, TableSpec, clean_category, normalize_stage

if TYPE_CHECKING:
    from typing import Protocol, TypeAlias

    from pandas.api.typing import NAType

    #: What the readers take as a source: a file path, a SQL URL, a mapping or a DataFrame.
    _Source: TypeAlias = str | Path | Mapping[str, Any] | pd.DataFrame
    #: A column's not-applicable codes: (numeric codes, casefolded text codes).
    _NaCodes: TypeAlias = tuple[list[float], set[str]]

    class _Reader(Protocol):
        """``load_<table>``: :func:`load` with its table fixed."""

        def __call__(self, source: _Source, **options: Any) -> Loaded: ...


__all__ = [
    "Loaded",
    "LoadReport",
    "load",
    "load_feedback",
    "load_reviews",
    "load_customers",
    "load_journey",
    "MISSING_TOKENS",
]

#: Cell values read as missing in typed columns (scores, numbers, dates, booleans, ids).
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "#n/a", "-", "--", ".", "missing", "(blank)"})
_TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0", "ja", "j", "sant", "sand", "x"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "0.0", "nej", "nei", "falsk", "usant"})

_UNITS = {
    "tenure_months": {"months": 1.0, "days": 12 / 365.25, "weeks": 12 / 52.1775, "years": 12.0},
    "duration_s": {"s": 1.0, "seconds": 1.0, "ms": 0.001, "min": 60.0, "minutes": 60.0},
    "monthly_revenue": {"monthly": 1.0, "yearly": 1 / 12, "annual": 1 / 12},
}
_DATE_FORMATS = (
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d %b %Y %H:%M",
    "%d %B %Y %H:%M",
    "%b %d, %Y",
    "%B %d, %Y",
    "%B %d %Y",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%y",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
)
#: A day number with its English ordinal suffix ("19th", "1st"), before or after a month name.
_ORDINAL_DAY = r"(?i)\b(\d{1,2})(?:st|nd|rd|th)\b"
# Survey tools name their standard columns the same way in every export.
_TOOL_COLUMNS = {
    "qualtrics": {"response_id": "ResponseId", "responded_at": "RecordedDate", "language": "UserLanguage"},
    "surveymonkey": {"response_id": "Respondent ID", "responded_at": "End Date"},
}
_SCORE_LABEL = re.compile(r"^\s*(-?\d+)\s*(?:[-–—=:]|\(|$)")
#: A date outside the instants pandas holds (a reason of :class:`_Problems`; ``label`` filled first).
_FAR_DATE = (
    "{label}: '{{v}}' is outside the dates cxkit reads (1677-09-22 to 2262-04-11); a placeholder such as "
    "9999-12-31 is no date: correct it in the source, or leave the cell empty when the date is unknown"
)
#: A number that is not finite (``inf``, ``-inf``, ``1e309``: too large for a float).
_NOT_FINITE = (
    "{label}: '{{v}}' is not a finite number (infinite, or too large for a float); correct it in the source, "
    "or leave the cell empty when the value is unknown"
)
#: A record that repeats the header (two exports appended, a header copied into the data).
_REPEATED_HEADER = "repeated header row (the column names again, e.g. two exports appended): remove it from the source"


# --------------------------------------------------------------------------- results


@dataclass
class LoadReport:
    """What a reader did: counts, rejection reasons, and notes.

    ``read`` counts every record in the source; ``accepted + rejected == read``.
    ``excluded`` is the part of ``rejected`` that the source itself marks as not being
    responses (survey previews, tests, spam, empty rows); ``invalid`` the rest.
    """

    source: str
    table: str
    format: str
    read: int
    accepted: int
    rejected: int
    excluded: int
    reasons: dict[str, int]
    notes: list[str] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    examples: dict[str, tuple[int, str]] = field(default_factory=dict)  # reason -> (line, first case)

    @property
    def invalid(self) -> int:
        return self.rejected - self.excluded

    @property
    def rejected_share(self) -> float:
        return self.invalid / self.read if self.read else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "table": self.table,
            "format": self.format,
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "excluded": self.excluded,
            "invalid": self.invalid,
            "reasons": dict(self.reasons),
            "notes": list(self.notes),
            "missing": dict(self.missing),
            "columns": dict(self.columns),
            "examples": {k: {"line": v[0], "reason": v[1]} for k, v in self.examples.items()},
        }

    def summary(self) -> str:
        """One paragraph for logs and the command line."""
        lines = [
            f"{self.source} ({self.format} -> {self.table}): read {self.read:,}, "
            f"accepted {self.accepted:,}, rejected {self.rejected:,}"
            + (f" ({self.excluded:,} excluded by the source's own rules)" if self.excluded else "")
        ]
        for reason, n in sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:5]:
            lines.append(f"  {n:>7,}  {reason}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{safe_text(r)}</td><td>{n:,}</td></tr>" for r, n in self.reasons.items())
        return (
            f"<p><b>{safe_text(self.table)}</b> from <code>{safe_text(self.source)}</code>: read {self.read:,}, "
            f"accepted {self.accepted:,}, rejected {self.rejected:,}</p>"
            + (f"<table><tr><th>reason</th><th>rows</th></tr>{rows}</table>" if rows else "")
        )

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        return SafeHTML(self._repr_html_(), text=self.summary())._repr_mimebundle_(include, exclude)


@dataclass
class Loaded:
    """A canonical table, the rows that were not data, and the :class:`LoadReport`.

    Attributes
    ----------
    frame : DataFrame
        Accepted rows in canonical columns (then drivers, then the source's other columns).
    rejected : DataFrame
        One row per rejected record: ``line`` (where it starts in the source), ``reason``,
        ``kind`` (``invalid`` or ``excluded``), then the record's source cells as read.
        Contains PII as read; use :meth:`rejected_masked` before writing it anywhere.
    report : LoadReport
    """

    frame: pd.DataFrame
    rejected: pd.DataFrame
    report: LoadReport

    # So that `frame, rejected, report = cx.load_...(...)` works. Any, not the union of the three:
    # mypy gives every unpacked name the same type, and a union would need narrowing at each use.
    def __iter__(self) -> Iterator[Any]:
        return iter((self.frame, self.rejected, self.report))

    def rejected_masked(self) -> pd.DataFrame:
        """The rejected rows with emails, phone numbers and PII columns masked."""
        return mask_frame(self.rejected, keep=("line", "kind"))

    def _repr_html_(self) -> str:
        return self.report._repr_html_()

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        return self.report._repr_mimebundle_(include, exclude)


# --------------------------------------------------------------------------- parsing helpers


class _Problems:
    """Collects the first reason each row is rejected for."""

    def __init__(self, n: int) -> None:
        self.reason: npt.NDArray[np.object_] = np.full(n, None, dtype=object)
        # The reason without the cell value, for counts.
        self.key: npt.NDArray[np.object_] = np.full(n, None, dtype=object)
        self._bad = np.zeros(n, dtype=bool)

    def add(
        self,
        mask: npt.ArrayLike,
        reason: str,
        values: npt.ArrayLike | _columns.Cells | None = None,
        *,
        key: str | None = None,
    ) -> None:
        """Mark rows; ``reason`` may hold ``{v}``, filled from ``values`` for marked rows only."""
        mask = np.asarray(mask, dtype=bool) & ~self._bad
        if not mask.any():
            return
        if values is None:
            self.reason[mask] = reason
        else:
            # Only the marked rows' values become Python objects (a column is a million cells).
            if isinstance(values, _columns.Cells):
                picked = values.rows(mask)
            elif isinstance(values, pd.Series):
                picked = values[mask].tolist()
            else:
                picked = list(np.asarray(values, dtype=object)[mask])
            self.reason[mask] = [reason.format(v=v) for v in picked]
        if key is None:
            key = re.sub(r"'?\{v(:[^}]*)?\}'?", "…", reason.split(";")[0]).replace("{{", "{").replace("}}", "}")
        self.key[mask] = key
        self._bad |= mask

    def add_each(self, mask: npt.NDArray[np.bool_], reasons: Sequence[str], *, key: str) -> None:
        """Mark rows with a reason each (``reasons`` in the order of the marked rows)."""
        new = mask & ~self._bad
        if not new.any():
            return
        self.reason[new] = np.asarray(reasons, dtype=object)[new[mask]]
        self.key[new] = key
        self._bad |= new

    @property
    def bad(self) -> npt.NDArray[np.bool_]:
        return self._bad.copy()


def _map_unique(series: pd.Series, fn: Callable[[Any], object]) -> pd.Series:
    """``series.map(fn)`` computed once per distinct value (columns repeat values a lot)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(u) for u in uniques]
    mapped[-1] = fn(None)
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def _text_of(v: object) -> str:
    # pd.isna takes any object (False for one it does not know); the stubs list scalars only.
    if v is None or (not isinstance(v, str) and pd.isna(v)):  # type: ignore[call-overload]
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return unicodedata.normalize("NFC", str(v)).strip()


def _as_text(series: pd.Series) -> pd.Series:
    """Strings for parsing: NFC, stripped; typed missing values become ''."""
    return _map_unique(series, _text_of)


def _clean_text(v: object) -> str | NAType:
    if not isinstance(v, str):
        return pd.NA
    v = unicodedata.normalize("NFC", v).strip()
    return pd.NA if v.lower() in MISSING_TOKENS else v


def _text(series: pd.Series) -> _columns.Cells:
    """The cells of ``series`` as :func:`_as_text` gives them (NFC, stripped; a missing value is
    empty), each distinct value or each cell NFC or ``strip`` could change computed once."""
    values = _columns.arrow_strings(series)
    if values is None:
        if _columns.string_categories(series):
            return _columns.Cells.of_categories(series).map(_text_of, keep=_columns.Cells.stable)
        return _columns.Cells.of_series(series, _text_of)
    return _columns.Cells.of_strings(values, series.index).map(_text_of, keep=_columns.Cells.stable)


def _is_missing_token(text: _columns.Cells) -> npt.NDArray[np.bool_]:
    """Cells of a :func:`_text` column whose lower case is in :data:`MISSING_TOKENS`."""
    return text.isin(MISSING_TOKENS)


def _label_or_na(text: str) -> object:
    """:func:`clean_category` of a cell's text, or NA for a missing-value token."""
    return pd.NA if text.lower() in MISSING_TOKENS else clean_category(text)


def _category(text: _columns.Cells) -> pd.Series:
    """:func:`clean_category` of every cell of a :func:`_text` column, as ``string``."""
    return text.map(clean_category, keep=_columns.Cells.label_like).series("string")


_SPACED_NUMBER = r"[-+\u2212]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?"


def _parse_numbers(text: pd.Series, decimal: str) -> pd.Series:
    """Parse numbers written with a decimal comma or dot and space/NBSP/dot/comma thousands."""
    plain = pd.to_numeric(text.where(text != "", None), errors="coerce") if decimal == "." else None
    if plain is not None and (plain.notna() | (text == "")).all():
        return plain  # the common case: plain numbers, parsed in C
    spaced = text.str.contains("[ \u00a0\u202f]", regex=True).fillna(False).astype(bool)
    if spaced.any():
        # A space is a thousands separator only between groups of three digits: "1 234,5" is
        # a number, "+46 70 689 47 25" (a phone number) and "12 34" are not.
        grouped = text.str.fullmatch(_SPACED_NUMBER).fillna(False).astype(bool)
        text = text.where(~spaced | grouped, "-")
    s = text.str.replace("\u00a0", "", regex=False).str.replace("\u202f", "", regex=False)
    s = s.str.replace(" ", "", regex=False)
    if decimal == ",":
        s = s.where(~s.str.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?"), s.str.replace(".", "", regex=False))
        s = s.str.replace(",", ".", regex=False)
    else:
        s = s.where(~s.str.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?"), s.str.replace(",", "", regex=False))
    s = s.str.replace(r"^\+", "", regex=True).str.replace("−", "-", regex=False)
    return pd.to_numeric(s, errors="coerce")


def _numbers(text: _columns.Cells, decimal: str) -> pd.Series:
    """``_parse_numbers(text, decimal)`` as float64 for a :func:`_text` column. With few distinct
    values, they are parsed together; otherwise plain integers (most scores) are read by pyarrow
    and every other cell by :func:`_parse_numbers`, blanks included (they decide how pandas
    reads the others)."""
    if text.few:
        positions, uniques = text.used()
        parsed = _parse_numbers(pd.Series(uniques, dtype=object), decimal).astype("float64").to_numpy()
        return pd.Series(parsed[positions], index=text.index, copy=False)
    integers, numbers = _columns.plain_integers(text.values)
    rest = ~integers
    if rest.any():
        decimals, values = _columns.plain_decimals(text.values, decimal)
        decimals &= rest
        numbers[decimals] = values[decimals]
        rest &= ~decimals
    if rest.any():
        sub = text.rows(rest)
        if any(sub):
            numbers[rest] = _parse_numbers(pd.Series(sub, dtype=object), decimal).astype("float64").to_numpy()
    return pd.Series(numbers, index=text.index, copy=False)


def _dates(
    text: _columns.Cells, *, date_format: str | None, dayfirst: bool | None
) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    """:func:`_parse_dates` of a :func:`_text` column (its distinct values, when few): the
    dates, and the rows holding a date outside the years pandas can hold (NaT among the dates)."""
    if not text.few:
        if date_format:
            return _parse_dates(text.series(), date_format=date_format, dayfirst=dayfirst)
        # Plain ISO dates by pyarrow; the others (the first ISO attempt failing on them alone
        # decides nothing for the rest) by _parse_dates.
        iso, ns = _columns.iso_datetimes(text.values)
        rest = ~iso & ~text.isin({""})
        far = np.zeros(len(ns), dtype=bool)
        if rest.any():
            parsed, far_rest = _parse_dates(
                pd.Series(text.rows(rest), dtype="str"), date_format=None, dayfirst=dayfirst
            )
            ns[rest] = parsed.to_numpy().view(np.int64)
            far[rest] = far_rest
        ns[~iso & ~rest] = np.iinfo(np.int64).min  # NaT
        return pd.Series(ns.view("datetime64[ns]"), index=text.index, copy=False), far
    positions, uniques = text.used()
    parsed, far = _parse_dates(pd.Series(uniques, dtype="str"), date_format=date_format, dayfirst=dayfirst)
    out = parsed.take(positions)
    out.index = text.index
    return out, far[positions]


#: The instants a ``datetime64[ns]`` column holds (pandas' Timestamp.min and max, about 1677-09-21
#: to 2262-04-11); a date outside (9999-12-31, 0001-01-01) is a rejected row, not an error.
_FIRST_NS, _LAST_NS = pd.Timestamp.min, pd.Timestamp.max
_NS_PER = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000}


def _in_ns_range(dates: pd.Series) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    """Naive ``dates`` (any unit) as ``datetime64[ns]``, and the rows outside what nanoseconds
    hold (NaT in the result): compared in the dates' own unit, which holds them."""
    dtype = dates.dtype
    unit = "ns"
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        unit = np.datetime_data(cast("np.dtype[np.datetime64]", dtype))[0]
    if unit == "ns":
        return dates.astype("datetime64[ns]"), np.zeros(len(dates), dtype=bool)
    if unit in _NS_PER:  # compared as integers of the unit (pandas' comparison: 0.1 s a million)
        ticks = dates.to_numpy().view(np.int64)
        low, high = -(-_FIRST_NS.value // _NS_PER[unit]), _LAST_NS.value // _NS_PER[unit]
        far = ((ticks < low) & (ticks != np.iinfo(np.int64).min)) | (ticks > high)
    else:
        far = (dates.notna() & ((dates < _FIRST_NS) | (dates > _LAST_NS))).to_numpy()
    if far.any():
        dates = dates.where(~far)
    return dates.astype("datetime64[ns]"), far


def _parse_dates(
    text: pd.Series, *, date_format: str | None, dayfirst: bool | None
) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    """Parse dates; naive values are taken as UTC, aware ones converted to UTC. Also the rows
    whose date lies outside the years ``datetime64[ns]`` holds (NaT among the dates)."""
    # cache=False: the same dates, and faster than pandas' cache when most values are distinct.
    if date_format:
        return _in_ns_range(pd.to_datetime(text, format=date_format, errors="coerce", cache=False))
    out = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True, cache=False)
    todo = (out.isna() & (text != "")).to_numpy()
    if todo.any():
        # The cells ISO 8601 did not read go on as Python strings: the patterns below are
        # Python's, not pyarrow's.
        sub = pd.Series(text[todo].tolist(), index=text.index[todo], dtype=object)
        # English ordinal days as review sites write them (19th November 2023, Dec 1st, 2023):
        # strptime has no directive for the suffix, so it is dropped before the formats below.
        sub = sub.str.replace(_ORDINAL_DAY, r"\1", regex=True)
        # 31/10/2026 and 31-10-2026 14:05 (Nordic Excel): day or month first, decided from
        # the data when dayfirst is not given (a first number above 12 is a day).
        numeric = sub[sub.str.fullmatch(r"\d{1,2}([/-])\d{1,2}\1\d{2,4}( \d{1,2}:\d{2}(:\d{2})?( ?[AaPp][Mm])?)?")]
        if len(numeric) and dayfirst is None:
            parts = numeric.str.extract(r"^(\d{1,2})[/-](\d{1,2})[/-]").astype(int)
            dayfirst = bool((parts[0] > 12).any() or not (parts[1] > 12).any())
        fmts = list(_DATE_FORMATS)
        for sep in "/-":
            order = f"%d{sep}%m" if dayfirst is not False else f"%m{sep}%d"
            fmts += [
                f"{order}{sep}%Y",
                f"{order}{sep}%Y %H:%M",
                f"{order}{sep}%Y %H:%M:%S",
                f"{order}{sep}%y",
                f"{order}{sep}%y %H:%M",
                f"{order}{sep}%Y %I:%M:%S %p",
                f"{order}{sep}%Y %I:%M %p",
            ]
        for fmt in fmts:
            if not len(sub):
                break
            if not _could_match(fmt, sub):
                continue  # it would read none of them
            parsed = pd.to_datetime(sub, format=fmt, errors="coerce", utc=True)
            out.loc[parsed.index[parsed.notna()]] = parsed[parsed.notna()]
            sub = sub[parsed.isna().to_numpy()]
    return _in_ns_range(out.dt.tz_convert(None))


def _could_match(fmt: str, texts: pd.Series) -> bool:
    """Whether a ``strptime`` format could read any of ``texts``, by a pattern that accepts more
    than pandas' ``strptime`` does (its own patterns, from CPython's ``_strptime``: a day,
    month, hour, minute or second of one or two digits, maybe after a space; a year of two or
    four; names as letters; white space as any run of it), so that a format is tried only
    where it could read something."""
    return any(_format_pattern(fmt).fullmatch(t) for t in set(texts.tolist()))


#: A pattern for each ``strptime`` directive the date formats use.
_DIRECTIVE = {
    **dict.fromkeys("dmHIMS", r"\s?\d{1,2}"),
    "y": r"\d{2}",
    "Y": r"\d{4}",
    **dict.fromkeys("bBp", r"[^\W\d_]+"),
}


@functools.cache
def _format_pattern(fmt: str) -> re.Pattern[str]:
    """:func:`_could_match`'s pattern of a ``strptime`` format (case ignored, as strptime does)."""
    parts = re.split(r"(%.|\s+)", fmt)
    pattern = "".join(
        _DIRECTIVE[part[1]] if part.startswith("%") else r"\s+" if part.isspace() else re.escape(part)
        for part in parts
        if part
    )
    return re.compile(pattern, re.IGNORECASE)


def _closest(name: str, options: Iterable[str]) -> str:
    match = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" Did you mean {match[0]!r}?" if match else ""


def _fold_name(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKD", str(name)).casefold())


# --------------------------------------------------------------------------- coercion


class _Coercer:
    """Turns one source column into one canonical column, noting rows it cannot read."""

    def __init__(self, raw: formats.RawTable, problems: _Problems, options: dict[str, Any]) -> None:
        self.raw = raw
        self.problems = problems
        self.decimal: str = raw.dialect.get("decimal", ".")
        self.options = options
        self.missing: dict[str, int] = {}
        self.notes: list[str] = []

    def __call__(self, spec: ColumnSpec, series: pd.Series, label: str) -> pd.Series:
        kind = spec.kind
        label = label.replace("{", "{{").replace("}", "}}")  # it becomes part of a format string
        if kind == "datetime" and pd.api.types.is_datetime64_any_dtype(series):
            out = series.dt.tz_convert(None) if getattr(series.dt, "tz", None) else series
            out, far = _in_ns_range(out)
            self.problems.add(far, _FAR_DATE.format(label=label), series)
            return self._done(spec, out, label)
        codes = (self.options.get("na_codes") or {}).get(spec.name)
        if not (codes and codes[1]):  # without text codes, two kinds need no text of the cells
            if kind == "text":
                return self._done(spec, self._free_text(series, None, spec.name), label)
            if kind in ("score", "number", "driver") and _is_number_dtype(series):
                # Numbers typed as numbers (Parquet, SQL, a DataFrame): missing where NA.
                return self._numbers(spec, series, None, series.isna().to_numpy(), label)
        text = _text(series)
        missing = _is_missing_token(text)
        not_applicable = self._text_codes(spec.name, text)
        if not_applicable is not None:
            missing = missing | not_applicable
            text = text.blank(not_applicable)
        if kind == "text":
            return self._done(spec, self._free_text(series, not_applicable, spec.name), label)
        if kind in ("id", "category"):
            if text.few:  # a missing cell's text is a missing token: NA is decided per distinct text
                out = text.map(_label_or_na, keep=_columns.Cells.label_like).series("string")
            else:
                out = _category(text)
                out = out.where(~missing, pd.NA) if missing.any() else out
            return self._done(spec, out, label)
        if kind == "stage":
            positions, mapped = text.map_distinct(lambda v: normalize_stage(v) if v is not None else pd.NA)
            unknown = np.array([v is None for v in mapped], dtype=bool)[positions] & ~missing
            self.problems.add(
                unknown,
                f"{label}: '{{v}}' is not one of the stages {', '.join(STAGES)}; "
                f"map it with values={{{{'{spec.name}': {{{{'{{v}}': '<stage>'}}}}}}}}",
                text,
            )
            order = {stage: i for i, stage in enumerate(STAGES)}
            stage_codes = np.array([order.get(v, -1) if isinstance(v, str) else -1 for v in mapped], dtype=np.int8)
            stage_codes = stage_codes[positions]
            stage_codes[unknown | missing] = -1
            return self._done(
                spec,
                pd.Series(pd.Categorical.from_codes(stage_codes, dtype=STAGE_DTYPE), index=series.index),
                label,
            )
        if kind == "bool":
            true, false = text.isin(_TRUE), text.isin(_FALSE)
            out = pd.Series(pd.arrays.BooleanArray(true & ~false, ~(true | false)), index=series.index)
            bad = out.isna().to_numpy() & ~missing
            self.problems.add(
                bad,
                f"{label}: '{{v}}' is not yes/no; map it with values={{{{'{spec.name}': {{{{'{{v}}': True}}}}}}}}",
                text,
            )
            return self._done(spec, out, label)
        if kind == "datetime":
            out, far = _dates(
                text.blank(missing),
                date_format=self.options.get("date_format"),
                dayfirst=self.options.get("dayfirst"),
            )
            self.problems.add(far, _FAR_DATE.format(label=label), text)
            bad = out.isna().to_numpy() & ~missing
            self.problems.add(
                bad,
                f"{label}: '{{v}}' is not a date (expected e.g. 2026-03-14); "
                "set date_format if the source uses another form",
                text,
            )
            return self._done(spec, out, label)
        if kind in ("score", "number", "driver"):
            return self._numbers(spec, series, text, missing, label)
        raise AssertionError(f"unknown column kind {kind!r}")  # a bug in schema.TABLES, not in data

    def _free_text(self, series: pd.Series, not_applicable: npt.NDArray[np.bool_] | None, name: str) -> pd.Series:
        """Text kept as written apart from NFC and the ends; empty text and export artefacts
        ("None", "NaN", "#N/A") are no text at all."""
        values = _columns.arrow_strings(series)
        if values is None and _columns.string_categories(series):
            out = _columns.Cells.of_categories(series).map(_clean_text, keep=_columns.Cells.stable).series("string")
        elif values is None:
            out = _map_unique(series, _clean_text)
        else:
            out = (
                _columns.Cells.of_strings(values, series.index)
                .map(_clean_text, keep=lambda cells: cells.stable() & ~cells.isin(MISSING_TOKENS))
                .series("string")
            )
        if not_applicable is not None:
            out = out.where(~not_applicable, pd.NA)
        if self.options.get("unescape_html"):
            decoded = _map_unique(out, lambda v: html_unescape(v) if isinstance(v, str) else v)
            present = out.notna()
            changed = int((decoded[present] != out[present]).sum())
            if changed:
                self.notes.append(f"{name}: HTML entities decoded in {changed:,} row(s)")
            out = decoded
        return out.astype("string")

    def _numbers(
        self,
        spec: ColumnSpec,
        series: pd.Series,
        text: _columns.Cells | None,
        missing: npt.NDArray[np.bool_],
        label: str,
    ) -> pd.Series:
        """A score, number or driver column from its cells' ``text`` (None: ``series`` holds
        numbers already). A column of few distinct texts is worked out once per distinct text
        (the "units" below), then spread over its rows."""
        kind = spec.kind
        positions: _columns.Positions | None = None
        if text is None:
            numbers, gone, words = pd.to_numeric(series, errors="coerce").astype("float64"), missing, None
        elif text.few:
            positions, uniques = text.blank(missing).used()
            parsed = _parse_numbers(pd.Series(uniques, dtype=object), self.decimal).astype("float64")
            numbers, words = parsed, pd.Series(uniques, dtype=object)
            gone = np.zeros(len(uniques), dtype=bool)  # every missing row's text is now ""
            gone[positions[missing]] = True
        else:
            numbers, gone, words = _numbers(text.blank(missing), self.decimal), missing, None

        def rows(units: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
            return units if positions is None else units[positions]

        def per_row(values: pd.Series) -> pd.Series:
            if positions is None:
                return values
            return pd.Series(values.to_numpy()[positions], index=series.index, copy=False)

        if text is not None:
            unread = numbers.isna().to_numpy() & ~gone
            if kind == "score" and unread.any():  # "10 - Extremely likely", "0 = Not at all"
                labels = words[unread] if words is not None else pd.Series(text.rows(unread), dtype=object)
                numbers[unread] = pd.to_numeric(labels.str.extract(_SCORE_LABEL)[0], errors="coerce").to_numpy()
        bad = np.isnan(numbers.to_numpy()) & ~gone
        if bad.any() and text is None:
            text = _text(series)
        self.problems.add(
            rows(bad),
            f"{label}: '{{v}}' is not a number; if it means \"not applicable\", "
            f"list it in na_codes (na_codes: {{{{{spec.name}: ['{{v}}']}}}})",
            text,
        )
        if bad.any():  # missing cells are NaN already
            numbers = numbers.where(~bad & ~gone)
        infinite = np.isinf(numbers.to_numpy())
        if infinite.any():
            self.problems.add(
                rows(infinite), _NOT_FINITE.format(label=label), text if text is not None else per_row(numbers)
            )
            numbers = numbers.where(~infinite)
        counts = None if positions is None else np.bincount(positions, minlength=len(numbers))
        numbers = self._na_codes(spec.name, numbers, counts)
        unit = (self.options.get("units") or {}).get(spec.name)
        if unit:
            numbers = numbers * _UNITS[spec.name][unit]
            self.notes.append(f"{spec.name} converted from {unit}")
        if kind == "score":
            frac = numbers.notna().to_numpy() & (numbers.round() != numbers).to_numpy()
            if frac.any():
                self.problems.add(rows(frac), f"{label}: {{v:g}} is not a whole number", per_row(numbers))
            numbers = numbers.where(~frac)
            out: pd.Series = per_row(numbers).round().astype("Int64")
        else:
            out = per_row(numbers).astype("Float64")
        out.index = series.index
        return self._done(spec, out, label)

    def _text_codes(self, name: str, text: _columns.Cells) -> npt.NDArray[np.bool_] | None:
        """Cells holding one of the column's text codes ("Ved ikke"), compared ignoring case;
        None when the column has no text codes."""
        codes = (self.options.get("na_codes") or {}).get(name)
        if not codes or not codes[1]:
            return None
        hit = text.isin(codes[1], str.casefold)
        if hit.any():
            self.notes.append(f"{name}: {int(hit.sum()):,} not-applicable code(s) {sorted(codes[1])} read as missing")
        return hit

    def _na_codes(self, name: str, numbers: pd.Series, counts: npt.NDArray[np.intp] | None = None) -> pd.Series:
        """``numbers`` without the column's numeric not-applicable codes (``counts``: the rows
        each number stands for, when it stands for several)."""
        codes = (self.options.get("na_codes") or {}).get(name)
        if not codes or not codes[0]:
            return numbers
        hit = numbers.isin(codes[0])
        if hit.any():
            n = int(hit.sum()) if counts is None else int(counts[hit.to_numpy()].sum())
            self.notes.append(f"{name}: {n:,} not-applicable codes {codes[0]} read as missing")
        return numbers.where(~hit)

    def _done(self, spec: ColumnSpec, out: pd.Series, label: str) -> pd.Series:
        n_missing = int(out.isna().sum())
        if n_missing:
            self.missing[spec.name] = n_missing
        return out


def _is_number_dtype(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _infer_extra(series: pd.Series, decimal: str) -> tuple[pd.Series, str | None]:
    """Type an extra (non-canonical) text column: numbers, booleans, or cleaned categories."""
    text = _text(series)
    missing = _is_missing_token(text)
    if missing.all():
        return series, None
    present = ~missing
    # A yes/no column has at most one way of writing each answer: "x" and "y" are both "true"
    # words, but a column holding both is a category, not a column of trues.
    if text.isin(_TRUE | _FALSE)[present].all():
        seen = {str(v).lower() for v in text.distinct(present)}
        if len(seen & _TRUE) <= 1 and len(seen & _FALSE) <= 1 and not seen <= {"0", "1", "0.0", "1.0"}:
            true, false = text.isin(_TRUE), text.isin(_FALSE)
            return pd.Series(pd.arrays.BooleanArray(true & ~false, ~(true | false)), index=series.index), None
    if _all_numbers(text, present, decimal):
        numbers = _numbers(text.blank(missing), decimal)
        blanks = int(missing.sum())
        note = f"{series.name}: {blanks:,} blank or NA value(s) read as missing" if blanks else None
        as_float = numbers.astype("float64")
        if (as_float.dropna() == as_float.dropna().round()).all() and as_float.abs().max() < 2**53:
            return as_float.round().astype("Int64"), note
        return as_float.astype("Float64"), note
    # Text: categories (few distinct values) are normalised like canonical categories.
    distinct = len(text.distinct(present))
    if distinct <= max(50, 0.05 * int(present.sum())):
        return _category(text), None
    values = _columns.arrow_strings(series)
    if values is None:
        return _map_unique(series, lambda v: unicodedata.normalize("NFC", v) if isinstance(v, str) else pd.NA).astype(
            "string"
        ), None
    nfc = _columns.Cells.of_strings(values, series.index).map(
        lambda v: unicodedata.normalize("NFC", v) if isinstance(v, str) else None,
        keep=_columns.Cells.stable,
    )
    return nfc.series("string"), None


def _all_numbers(text: _columns.Cells, present: npt.NDArray[np.bool_], decimal: str) -> bool:
    """Whether every ``present`` cell of a :func:`_text` column reads as a number. Whether a
    cell reads does not depend on the others, so a few distinct cells that do not read settle
    it for a text column before every cell is parsed."""
    if not text.few:
        integers, _ = _columns.plain_integers(text.values)
        decimals, _ = _columns.plain_decimals(text.values, decimal)
        others = present & ~integers & ~decimals
        if not others.any():
            return True
        sample = pd.Series(text.distinct(others)[:100], dtype=object)
        if _parse_numbers(sample, decimal).isna().any():
            return False
    return bool(_numbers(text, decimal)[present].notna().all())


# --------------------------------------------------------------------------- source


def _read_source(source: _Source, *, format: str | None, reader_options: dict[str, Any]) -> formats.RawTable:
    if isinstance(source, Mapping):
        spec = dict(source)
        if "url" in spec or "sql" in spec:
            from . import sql

            url = spec.pop("url", None) or spec.pop("sql")
            return sql.read_sql(url, **spec, **reader_options)
        if "path" in spec:
            return formats.read_file(spec.pop("path"), format=spec.pop("format", format), **spec, **reader_options)
        raise SourceError(f"source {source!r}: give a file path, or a mapping with 'path' or 'url' (SQL).")
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True).copy()
        frame.columns = [str(c) for c in frame.columns]
        return formats.RawTable(
            frame=frame,
            lines=np.arange(len(frame), dtype=np.int64) + 1,
            source="<DataFrame>",
            format="dataframe",
            typed=True,
            notes=["line numbers are row numbers"],
        )
    if isinstance(source, str) and re.match(r"^[a-z][a-z0-9+]*://", source) and not source.startswith("file://"):
        from . import sql

        table = reader_options.pop("table", None)
        query = reader_options.pop("query", None)
        return sql.read_sql(source, table=table, query=query, **reader_options)
    return formats.read_file(source, format=format, **reader_options)


# --------------------------------------------------------------------------- the reader


#: Tables of at least this many rows give freed memory back between the steps of a load
#: (:func:`cxkit._memory.return_freed`); for smaller ones the calls would cost more than they give.
_RETURN_FREED_ROWS = 200_000


def load(
    table: str,
    source: _Source,
    *,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping[Any, Any]] | None = None,
    drivers: list[str] | Mapping[str, str] | None = None,
    na_codes: Mapping[str, Any] | None = None,
    units: Mapping[str, str] | None = None,
    date_format: str | None = None,
    dayfirst: bool | None = None,
    generate_ids: bool = False,
    stage_from: Sequence[Sequence[str] | Mapping[str, str]] | None = None,
    stage_default: str = "awareness",
    driver_range: tuple[float, float] | None = None,
    categorical: list[str] | None = None,
    unescape_html: bool = False,
    max_rejected: float = 0.05,
    format: str | None = None,
    scales: Mapping[str, Any] | None = None,
    fieldwork: str | None = None,
    **reader_options: Any,
) -> Loaded:
    """Read ``source`` into the canonical ``table`` (``feedback``, ``reviews``,
    ``customers`` or ``journey``).

    Every value is parsed into its column's type (:mod:`cxkit.data.schema`); a row with a
    value that is not data (a score out of range, a date that is not a date, a duplicate id,
    a missing required value) is rejected with its source line and the first reason, never
    silently dropped or changed: ``len(frame) + len(rejected) == report.read``.

    Parameters
    ----------
    table : str
        Which canonical table: ``"feedback"``, ``"reviews"``, ``"customers"`` or
        ``"journey"`` (see :data:`cxkit.data.schema.TABLES`).
    source : path, str, mapping or DataFrame
        A file path (csv, tsv, txt, xlsx, parquet, sav, json, jsonl, a Qualtrics or
        SurveyMonkey export), a SQLAlchemy URL with ``table=`` or ``query=``, a mapping
        ``{"url": ..., "table"|"query": ...}`` (or ``{"path": ...}`` with file options), or a
        DataFrame (its row numbers serve as line numbers).
    columns : mapping, optional
        Canonical name -> source column. Canonical names already in the source (also
        ignoring case and punctuation, so ``customerID`` is ``customer_id``) map themselves,
        and so do a Qualtrics or SurveyMonkey export's standard columns (``ResponseId``,
        ``RecordedDate``, ...).
    values : mapping, optional
        Per-column recodes applied before parsing, keyed by canonical, driver or source
        column: ``{"churned": {"Yes": True, "No": False}}``. A cell matches a key as written,
        stripped or ignoring case; cells without a match are kept as they are.
    drivers : list or mapping, optional
        Driver-rating columns (feedback only): source names, or driver name -> source column.
        They are read as numbers and placed after the canonical columns; their names are
        kept in ``frame.attrs["drivers"]``, where :func:`cxkit.key_drivers` finds them.
    na_codes : mapping, optional
        Codes meaning "not applicable", per column (canonical, driver or source column name):
        ``{"support": [0, "Ved ikke"]}``; read as missing. Numbers are compared as numbers,
        texts ignoring case.
    units : mapping, optional
        Units of ``tenure_months`` (days, weeks, months, years), ``duration_s`` (s, seconds,
        ms, min, minutes) or ``monthly_revenue`` (monthly, yearly, annual); converted to the
        canonical unit.
    date_format : str, optional
        The ``strftime`` format of every date in the source (e.g. ``"%d.%m.%Y"``); dates in
        another form are rejected. Default: ISO 8601 (a time zone is converted to UTC and
        dropped), then common day-, month- and year-first forms.
    dayfirst : bool, optional
        For numeric dates such as ``03/10/2026``: True reads the day first, False the month.
        Default: decided from the data: day first, unless no first number but some second
        number is above 12.
    generate_ids : bool, default False
        When the source has no id column, number the rows ``<source stem>-<line>`` (the
        table's name instead of the stem for a DataFrame).
    stage_from : list of [column, stage], optional
        Journey exports with one row per session and a column per page type: the row's stage
        is the latest stage (in journey order) whose column is positive or true;
        ``stage_default`` otherwise. Each rule may also be ``{"column": ..., "stage": ...}``.
        Journey table only; it replaces any ``journey_stage`` column.
    stage_default : str, default "awareness"
        The stage of a session whose ``stage_from`` columns are all empty, zero or false.
    driver_range : (low, high), optional
        Reject rows whose driver ratings fall outside this range (bounds included).
    categorical : list of str, optional
        Extra source columns holding codes, not quantities (``Region`` = 1..9): kept as
        normalised text categories instead of being read as numbers.
    unescape_html : bool, default False
        Decode HTML entities (``&#34;``, ``&amp;``) in text columns, for scraped reviews. The
        text is still untrusted: reports always render it as text.
    max_rejected : float, default 0.05
        Largest share of invalid rows (of the rows read) accepted before
        :class:`~cxkit.errors.DataQualityError` is raised. Rows the source itself marks as
        not being responses (survey previews, tests, spam, empty rows: ``kind`` "excluded")
        are rejected but do not count.
    format : str, optional
        Force a reader: csv, xlsx, parquet, sav, json, jsonl, qualtrics, surveymonkey.
        Default: from the file's suffix (survey-tool exports are recognised by their headers).
    scales : mapping, optional
        The scale of a score column when it is not the table's default, e.g.
        ``{"rating": [1, 10]}`` for a review site's 1-10 rating or ``{"ces": [1, 5]}``; values
        outside it are rejected. Kept in ``frame.attrs["scales"]`` (every score column's
        ``[low, high]``), where the analyses read it. ``nps`` is always 0-10: NPS is defined
        only for the 0-10 recommendation question (map a 1-10 overall rating to its own column).
    fieldwork : str, optional
        ``YYYY-MM``: for an export without a date column, the month the answers were collected
        in. Every row is dated to that month (its first day) and the load report says so; an
        export that has its own dates refuses it.
    **reader_options
        Passed to the reader: ``sep``, ``decimal``, ``encoding``, ``quoting`` ("none" for
        files with stray quotes), ``header``, ``names``, ``skip_rows``, ``sheet``,
        ``unfinished`` (Qualtrics: "keep" or "exclude"), ``table``/``query`` for SQL.

    Returns
    -------
    Loaded
        Unpacks as ``frame, rejected, report``:

        - ``frame``: the accepted rows, index 0..n-1, in the table's canonical columns and
          order (optional columns the source lacks are added empty, and the report says
          which), then the drivers, then the source's other columns (typed: numbers,
          booleans, normalised categories or text). ``frame.attrs``: ``table``, ``source``,
          ``drivers``.
        - ``rejected``: one row per rejected record, in source order: ``line`` (where it
          starts in the source), ``reason``, ``kind`` (``invalid`` or ``excluded``), then the
          record's source cells as read (unmasked: use ``Loaded.rejected_masked()`` before
          writing them anywhere).
        - ``report``: :class:`LoadReport`, with ``read``, ``accepted``, ``rejected``,
          ``excluded``, ``reasons`` (reason -> rows), ``examples``, ``notes``, ``missing`` and
          ``columns`` (canonical name -> source column).

    Raises
    ------
    ValueError
        ``table`` is not one of the four tables.
    SourceError
        The source is missing, empty or unreadable, or an option does not apply to it.
    SchemaError
        A required column is absent, an option names a column the source lacks, a unit is
        not supported, or ``drivers`` are given for another table than feedback (or clash
        with a canonical name).
    DataQualityError
        More than ``max_rejected`` of the rows are invalid, or no row is accepted; the
        error's ``.loaded`` holds the result, so the rejected rows can be inspected.

    See Also
    --------
    load_feedback, load_reviews, load_customers, load_journey : this reader for one table.
    load_catalog : the same options, configured by file.

    Examples
    --------
    >>> import cxkit as cx
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"id": ["a", "b", "c"], "Score": ["10", "11", "Ved ikke"],
    ...                     "date": ["2026-10-01", "2026-10-02", "31.10.2026"], "Plan": ["Pro", "Pro", "Basic"]})
    >>> frame, rejected, report = cx.load("feedback", raw, columns={"response_id": "id", "nps": "Score",
    ...                                   "responded_at": "date"}, na_codes={"nps": ["Ved ikke"]}, max_rejected=0.5)
    >>> frame[["response_id", "nps", "responded_at", "Plan"]]
      response_id   nps responded_at   Plan
    0           a    10   2026-10-01    Pro
    1           c  <NA>   2026-10-31  Basic
    >>> rejected[["line", "reason", "kind"]]
       line                reason     kind
    0     2  nps: 11 outside 0–10  invalid
    >>> report.read, report.accepted, report.rejected
    (3, 2, 1)
    """
    if table not in TABLES:
        raise ValueError(f"table must be one of {sorted(TABLES)}, not {table!r}.")
    raw = _read_source(source, format=format, reader_options=dict(reader_options))
    name = raw.source
    spec = _with_scales(TABLES[table], scales, name)
    src = raw.frame
    n_read = raw.n_read
    if n_read == 0:
        raise SourceError(f"{name}: the source has no rows. Check the export or the query.")
    _refuse_duplicate_columns(src, name)
    header_rows = _repeated_headers(src)
    options: dict[str, Any] = {
        "na_codes": na_codes,
        "units": units,
        "date_format": date_format,
        "dayfirst": dayfirst,
        "unescape_html": unescape_html,
    }
    _check_units(units, name)

    columns = dict(columns or {})
    for canonical, tool_col in _TOOL_COLUMNS.get(raw.format, {}).items():
        if canonical not in columns and tool_col in src.columns and spec.column(canonical) is not None:
            columns[canonical] = tool_col
    mapping = _map_columns(spec, src, columns, name, raw.notes)
    driver_map = _driver_map(drivers, src, name, table)
    # Columns recoded by values= are typed afresh (from a DataFrame too: "Yes"/"No" -> 1/0 gives
    # numbers, as it does from a file).
    recoded = {mapping.get(str(k), driver_map.get(str(k), str(k))) for k in (values or {})}
    # Columns read as dictionaries are parsed from them; every other use takes the strings.
    parsed = (set(mapping.values()) | set(driver_map.values())) - recoded
    for source_col in raw.dictionary:
        if source_col in src.columns and source_col not in parsed:
            src[source_col] = _columns.decoded(src[source_col])
    if values:
        src = _recode(src, values, mapping, driver_map, name)
    options["na_codes"] = _na_code_map(na_codes, spec, mapping, driver_map, src, name)

    problems = _Problems(len(src))
    problems.add(header_rows, _REPEATED_HEADER, key="repeated header row")
    coerce = _Coercer(raw, problems, options)
    out: dict[str, pd.Series] = {}
    for col in spec.columns:
        if col.name in mapping:
            out[col.name] = coerce(col, src[mapping[col.name]], label=_label(col.name, mapping[col.name]))
    if table == "journey" and stage_from:
        out["journey_stage"] = _stage_from(src, stage_from, stage_default, name)
        mapping["journey_stage"] = "<stage_from>"
    if fieldwork is not None:
        out[_TIME[table]] = _fieldwork_dates(fieldwork, table, mapping, src.index, name)
        mapping[_TIME[table]] = "<fieldwork>"
        raw.notes.append(f"{_TIME[table]} from the catalog's fieldwork period {fieldwork} (the export has no dates)")
    if spec.id_column and spec.id_column not in out and generate_ids:
        stem = Path(name).stem if not name.startswith("<") else table
        out[spec.id_column] = pd.Series([f"{stem}-{ln}" for ln in raw.lines], dtype="string")
        raw.notes.append(f"{spec.id_column} generated from line numbers")
    missing_required = [c.name for c in spec.columns if c.required and c.name not in out]
    if missing_required:
        raise SchemaError(_missing_columns_message(missing_required, spec, src, name))

    driver_spec = ColumnSpec(
        "driver",
        "driver",
        low=driver_range[0] if driver_range else None,
        high=driver_range[1] if driver_range else None,
    )
    for driver, source_col in driver_map.items():
        out[driver] = coerce(
            ColumnSpec(driver, "number", low=driver_spec.low, high=driver_spec.high),
            src[source_col],
            label=_label(driver, source_col),
        )

    if len(src) >= _RETURN_FREED_ROWS:
        return_freed()  # what parsing freed, before the checks and the extra columns take more
    # Nullability, ranges and uniqueness, checked on the parsed columns.
    frame = pd.DataFrame(out, index=src.index, copy=False)
    _validate(frame, spec, driver_map, driver_range, problems)

    # Extra source columns are kept, typed, never silently dropped.
    used = set(mapping.values()) | set(driver_map.values())
    categorical_set = set(categorical or [])
    unknown = categorical_set - set(src.columns)
    if unknown:
        raise SchemaError(f"{name}: categorical names column(s) {sorted(unknown)} not in the source.")
    extras: dict[str, pd.Series] = {}
    for source_col in src.columns:
        if source_col in used or source_col in frame.columns:
            continue
        if source_col in categorical_set:
            extras[source_col] = _category(_text(src[source_col]))
        elif raw.typed and source_col not in options["na_codes"] and source_col not in recoded:
            extras[source_col] = src[source_col]
        else:
            column = src[source_col]
            if source_col in options["na_codes"]:
                column = _blank_na_codes(column, options["na_codes"][source_col], raw.notes)
            extras[source_col], note = _infer_extra(column, coerce.decimal)
            if note:
                raw.notes.append(note)
        _reject_infinite(extras[source_col], src[source_col], source_col, problems)
    frame = pd.concat([frame, pd.DataFrame(extras, index=src.index)], axis=1) if extras else frame

    # Optional canonical columns absent from the source are added empty, so downstream code
    # can rely on the table's shape; the report says which.
    absent = [c for c in spec.columns if c.name not in frame.columns]
    for col in absent:
        frame[col.name] = _empty(col, len(frame))
    if absent:
        raw.notes.append("absent in source (added empty): " + ", ".join(c.name for c in absent))
    ordered = [c.name for c in spec.columns] + list(driver_map) + list(extras)
    frame = frame[ordered]

    bad = problems.bad
    rejected_rows = _rows(src, bad)
    # The source's cells are done with: let them go before the accepted rows are taken (20M
    # journey events: the raw strings and the accepted copy at once were the load's peak).
    del src
    raw.frame = raw.frame.iloc[:0]
    if len(bad) >= _RETURN_FREED_ROWS:
        return_freed()
    accepted = _rows(frame, ~bad)
    del frame
    for source_col in raw.dictionary:  # the cells as read: strings
        if source_col in rejected_rows.columns and _columns.string_categories(rejected_rows[source_col]):
            rejected_rows[source_col] = _columns.decoded(rejected_rows[source_col])
    rejected_rows.insert(0, "reason_key", problems.key[bad])
    rejected_rows.insert(0, "kind", "invalid")
    rejected_rows.insert(0, "reason", problems.reason[bad])
    rejected_rows.insert(0, "line", raw.lines[bad])
    excluded = raw.excluded.copy()
    if len(excluded):
        excluded.insert(2 if "reason" in excluded.columns else 0, "kind", "excluded")
    # Records the reader could not split into fields: invalid, counted by their reason's kind.
    malformed = raw.malformed.copy()
    if len(malformed):
        malformed.insert(2, "kind", "invalid")
        malformed["reason_key"] = "more fields than the header (a value holds the delimiter unquoted)"
    parts = [p for p in (excluded, malformed) if len(p)]
    rejected = pd.concat([*parts, rejected_rows], ignore_index=True) if parts else rejected_rows
    rejected = rejected.sort_values("line", kind="stable").reset_index(drop=True)
    lead = ["line", "reason", "kind"]
    rejected = rejected[lead + [c for c in rejected.columns if c not in lead]]
    if len(accepted) + len(rejected) != n_read:  # an invariant of this function, not a data check
        raise RuntimeError(f"cxkit bug: {len(accepted)} + {len(rejected)} != {n_read} rows read from {name}")

    if "reason_key" not in rejected.columns:
        rejected["reason_key"] = None
    # Excluded rows are counted by their reason without the per-row detail in brackets.
    rejected["reason_key"] = rejected["reason_key"].where(
        rejected["reason_key"].notna(), rejected["reason"].astype(str).str.replace(r"\s*\(.*\)$", "", regex=True)
    )
    keys = rejected.pop("reason_key")
    reasons = Counter(keys)
    examples: dict[str, tuple[int, str]] = {}
    for key, line, reason in zip(keys, rejected["line"], rejected["reason"]):
        if key not in examples:  # masked for the first row of each reason only
            examples[key] = (int(line), cast(str, mask_pii(str(reason))))  # a str stays a str
    report = LoadReport(
        source=name,
        table=table,
        format=raw.format,
        read=n_read,
        accepted=len(accepted),
        rejected=len(rejected),
        excluded=len(excluded),
        reasons=dict(reasons),
        notes=list(dict.fromkeys(raw.notes + coerce.notes)),
        missing=coerce.missing,
        columns={k: v for k, v in mapping.items()} | {k: v for k, v in driver_map.items()},
        examples=examples,
    )
    scale_of = {c.name: [c.low, c.high] for c in spec.columns if c.kind == "score" and c.name in mapping}
    accepted.attrs = {"table": table, "source": name, "drivers": list(driver_map), "scales": scale_of}
    loaded = Loaded(accepted, rejected, report)
    if report.rejected_share > max_rejected:
        raise DataQualityError(_too_many_rejected_message(loaded, max_rejected), loaded)
    if len(accepted) == 0:
        raise DataQualityError(f"{name}: no row could be accepted. " + _top_reasons(loaded), loaded)
    return loaded


def _refuse_duplicate_columns(src: pd.DataFrame, name: str) -> None:
    """A SchemaError when two columns of the source share a name: which one a column mapping,
    a driver or an analysis would take is a guess."""
    counts = Counter(str(c) for c in src.columns)
    repeated = [c for c, n in counts.items() if n > 1]
    if repeated:
        column = repeated[0]
        at = [str(i + 1) for i, c in enumerate(src.columns) if str(c) == column]
        raise SchemaError(
            f"{name}: column {column!r} appears {len(at)} times (columns {' and '.join(at)}). Rename one of them in "
            f"the source (e.g. {column + '_2'!r}) or drop the copy, and read it again."
        )


def _repeated_headers(src: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Rows whose cell under every named column is that column's name: the header again (two
    exports appended). One column is compared over the whole table; the other columns only on
    the rows that match it."""
    out = np.zeros(len(src), dtype=bool)
    named = [c for c in src.columns if str(c).strip() and not str(c).startswith("Unnamed: ")]
    if len(named) < 2 or not len(src) or any(_is_number_dtype(src[c]) for c in named):
        return out
    first = src[named[0]]
    values = _columns.arrow_strings(first)
    if values is not None:
        rows = _columns.to_mask(pc.equal(values, str(named[0])))
    elif pd.api.types.is_datetime64_any_dtype(first) or pd.api.types.is_bool_dtype(first):
        return out
    else:
        rows = np.asarray((first == named[0]).fillna(False), dtype=bool)
    if not rows.any():
        return out
    found = np.flatnonzero(rows)
    for column in named[1:]:
        cells = src[column].iloc[found].tolist()
        found = found[[_text_of(v) == str(column).strip() for v in cells]]
        if not len(found):
            return out
    out[found] = True
    return out


def _reject_infinite(column: pd.Series, cells: pd.Series, name: str, problems: _Problems) -> None:
    """Rows of a numeric extra column holding an infinite number (``inf``, ``1e309``); the
    reason shows the cell as read."""
    if not pd.api.types.is_float_dtype(column):
        return
    infinite = np.isinf(column.to_numpy(dtype="float64", na_value=np.nan))
    label = name.replace("{", "{{").replace("}", "}}")
    problems.add(infinite, _NOT_FINITE.format(label=label), cells)


#: :func:`_rows` keeps Arrow columns as slices of the same memory while the kept rows form at
#: most this many runs, or more where the runs average at least :data:`_RUN_ROWS` rows.
_SLICED_RUNS = 4096
_RUN_ROWS = 256


def _rows(frame: pd.DataFrame, mask: npt.NDArray[np.bool_]) -> pd.DataFrame:
    """``frame.loc[mask]`` numbered afresh from 0, each column filtered on its own (pandas takes
    rows by position, which is slower on Arrow columns). When most rows stay, in runs of some
    length, Arrow columns are the runs' slices of the same memory instead of a copy.

    The bound on the runs grows with the rows: a fixed 4,096 runs was met by 1M reviews (500
    rejected rows, 1,000 runs) but not by 10M (5,000 rejected, 10,000 runs), whose every text
    was then copied (3.4 s of processor time, against 0.2 s as slices)."""
    index = pd.RangeIndex(int(mask.sum()))
    edges = np.flatnonzero(np.diff(np.concatenate(([False], mask, [False])).astype(np.int8)))
    runs = list(zip(edges[::2].tolist(), edges[1::2].tolist()))
    slices = len(index) > len(mask) // 2 and len(runs) <= max(_SLICED_RUNS, len(mask) // _RUN_ROWS)

    def pick(column: pd.Series) -> pd.Series:
        values = _columns.arrow_strings(column) if slices else None
        if values is None:
            return pd.Series(column.array[mask], index=index, dtype=column.dtype, copy=False)
        parts = [values.slice(start, stop - start) for start, stop in runs]
        chunks = [chunk for part in parts for chunk in part.chunks]
        kept = pa.chunked_array(chunks, type=values.type)
        return pd.Series(pd.array(kept, dtype=column.dtype), index=index, copy=False)

    out = pd.DataFrame({i: pick(frame.iloc[:, i]) for i in range(frame.shape[1])}, index=index, copy=False)
    out.columns = frame.columns
    out.attrs = deepcopy(frame.attrs)  # as .loc does
    return out


#: The time column of each table that has one (``fieldwork`` dates it).
_TIME = {"feedback": "responded_at", "reviews": "published_at", "journey": "occurred_at"}


def _with_scales(spec: TableSpec, scales: Mapping[str, Any] | None, name: str) -> TableSpec:
    """``spec`` with the ``scales`` given for its score columns (a 1-10 rating, a 1-5 CES)."""
    if not scales:
        return spec
    takes = [c.name for c in spec.columns if c.kind == "score" and c.name != "nps"]
    if not isinstance(scales, Mapping):
        raise SchemaError(f"{name}: scales must map a score column to [low, high], e.g. scales: {{rating: [1, 10]}}.")
    columns = list(spec.columns)
    for key, bounds in scales.items():
        col = spec.column(str(key))
        if key == "nps":
            raise SchemaError(
                f"{name}: scales: nps is always 0-10. NPS is defined only for the 0-10 'how likely are you to "
                "recommend' question; a 1-10 overall rating is not NPS: keep it as an extra column (or map it to "
                "rating in a reviews source) and leave nps unmapped."
            )
        if col is None or col.kind != "score":
            raise SchemaError(
                f"{name}: scales names {key!r}, which is not a score of the {spec.name} table; the scores that "
                f"take a scale are {', '.join(takes) or 'none'}.{_closest(str(key), takes)}"
            )
        ok = (
            isinstance(bounds, (list, tuple))
            and len(bounds) == 2
            and all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
            and bounds[0] < bounds[1]
        )
        if not ok:
            raise SchemaError(
                f"{name}: scales: {key}: give [low, high] with low < high, e.g. {key}: [1, 10]; got {bounds!r}."
            )
        columns[columns.index(col)] = replace(col, low=bounds[0], high=bounds[1])
    return replace(spec, columns=tuple(columns))


def _fieldwork_dates(fieldwork: Any, table: str, mapping: dict[str, str], index: pd.Index, name: str) -> pd.Series:
    """Every row dated to the first day of the ``fieldwork`` month (``YYYY-MM``)."""
    from ..periods import parse_month

    time = _TIME.get(table)
    if time is None:
        raise SchemaError(f"{name}: fieldwork applies to feedback, reviews and journey sources, not {table}.")
    if time in mapping:
        raise SchemaError(
            f"{name}: fieldwork is for exports without dates, but {time} is read from column {mapping[time]!r}. "
            "Remove fieldwork from the catalog entry (or the date column from columns:)."
        )
    try:
        month = parse_month(str(fieldwork))
    except ValueError:
        raise SchemaError(
            f"{name}: fieldwork must be a month written YYYY-MM (e.g. fieldwork: 2026-10); got {fieldwork!r}."
        ) from None
    return pd.Series(pd.Timestamp(month.start_time), index=index, dtype="datetime64[ns]")


def _na_code_map(
    na_codes: Mapping[str, Any] | None,
    spec: TableSpec,
    mapping: dict[str, str],
    driver_map: dict[str, str],
    src: pd.DataFrame,
    name: str,
) -> dict[str, _NaCodes]:
    """``na_codes`` keyed by canonical, driver or extra source column, each split into numeric
    codes (0, 99: compared as numbers, so "0,0" is 0) and text codes ("Ved ikke": compared
    ignoring case). A key may also be the source column of a mapped canonical column."""
    if not na_codes:
        return {}
    if not isinstance(na_codes, Mapping):
        raise SchemaError(
            f"{name}: na_codes must map a column to its not-applicable code(s), e.g. "
            f"{{'support': ['Ved ikke', 0]}}; got {type(na_codes).__name__}."
        )
    by_source = {v: k for k, v in {**mapping, **driver_map}.items()}
    out: dict[str, _NaCodes] = {}
    for key, codes in na_codes.items():
        column = key if (key in mapping or key in driver_map) else by_source.get(key, key)
        if column not in mapping and column not in driver_map and column not in src.columns:
            known = list(mapping) + list(driver_map) + [str(c) for c in src.columns]
            raise SchemaError(
                f"{name}: na_codes names column {key!r}, which is neither a column of the {spec.name} "
                f"table read from this source, a driver, nor a source column.{_closest(str(key), known)} "
                f"Source columns: {', '.join(map(str, src.columns[:40]))}."
            )
        listed = codes if isinstance(codes, (list, tuple, set)) else [codes]
        numbers, texts = [], set()
        for code in listed:
            # NaN is no code (a missing cell is read as missing already); it would reach the
            # text branch below and fail there with a bare TypeError.
            if (
                isinstance(code, bool)
                or not isinstance(code, (str, int, float))
                or (isinstance(code, float) and np.isnan(code))
            ):
                raise SchemaError(
                    f"{name}: na_codes for column {key!r} must be numbers or texts "
                    f"(e.g. ['Ved ikke', 0]), not {code!r}."
                )
            number = (
                _parse_numbers(pd.Series([str(code).strip()]), ".").iloc[0] if isinstance(code, str) else float(code)
            )
            if pd.isna(number):
                # Only a text parses as no number: ints and non-NaN floats are numbers.
                texts.add(unicodedata.normalize("NFC", cast(str, code)).strip().casefold())
            else:
                numbers.append(float(number))
        old_numbers, old_texts = out.get(column, ([], set()))
        out[column] = (old_numbers + numbers, old_texts | texts)
    return out


def _blank_na_codes(series: pd.Series, codes: _NaCodes, notes: list[str]) -> pd.Series:
    """An extra column with its not-applicable codes blanked, before its type is inferred."""
    text = _as_text(series)
    hit: pd.Series[bool] | npt.NDArray[np.bool_] = text.str.casefold().isin(codes[1]) | (
        pd.to_numeric(text, errors="coerce").isin(codes[0]) if codes[0] else False
    )
    hit = np.asarray(hit, dtype=bool)
    if hit.any():
        notes.append(f"{series.name}: {int(hit.sum()):,} not-applicable code(s) read as missing")
    return series.where(~hit, None)


def _label(canonical: str, source_col: str) -> str:
    return canonical if canonical == source_col else f"{canonical} (column {source_col!r})"


def _check_units(units: Mapping[str, str] | None, name: str) -> None:
    for col, unit in (units or {}).items():
        if col not in _UNITS or unit not in _UNITS[col]:
            known = "; ".join(f"{c}: {', '.join(u)}" for c, u in _UNITS.items())
            raise SchemaError(f"{name}: units {{{col!r}: {unit!r}}} is not supported. Known units: {known}.")


def _map_columns(
    spec: TableSpec, src: pd.DataFrame, columns: Mapping[str, str], name: str, notes: list[str]
) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for canonical, source_col in columns.items():
        if spec.column(canonical) is None:
            raise SchemaError(
                f"{name}: columns maps {canonical!r}, which is not a column of the {spec.name} table "
                f"({', '.join(spec.names)}).{_closest(canonical, spec.names)} Extra source columns are "
                "kept as they are; list driver ratings with drivers=[...]."
            )
        if source_col not in src.columns:
            raise SchemaError(
                f"{name}: columns maps {canonical!r} to {source_col!r}, but the source has no such column."
                f"{_closest(source_col, src.columns)} Source columns: {', '.join(map(str, src.columns[:40]))}."
            )
        mapping[canonical] = source_col
    taken = set(mapping.values())
    folded: dict[str, list[str]] = {}
    for source_col in src.columns:
        folded.setdefault(_fold_name(source_col), []).append(source_col)
    for col in spec.columns:
        if col.name in mapping:
            continue
        if col.name in src.columns and col.name not in taken:
            mapping[col.name] = col.name
            continue
        candidates = [c for c in folded.get(_fold_name(col.name), []) if c not in taken]
        if len(candidates) == 1:
            mapping[col.name] = candidates[0]
            notes.append(f"column {candidates[0]!r} read as {col.name}")
    return mapping


def _driver_map(
    drivers: list[str] | Mapping[str, str] | None, src: pd.DataFrame, name: str, table: str
) -> dict[str, str]:
    if not drivers:
        return {}
    if table != "feedback":
        raise SchemaError(f"{name}: drivers apply to feedback, not to {table}.")
    pairs = drivers.items() if isinstance(drivers, Mapping) else ((d, d) for d in drivers)
    out: dict[str, str] = {}
    for driver, source_col in pairs:
        if source_col not in src.columns:
            raise SchemaError(
                f"{name}: driver column {source_col!r} is not in the source.{_closest(source_col, src.columns)} "
                f"Source columns: {', '.join(map(str, src.columns[:40]))}."
            )
        if driver in TABLES[table].names:
            raise SchemaError(f"{name}: driver {driver!r} clashes with a canonical column; rename it.")
        out[str(driver)] = source_col
    return out


def _recode(
    src: pd.DataFrame,
    values: Mapping[str, Mapping[Any, Any]],
    mapping: dict[str, str],
    driver_map: dict[str, str],
    name: str,
) -> pd.DataFrame:
    src = src.copy()
    for key, recode in values.items():
        col = mapping.get(key) or driver_map.get(key) or (key if key in src.columns else None)
        if col is None:
            raise SchemaError(
                f"{name}: values names column {key!r}, which is neither a mapped canonical "
                f"column nor a source column.{_closest(key, list(mapping) + list(src.columns))}"
            )
        lookup: dict[Any, Any] = {}
        for k, v in recode.items():
            lookup[k] = v
            lookup[str(k).strip()] = v
            lookup[str(k).strip().casefold()] = v

        def one(v: object, lookup: dict[Any, Any] = lookup) -> object:
            if v is None or (not isinstance(v, str) and pd.isna(v)):  # type: ignore[call-overload]
                return v
            for probe in (
                v,
                str(v).strip(),
                str(v).strip().casefold(),
                str(int(v)) if isinstance(v, float) and v.is_integer() else None,
            ):
                if probe is not None and probe in lookup:
                    return lookup[probe]
            return v

        src[col] = src[col].map(one).astype(object)
    return src


def _stage_from(
    src: pd.DataFrame, rules: Sequence[Sequence[str] | Mapping[str, str]], default: str, name: str
) -> pd.Series:
    stage = pd.Series(normalize_stage(default), index=src.index, dtype=object)
    rank = {s: i for i, s in enumerate(STAGES)}
    best = pd.Series(rank[stage.iloc[0]] if len(stage) else 0, index=src.index)
    for rule in rules:
        col, target = (rule["column"], rule["stage"]) if isinstance(rule, Mapping) else rule
        if col not in src.columns:
            raise SchemaError(
                f"{name}: stage_from names column {col!r}, which is not in the source.{_closest(col, src.columns)}"
            )
        target_stage = normalize_stage(target)
        if not target_stage or target_stage is pd.NA:
            raise SchemaError(
                f"{name}: stage_from maps {col!r} to {target!r}, which is not a stage ({', '.join(STAGES)})."
            )
        text = _as_text(src[col]).str.lower()
        numbers = pd.to_numeric(text, errors="coerce")
        hit = (numbers > 0) | text.isin(_TRUE - {"1", "1.0"})
        later = hit & (best < rank[cast(str, target_stage)])  # a stage name once checked above
        stage[later] = target_stage
        best[later] = rank[cast(str, target_stage)]
    return pd.Series(pd.Categorical(stage, dtype=STAGE_DTYPE), index=src.index)


def _validate(
    frame: pd.DataFrame,
    spec: TableSpec,
    driver_map: dict[str, str],
    driver_range: tuple[float, float] | None,
    problems: _Problems,
) -> None:
    """Nullability, uniqueness and ranges of the parsed columns, checked over whole columns.

    The canonical columns in order, then the drivers; within a column: missing, then duplicate,
    then out of range; rows rejected while parsing are left out. Each row keeps its first reason.
    (The order and wording are those of the pandera schema cxkit used before: ``lazy=True``,
    ``report_duplicates="exclude_first"``, NA ignored by range checks and never a duplicate.)

    Written by hand, not with pandera, for speed: pandera's lazy validation builds its failure
    cases cell by cell and took 3.5 s of a 4 s read of 200k responses (this: 0.06 s). pandera
    remains the reference: tests/test_validation_reference.py checks that both reject the same
    rows for the same reasons.
    """
    candidates = ~problems.bad
    checks: list[tuple[str, bool, bool, tuple[str, float, float | None] | None]] = []
    for col in spec.columns:
        if col.name not in frame.columns:
            continue
        bounds: tuple[str, float, float | None] | None = None
        if col.kind in ("score", "number") and (col.low is not None or col.high is not None):
            if col.low is not None and col.high is not None:
                bounds = (f"outside {col.low:g}–{col.high:g}", col.low, col.high)
            else:
                bounds = (f"below {col.low:g}", cast(float, col.low), None)
        checks.append((col.name, col.nonnull, col.unique, bounds))
    if driver_range:
        for driver in driver_map:
            checks.append((driver, False, False, (f"outside {driver_range[0]:g}–{driver_range[1]:g}", *driver_range)))
    for column, nonnull, unique, bounds in checks:
        series = frame[column]
        present = series.notna().to_numpy()
        if nonnull:
            problems.add(candidates & ~present, f"{column}: missing (required)", key=f"{column}: missing (required)")
        if unique:
            # The first occurrence among the candidates is kept.
            duplicate = _duplicates(series, candidates & present)
            if duplicate.any():
                reasons = [f"{column}: duplicate '{v}' (the first occurrence is kept)" for v in series[duplicate]]
                problems.add_each(duplicate, reasons, key=f"{column}: duplicate id")
        if bounds is not None:
            check, low, high = bounds
            values = series.to_numpy(dtype="float64", na_value=np.nan)
            with np.errstate(invalid="ignore"):
                inside = values >= low if high is None else (values >= low) & (values <= high)
            outside = candidates & present & ~inside
            if outside.any():
                shown = series[outside].tolist()
                is_float = not pd.api.types.is_integer_dtype(series)
                reasons = [f"{column}: {f'{v:g}' if is_float else v} {check}" for v in shown]
                problems.add_each(outside, reasons, key=f"{column}: {check}")


def _duplicates(series: pd.Series, rows: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Rows among ``rows`` whose value an earlier one of ``rows`` holds. With Arrow strings: ids
    in order, or in a few runs of ascending order, are compared with their neighbours
    (:func:`_duplicates_in_runs`); others by pyarrow's dictionary codes (:func:`_duplicate_hashes`)."""
    values = _columns.arrow_strings(series)
    if values is None:
        duplicate = np.zeros(len(series), dtype=bool)
        duplicate[rows] = series[rows].duplicated(keep="first").to_numpy()
        return duplicate
    if values.null_count == 0 and len(values) > 1:
        before, after = values.slice(0, len(values) - 1), values.slice(1)
        starts = np.flatnonzero(_columns.to_mask(pc.less(after, before))) + 1
        if len(starts) < _SORTED_RUNS:
            return _duplicates_in_runs(values, rows, starts, _columns.to_mask(pc.equal(after, before)))
    return _duplicate_hashes(values, rows)


#: Ids in at most this many runs of ascending order are checked by :func:`_duplicates_in_runs`.
_SORTED_RUNS = 16


def _duplicates_in_runs(
    values: Any, rows: npt.NDArray[np.bool_], starts: npt.NDArray[np.intp], same_as_before: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """:func:`_duplicates` of ids (no nulls) in runs of ascending order starting at ``starts``
    (exports often are in order, and exports appended one after another are a few such runs);
    ``same_as_before``: whether each row after the first equals the row before it.

    Within a run equal ids are neighbours, so no hashing is needed. An id held in two runs lies
    within both runs' ranges (first to last id), so only the rows of each run inside another
    run's range (found by bisection) are compared across runs, by their dictionary codes. This
    keeps 10M review ids joined from ten sorted parts linear in the rows: 0.27 s of processor
    time, where the whole column's dictionary took 3.05 s (1M ids in order: 0.024 s)."""
    n = len(values)
    duplicate = np.zeros(n, dtype=bool)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = ~same_as_before
    kept = np.flatnonzero(rows)
    group = np.cumsum(new_group)[kept]
    duplicate[kept[1:][group[1:] == group[:-1]]] = True
    if not len(starts):
        return duplicate
    bounds = [0, *starts.tolist(), n]
    runs = list(itertools.pairwise(bounds))
    ranges = [(values[a].as_py(), values[b - 1].as_py()) for a, b in runs]
    suspects = np.zeros(n, dtype=bool)
    for r, (a, b) in enumerate(runs):
        for s, (low, high) in enumerate(ranges):
            if s != r:
                suspects[_first_at_least(values, low, a, b) : _first_at_least(values, high, a, b, above=True)] = True
    # an id's first row in each run: a later one in the same run is a duplicate already
    first = np.flatnonzero(suspects & rows & ~duplicate)
    if len(first):
        duplicate[first] = _duplicate_hashes(values.take(pa.array(first)), np.ones(len(first), dtype=bool))
    return duplicate


def _first_at_least(values: Any, bound: str, low: int, high: int, *, above: bool = False) -> int:
    """The first row in ``low..high`` (ascending ids) whose id is at least ``bound`` (with
    ``above``: greater than it); ``high`` if none. Python compares str by code points, pyarrow by
    UTF-8 bytes: the same order."""
    while low < high:
        mid = (low + high) // 2
        value = values[mid].as_py()
        if value < bound or (above and value == bound):
            low = mid + 1
        else:
            high = mid
    return low


def _duplicate_hashes(values: Any, rows: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """:func:`_duplicates` of any Arrow strings by pyarrow's dictionary codes (in parts for long
    columns)."""
    if len(values) <= _ONE_DICTIONARY_ROWS:
        return _duplicate_codes(values, rows)
    duplicate = np.zeros(len(values), dtype=bool)
    # pyarrow's dictionary of 20M distinct ids (its hash table, grown by doubling) took 3.6 GiB
    # at once, the peak of validating 10x the sample. Equal values share their last two
    # characters, so each group of rows by those characters is checked alone: the same answer,
    # with a dictionary an eighth of the size at a time.
    ending = _columns.codes(pc.utf8_slice_codeunits(values, start=-2, stop=2**31 - 1))
    part = np.where(ending >= 0, ending % _ID_PARTS, _ID_PARTS).astype(np.int8)  # nulls: a part of their own
    for number in range(_ID_PARTS + 1):
        where = np.flatnonzero(part == number)
        if len(where):
            duplicate[where] = _duplicate_codes(values.take(pa.array(where)), rows[where])
    return duplicate


#: Id columns longer than this are checked for duplicates in :data:`_ID_PARTS` parts.
_ONE_DICTIONARY_ROWS = 2_000_000
_ID_PARTS = 8


def _duplicate_codes(values: Any, rows: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """:func:`_duplicates` by pyarrow's dictionary codes: only codes held more than once are
    followed row by row (nulls are never duplicates)."""
    duplicate = np.zeros(len(values), dtype=bool)
    numbers = _columns.codes(values)
    counts = np.bincount(numbers[rows & (numbers >= 0)])
    suspects = np.flatnonzero(rows & (numbers >= 0))
    suspects = suspects[counts[numbers[suspects]] > 1]
    if len(suspects):
        _, first = np.unique(numbers[suspects], return_index=True)
        duplicate[suspects] = True
        duplicate[suspects[first]] = False
    return duplicate


def _empty(col: ColumnSpec, n: int) -> pd.Series:
    dtypes: dict[str, str | pd.CategoricalDtype] = {
        "id": "string",
        "category": "string",
        "text": "string",
        "datetime": "datetime64[ns]",
        "score": "Int64",
        "number": "Float64",
        "bool": "boolean",
        "stage": STAGE_DTYPE,
    }
    dtype = dtypes[col.kind]
    return pd.Series(
        # pandas-stubs types pd.array by a literal dtype; this one is chosen at run time.
        pd.array([None] * n, dtype=dtype)  # type: ignore[arg-type]
        if col.kind != "datetime"
        else pd.NaT,
        index=range(n),
        dtype=dtype,
    )


def _missing_columns_message(missing: list[str], spec: TableSpec, src: pd.DataFrame, name: str) -> str:
    parts = []
    for col in missing:
        hint = _closest(col, src.columns)
        parts.append(f"{col!r}{hint and ' (' + hint.strip() + ')'}")
    id_hint = " or pass generate_ids=True to number the rows" if spec.id_column in missing else ""
    return (
        f"{name}: the {spec.name} table needs column(s) {', '.join(parts)}, which the source lacks. "
        f"Map them with columns={{'{missing[0]}': '<source column>'}}{id_hint}. "
        f"Source columns: {', '.join(map(str, src.columns[:40]))}."
    )


def _top_reasons(loaded: Loaded, k: int = 3) -> str:
    report = loaded.report
    parts = []
    for key, n in sorted(report.reasons.items(), key=lambda kv: -kv[1])[:k]:
        line, reason = report.examples.get(key, (None, ""))
        parts.append(f"{n:,} x {key}" + (f" (e.g. line {line}: {reason})" if line is not None else ""))
    return "Top reasons: " + "; ".join(parts) + "." if parts else ""


def _too_many_rejected_message(loaded: Loaded, threshold: float) -> str:
    r = loaded.report
    # A score rejected for its range is most often a different scale (a 1-10 rating, a 1-5 CES):
    # raising max_rejected would keep only the answers that fit, biasing every number (issue 23).
    top = max(r.reasons, key=lambda key: r.reasons[key]) if r.reasons else ""
    scale = top if re.match(r"^(csat|ces|rating): outside ", str(top)) else None
    if scale:
        column = scale.split(":")[0]
        advice = (
            f"Most rejections are {column} values outside its default scale: if the export uses another scale, "
            f"say so with scales: {{{column}: [low, high]}} in the catalog (e.g. {{{column}: [1, 10]}}); do not "
            "raise max_rejected, which would keep only the answers that fit the default scale and bias every result."
        )
    else:
        advice = (
            "Fix the source or the column mapping (columns=, values=, na_codes=), or raise max_rejected if these "
            "rows are expected."
        )
    return (
        f"{r.source}: {r.invalid:,} of {r.read:,} rows ({r.rejected_share:.1%}) are not valid {r.table} data, "
        f"more than the {threshold:.0%} allowed. {_top_reasons(loaded)} {advice} "
        "The rejected rows are on the error's .loaded.rejected."
    )


def _bind(table: str) -> _Reader:
    def reader(source: _Source, **options: Any) -> Loaded:
        return load(table, source, **options)

    reader.__name__ = f"load_{table}"
    reader.__qualname__ = reader.__name__
    names = TABLES[table].names
    required = [c.name for c in TABLES[table].columns if c.required]
    reader.__doc__ = f"""Read a source into the canonical **{table}** table ({TABLES[table].description}).

    ``load_{table}(source, **options)`` is ``load("{table}", source, **options)``: every option of
    :func:`cxkit.data.readers.load` applies.

    Columns, in this order: {", ".join(names)}.

    Required in the source (or mapped with ``columns=``): {" and ".join(required)}.

    Parameters
    ----------
    source : path, str, mapping or DataFrame
        A file path (csv, tsv, txt, xlsx, parquet, sav, json, jsonl, a Qualtrics or
        SurveyMonkey export), a SQLAlchemy URL with ``table=`` or ``query=``, a mapping
        ``{{"url": ..., "table"|"query": ...}}``, or a DataFrame.
    **options
        The keyword options of :func:`cxkit.data.readers.load` (``columns``, ``values``,
        ``drivers``, ``na_codes``, ``units``, ``date_format``, ``max_rejected``, ...) and of the
        file or SQL reader (``sep``, ``decimal``, ``sheet``, ``table``, ``query``, ...).

    Returns
    -------
    Loaded
        ``frame`` (the accepted rows: the columns above, then any driver ratings, then the
        source's other columns), ``rejected`` (``line``, ``reason``, ``kind``, then the record's cells
        as read) and ``report`` (:class:`LoadReport`); ``len(frame) + len(rejected) ==
        report.read``. Unpacks as ``frame, rejected, report``.

    Raises
    ------
    SourceError, SchemaError, DataQualityError
        As :func:`cxkit.data.readers.load`: an unreadable source, a missing or misnamed
        column, or more than ``max_rejected`` invalid rows.

    Examples
    --------
    >>> import cxkit as cx
    >>> loaded = cx.load_{table}(cx.SAMPLE_DIR / "{table}.csv")
    >>> loaded.report.table, loaded.report.read == len(loaded.frame) + len(loaded.rejected)
    ('{table}', True)
    >>> list(loaded.frame.columns[:{min(3, len(names))}])
    {names[:3]!r}
    """
    return reader


load_feedback = _bind("feedback")
load_reviews = _bind("reviews")
load_customers = _bind("customers")
load_journey = _bind("journey")
