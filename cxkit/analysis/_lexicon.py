"""Sentiment lexicons and rules per language, assembled once from installed packages and data files.

Sources (see ``cxkit/analysis/lexicons/README.md`` for licences):

- English: VADER's lexicon (vaderSentiment package, MIT) and its negation and booster lists;
  AFINN-165 (afinn package, ODbL) for words VADER lacks, scaled to VADER's range.
- Danish: AFINN-da-32 (afinn package, ODbL), scaled.
- Norwegian: asent's Norwegian lexicon (MIT, copied into ``lexicons/nb_asent.tsv``), scaled;
  Nynorsk uses it plus Nynorsk forms.
- Swedish: asent's Swedish lexicon (MIT, ``lexicons/sv_asent.tsv``).
- All: ``lexicons/rules.tsv`` (cxkit's own review words and phrases, negators, boosters,
  contrast words, compound prefixes) and ``lexicons/emoji.tsv``, which take precedence.

Inflected forms are found through a Snowball stemmer (snowballstemmer package, BSD): a word not
in the lexicon is looked up by its stem among the lexicon's stems. Danish and Swedish words the
lexicon knows in no form also get a valence from word formation (``Lexicon._morphology``): a
negating prefix on a positive word ("uvenlig", "ohjälpsam") or a privative suffix
("problemfri"), and Danish -ede participles read as their -et form ("skuffede").

Stemming every lexicon word is most of the cost of assembling a lexicon (pure-Python Snowball),
so the stems of the lexicon words ship precomputed in ``lexicons/stems_<algorithm>.tsv``, like a
lock file: a table is used only when it was written by the installed snowballstemmer version,
and a word it lacks is stemmed as before, so scores never depend on the tables, only start-up
time does. ``python cxkit/analysis/lexicons/build.py stems`` rewrites them; a test fails when they are out
of date.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.util
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ._text import TOKEN_RE

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
LANGUAGES = ("en", "da", "nb", "nn", "sv")
_STEMMERS = {"en": "english", "da": "danish", "nb": "norwegian", "nn": "norwegian", "sv": "swedish"}
# Snowball algorithms whose stem is always a prefix of the word (English's is not: "happy" -> "happi")
_SUFFIX_STRIPPING = frozenset({"danish", "norwegian", "swedish"})
# AFINN and asent's Norwegian list use -5..5; VADER's scale is -4..4.
_AFINN_SCALE = 0.75
_DEGREE_ENDINGS = ("este", "aste", "ere", "are", "ste", "est", "ast", "st")
# Danish past participles used as adjectives take -ede in the plural and definite form
# ("skuffet" -> "skuffede", "forsinket" -> "forsinkede"), which Snowball stems apart.
_ALTERNATE_ENDINGS = {"da": (("ede", "et"),)}


# Languages whose function words are neutral (spaCy's stop-word lists, in lexicons/langid_other.tsv):
# chosen on the dev parts of the Danish and Swedish Trustpilot sets (3-class macro-F1 on 4,000
# dev reviews each: da 0.534 -> 0.545, sv 0.519 -> 0.524); English keeps VADER's own choices and
# Norwegian its NoReC model's inputs.
_NEUTRAL_FUNCTION_WORDS = frozenset({"da", "sv"})


@cache
def function_words(language: str) -> frozenset[str]:
    """The function words of a scored language (kind ``scored`` in ``lexicons/langid_other.tsv``)."""
    out = set()
    with open(LEXICON_DIR / "langid_other.tsv", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        for word, kind, languages in reader:
            if kind == "scored" and language in languages.split(","):
                out.add(word)
    return frozenset(out)


def _snowball_version() -> str:
    try:
        return importlib.metadata.version("snowballstemmer")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - vendored copies
        return "unknown"


def stem_table_path(algorithm: str) -> Path:
    return LEXICON_DIR / f"stems_{algorithm}.tsv"


@cache
def stem_table(algorithm: str) -> dict[str, str]:
    """The shipped word -> stem table of a Snowball ``algorithm``; empty when it is missing or
    was written by another snowballstemmer version (its first line names the version)."""
    path = stem_table_path(algorithm)
    try:
        with open(path, encoding="utf-8") as handle:
            first = handle.readline().strip()
            if first != f"# snowballstemmer {_snowball_version()}":
                return {}
            handle.readline()  # header
            return dict(line.rstrip("\n").split("\t", 1) for line in handle)
    except (OSError, ValueError):
        return {}


def words_to_stem(words: dict[str, float]) -> list[str]:
    """The lexicon words whose stems the lexicon needs (alphabetic, 3+ letters, non-zero)."""
    return [w for w, v in words.items() if w.isalpha() and len(w) >= 3 and v]


@dataclass
class Lexicon:
    """Everything the scorer needs for one language."""

    language: str
    words: dict[str, float]
    phrases: dict[tuple[str, ...], float]
    negators: frozenset[str]
    boosters: dict[str, float]
    contrast: frozenset[str]
    prefixes: dict[str, float]
    irrealis: frozenset[str] = frozenset()
    negation_prefixes: dict[str, float] = field(default_factory=dict)
    suffixes: dict[str, float] = field(default_factory=dict)
    # "too" markers (tokens -> valence), the scalar words they turn into complaints, and sarcasm
    # cues (tokens -> valence beside a complaint); see the issue-25 block of rules.tsv
    excess: dict[tuple[str, ...], float] = field(default_factory=dict)
    scalars: frozenset[str] = frozenset()
    sarcasm: dict[tuple[str, ...], float] = field(default_factory=dict)
    alternate_endings: tuple[tuple[str, str], ...] = ()
    stems: dict[str, float] = field(default_factory=dict)
    stem_min_len: dict[str, int] = field(default_factory=dict)
    use_stems: bool = True
    stems_are_prefixes: bool = False  # True for the Nordic stemmers (see _may_have_stem)
    _stemmer: Any = None  # a snowballstemmer stemmer (the package ships no types)
    _cache: dict[str, float] = field(default_factory=dict)
    _stem_cache: dict[str, str] = field(default_factory=dict)
    _stem_heads: frozenset[str] = frozenset()  # the first 3 letters of every stem

    def __post_init__(self) -> None:
        self._stem_heads = frozenset(s[:3] for s in self.stems)
        if any(len(s) < 3 for s in self.stems):  # a user's word stemmed short ("igst" -> "ig")
            self.stems_are_prefixes = False

    def stem(self, word: str) -> str:
        # Snowball stemming is pure Python and the same words recur in every text and every
        # cross-validation fold: stem each distinct word once.
        hit = self._stem_cache.get(word)
        if hit is None:
            hit = self._stem_cache[word] = self._stemmer.stemWord(word)
        return hit

    def _may_have_stem(self, word: str) -> bool:
        """False when no lexicon stem can be ``word``'s stem, so stemming it can be skipped.

        Snowball's Danish, Norwegian and Swedish stemmers only cut endings (their few
        replacements, "løst" -> "løs", "erte" -> "er", "fullt" -> "full", shorten the ending
        too; ``tests/test_sentiment_speed.py`` checks every word of real reviews), so a stem
        is a prefix of its word: a word none of whose prefixes of 3+ letters is a lexicon stem
        has no stem valence. Pure-Python stemming was most of the time of scoring a new
        batch of long reviews; most of their words share no prefix with a lexicon stem."""
        if not self.stems_are_prefixes:
            return True
        if word[:3] not in self._stem_heads:
            return False
        stems = self.stems
        return any(word[:k] in stems for k in range(3, len(word) + 1))

    def _stem_valence(self, word: str) -> float:
        if not self._may_have_stem(word):
            return 0.0
        stem = self.stem(word)
        # an inflection of a lexicon word, not a shorter word that shares its stem
        # ("jobb" is not "jobbig", "heller" is not "helvede")
        if len(stem) >= 3 and len(word) + 1 >= self.stem_min_len.get(stem, 99):
            return self.stems.get(stem, 0.0)
        return 0.0

    def _simple_valence(self, word: str) -> float:
        """Valence of a word as written, of its stem, or of its comparative's base; 0 if unknown."""
        value = self.words.get(word)
        if value is not None:
            return value
        if not (self.use_stems and len(word) >= 4 and word.isalpha()):
            return 0.0
        value = self._stem_valence(word)
        if not value:
            # comparative and superlative forms: dårligste, billigere, trevligaste
            for ending in _DEGREE_ENDINGS:
                if word.endswith(ending) and len(word) - len(ending) >= 3:
                    base = word[: -len(ending)]
                    value = self.words.get(base) or self._stem_valence(base)
                    if value:
                        break
        if not value:
            for ending, replacement in self.alternate_endings:
                if word.endswith(ending) and len(word) - len(ending) >= 3:
                    value = self.words.get(word[: -len(ending)] + replacement, 0.0)
                    if value:
                        break
        return value

    def _morphology(self, word: str) -> float:
        """Valence from word formation, for words the lexicon does not know in any form: a
        negating prefix on a positive word ("uvenlig", "ohjälpsam": the negative of the base)
        or a privative suffix ("problemfri": the base's sign turned).

        Not the head of a compound: taking the valence of the longest known word a word ends
        with ("leveringsproblemer" as "problemer") also read "engelske" as "elske", "mardrömmar"
        as "drömmar" and "kontroll" as "troll" among the 12,000 most frequent Danish and Swedish
        words, so it was left out."""
        for prefix, factor in self.negation_prefixes.items():
            rest = word[len(prefix) :].lstrip("-")
            # a positive base only: "u" + a negative word is as often no negation at all
            # ("udover", "uventet") as the positive it would make ("uskyldig")
            if word.startswith(prefix) and len(rest) >= 4:
                base = self._simple_valence(rest)
                if base > 0:
                    return base * factor
        for suffix, factor in self.suffixes.items():
            head = word[: -len(suffix)].rstrip("-")
            if word.endswith(suffix) and len(head) >= 3:
                base = self._simple_valence(head) or (self._simple_valence(head[:-1]) if head[-1] in "se" else 0.0)
                if base:
                    return base * factor
        return 0.0

    def valence(self, word: str) -> float:
        """Valence of a lower-cased word: exact, then compound prefix, then stem, then word
        formation (:meth:`_morphology`); 0 if unknown."""
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        value = self.words.get(word)
        if value is None:
            value = 0.0
            for prefix, factor in self.prefixes.items():
                rest = word[len(prefix) :].lstrip("-")
                if word.startswith(prefix) and len(rest) >= 3:
                    base = self.words.get(rest)
                    if base is None and len(rest) >= 4 and self._may_have_stem(rest):
                        base = self.stems.get(self.stem(rest))
                    if base:
                        value = base * factor
                        break
            if not value:
                value = self._simple_valence(word)
            if not value and word.isalpha():
                value = self._morphology(word)
        if len(self._cache) < 1_000_000:
            self._cache[word] = value
        return value


