"""NPS, CSAT and CES with confidence intervals, and honest tests of their differences.

**NPS** (Net Promoter Score, -100 to 100): scores 9-10 are promoters, 7-8 passives, 0-6
detractors; NPS = 100 x (promoter share - detractor share). Its plain (Wald) standard error is
``100 * sqrt((p + d - (p - d)^2) / n)``. The interval is **Tango's score interval** (``ci="score"``,
the default): NPS is the difference of two shares of one trinomial sample, the structure of
paired proportions, and Tango's (1998) interval inverts the score test of that difference. It
always contains the reported NPS, stays within -100..100 and keeps close to 95% coverage from
small samples up (``benchmarks/coverage.py``). The adjusted Wald interval (``ci="adjusted-wald"``:
add 3 to n and 3/4 to the promoter and detractor counts; Rocks 2016, Sauro & Lewis 2016) is
centred on a shrunken NPS, so at small n it can miss the reported value (one promoter: -48.5 to
98.5 around 100); when it does, it is stretched to the estimate. Reference: n = 500, 40%
promoters, 30% detractors gives NPS 10, Wald SE 3.72 and a 95% Wald interval of 2.7 to 17.3.

**CSAT** (1-5) is reported as its mean (t interval, kept within the scale) and top-2-box share
(scores 4-5, Agresti-Coull interval); **CES** (1-7, low = easy) as its mean and low-effort share
(scores 1-3). Every interval contains its estimate.

**Small samples**: every table has ``small_n``, true where a group has fewer than ``min_n``
responses (default :data:`MIN_N` = 30; effective n with weights). With 29 responses a 95% NPS
interval is about 45 to 60 points wide for common splits (10 promoters, 9 passives and 10
detractors: -29 to 29), so such a value is shown as a small sample, never stated as a finding
(the report's findings skip it, the figures draw it hollow).

**Differences** (:func:`compare_nps`, :func:`compare_csat`, :func:`compare_ces`,
:func:`kpi_trend`): month over month, each segment against the rest, or any two groups. NPS
differences are z tests on the adjusted-Wald estimates, z = diff / sqrt(SE1^2 + SE2^2); shares
use the Agresti-Caffo adjustment (one success and one failure added per group); means use
Welch's t test. p-values are adjusted for multiple testing (Holm by default, or Benjamini-Hochberg
``padjust="bh"``); :func:`adjust_flags` adjusts across *every* flag a report shows, so a
reviewer can trust each "significant".

Weights (``weights="w"``) give weighted shares and means; intervals then use Kish's effective
sample size (sum w)^2 / sum w^2. When the weights were **calibrated** to known margins (raked or
post-stratified: ``calibration=`` with the ``attrs["weighting"]`` of :func:`cxkit.rake`,
:func:`cxkit.poststratify` or :func:`cxkit.survey_weights`, or found in
``df.attrs["calibration"][weights]``), the intervals use the **linearised** variance instead:
each response's influence on the estimate, residualised on the margins (the part of the score
the margins explain is fixed by the calibration and has no sampling variance; Deville &
Sarndal 1992, JASA 87:376; R's ``survey::svymean`` on a ``rake()``d or ``postStratify()``d
design). The interval is then computed at the sample size whose simple-random-sample variance
equals the linearised one (the effective n of Korn & Graubard 1998), at most the responses;
``n_eff`` stays Kish's. Kish's n ignores both the calibration and the correlation of the weights
with the score: on raked samples its NPS interval covered 97.5% (n = 500) and 97.2% (n = 2000),
too wide; the linearised one 93.9% and 95.1% (``benchmarks/weighting.py``). The residuals
reproduce R's linearised SE of the post-stratified mean of ``api00`` on ``apiclus1`` to 1e-9
(``tests/test_weighting_variance.py``). The comparisons (:func:`compare_nps` ...) take the same
``calibration``: two groups of one calibrated sample share the margins' cells and so are
correlated, and the SE of their difference is the linearised SE of the difference (within 5% of a
jackknife that rakes every replicate again, where taking the sides as independent was 6-9% off:
``tests/test_weighting_compare.py``); months calibrated separately (:func:`kpi_trend`) are
independent.

**Small calibrated samples**: below :data:`JACKKNIFE_BELOW` (300) responses in a calibration
stratum (the sample, or a month calibrated on its own) the linearisation runs short, because it
leaves out what each response's own weight adjustment does to the estimate: at 100 raked responses
its SE of the CSAT mean was 6% below the estimate's spread and the interval covered 92.4% (94.6%
with the jackknife). There the variance is the delete-one jackknife with every replicate raked
again (JK1, as R's ``svymean`` on a ``rake()``d ``as.svrepdesign(type = "JK1")`` design): every
response left out in turn, the rest raked again to the margins, the spread of the replicate
estimates. The delete-one jackknife of a calibration estimator carries the leverage adjustment of
each squared residual that the linearisation lacks, and gave near-nominal coverage in small samples
(Valliant 2002, "Variance estimation for the general regression estimator", Survey Methodology
28:103). It is used the same way as the linearised one (for :func:`nps`, :func:`csat`, :func:`ces`,
the comparisons with the correlation of the two sides, and :func:`kpi_trend`) and costs about 1 ms
per estimate at 100 to 300 responses (all replicates are raked at once;
``benchmarks/weighting.py``). It reproduces R's jackknife SE of the raked mean of ``api00`` and a
brute-force loop of :func:`cxkit.rake` (``tests/test_weighting_jackknife.py``).

Examples
--------
>>> import cxkit as cx
>>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
>>> t = cx.nps(fb, by="segment")
>>> t.columns.tolist()
['segment', 'n', 'promoters', 'passives', 'detractors', 'nps', 'se', 'ci_low', 'ci_high', 'small_n']
>>> bool((t["ci_low"] < t["nps"]).all() and (t["nps"] < t["ci_high"]).all())
True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .._stats import adjust_p, headline_change, net_score_interval
from ..errors import DataWarning, NotEnoughDataError, WrongScaleError
from ..periods import resolve_month
from ._groups import lump_levels

__all__ = [
    "NOT_GIVEN",
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
    "MIN_N",
]

#: Score bands of the NPS question (0-10).
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
#: Fewer responses than this (effective n with weights) mark a result ``small_n``: shown, not a finding.
MIN_N = 30
_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
_SCALES = {"nps": "0-10 recommendation question", "csat": "1-5 satisfaction scale", "ces": "1-7 effort scale"}
#: A 0-10 NPS column with at least this many answers and none of 0, 8, 9 or 10 is another scale.
_SCALE_CHECK_N = 30
#: A column of only 0 and 1 with at least this many answers is a yes/no answer, not a 0-10 one.
_YES_NO_CHECK_N = 10


# --------------------------------------------------------------------------- multiple testing


def adjust_flags(*tables: pd.DataFrame | None, padjust: str = "holm", alpha: float = 0.05) -> list:
    """Adjust the ``p`` column of several result tables *together*, as one family of tests.

    Every table gets new ``p_adjusted`` and ``significant`` columns computed across all the
    tables' p-values (rows without a p-value are not tests). Use it on every table whose flags
    one report shows, so that each "significant" holds for the report as a whole.

    Parameters
    ----------
    *tables : DataFrame or None
        Result tables with a ``p`` column of raw p-values (e.g. from :func:`compare_nps` and
        :func:`cxkit.driver_change`); ``None`` is passed through. The inputs are not modified.
    padjust : str, default "holm", keyword-only
        The adjustment over the pooled p-values of all the tables (any name
        :func:`cxkit.adjust_p` accepts: ``"holm"``, ``"bh"``, ``"bonferroni"``, ``"none"``, ...).
    alpha : float, default 0.05, keyword-only
        ``significant`` is ``p_adjusted < alpha``.

    Returns
    -------
    list of DataFrame or None
        New tables in the order given (``None`` stays ``None``), each a copy with ``p_adjusted``
        (adjusted over every p-value of every table; NaN where ``p`` is missing) and
        ``significant`` replacing any columns of those names; ``attrs`` gains ``padjust`` and
        ``family_size`` (the number of p-values adjusted together).

    Raises
    ------
    ValueError
        A table has no ``p`` column, or ``padjust`` is not a known adjustment.

    Examples
    --------
    >>> import pandas as pd
    >>> a, b = pd.DataFrame({"p": [0.01, None]}), pd.DataFrame({"p": [0.02]})
    >>> a2, b2 = adjust_flags(a, b)
    >>> a2["p_adjusted"].round(2).tolist(), b2["significant"].tolist()
    ([0.02, nan], [True])
    """
    present = [t for t in tables if t is not None]
    sizes = [len(t) for t in present]
    for t in present:
        if "p" not in t.columns:
            raise ValueError(f"adjust_flags needs tables with a 'p' column; got columns {list(t.columns)}.")
    pooled = (
        np.concatenate([t["p"].to_numpy(dtype=float, na_value=np.nan) for t in present]) if present else np.array([])
    )
    adjusted = adjust_p(pooled, method=padjust)
    out: list[pd.DataFrame | None] = []
    pieces = iter(np.split(adjusted, np.cumsum(sizes)[:-1]) if present else [])
    for table in tables:
        if table is None:
            out.append(None)
            continue
        part = next(pieces)
        t = table.copy()
        t["p_adjusted"] = part
        t["significant"] = part < alpha
        t.attrs = {**t.attrs, "padjust": padjust, "family_size": int((~np.isnan(adjusted)).sum())}
        out.append(t)
    return out


def headline_flags(table: pd.DataFrame | None, *, alpha: float = 0.05) -> pd.DataFrame | None:
    """``p_adjusted`` and ``significant`` of month-over-month KPI changes under the pack's headline
    policy (:func:`cxkit._stats.headline_change`: Bonferroni over the month's headline KPIs).

    Each p-value is multiplied by the size of the headline family (the 7 KPIs of
    :data:`cxkit._stats.HEADLINE_FAMILY`) and capped at 1, whatever the number of rows in
    ``table``: every page and the index then give a change the same verdict.

    Parameters
    ----------
    table : DataFrame or None
        A table with a ``p`` column of raw p-values of month-over-month changes, e.g. from
        :func:`kpi_trend`; ``None`` is passed through. Not modified.
    alpha : float, default 0.05, keyword-only
        ``significant`` is ``p_adjusted < alpha``.

    Returns
    -------
    DataFrame or None
        A copy of ``table`` with ``p_adjusted`` (Bonferroni over the headline family; NaN
        where ``p`` is missing) and ``significant`` (False where ``p`` is missing) replacing any
        columns of those names; ``attrs`` gains ``padjust`` ("headline") and ``family_size``.
        ``None`` when ``table`` is None.

    Examples
    --------
    >>> import pandas as pd
    >>> headline_flags(pd.DataFrame({"p": [0.016, 0.0004, None]}))[["p_adjusted", "significant"]].values.tolist()
    [[0.112, False], [0.0028, True], [nan, False]]
    """
    if table is None:
        return None
    out = table.copy()
    verdicts = [headline_change(p if pd.notna(p) else None, alpha=alpha) for p in out["p"]]
    out["p_adjusted"] = [np.nan if v["change_p"] is None else v["change_p"] for v in verdicts]
    out["significant"] = [v["significant"] for v in verdicts]
    out.attrs = {**out.attrs, "padjust": "headline", "family_size": verdicts[0]["family_size"] if verdicts else 0}
    return out


# --------------------------------------------------------------------------- sufficient statistics


def _range(df: pd.DataFrame, kind: str, score: str) -> tuple[float, float]:
    """The scale of a CSAT or CES column as the reader recorded it (the catalog's ``scales``,
    e.g. a 1-5 CES), else the default (NPS is always 0-10)."""
    if kind in ("csat", "ces"):
        given = (df.attrs.get("scales") or {}).get(score)
        if given is not None:
            return float(given[0]), float(given[1])
    low, high = _RANGES[kind]
    return low, high


def _on_scale(kpi: str, options: dict[str, tuple], scale: tuple[float, float]) -> dict[str, tuple]:
    """The share definitions for a CSAT or CES asked on another scale, when left at their 1-5 /
    1-7 defaults: top-2-box is the scale's two highest points; low effort the lowest third
    (1-3 of 1-7, 1-2 of 1-5)."""
    low, high = int(scale[0]), int(scale[1])
    if kpi == "csat" and (low, high) != _RANGES["csat"] and tuple(options.get("top_box", ())) == (4, 5):
        return {**options, "top_box": (high - 1, high)}
    if kpi == "ces" and (low, high) != _RANGES["ces"] and tuple(options.get("low_effort", ())) == (1, 2, 3):
        return {**options, "low_effort": tuple(range(low, low + round((high - low) / 3) + 1))}
    return options


def _scores(df: pd.DataFrame, score: str, *, kind: str | None = None, check_scale: bool = True) -> np.ndarray:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a DataFrame, not {type(df).__name__}.")
    if not isinstance(score, str):
        raise ValueError(f"score must be the name of the score column, not {score!r}.")
    if kind in _RANGES and score != kind and (score in _RANGES or score in (df.attrs.get("drivers") or [])):
        what = f"the {score.upper()} column ({_SCALES[score]})" if score in _RANGES else "a driver rating"
        other = f" For {score.upper()} use cx.{score}(df)." if score in _RANGES else ""
        raise ValueError(
            f"score={score!r} is {what}, not the {_SCALES[kind]} that {kind.upper()} needs "
            f"(cx.{kind}(df, {score!r}) reads its second argument as score=).{other} For "
            f"{kind.upper()}, pass score= with the {_SCALES[kind]} column (default {kind!r})."
        )
    if score not in df.columns:
        raise ValueError(
            f"score column {score!r} not found (columns: {list(df.columns)}); pass score= with the "
            "column that holds the ratings."
        )
    col = df[score]
    if not pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
        raise ValueError(
            f"score column {score!r} is not numeric (dtype {col.dtype}); recode it in the reader "
            "(values=) so that it holds numbers."
        )
    x = col.to_numpy(dtype=float, na_value=np.nan)
    if kind in _RANGES:
        low, high = _range(df, kind, score)
        bad = ~np.isnan(x) & ((x < low) | (x > high))
        if bad.any():
            raise WrongScaleError(
                f"{score!r} has {int(bad.sum())} value(s) outside {low}-{high} (e.g. {x[bad][0]:g}) for "
                f"{kind.upper()}; the readers reject such rows, so load the data with cx.load_feedback, "
                "or pass the right score= column."
            )
    if kind == "nps" and check_scale:
        seen = x[~np.isnan(x)]
        if seen.size >= _YES_NO_CHECK_N and np.isin(seen, (0, 1)).all():
            raise WrongScaleError(
                f"score column {score!r} holds only 0 and 1 in {seen.size:,} answers: a yes/no answer (would "
                "recommend or not), not the 0-10 recommendation question, and NPS would count every answer as a "
                "detractor (-100). Report it as a share (e.g. df[score].mean()), or pass score= with the 0-10 "
                "column; check_scale=False if this really is a 0-10 question answered only with 0 and 1."
            )
        if seen.size >= _SCALE_CHECK_N and seen.min() >= 1 and seen.max() == 10:
            warnings.warn(
                f"score column {score!r}: none of its {seen.size:,} answers is 0. If it is a 1-10 rating (an "
                "overall score, not 'how likely are you to recommend us, 0-10'), NPS is not defined for it: "
                "report its mean instead. check_scale=False silences this for a 0-10 question nobody answered "
                "with 0.",
                DataWarning,
                stacklevel=3,
            )
        if seen.size >= _SCALE_CHECK_N and seen.min() >= 1 and seen.max() <= 7:
            raise WrongScaleError(
                f"score column {score!r} has {seen.size:,} answers, all between {seen.min():g} and {seen.max():g} (no 0 "
                "and nothing above 7): that is a 1-5 or 1-7 scale (CSAT, CES, a star rating), not the 0-10 "
                "recommendation question, and NPS would count every answer as a detractor. Pass score= with the "
                "0-10 column (cx.csat / cx.ces summarise those scales), or check_scale=False if this really is "
                "a 0-10 question nobody answered with 0 or 8-10."
            )
    return x


def _weights(df: pd.DataFrame, weights: str | None) -> np.ndarray:
    if weights is None:
        return np.ones(len(df))
    if weights not in df.columns:
        raise ValueError(f"weights column {weights!r} not found; pass weights= with a column of survey weights.")
    w = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if np.any(w[~np.isnan(w)] < 0):
        raise ValueError(f"weights column {weights!r} has negative weights; weights must be >= 0.")
    return w


def _group_codes(df: pd.DataFrame, by: str | Sequence[str] | None) -> tuple[np.ndarray, pd.DataFrame, list[str]]:
    if by is None:
        return np.zeros(len(df), dtype=np.intp), pd.DataFrame(index=[0]), []
    cols = [by] if isinstance(by, str) else list(by)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"by column(s) {missing} not found (columns: {list(df.columns)}).")
    grouped = df.groupby(cols, sort=True, dropna=False, observed=True)
    codes = grouped.ngroup().to_numpy()
    keys = grouped.size().reset_index()[cols]
    for col in cols:  # responses without a group value are a row of their own, named so
        if keys[col].isna().any():
            keys[col] = keys[col].astype(object).where(keys[col].notna(), NOT_GIVEN)
    return codes, keys, cols


def _sums(x: np.ndarray, w: np.ndarray, codes: np.ndarray, size: int, flags: dict[str, np.ndarray]) -> dict:
    ok = ~np.isnan(x) & ~np.isnan(w)
    x, w, codes = x[ok], w[ok], codes[ok]
    out = {
        "count": np.bincount(codes, minlength=size).astype(float),
        "w": np.bincount(codes, weights=w, minlength=size),
        "w2": np.bincount(codes, weights=w * w, minlength=size),
        "wx": np.bincount(codes, weights=w * x, minlength=size),
        "wx2": np.bincount(codes, weights=w * x * x, minlength=size),
    }
    for name, flag in flags.items():
        out[name] = np.bincount(codes, weights=w * flag[ok], minlength=size)
    return out


def _complement(sums: dict) -> dict:
    return {k: v.sum() - v for k, v in sums.items()}


def _take(sums: dict, idx: int) -> dict:
    return {k: v[idx] for k, v in sums.items()}


def _n_eff(s: dict) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s["w2"] > 0, s["w"] ** 2 / s["w2"], 0.0)


#: Passes of the residualisation on several margins (alternating projections converge fast).
_CALIBRATION_PASSES = 200


def _calibration_margins(
    df: pd.DataFrame, weights: str | None, calibration: object
) -> tuple[list[list[str]], str | None] | None:
    """The margins (each a list of columns: one column, or the joint cells of several) the
    weights were calibrated to, and the column of the groups calibrated separately; None
    without weights or calibration (Kish's effective n is used then)."""
    if weights is None:
        return None
    spec = calibration
    if spec is None:
        spec = (df.attrs.get("calibration") or {}).get(weights)
        if spec is None:
            return None
    by = None
    if isinstance(spec, Mapping):
        method, given, by = spec.get("method", "rake"), spec.get("margins"), spec.get("by")
        if method == "column":  # a weight column of the export: no known margins
            return None
        if not given:
            raise ValueError(f"calibration: no margins in {spec!r}; pass the attrs['weighting'] of cx.rake.")
        margins = [list(given)] if method == "cells" else [[m] for m in given]
    elif isinstance(spec, Sequence) and not isinstance(spec, str) and spec:
        margins = [[m] if isinstance(m, str) else list(m) for m in spec]
    else:
        raise ValueError(
            "calibration must be the attrs['weighting'] of cx.rake / cx.poststratify / cx.survey_weights, or a list "
            f"of the margin columns the weights were raked to (a tuple for joint cells), not {spec!r}."
        )
    wanted = [c for m in margins for c in m] + ([by] if by is not None else [])
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        raise ValueError(
            f"calibration: column(s) {missing} the weights were calibrated on are not in the data (columns: "
            f"{list(df.columns)}); keep them, or drop calibration= to use Kish's effective n."
        )
    return margins, by


def _calibration_cells(
    df: pd.DataFrame, ok: np.ndarray, margins: list[list[str]], strata: np.ndarray
) -> list[np.ndarray]:
    """Per margin, each valid response's cell code (level of the margin within its stratum)."""
    cells = []
    for columns in margins:
        frame = df.loc[ok, columns].reset_index(drop=True).assign(_stratum=strata)
        cells.append(frame.groupby([*columns, "_stratum"], sort=False, dropna=False).ngroup().to_numpy())
    return cells


def _residualised_influence(
    y: np.ndarray, w: np.ndarray, codes: np.ndarray, size: int, cells: list[np.ndarray]
) -> np.ndarray:
    """Each response's influence on its group's weighted mean of ``y``, residualised on the
    margins whose cell codes are ``cells`` (one column per group; :func:`_domain_influence`
    with the groups as the domains)."""
    member = np.zeros((y.size, size), dtype=bool)
    member[np.arange(y.size), codes] = True
    return _domain_influence(y, w, member, cells)


def _domain_influence(y: np.ndarray, w: np.ndarray, member: np.ndarray, cells: list[np.ndarray]) -> np.ndarray:
    """Each response's influence on the weighted mean of ``y`` in each domain (a column of the
    boolean ``member``: the responses it holds; domains may overlap, e.g. a group and the
    rest), residualised on the margins whose cell codes are ``cells``.

    The influence is ``w (y - mean) / sum w`` (0 outside the domain). The weighted mean
    of ``(y - mean) / sum w`` per cell is removed, margin after margin, until nothing moves (the
    weighted least-squares residual on the margins' indicators): the part of the score the
    margins explain is fixed by the calibration (Deville & Sarndal 1992, JASA 87:376). R's
    ``survey`` package does the same for a ``rake()``d design, removing the post-stratum means
    of the influence functions in turn over the margins (``svyrecvar``). The residual of one
    domain reaches responses outside it (those sharing its cells), so the estimates of two
    disjoint domains are correlated under calibration: the variance of a difference is that of
    the difference of the two columns.
    """
    n, size = member.shape
    wsum = (w[:, None] * member).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (w[:, None] * member * y[:, None]).sum(axis=0) / wsum
        e = np.where(member & (wsum > 0)[None, :], (y[:, None] - mean[None, :]) / wsum[None, :], 0.0)
    scale = float(np.abs(e).max()) if n else 0.0
    for _ in range(_CALIBRATION_PASSES if len(cells) > 1 else 1):
        moved = 0.0
        for cell in cells:
            k = int(cell.max()) + 1
            cw = np.bincount(cell, weights=w, minlength=k)
            sums = np.stack([np.bincount(cell, weights=w * e[:, j], minlength=k) for j in range(size)], axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                shift = np.where(cw[:, None] > 0, sums / cw[:, None], 0.0)
            e -= shift[cell]
            moved = max(moved, float(np.abs(shift).max()))
        if moved <= 1e-13 * scale:
            break
    return w[:, None] * e


def _stratum_variance(z: np.ndarray, strata: np.ndarray) -> np.ndarray:
    """With-replacement variance of the totals of the columns of ``z`` (influences): within
    each stratum ``n_h / (n_h - 1)`` times their sum of squares about the stratum's mean,
    summed over the strata."""
    var = np.zeros(z.shape[1])
    for h in np.unique(strata):
        rows = strata == h
        m = int(rows.sum())
        if m > 1:
            zh = z[rows]
            var += m / (m - 1) * ((zh - zh.mean(axis=0)) ** 2).sum(axis=0)
    return var


def _linearised_variance(
    y: np.ndarray, w: np.ndarray, codes: np.ndarray, size: int, cells: list[np.ndarray], strata: np.ndarray
) -> np.ndarray:
    """Linearised variance of each group's weighted mean of ``y`` under weights calibrated to
    the margins whose cell codes are ``cells``: the with-replacement variance of the
    residualised influences (:func:`_residualised_influence`) within each stratum (group
    calibrated separately), ``n_h / (n_h - 1)`` times their sum of squares about the stratum's
    mean, summed over the strata."""
    return _stratum_variance(_residualised_influence(y, w, codes, size, cells), strata)


#: Calibration strata (the sample, or each group of it calibrated separately, such as a month)
#: with fewer valid responses than this get the delete-one jackknife that rakes every replicate
#: again instead of the linearised variance. The linearisation leaves out what a response's own
#: weight adjustment does to the estimate, and below a few hundred responses that is no longer
#: small. Measured on raked samples of the coverage benchmark's population
#: (``benchmarks/weighting.py``): at 100 responses the linearised SEs were 5-12% below the
#: estimates' spread (CSAT mean RMS 0.120 against 0.128, interval coverage 92.4%), the
#: jackknife's 0-5% above it (coverage 94.6%, every quantity 94.5-95.7%); at 300 (400 samples,
#: Monte Carlo error of a spread about 3.5%) the linearised SEs were 0.96-1.01 of the spread and
#: the jackknife's 0.99-1.04, and from 500 on the linearised ones are 0.97-1.00.
JACKKNIFE_BELOW = 300
#: The replicates' raking stops when no factor moves by more than this (or after this many passes).
_REPLICATE_TOL = 1e-12
_REPLICATE_PASSES = 1000


def _one_hot(codes: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros((codes.size, size))
    out[np.arange(codes.size), codes] = 1.0
    return out


def _jackknife_replicates(
    y: np.ndarray, w: np.ndarray, member: np.ndarray, cells: list[np.ndarray], unit: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The weighted sums of ``y`` and of the weights in each domain (a column of ``member``)
    with each deletion unit's responses left out and the rest raked again to the margins: two
    arrays of one row per unit (``unit`` codes 0 .. R - 1 per response; their ratio is the
    replicate's weighted mean). ``cells`` are the responses' cell codes per margin (the margins
    the weights ``w`` were calibrated to).

    Each replicate is raked from the calibrated weights of the responses left to the full
    sample's weighted totals of every margin cell. That reaches the weights raking the base
    weights would reach: raked weights are the base weights times one factor per margin level
    (Deville & Sarndal 1992, the raking ratio case), the calibrated weights are of that form,
    and raking finds the one weighting of that form that meets the margins. So every response
    of one combination of the margins' cells (a joint cell) keeps one common factor, and all
    replicates are raked at once on an array of replicates x joint cells (a few dozen numbers
    each, whatever the responses), by iterative proportional fitting.

    Why by hand: R's ``survey`` rakes a replicate design one replicate at a time (``rake()`` on
    ``as.svrepdesign(type = "JK1")``), and no Python dependency of cxkit does; this is that
    computation vectorised. Trimmed weights are not of the product form, so for them the
    replicates (as the linearisation) ignore the trimming.
    """
    joint = np.stack(cells, axis=1)
    combos, inverse = np.unique(joint, axis=0, return_inverse=True)
    cell = np.asarray(inverse).ravel()
    k = combos.shape[0]
    r = int(unit.max()) + 1
    mass = np.bincount(cell, weights=w, minlength=k)
    removed = np.zeros((r, k))
    np.add.at(removed, (unit, cell), w)
    start = mass[None, :] - removed
    margins = []
    for m in range(len(cells)):
        level = pd.factorize(combos[:, m])[0]
        onehot = _one_hot(level, int(level.max()) + 1)
        margins.append((level, onehot, mass @ onehot))
    f = np.ones((r, k))
    for _ in range(_REPLICATE_PASSES):
        moved = 0.0
        for level, onehot, target in margins:
            current = (start * f) @ onehot
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(current > 0, target[None, :] / current, 1.0)
            f *= factor[:, level]
            moved = max(moved, float(np.abs(factor - 1.0).max()))
        if moved <= _REPLICATE_TOL:
            break
    # each domain's weighted sums in a replicate: the joint cells' full sums times the
    # replicate's factors, less the left-out responses' own share
    by_cell = _one_hot(cell, k).T
    wm = w[:, None] * member
    own = f[unit, cell][:, None] * wm
    left_y = np.zeros((r, member.shape[1]))
    left_w = np.zeros((r, member.shape[1]))
    np.add.at(left_y, unit, own * y[:, None])
    np.add.at(left_w, unit, own)
    return f @ (by_cell @ (wm * y[:, None])) - left_y, f @ (by_cell @ wm) - left_w


def _jackknife_ready(cells: list[np.ndarray], rows: np.ndarray) -> bool:
    """Whether every margin cell of these responses has two or more of them (left without its
    only response, a level could not be raked to its target, and the replicate is undefined)."""
    return all(np.bincount(pd.factorize(cell[rows])[0]).min() >= 2 for cell in cells)


def _calibrated_variance(
    y: np.ndarray,
    w: np.ndarray,
    member: np.ndarray,
    cells: list[np.ndarray],
    strata: np.ndarray,
    contrasts: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """The variance of each contrast of the domains' weighted means of ``y`` (``contrasts``
    maps an array with one column per domain, of influences or of replicate estimates, to one
    with a column per contrast) under weights calibrated within each stratum.

    Strata of :data:`JACKKNIFE_BELOW` responses and more: the linearised variance
    (:func:`_domain_influence`, :func:`_stratum_variance`). Smaller strata: the delete-one
    jackknife with every replicate raked again (:func:`_jackknife_replicates`; JK1 within the
    stratum: ``(n_h - 1) / n_h`` times the squared deviations of the replicates from their
    mean, as R's ``svrVar`` for a ``JK1`` design with ``mse = FALSE``, its default), where
    every margin cell of the stratum has two responses; a contrast the jackknife leaves
    undefined (a domain with one response) keeps the linearised variance.
    """
    z = contrasts(_domain_influence(y, w, member, cells))
    small = np.zeros(y.size, dtype=bool)
    jackknife: list[tuple[np.ndarray, np.ndarray]] = []
    for h in np.unique(strata):
        rows = strata == h
        m = int(rows.sum())
        if 1 < m < JACKKNIFE_BELOW and _jackknife_ready(cells, rows):
            small |= rows
            inside = [c[rows] for c in cells]
            numerator, denominator = _jackknife_replicates(y[rows], w[rows], member[rows], inside, np.arange(m))
            # the other strata are not raked again: their sums stay
            wm = w[~rows, None] * member[~rows]
            numerator += (wm * y[~rows, None]).sum(axis=0)
            denominator += wm.sum(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                means = np.where(denominator > 0, numerator / denominator, np.nan)
            jackknife.append((rows, contrasts(means)))
    if not small.any():
        return _stratum_variance(z, strata)
    var = _stratum_variance(z[~small], strata[~small]) if (~small).any() else np.zeros(z.shape[1])
    for rows, replicates in jackknife:
        m = replicates.shape[0]
        spread = (m - 1) / m * ((replicates - replicates.mean(axis=0)) ** 2).sum(axis=0)
        var += np.where(np.isfinite(spread), spread, _stratum_variance(z[rows], strata[rows]))
    return var


def _calibration_design(
    df: pd.DataFrame,
    x: np.ndarray,
    w: np.ndarray,
    found: tuple[list[list[str]], str | None],
    strata: np.ndarray | None,
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """The responses that count (score and weight given), their cell codes per margin and
    their stratum (the groups calibrated separately)."""
    margins, by = found
    ok = ~np.isnan(x) & ~np.isnan(w)
    if strata is None:
        strata = pd.factorize(df[by])[0] if by is not None else np.zeros(len(df), dtype=np.intp)
    stratum = np.asarray(strata)[ok]
    return ok, _calibration_cells(df, ok, margins, stratum), stratum


def _linearised_score(kind: str, flags: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """The variable whose mean an estimator is: promoter minus detractor indicator (NPS, on the
    0-1 scale), the share's indicator, or the score (a mean)."""
    if kind == "nps":
        return flags["pos"] - flags["neg"]
    if kind == "share":
        return flags["pos"]
    return x


def _calibrated(
    df: pd.DataFrame,
    x: np.ndarray,
    w: np.ndarray,
    codes: np.ndarray,
    size: int,
    found: tuple[list[list[str]], str | None] | None,
    *,
    strata: np.ndarray | None = None,
) -> Callable[[str, dict[str, np.ndarray]], np.ndarray] | None:
    """A function of an estimator kind and its flags giving the linearised variance per group,
    or None (no calibration: Kish)."""
    if found is None:
        return None
    ok, cells, stratum = _calibration_design(df, x, w, found, strata)
    member = codes[ok][:, None] == np.arange(size)[None, :]

    def variance(kind: str, flags: dict[str, np.ndarray]) -> np.ndarray:
        y = _linearised_score(kind, flags, x)[ok]
        return _calibrated_variance(y, w[ok], member, cells, stratum, lambda per_group: per_group)

    return variance


#: A variance function of :func:`_calibrated_contrasts`: per estimator kind and flags, the
#: linearised variances of the groups, of the rest of each group, and of each planned difference.
_ContrastVariance = Callable[[str, dict[str, np.ndarray]], tuple[np.ndarray, np.ndarray, np.ndarray]]


def _calibrated_contrasts(
    df: pd.DataFrame,
    x: np.ndarray,
    w: np.ndarray,
    codes: np.ndarray,
    size: int,
    found: tuple[list[list[str]], str | None] | None,
    plan: Sequence[tuple[int, int | None]],
) -> _ContrastVariance | None:
    """Linearised variances for comparisons under calibrated weights, or None (no calibration:
    Kish's n, groups taken as independent).

    The domains are the groups and, for the comparisons against the rest, each group's
    complement; the variance of a difference is that of the difference of the two domains'
    residualised influences (R's ``svycontrast`` on ``svyby`` of a calibrated design does the
    same with the influence functions it keeps), so it counts the correlation the calibration
    puts between two groups sharing the margins' cells."""
    if found is None:
        return None
    ok, cells, stratum = _calibration_design(df, x, w, found, None)
    group = codes[ok]
    rests = sorted({i for i, j in plan if j is None})
    member = np.concatenate(
        [group[:, None] == np.arange(size)[None, :], group[:, None] != np.asarray(rests, dtype=np.intp)[None, :]],
        axis=1,
    )
    column = {("rest", i): size + k for k, i in enumerate(rests)}

    domains = member.shape[1]

    def with_differences(z: np.ndarray) -> np.ndarray:
        """The domains' columns, then each planned difference's."""
        pairs = (
            np.stack([z[:, i] - (z[:, column["rest", i]] if j is None else z[:, j]) for i, j in plan], axis=1)
            if plan
            else np.zeros((z.shape[0], 0))
        )
        return np.concatenate([z, pairs], axis=1)

    def variance(kind: str, flags: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        y = _linearised_score(kind, flags, x)[ok]
        both = _calibrated_variance(y, w[ok], member, cells, stratum, with_differences)
        own = both[:domains]
        rest = np.full(size, np.nan)
        for i in rests:
            rest[i] = own[column["rest", i]]
        return own[:size], rest, both[domains:]

    return variance


def _correlation(var_a: float, var_b: float, var_diff: float) -> float:
    """The correlation of two estimates from their variances and that of their difference
    (0 where a variance is 0 or undefined)."""
    if not (np.isfinite(var_a) and np.isfinite(var_b) and np.isfinite(var_diff)) or var_a <= 0 or var_b <= 0:
        return 0.0
    return float(np.clip((var_a + var_b - var_diff) / (2 * np.sqrt(var_a * var_b)), -1.0, 1.0))


_NPS_CI = ("score", "adjusted-wald", "wald")


def _check_min_n(min_n: object) -> None:
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 0:
        raise ValueError(
            f"min_n must be a whole number >= 0 (responses below which a result is flagged small_n), not {min_n!r}."
        )


def _check_alpha(alpha: object) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number between 0 and 1 (e.g. 0.05), not {alpha!r}.")


def _variance_n(metric: str, s: dict, kish: np.ndarray, var: np.ndarray | None) -> np.ndarray:
    """The sample size the intervals use: Kish's effective n, or with a linearised variance
    ``var`` the n whose simple-random-sample variance equals it (Korn & Graubard 1998), at most
    the responses (never narrower than an unweighted sample of the same size), and Kish's where
    the variance is 0 or undefined (a constant score, one response)."""
    if var is None:
        return kish
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "nps":
            p, d = s["pos"] / s["w"], s["neg"] / s["w"]
            srs = p + d - (p - d) ** 2
        elif metric == "mean":
            m = s["wx"] / s["w"]
            srs = np.clip(s["wx2"] / s["w"] - m**2, 0, None)
        else:
            v = s["pos"] / s["w"]
            srs = v * (1 - v)
        n = srs / var
    usable = np.isfinite(n) & (var > 0) & (srs > 0) & (s["count"] > 1)
    return np.where(usable, np.fmin(n, s["count"]), kish)


def _estimate(
    metric: str,
    s: dict,
    *,
    alpha: float,
    ci: str = "score",
    bounds: tuple | None = None,
    var: np.ndarray | None = None,
) -> dict:
    """Estimate, SE, interval and the adjusted quantities used by the tests, per group.

    Every interval contains its estimate (NaN where there is none: no responses, or one for a
    mean). ``bounds`` keeps a mean's interval on its scale. ``var``: the linearised variance of
    each group's estimate under calibrated weights (on the 0-1 scale for NPS and shares), whose
    n replaces Kish's in the SE, the interval and the tests' quantities (``n_eff`` stays Kish's).
    """
    z = stats.norm.ppf(1 - alpha / 2)
    kish = _n_eff(s)
    n = _variance_n(metric, s, kish, var)
    with np.errstate(divide="ignore", invalid="ignore"):
        if metric == "nps":
            p, d = s["pos"] / s["w"], s["neg"] / s["w"]
            value = 100 * (p - d)
            se = 100 * np.sqrt((p + d - (p - d) ** 2) / n)
            pa, da = (p * n + 0.75) / (n + 3), (d * n + 0.75) / (n + 3)
            adj = 100 * (pa - da)
            adj_se = 100 * np.sqrt((pa + da - (pa - da) ** 2) / (n + 3))
            if ci == "score":
                lo, hi = (100 * v for v in net_score_interval(p * n, d * n, n, alpha))
            elif ci == "wald":
                lo, hi = value - z * se, value + z * se
            elif ci == "adjusted-wald":
                # centred on the shrunken NPS: at small n it can miss the estimate, so stretch it there
                lo, hi = np.fmin(adj - z * adj_se, value), np.fmax(adj + z * adj_se, value)
            else:
                raise ValueError(f"ci must be one of {', '.join(map(repr, _NPS_CI))}, not {ci!r}.")
            lo, hi = np.clip(lo, -100, 100), np.clip(hi, -100, 100)
            extra = {"promoters": p, "passives": 1 - p - d, "detractors": d}
        elif metric == "mean":
            value = s["wx"] / s["w"]
            s2 = np.clip(s["wx2"] / s["w"] - value**2, 0, None) * n / (n - 1)
            s2 = np.where(n > 1, s2, np.nan)  # one response has no spread to speak of
            se = np.sqrt(s2 / n)
            t = stats.t.ppf(1 - alpha / 2, np.maximum(n - 1, 1))
            lo, hi = value - t * se, value + t * se
            if bounds is not None:  # the mean lies on the scale, and so can its interval
                lo, hi = np.clip(lo, *bounds), np.clip(hi, *bounds)
            adj, adj_se = value, se
            spread = np.clip(s["wx2"] / s["w"] - value**2, 0, None) * kish / (kish - 1)
            extra = {"sd": np.sqrt(np.where(kish > 1, spread, np.nan))}
        else:  # a share of the responses (top-2 box, low effort)
            value = s["pos"] / s["w"]
            se = np.sqrt(value * (1 - value) / n)
            n_ac = n + z**2
            centre = (value * n + z**2 / 2) / n_ac
            half = z * np.sqrt(centre * (1 - centre) / n_ac)
            lo, hi = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
            lo, hi = np.fmin(lo, value), np.fmax(hi, value)  # holds already (it contains Wilson's); kept exact
            adj = (value * n + 1) / (n + 2)  # Agresti-Caffo, used in comparisons
            adj_se = np.sqrt(adj * (1 - adj) / (n + 2))
            extra = {}
    return {
        "value": value,
        "se": se,
        "ci_low": lo,
        "ci_high": hi,
        "adj": adj,
        "adj_se": adj_se,
        "n": s["count"],
        "n_eff": kish,
        "n_var": n,
        **extra,
    }


# KPI -> [(metric name, estimator kind, flag column meaning)]
def _metrics(
    kpi: str, *, top_box: tuple = (4, 5), low_effort: tuple = (1, 2, 3)
) -> list[tuple[str, str, tuple | None]]:
    if kpi == "nps":
        return [("nps", "nps", None)]
    if kpi == "csat":
        return [("mean", "mean", None), ("top2_box", "share", tuple(top_box))]
    if kpi == "ces":
        return [("mean", "mean", None), ("low_effort", "share", tuple(low_effort))]
    raise ValueError(f"kpi must be 'nps', 'csat' or 'ces', not {kpi!r}.")


def _flags(kind: str, values: tuple | None, x: np.ndarray) -> dict:
    with np.errstate(invalid="ignore"):
        if kind == "nps":
            return {"pos": (x >= PROMOTER_MIN).astype(float), "neg": (x <= DETRACTOR_MAX).astype(float)}
        if kind == "share":
            return {"pos": np.isin(x, np.asarray(values, dtype=float)).astype(float)}
    return {}


# --------------------------------------------------------------------------- summaries


def nps(
    df: pd.DataFrame,
    score: str = "nps",
    *,
    by: str | list[str] | None = None,
    weights: str | None = None,
    alpha: float = 0.05,
    ci: str = "score",
    min_n: int = MIN_N,
    check_scale: bool = True,
    calibration: Mapping[str, object] | Sequence[str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Net Promoter Score with its confidence interval, overall or per group.

    Parameters
    ----------
    df : DataFrame
        One row per response.
    score : str
        The 0-10 recommendation column. Missing scores are left out. A canonical column of
        another scale (``"csat"``, ``"ces"``) or a driver rating is refused with a message, and
        so is a column of at least 30 answers that holds only 1-7 (another scale read as 0-10
        would make everyone a detractor).
    by : str or list of str, optional
        Group columns (one row per group, sorted; a missing group value is its own group).
    weights : str, optional
        Column of survey weights (see module notes).
    alpha : float
        1 - confidence level.
    ci : {"score", "adjusted-wald", "wald"}
        Interval method: Tango's score interval (default; see the module notes), the adjusted
        Wald interval (stretched to the estimate where it misses it) or the plain Wald one.
    min_n : int
        Groups with fewer responses (effective n with weights) are flagged ``small_n``.
    check_scale : bool
        Refuse a column that holds only 1-7 (see ``score``); False skips that check.
    calibration : mapping or list, optional, keyword-only
        The margins the weights were raked or post-stratified to: the ``attrs["weighting"]``
        of :func:`cxkit.rake` / :func:`cxkit.poststratify` / :func:`cxkit.survey_weights`, or a
        list of margin columns (a tuple of columns for joint cells). The interval then uses the
        linearised variance of the calibrated estimator (the jackknife with the replicates
        raked again below :data:`JACKKNIFE_BELOW` responses; see the module notes); default: the
        entry ``df.attrs["calibration"][weights]`` if there is one (the pack sets it), else
        Kish's effective n.

    Returns
    -------
    DataFrame
        The ``by`` columns, then ``n`` (responses), ``promoters``, ``passives``, ``detractors``
        (shares 0-1), ``nps`` (-100 to 100), ``se`` (Wald standard error, points; the linearised
        or jackknife one with ``calibration``),
        ``ci_low``, ``ci_high`` (always containing ``nps``; NaN without responses),
        ``small_n`` (fewer than ``min_n`` responses: not a finding); with ``weights`` also
        ``n_eff``.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"nps": [10] * 200 + [7] * 150 + [3] * 150})   # 40% / 30% / 30%
    >>> nps(scores, ci="wald").round(1)[["n", "nps", "se", "ci_low", "ci_high"]].values.tolist()
    [[500.0, 10.0, 3.7, 2.7, 17.3]]
    >>> nps(pd.DataFrame({"nps": [10]})).round(1)[["nps", "ci_low", "ci_high", "small_n"]].values.tolist()
    [[100.0, -58.7, 100.0, True]]
    """
    _check_alpha(alpha)
    _check_min_n(min_n)
    x = _scores(df, score, kind="nps", check_scale=check_scale)
    w = _weights(df, weights)
    codes, keys, _ = _group_codes(df, by)
    flags = _flags("nps", None, x)
    variance = _calibrated(df, x, w, codes, len(keys), _calibration_margins(df, weights, calibration))
    var = None if variance is None else variance("nps", flags)
    est = _estimate("nps", _sums(x, w, codes, len(keys), flags), alpha=alpha, ci=ci, var=var)
    out = keys.copy()
    out["n"] = est["n"].astype(int)
    for col in ("promoters", "passives", "detractors"):
        out[col] = est[col]
    out["nps"], out["se"], out["ci_low"], out["ci_high"] = est["value"], est["se"], est["ci_low"], est["ci_high"]
    out["small_n"] = _small(est, weights, min_n)
    if weights is not None:
        out["n_eff"] = est["n_eff"]
    return out.reset_index(drop=True)


def _small(est: dict, weights: str | None, min_n: int) -> np.ndarray:
    """Groups below ``min_n`` responses (Kish's effective n when weighted)."""
    return np.asarray(est["n"] if weights is None else est["n_eff"], dtype=float) < min_n


def _kpi_table(
    df: pd.DataFrame,
    kpi: str,
    score: str,
    *,
    by: str | Sequence[str] | None,
    weights: str | None,
    alpha: float,
    min_n: int,
    options: dict[str, tuple],
    calibration: Mapping[str, object] | Sequence[str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    _check_alpha(alpha)
    _check_min_n(min_n)
    x = _scores(df, score, kind=kpi)
    w = _weights(df, weights)
    codes, keys, _ = _group_codes(df, by)
    frames = []
    bounds = _range(df, kpi, score)
    variance = _calibrated(df, x, w, codes, len(keys), _calibration_margins(df, weights, calibration))
    for name, kind, values in _metrics(kpi, **_on_scale(kpi, options, bounds)):
        flags = _flags(kind, values, x)
        var = None if variance is None else variance(kind, flags)
        est = _estimate(kind, _sums(x, w, codes, len(keys), flags), alpha=alpha, bounds=bounds, var=var)
        part = keys.copy()
        part["metric"] = name
        part["n"] = est["n"].astype(int)
        part["value"], part["se"], part["ci_low"], part["ci_high"] = (
            est["value"],
            est["se"],
            est["ci_low"],
            est["ci_high"],
        )
        part["small_n"] = _small(est, weights, min_n)
        if weights is not None:
            part["n_eff"] = est["n_eff"]
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def csat(
    df: pd.DataFrame,
    score: str = "csat",
    *,
    by: str | list[str] | None = None,
    weights: str | None = None,
    top_box: tuple = (4, 5),
    alpha: float = 0.05,
    min_n: int = MIN_N,
    calibration: Mapping[str, object] | Sequence[str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    """CSAT (1-5): mean and top-2-box share, each with its confidence interval.

    The mean has a t interval kept within 1-5 (NaN for a single response: it has no spread),
    the share an Agresti-Coull interval; both contain the estimate.

    Parameters
    ----------
    df : DataFrame
        One row per response (the canonical feedback table).
    score : str, default "csat"
        The 1-5 satisfaction column. Missing scores are left out. Values outside 1-5, a
        non-numeric column, or the column of another scale (``"nps"``, ``"ces"``) or a driver
        rating are refused with a message.
    by : str or list of str, optional, keyword-only
        Group columns: one row per group and metric, groups sorted, a missing group value its
        own group. None (default): one overall row per metric.
    weights : str, optional, keyword-only
        Column of survey weights (>= 0): weighted mean and share, intervals on Kish's
        effective sample size.
    top_box : tuple of int, default (4, 5), keyword-only
        The scores counted as satisfied in the ``top2_box`` share.
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the intervals.
    min_n : int, default :data:`MIN_N` (30), keyword-only
        Groups with fewer responses (effective n with weights) are flagged ``small_n``.
    calibration : mapping or list, optional, keyword-only
        The margins the weights were raked or post-stratified to (as for :func:`nps`): the
        intervals then use the linearised variance of the calibrated estimator (the jackknife
        below :data:`JACKKNIFE_BELOW` responses).

    Returns
    -------
    DataFrame
        One row per group and ``metric`` (all groups' ``mean`` rows, then their ``top2_box``
        rows):

        - the ``by`` columns (when given), the group's values
        - ``metric``: ``"mean"`` (mean score, 1-5) or ``"top2_box"`` (share of responses whose
          score is in ``top_box``, 0-1)
        - ``n``: responses with a score in the group
        - ``value``: the mean (1-5) or the share (0-1)
        - ``se``: standard error of ``value`` (of the mean: sample SD / sqrt(n); of the share:
          sqrt(share (1 - share) / n); effective n with weights). NaN for a mean of one response
        - ``ci_low``, ``ci_high``: the ``1 - alpha`` interval (t interval with n - 1 degrees of
          freedom cut to 1-5 for the mean, Agresti-Coull for the share); NaN without responses
        - ``small_n``: fewer than ``min_n`` responses: show it, do not state it as a finding
        - ``n_eff``: Kish's effective sample size, only with ``weights``

    Raises
    ------
    ValueError
        A column is missing or not numeric, a score lies outside 1-5, ``score`` names another
        scale, a weight is negative, or ``alpha`` / ``min_n`` is out of range.
    TypeError
        ``df`` is not a DataFrame.

    See Also
    --------
    compare_csat : tests of the differences between groups.
    kpi_trend : the same per month, with month-over-month tests.

    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> cx.csat(fb)[["metric", "value"]].round(2).values.tolist()
    [['mean', 3.51], ['top2_box', 0.52]]
    """
    return _kpi_table(
        df,
        "csat",
        score,
        by=by,
        weights=weights,
        alpha=alpha,
        min_n=min_n,
        options={"top_box": top_box},
        calibration=calibration,
    )


def ces(
    df: pd.DataFrame,
    score: str = "ces",
    *,
    by: str | list[str] | None = None,
    weights: str | None = None,
    low_effort: tuple = (1, 2, 3),
    alpha: float = 0.05,
    min_n: int = MIN_N,
    calibration: Mapping[str, object] | Sequence[str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    """CES (1-7, low = easy): mean and low-effort share (scores in ``low_effort``), with intervals.

    The same table as :func:`csat`, with ``metric`` ``mean`` and ``low_effort``; the mean's
    interval is kept within 1-7. A lower mean and a higher low-effort share are better.

    Parameters
    ----------
    df : DataFrame
        One row per response (the canonical feedback table).
    score : str, default "ces"
        The 1-7 effort column. Missing scores are left out. Values outside 1-7, a non-numeric
        column, or the column of another scale (``"nps"``, ``"csat"``) or a driver rating are
        refused with a message.
    by : str or list of str, optional, keyword-only
        Group columns: one row per group and metric, groups sorted, a missing group value its
        own group. None (default): one overall row per metric.
    weights : str, optional, keyword-only
        Column of survey weights (>= 0): weighted mean and share, intervals on Kish's
        effective sample size.
    low_effort : tuple of int, default (1, 2, 3), keyword-only
        The scores counted as low effort in the ``low_effort`` share.
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the intervals.
    min_n : int, default :data:`MIN_N` (30), keyword-only
        Groups with fewer responses (effective n with weights) are flagged ``small_n``.
    calibration : mapping or list, optional, keyword-only
        The margins the weights were raked or post-stratified to (as for :func:`nps`): the
        intervals then use the linearised variance of the calibrated estimator (the jackknife
        below :data:`JACKKNIFE_BELOW` responses).

    Returns
    -------
    DataFrame
        One row per group and ``metric`` (all groups' ``mean`` rows, then their
        ``low_effort`` rows):

        - the ``by`` columns (when given), the group's values
        - ``metric``: ``"mean"`` (mean effort score, 1-7, lower is easier) or
          ``"low_effort"`` (share of responses whose score is in ``low_effort``, 0-1)
        - ``n``: responses with a score in the group
        - ``value``: the mean (1-7) or the share (0-1)
        - ``se``: standard error of ``value`` (of the mean: sample SD / sqrt(n); of the share:
          sqrt(share (1 - share) / n); effective n with weights). NaN for a mean of one response
        - ``ci_low``, ``ci_high``: the ``1 - alpha`` interval (t interval with n - 1 degrees of
          freedom cut to 1-7 for the mean, Agresti-Coull for the share); NaN without responses
        - ``small_n``: fewer than ``min_n`` responses: show it, do not state it as a finding
        - ``n_eff``: Kish's effective sample size, only with ``weights``

    Raises
    ------
    ValueError
        A column is missing or not numeric, a score lies outside 1-7, ``score`` names another
        scale, a weight is negative, or ``alpha`` / ``min_n`` is out of range.
    TypeError
        ``df`` is not a DataFrame.

    See Also
    --------
    compare_ces : tests of the differences between groups.
    kpi_trend : the same per month, with month-over-month tests.

    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> cx.ces(fb)["metric"].tolist()
    ['mean', 'low_effort']
    """
    return _kpi_table(
        df,
        "ces",
        score,
        by=by,
        weights=weights,
        alpha=alpha,
        min_n=min_n,
        options={"low_effort": low_effort},
        calibration=calibration,
    )


# --------------------------------------------------------------------------- comparisons


def _test(kind: str, a: dict, b: dict, *, alpha: float, rho: float = 0.0) -> dict:
    """Difference a - b: raw difference, test statistic, p-value and interval.

    ``rho``: the correlation of the two estimates (calibrated weights make two groups of one
    sample correlated; 0 for independent samples, such as two months, or without calibration).
    """
    diff = a["value"] - b["value"]
    with np.errstate(divide="ignore", invalid="ignore"):
        est = a["adj"] - b["adj"]
        variance = a["adj_se"] ** 2 + b["adj_se"] ** 2
        if rho:
            variance = np.clip(variance - 2 * rho * a["adj_se"] * b["adj_se"], 0, None)
        se = np.sqrt(variance)
        statistic = est / se
        if kind == "mean":
            # Welch-Satterthwaite on the groups' own variances, at the n their SEs use
            dof = np.sqrt(a["adj_se"] ** 2 + b["adj_se"] ** 2) ** 4 / (
                a["adj_se"] ** 4 / (a["n_var"] - 1) + b["adj_se"] ** 4 / (b["n_var"] - 1)
            )
            p = 2 * stats.t.sf(np.abs(statistic), dof)
            crit = stats.t.ppf(1 - alpha / 2, dof)
            test = "Welch t"
        else:
            p = 2 * stats.norm.sf(np.abs(statistic))
            crit = stats.norm.ppf(1 - alpha / 2)
            test = "z, adjusted Wald" if kind == "nps" else "z, Agresti-Caffo"
        # The interval is centred on the adjusted difference the test uses, which is shrunk
        # towards 0; where the shrinkage moves it past the observed difference it is stretched
        # to it. That only moves the end away from 0, so interval and test still agree.
        low, high = np.fmin(est - crit * se, diff), np.fmax(est + crit * se, diff)
    return {
        "diff": diff,
        "se": se,
        "statistic": statistic,
        "p": p,
        "diff_ci_low": low,
        "diff_ci_high": high,
        "test": test,
    }


#: The group of responses without a value in a ``by`` column (tables and comparisons name it so).
NOT_GIVEN = "not given"


def _missing_groups(df: pd.DataFrame, by: str, missing: str) -> pd.DataFrame:
    """``df`` without the rows that have no ``by`` value (``"exclude"``, with a DataWarning), or
    with them named :data:`NOT_GIVEN` (``"include"``)."""
    if missing not in ("exclude", "include"):
        raise ValueError(f"missing must be 'exclude' or 'include', not {missing!r}.")
    if by not in df.columns:
        return df  # _group_codes names the missing column
    given = df[by].notna().to_numpy()
    if given.all():
        return df
    if missing == "include":
        return df.assign(**{by: df[by].astype(object).where(given, NOT_GIVEN)})
    warnings.warn(
        f"{int((~given).sum()):,} responses without a {by!r} value ({NOT_GIVEN!r}) are left out of the "
        f"comparison; pass missing='include' to compare them as a group of their own.",
        DataWarning,
        stacklevel=4,
    )
    return df[given]


def _compare(
    df: pd.DataFrame,
    kpi: str,
    score: str,
    *,
    by: str,
    against: str,
    pairs: Sequence[tuple[Hashable, Hashable]] | None,
    weights: str | None,
    padjust: str,
    alpha: float,
    min_n: int,
    options: dict[str, tuple],
    missing: str = "exclude",
    lump: bool = True,
    calibration: Mapping[str, object] | Sequence[str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    if by is None or not isinstance(by, str):
        raise ValueError("by= must name one group column to compare (e.g. by='segment').")
    _check_alpha(alpha)
    _check_min_n(min_n)
    df = _missing_groups(df, by, missing)
    note = None
    if lump and by in df.columns:  # a free-text category: rare groups are compared as one, "other"
        lumped, note = lump_levels(df[by], unit="responses")
        if note:
            warnings.warn(note, DataWarning, stacklevel=3)
            df = df.assign(**{by: lumped})
    x = _scores(df, score, kind=kpi)
    w = _weights(df, weights)
    codes, keys, _ = _group_codes(df, by)
    labels = keys[by].tolist()
    size = len(labels)
    plan: list[tuple[int, int | None]]
    if against == "rest":
        plan = [(i, None) for i in range(size)]
    elif against == "previous":
        plan = [(i, i - 1) for i in range(1, size)]
    elif against == "pairs":
        if pairs is None:
            plan = [(i, j) for i in range(size) for j in range(i + 1, size)]
        else:
            index = {v: i for i, v in enumerate(labels)}
            unknown = [v for pair in pairs for v in pair if v not in index]
            if unknown:
                raise ValueError(f"pairs name group(s) {unknown} not found in {by!r} (groups: {labels}).")
            plan = [(index[a], index[b]) for a, b in pairs]
    elif against in labels:
        ref = labels.index(against)
        plan = [(i, ref) for i in range(size) if i != ref]
    else:
        raise ValueError(
            f"against must be 'rest', 'previous', 'pairs' or a group of {by!r} ({labels}), not {against!r}."
        )
    rows = []
    bounds = _range(df, kpi, score)
    variance = _calibrated_contrasts(df, x, w, codes, size, _calibration_margins(df, weights, calibration), plan)
    for name, kind, values in _metrics(kpi, **_on_scale(kpi, options, bounds)):
        flags = _flags(kind, values, x)
        sums = _sums(x, w, codes, size, flags)
        var_group, var_rest, var_diff = (None, None, None) if variance is None else variance(kind, flags)
        est = _estimate(kind, sums, alpha=alpha, bounds=bounds, var=var_group)
        rest = _estimate(kind, _complement(sums), alpha=alpha, bounds=bounds, var=var_rest)
        small_est, small_rest = _small(est, weights, min_n), _small(rest, weights, min_n)
        for k, (i, j) in enumerate(plan):
            a = _take(est, i)
            b = _take(rest, i) if j is None else _take(est, j)
            rho = 0.0
            if var_group is not None and var_rest is not None and var_diff is not None:
                rho = _correlation(var_group[i], var_rest[i] if j is None else var_group[j], var_diff[k])
            test = _test(kind, a, b, alpha=alpha, rho=rho)
            rows.append(
                {
                    "by": by,
                    "group": labels[i],
                    "reference": "rest" if j is None else labels[j],
                    "metric": name,
                    "n": int(a["n"]),
                    "value": a["value"],
                    "ci_low": a["ci_low"],
                    "ci_high": a["ci_high"],
                    "n_reference": int(b["n"]),
                    "value_reference": b["value"],
                    **test,
                    "small_n": bool(small_est[i] or (small_rest[i] if j is None else small_est[j])),
                }
            )
    out = pd.DataFrame(rows)
    if out.empty:
        raise NotEnoughDataError(f"nothing to compare: {by!r} has {size} group(s).")
    out["p_adjusted"] = adjust_p(out["p"], method=padjust)
    out["significant"] = out["p_adjusted"] < alpha
    cols = [
        "by",
        "group",
        "reference",
        "metric",
        "n",
        "value",
        "ci_low",
        "ci_high",
        "n_reference",
        "value_reference",
        "diff",
        "diff_ci_low",
        "diff_ci_high",
        "se",
        "statistic",
        "test",
        "p",
        "p_adjusted",
        "significant",
        "small_n",
    ]
    out = out[cols]
    if note:
        out.attrs["notes"] = [note]
    return out


_COMPARE_DOC = """by : str, keyword-only
        The group column (segment, channel, a month column, ...); one column only.
    against : str, default "rest", keyword-only
        ``"rest"``: each group against all other responses (default); ``"previous"``: each
        group against the one before it in sorted order (month over month with a month
        column); ``"pairs"``: every pair of groups, or only ``pairs=[(a, b), ...]``; or a group
        value: every other group against that one.
    pairs : list of (group, group) tuples, optional, keyword-only
        With ``against="pairs"``, the pairs to compare (each ``(group, reference)``); None
        (default) compares every pair of groups. Ignored otherwise.
    weights : str, optional, keyword-only
        Survey-weight column (>= 0): weighted estimates, Kish's effective sample size for the
        standard errors (groups taken as independent samples).
    calibration : mapping or list, optional, keyword-only
        The margins the weights were raked or post-stratified to (as for :func:`nps`; default
        ``df.attrs["calibration"][weights]`` if set). Each group's interval and the test of each
        difference then use the linearised variance of the calibrated estimators: each side at
        the n whose simple-random-sample variance equals its linearised one (as :func:`nps`),
        and the difference's SE counts the correlation the calibration puts between the two
        sides (both share the margins' cells): the linearised variance of the difference
        (R's ``svycontrast`` of ``svyby`` on a calibrated design), the adjustments of the
        tests kept. Below :data:`JACKKNIFE_BELOW` responses the variances and the correlation
        are the jackknife's, every replicate raked again.
    padjust : {"holm", "bh", "bonferroni", "none"}, default "holm", keyword-only
        Adjustment across the rows of this table (every comparison and metric; any name
        :func:`cxkit.adjust_p` accepts); use :func:`adjust_flags` to adjust across several
        tables of one report.
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the intervals, and the level of ``significant``.
    min_n : int, default :data:`MIN_N` (30), keyword-only
        Fewer responses than this on either side (effective n with weights) flag the row
        ``small_n``.
    missing : {"exclude", "include"}, default "exclude", keyword-only
        Responses without a ``by`` value: ``"exclude"`` leaves them out of every comparison
        (the rest included), with a :class:`~cxkit.errors.DataWarning` saying how many;
        ``"include"`` compares them as a group of their own, named ``"not given"``.
    lump : bool, default True, keyword-only
        A ``by`` column with more than 12 groups (free text used as a category) has its rare
        groups (fewer than 30 responses, beyond the 11 largest) compared as one group,
        ``"other"``; the table's ``attrs["notes"]`` and a :class:`~cxkit.errors.DataWarning`
        say what was combined. False compares every group.

    Returns
    -------
    DataFrame
        One row per comparison and metric (all comparisons of the first metric, then the
        second's):

        - ``by``: the name of the group column, on every row
        - ``group``: the group compared
        - ``reference``: ``"rest"`` (every other response) or the group it is compared with
        - ``metric``: ``"nps"`` (:func:`compare_nps`; points, -100 to 100), ``"mean"`` and
          ``"top2_box"`` (:func:`compare_csat`), ``"mean"`` and ``"low_effort"``
          (:func:`compare_ces`); shares are 0-1, means on the score's scale
        - ``n``: responses with a score in ``group``
        - ``value``: the group's estimate, with ``ci_low`` / ``ci_high``, its own ``1 - alpha``
          interval (as in :func:`nps`, :func:`csat`, :func:`ces`)
        - ``n_reference``, ``value_reference``: the same for the reference
        - ``diff``: ``value - value_reference``, observed
        - ``diff_ci_low``, ``diff_ci_high``: the test's ``1 - alpha`` interval of the
          difference, centred on the adjusted difference the test uses and stretched to
          contain ``diff`` where the adjustment moved it past
        - ``se``: standard error of the (adjusted) difference, sqrt(SE1^2 + SE2^2) (with
          ``calibration``, sqrt(SE1^2 + SE2^2 - 2 r SE1 SE2), r the linearised (or jackknife)
          correlation of the two sides)
        - ``statistic``: the adjusted difference / ``se`` (z, or Welch's t)
        - ``test``: ``"z, adjusted Wald"`` (NPS: 3/4 promoter and 3/4 detractor added to each
          side's counts, 3 to its n), ``"z, Agresti-Caffo"`` (shares: one success and one
          failure added per side) or ``"Welch t"`` (means, Welch-Satterthwaite degrees of
          freedom)
        - ``p``: raw two-sided p-value of that test
        - ``p_adjusted``: ``p`` adjusted by ``padjust`` over every row of this table
        - ``significant``: ``p_adjusted < alpha``
        - ``small_n``: either side has fewer than ``min_n`` responses: show it, do not state
          it as a finding

    Raises
    ------
    ValueError
        ``by`` is not one column name, a column is missing or not numeric, a score lies
        outside its scale or ``score`` names another scale, ``against`` is not a mode or a
        group, ``pairs`` names an unknown group, a weight is negative, ``alpha`` / ``min_n`` /
        ``padjust`` is invalid, or there is nothing to compare.
    TypeError
        ``df`` is not a DataFrame.
"""


def compare_nps(
    df: pd.DataFrame,
    score: str = "nps",
    *,
    by: str,
    against: str = "rest",
    pairs: Sequence[tuple[Hashable, Hashable]] | None = None,
    weights: str | None = None,
    padjust: str = "holm",
    alpha: float = 0.05,
    min_n: int = MIN_N,
    missing: str = "exclude",
    lump: bool = True,
    calibration: Mapping[str, object] | Sequence[str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Compare NPS between groups: z = diff / sqrt(SE1^2 + SE2^2) on adjusted-Wald estimates.

    Parameters
    ----------
    df : DataFrame
        One row per response (the canonical feedback table).
    score : str, default "nps"
        The 0-10 recommendation column; missing scores are left out.
    {doc}
    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> cx.compare_nps(fb, by="segment")[["group", "reference"]].values.tolist()
    [['Consumer', 'rest'], ['Enterprise', 'rest'], ['SMB', 'rest']]
    """
    return _compare(
        df,
        "nps",
        score,
        by=by,
        against=against,
        pairs=pairs,
        weights=weights,
        padjust=padjust,
        alpha=alpha,
        min_n=min_n,
        missing=missing,
        lump=lump,
        calibration=calibration,
        options={},
    )


def compare_csat(
    df: pd.DataFrame,
    score: str = "csat",
    *,
    by: str,
    against: str = "rest",
    pairs: Sequence[tuple[Hashable, Hashable]] | None = None,
    weights: str | None = None,
    top_box: tuple = (4, 5),
    padjust: str = "holm",
    alpha: float = 0.05,
    min_n: int = MIN_N,
    missing: str = "exclude",
    lump: bool = True,
    calibration: Mapping[str, object] | Sequence[str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Compare CSAT mean (Welch t) and top-2-box share (Agresti-Caffo z) between groups.

    Parameters
    ----------
    df : DataFrame
        One row per response (the canonical feedback table).
    score : str, default "csat"
        The 1-5 satisfaction column; missing scores are left out.
    top_box : tuple of int, default (4, 5), keyword-only
        The scores counted as satisfied in the ``top2_box`` share.
    {doc}
    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> cx.compare_csat(fb, by="journey_stage", against="decision")["metric"].value_counts().to_dict()
    {{'mean': 4, 'top2_box': 4}}
    """
    return _compare(
        df,
        "csat",
        score,
        by=by,
        against=against,
        pairs=pairs,
        weights=weights,
        padjust=padjust,
        alpha=alpha,
        min_n=min_n,
        missing=missing,
        lump=lump,
        calibration=calibration,
        options={"top_box": top_box},
    )


def compare_ces(
    df: pd.DataFrame,
    score: str = "ces",
    *,
    by: str,
    against: str = "rest",
    pairs: Sequence[tuple[Hashable, Hashable]] | None = None,
    weights: str | None = None,
    low_effort: tuple = (1, 2, 3),
    padjust: str = "holm",
    alpha: float = 0.05,
    min_n: int = MIN_N,
    missing: str = "exclude",
    lump: bool = True,
    calibration: Mapping[str, object] | Sequence[str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Compare CES mean (Welch t) and low-effort share (Agresti-Caffo z) between groups.

    Parameters
    ----------
    df : DataFrame
        One row per response (the canonical feedback table).
    score : str, default "ces"
        The 1-7 effort column (low = easy); missing scores are left out.
    low_effort : tuple of int, default (1, 2, 3), keyword-only
        The scores counted as low effort in the ``low_effort`` share.
    {doc}
    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> len(cx.compare_ces(fb, by="channel", against="pairs", pairs=[("web", "app")]))
    2
    """
    return _compare(
        df,
        "ces",
        score,
        by=by,
        against=against,
        pairs=pairs,
        weights=weights,
        padjust=padjust,
        alpha=alpha,
        min_n=min_n,
        missing=missing,
        lump=lump,
        calibration=calibration,
        options={"low_effort": low_effort},
    )


for _f in (compare_nps, compare_csat, compare_ces):
    if _f.__doc__ is not None:  # None under python -OO, which strips docstrings
        _f.__doc__ = _f.__doc__.format(doc=_COMPARE_DOC)


# --------------------------------------------------------------------------- trends and headlines


def kpi_trend(
    df: pd.DataFrame,
    kpi: str = "nps",
    *,
    score: str | None = None,
    date: str = "responded_at",
    month: str | None = None,
    periods: int = 12,
    weights: str | None = None,
    padjust: str = "holm",
    alpha: float = 0.05,
    top_box: tuple = (4, 5),
    low_effort: tuple = (1, 2, 3),
    min_n: int = MIN_N,
    calibration: Mapping[str, object] | Sequence[str | Sequence[str]] | None = None,
) -> pd.DataFrame:
    """A KPI per calendar month with its interval and the test of each month-over-month change.

    Each month is estimated as :func:`nps`, :func:`csat` or :func:`ces` would on that month's
    responses, and compared with the month before it in the table by the tests of
    :func:`compare_nps` (z on adjusted-Wald NPS, Welch t for means, Agresti-Caffo z for shares).

    Parameters
    ----------
    df : DataFrame
        One row per response (the canonical feedback table).
    kpi : {"nps", "csat", "ces"}, default "nps"
        The KPI: NPS (one metric), CSAT or CES (two metrics each, mean and share).
    score : str, optional, keyword-only
        The score column (default: the KPI's canonical column, named like ``kpi``).
    date : str, default "responded_at", keyword-only
        Response timestamp column.
    month : str, optional, keyword-only
        Last month shown (``YYYY-MM``); default the last complete month in the data.
    periods : int, default 12, keyword-only
        Number of calendar months shown, ending with ``month``; months without responses have
        no row.
    weights : str, optional, keyword-only
        Survey-weight column (>= 0): weighted estimates, Kish's effective sample size.
    padjust : str, default "holm", keyword-only
        Adjustment of the month-over-month p-values across every change in the table (all
        months and metrics; any name :func:`cxkit.adjust_p` accepts). The pack re-adjusts
        them with :func:`headline_flags` instead.
    alpha : float, default 0.05, keyword-only
        1 - confidence level of the intervals, and the level of ``significant``.
    top_box : tuple of int, default (4, 5), keyword-only
        CSAT scores counted as satisfied (``kpi="csat"`` only).
    low_effort : tuple of int, default (1, 2, 3), keyword-only
        CES scores counted as low effort (``kpi="ces"`` only).
    min_n : int, default :data:`MIN_N` (30), keyword-only
        A month with fewer responses (effective n with weights) is flagged ``small_n``.
    calibration : mapping or list, optional, keyword-only
        The margins each month's weights were raked or post-stratified to (as for
        :func:`nps`; default ``df.attrs["calibration"][weights]`` if set): each month's
        interval then uses the linearised variance of the calibrated estimator, the month its
        own stratum (the jackknife for a month of fewer than :data:`JACKKNIFE_BELOW` responses).

    Returns
    -------
    DataFrame
        One row per month and metric (all months of the first metric, then the second's):

        - ``period``: the month, ``YYYY-MM``
        - ``metric``: ``"nps"``; ``"mean"`` and ``"top2_box"`` (CSAT); ``"mean"`` and
          ``"low_effort"`` (CES)
        - ``n``: responses with a score in the month
        - ``n_eff``: Kish's effective sample size of the month, only with ``weights``
        - ``value``: the month's estimate (NPS in points, -100 to 100; a mean on the score's
          scale; a share 0-1), with ``ci_low`` / ``ci_high``, its ``1 - alpha`` interval
        - ``previous_period``: the month it is compared with (the row before it; None for the
          first month)
        - ``previous``: that month's ``value``
        - ``change``: ``value - previous``, observed
        - ``change_ci_low``, ``change_ci_high``: the test's interval of the change (as
          ``diff_ci_low`` / ``diff_ci_high`` in :func:`compare_nps`)
        - ``statistic``: z or Welch's t of the change
        - ``p``: raw two-sided p-value of the change
        - ``p_adjusted``: ``p`` adjusted by ``padjust`` over every change in the table
        - ``significant``: ``p_adjusted < alpha``
        - ``small_n``: the month, or the month it is compared with, has fewer than ``min_n``
          responses: its value and change are shown, not stated as findings

        The change columns are empty (NaN, ``significant`` False) for the first month.
        ``attrs``: ``kpi``, ``score``, ``month`` (the last month, ``YYYY-MM``) and ``min_n``.

    Raises
    ------
    ValueError
        ``kpi`` is not one of the three, the date or score column is missing, ``periods`` is
        not a whole number >= 1, no response falls in the months shown, a score lies outside
        its scale, or ``alpha`` / ``min_n`` / ``padjust`` is invalid.

    See Also
    --------
    kpi_headline : one month of this table as the KPI dict of ``results.json``.

    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> t = cx.kpi_trend(fb, "nps")
    >>> t.loc[t["significant"], "period"].tolist()
    ['2026-08']
    """
    options = {"top_box": top_box, "low_effort": low_effort}
    score = score or kpi
    _metrics(kpi)
    _check_alpha(alpha)
    _check_min_n(min_n)
    if date not in df.columns:
        raise ValueError(f"date column {date!r} not found; pass date= with the response timestamp column.")
    if not isinstance(periods, (int, np.integer)) or periods < 1:
        raise ValueError(f"periods must be a whole number >= 1, not {periods!r}.")
    dates = pd.to_datetime(df[date])
    end = resolve_month(month, dates)
    months = dates.dt.to_period("M")
    shown = [end - k for k in range(periods - 1, -1, -1)]
    part = df.loc[months.isin(shown).to_numpy()].assign(period=months[months.isin(shown)].astype(str).to_numpy())
    if part.empty:
        raise NotEnoughDataError(f"no responses between {shown[0]} and {end} in {date!r}.")
    x = _scores(part, score, kind=kpi)
    w = _weights(part, weights)
    codes, keys, _ = _group_codes(part, "period")
    labels = keys["period"].tolist()
    frames = []
    bounds = _range(df, kpi, score)
    # calibrated weights are calibrated per month (as the pack weights them): each month its own stratum
    found = _calibration_margins(part, weights, calibration)
    variance = _calibrated(part, x, w, codes, len(labels), found, strata=codes)
    for name, kind, values in _metrics(kpi, **_on_scale(kpi, options, bounds)):
        flags = _flags(kind, values, x)
        var = None if variance is None else variance(kind, flags)
        est = _estimate(kind, _sums(x, w, codes, len(labels), flags), alpha=alpha, bounds=bounds, var=var)
        small = _small(est, weights, min_n)
        rows = []
        for i, label in enumerate(labels):
            row = {
                "period": label,
                "metric": name,
                "n": int(est["n"][i]),
                **({} if weights is None else {"n_eff": float(est["n_eff"][i])}),
                "value": est["value"][i],
                "ci_low": est["ci_low"][i],
                "ci_high": est["ci_high"][i],
                "previous_period": None,
                "previous": np.nan,
                "change": np.nan,
                "change_ci_low": np.nan,
                "change_ci_high": np.nan,
                "statistic": np.nan,
                "p": np.nan,
                "small_n": bool(small[i] or (i > 0 and small[i - 1])),
            }
            if i > 0:
                test = _test(kind, _take(est, i), _take(est, i - 1), alpha=alpha)
                row.update(
                    {
                        "previous_period": labels[i - 1],
                        "previous": est["value"][i - 1],
                        "change": test["diff"],
                        "change_ci_low": test["diff_ci_low"],
                        "change_ci_high": test["diff_ci_high"],
                        "statistic": test["statistic"],
                        "p": test["p"],
                    }
                )
            rows.append(row)
        frames.append(pd.DataFrame(rows))
    out = pd.concat(frames, ignore_index=True)
    out["p_adjusted"] = adjust_p(out["p"], method=padjust)
    out["significant"] = out["p_adjusted"] < alpha
    out = out[[c for c in out.columns if c != "small_n"] + ["small_n"]]
    out.attrs = {"kpi": kpi, "score": score, "month": str(end), "min_n": min_n}
    return out


def kpi_headline(trend: pd.DataFrame, *, month: str | None = None, metric: str | None = None) -> dict:
    """The KPI dict of ``results.json`` for one month of a :func:`kpi_trend` table.

    Parameters
    ----------
    trend : DataFrame
        A :func:`kpi_trend` table, usually after :func:`headline_flags` (whose ``p_adjusted``
        then becomes ``change_p``).
    month : str, optional, keyword-only
        The month (``YYYY-MM``); default the last month of the table.
    metric : str, optional, keyword-only
        The metric (``"nps"``, ``"mean"``, ``"top2_box"``, ``"low_effort"``); default the
        table's first.

    Returns
    -------
    dict
        ``value``, ``ci_low``, ``ci_high`` (the month's estimate and interval), ``n``
        (responses), ``previous`` (the previous month's value), ``change`` (value - previous),
        ``change_p`` (the table's *adjusted* p-value, ``p_adjusted``, which decides
        ``significant``), ``change_p_raw`` (the raw ``p``), ``significant``, ``month``,
        ``previous_month``, ``small_n`` (the month, or the month before, has fewer than
        ``min_n`` responses, so the value is not a finding) and ``min_n`` (from the table's
        ``attrs``, default :data:`MIN_N`); ``n_eff`` (Kish's effective sample size) when the
        table is weighted. ``previous``, ``change``, ``change_p``,
        ``change_p_raw`` and ``previous_month`` are None, and ``significant`` False, when the
        month has no previous month to compare with.

    Raises
    ------
    ValueError
        ``metric`` or ``month`` is not in the table.

    Examples
    --------
    >>> import cxkit as cx
    >>> fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    >>> h = cx.kpi_headline(cx.kpi_trend(fb, "nps", month="2026-08"))
    >>> round(h["change"], 1), h["significant"]
    (-13.4, True)
    """
    metric = metric or trend["metric"].iloc[0]
    rows = trend[trend["metric"] == metric]
    if rows.empty:
        raise ValueError(f"metric {metric!r} not in the trend table (metrics: {trend['metric'].unique().tolist()}).")
    month = str(month) if month else rows["period"].iloc[-1]
    row = rows[rows["period"] == month]
    if row.empty:
        raise ValueError(f"month {month} not in the trend table (months: {rows['period'].tolist()}).")
    r = row.iloc[0]
    has_prev = pd.notna(r["p"])
    return {
        "value": float(r["value"]),
        "ci_low": float(r["ci_low"]),
        "ci_high": float(r["ci_high"]),
        "n": int(r["n"]),
        "previous": float(r["previous"]) if has_prev else None,
        "change": float(r["change"]) if has_prev else None,
        "change_p": float(r["p_adjusted"]) if has_prev else None,
        "change_p_raw": float(r["p"]) if has_prev else None,
        "significant": bool(r["significant"]) if has_prev else False,
        "month": month,
        "previous_month": r["previous_period"] if has_prev else None,
        "small_n": bool(r["small_n"]) if "small_n" in r.index else False,
        "min_n": trend.attrs.get("min_n", MIN_N),
        **({"n_eff": float(r["n_eff"])} if "n_eff" in r.index else {}),
    }


# --------------------------------------------------------------------------- the report
