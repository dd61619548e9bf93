"""The sample pack in Norwegian and Swedish (issue 28): no English left on any page apart from
the data, every number in the locale's format, months named, the pages' language declared.

The Danish pack, with the company's look and the PDF, is checked in tests/test_pack_danish.py;
the English one everywhere else."""

from __future__ import annotations

import re

import pytest
from pagescan_i18n import bad_numbers, english_in, sample_data_values, visible_parts

import cxkit as cx

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["nb", "sv"])
def pack(request, tmp_path_factory):
    from cxkit.pack.runner import build_pack

    folder = build_pack(out=tmp_path_factory.mktemp(f"pack_{request.param}"), quiet=True, language=request.param)
    return request.param, folder


@pytest.fixture(scope="module")
def data_values():
    return sample_data_values(cx.SAMPLE_DIR)


def check_pack(code, folder, data_values):
    """Every page of the pack in ``folder``: declared language, no English, locale numbers."""
    names, texts = data_values
    pages = sorted(folder.rglob("*.html"))
    assert len(pages) >= 6
    problems = []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        where = page.relative_to(folder)
        if not re.search(rf'<html[^>]* lang="{code}"', html):
            problems.append(f"{where}: <html lang> is not {code!r}")
        parts = visible_parts(html, texts)
        english = english_in(parts, names)
        if english:
            problems.append(f"{where}: English left: {english[:15]}")
        problems += [f"{where}: {bad}" for bad in bad_numbers(parts, code)[:5]]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_every_page_is_in_the_language(pack, data_values):
    code, folder = pack
    check_pack(code, folder, data_values)


def test_results_json_stays_machine_readable(pack, sample_pack):
    """results.json keeps its keys whatever the language (its sentences are in the language)."""
    import json

    _, folder = pack
    ours = json.loads((folder / "results.json").read_text())
    english = json.loads((sample_pack / "results.json").read_text())
    assert set(ours) == set(english)
    assert ours["nps"]["value"] == english["nps"]["value"]
