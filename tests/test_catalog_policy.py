"""The catalog cannot write or escape (issue 24): queries only read, links stay in their folder,
and values taken from ``${NAME}`` never show in messages, logs or files (README "The data
catalog")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
import warnings
from pathlib import Path

import duckdb
import nbformat
import pytest
from conftest import PROJECT

import cxkit as cx
from cxkit.data import catalog as catalog_module
from cxkit.errors import CatalogError, CxkitError, SourceError

TOKEN = "tok_LIVE_abc123"


def _feedback_csv(path: Path, rows: int = 30) -> Path:
    lines = ["response_id,responded_at,nps,comment"]
    lines += [f"r{i},2026-{9 + i % 2:02d}-{1 + i % 28:02d},{i % 11},ok {i}" for i in range(rows)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _duckdb(path: Path) -> Path:
    with duckdb.connect(str(path)) as conn:
        conn.execute(
            "CREATE TABLE feedback AS SELECT 'r' || i AS response_id, "
            "DATE '2026-09-01' + CAST(i % 50 AS INTEGER) AS responded_at, i % 11 AS nps, "
            "'ok ' || i AS comment, 'tok_x' AS token FROM range(40) t(i)"
        )
    return path


def _catalog(folder: Path, text: str) -> Path:
    path = folder / "cxkit.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _shown(exc: BaseException) -> str:
    """What a notebook prints: the message of the exception and of every chained one."""
    return "".join(traceback.format_exception(exc))


def _files_text(folder: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(folder.rglob("*")) if p.is_file())


# --------------------------------------------------------------------------- queries only read


def test_copy_then_select_writes_nothing_and_is_refused(tmp_path, monkeypatch):
    _duckdb(tmp_path / "cx.duckdb")
    before = (tmp_path / "cx.duckdb").read_bytes()
    path = _catalog(
        tmp_path,
        "sources:\n  feedback:\n    sql:\n      url: duckdb:///cx.duckdb\n"
        "      query: \"COPY (SELECT 1) TO 'x.csv'; SELECT response_id, responded_at, nps FROM feedback\"\n",
    )
    monkeypatch.chdir(tmp_path)
    catalog = cx.load_catalog(path)
    with pytest.raises(CxkitError) as caught:
        catalog["feedback"]
    message = str(caught.value)
    assert "duckdb:///" in message and "cx.duckdb query: refused" in message  # the source
    assert "more than one statement" in message and "write one SELECT" in message  # the cause and the fix
    summary = catalog.validate(out=tmp_path / "out")
    assert not summary["usable"][0] and "refused" in summary["error"][0]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["cx.duckdb", "cxkit.yaml", "out"]
    assert (tmp_path / "cx.duckdb").read_bytes() == before


# --------------------------------------------------------------------------- paths and links


def test_relative_and_parent_paths_are_read(tmp_path):
    """Sources may live anywhere the catalog names (data/public.yaml uses ../../shared)."""
    _feedback_csv(tmp_path / "shared" / "fb.csv")
    folder = tmp_path / "project" / "data"
    folder.mkdir(parents=True)
    path = _catalog(folder, "sources:\n  feedback: {path: ../../shared/fb.csv}\n")
    assert len(cx.load_catalog(path)["feedback"].frame) == 30


def test_link_within_its_folder_is_followed(tmp_path):
    _feedback_csv(tmp_path / "exports" / "2026-10" / "feedback.csv")
    (tmp_path / "exports" / "latest.csv").symlink_to(Path("2026-10") / "feedback.csv")
    path = _catalog(tmp_path, "sources:\n  feedback: {path: exports/latest.csv}\n")
    assert len(cx.load_catalog(path)["feedback"].frame) == 30


def test_linked_folder_named_by_the_catalog_is_followed(tmp_path):
    """A folder link (a mounted share) is part of the path the catalog names."""
    _feedback_csv(tmp_path / "mnt" / "share" / "feedback.csv")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "shared").symlink_to(tmp_path / "mnt" / "share", target_is_directory=True)
    path = _catalog(tmp_path / "project", "sources:\n  feedback: {path: shared/feedback.csv}\n")
    assert len(cx.load_catalog(path)["feedback"].frame) == 30


@pytest.mark.parametrize("target", ["outside", "parent", "chain"])
def test_link_out_of_its_folder_is_refused_naming_link_and_target(tmp_path, target):
    secret = tmp_path / "home" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("response_id,nps\nhunter2,99\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    link = data / "feedback.csv"
    if target == "outside":
        link.symlink_to(secret)
    elif target == "parent":
        link.symlink_to(Path("..") / "home" / "secret.csv")
    else:  # a link to a link in the folder, which leads out
        (data / "hop.csv").symlink_to(secret)
        link.symlink_to("hop.csv")
    catalog = cx.load_catalog(_catalog(data, "sources:\n  feedback: {path: feedback.csv}\n"))
    with pytest.raises(CatalogError) as caught:
        catalog["feedback"]
    message = str(caught.value)
    assert f"{link} is a symbolic link to {secret.resolve()}, outside its folder {data.resolve()}" in message
    assert "Name the file in the catalog itself" in message
    assert "hunter2" not in message
    out = tmp_path / "out"
    summary = catalog.validate(out=out)
    assert not summary["usable"][0] and "hunter2" not in _files_text(out)


def test_linked_duckdb_file_out_of_its_folder_is_refused(tmp_path):
    _duckdb(tmp_path / "elsewhere.duckdb")
    data = tmp_path / "data"
    data.mkdir()
    (data / "cx.duckdb").symlink_to(tmp_path / "elsewhere.duckdb")
    path = _catalog(data, "sources:\n  feedback: {sql: {url: 'duckdb:///cx.duckdb', table: feedback}}\n")
    with pytest.raises(CatalogError, match="cx.duckdb is a symbolic link to .*elsewhere.duckdb, outside its folder"):
        cx.load_catalog(path)["feedback"]


# --------------------------------------------------------------------------- secrets


SECRET_SOURCES = """\
sources:
  tokened:
    table: feedback
    sql:
      url: duckdb:///cx.duckdb
      query: "SELECT response_id, responded_at, nps FROM feedback WHERE token = :token"
      params: {token: "${CX_API_TOKEN}"}
  failing:
    table: feedback
    sql:
      url: duckdb:///cx.duckdb
      query: "SELECT response_id, responded_at, nps FROM feedback WHERE nps = CAST(:token AS INTEGER)"
      params: {token: "${CX_API_TOKEN}"}
  in_the_sql:
    table: feedback
    sql:
      url: duckdb:///cx.duckdb
      query: "SELECT response_id, responded_at, nps FROM feedbak WHERE token = '${CX_API_TOKEN}'"
