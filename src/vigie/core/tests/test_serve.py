"""``vigie serve`` stops on SIGTERM, Ctrl+C (SIGINT) and SIGHUP (issue 16): it exits within
seconds and frees its port; behind a TLS proxy it sees HTTPS (issue 15)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from vigie.core.tests.serving import VIGIE, free_port, port_free, wait_listening


def server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VIGIE_"))}
    env.pop("DATABASE_URL", None)  # SQLite in the data directory, whatever the suite uses
    env.update(VIGIE_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="vigie.settings.dev")
    return env


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: Any) -> Path:
    path = tmp_path_factory.mktemp("serve")
    subprocess.run([VIGIE, "migrate"], env=server_env(path), check=True, capture_output=True)
    return path


def start_server(data_dir: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [VIGIE, "serve", "--port", str(port), *extra],
        env=server_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_serve_stops_on_signal_and_frees_its_port(data_dir: Path, signum: int) -> None:
    port = free_port()
    proc = start_server(data_dir, port)
    try:
        wait_listening(port, proc)
        proc.send_signal(signum)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail(f"vigie serve ignored {signal.Signals(signum).name} for 10 s")
        assert port_free(port)
        assert b"Traceback" not in (proc.stdout.read() if proc.stdout else b"")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture
def proxied_server() -> Iterator[Any]:
    """``vigie serve``'s own server (serving.make_server) in a thread, trusting 127.0.0.1."""

    def start(trusted: str) -> tuple[Any, int]:
        from vigie.serving import make_server

        port = free_port()
        with override_settings(VIGIE_TRUSTED_PROXY=trusted):
            server = make_server("127.0.0.1", port, 2)
        threading.Thread(target=server.run, daemon=True).start()
        servers.append(server)
        return server, port

    servers: list[Any] = []
    yield start
    for server in servers:
        server.close()


@override_settings(
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_HSTS_SECONDS=3600,
    SECURE_SSL_REDIRECT=False,
)
@pytest.mark.django_db
def test_hsts_behind_a_trusted_tls_proxy(proxied_server: Any) -> None:
    def hsts(port: int) -> str:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/accounts/login/", headers={"X-Forwarded-Proto": "https"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return str(response.headers.get("Strict-Transport-Security") or "")
        except urllib.error.HTTPError as exc:
            return str(exc.headers.get("Strict-Transport-Security") or "")

    _server, port = proxied_server("127.0.0.1")
    assert hsts(port) == "max-age=3600"
    # a header from anyone else is not believed (waitress drops it)
    _server, port = proxied_server("")
    assert hsts(port) == ""
