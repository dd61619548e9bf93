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
