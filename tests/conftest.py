"""Shared fixtures: the project's folders, the shared public datasets, hermetic plotting."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

PROJECT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = PROJECT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """../shared/datasets beside the checkout; CI always has it, a user's clone may not."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED_DATASETS} (CI has them; a plain clone does not)")
    return SHARED_DATASETS


@pytest.fixture(scope="session")
def public_catalog(shared_datasets):
    import cxkit as cx

    return cx.load_catalog(PROJECT / "data" / "public.yaml")


@pytest.fixture(scope="session")
def feedback():
    """The bundled sample's feedback table (read once per test session; never mutated)."""
    import cxkit as cx

    return cx.load_feedback(cx.SAMPLE_DIR / "feedback.csv", drivers=cx.SAMPLE_DRIVERS).frame


@pytest.fixture(scope="session")
def truth() -> dict:
    """The sample's planted truth (data/sample/truth.json)."""
    import json

    return json.loads((PROJECT / "data" / "sample" / "truth.json").read_text())


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


# -- headless Chromium (the pack tests and the real-data matrix) ----------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def browser_unavailable(reason: str):
    """Skip, or fail where the browser must be there (CI sets CXKIT_REQUIRE_BROWSER=1 once
    `make system-deps` has installed Chromium): the XSS checks never pass by not running."""
    if os.environ.get("CXKIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (CXKIT_REQUIRE_BROWSER=1) but cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        browser_unavailable("Chromium not found at /usr/bin/chromium; run `make system-deps` (Debian package chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        browser_unavailable("playwright is not installed; it is in the test extra: `make test` installs it")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()
