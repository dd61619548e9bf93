"""cxkit: customer-experience analytics for Jupyter notebooks.

``import cxkit as cx`` gives the flat API below; the package itself is three layers (README,
"Layout"), each importable as modules (``cxkit.analysis.nps`` is the module, ``cx.nps`` the
function):

- ``cxkit.data``: readers, the catalog, the canonical tables, the sample generator;
- ``cxkit.analysis``: the statistics, one module per family of analyses;
- ``cxkit.pack``: one module per report page, the index, ``results.json``, the runner, the CLI;
- the base under all three: ``errors``, ``display``, ``plots``, ``periods``, ``privacy``,
  ``progress``, ``distributed``.

>>> import cxkit as cx
>>> cx.STAGES[0], cx.__version__
('awareness', '0.1.0')
"""

from . import progress
from ._paths import DEFAULT_CATALOG, PROJECT_DIR, SAMPLE_DIR
from ._stats import adjust_p
from .analysis.calibration import SentimentModel
from .analysis.churn import (
    CHURN_THEMES,
    ChurnModel,
    churn_by_nps,
    churn_headline,
    churn_model,
    churn_rate_by_month,
    churn_reasons,
    cohort_retention,
    customer_lifetime_value,
    customer_nps,
    detractor_effect,
    join_cx,
    revenue_at_risk,
)
from .analysis.drivers import (
    MAX_EXACT_DRIVERS,
    MAX_EXACT_LOGISTIC,
    driver_change,
    driver_diagnostics,
    importance_over_time,
    key_drivers,
)
from .analysis.funnel import funnel, funnel_by_month
from .analysis.langdetect import SUPPORTED_LANGUAGES, detect_language
from .analysis.nps import (
    MIN_N,
    adjust_flags,
    ces,
    compare_ces,
    compare_csat,
    compare_nps,
    csat,
    headline_flags,
    kpi_headline,
    kpi_trend,
    nps,
)
from .analysis.reviews import rating_agreement, sentiment_trend, theme_summary
from .analysis.sentiment import SENTIMENT_THRESHOLDS, calibrate_sentiment, comment_sentiment, sentiment
from .analysis.stages import StageComparison, compare_stages, stage_scorecard
from .analysis.survival import (
    CoxModel,
    cox_model,
    kaplan_meier,
    logrank,
    proportional_hazards_test,
    restricted_mean_survival,
)
from .analysis.themes import (
    THEMES,
    ThemeSet,
    tag_themes,
    theme_dictionary,
    theme_impact,
    theme_sentiment,
    theme_set,
    theme_templates,
    theme_trend,
)
from .analysis.topics import suggest_topics
from .analysis.touchpoints import POOR_SCORE, channel_consistency, pain_points, touchpoint_performance
from .data.catalog import Catalog, load_catalog, rejection_reasons
from .data.readers import Loaded, LoadReport, load, load_customers, load_feedback, load_journey, load_reviews
from .data.schema import STAGES, TABLES, normalize_stage
from .display import Unavailable, figure, findings, format_p, presentable, table
from .distributed import connect, current_cluster, use_cluster
from .errors import (
    CatalogError,
    ChurnWarning,
    ClusterError,
    CollinearityWarning,
    CxkitError,
    CxkitWarning,
    DataQualityError,
    DataWarning,
    EventsPerParameterWarning,
    InvalidDataError,
    KernelDied,
    LeakageWarning,
    ModelWarning,
    NoDataError,
    NotebookError,
    NotebookTimeout,
    NotEnoughDataError,
    OutputError,
    PackError,
    PackInterrupted,
    PackLocked,
    ParameterError,
    PresentationWarning,
    SchemaError,
    SectionsSkipped,
    SeparationWarning,
    SmallSampleWarning,
    SourceError,
    TextsError,
    WrongScaleError,
)
from .pack.churn_regression import ChurnReport
from .pack.data_quality import DataQualityReport
from .pack.journey_stages import JourneyReport
from .pack.nps_drivers import NpsReport, nps_report
from .pack.results import save_results
from .pack.review_sentiment import SentimentReport, sentiment_report
from .periods import last_complete_month, month_events, parse_month, resolve_month
from .plots import (
    plot_calibration,
    plot_churn_by_nps,
    plot_churn_trend,
    plot_cohort_retention,
    plot_forest,
    plot_funnel,
    plot_funnel_by_month,
    plot_importance,
    plot_km,
    plot_nps_by_segment,
    plot_nps_trend,
    plot_pain_points,
    plot_quadrant,
    plot_revenue_at_risk,
    plot_sentiment_by_source,
    plot_sentiment_trend,
    plot_stages,
    plot_themes,
)
from .privacy import mask_pii
from .progress import progress_off, set_progress

