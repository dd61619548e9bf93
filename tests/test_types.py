"""Types on the public API (issue 30): every public function, method and result class of cxkit
is annotated, and `make lint`'s mypy (configured in pyproject.toml: strict, with a shrinking list
of exceptions) is clean on the tree and fails on a planted wrong type in a public signature."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import PROJECT

import cxkit

MYPY = Path(sys.executable).with_name("mypy")
needs_mypy = pytest.mark.skipif(not MYPY.exists(), reason="mypy is not installed (make test installs it)")


def _public_modules() -> list[str]:
    names = ["cxkit"]
    for info in pkgutil.walk_packages(cxkit.__path__, "cxkit."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return [n for n in names if n not in {"cxkit.analysis.lexicons.build"}]


def _unannotated(func: object, *, is_init: bool = False) -> list[str]:
    """The parameters (and 'return') of `func` that carry no annotation."""
    try:
        signature = inspect.signature(func)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return []
    annotations = getattr(func, "__annotations__", {})
    missing = [
        p.name for p in signature.parameters.values() if p.name not in {"self", "cls"} and p.name not in annotations
    ]
    if not is_init and "return" not in annotations:
        missing.append("return")
    return missing


def _public_objects() -> list[tuple[str, object]]:
    """The public functions and classes defined in the public modules, and every function and
    class of the flat `cx.*` API (some live in private hub modules such as cxkit._stats)."""
    objects: dict[str, object] = {}
    for modname in _public_modules():
        for name, obj in vars(importlib.import_module(modname)).items():
            if not name.startswith("_") and getattr(obj, "__module__", None) == modname:
                objects[f"{modname}.{name}"] = obj
    for name in cxkit.__all__:
        obj = getattr(cxkit, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            objects[f"{obj.__module__}.{obj.__name__}"] = obj
    return list(objects.items())


def _public_callables() -> dict[str, list[str]]:
    """Every public function, class method and property, with what lacks an annotation (an
    empty list when it is fully annotated)."""
    found: dict[str, list[str]] = {}
    for qualname, obj in _public_objects():
        if inspect.isfunction(obj):
            found[qualname] = _unannotated(obj)
        elif inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr != "__init__":
                    continue
                func = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
                if inspect.isfunction(func):
                    found[f"{qualname}.{attr}"] = _unannotated(func, is_init=attr == "__init__")
    return found


def test_every_public_function_and_method_is_annotated():
    callables = _public_callables()
    assert len(callables) > 200  # the walk found the package, not an empty shell
    missing = {name: lacks for name, lacks in callables.items() if lacks}
    assert not missing, f"{len(missing)} public callables lack annotations:\n" + "\n".join(
        f"  {name}: {', '.join(lacks)}" for name, lacks in sorted(missing.items())
    )


def test_the_flat_api_is_covered_by_the_walk():
    callables = _public_callables()
    for name in cxkit.__all__:
        obj = getattr(cxkit, name)
        if inspect.isfunction(obj):
            assert f"{obj.__module__}.{obj.__name__}" in callables, name


def _mypy(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    # A hang guard: a cold mypy run took almost 5 minutes with the machine's load at 13.
    return subprocess.run([str(MYPY), *args], cwd=cwd, capture_output=True, text=True, timeout=1800)


def _exceptions() -> set[str]:
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    ignored: set[str] = set()
    for override in config["tool"]["mypy"].get("overrides", []):
        if override.get("ignore_errors"):
            ignored.update(override["module"])
    return ignored


def test_the_strict_modules_are_not_excepted():
    """The data layer and the base modules are strict: none may sit in the exceptions list."""
    strict = [m for m in _public_modules() if m.startswith("cxkit.data") or m.count(".") == 1]
    strict += ["cxkit._stats", "cxkit._paths", "cxkit.data._raw"]
    strict = [m for m in strict if m.split(".")[1] not in {"analysis", "pack"}]
    assert sorted(set(strict) & _exceptions()) == []


@needs_mypy
@pytest.mark.slow
def test_mypy_is_clean_on_the_tree():
    result = _mypy()
    assert result.returncode == 0, result.stdout[-4000:]


@needs_mypy
@pytest.mark.slow
def test_mypy_fails_on_a_planted_wrong_type_in_a_public_signature(tmp_path):
    """`cxkit.progress.enabled` claims to return a str, in a copy of that public module checked
    with the project's mypy configuration (its strictness, its list of exceptions).

    The copy holds that module alone (it imports nothing else of cxkit): mypy then checks two
    small files in about a second. Planted in the whole tree, mypy must reload the cached types
    of pandas and every module (about 16 s of CPU) however few modules it re-checks."""
    shutil.copy(PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "cxkit").mkdir()
    (tmp_path / "cxkit" / "__init__.py").write_text("", encoding="utf-8")
    assert "cxkit.progress" not in _exceptions()
    source = (PROJECT / "cxkit" / "progress.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import) (cxkit|\.)", source, re.M), (
        "progress.py imports cxkit now: plant elsewhere"
    )
    planted = re.sub(r"^def enabled\(\) -> bool:", "def enabled() -> str:", source, count=1, flags=re.M)
    assert planted != source, "the planted signature was not found: update this test"
    (tmp_path / "cxkit" / "progress.py").write_text(planted, encoding="utf-8")
    result = _mypy(cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert errors and all(
        line.startswith("cxkit/progress.py:") and line.endswith("[return-value]") for line in errors
    ), result.stdout
