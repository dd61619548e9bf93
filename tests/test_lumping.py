"""A category with many levels is lumped before any model or grouped table (issue 23 Deliver 6;
cxkit/analysis/_groups.py ``lump_levels``, applied in churn.py, survival.py and stages.py).

The data: the bundled sample's customers with a 100-level ``territory`` (zipf-distributed
region names, as free text used as a category in real exports). Every expected count comes
from a brute-force count of that column in the test. The cost is bounded by the number of
model parameters and groups (asserted), not by timing.
"""

from __future__ import annotations

import re
import warnings
from math import comb

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.analysis import _groups, churn
from cxkit.analysis._groups import LUMP_MAX_LEVELS, LUMP_MIN_COUNT, OTHER, lump_levels, rare_levels

TERRITORIES = [f"region {i:03d}" for i in range(100)]


def _zipf(n: int, seed: int) -> np.ndarray:
    weights = 1 / np.arange(1, 101) ** 1.1
    return np.random.default_rng(seed).choice(TERRITORIES, size=n, p=weights / weights.sum())


@pytest.fixture(scope="module")
def customers():
    frame = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    territory = pd.Series(_zipf(len(frame), 0), index=frame.index, dtype=object)
    territory[::97] = None  # missing values stay missing, and are no level
    return frame.assign(territory=territory)


@pytest.fixture(scope="module")
def joined(customers):
    feedback = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    return cx.join_cx(customers, feedback)


@pytest.fixture(scope="module")
def feedback():
    frame = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv").frame
    return frame.assign(territory=_zipf(len(frame), 1))


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def _kept(table_levels) -> set:
    return {level for level in table_levels if level != OTHER}


def _adds_up(original: pd.Series, table: pd.DataFrame, column: str, count: str) -> None:
    """Brute force: each kept level has its original count, "other" the rest; no row is lost."""
    counts = original.value_counts()
    got = table.set_index(column)[count]
    for level in _kept(got.index):
        assert got[level] == counts[level], level
    assert got[OTHER] == counts.drop(list(_kept(got.index))).sum()
    assert got.sum() == original.notna().sum()


def _note_count(note: str, column: str) -> int:
    match = re.match(rf"{column}: (?:its )?([\d,]+) levels", note)
    assert match, note
    return int(match.group(1).replace(",", ""))


# --------------------------------------------------------------------------- the helper


def test_lump_levels_keeps_at_most_max_levels_and_counts_add_up():
    rng = np.random.default_rng(3)
    values = pd.Series(rng.choice(TERRITORIES, size=5000, p=np.full(100, 0.01)), dtype=object)
    values[rng.random(5000) < 0.05] = None
    lumped, note = lump_levels(values, name="territory", unit="customers")
    assert lumped.nunique() <= LUMP_MAX_LEVELS
    assert lumped.isna().equals(values.isna())  # missing untouched, no row dropped
    before, after = values.value_counts(), lumped.value_counts()
    kept = _kept(after.index)
    assert all(after[level] == before[level] and before[level] >= LUMP_MIN_COUNT for level in kept)
    assert after[OTHER] == before.drop(list(kept)).sum()
    assert after.sum() == before.sum()
    # the kept levels are the most common (none combined level outnumbers a kept one)
    assert before.drop(list(kept)).max() <= before[list(kept)].min()
    assert _note_count(note, "territory") == 100 - len(kept)


def test_lump_levels_note_names_column_count_and_rows():
    # 11 levels of 50, 63 levels of 2 to 4: the 63 rare ones go, as the note says
    big = [f"big {i:02d}" for i in range(11) for _ in range(50)]
    small = [f"small {i:02d}" for i in range(63) for _ in range(2 + i % 3)]
    lumped, note = lump_levels(pd.Series(big + small, name="segment"), unit="customers")
    rows = sum(2 + i % 3 for i in range(63))
    assert (
        note == f"segment: 63 levels with fewer than 30 customers each were combined into 'other' ({rows} customers)."
    )
    assert lumped.value_counts()[OTHER] == rows


def test_lump_levels_is_deterministic_ties_broken_by_name():
    # 20 levels of 40 rows each: all tie, so the 11 alphabetically first stay, whatever the row order
    values = pd.Series([f"level {i:02d}" for i in range(20) for _ in range(40)])
    expected = {f"level {i:02d}" for i in range(11)}
    for seed in range(3):
        shuffled = values.sample(frac=1, random_state=seed).reset_index(drop=True)
        lumped, _ = lump_levels(shuffled)
        assert _kept(lumped.unique()) == expected


