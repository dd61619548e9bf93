"""Report languages (issue 28): the pack's words from message catalogs, its numbers and months in
the reader's locale.

The pack speaks English, Danish, Norwegian (Bokmål) or Swedish: ``settings: {language: da}`` in
the catalog, ``cxkit report --language da``, or :func:`set_language` in a notebook.

Words
    Every sentence, heading, label, caption and note of the pack is written in the code in
    English, inside :func:`tr` (or :func:`ntr` when it depends on a count, :func:`N_` where it is
    only named and translated later). The translations are gettext message catalogs,
    ``cxkit/locale/<language>/<domain>.po``, one domain per source file, read with Babel; the
    English text is the message id, so the code reads as the English pack. Placeholders are
    ``{name}`` fields filled after the translation, so a translator can move them; their values
    are formatted here first (never a format spec inside a message). Data values (segment names,
    comments, driver names) are never translated.

Numbers
    :func:`integer`, :func:`decimal`, :func:`percent`, :func:`points`, :func:`interval`,
    :func:`month` and :func:`p_value` format in the locale with Babel (``1.234,5``, ``26,5 %``,
    ``oktober 2026``). English keeps the pack's English formats (``1,234.5``, ``26.5%``,
    ``2026-10``).

Examples
--------
>>> from cxkit import i18n
>>> with i18n.language("da"):
...     i18n.decimal(1234.5, 1), i18n.percent(0.265, 1), i18n.month("2026-10")
('1.234,5', '26,5\\xa0%', 'oktober 2026')
>>> i18n.decimal(1234.5, 1), i18n.percent(0.265, 1), i18n.month("2026-10")
('1,234.5', '26.5%', '2026-10')
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import math
import os
import string
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "LANGUAGES",
    "N_",
    "check_language",
    "date",
    "decimal",
    "get_language",
    "integer",
    "interval",
    "language",
    "month",
    "ntr",
    "p_value",
    "percent",
    "points",
    "process_language",
    "set_language",
    "tr",
    "tr_html",
    "translate",
]

#: The report languages: code -> the language's own name.
LANGUAGES = {"en": "English", "da": "Dansk", "nb": "Norsk bokmål", "sv": "Svenska"}
#: Other names readers use for the same languages.
_ALIASES = {"no": "nb", "nob": "nb", "dk": "da", "se": "sv", "dan": "da", "swe": "sv", "eng": "en"}
LOCALE_DIR = Path(__file__).parent / "locale"

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("cxkit_language", default=None)
_process_language: str | None = None


def check_language(code: object) -> str:
    """The report language ``code`` names (``da``, ``DA``, ``da_DK`` and ``dk`` are all
    ``da``; ``no`` is ``nb``), or a :class:`~cxkit.errors.ParameterError` listing the four."""
    text = str(code or "").strip().lower().replace("-", "_")
    text = _ALIASES.get(text, text)
    if text not in LANGUAGES:
        text = _ALIASES.get(text.split("_")[0], text.split("_")[0])  # da_DK -> da
    if text not in LANGUAGES:
        from .errors import ParameterError

        raise ParameterError(
            f"report language {code!r} is not one cxkit writes; use one of "
            f"{', '.join(f'{k} ({v})' for k, v in LANGUAGES.items())} in the catalog's "
            "`settings: {language: ...}` or `cxkit report --language ...`."
        )
    return text


def set_language(code: str | None) -> None:
    """Write the pack (pages, tables, figures) in ``code`` from now on.

    Parameters
    ----------
    code : str or None
        ``en``, ``da``, ``nb`` (``no`` is taken as ``nb``) or ``sv``; None or ``""`` goes back
        to the default (the environment's ``CXKIT_LANGUAGE``, else English). Another code raises
        a :class:`~cxkit.errors.ParameterError` listing the four.

    Returns
    -------
    None

    Examples
    --------
    >>> import cxkit as cx
    >>> from cxkit import i18n
    >>> cx.set_language("da"); cx.get_language(), i18n.percent(0.265)
    ('da', '26,5\xa0%')
    >>> cx.set_language(None)
    """
    global _process_language
    _process_language = check_language(code) if code else None
    _current.set(None)


def get_language() -> str:
    """The language the pack is written in now (see :func:`set_language`).

    Returns
    -------
    str
        ``en``, ``da``, ``nb`` or ``sv``: the language of the innermost :func:`language` block,
        else the one :func:`set_language` chose, else ``CXKIT_LANGUAGE``, else ``en``.
    """
    code = _current.get() or _process_language
    if code:
        return code
    env = os.environ.get("CXKIT_LANGUAGE", "")
    return check_language(env) if env else "en"


@contextmanager
def language(code: str | None) -> Iterator[str]:
    """Write in ``code`` inside the ``with`` block only (this thread or task); None keeps the
    current language."""
    token = _current.set(check_language(code) if code else get_language())
    try:
        yield get_language()
    finally:
        _current.reset(token)


@contextmanager
def process_language(code: str | None) -> Iterator[str]:
    """:func:`set_language` for the ``with`` block, in every thread of the process (the pack
    runner's export threads too); the language before is restored at the end."""
    global _process_language
    before = _process_language
    set_language(code)
    try:
        yield get_language()
    finally:
        _process_language = before


# --------------------------------------------------------------------------- words


@functools.cache
def _catalog(code: str) -> dict[Any, Any]:
    """Every translation of ``code``: message id (str, or (singular, plural)) -> translation
    (str, or tuple of plural forms). Untranslated and fuzzy entries are left out, so they fall
    back to English (the tests fail on any of them)."""
    from babel.messages.pofile import read_po

    found: dict[Any, Any] = {}
    for path in sorted((LOCALE_DIR / code).glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=code):
                if not message.id or message.fuzzy:
                    continue
                if isinstance(message.id, tuple | list):
                    forms = tuple(message.string or ())
                    if forms and all(forms):
                        found[tuple(message.id)] = forms
                elif message.string:
                    found[message.id] = message.string
    return found


def _fill(template: str, values: dict[str, Any]) -> str:
    return template.format(**values) if values else template


def tr(message: str, /, **values: Any) -> str:
    """``message`` in the current language, its ``{name}`` fields filled from ``values``.

    >>> tr("{n} of {total} rows", n="3", total="150")
    '3 of 150 rows'
    """
    return _fill(_template(message), values)


def _template(message: str) -> str:
    code = get_language()
    return message if code == "en" else _catalog(code).get(message, message)


def ntr(singular: str, plural: str, count: int, /, **values: Any) -> str:
    """The singular or plural ``message`` for ``count``, in the current language.

    Danish, Norwegian, Swedish and English all use the singular for exactly one and the plural
    otherwise (CLDR's ``one``/``other``), so the form is chosen by ``count == 1`` for all four.

    >>> ntr("{n} source", "{n} sources", 2, n="2")
    '2 sources'
    """
    code = get_language()
    forms = (singular, plural) if code == "en" else _catalog(code).get((singular, plural), (singular, plural))
    return _fill(forms[0] if count == 1 else forms[-1], values)


def tr_html(message: str, /, **values: Any) -> str:
    """:func:`tr` for HTML: the translated text is escaped, and so is every value that is not
    already markup (a :class:`markupsafe.Markup`, such as a link the page built).

    >>> from markupsafe import Markup
    >>> tr_html("See {page} for <details>", page=Markup('<a href="x.html">x</a>'))
    'See <a href="x.html">x</a> for &lt;details&gt;'
    """
    from markupsafe import Markup, escape

    return str(Markup(escape(_template(message))).format(**values))


def translate(message: str, /, **values: Any) -> str:
    """:func:`tr` of a message whose text is known only when the code runs: one marked with
    :func:`N_` elsewhere, or a notebook's markdown cell (``cxkit._messages`` extracts those)."""
    return _fill(_template(message), values)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (a title kept in a class
    attribute, a label in a table): translate it with :func:`tr` where it is shown."""
    return message


def placeholders(message: str) -> set[str]:
    """The ``{name}`` fields of a message (for the catalog checks)."""
    return {field for _, field, _, _ in string.Formatter().parse(message) if field is not None}


# --------------------------------------------------------------------------- numbers


def _babel_locale(code: str) -> str:
    return {"nb": "nb_NO", "da": "da_DK", "sv": "sv_SE", "en": "en_GB"}[code]


def _blank(value: object) -> bool:
    try:
        return value is None or not math.isfinite(float(value))  # type: ignore[arg-type]  # checked by the try
    except (TypeError, ValueError):
        return True


def integer(value: int | float) -> str:
    """A count with the locale's thousands separator: ``1,986`` (en), ``1.986`` (da),
    ``1 986`` (nb, sv; a no-break space)."""
    return decimal(value, 0)


def decimal(value: float, digits: int = 1, *, sign: bool = False) -> str:
    """``value`` with ``digits`` decimals in the locale (``1.234,5``); ``sign`` puts ``+``
    before positive numbers; ``-0.0`` is shown as ``0.0``; ``""`` for a missing value."""
    if _blank(value):
        return ""
    code = get_language()
    if code == "en":
        text = f"{value:,.{digits}f}"
    else:
        from babel.numbers import format_decimal

        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        text = format_decimal(value, pattern, locale=_babel_locale(code))
    if not any(ch in "123456789" for ch in text):
        text = text.lstrip("-−")
    elif sign and not text.startswith(("-", "−")):
        text = "+" + text
    return text


def percent(value: float, digits: int = 1, *, sign: bool = False) -> str:
    """A share (0.265) as a percentage in the locale: ``26.5%`` (en), ``26,5 %`` (da, nb, sv,
    a no-break space); ``""`` for a missing value."""
    if _blank(value):
        return ""
    number = decimal(100 * float(value), digits, sign=sign)
    return number + ("%" if get_language() == "en" else "\u00a0%")


def points(value: float, digits: int = 1) -> str:
    """A change of a percentage, signed, in percentage points: ``+2.3 pp`` (en), ``+2,3 pct.-point``
    (da), ``+2,3 prosentpoeng`` (nb), ``+2,3 procentenheter`` (sv)."""
    if _blank(value):
        return ""
    # Translators: the unit of a change of a percentage (percentage points), after the number.
    unit = tr("pp")
    return decimal(100 * float(value), digits, sign=True) + (" " if get_language() == "en" else "\u00a0") + unit


def interval(low: float, high: float, digits: int = 1, *, level: float = 0.95, kind: str = "decimal") -> str:
    """A confidence interval in words of the locale: ``95% CI 15.7 to 23.1`` (en), ``95 %-KI 15,7
    til 23,1`` (da), ``95 % KI 15,7 til 23,1`` (nb), ``95 % KI 15,7 till 23,1`` (sv). ``kind``
    ``percent`` formats the limits as percentages."""
    fmt = percent if kind == "percent" else decimal
    return tr(
        "{level} CI {low} to {high}",
        level=percent(level, 0),
        low=fmt(low, digits),
        high=fmt(high, digits),
    )


def p_value(p: float) -> str:
    """A p-value as the pack shows it: two significant digits, ``< 0.001`` below that, in the
    locale's decimal mark (``0,034``); ``""`` when missing."""
    if _blank(p):
        return ""
    p = float(p)
    if p < 0.001:
        return "< " + decimal(0.001, 3)
    text = f"{float(f'{p:.2g}'):.6f}".rstrip("0").rstrip(".")
    digits = len(text.split(".")[1]) if "." in text else 0
    return decimal(float(text), digits)


def month(period: object) -> str:
    """A report month: ``2026-10`` in English (the pack's file names and the analysts' form),
    ``oktober 2026`` in Danish, Norwegian and Swedish."""
    import pandas as pd

    text = str(period)
    code = get_language()
    if code == "en" or not text:
        return text
    try:
        first = pd.Period(text, freq="M").to_timestamp().date()
    except (ValueError, TypeError):
        return text
    from babel.dates import format_date

    return format_date(first, "LLLL y", locale=_babel_locale(code))


def date(value: dt.date | dt.datetime | str) -> str:
    """A day in the locale's medium form: ``2026-10-31`` (en), ``31. okt. 2026`` (da)."""
    import pandas as pd

    code = get_language()
    day = pd.Timestamp(value).date()
    if code == "en":
        return day.isoformat()
    from babel.dates import format_date

    return format_date(day, "medium", locale=_babel_locale(code))
