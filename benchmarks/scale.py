"""Ten times the data on one machine (issue 31, Deliver 6): the pack at 1x and 10x the big input.

    .venv/bin/python benchmarks/scale.py                      # 1x and 10x (about 25 minutes, ~12 GB of disk)
    .venv/bin/python benchmarks/scale.py --scales 1 2         # a quicker growth check
    .venv/bin/python benchmarks/scale.py --data /tmp/scale    # keep (and reuse) the generated inputs there
    .venv/bin/python benchmarks/scale.py --dask-only          # only the Dask comparison
    .venv/bin/python benchmarks/scale.py --load-growth reviews --data /tmp/scale --base /tmp/before --rounds 2
                                                              # one table's load at 1x and 10x, alternating with
                                                              # the code before (another checkout)

The 1x input is the issue's big input: 1,000,000 reviews, 200,000 survey responses, 500,000
customers and 2,000,000 journey events (``cxkit sample --rows ...``, the sample's generator with
its planted messy rows); 10x is ten times each. For every scale:

- **the pack**: ``cxkit report`` on that input (the sample's catalog, ``data/cxkit.yaml``), its
  wall time and the peak resident memory summed over the whole process tree (the runner and every
  kernel it starts, sampled every 0.1 s), and each notebook's time from the pack's manifest;
- **loading**: each table read by ``cx.load_catalog`` in a fresh process (wall time of the read
  and the process's peak resident memory, ``VmHWM``).

Growth from the smallest to the largest scale is reported per stage as the exponent ``b`` of
``cost ~ rows^b`` (1 = linear). Goals: 10x in <= 10 minutes and <= 8 GiB peak on 2 cores.

**Dask** (``--dask``, on by default): the steps cxkit can hand to a Dask cluster, on the 1x
input, each run in-process, on a local cluster of one single-threaded worker process and on one
of two (``LocalCluster(n_workers=k, threads_per_worker=1)``, started and warmed before), in
alternating rounds (``--dask-rounds``, medians): sentiment of the 1M reviews' texts (templates:
each distinct text is scored once) and of 100,000 distinct texts (``cx.sentiment``), the
key-driver bootstrap (10 drivers, 100,000 rows, 200 resamples) and the journey comparison of the
2M events read as a Dask DataFrame (``cx.compare_stages``). Scaling efficiency of the same
distributed code = T(1 worker) / (2 x T(2 workers)), 1.0 when the second worker halves the
time; against what an analyst runs without a cluster = T(in-process) / (2 x T(2 workers)).

Results: ``benchmarks/results/scale.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
from pack import _measure  # wall time and peak memory of a command's whole process tree

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"
BASE_ROWS = {"reviews": 1_000_000, "feedback": 200_000, "customers": 500_000, "journey": 2_000_000}
MONTH = "2026-10"
GOAL_SECONDS, GOAL_GIB = 600, 8


def _load_average() -> float:
    return os.getloadavg()[0]


#: The generator builds its tables in memory (about 2 GiB at 1x; 10x was killed at 20 GiB), so
#: bigger inputs are made of 1x parts with their own seeds, ids made unique per part.
PART_SCALE = 1


def _generate(out: Path, scale: float, seed: int, env: dict[str, str]) -> None:
    rows = [a for t, n in BASE_ROWS.items() for a in ("--rows", f"{t}={int(n * scale)}")]
    subprocess.run(
        [str(VENV_BIN / "cxkit"), "sample", *rows, "--seed", str(seed), "--out", str(out)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


#: Ids at the start of a record (RV0000001, R0000001, E0000001) and customer ids as whole
#: fields (C000001): part k gets k after the letters, so parts never share an id.
_RECORD_ID = re.compile(rb"(?m)^(RV|R|E)(?=\d+,)")
_CUSTOMER_ID = re.compile(rb"(?m)(^|,)C(?=\d{6},)")


def _append_part(target: Path, part: Path, k: int) -> None:
    data = part.read_bytes()
    if k:
        data = data.split(b"\n", 1)[1]  # the header once, from part 0
        tag = str(k).encode()
        data = _RECORD_ID.sub(lambda m: m.group(1) + tag, data)
        data = _CUSTOMER_ID.sub(lambda m: m.group(1) + b"C" + tag, data)
    with target.open("ab") as f:
        f.write(data)


def _input(data: Path, scale: float, env: dict[str, str]) -> Path:
    """``scale`` x the big input (generated once, then reused): the generator's own output up
    to :data:`PART_SCALE`, otherwise ``ceil(scale / PART_SCALE)`` seeded parts joined."""
    folder = data / f"x{scale:g}"
    sample = folder / "sample"
    if not (sample / "truth.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {scale:g}x ...", flush=True)
        if scale <= PART_SCALE:
            _generate(sample, scale, 20261, env)
        else:
            parts = math.ceil(scale / PART_SCALE)
            sample.mkdir(parents=True)
            counts = {t: {"rows": 0, "valid": 0} for t in BASE_ROWS}
            for k in range(parts):
                part = folder / f"part{k}"
                _generate(part, scale / parts, 20261 + k, env)
                for table in BASE_ROWS:
                    _append_part(sample / f"{table}.csv", part / f"{table}.csv", k)
                facts = json.loads((part / "truth.json").read_text())["row_counts"]
                for table in BASE_ROWS:
                    for key in ("rows", "valid"):
                        counts[table][key] += facts[table][key]
                shutil.rmtree(part)
            (sample / "truth.json").write_text(json.dumps({"row_counts": counts, "parts": parts}, indent=1))
    shutil.copy(ROOT / "data" / "cxkit.yaml", folder / "cxkit.yaml")
    return folder


_LOAD = """
import json, resource, sys, time
import cxkit as cx
catalog = cx.load_catalog(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF)
t, cpu = time.perf_counter(), time.process_time()
loaded = catalog[sys.argv[2]]
seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
after = resource.getrusage(resource.RUSAGE_SELF)
peak = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_bytes": peak, "rows": int(loaded.report.read),
                  "user_seconds": after.ru_utime - before.ru_utime, "system_seconds": after.ru_stime - before.ru_stime,
                  "cxkit": cx.__file__}))
