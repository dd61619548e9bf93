"""Speed of key-driver analysis: exact Shapley/LMG against two Python peers, and the bootstraps
against cxkit's previous implementation, in the same run.

    .venv/bin/python benchmarks/drivers.py                   # everything at the issues' sizes
    .venv/bin/python benchmarks/drivers.py --quick           # smaller sizes, a minute or two
    .venv/bin/python benchmarks/drivers.py --only bootstrap  # issue 31's bootstraps (--load: one core busy)
    .venv/bin/python benchmarks/drivers.py --only threads    # issue 31's BLAS/worker threads, idle and loaded
    .venv/bin/python benchmarks/drivers.py --only accuracy   # issue 31's one-step bootstrap against exact refits
    .venv/bin/python benchmarks/drivers.py --peers /tmp/nps_peers

Goals (issue #31, 2 cores): the linear (exact Shapley) bootstrap with 20 drivers, 100,000 rows
and 200 resamples in at most 10 s; logistic Shapley (binary target) with 200 resamples on 7,000
rows in at most 3 s (5 drivers) and 60 s (12 drivers), with the floor (one Newton step of every
subset's logit per resample) beside them. 12 drivers meet it with the one-step bootstrap that
``bootstrap_method="auto"`` picks there (an approximation, documented in ``cx.key_drivers``):
its floor is the exact point estimate plus one matrix product, and cxkit's exact refits of the
same case are measured beside it; ``--only accuracy`` compares the two on the same resamples
(the benchmark's data and the bank churn data of ``../shared/datasets``). The previous implementation (commit ``PREVIOUS``, read
with ``git show``) runs on the same data with the same seed in alternating rounds; its slowest
cases on fewer resamples, scaled (see :func:`bootstrap_cases`). ``--only threads`` compares the
hot loop's thread settings idle and with a spinner process keeping one core busy.

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
import subprocess
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

#: The implementation before issue 31's bootstraps, measured side by side (git show).
PREVIOUS = "cf86727"


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


# --------------------------------------------------------------------------- bootstraps (issue 31)


def previous_drivers(commit: str = PREVIOUS):
    """cxkit.analysis.drivers as of ``commit`` (before issue 31), imported from ``git show``
    as a sibling module so its relative imports resolve to today's base modules."""
    import importlib.util
    import subprocess
    import tempfile

    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{commit}:cxkit/analysis/drivers.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "drivers_previous.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("cxkit.analysis.drivers_previous", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def logistic_data(n: int, p: int, seed: int = 0) -> tuple[pd.DataFrame, list[str]]:
    """make_data with a promoter-like flag: the top 30% of the score."""
    df, names = make_data(n, p, seed)
    df["promoter"] = df["nps"] >= df["nps"].quantile(0.7)
    return df, names


