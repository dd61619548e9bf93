"""Topic discovery: what customers write about that no theme covers, found in the company's own text.

:func:`suggest_topics` groups the texts that match no theme into topics, per language, and
describes each by its top terms, its size, its sentiment and a few masked verbatims. They are
suggestions for the catalog ("add it as a theme"), never mixed into the theme statistics.

Method (offline, seeded, every step from a well-kept library where one exists here):

1. words of three or more letters, lower case, without the language's function words (the
   short lists below) and without words in fewer than ``min_df`` texts or in more than half;
2. TF-IDF (sublinear term frequency, smoothed idf, rows of unit length; the weighting of
   scikit-learn's ``TfidfVectorizer``) as a :mod:`scipy.sparse` matrix;
3. latent semantic analysis: the leading singular vectors (:func:`scipy.sparse.linalg.svds`,
   started from a seeded vector), rows normalised again;
4. k-means on those rows (:func:`scipy.cluster.vq.kmeans2`, k-means++ start, seeded);
5. each cluster's top terms by class-based TF-IDF (c-TF-IDF, Grootendorst 2022: a term's
   frequency in the cluster times ``log(1 + mean words per cluster / its frequency in all
   clusters)``).

scikit-learn (NMF / LDA) is not a dependency of cxkit, so steps 2 and 5 are the few lines of
their formulas; the linear algebra and the clustering are SciPy's.

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
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.cluster.vq import kmeans2
from scipy.sparse.linalg import svds

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


def _vocabulary(tokens: list[list[str]], min_df: int, max_df: float, max_terms: int) -> dict[str, int]:
    df: dict[str, int] = {}
    for words in tokens:
        for w in set(words):
            df[w] = df.get(w, 0) + 1
    limit = max_df * len(tokens)
    kept = [(w, c) for w, c in df.items() if min_df <= c <= limit]
    kept.sort(key=lambda wc: (-wc[1], wc[0]))  # the most frequent first, then alphabetical: deterministic
    return {w: i for i, (w, _) in enumerate(sorted(kept[:max_terms]))}


def _counts(tokens: list[list[str]], vocab: dict[str, int]) -> sp.csr_matrix:
    rows, cols = [], []
    for i, words in enumerate(tokens):
        for w in words:
            j = vocab.get(w)
            if j is not None:
                rows.append(i)
                cols.append(j)
    data = np.ones(len(rows), dtype=np.float64)
    counts = sp.csr_matrix((data, (rows, cols)), shape=(len(tokens), len(vocab)))
    counts.sum_duplicates()
    return counts


def _tfidf(counts: sp.csr_matrix) -> sp.csr_matrix:
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + n) / (1 + df)) + 1.0
    x = counts.copy()
    x.data = 1.0 + np.log(x.data)  # sublinear term frequency
    x = x.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(x.multiply(1.0 / norms[:, None]))


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
) -> list[dict[str, Any]]:
    stop = STOP_WORDS.get(language, frozenset()) | STOP_WORDS["en"]
    tokens = [[w for w in _WORDS.findall(t.lower()) if w not in stop] for t in texts]
    n = len(tokens)
    floor = min_df if min_df is not None else max(3, math.ceil(0.002 * n))
    vocab = _vocabulary(tokens, floor, 0.5, 5000)
    if len(vocab) < 4:
        return []
    counts = _counts(tokens, vocab)
    has_words = np.asarray(counts.sum(axis=1)).ravel() > 0
    if has_words.sum() < 10:
        return []
    counts, positions = counts[has_words], positions[has_words]
    x = _tfidf(counts)
    k = n_topics if n_topics is not None else int(min(8, max(2, round(math.sqrt(x.shape[0] / 25)))))
    k = max(1, min(k, x.shape[0] // 2))
    dims = int(min(50, x.shape[1] - 1, x.shape[0] - 1))
    rng = np.random.default_rng(seed)
    if dims >= 2:
        u, s, _ = svds(x, k=dims, v0=rng.standard_normal(min(x.shape)), random_state=seed)
        order = np.argsort(-s)
        z = u[:, order] * s[order]
    else:
        z = x.toarray()
    norms = np.linalg.norm(z, axis=1)
    norms[norms == 0] = 1.0
    z = z / norms[:, None]
    if k > 1:
        # several seeded starts, the tightest kept (as scikit-learn's n_init): one k-means++ start
        # can split a clear topic in two and merge two others
        best_inertia = np.inf
        for _ in range(8):
            c_try, l_try = kmeans2(z, k, iter=50, minit="++", rng=rng)
            inertia = float(((z - c_try[l_try]) ** 2).sum())
            if inertia < best_inertia - 1e-12:
                best_inertia, centroids, labels = inertia, c_try, l_try
    else:
        centroids, labels = z.mean(axis=0, keepdims=True), np.zeros(z.shape[0], dtype=int)
    weights = _c_tf_idf(counts, labels, k)
    words = np.array(sorted(vocab, key=vocab.__getitem__))
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
                "terms": [str(w) for w in words[best] if weights[c][vocab[w]] > 0],
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
    for lang, group in sorted(frame.groupby("language"), key=lambda kv: (-len(kv[1]), str(kv[0]))):
        if len(group) < min_texts:
            continue
        found = _topics_of(
            group["text"].tolist(),
            group.index.to_numpy(),
            str(lang),
            n_topics=n_topics,
            seed=seed,
            min_df=min_df,
            min_size=min_size,
            top_terms=top_terms,
        )
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
