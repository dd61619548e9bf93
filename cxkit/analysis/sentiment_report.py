"""The monthly review-sentiment analysis behind ``notebooks/review_sentiment.ipynb``.

:func:`sentiment_report` scores every review (:func:`cxkit.sentiment`), calibrates on the star
ratings when that helps (:func:`cxkit.calibrate_sentiment`), tags themes
(:func:`cxkit.tag_themes`) and computes the tables the notebook shows. Every mean comes with a
95% confidence interval. The month's change of mean sentiment is one test of the pack's
headline family (Bonferroni-adjusted, :data:`cxkit._stats.HEADLINE_POLICY`); the
emerging-theme tests are Holm-adjusted across the themes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .._stats import adjust_p, wilson_interval
from ..display import p_phrase
from ..periods import month_of, resolve_month
from .._stats import headline_change
from .themes import tag_themes, theme_dictionary

__all__ = ["sentiment_report", "SentimentReport", "sentiment_trend", "theme_summary", "rating_agreement"]

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
    return mean, mean - half, mean + half, n


def sentiment_trend(df: pd.DataFrame, *, by: str | None = None, date: str = "published_at",
                    compound: str = "compound", label: str = "label") -> pd.DataFrame:
    """Mean sentiment per month (and per ``by`` group) with a 95% t confidence interval.

    Columns: ``month``, [``by``], ``n``, ``mean_compound``, ``ci_low``, ``ci_high``,
    ``share_positive``, ``share_negative``. Unscored texts (missing compound) are left out.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"published_at": pd.to_datetime(["2026-01-05", "2026-01-09", "2026-02-01"]),
    ...                    "compound": [0.5, -0.1, 0.2], "label": ["positive", "negative", "positive"]})
    >>> sentiment_trend(df)[["month", "n", "mean_compound"]]
         month  n  mean_compound
    0  2026-01  2            0.2
    1  2026-02  1            0.2
    """
    data = df[df[compound].notna()].copy()
    data["month"] = month_of(data[date])
    keys = ["month"] + ([by] if by else [])
    rows = []
    for key, group in data.groupby(keys, observed=True, sort=True):
        mean, lo, hi, n = _mean_ci(group[compound])
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        row.update(n=n, mean_compound=mean, ci_low=lo, ci_high=hi,
                   share_positive=float((group[label] == "positive").mean()),
                   share_negative=float((group[label] == "negative").mean()))
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


def theme_summary(df: pd.DataFrame, *, month, themes: list[str], date: str = "published_at",
                  rating: str = "rating", alpha: float = 0.05) -> pd.DataFrame:
    """Per theme this month: volume, share negative, mean sentiment, change, rating association.

    ``df`` holds scored reviews with one boolean column per theme. Columns:

    - ``theme``, ``n`` (reviews mentioning it this month), ``share_of_reviews``;
    - ``share_negative`` (of those reviews), ``mean_compound`` with ``ci_low``/``ci_high``;
    - ``negative_rate`` (negative reviews mentioning the theme per review this month),
      ``previous_rate`` (the month before), ``change`` (percentage points / 100), ``change_p``
      (two-proportion z-test), ``change_p_holm`` (Holm-adjusted over themes), ``emerging``
      (rate rose and ``change_p_holm < alpha``);
    - ``rating_with``/``rating_without`` (mean stars of reviews that do / do not mention the
      theme, all months up to this one), ``rating_diff`` and ``rating_p`` (Welch t-test).
    """
    month = pd.Period(month, freq="M")
    data = df.copy()
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
        rows.append({
            "theme": theme,
            "n": n,
            "share_of_reviews": n / len(scored_cur) if len(scored_cur) else float("nan"),
            "share_negative": neg_cur / n if n else float("nan"),
            "mean_compound": mean, "ci_low": lo, "ci_high": hi,
            "negative_rate": rate, "previous_rate": prev_rate, "change": rate - prev_rate,
            "change_p": _two_proportion_p(neg_cur, len(scored_cur), neg_prev, len(scored_prev)),
            "rating_with": float(with_r.mean()) if len(with_r) else float("nan"),
            "rating_without": float(without_r.mean()) if len(without_r) else float("nan"),
            "rating_p": rating_p,
        })
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["rating_diff"] = out["rating_with"] - out["rating_without"]
    out["change_p_holm"] = adjust_p(out["change_p"].to_numpy(), "holm")
    out["emerging"] = (out["change"] > 0) & (out["change_p_holm"] < alpha)
    cols = ["theme", "n", "share_of_reviews", "share_negative", "mean_compound", "ci_low", "ci_high",
            "negative_rate", "previous_rate", "change", "change_p", "change_p_holm", "emerging",
            "rating_with", "rating_without", "rating_diff", "rating_p"]
    return out[cols].sort_values(["emerging", "change"], ascending=[False, False]).reset_index(drop=True)


def rating_agreement(df: pd.DataFrame, *, rating: str = "rating", compound: str = "compound",
                     label: str = "label") -> pd.DataFrame:
    """How well sentiment agrees with the star rating (1-5) on the same reviews.

    Rows (``metric``, ``value``, ``ci_low``, ``ci_high``, ``n``): Spearman's rho between
    compound and stars (Fisher-z interval); accuracy of the label against the stars' class (1-2
    negative, 3 neutral, 4-5 positive; Wilson interval); binary accuracy on 1-2 and 4-5 stars
    (positive label vs not); Cohen's kappa of label against the stars' class (large-sample SE).

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
    truth = np.where(data[rating] <= 2, "negative", np.where(data[rating] >= 4, "positive", "neutral"))
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
class SentimentReport:
    """Everything the review-sentiment notebook shows (see :func:`sentiment_report`)."""

    month: pd.Period
    scored: pd.DataFrame
    headline: pd.DataFrame
    trend: pd.DataFrame
    by_source: pd.DataFrame
    by_language: pd.DataFrame
    agreement: pd.DataFrame
    agreement_table: pd.DataFrame
    calibration: pd.DataFrame
    themes: pd.DataFrame
    emerging: pd.DataFrame
    examples: pd.DataFrame
    findings: list[str]
    results: dict
    model: object = None
    theme_names: list[str] = field(default_factory=list)
    alt: dict = field(default_factory=dict)

    def plot_trend(self, *, ax=None):
        """Mean sentiment per month with its 95% interval; the report month is marked."""
        from ..plots import plot_sentiment_trend

        return plot_sentiment_trend(self.trend, month=self.month, ax=ax)

    def plot_by_source(self, *, ax=None):
        """Mean sentiment per month for each review source, with 95% intervals."""
        from ..plots import plot_sentiment_by_source

        return plot_sentiment_by_source(self.by_source, ax=ax)

    def plot_themes(self, *, ax=None):
        """Share of reviews that are negative and mention each theme: this month vs the month before."""
        from ..plots import plot_themes

        return plot_themes(self.themes, month=self.month, ax=ax)


