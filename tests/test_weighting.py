"""Survey weights (cxkit.analysis.weighting): raking against R's survey package and a direct
minimum-discrimination-information solution, post-stratification, the checks and messages."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from cxkit.analysis.weighting import poststratify, rake, survey_weights, weight_summary, weighting_statement
from cxkit.errors import CatalogError, DataWarning, NotEnoughDataError

DATA = Path(__file__).parent / "data"

# --------------------------------------------------------------------------- R survey::rake on api

# R's own raked weights for the documented rake() example (survey package, ?rake):
#   dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)
#   pop.types <- data.frame(stype=c("E","H","M"), Freq=c(4421,755,1018))
#   pop.schwide <- data.frame(sch.wide=c("No","Yes"), Freq=c(1072,5122))
#   rk <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide))
#   write.csv(data.frame(snum=apiclus1$snum, weight=weights(rk)), "rake_weights.csv")
# as written by survey 4.5 on R 4.6.1 in xKDR/Survey.jl, test/r_reference/rake_weights.csv
# (generate_fixtures.R in that folder), copied to tests/data/api_rake_r_weights.csv. R's
# default control (maxit 10, epsilon 1: stop when no table entry moves by a whole school)
# stopped after 4 passes. apiclus1's pw is the constant 33.847 (6194 / 183), so the raked
# weights depend only on each school's stype x sch.wide cell; the six weight values are the six
# cells (San Leandro Unified, snum 236-246 of apipop: 236 is H/Yes, 237-244 E/Yes, 245-246
# M/Yes; the No cells are the Yes cells times one common sch.wide factor, 1.33372). The cell
# counts this gives (E 144, H 14, M 25; Yes 160, No 23) are apiclus1's.
R_CELLS = {
    29.8704638727345: ("E", "Yes"),
    36.7921816646831: ("M", "Yes"),
    50.3301527726748: ("H", "Yes"),
    39.838509410554: ("E", "No"),
    49.0700673992951: ("M", "No"),
    67.1257826263303: ("H", "No"),
}
API_MARGINS = {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5122}}
API_TOTAL = 6194


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    r = pd.read_csv(DATA / "api_rake_r_weights.csv")
    r["stype"] = [R_CELLS[w][0] for w in r["weight"]]
    r["sch.wide"] = [R_CELLS[w][1] for w in r["weight"]]
    return r


def test_api_cells_are_apiclus1s(apiclus1):
    # R: table(apiclus1$stype) E 144, H 14, M 25; table(apiclus1$sch.wide) No 23, Yes 160
    assert apiclus1["stype"].value_counts().to_dict() == {"E": 144, "M": 25, "H": 14}
    assert apiclus1["sch.wide"].value_counts().to_dict() == {"Yes": 160, "No": 23}


def test_rake_reproduces_r_survey_rake_pass_for_pass(apiclus1):
    """Four passes (where R's default epsilon stopped) give R's weights to 1e-12."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # four passes do not reach tol=1e-15: expected
        w = rake(apiclus1, API_MARGINS, max_iter=4, tol=1e-15)
    np.testing.assert_allclose(w * API_TOTAL / len(w), apiclus1["weight"], rtol=1e-12)


def test_rake_converged_is_close_to_r_and_hits_the_margins(apiclus1):
    raked = rake(apiclus1, API_MARGINS, tol=1e-10)
    w = raked * API_TOTAL / len(apiclus1)
    # R stopped when no cell moved by a whole school (epsilon = 1); converged weights differ by
    # less than that: 3.2e-5 of a weight, measured
    np.testing.assert_allclose(w, apiclus1["weight"], rtol=1e-4)
    for margin, totals in API_MARGINS.items():
        got = w.groupby(apiclus1[margin]).sum()
        for level, total in totals.items():
            assert got[level] == pytest.approx(total, rel=1e-6)
    info = raked.attrs["weighting"]
    assert info["converged"] and info["max_error"] < 1e-6


def _mdi_weights(codes: list[np.ndarray], shares: list[np.ndarray], base: np.ndarray) -> np.ndarray:
    """Minimum discrimination information: the weights closest to ``base`` in Kullback-Leibler
    divergence whose margins are ``shares`` (Ireland & Kullback 1968), solved as its dual, a
    smooth convex problem over one multiplier per margin level (BFGS), not by iterating."""
    sizes = [s.size for s in shares]

    def weights(lam: np.ndarray) -> np.ndarray:
        parts = np.split(lam, np.cumsum(sizes)[:-1])
        return base * np.exp(sum(p[c] for p, c in zip(parts, codes)))

    def dual(lam: np.ndarray) -> tuple[float, np.ndarray]:
        w = weights(lam)
        target = np.concatenate(shares) * base.sum()
        grad = np.concatenate([np.bincount(c, weights=w, minlength=s) for c, s in zip(codes, sizes)]) - target
        return float(w.sum() - lam @ target), grad

    res = optimize.minimize(dual, np.zeros(sum(sizes)), jac=True, method="BFGS", options={"gtol": 1e-12})
    return weights(res.x)


def test_rake_equals_minimum_discrimination_information():
    rng = np.random.default_rng(3)
    n = 600
    df = pd.DataFrame(
        {
            "segment": rng.choice(["SMB", "Enterprise", "Consumer"], n, p=[0.6, 0.3, 0.1]),
            "region": rng.choice(["EU", "US", "APAC"], n, p=[0.5, 0.3, 0.2]),
            "channel": rng.choice(["web", "app"], n),
            "base": rng.uniform(0.5, 2.0, n),
        }
    )
    margins = {
        "segment": {"SMB": 0.55, "Enterprise": 0.15, "Consumer": 0.30},
        "region": {"EU": 0.4, "US": 0.4, "APAC": 0.2},
        "channel": {"web": 0.7, "app": 0.3},
    }
    for base in (None, "base"):
        with pytest.warns(DataWarning, match="extreme weights"):  # Consumer: 8% of responses, 30% target
            w = rake(df, margins, weights=base, tol=1e-12)
        codes = [pd.Index(list(t)).get_indexer(df[m]) for m, t in margins.items()]
        shares = [np.array(list(t.values())) for t in margins.values()]
        ref = _mdi_weights(codes, shares, np.ones(n) if base is None else df["base"].to_numpy())
        np.testing.assert_allclose(w, ref / ref.mean(), rtol=1e-7)


def test_one_margin_is_exact_poststratification():
    df = pd.DataFrame({"segment": ["SMB"] * 7 + ["Enterprise"] * 2 + ["Consumer"]})
    targets = {"SMB": 0.5, "Enterprise": 0.3, "Consumer": 0.2}
    w = rake(df, {"segment": targets})
    # by hand: weight = target share / sample share
    expected = df["segment"].map({"SMB": 0.5 / 0.7, "Enterprise": 0.3 / 0.2, "Consumer": 0.2 / 0.1})
    np.testing.assert_allclose(w, expected)
    np.testing.assert_allclose(poststratify(df, "segment", targets), expected)
    assert w.attrs["weighting"]["iterations"] == 1


def test_poststratify_joint_cells_by_hand():
    df = pd.DataFrame({"segment": list("AAAB" * 5), "region": list("XYXY" * 5)})
    cells = {"A": {"X": 0.4, "Y": 0.2}, "B": {"Y": 0.4}}
    w = poststratify(df, ["segment", "region"], cells)
    sample = df.groupby(["segment", "region"]).size() / len(df)  # A/X 0.5, A/Y 0.25, B/Y 0.25
    expected = [0.4 / sample[("A", "X")], 0.2 / sample[("A", "Y")], 0.4 / sample[("B", "Y")]]
    got = w.groupby([df["segment"], df["region"]]).first().to_numpy()
    np.testing.assert_allclose(got, expected)
    assert w.attrs["weighting"]["method"] == "cells"
    with pytest.raises(ValueError, match="'B / X'"):
        poststratify(df.assign(region=list("XYXX" * 5)), ["segment", "region"], cells)


def test_by_rakes_each_month_to_the_margins():
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {"month": np.repeat(["2026-09", "2026-10"], 300), "segment": rng.choice(["a", "b"], 600, p=[0.8, 0.2])}
    )
    w = rake(df, {"segment": {"a": 0.5, "b": 0.5}}, by="month")
    for _, part in df.groupby("month"):
        shares = w[part.index].groupby(part["segment"]).sum() / w[part.index].sum()
        assert shares.to_dict() == pytest.approx({"a": 0.5, "b": 0.5})
        assert w[part.index].mean() == pytest.approx(1.0)
    assert w.attrs["weighting"]["groups"] == 2


