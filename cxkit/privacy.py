"""PII masking for everything cxkit prints, writes or publishes.

Personal data is replaced by a placeholder per kind wherever text leaves the analyst's session:
report pages and alt texts, ``results.json`` and ``manifest.json``, the run log, error messages
and rejected-row files. Columns whose *name* says they hold personal data (name, email, phone,
address, IP address) are redacted whole.

=================  ==============================================================  =================
placeholder        what                                                            validated by
=================  ==============================================================  =================
``[email]``        an address, Unicode letters allowed (``jörg.müller@exämple.de``)  the form
``[iban]``         an IBAN of any of the 89 countries of the ISO 13616 registry,     length + mod 97
                   printed in groups of four or as one run
``[personal-id]``  Danish CPR, Swedish personnummer and samordningsnummer, Norwegian  date + checksum
                   fødselsnummer, D- and H-numbers, Finnish henkilötunnus
``[card]``         a payment card number: 13-19 digits, one run or groups            Luhn
``[phone]``        a phone number: +45/+46/+47 (or 0045 ...) and national forms      the form
=================  ==============================================================  =================

Look-alikes left alone: order and invoice numbers (a number introduced by ``order``, ``ordre``,
``ordrenummer``, ``faktura``, ``invoice``, ``id``, ``#`` ... is never a phone number, and a long run
of digits without phone grouping is one only in a Nordic national form), dates and clock times,
amounts with thousands separators and decimals, and ordinary 10- to 19-digit numbers that fail
the checksum of every scheme they could belong to. README.md ("Privacy: what is masked") has the
rules and the cases.

Examples
--------
>>> mask_pii("Call me on +47 912 34 567 or mail ola.nordmann@example.no, order 2026-03-14")
'Call me on [phone] or mail [email], order 2026-03-14'
>>> mask_pii("'31-10-2026 14:05' is not a date; ring 22 33 44 55 kl. 14.05 31.10.2026")
"'31-10-2026 14:05' is not a date; ring [phone] kl. 14.05 31.10.2026"
>>> mask_pii("pnr 19900101-1239, IBAN DK50 0040 0440 1162 43, order 1234567890")
'pnr [personal-id], IBAN [iban], order 1234567890'
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from typing import Any

import pandas as pd

__all__ = [
    "mask_pii",
    "mask_frame",
    "mask_nested",
    "mask_log_record",
    "is_pii_column",
    "PII_COLUMN_PATTERN",
    "PLACEHOLDERS",
]

#: The placeholder of each kind of identifier.
PLACEHOLDERS = {
    "email": "[email]",
    "iban": "[iban]",
    "personal_id": "[personal-id]",
    "card": "[card]",
    "phone": "[phone]",
}

# Hand-written rather than python-stdnum or phonenumbers: a few dozen lines cover the schemes the
# Nordic CX data holds, and the readers must not gain a dependency for it. The test suite checks
# them against independent generators of valid numbers.

# A cell that can hold none of the kinds is left alone without running the recognisers: no '@',
# no 8 digits close together (every phone, id and card number has them), no IBAN-like start.
# RE2-compatible (pyarrow evaluates it on string columns) and the same in Python's re.
PREFILTER = r"@|[0-9](?:[^0-9]{0,3}[0-9]){7}|[A-Za-z]{2}[0-9]{2} ?[A-Za-z0-9]{4}"
_PREFILTER = re.compile(PREFILTER)

# --------------------------------------------------------------------------- e-mail

_EMAIL = re.compile(r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}(?!\w)")

# --------------------------------------------------------------------------- IBAN

#: IBAN length of each country of the SWIFT IBAN registry (ISO 13616), 89 countries.
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip

# A country code and check digits at a word start, then the BBAN's letters and digits with at
# most one space between them; the country's length says where the IBAN ends.
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?:[ \u00a0]?[A-Za-z0-9]){11,30}")


def _iban_ok(iban: str) -> bool:
    """ISO 13616 / ISO 7064 mod 97-10: the rearranged number modulo 97 is 1."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _mask_ibans(text: str) -> str:
    out, pos = [], 0
    for match in _IBAN.finditer(text):
        if match.start() < pos:
            continue
        length = IBAN_LENGTHS.get(match.group(0)[:2].upper())
        if length is None:
            continue
        chars, end = [], match.start()
        for i in range(match.start(), match.end()):
            if text[i].isalnum():
                chars.append(text[i].upper())
                if len(chars) == length:
                    end = i + 1
                    break
        if len(chars) != length or (end < len(text) and text[end].isalnum()):
            continue
        if not chars[2].isdigit() or not _iban_ok("".join(chars)):
            continue
        out.append(text[pos : match.start()] + PLACEHOLDERS["iban"])
        pos = end
    return "".join(out) + text[pos:] if out else text


