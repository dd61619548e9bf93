"""The monthly pack: run every pack notebook with papermill, export safe HTML, write the index,
``results.json`` and ``manifest.json``, and move the pack into place only when all succeeded.

:func:`build_pack` reads as its recipe, one step a line:

1. **parameters**: check the month (``YYYY-MM``), the catalog, ``--only``, the timeout and the
   Dask scheduler;
2. **validate inputs**: load every catalog source and snapshot it as Parquet (invalid data stops
   the run before any kernel starts), and settle the report month;
3. **plan**: the notebooks the month's data can build (the others are listed as skipped).
   Then, holding the month's lock (two runs never write the same month at once; what a killed
   run left is cleaned up first), logging to ``reports/_logs/``, in a hidden working folder:
4. **execute** the notebooks in parallel, longest first, each cell with a timeout, after checking
   each notebook's parameters against its parameters cell (paths inside the project or the
   catalog's data). One kernel per core runs its notebooks one after another, its namespace
   reset between them, so kernel start-up and imports are paid once per kernel; in a terminal
   a progress bar counts the notebooks (none under ``--quiet``), and the kernels run with
   ``CXKIT_PROGRESS=0``, so no progress bar reaches a page;
5. **export** each executed notebook to self-contained HTML (:mod:`cxkit.pack.export`: no code,
   no scripts, no remote requests; untrusted output sanitised), on a side thread while the next
   notebook runs;
6. **merge results**: the notebooks' result parts into ``results.json``;
7. **index**: ``index.html``;
8. **manifest**: ``manifest.json``;
9. **publish**: swap the finished folder into ``reports/YYYY-MM`` in one atomic step. On any
   failure the previous pack is untouched and the failed notebook (executed, with its error)
   and its HTML are kept under ``reports/_failed/<run-id>/``.

Exit codes of ``cxkit report`` (see :data:`EXIT_CODES`): 0 success, 2 bad parameters,
3 invalid data, 4 a notebook raised an error (or stopped early), 5 a cell timed out,
6 a kernel died, 7 another run holds the month's lock, 8 no source has data in the month,
9 some sections could not be computed (only with ``--strict``), 10 an internal error (a bug:
one line names the log file that holds the traceback; ``cxkit validate`` uses it too),
11 the pack cannot be written (read-only or not writable output folder, a full disk),
130 and 143 stopped by SIGINT (Ctrl-C) or SIGTERM (128 + the signal's number).

How a run that cannot finish ends (:func:`_ending`): one line on stderr (the CLI), one line in
the run's log (or, before it exists or when it cannot be written, in a log beside it or in the
temporary folder), the previous pack untouched, the working folder, the snapshots and the
kernels with their connection files removed. What a killed (``kill -9``) run left is removed by
the next run, only what is provably stale: working folders whose month's lock no run holds,
snapshots and kernel files whose owner process is gone.

A catalog need not have every source: each notebook declares the sources it reads in its
metadata (``{"cxkit": {"needs": ["feedback"]}}``), and a notebook whose sources are absent from
the catalog, or have no rows in the report month, is not built. ``results.json`` and
``manifest.json`` list it under ``skipped`` with the reason, and the index shows it ("Not built:
... needs the customers source").
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import nbformat

from .. import i18n
from .._paths import DEFAULT_CATALOG, PROJECT_DIR
from .._threads import available_cores
from ..errors import (
    ClusterError,
    CxkitError,
    InvalidDataError,
    KernelDied,
    NoDataError,
    NotebookError,
    NotebookTimeout,
    OutputError,
    PackError,
    PackInterrupted,
    PackLocked,
    ParameterError,
    SectionsSkipped,
)
from ..privacy import mask_log_record, mask_nested, mask_pii
from ._signals import handling_stops
from .kernels import (
    jobs_from_environment,
    kernel_command,
    kernel_environment,
    kernel_threads,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..data.catalog import Catalog
    from ..data.readers import Loaded

__all__ = [
    "build_pack",
    "PackError",
    "PackNotebook",
    "discover_notebooks",
    "EXIT_CODES",
    "ParameterError",
    "InvalidDataError",
    "NotebookError",
    "NotebookTimeout",
    "KernelDied",
    "PackLocked",
    "NoDataError",
    "OutputError",
    "PackInterrupted",
]

log = logging.getLogger("cxkit.report")

NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"


EXIT_CODES = {
    0: "success",
    2: "bad parameters",
    3: "invalid data",
    4: "notebook error",
    5: "cell timeout",
    6: "kernel died",
    7: "another run holds the month's lock",
    8: "no data for the month",
    9: "sections skipped (--strict)",
    10: "internal error (a bug in cxkit; the traceback is in the log named)",
    11: "output not writable",
    13: "the PDF could not be written (Chromium missing or failing)",
    130: "stopped by SIGINT (Ctrl-C)",
    143: "stopped by SIGTERM",
}


# --------------------------------------------------------------------------- the recipe


def build_pack(
    month: str | None = None,
    *,
    catalog: str | Path | None = None,
    out: str | Path = "reports",
    only: list[str] | None = None,
    timeout: int = 600,
    jobs: int | None = None,
    quiet: bool = False,
    notebooks_dir: str | Path | None = None,
    scheduler: str | None = None,
    strict: bool = False,
    max_memory: str | int | None = None,
    language: str | None = None,
    pdf: bool | None = None,
) -> Path:
    """Build ``out/YYYY-MM/``; return its path. Raises a :class:`PackError` subclass on failure.

    ``only`` rebuilds some notebooks of a month that has a pack already: the month's other
    pages are kept, ``results.json``, ``manifest.json`` and the index are rebuilt from the
    merged results (without a pack to add to, :class:`ParameterError`). ``strict`` fails the run
    (:class:`SectionsSkipped`, exit 9, the previous pack untouched) when any section could not
    be computed from the data; by default such a section shows a sentence saying why.

    ``jobs`` is the number of notebooks run at once, each in a kernel of its own (default
    ``CXKIT_JOBS``, else one per core this process may run on).

    ``scheduler`` (or the catalog's ``settings: {scheduler: ADDRESS}``) is a Dask scheduler
    address: notebooks that declare a ``scheduler`` parameter run their heavy steps there
    (see :mod:`cxkit.distributed`). It is checked before any notebook starts.

    ``max_memory`` (bytes, or a size such as ``"8G"``; default 80% of the memory available
    when the run starts) bounds the notebooks run at once: a notebook starts beside the others
    only when the estimated peaks of all of them, and the runner's own memory, fit in it
    (:func:`_memory_need`); a notebook that does not fit waits, and one alone always runs.

    ``language`` (``en``, ``da``, ``nb``, ``sv``; default the catalog's ``settings: {language:
    ...}``, else ``CXKIT_LANGUAGE``, else English) is the language every page is written in
    (:mod:`cxkit.i18n`).

    ``pdf`` (default the catalog's ``settings: {pdf: true}``) also writes the whole pack as one
    PDF, ``pack-YYYY-MM.pdf`` in the month's folder (:mod:`cxkit.pack.pdf`; needs Chromium,
    checked before any notebook runs: :class:`~cxkit.errors.PdfError`, exit 13).
    """
    request = _check_request(
        month,
        catalog=catalog,
        out=out,
        only=only,
        timeout=timeout,
        jobs=jobs,
        quiet=quiet,
        notebooks_dir=notebooks_dir,
        scheduler=scheduler,
        strict=strict,
        max_memory=max_memory,
        language=language,
        pdf=pdf,
    )
    with (
        i18n.process_language(request.language),
        _ending(request) as ending,
        _snapshot_folder(request.out) as snapshots,
    ):
        inputs = _validate(request, snapshots)
        run = _plan(request, inputs)
        ending.watch(run)
        with _claim_month(run), _run_log(run), _working_folder(run, snapshots):
            _announce(run)
            parameters = _notebook_parameters(run)
            outcomes = _execute(run, parameters)
            _export(run, outcomes)
            _keep_other_pages(run)
            results = _merge_results(run, inputs.quality)
            _check_strict(run)
            _write_index(run, results)
            _write_manifest(run, inputs.provenance)
            _summarise(run, results)
            _brand_pages(run, request.catalog.brand)
            if request.pdf:
                _write_pdf(run)
            return _publish(run)


@dataclass(frozen=True)
class _Request:
    """What :func:`build_pack` was asked for, checked."""

    month: str | None  # None: the last complete month in the data
    catalog: Catalog
    catalog_path: Path
    out: Path
    notebooks: list[PackNotebook]  # all, or those named by --only
    all_notebooks: list[PackNotebook]  # every pack notebook (--only keeps the others' pages)
    only: bool  # --only: add to the month's existing pack
    strict: bool  # --strict: a skipped section fails the run
    timeout: int
    jobs: int | None
    quiet: bool
    scheduler: str  # "" runs the heavy steps in-process
    max_memory: int  # bytes the runner and its kernels may use at once (see _memory_need)
    language: str  # the report language (cxkit.i18n)
    pdf: bool  # also print the pack as one PDF
    started: dt.datetime
    t0: float  # time.perf_counter() at the start, for the timings


@dataclass(frozen=True)
class _Inputs:
    """The catalog's sources, validated, and the month they are reported for."""

    quality: dict  # source -> rows read, accepted, rejected, excluded, top reasons (results.json)
    provenance: dict  # source -> file and hash or SQL source, rows (manifest.json "inputs")
    coverage: dict  # source -> the months it can report on (see _coverage)
    month: pd.Period  # the report month
    month_note: str | None  # why the month is not last calendar month (no --month)
    sizes: dict = field(default_factory=dict)  # source -> bytes its validated table takes in memory


