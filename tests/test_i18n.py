"""Report languages (issue 28): every message translated in every language, placeholders kept,
numbers in the locale's format that parse back, the language chosen the documented ways."""

from __future__ import annotations

import datetime as dt

import pytest
from babel.numbers import parse_decimal

from cxkit import _messages, i18n
from cxkit.errors import CatalogError, ParameterError

LANGS = ("da", "nb", "sv")


@pytest.fixture(scope="module")
def extracted():
    return _messages.extract()


def test_every_message_is_a_plain_string(extracted):
    """An f-string or a variable inside tr() cannot be translated: its text is unknown until it runs."""
    _, bad = extracted
    assert not bad, "untranslatable tr() calls (use tr('... {name} ...', name=value)): " + ", ".join(bad)


@pytest.mark.parametrize("code", LANGS)
def test_every_message_has_a_translation(extracted, code):
    """A missing key fails: each message of the code has a non-empty, non-fuzzy translation in
    its domain's catalog, with the same placeholders."""
    from babel.messages.pofile import read_po

    messages, _ = extracted
    problems = []
    catalogs: dict[str, dict] = {}
    for message in messages:
        if message.domain not in catalogs:
            path = _messages.po_path(code, message.domain)
            if not path.exists():
                catalogs[message.domain] = {}
            else:
                with path.open("rb") as handle:
                    catalogs[message.domain] = {
                        (m.id if isinstance(m.id, str) else tuple(m.id)): m
                        for m in read_po(handle, locale=code)
                        if m.id
                    }
        found = catalogs[message.domain].get(message.id)
        if found is None:
            problems.append(f"{message.where}: {message.id!r} is missing from {code}/{message.domain}.po")
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [found.string] if isinstance(message.id, str) else list(found.string)
        if found.fuzzy or not all(strings):
            problems.append(f"{message.where}: {message.id!r} is not translated in {code}/{message.domain}.po")
            continue
        wanted = i18n.placeholders(ids[-1])
        for text in strings:
            if i18n.placeholders(text) - wanted or (
                isinstance(message.id, str) and i18n.placeholders(text) != i18n.placeholders(ids[0])
            ):
                problems.append(f"{message.where}: the {code} translation of {message.id!r} changes the placeholders")
    assert not problems, f"{len(problems)} problems (run `python -m cxkit._messages`):\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("code", LANGS)
def test_no_stale_translations(extracted, code):
    """Catalogs hold only messages the code still uses (`python -m cxkit._messages` prunes them)."""
    from babel.messages.pofile import read_po

    messages, _ = extracted
    wanted = {(m.domain, m.id) for m in messages}
    stale = []
    for path in sorted((i18n.LOCALE_DIR / code).glob("*.po")):
        with path.open("rb") as handle:
            for m in read_po(handle, locale=code):
                key = m.id if isinstance(m.id, str) else tuple(m.id)
                if m.id and (path.stem, key) not in wanted:
                    stale.append(f"{path.name}: {key!r}")
    assert not stale, "\n".join(stale[:20])


def test_the_checker_sees_untranslatable_calls(tmp_path, monkeypatch):
    """The extraction check itself can fail: an f-string message and a variable are reported."""
    monkeypatch.setattr(_messages, "PACKAGE", tmp_path)
    source = tmp_path / "page.py"
    source.write_text('from cxkit.i18n import tr\nx = tr(f"{1} rows")\ny = tr(name)\nz = tr("fine {n}", n=1)\n')
    found, bad = _messages.python_messages(source)
    assert [m.id for m in found] == ["fine {n}"]
    assert [b.rsplit("/", 1)[-1] for b in bad] == ["page.py:2", "page.py:3"]


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("code", ["en", *LANGS])
@pytest.mark.parametrize("value", [0.0, 1.5, -2.25, 1234.5, -98765.4321, 1_000_000.0])
def test_decimals_parse_back_in_the_locale(code, value):
    with i18n.language(code):
        text = i18n.decimal(value, 2)
    locale = {"en": "en_GB", "da": "da_DK", "nb": "nb_NO", "sv": "sv_SE"}[code]
    assert float(parse_decimal(text.replace("−", "-"), locale=locale, strict=True)) == pytest.approx(round(value, 2))


@pytest.mark.parametrize(
    ("code", "number", "share", "month", "ci"),
    [
        ("en", "1,234.5", "26.5%", "2026-10", "95% CI 15.7 to 23.1"),
        ("da", "1.234,5", "26,5\u00a0%", "oktober 2026", "95\u00a0%-KI 15,7 til 23,1"),
        ("nb", "1\u00a0234,5", "26,5\u00a0%", "oktober 2026", "95\u00a0% KI 15,7 til 23,1"),
        ("sv", "1\u00a0234,5", "26,5\u00a0%", "oktober 2026", "95\u00a0% KI 15,7 till 23,1"),
    ],
)
def test_locale_formats(code, number, share, month, ci):
    """The published forms (CLDR via Babel): Danish groups with '.', Norwegian and Swedish with a
    no-break space; all three write the percent sign after a no-break space."""
    with i18n.language(code):
        assert i18n.decimal(1234.5, 1) == number
        assert i18n.percent(0.265, 1) == share
        assert i18n.month("2026-10") == month
        assert i18n.interval(15.71, 23.08, 1) == ci
        assert i18n.p_value(0.0341) == ("0.034" if code == "en" else "0,034")
        assert i18n.p_value(0.00001).startswith("< 0")


