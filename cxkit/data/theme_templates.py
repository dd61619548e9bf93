"""Industry theme templates (``cxkit/data/themes/*.yaml``) and the catalog's ``themes`` section.

A template maps each theme of an industry to its terms in English, Danish, Norwegian Bokmål and
Swedish (:data:`THEME_LANGUAGES`); themes several industries share are written once in
``_common.yaml`` and named under a template's ``common:``. The term syntax is described in
:mod:`cxkit.analysis.themes`, which matches them.

The catalog chooses and edits a template in its top-level ``themes`` section::

    themes:
      template: travel
      add: {lounge: {en: [lounge]}, baggage: {sv: [kabinväska*]}}   # new themes, or terms added
      drop: [food]                                                  # themes left out

:func:`check_themes_section` checks that section when the catalog is read, so a typo fails at
once with the key and the fix, not halfway through a monthly run.

Examples
--------
>>> theme_templates()
['banking', 'retail', 'software', 'telecom', 'travel', 'utilities']
>>> sorted(load_theme_template("travel"))[:3]
['baggage', 'booking_checkin', 'comfort']
>>> check_themes_section({"template": "travl"}, "cxkit.yaml")
Traceback (most recent call last):
...
cxkit.errors.CatalogError: cxkit.yaml: themes: template 'travl' is not a template (did you mean 'travel'?); use one of banking, retail, software, telecom, travel, utilities, or leave template out for the generic list.
"""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import CatalogError

__all__ = [
    "THEME_LANGUAGES",
    "THEME_TEMPLATE_DIR",
    "theme_templates",
    "load_theme_template",
    "template_description",
    "check_themes_section",
]

#: The languages every template covers (and the languages ``add`` may name, with "*" for all).
THEME_LANGUAGES = ("en", "da", "nb", "sv")
#: The folder of the template files.
THEME_TEMPLATE_DIR = Path(__file__).parent / "themes"
_SECTION_KEYS = ("template", "add", "drop")


def theme_templates() -> list[str]:
    """The names of the industry templates, sorted.

    Returns
    -------
    list of str
        One name per ``cxkit/data/themes/<name>.yaml`` (``_common.yaml``, the shared themes, is
        not a template).
    """
    return sorted(p.stem for p in THEME_TEMPLATE_DIR.glob("*.yaml") if not p.stem.startswith("_"))


@cache
def _read(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((THEME_TEMPLATE_DIR / f"{name}.yaml").read_text(encoding="utf-8")) or {})


def load_theme_template(name: str) -> dict[str, dict[str, list[str]]]:
    """Template ``name`` as theme -> {language: [terms]} (its ``common`` themes first), a new dict.

    Raises
    ------
    CatalogError
        ``name`` is not a template.
    """
    if name not in theme_templates():
        raise CatalogError(_unknown_template(name, "theme template"))
    doc = _read(name)
    common = _read("_common")
    out: dict[str, dict[str, list[str]]] = {}
    for theme in doc.get("common") or []:
        out[str(theme)] = {str(lang): [str(t) for t in terms] for lang, terms in common[theme].items()}
    for theme, by_lang in (doc.get("themes") or {}).items():
        out[str(theme)] = {str(lang): [str(t) for t in terms] for lang, terms in by_lang.items()}
    return out


def template_description(name: str) -> str:
    """The template's one-line description ("travel and airlines (...)")."""
    if name not in theme_templates():
        raise CatalogError(_unknown_template(name, "theme template"))
    return str(_read(name).get("description") or name)


