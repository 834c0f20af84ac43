"""The import's forked reader dies with its parent and does not keep the server's port
(issue 15: after ``kill -9`` of the server during an import, the reader held the port)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

# a "server": a listening socket, then an import whose reader produces slowly
SCRIPT = textwrap.dedent(
    """
    import socket, sys, time
    from vigie.cases.interchange import pipeline

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def produce():
        import os
        while True:
            yield os.getpid()
            time.sleep(0.2)

    items = pipeline.in_worker(produce)
    child = next(items)
    print(listener.getsockname()[1], child, flush=True)
    time.sleep(600)
    """
)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork and /proc")
def test_reader_dies_with_a_killed_parent_and_frees_the_port() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().decode()
    assert line, proc.stderr.read().decode() if proc.stderr else ""
    port, child = (int(x) for x in line.split())
    assert child != proc.pid and alive(child)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child), "the import reader outlived its parent"
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # nobody holds the port any more


def test_reader_closes_inherited_listening_sockets() -> None:
    from vigie.cases.interchange import pipeline

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: what a reader does first
            closed = pipeline.close_listening_sockets()
            os.write(write, str(closed).encode())
            os._exit(0)
        os.waitpid(pid, 0)
        assert os.read(read, 10) == b"1"
        os.close(read)
        os.close(write)
