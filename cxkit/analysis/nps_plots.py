"""Figures of the NPS and key-driver analyses, in the cxkit house style.

Each function takes a result table of :mod:`cxkit.analysis.nps` or :mod:`cxkit.analysis.drivers`, draws on ``ax``
(a new figure when None) and returns ``ax``. Labels from data are plain text (no mathtext) and
shortened with :func:`cxkit.plots.label`. matplotlib is imported on first use, so importing
cxkit stays fast.

Examples
--------
>>> import cxkit as cx
>>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame
>>> ax = cx.plot_nps_trend(cx.kpi_trend(fb, "nps"))
>>> ax.get_ylabel()
'NPS (−100 to 100)'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_nps_trend", "plot_nps_by_segment", "plot_importance", "plot_quadrant"]


def _style():
    from .. import plots

    return plots


def plot_nps_trend(trend: pd.DataFrame, *, ax=None, metric: str | None = None, title: str | None = None):
    """KPI by month (from :func:`cxkit.kpi_trend`) with its 95% band; significant changes marked.

    A ringed point marks a month whose change from the month before is significant after the
    table's multiple-testing adjustment (its ``significant`` column), labelled with the change.
    Months flagged ``small_n`` (too few responses to be a finding) are drawn hollow and never
    ringed.
    """
    plots = _style()
    ax = plots.new_axes(ax=ax, figsize=(9, 4.5))
    metric = metric or trend["metric"].iloc[0]
    rows = trend[trend["metric"] == metric].reset_index(drop=True)
    x = np.arange(len(rows))
    colour = plots.PALETTE[0]
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
        ax.scatter(x[sig], rows.loc[sig, "value"], s=220, facecolors="none", edgecolors=plots.SIGNIFICANT,
                   linewidths=2.2, zorder=5, label="significant change from previous month (adjusted p)")
        for i in np.flatnonzero(sig):
            change = rows.loc[i, "change"]
            below = change < 0
            ax.annotate(f"{change:+.1f}", (x[i], rows.loc[i, "value"]), xytext=(0, -22 if below else 14),
                        textcoords="offset points", ha="center", color=plots.SIGNIFICANT, fontweight="bold")
    ax.set_xticks(x, [plots.label(p) for p in rows["period"]], rotation=45, ha="right")
    ax.set_ylabel("NPS (−100 to 100)" if metric == "nps" else metric)
    ax.set_xlabel("")
    low, high = float(rows["ci_low"].min()), float(rows["ci_high"].max())
    pad = max(3.0, 0.15 * (high - low))
    ax.set_ylim(low - pad, high + pad)
    ax.set_title(title or ("NPS by month, with 95% confidence band" if metric == "nps" else f"{metric} by month"))
    ax.legend(loc="best", fontsize=8)
    return ax


def plot_nps_by_segment(table: pd.DataFrame, *, ax=None, title: str | None = None):
    """NPS per group (from :func:`cxkit.compare_nps`) with 95% intervals, significant groups highlighted.

    Groups that differ significantly from their reference (adjusted p) are drawn in the
    highlight colour and labelled with the difference; a dashed line per group column marks
    the overall NPS (the response-weighted mean of its groups).
    """
    plots = _style()
    rows = table.reset_index(drop=True)
    ax = plots.new_axes(ax=ax, figsize=(8, 0.45 * len(rows) + 1.6))
    y = np.arange(len(rows))[::-1]
    small = _small(rows)
    sig = rows["significant"].to_numpy(dtype=bool) & ~small
    status = np.where(small, 2, sig.astype(int))
    for flag, colour, name in ((0, plots.NEUTRAL, "not significantly different from the rest"),
                               (1, plots.SIGNIFICANT, "significantly different from the rest (adjusted p)"),
                               (2, plots.NEUTRAL, "small sample (fewer than the minimum responses): not compared")):
        pick = status == flag
        if not pick.any():
            continue
        v = rows.loc[pick, "value"].to_numpy(float)
        ax.errorbar(v, y[pick], xerr=[v - rows.loc[pick, "ci_low"].to_numpy(float), rows.loc[pick, "ci_high"].to_numpy(float) - v],
                    fmt="o", color=colour, ecolor=colour, capsize=3, markersize=7, linewidth=1.6, label=name,
                    mfc="white" if flag == 2 else colour, linestyle="none", alpha=0.6 if flag == 2 else 1.0)
    for i in np.flatnonzero(sig):
        ax.annotate(f"{rows.loc[i, 'diff']:+.0f} vs rest", (rows.loc[i, "ci_high"], y[i]), xytext=(6, 0),
                    textcoords="offset points", va="center", color=plots.SIGNIFICANT, fontsize=9)
    for by, part in rows.groupby("by", sort=False):
        overall = float((part["value"] * part["n"]).sum() / part["n"].sum())
        ys = y[part.index.to_numpy()]
        ax.plot([overall, overall], [ys.min() - 0.4, ys.max() + 0.4], linestyle="--", color="#555555", linewidth=1)
        ax.annotate(f"all: {overall:.0f}", (overall, ys.max() + 0.4), xytext=(3, 0), textcoords="offset points",
                    fontsize=8, color="#555555", va="bottom")
    breaks = [i for i in range(1, len(rows)) if rows.loc[i, "by"] != rows.loc[i - 1, "by"]]
    for b in breaks:
        ax.axhline(y[b] + 0.5, color="#cccccc", linewidth=0.8)
    ax.set_yticks(y, [plots.label(f"{b}: {g}") for b, g in zip(rows["by"], rows["group"])])
    ax.set_xlabel("NPS with 95% confidence interval")
    ax.set_title(title or "NPS by group this month")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 if len(rows) > 6 else -0.2), ncol=1, fontsize=8)
    return ax


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


def plot_importance(result: pd.DataFrame, *, ax=None, method: str | None = None, title: str | None = None):
    """Share of explained variance per driver (from :func:`cxkit.key_drivers`) with 95% CI bars.

    With ``method="both"`` results, ``method=None`` draws both methods side by side.
    """
    plots = _style()
    methods = [method] if method else list(dict.fromkeys(result["method"]))
    base = _method_rows(result, methods[0])
    order = base["driver"].tolist()
    ax = plots.new_axes(ax=ax, figsize=(8, 0.5 * len(order) + 1.5))
    height = 0.8 / len(methods)
    y0 = np.arange(len(order))[::-1]
    for k, m in enumerate(methods):
        rows = _method_rows(result, m).set_index("driver").loc[order].reset_index()
        y = y0 + 0.4 - height * (k + 0.5)
        share = 100 * rows["share"].to_numpy(float)
        has_ci = rows["ci_low"].notna().all()
        err = [share - 100 * rows["ci_low"].to_numpy(float), 100 * rows["ci_high"].to_numpy(float) - share] if has_ci else None
        ax.barh(y, share, height=height * 0.9, color=plots.PALETTE[k], xerr=err, capsize=3,
                error_kw={"ecolor": "#333333", "linewidth": 1.2}, label=m.replace("_", " "))
        ends = 100 * rows["ci_high"].to_numpy(float) if has_ci else share
        for yi, s, e in zip(y, share, ends):
            ax.annotate(f"{s:.0f}%", (e, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(y0, [plots.label(d.replace("_", " ")) for d in order])
    kind = result.attrs.get("r2_kind", "R²")
    ax.set_xlabel(f"share of explained variance (% of {kind}), 95% bootstrap CI")
    target = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}.get(result.attrs.get("target"), result.attrs.get("target", "the target"))
    r2 = result.attrs.get("r2")
    ax.set_title(title or (f"Key drivers of {target}" + (f" (R² = {r2:.2f}, n = {result.attrs['n']:,})" if r2 is not None else "")))
    if len(methods) > 1:
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(0, ax.get_xlim()[1] * 1.08)
    return ax


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


def plot_quadrant(result: pd.DataFrame, *, ax=None, method: str | None = None, title: str | None = None):
    """Importance-performance quadrant: mean rating (x) against share of explained variance (y).

    Dashed lines at the medians split the drivers into four quadrants; "fix first" (important,
    rated low) is top left. Error bars are the 95% intervals of both numbers; labels are
    spread apart so they stay readable.
    """
    plots = _style()
    rows = _method_rows(result, method)
    ax = plots.new_axes(ax=ax, figsize=(8.5, 6))
    x = rows["performance"].to_numpy(float)
    y = 100 * rows["share"].to_numpy(float)
    colours = {"fix first": plots.NEGATIVE, "keep up": plots.POSITIVE, "low priority": plots.NEUTRAL,
               "maintain": plots.PALETTE[0]}
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
        ax.annotate(plots.label(str(name).replace("_", " ")), (xi, yi), xytext=(xi + 0.12 * (xhi - xlo) / 4, ly),
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
