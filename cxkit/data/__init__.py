"""The data layer: canonical tables from files, survey exports and SQL, the catalog, the sample.

Imports only the base modules (``cxkit.errors``, ``cxkit.display``, ``cxkit.privacy``,
``cxkit.periods``, ``cxkit.distributed``); never the analysis or pack layers.
"""

from .._lazy import submodules

__getattr__ = submodules(__name__)