def _unknown_template(name: object, what: str) -> str:
    names = theme_templates()
    close = difflib.get_close_matches(str(name), names, 1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return (
        f"{what} {name!r} is not a template{hint}; use one of {', '.join(names)}, or leave template out "
        "for the generic list."
    )


def _check_terms(terms: object, where: str) -> list[str]:
    if isinstance(terms, str) or not isinstance(terms, list) or not terms:
        raise CatalogError(f'{where} must be a non-empty list of terms, e.g. [lounge, "~gate"]; got {terms!r}.')
    out = []
    for term in terms:
        word = str(term).strip() if isinstance(term, (str, int)) else ""
        body = word.lstrip("!").strip().lstrip("~").strip().lstrip("=").rstrip("*").strip()
        if not body:
            raise CatalogError(
                f"{where}: {term!r} is not a term; write a word (delay), a prefix (forsink*), a phrase "
                '("on time"), a word form only ("=levert"), a weak term ("~late") or an exclusion '
                '("!setter pris på").'
            )
        out.append(word)
    return out


def check_themes_section(section: object, where: str) -> dict[str, Any]:
    """The catalog's ``themes`` section, checked: ``{"template": str | None, "add": {theme:
    {language: [terms]}}, "drop": [themes]}`` (missing keys filled in).

    Parameters
    ----------
    section : object
        The parsed YAML of the section.
    where : str
        The catalog file, for the messages.

    Raises
    ------
    CatalogError
        An unknown key or template, ``add`` that is not theme -> {language: [terms]} (or a list
        of terms for every language), a language other than en, da, nb, sv or "*", an empty
        term, or ``drop`` naming a theme the template does not have. The message names the key
        and the fix.
    """
    head = f"{where}: themes"
    if section is None:
        return {"template": None, "add": {}, "drop": []}
    if not isinstance(section, dict):
        raise CatalogError(
            f"{head} must be a mapping like {{template: travel, add: {{...}}, drop: [...]}}; got {section!r}."
        )
    unknown = [k for k in section if k not in _SECTION_KEYS]
    if unknown:
        hints = [
            f"{k!r}"
            + (f" (did you mean {m[0]!r}?)" if (m := difflib.get_close_matches(str(k), _SECTION_KEYS, 1)) else "")
            for k in unknown
        ]
        raise CatalogError(f"{head}: unknown key(s) {', '.join(hints)}; allowed: template, add, drop.")
    template = section.get("template")
    if template is not None and (not isinstance(template, str) or template not in theme_templates()):
        raise CatalogError(f"{head}: {_unknown_template(template, 'template')}")
    base = load_theme_template(template) if template else None
    add_raw = section.get("add") or {}
    if not isinstance(add_raw, dict):
        raise CatalogError(
            f"{head}: add must map theme names to {{language: [terms]}}, e.g. add: {{lounge: {{en: [lounge]}}}}; "
            f"got {add_raw!r}."
        )
    add: dict[str, dict[str, list[str]]] = {}
    for theme, by_lang in add_raw.items():
        key = f"{head}: add: {theme}"
        if isinstance(by_lang, list):
            by_lang = {"*": by_lang}
        if not isinstance(by_lang, dict) or not by_lang:
            raise CatalogError(
                f"{key} must map languages (en, da, nb, sv, or * for all) to lists of terms, e.g. "
                f"{theme}: {{en: [word], da: [ord*]}}; got {by_lang!r}."
            )
        add[str(theme)] = {}
        for lang, terms in by_lang.items():
            if str(lang) not in (*THEME_LANGUAGES, "*"):
                raise CatalogError(
                    f"{key}: {lang!r} is not a language of the themes; use en, da, nb, sv, or * for every language."
                )
            add[str(theme)][str(lang)] = _check_terms(terms, f"{key}: {lang}")
    drop_raw = section.get("drop") or []
    if isinstance(drop_raw, str):
        drop_raw = [drop_raw]
    if not isinstance(drop_raw, list):
        raise CatalogError(f"{head}: drop must be a list of theme names, e.g. drop: [food]; got {drop_raw!r}.")
    drop = [str(d) for d in drop_raw]
    if base is not None:  # without a template, cxkit.analysis.themes.theme_set checks drop against the generic list
        known = set(base)
        bad = [d for d in drop if d not in known and d not in add]
        if bad:
            raise CatalogError(
                f"{head}: drop names theme(s) {bad} that template {template!r} does not have; its themes are "
                f"{', '.join(sorted(known))}."
            )
    return {"template": template, "add": add, "drop": drop}
