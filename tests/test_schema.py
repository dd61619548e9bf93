"""Canonical tables and journey-stage normalisation."""

from __future__ import annotations

import pandas as pd
import pytest

from cxkit.data.schema import STAGE_DTYPE, STAGES, TABLES, clean_category, normalize_stage


def test_tables_follow_the_design():
    assert list(TABLES) == ["feedback", "reviews", "customers", "journey"]
    for table in TABLES.values():
        assert table.id_column is None or table.column(table.id_column).unique
    assert TABLES["feedback"].column("nps").low == 0 and TABLES["feedback"].column("nps").high == 10
    assert TABLES["feedback"].column("ces").high == 7 and TABLES["reviews"].column("rating").high == 5


@pytest.mark.parametrize(
    "label, stage",
    [
        ("Awareness", "awareness"),
        ("Medvetenhet", "awareness"),
        ("Kendskab", "awareness"),
        ("Bevissthet", "awareness"),
        ("Övervägande", "consideration"),
        ("overvagande", "consideration"),
        ("Overvejelse", "consideration"),
        ("Vurdering", "consideration"),
        ("Beslut", "decision"),
        ("Kjøp", "decision"),
        ("Køb", "decision"),
        ("Purchase", "decision"),
        ("Kvarhållande", "retention"),
        ("Fastholdelse", "retention"),
        ("Lojalitet", "retention"),
        ("Förespråkande", "advocacy"),
        ("Anbefaling", "advocacy"),
        ("Advocacy", "advocacy"),
        ("  RETENTION\u200b ", "retention"),
        ("3. Decision", "decision"),
        ("5", "advocacy"),
    ],
)
def test_stage_synonyms_in_four_languages(label, stage):
    assert normalize_stage(label) == stage


def test_unknown_and_empty_stages():
    assert normalize_stage("Checkout") is None
    assert normalize_stage("") is pd.NA and normalize_stage(None) is pd.NA


def test_stage_dtype_is_ordered():
    s = pd.Series(pd.Categorical(["decision", "awareness"], dtype=STAGE_DTYPE))
    assert s.sort_values().tolist() == ["awareness", "decision"] and list(STAGE_DTYPE.categories) == list(STAGES)


def test_clean_category_normalises_unicode_and_space():
    assert clean_category("Cafe\u0301\u00a0\u00a0Bar\u200d") == "Café Bar"
    assert clean_category("\ufeffWeb") == "Web"
