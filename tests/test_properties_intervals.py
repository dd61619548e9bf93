"""Property tests: every public statistic of nps, drivers and funnel on awkward inputs.

Random small, tied, constant, collinear and missing-heavy data (hypothesis, derandomized so
every run tries the same examples). Each call must either refuse the input with a clear error
raised by cxkit itself (a ValueError or a cxkit error class, raised from cxkit's own code, not a
numpy/scipy/pandas exception passing through), or return values in their valid range: NPS in
-100..100, shares in 0..1 and summing to 1, R^2 in 0..1, importances >= 0, VIF >= 1, and every
interval containing its own estimate.
"""

from __future__ import annotations

import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cxkit as cx
from cxkit.errors import CxkitError

PACKAGE = Path(cx.__file__).resolve().parent
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TOL = 1e-9


def _outcome(call):
    """Run ``call``: its result, or None when cxkit refused the input with its own clear error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small-sample and overlap warnings are expected here
        try:
            return call()
        except Exception as err:
            raised_in = Path(traceback.extract_tb(err.__traceback__)[-1].filename).resolve()
            ours = isinstance(err, (ValueError, CxkitError)) and type(err).__module__.split(".")[0] in (
                "builtins",
                "cxkit",
            )
            if not ours or PACKAGE not in raised_in.parents:
                raise AssertionError(
                    f"{type(err).__module__}.{type(err).__name__} from {raised_in.name}: {err}"
                ) from err
            assert len(str(err)) > 20  # a sentence that names the problem, not a bare code
            return None


def _contains(table: pd.DataFrame, value: str, low: str = "ci_low", high: str = "ci_high") -> None:
    known = table[low].notna() & table[value].notna()
    assert (table.loc[known, low] <= table.loc[known, value] + TOL).all(), table
    assert (table.loc[known, value] <= table.loc[known, high] + TOL).all(), table
    assert (table[low].isna() == table[high].isna()).all()


# --------------------------------------------------------------------------- NPS, CSAT, CES


def _scores(low: int, high: int, max_size: int = 40):
    answer = st.one_of(st.integers(low, high), st.none())
    return st.lists(answer, min_size=0, max_size=max_size)


@st.composite
def survey(draw, low: int, high: int):
    values = draw(_scores(low, high))
    kind = draw(st.sampled_from(["plain", "tied", "constant"]))
    if kind == "tied" and values:
        values = [values[0] if v is not None else None for v in values[: len(values) // 2]] + values[len(values) // 2 :]
    if kind == "constant":
        values = [draw(st.integers(low, high))] * len(values)
    n = len(values)
    groups = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    weights = draw(st.lists(st.floats(0, 5, allow_nan=False), min_size=n, max_size=n))
    return pd.DataFrame({"score": pd.array(values, dtype="Int64"), "g": groups, "w": weights})


@SETTINGS
@given(
    df=survey(0, 10),
    by=st.sampled_from([None, "g"]),
    weighted=st.booleans(),
    ci=st.sampled_from(["score", "adjusted-wald", "wald"]),
    min_n=st.integers(0, 40),
)
def test_nps_values_and_intervals_stay_valid(df, by, weighted, ci, min_n):
    out = _outcome(lambda: cx.nps(df, "score", by=by, weights="w" if weighted else None, ci=ci, min_n=min_n))
    if out is None:
        return
    known = out["nps"].notna()
    assert out.loc[known, "nps"].between(-100 - TOL, 100 + TOL).all()
    assert out["ci_low"].dropna().between(-100, 100).all() and out["ci_high"].dropna().between(-100, 100).all()
    _contains(out, "nps")
    shares = out.loc[known, ["promoters", "passives", "detractors"]]
    assert np.allclose(shares.sum(axis=1), 1.0) and (shares >= -TOL).all().all()
    assert (out["small_n"] == ((out["n_eff"] if weighted else out["n"]) < min_n)).all()


@SETTINGS
@given(df=survey(1, 5), kpi=st.sampled_from(["csat", "ces"]), by=st.sampled_from([None, "g"]), weighted=st.booleans())
def test_csat_and_ces_values_and_intervals_stay_valid(df, kpi, by, weighted):
    low, high = (1, 5) if kpi == "csat" else (1, 7)
    out = _outcome(lambda: getattr(cx, kpi)(df, "score", by=by, weights="w" if weighted else None))
    if out is None:
        return
    mean, share = out[out["metric"] == "mean"], out[out["metric"] != "mean"]
    assert mean["value"].dropna().between(low - TOL, high + TOL).all()
    assert mean["ci_low"].dropna().between(low, high).all() and mean["ci_high"].dropna().between(low, high).all()
    assert share["value"].dropna().between(-TOL, 1 + TOL).all()
    assert share["ci_low"].dropna().between(0, 1).all() and share["ci_high"].dropna().between(0, 1).all()
    _contains(out, "value")


@SETTINGS
@given(df=survey(0, 10), kpi=st.sampled_from(["nps", "csat"]), against=st.sampled_from(["rest", "pairs", "previous"]))
def test_comparisons_contain_the_observed_difference(df, kpi, against):
    if kpi == "csat":
        df = df.assign(score=df["score"].clip(1, 5))
    compare = cx.compare_nps if kpi == "nps" else cx.compare_csat
    out = _outcome(lambda: compare(df, "score", by="g", against=against))
    if out is None:
        return
    _contains(out, "diff", "diff_ci_low", "diff_ci_high")
    _contains(out, "value")
    assert out["p"].dropna().between(0, 1).all() and out["p_adjusted"].dropna().between(0, 1).all()


# --------------------------------------------------------------------------- key drivers


@st.composite
def ratings(draw):
    """2-4 driver ratings and a target: small n, few distinct values (ties), constant columns,
    exact collinearity (d = a + b) and heavy missingness, in any mix."""
    n = draw(st.integers(0, 40))
    p = draw(st.integers(2, 4))
    levels = draw(st.integers(1, 6))  # 1: a constant column
    cells = (
        st.one_of(st.integers(1, levels).map(float), st.just(np.nan))
        if draw(st.booleans())
        else st.integers(1, levels).map(float)
    )
    columns = {f"d{j}": draw(st.lists(cells, min_size=n, max_size=n)) for j in range(p)}
    df = pd.DataFrame(columns, dtype=float)
    if draw(st.booleans()) and p >= 3:
        df["d2"] = df["d0"] + df["d1"]  # exactly collinear
    binary = draw(st.booleans())
    if binary:
        target = draw(st.lists(st.one_of(st.booleans().map(float), st.just(np.nan)), min_size=n, max_size=n))
    else:
        noise = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
        target = (df.sum(axis=1, min_count=1).to_numpy() + np.array(noise, dtype=float)) if n else []
    df["y"] = np.asarray(target, dtype=float)
    if n and draw(st.booleans()):
        # answered in pairs: each row keeps two columns, the pattern that makes pairwise
        # correlations contradict each other
        keep = draw(
            st.lists(
                st.lists(st.sampled_from(list(df.columns)), min_size=2, max_size=2, unique=True), min_size=n, max_size=n
            )
        )
        mask = np.array([[c not in row for c in df.columns] for row in keep])
        df = df.mask(mask)
    return df, [f"d{j}" for j in range(p)], binary


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    data=ratings(),
    method=st.sampled_from(["shapley", "relative_weights", "both"]),
    bootstrap=st.sampled_from([0, 8]),
    missing=st.sampled_from(["listwise", "pairwise"]),
)
def test_key_drivers_results_stay_valid(data, method, bootstrap, missing):
    df, drivers, binary = data
    if binary and missing == "pairwise":
        missing = "listwise"  # refused by design (tested in test_drivers); keep the example useful
    out = _outcome(
        lambda: cx.key_drivers(df, "y", drivers, method=method, bootstrap=bootstrap, seed=1, missing=missing)
    )
    if out is None:
        return
    assert 0 <= out.attrs["r2"] <= 1
    for _, part in out.groupby("method"):
        r2 = part["r2"].iloc[0]
        assert 0 <= r2 <= 1 + TOL
        assert (part["importance"] >= -TOL).all()
        assert part["importance"].sum() == pytest.approx(r2, abs=1e-9)
        if r2 > 0:
            assert part["share"].between(-TOL, 1 + TOL).all() and part["share"].sum() == pytest.approx(1.0, abs=1e-9)
        _contains(part, "share")
        assert part["ci_low"].dropna().between(0, 1 + TOL).all() and part["ci_high"].dropna().between(0, 1 + TOL).all()
        assert (part["vif"] >= 1 - 1e-9).all()
        assert part["prob_first"].dropna().between(0, 1).all()


# --------------------------------------------------------------------------- funnel


@st.composite
def journeys(draw):
    n = draw(st.integers(0, 40))
    stage = st.one_of(st.sampled_from(cx.STAGES), st.none())
    customer = st.one_of(st.sampled_from(list("abcdefgh")), st.none())
    return pd.DataFrame(
        {
            "customer_id": draw(st.lists(customer, min_size=n, max_size=n)),
            "journey_stage": draw(st.lists(stage, min_size=n, max_size=n)),
        },
        dtype=object,
    )


@SETTINGS
@given(
    events=journeys(),
    stages=st.one_of(
        st.none(), st.lists(st.sampled_from([*cx.STAGES, "decison"]), min_size=1, max_size=4, unique=True)
    ),
)
def test_funnel_counts_and_intervals_stay_valid(events, stages):
    out = _outcome(lambda: cx.funnel(events, time=None, stages=stages))
    if out is None:
        return
    reached = out["reached"].to_numpy()
    assert (reached >= 0).all() and (np.diff(reached) <= 0).all()  # never grows down the funnel
    assert out["conversion"].dropna().between(0, 1).all()
    _contains(out, "conversion")
    assert out["ci_low"].dropna().between(0, 1).all() and out["ci_high"].dropna().between(0, 1).all()
