"""The small exception hierarchy of cxkit.

Every error says which file (or SQL source), which column or row, and how to fix it.
"""

from __future__ import annotations

__all__ = ["CxkitError", "SourceError", "SchemaError", "DataQualityError", "CatalogError", "TextsError"]


class CxkitError(Exception):
    """Base class of every error cxkit raises on purpose."""


class SourceError(CxkitError, ValueError):
    """A source cannot be read: missing file, unknown format, empty, undecodable."""


class SchemaError(CxkitError, ValueError):
    """A source lacks a required column, or an option names a column that is not there."""


class DataQualityError(CxkitError, ValueError):
    """Too many rows were rejected for the source to be trusted."""

    def __init__(self, message: str, loaded=None):
        super().__init__(message)
        #: the :class:`cxkit.data.readers.Loaded` result, so callers can inspect the rejected rows
        self.loaded = loaded


class CatalogError(CxkitError, ValueError):
    """The data catalog (cxkit.yaml) is malformed."""


class TextsError(CxkitError, TypeError, ValueError):
    """``texts`` is not a flat sequence of texts (a DataFrame, one string, a 2-D array, numbers).

    A TypeError for callers that catch wrong types, a ValueError (and a cxkit error) for those
    that catch bad input."""


# --------------------------------------------------------------------------- churn and survival models
# Warnings of cxkit.churn_model and cxkit.cox_model (cxkit.analysis.churn, cxkit.analysis.survival).

__all__ += ["ChurnWarning", "LeakageWarning", "SeparationWarning", "EventsPerParameterWarning", "CollinearityWarning"]


class ChurnWarning(UserWarning):
    """A problem with a churn model that makes some of its numbers unreliable."""


class LeakageWarning(ChurnWarning):
    """A covariate that (almost) gives the answer away."""


class SeparationWarning(ChurnWarning):
    """Perfect or quasi-perfect separation: some odds ratios are not estimable."""


class EventsPerParameterWarning(ChurnWarning):
    """Fewer than 10 churners (or stayers) per parameter."""


class CollinearityWarning(ChurnWarning):
    """Covariates that (nearly) duplicate each other."""
