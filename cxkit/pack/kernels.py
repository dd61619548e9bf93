"""How the pack's kernels start: how many at once (``CXKIT_JOBS``), their environment and
threads, and, for a process that builds several packs, warm kernels: a fork server holding the
libraries the pack's notebooks import, from which each kernel starts already holding them.

A pack's kernel spends about 3 s of CPU before its first notebook computes anything: the kernel
itself (IPython, ipykernel, zmq) and then pandas, pyarrow, scipy.stats, statsmodels,
scikit-learn, matplotlib and seaborn. The runner pays that once per kernel and reuses each
kernel for the pack's notebooks; a job that builds many packs (a backfill of months, one pack
per brand, a test suite) pays it again for every pack. Inside ``with kernel_server():`` the
runner's kernels are instead forked from one process that imported those libraries once::

    from cxkit.pack.kernels import kernel_server
    from cxkit.pack.runner import build_pack

    with kernel_server():
        for month in ["2026-08", "2026-09", "2026-10"]:
            build_pack(month)

A forked kernel is a new process like any other: its own pid, session, environment, working
folder, connection file and standard streams (the runner's log), the runner's signals and
shutdown, the same exit codes; cxkit itself and everything a notebook imports beyond the list
below are imported fresh in it, so a changed notebook or cxkit source is seen. What it shares
with its siblings is only the memory of the preloaded libraries, copy-on-write.

Libraries read some settings when they are imported (matplotlib its backend and configuration
folder, OpenBLAS its threads, Python its hash seed and path). The server therefore forks a
kernel only when those settings in the kernel's environment (:data:`IMPORT_TIME_SETTINGS`) are
the server's own. The first kernel with other settings starts from scratch, as without a
server, while the server starts another server with those settings (up to
:data:`OTHER_SETTINGS`) and hands it the next such kernels. Start the server with the settings
the packs will use (``jobs``, as the packs' ``--jobs``) and none is needed.

The process tree: the runner starts ``_kernel_shim.py`` as the kernel (a process of ~20 ms); the
shim hands its command, environment and streams to the server over a Unix socket, and stands in
for the forked kernel towards the runner (signals forwarded, the kernel's exit code returned).

Why by hand: jupyter_client has no kernel pool that forks (``jupyter_server``'s pending kernel
pools start kernels ahead of use, each paying the full start), and a kernel provisioner would
replace the runner's process handling that its signal and cleanup behaviour rests on.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.util
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "ENV_VAR",
    "IMPORT_TIME_SETTINGS",
    "JOBS_VARIABLE",
    "PRELOAD",
    "THREAD_VARIABLES",
    "jobs_from_environment",
    "kernel_command",
    "kernel_environment",
    "kernel_server",
    "kernel_threads",
]

#: ``CXKIT_JOBS=n``: the notebooks a pack runs at once when ``--jobs`` is not given (default:
#: one per core this process may run on). Each kernel beyond the first pays its own start and
#: imports (about 3 s of CPU): where other work already keeps the cores busy (several packs built
#: side by side by a scheduler, a test suite's workers), fewer kernels finish sooner overall.
JOBS_VARIABLE = "CXKIT_JOBS"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

#: Set (by :func:`kernel_server`) to the server's socket: the runner then starts its kernels
#: through it. Unset, or naming a socket no server listens on, kernels start from scratch.
ENV_VAR = "CXKIT_KERNEL_SERVER"

#: Imported by the server before it forks: the libraries a pack's kernel imports, heaviest first
#: (about 2.5 s of CPU). cxkit is not among them: a kernel imports its own, current, cxkit.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "matplotlib_inline.backend_inline",
    "numpy",
    "pandas",
    "pyarrow",
    "pyarrow.parquet",
    "scipy.stats",
    "scipy.optimize",
    "statsmodels.api",
    "statsmodels.formula.api",
    "sklearn.linear_model",
    "sklearn.model_selection",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
    "pandera.pandas",
    "nbformat",
    "nbconvert",
    "papermill",
    "snowballstemmer",
    "yaml",
)

#: Environment variables the preloaded libraries (or Python itself) read when they are imported
#: or when the interpreter starts: a kernel is forked only when its values of these are the
#: server's.
IMPORT_TIME_SETTINGS = (
    "PYTHONHASHSEED",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONWARNINGS",
    "PYTHONUTF8",
    "PYTHONIOENCODING",
    "PYTHONSAFEPATH",
    "MPLBACKEND",
    "MPLCONFIGDIR",
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_MAX_THREADS",
    "NUMEXPR_NUM_THREADS",
    "KMP_AFFINITY",
)

_SHIM = Path(__file__).with_name("_kernel_shim.py")
_MESSAGE = 1 << 20  # bytes: a request (the kernel's command and environment) fits in one message


def jobs_from_environment() -> int | None:
    """``CXKIT_JOBS`` as a number of notebooks at once, None when it is not set."""
    from ..errors import ParameterError

    value = os.environ.get(JOBS_VARIABLE, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ParameterError(
            f"{JOBS_VARIABLE}={value!r} is not a number of notebooks at once: set it to 1 or more, "
            "or unset it to run one notebook per core."
        )
    return int(value)


def kernel_threads(jobs: int) -> int:
    """Threads each kernel's numerical libraries may use: the cores shared out among the
    kernels that run at once. OpenBLAS otherwise starts one busy-waiting thread per core in
    every kernel, and two kernels on two cores then spend ~10% of the pack's CPU spinning."""
    return max(1, (os.cpu_count() or 1) // max(1, jobs))


def kernel_environment(env: dict[str, str], threads: int | None) -> dict[str, str]:
    """The environment a pack's kernel runs with, from the runner's ``env`` (changed in place)."""
    from .. import progress

    # Figures are rendered off-screen, whatever backend the user's environment names (a
    # desktop backend would open windows from a cron job); cxkit itself never switches
    # backends, so analysts' kernels keep their inline figures.
    env["MPLBACKEND"] = "Agg"
    # No progress bar reaches a page: a bar's widget or its text would be an output.
    env[progress.ENV_VAR] = "0"
    if threads:
        for name in THREAD_VARIABLES:
            env.setdefault(name, str(threads))
    return env


def kernel_command(command: list[str], env: dict[str, str] | None = None) -> list[str]:
    """The command the runner starts for a kernel whose own command is ``command``: through the
    server named in ``env`` (default: this process's environment) when there is one and
    ``command`` is an IPython kernel of this Python, else ``command`` itself."""
    server = (env if env is not None else os.environ).get(ENV_VAR, "")
    if not server or not _is_this_pythons_kernel(command):
        return command
    return [sys.executable, "-I", "-S", str(_SHIM), server, "--", *command]


def _is_this_pythons_kernel(command: list[str]) -> bool:
    return (
        len(command) >= 3
        and os.path.realpath(command[0]) == os.path.realpath(sys.executable)
        and command[1:3] == ["-m", "ipykernel_launcher"]
    )


@contextlib.contextmanager
def kernel_server(jobs: int | None = None, preload: tuple[str, ...] = PRELOAD) -> Iterator[str]:
    """Run a kernel server while the ``with`` block runs; the packs built inside it (in this
    process, or by ``cxkit report`` commands it starts) fork their kernels from it. ``jobs`` is
    the packs' ``--jobs`` (default: ``CXKIT_JOBS``, else one per core), which sets the threads
    each kernel's numerical libraries are given. Yields the server's socket path."""
    if not hasattr(os, "pidfd_open") or not hasattr(socket, "send_fds"):
        # The shim and the kernels watch each other through pidfds (Linux 5.3 and later).
        warnings.warn(
            "cxkit's kernel server needs Linux 5.3 or later: the packs start their kernels from "
            "scratch as usual (slower, the same pages).",
            RuntimeWarning,
            stacklevel=3,
        )
        yield ""
        return
    from .._threads import available_cores

    jobs = jobs or jobs_from_environment() or available_cores()
    env = kernel_environment(dict(os.environ), kernel_threads(jobs))
    env.pop(ENV_VAR, None)
    folder = tempfile.mkdtemp(prefix="cxkit-kernels-")
    path = os.path.join(folder, "server")
    server = subprocess.Popen(
        [sys.executable, "-m", "cxkit.pack.kernels", path, *preload],
        env=env,
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        if server.stdout.readline().strip() != b"ready":
            raise RuntimeError(f"the kernel server did not start (exit code {server.wait()})")
        previous = os.environ.get(ENV_VAR)
        os.environ[ENV_VAR] = path
        try:
            yield path
        finally:
            if previous is None:
                os.environ.pop(ENV_VAR, None)
            else:
                os.environ[ENV_VAR] = previous
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout is not None:
            server.stdout.close()
        shutil.rmtree(folder, ignore_errors=True)  # the sockets of this server and of those it started


# --------------------------------------------------------------------------- the server process


def serve(path: str, preload: tuple[str, ...] = PRELOAD) -> None:
    """The server's loop: preload, then fork a kernel for each request and report its end."""
    for name in preload:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    _Server(path, preload).run()


#: Servers a server starts for other import-time settings (each holds its own libraries: about
#: 250 MB of memory); kernels with yet other settings start from scratch.
OTHER_SETTINGS = 3


class _Server:
    """The server's state: its socket, the kernels it forked (a pidfd each, and the connection of
    the shim standing in for each), and the servers it started for other settings."""

    def __init__(self, path: str, preload: tuple[str, ...]):
        self.path, self.preload = path, preload
        self.own = _settings(dict(os.environ))
        self.stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: self.stopping.set())
        signal.signal(signal.SIGINT, lambda *_: self.stopping.set())
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.listener.bind(path)
        self.listener.listen(64)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.waker_r, self.waker_w = os.pipe()  # a signal wakes the select
        os.set_blocking(self.waker_w, False)
        signal.set_wakeup_fd(self.waker_w)
        self.selector.register(self.waker_r, selectors.EVENT_READ)
        # The process that started this server: when it is gone (``kill -9``), so is the server.
        self.parent = os.pidfd_open(os.getppid())
        self.selector.register(self.parent, selectors.EVENT_READ)
        self.kernels: dict[int, tuple[int, socket.socket]] = {}  # pidfd -> (pid, shim's connection)
        #: settings -> [server process, its socket, ready]; None when it could not start
        self.others: dict[tuple, list | None] = {}

    def run(self) -> None:
        # Objects alive now live as long as the server: kept out of the collector, a kernel's
        # collections do not touch (and so copy) the pages they share with the server.
        gc.collect()
        gc.freeze()
        print("ready", flush=True)
        while not self.stopping.is_set():
            for key, _ in self.selector.select():
                if key.fileobj is self.listener:
                    self._request()
                elif key.fileobj == self.waker_r:
                    os.read(self.waker_r, 64)
                elif key.fileobj == self.parent:
                    self.stopping.set()
                elif key.data is not None:  # another server's first line
                    self._other_started(key.data)
                else:
                    self._ended(key.fd, kill=False)
        self.listener.close()
        for handle in list(self.kernels):  # kernels outliving the server end with it
            self._ended(handle, kill=True)
        for other in self.others.values():
            if other is not None:
                other[0].terminate()
        for other in self.others.values():
            if other is not None:
                other[0].wait()
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        with contextlib.suppress(OSError):  # empty once this server's own servers removed theirs
            os.rmdir(os.path.dirname(self.path))

    def _request(self) -> None:
        conn, _ = self.listener.accept()
        try:
            message, fds, _, _ = socket.recv_fds(conn, _MESSAGE, 4)
            request = json.loads(message)
        except (OSError, ValueError):
            conn.close()
            return
        handed_on = len(fds) == 4  # by the server that started this one, with the shim's connection
        if handed_on:
            shim = socket.socket(fileno=fds.pop())
            conn.close()
            conn = shim
        problem = _problem(request, fds)
        settings = _settings(request.get("env", {}))
        if not problem and settings != self.own:
            if not handed_on and self._hand_on(settings, message, fds, conn):
                return
            different = [n for n, mine, theirs in zip(IMPORT_TIME_SETTINGS, self.own, settings) if mine != theirs]
            problem = "settings read at import differ: " + ", ".join(different)
        if problem:
            for fd in fds:
                os.close(fd)
            with contextlib.suppress(OSError):
                conn.send(json.dumps({"refused": problem}).encode())
            conn.close()
            return
        pid = os.fork()
        if pid == 0:  # the kernel
            code = 1
            try:
                self._close_in_child(conn)
                code = _kernel(request, fds)
            finally:
                os._exit(code)
        for fd in fds:
            os.close(fd)
        try:
            conn.send(json.dumps({"pid": pid}).encode())
        except OSError:  # the shim is gone: so is the reason for this kernel
            os.kill(pid, signal.SIGKILL)
        handle = os.pidfd_open(pid)
        self.kernels[handle] = (pid, conn)
        self.selector.register(handle, selectors.EVENT_READ)

    def _hand_on(self, settings: tuple, message: bytes, fds: list[int], conn: socket.socket) -> bool:
        """Pass the request to the server for ``settings`` when it is ready (True); start one
        for the next request when there is none yet and room for it."""
        other = self.others.get(settings, ...)
        if other is ...:
            self.others[settings] = self._start_other(json.loads(message)["env"])
            return False
        if other is None or not other[2]:
            return False
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as link:
                link.connect(other[1])
                socket.send_fds(link, [message], [*fds, conn.fileno()])
        except OSError:
            return False
        for fd in fds:
            os.close(fd)
        conn.close()
        return True

    def _start_other(self, env: dict) -> list | None:
        if sum(other is not None for other in self.others.values()) >= OTHER_SETTINGS:
            return None
        path = f"{self.path}-{len(self.others) + 1}"
        env = {name: value for name, value in env.items() if name != ENV_VAR}
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "cxkit.pack.kernels", path, *self.preload],
                env=env,
                cwd=os.path.dirname(self.path),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
            )
        except OSError:
            return None
        other = [process, path, False]
        self.selector.register(process.stdout, selectors.EVENT_READ, data=other)  # type: ignore[arg-type]
        return other

    def _other_started(self, other: list) -> None:
        self.selector.unregister(other[0].stdout)
        other[2] = other[0].stdout.readline().strip() == b"ready"
        other[0].stdout.close()

    def _ended(self, handle: int, kill: bool) -> None:
        pid, conn = self.kernels.pop(handle)
        if kill:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        else:
            self.selector.unregister(handle)
        os.close(handle)
        _, status = os.waitpid(pid, 0)
        with contextlib.suppress(OSError):
            conn.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
        conn.close()

    def _close_in_child(self, conn: socket.socket) -> None:
        """In a forked kernel: let go of everything the server holds."""
        signal.set_wakeup_fd(-1)
        conn.close()
        self.listener.close()
        self.selector.close()
        for fd in (self.waker_r, self.waker_w, self.parent, *self.kernels):
            os.close(fd)
        for _pid, shim in self.kernels.values():
            shim.close()
        for other in self.others.values():
            if other is not None and not other[0].stdout.closed:
                other[0].stdout.close()


