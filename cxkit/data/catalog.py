"""The data catalog: one YAML file that configures the readers for every source.

A catalog names each source once, with where it is and how to read it; notebooks and the
``cxkit`` command load sources by name, so a monthly run never hard-codes a path.

.. code-block:: yaml

    version: 1
    defaults:            # options every source gets unless it sets its own
      max_rejected: 0.05
    sources:
      feedback:          # a name of your choosing
        table: feedback  # canonical table: feedback, reviews, customers or journey
        path: sample/feedback.csv        # relative to this file's folder
        drivers: [support, price]
        columns: {nps: Q1_NPS}           # canonical name -> source column
        values: {churned: {"Yes": true, "No": false}}
      warehouse_customers:
        table: customers
        sql: {url: "postgresql+psycopg://cx:${CX_PG_PASSWORD}@db:5432/cx", table: customers}
    settings: {}         # free-form settings for the analyses (themes, thresholds, ...);
                         # language: da gives the pack in Danish (en, da, nb, sv; cxkit.i18n)
    brand:               # optional: the company's look on every page (cxkit.branding)
      company: Nordlys A/S
      logo: logo.png     # a local image, embedded in every page
      accent: "#0B5394"
    themes:              # optional: the themes of reviews and comments (cxkit.data.theme_templates)
      template: retail   # an industry template; without one the generic list is used

``${NAME}`` anywhere in a string is replaced by the environment variable ``NAME``, so
secrets stay out of the file.

Examples
--------
>>> import cxkit as cx
>>> catalog = cx.load_catalog(cx.DEFAULT_CATALOG)
>>> sorted(catalog)[:2]
['customers', 'feedback']
>>> catalog["customers"].report.table
'customers'
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml

from ..branding import Brand, check_brand
from ..errors import CatalogError, CxkitError
from ..periods import parse_month
from ..safe_files import write_csv
from .readers import Loaded, load
from .schema import STAGE_DTYPE, TABLES
from .theme_templates import check_themes_section

if TYPE_CHECKING:
    import dask.dataframe as dd
    from pandas.api.typing import NaTType

    from .readers import LoadReport

__all__ = ["Catalog", "load_catalog", "rejection_reasons"]

_LOAD_OPTIONS = {
    "columns",
    "values",
    "drivers",
    "na_codes",
    "units",
    "date_format",
    "dayfirst",
    "generate_ids",
    "stage_from",
    "stage_default",
    "driver_range",
    "categorical",
    "unescape_html",
    "max_rejected",
    "format",
    "scales",
    "fieldwork",
}
_READER_OPTIONS = {
    "sep",
    "decimal",
    "encoding",
    "quoting",
    "header",
    "names",
    "skip_rows",
    "sheet",
    "header_row",
    "unfinished",
    "value_labels",
    "read_columns",
    "max_columns",
    "max_unpacked_mb",
}
_ENTRY_KEYS = {"table", "path", "sql", "snapshot", "description"} | _LOAD_OPTIONS | _READER_OPTIONS
_TOP_KEYS = {"version", "defaults", "sources", "settings", "data_dirs", "themes", "targets", "brand"}
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

# --------------------------------------------------------------------------- weights: (issue 29)
# The optional ``weights:`` section says how survey responses are weighted to the known customer
# mix (opt-in: without it every figure is unweighted):
#
#     weights:
#       rake:                       # known margins, as shares summing to 1 or population counts
#         segment: {SMB: 0.55, Enterprise: 0.15, Consumer: 0.30}
#         region: {EU: 0.5, US: 0.3, APAC: 0.2}
#       trim: [0.3, 3]              # optional: weights kept within 0.3-3 times the mean
#       max_iter: 100               # optional: raking passes; tol: largest share error (1e-6)
#
# or ``cells: {columns: [segment, region], targets: {SMB: {EU: 0.3, ...}, ...}}`` (known joint
# cells) or ``column: weight`` (a weight column already in the export). The pack weights each
# month's responses separately (cxkit.analysis.weighting.survey_weights); the form is checked
# here, when the file is read, and the data when the pack runs.
_TOP_KEYS = _TOP_KEYS | {"weights"}
_WEIGHT_KINDS = ("rake", "cells", "column")
_WEIGHT_KEYS = {*_WEIGHT_KINDS, "trim", "max_iter", "tol"}


def _weights_section(value: object, path: Path) -> dict[str, Any] | None:
    """The catalog's ``weights:`` section, its form checked (the data are checked when used)."""
    if value is None:
        return None
    form = (
        "weights: needs exactly one of rake: {segment: {SMB: 0.55, Enterprise: 0.15, Consumer: 0.30}, ...}, "
        "cells: {columns: [...], targets: {...}} or column: <weight column>"
    )
    if not isinstance(value, Mapping):
        raise CatalogError(f"{path}: {form}; got {value!r}.")
    unknown = set(value) - _WEIGHT_KEYS
    if unknown:
        raise CatalogError(f"{path}: weights: unknown key(s) {sorted(unknown)}; allowed: {sorted(_WEIGHT_KEYS)}.")
    kinds = [k for k in _WEIGHT_KINDS if k in value]
    if len(kinds) != 1:
        raise CatalogError(f"{path}: {form}.")
    if "rake" in value:
        margins = value["rake"]
        if not isinstance(margins, Mapping) or not margins:
            raise CatalogError(f"{path}: weights: rake: must map each margin column to its targets. {form}.")
        for margin, targets in margins.items():
            if not isinstance(targets, Mapping) or not targets:
                raise CatalogError(
                    f"{path}: weights: rake: {margin}: must map each level to its target share or count, e.g. "
                    f"{margin}: {{A: 0.6, B: 0.4}}; got {targets!r}."
                )
    trim = value.get("trim")
    if trim is not None and (not isinstance(trim, list) or len(trim) != 2):
        raise CatalogError(f"{path}: weights: trim: must be [low, high], e.g. trim: [0.3, 3]; got {trim!r}.")
    return dict(value)


