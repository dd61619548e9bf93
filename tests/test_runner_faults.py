"""Faults of the runner (issue 24, Deliver 5): a read-only output folder, a full disk, SIGTERM and
SIGINT, a ``kill -9`` before, braces in paths, a relative notebooks folder.

Each fault must end with its documented exit code, one line on stderr (no traceback), a line in
the run's log, the previous pack intact, and no temporary folder or kernel file left behind.
Triggers are deterministic (a file the notebook writes, a write that fails); nothing here passes
or fails by how fast it runs.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest

from cxkit.pack import cli
from cxkit.pack import runner as report
from cxkit.pack.runner import EXIT_CODES, build_pack

pytestmark = pytest.mark.slow

#: A guard against a hung test, never a verdict (see tests/test_report.py).
HANG_GUARD = 900

PARAMS = 'month: str = ""  # YYYY-MM\ncatalog: str = ""  # catalog file\nresults_path: str = ""  # results part'
GOOD = [
    "import cxkit as cx\nfb = cx.load_catalog(catalog)['feedback'].frame",
    "cx.save_results(results_path, nps={'value': float(fb['nps'].mean()), 'n': int(len(fb)), 'finding': 'ok'})",
]


def _notebook(folder: Path, name: str, cells: list[str], *, order: int = 10) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"), params] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["cxkit"] = {"pack": True, "title": name.title(), "order": order, "section": "nps"}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def _blocking(marker: Path) -> list[str]:
    """Cells that write the kernel's pid to ``marker`` (the run is then executing notebooks) and
    then wait forever: a signal sent once ``marker`` exists always lands mid-run."""
    return [
        GOOD[0],
        f"import os, pathlib, threading\npathlib.Path({str(marker)!r}).write_text(str(os.getpid()))\n"
        "threading.Event().wait()",
    ]


def _write_project(folder: Path) -> None:
    data = folder / "data"
    data.mkdir()
    rows = ["response_id,responded_at,nps,comment"]
    for i in range(40):
        month = "2026-09" if i < 20 else "2026-10"
        rows.append(f"r{i},{month}-{1 + i % 28:02d},{i % 11},ok {i}")
    rows.append("r40,2026-10-31,5,last day")
    (data / "fb.csv").write_text("\n".join(rows) + "\n")
    (data / "cat.yaml").write_text("sources:\n  feedback: {path: fb.csv}\n")
    (folder / "notebooks").mkdir()
    _notebook(folder / "notebooks", "alpha", GOOD)


@pytest.fixture
def project(tmp_path):
    _write_project(tmp_path)
    # The runs' TMPDIR, where kernel files must not stay. A short path, so the kernels use IPC
    # sockets (files) as they do under /tmp; project/tmpdir links to it.
    short = Path(tempfile.mkdtemp(prefix="cxf-", dir="/tmp" if Path("/tmp").is_dir() else None))
    (tmp_path / "tmpdir").symlink_to(short)
    yield tmp_path
    shutil.rmtree(short, ignore_errors=True)


def _tmp(project: Path) -> Path:
    return (project / "tmpdir").resolve()


def _args(project: Path, *extra: str, out: str | Path | None = None) -> list[str]:
    return [
        "report",
        "--catalog",
        str(project / "data" / "cat.yaml"),
        "--out",
        str(out or project / "reports"),
        "--notebooks",
        str(project / "notebooks"),
        "--quiet",
        "--month",
        "2026-10",
        *extra,
    ]


def _env(project: Path) -> dict:
    return {**os.environ, "TMPDIR": str(_tmp(project))}


@pytest.fixture(scope="module")
def built_before(tmp_path_factory) -> Path:
    """The reports folder of a run of the same project for 2026-10, built once per module."""
    folder = tmp_path_factory.mktemp("built_before")
    _write_project(folder)
    build_pack(
        "2026-10",
        catalog=folder / "data" / "cat.yaml",
        out=folder / "reports",
        notebooks_dir=folder / "notebooks",
        quiet=True,
    )
    return folder / "reports"


def _previous_pack(project: Path, built_before: Path) -> dict:
    """The month's pack every fault below must leave intact: a copy of ``built_before`` (the
    same project's run, as a run in ``project`` would leave it: pack, log and lock file) as the
    project's reports folder; a pack is a folder of files, so a copy is the pack."""
    shutil.copytree(built_before, project / "reports", symlinks=True)
    snapshot = _snapshot(project / "reports" / "2026-10")
    assert {"index.html", "alpha.html", "results.json", "manifest.json"} <= set(snapshot)  # a pack to lose
    return snapshot


