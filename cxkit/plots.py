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

import numpy as np
import pandas as pd

from .display import metric_label

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

    sns.set_theme(context="notebook", style="whitegrid", palette=PALETTE, font_scale=0.95)
    plt.rcParams.update({
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
    })


def new_axes(*, figsize: tuple[float, float] | None = None, ax=None):
    """A styled axes: ``ax`` itself when given, else a new figure's axes."""
    import matplotlib.pyplot as plt

    house_style()
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize)
    return ax


def label(text: object, *, max_chars: int = 40) -> str:
    """A category label from data, shortened for an axis; matplotlib draws it as plain text."""
    text = "" if text is None else str(text)
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


# --------------------------------------------------------------------------- NPS and key drivers


def _small(rows: pd.DataFrame) -> np.ndarray:
    """The rows a table flags as small samples (none when it has no ``small_n`` column)."""
    if "small_n" not in rows:
        return np.zeros(len(rows), dtype=bool)
    return rows["small_n"].fillna(False).to_numpy(dtype=bool).copy()


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


def plot_nps_trend(data: pd.DataFrame, *, ax=None, metric: str | None = None, title: str | None = None):
    """KPI by month (from :func:`cxkit.kpi_trend`) with its 95% band; significant changes marked.

    A ringed point marks a month whose change from the month before is significant after the
    table's multiple-testing adjustment (its ``significant`` column), labelled with the change.
    Months flagged ``small_n`` (too few responses to be a finding) are drawn hollow and never
    ringed.
    """
    ax = new_axes(ax=ax, figsize=(9, 4.5))
    metric = metric or data["metric"].iloc[0]
    rows = data[data["metric"] == metric].reset_index(drop=True)
    x = np.arange(len(rows))
    colour = PALETTE[0]
    ax.fill_between(x, rows["ci_low"].astype(float), rows["ci_high"].astype(float), color=colour, alpha=0.18,
                    linewidth=0, label="95% confidence interval")
    ax.plot(x, rows["value"].astype(float), marker="o", color=colour, linewidth=2, label=metric.upper() if metric == "nps" else metric)
    sig = rows["significant"].fillna(False).to_numpy(dtype=bool) if "significant" in rows else np.zeros(len(rows), bool)
    small = _small(rows)
    sig = sig & ~small
    if small.any():
        ax.scatter(x[small], rows.loc[small, "value"], s=60, facecolors="white", edgecolors=colour, linewidths=1.8,
                   zorder=6, label="small sample (fewer than the minimum responses): not a finding")
    if sig.any():
        ax.scatter(x[sig], rows.loc[sig, "value"], s=220, facecolors="none", edgecolors=SIGNIFICANT,
                   linewidths=2.2, zorder=5, label="significant change from previous month (adjusted p)")
        for i in np.flatnonzero(sig):
            change = rows.loc[i, "change"]
            below = change < 0
            ax.annotate(f"{change:+.1f}", (x[i], rows.loc[i, "value"]), xytext=(0, -22 if below else 14),
                        textcoords="offset points", ha="center", color=SIGNIFICANT, fontweight="bold")
    ax.set_xticks(x, [label(p) for p in rows["period"]], rotation=45, ha="right")
    ax.set_ylabel("NPS (−100 to 100)" if metric == "nps" else metric)
    ax.set_xlabel("")
    low, high = float(rows["ci_low"].min()), float(rows["ci_high"].max())
    pad = max(3.0, 0.15 * (high - low))
    ax.set_ylim(low - pad, high + pad)
    ax.set_title(title or ("NPS by month, with 95% confidence band" if metric == "nps" else f"{metric} by month"))
    ax.legend(loc="best", fontsize=8)
    return ax