def _kpi(cur: pd.Series, prev: pd.Series, alpha: float) -> dict:
    mean, lo, hi, n = _mean_ci(cur)
    pmean, _, _, pn = _mean_ci(prev)
    if n > 1 and pn > 1:
        p = float(stats.ttest_ind(cur.dropna(), prev.dropna(), equal_var=False).pvalue)
    else:
        p = float("nan")
    # The month's change is one test of the pack's headline family (cxkit._stats.HEADLINE_POLICY).
    verdict = headline_change(p if p == p else None, alpha=alpha)
    return {"value": mean, "ci_low": lo, "ci_high": hi, "n": n, "previous": pmean,
            "change": mean - pmean if pn else float("nan"), "change_p_raw": verdict["change_p_raw"],
            "change_p": verdict["change_p"], "significant": verdict["significant"]}


def _predict_the_rest(data: pd.DataFrame, learnt, model, reader, frame_given, chunk_rows) -> None:
    """Scores of the calibrated model for the reviews it did not learn from (unrated, or
    outside its sample), read again a month at a time when the texts were not kept."""
    from .sentiment import sentiment

    rest = data.index.difference(learnt)
    if not len(rest):
        return
    if frame_given is not None:
        runs = [None]
    else:
        runs = reader.batches(chunk_rows)
    for run in runs:
        if run is None:
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


