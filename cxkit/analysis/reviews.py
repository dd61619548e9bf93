"""The review analyses behind the "Review sentiment" page (``cxkit/pack/review_sentiment.py``).

- :func:`score_reviews` scores every review (:func:`cxkit.sentiment`), calibrates on the star
  ratings when that helps (:func:`cxkit.calibrate_sentiment`, learning from a bounded sample
  stratified by rating and scoring the other reviews out of sample) and tags themes
  (:func:`cxkit.tag_themes`); a big table is read a run of months at a time.
- :func:`sentiment_headline`: the month's mean sentiment with its 95% interval against the
  month before (Welch t-test), one test of the pack's headline family (Bonferroni-adjusted,
  :data:`cxkit._stats.HEADLINE_POLICY`).
- :func:`sentiment_trend` (monthly means with 95% intervals), :func:`theme_summary` (per theme:
  volume, sentiment, the change of negative mentions with Holm-adjusted tests, the star
  rating's association), :func:`rating_agreement` (sentiment against the stars) and
  :func:`comment_summary` (the month's survey comments) and :func:`sentiment_by_group` (each
  group's sentiment against the rest, Holm-adjusted across the groups).

Every mean comes with a 95% confidence interval.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .. import progress
from .._stats import adjust_p, headline_change, wilson_interval
from ..data.catalog import MonthlyReader
from ..display import SafeDisplay, safe_text, table
from ..errors import NotEnoughDataError
from ..periods import month_of, resolve_month
from .calibration import SentimentModel, rating_scale, rating_to_class
from .sentiment import calibrate_sentiment, sentiment
from .themes import ThemeSet, tag_themes, theme_dictionary

__all__ = [
    "score_reviews",
    "sentiment_by_group",
    "ScoredReviews",
    "sentiment_headline",
    "sentiment_trend",
    "theme_summary",
    "rating_agreement",
    "comment_summary",
]

_Z = stats.norm.ppf(0.975)


def _mean_ci(values: pd.Series) -> tuple[float, float, float, int]:
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    n = len(v)
    if n == 0:
        return float("nan"), float("nan"), float("nan"), 0
    mean = float(v.mean())
    if n < 2:
        return mean, float("nan"), float("nan"), n
    half = stats.t.ppf(0.975, n - 1) * v.std(ddof=1) / np.sqrt(n)
    # A compound score lies in -1..1, and so does its interval (a t interval of a few texts can overshoot).
    return mean, max(mean - half, -1.0), min(mean + half, 1.0), n


def sentiment_trend(
    df: pd.DataFrame,
    *,
    by: str | None = None,
    month: str | pd.Period | None = None,
    months: int | None = None,
    date: str = "published_at",
    compound: str = "compound",
    label: str = "label",
) -> pd.DataFrame:
    """Mean sentiment per month (and per ``by`` group) with a 95% t confidence interval.

    Unscored texts (missing compound) are left out; texts without a date too (no month), and
    so are texts without a ``by`` value.

    Parameters
    ----------
    df : DataFrame
        Scored reviews or comments: a date, the ``compound`` score and the ``label`` of
        :func:`cxkit.sentiment` (e.g. from :func:`score_reviews`).
    by : str, optional, keyword-only
        A group column (e.g. ``"source"``): one row per month and group. None (default): one
        row per month.
    month : str or pandas.Period, optional, keyword-only
        The last month of the table (``YYYY-MM``): later texts are left out. None (default):
        the latest month with a scored text.
    months : int, optional, keyword-only
        A window of calendar months ending at ``month``: only the last ``months`` months are
        kept (24 gives the months a report's trend figures show; :data:`cxkit.plots.TREND_MONTHS`).
        None (default): every month.
    date : str, default "published_at", keyword-only
        The date column that assigns each text to its calendar month.
    compound : str, default "compound", keyword-only
        The sentiment score column (-1 to 1).
    label : str, default "label", keyword-only
        The sentiment label column (``"positive"``, ``"neutral"``, ``"negative"``).

    Returns
    -------
    DataFrame
        One row per month (and group) with a scored text, in order; empty (with these
        columns) when nothing is scored:

        - ``month``: ``YYYY-MM``
        - the ``by`` column (when given): the group
        - ``n``: scored texts
        - ``mean_compound``: their mean ``compound`` (-1 to 1), with ``ci_low`` /
          ``ci_high``, its 95% t interval (NaN for a single text)
        - ``share_positive``, ``share_negative``: shares (0-1) of the scored texts labelled
          positive, negative

    Raises
    ------
    KeyError
        The date, ``compound``, ``label`` or ``by`` column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"published_at": pd.to_datetime(["2026-01-05", "2026-01-09", "2026-02-01"]),
    ...                    "compound": [0.5, -0.1, 0.2], "label": ["positive", "negative", "positive"]})
    >>> sentiment_trend(df)[["month", "n", "mean_compound"]]
         month  n  mean_compound
    0  2026-01  2            0.2
    1  2026-02  1            0.2
    >>> sentiment_trend(df, month="2026-02", months=1)[["month", "n"]]
         month  n
    0  2026-02  1
    """
    # only the columns used: a full copy of every review (texts included) doubled the page's memory
    used = list(dict.fromkeys([date, compound, label] + ([by] if by else [])))
    data = df.loc[df[compound].notna(), used]
    data["month"] = month_of(data[date])
    data = data[data["month"].notna()]
    if (month is not None or months is not None) and len(data):
        last = pd.Period(month, freq="M") if month is not None else data["month"].max()
        keep = data["month"] <= last
        if months is not None:
            keep &= data["month"] > last - months
        data = data[keep]
    keys = ["month"] + ([by] if by else [])
    rows = []
    for key, group in data.groupby(keys, observed=True, sort=True):
        mean, lo, hi, n = _mean_ci(group[compound])
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        row.update(
            n=n,
            mean_compound=mean,
            ci_low=lo,
            ci_high=hi,
            share_positive=float((group[label] == "positive").mean()),
            share_negative=float((group[label] == "negative").mean()),
        )
        rows.append(row)
    columns = keys + ["n", "mean_compound", "ci_low", "ci_high", "share_positive", "share_negative"]
    out = pd.DataFrame(rows, columns=columns)
    if len(out):
        out["month"] = out["month"].astype(str)
    return out


def _two_proportion_p(x1: int, n1: int, x2: int, n2: int) -> float:
    if n1 == 0 or n2 == 0:
        return float("nan")
    p = (x1 + x2) / (n1 + n2)
    se = np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (x1 / n1 - x2 / n2) / se
    return float(2 * stats.norm.sf(abs(z)))


def sentiment_by_group(
    df: pd.DataFrame,
    *,
    by: str,
    compound: str = "compound",
    label: str = "label",
    alpha: float = 0.05,
    padjust: str = "holm",
    min_n: int = 30,
) -> pd.DataFrame:
    """Each group's sentiment against the rest: mean with its 95% interval, class shares, tests.

    Per value of ``by`` (rows with a score only): the mean ``compound`` with its t interval
    (clipped to -1..1), the shares of negative, neutral and positive texts, and two tests
    against all other scored rows: the mean (Welch t-test) and the share negative (two-sample
    z-test of proportions). Each family of tests is adjusted across the groups (``padjust``);
    a difference counts only when its adjusted p is below ``alpha`` and both sides have at
    least ``min_n`` texts.

    Parameters
    ----------
    df : DataFrame
        Scored texts, one row each (e.g. comments scored with :func:`cxkit.sentiment`).
    by : str, keyword-only
        The group column (segment, channel, ...); rows without a value are left out.
    compound, label : str, keyword-only
        The score (-1 to 1) and class (negative, neutral, positive) columns.
    alpha : float, default 0.05, keyword-only
    padjust : str, default "holm", keyword-only
        The adjustment across the groups (:func:`cxkit._stats.adjust_p`).
    min_n : int, default 30, keyword-only
        The smallest group (and rest) a difference is claimed for.

    Returns
    -------
    DataFrame
        One row per group, in the order of its values: ``by`` (the column's name), ``value``,
        ``n``, ``mean``, ``ci_low``, ``ci_high``, ``share_negative``, ``share_neutral``,
        ``share_positive``, ``n_rest``, ``mean_rest``, ``share_negative_rest``, ``p_mean``,
        ``p_mean_adjusted``, ``mean_differs`` (bool), ``p_negative``, ``p_negative_adjusted``,
        ``negative_differs`` (bool), ``small_n`` (bool).

    Examples
    --------
    >>> df = pd.DataFrame({"segment": ["a"] * 40 + ["b"] * 40,
    ...                    "compound": [-0.5] * 30 + [0.1] * 10 + [0.5] * 30 + [0.0] * 10})
    >>> df["label"] = np.where(df["compound"] <= -0.05, "negative", np.where(df["compound"] >= 0.05, "positive", "neutral"))
    >>> out = sentiment_by_group(df, by="segment")
    >>> out[["value", "n", "mean", "share_negative", "mean_differs", "negative_differs"]].round(3)
      value   n   mean  share_negative  mean_differs  negative_differs
    0     a  40 -0.350            0.75          True              True
    1     b  40  0.375            0.00          True              True
    """
    if by not in df.columns:
        raise ValueError(f"sentiment_by_group: by={by!r} is not a column of df")
    scores = pd.to_numeric(df[compound], errors="coerce")
    data = pd.DataFrame({"value": df[by], "compound": scores, "label": df[label]})
    data = data[data["compound"].notna() & data["value"].notna()]
    rows = []
    total_n = len(data)
    total_neg = int((data["label"] == "negative").sum())
    for value, group in data.groupby("value", sort=True):
        mean, lo, hi, n = _mean_ci(group["compound"])
        neg = int((group["label"] == "negative").sum())
        rest = data.loc[data["value"] != value, "compound"].to_numpy(dtype=float)
        n_rest = total_n - n
        mean_rest = float(rest.mean()) if n_rest else float("nan")
        p_mean = float("nan")
        if n >= 2 and n_rest >= 2:
            with warnings.catch_warnings():  # identical scores (a canned text): the test is NaN, said as such
                warnings.simplefilter("ignore", RuntimeWarning)
                p_mean = float(stats.ttest_ind(group["compound"], rest, equal_var=False).pvalue)
        rows.append(
            {
                "by": by,
                "value": value,
                "n": n,
                "mean": mean,
                "ci_low": lo,
                "ci_high": hi,
                "share_negative": neg / n,
                "share_neutral": float((group["label"] == "neutral").mean()),
                "share_positive": float((group["label"] == "positive").mean()),
                "n_rest": n_rest,
                "mean_rest": mean_rest,
                "share_negative_rest": (total_neg - neg) / n_rest if n_rest else float("nan"),
                "p_mean": p_mean,
                "p_negative": _two_proportion_p(neg, n, total_neg - neg, n_rest),
            }
        )
    columns = [
        "by", "value", "n", "mean", "ci_low", "ci_high", "share_negative", "share_neutral", "share_positive",
        "n_rest", "mean_rest", "share_negative_rest", "p_mean", "p_mean_adjusted", "mean_differs",
        "p_negative", "p_negative_adjusted", "negative_differs", "small_n",
    ]  # fmt: skip
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=columns)
    out["small_n"] = (out["n"] < min_n) | (out["n_rest"] < min_n)
    for test in ("mean", "negative"):
        # groups too small to claim anything are not tests of the family
        p = out[f"p_{test}"].where(~out["small_n"])
        out[f"p_{test}_adjusted"] = adjust_p(p.to_numpy(dtype=float), padjust)
        out[f"{test}_differs"] = out[f"p_{test}_adjusted"].lt(alpha)
    return out[columns]


def theme_summary(
    df: pd.DataFrame,
    *,
    month: str | pd.Period,
    themes: list[str],
    date: str = "published_at",
    rating: str = "rating",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Per theme this month: volume, share negative, mean sentiment, change, rating association.

    Parameters
    ----------
    df : DataFrame
        Scored reviews (e.g. from :func:`score_reviews`): the date, ``compound`` and
        ``label`` of :func:`cxkit.sentiment` (those two names are fixed), the star rating and
        one boolean column per theme (:func:`cxkit.tag_themes`). Reviews after ``month`` are
        ignored.
    month : str or pandas.Period, keyword-only
        The month (``YYYY-MM``); the previous calendar month is the comparison.
    themes : list of str, keyword-only
        The theme columns to summarise (one row each).
    date : str, default "published_at", keyword-only
        The date column.
    rating : str, default "rating", keyword-only
        The rating column, in its own scale (1-5 stars, or the catalog's ``scales``, e.g. a
        1-10 rating): the ``rating_*`` columns are in that scale. Without it they are NaN.
    alpha : float, default 0.05, keyword-only
        Level of ``emerging`` (the intervals are always 95%, the adjustment always Holm).

    Returns
    -------
    DataFrame
        One row per theme, emerging themes first, then by ``change`` (largest first); an
        empty DataFrame when ``themes`` is empty. Shares and rates are 0-1; "scored" means
        with a ``compound``.

        - ``theme``
        - ``n``: scored reviews this month that mention the theme
        - ``share_of_reviews``: ``n`` / all scored reviews this month
        - ``share_negative``: share of those ``n`` reviews labelled negative
        - ``mean_compound``: their mean ``compound`` (-1 to 1), with ``ci_low`` / ``ci_high``,
          its 95% t interval
        - ``negative_rate``: negative reviews mentioning the theme per scored review this month
        - ``previous_rate``: the same in the previous month (NaN when it has no scored
          review: then ``change``, ``p`` and ``p_adjusted`` are NaN and no theme is emerging)
        - ``change``: ``negative_rate - previous_rate`` (percentage points / 100)
        - ``p``: raw two-sided p-value of the pooled two-proportion z-test of the two rates
          (NaN when a month has no scored review)
        - ``p_adjusted``: ``p`` Holm-adjusted over the themes
        - ``emerging``: the rate rose and ``p_adjusted < alpha``
        - ``rating_with``, ``rating_without``: mean rating (in its own scale) of the reviews
          given (all months up to this one) that do / do not mention the theme
        - ``rating_diff``: ``rating_with - rating_without``
        - ``rating_p``: raw p-value of Welch's t-test of that difference (NaN with fewer than
          two rated reviews on a side)
        - ``rating_p_adjusted``: ``rating_p`` Holm-adjusted over the themes tested (a finding
          about one theme's rating is drawn from this one)

    Raises
    ------
    KeyError
        A theme column, ``compound``, ``label`` or the date column is missing.
    ValueError
        ``month`` is not a month.
    """
    month = pd.Period(month, freq="M")
    # only the columns used (a copy of every review's texts doubled the page's memory)
    used = [date, "compound", "label", *themes] + ([rating] if rating in df else [])
    data = df[list(dict.fromkeys(used))].copy()
    data["_month"] = month_of(data[date])
    data = data[data["_month"] <= month]
    cur = data[data["_month"] == month]
    prev = data[data["_month"] == month - 1]
    scored_cur = cur[cur["compound"].notna()]
    scored_prev = prev[prev["compound"].notna()]
    rows = []
    for theme in themes:
        in_cur = scored_cur[scored_cur[theme]]
        mean, lo, hi, n = _mean_ci(in_cur["compound"])
        neg_cur = int((in_cur["label"] == "negative").sum())
        neg_prev = int(((scored_prev["label"] == "negative") & scored_prev[theme]).sum())
        rate = neg_cur / len(scored_cur) if len(scored_cur) else float("nan")
        prev_rate = neg_prev / len(scored_prev) if len(scored_prev) else float("nan")
        stars = pd.to_numeric(data[rating], errors="coerce") if rating in data else pd.Series(np.nan, index=data.index)
        with_r = stars[data[theme]].dropna()
        without_r = stars[~data[theme]].dropna()
        if len(with_r) > 1 and len(without_r) > 1:
            rating_p = float(stats.ttest_ind(with_r, without_r, equal_var=False).pvalue)
        else:
            rating_p = float("nan")
        rows.append(
            {
                "theme": theme,
                "n": n,
                "share_of_reviews": n / len(scored_cur) if len(scored_cur) else float("nan"),
                "share_negative": neg_cur / n if n else float("nan"),
                "mean_compound": mean,
                "ci_low": lo,
                "ci_high": hi,
                "negative_rate": rate,
                "previous_rate": prev_rate,
                "change": rate - prev_rate,
                "p": _two_proportion_p(neg_cur, len(scored_cur), neg_prev, len(scored_prev)),
                "rating_with": float(with_r.mean()) if len(with_r) else float("nan"),
                "rating_without": float(without_r.mean()) if len(without_r) else float("nan"),
                "rating_p": rating_p,
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["rating_diff"] = out["rating_with"] - out["rating_without"]
    out["p_adjusted"] = adjust_p(out["p"].to_numpy(), "holm")
    out["rating_p_adjusted"] = adjust_p(out["rating_p"].to_numpy(), "holm")
    out["emerging"] = (out["change"] > 0) & (out["p_adjusted"] < alpha)
    cols = [
        "theme",
        "n",
        "share_of_reviews",
        "share_negative",
        "mean_compound",
        "ci_low",
        "ci_high",
        "negative_rate",
        "previous_rate",
        "change",
        "p",
        "p_adjusted",
        "emerging",
        "rating_with",
        "rating_without",
        "rating_diff",
        "rating_p",
        "rating_p_adjusted",
    ]
    return out[cols].sort_values(["emerging", "change"], ascending=[False, False]).reset_index(drop=True)


def rating_agreement(
    df: pd.DataFrame, *, rating: str = "rating", compound: str = "compound", label: str = "label"
) -> pd.DataFrame:
    """How well sentiment agrees with the star rating (1-5) on the same reviews.

    The stars' class is 1-2 negative, 3 neutral, 4-5 positive; a rating on another scale
    (``df.attrs["scales"]``, from the catalog's ``scales``) is mapped onto 1-5 first
    (:func:`cxkit.analysis.calibration.rating_to_class`). Reviews missing the rating, the score
    or the label are left out. Every interval is 95%.

    Parameters
    ----------
    df : DataFrame
        Scored, rated reviews (e.g. from :func:`score_reviews`).
    rating : str, default "rating", keyword-only
        The star-rating column (1-5; values that are not numbers count as missing).
    compound : str, default "compound", keyword-only
        The sentiment score column (-1 to 1).
    label : str, default "label", keyword-only
        The sentiment label column (``"positive"``, ``"neutral"``, ``"negative"``).

    Returns
    -------
    DataFrame
        One row per measure, columns ``metric``, ``value``, ``ci_low``, ``ci_high`` and ``n``
        (the reviews it is computed on). The rows of ``metric``:

        - ``spearman_rho``: Spearman's rank correlation of ``compound`` and the stars,
          Fisher-z interval (only with at least 3 reviews)
        - ``accuracy``: share of reviews whose label is the stars' class, Wilson interval
        - ``binary_accuracy``: on 1-2 and 4-5 star reviews only, share where "label is
          positive" matches "4-5 stars", Wilson interval
        - ``cohen_kappa``: Cohen's kappa of the label against the stars' class, interval from
          its large-sample standard error (only with at least one review)

    Raises
    ------
    KeyError
        A named column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"rating": [1, 2, 3, 4, 5, 5], "compound": [-0.8, -0.2, 0.0, 0.3, 0.9, 0.7],
    ...                    "label": ["negative", "negative", "neutral", "positive", "positive", "positive"]})
    >>> rating_agreement(df).set_index("metric").loc["accuracy", "value"]
    np.float64(1.0)
    """
    data = df[[rating, compound, label]].copy()
    data[rating] = pd.to_numeric(data[rating], errors="coerce")
    data = data.dropna()
    rows = []
    n = len(data)
    if n >= 3:
        rho = stats.spearmanr(data[compound], data[rating]).statistic
        se = 1 / np.sqrt(max(n - 3, 1))
        z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
        rows.append(("spearman_rho", rho, np.tanh(z - _Z * se), np.tanh(z + _Z * se), n))
    # On another scale (the catalog's scales, kept in attrs) the rating is mapped onto 1-5 first.
    truth = rating_to_class(data[rating], rating_scale(df, rating)).to_numpy(dtype=object)
    pred = data[label].to_numpy(dtype=object)

    def wilson(k, m):
        if m == 0:
            return float("nan"), float("nan"), float("nan")
        low, high = wilson_interval(k, m)
        return k / m, float(low), float(high)

    acc = wilson(int((truth == pred).sum()), n)
    rows.append(("accuracy", *acc, n))
    polar = truth != "neutral"
    m = int(polar.sum())
    bacc = wilson(int(((pred[polar] == "positive") == (truth[polar] == "positive")).sum()), m)
    rows.append(("binary_accuracy", *bacc, m))
    if n:
        classes = ["negative", "neutral", "positive"]
        po = float((truth == pred).mean())
        pe = sum(float((truth == c).mean()) * float((pred == c).mean()) for c in classes)
        kappa = (po - pe) / (1 - pe) if pe < 1 else float("nan")
        se = np.sqrt(po * (1 - po) / (n * (1 - pe) ** 2)) if pe < 1 else float("nan")
        rows.append(("cohen_kappa", kappa, kappa - _Z * se, kappa + _Z * se, n))
    return pd.DataFrame(rows, columns=["metric", "value", "ci_low", "ci_high", "n"])


@dataclass
class ScoredReviews(SafeDisplay):
    """Every review scored and tagged (see :func:`score_reviews`).

    Attributes
    ----------
    month : pandas.Period
        The report month (the one month whose texts are kept when the reviews are read a run of
        months at a time).
    scored : pandas.DataFrame
        One row per review, in the input's order: its columns (``text`` and ``title`` only for
        the report month when read from a :class:`~cxkit.data.catalog.MonthlyReader`), then
        ``language``, ``scored``, ``compound``, ``label``, ``words`` (from :func:`cxkit.sentiment`,
        or from the calibrated model when it is used), one boolean column per theme, and
        ``_month`` (the month of ``published_at``; missing for a review without a date).
    themes : list of str
        The theme columns.
    calibration : pandas.DataFrame
        Empty without calibration; else one row: ``n`` (rated reviews learnt from),
        ``cv_accuracy``, ``cv_macro_f1``, ``lexicon_accuracy``, ``used``, ``rated`` (rated
        reviews in the table); or ``n`` = 0 and ``note`` when the model could not be fitted.
    model : SentimentModel or None
        The fitted calibration (also when it is not used).
    used : bool
        True when the scores come from the calibrated model.
    sampled : bool
        True when the model learnt from a sample of the rated reviews.
    """

    month: pd.Period
    scored: pd.DataFrame
    themes: list[str]
    calibration: pd.DataFrame
    model: SentimentModel | None = None
    used: bool = False
    sampled: bool = False

    def _lines(self) -> list[str]:
        data = self.scored
        n_month = int((data["_month"] == self.month).sum()) if "_month" in data else 0
        source = "lexicon"
        if self.used and self.model is not None:
            source = f"calibrated model (cross-validated accuracy {self.model.cv_accuracy_:.3f})"
        return [
            f"ScoredReviews({self.month}): {len(data):,} reviews, {n_month:,} in {self.month}, "
            f"{int(data['compound'].notna().sum()) if 'compound' in data else 0:,} scored",
            f"scores from the {source}; themes: {', '.join(map(str, self.themes))}",
        ]

    def __repr__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        html = "".join(f'<p class="cx-note">{safe_text(line)}</p>' for line in self._lines())
        if len(self.calibration):
            html += table(self.calibration, caption="Calibration on the rated reviews", digits=3)._repr_html_()
        return html


def score_reviews(
    df: pd.DataFrame | MonthlyReader,
    *,
    month: str | None = None,
    settings: dict | None = None,
    calibrate: str | bool = "auto",
    seed: int = 0,
    calibrate_max: int = 20_000,
    chunk_rows: int = 100_000,
    themes: ThemeSet | None = None,
) -> ScoredReviews:
    """Score and tag every review, calibrated on the star ratings when that helps.

    Parameters
    ----------
    df : pandas.DataFrame or MonthlyReader
        The canonical reviews table (``text``, ``published_at``, ``source``, ``rating``,
        ``language``), or ``catalog.monthly("reviews")`` to read a big table a run of months
        at a time (see ``chunk_rows``); both give the same numbers. An export without dates
        (no ``published_at`` column, or an empty one) is scored too: its reviews have no
        month (``_month`` is missing) and ``month`` must be given.
    month : str, keyword-only
        ``YYYY-MM``; empty or None: the last complete month in the data. Only this month's
        texts are kept when ``reviews`` is a reader.
    settings : dict, keyword-only
        The catalog's ``settings`` (``settings["themes"]`` extends the theme dictionary).
    calibrate : "auto", True or False, keyword-only
        "auto": fit :func:`cxkit.calibrate_sentiment` on the rated reviews (at least 100) and
        use its out-of-fold scores when it is recommended (better than the lexicon in
        cross-validation); True: always use it; False: lexicon scores only. A rating on
        another scale than 1-5 (the catalog's ``scales``, kept in ``attrs["scales"]``) is
        mapped onto 1-5 for its classes (:func:`cxkit.analysis.calibration.rating_to_class`).
    seed : int, keyword-only
        Seed of the calibration's folds and sample.
    calibrate_max : int, keyword-only
        Most rated reviews the calibration learns from (default 20,000). With more, a seeded
        sample stratified by star rating is used; its cross-validated accuracy is reported,
        the sampled reviews get their out-of-fold scores and the others are scored by the
        fitted model (out of sample, so still honest). Fitting on a million reviews would
        take many minutes and learn little more vocabulary.
    chunk_rows : int, keyword-only
        Reviews are scored in runs of whole consecutive months of at most this many rows
        (a bigger month is a run of its own). With a :class:`~cxkit.data.catalog.MonthlyReader`
        (``catalog.monthly("reviews")``), only one run's texts are in memory at a time; the
        scores are kept, not the texts (``text``, ``title``) or the sentiment words found
        (``words``, missing), except the report month's. Scores do not depend on the runs.
    themes : ThemeSet, keyword-only
        The themes to tag (:func:`cxkit.theme_set`, e.g. an industry template chosen in the
        catalog); None (default): the generic list extended by ``settings``.

    Returns
    -------
    ScoredReviews
        ``scored`` (one row per review with ``compound``, ``label``, ``language``, ``words``,
        one boolean column per theme; ``attrs["scales"]`` as the input's), ``calibration``,
        ``model``, ``used``, ``month``.

    Raises
    ------
    ValueError
        The reviews have no ``text`` column, ``month`` is not written ``YYYY-MM``, or (without
        ``month``) the data have no complete month: a
        :class:`~cxkit.errors.NotEnoughDataError` when they have no dates at all.

    Examples
    --------
    >>> import cxkit as cx
    >>> from cxkit.analysis.reviews import score_reviews
    >>> reviews = cx.load_catalog(cx.DEFAULT_CATALOG)["reviews"].frame
    >>> scores = score_reviews(reviews, month="2026-10", calibrate=False)
    >>> str(scores.month), scores.themes[:3], len(scores.scored)
    ('2026-10', ['price', 'delivery', 'support'], 12000)
    >>> scores.scored[["language", "compound", "label", "delivery"]].head(2).round(2)
      language  compound     label  delivery
    0       en      0.78  positive      True
    1       sv      0.90  positive     False
    """
    columns = df.columns if isinstance(df, MonthlyReader) else list(df.columns)
    if "text" not in columns:
        raise ValueError("score_reviews: reviews need column(s) ['text']; load them with cx.load_reviews")
    if isinstance(df, MonthlyReader):
        reader, frame_given = df, None
    else:
        frame_given = df if df.index.is_unique else df.reset_index(drop=True)
        if "published_at" not in columns:  # an undated export: every row has no month
            frame_given = frame_given.assign(
                published_at=pd.Series(pd.NaT, index=frame_given.index, dtype="datetime64[ns]")
            )
            columns = [*columns, "published_at"]
        reader = MonthlyReader(frame_given, time="published_at")
    has_rating = "rating" in columns
    index = reader.index(["published_at"] + (["rating"] if has_rating else []))
    undated = bool(index["published_at"].isna().all())
    if not month and undated:
        raise NotEnoughDataError(
            "score_reviews: the reviews have no dates (published_at), so they cannot tell the report month; "
            "pass month='YYYY-MM', or date an export from one period with fieldwork: YYYY-MM in its catalog entry."
        )
    report_month = resolve_month(month or None, index["published_at"])
    rated = int(pd.to_numeric(index["rating"], errors="coerce").notna().sum()) if has_rating else 0
    calibrating = calibrate is not False and rated >= 100
    training_ids, sampled = None, False
    if calibrating:
        rated_rows = index[pd.to_numeric(index["rating"], errors="coerce").notna()]
        sample = _calibration_sample(rated_rows, calibrate_max, seed)
        sampled = len(sample) < len(rated_rows)
        training_ids = sample.index

    # A run of whole months at a time: score and tag its texts, keep the scores and drop the text (except
    # the report month's, for the examples, and the calibration's training sample).
    dictionary: ThemeSet | dict = themes if themes is not None else theme_dictionary(settings)
    names = dictionary.names if isinstance(dictionary, ThemeSet) else list(dictionary)
    parts, training_parts = [], []
    runs = reader.batches(chunk_rows)
    # a big table is scored a run of months at a time: one step per run (one run shows none)
    for run in progress.track(
        runs, desc="score_reviews: scoring", unit="run", delay=None if len(runs) > 1 else float("inf")
    ):
        chunk = reader.read(run)
        lex = sentiment(chunk["text"], chunk["language"] if "language" in chunk.columns else None)
        for col in ("language", "scored", "compound", "label", "words"):
            chunk[col] = lex[col].to_numpy()
        tags = tag_themes(chunk["text"], themes=dictionary, language=chunk["language"] if themes is not None else None)
        for name in names:
            chunk[name] = tags[name].to_numpy()
        if training_ids is not None:
            training_parts.append(chunk.loc[chunk.index.intersection(training_ids)])
        if frame_given is None and report_month not in run and not undated:  # undated: all are the month's
            # the words found serve the report month's examples only; 10M reviews' lists took 4 GB
            chunk = chunk.drop(columns=[c for c in ("text", "title") if c in chunk.columns])
            chunk["words"] = pd.Series(pd.NA, index=chunk.index, dtype=chunk["words"].dtype)
        parts.append(chunk)
    data = pd.concat(parts) if parts else pd.DataFrame(columns=list(columns) + ["_month", "compound", "label"])
    data["_month"] = month_of(data["published_at"])
    if reader.attrs.get("scales"):  # the rating's own scale (the catalog's scales), for the analyses
        data.attrs["scales"] = reader.attrs["scales"]

    model = None
    calibration_rows = []
    used = False
    if calibrating:
        training = pd.concat(training_parts)
        try:
            model = calibrate_sentiment(training, seed=seed)
        except ValueError as err:  # too few rated reviews of a class: say so, keep the lexicon
            calibration_rows.append({"n": 0, "note": str(err)})
            model = None
        del training, training_parts
        if model is not None:
            used = bool(calibrate is True or model.recommended_)
            calibration_rows.append(
                {
                    "n": model.n_,
                    "cv_accuracy": model.cv_accuracy_,
                    "cv_macro_f1": model.cv_macro_f1_,
                    "lexicon_accuracy": model.lexicon_accuracy_,
                    "used": used,
                    "rated": rated,
                }
            )
            if used:
                oof = model.oof_
                assert oof is not None  # calibrate_sentiment always sets it
                data.loc[oof.index, "compound"] = oof["compound"]
                data.loc[oof.index, "label"] = oof["label"]
                _predict_the_rest(data, oof.index, model, reader, frame_given, chunk_rows)
    calibration = pd.DataFrame(calibration_rows)
    if frame_given is not None:
        data = data.loc[frame_given.index]  # the caller's row order
    return ScoredReviews(
        month=report_month, scored=data, themes=names, calibration=calibration, model=model, used=used, sampled=sampled
    )


def _calibration_sample(data: pd.DataFrame, limit: int, seed: int) -> pd.DataFrame:
    """At most ``limit`` rated reviews, a seeded sample stratified by star rating."""
    rated = data[pd.to_numeric(data["rating"], errors="coerce").notna()]
    if len(rated) <= limit:
        return data
    rng = np.random.default_rng(seed)
    share = limit / len(rated)
    keep = []
    for _, idx in rated.groupby(pd.to_numeric(rated["rating"], errors="coerce"), sort=True).indices.items():
        k = max(1, int(round(len(idx) * share)))
        keep.append(rng.choice(idx, size=min(k, len(idx)), replace=False))
    return rated.iloc[np.sort(np.concatenate(keep))]


def _predict_the_rest(
    data: pd.DataFrame,
    learnt: pd.Index,
    model: SentimentModel,
    reader: MonthlyReader,
    frame_given: pd.DataFrame | None,
    chunk_rows: int,
) -> None:
    """Scores of the calibrated model for the reviews it did not learn from (unrated, or
    outside its sample), read again a month at a time when the texts were not kept."""
    rest = data.index.difference(learnt)
    if not len(rest):
        return
    runs: Sequence[list | None]
    if frame_given is not None:
        runs = [None]
    else:
        runs = reader.batches(chunk_rows)
    for run in runs:
        if run is None:
            assert frame_given is not None  # runs is [None] only with a frame given
            ids = rest
            texts = frame_given.loc[ids, "text"]
        else:
            texts = reader.read(run, ["text"])["text"]
            ids = texts.index.intersection(rest)
            texts = texts.loc[ids]
        if not len(ids):
            continue
        predicted = sentiment(texts, data.loc[ids, "language"], model=model)
        data.loc[ids, "compound"] = predicted["compound"].to_numpy()
        data.loc[ids, "label"] = predicted["label"].to_numpy()


def sentiment_headline(
    df: pd.DataFrame,
    *,
    month: str | pd.Period,
    alpha: float = 0.05,
    date: str = "published_at",
    compound: str = "compound",
) -> dict:
    """The month's mean sentiment against the month before, as a headline KPI.

    The mean of ``compound`` over the rows of ``month`` with its 95% t interval, the previous
    month's mean, the change and its Welch t-test, judged as one test of the pack's headline
    family (Bonferroni-adjusted, :func:`cxkit._stats.headline_change`). Unscored rows (missing
    compound) are left out.

    Returns
    -------
    dict
        ``value``, ``ci_low``, ``ci_high``, ``n``, ``previous`` (the month before's mean),
        ``change``, ``change_p_raw`` (Welch t-test; None when a month has fewer than 2 scores),
        ``change_p`` (adjusted for the headline family), ``significant``.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"published_at": pd.to_datetime(["2026-01-05", "2026-01-09", "2026-02-01", "2026-02-03"]),
    ...                    "compound": [0.5, 0.1, -0.2, 0.0]})
    >>> head = sentiment_headline(df, month="2026-02")
    >>> round(head["value"], 2), round(head["change"], 2), head["n"]
    (-0.1, -0.4, 2)
    """
    month = pd.Period(month, freq="M")
    months = month_of(df[date])
    return _kpi(
        df.loc[(months == month).to_numpy(), compound], df.loc[(months == month - 1).to_numpy(), compound], alpha
    )


def _kpi(cur: pd.Series, prev: pd.Series, alpha: float) -> dict:
    mean, lo, hi, n = _mean_ci(cur)
    pmean, _, _, pn = _mean_ci(prev)
    if n > 1 and pn > 1:
        p = float(stats.ttest_ind(cur.dropna(), prev.dropna(), equal_var=False).pvalue)
    else:
        p = float("nan")
    # The month's change is one test of the pack's headline family (cxkit._stats.HEADLINE_POLICY).
    verdict = headline_change(p if p == p else None, alpha=alpha)
    return {
        "value": mean,
        "ci_low": lo,
        "ci_high": hi,
        "n": n,
        "previous": pmean,
        "change": mean - pmean if pn else float("nan"),
        "change_p_raw": verdict["change_p_raw"],
        "change_p": verdict["change_p"],
        "significant": verdict["significant"],
    }


def comment_summary(
    df: pd.DataFrame,
    *,
    month: str | pd.Period,
    model: SentimentModel | None = None,
    text: str = "comment",
    date: str = "responded_at",
    language: str = "language",
) -> dict | None:
    """Sentiment of the month's survey comments (or any unrated texts), in one line.

    The comments of ``month`` (by ``date``; every row when there is no such column) are scored
    with ``model`` (a :func:`cxkit.calibrate_sentiment` model) or, when None, the default
    scorer of :func:`cxkit.sentiment`. Returns None when there is no ``text`` column or no
    comment that month; else ``n``, ``mean_compound`` with ``ci_low``/``ci_high`` (95% t
    interval), ``share_negative`` and ``model`` (``"calibrated"`` or ``"lexicon"``).

    >>> import pandas as pd
    >>> fb = pd.DataFrame({"comment": ["Great service, thank you!", None, "Terrible wait."],
    ...                    "responded_at": pd.to_datetime(["2026-10-02", "2026-10-03", "2026-10-09"]),
    ...                    "language": "en"})
    >>> out = comment_summary(fb, month="2026-10")
    >>> out["n"], round(out["mean_compound"], 2), out["model"]
    (2, 0.02, 'lexicon')
    """
    if text not in df.columns:
        return None
    month = pd.Period(month, freq="M")
    fb = df[df[text].notna()].copy()
    if date in fb.columns:
        fb = fb[month_of(fb[date]) == month]
    if not len(fb):
        return None
    codes = fb[language] if language in fb.columns else None
    scores = sentiment(fb[text], codes, model=model)
    mean, lo, hi, n = _mean_ci(scores["compound"])
    return {
        "n": n,
        "mean_compound": mean,
        "ci_low": lo,
        "ci_high": hi,
        "share_negative": float((scores["label"] == "negative").mean()),
        "model": "calibrated" if model is not None else "lexicon",
    }
