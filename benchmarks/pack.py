"""The monthly pack: wall time and peak memory, against two peers measured in the same run.

- **cxkit**: ``cxkit report`` on the bundled sample (notebooks in parallel, in-process papermill
  and nbconvert);
- **naive**: a loop of the ``papermill`` and ``jupyter nbconvert --to html --no-input`` command
  lines over the same notebooks, one after the other;
- **floor**: the same ``cxkit report`` pipeline running notebooks that only import cxkit (all
  of its public names), read their parameters and hand the runner what the real pages hand it
  (what no pack can avoid: kernels, imports, validation, export, index, summary and drill-down
  pages).

How the floor hands over, and why. The runner's summary step builds the index's trends and
the drill-down pages from what the notebooks leave in its working folder: each page's results
part, and from the review page the month's scored reviews and the sentiment of the survey
comments (``review_sentiment.reviews.parquet``, ``.comments.parquet``). A notebook that leaves
nothing (the floor's, until issue 31's sixth session) made the summary step do the analysis
itself: it scored and calibrated the month's reviews for the verbatim pages (about 6 s of CPU
once the calibration was added) and built the lexicons for the comments, so the floor paid
analysis the real pack does not pay there, and left out the index tiles and drill-down pages
the real pack writes. So before the timed rounds the benchmark builds the sample pack once
(:func:`_handover_child`) and keeps what its notebooks handed over; each floor notebook copies
its page's files into place (a few milliseconds). The floor's runner then writes the same
``results.json``, index, summary and drill-down pages as the pack's, from the same inputs,
and the difference between the two is the pages' own work: their analyses, tables, figures
and the export of what they show. The real pack's summary step is unchanged: it scores the
reviews itself only when no page handed them over, which for the pack's own notebooks means
``--only`` kept the review page from an earlier pack.

Each round rebuilds the month into the same ``--out`` folder, as the monthly run does: from the
second round on, the runner starts the notebooks longest first by the previous pack's durations
(the first round orders them by their number of code cells).

Targets (issue #8): cxkit <= 0.5 x naive and <= 1.5 x floor; issue #31: <= 1.25 x floor. With
``--scales 10 100`` the pack also runs on ``cxkit sample --scale`` data; with ``--big`` on 1,000,000 reviews + 200,000 survey
responses + 500,000 customers + 2,000,000 journey events (``cxkit sample --rows``), where the
targets are at most 5 minutes and 4 GiB. Each figure is the median of ``--repeat`` runs (a
ratio: the median of the ratios within each round of the three);
peak memory is the largest sum of resident memory over the run's whole process tree (runner
and kernels), sampled every 50 ms from /proc.

``--breakdown`` also builds the pack once more, instrumented, and records where its time goes:
the runner's steps (the summary and drill-down pages included), the processor seconds of the
runner and of its kernels, and per notebook the kernel start, the first cell (imports, loading
the snapshot, the page's computations), the cells that show tables and those that draw
figures, and the export to HTML; with the floor among the peers, the same for the floor.

    .venv/bin/python benchmarks/pack.py [--repeat 5] [--scales 10 100] [--no-big] [--quick]
        [--peers floor naive] [--breakdown]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def _measure(cmd: list[str] | list[list[str]], env: dict) -> tuple[float, int, float]:
    """Wall seconds, peak tree RSS and CPU seconds (user + system, the process and all its
    descendants) of one command, or of several run one after another."""
    import resource

    cmds = cmd if isinstance(cmd[0], list) else [cmd]
    peak = 0
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for c in cmds:
        proc = subprocess.Popen(c, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        stop = threading.Event()

        def sample(stop=stop, proc=proc):
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, err = proc.communicate()
        stop.set()
        sampler.join()
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(c[:4])} failed ({proc.returncode}): {err[-2000:]}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)
    return wall, peak, cpu


def _pack_notebooks() -> list[Path]:
    return [
        p
        for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
        if nbformat.read(p, as_version=4).metadata.get("cxkit", {}).get("pack")
    ]


def _floor_notebooks(folder: Path, handed: Path) -> Path:
    """Copies of the pack notebooks that keep only the title, the parameters cell, an import and
    a cell that hands the runner what the real page hands it, taken from ``handed``
    (:func:`_handover_child`): the results part and any side files, copied, not computed."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in _pack_notebooks():
        nb = nbformat.read(path, as_version=4)
        params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        # ``import cxkit`` imports each name on first use (PEP 562): the floor loads them all,
        # what ``import cxkit`` did before and what every pack notebook needs (pandas, scipy ...).
        imports = "import cxkit as cx\n_ = [getattr(cx, name) for name in cx.__all__]"
        hand_over = (
            "import shutil\nfrom pathlib import Path\n"
            f"for _part in sorted(Path({str(handed)!r}).glob({(path.stem + '.*')!r})):\n"
            "    shutil.copy(_part, Path(results_path).parent / _part.name)"
        )
        nb.cells = nb.cells[:1] + params + [nbformat.v4.new_code_cell(imports), nbformat.v4.new_code_cell(hand_over)]
        nbformat.write(nb, folder / path.name)
    return folder


