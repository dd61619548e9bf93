"""`make lint`'s checks (ruff lint and format, configured in pyproject.toml) pass on the tree and
fail on planted defects: an unused import, an unformatted line (issue 30)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT

RUFF = Path(sys.executable).with_name("ruff")
if not RUFF.exists():
    RUFF = Path(shutil.which("ruff") or RUFF)
pytestmark = pytest.mark.skipif(not RUFF.exists(), reason="ruff is not installed (make test installs it)")
LINTED = ["cxkit", "tests", "benchmarks", "notebooks"]


def _ruff(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess:
    return subprocess.run([str(RUFF), *args], cwd=cwd, capture_output=True, text=True, timeout=900)  # a hang guard


def test_the_tree_is_lint_clean_and_formatted():
    check = _ruff("check", "--no-cache", *LINTED)
    assert check.returncode == 0, check.stdout[-3000:]
    formatted = _ruff("format", "--check", "--no-cache", *LINTED)
    assert formatted.returncode == 0, formatted.stdout[-3000:]


@pytest.fixture
def planted(tmp_path):
    """A copy of the project's ruff settings and one module of the package to plant defects in."""
    shutil.copy(PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "cxkit").mkdir()
    module = tmp_path / "cxkit" / "periods.py"
    shutil.copy(PROJECT / "cxkit" / "periods.py", module)
    assert _ruff("check", "--no-cache", "cxkit", cwd=tmp_path).returncode == 0
    return module


def test_lint_fails_on_a_planted_unused_import(planted):
    planted.write_text(planted.read_text().replace("import re\n", "import re\nimport os\n", 1))
    result = _ruff("check", "--no-cache", "cxkit", cwd=planted.parents[1])
    assert result.returncode == 1 and "F401" in result.stdout and "os" in result.stdout


def test_format_check_fails_on_a_planted_unformatted_line(planted):
    planted.write_text(planted.read_text() + "\nx = {  'a':1 }\n")
    result = _ruff("format", "--check", "--no-cache", "cxkit", cwd=planted.parents[1])
    assert result.returncode == 1 and "periods.py" in result.stdout


def test_every_notebook_cell_has_an_id_and_no_output():
    """nbformat 4.5 cell ids: a cell added without one makes every run print nbformat's
    MissingIDFieldWarning, even under --quiet; outputs never reach the repository."""
    import json

    for path in sorted((PROJECT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert (nb["nbformat"], nb["nbformat_minor"]) >= (4, 5), path.name
        missing = [i for i, cell in enumerate(nb["cells"]) if not cell.get("id")]
        assert missing == [], f"{path.name}: cells {missing} have no id; add one (nbformat.validator.normalize)"
        ids = [cell["id"] for cell in nb["cells"]]
        assert len(ids) == len(set(ids)), path.name
        assert not any(cell.get("outputs") for cell in nb["cells"]), f"{path.name} is stored with outputs"
