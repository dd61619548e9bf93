"""Key-driver analysis: how much of NPS (or CSAT, or the chance of promoting) each rating explains.

A driver's *importance* is its share of the model's explained variance, split fairly between
correlated drivers, with bootstrap uncertainty:

- **Shapley / LMG** (``method="shapley"``): the R² gain of adding the driver, averaged over
  every order of entry (Lindeman, Merenda & Gold 1980; Grömping 2006, R package ``relaimpo``).
  It is computed *exactly* from the correlation matrix: the R² of all 2^p driver subsets comes
  from one sweep per subset along a binary tree (each subset extends its parent by one driver),
  so 20 drivers (1,048,576 subsets) take well under a second. Up to
  :data:`MAX_EXACT_DRIVERS` drivers are exact; more are refused with a message (use
  ``method="relative_weights"``, which has no limit).
- **Relative weights** (``method="relative_weights"``): Johnson (2000): regress the target on
  the closest orthogonal version of the drivers and map the weights back. Fast for any number
  of drivers and usually very close to LMG.
- ``method="both"`` returns both, one row per driver and method.

Targets: any numeric score (NPS 0-10, CSAT 1-5, ...) uses ordinary least squares. A binary
target (a boolean column, or one whose values are only 0 and 1, e.g. a promoter flag) uses
logistic regression: Shapley then splits **McFadden's pseudo-R²** (1 - logL(model) / logL(null)),
the measure Azen & Traxel (2009) recommend for dominance analysis because it never decreases when
a driver is added; relative weights follow Tonidandel & LeBreton (2010) and split the squared
correlation between the outcome and the predicted probability. Logistic Shapley fits 2^p models,
so it is exact up to :data:`MAX_EXACT_LOGISTIC` drivers. Its point estimate is always exact;
its bootstrap refits every model on every resample (``bootstrap_method="exact"``) or, for many
drivers on many rows where that takes minutes, approximates each resample's fits by one Newton
step from the full-sample fits (``"one-step"``, chosen by ``"auto"``, recorded in ``attrs`` and
in :func:`driver_diagnostics`; see :func:`key_drivers`). Survey weights (``weights=``) weight
the correlations of a linear target and the likelihood of a binary one, in the point estimate
and in every resample (``tests/test_weighting_drivers.py`` checks the weighted logistic Shapley
values against statsmodels' GLM with ``freq_weights`` over every order of entry).

Missing values are dropped listwise by default (the share of rows dropped is reported);
``missing="pairwise"`` builds the correlation matrix from pairwise-complete rows instead (linear
models only). Pairwise correlations need not fit together: when their matrix is not positive
semi-definite (R² above 1, negative importances), the complete rows are used instead, with a
warning. Not-applicable codes (e.g. 0 = "did not use support") are turned into missing
values by the reader (``na_codes=`` in :func:`cxkit.load_feedback` or the catalog), not here.

**Intervals.** The estimate and its bootstrap use the same rows: each resample draws, with
replacement, from exactly the rows the estimate used. A share's interval is the percentile
interval of its resampled shares, stretched to the estimate where the estimate falls outside
(near 0 every resampled share can exceed it), with lower limit 0 where the driver has no
significant association of its own with the target (a zero importance cannot be excluded, and
the bootstrap cannot reach 0). ``ci_note`` says where either applied. The coverage of these
intervals against planted importances is measured in ``benchmarks/coverage.py``.

Every result carries its diagnostics: VIF per driver, rows dropped, and warnings when there are
fewer than 10 responses per driver, when drivers overlap strongly (VIF > 5) or are exactly
collinear (VIF infinite, the drivers named), or when the two methods disagree on the top
driver (see :func:`driver_diagnostics`). A binary target whose classes the drivers separate
is refused: its logistic model has no estimate.

Examples
--------
>>> import cxkit as cx
>>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame
>>> kd = cx.key_drivers(fb[fb.responded_at >= "2026-10-01"], "nps", cx.SAMPLE_DRIVERS, bootstrap=50)
>>> kd.loc[0, "driver"], int(kd.loc[0, "rank"])
('product_quality', 1)
>>> bool(abs(kd["importance"].sum() - kd.attrs["r2"]) < 1e-12)  # the parts add up to R²
True
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from math import comb
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from .. import _threads, progress
from .. import distributed as _cluster
from .._stats import adjust_p, nearest_correlation, percentile_interval
from ..errors import DataWarning, ModelWarning, NotEnoughDataError
from ..periods import resolve_month

__all__ = [
    "key_drivers",
    "importance_over_time",
    "driver_change",
    "driver_diagnostics",
    "MAX_EXACT_DRIVERS",
    "MAX_EXACT_LOGISTIC",
]

#: Exact Shapley/LMG (linear target) handles up to this many drivers (2^22 subsets, ~1.5 s).
MAX_EXACT_DRIVERS = 22
#: Exact Shapley for a binary target fits 2^p logistic models; up to this many drivers.
MAX_EXACT_LOGISTIC = 12
#: A VIF above this is flagged: the drivers share so much that their split is uncertain.
VIF_WARN = 5.0
_METHODS = ("shapley", "relative_weights")
_PIVOT_TOL = 1e-12


# --------------------------------------------------------------------------- exact LMG / Shapley


def _sweep(parent: np.ndarray, at: int, out: np.ndarray) -> None:
    """Sweep pivot ``at`` out of the residual matrices ``parent`` (q, q, N) into ``out``.

    ``out`` receives the (q-1-at)-square block after the pivot: entry (a, b) becomes
    ``parent[a, b] - parent[a, at] * (parent[b, at] / pivot)``. A pivot at or below
    ``_PIVOT_TOL`` (a driver that is a linear combination of those already swept) removes
    nothing. The matrices run along the last axis so every operation is one long loop.
    """
    pivot = parent[at, at]
    pivot = np.where(pivot > _PIVOT_TOL, pivot, np.inf)
    col = parent[at + 1 :, at]
    np.multiply(col[:, None, :], (col / pivot)[None, :, :], out=out)
    np.subtract(parent[at + 1 :, at + 1 :], out, out=out)


def _subset_r2(corr: np.ndarray) -> np.ndarray:
    """R² of the last variable on every subset of the others, indexed by bitmask.

    ``corr`` is a (p+1) x (p+1) correlation matrix with the target last. Subsets are grown along
    a binary tree: a subset whose largest driver is ``m`` keeps the residual correlation matrix
    of the drivers after ``m`` (and the target) given the subset; adding driver ``j > m`` is one
    sweep on pivot ``j``. Element ``k`` of the result is the R² of the subset whose bits are
    set in ``k`` (bit i = driver i). A driver that is a linear combination of the subset (pivot
    ~ 0) adds nothing.

    The subsets of one tree level sit side by side along the last axis of one array, so each
    sweep is a handful of long vector operations (about 6 * 2^p multiply-adds in all); the
    last level needs only the target's residual, not a matrix.
    """
    p = corr.shape[0] - 1
    resid = np.empty(2**p)
    resid[0] = corr[-1, -1]
    groups = [np.array(corr, dtype=float)[:, :, None]]  # groups[m + 1]: subsets whose largest driver is m
    for j in range(p):
        size = p - j  # drivers after j, and the target
        level = resid[2**j : 2 ** (j + 1)]  # subsets whose largest driver is j, in bitmask order
        if size == 1:
            pos = 0
            for m in range(-1, j):
                parent = groups[m + 1]
                at = j - m - 1
                pivot = parent[at, at]
                pivot = np.where(pivot > _PIVOT_TOL, pivot, np.inf)
                col = parent[-1, at]
                np.subtract(parent[-1, -1], col * (col / pivot), out=level[pos : pos + col.size])
                pos += col.size
            break
        group = np.empty((size, size, 2**j))
        pos = 0
        for m in range(-1, j):
            parent = groups[m + 1]
            count = parent.shape[-1]
            _sweep(parent, j - m - 1, group[:, :, pos : pos + count])
            pos += count
        groups.append(group)
        level[:] = group[-1, -1]
    return 1.0 - resid


def _shapley_weights(p: int) -> np.ndarray:
    """w[s] = s! (p-1-s)! / p!: the weight of a subset of size s without the driver."""
    return np.array([1.0 / (p * comb(p - 1, s)) for s in range(p)] + [0.0])


@functools.lru_cache(maxsize=4)
def _shapley_subset_weights(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Per subset (bitmask order): w(|S|) and w(|S| - 1) + w(|S|) (see :func:`_shapley`)."""
    w = _shapley_weights(p)
    count = np.bitwise_count(np.arange(2**p, dtype=np.uint64)).astype(np.intp)
    without = w[count]
    with_ = np.concatenate([[0.0], w[:-1]])[count] + without
    without.flags.writeable = with_.flags.writeable = False
    return without, with_


def _shapley(values: np.ndarray) -> np.ndarray:
    """Shapley values of a set function given for all 2^p subsets in bitmask order.

    phi_i = sum over S containing i of v(S) w(|S|-1)  -  sum over S without i of v(S) w(|S|)
          = sum over S containing i of v(S) (w(|S|-1) + w(|S|))  -  sum over all S of v(S) w(|S|).
    The sums over "S containing i" for every i come from halving the bitmask axis p times:
    the upper half holds the subsets with the top driver, and adding the halves drops that
    driver's bit (2 * 2^p additions instead of p * 2^p).
    """
    size = values.size
    p = size.bit_length() - 1
    without, with_ = _shapley_subset_weights(p)
    total_without = float(values @ without)
    folded = values * with_
    out = np.empty(p)
    for i in range(p - 1, -1, -1):
        half = folded.size // 2
        out[i] = folded[half:].sum()
        if i:
            folded = folded[:half] + folded[half:]
    return out - total_without


def _lmg(corr: np.ndarray) -> tuple[np.ndarray, float]:
    r2 = _subset_r2(corr)
    return _shapley(r2), float(r2[-1])


def _relative_weights(corr: np.ndarray) -> tuple[np.ndarray, float]:
    """Johnson's (2000) relative weights from a correlation matrix (target last)."""
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    evals, evecs = np.linalg.eigh(rxx)
    evals = np.clip(evals, 0.0, None)
    half = (evecs * np.sqrt(evals)) @ evecs.T  # symmetric square root of Rxx
    beta = np.linalg.lstsq(half, rxy, rcond=None)[0]
    weights = (half**2) @ (beta**2)
    return weights, float(weights.sum())


def _std_beta(corr: np.ndarray) -> np.ndarray:
    return np.linalg.lstsq(corr[:-1, :-1], corr[:-1, -1], rcond=None)[0]


#: An eigenvalue of the drivers' correlation matrix below this is an exact linear dependence.
_ALIAS_TOL = 1e-10


def _aliased(corr: np.ndarray) -> list[list[int]]:
    """Groups of drivers that are exact linear combinations of each other (d = a + b).

    Each eigenvector of the drivers' correlation matrix with a (numerically) zero eigenvalue
    is one dependence; the drivers with weight in it are aliased. Dependences that share a
    driver are merged into one group.
    """
    rxx = corr[:-1, :-1]
    p = rxx.shape[0]
    evals, evecs = np.linalg.eigh(rxx)
    groups: list[set] = []
    for k in np.flatnonzero(evals < _ALIAS_TOL * max(p, 1)):
        vec = evecs[:, k]
        members = set(np.flatnonzero(np.abs(vec) > 1e-6 * np.abs(vec).max()).tolist())
        for g in [g for g in groups if g & members]:
            members |= g
            groups.remove(g)
        groups.append(members)
    return [sorted(g) for g in groups]


