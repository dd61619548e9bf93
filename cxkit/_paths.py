"""The project's folders, for the bundled sample data and catalog.

A base module, so that every layer finds them without importing the package top (the
package shows them as ``cx.PROJECT_DIR``, ``cx.SAMPLE_DIR`` and ``cx.DEFAULT_CATALOG``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PROJECT_DIR", "SAMPLE_DIR", "DEFAULT_CATALOG"]

PROJECT_DIR = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
DEFAULT_CATALOG = PROJECT_DIR / "data" / "cxkit.yaml"