# --------------------------------------------------------------------------- end of weights:

# --------------------------------------------------------------------------- targets (issue 27)
#: The KPIs a catalog's ``targets:`` section may set, and whether a higher value is better. A
#: KPI misses its target when it is below it (higher is better) or above it (lower is better).
TARGET_KPIS: dict[str, bool] = {
    "nps": True,  # points, -100 to 100
    "csat_mean": True,  # mean CSAT on its 1-5 scale
    "ces_mean": False,  # mean CES on its 1-7 scale; lower is easier
    "sentiment_mean": True,  # mean review sentiment, -1 to 1
    "churn_rate": False,  # the month's churn rate, a share 0-1
}


def check_targets(targets: object, path: str | Path) -> dict[str, float]:
    """The catalog's ``targets:`` section checked: ``{kpi: number}`` with ``kpi`` one of
    :data:`TARGET_KPIS`. The pack shows each target on its KPI tile and tests whether the month
    misses it (one-sided); the runner keeps the section in ``settings["targets"]`` so the
    notebooks' snapshot catalog carries it.

    >>> check_targets({"nps": 25, "csat_mean": 4.0}, "cxkit.yaml")
    {'nps': 25.0, 'csat_mean': 4.0}
    """
    if targets is None:
        return {}
    if not isinstance(targets, Mapping):
        raise CatalogError(
            f"{path}: targets: must be a mapping of KPI to number, e.g. targets: {{nps: 25, csat_mean: 4.0}}; "
            f"got {type(targets).__name__}."
        )
    checked: dict[str, float] = {}
    for kpi, value in targets.items():
        if kpi not in TARGET_KPIS:
            raise CatalogError(
                f"{path}: targets: unknown KPI {kpi!r}; use one of {', '.join(TARGET_KPIS)} (e.g. nps: 25)."
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise CatalogError(f"{path}: targets: {kpi} must be a number, e.g. {kpi}: 25; got {value!r}.")
        checked[str(kpi)] = float(value)
    return checked


def _expand_env(
    value: Any, where: str, *, strict: bool, skip: str | None = None, found: list[str] | None = None
) -> Any:
    """``value`` with ``${NAME}`` replaced by environment variables; the values used are
    appended to ``found``."""
    if isinstance(value, str) and value == skip:
        return value
    if isinstance(value, str):

        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in os.environ:
                if found is not None:
                    found.append(os.environ[name])
                return os.environ[name]
            if strict:
                raise CatalogError(
                    f"{where}: environment variable {name} is not set. Export it "
                    f"(export {name}=...) before running, or remove ${{{name}}} from the catalog."
                )
            return m.group(0)

        return _ENV.sub(sub, value)
    if isinstance(value, Mapping):
        return {k: _expand_env(v, where, strict=strict, skip=skip, found=found) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, where, strict=strict, skip=skip, found=found) for v in value]
    return value


# Keys whose ${NAME} values are shown in messages: a path is where the data is, which the
# user must see to fix a missing file. Every other value taken from the environment (a token in
# sql params, a query, a URL's query string) is a secret and never shown.
_SHOWN_ENV_KEYS = {"path", "snapshot"}


