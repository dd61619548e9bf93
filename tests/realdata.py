"""The real-data matrix (issue 23): packs built from real public exports in ../shared/datasets
and from transformed copies of the sample, each shaped like a customer's own export (no ids, no
dates, a thin month, a driver never asked, a 1-10 rating, a 100-level category, ...).

Each scenario writes its data and catalog into a folder and says which month to build (and, for
``--only``, which pages). :mod:`tests.test_realdata` builds every scenario and scans every page
for broken output (:mod:`tests.pagescan`). ``python tests/realdata.py OUT [NAME ...]`` builds
them by hand.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from cxkit.data.sample import generate

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
MONTH = "2026-10"
DRIVERS = ["support", "price", "product_quality", "delivery", "ease_of_use", "billing", "app_experience", "staff"]
_SCALE = 0.12
_cache: dict[str, dict[str, pd.DataFrame]] = {}


def _sample() -> dict[str, pd.DataFrame]:
    if "data" not in _cache:
        _cache["data"] = generate(seed=20261, scale=_SCALE)
    return {k: v.copy() for k, v in _cache["data"].items()}


@dataclass
class Scenario:
    """One pack of the matrix: ``write(folder)`` writes the data and returns the catalog dict
    (``None`` with ``on_sample_pack``: the project's own catalog, data/cxkit.yaml)."""

    name: str
    about: str
    write: Callable[[Path], dict] | None
    month: str | None = MONTH
    only: list[str] | None = None
    shared: bool = False  # needs ../shared/datasets
    on_sample_pack: bool = False  # --only on a copy of the sample's pack (conftest's sample_pack)
    expect_pages: set[str] = field(default_factory=set)


def _entry(table: str, path: str, **options) -> dict:
    return {"table": table, "path": path, **options}


def _catalog(sources: dict, **settings) -> dict:
    return {"version": 1, "defaults": {"max_rejected": 0.05}, "sources": sources, "settings": settings}


def _write_sample(folder: Path, data: dict[str, pd.DataFrame], tables=("feedback", "reviews", "customers", "journey")):
    sources = {}
    for t in tables:
        data[t].to_csv(folder / f"{t}.csv", index=False)
        sources[t] = _entry(t, f"{t}.csv", **({"drivers": DRIVERS} if t == "feedback" else {}))
    return sources


# -- transformed copies of the sample ---------------------------------------------------------


def anonymous_survey(folder: Path) -> dict:
    """A survey without customer_id beside a customers table (the most common real setup)."""
    data = _sample()
    data["feedback"] = data["feedback"].drop(columns=["customer_id"])
    return _catalog(_write_sample(folder, data))


def undated_survey(folder: Path) -> dict:
    """A survey export with no date column: the catalog gives its fieldwork period."""
    data = _sample()
    fb = data["feedback"]
    fb = fb[fb["responded_at"].astype(str).str.startswith(MONTH)].drop(columns=["responded_at"])
    data["feedback"] = fb
    sources = _write_sample(folder, data, tables=("feedback", "customers"))
    sources["feedback"]["fieldwork"] = MONTH
    return _catalog(sources)


def undated_customers(folder: Path) -> dict:
    """A customer table without signup or churn dates (churn yes/no and tenure only)."""
    data = _sample()
    data["customers"] = data["customers"].drop(columns=["signup_at", "churned_at"])
    return _catalog(_write_sample(folder, data, tables=("customers",)))


def driver_not_asked(folder: Path) -> dict:
    """One driver was not asked in the report month (blank in every response of the month)."""
    data = _sample()
    fb = data["feedback"]
    fb.loc[fb["responded_at"].astype(str).str.startswith(MONTH), "billing"] = pd.NA
    return _catalog(_write_sample(folder, data, tables=("feedback",)))


def one_response_month(folder: Path) -> dict:
    """The report month has one survey response."""
    data = _sample()
    fb = data["feedback"]
    in_month = fb["responded_at"].astype(str).str.startswith(MONTH)
    data["feedback"] = pd.concat([fb[~in_month], fb[in_month].head(1)])
    return _catalog(_write_sample(folder, data, tables=("feedback", "reviews")))


def one_month_only(folder: Path) -> dict:
    """Every source covers the report month only (no previous month, no trend)."""
    data = _sample()
    for t, col in [("feedback", "responded_at"), ("reviews", "published_at"), ("journey", "occurred_at")]:
        data[t] = data[t][data[t][col].astype(str).str.startswith(MONTH)]
    return _catalog(_write_sample(folder, data))


def ten_point_reviews(folder: Path) -> dict:
    """Review ratings on a 1-10 scale (the catalog says so)."""
    data = _sample()
    rv = data["reviews"]
    rng = np.random.default_rng(3)
    rv["rating"] = (2 * rv["rating"].astype(int) - rng.integers(0, 2, len(rv))).clip(1, 10)
    sources = _write_sample(folder, data, tables=("reviews",))
    sources["reviews"]["scales"] = {"rating": [1, 10]}
    return _catalog(sources)


def five_point_ces(folder: Path) -> dict:
    """CES asked on 1-5 (not 1-7)."""
    data = _sample()
    fb = data["feedback"]
    fb["ces"] = ((fb["ces"].astype("Float64") - 1) * 4 / 6 + 1).round().astype("Int64")
    sources = _write_sample(folder, data, tables=("feedback",))
    sources["feedback"]["scales"] = {"ces": [1, 5]}
    return _catalog(sources)


def hundred_levels(folder: Path) -> dict:
    """A free-text segment column with 100 distinct values (on surveys and customers)."""
    data = _sample()
    rng = np.random.default_rng(5)
    for t in ("feedback", "customers"):
        data[t]["segment"] = [f"Region {i:03d}" for i in rng.zipf(1.3, len(data[t])) % 100]
    return _catalog(_write_sample(folder, data, tables=("feedback", "customers")))


def journey_only(folder: Path) -> dict:
    """Journey events alone (no survey): 100 free-text touchpoint names, no decision events in the
    report month, and no task outcome or duration columns."""
    data = _sample()
    journey = data["journey"]
    rng = np.random.default_rng(7)
    picks = rng.zipf(1.3, len(journey)) % 100
    in_month = journey["occurred_at"].astype(str).str.startswith(MONTH).to_numpy()
    picks[np.flatnonzero(in_month)[:100]] = np.arange(100)  # every name occurs in the month
    journey["touchpoint"] = [f"Page {i:03d}" for i in picks]
    journey = journey[~(in_month & (journey["journey_stage"].astype(str) == "decision").to_numpy())]
    data["journey"] = journey.drop(columns=["success", "duration_s"])
    return _catalog(_write_sample(folder, data, tables=("journey",)))


def reviews_only(folder: Path) -> dict:
    return _catalog(_write_sample(folder, _sample(), tables=("reviews",)))


def customers_only(folder: Path) -> dict:
    return _catalog(_write_sample(folder, _sample(), tables=("customers",)))


# -- real public exports ----------------------------------------------------------------------


def telco_only(folder: Path) -> dict:
    """IBM Telco churn: no dates, churn Yes/No, tenure, charges; columns kept out of the model."""
    return _catalog(
        {
            "customers": _entry(
                "customers",
                str(SHARED / "telco_customer_churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"),
                columns={
                    "customer_id": "customerID",
                    "tenure_months": "tenure",
                    "monthly_revenue": "MonthlyCharges",
                    "churned": "Churn",
                    "segment": "Contract",
                },
                values={"churned": {"Yes": True, "No": False}},
            )
        }
    )


def alexa_reviews(folder: Path) -> dict:
    """Amazon Alexa reviews: 1-5 stars, dates 31-Jul-18, no ids, 80 ratings without text."""
    return _catalog(
        {
            "reviews": _entry(
                "reviews",
                str(SHARED / "amazon_alexa_reviews" / "amazon_alexa.tsv"),
                columns={"published_at": "date", "text": "verified_reviews"},
                generate_ids=True,
                date_format="%d-%b-%y",
                unescape_html=True,
            )
        }
    )


#: Reviews of the Danish Trustpilot export the scenario keeps (of 9,753; see danish_trustpilot).
DANISH_ROWS = 2_000


def danish_trustpilot(folder: Path) -> dict:
    """Danish Trustpilot reviews (ProShop, Zalando): 1-5 stars written as fastText labels
    ("__label__5 "), no dates (the catalog's fieldwork dates them), no source, no language, no ids.

    2,000 of the export's 9,753 reviews (:data:`DANISH_ROWS`; drawn with numpy's default_rng(2022),
    in file order) plus its one review without text, written into the scenario's folder as the
    export writes them: the csv module reproduces the whole file byte for byte (CRLF rows, bare
    carriage returns inside quoted reviews, the labels' trailing space). The whole export took the
    review page's calibration 28 s of processor time; 2,000 reviews give the same page."""
    import csv

    with open(
        SHARED / "danish_trustpilot_reviews_dev" / "output_proshop_zalando.csv", newline="", encoding="utf-8"
    ) as f:
        header, *rows = list(csv.reader(f))
    keep = set(np.random.default_rng(2022).choice(len(rows), DANISH_ROWS, replace=False).tolist())
    keep |= {i for i, row in enumerate(rows) if not row[1]}  # the export's one empty review
    with open(folder / "reviews.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\r\n").writerows([header, *(rows[i] for i in sorted(keep))])
    labels = {f"__label__{stars}": stars for stars in range(1, 6)}
    return _catalog(
        {
            "reviews": _entry(
                "reviews",
                "reviews.csv",
                columns={"text": "review"},
                values={"rating": labels},
                generate_ids=True,
                fieldwork="2022-05",
            )
        }
    )


def shoppers_sessions(folder: Path) -> dict:
    """UCI online shoppers: one row per web session, no ids, no dates, no touchpoint, no score
    (read as data/public.yaml's shoppers entry: page types give the stage, Revenue the success)."""
    return _catalog(
        {
            "journey": _entry(
                "journey",
                str(SHARED / "online_shoppers_intention" / "online_shoppers_intention.csv"),
                generate_ids=True,
                stage_from=[
                    ["Informational", "awareness"],
                    ["ProductRelated", "consideration"],
                    ["Revenue", "decision"],
                ],
                columns={"segment": "VisitorType", "success": "Revenue", "duration_s": "ProductRelated_Duration"},
                values={"Month": {"June": "Jun"}},
                categorical=["OperatingSystems", "Browser", "Region", "TrafficType"],
            )
        }
    )


def bank_beside_anonymous_survey(folder: Path) -> dict:
    """Bank churn customers (tenure in years, no dates) beside an anonymous sample survey."""
    data = _sample()
    data["feedback"].drop(columns=["customer_id"]).to_csv(folder / "feedback.csv", index=False)
    return _catalog(
        {
            "feedback": _entry("feedback", "feedback.csv", drivers=DRIVERS),
            "customers": _entry(
                "customers",
                str(SHARED / "bank_customer_churn" / "Churn_Modelling.csv"),
                columns={
                    "customer_id": "CustomerId",
                    "tenure_months": "Tenure",
                    "churned": "Exited",
                    "segment": "Geography",
                },
                units={"tenure_months": "years"},
            ),
        }
    )


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in [
        Scenario("anonymous_survey", "survey without customer ids beside customers", anonymous_survey),
        Scenario("undated_survey", "survey without dates, fieldwork period in the catalog", undated_survey),
        Scenario("undated_customers", "customer table without dates", undated_customers),
        Scenario("driver_not_asked", "a driver never asked in the month", driver_not_asked),
        Scenario("one_response_month", "a month with one response", one_response_month),
        Scenario("one_month_only", "sources covering one month only", one_month_only),
        Scenario("ten_point_reviews", "review rating on 1-10", ten_point_reviews),
        Scenario("five_point_ces", "CES on 1-5", five_point_ces),
        Scenario("hundred_levels", "a 100-level category", hundred_levels),
        Scenario(
            "journey_only",
            "journey events only: 100 touchpoints, no decision events in the month, no task outcomes",
            journey_only,
            expect_pages={"journey_stages"},
        ),
        Scenario("reviews_only", "reviews only", reviews_only),
        Scenario("customers_only", "customers only", customers_only),
        # The pack --only adds to is a copy of the sample's (data/cxkit.yaml, every page), which the
        # test session builds once anyway: a pack of its own cost 14 s of processor time.
        Scenario(
            "only_on_existing",
            "--only data_quality on a built pack (the sample's)",
            None,
            only=["data_quality"],
            on_sample_pack=True,
            expect_pages={"nps_drivers", "review_sentiment", "churn_regression", "journey_stages"},  # kept
        ),
        Scenario("telco_only", "IBM Telco customers only (real)", telco_only, shared=True),
        Scenario("alexa_reviews", "Amazon Alexa reviews (real)", alexa_reviews, month=None, shared=True),
        Scenario(
            "danish_trustpilot",
            "Danish Trustpilot reviews, undated (real)",
            danish_trustpilot,
            month="2022-05",
            shared=True,
            expect_pages={"review_sentiment"},
        ),
        Scenario(
            "bank_anonymous", "bank churn beside an anonymous survey (real)", bank_beside_anonymous_survey, shared=True
        ),
        Scenario(
            "shoppers_sessions",
            "UCI online shoppers sessions, journey only: no ids, no dates, no scores (real)",
            shoppers_sessions,
            shared=True,
            expect_pages={"journey_stages"},
        ),
    ]
}