def _handover_child(out: Path) -> None:
    """Build the sample pack once and keep what its notebooks handed the runner (each page's
    results part, the review page's scored reviews and comment scores) in ``out``, for the
    floor's notebooks to hand over in their turn."""
    import cxkit.pack.runner as runner

    publish = runner._publish

    def keep_then_publish(run):
        shutil.copytree(run.parts_dir, out, dirs_exist_ok=True)
        return publish(run)

    runner._publish = keep_then_publish
    folder = Path(tempfile.mkdtemp(prefix="cxkit-handover-"))
    try:
        runner.build_pack("2026-10", catalog=ROOT / "data" / "cxkit.yaml", out=folder, quiet=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _naive_commands(catalog: Path, month: str, work: Path) -> list[list[str]]:
    cmds = []
    for path in _pack_notebooks():
        out = work / path.name
        params = nbformat.read(path, as_version=4)
        declared = "".join(c.source for c in params.cells if "parameters" in c.metadata.get("tags", []))
        args = [str(VENV_BIN / "papermill"), str(path), str(out), "--cwd", str(path.parent), "--no-progress-bar"]
        for name, value in (("month", month), ("catalog", str(catalog))):
            if f"{name}:" in declared or f"{name} =" in declared:
                args += ["-r", name, value]
        cmds.append(args)
        cmds.append(
            [str(VENV_BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out), "--output-dir", str(work)]
        )
    return cmds


def _breakdown_child(out: Path, notebooks: Path | None = None) -> None:
    """Build the sample pack in this process with the runner's steps and each page's export
    timed and the executed notebooks kept; write the breakdown to ``out`` (JSON)."""
    import datetime as dt

    import cxkit.pack.export as export
    import cxkit.pack.runner as runner

    steps: dict[str, float] = {}
    for name in (
        "_check_request",
        "_validate",
        "_execute",
        "_export",
        "_merge_results",
        "_write_index",
        "_write_manifest",
        "_summarise",
        "_brand_pages",
        "_publish",
    ):
        step = getattr(runner, name)

        def timed(*a, _step=step, _name=name, **k):
            t = time.perf_counter()
            try:
                return _step(*a, **k)
            finally:
                steps[_name] = round(steps.get(_name, 0.0) + time.perf_counter() - t, 3)

        setattr(runner, name, timed)
    exports: dict[str, float] = {}
    export_html = export.export_html

    def timed_export(nb, path, **kw):
        t = time.perf_counter()
        export_html(nb, path, **kw)
        exports[Path(path).stem] = round(time.perf_counter() - t, 3)

    export.export_html = timed_export
    kept: dict[str, nbformat.NotebookNode] = {}
    publish = runner._publish

    def keep_then_publish(run):
        for path in run.tmp.glob("*.ipynb"):
            kept[path.stem] = nbformat.read(path, as_version=4)
        return publish(run)

    runner._publish = keep_then_publish
    folder = Path(tempfile.mkdtemp(prefix="cxkit-breakdown-"))
    import resource

    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    runner.build_pack("2026-10", catalog=ROOT / "data" / "cxkit.yaml", out=folder, quiet=True, notebooks_dir=notebooks)
    total = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    # processor seconds of the runner itself and of its kernels (children, once they have exited)
    cpu = {
        who: round((a.ru_utime + a.ru_stime) - (b.ru_utime + b.ru_stime), 3)
        for who, a, b in zip(("runner", "kernels"), after, before, strict=True)
    }
    timings = {}
    for name, nb in kept.items():
        meta = nb.metadata["papermill"]
        code = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("papermill", {}).get("start_time")]
        start = dt.datetime.fromisoformat(meta["start_time"])
        first = dt.datetime.fromisoformat(code[0].metadata.papermill["start_time"])
        last = dt.datetime.fromisoformat(code[-1].metadata.papermill["end_time"])
        kinds = {"parameters": 0.0, "first_cell": 0.0, "figures": 0.0, "tables_and_text": 0.0}
        seen_first = False
        for cell in code:
            seconds = cell.metadata.papermill.get("duration") or 0.0
            if "parameters" in cell.metadata.get("tags", []) or "injected-parameters" in cell.metadata.get("tags", []):
                kinds["parameters"] += seconds
            elif not seen_first:
                kinds["first_cell"] += seconds
                seen_first = True
            elif any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
                kinds["figures"] += seconds
            else:
                kinds["tables_and_text"] += seconds
        timings[name] = {
            "seconds": meta.get("duration"),
            "before_first_cell": round((first - start).total_seconds(), 3),  # kernel start (first in its kernel)
            **{k: round(v, 3) for k, v in kinds.items()},
            "after_last_cell": round((dt.datetime.fromisoformat(meta["end_time"]) - last).total_seconds(), 3),
            "export": exports.get(name),
        }
    found = {"seconds": round(total, 3), "cpu_seconds": cpu, "steps": steps, "notebooks": timings}
    out.write_text(json.dumps(found, indent=2))
    shutil.rmtree(folder, ignore_errors=True)


