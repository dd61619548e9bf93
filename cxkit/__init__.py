"""cxkit: customer-experience analytics for Jupyter notebooks.

>>> import cxkit as cx
>>> cx.STAGES[0], cx.__version__
('awareness', '0.1.0')
"""

from __future__ import annotations

from .data.catalog import Catalog, load_catalog, rejection_reasons
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
from .analysis.reviews import rating_agreement, sentiment_trend, theme_summary  # noqa: E402,F401
from .analysis.churn import *  # noqa: E402,F401,F403
from .analysis.survival import *  # noqa: E402,F401,F403
from .analysis.stages import *  # noqa: E402,F401,F403
from .analysis.funnel import *  # noqa: E402,F401,F403
from .analysis.touchpoints import *  # noqa: E402,F401,F403
from .periods import month_events  # noqa: E402
from .pack.journey_stages import JourneyReport  # noqa: E402
from .pack.nps_drivers import NpsReport, nps_report  # noqa: E402
from .pack.data_quality import DataQualityReport  # noqa: E402
from .pack.review_sentiment import SentimentReport, sentiment_report  # noqa: E402,F401
from .pack.churn_regression import ChurnReport  # noqa: E402
from .distributed import *  # noqa: E402,F401,F403
import importlib as _importlib  # noqa: E402

_ANALYSES = [_importlib.import_module(f"cxkit.analysis.{name}") for name in ("nps", "drivers", "sentiment", "churn", "stages", "funnel", "touchpoints")]

__version__ = "0.1.0"

from ._paths import DEFAULT_CATALOG, PROJECT_DIR, SAMPLE_DIR  # noqa: E402
#: Driver-rating columns of the bundled sample feedback.
SAMPLE_DRIVERS = ["support", "price", "product_quality", "delivery", "ease_of_use", "billing",
                  "app_experience", "staff"]

__all__ = [
    "Catalog", "CatalogError", "CxkitError", "DataQualityError", "DEFAULT_CATALOG", "Loaded",
    "LoadReport", "PROJECT_DIR", "SAMPLE_DIR", "SAMPLE_DRIVERS", "STAGES", "SchemaError",
    "SourceError", "TABLES", "TextsError", "load", "load_catalog", "load_customers", "load_feedback",
    "load_journey", "load_reviews", "mask_pii", "normalize_stage", "rejection_reasons", "__version__",
    "figure", "findings", "table", "last_complete_month", "parse_month", "resolve_month", "save_results",
]
