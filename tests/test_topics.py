"""Topic discovery (issue 26): deterministic under a seed, and it finds a topic planted in a corpus."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cxkit as cx

# Filler topics and one planted topic, in short generated sentences (written for this test).
_FILLER = {
    "music": ["music", "song", "playlist", "spotify", "radio", "album"],
    "weather": ["weather", "forecast", "rain", "temperature", "sunny", "tomorrow"],
    "timer": ["timer", "alarm", "kitchen", "cooking", "minutes", "reminder"],
    "lights": ["lights", "lamp", "bulb", "bedroom", "switch", "dimmer"],
}
_PLANTED = ["parking", "garage", "spaces", "ticket", "barrier", "entrance"]
_GLUE = ["i", "use", "it", "for", "the", "and", "every", "day", "really", "works", "with", "my", "great"]


def _corpus(seed: int, n_per_topic: int = 120, n_planted: int = 40) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    texts, planted = [], []
    for words in [*_FILLER.values(), _PLANTED]:
        count = n_planted if words is _PLANTED else n_per_topic
        for _ in range(count):
            picked = list(rng.choice(words, 3, replace=False)) + list(rng.choice(_GLUE, 4))
            rng.shuffle(picked)
            texts.append(" ".join(picked))
            planted.append(words is _PLANTED)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], np.array(planted)[order]


def test_deterministic_under_a_seed():
    texts, _ = _corpus(1)
    a = cx.suggest_topics(texts, seed=3)
    b = cx.suggest_topics(texts, seed=3)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("seed", range(5))
def test_recovers_a_planted_topic(seed):
    texts, planted = _corpus(seed)
    topics = cx.suggest_topics(pd.Series(texts), seed=seed)
    # the planted words are equally likely, so any of them may lead: its top three terms are all planted ones
    hits = topics[topics["terms"].map(lambda terms: set(terms[:3]) <= set(_PLANTED))]
    assert len(hits) == 1, topics[["terms", "size"]]
    # the planted topic is found whole and nearly pure
    assert abs(int(hits["size"].iloc[0]) - int(planted.sum())) <= 4
    for example in hits["examples"].iloc[0]:
        assert any(w in example for w in _PLANTED)


def test_per_language_and_sentiment():
    texts, _ = _corpus(2, n_per_topic=40, n_planted=20)
    danish = [t.replace("the", "og") for t in texts[:60]]
    all_texts = texts + danish
    language = ["en"] * len(texts) + ["da"] * len(danish)
    scores = cx.sentiment(all_texts, language)
    topics = cx.suggest_topics(all_texts, language=language, sentiment=scores[["compound", "label"]])
    assert set(topics["language"]) == {"en", "da"}
    assert topics["mean_compound"].notna().all()
    assert list(topics["topic"]) == list(range(1, len(topics) + 1))


def test_discovery_shows_progress_only_when_on(monkeypatch, capsys):
    """Issue 31 D4: a bar over three steps per language (100k comments take about ten seconds)."""
    from cxkit import progress

    monkeypatch.setattr(progress, "_tqdm_class", lambda: __import__("tqdm.std").std.tqdm)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    texts, _ = _corpus(4, n_per_topic=40, n_planted=20)
    language = ["en"] * (len(texts) - 40) + ["da"] * 40
    try:
        cx.set_progress(True)
        shown = cx.suggest_topics(texts, language=language, seed=1)
        err = capsys.readouterr().err
        assert "suggest_topics" in err and "/6 " in err  # three steps for each of two languages
        cx.set_progress(False)
        silent = cx.suggest_topics(texts, language=language, seed=1)
        assert capsys.readouterr().err == ""
    finally:
        cx.set_progress(None)
    pd.testing.assert_frame_equal(shown, silent)


def test_too_few_texts_give_an_empty_table():
    out = cx.suggest_topics(["one short text", "another"])
    assert out.empty and list(out.columns)[:3] == ["topic", "language", "terms"]


def test_examples_are_masked():
    texts, _ = _corpus(4)
    texts = [t + " mail me at someone@example.com" if "parking" in t else t for t in texts]
    topics = cx.suggest_topics(texts, seed=0)
    assert not any("someone@example.com" in e for examples in topics["examples"] for e in examples)
