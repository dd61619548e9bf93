"""Extra (non-canonical) columns: typed from their text, quickly and without mistaking a phone
number for a number (issue 31: customers with phone and decimal columns took 34 s for 500k rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import cxkit as cx
from cxkit.data import _columns
from cxkit.data.readers import _parse_numbers


@pytest.mark.parametrize("decimal", [".", ","])
def test_plain_decimals_read_as_pandas_reads_them(decimal):
    rng = np.random.default_rng(7)
    values = [f"{v:.{d}f}" for v, d in zip(rng.uniform(-1e6, 1e6, 3000), rng.integers(1, 12, 3000), strict=True)]
    values += [repr(float(v)) for v in rng.standard_normal(2000)] + ["7", "1e5", "-", "1.2.3", "", "0.5", "-0.0"]
    written = [v.replace(".", decimal) for v in values]
    rows, numbers = _columns.plain_decimals(pa.array(written, pa.large_string()), decimal)
    reference = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy()
    # Rows it takes are exactly the plain decimals, and their values are pandas' to the bit.
    plain = np.array([v.lstrip("-").replace(".", "", 1).isdigit() and "." in v for v in values])
    assert (rows == plain).all()
    assert np.array_equal(numbers[rows], reference[rows])
    assert np.isnan(numbers[~rows]).all()


def test_spaces_only_as_thousands_separators():
    text = pd.Series(["1 234,5", "+46 70 689 47 25", "12 34", "1\u00a0234", "−3,5", "+45 12 34 56 78"], dtype=object)
    out = _parse_numbers(text, ",").tolist()
    assert out[0] == 1234.5 and out[3] == 1234.0 and out[4] == -3.5
    assert all(np.isnan(v) for v in (out[1], out[2], out[5]))


def test_phone_numbers_stay_text_and_decimals_are_numbers(tmp_path):
    rng = np.random.default_rng(3)
    n = 300
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "churned": rng.choice(["true", "false"], n),
            "tenure_months": [f"{v:.2f}" for v in rng.uniform(0, 200, n)],
            "phone": [
                f"+46 70 {rng.integers(100, 999)} {rng.integers(10, 99)} {rng.integers(10, 99)}" for _ in range(n)
            ],
        }
    )
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    loaded = cx.load_customers(path)
    assert loaded.report.read == loaded.report.accepted == n
    out = loaded.frame
    assert pd.api.types.is_float_dtype(out["tenure_months"])
    assert np.array_equal(out["tenure_months"].to_numpy(dtype=float), frame["tenure_months"].astype(float).to_numpy())
    assert not pd.api.types.is_numeric_dtype(out["phone"])
