"""Peak memory of a command's whole process tree (the runner, its validating process and its
kernels), sampled every half second from /proc through psutil; a timeline is written to OUT.

    .venv/bin/python benchmarks/memtree.py OUT -- .venv/bin/cxkit report --catalog CATALOG --max-memory 8G --quiet

Prints the wall time, the tree's peak (GiB), when it happened, and the runner's and each
child's share at that moment. ``benchmarks/scale.py`` samples the same sums inside its own run;
this one measures any command as a user runs it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time

import psutil

GIB = 2**30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="the timeline file (seconds, runner and children's RSS in GiB)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "CXKIT_PROGRESS": "0"}
    start = time.time()
    proc = subprocess.Popen(command, env=env)
    root = psutil.Process(proc.pid)
    peak: tuple[int, float, int, list[int]] = (0, 0.0, 0, [])
    with open(args.out, "w", encoding="utf-8") as out:
        while proc.poll() is None:
            try:
                rss = root.memory_info().rss
                kids = []
                for kid in root.children(recursive=True):
                    try:
                        kids.append(kid.memory_info().rss)
                    except psutil.Error:  # a child that ended between the listing and the read
                        pass
            except psutil.Error:
                break
            total = rss + sum(kids)
            if total > peak[0]:
                peak = (total, time.time() - start, rss, kids)
            out.write(
                f"{time.time() - start:7.1f} runner {rss / GIB:5.2f} children {[round(k / GIB, 2) for k in kids]}"
                f" tree {total / GIB:5.2f}\n"
            )
            out.flush()
            time.sleep(0.5)
    print(
        f"exit {proc.wait()}; {time.time() - start:.1f} s; tree peak {peak[0] / GIB:.2f} GiB at {peak[1]:.0f} s "
        f"(runner {peak[2] / GIB:.2f}, children {[round(k / GIB, 2) for k in peak[3]]}); "
        f"load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