"""


def _load(catalog: Path, name: str, env: dict[str, str], cwd: Path | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _LOAD, str(catalog), name], env=env, check=True, capture_output=True, text=True, cwd=cwd
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_load_growth(
    data: Path, table: str, scales: list[float], env: dict[str, str], base: Path | None, rounds: int
) -> dict:
    """``table`` loaded at each scale in fresh processes (:data:`_LOAD`), by this checkout and,
    with ``base``, by another one (e.g. a checkout of the code before a change), in alternating
    rounds; medians and the growth exponent b of wall, processor, user and system seconds and of
    the peak from the smallest to the largest scale. Processor seconds split into user time (the
    code's own work) and system time (mostly the kernel handing the process memory it has not
    touched before, which on this VM costs 1-2.5 s per GiB)."""
    codes = {"this checkout": ROOT} | ({"base": base.resolve()} if base else {})
    catalogs = {s: _input(data, s, env) / "cxkit.yaml" for s in scales}
    runs: dict[str, list[dict]] = {}
    for r in range(rounds):
        order = [(code, s) for s in sorted(scales) for code in codes]
        for code, scale in order if r % 2 == 0 else order[::-1]:
            load_before = _load_average()
            # the checkout's folder first on the path (python -c puts the working folder first)
            run = _load(catalogs[scale], table, {**env, "PYTHONPATH": str(codes[code])}, cwd=codes[code])
            run["load_average"] = load_before
            runs.setdefault(f"{code} {scale:g}x", []).append(run)
            print(
                f"  round {r + 1} {code} {scale:g}x load {table}: {run['seconds']:.1f} s, processor "
                f"{run['cpu_seconds']:.1f} s (user {run['user_seconds']:.1f}, system {run['system_seconds']:.1f}), "
                f"peak {run['peak_bytes'] / 2**30:.2f} GiB, load {load_before:.1f}",
                flush=True,
            )
    keys = ("seconds", "cpu_seconds", "user_seconds", "system_seconds", "peak_bytes")
    small, large = min(scales), max(scales)
    summary: dict = {}
    for code in codes:
        median = {f"{s:g}x": {k: statistics.median(x[k] for x in runs[f"{code} {s:g}x"]) for k in keys} for s in scales}
        ratio = runs[f"{code} {large:g}x"][0]["rows"] / runs[f"{code} {small:g}x"][0]["rows"]
        summary[code] = {
            "median": median,
            "growth_exponent": {
                k: round(math.log(median[f"{large:g}x"][k] / median[f"{small:g}x"][k]) / math.log(ratio), 2)
                for k in keys
            },
        }
    loads = [x["load_average"] for v in runs.values() for x in v]
    return {
        "table": table,
        "rounds": rounds,
        "base": str(base) if base else None,
        "load_average": [min(loads), max(loads)],
        "summary": summary,
        "runs": runs,
    }


def run_scale(data: Path, scale: float, env: dict[str, str], max_memory: str = "8G") -> dict:
    folder = _input(data, scale, env)
    catalog = folder / "cxkit.yaml"
    truth = json.loads((folder / "sample" / "truth.json").read_text())
    result: dict = {
        "scale": scale,
        "rows": {t: truth["row_counts"][t]["rows"] for t in BASE_ROWS},
        "load": {},
    }
    for name in BASE_ROWS:
        load_before = _load_average()
        result["load"][name] = {**_load(catalog, name, env), "load_average": load_before}
        r = result["load"][name]
        print(f"  {scale:g}x load {name}: {r['seconds']:.1f} s, peak {r['peak_bytes'] / 2**30:.2f} GiB", flush=True)
    out = folder / "reports"
    shutil.rmtree(out, ignore_errors=True)
    load_before = _load_average()
    seconds, peak, _ = _measure(
        [
            *[str(VENV_BIN / "cxkit"), "report", "--month", MONTH, "--catalog", str(catalog), "--out", str(out)],
            *["--quiet", "--max-memory", max_memory],
        ],
        env,
    )
    manifest = json.loads((out / MONTH / "manifest.json").read_text())
    notebooks = manifest.get("notebooks", {})
    result["pack"] = {
        "seconds": seconds,
        "peak_bytes": peak,
        "peak_gib": peak / 2**30,
        "max_memory": max_memory,
        "load_average": {"start": load_before, "end": _load_average()},
        "notebook_seconds": {k: v.get("seconds") for k, v in notebooks.items()} if isinstance(notebooks, dict) else {},
        "meets_goal": seconds <= GOAL_SECONDS and peak <= GOAL_GIB * 2**30 if scale >= 10 else None,
    }
    print(f"  {scale:g}x pack: {seconds:.0f} s, peak {peak / 2**30:.2f} GiB", flush=True)
    return result


def growth(small: dict, large: dict) -> dict:
    """Exponent b of cost ~ rows^b per stage, between two scales."""
    ratio = large["scale"] / small["scale"]

    def b(a: float, z: float) -> float | None:
        return round(math.log(z / a) / math.log(ratio), 2) if a and z and a > 0 and z > 0 else None

    out: dict = {"from": small["scale"], "to": large["scale"]}
    for name in BASE_ROWS:
        s, z = small["load"][name], large["load"][name]
        out[f"load {name} time"] = b(s["seconds"], z["seconds"])
        out[f"load {name} memory"] = b(s["peak_bytes"], z["peak_bytes"])
        if "cpu_seconds" in s and "cpu_seconds" in z:  # processor seconds: less exposed to the load
            out[f"load {name} cpu"] = b(s["cpu_seconds"], z["cpu_seconds"])
    for nb, sec in small["pack"]["notebook_seconds"].items():
        out[f"notebook {nb} time"] = b(sec, large["pack"]["notebook_seconds"].get(nb))
    out["pack time"] = b(small["pack"]["seconds"], large["pack"]["seconds"])
    out["pack memory"] = b(small["pack"]["peak_bytes"], large["pack"]["peak_bytes"])
    return out


_DASK = """
import json, os, sys, time
import numpy as np
import pandas as pd
import cxkit as cx
from distributed import LocalCluster