# --------------------------------------------------------------------------- personal id numbers

# Nordic personal id numbers, validated below by their date and check digits:
#   6+4 digits  Danish CPR DDMMYY-XXXX, Swedish personnummer YYMMDD-XXXX / YYMMDD+XXXX (and
#               samordningsnummer, day + 60), with a dash, a plus, a space or nothing between;
#   8+4 digits  Swedish personnummer with the century, YYYYMMDD-XXXX or YYYYMMDDXXXX;
#   6+5 digits  Norwegian fødselsnummer DDMMYYIIIKK (D-number day + 40, H-number month + 40);
#   6+1+4       Finnish henkilötunnus DDMMYYCZZZQ (C the century sign, Q a check character).
# A number read as a number loses its leading zero (a CPR or fødselsnummer of someone born on
# the 1st to 9th, in a spreadsheet or a score column's rejection reason): nine plain digits are
# tried as a CPR (modulus 11, not after an order word) and ten that fail as themselves as a
# fødselsnummer, with the zero put back.
_ID_END = r"(?![\w]|[\-/.,:][0-9])"
_PERSONAL_ID = re.compile(
    r"(?<![\w+\-.,/])(?:"
    rf"(?P<six>[0-9]{{6}})(?P<sep>[\-+ \u00a0]?)(?P<four>[0-9]{{4}}){_ID_END}"
    rf"|(?P<eight>(?:18|19|20)[0-9]{{6}})-?(?P<last4>[0-9]{{4}}){_ID_END}"
    rf"|(?P<birth>[0-9]{{6}})[ \u00a0\-]?(?P<five>[0-9]{{5}}){_ID_END}"
    rf"|(?P<nine>[1-9][0-9]{{8}}){_ID_END}"
    r"|(?P<fi>[0-9]{6}[\-+A-FU-Y][0-9]{3}[0-9A-Y])(?!\w)"
    r")"
)
# The words that say a number is a personal id number: a Danish CPR written without its dash
# has no check digit to tell it from an ordinary number (see _cpr_ok).
_ID_WORD = re.compile(
    r"(?i)(?:cpr|cpr-?nr|cpr-?nummer|personnummer|person-?nr|personnr|pnr|fødselsnummer|"
    r"fødselsnr|fnr|d-?nummer|henkilötunnus|hetu|kennitala|personal id|national id)\W{0,5}$"
)


