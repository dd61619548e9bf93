"""The process the pack's runner starts as a kernel when a kernel server runs
(:mod:`cxkit.pack.kernels`): it asks the server for a kernel forked from its warm process,
stands in for that kernel towards the runner, and ends as the kernel ended.

Run as ``python -I -S _kernel_shim.py SOCKET -- KERNEL COMMAND...``: no ``site`` and no cxkit
import, so it starts in about 20 ms. It sends the server its command, environment, working
folder and its standard streams (as file descriptors); the forked kernel then takes on all of
them, so the runner's connection file, environment and log are the kernel's as with a kernel
started from scratch. When the server cannot be reached or refuses (an environment its libraries
were not imported under), this process becomes the kernel by ``exec``: the same pid, the same
command, nothing lost but the head start.

Towards the runner (jupyter_client), this process is the kernel: signals it receives (interrupt,
terminate) go to the kernel; its exit code (or the signal that ended it) is the kernel's. A
SIGKILL cannot be forwarded: the kernel watches this process and kills itself when it is gone.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys

#: Signals passed on to the kernel (SIGKILL and SIGSTOP cannot be caught; see the module's doc).
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def _become_the_kernel(command: list[str]) -> None:
    os.execv(command[0], command)


def main(argv: list[str]) -> None:
    path, separator, command = argv[0], argv[1], argv[2:]
    if separator != "--" or not command:
        sys.exit("usage: _kernel_shim.py SOCKET -- KERNEL COMMAND...")
    try:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        conn.connect(path)
        request = {"argv": command, "env": dict(os.environ), "cwd": os.getcwd(), "pid": os.getpid()}
        socket.send_fds(conn, [json.dumps(request).encode()], [0, 1, 2])
        reply = json.loads(conn.recv(65536) or b"{}")
    except (OSError, ValueError):
        reply = {}
    kernel = reply.get("pid")
    if not kernel:
        _become_the_kernel(command)  # no server, or one that cannot start this kernel
    for number in FORWARDED:
        signal.signal(number, lambda signum, _frame: _forward(kernel, signum))
    code = int(_ending(conn, kernel).get("exit", 1))
    if code < 0:  # the kernel ended by a signal: so does this process
        if -code != signal.SIGKILL:
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code)


def _ending(conn: socket.socket, kernel: int) -> dict:
    """The server's word on how the kernel ended (``{"exit": code}``). Meanwhile, as ipykernel's
    own parent poller does for a kernel started from scratch: when the runner that started this
    process is gone (``kill -9``), the kernel ends too, rather than live on as an orphan."""
    import select

    parent = int(os.environ.get("JPY_PARENT_PID") or 0)
    if os.getppid() != parent:
        parent = 0  # not started by the pid the runner named: watch for adoption by init only
    watched: list = [conn]
    while True:
        ready, _, _ = select.select(watched, [], [], 1.0)
        if conn in ready:
            try:
                message = conn.recv(65536)
                if message:
                    return json.loads(message)
            except (OSError, ValueError):
                pass
            # The server is gone without a word: wait for the kernel's own end (its code unknown).
            try:
                watched = [os.pidfd_open(kernel)]
            except ProcessLookupError:
                return {"exit": 1}
        elif ready:
            return {"exit": 1}
        if (parent and os.getppid() != parent) or (not parent and os.getppid() == 1):
            _forward(kernel, signal.SIGKILL)
            os._exit(1)


def _forward(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    main(sys.argv[1:])