def _snapshot(folder: Path) -> dict:
    # every file, those of the appendix/ folder (issue 27) included
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _assert_cleaned(project: Path, out: Path | None = None) -> None:
    """No working folder, no snapshot folder, no kernel file (connection file or socket)."""
    out = out or project / "reports"
    assert not [p.name for p in out.glob(".*") if not p.name.endswith(".lock")], sorted(os.listdir(out))
    assert [p.name for p in _tmp(project).iterdir() if "kernel" in p.name or p.suffix == ".json"] == []


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _run_log_ending(project: Path, code: int) -> str:
    """The run's log line saying how it ended (exit ``code``)."""
    lines = [
        line for log in (project / "reports" / "_logs").glob("2026-10-*.log") for line in log.read_text().splitlines()
    ]
    ended = [line for line in lines if f"run ended: exit {code} " in line]
    assert len(ended) == 1, lines
    return ended[0]


# --------------------------------------------------------------------------- SIGTERM, SIGINT


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_run_ends_with_its_code_and_leaves_nothing_behind(project, built_before, signum, code):
    previous = _previous_pack(project, built_before)
    marker = project / "kernel.pid"
    _notebook(project / "notebooks", "slow", _blocking(marker), order=20)
    cmd = [sys.executable, "-m", "cxkit", *_args(project, "--jobs", "2", "--timeout", str(HANG_GUARD))]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=_env(project))
    try:
        for _ in range(HANG_GUARD * 10):  # until the slow notebook runs (a guard, not a deadline)
            if (marker.exists() and marker.read_text()) or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        kernel = int(marker.read_text())
        proc.send_signal(signum)
        err = proc.communicate(timeout=HANG_GUARD)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code
    line = _one_line(err)
    assert line.startswith(f"cxkit report: {EXIT_CODES[code]}: the previous pack in ")
    assert "is untouched" in line and "Log: " in line
    assert f"PackInterrupted: the previous pack in {project / 'reports' / '2026-10'}" in _run_log_ending(project, code)
    assert _snapshot(project / "reports" / "2026-10") == previous
    _assert_cleaned(project)
    assert not _running(kernel), "the kernel was left running"


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_a_signal_before_the_run_began_is_one_line_too(monkeypatch, capsys):
    # SIGTERM while the command still imports or parses: one line and 143, no death by signal.
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only; a SIGTERM here would end the test process")

    def terminated(args):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(HANG_GUARD)  # the handler raises before this ends

    monkeypatch.setattr(cli, "_cmd_report", terminated)
    before = signal.getsignal(signal.SIGTERM)
    assert cli.main(["report"]) == 143
    assert _one_line(capsys.readouterr().err) == "cxkit report: stopped by SIGTERM (exit 143); nothing was written."
    assert signal.getsignal(signal.SIGTERM) == before  # the handler is put back


# --------------------------------------------------------------------------- kill -9


def test_what_a_killed_run_left_is_removed_by_the_next_run_and_only_that(project, built_before):
    previous = _previous_pack(project, built_before)
    marker = project / "kernel.pid"
    _notebook(project / "notebooks", "slow", _blocking(marker), order=20)
    cmd = [sys.executable, "-m", "cxkit", *_args(project, "--timeout", str(HANG_GUARD))]
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL, env=_env(project))
    try:
        for _ in range(HANG_GUARD * 10):
            if (marker.exists() and marker.read_text()) or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None
        kernel = int(marker.read_text())
    finally:
        proc.kill()  # kill -9 of the runner, then of its kernel: nothing gets to clean up
        proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.kill(kernel, signal.SIGKILL)  # its own session: the runner's death does not end it at once
    for _ in range(HANG_GUARD * 10):
        if not _running(kernel):
            break
        time.sleep(0.1)
    reports, tmpdir = project / "reports", _tmp(project)
    assert list(reports.glob(".2026-10.tmp-*")), "the killed run should have left its working folder"
    stale = sorted(p.name for p in tmpdir.glob(f"cxkit-kernel-{proc.pid}-*"))
    assert f"cxkit-kernel-{proc.pid}-" in stale[0] and any(n.endswith(".json") for n in stale), stale
    # Kernel files of a runner that is alive (this test), and files not cxkit's, are not touched.
    kept = [f"cxkit-kernel-{os.getpid()}-0123456789ab.json", "cxkit-kernel-0123456789ab-1", "kernel-42.json"]
    for name in kept:
        (tmpdir / name).write_text("{}")

    (project / "notebooks" / "slow.ipynb").unlink()
    cmd = [sys.executable, "-m", "cxkit", *_args(project)]
    cmd[cmd.index("2026-10")] = "2026-09"  # another month: the killed run's leftovers are still found
    result = subprocess.run(cmd, capture_output=True, text=True, env=_env(project), timeout=HANG_GUARD)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmpdir.iterdir()) == sorted(kept)
    assert sorted(p.name for p in reports.glob(".*")) == [".2026-09.lock", ".2026-10.lock"]
    assert _snapshot(reports / "2026-10") == previous


