"""Progress bars for calls that make an analyst wait (issue 31, Deliver 4).

Every public call that can take more than about two seconds on realistic inputs (bootstraps,
sentiment calibration, sentiment of large inputs, topic discovery, the pack's notebooks) reports
through :func:`track` or :func:`bar`. They are tqdm's bars, the ecosystem's convention: a widget
in JupyterLab (when ipywidgets is installed, as cxkit's environment does), a line on stderr in a
terminal. A bar appears only once its work has run for :data:`DELAY` seconds, so quick calls stay
silent.

Silence them with ``cx.set_progress(False)``, ``with cx.progress_off(): ...``, or the environment
variable ``CXKIT_PROGRESS=0``. The pack's runner sets that variable for the kernels it starts
(bars never reach the pack's HTML) and shows its own bar only in a terminal and never under
``--quiet``.

>>> import cxkit as cx
>>> with cx.progress_off():
...     sum(cx.progress.track(range(3), desc="adding"))
3
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["DELAY", "ENV_VAR", "bar", "enabled", "progress_off", "set_progress", "track"]

T = TypeVar("T")

#: Seconds a call runs before its bar appears (tqdm's ``delay``).
DELAY = 2.0
#: ``CXKIT_PROGRESS=0`` (or ``false``, ``off``, ``no``) silences every bar of the process.
ENV_VAR = "CXKIT_PROGRESS"

_switch: bool | None = None


def set_progress(on: bool | None) -> None:
    """Show or hide cxkit's progress bars in this process.

    Parameters
    ----------
    on : bool or None
        ``True`` shows them, ``False`` hides them, ``None`` returns the choice to the
        ``CXKIT_PROGRESS`` environment variable (shown when it is unset).

    Returns
    -------
    None
    """
    global _switch
    if on is not None and not isinstance(on, bool):
        raise TypeError(f"set_progress takes True, False or None, not {on!r}.")
    _switch = on


def enabled() -> bool:
    """Whether cxkit's progress bars show in this process (see :func:`set_progress`)."""
    if _switch is not None:
        return _switch
    return os.environ.get(ENV_VAR, "1").strip().lower() not in {"0", "false", "off", "no"}


@contextmanager
def progress_off() -> Iterator[None]:
    """Hide cxkit's progress bars inside the ``with`` block, then restore the previous choice.

    Yields
    ------
    None
    """
    global _switch
    before = _switch
    _switch = False
    try:
        yield
    finally:
        _switch = before


def _tqdm_class() -> Any:
    # tqdm.auto picks the notebook widget in Jupyter; without ipywidgets it would warn and fall
    # back, so the plain bar is chosen directly then. A disabled bar draws nothing either way: the
    # plain one spares importing ipywidgets (0.4 s in each of the pack's kernels).
    if not enabled():
        from tqdm.std import tqdm as plain

        return plain
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        from tqdm.std import tqdm
    else:
        from tqdm.auto import tqdm
    return tqdm


def bar(total: int | None, desc: str, *, unit: str = "it", delay: float | None = None) -> Any:
    """A tqdm bar for ``total`` steps (``update(n)``, ``close()``, or use it in ``with``);
    disabled when progress is off. ``delay`` defaults to :data:`DELAY` seconds."""
    return _tqdm_class()(
        total=total,
        desc=desc,
        unit=unit,
        delay=DELAY if delay is None else delay,
        disable=not enabled(),
        leave=False,
        mininterval=0.5,
        dynamic_ncols=True,
    )


def track(
    iterable: Iterable[T], *, desc: str, total: int | None = None, unit: str = "it", delay: float | None = None
) -> Iterator[T]:
    """Yield from ``iterable`` with a progress bar (see :func:`bar`)."""
    if total is None:
        try:
            total = len(iterable)  # type: ignore[arg-type]
        except TypeError:
            total = None
    with bar(total, desc, unit=unit, delay=delay) as b:
        for item in iterable:
            yield item
            b.update(1)
