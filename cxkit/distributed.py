"""Running the heavy steps on a Dask distributed cluster.

By default everything runs in this process. :func:`connect` (or ``cxkit report --scheduler
ADDRESS``, or ``settings: {scheduler: ADDRESS}`` in the catalog) points cxkit at a running
Dask scheduler; from then on the heavy steps send their work there and gather the results in
order, so the numbers are the same as in-process:

- :func:`cxkit.sentiment` scores its chunks of texts on the workers;
- the bootstrap resamples of :func:`cxkit.key_drivers` and :func:`cxkit.driver_change` run in
  blocks on the workers (every resample has its own seeded random stream, so where and in
  which blocks they run does not change a single draw);
- the journey analyses (:func:`cxkit.compare_stages`, :func:`cxkit.pain_points`,
  :func:`cxkit.channel_consistency`, :func:`cxkit.touchpoint_performance`, :func:`cxkit.analysis.funnel`,
  :func:`cxkit.funnel_by_month`, :func:`cxkit.month_events`) accept a Dask DataFrame of events
  (e.g. ``dask.dataframe.read_parquet("events/*.parquet")``): the workers reduce the events to
  exact counts and per-customer summaries, and the statistics are computed from those.

The workers need cxkit installed in the same version as the client (with the same numpy and
pandas); :func:`connect` checks this and says what differs.

Examples
--------
>>> import cxkit as cx
>>> cx.connect("") is None          # "" or None: in-process
True
>>> cx.current_cluster() is None
True
>>> cx.distributed.map_chunks(sum, [[1, 2], [3]])   # in-process when no cluster is connected
[3, 3]
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .errors import ClusterError

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

__all__ = ["connect", "current_cluster", "use_cluster", "ClusterError"]

#: Seconds to wait for the scheduler and its first worker before giving up.
DEFAULT_TIMEOUT = 10.0

_state: dict[str, Any] = {"client": None, "owned": False}

_R = TypeVar("_R")


def current_cluster() -> Client | None:
    """The ``distributed.Client`` cxkit sends its heavy steps to, or None (in-process).

    Returns
    -------
    distributed.Client or None
        The client set by :func:`connect` (or inside :func:`use_cluster`); None when
        everything runs in this process, the default.

    Examples
    --------
    >>> current_cluster() is None
    True
    """
    return _state["client"]


#: Short alias used inside cxkit.
current = current_cluster


def threads() -> int | None:
    """The worker threads of the connected cluster (summed over its workers), or None
    in-process: how many tasks it runs at once, for sizing the work sent to it.

    >>> threads() is None
    True
    """
    client = current()
    if client is None:
        return None
    return max(1, sum(int(n) for n in client.nthreads().values()))


def _close_current() -> None:
    client, owned = _state["client"], _state["owned"]
    _state["client"], _state["owned"] = None, False
    if client is not None and owned:
        with contextlib.suppress(Exception):
            client.close()


def _worker_versions() -> dict[str, str | None]:
    """What a worker would compute with (run on each worker by :func:`connect`)."""
    import numpy
    import pandas
    import scipy

    return {
        "cxkit": _cxkit_version(),
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "scipy": scipy.__version__,
    }


def _cxkit_version() -> str | None:
    """The installed cxkit's version (``cx.__version__``; None when cxkit runs uninstalled from
    a checkout), read from the package metadata: a base module does not import the package top."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cxkit")
    except PackageNotFoundError:
        return None


