"""Regenerate the data files in this folder that are derived from other packages.

Run once by a maintainer (not at run time, and not imported by cxkit)::

    pip install asent==0.8.3 wordfreq==3.1.1
    python cxkit/analysis/lexicons/build.py

It writes ``nb_asent.tsv`` and ``sv_asent.tsv`` (asent's Norwegian and Swedish lexicons, MIT)
``langid_words.tsv`` (word frequencies from wordfreq, CC BY-SA 4.0) and ``nb_norec_model.tsv``
(the Norwegian model calibrated on the NoReC_sentence training split in ../shared/datasets;
NoReC is CC BY-NC 4.0 and its README allows commercial use of models trained on it).
See README.md.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGID_LANGUAGES = ("en", "da", "nb", "sv")
LANGID_TOP_N = 12000


def build_asent() -> None:
    import importlib.util

    spec = importlib.util.find_spec("asent")
    if spec is None or spec.origin is None:
        sys.exit("asent is not installed: pip install asent==0.8.3")
    folder = Path(spec.origin).parent / "lexicons"
    for source, target in (("no_lexicon_v1.txt", "nb_asent.tsv"), ("sv_lexicon_v1.txt", "sv_asent.tsv")):
        rows = {}
        for line in (folder / source).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2 and parts[0].strip():
                rows[parts[0].strip().lower()] = float(parts[1])
        with open(HERE / target, "w", encoding="utf-8", newline="") as out:
            out.write("word\tvalence\n")
            for word in sorted(rows):
                out.write(f"{word}\t{rows[word]:g}\n")


def build_langid() -> None:
    import wordfreq

    table: dict[str, dict[str, float]] = {}
    for lang in LANGID_LANGUAGES:
        for word in wordfreq.top_n_list(lang, LANGID_TOP_N, wordlist="best"):
            if not any(ch.isalpha() for ch in word):
                continue
            table.setdefault(word, {})[lang] = wordfreq.zipf_frequency(word, lang, wordlist="best")
    with open(HERE / "langid_words.tsv", "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(["word", *LANGID_LANGUAGES])
        for word in sorted(table):
            writer.writerow([word, *(f"{table[word][lang]:.2f}" if lang in table[word] else "" for lang in LANGID_LANGUAGES)])


# Languages cxkit does not score, whose function words mark a text as "other" (spaCy's stop-word
# lists, MIT); and the scored languages' own function words, which count against "other".
OTHER_LANGUAGES = tuple("de nl fi fr es pl it pt et is tr ro hu cs sk sl hr lt lv ca id af lb".split())
# a foreign function word this frequent in English, Danish, Norwegian or Swedish ("die", "war",
# "per", "la") is no evidence of another language
OTHER_MAX_NATIVE_ZIPF = 4.5


def build_langid_other() -> None:
    import importlib

    def stops(lang: str) -> set[str]:
        return {w.lower() for w in importlib.import_module(f"spacy.lang.{lang}.stop_words").STOP_WORDS}

    by_language = {lang: stops(lang) for lang in LANGID_LANGUAGES}
    native = set().union(*by_language.values())
    zipf: dict[str, float] = {}
    with open(HERE / "langid_words.tsv", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        for row in reader:
            zipf[row[0]] = max(float(z) for z in row[1:] if z)
    foreign: dict[str, set[str]] = {}
    for lang in OTHER_LANGUAGES:
        for word in stops(lang):
            if len(word) < 2 or word in native or zipf.get(word, 0.0) >= OTHER_MAX_NATIVE_ZIPF:
                continue
            foreign.setdefault(word, set()).add(lang)
    with open(HERE / "langid_other.tsv", "w", encoding="utf-8", newline="") as out:
        out.write("word\tkind\tlanguages\n")
        for word in sorted(native):
            if word.isalpha():
                langs = ",".join(lang for lang in LANGID_LANGUAGES if word in by_language[lang])
                out.write(f"{word}\tscored\t{langs}\n")
        for word in sorted(foreign):
            if word.isalpha():
                out.write(f"{word}\tother\t{','.join(sorted(foreign[word]))}\n")


def build_norec_model() -> None:
    """Norwegian model calibrated on NoReC_sentence's training split only (never dev or test).

    The shipped ``nb_norec_model.tsv`` was written by the fitter before issue 25's deliverable 3
    (binary stems and the lexicon score, scipy's L-BFGS, C = 0.1): a format-1 file, still read as
    it was. Running this now fits the current model (stems, character n-grams, scikit-learn,
    C = 1; a larger file); re-measure the Norwegian row of ``benchmarks/sentiment.py --languages``
    before shipping it.
    """
    import pandas as pd

    sys.path.insert(0, str(HERE.parents[1]))
    from cxkit.analysis.sentiment import calibrate_sentiment

    path = HERE.parents[2] / "shared" / "datasets" / "norec_sentence_no_dev" / "3class_train.json"
    if not path.exists():
        sys.exit(f"NoReC training split not found at {path}")
    train = pd.read_json(path)
    train["language"] = "nb"
    train["document"] = train["sent_id"].str.split("-").str[0]
    # the lexicon's own strong words and phrases as one-word examples: NoReC's short texts are
    # mostly neutral titles, and without these "Kjempebra!" would look like a title
    from cxkit.analysis import _lexicon

    lex = _lexicon.lexicon("nb")
    entries = {**{w: v for w, v in lex.words.items() if w.isalpha()}, **{" ".join(k): v for k, v in lex.phrases.items()}}
    prior = pd.DataFrame(
        [{"text": w, "label": "positive" if v > 0 else "negative", "language": "nb"}
         for w, v in sorted(entries.items()) if abs(v) >= 1.5]
    )
    model = calibrate_sentiment(train, label="label", language="language", groups="document", seed=0, prior=prior)
    model.source = "NoReC_sentence 3-class train split (ltgoslo/norec_sentence, CC BY-NC 4.0) + lexicon words"
    model.save(HERE / "nb_norec_model.tsv")
    print(model.summary.to_string())


def build_stems() -> None:
    """Snowball stems of every lexicon word, one table per stemming algorithm (a lock file)."""
    import snowballstemmer

    sys.path.insert(0, str(HERE.parents[1]))
    from cxkit.analysis import _lexicon

    needed: dict[str, set[str]] = {}
    for lang in _lexicon.LANGUAGES:
        lex = _lexicon.lexicon(lang)
        needed.setdefault(_lexicon._STEMMERS[lang], set()).update(_lexicon.words_to_stem(lex.words))
    for algorithm, words in sorted(needed.items()):
        stemmer = snowballstemmer.stemmer(algorithm)
        with open(_lexicon.stem_table_path(algorithm), "w", encoding="utf-8", newline="") as out:
            out.write(f"# snowballstemmer {_lexicon._snowball_version()}\n")
            out.write("word\tstem\n")
            for word in sorted(words):
                out.write(f"{word}\t{stemmer.stemWord(word)}\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["stems"]:
        build_stems()
        sys.exit()
    if sys.argv[1:] == ["langid_other"]:
        build_langid_other()
        sys.exit()
    build_asent()
    build_langid()
    build_langid_other()
    build_norec_model()
    build_stems()
