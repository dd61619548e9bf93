"""The whole-column shortcuts of the readers (cxkit.data._columns, readers._in_ns_range) give what
the per-value Python they stand for gives (issue 31, Deliver 2: Parquet first reads).

Each shortcut is compared with a brute-force reference computed here, value by value, on seeded
random texts built from the characters that matter: white space of every kind at either end,
combining marks, characters NFC composes or replaces, Hangul jamo, characters beyond U+FFFF,
plain ASCII and Latin-1 letters.
"""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cxkit.data import _columns, readers

#: Characters that decide NFC and str.strip: spaces (ASCII, U+0085, no-break, ideographic,
#: U+001C), combining acute and diaeresis, a precomposed letter and its decomposed form, Hangul
#: leading/vowel jamo and a syllable, the Ohm and Angstrom signs (NFC replaces them), a
#: character beyond U+FFFF, U+0344 (NFC decomposes it), Latin-1 and Latin Extended letters.
ALPHABET = [
    *" \t\n\x85\xa0\u3000\x1c\x00",
    *"aZe.-é\u0301\u0308\u00c5\u212b\u2126æøÅſǅ\u02ff",
    *"\u1100\u1161\uac00\u0344",
    "\U0001f600",
]


def _texts(n: int, seed: int) -> list[str | None]:
    rng = random.Random(seed)
    return [
        None if rng.random() < 0.05 else "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 7)))
        for _ in range(n)
    ]


def _arrays(texts: list[str | None]) -> list[pa.Array | pa.ChunkedArray]:
    """The texts as string and large_string arrays, whole, chunked unevenly and sliced."""
    out: list[pa.Array | pa.ChunkedArray] = []
    for kind in (pa.string(), pa.large_string()):
        whole = pa.array(texts, type=kind)
        out += [
            whole,
            pa.chunked_array([whole.slice(0, 7_001), whole.slice(7_001, 3), whole.slice(7_004)]),
            whole.slice(11, 2_000),
            pa.array(["", ""], type=kind),
            pa.array([None, None], type=kind),
            whole.slice(0, 0),
        ]
    return out


def test_the_unicode_table_kept_in_the_code_is_the_one_python_computes():
    if unicodedata.unidata_version != _columns._UNSTABLE_UNICODE_VERSION:
        pytest.skip(f"the kept table is for Unicode {_columns._UNSTABLE_UNICODE_VERSION}, not used here")
    assert _columns._unstable_characters() == _columns._computed_unstable_characters()


def test_stable_is_the_pattern_on_every_text_and_never_wrong():
    texts = _texts(20_000, seed=31)
    for values in _arrays(texts):
        # The reference: the pattern matched on every text (what stable() did before it looked
        # at the bytes first), nulls False.
        valid = _columns.to_mask(pc.is_valid(values))
        reference = valid & ~_columns.to_mask(pc.match_substring_regex(values, _columns._unstable_pattern()))
        assert np.array_equal(_columns.stable(values), reference)
    # And what it calls stable, NFC and strip leave as it is (brute force over the Python values).
    values = pa.array(texts, type=pa.large_string())
    unchanged = np.array([t is not None and unicodedata.normalize("NFC", t).strip() == t for t in texts])
    assert not (_columns.stable(values) & ~unchanged).any()


def test_the_byte_screen_lets_every_text_the_pattern_matches_through():
    texts = _texts(20_000, seed=32)
    for values in _arrays(texts):
        screened = _columns._may_be_unstable(values)
        matches = _columns.to_mask(pc.match_substring_regex(values, _columns._unstable_pattern()))
        assert not (matches & ~screened).any()


def test_folded_in_is_python_lower_in_the_words():
    rng = random.Random(33)
    words = readers.MISSING_TOKENS
    pool = [*words, "N/A", "NULL", "İ", "İna", "Missing", " na", "nan" * 10, "(BLANK)", "ñ/a", "x" * 40]
    texts = [None if rng.random() < 0.05 else rng.choice(pool + _texts(1, rng.random())) for _ in range(5_000)]
    for values in _arrays(texts):
        expected = np.array([v is not None and v.lower() in words for v in values.to_pylist()], dtype=bool)
        assert np.array_equal(_columns.folded_in(values, words), expected)


@pytest.mark.parametrize("unit", ["s", "ms", "us"])
def test_dates_outside_nanoseconds_are_found_as_pandas_compares_them(unit):
    edges = [
        "1677-09-21T00:12:43",
        "1677-09-21T00:12:43.145",
        "1677-09-21T00:12:43.145224",
        "1677-09-21T00:12:43.145225",
        "1677-09-21T00:12:44",
        "2262-04-11T23:47:16",
        "2262-04-11T23:47:16.854",
        "2262-04-11T23:47:16.854775",
        "2262-04-11T23:47:16.854776",
        "2262-04-11T23:47:16.855",
        "2262-04-11T23:47:17",
        "NaT",
        "0001-01-01",
        "9999-12-31",
        "2026-10-01",
    ]
    dates = pd.Series(np.array(edges, dtype=f"datetime64[{unit}]"))
    reference = (dates.notna() & ((dates < pd.Timestamp.min) | (dates > pd.Timestamp.max))).to_numpy()
    out, far = readers._in_ns_range(dates)
    assert np.array_equal(far, reference)
    assert out.dtype == "datetime64[ns]" and out[far].isna().all()