def _vif(corr: np.ndarray) -> np.ndarray:
    """1 / (1 - R² of each driver on the others); infinite for an exactly aliased driver.

    Each R² comes from a least-squares solve on the other drivers' correlations, so a
    singular matrix (aliased drivers elsewhere) still gives the other drivers a finite VIF
    instead of the huge or negative numbers of a numerical inverse.
    """
    rxx = corr[:-1, :-1]
    p = rxx.shape[0]
    out = np.ones(p)
    aliased = {i for g in _aliased(corr) for i in g}
    for j in range(p):
        if j in aliased:
            out[j] = np.inf
            continue
        others = [k for k in range(p) if k != j]
        if not others:
            continue
        r = rxx[others, j]
        coef = np.linalg.lstsq(rxx[np.ix_(others, others)], r, rcond=None)[0]
        r2 = float(np.clip(r @ coef, 0.0, 1.0))
        out[j] = np.inf if 1 - r2 < _ALIAS_TOL else 1.0 / (1.0 - r2)
    return out


# --------------------------------------------------------------------------- correlation matrices


def _corr(centered: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Correlation matrix of (pre-centred) columns, optionally with frequency weights."""
    if weights is None:
        mean = centered.mean(axis=0)
        cross = centered.T @ centered - len(centered) * np.outer(mean, mean)
    else:
        total = weights.sum()
        mean = (weights @ centered) / total
        cross = (centered * weights[:, None]).T @ centered - total * np.outer(mean, mean)
    sd = np.sqrt(np.clip(np.diag(cross), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        return cross / np.outer(sd, sd)


def _corr_pairwise(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Correlations from pairwise-complete rows (NaN = missing), optionally weighted."""
    present = (~np.isnan(values)).astype(float)
    filled = np.where(present > 0, values, 0.0)
    wp = present if weights is None else present * weights[:, None]
    count = wp.T @ present  # [a, b]: weight of rows with a and b present
    sum_a = (filled * (wp if weights is None else weights[:, None])).T @ present  # sum of a where b present
    sum_ab = (filled * (1.0 if weights is None else weights[:, None])).T @ filled
    sum_aa = ((filled**2) * (1.0 if weights is None else weights[:, None])).T @ present
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_a, mean_b = sum_a / count, sum_a.T / count
        cov = sum_ab / count - mean_a * mean_b
        var_a = sum_aa / count - mean_a**2
        var_b = var_a.T
        return cov / np.sqrt(var_a * var_b)


# --------------------------------------------------------------------------- logistic models


def _logistic_fits(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, subsets: np.ndarray, *, max_iter: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Log-likelihoods and coefficients of logistic models for equal-sized driver subsets.

    ``subsets`` is (B, k) driver indices; all B models are fitted at once by Newton-Raphson
    (IRLS) with frequency weights ``w``. Returns (loglik (B,), coefficients (B, k+1)).
    """
    n = len(y)
    batch, k = subsets.shape
    design = np.ones((batch, n, k + 1))
    if k:
        design[:, :, 1:] = np.transpose(x[:, subsets], (1, 0, 2))
    ybar = np.clip((w @ y) / w.sum(), 1e-9, 1 - 1e-9)
    coef = np.zeros((batch, k + 1))
    coef[:, 0] = np.log(ybar / (1 - ybar))
    for _ in range(max_iter):
        eta = np.clip(np.einsum("bnk,bk->bn", design, coef), -30, 30)
        mu = special.expit(eta)
        grad = np.einsum("bnk,bn->bk", design, w * (y - mu))
        hess = np.einsum("bnk,bn,bnl->bkl", design, w * mu * (1 - mu), design)
        hess += 1e-10 * np.eye(k + 1)
        try:
            step = np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:  # a resample of few distinct rows: no model to fit
            return np.full(batch, np.nan), np.full_like(coef, np.nan)
        coef += step
        if np.max(np.abs(step)) < 1e-10:
            break
    eta = np.clip(np.einsum("bnk,bk->bn", design, coef), -30, 30)
    loglik = (w * (y * eta - np.logaddexp(0.0, eta))).sum(axis=1)
    # Newton steps that still move the coefficients after max_iter mean they run off to
    # infinity, as with separated classes: such a model has no maximum-likelihood estimate
    diverged = ~_converged(step, coef)
    loglik[diverged], coef[diverged] = np.nan, np.nan
    return loglik, coef


def _converged(step: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Per model (rows): the last Newton step is negligible against the coefficients."""
    return np.max(np.abs(step), axis=-1) <= 1e-6 * np.maximum(1.0, np.max(np.abs(coef), axis=-1))


#: A subset model's Newton iterations stop after a step that moves no coefficient by more than
#: this (relative to its largest coefficient, at least 1). Newton's method converges
#: quadratically, so the coefficients are then within about this squared of the maximum, and
#: the log-likelihood, taken at the last iterate plus half the step's predicted gain (exact to
#: third order in the step), is within about n * this cubed of its maximum. Measured against
#: Newton iterations to a step of 1e-12: pseudo-R² within 1e-10 on 150 rows and 8 drivers,
#: within 4e-11 (Shapley values 4e-12) on 7,000 rows and 12 drivers, where 1e-5 takes one more
#: step for most models (0.64 instead of 0.47 s per resample, issue 31).
_LOGIT_ACCEPT = 1e-4
#: Subset models fitted together: their (models x rows) arrays stay in the CPU's cache.
_LOGIT_MODELS = 128


@functools.lru_cache(maxsize=4)
def _subset_masks(p: int) -> np.ndarray:
    """(2^p, p + 1) booleans: the intercept and the drivers of each subset, in bitmask order."""
    active = np.ones((2**p, p + 1), dtype=bool)
    active[:, 1:] = ((np.arange(2**p)[:, None] >> np.arange(p)) & 1).astype(bool)
    active.flags.writeable = False
    return active


def _logistic_newton(
    design: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    coef: np.ndarray,
    active: np.ndarray,
    *,
    max_iter: int,
    curvature: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximise the logistic likelihood of many models on one design, blocks of models at a time.

    Each model (row of ``coef``, updated in place) uses the columns ``active`` marks; the
    others are held at zero, so every Newton step is three matrix products over the block's
    models. The frequency weights ``w`` are folded into the design once. A model stops after
    its own small step (:data:`_LOGIT_ACCEPT`); the log-likelihood is then exact to third
    order. A model not converged after ``max_iter`` steps runs off to infinity (separated
    classes). A singular Hessian raises ``numpy.linalg.LinAlgError``.

    ``curvature`` (models, k, k): inverse Hessians of a nearby fit (a bootstrap resample's
    full-sample fit). Then the first step uses them and the third reuses the second's: the
    Hessian changes between resamples and iterates by as little as the coefficients do, so
    these steps converge as fast as Newton's (the error shrinks by the product of the
    coefficient and curvature errors) at a third of the cost; any further step is a plain
    Newton step.

    Returns the log-likelihood (NaN where not converged), converged, and the inverse
    Hessians last computed (for ``curvature``).
    """
    k = design.shape[1]
    iu, ju = np.triu_indices(k)
    weighted = design * w[:, None]
    weighted_outer = (design[:, iu] * design[:, ju]) * w[:, None]
    y_dot = design.T @ (w * y)  # sum of w y eta over the rows = coef @ y_dot
    y_minus_1 = y - 1.0
    reach = np.abs(design).max(axis=0)  # |eta| <= |coef| @ reach
    diag = np.arange(k)
    loglik = np.full(len(coef), np.nan)
    converged = np.zeros(len(coef), dtype=bool)
    inverse = np.empty((len(coef), k, k)) if curvature is None else np.array(curvature, dtype=float)
    for first in range(0, len(coef), _LOGIT_MODELS):
        todo = np.arange(first, min(first + _LOGIT_MODELS, len(coef)))
        for step_no in range(max_iter):
            c, on = coef[todo], active[todo]
            eta = c @ design.T
            clipped = None
            if (np.abs(c) @ reach).max() > 30:
                clipped = np.clip(eta, -30, 30, out=eta).copy()  # as far as a probability usefully goes
            q = np.exp(eta, out=eta)
            q += 1.0
            np.reciprocal(q, out=q)  # 1 - mu
            resid = q + y_minus_1  # y - mu
            grad = (resid @ weighted) * on
            if curvature is None or step_no not in (0, 2):
                np.subtract(1.0, q, out=resid)
                resid *= q  # mu (1 - mu): the IRLS weights
                flat = resid @ weighted_outer
                hess = np.empty((len(todo), k, k))
                hess[:, iu, ju] = flat
                hess[:, ju, iu] = flat
                hess *= on[:, :, None] & on[:, None, :]
                hess[:, diag, diag] += ~on  # an absent driver's coefficient stays 0
                hess += 1e-10 * np.eye(k)
                inverse[todo] = np.linalg.inv(hess)
            step = np.einsum("mij,mj->mi", inverse[todo], grad)
            coef[todo] = c + step
            done = np.max(np.abs(step), axis=1) <= _LOGIT_ACCEPT * np.maximum(1.0, np.max(np.abs(c), axis=1))
            if done.any():
                # log L(c) = sum w (y eta + log(1 - mu)); + half the step's gain g . H^-1 g
                y_eta = c[done] @ y_dot if clipped is None else clipped[done] @ (w * y)
                at_c = y_eta + np.log(q[done]) @ w
                loglik[todo[done]] = at_c + 0.5 * np.einsum("ij,ij->i", grad[done], step[done])
                converged[todo[done]] = True
            todo = todo[~done]
            if not todo.size:
                break
    return loglik, converged, inverse


def _logistic_subset_fits(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    *,
    start: tuple[np.ndarray, np.ndarray] | None = None,
    center: np.ndarray | None = None,
    max_iter: int = 30,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Log-likelihoods of the logistic models of every driver subset, and their fits.

    Every subset's model uses the full design with the coefficients of absent drivers held at
    zero (see :func:`_logistic_newton`), drivers centred at ``center`` (default their weighted
    mean: better conditioned, same likelihoods). ``start`` warm-starts the models: the fits
    (coefficients (2^p, p + 1) and inverse Hessians) of the full sample, returned here and
    used for a bootstrap resample with the same ``center`` (three cheap steps instead of six
    or seven Newton steps); models that do not converge from there are refitted from the
    intercept-only model, the default start. Rows with weight 0 are left out. The
    log-likelihoods are NaN for every subset when one of them has no estimate
    ((quasi-)separated classes, or a singular Hessian as in a resample of few distinct rows).
    """
    p = x.shape[1]
    keep = w > 0
    if not keep.all():
        x, y, w = x[keep], y[keep], w[keep]
    center = (w @ x) / w.sum() if center is None else center
    design = np.column_stack([np.ones(len(y)), x - center])
    active = _subset_masks(p)
    ybar = np.clip((w @ y) / w.sum(), 1e-9, 1 - 1e-9)
    cold = np.zeros((2**p, p + 1))
    cold[:, 0] = np.log(ybar / (1 - ybar))
    warm = start is not None and all(np.isfinite(part).all() for part in start)
    coef = np.array(start[0], dtype=float) if warm and start is not None else cold.copy()
    try:
        loglik, converged, inverse = _logistic_newton(
            design, y, w, coef, active, max_iter=max_iter, curvature=start[1] if warm and start is not None else None
        )
        if warm and not converged.all():  # a model the resample moved too far: Newton from the start
            again = ~converged
            refit = cold[again]
            loglik[again], converged[again], inverse[again] = _logistic_newton(
                design, y, w, refit, active[again], max_iter=max_iter
            )
            coef[again] = refit
    except np.linalg.LinAlgError:  # a resample of few distinct rows: no model to fit
        converged = np.zeros(1, dtype=bool)
    if not converged.all():
        return np.full(2**p, np.nan), (np.full((2**p, p + 1), np.nan), np.full((2**p, p + 1, p + 1), np.nan))
    return loglik, (coef, inverse)


def _logistic_full_fits(
    x: np.ndarray, y: np.ndarray, center: np.ndarray, *, w: np.ndarray | None = None, max_iter: int = 30
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The full sample's fits of every subset model: :func:`_logistic_subset_fits` with the
    survey weights ``w`` (default none: unit weights) and no start, faster.

    Subsets are fitted a level at a time: those whose largest driver is j start from their
    parent's fit (the subset without driver j, fitted at an earlier level; the new coefficient
    starts at 0), which is closer to their maximum than the intercept-only model and saves
    Newton steps; the first 128 subsets start from the intercept-only model. The blocks of one
    level run on the machine's cores (:func:`cxkit._threads.thread_map`). The fits agree with
    the cold start's to the Newton tolerance (:data:`_LOGIT_ACCEPT`).
    """
    n, p = x.shape
    models = 2**p
    design = np.column_stack([np.ones(n), x - center])
    w = np.ones(n) if w is None else w
    active = _subset_masks(p)
    ybar = float(np.clip((w @ y) / w.sum(), 1e-9, 1 - 1e-9))
    coef = np.zeros((models, p + 1))
    coef[:, 0] = np.log(ybar / (1 - ybar))
    loglik = np.full(models, np.nan)
    converged = np.zeros(models, dtype=bool)
    inverse = np.empty((models, p + 1, p + 1))

    def fit(span: tuple[int, int], parent_offset: int) -> None:
        lo, hi = span
        if parent_offset:
            coef[lo:hi] = coef[lo - parent_offset : hi - parent_offset]
        part = coef[lo:hi]  # a view: Newton updates it in place
        loglik[lo:hi], converged[lo:hi], inverse[lo:hi] = _logistic_newton(
            design, y, w, part, active[lo:hi], max_iter=max_iter
        )

    first = min(models, _LOGIT_MODELS)
    levels = [[(0, first)]] + [
        [(lo, min(lo + _LOGIT_MODELS, 2 * size)) for lo in range(size, 2 * size, _LOGIT_MODELS)]
        for size in (2**j for j in range(first.bit_length() - 1, p))
    ]
    try:
        for spans in levels:
            offset = spans[0][0]  # a level starting at 2^j: each subset's parent is 2^j before it
            _threads.thread_map(fit, spans, offset)
    except np.linalg.LinAlgError:  # drivers without an identified model (caught earlier by key_drivers)
        converged[:] = False
    if not converged.all():
        return np.full(models, np.nan), (np.full((models, p + 1), np.nan), np.full((models, p + 1, p + 1), np.nan))
    return loglik, (coef, inverse)


def _logistic_subset_r2(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    *,
    start: tuple[np.ndarray, np.ndarray] | None = None,
    center: np.ndarray | None = None,
) -> np.ndarray:
    """McFadden's pseudo-R² of every driver subset (bitmask order), all models fitted together
    (:func:`_logistic_subset_fits`)."""
    loglik, _ = _logistic_subset_fits(x, y, w, start=start, center=center)
    return 1.0 - loglik / loglik[0]


#: Subset models per task of the one-step bootstrap: their per-row terms (about 8 rows of
#: features per model) stay a few MB per thousand rows.
_ONE_STEP_MODELS = 64


def _logistic_one_step(
    models: np.ndarray, design: np.ndarray, outer: np.ndarray, y: np.ndarray, counts: np.ndarray, coef: np.ndarray
) -> np.ndarray:
    """One-step log-likelihoods (len(counts), len(models)) of the subset models ``models``
    under each row of resample counts: the approximation of ``bootstrap_method="one-step"``.

    ``design`` is the intercept and the centred drivers, ``outer`` the products of its columns
    (upper triangle, ``triu_indices`` order) and ``coef`` the full-sample fits of every subset
    (:func:`_logistic_full_fits` on that design). Each subset model's resample log-likelihood
    is expanded to second order around its full-sample fit b, with the full-sample information
    H (at b) in place of the resample's:

        logL_w(b + H^-1 g_w) ~ logL_w(b) + 1/2 g_w' H^-1 g_w,   g_w = sum_i w_i (y_i - mu_i) x_i,

    the value at the one-step (Newton) estimate of the resample (Davison, Hinkley & Schechtman
    1986; the estimating-function bootstrap of Hu & Kalbfleisch 2000). Both terms are linear
    in the counts w: one matrix product of the counts with the rows' log-likelihood and score
    terms at b gives every resample of a block of models at once, where refitting evaluates
    every model on every resample's rows several times. The error against the refitted
    maximum is of order 1/sqrt(n) in the log-likelihood (the cubic term and H_w - H), about
    n^-1.5 in the pseudo-R²; ``tests/test_drivers_bootstrap.py`` measures it against exact
    refits.
    """
    k, m = design.shape[1], len(models)
    coef = coef[models]
    active = _subset_masks(k - 1)[models]
    on = [np.flatnonzero(active[:, a]) for a in range(k)]
    # the rows of one matrix product: each model's log-likelihood terms at b, then its score
    # terms for the intercept and each driver it has
    terms = np.empty((m + sum(o.size for o in on), len(y)))
    eta = coef @ design.T  # (models, rows)
    # log(1 + e^eta) and mu from e^-|eta| (no overflow): one exp and one log1p per row and model
    small = np.exp(-np.abs(eta))
    soft = np.log1p(small)
    soft += np.maximum(eta, 0.0)
    np.multiply(eta, y, out=terms[:m])
    terms[:m] -= soft
    resid = terms[m : 2 * m]
    np.add(small, 1.0, out=resid)
    np.divide(np.where(eta >= 0, 1.0, small), resid, out=resid)  # mu
    np.subtract(resid, resid * resid, out=small)  # mu (1 - mu): the information's row weights
    np.subtract(y, resid, out=resid)  # y - mu
    at = 2 * m
    for a in range(1, k):
        np.multiply(resid[on[a]], design[:, a], out=terms[at : at + on[a].size])
        at += on[a].size
    summed = counts @ terms.T  # (resamples, terms)
    loglik = summed[:, :m]
    score = np.zeros((len(counts), m, k))
    at = m
    for a in range(k):
        score[:, on[a], a] = summed[:, at : at + on[a].size]
        at += on[a].size
    iu, ju = np.triu_indices(k)
    flat = small @ outer
    info = np.empty((m, k, k))
    info[:, iu, ju] = flat
    info[:, ju, iu] = flat
    info *= active[:, :, None] & active[:, None, :]
    info[:, np.arange(k), np.arange(k)] += ~active  # an absent driver's score is 0: no step
    inverse = np.linalg.inv(info)
    step = np.matmul(score.transpose(1, 0, 2), inverse)  # (models, resamples, k): H^-1 g per resample
    gain = np.einsum("mbk,bmk->bm", step, score)
    return loglik + 0.5 * gain


def _logistic_relative_weights(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    """Tonidandel & LeBreton (2010) relative weights for a logistic model."""
    total = w.sum()
    mean = (w @ x) / total
    sd = np.sqrt((w @ (x - mean) ** 2) / total)
    z = (x - mean) / sd
    rxx = ((z * w[:, None]).T @ z) / total
    evals, evecs = np.linalg.eigh(rxx)
    evals = np.clip(evals, 1e-12, None)
    half = (evecs * np.sqrt(evals)) @ evecs.T
    orth = z @ np.linalg.inv(half)  # orthogonal drivers closest to z
    _, coef = _logistic_fits(orth, y, w, np.arange(x.shape[1])[None, :])
    b = coef[0, 1:]
    eta = coef[0, 0] + orth @ b
    prob = special.expit(eta)
    r = _wcorr(y, prob, w)
    sd_orth = np.sqrt((w @ (orth - (w @ orth) / total) ** 2) / total)
    sd_eta = np.sqrt(_wvar(eta, w))
    bstar = b * sd_orth * r / sd_eta  # Menard's fully standardised coefficients
    weights = (half**2) @ (bstar**2)
    return weights, float(weights.sum())


def _wvar(v: np.ndarray, w: np.ndarray) -> float:
    m = (w @ v) / w.sum()
    return float((w @ (v - m) ** 2) / w.sum())


def _wcorr(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    ma, mb = (w @ a) / w.sum(), (w @ b) / w.sum()
    return float((w @ ((a - ma) * (b - mb))) / np.sqrt((w @ (a - ma) ** 2) * (w @ (b - mb) ** 2)))


# --------------------------------------------------------------------------- one fit, with bootstrap


def _survey_weights(df: pd.DataFrame, weights: str | None) -> np.ndarray:
    """The survey-weight column as floats (ones without one); rows without a weight are left out."""
    if weights is None:
        return np.ones(len(df))
    w = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if (w[~np.isnan(w)] < 0).any() or np.isinf(w).any():
        raise ValueError(f"weights column {weights!r} has negative or infinite weights; weights must be numbers >= 0.")
    return w


class _Data:
    """Target and drivers as float arrays after the missing-value rule, with bookkeeping."""

    def __init__(
        self, df: pd.DataFrame, target: str, drivers: list[str], *, missing: str, model: str, weights: str | None = None
    ):
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"key drivers need a DataFrame, not {type(df).__name__}.")
        missing_cols = [c for c in [target, *drivers, *([weights] if weights else [])] if c not in df.columns]
        if missing_cols:
            raise ValueError(
                f"column(s) {missing_cols} not found in the data (columns: {list(df.columns)}). "
                "Pass target= and drivers= with existing column names."
            )
        if missing not in ("listwise", "pairwise"):
            raise ValueError(f"missing must be 'listwise' or 'pairwise', not {missing!r}.")
        if model not in ("auto", "linear", "logistic"):
            raise ValueError(f"model must be 'auto', 'linear' or 'logistic', not {model!r}.")
        self.target, self.drivers = target, list(drivers)
        x = np.column_stack([_as_float(df[c], c) for c in drivers]) if drivers else np.empty((len(df), 0))
        y = _as_float(df[target], target)
        self.logistic = _is_binary(df[target], y) if model == "auto" else model == "logistic"
        if self.logistic and missing == "pairwise":
            raise ValueError(
                "missing='pairwise' needs a linear model; a binary target is fitted by logistic "
                "regression on complete rows. Use missing='listwise'."
            )
        if self.logistic and not np.isin(y[~np.isnan(y)], (0.0, 1.0)).all():
            raise ValueError(f"target {target!r} must be 0/1 (or boolean) for a logistic model.")
        self.n_read = len(df)
        #: survey weights of the rows used (None: unweighted); every correlation, mean and
        #: resample carries them
        self.weights = weights
        w = _survey_weights(df, weights)
        complete = ~np.isnan(y) & ~np.isnan(x).any(axis=1) & ~np.isnan(w)
        if missing == "listwise":
            x, y, w = x[complete], y[complete], w[complete]
            self.n = int(complete.sum())
        else:
            keep = ~np.isnan(y) & ~np.isnan(x).all(axis=1) & ~np.isnan(w)
            x, y, w = x[keep], y[keep], w[keep]
            self.n = int(keep.sum())
        self.w: np.ndarray | None = None if weights is None else w
        self.n_complete = int(complete.sum())
        self.missing = missing
        self.x, self.y = x, y
        self.n_dropped = self.n_read - self.n
        self.share_dropped = self.n_dropped / self.n_read if self.n_read else np.nan
        if self.n < len(drivers) + 2:
            raise NotEnoughDataError(
                f"only {self.n} usable row{'' if self.n == 1 else 's'} for {len(drivers)} drivers (after dropping rows with "
                f"missing {target!r} or driver values); key drivers need at least {len(drivers) + 2}."
            )
        with np.errstate(invalid="ignore"):
            sd = np.nanstd(x, axis=0)
        flat = [d for d, s in zip(drivers, sd) if not s > 0]
        if flat:
            raise ValueError(
                f"driver(s) {flat} do not vary in the rows used (every rating is the same); "
                "remove them from drivers= (cxkit never drops a driver silently)."
            )
        if not np.nanstd(y) > 0:
            raise NotEnoughDataError(f"target {target!r} does not vary in the rows used; there is nothing to explain.")
        self.values = np.column_stack([x, y])
        self.centered = self.values - np.nanmean(self.values, axis=0)
        present = ~np.isnan(self.values)
        #: rows with each driver and the target both present (all rows when listwise)
        self.pair_n = (present[:, :-1] & present[:, -1:]).sum(axis=0)
        pairs = present[:, :-1] & present[:, -1:]
        #: Kish's effective n of those rows under the survey weights (pair_n when unweighted)
        self.pair_n_eff = (
            self.pair_n.astype(float)
            if self.w is None
            else (self.w @ pairs) ** 2 / np.maximum((self.w**2) @ pairs, np.finfo(float).tiny)
        )
        self.notes: list[str] = []  # what was done instead of what was asked, for the warnings
        self.requested = missing
        #: logistic Shapley: the drivers' centre and the full sample's fit of every subset,
        #: where each bootstrap resample's fits start (set by the point estimate)
        self.logit_center = x.mean(axis=0) if self.logistic else None
        self.logit_start: tuple[np.ndarray, np.ndarray] | None = None

    def corr(self, weights: np.ndarray | None = None) -> np.ndarray:
        """Correlations of the rows used, under the survey weights times the resample's
        frequency weights ``weights`` (either may be absent)."""
        weights = self.w if weights is None else (weights if self.w is None else weights * self.w)
        if self.missing == "pairwise":
            return _corr_pairwise(self.values, weights)
        return _corr(self.centered, weights)


def _checked_pairwise(data: _Data, df: pd.DataFrame, model: str) -> _Data:
    """The pairwise data when their correlation matrix is a correlation matrix; else the
    complete rows (listwise deletion), with a note saying why.

    Correlations from different subsets of rows need not fit together: the matrix can have
    negative eigenvalues, and then R² exceeds 1, importances turn negative and shares pass
    100%. The nearest positive semi-definite matrix would hide that the correlations
    contradict each other; the complete rows are a real sample, and the estimate and its
    bootstrap both use them.
    """
    corr = data.corr()
    finite = bool(np.isfinite(corr).all())
    low = float(np.linalg.eigvalsh(corr).min()) if finite else float("nan")
    if finite and low >= _PSD_TOL:
        return data
    why = (
        f"is not positive semi-definite (smallest eigenvalue {low:.3g})"
        if finite
        else "has undefined entries (a pair of columns shares fewer than two rows with varying values)"
    )
    p = len(data.drivers)
    if data.n_complete < p + 2:
        raise NotEnoughDataError(
            f"the pairwise correlation matrix of {data.target!r} and the drivers {why}, so it gives R² "
            f"outside [0, 1] and negative importances; the fallback, the complete rows, has only "
            f"{data.n_complete} rows for {p} drivers. Use fewer drivers or drivers answered together."
        )
    listwise = _Data(df, data.target, data.drivers, missing="listwise", model=model, weights=data.weights)
    listwise.requested = "pairwise"
    listwise.notes.append(
        f"missing='pairwise' was not used: the pairwise correlation matrix {why}, which would give R² outside "
        f"[0, 1] and negative importances. The model uses the {listwise.n:,} complete rows (listwise deletion) "
        "instead, for the estimate and its bootstrap."
    )
    return listwise


def _check_logistic(data: _Data) -> None:
    """A logistic model needs drivers that are not exact combinations of each other (their
    coefficients would not be identified, and Newton's method cannot invert its Hessian) and
    classes the drivers do not separate."""
    aliased = _aliased(_corr(data.centered))
    if aliased:
        groups = "; ".join(", ".join(data.drivers[i] for i in g) for g in aliased)
        raise ValueError(
            f"drivers {groups} are exactly collinear (one is a linear combination of the others, e.g. a "
            "total of its parts), so a logistic model of the binary target cannot separate their "
            "effects. Drop one of them from drivers= or combine them into one scale."
        )
    _check_separation(data)


def _check_separation(data: _Data) -> None:
    """Refuse a logistic model whose classes a combination of the drivers separates.

    With (quasi-)complete separation the likelihood has no maximum: the coefficients run off
    to infinity and McFadden's R² creeps to 1, numbers that look precise and mean nothing.
    The linear program of Konis (2007, R package ``detectseparation``) finds a direction b
    with (2y - 1) x'b >= 0 for every row and > 0 for some; there is one exactly when the
    classes are separated.
    """
    from scipy.optimize import linprog

    sd = data.x.std(axis=0)
    design = np.column_stack([np.ones(data.n), (data.x - data.x.mean(axis=0)) / sd])
    signed = (2 * data.y - 1)[:, None] * design
    res = linprog(
        -signed.sum(axis=0), A_ub=-signed, b_ub=np.zeros(data.n), bounds=[(-1, 1)] * design.shape[1], method="highs"
    )
    if res.status != 0 or -res.fun <= 1e-7 * data.n:
        return
    direction = res.x[1:]
    alone = [d for j, d in enumerate(data.drivers) if _separates(data.x[:, j], data.y)]
    together = [d for j, d in enumerate(data.drivers) if abs(direction[j]) > 0.01 * np.abs(direction).max()]
    who = (
        f"{', '.join(map(repr, alone))} on {'its' if len(alone) == 1 else 'their'} own"
        if alone
        else f"the combination of {', '.join(map(repr, together))}"
    )
    raise ValueError(
        f"the classes of {data.target!r} are separated by {who}: some driver values occur with only one class, so "
        "the logistic model has no estimate (its coefficients grow without bound and its pseudo-R² tends to 1). "
        "Use the score itself as a linear target (e.g. target='nps' instead of a promoter flag), drop or merge the "
        "separating driver, or collect more responses."
    )


def _separates(x: np.ndarray, y: np.ndarray) -> bool:
    """One rating separates the classes: every 1 is at or above every 0, or the reverse."""
    ones, zeros = x[y == 1], x[y == 0]
    return bool(ones.min() >= zeros.max() or ones.max() <= zeros.min())


def _as_float(col: pd.Series, name: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(col.dtype):
        return (
            col.astype("float64").to_numpy(dtype=float, na_value=np.nan) if col.hasnans else col.to_numpy(dtype=float)
        )
    if not pd.api.types.is_numeric_dtype(col.dtype):
        raise ValueError(
            f"column {name!r} is not numeric (dtype {col.dtype}); key drivers need numeric ratings. "
            "Recode it in the reader (values= or na_codes=) or pick numeric columns."
        )
    return col.to_numpy(dtype=float, na_value=np.nan)


def _is_binary(col: pd.Series, y: np.ndarray) -> bool:
    if pd.api.types.is_bool_dtype(col.dtype):
        return True
    seen = np.unique(y[~np.isnan(y)])
    return seen.size == 2 and set(seen.tolist()) == {0.0, 1.0}


#: A pairwise correlation matrix with an eigenvalue below this is not positive semi-definite.
_PSD_TOL = -1e-8


def _importance(
    data: _Data, method: str, weights: np.ndarray | None = None, corr: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    if data.logistic:
        # the survey weights times the resample's counts: a weighted (pseudo-)likelihood, whose
        # McFadden R² is that of the weighted fits (statsmodels GLM with freq_weights)
        counts = np.ones(len(data.y)) if weights is None else weights
        w = counts if data.w is None else counts * data.w
        if method == "shapley":
            if weights is None:  # the full sample: its fits warm-start the bootstrap's
                center = data.x.mean(axis=0) if data.logit_center is None else data.logit_center
                loglik, data.logit_start = _logistic_full_fits(data.x, data.y, center, w=data.w)
                r2 = 1.0 - loglik / loglik[0]
            else:
                r2 = _logistic_subset_r2(data.x, data.y, w, start=data.logit_start, center=data.logit_center)
            return _bounded(_shapley(r2), float(r2[-1]))
        return _bounded(*_logistic_relative_weights(data.x, data.y, w))
    corr = data.corr(weights) if corr is None else corr
    if not np.isfinite(corr).all():
        return np.full(len(data.drivers), np.nan), np.nan
    return _bounded(*(_lmg(corr) if method == "shapley" else _relative_weights(corr)))


def _bounded(imp: np.ndarray, r2: float) -> tuple[np.ndarray, float]:
    """Importances >= 0 and R² in [0, 1], as they are in exact arithmetic for a positive
    semi-definite matrix; only rounding (|error| < 1e-9) is cleared, anything larger is kept
    for the caller to see."""
    imp = np.where((imp < 0) & (imp > -1e-9), 0.0, imp)
    if -1e-9 < r2 < 0 or 1 < r2 < 1 + 1e-9:
        r2 = float(np.clip(r2, 0.0, 1.0))
    return imp, r2


def _resample_corr(data: _Data, weights: np.ndarray) -> tuple[np.ndarray, bool]:
    """A resample's correlation matrix; pairwise matrices that are not positive semi-definite
    (a resample can break one that was fine) become the nearest correlation matrix."""
    corr = data.corr(weights)
    if data.missing != "pairwise" or not np.isfinite(corr).all() or np.linalg.eigvalsh(corr).min() >= _PSD_TOL:
        return corr, False
    return nearest_correlation(corr), True


#: Rows per step of :func:`_weighted_corrs`: their pairwise products (rows x ~q²/2) stay small.
_ROWS = 4096


def _weighted_corrs(centered: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Correlation matrices (B, q, q) of the columns of ``centered`` under each row of
    frequency weights ``counts`` (B, n): the same matrices as :func:`_corr` per resample.

    A resample changes only how often each row counts, so its sufficient statistics (total
    weight, column sums, cross-products) are ``counts`` times the rows' pairwise products:
    one matrix product for all the resamples at once, a block of rows at a time.
    """
    n, q = centered.shape
    aug = np.empty((n, q + 1))
    aug[:, 0] = 1.0
    aug[:, 1:] = centered
    iu, ju = np.triu_indices(q + 1)
    sums = np.zeros((len(counts), iu.size))
    products = np.empty((min(n, _ROWS), iu.size))
    for first in range(0, n, _ROWS):
        rows = aug[first : first + _ROWS]
        for i in range(q + 1):  # columns i..q of the upper triangle's row i (the order of triu_indices)
            at = i * (q + 1) - i * (i - 1) // 2
            np.multiply(rows[:, i : i + 1], rows[:, i:], out=products[: len(rows), at : at + q + 1 - i])
        sums += counts[:, first : first + _ROWS] @ products[: len(rows)]
    full = np.empty((len(counts), q + 1, q + 1))
    full[:, iu, ju] = sums
    full[:, ju, iu] = sums
    total = full[:, 0, 0]
    mean = full[:, 0, 1:] / total[:, None]
    cross = full[:, 1:, 1:] - total[:, None, None] * (mean[:, :, None] * mean[:, None, :])
    sd = np.sqrt(np.clip(np.diagonal(cross, axis1=1, axis2=2), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        return cross / (sd[:, :, None] * sd[:, None, :])


def _resample_counts(streams: list, n: int) -> np.ndarray:
    """(len(streams), n): how often each row is drawn in each resample (n draws with
    replacement from the resample's own stream)."""
    counts = np.empty((len(streams), n))
    for b, stream in enumerate(streams):
        counts[b] = np.bincount(np.random.default_rng(stream).integers(0, n, n), minlength=n)
    return counts


def _resample_block(streams: list, data: _Data, methods: list[str]) -> dict:
    """Importance (len(streams) x p per method) of the resamples drawn from ``streams``.

    Linear models resample the sufficient statistics (:func:`_weighted_corrs`), logistic
    ones refit every subset warm-started from the full sample's fits (``data.logit_start``).
    """
    draws = {m: np.full((len(streams), len(data.drivers)), np.nan) for m in methods}
    repaired = 0
    counts = _resample_counts(streams, len(data.y))
    if data.logistic:
        for b, weights in enumerate(counts):
            if weights @ data.y in (0.0, weights.sum()):
                continue  # a resample with one class only has no model
            for m in methods:
                draws[m][b] = _importance(data, m, weights)[0]
        return {**draws, "_repaired": 0}
    if data.missing == "pairwise":
        corrs = np.empty((len(streams), data.values.shape[1], data.values.shape[1]))
        for b, weights in enumerate(counts):
            corrs[b], fixed = _resample_corr(data, weights)
            repaired += fixed
    else:
        corrs = _weighted_corrs(data.centered, counts if data.w is None else counts * data.w)
    for b, corr in enumerate(corrs):
        for m in methods:
            draws[m][b] = _importance(data, m, counts[b], corr)[0]
    return {**draws, "_repaired": repaired}


#: ``bootstrap_method="auto"`` takes the one-step bootstrap of logistic Shapley when refitting
#: would fit more than this many (subset model x row) pairs over all resamples: 2^p x rows x
#: resamples, 5.7e9 for 12 drivers, 7,000 rows and 200 resamples (about 2 minutes on 2 cores);
#: 5e8 is about 10 s.
_ONE_STEP_WORK = 5e8
#: ... and only with at least this many rows per coefficient of the full model, where the
#: one-step draws stay within a few percent of a bootstrap SD of the refitted ones (measured in
#: tests/test_drivers_bootstrap.py; the error shrinks like 1/sqrt(rows)).
_ONE_STEP_ROWS = 100
_BOOTSTRAP_METHODS = ("auto", "exact", "one-step")


def _bootstrap_method(data: _Data, methods: list[str], bootstrap: int, requested: str) -> str:
    """``"exact"`` or ``"one-step"``: how the resamples of ``data`` are fitted.

    Only logistic Shapley has a one-step bootstrap; every other bootstrap is exact whatever
    was asked. ``"auto"`` picks one-step where refitting is slow and the sample large (see
    :data:`_ONE_STEP_WORK`, :data:`_ONE_STEP_ROWS`).
    """
    if requested not in _BOOTSTRAP_METHODS:
        raise ValueError(f"bootstrap_method must be 'auto', 'exact' or 'one-step', not {requested!r}.")
    if not (data.logistic and "shapley" in methods and bootstrap):
        return "exact"
    if requested != "auto":
        return requested
    p = len(data.drivers)
    large = 2**p * data.n * bootstrap > _ONE_STEP_WORK and data.n >= _ONE_STEP_ROWS * (p + 1)
    return "one-step" if large else "exact"


def _one_step_draws(data: _Data, streams: list, bar: Any) -> np.ndarray:
    """Logistic Shapley importances (len(streams) x p) of the resamples by the one-step
    bootstrap (:func:`_logistic_one_step`), blocks of subset models on the machine's cores.

    Each resample's null model (intercept only) is exact (its maximum has a closed form); a
    resample with one class only has no model (NaN), as with refitting.
    """
    n, p = data.x.shape
    models = 2**p
    design = np.column_stack([np.ones(n), data.x - data.logit_center])
    iu, ju = np.triu_indices(p + 1)
    outer = design[:, iu] * design[:, ju]
    if data.w is not None:  # the full sample's information is the weighted one
        outer *= data.w[:, None]
    fits = data.logit_start
    if fits is None:
        raise RuntimeError("the one-step bootstrap starts from the point estimate's fits; fit it first.")
    chunks = [np.arange(lo, min(lo + _ONE_STEP_MODELS, models)) for lo in range(0, models, _ONE_STEP_MODELS)]
    size = max(1, 8_000_000 // n)  # resample counts (size x rows) of about 64 MB at most
    out = np.full((len(streams), p), np.nan)
    shown = 0
    for first in range(0, len(streams), size):
        counts = _resample_counts(streams[first : first + size], n)
        if data.w is not None:  # each drawn row counts with its survey weight
            counts *= data.w
        finished = [0]

        def done(chunk: np.ndarray, first: int = first, block: int = len(counts), finished: list = finished) -> None:
            nonlocal shown
            finished[0] += chunk.size
            now = first + block * finished[0] // models  # resamples' worth of subset models done
            bar.update(now - shown)
            shown = now

        parts = _threads.thread_map(_logistic_one_step, chunks, design, outer, data.y, counts, fits[0], done=done)
        loglik = np.concatenate(parts, axis=1)
        total, ones = counts.sum(axis=1), counts @ data.y
        loglik[:, 0] = special.xlogy(ones, ones / total) + special.xlogy(total - ones, 1 - ones / total)
        for b, row in enumerate(loglik):
            if 0 < ones[b] < total[b]:  # a resample with one class only has no model
                out[first + b] = _bounded(_shapley(1.0 - row / row[0]), 0.0)[0]
    return out


def _fit(
    data: _Data,
    methods: list[str],
    *,
    bootstrap: int,
    seed: int,
    label: str = "key drivers",
    bootstrap_method: str = "exact",
) -> dict:
    """Point estimates and bootstrap draws (B x p) of the importance for each method.

    Resample b draws its rows from the b-th stream spawned from ``seed`` (numpy's
    ``SeedSequence``), so the draws are the same in-process, on any number of threads and on a
    Dask cluster (:func:`cxkit.connect`), whatever the blocks and workers. In-process the
    blocks run on the machine's cores with single-threaded BLAS (:mod:`cxkit._threads`);
    a progress bar (:mod:`cxkit.progress`) counts the resamples. ``bootstrap_method``
    (:func:`_bootstrap_method`, resolved by the caller): ``"one-step"`` approximates logistic
    Shapley's resamples (:func:`_one_step_draws`, in-process also with a cluster: it is a few
    large matrix products); the other methods' resamples are refitted.
    """
    one_step = bootstrap_method == "one-step" and data.logistic and "shapley" in methods
    out = {m: _importance(data, m) for m in methods}
    streams = np.random.SeedSequence(seed).spawn(bootstrap)
    p = len(data.drivers)
    draws: dict[str, np.ndarray] = {}
    if one_step:
        with progress.bar(bootstrap or None, f"{label}: bootstrap (one-step)", unit="resample") as bar:
            with _threads.blas_threads(1):
                draws["shapley"] = _one_step_draws(data, streams, bar)
    refit = [m for m in methods if m not in draws]
    parts: list = []
    if refit:
        parts = _refit_draws(data, refit, streams, label)
    for m in refit:
        draws[m] = np.concatenate([part[m] for part in parts]) if parts else np.full((0, p), np.nan)
    return {
        "point": out,
        "draws": {m: draws[m] for m in methods},
        "repaired": int(sum(part.get("_repaired", 0) for part in parts)),
        "bootstrap_method": "one-step" if one_step else "exact",
    }


def _refit_draws(data: _Data, methods: list[str], streams: list, label: str) -> list[dict]:
    """The resamples refitted, in blocks (:func:`_resample_block`) on the cores or a cluster."""
    bootstrap = len(streams)
    with progress.bar(bootstrap or None, f"{label}: bootstrap", unit="resample") as bar:
        threads = _cluster.threads()
        size = _block_size(bootstrap, len(data.y), logistic=data.logistic, cluster_threads=threads)
        blocks = [streams[i : i + size] for i in range(0, bootstrap, size)]
        if threads is None:
            parts = _threads.thread_map(_resample_block, blocks, data, methods, done=lambda b: bar.update(len(b)))
        else:
            parts = _cluster.map_chunks(_resample_block, blocks, data, methods)
            bar.update(bootstrap)
    return list(parts)


def _block_size(bootstrap: int, rows: int, *, logistic: bool, cluster_threads: int | None = None) -> int:
    """Resamples per block of :func:`_refit_draws`. Only the scheduling depends on it: every
    resample draws from its own stream, so the draws do not (tests/test_distributed.py).

    A linear block multiplies the rows' pairwise products by all its resamples' counts at once
    (:func:`_weighted_corrs`), so each block pays one pass over the products: few large blocks
    are cheapest. Logistic resamples are independent fits: more, smaller blocks finish evenly
    and move the progress bar. Either way a block's resample counts (block x rows) are held to
    about 64 MB. In-process: two blocks per core (linear) or eight (logistic). On a cluster of
    ``cluster_threads`` worker threads: one block per thread (linear) or four (logistic), and a
    multiple of the threads when the memory bound asks for more blocks, so every thread gets as
    many; blocks of a fixed 10 resamples made the linear bootstrap slower on two workers than
    in-process (20 blocks, each paying the pass over the products)."""
    if not bootstrap:
        return 1
    largest = max(1, 8_000_000 // max(1, rows))
    if cluster_threads is None:
        per_core = 8 if logistic else 2
        return max(1, min(-(-bootstrap // (per_core * _threads.workers(bootstrap))), largest))
    threads = max(1, cluster_threads)
    blocks = max((4 if logistic else 1) * threads, -(-bootstrap // largest))
    blocks = -(-blocks // threads) * threads
    return max(1, -(-bootstrap // blocks))


# --------------------------------------------------------------------------- public API


def key_drivers(
    df: pd.DataFrame,
    target: str = "nps",
    drivers: list[str] | None = None,
    *,
    method: str = "shapley",
    bootstrap: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
    missing: str = "listwise",
    model: str = "auto",
    bootstrap_method: str = "auto",
    weights: str | None = None,
) -> pd.DataFrame:
    """Importance of each driver rating for a target score, with bootstrap confidence intervals.

    Parameters
    ----------
    df : DataFrame
        One row per response (e.g. the canonical feedback table).
    target : str
        The outcome column: a numeric score (``nps`` 0-10, ``csat``...) for a linear model, or a
        binary 0/1 or boolean column (e.g. ``fb.nps >= 9``, a promoter flag) for a logistic one.
    drivers : list of str, optional
        Driver-rating columns. Default: the drivers the reader recorded (``df.attrs["drivers"]``).
    method : {"shapley", "relative_weights", "both"}
        Exact Shapley/LMG decomposition of R², Johnson's relative weights, or both.
    bootstrap : int
        Resamples (rows drawn with replacement) for the confidence intervals and ``prob_first``;
        0 skips them.
    seed : int
        Seed of the resampling, so the same data give the same intervals.
    alpha : float
        1 - confidence level of the intervals (and the level of the association test that
        sets a lower limit to 0).
    missing : {"listwise", "pairwise"}
        Drop rows with any missing value (default), or correlate pairwise-complete rows
        (falling back to listwise, with a warning, when that matrix is not positive
        semi-definite).
    model : {"auto", "linear", "logistic"}
        ``auto`` picks logistic for a binary target, linear otherwise.
    bootstrap_method : {"auto", "exact", "one-step"}
        How the resamples of logistic Shapley are fitted (every other bootstrap is exact).
        ``"exact"`` refits all 2^p subset models on every resample. ``"one-step"`` is the
        one-step (Newton) bootstrap: each subset model's resample log-likelihood is its
        quadratic expansion around the model's full-sample fit, with the full-sample
        information (Davison, Hinkley & Schechtman 1986; Hu & Kalbfleisch 2000), all models
        and resamples in a few matrix products: 12 drivers, 7,000 rows and 200 resamples take
        seconds instead of about two minutes. Its log-likelihoods differ from the refitted
        ones by terms of order 1/sqrt(n); measured on the same 200 resamples, every draw is
        within 0.03 bootstrap SDs of the refitted one at 7,000 rows and 12 drivers and within
        0.12 SDs on 10,000 bank customers with 10 drivers, the interval endpoints within 0.2%
        and 1% of the interval's width, the SEs within 0.3% and 1.1%
        (``benchmarks/drivers.py --only accuracy``). It cannot tell a resample that separates
        the classes (those refitting leaves out). ``"auto"``
        (default) takes one-step when refitting would fit more than 5 x 10^8 model-rows
        (2^p x rows x resamples, about 10 s) and there are at least 100 rows per
        coefficient, exact otherwise. The point estimates are always exact; ``attrs``
        record which was used.
    weights : str, optional
        Survey-weight column (e.g. from :func:`cxkit.rake`): the correlations behind
        Shapley/LMG and relative weights are weighted (a binary target: every logistic model
        is fitted by weighted maximum likelihood, and McFadden's pseudo-R² is that of the
        weighted log-likelihoods, as statsmodels' GLM with ``freq_weights``), each bootstrap
        resample draws rows with replacement and keeps their weights (the with-replacement
        bootstrap of a weighted estimator; the one-step bootstrap expands the weighted
        likelihood), ``performance`` is the weighted mean rating with a t interval on Kish's
        effective n, and the association test that sets a lower limit 0 uses that effective
        n. Rows without a weight are left out. ``attrs`` gain ``weights`` and ``n_eff``.

    Returns
    -------
    DataFrame
        One row per driver (and method), sorted by rank:

        - ``driver``, ``method``
        - ``importance``: the driver's part of R² (or pseudo-R²); the parts add up to ``r2``
        - ``share``: importance / r2 (0-1), with ``ci_low`` / ``ci_high``, its bootstrap
          interval (percentile, always containing ``share``; see the module notes) and
          ``ci_note``: "" or what was done at an edge ("stretched to the estimate", "lower
          limit 0: no significant association of its own with the target")
        - ``rank`` (1 = most important) and ``prob_first``: the share of resamples in which the
          driver ranks first
        - ``performance``: mean rating in the rows used, with ``performance_ci_low`` /
          ``performance_ci_high`` (t interval)
        - ``quadrant``: importance-performance quadrant against the medians of the drivers
          ("fix first": above-median importance, below-median performance; "keep up";
          "low priority"; "maintain")
        - ``beta``: standardised coefficient in the full model (the direction of the effect;
          NaN for exactly collinear drivers, whose coefficients are not identified)
        - ``vif``: variance inflation factor of the driver (``inf`` when exactly collinear)
        - ``r2`` and ``n``: the model's R² (McFadden pseudo-R² for a logistic model, squared
          correlation of outcome and prediction for logistic relative weights) and rows used

        ``attrs`` holds ``target``, ``model``, ``r2_kind``, ``r2``, ``n``, ``n_read``,
        ``n_dropped``, ``share_dropped``, ``missing`` (the deletion used) and
        ``missing_requested``, ``bootstrap`` (valid resamples) and ``bootstrap_requested``,
        ``bootstrap_method`` (``"exact"`` or ``"one-step"``), ``ci_method``, ``aliased`` (groups of exactly collinear drivers), ``top_agree`` and
        ``warnings`` (the messages also issued as :class:`~cxkit.errors.ModelWarning`).

    Raises
    ------
    ValueError
        Bad columns or options, too few usable rows, drivers or target without variation,
        more drivers than exact Shapley handles, a pairwise matrix that is not a correlation
        matrix with too few complete rows to fall back on, or a binary target whose classes
        the drivers separate (the message names the drivers).

    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame
    >>> kd = cx.key_drivers(fb, "nps", bootstrap=0)
    >>> kd["driver"].head(3).tolist()
    ['product_quality', 'support', 'price']
    >>> round(kd.attrs["share_dropped"], 3)
    0.03
    """
    methods = _methods(method)
    drivers = _drivers(df, drivers)
    _check_options(bootstrap=bootstrap, alpha=alpha)
    data = _Data(df, target, drivers, missing=missing, model=model, weights=weights)
    if data.missing == "pairwise":
        data = _checked_pairwise(data, df, model)
    _check_size(data, methods)
    if data.logistic:
        _check_logistic(data)
    how = _bootstrap_method(data, methods, bootstrap, bootstrap_method)
    fit = _fit(data, methods, bootstrap=bootstrap, seed=seed, bootstrap_method=how)
    table, meta = _summarise(data, fit, methods, alpha=alpha)
    for message in meta["warnings"]:
        warnings.warn(message, ModelWarning, stacklevel=2)
    table.attrs = meta
    return table


def _methods(method: str) -> list[str]:
    if method == "both":
        return list(_METHODS)
    if method not in _METHODS:
        raise ValueError(f"method must be 'shapley', 'relative_weights' or 'both', not {method!r}.")
    return [method]


def _drivers(df: pd.DataFrame, drivers: str | Sequence[str] | None) -> list[str]:
    if drivers is None:
        drivers = (getattr(df, "attrs", {}) or {}).get("drivers")
        if not drivers:
            raise ValueError(
                "name the driver-rating columns: drivers=[...] (the data carry no driver list "
                "from the reader; load_feedback(..., drivers=[...]) records one)."
            )
    if isinstance(drivers, str):
        drivers = [drivers]
    drivers = list(drivers)
    if not drivers:
        raise ValueError("drivers is empty; name at least one driver-rating column.")
    dup = sorted({d for d in drivers if drivers.count(d) > 1})
    if dup:
        raise ValueError(f"driver(s) {dup} are listed twice in drivers=.")
    return drivers


def _check_options(*, bootstrap: int, alpha: float) -> None:
    if not isinstance(bootstrap, (int, np.integer)) or bootstrap < 0:
        raise ValueError(f"bootstrap must be a whole number >= 0, not {bootstrap!r}.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}.")


def _check_size(data: _Data, methods: list[str]) -> None:
    p = len(data.drivers)
    if data.target in data.drivers:
        raise ValueError(f"the target {data.target!r} is also listed as a driver; remove it from drivers=.")
    if "shapley" in methods:
        limit = MAX_EXACT_LOGISTIC if data.logistic else MAX_EXACT_DRIVERS
        if p > limit:
            kind = "a binary target (2^p logistic fits)" if data.logistic else "a linear model"
            raise ValueError(
                f"exact Shapley with {p} drivers exceeds the limit of {limit} for {kind}: cxkit does "
                "not approximate it. Use method='relative_weights' (any number of drivers), or "
                "group related drivers into fewer scales."
            )


def _association_p(data: _Data) -> np.ndarray:
    """p-value of each driver's own association with the target (no other driver in the model).

    A driver whose importance is 0 adds nothing in any subset of drivers, the empty one
    included, so it has no association of its own with the target: this test rejects a zero
    importance at level alpha (exactly so for Shapley/LMG and linear relative weights). Linear:
    the t test of the correlation on the rows where both are present; logistic: the
    likelihood-ratio test of the one-driver model. With survey weights both are taken at
    Kish's effective n (the logistic likelihoods with the weights scaled to sum to it, the
    design-effect correction of the likelihood-ratio statistic).
    """
    if data.logistic:
        p = len(data.drivers)
        if data.w is None:
            w = np.ones(data.n)
        else:
            w = data.w * (data.w.sum() / max(float(data.w @ data.w), np.finfo(float).tiny))
        null, _ = _logistic_fits(data.x, data.y, w, np.zeros((1, 0), dtype=np.intp))
        single, _ = _logistic_fits(data.x, data.y, w, np.arange(p)[:, None])
        return stats.chi2.sf(np.clip(2 * (single - null[0]), 0.0, None), 1)
    r = data.corr()[:-1, -1]
    df = np.maximum(data.pair_n_eff - 2, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = r * np.sqrt(df / np.clip(1 - r**2, 0.0, None))
    return np.where(data.pair_n > 2, 2 * stats.t.sf(np.abs(t), df), 1.0)


def _share_interval(
    share: np.ndarray, share_draws: np.ndarray, assoc_p: np.ndarray, *, alpha: float
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The bootstrap interval of each share, kept honest at the edges.

    1. Percentile interval of the resampled shares (the resamples are drawn from exactly the
       rows of the estimate).
    2. Stretched to the estimate where the estimate lies outside it: next to 0 the resampled
       shares are biased upwards, all of them can exceed the estimate, and an interval that
       excludes the number it belongs to contradicts it (see ``percentile_interval``).
    3. Lower limit 0 where the driver's own association with the target is not significant
       at ``alpha``: then a zero importance cannot be ruled out, and no bootstrap interval
       can say so (every resampled share is above 0; the bootstrap fails at the boundary of
       the parameter space, Andrews 2000). With a true share of exactly 0 this covers 0 in
       1 - alpha of samples.
    ``benchmarks/coverage.py`` measures the coverage of the result.
    """
    lo, hi, stretched = percentile_interval(share, share_draws, alpha)
    at_zero = (assoc_p >= alpha) & ~np.isnan(lo)
    lo = np.where(at_zero, 0.0, lo)
    notes = [
        "; ".join(
            n
            for n, flag in (
                ("stretched to the estimate", s),
                ("lower limit 0: no significant association of its own with the target", z),
            )
            if flag
        )
        for s, z in zip(stretched, at_zero)
    ]
    return lo, hi, notes


def _summarise(data: _Data, fit: dict, methods: list[str], *, alpha: float) -> tuple[pd.DataFrame, dict]:
    drivers = data.drivers
    corr_full = data.corr() if not data.logistic else _corr(data.centered)
    aliased = _aliased(corr_full)
    vif = _vif(corr_full)
    beta = _std_beta(corr_full) if not data.logistic else _logistic_beta(data)
    beta = np.where(np.isinf(vif), np.nan, beta)  # an aliased driver's own coefficient is not identified
    perf = data.x
    with np.errstate(invalid="ignore"):
        n_perf = (~np.isnan(perf)).sum(axis=0)
        mean = np.nanmean(perf, axis=0)
        se = np.nanstd(perf, axis=0, ddof=1) / np.sqrt(n_perf)
    if data.w is not None:  # weighted mean rating, its SE on Kish's effective n
        mean, se, n_perf = _weighted_performance(perf, data.w)
    tcrit = stats.t.ppf(1 - alpha / 2, np.maximum(n_perf - 1, 1))
    assoc_p = _association_p(data) if any(len(fit["draws"][m]) for m in methods) else np.ones(len(drivers))
    frames = []
    r2_of = {}
    n_valid = 0
    for m in methods:
        imp, r2 = fit["point"][m]
        r2_of[m] = r2
        draws = fit["draws"][m]
        with np.errstate(invalid="ignore", divide="ignore"):
            share_draws = draws / draws.sum(axis=1, keepdims=True)
        valid = ~np.isnan(share_draws).any(axis=1)
        draws, share_draws = draws[valid], share_draws[valid]
        share = imp / r2 if r2 > 0 else np.full(len(drivers), np.nan)
        if len(draws):
            lo, hi, notes = _share_interval(share, share_draws, assoc_p, alpha=alpha)
            first = np.bincount(np.argmax(draws, axis=1), minlength=len(drivers)) / len(draws)
        else:
            lo = hi = first = np.full(len(drivers), np.nan)
            notes = [""] * len(drivers)
        frame = pd.DataFrame(
            {
                "driver": drivers,
                "method": m,
                "importance": imp,
                "share": share,
                "ci_low": lo,
                "ci_high": hi,
                "ci_note": notes,
                "rank": 0,
                "prob_first": first,
                "performance": mean,
                "performance_ci_low": mean - tcrit * se,
                "performance_ci_high": mean + tcrit * se,
                "quadrant": _quadrants(imp, mean),
                "beta": beta,
                "vif": vif,
                "r2": r2,
                "n": data.n,
            }
        )
        frame["rank"] = frame["importance"].rank(ascending=False, method="first").astype(int)
        frames.append(frame.sort_values("rank"))
        n_valid = int(valid.sum())
    table = pd.concat(frames, ignore_index=True)

    # the other method's top driver (cheap for linear models) tells whether the ranking is robust
    tops = {m: drivers[int(np.nanargmax(fit["point"][m][0]))] for m in methods}
    if len(methods) == 1 and not data.logistic:
        other = "relative_weights" if methods[0] == "shapley" else "shapley"
        if len(drivers) <= MAX_EXACT_DRIVERS or other == "relative_weights":
            tops[other] = drivers[int(np.nanargmax(_importance(data, other)[0]))]
    agree = len(set(tops.values())) == 1
    messages = list(data.notes)
    if data.n < 10 * len(drivers):
        messages.append(
            f"only {data.n:,} responses for {len(drivers)} drivers (fewer than 10 per driver): "
            "importances are unstable; collect more responses or use fewer drivers."
        )
    for group in aliased:
        names = ", ".join(drivers[i] for i in group)
        messages.append(
            f"drivers {names} are exactly collinear (one is a linear combination of the others, e.g. "
            "a total of its parts): their VIF is infinite, their coefficients are not identified and "
            "their split of the explained variance is arbitrary. Drop one of them or combine them into "
            "one scale."
        )
    high = [f"{d} ({v:.1f})" for d, v in zip(drivers, vif) if VIF_WARN < v < np.inf]
    if high:
        messages.append(
            f"drivers overlap strongly (VIF > {VIF_WARN:g}: {', '.join(high)}): their split of the "
            "explained variance is uncertain; consider combining them into one scale."
        )
    if not agree:
        pretty = ", ".join(f"{m.replace('_', ' ')}: {d}" for m, d in tops.items())
        messages.append(f"the methods disagree on the top driver ({pretty}); treat the leading drivers as tied.")
    if data.share_dropped > 0.2:
        messages.append(
            f"{data.share_dropped:.0%} of rows were dropped for missing values; check whether "
            "missingness is related to the target (e.g. not-applicable answers)."
        )
    requested = sum(len(fit["draws"][m]) for m in methods[:1])
    if requested and n_valid < requested:
        why = (
            "separated the classes or held one class only"
            if data.logistic
            else "had a driver or the target without variation"
        )
        messages.append(
            f"{requested - n_valid} of {requested} bootstrap resamples {why} and have no estimate; the "
            f"intervals use the other {n_valid} and may be too narrow. Collect more responses."
        )
    if fit.get("repaired"):
        messages.append(
            f"{fit['repaired']} of {requested} bootstrap resamples gave a pairwise correlation matrix that "
            "is not positive semi-definite and used the nearest correlation matrix (Higham 2002)."
        )
    r2_kind = (
        (
            "McFadden pseudo-R²"
            if methods == ["shapley"]
            else "pseudo-R² (McFadden for Shapley; squared outcome-prediction correlation for relative weights)"
        )
        if data.logistic
        else "R²"
    )
    meta = {
        "target": data.target,
        "model": "logistic" if data.logistic else "linear",
        "r2_kind": r2_kind,
        "r2": float(r2_of[methods[0]]),
        "n": data.n,
        "n_read": data.n_read,
        "n_dropped": data.n_dropped,
        "share_dropped": float(data.share_dropped),
        "missing": data.missing,
        "missing_requested": data.requested,
        "bootstrap": n_valid,
        "bootstrap_requested": requested,
        "bootstrap_method": fit["bootstrap_method"],
        "ci_method": "percentile, stretched to the estimate; lower limit 0 without a significant own association",
        "aliased": [[drivers[i] for i in g] for g in aliased],
        "methods": list(methods),
        "top_driver": {m: d for m, d in tops.items()},
        "top_agree": agree,
        "drivers": list(drivers),
        "warnings": messages,
        **(
            {}
            if data.w is None
            else {
                "weights": data.weights,
                "n_eff": float(data.w.sum() ** 2 / max((data.w**2).sum(), np.finfo(float).tiny)),
            }
        ),
    }
    return table, meta


def _weighted_performance(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted mean of each column (rows with a value), its standard error with Kish's
    effective n, and that n."""
    present = ~np.isnan(x)
    filled = np.where(present, x, 0.0)
    total, squares = w @ present, (w**2) @ present
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (w @ filled) / total
        var = (w @ ((filled - mean) ** 2 * present)) / total
        n_eff = total**2 / squares
        se = np.sqrt(var * n_eff / (n_eff - 1) / n_eff)
    return mean, se, n_eff


def _logistic_beta(data: _Data) -> np.ndarray:
    _, coef = _logistic_fits(data.x, data.y, np.ones(len(data.y)), np.arange(len(data.drivers))[None, :])
    return coef[0, 1:] * data.x.std(axis=0)


def _quadrants(importance: np.ndarray, performance: np.ndarray) -> list[str]:
    hi_imp = importance > np.median(importance)
    hi_perf = performance > np.median(performance)
    names = {
        (True, False): "fix first",
        (True, True): "keep up",
        (False, False): "low priority",
        (False, True): "maintain",
    }
    return [names[(bool(i), bool(p))] for i, p in zip(hi_imp, hi_perf)]


def driver_diagnostics(result: pd.DataFrame) -> pd.DataFrame:
    """The checks behind a :func:`key_drivers` result, one row per check.

    Parameters
    ----------
    result : DataFrame
        A table returned by :func:`key_drivers`, with its ``attrs`` (where the checks are
        kept; pandas drops them on many operations, so pass the table as returned).

    Returns
    -------
    DataFrame
        Six rows, in this order, with columns ``check`` (the name), ``value`` (text),
        ``status`` (``"ok"`` or ``"warning"``) and ``note`` (what the value means or what was
        done):

        - ``rows used``: rows in the model of rows read; a warning when more than 20% were
          dropped for missing values, or pairwise deletion was asked for but the complete
          rows had to be used
        - ``responses per driver``: a warning below 10 per driver
        - ``largest VIF``: the largest variance inflation factor and its driver; a warning
          above :data:`VIF_WARN` (5), or infinite for exactly collinear drivers (named)
        - ``top driver by method``: each method's top driver; a warning when they disagree
        - ``model fit``: R² (or the pseudo-R² named in ``note``); a warning outside 0-1
        - ``bootstrap resamples``: valid resamples; a warning when some had no estimate

    Raises
    ------
    ValueError
        ``result`` carries no key-driver checks in its ``attrs``.

    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame
    >>> cx.driver_diagnostics(cx.key_drivers(fb, "nps", bootstrap=0))["status"].tolist()
    ['ok', 'ok', 'ok', 'ok', 'ok', 'ok']
    """
    meta = result.attrs
    if "n" not in meta:
        raise ValueError("driver_diagnostics needs the DataFrame returned by key_drivers (its attrs hold the checks).")
    first = result[result["method"] == result["method"].iloc[0]]
    p = len(first)
    top_vif = first.loc[first["vif"].idxmax()]
    tops = meta["top_driver"]
    aliased = meta.get("aliased") or []
    requested = meta.get("missing_requested", meta["missing"])
    deletion = (
        f"{meta['missing']} deletion of missing values"
        if requested == meta["missing"]
        else f"{meta['missing']} deletion: the pairwise correlation matrix was not a valid correlation matrix"
    )
    boot_note = (
        "no intervals"
        if not meta["bootstrap"]
        else "percentile intervals, stretched to the estimate; lower limit 0 without a significant own association"
    )
    if meta["bootstrap"] < meta.get("bootstrap_requested", meta["bootstrap"]):
        boot_note = f"{meta['bootstrap_requested'] - meta['bootstrap']} resamples had no estimate; " + boot_note
    if meta["bootstrap"] and meta.get("bootstrap_method") == "one-step":
        boot_note += (
            "; one-step bootstrap (an approximation): each resample's subset models are one Newton step from "
            "the full-sample fits, not refitted"
        )
    rows = [
        (
            "rows used",
            f"{meta['n']:,} of {meta['n_read']:,}",
            meta["share_dropped"] <= 0.2 and requested == meta["missing"],
            f"{meta['share_dropped']:.1%} dropped ({deletion})",
        ),
        ("responses per driver", f"{meta['n'] / p:,.0f}", meta["n"] >= 10 * p, "at least 10 per driver wanted"),
        (
            "largest VIF",
            f"{top_vif['vif']:.2f} ({top_vif['driver']})",
            bool(top_vif["vif"] <= VIF_WARN),
            "infinite: " + "; ".join(", ".join(g) for g in aliased) + " are exactly collinear"
            if aliased
            else f"above {VIF_WARN:g} means drivers overlap strongly",
        ),
        (
            "top driver by method",
            ", ".join(f"{m.replace('_', ' ')}: {d}" for m, d in tops.items()),
            meta["top_agree"],
            "methods agree" if meta["top_agree"] else "methods disagree: treat the leaders as tied",
        ),
        ("model fit", f"{meta['r2']:.3f}", bool(0 <= meta["r2"] <= 1), meta["r2_kind"]),
        (
            "bootstrap resamples",
            f"{meta['bootstrap']:,}",
            meta["bootstrap"] >= meta.get("bootstrap_requested", meta["bootstrap"]),
            boot_note,
        ),
    ]
    return pd.DataFrame(
        [{"check": c, "value": v, "status": "ok" if ok else "warning", "note": n} for c, v, ok, n in rows]
    )


def _periods(df: pd.DataFrame, date: str, freq: str) -> pd.Series:
    if date not in df.columns:
        raise ValueError(f"date column {date!r} not found; pass date= with the response timestamp column.")
    if freq not in ("M", "Q"):
        raise ValueError(f"freq must be 'M' (months) or 'Q' (quarters), not {freq!r}.")
    return pd.to_datetime(df[date]).dt.to_period(freq)


def importance_over_time(
    df: pd.DataFrame,
    target: str = "nps",
    drivers: list[str] | None = None,
    *,
    date: str = "responded_at",
    freq: str = "M",
    method: str = "shapley",
    bootstrap: int = 0,
    seed: int = 0,
    alpha: float = 0.05,
    model: str = "auto",
    bootstrap_method: str = "auto",
) -> pd.DataFrame:
    """Key drivers per month (``freq="M"``) or quarter (``"Q"``): :func:`key_drivers` per period.

    Each period's responses get their own :func:`key_drivers` model (listwise deletion), with
    the options below. The model warnings of the single periods are not shown (run
    :func:`key_drivers` on one period to see them). Periods whose model fails (too few rows, a
    driver or the target without variation, separated classes, ...) are left out of the table
    with a :class:`~cxkit.errors.DataWarning` naming the period and the reason.

    Parameters
    ----------
    df : DataFrame
        One row per response (e.g. the canonical feedback table).
    target : str, default "nps"
        The outcome column: a numeric score for a linear model, or a binary 0/1 or boolean
        column for a logistic one (see :func:`key_drivers`).
    drivers : list of str, optional
        Driver-rating columns. Default: the drivers the reader recorded (``df.attrs["drivers"]``).
    date : str, default "responded_at", keyword-only
        Response timestamp column that assigns each row to its period.
    freq : {"M", "Q"}, default "M", keyword-only
        Calendar months or quarters.
    method : {"shapley", "relative_weights", "both"}, default "shapley", keyword-only
        The decomposition, as in :func:`key_drivers`.
    bootstrap : int, default 0, keyword-only
        Resamples per period for the intervals and ``prob_first``; 0 (default) skips them,
        and those columns are then NaN.
    seed : int, default 0, keyword-only
        Seed of the resampling (the same in every period).
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the intervals (and the level of the association test that
        sets a lower limit to 0).
    model : {"auto", "linear", "logistic"}, default "auto", keyword-only
        ``auto`` picks logistic for a binary target, linear otherwise.
    bootstrap_method : {"auto", "exact", "one-step"}, default "auto", keyword-only
        How logistic Shapley's resamples are fitted, as in :func:`key_drivers` (each period
        decides ``"auto"`` by its own size; ``attrs["bootstrap_method"]`` maps each period to
        ``"exact"`` or ``"one-step"``).

    Returns
    -------
    DataFrame
        One row per period, driver (and method), periods in time order, each period's drivers
        by rank. The columns of :func:`key_drivers`, with ``period`` first:

        - ``period``: the month (``"2026-10"``) or quarter (``"2026Q4"``)
        - ``driver``, ``method``
        - ``importance``: the driver's part of the period's R² (or pseudo-R²)
        - ``share``: importance / r2 (0-1), with ``ci_low`` / ``ci_high``, its bootstrap
          percentile interval (NaN without ``bootstrap``), and ``ci_note`` ("" or what was
          done at an edge)
        - ``rank`` (1 = most important in the period) and ``prob_first``: the share of the
          period's resamples in which the driver ranks first (NaN without ``bootstrap``)
        - ``performance``: mean rating in the period's rows used, with
          ``performance_ci_low`` / ``performance_ci_high`` (t interval)
        - ``quadrant``: importance-performance quadrant against the period's medians ("fix
          first", "keep up", "low priority", "maintain")
        - ``beta``: standardised coefficient in the period's full model
        - ``vif``: variance inflation factor of the driver in the period
        - ``r2`` and ``n``: the period's R² (or pseudo-R²) and rows used

    Raises
    ------
    ValueError
        The date column or a driver is missing, ``freq`` is not ``"M"`` or ``"Q"``, no
        drivers are named or recorded, an option is invalid, or no period has a model.

    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame
    >>> t = cx.importance_over_time(fb, "nps")
    >>> t[t["rank"] == 1]["driver"].unique().tolist()
    ['product_quality']
    """
    drivers = _drivers(df, drivers)
    periods = _periods(df, date, freq)
    frames = []
    how: dict[str, str] = {}
    for period in progress.track(sorted(periods.dropna().unique()), desc="key drivers by period", unit="period"):
        part = df[(periods == period).to_numpy()]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # each period's model caveats stay in its attrs
                kd = key_drivers(
                    part,
                    target,
                    drivers,
                    method=method,
                    bootstrap=bootstrap,
                    seed=seed,
                    alpha=alpha,
                    model=model,
                    bootstrap_method=bootstrap_method,
                )
        except ValueError as err:
            # outside the filter above, so the caller sees which period was left out and why
            warnings.warn(f"{period}: skipped ({err})", DataWarning, stacklevel=2)
            continue
        frames.append(kd.assign(period=str(period)))
        how[str(period)] = kd.attrs["bootstrap_method"]
    if not frames:
        raise NotEnoughDataError("no period had enough rows for a key-driver model.")
    out = pd.concat(frames, ignore_index=True)
    out = out[["period", *[c for c in out.columns if c != "period"]]]
    out.attrs = {"bootstrap_method": how}
    return out


def driver_change(
    df: pd.DataFrame,
    target: str = "nps",
    drivers: list[str] | None = None,
    *,
    month: str | None = None,
    date: str = "responded_at",
    period: str = "month",
    method: str = "shapley",
    bootstrap: int = 200,
    seed: int = 0,
    padjust: str = "holm",
    alpha: float = 0.05,
    model: str = "auto",
    bootstrap_method: str = "auto",
    weights: str | None = None,
) -> pd.DataFrame:
    """Did each driver's share of explained variance change from the previous period?

    The current period is ``month`` (``period="month"``) or the quarter of three months ending
    with it (``period="quarter"``); the previous period is the one before, of the same length.
    Each period gets its own model (listwise deletion, as :func:`key_drivers`) and both are
    resampled independently; the change in share is tested with its bootstrap standard error
    (z = change / SE, normal p-value), the p-values are adjusted across drivers and only
    ``significant`` changes should be reported.

    Parameters
    ----------
    df : DataFrame
        One row per response, covering both periods.
    target : str, default "nps"
        The outcome column: a numeric score for a linear model, or a binary 0/1 or boolean
        column for a logistic one (see :func:`key_drivers`).
    drivers : list of str, optional
        Driver-rating columns. Default: the drivers the reader recorded (``df.attrs["drivers"]``).
    month : str, optional, keyword-only
        The (last) month of the current period, ``YYYY-MM``; default the last complete month
        in ``date``.
    date : str, default "responded_at", keyword-only
        Response timestamp column.
    period : {"month", "quarter"}, default "month", keyword-only
        Length of the two periods compared: one month, or three months ending with ``month``.
    method : {"shapley", "relative_weights"}, default "shapley", keyword-only
        The decomposition, one at a time (``"both"`` is refused).
    bootstrap : int, default 200, keyword-only
        Resamples per period (at least 2) for the standard error and interval of the change.
    seed : int, default 0, keyword-only
        Seed of the current period's resampling; the previous period uses ``seed + 1``.
    padjust : str, default "holm", keyword-only
        Adjustment of the p-values across the drivers (``"holm"``, ``"bh"``,
        ``"bonferroni"``, ``"none"``, or any name :func:`cxkit.adjust_p` accepts).
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the interval, and the level of ``significant``.
    model : {"auto", "linear", "logistic"}, default "auto", keyword-only
        ``auto`` picks logistic for a binary target, linear otherwise.
    bootstrap_method : {"auto", "exact", "one-step"}, default "auto", keyword-only
        How logistic Shapley's resamples are fitted, as in :func:`key_drivers` (``"auto"``
        decides each period by its own size). ``attrs["bootstrap_method"]`` maps both periods
        to ``"exact"`` or ``"one-step"``.
    weights : str, optional, keyword-only
        Survey-weight column: each period's model is weighted as in :func:`key_drivers`.

    Returns
    -------
    DataFrame
        One row per driver, largest current share first:

        - ``driver``
        - ``period``: the current period (``"2026-10"``, or ``"2026-08 to 2026-10"``)
        - ``previous_period``: the period before, of the same length
        - ``share``: the driver's share of the current period's explained variance (its
          importance / the sum of importances, 0-1)
        - ``share_previous``: the same in the previous period
        - ``change``: ``share - share_previous`` (shares 0-1; 0.05 is 5 percentage points)
        - ``ci_low``, ``ci_high``: ``1 - alpha`` percentile interval of the resampled changes
          (the two periods are resampled independently), stretched to contain ``change`` where
          it falls outside
        - ``se``: bootstrap standard error of the change (SD of the resampled changes)
        - ``z``: ``change / se``
        - ``p``: raw two-sided normal p-value of ``z``
        - ``p_adjusted``: ``p`` adjusted by ``padjust`` over the drivers
        - ``significant``: ``p_adjusted < alpha``
        - ``n``, ``n_previous``: rows used in the current and the previous period

    Raises
    ------
    ValueError
        ``method="both"``, ``bootstrap`` below 2, ``period`` not "month" or "quarter", a
        period without responses, and every reason :func:`key_drivers` refuses a model
        (missing or non-numeric columns, too few rows, no variation, too many drivers for
        exact Shapley, separated classes of a binary target).

    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame
    >>> ch = cx.driver_change(fb, "nps", month="2026-10", bootstrap=40)
    >>> int(ch["significant"].sum())
    0
    """
    methods = _methods(method)
    if len(methods) != 1:
        raise ValueError("driver_change compares one method at a time: method='shapley' or 'relative_weights'.")
    drivers = _drivers(df, drivers)
    _check_options(bootstrap=bootstrap, alpha=alpha)
    if bootstrap < 2:
        raise ValueError("driver_change needs bootstrap >= 2 resamples to test the change (200 recommended).")
    months = _periods(df, date, "M")
    current_month = resolve_month(month, pd.to_datetime(df[date]))
    length = {"month": 1, "quarter": 3}.get(period)
    if length is None:
        raise ValueError(f"period must be 'month' or 'quarter', not {period!r}.")
    now = [current_month - k for k in range(length)]
    before = [current_month - length - k for k in range(length)]
    label_now = _label(now)
    label_before = _label(before)
    fits = []
    for idx, span in enumerate((now, before)):
        part = df[months.isin(span).to_numpy()]
        if part.empty:
            raise NotEnoughDataError(f"no responses in {_label(span)}; driver_change needs data in both periods.")
        data = _Data(part, target, drivers, missing="listwise", model=model, weights=weights)
        _check_size(data, methods)
        if data.logistic:
            _check_logistic(data)
        how = _bootstrap_method(data, methods, bootstrap, bootstrap_method)
        fit = _fit(
            data, methods, bootstrap=bootstrap, seed=seed + idx, label=f"drivers {_label(span)}", bootstrap_method=how
        )
        fits.append((data, fit))
    (d_now, f_now), (d_before, f_before) = fits
    m = methods[0]
    share_now = _shares(f_now["point"][m][0])
    share_before = _shares(f_before["point"][m][0])
    draws_now = _shares(f_now["draws"][m])
    draws_before = _shares(f_before["draws"][m])
    diff = draws_now - draws_before
    diff = diff[~np.isnan(diff).any(axis=1)]
    change = share_now - share_before
    se = diff.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = change / se
    p = 2 * stats.norm.sf(np.abs(z))
    lo, hi, _ = percentile_interval(change, diff, alpha)
    p_adjusted = adjust_p(p, method=padjust)
    out = pd.DataFrame(
        {
            "driver": drivers,
            "period": label_now,
            "previous_period": label_before,
            "share": share_now,
            "share_previous": share_before,
            "change": change,
            "ci_low": lo,
            "ci_high": hi,
            "se": se,
            "z": z,
            "p": p,
            "p_adjusted": p_adjusted,
            "significant": p_adjusted < alpha,
            "n": d_now.n,
            "n_previous": d_before.n,
        }
    ).sort_values("share", ascending=False, ignore_index=True)
    out.attrs["bootstrap_method"] = {label_now: f_now["bootstrap_method"], label_before: f_before["bootstrap_method"]}
    return out


def _shares(values: np.ndarray) -> np.ndarray:
    return values / values.sum(axis=-1, keepdims=True)


def _label(span: list) -> str:
    span = sorted(span)
    return str(span[0]) if len(span) == 1 else f"{span[0]} to {span[-1]}"