@dataclass
class _Run:
    """One build of one month's pack: what every step reads, and what the steps record."""

    run_id: str
    month: str
    out: Path
    catalog_path: Path
    started: dt.datetime
    notebooks: list[PackNotebook]
    timeout: int
    jobs: int
    quiet: bool
    scheduler: str = ""
    max_memory: int | None = None  # bytes the runner and its kernels may use at once (None: no bound)
    sizes: dict = field(default_factory=dict)  # source -> bytes its validated table takes in memory
    skipped: dict = field(default_factory=dict)  # notebook -> why it was not built
    sections_skipped: list = field(default_factory=list)  # [{page, section, reason}] the data could not give
    month_note: str | None = None  # why the month is not last calendar month (no --month)
    allowed_dirs: list[Path] = field(default_factory=list)  # where path parameters may point
    t0: float = 0.0  # time.perf_counter() when build_pack started
    tmp: Path = field(init=False)  # the working folder, renamed into place by _publish
    parts_dir: Path = field(init=False)  # the notebooks' results.json parts
    log_path: Path = field(init=False)
    outcomes: dict = field(default_factory=dict)
    export_pool: futures.Executor | None = None
    bar_lock: threading.Lock = field(default_factory=threading.Lock)
    running: list = field(default_factory=list)  # the notebooks running now (the bar names them)
    strict: bool = False  # --strict: a skipped section fails the run
    language: str = "en"  # the report language (cxkit.i18n)
    previous: dict | None = None  # --only: the month's existing pack (results, manifest, folder)
    candidates: list[PackNotebook] = field(default_factory=list)  # --only: pages to keep from it
    kept: list[PackNotebook] = field(default_factory=list)  # --only: the pages kept
    results_keys: dict = field(default_factory=dict)  # notebook -> the results.json keys it wrote
    bar: Any = None  # the progress bar over the notebooks, while they run in a terminal
    stop: threading.Event = field(default_factory=threading.Event)  # set by SIGINT/SIGTERM (_ending)

    def __post_init__(self):
        self.footer = _footer(self)
        self.tmp = self.out / f".{self.month}.tmp-{self.run_id}"
        self.parts_dir = self.tmp / "_parts"
        self.log_path = self.out / "_logs" / f"{self.month}-{self.run_id}.log"

    def progress(self, message: str) -> None:
        log.info(message)
        if not self.quiet:
            self._say(f"[cxkit report {self.month}] {message}")

    def notice(self, message: str) -> None:
        """Something the person who scheduled the run must see: printed even with --quiet."""
        log.warning(message)
        self._say(f"cxkit report {self.month}: {message}")

    def _say(self, line: str) -> None:
        line = cast(str, mask_pii(line))  # a str stays a str
        if self.bar is not None:  # above the bar, which tqdm redraws below the line
            self.bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the pack's notebooks


#: A kernel's own memory before it reads any data (Python, cxkit, pandas, matplotlib and
#: statsmodels imported): about 0.3 GiB measured, rounded up.
_KERNEL_BYTES = 400 << 20
#: A notebook's peak memory per byte of the sources it reads, when its metadata does not say.
_WORKING_SET = 6.0


@dataclass(frozen=True)
class PackNotebook:
    """A notebook that belongs to the pack (``metadata.cxkit.pack`` is true)."""

    name: str
    path: Path
    title: str
    order: int
    parameters: dict
    section: str | None = None  # the results.json key whose "finding" the index shows
    code_cells: int = 0
    needs: tuple[str, ...] = ()  # catalog sources it reads, by the names the notebook uses
    memory: float = _WORKING_SET  # its peak memory per byte of its ``needs`` in memory (see _memory_need)


def discover_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[PackNotebook]:
    """Pack notebooks in ``folder``, in their declared order. A notebook joins the pack by
    setting ``{"cxkit": {"pack": true, "title": ..., "order": N, "section": KEY}}`` in its
    metadata; ``section`` names its part of ``results.json`` (for the index's finding), and
    ``needs`` the catalog sources it reads (none when absent) and ``memory`` its peak memory per
    byte of them, measured (:func:`_memory_need`). A notebook is built only when
    the catalog has all of them and each has rows in the report month (customer records: the
    month is within their churn history)."""
    import papermill

    found = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        meta = nb.metadata.get("cxkit", {})
        if not meta.get("pack"):
            continue
        params = papermill.inspect_notebook(_literal_path(path))
        needs = tuple(meta.get("needs", ()))
        found.append(
            PackNotebook(
                path.stem,
                path,
                meta.get("title", path.stem),
                int(meta.get("order", 100)),
                params,
                meta.get("section"),
                sum(c.cell_type == "code" for c in nb.cells),
                needs,
                float(meta.get("memory", _WORKING_SET)),
            )
        )
    return sorted(found, key=lambda n: (n.order, n.name))


# --------------------------------------------------------------------------- 1. parameters


def _check_request(
    month: str | None,
    *,
    catalog: str | Path | None,
    out: str | Path,
    only: list[str] | None,
    timeout: int,
    jobs: int | None,
    quiet: bool,
    notebooks_dir: str | Path | None,
    scheduler: str | None,
    strict: bool = False,
    max_memory: str | int | None = None,
    language: str | None = None,
    pdf: bool | None = None,
) -> _Request:
    """The parameters of :func:`build_pack`, checked; :class:`ParameterError` names the bad one."""
    from ..data.catalog import load_catalog
    from ..periods import parse_month

    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    out = Path(out).resolve()
    catalog_path = Path(catalog or DEFAULT_CATALOG).resolve()
    # Resolved now: a relative folder would otherwise depend on the working directory later.
    notebooks = discover_notebooks(Path(notebooks_dir or NOTEBOOKS_DIR).resolve())
    all_notebooks = list(notebooks)
    if only:
        unknown = sorted(set(only) - {n.name for n in notebooks})
        if unknown:
            raise ParameterError(
                f"--only names unknown notebook(s) {unknown}; the pack has {[n.name for n in notebooks]}."
            )
        notebooks = [n for n in notebooks if n.name in only]
    if not notebooks:
        raise ParameterError(f"no pack notebooks found in {notebooks_dir or NOTEBOOKS_DIR}.")
    if month:
        try:
            parse_month(month)
        except ValueError as exc:
            raise ParameterError(str(exc)) from None
    if timeout <= 0:
        raise ParameterError("--timeout must be a positive number of seconds.")
    if jobs is not None and jobs < 1:
        raise ParameterError(f"--jobs must be 1 or more notebooks at once, not {jobs}.")
    jobs = jobs or jobs_from_environment()
    try:
        cat = load_catalog(catalog_path)
    except CxkitError as exc:
        raise ParameterError(str(exc)) from None
    scheduler = scheduler or str(cat.settings.get("scheduler") or "")
    if scheduler:
        _check_scheduler(scheduler)
    budget = _memory_budget(max_memory)
    try:
        language = i18n.check_language(language) if language else cat.language or i18n.get_language()
    except CxkitError as exc:
        raise ParameterError(str(exc).replace("report language", "--language")) from None
    pdf = bool(cat.settings.get("pdf")) if pdf is None else pdf
    if pdf:
        from .pdf import chromium

        chromium()  # no Chromium: say so now, not after the notebooks ran
    return _Request(
        pdf=pdf,
        language=language,
        month=month,
        catalog=cat,
        catalog_path=catalog_path,
        out=out,
        notebooks=notebooks,
        all_notebooks=all_notebooks,
        only=bool(only),
        strict=strict,
        timeout=timeout,
        jobs=jobs,
        quiet=quiet,
        scheduler=scheduler,
        max_memory=budget,
        started=started,
        t0=t0,
    )


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


def _memory_budget(value: str | int | None) -> int:
    """``--max-memory`` in bytes: a number of bytes or a size such as ``8G``, ``512M``, ``8GiB``
    (binary units); by default 80% of the memory available now (:class:`ParameterError` when
    the size cannot be read or is below a kernel's own memory)."""
    if value is None or value == "":
        import psutil

        return int(0.8 * psutil.virtual_memory().available)
    m = _SIZE.match(str(value))
    if m is None:
        raise ParameterError(f"--max-memory {value!r} is not a size; write bytes or e.g. 8G, 512M, 8GiB.")
    number = float(m.group(1)) * 1024 ** " kmgt".index(m.group(2).lower())  # "" is at 0: bytes
    if number < 1 << 30:
        raise ParameterError(
            f"--max-memory {value!r} is less than a kernel needs to start (about {_KERNEL_BYTES >> 20} MiB) "
            "and read any data; give at least 1G."
        )
    return int(number)


def _check_scheduler(address: str) -> None:
    from ..distributed import connect

    try:
        connect(address)
    except ClusterError as exc:
        raise ParameterError(f"--scheduler: {exc}") from None
    finally:
        connect(None)


# --------------------------------------------------------------------------- 2. validate inputs


@contextlib.contextmanager
def _snapshot_folder(out: Path) -> Iterator[Path]:
    """A folder of this run's own beside the packs, for the validated snapshots of the sources
    (the run moves it into its working folder); removed at the end whatever happens."""
    out.mkdir(parents=True, exist_ok=True)
    _remove_orphaned_inputs(out)
    _recover_killed_runs(out)
    _remove_stale_kernel_files()
    folder = Path(tempfile.mkdtemp(prefix=f".inputs-{os.getpid()}-", dir=out))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_orphaned_inputs(out: Path) -> None:
    """Snapshots left by runs that were killed (their process is gone)."""
    for folder in out.glob(".inputs-*-*"):
        try:
            pid = int(folder.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a process of another user counts: it cannot be signalled)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_LEFTOVER = re.compile(r"^\.(\d{4}-\d{2})\.(?:tmp|old)-")


def _recover_killed_runs(out: Path) -> None:
    """Working folders of killed runs of any month: a month whose lock no run holds has no run
    building it, so what is left for it is stale (:func:`_recover`); a locked month is skipped."""
    months = sorted({m.group(1) for p in out.glob(".*-*") if (m := _LEFTOVER.match(p.name))})
    for month in months:
        with contextlib.suppress(PackLocked), _month_lock(out, month):
            _recover(out, month)


def _validate(request: _Request, snapshots: Path) -> _Inputs:
    """Every catalog source loaded and validated once, written to ``snapshots`` as Parquet with
    a catalog that reads them; then the report month (:class:`NoDataError` when no source has
    a row in it). Invalid data raise :class:`InvalidDataError` before any kernel starts."""
    if _input_bytes(request.catalog) > _VALIDATE_APART_BYTES:
        quality, provenance, dates, coverage, sizes = _validate_apart(request.catalog_path, snapshots)
    else:
        sizes = {}
        quality, provenance, dates, coverage = _validate_inputs(request.catalog, snapshots, sizes)
    request.catalog.write_snapshot_catalog(snapshots)
    month, note = _report_month(request.month, dates, coverage)
    return _Inputs(quality, provenance, coverage, month, note, sizes)  # the event dates are let go here


