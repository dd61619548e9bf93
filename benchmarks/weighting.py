"""Survey weighting: raking speed on 1,000,000 responses, and coverage of the weighted intervals.

    .venv/bin/python benchmarks/weighting.py            # 47 minutes on 2 shared cores at load 5-8
    .venv/bin/python benchmarks/weighting.py --quick    # a smoke run, under a minute

**Speed** (issue 29: 1M responses on 3 margins in under 5 s): ``cx.rake`` on 1,000,000 responses
with three margins (segment 3 levels, region 4, channel 5), medians of 5 runs, against two
references measured in the same run on the same data, alternating: a *peer*, the textbook
row-level raking in pandas (each pass, each margin: ``groupby(margin).transform("sum")`` of the
weights and a division, as a weighting script would write it, run to the same tolerance), and a
*floor*, ``pandas.factorize`` of the three margin columns (reading the levels, which any raking
must do once). Ratios are cxkit / peer and cxkit / floor; the load average is recorded.

**Coverage** (as ``benchmarks/coverage.py``): a population of 1,000,000 customers whose NPS,
CSAT and driver ratings depend on segment and region, surveyed with a response propensity that
depends on both (Enterprise and EU answer far more often: a biased sample), each sample raked
to the population's segment and region shares (``calibration=`` its ``attrs["weighting"]``: the
linearised variance of the raked estimator, or below ``cxkit.analysis.nps.JACKKNIFE_BELOW`` (300) responses the
jackknife that rakes every replicate again, named in each row's ``variance``; the same
intervals on Kish's effective n are reported beside them as "weighted, Kish n"), and the weighted 95% intervals of ``cx.nps``,
``cx.csat`` (mean and top-2-box share) and the weighted ``cx.key_drivers`` shares checked
against the population values, with their Monte Carlo standard errors. The propensity is a
product of a segment and a region factor, the case where raking on the two margins removes the
bias. Samples of 100 (4,000 replications, no drivers), 500 (2,000; drivers 400) and 2,000
(2,000; drivers 200). The differences of NPS between two groups of a sample (``cx.compare_nps``:
EU, a level of a raking margin, and the app channel, not a margin but mostly Consumer, each
against the rest) are checked against the population's differences the same way. Each row has ``empirical_sd`` (the spread of the estimate over the
samples) and ``rms_se`` (the root mean square of the SEs the intervals used): the measurement
of whether an SE is right. The unweighted intervals are reported beside them (they miss: the
bias).

**Cost of the jackknife** (``variance_cost``): ``cx.nps``, ``cx.csat`` and ``cx.compare_nps`` (by
region) with ``calibration=`` on one raked sample of 100 and one of 299 responses, with the
jackknife against the same calls with the linearised variance (``JACKKNIFE_BELOW`` set to 0),
alternating, medians of 15 runs.

Results go to ``benchmarks/results/weighting.json`` (``weighting_quick.json`` with ``--quick``).
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cxkit as cx  # noqa: E402
import cxkit.analysis.nps as nps_module  # noqa: E402
from cxkit.errors import DataWarning  # noqa: E402

BAND = (0.93, 0.97)

# --------------------------------------------------------------------------- speed

SEGMENTS = {"Consumer": 0.55, "SMB": 0.30, "Enterprise": 0.15}
REGIONS = {"EU": 0.35, "US": 0.30, "APAC": 0.20, "LATAM": 0.15}
CHANNELS = {"web": 0.35, "app": 0.30, "phone": 0.15, "store": 0.10, "email": 0.10}


def _responses(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    # sample mixes unlike the targets, so the raking has work to do
    return pd.DataFrame(
        {
            "segment": rng.choice(list(SEGMENTS), n, p=[0.4, 0.3, 0.3]),
            "region": rng.choice(list(REGIONS), n, p=[0.5, 0.2, 0.2, 0.1]),
            "channel": rng.choice(list(CHANNELS), n, p=[0.2, 0.4, 0.1, 0.2, 0.1]),
        }
    )


def _pandas_rake(df: pd.DataFrame, margins: dict, tol: float = 1e-6, max_iter: int = 100) -> pd.Series:
    """Row-level raking as a pandas script writes it (the peer)."""
    w = pd.Series(1.0, index=df.index)
    for _ in range(max_iter):
        for col, targets in margins.items():
            total = w.sum()
            current = w.groupby(df[col]).transform("sum")
            w = w * df[col].map(targets) * total / current
        error = max(
            (w.groupby(df[col]).sum() / w.sum() - pd.Series(targets)).abs().max() for col, targets in margins.items()
        )
        if error < tol:
            break
    return w / w.mean()


def speed(n: int, runs: int) -> dict:
    df = _responses(n)
    margins = {"segment": SEGMENTS, "region": REGIONS, "channel": CHANNELS}
    times: dict[str, list[float]] = {"cxkit": [], "pandas_rake": [], "factorize": []}
    ours = peer = None
    for _ in range(runs):  # alternate, so that load changes hit every contender alike
        t = time.perf_counter()
        ours = cx.rake(df, margins)
        times["cxkit"].append(time.perf_counter() - t)
        t = time.perf_counter()
        peer = _pandas_rake(df, margins)
        times["pandas_rake"].append(time.perf_counter() - t)
        t = time.perf_counter()
        for col in margins:
            pd.factorize(df[col])
        times["factorize"].append(time.perf_counter() - t)
    med = {k: float(np.median(v)) for k, v in times.items()}
    assert ours is not None and peer is not None
    return {
        "rows": n,
        "margins": {k: len(v) for k, v in margins.items()},
        "runs": runs,
        "median_s": med,
        "ratio_to_pandas_rake": med["cxkit"] / med["pandas_rake"],
        "ratio_to_factorize": med["cxkit"] / med["factorize"],
        "max_abs_difference_to_peer": float(np.abs(ours.to_numpy() - peer.to_numpy()).max()),
        "passes": ours.attrs["weighting"]["iterations"],
        "under_5_s": med["cxkit"] < 5.0,
    }


# --------------------------------------------------------------------------- coverage

POP_SEGMENTS = {"Consumer": 0.6, "SMB": 0.3, "Enterprise": 0.1}
POP_REGIONS = {"EU": 0.4, "US": 0.4, "APAC": 0.2}
#: response propensity = segment factor x region factor (raking on both margins removes the bias)
PROPENSITY_SEGMENT = {"Consumer": 1.0, "SMB": 2.0, "Enterprise": 5.0}
PROPENSITY_REGION = {"EU": 3.0, "US": 1.0, "APAC": 1.5}
DRIVERS = ["support", "price", "quality", "delivery"]
#: The share of each segment that answers in the app (the channel compared with compare_nps).
APP_SHARE = {"Consumer": 0.7, "SMB": 0.4, "Enterprise": 0.15}
#: The differences of NPS the coverage checks (cx.compare_nps, group against the rest): a
#: raking margin's level, and a group that is not a margin but shares the margins' cells.
COMPARISONS = (("region", "EU"), ("channel", "app"))


def _population(size: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    seg = rng.choice(list(POP_SEGMENTS), size, p=list(POP_SEGMENTS.values()))
    reg = rng.choice(list(POP_REGIONS), size, p=list(POP_REGIONS.values()))
    seg_effect = pd.Series(seg).map({"Consumer": -0.8, "SMB": 0.0, "Enterprise": 1.2}).to_numpy()
    reg_effect = pd.Series(reg).map({"EU": 0.6, "US": -0.3, "APAC": 0.0}).to_numpy()
    x = rng.normal(size=(size, 4)) @ np.array([[1, 0.3, 0.2, 0], [0, 1, 0.4, 0.1], [0, 0, 1, 0.3], [0, 0, 0, 1]])
    # the drivers matter more for Enterprise: the weighted driver shares differ from the unweighted
    slope = np.where(seg == "Enterprise", 1.6, 1.0)[:, None] * np.array([0.5, 0.25, 0.4, 0.1])
    latent = 7.0 + seg_effect + reg_effect + (x * slope).sum(axis=1) + rng.normal(scale=1.2, size=size)
    nps = np.clip(np.rint(latent), 0, 10)
    csat = np.clip(np.rint(3.4 + 0.4 * (latent - 7) + rng.normal(scale=0.7, size=size)), 1, 5)
    df = pd.DataFrame(x, columns=DRIVERS)
    df["segment"], df["region"], df["nps"], df["csat"] = seg, reg, nps, csat
    df["propensity"] = (
        pd.Series(seg).map(PROPENSITY_SEGMENT).to_numpy() * pd.Series(reg).map(PROPENSITY_REGION).to_numpy()
    )
    # a channel that is not a raking margin and goes with the segment (app mostly Consumer); drawn
    # from its own stream, so the columns above are those of the runs before it was added
    app = np.random.default_rng(seed + 7).random(size) < pd.Series(seg).map(APP_SHARE).to_numpy()
    df["channel"] = np.where(app, "app", "web")
    return df


def _truth(pop: pd.DataFrame) -> dict:
    from cxkit.analysis.drivers import _lmg

    def net(scores: pd.Series) -> float:
        return float(100 * (np.mean(scores >= 9) - np.mean(scores <= 6)))

    nps = net(pop["nps"])
    differences = {
        f"{by}={group}": net(pop.loc[pop[by] == group, "nps"]) - net(pop.loc[pop[by] != group, "nps"])
        for by, group in COMPARISONS
    }
    corr = np.corrcoef(pop[[*DRIVERS, "nps"]].to_numpy(), rowvar=False)
    imp, r2 = _lmg(corr)
    return {
        "nps": float(nps),
        "csat_mean": float(pop["csat"].mean()),
        "csat_top2": float(np.mean(pop["csat"] >= 4)),
        "shares": dict(zip(DRIVERS, (imp / r2).tolist())),
        "differences": differences,
    }


def coverage(reps: int, n: int, driver_reps: int, seed: int = 29, kpis: bool = True) -> list[dict]:
    """Coverage of the weighted intervals on ``reps`` raked samples of ``n`` (the driver shares on
    the first ``driver_reps``). ``kpis=False`` measures the driver shares only, on the same
    samples (the sample stream does not depend on it)."""
    pop = _population(1_000_000, seed)
    truth = _truth(pop)
    # realised population shares of the margins: the "known customer mix" the survey is raked to
    margins = {
        "segment": pop["segment"].value_counts(normalize=True).to_dict(),
        "region": pop["region"].value_counts(normalize=True).to_dict(),
    }
    p = pop["propensity"].to_numpy() / pop["propensity"].sum()
    rng = np.random.default_rng(seed + 1)
    hits: dict[str, list[bool]] = {}
    widths: dict[str, list[float]] = {}
    contains: dict[str, list[bool]] = {}
    deff = []

    estimates: dict[str, list[float]] = {}
    ses: dict[str, list[float]] = {}

    def record(name: str, low: float, high: float, estimate: float, true: float, se: float = np.nan) -> None:
        hits.setdefault(name, []).append(bool(low <= true <= high))
        widths.setdefault(name, []).append(high - low)
        contains.setdefault(name, []).append(bool(low <= estimate <= high))
        estimates.setdefault(name, []).append(estimate)
        ses.setdefault(name, []).append(se)

    for r in range(reps if kpis else driver_reps):
        sample = pop.iloc[rng.choice(len(pop), n, replace=False, p=p)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            w = cx.rake(sample, margins)
        s = sample.assign(w=w.to_numpy())
        deff.append(w.attrs["weighting"]["deff"])
        # weighted: the linearised variance of the raked estimator (calibration=), and Kish's
        # effective n without it (what the intervals used before: too wide)
        calibrated = w.attrs["weighting"]
        variants = (
            ("weighted", "w", calibrated),
            ("weighted, Kish n", "w", None),
            ("unweighted", None, None),
        )
        for label, weights, calibration in variants if kpis else ():
            a = cx.nps(s, weights=weights, check_scale=False, calibration=calibration).iloc[0]  # few 0s: still 0-10
            record(f"nps {label}", a["ci_low"], a["ci_high"], a["nps"], truth["nps"], a["se"])
            if weights is not None:
                aw = cx.nps(s, weights=weights, check_scale=False, calibration=calibration, ci="adjusted-wald").iloc[0]
                record(f"nps adjusted-wald {label}", aw["ci_low"], aw["ci_high"], aw["nps"], truth["nps"], aw["se"])
            c = cx.csat(s, weights=weights, calibration=calibration)
            m, t = c.iloc[0], c.iloc[1]
            record(f"csat mean {label}", m["ci_low"], m["ci_high"], m["value"], truth["csat_mean"], m["se"])
            record(f"csat top-2-box {label}", t["ci_low"], t["ci_high"], t["value"], truth["csat_top2"], t["se"])
            for by, group in COMPARISONS:
                # the difference of two weighted NPS of one raked sample: with calibration= the
                # linearised SE of the difference (the two sides correlated by the raking)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DataWarning)
                    compared = cx.compare_nps(s, by=by, weights=weights, calibration=calibration)
                d = compared[compared["group"] == group].iloc[0]
                record(
                    f"nps difference {group} - rest {label}",
                    d["diff_ci_low"],
                    d["diff_ci_high"],
                    d["diff"],
                    truth["differences"][f"{by}={group}"],
                    d["se"],
                )
        if r < driver_reps:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                kd = cx.key_drivers(s, "nps", DRIVERS, bootstrap=200, seed=r, weights="w").set_index("driver")
            for d in DRIVERS:
                record(
                    f"driver share {d} weighted",
                    kd.loc[d, "ci_low"],
                    kd.loc[d, "ci_high"],
                    kd.loc[d, "share"],
                    truth["shares"][d],
                )
    rows = []
    for name in hits:
        h = np.array(hits[name])
        c = float(h.mean())
        rows.append(
            {
                "case": f"raked sample, n = {n}",
                "quantity": name,
                "coverage": c,
                "mc_se": float(np.sqrt(c * (1 - c) / h.size)),
                "replications": int(h.size),
                "contains_estimate": float(np.mean(contains[name])),
                "mean_width": float(np.mean(widths[name])),
                # the spread of the estimate over the samples against the SE the intervals use
                "empirical_sd": float(np.std(estimates[name], ddof=1)),
                "rms_se": float(np.sqrt(np.mean(np.square(ses[name])))) if np.isfinite(ses[name]).all() else None,
                "in_band": bool(BAND[0] <= c <= BAND[1]),
                "variance": (
                    ("jackknife" if n < nps_module.JACKKNIFE_BELOW else "linearised")
                    if name.endswith(" weighted")
                    else "kish"
                    if name.endswith("Kish n")
                    else "unweighted"
                )
                if not name.startswith("driver")
                else "bootstrap",
                "mean_deff": float(np.mean(deff)),
            }
        )
    return rows


def variance_cost(runs: int = 15, seed: int = 29) -> list[dict]:
    """Seconds of the calibrated estimates on one raked sample with the jackknife and with the
    linearised variance (alternating rounds, medians)."""
    pop = _population(200_000, seed)
    margins = {m: pop[m].value_counts(normalize=True).to_dict() for m in ("segment", "region")}
    p = pop["propensity"].to_numpy() / pop["propensity"].sum()
    rng = np.random.default_rng(seed + 2)
    out = []
    for n in (100, nps_module.JACKKNIFE_BELOW - 1):
        sample = pop.iloc[rng.choice(len(pop), n, replace=False, p=p)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            w = cx.rake(sample, margins)
        s = sample.assign(w=w.to_numpy())
        info = w.attrs["weighting"]

        def estimates(s: pd.DataFrame = s, info: dict = info) -> None:
            cx.nps(s, weights="w", calibration=info, check_scale=False)
            cx.csat(s, weights="w", calibration=info)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataWarning)
                cx.compare_nps(s, by="region", weights="w", calibration=info)

        times: dict[str, list[float]] = {"jackknife": [], "linearised": []}
        below = nps_module.JACKKNIFE_BELOW
        try:
            for _ in range(runs):
                for label, threshold in (("jackknife", below), ("linearised", 0)):
                    nps_module.JACKKNIFE_BELOW = threshold
                    t = time.perf_counter()
                    estimates()
                    times[label].append(time.perf_counter() - t)
        finally:
            nps_module.JACKKNIFE_BELOW = below
        med = {k: float(np.median(v)) for k, v in times.items()}
        out.append(
            {
                "rows": n,
                "calls": "nps + csat (mean, top-2-box) + compare_nps by region",
                "runs": runs,
                "median_s": med,
                "ratio_jackknife_to_linearised": med["jackknife"] / med["linearised"],
                "load": os.getloadavg()[0],
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run (fewer rows and replications)")
    parser.add_argument("--coverage-only", action="store_true", help="skip the speed part (keeps the stored one)")
    parser.add_argument(
        "--drivers-only",
        type=int,
        metavar="REPS",
        help="only the weighted driver shares' coverage, on REPS samples of 500 and of 2,000 (a superset of "
        "the full run's 400 and 200); stored as 'driver_coverage' beside the full run's figures",
    )
    args = parser.parse_args(argv)
    if args.drivers_only:
        stored = ROOT / "benchmarks" / "results" / "weighting.json"
        load = os.getloadavg()
        t0 = time.perf_counter()
        rows = coverage(0, 500, args.drivers_only, kpis=False) + coverage(0, 2000, args.drivers_only, kpis=False)
        for n in (500, 2000):
            hits = [r for r in rows if r["case"] == f"raked sample, n = {n}"]
            c = float(np.mean([r["coverage"] for r in hits]))
            size = sum(r["replications"] for r in hits)
            rows.append(
                {
                    "case": f"raked sample, n = {n}",
                    "quantity": "driver share, all drivers pooled",
                    "coverage": c,
                    "mc_se": float(np.sqrt(c * (1 - c) / size)),  # as if the drivers' hits were independent
                    "replications": size,
                    "in_band": bool(BAND[0] <= c <= BAND[1]),
                    "variance": "bootstrap",
                }
            )
        data = json.loads(stored.read_text())
        data["driver_coverage"] = {
            "command": f"benchmarks/weighting.py --drivers-only {args.drivers_only}",
            "load_before": load,
            "load_after": os.getloadavg(),
            "seconds": time.perf_counter() - t0,
            "rows": rows,
        }
        stored.write_text(json.dumps(data, indent=2) + "\n")
        print(
            pd.DataFrame(rows)[["case", "quantity", "coverage", "mc_se", "replications", "in_band"]].to_string(
                index=False
            )
        )
        return 0
    started = time.perf_counter()
    load_before = os.getloadavg()
    name = "weighting_quick.json" if args.quick else "weighting.json"
    stored = ROOT / "benchmarks" / "results" / name
    if args.coverage_only and stored.exists():
        result_speed = json.loads(stored.read_text())["speed"]
    else:
        result_speed = speed(200_000 if args.quick else 1_000_000, 3 if args.quick else 5)
    cost = variance_cost(5 if args.quick else 15)
    rows = []
    for n, reps, driver_reps in (
        ((500, 200, 50), (2000, 100, 20)) if args.quick else ((100, 4000, 0), (500, 2000, 400), (2000, 2000, 200))
    ):
        rows += coverage(reps, n, driver_reps)
    out = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "load_after": os.getloadavg(),
        },
        "speed": result_speed,
        "variance_cost": cost,
        "coverage": rows,
        "band": list(BAND),
        "seconds": time.perf_counter() - started,
    }
    (ROOT / "benchmarks" / "results" / name).write_text(json.dumps(out, indent=2) + "\n")
    s = result_speed
    print(
        f"rake {s['rows']:,} rows x 3 margins: {s['median_s']['cxkit']:.2f} s (pandas row-level raking "
        f"{s['median_s']['pandas_rake']:.2f} s, ratio {s['ratio_to_pandas_rake']:.2f}; factorize floor "
        f"{s['median_s']['factorize']:.2f} s, ratio {s['ratio_to_factorize']:.2f}); load {load_before[0]:.1f}"
    )
    for c in cost:
        print(
            f"calibrated estimates on {c['rows']} rows: jackknife {1000 * c['median_s']['jackknife']:.1f} ms, "
            f"linearised {1000 * c['median_s']['linearised']:.1f} ms (ratio {c['ratio_jackknife_to_linearised']:.2f})"
        )
    print(
        pd.DataFrame(rows)[
            ["case", "quantity", "coverage", "mc_se", "replications", "mean_width", "in_band"]
        ].to_string(index=False)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
