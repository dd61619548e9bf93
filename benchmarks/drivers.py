"""Speed of exact Shapley/LMG key-driver analysis, against two Python peers in the same run.

    .venv/bin/python benchmarks/drivers.py            # the issue's sizes (about 2-3 minutes)
    .venv/bin/python benchmarks/drivers.py --quick    # smaller sizes, a few seconds
    .venv/bin/python benchmarks/drivers.py --peers /tmp/nps_peers

Goals (issue #4, on this 2-core machine): exact Shapley with 15 drivers and 100,000 responses
in at most 0.5 s; the same with 200 bootstrap resamples in at most 10 s; 20 drivers exact in
at most 10 s. Peers, run on the same simulated data in the same process:

- pingouin ``linear_regression(X, y, relimp=True)`` (LMG from the correlation matrix, one
  pseudo-inverse per subset),
- ``dominance-analysis`` ``Dominance(...).incremental_rsquare()`` (one scikit-learn fit per
  subset on the raw rows; so slow that it runs on a smaller problem, stated in the table).

The peers are not cxkit dependencies. Install them anywhere outside the project, e.g.
``pip install --target /tmp/nps_peers --no-deps pingouin dominance-analysis scikit-learn
joblib threadpoolctl tqdm tabulate pandas-flavor`` and pass ``--peers /tmp/nps_peers`` (or set
``CXKIT_BENCH_PEERS``); the folder is appended to ``sys.path`` so the project's numpy and pandas
stay in use. dominance-analysis imports bokeh, plotly and cufflinks at import time for its
plots and uses ``np.bool8``; the benchmark stubs those (numpy 2 removed ``bool8``). A peer that
cannot be imported is skipped with the reason printed.

Each figure is the median of several runs; each peer's ratio is its median time over cxkit's
median time on the same data. Results go to ``benchmarks/results/drivers.json`` (or
``drivers_quick.json``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import sys
import time
import types
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cxkit as cx  # noqa: E402


def make_data(n: int, p: int, seed: int = 0) -> tuple[pd.DataFrame, list[str]]:
    """Survey-like data: p ratings 1-10 sharing a factor, an NPS-like 0-10 target."""
    rng = np.random.default_rng(seed)
    common = rng.standard_normal((n, 1))
    ratings = np.clip(np.rint(6 + 1.0 * common + 1.8 * rng.standard_normal((n, p))), 1, 10)
    weights = np.linspace(0.6, 0.02, p)
    target = np.clip(np.rint(-4 + ratings @ weights / weights.sum() * 1.6 + rng.standard_normal(n)), 0, 10)
    names = [f"driver_{i:02d}" for i in range(p)]
    df = pd.DataFrame(ratings, columns=names)
    df["nps"] = target
    return df, names


def timed(fn, repeat: int) -> tuple[float, list[float], object]:
    runs, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), runs, out


def cxkit_lmg(df, names, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return cx.key_drivers(df, "nps", names, **kw)


# --------------------------------------------------------------------------- peers


def add_peers(path: str | None) -> None:
    if path:
        sys.path.append(str(Path(path).resolve()))


def import_pingouin():
    import pingouin

    return pingouin


def import_dominance():
    # numpy 2 removed np.bool8; the package's plotting imports (bokeh, plotly, cufflinks) are
    # stubbed because the benchmark never plots.
    if not hasattr(np, "bool8"):
        np.bool8 = np.bool_
    stubs = {
        "bokeh": {},
        "bokeh.io": {"output_notebook": lambda *a, **k: None},
        "bokeh.plotting": {"figure": None, "show": None},
        "bokeh.models": {"ColumnDataSource": None, "LabelSet": None},
        "bokeh.models.formatters": {"NumeralTickFormatter": None},
        "plotly": {"offline": None},
        "plotly.offline": {"init_notebook_mode": lambda *a, **k: None, "iplot": None},
        "cufflinks": {},
    }
    for name, attrs in stubs.items():
        if name not in sys.modules:
            module = types.ModuleType(name)
            module.__dict__.update(attrs)
            sys.modules[name] = module
    from dominance_analysis import Dominance

    return Dominance


def run_pingouin(pingouin, df, names):
    out = pingouin.linear_regression(df[names], df["nps"], relimp=True)
    return out.set_index("names").loc[names, "relimp"].to_numpy(float)


def run_dominance(Dominance, df, names):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        model = Dominance(data=df[names + ["nps"]].copy(), target="nps", objective=1, top_k=len(names))
        incr = model.incremental_rsquare()
    return np.array([incr[n] for n in names], dtype=float)


def peer_case(label, version, importer, runner, df, names, repeat, cx_seconds, cx_importance):
    try:
        module = importer()
    except Exception as err:  # any import problem means the peer is skipped, with the reason
        return {"peer": label, "skipped": f"{type(err).__name__}: {err}"}
    seconds, runs, values = timed(lambda: runner(module, df, names), repeat)
    return {
        "peer": label,
        "version": version(module),
        "drivers": len(names),
        "rows": len(df),
        "seconds": seconds,
        "runs": runs,
        "cxkit_seconds": cx_seconds,
        "ratio": seconds / cx_seconds,
        "max_abs_diff_importance": float(np.max(np.abs(values - cx_importance))),
    }


def _version(dist: str):
    def get(_module):
        from importlib.metadata import version

        try:
            return version(dist)
        except Exception:
            return "unknown"

    return get


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--peers",
        default=os.environ.get("CXKIT_BENCH_PEERS"),
        help="folder with pingouin / dominance-analysis installed (appended to sys.path)",
    )
    args = parser.parse_args(argv)
    add_peers(args.peers)
    quick = args.quick
    rows = 20_000 if quick else 100_000
    fast, slow = (3, 1) if quick else (7, 3)
    boot = 50 if quick else 200

    cases = []
    print(
        f"cxkit key-driver benchmark ({'quick' if quick else 'full'}), {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )

    def case(name, p, n, goal, repeat, **kw):
        df, names = make_data(n, p)
        seconds, runs, out = timed(lambda: cxkit_lmg(df, names, **kw), repeat)
        row = {
            "case": name,
            "drivers": p,
            "rows": n,
            "bootstrap": kw.get("bootstrap", 0),
            "method": kw.get("method", "shapley"),
            "seconds": seconds,
            "runs": runs,
            "goal_seconds": goal,
            "meets_goal": None if goal is None else seconds <= goal,
        }
        cases.append(row)
        print(
            f"  {name:<44} {seconds:8.3f} s"
            + (f"  (goal {goal:g} s: {'ok' if seconds <= goal else 'MISSED'})" if goal else "")
        )
        return df, names, seconds, out

    df15, names15, t15, kd15 = case("exact Shapley, 15 drivers", 15, rows, 0.5, fast, bootstrap=0)
    case(f"exact Shapley, 15 drivers, {boot} bootstrap", 15, rows, 10.0, slow, bootstrap=boot)
    df20, names20, t20, kd20 = case("exact Shapley, 20 drivers", 20, rows, 10.0, slow, bootstrap=0)
    case("relative weights, 15 drivers", 15, rows, None, fast, bootstrap=0, method="relative_weights")
    case("both methods, 8 drivers (sample-sized month)", 8, 2_000, None, slow, bootstrap=200, method="both")

    def importance(kd, names):
        return kd.set_index("driver").loc[names, "importance"].to_numpy(float)

    peers = []
    print("peers (same data, same run; ratio = peer time / cxkit time):")
    peers.append(
        peer_case(
            "pingouin linear_regression(relimp=True)",
            _version("pingouin"),
            import_pingouin,
            run_pingouin,
            df15,
            names15,
            1 if quick else 3,
            t15,
            importance(kd15, names15),
        )
    )
    if not quick:
        peers.append(
            peer_case(
                "pingouin linear_regression(relimp=True)",
                _version("pingouin"),
                import_pingouin,
                run_pingouin,
                df20,
                names20,
                1,
                t20,
                importance(kd20, names20),
            )
        )
    p_dom, n_dom = (8, 5_000) if quick else (10, 20_000)
    df_d, names_d = make_data(n_dom, p_dom, seed=1)
    t_d, _, kd_d = timed(lambda: cxkit_lmg(df_d, names_d, bootstrap=0), fast)
    peers.append(
        peer_case(
            "dominance-analysis incremental_rsquare()",
            _version("dominance-analysis"),
            import_dominance,
            run_dominance,
            df_d,
            names_d,
            1,
            t_d,
            importance(kd_d, names_d),
        )
    )
    for peer in peers:
        if "skipped" in peer:
            print(f"  {peer['peer']:<44} skipped: {peer['skipped']}")
        else:
            print(
                f"  {peer['peer']:<44} {peer['drivers']} drivers x {peer['rows']:,} rows: {peer['seconds']:8.3f} s "
                f"vs cxkit {peer['cxkit_seconds']:.3f} s -> {peer['ratio']:,.0f}x slower; "
                f"max |difference| {peer['max_abs_diff_importance']:.1e}"
            )

    out = ROOT / "benchmarks" / "results" / ("drivers_quick.json" if quick else "drivers.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "benchmark": "drivers",
                "mode": "quick" if quick else "full",
                "cores": os.cpu_count(),
                "python": platform.python_version(),
                "numpy": np.__version__,
                "pandas": pd.__version__,
                "note": "seconds = median of runs; ratio = peer median / cxkit median on the same data in the same run",
                "cases": cases,
                "peers": peers,
            },
            indent=2,
        )
    )
    print(f"written {out.relative_to(ROOT)}")
    missed = [c["case"] for c in cases if c["meets_goal"] is False]
    if missed:
        print(f"goals missed: {missed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
