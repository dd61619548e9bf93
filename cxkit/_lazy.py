"""Submodules imported on first use: ``cx.analysis.nps`` and ``cx.pack.results`` keep working
now that ``import cxkit`` no longer imports every module (PEP 562, see ``cxkit/__init__.py``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def submodules(package: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: an attribute that is not set yet is the
    submodule of that name, imported now; anything else is an ``AttributeError``."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):  # dunder lookups (copy, pickle, doctest) are never submodules
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        try:
            return importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.{name}":  # the submodule exists and failed to import
                raise
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None

    return __getattr__