def _date_ok(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _luhn_ok(digits: str) -> bool:
    """Luhn (ISO/IEC 7812-1): every second digit from the right doubled, the sum divisible by 10."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _personnummer_ok(digits10: str, *, centuries: tuple[int, ...]) -> bool:
    """Swedish personnummer / samordningsnummer YYMMDDXXXX: a date (day + 60 for a
    samordningsnummer) in one of ``centuries``, and the Luhn check on the ten digits."""
    yy, month, day = int(digits10[:2]), int(digits10[2:4]), int(digits10[4:6])
    if day > 60:
        day -= 60
    if not any(_date_ok(c * 100 + yy, month, day) for c in centuries):
        return False
    return _luhn_ok(digits10)


def _cpr_century(yy: int, seventh: int) -> int:
    """The CPR's birth century from its seventh digit (CPR-kontoret's table)."""
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800


def _cpr_ok(digits10: str, *, dashed: bool, named: bool) -> bool:
    """Danish CPR DDMMYYXXXX: a valid date in the century its seventh digit gives.

    The modulus-11 check is not required of CPR numbers issued since 1 October 2007 (numbers
    that fail it exist), so a date is all a CPR number can be checked by. A CPR written with its
    dash (DDMMYY-XXXX) is masked on the date alone; written as ten plain digits it is masked when
    the modulus-11 check holds or a word such as "CPR" or "personnummer" comes just before it,
    so that ordinary ten-digit numbers (order numbers) are not masked.
    """
    day, month, yy = int(digits10[:2]), int(digits10[2:4]), int(digits10[4:6])
    if not _date_ok(_cpr_century(yy, int(digits10[6])) + yy, month, day):
        return False
    if dashed or named:
        return True
    return sum(int(d) * w for d, w in zip(digits10, (4, 3, 2, 7, 6, 5, 4, 3, 2, 1))) % 11 == 0


def _fodselsnummer_ok(digits11: str) -> bool:
    """Norwegian fødselsnummer DDMMYYIIIKK (D-number: day + 40; H-number: month + 40): a date
    and the two modulus-11 check digits."""
    d = [int(ch) for ch in digits11]
    day, month, yy = d[0] * 10 + d[1], d[2] * 10 + d[3], d[4] * 10 + d[5]
    if day > 40:
        day -= 40
    if month > 40:
        month -= 40
    if not any(_date_ok(c + yy, month, day) for c in (1800, 1900, 2000)):
        return False
    for weights, at in (((3, 7, 6, 1, 8, 9, 4, 5, 2), 9), ((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), 10)):
        check = 11 - sum(x * w for x, w in zip(d, weights)) % 11
        if check == 11:
            check = 0
        if check == 10 or check != d[at]:
            return False
    return True


_HETU_CENTURY = {"+": 1800, "-": 1900, "U": 1900, "V": 1900, "W": 1900, "X": 1900, "Y": 1900}
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def _hetu_ok(hetu: str) -> bool:
    """Finnish henkilötunnus DDMMYYCZZZQ: a date and the check character (mod 31)."""
    century = _HETU_CENTURY.get(hetu[6], 2000)
    if not _date_ok(century + int(hetu[4:6]), int(hetu[2:4]), int(hetu[:2])):
        return False
    return _HETU_CHECK[int(hetu[:6] + hetu[7:10]) % 31] == hetu[10]


def _personal_id(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.group("fi"):
        ok = _hetu_ok(text)
    elif match.group("six"):
        digits, sep = match.group("six") + match.group("four"), match.group("sep")
        named = bool(_ID_WORD.search(match.string[max(0, match.start() - 30) : match.start()]))
        centuries = (18, 19) if sep == "+" else (19, 20)
        ok = (
            _personnummer_ok(digits, centuries=centuries)
            or (sep != "+" and _cpr_ok(digits, dashed=sep == "-", named=named))
            or (sep in "-+" and sep != "" and _hetu_ok(text))
            or (sep == "" and _fodselsnummer_ok("0" + digits))
        )
    elif match.group("nine"):  # a CPR of someone born on the 1st to 9th, read as a number
        before = match.string[max(0, match.start() - 40) : match.start()]
        named = bool(_ID_WORD.search(before))
        ok = not _NUMBER_WORD.search(before) and _cpr_ok("0" + match.group("nine"), dashed=False, named=named)
    elif match.group("eight"):
        digits = match.group("eight") + match.group("last4")
        ok = _personnummer_ok(digits[2:], centuries=(int(digits[:2]),))
    else:
        ok = _fodselsnummer_ok(match.group("birth") + match.group("five"))
    return PLACEHOLDERS["personal_id"] if ok else text


# --------------------------------------------------------------------------- payment cards

# 13-19 digits as one run, in groups of four (the last group shorter) or as 4-6-5 / 4-6-4
# (American Express, Diners), joined by single spaces or dashes.
_CARD = re.compile(
    r"(?<![\w+\-.,])(?:[0-9]{4}(?:[ \u00a0\-][0-9]{4}){2,3}(?:[ \u00a0\-][0-9]{1,4})?"
    r"|[0-9]{4}[ \u00a0\-][0-9]{6}[ \u00a0\-][0-9]{4,5}|[0-9]{13,19})(?![\w]|[.,][0-9])"
)
_GROUP_SEP = re.compile(r"[ \u00a0\-]")


def _card(match: re.Match[str]) -> str:
    """The longest prefix of whole groups that is a card number (13-19 digits, a first digit of
    2-6 as every major scheme's, Luhn) is masked; a trailing group of something else stays."""
    text = match.group(0)
    groups = _GROUP_SEP.split(text)
    for k in range(len(groups), 0, -1):
        digits = "".join(groups[:k])
        if 13 <= len(digits) <= 19 and digits[0] in "23456" and _luhn_ok(digits):
            kept = len(" ".join(groups[:k]))  # separators are one character each
            return PLACEHOLDERS["card"] + text[kept:]
    return text


# --------------------------------------------------------------------------- phone numbers

# A phone number: an optional country code (+47, 0047; the first group after it may be one
# digit, as Stockholm's 8), an optional area code in brackets, then groups of 2-4 digits joined
# by single spaces, dots or dashes (or one run of 8-15 digits), 8-15 digits in all. A number next
# to a colon and a digit is part of a clock time (14:05), and one before a file extension is an
# export's stamp (20261031.csv, in a manifest's paths), never a phone number.
_SEP = r"[ \u00a0.\-]"
_PHONE = re.compile(
    r"(?<![\w@.+\-])(?<![0-9]:)"
    rf"(?:(?P<cc>(?:\+|00)[0-9]{{1,3}}){_SEP}?(?:\(0\){_SEP}?)?)?"
    rf"(?P<area>\([0-9]{{1,4}}\){_SEP}?)?"
    rf"(?P<body>(?(cc)[0-9]{{1,4}}|[0-9]{{2,4}})(?:{_SEP}[0-9]{{2,4}}){{1,5}}|[0-9]{{8,15}})"
    r"(?![\w@]|[.,:][0-9]|\.(?:csv|tsv|txt|xlsx?|json|parquet|sav|zip|gz|html?|pdf|png|ipynb|log)\b)"
)
# Dates, with a time before or after them (31.10.2026 14.05, 14.05 31-10-2026), and decimals.
_TIME = r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
_DATE_LIKE = re.compile(
    r"^(19|20)\d{2}[-./ ]\d{1,2}|^\d+[.,]\d+$"
    rf"|^(?:{_TIME}[ T])?\d{{1,2}}[-./]\d{{1,2}}[-./](19|20)?\d{{2}}(?:[ T]\d{{1,2}}(?:[:.]\d{{2}}){{0,2}})?$"
)
_THOUSANDS = re.compile(r"^\d{1,3}(?:[ \u00a0.]\d{3})+$")
# A number right after one of these words (or '#') is an order, invoice, case or parcel number,
# never a phone number: "order 12345678", "ordrenummer: 22334455", "faktura nr. 40112233", "#100234556";
# nor are the digits after an IBAN's country code and check digits when the IBAN fails its check.
_NUMBER_WORD = re.compile(
    r"(?i)(?:\b(?:order|ordre|orden|bestilling|beställning|faktura|invoice|receipt|kvittering|kvitto|"
    r"ref|reference|referens|referanse|id|case|sag|ärende|ticket|tracking|kolli|parcel|pakke|paket)"
    r"(?:[\s\-]?s?(?:nummer|nr|number|no|id))?\.?|#)\s*[:#=]?\s*$"
)
_IBAN_HEAD = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}[ \u00a0]?$")


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if not 8 <= digits <= 15 or _DATE_LIKE.match(text):
        return text
    before = match.string[max(0, match.start() - 40) : match.start()]
    if _IBAN_HEAD.search(before):
        return text
    if match.group("cc"):
        return PLACEHOLDERS["phone"]
    if _THOUSANDS.match(text):
        return text  # 12 345 678: an amount written with thousands separators
    if _NUMBER_WORD.search(before):
        return text
    body = match.group("body")
    if body.isdigit() and not match.group("area"):
        # One run of digits without a country code or grouping is a phone number only in a
        # national form: Danish and Norwegian numbers are 8 digits not starting with 0 or 1,
        # Swedish ones 9-10 digits after the trunk 0 (0701234567, 081234567). Longer runs and
        # other lengths are ordinary numbers (customer, order and tracking numbers).
        national = (len(body) == 8 and body[0] not in "01") or (len(body) in (9, 10) and body[:2] in _TRUNK)
        return PLACEHOLDERS["phone"] if national else text
    return PLACEHOLDERS["phone"]


