"""The message catalogs of the report languages (issue 28): what the code asks to translate,
and the ``.po`` files that hold the translations (:mod:`cxkit.i18n` reads them).

``python -m cxkit._messages`` (``make messages``) extracts every message (the message
arguments of ``tr``, ``ntr``, ``tr_html`` and ``N_`` in ``cxkit/``, read from the syntax tree;
each markdown cell and the title of ``notebooks/``) and updates
``cxkit/locale/<language>/<domain>.po`` for da, nb and sv with Babel's catalog reader and
writer: new messages are added untranslated, messages that left the code are dropped, the
other translations kept. ``tests/test_i18n.py`` fails while any message is untranslated.

One domain per source file (``pack.nps_drivers``, ``notebook.nps_drivers``, ``display`` ...),
so that work on two pages never touches the same catalog file.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .i18n import LANGUAGES, LOCALE_DIR

PACKAGE = Path(__file__).parent
NOTEBOOKS = PACKAGE.parent / "notebooks"
#: Message functions: name -> the positions of their message arguments.
KEYWORDS: dict[str, tuple[int, ...]] = {"tr": (0,), "tr_html": (0,), "N_": (0,), "ntr": (0, 1)}
TRANSLATED = tuple(code for code in LANGUAGES if code != "en")


@dataclass(frozen=True)
class Message:
    """One message of the code: its id (a string, or (singular, plural)), domain and place."""

    id: str | tuple[str, str]
    domain: str
    where: str


def domain_of(path: Path) -> str:
    """``cxkit/pack/nps_drivers.py`` -> ``pack.nps_drivers``; ``notebooks/x.ipynb`` -> ``notebook.x``."""
    if path.suffix == ".ipynb":
        return f"notebook.{path.stem}"
    return ".".join(path.relative_to(PACKAGE).with_suffix("").parts)


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def python_messages(path: Path) -> tuple[list[Message], list[str]]:
    """The messages of one Python file, and the calls whose message is not a plain string
    (an f-string or a variable cannot be translated: its text is not known before it runs).

    Hand-written over the syntax tree rather than Babel's token-based extractor, because the
    check needs to see the calls it cannot extract (Babel skips them silently).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Message] = []
    bad: list[str] = []
    domain = domain_of(path)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _name(node.func) not in KEYWORDS:
            continue
        if isinstance(node.func, ast.Attribute) and _name(node.func.value) not in ("i18n", "cx"):
            continue  # some_object.tr(...) is not ours
        where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
        args = [node.args[i] if i < len(node.args) else None for i in KEYWORDS[_name(node.func)]]
        texts = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in args]
        if any(t is None for t in texts):
            bad.append(where)
            continue
        ids = [t for t in texts if t is not None]
        found.append(Message(ids[0] if len(ids) == 1 else (ids[0], ids[1]), domain, where))
    return found, bad


def notebook_messages(path: Path) -> list[Message]:
    """Each markdown cell of a pack notebook is one message (its whole source), and so is its title."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    found = []
    title = nb.get("metadata", {}).get("cxkit", {}).get("title")
    if title:  # the page's title, as the index and the page's head name it
        found.append(Message(title, domain_of(path), f"{path.relative_to(PACKAGE.parent)}#title"))
    for number, cell in enumerate(cells, 1):
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if text.strip():
                found.append(Message(text, domain_of(path), f"{path.relative_to(PACKAGE.parent)}#cell{number}"))
    return found


def extract(files: Iterable[Path] | None = None) -> tuple[list[Message], list[str]]:
    """Every message of the package and the notebooks (or of ``files``), and the untranslatable calls."""
    if files is None:
        files = [p for p in sorted(PACKAGE.rglob("*.py")) if p.name != "_messages.py"]
        files += sorted(NOTEBOOKS.glob("*.ipynb"))
    messages: list[Message] = []
    bad: list[str] = []
    for path in files:
        if path.suffix == ".ipynb":
            messages += notebook_messages(path)
        else:
            found, wrong = python_messages(path)
            messages += found
            bad += wrong
    return messages, bad


def po_path(code: str, domain: str) -> Path:
    return LOCALE_DIR / code / f"{domain}.po"


def update(messages: list[Message]) -> list[Path]:
    """Bring every language's ``.po`` files in line with ``messages``; the files written."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    by_domain: dict[str, list[Message]] = {}
    for message in messages:
        by_domain.setdefault(message.domain, []).append(message)
    written = []
    for code in TRANSLATED:
        folder = LOCALE_DIR / code
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.po"):
            if stale.stem not in by_domain:
                stale.unlink()
                written.append(stale)
        for domain, found in sorted(by_domain.items()):
            path = po_path(code, domain)
            old = {}
            if path.exists():
                with path.open("rb") as handle:
                    old = {
                        m.id if isinstance(m.id, str) else tuple(m.id): m for m in read_po(handle, locale=code) if m.id
                    }
            catalog = Catalog(locale=code, domain=domain, project="cxkit", fuzzy=False)
            for message in found:
                if message.id in catalog:
                    continue
                before = old.get(message.id)
                string: str | tuple[str, ...] = ("", "") if isinstance(message.id, tuple) else ""
                flags: set[str] = set()
                if before is not None:
                    kept = before.string or ""
                    string = tuple(kept) if isinstance(message.id, tuple) else str(kept)
                    flags = set(before.flags) - {"python-format"}
                catalog.add(message.id, string, flags=flags)
            text_before = path.read_bytes() if path.exists() else b""
            buffer = io.BytesIO()
            write_po(buffer, catalog, width=100, no_location=True, omit_header=True, sort_output=False)
            if buffer.getvalue() != text_before:
                path.write_bytes(buffer.getvalue())
                written.append(path)
    return written


def fill(code: str, domain: str, translations: dict[Any, Any]) -> int:
    """Set the translations of ``domain`` in language ``code`` (message id -> text, or
    (singular, plural) -> (form, form)); the number set. Messages not in the file are refused:
    run ``update`` first."""
    from babel.messages.pofile import read_po, write_po

    path = po_path(code, domain)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    done = 0
    for key, text in translations.items():
        message = catalog.get(key if isinstance(key, str) else key[0])
        if message is None:
            raise KeyError(f"{path}: no message {key!r}; run `python -m cxkit._messages` first")
        message.string = tuple(text) if isinstance(key, tuple) else text
        done += 1
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, no_location=True, omit_header=True, sort_output=False)
    path.write_bytes(buffer.getvalue())
    return done


def missing(code: str) -> dict[str, list[Any]]:
    """Untranslated (or fuzzy) message ids of language ``code``, by domain."""
    from babel.messages.pofile import read_po

    found: dict[str, list[Any]] = {}
    for path in sorted((LOCALE_DIR / code).glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=code):
                strings = message.string if isinstance(message.string, tuple | list) else [message.string]
                if message.id and (message.fuzzy or not all(strings)):
                    found.setdefault(path.stem, []).append(message.id)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cxkit._messages", description=__doc__.split("\n\n")[0])
    parser.add_argument("--missing", action="store_true", help="list the untranslated messages, by language and domain")
    args = parser.parse_args(argv)
    messages, bad = extract()
    for where in bad:
        print(f"{where}: the message is not a plain string literal; write it as tr('... {{name}} ...', name=value)")
    for path in update(messages):
        print(f"updated {path.relative_to(PACKAGE.parent)}")
    print(f"{len({m.id for m in messages})} messages in {len({m.domain for m in messages})} domains")
    if args.missing:
        for code in TRANSLATED:
            for domain, ids in missing(code).items():
                print(f"{code}/{domain}.po: {len(ids)} untranslated")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