def _package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ImportError(f"cxkit's sentiment lexicons need the {package!r} package: pip install {package}")
    return Path(spec.origin).parent.joinpath(*parts)


def _read_vader() -> dict[str, float]:
    out = {}
    with open(_package_file("vaderSentiment", "vader_lexicon.txt"), encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                out[parts[0].lower()] = float(parts[1])
    return out


def _read_afinn(name: str) -> dict[str, float]:
    out = {}
    with open(_package_file("afinn", "data", name), encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2:
                out[parts[0].lower()] = float(parts[1]) * _AFINN_SCALE
    return out


def _read_tsv(name: str, scale: float = 1.0) -> dict[str, float]:
    out = {}
    with open(LEXICON_DIR / name, encoding="utf-8", newline="") as handle:
        rows = (line for line in handle if not line.startswith("#"))
        reader = csv.reader(rows, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for row in reader:
            if len(row) >= 2 and row[0]:
                out[row[0].lower()] = float(row[1]) * scale
    return out


@lru_cache(maxsize=1)
def _rules() -> list[tuple[str, str, str, float]]:
    out = []
    with open(LEXICON_DIR / "rules.tsv", encoding="utf-8", newline="") as handle:
        rows = (line for line in handle if not line.startswith("#"))
        reader = csv.reader(rows, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for row in reader:
            if len(row) == 4:
                out.append((row[0], row[1], row[2].lower(), float(row[3])))
    return out


def _tokens(entry: str) -> tuple[str, ...]:
    return tuple(t.lower().replace("’", "'") for t in TOKEN_RE.findall(entry))


def _base_words(language: str) -> dict[str, float]:
    if language == "en":
        words = _read_afinn("AFINN-en-165.txt")
        words.update(_read_vader())
        return words
    if language == "da":
        return _read_afinn("AFINN-da-32.txt")
    if language in ("nb", "nn"):
        return _read_tsv("nb_asent.tsv", _AFINN_SCALE)
    if language == "sv":
        return _read_tsv("sv_asent.tsv")
    raise ValueError(f"no lexicon for language {language!r}; supported: {', '.join(LANGUAGES)}")


def lexicon(language: str, extra: tuple[tuple[str, float], ...] = ()) -> Lexicon:
    """The assembled lexicon of ``language`` (cached); ``extra`` adds (word or phrase, valence)."""
    # one cache key however it is called: lexicon("en") and lexicon("en", ()) are the same
    return _build_lexicon(language, tuple(extra))


@cache
def _build_lexicon(language: str, extra: tuple[tuple[str, float], ...]) -> Lexicon:
    """:func:`lexicon`, built (``lexicon.cache_clear()`` empties the cache)."""
    import snowballstemmer

    entries = _base_words(language)
    entries.update(_read_tsv("emoji.tsv"))
    negators: set[str] = set()
    boosters: dict[str, float] = {}
    contrast: set[str] = set()
    prefixes: dict[str, float] = {}
    irrealis: set[str] = set()
    negation_prefixes: dict[str, float] = {}
    suffixes: dict[str, float] = {}
    excess: dict[tuple[str, ...], float] = {}
    scalars: set[str] = set()
    sarcasm: dict[tuple[str, ...], float] = {}
    # Nynorsk shares Bokmål's rules and adds its own forms
    applies = {"*", language} | ({"nb"} if language == "nn" else set())
    own: dict[str, float] = {}
    for lang, kind, entry, value in _rules():
        if lang not in applies:
            continue
        if kind in ("word", "phrase"):
            own[entry] = value
        elif kind == "negator":
            negators.add(entry)
        elif kind == "booster":
            boosters[entry] = value
        elif kind == "contrast":
            contrast.add(entry)
        elif kind == "prefix":
            prefixes[entry] = value
        elif kind == "irrealis":
            irrealis.add(entry)
        elif kind == "negprefix":
            negation_prefixes[entry] = value
        elif kind == "suffix":
            suffixes[entry] = value
        elif kind == "excess":
            excess[_tokens(entry)] = value
        elif kind == "scalar":
            scalars.add(entry)
        elif kind == "sarcasm":
            sarcasm[_tokens(entry)] = value
    if language == "en":
        from vaderSentiment import vaderSentiment as vader

        negators |= {w.lower() for w in vader.NEGATE if " " not in w}
        for w, v in vader.BOOSTER_DICT.items():
            if " " not in w:
                boosters.setdefault(w.lower(), v)
    if language in _NEUTRAL_FUNCTION_WORDS:
        # function words ("være", "fik", "kommer", "lika") carry no tone, whatever a lexicon or a
        # stem shared with a toned word ("været" as "værre") says: 0 as written, so no stem is tried
        for word in function_words(language):
            entries[word] = 0.0
    entries.update(own)
    entries.update(dict(extra))
    words: dict[str, float] = {}
    phrases: dict[tuple[str, ...], float] = {}
    for entry, value in entries.items():
        toks = _tokens(entry)
        if len(toks) == 1 and toks[0] == entry.replace("’", "'"):
            words[toks[0]] = value
        elif len(toks) > 1 and " " in entry:
            phrases[toks] = value
        # other entries (emoticons such as "=q" that our tokeniser splits) cannot match
    stemmer = snowballstemmer.stemmer(_STEMMERS[language])
    shipped = stem_table(_STEMMERS[language])
    # words a stale table lacks are stemmed here; the cache serves the scorer and calibration
    stem_cache = {w: shipped.get(w) or stemmer.stemWord(w) for w in words_to_stem(words)}
    by_stem: dict[str, list[float]] = {}
    stem_min_len: dict[str, int] = {}
    for w, v in words.items():
        if w.isalpha() and len(w) >= 3 and v:
            st = stem_cache[w]
            by_stem.setdefault(st, []).append(v)
            stem_min_len[st] = min(stem_min_len.get(st, 99), len(w))
    stems = {}
    for s, values in by_stem.items():
        # a stem whose words disagree in sign says nothing reliable
        if all(v > 0 for v in values) or all(v < 0 for v in values):
            stems[s] = sum(values) / len(values)
    return Lexicon(
        language=language,
        words=words,
        phrases=phrases,
        negators=frozenset(negators),
        boosters=boosters,
        contrast=frozenset(contrast),
        prefixes=dict(sorted(prefixes.items(), key=lambda kv: -len(kv[0]))),
        irrealis=frozenset(irrealis),
        negation_prefixes=dict(sorted(negation_prefixes.items(), key=lambda kv: -len(kv[0]))),
        suffixes=dict(sorted(suffixes.items(), key=lambda kv: -len(kv[0]))),
        excess=excess,
        scalars=frozenset(scalars),
        sarcasm=sarcasm,
        alternate_endings=_ALTERNATE_ENDINGS.get(language, ()),
        stems=stems,
        stem_min_len=stem_min_len,
        # VADER's English lexicon lists inflected forms itself, and English stems conflate
        # words of opposite tone ("wonder"/"wonderful"); stems serve the Nordic languages.
        use_stems=language != "en",
        stems_are_prefixes=_STEMMERS[language] in _SUFFIX_STRIPPING,
        _stemmer=stemmer,
        _stem_cache=stem_cache,
    )


lexicon.cache_clear = lambda: _build_lexicon.cache_clear()  # type: ignore[attr-defined]
lexicon.cache_info = lambda: _build_lexicon.cache_info()  # type: ignore[attr-defined]
