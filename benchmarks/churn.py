"""Speed of the churn model and its report on 500,000 customers x 30 covariates.

    .venv/bin/python benchmarks/churn.py            # the issue's size (about 2 minutes)
    .venv/bin/python benchmarks/churn.py --quick    # 50,000 customers, a few seconds

Goal (issue #6, on this 2-core machine): 500,000 customers x 30 covariates modelled and
reported in at most 30 s. "Modelled and reported" is everything the churn notebook does with the
model: ``cx.churn_model`` (logistic regression, 5-fold stratified cross-validation, calibration,
Brier, VIF, separation / events-per-parameter / leakage / collinearity checks), its HTML
rendering, revenue at risk by segment with delta-method intervals, the findings, and the forest
and calibration figures as PNG.

Peer, on the same data in the same run: one plain statsmodels fit of the same formula
(``smf.logit(formula, data).fit()``, no cross-validation and no checks), on the same prepared
columns. Its ratio says how many plain fits the whole modelled-and-reported run costs.

The data are simulated: 3 segments, 17 numeric covariates, 10 categorical covariates with
4 levels, tenure and monthly revenue (30 covariates, 52 model parameters), about 25% churn.
Each figure is the median of several runs; results go to ``benchmarks/results/churn.json``
(or ``churn_quick.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cxkit as cx  # noqa: E402
from cxkit.errors import ChurnWarning  # noqa: E402
from cxkit.pack.churn_regression import calibration_finding, churn_findings, effects_finding  # noqa: E402


def make_data(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {
        "customer_id": [f"C{i:07d}" for i in range(n)],
        "tenure_months": rng.gamma(2.0, 15.0, n).round(2),
        "monthly_revenue": rng.gamma(4.0, 12.0, n).round(2),
        "segment": rng.choice(["Consumer", "SMB", "Enterprise"], n, p=[0.6, 0.3, 0.1]),
    }
    for j in range(17):
        data[f"x{j:02d}"] = rng.standard_normal(n)
    for j in range(10):
        data[f"c{j:02d}"] = rng.choice(["a", "b", "c", "d"], n)
    df = pd.DataFrame(data)
    log_odds = (
        -0.6
        - 0.03 * df["tenure_months"]
        + 0.01 * df["monthly_revenue"]
        + 0.3 * df["x00"]
        - 0.2 * df["x01"]
        + 0.4 * (df["c00"] == "b")
        - 0.5 * (df["segment"] == "Enterprise")
    )
    df["churned"] = rng.random(n) < 1 / (1 + np.exp(-log_odds))
    return df


def run_cxkit(df: pd.DataFrame) -> dict:
    """Everything the churn notebook does with the model; returns the phase timings."""
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ChurnWarning)
        model = cx.churn_model(df, cv=5, seed=0)
    t1 = time.perf_counter()
    html = model._repr_html_()
    risk = cx.revenue_at_risk(model, df, by="segment")
    text = churn_findings(model=model, revenue=risk)
    forest = cx.figure(model.plot_forest().figure, alt=effects_finding(model.summary))
    calibration = cx.figure(model.plot_calibration().figure, alt=calibration_finding(model))
    t2 = time.perf_counter()
    assert html and text and forest.data and calibration.data and len(model.summary) == 52
    return {
        "model": t1 - t0,
        "report": t2 - t1,
        "total": t2 - t0,
        "auc": model.auc,
        "parameters": len(model.summary),
        "formula": model.formula,
    }


def run_peer(df: pd.DataFrame, formula: str) -> float:
    """One plain statsmodels fit of the same formula on the same prepared columns."""
    import statsmodels.formula.api as smf

    from cxkit.analysis._models import model_data

    columns = [c for c in df.columns if c != "customer_id"]
    refs = {c: df[c].value_counts().idxmax() for c in columns if df[c].dtype == object or str(df[c].dtype) == "str"}
    data = model_data(df, columns, event="churned", categorical=refs)
    t0 = time.perf_counter()
    smf.logit(formula, data).fit(disp=0)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50,000 customers instead of 500,000")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median reported)")
    args = parser.parse_args()
    n = 50_000 if args.quick else 500_000
    df = make_data(n)
    goal = None if args.quick else 30.0  # the goal is for the size
    ours, peer = [], []
    for _ in range(args.runs):
        ours.append(run_cxkit(df))
        peer.append(run_peer(df, ours[-1]["formula"]))
    median = {k: statistics.median(r[k] for r in ours) for k in ("model", "report", "total")}
    peer_median = statistics.median(peer)
    result = {
        "benchmark": "churn",
        "mode": "quick" if args.quick else "full",
        "cores": _cores(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "note": "seconds = median of runs; ratio = cxkit total / one plain statsmodels fit of the same formula",
        "customers": n,
        "covariates": 30,
        "parameters": ours[0]["parameters"],
        "cv_folds": 5,
        "auc": ours[0]["auc"],
        "seconds": median,
        "runs": [{k: r[k] for k in ("model", "report", "total")} for r in ours],
        "peer": {
            "name": "statsmodels smf.logit(formula).fit(), one fit, no CV or checks",
            "seconds": peer_median,
            "runs": peer,
        },
        "ratio_total_to_peer": median["total"] / peer_median,
        "goal_seconds": goal,
        "meets_goal": None if goal is None else median["total"] <= goal,
        "load_average": os.getloadavg()[0],
    }
    out = ROOT / "benchmarks" / "results" / ("churn_quick.json" if args.quick else "churn.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"churn benchmark ({result['mode']}): {n:,} customers x 30 covariates, {result['parameters']} parameters, "
        f"median of {args.runs} runs"
    )
    print(f"{'step':<44}{'seconds':>10}")
    print(f"{'cxkit churn_model (5-fold CV and checks)':<44}{median['model']:>10.2f}")
    print(f"{'cxkit report (HTML, revenue at risk, figures)':<44}{median['report']:>10.2f}")
    verdict = "" if goal is None else f"   goal <= {goal:.0f} s: {'met' if result['meets_goal'] else 'NOT met'}"
    print(f"{'cxkit modelled and reported':<44}{median['total']:>10.2f}{verdict}")
    print(f"{'peer: one plain statsmodels fit':<44}{peer_median:>10.2f}   ratio {result['ratio_total_to_peer']:.2f}")
    print(f"wrote {out.relative_to(ROOT)}")


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


if __name__ == "__main__":
    main()
