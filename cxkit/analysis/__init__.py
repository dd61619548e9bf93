"""The analysis layer: the statistics, one module per family of analyses.

Imports the data layer and the base; never the pack layer. Results are tidy DataFrames and
result objects that know nothing of report pages.
"""

from .._lazy import submodules

__getattr__ = submodules(__name__)