#: Validated tables smaller than this (bytes in memory) are let go without a garbage collection.
_RELEASE_BYTES = 64 << 20

#: Inputs bigger than this (their files, in bytes) are validated in a process of their own.
_VALIDATE_APART_BYTES = 256 << 20


def _input_bytes(catalog: Catalog) -> int:
    """The bytes of the catalog's source files (SQL sources count nothing)."""
    total = 0
    for name in catalog:
        source = catalog.options(name)["source"]
        if isinstance(source, str) and Path(source).is_file():
            total += Path(source).stat().st_size
    return total


def _validate_apart(catalog_path: Path, folder: Path) -> tuple[dict, dict, pd.Series, dict, dict]:
    """:func:`_validate_inputs` in a process of its own, which ends when the snapshots are
    written: every byte it used goes back to the system.

    In the runner itself, memory freed after validating 20M journey events stayed with the
    process (8.4 GiB held by the runner while the notebooks ran, however the allocators were
    asked to give it back); a process that exits returns all of it. Starting one costs about
    a second (imports), paid only by inputs over :data:`_VALIDATE_APART_BYTES`. A signal to the
    runner (:func:`_ending`) ends it too."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # not fork: the runner may hold threads
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_validate_child, args=(str(catalog_path), str(folder), send), daemon=True)
    child.start()
    send.close()
    try:
        while not receive.poll(0.5) and child.is_alive():
            pass
        try:
            kind, value = receive.recv()
        except EOFError:  # it ended without an answer
            child.join()
            raise PackError(
                f"validating the inputs stopped (exit code {child.exitcode}): the process was killed, "
                "likely out of memory; free memory or validate a smaller export."
            ) from None
    finally:
        if child.is_alive() and not receive.poll(0):
            child.terminate()
        child.join()
        receive.close()
    if kind == "error":
        raise value
    return cast(tuple[dict, dict, "pd.Series", dict, dict], value)


def _validate_child(catalog_path: str, folder: str, send: Any) -> None:
    """The process of :func:`_validate_apart`: its results, or the error it raised, sent back."""
    from ..data.catalog import load_catalog

    try:
        sizes: dict[str, int] = {}
        quality, provenance, dates, coverage = _validate_inputs(load_catalog(catalog_path), Path(folder), sizes)
        send.send(("ok", (quality, provenance, dates, coverage, sizes)))
    except Exception as exc:  # sent to the runner, which raises it as its own
        try:
            send.send(("error", exc))
        except Exception:  # an error that cannot be pickled: its class and message
            send.send(("error", PackError(f"{type(exc).__name__}: {exc}")))
    finally:
        send.close()


def _validate_inputs(
    catalog: Catalog, folder: Path | None = None, sizes: dict[str, int] | None = None
) -> tuple[dict, dict, pd.Series, dict]:
    """Load every source: data-quality summary, input provenance, all event dates (for the
    month) and each source's months (:func:`_coverage`); in ``sizes`` the bytes each validated
    table takes in memory (the notebooks' memory is estimated from them, :func:`_memory_need`).

    With ``folder``, each usable source is written there as a validated Parquet snapshot
    (:meth:`~cxkit.data.catalog.Catalog.snapshot_source`) and released, so the runner holds one
    source in memory at a time.
    """
    import pandas as pd

    quality, inputs, dates, coverage = {}, {}, [], {}
    customer_dates = []
    problems = []
    for name in catalog:
        options = catalog.options(name)
        source = options["source"]
        entry = {"table": options["table"]}
        if isinstance(source, str):
            path = Path(source)
            entry.update(
                path=str(path.relative_to(PROJECT_DIR)) if PROJECT_DIR in path.resolve().parents else str(path)
            )
            if path.exists():
                entry.update(sha256=_sha256(path), bytes=path.stat().st_size)
        else:
            from ..data.sql import mask_url

            entry.update(sql=mask_url(source.get("url", "")), table_or_query=source.get("table") or "query")
        try:
            loaded: Loaded | None = catalog[name]
        except CxkitError as exc:
            problems.append(f"{name}: {exc}")
            loaded = getattr(exc, "loaded", None)
        if loaded is not None:
            r = loaded.report
            quality[name] = {
                "read": r.read,
                "accepted": r.accepted,
                "rejected": r.rejected,
                "excluded": r.excluded,
                "reasons": dict(sorted(r.reasons.items(), key=lambda kv: -kv[1])[:5]),
            }
            entry.update(rows_read=r.read, rows_accepted=r.accepted)
            for col in ("responded_at", "published_at", "occurred_at"):
                if col in loaded.frame and loaded.frame[col].notna().any():
                    dates.append(_days(loaded.frame[col]))
            cover = coverage[name] = _coverage(loaded.frame, options["table"])
            if sizes is not None:
                sizes[name] = int(loaded.frame.memory_usage(deep=True, index=False).sum())
            if options["table"] == "customers" and cover is not None:
                customer_dates.append(_days(cover.pop("dates")))
            if folder is not None and not problems:
                catalog.snapshot_source(name, folder)
                from ..data.catalog import release_memory

                loaded = None
                # the next source, and the notebooks after, get it back; a full collection takes
                # 0.25 s, so small sources (whose memory is not worth it) skip it
                if sizes is None or sizes[name] >= _RELEASE_BYTES:
                    release_memory()
        inputs[name] = entry
    if problems:
        raise InvalidDataError("invalid data, no notebook was run:\n  " + "\n  ".join(problems))
    # Customer records date the month only when no source has event times (a churn-only catalog).
    dates = dates or customer_dates
    all_dates = pd.concat(dates, ignore_index=True) if dates else pd.Series(dtype="datetime64[ns]")
    return quality, inputs, all_dates, coverage


def _days(times: pd.Series) -> pd.Series:
    """The distinct days of ``times`` (midnight of each). The report month and the note on it
    (:mod:`cxkit.periods`) compare dates with midnights and print days only, so they come out
    the same, and the runner keeps a few hundred days instead of 20M event times at 10x."""
    import pandas as pd

    days = times.dropna().dt.floor("D")
    return pd.Series(days.unique(), dtype=days.dtype)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_EVENT_TIMES = {"feedback": "responded_at", "reviews": "published_at", "journey": "occurred_at"}


def _coverage(frame: pd.DataFrame, table: str) -> dict | None:
    """The months a source can report on: ``{"months": {Period: rows}, "first", "last"}``,
    or None when it has no dates (any month will do, e.g. customers without churn dates).

    Event tables cover the months they have rows in. Customer records cover the months of
    their churn history, as :func:`cxkit.churn_rate_by_month` counts them: from the first
    recorded churn to the last complete month of signup and churn dates.
    """
    import pandas as pd

    from ..periods import last_complete_month

    if table in _EVENT_TIMES:
        times = frame[_EVENT_TIMES[table]].dropna() if _EVENT_TIMES[table] in frame else None
        if times is None or times.empty:
            return None
        counts = times.dt.to_period("M").value_counts()
        return {"months": {m: int(n) for m, n in counts.items()}, "first": times.min(), "last": times.max()}
    if table != "customers" or "churned_at" not in frame or frame["churned_at"].notna().sum() == 0:
        return None
    dates = pd.concat([frame[c].dropna() for c in ("signup_at", "churned_at") if c in frame], ignore_index=True)
    try:
        last = last_complete_month(dates)
    except ValueError:
        last = None
    first = frame["churned_at"].min().to_period("M")
    months = {m: 0 for m in pd.period_range(first, last, freq="M")} if last is not None and last >= first else {}
    return {"months": months, "first": first.start_time, "last": dates.max(), "dates": dates}


def _report_month(month: str | None, dates: pd.Series, coverage: dict) -> tuple[pd.Period, str | None]:
    """The report month and, when none was given and it is not last calendar month, why.
    Raises :class:`NoDataError` when no dated source has a row in the month."""
    from ..periods import default_month_note, parse_month, resolve_month

    try:
        period = resolve_month(month, dates)
    except ValueError as exc:
        raise NoDataError(f"{exc} Pass --month YYYY-MM to choose one.") from None
    dated = {name: cov for name, cov in coverage.items() if cov is not None}
    if dated and not any(period in cov["months"] for cov in dated.values()):
        spans = {name: _span(cov).removeprefix("its data ") for name, cov in dated.items()}
        if len(set(spans.values())) == 1 and len(spans) > 1:
            where = f"the data of every source ({_and(list(spans))}) {next(iter(spans.values()))}"
        else:
            where = "; ".join(f"the {name} data {span}" for name, span in spans.items())
        try:
            hint = f" ({resolve_month(None, dates)})"
        except ValueError:
            hint = ""
        raise NoDataError(
            f"no source has a row in {period}: {where}. Choose a month the data cover with --month "
            f"YYYY-MM, or leave --month out to build the last complete month in the data{hint}."
        )
    note = None if month else default_month_note(dates, parse_month(str(period)))
    return period, note


# --------------------------------------------------------------------------- 3. plan


def _plan(request: _Request, inputs: _Inputs) -> _Run:
    """The run: the notebooks the month's data can build (why the others are not, in
    ``skipped``), how many run at once, where their path parameters may point."""
    notebooks, skipped = _buildable(request.notebooks, request.catalog, inputs.coverage, inputs.month)
    if not notebooks:
        reasons = "; ".join(f"{name}: {s['reason']}" for name, s in skipped.items())
        kind = NoDataError if all(not s["absent"] for s in skipped.values()) else ParameterError
        raise kind(f"no notebook can be built for {inputs.month}: {reasons}.")
    return _Run(
        run_id=f"{request.started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        month=str(inputs.month),
        out=request.out,
        catalog_path=request.catalog_path,
        started=request.started,
        notebooks=notebooks,
        timeout=request.timeout,
        jobs=min(len(notebooks), request.jobs or available_cores()),
        quiet=request.quiet,
        scheduler=request.scheduler,
        max_memory=request.max_memory,
        sizes=inputs.sizes,
        skipped=skipped,
        month_note=inputs.month_note,
        allowed_dirs=[PROJECT_DIR.resolve()] + [d.resolve() for d in request.catalog.data_dirs] + [request.out],
        t0=request.t0,
        strict=request.strict,
        language=request.language,
        previous=_previous_pack(request, str(inputs.month)) if request.only else None,
        candidates=[nb for nb in request.all_notebooks if nb not in notebooks] if request.only else [],
    )


def _previous_pack(request: _Request, month: str) -> dict:
    """The month's existing pack, which ``--only`` adds to; :class:`ParameterError` when there is
    none (or it predates the record of which notebook wrote which results)."""
    folder = request.out / month
    try:
        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ParameterError(
            f"--only adds pages to the pack of {month}, and {folder} holds none. Build the whole month "
            f"first (cxkit report --month {month}), then rebuild single pages with --only."
        ) from None
    if "results_keys" not in manifest:
        raise ParameterError(
            f"--only cannot add to the pack in {folder}: it was built by an older cxkit that did not record which "
            f"page wrote which results. Rebuild the whole month once (cxkit report --month {month})."
        )
    return {"folder": folder, "results": results, "manifest": manifest}


def _keep_other_pages(run: _Run) -> None:
    """``--only``: copy the month's other pages from the existing pack into the new one."""
    if run.previous is None:
        return
    for nb in run.candidates:
        page = run.previous["folder"] / f"{nb.name}.html"
        if page.exists():
            shutil.copy2(page, run.tmp / page.name)
            run.kept.append(nb)
    if run.kept:
        run.progress(f"kept from the existing pack: {', '.join(nb.name for nb in run.kept)}")


