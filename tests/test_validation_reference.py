"""The readers' vectorised validation agrees with pandera, its reference (issue 31, Deliver 2).

cxkit validated parsed columns with a pandera schema until issue 31; on 200k responses that took
3.5 s of a 4 s read (pandera builds a failure-case frame cell by cell), so the readers now check
whole columns with numpy (``readers._validate``). pandera stays the reference: the schema below is
the one cxkit used, and on generated frames (missing ids, duplicates, out-of-range scores and
drivers, rows already rejected while parsing) both must reject the same rows for the same reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit.data import readers
from cxkit.data.schema import TABLES

DRIVERS = {"support": "support", "price": "price"}
RANGE = (1.0, 10.0)


def _pandera_reasons(frame, spec, driver_map, driver_range, bad):
    """The rejection reasons of the pandera schema cxkit used before issue 31 (first reason per row)."""
    cols = {}
    for col in spec.columns:
        if col.name not in frame.columns:
            continue
        checks = []
        if col.kind in ("score", "number") and (col.low is not None or col.high is not None):
            if col.low is not None and col.high is not None:
                checks.append(pa.Check.in_range(col.low, col.high, error=f"outside {col.low:g}–{col.high:g}"))
            else:
                checks.append(pa.Check.ge(col.low, error=f"below {col.low:g}"))
        cols[col.name] = pa.Column(
            nullable=not col.nonnull,
            checks=checks,
            unique=col.unique,
            report_duplicates="exclude_first",
            coerce=False,
            required=False,
        )
    for driver in driver_map:
        cols[driver] = pa.Column(
            nullable=True,
            checks=[pa.Check.in_range(*driver_range, error=f"outside {driver_range[0]:g}–{driver_range[1]:g}")],
        )
    reasons = np.full(len(frame), None, dtype=object)
    reasons[bad] = "parse"
    candidates = frame.loc[~bad]
    try:
        pa.DataFrameSchema(cols, strict=False).validate(candidates, lazy=True)
        return reasons
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases
    positions = {idx: pos for pos, idx in enumerate(frame.index)}
    # pandera reports by column, in schema order; a row keeps the first reason it gets.
    for row in failures.itertuples(index=False):
        if row.index is None or pd.isna(row.index):
            continue
        check, column, value = str(row.check), row.column, row.failure_case
        if check == "not_nullable":
            reason = f"{column}: missing (required)"
        elif check == "field_uniqueness":
            reason = f"{column}: duplicate '{value}' (the first occurrence is kept)"
        else:
            value = f"{value:g}" if isinstance(value, float) else value
            reason = f"{column}: {value} {check}"
        pos = positions[row.index]
        if reasons[pos] is None:
            reasons[pos] = reason
    return reasons


ids = st.one_of(st.none(), st.sampled_from(["R1", "R2", "R3", "R4", "R5", "R6"]))
nps = st.one_of(st.none(), st.integers(-2, 12))
driver = st.one_of(st.none(), st.floats(-1, 12, allow_nan=False).map(lambda v: round(v, 1)))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.lists(st.tuples(ids, nps, nps, driver, driver, st.booleans()), min_size=1, max_size=25),
    st.booleans(),
)
def test_vectorised_validation_rejects_what_pandera_rejects(rows, sorted_ids):
    spec = TABLES["feedback"]
    if sorted_ids:  # ids in order take the neighbour comparison path
        rows = sorted(rows, key=lambda r: (r[0] is None, r[0] or ""))
    frame = pd.DataFrame(
        {
            "response_id": pd.array([r[0] for r in rows], dtype="string[pyarrow]"),
            "nps": pd.array([r[1] for r in rows], dtype="Int64"),
            "ces": pd.array([r[2] for r in rows], dtype="Int64"),
            "support": pd.array([r[3] for r in rows], dtype="Float64"),
            "price": pd.array([r[4] for r in rows], dtype="Float64"),
        }
    )
    bad = np.array([r[5] and i % 3 == 0 for i, r in enumerate(rows)], dtype=bool)
    problems = readers._Problems(len(frame))
    problems.add(bad, "parse")
    readers._validate(frame, spec, DRIVERS, RANGE, problems)
    expected = _pandera_reasons(frame, spec, DRIVERS, RANGE, bad)
    assert list(problems.reason) == list(expected)
