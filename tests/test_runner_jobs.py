"""How many notebooks a pack runs at once: ``--jobs``, else ``CXKIT_JOBS``, else one per core."""

from __future__ import annotations

import os

import pytest

from cxkit.errors import ParameterError
from cxkit.pack import runner


def _request(tmp_path, **kwargs):
    options = {
        "catalog": None,
        "out": tmp_path,
        "only": None,
        "timeout": 600,
        "jobs": None,
        "quiet": True,
        "notebooks_dir": None,
        "scheduler": None,
    }
    return runner._check_request(None, **{**options, **kwargs})


def test_the_environment_sets_the_default_and_jobs_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("CXKIT_JOBS", "3")
    assert _request(tmp_path).jobs == 3
    assert _request(tmp_path, jobs=1).jobs == 1
    monkeypatch.delenv("CXKIT_JOBS")
    assert _request(tmp_path).jobs is None  # one per core, settled by the plan


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_bad_environment_value_names_the_variable_and_the_fix(tmp_path, monkeypatch, value):
    monkeypatch.setenv("CXKIT_JOBS", value)
    with pytest.raises(ParameterError, match=r"CXKIT_JOBS=.* set it to 1 or more, or unset it"):
        _request(tmp_path)


def test_jobs_below_one_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("CXKIT_JOBS", raising=False)
    with pytest.raises(ParameterError, match="--jobs must be 1 or more"):
        _request(tmp_path, jobs=0)


def test_one_per_core_this_process_may_use(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3, 5}, raising=False)
    assert runner.available_cores() == 3
