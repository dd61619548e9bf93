"""Threads for cxkit's hot loops: BLAS/OpenMP pools held to one thread, the cores used by cxkit's own workers.

numpy's BLAS (OpenBLAS here) starts one busy-waiting thread per core for every matrix product.
The bootstrap's products are many and small (a few thousand rows, a few dozen columns), so those
threads mostly spin; with a second process on the machine (another kernel, the pack's other
notebook) they fight it for the cores, and the issue measured a 20-driver bootstrap at 342 s
with the default threads against 60 s with one. The loops gain more from running independent
resamples side by side, one per core, each with a single-threaded BLAS: numpy releases the GIL
inside its array operations and BLAS calls, so plain Python threads share the work, and a loaded
machine only slices their time instead of making pools spin against each other
(``benchmarks/drivers.py --load`` measures both).

- :func:`blas_threads` holds every BLAS/OpenMP pool of the process to ``n`` threads inside a
  ``with`` block or a decorated function (threadpoolctl, the scikit-learn project's tool);
- :func:`workers` says how many Python threads a loop should use;
- :func:`thread_map` runs a function over items on those threads, in order, with BLAS at one
  thread, reporting each finished item to a callback (progress bars).

``CXKIT_THREADS=n`` caps the threads cxkit uses; otherwise a cap the user or the pack's runner
set for the numerical libraries (``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
``MKL_NUM_THREADS``) is respected, and without one all the cores the process may run on are used.

>>> from cxkit import _threads
>>> _threads.thread_map(pow, [2, 3], 2)
[4, 9]
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["ENV_VAR", "available_cores", "blas_threads", "cores", "thread_map", "workers"]

#: ``CXKIT_THREADS=n`` caps the threads of cxkit's hot loops (1 runs them in the calling thread).
ENV_VAR = "CXKIT_THREADS"
_LIBRARY_CAPS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

_R = TypeVar("_R")
_controller: Any = None
_controller_modules = 0


def _env_int(name: str) -> int | None:
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return None
    return value if value >= 1 else None


def cores() -> int:
    """The threads cxkit may keep busy: ``CXKIT_THREADS``, else the numerical libraries' cap
    from the environment, else the cores this process may run on."""
    own = _env_int(ENV_VAR)
    if own is not None:
        return own
    caps = [c for c in (_env_int(name) for name in _LIBRARY_CAPS) if c is not None]
    if caps:
        return min(caps)
    return available_cores()


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def workers(tasks: int) -> int:
    """Python threads for ``tasks`` independent tasks: :func:`cores`, never more than the tasks."""
    return max(1, min(cores(), tasks))


def _threadpool_controller() -> Any:
    # built once per set of imported modules: it inspects every loaded library, which costs
    # milliseconds, and a library loaded since (scikit-learn's OpenMP, on its first import) would
    # otherwise escape the limit
    global _controller, _controller_modules
    if _controller is None or _controller_modules != len(sys.modules):
        from threadpoolctl import ThreadpoolController

        _controller, _controller_modules = ThreadpoolController(), len(sys.modules)
    return _controller


@contextmanager
def blas_threads(n: int = 1) -> Iterator[None]:
    """Hold every BLAS and OpenMP pool of the process to ``n`` threads inside the block.

    Also a decorator (``@blas_threads(1)``). The limit is process-wide, so enter it in the
    thread that starts the workers, not in the workers.

    Parameters
    ----------
    n : int, default 1
        Threads each pool may use.

    Yields
    ------
    None
    """
    with _threadpool_controller().limit(limits=n):
        yield


def thread_map(
    func: Callable[..., _R], items: Iterable[Any], *args: Any, done: Callable[[Any], None] | None = None
) -> list[_R]:
    """``[func(item, *args) for item in items]`` on :func:`workers` threads with BLAS at one thread.

    Results come back in the order of ``items``; ``done(item)`` is called in the calling
    thread as each item finishes (in order of completion). With one worker everything runs
    in the calling thread.
    """
    items = list(items)
    n = workers(len(items))
    with blas_threads(1):
        if n == 1:
            out = []
            for item in items:
                out.append(func(item, *args))
                if done is not None:
                    done(item)
            return out
        with ThreadPoolExecutor(max_workers=n, thread_name_prefix="cxkit") as pool:
            futures = [pool.submit(func, item, *args) for item in items]
            if done is not None:
                from concurrent.futures import as_completed

                index = {f: i for i, f in enumerate(futures)}
                for future in as_completed(futures):
                    future.result()  # an error surfaces now, not after the others finished
                    done(items[index[future]])
            return [f.result() for f in futures]