_TRUNK = {f"0{d}" for d in "123456789"}

# --------------------------------------------------------------------------- the masking path

_STEPS: list[Callable[[str], str]] = [
    lambda t: _EMAIL.sub(PLACEHOLDERS["email"], t) if "@" in t else t,
    _mask_ibans,
    lambda t: _PERSONAL_ID.sub(_personal_id, t),
    lambda t: _CARD.sub(_card, t),
    lambda t: _PHONE.sub(_phone, t),
]


def mask_pii(text: object) -> object:
    """Replace personal data in ``text`` by a placeholder per kind; non-strings pass through.

    Everything cxkit prints, writes or publishes from data goes through this: error messages
    (:class:`cxkit.errors.CxkitError`), the run log, rejected-row files (:func:`mask_frame`),
    ``results.json`` and ``manifest.json`` (:func:`mask_nested`), report tables, findings and
    alt texts (:mod:`cxkit.display`). Text is masked before it is shortened for display.

    Parameters
    ----------
    text : object
        The text to mask. Anything that is not a non-empty string (None, NaN, numbers) is
        returned unchanged.

    Returns
    -------
    object
        ``text`` with, in this order,

        - e-mail addresses (Unicode letters allowed) replaced by ``[email]``;
        - IBANs of every country in the ISO 13616 registry, in groups of four or as one run,
          with the country's length and a valid mod-97 check, by ``[iban]``;
        - Nordic personal id numbers by ``[personal-id]``: Swedish personnummer and
          samordningsnummer (``YYMMDD-XXXX``, ``YYMMDD+XXXX``, ``YYYYMMDD-XXXX``, with or
          without the dash; a date and the Luhn check), Danish CPR (``DDMMYY-XXXX``: a date; ten
          plain digits also need the old modulus-11 check or a word such as "CPR" before them),
          Norwegian fødselsnummer, D- and H-numbers (a date and both check digits), Finnish
          henkilötunnus (a date and the check character); the whole number, never leaving its
          last digits;
        - payment card numbers (13-19 digits starting with 2-6, one run or groups, Luhn) by
          ``[card]``;
        - phone numbers by ``[phone]``: 8 to 15 digits with a country code (``+47``, ``0047``)
          in any grouping, or in groups of 2-4 digits joined by single spaces, dots or dashes,
          or one run of digits in a national form (8 digits not starting with 0 or 1; 9-10
          digits starting with a trunk 0).

        Left alone: dates (with or without a time), clock times, decimals, amounts written with
        thousands separators, numbers that follow ``order``, ``ordre``, ``faktura``,
        ``invoice``, ``id``, ``#`` and similar words (never phone numbers), and numbers that fail
        the checksums of the schemes they look like.

    Examples
    --------
    >>> mask_pii("ring 22 33 44 55")
    'ring [phone]'
    >>> mask_pii("NPS 9 of 10, 1 234,50 kr, id 42, order 1234567890, #100234556")
    'NPS 9 of 10, 1 234,50 kr, id 42, order 1234567890, #100234556'
    >>> mask_pii("jörg.müller@exämple.de, 900101+1239, 4111 1111 1111 1111"), mask_pii(None)
    ('[email], [personal-id], [card]', None)
    """
    if not isinstance(text, str) or not text or not _PREFILTER.search(text):
        return text
    for step in _STEPS:
        text = step(text)
    return text