def _check_strict(run: _Run) -> None:
    """``--strict``: any section the data could not give fails the run (the pack is not published)."""
    if run.strict and run.sections_skipped:
        listed = "; ".join(f"{s['page']}/{s['section']}: {s['reason']}" for s in run.sections_skipped)
        raise SectionsSkipped(
            f"{len(run.sections_skipped)} section(s) could not be computed from the data (--strict): {listed} "
            "The previous pack is untouched; run without --strict to publish the pack with these sections "
            "explained on their pages."
        )


def _buildable(
    notebooks: list[PackNotebook], catalog: Catalog, coverage: dict, month: pd.Period
) -> tuple[list[PackNotebook], dict]:
    """The notebooks to run for ``month``, and why each of the others is not built."""
    run, skipped = [], {}
    for nb in notebooks:
        absent = [s for s in nb.needs if s not in catalog]
        no_rows = [
            s for s in nb.needs if s in catalog and coverage.get(s) is not None and month not in coverage[s]["months"]
        ]
        if not absent and not no_rows:
            run.append(nb)
            continue
        reasons = []
        if absent:
            # A source of the right table under another name is the likely slip in a new catalog.
            renames = [
                f"rename {other!r} to {source!r}"
                for source in absent
                for other in catalog
                if catalog.table_of(other) == source and other not in nb.needs
            ]
            reasons.append(
                f"needs the {_and(absent)} source{'s' if len(absent) > 1 else ''} in the catalog "
                f"({catalog.path.name} has {_and(list(catalog))}"
                + (f"; the analyses find sources by name: {_and(renames)}" if renames else "")
                + ")"
            )
        for source in no_rows:
            reasons.append(f"the {source} source has no rows in {month} ({_span(coverage[source])})")
        skipped[nb.name] = {
            "title": nb.title,
            "needs": list(nb.needs),
            "absent": absent,
            "no_rows": no_rows,
            "reason": "; ".join(reasons),
        }
    return run, skipped


def _and(names: list[str]) -> str:
    names = [str(n) for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _span(cov: dict) -> str:
    months = sorted(cov["months"])
    if not months:
        return f"its data end on {cov['last']:%Y-%m-%d}, before a month is complete"
    return f"its data cover {months[0]} to {months[-1]}"


def _footer(run: _Run) -> str:
    commit = _git_commit()
    values = {"version": _versions()["cxkit"], "run": run.run_id, "month": i18n.month(run.month)}
    values["built"] = f"{i18n.date(run.started)} {run.started:%H:%M}"
    if commit:
        return i18n.tr(
            "cxkit {version} · run {run} · month {month} · built {built} UTC · commit {commit} · "
            "inputs and versions in manifest.json",
            commit=commit[:10],
            **values,
        )
    return i18n.tr(
        "cxkit {version} · run {run} · month {month} · built {built} UTC · inputs and versions in manifest.json",
        **values,
    )


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(PROJECT_DIR), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=60
        )
        return out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    names = [
        "cxkit",
        "pandas",
        "numpy",
        "scipy",
        "statsmodels",
        "seaborn",
        "matplotlib",
        "papermill",
        "nbconvert",
        "nbclient",
        "ipykernel",
        "pyarrow",
    ]
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


# --------------------------------------------------------------------------- the month's lock, the log, the working folder


@contextlib.contextmanager
def _claim_month(run: _Run) -> Iterator[None]:
    """Hold the month's lock (:class:`PackLocked` when another run holds it) and, holding it,
    clean up what a killed run left."""
    with _month_lock(run.out, run.month):
        _recover(run.out, run.month)
        yield


@contextlib.contextmanager
def _month_lock(out: Path, month: str) -> Iterator[None]:
    out.mkdir(parents=True, exist_ok=True)
    lock_path = out / f".{month}.lock"
    handle = open(lock_path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another run"
        handle.close()
        raise PackLocked(f"{out / month} is being built by {holder}; wait for it to finish, then run again.") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} since {dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%M:%SZ}")
    handle.flush()
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _recover(out: Path, month: str) -> None:
    """Clean what a killed run left behind (we hold the month's lock, so no run is active)."""
    final = out / month
    olds = sorted(out.glob(f".{month}.old-*"))
    if not final.exists() and olds:
        olds[-1].rename(final)  # killed between the two fallback renames: restore the previous pack
    for leftover in list(out.glob(f".{month}.tmp-*")) + list(out.glob(f".{month}.old-*")):
        shutil.rmtree(leftover, ignore_errors=True)


