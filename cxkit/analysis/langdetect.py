"""Language identification for English, Danish, Norwegian (Bokmål, Nynorsk) and Swedish.

A naive Bayes model over the words of a text: each word's probability in each language comes
from that language's word frequencies (the 12,000 most frequent words, from the wordfreq
package's data, CC BY-SA 4.0; see ``cxkit/analysis/lexicons/README.md``), and words outside that list
are scored by a character-trigram model trained on the same frequency lists, so spelling
(``kj``/``gj``, ``æ``/``ä``, ``-sjon``/``-tion``) still counts. Norwegian is then split into
Nynorsk and Bokmål by counting each written standard's marker words (``ikkje``, ``eg``,
``berre``, ``kva`` against ``ikke``, ``jeg``, ``bare``, ``hva``).

Why not a packaged detector: lingua-language-detector (Apache-2.0) is accurate but 96 MB and
scores about 3,600 review texts a second per core in its accurate mode; this model runs on the
sentiment scorer's token arrays (each distinct word is scored once), so it adds little to the
time of :func:`cxkit.sentiment`. Its accuracy on labelled text is measured in
``tests/test_langdetect.py`` and ``benchmarks/sentiment.py``.

Besides :func:`detect_language` (``cx.detect_language``), two functions are the module's
interface to the sentiment scorer, which tokenises each text once (``cxkit/analysis/_text.py``)
and detects and scores on the same token arrays: :func:`detect_batch` (languages of a tokenised
batch) and :func:`language_model` (the model's tables, built once; a scorer that forks worker
processes builds them first so that the workers share them).
"""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeAlias, cast, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

from ._text import Batch, Texts, encode, texts_and_index

__all__ = ["detect_language", "SUPPORTED_LANGUAGES"]

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
_MODEL_LANGUAGES = ("en", "da", "nb", "sv")
SUPPORTED_LANGUAGES = ("en", "da", "nb", "nn", "sv")
OTHER = "other"

# Marker words of each Norwegian written standard (forms that the other standard does not use).
NYNORSK_MARKERS = frozenset(
    "ikkje eg berre kva kvar korleis kvifor eit frå mykje noko nokon nokre nokså dei deira vore "
    "vere vert vart hjå sjølv sjølve meir kjem kom kome fekk gjekk heilt heile dårleg dårlege "
    "ho henne hennar veit seier sa gjer gjere bruka brukar fleire mange einaste ein einig "
    "skulle ville kunne tilrå tilrår fornøgd venleg venlege utruleg verkeleg særs òg "
    "berre anna andre ingenting ingen inga før etter korkje anten seie gonger gong veke framleis "
    "førre eigentleg tilsette skilnad lukta gløymde".split()
) - frozenset("skulle ville kunne kom mange før etter ingen ingenting andre".split())
BOKMAL_MARKERS = frozenset(
    "ikke jeg bare hva hvor hvordan hvorfor et fra mye noe noen de deres vært være blir ble hos "
    "selv mer kommer fikk gikk helt hele dårlig dårlige hun henne hennes vet sier gjør gjøre "
    "bruker flere eneste en enig anbefale anbefaler fornøyd vennlig vennlige utrolig virkelig "
    "også annet verken enten".split()
)

# Another language's evidence: its function words (``langid_other.tsv``: spaCy's stop-word lists
# of 23 languages cxkit does not score, less any word common in en/da/nb/sv) and letters that
# English, Danish, Norwegian and Swedish do not write; against it count the scored languages'
# own function words. A text is "other" when such words number at least two (or a third of its
# words) and outnumber the scored languages' function words. Chosen on the "dev" rows of
# tests/data/langid_sentences.tsv; on 3,000 Danish and 3,000 Swedish Trustpilot reviews it marks
# no Danish or Swedish text as "other" (benchmarks/sentiment.py, langid).
FOREIGN_LETTERS = frozenset("ñßłąęśźżćńõþðãçòìùèàêîôûőűčšžřěůýíóúâ")
MIN_OTHER_WORDS = 2
MIN_OTHER_SHARE = 0.34


