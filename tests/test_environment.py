"""The environment files agree: pyproject.toml pins == environment.yml == the lock files."""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import PROJECT


def _pyproject_pins(*, runtime_only: bool = False) -> dict[str, str]:
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"]
    if not runtime_only:
        deps = deps + [d for extra in project["optional-dependencies"].values() for d in extra]
    pins = {}
    for dep in deps:
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)(\[[^\]]+\])?==([^;\s]+)", dep)
        assert m, f"pyproject.toml dependency {dep!r} is not pinned with =="
        pins[m.group(1).lower()] = m.group(3)
    return pins


def _environment_pins() -> dict[str, str]:
    env = yaml.safe_load((PROJECT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # a pip: section would list the same form
            for sub in dep.get("pip", []):
                name, version = sub.split("==")
                pins[re.sub(r"\[.*\]", "", name).lower()] = version
            continue
        name, _, version = re.split(r"(==|>=|=)", dep, maxsplit=1)
        if name.strip() != "python":
            pins[name.strip().lower()] = version.strip()
    return pins


def test_environment_yml_matches_pyproject():
    py, env = _pyproject_pins(), _environment_pins()
    assert set(py) == set(env), (
        f"only in pyproject: {set(py) - set(env)}; only in environment.yml: {set(env) - set(py)}"
    )
    drift = {k: (py[k], env[k]) for k in py if py[k] != env[k]}
    assert not drift, f"versions differ (pyproject, environment.yml): {drift}"


def test_required_packages_are_pinned():
    pins = _pyproject_pins()
    for name in ["jupyterlab", "pandas", "seaborn", "statsmodels", "papermill", "nbval", "nbconvert"]:
        assert name in pins, f"{name} is required by the project charter"


def test_the_lock_files_leave_out_the_excluded_packages():
    """requirements-excludes.txt (rfc3987-syntax: 0.8-2 s at every nbformat import) is passed
    to uv by make lock; a lock compiled without it would bring the package back."""
    excluded = [
        line.strip().lower()
        for line in (PROJECT / "requirements-excludes.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert excluded == ["rfc3987-syntax"]
    for lock in ["requirements.lock", "requirements-test.lock"]:
        text = (PROJECT / lock).read_text().lower()
        assert "--excludes requirements-excludes.txt" in text, f"{lock}: run make lock"
        for name in excluded:
            assert f"\n{name}==" not in text, f"{lock} pins {name}; run make lock"


def test_make_installs_the_locks_as_they_are_and_the_excluded_packages_stay_out():
    """A lock installed with dependency resolution brings the excluded package back (jupyter-events'
    format-nongpl extra asks for it): so it was in every environment make built until session 9,
    and every process that imports nbformat paid 1.2 s. make installs the locks with --no-deps."""
    makefile = (PROJECT / "Makefile").read_text()
    installs = [line for line in makefile.splitlines() if "pip install" in line and "-r requirements" in line]
    assert len(installs) == 2 and all("--no-deps" in line for line in installs), installs
    if Path(sys.prefix).resolve() != (PROJECT / ".venv").resolve():
        pytest.skip(f"not the environment make builds ({sys.prefix}); the check of what it holds needs .venv")
    for line in (PROJECT / "requirements-excludes.txt").read_text().splitlines():
        name = line.strip()
        if name and not name.startswith("#"):
            module = name.lower().replace("-", "_")
            assert importlib.util.find_spec(module) is None, f"{name} is installed in {sys.prefix}: run make test"


def test_lock_files_pin_the_same_versions():
    for lock, extra in [("requirements.lock", False), ("requirements-test.lock", True)]:
        pins = _pyproject_pins(runtime_only=not extra)
        locked = {}
        for line in (PROJECT / lock).read_text().splitlines():
            m = re.match(r"^([A-Za-z0-9_.\-]+)(\[[^\]]+\])?==([^\s;]+)", line)
            if m:
                locked[m.group(1).lower().replace("_", "-")] = m.group(3)
        for name, version in pins.items():
            assert locked.get(name) == version, (
                f"{lock} pins {name}=={locked.get(name)}, pyproject says {version}; run make lock"
            )
