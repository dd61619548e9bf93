"""Theme dictionary, tagging and the per-theme monthly summary."""

from __future__ import annotations

import pandas as pd
import pytest

import cxkit as cx


def test_every_theme_has_every_language():
    for theme, by_language in cx.THEMES.items():
        assert set(by_language) == {"en", "da", "nb", "nn", "sv"}, theme
        assert all(by_language.values()), theme
    assert set(cx.THEMES) == {"price", "delivery", "support", "quality", "usability", "billing", "app", "staff"}


@pytest.mark.parametrize(
    "text, theme",
    [
        ("Far too expensive for what it is", "price"),
        ("Prisen er alt for høj", "price"),
        ("Pakken kom aldri fram", "delivery"),
        ("Leveransen var försenad", "delivery"),
        ("Kundeservice svarede aldrig", "support"),
        ("Kundtjänst var hjälpsamma", "support"),
        ("Poor build quality, it broke after a week", "quality"),
        ("Oppsettet var forvirrende", "usability"),
        ("Jeg blev opkrævet to gange", "billing"),
        ("Fakturan var fel", "billing"),
        ("Appen krasjer hele tiden", "app"),
        ("The website keeps logging me out", "app"),
        ("Personalet var uhøflige", "staff"),
        ("De tilsette i butikken var hjelpsame", "staff"),
    ],
)
def test_tags(text, theme):
    tags = cx.tag_themes([text])
    assert bool(tags.loc[0, theme]), (text, theme)


def test_no_false_match_inside_words():
    # "app" must not match "happy", "bill" not "billion"; "pris*" matches "prisen"
    tags = cx.tag_themes(["I am happy with it, a billion thanks", "Prisen var fin"])
    assert not tags.loc[0].any()
    assert tags.loc[1, "price"]


def test_dictionary_extends_from_catalog_settings(tmp_path, project_dir):
    text = (
        (project_dir / "data" / "cxkit.yaml")
        .read_text()
        .replace(
            "\nsettings:\n",
            "\nsettings:\n  themes:\n    delivery: {en: [dhl]}\n    sustainability: {en: [recycl*], sv: [återvinn*]}\n",
        )
    )
    assert "recycl*" in text
    text = text.replace("path: sample/", f"path: {project_dir / 'data' / 'sample'}/")
    path = tmp_path / "cxkit.yaml"
    path.write_text(text)
    catalog = cx.load_catalog(path)
    dictionary = cx.theme_dictionary(catalog.settings)
    assert "dhl" in dictionary["delivery"]["en"] and "deliver*" in dictionary["delivery"]["en"]
    tags = cx.tag_themes(["DHL lost it", "Förpackningen går att återvinna"], themes=dictionary)
    assert tags["delivery"].tolist() == [True, False]
    assert tags["sustainability"].tolist() == [False, True]
    assert "price" not in cx.theme_dictionary({"themes": {"price": None}})
    with pytest.raises(ValueError, match="themes"):
        cx.theme_dictionary({"themes": ["price"]})


def test_sample_templates_tagged_with_their_theme(project_dir):
    reviews = pd.read_csv(project_dir / "data" / "sample" / "reviews.csv").drop_duplicates("review_id")
    templates = pd.read_csv(project_dir / "data" / "sample" / "truth" / "review_templates.csv")
    reviews = reviews.merge(templates, on="review_id")
    theme = reviews["template_id"].str.split(".").str[1]
    tags = cx.tag_themes(reviews["text"])
    for name in tags.columns:
        # every review written for a theme mentions it (recall 1 on the sample)
        assert tags.loc[theme == name, name].all(), name
    # delivery, support, quality, app and staff are not tagged on other templates' reviews
    for name in ["delivery", "support", "quality", "app", "staff"]:
        assert (theme[tags[name]] == name).all(), name


def test_theme_summary_by_hand():
    df = pd.DataFrame(
        {
            "published_at": pd.to_datetime(["2026-09-02"] * 4 + ["2026-10-03"] * 4),
            "compound": [0.5, -0.5, 0.5, 0.5, -0.6, -0.7, 0.4, 0.2],
            "label": ["positive", "negative", "positive", "positive", "negative", "negative", "positive", "positive"],
            "rating": [5, 2, 4, 5, 1, 1, 4, 5],
            "delivery": [False, True, False, False, True, True, False, False],
        }
    )
    out = cx.theme_summary(df, month="2026-10", themes=["delivery"]).iloc[0]
    assert out["n"] == 2 and out["share_negative"] == 1.0
    assert out["negative_rate"] == pytest.approx(2 / 4) and out["previous_rate"] == pytest.approx(1 / 4)
    # two-proportion z-test, pooled: p = 3/8
    import numpy as np
    from scipy import stats

    se = np.sqrt(3 / 8 * 5 / 8 * (1 / 4 + 1 / 4))
    assert out["p"] == pytest.approx(2 * stats.norm.sf(0.25 / se))
    assert out["rating_with"] == pytest.approx((2 + 1 + 1) / 3)
    # one theme: its adjusted rating p is its own; with two, Holm: min(1, 2 * the smaller) first
    assert out["rating_p_adjusted"] == pytest.approx(out["rating_p"])
    df["price"] = [True, False, False, True, False, True, True, False]
    two = cx.theme_summary(df, month="2026-10", themes=["delivery", "price"]).set_index("theme")
    raw = two["rating_p"].sort_values()
    assert two.loc[raw.index[0], "rating_p_adjusted"] == pytest.approx(min(1.0, 2 * raw.iloc[0]))
    assert two.loc[raw.index[1], "rating_p_adjusted"] == pytest.approx(max(min(1.0, 2 * raw.iloc[0]), raw.iloc[1]))


def test_template_tagging_shows_progress_only_when_on(monkeypatch, capsys):
    """Issue 31 D4: tagging 100k comments takes about 6 s; a bar over its two passes over the
    (distinct) texts, silent when progress is off, the same tags either way."""
    from cxkit import progress

    monkeypatch.setattr(progress, "_tqdm_class", lambda: __import__("tqdm.std").std.tqdm)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    texts = pd.Series([f"Parcel {i} arrived late and the price was too high" for i in range(300)])
    retail = cx.theme_set({"template": "retail"})
    try:
        cx.set_progress(True)
        shown = cx.tag_themes(texts, themes=retail, language=["en"] * len(texts))
        err = capsys.readouterr().err
        assert "tag_themes" in err and "/600 " in err  # two passes over 300 distinct texts
        cx.set_progress(False)
        silent = cx.tag_themes(texts, themes=retail, language=["en"] * len(texts))
        assert capsys.readouterr().err == ""
    finally:
        cx.set_progress(None)
    pd.testing.assert_frame_equal(shown, silent)
    assert shown["delivery"].all() and shown["price"].all()
