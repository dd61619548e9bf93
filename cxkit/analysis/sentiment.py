"""Review sentiment in English, Danish, Norwegian (Bokmål, Nynorsk) and Swedish.

:func:`sentiment` scores texts with lexicons and rules (``cxkit/analysis/_scorer.py`` explains the
rules; ``cxkit/analysis/_lexicon.py`` and ``cxkit/analysis/lexicons/README.md`` name the lexicons and their
licences). Nothing is downloaded at run time. A company's own rated reviews can teach it the
company's vocabulary: :func:`calibrate_sentiment`. Language identification is in
``cxkit/analysis/langdetect.py`` and themes in ``cxkit/analysis/themes.py``, whose public names are
re-exported here (``cx.<name>``); the analyses of a month of reviews (trend, themes, agreement with
the star ratings) are in ``cxkit/analysis/reviews.py``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse
from threadpoolctl import threadpool_limits

from .. import distributed as _cluster
from .. import progress
from . import _lexicon
from ._scorer import score_batch
from ._text import Batch, Texts, as_text_list, encode, texts_and_index
from .calibration import (
    CLASSES,
    SentimentModel,
    doc_forms,
    form_ngrams,
    l2_rows,
    lexicon_block,
    macro_f1,
    rating_scale,
    rating_to_class,
    token_features,
)
from .langdetect import OTHER, SUPPORTED_LANGUAGES, detect_batch, detect_language, language_model
from .themes import THEMES, tag_themes, theme_dictionary

__all__ = [
    "sentiment",
    "comment_sentiment",
    "calibrate_sentiment",
    "SentimentModel",
    "detect_language",
    "SENTIMENT_THRESHOLDS",
    "SUPPORTED_LANGUAGES",
    "THEMES",
    "theme_dictionary",
    "tag_themes",
]

# label = "positive" when compound >= 0.05, "negative" when compound <= -0.05, else "neutral":
# VADER's published thresholds (Hutto & Gilbert 2014), kept so scores read the same way.
SENTIMENT_THRESHOLDS = {"negative": -0.05, "positive": 0.05}
# Danish and Swedish lexicon scores are noisier (more stray toned words per review): a wider
# neutral band, chosen on the dev parts of the Danish and Swedish Trustpilot sets (3-class
# macro-F1 on 4,000 dev reviews each, a grid of bands: da 0.545 -> 0.550, sv 0.529 -> 0.563;
# cxkit/analysis/_sentiment_eval.py, danish_trustpilot, swedish_trustpilot)
LANGUAGE_THRESHOLDS = {
    "da": {"negative": -0.4, "positive": 0.2},
    "sv": {"negative": -0.4, "positive": 0.2},
}
_ALIASES = {
    "no": "nb",
    "nob": "nb",
    "nor": "nb",
    "nno": "nn",
    "dan": "da",
    "swe": "sv",
    "eng": "en",
    "norwegian": "nb",
    "bokmål": "nb",
    "bokmal": "nb",
    "nynorsk": "nn",
    "danish": "da",
    "swedish": "sv",
    "english": "en",
}
_CHUNK = 20_000


def _normalise_language(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    code = str(value).strip().lower().replace("_", "-")
    if not code:
        return None
    code = _ALIASES.get(code, code)
    base = code.split("-")[0]
    return _ALIASES.get(base, base)


def _label(compound: np.ndarray, language: str | None = None) -> np.ndarray:
    bounds = LANGUAGE_THRESHOLDS.get(language or "", SENTIMENT_THRESHOLDS)
    lo, hi = bounds["negative"], bounds["positive"]
    out = np.where(compound >= hi, "positive", np.where(compound <= lo, "negative", "neutral")).astype(object)
    out[np.isnan(compound)] = None
    return out


def _subset(batch: Batch, keep: np.ndarray) -> Batch:
    """The texts of ``batch`` where ``keep`` (bool per text) is True, sharing its form tables."""
    token_keep = keep[batch.doc]
    new_index = np.cumsum(keep) - 1
    lengths = np.diff(batch.starts)[keep]
    starts = np.zeros(int(keep.sum()) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    return Batch(
        int(keep.sum()),
        new_index[batch.doc[token_keep]],
        batch.code[token_keep],
        batch.forms,
        batch.lower_of_form,
        batch.lowers,
        starts,
    )


def _default_model(language: str) -> SentimentModel | None:
    """The built-in calibrated model for a language, if any (Norwegian: trained on NoReC)."""
    if language in ("nb", "nn"):
        return _norec_model()
    return None


@lru_cache(maxsize=1)
def _norec_model() -> SentimentModel | None:
    path = _lexicon.LEXICON_DIR / "nb_norec_model.tsv"
    return SentimentModel.load(path) if path.exists() else None


def _languages_for(batch: Batch, languages: Sequence[str | None] | None) -> np.ndarray:
    if languages is None:
        return detect_batch(batch)[0]
    langs = np.array(languages, dtype=object)
    missing = np.array([v is None for v in languages], dtype=bool)
    if missing.any():
        langs[missing] = detect_batch(_subset(batch, missing))[0]
    return langs


def _score_chunk(
    texts: list[str],
    languages: list[str | None] | None,
    explain: int,
    extra: tuple,
    model: SentimentModel | Literal["lexicon"] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Language, compound, label, count of sentiment words and explanation per text of one chunk."""
    batch = encode(texts)
    n = batch.n_docs
    extra_by_language = dict(extra)
    langs = _languages_for(batch, languages)
    compound = np.full(n, np.nan)
    label = np.full(n, None, dtype=object)
    n_words = np.zeros(n, dtype=np.int64)
    words = np.full(n, "", dtype=object)
    has_words = np.diff(batch.starts) > 0
    for lang in SUPPORTED_LANGUAGES:
        keep = (langs == lang) & has_words
        if not keep.any():
            continue
        lex = _lexicon.lexicon(lang, extra_by_language.get(lang, ()))
        sub = _subset(batch, keep)
        scores = score_batch(sub, lex, explain=explain)
        n_words[keep] = scores.n_words
        chosen = _default_model(lang) if model is None else (None if model == "lexicon" else model)
        if chosen is None:
            compound[keep] = scores.compound
            label[keep] = _label(scores.compound, lang)
            if scores.words is not None:
                words[keep] = scores.words
        else:
            c, lab, w = chosen.predict_batch(sub, lang, scores, explain)
            compound[keep] = c
            label[keep] = lab
            if w is not None:
                words[keep] = w
    return langs, compound, label, n_words, words


