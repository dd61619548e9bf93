"""Every cxkit figure, in one house style.

:func:`house_style` sets seaborn's theme with a colour-blind-safe palette and turns off
matplotlib's mathtext, so a ``$`` in a label from data is a dollar sign, never a LaTeX error.
:func:`new_axes` gives a styled figure and axes.

The figures take the tidy tables of the analyses (``cx.kpi_trend``, ``cx.key_drivers``,
``cx.compare_stages``, ``cx.kaplan_meier``, ...), draw on ``ax`` (a new figure when None) and
return ``ax``. Labels from data are plain text, shortened with :func:`label`. Figures are
grouped by analysis family: NPS and drivers, review sentiment, churn and survival, journey.

Examples
--------
>>> ax = new_axes()
>>> _ = ax.set_title("Price: $5 vs $10")  # no mathtext error
>>> label("<b>Kundeservice</b> " + "x" * 80)[-1]
'…'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, cast

import numpy as np
import pandas as pd

from . import i18n
from .display import COLUMN_LABELS, COLUMN_WORDS, metric_label
from .i18n import N_, tr, translate
from .privacy import mask_pii

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    class _StageComparisonLike(Protocol):
        """What plot_stages reads of a cxkit.analysis.StageComparison (the base layer cannot
        import the analysis layer)."""

        @property
        def stages(self) -> pd.DataFrame: ...
        @property
        def alpha(self) -> float: ...
        @property
        def score(self) -> str: ...
        @property
        def stage(self) -> str: ...
        def lowest(self) -> Mapping[str, Any]: ...


__all__ = [
    "house_style",
    "new_axes",
    "label",
    "PALETTE",
    "SIGNIFICANT",
    "NEUTRAL",
    "POSITIVE",
    "NEGATIVE",
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
]

#: Okabe-Ito colours (readable with every common colour-vision deficiency).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
#: The palette's first colour without a brand; :func:`house_style` puts the brand's accent in its
#: place when the catalog has one (cxkit.branding.set_brand), so every figure leads with it.
HOUSE_FIRST = PALETTE[0]
POSITIVE = "#009E73"
NEGATIVE = "#D55E00"
NEUTRAL = "#7F7F7F"
SIGNIFICANT = "#D55E00"


def house_style() -> None:
    """Apply the cxkit look (idempotent)."""
    # Imported here, so that importing cxkit does not load matplotlib. The backend is the
    # user's: JupyterLab's inline backend, a desktop window, or Agg where there is no display
    # (matplotlib falls back to it). The pack runner renders off-screen by starting its kernels
    # with MPLBACKEND=Agg; a library that switched backends here would make every later inline
    # figure of an analyst's kernel vanish.
    import matplotlib.pyplot as plt
    import seaborn as sns

    from .branding import figure_accent

    PALETTE[0] = figure_accent() or HOUSE_FIRST
    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=0.95)
    plt.rcParams.update(
        {
            "text.parse_math": False,  # labels from data are text: "$5" must not start mathtext
            "text.usetex": False,
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.figsize": (8, 4.5),
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            # titles sit at the top of the axes (nothing is drawn above an axes here); the default
            # (None) re-measures every tick label at each draw to dodge top-side labels
            "axes.titley": 1.0,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
            "svg.fonttype": "none",
        }
    )


def new_axes(*, figsize: tuple[float, float] | None = None, ax: Axes | None = None) -> Axes:
    """A styled axes: ``ax`` itself when given, else a new figure's axes."""
    import matplotlib.pyplot as plt

    house_style()
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize)
    return ax


def label(text: object, *, max_chars: int = 40) -> str:
    """A category label from data, personal data masked, then shortened for an axis; matplotlib
    draws it as plain text."""
    text = "" if text is None else str(mask_pii(str(text)))
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


#: Category values that cxkit itself defines (journey stages, NPS groups, sentiment classes,
#: the importance-performance quadrants): pack vocabulary, drawn in the report language.
#: Values from the data (segments, drivers, themes, sources) are drawn as they are.
VOCABULARY = {
    "awareness": N_("awareness"),
    "consideration": N_("consideration"),
    "decision": N_("decision"),
    "retention": N_("retention"),
    "advocacy": N_("advocacy"),
    "promoter": N_("promoter"),
    "passive": N_("passive"),
    "detractor": N_("detractor"),
    "no response": N_("no response"),
    "positive": N_("positive"),
    "neutral": N_("neutral"),
    "negative": N_("negative"),
    "fix first": N_("fix first"),
    "keep up": N_("keep up"),
    "low priority": N_("low priority"),
    "maintain": N_("maintain"),
}


def _word(value: object, *, max_chars: int = 40) -> str:
    """A category for an axis: pack vocabulary in the report language, a value from data as it is."""
    text = str(value)
    return label(translate(VOCABULARY[text]) if text in VOCABULARY else value, max_chars=max_chars)


def _column(name: object) -> str:
    """A column's name in a label: as it is in English; a canonical name in words of the other
    report languages."""
    text = str(name)
    if i18n.get_language() == "en":
        return text
    if text in COLUMN_LABELS:
        return translate(COLUMN_LABELS[text])
    return translate(COLUMN_WORDS[text]) if text in COLUMN_WORDS else text


def _mark(text: str) -> str:
    """A number matplotlib formatted (``1.5``), with the report language's decimal mark."""
    return text if i18n.get_language() == "en" else text.replace(".", i18n.decimal(0.5, 1)[1])


