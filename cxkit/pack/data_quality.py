"""The "Data quality" page: can this month's sources be trusted?

For each catalog source: rows read, accepted, rejected and excluded, whether it is usable, and
why rows were rejected (the first case of each reason as an example, PII masked). The page
offers them by the page protocol (:mod:`cxkit.pack.page`).

Examples
--------
>>> import cxkit as cx
>>> page = cx.DataQualityReport.from_catalog(cx.load_catalog(cx.DEFAULT_CATALOG))
>>> list(page.sections), page.findings[0].endswith("sources are usable.")
(['sources', 'reasons'], True)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from ..data.catalog import rejection_reasons
from ..display import SafeHTML, findings, table
from ..i18n import N_, get_language, integer, ntr, percent, tr, translate
from .page import ReportPage, section

if TYPE_CHECKING:
    from ..data.catalog import Catalog

__all__ = ["DataQualityReport", "data_quality_finding"]


class DataQualityReport(ReportPage):
    """The data-quality page of a catalog: its :meth:`~cxkit.Catalog.validate` summary and
    :func:`~cxkit.rejection_reasons`."""

    title = N_("Data quality")

    def __init__(self, sources: Catalog, *, month: str = ""):
        self.month = month
        self.summary = sources.validate()
        self.reasons = rejection_reasons(sources)

    @classmethod
    def from_catalog(cls, sources: Catalog, *, month: str = "") -> DataQualityReport:
        """The page of every source in the catalog."""
        return cls(sources, month=month)

    @property
    def findings(self) -> list[str]:
        return [data_quality_finding(self.summary)]

    @property
    def alt(self) -> dict[str, str]:
        return {}

    @section("sources")
    def _sources(self):
        """Rows read, accepted and rejected per source."""
        shown = self.summary[["source", "table", "read", "accepted", "rejected", "excluded", "usable"]]
        return table(shown.assign(table=shown["table"].map(table_name)), caption=tr("Rows per source"))

    @section("reasons")
    def _reasons(self) -> SafeHTML:
        """Why rows were rejected."""
        if self.reasons.empty:  # good news, not a section the data cannot give
            return findings([tr("No row was rejected: every row read from every source was accepted.")])
        reasons = self.reasons.assign(table=self.reasons["table"].map(table_name))
        if get_language() != "en":  # the readers' reasons are English (they also go to the rejected-rows files)
            reasons = reasons.assign(
                reason=reasons["reason"].map(reason_text), example=reasons["example"].map(reason_text)
            )
        return table(reasons, caption=tr("Rejection reasons"), percent=["share"], digits=2)


#: The readers' rejection reasons (cxkit.data.readers) as the page shows them in the report
#: language: a pattern of the English reason -> its message. A reason not listed stays English.
_REASONS = [
    (r"(?P<column>[\w ]+): outside (?P<range>\S+)$", N_("{column}: outside {range}")),
    (r"(?P<column>[\w ]+): (?P<value>.+?) outside (?P<range>\S+)$", N_("{column}: {value} outside {range}")),
    (r"(?P<column>[\w ]+): duplicate id$", N_("{column}: duplicate id")),
    (
        r"(?P<column>[\w ]+): duplicate (?P<value>.+) \(the first occurrence is kept\)$",
        N_("{column}: duplicate {value} (the first occurrence is kept)"),
    ),
    (r"(?P<column>[\w ]+): missing \(required\)$", N_("{column}: missing (required)")),
    (
        r"(?P<column>[\w ]+): (?P<value>.+?) is not a date \(expected e\.g\. (?P<example>[\d-]+)\)"
        r"(?:; set date_format if the source uses another form)?$",
        N_(
            "{column}: {value} is not a date (expected e.g. {example}); set date_format if the source uses another form"
        ),
    ),
    (r"(?P<column>[\w ]+): (?P<value>.+?) is not a number(?:;.*)?$", N_("{column}: {value} is not a number")),
    (r"(?P<column>[\w ]+): (?P<value>.+?) is not a whole number$", N_("{column}: {value} is not a whole number")),
    (r"(?P<column>[\w ]+): (?P<value>.+?) is not yes/no(?:;.*)?$", N_("{column}: {value} is not yes/no")),
]


#: cxkit's canonical tables (cxkit.data.schema), as the page names them: pack vocabulary, unlike
#: the catalog's source names, which are the user's.
_TABLES = {
    "feedback": N_("survey responses"),
    "reviews": N_("reviews"),
    "customers": N_("customers"),
    "journey": N_("journey events"),
}


def table_name(table: object) -> object:
    """A canonical table's name in the report language; English keeps the table's own name (the
    one a catalog's ``table:`` uses, ``feedback``).

    >>> from cxkit.i18n import language
    >>> with language("sv"):
    ...     table_name("feedback"), table_name("my_table")
    ('enkätsvar', 'my_table')
    """
    if get_language() == "en" or table not in _TABLES:
        return table
    return translate(_TABLES[str(table)])


def reason_text(reason: object) -> object:
    """A rejection reason of the readers in the report language (see :data:`_REASONS`); the
    column names and values in it are data and stay as they are.

    >>> from cxkit.i18n import language
    >>> with language("da"):
    ...     reason_text("nps: 11 outside 0–10"), reason_text("something else")
    ('nps: 11 uden for 0–10', 'something else')
    """
    if not isinstance(reason, str) or get_language() == "en":
        return reason
    for pattern, message in _REASONS:
        match = re.match(pattern, reason)
        if match:
            return translate(message, **match.groupdict())
    return reason


def data_quality_finding(summary: pd.DataFrame) -> str:
    """One sentence on a :meth:`~cxkit.Catalog.validate` summary, for reports.

    >>> data_quality_finding(pd.DataFrame({"source": ["a", "b"], "read": [100, 50], "rejected": [3, 0],
    ...                                    "excluded": [1, 0], "usable": [True, True]}))
    '3 of 150 rows (2.0%) were rejected (1 of them survey previews, tests, spam or empty rows); all 2 sources are usable.'
    """
    read = int(summary["read"].fillna(0).sum())
    rejected = int(summary["rejected"].fillna(0).sum())
    excluded = int(summary["excluded"].fillna(0).sum())
    unusable = summary.loc[~summary["usable"].astype(bool), "source"].tolist()
    share = rejected / read if read else 0.0
    share_text = percent(share, 2 if 0 < share < 0.01 else 1)
    if not read:
        text = tr("No rows were read")
    else:
        text = tr(
            "{rejected} of {read} rows ({share}) were rejected",
            rejected=integer(rejected),
            read=integer(read),
            share=share_text,
        )
    if excluded:
        text += tr(" ({excluded} of them survey previews, tests, spam or empty rows)", excluded=integer(excluded))
    if unusable:
        return text + tr("; NOT usable: {sources}.", sources=", ".join(unusable))
    return text + ntr(
        "; the {n} source is usable.", "; all {n} sources are usable.", len(summary), n=integer(len(summary))
    )
