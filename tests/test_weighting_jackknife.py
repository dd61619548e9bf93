"""The jackknife variance of calibrated estimates in small samples (fewer than
``JACKKNIFE_BELOW`` responses per calibration stratum): delete one response, rake the rest
again, and take the spread of the replicate estimates (JK1).

Why: below a few hundred responses the linearised variance runs short (at 100 raked responses
its SE of the CSAT mean was 6% below the estimate's spread and the interval covered 92.4%,
``benchmarks/results/weighting.json`` before the jackknife). The references: R's ``survey``
package on the ``api`` data (a JK1 design raked again per replicate), and a brute-force loop
that calls ``cx.rake`` on every replicate.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
import cxkit.analysis.nps as nps_module
from cxkit.analysis.nps import (
    _calibrated,
    _calibrated_contrasts,
    _calibration_margins,
    _group_codes,
    _jackknife_replicates,
    _linearised_variance,
)
from cxkit.errors import DataWarning

pytestmark = pytest.mark.filterwarnings("ignore:score column .nps.*none of its:cxkit.errors.DataWarning")

SEGMENTS = {"Consumer": 0.6, "SMB": 0.3, "Enterprise": 0.1}
REGIONS = {"EU": 0.4, "US": 0.4, "APAC": 0.2}
MARGINS = {"segment": SEGMENTS, "region": REGIONS}
#: Raking tolerance of the references: cx.rake's default (1e-6 of a share) would leave the brute
#: force's replicates 1e-7 apart from the replicates raked to 1e-12.
TOL = 1e-11


def _sample(n: int, seed: int) -> pd.DataFrame:
    """test_weighting_compare's sample (segment and region drive the scores, app mostly
    Consumer), noisier."""
    from tests.test_weighting_compare import _sample as sample

    return sample(n, seed, noise=1.5, csat_noise=0.6)


def _raked(n: int, seed: int) -> tuple[pd.DataFrame, dict]:
    df = _sample(n, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        w = cx.rake(df, MARGINS, tol=TOL)
    return df.assign(w=w.to_numpy()), w.attrs["weighting"]


def _scores(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """The variables whose weighted means the estimates are (NPS on the 0-1 scale)."""
    return {
        "nps": (frame["nps"] >= 9).to_numpy(float) - (frame["nps"] <= 6).to_numpy(float),
        "mean": frame["csat"].to_numpy(float),
        "top2": np.isin(frame["csat"], (4, 5)).astype(float),
    }


def _jk1(replicates: np.ndarray) -> np.ndarray:
    """R's JK1 variance: scale (n - 1) / n (survey's jk1weights) times the squared deviations of
    the replicates from their mean (svrVar with mse = FALSE, the default)."""
    n = replicates.shape[0]
    return (n - 1) / n * np.sum((replicates - replicates.mean(axis=0)) ** 2, axis=0)


@pytest.fixture(scope="module")
def brute_force():
    """A raked sample of 60 and, by brute force, every delete-one replicate raked again with
    cx.rake from equal base weights (as R rakes each replicate of a JK1 design): each
    replicate's NPS, CSAT mean and top-2-box, overall and of each channel and its rest."""
    s, info = _raked(60, 5)
    replicates: dict[str, list[list[float]]] = {"nps": [], "mean": [], "top2": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        for i in range(len(s)):
            part = s.drop(index=s.index[i])
            w = cx.rake(part, MARGINS, tol=TOL).to_numpy()
            app = (part["channel"] == "app").to_numpy()
            for name, y in _scores(part).items():
                replicates[name].append(
                    [
                        np.sum(w * y) / w.sum(),
                        np.sum(w[app] * y[app]) / w[app].sum(),
                        np.sum(w[~app] * y[~app]) / w[~app].sum(),
                    ]
                )
    return s, info, {name: np.array(r) for name, r in replicates.items()}


def test_replicates_raked_again_give_rs_jackknife_se_on_api():
    # R (survey 4.5; xKDR/Survey.jl test/r_reference/rake_results.csv, see
    # tests/test_weighting_variance.py): rake(as.svrepdesign(svydesign(id = ~dnum, weights = ~pw,
    # data = apiclus1), type = "JK1", mse = TRUE), list(~stype, ~sch.wide), ...) and
    # svymean(~api00): SE 27.1442128318128. Here the replicates come from cxkit's vectorised
    # re-raking with the districts as the deletion units, starting from R's raked weights; R stops
    # raking when no cell moves by a whole school, cxkit at 1e-12 of a factor: 1e-4 apart.
    from pathlib import Path

    from tests.test_weighting_variance import API_CELLS  # each raked weight's stype x sch.wide cell

    data = Path(__file__).parent / "data"
    r = pd.read_csv(data / "api_rake_r_weights.csv")
    api = pd.read_csv(data / "api_clus1_api00.csv")
    w = r["weight"].to_numpy()
    cells = [pd.factorize(np.array([API_CELLS[v][k] for v in w]))[0] for k in (0, 1)]
    y = api["api00"].to_numpy(float)
    unit = pd.factorize(api["dnum"])[0]
    numerator, denominator = _jackknife_replicates(y, w, np.ones((y.size, 1), dtype=bool), cells, unit)
    replicates = (numerator / denominator)[:, 0]
    m = replicates.size
    full = np.sum(w * y) / w.sum()
    assert m == 15
    assert np.sqrt((m - 1) / m * np.sum((replicates - full) ** 2)) == pytest.approx(27.1442128318128, rel=1e-4)


def test_small_sample_variances_are_the_brute_force_jackknife(brute_force):
    s, info, replicates = brute_force
    found = _calibration_margins(s, "w", info)
    codes = np.zeros(len(s), dtype=np.intp)
    variance = _calibrated(s, s["nps"].to_numpy(float), s["w"].to_numpy(), codes, 1, found)
    assert variance is not None
    y = s["nps"].to_numpy(float)
    flags = {"pos": (y >= 9).astype(float), "neg": (y <= 6).astype(float)}
    assert variance("nps", flags)[0] == pytest.approx(_jk1(replicates["nps"])[0], rel=1e-7)
    csat = s["csat"].to_numpy(float)
    variance = _calibrated(s, csat, s["w"].to_numpy(), codes, 1, found)
    assert variance is not None
    assert variance("mean", {})[0] == pytest.approx(_jk1(replicates["mean"])[0], rel=1e-7)
    top = {"pos": np.isin(csat, (4, 5)).astype(float)}
    assert variance("share", top)[0] == pytest.approx(_jk1(replicates["top2"])[0], rel=1e-7)
    # end to end: the NPS and top-2-box SEs are the jackknife's, through the interval's n (the one
    # whose simple-random-sample variance equals it, at most the 60 responses: so never below the
    # SE of an unweighted sample of 60: measured, the NPS is at that floor, n 73.9 capped at 60, and
    # the top-2-box at the jackknife's, n 49.5); NPS in points
    wt, n = s["w"].to_numpy(), len(s)
    p, d = np.sum(wt * flags["pos"]) / wt.sum(), np.sum(wt * flags["neg"]) / wt.sum()
    got = cx.nps(s, weights="w", calibration=info).iloc[0]
    srs = p + d - (p - d) ** 2
    assert got["se"] == pytest.approx(100 * np.sqrt(max(_jk1(replicates["nps"])[0], srs / n)), rel=1e-7)
    shares = cx.csat(s, weights="w", calibration=info)
    v = np.sum(wt * top["pos"]) / wt.sum()
    assert shares.iloc[1]["se"] == pytest.approx(np.sqrt(max(_jk1(replicates["top2"])[0], v * (1 - v) / n)), rel=1e-7)
    # and wider than the linearised SE here (the linearisation leaves out each response's own
    # weight adjustment)
    linearised = _linearised_variance(
        csat, s["w"].to_numpy(), codes, 1, [pd.factorize(s[m])[0] for m in MARGINS], np.zeros(len(s))
    )
    assert _jk1(replicates["mean"])[0] > linearised[0]


def test_small_sample_differences_are_the_brute_force_jackknife(brute_force):
    s, info, replicates = brute_force
    found = _calibration_margins(s, "w", info)
    codes, keys, _ = _group_codes(s, "channel")
    assert keys["channel"].tolist() == ["app", "web"]
    y = s["nps"].to_numpy(float)
    flags = {"pos": (y >= 9).astype(float), "neg": (y <= 6).astype(float)}
    variance = _calibrated_contrasts(s, y, s["w"].to_numpy(), codes, 2, found, [(0, None), (0, 1)])
    assert variance is not None
    own, rest, diff = variance("nps", flags)
    app, web = replicates["nps"][:, 1], replicates["nps"][:, 2]
    assert own == pytest.approx([_jk1(app[:, None])[0], _jk1(web[:, None])[0]], rel=1e-7)
    assert rest[0] == pytest.approx(_jk1(web[:, None])[0], rel=1e-7)  # the rest of app is web
    assert diff == pytest.approx([_jk1((app - web)[:, None])[0]] * 2, rel=1e-7)
    # the correlation the raking puts between the two channels is kept: the variance of the
    # difference is not the sum of the two
    assert abs(diff[0] - own.sum()) > 0.02 * own.sum()
    # compare_csat's SE of the mean difference: each side at its n (the t interval's
    # sd / sqrt(n - 1)), so a little above the jackknife SE of the difference
    got = cx.compare_csat(s, by="channel", weights="w", calibration=info)
    mean = got[(got["group"] == "app") & (got["metric"] == "mean")].iloc[0]
    jk = np.sqrt(_jk1((replicates["mean"][:, 1] - replicates["mean"][:, 2])[:, None])[0])
    assert jk <= mean["se"] <= 1.05 * jk


def test_the_threshold_switches_between_jackknife_and_linearisation(brute_force, monkeypatch):
    s, info, replicates = brute_force
    csat = s["csat"].to_numpy(float)
    codes = np.zeros(len(s), dtype=np.intp)
    variance = _calibrated(s, csat, s["w"].to_numpy(), codes, 1, _calibration_margins(s, "w", info))
    assert variance is not None
    linearised = _linearised_variance(
        csat, s["w"].to_numpy(), codes, 1, [pd.factorize(s[m])[0] for m in MARGINS], np.zeros(len(s))
    )
    monkeypatch.setattr(nps_module, "JACKKNIFE_BELOW", len(s))  # 60 responses: not below 60
    assert variance("mean", {})[0] == pytest.approx(linearised[0], rel=1e-12)
    monkeypatch.setattr(nps_module, "JACKKNIFE_BELOW", len(s) + 1)
    assert variance("mean", {})[0] == pytest.approx(_jk1(replicates["mean"])[0], rel=1e-7)


def test_a_level_with_one_response_keeps_the_linearisation():
    # left without its only response a level cannot be raked to its target: no replicate
    s = _sample(60, 5)
    s.loc[s.index[0], "segment"] = "Public"
    margins = {"segment": {**SEGMENTS, "Consumer": 0.55, "Public": 0.05}, "region": REGIONS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        w = cx.rake(s, margins)
    s = s.assign(w=w.to_numpy())
    csat = s["csat"].to_numpy(float)
    codes = np.zeros(len(s), dtype=np.intp)
    variance = _calibrated(s, csat, s["w"].to_numpy(), codes, 1, _calibration_margins(s, "w", w.attrs["weighting"]))
    assert variance is not None
    linearised = _linearised_variance(
        csat, s["w"].to_numpy(), codes, 1, [pd.factorize(s[m])[0] for m in margins], np.zeros(len(s))
    )
    assert variance("mean", {})[0] == pytest.approx(linearised[0], rel=1e-12)


def test_months_calibrated_separately_each_get_their_own_variance():
    # a small month (jackknife) and a large one (linearised) raked separately: a segment's mean
    # over both months has the small month's jackknife part (brute force: that month's replicates
    # raked again, the large month's sums unchanged) plus the large month's linearised part
    small, large = _sample(50, 21), _sample(320, 22)
    small["month"], large["month"] = "2026-09", "2026-10"
    df = pd.concat([small, large], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        w = cx.rake(df, MARGINS, by="month", tol=TOL)
        s = df.assign(w=w.to_numpy())
        got = cx.csat(s, by="channel", weights="w", calibration=w.attrs["weighting"])
        y, wt = s["csat"].to_numpy(float), s["w"].to_numpy()
        app = (s["channel"] == "app").to_numpy()
        in_small = (s["month"] == "2026-09").to_numpy()
        replicates = []
        for i in np.flatnonzero(in_small):
            keep = np.ones(len(s), dtype=bool)
            keep[i] = False
            rows = keep & in_small
            wr = wt.copy()
            wr[rows] = cx.rake(s[rows], MARGINS, tol=TOL).to_numpy() * wt[in_small].sum() / rows.sum()
            sel = keep & app
            replicates.append([np.sum(wr[sel] * y[sel]) / wr[sel].sum()])
    jk = _jk1(np.array(replicates))[0]
    from cxkit.analysis.nps import _residualised_influence, _stratum_variance

    strata = in_small.astype(np.intp)
    cells = [pd.factorize(s[m] + "|" + s["month"])[0] for m in MARGINS]
    z = _residualised_influence(y, wt, (~app).astype(np.intp), 2, cells)
    lin = _stratum_variance(z[~in_small], strata[~in_small])[0]
    variance = _calibrated(s, y, wt, (~app).astype(np.intp), 2, _calibration_margins(s, "w", w.attrs["weighting"]))
    assert variance is not None
    assert variance("mean", {})[0] == pytest.approx(jk + lin, rel=1e-7)
    row = got[(got["channel"] == "app") & (got["metric"] == "mean")].iloc[0]
    assert np.isfinite(row["se"])