folder, rounds, distinct = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sys.path.insert(0, sys.argv[4])  # benchmarks/, for drivers.make_data
from drivers import make_data

catalog = cx.load_catalog(folder + "/cxkit.yaml")
texts = catalog["reviews"].frame["text"]
# Real reviews do not repeat; the sample's texts repeat templates (each distinct text is scored
# once), so the distinct case numbers them.
unique_texts = texts.iloc[:distinct].astype(str) + pd.Series([f" #{i}" for i in range(distinct)], index=texts.index[:distinct])
snapshot = folder + "/events.parquet"
if not os.path.exists(snapshot):
    catalog["journey"].frame.to_parquet(snapshot, index=False, row_group_size=100_000)
del catalog
survey, drivers = make_data(100_000, 10, seed=0)

def stages_dask():
    import dask.dataframe as dd
    return cx.compare_stages(dd.read_parquet(snapshot), score="csat").stages

TASKS = {
    "sentiment, 1M sample texts (templates)": lambda: cx.sentiment(texts),
    f"sentiment, {distinct:,} distinct texts": lambda: cx.sentiment(unique_texts),
    "key_drivers, 10 drivers x 100k rows, 200 resamples": lambda: cx.key_drivers(
        survey, target="nps", drivers=drivers, bootstrap=200, seed=1),
    "compare_stages, 2M events as a Dask DataFrame": stages_dask,
}