def _featurise(
    texts: list[str],
    languages: Sequence[str | None] | None,
    vocabulary: dict[str, int],
    grow: bool,
    ngrams: dict[str, int] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, sparse.csr_matrix]:
    """Stem features (rows, cols), lexicon sums, lexicon compounds, languages and character
    n-gram counts (one row per text, columns: ids in ``ngrams``) of texts, for fitting a
    SentimentModel. Texts in no supported language get no features."""
    batch = encode(texts)
    langs = _languages_for(batch, languages)
    n = batch.n_docs
    all_rows, all_cols = [], []
    total = np.zeros(n)
    lex_compound = np.full(n, np.nan)
    has_words = np.diff(batch.starts) > 0
    scored = np.zeros(n, dtype=bool)
    for lang in SUPPORTED_LANGUAGES:
        keep = (langs == lang) & has_words
        if not keep.any():
            continue
        scored |= keep
        sub = _subset(batch, keep)
        scores = score_batch(sub, _lexicon.lexicon(lang), explain=0)
        rows, cols, _, vocabulary = token_features(sub, lang, scores, vocabulary, grow)
        where = np.flatnonzero(keep)
        all_rows.append(where[rows])
        all_cols.append(cols)
        total[keep] = scores.total
        lex_compound[keep] = scores.compound
    rows = np.concatenate(all_rows) if all_rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(all_cols) if all_cols else np.zeros(0, dtype=np.int64)
    # n-grams do not depend on the language: each distinct form's once, summed per text
    chars = doc_forms(batch, scored) @ form_ngrams(batch.lowers, {} if ngrams is None else ngrams, grow)
    return rows, cols, total, lex_compound, langs, chars.tocsr()


def _ignore(_n: int) -> None:
    """A progress update nobody shows."""


def _run_chunk(args):
    return _score_chunk(*args)


def _run_parallel(arguments: list, workers: int, extra_all: tuple, done_texts: Callable[[int], object]) -> list:
    """Score chunks in forked worker processes, a few chunks in flight at a time (bounded memory);
    ``done_texts(k)`` is told each finished chunk's number of texts."""
    import gc
    from concurrent.futures import FIRST_COMPLETED, wait

    for lang in SUPPORTED_LANGUAGES:  # build lexicons and models once, before the workers fork
        _lexicon.lexicon(lang, dict(extra_all).get(lang, ()))
        _default_model(lang)
    language_model()
    results: list = [None] * len(arguments)
    # objects that exist now are never collected in the workers, so their pages stay shared
    gc.freeze()
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            pending = {}
            queue = iter(range(len(arguments)))
            for i in queue:
                pending[pool.submit(_run_chunk, arguments[i])] = i
                if len(pending) >= 2 * workers:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    i = pending.pop(future)
                    results[i] = future.result()
                    done_texts(len(arguments[i][0]))
                    nxt = next(queue, None)
                    if nxt is not None:
                        pending[pool.submit(_run_chunk, arguments[nxt])] = nxt
    finally:
        gc.unfreeze()
    return results


def _check_options(*, explain: object, lexicon: object, model: object, n_jobs: object) -> None:
    """Clear errors for wrong keyword options, before any text is scored."""
    if isinstance(explain, bool) or not isinstance(explain, (int, np.integer)) or explain < 0:
        raise ValueError(f"sentiment: explain must be a whole number >= 0 (words listed per text); got {explain!r}")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or (n_jobs < 1 and n_jobs != -1):
        raise ValueError(f"sentiment: n_jobs must be a positive whole number or -1 (all cores); got {n_jobs!r}")
    if not (model is None or (isinstance(model, str) and model == "lexicon") or isinstance(model, SentimentModel)):
        raise ValueError(
            f"sentiment: model must be None, 'lexicon' or a SentimentModel from cx.calibrate_sentiment; got {model!r}"
        )
    if lexicon:
        example = "lexicon={'da': {'elendig': -3.0, 'ikke værd': -2.0}}"
        if not isinstance(lexicon, dict):
            raise ValueError(f"sentiment: lexicon must be a dict of language -> {{word: valence}}, e.g. {example}")
        unknown = set(lexicon) - set(SUPPORTED_LANGUAGES)
        if unknown:
            raise ValueError(
                f"sentiment: lexicon has languages {sorted(map(str, unknown))}; supported: "
                f"{', '.join(SUPPORTED_LANGUAGES)}; e.g. {example}"
            )
        for lang, entries in lexicon.items():
            if not isinstance(entries, dict):
                raise ValueError(f"sentiment: lexicon[{lang!r}] must be a dict of word -> valence, e.g. {example}")
            for word, value in entries.items():
                if (
                    not isinstance(word, str)
                    or isinstance(value, bool)
                    or not isinstance(value, (int, float, np.number))
                    or not np.isfinite(value)
                ):
                    raise ValueError(
                        f"sentiment: lexicon[{lang!r}][{word!r}] = {value!r}; entries are text -> a "
                        "finite number on VADER's -4..4 scale"
                    )


