"""Comparing a score across journey stages (or any other groups).

:func:`compare_stages` answers "is CSAT (NPS, CES, ...) different between the stages of the
journey, and where?" in one call:

- per stage: n, mean, standard deviation, 95% confidence interval, median, and a compact
  letter display (stages sharing a letter do not differ significantly);
- omnibus tests: the classic one-way ANOVA and Welch's ANOVA (with omega squared) and the
  Kruskal-Wallis rank test (with epsilon squared);
- pairwise post hoc tests: Games-Howell (unequal variances), Tukey HSD (equal variances) and
  Dunn's rank test (p-values adjusted with ``padjust``), each with an effect size;
- for Likert scores (whole numbers, at most 11 levels) a proportional-odds model
  (statsmodels ``OrderedModel``): odds ratios of a higher score against the first stage.

:func:`stage_scorecard` puts NPS, CSAT, CES and sentiment by stage in one table and flags the
stage where a metric is significantly worst. The functions work on any grouping column
(``stage="touchpoint"``); journey stages are always taken in journey order. A grouping column
with more than :data:`LUMP_MAX_LEVELS` (12) levels (free text used as a category) is lumped
first, its rare levels combined into ``"other"`` (:mod:`cxkit.analysis._groups`): every pair
of groups is tested, so 100 groups would be 4,950 pairs and a minute of studentized-range
integrals.

**Survey weights** (``weights="w"``, e.g. responses raked to the customer mix): each stage's
mean, SD, median and the rank and proportional-odds fits are weighted, and every test and
interval is computed as if the stage had Kish's effective sample size (sum w)^2 / sum w^2 of
responses: the weights are rescaled within each stage to sum to it, so the frequency-weight
formulas of the unweighted tests (ANOVA, Welch, Games-Howell, Tukey, Kruskal-Wallis, Dunn) hold
at that n (Potter 1990's effective-n approach; the design effect of unequal weights, Kish 1965).
``n`` stays the responses, ``n_eff`` is shown beside it.

Examples
--------
>>> import cxkit as cx
>>> journey = cx.load_catalog(cx.DEFAULT_CATALOG)["journey"].frame
>>> result = cx.compare_stages(journey, score="csat")
>>> result.stages[["stage", "n"]].to_dict("list")["stage"]
['awareness', 'consideration', 'decision', 'retention', 'advocacy']
>>> result.lowest()["stage"], result.lowest()["significant"]
('decision', True)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from .._stats import (
    _padjust_method,
    adjust_p,
    covariance_beside_separation,
    studentized_range_isf,
    studentized_range_sf,
    unbounded_coordinates,
)
from ..display import SafeDisplay
from ..errors import DataWarning, NotEnoughDataError, SeparationWarning, SmallSampleWarning
from ._groups import (  # noqa: F401 (the lumping thresholds are importable here)
    LOWER_IS_BETTER,
    LUMP_MAX_LEVELS,
    LUMP_MIN_COUNT,
    OTHER,
    Groups,
    anova,
    check_alpha,
    check_column,
    check_frame,
    combine_levels,
    counted_median,
    group_codes,
    group_order,
    is_boolean,
    kept_weights,
    lump_levels,
    lump_note,
    mean_interval,
    numeric_scores,
    other_last,
    rare_levels,
    reduce_counts,
    score_column,
    welch_anova,
    welch_t,
)

__all__ = [
    "compare_stages",
    "StageComparison",
    "stage_scorecard",
]

#: p-value adjustments accepted by ``padjust`` (R's names too) -> statsmodels' names.

#: Likert metrics get the proportional-odds model when ``ordinal`` is left to None.
_MAX_ORDINAL_LEVELS = 11


# --------------------------------------------------------------------------- input checks


# --------------------------------------------------------------------------- statistics


def _hedges_g(mean_a, var_a, n_a, mean_b, var_b, n_b):
    """Hedges' g; NaN when neither group varies (a difference in units of a zero SD is not a size)."""
    pooled = np.sqrt(((n_a - 1) * var_a + (n_b - 1) * var_b) / (n_a + n_b - 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(pooled > 0, (mean_a - mean_b) / pooled, np.nan)
    return float(d * (1 - 3 / (4 * (n_a + n_b) - 9)))


def _cliffs_delta(a: tuple, b: tuple) -> float:
    """P(A > B) - P(A < B) (the rank-biserial correlation), from each sample's distinct
    values and their counts (:func:`distinct_counts`)."""
    ua, ca = a
    ub, cb = b
    below_or_at = np.concatenate([[0.0], np.cumsum(cb)])
    below = below_or_at[np.searchsorted(ub, ua, side="left")]
    above = below_or_at[-1] - below_or_at[np.searchsorted(ub, ua, side="right")]
    return float(np.dot(ca, below - above) / (ca.sum() * cb.sum()))


def _ranks(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Average ranks (ties share the mean rank) and the tie term sum(t^3 - t); each value
    stands for ``weights`` rows."""
    uniq, inverse = np.unique(values, return_inverse=True)
    counts = np.bincount(inverse, weights=weights, minlength=uniq.size)
    upper = np.cumsum(counts)
    mean_rank = upper - (counts - 1) / 2.0
    ties = float(np.sum(counts.astype(float) ** 3 - counts))
    return mean_rank[inverse], ties, uniq.size


def _kruskal(g: Groups, ranks: np.ndarray, ties: float) -> tuple[dict, np.ndarray]:
    big_n = g.total
    rank_sum = np.bincount(g.codes, weights=ranks * g.weights, minlength=g.k)
    h = 12.0 / (big_n * (big_n + 1)) * np.sum(rank_sum**2 / g.n) - 3 * (big_n + 1)
    correction = 1 - ties / (big_n**3 - big_n)
    h = h / correction if correction > 0 else np.nan
    p = float(stats.chi2.sf(h, g.k - 1)) if np.isfinite(h) else np.nan
    row = {
        "test": "Kruskal-Wallis",
        "stat": "H",
        "statistic": float(h),
        "df1": float(g.k - 1),
        "df2": np.nan,
        "p": p,
        "effect": "epsilon2",
        "effect_size": float(h / (big_n - 1)),
    }
    return row, rank_sum / g.n


def _studentized_p(q: float, k: int, df: float) -> float:
    if not np.isfinite(q) or not np.isfinite(df):
        return np.nan
    return float(studentized_range_sf(q, k, df))


def _studentized_crit(alpha: float, k: int, df: float) -> float:
    """Studentized-range quantile for the confidence intervals (exact to 1e-10, so a pair's
    interval excludes 0 exactly when its p-value is below alpha)."""
    return studentized_range_isf(alpha, k, df) if np.isfinite(df) else np.nan


def _pairwise(
    g: Groups, mean_rank: np.ndarray, ties: float, alpha: float, padjust: str, *, intervals: bool = True
) -> pd.DataFrame:
    k, big_n = g.k, g.total
    pairs = list(combinations(range(k), 2))
    ordered = [g.distribution(i) for i in range(k)]
    mse = float(g.ss.sum() / (big_n - k))
    tukey_crit = _studentized_crit(alpha, k, big_n - k) if intervals else np.nan
    rank_var = big_n * (big_n + 1) / 12 - ties / (12 * (big_n - 1))
    rows, dunn_p = [], []
    gh_crit: dict[float, float] = {}
    for i, j in pairs:
        base = {
            "a": g.names[i],
            "b": g.names[j],
            "n_a": int(g.n[i]),
            "n_b": int(g.n[j]),
            "mean_a": g.mean[i],
            "mean_b": g.mean[j],
        }
        diff = g.mean[i] - g.mean[j]
        g_eff = _hedges_g(g.mean[i], g.var[i], g.n[i], g.mean[j], g.var[j], g.n[j])
        # Games-Howell: Welch's t and df, studentized range p (family-wise by construction)
        t, df, se = welch_t(g.mean[i], g.var[i], g.n[i], g.mean[j], g.var[j], g.n[j])
        if intervals and np.isfinite(df) and df not in gh_crit:
            gh_crit[df] = _studentized_crit(alpha, k, df)
        half = gh_crit.get(df, np.nan) / np.sqrt(2) * se
        rows.append(
            {
                **base,
                "method": "games-howell",
                "diff": diff,
                "se": se,
                "statistic": t,
                "df": df,
                "ci_low": diff - half,
                "ci_high": diff + half,
                "p": float(2 * stats.t.sf(abs(t), df)) if np.isfinite(t) else np.nan,
                "p_adjusted": _studentized_p(abs(t) * np.sqrt(2), k, df),
                "padjust": "games-howell",
                "effect": "hedges_g",
                "effect_size": g_eff,
            }
        )
        # Tukey HSD: pooled within-group variance, df N - k
        se_t = np.sqrt(mse / 2 * (1 / g.n[i] + 1 / g.n[j]))
        q = abs(diff) / se_t if se_t > 0 else np.nan
        t_pooled = diff / (se_t * np.sqrt(2)) if se_t > 0 else np.nan
        rows.append(
            {
                **base,
                "method": "tukey",
                "diff": diff,
                "se": se_t * np.sqrt(2),
                "statistic": t_pooled,
                "df": big_n - k,
                "ci_low": diff - tukey_crit * se_t,
                "ci_high": diff + tukey_crit * se_t,
                "p": float(2 * stats.t.sf(abs(t_pooled), big_n - k)) if np.isfinite(t_pooled) else np.nan,
                "p_adjusted": _studentized_p(q, k, big_n - k),
                "padjust": "tukey",
                "effect": "hedges_g",
                "effect_size": g_eff,
            }
        )
        # Dunn (1964): mean ranks of the joint ranking, tie-corrected variance, normal p
        se_d = np.sqrt(rank_var * (1 / g.n[i] + 1 / g.n[j]))
        z = (mean_rank[i] - mean_rank[j]) / se_d if se_d > 0 else np.nan
        p = float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan
        dunn_p.append(p)
        rows.append(
            {
                **base,
                "method": "dunn",
                "diff": mean_rank[i] - mean_rank[j],
                "se": se_d,
                "statistic": z,
                "df": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p": p,
                "p_adjusted": np.nan,
                "padjust": padjust,
                "effect": "cliffs_delta",
                "effect_size": _cliffs_delta(ordered[i], ordered[j]),
            }
        )
    out = pd.DataFrame(rows)
    dunn = (out["method"] == "dunn").to_numpy()
    out.loc[dunn, "p_adjusted"] = adjust_p(dunn_p, padjust)
    out["significant"] = out["p_adjusted"] < alpha
    order = {"games-howell": 0, "tukey": 1, "dunn": 2}
    out = out.sort_values("method", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    columns = [
        "method",
        "a",
        "b",
        "n_a",
        "n_b",
        "mean_a",
        "mean_b",
        "diff",
        "se",
        "statistic",
        "df",
        "ci_low",
        "ci_high",
        "p",
        "p_adjusted",
        "padjust",
        "significant",
        "effect",
        "effect_size",
    ]
    return out[columns]


def compact_letters(names: list, means: npt.ArrayLike, significant_pairs: Iterable[tuple[Any, Any]]) -> dict:
    """Compact letter display (Piepho 2004, insert-and-absorb): groups that share a letter do
    not differ significantly. Letters are given from the highest mean down.

    >>> compact_letters(["a", "b", "c"], [3.0, 2.0, 1.0], {("a", "c")})
    {'a': 'a', 'b': 'ab', 'c': 'b'}
    """
    order = [names[i] for i in np.argsort(-np.asarray(means, dtype=float), kind="stable")]
    columns: list[set] = [set(names)]
    for a, b in significant_pairs:
        split = []
        for col in columns:
            if a in col and b in col:
                split += [col - {a}, col - {b}]
            else:
                split.append(col)
        # absorb: drop columns contained in another column
        columns = [
            c
            for i, c in enumerate(split)
            if c and not any((c < o) or (c == o and j < i) for j, o in enumerate(split) if j != i)
        ]
    rank = {name: i for i, name in enumerate(order)}
    columns.sort(key=lambda c: min(rank[x] for x in c))
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = {name: "" for name in names}
    for idx, col in enumerate(columns):
        tag = letters[idx] if idx < len(letters) else f"[{idx}]"
        for name in col:
            out[name] += tag
    return out


# --------------------------------------------------------------------------- ordinal model


def _ordinal_model(g: Groups, alpha: float) -> tuple[pd.DataFrame, dict, Any, str | None]:
    """Proportional-odds (cumulative logit) model of the score on the groups.

    The only covariate is the group, so the likelihood depends on the data only through the
    counts of each (group, score) cell: the model is fitted on those cells weighted by their
    counts, which is exactly the row-level maximum likelihood at a fraction of the cost.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class _CountedOrderedModel(OrderedModel):  # type: ignore[misc]  # statsmodels ships no types
        def __init__(self, endog, exog, counts, **kwargs):
            self.counts = np.asarray(counts, dtype=float)
            super().__init__(endog, exog, **kwargs)
            self.nobs = float(self.counts.sum())
            self.df_resid = self.nobs - (self.k_vars + self.k_extra)

        def loglike(self, params):
            return float(np.sum(self.counts * self.loglikeobs(params)))

        def score(self, params):
            """The gradient of :meth:`loglike`, written out (statsmodels differentiates numerically,
            k + 1 likelihood evaluations per step, which made fits that run far, as under
            separation, take a second)."""
            params = np.asarray(params, dtype=float)
            low, upp = self._bounds(params)
            weight = self.counts / (self.prob(low, upp) + 1e-20)  # loglikeobs' own guard
            f_low, f_upp = weight * self.pdf(low), weight * self.pdf(upp)
            grad_beta = -(np.asarray(self.exog) * (f_upp - f_low)[:, None]).sum(axis=0)
            cuts = self.k_levels - 1
            # d/d threshold m: +pdf(upper) where m is the level's upper cut, -pdf(lower) where lower
            d_cut = (
                np.bincount(self.endog, weights=f_upp, minlength=cuts + 1)[:cuts]
                - np.bincount(
                    np.maximum(self.endog - 1, 0), weights=np.where(self.endog > 0, f_low, 0.0), minlength=cuts
                )[:cuts]
            )
            # thresholds are t_0 + sum_{j <= m} exp(t_j): the chain rule sums the cuts above j
            tail = np.cumsum(d_cut[::-1])[::-1]
            raw = params[-cuts:]
            return np.concatenate([grad_beta, tail[:1], np.exp(raw[1:]) * tail[1:]])

        @property
        def start_params(self):
            freq = np.bincount(self.endog, weights=self.counts) / self.counts.sum()
            start = self.transform_reverse_threshold_params(self.distr.ppf(np.clip(freq.cumsum(), 0, 1)))
            return np.concatenate((np.zeros(self.k_vars), start))

    levels, level_code = np.unique(g.values, return_inverse=True)
    cells = g.codes * levels.size + level_code
    counts = np.bincount(cells, weights=g.weights, minlength=g.k * levels.size)
    keep = np.flatnonzero(counts)
    cell_group, cell_level = keep // levels.size, keep % levels.size
    exog = pd.DataFrame({name: (cell_group == i).astype(float) for i, name in enumerate(g.names) if i > 0})
    model = _CountedOrderedModel(levels[cell_level], exog, counts[keep], distr="logit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = model.fit(method="bfgs", disp=False, maxiter=500)
    names = list(exog.columns)
    params = np.asarray(result.params)[: len(names)].copy()
    bse = np.asarray(result.bse)[: len(names)].copy()
    separated = _ordinal_separation(cell_group, cell_level, g.k, levels.size)
    # a separated stage's log-odds has no finite maximum: the optimiser stops somewhere on the
    # way to infinity (e.g. odds ratio 3e-10, CI 0 to inf, p 0.99), which is not a result
    if separated.any() and not separated.all():
        # the other stages' estimates converge; statsmodels' numerical covariance out there is
        # unreliable (often NaN): the information from the written-out score instead
        from statsmodels.tools.numdiff import approx_fprime

        best = np.asarray(result.params, dtype=float)
        with np.errstate(all="ignore"):
            cov = covariance_beside_separation(approx_fprime(best, model.score, centered=True))
        bse = np.sqrt(np.diag(cov))[: len(names)]
    params[separated], bse[separated] = np.nan, np.nan
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(invalid="ignore", over="ignore"):
        zstat = params / bse
        table = pd.DataFrame(
            {
                "stage": names,
                "reference": g.names[0],
                "log_odds": params,
                "se": bse,
                "z": zstat,
                "p": 2 * stats.norm.sf(np.abs(zstat)),
                "odds_ratio": np.exp(params),
                "ci_low": np.exp(params - z * bse),
                "ci_high": np.exp(params + z * bse),
            }
        )
    table["significant"] = table["p"] < alpha
    table["estimable"] = ~separated
    table["note"] = np.where(separated, "separated: not estimable", "")
    # the thresholds-only model reproduces the overall score distribution exactly
    level_counts = np.bincount(level_code, weights=g.weights, minlength=levels.size)
    level_counts = level_counts[level_counts > 0]
    llnull = float(np.sum(level_counts * np.log(level_counts / level_counts.sum())))
    lr = 2 * (float(result.llf) - llnull)
    row = {
        "test": "Proportional odds",
        "stat": "LR chi2",
        "statistic": lr,
        "df1": float(len(names)),
        "df2": np.nan,
        "p": float(stats.chi2.sf(lr, len(names))),
        "effect": "mcfadden_r2",
        "effect_size": 1 - float(result.llf) / llnull if llnull < 0 else np.nan,
    }
    note = None
    if separated.any():
        # the likelihood's supremum is still finite, so the likelihood-ratio test stands
        note = _separation_note([g.names[0]] + names, separated, cell_group, cell_level, levels)
    return table, row, result, note


def _ordinal_separation(cell_group: np.ndarray, cell_level: np.ndarray, k_groups: int, k_levels: int) -> np.ndarray:
    """Which stages' log-odds (against the first stage) have no finite maximum likelihood.

    The proportional-odds model with the stage as its only covariate, P(Y <= k | stage g) =
    F(theta_k - beta_g), has a finite maximum exactly when no direction (d_theta, d_beta) with
    d_theta non-decreasing raises the likelihood without limit: each observed (stage, level)
    cell must keep ``d_theta_k - d_beta_g >= 0`` (k below the top level) and ``d_beta_g -
    d_theta_{k-1} >= 0`` (k above the bottom level), and separation means one of these can be
    positive (Albert & Anderson 1984, extended to ordinal models). A stage whose scores all sit
    at the top (bottom) level, or stages whose scores meet the reference's at one level at
    most, are such directions. The linear programs run on the observed cells only, so they are
    instant. Returns a boolean per non-reference stage.
    """
    from scipy import sparse

    n_theta, n_beta = k_levels - 1, k_groups - 1
    if n_theta < 1 or n_beta < 1:
        return np.zeros(max(n_beta, 0), dtype=bool)
    rows, objective = [], np.zeros(n_theta + n_beta)

    def slack(plus: int | None, minus: int | None) -> None:  # x[plus] - x[minus] >= 0 (None: a zero)
        row = np.zeros(n_theta + n_beta)
        if plus is not None:
            row[plus] += 1.0
        if minus is not None:
            row[minus] -= 1.0
        rows.append(-row)  # linprog's form: -(x[plus] - x[minus]) <= 0
        objective[:] += row

    for grp, lev in sorted(set(zip(cell_group.tolist(), cell_level.tolist()))):
        beta = None if grp == 0 else n_theta + grp - 1
        if lev < n_theta:
            slack(lev, beta)
        if lev > 0:
            slack(beta, lev - 1)
    for k in range(n_theta - 1):  # thresholds stay ordered
        row = np.zeros(n_theta + n_beta)
        row[k], row[k + 1] = 1.0, -1.0
        rows.append(row)
    return unbounded_coordinates(
        sparse.csr_matrix(np.array(rows)), objective, range(n_theta, n_theta + n_beta), tol=1e-9
    )


def _separation_note(
    names: list, separated: np.ndarray, cell_group: np.ndarray, cell_level: np.ndarray, levels: np.ndarray
) -> str:
    """Which stages are separated and how (all scores at one end, or no overlap), in words."""
    reasons = []
    flagged = set((np.flatnonzero(separated) + 1).tolist())
    rest = cell_level[~np.isin(cell_group, list(flagged))]
    for i in sorted(flagged):
        seen = np.unique(cell_level[cell_group == i])
        span = f"{levels[seen.min()]:g}" + (f" to {levels[seen.max()]:g}" if len(seen) > 1 else "")
        if len(seen) == 1 and seen[0] in (0, len(levels) - 1):
            end = "highest" if seen[0] == len(levels) - 1 else "lowest"
            reasons.append(f"every {names[i]} score is the {end} one ({span})")
        elif rest.size and seen.min() >= rest.max():
            reasons.append(
                f"every {names[i]} score ({span}) is at or above the highest score of the other stages "
                f"({levels[rest.max()]:g})"
            )
        elif rest.size and seen.max() <= rest.min():
            reasons.append(
                f"every {names[i]} score ({span}) is at or below the lowest score of the other stages "
                f"({levels[rest.min()]:g})"
            )
        else:
            reasons.append(f"the {names[i]} scores ({span}) and the other stages' are split by a cut of the scale")
    stages = ", ".join(str(names[i + 1]) for i in np.flatnonzero(separated))
    return (
        f"proportional-odds model: {stages} separated ({'; '.join(reasons)}), so the odds ratio against "
        f"{names[0]} is not estimable (it is infinite or zero; the fit stops at an arbitrary value). It is "
        f"shown as not estimable; the likelihood-ratio test still holds. Merge the stage with a similar one, "
        f"or compare it with the rank tests (Kruskal-Wallis, Dunn)."
    )


# --------------------------------------------------------------------------- the result


@dataclass
class StageComparison(SafeDisplay):
    """The result of :func:`compare_stages`: four tidy tables and a few helpers.

    Attributes
    ----------
    stages : DataFrame
        One row per stage, in stage order: ``stage, n, mean, sd, se, ci_low, ci_high,
        median, letters`` (stages sharing a letter do not differ significantly by
        Games-Howell at ``alpha``).
    omnibus : DataFrame
        One row per test: ``test, stat, statistic, df1, df2, p, significant, effect,
        effect_size`` (ANOVA and Welch ANOVA with omega squared, Kruskal-Wallis with epsilon
        squared, and the proportional-odds likelihood-ratio test with McFadden's R^2).
    pairwise : DataFrame
        One row per method and pair of stages (``a`` before ``b`` in stage order):
        ``method, a, b, n_a, n_b, mean_a, mean_b, diff, se, statistic, df, ci_low, ci_high,
        p, p_adjusted, padjust, significant, effect, effect_size``. ``diff`` is
        ``mean_a - mean_b`` (Dunn: the difference of mean ranks); Games-Howell and Tukey
        p-values are family-wise by the studentized range, Dunn's are adjusted with
        ``padjust``; effect sizes are Hedges' g (Games-Howell, Tukey) and Cliff's delta
        (Dunn).
    ordinal : DataFrame or None
        Proportional-odds model: ``stage, reference, log_odds, se, z, p, odds_ratio, ci_low,
        ci_high, significant, estimable, note`` (odds of a higher score than at the reference
        stage); None when the metric is not a Likert score. A stage separated from the
        reference (e.g. every score at the top of the scale) has no finite odds ratio:
        ``estimable`` is False, ``note`` says "separated: not estimable" and the numbers are
        NaN (a warning and ``notes`` say why).
    ordinal_result : statsmodels results or None
        The fitted ``OrderedModel`` (thresholds, log-likelihood, ...).
    weights : str or None
        The survey-weight column the comparison is weighted by (``stages`` then has
        ``n_eff``, Kish's effective sample size, after ``n``); None unweighted.
    notes : list of str
        What the comparison left out or changed: stages with too few scores, separation, and
        the levels of a lumped grouping column combined into ``"other"``.
    """

    score: str
    stage: str
    alpha: float
    padjust: str
    stages: pd.DataFrame
    omnibus: pd.DataFrame
    pairwise: pd.DataFrame
    ordinal: pd.DataFrame | None = None
    ordinal_result: object = None
    notes: list = field(default_factory=list)
    weights: str | None = None

    @property
    def metric(self) -> str:
        """The scored column (``score``), by the name ``DESIGN.md``'s contract uses."""
        return self.score

    def pairs(self, method: str = "games-howell", *, significant_only: bool = False) -> pd.DataFrame:
        """The pairwise rows of one method (``games-howell``, ``tukey`` or ``dunn``)."""
        if method not in set(self.pairwise["method"]):
            raise ValueError(f"method must be one of games-howell, tukey, dunn, not {method!r}.")
        out = self.pairwise[self.pairwise["method"] == method]
        if significant_only:
            out = out[out["significant"]]
        return out.reset_index(drop=True)

    def test(self, name: str = "Welch ANOVA") -> dict:
        """One omnibus row as a dict (``"ANOVA"``, ``"Welch ANOVA"``, ``"Kruskal-Wallis"``,
        ``"Proportional odds"``)."""
        rows = self.omnibus[self.omnibus["test"] == name]
        if rows.empty:
            raise ValueError(f"no omnibus test {name!r}; tests: {', '.join(self.omnibus['test'])}.")
        return rows.iloc[0].to_dict()

    def lowest(self, *, higher_is_better: bool | None = None, method: str = "games-howell") -> dict:
        """The worst stage (lowest mean; highest for metrics where lower is better) and
        whether it is significantly worse than every other stage (``method``'s adjusted p <
        alpha for each pair). ``p_max`` is the largest of those adjusted p-values.
        """
        if higher_is_better is None:
            higher_is_better = self.score.lower() not in LOWER_IS_BETTER
        s = self.stages
        # the stages table has a RangeIndex
        idx = int(cast(int, s["mean"].idxmin() if higher_is_better else s["mean"].idxmax()))
        name = s.loc[idx, "stage"]
        pairs = self.pairs(method)
        mine = pairs[(pairs["a"] == name) | (pairs["b"] == name)]
        p_max = float(mine["p_adjusted"].max()) if len(mine) else np.nan
        return {
            "stage": name,
            "mean": float(cast(float, s.loc[idx, "mean"])),
            "ci_low": float(cast(float, s.loc[idx, "ci_low"])),
            "ci_high": float(cast(float, s.loc[idx, "ci_high"])),
            "n": int(cast(int, s.loc[idx, "n"])),
            "significant": bool(len(mine) > 0 and p_max < self.alpha),
            "p_max": p_max,
            "method": method,
            "higher_is_better": higher_is_better,
        }

    def _repr_html_(self) -> str:
        from ..display import table

        parts = [
            table(self.stages, caption=f"{self.score} by {self.stage}", digits=3),
            table(self.omnibus, caption="Omnibus tests", digits=4),
            table(self.pairs("games-howell"), caption=f"Games-Howell pairs (alpha {self.alpha})", digits=4),
        ]
        if self.ordinal is not None:
            parts.append(table(self.ordinal, caption="Proportional-odds model", digits=3))
        return "".join(p._repr_html_() for p in parts)

    def __repr__(self) -> str:
        return (
            f"StageComparison(score={self.score!r}, stage={self.stage!r}, "
            f"groups={len(self.stages)}, n={int(self.stages['n'].sum())})\n"
            f"{self.stages.to_string(index=False)}\n\n{self.omnibus.to_string(index=False)}"
        )


# --------------------------------------------------------------------------- the API


def compare_stages(
    df: pd.DataFrame,
    *,
    score: str | None = None,
    stage: str = "journey_stage",
    alpha: float = 0.05,
    padjust: str = "holm",
    ordinal: bool | None = None,
    stages: list | None = None,
    metric: str | None = None,
    lump: bool | None = True,
    weights: str | None = None,
) -> StageComparison:
    """Compare a score between journey stages: per-stage CIs, omnibus and post hoc tests.

    Parameters
    ----------
    df : DataFrame or Dask DataFrame
        One row per response or event (a canonical feedback or journey table). A Dask
        DataFrame is reduced to counts per (stage, score) on the connected cluster
        (:func:`cxkit.connect`); the results are the same.
    score : str, default "csat"
        The numeric score column (booleans count as 0/1). Rows where it is missing are left out.
    stage : str, default "journey_stage"
        The grouping column. Journey stages are reported in journey order; any other column
        works too (``stage="touchpoint"``), in its categorical or sorted order.
    alpha : float, default 0.05
        Significance level of the tests and ``1 - alpha`` confidence intervals.
    padjust : str, default "holm"
        Adjustment of Dunn's p-values: holm, bonferroni, sidak, hochberg, hommel, fdr_bh
        (BH), fdr_by (BY) or none. Games-Howell and Tukey p-values are already family-wise.
    ordinal : bool, optional
        Fit the proportional-odds model. Default: when the metric holds whole numbers with
        at most 11 distinct values (a Likert score such as CSAT, CES or NPS).
    stages : list, optional
        Stages to compare, in this order (default: all present).
    metric : str, optional
        Another name for ``score`` (the one ``DESIGN.md``'s contract uses).
    lump : bool, default True
        Without ``stages``, a grouping column with more than :data:`LUMP_MAX_LEVELS` levels
        among the scored rows keeps its most common levels (at most 11, each with at least
        :data:`LUMP_MIN_COUNT` scores) and combines the rest into one group ``"other"``
        (compared last), with a DataWarning and a note in ``.notes``. False (or None), or
        ``stages`` given: every level.
    weights : str, optional
        A column of survey weights (>= 0; a pandas table only): weighted means and
        distributions, tests and intervals at each stage's Kish effective sample size (see the
        module notes); ``.stages`` gains ``n_eff``. Rows without a weight are refused.

    Returns
    -------
    StageComparison
        ``.stages``, ``.omnibus``, ``.pairwise`` and ``.ordinal`` tidy DataFrames (columns in
        :class:`StageComparison`) and ``.lowest()``; renders itself in notebooks.

    Raises
    ------
    ValueError
        A column is missing, not numeric or infinite, ``alpha``/``padjust`` is invalid, fewer
        than two stages have at least two scores, or the scores vary within no stage.

    Warns
    -----
    SmallSampleWarning
        A stage with fewer than two scores is left out; a stage with fewer than 30 has a wide CI.
    SeparationWarning
        A stage separated in the proportional-odds model (its odds ratio is not estimable).
    DataWarning
        The grouping column was lumped (``lump``).

    Examples
    --------
    >>> import cxkit as cx
    >>> feedback = cx.load_catalog(cx.DEFAULT_CATALOG)["feedback"].frame
    >>> res = cx.compare_stages(feedback, score="csat", stage="journey_stage")
    >>> res.test("Kruskal-Wallis")["p"] < 0.001
    True
    >>> res.pairs("games-howell", significant_only=True)[["a", "b"]].head(2).values.tolist()
    [['awareness', 'consideration'], ['awareness', 'decision']]
    >>> round(float(res.ordinal.set_index("stage").loc["decision", "odds_ratio"]), 2)
    0.33
    """
    return _compare_stages(
        df,
        metric=score_column(score, metric, "compare_stages"),
        stage=stage,
        alpha=alpha,
        padjust=padjust,
        ordinal=ordinal,
        stages=stages,
        lump=bool(lump),
        survey_weights=weights,
    )


def _survey_weights(df: pd.DataFrame, column: str | None, func: str) -> np.ndarray | None:
    """The survey-weight column as floats (None without one), checked: a pandas table, the
    column present, numeric, given and >= 0 on every row."""
    if column is None:
        return None
    if not isinstance(df, pd.DataFrame):
        raise ValueError(
            f"{func}: weights= needs a pandas table (survey weights do not reduce to counts); compute() the "
            "responses first."
        )
    if column not in df.columns:
        raise ValueError(
            f"{func}: weights column {column!r} not found (columns: {list(df.columns)[:30]}); pass weights= with "
            "the column of survey weights."
        )
    w = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(w) | (w < 0))
    if bad.size:
        raise ValueError(
            f"{func}: weights column {column!r} has {bad.size:,} row(s) without a weight >= 0 (first at row "
            f"{df.index[bad[0]]!r}: {df[column].iloc[bad[0]]!r}); give every response a weight, or leave them out."
        )
    return w


def _lump_stages(
    groups: pd.Series, values: np.ndarray, weights: np.ndarray | None, *, stage: str, metric: str
) -> tuple[pd.Series, str | None]:
    """The grouping column lumped to at most :data:`LUMP_MAX_LEVELS` levels, counted over the rows
    with a score (the rows compared; levels without any score go to ``"other"`` too), and the
    note saying so (None when nothing was combined)."""
    scored = groups.where(~np.isnan(values))
    rare = rare_levels(scored, weights=weights)
    if not rare:
        return groups, None
    w = np.ones(len(groups)) if weights is None else weights
    counts = pd.Series(w, index=groups.index).groupby(scored, observed=True, sort=False).sum()
    unscored = [level for level in pd.unique(groups.dropna()) if level not in counts.index]
    note = lump_note(stage, [*counts[rare].to_list(), *[0.0] * len(unscored)], unit=f"{metric} scores")
    return combine_levels(groups, [*rare, *unscored]), note


def _compare_stages(
    df: pd.DataFrame,
    *,
    metric: str,
    stage: str,
    alpha: float,
    padjust: str,
    ordinal: bool | None,
    stages: list | None,
    intervals: bool = True,
    lump: bool = True,
    survey_weights: str | None = None,
) -> StageComparison:
    """:func:`compare_stages`; ``intervals=False`` leaves the pairwise confidence intervals
    out (NaN), for callers that use only the tests (the scorecard)."""
    func = "compare_stages"
    check_frame(df, func)
    check_column(df, metric, "score", func)
    check_column(df, stage, "stage", func)
    check_alpha(alpha)
    _padjust_method(padjust)
    surveyed = _survey_weights(df, survey_weights, func)
    df, weights = reduce_counts(df, [stage, metric])
    if surveyed is not None:
        weights = surveyed
    values = numeric_scores(df[metric], metric, func)
    groups, lumped = df[stage], None
    if lump and stages is None:
        groups, lumped = _lump_stages(
            groups, values, None if surveyed is not None else weights, stage=stage, metric=metric
        )
    order = group_order(groups, stages)
    if lumped:
        order = other_last(order)
    codes = group_codes(groups, order)
    keep = (codes >= 0) & ~np.isnan(values)
    values, codes, weights = values[keep], codes[keep], kept_weights(weights, keep)
    if weights is None:
        weights = np.ones(len(values))
    notes: list[str] = []
    if lumped:
        warnings.warn(f"compare_stages: {lumped}", DataWarning, stacklevel=3)
        notes.append(lumped)

    # responses per stage (survey weights are not counts)
    counts = np.bincount(codes, weights=None if surveyed is not None else weights, minlength=len(order))
    tiny = [order[i] for i in range(len(order)) if counts[i] < 2]
    if tiny:
        warnings.warn(
            f"compare_stages: {stage} {tiny} have fewer than two {metric} scores and are left out.",
            SmallSampleWarning,
            stacklevel=2,
        )
        notes.append(f"left out (fewer than two scores): {', '.join(map(str, tiny))}")
        kept = [i for i in range(len(order)) if counts[i] >= 2]
        remap = np.full(len(order), -1)
        remap[kept] = np.arange(len(kept))
        codes = remap[codes]
        values, codes, weights = values[codes >= 0], codes[codes >= 0], weights[codes >= 0]
        order = [order[i] for i in kept]
    if len(order) < 2:
        raise NotEnoughDataError(
            f"compare_stages needs at least two {stage} values with two or more {metric} "
            f"scores each; found {len(order)}. Check the filter or pass another stage column."
        )
    responses = np.bincount(codes, minlength=len(order))
    n_eff = None
    if surveyed is not None:
        # each stage's weights rescaled to sum to its Kish effective n: the weighted means stay,
        # and the frequency-weight formulas of every test below hold at that n
        total = np.bincount(codes, weights=weights, minlength=len(order))
        n_eff = total**2 / np.bincount(codes, weights=weights * weights, minlength=len(order))
        weights = weights * (n_eff / total)[codes]
        notes.append(
            f"weighted by {survey_weights!r}: tests and intervals at each stage's effective sample size "
            f"({', '.join(f'{order[i]} {n_eff[i]:.0f} of {responses[i]}' for i in range(len(order)))})"
        )
    small = [order[i] for i, c in enumerate(np.bincount(codes, weights=weights, minlength=len(order))) if c < 30]
    if small:
        warnings.warn(
            f"compare_stages: {stage} {small} have fewer than 30 {metric} scores; their confidence intervals are wide.",
            SmallSampleWarning,
            stacklevel=2,
        )
        notes.append(f"fewer than 30 scores: {', '.join(map(str, small))}")

    g = Groups.from_arrays(order, values, codes, weights)
    if not np.any(g.ss > 0):
        shown = ", ".join(f"{name}: {mean:g}" for name, mean in list(zip(order, g.mean))[:10])
        raise NotEnoughDataError(
            f"compare_stages: the {metric} scores do not vary within any {stage} (each has a single value: "
            f"{shown}), so the tests, which weigh the differences between {stage}s against the variation "
            f"within them, are undefined. Check that {metric!r} holds one score per response and not a "
            f"value per {stage}; to report the values themselves, use df.groupby({stage!r})[{metric!r}].first()."
        )
    ranks, ties, n_levels = _ranks(values, weights)
    kruskal_row, mean_rank = _kruskal(g, ranks, ties)
    rows = [anova(g), welch_anova(g), kruskal_row]
    pairwise = _pairwise(g, mean_rank, ties, alpha, padjust, intervals=intervals)
    if n_eff is not None:  # the pairs' n are the responses, as in the stages table
        count = dict(zip(order, responses.tolist()))
        pairwise["n_a"], pairwise["n_b"] = pairwise["a"].map(count), pairwise["b"].map(count)

    if ordinal is None:
        ordinal = bool(n_levels <= _MAX_ORDINAL_LEVELS and n_levels > 2 and np.all(values == np.round(values)))
    ordinal_table = ordinal_result = None
    if ordinal:
        if n_levels < 2:
            notes.append("proportional-odds model skipped: the metric has one value")
        else:
            ordinal_table, ordinal_row, ordinal_result, separation = _ordinal_model(g, alpha)
            rows.append(ordinal_row)
            if separation:
                warnings.warn(f"compare_stages: {separation}", SeparationWarning, stacklevel=2)
                notes.append(separation)
    omnibus = pd.DataFrame(rows)
    omnibus["significant"] = omnibus["p"] < alpha
    omnibus = omnibus[["test", "stat", "statistic", "df1", "df2", "p", "significant", "effect", "effect_size"]]
    if not np.isfinite(cast(float, omnibus.loc[1, "statistic"])):
        notes.append("Welch ANOVA undefined: a stage has no variance")

    se = np.sqrt(g.var / g.n)
    ci_low, ci_high = mean_interval(g, alpha, binary=is_boolean(df[metric]))
    medians = np.array([counted_median(*g.distribution(i)) for i in range(g.k)])
    gh = pairwise[pairwise["method"] == "games-howell"]
    letters = compact_letters(order, g.mean, {(a, b) for a, b, s in zip(gh["a"], gh["b"], gh["significant"]) if s})
    stage_table = pd.DataFrame(
        {
            "stage": order,
            "n": (g.n if n_eff is None else responses).astype(np.int64),
            **({} if n_eff is None else {"n_eff": n_eff}),
            "mean": g.mean,
            "sd": np.sqrt(g.var),
            "se": se,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "median": medians,
            "letters": [letters[s] for s in order],
        }
    )
    return StageComparison(
        score=metric,
        stage=stage,
        alpha=alpha,
        padjust=padjust,
        stages=stage_table,
        omnibus=omnibus,
        pairwise=pairwise,
        ordinal=ordinal_table,
        ordinal_result=ordinal_result,
        notes=notes,
        weights=survey_weights,
    )


# --------------------------------------------------------------------------- scorecard


_SCORECARD_METRICS = ("nps", "csat", "ces", "sentiment")


def stage_scorecard(
    df: pd.DataFrame,
    *,
    metrics: list[str] | None = None,
    stage: str = "journey_stage",
    sentiment: str = "sentiment",
    alpha: float = 0.05,
    lump: bool | None = True,
    weights: str | None = None,
) -> pd.DataFrame:
    """NPS, CSAT, CES and sentiment by stage in one table, worst stage flagged.

    NPS per stage is the mean of the response coded promoter 100, passive 0, detractor -100
    (which is the NPS), so it gets the same CIs and Games-Howell comparisons as the other
    metrics. A stage is flagged when it is the worst (lowest; highest for CES) and
    significantly worse than every other stage (Games-Howell adjusted p < ``alpha``).

    Parameters
    ----------
    df : DataFrame
        Survey responses with a stage column (the canonical feedback table).
    metrics : list of str, optional
        Default: those of ``nps``, ``csat``, ``ces`` and the sentiment column present.
        A requested metric that is absent is skipped with a note (``.attrs["notes"]``).
    stage : str, default "journey_stage"
    sentiment : str, default "sentiment"
        Column holding a precomputed sentiment score per response (e.g. the ``compound`` of
        ``cx.sentiment`` on the comments); skipped with a note when absent.
    alpha : float, default 0.05
    lump : bool, default True
        A stage column with more than :data:`LUMP_MAX_LEVELS` levels keeps its most common
        levels (at most 11, each with at least :data:`LUMP_MIN_COUNT` responses) and combines
        the rest into one stage ``"other"``, the same for every metric, with a DataWarning and
        a note in ``attrs["notes"]``. False (or None): every level.
    weights : str, optional
        A column of survey weights (>= 0): every value weighted, tests and intervals at each
        stage's effective sample size (as :func:`compare_stages`); the table gains ``n_eff``
        after ``n`` and ``attrs["weights"]`` names the column.

    Returns
    -------
    DataFrame
        One row per metric and stage: ``metric, stage, n, value, ci_low, ci_high,
        higher_is_better, worst, significant, p_adjusted_max, p`` (``n_eff`` after ``n`` with
        ``weights``). ``attrs["notes"]`` lists
        metrics that were skipped and why, and the stage levels combined into ``"other"``.

    Examples
    --------
    >>> import cxkit as cx
    >>> feedback = cx.load_catalog(cx.DEFAULT_CATALOG)["feedback"].frame
    >>> card = cx.stage_scorecard(feedback)
    >>> card.loc[card["worst"], ["metric", "stage", "significant"]].values.tolist()
    [['nps', 'consideration', False], ['csat', 'decision', True], ['ces', 'decision', True]]
    >>> card.attrs["notes"]
    ["sentiment: no 'sentiment' column; add a precomputed score per response to include it"]
    """
    check_frame(df, "stage_scorecard")
    check_column(df, stage, "stage", "stage_scorecard")
    _survey_weights(df, weights, "stage_scorecard")  # a bad weight column is an error, not a skipped metric
    requested = list(metrics) if metrics is not None else [m for m in _SCORECARD_METRICS]
    notes, frames = [], []
    if lump and isinstance(df, pd.DataFrame):  # once, counted over the responses: the same stages for every metric
        lumped, note = lump_levels(df[stage], name=stage, unit="responses")
        if note:
            df = df.assign(**{stage: lumped})
            warnings.warn(f"stage_scorecard: {note}", DataWarning, stacklevel=2)
            notes.append(note)
    for metric in requested:
        column = sentiment if metric == "sentiment" else metric
        if column not in df.columns:
            notes.append(
                f"{metric}: no {column!r} column; add a precomputed score per response to include it"
                if metric == "sentiment"
                else f"{metric}: no {column!r} column"
            )
            continue
        kept = [stage, column] + ([weights] if weights is not None and weights in df.columns else [])
        data = df[kept]
        if metric == "nps":
            scores = numeric_scores(df[column], column, "stage_scorecard")
            data = pd.DataFrame(
                {
                    stage: df[stage].to_numpy(),
                    column: np.select([scores >= 9, scores >= 7, scores >= 0], [100.0, 0.0, -100.0], np.nan),
                    **{c: df[c].to_numpy() for c in kept[2:]},
                }
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            try:
                # only the tests and the stages' own intervals are used: the pairs' intervals
                # (a studentized-range quantile each) are left out
                res = _compare_stages(
                    data,
                    metric=column,
                    stage=stage,
                    alpha=alpha,
                    padjust="holm",
                    ordinal=False,
                    stages=None,
                    intervals=False,
                    lump=bool(lump) and not isinstance(df, pd.DataFrame),  # a Dask frame: by its counts
                    survey_weights=weights,
                )
            except ValueError as err:
                notes.append(f"{metric}: {err}")
                continue
        if not isinstance(df, pd.DataFrame):  # lumped by this metric's counts
            notes += [f"{metric}: {n}" for n in res.notes if n.startswith(f"{stage}: ") and OTHER in n]
        higher = metric.lower() not in LOWER_IS_BETTER
        low = res.lowest(higher_is_better=higher)
        shown = ["stage", "n", *(["n_eff"] if weights is not None else []), "mean", "ci_low", "ci_high"]
        part = res.stages[shown].rename(columns={"mean": "value"})
        part.insert(0, "metric", metric)
        part["higher_is_better"] = higher
        part["worst"] = part["stage"] == low["stage"]
        part["significant"] = part["worst"] & low["significant"]
        part["p_adjusted_max"] = np.where(part["worst"], low["p_max"], np.nan)
        part["p"] = res.test("Welch ANOVA")["p"]
        frames.append(part)
    if not frames:
        if notes:
            raise NotEnoughDataError("stage_scorecard has no metric to show: " + "; ".join(notes))
        raise NotEnoughDataError(
            f"stage_scorecard found none of the metrics {requested} in the data; "
            f"columns: {', '.join(map(str, df.columns[:30]))}."
        )
    out = pd.concat(frames, ignore_index=True)
    out.attrs["notes"] = notes
    if weights is not None:
        out.attrs["weights"] = weights
    return out


# --------------------------------------------------------------------------- figure