def test_negative_zero_and_missing():
    with i18n.language("da"):
        assert i18n.decimal(-0.01, 1) == "0,0"
        assert i18n.decimal(float("nan"), 1) == ""
        assert i18n.percent(None, 1) == ""  # type: ignore[arg-type]
        assert i18n.decimal(2.0, 1, sign=True) == "+2,0"
        assert i18n.date(dt.date(2026, 10, 31)) == "31. okt. 2026"


# --------------------------------------------------------------------------- choosing the language


def test_language_is_checked_with_a_fix():
    with pytest.raises(
        ParameterError, match=r"'fi'.*en \(English\), da \(Dansk\), nb \(Norsk bokmål\), sv \(Svenska\)"
    ):
        i18n.set_language("fi")
    assert i18n.check_language("no") == "nb"
    assert i18n.check_language("da_DK") == "da"
    assert i18n.check_language("SV") == "sv"


def test_language_context_and_process(monkeypatch):
    monkeypatch.delenv("CXKIT_LANGUAGE", raising=False)
    assert i18n.get_language() == "en"
    with i18n.language("sv"):
        assert i18n.tr("Data quality") == "Datakvalitet"
        assert i18n.ntr("{n} source", "{n} sources", 2, n="2") == "2 sources"  # not a message: English
    assert i18n.get_language() == "en"
    with i18n.process_language("nb"):
        assert i18n.get_language() == "nb"
    assert i18n.get_language() == "en"
    monkeypatch.setenv("CXKIT_LANGUAGE", "da")
    assert i18n.get_language() == "da"


def test_catalog_setting_is_checked(tmp_path):
    from cxkit.data.catalog import load_catalog

    path = tmp_path / "cxkit.yaml"
    (tmp_path / "a.csv").write_text("x\n1\n")
    source = "version: 1\nsources: {a: {path: a.csv, table: feedback}}\n"
    path.write_text(source + "settings: {language: DK}\n")
    assert load_catalog(path).language == "da"
    path.write_text(source + "settings: {language: finnish}\n")
    with pytest.raises(CatalogError, match=r"cxkit.yaml: settings: language: 'finnish'.*use one of en, da, nb, sv"):
        load_catalog(path)


def test_html_messages_escape_the_text_and_plain_values():
    from markupsafe import Markup

    html = i18n.tr_html("{name} wrote <b>", name="<script>x</script>")
    assert "<script>" not in html and "&lt;b&gt;" in html
    assert i18n.tr_html("see {link}", link=Markup('<a href="a.html">a</a>')) == 'see <a href="a.html">a</a>'


def test_the_run_checks_language_and_pdf_before_any_notebook(tmp_path, monkeypatch):
    """A wrong --language is a parameter error (exit 2); --pdf without Chromium fails at once
    (exit 13) and says how to install it, before a notebook runs or a pack folder appears."""
    from cxkit.errors import PdfError
    from cxkit.pack.runner import build_pack

    with pytest.raises(ParameterError, match=r"--language 'fi' is not one cxkit writes; use one of en \(English\)"):
        build_pack(out=tmp_path, language="fi", quiet=True)
    monkeypatch.setenv("CXKIT_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(PdfError, match=r"CXKIT_CHROMIUM=.* is not a program") as caught:
        build_pack(out=tmp_path, pdf=True, quiet=True)
    assert caught.value.exit_code == 13
    monkeypatch.delenv("CXKIT_CHROMIUM")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PdfError, match=r"sudo apt-get install chromium"):
        build_pack(out=tmp_path, pdf=True, quiet=True)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("code", LANGS)
def test_a_message_has_one_translation(code):
    """The catalogs of all domains are merged at run time (one lookup per message): a message
    translated two ways in two domains would depend on the order the files are read."""
    from babel.messages.pofile import read_po

    seen: dict = {}
    for path in sorted((i18n.LOCALE_DIR / code).glob("*.po")):
        with path.open("rb") as handle:
            for m in read_po(handle, locale=code):
                if m.id:
                    key = m.id if isinstance(m.id, str) else tuple(m.id)
                    text = m.string if isinstance(m.string, str) else tuple(m.string or ())
                    seen.setdefault(key, {}).setdefault(text, []).append(path.stem)
    differ = {key: texts for key, texts in seen.items() if len(texts) > 1}
    assert not differ, "translated differently in two domains:\n" + "\n".join(
        f"{key!r}: {texts}" for key, texts in list(differ.items())[:10]
    )