@contextlib.contextmanager
def _run_log(run: _Run) -> Iterator[None]:
    """Everything the run reports also goes to ``reports/_logs/<month>-<run-id>.log``, and so do
    the warnings of papermill and nbclient ("Kernel died while waiting for execute reply"),
    which would otherwise reach stderr beside the run's own one-line message."""
    run.log_path.parent.mkdir(parents=True, exist_ok=True)
    handler = _QuietFileHandler(run.log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    handler.addFilter(mask_log_record)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    papermill_log = logging.getLogger("papermill")
    papermill_log.addHandler(handler)
    try:
        yield
    finally:
        papermill_log.removeHandler(handler)
        log.removeHandler(handler)
        handler.close()


_LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"


class _QuietFileHandler(logging.FileHandler):
    """The run's log file. A line it cannot write (a full disk) is dropped without logging's
    traceback on stderr: the run then ends with one line saying why (:func:`_ending`)."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


@contextlib.contextmanager
def _working_folder(run: _Run, snapshots: Path) -> Iterator[None]:
    """The pack is built in a hidden folder beside the final one, with the snapshots and the
    notebooks' result parts inside; on any failure it is removed, the previous pack untouched."""
    run.tmp.mkdir(parents=True)
    snapshots.rename(run.tmp / "_inputs")
    run.parts_dir.mkdir()
    try:
        yield
    except BaseException:
        shutil.rmtree(run.tmp, ignore_errors=True)
        raise


def _announce(run: _Run) -> None:
    run.progress(
        f"run {run.run_id}: {len(run.notebooks)} notebook(s), {run.jobs} at a time, catalog {run.catalog_path}"
        + (f", heavy steps on the Dask scheduler {run.scheduler}" if run.scheduler else "")
    )
    if run.month_note:
        run.notice(f"no --month given: {run.month_note}")
    for name, why in run.skipped.items():
        # A source missing from the catalog is by design (say so as progress); a source that
        # has no rows this month is news for whoever scheduled the run.
        (run.notice if why["no_rows"] else run.progress)(f"{name}: not built: {why['reason']}")


# --------------------------------------------------------------------------- 4. execute


def _notebook_parameters(run: _Run) -> dict[str, dict]:
    """Each notebook's parameters, checked against its parameters cell (:func:`_check_parameters`).

    The notebooks read the sources as validated here, from Parquet: each notebook sees exactly
    the same rows, and none parses the raw exports again.
    """
    snapshot = run.tmp / "_inputs" / "cxkit.yaml"
    params = {}
    for nb in run.notebooks:
        values = {
            "month": run.month,
            "catalog": str(snapshot),
            "results_path": str(run.parts_dir / f"{nb.name}.json"),
            "scheduler": run.scheduler,
            "language": run.language,
        }
        params[nb.name] = _check_parameters(
            nb, {k: v for k, v in values.items() if k in nb.parameters}, run.allowed_dirs
        )
    return params


_TYPES: dict[str, type | tuple[type, ...]] = {
    "str": str,
    "int": int,
    "float": (int, float),
    "bool": bool,
    "list": list,
    "dict": dict,
}


def _check_parameters(notebook: PackNotebook, values: dict, allowed_dirs: list[Path]) -> dict:
    """Only declared parameters, with their declared types; paths must stay inside allowed dirs."""
    declared = notebook.parameters
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise ParameterError(
            f"{notebook.path.name}: unknown parameter(s) {unknown}; it declares "
            f"{sorted(declared)} in its parameters cell.",
            notebook=notebook.name,
        )
    for name, value in values.items():
        type_name = (declared[name].get("inferred_type_name") or "").split("[")[0].strip()
        expected = _TYPES.get(type_name)
        if expected is not None and not (
            isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        ):
            raise ParameterError(
                f"{notebook.path.name}: parameter {name!r} must be {type_name}, got {type(value).__name__} {value!r}.",
                notebook=notebook.name,
            )
        if name.endswith(("_path", "catalog")) and isinstance(value, str) and value:
            resolved = Path(value).resolve()
            if not any(resolved == d or d in resolved.parents for d in allowed_dirs):
                raise ParameterError(
                    f"{notebook.path.name}: parameter {name!r} = {value!r} is outside the "
                    "project and the catalog's data folders.",
                    notebook=notebook.name,
                )
    return values


def _execute(run: _Run, parameters: dict[str, dict]) -> dict[str, dict]:
    """Run the notebooks, longest first (:func:`_run_order`), in ``run.jobs`` kernels that each
    take the next notebook when they are free (:func:`_run_in_one_kernel`); each notebook that
    succeeds is exported on a side thread while the next one runs. In a terminal a progress bar
    counts the notebooks (:func:`_notebook_bar`). Returns each notebook's outcome in the order
    they were started, its export (a future) under ``"export"``."""
    order = _run_order(run.notebooks, _previous_durations(run.out))
    todo = _Schedule(order, run)
    outcomes: dict[str, dict] = {}
    kernels = min(run.jobs, len(order))
    with (
        _notebook_bar(run) as run.bar,
        futures.ThreadPoolExecutor(max_workers=1) as run.export_pool,
        futures.ThreadPoolExecutor(max_workers=kernels) as pool,
    ):
        running = {pool.submit(_run_in_one_kernel, run, todo, parameters, outcomes) for _ in range(kernels)}
        while running:
            done, running = futures.wait(running, timeout=0.5)
            for kernel in done:
                kernel.result()
            _tick(run)
    run.bar = None
    return {nb.name: outcomes[nb.name] for nb in order}


def _notebook_bar(run: _Run) -> contextlib.AbstractContextManager[Any]:
    """A progress bar over the notebooks (:mod:`cxkit.progress`: it appears after two seconds)
    in a terminal only: none under ``--quiet`` or when stderr is a file or a pipe (cron, logs)."""
    if run.quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    from .. import progress

    return cast(
        contextlib.AbstractContextManager[Any],
        progress.bar(len(run.notebooks), f"cxkit report {run.month}", unit="notebook"),
    )


def _tick(run: _Run, *, finished: PackNotebook | None = None, started: PackNotebook | None = None) -> None:
    """Move the progress bar (if any): a notebook finished or started, or only time passed (the
    bar then appears once the run has taken :data:`cxkit.progress.DELAY` seconds and its clock
    keeps running during a long notebook). The bar names the notebooks running."""
    if run.bar is None:
        return
    with run.bar_lock:
        if started is not None:
            run.running.append(started.name)
        if finished is not None:
            run.running.remove(finished.name)
        if started is not None or finished is not None:
            run.bar.set_postfix_str(", ".join(run.running), refresh=False)
        run.bar.update(1 if finished is not None else 0)


def _memory_need(notebook: PackNotebook, sizes: dict[str, int]) -> int:
    """The peak memory a notebook's kernel is expected to reach: a kernel's own
    (:data:`_KERNEL_BYTES`) plus the notebook's ``memory`` factor times the in-memory size of
    the validated sources it needs.

    The factors are measured, not derived: each notebook's metadata holds its kernel's peak
    over those bytes on the 1x input of ``benchmarks/scale.py`` (rounded up; 10x gave lower
    ratios), :data:`_WORKING_SET` for a notebook that does not say."""
    data = sum(sizes.get(name, 0) for name in notebook.needs)
    return _KERNEL_BYTES + int(notebook.memory * data)


class _Schedule:
    """The notebooks still to run, in order, handed to the kernels within ``run.max_memory``.

    A kernel takes the first notebook whose estimated peak (:func:`_memory_need`), with those
    of the notebooks running and the runner's own memory, fits in the budget; when none fits
    it waits for a running one to finish. With nothing running, the first notebook starts
    whatever its estimate: a notebook bigger than the budget runs alone."""

    def __init__(self, order: list[PackNotebook], run: _Run):
        self.todo = list(order)
        self.stop = run.stop
        self.need = {nb.name: _memory_need(nb, run.sizes) for nb in order}
        self.budget = run.max_memory
        self.running: dict[str, int] = {}
        self.changed = threading.Condition()
        self.waited: set[str] = set()  # notebooks that waited for memory (logged once each)

    def empty(self) -> bool:
        with self.changed:
            return not self.todo

    def take(self, before_waiting: Any = None) -> PackNotebook | None:
        """The next notebook to run in the calling kernel, or None when none is left or the
        run is stopping (a signal, :attr:`_Run.stop`). ``before_waiting`` is called (once)
        when the kernel has to wait for memory: it shuts an idle kernel down, so its memory is
        free for the notebooks running."""
        with self.changed:
            while self.todo and not self.stop.is_set():
                notebook = self._fitting()
                if notebook is not None:
                    self.todo.remove(notebook)
                    self.running[notebook.name] = self.need[notebook.name]
                    return notebook
                for nb in self.todo:
                    if nb.name not in self.waited:
                        self.waited.add(nb.name)
                        log.info(
                            "%s: waits for memory (estimated %.1f GiB; %.1f GiB running, budget %.1f GiB)",
                            nb.name,
                            self.need[nb.name] / 2**30,
                            sum(self.running.values()) / 2**30,
                            (self.budget or 0) / 2**30,
                        )
                if before_waiting is not None:
                    before_waiting()
                    before_waiting = None
                self.changed.wait(timeout=0.5)  # a signal sets run.stop without notifying
            return None

    def _fitting(self) -> PackNotebook | None:
        if not self.running or self.budget is None:
            return self.todo[0]
        import psutil

        used = psutil.Process().memory_info().rss + sum(self.running.values())
        return next((nb for nb in self.todo if used + self.need[nb.name] <= self.budget), None)

    def finished(self, notebook: PackNotebook) -> None:
        with self.changed:
            self.running.pop(notebook.name, None)
            self.changed.notify_all()


def _run_in_one_kernel(run: _Run, todo: _Schedule, parameters: dict, outcomes: dict) -> None:
    """One of the run's kernels: it runs the next notebook of ``todo`` until none is left.

    Its notebooks run one after another in the same kernel, the namespace reset between them
    (:data:`_RESET`): starting a kernel and importing cxkit, pandas, matplotlib and statsmodels
    (about 3 s of CPU) is paid once per kernel instead of once per notebook. A notebook that
    fails takes its kernel with it (a kernel that timed out may still be running the cell, one
    that died is gone): the next notebook gets a new kernel.
    """
    kernel = _Kernel(run)
    try:
        while not run.stop.is_set():  # a signal stops the run: no new notebook starts
            notebook = todo.take(before_waiting=kernel.retire)
            if notebook is None:
                return
            try:
                _tick(run, started=notebook)
                kernel.get().cxkit_reset_after = not todo.empty()  # none left: this kernel's last notebook
                outcome = outcomes[notebook.name] = _execute_notebook(run, notebook, parameters[notebook.name], kernel)
                if outcome["outcome"] != "ok" or not kernel.reusable:
                    kernel.retire()
                _tick(run, finished=notebook)
            finally:
                todo.finished(notebook)
    finally:
        kernel.retire()


class _Kernel:
    """The kernel one of the run's threads runs its notebooks in, started on first use."""

    def __init__(self, run: _Run):
        self.stderr_path = run.log_path
        self.threads = kernel_threads(run.jobs)
        self.stop = run.stop
        self.manager: Any = None

    def get(self) -> Any:
        """The kernel manager (a new kernel starts when papermill first uses it)."""
        if self.manager is None:
            # A class per kernel: its ``died`` list is then this kernel's alone.
            self.manager = _ipc_kernel_manager(self.stderr_path, self.threads, self.stop)(kernel_name="python3")
        return self.manager

    @property
    def reusable(self) -> bool:
        return self.manager is None or getattr(self.manager, "cxkit_reusable", True)

    def retire(self) -> list:
        """Shut the kernel down; the next notebook gets a new one. Returns the kernel's exit
        code in a list when it had exited already (it died; see :func:`_ipc_kernel_manager`)."""
        manager, self.manager = self.manager, None
        if manager is None:
            return []
        from jupyter_core.utils import run_sync

        if manager.has_kernel:
            try:
                run_sync(manager.shutdown_kernel)(now=False)
            except Exception as exc:  # a kernel that cannot be shut down cleanly is gone all the same
                log.warning("shutting a kernel down: %s: %s", type(exc).__name__, exc)
        return list(type(manager).died)


#: Run in a kernel after each notebook that succeeded when it has another to run: the next
#: notebook starts as in a new kernel (no variable, figure, matplotlib setting, Dask connection
#: or progress switch of the one before), with the modules already imported. ``%reset`` ends
#: with two full garbage collections; what survives them (modules, caches) is then frozen
#: (``gc.freeze``), so later collections, in the next notebook and at its reset, skip it: the
#: three full collections of a kernel holding pandas, scipy and matplotlib took ~0.6 s a reset.
#: Then the freed memory goes back to the system (:func:`cxkit.data.catalog.release_memory`):
#: pyarrow's pool and glibc's heap would keep the last notebook's peak for the next one.
_RESET = """\
def _cxkit_reset():
    import sys
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "matplotlib" in sys.modules:
        sys.modules["matplotlib"].rc_file_defaults()
    if "cxkit" in sys.modules:
        sys.modules["cxkit"].connect(None)
        sys.modules["cxkit"].set_progress(None)
_cxkit_reset()
get_ipython().run_line_magic("reset", "-f")
import gc
gc.freeze()
del gc
def _cxkit_release():
    import sys
    if "cxkit.data.catalog" in sys.modules:
        sys.modules["cxkit.data.catalog"].release_memory()
_cxkit_release()
del _cxkit_release
"""

_ENGINE = "cxkit"


def _register_engine() -> str:
    """Register (once) and name papermill's nbclient engine as the pack runs it. Two changes,
    through papermill's extension point (engines are registered by name):

    - the executed notebook is written when the run of its cells ends (papermill's ``finally``:
      after an error, a cell timeout or a dead kernel too, with the cells that ran), not before
      and after every cell: those 60 writes of a growing notebook cost the runner about a
      second of CPU per pack and gave no more evidence;
    - it runs in the kernel it is given (``km``) and leaves it running with its namespace reset
      (:data:`_RESET`) for the runner's next notebook (:func:`_run_in_one_kernel`).
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    if _ENGINE in papermill_engines._engines:
        return _ENGINE

    class WrittenAtTheEnd(NotebookExecutionManager):  # type: ignore[misc]  # papermill is not followed: Any
        ending = False

        def save(self, **kwargs: Any) -> Any:
            if self.ending:
                return super().save(**kwargs)
            self.last_save_time = self.now()
            return None

        def notebook_complete(self, **kwargs: Any) -> Any:
            self.ending = True
            return super().notebook_complete(**kwargs)

    class ClientInGivenKernel(PapermillNotebookClient):  # type: ignore[misc]  # papermill is not followed: Any
        def execute(self, **kwargs: Any) -> Any:
            try:
                return super().execute(**kwargs)
            finally:
                client: Any = getattr(self, "kc", None)
                if client is not None:  # the kernel stays for the next notebook; this client goes
                    client.stop_channels()
                    self.kc = None

        def papermill_execute_cells(self) -> None:
            super().papermill_execute_cells()
            if not getattr(self.km, "cxkit_reset_after", True):  # its last notebook: the kernel is shut down
                return
            stop = _LIVE_KERNELS.get(self.km)
            if stop is not None and stop.is_set():  # a signal killed it: no reset, no reuse
                self.km.cxkit_reusable = False
                return
            client: Any = self.kc
            try:
                reply = self.wait_for_reply(client.execute(_RESET, silent=True, store_history=False))
                ok = reply is not None and reply["content"]["status"] == "ok"
            except Exception:  # any failure: the kernel is not reused
                ok = False
            if not ok:
                self.km.cxkit_reusable = False

    class Engine(NBClientEngine):  # type: ignore[misc]  # papermill is not followed: Any
        @classmethod
        def execute_notebook(
            cls,
            nb: Any,
            kernel_name: str,
            output_path: Any = None,
            progress_bar: bool = True,
            log_output: bool = False,
            autosave_cell_every: int = 30,
            **kwargs: Any,
        ) -> Any:
            # papermill's Engine.execute_notebook, with the manager above.
            nb_man = WrittenAtTheEnd(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            **kwargs: Any,
        ) -> Any:
            # papermill's NBClientEngine.execute_managed_notebook, with the client above.
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logging.getLogger("papermill"),
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                # How long a wait for a reply lasts before the kernel is checked: nbclient's 5 s
                # made each wait on a killed kernel (a signal, a crash) last 5 s.
                shell_timeout_interval=1,
            )
            return ClientInGivenKernel(nb_man, **final_kwargs).execute()

    papermill_engines.register(_ENGINE, Engine)
    return _ENGINE


def _run_order(notebooks: list[PackNotebook], previous: dict[str, float]) -> list[PackNotebook]:
    """Longest first: with fewer cores than notebooks, the slowest notebook then never starts
    last and holds up the whole pack. Durations come from the last pack in the same folder;
    when a notebook has none (a first run, a new notebook), more code cells go first."""
    if all(nb.name in previous for nb in notebooks):
        return sorted(notebooks, key=lambda nb: -previous[nb.name])
    return sorted(notebooks, key=lambda nb: -nb.code_cells)


def _previous_durations(out: Path) -> dict[str, float]:
    """Each notebook's duration in the most recent successful pack under ``out``."""
    manifests = sorted(out.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]/manifest.json"), key=lambda p: p.stat().st_mtime)
    for manifest in reversed(manifests):
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            notebooks = json.loads(manifest.read_text(encoding="utf-8"))["notebooks"]
            return {name: float(info["seconds"]) for name, info in notebooks.items()}
    return {}


def _localised(run: _Run, notebook: PackNotebook) -> Path:
    """The notebook to run: itself in English; otherwise a copy in the working folder with its
    markdown cells in the report language (its code cells unchanged)."""
    if run.language == "en":
        return notebook.path
    nb = nbformat.read(notebook.path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.strip():
            cell.source = i18n.translate(cell.source)
    path = run.tmp / "_inputs" / "notebooks" / notebook.path.name  # removed when the pack is published
    path.parent.mkdir(exist_ok=True)
    nbformat.write(nb, path)
    return path


def _execute_notebook(run: _Run, notebook: PackNotebook, params: dict, kernel: _Kernel) -> dict:
    import papermill

    from .export import export_html

    output = run.tmp / f"{notebook.name}.ipynb"
    started = time.perf_counter()
    run.progress(f"{notebook.name}: running")
    outcome: dict[str, Any] = {
        "notebook": notebook.name,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    try:
        papermill.execute_notebook(
            _literal_path(_localised(run, notebook)),
            _literal_path(output),
            parameters=params,
            engine_name=_register_engine(),
            km=kernel.get(),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            execution_timeout=run.timeout,
            # The kernel starts in the notebook's folder. Not papermill's ``cwd``: that changes
            # the working directory of the whole process, under the other kernels' threads too.
            resources={"metadata": {"path": str(notebook.path.parent)}},
            # A kernel start is not what the cell timeout measures, but on a loaded machine it
            # can take minutes: it gets at least as long as a cell.
            start_timeout=max(120, run.timeout),
            # The output path reaches the engine, which writes the notebook when its run ends,
            # after a timeout or a dead kernel too (the evidence of the cells that ran).
            request_save_on_cell_execute=True,
        )
    except Exception as exc:  # papermill, nbclient and kernel errors are all classified below
        if hasattr(exc, "ename"):  # PapermillExecutionError: the failing cell's own error
            error = f"{exc.ename}: {exc.evalue} (cell {getattr(exc, 'exec_count', '?')})"  # type: ignore[attr-defined]  # hasattr narrows ename only
        else:
            lines = [ln for ln in str(exc).strip().splitlines() if ln.strip()]
            error = f"{type(exc).__name__}: {lines[0] if lines else ''}"
        died = kernel.retire()
        kernel_died = bool(died)
        if kernel_died and type(exc).__name__ != "DeadKernelError":
            error = f"the kernel died (exit code {died[0]}) while a cell ran; {error}"
        outcome.update(
            outcome=_classify(exc, kernel_died=kernel_died).__name__,
            error=error[:500],
            seconds=round(time.perf_counter() - started, 3),
        )
        evidence = (
            nbformat.read(output, as_version=4) if output.exists() else nbformat.read(notebook.path, as_version=4)
        )
        evidence.cells.insert(0, nbformat.v4.new_markdown_cell(f"**cxkit: this notebook failed**: {error}"))
        nbformat.write(evidence, output)
        outcome["exception"] = exc
        return outcome
    nb = nbformat.read(output, as_version=4)
    skipped = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count") is None]
    errors = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", []))
    ]
    if skipped or errors:
        # papermill can report success for a kernel that ran sys.exit(): cells after it never ran.
        where = errors[0] if errors else skipped[0]
        outcome.update(
            outcome="NotebookError",
            error=f"the notebook stopped early at cell {where} "
            f"({len(skipped)} cell(s) never ran); a cell called sys.exit() or raised",
            seconds=round(time.perf_counter() - started, 3),
        )
        return outcome
    outcome.update(outcome="ok", seconds=round(time.perf_counter() - started, 3))
    run.progress(f"{notebook.name}: done in {outcome['seconds']:.1f} s")
    # Exported on the export thread while this one starts the next notebook's kernel.
    assert run.export_pool is not None  # _execute runs the notebooks inside its export pool
    outcome["export"] = run.export_pool.submit(
        export_html,
        nb,
        run.tmp / f"{notebook.name}.html",
        title=i18n.translate(notebook.title),
        month=run.month,
        footer=run.footer,
    )
    return outcome


def _classify(exc: BaseException, *, kernel_died: bool = False) -> type[PackError]:
    """The exit class of a failed notebook. ``kernel_died``: the kernel process had already
    exited when the runner began to shut it down. A kernel killed mid-cell (SIGKILL, the
    out-of-memory killer) is then reported as dead even when the cell's timeout fired before
    nbclient noticed the death (a race that a loaded machine loses)."""
    name = type(exc).__name__
    if name == "DeadKernelError" or kernel_died:
        return KernelDied
    if _notebook_errno(exc) in _CANNOT_WRITE:  # the notebook could not write: a full or read-only disk
        return OutputError
    if name == "CellTimeoutError" or isinstance(exc, TimeoutError):
        return NotebookTimeout
    return NotebookError


def _ipc_kernel_manager(
    stderr_path: Path | None = None, threads: int | None = None, stop: threading.Event | None = None
) -> type[Any]:
    """Kernels talk to the runner over local IPC sockets, not TCP ports on localhost; their
    own stderr (start-up warnings, shutdown noise, crash messages) goes to the run's log.
    ``threads`` caps the BLAS/OpenMP threads of each kernel (a value the user set in the
    environment wins).

    The kernel's files in the temporary folder (its connection file and sockets) are named
    ``cxkit-kernel-<runner pid>-<id>``, so a later run can tell those of a killed runner
    (:func:`_remove_stale_kernel_files`). With ``stop``, the kernel is listed while it runs and
    killed when ``stop`` is set (a signal, :func:`_kill_kernels`); none starts after that."""
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):  # type: ignore[misc]  # jupyter_client is not followed: Any
        #: Exit codes of this class's kernels that had already exited when shutdown began.
        died: list = []  # noqa: RUF012 (one list per class: _ipc_kernel_manager makes a class per kernel)

        async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            process = getattr(self.provisioner, "process", None)
            code = process.poll() if process is not None else None
            if code is not None:
                type(self).died.append(code)
            try:
                return await super()._async_shutdown_kernel(now=now, restart=restart)
            finally:
                _LIVE_KERNELS.pop(self, None)

        shutdown_kernel = _async_shutdown_kernel

        async def _async_start_kernel(self, **kw):
            if stderr_path is not None:
                kw.setdefault("stderr", open(stderr_path, "ab"))
            kw["env"] = kernel_environment(dict(kw.get("env") or os.environ), threads)
            if stop is not None and stop.is_set():
                raise RuntimeError("the run is stopping: no kernel is started")
            started = await super()._async_start_kernel(**kw)
            if stop is not None:
                _LIVE_KERNELS[self] = stop
                if stop.is_set():  # the signal came while this kernel started
                    _kill_kernel(self)
            return started

        start_kernel = _async_start_kernel

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            # Forked from a warm kernel server when one runs (cxkit.pack.kernels).
            return kernel_command(super().format_kernel_cmd(extra_arguments))

        def __init__(self, **kwargs):
            # Each kernel needs its own socket path prefix: kernels started side by side from one
            # folder would otherwise share "kernel-ipc-N" files and reject each other's messages.
            # The runner's pid in the name tells a later run whether these files are stale.
            prefix = os.path.join(tempfile.gettempdir(), f"{_KERNEL_FILES}{os.getpid()}-{uuid.uuid4().hex[:12]}")
            kwargs.setdefault("connection_file", prefix + ".json")
            # A socket's path must fit in 108 bytes (104 on macOS); under a long TMPDIR the kernel
            # talks TCP on localhost instead (ZMQError "File name too long" otherwise).
            if len(os.fsencode(prefix)) + len("-99") < _SOCKET_PATH_MAX:
                kwargs.setdefault("transport", "ipc")
                kwargs.setdefault("ip", prefix)
            kwargs.setdefault("shutdown_wait_time", _KERNEL_SHUTDOWN_WAIT)
            super().__init__(**kwargs)

    return IPCKernelManager


# --------------------------------------------------------------------------- 5. export


def _export(run: _Run, outcomes: dict[str, dict]) -> None:
    """Finish the pages. The exports done on the side thread are collected (an export error is
    the run's error); when a notebook failed, the failed notebooks are kept with their pages
    under ``_failed/<run-id>/`` and the run stops with the first failure's error
    (:func:`_keep_failed`); a page not written yet is exported now."""
    from .export import export_html

    for r in outcomes.values():
        if "export" in r:
            r.pop("export").result()
    results = [outcomes[nb.name] for nb in run.notebooks]
    for r in results:
        run.outcomes[r["notebook"]] = {k: v for k, v in r.items() if k != "exception"}
    failures = [r for r in results if r["outcome"] != "ok"]
    if failures:
        _keep_failed(run, failures)
    for nb in run.notebooks:
        if not (run.tmp / f"{nb.name}.html").exists():  # notebooks that ran are exported as they finish
            executed = nbformat.read(run.tmp / f"{nb.name}.ipynb", as_version=4)
            export_html(
                executed,
                run.tmp / f"{nb.name}.html",
                title=i18n.translate(nb.title),
                month=run.month,
                footer=run.footer,
            )


def _keep_failed(run: _Run, failures: list) -> None:
    from .export import export_html

    titles = {nb.name: i18n.translate(nb.title) for nb in run.notebooks}
    failed_dir = run.out / "_failed" / run.run_id
    failed_dir.mkdir(parents=True, exist_ok=True)
    for failure in failures:
        name = failure["notebook"]
        executed = run.tmp / f"{name}.ipynb"
        if executed.exists():
            shutil.copy2(executed, failed_dir / f"{name}.ipynb")
            with contextlib.suppress(Exception):  # the HTML is a courtesy; the notebook is the evidence
                export_html(
                    nbformat.read(executed, as_version=4),
                    failed_dir / f"{name}.html",
                    title=f"FAILED: {titles[name]}",
                    month=run.month,
                    footer=run.footer,
                    show_code=True,
                )
    (failed_dir / "outcomes.json").write_text(json.dumps(run.outcomes, indent=2), encoding="utf-8")
    for failure in failures:
        log.error("%s failed: %s (%s)", failure["notebook"], failure["outcome"], failure["error"])
    first = failures[0]
    classes = {"NotebookTimeout": NotebookTimeout, "KernelDied": KernelDied, "OutputError": OutputError}
    cls = classes.get(first["outcome"], NotebookError)
    names = ", ".join(f"{f['notebook']} ({f['error']})" for f in failures)
    raise cls(
        f"{len(failures)} notebook(s) failed: {names}. The previous pack is untouched; the executed "
        f"notebook(s) are in {failed_dir}.",
        notebook=first["notebook"],
        failed_dir=failed_dir,
    )


# --------------------------------------------------------------------------- 6. merge results, 7. index, 8. manifest


def _merge_results(run: _Run, quality: dict) -> dict:
    """The notebooks' result parts and the data quality, merged into ``results.json``: stable
    keys first (null for an analysis that was not built), then the rest by name."""
    from .results import merge_results

    parts = []
    sections_skipped = []  # the sections each page could not compute from the data (issue 23)
    for nb in run.notebooks:
        part = run.parts_dir / f"{nb.name}.json"
        if part.exists():
            loaded = json.loads(part.read_text(encoding="utf-8"))
            for entry in loaded.pop("skipped_sections", None) or []:
                sections_skipped.append({"page": nb.name, **entry})
            run.results_keys[nb.name] = sorted(loaded)
            parts.append(loaded)
    skipped = dict(run.skipped)
    if run.previous is not None:  # --only: the kept pages' results, skipped sections and outcomes
        before, manifest = run.previous["results"], run.previous["manifest"]
        kept = {nb.name for nb in run.kept}
        for name in kept:
            keys = manifest["results_keys"].get(name, [])
            run.results_keys[name] = keys
            parts.append({key: before[key] for key in keys if key in before})
            outcome = (manifest.get("notebooks") or {}).get(name)
            if outcome:
                run.outcomes[name] = {**outcome, "kept_from_run": manifest.get("run_id")}
        sections_skipped += [e for e in before.get("sections_skipped") or [] if e.get("page") in kept]
        rebuilt = {nb.name for nb in run.notebooks}
        for name, why in (before.get("skipped") or {}).items():
            if name not in rebuilt and name not in kept:
                skipped.setdefault(name, why)
    run.sections_skipped = sections_skipped
    results = {
        "month": run.month,
        **merge_results(parts),
        "data_quality": quality,
        "skipped": skipped,
        "sections_skipped": sections_skipped,
    }
    for key in _STABLE_KEYS:
        results.setdefault(key, None)
    # Personal data in a segment, theme or source name is masked here, once for results.json and the index.
    results = mask_nested({k: results[k] for k in sorted(results, key=_key_order)})
    (run.tmp / "results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False, allow_nan=False), encoding="utf-8"
    )
    return results


_STABLE_KEYS = [
    "month",
    "nps",
    "csat",
    "ces",
    "drivers",
    "sentiment",
    "churn",
    "journey",
    "data_quality",
    "skipped",
    "sections_skipped",
]


def _key_order(key: str) -> tuple:
    return (_STABLE_KEYS.index(key) if key in _STABLE_KEYS else len(_STABLE_KEYS), key)


def _write_index(run: _Run, results: dict) -> None:
    from .index import write_index

    shown = {nb.name for nb in run.notebooks} | {nb.name for nb in run.kept}
    write_index(
        run.tmp / "index.html",
        results,
        notebooks=[nb for nb in sorted(run.notebooks + run.kept, key=lambda nb: nb.order) if nb.name in shown],
        footer=run.footer,
        notes=[run.month_note[:1].upper() + run.month_note[1:]] if run.month_note else None,
    )


def _brand_pages(run: _Run, brand: Any) -> None:
    """The catalog's ``brand:`` (company, logo, accent) on every page of the pack, the kept ones
    of ``--only`` too (:func:`cxkit.branding.apply_brand` replaces an older brand)."""
    from ..branding import apply_brand

    for page in sorted(run.tmp.rglob("*.html")):
        if "_inputs" in page.relative_to(run.tmp).parts:
            continue
        text = page.read_text(encoding="utf-8")
        branded = apply_brand(text, brand)
        if branded != text:
            page.write_text(branded, encoding="utf-8")


def _write_pdf(run: _Run) -> None:
    from .pdf import write_pdf

    started = time.perf_counter()
    path = write_pdf(run.tmp, run.tmp / f"pack-{run.month}.pdf", month=run.month)
    run.progress(f"PDF: {path.name}, {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")


def _write_manifest(run: _Run, provenance: dict) -> None:
    """``manifest.json``: the parameters, the inputs (files and hashes, SQL sources without
    secrets), each notebook's outcome and time, the package versions and the git commit."""
    manifest = {
        "run_id": run.run_id,
        "month": run.month,
        "parameters": {
            "month": run.month,
            "catalog": str(run.catalog_path),
            "timeout": run.timeout,
            "jobs": run.jobs,
            "notebooks": [n.name for n in run.notebooks],
            "language": run.language,
        },
        "month_note": run.month_note,
        "skipped": run.skipped,
        "sections_skipped": run.sections_skipped,
        "results_keys": run.results_keys,
        "kept": {nb.name: run.previous["manifest"].get("run_id") for nb in run.kept} if run.previous else {},
        "started_utc": run.started.isoformat(timespec="seconds"),
        "finished_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - run.t0, 3),
        "inputs": provenance,
        "notebooks": run.outcomes,
        "versions": _versions(),
        "git_commit": _git_commit(),
        "platform": {"system": platform.system(), "machine": platform.machine(), "cpus": os.cpu_count()},
    }
    (run.tmp / "manifest.json").write_text(
        json.dumps(mask_nested(manifest), indent=2, ensure_ascii=False), encoding="utf-8"
    )


def _summarise(run: _Run, results: dict) -> None:
    """Issue 27: the summary, KPI trends and targets, drill-down pages, ``alerts.json`` and the
    opt-in internal follow-up file (:func:`cxkit.pack.summary.summarise_pack`, which adds its
    keys to ``results`` and ``results.json``); the index is rewritten with them, and each alert is
    printed as one line even with ``--quiet``."""
    from .summary import summarise_pack

    alerts = summarise_pack(
        run.tmp,
        results,
        catalog=run.tmp / "_inputs" / "cxkit.yaml",
        out=run.out,
        month=run.month,
        reviews_file=run.parts_dir / "review_sentiment.reviews.parquet",
        comments_file=run.parts_dir / "review_sentiment.comments.parquet",
    )
    _write_index(run, results)
    for line in alerts:
        run.notice(line)


# --------------------------------------------------------------------------- 9. publish


def _publish(run: _Run) -> Path:
    """Leave only what is for reading (the executed notebooks stay only for failures), then
    put the pack in place (:func:`_move_into_place`)."""
    shutil.rmtree(run.parts_dir)
    shutil.rmtree(run.tmp / "_inputs")
    for executed in run.tmp.glob("*.ipynb"):
        executed.unlink()
    final = _move_into_place(run)
    run.progress(f"pack written to {final} in {time.perf_counter() - run.t0:.1f} s")
    return final


def _move_into_place(run: _Run) -> Path:
    """Put the finished folder in place. With an existing pack the two folders are swapped in
    one atomic step, so at every instant ``reports/YYYY-MM`` is either the old or the new pack."""
    final = run.out / run.month
    if not final.exists():
        run.tmp.rename(final)
        return final
    if _exchange(run.tmp, final):
        shutil.rmtree(run.tmp, ignore_errors=True)  # now holds the previous pack
        return final
    old = run.out / f".{run.month}.old-{run.run_id}"  # fallback: two renames, recovered at next start
    final.rename(old)
    run.tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False when unsupported."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


# --------------------------------------------------------------------------- how a run that cannot finish ends


@dataclass
class _Ending:
    """What :func:`_ending` needs to end a run: its output folder, the run once planned, and
    the signal that stopped it, if any."""

    out: Path
    month: str | None
    stop: threading.Event = field(default_factory=threading.Event)
    signum: int | None = None
    run: _Run | None = None

    def watch(self, run: _Run) -> None:
        """From now on a signal stops ``run``'s kernels and a fault is logged in its log."""
        self.run = run
        self.month = run.month
        run.stop = self.stop


@contextlib.contextmanager
def _ending(request: _Request) -> Iterator[_Ending]:
    """The faults of a run, each ended the same way: a :class:`PackError` with its exit code,
    a one-line message, a line in the run's log (:func:`_log_end`, whose path the error carries
    as ``log_path``), and, by the steps' own clean-up as the error passes them, the previous
    pack untouched and the working folder and snapshots removed.

    - SIGINT (Ctrl-C) and SIGTERM (while the run holds the main thread): the kernels are killed,
      no notebook starts, and the run ends with :class:`PackInterrupted` (exit 130 or 143). A
      second signal during that clean-up (seconds) is ignored; ``kill -9`` always works, and the
      next run removes what it left.
    - A read-only or not writable output folder, a full disk or quota: :class:`OutputError`
      (exit 11) naming the file and the fix.
    """
    ending = _Ending(request.out, request.month)
    error: PackError
    with _signals_stop_the_run(ending):
        try:
            yield ending
        except PackError as exc:
            _log_end(ending, exc, always=False)
            raise
        except KeyboardInterrupt:
            error = _interrupted(ending)
        except OSError as exc:
            why = _output_fault(exc, request.out)
            if why is None:
                _log_end(ending, exc, always=False)
                raise
            error = OutputError(why)
        except Exception as exc:  # a bug: the CLI writes its traceback to a log of its own
            _log_end(ending, exc, always=False)
            raise
        else:
            return
    _log_end(ending, error, always=True)
    raise error from None


@contextlib.contextmanager
def _signals_stop_the_run(ending: _Ending) -> Iterator[None]:
    """SIGINT and SIGTERM kill the run's kernels (the threads waiting on them then return within
    about a second) and raise ``KeyboardInterrupt`` in the main thread, which every step's
    clean-up lets pass: no ``except Exception`` in the runner can take it for a notebook's or a
    source's failure. Only in the main thread (Python delivers signals there alone); the
    previous handlers are put back at the end."""

    def stop(signum: int, frame: Any) -> None:
        if ending.stop.is_set():  # stopping already: let the clean-up finish
            return
        ending.signum = signum
        ending.stop.set()
        _kill_kernels(ending.stop)
        raise KeyboardInterrupt

    with handling_stops(stop):
        yield


def _interrupted(ending: _Ending) -> PackInterrupted:
    signum = ending.signum or signal.SIGINT  # a KeyboardInterrupt without our handler is a Ctrl-C
    ending.stop.set()
    _kill_kernels(ending.stop)
    _remove_own_kernel_files()
    final = ending.out / ending.month if ending.month else None
    untouched = (
        f"the previous pack in {final} is untouched" if final is not None and final.exists() else "no pack was written"
    )
    return PackInterrupted(
        f"{untouched}; the run's temporary folder and kernels are removed. Run the same command again to build "
        "the pack.",
        signum=signum,
    )


#: The kernels running now, each with the stop event of its run (see :func:`_ending`).
_LIVE_KERNELS: dict[Any, threading.Event] = {}
_KERNEL_FILES = "cxkit-kernel-"
_SOCKET_PATH_MAX = 104  # bytes of a Unix socket's path, with its final NUL (macOS; Linux has 108)
#: Seconds a kernel is given to exit after the runner asks it to shut down: half of them for a
#: clean exit, then SIGTERM, then the other half before SIGKILL (jupyter_client's
#: ``shutdown_wait_time``; its default 5 s). A kernel exits about 0.1 s after the request, but
#: ipykernel 7 sometimes hangs on the way out (its control thread waits on a flush the closing
#: iopub thread never serves; posit-dev/positron#7142 shows the same hang), and 2 of 5 sample
#: packs then waited the full 2.5 s before the SIGTERM. The kernel has nothing left to do
#: by then: the notebook and its results were received before the request.
_KERNEL_SHUTDOWN_WAIT = 1.0
_KERNEL_FILE = re.compile(r"^(cxkit-kernel-(\d+)-[0-9a-f]{12})(?:-\d+|\.json)$")  # prefix, runner pid


def _kill_kernels(stop: threading.Event) -> None:
    """Kill the kernels of the run that ``stop`` belongs to (a signal is stopping it)."""
    for manager, owner in list(_LIVE_KERNELS.items()):
        if owner is stop:
            _kill_kernel(manager)


def _kill_kernel(manager: Any) -> None:
    """SIGKILL a kernel's process group (the kernel runs in a session of its own): nbclient sees
    it dead within a second and the runner's thread shuts it down, removing its files."""
    provisioner = getattr(manager, "provisioner", None)
    pgid = getattr(provisioner, "pgid", None)
    process = getattr(provisioner, "process", None)
    with contextlib.suppress(OSError):
        if pgid and pgid != os.getpgrp():
            os.killpg(pgid, signal.SIGKILL)
        elif process is not None:
            process.kill()


def _remove_stale_kernel_files(folder: Path | None = None) -> list[Path]:
    """Remove the kernel files (connection file, sockets) of runners that are gone (``kill -9``,
    a machine that lost power): only those whose name carries a runner pid that no process has.
    Returns what was removed."""
    removed = []
    for path in Path(folder or tempfile.gettempdir()).glob(f"{_KERNEL_FILES}*"):
        match = _KERNEL_FILE.match(path.name)
        if match and not _alive(int(match.group(2))):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def _remove_own_kernel_files() -> None:
    """After a signal: this process's kernel files that no live kernel holds (a kernel that
    could not be shut down cleanly leaves them)."""
    live = {os.path.basename(getattr(m, "ip", "") or "") for m in _LIVE_KERNELS}
    for path in Path(tempfile.gettempdir()).glob(f"{_KERNEL_FILES}{os.getpid()}-*"):
        match = _KERNEL_FILE.match(path.name)
        if match and match.group(1) not in live:
            with contextlib.suppress(OSError):
                path.unlink()


_DISK_FULL = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is larger than the file system allows",
}
_CANNOT_WRITE = {*_DISK_FULL, errno.EROFS}


