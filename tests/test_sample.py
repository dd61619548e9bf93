"""Tests of cxkit.data.sample: the files are deterministic and well formed, and the planted truth
written in truth.json can be recovered from the CSV files by independent computations.

Every expected value comes from truth.json (the generator's own record) or from the task's
specification (row counts, months, bad-row counts); the checks recompute them from the CSV
text with brute-force numpy, scipy and statsmodels code that shares nothing with the
generator.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from cxkit.data import sample
from cxkit.data.sample import DRIVERS, MONTHS, generate, truth, write_sample

STAGES = ["awareness", "consideration", "decision", "retention", "advocacy"]
BUNDLED = Path(__file__).resolve().parents[1] / "data" / "sample"
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


# ---- fixtures: the default sample, written once per module --------------------------------


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_sample(out, seed=20261)
    return out


@pytest.fixture(scope="module")
def facts(sample_dir) -> dict:
    return json.loads((sample_dir / "truth.json").read_text(encoding="utf-8"))


def _read(path: Path) -> pd.DataFrame:
    # every cell as text, so the tests decide what is a number or a date
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def raw(sample_dir) -> dict[str, pd.DataFrame]:
    return {name: _read(sample_dir / f"{name}.csv") for name in ("feedback", "reviews", "customers", "journey")}


def _valid_feedback(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that are data: a parseable timestamp, nps in 0..10, the first of each id."""
    stamp = pd.to_datetime(frame["responded_at"], format="%Y-%m-%dT%H:%M:%S", errors="coerce")
    nps = pd.to_numeric(frame["nps"], errors="coerce")
    keep = stamp.notna() & nps.between(0, 10) & ~frame["response_id"].duplicated()
    out = frame[keep].copy()
    out["responded_at"] = stamp[keep]
    out["month"] = out["responded_at"].dt.strftime("%Y-%m")
    for column in ["nps", "csat", "ces", *DRIVERS]:
        out[column] = pd.to_numeric(out[column].replace("", np.nan))
    return out


@pytest.fixture(scope="module")
def feedback(raw) -> pd.DataFrame:
    return _valid_feedback(raw["feedback"])


@pytest.fixture(scope="module")
def reviews(raw) -> pd.DataFrame:
    frame = raw["reviews"]
    rating = pd.to_numeric(frame["rating"])
    out = frame[rating.between(1, 5) & ~frame["review_id"].duplicated()].copy()
    out["rating"] = pd.to_numeric(out["rating"])
    out["month"] = out["published_at"].str.slice(0, 7)
    return out


@pytest.fixture(scope="module")
def customers(raw) -> pd.DataFrame:
    out = raw["customers"].copy()
    out["churned"] = out["churned"].map({"true": 1, "false": 0})
    for column in ["tenure_months", "monthly_revenue", "support_tickets"]:
        out[column] = pd.to_numeric(out[column])
    return out


@pytest.fixture(scope="module")
def journey(raw) -> pd.DataFrame:
    out = raw["journey"].copy()
    out["occurred_at"] = pd.to_datetime(out["occurred_at"], format="%Y-%m-%dT%H:%M:%S")
    for column in ["csat", "ces", "duration_s"]:
        out[column] = pd.to_numeric(out[column].replace("", np.nan))
    out["success"] = out["success"].map({"true": True, "false": False})
    return out


# ---- determinism and the bundled files ---------------------------------------------------


def test_same_seed_and_scale_give_byte_identical_files(sample_dir, tmp_path):
    again = write_sample(tmp_path / "again", seed=20261)
    for path in again.values():
        original = sample_dir / path.relative_to(tmp_path / "again")
        assert path.read_bytes() == original.read_bytes(), path.name


def test_another_seed_gives_other_data(tmp_path):
    one = write_sample(tmp_path / "a", seed=1, scale=0.05)
    two = write_sample(tmp_path / "b", seed=2, scale=0.05)
    assert one["feedback"].read_bytes() != two["feedback"].read_bytes()


def test_bundled_sample_is_the_seeded_sample(sample_dir):
    # data/sample/ must be exactly what `cxkit sample --seed 20261` writes
    for name in [
        "feedback.csv",
        "reviews.csv",
        "customers.csv",
        "journey.csv",
        "truth.json",
        "TRUTH.md",
        "truth/review_templates.csv",
    ]:
        assert (BUNDLED / name).read_bytes() == (sample_dir / name).read_bytes(), name
    total = sum(p.stat().st_size for p in BUNDLED.rglob("*") if p.is_file())
    assert total < 15_000_000


