"""The cxkit command line: validate and sample."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
    # text cells quoted (cxkit.safe_files: a Nordic Excel splits on ";")
    assert (tmp_path / "out" / "feedback.rejected.csv").read_text().startswith('"line","reason","kind"')
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


def test_an_unexpected_error_is_one_line_naming_the_log_with_the_traceback(tmp_path, monkeypatch, capsys):
    """Issue 23 Deliver 9: a bug never shows a traceback; exit 10 and the log file's name."""
    from cxkit.pack import cli

    def broken(args):
        raise TypeError("Cannot cast DatetimeArray to dtype float64")

    monkeypatch.setattr(cli, "_cmd_validate", broken)
    code = cli.main(["validate", "--catalog", "data/cxkit.yaml", "--out", str(tmp_path / "v")])
    err = capsys.readouterr().err
    assert code == cli.EXIT_INTERNAL == 10
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    log = Path(err.split("The traceback is in ")[1].split("; please")[0])
    assert log.parent == tmp_path / "v" / "_logs"
    text = log.read_text()
    assert "Traceback" in text and "Cannot cast DatetimeArray" in text and "def broken" not in err


def test_validate_keeps_only_read_columns_and_names_a_wrong_one(tmp_path):
    """Issue 23 Deliver 3: read_columns works for any file format, in validate and report."""
    import yaml

    from cxkit.data.catalog import load_catalog

    (tmp_path / "c.csv").write_text("id,churn,tenure,secret\nA,Yes,3,x\nB,No,5,y\n")
    entry = {
        "table": "customers",
        "path": "c.csv",
        "columns": {"customer_id": "id", "churned": "churn", "tenure_months": "tenure"},
        "values": {"churned": {"Yes": True, "No": False}},
        "read_columns": ["id", "churn", "tenure"],
    }
    (tmp_path / "cxkit.yaml").write_text(yaml.safe_dump({"version": 1, "sources": {"customers": entry}}))
    frame = load_catalog(tmp_path / "cxkit.yaml")["customers"].frame
    assert "secret" not in frame.columns and len(frame) == 2
    entry["read_columns"] = ["id", "churn", "tenur"]
    (tmp_path / "cxkit.yaml").write_text(yaml.safe_dump({"version": 1, "sources": {"customers": entry}}))
    with pytest.raises(Exception, match=r"'tenur': did you mean 'tenure'\?"):
        _ = load_catalog(tmp_path / "cxkit.yaml")["customers"].frame
