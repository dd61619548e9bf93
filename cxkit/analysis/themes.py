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
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._text import Texts, texts_and_index

__all__ = ["THEMES", "theme_dictionary", "tag_themes"]

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


def tag_themes(texts: Texts, *, themes: Mapping[str, Mapping[str, Sequence[str]]] | None = None) -> pd.DataFrame:
    """Which themes each text mentions: one boolean column per theme.

    Parameters
    ----------
    texts : sequence of str
        Review texts (a Series keeps its index); missing values mention nothing.
    themes : dict, optional, keyword-only
        A theme dictionary (default: :data:`THEMES`; see :func:`theme_dictionary`).

    Returns
    -------
    DataFrame
        One boolean column per theme of ``themes``, in its order (the built-in ones:
        ``price``, ``delivery``, ``support``, ``quality``, ``usability``, ``billing``,
        ``app``, ``staff``), one row per text with the index of ``texts``: True where the text
        mentions any term of the theme, in any language.

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
    """
    themes = THEMES if themes is None else themes
    items, index = texts_and_index(texts, function="tag_themes")
    text = pd.Series(items, dtype="string")
    # distinct texts only: review streams repeat themselves
    codes, uniques = pd.factorize(text)
    uniq = pd.Series(uniques, dtype="string")
    out = {}
    for theme, by_lang in themes.items():
        terms = [t for lang_terms in by_lang.values() for t in lang_terms]
        hit = uniq.str.contains(_pattern(terms), regex=True).to_numpy(dtype=bool)
        out[theme] = hit[codes] if len(codes) else np.zeros(0, dtype=bool)
    return pd.DataFrame(out, index=index)
