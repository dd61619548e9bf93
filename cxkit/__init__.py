"""cxkit: customer-experience analytics for Jupyter notebooks.

>>> import cxkit as cx
>>> cx.STAGES[0], cx.__version__
('awareness', '0.1.0')
"""

from __future__ import annotations

from pathlib import Path

from .data.catalog import Catalog, data_quality_finding, load_catalog, rejection_reasons
from .errors import CatalogError, CxkitError, DataQualityError, SchemaError, SourceError, TextsError
from .data.readers import Loaded, LoadReport, load, load_customers, load_feedback, load_journey, load_reviews
from .display import figure, findings, format_p, presentable, table
from .periods import last_complete_month, parse_month, resolve_month
from .privacy import mask_pii
from .plots import (
    plot_calibration, plot_churn_by_nps, plot_churn_trend, plot_cohort_retention, plot_forest, plot_funnel,
    plot_funnel_by_month, plot_importance, plot_km, plot_nps_by_segment, plot_nps_trend, plot_pain_points, plot_quadrant,
    plot_revenue_at_risk, plot_sentiment_by_source, plot_sentiment_trend, plot_stages, plot_themes,
)
from .pack.results import save_results
from .data.schema import STAGES, TABLES, normalize_stage

# The analyses: each module lists its public names in __all__. The star imports come last so
# that a function named like its module (cx.nps, cx.sentiment) is what the package exposes.
from .analysis.nps import *  # noqa: E402,F401,F403
from .analysis.drivers import *  # noqa: E402,F401,F403
from .analysis.sentiment import *  # noqa: E402,F401,F403
from .analysis.churn import *  # noqa: E402,F401,F403
from .analysis.survival import *  # noqa: E402,F401,F403
from .analysis.stages import *  # noqa: E402,F401,F403
from .analysis.funnel import *  # noqa: E402,F401,F403
from .analysis.touchpoints import *  # noqa: E402,F401,F403
from .periods import month_events  # noqa: E402
from .pack.journey_stages import JourneyReport  # noqa: E402
from .pack.churn_regression import ChurnReport  # noqa: E402
from .distributed import *  # noqa: E402,F401,F403
import importlib as _importlib  # noqa: E402

_ANALYSES = [_importlib.import_module(f"cxkit.analysis.{name}") for name in ("nps", "drivers", "sentiment", "churn", "stages", "funnel", "touchpoints")]

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
    "SourceError", "TABLES", "TextsError", "load", "load_catalog", "load_customers", "load_feedback",
    "load_journey", "load_reviews", "mask_pii", "normalize_stage", "rejection_reasons", "__version__",
    "data_quality_finding", "figure", "findings", "table", "last_complete_month", "parse_month", "resolve_month", "save_results",
]