def test_a_working_folder_of_a_month_being_built_is_kept(tmp_path):
    (tmp_path / ".2026-08.tmp-live").mkdir()
    (tmp_path / ".2026-07.tmp-dead").mkdir()
    with report._month_lock(tmp_path, "2026-08"):  # a run builds 2026-08 now
        report._recover_killed_runs(tmp_path)
        assert sorted(p.name for p in tmp_path.glob(".*.tmp-*")) == [".2026-08.tmp-live"]
    report._recover_killed_runs(tmp_path)
    assert list(tmp_path.glob(".*.tmp-*")) == []


def test_stale_kernel_files_are_those_of_runners_that_are_gone(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid no process has now
    names = {
        f"cxkit-kernel-{gone.pid}-0123456789ab.json": False,
        f"cxkit-kernel-{gone.pid}-0123456789ab-3": False,
        f"cxkit-kernel-{os.getpid()}-0123456789ab.json": True,  # this process: alive
        f"cxkit-kernel-{gone.pid}-0123456789ab.json.bak": True,  # not a name cxkit writes
        "cxkit-kernel-0123456789ab-1": True,  # an older cxkit's: no pid, never provably stale
        "kernel-1234.json": True,
    }
    for name in names:
        (tmp_path / name).write_text("")
    report._remove_stale_kernel_files(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n, keep in names.items() if keep)


# --------------------------------------------------------------------------- a full disk, a read-only folder


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _notebook_fills_the_disk(project):
    cell = f"raise OSError({errno.ENOSPC}, 'No space left on device')"
    _notebook(project / "notebooks", "beta", [GOOD[0], cell], order=20)


@pytest.mark.parametrize(
    "where, patch",
    [
        ("while writing the snapshots", ("cxkit.data.catalog.Catalog.snapshot_source", _enospc)),
        ("while exporting a page (the export thread)", ("cxkit.pack.export.export_html", _enospc)),
        ("while writing the manifest", ("cxkit.pack.runner._write_manifest", _enospc)),
        ("in a notebook", None),
    ],
)
def test_a_full_disk_is_exit_11_one_line_a_log_line_and_the_previous_pack(
    project, built_before, monkeypatch, capsys, where, patch
):
    previous = _previous_pack(project, built_before)
    monkeypatch.setattr(tempfile, "tempdir", str(_tmp(project)))  # where the kernels' files go
    if patch is None:
        _notebook_fills_the_disk(project)
    else:
        monkeypatch.setattr(*patch)
    code = cli.main(_args(project))
    assert code == 11, where
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("cxkit report: output not writable: ")
    assert "No space left on device" in line and "The previous pack is untouched" in line
    log = Path(line.rsplit("Log: ", 1)[1])
    assert "run ended: exit 11 (output not writable): OutputError" in log.read_text()
    assert log.parent == project / "reports" / "_logs" and log.name.startswith("2026-10-")
    if patch is None:  # the notebook that could not write is kept, as any failed notebook
        assert len(list((project / "reports" / "_failed").glob("*/beta.ipynb"))) == 1
    assert _snapshot(project / "reports" / "2026-10") == previous
    _assert_cleaned(project)


def test_a_log_that_cannot_be_written_does_not_print_logging_tracebacks(project, built_before, monkeypatch, capsys):
    # On a full disk the run's log fails too: logging's "--- Logging error ---" with a
    # traceback must not reach stderr; the fault's line goes to a log in the temporary folder.
    previous = _previous_pack(project, built_before)
    monkeypatch.setattr(tempfile, "tempdir", str(_tmp(project)))
    monkeypatch.setattr(report._QuietFileHandler, "emit", lambda self, record: self.handleError(record))
    monkeypatch.setattr("cxkit.pack.export.export_html", _enospc)
    real_open = open

    def full_logs(path, *args, **kwargs):
        if "_logs" in str(path) and (args[0] if args else kwargs.get("mode")) == "a":  # not the kernels' "ab"
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", full_logs)
    assert cli.main(_args(project)) == 11
    line = _one_line(capsys.readouterr().err)
    log = Path(line.rsplit("Log: ", 1)[1])
    assert log.parent == _tmp(project) and "run ended: exit 11" in log.read_text()
    log.unlink()
    assert _snapshot(project / "reports" / "2026-10") == previous
    _assert_cleaned(project)


def test_a_read_only_output_folder_is_exit_11_in_process(project, built_before, monkeypatch, capsys):
    # The first write under --out is the snapshot folder; a read-only file system refuses it.
    previous = _previous_pack(project, built_before)
    real_mkdtemp = tempfile.mkdtemp

    def read_only(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == project / "reports":
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(Path(dir) / ".inputs-x"))
        return real_mkdtemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    assert cli.main(_args(project)) == 11
    line = _one_line(capsys.readouterr().err)
    assert "Read-only file system" in line and f"Make {project / 'reports'} writable" in line
    assert "run ended: exit 11" in Path(line.rsplit("Log: ", 1)[1]).read_text()
    assert _snapshot(project / "reports" / "2026-10") == previous


def _read_only_runner(out: Path) -> list[str] | None:
    """A command prefix that runs its command with ``out`` read-only: ``chmod`` for a user, a
    read-only bind mount in a private mount namespace for root (whom permissions do not stop).
    None when neither works here."""
    if os.geteuid() != 0:
        out.chmod(0o555)
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    probe = subprocess.run([unshare, "--mount", "--propagation", "private", "sh", "-c", script, str(out), "true"])
    return (
        [unshare, "--mount", "--propagation", "private", "sh", "-c", script, str(out)]
        if probe.returncode == 0
        else None
    )


def test_a_read_only_output_folder_is_exit_11_one_line_and_the_previous_pack(project, built_before):
    previous = _previous_pack(project, built_before)
    out = project / "reports"
    prefix = _read_only_runner(out)
    if prefix is None:
        pytest.skip("cannot make a folder read-only for root here (no unshare/mount); the in-process test covers it")
    try:
        cmd = [*prefix, sys.executable, "-m", "cxkit", *_args(project)]
        result = subprocess.run(cmd, capture_output=True, text=True, env=_env(project), timeout=HANG_GUARD)
    finally:
        out.chmod(0o755)
    assert result.returncode == 11, result.stderr
    line = _one_line(result.stderr)
    assert line.startswith("cxkit report: output not writable: cannot write ")
    assert ("Read-only file system" in line or "Permission denied" in line) and "The previous pack is untouched" in line
    log = Path(line.rsplit("Log: ", 1)[1])
    assert log.parent == _tmp(project) and "run ended: exit 11" in log.read_text()
    log.unlink()
    assert _snapshot(out / "2026-10") == previous
    _assert_cleaned(project)


def test_a_really_full_disk_in_a_subprocess(project, built_before):
    """A real ENOSPC: --out on a tmpfs that is full (root in a private mount namespace; skipped
    elsewhere, where the in-process tests above cover it)."""
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or unshare is None:
        pytest.skip("a full tmpfs needs root and unshare")
    previous = _previous_pack(project, built_before)
    out, after = project / "reports", project / "after"
    stage = project / "stage"
    shutil.copytree(out, stage)
    after.mkdir()
    # $0: --out, mounted as a tmpfs holding the previous pack and filled up; $1: the previous
    # pack; $2: where to copy what the run left (the tmpfs goes with the namespace); then the run.
    script = (
        'set -e; mount -t tmpfs -o size=4m tmpfs "$0"; cp -a "$1"/. "$0"/; '
        'dd if=/dev/zero of="$0"/fill bs=4k 2>/dev/null || true; after="$2"; shift 2; '
        'set +e; "$@"; code=$?; rm "$0"/fill; cp -a "$0"/. "$after"/; exit $code'
    )
    cmd = [sys.executable, "-m", "cxkit", *_args(project)]
    wrapped = [unshare, "--mount", "--propagation", "private", "sh", "-c", script, str(out), str(stage), str(after)]
    result = subprocess.run([*wrapped, *cmd], capture_output=True, text=True, env=_env(project), timeout=HANG_GUARD)
    if "mount:" in result.stderr and result.returncode != 11:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()[:200]}")
    assert result.returncode == 11, result.stderr
    line = _one_line(result.stderr)
    assert line.startswith("cxkit report: output not writable: cannot write ") and "the disk is full" in line
    log = Path(line.rsplit("Log: ", 1)[1])
    assert log.parent == _tmp(project) and "run ended: exit 11" in log.read_text()
    log.unlink()
    assert _snapshot(after / "2026-10") == previous
    _assert_cleaned(project, out=after)