def mask_nested(value: Any) -> Any:
    """``value`` with :func:`mask_pii` applied to every string in it, keys included.

    For JSON-like data (dicts, lists, tuples, scalars) such as ``results.json`` and
    ``manifest.json``; other values pass through unchanged.

    >>> mask_nested({"segment": {"ola@example.no": [1, "ring 22 33 44 55"]}, "n": 3})
    {'segment': {'[email]': [1, 'ring [phone]']}, 'n': 3}
    """
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {mask_nested(k): mask_nested(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_nested(v) for v in value)
    return value


def mask_log_record(record: logging.LogRecord) -> bool:
    """A :mod:`logging` filter that masks a record's message (and its arguments) in place.

    Add it to a handler (``handler.addFilter(mask_log_record)``): every line the handler
    writes then has its personal data masked. Always True (the record is kept).
    """
    message = record.getMessage()
    masked = mask_pii(message)
    if masked != message:
        record.msg, record.args = masked, None
    return True


def is_pii_column(name: str) -> bool:
    """True when a column's name says it holds personal data.

    >>> is_pii_column("Email Address"), is_pii_column("RecipientLastName"), is_pii_column("segment")
    (True, True, False)
    """
    normalised = re.sub(r"[\s\-]+", "_", str(name).strip())
    normalised = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", normalised)
    return bool(PII_COLUMN_PATTERN.search(normalised))


#: Column names that hold personal data; their values are redacted whole when published.
PII_COLUMN_PATTERN = re.compile(
    r"(^|_|\b)(e-?mail|mail|phone|mobile|tel|telephone|first_?name|last_?name|full_?name|name|"
    r"surname|address|ip_?address|ipaddress|recipient\w*)($|_|\b)",
    re.IGNORECASE,
)


def _mask_series(series: pd.Series) -> pd.Series:
    """``series`` with its text cells masked; only the cells the cheap :data:`PREFILTER`
    finds (vectorised) go through the Python recognisers, each distinct value once."""
    maybe = None
    if len(series) >= 2000:  # below, the vectorised call's fixed cost is more than the cells' own
        try:
            maybe = series.str.contains(PREFILTER, regex=True, na=False)
        except (AttributeError, TypeError):  # an object column that is not text (lists, mixed types)
            pass
    if maybe is None:
        maybe = series.map(lambda v: isinstance(v, str) and _PREFILTER.search(v) is not None)
    maybe = maybe.astype(bool)
    if not maybe.any():
        return series
    candidates = series[maybe]
    masked = {v: mask_pii(v) for v in pd.unique(candidates)}
    out = series.copy()
    out[maybe] = candidates.map(masked)
    return out


def mask_frame(df: pd.DataFrame, *, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy of ``df`` safe to write out: PII columns redacted, personal data in text masked.

    Columns named in ``keep`` are left as they are (for example a reason column). Column names
    are masked too (a header can hold an e-mail address). Text cells are masked by
    :func:`mask_pii`, run only on the cells a vectorised pre-filter finds (an ``@``, eight digits
    close together, an IBAN-like start), so a million-row text column without identifiers costs
    one pass of pyarrow's regex engine.

    >>> mask_frame(pd.DataFrame({"comment": ["ring 22 33 44 55", "ok"], "email": ["a@b.no", None]}))
            comment       email
    0  ring [phone]  [redacted]
    1            ok         NaN
    """
    out = df.copy()
    for col in out.columns:
        if col in keep:
            continue
        series = out[col]
        if is_pii_column(col):
            out[col] = series.where(series.isna(), "[redacted]")
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = _mask_series(series)
    out.columns = pd.Index([c if c in keep else mask_pii(c) for c in out.columns])
    return out