def test_trim_bounds_the_weights_and_reports_it():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"segment": rng.choice(["a", "b", "c"], 2000, p=[0.85, 0.1, 0.05])})
    margins = {"segment": {"a": 0.4, "b": 0.3, "c": 0.3}}
    with pytest.warns(DataWarning, match="extreme weights.*segment='c'"):
        raw = rake(df, margins)
    assert raw.max() > 5
    with pytest.warns(DataWarning, match="did not converge.*'segment'.*loosen trim"):
        trimmed = rake(df, margins, trim=(0.3, 3))
    assert trimmed.max() <= 3 * trimmed.mean() + 1e-9
    assert trimmed.attrs["weighting"]["trimmed"] > 0 and not trimmed.attrs["weighting"]["converged"]


def test_trim_that_binds_then_holds_converges():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"s": rng.choice(["a", "b"], 1000, p=[0.7, 0.3]), "r": rng.choice(["x", "y"], 1000)})
    w = rake(df, {"s": {"a": 0.5, "b": 0.5}, "r": {"x": 0.5, "y": 0.5}}, trim=(0.5, 2))
    assert w.attrs["weighting"]["converged"]
    assert 0.5 * w.mean() - 1e-12 <= w.min() and w.max() <= 2 * w.mean() + 1e-12


