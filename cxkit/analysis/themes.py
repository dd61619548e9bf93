"""Review themes: what a review is about (price, delivery, support, ...) in five languages.

:data:`THEMES` maps each theme to terms per language. A term matches a whole word; a term
ending in ``*`` matches words that start with it (``pris*``: pris, prisen, prisene, priset);
a term of several words matches that phrase. Terms of every language are matched in every
text, so a Danish review with an English word ("app", "support") still counts.

Extend or correct the dictionary per company in the data catalog's ``settings`` section::

    settings:
      themes:
        delivery: {en: ["courier", "dhl"], da: ["gls"]}   # added to the built-in terms
        sustainability: {en: ["recycl*", "plastic"], sv: ["återvinn*"]}   # a new theme

and pass ``catalog.settings`` to :func:`theme_dictionary` (``cx.sentiment_report`` does).

That built-in list is generic (retail and telecom words). A theme set that fits the business is
chosen in the catalog's top-level ``themes`` section (:func:`theme_set`)::

    themes:
      template: travel                    # an industry template (:func:`theme_templates`)
      add: {lounge: {en: [lounge], sv: [lounge*]}, baggage: {en: ["~trolley"]}}
      drop: [food]

Templates live in ``cxkit/data/themes/*.yaml``, in English, Danish, Norwegian Bokmål and Swedish.
Their terms are matched more carefully than the generic list's (:func:`tag_themes`): a plain word
matches its inflections (the same Snowball stem in its language: "delay" finds "delays",
"delayed"), ``word*`` matches words starting with it (Nordic compounds), ``"two words"`` is a
phrase, ``=word`` is that word form only (no stemming: Norwegian "levert" and "lever", "lives",
share a stem), and a term marked ``~`` is weak (ambiguous: "arrived" for delivery, "charge" for
billing, "store" for staff): it claims a theme only together with another, different term of the
theme. A term marked ``!`` is an exclusion: the words it matches are ignored for that theme
("!set* * pris på": "setter pris på", "satte stor pris på", "appreciates", is not price; in an
exclusion a word ending in ``*`` takes any ending and a lone ``*`` stands for one word or none).
A text's own language's terms and the English ones apply to it (English words are common in
Nordic reviews), the English ones as weak terms in a Danish, Norwegian or Swedish text (there an
English word is often a name, a title or a word of the text's own language: "Bill Murray", "16
meter"); a text of unknown language gets every language's.

Impact (:func:`theme_impact`, :func:`theme_trend`) and the heatmap's numbers
(:func:`theme_sentiment`) are computed from the tags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from .. import progress
from .._stats import adjust_p, wilson_interval
from ..data.theme_templates import (
    THEME_LANGUAGES,
    check_themes_section,
    load_theme_template,
    template_description,
    theme_templates,
)
from ..errors import CatalogError
from ._text import Texts, texts_and_index

__all__ = [
    "THEMES",
    "THEME_LANGUAGES",
    "ThemeSet",
    "theme_dictionary",
    "theme_set",
    "theme_templates",
    "tag_themes",
    "theme_impact",
    "theme_trend",
    "theme_sentiment",
]

THEMES: dict[str, dict[str, list[str]]] = {
    "price": {
        "en": [
            "price*",
            "pricey",
            "pricing",
            "expensive",
            "cheap*",
            "cost*",
            "overpriced",
            "value for money",
            "worth the money",
            "waste of money",
            "afford*",
            "money",
        ],
        "da": ["pris*", "dyr", "dyrt", "dyre", "billig*", "kost*", "penge*", "værdi for pengene", "krone*"],
        "nb": ["pris*", "dyr", "dyrt", "dyre", "billig*", "kost*", "penge*", "verdt pengene", "krone*"],
        "nn": ["pris*", "dyr", "dyrt", "dyre", "billig*", "kost*", "pengar*", "pengane"],
        "sv": ["pris*", "dyr", "dyrt", "dyra", "billig*", "kosta*", "pengar*", "värt pengarna", "kron*"],
    },
    "delivery": {
        "en": [
            "deliver*",
            "shipping",
            "shipped",
            "parcel*",
            "package*",
            "tracking",
            "courier",
            "arriv*",
            "dispatch*",
            "postage",
        ],
        "da": ["lever*", "forsendelse*", "pakke*", "sporing*", "fragt*", "ankom*", "modtog"],
        "nb": ["lever*", "forsendelse*", "pakke*", "sporing*", "frakt*", "ankom*", "mottok"],
        "nn": ["lever*", "sending*", "pakke*", "sporing*", "frakt*", "kom fram"],
        "sv": ["lever*", "frakt*", "paket*", "spårning*", "försändelse*", "anlän*", "kom fram"],
    },
    "support": {
        "en": [
            "support",
            "customer service",
            "helpdesk",
            "help desk",
            "hotline",
            "called",
            "phoned",
            "chat",
            "agent*",
            "replied",
            "response",
            "complaint*",
        ],
        "da": [
            "support*",
            "kundeservice*",
            "kundeservicen",
            "ringede",
            "ringet",
            "chat*",
            "henvendelse*",
            "svarede",
            "svar",
            "klage*",
        ],
        "nb": [
            "support*",
            "kundeservice*",
            "kundestøtte*",
            "ringte",
            "ringt",
            "chat*",
            "henvendelse*",
            "svarte",
            "svar",
            "klage*",
        ],
        "nn": ["support*", "kundeservice*", "kundestøtte*", "ringde", "chat*", "svarte", "svar", "klage*"],
        "sv": ["support*", "kundtjänst*", "kundservice*", "ringde", "ringt", "chatt*", "svarade", "svar", "klagomål*"],
    },
    "quality": {
        "en": [
            "quality",
            "broke*",
            "broken",
            "defect*",
            "faulty",
            "stopped working",
            "durable",
            "sturdy",
            "flimsy",
            "solid",
            "build",
            "materials",
        ],
        "da": [
            "kvalitet*",
            "holdbar*",
            "defekt*",
            "gik i stykker",
            "i stykker",
            "solid*",
            "materiale*",
            "virker ikke",
            "holdt op",
        ],
        "nb": [
            "kvalitet*",
            "holdbar*",
            "defekt*",
            "gikk i stykker",
            "i stykker",
            "solid*",
            "materiale*",
            "virker ikke",
            "sluttet å",
        ],
        "nn": ["kvalitet*", "haldbar*", "defekt*", "gjekk i stykke", "solid*", "materiale*"],
        "sv": [
            "kvalitet*",
            "hållbar*",
            "defekt*",
            "gick sönder",
            "sönder",
            "gedigen",
            "material*",
            "slutade fungera",
            "trasig*",
        ],
    },
    "usability": {
        "en": [
            "easy to use",
            "easy",
            "intuitive",
            "user friendly",
            "user-friendly",
            "complicated",
            "confusing",
            "set up",
            "setup",
            "install*",
            "instructions",
            "figure out",
        ],
        "da": [
            "nem*",
            "brugervenlig*",
            "intuitiv*",
            "kompliceret",
            "besværlig*",
            "forvirrende",
            "opsætning*",
            "installer*",
            "vejledning*",
            "sætte op",
        ],
        "nb": [
            "enkel*",
            "brukervennlig*",
            "intuitiv*",
            "komplisert",
            "tungvint",
            "forvirrende",
            "oppsett*",
            "installer*",
            "bruksanvisning*",
            "sette opp",
        ],
        "nn": [
            "enkel*",
            "brukarvenleg*",
            "intuitiv*",
            "komplisert",
            "tungvint",
            "forvirrande",
            "oppsett*",
            "installer*",
        ],
        "sv": [
            "enkel*",
            "användarvänlig*",
            "intuitiv*",
            "krånglig*",
            "komplicerad*",
            "förvirrande",
            "installation*",
            "installera*",
            "instruktion*",
            "sätta upp",
        ],
    },
    "billing": {
        "en": [
            "invoice*",
            "bill",
            "billing",
            "billed",
            "charged",
            "charge*",
            "refund*",
            "payment*",
            "paid",
            "subscription*",
            "overcharg*",
        ],
        "da": [
            "faktura*",
            "regning*",
            "opkræv*",
            "trukket",
            "refusion*",
            "betaling*",
            "betalt",
            "abonnement*",
            "tilbagebetal*",
        ],
        "nb": [
            "faktura*",
            "regning*",
            "belast*",
            "trukket",
            "refusjon*",
            "betaling*",
            "betalt",
            "abonnement*",
            "tilbakebetal*",
        ],
        "nn": ["faktura*", "rekning*", "belast*", "trekt", "refusjon*", "betaling*", "betalt", "abonnement*"],
        "sv": ["faktura*", "räkning*", "debiter*", "dragit", "återbetal*", "betalning*", "betalat", "abonnemang*"],
    },
    "app": {
        "en": [
            "app",
            "apps",
            "website",
            "web site",
            "site",
            "online",
            "login",
            "log in",
            "crash*",
            "bug*",
            "app update*",
        ],
        "da": ["app", "appen", "apps", "hjemmeside*", "website", "netside*", "online", "login", "log ind", "crasher"],
        "nb": ["app", "appen", "apper", "nettside*", "hjemmeside*", "online", "innlogging", "logge inn", "krasj*"],
        "nn": ["app", "appen", "nettstad*", "nettside*", "innlogging", "logge inn", "krasj*"],
        "sv": [
            "app",
            "appen",
            "appar",
            "webbplats*",
            "hemsida*",
            "sajt*",
            "online",
            "inloggning*",
            "logga in",
            "kraschar",
        ],
    },
    "staff": {
        "en": [
            "staff",
            "employee*",
            "salesperson",
            "shop assistant",
            "cashier",
            "personnel",
            "rude",
            "polite",
            "store",
            "shop",
        ],
        "da": ["personale*", "medarbejder*", "ekspedient*", "ansatte", "sælger*", "butik*", "høflig*", "uhøflig*"],
        "nb": ["personale*", "ansatte", "medarbeider*", "ekspeditør*", "selger*", "butikk*", "høflig*", "uhøflig*"],
        "nn": ["personale*", "tilsette", "medarbeidar*", "seljar*", "butikk*", "høfleg*", "uhøfleg*"],
        "sv": ["personal*", "anställd*", "expedit*", "säljare*", "butik*", "artig*", "otrevlig*", "bemötande*"],
    },
}


def theme_dictionary(settings: dict | None = None) -> dict[str, dict[str, list[str]]]:
    """The built-in :data:`THEMES`, extended by a catalog's ``settings["themes"]``.

    Terms in ``settings`` are added to a theme's built-in terms (a new theme name adds a theme);
    ``{"theme": null}`` removes a theme.

    Parameters
    ----------
    settings : dict, optional
        A catalog's ``settings`` section (``catalog.settings``); only its ``themes`` entry is
        read: theme name -> ``{language: [terms]}``, a plain list of terms (stored under the
        language ``"*"``), or None to remove the theme. None (default) or no ``themes``
        entry: the built-in dictionary.

    Returns
    -------
    dict
        Theme name -> ``{language code: [terms]}``, a new dictionary (:data:`THEMES` is not
        changed), ready for :func:`tag_themes`.

    Raises
    ------
    ValueError
        ``settings["themes"]`` is not a mapping, or a theme maps to something other than a
        mapping of languages, a list of terms or None.

    Examples
    --------
    >>> d = theme_dictionary({"themes": {"delivery": {"en": ["dhl"]}, "eco": {"en": ["recycl*"]}}})
    >>> "dhl" in d["delivery"]["en"], d["eco"]
    (True, {'en': ['recycl*']})
    """
    out = {theme: {lang: list(terms) for lang, terms in by_lang.items()} for theme, by_lang in THEMES.items()}
    extra = (settings or {}).get("themes") or {}
    if not isinstance(extra, dict):
        raise ValueError("settings: themes must map theme names to {language: [terms]}")
    for theme, by_lang in extra.items():
        if by_lang is None:
            out.pop(theme, None)
            continue
        if isinstance(by_lang, list):  # terms for every language
            by_lang = {"*": by_lang}
        if not isinstance(by_lang, dict):
            raise ValueError(f"settings: themes: {theme} must map languages to lists of terms")
        target = out.setdefault(str(theme), {})
        for lang, terms in by_lang.items():
            target.setdefault(str(lang), [])
            target[str(lang)].extend(str(t) for t in (terms or []))
    return out


def _pattern(terms: list[str]) -> re.Pattern:
    parts = []
    for term in sorted(set(t.strip().lower() for t in terms if t and t.strip()), key=len, reverse=True):
        prefix = term.endswith("*")
        body = re.escape(term.rstrip("*")).replace(r"\ ", r"\s+")
        parts.append(body + (r"\w*" if prefix else r"(?!\w)"))
    if not parts:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


@dataclass(frozen=True)
class ThemeSet:
    """The themes a report tags: their terms and where they come from.

    Attributes
    ----------
    name : str
        ``"generic"`` (the built-in :data:`THEMES`) or the industry template's name.
    themes : dict
        Theme name -> ``{language: [terms]}`` (the catalog's ``add`` and ``drop`` applied).
    description : str
        One line saying what the list is, for the page ("generic list", "travel and airlines ...").
    added, dropped : list of str
        The themes the catalog added (or extended) and left out.
    """

    name: str
    themes: dict[str, dict[str, list[str]]]
    description: str = ""
    added: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    @property
    def generic(self) -> bool:
        """True for the built-in generic list (matched as before templates existed)."""
        return self.name == "generic"

    @property
    def names(self) -> list[str]:
        return list(self.themes)

    def note(self) -> str:
        """One sentence for the page: which list tagged the texts, and how to choose another."""
        if self.generic:
            return (
                "Themes come from cxkit's generic list (retail and telecom words: "
                f"{', '.join(self.names)}), not one chosen for this business; choose an industry template "
                f"({', '.join(theme_templates())}) and add the company's own themes under themes: in the catalog."
            )
        edits = []
        if self.added:
            edits.append(f"added or extended by the catalog: {', '.join(self.added)}")
        if self.dropped:
            edits.append(f"left out: {', '.join(self.dropped)}")
        return f"Themes come from the {self.name} template ({self.description})" + (
            f"; {'; '.join(edits)}." if edits else "."
        )


def theme_set(
    themes: Mapping[str, Any] | None = None, *, settings: Mapping[str, Any] | None = None, where: str = "catalog"
) -> ThemeSet:
    """The theme set a catalog chooses: an industry template with its additions and exclusions.

    Parameters
    ----------
    themes : dict, optional
        The catalog's ``themes`` section (``catalog.themes``): ``template`` (one of
        :func:`theme_templates`), ``add`` (theme -> ``{language: [terms]}``, or a list of terms
        for every language: a new theme, or terms added to a template's theme) and ``drop``
        (themes left out). None: the generic list (:data:`THEMES`, as before templates).
    settings : dict, optional
        The catalog's ``settings``; its older ``themes`` entry (:func:`theme_dictionary`)
        extends the generic list when ``themes`` names no template.
    where : str, keyword-only
        The catalog file, named in errors.

    Returns
    -------
    ThemeSet

    Raises
    ------
    CatalogError
        The section is malformed (see :func:`cxkit.data.theme_templates.check_themes_section`),
        or ``drop`` names a theme the list does not have.

    Examples
    --------
    >>> ts = theme_set({"template": "travel", "add": {"lounge": {"en": ["lounge"]}}, "drop": ["food"]})
    >>> ts.name, "lounge" in ts.names, "food" in ts.names
    ('travel', True, False)
    >>> theme_set().generic
    True
    """
    section = check_themes_section(dict(themes) if themes is not None else None, where)
    template = section["template"]
    if template is None:
        base = theme_dictionary(dict(settings) if settings is not None else None)
        name, description = "generic", "cxkit's generic list"
    else:
        base = load_theme_template(template)
        name, description = template, template_description(template)
    bad = [d for d in section["drop"] if d not in base and d not in section["add"]]
    if bad:
        raise CatalogError(
            f"{where}: themes: drop names theme(s) {bad} the list does not have; its themes are {', '.join(base)}."
        )
    for theme, by_lang in section["add"].items():
        target = base.setdefault(theme, {})
        for lang, terms in by_lang.items():
            for code in THEME_LANGUAGES if lang == "*" else (lang,):
                target.setdefault(code, [])
                target[code] = target[code] + [t for t in terms if t not in target[code]]
    for theme in section["drop"]:
        base.pop(theme, None)
    if template is None and section["add"]:  # an edited generic list is matched like a template
        name, description = "custom", "the generic list edited in the catalog"
    return ThemeSet(name, base, description, added=list(section["add"]), dropped=list(section["drop"]))


# --------------------------------------------------------------------------- the template matcher
# Hand-written rather than a library matcher (spaCy's PhraseMatcher, flashtext): neither knows
# Snowball stems or weak terms, and the work is one sparse product over distinct words, which
# scipy does in C.

_WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_STEMMER_NAMES = {"en": "english", "da": "danish", "nb": "norwegian", "nn": "norwegian", "sv": "swedish"}


@cache
def _stemmer(language: str) -> Any:
    import snowballstemmer  # the stemmers cxkit's sentiment lexicons use (BSD, pure Python)

    return snowballstemmer.stemmer(_STEMMER_NAMES.get(language, "english"))


@dataclass(frozen=True)
class _Term:
    theme: str
    language: str  # "*": every language
    text: str  # lower case, without "~", "!", "=" and "*"
    kind: str  # "word" (its Snowball stem), "exact" (this form only), "prefix" or "phrase"
    weak: bool
    exclude: bool = False


def _parse_terms(themes: Mapping[str, Mapping[str, Sequence[str]]]) -> list[_Term]:
    out = []
    for theme, by_lang in themes.items():
        for lang, terms in by_lang.items():
            for raw in terms:
                term = str(raw).strip().lower()
                exclude = term.startswith("!")
                term = term.lstrip("!").strip()
                weak = term.startswith("~")
                term = term.lstrip("~").strip()
                exact = term.startswith("=")
                term = term.lstrip("=").strip()
                if not term.rstrip("*"):
                    continue
                kind = "phrase" if " " in term else "prefix" if term.endswith("*") else "exact" if exact else "word"
                out.append(_Term(str(theme), str(lang), term.rstrip("*"), kind, weak, exclude))
    return out


def _exclusion_pattern(terms: list[_Term]) -> re.Pattern:
    """One regular expression for exclusion terms: phrases and words as written, prefixes with any ending."""
    parts = []
    for body in sorted({t.text + ("*" if t.kind == "prefix" else "") for t in terms}, key=len, reverse=True):
        part = ""
        for word in body.split():
            if word == "*":  # any one word, or none: "setter * pris på" finds "setter stor pris på"
                part += r"(?:[^\W_]+\s+)?"
            else:  # a word, or with "*" a word and its endings ("set*": setter, sette)
                part += re.escape(word.rstrip("*")) + (r"[^\W_]*" if word.endswith("*") else "") + r"\s+"
        parts.append(part.removesuffix(r"\s+"))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def _template_tags(
    texts: list[str], languages: list[str] | None, themes: Mapping[str, Mapping[str, Sequence[str]]]
) -> dict[str, np.ndarray]:
    """Per theme, which texts it claims (one strong term, or two different weak terms).

    The work is per distinct word, not per text: a word is stemmed only when its first letters
    could begin a term's stem (a Snowball stem keeps the word's first three letters), a prefix
    term is a range of the sorted vocabulary, and every phrase is found in one pass per text.
    """
    import bisect

    parsed = _parse_terms(themes)
    terms = [t for t in parsed if not t.exclude]
    exclusions = [t for t in parsed if t.exclude]
    n = len(texts)
    lowered = [t.lower() for t in texts]
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    phrases = [(term, lang) for term in terms if term.kind == "phrase" for lang in _languages_of(term)]
    # a bar over the two passes over the texts (words, then phrases), about 6 s for 100k comments
    bar = progress.bar(n * (1 + bool(phrases)), "tag_themes", unit="text")
    for i, text in enumerate(lowered):
        for w in set(_WORD_RE.findall(text)):
            rows.append(i)
            cols.append(vocab.setdefault(w, len(vocab)))
        if i % 10_000 == 9_999:
            bar.update(10_000)
    bar.update(n - bar.n)
    docs = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, max(len(vocab), 1)))
    words = list(vocab)
    ordered = sorted(vocab)
    # one column per term key (theme, language, kind, stem or prefix): "charge" and "charged" are one term
    term_key: dict[tuple[str, str, str, str], int] = {}
    term_ids: list[set[int]] = []
    term_info: list[tuple[str, str, bool, str]] = []  # theme, language, weak, the term as written
    singles = [(term, lang) for term in terms if term.kind != "phrase" for lang in _languages_of(term)]
    targets: dict[str, dict[str, str]] = {}  # language -> term text -> its stem
    for term, lang in singles:
        if term.kind == "word":  # an "exact" term is looked up as written, below
            targets.setdefault(lang, {})[term.text] = _stemmer(lang).stemWord(term.text)
    by_stem: dict[str, dict[str, list[int]]] = {}
    for lang, stems_of_terms in targets.items():
        heads = {s[:3] for s in stems_of_terms.values()}
        stem = _stemmer(lang).stemWord
        table: dict[str, list[int]] = {}
        for w, k in vocab.items():
            if w[:3] in heads:
                table.setdefault(stem(w), []).append(k)
        by_stem[lang] = table
    for term, lang in singles:
        if term.kind == "prefix":
            key = (term.theme, lang, "prefix", term.text)
            start = bisect.bisect_left(ordered, term.text)
            stop = bisect.bisect_left(ordered, term.text + "\U0010ffff")
            ids = {vocab[w] for w in ordered[start:stop]}
        elif term.kind == "exact":
            key = (term.theme, lang, "exact", term.text)
            ids = {vocab[term.text]} if term.text in vocab else set()
        else:
            target = targets[lang][term.text]
            key = (term.theme, lang, "word", target)
            ids = set(by_stem[lang].get(target, []))
            if term.text in vocab:
                ids.add(vocab[term.text])
        if key in term_key:  # the same stem twice: one term, weak only if every spelling is
            k = term_key[key]
            term_ids[k] |= ids
            theme, language, weak, written = term_info[k]
            term_info[k] = (theme, language, weak and term.weak, written)
            continue
        term_key[key] = len(term_ids)
        term_ids.append(ids)
        term_info.append((term.theme, lang, term.weak, term.text))
    if term_ids and words:
        r = [k for k, ids in enumerate(term_ids) for _ in ids]
        c = [w for ids in term_ids for w in ids]
        matrix = sp.csr_matrix((np.ones(len(c), dtype=np.float32), (c, r)), shape=(len(words), len(term_ids)))
        hits = (docs @ matrix).toarray() > 0
    else:
        hits = np.zeros((n, len(term_ids)), dtype=bool)
    columns = [hits[:, k] for k in range(len(term_ids))]
    info = list(term_info)
    if phrases:
        slots: dict[str, list[int]] = {}
        for term, lang in phrases:
            slots.setdefault(" ".join(term.text.split()), []).append(len(columns))
            columns.append(np.zeros(n, dtype=bool))
            info.append((term.theme, lang, term.weak, term.text))
        bodies = sorted(slots, key=len, reverse=True)
        pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(r"\s+".join(re.escape(p) for p in b.split()) for b in bodies) + r")(?!\w)"
        )
        for i, text in enumerate(lowered):
            for found in pattern.finditer(text):
                for k in slots.get(" ".join(found.group(0).split()), ()):
                    columns[k][i] = True
            if i % 10_000 == 9_999:
                bar.update(10_000)
        bar.update(2 * n - bar.n)
    bar.close()
    applies: dict[str, np.ndarray] = {}
    # In a Danish, Norwegian or Swedish text an English term is weak: an English word there is often a
    # name, a title or a word of the text's own language ("Bill Murray", "16 meter", "Eva Green")
    nordic = np.zeros(n, dtype=bool)
    if languages is not None:
        codes = np.asarray([str(c or "") for c in languages], dtype=object)
        known = np.isin(codes, list(_STEMMER_NAMES))
        nordic = known & (codes != "en")
        for lang in THEME_LANGUAGES:
            same = codes == lang
            if lang == "nb":
                same |= codes == "nn"
            applies[lang] = same | ~known | (lang == "en")
    # texts in which the same terms apply (one group per language code), to count words that hit weak terms
    groups = [np.ones(n, dtype=bool)] if languages is None else [codes == c for c in np.unique(codes)]
    group_docs = [docs[group] for group in groups]
    out: dict[str, np.ndarray] = {}
    for theme in themes:
        strong = np.zeros(n, dtype=bool)
        # weak hits by the term as written: "online" in the Danish and the English list is one term
        weak_hits: dict[str, np.ndarray] = {}
        weak_words: list[tuple[set[int], np.ndarray]] = []  # a single-word term's words, where it is weak
        weak_phrases = np.zeros(n, dtype=np.int64)
        for k, (column, (t_theme, lang, weak, written)) in enumerate(zip(columns, info)):
            if t_theme != theme:
                continue
            hit = column & applies[lang] if lang in applies else column
            where_weak = np.ones(n, dtype=bool) if weak else np.zeros(n, dtype=bool)
            if not weak and lang == "en":
                strong |= hit & ~nordic
                hit = hit & nordic
                where_weak = nordic
                weak = True
            if weak:
                weak_hits[written] = weak_hits[written] | hit if written in weak_hits else hit
                if k < len(term_ids):
                    weak_words.append((term_ids[k], where_weak & (applies[lang] if lang in applies else True)))
                else:
                    weak_phrases += hit
            else:
                strong |= hit
        weak_count = np.sum(list(weak_hits.values()), axis=0) if weak_hits else np.zeros(n, dtype=np.int64)
        # Two different weak terms, found through two different words: one word that two weak terms match
        # ("solide": English "~solid" and Norwegian "~=solide") is one piece of evidence, not two.
        evidence = weak_phrases.copy()
        for group, in_group in zip(groups, group_docs):
            weak_vocab: set[int] = set()
            for word_ids, where in weak_words:
                if (where & group).any():
                    weak_vocab |= word_ids
            if weak_vocab:
                evidence[group] += np.asarray(in_group[:, sorted(weak_vocab)].sum(axis=1)).ravel().astype(np.int64)
        out[str(theme)] = strong | ((weak_count >= 2) & (evidence >= 2))
    # Exclusions: a text holding one is matched again for that theme with the excluded words blanked
    # out ("setter pris på" leaves no "pris"). Few texts hold one, so matching them again is cheap.
    for theme in {t.theme for t in exclusions}:
        own = [t for t in exclusions if t.theme == theme]
        for lang in sorted({lg for t in own for lg in _languages_of(t)}):
            pattern = _exclusion_pattern([t for t in own if lang in _languages_of(t)])
            where = applies[lang] if lang in applies else np.ones(n, dtype=bool)
            hit = [i for i in np.flatnonzero(where & out[theme]) if pattern.search(lowered[i])]
            if hit:
                blanked = [pattern.sub(" ", lowered[i]) for i in hit]
                kept = {lg: list(ts) for lg, ts in themes[theme].items()}
                again = _template_tags(
                    blanked, None if languages is None else [languages[i] for i in hit], {theme: kept}
                )
                out[theme][hit] = again[theme]
    return out


def _languages_of(term: _Term) -> list[str]:
    return list(THEME_LANGUAGES) if term.language == "*" else [term.language]


def tag_themes(
    texts: Texts,
    *,
    themes: ThemeSet | Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    language: Texts | None = None,
) -> pd.DataFrame:
    """Which themes each text mentions: one boolean column per theme.

    Parameters
    ----------
    texts : sequence of str
        Review texts (a Series keeps its index); missing values mention nothing.
    themes : ThemeSet or dict, optional, keyword-only
        A :func:`theme_set` (an industry template: its terms are matched by Snowball stem, and
        weak terms need a second term of their theme; see the module docstring), or a theme
        dictionary matched as the generic list is (default: :data:`THEMES`; see
        :func:`theme_dictionary`).
    language : sequence of str, optional, keyword-only
        Each text's language code (``en``, ``da``, ``nb``, ``sv``; others or missing:
        unknown). With a template, a text gets its own language's terms and the English ones
        (every language's when unknown); ignored for a plain dictionary.

    Returns
    -------
    DataFrame
        One boolean column per theme of ``themes``, in its order (the built-in ones:
        ``price``, ``delivery``, ``support``, ``quality``, ``usability``, ``billing``,
        ``app``, ``staff``), one row per text with the index of ``texts``: True where the text
        mentions the theme.

    Raises
    ------
    TextsError
        ``texts`` is not one column of texts (a DataFrame, one string, a dict, a column of
        numbers, ...); :class:`~cxkit.errors.TextsError` is a ``TypeError`` and a
        ``ValueError``.

    Examples
    --------
    >>> import cxkit as cx
    >>> cx.tag_themes(["Levering tog 9 dage og kundeservice svarede aldrig.", "The app crashes."])
       price  delivery  support  quality  usability  billing    app  staff
    0  False      True     True    False      False    False  False  False
    1  False     False    False    False      False    False   True  False
    >>> travel = cx.theme_set({"template": "travel"})
    >>> tags = cx.tag_themes(["Our flights were delayed twice.", "It arrived late."], themes=travel)
    >>> tags[["delays", "baggage"]]
       delays  baggage
    0    True    False
    1   False    False
    """
    items, index = texts_and_index(texts, function="tag_themes")
    if isinstance(themes, ThemeSet) and not themes.generic:
        codes = None
        if language is not None:
            codes, _ = texts_and_index(language, function="tag_themes", argument="language")
        text = pd.Series(items, dtype=object)
        key = text if codes is None else text + "\x00" + pd.Series(codes, dtype=object)
        # distinct texts only: review streams repeat themselves
        codes_of, uniques = pd.factorize(key)
        first = pd.Series(np.arange(len(key))).groupby(codes_of).first().to_numpy() if len(key) else np.zeros(0, int)
        uniq_texts = [items[i] for i in first]
        uniq_langs = [codes[i] for i in first] if codes is not None else None
        tagged = _template_tags(uniq_texts, uniq_langs, themes.themes)
        return pd.DataFrame(
            {name: (hit[codes_of] if len(codes_of) else np.zeros(0, dtype=bool)) for name, hit in tagged.items()},
            index=index,
        )
    plain = themes.themes if isinstance(themes, ThemeSet) else themes
    plain = THEMES if plain is None else plain
    text = pd.Series(items, dtype="string")
    # distinct texts only: review streams repeat themselves
    text_codes, uniques = pd.factorize(text)
    uniq = pd.Series(uniques, dtype="string")
    out = {}
    for theme, by_lang in plain.items():
        terms = [t for lang_terms in by_lang.values() for t in lang_terms]
        hit = uniq.str.contains(_pattern(terms), regex=True).to_numpy(dtype=bool)
        out[theme] = hit[text_codes] if len(text_codes) else np.zeros(0, dtype=bool)
    return pd.DataFrame(out, index=index)


# --------------------------------------------------------------------------- impact and trend

#: The metrics :func:`theme_impact` compares, per score.
IMPACT_METRICS = {"nps": ("nps", "detractor_share"), "csat": ("mean", "top2_box"), "rating": ("mean", "top2_box")}


def _with_without(tags: pd.Series) -> pd.Series:
    return pd.Series(np.where(tags.to_numpy(dtype=bool), "with", "without"), index=tags.index)


def _detractor_row(scores: np.ndarray, has: np.ndarray, alpha: float) -> dict[str, Any]:
    """Detractor share (0-6) with vs without the theme: Wilson intervals, Newcombe's hybrid
    score interval of the difference (Newcombe 1998, method 10) and the pooled z-test."""
    det = scores <= 6
    x1, n1 = int(det[has].sum()), int(has.sum())
    x2, n2 = int(det[~has].sum()), int((~has).sum())
    (l1, l2), (u1, u2) = wilson_interval([x1, x2], [n1, n2], alpha)
    p1 = x1 / n1 if n1 else float("nan")
    p2 = x2 / n2 if n2 else float("nan")
    diff = p1 - p2
    low = diff - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    if n1 and n2:
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        p = float(2 * stats.norm.sf(abs(diff) / se)) if se > 0 else 1.0
    else:
        p = float("nan")
    return {
        "metric": "detractor_share",
        "n_with": n1,
        "value_with": p1,
        "ci_low_with": float(l1),
        "ci_high_with": float(u1),
        "n_without": n2,
        "value_without": p2,
        "ci_low_without": float(l2),
        "ci_high_without": float(u2),
        "diff": diff,
        "diff_ci_low": float(low),
        "diff_ci_high": float(high),
        "test": "z, pooled",
        "p": p,
    }


def theme_impact(
    df: pd.DataFrame,
    score: str = "nps",
    *,
    themes: Sequence[str],
    alpha: float = 0.05,
    padjust: str = "holm",
    min_n: int = 30,
) -> pd.DataFrame:
    """Each theme's association with a score: responses that mention it against those that do not.

    Parameters
    ----------
    df : DataFrame
        One row per response or review, with ``score`` and one boolean column per theme
        (:func:`tag_themes`); rows without a text should be left out beforehand (a response
        without a comment mentions nothing, and would count as "without").
    score : {"nps", "csat", "rating"}, default "nps"
        ``"nps"`` (0-10): the NPS and the detractor share (0-6); ``"csat"`` (1-5) and
        ``"rating"`` (1-5 stars): the mean and the top-2-box share (4-5). The column of that name
        is used.
    themes : list of str, keyword-only
        The theme columns, one comparison each.
    alpha : float, default 0.05, keyword-only
        ``1 - alpha`` intervals; level of ``significant``.
    padjust : str, default "holm", keyword-only
        Adjustment over every row of the table (every theme and metric: the page's family).
    min_n : int, default 30, keyword-only
        Fewer responses on either side flags the row ``small_n`` (show it, do not claim it).

    Returns
    -------
    DataFrame
        One row per theme and metric (themes in the order given; a theme no row mentions, or
        every row does, is left out):

        - ``theme``, ``metric`` (``nps``, points -100 to 100; ``detractor_share``, 0-1;
          ``mean`` on the score's scale; ``top2_box``, 0-1)
        - ``n_with``, ``value_with``, ``ci_low_with``, ``ci_high_with``: rows mentioning the
          theme, the metric and its interval (NPS: Tango's score interval via
          :func:`cxkit.nps`; shares: Wilson; means: t)
        - ``n_without``, ``value_without``, ``ci_low_without``, ``ci_high_without``: the others
        - ``diff`` (with - without), ``diff_ci_low``, ``diff_ci_high``: its interval (NPS and
          CSAT as :func:`cxkit.compare_nps` / :func:`cxkit.compare_csat`; detractor share:
          Newcombe's hybrid score interval)
        - ``test``, ``p`` (two-sided), ``p_adjusted`` (``padjust`` over the table),
          ``significant`` (``p_adjusted < alpha``), ``small_n``

    Raises
    ------
    ValueError
        ``score`` is not one of the three, or a column is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"nps": [0, 3, 9, 10, 10, 9, 8, 6], "delivery": [True, True, True, False, False, False, False, False]})
    >>> out = theme_impact(df, themes=["delivery"], min_n=1)
    >>> out[["metric", "value_with", "value_without"]].round(3).values.tolist()
    [['nps', -33.333, 40.0], ['detractor_share', 0.667, 0.2]]
    """
    from .nps import compare_csat, compare_nps  # the NPS and CSAT comparisons with their intervals

    if score not in IMPACT_METRICS:
        raise ValueError(f"theme_impact: score must be 'nps', 'csat' or 'rating', not {score!r}.")
    missing = [c for c in (score, *themes) if c not in df.columns]
    if missing:
        raise ValueError(f"theme_impact: column(s) {missing} not found; tag the texts with cx.tag_themes first.")
    data = df[df[score].notna()]
    rows: list[dict[str, Any]] = []
    for theme in themes:
        has = data[theme].fillna(False).to_numpy(dtype=bool)
        if not has.any() or has.all():
            continue
        side = data[[score]].assign(_side=_with_without(data[theme].fillna(False)))
        compare = compare_nps if score == "nps" else compare_csat
        compared = compare(
            side, score, by="_side", against="without", alpha=alpha, min_n=min_n, padjust="none", lump=False
        )
        for _, r in compared.iterrows():
            rows.append(
                {
                    "theme": theme,
                    "metric": r["metric"],
                    "n_with": int(r["n"]),
                    "value_with": r["value"],
                    "ci_low_with": r["ci_low"],
                    "ci_high_with": r["ci_high"],
                    "n_without": int(r["n_reference"]),
                    "value_without": r["value_reference"],
                    "ci_low_without": float("nan"),
                    "ci_high_without": float("nan"),
                    "diff": r["diff"],
                    "diff_ci_low": r["diff_ci_low"],
                    "diff_ci_high": r["diff_ci_high"],
                    "test": r["test"],
                    "p": r["p"],
                }
            )
            # the reference side's own interval: the same comparison the other way round
            back = compare(
                side, score, by="_side", against="with", alpha=alpha, min_n=min_n, padjust="none", lump=False
            )
            b = back[back["metric"] == r["metric"]].iloc[0]
            rows[-1]["ci_low_without"], rows[-1]["ci_high_without"] = b["ci_low"], b["ci_high"]
        if score == "nps":
            rows.append({"theme": theme, **_detractor_row(pd.to_numeric(data[score]).to_numpy(), has, alpha)})
    columns = [
        "theme",
        "metric",
        "n_with",
        "value_with",
        "ci_low_with",
        "ci_high_with",
        "n_without",
        "value_without",
        "ci_low_without",
        "ci_high_without",
        "diff",
        "diff_ci_low",
        "diff_ci_high",
        "test",
        "p",
        "p_adjusted",
        "significant",
        "small_n",
    ]
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=columns)
    out["p_adjusted"] = adjust_p(out["p"].to_numpy(), padjust)
    out["significant"] = out["p_adjusted"] < alpha
    out["small_n"] = (out["n_with"] < min_n) | (out["n_without"] < min_n)
    return out[columns].reset_index(drop=True)


def theme_trend(
    df: pd.DataFrame,
    *,
    themes: Sequence[str],
    month: str | pd.Period,
    date: str,
    alpha: float = 0.05,
    padjust: str = "holm",
) -> pd.DataFrame:
    """Emerging themes: each theme's share of the texts this month against the month before.

    Parameters
    ----------
    df : DataFrame
        One row per text (comments or reviews with a text), the ``date`` column and one
        boolean column per theme.
    themes : list of str, keyword-only
    month : str or Period, keyword-only
        The month; the previous calendar month is the comparison.
    date : str, keyword-only
        The date column.
    alpha, padjust : keyword-only
        Level of ``emerging``; adjustment over the themes.

    Returns
    -------
    DataFrame
        One row per theme: ``theme``, ``n`` and ``share`` (texts mentioning it this month, and
        their share of the month's texts), ``n_texts``, ``previous_n``, ``previous_share``,
        ``previous_texts``, ``change`` (share - previous_share), ``p`` (pooled two-proportion
        z-test; NaN without texts the month before), ``p_adjusted``, ``emerging`` (the share
        rose and ``p_adjusted < alpha``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"at": pd.to_datetime(["2026-09-03"] * 100 + ["2026-10-03"] * 100),
    ...                    "app": [True] * 5 + [False] * 95 + [True] * 25 + [False] * 75})
    >>> out = theme_trend(df, themes=["app"], month="2026-10", date="at")
    >>> out[["share", "previous_share", "emerging"]].values.tolist()
    [[0.25, 0.05, True]]
    """
    period = pd.Period(month, freq="M")
    months = pd.to_datetime(df[date]).dt.to_period("M")
    cur, prev = df[(months == period).to_numpy()], df[(months == period - 1).to_numpy()]
    rows = []
    for theme in themes:
        x1, n1 = int(cur[theme].fillna(False).sum()), len(cur)
        x2, n2 = int(prev[theme].fillna(False).sum()), len(prev)
        s1 = x1 / n1 if n1 else float("nan")
        s2 = x2 / n2 if n2 else float("nan")
        if n1 and n2:
            pooled = (x1 + x2) / (n1 + n2)
            se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
            p = float(2 * stats.norm.sf(abs(s1 - s2) / se)) if se > 0 else 1.0
        else:
            p = float("nan")
        rows.append(
            {
                "theme": theme,
                "n": x1,
                "share": s1,
                "n_texts": n1,
                "previous_n": x2,
                "previous_share": s2,
                "previous_texts": n2,
                "change": s1 - s2,
                "p": p,
            }
        )
    out = pd.DataFrame(
        rows,
        columns=["theme", "n", "share", "n_texts", "previous_n", "previous_share", "previous_texts", "change", "p"],
    )
    out["p_adjusted"] = adjust_p(out["p"].to_numpy(), padjust) if len(out) else []
    out["emerging"] = (out["change"] > 0) & (out["p_adjusted"] < alpha)
    return out


def theme_sentiment(
    df: pd.DataFrame,
    *,
    themes: Sequence[str],
    label: str = "label",
    text: str | None = None,
    examples: int = 3,
    max_chars: int = 160,
) -> pd.DataFrame:
    """Themes by sentiment: how many texts of each theme are negative, neutral and positive.

    Parameters
    ----------
    df : DataFrame
        Scored texts (``label`` from :func:`cxkit.sentiment`) with one boolean column per theme.
    themes : list of str, keyword-only
        The theme columns, one block of three rows each.
    label : str, default "label", keyword-only
        The sentiment label column.
    text : str, optional, keyword-only
        The text column: up to ``examples`` texts per cell are kept (masked with
        :func:`cxkit.privacy.mask_pii` before they are cut to ``max_chars``).
    examples : int, default 3, keyword-only
        Texts kept per cell (the first distinct ones in ``df``'s order).
    max_chars : int, default 160, keyword-only
        Length at which a kept text is cut (after masking).

    Returns
    -------
    DataFrame
        One row per theme and label (``negative``, ``neutral``, ``positive``): ``theme``,
        ``label``, ``n``, ``share`` (of the theme's labelled texts), ``theme_n``; with ``text``
        also ``examples`` (a list of masked texts, the first ones in ``df``'s order).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"label": ["negative", "positive", "negative"], "app": [True, True, False]})
    >>> theme_sentiment(df, themes=["app"])[["label", "n", "share"]].values.tolist()
    [['negative', 1, 0.5], ['neutral', 0, 0.0], ['positive', 1, 0.5]]
    """
    from ..privacy import mask_pii

    rows = []
    labelled = df[df[label].notna()]
    for theme in themes:
        in_theme = labelled[labelled[theme].fillna(False).to_numpy(dtype=bool)]
        total = len(in_theme)
        for name in ("negative", "neutral", "positive"):
            cell = in_theme[in_theme[label] == name]
            row: dict[str, Any] = {
                "theme": theme,
                "label": name,
                "n": len(cell),
                "share": len(cell) / total if total else float("nan"),
                "theme_n": total,
            }
            if text is not None:
                picked = cell[text].dropna().astype(str).drop_duplicates().head(examples)
                row["examples"] = [
                    str(m) if len(str(m)) <= max_chars else str(m)[: max_chars - 1].rstrip() + "…"
                    for m in picked.map(mask_pii)
                ]
            rows.append(row)
    return pd.DataFrame(rows)
