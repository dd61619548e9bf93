"""A throwaway PostgreSQL server for tests: ``with postgres_server() as url: ...``.

The server gets its own temporary data directory, listens on 127.0.0.1 on a free port with its
Unix socket inside that directory, and requires a password over TCP (scram-sha-256), so
tests that check a password never leaks exercise real authentication. It is always stopped
and its directory removed, even when the test fails.

Debian's ``postgresql`` package puts ``initdb``/``pg_ctl`` under
``/usr/lib/postgresql/<version>/bin`` (not on PATH), and the server refuses to run as root:
as root every server command runs as the ``postgres`` system user through ``runuser``, with
a data directory that user owns. Anything that stops the server from starting raises
:class:`PostgresUnavailable` with the reason, which the tests turn into a skip.

This module does not import pytest, so it also works from a script or a notebook.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["PostgresUnavailable", "find_bindir", "postgres_server"]

SERVER_USER = "postgres"  # the system user Debian's package creates; used only when root
INSTALL_HINT = "run `make system-deps` (installs Debian's postgresql package)"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server can be started here; the message says why and how to fix it."""


def _version_key(bindir: str) -> tuple[int, ...]:
    version = Path(bindir).parent.name  # /usr/lib/postgresql/<version>/bin
    return tuple(int(part) for part in re.findall(r"\d+", version)) or (0,)


def find_bindir() -> Path:
    """Folder holding ``initdb``, ``pg_ctl`` and ``postgres``; the newest Debian install wins.

    Raises
    ------
    PostgresUnavailable
        When neither ``/usr/lib/postgresql/*/bin`` nor PATH has the server binaries.
    """
    candidates = sorted(
        (str(Path(p).parent) for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=_version_key,
        reverse=True,
    )
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    for bindir in candidates:
        if all(os.access(Path(bindir, tool), os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(bindir)
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin "
        f"or on PATH; {INSTALL_HINT}"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Runner:
    """Runs server commands as the current user, or as ``postgres`` when we are root."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.as_root = os.geteuid() == 0
        if self.as_root:
            try:
                self.server_user = pwd.getpwnam(SERVER_USER)
            except KeyError:
                raise PostgresUnavailable(
                    f"running as root, and PostgreSQL refuses to run as root, but there is no "
                    f"{SERVER_USER!r} system user to run it as; {INSTALL_HINT}"
                ) from None
            if shutil.which("runuser") is None:
                raise PostgresUnavailable("running as root and `runuser` (util-linux) is missing")

    def own(self, path: Path) -> None:
        """Give ``path`` to the server user so it can write there (no-op unless root)."""
        if self.as_root:
            os.chown(path, self.server_user.pw_uid, self.server_user.pw_gid)

    def run(self, argv: list[str], *, timeout: float, what: str) -> subprocess.CompletedProcess:
        if self.as_root:
            argv = ["runuser", "-u", SERVER_USER, "--", *argv]
        try:
            # cwd: the server user may not be allowed into the caller's directory (e.g. /root)
            done = subprocess.run(argv, cwd=self.workdir, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PostgresUnavailable(f"{what} did not finish within {timeout:.0f} s") from None
        if done.returncode != 0:
            output = (done.stderr.strip() or done.stdout.strip())[-1500:]
            raise PostgresUnavailable(f"{what} failed (exit {done.returncode}): {output}")
        return done


def _stop(runner: _Runner, pg_ctl: Path, datadir: Path) -> None:
    """Stop the server; if pg_ctl cannot, signal the postmaster whose pid it recorded."""
    try:
        # immediate: nothing in a throwaway cluster is worth a shutdown checkpoint
        runner.run(
            [str(pg_ctl), "-D", str(datadir), "-m", "immediate", "-w", "-t", "30", "stop"],
            timeout=40,
            what="pg_ctl stop",
        )
        return
    except PostgresUnavailable:
        pass
    pidfile = datadir / "postmaster.pid"
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int(pidfile.read_text().splitlines()[0])
        os.kill(pid, signal.SIGQUIT)  # the postmaster we started: immediate shutdown


@contextlib.contextmanager
def postgres_server(*, user: str = "cxkit", database: str = "postgres", start_timeout: float = 600) -> Iterator[str]:
    """Start a throwaway PostgreSQL server; yield its SQLAlchemy URL; stop and delete it.

    Parameters
    ----------
    user : str
        Superuser role to create. Its password is random and is part of the URL.
    database : str
        Database named in the URL (``postgres`` always exists after initdb).
    start_timeout : float
        Seconds to wait for the server to accept connections (a hang guard: a loaded
        machine starts it slowly, and a test must not fail for that).

    Yields
    ------
    str
        ``postgresql+psycopg://USER:PASSWORD@127.0.0.1:PORT/DATABASE``.

    Raises
    ------
    PostgresUnavailable
        Binaries missing, no ``postgres`` user when root, or initdb/start failed; the
        message carries the reason and the server log's tail.
    """
    bindir = find_bindir()
    # A distinctive prefix makes a leaked password easy to spot in any output.
    password = "cxPw-" + secrets.token_hex(8)
    workdir = Path(tempfile.mkdtemp(prefix="cxkit-pg-"))
    datadir, logfile, pwfile = workdir / "data", workdir / "server.log", workdir / "pwfile"
    runner = None
    try:
        runner = _Runner(workdir)
        runner.own(workdir)
        pwfile.write_text(password + "\n")
        runner.own(pwfile)
        runner.run(
            [
                str(bindir / "initdb"),
                "-D",
                str(datadir),
                "-U",
                user,
                f"--pwfile={pwfile}",
                # trust on the socket only (nothing else can reach it); TCP needs the password
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",  # C works everywhere; UTF8 stores any text
                "--no-sync",  # no fsync: the cluster is thrown away
            ],
            timeout=600,  # a hang guard, as start_timeout: initdb takes seconds idle
            what="initdb",
        )
        pwfile.unlink()
        base_settings = (
            "\n# cxkit test server\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{workdir}'\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            "max_connections = 20\nshared_buffers = 16MB\n"
        )
        conf = datadir / "postgresql.conf"
        conf_text = conf.read_text()
        # Another process can take the free port before the server binds it: try a few.
        for attempt in range(3):
            port = _free_port()
            conf.write_text(conf_text + base_settings + f"port = {port}\n")
            try:
                runner.run(
                    [
                        str(bindir / "pg_ctl"),
                        "-D",
                        str(datadir),
                        "-l",
                        str(logfile),
                        "-w",
                        "-t",
                        str(int(start_timeout)),
                        "start",
                    ],
                    timeout=start_timeout + 10,
                    what="pg_ctl start",
                )
                break
            except PostgresUnavailable as exc:
                log = logfile.read_text(errors="replace")[-1500:] if logfile.exists() else ""
                if "already in use" in log and attempt < 2:
                    continue
                raise PostgresUnavailable(f"{exc}\nserver log:\n{log}") from None
        yield f"postgresql+psycopg://{user}:{password}@127.0.0.1:{port}/{database}"
    finally:
        # The pid file, not pg_ctl's exit code, says whether a server runs: a start that
        # timed out may still have left one behind.
        if runner is not None and (datadir / "postmaster.pid").exists():
            _stop(runner, bindir / "pg_ctl", datadir)
        shutil.rmtree(workdir, ignore_errors=True)