def _output_fault(exc: OSError, out: Path) -> str | None:
    """Why the pack cannot be written, with the fix, or None when ``exc`` is about something else
    (a permission error on an input is not the output's fault)."""
    where = os.fsdecode(exc.filename) if exc.filename is not None else None
    name = where or f"the pack in {out}"  # a write that fails on a full disk names no file
    if exc.errno in _DISK_FULL:
        return (
            f"cannot write {name}: {_DISK_FULL[exc.errno]} ({exc.strerror}). The previous pack is untouched. "
            f"Free space on the disk that holds {out}, or choose another --out, and run again."
        )
    inside = where is not None and _inside(Path(where), out)
    if exc.errno == errno.EROFS or (exc.errno in (errno.EACCES, errno.EPERM) and inside):
        return (
            f"cannot write {name}: {exc.strerror}. The previous pack is untouched. Make {out} writable "
            "for the user running cxkit, or choose another --out, and run again."
        )
    return None


def _inside(path: Path, folder: Path) -> bool:
    resolved = path if path.is_absolute() else Path.cwd() / path
    resolved = Path(os.path.normpath(resolved))
    return resolved == folder or folder in resolved.parents


def _notebook_errno(exc: BaseException) -> int | None:
    """The errno of an ``OSError`` a notebook's cell raised (papermill passes its text on)."""
    if getattr(exc, "ename", None) not in ("OSError", "PermissionError", "IOError"):
        return None
    match = re.match(r"\[Errno (\d+)\]", str(getattr(exc, "evalue", "")))
    return int(match.group(1)) if match else None


