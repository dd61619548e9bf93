"""Scheduled runs on the user's own data (issue 15): the README walk-through, run as written,
from a Nordic Excel export to a pack; partial catalogs with the real pack notebooks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.pack.runner import discover_notebooks

PROJECT = Path(__file__).resolve().parents[1]
EXPORT = PROJECT / "data" / "examples" / "kundetilfredshed_eksport.csv"


def make_example_export() -> bytes:
    """The bytes of ``data/examples/kundetilfredshed_eksport.csv``: every third survey response
    of the bundled sample from August to October 2026, written as a Danish survey tool's export
    saved by Excel (cp1252, ``;``, ``dd-mm-yyyy HH:MM``, decimal commas with dot thousands,
    "Ved ikke" for 6% of the driver ratings, an empty ``;;;`` row at the end)."""
    fb = cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame
    fb = fb[(fb["responded_at"] >= "2026-08-01") & (fb["responded_at"] < "2026-11-01")].iloc[::3].reset_index(drop=True)
    rng = np.random.default_rng(20261015)
    out = pd.DataFrame(
        {
            "Svar-ID": fb["response_id"],
            "Kunde-ID": fb["customer_id"],
            "Besvaret": fb["responded_at"].dt.strftime("%d-%m-%Y %H:%M"),
            "Kanal": fb["channel"].map(
                {"web": "Web", "app": "App", "phone": "Telefon", "store": "Butik", "email": "E-mail"}
            ),
            "Kundetype": fb["segment"].map({"Consumer": "Privat", "SMB": "SMV", "Enterprise": "Erhverv"}),
            "Anbefaling (0-10)": fb["nps"],
            "Tilfredshed (1-5)": fb["csat"],
            "Indsats (1-7)": fb["ces"],
        }
    )
    for name, driver in [
        ("Kundeservice", "support"),
        ("Pris", "price"),
        ("Produktkvalitet", "product_quality"),
        ("Levering", "delivery"),
    ]:
        values = fb[driver].astype("Int64").astype("string")
        out[name] = values.where(rng.random(len(fb)) >= 0.06, "Ved ikke")
    amount = np.round(rng.lognormal(6.5, 0.8, len(fb)), 2)
    out["Ordrebeløb (kr.)"] = [f"{a:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") for a in amount]
    out["Kommentar"] = fb["comment"]
    text = out.to_csv(sep=";", index=False, lineterminator="\r\n") + ";" * (out.shape[1] - 1) + "\r\n"
    return text.encode("cp1252")


def _walkthrough() -> str:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Your own data: from an export to a pack")
    return readme[start : readme.index("\n## ", start + 1)]


def _blocks(text: str, lang: str) -> list[str]:
    return [textwrap.dedent(m.group(2)) for m in re.finditer(rf"^( *)```{lang}\n(.*?)^\1```", text, flags=re.M | re.S)]


def test_the_example_export_is_reproducible():
    assert EXPORT.read_bytes() == make_example_export()


def test_the_readme_shows_the_exports_first_lines():
    shown = _blocks(_walkthrough(), "text")[0].splitlines()
    assert shown == EXPORT.read_bytes().decode("cp1252").splitlines()[: len(shown)] and len(shown) == 3


def test_the_readme_table_of_sources_is_the_runners():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    table = {}
    for line in readme.splitlines():
        m = re.match(r"^\| [^|]*\(`(\w+)`\) \| ([^|]*) \|$", line)
        if m:
            needed = re.sub(r"\(.*?\)", "", m.group(2))  # what it uses when present is not needed
            table[m.group(1)] = tuple(re.findall(r"`(\w+)`", needed))
    assert table == {nb.name: nb.needs for nb in discover_notebooks()}  # each notebook's metadata.cxkit.needs


def _run(block: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )


def _nps_by_hand(month: str) -> tuple[float, int, float]:
    """NPS, n and mean CSAT of ``month`` straight from the export with plain pandas: the share
    of promoters (9-10) minus the share of detractors (0-6), in points."""
    raw = pd.read_csv(EXPORT, sep=";", encoding="cp1252", dtype=str).dropna(how="all")
    when = pd.to_datetime(raw["Besvaret"], format="%d-%m-%Y %H:%M")
    rows = raw[when.dt.strftime("%Y-%m") == month]
    nps = pd.to_numeric(rows["Anbefaling (0-10)"]).dropna()
    csat = pd.to_numeric(rows["Tilfredshed (1-5)"]).dropna()
    return 100 * ((nps >= 9).mean() - (nps <= 6).mean()), len(nps), csat.mean()


@pytest.mark.slow
def test_the_readme_walkthrough_from_a_nordic_export_to_a_pack(tmp_path):
    """Every bash block of the README section runs as written, in a folder laid out like the
    project (its .venv and data), with the catalog written from the section's YAML block."""
    for name in (".venv", "data"):
        (tmp_path / name).symlink_to(PROJECT / name)
    section = _walkthrough()
    bash = _blocks(section, "bash")
    catalog = _blocks(section, "yaml")[0]
    target = re.match(r"# (\S+)\n", catalog).group(1)
    assert len(bash) == 3 and target == "mydata/cxkit.yaml"

    setup = _run(bash[0], tmp_path)
    assert setup.returncode == 0, setup.stderr
    (tmp_path / target).write_text(catalog, encoding="utf-8")

    validate = _run(bash[1], tmp_path)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    quality = pd.read_csv(tmp_path / "reports" / "_validation" / "data_quality.csv")
    # 1,996 responses (the generator's every third row) and the empty row, as the README says
    assert quality[["accepted", "rejected", "excluded"]].values.tolist() == [[1996, 1, 1]]

    report = _run(bash[2], tmp_path)
    assert report.returncode == 0, report.stderr
    pack = tmp_path / "reports" / "2026-10"
    assert sorted(p.name for p in pack.glob("*.html")) == ["data_quality.html", "index.html", "nps_drivers.html"]
    results = json.loads((pack / "results.json").read_text())
    value, n, csat = _nps_by_hand("2026-10")
    assert results["nps"]["n"] == n == 662
    assert results["nps"]["value"] == pytest.approx(value, abs=1e-9)
    assert results["csat"]["value"] == pytest.approx(csat, abs=1e-9)
    previous, _, _ = _nps_by_hand("2026-09")
    assert results["nps"]["previous"] == pytest.approx(previous, abs=1e-9)
    assert sorted(d["driver"] for d in results["drivers"]) == ["delivery", "price", "product_quality", "support"]
    assert set(results["skipped"]) == {"review_sentiment", "churn_regression", "journey_stages"}
    assert results["churn"] is None and results["sentiment"] is None
    index = (pack / "index.html").read_text()
    assert "Not built: needs the customers source in the catalog (cxkit.yaml has feedback)." in index
    assert (pack / "nps_drivers.html").read_text().count("<img") >= 4  # trend, segments, drivers, quadrant


