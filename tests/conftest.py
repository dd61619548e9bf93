"""Shared fixtures: the project's folders, the shared public datasets, the sample pack built once
per run, hermetic plotting."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# Under `pytest -n N` (make test: -n 2 on 2 cores) the workers already keep every core busy, so
# a pack built by a test runs its notebooks in one kernel (CXKIT_JOBS, the runner's default for
# --jobs): a second kernel per pack would only add its start and imports, about 3 s of CPU per
# pack. Tests about running notebooks side by side pass jobs=2 themselves.
if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
    os.environ.setdefault("CXKIT_JOBS", "1")

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # a runtime-only environment: the property tests skip themselves
    pass
else:
    # Hypothesis by default fails an example that takes over 200 ms (its deadline) and a test
    # whose data are slow to generate (the too_slow health check): verdicts by wall-clock speed
    # on a loaded machine. Tests that give their own settings inherit these.
    settings.register_profile("cxkit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile("cxkit")

PROJECT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = PROJECT.parent / "shared" / "datasets"


@pytest.fixture(scope="session", autouse=True)
def warm_kernels():
    """The packs a test process builds (in-process, or by the ``cxkit report`` commands it
    starts) fork their kernels from one warm kernel server (:mod:`cxkit.pack.kernels`):
    about 80 kernels start in a run, each saving ~3 s of CPU. The runner's fault tests
    (``test_runner_faults.py``) run through it too; ``tests/test_kernels.py`` tests the server
    itself and kernels started from scratch. ``CXKIT_TEST_KERNEL_SERVER=0`` starts every
    kernel from scratch."""
    if os.environ.get("CXKIT_TEST_KERNEL_SERVER", "1") == "0":
        yield None
        return
    from cxkit.pack.kernels import kernel_server

    with kernel_server() as path:
        yield path


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
def sample_catalog():
    """The bundled sample's catalog (data/cxkit.yaml), each source read once per test process
    and cached by the catalog. Shared by every module: take a table with ``sample_table``,
    which copies it, never change the catalog's own frames."""
    import cxkit as cx

    return cx.load_catalog(cx.DEFAULT_CATALOG)


@pytest.fixture(scope="module")
def sample_table(sample_catalog):
    """``sample_table(name)``: a copy of the sample source's table for this module (as when each
    module read the catalog itself: a module that changes its table changes only its copy)."""
    copies: dict = {}

    def table(name: str):
        if name not in copies:
            copies[name] = sample_catalog[name].frame.copy()
        return copies[name]

    return table


@pytest.fixture(scope="session")
def truth() -> dict:
    """The sample's planted truth (data/sample/truth.json)."""
    import json

    return json.loads((PROJECT / "data" / "sample" / "truth.json").read_text())


@pytest.fixture(scope="session")
def sample_pack(tmp_path_factory) -> Path:
    """The bundled sample's pack (every pack notebook, data/cxkit.yaml, its last complete month),
    built once per test run and read by every test that needs it: never write into it.

    Under pytest-xdist the workers share it: the first worker to ask builds it in the run's
    shared temporary folder while holding a lock, the others wait for the lock and reuse it
    (a build takes 20 s idle and minutes under load; two workers must not both pay for it).
    """
    from cxkit.pack.runner import build_pack

    if os.environ.get("PYTEST_XDIST_WORKER") is None:  # one process: nothing to share
        return build_pack(out=tmp_path_factory.mktemp("sample_reports"), quiet=True)
    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, one per xdist session
    with _exclusive(shared / "sample_pack.lock"):
        built = shared / "sample_pack.path"
        if not built.exists():
            out = shared / "sample_reports"
            shutil.rmtree(out, ignore_errors=True)  # a worker that failed to build left it half done
            built.write_text(str(build_pack(out=out, quiet=True)), encoding="utf-8")
        return Path(built.read_text(encoding="utf-8"))


@contextlib.contextmanager
def _exclusive(path: Path):
    """Hold an exclusive lock on ``path`` (POSIX ``flock``; released by the OS if the holder
    dies). Hand-written in a few lines: ``filelock`` is only a transitive test dependency."""
    import fcntl

    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True, timeout=BROWSER_GUARD_MS)
        yield _GuardedBrowser(browser)
        browser.close()


#: Playwright's waits (launch, page loads, evaluations) give up after 30 s by default: on a
#: loaded machine a big page can take longer, which would be a verdict by wall-clock speed.
#: 10 minutes keeps a guard against a hung browser.
BROWSER_GUARD_MS = 600_000


