"""The pack runner's progress (issue 31, Deliver 4): a bar over the notebooks in a terminal only,
nothing under ``--quiet``, and no progress bar of a notebook ever reaching a page."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow

PARAMS = 'month: str = ""  # YYYY-MM\ncatalog: str = ""  # catalog file\nresults_path: str = ""  # results part'

# A cell that draws a cxkit progress bar at once (no delay): in a kernel it would be a widget
# whose text form ("probe-bar: 100%|...") the page would show.
BAR_CELL = "import cxkit as cx\nfor _ in cx.progress.track(range(3), desc='probe-bar', delay=0):\n    pass"


def _project(tmp_path: Path, cells: list[str]) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    rows = ["response_id,responded_at,nps"] + [f"r{i},2026-10-{1 + i % 28:02d},{i % 11}" for i in range(30)]
    (data / "fb.csv").write_text("\n".join(rows) + "\n")
    (data / "cat.yaml").write_text("sources:\n  feedback: {path: fb.csv}\n")
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Probe"), params] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["cxkit"] = {"pack": True, "title": "Probe", "order": 10}
    nbformat.write(nb, nbs / "probe.ipynb")
    return tmp_path


def _command(project: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "cxkit",
        "report",
        "--month",
        "2026-10",
        "--catalog",
        str(project / "data" / "cat.yaml"),
        "--out",
        str(project / "reports"),
        "--notebooks",
        str(project / "notebooks"),
        *args,
    ]


def _env() -> dict[str, str]:
    # The person running the pack wants progress bars: the kernels must still show none.
    return {**os.environ, "CXKIT_PROGRESS": "1"}


def _run_in_terminal(cmd: list[str]) -> tuple[int, str, str]:
    """Run ``cmd`` with its stderr on a pseudo-terminal (as in an interactive shell); return the
    exit code, stdout and what reached the terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 rows, 100 columns
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, env=_env(), text=True)
    os.close(slave)
    seen: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            seen.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    out, _ = proc.communicate(timeout=600)
    reader.join(timeout=30)
    os.close(master)
    return proc.returncode, out, b"".join(seen).decode("utf-8", "replace")


def test_quiet_prints_nothing_and_no_progress_bar_reaches_the_page(tmp_path):
    project = _project(tmp_path, [BAR_CELL, "print('probe-output')"])
    result = subprocess.run(_command(project, "--quiet"), capture_output=True, text=True, timeout=600, env=_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    html = (project / "reports" / "2026-10" / "probe.html").read_text(encoding="utf-8")
    assert "probe-output" in html  # the page shows the notebook's outputs...
    assert "probe-bar" not in html and "3/3" not in html  # ...and no progress bar, as widget or text


def test_no_bar_when_stderr_is_not_a_terminal(tmp_path):
    project = _project(tmp_path, ["x = 1"])
    result = subprocess.run(_command(project), capture_output=True, text=True, timeout=600, env=_env())
    assert result.returncode == 0, result.stderr
    assert "probe: done" in result.stderr  # the progress lines, for a log
    assert "notebook/s" not in result.stderr and "\r" not in result.stderr  # but no bar


#: ``cxkit report`` with its bars drawn at once: a bar appears once the run has taken
#: cxkit.progress.DELAY seconds (two), so without this the notebook would have to outlast them
#: (a sleep, which only a wall clock ends).
AT_ONCE = (
    "import sys\nimport cxkit.progress\ncxkit.progress.DELAY = 0\nfrom cxkit.pack.cli import main\nsys.exit(main())"
)


def test_a_terminal_shows_a_bar_over_the_notebooks_and_quiet_silences_it(tmp_path):
    project = _project(tmp_path, ["x = 1"])
    at_once = [sys.executable, "-c", AT_ONCE, *_command(project)[3:]]
    code, out, terminal = _run_in_terminal(at_once)
    assert code == 0, terminal
    assert out.strip().endswith("index.html")
    assert "cxkit report 2026-10" in terminal and "notebook" in terminal and "0/1" in terminal
    code, out, terminal = _run_in_terminal([*at_once, "--quiet"])
    assert code == 0, terminal
    assert out == "" and terminal == ""