def _locale_axis(axis: Any) -> None:
    """Tick numbers of ``axis`` in the report language (decimal mark, percent sign); labels
    that are categories are left alone."""
    from matplotlib.ticker import PercentFormatter, ScalarFormatter

    class _Scalar(ScalarFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return _mark(super().__call__(x, pos))

        def get_offset(self) -> str:
            return _mark(super().get_offset())

    class _Percent(PercentFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return _mark(super().__call__(x, pos))

    formatter = axis.get_major_formatter()
    if isinstance(formatter, _Scalar | _Percent):
        return
    if isinstance(formatter, PercentFormatter):
        axis.set_major_formatter(_Percent(formatter.xmax, formatter.decimals, symbol="\u00a0%"))
    elif type(formatter) is ScalarFormatter:
        axis.set_major_formatter(_Scalar())


_P = ParamSpec("_P")


def _in_language(plot: Callable[_P, Axes]) -> Callable[_P, Axes]:
    """A figure function whose axes' tick numbers follow the report language (English as drawn)."""

    @functools.wraps(plot)
    def draw(*args: _P.args, **kwargs: _P.kwargs) -> Axes:
        ax = plot(*args, **kwargs)
        if i18n.get_language() != "en":
            _locale_axis(ax.xaxis)
            _locale_axis(ax.yaxis)
        return ax

    return draw


# --------------------------------------------------------------------------- NPS and key drivers


def _small(rows: pd.DataFrame) -> np.ndarray:
    """The rows a table flags as small samples (none when it has no ``small_n`` column)."""
    if "small_n" not in rows:
        return np.zeros(len(rows), dtype=bool)
    return rows["small_n"].fillna(False).to_numpy(dtype=bool).copy()


#: Trend figures show at most this many months by default (older months are left out: 140
#: months of labels are unreadable); every trend plot takes ``months=`` to change it.
TREND_MONTHS = 24
#: A month with fewer scores than this is drawn as a hollow point: shown, not a finding (the
#: tables' ``small_n`` flag is used when they have one).
SMALL_MONTH = 30


def month_label(value: object) -> str:
    """A month as a reader writes it: ``"2026-10"`` -> ``"Oct 2026"`` (other values unchanged).

    >>> month_label("2026-10"), month_label(pd.Period("2026-01", "M")), month_label("Q3")
    ('Oct 2026', 'Jan 2026', 'Q3')
    """
    try:
        period = value if isinstance(value, pd.Period) else pd.Period(str(value), freq="M")
    except (ValueError, TypeError):
        return label(value)
    if not isinstance(value, pd.Period) and not re.fullmatch(r"\d{4}-\d{2}", str(value)):
        return label(value)
    code = i18n.get_language()
    if code == "en":
        return period.strftime("%b %Y")
    from babel.dates import format_date

    locale = {"da": "da_DK", "nb": "nb_NO", "sv": "sv_SE"}[code]
    return format_date(period.to_timestamp().date(), "MMM y", locale=locale)


def _last_months(data: pd.DataFrame, column: str, months: int | None) -> pd.DataFrame:
    """The rows of the last ``months`` distinct values of ``column`` (all with None)."""
    if not months or data.empty:
        return data
    keep = sorted(data[column].astype(str).unique())[-months:]
    return data[data[column].astype(str).isin(keep)]


def _small_months(rows: pd.DataFrame) -> np.ndarray:
    """Rows flagged ``small_n``, else rows with fewer than :data:`SMALL_MONTH` scores in ``n``."""
    if "small_n" in rows:
        return _small(rows)
    if "n" in rows:
        return (pd.to_numeric(rows["n"], errors="coerce").fillna(0) < SMALL_MONTH).to_numpy()
    return np.zeros(len(rows), dtype=bool)


def _within(values: pd.Series, low: float, high: float) -> np.ndarray:
    """``values`` as floats clipped to the score's scale (an interval never leaves it)."""
    floats: np.ndarray = np.asarray(pd.to_numeric(values, errors="coerce"), dtype=float)
    clipped: np.ndarray = np.clip(floats, low, high)
    return clipped


def _scale_limits(ax: Axes, low_values: np.ndarray, high_values: np.ndarray, low: float, high: float) -> None:
    """Y limits around the data with a margin, never beyond the scale (plus a hair for markers)."""
    seen_low, seen_high = np.nanmin(low_values), np.nanmax(high_values)
    if not np.isfinite(seen_low) or not np.isfinite(seen_high):
        seen_low, seen_high = low, high
    pad = max(0.05 * (high - low), 0.15 * (seen_high - seen_low))
    margin = 0.02 * (high - low)
    ax.set_ylim(max(low - margin, seen_low - pad), min(high + margin, seen_high + pad))


def _method_rows(result: pd.DataFrame, method: str | None) -> pd.DataFrame:
    method = method or result["method"].iloc[0]
    rows = result[result["method"] == method]
    if rows.empty:
        raise ValueError(f"method {method!r} not in the result (methods: {result['method'].unique().tolist()}).")
    return rows.sort_values("rank").reset_index(drop=True)


def _spread_labels(ys: np.ndarray, min_gap: float) -> np.ndarray:
    """Move label heights apart (keeping their order) until neighbours are at least min_gap apart."""
    order = np.argsort(ys)
    placed = ys[order].astype(float).copy()
    for _ in range(100):
        moved = False
        for i in range(1, len(placed)):
            gap = placed[i] - placed[i - 1]
            if gap < min_gap:
                shift = (min_gap - gap) / 2
                placed[i - 1] -= shift
                placed[i] += shift
                moved = True
        if not moved:
            break
    out = np.empty_like(placed)
    out[order] = placed
    return out


@_in_language
def plot_nps_trend(
    data: pd.DataFrame, *, ax: Axes | None = None, metric: str | None = None, title: str | None = None
) -> Axes:
    """KPI by month (from :func:`cxkit.kpi_trend`) with its 95% band; significant changes marked.

    A ringed point marks a month whose change from the month before is significant after the
    table's multiple-testing adjustment (its ``significant`` column), labelled with the change.
    Months flagged ``small_n`` (too few responses to be a finding) are drawn hollow and never
    ringed.

    Parameters
    ----------
    data : DataFrame
        The table of :func:`cxkit.kpi_trend`, one row per month and metric, months in order.
        The figure reads ``metric`` (which rows), ``period`` (the x labels), ``value`` (the
        line), ``ci_low`` and ``ci_high`` (the band, which also sets the y range), and, when
        present, ``significant`` (ringed points), ``change`` (their labels) and ``small_n``
        (hollow points).
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure of 9 x 4.5 inches. The house style
        (:func:`house_style`) is applied either way.
    metric : str, optional
        Which metric's rows to draw (a value of the ``metric`` column: ``"nps"``, or for CSAT
        and CES ``"mean"``, ``"top2_box"``, ``"low_effort"``). Default: the first row's.
    title : str, optional
        The figure's title. Default: "NPS by month, with 95% confidence band" for NPS, else
        "<metric> by month". The y axis reads "NPS (−100 to 100)" for NPS, else the metric.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    See Also
    --------
    cxkit.kpi_trend : the table drawn here.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> ax = cx.plot_nps_trend(cx.kpi_trend(fb, "nps"))
    >>> ax.get_title(loc="left"), ax.get_xticklabels()[-1].get_text()
    ('NPS by month, with 95% confidence band', 'Oct 2026')
    >>> [text.get_text() for text in ax.texts]  # the one significant change, in August
    ['-13.4']
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax=ax, figsize=(9, 4.5))
    metric = metric or data["metric"].iloc[0]
    rows = data[data["metric"] == metric].reset_index(drop=True)
    x = np.arange(len(rows))
    colour = PALETTE[0]
    ax.fill_between(
        x,
        rows["ci_low"].astype(float),
        rows["ci_high"].astype(float),
        color=colour,
        alpha=0.18,
        linewidth=0,
        label=tr("95% confidence interval"),
    )
    name = "NPS" if metric == "nps" else _column(metric)
    ax.plot(x, rows["value"].astype(float), marker="o", color=colour, linewidth=2, label=name)
    sig = rows["significant"].fillna(False).to_numpy(dtype=bool) if "significant" in rows else np.zeros(len(rows), bool)
    small = _small(rows)
    sig = sig & ~small
    if small.any():
        ax.scatter(
            x[small],
            rows.loc[small, "value"],
            s=60,
            facecolors="white",
            edgecolors=colour,
            linewidths=1.8,
            zorder=6,
            label=tr("small sample (fewer than the minimum responses): not a finding"),
        )
    if sig.any():
        ax.scatter(
            x[sig],
            rows.loc[sig, "value"],
            s=220,
            facecolors="none",
            edgecolors=SIGNIFICANT,
            linewidths=2.2,
            zorder=5,
            label=tr("significant change from previous month (adjusted p)"),
        )
        for i in np.flatnonzero(sig).tolist():
            change = cast(float, rows.loc[i, "change"])
            below = change < 0
            ax.annotate(
                i18n.decimal(change, 1, sign=True),
                (x[i], rows.loc[i, "value"]),
                xytext=(0, -22 if below else 14),
                textcoords="offset points",
                ha="center",
                color=SIGNIFICANT,
                fontweight="bold",
            )
    ax.set_xticks(x, [month_label(p) for p in rows["period"]], rotation=45, ha="right")
    ax.set_ylabel(tr("NPS (−100 to 100)") if metric == "nps" else name)
    ax.set_xlabel("")
    low, high = float(rows["ci_low"].min()), float(rows["ci_high"].max())
    pad = max(3.0, 0.15 * (high - low))
    if metric == "nps":  # never beyond the scale
        ax.set_ylim(max(low - pad, -102.0), min(high + pad, 102.0))
    else:
        ax.set_ylim(low - pad, high + pad)
    ax.set_title(
        title
        or (tr("NPS by month, with 95% confidence band") if metric == "nps" else tr("{metric} by month", metric=name))
    )
    ax.legend(loc="best", fontsize=8)
    return ax


_NPS_TABLE = {"n", "promoters", "passives", "detractors", "nps", "se", "ci_low", "ci_high", "small_n", "n_eff"}


def _as_comparison(rows: pd.DataFrame) -> pd.DataFrame:
    """A :func:`cxkit.compare_nps` table as it is, or the table of ``cxkit.nps(df, by=col)``
    (one group column) shaped like one with nothing significant; anything else is a
    ValueError saying what to pass."""
    if {"by", "group", "value", "significant"} <= set(rows.columns):
        return rows
    groups = [c for c in rows.columns if c not in _NPS_TABLE]
    if "nps" in rows.columns and len(groups) == 1:
        col = groups[0]
        return rows.rename(columns={col: "group", "nps": "value"}).assign(by=str(col), significant=False, diff=np.nan)
    raise ValueError(
        "plot_nps_by_segment draws cx.compare_nps(df, by='segment') (groups tested against the rest) or "
        "cx.nps(df, by='segment') (one group column); got a table with columns "
        f"{[str(c) for c in rows.columns]}."
    )


@_in_language
def plot_nps_by_segment(data: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """NPS per group (from :func:`cxkit.compare_nps`) with 95% intervals, significant groups highlighted.

    Groups that differ significantly from their reference (adjusted p) are drawn in the
    highlight colour and labelled with the difference; a dashed line per group column marks
    the overall NPS (the response-weighted mean of its groups). Groups flagged ``small_n`` are
    drawn hollow and faded, and never highlighted. Made for comparisons against the rest
    (``against="rest"``, the default): the labels say "vs rest".

    Parameters
    ----------
    data : DataFrame
        The table of :func:`cxkit.compare_nps`, or several of them concatenated (one per group
        column, e.g. segment and channel: each block gets its own overall line, separated by
        a thin rule). One row per group, drawn top to bottom in the table's order. The figure
        reads ``by`` and ``group`` (the labels, "by: group"), ``value``, ``ci_low``,
        ``ci_high`` (the point and its interval), ``n`` (the weights of the overall line),
        ``significant``, ``diff`` (the label of a significant group) and, when present,
        ``small_n``. The table of ``cxkit.nps(df, by=column)`` (one group column, no tests)
        is drawn too, with no group highlighted.
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure 8 inches wide and 0.45 inch per group
        plus 1.6 high. The house style (:func:`house_style`) is applied either way.
    title : str, optional
        The figure's title. Default: "NPS by group this month".

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    See Also
    --------
    cxkit.compare_nps : the table drawn here.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> ax = cx.plot_nps_by_segment(cx.compare_nps(fb, by="segment"))
    >>> [t.get_text() for t in ax.get_yticklabels()]  # top to bottom
    ['segment: Consumer', 'segment: Enterprise', 'segment: SMB']
    >>> [text.get_text() for text in ax.texts]  # no group differs: only the overall line's label
    ['all: 18']
    >>> plt.close(ax.figure)
    """
    rows = _as_comparison(data.reset_index(drop=True))
    ax = new_axes(ax=ax, figsize=(8, 0.45 * len(rows) + 1.6))
    y = np.arange(len(rows))[::-1]
    small = _small(rows)
    sig = rows["significant"].to_numpy(dtype=bool) & ~small
    status = np.where(small, 2, sig.astype(int))
    for flag, colour, name in (
        (0, NEUTRAL, tr("not significantly different from the rest")),
        (1, SIGNIFICANT, tr("significantly different from the rest (adjusted p)")),
        (2, NEUTRAL, tr("small sample (fewer than the minimum responses): not compared")),
    ):
        pick = status == flag
        if not pick.any():
            continue
        v = rows.loc[pick, "value"].to_numpy(float)
        ax.errorbar(
            v,
            y[pick],
            xerr=[v - rows.loc[pick, "ci_low"].to_numpy(float), rows.loc[pick, "ci_high"].to_numpy(float) - v],
            fmt="o",
            color=colour,
            ecolor=colour,
            capsize=3,
            markersize=7,
            linewidth=1.6,
            label=name,
            mfc="white" if flag == 2 else colour,
            linestyle="none",
            alpha=0.6 if flag == 2 else 1.0,
        )
    for i in np.flatnonzero(sig).tolist():
        ax.annotate(
            tr("{difference} vs rest", difference=i18n.decimal(cast(float, rows.loc[i, "diff"]), 0, sign=True)),
            (rows.loc[i, "ci_high"], y[i]),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            color=SIGNIFICANT,
            fontsize=9,
        )
    for _by, part in rows.groupby("by", sort=False):
        overall = float((part["value"] * part["n"]).sum() / part["n"].sum())
        ys = y[part.index.to_numpy()]
        ax.plot([overall, overall], [ys.min() - 0.4, ys.max() + 0.4], linestyle="--", color="#555555", linewidth=1)
        ax.annotate(
            tr("all: {nps}", nps=i18n.decimal(overall, 0)),
            (overall, ys.max() + 0.4),
            xytext=(3, 0),
            textcoords="offset points",
            fontsize=8,
            color="#555555",
            va="bottom",
        )
    # pandas-stubs type a .loc cell as any scalar, and NA != NA has no overload there
    breaks = [i for i in range(1, len(rows)) if rows.loc[i, "by"] != rows.loc[i - 1, "by"]]  # type: ignore[operator]
    for b in breaks:
        ax.axhline(y[b] + 0.5, color="#cccccc", linewidth=0.8)
    ax.set_yticks(y, [label(f"{_column(b)}: {g}") for b, g in zip(rows["by"], rows["group"])])
    ax.set_xlabel(tr("NPS with 95% confidence interval"))
    ax.set_title(title or tr("NPS by group this month"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 if len(rows) > 6 else -0.2), ncol=1, fontsize=8)
    return ax


@_in_language
def plot_importance(
    data: pd.DataFrame, *, ax: Axes | None = None, method: str | None = None, title: str | None = None
) -> Axes:
    """Share of explained variance per driver (from :func:`cxkit.key_drivers`) with 95% CI bars.

    Drivers are ranked top to bottom (most important first, in the rank order of the first
    method drawn); each bar is labelled with its share. With ``method="both"`` results,
    ``method=None`` draws both methods side by side.

    Parameters
    ----------
    data : DataFrame
        The table of :func:`cxkit.key_drivers`. The figure reads ``method``, ``rank`` (the
        order), ``driver`` (the labels, underscores as spaces), ``share`` (the bars, in %) and
        ``ci_low``/``ci_high`` (the error bars, drawn when every row of the method has them,
        i.e. with ``bootstrap`` > 0), and from ``data.attrs`` ``target``, ``r2``, ``n`` (the
        default title) and ``r2_kind`` (the axis label).
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure 8 inches wide and 0.5 inch per driver
        plus 1.5 high. The house style (:func:`house_style`) is applied either way.
    method : str, optional
        Draw one method's rows only (``"shapley"`` or ``"relative_weights"``). Default: every
        method in the table, each in its own colour with a legend.
    title : str, optional
        The figure's title. Default: "Key drivers of <target>", with the model's R² and n
        when ``data.attrs`` has them.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Raises
    ------
    ValueError
        ``method`` is not a method of the table.

    See Also
    --------
    plot_quadrant : the same drivers, importance against performance.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame
    >>> ax = cx.plot_importance(cx.key_drivers(fb, "nps", bootstrap=0))
    >>> [t.get_text() for t in ax.get_yticklabels()][:3]  # top to bottom
    ['product quality', 'support', 'price']
    >>> plt.close(ax.figure)
    """
    methods = [method] if method else list(dict.fromkeys(data["method"]))
    base = _method_rows(data, methods[0])
    order = base["driver"].tolist()
    ax = new_axes(ax=ax, figsize=(8, 0.5 * len(order) + 1.5))
    height = 0.8 / len(methods)
    y0 = np.arange(len(order))[::-1]
    for k, m in enumerate(methods):
        rows = _method_rows(data, m).set_index("driver").loc[order].reset_index()
        y = y0 + 0.4 - height * (k + 0.5)
        share = 100 * rows["share"].to_numpy(float)
        has_ci = rows["ci_low"].notna().all()
        err = (
            [share - 100 * rows["ci_low"].to_numpy(float), 100 * rows["ci_high"].to_numpy(float) - share]
            if has_ci
            else None
        )
        ax.barh(
            y,
            share,
            height=height * 0.9,
            color=PALETTE[k],
            xerr=err,
            capsize=3,
            error_kw={"ecolor": "#333333", "linewidth": 1.2},
            label=m.replace("_", " "),
        )
        ends = 100 * rows["ci_high"].to_numpy(float) if has_ci else share
        for yi, s, e in zip(y, share, ends):
            ax.annotate(
                i18n.decimal(s, 0) + ("%" if i18n.get_language() == "en" else "\u00a0%"),
                (e, yi),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
    ax.set_yticks(y0, [label(d.replace("_", " ")) for d in order])
    kind = data.attrs.get("r2_kind", "R²")
    ax.set_xlabel(tr("share of explained variance (% of {kind}), 95% bootstrap CI", kind=kind))
    target = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}.get(
        data.attrs.get("target", ""), data.attrs.get("target", tr("the target"))
    )
    r2 = data.attrs.get("r2")
    if r2 is not None:
        n = data.attrs["n"]
        default = tr(
            "Key drivers of {target} (R² = {r2}, n = {n})",
            target=target,
            r2=i18n.decimal(r2, 2),
            n=f"{n:,}" if i18n.get_language() == "en" else i18n.integer(n),
        )
    else:
        default = tr("Key drivers of {target}", target=target)
    ax.set_title(title or default)
    if len(methods) > 1:
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(0, ax.get_xlim()[1] * 1.08)
    return ax


@_in_language
def plot_quadrant(
    data: pd.DataFrame, *, ax: Axes | None = None, method: str | None = None, title: str | None = None
) -> Axes:
    """Importance-performance quadrant: mean rating (x) against share of explained variance (y).

    Dashed lines at the medians of the drawn drivers split them into four quadrants, named in
    the corners: "fix first" (important, rated low) top left, "keep up" top right, "low
    priority" bottom left, "maintain" bottom right. Each driver is coloured by its
    ``quadrant``. Error bars are the 95% intervals of both numbers; labels are spread apart
    so they stay readable.

    Parameters
    ----------
    data : DataFrame
        The table of :func:`cxkit.key_drivers`. The figure reads one method's rows:
        ``performance`` with ``performance_ci_low``/``performance_ci_high`` (x and its error
        bars), ``share`` with ``ci_low``/``ci_high`` (y in %, and its error bars when every
        row has them), ``quadrant`` (the colour) and ``driver`` (the labels).
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure of 8.5 x 6 inches. The house style
        (:func:`house_style`) is applied either way.
    method : str, optional
        Which method's rows (``"shapley"`` or ``"relative_weights"``). Default: the first
        row's method.
    title : str, optional
        The figure's title. Default: "Importance against performance (lines at the medians)".

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Raises
    ------
    ValueError
        ``method`` is not a method of the table.

    See Also
    --------
    plot_importance : the shares as ranked bars.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame
    >>> ax = cx.plot_quadrant(cx.key_drivers(fb, "nps", bootstrap=0))
    >>> ax.get_legend_handles_labels()[1]
    ['fix first', 'keep up', 'low priority', 'maintain']
    >>> plt.close(ax.figure)
    """
    rows = _method_rows(data, method)
    ax = new_axes(ax=ax, figsize=(8.5, 6))
    x = rows["performance"].to_numpy(float)
    y = 100 * rows["share"].to_numpy(float)
    colours = {"fix first": NEGATIVE, "keep up": POSITIVE, "low priority": NEUTRAL, "maintain": PALETTE[0]}
    xerr = [x - rows["performance_ci_low"].to_numpy(float), rows["performance_ci_high"].to_numpy(float) - x]
    yerr = (
        [y - 100 * rows["ci_low"].to_numpy(float), 100 * rows["ci_high"].to_numpy(float) - y]
        if rows["ci_low"].notna().all()
        else None
    )
    for quadrant, colour in colours.items():
        pick = (rows["quadrant"] == quadrant).to_numpy()
        if pick.any():
            ax.errorbar(
                x[pick],
                y[pick],
                xerr=[e[pick] for e in xerr],
                yerr=[e[pick] for e in yerr] if yerr else None,
                fmt="o",
                color=colour,
                ecolor=colour,
                elinewidth=1.2,
                capsize=3,
                markersize=8,
                label=_word(quadrant),
            )
    ax.axvline(np.median(x), linestyle="--", color="#777777", linewidth=1)
    ax.axhline(np.median(y), linestyle="--", color="#777777", linewidth=1)
    xlo, xhi = (x - xerr[0]).min() - 0.3, (x + xerr[1]).max() + 0.9
    ytop = (y + yerr[1]).max() if yerr else y.max()
    ybot = (y - yerr[0]).min() if yerr else y.min()
    ylo, yhi = max(0.0, ybot - 3), ytop + 4
    ax.set_xlim(xlo, xhi)
    ax.set_ylim(ylo, yhi)
    label_y = _spread_labels(y, min_gap=0.045 * (yhi - ylo))
    for xi, yi, ly, name in zip(x, y, label_y, rows["driver"]):
        ax.annotate(
            label(str(name).replace("_", " ")),
            (xi, yi),
            xytext=(xi + 0.12 * (xhi - xlo) / 4, ly),
            textcoords="data",
            va="center",
            fontsize=9,
            arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.6} if abs(ly - yi) > 0.2 else None,
        )
    for text, (tx, ty, ha, va) in {
        "fix first": (0.01, 0.99, "left", "top"),
        "keep up": (0.99, 0.99, "right", "top"),
        "low priority": (0.01, 0.01, "left", "bottom"),
        "maintain": (0.99, 0.01, "right", "bottom"),
    }.items():
        ax.text(
            tx,
            ty,
            _word(text),
            transform=ax.transAxes,
            ha=ha,
            va=va,
            fontsize=10,
            color=colours[text],
            alpha=0.8,
            fontweight="bold",
        )
    ax.set_xlabel(tr("performance: mean rating (95% CI)"))
    ax.set_ylabel(tr("importance: share of explained variance (%, 95% CI)"))
    ax.set_title(title or tr("Importance against performance (lines at the medians)"))
    return ax


# --------------------------------------------------------------------------- review sentiment


@_in_language
def plot_sentiment_trend(
    data: pd.DataFrame,
    *,
    month: str | pd.Period | None = None,
    months: int | None = TREND_MONTHS,
    ax: Axes | None = None,
) -> Axes:
    """Mean sentiment per month (from :func:`cxkit.sentiment_trend`) with its 95% interval;
    ``month`` (``YYYY-MM``), when given, is marked.

    The title is "Review sentiment by month"; the y axis is the mean compound score, within -1
    to 1 (intervals are clipped to it); months are labelled ``Oct 2026``; a month with fewer
    than :data:`SMALL_MONTH` reviews is a hollow point.

    Parameters
    ----------
    data : DataFrame
        The table of :func:`cxkit.sentiment_trend` without ``by``: one row per month, in
        order. The figure reads ``month`` (the x labels), ``mean_compound`` (the line) and
        ``ci_low``/``ci_high`` (the band).
    month : str or Period, optional
        The report month (``YYYY-MM``): its point is ringed and named "report month" in the
        legend. A month that is not in the table's ``month`` column is not marked.
    months : int or None, default 24
        The last months shown (:data:`TREND_MONTHS`); None shows every month of the table.
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure of 8 x 4 inches. The house style
        (:func:`house_style`) is applied either way.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> reviews = cx.load_reviews(cx.SAMPLE_DIR / "reviews.csv").frame
    >>> scored = reviews.join(cx.sentiment(reviews["text"])[["compound", "label"]])
    >>> ax = cx.plot_sentiment_trend(cx.sentiment_trend(scored), month="2026-10")
    >>> ax.get_xticklabels()[-1].get_text(), bool(-1.05 <= ax.get_ylim()[0] < ax.get_ylim()[1] <= 1.05)
    ('Oct 2026', True)
    >>> ax.get_legend_handles_labels()[1]
    ['95% interval', 'mean sentiment', 'report month']
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax=ax, figsize=(8, 4))
    t = _last_months(data, "month", months).reset_index(drop=True)
    x = np.arange(len(t))
    low, high = _within(t["ci_low"], -1, 1), _within(t["ci_high"], -1, 1)
    ax.fill_between(x, low, high, color=PALETTE[0], alpha=0.2, label=tr("95% interval"))
    ax.plot(x, t["mean_compound"], marker="o", color=PALETTE[0], label=tr("mean sentiment"))
    small = _small_months(t)
    if small.any():
        ax.scatter(
            x[small],
            t.loc[small, "mean_compound"],
            s=40,
            facecolors="white",
            edgecolors=PALETTE[0],
            linewidths=1.5,
            zorder=6,
            label=tr("fewer than {n} reviews: not a finding", n=i18n.integer(SMALL_MONTH)),
        )
    if month is not None and str(month) in set(t["month"].astype(str)):
        i = int(np.flatnonzero(t["month"].astype(str).to_numpy() == str(month))[0])
        ax.plot([x[i]], [t["mean_compound"].iloc[i]], "o", ms=11, mfc="none", mec=NEGATIVE, label=tr("report month"))
    ax.set_xticks(x, [month_label(m) for m in t["month"]], rotation=45, ha="right")
    if len(t):
        _scale_limits(ax, low, high, -1, 1)
    ax.set_ylabel(tr("mean compound (-1 to 1)"))
    ax.set_title(tr("Review sentiment by month"))
    ax.legend(loc="best")
    return ax


@_in_language
def plot_sentiment_by_source(data: pd.DataFrame, *, months: int | None = TREND_MONTHS, ax: Axes | None = None) -> Axes:
    """Mean sentiment per month for each review source (from :func:`cxkit.sentiment_trend` with
    ``by="source"``), with 95% intervals.

    Months run along the x axis in order; within each month the sources' points sit side by
    side, one colour per source (sorted by name). The title is "Review sentiment by source".

    Parameters
    ----------
    data : DataFrame
        The table of ``cxkit.sentiment_trend(df, by="source")``. The figure reads ``month``,
        ``source``, ``mean_compound`` (the points) and ``ci_low``/``ci_high`` (the error bars,
        clipped to -1..1; none where a source has a single review in the month).
    months : int or None, default 24
        The last months shown (:data:`TREND_MONTHS`); None shows every month of the table.
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure of 8 x 4 inches. The house style
        (:func:`house_style`) is applied either way.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> reviews = cx.load_reviews(cx.SAMPLE_DIR / "reviews.csv").frame
    >>> scored = reviews.join(cx.sentiment(reviews["text"])[["compound", "label"]])
    >>> ax = cx.plot_sentiment_by_source(cx.sentiment_trend(scored, by="source"))
    >>> ax.get_legend_handles_labels()[1]
    ['app_store', 'google', 'trustpilot']
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax=ax, figsize=(8, 4))
    data = _last_months(data, "month", months)
    shown = sorted(data["month"].unique())
    pos = {m: i for i, m in enumerate(shown)}
    sources = sorted(data["source"].astype(str).unique())
    width = 0.8 / max(len(sources), 1)
    for k, (src, g) in enumerate(data.groupby(data["source"].astype(str))):
        x = np.array([pos[m] for m in g["month"]]) - 0.4 + width * (k + 0.5)
        mean = g["mean_compound"].to_numpy(dtype=float)
        yerr = np.vstack([mean - _within(g["ci_low"], -1, 1), _within(g["ci_high"], -1, 1) - mean])
        ax.errorbar(
            x,
            g["mean_compound"],
            yerr=yerr,
            fmt="o",
            ms=4,
            capsize=2,
            color=PALETTE[k % len(PALETTE)],
            label=label(src),
        )
    ax.set_xticks(range(len(shown)), [month_label(m) for m in shown], rotation=45, ha="right")
    if len(data):
        _scale_limits(ax, _within(data["ci_low"], -1, 1), _within(data["ci_high"], -1, 1), -1, 1)
    ax.set_ylabel(tr("mean compound (-1 to 1)"))
    ax.set_title(tr("Review sentiment by source"))
    ax.legend(loc="best", ncols=min(len(sources), 4))
    return ax


@_in_language
def plot_themes(data: pd.DataFrame, *, month: str | pd.Period, ax: Axes | None = None) -> Axes:
    """Share of reviews that are negative and mention each theme (from :func:`cxkit.theme_summary`):
    ``month`` (``YYYY-MM``) against the month before; emerging themes in the highlight colour.

    One bar per theme, the largest share on top; a black mark shows the month before. The title
    is "Negative mentions by theme (red: emerging, significant rise)" ("Negative mentions by
    theme" when the month before has no reviews).

    Parameters
    ----------
    data : DataFrame
        The table of :func:`cxkit.theme_summary`. The figure reads ``theme`` (the labels),
        ``negative_rate`` (the bars, % of all reviews), ``previous_rate`` (the marks; none
        when the month before has no reviews) and ``emerging`` (bars in the highlight colour;
        the others grey).
    month : str or Period
        Keyword-only and required: the month of the table (the ``month`` given to
        :func:`cxkit.theme_summary`). It only names the legend's entries (the month for the
        bars, the month before for the marks); the rows are not filtered.
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure of 8 x 4 inches. The house style
        (:func:`house_style`) is applied either way.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> reviews = cx.load_reviews(cx.SAMPLE_DIR / "reviews.csv").frame
    >>> scored = reviews.join(cx.sentiment(reviews["text"])[["compound", "label"]])
    >>> tagged = scored.join(cx.tag_themes(scored["text"]))
    >>> themes = cx.theme_summary(tagged, month="2026-10", themes=list(cx.theme_dictionary()))
    >>> ax = cx.plot_themes(themes, month="2026-10")
    >>> ax.get_yticklabels()[-1].get_text(), ax.get_legend_handles_labels()[1]  # top bar; legend
    ('delivery', ['2026-09', '2026-10'])
    >>> plt.close(ax.figure)
    """
    month = pd.Period(month, freq="M")
    ax = new_axes(ax=ax, figsize=(8, 4))
    t = data.sort_values("negative_rate")
    y = np.arange(len(t))
    colours = [NEGATIVE if e else NEUTRAL for e in t["emerging"]]
    ax.barh(y, 100 * t["negative_rate"], color=colours, label=i18n.month(month))
    compared = bool(pd.to_numeric(t["previous_rate"], errors="coerce").notna().any())
    if compared:  # no marks (and nothing can be emerging) without a month before
        ax.plot(100 * t["previous_rate"], y, "k|", ms=14, mew=2, label=i18n.month(month - 1))
    ax.set_yticks(y, [label(v) for v in t["theme"]])
    ax.set_xlabel(tr("negative reviews mentioning the theme (% of all reviews)"))
    ax.set_title(
        tr("Negative mentions by theme (red: emerging, significant rise)")
        if compared
        else tr("Negative mentions by theme")
    )
    ax.legend(loc="lower right")
    return ax


# --------------------------------------------------------------------------- churn and survival


@_in_language
def plot_churn_trend(
    data: pd.DataFrame, *, months: int | None = TREND_MONTHS, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Monthly churn rate (from :func:`churn_rate_by_month`) with its confidence band.

    The y axis (churned / active at start) is in percent and starts at 0. An empty table (no
    churn dates in the data) gives an axes without frame that says so.

    Parameters
    ----------
    data : DataFrame
        The table of :func:`cxkit.churn_rate_by_month`, one row per month in order. The figure
        reads ``month`` (the x labels, written ``Oct 2026``), ``churn_rate`` (the line) and
        ``ci_low``/``ci_high`` (the band).
    months : int or None, default 24
        The last months shown (:data:`TREND_MONTHS`); None shows every month of the table.
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure of 8 x 3.8 inches. The house style
        (:func:`house_style`) is applied either way.
    title : str, optional
        The figure's title. Default: "Monthly churn rate (95% CI)". Not set on an empty table.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> ax = cx.plot_churn_trend(cx.churn_rate_by_month(customers))
    >>> ax.get_xticklabels()[-1].get_text(), ax.get_title(loc="left")
    ('Oct 2026', 'Monthly churn rate (95% CI)')
    >>> plt.close(ax.figure)
    """
    from matplotlib.ticker import PercentFormatter

    ax = new_axes(ax=ax, figsize=(8, 3.8))
    if data.empty:
        ax.text(
            0.5,
            0.5,
            tr("no churn dates in the data: no monthly trend"),
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        ax.set_axis_off()
        return ax
    data = _last_months(data, "month", months)
    x = np.arange(len(data))
    ax.plot(x, data["churn_rate"], marker="o", color=PALETTE[0])
    ax.fill_between(
        x, _within(data["ci_low"], 0, 1), _within(data["ci_high"], 0, 1), color=PALETTE[0], alpha=0.15, linewidth=0
    )
    ax.set_xticks(x, [month_label(m) for m in data["month"]], rotation=45, ha="right")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.set_ylim(bottom=0)
    ax.set_ylabel(tr("churned / active at start"))
    ax.set_title(title or tr("Monthly churn rate (95% CI)"))
    return ax


@_in_language
def plot_calibration(data: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Observed churn against predicted probability per decile, with the diagonal of perfect calibration.

    Points on the dashed diagonal are deciles whose customers churned as often as predicted;
    above it the model under-predicts. Both axes run from 0 to a little above the largest
    predicted probability or upper limit. ``ChurnModel.plot_calibration()`` draws the same.

    Parameters
    ----------
    data : DataFrame
        The ``calibration`` table of a :func:`cxkit.churn_model` fitted with ``cv`` > 0 (one
        row per decile of out-of-fold predicted risk). The figure reads ``predicted`` (x),
        ``observed`` (y) and ``ci_low``/``ci_high`` (the error bars, Wilson intervals of the
        observed share).
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure of 5 x 5 inches. The house style
        (:func:`house_style`) is applied either way.
    title : str, optional
        The figure's title. Default: "Calibration by decile (95% CI)".

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> model = cx.churn_model(customers, "churned ~ support_tickets + C(contract)", cv=3)
    >>> ax = cx.plot_calibration(model.calibration)
    >>> ax.get_legend_handles_labels()[1]
    ['perfect calibration', 'decile of predicted risk']
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax=ax, figsize=(5, 5))
    top = float(max(data["ci_high"].max(), data["predicted"].max(), 0.05)) * 1.05
    ax.plot([0, top], [0, top], color=NEUTRAL, linestyle="--", linewidth=1, label=tr("perfect calibration"))
    yerr = np.vstack([data["observed"] - data["ci_low"], data["ci_high"] - data["observed"]])
    ax.errorbar(
        data["predicted"],
        data["observed"],
        yerr=yerr,
        fmt="o",
        color=PALETTE[0],
        label=tr("decile of predicted risk"),
    )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(tr("predicted churn probability (out of fold)"))
    ax.set_ylabel(tr("observed churn rate"))
    ax.set_title(title or tr("Calibration by decile (95% CI)"))
    ax.legend(loc="upper left")
    return ax


@_in_language
def plot_churn_by_nps(data: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Churn rate per NPS category (from :func:`churn_by_nps`) with confidence intervals.

    One bar per category in the table's order: promoters green, passives grey, detractors in
    the highlight colour, any other category (customers without a survey answer) light grey.
    The y axis is in percent.

    Parameters
    ----------
    data : DataFrame
        The table of :func:`cxkit.churn_by_nps`. The figure reads ``nps_category`` (the bars'
        labels and colours), ``churn_rate`` (the bars) and ``ci_low``/``ci_high`` (the error
        bars).
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure of 7 x 4 inches. The house style
        (:func:`house_style`) is applied either way.
    title : str, optional
        The figure's title. Default: "Churn by NPS category of the first survey answer (95% CI)".

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> sources = cx.load_catalog(cx.DEFAULT_CATALOG)
    >>> joined = cx.join_cx(sources["customers"].frame, sources["feedback"].frame)
    >>> ax = cx.plot_churn_by_nps(cx.churn_by_nps(joined))
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['promoter', 'passive', 'detractor', 'no response']
    >>> plt.close(ax.figure)
    """
    from matplotlib.ticker import PercentFormatter

    ax = new_axes(ax=ax, figsize=(7, 4))
    colours = {"promoter": POSITIVE, "passive": NEUTRAL, "detractor": NEGATIVE}
    x = np.arange(len(data))
    cats = data["nps_category"].astype(str).tolist()
    ax.bar(x, data["churn_rate"], color=[colours.get(c, "#BBBBBB") for c in cats])
    yerr = np.vstack([data["churn_rate"] - data["ci_low"], data["ci_high"] - data["churn_rate"]])
    ax.errorbar(x, data["churn_rate"], yerr=yerr, fmt="none", color="black", capsize=4)
    ax.set_xticks(x, [_word(c) for c in cats])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(tr("churn rate"))
    ax.set_title(title or tr("Churn by NPS category of the first survey answer (95% CI)"))
    return ax


@_in_language
def plot_revenue_at_risk(data: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Revenue at risk per group (from :func:`revenue_at_risk`, without the ``all`` row).

    One horizontal bar per group with its confidence interval; the x axis names the currency
    and the horizon of the churn probabilities when the table's ``attrs`` have them. A table
    without group rows (no monthly revenue in the data) gives an axes without frame that says
    so.

    Parameters
    ----------
    data : DataFrame
        The table of :func:`cxkit.revenue_at_risk`. The figure takes its first column as the
        group column (``by``), leaves out the row whose group is ``"all"``, and reads
        ``revenue_at_risk`` (the bars) and ``ci_low``/``ci_high`` (the error bars), and
        ``attrs["currency"]`` and ``attrs["horizon_months"]`` (the axis label).
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure of 7 x 4 inches. The house style
        (:func:`house_style`) is applied either way.
    title : str, optional
        The figure's title. Default: "Revenue at risk by <group column>" ("Revenue at risk"
        on an empty table).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> model = cx.churn_model(customers, covariates=["tenure_months", "contract", "segment"], cv=0)
    >>> ax = cx.plot_revenue_at_risk(cx.revenue_at_risk(model, customers))
    >>> [t.get_text() for t in ax.get_yticklabels()]  # bottom to top
    ['Consumer', 'Enterprise', 'SMB']
    >>> ax.get_xlabel()
    'monthly revenue of customers expected to churn within 12 months (95% CI)'
    >>> plt.close(ax.figure)
    """

    key = data.columns[0]
    parts = data[data[key] != "all"]
    ax = new_axes(ax=ax, figsize=(7, 4))
    if parts.empty:
        ax.text(
            0.5,
            0.5,
            tr("No monthly revenue in the data:\nrevenue at risk not computed"),
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        ax.set_axis_off()
        ax.set_title(title or tr("Revenue at risk"))
        return ax
    y = np.arange(len(parts))
    ax.barh(y, parts["revenue_at_risk"], color=PALETTE[1])
    xerr = np.vstack([parts["revenue_at_risk"] - parts["ci_low"], parts["ci_high"] - parts["revenue_at_risk"]])
    ax.errorbar(parts["revenue_at_risk"], y, xerr=xerr, fmt="none", color="black", capsize=4)
    ax.set_yticks(y, [label(v) for v in parts[key]])
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.decimal(v, 0)))
    currency, horizon = data.attrs.get("currency", ""), data.attrs.get("horizon_months")
    months = str(horizon) if i18n.get_language() == "en" else _mark(str(horizon))
    if currency and horizon:
        what = tr(
            "monthly revenue ({currency}) of customers expected to churn within {months} months (95% CI)",
            currency=currency,
            months=months,
        )
    elif currency:
        what = tr("monthly revenue ({currency}) of customers expected to churn (95% CI)", currency=currency)
    elif horizon:
        what = tr("monthly revenue of customers expected to churn within {months} months (95% CI)", months=months)
    else:
        what = tr("monthly revenue of customers expected to churn (95% CI)")
    ax.set_xlabel(what)
    ax.set_title(title or tr("Revenue at risk by {column}", column=_column(key)))
    return ax


@_in_language
def plot_cohort_retention(data: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Heatmap of retention by signup cohort (rows) and months since signup (columns).

    Cells are coloured from the lowest retention in the table (less 2 points) to 100%, and
    labelled with the percentage when there are at most 15 month columns. An empty table (no
    signup and churn dates) gives an axes without frame that says so.

    Parameters
    ----------
    data : DataFrame
        The long table of :func:`cxkit.cohort_retention` (its default, not ``wide=True``). The
        figure reads ``cohort`` (the rows, "signup month"), ``months_since_signup`` (the
        columns) and ``retention`` (the cells).
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure 9 inches wide and 0.35 inch per cohort
        plus 1.5 high (at least 3). The house style (:func:`house_style`) is applied either
        way.
    title : str, optional
        The figure's title. Default: "Retention by signup cohort". Not set on an empty table.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> ax = cx.plot_cohort_retention(cx.cohort_retention(customers))
    >>> ax.get_ylabel(), ax.get_yticklabels()[0].get_text()
    ('signup month', '2025-11')
    >>> plt.close(ax.figure)
    """
    import seaborn as sns

    if data.empty:
        ax = new_axes(ax=ax, figsize=(8, 3))
        ax.text(
            0.5,
            0.5,
            tr("no signup and churn dates in the data: no cohorts"),
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        ax.set_axis_off()
        return ax
    grid = data.pivot(index="cohort", columns="months_since_signup", values="retention")
    ax = new_axes(ax=ax, figsize=(9, max(3, 0.35 * len(grid) + 1.5)))
    sns.heatmap(
        grid,
        ax=ax,
        cmap="Blues",
        vmin=max(0.0, float(np.nanmin(grid.to_numpy())) - 0.02),
        vmax=1.0,
        annot=len(grid.columns) <= 15,
        fmt=".0%",
        cbar_kws={"label": tr("still a customer")},
        annot_kws={"fontsize": 7},
    )
    ax.grid(False)
    if i18n.get_language() != "en":  # the cells' percentages, the colour bar and the cohorts in the locale
        for text in ax.texts:
            text.set_text(text.get_text().replace("%", "\u00a0%"))
        for mesh in ax.collections:
            bar = getattr(mesh, "colorbar", None)
            if bar is not None:
                _locale_axis(bar.ax.yaxis)
        ax.set_yticks(ax.get_yticks(), [month_label(t.get_text()) for t in ax.get_yticklabels()])
    ax.set_xlabel(tr("months since signup"))
    ax.set_ylabel(tr("signup month"))
    ax.set_title(title or tr("Retention by signup cohort"))
    return ax


@_in_language
def plot_km(
    data: pd.DataFrame, *, by: str | None = None, ax: Axes | None = None, ci: bool = True, title: str | None = None
) -> Axes:
    """Kaplan–Meier curves from :func:`kaplan_meier` (steps, with shaded confidence bands).

    Each curve starts at 100% at time 0; one curve per group (in sorted order, with a legend
    titled by the group column), or one curve "all customers" without groups.

    Parameters
    ----------
    data : DataFrame
        The table of :func:`cxkit.kaplan_meier`. The figure reads ``time`` (x, months as a
        customer), ``survival`` (the steps), ``ci_low``/``ci_high`` (the bands) and the
        group column.
    by : str, optional
        The group column of ``data``. Default: its first column unless that is ``time``
        (:func:`cxkit.kaplan_meier` puts its ``by`` column first), so it is found
        automatically.
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure of 8 x 4.5 inches. The house style
        (:func:`house_style`) is applied either way.
    ci : bool, default True
        Shade each curve's confidence band.
    title : str, optional
        The figure's title. Default: "Customers still active by tenure (Kaplan–Meier, 95% CI)".

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> ax = cx.plot_km(cx.kaplan_meier(customers, by="segment"))
    >>> legend = ax.get_legend()
    >>> legend.get_title().get_text(), [t.get_text() for t in legend.get_texts()]
    ('segment', ['Consumer', 'Enterprise', 'SMB'])
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax=ax, figsize=(8, 4.5))
    if by is None and len(data.columns) and data.columns[0] not in ("time",):
        by = data.columns[0]
    groups = [(None, data)] if by is None else list(data.groupby(by, sort=True))
    for i, (name, part) in enumerate(groups):
        colour = PALETTE[i % len(PALETTE)]
        t = np.r_[0.0, part["time"].to_numpy()]
        s = np.r_[1.0, part["survival"].to_numpy()]
        ax.step(t, s, where="post", color=colour, label=label(name) if name is not None else tr("all customers"))
        if ci:
            lo = np.r_[1.0, part["ci_low"].to_numpy()]
            hi = np.r_[1.0, part["ci_high"].to_numpy()]
            ax.fill_between(t, lo, hi, step="post", color=colour, alpha=0.15, linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(tr("months as a customer"))
    ax.set_ylabel(tr("share still a customer"))
    ax.set_title(title or tr("Customers still active by tenure (Kaplan–Meier, 95% CI)"))
    if by is not None:
        ax.legend(title=label(_column(by)))
    return ax


@_in_language
def plot_forest(
    data: pd.DataFrame,
    *,
    ax: Axes | None = None,
    effect: str | None = None,
    title: str | None = None,
    alpha: float = 0.05,
) -> Axes:
    """Forest plot: one row per term, the effect (odds or hazard ratio) with its confidence
    interval on a log axis; terms whose interval excludes 1 are highlighted.

    Terms are drawn top to bottom in the table's order, the intercept left out; a vertical
    line marks 1 (no effect). ``ChurnModel.plot_forest()`` and ``CoxModel.plot_forest()``
    draw the same from their ``summary``.

    Parameters
    ----------
    data : DataFrame
        The ``summary`` of a :func:`cxkit.churn_model` (odds ratios) or :func:`cxkit.cox_model`
        (hazard ratios). The figure reads ``term`` (the ``Intercept`` row is left out), the
        ``effect`` column (the points), ``ci_low``/``ci_high`` (the lines, and whether a term
        is highlighted) and ``label`` (the row labels; ``term`` without it).
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure 8 inches wide and 0.38 inch per term plus
        1.2 high (at least 2.5). The house style (:func:`house_style`) is applied either way.
    effect : str, optional
        The effect column. Default: ``odds_ratio`` or ``hazard_ratio``, whichever the table
        has.
    title : str, optional
        The figure's title. Default: "Effects on churn" for odds ratios, "Effects on time to
        churn" for hazard ratios.
    alpha : float, default 0.05
        Names the intervals' level in the axis label ("95% CI"); pass the model's ``alpha``
        (``ChurnModel.plot_forest`` does). The intervals themselves are the table's.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Raises
    ------
    ValueError
        ``effect`` is not given and the table has neither ``odds_ratio`` nor ``hazard_ratio``.

    Examples
    --------
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> model = cx.churn_model(customers, "churned ~ support_tickets + C(contract)", cv=0)
    >>> ax = cx.plot_forest(model.summary)
    >>> [t.get_text() for t in ax.get_yticklabels()]  # bottom to top
    ['support_tickets', 'contract: two_year vs annual', 'contract: monthly vs annual']
    >>> ax.get_xlabel()
    'odds ratio (log scale, 95% CI)'
    >>> plt.close(ax.figure)
    """
    effect = effect or next((c for c in ("odds_ratio", "hazard_ratio") if c in data.columns), None)
    if effect is None:
        raise ValueError("summary needs an 'odds_ratio' or 'hazard_ratio' column.")
    rows = data[data["term"] != "Intercept"].iloc[::-1]
    ax = new_axes(ax=ax, figsize=(8, max(2.5, 0.38 * len(rows) + 1.2)))
    y = np.arange(len(rows))
    sig = (rows["ci_low"] > 1) | (rows["ci_high"] < 1)
    colours = np.where(sig, SIGNIFICANT, NEUTRAL)
    ax.hlines(y, rows["ci_low"], rows["ci_high"], color=colours, linewidth=2)
    ax.scatter(rows[effect], y, color=colours, zorder=3, s=30)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xscale("log")
    # plain numbers on the log axis (mathtext is off in the house style, so no 10^x labels)
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    low = float(np.nanmin(rows["ci_low"].clip(lower=1e-6))) if len(rows) else 0.5
    high = float(np.nanmax(rows["ci_high"].clip(upper=1e6))) if len(rows) else 2.0
    ticks = [
        t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100) if low / 1.5 <= t <= high * 1.5
    ] or [1]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _mark(f"{v:g}")))
    ax.xaxis.set_minor_formatter(NullFormatter())
    labels = rows["label"] if "label" in rows.columns else rows["term"]
    ax.set_yticks(y, [label(t, max_chars=45) for t in labels])
    effect_name = translate(COLUMN_LABELS[effect]) if effect in COLUMN_LABELS else effect.replace("_", " ")
    ax.set_xlabel(tr("{effect} (log scale, {level} CI)", effect=effect_name, level=i18n.percent(1 - alpha, 0)))
    ax.set_title(title or (tr("Effects on churn") if effect == "odds_ratio" else tr("Effects on time to churn")))
    return ax