class _GuardedBrowser:
    """The session's browser, whose new contexts wait up to :data:`BROWSER_GUARD_MS`."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.set_default_timeout(BROWSER_GUARD_MS)
        context.set_default_navigation_timeout(BROWSER_GUARD_MS)
        return context

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.set_default_timeout(BROWSER_GUARD_MS)
        page.set_default_navigation_timeout(BROWSER_GUARD_MS)
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


# -- notebooks run by nbval (testpaths has notebooks/) -----------------------------------------


#: Seconds a test worker spends on each file, the slowest (wall time summed over the file's tests,
#: measured with a per-test probe over the whole suite under `pytest -n 2`, session 9, packs in
#: one kernel each; refresh them when a file's cost changes much). Wall, not processor, time:
#: files that wait on a browser or a subprocess hold their worker as long. The run starts with
#: these, so that under `--dist loadfile` the two workers end on small files and finish together;
#: xdist's own order (most tests first) left files of a few heavy tests, such as the real-data
#: matrix, for the end, where one worker could be left running them alone. The session's
#: sample_pack (about 16 s) is counted in whichever file asked for it first in that run.
SLOW_FILES = {
    "tests/test_realdata_b.py": 83,
    "tests/test_realdata_a.py": 80,
    "tests/test_pack.py": 75,
    "tests/test_report.py": 71,
    "tests/test_runner_faults.py": 48,
    "tests/test_summary.py": 45,
    "tests/test_distributed.py": 39,
    # mypy on the whole tree, cold on a fresh clone (make test no longer runs it before the suite)
    "tests/test_types.py": 41,
    "tests/test_pack_languages.py": 37,
    "tests/test_pack_danish.py": 32,
    "tests/test_privacy.py": 18,
    "tests/test_journey_page.py": 18,
    "tests/test_own_data.py": 18,
    "tests/test_sentiment.py": 16,
    "tests/test_churn.py": 16,
    "tests/test_churn_page.py": 15,
    "tests/test_properties_models.py": 15,
    "tests/test_review_page.py": 15,
    "tests/test_reader_fuzz.py": 13,
    "tests/test_runner_progress.py": 13,
    "tests/test_sentiment_scale.py": 12,
    "tests/test_catalog_policy.py": 12,
    "tests/test_sentiment_languages.py": 11,
    "tests/test_plots.py": 10,
    "tests/test_runner_memory.py": 10,
    "tests/test_layers.py": 9,
    "tests/test_weighting_variance.py": 9,
    "notebooks/review_sentiment.ipynb": 9,
    "tests/test_stages.py": 8,
    "tests/test_sample.py": 8,
    "tests/test_sentiment_speed.py": 8,
    "tests/test_nps_page.py": 7,
    "tests/test_validation_reference.py": 7,
    "tests/test_sentiment_calibration.py": 7,
    "tests/test_catalog.py": 7,
    "tests/test_survival.py": 7,
    "tests/test_sql.py": 7,
    "tests/test_drilldown.py": 7,
    "tests/test_nps.py": 7,
    "notebooks/churn_regression.ipynb": 7,
    "tests/test_drivers_bootstrap.py": 6,
    "notebooks/journey_stages.ipynb": 6,
    "notebooks/nps_drivers.ipynb": 6,
    "tests/test_i18n_churn.py": 6,
    "tests/test_hostile_files.py": 6,
    "tests/test_properties_intervals.py": 6,
    "tests/test_i18n_reviews.py": 6,
    "tests/test_i18n_nps.py": 5,
    "tests/test_docs.py": 4,
    "tests/test_pack_speed.py": 4,
    "tests/test_i18n_journey.py": 4,
}


def pytest_collection_modifyitems(items):
    # The slowest files first (SLOW_FILES; a stable sort keeps each file's tests in order, and
    # the other files in collection order). pyproject's --no-loadscope-reorder makes xdist
    # hand out the files in this order.
    items.sort(key=lambda item: -SLOW_FILES.get(item.nodeid.split("::", 1)[0], 0))
    # nbval fails a cell when the kernel's last messages of a cell come more than 5 s after its
    # reply (a constant it sets on every cell item): on a loaded machine that is a verdict by
    # wall-clock speed. 600 s keeps a guard against a hung kernel; a cell that finishes in time
    # is not waited for. --nbval-kernel-startup-timeout (pyproject's addopts) does the same for
    # the kernel's start.
    for item in items:
        if type(item).__module__.startswith("nbval") and getattr(item, "output_timeout", None) == 5:
            item.output_timeout = 600
