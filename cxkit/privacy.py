"""PII masking for everything cxkit prints, writes or publishes.

Emails and phone numbers are replaced by placeholders wherever text leaves the analyst's
session: error messages, rejected-row files, reports. Columns whose *name* says they hold
personal data (name, email, phone, address, IP address) are redacted whole.

Examples
--------
>>> mask_pii("Call me on +47 912 34 567 or mail ola.nordmann@example.no, order 2026-03-14")
'Call me on [phone] or mail [email], order 2026-03-14'
>>> mask_pii("'31-10-2026 14:05' is not a date; ring 22 33 44 55 kl. 14.05 31.10.2026")
"'31-10-2026 14:05' is not a date; ring [phone] kl. 14.05 31.10.2026"
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["mask_pii", "mask_frame", "is_pii_column", "PII_COLUMN_PATTERN"]

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# A phone number: an optional country code (+47, 0047), an optional area code in brackets, then
# groups of 2-4 digits joined by single spaces, dots or dashes (or one run of 8-15 digits), 8-15
# digits in all. Dates, years, decimals and thousands-separated amounts are left alone below.
# A number next to a colon and a digit is part of a clock time (14:05), never of a phone number.
_PHONE = re.compile(
    r"(?<![\w@.+\-])(?<!\d:)(?:(?:\+|00)\d{1,3}[ \u00a0.\-]?)?(?:\(\d{1,4}\)[ \u00a0.\-]?)?"
    r"(?:\d{2,4}(?:[ \u00a0.\-]\d{2,4}){1,5}|\d{8,15})(?![\w@]|[.,:]\d)"
)
# Dates, with a time before or after them (31.10.2026 14.05, 14.05 31-10-2026), and decimals.
_TIME = r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
_DATE_LIKE = re.compile(
    r"^(19|20)\d{2}[-./ ]\d{1,2}|^\d+[.,]\d+$"
    rf"|^(?:{_TIME}[ T])?\d{{1,2}}[-./]\d{{1,2}}[-./](19|20)?\d{{2}}(?:[ T]\d{{1,2}}(?:[:.]\d{{2}}){{0,2}})?$"
)
_THOUSANDS = re.compile(r"^\d{1,3}(?:[ \u00a0.]\d{3})+$")

#: Column names that hold personal data; their values are redacted whole when published.
PII_COLUMN_PATTERN = re.compile(
    r"(^|_|\b)(e-?mail|mail|phone|mobile|tel|telephone|first_?name|last_?name|full_?name|name|"
    r"surname|address|ip_?address|ipaddress|recipient\w*)($|_|\b)",
    re.IGNORECASE,
)


def _phone_sub(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    international = text.startswith(("+", "00"))
    if not 8 <= digits <= 15 or _DATE_LIKE.match(text):
        return text
    if _THOUSANDS.match(text) and not international:
        return text  # 12 345 678: an amount written with thousands separators
    return "[phone]"


def mask_pii(text: object) -> object:
    """Replace emails by ``[email]`` and phone numbers by ``[phone]``; non-strings pass through.

    Everything cxkit prints, writes or publishes from data goes through this: error messages,
    rejected-row files (:func:`mask_frame`), report tables, findings and alt texts
    (:mod:`cxkit.display`).

    Parameters
    ----------
    text : object
        The text to mask. Anything that is not a non-empty string (None, NaN, numbers) is
        returned unchanged.

    Returns
    -------
    object
        The text with every email address replaced by ``[email]`` and every phone number by
        ``[phone]``; ``text`` itself when it is not a string. A phone number is 8 to 15
        digits, optionally with a country code (``+47``, ``0047``) and an area code in
        brackets, written in groups joined by single spaces, dots or dashes (or as one run of
        digits). Dates (with or without a time), clock times, decimals and amounts written
        with thousands separators are left alone, and so is every number in a text with
        fewer than 8 digits in all.

    Examples
    --------
    >>> mask_pii("ring 22 33 44 55")
    'ring [phone]'
    >>> mask_pii("NPS 9 of 10, 1 234,50 kr, id 42")
    'NPS 9 of 10, 1 234,50 kr, id 42'
    >>> mask_pii("Reach me at (030) 1234-5678 or ola@example.no on 31.10.2026"), mask_pii(None)
    ('Reach me at [phone] or [email] on 31.10.2026', None)
    """
    if not isinstance(text, str) or not text:
        return text
    text = _EMAIL.sub("[email]", text)
    if sum(ch.isdigit() for ch in text) >= 8:
        text = _PHONE.sub(_phone_sub, text)
    return text


def is_pii_column(name: str) -> bool:
    """True when a column's name says it holds personal data.

    >>> is_pii_column("Email Address"), is_pii_column("RecipientLastName"), is_pii_column("segment")
    (True, True, False)
    """
    normalised = re.sub(r"[\s\-]+", "_", str(name).strip())
    normalised = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", normalised)
    return bool(PII_COLUMN_PATTERN.search(normalised))


def mask_frame(df: pd.DataFrame, *, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy of ``df`` safe to write out: PII columns redacted, emails and phones masked.

    Columns named in ``keep`` are left as they are (for example a reason column).
    """
    out = df.copy()
    for col in out.columns:
        if col in keep:
            continue
        series = out[col]
        if is_pii_column(col):
            out[col] = series.where(series.isna(), "[redacted]")
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.map(mask_pii)
    return out