# --------------------------------------------------------------------------- journey


@_in_language
def plot_stages(data: _StageComparisonLike, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Means with confidence intervals per stage; the letters above each stage are the
    compact letter display (stages sharing a letter do not differ significantly), and the
    worst stage is drawn in the highlight colour when it is significantly worst.

    A note under the axes explains the letters (Games-Howell at the comparison's ``alpha``).

    Parameters
    ----------
    data : StageComparison
        The result of :func:`cxkit.compare_stages` (an object, not a DataFrame). The figure
        reads its ``stages`` table (``stage`` for the x labels, ``mean``, ``ci_low``,
        ``ci_high`` and ``letters``), ``lowest()`` (the worst stage and whether it is
        significantly worst by Games-Howell), and ``alpha``, ``score`` and ``stage`` (the
        labels).
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure of 8 x 4.2 inches. The house style
        (:func:`house_style`) is applied either way.
    title : str, optional
        The figure's title. Default: "<score> by <stage column>", e.g. "CSAT by journey
        stage".

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Examples
    --------
    >>> scores = pd.DataFrame({"journey_stage": ["decision", "awareness"] * 40, "csat": [2, 4, 3, 5, 4, 4, 1, 3] * 10})
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_stages(cx.compare_stages(scores, metric="csat"))
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['awareness', 'decision']
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax=ax, figsize=(8, 4.2))
    s = data.stages
    low = data.lowest()
    x = np.arange(len(s))
    colours = [SIGNIFICANT if (st == low["stage"] and low["significant"]) else PALETTE[0] for st in s["stage"]]
    ax.errorbar(
        x,
        s["mean"],
        yerr=[s["mean"] - s["ci_low"], s["ci_high"] - s["mean"]],
        fmt="none",
        ecolor=NEUTRAL,
        elinewidth=2,
        capsize=4,
        zorder=1,
    )
    ax.scatter(x, s["mean"], color=colours, s=60, zorder=2)
    span = float(s["ci_high"].max() - s["ci_low"].min()) or 1.0
    for xi, top, letters in zip(x, s["ci_high"], s["letters"]):
        ax.annotate(letters, (xi, top + 0.04 * span), ha="center", va="bottom", fontsize=10)
    ax.set_xticks(x, [_word(v) for v in s["stage"]])
    ax.set_ylim(s["ci_low"].min() - 0.1 * span, s["ci_high"].max() + 0.2 * span)
    pct = int(round(100 * (1 - data.alpha)))
    ax.set_ylabel(tr("mean {metric} ({level} CI)", metric=metric_label(data.score), level=i18n.percent(pct / 100, 0)))
    ax.set_xlabel("")
    ax.set_title(title or tr("{metric} by {column}", metric=metric_label(data.score), column=metric_label(data.stage)))
    ax.text(
        0,
        -0.16,
        tr(
            "Stages sharing a letter do not differ significantly (Games-Howell, alpha {alpha}).",
            alpha=_mark(str(data.alpha)),
        ),
        transform=ax.transAxes,
        fontsize=8,
        color=NEUTRAL,
    )
    return ax


@_in_language
def plot_funnel(data: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Horizontal funnel bars (from :func:`funnel`) labelled with counts and conversions.

    One bar per stage, the first stage on top; each bar is labelled with the customers who
    reached it and, from the second stage on, the conversion from the stage before with its
    confidence interval.

    Parameters
    ----------
    data : DataFrame
        The table of :func:`cxkit.funnel`. The figure reads ``stage`` (the labels),
        ``reached`` (the bars) and ``conversion``, ``ci_low``, ``ci_high`` (the bars' labels).
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure of 8 x 3.8 inches. The house style
        (:func:`house_style`) is applied either way.
    title : str, optional
        The figure's title. Default: "Customers reaching each stage".
        The figure's title.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Examples
    --------
    >>> events = pd.DataFrame({"customer_id": ["a", "a", "b"], "journey_stage": ["awareness", "decision", "awareness"]})
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_funnel(cx.funnel(events, time=None))
    >>> len(ax.patches)
    3
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax=ax, figsize=(8, 3.8))
    y = np.arange(len(data))[::-1]
    ax.barh(y, data["reached"], color=PALETTE[0], height=0.65)
    top = float(data["reached"].max()) or 1.0
    row: Any  # itertuples' fields (numbers here); the stubs type them as any scalar
    for yi, row in zip(y, data.itertuples(index=False)):
        text = f"{row.reached:,}" if i18n.get_language() == "en" else i18n.integer(row.reached)
        if np.isfinite(row.conversion):
            text += "  " + tr(
                "({share} of previous, CI {low}–{high})",
                share=i18n.percent(row.conversion, 1),
                low=i18n.decimal(100 * row.ci_low, 1),
                high=i18n.percent(row.ci_high, 1),
            )
        ax.annotate(text, (row.reached + 0.01 * top, yi), va="center", fontsize=9)
    ax.set_yticks(y, [_word(s) for s in data["stage"]])
    ax.set_xlim(0, top * 1.75)
    ax.set_xlabel(tr("customers"))
    ax.set_title(title or tr("Customers reaching each stage"))
    ax.grid(axis="y", visible=False)
    return ax


@_in_language
def plot_funnel_by_month(data: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Conversion of each step by month (from :func:`funnel_by_month`) with Wilson CI bands.

    One line per step (``a -> b`` labelled ``a → b``), in percent, over the months in the
    table's order; with more than about 12 months only every k-th month is labelled. A month
    missing for a step leaves a gap in its line.

    Parameters
    ----------
    data : DataFrame
        The table of :func:`cxkit.funnel_by_month`. The figure reads ``month`` (x),
        ``step`` (one line each), ``conversion`` (the lines) and ``ci_low``/``ci_high`` (the
        bands).
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure of 9 x 4.2 inches. The house style
        (:func:`house_style`) is applied either way.
    title : str, optional
        The figure's title. Default: "Conversion between stages by month".
        The figure's title.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Examples
    --------
    >>> events = pd.DataFrame({"customer_id": ["a", "a", "b", "b"], "Month": ["Feb", "Feb", "Mar", "Mar"],
    ...                        "journey_stage": ["awareness", "consideration"] * 2})
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_funnel_by_month(cx.funnel_by_month(events, period="Month"))
    >>> len(ax.get_lines())
    1
    >>> plt.close(ax.figure)
    """
    ax = new_axes(ax=ax, figsize=(9, 4.2))
    months = list(dict.fromkeys(data["month"]))
    x = np.arange(len(months))
    for i, (step, part) in enumerate(data.groupby("step", sort=False)):
        part = part.set_index("month").reindex(months)
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(
            x,
            100 * part["conversion"],
            marker="o",
            ms=3,
            color=colour,
            label=label(" → ".join(_word(part, max_chars=10**6) for part in cast(str, step).split("->"))),
        )
        ax.fill_between(x, 100 * part["ci_low"], 100 * part["ci_high"], color=colour, alpha=0.15, linewidth=0)
    step = max(1, len(months) // 12)
    ax.set_xticks(x[::step], [label(m) for m in months[::step]], rotation=45, ha="right")
    ax.set_ylabel(tr("conversion (%), 95% CI"))
    ax.set_ylim(0, 100)
    ax.set_title(title or tr("Conversion between stages by month"))
    ax.legend(loc="lower left", fontsize=8, ncols=2)
    return ax


@_in_language
def plot_pain_points(data: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Mean score with CI per touchpoint (from :func:`pain_points`), ranked pain points on top;
    dot area shows volume, significantly worse touchpoints are highlighted.

    Parameters
    ----------
    data : DataFrame
        The table of :func:`cxkit.pain_points`, drawn top to bottom in its order (ranked pain
        points first). The figure takes its first column as the group column (``by``, e.g.
        ``touchpoint``: the labels) and reads ``mean`` with ``ci_low``/``ci_high`` (the dot
        and its interval), ``volume`` (the dot's area) and ``significantly_worse`` (the
        highlight colour).
    ax : matplotlib.axes.Axes, optional
        The Axes to draw on; by default a new figure 8 inches wide and 0.45 inch per row
        plus 1.5 high. The house style (:func:`house_style`) is applied either way.
    title : str, optional
        The figure's title. Default: "Pain points by <group column> (top = most excess poor
        experiences)".

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax`` when given); ``ax.figure`` is the figure to pass to
        :func:`cxkit.figure`.

    Examples
    --------
    >>> events = pd.DataFrame({"touchpoint": ["billing", "website"] * 40, "csat": [1, 4, 3, 5] * 20})
    >>> import cxkit as cx
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_pain_points(cx.pain_points(events))
    >>> [t.get_text() for t in ax.get_yticklabels()]  # top to bottom
    ['billing', 'website']
    >>> plt.close(ax.figure)
    """
    name = data.columns[0]
    ax = new_axes(ax=ax, figsize=(8, 0.45 * len(data) + 1.5))
    y = np.arange(len(data))[::-1]
    colours = [SIGNIFICANT if s else PALETTE[0] for s in data["significantly_worse"]]
    ax.errorbar(
        data["mean"],
        y,
        xerr=[data["mean"] - data["ci_low"], data["ci_high"] - data["mean"]],
        fmt="none",
        ecolor=NEUTRAL,
        elinewidth=1.5,
        capsize=3,
        zorder=1,
    )
    size = 30 + 270 * data["volume"] / max(float(data["volume"].max()), 1.0)
    ax.scatter(data["mean"], y, s=size, color=colours, zorder=2, alpha=0.9)
    ax.set_yticks(y, [label(v) for v in data[name]])
    ax.set_xlabel(tr("mean score (95% CI); dot area = volume"))
    ax.set_title(title or tr("Pain points by {column} (top = most excess poor experiences)", column=_column(name)))
    return ax
