"""The warm kernel server (cxkit.pack.kernels): a kernel forked from it is the kernel the
runner asked for (its own process, folder, environment and streams; the runner's signals and
exit codes), it ends with the runner or the process standing in for it, a kernel whose
import-time settings differ starts from scratch, and a pack built through it has the same
numbers as one built without."""

from __future__ import annotations

import ast
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import pytest

pytest.importorskip("ipykernel")

from jupyter_client.blocking import BlockingKernelClient
from jupyter_core.utils import run_sync

from cxkit.pack import kernels as ks
from cxkit.pack.kernels import kernel_threads
from cxkit.pack.runner import _ipc_kernel_manager

#: Not a speed verdict: how long a test waits for a process to go before calling it a hang.
HANG = 60


@pytest.fixture(scope="module")
def server():
    with ks.kernel_server(jobs=1) as path:
        yield path


def _start(tmp_path, threads=None, scratch=False, **env):
    """A kernel started as the runner starts one, from ``tmp_path`` (``scratch``: as if no
    server ran); (manager, client)."""
    manager = _ipc_kernel_manager(threads=threads or kernel_threads(1))(kernel_name="python3")
    server = os.environ.pop(ks.ENV_VAR) if scratch else None
    try:
        run_sync(manager.start_kernel)(cwd=str(tmp_path), env={**os.environ, **env})
    finally:
        if server is not None:
            os.environ[ks.ENV_VAR] = server
    client = BlockingKernelClient(connection_file=manager.connection_file, parent=manager)
    client.load_connection_file()
    client.start_channels()
    client.wait_for_ready(timeout=HANG)
    return manager, client


def _run(client, code: str) -> str:
    """What ``code`` printed in the kernel; its error's name when it raised. The printed text
    comes back in the execute reply (``user_expressions``), not as stream messages: ipykernel
    may send those after the cell's "idle" status on a loaded machine."""
    body = textwrap.indent(code, "    ")
    wrapped = f"import contextlib as _c, io as _i\n_out = _i.StringIO()\nwith _c.redirect_stdout(_out):\n{body}\n"
    reply = client.execute_interactive(wrapped, timeout=HANG, user_expressions={"out": "_out.getvalue()"})
    content = reply["content"]
    if content["status"] != "ok":
        return content.get("ename", content["status"])
    return ast.literal_eval(content["user_expressions"]["out"]["data"]["text/plain"])


def _stop(manager, client):
    client.stop_channels()
    if manager.has_kernel:
        run_sync(manager.shutdown_kernel)(now=True)


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + HANG
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_a_forked_kernel_has_the_libraries_and_is_the_kernel_the_runner_asked_for(server, tmp_path):
    manager, client = _start(tmp_path, CXKIT_PROBE="asked")
    try:
        shim = manager.provisioner.process.pid
        facts = json.loads(
            _run(
                client,
                "import os, sys, json; print(json.dumps({'pid': os.getpid(), 'cwd': os.getcwd(), "
                "'probe': os.environ.get('CXKIT_PROBE'), 'preloaded': 'pandas' in sys.modules, "
                "'cxkit': 'cxkit' in sys.modules, 'sid': os.getsid(0)}))",
            )
        )
        assert facts["pid"] != shim  # forked, not started by the shim's exec
        assert facts["preloaded"] and not facts["cxkit"]  # the libraries yes, cxkit fresh
        assert facts["cwd"] == str(tmp_path)
        assert facts["probe"] == "asked"
        assert facts["sid"] == facts["pid"]  # a session of its own, as a kernel started by Popen
        assert _run(client, "print(1 + 1)") == "2\n"
    finally:
        _stop(manager, client)
    assert _gone(facts["pid"])


def test_a_forked_kernel_has_the_path_arguments_and_flags_of_one_started_from_scratch(server, tmp_path):
    code = "import sys, json; print(json.dumps([sys.path, sys.argv[1:2], sys.flags, sys.executable, __name__]))"
    forked = _start(tmp_path)
    scratch = _start(tmp_path, scratch=True)
    try:
        assert _run(forked[1], "import os; print(os.getpid())") != str(forked[0].provisioner.process.pid)
        assert _run(scratch[1], "import os; print(os.getpid())") == f"{scratch[0].provisioner.process.pid}\n"
        assert json.loads(_run(forked[1], code)) == json.loads(_run(scratch[1], code))
    finally:
        _stop(*forked)
        _stop(*scratch)


