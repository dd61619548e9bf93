"""Topic discovery: what customers write about that no theme covers, found in the company's own text.

:func:`suggest_topics` groups the texts that match no theme into topics, per language, and
describes each by its top terms, its size, its sentiment and a few masked verbatims. They are
suggestions for the catalog ("add it as a theme"), never mixed into the theme statistics.

Method (offline, seeded, scikit-learn for every step but the last):

1. words of three or more letters, lower case, without the language's function words (the
   short lists below), counted by ``CountVectorizer`` without words in fewer than ``min_df``
   texts or in more than half (at most 5,000 words, the most frequent);
2. TF-IDF (``TfidfTransformer``: sublinear term frequency, smoothed idf, rows of unit length);
3. latent semantic analysis: the leading singular vectors (``TruncatedSVD``, ARPACK started from
   a seeded vector), rows normalised again;
4. k-means on those rows (``KMeans``, k-means++ start, 8 seeded starts, the tightest kept);
5. each cluster's top terms by class-based TF-IDF (c-TF-IDF, Grootendorst 2022: a term's
   frequency in the cluster times ``log(1 + mean words per cluster / its frequency in all
   clusters)``), a few lines of its formula: BERTopic, where it lives, is a dependency too many.

Measured on the planted-topic benchmark (``benchmarks/topics_recovery.py``, the planted topic found
whole in each of en/da/nb/sv): this method 79 of 80 runs with ``--runs 20`` and 195 of 200 with
``--runs 50``, the SciPy ``svds`` + ``kmeans2`` it replaced 79 and 194; in a trial with 20 runs,
scikit-learn's NMF (``init="nndsvda"``) on the same TF-IDF found it in 65 of 80 and randomized SVD
instead of ARPACK in 74. On the 37k texts of ``benchmarks/themes.py`` it takes 3.4 s of CPU, the
SciPy version 4.5 s (``benchmarks/topics_speed.py``, medians of 5 alternated runs, one thread).

Examples
--------
>>> texts = ["parking was full again", "no parking spaces left", "parking lot too small"] * 20 + \\
...         ["great coffee in the lounge", "the lounge coffee was cold", "lounge had no coffee"] * 20
>>> topics = suggest_topics(texts, n_topics=2, min_size=5)
>>> sorted(t[0] for t in topics["terms"])
['coffee', 'parking']
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .. import progress
from ..privacy import mask_pii
from ._text import Texts, texts_and_index

__all__ = ["STOP_WORDS", "suggest_topics"]

# Function words (articles, pronouns, auxiliaries, conjunctions, common adverbs), written for this
# module: they carry no topic, and without them a topic's top terms would be "the", "og", "att".
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """a about after again all also am an and any are as at be because been before being but by can
        could did do does doing don't for from get got had has have having he her here him his how i i'm
        if in into is it it's its just me more most my no not now of off on once one only or other our out
        over own really same she should so some still such than that the their them then there these they
        this those through to too under until up very was we were what when where which while who why will
        with would you your ve ll isn't didn't doesn't wasn't won't can't i've i'd also even much many
        well would've get gets""".split()
    ),
    "da": frozenset(
        """af alle alt anden andet andre at bare blev blive bliver da de dem den denne der deres det dette
        dig din dine disse du efter eller en end er et for fik fra får god godt ham han har havde have hele
        hende her hun hvad hvis hvor hvordan i ikke ind jeg jer jo kan kom kun kunne lidt man mange med meg
        meget men mere mig min mine mit mod må ned noget nogle nu når og også om op os over på selv sig sin
        sine sit skal skulle som så sådan thi til ud under var vi vil ville vor vores være været""".split()
    ),
    "nb": frozenset(
        """alle alt andre at av bare ble bli blir da de dem den denne der deres det dette deg din dine disse
        du eller en enn er et etter for fikk fra får god godt ham han har hadde ha hele henne her hun hva
        hvis hvor hvordan i ikke inn jeg dere jo kan kom kun kunne litt man mange med meg mye men mer min
        mine mitt mot må ned noe noen nå når og også om opp oss over på seg selv sin sine sitt skal skulle
        som så slik til ut under var vi vil ville vår våre være vært veldig""".split()
    ),
    "sv": frozenset(
        """alla allt andra att av bara blev bli blir då de dem den denna där deras det detta dig din dina
        dessa du efter eller en ett än är för fick från får god gott honom han har hade ha hela henne här
        hon hur i inte in jag ni ju kan kom bara kunde lite man många med mig mycket men mer min mina mitt
        mot måste ner något några nu när och också om upp oss över på sig själv sin sina sitt ska skulle
        som så sådan till ut under var vi vill skulle vår våra vara varit väldigt""".split()
    ),
}
_WORDS = re.compile(r"[^\W\d_]{3,}(?:['’][^\W\d_]+)?")
_COLUMNS = ["topic", "language", "terms", "size", "share", "mean_compound", "share_negative", "examples"]


