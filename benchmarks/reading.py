"""Reading speed and peak memory: ``cx.load_*`` against pandas' pyarrow reader of the same file.

    .venv/bin/python benchmarks/reading.py               # 1,000,000 rows a table, 3 rounds (about 5 minutes)
    .venv/bin/python benchmarks/reading.py --quick       # 50,000 rows, 1 round (about 1 minute)
    .venv/bin/python benchmarks/reading.py --data /tmp/big   # keep (and reuse) the generated files there

Goal (issue 31, Deliver 2): ``load_*`` on 1M rows within 3x the time and 2x the peak memory of
``pandas.read_csv(engine="pyarrow")`` of the same file, with everything the reader does
(parsing every value, validation, masking, normalisation, the rejected rows); the same for
Parquet and for the catalog's Parquet snapshot.

Inputs: ``cxkit sample --rows reviews=N --rows feedback=N`` (a sample with its planted messy
rows; not timed), the same files written to Parquet by pandas (typed columns, as a warehouse
export), and a catalog snapshot of both (``Catalog.snapshot``).

Cases, each against its peer on the same file:

- ``reviews.csv`` / ``feedback.csv``: ``cx.load_reviews`` / ``cx.load_feedback`` (eight drivers,
  ``driver_range=(1, 10)``, as ``data/cxkit.yaml``) against ``pd.read_csv(path, engine="pyarrow")``;
- ``reviews.parquet`` / ``feedback.parquet``: the same readers against ``pd.read_parquet``;
- ``snapshot reviews`` / ``snapshot feedback``: ``load_catalog(snapshot)[name]`` (frame, rejected
  rows and report) against ``pd.read_parquet`` of the snapshot's table.

Every figure is measured in a fresh child process that imports cxkit and pyarrow first (both
sides pay the same imports; cxkit's reading modules, which ``import cxkit`` loads lazily, are
imported before the clock starts too, their seconds reported as ``cxkit_import_s``), then
reads: the wall time of the first read (what a notebook's first cell pays: on this machine a
fresh process pays dearly for every page of memory it first touches), the process's peak
resident memory (``VmHWM``, also minus the resident memory after the imports: "added"), and the
wall time of a second read in the same process ("warm"). Peer and cxkit alternate within each
round; medians over ``--repeat`` rounds. Ratios are cxkit / peer. Also reported: the median of
each round's own ratio ("paired") and the ratio of processor seconds (every thread of the
process: "cpu"), which a loaded machine disturbs less than wall time. ``reviews_unique`` is the
reviews file with every title and text made distinct: the sample's texts repeat a few thousand
templates, real reviews do not, and text cells that NFC or stripping could change are checked
in Python once per distinct value. Results:
``benchmarks/results/reading.json`` (``reading_quick.json`` with ``--quick``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # First: the checkout this file is in is measured, even where another one is installed (a
    # git worktree next to an editable install of the main checkout).
    sys.path.insert(0, str(ROOT))

TIME_LIMIT = 3.0
MEMORY_LIMIT = 2.0
DRIVERS = ["support", "price", "product_quality", "delivery", "ease_of_use", "billing", "app_experience", "staff"]
OPTIONS = {"reviews": {}, "feedback": {"drivers": DRIVERS, "driver_range": (1, 10)}}
#: The canonical table of each input: reviews_unique is the reviews file with every title and
#: text made distinct (the sample's texts repeat templates; real reviews do not).
TABLE = {"reviews": "reviews", "feedback": "feedback", "reviews_unique": "reviews"}
CASES = [
    ("reviews", "csv"),
    ("feedback", "csv"),
    ("reviews_unique", "csv"),
    ("reviews", "parquet"),
    ("feedback", "parquet"),
    ("reviews_unique", "parquet"),
    ("reviews", "snapshot"),
    ("feedback", "snapshot"),
]


# --------------------------------------------------------------------------- one measurement (child)


def child(name: str, kind: str, side: str, data: str) -> None:
    """Read in this fresh process; print as JSON the seconds of the first read, the process's
    peak and after-import memory, and the seconds of a second read (warm: memory already mapped,
    pyarrow's threads started)."""
    import gc

    if side == "base":  # an earlier checkout of cxkit, the same reader (--base)
        sys.path.insert(0, os.environ["CXKIT_BENCH_BASE"])
    import pandas as pd
    import pyarrow.csv
    import pyarrow.parquet

    import cxkit as cx

    del pyarrow  # imported only so that both sides pay the same imports
    folder = Path(data)
    path = folder / "snapshot" / f"{name}.parquet" if kind == "snapshot" else folder / f"{name}.{kind}"
    table = TABLE[name]

    # cxkit's modules load lazily (PEP 562): name the reader now, so that its modules are
    # imported before the clock starts, as pandas' and pyarrow's are; the seconds this takes
    # are reported apart ("import_seconds").
    start = time.perf_counter()
    readers = (cx.load, cx.load_catalog) if side != "pandas" else ()
    imported = time.perf_counter() - start
    del readers

    def read() -> int:
        if side == "pandas":
            return len(pd.read_csv(path, engine="pyarrow") if kind == "csv" else pd.read_parquet(path))
        if kind == "snapshot":
            loaded = cx.load_catalog(folder / "snapshot" / "cxkit.yaml")[name]
            return len(loaded.frame) + len(loaded.rejected)
        return int(cx.load(table, path, **OPTIONS[table]).report.read)

    gc.collect()
    before = _memory_mb("VmRSS")
    start, cpu = time.perf_counter(), time.process_time()
    rows = read()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _memory_mb("VmHWM")
    gc.collect()
    start, warm_cpu = time.perf_counter(), time.process_time()
    read()
    warm, warm_cpu = time.perf_counter() - start, time.process_time() - warm_cpu
    print(
        json.dumps(
            {
                "seconds": seconds,
                "warm_seconds": warm,
                "peak_mb": peak,
                "imports_mb": before,
                "rows": rows,
                "import_seconds": imported,
                "cpu_seconds": cpu,
                "warm_cpu_seconds": warm_cpu,
            }
        )
    )


def _memory_mb(field: str) -> float:
    """This process's resident memory (``VmRSS``) or its peak (``VmHWM``) in MB. Not ``ru_maxrss``:
    a child started from a big parent inherits the parent's peak there, while ``VmHWM`` starts afresh."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status (Linux only)")


def _cache(path: Path) -> None:
    """Read ``path`` through once, so that both sides find it in the page cache (the first
    reader would otherwise pay the disk for the second)."""
    with path.open("rb") as handle:
        while handle.read(1 << 24):
            pass


def measure(table: str, kind: str, side: str, data: Path) -> dict:
    _cache(data / "snapshot" / f"{table}.parquet" if kind == "snapshot" else data / f"{table}.{kind}")
    out = subprocess.run(
        [sys.executable, __file__, "--child", table, kind, side, str(data)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{table} {kind} {side} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- inputs (not timed)


def make_inputs(data: Path, rows: int) -> dict:
    """The sample's reviews and feedback at ``rows`` rows (and the reviews with distinct texts):
    CSV, Parquet, and a catalog snapshot."""
    import pandas as pd

    import cxkit as cx

    made = {}
    if not all((data / f"{t}.csv").exists() for t in OPTIONS):
        subprocess.run(
            [sys.executable, "-m", "cxkit", "sample", "--out", str(data)]
            + [arg for t in OPTIONS for arg in ("--rows", f"{t}={rows}")],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
        )
    if not (data / "reviews_unique.csv").exists():
        reviews = pd.read_csv(data / "reviews.csv", dtype=str, keep_default_na=False)
        number = " #" + pd.Series(range(len(reviews)), dtype="str")
        for column in ("title", "text"):
            reviews[column] = reviews[column].where(reviews[column] == "", reviews[column] + number)
        reviews.to_csv(data / "reviews_unique.csv", index=False)
    for name in TABLE:
        if not (data / f"{name}.parquet").exists():
            pd.read_csv(data / f"{name}.csv", engine="pyarrow").to_parquet(data / f"{name}.parquet", index=False)
        made[name] = {k: (data / f"{name}.{k}").stat().st_size for k in ("csv", "parquet")}
    if not (data / "snapshot" / "cxkit.yaml").exists():
        lines = ["version: 1", "sources:"]
        for table, options in OPTIONS.items():
            lines += [f"  {table}:", f"    table: {table}", f"    path: {table}.csv"]
            if options:
                lines += [f"    drivers: [{', '.join(DRIVERS)}]", "    driver_range: [1, 10]"]
        (data / "cxkit.yaml").write_text("\n".join(lines) + "\n")
        cx.load_catalog(data / "cxkit.yaml").snapshot(data / "snapshot")
    return made


# --------------------------------------------------------------------------- run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="50,000 rows a table, one round")
    parser.add_argument("--rows", type=int, default=None, help="rows a table (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=None, help="rounds (default 3; 1 with --quick)")
    parser.add_argument("--data", type=Path, default=None, help="folder for the inputs (default: a temporary one)")
    parser.add_argument("--only", nargs="*", default=None, help="cases to run, e.g. reviews.csv feedback.snapshot")
    parser.add_argument(
        "--base",
        type=Path,
        default=None,
        help="an earlier checkout (e.g. `git worktree` or `git archive` of main) measured as a third side",
    )
    parser.add_argument(
        "--out", default=None, help="results file name in benchmarks/results (written also with --only)"
    )
    parser.add_argument("--child", nargs=4, metavar=("TABLE", "KIND", "SIDE", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.base:
        os.environ["CXKIT_BENCH_BASE"] = str(args.base.resolve())
    if args.child:
        child(*args.child)
        return 0
    rows = args.rows or (50_000 if args.quick else 1_000_000)
    repeat = args.repeat or (1 if args.quick else 3)
    cases = [c for c in CASES if args.only is None or f"{c[0]}.{c[1]}" in args.only]

    with tempfile.TemporaryDirectory(prefix="cxkit-reading-") as tmp:
        data = args.data or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        sizes = make_inputs(data, rows)
        print(f"inputs in {data} ({time.perf_counter() - start:.0f} s, not timed)", flush=True)
        load_start = os.getloadavg()[0]
        sides_run = ("pandas", "cxkit", "base") if args.base else ("pandas", "cxkit")
        runs: dict[tuple[str, str], dict[str, list[dict]]] = {c: {s: [] for s in sides_run} for c in cases}
        for round_ in range(repeat):
            for case in cases:
                for side in sides_run:
                    runs[case][side].append(measure(*case, side, data))
                    last = runs[case][side][-1]
                    print(
                        f"round {round_ + 1}  {case[0] + '.' + case[1]:<24} {side:<7} {last['seconds']:7.2f} s"
                        f"  (warm {last['warm_seconds']:.2f} s)  cpu {last['cpu_seconds']:5.2f} s"
                        f"  peak {last['peak_mb']:6.0f} MB",
                        flush=True,
                    )
        load_end = os.getloadavg()[0]

    results = []
    for (table, kind), sides in runs.items():
        row: dict = {"case": f"{table}.{kind}", "rows": sides["cxkit"][0]["rows"]}
        for side, measured in sides.items():
            row[f"{side}_s"] = statistics.median(m["seconds"] for m in measured)
            row[f"{side}_peak_mb"] = statistics.median(m["peak_mb"] for m in measured)
            row[f"{side}_added_mb"] = statistics.median(m["peak_mb"] - m["imports_mb"] for m in measured)
            row[f"{side}_runs_s"] = [round(m["seconds"], 3) for m in measured]
            row[f"{side}_warm_s"] = statistics.median(m["warm_seconds"] for m in measured)
            row[f"{side}_import_s"] = statistics.median(m.get("import_seconds", 0.0) for m in measured)
            row[f"{side}_cpu_s"] = statistics.median(m["cpu_seconds"] for m in measured)
            row[f"{side}_warm_cpu_s"] = statistics.median(m["warm_cpu_seconds"] for m in measured)
            row[f"{side}_runs_cpu_s"] = [round(m["cpu_seconds"], 3) for m in measured]
        row["time_ratio"] = row["cxkit_s"] / row["pandas_s"]
        row["warm_ratio"] = row["cxkit_warm_s"] / row["pandas_warm_s"]
        row["cpu_ratio"] = row["cxkit_cpu_s"] / row["pandas_cpu_s"]
        row["warm_cpu_ratio"] = row["cxkit_warm_cpu_s"] / row["pandas_warm_cpu_s"]
        # Each round's own ratio (cxkit and its peer ran one after the other), then their median:
        # less exposed to a load that changes between rounds than the ratio of medians.
        row["paired_time_ratio"] = statistics.median(
            c["seconds"] / p["seconds"] for c, p in zip(sides["cxkit"], sides["pandas"])
        )
        if "base" in sides:  # the earlier checkout, in the same rounds
            row["base_time_ratio"] = row["base_s"] / row["pandas_s"]
            row["base_cpu_ratio"] = row["base_cpu_s"] / row["pandas_cpu_s"]
            row["base_paired_time_ratio"] = statistics.median(
                b["seconds"] / p["seconds"] for b, p in zip(sides["base"], sides["pandas"])
            )
        row["peak_ratio"] = row["cxkit_peak_mb"] / row["pandas_peak_mb"]
        row["added_ratio"] = row["cxkit_added_mb"] / max(row["pandas_added_mb"], 1.0)
        row["meets_goal"] = row["time_ratio"] <= TIME_LIMIT and row["peak_ratio"] <= MEMORY_LIMIT
        results.append(row)

    print(
        f"\n{'case':<24} {'rows':>10} {'pandas s':>9} {'cxkit s':>8} {'time x':>7} {'warm x':>7} "
        f"{'pandas MB':>10} {'cxkit MB':>9} {'peak x':>7} {'added x':>8} {'paired x':>8} {'cpu x':>6}  goal"
    )
    for r in results:
        print(
            f"{r['case']:<24} {r['rows']:>10,} {r['pandas_s']:9.2f} {r['cxkit_s']:8.2f} {r['time_ratio']:7.2f} "
            f"{r['warm_ratio']:7.2f} {r['pandas_peak_mb']:10.0f} {r['cxkit_peak_mb']:9.0f} {r['peak_ratio']:7.2f} "
            f"{r['added_ratio']:8.2f} {r['paired_time_ratio']:8.2f} {r['cpu_ratio']:6.2f}  "
            f"{'meets' if r['meets_goal'] else 'MISSES'}"
        )
    print(
        f"(goal: time x <= {TIME_LIMIT:g}, peak x <= {MEMORY_LIMIT:g}; load average {load_start:.1f} -> "
        f"{load_end:.1f}; warm x: a second read in the same process; paired x: the median of each round's "
        "ratio; cpu x: processor seconds of the first read, every thread, less exposed to the load)"
    )

    for r in results:
        if "base_time_ratio" in r:
            print(
                f"{r['case']:<24} earlier checkout ({args.base}): {r['base_s']:.2f} s, time x {r['base_time_ratio']:.2f}, "
                f"paired x {r['base_paired_time_ratio']:.2f}, cpu x {r['base_cpu_ratio']:.2f}"
            )

    import pandas as pd
    import pyarrow as pa

    out = {
        "benchmark": "reading",
        "rows_requested": rows,
        "repeat": repeat,
        "limits": {"time_ratio": TIME_LIMIT, "peak_ratio": MEMORY_LIMIT},
        "file_bytes": sizes,
        "results": results,
        "meets_goal": all(r["meets_goal"] for r in results),
        "load_average": {"start": load_start, "end": load_end},
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "pandas": pd.__version__,
            "pyarrow": pa.__version__,
        },
        "command": "benchmarks/reading.py " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    folder = ROOT / "benchmarks" / "results"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("reading_quick.json" if args.quick else "reading.json")
    if args.out:
        path = folder / args.out
    if (args.only is None and args.rows is None) or args.out:
        path.write_text(json.dumps(out, indent=2) + "\n")
        print(f"\nwritten {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
