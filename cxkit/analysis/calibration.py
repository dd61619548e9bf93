"""Self-calibrating sentiment: learn a company's own vocabulary from its rated reviews.

:func:`calibrate_sentiment` fits a multinomial logistic regression with an L2 penalty (the
regularised model the issue asks for; fitted here with scipy's L-BFGS, no scikit-learn) on

- the lexicon scorer's summed valence ``s`` and ``|s|`` (divided by 4), so the lexicon's
  negation, boosters and phrases carry over, and
- one binary feature per word stem in the text (stems from the text language's Snowball
  stemmer; a stem within a negation's reach is a separate feature, ``not:stem``), kept when
  it occurs in at least ``min_count`` training texts.

Classes are weighted to balance (each class counts equally in the loss), so a mostly-positive
review stream does not teach the model to call everything positive. Accuracy is estimated by
seeded K-fold cross-validation (out-of-fold predictions), next to the lexicon scorer's accuracy
on the same reviews. The fitted :class:`SentimentModel` scores unrated text (survey comments,
exit-survey reasons) through ``cx.sentiment(texts, model=model)``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, sparse
from threadpoolctl import threadpool_limits

from ..display import SafeDisplay, safe_text, table

if TYPE_CHECKING:
    from ._scorer import Scores
    from ._text import Batch

CLASSES = ("negative", "neutral", "positive")
LEXICON_SCALE = 4.0
_LEX_FEATURES = ("__lexicon_sum__", "__lexicon_abs__")


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


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def multinomial_probabilities(X: sparse.spmatrix | np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """Class probabilities (one row per text, one column per class) of the multinomial model
    ``(coef, intercept)`` that :func:`fit_multinomial` returns, for the design matrix ``X``."""
    return _softmax(X @ coef + intercept)


def fit_multinomial(
    X: sparse.spmatrix | np.ndarray,
    y: np.ndarray,
    n_classes: int,
    *,
    C: float,
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """L2-penalised multinomial logistic regression: minimise C * weighted NLL + ||W||^2 / 2.

    The intercepts are not penalised (as in R's glmnet and scikit-learn). Returns (W, b).
    """
    n, p = X.shape
    k = n_classes
    Y = np.zeros((n, k))
    Y[np.arange(n), y] = 1.0
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    Xt = cast("sparse.spmatrix", X).T.tocsr() if sparse.issparse(X) else X.T

    def loss(theta):
        W = theta[: p * k].reshape(p, k)
        b = theta[p * k :]
        Z = X @ W + b
        Z = Z - Z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(Z).sum(axis=1))
        nll = -(w * ((Z * Y).sum(axis=1) - lse)).sum()
        P = np.exp(Z - lse[:, None])
        G = (P - Y) * w[:, None]
        gW = C * (Xt @ G) + W
        gb = C * G.sum(axis=0)
        return C * nll + 0.5 * (W * W).sum(), np.concatenate([np.asarray(gW).ravel(), gb])

    theta0 = np.zeros(p * k + k)
    # L-BFGS-B's own bookkeeping calls BLAS on vectors of all p * k weights, and a threaded
    # BLAS made those tiny calls 4-8x slower than one thread (threads woken for each call, and
    # fighting other processes for 2 cores): 38 of 60 s of a 9.7k-review calibration.
    # One thread; the loss itself (sparse products, element-wise numpy) uses no BLAS.
    # 50 correction pairs instead of 10: about 40% fewer evaluations on review features, and
    # closer to the optimum at the same tolerance (the lexicon features dwarf the stem counts)
    with threadpool_limits(limits=1, user_api="blas"):
        res = optimize.minimize(
            loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 400, "ftol": 1e-8, "maxcor": 50}
        )
    return res.x[: p * k].reshape(p, k), res.x[p * k :]


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, classes: Iterable[object]) -> float:
    scores = []
    for c in classes:
        tp = np.sum((y_pred == c) & (y_true == c))
        fp = np.sum((y_pred == c) & (y_true != c))
        fn = np.sum((y_pred != c) & (y_true == c))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


@dataclass
class SentimentModel(SafeDisplay):
    """A fitted calibration: word-stem and lexicon weights per class.

    Attributes ending in ``_`` come from fitting: ``cv_`` (one row per fold: accuracy,
    macro_f1, lexicon_accuracy, n), ``cv_accuracy_``, ``cv_macro_f1_``,
    ``lexicon_accuracy_`` (the lexicon scorer on the same texts), ``n_`` (texts used),
    ``oof_`` (out-of-fold ``compound`` and ``label`` of each training text, from the fold
    model that did not see it), ``recommended_`` (True when the calibrated model beat the lexicon scorer in
    cross-validation by at least one standard error of the difference, on 100+ texts).
    """

    vocabulary: dict[str, int]
    coef: np.ndarray  # (features + 2 lexicon features, classes)
    intercept: np.ndarray
    classes: tuple[str, ...]
    C: float
    source: str = ""
    cv_: pd.DataFrame | None = None
    n_: int = 0
    cv_accuracy_: float = float("nan")
    cv_macro_f1_: float = float("nan")
    lexicon_accuracy_: float = float("nan")
    recommended_: bool = False
    oof_: pd.DataFrame | None = None
    _words: dict = field(default_factory=dict, repr=False)

    @property
    def summary(self) -> pd.DataFrame:
        """One row: n, classes, C, cv_accuracy, cv_macro_f1, lexicon_accuracy, recommended."""
        return pd.DataFrame(
            [
                {
                    "n": self.n_,
                    "classes": ", ".join(self.classes),
                    "C": self.C,
                    "features": len(self.vocabulary),
                    "cv_accuracy": self.cv_accuracy_,
                    "cv_macro_f1": self.cv_macro_f1_,
                    "lexicon_accuracy": self.lexicon_accuracy_,
                    "recommended": self.recommended_,
                }
            ]
        )

    def _lines(self) -> list[str]:
        origin = f"; from {self.source}" if self.source else ""
        head = (
            f"SentimentModel(classes {', '.join(self.classes)}; {len(self.vocabulary):,} stems; C = {self.C:g}{origin})"
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

    def coefficients(self, top: int = 15) -> pd.DataFrame:
        """The stems that most raise the log-odds of positive against negative (and lower it).

        Columns: ``feature``, ``weight`` (log-odds of positive vs negative per occurrence).
        """
        pos, neg = self.classes.index("positive"), self.classes.index("negative")
        names = np.array(list(self.vocabulary), dtype=object)
        ids = np.fromiter(self.vocabulary.values(), dtype=np.int64, count=len(names))
        delta = self.coef[ids, pos] - self.coef[ids, neg]
        order = np.argsort(delta)
        pick = np.concatenate([order[::-1][:top], order[:top]])
        return pd.DataFrame({"feature": names[pick], "weight": delta[pick]}).reset_index(drop=True)

    def _design(
        self, batch: Batch, language: str, scores: Scores, grow_vocab: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows, cols, token_index, _vocab = token_features(batch, language, scores, self.vocabulary, grow_vocab)
        return rows, cols, token_index

    def _matrix(self, n_docs: int, rows: np.ndarray, cols: np.ndarray, total: np.ndarray) -> sparse.csr_matrix:
        p = len(self.vocabulary)
        X = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_docs, p))
        X.data[:] = 1.0  # binary: a word counts once per text
        s = np.clip(total, -40, 40) / LEXICON_SCALE
        lex = sparse.csr_matrix(np.column_stack([s, np.abs(s)]))
        return sparse.hstack([X, lex]).tocsr()

    def predict_batch(
        self, batch: Batch, language: str, scores: Scores, explain: int
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.object_], list[str] | None]:
        """Probabilities, compound, label and explanation for the texts of a scored batch."""
        from ._scorer import top_contributions

        n_docs = batch.n_docs
        rows, cols, token_index = self._design(batch, language, scores)
        X = self._matrix(n_docs, rows, cols, scores.total)
        P = multinomial_probabilities(X, self.coef, self.intercept)
        pos = self.classes.index("positive")
        neg = self.classes.index("negative")
        compound = P[:, pos] - P[:, neg]
        label = np.array(self.classes, dtype=object)[P.argmax(axis=1)]
        words = None
        if explain:
            delta = self.coef[:, pos] - self.coef[:, neg]
            n_tok = len(batch.code)
            contribution = np.zeros(n_tok)
            # a stem counts once per text: credit its first occurrence
            key = rows * (len(self.vocabulary) + 1) + cols
            _, first = np.unique(key, return_index=True)
            contribution[token_index[first]] += delta[cols[first]]
            p = len(self.vocabulary)
            contribution += scores.token_val / LEXICON_SCALE * (delta[p])
            words = top_contributions(batch.doc, contribution, scores.labels, n_docs, explain)
        return compound, label, words

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> None:
        """Write the model as a tab-separated table (feature, one coefficient per class)."""
        path = Path(path)
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.write(f"# cxkit SentimentModel; C={self.C}; source={self.source}\n")
            writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
            writer.writerow(["feature", *self.classes])
            writer.writerow(["__intercept__", *(f"{v:.5g}" for v in self.intercept)])
            names = list(self.vocabulary) + list(_LEX_FEATURES)
            for i, name in enumerate(names):
                row = self.coef[i]
                if np.abs(row).max() >= 1e-4 or name in _LEX_FEATURES:
                    writer.writerow([name, *(f"{v:.5g}" for v in row)])

    @classmethod
    def load(cls, path: str | Path) -> SentimentModel:
        """Read a model written by :meth:`save`."""
        path = Path(path)
        with open(path, encoding="utf-8", newline="") as handle:
            first = handle.readline()
            meta = dict(part.strip().split("=", 1) for part in first.lstrip("#").split(";")[1:] if "=" in part)
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
            header = next(reader)
            classes = tuple(header[1:])
            intercept = None
            names, rows = [], []
            for row in reader:
                values = [float(v) for v in row[1:]]
                if row[0] == "__intercept__":
                    intercept = np.array(values)
                else:
                    names.append(row[0])
                    rows.append(values)
        if intercept is None:
            raise ValueError(
                f"{path}: no __intercept__ row, so not a model written by SentimentModel.save; "
                "fit one with cx.calibrate_sentiment and save it with model.save(path)"
            )
        position = {nm: i for i, nm in enumerate(names)}
        lex_rows = [rows[position[f]] for f in _LEX_FEATURES]
        vocab_names = [nm for nm in names if nm not in _LEX_FEATURES]
        coef = np.array([rows[position[nm]] for nm in vocab_names] + lex_rows).reshape(-1, len(classes))
        return cls(
            vocabulary={nm: i for i, nm in enumerate(vocab_names)},
            coef=coef,
            intercept=intercept,
            classes=classes,
            C=float(meta.get("C", "nan")),
            source=meta.get("source", str(path.name)),
        )


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