def _c_tf_idf(counts: sp.csr_matrix, labels: np.ndarray, k: int) -> np.ndarray:
    """Class-based TF-IDF (Grootendorst 2022, BERTopic): one row per cluster."""
    member = sp.csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, len(labels)))
    tf = np.asarray((member @ counts).todense())
    per_class = tf.sum(axis=1, keepdims=True)
    per_class[per_class == 0] = 1.0
    mean_words = tf.sum() / k
    overall = tf.sum(axis=0)
    overall[overall == 0] = 1.0
    return (tf / per_class) * np.log(1 + mean_words / overall)


def _topics_of(
    texts: list[str],
    positions: np.ndarray,
    language: str,
    *,
    n_topics: int | None,
    seed: int,
    min_df: int | None,
    min_size: int | None,
    top_terms: int,
    step: Callable[[], object] = lambda: None,
) -> list[dict[str, Any]]:
    """Topics of one language's texts; ``step()`` is called after each of the three costly steps
    (vectorising, the decomposition, k-means), for the progress bar."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
    from sklearn.preprocessing import normalize

    stop = STOP_WORDS.get(language, frozenset()) | STOP_WORDS["en"]

    def words_of(text: str) -> list[str]:
        return [w for w in _WORDS.findall(text.lower()) if w not in stop]

    n = len(texts)
    floor = min_df if min_df is not None else max(3, math.ceil(0.002 * n))
    if floor > 0.5 * n:
        return []
    counter = CountVectorizer(analyzer=words_of, min_df=floor, max_df=0.5, max_features=5000, dtype=np.float64)
    try:
        counts = sp.csr_matrix(counter.fit_transform(texts))
    except ValueError:  # scikit-learn's way of saying no word is left after the limits: no topic
        return []
    if counts.shape[1] < 4:
        return []
    has_words = counts.getnnz(axis=1) > 0
    if has_words.sum() < 10:
        return []
    counts, positions = counts[has_words], positions[has_words]
    step()
    x = sp.csr_matrix(TfidfTransformer(sublinear_tf=True).fit_transform(counts))
    k = n_topics if n_topics is not None else int(min(8, max(2, round(math.sqrt(x.shape[0] / 25)))))
    k = max(1, min(k, x.shape[0] // 2))
    dims = int(min(50, x.shape[1] - 1, x.shape[0] - 1))
    z = normalize(TruncatedSVD(dims, algorithm="arpack", random_state=seed).fit_transform(x))
    step()
    if k > 1:
        # several seeded starts, the tightest kept: one k-means++ start can split a clear topic
        # in two and merge two others
        km = KMeans(k, n_init=8, random_state=seed).fit(z)
        centroids, labels = km.cluster_centers_, km.labels_
    else:
        centroids, labels = z.mean(axis=0, keepdims=True), np.zeros(z.shape[0], dtype=int)
    step()
    weights = _c_tf_idf(counts, labels, k)
    words = counter.get_feature_names_out()
    smallest = min_size if min_size is not None else max(5, math.ceil(0.02 * x.shape[0]))
    out = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        if len(members) < smallest:
            continue
        best = np.argsort(-weights[c], kind="stable")[:top_terms]
        distance = np.linalg.norm(z[members] - centroids[c], axis=1)
        out.append(
            {
                "language": language,
                "terms": [str(words[j]) for j in best if weights[c][j] > 0],
                "size": len(members),
                "members": positions[members[np.argsort(distance, kind="stable")]],
            }
        )
    return out


def suggest_topics(
    texts: Texts,
    *,
    language: Texts | None = None,
    sentiment: pd.DataFrame | None = None,
    n_topics: int | None = None,
    seed: int = 0,
    min_texts: int = 30,
    min_df: int | None = None,
    min_size: int | None = None,
    top_terms: int = 8,
    examples: int = 3,
    max_chars: int = 160,
) -> pd.DataFrame:
    """Topics in texts, per language: suggestions for the catalog's themes.

    Pass the texts that match no theme (``texts[~tags.any(axis=1)]``): what the theme list
    misses. See the module docstring for the method.

    Parameters
    ----------
    texts : sequence of str
        The texts (a Series keeps its index); missing or empty ones are left out.
    language : sequence of str, optional, keyword-only
        Each text's language code; topics are found per language (each with its function
        words left out). None: one group, ``"all"``.
    sentiment : DataFrame, optional, keyword-only
        ``compound`` and ``label`` per text (:func:`cxkit.sentiment`, same index or order):
        each topic's mean and share negative.
    n_topics : int, optional, keyword-only
        Clusters per language; default grows with the number of texts (2 to 8).
    seed : int, default 0, keyword-only
        Seed of the decomposition's start and of k-means: the same texts and seed give the same
        topics.
    min_texts : int, default 30, keyword-only
        Languages with fewer texts are skipped.
    min_df, min_size : int, optional, keyword-only
        Fewest texts a word must appear in (default 3, or 0.2% of the texts), and fewest texts
        a topic must have to be listed (default 5, or 2% of the language's texts).
    top_terms, examples, max_chars : int, keyword-only
        Terms per topic, verbatims per topic (the texts nearest the topic's centre, masked with
        :func:`cxkit.privacy.mask_pii`, then cut to ``max_chars``).

    Returns
    -------
    DataFrame
        One row per topic, the largest first within each language (languages by their number of
        texts): ``topic`` (1, 2, ... over the table), ``language``, ``terms`` (list of str),
        ``size`` (texts), ``share`` (of the language's texts), ``mean_compound`` and
        ``share_negative`` (NaN without ``sentiment``), ``examples`` (list of masked texts).
        Empty (with these columns) when no language has enough text.
    """
    items, _ = texts_and_index(texts, function="suggest_topics")
    codes = (
        texts_and_index(language, function="suggest_topics", argument="language")[0]
        if language is not None
        else ["all"] * len(items)
    )
    if len(codes) != len(items):
        raise ValueError(f"suggest_topics: language has {len(codes)} values for {len(items)} texts; pass one per text.")
    if sentiment is not None and len(sentiment) != len(items):
        raise ValueError(
            f"suggest_topics: sentiment has {len(sentiment)} rows for {len(items)} texts; pass cx.sentiment(texts)."
        )
    frame = pd.DataFrame({"text": items, "language": [c or "unknown" for c in codes]})
    frame = frame[frame["text"].str.strip().astype(bool)]
    rows = []
    groups = [
        (lang, group)
        for lang, group in sorted(frame.groupby("language"), key=lambda kv: (-len(kv[1]), str(kv[0])))
        if len(group) >= min_texts
    ]
    # a bar over three steps per language, shown once discovery has run DELAY seconds (100k
    # comments take about ten)
    with progress.bar(3 * len(groups), "suggest_topics", unit="step") as bar:
        found_by_language = []
        for lang, group in groups:
            done = bar.n
            found_by_language.append(
                _topics_of(
                    group["text"].tolist(),
                    group.index.to_numpy(),
                    str(lang),
                    n_topics=n_topics,
                    seed=seed,
                    min_df=min_df,
                    min_size=min_size,
                    top_terms=top_terms,
                    step=lambda: bar.update(1),
                )
            )
            bar.update(done + 3 - bar.n)  # a language left early (too few words) counts as done
    for (lang, group), found in zip(groups, found_by_language, strict=True):
        for topic in sorted(found, key=lambda t: (-t["size"], t["terms"])):
            members = topic["members"]
            picked = pd.Series([items[i] for i in members]).drop_duplicates().head(examples)
            mean = share_neg = float("nan")
            if sentiment is not None:
                part = sentiment.iloc[members]
                mean = float(pd.to_numeric(part["compound"], errors="coerce").mean())
                share_neg = float((part["label"] == "negative").mean())
            rows.append(
                {
                    "language": str(lang),
                    "terms": topic["terms"],
                    "size": int(topic["size"]),
                    "share": topic["size"] / len(group),
                    "mean_compound": mean,
                    "share_negative": share_neg,
                    "examples": [
                        str(m) if len(str(m)) <= max_chars else str(m)[: max_chars - 1].rstrip() + "…"
                        for m in picked.map(mask_pii)
                    ],
                }
            )
    out = pd.DataFrame(rows, columns=_COLUMNS[1:])
    out.insert(0, "topic", np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)