def sentiment_report(
    reviews: pd.DataFrame,
    *,
    month: str | None = None,
    settings: dict | None = None,
    calibrate: str | bool = "auto",
    comments: pd.DataFrame | None = None,
    alpha: float = 0.05,
    examples: int = 3,
    max_chars: int = 220,
    seed: int = 0,
    calibrate_max: int = 20_000,
    chunk_rows: int = 100_000,
) -> SentimentReport:
    """Score, calibrate, tag and summarise reviews for one month.

    Parameters
    ----------
    reviews : pandas.DataFrame or MonthlyReader
        The canonical reviews table (``text``, ``published_at``, ``source``, ``rating``,
        ``language``), or ``catalog.monthly("reviews")`` to read a big table a run of months
        at a time (see ``chunk_rows``); both give the same numbers.
    month : str, keyword-only
        ``YYYY-MM``; empty or None: the last complete month in the data.
    settings : dict, keyword-only
        The catalog's ``settings`` (``settings["themes"]`` extends the theme dictionary).
    calibrate : "auto", True or False, keyword-only
        "auto": fit :func:`cxkit.calibrate_sentiment` on the rated reviews and use its
        out-of-fold scores when it is recommended (better than the lexicon in
        cross-validation); True: always use it; False: lexicon scores only.
    comments : pandas.DataFrame, keyword-only
        Optional survey feedback (``comment``, ``responded_at``): unrated text scored with the
        calibrated model (or the lexicon), summarised for the month.
    alpha : float, keyword-only
        Significance level.
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
        trend keeps scores, not texts, and only the report month's texts are kept (for the
        examples). Scores do not depend on the runs.

    Returns
    -------
    SentimentReport
        Tables, findings, figures and ``results`` (the ``sentiment`` part of results.json).

    Examples
    --------
    >>> import cxkit as cx
    >>> reviews = cx.load_catalog(cx.DEFAULT_CATALOG)["reviews"].frame
    >>> report = cx.sentiment_report(reviews, month="2026-10", calibrate=False)
    >>> report.results["top_emerging_negative_theme"]["theme"]
    'delivery'
    """
    from .sentiment import calibrate_sentiment, sentiment

    from ..data.catalog import MonthlyReader

    required = ["text", "published_at"]
    columns = reviews.columns if isinstance(reviews, MonthlyReader) else list(reviews.columns)
    missing = [c for c in required if c not in columns]
    if missing:
        raise ValueError(f"sentiment_report: reviews need column(s) {missing}; load them with cx.load_reviews")
    if isinstance(reviews, MonthlyReader):
        reader, frame_given = reviews, None
    else:
        frame_given = reviews if reviews.index.is_unique else reviews.reset_index(drop=True)
        reader = MonthlyReader(frame_given, time="published_at")
    has_rating = "rating" in columns
    index = reader.index(["published_at"] + (["rating"] if has_rating else []))
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
    dictionary = theme_dictionary(settings)
    names = list(dictionary)
    parts, training_parts = [], []
    for run in reader.batches(chunk_rows):
        chunk = reader.read(run)
        lex = sentiment(chunk["text"], chunk["language"] if "language" in chunk.columns else None)
        for col in ("language", "scored", "compound", "label", "words"):
            chunk[col] = lex[col].to_numpy()
        tags = tag_themes(chunk["text"], themes=dictionary)
        for name in names:
            chunk[name] = tags[name].to_numpy()
        if training_ids is not None:
            training_parts.append(chunk.loc[chunk.index.intersection(training_ids)])
        if frame_given is None and report_month not in run:
            chunk = chunk.drop(columns=[c for c in ("text", "title") if c in chunk.columns])
        parts.append(chunk)
    data = pd.concat(parts) if parts else pd.DataFrame(columns=list(columns) + ["_month", "compound", "label"])
    data["_month"] = month_of(data["published_at"])

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
            calibration_rows.append({
                "n": model.n_, "cv_accuracy": model.cv_accuracy_, "cv_macro_f1": model.cv_macro_f1_,
                "lexicon_accuracy": model.lexicon_accuracy_, "used": used, "rated": rated,
            })
            if used:
                oof = model.oof_
                data.loc[oof.index, "compound"] = oof["compound"]
                data.loc[oof.index, "label"] = oof["label"]
                _predict_the_rest(data, oof.index, model, reader, frame_given, chunk_rows)
    calibration = pd.DataFrame(calibration_rows)
    if frame_given is not None:
        data = data.loc[frame_given.index]  # the caller's row order

    scored = data[data["compound"].notna()]
    cur = scored[scored["_month"] == report_month]
    prev = scored[scored["_month"] == report_month - 1]
    upto = scored[scored["_month"] <= report_month]
    kpi = _kpi(cur["compound"], prev["compound"], alpha)
    headline = pd.DataFrame([{"month": str(report_month), **{k: v for k, v in kpi.items() if not k.startswith("change_p")},
                              "p": kpi["change_p_raw"], "p_adj": kpi["change_p"]}])[
        ["month", "value", "ci_low", "ci_high", "n", "previous", "change", "p", "p_adj", "significant"]]

    trend = sentiment_trend(upto)
    by_source = sentiment_trend(upto, by="source") if "source" in upto else pd.DataFrame()
    by_language = sentiment_trend(cur, by="language").drop(columns="month") if len(cur) else pd.DataFrame()
    agreement = rating_agreement(cur) if "rating" in cur else pd.DataFrame()
    agreement_table = pd.DataFrame()
    if "rating" in cur:
        agreement_table = pd.crosstab(pd.to_numeric(cur["rating"], errors="coerce"), cur["label"]).reset_index()
        agreement_table.columns = [str(c) for c in agreement_table.columns]
    themes = theme_summary(upto, month=report_month, themes=names, alpha=alpha)
    emerging = themes[themes["emerging"]] if len(themes) else themes

    pick = cur.sort_values(["compound", "published_at"])
    cols = [c for c in ("published_at", "source", "language", "rating", "compound", "words", "text") if c in cur]
    worst = pick.head(examples)[cols].assign(example="most negative")
    best = pick.tail(examples).iloc[::-1][cols].assign(example="most positive")
    example_frame = pd.concat([worst, best])[["example"] + cols].reset_index(drop=True)
    if "published_at" in example_frame:
        example_frame["published_at"] = pd.to_datetime(example_frame["published_at"]).dt.strftime("%Y-%m-%d")
    example_frame["text"] = example_frame["text"].astype(str).map(
        lambda t: t if len(t) <= max_chars else t[: max_chars - 1].rstrip() + "…")

    comment_summary = None
    if comments is not None and "comment" in comments.columns:
        fb = comments[comments["comment"].notna()].copy()
        date_col = "responded_at" if "responded_at" in fb.columns else None
        if date_col:
            fb = fb[month_of(fb[date_col]) == report_month]
        if len(fb):
            lang = fb["language"] if "language" in fb.columns else None
            sc = sentiment(fb["comment"], lang, model=model if used else None)
            mean, lo, hi, n = _mean_ci(sc["compound"])
            comment_summary = {"n": n, "mean_compound": mean, "ci_low": lo, "ci_high": hi,
                               "share_negative": float((sc["label"] == "negative").mean()),
                               "model": "calibrated" if used else "lexicon"}

    share_pos = float((cur["label"] == "positive").mean()) if len(cur) else float("nan")
    share_neg = float((cur["label"] == "negative").mean()) if len(cur) else float("nan")
    top = None
    if len(emerging):
        e = emerging.sort_values("change", ascending=False).iloc[0]
        top = {"theme": e["theme"], "negative_rate": e["negative_rate"], "previous_rate": e["previous_rate"],
               "change": e["change"], "change_p_holm": e["change_p_holm"]}
    findings = _findings(report_month, kpi, share_pos, share_neg, top, themes, agreement, calibration,
                         by_language, comment_summary, alpha)
    results = {
        "month": str(report_month),
        "headline": kpi,
        "finding": findings[0],
        "n_reviews": int((data["_month"] == report_month).sum()),
        "n_scored": int(len(cur)),
        "share_positive": share_pos,
        "share_negative": share_neg,
        "by_language": {str(r["language"]): {"n": int(r["n"]), "mean_compound": r["mean_compound"],
                                             "share_negative": r["share_negative"]}
                        for _, r in by_language.iterrows()} if len(by_language) else {},
        "top_emerging_negative_theme": top,
        "emerging_negative_themes": [str(t) for t in emerging["theme"]] if len(emerging) else [],
        "calibration": (calibration.iloc[0].to_dict() if len(calibration) else None),
        "scores_from": ("lexicon" if not used else "calibrated (out-of-fold)" if not sampled
                        else f"calibrated (out-of-fold for the {model.n_:,} sampled rated reviews, "
                             "predicted for the others)"),
        "rating_agreement": ({r["metric"]: r["value"] for _, r in agreement.iterrows()} if len(agreement) else {}),
        "comments": comment_summary,
    }
    alt = {
        "trend": findings[0],
        "by_source": "Mean review sentiment per month for each source with 95% intervals; "
                     + "; ".join(f"{r['source']}: {r['mean_compound']:+.2f} in {report_month}"
                                 for _, r in by_source[by_source["month"] == str(report_month)].iterrows()),
        "themes": (findings[2] if top is not None else "No theme's share of negative reviews rose significantly.")
                  + " Bars: negative reviews mentioning each theme this month; marks: the month before.",
    }
    return SentimentReport(
        alt=alt,
        month=report_month, scored=data, headline=headline, trend=trend, by_source=by_source,
        by_language=by_language, agreement=agreement, agreement_table=agreement_table,
        calibration=calibration, themes=themes, emerging=emerging, examples=example_frame,
        findings=findings, results=results, model=model, theme_names=names,
    )