def connect(address: str | LocalCluster | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> Client | None:
    """Send cxkit's heavy steps to the Dask scheduler at ``address`` (``""`` or None: in-process).

    Parameters
    ----------
    address : str or None
        The scheduler's address, e.g. ``"tcp://10.0.0.5:8786"`` (what ``dask scheduler``
        prints), or a ``distributed.LocalCluster``'s ``scheduler_address``. ``""`` or None
        closes any cluster connection cxkit made and runs everything in this process.
    timeout : float, keyword-only
        Seconds to wait for the scheduler and for at least one worker.

    Returns
    -------
    distributed.Client or None
        The client now used by cxkit (None in-process). Also usable as ``with
        cx.use_cluster(address): ...``, which restores the previous setting afterwards.

    Raises
    ------
    ClusterError
        The scheduler does not answer within ``timeout``, has no worker, or a worker runs
        another version of cxkit, numpy, pandas or scipy (results could differ).

    Examples
    --------
    >>> connect(None) is None
    True
    """
    if address is not None and not isinstance(address, str):
        address = getattr(address, "scheduler_address", address)
    if address is not None and not isinstance(address, str):
        raise TypeError(
            f"connect needs a scheduler address such as 'tcp://host:8786' (a str), not {type(address).__name__}."
        )
    _close_current()
    if not address or not address.strip():
        return None
    address = address.strip()
    from distributed import Client

    fix = (
        f"Start a scheduler with `dask scheduler` and workers with `dask worker {address}`, check the "
        f"address and that the port is open, or run in-process (scheduler '' / no --scheduler)."
    )
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {address!r} within {timeout:g} s ({type(err).__name__}: {err}). {fix}"
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError) as err:
            raise ClusterError(
                f"the Dask scheduler at {address!r} has no workers after {timeout:g} s ({type(err).__name__}). {fix}"
            ) from None
        try:
            versions = client.run(_worker_versions)
        except Exception as err:  # a worker that cannot import cxkit fails here
            raise ClusterError(
                f"the workers of {address!r} cannot run cxkit ({type(err).__name__}: {err}). "
                f"Install this cxkit on every worker: pip install -r requirements.lock and "
                f"pip install --no-deps <cxkit checkout>."
            ) from None
        mine = _worker_versions()
        for worker, theirs in versions.items():
            differ = {k: (v, theirs.get(k)) for k, v in mine.items() if theirs.get(k) != v}
            if differ:
                listed = ", ".join(f"{k} {a} here, {b} there" for k, (a, b) in differ.items())
                raise ClusterError(
                    f"worker {worker} of {address!r} runs other versions ({listed}); results "
                    f"could differ. Install the same requirements.lock and cxkit on every worker."
                )
    except BaseException:
        with contextlib.suppress(Exception):
            client.close()
        raise
    _state["client"], _state["owned"] = client, True
    return client


@contextlib.contextmanager
def use_cluster(
    address: str | LocalCluster | None = None, *, timeout: float = DEFAULT_TIMEOUT
) -> Iterator[Client | None]:
    """``with use_cluster(address):`` runs the heavy steps on that cluster, then restores the
    previous setting (in-process, or the cluster connected before).

    The client made here is closed on leaving the block; a client connected before is kept
    open and used again afterwards.

    Parameters
    ----------
    address : str or None
        The scheduler's address, as for :func:`connect` (e.g. ``"tcp://10.0.0.5:8786"``, or a
        ``distributed.LocalCluster``); ``""`` or None runs the block in-process.
    timeout : float, default DEFAULT_TIMEOUT (10 s)
        Keyword-only: seconds to wait for the scheduler and for at least one worker.

    Yields
    ------
    distributed.Client or None
        The client used inside the block (None in-process).

    Raises
    ------
    ClusterError
        As :func:`connect`: the scheduler does not answer within ``timeout``, has no worker,
        or a worker runs other versions of cxkit, numpy, pandas or scipy.

    Examples
    --------
    >>> with use_cluster("") as client:
    ...     client is None
    True
    """
    previous = (_state["client"], _state["owned"])
    _state["client"], _state["owned"] = None, False  # keep the previous client open
    try:
        yield connect(address, timeout=timeout)
    finally:
        _close_current()
        _state["client"], _state["owned"] = previous


def map_chunks(func: Callable[..., _R], chunks: Iterable[Any], *args: Any) -> list[_R]:
    """``[func(chunk, *args) for chunk in chunks]``, on the cluster when one is connected.

    The results come back in the order of ``chunks``; ``args`` are sent to the workers once
    (scattered), not once per chunk. ``func`` must be a module-level function of an installed
    package (the workers import it by name).

    >>> map_chunks(pow, [2, 3], 2)
    [4, 9]
    """
    chunks = list(chunks)
    client = current()
    if client is None or not chunks:
        return [func(chunk, *args) for chunk in chunks]
    # a list given to scatter is sent element by element: wrap each argument to send it whole
    shared = [client.scatter([arg], hash=False)[0] if _worth_scattering(arg) else arg for arg in args]
    futures = [client.submit(func, chunk, *shared, pure=False) for chunk in chunks]
    try:
        return cast(list[_R], client.gather(futures))
    finally:
        for future in futures:
            future.release()


def _worth_scattering(arg: object) -> bool:
    return not isinstance(arg, (int, float, str, bool, type(None)))


def compute(*collections: Any) -> tuple[Any, ...]:
    """Compute Dask collections on the connected cluster (or Dask's default scheduler)."""
    import dask

    client = current()
    computed = dask.compute(*collections, scheduler=client) if client is not None else dask.compute(*collections)
    return cast(tuple[Any, ...], computed)


def is_dask_frame(obj: object) -> bool:
    """True for a Dask DataFrame or Series (without importing Dask for anything else)."""
    module = type(obj).__module__ or ""
    return module.startswith("dask.") and hasattr(obj, "npartitions")