def write(scenario: Scenario, folder: Path) -> Path:
    """Write the scenario's data and catalog into ``folder``; return the catalog's path."""
    assert scenario.write is not None, f"{scenario.name} is built on the sample's catalog"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cxkit.yaml"
    path.write_text(yaml.safe_dump(scenario.write(folder), sort_keys=False), encoding="utf-8")
    return path


def build(scenario: Scenario, folder: Path, sample_pack: Path | None = None) -> Path:
    """Build the scenario's pack under ``folder/reports``; return the month folder.

    ``on_sample_pack``: the pack is a copy of ``sample_pack`` (the sample's pack of ``MONTH``;
    built here when not given) and the scenario's pages are rebuilt in it with ``--only``."""
    from cxkit.pack.runner import build_pack

    out = folder / "reports"
    if scenario.on_sample_pack:
        if sample_pack is None:
            sample_pack = build_pack(MONTH, out=folder / "sample_reports", quiet=True)
        shutil.copytree(sample_pack, out / MONTH)
        return build_pack(scenario.month, out=out, quiet=True, only=scenario.only)
    catalog = write(scenario, folder / "data")
    return build_pack(scenario.month, catalog=catalog, out=out, quiet=True, only=scenario.only)


if __name__ == "__main__":
    out = Path(sys.argv[1])
    for name in sys.argv[2:] or list(SCENARIOS):
        try:
            print(name, build(SCENARIOS[name], out / name), flush=True)
        except Exception as error:  # a by-hand run lists every failure
            print(name, "FAILED", type(error).__name__, str(error).splitlines()[0][:300], flush=True)


def check(scenario: Scenario, folder: Path, browser, request) -> list[str]:
    """Build the scenario's pack and scan every page in the browser; the problems found
    (``request``: the test's, for the session's ``sample_pack`` when the scenario builds on it)."""
    import json

    from pagescan import scan_pages

    if scenario.shared and not SHARED.is_dir():
        import pytest

        pytest.skip(f"shared datasets not found at {SHARED} (CI has them; a plain clone does not)")
    sample_pack = request.getfixturevalue("sample_pack") if scenario.on_sample_pack else None
    pack = build(scenario, folder, sample_pack)
    scanned = scan_pages(browser, sorted(pack.glob("*.html")))
    problems = [f"{page.name}: {found}" for page, defects in scanned.items() for found in defects]
    results = json.loads((pack / "results.json").read_text(encoding="utf-8"))
    built = {p.stem for p in pack.glob("*.html")} - {"index"}
    missing = scenario.expect_pages - built
    if missing:
        problems.append(f"pages missing from the pack: {sorted(missing)} (built: {sorted(built)})")
    if results.get("month") is None:
        problems.append("results.json has no month")
    return problems