def test_truth_reads_the_bundled_file_and_refuses_a_missing_one(tmp_path, facts):
    assert truth() == facts
    assert truth(BUNDLED / "truth.json") == facts
    with pytest.raises(FileNotFoundError, match="write_sample"):
        truth(tmp_path / "nope.json")


def test_truth_without_the_file_is_computed_from_the_generator(monkeypatch, tmp_path, facts):
    monkeypatch.setattr(sample, "_DEFAULT_TRUTH_PATH", tmp_path / "absent.json")
    assert truth() == facts


def test_truth_has_the_stable_keys(facts):
    for key in [
        "seed",
        "scale",
        "months",
        "driver_weights",
        "driver_order",
        "expected_lmg_shares",
        "nps_by_month",
        "nps_drop_month",
        "lowest_stage",
        "lowest_touchpoint",
        "churn_formula",
        "churn_coefficients",
        "review_templates",
        "emerging_negative_theme",
        "funnel_conversion",
        "bad_rows",
        "row_counts",
    ]:
        assert key in facts, key
    assert (facts["seed"], facts["scale"]) == (20261, 1.0)
    assert "cxkit sample --seed 20261 --out data/sample" in (BUNDLED / "TRUTH.md").read_text()


def test_file_hashes_in_truth_match_the_files(sample_dir, facts):
    import hashlib

    for name, info in facts["files"].items():
        data = (sample_dir / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"], name


# ---- shape: row counts, months, ids, bad rows ------------------------------------------


def test_row_counts(raw, feedback, reviews, journey, facts):
    assert len(raw["customers"]) == 10_000
    per_month = feedback["month"].value_counts()
    assert per_month.between(1_900, 2_100).all()
    assert reviews["month"].value_counts().eq(1_000).all()
    assert 55_000 <= len(journey) <= 65_000
    assert journey["customer_id"].nunique() < len(raw["customers"])  # a subset
    for name in ("feedback", "reviews", "customers", "journey"):
        assert facts["row_counts"][name]["rows"] == len(raw[name])
    assert facts["row_counts"]["feedback"]["valid"] == len(feedback)
    assert facts["row_counts"]["reviews"]["valid"] == len(reviews)


def test_every_table_covers_the_twelve_months(feedback, reviews, journey, customers):
    assert list(MONTHS) == ["2025-11", "2025-12"] + [f"2026-{m:02d}" for m in range(1, 11)]
    assert sorted(feedback["month"].unique()) == list(MONTHS)
    assert sorted(reviews["month"].unique()) == list(MONTHS)
    assert sorted(journey["occurred_at"].dt.strftime("%Y-%m").unique()) == list(MONTHS)
    churned_at = customers.loc[customers["churned"] == 1, "churned_at"]
    assert churned_at.str.slice(0, 7).isin(MONTHS).all()
    assert customers.loc[customers["churned"] == 0, "churned_at"].eq("").all()


def test_timestamps_are_iso_8601(raw, facts):
    bad_ids = set(facts["bad_rows"]["feedback"]["unparseable_date"]["ids"])
    fb = raw["feedback"]
    assert fb.loc[~fb["response_id"].isin(bad_ids), "responded_at"].str.match(ISO).all()
    assert raw["reviews"]["published_at"].str.match(ISO).all()
    assert raw["journey"]["occurred_at"].str.match(ISO).all()
    assert raw["customers"]["signup_at"].str.match(ISO).all()


def test_tenure_is_months_from_signup_to_churn_or_window_end(customers):
    signup = pd.to_datetime(customers["signup_at"])
    end = pd.to_datetime(customers["churned_at"].replace("", "2026-11-01T00:00:00"))
    months = (end - signup).dt.total_seconds() / 86_400 / 30.4375
    assert np.allclose(months, customers["tenure_months"], atol=0.006)


def test_ids_are_unique_except_the_planted_duplicates(raw, facts):
    for table, column in [("feedback", "response_id"), ("reviews", "review_id")]:
        repeated = raw[table].loc[raw[table][column].duplicated(), column].tolist()
        assert sorted(repeated) == sorted(facts["bad_rows"][table]["duplicate_id"]["ids"])
    assert raw["customers"]["customer_id"].is_unique
    assert raw["journey"]["event_id"].is_unique
    assert set(raw["feedback"]["customer_id"]) <= set(raw["customers"]["customer_id"])
    assert set(raw["journey"]["customer_id"]) <= set(raw["customers"]["customer_id"])


def test_bad_rows_are_as_documented(raw, facts):
    # counts from the task: 12 nps 11, 5 unparseable dates, 3 repeated ids; under 1 %
    fb, bad = raw["feedback"], facts["bad_rows"]["feedback"]
    assert {k: v["count"] for k, v in bad.items()} == {"nps_out_of_range": 12, "unparseable_date": 5, "duplicate_id": 3}
    assert sorted(fb.loc[fb["nps"] == "11", "response_id"]) == sorted(bad["nps_out_of_range"]["ids"])
    stamp = pd.to_datetime(fb["responded_at"], format="%Y-%m-%dT%H:%M:%S", errors="coerce")
    assert sorted(fb.loc[stamp.isna(), "response_id"]) == sorted(bad["unparseable_date"]["ids"])
    assert pd.to_numeric(fb["nps"]).between(0, 11).all()
    assert sum(v["count"] for v in bad.values()) < 0.01 * len(fb)

    rv, bad_rv = raw["reviews"], facts["bad_rows"]["reviews"]
    out_of_range = ~pd.to_numeric(rv["rating"]).between(1, 5)
    assert sorted(rv.loc[out_of_range, "review_id"]) == sorted(bad_rv["rating_out_of_range"]["ids"])
    assert bad_rv["rating_out_of_range"]["count"] == 4 and bad_rv["duplicate_id"]["count"] == 2


def test_duplicates_are_exact_copies(raw):
    fb = raw["feedback"]
    repeated = fb[fb["response_id"].duplicated(keep=False)]
    assert len(repeated) == 6
    assert repeated.drop_duplicates().shape[0] == 3


def test_scores_and_driver_ratings_are_in_range(feedback, facts):
    assert feedback["csat"].between(1, 5).all() and feedback["ces"].between(1, 7).all()
    ratings = feedback[list(DRIVERS)]
    assert (ratings.isna() | ratings.ge(1) & ratings.le(10)).all().all()
    missing_rows = ratings.isna().any(axis=1).sum()
    assert missing_rows == facts["missing_driver_ratings"]["rows"]
    assert 0.02 < missing_rows / len(feedback) < 0.04  # ~3 %, MCAR
    assert ratings.isna().sum().sum() == facts["missing_driver_ratings"]["cells"]


def test_comments_languages_and_special_comments(raw, feedback, customers, facts):
    blank = feedback["comment"].eq("")
    assert 0.3 < blank.mean() < 0.5  # ~40 % without a comment
    assert feedback.loc[blank, "language"].eq("").all()
    assert set(feedback.loc[~blank, "language"]) == {"en", "da", "nb", "sv"}

    by_id = feedback.set_index("response_id")
    people = customers.set_index("customer_id")
    pii = facts["special_comments"]["pii"]
    assert len(pii) == 10
    for response_id in pii:
        row = by_id.loc[response_id]
        person = people.loc[row["customer_id"]]
        assert person["email"] in row["comment"] or person["phone"] in row["comment"]
    html = facts["special_comments"]["html"]
    assert len(html) == 10
    assert by_id.loc[html, "comment"].str.contains("<").all()
    assert "<script>alert(1)</script>" in set(by_id.loc[html, "comment"])


def test_personal_data_is_obviously_fake(customers):
    assert customers["email"].str.fullmatch(r"[a-z]+\.[a-z]+\d+@example\.(com|org|net)").all()
    assert customers["phone"].str.match(r"^\+4[567] ").all()
    assert customers["email"].is_unique


# ---- planted truth: key drivers ----------------------------------------------------------


def _r2(X: np.ndarray, y: np.ndarray) -> float:
    design = np.column_stack([np.ones(len(y)), X])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ beta
    return 1 - residual @ residual / ((y - y.mean()) @ (y - y.mean()))


def _lmg_by_brute_force(frame: pd.DataFrame) -> pd.Series:
    """Exact LMG: average R^2 gain of each driver over all 8! orders, via all 256 subsets."""
    data = frame.dropna(subset=list(DRIVERS))
    X, y = data[list(DRIVERS)].to_numpy(float), data["nps"].to_numpy(float)
    k = len(DRIVERS)
    r2 = {(): 0.0}
    for size in range(1, k + 1):
        for subset in itertools.combinations(range(k), size):
            r2[subset] = _r2(X[:, subset], y)
    gain = np.zeros(k)
    for subset, value in r2.items():
        for i in set(range(k)) - set(subset):
            bigger = tuple(sorted(subset + (i,)))
            weight = math.factorial(len(subset)) * math.factorial(k - len(subset) - 1)
            gain[i] += weight * (r2[bigger] - value)
    gain /= math.factorial(k)
    return pd.Series(gain / gain.sum(), index=list(DRIVERS))


def test_driver_order_is_recovered_by_exact_lmg(feedback, facts):
    shares = _lmg_by_brute_force(feedback)
    assert shares.sort_values(ascending=False).index.tolist() == facts["driver_order"]
    # the population shares planted in truth.json are close to the pooled sample's
    expected = pd.Series(facts["expected_lmg_shares"])
    assert (shares - expected[shares.index]).abs().max() < 0.015
    assert list(facts["driver_weights"]) == facts["driver_order"]
    weights = list(facts["driver_weights"].values())
    assert all(a > b for a, b in itertools.pairwise(weights))


def test_driver_order_per_month(feedback, facts):
    # ~2,000 responses a month: the order is recovered exactly in most months, and never
    # further off than one swap of neighbours (truth.json records each month's order)
    order = facts["driver_order"]
    exact = 0
    for month, rows in feedback.groupby("month"):
        found = _lmg_by_brute_force(rows).sort_values(ascending=False).index.tolist()
        assert found == facts["driver_order_by_month"][month]
        tau = stats.kendalltau([order.index(d) for d in found], range(len(order))).statistic
        assert tau >= 1 - 2 * 2 / 28, (month, found)  # at most two swapped pairs of 28
        exact += found == order
    assert exact == facts["driver_order_months_recovered"] >= 10


# ---- planted truth: NPS by month ------------------------------------------------------


def _nps(scores: pd.Series) -> tuple[float, float]:
    """NPS and its standard error (multinomial variance of promoter - detractor)."""
    promoters, detractors = (scores >= 9).mean(), (scores <= 6).mean()
    value = promoters - detractors
    variance = promoters + detractors - value**2
    return 100 * value, 100 * math.sqrt(variance / len(scores))


def test_nps_drop_month_is_the_largest_significant_decline(feedback, facts):
    monthly = {m: _nps(rows["nps"]) for m, rows in feedback.groupby("month")}
    for month, (value, _) in monthly.items():
        assert value == pytest.approx(facts["nps_by_month"][month], abs=0.005)
    changes = {b: monthly[b][0] - monthly[a][0] for a, b in itertools.pairwise(MONTHS)}
    drop_month = min(changes, key=changes.get)
    assert drop_month == facts["nps_drop_month"] == "2026-08"
    before = MONTHS[MONTHS.index(drop_month) - 1]
    z = changes[drop_month] / math.hypot(monthly[drop_month][1], monthly[before][1])
    assert stats.norm.cdf(z) < 0.001  # one-sided test of a decline
    assert 8 <= -changes[drop_month] <= 16  # "about 12 points"
    assert facts["nps_drop_points"] == pytest.approx(-changes[drop_month], abs=0.01)
    # partial recovery: later months are above the drop but below the months before it
    assert monthly["2026-09"][0] > monthly["2026-08"][0]
    baseline = np.mean([monthly[m][0] for m in MONTHS[:9]])
    assert monthly["2026-09"][0] < baseline


# ---- planted truth: stages and touchpoints -------------------------------------------------


def test_lowest_stage_and_touchpoint_by_mean_csat(feedback, journey, facts):
    for frame in (feedback, journey):
        by_stage = frame.groupby("journey_stage")["csat"].mean().sort_values()
        by_touchpoint = frame.groupby("touchpoint")["csat"].mean().sort_values()
        assert by_stage.index[0] == facts["lowest_stage"] == "decision"
        assert by_touchpoint.index[0] == facts["lowest_touchpoint"] == "billing"
        # "clearly": at least 0.15 points below the next
        assert by_stage.iloc[1] - by_stage.iloc[0] > 0.15
        assert by_touchpoint.iloc[1] - by_touchpoint.iloc[0] > 0.15
    success = journey.groupby("touchpoint")["success"].mean().sort_values()
    assert success.index[0] == facts["journey"]["lowest_success_touchpoint"] == "live chat"
    assert success.iloc[1] - success.iloc[0] > 0.15


# ---- planted truth: churn --------------------------------------------------------------


def test_churn_coefficients_fall_inside_95_percent_intervals(customers, feedback, facts):
    # detractor, as truth.json defines it: the customer's first valid response is 0-6
    first = feedback.sort_values(["responded_at", "response_id"]).drop_duplicates("customer_id")
    detractor = first.set_index("customer_id")["nps"].le(6).astype(int)
    data = customers.assign(detractor=customers["customer_id"].map(detractor).fillna(0).astype(int))
    assert data["detractor"].sum() == facts["detractor_customers"]
    result = smf.logit(facts["churn_formula"], data).fit(disp=0)
    interval = result.conf_int(alpha=0.05)
    planted = pd.Series(facts["churn_coefficients"])
    assert sorted(planted.index) == sorted(result.params.index)
    inside = (interval[0] <= planted[interval.index]) & (planted[interval.index] <= interval[1])
    assert inside.all(), pd.concat([planted, result.params, interval], axis=1)[~inside]
    assert (result.pvalues < 1e-6).all()  # each is clearly non-zero
    assert facts["detractor_odds_ratio"] == pytest.approx(math.exp(planted["detractor"]), abs=1e-4)


def test_rows_agree_with_the_customer_table(customers, feedback, journey):
    people = customers.set_index("customer_id")
    assert (feedback["segment"] == feedback["customer_id"].map(people["segment"])).all()
    assert (journey["segment"] == journey["customer_id"].map(people["segment"])).all()
    # journey events happen while the customer is one
    signup = pd.to_datetime(people["signup_at"])
    leaving = pd.to_datetime(people["churned_at"].replace("", "2026-11-01T00:00:00"))
    assert (journey["occurred_at"] >= journey["customer_id"].map(signup)).all()
    assert (journey["occurred_at"] < journey["customer_id"].map(leaving)).all()


def test_churners_leave_after_their_first_response_and_answer_no_more(customers, feedback):
    churned = customers.loc[customers["churned"] == 1, ["customer_id", "churned_at"]]
    churned_at = pd.to_datetime(churned.set_index("customer_id")["churned_at"])
    answered = feedback[feedback["customer_id"].isin(churned_at.index)]
    assert (answered["responded_at"] <= answered["customer_id"].map(churned_at)).all()
    signup = pd.to_datetime(customers.set_index("customer_id")["signup_at"])
    assert (feedback["responded_at"] >= feedback["customer_id"].map(signup)).all()


# ---- planted truth: reviews --------------------------------------------------------------


def test_star_ratings_follow_template_sentiment(sample_dir, reviews, facts):
    mapping = _read(sample_dir / "truth" / "review_templates.csv")
    assert mapping["review_id"].is_unique
    sentiment = {t["id"]: t["sentiment"] for t in facts["review_templates"]}
    rated = reviews.merge(mapping, on="review_id", validate="one_to_one")
    means = rated.groupby("template_id")["rating"].mean()
    by_sentiment = {s: means[[sentiment[t] == s for t in means.index]] for s in ("negative", "neutral", "positive")}
    assert by_sentiment["negative"].max() < by_sentiment["neutral"].min()
    assert by_sentiment["neutral"].max() < by_sentiment["positive"].min()


def test_review_templates_are_complete_and_languages_differ(reviews, facts):
    templates = pd.DataFrame(facts["review_templates"])
    assert templates["id"].is_unique
    counts = templates.groupby("language").size()
    assert counts.between(20, 30).all() and set(counts.index) == {"en", "da", "nb", "sv"}
    assert templates.groupby(["language", "theme", "sentiment"]).size().eq(1).all()
    # no text or title is shared between two languages
    for column in ("text", "title"):
        assert templates.groupby(column)["language"].nunique().eq(1).all(), column
    share = reviews["language"].value_counts(normalize=True)
    assert share["en"] == pytest.approx(0.4, abs=0.03)
    for language in ("da", "nb", "sv"):
        assert share[language] == pytest.approx(0.2, abs=0.03)


def test_negative_delivery_reviews_surge_in_the_last_month(sample_dir, reviews, facts):
    mapping = _read(sample_dir / "truth" / "review_templates.csv")
    rated = reviews.merge(mapping, on="review_id")
    theme = rated["template_id"].str.split(".").str[1]
    sentiment = rated["template_id"].str.split(".").str[2]
    emerging = facts["emerging_negative_theme"]
    counts = rated[(theme == emerging["theme"]) & (sentiment == "negative")].groupby("month").size()
    assert counts.to_dict() == emerging["counts_by_month"]
    assert counts.idxmax() == emerging["month"] == "2026-10"
    assert counts["2026-10"] > 3 * counts.drop("2026-10").max()


# ---- planted truth: journey funnel -------------------------------------------------------


def test_funnel_conversion_and_event_order(journey, facts):
    stage_rank = journey["journey_stage"].map({s: i for i, s in enumerate(STAGES)})
    ranked = journey.assign(rank=stage_rank)
    reached = ranked.groupby("customer_id")["rank"].agg(["min", "max", "nunique"])
    assert (reached["min"] == 0).all()  # everyone starts at awareness
    assert (reached["nunique"] == reached["max"] + 1).all()  # no stage skipped
    customers_at = [(reached["max"] >= i).sum() for i in range(len(STAGES))]
    for i, step in enumerate(facts["funnel_conversion"]["planted"]):
        realised = customers_at[i + 1] / customers_at[i]
        assert realised == pytest.approx(facts["funnel_conversion"]["realised"][step], abs=1e-4)
        assert realised == pytest.approx(facts["funnel_conversion"]["planted"][step], abs=0.04)
    # events are in time order per customer, and stages never go back in time
    ordered = ranked.sort_values(["customer_id", "occurred_at", "event_id"])
    assert (ordered.groupby("customer_id")["rank"].diff().dropna() >= 0).all()
    assert journey["occurred_at"].is_monotonic_increasing


# ---- scale ------------------------------------------------------------------------------


def test_scale_multiplies_row_counts():
    small = generate(scale=0.1)
    assert len(small["customers"]) == 1_000
    assert len(small["reviews"]) == 1_200 + 2  # one out-of-range rating, one repeated id
    assert 2_300 <= len(small["feedback"]) <= 2_500
    assert 5_000 <= len(small["journey"]) <= 7_000
    months = small["feedback"]["responded_at"].str.slice(0, 7)
    assert set(MONTHS) <= set(months)


def test_generate_matches_the_files(sample_dir):
    tables = generate(seed=20261)
    for name in ("feedback", "reviews", "customers", "journey"):
        assert len(tables[name]) == len(_read(sample_dir / f"{name}.csv"))
    on_disk = _read(sample_dir / "customers.csv")
    assert tables["customers"]["customer_id"].tolist() == on_disk["customer_id"].tolist()


def test_scale_must_be_positive():
    with pytest.raises(ValueError, match="scale"):
        generate(scale=0)


def test_rows_set_one_table_size_and_leave_the_others_at_scale():
    base = sample.generate(scale=0.05)
    tables = sample.generate(scale=0.05, rows={"reviews": 3000})
    assert abs(len(tables["reviews"]) - 3000) / 3000 < 0.02
    for name in ("customers", "feedback", "journey"):
        pd.testing.assert_frame_equal(tables[name], base[name])
    with pytest.raises(ValueError, match="unknown table 'review'"):
        sample.generate(rows={"review": 10})
    with pytest.raises(ValueError, match="positive whole number"):
        sample.generate(rows={"reviews": 0})


def test_rows_on_the_command_line(tmp_path, capsys):
    from cxkit.pack.cli import main

    assert main(["sample", "--scale", "0.05", "--rows", "journey=2000", "--out", str(tmp_path)]) == 0
    facts = json.loads((tmp_path / "truth.json").read_text())
    assert abs(facts["row_counts"]["journey"]["rows"] - 2000) / 2000 < 0.05
    assert "--rows journey=2000" in facts["regenerate"]
    with pytest.raises(SystemExit):
        main(["sample", "--rows", "journey=lots", "--out", str(tmp_path)])
    assert "TABLE=N" in capsys.readouterr().err