def test_a_kernels_stderr_reaches_the_runners_log_and_its_exit_code_is_returned(server, tmp_path):
    log = tmp_path / "run.log"
    manager = _ipc_kernel_manager(log, kernel_threads(1))(kernel_name="python3")
    run_sync(manager.start_kernel)(cwd=str(tmp_path))
    client = BlockingKernelClient(connection_file=manager.connection_file, parent=manager)
    client.load_connection_file()
    client.start_channels()
    client.wait_for_ready(timeout=HANG)
    kernel = int(_run(client, "import os; print(os.getpid())"))
    assert kernel != manager.provisioner.process.pid
    client.execute("import os, sys; print('to the log', file=sys.__stderr__, flush=True); os._exit(3)")
    assert manager.provisioner.process.wait(timeout=HANG) == 3
    client.stop_channels()
    run_sync(manager.shutdown_kernel)(now=True)
    assert type(manager).died == [3]
    assert "to the log" in log.read_text()


def test_an_interrupt_reaches_the_forked_kernel(server, tmp_path):
    manager, client = _start(tmp_path)
    try:
        assert int(_run(client, "import os; print(os.getpid())")) != manager.provisioner.process.pid
        # stop_on_error=False: ipykernel aborts the requests that reach it just after an error
        # reply (the KeyboardInterrupt here); ipykernel 7 sets that up after sending the reply,
        # so the next request could be answered "aborted" depending on timing (seen in CI).
        # Short sleeps, not one long sleep(600) as before: the cell then sees a pending
        # KeyboardInterrupt within 50 ms even if another of the kernel's threads took the signal
        # (a guess at the lost SIGINT below, not shown: 200 of 200 reached a sleeping main
        # thread beside four busy threads in a plain process).
        asked = client.execute(
            "import time\nprint('sleeping', flush=True)\nfor _ in range(12000): time.sleep(0.05)",
            stop_on_error=False,
        )
        while True:  # the cell is running: its first output came
            msg = client.get_iopub_msg(timeout=HANG)
            if msg["parent_header"].get("msg_id") == asked and msg["msg_type"] == "stream":
                break
        # One SIGINT to a sleep(600) cell was not answered within a minute in 2 of 3 full-suite
        # runs on a loaded machine (never alone, not understood: see issue 31's notes); it is sent again
        # every 5 s, and a repeat is reported, so the forwarding is tested and the loss seen.
        deadline, sent = time.monotonic() + HANG, 0
        while True:
            run_sync(manager.interrupt_kernel)()
            sent += 1
            try:
                reply = client.get_shell_msg(timeout=5)
                break
            except queue.Empty:
                if time.monotonic() > deadline:
                    raise
        if sent > 1:
            warnings.warn(f"the kernel answered the interrupt only after {sent} SIGINTs", stacklevel=1)
        assert reply["parent_header"]["msg_id"] == asked
        assert reply["content"]["status"] == "error"
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        assert _run(client, "print('alive')") == "alive\n"
    finally:
        _stop(manager, client)


def test_a_killed_shim_takes_its_kernel_with_it(server, tmp_path):
    manager, client = _start(tmp_path)
    kernel = int(_run(client, "import os; print(os.getpid())"))
    manager.provisioner.process.kill()  # SIGKILL: the one signal the shim cannot pass on
    manager.provisioner.process.wait(timeout=HANG)
    assert _gone(kernel)
    _stop(manager, client)


def test_a_kernel_ends_when_the_runner_that_started_it_is_killed(server, tmp_path):
    script = textwrap.dedent(
        f"""
        import os, sys
        from jupyter_client.blocking import BlockingKernelClient
        from jupyter_core.utils import run_sync
        from cxkit.pack.kernels import kernel_threads
        from cxkit.pack.runner import _ipc_kernel_manager
        manager = _ipc_kernel_manager(threads=kernel_threads(1))(kernel_name="python3")
        run_sync(manager.start_kernel)(cwd={str(tmp_path)!r})
        client = BlockingKernelClient(connection_file=manager.connection_file, parent=manager)
        client.load_connection_file(); client.start_channels(); client.wait_for_ready(timeout=60)
        out = []
        client.execute_interactive("import os; print(os.getpid())", timeout=60,
            output_hook=lambda m: out.append(m["content"].get("text", "")))
        print(manager.provisioner.process.pid, "".join(out).strip(), flush=True)
        import time; time.sleep(600)
        """
    )
    runner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        shim, kernel = map(int, runner.stdout.readline().split())
        assert shim != kernel
        runner.kill()  # kill -9: no shutdown, no cleanup
        runner.wait()
        assert _gone(shim) and _gone(kernel)
    finally:
        runner.kill()
        runner.stdout.close()


