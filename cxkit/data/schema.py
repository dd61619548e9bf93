"""Canonical tables: their columns, types, ranges, and the journey stages.

Every reader in :mod:`cxkit.data.readers` returns one of four canonical tables (``feedback``,
``reviews``, ``customers``, ``journey``). This module says what each column is; the
readers coerce source columns to these kinds and reject rows that are not data.

Examples
--------
>>> from cxkit.data.schema import TABLES, STAGES, normalize_stage
>>> [c.name for c in TABLES["reviews"].columns][:3]
['review_id', 'published_at', 'source']
>>> STAGES
('awareness', 'consideration', 'decision', 'retention', 'advocacy')
>>> normalize_stage("Övervägande"), normalize_stage(" Kjøp "), normalize_stage("loyalty")
('consideration', 'decision', 'retention')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

__all__ = [
    "ColumnSpec",
    "TableSpec",
    "TABLES",
    "STAGES",
    "STAGE_DTYPE",
    "STAGE_SYNONYMS",
    "normalize_stage",
    "clean_category",
]

#: The five journey stages, in order.
STAGES: tuple[str, ...] = ("awareness", "consideration", "decision", "retention", "advocacy")

#: Ordered categorical dtype used for every ``journey_stage`` column.
STAGE_DTYPE = pd.CategoricalDtype(list(STAGES), ordered=True)


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column.

    ``kind`` is one of ``id`` (string, unique when ``unique``), ``datetime``, ``score``
    (integer within ``low``..``high``), ``number`` (float, at least ``low`` when given),
    ``bool``, ``category`` (normalised text), ``stage`` (one of :data:`STAGES`), ``text``
    (free text, kept as written apart from Unicode NFC).
    """

    name: str
    kind: str
    required: bool = False  # the column must be present in the source (or mapped)
    nonnull: bool = False  # every accepted row has a value
    unique: bool = False
    low: float | None = None
    high: float | None = None
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its columns and the id column that must be unique."""

    name: str
    columns: tuple[ColumnSpec, ...]
    id_column: str | None
    description: str = ""

    def column(self, name: str) -> ColumnSpec | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, kind: str, **kw: Any) -> ColumnSpec:
    return ColumnSpec(name, kind, **kw)


TABLES: dict[str, TableSpec] = {
    "feedback": TableSpec(
        "feedback",
        (
            _c(
                "response_id",
                "id",
                required=True,
                nonnull=True,
                unique=True,
                description="unique id of the survey response",
            ),
            _c("customer_id", "id", description="who answered; joins to customers"),
            _c("responded_at", "datetime", required=True, nonnull=True, description="when the response was submitted"),
            _c("channel", "category"),
            _c("touchpoint", "category"),
            _c("journey_stage", "stage"),
            _c("segment", "category"),
            _c("nps", "score", low=0, high=10, description="likelihood to recommend, 0-10"),
            _c("csat", "score", low=1, high=5, description="satisfaction, 1-5"),
            _c("ces", "score", low=1, high=7, description="customer effort, 1-7 (low = easy)"),
            _c("comment", "text"),
            _c("language", "category"),
        ),
        id_column="response_id",
        description="one row per survey response",
    ),
    "reviews": TableSpec(
        "reviews",
        (
            _c("review_id", "id", required=True, nonnull=True, unique=True),
            _c("published_at", "datetime"),
            _c("source", "category"),
            _c("rating", "score", low=1, high=5, description="star rating, 1-5"),
            _c("title", "text"),
            _c("text", "text", required=True),
            _c("language", "category"),
        ),
        id_column="review_id",
        description="one row per review",
    ),
    "customers": TableSpec(
        "customers",
        (
            _c("customer_id", "id", required=True, nonnull=True, unique=True),
            _c("signup_at", "datetime"),
            _c("churned", "bool", required=True, nonnull=True),
            _c("churned_at", "datetime"),
            _c("tenure_months", "number", low=0),
            _c("monthly_revenue", "number", low=0),
            _c("segment", "category"),
        ),
        id_column="customer_id",
        description="one row per customer",
    ),
    "journey": TableSpec(
        "journey",
        (
            _c("event_id", "id", unique=True),
            _c("customer_id", "id"),
            _c("occurred_at", "datetime"),
            _c("journey_stage", "stage", required=True, nonnull=True),
            _c("touchpoint", "category"),
            _c("channel", "category"),
            _c("segment", "category"),
            _c("csat", "score", low=1, high=5),
            _c("ces", "score", low=1, high=7),
            _c("nps", "score", low=0, high=10),
            _c("success", "bool"),
            _c("duration_s", "number", low=0),
        ),
        id_column="event_id",
        description="one row per touchpoint event",
    ),
}

# Synonyms of the five stages: English marketing vocabulary and the Danish, Norwegian
# (Bokmål and Nynorsk) and Swedish names. Keys are compared after clean_category() and
# casefold(), so "Övervägande", "ÖVERVÄGANDE " and "overvagande" all match.
STAGE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "awareness": (
        "awareness",
        "aware",
        "discover",
        "discovery",
        "attention",
        "reach",
        "attract",
        "kendskab",
        "opmærksomhed",
        "bevidsthed",  # da
        "bevissthet",
        "kjennskap",
        "oppmerksomhet",
        "merksemd",
        "medvit",  # nb / nn
        "medvetenhet",
        "kännedom",
        "uppmärksamhet",  # sv
    ),
    "consideration": (
        "consideration",
        "consider",
        "research",
        "evaluation",
        "evaluate",
        "interest",
        "overvejelse",
        "vurdering",
        "overveielse",  # da / nb
        "vurdering",
        "overveging",  # nn
        "övervägande",
        "utvärdering",
        "intresse",  # sv
    ),
    "decision": (
        "decision",
        "decide",
        "purchase",
        "buy",
        "conversion",
        "convert",
        "onboarding",
        "beslutning",
        "køb",
        "beslutning",
        "kjøp",
        "avgjerd",
        "avgjørelse",
        "kjøp",
        "beslut",
        "köp",
    ),
    "retention": (
        "retention",
        "retain",
        "loyalty",
        "service",
        "usage",
        "use",
        "support",
        "renewal",
        "fastholdelse",
        "loyalitet",
        "brug",  # da
        "lojalitet",
        "bruk",
        "oppbevaring",
        "kundelojalitet",  # nb / nn
        "kvarhållande",
        "lojalitet",
        "användning",
        "behållande",  # sv
    ),
    "advocacy": (
        "advocacy",
        "advocate",
        "recommend",
        "recommendation",
        "referral",
        "promotion",
        "anbefaling",
        "anbefale",  # da / nb
        "tilråding",  # nn
        "förespråkande",
        "rekommendation",
        "ambassadörskap",  # sv
    ),
}

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")


def clean_category(value: object) -> object:
    """Normalise a category label: Unicode NFC, zero-width characters removed, runs of
    white space (including non-breaking spaces) collapsed, ends trimmed. Empty -> NA.

    >>> clean_category("  Black\\u00a0 Dot\\u200b ")
    'Black Dot'
    >>> clean_category("   ") is pd.NA
    True
    """
    # pd.isna takes any object (False for one it does not know); the stubs list scalars only.
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return pd.NA
    text = unicodedata.normalize("NFC", str(value))
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return text if text else pd.NA


def _fold(text: str) -> str:
    """Case- and accent-insensitive key (keeps å/ø/æ distinct from a/o by folding them too,
    which is harmless here because no two stage synonyms differ only by them)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("ø", "o").replace("æ", "ae").replace("ß", "ss")