def result_frame(value):
    if isinstance(value, pd.Series):
        return value.to_frame()
    if isinstance(value, pd.DataFrame):
        return value.reset_index(drop=True)
    return pd.DataFrame(value)

def same(a, b):
    try:
        pd.testing.assert_frame_equal(result_frame(a), result_frame(b), rtol=1e-9)
        return True
    except AssertionError:
        return False

clusters = {k: LocalCluster(n_workers=k, threads_per_worker=1, processes=True, dashboard_address=None) for k in (1, 2)}
configs = ["in-process", "1 worker", "2 workers"]

def run(config, fn):
    if config == "in-process":
        t = time.perf_counter(); value = fn(); return time.perf_counter() - t, value
    with cx.use_cluster(clusters[1 if config == "1 worker" else 2]):
        t = time.perf_counter(); value = fn(); return time.perf_counter() - t, value

out = {}
with cx.progress_off():
    for name, fn in TASKS.items():
        for config in configs[1:]:  # warm the workers: imports, lexicons
            run(config, fn)
        seconds = {c: [] for c in configs}
        loads = []
        reference = None
        identical = True
        for r in range(rounds):
            order = configs if r % 2 == 0 else configs[::-1]
            for config in order:
                loads.append(os.getloadavg()[0])
                took, value = run(config, fn)
                seconds[config].append(took)
                if reference is None:
                    reference = value
                else:
                    identical = identical and same(reference, value)
        med = {c: float(np.median(v)) for c, v in seconds.items()}
        out[name] = {
            "seconds": {c: [round(x, 3) for x in v] for c, v in seconds.items()},
            "median_s": med,
            "speedup_2_vs_1_worker": med["1 worker"] / med["2 workers"],
            "efficiency_2_vs_1_worker": med["1 worker"] / (2 * med["2 workers"]),
            "speedup_vs_in_process": med["in-process"] / med["2 workers"],
            "efficiency_vs_in_process": med["in-process"] / (2 * med["2 workers"]),
            "same_result": identical,
            "load_average": [min(loads), max(loads)],
        }
for cluster in clusters.values():
    cluster.close()