@lru_cache(maxsize=1)
def _function_words() -> tuple[frozenset[str], frozenset[str]]:
    """(function words of other languages, function words of the scored languages)."""
    other: set[str] = set()
    scored: set[str] = set()
    with open(LEXICON_DIR / "langid_other.tsv", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        for word, kind, _languages in reader:
            (other if kind == "other" else scored).add(word)
    return frozenset(other), frozenset(scored)


# Endings that differ between the standards: vanskeleg/vanskelig, bestillinga/bestillingen,
# modellane/modellene.
_NYNORSK_SUFFIXES = ("leg", "lege", "legt", "inga", "ane")
_BOKMAL_SUFFIXES = ("lig", "lige", "ligt", "ingen", "ene")

# A text of at least MIN_WORDS_FOR_UNDETERMINED words is also "other" when the
# winning language's mean log-probability per character is below MIN_MEAN_LOGP (texts in the modelled
# languages average about -1.5 per character; German, French or Spanish text -2.8 to -4).
MIN_MEAN_LOGP = -2.9
MIN_WORDS_FOR_UNDETERMINED = 4
_OOV_MASS = 0.15  # probability a word is outside a language's top-12,000 list
_LAMBDAS = (0.6, 0.3, 0.09, 0.01)  # trigram, bigram, unigram, uniform

# One language's character tables: trigram, bigram-context, bigram, unigram-context and unigram weights.
_CharTables: TypeAlias = tuple[dict[str, float], dict[str, float], dict[str, float], dict[str, float], dict[str, float]]
# One word's features: log-probability per modelled language, known in any list, Nynorsk marker,
# Bokmål marker, evidence of another language, function word of a scored language.
_TokenFeatures: TypeAlias = tuple[list[float], bool, bool, bool, bool, bool]
# detect_batch: language codes and confidences, with diagnostics also the mean log-probabilities.
_Detected: TypeAlias = tuple[npt.NDArray[np.object_], npt.NDArray[np.float64]]
_Diagnosed: TypeAlias = tuple[npt.NDArray[np.object_], npt.NDArray[np.float64], npt.NDArray[np.float64]]


@lru_cache(maxsize=1)
def language_model() -> tuple[dict[str, dict[str, float]], dict[str, _CharTables]]:
    """Word log-probabilities and character-trigram tables per language (built once, then cached).

    :func:`detect_batch` builds them on first use; code that forks worker processes calls this
    first so that every worker shares one copy.
    """
    # Every field as text (no missing-value words such as "nan" or "null"); each frequency parsed
    # and raised by Python's float and pow, as the model has always been built.
    table = pd.read_csv(
        LEXICON_DIR / "langid_words.tsv", sep="\t", dtype=str, keep_default_na=False, na_filter=False, quoting=3
    )
    word_logp: dict[str, dict[str, float]] = {}
    chars: dict[str, _CharTables] = {}
    for lang in _MODEL_LANGUAGES:
        listed = table[table[lang] != ""]
        freqs = dict(
            zip(listed["word"].tolist(), [10.0 ** (float(z) - 9.0) for z in listed[lang].tolist()], strict=True)
        )
        total = sum(freqs.values())
        word_logp[lang] = {w: math.log((1 - _OOV_MASS) * f / total) for w, f in freqs.items()}
        chars[lang] = _char_tables(list(freqs), np.array(list(freqs.values())) / total)
    return word_logp, chars


def _char_tables(words: list[str], weights: npt.NDArray[np.float64]) -> _CharTables:
    """One language's character tables from its words and their relative frequencies.

    Each n-gram's weight is the sum of the weights of the words it occurs in, once per
    occurrence, added in the order of the words and of the positions within them; a context's
    total sums its n-grams' weights in the order they first occur. That is the order of the
    plain loop over words and positions (``tests/test_langdetect.py`` keeps it as the
    reference), so the sums are the same to the last bit, and no detected language changes.
    Done on arrays of code points because the loop took 0.6 s of each kernel that detects a
    language (issue 31 D5)."""
    padded = ["^^" + w + "$" for w in words]
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    width = int(lengths.max())
    points = np.array(padded, dtype=f"<U{width}").view(np.uint32).reshape(len(padded), width).astype(np.int64)
    # positions 2 .. len-1 of each padded word, word after word (row-major order)
    valid = np.arange(2, width)[None, :] < lengths[:, None]
    c0, c1, c2 = points[:, :-2][valid], points[:, 1:-1][valid], points[:, 2:][valid]
    each = np.broadcast_to(weights[:, None], valid.shape)[valid]
    tri_keys, tri = _sums_in_order((c0 << 42) | (c1 << 21) | c2, each)
    bi_keys, bi = _sums_in_order((c1 << 21) | c2, each)
    uni_keys, uni = _sums_in_order(c2, each)
    ctx2_keys, ctx2 = _sums_in_order(tri_keys >> 21, tri)
    ctx1_keys, ctx1 = _sums_in_order(bi_keys >> 21, bi)
    n_uni = sum(uni.tolist())
    return (
        dict(zip(_decode(tri_keys, 3), tri.tolist(), strict=True)),
        dict(zip(_decode(ctx2_keys, 2), ctx2.tolist(), strict=True)),
        dict(zip(_decode(bi_keys, 2), bi.tolist(), strict=True)),
        dict(zip(_decode(ctx1_keys, 1), ctx1.tolist(), strict=True)),
        {c: v / n_uni for c, v in zip(_decode(uni_keys, 1), uni.tolist(), strict=True)},
    )


def _sums_in_order(
    keys: npt.NDArray[np.int64], weights: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The distinct keys in the order they first occur, and each one's weights summed one after
    another in their order (``np.bincount`` adds sequentially, as ``d[k] = d.get(k, 0.0) + w`` does)."""
    codes, distinct = pd.factorize(keys)
    sums = np.bincount(codes, weights=weights, minlength=len(distinct))  # float64 with weights
    return np.asarray(distinct, dtype=np.int64), cast(npt.NDArray[np.float64], sums)


def _decode(keys: npt.NDArray[np.int64], n: int) -> list[str]:
    """Strings of ``n`` characters from keys of 21 bits a code point (the first the highest)."""
    shifts = 21 * np.arange(n - 1, -1, -1, dtype=np.int64)
    points = ((keys[:, None] >> shifts[None, :]) & ((1 << 21) - 1)).astype(np.uint32)
    return cast(list[str], np.ascontiguousarray(points).view(f"<U{n}").ravel().tolist())


def _char_logp(word: str, tables: _CharTables) -> float:
    tri, ctx2, bi, ctx1, uni = tables
    l3, l2, l1, l0 = _LAMBDAS
    s = "^^" + word + "$"
    total = 0.0
    for i in range(2, len(s)):
        c = s[i]
        h2 = s[i - 2 : i]
        h1 = s[i - 1]
        p3 = tri.get(h2 + c, 0.0) / ctx2[h2] if h2 in ctx2 else 0.0
        p2 = bi.get(h1 + c, 0.0) / ctx1[h1] if h1 in ctx1 else 0.0
        total += math.log(l3 * p3 + l2 * p2 + l1 * uni.get(c, 0.0) + l0 / 100.0)
    return total


_token_cache: dict[str, _TokenFeatures] = {}


def _token_features(word: str) -> _TokenFeatures:
    """(log-probability per modelled language, known in any list, nynorsk marker, bokmål marker)."""
    hit = _token_cache.get(word)
    if hit is not None:
        return hit
    word_logp, chars = language_model()
    logps = []
    known = False
    for lang in _MODEL_LANGUAGES:
        lp = word_logp[lang].get(word)
        if lp is None:
            lp = math.log(_OOV_MASS) + _char_logp(word, chars[lang])
        else:
            known = True
        logps.append(lp)
    # a word's evidence is bounded, so one loan word or name cannot outvote a sentence
    top = max(logps)
    logps = [max(lp, top - 12.0) for lp in logps]
    long = len(word) > 5
    nynorsk = word in NYNORSK_MARKERS or (long and word.endswith(_NYNORSK_SUFFIXES))
    bokmal = word in BOKMAL_MARKERS or (long and word.endswith(_BOKMAL_SUFFIXES))
    other_words, scored_words = _function_words()
    foreign = word in other_words or not FOREIGN_LETTERS.isdisjoint(word)
    hit = (logps, known, nynorsk, bokmal, foreign, word in scored_words or word in NYNORSK_MARKERS)
    if len(_token_cache) < 2_000_000:
        _token_cache[word] = hit
    return hit


@overload
def detect_batch(batch: Batch, *, diagnostics: Literal[False] = ...) -> _Detected: ...
@overload
def detect_batch(batch: Batch, *, diagnostics: Literal[True]) -> _Diagnosed: ...
@overload
def detect_batch(batch: Batch, *, diagnostics: bool = ...) -> _Detected | _Diagnosed: ...
def detect_batch(batch: Batch, *, diagnostics: bool = False) -> _Detected | _Diagnosed:
    """Language code (object array) and confidence for each text of a tokenised batch.

    ``batch`` comes from ``cxkit.analysis._text.encode``; the codes and confidences are those
    of :func:`detect_language` (``None`` and NaN for a text without words, ``"other"`` and NaN
    for another language). ``diagnostics=True`` adds each text's mean log-probability per
    character under the winning language, which helps decide ``"other"``.
    """
    n = batch.n_docs
    lowers = batch.lowers
    is_word = np.fromiter((w[:1].isalpha() for w in lowers), dtype=bool, count=len(lowers))
    word_ids = np.flatnonzero(is_word)
    k = len(_MODEL_LANGUAGES)
    table = np.zeros((len(lowers), k))
    known = np.zeros(len(lowers))
    nn_mark = np.zeros(len(lowers))
    nb_mark = np.zeros(len(lowers))
    foreign = np.zeros(len(lowers))
    native = np.zeros(len(lowers))
    for i in word_ids:
        logps, kn, nn, nb, fw, nat = _token_features(lowers[i])
        table[i] = logps
        known[i] = kn
        nn_mark[i] = nn
        nb_mark[i] = nb
        foreign[i] = fw
        native[i] = nat
    lower = batch.lower
    doc = batch.doc
    token_is_word = is_word[lower]
    d = doc[token_is_word]
    lw = lower[token_is_word]
    scores = np.empty((n, k))
    for j in range(k):
        scores[:, j] = np.bincount(d, weights=table[lw, j], minlength=n)
    n_words = np.bincount(d, minlength=n)
    best = scores.argmax(axis=1)
    shifted = scores - scores.max(axis=1, keepdims=True)
    post = np.exp(shifted)
    post /= post.sum(axis=1, keepdims=True)
    confidence = post[np.arange(n), best]
    codes = np.array(_MODEL_LANGUAGES, dtype=object)[best]
    # Nynorsk or Bokmål: marker words of each standard
    nn_count = np.bincount(d, weights=nn_mark[lw], minlength=n)
    nb_count = np.bincount(d, weights=nb_mark[lw], minlength=n)
    codes[(codes == "nb") & (nn_count > nb_count)] = "nn"
    # another language: the winner explains the words poorly (low mean log-probability per word)
    word_chars = np.fromiter((len(w) + 1 for w in lowers), dtype=float, count=len(lowers))
    n_chars = np.bincount(d, weights=word_chars[lw], minlength=n)
    mean_logp = np.divide(scores.max(axis=1), n_chars, out=np.zeros(n), where=n_chars > 0)
    n_foreign = np.bincount(d, weights=foreign[lw], minlength=n)
    n_native = np.bincount(d, weights=native[lw], minlength=n)
    foreign_words = (
        (n_foreign >= 1)
        & ((n_foreign >= MIN_OTHER_WORDS) | (n_foreign >= MIN_OTHER_SHARE * n_words))
        & (n_foreign > n_native)
    )
    undetermined = foreign_words | ((n_words >= MIN_WORDS_FOR_UNDETERMINED) & (mean_logp < MIN_MEAN_LOGP))
    codes[undetermined] = OTHER
    confidence = np.where(undetermined, np.nan, confidence)
    empty = n_words == 0
    codes[empty] = None
    confidence = np.where(empty, np.nan, confidence)
    if diagnostics:
        return codes, confidence, mean_logp
    return codes, confidence


def detect_language(texts: Texts, *, chunk_size: int = 50_000) -> pd.DataFrame:
    """Detect the language of each text: English, Danish, Bokmål, Nynorsk or Swedish.

    Parameters
    ----------
    texts : sequence of str
        Review texts, comments, ... (a Series keeps its index). Missing values count as empty.
    chunk_size : int, keyword-only
        Texts tokenised at a time (bounds memory on millions of texts).

    Returns
    -------
    pandas.DataFrame
        One row per text, same index: ``language`` (``"en"``, ``"da"``, ``"nb"``, ``"nn"``,
        ``"sv"``; ``"other"`` for another language: German, Dutch, Finnish, French, Spanish, Polish,
        ... are recognised by their function words and letters, and any text whose words these
        languages' word lists explain poorly; missing for a text without words) and
        ``confidence`` (posterior probability of the chosen language among en/da/nb/sv under
        the model; missing when ``language`` is ``"other"`` or missing).

    Examples
    --------
    >>> import cxkit as cx
    >>> cx.detect_language(["Leveringen tok 4 dager. Ikke noe spesielt, men pakken kom fram.",
    ...                     "Leveringen tog 4 dage. Ikke noget særligt, men pakken kom frem.",
    ...                     "Leveransen tog 4 dagar. Inget speciellt, men paketet kom fram.",
    ...                     "Eg har venta i ti dagar og pakken er ikkje komen enno.",
    ...                     "Delivery took 4 days."])["language"].tolist()
    ['nb', 'da', 'sv', 'nn', 'en']
    """
    items, index = texts_and_index(texts, function="detect_language")
    codes = np.empty(len(items), dtype=object)
    confidence = np.empty(len(items))
    for start in range(0, len(items), chunk_size):
        part = items[start : start + chunk_size]
        c, p = detect_batch(encode(part))
        codes[start : start + len(part)] = c
        confidence[start : start + len(part)] = p
    return pd.DataFrame({"language": codes, "confidence": confidence}, index=index)