def _fmt_p(p: float) -> str:
    return p_phrase(p)  # the pack's one p-value format


def _findings(month, kpi, share_pos, share_neg, top, themes, agreement, calibration, by_language,
              comment_summary, alpha) -> list[str]:
    out = []
    head = (f"Mean review sentiment in {month} was {kpi['value']:+.2f} on a -1 to 1 scale "
            f"(95% CI {kpi['ci_low']:+.2f} to {kpi['ci_high']:+.2f}, n = {kpi['n']:,})")
    if kpi["change_p"] is not None:
        if kpi["significant"]:
            direction = "up" if kpi["change"] > 0 else "down"
            head += (f", {direction} {abs(kpi['change']):.2f} from {month - 1} "
                     f"(adjusted {_fmt_p(kpi['change_p'])} for the month's headline KPIs).")
        else:
            head += (f"; the change of {kpi['change']:+.2f} from {month - 1} is not significant "
                     f"(adjusted {_fmt_p(kpi['change_p'])} for the month's headline KPIs).")
    else:
        head += "."
    out.append(head)
    out.append(f"{100 * share_neg:.0f}% of this month's reviews were negative and {100 * share_pos:.0f}% positive.")
    if top is not None:
        out.append(
            f"Emerging negative theme: {top['theme']}. Negative reviews mentioning it rose from "
            f"{100 * top['previous_rate']:.1f}% to {100 * top['negative_rate']:.1f}% of all reviews "
            f"(Holm-adjusted {_fmt_p(top['change_p_holm'])})."
        )
    elif len(themes):
        out.append(f"No theme's share of negative reviews rose significantly from {month - 1} "
                   f"(alpha {alpha}, Holm-adjusted).")
    if len(themes):
        worst = themes.sort_values("rating_diff").iloc[0]
        if worst["rating_p"] < alpha and worst["rating_diff"] < 0:
            out.append(f"Reviews that mention {worst['theme']} give {abs(worst['rating_diff']):.1f} fewer stars on "
                       f"average than those that do not ({_fmt_p(worst['rating_p'])}).")
    if len(agreement):
        a = agreement.set_index("metric")
        if "spearman_rho" in a.index:
            out.append(f"Sentiment agrees with the star rating: Spearman rho {a.loc['spearman_rho', 'value']:.2f} "
                       f"(95% CI {a.loc['spearman_rho', 'ci_low']:.2f} to {a.loc['spearman_rho', 'ci_high']:.2f}); "
                       f"the label matches the stars' class for {100 * a.loc['accuracy', 'value']:.0f}% of reviews.")
    if len(calibration) and "cv_accuracy" in calibration:
        c = calibration.iloc[0]
        verdict = ("it beat the lexicon scorer, so this report uses its out-of-fold scores"
                   if c["used"] else "it did not beat the lexicon scorer, so this report uses the lexicon scores")
        out.append(f"Calibrated on {int(c['n']):,} rated reviews, the company's own model classified "
                   f"{100 * c['cv_accuracy']:.0f}% correctly in 5-fold cross-validation (lexicon scorer: "
                   f"{100 * c['lexicon_accuracy']:.0f}%); {verdict}.")
    if comment_summary:
        out.append(f"Survey comments this month scored {comment_summary['mean_compound']:+.2f} on average "
                   f"(n = {comment_summary['n']:,}, {comment_summary['model']} model).")
    return out