def test_lump_levels_merges_into_an_existing_other_and_keeps_requested_levels():
    values = pd.Series(["a"] * 100 + [OTHER] * 5 + [f"x{i:02d}" for i in range(30) for _ in range(3)])
    lumped, note = lump_levels(values, keep=["x29"], name="plan")
    assert set(lumped.unique()) == {"a", OTHER, "x29"}  # x29 was asked for, though as rare as the rest
    assert lumped.value_counts()[OTHER] == 5 + 29 * 3
    assert note == "plan: 29 levels with fewer than 30 rows each were combined into 'other' (87 rows)."


def test_few_levels_are_left_as_they_are_however_small():
    values = pd.Series(["a"] * 3 + ["b"] * 2 + [f"c{i}" for i in range(10)])  # 12 levels, tiny ones
    lumped, note = lump_levels(values)
    assert lumped is values and note is None
    assert rare_levels(values) == []


def test_lump_levels_categorical_keeps_its_order_with_other_last():
    order = [f"t{i:02d}" for i in range(20)]
    values = pd.Series(pd.Categorical([f"t{i:02d}" for i in range(20) for _ in range(40 - i)], categories=order))
    lumped, _ = lump_levels(values)
    assert list(lumped.cat.categories) == order[:11] + [OTHER]


# --------------------------------------------------------------------------- models


def test_churn_model_lumps_a_free_text_covariate(customers):
    with pytest.warns(cx.DataWarning, match=r"territory: its \d+ levels"):
        model = _quiet_except_data(cx.churn_model, customers, covariates=["tenure_months", "territory"], cv=0)
    levels = customers["territory"].dropna().nunique()
    # cost bound: intercept, tenure and at most LUMP_MAX_LEVELS - 1 territory dummies
    assert len(model.summary) <= 2 + LUMP_MAX_LEVELS - 1
    assert len(model.lumped["territory"]) == levels - LUMP_MAX_LEVELS + 1
    assert _note_count(model.notes[0], "territory") == len(model.lumped["territory"])
    # every customer with a territory is in the model (only the missing ones are left out)
    assert model.n == customers["territory"].notna().sum()
    assert model.references["territory"] == customers["territory"].value_counts().index[0]
    # new data is combined the same way: customers of a rare territory get a prediction
    rare = customers[customers["territory"].isin(model.lumped["territory"])]
    assert model.predict(rare).notna().all()
    assert f"{len(model.lumped['territory'])} rare levels of territory" in model._repr_html_()


def _quiet_except_data(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cx.ChurnWarning)
        return func(*args, **kwargs)


def test_churn_model_formula_keeps_the_levels_it_names(customers):
    rare = customers["territory"].value_counts().index[-1]  # a level with a handful of customers
    formula = f"churned ~ tenure_months + C(territory, Treatment('{rare}'))"
    model = _quiet(cx.churn_model, customers, formula, cv=0)
    assert rare not in model.lumped["territory"]
    assert len(model.summary) <= 2 + LUMP_MAX_LEVELS - 1


def test_lump_false_fits_every_level(customers):
    # 15 territories (lumping would keep 12): lump=False fits all 15
    few = customers.assign(territory=customers["territory"].where(customers["territory"].isin(TERRITORIES[:15])))
    model = _quiet(cx.churn_model, few, covariates=["territory"], cv=0, lump=False)
    assert len(model.summary) == 1 + 14 and model.lumped == {}
    cox = _quiet(cx.cox_model, few, covariates=["territory"], lump=False)
    assert len(cox.summary) == 14 and cox.notes == []
    lumped = _quiet(cx.churn_model, few, covariates=["territory"], cv=0)
    assert len(lumped.summary) == 1 + LUMP_MAX_LEVELS - 1
    assert lumped.n == model.n  # lumping drops no customer


def test_cox_model_lumps_a_free_text_covariate(customers):
    with pytest.warns(cx.DataWarning, match="territory"):
        cox = _quiet_except_data(cx.cox_model, customers, covariates=["territory", "support_tickets"])
    assert len(cox.summary) <= 1 + LUMP_MAX_LEVELS - 1  # no intercept in a Cox model
    assert cox.n == customers["territory"].notna().sum()
    assert _note_count(cox.notes[0], "territory") == len(cox.lumped["territory"])


def test_detractor_effect_fits_both_models_on_lumped_adjustments(joined, monkeypatch):
    sizes = []
    for name in ("churn_model", "cox_model"):
        fit = getattr(churn, name)

        def spy(*args, _fit=fit, **kwargs):
            model = _fit(*args, **kwargs)
            sizes.append(len(model.summary))
            return model

        monkeypatch.setattr(churn, name, spy)
    with pytest.warns(cx.DataWarning, match="territory"):
        effect = _quiet_except_data(cx.detractor_effect, joined, adjust=["tenure_months", "territory"])
    # intercept, 2 NPS categories, tenure, at most 11 territory dummies; Cox: no intercept, no tenure
    assert sizes[0] <= 1 + 2 + 1 + LUMP_MAX_LEVELS - 1 and sizes[1] <= 2 + LUMP_MAX_LEVELS - 1
    answered = joined[joined["nps_category"].astype(str).isin(["promoter", "passive", "detractor"])]
    complete = answered[["churned", "tenure_months", "territory"]].notna().all(axis=1)
    assert effect.loc[0, "n"] == complete.sum()
    assert "territory" in effect.attrs["notes"][0]