def run_breakdown(env: dict, work: Path, notebooks: Path | None = None) -> dict:
    """Where the pack's time goes (:func:`_breakdown_child`, in its own process); with
    ``notebooks``, the floor's."""
    out = work / "breakdown.json"
    extra = ["--breakdown-notebooks", str(notebooks)] if notebooks else []
    subprocess.run([sys.executable, __file__, "--breakdown-child", str(out), *extra], env=env, check=True)
    found = json.loads(out.read_text())
    print(
        f"  breakdown{' (floor)' if notebooks else ''}: {found['seconds']:.1f} s, CPU {found['cpu_seconds']}; "
        f"steps {found['steps']}",
        flush=True,
    )
    for name, row in found["notebooks"].items():
        print(f"    {name:18s} {row}", flush=True)
    return found


BIG_ROWS = {"reviews": 1_000_000, "feedback": 200_000, "customers": 500_000, "journey": 2_000_000}


def run_big(env: dict, work: Path, cx: str, month: str) -> dict:
    """The pack on the issue's big input: wall time and peak memory of the whole process tree."""
    data = work / "big"
    rows = [arg for table, n in BIG_ROWS.items() for arg in ("--rows", f"{table}={n}")]
    t = time.perf_counter()
    subprocess.run([cx, "sample", *rows, "--out", str(data / "sample")], env=env, check=True, stdout=subprocess.DEVNULL)
    generated = time.perf_counter() - t
    shutil.copy(ROOT / "data" / "cxkit.yaml", data / "cxkit.yaml")
    facts = json.loads((data / "sample" / "truth.json").read_text())
    seconds, peak, _ = _measure(
        [cx, "report", "--month", month, "--catalog", str(data / "cxkit.yaml"), "--out", str(work / "big_reports")], env
    )
    manifest = json.loads((work / "big_reports" / month / "manifest.json").read_text())
    out = {
        "seconds": seconds,
        "peak_mib": peak / 2**20,
        "target_seconds": 300,
        "target_mib": 4096,
        "rows": {t: facts["row_counts"][t]["rows"] for t in BIG_ROWS},
        "generate_seconds": generated,
        "notebook_seconds": {k: v.get("seconds") for k, v in manifest.get("notebooks", {}).items()}
        if isinstance(manifest.get("notebooks"), dict)
        else manifest.get("notebooks"),
    }
    print(
        f"  big input {out['rows']}: {seconds:.1f} s (target 300), peak {peak / 2**20:.0f} MiB (target 4096)",
        flush=True,
    )
    shutil.rmtree(data, ignore_errors=True)
    return out


