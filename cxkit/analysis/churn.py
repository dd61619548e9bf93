"""Churn: who leaves, what customer experience has to do with it, and what it costs.

- :func:`churn_model` – logistic regression of churn (statsmodels ``Logit`` through the
  formula API) with odds ratios, cross-validated AUC, calibration, Brier score, VIF and
  warnings for separation, too few churners per parameter, collinearity and likely leakage.
- :func:`customer_nps`, :func:`join_cx`, :func:`churn_by_nps`, :func:`detractor_effect` – the
  link from survey answers to churn.
- :func:`churn_rate_by_month`, :func:`churn_headline`, :func:`cohort_retention` – how many leave.
- :func:`revenue_at_risk`, :func:`customer_lifetime_value`, :func:`churn_reasons` – what it
  costs and why they say they leave.

The churn page of the pack (its findings sentences, alt texts and ``results.json`` part ``churn``)
is :class:`cxkit.pack.churn_regression.ChurnReport`.

Time to churn (Kaplan–Meier, log-rank, Cox) lives in :mod:`cxkit.analysis.survival`. No function returns a table that shows customer ids except :func:`customer_nps` and
:func:`join_cx`, which are per-customer joins for the analyst, never for a report.

Reference levels
----------------
When the model is built from ``covariates`` (or from every usable column), each text column's
reference level is its most frequent level: every odds ratio then compares a level with the
bulk of the customers, and is estimated as precisely as the data allow. A pandas Categorical
uses its first category instead (the order someone chose on purpose: :func:`join_cx` orders
``nps_category`` promoter, passive, detractor, no response, so promoters are the reference).
``reference={"segment": "Consumer"}`` overrides both. A formula is used exactly as written:
``C(segment)`` gets patsy's default (the alphabetically first level), so write
``C(segment, Treatment('Consumer'))`` to choose. ``.formula`` shows the formula that was fitted.

Categories with many levels
---------------------------
Free text used as a category (a ``segment`` column with 75 distinct values) would make every
model and grouped table as large as its levels: a parameter, a curve or a row each, and minutes
of fitting. So before any model, and in every table grouped by a category, a text or
categorical column with more than :data:`LUMP_MAX_LEVELS` (12) levels keeps its most common
levels with at least :data:`LUMP_MIN_COUNT` (30) customers each, at most 11 of them, and the
rest become one level ``"other"`` (an existing level ``"other"`` takes them in; ties are broken
by name). No customer is dropped, missing values stay missing, and the reference level (and any
level a formula names) is never renamed. Each result says so in a note (``.notes`` of a model
with ``.lumped``, the levels combined; ``attrs["notes"]`` of a table) and a
:class:`~cxkit.errors.DataWarning`; ``lump=False`` keeps every level. Columns with at most 12
levels are left as they are. The thresholds are explained in :mod:`cxkit.analysis._groups`.

Why the *first* survey answer
-----------------------------
:func:`customer_nps` takes ``which="first"`` by default. A customer's first answer was given
before anyone knew whether they would leave, so it can predict churn. The *latest* answer is
biased for churn because when it is taken depends on the outcome: churners stop answering when
they leave, so their latest answer is from the weeks before leaving, while a staying
customer's latest answer can be from any later time. Where the decision to leave sours the
answers given on the way out, "latest" exaggerates the link (the answer is partly a result of
leaving); where churn follows an earlier experience, later answers mis-classify the customers
and dilute it. On the bundled sample, whose planted effect runs from the first answer, "latest"
shrinks the detractor odds ratio from 2.46 (the planted value) to 1.66. Either way the number no
longer says what an answer tells us about who will leave.

Examples
--------
>>> import cxkit as cx
>>> sources = cx.load_catalog(cx.DEFAULT_CATALOG)
>>> customers = cx.join_cx(sources["customers"].frame, sources["feedback"].frame)
>>> model = cx.churn_model(customers, covariates=["tenure_months", "contract", "nps_category"], cv=3)
>>> model.references
{'contract': 'monthly', 'nps_category': 'promoter'}
>>> model.summary.set_index("label")["odds_ratio"].round(2).loc["nps_category: detractor vs promoter"]
np.float64(2.57)
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from scipy.special import expit

from .._stats import adjust_p, headline_change, unbounded_coordinates, wilson_interval
from ..display import SafeDisplay, findings, table
from ..errors import (  # re-exported: the warnings of churn_model
    ChurnWarning,
    CollinearityWarning,
    DataWarning,
    EventsPerParameterWarning,
    LeakageWarning,
    SeparationWarning,
)
from ._groups import (  # noqa: F401 (the lumping thresholds are importable here, as the model checks' are)
    LUMP_MAX_LEVELS,
    LUMP_MIN_COUNT,
    combine_levels,
    lump_levels,
    other_last,
    other_rows_last,
)
from ._models import (  # noqa: F401 (the thresholds stay importable here)
    DAYS_PER_MONTH,
    FORMULA_NAMESPACE,
    LEAKAGE_AUC,
    LEAKAGE_R2,
    MAX_VIF,
    MIN_EVENTS_PER_PARAMETER,
    Design,
    aliased_design,
    collinearity,
    complete_rows,
    covariate_formula,
    default_covariates,
    effects_table,
    emit,
    events_per_parameter,
    far_bounds,
    formula_columns,
    formula_in_words,
    formula_levels,
    lump_covariates,
    model_data,
    outcome_leaks,
    quote_name,
    reference_levels,
    require,
    roc_auc,
    standard_errors,
    tenure_price_leaks,
    term_label,
)
from .survival import cox_model, restricted_mean_survival

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from statsmodels.discrete.discrete_model import BinaryResultsWrapper, Logit, LogitResults

__all__ = [
    "churn_model",
    "ChurnModel",
    "ChurnWarning",
    "LeakageWarning",
    "SeparationWarning",
    "EventsPerParameterWarning",
    "CollinearityWarning",
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
    "CHURN_THEMES",
]

#: A fitted log-odds beyond this (a probability within 3e-7 of 0 or 1) makes churn_model check
#: the data for separation (the fit's convergence problems do too).
SEPARATION_LOGIT = 15.0
NPS_CATEGORIES = ["promoter", "passive", "detractor", "no response"]


# --------------------------------------------------------------------------- the model


@dataclass(repr=False)
class ChurnModel(SafeDisplay):
    """A fitted churn model (see :func:`churn_model`); renders itself in notebooks.

    Attributes
    ----------
    summary : DataFrame
        One row per term: ``term`` (statsmodels' name), ``label``, ``coef``, ``se``, ``z``,
        ``odds_ratio``, ``ci_low``, ``ci_high``, ``p``, ``p_adjusted``, ``estimable`` and
        ``note``. A term without a finite estimate (separation: e.g. a level with no
        churners) has ``estimable`` False, ``note`` "separated: not estimable" and NaN numbers
        (the statsmodels result keeps the values where its fit stopped).
    result : LogitResults
        The statsmodels result (``.result.summary()`` for the classic table).
    auc, auc_sd : float
        Mean and standard deviation over the folds of the stratified k-fold cross-validated
        AUC (NaN when ``cv`` is 0).
    cv : DataFrame
        One row per fold: ``fold``, ``n``, ``churned``, ``auc``, ``brier``.
    calibration : DataFrame
        Out-of-fold predictions in deciles: ``decile``, ``n``, ``predicted``, ``observed``,
        ``ci_low``, ``ci_high`` (Wilson interval of the observed share).
    brier, brier_baseline : float
        Out-of-fold Brier score, and the Brier score of predicting the churn rate for everyone.
    vif : DataFrame
        One row per variable: ``variable``, ``df``, ``vif`` (generalized VIF; the usual VIF for
        one-column terms), ``vif_adjusted`` (GVIF^(1/(2 df)), comparable across terms).
    warnings : list of str
        Every warning raised while fitting, in plain language with the fix.
    references : dict
        Reference level of each categorical covariate (odds ratios compare with it).
    oof : Series
        Out-of-fold churn probability of each customer in the model (index of ``customers``).
    calibration_slope : float
        Logistic slope of churn on the out-of-fold logit (1 is ideal).
    formula, n, events, dropped, notes
        The fitted formula (categorical columns are coded with their reference first),
        customers used, churners among them, customers left out for a
        missing value, and notes (e.g. columns left out of the default covariates, levels
        combined into "other").
    lumped : dict
        The levels of each lumped covariate that were combined into ``"other"`` (see the
        module notes, "Categories with many levels"); empty when none was.
        :meth:`design` and :meth:`predict` combine them the same way in new data.
    """

    formula: str
    summary: pd.DataFrame
    result: LogitResults
    auc: float
    auc_sd: float
    cv: pd.DataFrame
    calibration: pd.DataFrame
    brier: float
    brier_baseline: float
    vif: pd.DataFrame
    n: int
    events: int
    dropped: int
    alpha: float
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    oof: pd.Series | None = None
    references: dict = field(default_factory=dict)
    lumped: dict = field(default_factory=dict)
    _design_info: object = None
    _columns: list = field(default_factory=list)
    _levels: dict = field(default_factory=dict)
    _kept: list = field(default_factory=list)
    _event: str = "churned"

    # -- predictions --------------------------------------------------------------------
    def design(self, customers: pd.DataFrame) -> pd.DataFrame:
        """The model's design matrix for ``customers`` (rows with a missing value left out)."""
        import patsy

        require(customers, self._columns, argument="covariates")
        if self.lumped:  # the levels the model saw as "other" are "other" here too
            customers = customers.assign(**{c: combine_levels(customers[c], v) for c, v in self.lumped.items()})
        data = model_data(customers, self._columns, levels=self._levels)
        (X,) = patsy.build_design_matrices([self._design_info], data, NA_action="drop", return_type="dataframe")
        return X[self._kept]

    def predict(self, customers: pd.DataFrame) -> pd.Series:
        """Churn probability of each customer (NaN where a covariate is missing or a level is new)."""
        X = self.design(customers)
        p = expit(X.to_numpy() @ self.result.params.to_numpy())
        return pd.Series(p, index=X.index, name="churn_probability").reindex(customers.index)

    # -- display ------------------------------------------------------------------------
    def facts(self) -> pd.DataFrame:
        """Model facts as a two-column table (what the notebook shows above the odds ratios)."""
        k = len(self.cv)
        auc = f"{self.auc:.3f} ± {self.auc_sd:.3f} (SD over {k} folds)" if k else "not cross-validated"
        refs = ", ".join(f"{k} = {v}" for k, v in self.references.items()) or "none"
        rows = [
            ("model", "logistic regression (statsmodels Logit)"),
            ("churn explained by", formula_in_words(self.formula)),
            ("reference levels", refs),
            ("customers", f"{self.n:,}"),
            ("churned", f"{self.events:,} ({self.events / self.n:.1%})"),
            ("left out (missing values)", f"{self.dropped:,}"),
            ("cross-validated AUC", auc),
            ("Brier score (out of fold)", f"{self.brier:.4f} (no-skill {self.brier_baseline:.4f})"),
        ]
        if self.lumped:
            rows.append(("combined into 'other'", _lumped_in_words(self.lumped)))
        return pd.DataFrame(rows, columns=["", "value"])

    def __repr__(self) -> str:
        text = "\n".join(f"{k}: {v}" for k, v in self.facts().itertuples(index=False))
        cols = ["label", "odds_ratio", "ci_low", "ci_high", "p_adjusted"]
        if not self.summary["estimable"].all():
            cols.append("note")
        text += "\n" + self.summary[cols].to_string(index=False, float_format=lambda v: f"{v:.3g}")
        if self.warnings:
            text += "\nWarnings:\n" + "\n".join(f"- {w}" for w in self.warnings)
        return text

    def _repr_html_(self) -> str:
        # The intercept (the baseline odds) is not an effect a reader acts on; .summary keeps it.
        effects = self.summary[self.summary["term"] != "Intercept"]
        shown = effects[
            ["label", "odds_ratio", "ci_low", "ci_high", "p", "p_adjusted"]
            + ([] if self.summary["estimable"].all() else ["note"])
        ]
        parts = [
            table(self.facts(), caption="Churn model").html,
            table(
                shown,
                digits=3,
                labels={"label": "effect"},
                caption=f"Odds ratios with {1 - self.alpha:.0%} confidence intervals (p adjusted across terms)",
            ).html,
        ]
        if self.warnings:
            parts.append(findings(self.warnings, title="Warnings").html)
        return "".join(parts)

    # -- figures ------------------------------------------------------------------------
    def plot_forest(self, *, ax: Axes | None = None) -> Axes:
        """Forest plot of the odds ratios."""
        from ..plots import plot_forest

        return plot_forest(self.summary, ax=ax, alpha=self.alpha)

    def plot_calibration(self, *, ax: Axes | None = None) -> Axes:
        """Observed against predicted churn by decile of predicted risk."""
        from ..plots import plot_calibration

        return plot_calibration(self.calibration, ax=ax)

    @property
    def calibration_slope(self) -> float:
        """Slope of a logistic regression of churn on the logit of the out-of-fold prediction:
        1 is ideal; below 1 the model is over-confident (too extreme), above 1 too timid."""
        if self.oof is None or self.oof.isna().all():
            return np.nan
        p = np.clip(self.oof.to_numpy(), 1e-12, 1 - 1e-12)
        y = np.asarray(self.result.model.endog, dtype=float)
        X = np.column_stack([np.ones(len(p)), np.log(p / (1 - p))])
        beta, _ = _newton_logit(X, y)
        return float(beta[1])


def _lumped_in_words(lumped: dict) -> str:
    """``{"segment": [...88 levels]}`` -> ``"88 rare levels of segment"``."""
    return "; ".join(
        f"{len(levels):,} rare level{'s' if len(levels) > 1 else ''} of {col}" for col, levels in lumped.items()
    )


def _stratified_folds(y: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold number of each row: churners and stayers are each shuffled and dealt round-robin,
    so every fold has the same churn rate (to within one customer)."""
    rng = np.random.default_rng(seed)
    folds = np.empty(len(y), dtype=int)
    for value in (0.0, 1.0):
        idx = np.flatnonzero(y == value)
        rng.shuffle(idx)
        folds[idx] = np.arange(len(idx)) % k
    return folds


def _newton_logit(
    X: np.ndarray,
    y: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    start: npt.ArrayLike | None = None,
    buffer: np.ndarray | None = None,
    tol: float = 1e-10,
    maxiter: int = 50,
) -> tuple[np.ndarray, bool]:
    """Maximum-likelihood logistic regression by Newton-Raphson; returns (params, converged).

    ``weights`` (0/1 for cross-validation folds) avoid copying the rows of a large design
    matrix. The Hessian is accumulated in single precision in ``buffer`` (float32, X's shape):
    it only sets the step, while the gradient, which decides where the iteration stops, is in
    double precision, so the optimum is the same."""
    n, k = X.shape
    w_row = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    buffer = np.empty(X.shape, dtype=np.float32) if buffer is None else buffer
    if start is None:
        beta = np.zeros(k)
        rate = np.average(y, weights=w_row)
        const = [j for j in range(k) if X[0, j] == 1.0 and np.all(X[:: max(1, n // 1000), j] == 1.0)]
        if const and 0 < rate < 1:
            beta[const[0]] = np.log(rate / (1 - rate))
    else:
        beta = np.asarray(start, dtype=float).copy()
    for _ in range(maxiter):
        p = expit(X @ beta)
        grad = X.T @ (w_row * (y - p))
        np.multiply(X, np.sqrt(w_row * p * (1 - p))[:, None], out=buffer, casting="same_kind")
        hess = (buffer.T @ buffer).astype(float)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return np.full(k, np.nan), False
        beta += step
        if not np.all(np.isfinite(beta)):
            return np.full(k, np.nan), False
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            return beta, True
    return beta, False


def _separation_checks(
    data: pd.DataFrame, y: np.ndarray, caught: Iterable[warnings.WarningMessage], columns: Iterable[str]
) -> list[str]:
    """Perfect separation reported by statsmodels, and quasi-complete separation: a level of a
    categorical covariate (or one value of a 0/1 covariate) with no churners or only churners."""
    found = []
    if any("separation" in str(w.message).lower() for w in caught):
        found.append(
            "perfect separation: some covariate pattern predicts churn without error, so its odds ratio "
            "is not estimable (infinite). Merge rare levels, drop the covariate, or use penalized regression."
        )
    for col in columns:
        s = data[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes, names = s.cat.codes.to_numpy(), list(s.cat.categories)
        else:
            values = np.asarray(s, dtype=float)
            if not np.isin(values, (0.0, 1.0)).all():
                continue
            codes, names = values.astype(int), [0, 1]
        ok = codes >= 0
        sizes = np.bincount(codes[ok], minlength=len(names))
        churners = np.bincount(codes[ok], weights=y[ok], minlength=len(names))
        reference = names[0] if isinstance(s.dtype, pd.CategoricalDtype) else None
        for level, size, k in zip(names, sizes, churners):
            if size and (k == 0 or k == size):
                what = "no churners" if k == 0 else "only churners"
                hint = (
                    f" It is the reference level, so every {col} odds ratio is compared with it: pass "
                    f"reference={{{col!r}: <another level>}} (or merge it)."
                    if level == reference
                    else " Merge it with a similar level or drop it."
                )
                found.append(
                    f"{col} = {level} has {what} ({size} customers): quasi-complete separation, the odds "
                    f"ratios involving this level are not estimable.{hint}"
                )
    return found


def _fit_logit_singular(model: Logit, start: np.ndarray) -> BinaryResultsWrapper:
    """A statsmodels ``Logit`` result where its own fit fails inverting a singular information
    matrix (fitted probabilities of exactly 0 or 1 under separation): the estimates where BFGS
    stops, with the pseudo-inverse of the information as covariance. Only the estimable terms
    are shown (the caller checks for separation)."""
    from scipy.optimize import minimize
    from statsmodels.base.model import LikelihoodModelResults
    from statsmodels.discrete.discrete_model import BinaryResultsWrapper, LogitResults

    with np.errstate(all="ignore"):
        if not np.all(np.isfinite(start)):
            start = minimize(
                lambda b: -model.loglike(b),
                np.zeros(model.exog.shape[1]),
                jac=lambda b: -model.score(b),
                method="L-BFGS-B",
                bounds=far_bounds(model.exog),
                options={"gtol": 1e-9, "maxiter": 2000},
            ).x
        cov = np.linalg.pinv(-np.asarray(model.hessian(start), dtype=float))
    fit = LikelihoodModelResults(model, start, normalized_cov_params=cov, scale=1.0)
    fit.mle_retvals, fit.mle_settings = {"converged": False}, {"optimizer": "bfgs"}
    return BinaryResultsWrapper(LogitResults(model, fit))


def _logit_separation(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which coefficients of a logistic regression have no finite maximum-likelihood estimate.

    The estimates are finite exactly when no direction ``b`` has ``x_i b >= 0`` for every
    churner and ``x_i b <= 0`` for every stayer with one of them strict (complete or
    quasi-complete separation; Albert & Anderson 1984), which a linear program decides
    (Konis 2007, R's ``detectseparation``). Columns are scaled to a largest value of 1 and
    repeated rows are one constraint, so designs of categories stay small.
    """
    from scipy import sparse

    scale = np.abs(X).max(axis=0)
    scale[scale == 0] = 1.0
    signed = np.where(y > 0.5, 1.0, -1.0)[:, None] * (X / scale)
    return unbounded_coordinates(sparse.csr_matrix(-np.unique(signed, axis=0)), signed.sum(axis=0), range(X.shape[1]))


def churn_model(
    customers: pd.DataFrame,
    formula: str | None = None,
    covariates: str | Iterable[str] | None = None,
    cv: int = 5,
    seed: int = 0,
    *,
    event: str = "churned",
    reference: dict | None = None,
    tenure: str = "tenure_months",
    revenue: str = "monthly_revenue",
    alpha: float = 0.05,
    padjust: str = "holm",
    max_levels: int = 50,
    max_missing: float = 0.2,
    lump: bool | None = True,
) -> ChurnModel:
    """Logistic regression of churn with the checks that keep it honest.

    Each check that fails issues a warning (see Warns), all of them
    :class:`~cxkit.errors.ChurnWarning` and :class:`~cxkit.errors.ModelWarning` subclasses (one
    filter quiets them), and the messages stay in ``.warnings``.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with the event column (boolean or 0/1) and covariates.
    formula : str, optional
        A patsy formula such as ``"churned ~ tenure_months + C(segment, Treatment('SMB'))"``,
        fitted exactly as written (its left-hand side is the event).
    covariates : list of str, optional
        Columns to model instead of a formula. Numbers and booleans enter as they are; text
        columns as categories with the most frequent level as reference (see the module notes).
        With neither ``formula`` nor ``covariates``, every usable column: identifiers, names,
        e-mails, phones, dates, columns named like churn, text with more than ``max_levels``
        levels and columns missing for more than ``max_missing`` of customers are left out
        (each one is listed in ``.notes``).
    cv : int, default 5
        Folds of the stratified cross-validation (AUC, calibration, Brier); 0 skips it.
        Between 2 and the number of customers in the rarer class (churners or stayers).
    seed : int, default 0
        Seed of the fold assignment (same seed, same folds, same numbers).
    event : str, default "churned", keyword-only
        The churn column, boolean or 0/1 (used when there is no formula).
    reference : dict, optional, keyword-only
        Reference level per categorical covariate, e.g. ``{"segment": "Consumer"}`` (with
        ``covariates`` only; in a formula write ``C(col, Treatment('level'))``).
    tenure, revenue : str, default "tenure_months", "monthly_revenue", keyword-only
        Tenure and price columns for the leakage check.
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the intervals (odds ratios and calibration).
    padjust : str, default "holm", keyword-only
        Adjustment of the p-values across the terms other than the intercept
        (``holm``, ``bonferroni``, ``fdr_bh``, ``none``, or any name :func:`cxkit.adjust_p`
        accepts).
    max_levels : int, default 50, keyword-only
        With neither ``formula`` nor ``covariates``: a text column with more distinct values
        is left out as an identifier or free text.
    max_missing : float, default 0.2, keyword-only
        With neither ``formula`` nor ``covariates``: a column missing for more than this share
        of customers is left out (naming it in ``covariates`` keeps it and drops those
        customers instead).
    lump : bool, default True, keyword-only
        Combine the rare levels of a text or categorical covariate with more than
        :data:`LUMP_MAX_LEVELS` levels into ``"other"`` before fitting (levels with fewer than
        :data:`LUMP_MIN_COUNT` customers, and those beyond the 11 most common; the reference
        level and levels a formula names stay), with a note in ``.notes``, the levels in
        ``.lumped`` and a :class:`~cxkit.errors.DataWarning`. False (or None) fits every level.

    Returns
    -------
    ChurnModel
        Displays itself as tables in a notebook; see :class:`ChurnModel` for every attribute.
        ``.summary`` has one row per term:

        - ``term``: statsmodels' name of the design column (``Intercept`` first, when the
          formula has one)
        - ``label``: the term in words, e.g. ``"contract: two_year vs monthly"``
        - ``coef``, ``se``: the log odds ratio and its standard error
        - ``z``: ``coef / se`` (Wald)
        - ``odds_ratio``: ``exp(coef)``, with ``ci_low`` / ``ci_high``, its ``1 - alpha`` Wald
          interval on the odds-ratio scale
        - ``p``: raw two-sided Wald p-value
        - ``p_adjusted``: ``p`` adjusted by ``padjust`` over the terms other than the
          intercept (NaN for the intercept)
        - ``estimable``: False for a term without a finite estimate (separation), whose
          numbers are then NaN
        - ``note``: "" or "separated: not estimable"

        Also ``.result`` (statsmodels), ``.auc`` / ``.auc_sd`` (cross-validated AUC),
        ``.cv`` (per fold), ``.calibration`` (deciles), ``.brier`` / ``.brier_baseline``,
        ``.vif``, ``.references``, ``.oof``, ``.formula``, ``.n``, ``.events``,
        ``.dropped``, ``.notes``, ``.lumped`` and ``.warnings`` (every warning below, in words).

    Warns
    -----
    DataWarning
        A covariate with more than :data:`LUMP_MAX_LEVELS` levels was lumped (``lump``); the
        message names the column and how many levels and customers became ``"other"``.
    SeparationWarning
        A term has no finite estimate (complete or quasi-complete separation, found exactly
        by a linear program), statsmodels reports perfect separation, a category level (or
        one value of a 0/1 covariate) has no churners or only churners, or the fit did not
        converge.
    EventsPerParameterWarning
        Fewer than 10 churners (or stayers, whichever is rarer) per estimated parameter.
    LeakageWarning
        A numeric covariate is explained by tenure, price and their product with R² >= 0.95
        while tenure and price are both in the model (a TotalCharges-like column), or a single
        covariate separates churners from stayers with AUC >= 0.95.
    CollinearityWarning
        A design column is an exact combination of others (it is dropped from the fit, like
        R's NA coefficients), or a variable's adjusted GVIF squared exceeds 10.

    Raises
    ------
    ValueError
        Both ``formula`` and ``covariates``, ``reference`` with a formula or naming a level
        or column that does not occur, a formula without a left-hand side or that patsy
        cannot build, a missing column, an event that is not boolean or 0/1, a date
        covariate, no customer with every column, every customer churned (or none), no usable
        covariate, ``cv`` outside 2 to the rarer class's size, or a repeated index label.
    TypeError
        ``customers`` is not a DataFrame.

    Examples
    --------
    >>> import cxkit as cx
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> model = cx.churn_model(customers, "churned ~ support_tickets + C(contract)", cv=3)
    >>> round(float(model.summary.set_index("term").loc["support_tickets", "odds_ratio"]), 2)
    1.27
    >>> 0.6 < model.auc < 0.8
    True
    """
    design = _logit_design(
        customers,
        formula,
        covariates,
        event=event,
        reference=reference,
        max_levels=max_levels,
        max_missing=max_missing,
        lump=bool(lump),
    )
    buffer = np.empty(design.X.shape, dtype=np.float32)  # the Newton steps' workspace, reused by the folds
    result, caught, suspicious = _fit_logit(design, buffer)
    separated = _logit_separation(design.X, design.y) if suspicious else np.zeros(len(design.names), dtype=bool)
    params, se = standard_errors(result.params, result.bse, separated, design.model.hessian)
    summary = effects_table(
        design.names,
        params,
        se,
        flagged=separated,
        references=design.references,
        effect="odds_ratio",
        note="separated: not estimable",
        alpha=alpha,
        padjust=padjust,
    )
    found, vif = _logit_checks(design, separated, caught, suspicious, tenure=tenure, revenue=revenue)
    oof, folds = _cross_validate(design, params, cv=cv, seed=seed, buffer=buffer)

    y = design.y
    n, events = len(y), int(y.sum())
    base = y.mean()
    return ChurnModel(
        formula=design.formula,
        summary=summary,
        result=result,
        auc=float(folds["auc"].mean()) if len(folds) else np.nan,
        auc_sd=float(folds["auc"].std(ddof=1)) if len(folds) > 1 else np.nan,
        cv=folds,
        calibration=_calibration(oof, y, alpha)
        if cv
        else pd.DataFrame(columns=["decile", "n", "predicted", "observed", "ci_low", "ci_high"]),
        brier=float(np.mean((oof - y) ** 2)) if cv else np.nan,
        brier_baseline=float(base * (1 - base)),
        vif=vif,
        n=n,
        events=events,
        dropped=design.dropped,
        alpha=alpha,
        warnings=emit(found),
        notes=design.notes,
        oof=pd.Series(oof, index=design.data.index, name="churn_probability"),
        references={k: v for k, v in design.references.items() if k in design.covariates},
        lumped=design.lumped,
        _design_info=design.design_info,
        _columns=design.covariates,
        _levels={
            c: list(design.data[c].cat.categories)
            for c in design.data.columns
            if isinstance(design.data[c].dtype, pd.CategoricalDtype)
        },
        _kept=design.names,
        _event=design.event,
    )


def _logit_design(
    customers: pd.DataFrame,
    formula: str | None,
    covariates: str | Iterable[str] | None,
    *,
    event: str,
    reference: dict | None,
    max_levels: int,
    max_missing: float,
    lump: bool = True,
) -> Design:
    """Prepare the design: the formula (from the covariates unless given), the categorical
    covariates lumped (``lump``), the model data, patsy's design matrix (through statsmodels'
    formula API) and the aliased columns left out."""
    # the model's own module, not statsmodels.api: that also imports the graphics and time-series
    # packages (about 1 s in every kernel that fits a churn model)
    from statsmodels.discrete.discrete_model import Logit

    if not isinstance(customers, pd.DataFrame):
        raise TypeError(f"churn_model expects a DataFrame of customers, got {type(customers).__name__}.")
    if not customers.index.is_unique:
        raise ValueError("the customers' index has repeated labels; pass customers.reset_index(drop=True).")
    if formula is not None and covariates is not None:
        raise ValueError("pass either formula or covariates, not both.")
    notes: list[str] = []
    if formula is None:
        require(customers, [event], argument="event")
        rhs, refs, notes = covariate_formula(
            customers,
            covariates,
            reference,
            choose=lambda: default_covariates(customers, event, max_levels=max_levels, max_missing=max_missing),
        )
        formula = f"{quote_name(event)} ~ {rhs}"
    elif reference:
        raise ValueError("reference applies to covariates; in a formula write C(col, Treatment('level')).")
    else:
        refs = {}
    if "~" not in formula:
        raise ValueError(f"the formula {formula!r} needs a left-hand side: 'churned ~ ...'.")
    lhs_cols, rhs_cols = formula_columns(formula, customers.columns)
    if len(lhs_cols) != 1:
        raise ValueError(f"the formula's left-hand side must be one churn column of the data, e.g. '{event} ~ ...'.")
    event = lhs_cols[0]
    covariates = [c for c in rhs_cols if c != event]
    lumped: dict[str, list] = {}
    if lump:  # the reference was chosen among every level: it stays, as do levels the formula names
        named = formula_levels(formula)
        fixed = {c: named | ({refs[c]} if c in refs else set()) for c in covariates}
        customers, lumped, lump_notes = lump_covariates(customers, covariates, keep=fixed, stacklevel=4)
        notes += lump_notes
    data = model_data(customers, [event] + covariates, event=event, categorical=refs)
    complete_rows(data, len(customers))
    references = reference_levels(data)
    try:
        # the rank check is ours (aliased_design, which also says which columns are redundant)
        model = Logit.from_formula(formula, data, check_rank=False, eval_env=dict(FORMULA_NAMESPACE))
    except Exception as exc:  # patsy names the failing factor; add what to do
        raise ValueError(
            f"could not build the model {formula!r}: {exc}. Columns: {', '.join(map(str, data.columns))}."
        ) from None
    design_info = model.data.model_spec  # patsy's DesignInfo
    index = model.data.row_labels
    y = np.asarray(model.endog, dtype=float)
    n, events = len(y), int(y.sum())
    dropped = len(customers) - n
    if dropped:
        notes.append(f"{dropped:,} customers left out for a missing value in a model column.")
    if events in (0, n):
        raise ValueError(
            f"every customer left in the model has {event} = {bool(events)}; there is nothing to model. "
            "Check the event coding and the missing values of the covariates."
        )
    # patsy's design is column-major; statsmodels' Hessian is several times faster row-major
    X = np.ascontiguousarray(model.exog, dtype=float)
    model.exog = model.data.exog = X
    names = list(model.exog_names)
    gram = X.T @ X
    kept, aliased = aliased_design(X, names, references, effect="odds ratio", gram=gram)
    keep = [names.index(c) for c in kept]
    gram = gram[np.ix_(keep, keep)]
    if aliased:
        X = X[:, keep]
        model = Logit(
            pd.Series(y, index=index, name=event), pd.DataFrame(X, columns=kept, index=index), check_rank=False
        )
    return Design(
        formula=formula,
        model=model,
        data=data.loc[index],
        event=event,
        covariates=covariates,
        references=references,
        names=kept,
        X=X,
        y=y,
        gram=gram,
        design_info=design_info,
        dropped=dropped,
        notes=notes,
        found=[(CollinearityWarning, aliased)] if aliased else [],
        lumped=lumped,
    )


def _fit_logit(design: Design, buffer: np.ndarray) -> tuple[BinaryResultsWrapper, list[warnings.WarningMessage], bool]:
    """Fit: Newton-Raphson in numpy first (fast on large data); statsmodels then starts at that
    optimum, confirms it in one step and computes its covariance and tests as usual.

    Returns the statsmodels result, the warnings its fit raised, and whether the fit shows the
    signs of separation (then the exact check runs): no convergence, or a fitted log-odds
    beyond :data:`SEPARATION_LOGIT`. Under separation the estimates run off to infinity and the
    fit stops at an arbitrary point (odds ratio 1e-22, CI 0 to inf, p 1.0)."""
    start, converged = _newton_logit(design.X, design.y, buffer=buffer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = design.model.fit(
                method="newton", maxiter=100, disp=0, start_params=start if np.all(np.isfinite(start)) else None
            )
        except np.linalg.LinAlgError:  # a singular information matrix: separation, or n below p
            result, converged = _fit_logit_singular(design.model, start), False
    params = result.params.to_numpy()
    with np.errstate(over="ignore", invalid="ignore"):
        reach = float(np.max(np.abs(design.X @ params))) if np.all(np.isfinite(params)) else np.inf
    suspicious = (
        not converged
        or reach > SEPARATION_LOGIT
        or any("separation" in str(w.message).lower() or "converge" in str(w.message).lower() for w in caught)
    )
    return result, list(caught), suspicious


def _logit_checks(
    design: Design, separated: np.ndarray, caught: list, suspicious: bool, *, tenure: str, revenue: str
) -> tuple[list[tuple[type, str]], pd.DataFrame]:
    """Checks: separation, too few churners (or stayers) per parameter, leakage and collinearity;
    the (warning class, message) found, in order, and the VIF table."""
    found = list(design.found)
    y, names = design.y, design.names
    if separated.any():
        terms = [term_label(k, design.references) for k, s in zip(names, separated) if s]
        found.append(
            (
                SeparationWarning,
                (
                    f"separation: {', '.join(terms)} {'has' if len(terms) == 1 else 'have'} no finite estimate (some covariate "
                    "pattern predicts churn, or staying, without error, so the estimate runs off to infinity and its "
                    "confidence interval and p-value mean nothing); shown as not estimable. Merge rare levels, drop the "
                    "covariate, or use penalized (Firth) regression."
                ),
            )
        )
    found += [
        (SeparationWarning, msg)
        for msg in _separation_checks(design.data, y, [] if suspicious else caught, design.covariates)
    ]
    if not separated.any() and any("converge" in str(w.message).lower() for w in caught):
        found.append(
            (
                SeparationWarning,
                "the fit did not converge; coefficients with very large standard errors are not trustworthy.",
            )
        )
    events, n = int(y.sum()), len(y)
    which = "churners" if events <= n - events else "stayers"
    found += [
        (EventsPerParameterWarning, msg)
        for msg in events_per_parameter(
            min(events, n - events), sum(name != "Intercept" for name in names), which=which, effect="odds ratio"
        )
    ]
    if tenure in design.covariates and revenue in design.covariates:
        found += [
            (
                LeakageWarning,
                msg + f" With {tenure} and {revenue} both in the model it adds no information of "
                "its own and makes their odds ratios unstable (or, if it was measured at the end, it leaks the "
                "outcome).",
            )
            for msg in tenure_price_leaks(design.data, design.covariates, tenure=tenure, revenue=revenue)
        ]
    found += [(LeakageWarning, msg) for msg in outcome_leaks(design.data, y, design.covariates)]
    vif, collinear = collinearity(design, effect="odds ratio")
    found += [(CollinearityWarning, msg) for msg in collinear]
    return found, vif


def _cross_validate(
    design: Design, params: np.ndarray, *, cv: int, seed: int, buffer: np.ndarray
) -> tuple[np.ndarray, pd.DataFrame]:
    """Stratified ``cv``-fold cross-validation from the full fit's estimates: the out-of-fold
    churn probability of each customer, and one row per fold (``fold``, ``n``, ``churned``,
    ``auc``, ``brier``)."""
    X, y = design.X, design.y
    events = int(y.sum())
    rarer = min(events, len(y) - events)
    oof = np.full(len(y), np.nan)
    rows = []
    if cv:
        if cv < 2 or cv > rarer:
            raise ValueError(
                f"cv={cv} folds is not possible with {rarer} {design.event} in the rarer class; use 2 to "
                f"{rarer} (or cv=0 to skip cross-validation)."
            )
        folds = _stratified_folds(y, cv, seed)
        for f in range(cv):
            test = folds == f
            # predictions need 6 digits, not 10: a looser tolerance saves an iteration per fold
            fold_params, _ = _newton_logit(X, y, weights=(~test).astype(float), start=params, buffer=buffer, tol=1e-7)
            oof[test] = expit(X[test] @ fold_params)
            rows.append(
                {
                    "fold": f + 1,
                    "n": int(test.sum()),
                    "churned": int(y[test].sum()),
                    "auc": roc_auc(y[test], oof[test]),
                    "brier": float(np.mean((oof[test] - y[test]) ** 2)),
                }
            )
    return oof, pd.DataFrame(rows, columns=["fold", "n", "churned", "auc", "brier"])


def _calibration(p: np.ndarray, y: np.ndarray, alpha: float) -> pd.DataFrame:
    decile = pd.qcut(p, 10, labels=False, duplicates="drop")
    frame = pd.DataFrame({"decile": decile + 1, "p": p, "y": y})
    out = (
        frame.groupby("decile")
        .agg(n=("y", "size"), predicted=("p", "mean"), observed=("y", "mean"), churned=("y", "sum"))
        .reset_index()
    )
    out["ci_low"], out["ci_high"] = wilson_interval(out["churned"], out["n"], alpha)
    return out[["decile", "n", "predicted", "observed", "ci_low", "ci_high"]]


# --------------------------------------------------------------------------- CX and churn


def _nps_category(score: pd.Series) -> pd.Categorical:
    values = pd.to_numeric(score, errors="coerce").astype(float).to_numpy()
    cat = np.where(values >= 9, "promoter", np.where(values >= 7, "passive", "detractor")).astype(object)
    cat[np.isnan(values)] = None
    return pd.Categorical(cat, categories=NPS_CATEGORIES[:3])


def customer_nps(
    feedback: pd.DataFrame,
    *,
    which: str = "first",
    score: str = "nps",
    customer: str = "customer_id",
    at: str = "responded_at",
    id: str = "response_id",
) -> pd.DataFrame:
    """Each customer's NPS answer: their first (default) or latest valid survey response.

    Responses without a customer, a score or a date are skipped; ties in time are broken by
    the response id (first: the smaller id; latest: the larger). See the module notes for why
    ``"first"`` is the right choice for churn and ``"latest"`` is biased.

    Parameters
    ----------
    feedback : DataFrame
        Survey responses (the canonical feedback table).
    which : {"first", "latest"}, default "first", keyword-only
        Which valid response of each customer is kept.
    score : str, default "nps", keyword-only
        The 0-10 recommendation column (numbers, or text that reads as numbers).
    customer : str, default "customer_id", keyword-only
        The customer id column.
    at : str, default "responded_at", keyword-only
        The response timestamp column that orders a customer's responses.
    id : str, default "response_id", keyword-only
        The response id column that breaks ties in time (ignored when absent).

    Returns
    -------
    DataFrame
        One row per customer with a valid response, sorted by customer id. Contains customer
        ids: for joining, never for a report.

        - ``customer_id``: the customer (named so whatever ``customer`` is)
        - ``nps``: the chosen response's score, 0-10
        - ``nps_category``: Categorical, promoter (9-10), passive (7-8) or detractor (0-6)
        - ``responded_at``: when the chosen response was given
        - ``responses``: the customer's valid responses (all of them, not only the chosen one)

    Raises
    ------
    ValueError
        ``which`` is not "first" or "latest", or a column is missing.
    TypeError
        ``feedback`` is not a DataFrame.

    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> first = cx.customer_nps(fb)
    >>> int((first["nps_category"] == "detractor").sum())  # truth.json: detractor_customers
    2667
    """
    if which not in ("first", "latest"):
        raise ValueError(f"which={which!r}; use 'first' (recommended for churn) or 'latest'.")
    require(feedback, [customer, score, at], argument="feedback column")
    cols = [customer, score, at] + ([id] if id in feedback.columns else [])
    valid = feedback[cols].dropna(subset=[customer, score, at])
    valid = valid.sort_values([customer, at] + ([id] if id in valid.columns else []), kind="stable")
    grouped = valid.groupby(customer, sort=True)
    pick = grouped.head(1) if which == "first" else grouped.tail(1)
    pick = pick.set_index(customer)
    out = pd.DataFrame(
        {
            "customer_id": pick.index.to_numpy(),
            "nps": pd.to_numeric(pick[score]).to_numpy(),
            "nps_category": _nps_category(pick[score]),
            "responded_at": pick[at].to_numpy(),
            "responses": grouped.size().reindex(pick.index).to_numpy(),
        }
    )
    return out


def _sentiment_function(sentiment):
    """A scorer ``(texts, languages) -> Series`` of scores in [-1, 1], or None for no scoring."""
    if sentiment is None or sentiment is False:
        return None
    if callable(sentiment):
        return lambda texts, languages: _as_scores(sentiment(texts), texts)
    if sentiment == "auto":
        import importlib

        # the package attribute cxkit.sentiment is the function, so import the module by name
        fn = getattr(importlib.import_module("cxkit.analysis.sentiment"), "sentiment", None)
        if not callable(fn):
            return None

        def score(texts, languages):
            codes = None if languages is None else languages.astype(object).where(languages.notna(), None).tolist()
            return _as_scores(fn(texts, codes, explain=0), texts)

        return score
    raise ValueError("sentiment must be 'auto', None or a function of a Series of texts.")


def _as_scores(scored: pd.DataFrame | pd.Series | npt.ArrayLike, texts: pd.Series) -> pd.Series:
    if isinstance(scored, pd.DataFrame):
        if "compound" not in scored.columns:
            raise ValueError("the sentiment function returned a table without a 'compound' column.")
        scored = scored["compound"]
    values = pd.to_numeric(pd.Series(np.asarray(scored), index=texts.index), errors="coerce")
    return values.astype(float)


def join_cx(
    customers: pd.DataFrame,
    feedback: pd.DataFrame | None = None,
    *,
    which: str = "first",
    reviews: pd.DataFrame | None = None,
    sentiment: str | Callable[[pd.Series], Any] | None = None,
    text: str = "comment",
) -> pd.DataFrame:
    """Customers with their survey answers: NPS category and mean comment sentiment.

    Parameters
    ----------
    customers : DataFrame
        One row per customer (``customer_id`` unique).
    feedback : DataFrame, optional
        Survey responses; without it every customer is ``"no response"``.
    which : {"first", "latest"}
        Which answer sets ``nps_category`` (see :func:`customer_nps`; use ``"first"`` for churn).
    reviews : DataFrame, optional
        Reviews with a ``customer_id`` column give ``review_sentiment`` (reviews without
        customer ids cannot be linked to customers and are ignored).
    sentiment : None, "auto" or callable
        Scores texts from -1 to 1 (a function of a Series returning scores or a table with
        ``compound``). ``"auto"`` uses :func:`cxkit.sentiment` with each comment's language;
        None (default) skips sentiment, which no churn analysis here needs.
    text : str
        The feedback comment column.

    Returns
    -------
    DataFrame
        ``customers`` (a copy) plus ``nps``, ``nps_category`` (Categorical: promoter, passive,
        detractor, no response), ``nps_responded_at``, and when scored ``comment_sentiment``
        (mean over all the customer's comments; includes comments written shortly before
        leaving, so it is descriptive, not a baseline predictor) and ``review_sentiment``.
    """
    require(customers, ["customer_id"], argument="customer id")
    if customers["customer_id"].duplicated().any():
        raise ValueError(
            "customer_id is not unique in customers; load them with cx.load_customers, which keeps the first."
        )
    out = customers.copy()
    categories = pd.CategoricalDtype(NPS_CATEGORIES)
    if feedback is None:
        out["nps"] = np.nan
        out["nps_category"] = pd.Categorical(["no response"] * len(out), dtype=categories)
        out["nps_responded_at"] = pd.NaT
        return out
    per = customer_nps(feedback, which=which).set_index("customer_id")
    if per.empty:  # an anonymous survey (no customer ids): nothing links, every customer "no response"
        warnings.warn(
            "no survey response carries a customer_id, so no answer can be linked to a customer: every "
            "customer is 'no response'. Add the customer id to the survey export (catalog columns: "
            "{customer_id: <its column>}) to relate NPS to churn.",
            DataWarning,
            stacklevel=2,
        )
        return join_cx(customers, None, which=which)
    ids = out["customer_id"].astype(str)
    per.index = per.index.astype(str)
    out["nps"] = ids.map(per["nps"]).astype(float).to_numpy()
    category = ids.map(per["nps_category"].astype(object)).fillna("no response")
    out["nps_category"] = pd.Categorical(category.to_numpy(dtype=object), dtype=categories)
    out["nps_responded_at"] = pd.to_datetime(ids.map(per["responded_at"])).to_numpy()
    fn = _sentiment_function(sentiment)
    if fn is not None and text in feedback.columns:
        comments = feedback[["customer_id", text]].dropna()
        comments = comments[comments[text].astype(str).str.strip() != ""]
        if len(comments):
            languages = feedback.loc[comments.index, "language"] if "language" in feedback.columns else None
            scores = fn(comments[text].astype(str), languages)
            mean = scores.groupby(comments["customer_id"].astype(str).to_numpy()).mean()
            out["comment_sentiment"] = ids.map(mean).to_numpy(dtype=float)
    if fn is not None and reviews is not None and "customer_id" in reviews.columns and "text" in reviews.columns:
        linked = reviews[["customer_id", "text"]].dropna()
        if len(linked):
            languages = reviews.loc[linked.index, "language"] if "language" in reviews.columns else None
            scores = fn(linked["text"].astype(str), languages)
            mean = scores.groupby(linked["customer_id"].astype(str).to_numpy()).mean()
            out["review_sentiment"] = ids.map(mean).to_numpy(dtype=float)
    return out


def churn_by_nps(
    customers: pd.DataFrame,
    *,
    event: str = "churned",
    by: str = "nps_category",
    alpha: float = 0.05,
    lump: bool | None = True,
) -> pd.DataFrame:
    """Churn rate per NPS category with Wilson confidence intervals.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with the churn flag and the group column, usually from
        :func:`join_cx` (which adds ``nps_category``). Customers with either missing are left
        out.
    event : str, default "churned", keyword-only
        The churn column, boolean or 0/1.
    by : str, default "nps_category", keyword-only
        The group column. The groups called ``"no response"`` take no part in the test.
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the intervals.
    lump : bool, default True, keyword-only
        A ``by`` column with more than :data:`LUMP_MAX_LEVELS` levels keeps its most common
        levels (at most 11, each with at least :data:`LUMP_MIN_COUNT` customers, and
        ``"no response"``) and combines the rest into ``"other"``, with a DataWarning and a
        note in ``attrs["notes"]``. False (or None): every level.

    Returns
    -------
    DataFrame
        One row per group with at least one customer (a Categorical's order, e.g. promoter,
        passive, detractor, no response; otherwise sorted; a lumped ``"other"`` last;
        ``attrs["notes"]``: the levels combined into it):

        - ``nps_category`` (the ``by`` column): the group, as text
        - ``customers``: customers in the group
        - ``churned``: churners among them
        - ``churn_rate``: ``churned / customers`` (0-1), with ``ci_low`` / ``ci_high``, its
          ``1 - alpha`` Wilson interval
        - ``chi2``, ``dof``, ``p``: Pearson's chi-square test (no continuity correction) of
          equal churn rates across the groups of respondents (``"no response"`` left out);
          the same on every row; NaN (``dof`` 0) with fewer than two groups, or without a
          churner or a stayer among them

    Raises
    ------
    ValueError
        A column is missing, or the event is not boolean or 0/1.
    TypeError
        ``customers`` is not a DataFrame.

    Examples
    --------
    >>> import cxkit as cx
    >>> sources = cx.load_catalog(cx.DEFAULT_CATALOG)
    >>> joined = cx.join_cx(sources["customers"].frame, sources["feedback"].frame)
    >>> cx.churn_by_nps(joined)[["nps_category", "customers", "churned"]].values.tolist()
    [['promoter', 4209, 676], ['passive', 2145, 347], ['detractor', 2667, 845], ['no response', 979, 207]]
    """
    require(customers, [by], argument="by")
    require(customers, [event], argument="event")
    y = model_data(customers, [event], event=event)[event].to_numpy()
    frame = pd.DataFrame(
        {
            "g": customers[by].to_numpy()
            if not isinstance(customers[by].dtype, pd.CategoricalDtype)
            else customers[by].array,
            "y": y,
        }
    ).dropna()
    notes = []
    if lump:
        frame["g"], note = lump_levels(frame["g"], keep=("no response",), name=by, unit="customers")
        if note:
            notes.append(note)
            warnings.warn(note, DataWarning, stacklevel=2)
    out = frame.groupby("g", observed=False, sort=True).agg(customers=("y", "size"), churned=("y", "sum")).reset_index()
    out = out.rename(columns={"g": by})
    out = out[out["customers"] > 0].reset_index(drop=True)
    out["churned"] = out["churned"].astype(int)
    out["churn_rate"] = out["churned"] / out["customers"]
    out["ci_low"], out["ci_high"] = wilson_interval(out["churned"], out["customers"], alpha)
    answered = out[out[by].astype(str) != "no response"]
    table_ = np.column_stack([answered["churned"], answered["customers"] - answered["churned"]])
    if len(answered) >= 2 and (table_.sum(axis=0) > 0).all():
        chi2, p, dof, _ = stats.chi2_contingency(table_, correction=False)
    else:  # fewer than two categories, or no churner (or no stayer) among them: nothing to test
        chi2, p, dof = np.nan, np.nan, 0
    out["chi2"], out["dof"], out["p"] = chi2, dof, p
    out[by] = out[by].astype(str)
    if notes:
        out = other_rows_last(out, by)
    out.attrs["notes"] = notes
    return out


def _entry_months(
    customers: pd.DataFrame, duration: str, signup: str = "signup_at", at: str = "nps_responded_at"
) -> np.ndarray | None:
    if signup not in customers.columns or at not in customers.columns:
        return None
    months: pd.Series | np.ndarray
    months = (
        (pd.to_datetime(customers[at]) - pd.to_datetime(customers[signup])).dt.total_seconds() / 86400 / DAYS_PER_MONTH
    )
    months = months.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(months).all():
        return None
    tenure = pd.to_numeric(customers[duration], errors="coerce").astype(float).to_numpy()
    return np.clip(months, 0, tenure)


def detractor_effect(
    customers: pd.DataFrame,
    *,
    adjust: str | Sequence[str] = ("tenure_months", "segment"),
    event: str = "churned",
    duration: str = "tenure_months",
    alpha: float = 0.05,
    lump: bool | None = True,
) -> pd.DataFrame:
    """Odds ratio and hazard ratio of churn for detractors against promoters, adjusted.

    Among customers who answered a survey (``nps_category`` from :func:`join_cx`):

    - **odds ratio**: logistic regression of churn on the NPS category (reference promoter)
      plus ``adjust`` (:func:`churn_model`, without cross-validation);
    - **hazard ratio**: Cox regression of time to churn on the NPS category plus ``adjust``
      other than tenure (tenure is the time axis, so the comparison is at equal tenure;
      :func:`cox_model`).
      When ``signup_at`` and the answer's date (``nps_responded_at``) are known, customers
      enter the risk set at the tenure of their answer (delayed entry): the months before
      the answer are not counted, because nobody can churn before giving the answer that
      classifies them (counting them would be immortal-time bias).

    The two models' own warnings (:class:`~cxkit.errors.ChurnWarning` and its subclasses)
    are not shown; fit them with :func:`churn_model` and :func:`cox_model` to see them.

    Parameters
    ----------
    customers : DataFrame
        One row per customer from :func:`join_cx`: ``nps_category``, the churn flag, the
        ``adjust`` columns and ``duration`` (and, for delayed entry, ``signup_at`` and
        ``nps_responded_at``).
    adjust : str or sequence of str, default ("tenure_months", "segment"), keyword-only
        Covariates both models adjust for (the Cox model leaves out ``duration``).
    event : str, default "churned", keyword-only
        The churn column, boolean or 0/1.
    duration : str, default "tenure_months", keyword-only
        Months of follow-up, the time axis of the Cox model.
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the hazard ratio's interval. The odds ratio's interval is
        always 95% (its model is fitted with :func:`churn_model`'s default ``alpha``).
    lump : bool, default True, keyword-only
        A text or categorical ``adjust`` column with more than :data:`LUMP_MAX_LEVELS` levels
        among the customers who answered keeps its most common levels (at most 11, each with
        at least :data:`LUMP_MIN_COUNT` customers) and combines the rest into ``"other"``,
        once for both models, with a DataWarning and a note in ``attrs["notes"]``. False (or
        None): every level (a free-text column of 75 levels then takes minutes).

    Returns
    -------
    DataFrame
        Two rows, the odds ratio then the hazard ratio (``attrs["notes"]``: the ``adjust``
        columns whose rare levels were combined into ``"other"``):

        - ``measure``: ``"odds ratio"`` or ``"hazard ratio"``
        - ``comparison``: ``"detractor vs promoter"``
        - ``estimate``: the adjusted ratio, with ``ci_low`` / ``ci_high``, its Wald interval
        - ``p``: raw two-sided Wald p-value of the detractor term in its model (not adjusted)
        - ``n``: customers in the model; ``churned``: churners among them
        - ``adjusted_for``: the covariates, in words (the hazard ratio adds "(tenure: time
          axis)")
        - ``delayed_entry``: whether the hazard ratio counted time at risk from the answer on

        The numbers are NaN when the model's rows have no promoter or no detractor, or when
        ``duration`` is missing (hazard ratio).

    Warns
    -----
    ChurnWarning
        Customers who answered the survey when their follow-up ended have no time at risk
        after the answer; they are left out of the hazard ratio (the odds ratio keeps them).
    DataWarning
        An ``adjust`` column was lumped (``lump``).

    Raises
    ------
    ValueError
        A column is missing (run :func:`join_cx` first), and every reason
        :func:`churn_model` or :func:`cox_model` refuses a model (e.g. no churner among the
        customers in the model).
    TypeError
        ``customers`` is not a DataFrame.

    Examples
    --------
    >>> import cxkit as cx
    >>> sources = cx.load_catalog(cx.DEFAULT_CATALOG)
    >>> joined = cx.join_cx(sources["customers"].frame, sources["feedback"].frame)
    >>> effect = cx.detractor_effect(joined)
    >>> effect[["measure", "estimate"]].round(2).values.tolist()
    [['odds ratio', 2.46], ['hazard ratio', 2.33]]
    """
    require(customers, ["nps_category", event], argument="column (run cx.join_cx first)")
    adjust = [adjust] if isinstance(adjust, str) else list(adjust or [])
    require(customers, adjust, argument="adjust")
    answered = customers[customers["nps_category"].astype(str).isin(["promoter", "passive", "detractor"])].copy()
    answered["nps_category"] = answered["nps_category"].astype(
        pd.CategoricalDtype(["promoter", "passive", "detractor"])
    )
    notes: list[str] = []
    if lump:  # once, on the customers of both models, so that both adjust for the same groups
        lumpable = [c for c in adjust if c not in ("nps_category", event, duration)]
        answered, _, notes = lump_covariates(answered, lumpable, stacklevel=3)
    term = "detractor vs promoter"
    rows = []
    empty = {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan}
    covariates = ["nps_category"] + [c for c in adjust if c != "nps_category"]
    # promoters and detractors with the churn flag and every adjustment known (the model's rows)
    complete = answered[[event] + covariates].notna().all(axis=1)
    counts = answered.loc[complete, "nps_category"].value_counts()
    enough = counts.get("promoter", 0) > 0 and counts.get("detractor", 0) > 0
    if enough:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ChurnWarning)
            logit = churn_model(answered, covariates=covariates, cv=0, event=event, lump=False)
        found = logit.summary.set_index("label")
        row = (
            found.loc[f"nps_category: {term}"]
            if f"nps_category: {term}" in found.index
            else pd.Series({"odds_ratio": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan})
        )  # aliased away
        rows.append(
            {
                "measure": "odds ratio",
                "comparison": term,
                "estimate": row["odds_ratio"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "p": row["p"],
                "n": logit.n,
                "churned": logit.events,
                "adjusted_for": ", ".join(adjust),
                "delayed_entry": False,
            }
        )
    else:
        rows.append(
            {
                "measure": "odds ratio",
                "comparison": term,
                **empty,
                "n": len(answered),
                "churned": 0,
                "adjusted_for": ", ".join(adjust),
                "delayed_entry": False,
            }
        )
    cox_cov = [c for c in covariates if c != duration]
    entry = _entry_months(answered, duration)
    if enough and duration in answered.columns:
        data = answered.assign(_entry=entry) if entry is not None else answered
        if entry is not None:
            # Answered when follow-up ended (e.g. on the day of churning): no time at risk after
            # the answer, so no contribution to the hazard ratio (R's coxph refuses such rows).
            tenure = pd.to_numeric(answered[duration], errors="coerce").astype(float).to_numpy()
            no_time = entry >= tenure
            if no_time.any():
                warnings.warn(
                    f"{int(no_time.sum()):,} customer(s) answered the survey when their follow-up ended, "
                    "with no time at risk after the answer; they are left out of the hazard ratio "
                    "(the odds ratio keeps them).",
                    ChurnWarning,
                    stacklevel=2,
                )
                data = data[~no_time]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ChurnWarning)  # the model's checks stay quiet, as for the odds ratio
            cox = cox_model(
                data,
                covariates=cox_cov,
                duration=duration,
                event=event,
                entry="_entry" if entry is not None else None,
                alpha=alpha,
                lump=False,
            )
        found = cox.summary.set_index("label")
        row = (
            found.loc[f"nps_category: {term}"]
            if f"nps_category: {term}" in found.index
            else pd.Series({"hazard_ratio": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan})
        )
        rows.append(
            {
                "measure": "hazard ratio",
                "comparison": term,
                "estimate": row["hazard_ratio"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "p": row["p"],
                "n": cox.n,
                "churned": cox.events,
                "adjusted_for": ", ".join(c for c in adjust if c != duration) + " (tenure: time axis)",
                "delayed_entry": entry is not None,
            }
        )
    else:
        rows.append(
            {
                "measure": "hazard ratio",
                "comparison": term,
                **empty,
                "n": len(answered),
                "churned": 0,
                "adjusted_for": ", ".join(adjust),
                "delayed_entry": False,
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["notes"] = notes
    return out


# --------------------------------------------------------------------------- churn rate


def _months_of_data(customers, signup, churned_at):
    dates = pd.concat([pd.to_datetime(customers[c]) for c in (signup, churned_at) if c in customers.columns])
    return dates.dropna()


def churn_rate_by_month(
    customers: pd.DataFrame, *, signup: str = "signup_at", churned_at: str = "churned_at", alpha: float = 0.05
) -> pd.DataFrame:
    """Monthly churn rate: customers who churned in the month / customers active at its start.

    Months run from the first month with a recorded churn to the last complete month of the
    data (signup and churn dates together). A customer signed up during a month is counted
    from the next month (so the few who sign up and leave within the same month are not
    counted in any month).

    Parameters
    ----------
    customers : DataFrame
        One row per customer with signup and churn dates (missing churn date: still a
        customer).
    signup : str, default "signup_at", keyword-only
        The signup date column.
    churned_at : str, default "churned_at", keyword-only
        The churn date column.
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the intervals.

    Returns
    -------
    DataFrame
        One row per month, in order; empty (with these columns) when the data has no signup
        or churn date column, or no churn date:

        - ``month``: ``YYYY-MM``
        - ``active_at_start``: customers signed up before the month began and not churned
          before it
        - ``churned``: those of them who churned during the month
        - ``churn_rate``: ``churned / active_at_start`` (0-1; NaN without active customers),
          with ``ci_low`` / ``ci_high``, its ``1 - alpha`` Wilson interval

    Examples
    --------
    >>> import cxkit as cx
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> trend = cx.churn_rate_by_month(customers)
    >>> trend["month"].iloc[[0, -1]].tolist(), int(trend["churned"].sum())
    (['2025-11', '2026-10'], 2071)
    """
    from ..periods import last_complete_month

    columns = ["month", "active_at_start", "churned", "churn_rate", "ci_low", "ci_high"]
    if signup not in customers.columns or churned_at not in customers.columns:
        return pd.DataFrame(columns=columns)
    start = pd.to_datetime(customers[signup])
    end = pd.to_datetime(customers[churned_at])
    if end.notna().sum() == 0:
        return pd.DataFrame(columns=columns)
    first = end.min().to_period("M")
    last = last_complete_month(_months_of_data(customers, signup, churned_at))
    s = start.to_numpy(dtype="datetime64[ns]")
    e = end.to_numpy(dtype="datetime64[ns]")
    rows = []
    for month in pd.period_range(first, last, freq="M"):
        m0 = np.datetime64(month.start_time, "ns")
        m1 = np.datetime64((month + 1).start_time, "ns")
        active = (s < m0) & (np.isnat(e) | (e >= m0))
        left = active & ~np.isnat(e) & (e < m1)
        rows.append({"month": str(month), "active_at_start": int(active.sum()), "churned": int(left.sum())})
    out = pd.DataFrame(rows)
    out["churn_rate"] = out["churned"] / out["active_at_start"].where(out["active_at_start"] > 0)
    out["ci_low"], out["ci_high"] = wilson_interval(out["churned"], out["active_at_start"], alpha)
    return out[columns]


def churn_headline(
    customers: pd.DataFrame,
    *,
    month: str = "",
    event: str = "churned",
    signup: str = "signup_at",
    churned_at: str = "churned_at",
    alpha: float = 0.05,
) -> dict:
    """The month's churn rate as a headline KPI for the pack's index.

    The rate of :func:`churn_rate_by_month` with its Wilson interval, the previous month's
    rate and a two-proportion z-test of the change (pooled; approximate: the two months share
    most customers, but a customer churns in at most one of them), adjusted as one test of
    the month's headline family (:data:`cxkit._stats.HEADLINE_POLICY`: Bonferroni over the
    headline KPIs). Without churn dates (e.g. the Telco data), the share of all customers who
    churned, with no previous month.

    Parameters
    ----------
    customers : DataFrame
        One row per customer.
    month : str, default "", keyword-only
        The month (``YYYY-MM``); "" (default) is the last month of :func:`churn_rate_by_month`.
        Ignored without churn dates.
    event : str, default "churned", keyword-only
        The churn column (boolean or 0/1), used only without churn dates.
    signup : str, default "signup_at", keyword-only
        The signup date column.
    churned_at : str, default "churned_at", keyword-only
        The churn date column.
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the interval, and the level of ``significant``.

    Returns
    -------
    dict
        ``value`` (churn rate, 0-1), ``ci_low``, ``ci_high`` (Wilson), ``n`` (customers active
        at the start of the month; without dates, all customers with a churn flag),
        ``previous`` (the previous month's rate), ``change`` (value - previous),
        ``change_p`` (the z-test's p-value, Bonferroni-adjusted for the headline family; it
        decides ``significant``), ``change_p_raw`` (raw), ``significant`` and ``month``
        (``YYYY-MM``). ``previous``, ``change``, ``change_p`` and ``change_p_raw`` are None,
        and ``significant`` False, for the first month and without churn dates (then
        ``month`` is None too).

    Raises
    ------
    ValueError
        ``month`` is outside the churn data, or (without churn dates) the event column is
        missing or not boolean or 0/1.

    Examples
    --------
    >>> import cxkit as cx
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> kpi = cx.churn_headline(customers, month="2026-10")
    >>> sorted(kpi)
    ['change', 'change_p', 'change_p_raw', 'ci_high', 'ci_low', 'month', 'n', 'previous', 'significant', 'value']
    """
    from ..periods import parse_month

    trend = churn_rate_by_month(customers, signup=signup, churned_at=churned_at, alpha=alpha)
    if trend.empty:
        require(customers, [event], argument="event")
        y = model_data(customers, [event], event=event)[event].dropna()
        low, high = wilson_interval(y.sum(), len(y), alpha)
        return {
            "value": float(y.mean()),
            "ci_low": float(low),
            "ci_high": float(high),
            "n": int(len(y)),
            "previous": None,
            "change": None,
            "change_p": None,
            "change_p_raw": None,
            "significant": False,
            "month": None,
        }
    wanted = str(parse_month(month)) if month else trend["month"].iloc[-1]
    if wanted not in set(trend["month"]):
        raise ValueError(
            f"month {wanted} is not in the churn data ({trend['month'].iloc[0]} to {trend['month'].iloc[-1]})."
        )
    i = int(np.flatnonzero(trend["month"].to_numpy() == wanted)[0])
    now = trend.iloc[i]
    kpi = {
        "value": float(now["churn_rate"]),
        "ci_low": float(now["ci_low"]),
        "ci_high": float(now["ci_high"]),
        "n": int(now["active_at_start"]),
        "previous": None,
        "change": None,
        "change_p": None,
        "change_p_raw": None,
        "significant": False,
        "month": wanted,
    }
    if i > 0:
        before = trend.iloc[i - 1]
        k1, n1, k0, n0 = now["churned"], now["active_at_start"], before["churned"], before["active_at_start"]
        pooled = (k1 + k0) / (n1 + n0)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        z = (k1 / n1 - k0 / n0) / se if se > 0 else 0.0
        p = float(2 * stats.norm.sf(abs(z)))
        # One test of the month's headline family (cxkit._stats.HEADLINE_POLICY).
        kpi.update(
            previous=float(before["churn_rate"]), change=float(k1 / n1 - k0 / n0), **headline_change(p, alpha=alpha)
        )
        kpi.pop("family_size")
    return kpi


def cohort_retention(
    customers: pd.DataFrame,
    *,
    signup: str = "signup_at",
    churned_at: str = "churned_at",
    since: str | None = None,
    wide: bool = False,
) -> pd.DataFrame:
    """Share of each signup-month cohort still a customer 0, 1, 2, … months after signup.

    Retention at month k is the share of the cohort not churned by the end of calendar month
    (signup month + k); cells after the last complete month of the data are left out. Cohorts
    start at ``since`` (YYYY-MM), by default the first month with a recorded churn: customers
    who signed up earlier are in the data only because they were still customers when churn
    recording began, so their cohorts would look better than they were.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with signup and churn dates (missing churn date: still a
        customer).
    signup : str, default "signup_at", keyword-only
        The signup date column.
    churned_at : str, default "churned_at", keyword-only
        The churn date column.
    since : str, optional, keyword-only
        The first cohort (``YYYY-MM``); default the first month with a recorded churn (the
        first signup month when nobody churned).
    wide : bool, default False, keyword-only
        One row per cohort and one column per month since signup, instead of the long table.

    Returns
    -------
    DataFrame
        Long (default), one row per cohort and month since signup; empty (with these
        columns) when the data has no signup or churn date column, or no signup date:

        - ``cohort``: the signup month, ``YYYY-MM``
        - ``months_since_signup``: k = 0, 1, 2, ... (up to the last complete month)
        - ``customers``: the cohort's size
        - ``active``: the cohort's customers not churned by the end of month signup + k
        - ``retention``: ``active / customers`` (0-1)

        ``wide=True``: ``cohort``, ``customers``, then ``month 0``, ``month 1``, ... holding
        ``retention`` (NaN where the month is not complete yet).

    Examples
    --------
    >>> import cxkit as cx
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> cohorts = cx.cohort_retention(customers)
    >>> cohorts["cohort"].iloc[0], int(cohorts["months_since_signup"].max())
    ('2025-11', 11)
    """
    from ..periods import last_complete_month, parse_month

    columns = ["cohort", "months_since_signup", "customers", "active", "retention"]
    if signup not in customers.columns or churned_at not in customers.columns:
        return pd.DataFrame(columns=columns)
    start = pd.to_datetime(customers[signup])
    end = pd.to_datetime(customers[churned_at])
    if start.notna().sum() == 0:
        return pd.DataFrame(columns=columns)
    last = last_complete_month(_months_of_data(customers, signup, churned_at))
    if since:
        first = parse_month(since)
    elif end.notna().any():
        first = end.min().to_period("M")
    else:
        first = start.min().to_period("M")
    cohort = start.dt.to_period("M")
    rows = []
    for c in pd.period_range(first, last, freq="M"):
        members = (cohort == c).to_numpy()
        size = int(members.sum())
        if not size:
            continue
        e = end[members].to_numpy(dtype="datetime64[ns]")
        for k in range((last - c).n + 1):
            cutoff = np.datetime64((c + k + 1).start_time, "ns")
            active = int((np.isnat(e) | (e >= cutoff)).sum())
            rows.append(
                {
                    "cohort": str(c),
                    "months_since_signup": k,
                    "customers": size,
                    "active": active,
                    "retention": active / size,
                }
            )
    out = pd.DataFrame(rows, columns=columns)
    if wide and len(out):
        pivot = out.pivot(index="cohort", columns="months_since_signup", values="retention")
        pivot.columns = [f"month {k}" for k in pivot.columns]
        sizes = out.groupby("cohort")["customers"].first()
        return pivot.reset_index().merge(sizes.rename("customers").reset_index(), on="cohort")[
            ["cohort", "customers"] + list(pivot.columns)
        ]
    return out


# --------------------------------------------------------------------------- money


def revenue_at_risk(
    model: ChurnModel,
    customers: pd.DataFrame,
    *,
    by: str | None = "segment",
    revenue: str = "monthly_revenue",
    active_only: bool = True,
    currency: str = "",
    churned_at: str = "churned_at",
    alpha: float = 0.05,
    lump: bool | None = True,
) -> pd.DataFrame:
    """Expected monthly revenue lost to churn: predicted churn probability x monthly revenue.

    The probability is the model's: the chance of churning over the period the model was fitted
    on (for the sample, the twelve-month observation window). The confidence interval is the
    delta method on the model's coefficient covariance (uncertainty of the model, with the
    revenues taken as known).

    Parameters
    ----------
    model : ChurnModel
        From :func:`churn_model`.
    customers : DataFrame
        Customers with the model's covariates and ``revenue``; those with a missing covariate
        or revenue (or a level the model has not seen) are left out.
    by : str or None, default "segment", keyword-only
        Grouping column (missing values form the group ``"(missing)"``); a final row ``all``
        sums over groups. None: the ``all`` row only.
    revenue : str, default "monthly_revenue", keyword-only
        Monthly revenue per customer.
    active_only : bool, default True, keyword-only
        Only customers who have not churned (the revenue that can still be lost).
    currency : str, default "", keyword-only
        The revenue's currency (e.g. ``"EUR"``), kept in ``attrs`` for captions and findings;
        the pack passes the catalog's ``settings.currency``.
    churned_at : str, default "churned_at", keyword-only
        Churn dates, whose span is the model's observation window (the horizon of its
        probabilities).
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the intervals.
    lump : bool, default True, keyword-only
        A ``by`` column with more than :data:`LUMP_MAX_LEVELS` levels among the customers in
        the table gets a row for each of its most common levels (at most 11, each with at least
        :data:`LUMP_MIN_COUNT` customers) and one for ``"other"``, the rest combined, with a
        DataWarning and a note in ``attrs["notes"]``. False (or None): a row for every level.

    Returns
    -------
    DataFrame
        One row per group (sorted; a lumped ``"other"`` after them), then ``all``:

        - the ``by`` column (``segment`` by default; ``group`` when ``by`` is None): the group
        - ``customers``: customers in the group with every covariate and a revenue
        - ``monthly_revenue``: their summed monthly revenue
        - ``churn_probability``: their mean predicted churn probability (0-1, over the model's
          horizon)
        - ``revenue_at_risk``: the sum of revenue x churn probability, in the revenue's
          currency per month, with ``ci_low`` / ``ci_high``, its ``1 - alpha`` delta-method
          (normal) interval
        - ``share_of_revenue``: ``revenue_at_risk / monthly_revenue`` (0-1)

        ``attrs``: ``currency``, ``caption`` (for the table, ending with the notes),
        ``horizon_months`` (the whole months the churn dates span, None without them): the
        probabilities, and so the revenue at risk, are of churning within about that many
        months; and ``notes`` (the levels of ``by`` combined into ``"other"``). Without revenue the table is empty (these
        columns) and ``attrs["note"]`` says why.

    Warns
    -----
    ChurnWarning
        The data has no revenue (``revenue`` missing or empty): nothing is computed.
    DataWarning
        The ``by`` column was lumped (``lump``).

    Raises
    ------
    ValueError
        A covariate of the model or the ``by`` column is missing.

    Examples
    --------
    >>> import cxkit as cx
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> model = cx.churn_model(customers, covariates=["tenure_months", "contract", "segment"], cv=0)
    >>> risk = cx.revenue_at_risk(model, customers)
    >>> risk["segment"].tolist()
    ['Consumer', 'Enterprise', 'SMB', 'all']
    """
    if _no_revenue(customers, revenue):
        return _without_revenue(
            revenue,
            [
                by or "group",
                "customers",
                "monthly_revenue",
                "churn_probability",
                "revenue_at_risk",
                "ci_low",
                "ci_high",
                "share_of_revenue",
            ],
        )
    rows = customers
    if active_only and model._event in customers.columns:
        churned = model_data(customers, [model._event], event=model._event)[model._event]
        rows = customers[churned.to_numpy() == 0]
    X = model.design(rows)
    r: pd.Series | np.ndarray
    r = pd.to_numeric(rows[revenue], errors="coerce").astype(float).reindex(X.index)
    ok = r.notna().to_numpy()
    X, r = X[ok], r[ok].to_numpy()
    params = model.result.params.to_numpy()
    cov = np.asarray(model.result.cov_params())
    p = expit(X.to_numpy() @ params)
    groups = [("all", np.ones(len(p), dtype=bool))]
    notes = []
    if by is not None:
        require(customers, [by], argument="by")
        labels, note = rows.loc[X.index, by].astype("string"), None
        if lump:
            labels, note = lump_levels(labels, name=by, unit="customers")
        if note:
            notes.append(note)
            warnings.warn(note, DataWarning, stacklevel=2)
        g = labels.fillna("(missing)").to_numpy(dtype=object)
        order = sorted(set(g))
        groups = [(name, g == name) for name in (other_last(order) if note else order)] + groups
    z = stats.norm.ppf(1 - alpha / 2)
    Xa = X.to_numpy()
    out = []
    for name, mask in groups:
        w = r[mask] * p[mask] * (1 - p[mask])
        grad = w @ Xa[mask]
        se = float(np.sqrt(grad @ cov @ grad))
        risk = float(np.sum(r[mask] * p[mask]))
        out.append(
            {
                by or "group": name,
                "customers": int(mask.sum()),
                "monthly_revenue": float(r[mask].sum()),
                "churn_probability": float(p[mask].mean()) if mask.any() else np.nan,
                "revenue_at_risk": risk,
                "ci_low": risk - z * se,
                "ci_high": risk + z * se,
            }
        )
    frame = pd.DataFrame(out)
    frame["share_of_revenue"] = frame["revenue_at_risk"] / frame["monthly_revenue"]
    horizon = _churn_window_months(customers, churned_at)
    frame.attrs.update(
        currency=currency,
        horizon_months=horizon,
        notes=notes,
        caption=(
            f"Monthly revenue{f' ({currency})' if currency else ''} of active customers, and the part expected to be "
            f"lost to churn{f' within {horizon} months' if horizon else ''}"
        )
        + "".join(f". {note}" for note in notes),  # the page shows the caption with the table
    )
    return frame


def _churn_window_months(customers: pd.DataFrame, churned_at: str) -> int | None:
    """Whole calendar months from the first churn date to the last (None without dates)."""
    if churned_at not in customers.columns:
        return None
    dates = pd.to_datetime(customers[churned_at], errors="coerce").dropna()
    if dates.empty:
        return None
    first, last = dates.min().to_period("M"), dates.max().to_period("M")
    return int((last - first).n + 1)


def _no_revenue(customers: pd.DataFrame, revenue: str) -> bool:
    return revenue not in customers.columns or customers[revenue].notna().sum() == 0


def _without_revenue(revenue: str, columns: list[str]) -> pd.DataFrame:
    """An empty result that says why: data without revenue (e.g. the bank churn data) still gets
    every other churn number, and the report says what it could not compute."""
    note = (
        f"Revenue at risk and lifetime value were not computed: the data has no monthly revenue "
        f"(column {revenue!r} is missing or empty). Map one in the catalog (columns: "
        f"{{{revenue}: <source column>}}) or pass revenue=<column>."
    )
    warnings.warn(note, ChurnWarning, stacklevel=3)
    frame = pd.DataFrame(columns=columns)
    frame.attrs.update(
        note=note, caption="Not computed: the data has no monthly revenue", currency="", horizon_months=None
    )
    return frame


def customer_lifetime_value(
    customers: pd.DataFrame,
    *,
    by: str | None = "segment",
    horizon_months: float = 60,
    annual_discount: float = 0.0,
    revenue: str = "monthly_revenue",
    duration: str = "tenure_months",
    event: str = "churned",
    currency: str = "",
    alpha: float = 0.05,
    lump: bool | None = True,
) -> pd.DataFrame:
    """Customer lifetime value: expected paying months within a horizon x mean monthly revenue.

    Expected months are the (optionally discounted) area under the group's Kaplan–Meier curve
    up to ``horizon_months`` (:func:`restricted_mean_survival`); the interval carries its
    standard error, with the mean revenue taken as known. Revenue is assumed flat over a
    customer's life.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with tenure, churn flag and monthly revenue.
    by : str or None, default "segment", keyword-only
        Grouping column (one row per group, sorted; customers without a group are left
        out); None: one row for everyone.
    horizon_months : float, default 60, keyword-only
        The horizon in months (60: five years).
    annual_discount : float, default 0.0, keyword-only
        Annual discount rate r: month u counts (1 + r)^(-u / 12).
    revenue : str, default "monthly_revenue", keyword-only
        Monthly revenue per customer.
    duration : str, default "tenure_months", keyword-only
        Months of follow-up.
    event : str, default "churned", keyword-only
        The churn column, boolean or 0/1.
    currency : str, default "", keyword-only
        The revenue's currency (e.g. ``"EUR"``), kept in ``attrs`` for the caption.
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the intervals.
    lump : bool, default True, keyword-only
        A ``by`` column with more than :data:`LUMP_MAX_LEVELS` levels gets a row for each of
        its most common levels (at most 11, each with at least :data:`LUMP_MIN_COUNT`
        customers) and one for ``"other"`` (last), the rest combined, with a DataWarning and a
        note in ``attrs["notes"]``. False (or None): a row for every level.

    Returns
    -------
    DataFrame
        One row per group:

        - the ``by`` column (``segment`` by default; ``group`` = ``"all"`` when ``by`` is
          None): the group
        - ``customers``: customers with tenure and churn flag in the group
        - ``expected_months``: expected (discounted) paying months within the horizon, the
          restricted mean survival time
        - ``monthly_revenue``: mean monthly revenue per customer of the group (customers
          with a revenue)
        - ``clv``: ``expected_months x monthly_revenue``, in the revenue's currency, with
          ``ci_low`` / ``ci_high``: the ``1 - alpha`` interval of ``expected_months`` times
          ``monthly_revenue``
        - ``horizon_months``: the horizon, on every row
        - ``followed_to_horizon``: False when the group's longest follow-up ends before the
          horizon (the curve is then carried flat: an extrapolation)

        ``attrs``: ``currency``, a ``caption`` naming the horizon and currency (and ending with
        the notes), and ``notes`` (the levels of ``by`` combined into ``"other"``). Without revenue the table is empty
        (these columns) and ``attrs["note"]`` says why.

    Warns
    -----
    ChurnWarning
        The data has no revenue (``revenue`` missing or empty): nothing is computed.
    DataWarning
        The ``by`` column was lumped (``lump``).

    Raises
    ------
    ValueError
        ``horizon_months`` is not positive, a column is missing, a duration is negative or
        not a number, or the event is not boolean or 0/1.

    Examples
    --------
    >>> import cxkit as cx
    >>> customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    >>> clv = cx.customer_lifetime_value(customers, horizon_months=36)
    >>> clv["segment"].tolist()
    ['Consumer', 'Enterprise', 'SMB']
    """
    if _no_revenue(customers, revenue):
        return _without_revenue(
            revenue,
            [
                by or "group",
                "customers",
                "expected_months",
                "monthly_revenue",
                "clv",
                "ci_low",
                "ci_high",
                "horizon_months",
                "followed_to_horizon",
            ],
        )
    notes = []
    if by is not None and lump:  # once, so that the months and the revenue are of the same groups
        require(customers, [by], argument="by")
        lumped, note = lump_levels(customers[by], name=by, unit="customers")
        if note:
            customers = customers.assign(**{by: lumped})
            notes.append(note)
            warnings.warn(note, DataWarning, stacklevel=2)
    rm = restricted_mean_survival(
        customers,
        horizon=horizon_months,
        by=by,
        duration=duration,
        event=event,
        annual_discount=annual_discount,
        alpha=alpha,
        lump=False,
    )
    money = pd.to_numeric(customers[revenue], errors="coerce").astype(float)
    if by is None:
        mean_revenue = pd.Series([money.mean()])
    else:
        by_group = money.groupby(customers[by].astype("string")).mean()
        mean_revenue = by_group.reindex(rm[by].astype("string")).reset_index(drop=True)
    out = pd.DataFrame(
        {
            by or "group": rm[by] if by else ["all"],
            "customers": rm["customers"],
            "expected_months": rm["rmst"],
            "monthly_revenue": mean_revenue.to_numpy(dtype=float),
        }
    )
    out["clv"] = out["expected_months"] * out["monthly_revenue"]
    out["ci_low"] = rm["ci_low"] * out["monthly_revenue"]
    out["ci_high"] = rm["ci_high"] * out["monthly_revenue"]
    out["horizon_months"] = float(horizon_months)
    out["followed_to_horizon"] = rm["followed_to_horizon"]
    years = f"{horizon_months / 12:g}-year" if horizon_months % 12 == 0 else f"{horizon_months:g}-month"
    if notes and by is not None:
        out = other_rows_last(out, by)
    out.attrs.update(
        currency=currency,
        notes=notes,
        caption=f"{years.capitalize()} customer lifetime value"
        f"{f' ({currency})' if currency else ''}: expected paying months times mean monthly revenue"
        + "".join(f". {note}" for note in notes),  # the page shows the caption with the table
    )
    return out


# --------------------------------------------------------------------------- reasons

#: Keyword themes for churn reasons in English, Danish, Norwegian and Swedish. Each pattern is a
#: case-insensitive regular expression matched at a word start; a comment can mention several
#: themes. A deliberately small dictionary of common CX vocabulary: pass ``themes=`` to use your
#: own (or the themes of :mod:`cxkit.analysis.sentiment` when they fit).
CHURN_THEMES: dict[str, list[str]] = {
    "price": [
        r"pric",
        r"expensive",
        r"cheap",
        r"value for money",
        r"worth",
        r"money",
        r"cost",
        r"pris",
        r"dyr",
        r"billig",
        r"penge",
        r"pengar",
        r"verd",
        r"värd",
        r"kost",
    ],
    "billing": [
        r"invoice",
        r"bill",
        r"charged",
        r"refund",
        r"payment",
        r"faktur",
        r"regning",
        r"trukket",
        r"belast",
        r"debiter",
        r"betalingsopl",
        r"betalingsinf",
        r"betalningsupp",
    ],
    "delivery": [
        r"deliver",
        r"shipping",
        r"parcel",
        r"package",
        r"tracking",
        r"arrived",
        r"lever",
        r"pakke",
        r"paket",
        r"sporing",
        r"spårning",
        r"forsendelse",
        r"frakt",
    ],
    "support": [
        r"support",
        r"customer service",
        r"called",
        r"kundeservice",
        r"kundtjänst",
        r"kundservice",
        r"ringet",
        r"ringt",
        r"hotline",
    ],
    "product quality": [
        r"quality",
        r"stopped working",
        r"broke",
        r"defect",
        r"faulty",
        r"kvalitet",
        r"virke",
        r"slutade fungera",
        r"gik i stykker",
        r"ødelagt",
        r"trasig",
    ],
    "ease of use": [
        r"set up",
        r"setup",
        r"setting up",
        r"complicated",
        r"intuitive",
        r"instructions",
        r"confusing",
        r"opsætning",
        r"oppsett",
        r"installation",
        r"besværlig",
        r"komplisert",
        r"krånglig",
        r"vejledning",
        r"bruksanvisning",
        r"instruktion",
        r"forvirr",
        r"förvirr",
    ],
    "staff": [
        r"staff",
        r"employee",
        r"rude",
        r"shop assistant",
        r"personal",
        r"ansatte",
        r"butik",
        r"ekspedient",
        r"expedit",
    ],
    "app and website": [
        r"app\b",
        r"apps\b",
        r"appen",
        r"website",
        r"web site",
        r"login",
        r"log in",
        r"hjemmeside",
        r"nettside",
        r"webbplats",
        r"crash",
        r"krasj",
        r"krasch",
    ],
}


def _theme_matcher(themes: dict) -> dict:
    return {name: re.compile(r"\b(?:" + "|".join(patterns) + ")", re.IGNORECASE) for name, patterns in themes.items()}


def churn_reasons(
    customers: pd.DataFrame,
    feedback: pd.DataFrame | None,
    *,
    themes: dict | None = None,
    text: str = "comment",
    event: str = "churned",
    alpha: float = 0.05,
    padjust: str = "holm",
) -> pd.DataFrame:
    """Themes in churned customers' last comments, against active customers' last comments.

    Each customer's last non-empty comment (latest ``responded_at``) is matched against the
    keyword ``themes`` (default :data:`CHURN_THEMES`). For churners that comment is their last
    word before leaving (an exit-survey answer works the same way: load it as feedback).
    Comments of customers not in ``customers`` (or without a churn flag) are left out.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with ``customer_id`` and the churn flag.
    feedback : DataFrame or None
        Survey responses with ``customer_id``, ``responded_at`` and the comment column. None
        gives an empty table (these columns).
    themes : dict, optional, keyword-only
        Theme name -> list of regular expressions, each matched case-insensitively at a word
        start; a comment can mention several themes. Default :data:`CHURN_THEMES` (English,
        Danish, Norwegian, Swedish).
    text : str, default "comment", keyword-only
        The comment column of ``feedback``.
    event : str, default "churned", keyword-only
        The churn column of ``customers``, boolean or 0/1.
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the intervals.
    padjust : str, default "holm", keyword-only
        Adjustment of the p-values across the themes (any name :func:`cxkit.adjust_p`
        accepts).

    Returns
    -------
    DataFrame
        One row per theme, most mentioned by churners first (ties by name). No comment text
        and no customer id is returned.

        - ``theme``
        - ``churned_mentions``: churned customers whose last comment mentions the theme
        - ``churned_comments``: churned customers with a last comment (the same on every row)
        - ``churned_share``: ``churned_mentions / churned_comments`` (0-1), with ``ci_low`` /
          ``ci_high``, its ``1 - alpha`` Wilson interval
        - ``active_share``: the same share among active customers' last comments
        - ``ratio``: ``churned_share / active_share`` (inf when no active customer mentions it)
        - ``p``: raw two-sided p-value of Fisher's exact test of the two shares (NaN without
          comments of churned or of active customers)
        - ``p_adjusted``: ``p`` adjusted by ``padjust`` over the themes

    Raises
    ------
    ValueError
        A column is missing, or the event is not boolean or 0/1.
    TypeError
        ``customers`` or ``feedback`` is not a DataFrame.

    Examples
    --------
    >>> import cxkit as cx
    >>> sources = cx.load_catalog(cx.DEFAULT_CATALOG)
    >>> reasons = cx.churn_reasons(sources["customers"].frame, sources["feedback"].frame)
    >>> len(reasons), list(reasons.columns[:3])
    (8, ['theme', 'churned_mentions', 'churned_comments'])
    """
    columns = [
        "theme",
        "churned_mentions",
        "churned_comments",
        "churned_share",
        "ci_low",
        "ci_high",
        "active_share",
        "ratio",
        "p",
        "p_adjusted",
    ]
    if feedback is None:
        return pd.DataFrame(columns=columns)
    require(customers, ["customer_id", event], argument="customer column")
    require(feedback, ["customer_id", text, "responded_at"], argument="feedback column")
    matcher = _theme_matcher(themes or CHURN_THEMES)
    comments = feedback[["customer_id", "responded_at", text]].dropna()
    comments = comments[comments[text].astype(str).str.strip() != ""]
    comments = comments.sort_values(["customer_id", "responded_at"], kind="stable").groupby("customer_id").tail(1)
    status = pd.Series(
        model_data(customers, [event], event=event)[event].to_numpy(),
        index=customers["customer_id"].astype(str).to_numpy(),
    )
    comments = comments.assign(_churned=comments["customer_id"].astype(str).map(status)).dropna(subset=["_churned"])
    churned = comments["_churned"].to_numpy() == 1
    n1, n0 = int(churned.sum()), int((~churned).sum())
    # each distinct comment is searched once ("Too expensive" comes back again and again)
    distinct: np.ndarray | pd.Series
    codes, distinct = pd.factorize(comments[text].astype(str).to_numpy(dtype=object))
    distinct = pd.Series(distinct, dtype=object)
    rows = []
    for name, pattern in matcher.items():
        hit = distinct.str.contains(pattern).to_numpy(dtype=bool)[codes]
        k1, k0 = int((hit & churned).sum()), int((hit & ~churned).sum())
        p = stats.fisher_exact([[k1, n1 - k1], [k0, n0 - k0]])[1] if n1 and n0 else np.nan
        rows.append(
            {
                "theme": name,
                "churned_mentions": k1,
                "churned_comments": n1,
                "churned_share": k1 / n1 if n1 else np.nan,
                "active_share": k0 / n0 if n0 else np.nan,
                "p": p,
            }
        )
    out = pd.DataFrame(rows)
    out["ci_low"], out["ci_high"] = wilson_interval(out["churned_mentions"], out["churned_comments"], alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["ratio"] = out["churned_share"] / out["active_share"]
    out["p_adjusted"] = adjust_p(out["p"].to_numpy(), padjust)
    out = out.sort_values(["churned_share", "theme"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return out[columns]
