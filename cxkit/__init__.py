"""cxkit: customer-experience analytics for Jupyter notebooks.

>>> import cxkit as cx
>>> cx.STAGES[0], cx.__version__
('awareness', '0.1.0')
"""

from __future__ import annotations

from pathlib import Path

from .catalog import Catalog, data_quality_finding, load_catalog, rejection_reasons
from .errors import CatalogError, CxkitError, DataQualityError, SchemaError, SourceError
from .io import Loaded, LoadReport, load, load_customers, load_feedback, load_journey, load_reviews
from .display import figure, findings, table
from .periods import last_complete_month, parse_month, resolve_month
from .privacy import mask_pii
from .results import save_results
from .schema import STAGES, TABLES, normalize_stage

__version__ = "0.1.0"

#: The project's folders, for the bundled sample data and catalog.
PROJECT_DIR = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
DEFAULT_CATALOG = PROJECT_DIR / "data" / "cxkit.yaml"
#: Driver-rating columns of the bundled sample feedback.
SAMPLE_DRIVERS = ["support", "price", "product_quality", "delivery", "ease_of_use", "billing",
                  "app_experience", "staff"]

__all__ = [
    "Catalog", "CatalogError", "CxkitError", "DataQualityError", "DEFAULT_CATALOG", "Loaded",
    "LoadReport", "PROJECT_DIR", "SAMPLE_DIR", "SAMPLE_DRIVERS", "STAGES", "SchemaError",
    "SourceError", "TABLES", "load", "load_catalog", "load_customers", "load_feedback",
    "load_journey", "load_reviews", "mask_pii", "normalize_stage", "rejection_reasons", "__version__",
    "data_quality_finding", "figure", "findings", "table", "last_complete_month", "parse_month", "resolve_month", "save_results",
]
