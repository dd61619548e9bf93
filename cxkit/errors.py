"""Every error and warning cxkit raises on purpose, in one place.

Errors say which file (or SQL source), which column or row, and how to fix it; warnings say
what a number cannot be trusted for and what to do about it. Catch :class:`CxkitError` for any
error of cxkit's; filter :class:`CxkitWarning` (or one of its families) for its warnings.

Errors::

    CxkitError
    ├── SourceError, SchemaError, DataQualityError, CatalogError, TextsError   (reading data)
    ├── NotEnoughDataError     the data at hand cannot give a result (a section says why)
    ├── WrongScaleError        a column holds another scale than the analysis needs
    ├── ClusterError                                                           (the Dask cluster)
    └── PackError: ParameterError (exit 2), InvalidDataError (3), NotebookError (4),
        NotebookTimeout (5), KernelDied (6), PackLocked (7), NoDataError (8),
        SectionsSkipped (9, with --strict), OutputError (11),
        PackInterrupted (130 SIGINT, 143 SIGTERM)                           (cxkit report)

Warnings (all are ``UserWarning``)::

    CxkitWarning
    ├── SmallSampleWarning     too few scores: wide intervals, groups left out or not ranked
    ├── DataWarning            rows or periods left out of an analysis for a reason in the data
    ├── ModelWarning           a model's estimates need caution
    │   ├── SeparationWarning, CollinearityWarning, EventsPerParameterWarning, LeakageWarning
    ├── ChurnWarning           the churn and survival analyses' caveats (the four model warnings
    │                          above are ChurnWarnings too, so one filter quiets a churn model)
    └── PresentationWarning    a sentence or cell that would show a missing value was left out
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .privacy import mask_pii

__all__ = [
    "CxkitError",
    "SourceError",
    "SchemaError",
    "DataQualityError",
    "CatalogError",
    "TextsError",
    "ClusterError",
    "PackError",
    "ParameterError",
    "InvalidDataError",
    "NotebookError",
    "NotebookTimeout",
    "KernelDied",
    "PackLocked",
    "NoDataError",
    "NotEnoughDataError",
    "WrongScaleError",
    "SectionsSkipped",
    "OutputError",
    "PackInterrupted",
    "CxkitWarning",
    "SmallSampleWarning",
    "DataWarning",
    "ModelWarning",
    "ChurnWarning",
    "SeparationWarning",
    "CollinearityWarning",
    "EventsPerParameterWarning",
    "LeakageWarning",
    "PresentationWarning",
]


class CxkitError(Exception):
    """Base class of every error cxkit raises on purpose."""

    def __init__(self, *args: Any) -> None:
        # Messages quote cell values and column names: personal data in them is masked here,
        # once for every message, log line and traceback (cxkit.privacy).
        super().__init__(*(mask_pii(a) for a in args))


class SourceError(CxkitError, ValueError):
    """A source cannot be read: missing file, unknown format, empty, undecodable."""


class SchemaError(CxkitError, ValueError):
    """A source lacks a required column, or an option names a column that is not there."""


class DataQualityError(CxkitError, ValueError):
    """Too many rows were rejected for the source to be trusted."""

    # Any: the result is a cxkit.data.readers.Loaded, which the base layer cannot import
    def __init__(self, message: str, loaded: Any = None) -> None:
        super().__init__(message)
        #: the :class:`cxkit.data.readers.Loaded` result, so callers can inspect the rejected rows
        self.loaded = loaded


class CatalogError(CxkitError, ValueError):
    """The data catalog (cxkit.yaml) is malformed."""


class TextsError(CxkitError, TypeError, ValueError):
    """``texts`` is not a flat sequence of texts (a DataFrame, one string, a 2-D array, numbers).

    A TypeError for callers that catch wrong types, a ValueError (and a cxkit error) for those
    that catch bad input."""


class ClusterError(CxkitError, ConnectionError):
    """The Dask cluster cannot be reached, has no workers, or its workers differ from this client."""


# The monthly pack (cxkit.pack.runner): each error is one exit code of ``cxkit report``.


class PackError(CxkitError):
    """The pack could not be built; ``exit_code`` is what ``cxkit report`` exits with."""

    exit_code = 1
    log_path: Path | None = None  # the run's log that records how it ended, when one was written

    def __init__(self, message: str, *, notebook: str | None = None, failed_dir: Path | None = None) -> None:
        super().__init__(message)
        self.notebook = notebook
        self.failed_dir = failed_dir


class ParameterError(PackError):
    """A parameter of the run is wrong: the month, a path, a notebook's parameter, the scheduler."""

    exit_code = 2