def sentiment(
    texts: Texts,
    language: str | pd.Series | Iterable[str | None] | None = None,
    *,
    explain: int = 3,
    lexicon: dict[str, dict[str, float]] | None = None,
    model: SentimentModel | Literal["lexicon"] | None = None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Sentiment of each text, with the language, a label and the words that drove it.

    Parameters
    ----------
    texts : sequence of str
        Review texts or comments (a Series keeps its index). Missing values count as empty.
        One column, not a DataFrame: ``cx.sentiment(df["comment"])``. A DataFrame, one string,
        a dict, a 2-D array, nested rows or a column of numbers raise ``TextsError`` (a
        :class:`cxkit.errors.CxkitError`, ``TypeError`` and ``ValueError``) naming the fix.
    language : None, str, or sequence of str
        None detects each text's language (:func:`detect_language`); one code scores every text
        in that language; a sequence (e.g. the reviews' ``language`` column) gives one code per
        text, and missing codes are detected. Codes: ``en``, ``da``, ``nb``, ``nn``, ``sv``
        (``no``, ``nob``, ``nno``, ``dan``, ``swe``, ``eng``, ``en-GB``, ... are understood).
    explain : int, keyword-only
        How many contributing words to list per text (0 skips the explanation, a little faster).
    lexicon : dict, keyword-only
        Extra or corrected entries per language, e.g. ``{"en": {"refurbished": -0.5,
        "plug and play": 1.5}}`` (single words or phrases, VADER's -4..4 scale).
    model : None, "lexicon" or SentimentModel, keyword-only
        None (default): the lexicon scorer, except Norwegian, which uses the built-in model
        calibrated on the NoReC training sentences (see ``cxkit/analysis/lexicons/README.md``).
        ``"lexicon"``: the lexicon scorer for every language. A model from
        :func:`calibrate_sentiment`: that model for every text.
    n_jobs : int, keyword-only
        Worker processes for large inputs (-1: all cores). Results do not depend on it. When a
        Dask cluster is connected (:func:`cxkit.connect`), the chunks run there instead.

    Returns
    -------
    pandas.DataFrame
        One row per text, same index, columns:

        - ``language``: the code used (given or detected; ``"other"`` for text in another
          language; missing for text without words).
        - ``compound``: sentiment in [-1, 1] (VADER's normalisation of the summed valences);
          missing when not scored.
        - ``label``: lexicon scorer: ``"negative"`` (compound <= -0.05), ``"neutral"``,
          ``"positive"`` (compound >= 0.05), :data:`SENTIMENT_THRESHOLDS`; Danish and Swedish
          use a wider neutral band (negative <= -0.4, positive >= 0.2,
          ``LANGUAGE_THRESHOLDS``); a calibrated model
          (Norwegian by default): the most probable class, with compound = P(positive) -
          P(negative). Missing when not scored.
        - ``scored``: False for an unsupported language and for text without words: such rows
          get no score rather than a made-up neutral one.
        - ``n_sentiment_words``: words and phrases that carried sentiment.
        - ``words``: the strongest contributions after negation, boosters, contrast and the
          1.5 weight of negative words, e.g. ``"waste of money (-4.5), far too expensive (-2.8)"``;
          for a calibrated model, each word's contribution to the log-odds of positive
          against negative. Each word or phrase is listed once, with its summed contribution.
        - ``reason``: why a row was not scored: ``"other language"`` (detected as a language
          cxkit does not score), ``"other language (de)"`` (a given code it does not score) or
          ``"no words"``; missing for scored rows.

    Examples
    --------
    >>> import cxkit as cx
    >>> out = cx.sentiment(["Complete waste of money, far too expensive.",
    ...                     "Kundeservicen var utrolig venlige og hjælpsomme!",
    ...                     "Inte värt pengarna.", "", "Das ist sehr gut und ich bin zufrieden."])
    >>> out[["language", "label", "scored", "reason"]]
      language     label  scored          reason
    0       en  negative    True             NaN
    1       da  positive    True             NaN
    2       sv  negative    True             NaN
    3      NaN       NaN   False        no words
    4    other       NaN   False  other language
    >>> out.loc[0, "words"]
    'waste of money (-4.5), far too expensive (-2.8)'
    """
    items, index = texts_and_index(texts, function="sentiment")
    n = len(items)
    _check_options(explain=explain, lexicon=lexicon, model=model, n_jobs=n_jobs)
    if isinstance(language, str) or language is None:
        given = [_normalise_language(language)] * n if language is not None else None
    else:
        if isinstance(language, pd.DataFrame):
            raise ValueError(
                f"sentiment: language is a DataFrame (columns {[str(c) for c in language.columns]}); pass "
                "one code for every text ('da'), or one column: cx.sentiment(df['comment'], df['language'])"
            )
        if not hasattr(language, "__iter__"):
            raise ValueError(
                f"sentiment: language must be a code such as 'da', a sequence of codes, or None; "
                f"got {type(language).__name__}"
            )
        values = list(language)
        if len(values) != n:
            raise ValueError(
                f"language has {len(values)} values for {n} texts; give one code per text, one code, or None"
            )
        given = [_normalise_language(v) for v in values]
    # score each distinct (text, language) once: reviews repeat ("Great!", "Love it")
    if given is None or len(set(given)) <= 1:
        codes, uniques = pd.factorize(np.array(items, dtype=object))
        u_texts = list(uniques)
        u_given = None if given is None else [given[0] if given else None] * len(u_texts)
    else:
        keyed = np.array([f"{g or ''}\x1f{t}" for t, g in zip(items, given)], dtype=object)
        codes, uniques = pd.factorize(keyed)
        u_texts = [u.split("\x1f", 1)[1] for u in uniques]
        u_given = [u.split("\x1f", 1)[0] or None for u in uniques]
    m = len(u_texts)
    langs = np.empty(m, dtype=object)
    compound = np.full(m, np.nan)
    n_words = np.zeros(m, dtype=np.int64)
    words = np.empty(m, dtype=object)

    jobs = []
    for start in range(0, m, _CHUNK):
        part_given = u_given[start : start + _CHUNK] if u_given is not None else None
        jobs.append((start, u_texts[start : start + _CHUNK], part_given))
    workers = (os.cpu_count() or 1) if n_jobs == -1 else max(1, int(n_jobs))
    extra_all = tuple(sorted((lang, tuple(sorted(entries.items()))) for lang, entries in (lexicon or {}).items()))

    def chunk_args(part, part_given):
        return (part, part_given, explain, extra_all, model)

    # a bar counts distinct texts, a chunk (_CHUNK texts: a few seconds of long reviews) at a
    # time; one chunk has nothing to show on the way, and a bar costs milliseconds to make,
    # which small calls in a loop should not pay
    with ExitStack() as stack:
        update = stack.enter_context(progress.bar(m, "sentiment", unit="text")).update if len(jobs) > 1 else _ignore
        if _cluster.current() is not None and jobs:
            results = _cluster.map_chunks(_run_chunk, [chunk_args(p, g) for _, p, g in jobs])
        elif workers > 1 and len(jobs) > 1:
            results = _run_parallel([chunk_args(p, g) for _, p, g in jobs], workers, extra_all, update)
        else:
            results = []
            for _, p, g in jobs:
                results.append(_run_chunk(chunk_args(p, g)))
                update(len(p))
    labels = np.empty(m, dtype=object)
    for (start, part, _), (lng, c, lab, k, w) in zip(jobs, results):
        sl = slice(start, start + len(part))
        langs[sl], compound[sl], labels[sl], n_words[sl], words[sl] = lng, c, lab, k, w
    langs, compound, labels = langs[codes], compound[codes], labels[codes]
    n_words, words = n_words[codes], words[codes]
    scored = ~np.isnan(compound)
    words = np.where(scored, words, None)  # type: ignore[call-overload]  # numpy's stubs: None is a valid object fill
    return pd.DataFrame(
        {
            "language": langs,
            "compound": compound,
            "label": labels,
            "scored": scored,
            "n_sentiment_words": n_words,
            "words": words,
            "reason": _reasons(langs, scored),
        },
        index=index,
    )


NOT_SCORED_OTHER = "other language"
NOT_SCORED_NO_WORDS = "no words"


def _reasons(langs: np.ndarray, scored: np.ndarray) -> np.ndarray:
    """Why each text was not scored (None where it was)."""
    out = np.full(len(langs), None, dtype=object)
    unscored = np.flatnonzero(~scored)
    for i in unscored:
        lang = langs[i]
        if lang is None or lang in SUPPORTED_LANGUAGES:
            out[i] = NOT_SCORED_NO_WORDS
        elif lang == OTHER:
            out[i] = NOT_SCORED_OTHER
        else:
            out[i] = f"{NOT_SCORED_OTHER} ({lang})"
    return out


def comment_sentiment(
    df: pd.DataFrame,
    *,
    text: str = "comment",
    language: str = "language",
    model: SentimentModel | Literal["lexicon"] | None = None,
) -> pd.Series:
    """The sentiment (``compound``, -1 to 1) of each row's comment, for per-response tables.

    A row without a scored comment (none, no words, another language) gets a missing value,
    never a made-up neutral 0; a table without a ``text`` column gives all missing values, so
    summaries such as :func:`cxkit.stage_scorecard` leave sentiment out and say why.

    Parameters
    ----------
    df : DataFrame
        One row per response (e.g. the canonical feedback table).
    text : str, default "comment", keyword-only
        The comment column.
    language : str, default "language", keyword-only
        The column of language codes, used when present (else each text's language is
        detected, as :func:`sentiment` does with ``language=None``).
    model : None, "lexicon" or SentimentModel, optional, keyword-only
        The scorer, as in :func:`sentiment`: None (default) the lexicon scorer, with the
        built-in calibrated model for Norwegian; ``"lexicon"`` the lexicon scorer for every
        language; a model from :func:`calibrate_sentiment` for every text.

    Returns
    -------
    pandas.Series of float
        Named ``sentiment``, with the index of ``df``: each comment's ``compound`` from
        :func:`sentiment` (-1 to 1), NaN where the comment was not scored.

    Raises
    ------
    TypeError
        ``df`` is not a DataFrame (for a column of texts use :func:`sentiment`).
    ValueError
        ``model`` is not None, ``"lexicon"`` or a :class:`SentimentModel`, or the comment
        column holds values that are not texts (:class:`~cxkit.errors.TextsError`).

    Examples
    --------
    >>> import pandas as pd, cxkit as cx
    >>> fb = pd.DataFrame({"comment": ["Great service, thank you!", None, "Terrible wait."], "language": "en"})
    >>> cx.comment_sentiment(fb).round(2).tolist()
    [0.78, nan, -0.74]
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"comment_sentiment: df must be a DataFrame with a {text!r} column, "
            f"got {type(df).__name__}; for a column of texts use cx.sentiment(texts)."
        )
    if text not in df.columns:
        return pd.Series(np.nan, index=df.index, name="sentiment", dtype=float)
    codes = df[language] if language in df.columns else None
    scores = sentiment(df[text], codes, explain=0, model=model)
    return scores["compound"].where(scores["scored"].astype(bool)).astype(float).rename("sentiment")


# calibrate_sentiment's default grid of C (see its docstring)
C_GRID = (0.5, 1.0, 2.0, 4.0)
# the folds' design matrices are kept across C up to this many stored entries in all (~12 bytes
# each: 120 MB), and built again for each C beyond it
_FOLD_CACHE_ENTRIES = 10_000_000


def _C_grid(C: float | Sequence[float]) -> tuple[float, ...]:
    """C as an ascending tuple of positive floats (one number: a grid of one)."""
    values: list[object] = list(C) if isinstance(C, (Sequence, np.ndarray)) and not isinstance(C, str) else [C]
    numbers = [
        float(c) for c in values if isinstance(c, (int, float, np.integer, np.floating)) and not isinstance(c, bool)
    ]
    if not numbers or len(numbers) < len(values) or not all(np.isfinite(c) and c > 0 for c in numbers):
        raise ValueError(f"calibrate_sentiment: C must be a positive number or a list of them; got {C!r}")
    return tuple(sorted(set(numbers)))


def calibrate_sentiment(
    df: pd.DataFrame,
    *,
    text: str = "text",
    rating: str | None = "rating",
    label: str | None = None,
    language: str | None = "language",
    folds: int = 5,
    seed: int = 0,
    C: float | Sequence[float] = C_GRID,
    min_count: int = 2,
    groups: str | None = None,
    prior: pd.DataFrame | None = None,
) -> SentimentModel:
    """Learn the company's own sentiment vocabulary from its rated reviews.

    scikit-learn's regularised (L2) multinomial logistic regression, classes weighted to balance,
    on word stems, character n-grams and the lexicon score (see ``cxkit/analysis/calibration.py``),
    cross-validated and seeded. Use the result on unrated text with
    ``cx.sentiment(comments, model=model)``; the notebook uses it when ``model.recommended_``.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per review.
    text : str, default "text", keyword-only
        Column of review texts.
    rating : str or None, default "rating", keyword-only
        Column of star ratings 1-5: 1-2 negative, 3 neutral, 4-5 positive. Ignored when
        ``label`` is given.
    label : str or None, default None, keyword-only
        Column of classes (``negative``/``neutral``/``positive``, any case) instead of ratings.
    language : str or None, default "language", keyword-only
        Column of language codes (missing codes, or no column, are detected).
    folds : int, default 5, keyword-only
        Cross-validation folds; texts are dealt to folds at random (seeded by ``seed``), or by
        ``groups``.
    seed : int, default 0, keyword-only
        Seed of the fold assignment (same seed, same folds, same numbers).
    C : float or sequence of floats, default (0.5, 1, 2, 4), keyword-only
        Inverse strength of the L2 penalty (scikit-learn's ``C``). A sequence is a grid,
        walked from the smallest C up: every fold is fitted at one C (warm-started from its
        fit at the previous C) before the next C, until a C's pooled out-of-fold macro-F1 does
        not beat the best so far. The best C (the smallest of ties) gives the final model,
        ``oof_`` and ``cv_``; ``C_`` is the choice and ``cv_C_`` the C tried. The choice is made
        on the rows given here only. A single number is used as it is (no choice). The best C
        differs by data set (see ``benchmarks/results/sentiment_calibration_disjoint.json``),
        hence the grid.
    min_count : int, default 2, keyword-only
        A stem or character n-gram becomes a feature when it occurs in at least this many
        training texts.
    groups : str or None, default None, keyword-only
        Column whose values are kept together in one fold (e.g. a document id).
    prior : pandas.DataFrame or None, default None, keyword-only
        Extra labelled examples (columns ``text``, ``label``, ``language``) added to every
        training fold and never tested on, e.g. single lexicon words with their polarity so
        that short texts keep their lexicon meaning.

    Returns
    -------
    SentimentModel
        Fitted on every usable text (rows with a class and a non-empty text) and ``prior``,
        classes weighted to balance, with the cross-validation that judged it:

        - ``summary``: one row, ``n`` (texts used), ``classes``, ``C``, ``features`` (stems
          kept), ``ngrams`` (character n-grams kept), ``cv_accuracy``, ``cv_macro_f1``, ``lexicon_accuracy`` (the lexicon scorer
          on the same texts), ``recommended``
        - ``cv_``: one row per fold, ``fold``, ``n``, ``accuracy``, ``macro_f1``,
          ``lexicon_accuracy``; ``cv_accuracy_``, ``cv_macro_f1_`` and ``lexicon_accuracy_``
          are their means weighted by fold size
        - ``oof_``: out-of-fold ``compound`` (P(positive) - P(negative)) and ``label`` of each
          training text (index of ``df``), from the fold model that did not see it
        - ``recommended_``: True when there are at least 100 texts and the model's accuracy
          beat the lexicon scorer's by more than one standard error of the mean fold
          difference
        - ``C_`` (the C chosen, also ``C``) and ``cv_C_``: one row per C tried, ``C``,
          ``cv_accuracy``, ``cv_macro_f1`` (pooled out-of-fold), ``lbfgs_iterations`` (mean
          per fold)
        - ``n_``, ``classes``, ``C``, ``vocabulary``, ``coefficients()`` (the stems that
          matter most)

    Raises
    ------
    ValueError
        A column is missing, neither ``rating`` nor ``label`` is given, fewer than two
        classes or ``2 * folds`` usable texts, no positive or no negative text, or a C that is
        not a positive number.

    Examples
    --------
    >>> import cxkit as cx
    >>> reviews = cx.load_catalog(cx.DEFAULT_CATALOG)["reviews"].frame
    >>> model = cx.calibrate_sentiment(reviews.sample(2000, random_state=1), seed=1)
    >>> bool(model.cv_accuracy_ > model.lexicon_accuracy_), model.recommended_
    (True, True)
    >>> model.cv_C_["C"].tolist()[:2], bool(model.C_ in model.cv_C_["C"].tolist())
    ([0.5, 1.0], True)
    """
    grid = _C_grid(C)
    for col in [text] + [c for c in (rating if label is None else label, language, groups) if c]:
        if col not in df.columns and col != language:
            raise ValueError(f"calibrate_sentiment: column {col!r} not found; columns are {list(df.columns)}")
    if label is not None:
        y_text = df[label].astype("string").str.strip().str.lower()
    elif rating is not None:
        y_text = rating_to_class(df[rating].to_numpy(), rating_scale(df, rating))
        y_text.index = df.index
    else:
        raise ValueError("calibrate_sentiment needs rating= (a 1-5 star column) or label= (a class column)")
    texts = df[text]
    has_text = texts.notna().to_numpy() & (texts.astype("string").str.strip() != "").to_numpy()
    ok = y_text.isin(CLASSES).to_numpy() & has_text
    data = df.loc[ok]
    y_names = y_text[ok].to_numpy(dtype=object)
    classes = tuple(c for c in CLASSES if (y_names == c).any())
    if len(classes) < 2 or len(data) < 2 * folds:
        raise ValueError(
            f"calibrate_sentiment needs at least two classes and {2 * folds} rated texts; "
            f"got {len(data)} texts, classes {classes}"
        )
    if "positive" not in classes or "negative" not in classes:
        raise ValueError("calibrate_sentiment needs both positive (4-5 stars) and negative (1-2 stars) reviews")
    y = np.array([classes.index(c) for c in y_names])
    langs = None
    if language and language in data.columns:
        langs = [_normalise_language(v) for v in data[language]]
    items = as_text_list(data[text])
    n_data = len(items)
    prior_idx = np.zeros(0, dtype=np.int64)
    if prior is not None and len(prior):
        prior_y = prior["label"].astype(str).str.lower().to_numpy(dtype=object)
        keep_prior = np.isin(prior_y, classes)
        p_texts = as_text_list(prior["text"][keep_prior])
        p_langs: list[str | None] = (
            [_normalise_language(v) for v in prior["language"][keep_prior]]
            if "language" in prior
            else [None] * len(p_texts)
        )
        items = items + p_texts
        langs = (langs if langs is not None else [None] * n_data) + p_langs
        y = np.concatenate([y, [classes.index(c) for c in prior_y[keep_prior]]]).astype(np.int64)
        prior_idx = np.arange(n_data, n_data + len(p_texts))

    rng = np.random.default_rng(seed)
    if groups:
        uniq = pd.unique(data[groups])
        order = rng.permutation(len(uniq))
        fold_of_group = {g: i % folds for g, i in zip(uniq[order], range(len(uniq)))}
        fold = data[groups].map(fold_of_group).to_numpy()
    else:
        fold = np.empty(len(data), dtype=np.int64)
        fold[rng.permutation(len(data))] = np.arange(len(data)) % folds

    # Every text is featurised once, with one vocabulary of all stems and one of all n-grams;
    # each fold then keeps the stems and n-grams frequent enough in its own training texts and
    # learns their idf there (so nothing leaks from the test fold), and reads the test texts
    # through that fold's vocabulary. The same features as featurising each fold's texts anew,
    # without tokenising and scoring them eleven times. Identical texts in one language have
    # identical features: each is featurised once, and a fold fits one row per distinct
    # (text, class) pair, weighted by how often it occurs (review streams repeat themselves; the
    # weighted loss is the repeated rows' loss exactly, so the fit is the same, only cheaper).
    all_vocab: dict[str, int] = {}
    all_ngrams: dict[str, int] = {}
    key = np.array([f"{lang or ''}\x1f{t}" for t, lang in zip(items, langs or [None] * len(items))], dtype=object)
    codes, _ = pd.factorize(key)
    first = np.unique(codes, return_index=True)[1]
    n_unique = len(first)
    u_rows, u_cols, u_total, u_lex, _, u_chars = _featurise(
        [items[i] for i in first], None if langs is None else [langs[i] for i in first], all_vocab, True, all_ngrams
    )
    # a stem repeated in one text is one binary feature: keep each (text, stem) pair once
    u_stems = sparse.csr_matrix((np.ones(len(u_rows)), (u_rows, u_cols)), shape=(n_unique, len(all_vocab)))
    u_stems.sum_duplicates()
    u_stems.data[:] = 1.0
    u_chars = sparse.csr_matrix(u_chars)
    u_chars_seen = u_chars.copy()
    u_chars_seen.data[:] = 1.0
    f_lex = u_lex[codes]
    stem_names = np.array(list(all_vocab), dtype=object)
    gram_names = np.array(list(all_ngrams), dtype=object)
    k = len(classes)

    def block(seen, per_text, n):
        """The columns of a block kept in a fold's training texts (in >= min_count of them) and
        their idf there. ``per_text``: how many of the training texts each distinct text is.
        scikit-learn's smooth idf, ln((1 + n) / (1 + df)) + 1 (TfidfTransformer's definition,
        checked against it in tests/test_sentiment_scale.py), by hand because TfidfTransformer
        counts rows and takes no weights, and the rows here are distinct texts."""
        doc_freq = np.asarray(seen.T @ per_text).ravel()
        kept = np.flatnonzero(doc_freq >= min_count)
        return kept, np.log((1 + n) / (1 + doc_freq[kept])) + 1

    def features(idx):
        """A fold's feature list (an unfitted SentimentModel) from its training rows idx."""
        per_text = np.bincount(codes[idx], minlength=n_unique).astype(float)
        stem_ids, stem_idf = block(u_stems, per_text, len(idx))
        gram_ids, gram_idf = block(u_chars_seen, per_text, len(idx))
        model = SentimentModel(
            {name: j for j, name in enumerate(stem_names[stem_ids])},
            np.zeros((len(stem_ids) + len(gram_ids) + 2, k)),
            np.zeros(k),
            classes,
            grid[0],
            ngrams={name: j for j, name in enumerate(gram_names[gram_ids])},
            stem_idf=stem_idf,
            ngram_idf=gram_idf,
        )
        model._stem_ids, model._gram_ids = stem_ids, gram_ids
        return model

    def matrix(model, texts):
        """Design matrix of the distinct texts ``texts`` (codes) in a fold's features."""
        stems, _ = l2_rows(u_stems[texts][:, model._stem_ids].multiply(model.stem_idf).tocsr())
        chars, _ = l2_rows(u_chars[texts][:, model._gram_ids].multiply(model.ngram_idf).tocsr())
        return sparse.hstack([stems, chars, lexicon_block(u_total[texts])]).tocsr()

    def training_rows(idx):
        """One row per distinct (text, class) pair of the rows idx: its text (code), class and
        weight, its count times its class's balancing weight n / (classes * class count):
        scikit-learn's class_weight="balanced" on the repeated rows."""
        pair, count = np.unique(codes[idx] * k + y[idx], return_counts=True)
        texts, labels = pair // k, pair % k
        per_class = np.bincount(y[idx], minlength=k)
        balance = len(idx) / (np.count_nonzero(per_class) * np.maximum(per_class, 1))
        return texts, labels, count * balance[labels]

    def fit_at(model, classifier, X, labels, weights, c):
        """Fit at C = c, from the classifier's current weights (warm_start; zeros at first), and
        set the model's weights."""
        classifier.set_params(C=c)
        # scikit-learn's lbfgs; most of the fitting time is here. One BLAS thread: lbfgs's
        # vector bookkeeping on ~10^5 weights is slower threaded (threads woken for each small
        # call, and fighting other processes for the cores).
        with threadpool_limits(limits=1, user_api="blas"):
            classifier.fit(X, labels, sample_weight=weights)
        if k == 2:  # scikit-learn keeps one column for two classes: log-odds of the second
            model.coef = np.column_stack([-classifier.coef_[0] / 2, classifier.coef_[0] / 2])
            model.intercept = np.array([-classifier.intercept_[0] / 2, classifier.intercept_[0] / 2])
        else:
            model.coef, model.intercept = classifier.coef_.T.copy(), classifier.intercept_.copy()
        model.C = c
        return int(classifier.n_iter_.max())

    from sklearn.linear_model import LogisticRegression

    n_rows = len(data)
    truth = y[:n_rows]
    # out-of-fold class probabilities at every C of the grid tried
    oof_P = np.full((len(grid), n_rows, k), np.nan)
    n_stems_all = len(all_vocab)
    # Each fold's features (kept columns and idf) are learnt once and serve every C; its design
    # matrices too, while they fit in _FOLD_CACHE_ENTRIES stored entries (else rebuilt per C:
    # a fraction of a fit's time, against the memory of five near-copies of the data).
    folds_fitted = []
    for f in range(folds):
        test = np.flatnonzero(fold == f)
        if len(test):
            train = np.concatenate([np.flatnonzero(fold != f), prior_idx])
            folds_fitted.append(
                {
                    "test": test,
                    "model": features(train),
                    "rows": training_rows(train),
                    "test_texts": np.unique(codes[test], return_inverse=True),
                    "classifier": LogisticRegression(max_iter=2000, warm_start=True),
                    "weights": {},
                }
            )
    cache: dict[int, tuple[sparse.csr_matrix, sparse.csr_matrix]] = {}
    stored = 0

    def design_of(i, spec):
        nonlocal stored
        if i in cache:
            return cache[i]
        pair = (matrix(spec["model"], spec["rows"][0]), matrix(spec["model"], spec["test_texts"][0]))
        if stored + pair[0].nnz + pair[1].nnz <= _FOLD_CACHE_ENTRIES:
            cache[i] = pair
            stored += pair[0].nnz + pair[1].nnz
        return pair

    path_rows = []
    best = 0
    # the fits are the slow part (9.7k long reviews: a second or more each): one step per fit
    with progress.bar(len(folds_fitted) * len(grid) + 1, "calibrate_sentiment: fitting folds", unit="fit") as fits:
        # The grid is walked from the smallest C up, every fold at one C before the next C, each
        # fold's fit warm-started from its fit at the previous C; the walk stops when the pooled
        # out-of-fold macro-F1 does not rise above the best so far, so the larger C, the
        # slowest fits, are fitted only while they help. On the benchmark's training sets the
        # whole grid gives the same choice, except English, where C = 4 ties C = 1 (0.9165
        # both, 0.914 at C = 2) and the walk keeps 1 (cv_C_ of the whole grid, session 8: da
        # 0.685 0.680 0.673 0.672, sv 0.690 0.689 0.689 0.688, nb 0.631 0.630 0.628 0.620).
        for g, c in enumerate(grid):
            iterations = 0
            for i, spec in enumerate(folds_fitted):
                X, X_test = design_of(i, spec)
                _, labels, weights = spec["rows"]
                iterations += fit_at(spec["model"], spec["classifier"], X, labels, weights, c)
                fits.update(1)
                oof_P[g, spec["test"]] = spec["model"].probabilities(X_test)[spec["test_texts"][1]]
                spec["weights"][c] = (spec["classifier"].coef_.copy(), spec["classifier"].intercept_.copy())
            pred = oof_P[g].argmax(axis=1)
            path_rows.append(
                {
                    "C": c,
                    "cv_accuracy": float(np.mean(pred == truth)),
                    "cv_macro_f1": macro_f1(truth, pred, range(k)),
                    "lbfgs_iterations": iterations / len(folds_fitted),
                }
            )
            if path_rows[g]["cv_macro_f1"] > path_rows[best]["cv_macro_f1"]:
                best = g
            elif g > best:
                fits.update(len(folds_fitted) * (len(grid) - g - 1))  # the larger C are not fitted
                break
        cache.clear()
        path = pd.DataFrame(path_rows)
        chosen = grid[best]
        P_best = oof_P[best]
        records = []
        for spec in folds_fitted:
            test = spec["test"]
            pred = P_best[test].argmax(axis=1)
            truth_f = y[test]
            lex_c = f_lex[test]
            lex_label = np.where(
                lex_c >= SENTIMENT_THRESHOLDS["positive"],
                "positive",
                np.where(lex_c <= SENTIMENT_THRESHOLDS["negative"], "negative", "neutral"),
            )
            records.append(
                {
                    "fold": int(fold[test[0]]) + 1,
                    "n": len(test),
                    "accuracy": float(np.mean(pred == truth_f)),
                    "macro_f1": macro_f1(truth_f, pred, range(k)),
                    "lexicon_accuracy": float(np.mean(lex_label == np.array(classes, dtype=object)[truth_f])),
                }
            )
        cv = pd.DataFrame(records)
        everything = np.arange(len(items))
        final = features(everything)
        classifier = LogisticRegression(max_iter=2000, warm_start=True)
        if len(grid) > 1:
            # start the final fit from the folds' weights at the chosen C, averaged over the
            # folds that kept each feature (their features and idf are close to the final ones,
            # so lbfgs starts near the optimum; it stops at the same tolerance)
            n_all = n_stems_all + len(all_ngrams)
            total = np.zeros((folds_fitted[0]["weights"][chosen][0].shape[0], n_all + 2))
            seen = np.zeros(n_all + 2)
            intercept_sum = np.zeros(total.shape[0])
            for spec in folds_fitted:
                coef, intercept = spec["weights"][chosen]
                m = spec["model"]
                columns = np.concatenate([m._stem_ids, n_stems_all + m._gram_ids, [n_all, n_all + 1]])
                total[:, columns] += coef
                seen[columns] += 1
                intercept_sum += intercept
            ids = np.concatenate([final._stem_ids, n_stems_all + final._gram_ids, [n_all, n_all + 1]])
            classifier.coef_ = total[:, ids] / np.maximum(seen[ids], 1)
            classifier.intercept_ = intercept_sum / len(folds_fitted)
        del folds_fitted
        texts, labels, weights = training_rows(everything)
        fit_at(final, classifier, matrix(final, texts), labels, weights, chosen)
        fits.update(1)
    del final._stem_ids, final._gram_ids
    pos, neg = classes.index("positive"), classes.index("negative")
    final.cv_ = cv
    final.cv_C_ = path
    final.C_ = chosen
    final.oof_ = pd.DataFrame(
        {
            "compound": P_best[:, pos] - P_best[:, neg],
            "label": np.where(
                np.isnan(P_best[:, 0]), None, np.array(classes, dtype=object)[np.nan_to_num(P_best).argmax(axis=1)]
            ),
        },
        index=data.index,
    )
    final.n_ = len(data)
    final.cv_accuracy_ = float(np.average(cv["accuracy"], weights=cv["n"]))
    final.cv_macro_f1_ = float(np.average(cv["macro_f1"], weights=cv["n"]))
    final.lexicon_accuracy_ = float(np.average(cv["lexicon_accuracy"], weights=cv["n"]))
    diff = cv["accuracy"] - cv["lexicon_accuracy"]
    se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("inf")
    final.recommended_ = bool(len(data) >= 100 and diff.mean() > se)
    final.source = "calibrate_sentiment"
    return final