@pytest.mark.slow
def test_a_catalog_without_feedback_builds_reviews_churn_and_data_quality(tmp_path):
    """The complement of the walk-through's feedback-only catalog: every pack notebook then
    has run on a catalog holding only its own sources. The sample's generator at an eighth of
    its size (as the real-data matrix, tests/realdata.py): which pages a catalog builds does
    not depend on its rows, and the churn rate is checked by hand on whatever rows there are
    (about 1,400 reviews to calibrate on instead of 12,000)."""
    from realdata import _sample

    from cxkit.pack.runner import build_pack

    data = tmp_path / "data"
    data.mkdir()
    sample = _sample()
    for name in ("reviews", "customers"):
        sample[name].to_csv(data / f"{name}.csv", index=False)
    (data / "cxkit.yaml").write_text("sources:\n  reviews: {path: reviews.csv}\n  customers: {path: customers.csv}\n")
    pack = build_pack("2026-10", catalog=data / "cxkit.yaml", out=tmp_path / "reports", quiet=True)
    assert sorted(p.stem for p in pack.glob("*.html")) == [
        "churn_regression",
        "data_quality",
        "index",
        "review_sentiment",
    ]
    results = json.loads((pack / "results.json").read_text())
    assert set(results["skipped"]) == {"nps_drivers", "journey_stages"}
    assert results["skipped"]["journey_stages"]["absent"] == ["journey"]
    assert results["nps"] is None and results["journey"] is None
    # The month's churn rate by hand: customers who left in October over those active on 1 October
    # (signed up before it, not churned before it).
    customers = pd.read_csv(data / "customers.csv", parse_dates=["signup_at", "churned_at"])
    start, end = pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01")
    active = (customers["signup_at"] < start) & ~(customers["churned_at"] < start)
    left = active & (customers["churned_at"] >= start) & (customers["churned_at"] < end)
    assert left.sum() > 5  # the month has churners to count
    assert results["churn"]["headline"]["n"] == int(active.sum())
    assert results["churn"]["headline"]["value"] == pytest.approx(left.sum() / active.sum(), abs=1e-12)
    assert results["sentiment"]["headline"]["n"] > 0
