"""Speed of the journey analyses on 2,000,000 events, against peers measured in the same run.

    .venv/bin/python benchmarks/journey.py              # 2,000,000 events, 3 runs (about 1-2 minutes)
    .venv/bin/python benchmarks/journey.py --quick      # 200,000 events, a few seconds

Goal (issue #7, on this 2-core machine): 2,000,000 journey events compared and funnelled in at
most 20 s, i.e. :func:`cxkit.compare_stages` (per-stage CIs, ANOVA, Welch ANOVA, Kruskal-Wallis,
Games-Howell, Tukey, Dunn, proportional-odds model) + :func:`cxkit.analysis.funnel` +
:func:`cxkit.funnel_by_month`. The events are the sample generator's journey table
(``cxkit.data.sample.generate(scale=...)``, the first N rows) in the canonical dtypes; making them is
not timed. The touchpoint analyses are timed too, outside the goal.

Peers, on the same events in the same process (ratio = peer median / cxkit median):

- scipy: ``f_oneway`` + ``kruskal`` + ``tukey_hsd`` over the five stages (a subset of what
  compare_stages computes);
- statsmodels ``OrderedModel`` (BFGS) fitted on the rows (100,000 scored events drawn at random;
  20,000 with ``--quick``: the row-level fit takes minutes on 2,000,000) against cxkit's fit on the (stage, score) counts of the same rows;
  the coefficients must agree;
- pandas: the funnel and the monthly funnel written the obvious way with ``groupby``; the
  counts must agree.

Each figure is the median of ``--repeat`` runs. Results: ``benchmarks/results/journey.json``
(``journey_quick.json`` with ``--quick``).
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
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # a checkout without `pip install -e .`

import cxkit as cx  # noqa: E402
from cxkit.data.sample import generate  # noqa: E402
from cxkit.data.schema import STAGE_DTYPE  # noqa: E402

LIMIT_S = 20.0
ORDINAL_ROWS = {"full": 100_000, "quick": 20_000}


def make_events(n: int, seed: int = 20261) -> pd.DataFrame:
    """The first ``n`` events of a generated journey table, in the canonical dtypes."""
    scale = n / 60_000 * 1.03
    journey = generate(seed=seed, scale=scale)["journey"]
    if len(journey) < n:
        raise RuntimeError(f"the generator made {len(journey):,} events at scale {scale:.1f}, fewer than {n:,}")
    events = journey.head(n).copy()
    events["occurred_at"] = pd.to_datetime(events["occurred_at"], format="ISO8601")
    events["journey_stage"] = events["journey_stage"].astype(STAGE_DTYPE)
    for column in ("event_id", "customer_id", "touchpoint", "channel", "segment"):
        events[column] = events[column].astype("string")
    events["success"] = events["success"].astype("boolean")
    events["duration_s"] = events["duration_s"].astype("Float64")
    return events


def timed(func, repeat: int):
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), runs, result


# --------------------------------------------------------------------------- the goal


def compare_and_funnel(events: pd.DataFrame):
    return (cx.compare_stages(events, score="csat"), cx.funnel(events), cx.funnel_by_month(events))


# --------------------------------------------------------------------------- peers


def scipy_peer(events: pd.DataFrame):
    from scipy import stats

    scored = events.dropna(subset=["csat"])
    groups = [g["csat"].to_numpy(dtype=float) for _, g in scored.groupby("journey_stage", observed=True)]
    return stats.f_oneway(*groups), stats.kruskal(*groups), stats.tukey_hsd(*groups)


def statsmodels_ordinal(rows: pd.DataFrame):
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    exog = pd.get_dummies(rows["journey_stage"].astype(str), dtype=float)[list(cx.STAGES[1:])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return OrderedModel(rows["csat"].astype(int).to_numpy(), exog, distr="logit").fit(
            method="bfgs", disp=False, maxiter=500
        )


def pandas_funnel(events: pd.DataFrame) -> pd.DataFrame:
    furthest = events["journey_stage"].cat.codes.groupby(events["customer_id"]).max()
    reached = [int((furthest >= i).sum()) for i in range(len(cx.STAGES))]
    first = events.groupby(["customer_id", "journey_stage"], observed=True)["occurred_at"].min().unstack()
    days = [np.nan] + [
        ((first[b] - first[a]).dropna() / pd.Timedelta(days=1)).median() for a, b in zip(cx.STAGES, cx.STAGES[1:])
    ]
    return pd.DataFrame({"stage": cx.STAGES, "reached": reached, "median_days": days})


def pandas_monthly(events: pd.DataFrame) -> pd.DataFrame:
    month = events["occurred_at"].dt.to_period("M")
    furthest = events["journey_stage"].cat.codes.groupby([month, events["customer_id"]]).max()
    counts = furthest.groupby(level=0).value_counts().unstack(fill_value=0).reindex(columns=range(5), fill_value=0)
    return counts.iloc[:, ::-1].cumsum(axis=1).iloc[:, ::-1]


# --------------------------------------------------------------------------- run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200,000 events instead of 2,000,000")
    parser.add_argument("--events", type=int, default=None, help="number of events (default 2,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median reported)")
    args = parser.parse_args(argv)
    n = args.events or (200_000 if args.quick else 2_000_000)
    repeat = args.repeat

    start = time.perf_counter()
    events = make_events(n)
    make_s = time.perf_counter() - start
    print(
        f"{len(events):,} events ({events['customer_id'].nunique():,} customers, "
        f"{events['csat'].notna().sum():,} CSAT scores) made in {make_s:.1f} s (not timed)"
    )

    figures = {}
    goal_s, goal_runs, (comparison, funnel, months) = timed(lambda: compare_and_funnel(events), repeat)
    figures["compare_stages + funnel + funnel_by_month"] = (goal_s, goal_runs)
    for name, func in [
        ("compare_stages(score='csat')", lambda: cx.compare_stages(events, score="csat")),
        ("funnel", lambda: cx.funnel(events)),
        ("funnel_by_month", lambda: cx.funnel_by_month(events)),
        ("compare_stages(stage='touchpoint')", lambda: cx.compare_stages(events, score="csat", stage="touchpoint")),
        ("pain_points", lambda: cx.pain_points(events)),
        ("touchpoint_performance", lambda: cx.touchpoint_performance(events)),
        ("channel_consistency", lambda: cx.channel_consistency(events)),
    ]:
        median, runs, _ = timed(func, repeat)
        figures[name] = (median, runs)

    peers = []
    cx_compare = figures["compare_stages(score='csat')"][0]
    scipy_s, _, (anova, kruskal, _tukey) = timed(lambda: scipy_peer(events), repeat)
    agree = bool(
        np.isclose(anova.statistic, comparison.test("ANOVA")["statistic"], rtol=1e-9)
        and np.isclose(kruskal.statistic, comparison.test("Kruskal-Wallis")["statistic"], rtol=1e-9)
    )
    peers.append(
        {
            "peer": "scipy f_oneway + kruskal + tukey_hsd (subset of compare_stages)",
            "rows": int(n),
            "peer_s": scipy_s,
            "cxkit_s": cx_compare,
            "ratio": scipy_s / cx_compare,
            "agree": agree,
        }
    )

    rows = events.dropna(subset=["csat"]).sample(ORDINAL_ROWS["quick" if args.quick else "full"], random_state=1)
    sm_s, _, sm = timed(lambda: statsmodels_ordinal(rows), repeat)
    ours_s, _, ours = timed(lambda: cx.compare_stages(rows, score="csat"), repeat)
    diff = float(np.max(np.abs(ours.ordinal["log_odds"].to_numpy() - sm.params.iloc[:4].to_numpy())))
    peers.append(
        {
            "peer": "statsmodels OrderedModel on rows vs compare_stages (all tests + counted model)",
            "rows": int(len(rows)),
            "peer_s": sm_s,
            "cxkit_s": ours_s,
            "ratio": sm_s / ours_s,
            "agree": diff < 1e-3,
            "max_abs_coef_diff": diff,
        }
    )  # SEs are ~0.02

    pf_s, _, pf = timed(lambda: pandas_funnel(events), repeat)
    agree = pf["reached"].tolist() == funnel["reached"].tolist() and np.allclose(
        pf["median_days"].to_numpy(dtype=float)[1:], funnel["median_days"].to_numpy()[1:], rtol=1e-9
    )
    cx_funnel = figures["funnel"][0]
    peers.append(
        {
            "peer": "pandas groupby funnel",
            "rows": int(n),
            "peer_s": pf_s,
            "cxkit_s": cx_funnel,
            "ratio": pf_s / cx_funnel,
            "agree": bool(agree),
        }
    )

    pm_s, _, pm = timed(lambda: pandas_monthly(events), repeat)
    last = str(pm.index[-1])
    ours_last = months[months["month"] == last]
    agree = ours_last["entered"].tolist() == pm.iloc[-1, :4].tolist()
    cx_month = figures["funnel_by_month"][0]
    peers.append(
        {
            "peer": "pandas groupby monthly funnel (counts only)",
            "rows": int(n),
            "peer_s": pm_s,
            "cxkit_s": cx_month,
            "ratio": pm_s / cx_month,
            "agree": bool(agree),
        }
    )

    width = max(map(len, figures))
    print(f"\n{'figure':<{width}}  median s  runs")
    for name, (median, runs) in figures.items():
        print(f"{name:<{width}}  {median:8.2f}  {', '.join(f'{r:.2f}' for r in runs)}")
    verdict = "meets" if goal_s <= LIMIT_S else "MISSES"
    print(f"\ngoal: {n:,} events compared and funnelled in {goal_s:.2f} s ({verdict} the {LIMIT_S:.0f} s limit)")
    print(f"\n{'peer':<78} {'rows':>9} {'peer s':>8} {'cxkit s':>8} {'ratio':>7}  agree")
    for p in peers:
        print(f"{p['peer']:<78} {p['rows']:>9,} {p['peer_s']:8.2f} {p['cxkit_s']:8.2f} {p['ratio']:7.2f}  {p['agree']}")

    out = {
        "benchmark": "journey",
        "events": int(n),
        "repeat": repeat,
        "limit_s": LIMIT_S,
        "goal_s": goal_s,
        "meets_goal": goal_s <= LIMIT_S,
        "make_events_s": make_s,
        "figures": {name: {"median_s": median, "runs_s": runs} for name, (median, runs) in figures.items()},
        "peers": peers,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "pandas": pd.__version__,
            "numpy": np.__version__,
        },
        "command": "benchmarks/journey.py" + (" --quick" if args.quick else ""),
    }
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / ("journey_quick.json" if args.quick else "journey.json")
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nwritten {path.relative_to(ROOT)}")
    return 0 if goal_s <= LIMIT_S else 1


if __name__ == "__main__":
    sys.exit(main())
