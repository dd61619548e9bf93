"""Tokenising many texts at once into flat integer arrays (shared by sentiment, language, themes).

The design keeps Python work per *distinct* token form: a batch of texts becomes one flat array
of token codes plus the array of the text each token belongs to, so rules and sums run in numpy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import TextsError

# A reviewer's own score, one token: "9/10", "4.5 out of 5", "5 stars", "4 stjerner", "2 stjärnor"
# (out of 5, 6 - the Norwegian die - or 10; not part of a date or a longer number).
_RATING = (
    r"(?<![\d/.,])({score}\d{{1,2}}(?:[.,]5)?)\s*(?:(?:/|out\s+of)\s*({top}5|6|10)(?![\d/]|[.,]\d|\s+of\b)"
    r"|(?:stars?|stjerner?|stjärnor|stjärna)\b)"
)
RATING_RE = re.compile(_RATING.format(score="", top=""), re.IGNORECASE)

# Words (letters, with inner apostrophes: don't, it's), ratings, emoticons, emoji, and the
# punctuation that ends a sentence or a clause. Other digits are skipped: amounts and product
# names carry no tone.
TOKEN_RE = re.compile(
    _RATING.format(score="?:", top="?:") + "|"
    r"[^\W\d_]+(?:['’][^\W\d_]+)*"
    r"|(?<![^\s(])[:;=8][\-o*'^]?[)\](\[dDpP/\\|@3](?=\s|$|[.,!?])"
    r"|<3"
    r"|[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2B55]"
    r"|[!?.,;:]",
    re.IGNORECASE,
)


def rating_value(token: str) -> float | None:
    """A rating token's share of the top score (0..1): "9/10" -> 0.9, "4 stars" -> 0.8; else None."""
    match = RATING_RE.fullmatch(token)
    if match is None:
        return None
    score = float(match.group(1).replace(",", "."))
    top = float(match.group(2)) if match.group(2) else 5.0
    return score / top if score <= top else None


SENTENCE_END = frozenset({".", "!", "?", ";"})
CLAUSE_END = frozenset({",", ":"})


@dataclass
class Batch:
    """Texts as flat token arrays: ``doc[i]`` is the text of token ``i``, ``code[i]`` its form."""

    n_docs: int
    doc: np.ndarray  # int64, text index of each token
    code: np.ndarray  # int64, index into ``forms``
    forms: list[str]  # distinct token forms as written
    lower_of_form: np.ndarray  # int64, index into ``lowers`` for each form
    lowers: list[str]  # distinct lower-cased forms
    starts: np.ndarray  # first token index of each text (len n_docs + 1)

    @property
    def lower(self) -> np.ndarray:
        return self.lower_of_form[self.code]


_NESTED = (list, tuple, set, frozenset, dict, np.ndarray, pd.Series, pd.DataFrame)

