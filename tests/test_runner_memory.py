"""The pack runner within a memory budget (issue 31, Deliver 6): ``--max-memory`` parsed as a
size, each notebook's peak estimated from the validated sources it needs, and a notebook that
does not fit beside the running ones waits for them (never two at once over the budget)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import nbformat
import pytest

from cxkit.errors import ParameterError
from cxkit.pack import runner
from cxkit.pack.runner import PackNotebook, _memory_budget, _memory_need, _Schedule

GIB = 2**30


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8G", 8 * GIB),
        ("8GiB", 8 * GIB),
        ("8 gb", 8 * GIB),
        ("1.5G", int(1.5 * GIB)),
        ("1536M", 1536 * 2**20),
        ("2T", 2 * 2**40),
        (str(3 * GIB), 3 * GIB),
        (3 * GIB, 3 * GIB),
    ],
)
def test_max_memory_reads_sizes_in_binary_units(text, expected):
    assert _memory_budget(text) == expected


@pytest.mark.parametrize("text", ["eight", "8X", "-1G", "8 G B", "G"])
def test_a_size_that_cannot_be_read_names_the_option_and_the_form(text):
    with pytest.raises(ParameterError, match=r"--max-memory .* is not a size; write bytes or e\.g\. 8G"):
        _memory_budget(text)


def test_a_budget_below_a_kernel_is_refused_with_the_least_that_works():
    with pytest.raises(ParameterError, match="less than a kernel needs.*give at least 1G"):
        _memory_budget("900M")


def test_the_default_budget_is_most_of_the_memory_available_now():
    import psutil

    budget = _memory_budget(None)
    assert 0 < budget <= psutil.virtual_memory().total
    assert budget == pytest.approx(0.8 * psutil.virtual_memory().available, rel=0.2)


def _nb(name: str, needs: tuple[str, ...] = (), memory: float = 6.0) -> PackNotebook:
    return PackNotebook(name, Path(f"{name}.ipynb"), name, 10, {}, None, 1, needs, memory)


def test_a_notebook_needs_a_kernel_and_its_factor_times_its_sources():
    sizes = {"reviews": 100 << 20, "feedback": 50 << 20, "journey": 1 << 30}
    assert _memory_need(_nb("r", ("reviews",), 6), sizes) == runner._KERNEL_BYTES + 600 * 2**20
    assert _memory_need(_nb("both", ("reviews", "feedback"), 2), sizes) == runner._KERNEL_BYTES + 300 * 2**20
    assert _memory_need(_nb("none"), sizes) == runner._KERNEL_BYTES  # data_quality reads no source
    assert _memory_need(_nb("absent", ("customers",)), sizes) == runner._KERNEL_BYTES


def _run(budget: int | None, sizes: dict[str, int]) -> runner._Run:
    run = runner._Run.__new__(runner._Run)
    run.max_memory = budget
    run.sizes = sizes
    run.stop = threading.Event()
    return run


def test_a_stopping_run_hands_out_no_more_notebooks():
    run = _run(None, {})
    schedule = _Schedule([_nb("a"), _nb("b")], run)
    assert schedule.take().name == "a"
    run.stop.set()  # SIGTERM (see test_runner_faults): the kernels take nothing more
    assert schedule.take() is None


def test_a_kernel_waiting_for_memory_gives_up_when_the_run_stops():
    run = _run(1 << 30, {"x": 50 * GIB})
    schedule = _Schedule([_nb("big", ("x",), 1), _nb("big2", ("x",), 1)], run)
    assert schedule.take().name == "big"
    taken: list = []
    thread = threading.Thread(target=lambda: taken.append(schedule.take()))
    thread.start()
    run.stop.set()  # set by the signal handler, which does not notify the schedule
    thread.join(30)
    assert not thread.is_alive() and taken == [None]


def test_within_the_budget_the_notebooks_run_side_by_side_in_order():
    order = [_nb("a", ("x",), 1), _nb("b", ("x",), 1)]
    schedule = _Schedule(order, _run(64 * GIB, {"x": 1 << 20}))
    assert [schedule.take(), schedule.take()] == order
    assert schedule.take() is None


def test_a_notebook_that_does_not_fit_waits_and_a_smaller_one_goes_first():
    big, small = _nb("big", ("x",), 1), _nb("small")
    sizes = {"x": 3 * GIB}
    budget = runner._KERNEL_BYTES + 3 * GIB + 256 * 2**20  # big alone fits; big twice does not
    schedule = _Schedule([big, _nb("big2", ("x",), 1), small], _run(budget, sizes))
    assert schedule.take() is big
    # The budget counts this process's own memory too (the runner's): give it room for that.
    schedule.budget = budget + 2 * GIB
    assert schedule.take().name == "small"  # big2 does not fit beside big; small does
    waited = threading.Event()
    taken: list = []

    def second_kernel():
        taken.append(schedule.take(before_waiting=waited.set))

    thread = threading.Thread(target=second_kernel)
    thread.start()
    assert waited.wait(30), "the second kernel should wait for memory (and shut its idle kernel down)"
    assert not taken
    schedule.finished(big)
    thread.join(30)
    assert [nb.name for nb in taken] == ["big2"]


def test_a_notebook_bigger_than_the_budget_runs_alone_and_never_blocks_the_run():
    huge = _nb("huge", ("x",), 1)
    schedule = _Schedule([huge, _nb("other")], _run(1 * GIB, {"x": 50 * GIB}))
    assert schedule.take() is huge  # nothing running: it starts whatever its estimate
    schedule.finished(huge)
    assert schedule.take().name == "other"


def test_no_budget_means_no_waiting():
    schedule = _Schedule([_nb("a", ("x",), 1), _nb("b", ("x",), 1)], _run(None, {"x": 50 * GIB}))
    assert schedule.take().name == "a"
    assert schedule.take().name == "b"


PARAMS = 'month: str = ""  # YYYY-MM\ncatalog: str = ""  # catalog file\nresults_path: str = ""  # results part'


@pytest.mark.slow
def test_a_pack_over_its_budget_runs_its_notebooks_one_at_a_time(tmp_path):
    """Two notebooks whose estimates (a factor of a million on their source) cannot run side by
    side within 1G: the second starts only after the first is done, and the log says why."""
    data = tmp_path / "data"
    data.mkdir()
    rows = ["response_id,responded_at,nps"] + [f"r{i},2026-10-{1 + i % 28:02d},{i % 11}" for i in range(30)]
    (data / "fb.csv").write_text("\n".join(rows) + "\n")
    (data / "cat.yaml").write_text("sources:\n  feedback: {path: fb.csv}\n")
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    for name in ("first", "second"):
        nb = nbformat.v4.new_notebook()
        params = nbformat.v4.new_code_cell(PARAMS)
        params.metadata["tags"] = ["parameters"]
        nb.cells = [params, nbformat.v4.new_code_cell("print('ran')")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["cxkit"] = {"pack": True, "title": name, "order": 10, "needs": ["feedback"], "memory": 1e6}
        nbformat.write(nb, nbs / f"{name}.ipynb")
    out = runner.build_pack(
        "2026-10",
        catalog=data / "cat.yaml",
        out=tmp_path / "reports",
        notebooks_dir=nbs,
        jobs=2,
        quiet=True,
        max_memory="1G",
    )
    assert (out / "first.html").exists() and (out / "second.html").exists()
    log = next((tmp_path / "reports" / "_logs").glob("*.log")).read_text()
    assert re.search(
        r"(first|second): waits for memory \(estimated [\d.]+ GiB; [\d.]+ GiB running, budget 1\.0 GiB\)", log
    )
    events = re.findall(r"(first|second): (running|done)", log)
    assert events[:2] == [(events[0][0], "running"), (events[0][0], "done")], log


# --------------------------------------------------------------------------- validation apart


def test_big_inputs_are_validated_in_a_process_of_their_own_with_the_same_results(tmp_path):
    """A process that exits gives all its memory back (the runner kept 8.4 GiB after validating
    the 10x input in-process); what it returns equals validating in the runner."""
    import pandas as pd

    from cxkit import DEFAULT_CATALOG, load_catalog

    apart = runner._validate_apart(Path(DEFAULT_CATALOG).resolve(), tmp_path / "apart")
    sizes: dict[str, int] = {}
    here = runner._validate_inputs(load_catalog(DEFAULT_CATALOG), tmp_path / "here", sizes)
    assert apart[0] == here[0] and apart[1] == here[1] and apart[3] == here[3] and apart[4] == sizes
    pd.testing.assert_series_equal(apart[2], here[2])
    for part in sorted((tmp_path / "here").glob("*.parquet")):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "apart" / part.name), pd.read_parquet(part))


def test_an_error_in_the_validating_process_is_the_runners_own(tmp_path):
    from cxkit.errors import InvalidDataError

    data = tmp_path / "fb.csv"
    data.write_text("response_id,responded_at,nps\n" + "".join(f"r{i},2026-10-01,{11 + i}\n" for i in range(20)))
    catalog = tmp_path / "cat.yaml"
    catalog.write_text("sources:\n  feedback: {path: fb.csv}\n")
    with pytest.raises(InvalidDataError, match=r"invalid data, no notebook was run:\n  feedback: .*fb\.csv"):
        runner._validate_apart(catalog, tmp_path / "snap")


def test_a_validating_process_that_is_killed_ends_the_run_with_a_reason(tmp_path, monkeypatch):
    from cxkit.errors import PackError

    catalog = tmp_path / "cat.yaml"
    catalog.write_text("sources: {}\n")
    monkeypatch.setattr(runner, "_validate_child", _killed_child)
    with pytest.raises(PackError, match=r"validating the inputs stopped \(exit code -9\).*out of memory"):
        runner._validate_apart(catalog, tmp_path / "snap")


def _killed_child(catalog_path: str, folder: str, send) -> None:
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's out-of-memory killer does