def spinner() -> subprocess.Popen:
    """A second process keeping one core busy: the load of another kernel or notebook."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def with_threads(n: int | None):
    """CXKIT_THREADS for a measurement (None: cxkit's default, all cores)."""

    @contextlib.contextmanager
    def env():
        before = os.environ.get("CXKIT_THREADS")
        if n is None:
            os.environ.pop("CXKIT_THREADS", None)
        else:
            os.environ["CXKIT_THREADS"] = str(n)
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("CXKIT_THREADS", None)
            else:
                os.environ["CXKIT_THREADS"] = before

    return env()


def floor_one_newton_step(df, names, target: str, resamples: int) -> float:
    """Seconds for one Newton step of every subset's logit on every resample (zero-count rows
    left out, one core): the least work any refit of each subset per resample does. Measured
    on 3 resamples and scaled to ``resamples``."""
    from cxkit._threads import blas_threads
    from cxkit.analysis import drivers as kd

    data = kd._Data(df, target, names, missing="listwise", model="auto")
    n, p = data.x.shape
    _, (coef, _) = kd._logistic_subset_fits(data.x, data.y, np.ones(n), center=data.logit_center)
    runs = []
    with blas_threads(1):
        for stream in np.random.SeedSequence(0).spawn(3):
            w = np.bincount(np.random.default_rng(stream).integers(0, n, n), minlength=n).astype(float)
            keep = w > 0
            design = np.column_stack([np.ones(keep.sum()), data.x[keep] - data.logit_center])
            start = time.perf_counter()
            kd._logistic_newton(design, data.y[keep], w[keep], coef.copy(), kd._subset_masks(p), max_iter=1)
            runs.append(time.perf_counter() - start)
    return statistics.median(runs) * resamples


def floor_one_step(df, names, target: str, resamples: int, point_seconds: float) -> float:
    """The least work of the one-step bootstrap: the exact point estimate (``point_seconds``,
    every subset's logit on the full sample, measured as ``key_drivers(bootstrap=0)``) plus one
    matrix product of the resample counts (resamples x rows) with the rows' terms of every
    subset model (its log-likelihood and score terms: 2 + drivers in it), by BLAS on both
    cores. Median of 3."""
    from cxkit._threads import blas_threads

    n, p = len(df), len(names)
    sizes = np.bitwise_count(np.arange(2**p, dtype=np.uint64)).astype(int)
    terms = int((sizes + 2).sum())
    counts = np.random.default_rng(0).poisson(1.0, (resamples, n)).astype(float)
    runs = []
    with blas_threads(2):
        for _ in range(3):
            block = np.random.default_rng(1).standard_normal((min(terms, 8192), n))  # column blocks of the terms
            start = time.perf_counter()
            for first in range(0, terms, len(block)):
                counts @ block[: min(len(block), terms - first)].T
            runs.append(time.perf_counter() - start)
    return point_seconds + statistics.median(runs)


def bootstrap_cases(quick: bool, rounds: int) -> list[dict]:
    """Issue 31's bootstraps: cxkit against its previous implementation (same data, same seed,
    alternating rounds, medians). The previous implementation's slow cases run on fewer
    resamples: its time is its point estimate plus its per-resample time (measured) times the
    resamples. ``max_abs_diff_share`` compares the two tables' shares and interval limits.

    Logistic cases record the bootstrap method ``"auto"`` chose. Where it is the one-step
    approximation, cxkit's exact refits (``bootstrap_method="exact"``) run in the same rounds
    on fewer resamples, scaled like the previous implementation's, and both floors are given:
    the exact one (one Newton step of every subset per resample) and the one-step one (the
    point estimate plus one matrix product, :func:`floor_one_step`)."""
    previous = previous_drivers()
    specs = [
        # name, data, target, drivers, resamples, goal (s), resamples run by the previous code
        ("linear Shapley, 20 drivers x 100,000 rows", "linear", 20, 100_000, 200, 10.0, 40),
        ("logistic Shapley, 5 drivers x 7,000 rows", "logistic", 5, 7_000, 200, 3.0, 200),
        ("logistic Shapley, 12 drivers x 7,000 rows", "logistic", 12, 7_000, 200, 60.0, 2),
    ]
    if quick:
        specs = [
            ("linear Shapley, 15 drivers x 20,000 rows", "linear", 15, 20_000, 50, None, 10),
            ("logistic Shapley, 5 drivers x 7,000 rows", "logistic", 5, 7_000, 50, None, 50),
            ("logistic Shapley, 10 drivers x 7,000 rows", "logistic", 10, 7_000, 200, None, 2),
        ]
    out = []
    for name, kind, p, n, resamples, goal, previous_resamples in specs:
        df, names = make_data(n, p) if kind == "linear" else logistic_data(n, p)
        target = "nps" if kind == "linear" else "promoter"

        def run(module, b, how=None, df=df, names=names, target=target):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                extra = {} if how is None else {"bootstrap_method": how}
                return module.key_drivers(df, target, names, bootstrap=b, seed=0, **extra)

        new_runs, old_runs, exact_runs, point_runs, load = [], [], [], [], []
        new_table = old_table = None
        exact_resamples = 10  # cxkit's exact refits where auto chose one-step, scaled to the resamples
        for _ in range(rounds):
            load.append(os.getloadavg()[0])
            t0 = time.perf_counter()
            old_point = run(previous, 0)
            t1 = time.perf_counter()
            old_table = run(previous, previous_resamples)
            t2 = time.perf_counter()
            per_resample = (t2 - t1 - (t1 - t0)) / previous_resamples
            old_runs.append((t1 - t0) + per_resample * resamples)
            start = time.perf_counter()
            new_table = run(cx, resamples)
            new_runs.append(time.perf_counter() - start)
            if new_table.attrs["bootstrap_method"] == "one-step":
                t0 = time.perf_counter()
                run(cx, 0)
                t1 = time.perf_counter()
                run(cx, exact_resamples, "exact")
                t2 = time.perf_counter()
                point_runs.append(t1 - t0)
                exact_runs.append((t1 - t0) + (t2 - t1 - (t1 - t0)) / exact_resamples * resamples)
        del old_point
        seconds, old_seconds = statistics.median(new_runs), statistics.median(old_runs)
        row = {
            "case": name,
            "drivers": p,
            "rows": n,
            "bootstrap": resamples,
            "bootstrap_method": new_table.attrs.get("bootstrap_method", "exact"),
            "seconds": seconds,
            "runs": new_runs,
            "previous_seconds": old_seconds,
            "previous_runs": old_runs,
            "previous_resamples_run": previous_resamples,
            "speedup": old_seconds / seconds,
            "goal_seconds": goal,
            "meets_goal": None if goal is None else seconds <= goal,
            "load_1min": load,
        }
        if previous_resamples == resamples:  # same resamples: the tables can be compared
            cols = ["share", "ci_low", "ci_high", "importance"]
            row["max_abs_diff_vs_previous"] = float(
                np.nanmax(np.abs(new_table[cols].to_numpy(float) - old_table[cols].to_numpy(float)))
            )
        if kind == "logistic":
            exact_floor = floor_one_newton_step(df, names, target, resamples) / 2  # two cores
            exact_note = "one Newton step of every subset's logit per resample, shared by 2 cores"
            if row["bootstrap_method"] == "one-step":
                exact_seconds = statistics.median(exact_runs)
                row.update(
                    {
                        "exact_seconds": exact_seconds,
                        "exact_runs": exact_runs,
                        "exact_resamples_run": exact_resamples,
                        "exact_meets_goal": None if goal is None else exact_seconds <= goal,
                        "exact_floor_seconds": exact_floor,
                        "exact_floor_note": exact_note,
                        "exact_ratio_to_floor": exact_seconds / exact_floor,
                        "speedup_vs_exact": exact_seconds / seconds,
                        "point_seconds": statistics.median(point_runs),
                        "floor_seconds": floor_one_step(df, names, target, resamples, statistics.median(point_runs)),
                        "floor_note": "the exact point estimate plus one matrix product of the resample counts with "
                        "every subset's row terms (BLAS on 2 cores)",
                    }
                )
            else:
                row.update({"floor_seconds": exact_floor, "floor_note": exact_note})
            row["ratio_to_floor"] = seconds / row["floor_seconds"]
        out.append(row)
        print(
            f"  {name:<44} {seconds:7.2f} s [{row.get('bootstrap_method', 'exact')}] (previous {old_seconds:7.1f} s, "
            f"{old_seconds / seconds:5.1f}x faster)"
            + (f"  goal {goal:g} s: {'ok' if seconds <= goal else 'MISSED'}" if goal else "")
            + (f"; floor {row['floor_seconds']:.2f} s ({row['ratio_to_floor']:.1f}x)" if "floor_seconds" in row else "")
            + (
                f"; exact {row['exact_seconds']:.1f} s, its floor {row['exact_floor_seconds']:.1f} s "
                f"({row['exact_ratio_to_floor']:.1f}x)"
                if "exact_seconds" in row
                else ""
            )
            + f"  load {statistics.median(load):.1f}"
        )
    return out


def one_step_accuracy(quick: bool, shared: Path) -> list[dict]:
    """The one-step bootstrap against exact refits on the same resamples (issue 31): the
    benchmark's 12 drivers x 7,000 rows and the bank churn data (10,000 customers, ``Exited``,
    10 numeric drivers; skipped without ``shared``), 200 resamples each. Per driver: the largest
    difference of a draw in bootstrap SDs, the SEs' ratio and the share intervals' endpoints'
    difference as a share of the exact interval's width (key_drivers' intervals, alpha 0.05)."""
    from cxkit.analysis import drivers as kd

    cases = [("benchmark data, 12 drivers x 7,000 rows", *logistic_data(7_000, 12), "promoter")]
    if quick:
        cases = [("benchmark data, 8 drivers x 7,000 rows", *logistic_data(7_000, 8), "promoter")]
    bank_csv = shared / "bank_customer_churn" / "Churn_Modelling.csv"
    if bank_csv.exists():
        bank = pd.read_csv(bank_csv)
        bank["Germany"] = (bank["Geography"] == "Germany").astype(float)
        bank["Female"] = (bank["Gender"] == "Female").astype(float)
        drivers = ["Age", "IsActiveMember", "NumOfProducts", "Germany", "Balance", "Female", "CreditScore"]
        drivers += [] if quick else ["Tenure", "EstimatedSalary", "HasCrCard"]
        cases.append((f"bank churn (real), {len(drivers)} drivers x 10,000 customers", bank, drivers, "Exited"))
    else:
        print(f"  bank churn skipped: {bank_csv} not found")
    resamples = 50 if quick else 200
    out = []
    for name, df, names, target in cases:
        data = kd._Data(df, target, names, missing="listwise", model="auto")
        assoc = kd._association_p(data)
        got, seconds = {}, {}
        for how in ("exact", "one-step"):
            start = time.perf_counter()
            fit = kd._fit(data, ["shapley"], bootstrap=resamples, seed=0, bootstrap_method=how)
            seconds[how] = time.perf_counter() - start
            imp, draws = fit["point"]["shapley"][0], fit["draws"]["shapley"]
            lo, hi, _ = kd._share_interval(imp / imp.sum(), draws / draws.sum(axis=1, keepdims=True), assoc, alpha=0.05)
            got[how] = {"draws": draws, "sd": draws.std(axis=0, ddof=1), "lo": lo, "hi": hi}
        exact, approx = got["exact"], got["one-step"]
        width = exact["hi"] - exact["lo"]
        per_draw = np.abs(approx["draws"] - exact["draws"]).max(axis=0) / exact["sd"]
        endpoints = np.maximum(np.abs(approx["lo"] - exact["lo"]), np.abs(approx["hi"] - exact["hi"])) / width
        se_ratio = approx["sd"] / exact["sd"]
        row = {
            "case": name,
            "drivers": len(names),
            "rows": data.n,
            "bootstrap": resamples,
            "exact_seconds": seconds["exact"],
            "one_step_seconds": seconds["one-step"],
            "max_draw_diff_in_sd": float(per_draw.max()),
            "max_endpoint_diff_share_of_width": float(endpoints.max()),
            "se_ratio_min": float(se_ratio.min()),
            "se_ratio_max": float(se_ratio.max()),
            "per_driver": {
                d: {"draw_diff_sd": float(a), "endpoint_diff_width": float(b), "se_ratio": float(c)}
                for d, a, b, c in zip(names, per_draw, endpoints, se_ratio)
            },
            "load_1min": os.getloadavg()[0],
        }
        out.append(row)
        print(
            f"  {name:<52} draws within {row['max_draw_diff_in_sd']:.3f} SD, endpoints within "
            f"{row['max_endpoint_diff_share_of_width']:.1%} of the width, SE ratio {row['se_ratio_min']:.3f}-"
            f"{row['se_ratio_max']:.3f}; exact {seconds['exact']:.1f} s, one-step {seconds['one-step']:.1f} s"
            f"  load {row['load_1min']:.1f}"
        )
    return out


def thread_cases(quick: bool, rounds: int) -> list[dict]:
    """Deliver 3: the hot loops' threads, idle and with a spinner on one core. Configurations,
    alternated round by round: cxkit's default (workers on all cores, BLAS 1 thread each),
    one worker with BLAS 1 thread, and the previous implementation with BLAS at its default
    (one thread per core) and at 1 thread."""
    from threadpoolctl import threadpool_limits

    previous = previous_drivers()
    p, n, b = (15, 20_000, 20) if quick else (20, 100_000, 20)
    df, names = make_data(n, p)

    def run(module):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            module.key_drivers(df, "nps", names, bootstrap=b, seed=0)

    configs = {
        "cxkit: workers on all cores, BLAS 1 thread each (default)": lambda: run(cx),
        "cxkit: 1 worker, BLAS 1 thread": lambda: _in_env(1, lambda: run(cx)),
        "previous: BLAS default threads": lambda: run(previous),
        "previous: BLAS 1 thread": lambda: _blas1(threadpool_limits, lambda: run(previous)),
    }
    out = []
    for loaded in (False, True):
        busy = spinner() if loaded else None
        try:
            time.sleep(1.0 if loaded else 0.0)
            times: dict = {k: [] for k in configs}
            load = []
            for _ in range(rounds):
                load.append(os.getloadavg()[0])
                for label, fn in configs.items():
                    start = time.perf_counter()
                    fn()
                    times[label].append(time.perf_counter() - start)
        finally:
            if busy is not None:
                busy.kill()
                busy.wait()
        best = min(statistics.median(v) for v in times.values())
        for label, runs in times.items():
            out.append(
                {
                    "condition": "one core busy (spinner)" if loaded else "idle",
                    "config": label,
                    "drivers": p,
                    "rows": n,
                    "bootstrap": b,
                    "seconds": statistics.median(runs),
                    "runs": runs,
                    "ratio_to_fastest": statistics.median(runs) / best,
                    "load_1min": load,
                }
            )
            print(
                f"  {out[-1]['condition']:<26} {label:<58} {out[-1]['seconds']:7.2f} s  ({out[-1]['ratio_to_fastest']:.2f}x)"
            )
    return out


def _in_env(n, fn):
    with with_threads(n):
        return fn()


def _blas1(threadpool_limits, fn):
    with threadpool_limits(limits=1):
        return fn()


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--peers",
        default=os.environ.get("CXKIT_BENCH_PEERS"),
        help="folder with pingouin / dominance-analysis installed (appended to sys.path)",
    )
    parser.add_argument(
        "--only",
        choices=["all", "exact", "bootstrap", "threads", "accuracy"],
        default="all",
        help="run one part: issue 4's exact Shapley and peers, issue 31's bootstraps, the threads, or the "
        "one-step bootstrap against exact refits",
    )
    parser.add_argument(
        "--shared",
        default=str(ROOT.parent / "shared" / "datasets"),
        help="the shared datasets folder (bank churn for --only accuracy)",
    )
    parser.add_argument("--load", action="store_true", help="bootstraps with a spinner keeping one core busy")
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds of the bootstraps (3; quick 1)")
    args = parser.parse_args(argv)
    cx.set_progress(False)
    add_peers(args.peers)
    quick = args.quick
    rounds = args.rounds or (1 if quick else 3)
    out = ROOT / "benchmarks" / "results" / ("drivers_quick.json" if quick else "drivers.json")
    result = json.loads(out.read_text()) if out.exists() else {}
    result.update(
        {
            "benchmark": "drivers",
            "mode": "quick" if quick else "full",
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "note": "seconds = median of runs; ratio = peer median / cxkit median on the same data in the same run",
        }
    )
    print(
        f"cxkit key-driver benchmark ({'quick' if quick else 'full'}), {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}, load {os.getloadavg()[0]:.1f}"
    )
    if args.only in ("all", "bootstrap"):
        key = "bootstrap_loaded" if args.load else "bootstrap"
        print(f"bootstraps (issue 31), {'one core busy' if args.load else 'as the machine is'}; previous = {PREVIOUS}:")
        busy = spinner() if args.load else None
        try:
            result[key] = {"load_1min_start": os.getloadavg()[0], "cases": bootstrap_cases(quick, rounds)}
        finally:
            if busy is not None:
                busy.kill()
                busy.wait()
        result[key]["load_1min_end"] = os.getloadavg()[0]
    if args.only in ("all", "accuracy"):
        print("the one-step bootstrap against exact refits (issue 31), same resamples:")
        result["one_step_accuracy"] = one_step_accuracy(quick, Path(args.shared))
    if args.only in ("all", "threads"):
        print("threads of the hot loops (issue 31, Deliver 3), idle and with one core busy:")
        result["threads"] = thread_cases(quick, rounds)
    if args.only in ("all", "exact"):
        result.update(exact_cases(quick))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"written {out.relative_to(ROOT)}")
    missed = [
        c["case"]
        for part in ("bootstrap", "bootstrap_loaded", "cases")
        for c in (result.get(part, {}).get("cases", []) if isinstance(result.get(part), dict) else result.get(part, []))
        if c.get("meets_goal") is False
    ]
    if missed:
        print(f"goals missed: {missed}")
    return 0


def exact_cases(quick: bool) -> dict:
    """Issue 4's figures: exact Shapley and relative weights, and the peers."""
    rows = 20_000 if quick else 100_000
    fast, slow = (3, 1) if quick else (7, 3)
    boot = 50 if quick else 200

    cases = []
    print("exact Shapley and relative weights (issue 4):")

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

    return {"cases": cases, "peers": peers}


if __name__ == "__main__":
    raise SystemExit(main())
