"""cxkit/analysis/_lexicon.py: the shipped stem tables (a lock file for start-up time, never for scores)."""

from __future__ import annotations

import pytest
import snowballstemmer

from cxkit.analysis import _lexicon

ALGORITHMS = sorted(set(_lexicon._STEMMERS.values()))
REBUILD = "python cxkit/analysis/lexicons/build.py stems"


@pytest.fixture
def fresh_lexicons():
    """Assemble lexicons anew inside the test, and leave no test-made lexicon cached behind."""
    _lexicon.lexicon.cache_clear()
    _lexicon.stem_table.cache_clear()
    yield
    _lexicon.lexicon.cache_clear()
    _lexicon.stem_table.cache_clear()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_stem_tables_are_in_sync_with_the_lexicon_sources(algorithm):
    # like a lock file: every lexicon word's stem, from the installed snowballstemmer
    path = _lexicon.stem_table_path(algorithm)
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"# snowballstemmer {_lexicon._snowball_version()}", f"{path.name} is stale: run {REBUILD}"
    table = _lexicon.stem_table(algorithm)
    needed = set()
    for lang, algo in _lexicon._STEMMERS.items():
        if algo == algorithm:
            needed |= set(_lexicon.words_to_stem(_lexicon.lexicon(lang).words))
    assert needed == set(table), f"{path.name} does not list the lexicon's words: run {REBUILD}"
    stemmer = snowballstemmer.stemmer(algorithm)
    wrong = [w for w, s in table.items() if stemmer.stemWord(w) != s]
    assert not wrong, f"{path.name} has stems the stemmer does not give ({wrong[:5]}): run {REBUILD}"


@pytest.mark.parametrize("language", _lexicon.LANGUAGES)
def test_tables_change_no_lexicon(language, fresh_lexicons, monkeypatch):
    shipped = _lexicon.lexicon(language)
    _lexicon.lexicon.cache_clear()
    monkeypatch.setattr(_lexicon, "stem_table", lambda algorithm: {})
    built = _lexicon.lexicon(language)
    assert built is not shipped
    for name in (
        "words",
        "phrases",
        "negators",
        "boosters",
        "contrast",
        "prefixes",
        "irrealis",
        "stems",
        "stem_min_len",
        "_stem_cache",
    ):
        assert getattr(built, name) == getattr(shipped, name), name


def test_a_table_from_another_stemmer_version_is_ignored(tmp_path, fresh_lexicons, monkeypatch):
    stale = tmp_path / "stems_english.tsv"
    stale.write_text("# snowballstemmer 0.0.1\nword\tstem\ngood\tWRONG\n", encoding="utf-8")
    monkeypatch.setattr(_lexicon, "stem_table_path", lambda algorithm: stale)
    assert _lexicon.stem_table("english") == {}
    assert _lexicon.lexicon("en").stem("good") == "good"


def test_words_missing_from_a_table_are_stemmed(fresh_lexicons, monkeypatch):
    real = _lexicon.stem_table("danish")
    partial = dict(list(real.items())[: len(real) // 2])
    monkeypatch.setattr(_lexicon, "stem_table", lambda algorithm: partial)
    lex = _lexicon.lexicon("da")
    assert lex._stem_cache == real


def test_a_lexicon_is_built_once_however_it_is_asked_for():
    # lexicon("en") and lexicon("en", ()) were two cache entries: every language was built
    # twice in a report (the scorer passes the extra entries, the calibration does not)
    _lexicon.lexicon.cache_clear()
    assert _lexicon.lexicon("da") is _lexicon.lexicon("da", ()) is _lexicon.lexicon("da", extra=())
    assert _lexicon.lexicon.cache_info().misses == 1
