"""Coverage of every confidence interval cxkit reports, against planted truths.

    .venv/bin/python benchmarks/coverage.py            # full: about 30 minutes on 2 cores
    .venv/bin/python benchmarks/coverage.py --quick    # a smoke run, about 2 minutes

A 95% interval should contain the true value in 95% of samples; the target band is 93-97%
(issue 14 §3). Each case draws samples from a population whose true value is known and counts
how often cxkit's interval (the public function, its default method) contains it:

- key drivers (``key_drivers``, bootstrap intervals of the shares): linear Shapley/LMG and
  relative weights, a population of five correlated drivers with MCAR missing values (truth:
  the shares of the population correlation matrix, exact), with the default 200 resamples and
  with 1,000 (percentile intervals need more resamples than standard errors do: Efron &
  Tibshirani 1993, ch. 19); the same at n = 200; a boundary
  population with a driver of exactly zero importance and one near zero; a logistic target
  (truth: the shares computed on 1,000,000 rows of the population, sampling error about 1e-3);
- ``driver_change`` (bootstrap interval of the change of a share between two months);
- NPS (``nps``: Tango's score interval, and the adjusted Wald one) and the CSAT/CES shares
  (Agresti-Coull) and funnel conversions (Wilson) by *exact* enumeration of every possible
  sample (no simulation error), averaged over a grid of true values and with the worst case;
- CSAT and CES means (t interval) and the funnel (``funnel`` on simulated journeys) by
  simulation.

Every figure comes with its Monte Carlo standard error (sqrt(c (1 - c) / replications)) and the
share of intervals that contain their own estimate (must be 1). Results go to
``benchmarks/results/coverage.json`` (``coverage_quick.json`` with ``--quick``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cxkit as cx  # noqa: E402
from cxkit._stats import wilson_interval  # noqa: E402  (the interval funnel() reports)
from cxkit.analysis.drivers import _lmg, _logistic_relative_weights, _logistic_subset_r2, _relative_weights, _shapley  # noqa: E402
from cxkit.analysis.nps import _estimate  # noqa: E402  (the estimator nps/csat/ces call, fed every possible sample)

BAND = (0.93, 0.97)
LEVEL = 0.95


def _row(case: str, quantity: str, hits: np.ndarray, contains: np.ndarray, width: np.ndarray, **extra) -> dict:
    c = float(np.mean(hits))
    reps = int(np.size(hits))
    return {
        "case": case,
        "quantity": quantity,
        "coverage": c,
        "mc_se": float(np.sqrt(c * (1 - c) / reps)),
        "replications": reps,
        "contains_estimate": float(np.mean(contains)),
        "mean_width": float(np.mean(width)),
        "in_band": bool(BAND[0] <= c <= BAND[1]),
        **extra,
    }


# --------------------------------------------------------------------------- key drivers


def _population(beta, sigma) -> np.ndarray:
    """Correlation matrix of (drivers, y) for y = x beta + e, x ~ N(0, sigma), e ~ N(0, 1)."""
    beta = np.asarray(beta, float)
    cov_xy = sigma @ beta
    cov = np.block([[sigma, cov_xy[:, None]], [cov_xy[None, :], np.array([[beta @ sigma @ beta + 1.0]])]])
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)


def _true_shares(corr: np.ndarray) -> dict:
    lmg, r2 = _lmg(corr)
    rw, r2w = _relative_weights(corr)
    return {"shapley": lmg / r2, "relative_weights": rw / r2w}


def _exchangeable(p: int, rho: float) -> np.ndarray:
    return np.full((p, p), rho) + (1 - rho) * np.eye(p)


def drivers_case(name, beta, sigma, *, n, reps, bootstrap, missing=0.0, method="both", seed=0) -> list[dict]:
    p = len(beta)
    names = [f"x{i + 1}" for i in range(p)]
    truth = _true_shares(_population(beta, sigma))
    methods = ["shapley", "relative_weights"] if method == "both" else [method]
    rng = np.random.default_rng(seed)
    hits = {m: [] for m in methods}
    contains = {m: [] for m in methods}
    width = {m: [] for m in methods}
    started = time.perf_counter()
    for rep in range(reps):
        x = rng.multivariate_normal(np.zeros(p), sigma, n)
        y = x @ beta + rng.standard_normal(n)
        if missing:
            x = np.where(rng.random(x.shape) < missing, np.nan, x)  # MCAR: listwise keeps the population
        df = pd.DataFrame(x, columns=names).assign(y=y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            kd = cx.key_drivers(df, "y", names, method=method, bootstrap=bootstrap, seed=rep)
        _tally(kd, methods, names, truth, hits, contains, width)
    return _driver_rows(
        name,
        methods,
        names,
        truth,
        hits,
        contains,
        width,
        n=n,
        bootstrap=bootstrap,
        missing=missing,
        seconds=time.perf_counter() - started,
    )


def _tally(kd, methods, names, truth, hits, contains, width) -> None:
    """One replication's intervals: do they cover the truth, and contain their own estimate?"""
    for m in methods:
        part = kd[kd["method"] == m].set_index("driver").loc[names]
        lo, hi, share = (part[c].to_numpy(float) for c in ("ci_low", "ci_high", "share"))
        hits[m].append((lo <= truth[m]) & (truth[m] <= hi))
        contains[m].append((lo <= share) & (share <= hi))
        width[m].append(hi - lo)