def _literal_path(path: Path) -> str:
    """A path for papermill, which fills ``{name}`` in its paths from the parameters
    (``str.format``): braces doubled, so ``out_{month}`` stays a folder's name."""
    return str(path).replace("{", "{{").replace("}", "}}")


def _log_end(ending: _Ending, exc: BaseException, *, always: bool) -> None:
    """One line in the run's log saying how it ended. Before the run has a log (or when the log
    cannot be written: a full disk), a fault (``always``) gets a log of its own beside the packs,
    else in the temporary folder; other errors (bad parameters, no data) are only printed."""
    code = getattr(exc, "exit_code", 10)
    line = f"run ended: exit {code} ({EXIT_CODES.get(code, 'failed')}): {type(exc).__name__}: {exc}"
    record = logging.makeLogRecord({"msg": line, "levelname": "ERROR", "levelno": logging.ERROR})
    text = logging.Formatter(_LOG_FORMAT).format(record) + "\n"
    stamp = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-pid{os.getpid()}"
    candidates = []
    if ending.run is not None and ending.run.log_path.exists():
        candidates.append(ending.run.log_path)
    if always:
        candidates += [
            ending.out / "_logs" / f"{ending.month or 'report'}-{stamp}.log",
            Path(tempfile.gettempdir()) / f"cxkit-report-{ending.month or 'report'}-{stamp}.log",
        ]
    for path in candidates:
        existed = path.exists()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(text)
        except OSError:
            if not existed:  # a full disk lets the file be made, not written: no empty log is left
                with contextlib.suppress(OSError):
                    path.unlink()
            continue
        if isinstance(exc, PackError):
            exc.log_path = path
        return