# --------------------------------------------------------------------------- checks, messages


@pytest.fixture
def small() -> pd.DataFrame:
    return pd.DataFrame({"segment": ["SMB", "SMB", "Enterprise", "Consumer"], "region": ["EU", "US", "EU", "US"]})


def test_missing_margin_column_names_it_and_the_fix(small):
    with pytest.raises(ValueError, match=r"margin 'country' is not a column.*columns: \{country"):
        rake(small, {"country": {"DK": 1.0}})


def test_shares_not_summing_to_one(small):
    with pytest.raises(ValueError, match=r"'segment' sum to 0.95, not 1.*missing level"):
        rake(small, {"segment": {"SMB": 0.5, "Enterprise": 0.15, "Consumer": 0.3}})


def test_counts_are_shares_of_their_total_and_disagreeing_totals_warn(small):
    w = rake(small, {"segment": {"SMB": 500, "Enterprise": 250, "Consumer": 250}})
    assert (w.groupby(small["segment"]).sum() / w.sum()).to_dict() == pytest.approx(
        {"SMB": 0.5, "Enterprise": 0.25, "Consumer": 0.25}
    )
    with pytest.warns(DataWarning, match="different totals"):
        rake(small, {"segment": {"SMB": 500, "Enterprise": 250, "Consumer": 250}, "region": {"EU": 600, "US": 600}})


def test_value_without_target(small):
    with pytest.raises(ValueError, match=r"'segment' has value\(s\) without a target: 'Consumer' \(1 responses\)"):
        rake(small, {"segment": {"SMB": 0.5, "Enterprise": 0.5}})