def _driver_rows(name, methods, names, truth, hits, contains, width, **extra) -> list[dict]:
    """Coverage per driver and pooled over the drivers, one row each."""
    rows = []
    for m in methods:
        h, c, w = np.array(hits[m]), np.array(contains[m]), np.array(width[m])
        for j, d in enumerate(names):
            rows.append(_row(name, f"{m} share {d} (true {truth[m][j]:.3f})", h[:, j], c[:, j], w[:, j], **extra))
        rows.append(_row(name, f"{m} share, all drivers pooled", h.ravel(), c.ravel(), w.ravel(), **extra))
    return rows


def logistic_case(name, beta, intercept, sigma, *, n, reps, bootstrap, seed=0) -> list[dict]:
    p = len(beta)
    names = [f"x{i + 1}" for i in range(p)]
    rng = np.random.default_rng(seed)
    # the population's shares: exact methods on 1,000,000 rows (their sampling error is ~1e-3)
    big = rng.multivariate_normal(np.zeros(p), sigma, 1_000_000)
    ybig = (rng.random(len(big)) < 1 / (1 + np.exp(-(intercept + big @ beta)))).astype(float)
    ones = np.ones(len(big))
    lmg = _shapley(_logistic_subset_r2(big, ybig, ones))
    rw, _ = _logistic_relative_weights(big, ybig, ones)
    truth = {"shapley": lmg / lmg.sum(), "relative_weights": rw / rw.sum()}
    del big, ybig, ones
    hits = {m: [] for m in truth}
    contains = {m: [] for m in truth}
    width = {m: [] for m in truth}
    started = time.perf_counter()
    for rep in range(reps):
        x = rng.multivariate_normal(np.zeros(p), sigma, n)
        y = rng.random(n) < 1 / (1 + np.exp(-(intercept + x @ beta)))
        df = pd.DataFrame(x, columns=names).assign(y=y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            kd = cx.key_drivers(df, "y", names, method="both", bootstrap=bootstrap, seed=rep)
        _tally(kd, list(truth), names, truth, hits, contains, width)
    return _driver_rows(
        name,
        list(truth),
        names,
        truth,
        hits,
        contains,
        width,
        n=n,
        bootstrap=bootstrap,
        seconds=time.perf_counter() - started,
    )


def change_case(name, beta_before, beta_now, sigma, *, n, reps, bootstrap, seed=0) -> list[dict]:
    p = len(beta_now)
    names = [f"x{i + 1}" for i in range(p)]
    truth = (
        _true_shares(_population(beta_now, sigma))["shapley"] - _true_shares(_population(beta_before, sigma))["shapley"]
    )
    rng = np.random.default_rng(seed)
    hits, contains, width = [], [], []
    started = time.perf_counter()
    for rep in range(reps):
        frames = []
        for month, beta in (("2026-01", beta_before), ("2026-02", beta_now)):
            x = rng.multivariate_normal(np.zeros(p), sigma, n)
            frames.append(
                pd.DataFrame(x, columns=names).assign(
                    y=x @ np.asarray(beta) + rng.standard_normal(n), responded_at=pd.Timestamp(f"{month}-15")
                )
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            ch = (
                cx.driver_change(
                    pd.concat(frames, ignore_index=True), "y", names, month="2026-02", bootstrap=bootstrap, seed=rep
                )
                .set_index("driver")
                .loc[names]
            )
        lo, hi, est = (ch[c].to_numpy(float) for c in ("ci_low", "ci_high", "change"))
        hits.append((lo <= truth) & (truth <= hi))
        contains.append((lo <= est) & (est <= hi))
        width.append(hi - lo)
    seconds = time.perf_counter() - started
    h, c, w = np.array(hits), np.array(contains), np.array(width)
    rows = [
        _row(
            name,
            f"change of share {d} (true {truth[j]:+.3f})",
            h[:, j],
            c[:, j],
            w[:, j],
            n=n,
            bootstrap=bootstrap,
            seconds=seconds,
        )
        for j, d in enumerate(names)
    ]
    rows.append(
        _row(
            name,
            "change of share, all drivers pooled",
            h.ravel(),
            c.ravel(),
            w.ravel(),
            n=n,
            bootstrap=bootstrap,
            seconds=seconds,
        )
    )
    return rows


# --------------------------------------------------------------------------- NPS, shares: exact enumeration


def _sums(pos, neg, n):
    n = np.asarray(n, float)
    return {
        "count": n,
        "w": n,
        "w2": n,
        "wx": np.zeros_like(n),
        "wx2": np.zeros_like(n),
        "pos": np.asarray(pos, float),
        "neg": np.asarray(neg, float),
    }


def nps_exact(n: int, grid: list[tuple[float, float]], ci: str) -> dict:
    """Exact coverage of nps()'s interval: every trinomial sample (b promoters, c detractors)
    weighted by its probability, for each true (promoter, detractor) share in ``grid``."""
    b, c = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    ok = b + c <= n
    b, c = b[ok], c[ok]
    est = _estimate("nps", _sums(b, c, np.full(b.shape, n)), alpha=1 - LEVEL, ci=ci)
    lo, hi, value = est["ci_low"], est["ci_high"], est["value"]
    coverage = []
    for p, d in grid:
        prob = stats.multinomial.pmf(np.column_stack([b, c, n - b - c]), n, [p, d, 1 - p - d])
        truth = 100 * (p - d)
        coverage.append(float(prob @ ((lo <= truth + 1e-9) & (truth - 1e-9 <= hi))))
    coverage = np.array(coverage)
    return {
        "case": f"nps, ci={ci!r}, exact",
        "quantity": f"NPS interval, n = {n}, {len(grid)} true (p, d)",
        "coverage": float(coverage.mean()),
        "coverage_min": float(coverage.min()),
        "mc_se": 0.0,
        "replications": "exact",
        "contains_estimate": float(np.mean((lo <= value + 1e-9) & (value <= hi + 1e-9))),
        "mean_width": float(np.mean(hi - lo)),
        "in_band": bool(BAND[0] <= coverage.mean() <= BAND[1]),
        "n": n,
    }


def share_exact(n: int, grid: list[float], kind: str) -> dict:
    """Exact coverage of a proportion's interval over every binomial sample: the CSAT/CES share
    (Agresti-Coull, as csat()/ces() report it) or a funnel conversion (Wilson, as funnel())."""
    x = np.arange(n + 1)
    if kind == "agresti-coull":
        est = _estimate("share", _sums(x, np.zeros_like(x), np.full(x.shape, n)), alpha=1 - LEVEL)
        lo, hi, value = est["ci_low"], est["ci_high"], est["value"]
        label = "CSAT top-2-box / CES low-effort share (Agresti-Coull), exact"
    else:
        lo, hi = wilson_interval(x, np.full(x.shape, n), 1 - LEVEL)
        value = x / n
        label = "funnel conversion (Wilson), exact"
    coverage = np.array([stats.binom.pmf(x, n, t) @ ((lo <= t + 1e-12) & (t - 1e-12 <= hi)) for t in grid])
    return {
        "case": label,
        "quantity": f"share interval, n = {n}, {len(grid)} true shares 0.05-0.95",
        "coverage": float(coverage.mean()),
        "coverage_min": float(coverage.min()),
        "mc_se": 0.0,
        "replications": "exact",
        "contains_estimate": float(np.mean((lo <= value + 1e-12) & (value <= hi + 1e-12))),
        "mean_width": float(np.mean(hi - lo)),
        "in_band": bool(BAND[0] <= coverage.mean() <= BAND[1]),
        "n": n,
    }


# --------------------------------------------------------------------------- means, funnel: simulation


def mean_case(kpi: str, probs: list[float], *, n: int, sims: int, seed: int) -> dict:
    """csat()/ces() mean interval on simulated surveys from a skewed discrete distribution."""
    rng = np.random.default_rng(seed)
    values = np.arange(1, len(probs) + 1)
    truth = float(values @ np.asarray(probs))
    scores = rng.choice(values, size=(sims, n), p=probs)
    df = pd.DataFrame({"sim": np.repeat(np.arange(sims), n), kpi: scores.ravel()})
    table = getattr(cx, kpi)(df, by="sim")
    mean = table[table["metric"] == "mean"]
    lo, hi, est = (mean[c].to_numpy(float) for c in ("ci_low", "ci_high", "value"))
    usable = ~np.isnan(lo)  # all-equal samples have a zero-width interval; NaN only for n = 1
    return _row(
        f"{kpi} mean (t interval)",
        f"mean of a skewed 1-{len(probs)} scale (true {truth:.3f}), n = {n}",
        (lo <= truth) & (truth <= hi) & usable,
        ((lo <= est) & (est <= hi)) | ~usable,
        np.where(usable, hi - lo, 0),
        n=n,
    )


def funnel_case(conversions: list[float], *, customers: int, reps: int, seed: int) -> list[dict]:
    """funnel() on simulated journeys: each customer goes on to the next stage with the planted
    conversion; the Wilson interval of each step should contain it."""
    rng = np.random.default_rng(seed)
    stages = cx.STAGES[: len(conversions) + 1]
    hits, contains, width = [], [], []
    for _ in range(reps):
        furthest = np.zeros(customers, dtype=int)
        alive = np.ones(customers, dtype=bool)
        for step, rate in enumerate(conversions, start=1):
            alive &= rng.random(customers) < rate
            furthest[alive] = step
        events = pd.DataFrame(
            {"customer_id": np.arange(customers).astype(str), "journey_stage": np.array(stages)[furthest]}
        )
        f = cx.funnel(events, time=None, stages=stages).iloc[1:]
        lo, hi, est = (f[c].to_numpy(float) for c in ("ci_low", "ci_high", "conversion"))
        hits.append((lo <= conversions) & (np.asarray(conversions) <= hi))
        contains.append((lo <= est) & (est <= hi))
        width.append(hi - lo)
    h, c, w = np.array(hits), np.array(contains), np.array(width)
    return [
        _row(
            "funnel conversions (Wilson), simulated journeys",
            f"{stages[j]}->{stages[j + 1]} (true {r:.2f}), {customers} customers",
            h[:, j],
            c[:, j],
            w[:, j],
        )
        for j, r in enumerate(conversions)
    ]


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few replications, for a smoke run")
    args = parser.parse_args(argv)
    quick = args.quick
    scale = 0.05 if quick else 1.0

    def reps(k: int) -> int:
        return max(20, int(k * scale))

    sigma5 = _exchangeable(5, 0.3)
    beta5 = np.array([0.5, 0.35, 0.2, 0.1, 0.0])  # x5 has no effect of its own but shares variance: share ~0.05
    boundary_sigma = _exchangeable(5, 0.3)
    boundary_sigma[4, :4] = boundary_sigma[:4, 4] = 0.0  # x5 independent of everything: true share exactly 0
    boundary_beta = np.array([0.5, 0.35, 0.2, 0.05, 0.0])
    started = time.perf_counter()
    rows: list[dict] = []
    print(
        f"cxkit interval coverage ({'quick' if quick else 'full'}), target {BAND[0]:.0%}-{BAND[1]:.0%} for "
        f"{LEVEL:.0%} intervals, {os.cpu_count()} cores",
        flush=True,
    )
    steps = [
        lambda: drivers_case(
            "key_drivers, linear, n = 500, 5% MCAR missing",
            beta5,
            sigma5,
            n=500,
            reps=reps(1000),
            bootstrap=200,
            missing=0.05,
            seed=1,
        ),
        lambda: drivers_case(
            "key_drivers, linear, n = 500, 5% MCAR missing, 1,000 resamples",
            beta5,
            sigma5,
            n=500,
            reps=reps(400),
            bootstrap=1000,
            missing=0.05,
            seed=7,
        ),
        lambda: drivers_case(
            "key_drivers, linear, n = 200", beta5, sigma5, n=200, reps=reps(500), bootstrap=200, seed=2
        ),
        lambda: drivers_case(
            "key_drivers, linear, boundary (x5 true share exactly 0)",
            boundary_beta,
            boundary_sigma,
            n=500,
            reps=reps(1000),
            bootstrap=200,
            method="shapley",
            seed=3,
        ),
        lambda: logistic_case(
            "key_drivers, logistic (promoter flag), n = 600",
            np.array([1.0, 0.6, 0.25]),
            -0.4,
            _exchangeable(3, 0.3),
            n=600,
            reps=reps(300),
            bootstrap=200,
            seed=4,
        ),
        lambda: change_case(
            "driver_change, n = 500 per month",
            beta5[:4],
            np.array([0.3, 0.35, 0.2, 0.3]),
            _exchangeable(4, 0.3),
            n=500,
            reps=reps(300),
            bootstrap=200,
            seed=5,
        ),
    ]
    grid_nps = [(p, d) for p in (0.1, 0.3, 0.5, 0.7) for d in (0.05, 0.2, 0.4) if p + d <= 0.95]
    grid_share = list(np.linspace(0.05, 0.95, 19))
    for n in (10, 30, 100, 400):
        for ci in ("score", "adjusted-wald"):
            steps.append(lambda n=n, ci=ci: [nps_exact(n, grid_nps, ci)])
        for kind in ("agresti-coull", "wilson"):
            steps.append(lambda n=n, kind=kind: [share_exact(n, grid_share, kind)])
    for n in (10, 30, 100):
        steps.append(lambda n=n: [mean_case("csat", [0.05, 0.1, 0.2, 0.35, 0.3], n=n, sims=reps(4000), seed=n)])
        steps.append(
            lambda n=n: [mean_case("ces", [0.3, 0.25, 0.15, 0.1, 0.1, 0.05, 0.05], n=n, sims=reps(4000), seed=n + 1)]
        )
    steps.append(lambda: funnel_case([0.7, 0.55, 0.4, 0.3], customers=300, reps=reps(1000), seed=6))

    print(f"{'case':<58} {'quantity':<52} {'coverage':>8} {'(min)':>7} {'± MC SE':>8} {'contains':>8}")
    for step in steps:
        for row in step():
            rows.append(row)
            low = f"{row['coverage_min']:.3f}" if "coverage_min" in row else ""
            flag = "" if row["in_band"] else "  <- outside 93-97%"
            print(
                f"{row['case'][:58]:<58} {row['quantity'][:52]:<52} {row['coverage']:8.3f} {low:>7} "
                f"{row['mc_se']:8.3f} {row['contains_estimate']:8.3f}{flag}",
                flush=True,
            )

    never_excluded = all(r["contains_estimate"] == 1.0 for r in rows)
    out = ROOT / "benchmarks" / "results" / ("coverage_quick.json" if quick else "coverage.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "benchmark": "coverage",
                "mode": "quick" if quick else "full",
                "cores": os.cpu_count(),
                "python": platform.python_version(),
                "numpy": np.__version__,
                "pandas": pd.__version__,
                "level": LEVEL,
                "band": list(BAND),
                "seconds": round(time.perf_counter() - started, 1),
                "note": (
                    "coverage = share of replications whose interval contains the planted truth (exact "
                    "enumeration where replications == 'exact': coverage is then the mean over the grid of true "
                    "values, coverage_min the worst); contains_estimate = share of intervals containing their own "
                    "estimate"
                ),
                "every_interval_contains_its_estimate": never_excluded,
                "rows": rows,
            },
            indent=2,
        )
    )
    print(f"every interval contains its estimate: {never_excluded}")
    print(f"written {out.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")
    return 0 if never_excluded else 1


if __name__ == "__main__":
    raise SystemExit(main())