def plot_nps_by_segment(data: pd.DataFrame, *, ax=None, title: str | None = None):
    """NPS per group (from :func:`cxkit.compare_nps`) with 95% intervals, significant groups highlighted.

    Groups that differ significantly from their reference (adjusted p) are drawn in the
    highlight colour and labelled with the difference; a dashed line per group column marks
    the overall NPS (the response-weighted mean of its groups).
    """
    rows = data.reset_index(drop=True)
    ax = new_axes(ax=ax, figsize=(8, 0.45 * len(rows) + 1.6))
    y = np.arange(len(rows))[::-1]
    small = _small(rows)
    sig = rows["significant"].to_numpy(dtype=bool) & ~small
    status = np.where(small, 2, sig.astype(int))
    for flag, colour, name in ((0, NEUTRAL, "not significantly different from the rest"),
                               (1, SIGNIFICANT, "significantly different from the rest (adjusted p)"),
                               (2, NEUTRAL, "small sample (fewer than the minimum responses): not compared")):
        pick = status == flag
        if not pick.any():
            continue
        v = rows.loc[pick, "value"].to_numpy(float)
        ax.errorbar(v, y[pick], xerr=[v - rows.loc[pick, "ci_low"].to_numpy(float), rows.loc[pick, "ci_high"].to_numpy(float) - v],
                    fmt="o", color=colour, ecolor=colour, capsize=3, markersize=7, linewidth=1.6, label=name,
                    mfc="white" if flag == 2 else colour, linestyle="none", alpha=0.6 if flag == 2 else 1.0)
    for i in np.flatnonzero(sig):
        ax.annotate(f"{rows.loc[i, 'diff']:+.0f} vs rest", (rows.loc[i, "ci_high"], y[i]), xytext=(6, 0),
                    textcoords="offset points", va="center", color=SIGNIFICANT, fontsize=9)
    for by, part in rows.groupby("by", sort=False):
        overall = float((part["value"] * part["n"]).sum() / part["n"].sum())
        ys = y[part.index.to_numpy()]
        ax.plot([overall, overall], [ys.min() - 0.4, ys.max() + 0.4], linestyle="--", color="#555555", linewidth=1)
        ax.annotate(f"all: {overall:.0f}", (overall, ys.max() + 0.4), xytext=(3, 0), textcoords="offset points",
                    fontsize=8, color="#555555", va="bottom")
    breaks = [i for i in range(1, len(rows)) if rows.loc[i, "by"] != rows.loc[i - 1, "by"]]
    for b in breaks:
        ax.axhline(y[b] + 0.5, color="#cccccc", linewidth=0.8)
    ax.set_yticks(y, [label(f"{b}: {g}") for b, g in zip(rows["by"], rows["group"])])
    ax.set_xlabel("NPS with 95% confidence interval")
    ax.set_title(title or "NPS by group this month")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 if len(rows) > 6 else -0.2), ncol=1, fontsize=8)
    return ax