# --------------------------------------------------------------------------- grouped tables


def test_survival_tables_by_a_free_text_column(joined):
    original = joined["territory"]
    with pytest.warns(cx.DataWarning, match="territory"):
        km = cx.kaplan_meier(joined, by="territory")
    assert km["territory"].nunique() <= LUMP_MAX_LEVELS and km["territory"].iloc[-1] == OTHER
    assert _note_count(km.attrs["notes"][0], "territory") == original.nunique() - (LUMP_MAX_LEVELS - 1)
    lr = _quiet(cx.logrank, joined, by="territory")
    assert len(lr) <= LUMP_MAX_LEVELS and lr["dof"].iloc[0] <= LUMP_MAX_LEVELS - 1
    _adds_up(original, lr, "territory", "n")
    rm = _quiet(cx.restricted_mean_survival, joined, by="territory", horizon=24)
    _adds_up(original, rm, "territory", "customers")
    assert rm.attrs["notes"] == lr.attrs["notes"] == km.attrs["notes"]
    every = _quiet(cx.logrank, joined, by="territory", lump=False)
    assert len(every) == original.nunique() and every.attrs["notes"] == []


def test_churn_tables_by_a_free_text_column(customers, joined):
    original = joined["territory"]
    by_group = _quiet(cx.churn_by_nps, joined, by="territory")
    _adds_up(original, by_group, "territory", "customers")
    assert len(_quiet(cx.churn_by_nps, joined, by="territory", lump=None)) == original.nunique()
    clv = _quiet(cx.customer_lifetime_value, joined, by="territory")
    assert len(clv) <= LUMP_MAX_LEVELS and clv["territory"].iloc[-1] == OTHER
    _adds_up(original, clv, "territory", "customers")
    model = _quiet(cx.churn_model, customers, covariates=["tenure_months", "contract"], cv=0)
    risk = _quiet(cx.revenue_at_risk, model, joined, by="territory")
    groups = risk[risk["territory"] != "all"]
    assert len(groups) <= LUMP_MAX_LEVELS + 1  # the customers without a territory are "(missing)"
    assert groups["customers"].sum() == risk["customers"].iloc[-1]
    assert "territory" in risk.attrs["notes"][0] and risk["territory"].iloc[-2] == OTHER
    # the page shows the tables under these captions
    assert risk.attrs["caption"].endswith(risk.attrs["notes"][0])
    assert clv.attrs["caption"].endswith(clv.attrs["notes"][0])


def test_stage_comparison_by_a_free_text_column(feedback):
    with pytest.warns(cx.DataWarning, match="territory"):
        result = _quiet_except_data(cx.compare_stages, feedback, score="csat", stage="territory")
    k = len(result.stages)
    # cost bound: at most 12 groups, so at most 66 pairs for each of the three methods
    assert k <= LUMP_MAX_LEVELS and len(result.pairwise) <= 3 * comb(LUMP_MAX_LEVELS, 2)
    assert result.ordinal is not None and len(result.ordinal) <= LUMP_MAX_LEVELS - 1
    scored = feedback["territory"].where(feedback["csat"].notna())
    _adds_up(scored, result.stages, "stage", "n")
    assert result.stages["stage"].iloc[-1] == OTHER
    # levels without any score are combined too
    assert _note_count(result.notes[0], "territory") == feedback["territory"].nunique() - (LUMP_MAX_LEVELS - 1)
    card = _quiet(cx.stage_scorecard, feedback, stage="territory", metrics=["csat", "ces"])
    assert card.groupby("metric")["stage"].nunique().max() <= LUMP_MAX_LEVELS
    assert card.attrs["notes"][0].startswith("territory: ")


# --------------------------------------------------------------------------- the sample is untouched


def test_the_samples_categories_are_not_lumped():
    customers = cx.load_customers(cx.SAMPLE_DIR / "customers.csv").frame
    with warnings.catch_warnings():
        warnings.simplefilter("error", cx.DataWarning)  # no lumping, so no DataWarning
        warnings.simplefilter("ignore", cx.ChurnWarning)
        model = cx.churn_model(customers, covariates=["segment", "region", "contract"], cv=0)
        lr = cx.logrank(customers, by="region")
    assert model.lumped == {} and lr.attrs["notes"] == []
    assert customers[["segment", "region", "contract"]].nunique().max() <= LUMP_MAX_LEVELS
    assert _groups.rare_levels(customers["region"]) == []
