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

import importlib
from typing import TYPE_CHECKING, Any

from . import progress  # light, and its switches are used before anything else
from ._lazy import submodules

if TYPE_CHECKING:  # the names below, for type checkers and editors; at run time see _WHERE
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
    from .analysis.weighting import poststratify, rake, survey_weights, weight_summary, weighting_statement
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
    from .i18n import get_language, set_language
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

# ``import cxkit`` used to import every layer at once, scipy.stats included (1.1 s of its 2 s):
# a kernel that only reads the catalog, ``cxkit --help`` and the CLI's argument errors paid for
# statistics they never use. Each public name is now imported the first time it is used (PEP 562).
_WHERE: dict[str, str] = {
    "DEFAULT_CATALOG": "._paths",
    "PROJECT_DIR": "._paths",
    "SAMPLE_DIR": "._paths",
    "adjust_p": "._stats",
    "SentimentModel": ".analysis.calibration",
    "CHURN_THEMES": ".analysis.churn",
    "ChurnModel": ".analysis.churn",
    "churn_by_nps": ".analysis.churn",
    "churn_headline": ".analysis.churn",
    "churn_model": ".analysis.churn",
    "churn_rate_by_month": ".analysis.churn",
    "churn_reasons": ".analysis.churn",
    "cohort_retention": ".analysis.churn",
    "customer_lifetime_value": ".analysis.churn",
    "customer_nps": ".analysis.churn",
    "detractor_effect": ".analysis.churn",
    "join_cx": ".analysis.churn",
    "revenue_at_risk": ".analysis.churn",
    "MAX_EXACT_DRIVERS": ".analysis.drivers",
    "MAX_EXACT_LOGISTIC": ".analysis.drivers",
    "driver_change": ".analysis.drivers",
    "driver_diagnostics": ".analysis.drivers",
    "importance_over_time": ".analysis.drivers",
    "key_drivers": ".analysis.drivers",
    "funnel": ".analysis.funnel",
    "funnel_by_month": ".analysis.funnel",
    "SUPPORTED_LANGUAGES": ".analysis.langdetect",
    "detect_language": ".analysis.langdetect",
    "MIN_N": ".analysis.nps",
    "adjust_flags": ".analysis.nps",
    "ces": ".analysis.nps",
    "compare_ces": ".analysis.nps",
    "compare_csat": ".analysis.nps",
    "compare_nps": ".analysis.nps",
    "csat": ".analysis.nps",
    "headline_flags": ".analysis.nps",
    "kpi_headline": ".analysis.nps",
    "kpi_trend": ".analysis.nps",
    "nps": ".analysis.nps",
    "rating_agreement": ".analysis.reviews",
    "sentiment_trend": ".analysis.reviews",
    "theme_summary": ".analysis.reviews",
    "SENTIMENT_THRESHOLDS": ".analysis.sentiment",
    "calibrate_sentiment": ".analysis.sentiment",
    "comment_sentiment": ".analysis.sentiment",
    "sentiment": ".analysis.sentiment",
    "StageComparison": ".analysis.stages",
    "compare_stages": ".analysis.stages",
    "stage_scorecard": ".analysis.stages",
    "CoxModel": ".analysis.survival",
    "cox_model": ".analysis.survival",
    "kaplan_meier": ".analysis.survival",
    "logrank": ".analysis.survival",
    "proportional_hazards_test": ".analysis.survival",
    "restricted_mean_survival": ".analysis.survival",
    "THEMES": ".analysis.themes",
    "ThemeSet": ".analysis.themes",
    "tag_themes": ".analysis.themes",
    "theme_dictionary": ".analysis.themes",
    "theme_impact": ".analysis.themes",
    "theme_sentiment": ".analysis.themes",
    "theme_set": ".analysis.themes",
    "theme_templates": ".analysis.themes",
    "theme_trend": ".analysis.themes",
    "suggest_topics": ".analysis.topics",
    "POOR_SCORE": ".analysis.touchpoints",
    "channel_consistency": ".analysis.touchpoints",
    "pain_points": ".analysis.touchpoints",
    "touchpoint_performance": ".analysis.touchpoints",
    "poststratify": ".analysis.weighting",
    "rake": ".analysis.weighting",
    "survey_weights": ".analysis.weighting",
    "weight_summary": ".analysis.weighting",
    "weighting_statement": ".analysis.weighting",
    "Catalog": ".data.catalog",
    "load_catalog": ".data.catalog",
    "rejection_reasons": ".data.catalog",
    "Loaded": ".data.readers",
    "LoadReport": ".data.readers",
    "load": ".data.readers",
    "load_customers": ".data.readers",
    "load_feedback": ".data.readers",
    "load_journey": ".data.readers",
    "load_reviews": ".data.readers",
    "STAGES": ".data.schema",
    "TABLES": ".data.schema",
    "normalize_stage": ".data.schema",
    "Unavailable": ".display",
    "figure": ".display",
    "findings": ".display",
    "format_p": ".display",
    "presentable": ".display",
    "table": ".display",
    "connect": ".distributed",
    "current_cluster": ".distributed",
    "use_cluster": ".distributed",
    "CatalogError": ".errors",
    "ChurnWarning": ".errors",
    "ClusterError": ".errors",
    "CollinearityWarning": ".errors",
    "CxkitError": ".errors",
    "CxkitWarning": ".errors",
    "DataQualityError": ".errors",
    "DataWarning": ".errors",
    "EventsPerParameterWarning": ".errors",
    "InvalidDataError": ".errors",
    "KernelDied": ".errors",
    "LeakageWarning": ".errors",
    "ModelWarning": ".errors",
    "NoDataError": ".errors",
    "NotebookError": ".errors",
    "NotebookTimeout": ".errors",
    "NotEnoughDataError": ".errors",
    "OutputError": ".errors",
    "PackError": ".errors",
    "PackInterrupted": ".errors",
    "PackLocked": ".errors",
    "ParameterError": ".errors",
    "PresentationWarning": ".errors",
    "SchemaError": ".errors",
    "SectionsSkipped": ".errors",
    "SeparationWarning": ".errors",
    "SmallSampleWarning": ".errors",
    "SourceError": ".errors",
    "TextsError": ".errors",
    "WrongScaleError": ".errors",
    "ChurnReport": ".pack.churn_regression",
    "DataQualityReport": ".pack.data_quality",
    "JourneyReport": ".pack.journey_stages",
    "NpsReport": ".pack.nps_drivers",
    "nps_report": ".pack.nps_drivers",
    "save_results": ".pack.results",
    "SentimentReport": ".pack.review_sentiment",
    "sentiment_report": ".pack.review_sentiment",
    "last_complete_month": ".periods",
    "month_events": ".periods",
    "parse_month": ".periods",
    "resolve_month": ".periods",
    "plot_calibration": ".plots",
    "plot_churn_by_nps": ".plots",
    "plot_churn_trend": ".plots",
    "plot_cohort_retention": ".plots",
    "plot_forest": ".plots",
    "plot_funnel": ".plots",
    "plot_funnel_by_month": ".plots",
    "plot_importance": ".plots",
    "plot_km": ".plots",
    "plot_nps_by_segment": ".plots",
    "plot_nps_trend": ".plots",
    "plot_pain_points": ".plots",
    "plot_quadrant": ".plots",
    "plot_revenue_at_risk": ".plots",
    "plot_sentiment_by_source": ".plots",
    "plot_sentiment_trend": ".plots",
    "plot_stages": ".plots",
    "plot_themes": ".plots",
    "mask_pii": ".privacy",
    "progress_off": ".progress",
    "set_progress": ".progress",
    "set_language": ".i18n",
    "get_language": ".i18n",
}

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
    "set_language",
    "get_language",
    # months
    "parse_month",
    "last_complete_month",
    "resolve_month",
    "month_events",
    # survey weights
    "rake",
    "poststratify",
    "survey_weights",
    "weight_summary",
    "weighting_statement",
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


def __getattr__(name: str) -> Any:
    """The public name ``name``, imported from its module on first use (and kept)."""
    if name not in _WHERE:
        return _submodule(name)  # cx.analysis, cx.plots ...: the subpackage or module of that name
    value = getattr(importlib.import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value


_submodule = submodules(__name__)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
