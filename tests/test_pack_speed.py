"""The pack runner's speed-ups keep each notebook's run as in a kernel of its own (issue 31,
Deliver 5): a kernel runs several notebooks one after another, its namespace and matplotlib
settings reset between them, and a notebook that fails takes its kernel with it. The verdicts
do not depend on how fast the machine is (benchmarks/pack.py measures the speed)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from cxkit.pack.runner import NotebookError, build_pack

pytestmark = pytest.mark.slow

PARAMS = 'month: str = ""  # YYYY-MM\ncatalog: str = ""  # catalog file\nresults_path: str = ""  # results part'


def _project(tmp_path: Path, notebooks: dict[str, list[str]]) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    rows = ["response_id,responded_at,nps"] + [f"r{i},2026-10-{1 + i % 28:02d},{i % 11}" for i in range(30)]
    (data / "fb.csv").write_text("\n".join(rows) + "\n")
    (data / "cat.yaml").write_text("sources:\n  feedback: {path: fb.csv}\n")
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for order, (name, cells) in enumerate(notebooks.items()):
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell(PARAMS)
        params.metadata["tags"] = ["parameters"]
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"), params] + [nbformat.v4.new_code_cell(c) for c in cells]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["cxkit"] = {"pack": True, "title": name.title(), "order": order}
        nbformat.write(nb, folder / f"{name}.ipynb")
    return tmp_path


def _build(project: Path) -> Path:
    # One kernel: the notebooks run one after another, more code cells first (no earlier pack).
    return build_pack(
        "2026-10",
        catalog=project / "data" / "cat.yaml",
        out=project / "reports",
        notebooks_dir=project / "notebooks",
        quiet=True,
        jobs=1,
    )


def _probe(path: Path, name: str) -> str:
    return (
        "import os, matplotlib\n"
        f"open({str(path)!r}, 'a').write(f'{name} {{os.getpid()}} {{\"leak\" in globals()}} "
        '{matplotlib.rcParams["lines.linewidth"]}\\n\')'
    )


def test_a_kernel_runs_the_next_notebook_as_a_new_kernel_would(tmp_path):
    probe = tmp_path / "probe.txt"
    first = [_probe(probe, "first"), "leak = 1", "import matplotlib\nmatplotlib.rcParams['lines.linewidth'] = 9"]
    project = _project(tmp_path, {"first": first, "second": [_probe(probe, "second")]})
    _build(project)
    (name1, pid1, _, width1), (name2, pid2, leak2, width2) = (line.split() for line in probe.read_text().splitlines())
    assert (name1, name2) == ("first", "second")
    assert pid1 == pid2  # the same kernel: start-up and imports paid once
    assert leak2 == "False"  # no variable of the notebook before
    assert width2 == width1 == "1.5"  # matplotlib's settings as they were when it was imported


def test_a_notebook_that_fails_takes_its_kernel_with_it(tmp_path):
    probe = tmp_path / "probe.txt"
    failing = [_probe(probe, "failing"), "x = 1", "1/0"]
    project = _project(tmp_path, {"failing": failing, "next": [_probe(probe, "next")]})
    with pytest.raises(NotebookError, match="ZeroDivisionError"):
        _build(project)
    (name1, pid1, *_), (name2, pid2, *_) = (line.split() for line in probe.read_text().splitlines())
    assert (name1, name2) == ("failing", "next")
    assert pid1 != pid2  # the next notebook got a new kernel