print(json.dumps(out))
"""


def run_dask(data: Path, env: dict[str, str], rounds: int = 3, distinct: int = 100_000) -> dict:
    """The Dask path on the 1x input: each step in-process, on a local cluster of one
    single-threaded worker process, and on one of two, alternating, ``rounds`` times (the
    clusters started and warmed before; medians). Scaling efficiency: the same distributed code
    on 2 workers against 1, ``T(1 worker) / (2 T(2 workers))`` (1.0: the second worker halves
    the time); and against the in-process call an analyst makes without a cluster,
    ``T(in-process) / (2 T(2 workers))``. In-process, key_drivers' bootstrap already runs its
    resample blocks on both cores (threads), and compare_stages on a Dask DataFrame runs on
    Dask's threaded scheduler in this process, so that figure is at most about 0.5 there."""
    folder = _input(data, 1, env)
    load_before = _load_average()
    out = subprocess.run(
        [sys.executable, "-c", _DASK, str(folder), str(rounds), str(distinct), str(ROOT / "benchmarks")],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        return {"error": out.stderr[-3000:]}
    result: dict = {"steps": json.loads(out.stdout.strip().splitlines()[-1]), "rounds": rounds}
    result["load_average"] = {"start": load_before, "end": _load_average()}
    result["definition"] = (
        "efficiency_2_vs_1_worker = T(1 worker) / (2 T(2 workers)); efficiency_vs_in_process = "
        "T(in-process) / (2 T(2 workers)); LocalCluster(n_workers=k, threads_per_worker=1), medians of alternating rounds"
    )
    for name, r in result["steps"].items():
        m = r["median_s"]
        print(
            f"  dask {name}: in-process {m['in-process']:.2f} s, 1 worker {m['1 worker']:.2f} s, "
            f"2 workers {m['2 workers']:.2f} s; efficiency 2 vs 1 worker {r['efficiency_2_vs_1_worker']:.2f}, "
            f"vs in-process {r['efficiency_vs_in_process']:.2f}; same result {r['same_result']}; "
            f"load {r['load_average'][0]:.1f}-{r['load_average'][1]:.1f}",
            flush=True,
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--data", type=Path, default=None, help="folder for the generated inputs (kept)")
    parser.add_argument("--no-dask", dest="dask", action="store_false")
    parser.add_argument("--dask-only", action="store_true")
    parser.add_argument("--dask-rounds", type=int, default=3, help="alternating rounds of the Dask comparison")
    parser.add_argument(
        "--max-memory", default="8G", help="the pack's --max-memory (default 8G, the goal's bound at 10x)"
    )
    parser.add_argument(
        "--load-growth",
        metavar="TABLE",
        help="only load TABLE at --scales in fresh processes, --rounds times (with --base: alternating with that "
        "checkout); results under 'load_growth' in scale.json, the rest kept",
    )
    parser.add_argument("--base", type=Path, default=None, help="another checkout for --load-growth (the code before)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of --load-growth")
    args = parser.parse_args(argv)
    data = args.data or Path(tempfile.mkdtemp(prefix="cxkit-scale-"))
    data.mkdir(parents=True, exist_ok=True)
    home = data / "home"
    home.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "PYTHONHASHSEED": "0",
        "HOME": str(home),
        "IPYTHONDIR": str(home / ".ipython"),
        "MPLCONFIGDIR": str(home / ".mpl"),
        "CXKIT_PROGRESS": "0",
    }
    results: dict = {
        "benchmark": "scale",
        "goal": {"seconds": GOAL_SECONDS, "peak_gib": GOAL_GIB, "at_scale": 10},
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gib": psutil.virtual_memory().total / 2**30,
            "python": platform.python_version(),
        },
        "command": "benchmarks/scale.py " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    target = RESULTS / "scale.json"
    if args.load_growth:
        growth_result = run_load_growth(data, args.load_growth, args.scales, env, args.base, args.rounds)
        growth_result["command"] = results["command"]
        RESULTS.mkdir(exist_ok=True)
        kept = json.loads(target.read_text()) if target.exists() else results
        kept.setdefault("load_growth", {})[args.load_growth] = growth_result
        target.write_text(json.dumps(kept, indent=2) + "\n")
        print(json.dumps({k: v["growth_exponent"] for k, v in growth_result["summary"].items()}, indent=1))
        return 0
    if not args.dask_only:
        runs = [run_scale(data, s, env, args.max_memory) for s in sorted(args.scales)]
        results["runs"] = runs
        if len(runs) > 1:
            results["growth"] = growth(runs[0], runs[-1])
    if args.dask or args.dask_only:
        results["dask"] = run_dask(data, env, rounds=args.dask_rounds)
    RESULTS.mkdir(exist_ok=True)
    if args.dask_only and target.exists():  # keep the scales' figures of an earlier run
        results = {**json.loads(target.read_text()), "dask": results["dask"]}
    target.write_text(json.dumps(results, indent=2) + "\n")
    if args.data is None:
        shutil.rmtree(data, ignore_errors=True)
    print(json.dumps(results.get("growth", {}), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
