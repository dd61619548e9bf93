"""The heavy steps give the same numbers in-process and on a Dask cluster (cxkit/distributed.py).

One LocalCluster (two worker processes, so every task and its data really are pickled) serves
the whole file. Each comparison also checks that the work did run on the workers (the
scheduler's task stream), so a dispatch that silently stays in-process fails.
"""

from __future__ import annotations

import importlib
import os
import re
import socket
import warnings

import dask.dataframe as dd
import distributed
import numpy as np
import pandas as pd
import pytest

import cxkit as cx
from cxkit.pack import journey_stages as jp
from cxkit.pack.kernels import THREAD_VARIABLES

drivers_module = importlib.import_module("cxkit.analysis.drivers")
sentiment_module = importlib.import_module("cxkit.analysis.sentiment")  # cx.sentiment is the function


#: The connect timeout given to a live local scheduler: a guard against a hang, never a verdict
#: (5 s could pass on a loaded machine before the scheduler answers).
CONNECT_GUARD = 300


@pytest.fixture(scope="module")
def cluster():
    # about 1.3 s to start on 2 cores; processes=True, so every task and its data are pickled
    saved = dict(os.environ)
    try:
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local:
            # Each nanny puts its pre-spawn variables (OMP/MKL/OPENBLAS_NUM_THREADS=1 and
            # MALLOC_TRIM_THRESHOLD_) in this process's environment for good; its worker has
            # started: the tests get their environment back (the packs they build cap their
            # kernels' threads from it).
            os.environ.clear()
            os.environ.update(saved)
            yield local
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture()
def on_cluster(cluster):
    with cx.use_cluster(cluster.scheduler_address) as client:
        yield client
    assert cx.current_cluster() is None


@pytest.fixture(scope="module")
def catalog(sample_catalog):
    return sample_catalog  # conftest.py: the sample's catalog, read once per test process; read only


def _tasks_run(client, func):
    """func()'s result and the number of tasks the workers ran meanwhile."""
    with distributed.get_task_stream(client) as stream:
        result = func()
    return result, len(stream.data)


# --------------------------------------------------------------------------- connecting


def test_empty_address_is_in_process(cluster):
    assert cx.connect("") is None and cx.connect(None) is None
    assert cx.current_cluster() is None
    with cx.use_cluster(cluster.scheduler_address) as client:
        assert cx.current_cluster() is client
        with cx.use_cluster("") as inner:
            assert inner is None and cx.current_cluster() is None
        assert cx.current_cluster() is client  # the outer cluster comes back
    assert cx.current_cluster() is None
    assert cx.distributed.map_chunks(pow, [2, 3], 2) == [4, 9]


