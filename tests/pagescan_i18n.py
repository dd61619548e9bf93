"""What a reader of a translated pack sees (issue 28): the visible text of a page without the data
shown on it, the English words left in it, and the numbers that do not parse in the locale."""

from __future__ import annotations

import re
from pathlib import Path

from babel.numbers import NumberFormatError, parse_decimal
from i18n_words import english_left

LOCALES = {"en": "en_GB", "da": "da_DK", "nb": "nb_NO", "sv": "sv_SE"}
_NUMBER = re.compile(r"(?<![\w.,])[−-]?\d(?:[\d.,\u00a0\u202f]*\d)?(?![\w])")
_ISO_MONTH = re.compile(r"\b(?:19|20)\d\d-(?:0[1-9]|1[0-2])\b")


def sample_data_values(sample_dir: Path, catalog: Path | None = None) -> tuple[set[str], set[str]]:
    """Texts of the sample's data: (short names: segments, channels, touchpoints, drivers, the
    catalog's source names ..., long texts: comments and reviews)."""
    import pandas as pd

    import cxkit as cx

    names: set[str] = set(cx.load_catalog(catalog or cx.DEFAULT_CATALOG).entries)
    texts: set[str] = set()
    for csv in sorted(sample_dir.glob("*.csv")):
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        for column in frame.columns:
            values = set(frame[column].unique())
            names.add(column)
            for value in values:
                (texts if len(value) > 40 or value.count(" ") > 3 else names).add(value.strip())
    return names, texts


def visible_parts(html: str, long_texts: set[str]) -> list[str]:
    """The page's visible text, one string per element holding text directly, without the
    footer, code, and any element whose whole text is a comment or review from the data (or the
    start of one, cut with an ellipsis)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["style", "script", "head", "footer", "code", "pre"]):
        tag.decompose()
    starts = sorted(long_texts)
    parts = []
    for node in soup.find_all(string=True):
        text = " ".join(str(node).split())
        if not text:
            continue
        whole = " ".join(node.parent.get_text(" ").split()) if node.parent else text
        if _is_data(whole, long_texts, starts) or _is_data(text, long_texts, starts):
            continue
        # a cell of examples joins several texts from the data with " | "
        pieces = [p for p in text.split(" | ") if not _is_data(p.strip(), long_texts, starts)]
        # an example's explanation lists the review's own words with their contributions
        # ("poor (-3,6), not good (-2,2)"): data when every word is a word of the data's texts
        pieces = [p for p in pieces if not _is_explanation_of_data(p.strip(), long_texts)]
        if pieces:
            parts.append(" | ".join(pieces))
    images = [img.get("alt", "") for img in soup.find_all("img")]
    return parts + [a for a in images if a]


_EXPLANATION = re.compile(r"^[^()]+? \([+\-−]?\d+(?:[.,]\d+)?\)(?:, [^()]+? \([+\-−]?\d+(?:[.,]\d+)?\))*$")
_TEXT_WORDS: dict[int, tuple[set[str], frozenset[str]]] = {}


def _is_explanation_of_data(text: str, long_texts: set[str]) -> bool:
    if not _EXPLANATION.match(text):
        return False
    kept = _TEXT_WORDS.get(id(long_texts))
    if kept is None or kept[0] is not long_texts:
        words = frozenset(w.lower() for w in re.findall(r"\w+", "\n".join(long_texts)))
        kept = _TEXT_WORDS[id(long_texts)] = (long_texts, words)
    terms = re.sub(r" \([^()]*\)", " ", text)
    return all(w.lower() in kept[1] for w in re.findall(r"[^\W\d]+", terms))


def _is_data(text: str, values: set[str], starts: list[str]) -> bool:
    if text in values:
        return True
    if text.endswith("…") and len(text) > 12:
        import bisect

        stem = text[:-1].rstrip()
        i = bisect.bisect_left(starts, stem)
        return i < len(starts) and starts[i].startswith(stem)
    return False


#: Catalog keys a page may name when it says how to configure something (``themes:``).
CONFIG_KEYS = ("themes", "targets", "weights", "settings", "brand", "sources", "drivers", "language", "pdf")
_CONFIG = re.compile(r"\b(?:" + "|".join(CONFIG_KEYS) + r"):")
_IDENTIFIER = re.compile(r"\b\w+_\w+\b")  # a column or key name (csat_mean, date_format): code, not prose


_ALLOWED: dict[int, tuple[set[str], frozenset[str]]] = {}


def _allowed_words(names: set[str]) -> frozenset[str]:
    """The words of the data's names, lower-cased: once per set of names (kept by identity: the
    same set is passed for every page), not once per page (a findall per name and page took 85 of
    the 89 s a pack's scan took)."""
    kept = _ALLOWED.get(id(names))
    if kept is None or kept[0] is not names:
        words = frozenset(w.lower() for w in re.findall(r"[A-Za-zÆØÅæøåÄÖäö]+", "\n".join(names)))
        kept = _ALLOWED[id(names)] = (names, words)
    return kept[1]


def english_in(parts: list[str], names: set[str]) -> list[str]:
    """English words left in ``parts`` (words of the data's names allowed; catalog keys written
    as ``key:`` and identifiers with underscores are code, not prose)."""
    allowed = _allowed_words(names)
    text = _IDENTIFIER.sub(" ", _CONFIG.sub(" ", " \n ".join(parts)))
    return english_left(text, allowed=allowed)


def bad_numbers(parts: list[str], code: str) -> list[str]:
    """Numbers that do not parse in the locale of ``code``, and ISO months (``2026-10``) left
    where the language writes month names."""
    locale = LOCALES[code]
    bad = []
    for part in parts:
        # a full date (an example of a format) and a YAML example ({nps: 25, csat_mean: 4.0}) are code
        days = re.sub(r"\b\d{4}-\d\d-\d\d\b|\{[^{}]*\}", " ", part)
        if code != "en":
            bad += [f"ISO month {m!r} in {part[:80]!r}" for m in _ISO_MONTH.findall(days)]
        cleaned = _ISO_MONTH.sub(" ", days)
        for token in _NUMBER.findall(cleaned):
            token = token.rstrip(".,")
            if not re.search(r"[.,\u00a0\u202f]", token):
                continue
            try:
                parse_decimal(token.replace("−", "-"), locale=locale, strict=True)
            except NumberFormatError:
                bad.append(f"{token!r} in {part[:80]!r}")
    return bad