"""


def test_env_secret_in_a_query_never_shows(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_API_TOKEN", TOKEN)
    _duckdb(tmp_path / "cx.duckdb")
    catalog = cx.load_catalog(_catalog(tmp_path, SECRET_SOURCES))
    for name in catalog:
        with pytest.raises(CxkitError) as caught:
            catalog[name]
        shown = _shown(caught.value)
        assert TOKEN not in shown and "***" in shown, shown
    summary = catalog.validate(out=tmp_path / "out")
    assert TOKEN not in summary.to_string() and TOKEN not in _files_text(tmp_path / "out")


def test_env_secret_in_a_warning_never_shows(tmp_path, monkeypatch):
    monkeypatch.setenv("CX_API_TOKEN", TOKEN)
    _duckdb(tmp_path / "cx.duckdb")
    catalog = cx.load_catalog(_catalog(tmp_path, SECRET_SOURCES))
    real_load = catalog_module.load

    def load_that_warns(**options):
        warnings.warn(f"reading with {options['source']['params']}", UserWarning, stacklevel=1)
        return real_load(**options)

    monkeypatch.setattr(catalog_module, "load", load_that_warns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(CxkitError):
            catalog["tokened"]
    assert [str(w.message) for w in caught] == ["reading with {'token': '***'}"]


def test_paths_from_the_environment_are_shown(tmp_path, monkeypatch):
    """A path is where the data is: the message must show it (README: only paths are shown)."""
    monkeypatch.setenv("CX_DATA_ROOT", str(tmp_path / "exports"))
    catalog = cx.load_catalog(_catalog(tmp_path, "sources:\n  feedback: {path: '${CX_DATA_ROOT}/fb.csv'}\n"))
    with pytest.raises(SourceError, match=f"{tmp_path / 'exports' / 'fb.csv'}: no such file"):
        catalog["feedback"]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CX_")}
    env.update(PYTHONPATH=str(PROJECT), CXKIT_PROGRESS="0", **extra)
    return env


def test_cli_validate_never_shows_the_secret(tmp_path):
    _duckdb(tmp_path / "cx.duckdb")
    path = _catalog(tmp_path, SECRET_SOURCES)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "cxkit", "validate", "--catalog", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
        env=_clean_env(CX_API_TOKEN=TOKEN),
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 1
    assert "NOT USABLE" in done.stderr and "***" in done.stderr
    assert TOKEN not in done.stdout + done.stderr
    assert (out / "data_quality.csv").exists() and TOKEN not in _files_text(tmp_path / "out")


PARAMS = 'month: str = ""\ncatalog: str = ""\nresults_path: str = ""'


@pytest.mark.slow
@pytest.mark.parametrize("outcome", ["pack", "invalid"])
def test_report_never_writes_the_secret(tmp_path, outcome):
    """A pack built from a query that takes a token from the environment: not in results.json,
    manifest.json, the pages, the logs or the command's output; nor when the query fails."""
    data = tmp_path / "data"
    data.mkdir()
    _duckdb(data / "cx.duckdb")
    where = "token = :token" if outcome == "pack" else "nps = CAST(:token AS INTEGER)"
    _catalog(
        data,
        "sources:\n  feedback:\n    sql:\n      url: duckdb:///cx.duckdb\n"
        f'      query: "SELECT response_id, responded_at, nps, comment FROM feedback WHERE {where}"\n'
        '      params: {token: "${CX_API_TOKEN}"}\n',
    )
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Alpha"),
        params,
        nbformat.v4.new_code_cell(
            "import cxkit as cx\nfb = cx.load_catalog(catalog)['feedback'].frame\n"
            "cx.save_results(results_path, nps={'n': int(len(fb))})"
        ),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["cxkit"] = {"pack": True, "title": "Alpha", "order": 10, "section": "nps"}
    nbformat.write(nb, notebooks / "alpha.ipynb")
    reports = tmp_path / "reports"
    done = subprocess.run(
        [sys.executable, "-m", "cxkit", "report", "--catalog", str(data / "cxkit.yaml"), "--out", str(reports)]
        + ["--notebooks", str(notebooks), "--month", "2026-09"],
        capture_output=True,
        text=True,
        env=_clean_env(CX_API_TOKEN="tok_x" if outcome == "pack" else TOKEN),
        cwd=tmp_path,
        timeout=900,
    )
    secret = "tok_x" if outcome == "pack" else TOKEN
    if outcome == "pack":
        assert done.returncode == 0, done.stderr
        pack = reports / "2026-09"
        assert json.loads((pack / "results.json").read_text())["nps"]["n"] == 40
        assert (pack / "manifest.json").exists()
    else:
        assert done.returncode != 0 and "***" in done.stderr
    assert secret not in done.stdout + done.stderr
    assert reports.exists() and secret not in _files_text(reports)
