"""The pack layer: one module per report page, the index, results.json, the runner, the CLI.

May import every other layer; nothing imports it except the package's ``__init__``.
"""

from .._lazy import submodules

__getattr__ = submodules(__name__)