class InvalidDataError(PackError):
    """A catalog source is not usable, so no notebook was run."""

    exit_code = 3


class NotebookError(PackError):
    """A pack notebook raised an error, or stopped before its last cell."""

    exit_code = 4


class NotebookTimeout(PackError):
    """A cell of a pack notebook ran longer than the timeout."""

    exit_code = 5


class KernelDied(PackError):
    """The kernel of a pack notebook died (killed, out of memory) while a cell ran."""

    exit_code = 6


class PackLocked(PackError):
    """Another run holds the month's lock and is building the same month."""

    exit_code = 7


class NoDataError(PackError):
    """No source has a row in the report month (or the data have no dates to choose one)."""

    exit_code = 8


class PdfError(PackError):
    """The PDF of the pack could not be written (``--pdf``): no Chromium, or Chromium failed."""

    exit_code = 13


# --------------------------------------------------------------------------- warnings


class CxkitWarning(UserWarning):
    """Base class of every warning cxkit issues on purpose."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*(mask_pii(a) for a in args))  # as CxkitError: no personal data in a message


class SmallSampleWarning(CxkitWarning):
    """Too few scores for a result to be a finding: a wide interval, a group left out or not ranked."""


class DataWarning(CxkitWarning):
    """Rows or periods are left out of an analysis for a reason in the data (no customer id, a
    month that cannot be analysed)."""


class ModelWarning(CxkitWarning):
    """A model's estimates need caution (the driver model, the churn and Cox models, the
    proportional-odds model of the stage comparison)."""


class ChurnWarning(CxkitWarning):
    """A caveat of the churn and survival analyses that makes some of their numbers unreliable."""


class SeparationWarning(ModelWarning, ChurnWarning):
    """Perfect or quasi-perfect separation: some odds (or hazard) ratios are not estimable."""


class CollinearityWarning(ModelWarning, ChurnWarning):
    """Covariates that (nearly) duplicate each other."""


class EventsPerParameterWarning(ModelWarning, ChurnWarning):
    """Fewer than 10 churners (or stayers) per parameter."""


class LeakageWarning(ModelWarning, ChurnWarning):
    """A covariate that (almost) gives the answer away."""


# --------------------------------------------------------------------------- sections that stand alone


class NotEnoughDataError(CxkitError, ValueError):
    """The data at hand cannot give a result: too few rows, a question not asked this month, no
    dates, no ids to link, no comments. The message says what is missing and what would make the
    result possible; a report section that needs it shows that sentence and the rest of the pack
    builds (a ``ValueError`` too, for code that catches those)."""


class WrongScaleError(CxkitError, ValueError):
    """A score column holds another scale than the analysis needs: a yes/no or 1-5 column given
    as the 0-10 recommend question, values outside a score's range. The message names the column,
    what it looks like and what to pass instead; a report section shows it and the rest builds."""


class OutputError(PackError):
    """The pack cannot be written: the output folder is read-only or not writable for this user,
    or the disk (or the user's quota) is full. The previous pack is untouched."""

    exit_code = 11


class PackInterrupted(PackError):
    """A signal stopped the run (SIGINT: Ctrl-C; SIGTERM: ``kill``, a scheduler stopping a task).
    ``exit_code`` is 128 + the signal's number, as a shell reports it: 130 for SIGINT, 143 for
    SIGTERM. The previous pack is untouched; the temporary folder and the kernels are gone."""

    exit_code = 130

    def __init__(self, message: str, *, signum: int = 2) -> None:
        super().__init__(message)
        self.signum = signum
        self.exit_code = 128 + signum


class SectionsSkipped(PackError):
    """``cxkit report --strict``: some report sections could not be computed from the data."""

    exit_code = 9


class PresentationWarning(CxkitWarning):
    """A finding or table cell that would have shown a missing value (nan, NaT, <NA>) or a
    sentence with a missing word was left out of a report: a bug of the page that built it."""
