"""SIGINT and SIGTERM handled by a function for the length of a ``with`` block: the one
scaffold the CLI (a command stopped ends with one line) and the runner (a run stopped kills its
kernels first) share."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any


@contextlib.contextmanager
def handling_stops(handler: Callable[[int, Any], None]) -> Iterator[None]:
    """``handler`` handles SIGINT and SIGTERM inside the block; the previous handlers are put
    back at the end. Only in the main thread, where Python delivers signals; elsewhere nothing
    changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)
