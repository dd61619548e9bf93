"""The cxkit command line: validate and sample."""

from __future__ import annotations

import subprocess
import sys

from cxkit.cli import main

CSV = "response_id,responded_at,nps\nr1,2026-01-01,9\nr2,2026-01-02,3\nr3,2026-01-03,11\n"


def _catalog(tmp_path, max_rejected):
    (tmp_path / "fb.csv").write_text(CSV)
    path = tmp_path / "cat.yaml"
    path.write_text(f"sources:\n  feedback: {{path: fb.csv, max_rejected: {max_rejected}}}\n")
    return path


def test_validate_prints_summary_writes_rejected_and_exits_zero(tmp_path, capsys):
    code = main(["validate", "--catalog", str(_catalog(tmp_path, 0.5)), "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    assert "feedback" in out and "1 x nps: outside 0–10" in out
    assert (tmp_path / "out" / "feedback.rejected.csv").read_text().startswith("line,reason,kind")
    assert (tmp_path / "out" / "data_quality.csv").exists()


def test_validate_exits_non_zero_when_a_source_is_unusable(tmp_path, capsys):
    code = main(["validate", "--catalog", str(_catalog(tmp_path, 0.05)), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 1 and "NOT USABLE" in captured.err and "5% allowed" in captured.err


def test_validate_with_a_missing_catalog(tmp_path, capsys):
    assert main(["validate", "--catalog", str(tmp_path / "none.yaml")]) == 1
    assert "no such catalog file" in capsys.readouterr().err


def test_console_script_help():
    result = subprocess.run([sys.executable, "-m", "cxkit", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "validate" in result.stdout and "sample" in result.stdout
    result = subprocess.run([sys.executable, "-m", "cxkit", "frobnicate"], capture_output=True, text=True)
    assert result.returncode == 2
