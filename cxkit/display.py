"""Safe display of results in notebooks and the HTML reports.

Everything a report shows passes through here, so untrusted text from data (review texts,
comments, segment and touchpoint names, column names) is always rendered as *text*: HTML
escaped, never interpreted as HTML, Markdown or LaTeX, with emails and phone numbers masked.

- :func:`table` shows a DataFrame (escaped cells and headers, PII masked, rounded for reading
  only: the DataFrame itself is not changed).
- :func:`findings` shows plain-language findings as an escaped bullet list.
- :func:`figure` shows a matplotlib figure as an embedded PNG with alt text that states its
  finding (the report template puts it in the ``alt`` attribute).
- :class:`Unavailable` is what a section shows when the data cannot give it: one sentence.

Nothing broken reaches a reader (issue 23): a table without rows or with only blank cells and a
figure whose axes hold no data become an :class:`Unavailable` sentence; a finding that would
show a missing value (``nan``, ``NaT``, ``<NA>``) or has a missing word is left out with a
:class:`~cxkit.errors.PresentationWarning`, and so is such a value inside a table cell.

Examples
--------
>>> import pandas as pd
>>> html = table(pd.DataFrame({"segment": ["<script>alert(1)</script>"], "nps": [12.345]}))._repr_html_()
>>> "<script>" in html, "&lt;script&gt;" in html, "12.3" in html
(False, True, True)
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Container, Hashable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, TypeVar, cast

import numpy as np
import pandas as pd

from . import i18n
from .errors import PresentationWarning
from .i18n import N_, ntr, tr, translate
from .privacy import mask_pii

if TYPE_CHECKING:
    from IPython.display import Image
    from matplotlib.figure import Figure

__all__ = [
    "table",
    "presentable",
    "format_p",
    "p_phrase",
    "findings",
    "figure",
    "Unavailable",
    "broken_text",
    "SafeHTML",
    "SafeDisplay",
    "safe_text",
    "COLUMN_LABELS",
    "COLUMN_WORDS",
    "metric_label",
]


#: Output metadata that marks HTML built here from escaped parts. The report keeps the HTML of
#: marked outputs only; any other HTML output (a DataFrame's own repr, a library's widget, an
#: ``IPython.display.HTML`` built from data) is shown as its plain-text form instead. Data
#: cannot set output metadata, so this is the one path by which markup reaches a page.
SAFE_MARK = {"cxkit": "escaped"}


class SafeHTML:
    """HTML that cxkit built itself from escaped parts; displays in notebooks and reports.

    Build it only from :func:`safe_text` parts and literal markup; the report trusts it.
    """

    def __init__(self, html: str, text: str = "") -> None:
        self.html = html
        self.text = text

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        data = {"text/html": self.html, "text/plain": self.text or self.html}
        return data, {"text/html": dict(SAFE_MARK)}

    def __repr__(self) -> str:
        return self.text or self.html


class SafeDisplay:
    """Mixin for result objects whose ``_repr_html_`` is built only from :func:`table`,
    :func:`findings`, :func:`figure` or :func:`safe_text` parts: their HTML carries
    :data:`SAFE_MARK`, so the report keeps it as markup."""

    def _repr_html_(self) -> str:  # pragma: no cover - each class defines its own
        raise NotImplementedError

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        return SafeHTML(self._repr_html_(), text=repr(self))._repr_mimebundle_(include, exclude)


class Unavailable(SafeHTML):
    """What a section shows when the data at hand cannot give it: one plain sentence saying
    what is missing and what would make it possible (``reason``), shown as text.

    >>> Unavailable("No comments this month; add a comment column to the survey export.").html
    '<p class="cx-unavailable">Not shown: no comments this month; add a comment column to the survey export.</p>'
    """

    def __init__(self, reason: str):
        reason = " ".join(str(reason).split()) or tr("the data at hand cannot give this section.")
        self.reason = reason
        sentence = tr(
            "Not shown: {reason}", reason=reason[:1].lower() + reason[1:] if not reason[:2].isupper() else reason
        )
        super().__init__(f'<p class="cx-unavailable">{safe_text(sentence)}</p>', text=sentence)


#: Written-out missing values and unfilled templates that must never reach a reader.
_MISSING_WORD = re.compile(
    r"(?<![\w-])(nan|NaN|NaT|<NA>|inf|-inf)(?![\w-])|\bnan%|\(None\)|(?<=[=:] )None\b|\{\w*(?::[^{}\s]*)?\}"
)
#: A sentence with a hole where a word or number was: two spaces, a space before punctuation,
#: empty parentheses.
_HOLE = re.compile(r"\S {2,}\S|\w [.,;](\s|$)|\(\s*\)")


def broken_text(text: str) -> str | None:
    """Why ``text`` must not be shown (a missing value written out, a missing word), or None.

    >>> broken_text("CSAT (nan) comes from a small sample"), broken_text("No  differs significantly")
    ("shows a missing value ('nan')", 'has a missing word')
    >>> broken_text("NPS rose from 12.0 to 19.4.") is None
    True
    """
    hit = _MISSING_WORD.search(text)
    if hit:
        return f"shows a missing value ({hit.group(0)!r})"
    if _HOLE.search(text.strip()):
        return "has a missing word"
    return None


def safe_text(value: object, *, max_chars: int | None = None) -> str:
    """Text from data, ready to place in HTML: PII masked, truncated, escaped.

    >>> safe_text('<img src=x onerror="alert(1)"> mail me@example.com', max_chars=60)
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt; mail [email]'
    """
    # pd.isna takes any object; the stubs list only scalars and containers
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return ""
    text = cast(str, mask_pii(str(value)))  # a str stays a str
    if max_chars is not None and len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return escape(text, quote=True)


#: Business-language headers for the canonical column names of cxkit's result tables. A column
#: not listed here is shown with underscores as spaces.
COLUMN_LABELS = {
    "n": "n",
    "k": N_("groups"),
    "se": N_("std. error"),
    "sd": N_("std. deviation"),
    "z": "z",
    "t": "t",
    "coef": N_("coefficient"),
    "p": "p",
    "p_adjusted": N_("p (adjusted)"),
    "p_adjusted_max": N_("largest p (adjusted)"),
    "prob_first": N_("chance ranked first"),
    "chi2": "χ²",
    "dof": N_("df"),
    "df1": N_("df (between groups)"),
    "df2": N_("df (within groups)"),
    "rho": N_("correlation with time"),
    "stat": N_("statistic name"),
    "effect": N_("effect-size measure"),
    "omega2": "ω²",
    "epsilon2": "ε²",
    "mcfadden_r2": N_("McFadden's R²"),
    "r2": "R²",
    "log_odds": N_("log-odds"),
    "odds_ratio": N_("odds ratio"),
    "hazard_ratio": N_("hazard ratio"),
    "nps": "NPS",
    "csat": "CSAT",
    "ces": "CES",
    "vif": N_("overlap (VIF)"),
    "diff": N_("difference"),
    "a": N_("group A"),
    "b": N_("group B"),
    "clv": N_("lifetime value"),
}

#: Headers of the other canonical column names of cxkit's tables: in English the name with
#: underscores as spaces (as any identifier is shown), translated in the other report
#: languages. A column name from the data (a driver, a category) is shown as it is.
COLUMN_WORDS = {
    name: word
    for name, word in [
        ("accepted", N_("accepted")),
        ("active_at_start", N_("active at start")),
        ("active_share", N_("active share")),
        ("adjusted_for", N_("adjusted for")),
        ("category", N_("category")),
        ("change", N_("change")),
        ("channel", N_("channel")),
        ("channels", N_("channels")),
        ("check", N_("check")),
        ("churn_probability", N_("churn probability")),
        ("churn_rate", N_("churn rate")),
        ("churned", N_("churned")),
        ("churned_share", N_("churned share")),
        ("ci", N_("ci")),
        ("cohort", N_("cohort")),
        ("comment", N_("comment")),
        ("comments", N_("comments")),
        ("compound", N_("compound")),
        ("conversion", N_("conversion")),
        ("converted", N_("converted")),
        ("count", N_("count")),
        ("customers", N_("customers")),
        ("detractors", N_("detractors")),
        ("difference", N_("difference")),
        ("driver", N_("driver")),
        ("drop_off", N_("drop off")),
        ("drop_off_rate", N_("drop off rate")),
        ("effect_size", N_("effect size")),
        ("emerging", N_("emerging")),
        ("entered", N_("entered")),
        ("estimate", N_("estimate")),
        ("events", N_("events")),
        ("example", N_("example")),
        ("examples", N_("examples")),
        ("excluded", N_("excluded")),
        ("group", N_("group")),
        ("importance", N_("importance")),
        ("journey_stage", N_("journey stage")),
        ("label", N_("label")),
        ("language", N_("language")),
        ("mean", N_("mean")),
        ("mean_compound", N_("mean compound")),
        ("median", N_("median")),
        ("metric", N_("metric")),
        ("month", N_("month")),
        ("monthly_revenue", N_("monthly revenue")),
        ("negative", N_("negative")),
        ("negative_rate", N_("negative rate")),
        ("neutral", N_("neutral")),
        ("note", N_("note")),
        ("passives", N_("passives")),
        ("performance", N_("performance")),
        ("period", N_("period")),
        ("positive", N_("positive")),
        ("previous", N_("previous")),
        ("previous_n", N_("previous n")),
        ("previous_rate", N_("previous rate")),
        ("previous_share", N_("previous share")),
        ("promoters", N_("promoters")),
        ("published_at", N_("published at")),
        ("quadrant", N_("quadrant")),
        ("rank", N_("rank")),
        ("rating", N_("rating")),
        ("ratio", N_("ratio")),
        ("reached", N_("reached")),
        ("read", N_("read")),
        ("reason", N_("reason")),
        ("reference", N_("reference")),
        ("rejected", N_("rejected")),
        ("revenue", N_("revenue")),
        ("revenue_at_risk", N_("revenue at risk")),
        ("rows", N_("rows")),
        ("segment", N_("segment")),
        ("sentiment", N_("sentiment")),
        ("share", N_("share")),
        ("share_negative", N_("share negative")),
        ("share_positive", N_("share positive")),
        ("significant", N_("significant")),
        ("small_n", N_("small n")),
        ("source", N_("source")),
        ("stage", N_("stage")),
        ("statistic", N_("statistic")),
        ("status", N_("status")),
        ("step", N_("step")),
        ("success", N_("success")),
        ("success_rate", N_("success rate")),
        ("table", N_("table")),
        ("tenure_months", N_("tenure months")),
        ("test", N_("test")),
        ("text", N_("text")),
        ("theme", N_("theme")),
        ("touchpoint", N_("touchpoint")),
        ("usable", N_("usable")),
        ("used", N_("used")),
        ("value", N_("value")),
        ("volume", N_("volume")),
        ("weight", N_("weight")),
        ("words", N_("words")),
    ]
}

#: Cell values that are statistical jargon, in words (only in these columns).
VALUE_LABELS = {
    "effect": {
        "omega2": N_("ω² (share of variance)"),
        "epsilon2": N_("ε² (rank-based share of variance)"),
        "mcfadden_r2": N_("McFadden's R²"),
        "hedges_g": N_("Hedges' g"),
        "cliffs_delta": N_("Cliff's delta"),
    },
    "stat": {"LR chi2": N_("likelihood-ratio χ²")},
}

#: Decimals that a kind of number always has, whatever a table's ``digits`` say (a mapping
#: passed as ``digits`` still wins): ratios read the same on every page.
FIXED_DIGITS = {"odds_ratio": 2, "hazard_ratio": 2, "ratio": 2, "vif": 2, "nps": 1, "rho": 3}

#: Names of p-value columns: two significant digits, and "< 0.001" below that.
_P_COLUMN = re.compile(r"^p(_adjusted)?(_max)?$|_p(_adjusted)?$")
_TERM = re.compile(r"^(?:C\((\w+)[^)]*\)|(\w+))\[T\.(.+)\]$")
_Column = TypeVar("_Column", bound=Hashable)


def _label(column: object) -> str:
    name = str(column)
    if name in COLUMN_LABELS:
        return translate(COLUMN_LABELS[name])
    if name in COLUMN_WORDS:
        return translate(COLUMN_WORDS[name])
    if not name.isidentifier():
        return name  # a name from the data (a driver or a category) is shown as it is
    return name.replace("_", " ")


def metric_label(metric: str) -> str:
    """A score's name as a reader says it: ``csat`` -> ``CSAT``, ``mean_wait`` -> ``mean wait``
    (a canonical name of :data:`COLUMN_WORDS` in the report language).

    >>> metric_label("nps"), metric_label("task_success")
    ('NPS', 'task success')
    """
    name = str(metric)
    if name.lower() in ("nps", "csat", "ces"):
        return name.upper()
    return translate(COLUMN_WORDS[name]) if name in COLUMN_WORDS else name.replace("_", " ")


def format_p(p: float) -> str:
    """A p-value as a reader sees it: two significant digits, ``< 0.001`` below that, never ``0.0``.

    The one p-value format of the pack: :func:`presentable` and :func:`table` use it for
    p-value columns, :func:`p_phrase` inside sentences.

    Parameters
    ----------
    p : float or None
        The p-value. Rounded to two significant digits, trailing zeros dropped (``0.05``, not
        ``0.050``); below 0.001 it is written ``< 0.001``.

    Returns
    -------
    str
        The formatted p-value; ``""`` for None, NaN or an infinite value.

    See Also
    --------
    p_phrase : the same format inside a sentence (``p = 0.034``).

    Examples
    --------
    >>> [format_p(x) for x in (0.0341, 0.49166, 0.00012, 1.0, 0.05, 0.00999)]
    ['0.034', '0.49', '< 0.001', '1', '0.05', '0.01']
    >>> format_p(float("nan")), format_p(None)
    ('', '')
    """
    if p is None or not np.isfinite(p):
        return ""
    return i18n.p_value(p)  # the same rule, in the report language's decimal mark


def p_phrase(p: float) -> str:
    """A p-value inside a sentence, in the one format: ``p = 0.034``, ``p < 0.001``.

    >>> p_phrase(0.0341), p_phrase(2e-7), p_phrase(float("nan"))
    ('p = 0.034', 'p < 0.001', 'p = n/a')
    """
    text = format_p(p)
    if not text:
        return tr("p = n/a")
    return tr("p {p}", p=text) if text.startswith("<") else tr("p = {p}", p=text)


def _number(value: float, digits: int, kind: str = "plain") -> str:
    """One number in one of :func:`presentable`'s formats, in the report language's format
    (:mod:`cxkit.i18n`); ``-0.0`` is shown as ``0.0``."""
    if kind == "pp":
        return i18n.points(value, digits)
    if kind == "percent":
        text = i18n.decimal(100 * value, digits)
        if not any(ch in "123456789" for ch in text):
            text = "0"
        elif abs(value - 1) < 1e-12:
            text = "100"
        return text + ("%" if i18n.get_language() == "en" else "\u00a0%")
    return i18n.decimal(value, digits, sign=kind == "signed")


def _format_cell(value: object, digits: int, kind: str = "plain") -> str:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return tr("yes") if value else tr("no")
    if isinstance(value, (int, np.integer, float, np.floating)):
        value = float(value) if isinstance(value, (float, np.floating)) or kind != "plain" else int(value)
        if isinstance(value, int):
            return f"{value:,}" if i18n.get_language() == "en" else i18n.integer(value)
        if kind == "p":
            return format_p(value)
        if not np.isfinite(value):
            return "∞" if value > 0 else "−∞"
        return _number(value, digits, kind)
    if isinstance(value, pd.Timestamp):
        return i18n.date(value) if value == value.normalize() else i18n.date(value) + value.strftime(" %H:%M")
    text = str(value)
    if len(text) <= 40 and _MISSING_WORD.search(text):  # a formatted number built from a missing value
        warnings.warn(
            f"a table cell {text!r} was shown blank: it shows a missing value", PresentationWarning, stacklevel=2
        )
        return ""
    return text


def _pretty_term(value: object) -> object:
    """A model term as a reader says it: ``segment[T.SMB]`` -> ``segment: SMB``."""
    if not isinstance(value, str):
        return value
    if value == "Intercept":
        return tr("baseline (intercept)")
    match = _TERM.match(value)
    if not match:
        return value
    name = match.group(1) or match.group(2)
    if name in COLUMN_WORDS and i18n.get_language() != "en":  # a canonical covariate, in words
        name = translate(COLUMN_WORDS[name])
    return f"{name}: {match.group(3)}"


def _layout(columns: Sequence[_Column], ci_level: float | None) -> list[tuple[_Column, str | None]]:
    """Output columns as (source column, its upper CI column or None), CI pairs joined."""
    out: list[tuple[_Column, str | None]] = []
    taken: set[Hashable] = set()
    for column in columns:
        if column in taken:
            continue
        name = str(column)
        high = name[: -len("ci_low")] + "ci_high" if name.endswith("ci_low") else None
        if ci_level is not None and high in columns:
            taken.add(high)
            out.append((column, high))
        else:
            out.append((column, None))
    return out


def presentable(
    df: pd.DataFrame,
    *,
    digits: int | dict[str, int] = 1,
    percent: list[str] | tuple[str, ...] | set[str] = (),
    pp: list[str] | tuple[str, ...] | set[str] = (),
    signed: list[str] | tuple[str, ...] | set[str] = (),
    ci_level: float | None = 0.95,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """A result table as text, the way a report shows it (the numbers themselves are not changed).

    One format per kind of number, so every page reads the same (the rules are listed in the
    Notes below).

    Parameters
    ----------
    df : DataFrame
        Any result table; it is not modified.
    digits : int or dict, default 1
        Decimals of the numbers that have no fixed format: one int for every column, or a
        mapping column -> decimals (columns it does not name get 1 decimal). A column named in
        the mapping keeps its decimals even when it is a ``percent``/``pp`` column or a kind in
        :data:`FIXED_DIGITS`.
    percent : list of str, default ()
        Columns holding shares in 0..1, shown as percentages (``26.5%``).
    pp : list of str, default ()
        Columns holding differences of shares, shown in percentage points with a sign
        (``+0.7 pp``).
    signed : list of str, default ()
        Columns holding signed changes, shown with a sign (``+6.6``).
    ci_level : float or None, default 0.95
        Confidence level named in the header of the joined interval column (``95% CI``); None
        keeps ``ci_low`` and ``ci_high`` as two columns.
    labels : dict, optional
        Header overrides, column -> header; they win over :data:`COLUMN_LABELS`. For a joined
        interval, the key is its ``ci_low`` column.

    Returns
    -------
    DataFrame
        The same rows and index, every cell a string (``""`` for a missing value), the
        columns renamed to their headers and each ``ci_low``/``ci_high`` pair joined into one
        column. :func:`table` escapes and shows it.

    Notes
    -----
    The formats:

    - p-values (columns named ``p``, ``p_adjusted``, ``*_p``, ``*_p_adjusted``): two significant
      digits, ``< 0.001`` below that (never ``0.0``);
    - ``percent`` columns (shares in 0..1): ``26.5%`` (``0%`` and ``100%`` when exact);
    - ``pp`` columns (differences of shares): ``+0.7 pp``; both with one decimal unless a
      ``digits`` mapping names the column; ``signed`` columns: ``+6.6``;
    - other numbers: ``digits`` decimals (an int, or a mapping column -> decimals) with
      thousands separators, except the kinds in :data:`FIXED_DIGITS` (odds and hazard ratios
      always two decimals); integers as integers; ``-0.0`` never appears;
    - ``ci_low`` / ``ci_high`` (and ``X_ci_low`` / ``X_ci_high``) become one column ``95% CI``
      (``X 95% CI``) reading ``24.1% to 28.3%``, in the format of the estimate in the column
      before them unless the limits are given a format of their own;
    - model terms (column ``term``) in words (``segment: SMB``), jargon in ``effect`` and
      ``stat`` columns explained, headers in business language (:data:`COLUMN_LABELS`,
      overridden by ``labels``; names from the data are kept as they are);
    - booleans as ``yes``/``no``; timestamps as ``YYYY-MM-DD`` (with ``HH:MM`` when not
      midnight); infinite values as ``∞``/``−∞``.

    Examples
    --------
    >>> df = pd.DataFrame({"driver": ["price"], "share": [0.26503], "ci_low": [0.24072], "ci_high": [0.28347],
    ...                    "change": [-0.0001], "p_adjusted": [0.0341]})
    >>> presentable(df, percent=["share"], pp=["change"]).iloc[0].to_dict()
    {'driver': 'price', 'share': '26.5%', '95% CI': '24.1% to 28.3%', 'change': '0.0 pp', 'p (adjusted)': '0.034'}
    """
    percent, pp, signed, labels = set(percent), set(pp), set(signed), dict(labels or {})
    explicit = digits if isinstance(digits, dict) else {}
    columns = list(df.columns)

    def kind_of(column: Hashable) -> str:
        if column in percent:
            return "percent"
        if column in pp:
            return "pp"
        if column in signed:
            return "signed"
        return "p" if isinstance(column, str) and _P_COLUMN.search(column) else "plain"

    def places_of(column: Hashable, kind: str) -> int:
        if column in explicit:
            return explicit[column]
        if kind in ("percent", "pp"):
            return 1  # shares read as 26.5% and changes of shares as +0.7 pp on every page
        if column in FIXED_DIGITS:
            return FIXED_DIGITS[column]
        return 1 if isinstance(digits, dict) else digits

    def cells(column: Hashable, like: Hashable | None = None) -> list[str]:
        """``like``: the estimate a CI limit belongs to, whose format it takes unless it has its own."""
        values = df[column]
        if column == "term":
            values = values.map(_pretty_term)
        elif column in VALUE_LABELS:
            words = VALUE_LABELS[column]
            values = values.map(lambda v: translate(words[v]) if isinstance(v, str) and v in words else v)
        own = column in percent or column in pp or column in signed or column in explicit
        source = like if (like is not None and not own) else column
        kind = kind_of(source)
        if kind == "signed" and source != column:
            kind = "plain"  # a limit of a change is not itself a change: no "+" before it
        return [_format_cell(v, places_of(source, kind), kind) for v in values]

    out: dict[str, list[str]] = {}
    for column, high in _layout(columns, ci_level):
        if high is None:
            header = labels.get(column) or _label(column)
            values = cells(column)
        else:
            stem = str(column)[: -len("ci_low")].rstrip("_")
            position = columns.index(column)
            estimate = columns[position - 1] if position > 0 else None
            level = i18n.percent(cast(float, ci_level), 0)  # pairs are joined only with a level
            header = labels.get(column) or (
                tr("{column} {level} CI", column=_label(stem), level=level) if stem else tr("{level} CI", level=level)
            )
            values = [
                tr("{low} to {high}", low=lo, high=hi) if lo and hi else ""
                for lo, hi in zip(cells(column, like=estimate), cells(high, like=estimate))
            ]
        while header in out:
            header += " "
        out[header] = values
    return pd.DataFrame(out, index=df.index, dtype=object)


def table(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    digits: int | dict[str, int] = 1,
    max_rows: int = 50,
    max_chars: int = 300,
    index: bool = False,
    percent: list[str] | tuple[str, ...] | set[str] = (),
    pp: list[str] | tuple[str, ...] | set[str] = (),
    signed: list[str] | tuple[str, ...] | set[str] = (),
    ci_level: float | None = 0.95,
    labels: Mapping[str, str] | None = None,
) -> SafeHTML:
    """Render a DataFrame as an escaped HTML table for notebooks and reports.

    Numbers are formatted for reading by :func:`presentable` (the DataFrame itself is not
    changed): one format per kind of number, confidence limits joined into one column, headers
    in business language. Wide tables scroll sideways on screen and wrap when printed.

    Parameters
    ----------
    df : DataFrame
        Any table; cell text and column names are treated as untrusted.
    caption : str, optional
        Shown above the table (escaped too); also the name screen readers announce for the
        scrolling region.
    digits : int or dict, default 1
        Decimals shown for floats (display only); a mapping sets them per column (see
        :func:`presentable`).
    max_rows : int, default 50
        Rows shown (the first ones); the caption says how many more were left out.
    max_chars : int, default 300
        Longer cell texts and headers are truncated with an ellipsis.
    index : bool, default False
        Show the index as the first column(s).
    percent, pp, signed : list of str, default ()
        Columns holding shares in 0..1 (shown as ``26.5%``), differences of shares (``+0.7 pp``)
        and signed changes (``+6.6``).
    ci_level : float or None, default 0.95
        The level named in the joined interval column's header (``95% CI``); None keeps
        ``ci_low`` and ``ci_high`` apart.
    labels : dict, optional
        Header overrides, column -> label.

    Returns
    -------
    SafeHTML
        Displays as the table in a notebook and in the report (its HTML is built from escaped
        parts only, so the report keeps it as markup); a table without rows, or whose cells are
        all blank, gives an :class:`Unavailable` sentence instead. ``.html`` is the markup: a
        ``<div class="cx-table-wrap">`` that scrolls sideways, holding ``<table class="cx-table">``
        with the caption, one header row and numeric cells of class ``num``; ``repr()`` and
        ``.text`` give the formatted table as plain text.

    See Also
    --------
    presentable : the formatted cells as a DataFrame of strings.

    Examples
    --------
    >>> t = table(pd.DataFrame({"segment": ["SMB", "Consumer"], "share": [0.265, 0.31]}),
    ...           caption="Share by segment", percent=["share"])
    >>> print(t)
     segment share
         SMB 26.5%
    Consumer 31.0%
    >>> "<caption>Share by segment</caption>" in t.html
    True
    """
    shown = df.reset_index() if index else df
    omitted = max(len(shown) - max_rows, 0)
    shown = shown.head(max_rows)
    text = presentable(shown, digits=digits, percent=percent, pp=pp, signed=signed, ci_level=ci_level, labels=labels)
    # Masked before the text form below shortens cells to 60 characters (the HTML cells are masked again).
    text = text.map(mask_pii).rename(columns=mask_pii)
    if text.empty or not text.astype(str).map(lambda cell: cell.strip() not in ("", "–", "-")).to_numpy().any():
        if caption:
            return Unavailable(tr("there is nothing to list in “{caption}” from the data at hand.", caption=caption))
        return Unavailable(tr("there is nothing to list in the table from the data at hand."))
    numeric = [
        pd.api.types.is_numeric_dtype(shown[column]) and not pd.api.types.is_bool_dtype(shown[column])
        for column, _ in _layout(list(shown.columns), ci_level)
    ]
    head = "".join(f'<th scope="col">{safe_text(c, max_chars=max_chars)}</th>' for c in text.columns)
    body = []
    for row in text.itertuples(index=False):
        cells = [
            ('<td class="num">' if num else "<td>") + f"{safe_text(value, max_chars=max_chars)}</td>"
            for value, num in zip(row, numeric)
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = (
        ntr(" ({n} more row not shown)", " ({n} more rows not shown)", omitted, n=_format_cell(omitted, 0))
        if omitted
        else ""
    )
    cap = f"<caption>{safe_text(caption or '')}{escape(note)}</caption>" if (caption or note) else ""
    # A region that scrolls must be reachable by keyboard (tabindex) and named for screen readers.
    name = safe_text(caption or tr("table"), max_chars=120)
    html = (
        f'<div class="cx-table-wrap" tabindex="0" role="region" aria-label="{name}">'
        f'<table class="cx-table">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )
    return SafeHTML(html, text=text.to_string(index=False, max_colwidth=60))


def _presentable_sentence(item: str) -> bool:
    why = broken_text(str(item))
    if why:
        warnings.warn(
            f"a finding was left out because it {why}: {str(mask_pii(str(item)))[:200]!r}",
            PresentationWarning,
            stacklevel=3,
        )
    return why is None


def findings(items: list[str] | str, *, title: str | None = None) -> SafeHTML:
    """Plain-language findings as an escaped bullet list (never Markdown).

    Parameters
    ----------
    items : list of str, or str
        The findings, one bullet each (one string is one bullet). Each is shown as text:
        emails and phone numbers masked, HTML escaped, Markdown not interpreted.
    title : str, optional
        A heading shown above the list (``<h3>``, escaped too).

    Returns
    -------
    SafeHTML
        ``.html`` is the heading (when given) and ``<ul class="cx-findings">``; displays as the
        list in a notebook and in the report; ``repr()`` gives one ``- item`` line per finding
        (as given: the masking applies to the HTML).

    Examples
    --------
    >>> findings(["NPS fell 12 points (p < 0.001)", "*not bold*"]).html
    '<ul class="cx-findings"><li>NPS fell 12 points (p &lt; 0.001)</li><li>*not bold*</li></ul>'
    >>> findings("Call +47 912 34 567 for details", title="Caveat").html
    '<h3>Caveat</h3><ul class="cx-findings"><li>Call [phone] for details</li></ul>'
    """
    if isinstance(items, str):
        items = [items]
    items = [item for item in items if _presentable_sentence(item)]
    lis = "".join(f"<li>{safe_text(item)}</li>" for item in items)
    head = f"<h3>{safe_text(title)}</h3>" if title else ""
    return SafeHTML(f'{head}<ul class="cx-findings">{lis}</ul>', text="\n".join(f"- {i}" for i in items))


def figure(fig: Figure, *, alt: str, dpi: int = 100) -> Image | Unavailable:
    """Show a matplotlib figure as a PNG with ``alt`` text, and close it.

    The figure is saved as a PNG (``bbox_inches="tight"``, without the software stamp, so the
    same figure gives the same bytes) and closed, so it is not shown a second time by the
    notebook's inline backend and does not pile up in memory.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, e.g. ``cx.plot_funnel(...).figure`` (every ``cx.plot_*`` returns its Axes).
    alt : str
        Alt text, keyword-only and required. It should state the figure's finding ("NPS fell
        from 34 to 22 in August"), not its type; emails and phone numbers in it are masked.
        The report puts it in the image's ``alt`` attribute.
    dpi : int, default 100
        Resolution of the PNG.

    Returns
    -------
    IPython.display.Image or Unavailable
        The PNG, with ``metadata={"alt": alt}``; displayed when it is a cell's last value. A
        figure whose axes hold no data gives an :class:`Unavailable` sentence instead.

    Raises
    ------
    ValueError
        ``alt`` is empty or only white space.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.bar(["SMB", "Consumer"], [21, 34])
    >>> image = figure(fig, alt="Consumer NPS (34) is higher than SMB NPS (21)")
    >>> image.metadata, image.data[:4] == b"\\x89PNG", plt.fignum_exists(fig.number)
    ({'alt': 'Consumer NPS (34) is higher than SMB NPS (21)'}, True, False)
    """
    from IPython.display import Image

    if not alt or not alt.strip():
        raise ValueError("figure needs alt text that states its finding, e.g. alt='Support is the largest driver'.")
    if fig.axes and not any(ax.has_data() for ax in fig.axes):
        import matplotlib.pyplot as plt

        plt.close(fig)
        return Unavailable(tr("there is nothing to draw from the data at hand."))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return Image(data=buffer.getvalue(), format="png", metadata={"alt": mask_pii(alt)})
