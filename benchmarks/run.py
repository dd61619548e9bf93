"""Run every benchmark in benchmarks/ and print one summary table.

    .venv/bin/python benchmarks/run.py [--quick] [--only pack drivers ...]

Each benchmark writes its own ``benchmarks/results/<name>.json``; this script runs them one
after another (they must not share the 2 cores with each other) and collects their
summaries into ``benchmarks/results/summary.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["pack", "warm_kernels", "drivers", "sentiment", "churn", "journey", "coverage", "reading"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat (a smoke test of the scripts)")
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS, default=BENCHMARKS)
    args = parser.parse_args(argv)
    summary, failed = {}, []
    for name in args.only:
        script = HERE / f"{name}.py"
        if not script.exists():
            print(f"-- {name}: no benchmarks/{name}.py, skipped")
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(script)] + (["--quick"] if args.quick else []))
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            failed.append(name)
            continue
        out = (
            HERE
            / "results"
            / (
                f"{name}_quick.json"
                if args.quick and (HERE / "results" / f"{name}_quick.json").exists()
                else f"{name}.json"
            )
        )
        summary[name] = {
            "seconds": round(seconds, 1),
            "results": str(out.relative_to(HERE.parent)) if out.exists() else None,
        }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "summary.json").write_text(json.dumps(summary, indent=2))
    print("\nbenchmark   wall s   results")
    for name, row in summary.items():
        print(f"{name:10s} {row['seconds']:7.1f}   {row['results']}")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
