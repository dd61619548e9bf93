"""Tokenising many texts at once into flat integer arrays (shared by sentiment, language, themes).

The design keeps Python work per *distinct* token form: a batch of texts becomes one flat array
of token codes plus the array of the text each token belongs to, so rules and sums run in numpy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd

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


def as_text_list(texts) -> list[str]:
    """Any sequence of texts as a list of str; missing values become ""."""
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of texts (a Series or list), not one string; wrap it: [text]")
    out = []
    for value in texts:
        if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
            out.append("")
        else:
            out.append(str(value))
    return out


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