# --------------------------------------------------------------------------- paths


def test_braces_in_paths_are_folder_names_not_papermill_templates(project):
    # papermill fills {name} in its paths from the parameters: out_{month} must stay as written.
    nbs = project / "note{books}"
    (project / "notebooks").rename(nbs)
    cmd = [
        sys.executable,
        "-m",
        "cxkit",
        "report",
        "--catalog",
        "data/cat.yaml",
        "--out",
        "out_{month}",
        "--notebooks",
        "note{books}",
        "--quiet",
        "--month",
        "2026-10",
    ]
    # A TMPDIR too long for a socket's path (108 bytes): the kernels talk TCP on localhost.
    long_tmp = project / ("a-temporary-folder-with-a-long-name-" * 3)
    long_tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(long_tmp)}
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=project, env=env, timeout=HANG_GUARD)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert (project / "out_{month}" / "2026-10" / "alpha.html").exists()
    assert not (project / "out_2026-10").exists()
    assert list(long_tmp.iterdir()) == []


def test_a_relative_notebooks_folder_works_and_a_failed_notebook_is_kept(project, monkeypatch):
    # Two notebooks in two kernels: papermill's `cwd` used to move the whole process into the
    # notebooks folder while the other thread still read "notebooks/beta.ipynb".
    monkeypatch.chdir(project)
    monkeypatch.setattr(tempfile, "tempdir", str(_tmp(project)))
    _notebook(project / "notebooks", "beta", [GOOD[0], "1/0"], order=20)
    kw = {"catalog": "data/cat.yaml", "out": "reports", "notebooks_dir": "notebooks", "quiet": True, "jobs": 2}
    with pytest.raises(report.NotebookError, match="ZeroDivisionError") as failed:
        build_pack("2026-10", **kw)
    assert os.getcwd() == str(project)  # the runner never moves the process
    assert failed.value.failed_dir is not None and (failed.value.failed_dir / "beta.ipynb").exists()
    assert not (project / "reports" / "2026-10").exists()
    _assert_cleaned(project)
    (project / "notebooks" / "beta.ipynb").unlink()
    _notebook(project / "notebooks", "gamma", [GOOD[0], GOOD[1].replace("nps=", "csat=")], order=30)
    assert (build_pack("2026-10", **kw) / "gamma.html").exists()
    assert os.getcwd() == str(project)