def plot_importance(data: pd.DataFrame, *, ax=None, method: str | None = None, title: str | None = None):
    """Share of explained variance per driver (from :func:`cxkit.key_drivers`) with 95% CI bars.

    With ``method="both"`` results, ``method=None`` draws both methods side by side.
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
        err = [share - 100 * rows["ci_low"].to_numpy(float), 100 * rows["ci_high"].to_numpy(float) - share] if has_ci else None
        ax.barh(y, share, height=height * 0.9, color=PALETTE[k], xerr=err, capsize=3,
                error_kw={"ecolor": "#333333", "linewidth": 1.2}, label=m.replace("_", " "))
        ends = 100 * rows["ci_high"].to_numpy(float) if has_ci else share
        for yi, s, e in zip(y, share, ends):
            ax.annotate(f"{s:.0f}%", (e, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(y0, [label(d.replace("_", " ")) for d in order])
    kind = data.attrs.get("r2_kind", "R²")
    ax.set_xlabel(f"share of explained variance (% of {kind}), 95% bootstrap CI")
    target = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}.get(data.attrs.get("target"), data.attrs.get("target", "the target"))
    r2 = data.attrs.get("r2")
    ax.set_title(title or (f"Key drivers of {target}" + (f" (R² = {r2:.2f}, n = {data.attrs['n']:,})" if r2 is not None else "")))
    if len(methods) > 1:
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(0, ax.get_xlim()[1] * 1.08)
    return ax


def plot_quadrant(data: pd.DataFrame, *, ax=None, method: str | None = None, title: str | None = None):
    """Importance-performance quadrant: mean rating (x) against share of explained variance (y).

    Dashed lines at the medians split the drivers into four quadrants; "fix first" (important,
    rated low) is top left. Error bars are the 95% intervals of both numbers; labels are
    spread apart so they stay readable.
    """
    rows = _method_rows(data, method)
    ax = new_axes(ax=ax, figsize=(8.5, 6))
    x = rows["performance"].to_numpy(float)
    y = 100 * rows["share"].to_numpy(float)
    colours = {"fix first": NEGATIVE, "keep up": POSITIVE, "low priority": NEUTRAL,
               "maintain": PALETTE[0]}
    xerr = [x - rows["performance_ci_low"].to_numpy(float), rows["performance_ci_high"].to_numpy(float) - x]
    yerr = ([y - 100 * rows["ci_low"].to_numpy(float), 100 * rows["ci_high"].to_numpy(float) - y]
            if rows["ci_low"].notna().all() else None)
    for quadrant, colour in colours.items():
        pick = (rows["quadrant"] == quadrant).to_numpy()
        if pick.any():
            ax.errorbar(x[pick], y[pick], xerr=[e[pick] for e in xerr], yerr=[e[pick] for e in yerr] if yerr else None,
                        fmt="o", color=colour, ecolor=colour, elinewidth=1.2, capsize=3, markersize=8, label=quadrant)
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
        ax.annotate(label(str(name).replace("_", " ")), (xi, yi), xytext=(xi + 0.12 * (xhi - xlo) / 4, ly),
                    textcoords="data", va="center", fontsize=9,
                    arrowprops={"arrowstyle": "-", "color": "#999999", "linewidth": 0.6} if abs(ly - yi) > 0.2 else None)
    for text, (tx, ty, ha, va) in {"fix first": (0.01, 0.99, "left", "top"), "keep up": (0.99, 0.99, "right", "top"),
                                   "low priority": (0.01, 0.01, "left", "bottom"),
                                   "maintain": (0.99, 0.01, "right", "bottom")}.items():
        ax.text(tx, ty, text, transform=ax.transAxes, ha=ha, va=va, fontsize=10, color=colours[text], alpha=0.8,
                fontweight="bold")
    ax.set_xlabel("performance: mean rating (95% CI)")
    ax.set_ylabel("importance: share of explained variance (%, 95% CI)")
    ax.set_title(title or "Importance against performance (lines at the medians)")
    return ax


# --------------------------------------------------------------------------- review sentiment


def plot_sentiment_trend(data: pd.DataFrame, *, month=None, ax=None):
    """Mean sentiment per month (from :func:`cxkit.sentiment_trend`) with its 95% interval;
    ``month`` (``YYYY-MM``), when given, is marked."""
    ax = new_axes(ax=ax, figsize=(8, 4))
    t = data
    x = np.arange(len(t))
    ax.fill_between(x, t["ci_low"], t["ci_high"], color=PALETTE[0], alpha=0.2, label="95% interval")
    ax.plot(x, t["mean_compound"], marker="o", color=PALETTE[0], label="mean sentiment")
    if month is not None and str(month) in set(t["month"]):
        i = int(np.flatnonzero(t["month"].to_numpy() == str(month))[0])
        ax.plot([x[i]], [t["mean_compound"].iloc[i]], "o", ms=11, mfc="none", mec=NEGATIVE, label="report month")
    ax.set_xticks(x, t["month"], rotation=45, ha="right")
    ax.set_ylabel("mean compound (-1 to 1)")
    ax.set_title("Review sentiment by month")
    ax.legend(loc="best")
    return ax


def plot_sentiment_by_source(data: pd.DataFrame, *, ax=None):
    """Mean sentiment per month for each review source (from :func:`cxkit.sentiment_trend` with
    ``by="source"``), with 95% intervals."""
    ax = new_axes(ax=ax, figsize=(8, 4))
    months = sorted(data["month"].unique())
    pos = {m: i for i, m in enumerate(months)}
    sources = sorted(data["source"].astype(str).unique())
    width = 0.8 / max(len(sources), 1)
    for k, (src, g) in enumerate(data.groupby(data["source"].astype(str))):
        x = np.array([pos[m] for m in g["month"]]) - 0.4 + width * (k + 0.5)
        yerr = np.vstack([g["mean_compound"] - g["ci_low"], g["ci_high"] - g["mean_compound"]])
        ax.errorbar(x, g["mean_compound"], yerr=yerr, fmt="o", ms=4, capsize=2,
                    color=PALETTE[k % len(PALETTE)], label=label(src))
    ax.set_xticks(range(len(months)), months, rotation=45, ha="right")
    ax.set_ylabel("mean compound (-1 to 1)")
    ax.set_title("Review sentiment by source")
    ax.legend(loc="best", ncols=min(len(sources), 4))
    return ax


def plot_themes(data: pd.DataFrame, *, month, ax=None):
    """Share of reviews that are negative and mention each theme (from :func:`cxkit.theme_summary`):
    ``month`` (``YYYY-MM``) against the month before; emerging themes in the highlight colour."""
    month = pd.Period(month, freq="M")
    ax = new_axes(ax=ax, figsize=(8, 4))
    t = data.sort_values("negative_rate")
    y = np.arange(len(t))
    colours = [NEGATIVE if e else NEUTRAL for e in t["emerging"]]
    ax.barh(y, 100 * t["negative_rate"], color=colours, label=f"{month}")
    ax.plot(100 * t["previous_rate"], y, "k|", ms=14, mew=2, label=f"{month - 1}")
    ax.set_yticks(y, t["theme"])
    ax.set_xlabel("negative reviews mentioning the theme (% of all reviews)")
    ax.set_title("Negative mentions by theme (red: emerging, significant rise)")
    ax.legend(loc="lower right")
    return ax


# --------------------------------------------------------------------------- churn and survival


def plot_churn_trend(data: pd.DataFrame, *, ax=None, title: str | None = None):
    """Monthly churn rate (from :func:`churn_rate_by_month`) with its confidence band."""
    from matplotlib.ticker import PercentFormatter

    ax = new_axes(ax=ax, figsize=(8, 3.8))
    if data.empty:
        ax.text(0.5, 0.5, "no churn dates in the data: no monthly trend", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    x = np.arange(len(data))
    ax.plot(x, data["churn_rate"], marker="o", color=PALETTE[0])
    ax.fill_between(x, data["ci_low"].astype(float), data["ci_high"].astype(float), color=PALETTE[0], alpha=0.15,
                    linewidth=0)
    ax.set_xticks(x, data["month"], rotation=45, ha="right")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.set_ylim(bottom=0)
    ax.set_ylabel("churned / active at start")
    ax.set_title(title or "Monthly churn rate (95% CI)")
    return ax


def plot_calibration(data: pd.DataFrame, *, ax=None, title: str | None = None):
    """Observed churn against predicted probability per decile, with the diagonal of perfect calibration."""
    ax = new_axes(ax=ax, figsize=(5, 5))
    top = float(max(data["ci_high"].max(), data["predicted"].max(), 0.05)) * 1.05
    ax.plot([0, top], [0, top], color=NEUTRAL, linestyle="--", linewidth=1, label="perfect calibration")
    yerr = np.vstack([data["observed"] - data["ci_low"], data["ci_high"] - data["observed"]])
    ax.errorbar(data["predicted"], data["observed"], yerr=yerr, fmt="o", color=PALETTE[0],
                label="decile of predicted risk")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("predicted churn probability (out of fold)")
    ax.set_ylabel("observed churn rate")
    ax.set_title(title or "Calibration by decile (95% CI)")
    ax.legend(loc="upper left")
    return ax


def plot_churn_by_nps(data: pd.DataFrame, *, ax=None, title: str | None = None):
    """Churn rate per NPS category (from :func:`churn_by_nps`) with confidence intervals."""
    from matplotlib.ticker import PercentFormatter

    ax = new_axes(ax=ax, figsize=(7, 4))
    colours = {"promoter": POSITIVE, "passive": NEUTRAL, "detractor": NEGATIVE}
    x = np.arange(len(data))
    cats = data["nps_category"].astype(str).tolist()
    ax.bar(x, data["churn_rate"], color=[colours.get(c, "#BBBBBB") for c in cats])
    yerr = np.vstack([data["churn_rate"] - data["ci_low"], data["ci_high"] - data["churn_rate"]])
    ax.errorbar(x, data["churn_rate"], yerr=yerr, fmt="none", color="black", capsize=4)
    ax.set_xticks(x, [label(c) for c in cats])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("churn rate")
    ax.set_title(title or "Churn by NPS category of the first survey answer (95% CI)")
    return ax


def plot_revenue_at_risk(data: pd.DataFrame, *, ax=None, title: str | None = None):
    """Revenue at risk per group (from :func:`revenue_at_risk`, without the ``all`` row)."""

    key = data.columns[0]
    parts = data[data[key] != "all"]
    ax = new_axes(ax=ax, figsize=(7, 4))
    if parts.empty:
        ax.text(0.5, 0.5, "No monthly revenue in the data:\nrevenue at risk not computed", ha="center",
                va="center", transform=ax.transAxes)
        ax.set_axis_off()
        ax.set_title(title or "Revenue at risk")
        return ax
    y = np.arange(len(parts))
    ax.barh(y, parts["revenue_at_risk"], color=PALETTE[1])
    xerr = np.vstack([parts["revenue_at_risk"] - parts["ci_low"], parts["ci_high"] - parts["revenue_at_risk"]])
    ax.errorbar(parts["revenue_at_risk"], y, xerr=xerr, fmt="none", color="black", capsize=4)
    ax.set_yticks(y, [label(v) for v in parts[key]])
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    currency, horizon = data.attrs.get("currency", ""), data.attrs.get("horizon_months")
    ax.set_xlabel(f"monthly revenue{f' ({currency})' if currency else ''} of customers expected to churn"
                  f"{f' within {horizon} months' if horizon else ''} (95% CI)")
    ax.set_title(title or f"Revenue at risk by {key}")
    return ax


def plot_cohort_retention(data: pd.DataFrame, *, ax=None, title: str | None = None):
    """Heatmap of retention by signup cohort (rows) and months since signup (columns)."""
    import seaborn as sns

    if data.empty:
        ax = new_axes(ax=ax, figsize=(8, 3))
        ax.text(0.5, 0.5, "no signup and churn dates in the data: no cohorts", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    grid = data.pivot(index="cohort", columns="months_since_signup", values="retention")
    ax = new_axes(ax=ax, figsize=(9, max(3, 0.35 * len(grid) + 1.5)))
    sns.heatmap(grid, ax=ax, cmap="Blues", vmin=max(0.0, float(np.nanmin(grid.to_numpy())) - 0.02), vmax=1.0,
                annot=len(grid.columns) <= 15, fmt=".0%", cbar_kws={"label": "still a customer"},
                annot_kws={"fontsize": 7})
    ax.grid(False)
    ax.set_xlabel("months since signup")
    ax.set_ylabel("signup month")
    ax.set_title(title or "Retention by signup cohort")
    return ax


def plot_km(data: pd.DataFrame, *, by: str | None = None, ax=None, ci: bool = True, title: str | None = None):
    """Kaplan–Meier curves from :func:`kaplan_meier` (steps, with shaded confidence bands).

    ``by`` is the grouping column of ``km`` (found automatically when it is the first column).
    """
    ax = new_axes(ax=ax, figsize=(8, 4.5))
    if by is None and len(data.columns) and data.columns[0] not in ("time",):
        by = data.columns[0]
    groups = [(None, data)] if by is None else list(data.groupby(by, sort=True))
    for i, (name, part) in enumerate(groups):
        colour = PALETTE[i % len(PALETTE)]
        t = np.r_[0.0, part["time"].to_numpy()]
        s = np.r_[1.0, part["survival"].to_numpy()]
        ax.step(t, s, where="post", color=colour, label=label(name) if name is not None else "all customers")
        if ci:
            lo = np.r_[1.0, part["ci_low"].to_numpy()]
            hi = np.r_[1.0, part["ci_high"].to_numpy()]
            ax.fill_between(t, lo, hi, step="post", color=colour, alpha=0.15, linewidth=0)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("months as a customer")
    ax.set_ylabel("share still a customer")
    ax.set_title(title or "Customers still active by tenure (Kaplan–Meier, 95% CI)")
    if by is not None:
        ax.legend(title=label(by))
    return ax


def plot_forest(data: pd.DataFrame, *, ax=None, effect: str | None = None, title: str | None = None,
                alpha: float = 0.05):
    """Forest plot: one row per term, the effect (odds or hazard ratio) with its confidence
    interval on a log axis; terms whose interval excludes 1 are highlighted."""
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
    ticks = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
             if low / 1.5 <= t <= high * 1.5] or [1]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    labels = rows["label"] if "label" in rows.columns else rows["term"]
    ax.set_yticks(y, [label(t, max_chars=45) for t in labels])
    ax.set_xlabel(f"{effect.replace('_', ' ')} (log scale, {1 - alpha:.0%} CI)")
    ax.set_title(title or ("Effects on churn" if effect == "odds_ratio" else "Effects on time to churn"))
    return ax


# --------------------------------------------------------------------------- journey


def plot_stages(data, *, ax=None, title: str | None = None):
    """Means with confidence intervals per stage; the letters above each stage are the
    compact letter display (stages sharing a letter do not differ significantly), and the
    worst stage is drawn in the highlight colour when it is significantly worst.

    >>> scores = pd.DataFrame({"journey_stage": ["decision", "awareness"] * 40, "csat": [2, 4, 3, 5, 4, 4, 1, 3] * 10})
    >>> import cxkit as cx
    >>> ax = plot_stages(cx.compare_stages(scores, metric="csat"))
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['awareness', 'decision']
    """
    ax = new_axes(ax=ax, figsize=(8, 4.2))
    s = data.stages
    low = data.lowest()
    x = np.arange(len(s))
    colours = [SIGNIFICANT if (st == low["stage"] and low["significant"]) else PALETTE[0] for st in s["stage"]]
    ax.errorbar(x, s["mean"], yerr=[s["mean"] - s["ci_low"], s["ci_high"] - s["mean"]], fmt="none",
                ecolor=NEUTRAL, elinewidth=2, capsize=4, zorder=1)
    ax.scatter(x, s["mean"], color=colours, s=60, zorder=2)
    span = float(s["ci_high"].max() - s["ci_low"].min()) or 1.0
    for xi, top, letters in zip(x, s["ci_high"], s["letters"]):
        ax.annotate(letters, (xi, top + 0.04 * span), ha="center", va="bottom", fontsize=10)
    ax.set_xticks(x, [label(v) for v in s["stage"]])
    ax.set_ylim(s["ci_low"].min() - 0.1 * span, s["ci_high"].max() + 0.2 * span)
    pct = int(round(100 * (1 - data.alpha)))
    ax.set_ylabel(f"mean {metric_label(data.score)} ({pct}% CI)")
    ax.set_xlabel("")
    ax.set_title(title or f"{metric_label(data.score)} by {data.stage.replace('_', ' ')}")
    ax.text(0, -0.16, f"Stages sharing a letter do not differ significantly (Games-Howell, alpha {data.alpha}).",
            transform=ax.transAxes, fontsize=8, color=NEUTRAL)
    return ax


def plot_funnel(data: pd.DataFrame, *, ax=None, title: str = "Customers reaching each stage"):
    """Horizontal funnel bars (from :func:`funnel`) labelled with counts and conversions.

    >>> events = pd.DataFrame({"customer_id": ["a", "a", "b"], "journey_stage": ["awareness", "decision", "awareness"]})
    >>> import cxkit as cx
    >>> len(plot_funnel(cx.funnel(events, time=None)).patches)
    3
    """
    ax = new_axes(ax=ax, figsize=(8, 3.8))
    y = np.arange(len(data))[::-1]
    ax.barh(y, data["reached"], color=PALETTE[0], height=0.65)
    top = float(data["reached"].max()) or 1.0
    for yi, row in zip(y, data.itertuples(index=False)):
        text = f"{row.reached:,}"
        if np.isfinite(row.conversion):
            text += f"  ({100 * row.conversion:.1f}% of previous, CI {100 * row.ci_low:.1f}–{100 * row.ci_high:.1f}%)"
        ax.annotate(text, (row.reached + 0.01 * top, yi), va="center", fontsize=9)
    ax.set_yticks(y, [label(s) for s in data["stage"]])
    ax.set_xlim(0, top * 1.75)
    ax.set_xlabel("customers")
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    return ax


def plot_funnel_by_month(data: pd.DataFrame, *, ax=None, title: str = "Conversion between stages by month"):
    """Conversion of each step by month (from :func:`funnel_by_month`) with Wilson CI bands.

    >>> events = pd.DataFrame({"customer_id": ["a", "a", "b", "b"], "Month": ["Feb", "Feb", "Mar", "Mar"],
    ...                        "journey_stage": ["awareness", "consideration"] * 2})
    >>> import cxkit as cx
    >>> len(plot_funnel_by_month(cx.funnel_by_month(events, period="Month")).get_lines())
    1
    """
    ax = new_axes(ax=ax, figsize=(9, 4.2))
    months = list(dict.fromkeys(data["month"]))
    x = np.arange(len(months))
    for i, (step, part) in enumerate(data.groupby("step", sort=False)):
        part = part.set_index("month").reindex(months)
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(x, 100 * part["conversion"], marker="o", ms=3, color=colour, label=label(step.replace("->", " → ")))
        ax.fill_between(x, 100 * part["ci_low"], 100 * part["ci_high"], color=colour, alpha=0.15, linewidth=0)
    step = max(1, len(months) // 12)
    ax.set_xticks(x[::step], [label(m) for m in months[::step]], rotation=45, ha="right")
    ax.set_ylabel("conversion (%), 95% CI")
    ax.set_ylim(0, 100)
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=8, ncols=2)
    return ax


def plot_pain_points(data: pd.DataFrame, *, ax=None, title: str | None = None):
    """Mean score with CI per touchpoint (from :func:`pain_points`), ranked pain points on top;
    dot area shows volume, significantly worse touchpoints are highlighted.

    >>> events = pd.DataFrame({"touchpoint": ["billing", "website"] * 40, "csat": [1, 4, 3, 5] * 20})
    >>> import cxkit as cx
    >>> ax = plot_pain_points(cx.pain_points(events))
    >>> [t.get_text() for t in ax.get_yticklabels()]  # top to bottom
    ['billing', 'website']
    """
    name = data.columns[0]
    ax = new_axes(ax=ax, figsize=(8, 0.45 * len(data) + 1.5))
    y = np.arange(len(data))[::-1]
    colours = [SIGNIFICANT if s else PALETTE[0] for s in data["significantly_worse"]]
    ax.errorbar(data["mean"], y, xerr=[data["mean"] - data["ci_low"], data["ci_high"] - data["mean"]],
                fmt="none", ecolor=NEUTRAL, elinewidth=1.5, capsize=3, zorder=1)
    size = 30 + 270 * data["volume"] / max(float(data["volume"].max()), 1.0)
    ax.scatter(data["mean"], y, s=size, color=colours, zorder=2, alpha=0.9)
    ax.set_yticks(y, [label(v) for v in data[name]])
    ax.set_xlabel("mean score (95% CI); dot area = volume")
    ax.set_title(title or f"Pain points by {name} (top = most excess poor experiences)")
    return ax