_STAGE_LOOKUP: dict[str, str] = {}
for _stage, _names in STAGE_SYNONYMS.items():
    for _name in _names:
        _STAGE_LOOKUP[_fold(_name)] = _stage
for _i, _stage in enumerate(STAGES, start=1):
    _STAGE_LOOKUP[str(_i)] = _stage
    _STAGE_LOOKUP[f"{_i}. {_stage}"] = _stage
    _STAGE_LOOKUP[f"{_i} {_stage}"] = _stage


def normalize_stage(value: object) -> object:
    """Map a stage label onto one of :data:`STAGES`; NA when empty, ``None`` when unknown.

    Accepts the canonical names, English synonyms, Danish, Norwegian and Swedish names,
    and the stage's position (``"2"`` or ``"2. Consideration"``). Case, accents, surrounding
    and repeated white space do not matter. The readers use it for every ``journey_stage``
    column; a label it does not know rejects the row.

    Parameters
    ----------
    value : object
        A stage label (str, or an int giving the position 1-5); missing values are allowed.

    Returns
    -------
    str, pandas.NA or None
        The canonical stage name (one of :data:`STAGES`); ``pd.NA`` for a missing or empty
        value; ``None`` for a label that is not a stage.

    Examples
    --------
    >>> normalize_stage("Förespråkande"), normalize_stage("2")
    ('advocacy', 'consideration')
    >>> normalize_stage("checkout page") is None
    True
    >>> normalize_stage("  ") is pd.NA
    True
    """
    cleaned = clean_category(value)
    if cleaned is pd.NA:
        return pd.NA
    key = _fold(cast(str, cleaned))  # clean_category gives a str when not NA
    if key in _STAGE_LOOKUP:
        return _STAGE_LOOKUP[key]
    key = re.sub(r"^\d+\s*[.):-]?\s*", "", key)
    return _STAGE_LOOKUP.get(key)