def run(
    repeat: int,
    scales: list[float],
    quick: bool,
    big: bool = False,
    peers: tuple[str, ...] = ("floor", "naive"),
    breakdown: bool = False,
) -> dict:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    # The cxkit of this checkout, in the runner and its kernels alike (a shared virtual environment
    # may have another checkout installed in editable mode).
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    home = Path(tempfile.mkdtemp(prefix="cxkit-bench-home-"))
    env.update(HOME=str(home), IPYTHONDIR=str(home / ".ipython"), MPLCONFIGDIR=str(home / ".mpl"))
    work = Path(tempfile.mkdtemp(prefix="cxkit-bench-"))
    results = {"repeat": repeat, "cpus": os.cpu_count(), "notebooks": [p.stem for p in _pack_notebooks()], "runs": {}}
    month = "2026-10"
    catalog = ROOT / "data" / "cxkit.yaml"
    cx = str(VENV_BIN / "cxkit")
    handed = work / "handed"
    if "floor" in peers or breakdown:
        subprocess.run([sys.executable, __file__, "--handover-child", str(handed)], env=env, check=True)
    floor_dir = _floor_notebooks(work / "floor_notebooks", handed)
    configs = {
        "cxkit": lambda i: [
            cx,
            "report",
            "--month",
            month,
            "--catalog",
            str(catalog),
            "--out",
            str(work / "r"),
            "--quiet",
        ],
        "floor": lambda i: [
            cx,
            "report",
            "--month",
            month,
            "--catalog",
            str(catalog),
            "--out",
            str(work / "f"),
            "--notebooks",
            str(floor_dir),
            "--quiet",
        ],
        "naive": lambda i: _naive_commands(catalog, month, (work / f"n{i}").resolve()),
    }
    configs = {name: make for name, make in configs.items() if name == "cxkit" or name in peers}
    results["load_before"] = os.getloadavg()
    for i in range(repeat):
        for name, make in configs.items():  # interleaved, so drift in machine load hits all three
            if name == "naive":
                (work / f"n{i}").mkdir()
            seconds, peak, cpu = _measure(make(i), env)
            load = os.getloadavg()[0]
            results["runs"].setdefault(name, []).append(
                {"seconds": seconds, "peak_bytes": peak, "cpu_seconds": cpu, "load_1min": load}
            )
            print(
                f"  run {i + 1}/{repeat} {name:6s} {seconds:7.1f} s  peak {peak / 2**20:7.0f} MiB  cpu {cpu:6.1f} s"
                f"  load {load:.1f}",
                flush=True,
            )
    summary = {
        name: {
            "seconds": statistics.median(r["seconds"] for r in runs),
            "peak_mib": statistics.median(r["peak_bytes"] for r in runs) / 2**20,
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
        }
        for name, runs in results["runs"].items()
    }
    # Each round runs the three back to back, so a ratio within a round shares the machine's
    # load of the moment; the target figure is the median of the rounds' ratios (wall time).
    runs = results["runs"]
    for peer in peers:
        ratios = [a["seconds"] / b["seconds"] for a, b in zip(runs["cxkit"], runs[peer])]
        summary[f"ratio_vs_{peer}"] = statistics.median(ratios)
        summary[f"ratios_vs_{peer}"] = ratios
        summary[f"ratio_of_medians_vs_{peer}"] = summary["cxkit"]["seconds"] / summary[peer]["seconds"]
        summary[f"cpu_ratio_vs_{peer}"] = summary["cxkit"]["cpu_seconds"] / summary[peer]["cpu_seconds"]
        # processor seconds, paired by round as well (the load changes CPU time far less than wall time)
        cpu_ratios = [a["cpu_seconds"] / b["cpu_seconds"] for a, b in zip(runs["cxkit"], runs[peer])]
        summary[f"cpu_ratios_vs_{peer}"] = cpu_ratios
        summary[f"cpu_ratio_paired_vs_{peer}"] = statistics.median(cpu_ratios)
    for scale in scales:
        data = work / f"scale{scale:g}"
        subprocess.run(
            [cx, "sample", "--scale", str(scale), "--out", str(data / "sample")],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        shutil.copy(catalog, data / "cxkit.yaml")
        seconds, peak, _ = _measure(
            [
                cx,
                "report",
                "--month",
                month,
                "--catalog",
                str(data / "cxkit.yaml"),
                "--out",
                str(work / f"s{scale:g}"),
                "--quiet",
            ],
            env,
        )
        summary[f"scale_{scale:g}"] = {"seconds": seconds, "peak_mib": peak / 2**20}
        print(f"  scale {scale:g}: {seconds:.1f} s, peak {peak / 2**20:.0f} MiB", flush=True)
    if big:
        summary["big"] = run_big(env, work, cx, month)
    if breakdown:
        summary["breakdown"] = run_breakdown(env, work)
        if "floor" in peers:
            summary["breakdown_floor"] = run_breakdown(env, work, floor_dir)
    summary["load_1min"] = statistics.median(r["load_1min"] for runs in results["runs"].values() for r in runs)
    results["summary"] = summary
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scales", type=float, nargs="*", default=[10, 100])
    parser.add_argument("--quick", action="store_true", help="one repeat, no scaled runs")
    parser.add_argument(
        "--peers",
        nargs="+",
        choices=["floor", "naive"],
        default=["floor", "naive"],
        help="the peers measured against cxkit (default: both; the naive loop takes 3x the pack)",
    )
    parser.add_argument(
        "--big",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run the pack on 1M reviews, 200k responses, 500k customers, 2M events "
        "(default: yes; --no-big skips it)",
    )
    parser.add_argument("--breakdown", action="store_true", help="also record where the pack's time goes")
    parser.add_argument("--breakdown-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--breakdown-notebooks", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--handover-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.breakdown_child:
        _breakdown_child(args.breakdown_child, args.breakdown_notebooks)
        return 0
    if args.handover_child:
        _handover_child(args.handover_child)
        return 0
    if args.quick:
        args.repeat, args.scales, args.big = 1, [], False
    results = run(args.repeat, args.scales, args.quick, args.big, tuple(args.peers), args.breakdown)
    s = results["summary"]
    print(f"\n{'pack':10s}{'median s':>10s}{'peak MiB':>10s}")
    for name in ("cxkit", *args.peers):
        print(f"{name:10s}{s[name]['seconds']:10.1f}{s[name]['peak_mib']:10.0f}")
    if "naive" in args.peers:
        print(f"cxkit / naive = {s['ratio_vs_naive']:.2f} (target <= 0.5)")
    if "floor" in args.peers:
        print(
            f"cxkit / floor = {s['ratio_vs_floor']:.2f} (target <= 1.25; median of the rounds' ratios "
            f"{', '.join(f'{r:.2f}' for r in s['ratios_vs_floor'])}; ratio of medians "
            f"{s['ratio_of_medians_vs_floor']:.2f}; CPU {s['cpu_ratio_vs_floor']:.2f}, paired "
            f"{s['cpu_ratio_paired_vs_floor']:.2f})"
        )
    print(f"load average (1 min) before: {results['load_before'][0]:.1f}, during: {s['load_1min']:.1f}")
    if "big" in s:
        b = s["big"]
        print(f"big input: {b['seconds']:.1f} s (target <= 300), peak {b['peak_mib']:.0f} MiB (target <= 4096)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    # A run against one peer only does not replace the full record.
    name = "pack.json" if set(args.peers) == {"floor", "naive"} else f"pack_vs_{args.peers[0]}.json"
    (RESULTS / name).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
