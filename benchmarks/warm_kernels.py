"""Several packs in one job: kernels forked from a warm kernel server against kernels started
from scratch, measured in the same run (issue #31).

Each variant runs in a process of its own that builds the sample's last ``--months`` months one
after another into a fresh folder, as a backfill would:

- **scratch**: ``build_pack`` as usual, every kernel started from scratch;
- **warm**: the same inside ``with kernel_server():`` (:mod:`cxkit.pack.kernels`), the server's
  start included.

The two alternate round by round (``--repeat`` rounds, the first variant swapped each round);
each figure is the median, and the ratio is the median of the rounds' ratios. Processor time is
the whole process tree's (the variant's process, its kernels, the server and the server's
kernels: every one of them is waited for by its parent). ``--jobs`` is the packs' ``--jobs``
(default 1: one kernel a pack, as the test suite builds them; 2 runs the pack's notebooks two at
a time, as on a 2-core machine by default).

    .venv/bin/python benchmarks/warm_kernels.py [--repeat 3] [--months 3] [--jobs 1] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
CHILD = """
import contextlib, sys, tempfile
from cxkit.pack.kernels import kernel_server
from cxkit.pack.runner import build_pack
warm, jobs, months = sys.argv[1] == "warm", int(sys.argv[2]), sys.argv[3:]
out = tempfile.mkdtemp(prefix="cxkit-bench-warm-")
with kernel_server(jobs=jobs) if warm else contextlib.nullcontext():
    for month in months:
        build_pack(month, out=out, jobs=jobs, quiet=True)
"""


#: One kernel started as the runner starts one, then the imports of a pack's first cell; n times,
#: in a process of its own (``warm``: inside a kernel server, whose start is included).
KERNELS = """
import contextlib, sys, tempfile
from jupyter_client.blocking import BlockingKernelClient
from jupyter_core.utils import run_sync
from cxkit.pack.kernels import kernel_server, kernel_threads
from cxkit.pack.runner import _ipc_kernel_manager
IMPORTS = "import cxkit, pandas, scipy.stats, statsmodels.api, sklearn.linear_model, matplotlib.pyplot, seaborn"
with kernel_server(jobs=1) if sys.argv[1] == "warm" else contextlib.nullcontext():
    for _ in range(int(sys.argv[2])):
        manager = _ipc_kernel_manager(threads=kernel_threads(1))(kernel_name="python3")
        run_sync(manager.start_kernel)(cwd=tempfile.gettempdir())
        client = BlockingKernelClient(connection_file=manager.connection_file, parent=manager)
        client.load_connection_file()
        client.start_channels()
        client.wait_for_ready(timeout=600)
        client.execute_interactive(IMPORTS, timeout=600)
        client.stop_channels()
        run_sync(manager.shutdown_kernel)()
"""


def _timed(script: str, *args: str) -> dict:
    """Wall and processor seconds (the whole process tree's) of ``python -c script args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script, *args], check=True, cwd=PROJECT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}


def _kernels(variant: str, count: int) -> dict:
    return {"kernels": count, **_timed(KERNELS, variant, str(count))}


def _months(count: int) -> list[str]:
    """The sample's last ``count`` complete months, oldest first."""
    sys.path.insert(0, str(PROJECT))
    import cxkit as cx

    last = cx.last_complete_month(cx.load_catalog(cx.DEFAULT_CATALOG)["feedback"].frame["responded_at"])
    year, month = map(int, str(last).split("-"))
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _measure(variant: str, jobs: int, months: list[str]) -> dict:
    return {**_timed(CHILD, variant, str(jobs), *months), "load": round(os.getloadavg()[0], 2)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="one round of one month")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.months = 1, 1
    months = _months(args.months)
    rounds = []
    for number in range(args.repeat):
        order = ["scratch", "warm"] if number % 2 == 0 else ["warm", "scratch"]
        result = {variant: _measure(variant, args.jobs, months) for variant in order}
        result["wall_ratio"] = round(result["warm"]["wall_s"] / result["scratch"]["wall_s"], 3)
        result["cpu_ratio"] = round(result["warm"]["cpu_s"] / result["scratch"]["cpu_s"], 3)
        rounds.append(result)
        print(json.dumps(result), flush=True)

    # Kernels alone, 1 and 5 each way: the difference is 4 kernels' start and imports (the
    # measuring process's own start and the server's cancel out).
    kernels = {variant: {n: _kernels(variant, n) for n in (1, 5)} for variant in ("scratch", "warm")}
    per_kernel = {v: round((kernels[v][5]["cpu_s"] - kernels[v][1]["cpu_s"]) / 4, 2) for v in kernels}
    server = round(
        kernels["warm"][1]["cpu_s"] - kernels["scratch"][1]["cpu_s"] + per_kernel["scratch"] - per_kernel["warm"], 2
    )
    print(json.dumps({"kernel_start_and_imports_cpu_s": per_kernel, "server_start_cpu_s": server}), flush=True)

    def median(variant: str, key: str) -> float:
        return round(statistics.median(r[variant][key] for r in rounds), 2)

    summary = {
        "months": months,
        "jobs": args.jobs,
        "scratch_wall_s": median("scratch", "wall_s"),
        "warm_wall_s": median("warm", "wall_s"),
        "scratch_cpu_s": median("scratch", "cpu_s"),
        "warm_cpu_s": median("warm", "cpu_s"),
        "wall_ratio": round(statistics.median(r["wall_ratio"] for r in rounds), 3),
        "cpu_ratio": round(statistics.median(r["cpu_ratio"] for r in rounds), 3),
        "kernel_start_and_imports_cpu_s": per_kernel,
        "server_start_cpu_s": server,
        "load": [
            min(r[v]["load"] for r in rounds for v in ("scratch", "warm")),
            max(r[v]["load"] for r in rounds for v in ("scratch", "warm")),
        ],
    }
    result = {
        "summary": summary,
        "rounds": rounds,
        "kernels": kernels,
        "command": " ".join(["benchmarks/warm_kernels.py", *(argv or sys.argv[1:])]),
    }
    name = "warm_kernels_quick.json" if args.quick else "warm_kernels.json"
    (HERE / "results" / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
