"""Every public dataset in ../shared/datasets loads through data/public.yaml, quirks handled.

Expected counts come from each dataset's SOURCE.md.
"""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.shared


def _ok(loaded, read):
    assert loaded.report.read == read
    assert len(loaded.frame) + len(loaded.rejected) == read


def test_telco_blank_total_charges_are_missing_and_reported(public_catalog):
    telco = public_catalog["telco"]
    _ok(telco, 7043)
    f = telco.frame
    assert len(f) == 7043 and telco.rejected.empty
    assert int(f["churned"].sum()) == 1869
    assert f["TotalCharges"].dtype == "Float64" and int(f["TotalCharges"].isna().sum()) == 11
    assert (f.loc[f["TotalCharges"].isna(), "tenure_months"] == 0).all()
    assert "TotalCharges: 11 blank or NA value(s) read as missing" in telco.report.notes
    assert f["SeniorCitizen"].tolist().count(1) == 1142  # 0/1 coded, kept as integers
    assert set(f["MultipleLines"].dropna()) == {"Yes", "No", "No phone service"}


def test_bank_tenure_in_years_becomes_months(public_catalog):
    bank = public_catalog["bank"]
    _ok(bank, 10000)
    f = bank.frame
    assert int(f["churned"].sum()) == 2037
    assert sorted(f["tenure_months"].unique().tolist()) == [12.0 * y for y in range(11)]
    assert int((f["Balance"] == 0).sum()) == 3617  # a real mass point, not missing
    assert f["segment"].value_counts().to_dict() == {"France": 5014, "Germany": 2509, "Spain": 2477}


def test_alexa_bom_crlf_dates_and_empty_reviews(public_catalog):
    alexa = public_catalog["alexa"]
    _ok(alexa, 3150)
    f = alexa.frame
    assert alexa.rejected.empty
    assert "encoding utf-8-sig" in alexa.report.notes  # the BOM is not glued to "rating"
    assert f["rating"].value_counts().sort_index().tolist() == [161, 96, 152, 455, 2286]
    assert f["published_at"].min() == pd.Timestamp("2018-05-16")
    assert f["published_at"].max() == pd.Timestamp("2018-07-31")
    assert int(f["text"].isna().sum()) == 80  # 79 single spaces + 1 "None": ratings with no text
    assert "Charcoal Fabric" in set(f["variation"]) and "Black Dot" in set(f["variation"])
    assert f["variation"].nunique() == 16
    assert not f["text"].str.contains("&#34;", regex=False).any()
    # 76 rows hold &#34; (SOURCE.md), two more &quot; or &nbsp; (grep -cE "&#34;|&quot;|&nbsp;" gives 78)
    assert "text: HTML entities decoded in 78 row(s)" in alexa.report.notes


@pytest.mark.parametrize("name", ["uci_amazon", "uci_imdb", "uci_yelp"])
def test_uci_sentences_keep_all_rows(public_catalog, name):
    loaded = public_catalog[name]
    _ok(loaded, 1000)  # imdb silently loses 252 rows with default CSV quoting
    f = loaded.frame
    assert f["label"].value_counts().to_dict() == {0: 500, 1: 500}
    assert not f["text"].str.endswith(" ").any()  # imdb's two trailing spaces are trimmed
    assert f["text"].notna().all()


def test_norec_dev_and_train(public_catalog):
    dev, train = public_catalog["norec_dev"], public_catalog["norec_train"]
    _ok(dev, 1411)
    _ok(train, 7973)
    assert dev.frame["label"].value_counts().to_dict() == {"Neutral": 710, "Positive": 490, "Negative": 211}
    assert dev.frame["review_id"].is_unique
    assert "ø" in "".join(dev.frame["text"].head(200))  # \\u escapes decoded


def test_online_shoppers_sessions_as_journey(public_catalog):
    shoppers = public_catalog["shoppers"]
    _ok(shoppers, 12330)
    f = shoppers.frame
    assert shoppers.rejected.empty  # the 125 duplicate sessions are kept: they are real
    assert int(f["success"].sum()) == 1908
    assert f["Month"].nunique() == 10 and "June" not in set(f["Month"]) and "Jun" in set(f["Month"])
    assert f["Region"].dtype == "string" and f["segment"].value_counts()["Returning_Visitor"] == 10551
    stages = f["journey_stage"].value_counts()
    assert stages.sum() == 12330 and stages["decision"] >= 1908  # every purchase is at decision