def _settings(env: dict) -> tuple:
    return tuple(env.get(name) for name in IMPORT_TIME_SETTINGS)


def _problem(request: dict, fds: list[int]) -> str:
    if len(fds) != 3 or not _is_this_pythons_kernel(request.get("argv", [])):
        return "not an IPython kernel of this Python"
    return ""


def _kernel(request: dict, fds: list[int]) -> int:
    """In the forked child: become the kernel the shim was asked to start. Returns its exit code."""
    import atexit

    server_folder = os.getcwd()
    os.setsid()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if "numpy" in sys.modules:  # a forked process keeps its parent's random state
        sys.modules["numpy"].random.seed()
    # Then what ``python -m ipykernel_launcher`` started in the kernel's folder does. Python put
    # the server's folder on the path where the kernel's would be (first, for ``-m``, and for
    # each empty entry of PYTHONPATH, such as the ":x" of ``PYTHONPATH=$PYTHONPATH:x``); the
    # launcher takes the first off; the kernel application gets the runner's pid, which
    # ipykernel read from the server's environment when the server imported it.
    sys.path[:] = [request["cwd"] if entry == server_folder else entry for entry in sys.path]
    del sys.path[0]
    for name in [name for name in sys.modules if name == "cxkit" or name.startswith("cxkit.")]:
        del sys.modules[name]  # the server's own: the kernel imports the current cxkit
    threading.Thread(target=_die_with, args=(request["pid"],), daemon=True).start()
    spec = importlib.util.find_spec("ipykernel_launcher")
    sys.argv = [spec.origin if spec and spec.origin else "ipykernel_launcher", *request["argv"][3:]]
    code = 0
    try:
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return code


def _die_with(pid: int) -> None:
    """Kill this kernel when the shim standing in for it is gone (a SIGKILL it could not pass on)."""
    import select

    try:
        handle = os.pidfd_open(pid)
        select.select([handle], [], [])
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    serve(args[0], tuple(args[1:]) or PRELOAD)


if __name__ == "__main__":
    main()