def test_kernels_whose_import_time_settings_differ_fork_from_a_server_for_those(server, tmp_path):
    # OpenBLAS read its threads from the environment when the server imported numpy: a kernel
    # asking for other threads cannot be one of its forks. The first such kernel starts from
    # scratch while the server starts a second server with those settings; the next forks from it.
    own = ks.kernel_environment(dict(os.environ), kernel_threads(1))["OPENBLAS_NUM_THREADS"]  # the server's
    other = "1" if own != "1" else "2"
    code = "import os, sys, json; print(json.dumps([os.getpid(), 'pandas' in sys.modules, os.environ['OPENBLAS_NUM_THREADS']]))"
    blas = (
        "import threadpoolctl, numpy; print(sorted({p['num_threads'] for p in "
        "threadpoolctl.threadpool_info() if p['user_api'] == 'blas'}))"
    )
    first = _start(tmp_path, OPENBLAS_NUM_THREADS=other)
    try:
        assert json.loads(_run(first[1], code)) == [first[0].provisioner.process.pid, False, other]
        scratch_blas = _run(first[1], blas)
    finally:
        _stop(*first)
    deadline = time.monotonic() + HANG
    while True:  # the second server takes a few seconds to import the libraries
        second = _start(tmp_path, OPENBLAS_NUM_THREADS=other)
        shim = second[0].provisioner.process.pid
        try:
            pid, preloaded, threads = json.loads(_run(second[1], code))
            forked_blas = _run(second[1], blas)
        finally:
            _stop(*second)
        if pid != shim or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert pid != shim and preloaded and threads == other
    assert forked_blas == scratch_blas  # the BLAS threads of a kernel started from scratch


def test_without_a_server_the_command_is_the_kernels_own():
    command = [sys.executable, "-m", "ipykernel_launcher", "-f", "kernel.json"]
    assert ks.kernel_command(command, env={}) == command
    assert ks.kernel_command(command, env={ks.ENV_VAR: "/tmp/s"})[-7:] == ["/tmp/s", "--", *command]
    other = ["/usr/bin/python2", "-m", "ipykernel_launcher", "-f", "kernel.json"]
    assert ks.kernel_command(other, env={ks.ENV_VAR: "/tmp/s"}) == other  # another Python's kernel


def test_a_server_that_is_gone_leaves_kernels_to_start_from_scratch(tmp_path, monkeypatch):
    monkeypatch.setenv(ks.ENV_VAR, str(tmp_path / "no-server"))
    manager, client = _start(tmp_path)
    try:
        assert int(_run(client, "import os; print(os.getpid())")) == manager.provisioner.process.pid
    finally:
        _stop(manager, client)


def test_a_pack_through_the_server_has_the_numbers_of_one_without(sample_pack, tmp_path, monkeypatch):
    """The session's sample pack was built through the server (tests/conftest.py): build the same
    month's NPS and review pages from scratch and compare their results."""
    from cxkit.pack.runner import build_pack

    assert os.environ.get(ks.ENV_VAR), "the session's packs are built through the kernel server"
    monkeypatch.delenv(ks.ENV_VAR)
    month = sample_pack.name
    out = tmp_path / "reports"
    shutil.copytree(sample_pack, out / month)
    built = build_pack(month, out=out, only=["nps_drivers", "review_sentiment"], quiet=True)
    served = json.loads((sample_pack / "results.json").read_text())
    scratch = json.loads((built / "results.json").read_text())
    assert scratch["drivers"] and scratch["sentiment"]["n_scored"]
    assert scratch == served  # every number, to the last digit


def test_a_server_whose_starter_is_killed_ends_and_so_do_its_kernels(tmp_path):
    script = textwrap.dedent(
        """
        import os, time
        from cxkit.pack.kernels import kernel_server
        with kernel_server(jobs=1, preload=("ipykernel.kernelapp",)) as path:  # the server's life only
            print(path, flush=True)
            time.sleep(600)
        """
    )
    starter = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        path = starter.stdout.readline().strip()
        assert os.path.exists(path)
        starter.kill()  # kill -9: the with block never ends
        starter.wait()
        deadline = time.monotonic() + HANG
        while os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not os.path.exists(path)  # the server saw its starter go, stopped and removed its socket
        assert not os.path.exists(os.path.dirname(path))  # and its folder
    finally:
        starter.kill()
        starter.stdout.close()


def test_a_stopped_server_ends_its_kernels_and_removes_its_socket(tmp_path):
    # A server that preloads only the kernel: its kernels and its end are what is tested here,
    # and the libraries' imports (about 4 s of processor time) are the module server's.
    with ks.kernel_server(jobs=1, preload=("ipykernel.kernelapp",)) as path:
        assert os.path.exists(path)
        manager, client = _start(tmp_path)
        kernel = int(_run(client, "import os; print(os.getpid())"))
        assert kernel != manager.provisioner.process.pid
    assert not os.path.exists(path)
    assert not os.path.exists(os.path.dirname(path))
    assert manager.provisioner.process.wait(timeout=HANG) == -signal.SIGKILL
    assert _gone(kernel)
    _stop(manager, client)


@pytest.mark.parametrize("number", [signal.SIGTERM])
def test_the_shim_passes_a_terminate_on(server, tmp_path, number):
    manager, client = _start(tmp_path)
    kernel = int(_run(client, "import os; print(os.getpid())"))
    manager.provisioner.process.send_signal(number)
    assert manager.provisioner.process.wait(timeout=HANG) == -number  # the kernel's own ending
    assert _gone(kernel)
    _stop(manager, client)
