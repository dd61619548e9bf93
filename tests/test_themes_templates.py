"""Industry theme templates, the catalog's themes section, weak terms and the impact statistics (issue 26)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import snowballstemmer
from scipy import stats

import cxkit as cx
from cxkit.data.theme_templates import THEME_LANGUAGES, load_theme_template, theme_templates
from cxkit.errors import CatalogError

INDUSTRIES = ["banking", "retail", "software", "telecom", "travel", "utilities"]


def test_every_template_loads_in_four_languages():
    assert theme_templates() == INDUSTRIES
    for name in INDUSTRIES:
        themes = load_theme_template(name)
        assert len(themes) >= 6, name
        for theme, by_lang in themes.items():
            assert set(by_lang) == set(THEME_LANGUAGES), (name, theme)
            assert all(by_lang[lang] for lang in THEME_LANGUAGES), (name, theme)


def test_plain_words_keep_a_stem_long_enough_to_be_specific():
    # a plain word matches every word of its Snowball stem; a stem of 2 letters would match far too much
    names = {"en": "english", "da": "danish", "nb": "norwegian", "sv": "swedish"}
    for name in INDUSTRIES:
        for theme, by_lang in load_theme_template(name).items():
            for lang, terms in by_lang.items():
                stemmer = snowballstemmer.stemmer(names[lang])
                for term in terms:
                    word = term.lstrip("!~")
                    if " " in word or word.endswith("*") or word.startswith("="):  # "=word" is not stemmed
                        continue
                    assert len(stemmer.stemWord(word)) >= 2, (name, theme, lang, term)


@pytest.mark.parametrize(
    "template, text, language, theme",
    [
        ("travel", "The flight was delayed for hours", "en", "delays"),  # "delayed" via the stem of "delay"
        ("travel", "Flyet var forsinket to timer", "da", "delays"),
        ("travel", "Bagasjen kom aldri fram", "nb", "baggage"),
        ("travel", "Väskan försvann på vägen", "sv", "baggage"),
        ("retail", "Leveringen tog ti dage", "da", "delivery"),
        ("retail", "Leveransen var sen", "sv", "delivery"),
        ("telecom", "Dårlig dekning på hytta", "nb", "network"),
        ("banking", "Netbanken virker ikke", "da", "online_banking"),
        ("utilities", "Strömavbrott hela natten", "sv", "outages"),
        ("software", "The app crashes every time I export", "en", "bugs_performance"),
    ],
)
def test_template_terms_match_inflected_forms(template, text, language, theme):
    tags = cx.tag_themes([text], themes=cx.theme_set({"template": template}), language=[language])
    assert bool(tags.loc[0, theme]), (template, text, theme)


def test_a_weak_term_alone_claims_nothing():
    retail = cx.theme_set({"template": "retail"})
    texts = [
        "It arrived on Tuesday and I love it",  # "arrived" only: weak, not delivery
        "I shop at this store every week",  # no staff term at all (shop/store are not staff words)
        "Charging it takes an hour",  # not billing (retail has none), and not price
        "It arrived late, two days after the date promised",  # two weak delivery terms: claimed
        "The parcel arrived",  # a strong term: claimed
    ]
    tags = cx.tag_themes(texts, themes=retail, language=["en"] * 5)
    assert tags.loc[0].sum() == 0
    assert tags.loc[1].sum() == 0
    assert tags.loc[2].sum() == 0
    assert tags.loc[3, "delivery"] and tags.loc[4, "delivery"]
    telecom = cx.theme_set({"template": "telecom"})
    charge = cx.tag_themes(["Battery charge lasts a day", "They charged me twice for one payment"], themes=telecom)
    assert not charge.loc[0, "billing"]  # "charge" is weak: a phone's charge is not a bill
    assert charge.loc[1, "billing"]  # "charged twice" is a phrase of its own; "payment" a second term


@pytest.mark.parametrize(
    "text, language, theme, claimed",
    [
        # Norwegian, the senses that made NoReC's matches wrong (benchmarks/results/themes_judgments.csv);
        # each verdict is the sentence's meaning, read by hand
        ("Han lever et stille liv på landet", "nb", "delivery", False),  # "lever" (lives) shares "levert"'s stem
        ("Skuespillerne leverer en sterk prestasjon", "nb", "delivery", False),  # "leverer" (performs): weak alone
        ("Pakken ble levert etter to dager", "nb", "delivery", True),  # two weak delivery terms
        ("Leveringen tok over en uke", "nb", "delivery", True),
        ("Han ble byttet ut etter 70 minutter", "nb", "returns", False),  # "byttet ut" (substituted): weak
        ("Jeg byttet varen uten problemer", "nb", "returns", True),
        ("Vi setter stor pris på rask levering", "nb", "price", False),  # "setter pris på": appreciates
        ("Vi setter stor pris på rask levering", "nb", "delivery", True),
        ("Prisen var altfor høy", "nb", "price", True),
        ("Filmen vant prisbelønte kritikerpriser", "nb", "price", False),  # no price form or price compound
        ("Bilen er rask og stille", "nb", "price", False),  # "billig" stems to "bil" (car): matched as written
        ("Vi koste oss hele kvelden", "nb", "price", False),  # "koste" (enjoyed) shares "koster"'s stem
        ("Den koster 300 kroner", "nb", "price", True),
        ("Det er ingen grunn til å klage", "nb", "support", False),  # "klage": weak
        ("Han var svart i ansiktet", "nb", "support", False),  # "svart" (black) is no answer
        ("Hun selger bilen sin", "nb", "staff", False),  # "selger" (sells): weak
        ("Selgeren var svært hjelpsom", "nb", "staff", True),
        ("Han ble hardt skadet i ulykken", "nb", "product_quality", False),  # "skadet" (injured): weak
        ("Den gikk i stykker etter en uke", "nb", "product_quality", True),
        # Danish and Swedish, the same senses
        ("Intet at klage over", "da", "support", False),
        ("Vi sætter stor pris på jer", "da", "price", False),
        ("De leverer hurtigt og præcist", "da", "delivery", True),
        ("Varen blev leveret til tiden", "da", "delivery", True),
        ("Smidigt byte av container", "sv", "returns", False),  # "byte" (change, swap): weak
        ("Vi sätter stort pris på er", "sv", "price", False),
    ],
)
def test_ambiguous_nordic_words_do_not_claim_a_theme_alone(text, language, theme, claimed):
    tags = cx.tag_themes([text], themes=cx.theme_set({"template": "retail"}), language=[language])
    assert bool(tags.loc[0, theme]) is claimed, (text, theme)


def test_exact_forms_and_exclusions_by_hand():
    terms = {"price": {"nb": ["=pris", "=prisen", "!set* * pris på"]}, "delivery": {"nb": ["=levert"]}}
    themes = cx.ThemeSet("custom", terms, "two hand-made themes")
    texts = [
        "Pris og levert",
        "Prisene",
        "Setter pris på prisen",
        "Setter pris på",
        "Leverte",
        "Vi setter ikke pris på",
    ]
    tags = cx.tag_themes(texts, themes=themes, language=["nb"] * 6)
    # "=pris" is that form only ("prisene" is not it); "setter pris på" is blanked out, "prisen" after it stays;
    # "*" in an exclusion is one word or none ("setter ikke pris på")
    assert tags["price"].tolist() == [True, False, True, False, False, False]
    assert tags["delivery"].tolist() == [True, False, False, False, False, False]


def test_english_terms_are_weak_in_a_nordic_text():
    utilities = cx.theme_set({"template": "utilities"})
    software = cx.theme_set({"template": "software"})
    texts = ["Han skjøt fra 16 meter", "The meter was read wrong", "Med Bill Murray i hovedrollen"]
    tags = cx.tag_themes(texts, themes=utilities, language=["nb", "en", "nb"])
    # Norwegian "meter" (metres) is not the English "meter"; in an English text it is
    assert tags["meter"].tolist() == [False, True, False]
    assert not tags.loc[2, "billing"]  # "Bill" (a name): one English word, weak in a Norwegian text
    # two English words of the theme together still claim it: "bugs" and "glitches" in a game review
    both = cx.tag_themes(["Jeg opplevde mange bugs og glitches"], themes=software, language=["nb"])
    assert both.loc[0, "bugs_performance"]


def test_one_word_is_not_two_weak_terms():
    retail = cx.theme_set({"template": "retail"})
    # "solide" is matched by English "~solid" (its stem) and Norwegian "~=solide": one word, one piece of evidence
    tags = cx.tag_themes(["Solide skuespillere", "Solide materialer"], themes=retail, language=["nb", "nb"])
    assert tags["product_quality"].tolist() == [False, True]  # the second has "materialer" as well


def test_a_text_gets_its_own_languages_terms_and_english():
    travel = cx.theme_set({"template": "travel"})
    # Danish "mad" (food) must not tag an English text; it does tag a Danish one
    tags = cx.tag_themes(["I was mad about it", "Maden var kold"], themes=travel, language=["en", "da"])
    assert not tags.loc[0, "food"] and tags.loc[1, "food"]


def test_add_and_drop_edit_the_template():
    ts = cx.theme_set(
        {"template": "travel", "add": {"lounge": {"en": ["lounge"]}, "baggage": ["trolley"]}, "drop": ["food"]}
    )
    assert "lounge" in ts.names and "food" not in ts.names
    assert "trolley" in ts.themes["baggage"]["sv"]  # a plain list is added to every language
    tags = cx.tag_themes(["The lounge was packed", "Lost my trolley"], themes=ts)
    assert tags.loc[0, "lounge"] and tags.loc[1, "baggage"]
    assert "added or extended by the catalog: lounge, baggage" in ts.note()


def test_generic_list_is_unchanged_and_said_to_be_generic():
    ts = cx.theme_set()
    assert ts.generic and ts.names == list(cx.THEMES)
    assert "generic list" in ts.note() and "template" in ts.note()
    texts = pd.Series(["Levering tog 9 dage", "The app crashes", "I shop at the store"])
    pd.testing.assert_frame_equal(cx.tag_themes(texts, themes=ts), cx.tag_themes(texts))


def _catalog(tmp_path, project_dir, section: str):
    text = (
        (project_dir / "data" / "cxkit.yaml")
        .read_text()
        .replace("path: sample/", f"path: {project_dir / 'data' / 'sample'}/")
    )
    path = tmp_path / "cxkit.yaml"
    path.write_text(text + section)
    return path


@pytest.mark.parametrize(
    "section, message",
    [
        ("themes:\n  template: travl\n", "themes: template 'travl' is not a template (did you mean 'travel'?)"),
        ("themes:\n  templat: travel\n", "unknown key(s) 'templat' (did you mean 'template'?)"),
        (
            "themes:\n  template: travel\n  drop: [meals]\n",
            "drop names theme(s) ['meals'] that template 'travel' does not have",
        ),
        ("themes:\n  add: {lounge: {fr: [salon]}}\n", "themes: add: lounge: 'fr' is not a language of the themes"),
        ("themes:\n  add: {lounge: lounge}\n", "themes: add: lounge must map languages"),
        ("themes:\n  add: {lounge: {en: ['~']}}\n", "'~' is not a term"),
        ("themes:\n  add: {lounge: {en: ['!=']}}\n", "'!=' is not a term"),
        ("themes: travel\n", "themes must be a mapping like {template: travel"),
    ],
)
def test_catalog_errors_name_the_key_and_the_fix(tmp_path, project_dir, section, message):
    with pytest.raises(CatalogError) as caught:
        cx.load_catalog(_catalog(tmp_path, project_dir, section))
    assert message in str(caught.value)
    assert "cxkit.yaml" in str(caught.value)


def test_catalog_keeps_the_checked_section(tmp_path, project_dir):
    catalog = cx.load_catalog(_catalog(tmp_path, project_dir, "themes:\n  template: retail\n  drop: [availability]\n"))
    assert catalog.themes == {"template": "retail", "add": {}, "drop": ["availability"]}
    assert cx.load_catalog(project_dir / "data" / "cxkit.yaml").themes is None
    with pytest.raises(CatalogError, match="drop names theme"):
        cx.theme_set({"drop": ["nonsense"]})


# --------------------------------------------------------------------------- impact, against hand computation


def _impact_frame():
    rng = np.random.default_rng(7)
    n = 400
    theme = rng.random(n) < 0.3
    nps = np.where(
        theme, rng.choice(np.arange(11), n, p=[0.1] * 5 + [0.05] * 4 + [0.1, 0.2 - 0.0]), rng.integers(0, 11, n)
    )
    csat = rng.integers(1, 6, n)
    other = rng.random(n) < 0.2
    return pd.DataFrame({"nps": nps, "csat": csat, "billing": theme, "app": other})


def test_impact_detractor_share_by_hand():
    df = _impact_frame()
    out = cx.theme_impact(df, themes=["billing", "app"])
    row = out[(out["theme"] == "billing") & (out["metric"] == "detractor_share")].iloc[0]
    with_, without = df[df["billing"]], df[~df["billing"]]
    x1, n1 = int((with_["nps"] <= 6).sum()), len(with_)
    x2, n2 = int((without["nps"] <= 6).sum()), len(without)
    assert row["value_with"] == pytest.approx(x1 / n1) and row["value_without"] == pytest.approx(x2 / n2)
    # the pooled z-test is the chi-square test of the 2x2 table without continuity correction
    chi2 = stats.chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False)
    assert row["p"] == pytest.approx(chi2.pvalue, rel=1e-9)
    # Wilson interval by its formula (Newcombe 1998, eq. 3)
    z = stats.norm.ppf(0.975)
    p = x1 / n1
    centre = (p + z * z / (2 * n1)) / (1 + z * z / n1)
    half = z * math.sqrt(p * (1 - p) / n1 + z * z / (4 * n1 * n1)) / (1 + z * z / n1)
    assert row["ci_low_with"] == pytest.approx(centre - half) and row["ci_high_with"] == pytest.approx(centre + half)


def test_impact_nps_matches_compare_nps_and_holm_over_the_table():
    df = _impact_frame()
    out = cx.theme_impact(df, themes=["billing", "app"])
    assert list(out["theme"]) == ["billing", "billing", "app", "app"]
    side = df.assign(side=np.where(df["billing"], "with", "without"))
    ref = cx.compare_nps(side, by="side", against="without", padjust="none").iloc[0]
    row = out[(out["theme"] == "billing") & (out["metric"] == "nps")].iloc[0]
    promoters = (df.loc[df["billing"], "nps"] >= 9).mean()
    detractors = (df.loc[df["billing"], "nps"] <= 6).mean()
    assert row["value_with"] == pytest.approx(100 * (promoters - detractors))  # NPS by hand
    assert row["p"] == pytest.approx(ref["p"]) and row["diff_ci_low"] == pytest.approx(ref["diff_ci_low"])
    # Holm by hand over the 4 rows
    order = np.argsort(out["p"].to_numpy())
    p_sorted = out["p"].to_numpy()[order]
    holm = np.maximum.accumulate(np.minimum(1, p_sorted * (4 - np.arange(4))))
    expected = np.empty(4)
    expected[order] = holm
    np.testing.assert_allclose(out["p_adjusted"], expected)


def test_impact_csat_mean_by_hand():
    df = _impact_frame()
    out = cx.theme_impact(df, "csat", themes=["billing"])
    row = out[out["metric"] == "mean"].iloc[0]
    a, b = df.loc[df["billing"], "csat"], df.loc[~df["billing"], "csat"]
    assert row["value_with"] == pytest.approx(a.mean()) and row["diff"] == pytest.approx(a.mean() - b.mean())
    assert row["p"] == pytest.approx(stats.ttest_ind(a, b, equal_var=False).pvalue, rel=1e-6)


def test_theme_trend_by_hand():
    df = pd.DataFrame(
        {
            "at": pd.to_datetime(["2026-09-10"] * 200 + ["2026-10-10"] * 150),
            "app": [True] * 10 + [False] * 190 + [True] * 30 + [False] * 120,
            "price": [True] * 40 + [False] * 160 + [True] * 30 + [False] * 120,
        }
    )
    out = cx.theme_trend(df, themes=["app", "price"], month="2026-10", date="at").set_index("theme")
    chi2 = stats.chi2_contingency([[30, 120], [10, 190]], correction=False)
    assert out.loc["app", "p"] == pytest.approx(chi2.pvalue)
    assert out.loc["app", "p_adjusted"] == pytest.approx(min(1, 2 * chi2.pvalue))  # Holm: the smaller p times 2
    assert bool(out.loc["app", "emerging"]) and not bool(out.loc["price", "emerging"])
    assert out.loc["price", "change"] == pytest.approx(0.0)


def test_theme_sentiment_masks_verbatims():
    df = pd.DataFrame(
        {
            "label": ["negative", "negative", "positive"],
            "billing": [True, True, True],
            "text": ["Call me on +45 12 34 56 78 about the bill", "<b>bill</b> wrong", "fine bill"],
        }
    )
    out = cx.theme_sentiment(df, themes=["billing"], text="text")
    neg = out[out["label"] == "negative"].iloc[0]
    assert neg["n"] == 2 and neg["share"] == pytest.approx(2 / 3)
    assert "12 34 56 78" not in neg["examples"][0]
