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

from typing import TYPE_CHECKING

import pandas as pd

from ..data.catalog import rejection_reasons
from ..display import SafeHTML, findings, table
from ..i18n import N_, integer, ntr, percent, tr
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
        return table(
            self.summary[["source", "table", "read", "accepted", "rejected", "excluded", "usable"]],
            caption=tr("Rows per source"),
        )

    @section("reasons")
    def _reasons(self) -> SafeHTML:
        """Why rows were rejected."""
        if self.reasons.empty:  # good news, not a section the data cannot give
            return findings([tr("No row was rejected: every row read from every source was accepted.")])
        return table(self.reasons, caption=tr("Rejection reasons"), percent=["share"], digits=2)


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