# --------------------------------------------------------------------------- what is and is not the output's fault


def test_which_os_errors_are_the_outputs_fault(tmp_path):
    out = tmp_path / "reports"
    full = OSError(errno.ENOSPC, "No space left on device")
    assert "the disk is full" in report._output_fault(full, out)
    assert f"the pack in {out}" in report._output_fault(full, out)  # a failed write names no file
    denied_inside = PermissionError(errno.EACCES, "Permission denied", str(out / ".inputs-1"))
    assert "Make" in report._output_fault(denied_inside, out)
    denied_input = PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "data" / "fb.csv"))
    assert report._output_fault(denied_input, out) is None  # an unreadable input is not an output fault
    assert report._output_fault(FileNotFoundError(errno.ENOENT, "No such file", str(out)), out) is None
    assert report._literal_path(Path("/r/out_{month}/x.ipynb")).format(month="2026-10") == "/r/out_{month}/x.ipynb"


def test_kernels_use_ipc_sockets_unless_the_temporary_folder_is_too_long(monkeypatch, tmp_path):
    manager_class = report._ipc_kernel_manager()
    monkeypatch.setattr(tempfile, "tempdir", "/tmp")
    short = manager_class(kernel_name="python3")
    assert short.transport == "ipc" and short.ip.startswith(f"/tmp/cxkit-kernel-{os.getpid()}-")
    assert short.connection_file == short.ip + ".json"
    monkeypatch.setattr(tempfile, "tempdir", "/tmp/" + "x" * 100)
    long = manager_class(kernel_name="python3")
    assert long.transport == "tcp" and long.connection_file.startswith(f"/tmp/{'x' * 100}/cxkit-kernel-{os.getpid()}-")


def test_a_kernel_gets_one_second_to_exit_after_its_shutdown_request():
    # ipykernel 7 sometimes hangs on its way out; jupyter_client's default (5 s: SIGTERM after
    # 2.5 s) made 2 of 5 sample packs wait 2.5 s at their end. The runner's kernels get 1 s.
    manager = report._ipc_kernel_manager()(kernel_name="python3")
    assert manager.shutdown_wait_time == report._KERNEL_SHUTDOWN_WAIT == 1.0
    assert report._ipc_kernel_manager()(kernel_name="python3", shutdown_wait_time=3).shutdown_wait_time == 3