def test_target_level_without_responses(small):
    with pytest.raises(NotEnoughDataError, match=r"no response has segment='Public'.*Collapse it"):
        rake(small, {"segment": {"SMB": 0.4, "Enterprise": 0.2, "Consumer": 0.2, "Public": 0.2}})


def test_missing_values_in_a_margin(small):
    with pytest.raises(ValueError, match=r"1 responses have no 'region' value.*Fill them"):
        rake(small.assign(region=["EU", None, "EU", "US"]), {"region": {"EU": 0.5, "US": 0.5}})


def test_bad_targets_and_options(small):
    with pytest.raises(ValueError, match="negative"):
        rake(small, {"region": {"EU": -0.5, "US": 1.5}})
    with pytest.raises(ValueError, match="trim must be"):
        rake(small, {"region": {"EU": 0.5, "US": 0.5}}, trim=(2, 3))
    with pytest.raises(ValueError, match="max_iter"):
        rake(small, {"region": {"EU": 0.5, "US": 0.5}}, max_iter=0)


def test_non_convergence_names_the_margin():
    # the margins contradict each other: every 'a' is 'x', so 'a' at 80% and 'x' at 20% cannot hold
    df = pd.DataFrame({"s": ["a"] * 5 + ["b"] * 5, "r": ["x"] * 5 + ["y"] * 5})
    with pytest.warns(DataWarning, match=r"did not converge in 20 passes; margin '[sr]' is off"):
        w = rake(df, {"s": {"a": 0.8, "b": 0.2}, "r": {"x": 0.2, "y": 0.8}}, max_iter=20)
    assert not w.attrs["weighting"]["converged"]


def test_input_not_modified_and_index_kept(small):
    before = small.copy()
    shifted = small.set_axis([10, 11, 12, 13])
    w = rake(shifted, {"region": {"EU": 0.5, "US": 0.5}})
    pd.testing.assert_frame_equal(small, before)
    assert list(w.index) == [10, 11, 12, 13] and w.name == "weight"


def test_survey_weights_spec_forms(small):
    spec = {"rake": {"region": {"EU": 0.3, "US": 0.7}}, "trim": [0.2, 5]}
    w = survey_weights(small, spec)
    assert w.groupby(small["region"]).sum().div(w.sum()).to_dict() == pytest.approx({"EU": 0.3, "US": 0.7})
    assert w.attrs["weighting"]["trim"] == [0.2, 5.0]
    cells = survey_weights(small, {"cells": {"columns": ["region"], "targets": {"EU": 0.5, "US": 0.5}}})
    assert cells.attrs["weighting"]["method"] == "cells"
    col = survey_weights(small.assign(w=[1, 1, 2, 4]), {"column": "w"})
    assert col.tolist() == [0.5, 0.5, 1.0, 2.0]
    with pytest.raises(CatalogError, match="exactly one of rake"):
        survey_weights(small, {"rake": {}, "column": "w"})
    with pytest.raises(CatalogError, match="unknown key"):
        survey_weights(small, {"rak": {}})
    with pytest.raises(ValueError, match="base weight column 'wt' not found"):
        survey_weights(small, {"column": "wt"})


def test_weight_summary_and_statement(small):
    margins = {"region": {"EU": 0.3, "US": 0.7}}
    w = rake(small, margins)
    s = weight_summary(small, w, margins)
    assert s["weighted_share"].tolist() == pytest.approx([0.3, 0.7])
    assert s["sample_share"].tolist() == [0.5, 0.5]
    text = weighting_statement(w.attrs["weighting"])
    assert text.startswith("Figures are weighted (raking to known region shares): effective sample size 3 of 4")
    assert weighting_statement(None) == ""


def test_extreme_weight_column_warns_without_a_margin_to_name():
    df = pd.DataFrame({"w": [1.0] * 20 + [40.0]})
    with pytest.warns(DataWarning, match=r"extreme weights: up to 14.0 times the mean.*check the weight column"):
        survey_weights(df, {"column": "w"})
