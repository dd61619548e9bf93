"""Small statistics shared by the analyses: multiple-testing adjustment and the Wilson
interval of a proportion (one implementation each, checked against references in the tests).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["PADJUST", "adjust_p", "wilson_interval"]

#: Names accepted for ``padjust`` (R's names and statsmodels' both work).
PADJUST = {
    "holm": "holm", "bonferroni": "bonferroni", "bonf": "bonferroni", "sidak": "sidak",
    "holm-sidak": "holm-sidak", "hochberg": "simes-hochberg", "simes-hochberg": "simes-hochberg",
    "hommel": "hommel", "fdr_bh": "fdr_bh", "bh": "fdr_bh", "fdr": "fdr_bh", "fdr_by": "fdr_by",
    "by": "fdr_by", "none": "none",
}


def _padjust_method(padjust: str) -> str:
    key = str(padjust).lower()
    if key not in PADJUST:
        raise ValueError(f"padjust={padjust!r} is not a p-value adjustment; use one of "
                         f"{', '.join(sorted(set(PADJUST)))}.")
    return PADJUST[key]


def wilson_interval(successes, n, alpha: float = 0.05):
    """Wilson score interval of a proportion (NaN where ``n`` is 0).

    >>> low, high = wilson_interval(81, 263)  # Newcombe (1998), example 1: 0.2553-0.3662
    >>> round(float(low), 4), round(float(high), 4)
    (0.2553, 0.3662)
    """
    x, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def adjust_p(p, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple comparisons (``padjust`` names; NaN kept).

    Holm, Bonferroni and Benjamini-Hochberg are computed here (statsmodels' ``multipletests``
    runs a garbage collection on every call, 0.1 s each); the others go to statsmodels.

    >>> adjust_p([0.01, 0.04, 0.03], "holm").round(2).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_p([0.01, 0.04, 0.03], "fdr_bh").round(2).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p, dtype=float)
    method = _padjust_method(method)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if method == "none" or not ok.any():
        out[ok] = p[ok]
        return out
    q = p[ok]
    m = q.size
    if method == "bonferroni":
        adjusted = np.minimum(1.0, q * m)
    elif method == "holm":
        order = np.argsort(q, kind="stable")
        steps = np.maximum.accumulate(q[order] * (m - np.arange(m)))
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(1.0, steps)
    elif method == "fdr_bh":
        order = np.argsort(q, kind="stable")[::-1]
        steps = np.minimum.accumulate(q[order] * m / (m - np.arange(m)))
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(1.0, steps)
    else:
        from statsmodels.stats.multitest import multipletests

        adjusted = multipletests(q, method=method)[1]
    out[ok] = adjusted
    return out
