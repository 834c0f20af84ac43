"""Run a producer of work items in a worker process while this process consumes them.

The bulk import reads, validates, encrypts and builds the rows of each batch (all Python,
no database) in a forked worker, while the importer's process only writes them (SQLite's
own work): on two cores the two halves overlap (docs/adr/0312-import-pipeline.md).

- Items arrive in order, through a bounded queue (``AHEAD`` items in flight), so memory
  stays bounded whatever the file's size.
- An exception raised by the producer (e.g. ``ImportFailed``: a message for people) is
  raised again in the consumer, in its place in the stream.
- If the consumer stops early (an error, a cancelled job), the worker is stopped.

The worker never touches the database (it inherits the connection objects but does not use
them). It dies with its parent: ``PR_SET_PDEATHSIG`` on Linux, and a watchdog thread that
ends it when its parent process is gone (other systems, or a parent that died before the
call); it closes the listening sockets it inherited (the web server's port), so that a
server killed with ``kill -9`` during an import leaves no process holding its port.

``available()`` says whether a worker can be used here: Linux ``fork``, more than one core,
not inside a daemonic process (which may not have children), not switched off with
``VIGIE_IMPORT_WORKER = False``.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import queue
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

from vigie.core.errors import Unavailable

T = TypeVar("T")
AHEAD = 3  # items (import batches) produced ahead of the consumer
POLL_S = 1.0
WATCH_S = 0.5  # how often a worker checks that its parent is alive
PR_SET_PDEATHSIG = 1
STOP_S = 5.0  # seconds a stopped worker has to end before it is killed


class WorkerDied(Unavailable):
    """The worker process ended without finishing its stream (killed, out of memory)."""

    default_code = "import_worker_died"


def available() -> bool:
    if not getattr(settings, "VIGIE_IMPORT_WORKER", True):
        return False
    if "fork" not in multiprocessing.get_all_start_methods() or (os.cpu_count() or 1) < 2:
        return False
    return not multiprocessing.current_process().daemon


def die_with_parent(parent: int) -> None:
    """End this (forked) process when ``parent`` ends, however it ends (``kill -9``)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl: nobody would send it
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_S)
        os._exit(1)

    threading.Thread(target=watch, name="vigie-parent-watch", daemon=True).start()


def close_listening_sockets() -> int:
    """Close the listening sockets this process inherited (a forked web server's port)."""
    closed = 0
    try:
        fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:
        return 0
    for fd in fds:
        try:
            sock = socket.socket(fileno=fd)
        except OSError:
            continue  # not a socket (or already closed)
        try:
            listening = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        except OSError:
            listening = 0
        if listening:
            sock.close()
            closed += 1
        else:
            sock.detach()
    return closed


def _serve(produce: Callable[[], Iterable[Any]], out: Any, parent: int) -> None:
    # the parent's handlers (e.g. a job consumer's) are not the worker's: SIGTERM ends it,
    # Ctrl-C is the parent's to handle (it stops the worker)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    die_with_parent(parent)
    close_listening_sockets()
    try:
        for item in produce():
            out.put(("item", item))
        out.put(("end", None))
    except BaseException as exc:  # every failure goes back to the consumer
        try:
            pickle.dumps(exc)
            out.put(("error", exc))
        except Exception:  # not picklable: its text
            out.put(("error", RuntimeError(traceback.format_exc())))
    finally:
        out.close()
        out.join_thread()


def _get(channel: Any) -> Any:
    """The next message; the cyclic garbage collector paused while it is unpickled (a batch
    is thousands of new containers, which would trigger it many times for nothing)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return channel.get(timeout=POLL_S)
    finally:
        if was_enabled:
            gc.enable()


def in_worker(produce: Callable[[], Iterable[T]]) -> Iterator[T]:
    """The items of ``produce()``, produced in a forked worker process."""
    ctx = multiprocessing.get_context("fork")
    channel: Any = ctx.Queue(maxsize=AHEAD)
    worker = ctx.Process(
        target=_serve, args=(produce, channel, os.getpid()), name="vigie-import-reader"
    )
    worker.start()
    try:
        while True:
            try:
                kind, payload = _get(channel)
            except queue.Empty:
                if worker.exitcode is None:
                    continue
                try:  # the worker ended: what it sent last may still be in the pipe
                    kind, payload = _get(channel)
                except queue.Empty:
                    raise WorkerDied(
                        _("The import's reader process ended (exit code %(code)s).")
                        % {"code": worker.exitcode}
                    ) from None
            if kind == "item":
                yield payload
            elif kind == "error":
                raise payload
            else:
                return
    finally:
        if worker.exitcode is None:
            worker.terminate()
            worker.join(STOP_S)
            if worker.exitcode is None:
                worker.kill()
        worker.join()
        channel.close()
        channel.cancel_join_thread()
