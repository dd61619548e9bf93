"""The ``cxkit`` command line.

``cxkit report`` builds the monthly pack (exit codes in :data:`cxkit.pack.runner.EXIT_CODES`);
``cxkit validate`` checks every source of a catalog (exit 0 only when all are usable, else 1);
``cxkit sample`` writes the synthetic sample data. Bad command-line usage exits 2. An
unexpected error (a bug) never shows a traceback: it exits 10 with one line naming the log file
that holds it (``<out>/_logs/``). SIGINT (Ctrl-C) and SIGTERM end any command with one line and
exit 130 or 143 (128 + the signal's number); ``cxkit report`` first removes its temporary folder
and kernels and leaves the previous pack untouched.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

from ._signals import handling_stops

__all__ = ["main"]

EXIT_OK = 0
EXIT_INVALID_DATA = 1
EXIT_USAGE = 2


def _cmd_validate(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..data.catalog import load_catalog
    from ..errors import CxkitError
    from ..safe_files import write_csv

    try:
        catalog = load_catalog(args.catalog, only=args.only or None)
    except CxkitError as exc:
        print(f"cxkit validate: {exc}", file=sys.stderr)
        return EXIT_INVALID_DATA
    out = Path(args.out)
    summary = catalog.validate(out=out)
    shown = summary[["source", "table", "read", "accepted", "rejected", "excluded", "usable"]]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"Data quality ({catalog.path}):")
        print(shown.to_string(index=False))
    for _, row in summary.iterrows():
        if row["top_reasons"]:
            print(f"\n{row['source']}: top rejection reasons: {row['top_reasons']}")
        if row["error"]:
            print(f"\n{row['source']}: NOT USABLE: {row['error']}", file=sys.stderr)
    write_csv(summary, out / "data_quality.csv")
    print(f"\nRejected rows (PII masked) and data_quality.csv written to {out}/")
    return EXIT_OK if summary["usable"].all() else EXIT_INVALID_DATA


def _rows_arg(text: str) -> tuple[str, int]:
    table, sep, n = text.partition("=")
    tables = ("customers", "feedback", "reviews", "journey")
    if not sep or table not in tables or not n.replace("_", "").isdigit() or int(n) <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r}: write TABLE=N with TABLE one of {', '.join(tables)} and N a positive whole "
            "number, e.g. --rows reviews=1000000"
        )
    return table, int(n)


def _cmd_sample(args: argparse.Namespace) -> int:
    from ..data.sample import write_sample

    paths = write_sample(args.out, seed=args.seed, scale=args.scale, rows=dict(args.rows) or None)
    for name, path in paths.items():
        print(f"{name}: {path}")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    import logging

    from ..errors import PackError
    from .runner import EXIT_CODES, build_pack

    logging.getLogger("traitlets").setLevel(logging.ERROR)  # kernels' TCP warnings are noise here
    try:
        path = build_pack(
            args.month,
            catalog=args.catalog,
            out=args.out,
            only=args.only,
            timeout=args.timeout,
            jobs=args.jobs,
            quiet=args.quiet,
            notebooks_dir=args.notebooks,
            scheduler=args.scheduler,
            strict=args.strict,
            max_memory=args.max_memory,
            language=args.language,
            pdf=True if args.pdf else None,
        )
    except PackError as exc:
        log = f" Log: {exc.log_path}" if exc.log_path else ""
        print(f"cxkit report: {EXIT_CODES.get(exc.exit_code, 'failed')}: {exc}{log}", file=sys.stderr)
        return exc.exit_code
    if not args.quiet:
        print(path / "index.html")
    return _alert_exit(path) if args.fail_on_alert else EXIT_OK


def _alert_exit(pack: Path) -> int:
    """``--fail-on-alert``: :data:`cxkit.pack.alerts.EXIT_ALERTS` when the published pack's
    ``alerts.json`` lists any alert (the pack is published either way)."""
    import json

    from .alerts import EXIT_ALERTS

    try:
        count = int(json.loads((pack / "alerts.json").read_text(encoding="utf-8")).get("count") or 0)
    except (OSError, ValueError):
        return EXIT_OK
    return EXIT_ALERTS if count else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cxkit", description="Customer-experience analytics toolkit.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "validate",
        help="read every source of a catalog and print the data-quality summary",
        description="Read every source of the catalog; print rows read / accepted / rejected "
        "and the top rejection reasons; write the rejected rows (PII masked). "
        "Exits 0 only when every source is usable.",
    )
    p.add_argument("--catalog", default="data/cxkit.yaml", help="catalog file (default: data/cxkit.yaml)")
    p.add_argument(
        "--out", default="reports/_validation", help="folder for rejected rows (default: reports/_validation)"
    )
    p.add_argument("--only", nargs="*", metavar="NAME", help="validate only these sources")
    p.set_defaults(func=_cmd_validate)

    from .runner import EXIT_CODES

    codes = "\n".join(f"  {code:>3}  {meaning}" for code, meaning in EXIT_CODES.items())
    description = (
        "Run every pack notebook in notebooks/ for one month with papermill (in "
        "parallel, each cell with a timeout), export self-contained HTML, and write "
        "reports/YYYY-MM/ with index.html, one HTML per analysis, results.json and "
        "manifest.json. The folder appears only when every notebook succeeded; a "
        "failed run leaves the previous pack untouched and keeps the failed notebook "
        "under reports/_failed/<run-id>/. Every failure ends with one line on stderr "
        "and a line in the run's log under reports/_logs/; the temporary folder and "
        "the kernels are removed, and what a killed run left is removed by the next one."
    )
    p = sub.add_parser(
        "report",
        help="build the monthly pack of HTML reports",
        description=textwrap.fill(description, 88),
        epilog=f"exit codes:\n{codes}\n\n"
        + textwrap.fill(
            "11 is a read-only or not writable --out folder, or a full disk or quota; 12 is alerts with "
            "--fail-on-alert (the pack is published); 13 is a PDF that could not be written (--pdf); 130 and 143 are "
            "128 + the signal's number. Every failure prints one line, leaves the previous pack untouched "
            "and removes the temporary folder; once notebooks run (4, 5, 6, 9) and for 11, 130 and 143 "
            "the line ends with the path of the log that records it.",
            88,
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--month", help="month to report, YYYY-MM (default: the last complete month in the data)")
    p.add_argument("--catalog", default=None, help="catalog file (default: data/cxkit.yaml)")
    p.add_argument("--out", default="reports", help="folder for packs (default: reports)")
    p.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="rebuild only these notebooks (e.g. nps_drivers) of a month that has a pack: its other pages are "
        "kept and the index and results.json are rebuilt from the merged results",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 9, the previous pack untouched) when any section cannot be computed from the data; "
        "by default such a section shows a sentence saying what is missing",
    )
    p.add_argument("--timeout", type=int, default=600, help="seconds one cell may run (default: 600)")
    p.add_argument(
        "--jobs", type=int, default=None, help="notebooks run at once (default: CXKIT_JOBS, else one per core)"
    )
    p.add_argument(
        "--max-memory",
        default=None,
        metavar="SIZE",
        help="memory the run may use at once, e.g. 8G: a notebook waits when its estimated peak does not fit "
        "beside those running (default: 80%% of the memory available at the start)",
    )
    p.add_argument(
        "--language",
        default=None,
        metavar="CODE",
        help="the pack's language: en, da, nb or sv (default: the catalog's settings.language, else English); "
        "numbers, percentages and months follow the language's locale",
    )
    p.add_argument(
        "--pdf",
        action="store_true",
        help="also write the whole pack as one PDF (pack-YYYY-MM.pdf in the month's folder; needs Chromium); "
        "the catalog's settings.pdf: true does the same",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines (for cron); errors still go to stderr")
    p.add_argument(
        "--fail-on-alert",
        action="store_true",
        help="exit 12 when the published pack has alerts (alerts.json: a KPI misses its target, a significant "
        "change for the worse, an emerging negative theme, a falling touchpoint); the pack is written either way",
    )
    p.add_argument("--notebooks", default=None, metavar="DIR", help="folder of pack notebooks (default: notebooks/)")
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler (tcp://host:8786) for the heavy steps: sentiment scoring, journey "
        "aggregation, bootstrap resamples (default: the catalog's settings.scheduler, else in-process)",
    )
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "sample",
        help="write the synthetic sample data with its planted truth",
        description="Write feedback, reviews, customers and journey CSVs plus TRUTH.md and "
        "truth.json. The same seed and scale give byte-identical files.",
    )
    p.add_argument("--seed", type=int, default=20261, help="random seed (default: 20261, the bundled sample)")
    p.add_argument("--out", default="data/sample", help="output folder (default: data/sample)")
    p.add_argument("--scale", type=float, default=1.0, help="multiply row counts (default: 1)")
    p.add_argument(
        "--rows",
        action="append",
        default=[],
        metavar="TABLE=N",
        type=_rows_arg,
        help="about N rows in TABLE (customers, feedback, reviews or journey), overriding "
        "--scale for it; repeat for several tables",
    )
    p.set_defaults(func=_cmd_sample)
    return parser


EXIT_INTERNAL = 10


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    stopped_by: list[int] = []
    try:
        with _signals_raise(stopped_by):
            return args.func(args)
    except KeyboardInterrupt:  # a signal before `cxkit report` began its run (which ends its own)
        signum = stopped_by[0] if stopped_by else signal.SIGINT
        print(
            f"cxkit {args.command}: stopped by {signal.Signals(signum).name} (exit {128 + signum}); nothing was written.",
            file=sys.stderr,
        )
        return 128 + signum
    except Exception:  # a bug: one line for the user, the traceback in a log file (issue 23)
        log = _crash_log(args)
        print(
            f"cxkit {args.command}: internal error (exit {EXIT_INTERNAL}); this is a bug in cxkit, not in your "
            f"data or options. The traceback is in {log}; please attach it to a bug report.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


@contextlib.contextmanager
def _signals_raise(stopped_by: list[int]) -> Iterator[None]:
    """SIGTERM raises ``KeyboardInterrupt`` as SIGINT does, so a command stopped either way ends
    with one line instead of Python's traceback or a death by signal; ``stopped_by`` gets the
    signal's number. In the main thread only (where Python delivers signals)."""

    def stop(signum: int, frame: object) -> None:
        stopped_by.append(signum)
        raise KeyboardInterrupt

    with handling_stops(stop):
        yield


def _crash_log(args: argparse.Namespace) -> Path:
    """Write the current exception's traceback to ``<out>/_logs/`` (or the temporary folder
    when that cannot be written) and return the file's path."""
    import tempfile
    import time
    import traceback

    name = f"cxkit-{args.command}-error-{time.strftime('%Y%m%dT%H%M%S')}.log"
    text = f"cxkit {args.command} {sys.argv[1:]}\n\n{traceback.format_exc()}"
    for folder in (Path(getattr(args, "out", None) or ".") / "_logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return Path(name)  # nowhere writable: the name is all there is


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