def _scrub_text(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _secret_forms(values: Iterable[str]) -> list[str]:
    """Each secret as written, percent-encoded and inside a Python repr; longest first. Values
    of one or two characters are left (replacing them would garble every message and they
    protect nothing), like the SQL password (:mod:`cxkit.data.sql`)."""
    from urllib.parse import quote

    forms = {form for v in values if len(v) >= 3 for form in (v, quote(v, safe=""), repr(v)[1:-1])}
    return sorted(forms, key=len, reverse=True)


def _scrub_exception(exc: BaseException, secrets: Sequence[str]) -> None:
    """Remove ``secrets`` from ``exc``'s message, in place, and drop any chained exception that
    still shows one (a notebook prints the chain)."""
    exc.args = tuple(_scrub_text(a, secrets) if isinstance(a, str) else a for a in exc.args)
    for chained in (exc.__cause__, exc.__context__):
        if chained is not None and any(s in "".join(map(str, chained.args)) for s in secrets):
            exc.__cause__ = None
            exc.__suppress_context__ = True
            exc.__context__ = None
            break


@contextlib.contextmanager
def _without_secrets(secrets: Sequence[str]) -> Iterator[None]:
    """Errors and warnings raised inside show ``***`` instead of any of ``secrets``."""
    if not secrets:
        yield
        return
    import warnings

    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            yield
    except Exception as exc:
        _scrub_exception(exc, secrets)
        raise
    finally:  # the warnings given before an error, too
        for w in caught:
            text = str(w.message)
            message: Warning | str = w.message
            if any(s in text for s in secrets):
                message = w.category(_scrub_text(text, secrets))
            warnings.warn_explicit(message, w.category, w.filename, w.lineno)


def _check_link(path: Path, where: str) -> Path:
    """``path``, unless it is a symbolic link to a file outside its own folder.

    The catalog names each source explicitly, so a path may lead anywhere (``../`` and
    absolute paths, links to folders such as a mounted share); but the file itself, when it
    is a link, must stay in the folder the catalog names: a link planted among the exports
    (``feedback.csv -> ~/.ssh/id_rsa``) would otherwise publish another file's lines as
    rejected rows.
    """
    folder = path.parent.resolve()
    real = path.resolve()
    if real.parent != folder and not real.is_relative_to(folder):
        raise CatalogError(
            f"{where}: {path} is a symbolic link to {real}, outside its folder {folder}. cxkit follows a "
            f"link only within the folder the catalog names. Name the file in the catalog itself "
            f"(path: {real}), or put the file in place of the link."
        )
    return path


_ROW_GROUP = 100_000
#: Tables with at least this many rows are reduced partition by partition (Catalog.scan).
BIG_TABLE_ROWS = 500_000
_UNDATED = np.iinfo(np.int64).max  # month code of rows without a time (MonthlyReader)
_EVENT_TIME = {"feedback": "responded_at", "reviews": "published_at", "journey": "occurred_at"}
# A month's rows: (start, or None for every row before; end, exclusive).
_Bounds = tuple[pd.Timestamp | None, pd.Timestamp]


class MonthlyReader:
    """One table, read a month at a time.

    Built from a DataFrame (``MonthlyReader(frame, time="published_at")``) or by
    :meth:`Catalog.monthly` from a Parquet snapshot, whose months are then read with pyarrow
    filters so that only one month's rows (and their text) are in memory at once.

    :meth:`index` lists every row with months in calendar order, then rows without a time;
    :meth:`read` gives a run of months in the table's own order (rows without a time last).
    Rows keep their index labels from the frame (row numbers for a snapshot), and a frame and
    its snapshot give the same rows in the same order.

    Examples
    --------
    >>> frame = pd.DataFrame({"published_at": pd.to_datetime(["2026-02-03", "2026-01-09", None]),
    ...                       "text": ["b", "a", "c"]})
    >>> reader = MonthlyReader(frame, time="published_at")
    >>> [str(m) for m in reader.months()], reader.month(reader.months()[0])["text"].tolist()
    (['2026-01', '2026-02', 'NaT'], ['a'])
    >>> reader.index(["text"])["text"].tolist()
    ['a', 'b', 'c']
    >>> [[str(m) for m in run] for run in reader.batches(max_rows=1)]
    [['2026-01'], ['2026-02'], ['NaT']]
    >>> reader.read(reader.batches()[0])["text"].tolist()  # within a run, the table's order
    ['b', 'a']
    """

    def __init__(
        self,
        frame: pd.DataFrame | None = None,
        *,
        time: str,
        path: Path | None = None,
        attrs: dict[Hashable | None, Any] | None = None,
    ) -> None:
        if (frame is None) == (path is None):
            raise ValueError("MonthlyReader needs a frame or a Parquet path")
        self.frame, self.path, self.time = frame, path, time
        self.attrs = dict(frame.attrs if frame is not None else attrs or {})
        if frame is not None:
            self.columns: list[str] = [str(c) for c in frame.columns]
        else:
            import pyarrow.parquet as pq

            self.columns = pq.read_schema(path).names
        if time not in self.columns:
            raise KeyError(f"MonthlyReader: no time column {time!r}; columns are {self.columns}")
        self._months: list[pd.Period | NaTType] | None = None

    def months(self) -> list[pd.Period | NaTType]:
        """The months present (``pandas.Period``), in order; ``NaT`` last for rows without a time."""
        if self._months is None:
            present = np.unique(self._codes())
            self._months = [pd.NaT if c == _UNDATED else pd.Period(ordinal=int(c), freq="M") for c in present]
        return list(self._months)

    def month(self, month: pd.Period | NaTType, columns: list[str] | None = None) -> pd.DataFrame:
        """The rows of one month (``NaT``: the rows without a time), all or some columns."""
        return self.read([month], columns)

    def read(self, months: Sequence[pd.Period | NaTType], columns: list[str] | None = None) -> pd.DataFrame:
        """The rows of some consecutive months (in the reader's order), all or some columns."""
        wanted = _check_columns(columns, self.columns, "MonthlyReader", self.time) if columns else None
        # pd.isna takes a Period (the stubs' scalars leave it out); its TypeIs narrows m to Period.
        dated = [m for m in months if not pd.isna(m)]  # type: ignore[arg-type]
        undated = len(dated) < len(months)
        if dated and [m.ordinal for m in dated] != list(range(dated[0].ordinal, dated[-1].ordinal + 1)):
            raise ValueError("MonthlyReader.read: give consecutive months, e.g. from batches()")
        start = dated[0].start_time if dated else None
        end = (dated[-1] + 1).start_time if dated else None
        if self.frame is not None:
            times = self.frame[self.time]
            masks = ([((times >= start) & (times < end)).to_numpy()] if dated else []) + (
                [times.isna().to_numpy()] if undated else []
            )
            rows = pd.concat([self.frame.loc[m] for m in masks]) if len(masks) > 1 else self.frame.loc[masks[0]]
            return (rows[wanted] if wanted else rows).copy()
        import pyarrow.dataset as ds

        field = ds.field(self.time)
        parts = []
        if dated:
            parts.append(
                (
                    (field >= start) & (field < end),
                    (self._codes() >= dated[0].ordinal) & (self._codes() <= dated[-1].ordinal),
                )
            )
        if undated:
            parts.append((field.is_null(), self._codes() == _UNDATED))
        frames = []
        for expression, selected in parts:
            rows = pd.read_parquet(cast(Path, self.path), columns=(wanted or self.columns), filters=expression)
            # Row numbers of the snapshot, so rows keep the same labels however they are read.
            rows.index = pd.Index(np.flatnonzero(selected))
            frames.append(rows)
        return pd.concat(frames) if len(frames) > 1 else frames[0]

    def _codes(self) -> npt.NDArray[np.int64]:
        """Month ordinal of every row, in the table's order (rows without a time: int64 max)."""
        if getattr(self, "_month_codes", None) is None:
            from ..periods import month_of

            times = (
                self.frame[self.time]
                if self.frame is not None
                else pd.read_parquet(cast(Path, self.path), columns=[self.time])[self.time]
            )
            months = month_of(times)
            codes: npt.NDArray[np.int64] = months.array.asi8.copy()
            codes[months.isna().to_numpy()] = _UNDATED
            self._month_codes = codes
        return self._month_codes

    def batches(self, max_rows: int = 100_000) -> list[list[pd.Period | NaTType]]:
        """The months in runs of consecutive months of at most ``max_rows`` rows together (a
        month with more rows is a run of its own; rows without a time come last, alone), so
        a loop over them holds at most ``max(max_rows, one month)`` rows at once."""
        _codes, counts = np.unique(self._codes(), return_counts=True)
        runs: list[list[pd.Period | NaTType]] = []
        current: list[pd.Period | NaTType] = []
        total = 0
        for m, n in zip(self.months(), counts.tolist()):
            # NaT comes last, so before a dated month current holds Periods only.
            contiguous = not current or (
                not pd.isna(m)  # type: ignore[arg-type]
                and cast(pd.Period, current[-1]).ordinal + 1 == m.ordinal
            )
            if current and (total + n > max_rows or not contiguous):
                runs.append(current)
                current, total = [], 0
            current.append(m)
            total += n
        if current:
            runs.append(current)
        return runs

    def index(self, columns: list[str]) -> pd.DataFrame:
        """Some (small) columns of every row, in the reader's order: months, then no time."""
        wanted = _check_columns(columns, self.columns, "MonthlyReader", self.time)
        rows = self.frame[wanted] if self.frame is not None else pd.read_parquet(cast(Path, self.path), columns=wanted)
        return rows.iloc[np.argsort(self._codes(), kind="stable")].copy()


def _workers_are_local() -> bool:
    """True when every worker of the connected Dask cluster runs on this machine."""
    import socket

    from ..distributed import current_cluster

    client = current_cluster()
    if client is None:
        return True
    hosts = {"127.0.0.1", "localhost", "::1", socket.gethostname()}
    with contextlib.suppress(OSError):
        hosts.update(socket.gethostbyname_ex(socket.gethostname())[2])
    workers = client.scheduler_info().get("workers", {})
    return bool(workers) and all(w.split("://")[-1].rsplit(":", 1)[0].strip("[]") in hosts for w in workers)


def _check_columns(columns: Iterable[str], available: Collection[object], path: str | Path, name: str) -> list[str]:
    columns = list(columns)
    missing = [c for c in columns if c not in available]
    if missing:
        raise KeyError(f"{path}: source {name!r} has no column(s) {missing}; it has {', '.join(map(str, available))}.")
    return columns


class Catalog(Mapping[str, Loaded]):
    """Sources configured by a catalog file; ``catalog[name]`` loads (once) and returns
    :class:`~cxkit.data.readers.Loaded`.

    Attributes
    ----------
    path : Path
        The catalog file.
    entries : dict
        Each source's options as written (environment variables not yet expanded).
    settings : dict
        The free-form ``settings`` section.
    brand : Brand
        The checked ``brand`` section (company name, embedded logo, accent colour; see
        :mod:`cxkit.branding`); empty when the catalog has none.
    themes : dict or None
        The checked ``themes`` section (``template``, ``add``, ``drop``; see
        :mod:`cxkit.data.theme_templates`), None when the catalog has none (the generic list).
    data_dirs : list of Path
        Folders holding the catalog's files (the catalog's folder, the folders of its file
        sources, and any listed under ``data_dirs``).
    """

    def __init__(
        self,
        path: str | Path,
        entries: dict[str, dict[str, Any]],
        *,
        defaults: dict[str, Any],
        settings: dict[str, Any],
        data_dirs: Sequence[str | Path],
        themes: dict[str, Any] | None = None,
    ) -> None:
        self.path = Path(path)
        self.entries = entries
        self.defaults = defaults
        self.settings = settings
        #: the ``weights:`` section (None: responses are not weighted; see _weights_section)
        self.weights: dict[str, Any] | None = None
        #: the ``brand:`` section (issue 28): company name, embedded logo, accent colour
        self.brand = Brand()
        self.brand_section: dict[str, Any] | None = None
        self.themes = themes
        self._cache: dict[str, Loaded] = {}
        base = self.path.parent
        dirs = [base] + [(base / d).resolve() for d in data_dirs]
        for entry in entries.values():
            if "path" in entry:
                dirs.append(self.resolve(entry["path"]).parent)
        self.data_dirs = list(dict.fromkeys(p.resolve() for p in dirs))

    @property
    def language(self) -> str:
        """The report language of ``settings: {language: ...}`` (``en``, ``da``, ``nb``, ``sv``);
        ``""`` when the catalog does not say (the pack is then English, or ``CXKIT_LANGUAGE``)."""
        return str(self.settings.get("language") or "")

    def __getitem__(self, name: str) -> Loaded:
        if name not in self.entries:
            raise KeyError(f"{self.path}: no source named {name!r}; the catalog has {', '.join(self.entries)}.")
        if name not in self._cache:
            entry = self.entries[name]
            if "snapshot" in entry:
                self._cache[name] = _read_snapshot(self.resolve(entry["snapshot"]))
            else:
                self._cache[name] = self._load(name, self.options(name))
        return self._cache[name]

    def __contains__(self, name: object) -> bool:
        # Mapping's own __contains__ reads the source (self[name]): asking whether the catalog
        # has a source loaded every source again, 8.4 GiB kept by the pack runner at 10x.
        return name in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def resolve(self, path: str) -> Path:
        """A catalog path, relative to the catalog file's folder."""
        p = Path(os.path.expanduser(str(path)))
        return p if p.is_absolute() else Path(os.path.normpath(self.path.parent / p))

    def options(self, name: str) -> dict[str, Any]:
        """The keyword arguments :func:`cxkit.data.readers.load` receives for source ``name``."""
        where = f"{self.path}: source {name!r}"
        raw_entry = dict(self.entries[name])
        if "snapshot" in raw_entry:
            raise CatalogError(f"{where}: is a snapshot of validated data; it has no reader options.")
        # A SQL URL is expanded by cxkit.data.sql, which percent-encodes the password and masks it.
        sql_url = raw_entry["sql"].get("url") if "sql" in raw_entry else None
        secrets: list[str] = []
        expanded = {
            key: _expand_env(value, where, strict=True, skip=sql_url, found=None if key in _SHOWN_ENV_KEYS else secrets)
            for key, value in raw_entry.items()
        }
        entry = {**self.defaults, **expanded}
        table = entry.pop("table")
        entry.pop("description", None)
        source: str | dict[str, Any]
        if "path" in entry:
            source = str(_check_link(self.resolve(entry.pop("path")), where))
        else:
            sql = dict(entry.pop("sql"))
            url = sql.pop("url", None)
            if (
                url
                and url.startswith(("duckdb:///", "sqlite:///"))
                and not url.startswith(("duckdb:////", "sqlite:////"))
            ):
                prefix, rel = url.split(":///", 1)
                if rel and rel != ":memory:":
                    url = f"{prefix}:///{self.resolve(rel)}"
            if url and url.startswith(("duckdb:////", "sqlite:////")) and "${" not in url:
                _check_link(Path(url.split(":///", 1)[1].split("?", 1)[0]), where)
            source = {"url": url, **sql}
            if secrets:
                source["secrets"] = secrets
        return {"table": table, "source": source, **entry}

    def _secrets(self, name: str) -> list[str]:
        """The forms of the values source ``name`` takes from the environment that must not be
        shown (see :data:`_SHOWN_ENV_KEYS`); empty for a snapshot."""
        entry = self.entries[name]
        if "snapshot" in entry:
            return []
        found: list[str] = []
        sql_url = entry["sql"].get("url") if "sql" in entry else None
        for key, value in entry.items():
            if key not in _SHOWN_ENV_KEYS:
                _expand_env(value, "", strict=False, skip=sql_url, found=found)
        return _secret_forms(found)

    def _load(self, name: str, options: dict[str, Any]) -> Loaded:
        """:func:`~cxkit.data.readers.load` with the source's secrets kept out of its errors
        and warnings."""
        with _without_secrets(self._secrets(name)):
            return load(**options)

    def snapshot(self, folder: str | Path) -> Path:
        """Load every source once and write it, already validated, to ``folder``: one Parquet
        file per table and per set of rejected rows, the load report as JSON, and a catalog
        (``folder/cxkit.yaml``) that reads them back as :class:`~cxkit.data.readers.Loaded` unchanged.

        The pack runner gives its notebooks this catalog, so every notebook sees exactly the
        same rows and no notebook parses the raw exports again. Sources are written one at a
        time and released, so only one is in memory at once. Raises the loading error of the
        first unusable source.
        """
        folder = Path(folder)
        for name in self.entries:
            self.snapshot_source(name, folder)
            release_memory()
        return self.write_snapshot_catalog(folder)

    def snapshot_source(self, name: str, folder: str | Path, *, release: bool = True) -> Loaded:
        """Write one source's validated rows to ``folder`` (see :meth:`snapshot`).

        Parquet row groups of 100,000 rows let readers skip the months they do not need. With
        ``release`` the loaded table is dropped from this catalog's cache afterwards.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        loaded = self[name]
        stem = folder / name
        loaded.frame.to_parquet(stem.with_suffix(".parquet"), index=False, row_group_size=_ROW_GROUP)
        rejected = loaded.rejected.copy()
        for col in rejected.columns:
            if rejected[col].dtype == object or str(rejected[col].dtype) == "category":
                rejected[col] = rejected[col].astype("string")
        rejected.columns = [str(c) for c in rejected.columns]
        rejected.to_parquet(stem.with_name(f"{name}.rejected.parquet"), index=False)
        stem.with_name(f"{name}.report.json").write_text(
            json.dumps({**loaded.report.to_dict(), "attrs": loaded.frame.attrs}, default=str)
        )
        if release:
            self._cache.pop(name, None)
        return loaded

    def write_snapshot_catalog(self, folder: str | Path) -> Path:
        """The catalog file (``folder/cxkit.yaml``) of a snapshot written source by source."""
        import yaml

        folder = Path(folder)
        entries = {
            name: {
                "table": self.table_of(name),
                "snapshot": name,
                "description": f"snapshot of {name!r} from {self.path}",
            }
            for name in self.entries
        }
        doc = {
            "version": 1,
            "sources": entries,
            "settings": self.settings,
            "data_dirs": [str(d) for d in self.data_dirs],
            **({"weights": self.weights} if self.weights else {}),
            **({"themes": self.themes} if self.themes is not None else {}),
            **({"brand": self.brand_section} if self.brand_section else {}),
        }
        path = folder / "cxkit.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        return path

    def read(
        self, name: str, *, columns: list[str] | None = None, month: str | None = None, through: bool = False
    ) -> pd.DataFrame:
        """One source's validated rows, reading only the columns and months asked for.

        Parameters
        ----------
        name : str
            The source.
        columns : list of str, optional
            Columns to return (default all). Unknown names raise a ``KeyError`` listing the
            table's columns.
        month : str, optional
            ``YYYY-MM``: only rows whose event time (``responded_at``, ``published_at`` or
            ``occurred_at``) falls in that month; with ``through=True`` every row up to the
            end of that month. Rows without an event time are left out. Tables without an
            event time (``customers``) cannot be filtered by month.
        through : bool, default False
            See ``month``.

        Returns
        -------
        pandas.DataFrame
            With ``attrs`` as :attr:`Loaded.frame` (``table``, ``source``, ``drivers``) plus
            ``month`` and ``pushdown``: True when the reader or the database skipped the other
            rows. The pack's Parquet snapshots skip columns and row groups (pyarrow filters);
            a Parquet file or a SQL table whose event time is a real timestamp or date reads
            only the month's rows (pyarrow filters, or ``WHERE`` in the database), which are
            then validated (its load report counts those rows); other sources (CSV, Excel,
            queries, text timestamps) are loaded whole once, cached and filtered in memory.

        Examples
        --------
        >>> import cxkit as cx
        >>> fb = cx.load_catalog(cx.DEFAULT_CATALOG).read("feedback", columns=["comment"], month="2026-10")
        >>> list(fb.columns), len(fb) > 1000
        (['comment'], True)
        """
        if name not in self.entries:
            self[name]  # the KeyError naming the sources
        table = self.table_of(name)
        time = _EVENT_TIME.get(table)
        if month and time is None:
            raise ValueError(f"{self.path}: source {name!r} ({table}) has no event time; read it without month=.")
        bounds = None
        if month:
            period = parse_month(str(month))
            bounds = (None if through else period.start_time, (period + 1).start_time)
        entry = self.entries[name]
        if "snapshot" in entry and name not in self._cache:
            frame = self._read_snapshot_columns(name, columns, time, bounds)
            pushdown = True
        else:
            pushed = self._load_period(name, time, bounds) if bounds is not None and name not in self._cache else None
            full = pushed.frame if pushed is not None else self[name].frame
            keep = full
            if bounds is not None:
                t = full[time]
                mask = t.notna() & (t < bounds[1])
                if bounds[0] is not None:
                    mask &= t >= bounds[0]
                keep = full.loc[mask.to_numpy()]
            frame = keep[_check_columns(columns, full.columns, self.path, name)] if columns else keep.copy()
            frame = frame.reset_index(drop=True)
            frame.attrs = dict(full.attrs)
            pushdown = pushed is not None and any("pushed down" in n for n in pushed.report.notes)
        frame.attrs.update(month=str(month) if month else None, pushdown=pushdown)
        return frame

    def _load_period(self, name: str, time: str | None, bounds: _Bounds) -> Loaded | None:
        """Load only the rows of ``bounds`` from a Parquet file or a SQL table (the reader or
        the database filters); None for other sources, which are loaded whole and cached."""
        options = self.options(name)
        source = options["source"]
        column = (options.get("columns") or {}).get(time, time)
        period = {"column": column, "start": bounds[0], "end": bounds[1]}
        if isinstance(source, dict) and source.get("table"):
            options["source"] = {**source, "period": period}
        elif isinstance(source, str) and (
            options.get("format") == "parquet" or Path(source).suffix.lower() in (".parquet", ".pq")
        ):
            options["period"] = period
        else:
            return None
        return self._load(name, options)

    def _snapshot_file(self, name: str, columns: list[str] | None) -> tuple[Path, list[str] | None]:
        """A snapshot's Parquet file and the columns to read from it (checked; None: all)."""
        import pyarrow.parquet as pq

        path = self.resolve(self.entries[name]["snapshot"]).with_suffix(".parquet")
        return path, (_check_columns(columns, pq.read_schema(path).names, self.path, name) if columns else None)

    def _read_snapshot_columns(
        self, name: str, columns: list[str] | None, time: str | None, bounds: _Bounds | None
    ) -> pd.DataFrame:
        path, wanted = self._snapshot_file(name, columns)
        filters = None
        if bounds is not None:
            column = cast(str, time)  # Catalog.read refuses a month for a table without an event time
            filters = [(column, "<", bounds[1])] + ([(column, ">=", bounds[0])] if bounds[0] is not None else [])
        frame = pd.read_parquet(path, columns=wanted, filters=filters)
        frame.attrs = dict(_snapshot_report(path.with_suffix(""))[1])
        return frame

    def rows(self, name: str) -> int:
        """Validated rows of a source (from a snapshot's load report, without reading it)."""
        return int(self._report_only(name).report.accepted)

    def scan(
        self, name: str, *, columns: list[str] | None = None, big: int = BIG_TABLE_ROWS
    ) -> pd.DataFrame | dd.DataFrame:
        """The table for analyses that accept pandas or Dask (the journey analyses).

        A pandas DataFrame for a table of fewer than ``big`` rows; a Dask DataFrame
        (:meth:`dask`) for a bigger one, or whenever a Dask cluster is connected: the
        analyses then reduce it partition by partition (on the cluster's workers, or on
        this machine's threads), and only the counts reach pandas.
        """
        from ..distributed import current_cluster

        if current_cluster() is not None or self.rows(name) >= big:
            return self.dask(name, columns=columns)
        frame = self[name].frame
        return frame[_check_columns(columns, frame.columns, self.path, name)] if columns else frame

    def monthly(self, name: str) -> MonthlyReader:
        """A reader that gives one source a month at a time (see :class:`MonthlyReader`): for
        analyses whose trend needs only per-month aggregates of a big text table. A snapshot
        is read month by month from its Parquet file; other sources are loaded once."""
        # self[name] raises the KeyError naming the catalog's sources: table is a str.
        table = cast(str, self.table_of(name) if name in self.entries else self[name])
        time = _EVENT_TIME.get(table)
        if time is None:
            raise ValueError(f"{self.path}: source {name!r} ({table}) has no event time to read it by month.")
        entry = self.entries[name]
        if "snapshot" in entry and name not in self._cache:
            return MonthlyReader(
                time=time,
                path=self.resolve(entry["snapshot"]).with_suffix(".parquet"),
                attrs=_snapshot_report(self.resolve(entry["snapshot"]))[1],
            )
        return MonthlyReader(self[name].frame, time=time)

    def dask(self, name: str, *, columns: list[str] | None = None, files: bool | None = None) -> dd.DataFrame:
        """One source as a Dask DataFrame, for the steps that run on a Dask cluster
        (:func:`cxkit.connect`).

        With ``files`` the workers read the Parquet snapshot themselves (one partition per
        row group), which needs them to see this machine's paths: by default that is assumed
        when every worker of the connected cluster runs on this machine, or when the catalog
        says ``settings: {shared_storage: true}``. Otherwise the validated table is split
        into partitions of 100,000 rows and sent to the workers.
        """
        import dask.dataframe as dd

        if name not in self.entries:
            self[name]
        entry = self.entries[name]
        if files is None:
            files = bool(self.settings.get("shared_storage")) or _workers_are_local()
        if files and "snapshot" in entry and name not in self._cache:
            path, wanted = self._snapshot_file(name, columns)
            ddf = dd.read_parquet(str(path), columns=wanted, split_row_groups=True)
            # Parquet stores a categorical per row group, each with the categories it holds:
            # Dask then knows none, and combining row groups of different stages fails
            # ("to union ordered Categoricals ..."). The canonical dtype has them all.
            for col in TABLES[self.table_of(name)].columns:
                if col.kind == "stage" and col.name in ddf.columns:
                    ddf[col.name] = ddf[col.name].astype(STAGE_DTYPE)
            return ddf
        frame = self[name].frame
        frame = frame[_check_columns(columns, frame.columns, self.path, name)] if columns else frame
        return dd.from_pandas(frame, chunksize=_ROW_GROUP, sort=False)

    def _report_only(self, name: str) -> Loaded:
        """``self[name]``, except that a snapshot not yet loaded gives its load report alone
        (with empty frames): the data-quality summary needs no rows."""
        entry = self.entries[name]
        if "snapshot" not in entry or name in self._cache:
            return self[name]
        report, _ = _snapshot_report(self.resolve(entry["snapshot"]))
        return Loaded(pd.DataFrame(), pd.DataFrame(), report)

    def table_of(self, name: str) -> str:
        return cast(str, self.entries[name]["table"])  # load_catalog checked it is a key of TABLES

    def validate(self, *, out: str | Path | None = None) -> pd.DataFrame:
        """Load every source; one row per source: read, accepted, rejected, usable, reasons.

        With ``out``, each source's rejected rows (PII masked) go to ``out/<name>.rejected.csv``
        (formula-like cells neutralised: :func:`cxkit.safe_files.write_csv`).
        A source that raises is listed as not usable with the error message.
        """
        rows = []
        if out is not None:
            Path(out).mkdir(parents=True, exist_ok=True)
        for name in self.entries:
            row: dict[str, object] = {
                "source": name,
                "table": self.table_of(name),
                "read": None,
                "accepted": None,
                "rejected": None,
                "excluded": None,
                "usable": False,
                "top_reasons": "",
                "error": "",
            }
            loaded = None
            try:
                loaded = self._report_only(name) if out is None else self[name]
                row["usable"] = True
            except CxkitError as exc:
                row["error"] = str(exc)
                loaded = getattr(exc, "loaded", None)
            if loaded is not None:
                r = loaded.report
                row.update(
                    read=r.read,
                    accepted=r.accepted,
                    rejected=r.rejected,
                    excluded=r.excluded,
                    top_reasons="; ".join(
                        f"{n:,} x {k}" for k, n in sorted(r.reasons.items(), key=lambda kv: -kv[1])[:3]
                    ),
                )
                if out is not None and len(loaded.rejected):
                    write_csv(loaded.rejected_masked(), Path(out) / f"{name}.rejected.csv")
            rows.append(row)
        return pd.DataFrame(rows)


def release_memory() -> None:
    """Give the memory of released tables back to the operating system
    (:func:`cxkit._memory.release_memory`: a collection, pyarrow's ``release_unused`` and
    glibc's ``malloc_trim``). A table loaded and dropped leaves its memory with pyarrow's pool
    and glibc's heap, which keep it for reuse: the runner validating 20M journey events held
    8.8 GiB while the notebooks ran."""
    from .._memory import release_memory as release

    release()


def _snapshot_report(stem: Path) -> tuple[LoadReport, dict[Hashable | None, Any]]:
    """The load report written beside a snapshot, and the table's ``attrs``."""
    from .readers import LoadReport

    info = json.loads(stem.with_name(f"{stem.name}.report.json").read_text())
    attrs = info.pop("attrs", {})
    info.pop("invalid", None)
    info["examples"] = {k: (v["line"], v["reason"]) for k, v in info.get("examples", {}).items()}
    return LoadReport(**info), attrs


def _read_snapshot(stem: Path) -> Loaded:
    frame = pd.read_parquet(stem.with_suffix(".parquet"))
    rejected = pd.read_parquet(stem.with_name(f"{stem.name}.rejected.parquet"))
    report, frame.attrs = _snapshot_report(stem)
    return Loaded(frame, rejected, report)


def rejection_reasons(catalog: Catalog) -> pd.DataFrame:
    """Tidy table of why rows were rejected: one row per source and reason.

    Loads every source of the catalog that is not loaded yet (a snapshot source gives its
    load report without reading its rows). Sources that failed to load are skipped here,
    except a source refused for too many invalid rows, whose reasons are listed;
    :meth:`Catalog.validate` lists every source with its error.

    Parameters
    ----------
    catalog : Catalog
        From :func:`load_catalog`.

    Returns
    -------
    DataFrame
        One row per source and reason, sources in catalog order, reasons by descending
        count:

        - ``source``: the source's name in the catalog; ``table``: its canonical table;
        - ``reason``: the reason without the row's value (``nps: outside 0–10``), as counted
          in the load report;
        - ``rows``: rows rejected for it; ``share``: ``rows`` / rows read from the source
          (0-1);
        - ``example_line`` and ``example``: the source line of the first such row and its
          full reason with the value (``nps: 11 outside 0–10``), PII masked.

        Empty (with these columns) when no source rejected a row.

    Examples
    --------
    >>> import cxkit as cx
    >>> reasons = cx.rejection_reasons(cx.load_catalog(cx.DEFAULT_CATALOG))
    >>> reasons[["source", "reason", "rows", "example_line", "example"]].head(1).values.tolist()
    [['feedback', 'nps: outside 0–10', 12, 4080, 'nps: 11 outside 0–10']]
    >>> reasons.groupby("source")["rows"].sum().to_dict()
    {'feedback': 20, 'reviews': 6}
    """
    rows = []
    for name in catalog:
        try:
            report = catalog._report_only(name).report
        except CxkitError as exc:
            loaded = getattr(exc, "loaded", None)
            if loaded is None:
                continue
            report = loaded.report
        for reason, n in sorted(report.reasons.items(), key=lambda kv: (-kv[1], kv[0])):
            line, example = report.examples.get(reason, (None, ""))
            rows.append(
                {
                    "source": name,
                    "table": report.table,
                    "reason": reason,
                    "rows": n,
                    "share": n / report.read,
                    "example_line": line,
                    "example": example,
                }
            )
    return pd.DataFrame(rows, columns=["source", "table", "reason", "rows", "share", "example_line", "example"])


def load_catalog(path: str | Path = "data/cxkit.yaml", *, only: list[str] | None = None) -> Catalog:
    """Read a catalog file (see the module docs for its form). Sources load on first use.

    The file is checked whole when it is read (every entry's keys and table), but no source
    is read until it is used: ``catalog[name]`` loads a source once and caches it.
    ``${NAME}`` environment variables are expanded when a source is loaded.

    Parameters
    ----------
    path : str or Path, default "data/cxkit.yaml"
        The YAML file (relative to the working folder). Paths inside it are relative to the
        file's own folder.
    only : list of str, optional
        Keep only these sources.

    Returns
    -------
    Catalog
        A read-only mapping of source name -> :class:`~cxkit.data.readers.Loaded` (loaded on
        first access), with ``settings`` (the file's ``settings`` section), ``read(name,
        columns=, month=)`` (only some columns and months), ``validate()`` (one row per source:
        read, accepted, rejected, usable), ``snapshot(folder)`` and ``monthly(name)``.

    Raises
    ------
    CatalogError
        The file is missing, not YAML, or an entry is malformed (the message names the entry
        and the key); ``only`` names a source the file lacks. Loading a source later raises
        the readers' errors (:func:`cxkit.data.readers.load`), or a CatalogError for an
        environment variable that is not set.

    Examples
    --------
    >>> import cxkit as cx
    >>> catalog = cx.load_catalog(cx.DEFAULT_CATALOG, only=["customers"])
    >>> list(catalog), catalog["customers"].report.table
    (['customers'], 'customers')
    >>> cx.load_catalog("missing.yaml")
    Traceback (most recent call last):
    ...
    cxkit.errors.CatalogError: missing.yaml: no such catalog file. Pass --catalog PATH, or copy data/cxkit.yaml and edit it.
    """
    path = Path(path)
    if not path.exists():
        raise CatalogError(f"{path}: no such catalog file. Pass --catalog PATH, or copy data/cxkit.yaml and edit it.")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("sources"), Mapping) or not doc["sources"]:
        raise CatalogError(f"{path}: expected a mapping with a non-empty 'sources:' section (see data/cxkit.yaml).")
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise CatalogError(f"{path}: unknown top-level key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}.")
    defaults = dict(doc.get("defaults") or {})
    bad_defaults = set(defaults) - _LOAD_OPTIONS - _READER_OPTIONS
    if bad_defaults:
        raise CatalogError(f"{path}: defaults has unknown option(s) {sorted(bad_defaults)}.")
    entries: dict[str, dict[str, Any]] = {}
    for name, entry in doc["sources"].items():
        where = f"{path}: source {name!r}"
        if not isinstance(entry, Mapping):
            raise CatalogError(f"{where}: expected a mapping of options, got {type(entry).__name__}.")
        entry = dict(entry)
        entry.setdefault("table", name if name in TABLES else None)
        if entry["table"] not in TABLES:
            raise CatalogError(f"{where}: table must be one of {sorted(TABLES)}, not {entry['table']!r}.")
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            import difflib

            hints = [
                f"{k!r}" + (f" (did you mean {m[0]!r}?)" if (m := difflib.get_close_matches(k, _ENTRY_KEYS, 1)) else "")
                for k in sorted(unknown)
            ]
            raise CatalogError(f"{where}: unknown option(s) {', '.join(hints)}.")
        if sum(k in entry for k in ("path", "sql", "snapshot")) != 1:
            raise CatalogError(f"{where}: give exactly one of path: (a file) or sql: (url plus table or query).")
        if "sql" in entry and (not isinstance(entry["sql"], Mapping) or "url" not in entry["sql"]):
            raise CatalogError(f"{where}: sql: needs a mapping with url: and table: or query:.")
        entries[str(name)] = entry
    if only:
        missing = [n for n in only if n not in entries]
        if missing:
            raise CatalogError(f"{path}: no source(s) named {missing}; the catalog has {sorted(entries)}.")
        entries = {n: entries[n] for n in only}
    settings = dict(doc.get("settings") or {})
    if settings.get("language"):  # the report language (issue 28): a typo fails before a run starts
        from ..i18n import LANGUAGES, check_language

        try:
            settings["language"] = check_language(settings["language"])
        except CxkitError:
            raise CatalogError(
                f"{path}: settings: language: {settings['language']!r} is not a report language; "
                f"use one of {', '.join(LANGUAGES)} (English, Danish, Norwegian Bokmål, Swedish)."
            ) from None
    catalog = Catalog(
        path,
        entries,
        defaults=defaults,
        settings=settings
        | ({"targets": check_targets(doc["targets"], path)} if doc.get("targets") is not None else {}),
        data_dirs=list(doc.get("data_dirs") or []),
        # the theme set (issue 26): checked here so a typo fails before a run starts
        themes=check_themes_section(doc["themes"], str(path)) if doc.get("themes") is not None else None,
    )
    catalog.weights = _weights_section(doc.get("weights"), path)
    catalog.brand = check_brand(doc.get("brand"), path)
    if doc.get("brand"):  # kept for snapshots, with the logo's path made absolute
        section = dict(doc["brand"])
        if section.get("logo"):
            section["logo"] = str((path.parent / Path(str(section["logo"])).expanduser()).resolve())
        catalog.brand_section = section
    return catalog
