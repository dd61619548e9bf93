"""Self-calibrating sentiment: learn a company's own vocabulary from its rated reviews.

:func:`calibrate_sentiment` fits scikit-learn's multinomial ``LogisticRegression`` (L2 penalty,
classes weighted to balance, lbfgs) on three blocks of features per text:

- **word stems**: one feature per stem in the text (the text language's Snowball stemmer; a
  stem within a negation's reach is a separate feature, ``not:stem``), present or not, times
  its idf, the block l2-normalised (scikit-learn's ``TfidfTransformer``);
- **character n-grams**: 2- to 5-character n-grams within each word, padded with a space at
  both ends (scikit-learn's ``char_wb`` analyzer, the same n-grams as
  ``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))``), counted, times their idf, the
  block l2-normalised. They catch inflections, compounds and misspellings that the stems miss
  (Danish and Swedish compounds above all);
- **the lexicon scorer's** summed valence ``s`` and ``|s|`` (divided by 16), so the lexicon's
  negation, boosters and phrases carry over to companies and words the training reviews lack.

Stems and n-grams are kept when they occur in at least ``min_count`` training texts. The words
are cxkit's own tokens (``cxkit/analysis/_text.py``), and the n-grams are built once per distinct
word form and summed per text (a sparse product), not once per text: review streams repeat the
same few thousand words. Because every n-gram lies inside one word, each word's share of a
prediction is exact: its stem's and its n-grams' weights and its lexicon valence's (that is what
explanations list; with the intercepts and the ``|s|`` feature they add up to the log-odds of
positive against negative).

Where the time goes (5,666 Danish reviews, C chosen from the grid: 5 folds at C = 0.5 and 1,
then the final fit; processor seconds on the loaded 2-core machine, 19.7 s in all): 14.2 s in
scikit-learn's lbfgs (11 fits of 28-51 iterations on ~48k features x 3 classes and ~3 million
stored entries; per iteration two sparse products, X w and X^T r, and lbfgs's own updates
(``setulb``), in about equal parts), about 1 s building each fold's idf-weighted blocks, and
about 4 s featurising every distinct text once (character n-grams per distinct form, lexicon
rules, Snowball stems per distinct form, tokenising). The walk up the grid costs the folds'
second C (about 30 iterations each, warm-started, against about 45 from zeros); the final fit
started from the folds' averaged weights takes 28 iterations instead of about 45. Word pairs (bigrams) as a fourth block were
tried and left out: 5-fold cross-validated macro-F1 on the training parts changed by -0.5
(da), -0.15 (nb) and +1.4 (sv) points, and the fits took 1.4-2.5x as long.

The penalty C is chosen per data set, by the same cross-validation on the rows given (never on
anything scored later): the folds are fitted along a small grid (0.5, 1, 2, 4), smallest C
first, each fold warm-started from its fit at the previous C on its feature blocks built once,
until a C's pooled out-of-fold macro-F1 does not beat the best so far; the best C is kept
(``C_``; the C tried are ``cv_C_``). The final fit starts from the folds' weights at that C,
averaged. A fold fits one row per distinct (text, class) pair weighted by its count, the same
loss as the repeated rows (at a fixed C the model is the one fitted on repeated rows to 2e-13):
the sample's 12,000 reviews are 3,305 such pairs.

Classes are weighted to balance (each class counts equally in the loss), so a mostly-positive
review stream does not teach the model to call everything positive. Accuracy is estimated by
seeded K-fold cross-validation (out-of-fold predictions), next to the lexicon scorer's accuracy
on the same reviews. The fitted :class:`SentimentModel` scores unrated text (survey comments,
exit-survey reasons) through ``cx.sentiment(texts, model=model)``.

Against scikit-learn's plain TF-IDF (words and character n-grams) + class-balanced logistic
regression fitted on the same rated reviews, on companies neither saw: see
``benchmarks/sentiment.py --calibration-table`` and ``benchmarks/results/sentiment_calibration_disjoint.json``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from ..display import SafeDisplay, safe_text, table

if TYPE_CHECKING:
    from ._scorer import Scores
    from ._text import Batch

CLASSES = ("negative", "neutral", "positive")
# The lexicon features are s / scale and |s| / scale. Format-1 models (binary stems) were fitted
# with 4. With the l2-normalised stem and n-gram blocks (entries of about 0.05-0.3) s / 4 made
# the problem badly conditioned: lbfgs took 80-115 iterations per fold on the Danish training
# part against 42-59 with s / 16, and 5-fold cross-validated macro-F1 was the same (0.680 and
# 0.680; s / 48: 0.680, 42-48 iterations). 16 keeps more of the lexicon's weight for the same
# penalty (a feature k times larger is penalised as if C were k^2 times larger).
LEXICON_SCALE = 4.0
LEXICON_SCALE_TFIDF = 16.0
CHAR_NGRAMS = (2, 5)
_LEX_FEATURES = ("__lexicon_sum__", "__lexicon_abs__")
# prefixes of the two feature blocks in a saved model (format 2)
_STEM, _CHAR = "s:", "c:"


def _stemmer(language: str) -> Callable[[str], str]:
    from . import _lexicon

    return _lexicon.lexicon(language).stem


def token_features(
    batch: Batch, language: str, scores: Scores, vocabulary: dict[str, int] | None, grow: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, int]]:
    """Rows (doc) and columns (feature id) of the binary stem features of a scored batch.

    A feature is a token's stem, or ``not:`` and its stem inside a negation's reach; new
    features get the next ids in the order the tokens first show them (``grow``). Names are
    built and looked up once per distinct (word form, negated) pair, not once per token: a
    long review stream repeats the same few thousand words.
    """
    lowers = batch.lowers
    stem = _stemmer(language)
    alpha = np.fromiter((w[:1].isalpha() and len(w) > 1 for w in lowers), dtype=bool, count=len(lowers))
    lower = batch.lower
    doc = batch.doc
    keep = alpha[lower]
    token_index = np.flatnonzero(keep)
    negated = scores.scope[keep] if len(scores.scope) else np.zeros(len(token_index), dtype=bool)
    # one key per (form, negated) pair: 2 * form + negated
    key = 2 * lower[keep] + negated
    distinct, first_seen, key_of_token = np.unique(key, return_index=True, return_inverse=True)
    stems = {int(i): stem(lowers[i]) for i in np.unique(distinct >> 1)}
    names = [("not:" if k & 1 else "") + stems[k >> 1] for k in distinct.tolist()]
    if vocabulary is None:
        vocabulary = {}
    if grow:
        # ids in the order of each name's first token, as a token-by-token pass would give
        for j in np.argsort(first_seen, kind="stable").tolist():
            if names[j] not in vocabulary:
                vocabulary[names[j]] = len(vocabulary)
    col_of_key = np.fromiter((vocabulary.get(nm, -1) for nm in names), dtype=np.int64, count=len(names))
    cols = col_of_key[key_of_token]
    rows = doc[keep]
    ok = cols >= 0
    return rows[ok], cols[ok], token_index[ok], vocabulary


@lru_cache(maxsize=1)
def _char_analyzer() -> Callable[[str], list[str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    # scikit-learn's own definition of char_wb n-grams (a word padded with a space each side);
    # the forms are lower-cased already
    return TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, lowercase=False).build_analyzer()


def form_ngrams(lowers: Sequence[str], ngrams: dict[str, int], grow: bool = False) -> sparse.csr_matrix:
    """Counts of each character n-gram (column: id in ``ngrams``) in each word form (row).

    New n-grams get the next ids when ``grow``; otherwise n-grams not in ``ngrams`` are left out.
    """
    analyze = _char_analyzer()
    rows: list[int] = []
    cols: list[int] = []
    for i, word in enumerate(lowers):
        for gram in analyze(word):
            j = ngrams.setdefault(gram, len(ngrams)) if grow else ngrams.get(gram, -1)
            if j >= 0:
                rows.append(i)
                cols.append(j)
    out = sparse.csr_matrix(
        (np.ones(len(rows)), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
        shape=(len(lowers), len(ngrams)),
    )
    out.sum_duplicates()
    return out


def doc_forms(batch: Batch, keep_docs: np.ndarray | None = None) -> sparse.csr_matrix:
    """Counts of each lower-cased form (column) in each text (row) of ``batch``; texts where
    ``keep_docs`` is False get an empty row."""
    lower, doc = batch.lower, batch.doc
    if keep_docs is not None:
        on = keep_docs[doc]
        lower, doc = lower[on], doc[on]
    out = sparse.csr_matrix((np.ones(len(doc)), (doc, lower)), shape=(batch.n_docs, len(batch.lowers)))
    out.sum_duplicates()
    return out


def l2_rows(X: sparse.csr_matrix) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Rows scaled to unit length, as ``TfidfTransformer(norm="l2")`` does, and the lengths (1 for
    an empty row). By hand because scikit-learn's ``normalize`` does not return the lengths of
    sparse rows, and explanations need them."""
    X = sparse.csr_matrix(X)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms = np.where(norms > 0, norms, 1.0)
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ X), norms


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, classes: Iterable[object]) -> float:
    scores = []
    for c in classes:
        tp = np.sum((y_pred == c) & (y_true == c))
        fp = np.sum((y_pred == c) & (y_true != c))
        fn = np.sum((y_pred != c) & (y_true == c))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class SentimentModel(SafeDisplay):
    """A fitted calibration: weights per class of word stems, character n-grams and the lexicon score.

    ``coef`` has one row per stem (``vocabulary``), then one per n-gram (``ngrams``), then the
    two lexicon features; ``stem_idf`` and ``ngram_idf`` are the idf weights of the two blocks.
    A model saved before the n-grams (format 1, e.g. the built-in Norwegian model) has no
    n-grams and ``stem_idf`` None: binary stems, no idf, no normalising.

    Attributes ending in ``_`` come from fitting: ``cv_`` (one row per fold: accuracy,
    macro_f1, lexicon_accuracy, n), ``cv_accuracy_``, ``cv_macro_f1_``,
    ``lexicon_accuracy_`` (the lexicon scorer on the same texts), ``n_`` (texts used),
    ``oof_`` (out-of-fold ``compound`` and ``label`` of each training text, from the fold
    model that did not see it), ``recommended_`` (True when the calibrated model beat the lexicon scorer in
    cross-validation by at least one standard error of the difference, on 100+ texts), ``C_``
    (the penalty chosen by cross-validation, the same as ``C``) and ``cv_C_`` (the grid of C it
    was chosen from: ``C``, ``cv_accuracy``, ``cv_macro_f1``, ``lbfgs_iterations``).
    """

    vocabulary: dict[str, int]
    coef: np.ndarray  # (stems + n-grams + 2 lexicon features, classes)
    intercept: np.ndarray
    classes: tuple[str, ...]
    C: float
    source: str = ""
    ngrams: dict[str, int] = field(default_factory=dict)
    stem_idf: np.ndarray | None = None
    ngram_idf: np.ndarray | None = None
    cv_: pd.DataFrame | None = None
    n_: int = 0
    cv_accuracy_: float = float("nan")
    cv_macro_f1_: float = float("nan")
    lexicon_accuracy_: float = float("nan")
    recommended_: bool = False
    oof_: pd.DataFrame | None = None
    C_: float = float("nan")
    cv_C_: pd.DataFrame | None = None
    _words: dict = field(default_factory=dict, repr=False)

    @property
    def summary(self) -> pd.DataFrame:
        """One row: n, classes, C, features (stems), ngrams, cv_accuracy, cv_macro_f1,
        lexicon_accuracy, recommended."""
        return pd.DataFrame(
            [
                {
                    "n": self.n_,
                    "classes": ", ".join(self.classes),
                    "C": self.C,
                    "features": len(self.vocabulary),
                    "ngrams": len(self.ngrams),
                    "cv_accuracy": self.cv_accuracy_,
                    "cv_macro_f1": self.cv_macro_f1_,
                    "lexicon_accuracy": self.lexicon_accuracy_,
                    "recommended": self.recommended_,
                }
            ]
        )

    def _lines(self) -> list[str]:
        origin = f"; from {self.source}" if self.source else ""
        grams = f", {len(self.ngrams):,} character n-grams" if self.ngrams else ""
        head = (
            f"SentimentModel(classes {', '.join(self.classes)}; {len(self.vocabulary):,} stems{grams}; "
            f"C = {self.C:g}{origin})"
        )
        if not self.n_:
            return [head, "no cross-validation results (a model read from a file)"]
        verdict = (
            "better than the lexicon scorer: recommended"
            if self.recommended_
            else "not clearly better than the lexicon scorer: not recommended"
        )
        return [
            head,
            f"cross-validated on {self.n_:,} texts: accuracy {self.cv_accuracy_:.3f}, macro-F1 "
            f"{self.cv_macro_f1_:.3f} (lexicon scorer {self.lexicon_accuracy_:.3f}); {verdict}",
        ]

    def __repr__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        head, verdict = self._lines()
        return (
            table(self.summary, caption=head, digits=3)._repr_html_() + f'<p class="cx-note">{safe_text(verdict)}</p>'
        )

    @property
    def lexicon_scale(self) -> float:
        """What the lexicon sum is divided by in the lexicon features (see ``LEXICON_SCALE_TFIDF``)."""
        return LEXICON_SCALE if self.stem_idf is None else LEXICON_SCALE_TFIDF

    def _delta(self) -> np.ndarray:
        """Each feature's weight on the log-odds of positive against negative."""
        return self.coef[:, self.classes.index("positive")] - self.coef[:, self.classes.index("negative")]

    def coefficients(self, top: int = 15) -> pd.DataFrame:
        """The stems that most raise the log-odds of positive against negative (and lower it).

        Columns: ``feature``, ``weight``: the stem's coefficient (positive minus negative) times
        its idf, i.e. its push on the log-odds in a text where it is the only stem (in a longer
        text the stem block is l2-normalised, so each stem pushes less). Character n-grams are
        not listed (there are tens of thousands, each a fragment of words); their share of a
        prediction shows in the words of ``cx.sentiment(..., model=model)["words"]``.
        """
        names = np.array(list(self.vocabulary), dtype=object)
        ids = np.fromiter(self.vocabulary.values(), dtype=np.int64, count=len(names))
        delta = self._delta()[ids]
        if self.stem_idf is not None:
            delta = delta * self.stem_idf[ids]
        order = np.argsort(delta)
        pick = np.concatenate([order[::-1][:top], order[:top]])
        return pd.DataFrame({"feature": names[pick], "weight": delta[pick]}).reset_index(drop=True)

    def design(self, batch: Batch, language: str, scores: Scores) -> tuple[sparse.csr_matrix, dict[str, np.ndarray]]:
        """The design matrix of the texts of a scored batch (one language), and what
        explanations need: stem entries (rows, cols, token_index) and each block's row lengths."""
        rows, cols, token_index, _ = token_features(batch, language, scores, self.vocabulary, False)
        n_docs = batch.n_docs
        stems = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_docs, len(self.vocabulary)))
        stems.sum_duplicates()
        stems.data[:] = 1.0  # a stem counts once per text
        parts = {"rows": rows, "cols": cols, "token_index": token_index}
        lex = lexicon_block(scores.total, self.lexicon_scale)
        if self.stem_idf is None:  # a format-1 model: binary stems only
            return sparse.hstack([stems, lex]).tocsr(), parts
        stems, parts["stem_norm"] = l2_rows(stems.multiply(self.stem_idf).tocsr())
        F = form_ngrams(batch.lowers, self.ngrams)
        assert self.ngram_idf is not None  # set together with stem_idf
        chars, parts["char_norm"] = l2_rows((doc_forms(batch) @ F).multiply(self.ngram_idf).tocsr())
        parts["form_ngrams"] = F
        return sparse.hstack([stems, chars, lex]).tocsr(), parts

    def probabilities(self, X: sparse.csr_matrix) -> np.ndarray:
        """Class probabilities (one row per text, one column per class) for the design matrix ``X``."""
        return _softmax(np.asarray(X @ self.coef) + self.intercept)

    def predict_batch(
        self, batch: Batch, language: str, scores: Scores, explain: int
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.object_], list[str] | None]:
        """Probabilities, compound, label and explanation for the texts of a scored batch."""
        from ._scorer import top_contributions

        n_docs = batch.n_docs
        X, parts = self.design(batch, language, scores)
        P = self.probabilities(X)
        pos = self.classes.index("positive")
        neg = self.classes.index("negative")
        compound = P[:, pos] - P[:, neg]
        label = np.array(self.classes, dtype=object)[P.argmax(axis=1)]
        words = None
        if explain:
            words = top_contributions(
                batch.doc, self._contributions(batch, scores, parts), scores.labels, n_docs, explain
            )
        return compound, label, words

    def _contributions(self, batch: Batch, scores: Scores, parts: dict[str, np.ndarray]) -> np.ndarray:
        """Each token's exact share of the log-odds of positive against negative: its stem (credited
        to the stem's first occurrence in the text), its character n-grams, its lexicon valence."""
        delta = self._delta()
        p, q = len(self.vocabulary), len(self.ngrams)
        rows, cols, token_index = parts["rows"], parts["cols"], parts["token_index"]
        contribution = np.zeros(len(batch.code))
        # a stem counts once per text: credit its first occurrence
        _, first = np.unique(rows * (p + 1) + cols, return_index=True)
        stem_weight = delta[cols[first]]
        if self.stem_idf is not None:
            stem_weight = stem_weight * self.stem_idf[cols[first]] / parts["stem_norm"][rows[first]]
        contribution[token_index[first]] += stem_weight
        if q:
            assert self.ngram_idf is not None
            # every n-gram lies inside one word: a form's n-gram weights, summed once per form
            per_form = np.asarray(parts["form_ngrams"] @ (delta[p : p + q] * self.ngram_idf)).ravel()
            contribution += per_form[batch.lower] / parts["char_norm"][batch.doc]
        contribution += scores.token_val / self.lexicon_scale * delta[p + q]
        return contribution

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        """Write the model as a tab-separated table: feature, idf, one coefficient per class
        (stems ``s:``, character n-grams ``c:``, the lexicon features, the intercept)."""
        path = Path(path)
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.write(f"# cxkit SentimentModel; C={self.C}; source={self.source}; format=2\n")
            writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
            writer.writerow(["feature", "idf", *self.classes])
            writer.writerow(["__intercept__", "", *(f"{v:.9g}" for v in self.intercept)])
            idf = np.concatenate(
                [
                    self.stem_idf if self.stem_idf is not None else np.ones(len(self.vocabulary)),
                    self.ngram_idf if self.ngram_idf is not None else np.zeros(0),
                ]
            )
            names = [_STEM + s for s in self.vocabulary] + [_CHAR + g for g in self.ngrams]
            # every feature is written: dropping a small weight would change the blocks' lengths
            for i, name in enumerate(names):
                writer.writerow([name, f"{idf[i]:.9g}", *(f"{v:.9g}" for v in self.coef[i])])
            for j, name in enumerate(_LEX_FEATURES):
                writer.writerow([name, "", *(f"{v:.9g}" for v in self.coef[len(names) + j])])

    @classmethod
    def load(cls, path: str | Path) -> SentimentModel:
        """Read a model written by :meth:`save` (or by cxkit before the character n-grams)."""
        path = Path(path)
        with open(path, encoding="utf-8", newline="") as handle:
            first = handle.readline()
            meta = dict(part.strip().split("=", 1) for part in first.lstrip("#").split(";")[1:] if "=" in part)
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
            header = next(reader)
            with_idf = len(header) > 1 and header[1] == "idf"
            classes = tuple(header[2:] if with_idf else header[1:])
            intercept = None
            names, idfs, rows = [], [], []
            for row in reader:
                values = [float(v) for v in row[-len(classes) :]]
                if row[0] == "__intercept__":
                    intercept = np.array(values)
                else:
                    names.append(row[0])
                    idfs.append(float(row[1]) if with_idf and row[1] else 1.0)
                    rows.append(values)
        if intercept is None:
            raise ValueError(
                f"{path}: no __intercept__ row, so not a model written by SentimentModel.save; "
                "fit one with cx.calibrate_sentiment and save it with model.save(path)"
            )
        position = {nm: i for i, nm in enumerate(names)}
        lex_rows = [rows[position[f]] for f in _LEX_FEATURES]
        C = float(meta.get("C", "nan"))
        source = meta.get("source", str(path.name))
        if not with_idf:  # format 1: binary stems and the lexicon features
            stems = [nm for nm in names if nm not in _LEX_FEATURES]
            coef = np.array([rows[position[nm]] for nm in stems] + lex_rows).reshape(-1, len(classes))
            vocabulary = {nm: i for i, nm in enumerate(stems)}
            return cls(vocabulary, coef, intercept, classes, C, source=source)
        stem_ids = [i for i, nm in enumerate(names) if nm.startswith(_STEM)]
        gram_ids = [i for i, nm in enumerate(names) if nm.startswith(_CHAR)]
        coef = np.array([rows[i] for i in stem_ids + gram_ids] + lex_rows).reshape(-1, len(classes))
        return cls(
            {names[i][len(_STEM) :]: j for j, i in enumerate(stem_ids)},
            coef,
            intercept,
            classes,
            C,
            source=source,
            ngrams={names[i][len(_CHAR) :]: j for j, i in enumerate(gram_ids)},
            stem_idf=np.array([idfs[i] for i in stem_ids]),
            ngram_idf=np.array([idfs[i] for i in gram_ids]),
        )


