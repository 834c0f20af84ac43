"""Browser-test support: Playwright driving Debian's chromium against a live server.

Used by every app's ``tests/test_browser_*.py`` (marked ``browser``) through the fixtures in
vigie/conftest.py. Screenshots go to test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import socketserver
import threading
import time
from pathlib import Path
from typing import Any

from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from pytest_django.live_server_helper import LiveServer

ARTIFACTS = Path(os.environ.get("VIGIE_TEST_ARTIFACTS", "test-artifacts")) / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = os.environ.get("VIGIE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        raise RuntimeError(
            "browser tests need Debian's chromium: `apt-get install chromium` (see .ci/run)"
        )
    return found


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """``full_page=False`` for a page too long to read whole (Redoc's is 130,000 px tall and its
    stitched shot outran the 15 s timeout on a loaded CI machine)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def log_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base_url}/")


class _JoiningServer(ThreadedWSGIServer):
    """Django's threaded test server, but stopping it ends its request threads and waits for them.

    Django's are daemon threads nobody waits for: one still serving a browser's keep-alive
    connection when the server stopped woke when the browser closed, closed the in-memory
    SQLite connection it shares with the test thread after the test thread had taken it back,
    and died with a DatabaseError (pytest's PytestUnhandledThreadExceptionWarning)."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        socketserver.TCPServer.server_close(self)  # the listening socket
        with self._open_lock:
            still_open = list(self._open)
        for connection in still_open:  # a keep-alive connection: its thread reads EOF and ends
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + 10
        for thread in list(vars(self).get("_threads", ())):  # made by the first request
            thread.join(max(0.0, deadline - time.monotonic()))


class _JoiningServerThread(LiveServerThread):
    server_class = _JoiningServer


class ClosingLiveServer(LiveServer):
    """pytest-django's live server on a free port, run by `_JoiningServerThread`; `stop()`
    closes its listening socket and waits for its request threads."""

    def __init__(self, host: str = "localhost") -> None:
        super().__init__(host, start=False)
        made = self.thread
        self.thread = _JoiningServerThread(
            host,
            made.static_handler,
            connections_override=made.connections_override,
            port=0,
        )
        self.thread.daemon = True
        self.start()