def test_unreachable_scheduler_is_a_clear_error_and_quick(monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    # Quick: the client gives up after the caller's timeout (checked on the Client it is handed,
    # not on a stopwatch, which a loaded machine can push past any bound).
    given = []

    def client(*args, **kwargs):
        given.append(kwargs.get("timeout"))
        return real_client(*args, **kwargs)

    real_client = distributed.Client
    monkeypatch.setattr(distributed, "Client", client)
    with pytest.raises(cx.ClusterError, match=rf"Dask scheduler at '{address}' within 1 s.*dask scheduler") as err:
        cx.connect(address, timeout=1)
    assert given == [1]
    assert isinstance(err.value, cx.CxkitError)
    assert cx.current_cluster() is None
    with pytest.raises(TypeError, match="scheduler address"):
        cx.connect(8786)


def test_connect_checks_the_workers_and_maps_in_order(cluster):
    client = cx.connect(cluster.scheduler_address, timeout=CONNECT_GUARD)
    try:
        assert cx.current_cluster() is client
        assert len(client.scheduler_info()["workers"]) == 2
        out, tasks = _tasks_run(client, lambda: cx.distributed.map_chunks(pow, list(range(30)), 3))
        assert out == [i**3 for i in range(30)] and tasks == 30
    finally:
        cx.connect("")
    assert cx.current_cluster() is None


def test_workers_with_another_cxkit_are_refused(cluster, monkeypatch):
    installed = cx.__version__
    monkeypatch.setattr(
        cx.distributed, "_cxkit_version", lambda: "0.0.test"
    )  # this client now differs from its workers
    expected = rf"runs other versions \(cxkit 0\.0\.test here, {re.escape(installed)} there\).*same requirements"
    with pytest.raises(cx.ClusterError, match=expected):
        cx.connect(cluster.scheduler_address, timeout=CONNECT_GUARD)
    assert cx.current_cluster() is None


# --------------------------------------------------------------------------- sentiment


def test_sentiment_is_the_same_on_the_cluster(catalog, on_cluster, monkeypatch):
    reviews = catalog["reviews"].frame
    # a few hundred texts in every language, the language given for some and detected for others
    sample = pd.concat([part.head(60) for _, part in reviews.groupby("language", dropna=False)])
    texts = pd.concat(
        [sample["text"], pd.Series(["", None, "Das ist sehr gut.", "Great!", "Great!"])], ignore_index=True
    )
    languages = [*sample["language"].where(np.arange(len(sample)) % 3 > 0, None), None, None, None, "en", None]
    assert len(texts) >= 200 and len(set(sample["language"].dropna())) >= 4
    with cx.use_cluster(""):
        whole = cx.sentiment(texts, languages)
    monkeypatch.setattr(sentiment_module, "_CHUNK", 37)  # several chunks, spread over both workers
    with cx.use_cluster(""):
        chunked = cx.sentiment(texts, languages)
    remote, tasks = _tasks_run(on_cluster, lambda: cx.sentiment(texts, languages))
    assert tasks >= 2
    pd.testing.assert_frame_equal(chunked, whole)
    pd.testing.assert_frame_equal(remote, whole)
    assert remote["scored"].sum() > 150


# --------------------------------------------------------------------------- bootstrap


@pytest.fixture(scope="module")
def october(catalog):
    fb = catalog["feedback"].frame
    return fb[(fb.responded_at >= "2026-10-01") & (fb.responded_at < "2026-11-01")]


def test_key_driver_bootstrap_is_the_same_on_the_cluster(october, on_cluster):
    with cx.use_cluster(""):
        here = cx.key_drivers(october, "nps", cx.SAMPLE_DRIVERS, method="both", bootstrap=40, seed=7)
    there, tasks = _tasks_run(
        on_cluster, lambda: cx.key_drivers(october, "nps", cx.SAMPLE_DRIVERS, method="both", bootstrap=40, seed=7)
    )
    assert tasks == 2  # 40 resamples (linear): one block per worker thread, 2 x 20
    # in-process the same 40 resamples run in 4 blocks of 10 (two per core): the blocks differ,
    # the numbers may not (test_bootstrap_draws_do_not_depend_on_blocks_and_follow_the_seed)
    pd.testing.assert_frame_equal(there, here, check_exact=False, rtol=1e-9, atol=1e-12)
    assert there.attrs == here.attrs
    assert here["ci_low"].notna().all() and (here["ci_low"] < here["ci_high"]).all()


def test_driver_change_is_the_same_on_the_cluster(catalog, on_cluster, monkeypatch):
    # To the last digit with the workers' threads (one each, capped by their nannies): the
    # bootstrap's blocks follow the threads, and their sums round by the order of the blocks.
    for name in THREAD_VARIABLES:
        monkeypatch.setenv(name, "1")
    fb = catalog["feedback"].frame
    with cx.use_cluster(""):
        here = cx.driver_change(fb, "nps", month="2026-10", bootstrap=20, seed=3)
    there = cx.driver_change(fb, "nps", month="2026-10", bootstrap=20, seed=3)
    pd.testing.assert_frame_equal(there, here, check_exact=True)


def test_bootstrap_draws_do_not_depend_on_blocks_and_follow_the_seed(october, monkeypatch):
    data = drivers_module._Data(october, "nps", cx.SAMPLE_DRIVERS, missing="listwise", model="auto")
    methods = ["shapley", "relative_weights"]
    reference = drivers_module._fit(data, methods, bootstrap=23, seed=11)["draws"]
    sizes = []
    real_size = drivers_module._block_size
    for block in (1, 4, 23, 1000):
        monkeypatch.setattr(drivers_module, "_block_size", lambda *a, block=block, **k: sizes.append(block) or block)
        draws = drivers_module._fit(data, methods, bootstrap=23, seed=11)["draws"]
        for m in methods:
            # a block's resamples share one matrix product (rows' products x the block's counts),
            # whose sums may round differently for another number of resamples: equal to 1e-9
            np.testing.assert_allclose(draws[m], reference[m], rtol=1e-9, atol=1e-12)
    assert sizes == [1, 4, 23, 1000]  # every block size was used
    monkeypatch.setattr(drivers_module, "_block_size", real_size)
    # resample b draws its rows from the b-th stream spawned from the seed, nothing else
    stream = np.random.SeedSequence(11).spawn(23)[17]
    n = len(data.y)
    weights = np.bincount(np.random.default_rng(stream).integers(0, n, n), minlength=n).astype(float)
    # (the bootstrap takes its resamples' sufficient statistics from one matrix product; one
    # resample computed alone sums in another order: equal to rounding, not bit for bit)
    np.testing.assert_allclose(
        reference["shapley"][17], drivers_module._importance(data, "shapley", weights)[0], rtol=1e-12, atol=1e-15
    )
    # more resamples extend the draws: the first 23 stay what they were
    longer = drivers_module._fit(data, methods, bootstrap=30, seed=11)["draws"]
    np.testing.assert_array_equal(longer["shapley"][:23], reference["shapley"])
    other = drivers_module._fit(data, methods, bootstrap=23, seed=12)["draws"]
    assert not np.allclose(other["shapley"], reference["shapley"])


def test_bootstrap_blocks_are_sized_by_the_cluster_threads():
    """On a cluster a linear bootstrap sends one block per worker thread (each block pays one
    pass over the rows' products), more only when a block's resample counts would pass 64 MB,
    then a multiple of the threads; logistic fits four blocks per thread. In-process sizes are
    those of before (two blocks per core, eight for logistic)."""
    size = drivers_module._block_size
    assert size(200, 100_000, logistic=False, cluster_threads=2) == 50  # 80 fit in 64 MB: 3 blocks -> 4
    assert size(200, 10_000, logistic=False, cluster_threads=2) == 100
    assert size(200, 10_000, logistic=False, cluster_threads=3) == 67
    assert size(200, 7_000, logistic=True, cluster_threads=2) == 25
    assert size(200, 100_000, logistic=False, cluster_threads=16) == 13  # 16 blocks of 13 (the last 5)
    assert size(0, 100, logistic=False, cluster_threads=2) == 1
    cores = drivers_module._threads.workers(200)
    assert size(200, 100_000, logistic=False) == min(-(-200 // (2 * cores)), 80)
    assert size(200, 7_000, logistic=True) == -(-200 // (8 * cores))


# --------------------------------------------------------------------------- journey


def _assert_same(remote: pd.DataFrame, local: pd.DataFrame) -> None:
    """Same table; numbers equal to 1e-9 (sums over counts instead of rows)."""
    pd.testing.assert_frame_equal(remote, local, check_exact=False, rtol=1e-9, atol=1e-9)
    assert remote.attrs == local.attrs


def _assert_close(remote, local, where="results") -> None:
    """Nested dicts equal, numbers to 1e-9."""
    if isinstance(local, dict):
        assert isinstance(remote, dict) and remote.keys() == local.keys(), where
        for key in local:
            _assert_close(remote[key], local[key], f"{where}[{key!r}]")
    elif isinstance(local, float) and not isinstance(remote, bool):
        assert remote == pytest.approx(local, rel=1e-9, abs=1e-9, nan_ok=True), where
    else:
        assert remote == local, where


@pytest.fixture(scope="module")
def event_files(catalog, tmp_path_factory):
    """The sample journey as Parquet files, one per quarter, as a warehouse export would be."""
    journey = catalog["journey"].frame
    folder = tmp_path_factory.mktemp("events")
    quarter = journey["occurred_at"].dt.to_period("Q").astype(str)
    for name, part in journey.groupby(quarter):
        part.to_parquet(folder / f"events-{name}.parquet", index=False)
    return journey, sorted(folder.glob("*.parquet"))


def _journey_tables(events, history) -> dict:
    """The journey notebook's analyses of one month's events and the history up to it."""
    return {
        "stages": cx.compare_stages(events, score="csat"),
        "pain": cx.pain_points(events, score="csat", min_n=30),
        "performance": cx.touchpoint_performance(events),
        "consistency": cx.channel_consistency(events, score="csat", min_n=30),
        "funnel": cx.funnel(history),
        "months": cx.funnel_by_month(history),
    }


def test_journey_analyses_are_the_same_on_the_cluster(event_files, catalog, on_cluster):
    journey, files = event_files
    assert len(files) >= 3
    events_dd = dd.read_parquet([str(f) for f in files])
    with cx.use_cluster(""), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        events = cx.month_events(journey, "")
        local = _journey_tables(events, cx.month_events(journey, events.attrs["month"], through=True))

    def remote_run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            month = cx.month_events(events_dd, "")
            assert month.attrs["month"] == events.attrs["month"]
            return _journey_tables(month, cx.month_events(events_dd, month.attrs["month"], through=True))

    remote, tasks = _tasks_run(on_cluster, remote_run)
    assert tasks >= 10
    for part in ("stages", "omnibus", "pairwise", "ordinal"):
        _assert_same(getattr(remote["stages"], part), getattr(local["stages"], part))
    assert jp.stage_finding(remote["stages"]) == jp.stage_finding(local["stages"])
    for name in ("pain", "performance", "consistency", "funnel", "months"):
        _assert_same(remote[name], local[name])
    results = [
        jp.journey_results(
            res["stages"], pain=res["pain"], funnel=res["funnel"], months=res["months"], performance=res["performance"]
        )
        for res in (remote, local)
    ]
    _assert_close(results[0], results[1])


def test_journey_reduction_keeps_missing_values_and_journeys_without_ids():
    """Edge cases of the reduction to counts (Dask's own scheduler, no cluster needed)."""
    rng = np.random.default_rng(5)
    n = 3000
    events = pd.DataFrame(
        {
            "customer_id": pd.array(rng.choice([f"c{i}" for i in range(400)] + [None], n), dtype="string"),
            "occurred_at": pd.to_datetime("2026-01-01") + pd.to_timedelta(rng.integers(0, 200 * 86400, n), unit="s"),
            "journey_stage": rng.choice(["awareness", "consideration", "decision", "retention", None], n),
            "touchpoint": rng.choice(["web", "app", "billing", None], n),
            "channel": rng.choice(["web", "app"], n),
            "csat": pd.array(np.where(rng.random(n) < 0.1, None, rng.integers(1, 6, n)), dtype="Int64"),
            "success": pd.array(np.where(rng.random(n) < 0.2, None, rng.random(n) < 0.7), dtype="boolean"),
            "duration_s": np.where(rng.random(n) < 0.1, np.nan, rng.gamma(2.0, 30.0, n).round(1)),
        }
    )
    events.loc[::97, "occurred_at"] = pd.NaT
    lazy = dd.from_pandas(events, npartitions=5)
    no_ids = events.drop(columns="customer_id")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        pairs = [
            (
                cx.compare_stages(lazy, score="duration_s").pairwise,
                cx.compare_stages(events, score="duration_s").pairwise,
            ),
            (cx.pain_points(lazy), cx.pain_points(events)),
            (cx.touchpoint_performance(lazy), cx.touchpoint_performance(events)),
            (cx.channel_consistency(lazy, min_n=5), cx.channel_consistency(events, min_n=5)),
            (cx.funnel(lazy), cx.funnel(events)),
            (cx.funnel_by_month(lazy), cx.funnel_by_month(events)),
            (cx.funnel(dd.from_pandas(no_ids, npartitions=3)), cx.funnel(no_ids)),
            (cx.funnel_by_month(dd.from_pandas(no_ids, npartitions=3)), cx.funnel_by_month(no_ids)),
        ]
    for remote, local in pairs:
        _assert_same(remote, local)
    assert "left out" in " ".join(pairs[4][0].attrs["notes"])
    monthly = cx.month_events(lazy, "2026-03")
    # Dask stores Python strings as its own string dtype: the values are compared
    pd.testing.assert_frame_equal(monthly.compute(), cx.month_events(events, "2026-03"), check_dtype=False)


# --------------------------------------------------------------------------- the monthly pack


def test_pack_with_a_scheduler_gives_the_same_results_and_uses_the_cluster(cluster, sample_pack, tmp_path):
    """`cxkit report --scheduler`: the notebooks' heavy steps run on the workers, same numbers."""
    import json
    import shutil

    from cxkit._paths import PROJECT_DIR
    from cxkit.pack.runner import build_pack

    # The three notebooks with heavy steps, as a pack of their own (--only adds to a built pack).
    heavy = ["nps_drivers", "review_sentiment", "journey_stages"]
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in heavy:
        shutil.copy(PROJECT_DIR / "notebooks" / f"{name}.ipynb", notebooks)
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    with distributed.get_task_stream(client) as stream:  # every task the workers run meanwhile
        remote = build_pack(
            "2026-10", out=tmp_path / "remote", notebooks_dir=notebooks, quiet=True, scheduler=cluster.scheduler_address
        )
    client.close()
    ran = " ".join(str(task["key"]) for task in stream.data)
    for task in ("_run_chunk", "_resample_block", "read_parquet"):  # sentiment, bootstrap, journey events
        assert task in ran, f"no {task} task reached the cluster"
    # In-process, the same notebooks on the same catalog and month: the session's sample pack
    # (conftest.py; built without a scheduler). Each notebook writes its own results keys, so
    # that pack's results, less the two other notebooks' keys (null when not built) and their
    # skipped sections, are what a pack of these three alone gives in-process.
    local = json.loads((sample_pack / "manifest.json").read_text())
    assert sample_pack.name == "2026-10" and set(heavy) <= set(local["parameters"]["notebooks"])
    a = json.loads((sample_pack / "results.json").read_text())
    others = {key for name, keys in local["results_keys"].items() if name not in heavy for key in keys}
    a = {key: (None if key in others else value) for key, value in a.items()}
    a["sections_skipped"] = [entry for entry in a["sections_skipped"] if entry["page"] in heavy]
    b = json.loads((remote / "results.json").read_text())
    # The summary step's keys (issue 27) are drawn from every page's results, so a pack of three
    # pages has others than the whole pack; they are left out here.
    from cxkit.pack.summary import ADDED_KEYS

    a, b = ({k: v for k, v in r.items() if k not in ADDED_KEYS} for r in (a, b))
    assert set(a) == set(b) and {"drivers", "sentiment", "journey"} <= set(a)
    assert others and all(b[key] is None for key in others)

    def same(x, y, path):
        if isinstance(x, dict):
            assert set(x) == set(y), path
            for k in x:
                same(x[k], y[k], f"{path}/{k}")
        elif isinstance(x, list):
            assert len(x) == len(y), path
            for i, (u, v) in enumerate(zip(x, y)):
                same(u, v, f"{path}[{i}]")
        elif isinstance(x, float) and isinstance(y, float):
            assert x == pytest.approx(y, rel=1e-9, abs=1e-12, nan_ok=True), path
        else:
            assert x == y, path

    same(a, b, "results")


def test_pack_refuses_an_unreachable_scheduler_before_running(tmp_path, monkeypatch):
    import functools

    import cxkit.distributed
    from cxkit.pack.runner import ParameterError, build_pack

    # Nothing listens on the port, so no wait can reach it: 1 s instead of the default 10 s
    # that Dask spends retrying a refused connection (the verdict does not depend on it).
    monkeypatch.setattr(cxkit.distributed, "connect", functools.partial(cxkit.distributed.connect, timeout=1))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ParameterError, match=f"--scheduler: .*127.0.0.1:{port}"):
        build_pack("2026-10", out=tmp_path, only=["data_quality"], quiet=True, scheduler=f"tcp://127.0.0.1:{port}")
    assert not (tmp_path / "2026-10").exists()
