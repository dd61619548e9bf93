"""One house style for every cxkit figure.

:func:`house_style` sets seaborn's theme with a colour-blind-safe palette and turns off
matplotlib's mathtext, so a ``$`` in a label from data is a dollar sign, never a LaTeX error.
:func:`new_axes` gives a styled figure and axes; analysis modules draw on it and return ``ax``.

Examples
--------
>>> ax = new_axes()
>>> _ = ax.set_title("Price: $5 vs $10")  # no mathtext error
>>> label("<b>Kundeservice</b> " + "x" * 80)[-1]
'…'
"""

from __future__ import annotations

# The backend is the user's: JupyterLab's inline backend, a desktop window, or Agg where there
# is no display (matplotlib falls back to it). The pack runner renders off-screen by starting
# its kernels with MPLBACKEND=Agg; a library that switched backends here would make every
# later inline figure of an analyst's kernel vanish.
import matplotlib.pyplot as plt
import seaborn as sns

__all__ = ["house_style", "new_axes", "label", "PALETTE", "SIGNIFICANT", "NEUTRAL", "POSITIVE", "NEGATIVE"]

#: Okabe-Ito colours (readable with every common colour-vision deficiency).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
POSITIVE = "#009E73"
NEGATIVE = "#D55E00"
NEUTRAL = "#7F7F7F"
SIGNIFICANT = "#D55E00"


def house_style() -> None:
    """Apply the cxkit look (idempotent)."""
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
    house_style()
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize)
    return ax


def label(text: object, *, max_chars: int = 40) -> str:
    """A category label from data, shortened for an axis; matplotlib draws it as plain text."""
    text = "" if text is None else str(text)
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"