#: What the text functions accept: one column of texts (a Series keeps its index), a list, a
#: 1-D array or any other iterable of texts; :func:`check_texts` refuses the rest at run time.
Texts: TypeAlias = pd.Series | pd.Index | npt.NDArray[Any] | Iterable[str | None]
#: ``texts`` after :func:`check_texts`: a sized sequence (an iterable was read into a list).
CheckedTexts: TypeAlias = pd.Series | pd.Index | npt.NDArray[Any] | list[Any] | tuple[Any, ...]


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _describe(value: object) -> str:
    name = "pandas DataFrame" if isinstance(value, pd.DataFrame) else type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def check_texts(texts: Texts, *, function: str = "sentiment", argument: str = "texts") -> CheckedTexts:
    """``texts`` as a flat sequence, or a :class:`TextsError` that names the argument and the fix.

    Wrong containers fail here rather than being iterated: a DataFrame iterates over its column
    names, a string over its characters and a 2-D array over its rows, and each of those would
    be scored as if it were a review (one neutral English "text" per column name).
    """
    call = f"cx.{function}"
    if isinstance(texts, pd.DataFrame):
        columns = [str(c) for c in texts.columns]
        col = (
            columns[0]
            if len(columns) == 1
            else ("comment" if "comment" in columns else "text" if "text" in columns else "comment")
        )
        raise TextsError(
            f"{call}: {argument} is a DataFrame (columns {columns}), not a column of texts; pass one "
            f"column: {call}(df[{col!r}]) with single brackets, not df[[{col!r}]]"
        )
    if isinstance(texts, (str, bytes)):
        raise TextsError(
            f"{call}: {argument} must be a sequence of texts (a Series or list), not one string; "
            f"wrap it: {call}([text])"
        )
    if isinstance(texts, dict):
        raise TextsError(
            f"{call}: {argument} is a dict, whose iteration gives its keys; pass the texts: "
            f"{call}(pd.Series(mapping)) keeps the keys as the index"
        )
    if isinstance(texts, np.ndarray) and texts.ndim != 1:
        raise TextsError(
            f"{call}: {argument} is a {texts.ndim}-D array of shape {texts.shape}; pass one column of "
            f"texts, e.g. {call}(df['comment']) or {call}(array[:, 0])"
        )
    if not isinstance(texts, (pd.Series, pd.Index, np.ndarray, list, tuple)):
        if not hasattr(texts, "__iter__"):
            raise TextsError(
                f"{call}: {argument} must be a sequence of texts (a Series or a list of str), got {_describe(texts)}"
            )
        texts = list(texts)  # a generator or other iterable: read it once
    if (
        isinstance(texts, pd.Series)
        and (pd.api.types.is_numeric_dtype(texts.dtype) or pd.api.types.is_datetime64_any_dtype(texts.dtype))
        and texts.notna().any()
    ):
        raise TextsError(
            f"{call}: {argument} is a column of {texts.dtype} values, not texts; pass the column that "
            f"holds the review or comment texts"
        )
    values = texts.tolist() if isinstance(texts, (pd.Series, pd.Index, np.ndarray)) else texts
    has_text = False
    first_other = None
    for position, value in enumerate(values):
        if isinstance(value, str):
            has_text = True
        elif isinstance(value, _NESTED):
            raise TextsError(
                f"{call}: {argument}[{position}] is {_describe(value)}, not a text; pass a flat sequence "
                f"of texts, e.g. df['comment'] rather than df[['comment']].values"
            )
        elif isinstance(value, bytes):
            raise TextsError(f"{call}: {argument}[{position}] is bytes; decode it first: value.decode('utf-8')")
        elif first_other is None and not _is_missing(value):
            first_other = (position, value)
    if first_other is not None and not has_text:
        position, value = first_other
        raise TextsError(
            f"{call}: {argument} holds no text ({argument}[{position}] is {_describe(value)}: {value!r}); "
            f"pass the column that holds the review or comment texts"
        )
    return texts


def texts_and_index(
    texts: Texts, *, function: str = "sentiment", argument: str = "texts"
) -> tuple[list[str], pd.Index]:
    """``texts`` as a list of str (missing values become "") and the index results keep (a
    Series' own, else 0..n-1). Numbers among texts (a spreadsheet cell "10" read as a number)
    are written as text; wrong containers raise :class:`TextsError` (see :func:`check_texts`)."""
    texts = check_texts(texts, function=function, argument=argument)
    index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(texts))
    values = texts.tolist() if isinstance(texts, (pd.Series, pd.Index, np.ndarray)) else texts
    return ["" if _is_missing(value) else str(value) for value in values], index


def as_text_list(texts: Texts, *, function: str = "sentiment", argument: str = "texts") -> list[str]:
    """:func:`texts_and_index` without the index."""
    return texts_and_index(texts, function=function, argument=argument)[0]


def encode(texts: list[str]) -> Batch:
    """Tokenise ``texts`` (a list of str) into a :class:`Batch`."""
    findall = TOKEN_RE.findall
    tokens = [findall(t) for t in texts]
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    starts = np.zeros(len(tokens) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    index: dict[str, int] = {}
    setdefault = index.setdefault
    flat = chain.from_iterable(tokens)
    code = np.fromiter((setdefault(t, len(index)) for t in flat), dtype=np.int64, count=int(starts[-1]))
    forms = list(index)
    lower_index: dict[str, int] = {}
    lower_of_form = np.fromiter(
        (lower_index.setdefault(f.lower(), len(lower_index)) for f in forms), dtype=np.int64, count=len(forms)
    )
    doc = np.repeat(np.arange(len(tokens), dtype=np.int64), lengths)
    return Batch(len(tokens), doc, code, forms, lower_of_form, list(lower_index), starts)
