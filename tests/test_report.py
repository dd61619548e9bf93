"""The monthly pack runner: success, every kind of failure, locking, atomicity, safe HTML."""

from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

import cxkit as cx
from cxkit.pack import runner as report
from cxkit.pack.runner import PackNotebook, build_pack

pytestmark = pytest.mark.slow

#: A guard against a hung test, never a verdict: a CLI run here takes seconds idle and under a
#: minute on a loaded machine, and nothing in this file passes or fails by how fast it runs.
HANG_GUARD = 900

PARAMS = (
    'month: str = ""  # YYYY-MM\ncatalog: str = ""  # catalog file\nresults_path: str = ""  # where to write results'
)


def _notebook(folder: Path, name: str, cells: list[str], *, order: int = 10, section: str | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"), params] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["cxkit"] = {"pack": True, "title": name.title(), "order": order, "section": section}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


GOOD = [
    "import cxkit as cx\nfb = cx.load_catalog(catalog)['feedback'].frame",
    "secret_code_marker = 1\ncx.table(fb[['response_id', 'comment']], caption='Comments')",
    "cx.save_results(results_path, nps={'value': float(fb['nps'].mean()), 'n': int(len(fb)), "
    "'finding': 'Mean score ' + str(round(float(fb['nps'].mean()), 2))})",
]


def _write_project(folder: Path) -> Path:
    data = folder / "data"
    data.mkdir()
    rows = ["response_id,responded_at,nps,comment"]
    for i in range(40):
        month = "2026-09" if i < 20 else "2026-10"
        comment = "<script>alert(1)</script> mail me@example.com" if i == 3 else f"ok {i}"
        rows.append(f'r{i},{month}-{1 + i % 28:02d},{i % 11},"{comment}"')
    rows.append("r40,2026-10-31,5,last day")
    (data / "fb.csv").write_text("\n".join(rows) + "\n")
    (data / "cat.yaml").write_text("sources:\n  feedback: {path: fb.csv}\n")
    nbs = folder / "notebooks"
    nbs.mkdir()
    _notebook(nbs, "alpha", GOOD, section="nps")
    return folder


@pytest.fixture
def project(tmp_path):
    return _write_project(tmp_path)


@pytest.fixture(scope="module")
def built_before(tmp_path_factory) -> Path:
    """The reports folder of a run of the same project (its last complete month, 2026-10),
    built once per module; :func:`_previous` copies it into a test's project."""
    folder = _write_project(tmp_path_factory.mktemp("built_before"))
    _build(folder)
    return folder / "reports"


def _previous(project: Path, built_before: Path) -> dict:
    """The pack a failed run must leave as it was: a copy of ``built_before`` as the project's
    reports folder (what a run in ``project`` would leave: the pack, its log and lock file)."""
    shutil.copytree(built_before, project / "reports", symlinks=True)
    snapshot = _snapshot(project / "reports" / "2026-10")
    assert {"index.html", "alpha.html", "results.json", "manifest.json"} <= set(snapshot)  # a pack to lose
    return snapshot


def _build(project, **kw):
    return build_pack(
        catalog=project / "data" / "cat.yaml",
        out=project / "reports",
        notebooks_dir=project / "notebooks",
        quiet=True,
        **kw,
    )


def _report_args(project, *args):
    """``cxkit report`` on the test project: its catalog, reports folder and notebooks."""
    return [
        "report",
        "--catalog",
        str(project / "data" / "cat.yaml"),
        "--out",
        str(project / "reports"),
        "--notebooks",
        str(project / "notebooks"),
        *args,
    ]


def _cli(project, *args, wrapper=("-m", "cxkit"), **kw):
    cmd = [sys.executable, *wrapper, *_report_args(project, *args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=HANG_GUARD, **kw)


def _main(project, capsys, *args) -> subprocess.CompletedProcess:
    """``cxkit report`` in this process, with what it printed: `python -m cxkit` is
    ``sys.exit(cli.main())``, so a process start would only import cxkit again (2 s of CPU).
    The tests that hold the command to its whole stderr (no stray warning) or need a process
    (signals, a kill) start one with :func:`_cli`."""
    from cxkit.pack import cli

    capsys.readouterr()
    code = cli.main(_report_args(project, *args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(["cxkit", *args], code, out, err)


def _snapshot(folder: Path) -> dict:
    # every file, those of the appendix/ folder (issue 27) included
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_pack_is_built_with_index_results_manifest_and_safe_html(project):
    pack = _build(project)
    assert pack == (project / "reports" / "2026-10").resolve()  # the last complete month
    assert sorted(p.name for p in pack.iterdir()) == [
        "alerts.json",  # issue 27: the alerts, and the appendix (drill-down pages and how to read the pack)
        "alpha.html",
        "appendix",
        "index.html",
        "manifest.json",
        "results.json",
    ]
    results = json.loads((pack / "results.json").read_text())
    assert results["month"] == "2026-10" and results["nps"]["n"] == 41
    assert results["data_quality"]["feedback"] == {
        "read": 41,
        "accepted": 41,
        "rejected": 0,
        "excluded": 0,
        "reasons": {},
    }
    manifest = json.loads((pack / "manifest.json").read_text())
    assert manifest["inputs"]["feedback"]["sha256"] == report._sha256(project / "data" / "fb.csv")
    assert manifest["inputs"]["feedback"]["rows_read"] == 41
    assert manifest["notebooks"]["alpha"]["outcome"] == "ok" and manifest["versions"]["pandas"]
    assert manifest["started_utc"] <= manifest["finished_utc"]
    html = (pack / "alpha.html").read_text()
    assert "<script" not in html and "Content-Security-Policy" in html
    assert "secret_code_marker" not in html  # no code in reports
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "me@example.com" not in html
    index = (pack / "index.html").read_text()
    assert 'href="alpha.html"' in index and "Mean score" in index and "<script" not in index
    assert not list((project / "reports").glob(".2026-10.tmp-*"))


def test_same_inputs_give_the_same_results(project):
    first = (_build(project) / "results.json").read_text()
    second = (_build(project) / "results.json").read_text()
    assert first == second


#: A cell that never finishes by itself (no sleep that a slow machine could outlast).
BLOCKS = "import threading\nthreading.Event().wait()  # cxkit-test: times out"

#: ``python -c`` wrapper of ``cxkit report`` giving the cell marked ``cxkit-test: times out`` a
#: 1 s timeout and every other cell the ``--timeout`` of the command line, which it checks was
#: passed on (exit 99 otherwise). The timeout then fires on that cell and on no other, however
#: slowly a loaded machine imports cxkit in the cells before it. nbclient's ``timeout_func``
#: is its public per-cell timeout; papermill passes extra keywords on to it.
CELL_TIMEOUT_CLI = """
import sys, papermill
from cxkit.pack.cli import main
expected, execute = int(sys.argv.pop(1)), papermill.execute_notebook
def with_cell_timeouts(*args, **kw):
    if kw.get("execution_timeout") != expected:
        sys.exit(99)
    kw["timeout_func"] = lambda cell: 1 if "cxkit-test: times out" in cell.source else expected
    return execute(*args, **kw)
papermill.execute_notebook = with_cell_timeouts
sys.exit(main())
"""


@pytest.mark.parametrize(
    "cell, code, kind",
    [
        ("1/0", 4, "ZeroDivisionError"),
        ("import sys\nsys.exit(0)", 4, "stopped early"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", 6, "Kernel"),
        (BLOCKS, 5, "timed out"),
    ],
)
def test_failures_keep_the_previous_pack_and_the_failed_notebook(project, built_before, capsys, cell, code, kind):
    previous = _previous(project, built_before)
    _notebook(project / "notebooks", "beta", [GOOD[0], cell, "print('after')"], order=20)
    # No cell but the blocking one can time out: the others have the whole --timeout.
    args = ["--timeout", str(HANG_GUARD), "--month", "2026-10"]
    if code == 5:
        result = _cli(project, *args, wrapper=["-c", CELL_TIMEOUT_CLI, str(HANG_GUARD)])
    else:
        result = _main(project, capsys, *args)
    assert result.returncode == code, result.stderr
    assert kind.lower() in result.stderr.lower()
    assert _snapshot(project / "reports" / "2026-10") == previous
    failed = list((project / "reports" / "_failed").iterdir())
    assert len(failed) == 1 and (failed[0] / "beta.ipynb").exists()
    # The evidence is the notebook as far as it ran (saved once, in papermill's `finally`).
    kept = nbformat.read(failed[0] / "beta.ipynb", as_version=4)
    ran = [c.source for c in kept.cells if c.cell_type == "code" and c.get("execution_count")]
    assert GOOD[0] in ran and "print('after')" not in ran
    if code == 4 and "Zero" in kind:
        assert "ZeroDivisionError" in (failed[0] / "beta.html").read_text()
    assert not list((project / "reports").glob(".2026-10.tmp-*"))


def test_a_kernel_killed_before_its_timeout_is_noticed_is_reported_as_dead(tmp_path):
    # Under load nbclient's cell timeout can fire before it sees that the kernel died; the
    # kernel manager notes a kernel already gone when shutdown begins, and that wins (exit 6).
    import asyncio

    manager_class = report._ipc_kernel_manager(tmp_path / "kernel.log")

    async def kill_then_shut_down():
        km = manager_class(kernel_name="python3")
        await km.start_kernel()
        km.provisioner.process.kill()
        km.provisioner.process.wait(timeout=30)
        await km.shutdown_kernel()

    # in a thread of its own: a session's Playwright browser (sync API) leaves its event loop
    # marked as running in this worker's main thread, where asyncio.run would refuse to start
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, kill_then_shut_down()).result(timeout=600)
    assert manager_class.died == [-signal.SIGKILL]
    timeout = type("CellTimeoutError", (Exception,), {})()
    assert report._classify(timeout, kernel_died=True) is report.KernelDied
    assert report._classify(timeout) is report.NotebookTimeout


def test_kernels_share_the_cores_for_blas_threads(project, monkeypatch):
    # Two kernels at once on N cores: each may use N // 2 BLAS/OpenMP threads (OpenBLAS would
    # otherwise spin one thread per core in every kernel); a value the user set wins.
    seen = project / "threads.txt"
    probe = (
        f"import os\nopen({str(seen)!r}, 'a').write(' '.join(os.environ.get(v, '-') for v in "
        "('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')) + '\\n')"
    )
    _notebook(project / "notebooks", "beta", [probe], order=20)
    _notebook(project / "notebooks", "gamma", [probe], order=30)
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "7")
    _build(project, jobs=2)
    share = str(max(1, (os.cpu_count() or 1) // 2))
    assert seen.read_text().splitlines() == [f"7 {share} {share}"] * 2
    assert "OPENBLAS_NUM_THREADS" not in os.environ  # the runner's own environment is untouched


def test_longest_notebooks_start_first():
    nbs = [
        PackNotebook(name, Path(f"{name}.ipynb"), name, i, {}, code_cells=cells)
        for i, (name, cells) in enumerate([("a", 3), ("b", 20), ("c", 9)])
    ]
    # first run: no timings, so the notebooks with more code go first
    assert [nb.name for nb in report._run_order(nbs, {})] == ["b", "c", "a"]
    assert [nb.name for nb in report._run_order(nbs, {"a": 1.0, "b": 2.0})] == ["b", "c", "a"]
    # later runs: the last pack's durations
    assert [nb.name for nb in report._run_order(nbs, {"a": 9.0, "b": 2.0, "c": 5.0})] == ["a", "c", "b"]


def test_a_killed_run_leaves_the_previous_pack_and_is_cleaned_up_next_time(project, built_before):
    previous = _previous(project, built_before)
    # The slow notebook never finishes, so the kill always lands mid-run, however long "alpha" took.
    _notebook(project / "notebooks", "slow", [GOOD[0], "import threading\nthreading.Event().wait()"], order=20)
    cmd = [
        sys.executable,
        "-m",
        "cxkit",
        "report",
        "--catalog",
        str(project / "data" / "cat.yaml"),
        "--out",
        str(project / "reports"),
        "--notebooks",
        str(project / "notebooks"),
    ]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, start_new_session=True)
    for line in proc.stderr:  # wait until the slow notebook is executing
        if "alpha: done" in line:
            break
    time.sleep(1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _snapshot(project / "reports" / "2026-10") == previous
    (project / "notebooks" / "slow.ipynb").unlink()
    _build(project)
    assert not list((project / "reports").glob(".2026-10.*-*"))


def test_a_second_run_for_the_same_month_is_refused(project, capsys):
    # The first run's notebook holds until the test releases it, so the second run meets the
    # first one building however slowly the machine starts kernels (no race on a fixed sleep).
    release = project / "release"
    _notebook(
        project / "notebooks",
        "slow",
        [
            GOOD[0],
            "import pathlib, time\n"
            f"for _ in range({HANG_GUARD * 10}):  # a guard against a hung test\n"
            f"    if pathlib.Path({str(release)!r}).exists():\n"
            "        break\n    time.sleep(0.1)",
        ],
        order=20,
    )
    cmd = [
        sys.executable,
        "-m",
        "cxkit",
        "report",
        "--catalog",
        str(project / "data" / "cat.yaml"),
        "--out",
        str(project / "reports"),
        "--notebooks",
        str(project / "notebooks"),
        "--quiet",
        "--timeout",
        str(HANG_GUARD),
    ]
    first = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    try:
        # Until the first run holds the month's lock or has ended (no deadline a slow start could miss).
        while first.poll() is None and not (project / "reports" / ".2026-10.lock").exists():
            time.sleep(0.1)
        assert (project / "reports" / ".2026-10.lock").exists(), "the first run never took the month's lock"
        second = _main(project, capsys, "--quiet")  # another process holds the lock
        assert second.returncode == 7 and "is being built by pid" in second.stderr
    finally:
        release.touch()
    assert first.wait(timeout=HANG_GUARD) == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--month", "2026-13"], "YYYY-MM"),
        (["--month", "Oct 2026"], "YYYY-MM"),
        (["--only", "nope"], "unknown notebook"),
        (["--timeout", "0"], "positive"),
    ],
)
def test_bad_parameters_exit_2_before_any_kernel(project, args, message, capsys):
    # In-process: `python -m cxkit` is `sys.exit(cli.main())` (its exit codes are checked through
    # a real process in the tests above); a process start here would only import cxkit again.
    from cxkit.pack import cli

    code = cli.main(_report_args(project, *args))
    assert code == 2 and message in capsys.readouterr().err
    assert not (project / "reports" / "_logs").exists()


def test_invalid_data_exits_3(project, capsys):
    with open(project / "data" / "fb.csv", "a") as f:
        f.write("".join(f"x{i},2026-10-02,42,bad\n" for i in range(10)))
    result = _main(project, capsys)
    assert result.returncode == 3 and "5% allowed" in result.stderr and "no notebook was run" in result.stderr


def test_parameters_are_checked_against_the_parameters_cell(project, tmp_path):
    nb = PackNotebook(
        "alpha",
        project / "notebooks" / "alpha.ipynb",
        "Alpha",
        10,
        {"month": {"inferred_type_name": "str"}, "catalog": {"inferred_type_name": "str"}},
    )
    allowed = [project.resolve()]
    assert report._check_parameters(nb, {"month": "2026-10"}, allowed) == {"month": "2026-10"}
    with pytest.raises(report.ParameterError, match="unknown parameter"):
        report._check_parameters(nb, {"mnth": "2026-10"}, allowed)
    with pytest.raises(report.ParameterError, match="must be str"):
        report._check_parameters(nb, {"month": 202610}, allowed)
    with pytest.raises(report.ParameterError, match="outside the project"):
        report._check_parameters(nb, {"catalog": "/etc/passwd"}, allowed)


def test_no_secret_reaches_messages_logs_or_manifest(project):
    (project / "data" / "cat.yaml").write_text(
        "sources:\n  feedback: {path: fb.csv}\n"
        "  customers: {sql: {url: 'postgresql+psycopg://cx:hunter2secret@127.0.0.1:1/cx', table: customers}}\n"
    )
    result = _cli(project)
    assert result.returncode == 3 and "***" in result.stderr
    leaked = [
        str(p)
        for p in project.rglob("*")
        if p.is_file() and b"hunter2secret" in p.read_bytes() and p.name != "cat.yaml"
    ]
    assert "hunter2secret" not in result.stderr + result.stdout and not leaked


def test_snapshots_of_killed_runs_are_removed_and_live_ones_kept(tmp_path):
    from cxkit.pack.runner import _remove_orphaned_inputs

    dead = tmp_path / ".inputs-999999999-abc"  # no such process
    live = tmp_path / f".inputs-{os.getpid()}-def"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "reviews.parquet").write_bytes(b"x")
    _remove_orphaned_inputs(tmp_path)
    assert not dead.exists() and live.exists()


# --------------------------------------------------------------------------- the user's own data (issue 15)


def _needs(folder: Path, name: str, needs: list[str], cells: list[str], order: int = 20) -> None:
    path = _notebook(folder, name, cells, order=order)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["cxkit"]["needs"] = needs
    nbformat.write(nb, path)


def test_analyses_whose_sources_are_not_in_the_catalog_are_skipped_and_listed(project, capsys):
    # "gamma" would fail if it ran; the catalog has no customers source, so it must not run.
    _needs(project / "notebooks", "gamma", ["customers"], ["1/0"])
    _needs(project / "notebooks", "delta", ["customers", "reviews"], ["1/0"], order=30)
    result = _main(project, capsys, "--month", "2026-10")
    assert result.returncode == 0, result.stderr
    pack = project / "reports" / "2026-10"
    assert sorted(p.name for p in pack.glob("*.html")) == ["alpha.html", "index.html"]
    results = json.loads((pack / "results.json").read_text())
    assert results["skipped"]["gamma"] == {
        "title": "Gamma",
        "needs": ["customers"],
        "absent": ["customers"],
        "no_rows": [],
        "reason": "needs the customers source in the catalog (cat.yaml has feedback)",
    }
    assert (
        results["skipped"]["delta"]["reason"]
        == "needs the customers and reviews sources in the catalog (cat.yaml has feedback)"
    )
    assert results["churn"] is None and results["nps"]["n"] == 41  # stable keys stay, null when not built
    manifest = json.loads((pack / "manifest.json").read_text())
    assert set(manifest["notebooks"]) == {"alpha"} and set(manifest["skipped"]) == {"gamma", "delta"}
    index = (pack / "index.html").read_text()
    assert "Not built: needs the customers source in the catalog (cat.yaml has feedback)." in index
    assert 'href="gamma.html"' not in index
    assert "gamma: not built" in result.stderr  # progress, not a warning: the catalog is as designed


def test_the_pack_notebooks_declare_their_sources():
    # Every pack notebook declares its sources in its metadata (data_quality: none, it reads
    # whatever the catalog has), and each declared source is read by name.
    notebooks = report.discover_notebooks()
    assert {nb.name: nb.needs for nb in notebooks} == {
        "nps_drivers": ("feedback",),
        "review_sentiment": ("reviews",),
        "churn_regression": ("customers",),
        "journey_stages": ("journey",),
        "data_quality": (),
    }
    assert all("needs" in nbformat.read(nb.path, as_version=4).metadata["cxkit"] for nb in notebooks)
    for nb in notebooks:
        code = "\n".join(c.source for c in nbformat.read(nb.path, as_version=4).cells if c.cell_type == "code")
        # A notebook that builds a page object reads its sources in the page's from_catalog.
        page = re.search(r"cx\.(\w+)\.from_catalog\(", code)
        if page:
            code += inspect.getsource(getattr(cx, page.group(1)).from_catalog)
        for source in nb.needs:
            assert f'"{source}"' in code, (nb.name, source)


def test_a_month_without_data_is_exit_8_and_one_message(project):
    result = _cli(project, "--month", "2027-03", "--quiet")
    assert result.returncode == 8
    assert result.stderr.strip().splitlines() == [
        "cxkit report: no data for the month: no source has a row in 2027-03: the feedback data cover 2026-09 to 2026-10. "
        "Choose a month the data cover with --month YYYY-MM, or leave --month out to build the last complete month "
        "in the data (2026-10)."
    ]
    assert not (project / "reports" / "_failed").exists() and not (project / "reports" / "_logs").exists()


def test_a_source_without_rows_in_the_month_skips_its_analyses_and_says_so_under_quiet(project, capsys):
    (project / "data" / "rv.csv").write_text("review_id,published_at,rating,text\nv1,2026-09-03,4,fine\n")
    (project / "data" / "cat.yaml").write_text("sources:\n  feedback: {path: fb.csv}\n  reviews: {path: rv.csv}\n")
    _needs(project / "notebooks", "gamma", ["reviews"], ["1/0"])
    result = _main(project, capsys, "--month", "2026-10", "--quiet")
    assert result.returncode == 0, result.stderr
    assert (
        "gamma: not built: the reviews source has no rows in 2026-10 (its data cover 2026-09 to 2026-09)"
        in result.stderr
    )
    skipped = json.loads((project / "reports" / "2026-10" / "results.json").read_text())["skipped"]
    assert skipped["gamma"]["no_rows"] == ["reviews"] and skipped["gamma"]["absent"] == []
    # --only of analyses that cannot be built: no pack, a clear error
    result = _main(project, capsys, "--only", "gamma", "--month", "2026-10")
    assert result.returncode == 8 and "no notebook can be built for 2026-10: gamma: the reviews source" in result.stderr
    (project / "data" / "cat.yaml").write_text("sources:\n  feedback: {path: fb.csv}\n")
    result = _main(project, capsys, "--only", "gamma", "--month", "2026-10")
    assert result.returncode == 2 and "gamma: needs the reviews source in the catalog" in result.stderr


def _dated_catalog(folder: Path, last) -> None:
    import pandas as pd

    days = pd.date_range(last - pd.Timedelta(days=75), last, freq="D")
    rows = [f"r{i},{day:%Y-%m-%d} 12:00,{i % 11}" for i, day in enumerate(days)]
    (folder / "fb.csv").write_text("response_id,responded_at,nps\n" + "\n".join(rows) + "\n")


def test_the_month_built_when_the_data_end_early_is_said_even_under_quiet(project):
    # The note depends on today's date, so the data are dated relative to it.
    import pandas as pd

    today = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()
    last_month = today.to_period("M") - 1
    _dated_catalog(project / "data", (last_month - 2).end_time.normalize())  # data end three months ago
    result = _cli(project, "--quiet")
    assert result.returncode == 0, result.stderr
    built = last_month - 2
    note = (
        f"built {built}, the last complete month in the data, not {last_month}: the data end on "
        f"{built.end_time:%Y-%m-%d}, before {last_month} began."
    )
    assert result.stderr.strip() == f"cxkit report {built}: no --month given: {note}"
    pack = project / "reports" / str(built)
    assert json.loads((pack / "manifest.json").read_text())["month_note"] == note
    assert note[0].upper() + note[1:] in (pack / "index.html").read_text()
    # Data up to the end of last month: that month is built and --quiet is silent.
    _dated_catalog(project / "data", last_month.end_time.normalize())
    result = _cli(project, "--quiet")
    assert result.returncode == 0 and result.stderr == "" and (project / "reports" / str(last_month)).is_dir()


def test_a_source_of_the_right_table_under_another_name_gets_a_rename_hint(tmp_path):
    import cxkit as cx

    (tmp_path / "cat.yaml").write_text(
        "sources:\n  survey: {table: feedback, path: fb.csv}\n  crm: {table: customers, path: c.csv}\n"
    )
    catalog = cx.load_catalog(tmp_path / "cat.yaml")
    nbs = [
        PackNotebook("nps_drivers", Path("nps_drivers.ipynb"), "NPS", 10, {}, needs=("feedback",)),
        PackNotebook("data_quality", Path("data_quality.ipynb"), "Data quality", 90, {}, needs=()),
    ]
    run, skipped = report._buildable(nbs, catalog, {}, None)
    assert [nb.name for nb in run] == ["data_quality"]
    assert skipped["nps_drivers"]["reason"] == (
        "needs the feedback source in the catalog (cat.yaml has survey and crm; "
        "the analyses find sources by name: rename 'survey' to 'feedback')"
    )


# -- --only adds to the month's pack, --strict fails on skipped sections (issue 23) -------------

PAGE_WITH_A_GAP = [
    "import cxkit as cx\nfrom cxkit.pack.page import ReportPage, section\nfb = cx.load_catalog(catalog)['feedback'].frame",
    "class Page(ReportPage):\n"
    "    title = 'Gap'\n"
    "    def __init__(self):\n"
    "        self.month, self.findings, self.alt = '2026-10', [], {}\n"
    "    def results(self):\n"
    "        return {'gap': {'n': int(len(fb))}}\n"
    "    @section('csat')\n"
    "    def _csat(self):\n"
    "        raise cx.NotEnoughDataError('the survey has no CSAT question; map one with columns: {csat: ...}.')\n"
    "page = Page()\npage.show('csat')",
    "page.save_results(results_path)",
]


def test_only_rebuilds_one_page_and_keeps_the_months_others(project):
    _notebook(project / "notebooks", "beta", PAGE_WITH_A_GAP, order=20, section="gap")
    with pytest.raises(report.ParameterError, match=r"--only adds pages to the pack of 2026-10.*Build the whole month"):
        _build(project, only=["alpha"], month="2026-10")
    pack = _build(project, month="2026-10")
    before = json.loads((pack / "results.json").read_text())
    beta_page = (pack / "beta.html").read_bytes()
    assert before["gap"] == {"n": 41} and before["nps"]["n"] == 41
    assert before["sections_skipped"] == [
        {
            "page": "beta",
            "section": "csat",
            "reason": "the survey has no CSAT question; map one with columns: {csat: ...}.",
        }
    ]
    pack = _build(project, only=["alpha"], month="2026-10")
    after = json.loads((pack / "results.json").read_text())
    assert sorted(p.name for p in pack.glob("*.html")) == ["alpha.html", "beta.html", "index.html"]
    assert (pack / "beta.html").read_bytes() == beta_page  # kept as it was
    assert after["gap"] == before["gap"] and after["nps"] == before["nps"]
    assert after["sections_skipped"] == before["sections_skipped"]
    index = (pack / "index.html").read_text()
    assert 'href="alpha.html"' in index and 'href="beta.html"' in index
    assert "1 section not shown: the data at hand cannot give them" in index
    manifest = json.loads((pack / "manifest.json").read_text())
    assert manifest["results_keys"] == {"alpha": ["nps"], "beta": ["gap"]}
    assert set(manifest["kept"]) == {"beta"} and manifest["notebooks"]["beta"]["kept_from_run"]


def test_strict_fails_on_a_skipped_section_and_leaves_the_previous_pack(project, capsys):
    _notebook(project / "notebooks", "beta", PAGE_WITH_A_GAP, order=20, section="gap")
    pack = _build(project, month="2026-10")
    first = _snapshot(pack)
    result = _main(project, capsys, "--month", "2026-10", "--strict", "--quiet")
    assert result.returncode == 9, result.stderr
    assert "beta/csat: the survey has no CSAT question" in result.stderr and "Traceback" not in result.stderr
    assert _snapshot(pack) == first
