"""The package's architecture, enforced: three layers with one-way imports, no import circles,
no private name taken from a public sibling (README "Layout").

The imports are read with ``ast``, so a violation fails here before anything runs:

- base (the modules at the root of ``cxkit/``) imports only the base;
- ``cxkit.data`` imports the base and ``data``;
- ``cxkit.analysis`` imports the base, ``data`` and ``analysis``;
- ``cxkit.pack`` may import everything; only the package's ``__init__`` and ``__main__`` (the
  entry points) import it;
- ``from .x import _name`` only from a private hub module (``_x``), never from a public one.
"""

from __future__ import annotations

import ast
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cxkit"
LAYERS = ("data", "analysis", "pack")
ALLOWED = {
    "base": {"base"},
    "data": {"base", "data"},
    "analysis": {"base", "data", "analysis"},
    "pack": {"base", "data", "analysis", "pack"},
    "entry": {"base", "data", "analysis", "pack", "entry"},
}


def _modules(root: Path) -> dict[str, Path]:
    found = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("__main__",):
        return "entry"  # the package's __init__ (the flat API) and ``python -m cxkit``
    return parts[1] if parts[1] in LAYERS else "base"


def _imports(modules: dict[str, Path]):
    """(importer, imported module, imported name) for every relative import in the package."""
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.level):
                continue
            base = package[: len(package) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                full = f"{target}.{alias.name}"
                yield name, full if full in modules else target, alias.name


def check(root: Path = PACKAGE) -> dict[str, list]:
    """Layer violations, private names taken from public modules, and import circles."""
    modules = _modules(root)
    top = root.name
    violations, private, edges = [], [], defaultdict(set)
    for importer, imported, name in _imports(modules):
        if imported not in modules or imported == importer:
            continue
        if _layer(imported) not in ALLOWED[_layer(importer)]:
            violations.append(f"{importer} ({_layer(importer)}) imports {imported} ({_layer(imported)})")
        if (
            name.startswith("_")
            and not name.startswith("__")
            and f"{imported}.{name}" not in modules
            and not imported.rsplit(".", 1)[-1].startswith("_")
        ):
            private.append(f"{importer} takes {name} from {imported}")
        if importer != top and imported not in {top} | {f"{top}.{layer}" for layer in LAYERS}:
            edges[importer].add(imported)
    return {"violations": sorted(set(violations)), "private": private, "circles": _circles(edges)}


def _circles(edges: dict) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(edges):
        if v not in index:
            visit(v)
    return found


def test_imports_go_one_way_between_the_layers():
    assert check()["violations"] == []


def test_no_private_name_is_taken_from_a_public_module():
    assert check()["private"] == []


def test_there_are_no_import_circles():
    assert check()["circles"] == []


def test_the_layers_are_folders_and_flat_within():
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(LAYERS)
    for layer in LAYERS:  # flat: no package inside a layer
        assert not [p for p in (PACKAGE / layer).iterdir() if p.is_dir() and (p / "__init__.py").exists()], layer


@pytest.fixture
def planted(tmp_path):
    """A copy of a tiny package shaped like cxkit, for planting violations."""

    def make(files: dict[str, str]) -> Path:
        root = tmp_path / "cxkit"
        for relative, text in {
            "__init__.py": "",
            "errors.py": "",
            "data/__init__.py": "",
            "data/schema.py": "",
            "analysis/__init__.py": "",
            "analysis/nps.py": "",
            "analysis/_hub.py": "",
            "pack/__init__.py": "",
            "pack/page.py": "",
            **files,
        }.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        return root

    return make


def test_the_check_fails_on_a_planted_sideways_or_upward_import(planted):
    root = planted(
        {
            "analysis/stages.py": "from .nps import _shared\nfrom ..pack.page import Page\n",
            "data/readers.py": "from ..analysis.nps import nps\n",
            "analysis/funnel.py": "from ._hub import _groups\n",
        }
    )
    found = check(root)
    assert found["private"] == ["cxkit.analysis.stages takes _shared from cxkit.analysis.nps"]
    assert found["violations"] == [
        "cxkit.analysis.stages (analysis) imports cxkit.pack.page (pack)",
        "cxkit.data.readers (data) imports cxkit.analysis.nps (analysis)",
    ]


def test_the_check_finds_a_planted_circle(planted):
    root = planted(
        {"analysis/nps.py": "from .drivers import key_drivers\n", "analysis/drivers.py": "from .nps import adjust_p\n"}
    )
    assert check(root)["circles"] == [["cxkit.analysis.drivers", "cxkit.analysis.nps"]]


def test_the_flat_api_is_imported_on_first_use_and_is_the_modules_own():
    """``import cxkit`` imports each public name on first use (PEP 562): every name of
    ``__all__`` resolves to its module's object, ``dir`` lists it, and a kernel that only
    reads a catalog and saves results never imports scipy.stats (issue 31: 1 s per kernel)."""
    import importlib
    import subprocess
    import sys

    import cxkit as cx

    for name in cx.__all__:
        value = getattr(cx, name)
        if name in cx._WHERE:
            assert value is getattr(importlib.import_module(cx._WHERE[name], "cxkit"), name), name
    assert set(cx.__all__) <= set(dir(cx))
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        cx.not_a_name  # noqa: B018
    code = (
        "import sys, cxkit as cx\ncx.load_catalog, cx.save_results, cx.table, cx.CxkitError\n"
        "print('scipy.stats' in sys.modules, 'statsmodels' in sys.modules, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


def test_a_churn_model_and_a_silenced_bar_import_only_what_they_use():
    """Issue 31 D5: a pack kernel fits its churn model through statsmodels' Logit module, not
    ``statsmodels.api`` (which also imports the graphics and time-series packages: about 1 s
    per kernel), and a silenced progress bar (the pack's kernels) does not import ipywidgets."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, pandas as pd, cxkit as cx\n"
        "rng = np.random.default_rng(0)\n"
        "x = rng.normal(size=400)\n"
        "df = pd.DataFrame({'churned': rng.random(400) < 1 / (1 + np.exp(-x)), 'x': x})\n"
        "cx.churn_model(df, covariates=['x'])\n"
        "cx.set_progress(False)\n"
        "list(cx.progress.track(range(3), desc='silent'))\n"
        "print('statsmodels.discrete.discrete_model' in sys.modules, 'statsmodels.api' in sys.modules,"
        " 'ipywidgets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False", "False"]
