"""The page protocol's stand-alone sections (issue 23, Deliver 1): a section the data cannot
give shows one sentence and is recorded; the page's other sections build; programming errors
still fail."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cxkit.display import Unavailable, table
from cxkit.errors import NotEnoughDataError, SchemaError
from cxkit.pack.page import ReportPage, section


class _Page(ReportPage):
    title = "Test page"

    def __init__(self):
        self.month = "2026-10"
        self.findings = []
        self.alt = {}
        self.unavailable["drivers"] = "only 1 usable response in 2026-10; key drivers need at least 10."

    def results(self):
        return {"answer": 42}

    @section("ok_table")
    def _ok(self):
        return table(pd.DataFrame({"n": [1]}))

    @section("drivers_table")
    def _drivers(self):
        return table(self.need(None, "drivers"))

    @section("missing_column")
    def _missing(self):
        raise SchemaError("no 'csat' column; map one with columns: {csat: ...} in the catalog.")

    @section("empty_table")
    def _empty(self):
        return table(pd.DataFrame({"month": []}), caption="Monthly churn rate")

    @section("bug")
    def _bug(self):
        return {}["no such key"]


def test_a_section_the_data_cannot_give_is_one_sentence_and_is_recorded(tmp_path):
    page = _Page()
    assert "<table" in page.show("ok_table").html
    shown = page.show("drivers_table")
    assert isinstance(shown, Unavailable)
    assert shown.text == "Not shown: only 1 usable response in 2026-10; key drivers need at least 10."
    assert isinstance(page.show("missing_column"), Unavailable)
    assert isinstance(page.show("empty_table"), Unavailable)
    assert list(page.skipped) == ["drivers_table", "missing_column", "empty_table"]
    page.save_results(tmp_path / "part.json")
    part = json.loads((tmp_path / "part.json").read_text())
    assert part["answer"] == 42
    assert [s["section"] for s in part["skipped_sections"]] == ["drivers_table", "missing_column", "empty_table"]
    assert "csat" in part["skipped_sections"][1]["reason"]


def test_a_programming_error_in_a_section_still_fails():
    with pytest.raises(KeyError):
        _Page().show("bug")


def test_need_gives_the_value_when_it_was_computed():
    page = _Page()
    assert page.need(5, "other") == 5
    with pytest.raises(NotEnoughDataError, match="other thing cannot be computed"):
        page.need(None, "other_thing")


def test_a_reason_is_said_in_full_once_and_referred_to_after():
    class Twice(_Page):
        @section("drivers_figure")
        def _figure(self):
            return table(self.need(None, "drivers"))

    page = Twice()
    first = page.show("drivers_table")
    again = page.show("drivers_figure")
    assert "only 1 usable response" in first.text
    assert again.text == "Not shown: for the same reason as the section above that names it."
    assert page.skipped["drivers_figure"] == page.skipped["drivers_table"]  # results.json keeps the reason
