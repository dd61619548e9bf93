"""cxkit.progress: tqdm bars that show only when wanted (issue 31, Deliver 4)."""

from __future__ import annotations

import pytest

import cxkit as cx
from cxkit import progress


@pytest.fixture(autouse=True)
def _restore():
    yield
    cx.set_progress(None)


def test_switch_and_environment(monkeypatch):
    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    assert progress.enabled()
    monkeypatch.setenv(progress.ENV_VAR, "0")
    assert not progress.enabled()
    cx.set_progress(True)  # the explicit choice wins over the variable
    assert progress.enabled()
    with cx.progress_off():
        assert not progress.enabled()
    assert progress.enabled()
    with pytest.raises(TypeError):
        cx.set_progress("yes")  # type: ignore[arg-type]


def test_bar_draws_after_its_delay_only(monkeypatch, capsys):
    monkeypatch.setattr(progress, "_tqdm_class", lambda: __import__("tqdm.std").std.tqdm)
    cx.set_progress(True)
    with progress.bar(10, "counting", delay=0.0) as b:
        b.update(10)
    assert "counting" in capsys.readouterr().err
    with progress.bar(10, "quiet one", delay=3600) as b:
        b.update(10)
    assert "quiet one" not in capsys.readouterr().err  # finished before its delay: never drawn


def test_track_yields_everything_and_is_silent_when_off(capsys):
    with cx.progress_off():
        assert list(progress.track(iter(range(5)), desc="x", delay=0.0)) == [0, 1, 2, 3, 4]
    assert capsys.readouterr().err == ""