def lexicon_block(total: np.ndarray, scale: float = LEXICON_SCALE_TFIDF) -> sparse.csr_matrix:
    """The lexicon scorer's summed valence s and |s|, over ``scale`` (clipped at +-40 first)."""
    s = np.clip(total, -40, 40) / scale
    return sparse.csr_matrix(np.column_stack([s, np.abs(s)]))


def rating_to_class(rating: npt.ArrayLike, scale: Sequence[float] = (1, 5)) -> pd.Series:
    """Star rating to class: on 1-5, 1-2 negative, 3 neutral, 4-5 positive.

    A rating on another ``scale`` (``(low, high)``, e.g. a review site's 1-10) is first mapped
    linearly onto 1-5 (``1 + 4 (r - low) / (high - low)``): on 1-10 that gives 1-3 negative,
    4-7 neutral, 8-10 positive.

    >>> rating_to_class([1, 3, 4, 7, 8, 10], scale=(1, 10)).tolist()
    ['negative', 'negative', 'neutral', 'neutral', 'positive', 'positive']
    """
    r = pd.to_numeric(pd.Series(rating), errors="coerce")
    out = pd.Series(pd.NA, index=r.index, dtype=object)
    low, high = scale
    if (low, high) == (1, 5):
        out[r <= 2] = "negative"
        out[r == 3] = "neutral"
        out[r >= 4] = "positive"
        return out
    inside = (r >= low) & (r <= high)
    stars = 1 + 4 * (r - low) / (high - low)
    out[inside & (stars <= 2)] = "negative"
    out[inside & (stars > 2) & (stars < 4)] = "neutral"
    out[inside & (stars >= 4)] = "positive"
    return out


def rating_scale(df: pd.DataFrame, rating: str) -> tuple[float, float]:
    """The scale of ``df[rating]`` as the reader recorded it (``scales`` in the catalog), else 1-5."""
    low, high = (df.attrs.get("scales") or {}).get(rating, (1, 5))
    return low, high
