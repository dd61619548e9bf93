"""The cxkit command line: validate and sample."""

from __future__ import annotations

import subprocess
import sys

from cxkit.pack.cli import main

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


def test_report_exit_codes_are_documented_in_the_readme_and_help():
    import re
    from pathlib import Path

    from cxkit.pack.runner import EXIT_CODES, NoDataError

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| exit code | meaning |") :]
    table = table[: table.index("\n\n")]
    documented = {int(m.group(1)) for m in re.finditer(r"^\| (\d+) \|", table, flags=re.M)}
    assert documented == set(EXIT_CODES) and NoDataError.exit_code == 8
    assert "| 8 | no data for the month" in table
    result = subprocess.run([sys.executable, "-m", "cxkit", "report", "--help"], capture_output=True, text=True)
    assert "8 no data for the month" in " ".join(result.stdout.split())