__version__ = "0.1.0"

#: Driver-rating columns of the bundled sample feedback.
SAMPLE_DRIVERS = [
    "support",
    "price",
    "product_quality",
    "delivery",
    "ease_of_use",
    "billing",
    "app_experience",
    "staff",
]

__all__ = [
    # folders and constants
    "DEFAULT_CATALOG",
    "PROJECT_DIR",
    "SAMPLE_DIR",
    "SAMPLE_DRIVERS",
    "STAGES",
    "TABLES",
    "MIN_N",
    "POOR_SCORE",
    "MAX_EXACT_DRIVERS",
    "MAX_EXACT_LOGISTIC",
    "SENTIMENT_THRESHOLDS",
    "SUPPORTED_LANGUAGES",
    "THEMES",
    "CHURN_THEMES",
    "__version__",
    # reading data
    "load",
    "load_feedback",
    "load_reviews",
    "load_customers",
    "load_journey",
    "Loaded",
    "LoadReport",
    "load_catalog",
    "Catalog",
    "rejection_reasons",
    "normalize_stage",
    "mask_pii",
    "progress",
    "progress_off",
    "set_progress",
    # months
    "parse_month",
    "last_complete_month",
    "resolve_month",
    "month_events",
    # NPS, CSAT, CES and their drivers
    "nps",
    "csat",
    "ces",
    "compare_nps",
    "compare_csat",
    "compare_ces",
    "kpi_trend",
    "kpi_headline",
    "adjust_p",
    "adjust_flags",
    "headline_flags",
    "key_drivers",
    "driver_change",
    "driver_diagnostics",
    "importance_over_time",
    # sentiment, themes and reviews
    "sentiment",
    "comment_sentiment",
    "calibrate_sentiment",
    "SentimentModel",
    "detect_language",
    "tag_themes",
    "theme_dictionary",
    "ThemeSet",
    "theme_set",
    "theme_templates",
    "theme_impact",
    "theme_trend",
    "theme_sentiment",
    "suggest_topics",
    "sentiment_trend",
    "theme_summary",
    "rating_agreement",
    # churn and survival
    "churn_model",
    "ChurnModel",
    "customer_nps",
    "join_cx",
    "churn_by_nps",
    "detractor_effect",
    "churn_rate_by_month",
    "churn_headline",
    "revenue_at_risk",
    "cohort_retention",
    "customer_lifetime_value",
    "churn_reasons",
    "kaplan_meier",
    "logrank",
    "cox_model",
    "CoxModel",
    "proportional_hazards_test",
    "restricted_mean_survival",
    # journey
    "compare_stages",
    "StageComparison",
    "stage_scorecard",
    "funnel",
    "funnel_by_month",
    "pain_points",
    "touchpoint_performance",
    "channel_consistency",
    # figures
    "plot_nps_trend",
    "plot_nps_by_segment",
    "plot_importance",
    "plot_quadrant",
    "plot_sentiment_trend",
    "plot_sentiment_by_source",
    "plot_themes",
    "plot_churn_trend",
    "plot_calibration",
    "plot_churn_by_nps",
    "plot_revenue_at_risk",
    "plot_cohort_retention",
    "plot_km",
    "plot_forest",
    "plot_stages",
    "plot_funnel",
    "plot_funnel_by_month",
    "plot_pain_points",
    # showing results
    "table",
    "figure",
    "Unavailable",
    "findings",
    "format_p",
    "presentable",
    "save_results",
    # the report pages
    "NpsReport",
    "nps_report",
    "SentimentReport",
    "sentiment_report",
    "ChurnReport",
    "JourneyReport",
    "DataQualityReport",
    # running heavy steps on a Dask cluster
    "connect",
    "current_cluster",
    "use_cluster",
    # errors and warnings
    "CxkitError",
    "SourceError",
    "SchemaError",
    "DataQualityError",
    "CatalogError",
    "TextsError",
    "ClusterError",
    "PackError",
    "ParameterError",
    "InvalidDataError",
    "NotebookError",
    "NotebookTimeout",
    "KernelDied",
    "PackLocked",
    "NoDataError",
    "NotEnoughDataError",
    "WrongScaleError",
    "SectionsSkipped",
    "OutputError",
    "PackInterrupted",
    "CxkitWarning",
    "SmallSampleWarning",
    "DataWarning",
    "ModelWarning",
    "ChurnWarning",
    "SeparationWarning",
    "CollinearityWarning",
    "EventsPerParameterWarning",
    "LeakageWarning",
    "PresentationWarning",
]
